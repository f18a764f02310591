/*
 * test_pricing.c: the pricing rules R-P1 .. R-P9 (lib/pricing.c) and the
 * pricing audit (lib/price_audit.c).
 *
 * Every test prices units built directly in C against one small REF
 * directory, written by the suite's init from the tables below, so every
 * expected price can be worked out by hand from them.  The worked
 * arithmetic is in each case's comment.
 *
 * The fixture, in pounds (2006/07 unless said):
 *   APC   AA01A  el 1000, dc 800, nel 1500, trims 5/10, excess 200/day, sse 300
 *         AA02B  el 2000, dc blank, nel 3000.01, trims blank/3, excess 150.50, sse blank
 *         AA03C  el 10.01, nel 10.01, nothing else        (1001 pence: half-penny cases)
 *         AA04D  all blank                                (no national price)
 *         AA05E  nel 500, nel trim 0, excess 100          (SSE never with excess)
 *         2007/08 AA01A el 1100, nel 1600, trims 10/10, excess 210, sse blank
 *         2008/09 AA01A el 1200, nel 1700                  (no tariff_params row)
 *         2011/12 AA01A nel 1000, nel trim 2, excess blank; AA06F nel 1000, sse 50
 *   SSE   2006/07 max LOS 1, min age 19, 50%;  2007/08 max LOS 2, min age 19, 25%;
 *         2011/12 max LOS 1, min age and percentage blank
 *   MFF   2006/07 RA9 1.5, RBB 1.043210;  2007/08 RA9 1.2   (RA901, RXX: 1)
 *   OP    TFC 100 first 150, follow-up 75;  TFC 110 first blank, follow-up 60
 *   OPPROC WH01Z 120; WH02Z blank
 *   AE    VB01Z 100; VB02Z blank
 *   local RA9 REG AA01A 250; * REG AA01A 200; * OPTEL 100 30; * EL AA04D 999.99;
 *         RA9 NEL AA04D 1234.50; * OPFA 110 40; * AE VB02Z 55; 2010/11 * EL AA01A 10
 *   held  NEL AA02B; * 100; * ZZ99Z; 2007/08 EL AA01A  (and EL AA02B of scope OTHER)
 */
#include "date.h"
#include "decimal.h"
#include "log.h"
#include "price_audit.h"
#include "pricing.h"
#include "tariff.h"
#include "unit.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

static char *dir;
static Tariffs *tariffs;

static const struct {
    const char *name;
    const char *content;
} fixture[] = {
    {"tariff_apc.csv",
     "fin_year,hrg,hrg_name,elective_tariff,day_case_tariff,non_elective_tariff,"
     "elective_trim_days,non_elective_trim_days,excess_bed_day_tariff,sse_tariff\n"
     "2006/07,AA01A,,1000,800,1500,5,10,200,300\n"
     "2006/07,AA02B,,2000,,3000.01,,3,150.50,\n"
     "2006/07,AA03C,,10.01,,10.01,,,,\n"
     "2006/07,AA04D,,,,,,,,\n"
     "2006/07,AA05E,,,,500,,0,100,\n"
     "2007/08,AA01A,,1100,,1600,10,10,210,\n"
     "2008/09,AA01A,,1200,,1700,,,,\n"
     "2011/12,AA01A,,,,1000,,2,,\n"
     "2011/12,AA06F,,,,1000,,,,50\n"},
    {"tariff_params.csv", "fin_year,sse_max_los,sse_min_age,sse_percent\n"
                          "2006/07,1,19,50\n2007/08,2,19,25\n2011/12,1,,\n"},
    {"mff.csv", "fin_year,provider_code,mff\n"
                "2006/07,RA9,1.5\n2006/07,RBB,1.043210\n2007/08,RA9,1.2\n"},
    {"tariff_op.csv", "fin_year,treatment_function_code,first_tariff,follow_up_tariff\n"
                      "2006/07,100,150,75\n2006/07,110,,60\n"},
    {"tariff_op_procedure.csv", "fin_year,hrg,tariff\n2006/07,WH01Z,120\n2006/07,WH02Z,\n"},
    {"tariff_ae.csv", "fin_year,hrg,tariff\n2006/07,VB01Z,100\n2006/07,VB02Z,\n"},
    {"local_prices.csv", "fin_year,provider_code,pod,code,price\n"
                         "2006/07,RA9,REG,AA01A,250\n"
                         "2006/07,*,REG,AA01A,200\n"
                         "2006/07,*,OPTEL,100,30\n"
                         "2006/07,*,EL,AA04D,999.99\n"
                         "2006/07,RA9,NEL,AA04D,1234.50\n"
                         "2006/07,*,OPFA,110,40\n"
                         "2006/07,*,AE,VB02Z,55\n"
                         "2010/11,*,EL,AA01A,10\n"},
    {"exclusions.csv", "fin_year,pod,code,scope\n"
                       "2006/07,NEL,AA02B,PCT_HELD\n"
                       "2006/07,EL,AA02B,OTHER\n"
                       "2006/07,*,100,PCT_HELD\n"
                       "2006/07,*,ZZ99Z,PCT_HELD\n"
                       "2007/08,EL,AA01A,PCT_HELD\n"},
};

static void
rm_rf(const char *path)
{
    GDir *d = g_dir_open(path, 0, NULL);
    if (d) {
        const char *n;
        while ((n = g_dir_read_name(d)) != NULL) {
            g_autofree char *p = g_build_filename(path, n, NULL);
            if (g_file_test(p, G_FILE_TEST_IS_DIR))
                rm_rf(p);
            else
                g_unlink(p);
        }
        g_dir_close(d);
    }
    g_rmdir(path);
}

static void
setup(void)
{
    pbc_log_init("test_pricing");
    dir = g_dir_make_tmp("pbc-pricing-XXXXXX", NULL);
    cr_assert_not_null(dir);
    for (size_t i = 0; i < G_N_ELEMENTS(fixture); i++) {
        g_autofree char *p = g_build_filename(dir, fixture[i].name, NULL);
        cr_assert(g_file_set_contents(p, fixture[i].content, -1, NULL));
    }
    g_autoptr(GError) e = NULL;
    tariffs = tariffs_load(dir, &e);
    cr_assert_not_null(tariffs, "fixture: %s", e ? e->message : "?");
}

static void
teardown(void)
{
    tariffs_free(tariffs);
    rm_rf(dir);
    g_free(dir);
}

TestSuite(pricing, .init = setup, .fini = teardown);
TestSuite(price_audit, .init = setup, .fini = teardown);

static PbcDate
day(const char *s)
{
    PbcDate d;
    if (s == NULL || s[0] == '\0')
        return PBC_NO_DATE;
    cr_assert(date_parse(s, &d), "bad test date %s", s);
    return d;
}

