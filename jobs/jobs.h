/* jobs.h - subcommand entry points. Each is Collective over run's communicator:
 * every rank calls it with the same argv. Returns SB_OK or an error code with
 * the message in run (agreed via run_agree_rc where the job could agree). */
#ifndef SB_JOBS_H
#define SB_JOBS_H

#include "base/run_ctx.h"

int ingest_main(run_ctx *run, int argc, char **argv);
int train_main(run_ctx *run, int argc, char **argv);
int cv_main(run_ctx *run, int argc, char **argv);
int predict_main(run_ctx *run, int argc, char **argv);
int evaluate_main(run_ctx *run, int argc, char **argv);
int dump_main(run_ctx *run, int argc, char **argv);
int export_main(run_ctx *run, int argc, char **argv);
int import_main(run_ctx *run, int argc, char **argv);
/* Local commands (no MPI; main runs them with run_init_local). */
int models_main(run_ctx *run, int argc, char **argv);
int serve_main(run_ctx *run, int argc, char **argv);

#endif
