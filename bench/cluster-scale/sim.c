/* cluster_sim - many simulated cluster instances in one process (bench/cluster-scale, not a test).

   Each simulated instance is a real cluster link (skcl_link, hiredis async) on one shared libev
   loop: it writes its snapshot every P (phases spread over the period) and reads the others'
   exactly as a server does; only the merge is skipped (that cost is measured on the real server
   that joins them). The snapshot is a real tracker's: one template tracker per process with
   --conns connections over --routes routes, its id patched per instance, so every simulated
   instance sends what a server of that size sends.

   cluster_sim --redis URL --cluster NAME --n COUNT [--first K] [--interval-ms P] [--conns C]
               [--routes R] [--listed L] [--max-instances M] [--reads view|all] [--watchers W]
               [--aggregators A]
   --reads: view (default; the aggregator's view, skcl_agg.h) or all (every snapshot, the design
   before); --watchers: the first W instances have a dashboard open (they set the watch key and
   read the listed connections); --aggregators: the first A instances may take the lease too.
   Runs until SIGTERM/SIGINT; then every link leaves (keys deleted). Prints one line at start. */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "skcl_agg.h"
#include "skcl_ev.h"
#include "skcl_view.h"
#include "skew_cluster.h"
#include "skew_example.h"

#define ID_FMT "sim%05u"

typedef struct sim {
    skcl_link *link;
    skew_cluster_options opt;
    char id[16];
    ev_timer timer;
    uint64_t views;
    bool watching;                  /* a dashboard open on this instance */
} sim;

static skew_tracker *tmpl;
static char *snap;
static size_t snap_cap;
static volatile sig_atomic_t stop_flag;
static uint64_t views_total;
static bool watched; /* skew:{NAME}:watch: list connections, as the servers do */
static uint32_t list_share = UINT32_MAX; /* view mode: the merged list's fair share, as the servers do */
static uint32_t listed_max;
static uint32_t interval; /* P */
static bool read_all;     /* --reads all: every P from its start phase; view mode: the servers' phases */

static skew_str get_header(void *ctx, const char *name) {
    skew_str s = {NULL, 0};
    if (!strcmp(name, "cookie")) s.ptr = (const char *)ctx;
    else if (!strcmp(name, "user-agent")) s.ptr = "Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0.0.0 Safari/537.36";
    if (s.ptr) s.len = strlen(s.ptr);
    return s;
}

static void make_template(uint32_t conns, uint32_t routes, uint32_t listed) {
    skew_config c;
    uint32_t i;
    memset(&c, 0, sizeof c);
    c.server_version = "v1";
    c.route_tracking = true;
    c.max_connections = conns;
    c.max_routes = routes + 8;
    /* snapshot_max_routes left at its default (100 named, the rest as "(other)"), as the servers send */
    c.snapshot_max_listed = listed;
    c.max_listed = listed;
    c.instance_id = "sim00000";
    c.instance_tag = 0x1234;
    c.hooks.send = skcl_send_nothing;
    if (skew_tracker_create(&tmpl, &c) != SKEW_OK) {
        fprintf(stderr, "cluster_sim: tracker create failed\n");
        exit(1);
    }
    for (i = 0; i < conns; i++) {
        skew_request r;
        skew_handle hd;
        char query[64], cookie[32];
        memset(&r, 0, sizeof r);
        snprintf(cookie, sizeof cookie, "__nkpv=v%u", (unsigned)(i % 3));
        snprintf(query, sizeof query, "route=%%2Fdocs%%2Fpage-%u", (unsigned)(i % routes));
        r.method = skew_str_c("GET");
        r.path = skew_str_c("/__skew/sse");
        r.query = skew_str_c(query);
        r.header = get_header;
        r.header_ctx = cookie;
        r.peer.family = 4;
        r.peer.bytes[0] = 10;
        r.peer.bytes[1] = (uint8_t)(i >> 16);
        r.peer.bytes[2] = (uint8_t)(i >> 8);
        r.peer.bytes[3] = (uint8_t)i;
        if (skew_open(tmpl, &r, NULL, &hd) != SKEW_OK) {
            fprintf(stderr, "cluster_sim: open %u failed\n", (unsigned)i);
            exit(1);
        }
    }
    snap_cap = skew_cluster_snapshot_max(skew_get_config(tmpl)) + 1;
    snap = (char *)malloc(snap_cap);
    if (!snap) exit(1);
}