/*
 * A unit as ingest and attribute leave it.  APC: admission and discharge
 * dates, charge date = discharge.  OP/AE: `adm` is the appointment or
 * arrival date, which is the charge date.
 */
static void
make_unit(Unit *u, Dataset ds, const char *provider, const char *method, const char *cls,
          const char *adm, const char *dis, const char *dob, const char *hrg, const char *tfc,
          const char *fa, const char *ad)
{
    unit_clear(u);
    u->dataset = ds;
    u->unit_id = "T:1";
    u->provider_code = provider;
    u->date_of_birth = day(dob);
    u->hrg = hrg;
    u->treatment_function_code = tfc;
    u->attribution_date = day(adm);
    if (ds == DS_APC) {
        u->admission_method = method;
        u->patient_classification = cls;
        u->admission_date = day(adm);
        u->discharge_date = day(dis);
        u->charge_date = u->discharge_date;
        u->unfinished = u->discharge_date == PBC_NO_DATE;
    } else {
        u->first_attendance = fa;
        u->attended_or_dna = ad;
        u->charge_date = day(adm);
    }
}

#define N PBC_NONE
#define MFF1 1000000

/* Arrays, not pointers: Criterion copies parameters into another process. */
typedef struct {
    char name[128];
    Dataset ds;
    char provider[8], method[4], cls[4];
    char adm[12], dis[12], dob[12];
    char hrg[8], tfc[4], fa[4], ad[4];
    int force_year, held_year;
    /* expected */
    char pod[8], price_method[16];
    int los, ebd;
    int64_t base, excess, mff, price;
    int sse, held, fin_year;
} Case;

#define APC(prov, meth, cl, a, d, dob_, h) \
    .ds = DS_APC, .provider = prov, .method = meth, .cls = cl, .adm = a, .dis = d, .dob = dob_, .hrg = h
#define OP(prov, date, h, t, f, o) \
    .ds = DS_OP, .provider = prov, .adm = date, .hrg = h, .tfc = t, .fa = f, .ad = o
#define AE(prov, date, h) .ds = DS_AE, .provider = prov, .adm = date, .hrg = h
#define EXPECT(p, m, l, e, b, x, f, pr, s, hd, fy) \
    .pod = p, .price_method = m, .los = l, .ebd = e, .base = b, .excess = x, .mff = f, \
    .price = pr, .sse = s, .held = hd, .fin_year = fy

