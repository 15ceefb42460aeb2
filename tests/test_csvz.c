/* test_csvz.c - gzip CSV writer (members, tmp + rename, sticky error) and the
 * MPI-IO merge on one rank (multi-rank merges: tests/integration/predict_*.sh). */
#include <signal.h>       /* for signal, SIGXFSZ */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h> /* for setrlimit */
#include <unistd.h>       /* for access, unlink */
#include <zlib.h>         /* for gzopen, gzread */

#include "cunit_main.h"
#include "helpers.h"
#include "io/csvz.h"
#include "io/gz_merge.h"
#include "base/error.h"
#include "mpi/run.h"

static run_ctx *run;
static char dir[128]; /* $TMPDIR/sb_csvz_<pid>.XXXXXX */

static char *path_in(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* Whole decompressed content of a (possibly multi-member) gzip file. */
static char *gunzip_all(const char *path, size_t *len)
{
    gzFile g = gzopen(path, "rb");
    if (g == NULL) return NULL;
    size_t cap = 1 << 20, n = 0;
    char *out = malloc(cap);
    int got;
    while ((got = gzread(g, out + n, (unsigned)(cap - n - 1))) > 0) {
        n += (size_t)got;
        if (cap - n < 2) out = realloc(out, cap *= 2);
    }
    gzclose(g);
    out[n] = '\0';
    *len = n;
    return out;
}

/* Decompress a gzip file member by member with zlib's inflate; returns the
 * text (NUL-terminated, *len bytes) and the number of members, or NULL if the
 * file is not a clean sequence of complete members. */
static char *inflate_members(const char *path, size_t *len, int *members)
{
    size_t n = 0;
    unsigned char *in = (unsigned char *)sb_slurp(path, &n);
    if (in == NULL) return NULL;
    size_t cap = 1 << 20, have = 0;
    char *out = malloc(cap);
    int m = 0, ok = 1;
    z_stream z;
    memset(&z, 0, sizeof z);
    z.next_in = in;
    z.avail_in = (uInt)n;
    while (ok && z.avail_in > 0) {
        if (inflateInit2(&z, 15 + 16) != Z_OK) {
            ok = 0;
            break;
        }
        int zrc;
        do {
            if (cap - have < (1 << 16)) out = realloc(out, cap *= 2);
            z.next_out = (unsigned char *)out + have;
            z.avail_out = (uInt)(cap - have - 1);
            zrc = inflate(&z, Z_NO_FLUSH);
            have = (size_t)((char *)z.next_out - out);
        } while (zrc == Z_OK);
        inflateEnd(&z);
        if (zrc != Z_STREAM_END) ok = 0;
        else ++m;
    }
    free(in);
    if (!ok) {
        free(out);
        return NULL;
    }
    out[have] = '\0';
    *len = have;
    *members = m;
    return out;
}

/* Some rows of text; returns its length in buf. */
static size_t rows_text(char *buf, int first, int n)
{
    size_t len = 0;
    for (int i = first; i < first + n; ++i) len += (size_t)sprintf(buf + len, "%d,%.17g\n", i, i / 7.0);
    return len;
}

static void test_members_and_rename(void)
{
    csvz *w = NULL;
    const char *fin = path_in("part-00000.csv.gz"), *tmp = path_in(".part-00000.csv.gz.tmp");
    CU_ASSERT_EQUAL_FATAL(csvz_open(run, fin, tmp, 6, &w), SB_OK);
    csvz_write(w, "id,prediction\n", 14);
    csvz_end_member(w);
    int64_t header_bytes = csvz_file_bytes(w);
    CU_ASSERT_TRUE(header_bytes > 20);
    char *rows = malloc(8 << 20);
    size_t rows_len = rows_text(rows, 0, 200000); /* > 1 MiB: several deflate chunks */
    for (size_t off = 0; off < rows_len; off += 1000) {
        size_t piece = rows_len - off < 1000 ? rows_len - off : 1000;
        memcpy(csvz_reserve(w, piece), rows + off, piece);
        csvz_commit(w, piece);
    }
    CU_ASSERT_EQUAL(access(fin, F_OK), -1); /* nothing under the final name yet */
    CU_ASSERT_EQUAL(csvz_close(run, w), SB_OK);
    CU_ASSERT_EQUAL(csvz_text_bytes(w), (int64_t)(14 + rows_len));
    CU_ASSERT_EQUAL(access(fin, F_OK), -1);
    CU_ASSERT_EQUAL(csvz_rename(run, w), SB_OK);
    CU_ASSERT_EQUAL(access(tmp, F_OK), -1);
    size_t n = 0;
    char *back = gunzip_all(fin, &n);
    CU_ASSERT_EQUAL_FATAL(n, 14 + rows_len);
    CU_ASSERT_EQUAL(memcmp(back, "id,prediction\n", 14), 0);
    CU_ASSERT_EQUAL(memcmp(back + 14, rows, rows_len), 0);
    free(back);

    /* Merge on one rank: the part file minus its header member is the rows alone. */
    const char *merged = path_in("rows-only.csv.gz");
    int64_t total = 0;
    CU_ASSERT_EQUAL(gz_merge_write(run, merged, fin, header_bytes, csvz_file_bytes(w) - header_bytes, &total), SB_OK);
    CU_ASSERT_EQUAL(total, csvz_file_bytes(w) - header_bytes);
    back = gunzip_all(merged, &n);
    CU_ASSERT_EQUAL(n, rows_len);
    CU_ASSERT_TRUE(back != NULL && memcmp(back, rows, rows_len) == 0);
    free(back);
    free(rows);
    csvz_free(w);
}

static void test_empty_file_is_valid_gzip(void)
{
    const int levels[] = {0, 1, 6, 9};
    for (int li = 0; li < 4; ++li) {
        csvz *w = NULL;
        const char *fin = path_in("empty.csv.gz");
        CU_ASSERT_EQUAL_FATAL(csvz_open(run, fin, path_in("empty.tmp"), levels[li], &w), SB_OK);
        CU_ASSERT_EQUAL(csvz_close(run, w), SB_OK);
        CU_ASSERT_EQUAL(csvz_rename(run, w), SB_OK);
        size_t n = 99;
        char *back = gunzip_all(fin, &n);
        CU_ASSERT_PTR_NOT_NULL(back);
        CU_ASSERT_EQUAL(n, 0);
        free(back);
        int members = 0;
        back = inflate_members(fin, &n, &members);
        CU_ASSERT_TRUE(back != NULL && n == 0 && members == 1);
        free(back);
        csvz_free(w);
    }
}

static void test_reproducible_bytes(void)
{
    char *rows = malloc(1 << 20);
    size_t len = rows_text(rows, 5, 20000);
    char *bytes[2];
    size_t n[2];
    for (int k = 0; k < 2; ++k) {
        csvz *w = NULL;
        const char *fin = path_in(k ? "r1.csv.gz" : "r0.csv.gz");
        CU_ASSERT_EQUAL_FATAL(csvz_open(run, fin, path_in("r.tmp"), 1, &w), SB_OK);
        csvz_write(w, rows, len);
        CU_ASSERT_EQUAL(csvz_close(run, w), SB_OK);
        CU_ASSERT_EQUAL(csvz_rename(run, w), SB_OK);
        csvz_free(w);
        FILE *f = fopen(fin, "rb");
        bytes[k] = malloc(1 << 20);
        n[k] = fread(bytes[k], 1, 1 << 20, f);
        fclose(f);
    }
    CU_ASSERT_EQUAL(n[0], n[1]);
    CU_ASSERT_EQUAL(memcmp(bytes[0], bytes[1], n[0]), 0);
    free(bytes[0]);
    free(bytes[1]);
    free(rows);
}

#define MEMBER_TEXT ((size_t)1 << 20) /* csvz.c TEXT_CAP */

/* Write text cut into pieces of `piece` bytes (0: one csvz_write), ending a
 * member after the first `head` bytes; returns the file's bytes. */
static unsigned char *write_cut(const char *name, int level, const char *text, size_t len, size_t head,
                                size_t piece, size_t *file_len)
{
    csvz *w = NULL;
    const char *fin = path_in(name);
    if (csvz_open(run, fin, path_in("cut.tmp"), level, &w) != SB_OK) return NULL;
    csvz_write(w, text, head);
    csvz_end_member(w);
    if (piece == 0) {
        csvz_write(w, text + head, len - head);
    } else {
        for (size_t off = head; off < len; off += piece) {
            size_t k = len - off < piece ? len - off : piece;
            memcpy(csvz_reserve(w, CSVZ_RESERVE_MAX), text + off, k);
            csvz_commit(w, k);
        }
    }
    int rc = csvz_close(run, w);
    if (rc == SB_OK) rc = csvz_rename(run, w);
    csvz_free(w);
    return rc == SB_OK ? (unsigned char *)sb_slurp(fin, file_len) : NULL;
}

/* Levels 0/1/6/9: the text comes back through zlib, one member per 1 MiB of
 * text after the header member, and the member boundaries (so the bytes) do
 * not depend on how the text was cut into reserve/commit pieces. */
static void test_levels_members_and_cuts(void)
{
    char *rows = malloc(16 << 20);
    size_t len = rows_text(rows, 0, 300000) + 14; /* header + ~5.7 MiB: several members */
    memmove(rows + 14, rows, len - 14);
    memcpy(rows, "id,prediction\n", 14);
    const int levels[] = {0, 1, 6, 9};
    size_t size_at[4] = {0};
    for (int li = 0; li < 4; ++li) {
        size_t n0 = 0, n1 = 0, n2 = 0;
        unsigned char *a = write_cut("lv.csv.gz", levels[li], rows, len, 14, 0, &n0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        size_t tlen = 0;
        int members = 0;
        char *back = inflate_members(path_in("lv.csv.gz"), &tlen, &members);
        CU_ASSERT_PTR_NOT_NULL_FATAL(back);
        CU_ASSERT_EQUAL(tlen, len);
        CU_ASSERT_EQUAL(memcmp(back, rows, len), 0);
        CU_ASSERT_EQUAL(members, 1 + (int)((len - 14 + MEMBER_TEXT - 1) / MEMBER_TEXT));
        free(back);
        back = gunzip_all(path_in("lv.csv.gz"), &tlen); /* gzread across members */
        CU_ASSERT_TRUE(tlen == len && memcmp(back, rows, len) == 0);
        free(back);
        unsigned char *b = write_cut("lv.csv.gz", levels[li], rows, len, 14, 37, &n1);
        unsigned char *c = write_cut("lv.csv.gz", levels[li], rows, len, 14, 65536, &n2);
        CU_ASSERT_TRUE(b != NULL && n1 == n0 && memcmp(a, b, n0) == 0);
        CU_ASSERT_TRUE(c != NULL && n2 == n0 && memcmp(a, c, n0) == 0);
        size_at[li] = n0;
        free(a);
        free(b);
        free(c);
    }
    CU_ASSERT_TRUE(size_at[0] > len);         /* stored */
    CU_ASSERT_TRUE(size_at[1] < len / 2);     /* digits compress about 2.3x */
    CU_ASSERT_TRUE(size_at[2] < size_at[1]);
    CU_ASSERT_TRUE(size_at[3] <= size_at[2]);
    free(rows);
}

/* Text of exactly one and two member sizes, and end_member twice in a row:
 * no empty member after a full one, one empty member for an empty group. */
/* Write text with one csvz_write at level into file `name`; returns the
 * inflated content (NULL if the file did not come out), its length and
 * member count. */
static char *write_inflate(const char *name, int level, const char *text, size_t len, size_t *n, int *members)
{
    csvz *w = NULL;
    const char *fin = path_in(name);
    if (csvz_open(run, fin, path_in("w.tmp"), level, &w) != SB_OK) return NULL;
    csvz_write(w, text, len);
    CU_ASSERT_EQUAL(csvz_close(run, w), SB_OK);
    CU_ASSERT_EQUAL(csvz_rename(run, w), SB_OK);
    csvz_free(w);
    return inflate_members(fin, n, members);
}

static void test_member_edges(void)
{
    char *text = malloc(2 * MEMBER_TEXT + 1);
    for (size_t i = 0; i < 2 * MEMBER_TEXT; ++i) text[i] = (char)('0' + (i * 7 + i / 13) % 10);
    const size_t sizes[] = {1, MEMBER_TEXT - 1, MEMBER_TEXT, MEMBER_TEXT + 1, 2 * MEMBER_TEXT};
    const int want[] = {1, 1, 1, 2, 2};
    for (int k = 0; k < 5; ++k) {
        size_t n = 0;
        int members = 0;
        char *back = write_inflate("edge.csv.gz", 1, text, sizes[k], &n, &members);
        CU_ASSERT_PTR_NOT_NULL_FATAL(back);
        CU_ASSERT_EQUAL(n, sizes[k]);
        CU_ASSERT_EQUAL(memcmp(back, text, sizes[k]), 0);
        CU_ASSERT_EQUAL(members, want[k]);
        free(back);
    }
    /* Empty groups: header member, an empty member, then text. */
    csvz *w = NULL;
    const char *fin = path_in("groups.csv.gz");
    CU_ASSERT_EQUAL_FATAL(csvz_open(run, fin, path_in("groups.tmp"), 6, &w), SB_OK);
    csvz_write(w, "h\n", 2);
    csvz_end_member(w);
    int64_t after_header = csvz_file_bytes(w);
    csvz_end_member(w);
    CU_ASSERT_TRUE(csvz_file_bytes(w) > after_header); /* an empty but complete member */
    csvz_write(w, "x\n", 2);
    CU_ASSERT_EQUAL(csvz_close(run, w), SB_OK);
    CU_ASSERT_EQUAL(csvz_rename(run, w), SB_OK);
    csvz_free(w);
    size_t n = 0;
    int members = 0;
    char *back = inflate_members(fin, &n, &members);
    CU_ASSERT_TRUE(back != NULL && n == 4 && memcmp(back, "h\nx\n", 4) == 0 && members == 3);
    free(back);
    free(text);
}

/* Incompressible text (random bytes) at the two compressors' levels: every
 * member fits the output buffer (igzip falls back to stored blocks) and the
 * file inflates to the text. */
static void test_incompressible_text(void)
{
    const size_t len = 2 * MEMBER_TEXT + 4321;
    char *text = malloc(len);
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < len; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        text[i] = (char)(x >> 56);
    }
    const int levels[] = {1, 2};
    for (int k = 0; k < 2; ++k) {
        size_t n = 0;
        int members = 0;
        char *back = write_inflate("rand.csv.gz", levels[k], text, len, &n, &members);
        CU_ASSERT_TRUE(back != NULL && n == len && memcmp(back, text, len) == 0 && members == 3);
        free(back);
    }
    free(text);
}

static void test_bad_level_and_path(void)
{
    csvz *w = NULL;
    CU_ASSERT_EQUAL(csvz_open(run, path_in("x"), path_in("x.tmp"), 10, &w), SB_EINVAL);
    err_clear(run);
    CU_ASSERT_EQUAL(csvz_open(run, "/nonexistent-dir/x", "/nonexistent-dir/x.tmp", 6, &w), SB_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "/nonexistent-dir/x.tmp"));
    CU_ASSERT_PTR_NULL(w);
    err_clear(run);
}

