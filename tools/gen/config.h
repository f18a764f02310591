/*
 * config.h: what one pbc-gen run is asked to make.
 *
 * main.c fills a GenConfig from the command line: first the preset of the
 * chosen scale (scale_apply()), then any explicit overrides.  Every other
 * module reads it and nothing changes it afterwards.
 */
#ifndef PBC_GEN_CONFIG_H
#define PBC_GEN_CONFIG_H

#include <glib.h>

typedef struct {
    const char *out_dir;      /* writes out_dir/in and out_dir/ref */
    guint64 seed;
    const char *scale;        /* preset name */
    int period;               /* reporting month, as a month index */
    char pct[8];              /* the run's PCT code */
    gboolean budgets;         /* write ref/budgets.csv */
    gboolean quirks;          /* cosmetic CSV quirks (off: clean files) */
    gboolean rejects;         /* rows that ingest must reject */
    gboolean force;           /* replace files already in in/ and ref/ */
    const char *tariff_source;/* real tariff_apc.csv to draw HRGs from */

    /* Sizes (a scale preset sets them; options may override). */
    int pcts;                 /* PCTs in practices.csv, the run's first */
    int practices;            /* practices of all PCTs */
    int run_practices;        /* of which the run's PCT's (0 = even share) */
    double run_share;         /* run PCT's share of patients (0 = by practices) */
    gint64 patients;          /* registered patients of all PCTs */
    int providers;
    int months;               /* activity months ending at period; 0 = from
                               * April of the previous financial year */
    gint64 spells_pm;         /* finished spells a month (0 = national rate) */
    gint64 op_pm;             /* OP attendances a month (0 = national rate) */
    gint64 ae_pm;             /* A&E attendances a month (0 = national rate) */
    int hrgs;                 /* HRGs taken from the tariff source (0 = all) */
    int gzip_level;           /* 1..9 */
    int reject_every;         /* about one reject row per N rows per dataset */
    gboolean plain_some;      /* some activity files plain .csv (quirk) */
} GenConfig;

/* Looks up preset @name and writes its sizes into @cfg.  Returns FALSE when
 * there is no such preset. */
gboolean scale_apply(GenConfig *cfg, const char *name);

/* The preset names, NULL-terminated, for the help text. */
const char *const *scale_names(void);

/* One-line description of preset @name (NULL when unknown). */
const char *scale_describe(const char *name);

#endif
