/* gen_forms.c - synthetic form-completion rows in the forms layout (FORMATS.md section 2):
 *
 *     (1000002,3,11,1.0-0.0-...-0.25)      no header; id, submissions, views, 47 features
 *
 * The completion rate is sigmoid(z) where z is a fixed nonlinear function of a handful
 * of features (thresholds, interactions, a sine), identical for every seed, so data from
 * seed 1 trains a model that scores data from seed 2. Views are heavy-tailed (1..~1000),
 * submissions ~ Binomial(views, rate); a few rows have views == 0 (ingest drops them) and
 * a few have submissions > views (the real file has both). --truth writes the true rate. */
#include "data/gen_common.h"

enum { N_FEAT = 47, STREAM_FORMS = 0x466f726d };

static const char usage[] =
    "usage: gen_forms --rows N [--seed S] -o PATH[.csv|.csv.gz|-]\n"
    "                 [--zero-views FRAC] [--over-views FRAC] [--truth PATH] [--gz-level 1-9 (default 1)]\n"
    "  Forms layout rows '(id,submissions,views,f0-...-f46)', no header.\n"
    "  --zero-views  fraction of rows with views == 0 (default 0.005)\n"
    "  --over-views  fraction of rows with submissions > views (default 0.003)\n"
    "  --truth       also write 'form_id,rate' with the true completion rate per row\n"
    "  Same seed and options -> same bytes.\n";

/* Features are kept in thousandths so that printing is exact and cheap. */
static uint64_t milli(double v, int decimals)
{
    if (!(v > 0.0)) return 0;
    const double step = decimals == 3 ? 1.0 : decimals == 2 ? 10.0 : decimals == 1 ? 100.0 : 1000.0;
    return (uint64_t)floor(v * 1000.0 / step + 0.5) * (uint64_t)step;
}

static int64_t clamp_count(int64_t v, int64_t hi) { return v > hi ? hi : v; }

/* draw_features - one row's 47 features (thousandths) and its true rate. */
static double draw_features(gen_rng *r, uint64_t *f)
{
    static const double bin_p[10] = { 0.5, 0.3, 0.2, 0.1, 0.6, 0.05, 0.4, 0.15, 0.8, 0.02 };
    static const double cnt_mean[10] = { 0.5, 1.0, 1.5, 2.0, 0.3, 0.8, 2.5, 0.2, 1.2, 3.0 };
    double x[N_FEAT];
    for (int j = 0; j < 10; j++) x[j] = gen_bern(r, bin_p[j]);                 /* binary */
    for (int j = 0; j < 10; j++) x[10 + j] = (double)clamp_count(gen_poisson(r, cnt_mean[j]), 5);
    x[20] = gen_unif(r);                                                         /* continuous */
    x[21] = gen_unif(r);
    x[22] = fmin(exp(1.0 + gen_normal(r)), 200.0);
    x[23] = gen_unif(r) * gen_unif(r);
    x[24] = fmax(5.0 + 2.0 * gen_normal(r), 0.0);
    x[25] = 10.0 * gen_unif(r);
    x[26] = -3.0 * log(gen_unif_pos(r));
    x[27] = 100.0 * gen_unif(r);
    x[28] = fmax(x[20] + 0.1 * gen_normal(r), 0.0);                              /* correlated */
    x[29] = gen_unif(r);
    for (int j = 30; j < 35; j++)                                                /* zero-inflated */
        x[j] = gen_bern(r, 0.3) ? exp(0.5 * gen_normal(r)) * (double)(j - 29) : 0.0;
    static const double rare_p[6] = { 0.001, 0.003, 0.005, 0.01, 0.002, 0.0005 };
    for (int j = 0; j < 6; j++)                                                  /* rare */
        x[35 + j] = gen_bern(r, rare_p[j]) ? (double)(1 + (j % 2) * gen_below(r, 3)) : 0.0;
    x[41] = 0.0;                                                                 /* constant */
    x[42] = 1.0;
    x[43] = gen_bern(r, 1e-4);                                                   /* almost constant */
    x[44] = (double)gen_below(r, 21);                                            /* noise */
    x[45] = gen_unif(r);
    x[46] = gen_bern(r, 0.5);

    static const signed char decimals[N_FEAT] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        2, 3, 2, 3, 2, 2, 3, 2, 3, 3, 2, 2, 2, 2, 2,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0 };
    for (int j = 0; j < N_FEAT; j++) {
        f[j] = milli(x[j], decimals[j]);
        x[j] = (double)f[j] / 1000.0;   /* the signal sees exactly what is written */
    }

    double z = -1.2;
    z += 0.9 * x[0] - 0.7 * x[3] + 0.5 * x[6];
    z += 1.1 * x[0] * x[1];                         /* interaction */
    z -= 0.6 * (x[10] >= 2.0);                      /* threshold on a count */
    z += 0.25 * fmin(x[12], 4.0);
    z -= 1.0 * (x[20] > 0.7);                       /* threshold on a continuous feature */
    z += 0.8 * sin(6.0 * x[21]);                    /* smooth nonlinearity */
    z += 0.35 * log1p(x[22]);
    z -= 0.8 * (x[24] > 6.0 && x[4] > 0.5);         /* threshold x binary */
    z += 0.5 * (x[30] > 0.0);
    z += 1.5 * (x[37] > 0.0);                       /* rare but strong */
    z -= 0.02 * x[27];
    return gen_sigmoid(z);
}

