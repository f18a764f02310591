/*
 * fuzz_parsers.c: the small value parsers every stage trusts: dates and
 * date-times (date.c, SPEC §3, R-I2), months and financial years, exact
 * decimals and money (decimal.c), NHS numbers (nhs.c and the registry's own
 * copy of the modulus-11 check), provider, pseudo practice and dataset
 * codes; and the one rounding rule (div_round / muldiv_round, SPEC §6).
 *
 * An even first byte fuzzes the text parsers with the rest of the input as
 * one value; an odd one reads three int64s for the rounding functions.
 * Beyond "no crash, no undefined behaviour", each parser must agree with
 * its own formatter (parse → format → parse gives the same value, and the
 * canonical spelling comes back unchanged), with the contract in its header
 * (years 0001-9999, decimals within ±9e15 after scaling), and with an
 * independent implementation (rounding, the two NHS number checks).
 */
#include "fuzz.h"

#include "date.h"
#include "decimal.h"
#include "extract.h"
#include "nhs.h"
#include "practice.h"
#include "registry.h"
#include "unit.h"

static void
check_date(const char *s)
{
    PbcDate d;
    if (!date_parse(s, &d))
        return;
    int y, m, dd;
    date_to_ymd(d, &y, &m, &dd);
    FUZZ_CHECK(y >= 1 && y <= 9999 && m >= 1 && m <= 12 && dd >= 1
               && dd <= date_days_in_month(y, m));
    FUZZ_CHECK(date_from_ymd(y, m, dd) == d);
    char buf[11], mbuf[8];
    date_format(d, buf);
    PbcDate again;
    FUZZ_CHECK(date_parse(buf, &again) && again == d);
    if (strlen(s) == 10 && s[4] == '-')
        FUZZ_CHECK(strcmp(buf, s) == 0);
    date_format_month(d, mbuf);
    int mk;
    FUZZ_CHECK(month_parse(mbuf, &mk) && mk == date_month_key(d));
    FUZZ_CHECK(month_first_day(mk) <= d && d <= month_last_day(mk));
    int fy = fy_of_date(d);
    FUZZ_CHECK(fy == y || fy == y - 1);
    FUZZ_CHECK(fy_month_number(mk) >= 1 && fy_month_number(mk) <= 12);
    FUZZ_CHECK(date_age_years(d, d) == 0);
    int64_t secs;
    FUZZ_CHECK(datetime_parse(s, &secs) && secs == (int64_t)d * 86400);
}

static void
check_datetime(const char *s)
{
    int64_t secs;
    if (!datetime_parse(s, &secs))
        return;
    PbcDate d = (PbcDate)(secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400));
    int y, m, dd;
    date_to_ymd(d, &y, &m, &dd);
    FUZZ_CHECK(y >= 1 && y <= 9999);
}

static void
check_decimal(const char *s)
{
    for (int places = 0; places <= 6; places++) {
        int64_t v;
        if (!decimal_parse(s, places, &v))
            continue;
        /* decimal.h: a value beyond ±9e15 after scaling is refused. */
        FUZZ_CHECK(v <= 9000000000000000LL && v >= -9000000000000000LL);
        char buf[32];
        decimal_format(v, places, buf);
        int64_t again;
        FUZZ_CHECK(decimal_parse(buf, places, &again) && again == v);
    }
    int64_t pence, v2;
    FUZZ_CHECK(money_parse(s, &pence) == decimal_parse(s, 2, &v2));
}

static void
check_codes(const char *s)
{
    uint64_t key;
    FUZZ_CHECK(nhs_number_valid(s) == registry_nhs_key(s, &key));
    if (nhs_number_valid(s))
        FUZZ_CHECK(key == g_ascii_strtoull(s, NULL, 10));
    if (extract_valid_provider(s))
        FUZZ_CHECK(strlen(s) == 3 || strlen(s) == 5);
    if (practice_code_is_pseudo(s))
        FUZZ_CHECK(strlen(s) == 6 && strncmp(s, "V819", 4) == 0);
    Dataset ds;
    if (dataset_parse(s, &ds))
        FUZZ_CHECK(strcmp(dataset_name(ds), s) == 0);
    int fy;
    if (fy_parse(s, &fy)) {
        char buf[8];
        FUZZ_CHECK(strcmp(fy_format(fy, buf), s) == 0);
    }
    int mk;
    if (month_parse(s, &mk)) {
        char buf[8];
        FUZZ_CHECK(strcmp(month_format(mk, buf), s) == 0);
    }
}

/* round(n / d), halves away from zero, by truncating division and remainder. */
static __int128
ref_round(__int128 n, __int128 d)
{
    __int128 q = n / d, r = n % d;
    __int128 ar = r < 0 ? -r : r;
    if (2 * ar >= d)
        q += n < 0 ? -1 : 1;
    return q;
}

static void
check_rounding(const uint8_t *p)
{
    int64_t a, b, d;
    memcpy(&a, p, 8);
    memcpy(&b, p + 8, 8);
    memcpy(&d, p + 16, 8);
    if (d <= 0)
        d = d == INT64_MIN ? INT64_MAX : (d == 0 ? 1 : -d);
    __int128 exact = ref_round((__int128)a * b, d);
    int64_t got = muldiv_round(a, b, d);
    if (exact >= INT64_MIN && exact <= INT64_MAX)
        FUZZ_CHECK(got == (int64_t)exact);
    __int128 exact2 = ref_round(a, d);
    FUZZ_CHECK(div_round(a, d) == (int64_t)exact2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    if (size == 0)
        return 0;
    if (data[0] & 1) {
        if (size >= 25)
            check_rounding(data + 1);
        return 0;
    }
    g_autofree char *s = fuzz_str(data + 1, size - 1);
    check_date(s);
    check_datetime(s);
    check_decimal(s);
    check_codes(s);
    return 0;
}
