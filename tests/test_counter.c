/*
 * test_counter.c: sums keyed by string tuples, written sorted (lib/counter.c).
 *
 * The data-quality (R-G5), audit and reconciliation outputs are counters;
 * their rows come out in byte order of the key parts, compared part by part
 * ("A" before "AB", and ("A", "Z") before ("AB", "A")), so every report is
 * the same whatever order the units arrived in.
 */
#include "counter.h"
#include "log.h"

#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <string.h>

static char *dir;

static void
setup(void)
{
    pbc_log_init("test_counter");
    dir = g_dir_make_tmp("pbc-counter-XXXXXX", NULL);
    cr_assert_not_null(dir);
}

static void
teardown(void)
{
    g_autofree char *p = g_build_filename(dir, "out.csv", NULL);
    g_unlink(p);
    g_rmdir(dir);
    g_free(dir);
}

TestSuite(counter, .init = setup, .fini = teardown);

/* Writes c (with a header) and returns the file's text. */
static char *
written(const Counter *c, const char *const *header)
{
    g_autofree char *p = g_build_filename(dir, "out.csv", NULL);
    g_autoptr(GError) e = NULL;
    CsvOut *o = csv_out_create(p, CSV_OUT_PUBLIC, header, &e);
    cr_assert_not_null(o);
    counter_write(c, o);
    cr_assert(csv_out_commit(o, &e), "%s", e ? e->message : "");
    char *s;
    cr_assert(g_file_get_contents(p, &s, NULL, NULL));
    return s;
}

/* Sums accumulate per key; rows come out sorted whatever the insertion order. */
Test(counter, sorted_output)
{
    g_autoptr(Counter) c = counter_new(2, 2);
    counter_add2(c, "RBB", "2006-05", 1, 100);
    counter_add2(c, "RA9", "2006-06", 2, 200);
    counter_add2(c, "RA9", "2006-05", 3, 300);
    counter_add2(c, "RBB", "2006-05", 4, 400);
    counter_add2(c, "RA9", "2006-06", 5, -50);
    cr_assert_eq(counter_size(c), 3);
    static const char *const header[] = {"provider", "month", "rows", "pence", NULL};
    g_autofree char *got = written(c, header);
    cr_assert_str_eq(got, "provider,month,rows,pence\n"
                          "RA9,2006-05,3,300\n"
                          "RA9,2006-06,7,150\n"
                          "RBB,2006-05,5,500\n");
}

/* Part-wise order: "A" before "AB" and ("A", "Z") before ("AB", "A"). */
Test(counter, part_wise_order)
{
    g_autoptr(Counter) c = counter_new(2, 1);
    counter_add2(c, "AB", "A", 1, 0);
    counter_add2(c, "A", "Z", 2, 0);
    counter_add2(c, "A", "", 3, 0);
    counter_add2(c, "", "Z", 4, 0);
    counter_add2(c, "A", "ZZ", 5, 0);
    counter_add2(c, "B", "A", 6, 0);
    counter_add2(c, "a", "A", 7, 0);
    g_autofree char *got = written(c, NULL);
    cr_assert_str_eq(got, ",Z,4\n"   /* a blank part first */
                          "A,,3\n"
                          "A,Z,2\n"
                          "A,ZZ,5\n"
                          "AB,A,1\n"
                          "B,A,6\n"
                          "a,A,7\n"); /* byte order: upper case before lower */
}

/* Control bytes sort in byte order too: ("A", ...) before ("A\t", ...). */
Test(counter, part_wise_order_below_separator)
{
    g_autoptr(Counter) c = counter_new(2, 1);
    counter_add2(c, "A\t", "x", 1, 0);
    counter_add2(c, "A", "y", 2, 0);
    counter_add2(c, "A\x01", "z", 3, 0);
    g_autofree char *got = written(c, NULL);
    cr_assert_str_eq(got, "A,y,2\n"
                          "A\x01,z,3\n"
                          "\"A\t\",x,1\n");
}

