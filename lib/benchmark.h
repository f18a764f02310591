/*
 * benchmark.h: practice activity benchmarks per 1,000 weighted population (R-G4).
 *
 * Counts a practice's PRACTICE units year to date by measure; the rates
 * compare with the PCT's own figure (all the PCT's statement practices
 * together), and each practice's ratio to it.
 */
#ifndef PBC_BENCHMARK_H
#define PBC_BENCHMARK_H

#include "csv_out.h"
#include "unit.h"

#include <glib.h>
#include <stdint.h>

typedef enum {
    BM_EL_ADMISSIONS,        /* EL + DC spells */
    BM_NEL_ADMISSIONS,       /* NEL spells */
    BM_OP_FIRST,             /* OPFA, and OPPROC/OPTEL firsts (first_attendance 1 or 3) */
    BM_GP_REFERRALS,         /* first attendances referred by a GP (referral_source 03) */
    BM_CONSULTANT_REFERRALS, /* first attendances referred by a consultant (05) */
    BM_OP_FOLLOW_UP_RATIO,   /* follow-ups (first_attendance 2 or 4) per first attendance */
    BM_AE_ATTENDANCES,
    BM_COUNT
} BenchmarkMeasure;

const char *benchmark_measure_name(BenchmarkMeasure m);

typedef struct Benchmarks Benchmarks;

Benchmarks *benchmarks_new(void);
void benchmarks_free(Benchmarks *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Benchmarks, benchmarks_free)

/* Counts one PRACTICE unit of the run's range for its practice. */
void benchmarks_add(Benchmarks *b, const Unit *u);

/* Declares a practice (with its weighted population in millionths) to report. */
void benchmarks_practice(Benchmarks *b, const char *practice, int64_t weighted_micro);

/* Writes benchmarks.csv rows (header included) for every declared practice. */
void benchmarks_write(const Benchmarks *b, CsvOut *out);

/* Header of benchmarks.csv. */
const char *const *benchmarks_header(void);

#endif
