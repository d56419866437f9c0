/* Core benchmark (not a test): registry and serializer costs at 1k and 100k live connections.
   Prints figures; asserts nothing about time. Run: make bench-core */
#define _POSIX_C_SOURCE 200809L
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench_common.h"
#include "bench_req.h"

typedef struct count_sink { size_t bytes; } count_sink;
static int sink(void *ctx, const char *d, size_t n) { (void)d; ((count_sink *)ctx)->bytes += n; return 0; }

static void run(unsigned live, bool bots, bool tracking) {
    skew_config c;
    skew_tracker *t = NULL;
    skew_handle *hs = (skew_handle *)malloc(sizeof(skew_handle) * live);
    hdrs h;
    char *buf;
    size_t len = 0;
    unsigned i, reps = 200000;
    double t0, t1;
    memset(&c, 0, sizeof c);
    c.max_connections = live + 1;
    c.route_tracking = tracking;
    c.ip_tracking = tracking;
    c.bot_filter_off = !bots;
    c.hooks.send = no_send;
    c.hooks.epoch_ms = loop_time;
    if (skew_tracker_create(&t, &c) != SKEW_OK) { fprintf(stderr, "create failed\n"); exit(1); }
    open_live(t, &h, hs, live);
    /* open + close one connection while `live` stay open */
    t0 = now_ns();
    for (i = 0; i < reps; i++) {
        skew_request r = req_for(&h, i, i & 1);
        skew_handle x;
        skew_open(t, &r, NULL, &x);
        skew_close(t, x, SKEW_CLOSE_REASON_CLIENT);
    }
    t1 = now_ns();
    printf("%-34s %8u live  bot filter %-3s  %8.1f ns\n", tracking ? "open+close (route+ip tracking)" : "open+close (defaults)",
           live, bots ? "on" : "off", (t1 - t0) / reps);
    if (!bots && tracking) {
        skew_str r1 = {"/a/route", 8}, r2 = {"/another", 8};
        t0 = now_ns();
        for (i = 0; i < reps; i++) skew_set_route(t, hs[i % live], (i & 1) ? r1 : r2);
        t1 = now_ns();
        printf("%-34s %8u live                   %8.1f ns\n", "route update", live, (t1 - t0) / reps);
        {
            count_sink cs;
            unsigned n = live >= 100000 ? 20 : 2000;
            cs.bytes = 0;
            t0 = now_ns();
            for (i = 0; i < n * 50; i++) (void)skew_write_stats_sink(t, 0, 0, sink, &cs, NULL);
            t1 = now_ns();
            printf("%-34s %8u live  %8zu bytes    %8.1f ns\n", "stats JSON without list", live, cs.bytes / (n * 50),
                   (t1 - t0) / (n * 50));
            cs.bytes = 0;
            t0 = now_ns();
            for (i = 0; i < n; i++) (void)skew_write_stats_sink(t, 0, live, sink, &cs, NULL);
            t1 = now_ns();
            printf("%-34s %8u live  %8zu bytes    %8.1f ns\n", "stats JSON with full list", live, cs.bytes / n, (t1 - t0) / n);
            len = skew_write_stats(t, 0, NULL, 0);
            buf = (char *)malloc(len + 1);
            t0 = now_ns();
            for (i = 0; i < n; i++) skew_write_stats(t, 0, buf, len + 1);
            t1 = now_ns();
            printf("%-34s %8u live  %8zu bytes    %8.1f ns\n", "stats JSON (max_listed 1000, buf)", live, len, (t1 - t0) / n);
            free(buf);
        }
        {
            skew_config d;
            size_t mem;
            memset(&d, 0, sizeof d);
            d.max_connections = live;
            d.route_tracking = true;
            d.ip_tracking = true;
            mem = skew_tracker_memory_size(&d);
            printf("%-34s %8u slots %8zu bytes    %8.1f B/conn\n", "tracker memory (defaults, ip+route)", live, mem,
                   (double)mem / live);
            d.message_buffer = 0;
            d.max_listed = 1;
            mem = skew_tracker_memory_size(&d);
            printf("%-34s %8u slots %8zu bytes    %8.1f B/conn\n", "tracker memory (max_listed 1)", live, mem,
                   (double)mem / live);
        }
    }
    skew_tracker_destroy(t);
    free(hs);
}

