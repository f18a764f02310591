/*
 * test_activity.c: net change and spells (lib/activity.c; R-I1, R-I3, R-I4).
 *
 * Rows are handed to the store as ingest does, in read order, each built
 * from a "column=value;column=value" spec (extract column names, defaults
 * cds_update_type=9 and provider_code=RA9).  Datetimes are written as
 * dd HH:MM meaning 2006-05-dd, so the order of versions is obvious: "02 10:00"
 * is later than "01 23:59".  The units emitted by activity_finish() are
 * deep-copied and checked field by field.
 */
#include "activity.h"
#include "log.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

typedef struct {
    ActivityStore *store;
    GArray *units;      /* Unit, copied into chunk */
    GStringChunk *chunk;
    int64_t line;
} Fixture;

static Fixture fx;

static void
setup(void)
{
    pbc_log_init("test_activity");
    fx.store = activity_new();
    fx.units = g_array_new(FALSE, FALSE, sizeof(Unit));
    fx.chunk = g_string_chunk_new(4096);
    fx.line = 1;
}

static void
teardown(void)
{
    activity_free(fx.store);
    g_array_free(fx.units, TRUE);
    g_string_chunk_free(fx.chunk);
}

TestSuite(activity, .init = setup, .fini = teardown);

static int
col_of(const char *name)
{
    for (int c = 0; c < X_NCOLS; c++)
        if (strcmp(extract_col_name((ExtractCol)c), name) == 0)
            return c;
    cr_assert_fail("no column %s", name);
    return -1;
}

static PbcDate
date_or_none(const char *s)
{
    PbcDate d;
    if (s[0] == '\0')
        return PBC_NO_DATE;
    cr_assert(date_parse(s, &d), "bad test date %s", s);
    return d;
}

/*
 * Adds one accepted row of dataset ds from file `file`.  "dt" stands for
 * cds_applicable_datetime given as "dd HH:MM" in May 2006; "id" for
 * cds_unique_id; "upd" for cds_update_type.
 */
static void
add(guint file, Dataset ds, const char *spec)
{
    ExtractRow row;
    memset(&row, 0, sizeof row);
    for (int c = 0; c < X_NCOLS; c++)
        row.v[c] = "";
    row.v[X_CDS_UPDATE_TYPE] = "9";
    row.v[X_PROVIDER_CODE] = "RA9";
    row.v[X_CDS_APPLICABLE_DATETIME] = "2006-05-01 00:00:00";
    g_auto(GStrv) parts = g_strsplit(spec, ";", -1);
    g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(g_free);
    for (int i = 0; parts[i]; i++) {
        if (parts[i][0] == '\0')
            continue;
        char *eq = strchr(parts[i], '=');
        cr_assert_not_null(eq, "spec item %s", parts[i]);
        *eq = '\0';
        const char *k = parts[i], *v = eq + 1;
        if (strcmp(k, "dt") == 0) {
            char *full = g_strdup_printf("2006-05-%.2s %s:00", v, v + 3);
            g_ptr_array_add(keep, full);
            row.v[X_CDS_APPLICABLE_DATETIME] = full;
            continue;
        }
        if (strcmp(k, "id") == 0)
            k = "cds_unique_id";
        else if (strcmp(k, "upd") == 0)
            k = "cds_update_type";
        row.v[col_of(k)] = v;
    }
    row.dataset = ds;
    row.deletion = strcmp(row.v[X_CDS_UPDATE_TYPE], "1") == 0;
    cr_assert(datetime_parse(row.v[X_CDS_APPLICABLE_DATETIME], &row.applicable));
    row.date_of_birth = date_or_none(row.v[X_DATE_OF_BIRTH]);
    row.admission_date = date_or_none(row.v[X_ADMISSION_DATE]);
    row.discharge_date = date_or_none(row.v[X_DISCHARGE_DATE]);
    row.appointment_date = date_or_none(row.v[X_APPOINTMENT_DATE]);
    row.arrival_date = date_or_none(row.v[X_ARRIVAL_DATE]);
    row.episode_no = row.v[X_EPISODE_NO][0] ? g_ascii_strtoll(row.v[X_EPISODE_NO], NULL, 10) : 0;
    row.line = ++fx.line;
    activity_add(fx.store, file, &row, -1);
}

