/* gen_common.h - shared pieces of the synthetic data generators (data/gen_*.c).
 *
 * Each generator is linked from its one object file (Makefile rule $(BIN)/gen_%), so
 * everything here is static inline. Randomness: every row gets its own xoshiro256**
 * stream seeded by splitmix64(seed, stream, row), so a row's values depend only on
 * (seed, row index) and the output bytes only on (seed, rows, options). No rand().
 * Output goes to "<path>.tmp.<pid>" and is renamed at the end: a failed run leaves no
 * file that looks complete. ".gz" paths are written with zlib. */
#ifndef SB_GEN_COMMON_H
#define SB_GEN_COMMON_H

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "base/hash.h" /* for sb_splitmix64: the one generator every stream comes from */

/* ---- random numbers ------------------------------------------------------------- */

static inline uint64_t gen_splitmix64(uint64_t *state) { return sb_splitmix64(state); }

/* gen_hash3 - a well-mixed 64-bit value of (a, b, c); used for per-row seeds and
 * per-attribute constants that must not depend on generation order. */
static inline uint64_t gen_hash3(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t s = a;
    uint64_t h = gen_splitmix64(&s);
    s = h ^ b;
    h = gen_splitmix64(&s);
    s = h ^ c;
    return gen_splitmix64(&s);
}

typedef struct { uint64_t s[4]; } gen_rng;

/* gen_rng_init - the stream for (seed, stream id, row). */
static inline void gen_rng_init(gen_rng *r, uint64_t seed, uint64_t stream, uint64_t row)
{
    uint64_t sm = gen_hash3(seed, stream, row);
    for (int i = 0; i < 4; i++) r->s[i] = gen_splitmix64(&sm);
}

static inline uint64_t gen_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t gen_next(gen_rng *r)   /* xoshiro256** */
{
    uint64_t *s = r->s;
    const uint64_t out = gen_rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = gen_rotl(s[3], 45);
    return out;
}

/* Uniform in [0, 1) with 53 random bits. */
static inline double gen_unif(gen_rng *r) { return (double)(gen_next(r) >> 11) * 0x1.0p-53; }
/* Uniform in (0, 1]: safe under log(). */
static inline double gen_unif_pos(gen_rng *r) { return 1.0 - gen_unif(r); }
static inline int gen_bern(gen_rng *r, double p) { return gen_unif(r) < p; }
/* Uniform integer in [0, n). Modulo bias is < n / 2^64: irrelevant here. */
static inline uint64_t gen_below(gen_rng *r, uint64_t n) { return gen_next(r) % n; }

static inline double gen_normal(gen_rng *r)   /* Box-Muller, one value per call */
{
    const double u = gen_unif_pos(r), v = gen_unif(r);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static inline double gen_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* gen_poisson - Knuth's product method; only for small means (< 30). */
static inline int64_t gen_poisson(gen_rng *r, double mean)
{
    const double limit = exp(-mean);
    double p = gen_unif(r);
    int64_t k = 0;
    while (p > limit) { p *= gen_unif(r); k++; }
    return k;
}

/* gen_binomial - exact Binomial(n, p) by geometric waiting times between successes:
 * cost O(n * min(p, 1 - p) + 1), so a row with 1000 views and rate 0.05 costs ~50 draws. */
static inline int64_t gen_binomial(gen_rng *r, int64_t n, double p)
{
    if (n <= 0 || p <= 0.0) return 0;
    if (p >= 1.0) return n;
    const int flip = p > 0.5;
    const double q = flip ? 1.0 - p : p;
    const double log_1mq = log1p(-q);
    int64_t k = 0, pos = 0;   /* pos: trials consumed so far */
    for (;;) {
        /* trials until the next success, >= 1 */
        const double g = floor(log(gen_unif_pos(r)) / log_1mq) + 1.0;
        if (g > (double)(n - pos)) break;
        pos += (int64_t)g;
        k++;
    }
    return flip ? n - k : k;
}

/* ---- command line ---------------------------------------------------------------- */

typedef struct {
    int64_t rows;
    uint64_t seed;
    const char *out;       /* path; "-" = stdout (plain text) */
    const char *truth;     /* optional side file with the true rate per row */
    double zero_frac;      /* rows whose denominator (views / Clicks) is 0 */
    double over_frac;      /* rows whose numerator exceeds the denominator */
    int gz_level;
} gen_opts;

static inline int gen_parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    const double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= lo && v <= hi)) return -1;
    *out = v;
    return 0;
}

static inline int gen_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    errno = 0;
    const long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* gen_parse_args - the options every generator shares. zero_name is "--zero-views" or
 * "--zero-clicks", over_name "--over-views" / "--over-clicks". Returns 0, 1 for --help
 * (usage printed), or 2 on a bad option (message printed). */
