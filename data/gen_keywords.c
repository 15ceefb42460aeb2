/* gen_keywords.c - synthetic keyword conversion rows in the keyword layout (FORMATS.md 1):
 *
 *     "entity_id","att1",...,"att160","device","week","Clicks","Conversions"
 *     35,1,0,...,0,"Computer",30,3,0
 *
 * Rows come entity by entity; each entity (a keyword: 160 fixed 0/1 attributes) appears
 * for 1..6 of the device x week combinations, like the real sample. The conversion rate
 * (~1-10%) is a fixed function of a few attributes, an interaction, the device and a
 * per-entity effect, the same for every seed; Clicks are heavy-tailed with ~0.5% zeros;
 * Conversions ~ Binomial(Clicks, cr). Attribute prevalences run from ~0.1% to ~99% like
 * the real file. --truth writes entity_id,device,week,cr. */
#include "data/gen_common.h"

enum { N_ATT = 160, N_COMBO = 6, STREAM_ENTITY = 0x456e7469, STREAM_ROW = 0x526f7773, WORLD = 0x6b77 };

static const char *const device_name[3] = { "Computer", "Smartphone", "Tablet" };

static const char usage[] =
    "usage: gen_keywords --rows N [--seed S] -o PATH[.csv|.csv.gz|-]\n"
    "                    [--zero-clicks FRAC] [--over-clicks FRAC] [--truth PATH] [--gz-level 1-9 (default 1)]\n"
    "  Keyword layout with the quoted header of FORMATS.md section 1.\n"
    "  --zero-clicks  fraction of rows with Clicks == 0 (default 0.005)\n"
    "  --over-clicks  fraction of rows with Conversions > Clicks (default 0: keeps cr <= 1\n"
    "                 for reg:logistic; the real sample has ~0.5%)\n"
    "  --truth        also write 'entity_id,device,week,cr' with the true rate per row\n"
    "  Same seed and options -> same bytes.\n";

/* Attribute prevalence, fixed for all seeds: log-uniform 0.1%..60% with a few set by hand
 * (the signal attributes get a moderate prevalence so the signal is learnable). */
static double att_prevalence(int j)
{
    switch (j) {
    case 0: return 0.997;   /* att1: almost constant */
    case 2: return 0.5;
    case 4: return 0.3;
    case 9: return 0.25;
    case 10: return 0.35;
    case 11: return 0.2;
    case 19: return 0.05;
    default: break;
    }
    uint64_t s = gen_hash3(WORLD, 1, (uint64_t)j);
    const double u = (double)(gen_splitmix64(&s) >> 11) * 0x1.0p-53;
    return exp(log(0.001) + u * (log(0.6) - log(0.001)));
}

/* How many device x week combinations an entity has: the real sample's shares. */
static int draw_combo_count(gen_rng *r)
{
    static const double cum[N_COMBO] = { 0.36, 0.55, 0.68, 0.79, 0.88, 1.0 };
    const double u = gen_unif(r);
    for (int k = 0; k < N_COMBO; k++)
        if (u < cum[k]) return k + 1;
    return N_COMBO;
}

typedef struct {
    uint64_t id;
    unsigned char att[N_ATT];
    double logit_base;   /* attribute part of the conversion logit + entity effect */
    double volume;       /* log-scale click volume of the keyword */
    int n_combo;
    int combo[N_COMBO];  /* device * 2 + (week - 30), ascending */
} entity;

static void draw_entity(gen_rng *r, const double *prev, entity *e)
{
    for (int j = 0; j < N_ATT; j++) e->att[j] = (unsigned char)gen_bern(r, prev[j]);
    /* att2..att5 form a one-hot group (a match type, say) */
    const double u = gen_unif(r);
    const int hot = u < 0.4 ? 1 : u < 0.7 ? 2 : u < 0.9 ? 3 : 4;
    for (int j = 1; j <= 4; j++) e->att[j] = (unsigned char)(j == hot);
    const unsigned char *a = e->att;
    int many = 0;
    for (int j = 29; j < 39; j++) many += a[j];
    double z = -3.2;
    z += 0.5 * a[2] - 0.4 * a[4];
    z += 0.7 * (a[9] && a[10]);          /* interaction */
    z += 0.6 * a[19];                    /* rarer, strong */
    z -= 0.3 * a[11];
    z += 0.3 * (many >= 2);              /* count threshold over a block */
    z += 0.3 * gen_normal(r);            /* keyword effect the attributes do not explain */
    e->logit_base = z;
    e->volume = 0.7 + 1.6 * gen_normal(r);
    e->n_combo = draw_combo_count(r);
    int order[N_COMBO] = { 0, 1, 2, 3, 4, 5 };
    for (int k = N_COMBO - 1; k > 0; k--) {   /* Fisher-Yates, then keep the first n sorted */
        const int m = (int)gen_below(r, (uint64_t)k + 1);
        const int tmp = order[k];
        order[k] = order[m];
        order[m] = tmp;
    }
    unsigned keep = 0;
    for (int k = 0; k < e->n_combo; k++) keep |= 1u << order[k];
    int n = 0;
    for (int c = 0; c < N_COMBO; c++)
        if (keep & (1u << c)) e->combo[n++] = c;
}

