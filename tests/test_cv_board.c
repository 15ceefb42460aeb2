/* test_cv_board.c - cv results: mean/std, best round, ranking (ties by point,
 * NaN last), MPI records, the journal (torn line, stale key), leaderboard
 * writing and merging, train arguments of a refit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* for rmdir, access */

#include "cunit_main.h"
#include "helpers.h"
#include "io/cv_journal.h"
#include "io/leaderboard.h"
#include "jobs/cv_board.h"
#include "jobs/cv_record.h"
#include "jobs/cv_summary.h"
#include "base/error.h"
#include "mpi/run.h"

static run_ctx *run;
static char dir[128]; /* $TMPDIR/sb_cv_<pid>.XXXXXX */

static void fill(cv_results *r, int64_t p, double a, double b, int32_t ra, int32_t rb)
{
    r->metric[p * 2] = a, r->metric[p * 2 + 1] = b;
    r->rounds[p * 2] = ra, r->rounds[p * 2 + 1] = rb;
    r->seconds[p] = 1.5;
    r->done[p] = 1;
}

static void test_stats_and_rounds(void)
{
    double v[3] = {1, 2, 4}, m = 0, s = 0;
    cv_stats(v, 3, &m, &s);
    CU_ASSERT_DOUBLE_EQUAL(m, 7.0 / 3, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(s, sqrt(((1 - m) * (1 - m) + (2 - m) * (2 - m) + (4 - m) * (4 - m)) / 3), 1e-15);
    int32_t r1[2] = {10, 11}, r2[3] = {10, 10, 11}, r3[2] = {0, 0};
    CU_ASSERT_EQUAL(cv_best_round(r1, 2), 11); /* 10.5 rounds half up */
    CU_ASSERT_EQUAL(cv_best_round(r2, 3), 10);
    CU_ASSERT_EQUAL(cv_best_round(r3, 2), 1);
}

static void test_rank_ties_and_nan(void)
{
    cv_results r;
    CU_ASSERT_EQUAL_FATAL(cv_results_init(run, &r, 5, 2), SB_OK);
    fill(&r, 0, 0.3, 0.3, 1, 1);
    fill(&r, 1, 0.2, 0.2, 1, 1);
    fill(&r, 2, NAN, 0.1, 1, 1);
    fill(&r, 4, 0.2, 0.2, 1, 1); /* ties with point 1; point 3 not done */
    int64_t order[5];
    int64_t n_done = 0;
    CU_ASSERT_EQUAL(cv_rank(run, &r, order, &n_done), SB_OK);
    CU_ASSERT_EQUAL(n_done, 4);
    CU_ASSERT_EQUAL(order[0], 1);
    CU_ASSERT_EQUAL(order[1], 4);
    CU_ASSERT_EQUAL(order[2], 0);
    CU_ASSERT_EQUAL(order[3], 2);
    double rec[6];
    cv_results s;
    CU_ASSERT_EQUAL_FATAL(cv_results_init(run, &s, 5, 2), SB_OK);
    cv_record_pack(&r, 4, rec);
    CU_ASSERT_EQUAL(cv_record_unpack(&s, rec), 0);
    CU_ASSERT(s.done[4] && s.metric[8] == 0.2 && s.rounds[9] == 1 && s.seconds[4] == 1.5);
    rec[0] = 5;
    CU_ASSERT_EQUAL(cv_record_unpack(&s, rec), -1);
    cv_results_free(&s);
    cv_results_free(&r);
}

static void test_journal(void)
{
    cv_results r, back;
    uint64_t keys[3] = {11, 22, 33};
    char path[512];
    snprintf(path, sizeof path, "%s/journal-r00000.csv", dir);
    CU_ASSERT_EQUAL_FATAL(cv_results_init(run, &r, 3, 2), SB_OK);
    fill(&r, 0, 0.1, 1.0 / 3, 7, 9);
    fill(&r, 2, 0.5, 0.25, 3, 4);
    CU_ASSERT_EQUAL(cv_journal_append(run, path, &r, 0, 11), SB_OK);
    CU_ASSERT_EQUAL(cv_journal_append(run, path, &r, 2, 99), SB_OK); /* another grid's point 2 */
    FILE *f = fopen(path, "a");
    fputs("1,0000000000000016,1.0,2,0.5", f); /* torn line: no values, no newline */
    fclose(f);
    CU_ASSERT_EQUAL(cv_journal_count(dir), 1);
    CU_ASSERT_EQUAL_FATAL(cv_results_init(run, &back, 3, 2), SB_OK);
    int64_t reused = 0, stale = 0;
    CU_ASSERT_EQUAL(cv_journal_read(run, dir, keys, &back, &reused, &stale), SB_OK);
    CU_ASSERT_EQUAL(reused, 1);
    CU_ASSERT_EQUAL(stale, 2);
    CU_ASSERT(back.done[0] && !back.done[1] && !back.done[2]);
    CU_ASSERT(back.metric[1] == 1.0 / 3); /* %.17g round-trips */
    CU_ASSERT_EQUAL(back.rounds[1], 9);
    remove(path);
    cv_results_free(&back);
    cv_results_free(&r);
}

static void test_journal_names(void)
{
    char path[512], other[512];
    CU_ASSERT_EQUAL(cv_journal_path(run, dir, 7, path, sizeof path), SB_OK);
    CU_ASSERT(strstr(path, "/journal-r00007.csv") != NULL);
    CU_ASSERT_EQUAL(cv_journal_path(run, dir, 7, path, 8), SB_EINVAL); /* too long for the buffer */
    err_clear(run);
    CU_ASSERT_EQUAL(cv_journal_path(run, dir, 7, path, sizeof path), SB_OK);
    snprintf(other, sizeof other, "%s/leaderboard.csv", dir);
    fclose(fopen(path, "w"));
    fclose(fopen(other, "w"));
    CU_ASSERT_EQUAL(cv_journal_count(dir), 1);
    cv_journal_remove_all(run, dir); /* --overwrite: journals go, other files stay */
    CU_ASSERT_EQUAL(cv_journal_count(dir), 0);
    CU_ASSERT_EQUAL(access(other, F_OK), 0);
    remove(other);
}


static void test_board_and_merge(void)
{
    sb_params base;
    params_default(&base);
    sb_grid g;
    const char *y = "max_depth: [2, 3]\neta: [\"0.1\", 0.3]\n";
    CU_ASSERT_EQUAL_FATAL(grid_parse(run, "g.yaml", y, strlen(y), &base, &g), SB_OK);
    cv_results r;
    CU_ASSERT_EQUAL_FATAL(cv_results_init(run, &r, 4, 2), SB_OK);
    fill(&r, 0, 0.4, 0.4, 5, 5);
    fill(&r, 1, 0.1, 0.3, 5, 6);
    fill(&r, 2, 0.2, 0.2, 2, 3);
    fill(&r, 3, 0.5, 0.5, 1, 1);
    int64_t order[4];
    int64_t n_done = 0;
    CU_ASSERT_EQUAL(cv_rank(run, &r, order, &n_done), SB_OK);
    CU_ASSERT_EQUAL(n_done, 4); /* points 1 and 2 tie at 0.2: point order */
    char whole[512], a[512], b[512], m[512];
    snprintf(whole, sizeof whole, "%s/whole.csv", dir);
    CU_ASSERT_EQUAL_FATAL(cv_board_write(run, whole, &g, &r, order, 4, "mse"), SB_OK);
    char *text = sb_slurp(whole, NULL);
    CU_ASSERT_STRING_EQUAL(text,
                           "point,max_depth,eta,mean_mse,std_mse,best_round,mse_fold0,mse_fold1,rounds_fold0,rounds_fold1,fit_seconds\n"
                           "1,2,0.3,0.20000000000000001,0.099999999999999992,6,0.10000000000000001,0.29999999999999999,5,6,1.500\n"
                           "2,3,0.1,0.20000000000000001,0,3,0.20000000000000001,0.20000000000000001,2,3,1.500\n"
                           "0,2,0.1,0.40000000000000002,0,5,0.40000000000000002,0.40000000000000002,5,5,1.500\n"
                           "3,3,0.3,0.5,0,1,0.5,0.5,1,1,1.500\n");
    free(text);
    /* Two slices (even / odd points) merge back into the whole board. */
    int64_t even[2] = {2, 0}, odd[2] = {1, 3};
    snprintf(a, sizeof a, "%s/a.csv", dir);
    snprintf(b, sizeof b, "%s/b.csv", dir);
    snprintf(m, sizeof m, "%s/m.csv", dir);
    CU_ASSERT_EQUAL(cv_board_write(run, a, &g, &r, even, 2, "mse"), SB_OK);
    CU_ASSERT_EQUAL(cv_board_write(run, b, &g, &r, odd, 2, "mse"), SB_OK);
    char *in[2] = {a, b};
    CU_ASSERT_EQUAL(leaderboard_merge(run, m, in, 2), SB_OK);
    char *x = sb_slurp(m, NULL), *w = sb_slurp(whole, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_STRING_EQUAL(x, w);
    free(x), free(w);
    char *twice[2] = {a, a};
    remove(m);
    err_clear(run);
    CU_ASSERT_EQUAL(leaderboard_merge(run, m, twice, 2), SB_EDATA);
    CU_ASSERT(strstr(err_message(run), "is in two of the leaderboards") != NULL);
    CU_ASSERT_PTR_NULL(sb_slurp(m, NULL));
    remove(a), remove(b), remove(whole);
    cv_results_free(&r);
    grid_free(&g);
}

static void test_train_args(void)
{
    sb_params p;
    params_default(&p);
    char buf[1024];
    cv_train_args(&p, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "");
    CU_ASSERT_EQUAL(params_set(run, &p, "learning_rate", "0.1", NULL), SB_OK);
    CU_ASSERT_EQUAL(params_set(run, &p, "num_leaves", "31", NULL), SB_OK);
    CU_ASSERT_EQUAL(params_set(run, &p, "objective", "count:poisson", NULL), SB_OK);
    cv_train_args(&p, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "--objective count:poisson --eta 0.10000000000000001 --max_leaves 31");
}

static const sb_test tests[] = {
    {"mean, population std, best round", test_stats_and_rounds},
    {"ranking: mean, ties by point, NaN last; records", test_rank_ties_and_nan},
    {"journal: append, torn line and stale key ignored", test_journal},
    {"journal: file names, --overwrite removes only journals", test_journal_names},
    {"leaderboard bytes; merge of slices; a slice twice", test_board_and_merge},
    {"train arguments of a refit", test_train_args},
};

static int make_dir(void) { return sb_make_tmpdir(dir, sizeof dir, "cv"); }
static int remove_dir(void) { return sb_remove_tree(dir); }

SB_TEST_MAIN(&run, SB_SUITE_FIXTURE("cv_board", tests, make_dir, remove_dir))