static void
collect(const Unit *u, gpointer data)
{
    (void)data;
    Unit c;
    unit_copy(&c, u, fx.chunk);
    g_array_append_val(fx.units, c);
}

static void
finish(void)
{
    activity_finish(fx.store, collect, NULL);
}

static const Unit *
unit_at(guint i)
{
    cr_assert_lt(i, fx.units->len, "only %u units", fx.units->len);
    return &g_array_index(fx.units, Unit, i);
}

/* The only unit, asserting there is exactly one. */
static const Unit *
only_unit(void)
{
    cr_assert_eq(fx.units->len, 1, "%u units, want 1", fx.units->len);
    return unit_at(0);
}

static PbcDate
d(const char *s)
{
    return date_or_none(s);
}

#define STR_OR_EMPTY(s) ((s) ? (s) : "")

/* ---- R-I3 net change ---- */

/* The latest applicable datetime stands, whatever the read order. */
Test(activity, latest_datetime_stands)
{
    guint f = activity_add_file(fx.store, "a.csv");
    add(f, DS_OP, "id=U1;dt=02 10:00;attendance_id=AT1;appointment_date=2006-04-10;op_hrg=V2");
    add(f, DS_OP, "id=U1;dt=01 23:59;attendance_id=AT1;appointment_date=2006-04-10;op_hrg=V1");
    add(f, DS_OP, "id=U1;dt=03 00:00;attendance_id=AT1;appointment_date=2006-04-11;op_hrg=V3");
    add(f, DS_OP, "id=U1;dt=02 10:01;attendance_id=AT1;appointment_date=2006-04-10;op_hrg=V4");
    finish();
    const Unit *u = only_unit();
    cr_assert_str_eq(u->hrg, "V3", "the 03 00:00 version stands");
    cr_assert_eq(u->charge_date, d("2006-04-11"));
    ActivityFileCounts c = activity_file_counts(fx.store, f);
    cr_assert_eq(c.accepted, 1);
    cr_assert_eq(c.superseded, 3);
}

/* The latest version read first still stands against older ones read later. */
Test(activity, older_version_read_later_is_superseded)
{
    guint f = activity_add_file(fx.store, "a.csv");
    add(f, DS_AE, "id=U1;dt=05 12:00;attendance_id=X;arrival_date=2006-04-10;ae_hrg=NEW");
    add(f, DS_AE, "id=U1;dt=05 11:59;attendance_id=X;arrival_date=2006-04-10;ae_hrg=OLD");
    finish();
    cr_assert_str_eq(only_unit()->hrg, "NEW");
}

/* A tie goes to the one read last, within a file. */
Test(activity, tie_within_file_read_last)
{
    guint f = activity_add_file(fx.store, "a.csv");
    add(f, DS_OP, "id=U1;dt=02 10:00;attendance_id=AT1;appointment_date=2006-04-10;op_hrg=FIRST");
    add(f, DS_OP, "id=U1;dt=02 10:00;attendance_id=AT1;appointment_date=2006-04-10;op_hrg=SECOND");
    finish();
    cr_assert_str_eq(only_unit()->hrg, "SECOND");
    ActivityFileCounts c = activity_file_counts(fx.store, f);
    cr_assert(c.accepted == 1 && c.superseded == 1);
}

