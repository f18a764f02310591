/*
 * pub_migrate.h: applying sql/migrations to the database (pbc-publish).
 *
 * Migrations are the files NNN_name.sql of the migrations directory, applied
 * in order of NNN, all pending ones in one transaction, each recorded in
 * pbc.schema_migrations (version, name, SHA-256, when, by whom).  A global
 * advisory lock serialises concurrent publishers, so that two runs starting
 * at once on a new database do not both apply 001.  An applied migration
 * whose file has since changed is an error: migrations are append-only.
 */
#ifndef PBC_PUB_MIGRATE_H
#define PBC_PUB_MIGRATE_H

#include <glib.h>
#include <libpq-fe.h>

/*
 * The migrations directory: explicit when not NULL; else $PBC_SQL_DIR;
 * else $PBC_ROOT/sql/migrations; else sql/migrations beside the build tree
 * of the running executable (build/<variant>/bin/../../../sql/migrations);
 * else ./sql/migrations.  Returns a newly allocated path, or NULL with
 * PBC_ERROR_IO when none of them is a directory.
 */
char *pub_migrate_find_dir(const char *explicit_dir, GError **error);

/*
 * Applies the pending migrations of dir.  *applied (may be NULL) receives
 * how many were applied now.  Returns FALSE with error: PBC_ERROR_IO when a
 * file cannot be read, PBC_ERROR_DB when a migration fails (it is rolled
 * back) or an applied migration's file has changed.
 */
gboolean pub_migrate(PGconn *conn, const char *dir, guint *applied, GError **error);

/* The advisory lock key pair for migrations (also used by tests). */
#define PUB_LOCK_CLASS 0x50424350 /* "PBCP" */
#define PUB_LOCK_MIGRATE 0
#define PUB_LOCK_ROLES 1

#endif
