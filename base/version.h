/* version.h - the program's version, in one place: `shardboost --version` prints it and
 * every model's created_by names it. The Makefile generates sb_version.h (in $(BUILD)/gen)
 * from `git describe --tags --always --dirty`, or its SB_RELEASE outside a git checkout,
 * and rewrites it only when the text changes, so a new commit rebuilds only its users. */
#ifndef SB_VERSION_H
#define SB_VERSION_H
#include "sb_version.h" /* for SB_VERSION, generated */
#endif
