/* ingest_plan.h - what each input column means, for the three layouts.
 *
 * keywords (FORMATS.md §1): the header must be exactly
 *   entity_id,att1..att160,device,week,Clicks,Conversions   (quotes optional)
 *   or, when labels are not required (scoring), the same without Clicks,Conversions.
 *   ids entity_id (int64) and device (string); features att1..att160, device
 *   (categorical, levels Computer/Smartphone/Tablet; anything else is an error), week;
 *   label cr = Conversions/Clicks, weight Clicks, rows with Clicks == 0 dropped.
 *   Conversions > Clicks is kept (a rate above 1) and counted in the log.
 * forms (FORMATS.md §2): no header, "(id,submissions,views,f0-f1-...-f46)"; see ingest_rows.c.
 * csv: a header and a YAML schema (ingest_schema_load); every column the schema
 *   does not name is a numeric feature, in header order.
 * With require_label == 0 (scoring) the label, numerator, denominator and weight
 * columns are not read at all (they may be absent) and no row is dropped. */
#ifndef SB_INGEST_PLAN_H
#define SB_INGEST_PLAN_H

#include <stdint.h> /* for int32_t */

#include "io/table.h"
#include "base/run_ctx.h"

enum { INGEST_KEYWORDS = 0, INGEST_FORMS = 1, INGEST_CSV = 2 };
enum { TGT_LABEL = 1, TGT_NUM = 2, TGT_DEN = 4, TGT_WEIGHT = 8 };
/* Id column types: int64, string, or auto = int64 when every value on every rank is
 * a canonical integer (no sign '+', no leading zeros, no spaces), else string. */
enum { ID_KIND_INT64 = SB_ID_INT64, ID_KIND_STRING = SB_ID_STRING, ID_KIND_AUTO = 2 };

#define FORMS_N_FEAT 47
#define INGEST_MAX_STR 1024 /* bytes in a string id or categorical level */

/* The generic layout's schema file. */
typedef struct {
    char *path;
    int32_t n_ids;
    char **ids;
    int *id_kind;           /* ID_KIND_*: "type:" of each id, auto by default */
    char *label, *numerator, *denominator, *weight, *label_name;
    int weight_none; /* "weight: none": no weight even for a ratio label */
    int32_t n_cat;
    char **categorical;
    int32_t n_ignore;
    char **ignore;
} ingest_schema;

typedef struct {
    int32_t feat;   /* feature index, or -1 */
    int32_t id;     /* id column index, or -1 */
    int32_t target; /* TGT_* bits (0 when labels are not read) */
} ingest_col;

typedef struct {
    int layout;
    int has_header;
    int require_label;
    int cap_rate;   /* rate = min(numerator, denominator) / denominator */
    int32_t n_cols; /* fields per row (header layouts) */
    ingest_col *cols;
    char **col_names;
    int32_t n_feat;
    sb_feature_info *feat;  /* names; levels filled after agreement */
    int32_t *feat_cat;      /* per feature: categorical index or -1 */
    int32_t n_cat;
    int32_t *cat_feat;      /* per categorical: its feature index */
    int fixed_levels_strict; /* keywords: a level outside the fixed list is an error */
    int32_t n_ids;
    char **id_names;
    int *id_type;           /* ID_KIND_*; auto is resolved after parsing, by agreement */
    int has_label, ratio, has_weight, counts_integral;
    char *label_name;
    char *drop_rule;        /* e.g. "Clicks == 0" */
    char *num_name, *den_name;
} ingest_plan;

/* ingest_schema_load - parse a YAML schema with libyaml. Local.
 * Errors name the file and line: unknown keys, wrong types, label and
 * numerator/denominator both or neither given. */
int ingest_schema_load(run_ctx *run, const char *path, ingest_schema *out);
void ingest_schema_free(ingest_schema *s);

/* ingest_plan_build - the plan for `layout` from the first file's header fields
 * (NULL/0 for forms). Local; deterministic, so equal on ranks given equal input.
 * Errors name `file`:1 (wrong header) or the schema file. */
int ingest_plan_build(run_ctx *run, int layout, const ingest_schema *schema, int require_label,
                      const char *file, char **header, int32_t n_header, ingest_plan *out);
void ingest_plan_free(ingest_plan *p);

/* The fixed device levels of the keyword layout, sorted. */
extern const char *const ingest_keyword_devices[3];

#endif