static Case cases[] = {
    /* --- R-P1 / R-P2 / R-P3: APC --------------------------------------- */
    {"R-P3 EL LOS 5 = trim 5: no excess; 1000.00 x 1",
     APC("RXX", "11", "1", "2006-06-01", "2006-06-06", "", "AA01A"),
     EXPECT("EL", "TARIFF", 5, 0, 100000, 0, MFF1, 100000, 0, 0, 2006)},
    {"R-P3 EL LOS 6 = trim + 1: 1 day x 200.00; 1000 + 200",
     APC("RXX", "11", "1", "2006-06-01", "2006-06-07", "", "AA01A"),
     EXPECT("EL", "TARIFF", 6, 1, 100000, 20000, MFF1, 120000, 0, 0, 2006)},
    {"R-P1 DC: elective method 12, classification 2; day case 800.00",
     APC("RXX", "12", "2", "2006-06-01", "2006-06-01", "", "AA01A"),
     EXPECT("DC", "TARIFF", 0, 0, 80000, 0, MFF1, 80000, 0, 0, 2006)},
    {"R-P2 DC with blank day case tariff: elective 2000.00; blank trim: no excess at LOS 30",
     APC("RXX", "13", "2", "2006-06-01", "2006-07-01", "", "AA02B"),
     EXPECT("DC", "TARIFF", 30, 0, 200000, 0, MFF1, 200000, 0, 0, 2006)},
    {"R-P3 DC takes the elective trim: LOS 7 - 5 = 2 days x 200; 800 + 400",
     APC("RXX", "11", "2", "2006-06-01", "2006-06-08", "", "AA01A"),
     EXPECT("DC", "TARIFF", 7, 2, 80000, 40000, MFF1, 120000, 0, 0, 2006)},
    {"R-P3 NEL LOS 10 = non-elective trim 10: no excess",
     APC("RXX", "21", "1", "2006-06-01", "2006-06-11", "", "AA01A"),
     EXPECT("NEL", "TARIFF", 10, 0, 150000, 0, MFF1, 150000, 0, 0, 2006)},
    {"R-P3 NEL LOS 11 = trim + 1: 1500 + 200",
     APC("RXX", "21", "1", "2006-06-01", "2006-06-12", "", "AA01A"),
     EXPECT("NEL", "TARIFF", 11, 1, 150000, 20000, MFF1, 170000, 0, 0, 2006)},
    {"R-P3 EL blank elective trim: no long-stay payment at LOS 40",
     APC("RXX", "11", "1", "2006-06-01", "2006-07-11", "", "AA02B"),
     EXPECT("EL", "TARIFF", 40, 0, 200000, 0, MFF1, 200000, 0, 0, 2006)},
    {"R-P3/R-P8 NEL AA02B LOS 5, trim 3: 2 x 150.50 = 301.00; 3000.01 + 301.00; PCT_HELD",
     APC("RXX", "22", "1", "2006-06-01", "2006-06-06", "", "AA02B"),
     EXPECT("NEL", "TARIFF", 5, 2, 300001, 30100, MFF1, 330101, 0, 1, 2006)},
    {"R-P6 same at RBB: 330101 x 1.043210 = 344364.66 -> 344365",
     APC("RBB", "22", "1", "2006-06-01", "2006-06-06", "", "AA02B"),
     EXPECT("NEL", "TARIFF", 5, 2, 300001, 30100, 1043210, 344365, 0, 1, 2006)},
    {"R-P8 EL AA02B: the exclusion row of scope OTHER is ignored",
     APC("RXX", "11", "1", "2006-06-01", "2006-06-01", "", "AA02B"),
     EXPECT("EL", "TARIFF", 0, 0, 200000, 0, MFF1, 200000, 0, 0, 2006)},
    {"R-P1 maternity method 31 -> NEL (LOS 3 > SSE max 1)",
     APC("RXX", "31", "1", "2006-06-01", "2006-06-04", "", "AA01A"),
     EXPECT("NEL", "TARIFF", 3, 0, 150000, 0, MFF1, 150000, 0, 0, 2006)},
    {"R-P1 other non-elective method 81 -> NEL",
     APC("RXX", "81", "1", "2006-06-01", "2006-06-04", "", "AA01A"),
     EXPECT("NEL", "TARIFF", 3, 0, 150000, 0, MFF1, 150000, 0, 0, 2006)},
    {"R-P1 emergency method 2A -> NEL",
     APC("RXX", "2A", "1", "2006-06-01", "2006-06-04", "", "AA01A"),
     EXPECT("NEL", "TARIFF", 3, 0, 150000, 0, MFF1, 150000, 0, 0, 2006)},
    {"R-P1 emergency day case (21, classification 2) -> NEL, not DC",
     APC("RXX", "21", "2", "2006-06-01", "2006-06-04", "", "AA01A"),
     EXPECT("NEL", "TARIFF", 3, 0, 150000, 0, MFF1, 150000, 0, 0, 2006)},
    {"R-P1 elective mother and baby (classification 5) -> EL",
     APC("RXX", "11", "5", "2006-06-01", "2006-06-04", "", "AA01A"),
     EXPECT("EL", "TARIFF", 3, 0, 100000, 0, MFF1, 100000, 0, 0, 2006)},
    /* --- R-P7 REG ------------------------------------------------------ */
    {"R-P7 REG (classification 3): the provider's own local price 250.00, no MFF 1.5",
     APC("RA9", "11", "3", "2006-06-01", "2006-06-01", "", "AA01A"),
     EXPECT("REG", "LOCAL", 0, 0, 25000, N, N, 25000, 0, 0, 2006)},
    {"R-P7 REG (classification 4, any method): the * price 200.00",
     APC("RXX", "21", "4", "2006-06-01", "2006-06-02", "", "AA01A"),
     EXPECT("REG", "LOCAL", 1, 0, 20000, N, N, 20000, 0, 0, 2006)},
    {"R-P7 REG with no local price: UNPRICED, base blank, price 0",
     APC("RXX", "11", "3", "2006-06-01", "2006-06-01", "", "AA02B"),
     EXPECT("REG", "UNPRICED", 0, 0, N, N, N, 0, 0, 0, 2006)},
    /* --- R-P5 SSE -------------------------------------------------------- */
    {"R-P5 SSE at LOS 1 = max: sse_tariff 300.00, unknown DOB counts as adult",
     APC("RXX", "21", "1", "2006-06-01", "2006-06-02", "", "AA01A"),
     EXPECT("NEL", "TARIFF_SSE", 1, 0, 30000, 0, MFF1, 30000, 1, 0, 2006)},
    {"R-P5 SSE at LOS 0",
     APC("RXX", "21", "1", "2006-06-01", "2006-06-01", "", "AA01A"),
     EXPECT("NEL", "TARIFF_SSE", 0, 0, 30000, 0, MFF1, 30000, 1, 0, 2006)},
    {"R-P5 no SSE at LOS 2 = max + 1: full 1500.00",
     APC("RXX", "21", "1", "2006-06-01", "2006-06-03", "", "AA01A"),
     EXPECT("NEL", "TARIFF", 2, 0, 150000, 0, MFF1, 150000, 0, 0, 2006)},
    {"R-P5 19th birthday on the admission day: aged 19, SSE",
     APC("RXX", "21", "1", "2006-06-01", "2006-06-02", "1987-06-01", "AA01A"),
     EXPECT("NEL", "TARIFF_SSE", 1, 0, 30000, 0, MFF1, 30000, 1, 0, 2006)},
    {"R-P5 admitted the day before the 19th birthday: aged 18, no SSE",
     APC("RXX", "21", "1", "2006-06-01", "2006-06-02", "1987-06-02", "AA01A"),
     EXPECT("NEL", "TARIFF", 1, 0, 150000, 0, MFF1, 150000, 0, 0, 2006)},
    {"R-P5 29 Feb 1988 birthday, admitted 28 Feb 2007: birthday is 1 March, aged 18",
     APC("RXX", "21", "1", "2007-02-28", "2007-03-01", "1988-02-29", "AA01A"),
     EXPECT("NEL", "TARIFF", 1, 0, 150000, 0, MFF1, 150000, 0, 0, 2006)},
    {"R-P5 29 Feb 1988 birthday, admitted 1 Mar 2007: aged 19, SSE",
     APC("RXX", "21", "1", "2007-03-01", "2007-03-02", "1988-02-29", "AA01A"),
     EXPECT("NEL", "TARIFF_SSE", 1, 0, 30000, 0, MFF1, 30000, 1, 0, 2006)},
    {"R-P5 a child (aged 6): no SSE",
     APC("RXX", "21", "1", "2006-06-01", "2006-06-01", "2000-01-01", "AA01A"),
     EXPECT("NEL", "TARIFF", 0, 0, 150000, 0, MFF1, 150000, 0, 0, 2006)},
    {"R-P5 blank sse_tariff: round(1001 x 50 / 100) = round(500.5) = 501",
     APC("RXX", "21", "1", "2006-06-01", "2006-06-01", "", "AA03C"),
     EXPECT("NEL", "TARIFF_SSE", 0, 0, 501, 0, MFF1, 501, 1, 0, 2006)},
    {"R-P5/R-P6 same at RA9: 501 x 1.5 = 751.5 -> 752",
     APC("RA9", "21", "1", "2006-06-01", "2006-06-01", "", "AA03C"),
     EXPECT("NEL", "TARIFF_SSE", 0, 0, 501, 0, 1500000, 752, 1, 0, 2006)},
    {"R-P5 SSE never with excess: AA05E trim 0, LOS 1: 50% of 500.00, 0 excess days",
     APC("RXX", "21", "1", "2006-06-01", "2006-06-02", "", "AA05E"),
     EXPECT("NEL", "TARIFF_SSE", 1, 0, 25000, 0, MFF1, 25000, 1, 0, 2006)},
    {"R-P3 AA05E at LOS 2 (no SSE): 500 + 2 x 100",
     APC("RXX", "21", "1", "2006-06-01", "2006-06-03", "", "AA05E"),
     EXPECT("NEL", "TARIFF", 2, 2, 50000, 20000, MFF1, 70000, 0, 0, 2006)},
    {"R-P5 2008/09 has no tariff_params row: no SSE, 1700.00",
     APC("RXX", "21", "1", "2008-06-01", "2008-06-01", "", "AA01A"),
     EXPECT("NEL", "TARIFF", 0, 0, 170000, 0, MFF1, 170000, 0, 0, 2008)},
    {"R-P5 2007/08 parameters: LOS 2 = max 2, 25% of 1600 = 400.00; x 1.2 = 480.00",
     APC("RA9", "21", "1", "2007-06-01", "2007-06-03", "", "AA01A"),
     EXPECT("NEL", "TARIFF_SSE", 2, 0, 40000, 0, 1200000, 48000, 1, 0, 2007)},
    {"R-P5/R-P7 blank NEL tariff: no SSE, RA9's local 1234.50, not MFF-adjusted",
     APC("RA9", "21", "1", "2006-06-01", "2006-06-01", "", "AA04D"),
     EXPECT("NEL", "LOCAL", 0, 0, 123450, N, N, 123450, 0, 0, 2006)},
    {"R-P7 blank NEL tariff, no local price for RXX: UNPRICED",
     APC("RXX", "21", "1", "2006-06-01", "2006-06-01", "", "AA04D"),
     EXPECT("NEL", "UNPRICED", 0, 0, N, N, N, 0, 0, 0, 2006)},
    {"R-P5 2011/12 blank percentage, blank sse_tariff: no SSE, full 1000.00",
     APC("RXX", "21", "1", "2011-06-01", "2011-06-01", "", "AA01A"),
     EXPECT("NEL", "TARIFF", 0, 0, 100000, 0, MFF1, 100000, 0, 0, 2011)},
    {"R-P3 2011/12 trim 2 but blank excess bed day price: LOS 9, no long-stay payment",
     APC("RXX", "21", "1", "2011-06-01", "2011-06-10", "", "AA01A"),
     EXPECT("NEL", "TARIFF", 9, 0, 100000, 0, MFF1, 100000, 0, 0, 2011)},
    {"R-P5 2011/12 blank minimum age: any age; a child gets AA06F's sse_tariff 50.00",
     APC("RXX", "21", "1", "2011-06-01", "2011-06-02", "2010-01-01", "AA06F"),
     EXPECT("NEL", "TARIFF_SSE", 1, 0, 5000, 0, MFF1, 5000, 1, 0, 2011)},
    /* --- R-P7 ------------------------------------------------------------ */
    {"R-P7 EL blank elective tariff: * local 999.99, no excess at LOS 20",
     APC("RBB", "11", "1", "2006-06-01", "2006-06-21", "", "AA04D"),
     EXPECT("EL", "LOCAL", 20, 0, 99999, N, N, 99999, 0, 0, 2006)},
    {"R-P7 DC blank day case and elective: local looked up under DC only: UNPRICED",
     APC("RBB", "11", "2", "2006-06-01", "2006-06-01", "", "AA04D"),
     EXPECT("DC", "UNPRICED", 0, 0, N, N, N, 0, 0, 0, 2006)},
    {"R-P7/R-P8 HRG not in the tariff: UNPRICED, and PCT_HELD (* ZZ99Z)",
     APC("RXX", "11", "1", "2006-06-01", "2006-06-03", "", "ZZ99Z"),
     EXPECT("EL", "UNPRICED", 2, 0, N, N, N, 0, 0, 1, 2006)},
    {"R-P7 blank HRG: no national and no local price",
     APC("RXX", "11", "1", "2006-06-01", "2006-06-03", "", ""),
     EXPECT("EL", "UNPRICED", 2, 0, N, N, N, 0, 0, 0, 2006)},
    /* --- R-P6 MFF ---------------------------------------------------------- */
    {"R-P6 1001 x 1.500000 = 1501.5 -> 1502 (half away from zero)",
     APC("RA9", "11", "1", "2006-06-01", "2006-06-01", "", "AA03C"),
     EXPECT("EL", "TARIFF", 0, 0, 1001, 0, 1500000, 1502, 0, 0, 2006)},
    {"R-P6 site RA901 does not inherit trust RA9's MFF: 1001 x 1",
     APC("RA901", "11", "1", "2006-06-01", "2006-06-01", "", "AA03C"),
     EXPECT("EL", "TARIFF", 0, 0, 1001, 0, MFF1, 1001, 0, 0, 2006)},
    {"R-P6 1001 x 1.043210 = 1044.25321 -> 1044 (rounds down)",
     APC("RBB", "11", "1", "2006-06-01", "2006-06-01", "", "AA03C"),
     EXPECT("EL", "TARIFF", 0, 0, 1001, 0, 1043210, 1044, 0, 0, 2006)},
    {"R-P6 MFF on base + excess: (1000 + 200) x 1.043210 = 1251.852 -> 125185",
     APC("RBB", "11", "1", "2006-06-01", "2006-06-07", "", "AA01A"),
     EXPECT("EL", "TARIFF", 6, 1, 100000, 20000, 1043210, 125185, 0, 0, 2006)},
    /* --- tariff year ------------------------------------------------------- */
    {"spell across 1 April: discharged 2 Apr 2007, 2007/08 tables: 1100 x 1.2, held in 2007/08",
     APC("RA9", "11", "1", "2007-03-25", "2007-04-02", "", "AA01A"),
     EXPECT("EL", "TARIFF", 8, 0, 110000, 0, 1200000, 132000, 0, 1, 2007)},
    {"spell discharged 31 Mar 2007: 2006/07 tables: (1000 + 200) x 1.5",
     APC("RA9", "11", "1", "2007-03-25", "2007-03-31", "", "AA01A"),
     EXPECT("EL", "TARIFF", 6, 1, 100000, 20000, 1500000, 180000, 0, 0, 2006)},
    {"R-B1 forced 2007/08: 2006/07 spell LOS 5 at 1100 x 1.2 (trim 10), held by 2007/08",
     APC("RA9", "11", "1", "2006-06-01", "2006-06-06", "", "AA01A"), .force_year = 2007,
     EXPECT("EL", "TARIFF", 5, 0, 110000, 0, 1200000, 132000, 0, 1, 2007)},
    {"R-B1 forced 2007/08, PCT_HELD judged by 2006/07 exclusions",
     APC("RA9", "11", "1", "2006-06-01", "2006-06-06", "", "AA01A"), .force_year = 2007,
     .held_year = 2006, EXPECT("EL", "TARIFF", 5, 0, 110000, 0, 1200000, 132000, 0, 0, 2007)},
    {"forced 2009/10, a year without tables: UNPRICED",
     APC("RA9", "11", "1", "2006-06-01", "2006-06-06", "", "AA01A"), .force_year = 2009,
     EXPECT("EL", "UNPRICED", 5, 0, N, N, N, 0, 0, 0, 2009)},
    {"2010/11 has no tariff_apc rows but a local price: LOCAL 10.00",
     APC("RA9", "11", "1", "2010-06-01", "2010-06-03", "", "AA01A"),
     EXPECT("EL", "LOCAL", 2, 0, 1000, N, N, 1000, 0, 0, 2010)},
    /* --- OP: R-P1, R-P2, R-P4 ---------------------------------------------- */
    {"R-P2 OPFA TFC 100 attended (5): 150.00; PCT_HELD by * 100",
     OP("RXX", "2006-07-01", "", "100", "1", "5"),
     EXPECT("OPFA", "TARIFF", -1, -1, 15000, N, MFF1, 15000, 0, 1, 2006)},
    {"R-P2/R-P6 OPFU TFC 100 late but seen (6) at RA9: 75.00 x 1.5",
     OP("RA9", "2006-07-01", "", "100", "2", "6"),
     EXPECT("OPFU", "TARIFF", -1, -1, 7500, N, 1500000, 11250, 0, 1, 2006)},
    {"R-P7 OPTEL (first by telephone): always local, * OPTEL 100 = 30.00",
     OP("RA9", "2006-07-01", "", "100", "3", "5"),
     EXPECT("OPTEL", "LOCAL", -1, -1, 3000, N, N, 3000, 0, 1, 2006)},
    {"R-P7 OPTEL (follow-up by telephone) TFC 110, no local price: UNPRICED",
     OP("RXX", "2006-07-01", "", "110", "4", "5"),
     EXPECT("OPTEL", "UNPRICED", -1, -1, N, N, N, 0, 0, 0, 2006)},
    {"R-P1 telephone before procedure: op_hrg WH01Z by telephone is OPTEL",
     OP("RXX", "2006-07-01", "WH01Z", "110", "3", "5"),
     EXPECT("OPTEL", "UNPRICED", -1, -1, N, N, N, 0, 0, 0, 2006)},
    {"R-P1 OPPROC: op_hrg WH01Z has a procedure tariff; 120 x 1.043210 = 125.1852 -> 12519",
     OP("RBB", "2006-07-01", "WH01Z", "110", "2", "5"),
     EXPECT("OPPROC", "TARIFF", -1, -1, 12000, N, 1043210, 12519, 0, 0, 2006)},
    {"R-P1 OPPROC code is the HRG: TFC 100's exclusion does not apply",
     OP("RXX", "2006-07-01", "WH01Z", "100", "1", "5"),
     EXPECT("OPPROC", "TARIFF", -1, -1, 12000, N, MFF1, 12000, 0, 0, 2006)},
    {"R-P1 op_hrg WH02Z (blank procedure price) is no procedure tariff: OPFA; TFC 110 first "
     "blank: * OPFA 110 local 40.00",
     OP("RA9", "2006-07-01", "WH02Z", "110", "1", "5"),
     EXPECT("OPFA", "LOCAL", -1, -1, 4000, N, N, 4000, 0, 0, 2006)},
    {"R-P2 OPFU TFC 110: 60.00",
     OP("RXX", "2006-07-01", "", "110", "2", "5"),
     EXPECT("OPFU", "TARIFF", -1, -1, 6000, N, MFF1, 6000, 0, 0, 2006)},
    {"R-P7 TFC 999 not in the tariff: UNPRICED",
     OP("RXX", "2006-07-01", "", "999", "1", "5"),
     EXPECT("OPFA", "UNPRICED", -1, -1, N, N, N, 0, 0, 0, 2006)},
    {"R-P4 outcome 0 (not applicable): NOT_CHARGEABLE, POD still derived, still PCT_HELD",
     OP("RA9", "2006-07-01", "", "100", "1", "0"),
     EXPECT("OPFA", "NOT_CHARGEABLE", -1, -1, N, N, N, 0, 0, 1, 2006)},
    {"R-P4 outcome 2 (cancelled by patient): NOT_CHARGEABLE",
     OP("RA9", "2006-07-01", "", "100", "2", "2"),
     EXPECT("OPFU", "NOT_CHARGEABLE", -1, -1, N, N, N, 0, 0, 1, 2006)},
    {"R-P4 outcome 3 (did not attend): NOT_CHARGEABLE",
     OP("RA9", "2006-07-01", "", "110", "1", "3"),
     EXPECT("OPFA", "NOT_CHARGEABLE", -1, -1, N, N, N, 0, 0, 0, 2006)},
    {"R-P4 outcome 4 (cancelled by provider): NOT_CHARGEABLE",
     OP("RA9", "2006-07-01", "", "110", "3", "4"),
     EXPECT("OPTEL", "NOT_CHARGEABLE", -1, -1, N, N, N, 0, 0, 0, 2006)},
    {"R-P4 outcome 7 (late, not seen): NOT_CHARGEABLE, OPPROC derived",
     OP("RA9", "2006-07-01", "WH01Z", "110", "1", "7"),
     EXPECT("OPPROC", "NOT_CHARGEABLE", -1, -1, N, N, N, 0, 0, 0, 2006)},
    /* --- A&E ------------------------------------------------------------------ */
    {"R-P2 AE VB01Z at RA9: 100.00 x 1.5",
     AE("RA9", "2006-08-01", "VB01Z"),
     EXPECT("AE", "TARIFF", -1, -1, 10000, N, 1500000, 15000, 0, 0, 2006)},
    {"R-P7 AE VB02Z blank tariff: * AE VB02Z 55.00",
     AE("RA9", "2006-08-01", "VB02Z"),
     EXPECT("AE", "LOCAL", -1, -1, 5500, N, N, 5500, 0, 0, 2006)},
    {"R-P7 AE blank HRG: UNPRICED",
     AE("RA9", "2006-08-01", ""),
     EXPECT("AE", "UNPRICED", -1, -1, N, N, N, 0, 0, 0, 2006)},
    {"R-P7 AE HRG not in the tariff: UNPRICED",
     AE("RA9", "2006-08-01", "VB09Z"),
     EXPECT("AE", "UNPRICED", -1, -1, N, N, N, 0, 0, 0, 2006)},
};

