/*
 * conf.h: the run's parameters from REF/pbc.conf (SPEC §3.2).
 *
 * A GLib key file, group [pbc].  Decimal parameters are held exactly, as
 * integers in millionths (PBC_MICRO), so the rules that use them (R-G2, R-G3,
 * R-B2..R-B4, R-I5) never round through floating point.
 */
#ifndef PBC_CONF_H
#define PBC_CONF_H

#include <glib.h>
#include <stdint.h>

#define PBC_MICRO 1000000LL

typedef struct {
    char *pct;                      /* the run's PCT; NULL when not set */
    int64_t high_cost_threshold;    /* pence (default £15,000) */
    int64_t freed_up_share;         /* percent, millionths (default 70) */
    int64_t uplift;                 /* percent, millionths (default 0) */
    int64_t pace;                   /* 0..1, millionths (default 0.25) */
    int64_t contingency;            /* percent, millionths (default 3) */
    int64_t reject_rate_limit;      /* percent, millionths (default 1) */
    int lookback_days;              /* default 90 */
} PbcConf;

/* Fills conf with the defaults (pct NULL). */
void conf_defaults(PbcConf *conf);

/*
 * Loads path into conf (defaults first).  A missing file gives the defaults
 * when missing_ok; any unreadable file, syntax error, or value that does not
 * parse or is out of range is PBC_ERROR_REFDATA naming the file and key.
 */
gboolean conf_load(PbcConf *conf, const char *path, gboolean missing_ok, GError **error);

/* Frees the strings in conf (not conf itself). */
void conf_clear(PbcConf *conf);

#endif
