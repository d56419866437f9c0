/* test_link.c - the parts of examples/common/skcl_link.c that take untrusted or user input
   without Redis: the relay codec (bytes from pub/sub), the command-line flags, the --redis URL.
   Built with ASan+UBSan by tests/cluster/build.mk (step-cluster-link). */
#include <ev.h>
#include <stdlib.h>
#include <string.h>

#include "skcl_agg.h"
#include "skcl_view.h"
#include "skew_cluster.h"
#include "skew_example.h"
#include "skew_test.h"
#include "test_hooks.h"

static skew_str hdr(void *ctx, const char *name) {
    skew_str none = {NULL, 0};
    (void)ctx;
    if (!strcmp(name, "cookie")) return skew_str_c("a=1; skew_admin=tok");
    if (!strcmp(name, "content-type")) return skew_str_c("application/json");
    if (!strcmp(name, "x-forwarded-for")) return skew_str_c("10.0.0.1, 10.0.0.2");
    return none;
}

static void test_relay_codec(void) {
    skew_request req, back;
    skcl_relay_req rr;
    char buf[4096], copy[4096];
    size_t n, cut, i;
    memset(&req, 0, sizeof req);
    req.method = skew_str_c("POST");
    req.path = skew_str_c("/__skew/route");
    req.query = skew_str_c("a=1&b=%20");
    req.body = skew_str_c("{\"connectionId\":\"x\",\n\"route\":\"/a:b\"}\n12:");
    req.header = hdr;
    skew_ip_parse(skew_str_c("192.0.2.7"), &req.peer);
    n = skcl_relay_encode(buf, sizeof buf, "inst-1", 42, &req);
    CHECK(n > 0 && n < sizeof buf);
    CHECK_EQ_INT(skcl_relay_encode(NULL, 0, "inst-1", 42, &req), n); /* measure first */
    CHECK(skcl_relay_decode((skew_str){buf, n}, &rr));
    CHECK_STR(rr.from, "inst-1");
    CHECK_EQ_INT(rr.id, 42);
    CHECK_EQ_INT(rr.header_count, 3);
    skcl_relay_request(&rr, &back);
    CHECK(back.body.len == req.body.len && !memcmp(back.body.ptr, req.body.ptr, req.body.len));
    CHECK(back.query.len == req.query.len && !memcmp(back.query.ptr, req.query.ptr, req.query.len));
    CHECK(skew_ip_equal(&back.peer, &req.peer));
    {
        skew_str c = skew_get_header(&back, "cookie");
        skew_str none = skew_get_header(&back, "authorization");
        CHECK(c.len == 19 && !memcmp(c.ptr, "a=1; skew_admin=tok", 19));
        CHECK(none.ptr == NULL);
    }
    /* every truncation is refused (the copy has no bytes after the cut: ASan sees over-reads) */
    for (cut = 0; cut < n; cut++) {
        char *p = (char *)malloc(cut ? cut : 1);
        memcpy(p, buf, cut);
        if (skcl_relay_decode((skew_str){p, cut}, &rr)) {
            /* a cut right after a whole header pair is a valid shorter request */
            CHECK(rr.header_count < 3);
        }
        free(p);
    }
    /* random mutations never crash, never read outside */
    srand(7);
    for (i = 0; i < 20000; i++) {
        size_t k, m = (size_t)rand() % 6 + 1;
        memcpy(copy, buf, n);
        for (k = 0; k < m; k++) copy[(size_t)rand() % n] = (char)(rand() % 256);
        {
            char *p = (char *)malloc(n);
            memcpy(p, copy, n);
            (void)skcl_relay_decode((skew_str){p, n}, &rr);
            free(p);
        }
    }
    /* hostile shapes */
    CHECK(!skcl_relay_decode(skew_str_c(""), &rr));
    CHECK(!skcl_relay_decode(skew_str_c("a\n1\n99999999999:"), &rr));
    CHECK(!skcl_relay_decode(skew_str_c("a\n1\n4:POST5:/x"), &rr));
    CHECK(!skcl_relay_decode(skew_str_c("a b\n1\n1:P0:0:0:0:"), &rr));      /* id chars */
    CHECK(!skcl_relay_decode(skew_str_c("a\n12345678901234567890\n1:P0:0:0:0:"), &rr));
    CHECK(!skcl_relay_decode(skew_str_c("a\n1\n1:P0:0:0:0:1:x"), &rr));   /* half a header */
    CHECK(skcl_relay_decode(skew_str_c("a\n1\n1:P0:0:0:0:"), &rr));
    {
        /* more headers than the decoder holds */
        char many[1024];
        int len = snprintf(many, sizeof many, "a\n1\n1:P0:0:0:0:");
        for (i = 0; i <= SKCL_RELAY_HEADERS; i++) len += snprintf(many + len, sizeof many - (size_t)len, "1:h1:v");
        CHECK(!skcl_relay_decode((skew_str){many, (size_t)len}, &rr));
    }
}

