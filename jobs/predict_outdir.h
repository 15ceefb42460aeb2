/* predict_outdir.h - the output directory protocol (Spark/Hadoop convention).
 *
 *   DIR/part-00000.csv.gz ... one per rank (rank r writes part-%05d)
 *   DIR/_SUCCESS          empty, written last, only when every rank's part
 *                         and the merged file (if any) are complete
 * While running, parts live under hidden temporary names (.part-00000.csv.gz.tmp),
 * which Spark/Hadoop input globs skip, and the merged file is FILE.tmp.
 *
 * A directory that already holds part files or _SUCCESS, or a merge target
 * that exists, is refused unless --overwrite, which removes exactly those
 * names (part-*.csv.gz, .part-*.tmp, _SUCCESS, the merge file) and nothing
 * else, and only after the model and data were validated. */
#ifndef SB_PREDICT_OUTDIR_H
#define SB_PREDICT_OUTDIR_H

#include <stddef.h> /* for size_t */

#include "base/run_ctx.h"

/* Final and temporary names of rank r's part file (buffers of len bytes,
 * PATH_MAX). SB_EINVAL when they do not fit. Local. */
int predict_outdir_part(run_ctx *run, const char *dir, int r, char *path, char *tmp, size_t len);

/* predict_outdir_check - Collective; arguments equal on all ranks. Rank 0
 * looks, every rank gets the agreed verdict. merge may be NULL. Changes
 * nothing on disk. returns SB_OK | SB_EINVAL (refused: names the file and
 * says to pass --overwrite) | SB_EIO. */
int predict_outdir_check(run_ctx *run, const char *dir, const char *merge, int overwrite);

/* predict_outdir_prepare - Collective. Rank 0 creates dir (and parents) and,
 * with overwrite, removes the previous outputs named above. Agreed. */
int predict_outdir_prepare(run_ctx *run, const char *dir, const char *merge, int overwrite);

/* predict_outdir_success - Collective. Rank 0 writes the empty _SUCCESS
 * (temporary name, then rename) and syncs the directory. Agreed. */
int predict_outdir_success(run_ctx *run, const char *dir);

#endif
