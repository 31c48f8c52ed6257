/*
 * Test shim, loaded with LD_PRELOAD by tests/cli/test_cli.py: shifts
 * CLOCK_MONOTONIC by LKR_TEST_CLOCK_SHIFT_MS milliseconds (signed), so a
 * test can resume `lockrecover diagnose` on a clock that moved the way it
 * does across a reboot (restarted near zero, or a machine up for days).
 * Never part of the library or the tool.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

typedef int (*clock_fn)(clockid_t, struct timespec *);

int clock_gettime(clockid_t id, struct timespec *ts)
{
    static clock_fn real;
    const char *shift = getenv("LKR_TEST_CLOCK_SHIFT_MS");
    long long ms, ns;
    int rc;
    if (real == NULL) real = (clock_fn)(void (*)(void))dlsym(RTLD_NEXT, "clock_gettime");
    rc = real(id, ts);
    if (rc != 0 || id != CLOCK_MONOTONIC || shift == NULL) return rc;
    ms = atoll(shift);
    ns = (long long)ts->tv_sec * 1000000000LL + ts->tv_nsec + ms * 1000000LL;
    if (ns < 0) ns = 0;
    ts->tv_sec = (time_t)(ns / 1000000000LL);
    ts->tv_nsec = (long)(ns % 1000000000LL);
    return 0;
}