/* Conversion rate of one row: device and week shift the entity's logit. */
static double row_rate(const entity *e, int device, int week)
{
    static const double dev_effect[3] = { 0.15, -0.2, -0.05 };
    double z = e->logit_base + dev_effect[device] + 0.05 * (week == 31);
    z += 0.4 * (e->att[12] && device == 0);   /* attribute x device interaction */
    return gen_sigmoid(z);
}

static int64_t draw_clicks(gen_rng *r, const entity *e, int device)
{
    static const double dev_volume[3] = { 0.0, -0.8, -0.8 };
    const double v = exp(e->volume + dev_volume[device] + 0.4 * gen_normal(r));
    return 1 + (int64_t)fmin(floor(v), 1e6);
}

static void write_header(gen_out *w)
{
    gen_put_str(w, "\"entity_id\"");
    char name[32];
    for (int j = 1; j <= N_ATT; j++) {
        snprintf(name, sizeof name, ",\"att%d\"", j);
        gen_put_str(w, name);
    }
    gen_put_str(w, ",\"device\",\"week\",\"Clicks\",\"Conversions\"\n");
}

/* One row's Clicks and Conversions from its own stream (draws in a fixed order). */
static void draw_counts(gen_rng *rr, const entity *e, int device, double cr, const gen_opts *o, int64_t *clicks,
                        int64_t *conv)
{
    *clicks = draw_clicks(rr, e, device);
    const int zero = gen_bern(rr, o->zero_frac), over = gen_bern(rr, o->over_frac);
    if (zero) {
        *clicks = 0;
        *conv = 0;
    } else if (over) {   /* post-click attribution can credit more conversions than clicks */
        *conv = *clicks + 1 + gen_poisson(rr, 1.0);
    } else {
        *conv = gen_binomial(rr, *clicks, cr);
    }
}

/* One CSV line of the keyword layout, formatted in place in w's buffer. */
static void write_row(gen_out *w, const entity *e, int device, int week, int64_t clicks, int64_t conv)
{
    char *p = w->buf + w->len;
    p = gen_fmt_u64(p, e->id);
    for (int j = 0; j < N_ATT; j++) {
        *p++ = ',';
        *p++ = (char)('0' + e->att[j]);
    }
    *p++ = ',';
    *p++ = '"';
    const size_t dn = strlen(device_name[device]);
    memcpy(p, device_name[device], dn);
    p += dn;
    *p++ = '"';
    *p++ = ',';
    p = gen_fmt_u64(p, (uint64_t)week);
    *p++ = ',';
    p = gen_fmt_u64(p, (uint64_t)clicks);
    *p++ = ',';
    p = gen_fmt_u64(p, (uint64_t)conv);
    *p++ = '\n';
    w->len = (size_t)(p - w->buf);
    gen_out_row_done(w);
}

/* The rows of every entity until o->rows are written (truth: NULL or its file). */
static void write_rows(const gen_opts *o, const double *prev, gen_out *w, gen_out *truth)
{
    int64_t row = 0;
    uint64_t next_id = 4;
    for (uint64_t ent = 0; row < o->rows; ent++) {
        gen_rng r;
        gen_rng_init(&r, o->seed, STREAM_ENTITY, ent);
        entity e;
        e.id = next_id;
        next_id += 1 + gen_below(&r, 2);   /* ids with gaps, like the real sample */
        draw_entity(&r, prev, &e);
        for (int k = 0; k < e.n_combo && row < o->rows; k++, row++) {
            const int device = e.combo[k] / 2, week = 30 + e.combo[k] % 2;
            gen_rng rr;
            gen_rng_init(&rr, o->seed, STREAM_ROW, (uint64_t)row);
            const double cr = row_rate(&e, device, week);
            int64_t clicks = 0, conv = 0;
            draw_counts(&rr, &e, device, cr, o, &clicks, &conv);
            write_row(w, &e, device, week, clicks, conv);
            if (truth != NULL) {
                char line[96];
                snprintf(line, sizeof line, "%" PRIu64 ",%s,%d,%.17g\n", e.id, device_name[device], week, cr);
                gen_put_str(truth, line);
            }
        }
    }
}

int main(int argc, char **argv)
{
    gen_opts o = { .rows = 0, .seed = 1, .zero_frac = 0.005, .over_frac = 0.0, .gz_level = 1 };
    const int prc = gen_parse_args(argc, argv, usage, "--zero-clicks", "--over-clicks", &o);
    if (prc != 0) return prc == 1 ? 0 : 2;
    if (o.rows <= 0) { fprintf(stderr, "gen_keywords: --rows N is required\n%s", usage); return 2; }

    double prev[N_ATT];
    for (int j = 0; j < N_ATT; j++) prev[j] = att_prevalence(j);
    gen_out w, t;
    if (gen_out_open(&w, o.out, o.gz_level) != 0) return 1;
    write_header(&w);
    if (o.truth != NULL) {
        if (gen_out_open(&t, o.truth, o.gz_level) != 0) {
            gen_out_abort(&w);
            return 1;
        }
        gen_put_str(&t, "entity_id,device,week,cr\n");
    }
    write_rows(&o, prev, &w, o.truth != NULL ? &t : NULL);
    int rc = gen_out_close(&w);
    if (o.truth != NULL) rc |= gen_out_close(&t);
    return rc == 0 ? 0 : 1;
}
