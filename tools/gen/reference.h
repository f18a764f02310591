/*
 * reference.h: the reference files of ref/ other than the price tables
 * (those are tariff.h's): practices.csv and pbc.conf (reference.c), and
 * registrations.csv.gz with populations.csv and budgets.csv, which are
 * counted from it (registrations.c).
 */
#ifndef PBC_GEN_REFERENCE_H
#define PBC_GEN_REFERENCE_H

#include "world.h"

/* Writes practices.csv and pbc.conf into @ref_dir. */
gboolean reference_write(const World *w, const char *ref_dir, GError **err);

/* Writes registrations.csv.gz (streaming over every patient), then
 * populations.csv (list sizes on 1 April of both years, counted on the
 * way) and, when the run asks for it, budgets.csv.  Sets *@rows to the
 * registration rows written.  @progress: report on stderr now and then. */
gboolean registrations_write(const World *w, const char *ref_dir, gboolean progress,
                             guint64 *rows, GError **err);

#endif