/* A tie goes to the one read last across files (files are read in name order). */
Test(activity, tie_across_files_read_last)
{
    guint f1 = activity_add_file(fx.store, "2006-05_flex.csv");
    guint f2 = activity_add_file(fx.store, "2006-05_freeze.csv");
    add(f1, DS_OP, "id=U1;dt=02 10:00;attendance_id=AT1;appointment_date=2006-04-10;op_hrg=FLEX");
    add(f2, DS_OP, "id=U1;dt=02 10:00;attendance_id=AT1;appointment_date=2006-04-10;op_hrg=FREEZE");
    finish();
    const Unit *u = only_unit();
    cr_assert_str_eq(u->hrg, "FREEZE");
    cr_assert_str_eq(u->source_file, "2006-05_freeze.csv");
    ActivityFileCounts c1 = activity_file_counts(fx.store, f1), c2 = activity_file_counts(fx.store, f2);
    cr_assert(c1.accepted == 0 && c1.superseded == 1, "flex %lu/%lu", (unsigned long)c1.accepted,
              (unsigned long)c1.superseded);
    cr_assert(c2.accepted == 1 && c2.superseded == 0);
}

/* A later file's older version loses to an earlier file's newer one. */
Test(activity, later_file_older_version_loses)
{
    guint f1 = activity_add_file(fx.store, "a.csv");
    guint f2 = activity_add_file(fx.store, "b.csv");
    add(f1, DS_OP, "id=U1;dt=09 00:00;attendance_id=AT1;appointment_date=2006-04-10;op_hrg=A");
    add(f2, DS_OP, "id=U1;dt=08 00:00;attendance_id=AT1;appointment_date=2006-04-10;op_hrg=B");
    finish();
    cr_assert_str_eq(only_unit()->hrg, "A");
    cr_assert_eq(activity_file_counts(fx.store, f1).accepted, 1);
    cr_assert_eq(activity_file_counts(fx.store, f2).superseded, 1);
}

/* R-I3: a standing deletion removes the record. */
Test(activity, deletion_standing_removes)
{
    guint f = activity_add_file(fx.store, "a.csv");
    add(f, DS_OP, "id=U1;dt=01 10:00;attendance_id=AT1;appointment_date=2006-04-10");
    add(f, DS_OP, "id=U1;dt=02 10:00;upd=1;attendance_id=AT1;appointment_date=2006-04-10");
    add(f, DS_OP, "id=U2;dt=01 10:00;attendance_id=AT2;appointment_date=2006-04-10");
    finish();
    const Unit *u = only_unit();
    cr_assert_str_eq(u->unit_id, "RA9:AT2");
    ActivityFileCounts c = activity_file_counts(fx.store, f);
    /* the deletion is the standing version: accepted; the insert is superseded */
    cr_assert_eq(c.accepted, 2);
    cr_assert_eq(c.superseded, 1);
    cr_assert_eq(activity_totals(fx.store).deleted, 1);
    cr_assert_eq(activity_totals(fx.store).op, 1);
}

/* A deletion with a later datetime stands even when read before the insert. */
Test(activity, deletion_read_first_still_stands)
{
    guint f1 = activity_add_file(fx.store, "a.csv");
    guint f2 = activity_add_file(fx.store, "b.csv");
    add(f1, DS_OP, "id=U1;dt=05 10:00;upd=1;attendance_id=AT1;appointment_date=2006-04-10");
    add(f2, DS_OP, "id=U1;dt=04 10:00;attendance_id=AT1;appointment_date=2006-04-10");
    finish();
    cr_assert_eq(fx.units->len, 0);
}

/* A deletion superseded by a later replacement: the replacement stands. */
Test(activity, deletion_superseded_by_replacement)
{
    guint f = activity_add_file(fx.store, "a.csv");
    add(f, DS_OP, "id=U1;dt=01 10:00;attendance_id=AT1;appointment_date=2006-04-10;op_hrg=A");
    add(f, DS_OP, "id=U1;dt=02 10:00;upd=1;attendance_id=AT1;appointment_date=2006-04-10");
    add(f, DS_OP, "id=U1;dt=03 10:00;attendance_id=AT1;appointment_date=2006-04-12;op_hrg=C");
    finish();
    const Unit *u = only_unit();
    cr_assert_str_eq(u->hrg, "C");
    cr_assert_eq(u->charge_date, d("2006-04-12"));
    ActivityFileCounts c = activity_file_counts(fx.store, f);
    cr_assert(c.accepted == 1 && c.superseded == 2);
    cr_assert_eq(activity_totals(fx.store).deleted, 0);
}