/* Parse a command line against the server's and the cluster's option groups, as the servers do;
   0 on success, -1 on a refusal. */
static int args(skew_cluster_options *o, int argc, const char *const *in, char **out) {
    skew_ex_options so;
    skew_ex_opt_group g[2];
    int i;
    for (i = 0; i < argc; i++) out[i] = (char *)(uintptr_t)in[i];
    out[argc] = NULL;
    g[0] = skew_ex_server_opt_group(&so);
    g[1] = skew_cluster_opt_group(o);
    return skew_ex_opts_parse(g, 2, argc, out, "test") == SKEW_EX_ARGS_OK ? 0 : -1;
}

static void test_args(void) {
    skew_cluster_options o;
    char *out[16];
    {
        const char *const a[] = {"prog", "--port", "1", "--redis", "redis://h:6379", "--cluster=shop",
                                 "--instance-id", "web-1", "--cluster-interval-ms", "500", "--verbose"};
        CHECK_EQ_INT(args(&o, 11, a, out), 0);
        CHECK_STR(o.redis_url, "redis://h:6379");
        CHECK_STR(o.name, "shop");
        CHECK_STR(o.instance_id, "web-1");
        CHECK_EQ_INT(o.interval_ms, 500);
    }
    {
        const char *const a[] = {"prog", "--redis", "unix:///tmp/r.sock"};
        CHECK_EQ_INT(args(&o, 3, a, out), 0);
        CHECK_STR(o.name, "default");
        CHECK_EQ_INT(o.interval_ms, 2000);
        CHECK(o.instance_id && strlen(o.instance_id) > 8); /* hostname-pid-nonce */
    }
    {
        const char *const a[] = {"prog", "--cluster-listed", "100", "--redis=redis://h:1", "--cluster-max-instances=300"};
        const char *const bad[] = {"prog", "--cluster-listed", "0"};
        const char *const bad2[] = {"prog", "--cluster-max-instances", "5000"};
        CHECK_EQ_INT(args(&o, 5, a, out), 0);
        CHECK_EQ_INT(o.listed, 100);
        CHECK_EQ_INT(o.max_instances, 300);
        CHECK_EQ_INT(args(&o, 3, bad, out), -1);
        CHECK_EQ_INT(args(&o, 3, bad2, out), -1);
    }
    {
        const char *const a[] = {"prog", "--port", "1"}; /* no --redis: nothing changes */
        CHECK_EQ_INT(args(&o, 3, a, out), 0);
        CHECK(o.redis_url == NULL && o.instance_id == NULL);
    }
    {
        const char *const bad1[] = {"prog", "--cluster-interval-ms", "10"};
        const char *const bad2[] = {"prog", "--instance-id", "a b"};
        const char *const bad3[] = {"prog", "--cluster", "{x}"};
        const char *const bad4[] = {"prog", "--redis"};
        const char *const bad5[] = {"prog", "--cluster-interval-ms", "12x"};
        CHECK_EQ_INT(args(&o, 3, bad1, out), -1);
        CHECK_EQ_INT(args(&o, 3, bad2, out), -1);
        CHECK_EQ_INT(args(&o, 3, bad3, out), -1);
        CHECK_EQ_INT(args(&o, 2, bad4, out), -1);
        CHECK_EQ_INT(args(&o, 3, bad5, out), -1);
    }
    { /* Sentinel: repeatable HOST:PORT, with --redis-master; --redis optional (user, db) */
        const char *const a[] = {"prog", "--redis-sentinel", "127.0.0.1:26379", "--redis-sentinel=[::1]:26380",
                                 "--redis-master", "mymaster"};
        const char *const nomaster[] = {"prog", "--redis-sentinel", "h:26379"};
        const char *const nosent[] = {"prog", "--redis-master", "m", "--redis", "redis://h:1"};
        const char *const badport[] = {"prog", "--redis-sentinel", "h:0", "--redis-master", "m"};
        const char *const noport[] = {"prog", "--redis-sentinel", "h", "--redis-master", "m"};
        const char *const badname[] = {"prog", "--redis-sentinel", "h:1", "--redis-master", "a b"};
        const char *const nine[] = {"prog", "--redis-sentinel", "h:1", "--redis-sentinel", "h:2", "--redis-sentinel", "h:3",
                                    "--redis-sentinel", "h:4", "--redis-sentinel", "h:5", "--redis-sentinel", "h:6",
                                    "--redis-sentinel", "h:7", "--redis-sentinel", "h:8", "--redis-sentinel", "h:9",
                                    "--redis-master", "m"};
        char *big[24];
        CHECK_EQ_INT(args(&o, 6, a, out), 0);
        CHECK_EQ_INT(o.sentinel_count, 2);
        CHECK_STR(o.sentinels[1], "[::1]:26380");
        CHECK_STR(o.master_name, "mymaster");
        CHECK(o.redis_url != NULL && o.instance_id != NULL); /* the cluster is on */
        CHECK_EQ_INT(args(&o, 3, nomaster, out), -1);
        CHECK_EQ_INT(args(&o, 5, nosent, out), -1);
        CHECK_EQ_INT(args(&o, 5, badport, out), -1);
        CHECK_EQ_INT(args(&o, 5, noport, out), -1);
        CHECK_EQ_INT(args(&o, 5, badname, out), -1);
        CHECK_EQ_INT(args(&o, 21, nine, big), -1); /* at most 8 */
    }
}

