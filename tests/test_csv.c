/* test_csv.c - line splitting (fast path vs libcsv twin) and the line reader's
 * piece rule (byte ranges aligned to line starts, BOM, CRLF, gzip). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* for unlink */
#include <zlib.h>

#include "cunit_main.h"
#include "io/csvrow.h"
#include "io/lines.h"
#include "base/error.h"
#include "mpi/run.h"

static run_ctx *run;

static int split_str(csvrow *r, const char *s, int ref, char out[][64], int max)
{
    const csv_field *f = NULL;
    int32_t nf = 0;
    int rc = ref ? csvrow_split_ref(r, s, strlen(s), &f, &nf) : csvrow_split(r, s, strlen(s), &f, &nf);
    if (rc != CSVROW_OK) return -rc;
    for (int i = 0; i < nf && i < max; ++i) snprintf(out[i], 64, "%.*s", (int)f[i].n, f[i].p);
    return nf;
}

static void test_fast_equals_libcsv(void)
{
    static const char *samples[] = {"a,b,c", "1,,3", ",", "", "x", " a , b ,c ", "1.5,-2,3e4,", ",,,", "\ta\t,b",
                                  "\"a\",\"b,c\", d", "\"\"", "\"x\" , \"y\"", "1,\"\",3", "\"Computer\",30,1,0"};
    csvrow *r = csvrow_new();
    char fa[16][64], fb[16][64];
    for (size_t i = 0; i < sizeof samples / sizeof *samples; ++i) {
        int na = split_str(r, samples[i], 0, fa, 16);
        int nb = split_str(r, samples[i], 1, fb, 16);
        CU_ASSERT_EQUAL(na, nb);
        for (int k = 0; k < na && k < nb && k < 16; ++k) CU_ASSERT_STRING_EQUAL(fa[k], fb[k]);
    }
    csvrow_free(r);
}

/* Random lines over a small alphabet: the fast splitter and libcsv must agree on
 * success, field count and every field, or both reject the line. */
static void test_random_lines_fast_equals_libcsv(void)
{
    static const char alphabet[] = "a1 ,\"\"\t";
    csvrow *r = csvrow_new();
    uint64_t state = 12345;
    int disagree = 0;
    char line[32], copy[32][64];
    for (int it = 0; it < 200000; ++it) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        int len = (int)((state >> 33) % 12);
        for (int i = 0; i < len; ++i) {
            state = state * 6364136223846793005u + 1442695040888963407u;
            line[i] = alphabet[(state >> 33) % (sizeof alphabet - 1)];
        }
        line[len] = '\0';
        const csv_field *f = NULL;
        int32_t na = 0, nb = 0;
        int ra = csvrow_split(r, line, (size_t)len, &f, &na);
        for (int k = 0; ra == CSVROW_OK && k < na && k < 32; ++k) snprintf(copy[k], 64, "%.*s", (int)f[k].n, f[k].p);
        int rb = csvrow_split_ref(r, line, (size_t)len, &f, &nb);
        int same = ra == rb && (ra != CSVROW_OK || na == nb);
        for (int k = 0; same && ra == CSVROW_OK && k < na && k < 32; ++k)
            same = strlen(copy[k]) == f[k].n && memcmp(copy[k], f[k].p, f[k].n) == 0;
        if (!same && disagree++ < 5)
            printf("\n  disagree on [%s]: fast rc %d n %d, libcsv rc %d n %d", line, ra, na, rb, nb);
    }
    CU_ASSERT_EQUAL(disagree, 0);
    csvrow_free(r);
}