/* A keepalive to `live` SSE streams, per stream: the send hook gets bare JSON (the adapter
   frames it) or, with frame_sse, the event the tracker framed in place. */
static void run_keepalive(unsigned live, bool frame_sse) {
    skew_config c;
    skew_tracker *t = NULL;
    hdrs h;
    unsigned i, rounds = 200;
    double t0, t1;
    uint64_t tick = 0;
    memset(&c, 0, sizeof c);
    c.max_connections = live;
    c.bot_filter_off = true;
    c.keepalive_ms = 1;
    c.frame_sse = frame_sse;
    c.hooks.send = no_send;
    c.hooks.epoch_ms = loop_time;
    if (skew_tracker_create(&t, &c) != SKEW_OK) { fprintf(stderr, "create failed\n"); exit(1); }
    for (i = 0; i < live; i++) {
        skew_request r = req_for(&h, i, false);
        skew_handle x;
        if (skew_open(t, &r, NULL, &x) != SKEW_OK) { fprintf(stderr, "open failed\n"); exit(1); }
    }
    skew_tick(t, tick); /* starts the keepalive period */
    t0 = now_ns();
    for (i = 0; i < rounds; i++) skew_tick(t, ++tick); /* one keepalive to every stream */
    t1 = now_ns();
    printf("%-34s %8u live  %-16s  %8.1f ns\n", "keepalive, per SSE stream", live,
           frame_sse ? "frame_sse" : "bare JSON", (t1 - t0) / ((double)rounds * live));
    skew_tracker_destroy(t);
}

/* Rollout timeline (>>timeline): its memory, and the cost of one sample in skew_tick with
   `versions` builds among `live` connections (keepalives off, so a tick only samples). */
static void run_timeline(unsigned live, unsigned versions) {
    skew_config c;
    skew_tracker *t = NULL;
    hdrs h;
    unsigned i, reps = live >= 100000 ? 20000 : 200000;
    char cookie[32];
    double t0, t1;
    size_t off, on;
    memset(&c, 0, sizeof c);
    c.max_connections = live + 1;
    off = skew_tracker_memory_size(&c);
    c.timeline_samples = SKEW_TIMELINE_DEFAULT_SAMPLES;
    on = skew_tracker_memory_size(&c);
    if (versions == 3)
        printf("%-34s %8u slots %8zu bytes    +%zu bytes (360 x 8 series)\n", "tracker memory with timeline", live, on,
               on - off);
    c.keepalive_ms = 86400000u;
    c.timeline_period_ms = 10;
    c.hooks.send = no_send;
    c.hooks.epoch_ms = loop_time;
    if (skew_tracker_create(&t, &c) != SKEW_OK) { fprintf(stderr, "create failed\n"); exit(1); }
    for (i = 0; i < live; i++) {
        skew_request r = req_for(&h, i, i & 1);
        skew_handle x;
        snprintf(cookie, sizeof cookie, "__nkpv=v%u", i % versions);
        h.cookie = cookie;
        if (skew_open(t, &r, NULL, &x) != SKEW_OK) { fprintf(stderr, "open failed\n"); exit(1); }
    }
    t0 = now_ns();
    for (i = 0; i < reps; i++) {
        loop_now += 10;
        skew_tick(t, loop_now);
    }
    t1 = now_ns();
    printf("%-34s %8u live  %3u versions     %8.1f ns\n", "timeline sample (skew_tick)", live, versions, (t1 - t0) / reps);
    skew_tracker_destroy(t);
}

int main(void) {
    printf("skew_tracker %s core benchmark: 3 versions, 4 routes; times are thread CPU time\n", skew_version());
    run_keepalive(10000, false);
    run_keepalive(10000, true);
    run(1000, false, true);
    run(100000, false, true);
    run(1000, false, false);
    run(100000, false, false);
    run(1000, true, false);
    run(100000, true, false);
    run(100000, true, true);
    run_timeline(1024, 3);
    run_timeline(100000, 3);
    run_timeline(100000, 64);
    return 0;
}
