/* params.c - the parameter table: names, aliases, types, ranges, suggestions. */
#include "io/params.h"

#include <errno.h>  /* for errno */
#include <math.h>   /* for isfinite */
#include <stdarg.h> /* for va_list */
#include <stdio.h>  /* for snprintf */
#include <stdlib.h> /* for strtod, strtoll */
#include <string.h> /* for strcmp */

#include "base/error.h"
#include "io/cat_feature.h"
#include "io/constraints_text.h"

/* Longest alias text a suggestion quotes. */
#define PARAM_ALIAS_MAX 64
/* Room for one value's text in params_each (%.17g, a u64, an enum name). */
#define PARAM_VALUE_MAX 64

typedef enum { P_DOUBLE, P_INT, P_U64, P_BOOL, P_OBJECTIVE, P_METRIC, P_GROW, P_MONOTONE, P_INTERACTION, P_CATFEAT } ptype;

/* The texts kept as written (interned): constraints and categorical_feature. */
#define IS_TEXT(t) ((t) == P_MONOTONE || (t) == P_INTERACTION || (t) == P_CATFEAT)

typedef struct {
    const char *name;    /* canonical (XGBoost) */
    const char *aliases; /* space separated */
    ptype type;
    size_t off;
    size_t set_off; /* offset of a "was set" flag, or 0 */
    double lo, hi;
    int lo_open; /* 1: value must be > lo */
    const char *help;
} pdef;

