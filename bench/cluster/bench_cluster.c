/* Cluster benchmark (not a test): the cost of building the cluster view from 100 simulated
   instances with 1,000 routes each, of writing stats and metrics from it, and the size of one
   instance's snapshot at realistic sizes. Prints figures; asserts nothing about time.
   Run: make bench-cluster */
#define _POSIX_C_SOURCE 200809L
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench_common.h"

static uint64_t loop_now = 1764000000000ull;
static uint64_t loop_time(void *ud) { (void)ud; return loop_now; }

typedef struct hdrs { char cookie[64]; } hdrs;
static skew_str get_header(void *ctx, const char *name) {
    hdrs *h = (hdrs *)ctx;
    skew_str s = {NULL, 0};
    if (strcmp(name, "cookie") == 0) s.ptr = h->cookie;
    else if (strcmp(name, "user-agent") == 0) s.ptr = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0.0.0 Safari/537.36";
    if (s.ptr) s.len = strlen(s.ptr);
    return s;
}

/* One simulated instance: conns connections over `routes` routes (/docs/page-N, the same names
   on every instance: one site) and `versions` builds (UUID-like, as Nuxt writes them). */
static skew_tracker *instance(const char *id, uint32_t tag, uint32_t conns, uint32_t routes, uint32_t versions,
                              uint32_t max_listed) {
    skew_config c;
    skew_tracker *t = NULL;
    uint32_t i;
    memset(&c, 0, sizeof c);
    c.server_version = "8f2c1a7e-1b2c-4d5e-9f00-aa11bb22cc33";
    c.route_tracking = true;
    c.ip_tracking = true;
    c.max_connections = conns;
    c.max_routes = routes + 8;
    c.snapshot_max_listed = max_listed;
    c.instance_id = id;
    c.instance_tag = tag;
    c.snapshot_max_routes = routes + 8 < 1000 ? routes + 8 : 1000;
    c.hooks.send = no_send;
    c.hooks.epoch_ms = loop_time;
    if (skew_tracker_create(&t, &c) != SKEW_OK) {
        fprintf(stderr, "create failed\n");
        exit(1);
    }
    for (i = 0; i < conns; i++) {
        skew_request r;
        hdrs h;
        char query[64];
        skew_handle hd;
        memset(&r, 0, sizeof r);
        snprintf(h.cookie, sizeof h.cookie, "__nkpv=%08x-1b2c-4d5e-9f00-aa11bb22cc33", (unsigned)(i % versions));
        snprintf(query, sizeof query, "route=%%2Fdocs%%2Fpage-%u", (unsigned)(i % routes));
        r.method.ptr = "GET"; r.method.len = 3;
        r.path.ptr = "/__skew/sse"; r.path.len = 11;
        r.query.ptr = query; r.query.len = strlen(query);
        r.header = get_header;
        r.header_ctx = &h;
        r.peer.family = 4; r.peer.bytes[0] = 10; r.peer.bytes[2] = (uint8_t)(i >> 8); r.peer.bytes[3] = (uint8_t)i;
        if (skew_open(t, &r, NULL, &hd) != SKEW_OK) {
            fprintf(stderr, "open failed\n");
            exit(1);
        }
    }
    return t;
}