/* The cluster's tracker for big views: --cluster-max-instances up to the build's maximum. */
static void test_retrack(void) {
    static const uint32_t sizes[] = {1, 128, 300, 1000, SKEW_CLUSTER_MAX_INSTANCES};
    size_t i;
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        skew_config c;
        skew_tracker *t = NULL;
        skew_cluster_options o;
        skew_cluster_info info;
        memset(&c, 0, sizeof c);
        memset(&o, 0, sizeof o);
        c.server_version = "v1";
        c.route_tracking = true;
        CHECK_EQ_INT(skew_tracker_create(&t, &c), SKEW_OK);
        o.instance_id = "web-1";
        o.max_instances = sizes[i];
        CHECK(skcl_node_retrack(&t, &o, "test"));
        skew_cluster_get_info(t, &info);
        CHECK_EQ_INT(info.state, SKEW_CLUSTER_LINK_OFF);
        CHECK(skew_get_config(t)->cluster_max_instances == sizes[i]);
        skew_tracker_destroy(t);
    }
}

/* ---- the aggregator's view (skcl_view.c): merge, write, apply ---------------------------- */

static skew_str v_hdr(void *ctx, const char *name) {
    skew_str s = {NULL, 0};
    if (!strcmp(name, "cookie")) s = skew_str_c((const char *)ctx);
    else if (!strcmp(name, "user-agent")) s = skew_str_c("Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0.0.0 Safari/537.36");
    return s;
}

static skew_tracker *v_tracker(const char *id, uint32_t tag, uint32_t max_instances) {
    skew_config c;
    skew_tracker *t = NULL;
    memset(&c, 0, sizeof c);
    c.server_version = "v1";
    c.route_tracking = true;
    c.max_routes = 4; /* small tables: the merge folds names into "(other)" */
    c.instance_id = id;
    c.instance_tag = tag;
    c.cluster_max_instances = max_instances;
    c.hooks.send = skcl_send_nothing;
    CHECK_EQ_INT(skew_tracker_create(&t, &c), SKEW_OK);
    return t;
}

static void v_open(skew_tracker *t, const char *version, const char *route) {
    th_sse b;
    skew_request r = th_sse_request(&b, version, route, v_hdr);
    skew_handle h;
    CHECK_EQ_INT(skew_open(t, &r, NULL, &h), SKEW_OK);
}

