/*
 * registry.h: the registration index, REF/registrations.csv[.gz] (SPEC §3.2).
 *
 * The Exeter (NHAIS) extract lists patients' GP registrations over time:
 * nhs_number, practice_code, registration_date, deregistration_date (blank =
 * still registered).  It is the biggest input of a run (nationally ~55
 * million patients, ~80 million rows), so it is held as one sorted array of
 * 16-byte packed records with a small directory in front (registry.c says
 * why), and the attribute stage asks it, for each unit, for the patient's
 * registrations (R-A1, R-A2 in attribution.c pick among them).
 *
 * Rows that cannot be used are counted by reason, reported in one warning,
 * and never used: an invalid or blank NHS number, a blank or malformed
 * practice code, a registration date blank or unparsable, a deregistration
 * date unparsable, a deregistration before the registration, and records
 * with broken quoting or a field count different from the header's.
 *
 * Call order: registry_load(), then registry_find()/registry_get() from any
 * number of threads (read-only), then registry_free().
 */
#ifndef PBC_REGISTRY_H
#define PBC_REGISTRY_H

#include "date.h"

#include <glib.h>
#include <stdint.h>

typedef struct Registry Registry;

/* Why a registration row was not used. */
typedef enum {
    REG_REJECT_MALFORMED_RECORD,       /* broken quoting, wrong field count */
    REG_REJECT_INVALID_NHS_NUMBER,     /* blank, not 10 digits, or fails modulus 11 */
    REG_REJECT_INVALID_PRACTICE_CODE,  /* blank, or not a letter and five digits */
    REG_REJECT_INVALID_REGISTRATION_DATE,   /* blank or does not parse */
    REG_REJECT_INVALID_DEREGISTRATION_DATE, /* does not parse */
    REG_REJECT_DEREGISTRATION_BEFORE_REGISTRATION,
    REG_REJECT_COUNT
} RegistryReject;

/* "MALFORMED_RECORD", "INVALID_NHS_NUMBER", ... */
const char *registry_reject_name(RegistryReject r);

/* One registration, decoded. */
typedef struct {
    const char *practice_code;   /* owned by the registry */
    PbcDate registration_date;
    PbcDate deregistration_date; /* PBC_NO_DATE while still registered */
    uint64_t row;                /* 1-based data record number in the extract */
} Registration;

/*
 * The registrations file of a reference directory: REF/registrations.csv.gz
 * when it exists, else REF/registrations.csv (whether or not that exists, so
 * that the open error names it).  Newly allocated; the caller frees it.
 */
char *registry_path(const char *ref_dir);

/*
 * Loads path (plain or gzip, several members allowed) into a new index.
 * Columns are found by case-insensitive header name; nhs_number,
 * practice_code and registration_date are required, deregistration_date
 * is optional.  Rejected rows are counted (registry_rejected()) and, when
 * any, reported in one warning line with the line of the first of each
 * reason.  Returns NULL with PBC_ERROR_IO (unreadable), PBC_ERROR_FORMAT
 * (corrupt or truncated gzip, no header, missing column) or
 * PBC_ERROR_REFDATA (more rows or distinct practices than the packed
 * format holds: 2^30 and 2^20).  The caller owns the index.
 */
Registry *registry_load(const char *path, GError **error);

/*
 * Writes r (from registry_load() or registry_load_index()) to path as an
 * index file (mode 0600, renamed into place when complete), which
 * registry_load_index() reads back in a fraction of the time registry_load()
 * takes.  The file names the version of the registrations r was read from,
 * as it was when it was read.  FALSE with PBC_ERROR_IO.
 */
gboolean registry_save(const Registry *r, const char *path, GError **error);

/*
 * Reads an index file written by registry_save() from source, and reports
 * its rejected rows as registry_load() did.  Refuses (NULL, PBC_ERROR_FORMAT)
 * a file that is not an index of this version, one made from another
 * version of source (its size, times or inode differ: the index is stale)
 * and a damaged one (every record is checked); PBC_ERROR_IO when path or
 * source cannot be read.  The index answers exactly as registry_load(source)
 * would.
 */
Registry *registry_load_index(const char *path, const char *source, GError **error);

/* An index with no registrations (every valid NHS number NOT_REGISTERED). */
Registry *registry_new_empty(void);

/* Frees the index and its strings; accepts NULL. */
void registry_free(Registry *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Registry, registry_free)

/* Data records read (header excluded), used rows, distinct patients. */
uint64_t registry_rows_read(const Registry *r);
uint64_t registry_rows(const Registry *r);
uint64_t registry_patients(const Registry *r);
/* Distinct practice codes among the used rows. */
guint registry_practices(const Registry *r);
/* Rows rejected for one reason, and in all. */
uint64_t registry_rejected(const Registry *r, RegistryReject reason);
uint64_t registry_rejected_total(const Registry *r);
/* Physical line (header = 1) of the first row rejected for reason; 0 when none. */
int64_t registry_rejected_first_line(const Registry *r, RegistryReject reason);
/* Bytes held by the index (records, directory, practice codes). */
size_t registry_memory(const Registry *r);

/*
 * Parses an NHS number for look-up: TRUE and *key = its value when s is
 * exactly ten digits passing the modulus-11 check (nhs_number_valid()).
 */
gboolean registry_nhs_key(const char *s, uint64_t *key);

/*
 * The registrations of one patient: returns how many there are (0 when
 * none) and sets *first to the index of the first; indexes first ..
 * first + n - 1 hold them in extract order.  O(log n) and in practice a
 * directory step plus a few comparisons.
 */
size_t registry_find(const Registry *r, uint64_t nhs_key, size_t *first);

/*
 * Starts fetching into the cache what registry_find(r, nhs_key) will read:
 * step 0 its directory entry, step 1 (some look-ups later, once that entry
 * has arrived) its records.  A caller with many look-ups in hand issues
 * both ahead of them, so that the memory latency of one overlaps the work
 * on others.  Only a hint: the answers do not depend on it.
 */
void registry_prefetch(const Registry *r, uint64_t nhs_key, int step);

/* Decodes registration i (0 <= i < registry_rows()) into *out. */
void registry_get(const Registry *r, size_t i, Registration *out);

#endif
