/* test_h5.c - HDF5 table round trip: features, label, weight, int64 and string
 * ids, names, levels, counts; temp file renamed; failures leave no file. Runs as
 * a singleton (run_tests.sh) and under mpirun -np 3 (tests/integration/ingest_h5.sh):
 * uneven write shards with an empty rank, read back as table_shard_range blocks. */
#include <math.h>
#include <stdio.h>  /* for snprintf */
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* for access, unlink */

#include "cunit_main.h"
#include "helpers.h"
#include "io/h5io.h"
#include "io/source.h"
#include "jobs/predict_ahead.h"
#include "mpi/comm.h"
#include "base/error.h"
#include "mpi/run.h"

static run_ctx *run;

/* The shared in-memory table (helpers.h) plus what an ingested file carries: a categorical
 * column, a drop rule, int64 and string ids. */
static void make_table(sb_table *t, int64_t n)
{
    static const char *const names[] = {"a", "color", "b"};
    float *x = calloc((size_t)n * 3, sizeof *x);
    double *label = calloc((size_t)n, sizeof *label), *weight = calloc((size_t)n, sizeof *weight);
    for (int64_t r = 0; r < n; ++r) {
        x[r * 3] = (float)r * 0.5f;
        x[r * 3 + 1] = (r % 3 == 2) ? NAN : (float)(r % 2);
        x[r * 3 + 2] = -(float)r;
        label[r] = 1.0 / (double)(r + 1);
        weight[r] = (double)(r % 7);
    }
    sb_make_table(t, n, 3, names, "rate", x, label, weight);
    free(x);
    free(label);
    free(weight);
    t->drop_rule = strdup("trials == 0");
    t->rows_read = n + 3;
    t->dropped_zero_trials = 3;
    t->feat[1].n_levels = 2;
    t->feat[1].levels = calloc(2, sizeof(char *));
    t->feat[1].levels[0] = strdup("blue");
    t->feat[1].levels[1] = strdup("red");
    t->n_ids = 2;
    t->ids = calloc(2, sizeof *t->ids);
    t->ids[0].name = strdup("id");
    t->ids[0].type = SB_ID_INT64;
    t->ids[0].i64 = calloc((size_t)n, sizeof(int64_t));
    t->ids[1].name = strdup("shop");
    t->ids[1].type = SB_ID_STRING;
    t->ids[1].width = 6;
    t->ids[1].str = calloc((size_t)n, 6);
    for (int64_t r = 0; r < n; ++r) {
        t->ids[0].i64[r] = INT64_MAX - r;
        memcpy(t->ids[1].str + r * 6, r % 2 ? "shopAB" : "s", r % 2 ? 6 : 1);
    }
}

/* A view of rows [b, e) of a full table, as one rank would hold them (not freed). */
static sb_table slice(const sb_table *t, int64_t b, int64_t e)
{
    sb_table v = *t;
    v.n_rows = e - b;
    v.row_start = b;
    v.x = t->x + b * t->n_feat;
    if (t->label) v.label = t->label + b;
    if (t->weight) v.weight = t->weight + b;
    static sb_id_col ids[2];
    ids[0] = t->ids[0];
    ids[1] = t->ids[1];
    ids[0].i64 = t->ids[0].i64 + b;
    ids[1].str = t->ids[1].str + b * t->ids[1].width;
    v.ids = ids;
    return v;
}

/* Uneven write shards: rank 0 holds no rows when there are several ranks. */
static void write_range(int64_t n, int64_t *b, int64_t *e)
{
    int r = run_rank(run), s = run_size(run);
    if (s == 1) {
        *b = 0, *e = n;
        return;
    }
    *b = r == 0 ? 0 : n * (r - 1) / (s - 1);
    *e = r == 0 ? 0 : n * r / (s - 1);
}

static void temp_path(char *buf, size_t n, const char *tag)
{
    int64_t pid = run_rank(run) == 0 ? (int64_t)getpid() : 0;
    comm_bcast(run, &pid, sizeof pid, 0);
    snprintf(buf, n, "/tmp/sb_test_h5.%lld.%s.h5", (long long)pid, tag);
}