static char *snapshot_of(skew_tracker *t, size_t *len) {
    size_t n = skew_cluster_write_snapshot(t, loop_now, NULL, 0);
    char *buf = (char *)malloc(n + 1);
    skew_cluster_write_snapshot(t, loop_now, buf, n + 1);
    *len = n;
    return buf;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#define INSTANCES 100
#define ROUNDS 15

static void size_line(const char *what, uint32_t conns, uint32_t routes, uint32_t versions, uint32_t max_listed) {
    skew_tracker *t = instance("api-7f9c4-12345-a1b2c3d4", 0x5a5a5u, conns, routes, versions, max_listed);
    size_t n;
    double t0, t1;
    char *s;
    t0 = now_ns();
    s = snapshot_of(t, &n);
    t1 = now_ns();
    printf("  %-44s %8zu bytes  (encode %.0f us; bound %zu)\n", what, n, (t1 - t0) / 1e3,
           skew_cluster_snapshot_max(skew_get_config(t)));
    free(s);
    skew_tracker_destroy(t);
}

/* Build the view from INSTANCES snapshots of `listed` entries each, ROUNDS times. */
static void view_run(uint32_t listed) {
    static skew_str snaps[INSTANCES];
    static char *texts[INSTANCES];
    double upd[ROUNDS], stats[ROUNDS], metrics[ROUNDS], t0;
    size_t total_bytes = 0, n, stats_len = 0, metrics_len = 0, k, cap = 1u << 24;
    char *buf = (char *)malloc(cap);
    skew_config c;
    skew_tracker *view;
    skew_cluster_info info;
    int r;

    printf("cluster view from %d instances, 1,000 routes each (2,000 connections, 3 builds, %u listed)\n", INSTANCES,
           (unsigned)listed);
    for (k = 0; k < INSTANCES; k++) {
        char id[32];
        skew_tracker *t;
        snprintf(id, sizeof id, "web-%03u", (unsigned)k);
        t = instance(id, (uint32_t)k, 2000, 1000, 3, listed);
        texts[k] = snapshot_of(t, &n);
        snaps[k].ptr = texts[k];
        snaps[k].len = n;
        total_bytes += n;
        skew_tracker_destroy(t);
    }
    printf("  snapshot text per instance:                  %8zu bytes (all: %zu)\n", total_bytes / INSTANCES, total_bytes);

    memset(&c, 0, sizeof c);
    c.server_version = "8f2c1a7e-1b2c-4d5e-9f00-aa11bb22cc33";
    c.route_tracking = true;
    c.ip_tracking = true;
    c.max_connections = 2000;
    c.max_routes = 1024;
    c.instance_id = "web-self";
    c.cluster_max_instances = INSTANCES;
    c.hooks.send = no_send;
    c.hooks.epoch_ms = loop_time;
    if (skew_tracker_create(&view, &c) != SKEW_OK) exit(1);
    skew_cluster_set_link(view, SKEW_CLUSTER_LINK_OK);
    printf("  tracker memory with a %d-instance view:      %8zu bytes (standalone: ", INSTANCES, skew_tracker_memory_size(&c));
    c.instance_id = NULL;
    printf("%zu)\n", skew_tracker_memory_size(&c));

    for (r = 0; r < ROUNDS; r++) {
        t0 = now_ns();
        if (skew_cluster_update(view, snaps, INSTANCES, loop_now) != SKEW_OK) {
            fprintf(stderr, "update refused a snapshot\n");
            exit(1);
        }
        upd[r] = now_ns() - t0;
        t0 = now_ns();
        stats_len = skew_write_stats(view, 0, buf, cap);
        stats[r] = now_ns() - t0;
        t0 = now_ns();
        metrics_len = skew_write_metrics(view, buf, cap);
        metrics[r] = now_ns() - t0;
    }
    qsort(upd, ROUNDS, sizeof upd[0], cmp_double);
    qsort(stats, ROUNDS, sizeof stats[0], cmp_double);
    qsort(metrics, ROUNDS, sizeof metrics[0], cmp_double);
    skew_cluster_get_info(view, &info);
    printf("  view: %u instances, %llu connections shown\n", info.instances, (unsigned long long)info.total);
    printf("  skew_cluster_update (100 snapshots, checked and merged):  median %.2f ms  (min %.2f, max %.2f; %.1f MB/s)\n",
           upd[ROUNDS / 2] / 1e6, upd[0] / 1e6, upd[ROUNDS - 1] / 1e6, (double)total_bytes / (upd[ROUNDS / 2] / 1e9) / 1e6);
    printf("  stats JSON from the view (%zu bytes):                median %.2f ms\n", stats_len, stats[ROUNDS / 2] / 1e6);
    printf("  /metrics text from the view (%zu bytes):             median %.2f ms\n", metrics_len, metrics[ROUNDS / 2] / 1e6);
    skew_tracker_destroy(view);
    for (k = 0; k < INSTANCES; k++) free(texts[k]);
    free(buf);
}

int main(void) {
    view_run(1000);
    view_run(100);
    printf("snapshot size per instance (routes and IPs tracked, UUID builds)\n");
    size_line("100 connections, 20 routes, 2 builds", 100, 20, 2, 1000);
    size_line("1,000 connections, 100 routes, 3 builds", 1000, 100, 3, 1000);
    size_line("20,000 connections, 1,000 routes, 3 builds", 20000, 1000, 3, 1000);
    size_line("20,000 connections, 1,000 routes, snapshot_max_listed 100", 20000, 1000, 3, 100);
    size_line("20,000 connections, 1,000 routes, snapshot_max_listed 10", 20000, 1000, 3, 10);
    return 0;
}
