/* json_field.h - typed reads of jansson values for the file readers (the model,
 * its drift reference): each checks the value's type and range and, on a
 * mismatch, fails with SB_EDATA and the message "<where>: <what was wanted>",
 * where printf-style (file and key: "m.json: tree 3 node 7 \"feat\""); the
 * jf_opt_ forms add the key ("m.json \"layout\": must be a string"). The
 * `where` text is only formatted on an error. All Local. */
#ifndef SB_JSON_FIELD_H
#define SB_JSON_FIELD_H

#include <stdint.h>  /* for int32_t, int64_t */
#include <jansson.h> /* for json_t */

#include "base/run_ctx.h"

#define JF_FMT __attribute__((format(printf, 5, 6)))

/* A number; null reads as NaN (the writers' non-finite values). */
int jf_num(run_ctx *run, const json_t *v, double *out, const char *where, ...) __attribute__((format(printf, 4, 5)));
/* The same rounded to float: exact for floats written with %.9g (the decimal
 * lies far closer to the float than half its spacing, so rounding through
 * double gives what strtof gives). */
int jf_float(run_ctx *run, const json_t *v, float *out, const char *where, ...) __attribute__((format(printf, 4, 5)));
/* An integer (not 1.0, not null) that fits int32_t / int64_t. */
int jf_i32(run_ctx *run, const json_t *v, int32_t *out, const char *where, ...) __attribute__((format(printf, 4, 5)));
int jf_i64(run_ctx *run, const json_t *v, int64_t *out, const char *where, ...) __attribute__((format(printf, 4, 5)));
/* A string, copied (malloc'd). */
int jf_strdup(run_ctx *run, const json_t *v, char **out, const char *where, ...) __attribute__((format(printf, 4, 5)));
/* An array of strings, copied: *n of them in *out (malloc'd, each malloc'd). */
int jf_strings(run_ctx *run, const json_t *v, char ***out, int32_t *n, const char *where, ...) JF_FMT;
/* Member `key` of object obj when present (left unchanged when absent). */
int jf_opt_i32(run_ctx *run, const json_t *obj, const char *key, int32_t *out, const char *where, ...) JF_FMT;
int jf_opt_i64(run_ctx *run, const json_t *obj, const char *key, int64_t *out, const char *where, ...) JF_FMT;
int jf_opt_strdup(run_ctx *run, const json_t *obj, const char *key, char **out, const char *where, ...) JF_FMT;

/* jf_utf8_check - SB_OK if s is valid UTF-8 (JSON text must be: jansson refuses
 * anything else), else SB_EDATA "<where> 'a\xff' is not valid UTF-8 ..." with the
 * bad bytes escaped. */
int jf_utf8_check(run_ctx *run, const char *s, const char *where, ...) __attribute__((format(printf, 3, 4)));

#endif