static void test_round_trip(void)
{
    char path[256], tmp[300];
    temp_path(path, sizeof path, "rt");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    const int64_t N = 5000;
    sb_table t, u;
    make_table(&t, N);
    int64_t b, e;
    write_range(N, &b, &e);
    sb_table mine = slice(&t, b, e);
    CU_ASSERT_EQUAL_FATAL(h5_write_table(run, path, &mine), SB_OK);
    CU_ASSERT_EQUAL(access(path, F_OK), 0);
    CU_ASSERT_NOT_EQUAL(access(tmp, F_OK), 0);
    const char *paths[] = {path};
    sb_source src = {paths, 1, NULL, NULL, 1, NULL, 0, 0};
    CU_ASSERT_EQUAL_FATAL(source_load(run, &src, &u), SB_OK);
    int64_t rb, re;
    table_shard_range(N, run_size(run), run_rank(run), &rb, &re);
    CU_ASSERT_EQUAL(u.row_start, rb);
    CU_ASSERT_EQUAL(u.n_rows, re - rb);
    CU_ASSERT_EQUAL(u.n_rows_global, N);
    CU_ASSERT_EQUAL(u.n_feat, 3);
    CU_ASSERT_STRING_EQUAL(u.layout, "csv");
    CU_ASSERT_STRING_EQUAL(u.label_name, "rate");
    CU_ASSERT_STRING_EQUAL(u.drop_rule, "trials == 0");
    CU_ASSERT_EQUAL(u.rows_read, N + 3);
    CU_ASSERT_EQUAL(u.dropped_zero_trials, 3);
    CU_ASSERT_EQUAL(table_find_feature(&u, "color"), 1);
    CU_ASSERT_EQUAL(table_find_feature(&u, "nope"), -1);
    CU_ASSERT_EQUAL(u.feat[1].n_levels, 2);
    CU_ASSERT_STRING_EQUAL(u.feat[1].levels[1], "red");
    CU_ASSERT_EQUAL(u.feat[0].n_levels, 0);
    size_t n = (size_t)(re - rb);
    CU_ASSERT_EQUAL(memcmp(u.label, t.label + rb, n * sizeof(double)), 0);
    CU_ASSERT_EQUAL(memcmp(u.weight, t.weight + rb, n * sizeof(double)), 0);
    CU_ASSERT_EQUAL(memcmp(u.x, t.x + rb * 3, n * 3 * sizeof(float)), 0); /* NaN bits too */
    CU_ASSERT_EQUAL_FATAL(u.n_ids, 2);
    CU_ASSERT_STRING_EQUAL(u.ids[0].name, "id");
    CU_ASSERT_STRING_EQUAL(u.ids[1].name, "shop");
    CU_ASSERT_EQUAL(memcmp(u.ids[0].i64, t.ids[0].i64 + rb, n * sizeof(int64_t)), 0);
    CU_ASSERT_EQUAL(u.ids[1].width, 6);
    CU_ASSERT_EQUAL(memcmp(u.ids[1].str, t.ids[1].str + rb * 6, n * 6), 0);
    table_free(&u);
    CU_ASSERT_PTR_NULL(u.x);
    /* no weight, no label: datasets absent, read back as NULL */
    free(t.weight);
    t.weight = NULL;
    free(t.label);
    t.label = NULL;
    mine = slice(&t, b, e);
    CU_ASSERT_EQUAL_FATAL(h5_write_table_level(run, path, &mine, 0), SB_OK);
    CU_ASSERT_EQUAL_FATAL(h5_read_table(run, path, &u), SB_OK);
    CU_ASSERT_PTR_NULL(u.label);
    CU_ASSERT_PTR_NULL(u.weight);
    CU_ASSERT_EQUAL(memcmp(u.x, t.x + rb * 3, n * 3 * sizeof(float)), 0);
    table_free(&u);
    table_free(&t);
    comm_barrier(run);
    if (run_rank(run) == 0) unlink(path);
}

