/* param_msg.h - the size of a parameter name taken from KEY=VALUE or --key
 * (longer is an error or, truncated, an unknown key), one for every job. */
#ifndef SB_PARAM_MSG_H
#define SB_PARAM_MSG_H

#define PARAM_KEY_MAX 128

#endif
