/*
 * test_attribution.c: R-A1 .. R-A7 (attribution.c) on hand-built practices and
 * registrations, and the attribution audit (attr_audit.c).
 *
 * Every case writes its own registrations.csv; the practice table is the
 * fixture PRACTICES below.  Dates are worked out by hand in the comments.
 */
#include "attr_audit.h"
#include "attribution.h"
#include "log.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <glib/gstdio.h>

/* The valid NHS numbers of /work/shared/data/README.md, and two invalid ones. */
#define NHS1 "9434765919"
#define NHS2 "3417284996"
#define NHS3 "1234567881"
#define NHS4 "9876543210"
#define BAD1 "9434765918"
#define BAD2 "1234567890"

/* PCT 5QA is the run's. */
#define PRACTICES                                                                           \
    "practice_code,practice_name,consortium_code,pct_code,open_date,close_date,successor_code\n" \
    "A81001,One,C1,5QA,,,\n"                  /* open */                                   \
    "A81002,Two,C1,5QA,,2006-06-01,A81003\n"  /* closed 1 June 2006, successor */          \
    "A81003,Three,C2,5QA,,,\n"                                                             \
    "A81004,Four,C2,5QA,,2006-06-01,\n"       /* closed, no successor */                   \
    "A81005,Five,C1,5QA,,2006-05-01,A81002\n" /* chain of two after 1 June */              \
    "A81006,Six,C1,5QA,,2006-06-01,Z99999\n"  /* successor not listed */                   \
    "A81007,Seven,C1,5QA,2007-01-01,,\n"      /* opens 2007 */                             \
    "A81008,Eight,C1,5QA,,2006-06-01,A81007\n" /* successor not yet open */                \
    "A81009,Nine,C3,5QA,,2006-06-01,B82001\n" /* successor in another PCT */               \
    "B82001,Moor,K9,5QB,,,\n"                 /* another PCT */                            \
    "V81999,Not known,,5QA,,,\n"              /* a pseudo code listed: never a practice */

static char *tmpdir;
static PracticeTable *practices;
static Registry *registry;
static AttributionRules rules;

static void
rm_tree(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d)) != NULL) {
        g_autofree char *p = g_build_filename(dir, name, NULL);
        g_unlink(p);
    }
    if (d)
        g_dir_close(d);
    g_rmdir(dir);
}

static void
setup(void)
{
    pbc_log_set_verbose(FALSE);
    tmpdir = g_dir_make_tmp("test_attribution-XXXXXX", NULL);
    cr_assert_not_null(tmpdir);
    g_autofree char *path = g_build_filename(tmpdir, "practices.csv", NULL);
    cr_assert(g_file_set_contents(path, PRACTICES, -1, NULL));
    GError *error = NULL;
    practices = practice_table_load(path, &error);
    cr_assert_not_null(practices, "%s", error ? error->message : "");
    registry = registry_new_empty();
    rules = (AttributionRules){practices, registry, "5QA", 90};
}

static void
teardown(void)
{
    registry_free(registry);
    practice_table_free(practices);
    rm_tree(tmpdir);
    g_free(tmpdir);
}

TestSuite(attribution, .init = setup, .fini = teardown);

/* Replaces the registrations with these rows (header added). */
static void
regs(const char *rows)
{
    g_autofree char *path = g_build_filename(tmpdir, "registrations.csv", NULL);
    g_autofree char *text = g_strconcat(
        "nhs_number,practice_code,registration_date,deregistration_date\n", rows, NULL);
    cr_assert(g_file_set_contents(path, text, -1, NULL));
    GError *error = NULL;
    registry_free(registry);
    registry = registry_load(path, &error);
    cr_assert_not_null(registry, "%s", error ? error->message : "");
    rules.registry = registry;
}

static PbcDate
d(int y, int m, int dd)
{
    return date_from_ymd(y, m, dd);
}

/* A unit with the three inputs of attribution set; the strings must outlive it. */
static Unit
unit(const char *nhs, const char *cds, PbcDate day)
{
    Unit u;
    unit_clear(&u);
    u.dataset = DS_OP;
    u.unit_id = "RA9:1";
    u.provider_code = "RA9";
    u.nhs_number = nhs;
    u.cds_practice_code = cds;
    u.attribution_date = day;
    u.charge_date = day;
    return u;
}