/* A deletion tied with an insert: the one read last stands. */
Test(activity, deletion_tie_read_last)
{
    guint f = activity_add_file(fx.store, "a.csv");
    add(f, DS_AE, "id=U1;dt=02 10:00;attendance_id=A1;arrival_date=2006-04-10");
    add(f, DS_AE, "id=U1;dt=02 10:00;upd=1;attendance_id=A1;arrival_date=2006-04-10");
    add(f, DS_AE, "id=U2;dt=02 10:00;upd=1;attendance_id=A2;arrival_date=2006-04-10");
    add(f, DS_AE, "id=U2;dt=02 10:00;attendance_id=A2;arrival_date=2006-04-10");
    finish();
    cr_assert_str_eq(only_unit()->unit_id, "RA9:A2");
}

/* The key is (dataset, cds_unique_id): the same id in two datasets is two records. */
Test(activity, key_includes_dataset)
{
    guint f = activity_add_file(fx.store, "a.csv");
    add(f, DS_OP, "id=SAME;dt=01 10:00;attendance_id=AT1;appointment_date=2006-04-10");
    add(f, DS_AE, "id=SAME;dt=01 09:00;attendance_id=AE1;arrival_date=2006-04-10");
    add(f, DS_APC, "id=SAME;dt=01 08:00;hospital_spell_no=S1;episode_no=1;admission_date=2006-04-01;"
                   "discharge_date=2006-04-02");
    finish();
    cr_assert_eq(fx.units->len, 3);
    /* emitted by dataset: APC, OP, A&E */
    cr_assert_eq(unit_at(0)->dataset, DS_APC);
    cr_assert_eq(unit_at(1)->dataset, DS_OP);
    cr_assert_eq(unit_at(2)->dataset, DS_AE);
    cr_assert_eq(activity_file_counts(fx.store, f).superseded, 0);
}

/* R-I1: accepted + superseded = rows added, per file. */
Test(activity, per_file_counts_add_up)
{
    guint f[3];
    f[0] = activity_add_file(fx.store, "a.csv");
    f[1] = activity_add_file(fx.store, "b.csv");
    f[2] = activity_add_file(fx.store, "c.csv");
    int added[3] = {0};
    /* 5 records, each sent in 1..4 versions spread over the files */
    for (int r = 0; r < 5; r++)
        for (int v = 0; v <= r % 4; v++) {
            int fi = (r + v) % 3;
            g_autofree char *spec = g_strdup_printf(
                "id=U%d;dt=%02d %02d:00;attendance_id=AT%d;appointment_date=2006-04-10%s", r,
                1 + (v * 7) % 5, v, r, v == 2 ? ";upd=1" : "");
            add(f[fi], DS_OP, spec);
            added[fi]++;
        }
    finish();
    uint64_t accepted = 0;
    for (int i = 0; i < 3; i++) {
        ActivityFileCounts c = activity_file_counts(fx.store, f[i]);
        cr_assert_eq(c.accepted + c.superseded, (uint64_t)added[i], "file %d", i);
        accepted += c.accepted;
    }
    cr_assert_eq(accepted, 5, "one standing version per record");
}

/* activity_foreach_row sees every row once, losers flagged superseded. */
typedef struct {
    int rows, superseded;
} RowTally;

static void
tally(const char *provider, int month, gboolean superseded, gpointer data)
{
    (void)month;
    RowTally *t = data;
    cr_assert_str_eq(provider, "RA9");
    t->rows++;
    t->superseded += superseded;
}

