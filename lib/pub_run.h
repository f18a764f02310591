/*
 * pub_run.h: a run's output directory as pbc-publish sees it.
 *
 * OUT/run.ini (GLib key file, group [run], docs/outputs.md) names the PCT,
 * reporting month and financial year and lists the activity inputs and
 * reference files the run read.  pub_run_open() reads it and checks the
 * directory is fit to publish from: not world-readable (it holds
 * patient-level data), patient files not readable by others.
 */
#ifndef PBC_PUB_RUN_H
#define PBC_PUB_RUN_H

#include <glib.h>

typedef struct {
    char *out_dir;        /* as given */
    char *ini_path;       /* OUT/run.ini */
    char *pct;
    char *period;         /* YYYY-MM */
    char *fin_year;       /* 2006/07 */
    int month_number;     /* April = 1 */
    char *budgets_source; /* REF or RUN, or NULL */
    char **inputs;        /* activity files read by the run (NULL-terminated) */
    char **references;    /* reference files read by the run (NULL-terminated) */
} PubRun;

/*
 * Reads out_dir/run.ini and checks out_dir.  Returns the run, owned by the
 * caller (pub_run_free), or NULL with error: PBC_ERROR_IO when the directory
 * or run.ini cannot be read, or the directory is world-readable;
 * PBC_ERROR_FORMAT when run.ini lacks a key or a value is malformed.
 */
PubRun *pub_run_open(const char *out_dir, GError **error);

/* Frees; accepts NULL. */
void pub_run_free(PubRun *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PubRun, pub_run_free)

/* The reference file whose name is base (or base.gz), or NULL.  Not owned. */
const char *pub_run_reference(const PubRun *run, const char *base);

/*
 * Computes the SHA-256 (lower-case hex, owned by the caller) and size of the
 * file path.  FALSE with PBC_ERROR_IO when it cannot be read.  When cancel
 * (may be NULL) becomes non-zero, stops early and returns FALSE with
 * PBC_ERROR_IO.
 */
gboolean pub_file_sha256(const char *path, char **hex, guint64 *size, const gint *cancel,
                         GError **error);

#endif