static char v_own[8192];
static size_t v_own_len;
static uint64_t v_own_at;
static skew_str v_own_find(void *ctx, uint64_t at) {
    skew_str s = {NULL, 0};
    (void)ctx;
    if (at == v_own_at) {
        s.ptr = v_own;
        s.len = v_own_len;
    }
    return s;
}

/* s without the digits of its "ageMs" values (they follow the wall clock); returns s. */
static char *no_age(char *s) {
    char *at = s, *to;
    while ((at = strstr(at, "\"ageMs\":")) != NULL) {
        at += 8;
        for (to = at; *to >= '0' && *to <= '9'; to++) {}
        memmove(at, to, strlen(to) + 1);
    }
    return s;
}

/* Three instances, six routes over tables of four: every reader's totals, versions, routes
   and instances are exact, the listed connections of the others arrive; a hostile snapshot is
   skipped whole; a view that lies (sums, our own part, truncation) is refused whole. */
static void test_view(void) {
    skew_tracker *a = v_tracker("a", 1, 8), *b = v_tracker("b", 2, 8), *c = v_tracker("c", 3, 8), *m1 = v_tracker("m", 4, 1);
    char sb[8192], sc[8192], stats[16384];
    size_t lb, lc, vl = 0, ll = 0, k;
    char *view = NULL, *list = NULL, *rows = NULL;
    skew_str *parts = NULL;
    skcl_merge *g = skcl_merge_new(skew_get_config(m1));
    skcl_view_info info;
    skew_cluster_info ci;
    CHECK(g != NULL);
    v_open(a, "v1", "/x");
    v_open(a, "v1", "/x");
    v_open(b, "v1", "/y");
    v_open(b, "v2", "/y");
    v_open(b, "v2", "/z");
    v_open(c, "v2", "/w");
    v_open(c, "v3", "/q");
    v_own_at = 1000;
    v_own_len = skew_cluster_write_snapshot(a, v_own_at, v_own, sizeof v_own);
    lb = skew_cluster_write_snapshot(b, 1001, sb, sizeof sb);
    lc = skew_cluster_write_snapshot(c, 1002, sc, sizeof sc);
    skcl_merge_begin(g, true);
    CHECK(skcl_merge_add(g, v_own, v_own_len));
    CHECK(!skcl_merge_add(g, "{\"skew\":1,\"id\":\"x\"}", 20)); /* hostile: skipped whole */
    CHECK(!skcl_merge_add(g, sb, lb - 3));                         /* cut */
    CHECK(skcl_merge_add(g, sb, lb));
    CHECK(!skcl_merge_add(g, sb, lb));                              /* the same id twice */
    CHECK(skcl_merge_add(g, sc, lc));
    CHECK_EQ_INT(skcl_merge_count(g), 3);
    CHECK(skcl_merge_write(g, "agg", 7, 5000, 1000, &view, &vl, &list, &ll));
    CHECK(skcl_view_head((skew_str){view, vl}, &info) && info.seq == 7 && info.made_ms == 5000 && info.instances == 3);
    skew_cluster_set_link(a, SKEW_CLUSTER_LINK_OK);
    CHECK_EQ_INT(skcl_view_apply(a, (skew_str){view, vl}, (skew_str){list, ll}, v_own_find, NULL, 5001, &info, &rows,
                                 &parts),
                 SKCL_VIEW_OK);
    CHECK(info.listed);
    skew_cluster_get_info(a, &ci);
    CHECK_EQ_INT(ci.total, 7);
    CHECK_EQ_INT(ci.instances, 2);
    k = skew_write_stats(a, 0, stats, sizeof stats);
    CHECK(k < sizeof stats);
    CHECK(strstr(stats, "\"versions\":{\"v1\":3,\"v2\":3,\"v3\":1}") || strstr(stats, "\"v1\":3"));
    CHECK(strstr(stats, "\"instance\":\"b\"") && strstr(stats, "\"instance\":\"c\""));
    CHECK(strstr(stats, "\"id\":\"b\",\"version\":\"v1\",\"build\":\"v1\",\"total\":3"));
    CHECK(strstr(stats, "\"id\":\"c\",\"version\":\"v1\",\"build\":\"v1\",\"total\":2"));
    {
        /* versions and routes sum to the total: the stats' maps */
        const char *v = strstr(stats, "\"versions\":{"), *r = strstr(stats, "\"routes\":{");
        unsigned long sum = 0;
        CHECK(v && r);
        for (v = strchr(v, '{'); v && *v != '}'; v++)
            if (*v == ':') sum += strtoul(v + 1, NULL, 10);
        CHECK_EQ_INT(sum, 7);
        for (sum = 0, r = strchr(r, '{'); r && *r != '}'; r++)
            if (*r == ':') sum += strtoul(r + 1, NULL, 10);
        CHECK_EQ_INT(sum, 7);
    }
    /* the same view carved without the tracker and fed a row at a time (as skcl_node does over
       loop turns): what is shown stays the view applied above until the commit, then the same */
    {
        char *rows2 = NULL, stats2[16384];
        skew_str *parts2 = NULL;
        size_t n2 = 0, j;
        no_age(stats); /* the same stats but for ageMs (the wall clock moves on) */
        CHECK_EQ_INT(skcl_view_carve(skew_get_config(a), (skew_str){view, vl}, (skew_str){list, ll}, v_own_find, NULL,
                                     &info, &rows2, &parts2, &n2),
                     SKCL_VIEW_OK);
        CHECK(n2 == 2 && info.seq == 7 && info.listed);
        CHECK_EQ_INT(skew_cluster_begin_update(a), SKEW_OK);
        for (j = 0; j < n2; j++) {
            CHECK_EQ_INT(skew_cluster_add_snapshots(a, &parts2[j], 1), SKEW_OK);
            CHECK(skew_write_stats(a, 0, stats2, sizeof stats2) < sizeof stats2 && !strcmp(no_age(stats2), stats));
        }
        CHECK_EQ_INT(skew_cluster_commit_update(a, 5002), SKEW_OK);
        free(rows); /* the texts of the view shown before may go now */
        free(parts);
        rows = rows2;
        parts = parts2;
        CHECK(skew_write_stats(a, 0, stats2, sizeof stats2) < sizeof stats2 && !strcmp(no_age(stats2), stats));
        skew_cluster_get_info(a, &ci);
        CHECK(ci.total == 7 && ci.instances == 2 && ci.updates == 2);
        /* a cut view is refused by the carve too, and the tracker is not touched */
        CHECK_EQ_INT(skcl_view_carve(skew_get_config(a), (skew_str){view, vl - 2}, (skew_str){NULL, 0}, v_own_find, NULL,
                                     &info, &rows2, &parts2, &n2),
                     SKCL_VIEW_BAD);
        CHECK(rows2 == NULL && parts2 == NULL && n2 == 0);
        skew_cluster_get_info(a, &ci);
        CHECK(ci.total == 7 && ci.instances == 2);
    }
    skew_cluster_clear(a);
    free(rows);
    free(parts);
    /* our own part not kept any more: wait (nothing changes) */
    v_own_at = 999;
    CHECK_EQ_INT(skcl_view_apply(a, (skew_str){view, vl}, (skew_str){NULL, 0}, v_own_find, NULL, 5001, &info, &rows, &parts),
                 SKCL_VIEW_NO_OWN);
    v_own_at = 1000;
    /* every cut of the view is refused whole (a copy of exactly that length: ASan sees over-reads) */
    for (k = 0; k < vl; k++) {
        char *p = (char *)malloc(k ? k : 1);
        memcpy(p, view, k);
        CHECK(skcl_view_apply(a, (skew_str){p, k}, (skew_str){NULL, 0}, v_own_find, NULL, 5001, &info, &rows, &parts) !=
              SKCL_VIEW_OK);
        free(p);
    }
    /* a view whose counts lie: refused, the tracker shows no cluster part */
    {
        char *bad = (char *)malloc(vl + 1);
        char *at;
        memcpy(bad, view, vl);
        bad[vl] = '\0';
        at = strstr(bad, "\nv ");
        CHECK(at != NULL);
        at[3] = at[3] == '9' ? '8' : '9';
        CHECK(skcl_view_apply(a, (skew_str){bad, vl}, (skew_str){NULL, 0}, v_own_find, NULL, 5001, &info, &rows, &parts) ==
              SKCL_VIEW_BAD);
        skew_cluster_get_info(a, &ci);
        CHECK_EQ_INT(ci.total, 2);
        free(bad);
    }
    /* a reader showing at most one other instance: the rest folds into rows that keep totals exact */
    {
        skew_tracker *one = v_tracker("a", 1, 1);
        CHECK(skew_cluster_write_snapshot(one, 1000, v_own, sizeof v_own) > 0);
        v_own_len = skew_cluster_write_snapshot(one, 1000, v_own, sizeof v_own);
        /* the view's "a" had 2 connections; this "a" has 0: its own part does not match, refused */
        skew_cluster_set_link(one, SKEW_CLUSTER_LINK_OK);
        CHECK(skcl_view_apply(one, (skew_str){view, vl}, (skew_str){NULL, 0}, v_own_find, NULL, 5001, &info, &rows, &parts) ==
              SKCL_VIEW_BAD);
        v_own_at = 0; /* not in the view at all (id "a" is there, its "at" is not ours): waits */
        skew_tracker_destroy(one);
        one = v_tracker("z", 1, 1);
        skew_cluster_set_link(one, SKEW_CLUSTER_LINK_OK);
        CHECK_EQ_INT(skcl_view_apply(one, (skew_str){view, vl}, (skew_str){list, ll}, v_own_find, NULL, 5001, &info, &rows,
                                     &parts),
                     SKCL_VIEW_OK);
        skew_cluster_get_info(one, &ci);
        CHECK_EQ_INT(ci.total, 7);
        CHECK_EQ_INT(ci.instances, 1);
        skew_cluster_clear(one);
        free(rows);
        free(parts);
        skew_tracker_destroy(one);
    }
    free(view);
    free(list);
    skcl_merge_free(g);
    skew_tracker_destroy(a);
    skew_tracker_destroy(b);
    skew_tracker_destroy(c);
    skew_tracker_destroy(m1);
}