/* Model levels given: the file's codes are recoded by name, unseen -> NaN. */
static void test_recode_to_model_levels(void)
{
    char path[256];
    temp_path(path, sizeof path, "lv2");
    const int64_t N = 300;
    sb_table t, u;
    make_table(&t, N); /* color: 0 = blue, 1 = red, NaN every third row */
    int64_t b, e;
    write_range(N, &b, &e);
    sb_table mine = slice(&t, b, e);
    CU_ASSERT_EQUAL_FATAL(h5_write_table(run, path, &mine), SB_OK);
    char *model_levels[] = {"red", "teal"};
    sb_feature_info model[2] = {{"a", 0, NULL}, {"color", 2, model_levels}};
    const char *paths[] = {path};
    sb_source src = {paths, 1, NULL, NULL, 1, model, 2, 0};
    CU_ASSERT_EQUAL_FATAL(source_load(run, &src, &u), SB_OK);
    CU_ASSERT_EQUAL(u.feat[1].n_levels, 2);
    CU_ASSERT_STRING_EQUAL(u.feat[1].levels[0], "red");
    CU_ASSERT_STRING_EQUAL(u.feat[1].levels[1], "teal");
    int bad = 0;
    for (int64_t r = 0; r < u.n_rows; ++r) {
        float was = t.x[(u.row_start + r) * 3 + 1], now = u.x[r * 3 + 1];
        if (was == 1.0f) bad += now != 0.0f;      /* red -> 0 */
        else bad += !isnan(now);                  /* blue (unseen) and missing -> NaN */
        bad += u.x[r * 3] != t.x[(u.row_start + r) * 3]; /* numeric features untouched */
    }
    CU_ASSERT_EQUAL(bad, 0);
    table_free(&u);
    table_free(&t);
    comm_barrier(run);
    if (run_rank(run) == 0) unlink(path);
}

/* Rows [b, e) of u equal rows [b, e) of t in every column (float bits too). */
static int rows_equal(const sb_table *t, const sb_table *u, int64_t b, int64_t e)
{
    size_t n = (size_t)(e - b);
    int ok = u->row_start == b && u->n_rows == e - b && u->n_feat == t->n_feat && u->n_ids == t->n_ids;
    ok = ok && memcmp(u->x, t->x + b * t->n_feat, n * (size_t)t->n_feat * sizeof(float)) == 0;
    ok = ok && (t->label ? u->label && memcmp(u->label, t->label + b, n * sizeof(double)) == 0 : !u->label);
    ok = ok && (t->weight ? u->weight && memcmp(u->weight, t->weight + b, n * sizeof(double)) == 0 : !u->weight);
    ok = ok && memcmp(u->ids[0].i64, t->ids[0].i64 + b, n * sizeof(int64_t)) == 0;
    ok = ok && u->ids[1].width == 6 && memcmp(u->ids[1].str, t->ids[1].str + b * 6, n * 6) == 0;
    return ok;
}

/* LZ4, deflate 0 (shuffle only), 1 and 9, and no filter over several chunks (87381 rows of 3
 * floats, 174762 strings of 6 bytes per chunk): ranges that start and end in
 * the middle of chunks, exactly one chunk, one row, the last row, empty, all
 * rows, read through the raw-chunk path and through HDF5 (SB_H5_RAW_CHUNKS=0),
 * every rank its own range; bytes equal to what was written. */
