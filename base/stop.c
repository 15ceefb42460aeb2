/* stop.c - the SIGTERM stop flag (see stop.h). */
#include "base/stop.h"

#include <signal.h> /* for sigaction */
#include <string.h>

/* The only process-wide mutable state: a signal handler cannot reach a context. */
static volatile sig_atomic_t stop_flag = 0;

static void on_sigterm(int sig)
{
    (void)sig;
    stop_flag = 1;
}

int run_stop_requested(void) { return stop_flag != 0; }

void run_catch_sigterm(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigterm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
}