ParameterizedTestParameters(pricing, rules)
{
    return cr_make_param_array(Case, cases, G_N_ELEMENTS(cases));
}

ParameterizedTest(Case *c, pricing, rules)
{
    cr_redirect_stderr();   /* warnings about the years without tables */
    Unit u;
    make_unit(&u, c->ds, c->provider, c->method, c->cls, c->adm, c->dis, c->dob, c->hrg, c->tfc,
              c->fa, c->ad);
    pricing_price_in(tariffs, &u, c->force_year, c->held_year);
    cr_assert_str_eq(u.pod, c->pod, "%s: pod", c->name);
    cr_assert_str_eq(u.price_method, c->price_method, "%s: method", c->name);
    cr_assert_eq(u.los, c->los, "%s: los %d", c->name, u.los);
    cr_assert_eq(u.excess_bed_days, c->ebd, "%s: excess_bed_days %d", c->name, u.excess_bed_days);
    cr_assert_eq(u.base_pence, c->base, "%s: base %" G_GINT64_FORMAT, c->name, u.base_pence);
    cr_assert_eq(u.excess_pence, c->excess, "%s: excess %" G_GINT64_FORMAT, c->name, u.excess_pence);
    cr_assert_eq(u.mff_micro, c->mff, "%s: mff %" G_GINT64_FORMAT, c->name, u.mff_micro);
    cr_assert_eq(u.price_pence, c->price, "%s: price %" G_GINT64_FORMAT, c->name, u.price_pence);
    cr_assert_eq(u.sse_applied, c->sse, "%s: sse", c->name);
    cr_assert_eq(u.pct_held, c->held, "%s: pct_held", c->name);
    cr_assert_eq(u.fin_year, c->fin_year, "%s: fin_year %d", c->name, u.fin_year);
}

