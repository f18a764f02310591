/*
 * render_number.h: numbers as people read them on a statement page.
 *
 * Part of the statements renderer (pbc-statements, docs/statements.md), the
 * step after publish: money arrives from the database as integer pence and
 * leaves as pounds with thousands separators, "£12,345.67", a negative amount
 * with a real minus sign, "−£1,234.56" (U+2212), all in integer arithmetic:
 * no float or double touches money (SPEC §6).  Counts get separators
 * ("1,234"); decimals the database prints as text ("38.793", "0.171847") are
 * re-rounded exactly, halves away from zero, through decimal.h.
 *
 * Every function returns a newly allocated UTF-8 string (g_free) or appends
 * to a GString; none prints or fails on any int64_t, INT64_MIN included.
 */
#ifndef PBC_RENDER_NUMBER_H
#define PBC_RENDER_NUMBER_H

#include <glib.h>
#include <stdint.h>

/* The minus sign used for negative figures: U+2212, not a hyphen. */
#define RENDER_MINUS "\xe2\x88\x92"
/* The pound sign, U+00A3. */
#define RENDER_POUND "\xc2\xa3"

/* "£12,345.67" / "−£1,234.56" / "£0.00" from pence. */
char *render_money(int64_t pence);

/*
 * Whole pounds, rounded half away from zero: "£12,346", "−£1,235"; for
 * chart axes, whose ticks are whole pounds.
 */
char *render_money_whole(int64_t pence);

/*
 * Appends the money figure as HTML: <span class="money">£12.00</span>, or
 * <span class="money neg">−£1.00</span> when negative, so that a page's CSS
 * shows overspends in red.
 */
void render_money_html(GString *out, int64_t pence);

/* "1,234,567" / "−12" */
char *render_count(int64_t n);

/*
 * v / 10^places written with exactly `out_places` decimals after rounding
 * half away from zero, with thousands separators: render_scaled(171847, 6, 4)
 * is "0.1718", render_scaled(-5, 1, 0) is "−1".  0 <= out_places <= places
 * <= 18.
 */
char *render_scaled(int64_t v, int places, int out_places);

/*
 * A decimal as text (the database's numeric output, "38.793", "-0.330697",
 * at most 6 decimals) re-rounded to out_places (<= 6) decimals with
 * separators.  Returns NULL when s is NULL, blank or not such a decimal.
 */
char *render_decimal(const char *s, int out_places);

/*
 * A ratio as text ("0.171847") written as a signed percentage with
 * `out_places` decimals (<= 4): "+17.18%", "−33.07%", "0.00%".  NULL when
 * s is NULL, blank or not a decimal.
 */
char *render_ratio_percent(const char *s, int out_places);

#endif
