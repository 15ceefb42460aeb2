/* comm.c - small named collectives over the run context's communicator. */
#include "mpi/comm.h"

#include <limits.h> /* for INT_MAX */
#include <sched.h>  /* for sched_getaffinity */
#include <stdlib.h>
#include <string.h>

#include "mpi/run_impl.h"
#include "base/alloc.h"

/* Attach MPI's own error text to a failed call. */
static int comm_call(run_ctx *run, int mpi_rc, const char *what, const char *file, int line)
{
    if (mpi_rc == MPI_SUCCESS) return SB_OK;
    return mpi_fail_at(run, SB_EMPI, mpi_rc, file, line, "%s", what);
}
#define CALL(run, expr, what) comm_call((run), (expr), (what), __FILE__, __LINE__)

int comm_count(run_ctx *run, int64_t n, int *out)
{
    if (n < 0 || n > INT_MAX)
        return SB_FAIL(run, SB_EINVAL, "count %lld does not fit an MPI int", (long long)n);
    *out = (int)n;
    return SB_OK;
}

int comm_agree_max(run_ctx *run, int *flag)
{
    return CALL(run, MPI_Allreduce(MPI_IN_PLACE, flag, 1, MPI_INT, MPI_MAX, run_comm(run)), "MPI_Allreduce(agree max)");
}

static int reduce(run_ctx *run, void *v, int64_t n, MPI_Datatype t, MPI_Op op, const char *what)
{
    int cnt = 0;
    SB_TRY(run, comm_count(run, n, &cnt));
    if (cnt == 0) return SB_OK;
    return CALL(run, MPI_Allreduce(MPI_IN_PLACE, v, cnt, t, op, run_comm(run)), what);
}

int comm_node_cpus(run_ctx *run, int *ranks, int *cpus)
{
    int rc = SB_OK;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) CPU_SET(0, &set); /* unknown: count one */
    MPI_Comm node = MPI_COMM_NULL;
    SB_CHECK(run, CALL(run, MPI_Comm_split_type(run_comm(run), MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node),
                       "MPI_Comm_split_type(shared)"));
    SB_CHECK(run, CALL(run, MPI_Comm_size(node, ranks), "MPI_Comm_size"));
    /* the union of the masks: a bitwise or of the bytes */
    SB_CHECK(run, CALL(run, MPI_Allreduce(MPI_IN_PLACE, &set, (int)sizeof set, MPI_BYTE, MPI_BOR, node),
                       "MPI_Allreduce(bor)"));
out:
    if (node != MPI_COMM_NULL) MPI_Comm_free(&node);
    *cpus = rc == SB_OK ? CPU_COUNT(&set) : 1;
    return rc;
}

int comm_sum_i64(run_ctx *run, int64_t *v, int64_t n) { return reduce(run, v, n, MPI_INT64_T, MPI_SUM, "MPI_Allreduce(sum i64)"); }
int comm_max_i64(run_ctx *run, int64_t *v, int64_t n) { return reduce(run, v, n, MPI_INT64_T, MPI_MAX, "MPI_Allreduce(max i64)"); }
int comm_max_f64(run_ctx *run, double *v, int64_t n) { return reduce(run, v, n, MPI_DOUBLE, MPI_MAX, "MPI_Allreduce(max f64)"); }

int comm_exscan_i64(run_ctx *run, int64_t mine, int64_t *before, int64_t *total)
{
    int64_t b = 0;
    SB_TRY(run, CALL(run, MPI_Exscan(&mine, &b, 1, MPI_INT64_T, MPI_SUM, run_comm(run)), "MPI_Exscan"));
    if (run->rank == 0) b = 0; /* MPI leaves rank 0's result undefined */
    int64_t t = mine;
    SB_TRY(run, CALL(run, MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_INT64_T, MPI_SUM, run_comm(run)), "MPI_Allreduce(total)"));
    if (before) *before = b;
    if (total) *total = t;
    return SB_OK;
}