Test(activity, foreach_row)
{
    guint f = activity_add_file(fx.store, "a.csv");
    add(f, DS_OP, "id=U1;dt=01 10:00;attendance_id=AT1;appointment_date=2006-04-10");
    add(f, DS_OP, "id=U1;dt=02 10:00;attendance_id=AT1;appointment_date=2006-04-10");
    add(f, DS_OP, "id=U2;dt=02 10:00;attendance_id=AT2;appointment_date=2006-04-10");
    finish();
    RowTally t = {0, 0};
    activity_foreach_row(fx.store, tally, &t);
    cr_assert_eq(t.rows, 3);
    cr_assert_eq(t.superseded, 1);
}

/* ---- R-I4 spells ---- */

#define EP(id, dt, ep, extra) \
    "id=" id ";dt=" dt ";hospital_spell_no=S1;episode_no=" ep ";" extra

/* Admission fields from the lowest episode, discharge and HRG from the highest. */
Test(activity, spell_from_lowest_and_highest)
{
    guint f = activity_add_file(fx.store, "apc.csv");
    add(f, DS_APC, EP("E2", "01 10:00", "2",
                      "admission_method=21;patient_classification=2;admission_date=2006-04-03;"
                      "discharge_date=2006-04-08;nhs_number=1111111111;date_of_birth=1960-01-01;"
                      "sex=2;postcode=B2;gp_practice_code=B00002;treatment_function_code=200;"
                      "spell_hrg=HRG2;commissioner_code=C2;primary_diagnosis=D2"));
    add(f, DS_APC, EP("E1", "01 10:00", "1",
                      "admission_method=11;patient_classification=1;admission_date=2006-04-01;"
                      "discharge_date=2006-04-05;nhs_number=9434765919;date_of_birth=1950-06-15;"
                      "sex=1;postcode=A1;gp_practice_code=A00001;treatment_function_code=100;"
                      "spell_hrg=HRG1;commissioner_code=C1;primary_diagnosis=D1"));
    add(f, DS_APC, EP("E3", "01 10:00", "3",
                      "admission_method=22;patient_classification=3;admission_date=2006-04-04;"
                      "discharge_date=2006-04-20;nhs_number=2222222222;gp_practice_code=C00003;"
                      "treatment_function_code=300;spell_hrg=HRG3"));
    finish();
    const Unit *u = only_unit();
    cr_assert_eq(u->dataset, DS_APC);
    cr_assert_str_eq(u->unit_id, "RA9:S1");
    cr_assert_eq(u->episodes, 3);
    /* from episode 1 */
    cr_assert_str_eq(u->cds_unique_id, "E1");
    cr_assert_str_eq(u->admission_method, "11");
    cr_assert_str_eq(u->patient_classification, "1");
    cr_assert_eq(u->admission_date, d("2006-04-01"));
    cr_assert_eq(u->attribution_date, d("2006-04-01"));
    cr_assert_str_eq(u->nhs_number, "9434765919");
    cr_assert_eq(u->date_of_birth, d("1950-06-15"));
    cr_assert_str_eq(u->sex, "1");
    cr_assert_str_eq(u->postcode, "A1");
    cr_assert_str_eq(u->cds_practice_code, "A00001");
    cr_assert_str_eq(u->treatment_function_code, "100", "R-I4: TFC of the lowest episode");
    cr_assert_str_eq(u->commissioner_code, "C1");
    cr_assert_eq(u->source_line, 3, "the lowest episode's line");
    cr_assert_str_eq(u->source_file, "apc.csv");
    /* from episode 3 */
    cr_assert_eq(u->discharge_date, d("2006-04-20"));
    cr_assert_eq(u->charge_date, d("2006-04-20"));
    cr_assert_str_eq(u->hrg, "HRG3");
    cr_assert_not(u->unfinished);
    ActivityTotals t = activity_totals(fx.store);
    cr_assert(t.spells == 1 && t.episodes == 3 && t.unfinished_spells == 0);
}

