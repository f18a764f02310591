/*
 * pub_roles.h: practice and consortium roles for row-level security
 * (`pbc-publish --create-roles --ref REF`, docs/database.md).
 *
 * From REF/practices.csv: one NOLOGIN role pbc_practice_<code> per practice
 * and pbc_consortium_<code> per consortium (codes lower-cased, characters
 * other than letters, digits and _ made _), each a member of pbc_reader, and
 * their rows in pbc.role_practices: a practice role sees its practice, a
 * consortium role every practice of its consortium.  Re-running brings the
 * mapping up to date (a practice that moved consortium moves with it);
 * existing roles are kept.  Needs a user who may create roles.
 */
#ifndef PBC_PUB_ROLES_H
#define PBC_PUB_ROLES_H

#include <glib.h>
#include <libpq-fe.h>

/*
 * Creates the roles for the practices of practices_csv (only those whose
 * pct_code is pct, when pct is not NULL), in one transaction.  *created
 * receives how many roles were new, *mapped how many roles were mapped.
 * FALSE with error: PBC_ERROR_IO / PBC_ERROR_FORMAT for the file,
 * PBC_ERROR_DB for the database.
 */
gboolean pub_roles_create(PGconn *conn, const char *practices_csv, const char *pct,
                          guint *created, guint *mapped, GError **error);

/* The role name for a practice or consortium code: prefix + code made safe. */
char *pub_role_name(const char *prefix, const char *code);

#endif