#define OFF(f) offsetof(sb_params, f)
static const pdef table[] = {
    {"objective", "objective_type app application loss", P_OBJECTIVE, OFF(objective), 0, 0, 0, 0,
     "reg:squarederror | reg:logistic | binary:logistic | count:poisson | reg:absoluteerror | "
     "reg:pseudohubererror | reg:tweedie | reg:gamma | reg:quantileerror"},
    {"eta", "learning_rate shrinkage_rate", P_DOUBLE, OFF(eta), 0, 0, 1, 1, "shrinkage per round"},
    {"n_estimators", "num_round num_boost_round num_iterations n_iter num_trees num_rounds nrounds", P_INT,
     OFF(n_rounds), 0, 1, 1e7, 0, "boosting rounds"},
    {"max_depth", "", P_INT, OFF(max_depth), 0, 0, 2147483647.0, 0,
     "0 = unlimited (lossguide); no upper bound: data, min_child_weight, gamma and the node limit stop a tree"},
    {"max_leaves", "num_leaves max_leaf_nodes", P_INT, OFF(max_leaves), 0, 0, 1 << 20, 0, "0 = unlimited"},
    {"grow_policy", "", P_GROW, OFF(grow_policy), 0, 0, 0, 0, "depthwise | lossguide"},
    {"lambda", "reg_lambda lambda_l2", P_DOUBLE, OFF(lambda), 0, 0, 1e300, 0, "L2 on leaf weights"},
    {"alpha", "reg_alpha lambda_l1", P_DOUBLE, OFF(alpha), 0, 0, 1e300, 0, "L1 on leaf weights"},
    {"gamma", "min_split_loss min_split_gain min_gain_to_split", P_DOUBLE, OFF(gamma), 0, 0, 1e300, 0,
     "minimum loss reduction to split"},
    {"min_child_weight", "min_sum_hessian_in_leaf min_sum_hessian min_hessian", P_DOUBLE, OFF(min_child_weight), 0,
     0, 1e300, 0, "minimum hessian sum per child"},
    {"max_delta_step", "max_delta_output", P_DOUBLE, OFF(max_delta_step), OFF(max_delta_step_set), 0, 1e300, 0,
     "leaf output clip (0 = none; poisson default 0.7)"},
    {"subsample", "bagging_fraction sub_row", P_DOUBLE, OFF(subsample), 0, 0, 1, 1, "row sampling per tree"},
    {"colsample_bytree", "feature_fraction sub_feature colsample", P_DOUBLE, OFF(colsample_bytree), 0, 0, 1, 1,
     "feature sampling per tree"},
    {"colsample_bylevel", "", P_DOUBLE, OFF(colsample_bylevel), OFF(colsample_bylevel_set), 0, 1, 1,
     "feature sampling per depth level, of the tree's features (default 1)"},
    {"colsample_bynode", "feature_fraction_bynode", P_DOUBLE, OFF(colsample_bynode), OFF(colsample_bynode_set), 0, 1,
     1, "feature sampling per node, of the level's features (default 1)"},
    {"monotone_constraints", "mc monotone_constraint", P_MONOTONE, OFF(monotone_constraints),
     OFF(monotone_constraints_set), 0, 0, 0,
     "-1/0/1 per feature: (1,0,-1) or 1,0,-1 (one per feature), or by name {\"price\":1} or price:1,x:-1"},
    {"interaction_constraints", "", P_INTERACTION, OFF(interaction_constraints), OFF(interaction_constraints_set), 0,
     0, 0, "sets of features allowed to interact: [[0,1],[2,3]] or [[\"a\",\"b\"],[\"c\"]]"},
    {"base_score", "init_score", P_DOUBLE, OFF(base_score), OFF(base_score_set), -1e300, 1e300, 0,
     "initial prediction (default: weighted label mean)"},
    {"max_bin", "max_bins", P_INT, OFF(max_bin), 0, 2, 256, 0, "histogram bins per feature"},
    {"seed", "random_state random_seed seed_value", P_U64, OFF(seed), 0, 0, 0, 0, "sampling seed"},
    {"eval_metric", "metric", P_METRIC, OFF(eval_metric), OFF(eval_metric_set), 0, 0, 0,
     "rmse | mse | mae | logloss | poisson-nloglik | error | mape | gamma-nloglik | tweedie-nloglik[@rho] | "
     "quantile (pinball, at quantile_alpha) | auc (higher is better)"},
    {"weighted_metric", "", P_BOOL, OFF(weighted_metric), 0, 0, 1, 0, "weight metrics like training (1/0)"},
    {"huber_slope", "", P_DOUBLE, OFF(huber_slope), OFF(huber_slope_set), 0, 1e300, 1,
     "reg:pseudohubererror's delta (default 1)"},
    {"tweedie_variance_power", "", P_DOUBLE, OFF(tweedie_variance_power),
     OFF(tweedie_variance_power_set), 1, 2, 0, "reg:tweedie's power in [1, 2) (default 1.5)"},
    {"scale_pos_weight", "", P_DOUBLE, OFF(scale_pos_weight), OFF(scale_pos_weight_set), 0, 1e300, 1,
     "weight factor of rows labelled 1 (squarederror, reg:logistic, binary:logistic; default 1)"},
    {"quantile_alpha", "", P_DOUBLE, OFF(quantile_alpha), OFF(quantile_alpha_set), 0, 1, 1,
     "reg:quantileerror's quantile in (0, 1) (default 0.5)"},
    {"enable_categorical", "native_categorical", P_BOOL, OFF(enable_categorical), OFF(enable_categorical_set), 0, 1,
     0, "1: categorical features split by level sets (native); 0 (default): by level codes (ordinal)"},
    {"categorical_feature", "categorical_column cat_feature", P_CATFEAT, OFF(categorical_feature),
     OFF(categorical_feature_set), 0, 0, 0,
     "columns (names or 0-based indices: a,b or [0, 3]) holding integer codes 0..254 to split as categories; "
     "implies enable_categorical=1 unless it is set"},
    {"max_cat_to_onehot", "", P_INT, OFF(max_cat_to_onehot), OFF(max_cat_to_onehot_set), 1, 255, 0,
     "native: features with at most this many levels split one level vs the rest (default 4)"},
    {"max_cat_threshold", "max_num_cat", P_INT, OFF(max_cat_threshold), OFF(max_cat_threshold_set), 1, 255, 0,
     "native partitions: most levels on the scanned side (default 32)"},
    {"cat_smooth", "", P_DOUBLE, OFF(cat_smooth), OFF(cat_smooth_set), 0, 1e300, 0,
     "native partitions: levels sorted by G / (H + cat_smooth); levels with H < cat_smooth sit out (default 10)"},
    {"cat_l2", "", P_DOUBLE, OFF(cat_l2), OFF(cat_l2_set), 0, 1e300, 0,
     "native partitions: extra L2 on the children's gain (default 10)"},
    {"min_data_per_group", "", P_DOUBLE, OFF(min_data_per_group), OFF(min_data_per_group_set), 0, 1e300, 0,
     "native partitions: least hessian sum per group of levels (= rows at unit hessian; default 100)"},
    {"early_stopping_rounds", "early_stopping_round early_stopping n_iter_no_change", P_INT,
     OFF(early_stopping_rounds), 0, 0, 1e7, 0, "stop when the valid metric has not improved (0 = off)"},
};
#define N_TABLE (sizeof table / sizeof table[0])

