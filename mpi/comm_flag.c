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
};

int comm_flag_open(run_ctx *run, comm_flag **out)
{
    comm_flag *f = sb_alloc(run, 1, sizeof *f);
    if (f == NULL) return SB_ENOMEM;
    f->rank = run->rank;
    f->size = run->size;
    f->lowest = run->size;
    f->req = sb_alloc(run, (size_t)run->size, sizeof *f->req);
    if (f->req == NULL) {
        free(f);
        return SB_ENOMEM;
    }
    for (int r = 0; r < f->size; ++r) f->req[r] = MPI_REQUEST_NULL;
    if (MPI_Comm_dup(run_comm(run), &f->comm) != MPI_SUCCESS) {
        free(f->req);
        free(f);
        return SB_FAIL(run, SB_EMPI, "MPI_Comm_dup failed (comm_flag_open)");
    }
    *out = f;
    return SB_OK;
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
    int *raised = sb_alloc(run, (size_t)f->size, sizeof *raised);
    int rc = raised ? SB_OK : SB_ENOMEM;
    if (rc == SB_OK && MPI_Allgather(&f->raised, 1, MPI_INT, raised, 1, MPI_INT, f->comm) != MPI_SUCCESS)
        rc = SB_FAIL(run, SB_EMPI, "MPI_Allgather failed (comm_flag_close)");
    if (rc == SB_OK) {
        int expected = 0;
        for (int r = 0; r < f->size; ++r) expected += (r != f->rank && raised[r]);
        while (f->received < expected) receive_one(f, MPI_ANY_SOURCE);
        MPI_Waitall(f->size, f->req, MPI_STATUSES_IGNORE);
    }
    free(raised);
    MPI_Comm_free(&f->comm);
    free(f->req);
    free(f);
    return rc;
}