static inline int gen_parse_args(int argc, char **argv, const char *usage, const char *zero_name,
                                 const char *over_name, gen_opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return 1;
        }
        if (v == NULL) { fprintf(stderr, "%s: option %s needs a value\n%s", argv[0], a, usage); return 2; }
        if (strcmp(a, "--rows") == 0) bad = gen_parse_i64(v, 1, INT64_C(1) << 40, &o->rows);
        else if (strcmp(a, "--seed") == 0) {
            int64_t s;
            bad = gen_parse_i64(v, 0, INT64_MAX, &s);
            o->seed = (uint64_t)s;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--out") == 0) o->out = v;
        else if (strcmp(a, "--truth") == 0) o->truth = v;
        else if (strcmp(a, zero_name) == 0) bad = gen_parse_double(v, 0.0, 1.0, &o->zero_frac);
        else if (strcmp(a, over_name) == 0) bad = gen_parse_double(v, 0.0, 1.0, &o->over_frac);
        else if (strcmp(a, "--gz-level") == 0) {
            int64_t l;
            bad = gen_parse_i64(v, 1, 9, &l);
            o->gz_level = (int)l;
        } else {
            fprintf(stderr, "%s: unknown option '%s'\n%s", argv[0], a, usage);
            return 2;
        }
        if (bad) { fprintf(stderr, "%s: bad value '%s' for %s\n", argv[0], v, a); return 2; }
        i++;
    }
    if (o->out == NULL) { fprintf(stderr, "%s: -o PATH is required\n%s", argv[0], usage); return 2; }
    return 0;
}

/* ---- output: buffered text, plain or gzip, temp name + rename --------------------- */

typedef struct {
    const char *path;     /* final name */
    char tmp[4096];       /* what we write to */
    FILE *fp;
    gzFile gz;
    char *buf;
    size_t len, cap;
    int failed;
} gen_out;

enum { GEN_BUF = 1 << 20 };

static inline int gen_ends_with(const char *s, const char *suffix)
{
    const size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static inline int gen_out_open(gen_out *w, const char *path, int gz_level)
{
    memset(w, 0, sizeof *w);
    w->path = path;
    w->cap = GEN_BUF;
    w->buf = malloc(w->cap + 4096);   /* slack: one row is always appended whole */
    if (w->buf == NULL) { fprintf(stderr, "gen: out of memory\n"); return -1; }
    if (strcmp(path, "-") == 0) { w->fp = stdout; return 0; }
    if (snprintf(w->tmp, sizeof w->tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof w->tmp) {
        fprintf(stderr, "gen: path too long: %s\n", path);
        return -1;
    }
    if (gen_ends_with(path, ".gz")) {
        char mode[8];
        snprintf(mode, sizeof mode, "wb%d", gz_level);
        w->gz = gzopen(w->tmp, mode);
        if (w->gz != NULL) gzbuffer(w->gz, 1 << 18);
    } else {
        w->fp = fopen(w->tmp, "wb");
    }
    if (w->gz == NULL && w->fp == NULL) {
        fprintf(stderr, "gen: cannot create %s: %s\n", w->tmp, strerror(errno));
        return -1;
    }
    return 0;
}

static inline void gen_out_flush(gen_out *w)
{
    if (w->len == 0 || w->failed) { w->len = 0; return; }
    if (w->gz != NULL) {
        if (gzwrite(w->gz, w->buf, (unsigned)w->len) != (int)w->len) w->failed = 1;
    } else if (fwrite(w->buf, 1, w->len, w->fp) != w->len) {
        w->failed = 1;
    }
    w->len = 0;
}

/* gen_out_row_done - call after each appended row: flushes once the buffer is full.
 * Rows are appended straight into w->buf + w->len (the slack holds one whole row). */
static inline void gen_out_row_done(gen_out *w)
{
    if (w->len >= w->cap) gen_out_flush(w);
}

static inline void gen_put_str(gen_out *w, const char *s)
{
    const size_t n = strlen(s);
    if (w->len + n > w->cap) gen_out_flush(w);
    if (n > w->cap) { fputs("gen: string too long\n", stderr); w->failed = 1; return; }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

/* gen_out_close - flush, close, rename to the final name. Returns 0 or -1 (temp removed). */
static inline int gen_out_close(gen_out *w)
{
    gen_out_flush(w);
    int bad = w->failed;
    if (w->gz != NULL) bad |= gzclose(w->gz) != Z_OK;
    else if (w->fp != NULL && w->fp != stdout) bad |= fclose(w->fp) != 0;
    else if (w->fp == stdout) bad |= fflush(stdout) != 0;
    free(w->buf);
    if (w->fp == stdout) return bad ? -1 : 0;
    if (!bad && rename(w->tmp, w->path) != 0) bad = 1;
    if (bad) {
        fprintf(stderr, "gen: writing %s failed: %s\n", w->path, strerror(errno));
        remove(w->tmp);
        return -1;
    }
    return 0;
}

/* gen_out_abort - give up on an opened output: close it and remove the temp file. */
static inline void gen_out_abort(gen_out *w)
{
    if (w->gz != NULL) gzclose(w->gz);
    else if (w->fp != NULL && w->fp != stdout) fclose(w->fp);
    free(w->buf);
    if (w->fp != stdout) remove(w->tmp);
}

/* ---- fast number formatting (snprintf would dominate the run time) --------------- */

/* gen_fmt_u64 - decimal digits of v at p; returns the new end. */
static inline char *gen_fmt_u64(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v != 0);
    while (n > 0) *p++ = tmp[--n];
    return p;
}

/* gen_fmt_milli - a non-negative value given in thousandths, written the way Python
 * prints floats of that kind: 3000 -> "3.0", 250 -> "0.25", 1125 -> "1.125". */
static inline char *gen_fmt_milli(char *p, uint64_t milli)
{
    p = gen_fmt_u64(p, milli / 1000);
    *p++ = '.';
    uint64_t frac = milli % 1000;
    if (frac == 0) { *p++ = '0'; return p; }
    char d[3] = { (char)('0' + frac / 100), (char)('0' + frac / 10 % 10), (char)('0' + frac % 10) };
    int n = 3;
    while (d[n - 1] == '0') n--;
    for (int i = 0; i < n; i++) *p++ = d[i];
    return p;
}

#endif
