/* csvrow.h - split one physical CSV line into fields.
 *
 * Fields are split at commas in place (no copy; the fast path), also when they
 * are simply quoted ("abc", "a,b"). Anything else with quotes (doubled quotes,
 * stray quotes) goes through libcsv in strict mode, the standard way. Both
 * paths strip spaces and tabs around unquoted fields, so they agree.
 * A record must fit on one physical line: a quoted field containing a newline
 * is reported as an unterminated quote (this keeps error line numbers exact and
 * lets ranks split a file at any line start). */
#ifndef SB_CSVROW_H
#define SB_CSVROW_H

#include <stddef.h> /* for size_t */
#include <stdint.h> /* for int32_t */

typedef struct {
    const char *p;
    size_t n;
} csv_field;

enum { CSVROW_OK = 0, CSVROW_EQUOTE = 1, CSVROW_ENOMEM = 2 };

typedef struct csvrow csvrow;

/* csvrow_new / csvrow_free - a splitter with its libcsv parser and buffers. Local. */
csvrow *csvrow_new(void);
void csvrow_free(csvrow *r);

/* csvrow_split - fields of line[0..len) (no terminator) into *fields / *nf; they stay
 * valid until the next call or until the line buffer changes. Local.
 * Returns CSVROW_OK, CSVROW_EQUOTE (malformed or unterminated quotes) or CSVROW_ENOMEM. */
int csvrow_split(csvrow *r, const char *line, size_t len, const csv_field **fields, int32_t *nf);

/* csvrow_split_ref - the plain twin: always through libcsv. Local. */
int csvrow_split_ref(csvrow *r, const char *line, size_t len, const csv_field **fields, int32_t *nf);

#endif