static void test_chunk_ranges(void)
{
    const int64_t N = 300007, CR = 87381;
    sb_table t, u;
    make_table(&t, N);
    for (int64_t r = 0; r < N; ++r) { /* less regular than make_table: real deflate work */
        t.x[r * 3 + 2] = (float)((r * 2654435761u) % 100003) / 7.0f;
        memcpy(t.ids[1].str + r * 6, (r * 7919) % 3 ? "ab" : "zq9xy1", (r * 7919) % 3 ? 2 : 6);
    }
    int64_t b, e;
    write_range(N, &b, &e);
    sb_table mine = slice(&t, b, e);
    const int64_t ranges[][2] = {{0, N}, {CR / 2, 2 * CR + CR / 3}, {CR, 2 * CR}, {CR - 1, CR + 1}, {1, 2},
                                 {N - 1, N}, {7, 7}, {2 * CR + 5, N}, {0, CR / 3}};
    const int nr = (int)(sizeof ranges / sizeof ranges[0]);
    static const h5_codec codecs[] = {H5_CODEC_LZ4, H5_CODEC_DEFLATE, H5_CODEC_DEFLATE, H5_CODEC_DEFLATE,
                                      H5_CODEC_NONE};
    static const int levels[] = {0, 0, 1, 9, 0}; /* deflate only */
    for (int li = 0; li < 5; ++li) {
        char path[256], tag[16];
        snprintf(tag, sizeof tag, "cr%d%d", (int)codecs[li], levels[li]);
        temp_path(path, sizeof path, tag);
        CU_ASSERT_EQUAL_FATAL(h5_write_table_codec(run, path, &mine, codecs[li], levels[li]), SB_OK);
        int bad = 0;
        for (int raw = 1; raw >= 0; --raw) {
            setenv("SB_H5_RAW_CHUNKS", raw ? "1" : "0", 1);
            for (int k = 0; k < nr; ++k) {
                int q = (k + run_rank(run)) % nr; /* ranks read different ranges at once */
                if (h5_read_table_rows(run, path, ranges[q][0], ranges[q][1], &u) != SB_OK) {
                    fprintf(stderr, "codec %d level %d raw %d: %s\n", (int)codecs[li], levels[li], raw,
                            err_message(run));
                    ++bad;
                    continue;
                }
                if (!rows_equal(&t, &u, ranges[q][0], ranges[q][1])) {
                    ++bad;
                    fprintf(stderr, "codec %d level %d raw %d rows [%lld, %lld) differ\n", (int)codecs[li], levels[li],
                            raw, (long long)ranges[q][0], (long long)ranges[q][1]);
                }
                table_free(&u);
            }
        }
        unsetenv("SB_H5_RAW_CHUNKS");
        CU_ASSERT_EQUAL(bad, 0);
        err_clear(run);
        CU_ASSERT_EQUAL(h5_read_table_rows(run, path, 5, N + 1, &u), SB_EINVAL);
        CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "rows [5, 300008) asked of 300007"));
        err_clear(run);
        comm_barrier(run);
        if (run_rank(run) == 0) unlink(path);
    }
    table_free(&t);
}

/* Reading path through HDF5 (SB_H5_RAW_CHUNKS=0) fails on every rank with a
 * message naming the file. */
static void assert_hdf5_path_fails(const char *path)
{
    sb_table u;
    setenv("SB_H5_RAW_CHUNKS", "0", 1);
    CU_ASSERT_NOT_EQUAL(h5_read_table(run, path, &u), SB_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), path));
    unsetenv("SB_H5_RAW_CHUNKS");
    err_clear(run);
}

/* 100000 rows whose features compress poorly (the corruption tests' table),
 * and this rank's slice of them to write. */
static sb_table hashed_table(sb_table *t)
{
    const int64_t N = 100000;
    make_table(t, N);
    for (int64_t r = 0; r < N * 3; ++r) t->x[r] = (float)((r * 2654435761u) % 1000003);
    int64_t b, e;
    write_range(N, &b, &e);
    return slice(t, b, e);
}

/* A flipped byte inside the first deflated chunk in the file: every rank
 * fails with SB_EDATA naming the file, the dataset and the chunk's rows (the
 * rank that read it found it; the others agreed), nobody hangs. */
static void test_corrupt_chunk(void)
{
    sb_table t, u, mine = hashed_table(&t);
    char path[256];
    temp_path(path, sizeof path, "bad");
    CU_ASSERT_EQUAL_FATAL(h5_write_table_level(run, path, &mine, 9), SB_OK);
    int64_t at = -1;
    if (run_rank(run) == 0) {
        FILE *f = fopen(path, "r+b");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        int prev = -1, ch;
        for (int64_t i = 0; (ch = fgetc(f)) != EOF; prev = ch, ++i)
            if (prev == 0x78 && ch == 0xDA) { /* zlib header of a level-9 stream */
                at = i + 200;
                break;
            }
        if (at > 0) {
            fseek(f, (long)at, SEEK_SET);
            ch = fgetc(f);
            fseek(f, (long)at, SEEK_SET);
            fputc(ch ^ 0x55, f);
        }
        fclose(f);
    }
    comm_bcast(run, &at, sizeof at, 0);
    CU_ASSERT_FATAL(at > 0);
    err_clear(run);
    CU_ASSERT_EQUAL(h5_read_table(run, path, &u), SB_EDATA);
    /* the first level-9 stream in the file is the first chunk of /features or of /ids/shop */
    char want1[400], want2[400];
    snprintf(want1, sizeof want1, "%s: dataset '/features': chunk of rows 0-87380 is corrupt or truncated: ", path);
    snprintf(want2, sizeof want2, "%s: dataset '/ids/shop': chunk of rows 0-99999 is corrupt or truncated: ", path);
    CU_ASSERT(strstr(err_message(run), want1) || strstr(err_message(run), want2));
    CU_ASSERT_PTR_NULL(u.x);
    err_clear(run);
    /* the HDF5 path notices too (zlib's checksum), also on every rank */
    assert_hdf5_path_fails(path);
    table_free(&t);
    comm_barrier(run);
    if (run_rank(run) == 0) unlink(path);
}