/* NULL parts are blank: the same key as "". */
Test(counter, null_parts)
{
    g_autoptr(Counter) c = counter_new(3, 1);
    const char *k1[] = {"RA9", NULL, "X"};
    const char *k2[] = {"RA9", "", "X"};
    int64_t one = 1;
    counter_add(c, k1, &one);
    counter_add(c, k2, &one);
    cr_assert_eq(counter_size(c), 1);
    const int64_t *v = counter_get(c, k2);
    cr_assert_not_null(v);
    cr_assert_eq(v[0], 2);
    const char *absent[] = {"RA9", "", "Y"};
    cr_assert_null(counter_get(c, absent));
}

/* Parts with commas and quotes are quoted in the output. */
Test(counter, csv_quoting)
{
    g_autoptr(Counter) c = counter_new(1, 1);
    const char *k[] = {"say \"hi\", then"};
    int64_t v = 9;
    counter_add(c, k, &v);
    g_autofree char *got = written(c, NULL);
    cr_assert_str_eq(got, "\"say \"\"hi\"\", then\",9\n");
}

typedef struct {
    GString *s;
} Collect;

static void
collect(const char *const *parts, const int64_t *sums, gpointer data)
{
    Collect *c = data;
    g_string_append_printf(c->s, "%s|%s|%s=%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ";", parts[0],
                           parts[1], parts[2], sums[0], sums[1]);
}

/* counter_foreach_sorted hands over the parts split back and the sums. */
Test(counter, foreach_sorted)
{
    g_autoptr(Counter) c = counter_new(3, 2);
    const char *a[] = {"P2", "", "EL"};
    const char *b[] = {"P1", "2006-04", ""};
    const char *d[] = {"P1", "2006-04", "AE"};
    int64_t s1[] = {1, 10}, s2[] = {2, 20};
    counter_add(c, a, s1);
    counter_add(c, b, s2);
    counter_add(c, d, s1);
    counter_add(c, a, s2);
    Collect col = {g_string_new(NULL)};
    counter_foreach_sorted(c, collect, &col);
    cr_assert_str_eq(col.s->str, "P1|2006-04|=2,20;P1|2006-04|AE=1,10;P2||EL=3,30;");
    g_string_free(col.s, TRUE);
}

/* Ten thousand keys in scrambled order come out sorted. */
Test(counter, many_keys)
{
    g_autoptr(Counter) c = counter_new(2, 1);
    guint32 x = 1;
    for (int i = 0; i < 10000; i++) {
        x = x * 1103515245u + 12345u;
        char k1[16], k2[16];
        g_snprintf(k1, sizeof k1, "%u", (x >> 8) % 300);
        g_snprintf(k2, sizeof k2, "%u", (x >> 4) % 50);
        counter_add2(c, k1, k2, 1, 0);
    }
    g_autofree char *got = written(c, NULL);
    g_auto(GStrv) lines = g_strsplit(got, "\n", -1);
    int64_t total = 0;
    for (int i = 0; lines[i] && lines[i][0]; i++) {
        g_auto(GStrv) f = g_strsplit(lines[i], ",", -1);
        total += g_ascii_strtoll(f[2], NULL, 10);
        if (i == 0)
            continue;
        g_auto(GStrv) p = g_strsplit(lines[i - 1], ",", -1);
        int c1 = strcmp(p[0], f[0]);
        cr_assert(c1 < 0 || (c1 == 0 && strcmp(p[1], f[1]) < 0), "%s then %s", lines[i - 1],
                  lines[i]);
    }
    cr_assert_eq(total, 10000);
}

Test(counter, empty)
{
    g_autoptr(Counter) c = counter_new(2, 3);
    cr_assert_eq(counter_size(c), 0);
    static const char *const header[] = {"a", "b", "x", "y", "z", NULL};
    g_autofree char *got = written(c, header);
    cr_assert_str_eq(got, "a,b,x,y,z\n");
    counter_free(NULL);
}
