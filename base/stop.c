/* stop.c - the SIGTERM stop flag, its grace timer and watchdogs (see stop.h). */
#include "base/stop.h"

#include <signal.h> /* for sigaction */
#include <stdio.h>  /* for snprintf */
#include <stdlib.h> /* for getenv, strtoul */
#include <string.h>
#include <unistd.h> /* for alarm, write, _exit */

#define GRACE_DEFAULT_S 30u
#define SECONDS_MAX 86400ul

/* The only process-wide mutable state: a signal handler cannot reach a context.
 * alarm_msg is formatted before the alarm is armed: the handler only writes it. */
static volatile sig_atomic_t stop_flag = 0;
static volatile sig_atomic_t grace_armed = 0;
static unsigned grace_s = GRACE_DEFAULT_S;
static char alarm_msg[512], grace_msg[256]; /* the watchdog's; the grace timer's */
static volatile sig_atomic_t alarm_len = 0, grace_len = 0;
static char alarm_unlink[4096];

static void on_alarm(int sig)
{
    (void)sig;
    if (alarm_unlink[0] != '\0') unlink(alarm_unlink); /* nothing complete-looking, no temporary left */
    const char *msg = grace_armed ? grace_msg : alarm_msg;
    const size_t len = (size_t)(grace_armed ? grace_len : alarm_len);
    if (len > 0) {
        ssize_t w = write(2, msg, len);
        (void)w;
    }
    _exit(1); /* no exit handlers: they would enter MPI, where this rank is stuck */
}

static void set_alarm_msg(const char *text)
{
    int n = snprintf(alarm_msg, sizeof alarm_msg, "%s", text);
    alarm_len = n < 0 ? 0 : n >= (int)sizeof alarm_msg ? (int)sizeof alarm_msg - 1 : n;
}

static void install(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void on_sigterm(int sig)
{
    (void)sig;
    stop_flag = 1;
    if (!grace_armed) {
        grace_armed = 1;
        alarm(grace_s);
    }
}

int run_stop_requested(void) { return stop_flag != 0; }

unsigned run_env_seconds(const char *name, unsigned dflt)
{
    const char *v = getenv(name);
    char *end = NULL;
    if (v == NULL || *v == '\0') return dflt;
    unsigned long s = strtoul(v, &end, 10);
    return (*end == '\0' && s >= 1 && s <= SECONDS_MAX) ? (unsigned)s : dflt;
}

void run_catch_sigterm(void)
{
    grace_s = run_env_seconds("SHARDBOOST_TERM_GRACE", GRACE_DEFAULT_S);
    int n = snprintf(grace_msg, sizeof grace_msg,
                     "shardboost: error: still running %u s after SIGTERM (a rank stopped answering?): exiting "
                     "(SHARDBOOST_TERM_GRACE)\n",
                     grace_s);
    grace_len = n < 0 ? 0 : n >= (int)sizeof grace_msg ? (int)sizeof grace_msg - 1 : n;
    install(SIGALRM, on_alarm);
    install(SIGTERM, on_sigterm);
}

void run_watchdog_arm(int rank, unsigned seconds, const char *what, const char *tmp)
{
    if (grace_armed) return; /* the grace timer already bounds this rank */
    snprintf(alarm_unlink, sizeof alarm_unlink, "%s", tmp ? tmp : "");
    char text[512];
    snprintf(text, sizeof text,
             "[rank %d] shardboost: error: %s did not finish within %u s (another rank failed in it?): exiting\n", rank,
             what, seconds);
    set_alarm_msg(text);
    install(SIGALRM, on_alarm);
    alarm(seconds);
}

void run_watchdog_disarm(void)
{
    if (grace_armed) return;
    alarm(0);
    alarm_unlink[0] = '\0';
}