/* An LZ4 chunk whose header claims one byte more than the chunk holds, and
 * one whose first block's byte count runs past the stored bytes: SB_EDATA
 * naming the file, dataset and rows on every rank, through the raw path and
 * through HDF5 (our registered filter refuses it). LZ4 has no checksum, so a
 * flipped literal byte would not be noticed; the structure is. */
static void test_corrupt_lz4_chunk(void)
{
    sb_table t, u, mine = hashed_table(&t);
    for (int how = 0; how < 2; ++how) {
        char path[256];
        temp_path(path, sizeof path, how ? "badlz4b" : "badlz4a");
        CU_ASSERT_EQUAL_FATAL(h5_write_table(run, path, &mine), SB_OK);
        int64_t at = -1;
        if (run_rank(run) == 0) {
            /* the header of /features' first chunk (size 87381 * 12, one block of that size); patched
             * wherever it occurs, since parallel HDF5 may also leave an unreferenced fill chunk */
            static const unsigned char head[12] = {0, 0, 0, 0, 0, 0x0f, 0xff, 0xfc, 0, 0x0f, 0xff, 0xfc};
            FILE *f = fopen(path, "r+b");
            CU_ASSERT_PTR_NOT_NULL_FATAL(f);
            fseek(f, 0, SEEK_END);
            const long size = ftell(f);
            unsigned char *all = malloc((size_t)size);
            CU_ASSERT_FATAL(all != NULL && fseek(f, 0, SEEK_SET) == 0 &&
                            fread(all, 1, (size_t)size, f) == (size_t)size);
            for (long i = 0; i + 16 <= size; ++i) {
                if (memcmp(all + i, head, 12) != 0) continue;
                at = i;
                if (how) all[i + 12] = 0x7f; /* the block's byte count, far past the chunk's stored bytes */
                else all[i + 7] ^= 0x01;     /* the size: 0xffffd, one byte more than the chunk holds */
            }
            CU_ASSERT_FATAL(fseek(f, 0, SEEK_SET) == 0 && fwrite(all, 1, (size_t)size, f) == (size_t)size);
            free(all);
            fclose(f);
        }
        comm_bcast(run, &at, sizeof at, 0);
        CU_ASSERT_FATAL(at >= 0);
        char want[400];
        snprintf(want, sizeof want, "%s: dataset '/features': chunk of rows 0-87380 is corrupt or truncated: %s", path,
                 how ? "corrupt compressed stream" : "compressed stream longer than the chunk");
        err_clear(run);
        CU_ASSERT_EQUAL(h5_read_table(run, path, &u), SB_EDATA);
        CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), want));
        err_clear(run);
        assert_hdf5_path_fails(path); /* our filter callback refuses the chunk */
        comm_barrier(run);
        if (run_rank(run) == 0) unlink(path);
    }
    table_free(&t);
}

/* source_load_stream (h5_stream_*): the shard read block by block equals
 * source_load's x bit for bit (categorical recode included), for blocks cut at
 * chunk edges (source_stream_block_end) and for arbitrary cuts (1 row, a chunk
 * +- 1, re-reading a cut chunk), and as predict's blocks (predict_ahead, with
 * and without its thread), deflate 0 and 1; no label/weight; with
 * SB_H5_RAW_CHUNKS=0 no stream and x is the whole shard. */