/* A write error (file size limit) is remembered, reported at close naming the
 * file, and the temporary file is removed. */
static void test_sticky_write_error(void)
{
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = 100000;
    CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_FSIZE, &lim), 0);
    csvz *w = NULL;
    const char *fin = path_in("big.csv.gz"), *tmp = path_in("big.tmp");
    CU_ASSERT_EQUAL_FATAL(csvz_open(run, fin, tmp, 0, &w), SB_OK); /* level 0: stored, grows fast */
    char *rows = malloc(8 << 20);
    size_t len = rows_text(rows, 0, 200000);
    csvz_write(w, rows, len);
    int64_t at_error = csvz_file_bytes(w);
    CU_ASSERT_TRUE(at_error <= 100000);
    csvz_write(w, rows, len); /* keeps going after the error: a no-op, no crash */
    csvz_end_member(w);
    CU_ASSERT_EQUAL(csvz_file_bytes(w), at_error);
    int rc = csvz_close(run, w);
    setrlimit(RLIMIT_FSIZE, &old);
    CU_ASSERT_EQUAL(rc, SB_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "big.tmp"));
    CU_ASSERT_EQUAL(access(tmp, F_OK), -1);
    CU_ASSERT_EQUAL(access(fin, F_OK), -1);
    CU_ASSERT_NOT_EQUAL(csvz_rename(run, w), SB_OK);
    err_clear(run);
    csvz_free(w);
    free(rows);
}

