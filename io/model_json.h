/* model_json.h - a small pull parser for JSON text (the model file).
 * It walks the text without building a tree, so a large model costs no more
 * memory than its arrays. Every function is Local and sets j->err on the
 * first problem (later calls then do nothing); check j->err at the end. */
#ifndef SB_MODEL_JSON_H
#define SB_MODEL_JSON_H

#include <stddef.h> /* for size_t */
#include <stdint.h> /* for int64_t */

typedef struct {
    const char *s;   /* text */
    size_t n, pos;   /* length and cursor */
    char err[256];   /* first error, "" when none */
} json_cursor;

void json_init(json_cursor *j, const char *text, size_t len);
/* 1 if the next value is `null` (and consume it). Not json_null: jansson
 * (serve, registry, drift report, model exchange) exports a function of that name. */
int model_json_null(json_cursor *j);
/* Containers: begin, then json_more() before each element / member. */
void json_begin_obj(json_cursor *j);
void json_begin_arr(json_cursor *j);
/* 1 while the container has another element (consumes ',' and the closing
 * bracket); first call after begin. */
int json_more(json_cursor *j, char close, int *first);
/* Object key into buf (truncated to len-1); consumes the ':'. */
void json_key(json_cursor *j, char *buf, size_t len);
/* Scalars. */
double json_num(json_cursor *j);
float json_float(json_cursor *j); /* strtof: exact for floats written with %.9g */
int64_t json_i64(json_cursor *j);
/* An integer that must fit int32_t (a node index of 2^32+1 is an error, not 1). */
int32_t json_i32(json_cursor *j);
/* String, malloc'd (NULL on error). */
char *json_str(json_cursor *j);
void json_skip(json_cursor *j);

#endif