void params_default(sb_params *p)
{
    memset(p, 0, sizeof *p);
    p->objective = SB_OBJ_SQUAREDERROR;
    p->eta = 0.3;
    p->n_rounds = 100;
    p->max_depth = 6;
    p->max_leaves = 0;
    p->grow_policy = SB_GROW_DEPTHWISE;
    p->lambda = 1.0;
    p->min_child_weight = 1.0;
    p->subsample = 1.0;
    p->colsample_bytree = 1.0;
    p->base_score = 0.5;
    p->max_bin = 256;
    p->eval_metric = SB_METRIC_RMSE;
    p->weighted_metric = 1;
    p->huber_slope = 1.0;
    p->tweedie_variance_power = 1.5;
    p->scale_pos_weight = 1.0;
    p->quantile_alpha = 0.5;
    p->max_cat_to_onehot = 4;
    p->max_cat_threshold = 32;
    p->cat_smooth = 10.0;
    p->cat_l2 = 10.0;
    p->min_data_per_group = 100.0;
    p->colsample_bylevel = 1.0;
    p->colsample_bynode = 1.0;
}

/* Compare names treating '-' and '_' alike, case-insensitively. */
static int name_eq(const char *a, const char *b, size_t blen)
{
    size_t i = 0;
    for (; a[i] && i < blen; ++i) {
        char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];
        if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
        if (x != y) return 0;
    }
    return a[i] == '\0' && i == blen;
}

static const pdef *lookup(const char *key)
{
    for (size_t i = 0; i < N_TABLE; ++i) {
        if (name_eq(key, table[i].name, strlen(table[i].name))) return &table[i];
        for (const char *a = table[i].aliases; *a;) {
            size_t len = strcspn(a, " ");
            if (len && name_eq(key, a, len)) return &table[i];
            a += len;
            while (*a == ' ') ++a;
        }
    }
    return NULL;
}

int params_takes_list(const char *key)
{
    const pdef *d = lookup(key);
    return d && IS_TEXT(d->type);
}

const char *params_canonical(const char *key)
{
    const pdef *d = lookup(key);
    return d ? d->name : NULL;
}

/* Characters of a key and a name that the typo suggestion compares. */
#define EDIT_MAX 32

/* Levenshtein distance of the first EDIT_MAX characters of each string. */
static int edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
    if (la > EDIT_MAX) la = EDIT_MAX;
    if (lb > EDIT_MAX) lb = EDIT_MAX;
    int d[EDIT_MAX + 1][EDIT_MAX + 1];
    for (size_t i = 0; i <= la; ++i) d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; ++j) d[0][j] = (int)j;
    for (size_t i = 1; i <= la; ++i)
        for (size_t j = 1; j <= lb; ++j) {
            int cost = !((a[i - 1] == b[j - 1]) || ((a[i - 1] == '-' || a[i - 1] == '_') && (b[j - 1] == '-' || b[j - 1] == '_')));
            int m = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < m) m = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < m) m = d[i - 1][j - 1] + cost;
            d[i][j] = m;
        }
    return d[la][lb];
}

