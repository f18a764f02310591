/*
 * unit.c: the intermediate unit format, driven by one column table so the
 * writer, the reader and the header can never disagree.
 */
#include "unit.h"

#include "csv_in.h"
#include "decimal.h"
#include "log.h"

#include <stddef.h>
#include <string.h>

typedef enum { T_STR, T_DATE, T_INT, T_I64, T_BOOL, T_DATASET, T_FY, T_MFF } ColType;

typedef struct {
    const char *name;
    ColType type;
    size_t off;
} Col;

#define C(name, type) {#name, type, offsetof(Unit, name)}

static const Col cols[] = {
    C(dataset, T_DATASET),
    C(unit_id, T_STR),
    C(cds_unique_id, T_STR),
    C(provider_code, T_STR),
    C(commissioner_code, T_STR),
    C(nhs_number, T_STR),
    C(date_of_birth, T_DATE),
    C(sex, T_STR),
    C(postcode, T_STR),
    C(cds_practice_code, T_STR),
    C(admission_method, T_STR),
    C(patient_classification, T_STR),
    C(admission_date, T_DATE),
    C(discharge_date, T_DATE),
    C(treatment_function_code, T_STR),
    C(primary_diagnosis, T_STR),
    C(primary_procedure, T_STR),
    C(hrg, T_STR),
    C(first_attendance, T_STR),
    C(attended_or_dna, T_STR),
    C(referral_source, T_STR),
    C(ae_attendance_category, T_STR),
    C(attribution_date, T_DATE),
    C(charge_date, T_DATE),
    C(episodes, T_INT),
    C(unfinished, T_BOOL),
    C(source_file, T_STR),
    C(source_line, T_I64),
    C(practice_code, T_STR),
    C(attribution_method, T_STR),
    C(original_practice_code, T_STR),
    C(exeter_practice_code, T_STR),
    C(exeter_reason, T_STR),
    C(cds_reason, T_STR),
    C(unattributed_reason, T_STR),
    C(practice_pct_code, T_STR),
    C(consortium_code, T_STR),
    C(mismatch, T_BOOL),
    C(out_of_area, T_BOOL),
    C(pod, T_STR),
    C(fin_year, T_FY),
    C(los, T_INT),
    C(excess_bed_days, T_INT),
    C(base_pence, T_I64),
    C(excess_pence, T_I64),
    C(sse_applied, T_BOOL),
    C(mff_micro, T_MFF),
    C(price_pence, T_I64),
    C(price_method, T_STR),
    C(pct_held, T_BOOL),
};
#define NCOLS G_N_ELEMENTS(cols)

static const char *header_names[NCOLS + 1];

const char *
dataset_name(Dataset ds)
{
    static const char *const names[] = {"APC", "OP", "AE"};
    return names[ds];
}

gboolean
dataset_parse(const char *s, Dataset *ds)
{
    for (int i = 0; i < DS_COUNT; i++)
        if (strcmp(s, dataset_name((Dataset)i)) == 0) {
            *ds = (Dataset)i;
            return TRUE;
        }
    return FALSE;
}

void
unit_clear(Unit *u)
{
    memset(u, 0, sizeof *u);
    u->date_of_birth = PBC_NO_DATE;
    u->admission_date = PBC_NO_DATE;
    u->discharge_date = PBC_NO_DATE;
    u->attribution_date = PBC_NO_DATE;
    u->charge_date = PBC_NO_DATE;
    u->episodes = 1;
    u->source_line = PBC_NONE;
    u->los = -1;
    u->excess_bed_days = -1;
    u->base_pence = PBC_NONE;
    u->excess_pence = PBC_NONE;
    u->mff_micro = PBC_NONE;
    u->price_pence = PBC_NONE;
}

void
unit_copy(Unit *dst, const Unit *src, GStringChunk *chunk)
{
    *dst = *src;
    for (size_t i = 0; i < NCOLS; i++) {
        if (cols[i].type != T_STR)
            continue;
        const char **p = (const char **)((char *)dst + cols[i].off);
        *p = blank(*p) ? "" : g_string_chunk_insert_const(chunk, *p);
    }
}

const char *const *
unit_header(void)
{
    if (header_names[0] == NULL)
        for (size_t i = 0; i < NCOLS; i++)
            header_names[i] = cols[i].name;
    return header_names;
}