static void test_quotes(void)
{
    csvrow *r = csvrow_new();
    char f[16][64];
    CU_ASSERT_EQUAL(split_str(r, "\"a,b\",\"say \"\"hi\"\"\",c", 0, f, 16), 3);
    CU_ASSERT_STRING_EQUAL(f[0], "a,b");
    CU_ASSERT_STRING_EQUAL(f[1], "say \"hi\"");
    CU_ASSERT_STRING_EQUAL(f[2], "c");
    CU_ASSERT_EQUAL(split_str(r, "\"entity_id\",\"att1\"", 0, f, 16), 2);
    CU_ASSERT_STRING_EQUAL(f[0], "entity_id");
    CU_ASSERT_EQUAL(split_str(r, "\"open,b", 0, f, 16), -CSVROW_EQUOTE);
    CU_ASSERT_EQUAL(split_str(r, "ab\"c,d", 0, f, 16), -CSVROW_EQUOTE);
    /* the parser is usable again after an error */
    CU_ASSERT_EQUAL(split_str(r, "\"q\",1", 0, f, 16), 2);
    CU_ASSERT_STRING_EQUAL(f[0], "q");
    csvrow_free(r);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
}

/* Read the lines of [b, e) and append "lineno:text;" to out. */
static void read_piece(const char *path, int gz, int64_t b, int64_t e, char *out)
{
    lines *L = NULL;
    CU_ASSERT_EQUAL_FATAL(lines_open(run, path, gz, b, e, &L), SB_OK);
    const char *s;
    size_t n;
    while (lines_next(run, L, &s, &n) == SB_OK && s != NULL)
        sprintf(out + strlen(out), "%lld:%.*s;", (long long)lines_number(L), (int)n, s);
    lines_close(L);
}

static void test_pieces_tile_the_file(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/sb_test_lines.%d.csv", (int)getpid());
    const char *text = "\xEF\xBB\xBFh1,h2\r\nab,1\r\n\ncde,22\nf,3"; /* BOM, CRLF, blank line, no final \n */
    write_file(path, text);
    int64_t size = (int64_t)strlen(text);
    char whole[512] = "";
    read_piece(path, 0, 0, size, whole);
    CU_ASSERT_STRING_EQUAL(whole, "1:h1,h2;2:ab,1;3:;4:cde,22;5:f,3;");
    /* every split point: the pieces together give exactly the whole */
    for (int64_t cut = 0; cut <= size; ++cut)
        for (int64_t cut2 = cut; cut2 <= size; ++cut2) {
            char joined[512] = "";
            read_piece(path, 0, 0, cut, joined);
            read_piece(path, 0, cut, cut2, joined);
            read_piece(path, 0, cut2, size, joined);
            CU_ASSERT_STRING_EQUAL(joined, whole);
        }
    unlink(path);
}

static void test_gzip_and_truncation(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/sb_test_lines.%d.csv.gz", (int)getpid());
    gzFile g = gzopen(path, "wb");
    for (int i = 0; i < 20000; ++i) gzprintf(g, "%d,%d\n", i, i * 7);
    gzclose(g);
    char *out = calloc(1, 1 << 20);
    lines *L = NULL;
    CU_ASSERT_EQUAL_FATAL(lines_open(run, path, 1, 0, 0, &L), SB_OK);
    const char *s;
    size_t n;
    int64_t count = 0;
    while (lines_next(run, L, &s, &n) == SB_OK && s != NULL) ++count;
    CU_ASSERT_EQUAL(count, 20000);
    lines_close(L);
    /* cut the file in half: reading must fail, not end quietly */
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fclose(f);
    CU_ASSERT_EQUAL(truncate(path, sz / 2), 0);
    CU_ASSERT_EQUAL_FATAL(lines_open(run, path, 1, 0, 0, &L), SB_OK);
    int rc = SB_OK;
    while ((rc = lines_next(run, L, &s, &n)) == SB_OK && s != NULL) {}
    CU_ASSERT_EQUAL(rc, SB_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "truncated"));
    err_clear(run);
    lines_close(L);
    free(out);
    unlink(path);
}

static const sb_test tests[] = {
    {"fast split == libcsv split", test_fast_equals_libcsv},
    {"quoted fields and quote errors", test_quotes},
    {"random lines: fast split == libcsv", test_random_lines_fast_equals_libcsv},
    {"byte-range pieces tile the file (BOM, CRLF, blank, no final newline)", test_pieces_tile_the_file},
    {"gzip lines and truncated gzip", test_gzip_and_truncation},
};

SB_TEST_MAIN(&run, SB_SUITE("csv", tests))