/* The closest canonical name or alias, if close enough to be a typo. */
static const char *suggest(const char *key, char *buf, size_t buflen)
{
    const char *best = NULL;
    int best_d = 1 << 30;
    size_t lk = strlen(key);
    for (size_t i = 0; i < N_TABLE; ++i) {
        int d = edit_distance(key, lk, table[i].name, strlen(table[i].name));
        if (d < best_d) best_d = d, best = table[i].name;
        for (const char *a = table[i].aliases; *a;) {
            size_t len = strcspn(a, " ");
            int da = edit_distance(key, lk, a, len);
            if (da < best_d) {
                best_d = da;
                snprintf(buf, buflen, "%.*s", (int)len, a);
                best = buf;
            }
            a += len;
            while (*a == ' ') ++a;
        }
    }
    size_t limit = lk < 6 ? 2 : (lk < 12 ? 3 : 4);
    return (best && (size_t)best_d <= limit) ? best : NULL;
}

static int parse_double(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

static int parse_int(const char *s, long long *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || errno == ERANGE) return -1;
    if (*end != '\0') { /* accept "100.0" as YAML sometimes writes it */
        double d = 0;
        if (parse_double(s, &d) != 0 || d != (double)(long long)d) return -1;
        v = (long long)d;
    }
    *out = v;
    return 0;
}

/* Where a failure is reported: the run's error, a status code and a prefix
 * ("train", "FILE:LINE", NULL for none) before the message. */
typedef struct {
    run_ctx *run;
    int code;
    const char *where;
} reporter;

/* Longest message (before the prefix); the run context truncates longer ones. */
#define PARAM_MSG_MAX 512
/* Longest prefix (a path and a line, or a grid point's settings). */
#define PARAM_WHERE_MAX 1024

static int fail(const reporter *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(const reporter *r, const char *fmt, ...)
{
    char msg[PARAM_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->where) return SB_FAIL(r->run, r->code, "%s: %s", r->where, msg);
    return SB_FAIL(r->run, r->code, "%s", msg);
}

static int unknown_key(const reporter *r, const char *key)
{
    char alias[PARAM_ALIAS_MAX];
    const char *s = suggest(key, alias, sizeof alias);
    if (s) return fail(r, "unknown parameter '%s'; did you mean '%s'?", key, s);
    return fail(r, "unknown parameter '%s' (see 'shardboost train --help')", key);
}

static int set_double(const reporter *r, const pdef *d, const char *key, const char *value, double *field)
{
    double v = 0;
    if (parse_double(value, &v) != 0) return fail(r, "parameter '%s': '%s' is not a number", key, value);
    if (v < d->lo || v > d->hi || (d->lo_open && v <= d->lo))
        return fail(r, "parameter '%s' = %s out of range %s%g, %g]", key, value, d->lo_open ? "(" : "[", d->lo, d->hi);
    *field = v;
    return SB_OK;
}

/* P_INT (an int32_t field) or P_BOOL (an int field, also "true"/"false"). */
static int set_int(const reporter *r, const pdef *d, const char *key, const char *value, void *field)
{
    long long v = 0;
    if (d->type == P_BOOL && (!strcmp(value, "true") || !strcmp(value, "false"))) v = !strcmp(value, "true");
    else if (parse_int(value, &v) != 0) return fail(r, "parameter '%s': '%s' is not an integer", key, value);
    if ((double)v < d->lo || (double)v > d->hi)
        return fail(r, "parameter '%s' = %s out of range [%g, %g]", key, value, d->lo, d->hi);
    if (d->type == P_BOOL) *(int *)field = (int)v;
    else *(int32_t *)field = (int32_t)v;
    return SB_OK;
}

static int set_u64(const reporter *r, const char *key, const char *value, uint64_t *field)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(value, &end, 10);
    if (end == value || *end || errno == ERANGE || value[0] == '-')
        return fail(r, "parameter '%s': '%s' is not a non-negative integer", key, value);
    *field = (uint64_t)v;
    return SB_OK;
}

/* The objective's natural metric, as XGBoost picks it when none is set. */
static sb_metric_kind natural_metric(sb_objective o)
{
    return o == SB_OBJ_LOGISTIC || o == SB_OBJ_BINARY ? SB_METRIC_LOGLOSS
           : o == SB_OBJ_POISSON ? SB_METRIC_POISSON_NLOGLIK
           : o == SB_OBJ_GAMMA ? SB_METRIC_GAMMA_NLOGLIK
           : o == SB_OBJ_ABSOLUTEERROR || o == SB_OBJ_QUANTILE ? SB_METRIC_MAE
                                        : SB_METRIC_RMSE;
}

