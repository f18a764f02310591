/*
 * unit.h: the unit of activity that flows between the stages.
 *
 * A unit is a finished or unfinished APC spell, an OP attendance or an A&E
 * attendance.  ingest creates it (R-I3, R-I4), attribute fills the practice
 * fields (R-A), price the pricing fields (R-P); aggregate reads them all.
 * Every stage reads and writes the same intermediate file format, a CSV with
 * one column per field below (docs/formats.md), so any unit can be inspected
 * with ordinary tools between stages.
 *
 * Strings are borrowed: a Unit read by unit_in_next() points into the
 * reader's buffers (valid until the next read); unit_copy() makes a deep copy
 * into a GStringChunk the caller owns.  NULL and "" both mean blank.
 */
#ifndef PBC_UNIT_H
#define PBC_UNIT_H

#include "csv_out.h"
#include "date.h"

#include <glib.h>
#include <stdint.h>

typedef enum { DS_APC = 0, DS_OP = 1, DS_AE = 2, DS_COUNT } Dataset;

/* "APC", "OP", "AE". */
const char *dataset_name(Dataset ds);
/* Parses a dataset name; FALSE when unknown. */
gboolean dataset_parse(const char *s, Dataset *ds);

#define PBC_NONE INT64_MIN

typedef struct {
    /* --- from ingest --- */
    Dataset dataset;
    const char *unit_id;            /* provider:spell_no or provider:attendance_id */
    const char *cds_unique_id;      /* of the (lowest) episode / attendance */
    const char *provider_code;
    const char *commissioner_code;
    const char *nhs_number;         /* as recorded */
    PbcDate date_of_birth;          /* PBC_NO_DATE when blank */
    const char *sex;
    const char *postcode;
    const char *cds_practice_code;  /* gp_practice_code as recorded */
    const char *admission_method;   /* APC */
    const char *patient_classification;
    PbcDate admission_date;         /* APC */
    PbcDate discharge_date;         /* APC, PBC_NO_DATE while unfinished */
    const char *treatment_function_code;
    const char *primary_diagnosis;
    const char *primary_procedure;
    const char *hrg;                /* spell_hrg / op_hrg / ae_hrg */
    const char *first_attendance;   /* OP */
    const char *attended_or_dna;    /* OP */
    const char *referral_source;    /* OP */
    const char *ae_attendance_category; /* AE */
    PbcDate attribution_date;       /* admission / appointment / arrival */
    PbcDate charge_date;            /* discharge / appointment / arrival; NO_DATE if unfinished */
    int episodes;                   /* APC: episodes in the spell; else 1 */
    gboolean unfinished;            /* APC spell with no discharge date (R-I4) */
    const char *source_file;        /* where the (lowest) record came from */
    int64_t source_line;

    /* --- from attribute (R-A) --- */
    const char *practice_code;          /* after R-A5; blank when UNATTRIBUTED */
    const char *attribution_method;     /* EXETER, EXETER_NEAREST, CDS, UNATTRIBUTED */
    const char *original_practice_code; /* chosen by R-A1..R-A3, before successors */
    const char *exeter_practice_code;   /* the registration's practice, if any */
    const char *exeter_reason;          /* NO_NHS_NUMBER, INVALID_NHS_NUMBER, NOT_REGISTERED */
    const char *cds_reason;             /* NO_PRACTICE_CODE, PSEUDO_PRACTICE_CODE, UNKNOWN_PRACTICE */
    const char *unattributed_reason;    /* blank, or why (PRACTICE_CLOSED, ...) */
    const char *practice_pct_code;      /* PCT of the practice, blank if unlisted */
    const char *consortium_code;
    gboolean mismatch;                  /* R-A7 */
    gboolean out_of_area;               /* R-A6 */

    /* --- from price (R-P) --- */
    const char *pod;                /* EL DC NEL REG OPFA OPFU OPPROC OPTEL AE */
    int fin_year;                   /* tariff year (start year), 0 when unpriced-unfinished */
    int los;                        /* APC; -1 n/a */
    int excess_bed_days;            /* APC; -1 n/a */
    int64_t base_pence;             /* PBC_NONE when blank */
    int64_t excess_pence;           /* PBC_NONE when blank */
    gboolean sse_applied;
    int64_t mff_micro;              /* PBC_NONE unless TARIFF/TARIFF_SSE */
    int64_t price_pence;
    const char *price_method;       /* TARIFF TARIFF_SSE LOCAL UNPRICED NOT_CHARGEABLE */
    gboolean pct_held;              /* R-P8 */
} Unit;

/* Sets every field to blank / absent. */
void unit_clear(Unit *u);

/* Deep-copies src's strings into chunk (interned: codes repeat). */
void unit_copy(Unit *dst, const Unit *src, GStringChunk *chunk);

/* Header names of the intermediate format, NULL-terminated. */
const char *const *unit_header(void);

/*
 * Creates an intermediate unit file (mode 0600, atomic like every CsvOut):
 * the compact binary form (docs/formats.md), or CSV with unit_header() when
 * the environment sets PBC_UNITS_TEXT=1 (for reading between stages).
 * Write units with unit_write(); finish with csv_out_commit().
 */
CsvOut *unit_out_create(const char *path, GError **error);

/*
 * Writes u as one record: binary when out came from unit_out_create() in
 * binary mode, else one CSV row (header from unit_header()).
 */
void unit_write(CsvOut *out, const Unit *u);

typedef struct UnitIn UnitIn;

/*
 * Opens an intermediate file, binary or CSV (told apart by the first bytes);
 * NULL with error when unreadable or not one.
 */
UnitIn *unit_in_open(const char *path, GError **error);
/* Reads the next unit: 1, 0 at end, -1 with error (naming file and line). */
int unit_in_next(UnitIn *in, Unit *u, GError **error);
/*
 * Reads up to max units into units[]: how many (at least 1 before the end),
 * 0 at the end, -1 with error.  Unlike unit_in_next(), every unit of the
 * batch stays valid until the next read, so that two threads can share a
 * batch.  A batch is what the reader's buffer holds (thousands of units in
 * the binary form; one in the CSV form).
 */
int unit_in_next_batch(UnitIn *in, Unit *units, int max, GError **error);
void unit_in_free(UnitIn *in);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(UnitIn, unit_in_free)

/* TRUE when s is NULL or "". */
static inline gboolean
blank(const char *s)
{
    return s == NULL || s[0] == '\0';
}

#endif
