/* constraints_text.h - the text forms of monotone_constraints and
 * interaction_constraints, read into lists of (feature, value) before the
 * feature names are known (engine/grow_constraints.c resolves them).
 *
 * monotone_constraints, one of:
 *   (1,0,-1)  [1,0,-1]  1,0,-1     positional (XGBoost, its Python tuple, LightGBM):
 *                                  exactly one entry per feature (checked at training)
 *   {"price":1,"x":-1}  price:1,x:-1  {'price': 1}
 *                                  by feature name (XGBoost's dict form); features
 *                                  not named are unconstrained
 *   ""  ()  []                     none
 * Values are -1, 0 or 1.
 *
 * interaction_constraints: a list of sets of features, each a feature index or
 * name: [[0,1],[2,3,4]]  [["a","b"],["c"]]  [[a,b],[c]]  [0,1],[2,3]
 * (LightGBM's form without the outer brackets); "" or [] = none.
 *
 * Both are read as JSON (jansson) after a light normalization: ( ) become
 * [ ], single quotes double quotes (when the text has no double quote), bare
 * names are quoted, and the outer brackets or braces are added when missing. */
#ifndef SB_CONSTRAINTS_TEXT_H
#define SB_CONSTRAINTS_TEXT_H

#include <stddef.h> /* for size_t */
#include <stdint.h> /* for int32_t */

typedef struct {
    int32_t n;      /* entries */
    char **name;    /* n: the feature's name, or NULL when given by index */
    int32_t *index; /* n: the feature's index (name NULL) */
    int32_t *value; /* n: monotone: -1, 0, 1; interaction: the entry's set number */
    int named;      /* monotone: 1 for the by-name form */
    int32_t n_sets; /* interaction: sets */
} cons_list;

/* cons_parse_monotone / cons_parse_interaction - parse text into *out (zeroed
 * first). 0 on success; -1 with a message in err (what is wrong and where)
 * for bad syntax or values; -2 when memory ran out. Free with cons_list_free. Local. */
int cons_parse_monotone(const char *text, cons_list *out, char *err, size_t err_len);
int cons_parse_interaction(const char *text, cons_list *out, char *err, size_t err_len);
void cons_list_free(cons_list *l);

#endif
