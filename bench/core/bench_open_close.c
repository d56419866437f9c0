/* Open+close at 1k, 10k and 100k live connections (not a test; prints figures): the registry
   cost of issue 22 item 5. It uses only API that commit 8008716 already had, so
   bench/core/compare.sh builds it against an older skew_tracker.h too and prints both, side by
   side, in one run. "defaults": the default config (bot filter and per-address cap on);
   "tracking": route and IP tracking on as well. Peer 127.0.0.1 as behind a local proxy.
   User-Agents: real traffic repeats a few hundred, so both rotate through 300 browser UAs of the
   test corpus (tests/data/ua-browsers.txt, run from the repository root; every 3rd-4th line).
   At 100k, two more: "one-ua" (one desktop Chrome UA: every bot verdict cached) and "no-cache"
   (the 300, bot verdict cache off: what every open paid before it; the same as "defaults" for
   commits without a cache). */
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

#define MIX 300
static char *ua_text;
static const char *ua_mix[MIX];

/* MIX lines of the corpus, spread evenly over it */
static void load_uas(void) {
    const char *lines[2048];
    unsigned n = 0, k;
    long size;
    char *p;
    FILE *f = fopen("tests/data/ua-browsers.txt", "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0 ||
        !(ua_text = (char *)malloc((size_t)size + 1)) || fread(ua_text, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read tests/data/ua-browsers.txt (run from the repository root)\n");
        exit(1);
    }
    fclose(f);
    ua_text[size] = '\0';
    for (p = ua_text; *p && n < 2048; n++) {
        char *e = strchr(p, '\n');
        lines[n] = p;
        if (!e) break;
        *e = '\0';
        p = e + 1;
    }
    if (n < MIX) { fprintf(stderr, "corpus too short\n"); exit(1); }
    for (k = 0; k < MIX; k++) ua_mix[k] = lines[(size_t)k * n / MIX];
}

enum { MODE_MIX, MODE_ONE_UA, MODE_NO_CACHE };

/* ns per open+close of one connection while `live` stay open */
static double run(unsigned live, int tracking, int mode) {
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
#ifdef SKEW_BOT_CACHE_NONE
    if (mode == MODE_NO_CACHE) c.bot_cache_entries = SKEW_BOT_CACHE_NONE;
#endif
    bench_uas = ua_mix;
    bench_ua_count = mode == MODE_ONE_UA ? 0u : MIX;
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

/* no arguments: every case; LIVE MODE (MODE 0 defaults, 1 tracking, 2 one-ua, 3 no-cache): that
   one, for a profiler */
int main(int argc, char **argv) {
    static const unsigned lives[3] = {1000, 10000, 100000};
    static const char *const names[4] = {"defaults", "tracking", "one-ua", "no-cache"};
    int k, tr;
    load_uas();
    if (argc == 3) {
        unsigned live = (unsigned)strtoul(argv[1], NULL, 10);
        int m = atoi(argv[2]) & 3;
        printf("open+close %-8s %6u live %7.1f ns\n", names[m], live,
               run(live, m == 1, m == 2 ? MODE_ONE_UA : m == 3 ? MODE_NO_CACHE : MODE_MIX));
        return 0;
    }
    for (tr = 0; tr < 2; tr++)
        for (k = 0; k < 3; k++)
            printf("open+close %-8s %6u live %7.1f ns\n", names[tr], lives[k], run(lives[k], tr, MODE_MIX));
    printf("open+close %-8s %6u live %7.1f ns\n", names[2], lives[2], run(lives[2], 0, MODE_ONE_UA));
    printf("open+close %-8s %6u live %7.1f ns\n", names[3], lives[2], run(lives[2], 0, MODE_NO_CACHE));
    return 0;
}