static void on_event(void *user, const skcl_link_event *ev) {
    (void)user;
    (void)ev;
}

static void test_urls(void) {
    static const char *const bad[] = {"redis://u:pw@h:1", "http://h:1", "redis://h", "redis://h:0", "redis://h:1/x",
                                      "unix://rel/path", "redis://:1", "redis://h:99999", ""};
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    skew_cluster_options o;
    skcl_link_config cfg;
    size_t i;
    memset(&o, 0, sizeof o);
    o.name = "t";
    o.instance_id = "me";
    o.interval_ms = 1000;
    memset(&cfg, 0, sizeof cfg);
    cfg.opt = &o;
    cfg.on_event = on_event;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o.redis_url = bad[i];
        CHECK(skcl_link_create(loop, &cfg) == NULL);
    }
    /* good ones: created (connecting in the background, to a closed port), freed cleanly */
    {
        static const char *const good[] = {"redis://127.0.0.1:1", "redis://app@localhost:1/3", "unix:///nonexistent.sock"};
        for (i = 0; i < sizeof good / sizeof good[0]; i++) {
            skcl_link *l;
            o.redis_url = good[i];
            l = skcl_link_create(loop, &cfg);
            CHECK(l != NULL);
            CHECK(!skcl_link_is_up(l));
            ev_run(loop, EVRUN_NOWAIT);
            skcl_link_destroy(l);
        }
        /* worker-thread mode too */
        o.redis_url = good[0];
        {
            skcl_link *l = skcl_link_create(NULL, &cfg);
            CHECK(l != NULL);
            skcl_link_publish(l, "{}", 2);
            skcl_link_destroy(l);
        }
    }
    ev_loop_destroy(loop);
}