static void test_merge_missing_source(void)
{
    const char *merged = path_in("m.csv.gz");
    CU_ASSERT_NOT_EQUAL(gz_merge_write(run, merged, path_in("no-such-file"), 0, 100, NULL), SB_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "no-such-file"));
    CU_ASSERT_EQUAL(access(merged, F_OK), -1); /* a failed merge leaves no file */
    err_clear(run);
}

static const sb_test tests[] = {
    {"header member + rows, tmp then rename, merge of rows only", test_members_and_rename},
    {"empty file is valid gzip", test_empty_file_is_valid_gzip},
    {"same text, same bytes", test_reproducible_bytes},
    {"levels 0/1/6/9, one member per 1 MiB, bytes independent of the cuts", test_levels_members_and_cuts},
    {"member edges: exact buffer sizes, empty members", test_member_edges},
    {"incompressible text at levels 1 (igzip) and 2 (libdeflate)", test_incompressible_text},
    {"bad level, bad path", test_bad_level_and_path},
    {"sticky write error removes tmp", test_sticky_write_error},
    {"merge of a missing source fails cleanly", test_merge_missing_source},
};

static int make_dir(void) { return sb_make_tmpdir(dir, sizeof dir, "csvz"); }
static int remove_dir(void) { return sb_remove_tree(dir); }

SB_TEST_MAIN(&run, SB_SUITE_FIXTURE("csvz", tests, make_dir, remove_dir))
