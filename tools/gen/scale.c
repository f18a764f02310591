/*
 * scale.c: the size presets of pbc-gen (--scale).
 *
 * National figures are England's in 2006/07 in round numbers: about 152
 * PCTs, 8,300 GP practices and 55 million registered patients; each month
 * about 1.5 million finished spells (1.8 million consultant episodes), 8.5
 * million outpatient attendances and 2 million A&E attendances.  A preset
 * with a zero activity count takes those national rates per patient.
 */
#include "config.h"

#include <string.h>

typedef struct {
    const char *name;
    const char *what;
    int pcts, practices, run_practices;
    double run_share;
    gint64 patients;
    int providers, months;
    gint64 spells_pm, op_pm, ae_pm;
    int hrgs, gzip_level, reject_every;
} Preset;

static const Preset presets[] = {
    { .name = "sample",
      .what = "one small PCT (11 practices, ~4,000 patients) and 2 neighbours; "
              "April of the previous year to the period; ~4,000 units",
      .pcts = 3, .practices = 17, .run_practices = 11, .run_share = 0.83,
      .patients = 4800, .providers = 3, .months = 0,
      .spells_pm = 28, .op_pm = 120, .ae_pm = 34,
      .hrgs = 160, .gzip_level = 9, .reject_every = 0 },
    { .name = "pct-month",
      .what = "one PCT (30 practices, ~300,000 patients) and 2 neighbours; "
              "the period month only",
      .pcts = 3, .practices = 40, .run_practices = 30, .run_share = 0.75,
      .patients = 400000, .providers = 5, .months = 1,
      .hrgs = 0, .gzip_level = 6, .reject_every = 2000 },
    { .name = "pct-year",
      .what = "as pct-month, from April of the previous year to the period",
      .pcts = 3, .practices = 40, .run_practices = 30, .run_share = 0.75,
      .patients = 400000, .providers = 5, .months = 0,
      .hrgs = 0, .gzip_level = 6, .reject_every = 2000 },
    { .name = "region-month",
      .what = "an SHA: 10 PCTs, 500 practices, 3.5 million patients; the period month",
      .pcts = 10, .practices = 500, .run_practices = 0,
      .patients = 3500000, .providers = 12, .months = 1,
      .hrgs = 0, .gzip_level = 1, .reject_every = 4000 },
    { .name = "national-month",
      .what = "England: 152 PCTs, 8,300 practices, 55 million patients; the period month",
      .pcts = 152, .practices = 8300, .run_practices = 0,
      .patients = 55000000, .providers = 170, .months = 1,
      .hrgs = 0, .gzip_level = 1, .reject_every = 10000 },
    { .name = "national-year",
      .what = "England as national-month, 12 months of activity ending at the period",
      .pcts = 152, .practices = 8300, .run_practices = 0,
      .patients = 55000000, .providers = 170, .months = 12,
      .hrgs = 0, .gzip_level = 1, .reject_every = 10000 },
};

gboolean
scale_apply(GenConfig *cfg, const char *name)
{
    for (gsize i = 0; i < G_N_ELEMENTS(presets); i++) {
        const Preset *p = &presets[i];
        if (strcmp(p->name, name) != 0)
            continue;
        cfg->scale = p->name;
        cfg->pcts = p->pcts;
        cfg->practices = p->practices;
        cfg->run_practices = p->run_practices;
        cfg->run_share = p->run_share;
        cfg->patients = p->patients;
        cfg->providers = p->providers;
        cfg->months = p->months;
        cfg->spells_pm = p->spells_pm;
        cfg->op_pm = p->op_pm;
        cfg->ae_pm = p->ae_pm;
        cfg->hrgs = p->hrgs;
        cfg->gzip_level = p->gzip_level;
        cfg->reject_every = p->reject_every;
        /* Plain files only where they stay small. */
        cfg->plain_some = p->patients <= 500000;
        return TRUE;
    }
    return FALSE;
}

const char *const *
scale_names(void)
{
    static const char *names[G_N_ELEMENTS(presets) + 1];
    for (gsize i = 0; i < G_N_ELEMENTS(presets); i++)
        names[i] = presets[i].name;
    return names;
}

const char *
scale_describe(const char *name)
{
    for (gsize i = 0; i < G_N_ELEMENTS(presets); i++)
        if (strcmp(presets[i].name, name) == 0)
            return presets[i].what;
    return NULL;
}