int comm_bcast(run_ctx *run, void *buf, int64_t nbytes, int root)
{
    /* Large payloads go in INT_MAX-sized pieces. */
    char *p = buf;
    while (nbytes > 0) {
        int piece = nbytes > INT_MAX ? INT_MAX : (int)nbytes;
        SB_TRY(run, CALL(run, MPI_Bcast(p, piece, MPI_BYTE, root, run_comm(run)), "MPI_Bcast"));
        p += piece;
        nbytes -= piece;
    }
    return SB_OK;
}

/* Displacements of the gathered blocks (the same counts on every rank: the
 * same outcome everywhere); *sum gets the total. Local. */
static int displacements(run_ctx *run, const int *cnt, int *dsp, int64_t *counts, int64_t *sum)
{
    *sum = 0;
    for (int r = 0; r < run->size; ++r) {
        if (*sum > INT_MAX) return SB_FAIL(run, SB_EINVAL, "allgather of %lld bytes exceeds MPI int", (long long)*sum);
        dsp[r] = (int)*sum;
        *sum += cnt[r];
        if (counts) counts[r] = cnt[r];
    }
    return SB_OK;
}

/* Every local failure (count too large, no memory) is agreed before the
 * next collective, so a rank that cannot take part never leaves the others
 * waiting in MPI_Allgather(v). */
int comm_allgatherv_bytes(run_ctx *run, const void *mine, int64_t nbytes, void **out, int64_t *total,
                          int64_t *counts)
{
    int rc = SB_OK, n = 0;
    int *cnt = NULL, *dsp = NULL;
    char *buf = NULL;
    int64_t sum = 0;
    const int counted = comm_count(run, nbytes, &n);
    cnt = sb_alloc(run, (size_t)run->size, sizeof *cnt);
    dsp = sb_alloc(run, (size_t)run->size, sizeof *dsp);
    SB_CHECK(run, run_agree_rc(run, counted != SB_OK ? counted : (cnt && dsp) ? SB_OK : SB_ENOMEM));
    SB_CHECK(run, CALL(run, MPI_Allgather(&n, 1, MPI_INT, cnt, 1, MPI_INT, run_comm(run)), "MPI_Allgather(counts)"));
    const int fits = displacements(run, cnt, dsp, counts, &sum);
    if (fits == SB_OK) buf = sb_alloc(run, (size_t)sum + 1, 1);
    SB_CHECK(run, run_agree_rc(run, fits != SB_OK ? fits : buf ? SB_OK : SB_ENOMEM));
    SB_CHECK(run,
             CALL(run, MPI_Allgatherv(mine, n, MPI_BYTE, buf, cnt, dsp, MPI_BYTE, run_comm(run)), "MPI_Allgatherv"));
    *out = buf;
    buf = NULL; /* handed over */
    if (total) *total = sum;
out:
    free(cnt);
    free(dsp);
    free(buf);
    return rc;
}

int comm_barrier(run_ctx *run) { return CALL(run, MPI_Barrier(run_comm(run)), "MPI_Barrier"); }

int comm_split(run_ctx *run, int color, int key, run_ctx **child)
{
    int rc = SB_OK;
    run_ctx *c = NULL;
    struct run_comm *cc = NULL;
    SB_ALLOC_OR_OUT(run, c, 1, sizeof *c);
    SB_ALLOC_OR_OUT(run, cc, 1, sizeof *cc);
    *c = *run;
    c->comm = cc;
    SB_CHECK(run, CALL(run, MPI_Comm_split(run_comm(run), color, key, &cc->comm), "MPI_Comm_split"));
    cc->owns = 1;
    MPI_Comm_set_errhandler(cc->comm, MPI_ERRORS_RETURN);
    MPI_Comm_rank(cc->comm, &c->rank);
    MPI_Comm_size(cc->comm, &c->size);
    err_clear(c);
    *child = c;
    return SB_OK;
out:
    free(cc);
    free(c);
    return rc;
}

void comm_free_child(run_ctx *child)
{
    if (!child) return;
    if (child->comm->owns) MPI_Comm_free(&child->comm->comm);
    free(child->comm);
    free(child);
}
