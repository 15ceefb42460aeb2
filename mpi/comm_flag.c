/* comm_flag.c - see comm_flag.h. One point-to-point message per (raiser, peer) on
 * a private communicator; close learns how many to expect from an allgather. */
#include "mpi/comm_flag.h"

#include <stdlib.h>

#include "mpi/run_impl.h"
#include "base/alloc.h"

#define FLAG_TAG 7301

struct comm_flag {
    MPI_Comm comm;
    int rank, size;
    int raised;
    int lowest;       /* lowest raiser seen */
    int received;     /* notices received so far */
    int payload;      /* sent value: our rank (must outlive the sends) */
    MPI_Request *req; /* size entries, MPI_REQUEST_NULL where unused */
    int *raised_by;   /* size entries, filled at close (allocated at open: close cannot fail locally) */
};

static void flag_free(comm_flag *f)
{
    if (f == NULL) return;
    free(f->req);
    free(f->raised_by);
    free(f);
}

/* The flag's memory; NULL (error set) when out of memory. Local. */
static comm_flag *flag_new(run_ctx *run)
{
    comm_flag *f = sb_alloc(run, 1, sizeof *f);
    if (f == NULL) return NULL;
    f->comm = MPI_COMM_NULL;
    f->rank = run->rank;
    f->size = run->size;
    f->lowest = run->size;
    f->req = sb_alloc(run, (size_t)run->size, sizeof *f->req);
    f->raised_by = sb_alloc(run, (size_t)run->size, sizeof *f->raised_by);
    if (f->req == NULL || f->raised_by == NULL) {
        flag_free(f);
        return NULL;
    }
    for (int r = 0; r < f->size; ++r) f->req[r] = MPI_REQUEST_NULL;
    return f;
}

int comm_flag_open(run_ctx *run, comm_flag **out)
{
    int rc = SB_OK;
    comm_flag *f = flag_new(run);
    /* agreed: a rank without memory must not skip the collective MPI_Comm_dup */
    SB_CHECK(run, run_agree_rc(run, f ? SB_OK : SB_ENOMEM));
    if (MPI_Comm_dup(run_comm(run), &f->comm) != MPI_SUCCESS)
        SB_RAISE(run, SB_EMPI, "MPI_Comm_dup failed (comm_flag_open)");
    *out = f;
    return SB_OK;
out:
    flag_free(f);
    return rc;
}

void comm_flag_raise(comm_flag *f)
{
    if (f == NULL || f->raised) return;
    f->raised = 1;
    f->payload = f->rank;
    if (f->rank < f->lowest) f->lowest = f->rank;
    for (int r = 0; r < f->size; ++r)
        if (r != f->rank) MPI_Isend(&f->payload, 1, MPI_INT, r, FLAG_TAG, f->comm, &f->req[r]);
}

static void receive_one(comm_flag *f, int source)
{
    int who = f->size;
    MPI_Recv(&who, 1, MPI_INT, source, FLAG_TAG, f->comm, MPI_STATUS_IGNORE);
    f->received++;
    if (who < f->lowest) f->lowest = who;
}

int comm_flag_lowest(comm_flag *f)
{
    if (f == NULL) return 1 << 30;
    for (;;) {
        int flag = 0;
        MPI_Status st;
        if (MPI_Iprobe(MPI_ANY_SOURCE, FLAG_TAG, f->comm, &flag, &st) != MPI_SUCCESS || !flag) break;
        receive_one(f, st.MPI_SOURCE);
    }
    return f->lowest;
}

int comm_flag_close(run_ctx *run, comm_flag *f)
{
    if (f == NULL) return SB_OK;
    int rc = SB_OK;
    if (MPI_Allgather(&f->raised, 1, MPI_INT, f->raised_by, 1, MPI_INT, f->comm) != MPI_SUCCESS)
        SB_RAISE(run, SB_EMPI, "MPI_Allgather failed (comm_flag_close)");
    int expected = 0;
    for (int r = 0; r < f->size; ++r) expected += (r != f->rank && f->raised_by[r]);
    while (f->received < expected) receive_one(f, MPI_ANY_SOURCE);
    MPI_Waitall(f->size, f->req, MPI_STATUSES_IGNORE);
out:
    MPI_Comm_free(&f->comm);
    flag_free(f);
    return rc;
}