static Unit
attribute(const char *nhs, const char *cds, PbcDate day)
{
    Unit u = unit(nhs, cds, day);
    attribution_apply(&rules, &u);
    return u;
}

#define assert_attr(u, method, practice)                                   \
    do {                                                                   \
        cr_assert_str_eq((u).attribution_method, method);                  \
        cr_assert_str_eq((u).practice_code, practice);                     \
    } while (0)

/* ---- R-A1 ---- */

Test(attribution, ra1_registration_day_covers)
{
    regs(NHS1 ",A81001,2006-04-01,\n");
    Unit u = attribute(NHS1, "", d(2006, 4, 1));
    assert_attr(u, "EXETER", "A81001");
    cr_assert_str_eq(u.exeter_practice_code, "A81001");
    cr_assert_str_eq(u.original_practice_code, "A81001");
    cr_assert_str_eq(u.exeter_reason, "");
    cr_assert_str_eq(u.cds_reason, "");
    cr_assert_str_eq(u.unattributed_reason, "");
    cr_assert_str_eq(u.practice_pct_code, "5QA");
    cr_assert_str_eq(u.consortium_code, "C1");
    cr_assert_not(u.out_of_area);
    cr_assert_not(u.mismatch);
}

Test(attribution, ra1_day_before_deregistration_covers_deregistration_day_does_not)
{
    /* Registered 2005-01-01 .. deregistered 2006-04-01 (the first day not registered). */
    regs(NHS1 ",A81001,2005-01-01,2006-04-01\n");
    assert_attr(attribute(NHS1, "", d(2006, 3, 31)), "EXETER", "A81001");
    /* On the deregistration day the registration no longer covers; it is 0 days away. */
    assert_attr(attribute(NHS1, "", d(2006, 4, 1)), "EXETER_NEAREST", "A81001");
}

Test(attribution, ra1_overlap_latest_registration_date_wins)
{
    /* Both cover 2006-04-01; A81003's registration (2006-01-01) is later than A81001's. */
    regs(NHS1 ",A81003,2006-01-01,\n" NHS1 ",A81001,2005-01-01,\n");
    assert_attr(attribute(NHS1, "", d(2006, 4, 1)), "EXETER", "A81003");
}

Test(attribution, ra1_overlap_tie_later_in_extract_wins)
{
    /* Same registration date: the row later in the file wins, whichever practice. */
    regs(NHS1 ",A81001,2006-01-01,\n" NHS1 ",A81003,2006-01-01,\n");
    assert_attr(attribute(NHS1, "", d(2006, 4, 1)), "EXETER", "A81003");
    regs(NHS1 ",A81003,2006-01-01,\n" NHS1 ",A81001,2006-01-01,\n");
    assert_attr(attribute(NHS1, "", d(2006, 4, 1)), "EXETER", "A81001");
}

Test(attribution, ra1_other_patients_rows_do_not_count)
{
    regs(NHS2 ",A81003,2006-01-01,\n" NHS1 ",A81001,2005-01-01,\n" NHS3 ",A81003,2006-01-01,\n");
    assert_attr(attribute(NHS1, "", d(2006, 4, 1)), "EXETER", "A81001");
}

/* ---- R-A2 ---- */

typedef struct {
    char rows[200];
    int y, m, dd;       /* attribution date */
    int lookback;
    char method[16];
    char practice[8];
} NearCase;