/* The highest episode's blank HRG is the spell's HRG (no fall-back to a lower one). */
Test(activity, spell_hrg_blank_on_highest)
{
    guint f = activity_add_file(fx.store, "apc.csv");
    add(f, DS_APC, EP("E1", "01 10:00", "1", "admission_date=2006-04-01;spell_hrg=HRG1;discharge_date=2006-04-02"));
    add(f, DS_APC, EP("E2", "01 10:00", "2", "admission_date=2006-04-01;discharge_date=2006-04-03"));
    finish();
    cr_assert_str_eq(STR_OR_EMPTY(only_unit()->hrg), "");
    cr_assert_eq(only_unit()->discharge_date, d("2006-04-03"));
}

/* Of two episodes with the same number, the one read later counts as the higher. */
Test(activity, same_episode_number_later_read_is_higher)
{
    guint f = activity_add_file(fx.store, "apc.csv");
    add(f, DS_APC, EP("EA", "01 10:00", "1",
                      "admission_method=11;admission_date=2006-04-01;spell_hrg=FIRST;"
                      "treatment_function_code=101;discharge_date=2006-04-09"));
    add(f, DS_APC, EP("EB", "01 10:00", "1",
                      "admission_method=21;admission_date=2006-04-02;spell_hrg=SECOND;"
                      "treatment_function_code=102;discharge_date=2006-04-10"));
    finish();
    const Unit *u = only_unit();
    cr_assert_eq(u->episodes, 2);
    /* lowest = the one read first */
    cr_assert_str_eq(u->cds_unique_id, "EA");
    cr_assert_str_eq(u->admission_method, "11");
    cr_assert_str_eq(u->treatment_function_code, "101");
    cr_assert_eq(u->admission_date, d("2006-04-01"));
    /* highest = the one read later */
    cr_assert_str_eq(u->hrg, "SECOND");
    cr_assert_eq(u->discharge_date, d("2006-04-10"));
}

/* ... across files too: the later file's episode is the higher. */
Test(activity, same_episode_number_across_files)
{
    guint f1 = activity_add_file(fx.store, "a.csv");
    guint f2 = activity_add_file(fx.store, "b.csv");
    add(f1, DS_APC, EP("EA", "01 10:00", "2", "admission_date=2006-04-01;spell_hrg=A;discharge_date=2006-04-05"));
    add(f2, DS_APC, EP("EB", "01 10:00", "2", "admission_date=2006-04-01;spell_hrg=B;discharge_date=2006-04-06"));
    finish();
    cr_assert_str_eq(only_unit()->hrg, "B");
    cr_assert_str_eq(only_unit()->cds_unique_id, "EA");
}

/* A spell whose highest episode has no discharge date is unfinished. */
Test(activity, unfinished_spell)
{
    guint f = activity_add_file(fx.store, "apc.csv");
    add(f, DS_APC, EP("E1", "01 10:00", "1", "admission_date=2006-04-01;discharge_date=2006-04-05;spell_hrg=H1"));
    add(f, DS_APC, EP("E2", "01 10:00", "2", "admission_date=2006-04-01;spell_hrg=H2"));
    finish();
    const Unit *u = only_unit();
    cr_assert(u->unfinished);
    cr_assert_eq(u->discharge_date, PBC_NO_DATE);
    cr_assert_eq(u->charge_date, PBC_NO_DATE);
    cr_assert_str_eq(u->hrg, "H2");
    ActivityTotals t = activity_totals(fx.store);
    cr_assert(t.spells == 1 && t.unfinished_spells == 1);
}

/* A discharge on a lower episode only does not finish the spell; one on the highest does. */
Test(activity, finished_when_only_highest_has_discharge)
{
    guint f = activity_add_file(fx.store, "apc.csv");
    add(f, DS_APC, EP("E1", "01 10:00", "1", "admission_date=2006-04-01"));
    add(f, DS_APC, EP("E2", "01 10:00", "2", "admission_date=2006-04-01;discharge_date=2006-04-07"));
    finish();
    cr_assert_not(only_unit()->unfinished);
    cr_assert_eq(only_unit()->discharge_date, d("2006-04-07"));
}