static void test_stream(void)
{
    const int64_t N = 300007, CR = 87381;
    sb_table t, u, v;
    make_table(&t, N);
    for (int64_t r = 0; r < N; ++r) t.x[r * 3 + 2] = (float)((r * 2654435761u) % 100003) / 7.0f;
    int64_t b, e;
    write_range(N, &b, &e);
    sb_table mine = slice(&t, b, e);
    char *model_levels[] = {"red", "teal"};
    sb_feature_info model[2] = {{"a", 0, NULL}, {"color", 2, model_levels}};
    for (int level = 0; level <= 1; ++level) {
        char path[256], tag[16];
        snprintf(tag, sizeof tag, "st%d", level);
        temp_path(path, sizeof path, tag);
        CU_ASSERT_EQUAL_FATAL(h5_write_table_level(run, path, &mine, level), SB_OK);
        const char *paths[] = {path};
        sb_source src = {paths, 1, NULL, NULL, 0, model, 2, 0};
        CU_ASSERT_EQUAL_FATAL(source_load(run, &src, &u), SB_OK);
        source_stream *st = NULL;
        CU_ASSERT_EQUAL_FATAL(source_load_stream(run, &src, &v, &st), SB_OK);
        CU_ASSERT_PTR_NOT_NULL_FATAL(st);
        CU_ASSERT_PTR_NULL(v.x);
        CU_ASSERT_PTR_NULL(v.label);
        CU_ASSERT_PTR_NULL(v.weight);
        CU_ASSERT_EQUAL(v.row_start, u.row_start);
        CU_ASSERT_EQUAL_FATAL(v.n_rows, u.n_rows);
        CU_ASSERT_STRING_EQUAL(v.feat[1].levels[1], "teal");
        CU_ASSERT_EQUAL(memcmp(v.ids[0].i64, u.ids[0].i64, (size_t)u.n_rows * sizeof(int64_t)), 0);
        const int64_t n = u.n_rows;
        float *x = calloc((size_t)(n > 0 ? n : 1) * 3, sizeof *x);
        int bad = 0;
        /* chunk-aligned blocks, two block sizes */
        const int64_t maxes[] = {CR + 100, 5000};
        for (int m = 0; m < 2; ++m) {
            memset(x, 0xff, (size_t)n * 3 * sizeof *x);
            for (int64_t i = 0; i < n;) {
                int64_t j = source_stream_block_end(st, i, n, maxes[m]);
                bad += j <= i || j - i > maxes[m];
                if (j <= i) break;
                bad += source_stream_read(run, st, i, j, x + i * 3) != SB_OK;
                i = j;
            }
            bad += memcmp(x, u.x, (size_t)n * 3 * sizeof *x) != 0;
        }
        /* arbitrary cuts, re-reading the same cut chunk */
        const int64_t cuts[] = {1, 2, 9, CR - 1, CR, CR + 1, 2 * CR - 3, 2 * CR + 1, n - 1};
        memset(x, 0xff, (size_t)n * 3 * sizeof *x);
        int64_t i = 0;
        for (int k = 0; k < (int)(sizeof cuts / sizeof cuts[0]) + 1; ++k) {
            int64_t j = k < (int)(sizeof cuts / sizeof cuts[0]) ? cuts[k] : n;
            if (j <= i || j > n) continue;
            bad += source_stream_read(run, st, i, j, x + i * 3) != SB_OK;
            i = j;
        }
        bad += i != n || memcmp(x, u.x, (size_t)n * 3 * sizeof *x) != 0;
        bad += n > 3 && source_stream_read(run, st, 1, 3, x) != SB_OK;
        bad += n > 3 && memcmp(x, u.x + 3, 6 * sizeof *x) != 0;
        err_clear(run);
        CU_ASSERT_EQUAL(source_stream_read(run, st, 0, n + 1, x), SB_EINVAL);
        err_clear(run);
        /* predict's blocks, in turn and read ahead by a thread: the same rows */
        for (int threaded = 0; threaded <= 1; ++threaded) {
            predict_ahead *a = NULL;
            CU_ASSERT_EQUAL_FATAL(predict_ahead_open(run, st, n, 5000, 3, threaded, &a), SB_OK);
            memset(x, 0xff, (size_t)n * 3 * sizeof *x);
            int64_t pos = 0, blocks = 0, bb = 0, be = 0;
            const float *xb = NULL;
            while (predict_ahead_next(run, a, &bb, &be, &xb) == SB_OK && bb < be) {
                bad += bb != pos || be - bb > 5000;
                memcpy(x + bb * 3, xb, (size_t)(be - bb) * 3 * sizeof *x);
                pos = be, ++blocks;
            }
            bad += pos != n || bb != n || be != n || memcmp(x, u.x, (size_t)n * 3 * sizeof *x) != 0;
            bad += predict_ahead_next(run, a, &bb, &be, &xb) != SB_OK || bb != n; /* past the end: still the end */
            bad += n > 0 && blocks < 2;
            predict_ahead_close(a);
        }
        CU_ASSERT_EQUAL(bad, 0);
        source_stream_close(st);
        table_free(&v);
        /* with labels asked for (evaluate): label and weight as source_load's */
        src.require_label = 1;
        CU_ASSERT_EQUAL_FATAL(source_load_stream(run, &src, &v, &st), SB_OK);
        src.require_label = 0;
        CU_ASSERT_PTR_NOT_NULL(st);
        CU_ASSERT_PTR_NULL(v.x);
        CU_ASSERT_EQUAL_FATAL((v.label != NULL) + (v.weight != NULL), (u.label != NULL) + (u.weight != NULL));
        if (u.label) CU_ASSERT_EQUAL(memcmp(v.label, u.label, (size_t)n * sizeof *u.label), 0);
        if (u.weight) CU_ASSERT_EQUAL(memcmp(v.weight, u.weight, (size_t)n * sizeof *u.weight), 0);
        source_stream_close(st);
        table_free(&v);
        /* through HDF5: no stream, the whole shard */
        setenv("SB_H5_RAW_CHUNKS", "0", 1);
        CU_ASSERT_EQUAL_FATAL(source_load_stream(run, &src, &v, &st), SB_OK);
        unsetenv("SB_H5_RAW_CHUNKS");
        CU_ASSERT_PTR_NULL(st);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v.x);
        CU_ASSERT_EQUAL(memcmp(v.x, u.x, (size_t)n * 3 * sizeof *x), 0);
        table_free(&v);
        table_free(&u);
        free(x);
        comm_barrier(run);
        if (run_rank(run) == 0) unlink(path);
    }
    table_free(&t);
}