/* R-I4: an unfinished spell is not priced: every pricing field blank. */
Test(pricing, unfinished_spell_not_priced)
{
    Unit u;
    make_unit(&u, DS_APC, "RXX", "11", "1", "2006-06-01", "", "", "AA01A", "100", "", "");
    cr_assert(u.unfinished);
    u.pod = "EL";              /* stale values from an earlier run are cleared */
    u.price_pence = 5;
    pricing_price(tariffs, &u);
    cr_assert_null(u.pod);
    cr_assert_null(u.price_method);
    cr_assert_eq(u.fin_year, 0);
    cr_assert_eq(u.los, -1);
    cr_assert_eq(u.excess_bed_days, -1);
    cr_assert_eq(u.base_pence, PBC_NONE);
    cr_assert_eq(u.excess_pence, PBC_NONE);
    cr_assert_eq(u.mff_micro, PBC_NONE);
    cr_assert_eq(u.price_pence, PBC_NONE);
    cr_assert_not(u.sse_applied);
    cr_assert_not(u.pct_held);
}

/* A spell without an admission date (not possible after ingest) is not priced either. */
Test(pricing, spell_without_admission_date)
{
    Unit u;
    make_unit(&u, DS_APC, "RXX", "11", "1", "", "2006-06-01", "", "AA01A", "", "", "");
    cr_assert_not(u.unfinished);
    pricing_price(tariffs, &u);
    cr_assert_null(u.price_method);
    cr_assert_eq(u.price_pence, PBC_NONE);
}