/* draw_views - heavy-tailed page views in 1..1000 (lognormal, median ~9, resampled above 1000). */
static int64_t draw_views(gen_rng *r, const uint64_t *f)
{
    const double mu = 2.2 + 0.4 * (f[8] != 0) + 0.1 * (double)(f[13] / 1000);
    for (int tries = 0; tries < 8; tries++) {
        const double v = floor(exp(mu + 1.1 * gen_normal(r)));
        if (v <= 1000.0) return v < 1.0 ? 1 : (int64_t)v;
    }
    return 1000;
}

int main(int argc, char **argv)
{
    gen_opts o = { .rows = 0, .seed = 1, .zero_frac = 0.005, .over_frac = 0.003, .gz_level = 1 };
    const int prc = gen_parse_args(argc, argv, usage, "--zero-views", "--over-views", &o);
    if (prc != 0) return prc == 1 ? 0 : 2;
    if (o.rows <= 0) { fprintf(stderr, "gen_forms: --rows N is required\n%s", usage); return 2; }

    gen_out w, t;
    if (gen_out_open(&w, o.out, o.gz_level) != 0) return 1;
    if (o.truth != NULL) {
        if (gen_out_open(&t, o.truth, o.gz_level) != 0) {
            gen_out_abort(&w);
            return 1;
        }
        gen_put_str(&t, "form_id,rate\n");
    }
    uint64_t f[N_FEAT];
    for (int64_t i = 0; i < o.rows; i++) {
        gen_rng r;
        gen_rng_init(&r, o.seed, STREAM_FORMS, (uint64_t)i);
        const uint64_t id = 1000000 + 3 * (uint64_t)i + gen_below(&r, 3);   /* unique, increasing */
        const double rate = draw_features(&r, f);
        int64_t views = draw_views(&r, f), subs;
        const int zero = gen_bern(&r, o.zero_frac), over = gen_bern(&r, o.over_frac);
        if (zero) {
            views = 0;
            subs = 0;
        } else if (over) {   /* duplicate submissions: more than views */
            subs = views + 1 + gen_poisson(&r, 2.0);
        } else {
            subs = gen_binomial(&r, views, rate);
        }

        char *p = w.buf + w.len;
        *p++ = '(';
        p = gen_fmt_u64(p, id);
        *p++ = ',';
        p = gen_fmt_u64(p, (uint64_t)subs);
        *p++ = ',';
        p = gen_fmt_u64(p, (uint64_t)views);
        *p++ = ',';
        for (int j = 0; j < N_FEAT; j++) {
            p = gen_fmt_milli(p, f[j]);
            *p++ = j + 1 < N_FEAT ? '-' : ')';
        }
        *p++ = '\n';
        w.len = (size_t)(p - w.buf);
        gen_out_row_done(&w);

        if (o.truth != NULL) {
            char line[64];
            snprintf(line, sizeof line, "%" PRIu64 ",%.17g\n", id, rate);
            gen_put_str(&t, line);
        }
    }
    int rc = gen_out_close(&w);
    if (o.truth != NULL) rc |= gen_out_close(&t);
    return rc == 0 ? 0 : 1;
}
