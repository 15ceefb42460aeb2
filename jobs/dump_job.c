/* dump_job.c - `shardboost dump --model M`: the model's header and trees, readably. */
#include <math.h>   /* for ceil */
#include <errno.h>  /* for errno */
#include <stdio.h>  /* for printf */
#include <stdlib.h> /* for strtol */
#include <string.h> /* for strcmp */

#include "io/model.h"
#include "kernels/split_cat.h"
#include "jobs/predict_score.h"
#include "jobs/jobs.h"
#include "jobs/dump_importance.h"
#include "base/error.h"
#include "base/alloc.h"
#include "mpi/run.h"

static const char *usage_text =
    "usage: shardboost dump --model M.json [--tree N] [--no-trees] [--importance [TYPE]]\n"
    "Prints the model header (objective, base score, parameters, training record) and the trees\n"
    "in XGBoost's text-dump style: `id:[feature<threshold] yes=.. no=.. missing=.. gain=.. cover=..`\n"
    "and `id:leaf=value cover=..`. Categorical features show the levels that go left\n"
    "(`[device in {Computer}]`); a native categorical split (enable_categorical) shows its\n"
    "level set the same way; every other level, and a level unseen in training, goes right\n"
    "or, when unseen, the missing way.\n"
    "--importance prints per-feature split count, total gain and cover (XGBoost's weight/\n"
    "total_gain/total_cover), sorted by total gain.\n"
    "--importance TYPE prints one of XGBoost's get_score types, `  feature value` per feature used,\n"
    "highest first: weight (splits), gain (average gain per split), cover (average cover per split),\n"
    "total_gain, total_cover. Gain is the split's loss reduction, cover its sum of training hessians.\n";

static void print_split(const sb_model *m, const sb_node *nd, const uint64_t *cats)
{
    const sb_feature_info *fi = &m->feat[nd->feat];
    if (nd->cat > 0) { /* native: the set's levels go left (model_check: codes are levels) */
        const uint64_t *set = cats + SPLIT_CAT_WORDS * (int64_t)(nd->cat - 1);
        printf("[%s in {", fi->name);
        for (int32_t l = 0, n = 0; l < fi->n_levels; ++l)
            if (split_cat_has(set, l)) printf("%s%s", n++ ? "," : "", fi->levels[l]);
        printf("}]");
    } else if (fi->n_levels > 0) { /* level codes below the threshold go left */
        printf("[%s in {", fi->name);
        int first = 1;
        for (int32_t l = 0; l < fi->n_levels && (double)l < nd->threshold; ++l) {
            printf("%s%s", first ? "" : ",", fi->levels[l]);
            first = 0;
        }
        printf("}]");
    } else printf("[%s<%.9g]", fi->name, (double)nd->threshold);
}

static void print_node(const sb_model *m, const sb_node *tree, const uint64_t *cats, int32_t k, int depth)
{
    const sb_node *nd = &tree[k];
    printf("%*s%d:", 2 * depth, "", k);
    if (nd->feat < 0) {
        printf("leaf=%.17g cover=%.9g\n", nd->value, nd->cover);
        return;
    }
    print_split(m, nd, cats);
    printf(" yes=%d no=%d missing=%d gain=%.9g cover=%.9g\n", nd->left, nd->right, nd->default_left ? nd->left : nd->right,
           nd->gain, nd->cover);
    print_node(m, tree, cats, nd->left, depth + 1);
    print_node(m, tree, cats, nd->right, depth + 1);
}

static void print_param(void *ctx, const char *key, const char *value)
{
    (void)ctx;
    printf(" %s=%s", key, value);
}

/* The model's header lines: format, parameters, data, training. */
static void print_summary(const sb_model *m, const char *path)
{
    printf("model %s: %s version %d, objective %s, base_score %.17g (margin %.17g)\n", path, SB_MODEL_FORMAT,
           SB_MODEL_VERSION, objective_name(m->params.objective), m->base_score, m->base_margin);
    printf("params:");
    params_each(&m->params, print_param, NULL);
    printf("\ndata: layout %s, label %s, %lld rows (%lld read, %lld dropped), %d features, fingerprint %016llx\n",
           m->layout, m->label_name, (long long)m->n_rows, (long long)m->rows_read, (long long)m->dropped_zero_trials,
           m->n_feat, (unsigned long long)m->fingerprint);
    printf("training: %d rounds, %d trees kept, best iteration %d", m->n_rounds_done, m->n_trees, m->best_iteration);
    if (m->n_rounds_done > 0) {
        int32_t last = m->n_rounds_done - 1;
        printf(", last train-%s %.9g", metric_name(m->metric), m->train_metric[last]);
        if (m->valid_metric)
            printf(", valid-%s %.9g (best %.9g)", metric_name(m->metric), m->valid_metric[last],
                   m->valid_metric[m->best_iteration]);
    }
    printf("\n");
}

int dump_main(run_ctx *run, int argc, char **argv)
{
    const char *path = NULL;
    long only = -1;
    int trees = 1, importance = 0, imp_type = -1;
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            if (run_rank(run) == 0) fputs(usage_text, stdout);
            return SB_OK;
        } else if (!strcmp(argv[i], "--model") && i + 1 < argc) path = argv[++i];
        else if (!strcmp(argv[i], "--tree") && i + 1 < argc) {
            char *end = NULL;
            errno = 0;
            only = strtol(argv[++i], &end, 10);
            if (end == argv[i] || *end != '\0' || errno != 0 || only < 0) /* "abc" silently dumped tree 0 */
                return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "dump: --tree '%s': must be a tree index 0, 1, ...", argv[i]));
        }
        else if (!strcmp(argv[i], "--no-trees")) trees = 0;
        else if (!strcmp(argv[i], "--importance")) {
            importance = 1;
            if (i + 1 < argc && argv[i + 1][0] != '-' && (imp_type = dump_importance_type(argv[++i])) < 0)
                return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "dump: --importance '%s': the type must be %s",
                                                 argv[i], dump_importance_types));
        }
        else return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "dump: unexpected argument '%s' (see shardboost dump --help)", argv[i]));
    }
    if (!path) return run_agree_rc(run, SB_FAIL(run, SB_EINVAL, "dump: --model M.json is required"));
    sb_model m;
    SB_TRY(run, predict_load_model(run, path, &m)); /* a path or REG/NAME@REF */
    int rc = SB_OK;
    SB_CHECK(run, run_agree_rc(run, only >= m.n_trees ? SB_FAIL(run, SB_EINVAL, "dump: --tree %ld: %s has %d trees (0..%d)",
                                                               only, path, m.n_trees, m.n_trees - 1)
                                                   : SB_OK));
    if (run_rank(run) == 0) {
        print_summary(&m, path);
        if (importance) SB_CHECK(run, dump_importance_print(run, &m, imp_type)); /* rank 0 only: an unagreed, local failure */
        for (int32_t t = 0; trees && t < m.n_trees; ++t) {
            if (only >= 0 && t != only) continue;
            printf("booster[%d]:\n", t);
            print_node(&m, m.nodes + m.tree_start[t], model_tree_cats(&m, t), 0, 0);
        }
        fflush(stdout);
    }
out:
    model_free(&m);
    return rc;
}
