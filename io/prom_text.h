/* prom_text.h - Prometheus text exposition format (version 0.0.4), as
 * node_exporter's textfile collector and the Pushgateway read it: one
 * "# HELP" and "# TYPE name gauge" per metric name, then its samples
 * `name{label="value",...} value`, every sample of a name together. */
#ifndef SB_PROM_TEXT_H
#define SB_PROM_TEXT_H

#include <stddef.h> /* for size_t */

#include "base/run_ctx.h"

typedef struct {
    const char *name; /* [a-zA-Z_:][a-zA-Z0-9_:]* */
    const char *help;
    const char *labels; /* preformatted `k="v",...` (values escaped), or "" */
    double value;
} prom_sample;

/* prom_escape - a label value escaped (\\, \", \n) into dst (cap bytes,
 * NUL-terminated, truncated when short); returns the length it needs. Local. */
size_t prom_escape(char *dst, size_t cap, const char *v);

/* prom_text_format - the text of n samples, grouped by name in order of first
 * appearance; `common` (preformatted labels, or "") is put first in every
 * sample's labels. *out malloc'd. Local. */
int prom_text_format(run_ctx *run, const prom_sample *s, int n, const char *common, char **out, size_t *len);

/* prom_text_write - write text to path atomically (path.tmp.PID, fsync,
 * rename): a collector never reads half a file. Local. */
int prom_text_write(run_ctx *run, const char *path, const char *text, size_t len);

#endif