/* An OP first-attendance code outside R-P1's list (ingest rejects it, R-I2): no POD. */
Test(pricing, op_unknown_first_attendance)
{
    Unit u;
    make_unit(&u, DS_OP, "RXX", "", "", "2006-07-01", "", "", "", "100", "9", "5");
    pricing_price(tariffs, &u);
    cr_assert_null(u.pod);
    cr_assert_str_eq(u.price_method, "UNPRICED");
    cr_assert_eq(u.price_pence, 0);
    cr_assert_not(u.pct_held);
    make_unit(&u, DS_OP, "RXX", "", "", "2006-07-01", "", "", "", "100", "9", "3");
    pricing_price(tariffs, &u);
    cr_assert_null(u.pod);
    cr_assert_str_eq(u.price_method, "NOT_CHARGEABLE");
    g_autoptr(PriceAudit) a = price_audit_new();
    price_audit_add(a, &u);
    cr_assert_eq(price_audit_units(a), 1);
}

/* Re-pricing overwrites every pricing field (R-B1 re-prices priced units). */
Test(pricing, reprice_overwrites)
{
    cr_redirect_stderr();
    Unit u;
    make_unit(&u, DS_APC, "RXX", "21", "1", "2006-06-01", "2006-06-02", "", "AA01A", "", "", "");
    pricing_price(tariffs, &u);
    cr_assert_str_eq(u.price_method, "TARIFF_SSE");
    pricing_price_in(tariffs, &u, 2008, 0);   /* 2008/09: no SSE parameters */
    cr_assert_str_eq(u.price_method, "TARIFF");
    cr_assert_not(u.sse_applied);
    cr_assert_eq(u.base_pence, 170000);
    cr_assert_eq(u.price_pence, 170000);
    cr_assert_eq(u.fin_year, 2008);
    pricing_price_in(tariffs, &u, 2009, 0);   /* no tables at all */
    cr_assert_str_eq(u.price_method, "UNPRICED");
    cr_assert_eq(u.base_pence, PBC_NONE);
    cr_assert_eq(u.excess_pence, PBC_NONE);
    cr_assert_eq(u.mff_micro, PBC_NONE);
    cr_assert_eq(u.excess_bed_days, 0);
}

/* R-P7: the code of a unit. */
Test(pricing, code_by_pod)
{
    Unit u;
    make_unit(&u, DS_OP, "RXX", "", "", "2006-07-01", "", "", "WH01Z", "100", "1", "5");
    pricing_price(tariffs, &u);
    cr_assert_str_eq(pricing_code(&u), "WH01Z");
    make_unit(&u, DS_OP, "RXX", "", "", "2006-07-01", "", "", "WH09Z", "100", "1", "5");
    pricing_price(tariffs, &u);
    cr_assert_str_eq(pricing_code(&u), "100");
    make_unit(&u, DS_AE, "RXX", "", "", "2006-07-01", "", "", NULL, "100", "", "");
    pricing_price(tariffs, &u);
    cr_assert_str_eq(pricing_code(&u), "");
}

/* A year with no national rows: priced locally or unpriced, warned once per table and year. */
Test(pricing, missing_year_warned_once)
{
    cr_redirect_stderr();
    Unit u;
    for (int i = 0; i < 3; i++) {
        make_unit(&u, DS_APC, "RXX", "11", "1", "2010-06-01", "2010-06-02", "", "AA01A", "", "",
                  "");
        pricing_price(tariffs, &u);
        cr_assert_str_eq(u.price_method, "LOCAL");
    }
    make_unit(&u, DS_AE, "RXX", "", "", "2010-06-01", "", "", "VB01Z", "", "", "");
    pricing_price(tariffs, &u);
    cr_assert_str_eq(u.price_method, "UNPRICED");
    /* REG and OPTEL need no national table: no warning for them. */
    make_unit(&u, DS_OP, "RXX", "", "", "2011-06-01", "", "", "", "100", "3", "5");
    pricing_price(tariffs, &u);
    /* NOT_CHARGEABLE needs no table either. */
    make_unit(&u, DS_OP, "RXX", "", "", "2011-06-01", "", "", "", "100", "1", "3");
    pricing_price(tariffs, &u);
    fflush(stderr);
    cr_assert_stderr_eq_str(
        "test_pricing: warning: no rows in tariff_apc.csv for financial year 2010/11: its "
        "activity is priced locally or left unpriced\n"
        "test_pricing: warning: no rows in tariff_ae.csv for financial year 2010/11: its "
        "activity is priced locally or left unpriced\n");
}

/* --- properties over many generated units --------------------------------- */

static const char *
pick(GRand *r, const char *const *set, int n)
{
    return set[g_rand_int_range(r, 0, n)];
}

/*
 * Over 20,000 units drawn with a fixed seed: no negative price; SSE never
 * with excess; every TARIFF/TARIFF_SSE price is round((base + excess) x MFF)
 * checked from the exact product; the blanking of R-P9; determinism.
 */
