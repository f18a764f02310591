/*
 * stmt_output.h: the statements directory, replaced as a whole.
 *
 * pbc-statements writes OUT/statements/: the pages, and the patient-level
 * charges files beside them.  Everything goes first into a fresh hidden
 * directory OUT/.statements-XXXXXX (mode 0700: the charges and the practice
 * pages hold NHS numbers), which replaces OUT/statements only once every
 * file is written and checked, so that a reader never finds half a month, a
 * mixture of two runs, or the page of a practice that is no longer there.
 * A failure removes the new directory and leaves the old one untouched.
 */
#ifndef PBC_STMT_OUTPUT_H
#define PBC_STMT_OUTPUT_H

#include <glib.h>

typedef struct StmtOutput StmtOutput;

/*
 * Creates the working directory under out_dir (which must exist).  Returns
 * the output, owned by the caller (stmt_output_commit or _abort), or NULL
 * with PBC_ERROR_IO.
 */
StmtOutput *stmt_output_begin(const char *out_dir, GError **error);

/* The path of file name in the working directory (g_free). */
char *stmt_output_path(const StmtOutput *o, const char *name);

/*
 * Writes content as file name (mode 0600 or 0644) through csv_out.h, which
 * checks every write, the fsync, the close and the rename.  A name already
 * written is an error.  FALSE with PBC_ERROR_IO naming the file.
 */
gboolean stmt_output_write(StmtOutput *o, const char *name, const GString *content, int mode,
                           GError **error);

/*
 * Puts the working directory in place as OUT/statements (the old one, if
 * any, is moved aside and removed) and frees o.  FALSE with PBC_ERROR_IO;
 * the working directory is then removed.
 */
gboolean stmt_output_commit(StmtOutput *o, GError **error);

/* Removes the working directory and frees o; accepts NULL. */
void stmt_output_abort(StmtOutput *o);

/* The final directory, OUT/statements (owned by o). */
const char *stmt_output_final_dir(const StmtOutput *o);

#endif
