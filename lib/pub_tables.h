/*
 * pub_tables.h: which output file goes into which table (docs/outputs.md,
 * sql/migrations/001_schema.sql, docs/database.md).
 *
 * One PubTable per file a run writes: the file, the table, whether the file
 * must be there, whether it holds patient-identifiable data, and its columns:
 * the CSV header name (found case-insensitively, in any order), the table's
 * column, the value type that is checked before the row is sent, and whether
 * the column must be in the header (the SPEC §7.1 columns must; the
 * project's additions may be absent and load as NULL).
 */
#ifndef PBC_PUB_TABLES_H
#define PBC_PUB_TABLES_H

#include <glib.h>

typedef enum {
    PUB_TEXT,   /* any text; blank = NULL */
    PUB_INT,    /* signed 64-bit integer; summed for the totals check */
    PUB_NUM,    /* decimal number, e.g. 1.043210 or -0.5 */
    PUB_DATE,   /* YYYY-MM-DD, a real date */
    PUB_MONTH,  /* YYYY-MM */
    PUB_BOOL    /* 0 or 1 */
} PubType;

typedef struct {
    const char *csv;      /* header name in the file */
    const char *db;       /* column in the table */
    PubType type;
    gboolean required;    /* must be in the header */
    gboolean not_null;    /* a blank value is an error */
} PubColumn;

typedef struct {
    const char *file;     /* e.g. "priced_activity.csv" */
    const char *table;    /* e.g. "priced_activity" (schema pbc) */
    gboolean required;    /* the run must have written it */
    gboolean patient;     /* patient-identifiable (mode 0600) */
    const PubColumn *cols;
    guint ncols;
} PubTable;

/* The fact tables, in load order (the largest first). */
const PubTable *pub_tables(guint *n);

/* The fact table loaded from file name, or NULL. */
const PubTable *pub_table_for_file(const char *file);

/*
 * deletions.csv (docs/outputs.md), loaded into pbc.load_deletions with the
 * load's id: not a fact table of pub_tables(), since it is kept per load.
 */
const PubTable *pub_deletions_table(void);

/* Reference files loaded into dimensions (temporary tables, then upserted). */
const PubTable *pub_ref_practices(void);
const PubTable *pub_ref_tariff_apc(void);

/*
 * Checks value (NUL-terminated, not blank) against type.  For PUB_INT
 * stores the number in *num (may be NULL).  Returns FALSE when the value is
 * not of the type.
 */
gboolean pub_value_ok(PubType type, const char *value, gint64 *num);

/* The type's name for messages ("integer", "date YYYY-MM-DD" ...). */
const char *pub_type_name(PubType type);

#endif
