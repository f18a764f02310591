/*
 * rows.c: the months of a dataset whose records are one row each (OP
 * attendances, A&E arrivals): last month's late records first, then the
 * month's own, each written to the file(s) its fate says.  apc.c writes
 * spells of several episodes and has a loop of its own.
 */
#include "activity.h"

gboolean
rows_write(const World *w, const RowKind *kind, int p, const char *in_dir, RejectPlan *plan,
           ActivityStats *st, GError **err)
{
    const Dataset ds = kind->ds;
    void *rec = g_malloc0(kind->size);
#define REC_H (*(const guint64 *)((const char *)rec + kind->h_offset))
    gboolean ok = TRUE;
    for (int m = w->first_month; ok && m <= w->period; m++) {
        gint64 n = cds_volume(w, ds, p, m);
        Extract *ex = cds_extract_open(w, ds, p, m, in_dir, kind->cols, kind->ncols,
                                       (guint64) n, err);
        if (!ex) {
            ok = FALSE;
            break;
        }
        /* Late records of last month, which was not re-sent. */
        if (m - 1 >= w->first_month && !cds_resent(w, ds, p, m - 1)) {
            gint64 np = cds_volume(w, ds, p, m - 1);
            for (gint64 k = 0; ok && k < np; k++) {
                Rng r;
                rng_init(&r, rng_key(w->seed, kind->rng_tag, (guint64) p, (guint64) (m - 1),
                                     (guint64) k));
                if (cds_fate(w, ds, p, m - 1, rng_next(&r)) != FATE_LATE)
                    continue;
                kind->make(w, p, m - 1, k, rec);
                Day td;
                int ts;
                cds_time(w, m, 1, REC_H, &td, &ts);
                ok = kind->emit(ex, ex->v1, rec, 9, td, ts, FALSE, plan, st, err);
            }
        }
        for (gint64 k = 0; ok && k < n; k++) {
            kind->make(w, p, m, k, rec);
            st->units[ds]++;
            Fate fate = cds_fate(w, ds, p, m, REC_H);
            Day t1, t2;
            int s1, s2;
            cds_time(w, m, 1, REC_H, &t1, &s1);
            cds_time(w, m, 2, REC_H, &t2, &s2);
            if (fate == FATE_LATE) {
                if (ex->v2)
                    ok = kind->emit(ex, ex->v2, rec, 9, t2, s2, FALSE, plan, st, err);
                continue;
            }
            ok = kind->emit(ex, ex->v1, rec, 9, t1, s1, FALSE, plan, st, err);
            if (!ok)
                break;
            switch (fate) {
            case FATE_REPLACE:
                ok = kind->emit(ex, ex->v2, rec, 9, t2, s2, TRUE, plan, st, err);
                break;
            case FATE_DELETE:
            case FATE_DELETE_ONE:
                ok = kind->emit(ex, ex->v2, rec, 1, t2, s2, FALSE, plan, st, err);
                break;
            case FATE_TIE:
                ok = kind->emit(ex, ex->v2, rec, 9, t1, s1, TRUE, plan, st, err);
                break;
            case FATE_STALE:
                ok = kind->emit(ex, ex->v2, rec, 9, t1 - 5, s1, TRUE, plan, st, err);
                break;
            case FATE_KEEP:
            case FATE_LATE:
            default:
                break;
            }
        }
#undef REC_H
        if (!ok)
            cds_extract_abort(ex);
        else
            ok = cds_extract_close(ex, &st->files, err);
    }
    g_free(rec);
    return ok;
}