/* Spells are keyed by (provider, spell number): two providers' S1 are two spells. */
Test(activity, spells_keyed_by_provider)
{
    guint f = activity_add_file(fx.store, "apc.csv");
    add(f, DS_APC, EP("E1", "01 10:00", "1", "provider_code=RBB;admission_date=2006-04-01;discharge_date=2006-04-02"));
    add(f, DS_APC, EP("E2", "01 10:00", "1", "provider_code=RA9;admission_date=2006-04-01;discharge_date=2006-04-03"));
    add(f, DS_APC, "id=E3;dt=01 10:00;hospital_spell_no=S10;episode_no=1;admission_date=2006-04-01");
    add(f, DS_APC, "id=E4;dt=01 10:00;hospital_spell_no=S2;episode_no=1;admission_date=2006-04-01");
    finish();
    cr_assert_eq(fx.units->len, 4);
    /* byte order of unit_id: "RA9:S1" < "RA9:S10" < "RA9:S2" < "RBB:S1" */
    cr_assert_str_eq(unit_at(0)->unit_id, "RA9:S1");
    cr_assert_str_eq(unit_at(1)->unit_id, "RA9:S10");
    cr_assert_str_eq(unit_at(2)->unit_id, "RA9:S2");
    cr_assert_str_eq(unit_at(3)->unit_id, "RBB:S1");
    cr_assert_eq(unit_at(0)->discharge_date, d("2006-04-03"));
    cr_assert_str_eq(unit_at(3)->provider_code, "RBB");
    ActivityTotals t = activity_totals(fx.store);
    cr_assert(t.spells == 4 && t.unfinished_spells == 2 && t.episodes == 4);
}

/* Net change applies per episode before spells form: a deleted episode drops out. */
Test(activity, deleted_episode_leaves_the_spell)
{
    guint f = activity_add_file(fx.store, "apc.csv");
    add(f, DS_APC, EP("E1", "01 10:00", "1", "admission_date=2006-04-01;discharge_date=2006-04-03;spell_hrg=H1"));
    add(f, DS_APC, EP("E2", "01 10:00", "2", "admission_date=2006-04-01;discharge_date=2006-04-09;spell_hrg=H2"));
    add(f, DS_APC, EP("E2", "02 10:00", "2", "upd=1;admission_date=2006-04-01;discharge_date=2006-04-09"));
    finish();
    const Unit *u = only_unit();
    cr_assert_eq(u->episodes, 1);
    cr_assert_str_eq(u->hrg, "H1");
    cr_assert_eq(u->discharge_date, d("2006-04-03"));
    cr_assert_eq(activity_totals(fx.store).deleted, 1);
}

/* An episode's replacement takes its place: the old version is superseded. */
Test(activity, replaced_episode)
{
    guint f = activity_add_file(fx.store, "apc.csv");
    add(f, DS_APC, EP("E1", "01 10:00", "1", "admission_date=2006-04-01;discharge_date=2006-04-03;spell_hrg=OLD"));
    add(f, DS_APC, EP("E1", "03 10:00", "1", "admission_date=2006-04-01;discharge_date=2006-04-04;spell_hrg=NEW"));
    finish();
    const Unit *u = only_unit();
    cr_assert_eq(u->episodes, 1);
    cr_assert_str_eq(u->hrg, "NEW");
    cr_assert_eq(u->discharge_date, d("2006-04-04"));
    ActivityFileCounts c = activity_file_counts(fx.store, f);
    cr_assert(c.accepted == 1 && c.superseded == 1);
}

/* Every episode deleted: no spell at all. */
Test(activity, all_episodes_deleted)
{
    guint f = activity_add_file(fx.store, "apc.csv");
    add(f, DS_APC, EP("E1", "01 10:00", "1", "admission_date=2006-04-01"));
    add(f, DS_APC, EP("E1", "02 10:00", "1", "upd=1;admission_date=2006-04-01"));
    finish();
    cr_assert_eq(fx.units->len, 0);
    cr_assert_eq(activity_totals(fx.store).spells, 0);
}