static void test_failures_leave_nothing(void)
{
    sb_table t, u;
    make_table(&t, 10);
    t.n_rows = run_rank(run) == 0 ? 10 : 0; /* rank 0 holds all rows */
    t.n_rows_global = 10;
    err_clear(run);
    CU_ASSERT_EQUAL(h5_write_table(run, "/nonexistent-dir/x.h5", &t), SB_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "/nonexistent-dir/x.h5.tmp: cannot create"));
    err_clear(run);
    char path[256];
    temp_path(path, sizeof path, "lv");
    CU_ASSERT_EQUAL(h5_write_table_level(run, path, &t, 12), SB_EINVAL);
    CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
    err_clear(run);
    CU_ASSERT_EQUAL(h5_read_table(run, "/nonexistent-dir/x.h5", &u), SB_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_message(run), "/nonexistent-dir/x.h5: cannot open: No such file or directory"));
    err_clear(run);
    table_free(&t);
}

static const sb_test tests[] = {
    {"write + read back every column and attribute", test_round_trip},
    {"h5 input recoded onto a model's levels", test_recode_to_model_levels},
    {"failures name the file and leave nothing", test_failures_leave_nothing},
    {"chunk-cutting row ranges, LZ4, deflate 0/1/9, none, raw chunks = HDF5", test_chunk_ranges},
    {"corrupt deflated chunk: SB_EDATA naming file, dataset, rows", test_corrupt_chunk},
    {"corrupt LZ4 chunk (size, block count): SB_EDATA naming file, dataset, rows", test_corrupt_lz4_chunk},
    {"streamed /features blocks = source_load, any cuts, HDF5 fallback", test_stream},
};

SB_TEST_MAIN(&run, SB_SUITE("h5", tests))
