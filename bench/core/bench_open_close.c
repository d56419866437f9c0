/* Open+close at 1k, 10k and 100k live connections (not a test; prints figures): the registry
   cost of issue 22 item 5. It uses only API that commit 8008716 already had, so
   bench/core/compare.sh builds it against an older skew_tracker.h too and prints both, side by
   side, in one run. "defaults": the default config (bot filter and per-address cap on);
   "tracking": route and IP tracking on as well. Peer 127.0.0.1 as behind a local proxy. */
#define _POSIX_C_SOURCE 200809L
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_common.h"

typedef struct hdrs { const char *cookie, *ua; } hdrs;
static skew_str get_header(void *ctx, const char *name) {
    hdrs *h = (hdrs *)ctx;
    skew_str s = {NULL, 0};
    if (strcmp(name, "cookie") == 0) s.ptr = h->cookie;
    else if (strcmp(name, "user-agent") == 0) s.ptr = h->ua;
    if (s.ptr) s.len = strlen(s.ptr);
    return s;
}

static const char *UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                        "Chrome/124.0.0.0 Safari/537.36";
static const char *COOKIES[3] = {"__nkpv=8f2c1a7e-1b2c-4d5e-9f00-aa11bb22cc33", "__nkpv=2d6e0b91-77aa-4c1d-8e2f-0123456789ab",
                                 "theme=dark; __nkpv=c0ffee00-1234-4abc-8def-fedcba987654"};
static const char *ROUTES[4] = {"route=%2F", "route=%2Fdocs%2Fgetting-started", "route=%2Fblog%2Fhello-world", "route=%2Fpricing"};

static skew_request req_for(hdrs *h, unsigned i, int ws) {
    skew_request r;
    memset(&r, 0, sizeof r);
    r.method.ptr = "GET"; r.method.len = 3;
    r.path.ptr = ws ? "/__skew/ws" : "/__skew/sse";
    r.path.len = strlen(r.path.ptr);
    r.query.ptr = ROUTES[i % 4];
    r.query.len = strlen(r.query.ptr);
    r.upgrade = ws != 0;
    h->cookie = COOKIES[i % 3];
    h->ua = UA;
    r.header = get_header;
    r.header_ctx = h;
    r.peer.family = 4; r.peer.bytes[0] = 127; r.peer.bytes[3] = 1;
    return r;
}

static uint64_t loop_now = 1764000000000ull;
static uint64_t loop_time(void *ud) { (void)ud; return loop_now; }

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
    for (i = 0; i < live; i++) {
        skew_request r = req_for(&h, i, i & 1);
        if (skew_open(t, &r, NULL, &hs[i]) != SKEW_OK) { fprintf(stderr, "open failed\n"); exit(1); }
    }
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