/* Episode numbers compare as numbers: 10 is above 9. */
Test(activity, episode_numbers_numeric)
{
    guint f = activity_add_file(fx.store, "apc.csv");
    add(f, DS_APC, EP("E10", "01 10:00", "10", "admission_date=2006-04-01;discharge_date=2006-04-30;spell_hrg=TEN"));
    add(f, DS_APC, EP("E9", "01 10:00", "9", "admission_date=2006-04-01;admission_method=12"));
    finish();
    const Unit *u = only_unit();
    cr_assert_str_eq(u->hrg, "TEN");
    cr_assert_str_eq(u->admission_method, "12");
}

/* ---- OP and A&E units ---- */

Test(activity, attendances)
{
    guint f = activity_add_file(fx.store, "op_ae.csv");
    add(f, DS_OP, "id=O1;provider_code=RGT01;attendance_id=AT7;appointment_date=2006-04-10;"
                  "first_attendance=2;attended_or_dna=6;treatment_function_code=110;"
                  "referral_source=03;op_hrg=WH01Z;nhs_number=9434765919;gp_practice_code=A81001");
    add(f, DS_AE, "id=A1;attendance_id=AE3;arrival_date=2006-04-11;ae_attendance_category=3;"
                  "ae_hrg=VB01Z");
    finish();
    cr_assert_eq(fx.units->len, 2);
    const Unit *op = unit_at(0), *ae = unit_at(1);
    cr_assert_eq(op->dataset, DS_OP);
    cr_assert_str_eq(op->unit_id, "RGT01:AT7");
    cr_assert_eq(op->attribution_date, d("2006-04-10"));
    cr_assert_eq(op->charge_date, d("2006-04-10"));
    cr_assert_str_eq(op->hrg, "WH01Z");
    cr_assert_str_eq(op->first_attendance, "2");
    cr_assert_str_eq(op->attended_or_dna, "6");
    cr_assert_str_eq(op->treatment_function_code, "110");
    cr_assert_str_eq(op->referral_source, "03");
    cr_assert_str_eq(op->nhs_number, "9434765919");
    cr_assert_str_eq(op->cds_practice_code, "A81001");
    cr_assert_not(op->unfinished);
    cr_assert_eq(ae->dataset, DS_AE);
    cr_assert_str_eq(ae->unit_id, "RA9:AE3");
    cr_assert_eq(ae->attribution_date, d("2006-04-11"));
    cr_assert_eq(ae->charge_date, d("2006-04-11"));
    cr_assert_str_eq(ae->hrg, "VB01Z");
    cr_assert_str_eq(ae->ae_attendance_category, "3");
    ActivityTotals t = activity_totals(fx.store);
    cr_assert(t.op == 1 && t.ae == 1 && t.spells == 0);
}

/* Two records (different cds_unique_id) with one attendance_id are two units. */
Test(activity, same_attendance_id_two_records)
{
    guint f = activity_add_file(fx.store, "op.csv");
    add(f, DS_OP, "id=O1;attendance_id=AT1;appointment_date=2006-04-10;op_hrg=A");
    add(f, DS_OP, "id=O2;attendance_id=AT1;appointment_date=2006-04-11;op_hrg=B");
    finish();
    cr_assert_eq(fx.units->len, 2);
    /* same unit_id: read order decides */
    cr_assert_str_eq(unit_at(0)->hrg, "A");
    cr_assert_str_eq(unit_at(1)->hrg, "B");
}

/* No rows at all: nothing emitted, zero counts. */
Test(activity, empty_store)
{
    guint f = activity_add_file(fx.store, "empty.csv");
    finish();
    cr_assert_eq(fx.units->len, 0);
    ActivityFileCounts c = activity_file_counts(fx.store, f);
    cr_assert(c.accepted == 0 && c.superseded == 0);
}