static void on_event(void *user, const skcl_link_event *ev) {
    sim *s = (sim *)user;
    if (ev->type == SKCL_EV_WATCHED) watched = ev->seq != 0;
    if (ev->type == SKCL_EV_AGG_VIEW && ev->count) {
        skcl_view_info info;
        if (skcl_view_head(ev->parts[0], &info) && info.instances)
            list_share = 2u * ((listed_max + info.instances - 1) / info.instances);
    }
    if (ev->type == SKCL_EV_VIEW || (ev->type == SKCL_EV_AGG_VIEW && ev->count && ev->parts[0].len)) {
        s->views++;
        views_total++;
    }
}

/* The template's snapshot, built at most every 20 ms (and again when what it lists changes) and
   then patched per write: this instance's id and the write's own "at" (both fixed width). A
   thousand instances in one process would otherwise build a thousand snapshots in the quarter
   period where their phases fall (skcl_agg_write_in), and that burst, not the cluster, would
   delay the writes past the round; each real server builds only its own (its CPU is in the
   real server's column). */
static size_t snapshot_for(const sim *s, uint64_t now) {
    static size_t len, id_at, at_at;
    static uint64_t built_at;
    static uint32_t built_share = UINT32_MAX - 1;
    uint32_t share = watched ? list_share : 0u;
    char digits[24];
    if (!len || now - built_at >= 20u || share != built_share) {
        const char *p;
        len = skew_cluster_write_snapshot_listed(tmpl, now, share, snap, snap_cap);
        if (!len || len >= snap_cap) return len = 0;
        p = strstr(snap, "\"id\":\"sim00000\"");
        id_at = p ? (size_t)(p - snap) + 6 : 0;
        p = strstr(snap, ",\"at\":");
        at_at = p ? (size_t)(p - snap) + 6 : 0;
        built_at = now;
        built_share = share;
        if (!id_at || !at_at) return len = 0;
    }
    if (snprintf(digits, sizeof digits, "%llu", (unsigned long long)now) != 13 || snap[at_at + 13] != ',') return 0;
    memcpy(snap + at_at, digits, 13);
    memcpy(snap + id_at, s->id, 8);
    return len;
}

static void on_publish(struct ev_loop *loop, ev_timer *w, int revents) {
    sim *s = (sim *)w->data;
    uint64_t now = skew_ex_now_ms();
    size_t n = snapshot_for(s, now);
    (void)revents;
    if (!read_all) { /* the next write at this instance's phase, as skcl_node does (skcl_agg.h) */
        ev_timer_stop(loop, w);
        ev_timer_set(w, skcl_agg_write_in(now, interval, s->id) / 1000.0, 0.0);
        ev_timer_start(loop, w);
    }
    if (n) skcl_link_publish_watched(s->link, snap, n, s->watching);
}

/* Every 250 ms: views read so far (the bench compares them with the views due, (N-1) per P). */
static void on_report(struct ev_loop *loop, ev_timer *w, int revents) {
    (void)loop;
    (void)w;
    (void)revents;
    printf("views %llu\n", (unsigned long long)views_total);
    fflush(stdout);
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents) {
    (void)w;
    (void)revents;
    stop_flag = 1;
    ev_break(loop, EVBREAK_ALL);
}

static const char *arg(int argc, char **argv, const char *name, const char *dflt) {
    int i;
    for (i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], name)) return argv[i + 1];
    return dflt;
}