/* The named choices: objective, metric, grow policy. */
static int set_enum(const reporter *r, const pdef *d, const char *key, const char *value, sb_params *p)
{
    void *field = (char *)p + d->off;
    sb_objective o;
    sb_metric_kind k;
    switch (d->type) {
    case P_OBJECTIVE:
        if (objective_parse(value, &o) != 0)
            return fail(r, "parameter '%s': unknown objective '%s' (%s)", key, value, d->help);
        *(sb_objective *)field = o;
        if (!p->eval_metric_set) p->eval_metric = natural_metric(o);
        return SB_OK;
    case P_METRIC: {
        double param = 0;
        if (metric_parse_param(value, &k, &param) != 0)
            return fail(r, "parameter '%s': unknown metric '%s' (%s)", key, value, d->help);
        if (param != 0 && !(param >= 1.0 && param < 2.0))
            return fail(r, "parameter '%s': '%s': tweedie-nloglik's rho must be in [1, 2)", key, value);
        *(sb_metric_kind *)field = k;
        p->eval_metric_param = param;
        return SB_OK;
    }
    default: /* P_GROW */
        if (!strcmp(value, "depthwise")) *(sb_grow_policy *)field = SB_GROW_DEPTHWISE;
        else if (!strcmp(value, "lossguide")) *(sb_grow_policy *)field = SB_GROW_LOSSGUIDE;
        else return fail(r, "parameter '%s': '%s' is not depthwise or lossguide", key, value);
        return SB_OK;
    }
}

/* Texts of the constraints, interned: kept until exit, one copy per distinct
 * text (params are copied by value everywhere; a handful of texts per run). */
typedef struct interned {
    struct interned *next;
    char text[];
} interned;
static interned *intern_pool;

static const char *intern(const char *s)
{
    for (const interned *i = intern_pool; i; i = i->next)
        if (!strcmp(i->text, s)) return i->text;
    const size_t n = strlen(s) + 1;
    interned *i = malloc(sizeof *i + n);
    if (!i) return NULL;
    memcpy(i->text, s, n);
    i->next = intern_pool;
    intern_pool = i;
    return i->text;
}

/* monotone_constraints / interaction_constraints: the syntax checked now (the
 * names when training starts), the text kept; "" and "()"/"[]" mean none. */
static int set_text(const reporter *r, const pdef *d, const char *key, const char *value, const char **field)
{
    char err[PARAM_MSG_MAX / 2];
    cons_list l;
    if (strlen(value) >= SB_PARAM_TEXT_MAX)
        return fail(r, "parameter '%s': text longer than %d characters", key, SB_PARAM_TEXT_MAX - 1);
    const int prc = d->type == P_MONOTONE  ? cons_parse_monotone(value, &l, err, sizeof err)
                    : d->type == P_CATFEAT ? cat_feature_parse(value, &l, err, sizeof err)
                                           : cons_parse_interaction(value, &l, err, sizeof err);
    if (prc == -2) return fail(r, "parameter '%s': out of memory", key);
    if (prc != 0) return fail(r, "parameter '%s': %s", key, err);
    const int none = l.n == 0;
    cons_list_free(&l);
    if (none) {
        *field = NULL;
        return SB_OK;
    }
    if (!(*field = intern(value))) return fail(r, "parameter '%s': out of memory", key);
    return SB_OK;
}

static int set_one(const reporter *r, sb_params *p, const char *key, const char *value)
{
    const pdef *d = lookup(key);
    if (!d) return unknown_key(r, key);
    char *field = (char *)p + d->off;
    switch (d->type) {
    case P_DOUBLE: SB_TRY(r->run, set_double(r, d, key, value, (double *)field)); break;
    case P_INT:
    case P_BOOL: SB_TRY(r->run, set_int(r, d, key, value, field)); break;
    case P_U64: SB_TRY(r->run, set_u64(r, key, value, (uint64_t *)field)); break;
    case P_MONOTONE:
    case P_CATFEAT:
    case P_INTERACTION: SB_TRY(r->run, set_text(r, d, key, value, (const char **)(void *)field)); break;
    default: SB_TRY(r->run, set_enum(r, d, key, value, p)); break;
    }
    if (d->set_off) *(int *)((char *)p + d->set_off) = 1;
    if (IS_TEXT(d->type) && *(const char **)(void *)field == NULL)
        *(int *)((char *)p + d->set_off) = 0; /* none: as if never set, so the model's bytes stay as without */
    return SB_OK;
}