Test(pricing, properties)
{
    cr_redirect_stderr();   /* warnings about the years without tables */
    static const char *const provs[] = {"RA9", "RA901", "RBB", "RXX"};
    static const char *const hrgs[] = {"AA01A", "AA02B", "AA03C", "AA04D", "AA05E", "ZZ99Z",
                                       "",      "VB01Z", "VB02Z", "WH01Z", "WH02Z"};
    static const char *const methods[] = {"11", "12", "13", "21", "2A", "31", "81"};
    static const char *const classes[] = {"1", "2", "3", "4", "5"};
    static const char *const tfcs[] = {"100", "110", "999", ""};
    static const char *const fas[] = {"1", "2", "3", "4"};
    static const char *const ads[] = {"0", "2", "3", "4", "5", "6", "7"};
    g_autoptr(GRand) r = g_rand_new_with_seed(20060401);
    PbcDate lo = date_from_ymd(2006, 1, 1), hi = date_from_ymd(2010, 12, 31);
    int methods_seen[5] = {0};
    for (int i = 0; i < 20000; i++) {
        Unit u;
        unit_clear(&u);
        u.dataset = (Dataset)g_rand_int_range(r, 0, DS_COUNT);
        u.provider_code = pick(r, provs, G_N_ELEMENTS(provs));
        u.hrg = pick(r, hrgs, G_N_ELEMENTS(hrgs));
        u.treatment_function_code = pick(r, tfcs, G_N_ELEMENTS(tfcs));
        PbcDate d = (PbcDate)g_rand_int_range(r, lo, hi);
        u.attribution_date = d;
        if (g_rand_boolean(r))
            u.date_of_birth = (PbcDate)g_rand_int_range(r, d - 90 * 365, d);
        if (u.dataset == DS_APC) {
            u.admission_method = pick(r, methods, G_N_ELEMENTS(methods));
            u.patient_classification = pick(r, classes, G_N_ELEMENTS(classes));
            u.admission_date = d;
            /* Half the spells short, so short-stay emergencies come up often. */
            u.discharge_date = d + g_rand_int_range(r, 0, g_rand_boolean(r) ? 3 : 25);
            u.charge_date = u.discharge_date;
        } else {
            u.first_attendance = pick(r, fas, G_N_ELEMENTS(fas));
            u.attended_or_dna = pick(r, ads, G_N_ELEMENTS(ads));
            u.charge_date = d;
        }
        int force = g_rand_int_range(r, 0, 10) == 0 ? 2007 : 0;
        pricing_price_in(tariffs, &u, force, 0);
        Unit again = u;
        pricing_price_in(tariffs, &again, force, 0);
        cr_assert(memcmp(&u, &again, sizeof u) == 0, "deterministic (unit %d)", i);

        int fy = force ? force : fy_of_date(u.charge_date);
        cr_assert_eq(u.fin_year, fy);
        cr_assert_not_null(u.pod);
        cr_assert_not_null(u.price_method);
        cr_assert(u.price_pence >= 0, "no negative price");
        const char *m = u.price_method;
        gboolean tariff = strcmp(m, "TARIFF") == 0 || strcmp(m, "TARIFF_SSE") == 0;
        if (tariff) {
            methods_seen[strcmp(m, "TARIFF") == 0 ? 0 : 1]++;
            cr_assert_neq(u.base_pence, PBC_NONE);
            cr_assert_neq(u.mff_micro, PBC_NONE);
            int64_t excess = u.excess_pence == PBC_NONE ? 0 : u.excess_pence;
            /* R-P6 from the exact product: |price - (base + excess) x MFF| <= 1/2, halves up. */
            __int128 exact = (__int128)(u.base_pence + excess) * u.mff_micro;
            __int128 diff = (__int128)u.price_pence * 1000000 - exact;
            cr_assert(diff > -500000 && diff <= 500000, "round((base + excess) x MFF), unit %d", i);
            cr_assert_eq(u.mff_micro, tariff_mff(tariffs, fy, u.provider_code));
        } else {
            cr_assert_eq(u.mff_micro, PBC_NONE);
            cr_assert_eq(u.excess_pence, PBC_NONE);
        }
        cr_assert_eq(u.sse_applied, strcmp(m, "TARIFF_SSE") == 0);
        if (u.sse_applied) {
            cr_assert_str_eq(u.pod, "NEL");
            cr_assert_eq(u.excess_bed_days, 0, "SSE never with excess days");
            cr_assert_eq(u.excess_pence, 0);
        }
        if (strcmp(m, "LOCAL") == 0) {
            methods_seen[2]++;
            cr_assert_eq(u.base_pence, u.price_pence);
        }
        if (strcmp(m, "UNPRICED") == 0 || strcmp(m, "NOT_CHARGEABLE") == 0) {
            methods_seen[strcmp(m, "UNPRICED") == 0 ? 3 : 4]++;
            cr_assert_eq(u.price_pence, 0);
            cr_assert_eq(u.base_pence, PBC_NONE);
        }
        if (strcmp(m, "NOT_CHARGEABLE") == 0) {
            cr_assert_eq(u.dataset, DS_OP);
            cr_assert(strcmp(u.attended_or_dna, "5") != 0 && strcmp(u.attended_or_dna, "6") != 0);
        }
        if (u.dataset == DS_APC) {
            cr_assert_eq(u.los, u.discharge_date - u.admission_date);
            cr_assert(u.excess_bed_days >= 0);
            if (u.excess_bed_days > 0) {
                cr_assert_str_eq(m, "TARIFF");
                const TariffApc *a = tariff_apc_lookup(tariffs, fy, u.hrg);
                cr_assert_eq(u.excess_pence, u.excess_bed_days * a->excess_bed_day);
            }
        } else {
            cr_assert_eq(u.los, -1);
            cr_assert_eq(u.excess_bed_days, -1);
            cr_assert_eq(u.excess_pence, PBC_NONE);
        }
        cr_assert_eq(u.pct_held, tariff_pct_held(tariffs, fy, u.pod, pricing_code(&u)));
    }
    for (int k = 0; k < 5; k++)
        cr_assert(methods_seen[k] > 50, "every method drawn (%d: %d)", k, methods_seen[k]);
}

/* --- the pricing audit ------------------------------------------------------- */

static char *
slurp(const char *name)
{
    g_autofree char *p = g_build_filename(dir, name, NULL);
    char *s = NULL;
    cr_assert(g_file_get_contents(p, &s, NULL, NULL), "reading %s", p);
    return s;
}

static void
add(PriceAudit *a, Dataset ds, const char *prov, const char *method, const char *cls,
    const char *adm, const char *dis, const char *hrg, const char *tfc, const char *fa,
    const char *ad)
{
    Unit u;
    make_unit(&u, ds, prov, method, cls, adm, dis, "", hrg, tfc, fa, ad);
    pricing_price(tariffs, &u);
    price_audit_add(a, &u);
}

