/*
 * cds.h: what the three CDS extracts (APC, OP, A&E) have in common: the
 * files of one provider and month, their re-submission, the patient and
 * GP details as a hospital recorded them, and the rows ingest must reject.
 *
 * A month of one provider's dataset is written as in/DS_PROV_YYYY-MM.csv.gz
 * (or .csv) and, when re-sent, also as in/DS_PROV_YYYY-MM_v2.csv.gz, which
 * sorts after it (SPEC R-I3 reads files in byte order of their names).  Each
 * record gets a fate: most are sent once; in a re-sent month some are
 * replaced, deleted, re-sent with the same time (a tie the later file
 * wins) or with an older time (which must lose), and late records arrive
 * only in the second file or in the next month's.
 *
 * Usage by apc.c/op.c/ae.c: cds_extract_open(); for each record
 * cds_fate(), cds_time() and the cds_put_*() helpers, sheet_end_row() on
 * ex->v1 / ex->v2; cds_reject_due() after each row to learn when to add a
 * malformed row; cds_extract_close().
 */
#ifndef PBC_GEN_CDS_H
#define PBC_GEN_CDS_H

#include "patient.h"
#include "rng.h"
#include "sheet.h"
#include "world.h"

typedef enum { DS_APC, DS_OP, DS_AE, DS_N } Dataset;

/* Column indices shared by the three datasets' column arrays. */
enum {
    C_CDS_UNIQUE_ID,
    C_CDS_UPDATE_TYPE,
    C_CDS_APPLICABLE_DATETIME,
    C_PROVIDER_CODE,
    C_COMMISSIONER_CODE,
    C_NHS_NUMBER,
    C_DATE_OF_BIRTH,
    C_SEX,
    C_POSTCODE,
    C_GP_PRACTICE_CODE,
    C_COMMON_N
};

/* What becomes of one record across the month's files. */
typedef enum {
    FATE_KEEP,        /* sent once */
    FATE_REPLACE,     /* corrected in v2 with a later time */
    FATE_DELETE,      /* deleted in v2 (cds_update_type 1) */
    FATE_DELETE_ONE,  /* APC: one episode of the spell deleted in v2 */
    FATE_TIE,         /* corrected in v2 with the same time: v2 wins (R-I3) */
    FATE_STALE,       /* "corrected" in v2 with an older time: v1 stands */
    FATE_LATE         /* not in v1: in v2, or in the next month's v1 */
} Fate;

/* Run-wide counters that space out the rows ingest must reject. */
typedef struct {
    guint64 every[DS_N];
    guint64 next_at[DS_N];
    guint64 rows[DS_N];
    int made[DS_N];
} RejectPlan;

/* The files of one provider, dataset and month. */
typedef struct {
    const World *w;
    Dataset ds;
    int provider;
    int month;
    gboolean resent;          /* a v2 file exists */
    Sheet *v1, *v2;           /* v2 NULL unless resent */
    guint64 key;
    gboolean partial_done;    /* APC: v2 has deleted one episode of a spell */
} Extract;

/* The person on a record, as the hospital recorded them. */
typedef struct {
    Patient pt;
    char nhs[NHSNO_BUF];      /* "" = blank */
    char gp[8];               /* "" = blank */
    char commissioner[8];
    char postcode[9];
    gboolean dob_blank;
    char sex[2];
} CdsPerson;

/* Lower-case short name of a dataset ("apc", "op", "ae"). */
const char *cds_name(Dataset ds);

/* TRUE when the month is sent twice (the last month always is: it is
 * still in "flex"). */
gboolean cds_resent(const World *w, Dataset ds, int provider, int month);

/* Records of provider @provider, dataset @ds, month @mi (before any
 * fate): the month's volume split over providers. */
gint64 cds_volume(const World *w, Dataset ds, int provider, int mi);

/* Opens the month's file(s) under @in_dir with columns @cols.  @rows_hint
 * sizes gzip members.  Returns NULL and sets @err on failure. */
Extract *cds_extract_open(const World *w, Dataset ds, int provider, int month,
                          const char *in_dir, const char *const *cols, int ncols,
                          guint64 rows_hint, GError **err);

/* Closes both files (renaming them into place; an empty v2 is dropped
 * unless it is the period's) and frees @ex, adding the files written to
 * *@files; on failure removes them.  Accepts NULL (returns TRUE). */
gboolean cds_extract_close(Extract *ex, guint64 *files, GError **err);

/* Removes partial files and frees @ex.  Accepts NULL. */
void cds_extract_abort(Extract *ex);

/* The fate of the record with hash @h in month @mi of (@ds, @provider). */
Fate cds_fate(const World *w, Dataset ds, int provider, int mi, guint64 h);

/* When version @version (1 or 2) of a record of month @mi was made: the
 * provider's submission a month (v1) or two (v2) later. */
void cds_time(const World *w, int mi, int version, guint64 h, Day *day, int *secs);

/* Draws a patient that provider @provider treats (its catchment, favouring
 * the elderly a little); returns its index and fills @out. */
gint64 cds_draw_patient(const World *w, Rng *r, int provider, Patient *out);

/* Fills @cp with @patient as recorded on @date: the usual NHS number and
 * practice, or one of the deliberate faults of SPEC §5. */
void cds_person(const World *w, Rng *r, const Patient *patient, Day date, CdsPerson *cp);

/* Sets the common columns on @sh. */
void cds_put_common(Sheet *sh, const Extract *ex, const char *unique_id,
                    int update_type, Day t_day, int t_secs, const CdsPerson *cp);

/* Sets up @plan for @w (rejects disabled: never due). */
void cds_reject_plan_init(RejectPlan *plan, const World *w);

/* Counts one row of @ds written; returns the kind (0 ..) of reject row to
 * add now, or -1.  @nkinds is the number of kinds the dataset makes. */
int cds_reject_due(RejectPlan *plan, Dataset ds, int nkinds);

#endif