/* Format the caller's prefix into buf; NULL when there is none. */
static const char *where_text(char *buf, size_t len, const char *fmt, va_list ap)
{
    if (fmt == NULL) return NULL;
    vsnprintf(buf, len, fmt, ap);
    return buf;
}

int params_set(run_ctx *run, sb_params *p, const char *key, const char *value, const char *where, ...)
{
    char buf[PARAM_WHERE_MAX];
    va_list ap;
    va_start(ap, where);
    const reporter r = {run, SB_EINVAL, where_text(buf, sizeof buf, where, ap)};
    va_end(ap);
    return set_one(&r, p, key, value);
}

int params_set_stored(run_ctx *run, sb_params *p, const char *key, const char *value, const char *where, ...)
{
    char buf[PARAM_WHERE_MAX];
    va_list ap;
    va_start(ap, where);
    const reporter r = {run, SB_EDATA, where_text(buf, sizeof buf, where, ap)};
    va_end(ap);
    return set_one(&r, p, key, value);
}

static int check_objective(const reporter *r, const sb_params *p);

static int check_all(const reporter *r, const sb_params *p)
{
    if (p->grow_policy == SB_GROW_DEPTHWISE && p->max_depth == 0)
        return fail(r, "max_depth=0 (unlimited) needs grow_policy=lossguide with max_leaves");
    if (p->grow_policy == SB_GROW_LOSSGUIDE && p->max_depth == 0 && p->max_leaves == 0)
        return fail(r, "grow_policy=lossguide needs max_leaves (num_leaves) or max_depth > 0");
    if (p->max_leaves == 1) return fail(r, "max_leaves must be 0 (unlimited) or >= 2");
    if (p->base_score_set && p->objective == SB_OBJ_LOGISTIC && !(p->base_score > 0 && p->base_score < 1))
        return fail(r, "base_score must be in (0, 1) for reg:logistic");
    if (p->base_score_set && p->objective == SB_OBJ_POISSON && !(p->base_score > 0))
        return fail(r, "base_score must be > 0 for count:poisson");
    return check_objective(r, p);
}

/* The new objectives' parameter ranges that the table cannot say. */
static int check_objective(const reporter *r, const sb_params *p)
{
    const sb_objective o = p->objective;
    if (p->base_score_set && o == SB_OBJ_BINARY && !(p->base_score > 0 && p->base_score < 1))
        return fail(r, "base_score must be in (0, 1) for binary:logistic");
    if (p->base_score_set && (o == SB_OBJ_TWEEDIE || o == SB_OBJ_GAMMA) && !(p->base_score > 0))
        return fail(r, "base_score must be > 0 for %s", objective_name(o));
    if (!(p->quantile_alpha < 1.0)) return fail(r, "quantile_alpha = %g out of range (0, 1)", p->quantile_alpha);
    if (!(p->tweedie_variance_power < 2.0))
        return fail(r, "tweedie_variance_power = %g out of range [1, 2)", p->tweedie_variance_power);
    return SB_OK;
}

int params_validate(run_ctx *run, const sb_params *p, const char *where, ...)
{
    char buf[PARAM_WHERE_MAX];
    va_list ap;
    va_start(ap, where);
    const reporter r = {run, SB_EINVAL, where_text(buf, sizeof buf, where, ap)};
    va_end(ap);
    return check_all(&r, p);
}

double params_effective_max_delta_step(const sb_params *p)
{
    if (!p->max_delta_step_set && p->objective == SB_OBJ_POISSON) return 0.7;
    return p->max_delta_step;
}