/* pricing_audit.csv, unpriced.csv, top_hrgs.csv: contents worked out from the fixture. */
Test(price_audit, files)
{
    g_autoptr(PriceAudit) a = price_audit_new();
    /* Added in no particular order: the files are sorted. */
    add(a, DS_AE, "RA9", "", "", "2006-08-01", "", "VB01Z", "", "", "");               /* 15000 */
    add(a, DS_APC, "RXX", "11", "1", "2006-06-01", "2006-06-06", "AA01A", "", "", ""); /* 100000 */
    add(a, DS_APC, "RA9", "11", "1", "2006-06-01", "2006-06-06", "AA01A", "", "", ""); /* 150000 */
    add(a, DS_APC, "RXX", "21", "1", "2006-06-01", "2006-06-02", "AA01A", "", "", ""); /* SSE 30000 */
    add(a, DS_APC, "RXX", "11", "1", "2006-06-01", "2006-06-02", "ZZ99Z", "", "", ""); /* UNPRICED */
    add(a, DS_APC, "RA9", "11", "1", "2006-06-01", "2006-06-02", "", "", "", "");      /* UNPRICED */
    add(a, DS_OP, "RXX", "", "", "2006-07-01", "", "", "100", "1", "3");               /* NOT_CHARGEABLE */
    add(a, DS_OP, "RXX", "", "", "2006-07-01", "", "", "999", "1", "5");               /* UNPRICED */
    add(a, DS_OP, "RBB", "", "", "2006-07-01", "", "WH01Z", "110", "2", "5");          /* 12519 */
    add(a, DS_APC, "RXX", "11", "1", "2006-06-01", "", "AA01A", "", "", "");           /* unfinished */
    cr_assert_eq(price_audit_units(a), 9);
    cr_assert_eq(price_audit_unfinished(a), 1);
    cr_assert_eq(price_audit_unpriced(a), 3);
    cr_assert_eq(price_audit_total_pence(a), 15000 + 100000 + 150000 + 30000 + 12519);
    g_autoptr(GError) e = NULL;
    cr_assert(price_audit_write(a, dir, &e), "%s", e ? e->message : "");
    g_autofree char *pa = slurp("pricing_audit.csv");
    cr_assert_str_eq(pa, "pod,price_method,provider_code,units,price_pence\n"
                         "AE,TARIFF,RA9,1,15000\n"
                         "EL,TARIFF,RA9,1,150000\n"
                         "EL,TARIFF,RXX,1,100000\n"
                         "EL,UNPRICED,RA9,1,0\n"
                         "EL,UNPRICED,RXX,1,0\n"
                         "NEL,TARIFF_SSE,RXX,1,30000\n"
                         "OPFA,NOT_CHARGEABLE,RXX,1,0\n"
                         "OPFA,UNPRICED,RXX,1,0\n"
                         "OPPROC,TARIFF,RBB,1,12519\n");
    g_autofree char *up = slurp("unpriced.csv");
    cr_assert_str_eq(up, "fin_year,dataset,pod,code,provider_code,units\n"
                         "2006/07,APC,EL,,RA9,1\n"
                         "2006/07,APC,EL,ZZ99Z,RXX,1\n"
                         "2006/07,OP,OPFA,999,RXX,1\n");
    g_autofree char *th = slurp("top_hrgs.csv");
    cr_assert_str_eq(th, "rank,hrg,units,price_pence\n"
                         "1,AA01A,3,280000\n"
                         "2,VB01Z,1,15000\n"
                         "3,WH01Z,1,12519\n"
                         "4,ZZ99Z,1,0\n");
}

/* top_hrgs.csv: the 20 highest-spend HRGs, equal spend by HRG code. */
Test(price_audit, top_twenty_ties)
{
    g_autoptr(PriceAudit) a = price_audit_new();
    /* H00..H24, H<i> spending (i / 2) x 100 pence, so pairs tie; added backwards. */
    for (int i = 24; i >= 0; i--) {
        char hrg[16];
        snprintf(hrg, sizeof hrg, "H%02d", i);
        Unit u;
        unit_clear(&u);
        u.dataset = DS_APC;
        u.hrg = hrg;
        u.pod = "EL";
        u.provider_code = "RXX";
        u.price_method = "TARIFF";
        u.fin_year = 2006;
        u.price_pence = (i / 2) * 100;
        price_audit_add(a, &u);
    }
    g_autoptr(GError) e = NULL;
    cr_assert(price_audit_write(a, dir, &e));
    g_autofree char *th = slurp("top_hrgs.csv");
    cr_assert_str_eq(th, "rank,hrg,units,price_pence\n"
                         "1,H24,1,1200\n"
                         "2,H22,1,1100\n3,H23,1,1100\n"
                         "4,H20,1,1000\n5,H21,1,1000\n"
                         "6,H18,1,900\n7,H19,1,900\n"
                         "8,H16,1,800\n9,H17,1,800\n"
                         "10,H14,1,700\n11,H15,1,700\n"
                         "12,H12,1,600\n13,H13,1,600\n"
                         "14,H10,1,500\n15,H11,1,500\n"
                         "16,H08,1,400\n17,H09,1,400\n"
                         "18,H06,1,300\n19,H07,1,300\n"
                         "20,H04,1,200\n");
}

/* An output directory that does not exist: an I/O error, nothing left behind. */
Test(price_audit, write_error)
{
    g_autoptr(PriceAudit) a = price_audit_new();
    g_autofree char *nodir = g_build_filename(dir, "missing", NULL);
    g_autoptr(GError) e = NULL;
    cr_assert_not(price_audit_write(a, nodir, &e));
    cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_IO));
}

/* Empty audit: headers only. */
Test(price_audit, empty)
{
    g_autoptr(PriceAudit) a = price_audit_new();
    g_autoptr(GError) e = NULL;
    cr_assert(price_audit_write(a, dir, &e));
    g_autofree char *th = slurp("top_hrgs.csv");
    cr_assert_str_eq(th, "rank,hrg,units,price_pence\n");
}

/* The stage's log: units and pence by POD and method, then totals. */
Test(price_audit, log_lines)
{
    pbc_log_set_verbose(TRUE);
    cr_redirect_stderr();
    g_autoptr(PriceAudit) a = price_audit_new();
    add(a, DS_APC, "RXX", "11", "1", "2006-06-01", "2006-06-06", "AA01A", "", "", "");
    add(a, DS_APC, "RA9", "11", "1", "2006-06-01", "2006-06-06", "AA01A", "", "", "");
    add(a, DS_AE, "RA9", "", "", "2006-08-01", "", "VB09Z", "", "", "");
    price_audit_log(a);
    fflush(stderr);
    cr_assert_stderr_eq_str(
        "test_pricing:   AE     UNPRICED                1 units              0 pence\n"
        "test_pricing:   EL     TARIFF                  2 units         250000 pence\n"
        "test_pricing: priced 3 units, total 250000 pence; 1 unpriced; 0 unfinished spells not "
        "priced\n");
}
