/* Open+close at 1k, 10k and 100k live connections (not a test; prints figures): the registry
   cost of issue 22 item 5. It uses only API that commit 8008716 already had, so
   bench/core/compare.sh builds it against an older skew_tracker.h too and prints both, side by
   side, in one run. "defaults": the default config (bot filter and per-address cap on);
   "tracking": route and IP tracking on as well. Peer 127.0.0.1 as behind a local proxy. */
#define _POSIX_C_SOURCE 200809L
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"

/* compare.sh builds this against headers from before the 0.1.0 names too (-DBENCH_OLD_NAMES) */
#ifdef BENCH_OLD_NAMES
#define epoch_ms now_ms
#define SKEW_CLOSE_REASON_CLIENT SKEW_CLOSE_CLIENT
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_common.h"
#include "bench_req.h"

/* ns per open+close of one connection while `live` stay open */
static double run(unsigned live, int tracking) {
    skew_config c;
    skew_tracker *t = NULL;
    skew_handle *hs = (skew_handle *)malloc(sizeof(skew_handle) * live);
    hdrs h;
    unsigned i, reps = 300000;
    double t0, t1;
    memset(&c, 0, sizeof c);
    c.max_connections = live + 1;
    c.route_tracking = tracking != 0;
    c.ip_tracking = tracking != 0;
    c.hooks.send = no_send;
    c.hooks.epoch_ms = loop_time;
    if (!hs || skew_tracker_create(&t, &c) != SKEW_OK) { fprintf(stderr, "create failed\n"); exit(1); }
    open_live(t, &h, hs, live);
    t0 = now_ns();
    for (i = 0; i < reps; i++) {
        skew_request r = req_for(&h, i, i & 1);
        skew_handle x;
        if (skew_open(t, &r, NULL, &x) != SKEW_OK) { fprintf(stderr, "open failed\n"); exit(1); }
        skew_close(t, x, SKEW_CLOSE_REASON_CLIENT);
    }
    t1 = now_ns();
    skew_tracker_destroy(t);
    free(hs);
    return (t1 - t0) / reps;
}

/* no arguments: every case; LIVE MODE (MODE 0 defaults, 1 tracking): that one, for a profiler */
int main(int argc, char **argv) {
    static const unsigned lives[3] = {1000, 10000, 100000};
    int k, tr;
    if (argc == 3) {
        unsigned live = (unsigned)strtoul(argv[1], NULL, 10);
        tr = atoi(argv[2]);
        printf("open+close %-8s %6u live %7.1f ns\n", tr ? "tracking" : "defaults", live, run(live, tr));
        return 0;
    }
    for (tr = 0; tr < 2; tr++)
        for (k = 0; k < 3; k++)
            printf("open+close %-8s %6u live %7.1f ns\n", tr ? "tracking" : "defaults", lives[k], run(lives[k], tr));
    return 0;
}