/* The write phases (skcl_agg_write_in): every instance writes once a period in [5P/8, 7P/8) of
   the wall clock, P/8 or more before the aggregator's round at phase 0, never sooner than P/4
   after the last write, spread by id. */
static void test_phases(void) {
    const uint32_t P = 2000;
    const uint64_t base = 1700000000000ull - 1700000000000ull % P; /* phase 0 */
    uint32_t seen_lo = P, seen_hi = 0, i, off;
    for (i = 0; i < 1000; i++) {
        char id[16];
        uint32_t first;
        snprintf(id, sizeof id, "sim%05u", (unsigned)i);
        first = skcl_agg_write_in(base, P, id);
        CHECK(first >= P / 4 && first < P);                    /* this period's slot */
        CHECK(first >= P * 5 / 8 && first <= P * 7 / 8);
        if (first < seen_lo) seen_lo = first;
        if (first > seen_hi) seen_hi = first;
        CHECK_EQ_INT(skcl_agg_write_in(base + P, P, id), first); /* the same phase each period */
        for (off = 0; off < P; off += 97) {                     /* from anywhere in the period */
            uint32_t in = skcl_agg_write_in(base + off, P, id);
            CHECK(in >= P / 4 && in <= P + P / 4);
            CHECK_EQ_INT((base + off + in) % P, first);
        }
    }
    CHECK(seen_hi - seen_lo > P / 5); /* spread over the P/4 window, not one instant */
    CHECK(skcl_agg_write_in(base, P, "a") != skcl_agg_write_in(base, P, "b") ||
          skcl_agg_write_in(base, P, "c") != skcl_agg_write_in(base, P, "d"));
    CHECK(skcl_agg_write_in(base + 5, 50, "x") >= 12 && skcl_agg_write_in(base + 5, 50, "x") <= 63); /* a small P */
}