void
unit_write(CsvOut *out, const Unit *u)
{
    char buf[32];
    for (size_t i = 0; i < NCOLS; i++) {
        const void *p = (const char *)u + cols[i].off;
        switch (cols[i].type) {
        case T_STR:
            csv_out_str(out, *(const char *const *)p);
            break;
        case T_DATE: {
            PbcDate d = *(const PbcDate *)p;
            if (d == PBC_NO_DATE)
                csv_out_blank(out);
            else
                csv_out_str(out, date_format(d, buf));
            break;
        }
        case T_INT: {
            int v = *(const int *)p;
            if (v < 0)
                csv_out_blank(out);
            else
                csv_out_int(out, v);
            break;
        }
        case T_I64: {
            int64_t v = *(const int64_t *)p;
            if (v == PBC_NONE)
                csv_out_blank(out);
            else
                csv_out_int(out, v);
            break;
        }
        case T_BOOL:
            csv_out_int(out, *(const gboolean *)p ? 1 : 0);
            break;
        case T_DATASET:
            csv_out_str(out, dataset_name(*(const Dataset *)p));
            break;
        case T_FY: {
            int fy = *(const int *)p;
            if (fy <= 0)
                csv_out_blank(out);
            else
                csv_out_str(out, fy_format(fy, buf));
            break;
        }
        case T_MFF: {
            int64_t v = *(const int64_t *)p;
            if (v == PBC_NONE)
                csv_out_blank(out);
            else
                csv_out_str(out, decimal_format(v, 6, buf));
            break;
        }
        }
    }
    csv_out_end(out);
}

struct UnitIn {
    CsvIn *csv;
    int idx[NCOLS];
};

UnitIn *
unit_in_open(const char *path, GError **error)
{
    CsvIn *csv = csv_in_open(path, error);
    if (csv == NULL)
        return NULL;
    UnitIn *in = g_new0(UnitIn, 1);
    in->csv = csv;
    if (!csv_in_read_header(csv, error) || !csv_in_require(csv, unit_header(), in->idx, error)) {
        unit_in_free(in);
        return NULL;
    }
    return in;
}

void
unit_in_free(UnitIn *in)
{
    if (in == NULL)
        return;
    csv_in_free(in->csv);
    g_free(in);
}

static gboolean
bad(UnitIn *in, size_t col, GError **error)
{
    g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                "file \"%s\" line %" G_GINT64_FORMAT ": invalid value \"%s\" in column \"%s\" "
                "of an intermediate file",
                csv_in_path(in->csv), csv_in_line(in->csv),
                csv_in_field(in->csv, in->idx[col]), cols[col].name);
    return FALSE;
}

int
unit_in_next(UnitIn *in, Unit *u, GError **error)
{
    int rc = csv_in_next(in->csv, error);
    if (rc <= 0)
        return rc;
    if (csv_in_broken(in->csv) || csv_in_count(in->csv) != csv_in_header_count(in->csv)) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                    "file \"%s\" line %" G_GINT64_FORMAT ": malformed intermediate record",
                    csv_in_path(in->csv), csv_in_line(in->csv));
        return -1;
    }
    unit_clear(u);
    for (size_t i = 0; i < NCOLS; i++) {
        const char *s = csv_in_field(in->csv, in->idx[i]);
        void *p = (char *)u + cols[i].off;
        int64_t v;
        switch (cols[i].type) {
        case T_STR:
            *(const char **)p = s;
            break;
        case T_DATE:
            if (*s && !date_parse(s, (PbcDate *)p))
                return bad(in, i, error) ? 0 : -1;
            break;
        case T_INT:
            if (*s) {
                if (!decimal_parse(s, 0, &v) || v < 0 || v > INT32_MAX)
                    return bad(in, i, error) ? 0 : -1;
                *(int *)p = (int)v;
            }
            break;
        case T_I64:
            if (*s && !decimal_parse(s, 0, (int64_t *)p))
                return bad(in, i, error) ? 0 : -1;
            break;
        case T_BOOL:
            *(gboolean *)p = s[0] == '1';
            break;
        case T_DATASET:
            if (!dataset_parse(s, (Dataset *)p))
                return bad(in, i, error) ? 0 : -1;
            break;
        case T_FY:
            if (*s && !fy_parse(s, (int *)p))
                return bad(in, i, error) ? 0 : -1;
            break;
        case T_MFF:
            if (*s && !decimal_parse(s, 6, (int64_t *)p))
                return bad(in, i, error) ? 0 : -1;
            break;
        }
    }
    return 1;
}
