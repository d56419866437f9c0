/* What bench_core.c and bench_open_close.c share: a request as a browser's SSE or WebSocket
   subscribe to the tracker (cookie, User-Agent, route, peer 127.0.0.1), and a loop clock. It uses
   only API that commit 8008716 already had: bench/core/compare.sh builds bench_open_close.c
   against that commit's skew_tracker.h too. Include after skew_tracker.h, <stdio.h>, <stdlib.h> and <string.h>. */
#ifndef SKEW_BENCH_REQ_H
#define SKEW_BENCH_REQ_H

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
/* bench_open_close sets these to rotate User-Agents (bench_core keeps the one UA above) */
static const char *const *bench_uas;
static unsigned bench_ua_count;
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
    h->ua = bench_ua_count ? bench_uas[i % bench_ua_count] : UA;
    r.header = get_header;
    r.header_ctx = h;
    r.peer.family = 4; r.peer.bytes[0] = 127; r.peer.bytes[3] = 1;
    return r;
}

/* Opens `live` connections into hs[0..live), every other one a WebSocket; exits if one fails. */
static void open_live(skew_tracker *t, hdrs *h, skew_handle *hs, unsigned live) {
    unsigned i;
    for (i = 0; i < live; i++) {
        skew_request r = req_for(h, i, i & 1);
        if (skew_open(t, &r, NULL, &hs[i]) != SKEW_OK) { fprintf(stderr, "open failed\n"); exit(1); }
    }
}

/* An event loop reads the clock once per wake-up and hands that time to its handlers
   (mongoose: mg_millis, lws: lws_now_usecs); the tracker gets it through hooks.epoch_ms. */
static uint64_t loop_now = 1764000000000ull;
static uint64_t loop_time(void *ud) { (void)ud; return loop_now; }

#endif
