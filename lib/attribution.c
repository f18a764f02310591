/*
 * attribution.c: R-A1 .. R-A7, in the order SPEC §5 gives them.
 *
 * attribution_apply() first asks who should have the unit (Exeter, then the
 * hospital's code), then hands it on along the successor chain of closed
 * practices (R-A5), then judges its area (R-A6) and the mismatch (R-A7).
 */
#include "attribution.h"

#include <stdlib.h>
#include <string.h>

ExeterMatch
attribution_exeter(const Registry *registry, uint64_t nhs_key, PbcDate day, int lookback_days,
                   Registration *out)
{
    size_t first;
    size_t n = registry_find(registry, nhs_key, &first);
    if (n == 0 || day == PBC_NO_DATE)
        return EXETER_MATCH_NONE;
    /* Registrations come in extract order, so ">=" on a tie keeps the later one. */
    gboolean covered = FALSE;
    Registration r, best = {0};
    for (size_t i = first; i < first + n; i++) {
        registry_get(registry, i, &r);
        /* R-A1: the registration day covers, the deregistration day does not. */
        if (r.registration_date <= day
            && (r.deregistration_date == PBC_NO_DATE || r.deregistration_date > day)) {
            if (!covered || r.registration_date >= best.registration_date)
                best = r;
            covered = TRUE;
        }
    }
    if (covered) {
        *out = best;
        return EXETER_MATCH_COVERING;
    }
    /* R-A2: nearest registration or deregistration date, either direction. */
    int64_t best_dist = INT64_MAX;
    for (size_t i = first; i < first + n; i++) {
        registry_get(registry, i, &r);
        int64_t dist = llabs((int64_t)r.registration_date - day);
        if (r.deregistration_date != PBC_NO_DATE)
            dist = MIN(dist, llabs((int64_t)r.deregistration_date - day));
        if (dist > lookback_days)
            continue;
        /* Tie: the earlier registration_date, then the later in the extract. */
        if (dist < best_dist
            || (dist == best_dist && r.registration_date <= best.registration_date)) {
            best = r;
            best_dist = dist;
        }
    }
    if (best_dist == INT64_MAX)
        return EXETER_MATCH_NONE;
    *out = best;
    return EXETER_MATCH_NEAREST;
}

void
attribution_apply(const AttributionRules *rules, Unit *u)
{
    uint64_t key = 0;
    gboolean valid = registry_nhs_key(u->nhs_number, &key);
    attribution_apply_nhs(rules, u, valid, key);
}

void
attribution_apply_nhs(const AttributionRules *rules, Unit *u, gboolean nhs_valid,
                      uint64_t nhs_key)
{
    u->practice_code = "";
    u->attribution_method = ATTR_UNATTRIBUTED;
    u->original_practice_code = "";
    u->exeter_practice_code = "";
    u->exeter_reason = "";
    u->cds_reason = "";
    u->unattributed_reason = "";
    u->practice_pct_code = "";
    u->consortium_code = "";
    u->mismatch = FALSE;
    u->out_of_area = FALSE;

    const char *chosen = NULL;
    const char *cds = blank(u->cds_practice_code) ? "" : u->cds_practice_code;
    gboolean cds_real = cds[0] != '\0' && !practice_code_is_pseudo(cds);

    /* R-A1, R-A2: Exeter. */
    Registration reg;
    if (blank(u->nhs_number)) {
        u->exeter_reason = ATTR_NO_NHS_NUMBER;
    } else if (!nhs_valid) {
        u->exeter_reason = ATTR_INVALID_NHS_NUMBER;
    } else {
        ExeterMatch m = rules->registry
                            ? attribution_exeter(rules->registry, nhs_key, u->attribution_date,
                                                 rules->lookback_days, &reg)
                            : EXETER_MATCH_NONE;
        if (m == EXETER_MATCH_NONE) {
            u->exeter_reason = ATTR_NOT_REGISTERED;
        } else {
            chosen = reg.practice_code;
            u->attribution_method = m == EXETER_MATCH_COVERING ? ATTR_EXETER : ATTR_EXETER_NEAREST;
            u->exeter_practice_code = reg.practice_code;
            /* R-A7: the hospital recorded a real practice and Exeter says another. */
            u->mismatch = cds_real && strcmp(cds, reg.practice_code) != 0;
        }
    }

    /* R-A3: the hospital's code, when it is a listed practice; else R-A4's reason. */
    if (chosen == NULL) {
        if (cds[0] == '\0')
            u->cds_reason = ATTR_NO_PRACTICE_CODE;
        else if (!cds_real)
            u->cds_reason = ATTR_PSEUDO_PRACTICE_CODE;
        else if (practice_lookup(rules->practices, cds) == NULL)
            u->cds_reason = ATTR_UNKNOWN_PRACTICE;
        else {
            chosen = cds;
            u->attribution_method = ATTR_CDS;
        }
    }

    /* R-A4: nobody. */
    if (chosen == NULL) {
        u->unattributed_reason = ATTR_NO_PRACTICE;
        return;
    }

    /* R-A5: closed practices pass the unit to their successors. */
    u->original_practice_code = chosen;
    const char *final;
    if (!practice_resolve(rules->practices, chosen, u->attribution_date, &final)) {
        u->attribution_method = ATTR_UNATTRIBUTED;
        u->unattributed_reason = ATTR_PRACTICE_CLOSED;
        return;
    }
    u->practice_code = final;

    /* R-A6: unlisted, or another PCT's practice: out of area, method and code kept. */
    const Practice *p = practice_lookup(rules->practices, final);
    if (p != NULL) {
        u->practice_pct_code = practice_pct(p);
        u->consortium_code = practice_consortium(p);
    }
    u->out_of_area = p == NULL || rules->pct == NULL || strcmp(practice_pct(p), rules->pct) != 0;
}
