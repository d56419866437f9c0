/* What the C benchmarks share (bench/core, bench/cluster): a CPU-time clock and a send hook
   that drops every message. Include after skew_tracker.h. */
#ifndef SKEW_BENCH_COMMON_H
#define SKEW_BENCH_COMMON_H

#include <time.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: other processes on a shared machine do not count */
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static skew_result no_send(void *ud, const skew_conn *c, const char *m, size_t n) {
    (void)ud; (void)c; (void)m; (void)n;
    return SKEW_OK;
}

#endif