int main(int argc, char **argv) {
    struct ev_loop *loop = ev_default_loop(0);
    const char *url = arg(argc, argv, "--redis", NULL), *name = arg(argc, argv, "--cluster", "scale");
    uint32_t n = (uint32_t)atoi(arg(argc, argv, "--n", "10")), first = (uint32_t)atoi(arg(argc, argv, "--first", "1"));
    uint32_t P = (uint32_t)atoi(arg(argc, argv, "--interval-ms", "2000"));
    uint32_t conns = (uint32_t)atoi(arg(argc, argv, "--conns", "20000")), routes = (uint32_t)atoi(arg(argc, argv, "--routes", "1000"));
    uint32_t listed = (uint32_t)atoi(arg(argc, argv, "--listed", "1000"));
    uint32_t maxi = (uint32_t)atoi(arg(argc, argv, "--max-instances", "128"));
    uint32_t watchers = (uint32_t)atoi(arg(argc, argv, "--watchers", "0"));
    uint32_t aggregators = (uint32_t)atoi(arg(argc, argv, "--aggregators", "0"));
    sim *sims;
    uint32_t i;
    ev_signal sterm, sint;
    ev_timer report;
    if (!url || !n || !P || !routes) {
        fprintf(stderr, "usage: cluster_sim --redis URL --n COUNT [--first K] [--cluster NAME] [--interval-ms P] ...\n");
        return 2;
    }
    read_all = !strcmp(arg(argc, argv, "--reads", "view"), "all");
    interval = P;
    signal(SIGPIPE, SIG_IGN);
    make_template(conns, routes, listed);
    listed_max = listed;
    sims = (sim *)calloc(n, sizeof *sims);
    if (!sims) return 1;
    for (i = 0; i < n; i++) {
        sim *s = &sims[i];
        skcl_link_config lc;
        snprintf(s->id, sizeof s->id, ID_FMT, (unsigned)(first + i));
        s->opt.redis_url = url;
        s->opt.name = name;
        s->opt.instance_id = s->id;
        s->opt.interval_ms = P;
        s->opt.max_instances = maxi;
        s->opt.read_all = read_all;
        s->watching = i < watchers;
        memset(&lc, 0, sizeof lc);
        lc.opt = &s->opt;
        lc.build = "v1";
        lc.max_snapshot = snap_cap;
        lc.max_instances = maxi;
        if (i < aggregators) lc.merge_cfg = skew_get_config(tmpl);
        lc.on_event = on_event;
        lc.user = s;
        s->link = skcl_link_create(loop, &lc);
        if (!s->link) return 1;
        /* phases spread over P, as independent servers' would be */
        ev_timer_init(&s->timer, on_publish, 0.5 + (double)P / 1000.0 * i / n, (double)P / 1000.0);
        s->timer.data = s;
        ev_timer_start(loop, &s->timer);
    }
    ev_timer_init(&report, on_report, 0.25, 0.25);
    ev_timer_start(loop, &report);
    ev_signal_init(&sterm, on_signal, SIGTERM);
    ev_signal_start(loop, &sterm);
    ev_signal_init(&sint, on_signal, SIGINT);
    ev_signal_start(loop, &sint);
    {
        size_t len = skew_cluster_write_snapshot(tmpl, skew_ex_now_ms(), snap, snap_cap);
        printf("cluster_sim: %u instances (" ID_FMT "..), P %u ms, snapshot %zu bytes (%u connections, %u routes, %u listed)\n",
               (unsigned)n, (unsigned)first, (unsigned)P, len, (unsigned)conns, (unsigned)routes, (unsigned)listed);
        fflush(stdout);
    }
    ev_run(loop, 0);
    for (i = 0; i < n; i++) {
        ev_timer_stop(loop, &sims[i].timer);
        skcl_link_leave(sims[i].link);
    }
    {
        ev_tstamp until = ev_time() + 1.0;
        while (ev_time() < until) ev_run(loop, EVRUN_ONCE | EVRUN_NOWAIT);
    }
    for (i = 0; i < n; i++) skcl_link_destroy(sims[i].link);
    printf("cluster_sim: views read %llu\n", (unsigned long long)views_total);
    free(sims);
    free(snap);
    skew_tracker_destroy(tmpl);
    return 0;
}