ParameterizedTestParameters(attribution, ra2_nearest)
{
    static NearCase cases[] = {
        /* deregistered 2006-01-01; 2006-04-01 is 90 days later (31+28+31): within */
        {NHS1 ",A81001,2005-01-01,2006-01-01\n", 2006, 4, 1, 90, "EXETER_NEAREST", "A81001"},
        /* 91 days later: out of reach, and no CDS code: unattributed */
        {NHS1 ",A81001,2005-01-01,2006-01-01\n", 2006, 4, 2, 90, "UNATTRIBUTED", ""},
        /* registration starts 90 days after the date (newborn): within */
        {NHS1 ",A81001,2006-04-01,\n", 2006, 1, 1, 90, "EXETER_NEAREST", "A81001"},
        /* starts 91 days after: out of reach */
        {NHS1 ",A81001,2006-04-02,\n", 2006, 1, 1, 90, "UNATTRIBUTED", ""},
        /* before: deregistered 10 days earlier (A81001); after: registered 5 days later (A81003) */
        {NHS1 ",A81001,2005-01-01,2006-03-22\n" NHS1 ",A81003,2006-04-06,\n", 2006, 4, 1, 90,
         "EXETER_NEAREST", "A81003"},
        /* before 5 days, after 10 days: the earlier one */
        {NHS1 ",A81001,2005-01-01,2006-03-27\n" NHS1 ",A81003,2006-04-11,\n", 2006, 4, 1, 90,
         "EXETER_NEAREST", "A81001"},
        /* tie at 10 days: the earlier registration_date (2005-01-01, A81001) wins, even when
           it is earlier in the extract */
        {NHS1 ",A81001,2005-01-01,2006-03-22\n" NHS1 ",A81003,2006-04-11,\n", 2006, 4, 1, 90,
         "EXETER_NEAREST", "A81001"},
        {NHS1 ",A81003,2006-04-11,\n" NHS1 ",A81001,2005-01-01,2006-03-22\n", 2006, 4, 1, 90,
         "EXETER_NEAREST", "A81001"},
        /* tie at 10 days and on registration_date (both 2006-04-11): later in the extract */
        {NHS1 ",A81001,2006-04-11,2006-05-01\n" NHS1 ",A81003,2006-04-11,2006-06-01\n", 2006, 4,
         1, 90, "EXETER_NEAREST", "A81003"},
        {NHS1 ",A81003,2006-04-11,2006-06-01\n" NHS1 ",A81001,2006-04-11,2006-05-01\n", 2006, 4,
         1, 90, "EXETER_NEAREST", "A81001"},
        /* a registration's own nearer end counts: registered 2005-01-01 (455 days back),
           deregistered 2006-03-30 (2 days back) */
        {NHS1 ",A81001,2005-01-01,2006-03-30\n", 2006, 4, 1, 0, "UNATTRIBUTED", ""},
        {NHS1 ",A81001,2005-01-01,2006-03-30\n", 2006, 4, 1, 2, "EXETER_NEAREST", "A81001"},
        /* look-back 0: only the deregistration day itself */
        {NHS1 ",A81001,2005-01-01,2006-04-01\n", 2006, 4, 1, 0, "EXETER_NEAREST", "A81001"},
    };
    return cr_make_param_array(NearCase, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(NearCase *c, attribution, ra2_nearest)
{
    regs(c->rows);
    rules.lookback_days = c->lookback;
    Unit u = attribute(NHS1, "", d(c->y, c->m, c->dd));
    assert_attr(u, c->method, c->practice);
    if (c->practice[0]) {
        cr_assert_str_eq(u.exeter_practice_code, c->practice);
        cr_assert_str_eq(u.exeter_reason, "");
    } else {
        cr_assert_str_eq(u.exeter_reason, "NOT_REGISTERED");
        cr_assert_str_eq(u.exeter_practice_code, "");
    }
}

Test(attribution, ra2_covering_beats_a_nearer_end)
{
    /* A81003 covers (R-A1) although A81001's deregistration is 0 days away. */
    regs(NHS1 ",A81001,2005-01-01,2006-04-01\n" NHS1 ",A81003,2000-01-01,\n");
    assert_attr(attribute(NHS1, "", d(2006, 4, 1)), "EXETER", "A81003");
}

Test(attribution, exeter_direct)
{
    regs(NHS1 ",A81001,2006-04-01,\n");
    Registration r;
    cr_assert_eq(attribution_exeter(registry, 9434765919ULL, d(2006, 4, 1), 90, &r),
                 EXETER_MATCH_COVERING);
    cr_assert_str_eq(r.practice_code, "A81001");
    cr_assert_eq(attribution_exeter(registry, 9434765919ULL, d(2006, 3, 1), 90, &r),
                 EXETER_MATCH_NEAREST);
    cr_assert_eq(attribution_exeter(registry, 9434765919ULL, PBC_NO_DATE, 90, &r),
                 EXETER_MATCH_NONE);
    cr_assert_eq(attribution_exeter(registry, 3417284996ULL, d(2006, 4, 1), 90, &r),
                 EXETER_MATCH_NONE);
}

/* ---- R-A3, R-A4: reasons ---- */

typedef struct {
    char nhs[16];
    char cds[8];
    char method[16];
    char practice[8];
    char exeter_reason[24];
    char cds_reason[24];
    char unattributed_reason[24];
} ReasonCase;

ParameterizedTestParameters(attribution, ra3_ra4_reasons)
{
    /* Registrations: NHS1 at A81001 from 2000; NHS2 has none.  Date 2006-04-01. */
    static ReasonCase cases[] = {
        /* Exeter found: nothing else examined */
        {NHS1, "A81003", "EXETER", "A81001", "", "", ""},
        /* blank NHS number, listed CDS practice: CDS with the Exeter reason kept */
        {"", "A81003", "CDS", "A81003", "NO_NHS_NUMBER", "", ""},
        {BAD1, "A81003", "CDS", "A81003", "INVALID_NHS_NUMBER", "", ""},
        {BAD2, "B82001", "CDS", "B82001", "INVALID_NHS_NUMBER", "", ""},
        {"94347659", "A81003", "CDS", "A81003", "INVALID_NHS_NUMBER", "", ""}, /* short */
        {NHS2, "A81003", "CDS", "A81003", "NOT_REGISTERED", "", ""},
        /* R-A4: both failed */
        {"", "", "UNATTRIBUTED", "", "NO_NHS_NUMBER", "NO_PRACTICE_CODE", "NO_PRACTICE"},
        {BAD1, "V81999", "UNATTRIBUTED", "", "INVALID_NHS_NUMBER", "PSEUDO_PRACTICE_CODE",
         "NO_PRACTICE"}, /* listed in the file, still pseudo */
        {NHS2, "V81997", "UNATTRIBUTED", "", "NOT_REGISTERED", "PSEUDO_PRACTICE_CODE",
         "NO_PRACTICE"},
        {NHS2, "Z12345", "UNATTRIBUTED", "", "NOT_REGISTERED", "UNKNOWN_PRACTICE", "NO_PRACTICE"},
        {NHS2, "a81001", "UNATTRIBUTED", "", "NOT_REGISTERED", "UNKNOWN_PRACTICE",
         "NO_PRACTICE"}, /* codes match byte for byte */
    };
    return cr_make_param_array(ReasonCase, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(ReasonCase *c, attribution, ra3_ra4_reasons)
{
    regs(NHS1 ",A81001,2000-01-01,\n");
    Unit u = attribute(c->nhs, c->cds, d(2006, 4, 1));
    assert_attr(u, c->method, c->practice);
    cr_assert_str_eq(u.exeter_reason, c->exeter_reason);
    cr_assert_str_eq(u.cds_reason, c->cds_reason);
    cr_assert_str_eq(u.unattributed_reason, c->unattributed_reason);
    cr_assert_str_eq(u.original_practice_code, c->practice);
    if (strcmp(c->method, "UNATTRIBUTED") == 0) {
        cr_assert_not(u.out_of_area);
        cr_assert_str_eq(u.practice_pct_code, "");
    }
}

Test(attribution, nhs_number_null_is_blank)
{
    Unit u = attribute(NULL, NULL, d(2006, 4, 1));
    cr_assert_str_eq(u.exeter_reason, "NO_NHS_NUMBER");
    cr_assert_str_eq(u.cds_reason, "NO_PRACTICE_CODE");
}

/* ---- R-A5 ---- */

typedef struct {
    char via[8];        /* "EXETER" or "CDS" */
    char chosen[8];
    int y, m, dd;
    char method[16];
    char practice[8];
    char unattributed_reason[24];
    gboolean out_of_area;
    char pct[4];
} SuccCase;

ParameterizedTestParameters(attribution, ra5_successors)
{
    static SuccCase cases[] = {
        /* not yet closed on 31 May */
        {"EXETER", "A81002", 2006, 5, 31, "EXETER", "A81002", "", FALSE, "5QA"},
        /* the close day: successor */
        {"EXETER", "A81002", 2006, 6, 1, "EXETER", "A81003", "", FALSE, "5QA"},
        {"CDS", "A81002", 2006, 6, 1, "CDS", "A81003", "", FALSE, "5QA"},
        /* closed with no successor: unattributed, no fall-back */
        {"EXETER", "A81004", 2006, 6, 1, "UNATTRIBUTED", "", "PRACTICE_CLOSED", FALSE, ""},
        {"CDS", "A81004", 2006, 6, 1, "UNATTRIBUTED", "", "PRACTICE_CLOSED", FALSE, ""},
        /* chain of two: A81005 (closed 1 May) -> A81002 (closed 1 June) -> A81003 */
        {"EXETER", "A81005", 2006, 5, 15, "EXETER", "A81002", "", FALSE, "5QA"},
        {"EXETER", "A81005", 2006, 6, 15, "EXETER", "A81003", "", FALSE, "5QA"},
        /* successor not in the table: kept, out of area (R-A6) */
        {"EXETER", "A81006", 2006, 6, 1, "EXETER", "Z99999", "", TRUE, ""},
        /* successor not yet open: its open date is not checked */
        {"CDS", "A81008", 2006, 6, 1, "CDS", "A81007", "", FALSE, "5QA"},
        /* successor in another PCT: out of area with that PCT */
        {"EXETER", "A81009", 2006, 7, 1, "EXETER", "B82001", "", TRUE, "5QB"},
    };
    return cr_make_param_array(SuccCase, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(SuccCase *c, attribution, ra5_successors)
{
    Unit u;
    if (strcmp(c->via, "EXETER") == 0) {
        g_autofree char *rows = g_strdup_printf(NHS1 ",%s,2000-01-01,\n", c->chosen);
        regs(rows);
        u = attribute(NHS1, "", d(c->y, c->m, c->dd));
    } else {
        u = attribute("", c->chosen, d(c->y, c->m, c->dd));
    }
    assert_attr(u, c->method, c->practice);
    cr_assert_str_eq(u.original_practice_code, c->chosen);
    cr_assert_str_eq(u.unattributed_reason, c->unattributed_reason);
    cr_assert_eq(u.out_of_area, c->out_of_area);
    cr_assert_str_eq(u.practice_pct_code, c->pct);
}

Test(attribution, ra5_closed_practice_does_not_fall_back_to_cds)
{
    /* Exeter chose A81004 (closed, no successor); the hospital's A81003 is not used. */
    regs(NHS1 ",A81004,2000-01-01,\n");
    Unit u = attribute(NHS1, "A81003", d(2006, 7, 1));
    assert_attr(u, "UNATTRIBUTED", "");
    cr_assert_str_eq(u.unattributed_reason, "PRACTICE_CLOSED");
    cr_assert_str_eq(u.original_practice_code, "A81004");
    cr_assert_str_eq(u.exeter_practice_code, "A81004");
    cr_assert_str_eq(u.cds_reason, "");
    cr_assert(u.mismatch); /* R-A7 still records the disagreement */
}

Test(attribution, no_attribution_date_is_handled)
{
    /* Defensive: Exeter cannot match; CDS still can; no successor hand-over. */
    regs(NHS1 ",A81001,2000-01-01,\n");
    Unit u = attribute(NHS1, "A81004", PBC_NO_DATE);
    assert_attr(u, "CDS", "A81004");
    cr_assert_str_eq(u.exeter_reason, "NOT_REGISTERED");
}

/* ---- R-A6 ---- */

Test(attribution, ra6_other_pct_and_unlisted_practice)
{
    regs(NHS1 ",B82001,2000-01-01,\n" NHS2 ",Z11111,2000-01-01,\n");
    Unit u = attribute(NHS1, "", d(2006, 4, 1));
    assert_attr(u, "EXETER", "B82001");
    cr_assert(u.out_of_area);
    cr_assert_str_eq(u.practice_pct_code, "5QB");
    cr_assert_str_eq(u.consortium_code, "K9");
    /* Exeter may name a practice practices.csv does not list: kept, out of area. */
    u = attribute(NHS2, "", d(2006, 4, 1));
    assert_attr(u, "EXETER", "Z11111");
    cr_assert(u.out_of_area);
    cr_assert_str_eq(u.practice_pct_code, "");
    cr_assert_str_eq(u.consortium_code, "");
    /* CDS of another PCT's practice. */
    u = attribute("", "B82001", d(2006, 4, 1));
    assert_attr(u, "CDS", "B82001");
    cr_assert(u.out_of_area);
    /* The run's own practice is in area. */
    u = attribute("", "A81001", d(2006, 4, 1));
    cr_assert_not(u.out_of_area);
}

Test(attribution, ra6_the_runs_pct_decides)
{
    rules.pct = "5QB";
    Unit u = attribute("", "B82001", d(2006, 4, 1));
    cr_assert_not(u.out_of_area);
    u = attribute("", "A81001", d(2006, 4, 1));
    cr_assert(u.out_of_area);
}

/* ---- R-A7 ---- */

typedef struct {
    char cds[8];
    char regs[80];
    int y, m, dd;
    gboolean mismatch;
    char exeter_practice[8];
} MismatchCase;

ParameterizedTestParameters(attribution, ra7_mismatch)
{
    static MismatchCase cases[] = {
        {"A81003", NHS1 ",A81001,2000-01-01,\n", 2006, 4, 1, TRUE, "A81001"},  /* differ */
        {"A81001", NHS1 ",A81001,2000-01-01,\n", 2006, 4, 1, FALSE, "A81001"}, /* agree */
        {"", NHS1 ",A81001,2000-01-01,\n", 2006, 4, 1, FALSE, "A81001"},       /* no code */
        {"V81999", NHS1 ",A81001,2000-01-01,\n", 2006, 4, 1, FALSE, "A81001"}, /* pseudo */
        {"Z12345", NHS1 ",A81001,2000-01-01,\n", 2006, 4, 1, TRUE, "A81001"},  /* unlisted code */
        /* EXETER_NEAREST counts too: deregistered 2006-03-31, 1 day before */
        {"A81003", NHS1 ",A81001,2000-01-01,2006-03-31\n", 2006, 4, 1, TRUE, "A81001"},
        /* Exeter found nothing: CDS, no mismatch */
        {"A81003", NHS1 ",A81001,2000-01-01,2005-01-01\n", 2006, 4, 1, FALSE, ""},
        /* compared before successors: Exeter A81002 closed -> A81003; hospital A81003 */
        {"A81003", NHS1 ",A81002,2000-01-01,\n", 2006, 7, 1, TRUE, "A81002"},
    };
    return cr_make_param_array(MismatchCase, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(MismatchCase *c, attribution, ra7_mismatch)
{
    regs(c->regs);
    Unit u = attribute(NHS1, c->cds, d(c->y, c->m, c->dd));
    cr_assert_eq(u.mismatch, c->mismatch, "cds %s", c->cds);
    cr_assert_str_eq(u.exeter_practice_code, c->exeter_practice);
}

Test(attribution, only_attribution_fields_change)
{
    regs(NHS1 ",A81001,2000-01-01,\n");
    Unit u = unit(NHS1, "A81003", d(2006, 4, 1));
    u.hrg = "AB12C";
    u.price_pence = 1234;
    u.practice_code = "OLD";
    u.mismatch = TRUE;
    Unit before = u;
    attribution_apply(&rules, &u);
    cr_assert_eq(u.price_pence, 1234);
    cr_assert_str_eq(u.hrg, "AB12C");
    cr_assert_eq(u.nhs_number, before.nhs_number);
    cr_assert_eq(u.cds_practice_code, before.cds_practice_code);
    cr_assert_eq(u.attribution_date, before.attribution_date);
    cr_assert_str_eq(u.practice_code, "A81001");
    cr_assert(u.mismatch);
}

/* ---- the audit ---- */

static char *
slurp(const char *name)
{
    g_autofree char *path = g_build_filename(tmpdir, name, NULL);
    char *text = NULL;
    cr_assert(g_file_get_contents(path, &text, NULL, NULL), "%s", name);
    return text;
}

Test(attribution, audit_files)
{
    regs(NHS1 ",A81001,2000-01-01,\n" NHS2 ",B82001,2000-01-01,\n");
    g_autoptr(AttrAudit) a = attr_audit_new();
    Unit u;

    /* RA9, April: two EXETER at A81001 (£100.00 + £50.50), one mismatching the hospital. */
    u = attribute(NHS1, "A81003", d(2006, 4, 3));
    u.price_pence = 10000;
    attr_audit_add(a, &u);
    u = attribute(NHS1, "", d(2006, 4, 20));
    u.price_pence = 5050;
    attr_audit_add(a, &u);
    /* RA9, April: out of area (B82001, 5QB), £20.00 */
    u = attribute(NHS2, "", d(2006, 4, 5));
    u.price_pence = 2000;
    attr_audit_add(a, &u);
    /* RA9, April: the same but NOT_CHARGEABLE: in the audit, not in the recharge list */
    u = attribute(NHS2, "", d(2006, 4, 6));
    u.price_pence = 0;
    u.price_method = "NOT_CHARGEABLE";
    attr_audit_add(a, &u);
    /* RX1, May: unattributed, not priced yet (price absent counts 0) */
    u = attribute(BAD1, "V81999", d(2006, 5, 2));
    u.provider_code = "RX1";
    attr_audit_add(a, &u);
    /* RX1: an unfinished spell admitted 2006-03-30: month of the attribution date */
    u = attribute("", "A81003", d(2006, 3, 30));
    u.provider_code = "RX1";
    u.charge_date = PBC_NO_DATE;
    u.unfinished = TRUE;
    attr_audit_add(a, &u);
    /* RA9, July: Exeter at closed A81004 -> PRACTICE_CLOSED, mismatch with A81003 */
    regs(NHS3 ",A81004,2000-01-01,\n");
    u = attribute(NHS3, "A81003", d(2006, 7, 1));
    u.price_pence = 99;
    attr_audit_add(a, &u);
    cr_assert_eq(attr_audit_units(a), 7);

    GError *error = NULL;
    cr_assert(attr_audit_write(a, tmpdir, &error), "%s", error ? error->message : "");
    g_autofree char *audit = slurp("attribution_audit.csv");
    cr_assert_str_eq(audit,
                     "provider_code,activity_month,attribution_method,exeter_reason,cds_reason,"
                     "unattributed_reason,units,price_pence\n"
                     "RA9,2006-04,EXETER,,,,4,17050\n"
                     "RA9,2006-07,UNATTRIBUTED,,,PRACTICE_CLOSED,1,99\n"
                     "RX1,2006-03,CDS,NO_NHS_NUMBER,,,1,0\n"
                     "RX1,2006-05,UNATTRIBUTED,INVALID_NHS_NUMBER,PSEUDO_PRACTICE_CODE,"
                     "NO_PRACTICE,1,0\n");
    g_autofree char *mm = slurp("attribution_mismatch.csv");
    cr_assert_str_eq(mm, "cds_practice_code,exeter_practice_code,units\n"
                         "A81003,A81001,1\n"
                         "A81003,A81004,1\n");
    g_autofree char *ooa = slurp("out_of_area.csv");
    cr_assert_str_eq(ooa, "practice_code,practice_pct_code,provider_code,units,price_pence\n"
                          "B82001,5QB,RA9,1,2000\n");
}

Test(attribution, audit_empty_and_unwritable)
{
    g_autoptr(AttrAudit) a = attr_audit_new();
    GError *error = NULL;
    cr_assert(attr_audit_write(a, tmpdir, &error));
    g_autofree char *mm = slurp("attribution_mismatch.csv");
    cr_assert_str_eq(mm, "cds_practice_code,exeter_practice_code,units\n");
    g_autofree char *nodir = g_build_filename(tmpdir, "missing", NULL);
    cr_assert_not(attr_audit_write(a, nodir, &error));
    cr_assert_eq(error->code, PBC_ERROR_IO);
    g_error_free(error);
}