double params_metric_param(const sb_params *p)
{
    if (p->eval_metric == SB_METRIC_TWEEDIE_NLOGLIK)
        return p->eval_metric_param != 0 ? p->eval_metric_param : p->tweedie_variance_power;
    if (p->eval_metric == SB_METRIC_QUANTILE) return p->quantile_alpha;
    return 0.0;
}

void params_each(const sb_params *p, void (*fn)(void *ctx, const char *key, const char *value), void *ctx)
{
    char buf[PARAM_VALUE_MAX];
    for (size_t i = 0; i < N_TABLE; ++i) {
        const pdef *d = &table[i];
        const char *field = (const char *)p + d->off;
        if (d->set_off && !*(const int *)((const char *)p + d->set_off)) continue; /* not set: default */
        switch (d->type) {
        case P_DOUBLE: snprintf(buf, sizeof buf, "%.17g", *(const double *)field); break;
        case P_INT: snprintf(buf, sizeof buf, "%d", (int)*(const int32_t *)field); break;
        case P_BOOL: snprintf(buf, sizeof buf, "%d", *(const int *)field); break;
        case P_U64: snprintf(buf, sizeof buf, "%llu", (unsigned long long)*(const uint64_t *)field); break;
        case P_OBJECTIVE: snprintf(buf, sizeof buf, "%s", objective_name(*(const sb_objective *)field)); break;
        case P_METRIC:
            if (p->eval_metric_param != 0)
                snprintf(buf, sizeof buf, "%s@%.17g", metric_name(*(const sb_metric_kind *)field), p->eval_metric_param);
            else snprintf(buf, sizeof buf, "%s", metric_name(*(const sb_metric_kind *)field));
            break;
        case P_MONOTONE:
        case P_CATFEAT:
        case P_INTERACTION: fn(ctx, d->name, *(const char *const *)(const void *)field); continue;
        case P_GROW:
            snprintf(buf, sizeof buf, "%s", *(const sb_grow_policy *)field == SB_GROW_LOSSGUIDE ? "lossguide" : "depthwise");
            break;
        }
        fn(ctx, d->name, buf);
    }
}

static size_t field_size(ptype t)
{
    switch (t) {
    case P_DOUBLE: return sizeof(double);
    case P_INT: return sizeof(int32_t);
    case P_BOOL: return sizeof(int);
    case P_U64: return sizeof(uint64_t);
    case P_OBJECTIVE: return sizeof(sb_objective);
    case P_METRIC: return sizeof(sb_metric_kind);
    case P_GROW: return sizeof(sb_grow_policy);
    case P_MONOTONE:
    case P_CATFEAT:
    case P_INTERACTION: return 0; /* texts: compared by content */
    }
    return 0;
}

int params_equal(const sb_params *a, const sb_params *b)
{
    for (size_t i = 0; i < N_TABLE; ++i) {
        const pdef *d = &table[i];
        if (d->set_off) {
            const int set_a = *(const int *)((const char *)a + d->set_off) != 0;
            const int set_b = *(const int *)((const char *)b + d->set_off) != 0;
            if (set_a != set_b) return 0;
            if (!set_a) continue; /* both at the default */
        }
        if (memcmp((const char *)a + d->off, (const char *)b + d->off, field_size(d->type)) != 0) return 0;
        if (d->type == P_METRIC && memcmp(&a->eval_metric_param, &b->eval_metric_param, sizeof(double)) != 0) return 0;
        if (IS_TEXT(d->type)) {
            const char *ta = *(const char *const *)(const void *)((const char *)a + d->off);
            const char *tb = *(const char *const *)(const void *)((const char *)b + d->off);
            if (strcmp(ta ? ta : "", tb ? tb : "") != 0) return 0;
        }
    }
    return 1;
}

void params_help(char *buf, size_t len)
{
    size_t used = 0;
    for (size_t i = 0; i < N_TABLE && used < len; ++i) {
        int w = snprintf(buf + used, len - used, "  %-22s %s%s%s%s\n", table[i].name, table[i].help,
                         table[i].aliases[0] ? " (aliases: " : "", table[i].aliases, table[i].aliases[0] ? ")" : "");
        if (w < 0) break;
        used += (size_t)w;
    }
}