/* The holder's rounds (skcl_agg_round_due) at phase 0 of the wall clock, one a period, and a
   wall clock stepped (NTP, an operator): forward, one round and no burst of catch-up rounds;
   back by more than P, a round at once and one a period from there (not none until the clock
   catches up with the old schedule); back by less, the next round at most P later. A round
   with next_round more than P ahead is due at once (the fix: before, none until then). */
static int rounds_in(uint64_t from, uint64_t to, uint32_t P, uint64_t *next) {
    int n = 0;
    uint64_t t;
    for (t = from; t < to; t += 10) n += skcl_agg_round_due(t, P, false, next); /* wakes every 10 ms */
    return n;
}

static void test_round_due(void) {
    const uint32_t P = 2000;
    const uint64_t base = 1700000000000ull - 1700000000000ull % P; /* phase 0 */
    uint64_t next = 0, t;
    CHECK(skcl_agg_round_due(base + 300, P, false, &next)); /* the first: at once */
    CHECK_EQ_INT(next, base + P);
    CHECK(!skcl_agg_round_due(base + P - 1, P, false, &next));
    CHECK(skcl_agg_round_due(base + P, P, false, &next));
    CHECK_EQ_INT(next, base + 2 * P);
    CHECK(skcl_agg_round_due(base + P + 10, P, true, &next)); /* nudged: at once, same phase */
    CHECK_EQ_INT(next, base + 2 * P);
    CHECK_EQ_INT(rounds_in(base + P + 20, base + 10 * P, P, &next), 8); /* one each phase 0 */
    /* forward by 100 periods: one round, then one a period */
    t = base + 110 * P + 7;
    CHECK(skcl_agg_round_due(t, P, false, &next));
    CHECK_EQ_INT(next, base + 111 * P);
    CHECK_EQ_INT(rounds_in(t + 10, base + 111 * P, P, &next), 0);
    CHECK_EQ_INT(rounds_in(base + 111 * P, base + 116 * P, P, &next), 5);
    /* back by 10 periods: due at once, then one a period (before: none for 10 periods) */
    t = base + 106 * P + 7;
    CHECK(skcl_agg_round_due(t, P, false, &next));
    CHECK_EQ_INT(next, base + 107 * P);
    CHECK_EQ_INT(rounds_in(t + 10, base + 112 * P, P, &next), 5);
    /* back by 100 ms just after a round (next_round then P ahead): the next at its phase 0 */
    CHECK(skcl_agg_round_due(base + 112 * P + 100, P, false, &next));
    CHECK_EQ_INT(next, base + 113 * P);
    CHECK(!skcl_agg_round_due(base + 112 * P, P, false, &next));
    CHECK_EQ_INT(rounds_in(base + 112 * P + 10, base + 113 * P + 10, P, &next), 1);
    /* back by just over P: due at once */
    CHECK(!skcl_agg_round_due(base + 113 * P + 50, P, false, &next));
    CHECK(skcl_agg_round_due(base + 113 * P + 50 - P - 1000, P, false, &next));
}

int main(void) {
    skew_ex_log_set_verbosity(0);
    test_phases();
    test_round_due();
    test_relay_codec();
    test_args();
    test_urls();
    test_retrack();
    test_view();
    TEST_MAIN_END();
}
