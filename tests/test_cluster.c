/* Black-box tests of the cluster part (issue 11): tagged ids, snapshot encode and decode, the
   view of other instances in stats, admin stats and metrics, hostile snapshots, relay helpers. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "skew_test.h"
#include "test_hooks.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- a small environment: a clock, a deterministic random source, messages per connection -- */

#define MAXC 16

typedef struct conn_box {
    char last[1 << 16];
    int stats_msgs;
} conn_box;

typedef struct env_t {
    conn_box conns[MAXC];
    uint64_t now;
    uint32_t rnd;
    int warn_logs;
} env_t;

static env_t env;

static skew_result on_send(void *ud, const skew_conn *c, const char *msg, size_t len) {
    conn_box *b = (conn_box *)c->user;
    (void)ud;
    th_keep(b->last, sizeof b->last, msg, len);
    if (strncmp(msg, "{\"type\":\"stats\"", 15) == 0) b->stats_msgs++;
    return SKEW_OK;
}
static uint64_t on_now(void *ud) { return ((env_t *)ud)->now; }
static skew_result on_random(void *ud, void *buf, size_t len) {
    env_t *e = (env_t *)ud;
    size_t i;
    for (i = 0; i < len; i++) {
        e->rnd = e->rnd * 1664525u + 1013904223u;
        ((uint8_t *)buf)[i] = (uint8_t)(e->rnd >> 24);
    }
    return SKEW_OK;
}
static void on_log(void *ud, skew_log_level level, const char *msg) {
    (void)msg;
    if (level == SKEW_LOG_LEVEL_WARN) ((env_t *)ud)->warn_logs++;
}

static void cfg_init(skew_config *c, const char *instance, uint32_t tag, uint32_t max_instances) {
    memset(c, 0, sizeof *c);
    c->server_version = "v2";
    c->route_tracking = true;
    c->ip_tracking = true;
    c->stats_interval_ms = 100;
    c->max_connections = 64;
    c->instance_id = instance;
    c->instance_tag = tag;
    c->cluster_max_instances = max_instances;
    c->hooks.user_data = &env;
    c->hooks.send = on_send;
    c->hooks.epoch_ms = on_now;
    c->hooks.random_bytes = on_random;
    c->hooks.authorize = th_auth_granted;
    c->hooks.log = on_log;
}

static skew_tracker *make(const skew_config *c) {
    skew_tracker *t = NULL;
    CHECK_RES(skew_tracker_create(&t, c), SKEW_OK);
    return t;
}

static skew_str hdr_fn(void *ctx, const char *name) {
    const char *cookie = (const char *)ctx;
    if (strcmp(name, "user-agent") == 0) return skew_str_c("Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36");
    if (strcmp(name, "cookie") == 0 && cookie) return skew_str_c(cookie);
    return skew_str_n(NULL, 0);
}

/* Open an SSE connection on version/route; box is the connection's message store. */
static skew_result open_raw(skew_tracker *t, int box, const char *version, const char *route, skew_handle *out) {
    th_sse b;
    skew_request r = th_sse_request(&b, version, route, hdr_fn);
    r.peer.family = 4;
    r.peer.bytes[0] = 10;
    r.peer.bytes[3] = (uint8_t)(box + 1);
    return skew_open(t, &r, &env.conns[box], out);
}
static skew_handle open_conn(skew_tracker *t, int box, const char *version, const char *route) {
    skew_handle h = 0;
    CHECK_RES(open_raw(t, box, version, route, &h), SKEW_OK);
    return h;
}

#if SKEW_ENABLE_HTTP
static skew_result post(skew_tracker *t, const char *path, const char *body, skew_response *res, char *out, size_t cap) {
    skew_request r;
    memset(&r, 0, sizeof r);
    r.method = skew_str_c("POST");
    r.path = skew_str_c(path);
    r.body = skew_str_c(body);
    r.header = hdr_fn;
    return skew_http(t, &r, res, out, cap);
}

#endif
#if SKEW_ENABLE_HTTP && SKEW_ENABLE_ADMIN
static skew_result get(skew_tracker *t, const char *path, skew_response *res, char *out, size_t cap) {
    skew_request r;
    memset(&r, 0, sizeof r);
    r.method = skew_str_c("GET");
    r.path = skew_str_c(path);
    r.header = hdr_fn;
    return skew_http(t, &r, res, out, cap);
}

#endif

static void subscribe(skew_tracker *t, skew_handle h) {
    skew_request r;
    memset(&r, 0, sizeof r);
    r.method = skew_str_c("POST");
    r.path = skew_str_c("/__skew/subscribe-stats");
    r.header = hdr_fn;
    CHECK_RES(skew_subscribe(t, h, &r), SKEW_OK);
}

/* The count of "name" in the JSON map `map` ("versions"/"routes") of a stats text; -1 if absent. */
static long long map_count(const char *json, const char *map, const char *name) {
    char key[160];
    const char *m, *end, *p;
    snprintf(key, sizeof key, "\"%s\":{", map);
    m = strstr(json, key);
    if (!m) return -1;
    m += strlen(key);
    end = strchr(m, '}');
    snprintf(key, sizeof key, "\"%s\":", name);
    p = strstr(m, key);
    if (!p || p > end || (p != m && p[-1] != ',')) return -1;
    return strtoll(p + strlen(key), NULL, 10);
}

/* Sum of all counts of map `map`, and how many names it has. */
static long long map_sum(const char *json, const char *map, int *names) {
    char key[64];
    const char *p, *end;
    long long sum = 0;
    snprintf(key, sizeof key, "\"%s\":{", map);
    p = strstr(json, key);
    *names = 0;
    if (!p) return -1;
    p += strlen(key);
    end = strchr(p, '}');
    while (p < end) {
        const char *colon = strstr(p, "\":");
        char *after;
        if (!colon || colon > end) break;
        sum += strtoll(colon + 2, &after, 10);
        p = after;
        (*names)++;
        if (*p == ',') p++;
    }
    return sum;
}

static long long num_after(const char *json, const char *key) {
    const char *p = strstr(json, key);
    return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

static int count_of(const char *hay, const char *needle) {
    int n = 0;
    const char *p = hay;
    while ((p = strstr(p, needle)) != NULL) {
        n++;
        p += strlen(needle);
    }
    return n;
}

static char big[1 << 18], big2[1 << 18];

typedef struct sink_buf {
    char *p;
    size_t n, cap;
} sink_buf;
static int to_buf(void *ctx, const char *data, size_t len) {
    sink_buf *b = (sink_buf *)ctx;
    if (b->n + len >= b->cap) return 1;
    memcpy(b->p + b->n, data, len);
    b->n += len;
    b->p[b->n] = '\0';
    return 0;
}

static size_t stats_of(skew_tracker *t, char *buf, size_t cap) {
    size_t n = skew_write_stats(t, 0, buf, cap);
    CHECK(n < cap);
    CHECK_RES(skew_json_validate(skew_str_n(buf, n)), SKEW_OK);
    return n;
}

/* ---- config and memory --------------------------------------------------------------------- */

static void test_config(void) {
    skew_config c, r;
    size_t standalone, publish_only, eight, more;
    cfg_init(&c, NULL, 0, 0);
    standalone = skew_tracker_memory_size(&c);
    CHECK(standalone > 0);
    c.cluster_max_instances = 8; /* no instance_id: still standalone, no cluster memory */
    CHECK_EQ_INT(skew_tracker_memory_size(&c), standalone);
    cfg_init(&c, "a", 7, 0);
    publish_only = skew_tracker_memory_size(&c);
    CHECK(publish_only > standalone);
    c.cluster_max_instances = 8;
    eight = skew_tracker_memory_size(&c);
    CHECK(eight > publish_only);
    c.cluster_max_instances = 16;
    more = skew_tracker_memory_size(&c);
    CHECK(more > eight);
    /* each instance more is counted twice (the view shown and the one an update fills): its
       version and build texts and its entry (an id of up to SKEW_CLUSTER_ID_MAX and more); a
       fixed message buffer, which would grow by the instances list too */
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_OK);
    c.message_buffer = 1u << 20;
    c.cluster_max_instances = 8;
    eight = skew_tracker_memory_size(&c);
    c.cluster_max_instances = 16;
    CHECK(skew_tracker_memory_size(&c) - eight >= 2 * 8 * (2 * (size_t)r.max_version_len + SKEW_CLUSTER_ID_MAX + 24));
    c.message_buffer = 0;
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_OK);
    CHECK_EQ_INT(r.snapshot_max_versions, 32);
    CHECK_EQ_INT(r.snapshot_max_routes, 100);
    c.max_versions = 4;
    c.max_routes = 9;
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_OK);
    CHECK_EQ_INT(r.snapshot_max_versions, 4);
    CHECK_EQ_INT(r.snapshot_max_routes, 9);
    c.snapshot_max_versions = 5; /* over the table */
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_ERR_CONFIG);
    CHECK_EQ_INT(skew_tracker_memory_size(&c), 0);
    cfg_init(&c, "a", SKEW_CLUSTER_TAG_MAX + 1, 4);
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_ERR_CONFIG);
    cfg_init(&c, "a", SKEW_CLUSTER_TAG_MAX, SKEW_CLUSTER_MAX_INSTANCES + 1);
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_ERR_CONFIG);
    cfg_init(&c, "0123456789012345678901234567890123456789012345678901234567890123x", 1, 4); /* 65 bytes */
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_ERR_CONFIG);
    cfg_init(&c, "bad\nid", 1, 4);
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_ERR_CONFIG);
    cfg_init(&c, "a", 1, 4);
    c.build = "b\x01";
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_ERR_CONFIG);
    cfg_init(&c, "0123456789012345678901234567890123456789012345678901234567890123", SKEW_CLUSTER_TAG_MAX, 4);
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_OK);
    /* a caller buffer of exactly the size works: the view lives inside it */
    {
        void *mem;
        skew_tracker *t = NULL;
        size_t need;
        cfg_init(&c, "mem", 1, 3);
        need = skew_tracker_memory_size(&c);
        mem = malloc(need);
        CHECK_RES(skew_tracker_init(&t, &c, mem, need - 8), SKEW_ERR_NOMEM);
        CHECK_RES(skew_tracker_init(&t, &c, mem, need), SKEW_OK);
        if (t) CHECK_STR(skew_get_config(t)->instance_id, "mem");
        free(mem);
    }
}

/* ---- ids ---------------------------------------------------------------------------------- */

static void test_id_tag(void) {
    skew_config c;
    skew_tracker *t, *plain;
    uint8_t ones[16], zeros[16];
    uint32_t tag = 0, i, tags_seen = 0, first_tag = 0;
    int varying = 0, fixed_ok = 1, k;
    cfg_init(&c, "tagger", 0xABCDEu, 2);
    t = make(&c);
    memset(ones, 0, sizeof ones);
    memset(zeros, 0xFF, sizeof zeros);
    for (i = 0; i < 400; i++) {
        skew_handle h = open_conn(t, 0, "v1", "/");
        skew_conn cv;
        uint8_t b[16];
        skew_handle found = 0;
        CHECK_RES(skew_get_conn(t, h, &cv), SKEW_OK);
        CHECK_RES(skew_get_id_tag(skew_str_c(cv.id), &tag), SKEW_OK);
        if (tag != 0xABCDEu) fixed_ok = 0;
        if (cv.id[14] != '4' || !strchr("89ab", cv.id[19]) || strcmp(cv.id + 31, "abcde") != 0) fixed_ok = 0;
        for (k = 0; k < 16; k++) {
            unsigned hi, lo;
            static const int at[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
            sscanf(cv.id + at[k], "%1x%1x", &hi, &lo);
            b[k] = (uint8_t)(hi << 4 | lo);
            ones[k] |= b[k];
            zeros[k] &= b[k];
        }
        CHECK_RES(skew_find(t, skew_str_c(cv.id), &found), SKEW_OK);
        if (found != h) fixed_ok = 0;
        skew_close(t, h, SKEW_CLOSE_REASON_CLIENT);
    }
    CHECK(fixed_ok);
    /* bits that took both values: every bit but the version nibble, the variant bits and the tag */
    for (k = 0; k < 16; k++)
        for (i = 0; i < 8; i++)
            varying += ((ones[k] >> i) & 1u) && !((zeros[k] >> i) & 1u);
    CHECK_EQ_INT(varying, 128 - 4 - 2 - 20);
    CHECK(varying >= 100);
    skew_tracker_destroy(t);

    /* a standalone tracker's ids carry no tag: the last 20 bits vary */
    cfg_init(&c, NULL, 0xABCDEu, 0);
    plain = make(&c);
    for (i = 0; i < 32; i++) {
        skew_handle h = open_conn(plain, 0, "v1", "/");
        skew_conn cv;
        skew_get_conn(plain, h, &cv);
        skew_get_id_tag(skew_str_c(cv.id), &tag);
        if (i == 0) first_tag = tag;
        else if (tag != first_tag) tags_seen++;
        skew_close(plain, h, SKEW_CLOSE_REASON_CLIENT);
    }
    CHECK(tags_seen > 0);
    skew_tracker_destroy(plain);

    CHECK_RES(skew_get_id_tag(skew_str_c("0f0e0d0c-0b0a-4908-8706-05040302ABCDE"), &tag), SKEW_ERR_INVALID); /* 37 chars */
    CHECK_RES(skew_get_id_tag(skew_str_c("0f0e0d0c-0b0a-4908-8706-0504030ABCDE"), &tag), SKEW_OK);
    CHECK_EQ_INT(tag, 0xABCDEu);
    CHECK_RES(skew_get_id_tag(skew_str_c("0f0e0d0c-0b0a-4908-8706-0504030abcdg"), &tag), SKEW_ERR_INVALID);
    CHECK_RES(skew_get_id_tag(skew_str_c("0f0e0d0c+0b0a-4908-8706-0504030abcde"), &tag), SKEW_ERR_INVALID);
    CHECK_RES(skew_get_id_tag(skew_str_n(NULL, 0), &tag), SKEW_ERR_INVALID);
    CHECK_EQ_INT(tag, 0);
}

/* ---- encode --------------------------------------------------------------------------------- */

static void test_snapshot_encode(void) {
    skew_config c;
    skew_tracker *t;
    char buf[4096], small[16];
    size_t n, m;
    skew_conn cv;
    skew_handle h;
    int names = 0;
    cfg_init(&c, "a-\"1\"", 5, 4);
    t = make(&c);
    env.now = 1000;
    h = open_conn(t, 0, "v1", "/x");
    open_conn(t, 1, "v1", "/x");
    open_conn(t, 2, "v2", "/y");
    n = skew_cluster_write_snapshot(t, 1234, buf, sizeof buf);
    CHECK(n < sizeof buf);
    CHECK_EQ_INT(skew_cluster_write_snapshot(t, 1234, NULL, 0), n);
    CHECK_RES(skew_json_validate(skew_str_n(buf, n)), SKEW_OK);
    {
        static const char want[] = "{\"skew\":1,\"id\":\"a-\\\"1\\\"\",\"tag\":5,\"version\":\"v2\",\"build\":\"v2\",\"at\":1234,"
                                   "\"total\":3,\"versions\":{\"v1\":2,\"v2\":1},\"routes\":{\"/x\":2,\"/y\":1},"
                                   "\"connections\":[{\"id\":\"";
        CHECK(strncmp(buf, want, sizeof want - 1) == 0);
    }
    skew_get_conn(t, h, &cv);
    CHECK(strstr(buf, cv.id) != NULL);
    CHECK_EQ_INT(count_of(buf, "{\"id\":\""), 3);
    CHECK_EQ_INT(count_of(buf, "\"ip\":\"10.0.0."), 3);
    CHECK_EQ_INT(count_of(buf, "\"instance\""), 0); /* the snapshot's own id says whose they are */
    CHECK_EQ_INT(map_sum(buf, "versions", &names), 3);
    /* snprintf contract */
    memset(small, 'x', sizeof small);
    m = skew_cluster_write_snapshot(t, 1234, small, 10);
    CHECK_EQ_INT(m, n);
    CHECK(small[9] == '\0' && memcmp(small, buf, 9) == 0 && small[10] == 'x');
    CHECK(n <= skew_cluster_snapshot_max(skew_get_config(t)));
    skew_tracker_destroy(t);
    /* fewer entries per snapshot: smaller texts, same numbers */
    c.snapshot_max_listed = 1;
    t = make(&c);
    open_conn(t, 0, "v1", "/x");
    open_conn(t, 1, "v1", "/x");
    n = skew_cluster_write_snapshot(t, 1234, buf, sizeof buf);
    CHECK_EQ_INT(count_of(buf, "{\"id\":\""), 1);
    CHECK_EQ_INT(num_after(buf, "\"total\":"), 2);
    skew_tracker_destroy(t);
    c.max_listed = 5;
    c.snapshot_max_listed = 6;
    CHECK_RES(skew_config_resolve(&c, NULL), SKEW_ERR_CONFIG);

    /* routes and ips only when tracked; a standalone tracker writes nothing */
    cfg_init(&c, "b", 5, 0);
    c.route_tracking = false;
    c.ip_tracking = false;
    t = make(&c);
    open_conn(t, 0, "v1", "/x");
    n = skew_cluster_write_snapshot(t, 1, buf, sizeof buf);
    CHECK(strstr(buf, "\"routes\"") == NULL && strstr(buf, "\"route\"") == NULL && strstr(buf, "\"ip\"") == NULL);
    CHECK_RES(skew_cluster_update(t, NULL, 0, 1), SKEW_OK);
    skew_tracker_destroy(t);
    cfg_init(&c, NULL, 5, 4);
    t = make(&c);
    open_conn(t, 0, "v1", "/x");
    strcpy(buf, "zz");
    CHECK_EQ_INT(skew_cluster_write_snapshot(t, 1, buf, sizeof buf), 0);
    CHECK_STR(buf, "");
    skew_tracker_destroy(t);
}

/* Versions and routes past the snapshot caps fold into "(other)"; the largest stay named. */
static void test_snapshot_caps(void) {
    skew_config c;
    skew_tracker *t, *v;
    char buf[8192];
    size_t n;
    int i, j, names = 0;
    skew_str s;
    static const char *const versions[5] = {"va", "vb", "vc", "vd", "ve"};
    static const char *const routes[6] = {"/r0", "/r1", "/r2", "/r3", "/r4", "/r5"};
    cfg_init(&c, "caps", 1, 0);
    c.max_routes = 4; /* the tracker's own table: two of six routes land in its "(other)" */
    c.snapshot_max_versions = 2;
    c.snapshot_max_routes = 2;
    t = make(&c);
    /* va:1 vb:2 vc:3 vd:4 ve:5 (15 connections); routes r0..r5 round robin */
    for (i = 0, n = 0; i < 5; i++)
        for (j = 0; j <= i; j++, n++) open_conn(t, 0, versions[i], routes[n % 6]);
    n = skew_cluster_write_snapshot(t, 7, buf, sizeof buf);
    CHECK(n < sizeof buf);
    CHECK_EQ_INT(map_count(buf, "versions", "ve"), 5);
    CHECK_EQ_INT(map_count(buf, "versions", "vd"), 4);
    CHECK_EQ_INT(map_count(buf, "versions", "(other)"), 6);
    CHECK_EQ_INT(map_count(buf, "versions", "va"), -1);
    CHECK_EQ_INT(map_sum(buf, "versions", &names), 15);
    CHECK_EQ_INT(names, 3);
    CHECK_EQ_INT(map_sum(buf, "routes", &names), 15);
    CHECK_EQ_INT(names, 3);
    CHECK_EQ_INT(map_count(buf, "routes", "/r0"), 3); /* 15 round robin over 6: r0,r1,r2 get 3 */
    CHECK(map_count(buf, "routes", "(other)") >= 9);
    /* another instance reads it back with exact totals */
    cfg_init(&c, "reader", 2, 4);
    v = make(&c);
    skew_cluster_set_link(v, SKEW_CLUSTER_LINK_OK);
    s = skew_str_n(buf, n);
    CHECK_RES(skew_cluster_update(v, &s, 1, 7), SKEW_OK);
    stats_of(v, big, sizeof big);
    CHECK_EQ_INT(num_after(big, "\"total\":"), 15);
    CHECK_EQ_INT(map_count(big, "versions", "ve"), 5);
    CHECK_EQ_INT(map_count(big, "versions", "(other)"), 6);
    CHECK_EQ_INT(map_sum(big, "routes", &names), 15);
    skew_tracker_destroy(v);
    skew_tracker_destroy(t);
}

/* Counts only (max_listed 0, nobody watching) or a few listed: the same totals and maps, the
   connections capped, and another instance reads it with exact totals. */
static void test_snapshot_listed(void) {
    skew_config c;
    skew_tracker *t, *v;
    char full[8192], none[8192], two[8192];
    size_t nf, nn, n2;
    int i;
    skew_str s;
    cfg_init(&c, "lst", 1, 0);
    t = make(&c);
    for (i = 0; i < 5; i++) open_conn(t, 0, i % 2 ? "va" : "vb", i % 2 ? "/x" : "/y");
    nf = skew_cluster_write_snapshot(t, 9, full, sizeof full);
    CHECK_EQ_INT(skew_cluster_write_snapshot_listed(t, 9, UINT32_MAX, NULL, 0), nf);
    CHECK_EQ_INT(skew_cluster_write_snapshot_listed(t, 9, UINT32_MAX, full, sizeof full), nf);
    nn = skew_cluster_write_snapshot_listed(t, 9, 0, none, sizeof none);
    n2 = skew_cluster_write_snapshot_listed(t, 9, 2, two, sizeof two);
    CHECK(nn < n2 && n2 < nf);
    CHECK(strstr(none, "\"connections\":[]}") != NULL);
    CHECK_EQ_INT(num_after(none, "\"total\":"), 5);
    CHECK_EQ_INT(map_count(none, "versions", "va"), 2);
    CHECK_EQ_INT(map_count(none, "routes", "/y"), 3);
    cfg_init(&c, "reader", 2, 4);
    v = make(&c);
    skew_cluster_set_link(v, SKEW_CLUSTER_LINK_OK);
    s = skew_str_n(none, nn);
    CHECK_RES(skew_cluster_update(v, &s, 1, 9), SKEW_OK);
    stats_of(v, big, sizeof big);
    CHECK_EQ_INT(num_after(big, "\"total\":"), 5);
    CHECK_EQ_INT(map_count(big, "versions", "vb"), 3);
    s = skew_str_n(two, n2);
    CHECK_RES(skew_cluster_update(v, &s, 1, 9), SKEW_OK);
    stats_of(v, big, sizeof big);
    CHECK_EQ_INT(num_after(big, "\"total\":"), 5);
    skew_tracker_destroy(v);
    skew_tracker_destroy(t);
}

/* ---- the view ---------------------------------------------------------------------------- */

typedef struct trio {
    skew_tracker *a, *b, *c;
    char sa[8192], sb[8192], sc[8192];
    skew_str snaps[3];
} trio;

static trio tr;

static void trio_make(void) {
    skew_config c;
    size_t n;
    cfg_init(&c, "A", 1, 8);
    tr.a = make(&c);
    cfg_init(&c, "B", 2, 8);
    c.server_version = "v1";
    c.build = "b-7";
    tr.b = make(&c);
    cfg_init(&c, "C", 3, 8);
    tr.c = make(&c);
    env.now = 50000;
    open_conn(tr.a, 0, "v2", "/a");
    open_conn(tr.b, 1, "v1", "/a");
    open_conn(tr.b, 2, "v1", "/b");
    open_conn(tr.c, 3, "v2", "/c");
    open_conn(tr.c, 4, "v3", "/a");
    open_conn(tr.c, 5, "v1", "/a");
    n = skew_cluster_write_snapshot(tr.a, 49000, tr.sa, sizeof tr.sa);
    tr.snaps[0] = skew_str_n(tr.sa, n);
    n = skew_cluster_write_snapshot(tr.b, 48000, tr.sb, sizeof tr.sb);
    tr.snaps[1] = skew_str_n(tr.sb, n);
    n = skew_cluster_write_snapshot(tr.c, 50500, tr.sc, sizeof tr.sc); /* a clock ahead: age 0 */
    tr.snaps[2] = skew_str_n(tr.sc, n);
}

static void trio_free(void) {
    skew_tracker_destroy(tr.a);
    skew_tracker_destroy(tr.b);
    skew_tracker_destroy(tr.c);
}

static void test_view_merge(void) {
    skew_cluster_info info;
    skew_cluster_peer peers[4];
    skew_response res;
    int names = 0;
    skew_handle sub;
    trio_make();
    sub = open_conn(tr.a, 6, "v2", "/sub");
    subscribe(tr.a, sub);
    env.conns[6].stats_msgs = 0;
    /* before the link is up: local numbers, "cluster":"off" */
    stats_of(tr.a, big, sizeof big);
    CHECK_EQ_INT(num_after(big, "\"total\":"), 2);
    CHECK(strstr(big, "\"cluster\":\"off\"") != NULL);
    skew_cluster_set_link(tr.a, SKEW_CLUSTER_LINK_OK);
    CHECK_RES(skew_cluster_update(tr.a, tr.snaps, 3, 50000), SKEW_OK); /* its own is skipped */
    skew_cluster_get_info(tr.a, &info);
    CHECK_EQ_INT(info.state, SKEW_CLUSTER_LINK_OK);
    CHECK_EQ_INT(info.instances, 2);
    CHECK_EQ_INT(info.total, 7);
    CHECK_EQ_INT(info.rejected, 0);
    CHECK_EQ_INT(info.updates, 1);
    CHECK_EQ_INT(info.updated_ms, 50000);
    CHECK_EQ_INT(skew_get_total(tr.a), 2); /* the C numbers stay local */
    CHECK_EQ_INT(skew_cluster_list_peers(tr.a, peers, 4), 2);
    CHECK(peers[0].id.len == 1 && peers[0].id.ptr[0] == 'B' && peers[0].tag == 2 && peers[0].total == 2);
    CHECK(peers[0].version.len == 2 && memcmp(peers[0].version.ptr, "v1", 2) == 0 && peers[0].written_ms == 48000);
    CHECK(peers[0].build.len == 3 && memcmp(peers[0].build.ptr, "b-7", 3) == 0);
    CHECK(peers[1].build.len == 2 && memcmp(peers[1].build.ptr, "v2", 2) == 0);
    CHECK(peers[1].id.ptr[0] == 'C' && peers[1].total == 3);

    stats_of(tr.a, big, sizeof big);
    CHECK_EQ_INT(num_after(big, "\"total\":"), 7);
    CHECK_EQ_INT(map_count(big, "versions", "v1"), 3);
    CHECK_EQ_INT(map_count(big, "versions", "v2"), 3);
    CHECK_EQ_INT(map_count(big, "versions", "v3"), 1);
    CHECK_EQ_INT(map_count(big, "routes", "/a"), 4);
    CHECK_EQ_INT(map_count(big, "routes", "/sub"), 1);
    CHECK_EQ_INT(map_sum(big, "routes", &names), 7);
    CHECK(strstr(big, "\"instances\":[{\"id\":\"A\",\"version\":\"v2\",\"build\":\"v2\",\"total\":2,\"ageMs\":0,\"self\":true},"
                      "{\"id\":\"B\",\"version\":\"v1\",\"build\":\"b-7\",\"total\":2,\"ageMs\":2000,\"self\":false},"
                      "{\"id\":\"C\",\"version\":\"v2\",\"build\":\"v2\",\"total\":3,\"ageMs\":0,\"self\":false}],"
                      "\"cluster\":\"ok\"") != NULL);
    CHECK_EQ_INT(count_of(big, "\"instance\":\"A\""), 2);
    CHECK_EQ_INT(count_of(big, "\"instance\":\"B\""), 2);
    CHECK_EQ_INT(count_of(big, "\"instance\":\"C\""), 3);
    CHECK(strstr(big, "\"version\":\"v3\",\"route\":\"/a\",\"ip\":\"10.0.0.5\",\"instance\":\"C\"}") != NULL);
    /* the streamed writer says the same */
    {
        sink_buf b;
        size_t sn = 0;
        b.p = big2;
        b.n = 0;
        b.cap = sizeof big2;
        CHECK_RES(skew_write_stats_sink(tr.a, 0, 1000, to_buf, &b, &sn), SKEW_OK);
        CHECK_EQ_INT(sn, strlen(big));
        CHECK_STR(big2, big);
        b.n = 0;
        b.cap = 40; /* a sink that stops */
        CHECK_RES(skew_write_stats_sink(tr.a, 0, 1000, to_buf, &b, NULL), SKEW_ERR_SEND);
    }

    /* the update marked the stats: subscribers get one coalesced push with the cluster numbers */
    skew_tick(tr.a, env.now + 200);
    CHECK_EQ_INT(env.conns[6].stats_msgs, 1);
    CHECK_EQ_INT(num_after(env.conns[6].last, "\"total\":"), 7);
    CHECK(strstr(env.conns[6].last, "\"yourId\":\"") != NULL);
    CHECK_RES(skew_json_validate(skew_str_c(env.conns[6].last)), SKEW_OK);

#if SKEW_ENABLE_HTTP && SKEW_ENABLE_ADMIN
    /* admin stats answers the same numbers, without "type" */
    CHECK_RES(get(tr.a, "/__skew/admin/stats", &res, big2, sizeof big2), SKEW_OK);
    CHECK_EQ_INT(res.status, 200);
    CHECK(strncmp(big2, "{\"total\":7,", 11) == 0);
    CHECK(strstr(big2, "\"cluster\":\"ok\"") != NULL);
#else
    (void)res;
#endif

    /* connections capped at max_listed: every instance gets a share before the list fills up,
       even when this instance alone could fill it */
    {
        skew_config c = *skew_get_config(tr.a);
        skew_tracker *small;
        int k;
        c.max_listed = 4;
        c.snapshot_max_listed = 0;
        c.message_buffer = 0;
        c.instance_id = "S";
        small = make(&c);
        for (k = 7; k < 12; k++) open_conn(small, k, "v2", "/s");
        skew_cluster_set_link(small, SKEW_CLUSTER_LINK_OK);
        CHECK_RES(skew_cluster_update(small, tr.snaps, 3, 50000), SKEW_OK);
        stats_of(small, big, sizeof big);
        CHECK_EQ_INT(num_after(big, "\"total\":"), 11); /* S, A (as its snapshot says), B, C: 5 + 1 + 2 + 3 */
        CHECK_EQ_INT(count_of(big, "{\"id\":\""), 4 + 4); /* 4 entries and 4 instances */
        /* a share of 1 each (4 / 4), then the rest in order: S gets the one left */
        CHECK_EQ_INT(count_of(big, "\"instance\":\"S\""), 1);
        CHECK_EQ_INT(count_of(big, "\"instance\":\"A\""), 1);
        CHECK_EQ_INT(count_of(big, "\"instance\":\"B\""), 1);
        CHECK_EQ_INT(count_of(big, "\"instance\":\"C\""), 1);
        skew_cluster_set_link(small, SKEW_CLUSTER_LINK_DEGRADED);
        stats_of(small, big, sizeof big);
        CHECK_EQ_INT(count_of(big, "\"instance\":\"S\""), 4); /* alone: the whole list */
        skew_tracker_destroy(small);
        /* 9 places: shares of 2 (S2 A1 B2 C2 = 7), then the rest in order (S 2 more) */
        c.max_listed = 9;
        c.message_buffer = 0;
        small = make(&c);
        for (k = 7; k < 12; k++) open_conn(small, k, "v2", "/s");
        skew_cluster_set_link(small, SKEW_CLUSTER_LINK_OK);
        CHECK_RES(skew_cluster_update(small, tr.snaps, 3, 50000), SKEW_OK);
        stats_of(small, big, sizeof big);
        CHECK_EQ_INT(count_of(big, "\"instance\":\""), 9);
        CHECK_EQ_INT(count_of(big, "\"instance\":\"S\""), 4);
        CHECK_EQ_INT(count_of(big, "\"instance\":\"A\""), 1);
        CHECK_EQ_INT(count_of(big, "\"instance\":\"B\""), 2);
        CHECK_EQ_INT(count_of(big, "\"instance\":\"C\""), 2); /* its share: 2 of its 3 */
        skew_tracker_destroy(small);
    }

    /* degraded: local numbers, the instance alone; the view is kept for when the link is back */
    env.conns[6].stats_msgs = 0;
    skew_cluster_set_link(tr.a, SKEW_CLUSTER_LINK_DEGRADED);
    skew_tick(tr.a, env.now + 400);
    CHECK_EQ_INT(env.conns[6].stats_msgs, 1);
    stats_of(tr.a, big, sizeof big);
    CHECK_EQ_INT(num_after(big, "\"total\":"), 2);
    CHECK(strstr(big, "\"cluster\":\"degraded\"") != NULL);
    CHECK_EQ_INT(count_of(big, "\"self\":"), 1);
    CHECK_EQ_INT(count_of(big, "\"instance\":\"B\""), 0);
    CHECK_EQ_INT(map_count(big, "versions", "v1"), -1);
    skew_cluster_get_info(tr.a, &info);
    CHECK_EQ_INT(info.total, 2);
    CHECK_EQ_INT(info.instances, 0);
    skew_cluster_set_link(tr.a, SKEW_CLUSTER_LINK_OK);
    stats_of(tr.a, big, sizeof big);
    CHECK_EQ_INT(num_after(big, "\"total\":"), 7);
    /* clear: the view is gone, the texts may go */
    skew_cluster_clear(tr.a);
    stats_of(tr.a, big, sizeof big);
    CHECK_EQ_INT(num_after(big, "\"total\":"), 2);
    CHECK_EQ_INT(skew_cluster_list_peers(tr.a, NULL, 0), 0);
    trio_free();
}

/* The update taken in parts (begin / add.. / commit): the view shown stays whole until the
   commit swaps the staged one in; abort, a new begin and clear drop the staged one. */
static void test_view_parts(void) {
    skew_cluster_info info;
    skew_cluster_peer peers[4];
    skew_str bad = SKEW_STR_LIT("{\"skew\":1}"), mixed[2];
    int names = 0;
    trio_make();
    skew_cluster_set_link(tr.a, SKEW_CLUSTER_LINK_OK);
    CHECK_RES(skew_cluster_update(tr.a, &tr.snaps[1], 1, 50000), SKEW_OK); /* B only: A's 1 + B's 2 */
    stats_of(tr.a, big, sizeof big);
    CHECK_EQ_INT(num_after(big, "\"total\":"), 3);

    /* staged in two parts (A's own skipped): nothing shown changes until the commit */
    CHECK_RES(skew_cluster_begin_update(tr.a), SKEW_OK);
    CHECK_RES(skew_cluster_add_snapshots(tr.a, &tr.snaps[2], 1), SKEW_OK);
    stats_of(tr.a, big2, sizeof big2);
    CHECK_STR(big2, big);
    CHECK_RES(skew_cluster_add_snapshots(tr.a, tr.snaps, 2), SKEW_OK);
    stats_of(tr.a, big2, sizeof big2);
    CHECK_STR(big2, big);
    skew_cluster_get_info(tr.a, &info);
    CHECK(info.instances == 1 && info.total == 3 && info.updates == 1 && info.updated_ms == 50000);
    CHECK_EQ_INT(skew_cluster_list_peers(tr.a, peers, 4), 1);
    CHECK(peers[0].id.ptr[0] == 'B' && peers[0].total == 2);
    CHECK_RES(skew_cluster_commit_update(tr.a, 60000), SKEW_OK);
    skew_cluster_get_info(tr.a, &info);
    CHECK(info.instances == 2 && info.total == 6 && info.updates == 2 && info.updated_ms == 60000 && info.rejected == 0);
    CHECK_EQ_INT(skew_cluster_list_peers(tr.a, peers, 4), 2);
    CHECK(peers[0].id.ptr[0] == 'C' && peers[1].id.ptr[0] == 'B'); /* in the order added */
    stats_of(tr.a, big, sizeof big);
    CHECK_EQ_INT(num_after(big, "\"total\":"), 6);
    CHECK_EQ_INT(map_count(big, "versions", "v1"), 3);
    CHECK_EQ_INT(map_count(big, "versions", "v2"), 2);
    CHECK_EQ_INT(map_count(big, "versions", "v3"), 1);
    CHECK_EQ_INT(map_count(big, "routes", "/a"), 4);
    CHECK_EQ_INT(map_sum(big, "routes", &names), 6);
    CHECK_RES(skew_cluster_commit_update(tr.a, 61000), SKEW_ERR_NOT_FOUND); /* nothing begun */
    CHECK_RES(skew_cluster_add_snapshots(tr.a, tr.snaps, 1), SKEW_ERR_NOT_FOUND);

    /* abandoned: the shown view, its counters and the refusals of the staged one stay as they were */
    CHECK_RES(skew_cluster_begin_update(tr.a), SKEW_OK);
    CHECK_RES(skew_cluster_add_snapshots(tr.a, &bad, 1), SKEW_ERR_INVALID);
    skew_cluster_abort_update(tr.a);
    CHECK_RES(skew_cluster_commit_update(tr.a, 62000), SKEW_ERR_NOT_FOUND);
    skew_cluster_get_info(tr.a, &info);
    CHECK(info.instances == 2 && info.total == 6 && info.updates == 2 && info.rejected == 0);
    stats_of(tr.a, big2, sizeof big2);
    CHECK_STR(big2, big);

    /* a refused snapshot in one part: that part's others and the other parts are kept */
    CHECK_RES(skew_cluster_begin_update(tr.a), SKEW_OK);
    CHECK_RES(skew_cluster_add_snapshots(tr.a, &tr.snaps[1], 1), SKEW_OK);
    mixed[0] = bad;
    mixed[1] = tr.snaps[2];
    CHECK_RES(skew_cluster_add_snapshots(tr.a, mixed, 2), SKEW_ERR_INVALID);
    skew_cluster_get_info(tr.a, &info);
    CHECK_EQ_INT(info.rejected, 0); /* counted at the commit */
    CHECK_RES(skew_cluster_commit_update(tr.a, 63000), SKEW_ERR_INVALID);
    skew_cluster_get_info(tr.a, &info);
    CHECK(info.instances == 2 && info.total == 6 && info.rejected == 1 && info.updates == 3);
    /* an instance twice across parts is refused like twice in one update */
    CHECK_RES(skew_cluster_begin_update(tr.a), SKEW_OK);
    CHECK_RES(skew_cluster_add_snapshots(tr.a, &tr.snaps[2], 1), SKEW_OK);
    CHECK_RES(skew_cluster_add_snapshots(tr.a, &tr.snaps[2], 1), SKEW_ERR_INVALID);
    CHECK_RES(skew_cluster_commit_update(tr.a, 64000), SKEW_ERR_INVALID);
    skew_cluster_get_info(tr.a, &info);
    CHECK(info.instances == 1 && info.total == 4 && info.rejected == 2);
    stats_of(tr.a, big, sizeof big);
    CHECK_EQ_INT(map_sum(big, "versions", &names), 4);
    CHECK_EQ_INT(map_sum(big, "routes", &names), 4);

    /* beginning again drops the staged view; so does clear */
    CHECK_RES(skew_cluster_begin_update(tr.a), SKEW_OK);
    CHECK_RES(skew_cluster_add_snapshots(tr.a, &tr.snaps[2], 1), SKEW_OK);
    CHECK_RES(skew_cluster_begin_update(tr.a), SKEW_OK);
    CHECK_RES(skew_cluster_add_snapshots(tr.a, &tr.snaps[1], 1), SKEW_OK);
    CHECK_RES(skew_cluster_commit_update(tr.a, 65000), SKEW_OK);
    skew_cluster_get_info(tr.a, &info);
    CHECK(info.instances == 1 && info.total == 3);
    CHECK_RES(skew_cluster_begin_update(tr.a), SKEW_OK);
    CHECK_RES(skew_cluster_add_snapshots(tr.a, &tr.snaps[2], 1), SKEW_OK);
    skew_cluster_clear(tr.a);
    CHECK_RES(skew_cluster_commit_update(tr.a, 66000), SKEW_ERR_NOT_FOUND);
    skew_cluster_get_info(tr.a, &info);
    CHECK(info.instances == 0 && info.total == 1);
    trio_free();
}

#if SKEW_ENABLE_ADMIN
static void test_metrics(void) {
    char out[1 << 14];
    skew_str bad = SKEW_STR_LIT("{\"skew\":1}");
    size_t n;
    trio_make();
    skew_cluster_set_link(tr.a, SKEW_CLUSTER_LINK_OK);
    CHECK_RES(skew_cluster_update(tr.a, tr.snaps, 3, 50000), SKEW_OK);
    n = skew_write_metrics(tr.a, out, sizeof out);
    CHECK(n < sizeof out);
    CHECK(strstr(out, "\nskew_connections 1\n") != NULL || strstr(out, "\nskew_connections 2\n") != NULL); /* local */
    CHECK(strstr(out, "\nskew_cluster_up 1\n") != NULL);
    CHECK(strstr(out, "\nskew_cluster_instances 3\n") != NULL);
    CHECK(strstr(out, "\nskew_cluster_connections 6\n") != NULL);
    CHECK(strstr(out, "\nskew_cluster_connections_by_version{version=\"v1\"} 3\n") != NULL);
    CHECK(strstr(out, "\nskew_cluster_connections_by_route{route=\"/a\"} 4\n") != NULL);
    CHECK(strstr(out, "\nskew_cluster_instance_connections{instance=\"A\",version=\"v2\",build=\"v2\"} 1\n") != NULL);
    CHECK(strstr(out, "\nskew_cluster_instance_connections{instance=\"B\",version=\"v1\",build=\"b-7\"} 2\n") != NULL);
    CHECK(strstr(out, "\nskew_cluster_instance_age_ms{instance=\"B\"} 2000\n") != NULL);
    CHECK(strstr(out, "\nskew_cluster_snapshots_rejected_total 0\n") != NULL);
    CHECK(strstr(out, "# TYPE skew_cluster_snapshots_rejected_total counter\n") != NULL);
    env.warn_logs = 0;
    CHECK_RES(skew_cluster_update(tr.a, &bad, 1, 50000), SKEW_ERR_INVALID);
    CHECK_RES(skew_cluster_update(tr.a, &bad, 1, 50000), SKEW_ERR_INVALID);
    CHECK_EQ_INT(env.warn_logs, 1); /* one line per change, not one per update */
    skew_cluster_set_link(tr.a, SKEW_CLUSTER_LINK_DEGRADED);
    skew_write_metrics(tr.a, out, sizeof out);
    CHECK(strstr(out, "\nskew_cluster_up 0\n") != NULL);
    CHECK(strstr(out, "\nskew_cluster_instances 1\n") != NULL);
    CHECK(strstr(out, "\nskew_cluster_snapshots_rejected_total 2\n") != NULL);
    CHECK(strstr(out, "\nskew_cluster_updates_total 3\n") != NULL);
    /* bad data outside snapshots, counted by the adapter */
    CHECK(strstr(out, "\nskew_cluster_messages_rejected_total 0\n") != NULL);
    skew_cluster_count_rejected(tr.a, 2);
    skew_cluster_count_rejected(tr.a, 3);
    skew_write_metrics(tr.a, out, sizeof out);
    CHECK(strstr(out, "\nskew_cluster_messages_rejected_total 5\n") != NULL);
    CHECK(strstr(out, "\nskew_cluster_snapshots_rejected_total 2\n") != NULL); /* a separate count */
    {
        skew_cluster_info info;
        skew_cluster_get_info(tr.a, &info);
        CHECK(info.messages_rejected == 5 && info.rejected == 2);
    }
    trio_free();
}
#endif

/* Standalone: stats, admin stats and metrics exactly as without the cluster part. */
static void test_standalone(void) {
    skew_config c;
    skew_tracker *t;
    char out[1 << 14];
    skew_response res;
    skew_cluster_info info;
    cfg_init(&c, NULL, 0, 8);
    t = make(&c);
    open_conn(t, 0, "v1", "/x");
    stats_of(t, big, sizeof big);
    CHECK(strncmp(big, "{\"type\":\"stats\",\"total\":1,\"versions\":{\"v1\":1},\"routes\":{\"/x\":1},\"connections\":[{\"id\":\"", 86) == 0);
    CHECK(strstr(big, "\"instance") == NULL && strstr(big, "\"cluster\"") == NULL);
#if SKEW_ENABLE_HTTP && SKEW_ENABLE_ADMIN
    get(t, "/__skew/admin/stats", &res, out, sizeof out);
    CHECK(strstr(out, "\"instance") == NULL && strstr(out, "\"cluster\"") == NULL);
#endif
#if SKEW_ENABLE_ADMIN
    skew_write_metrics(t, out, sizeof out);
    CHECK(strstr(out, "skew_cluster") == NULL);
#endif
    CHECK_RES(skew_cluster_update(t, NULL, 0, 1), SKEW_ERR_DISABLED);
    skew_cluster_set_link(t, SKEW_CLUSTER_LINK_OK); /* ignored */
    skew_cluster_count_rejected(t, 7);       /* ignored */
    skew_cluster_get_info(t, &info);
    CHECK_EQ_INT(info.state, SKEW_CLUSTER_LINK_OFF);
    CHECK(info.messages_rejected == 0);
    CHECK_EQ_INT(info.total, 1);
#if SKEW_ENABLE_HTTP
    /* an unknown connection stays a plain 404 */
    CHECK_RES(post(t, "/__skew/route", "{\"connectionId\":\"0f0e0d0c-0b0a-4908-8706-050403020100\",\"route\":\"/y\"}", &res, out, sizeof out), SKEW_OK);
    CHECK_EQ_INT(res.status, 404);
#else
    (void)res;
#endif
    skew_tracker_destroy(t);
}

/* ---- hostile snapshots --------------------------------------------------------------------- */

static skew_tracker *victim(uint32_t max_instances) {
    skew_config c;
    skew_tracker *t;
    cfg_init(&c, "V", 9, max_instances);
    c.max_versions = 4;
    c.max_routes = 4;
    c.max_listed = 4;
    t = make(&c);
    open_conn(t, 0, "v2", "/local");
    skew_cluster_set_link(t, SKEW_CLUSTER_LINK_OK);
    return t;
}

static const char GOOD[] =
    "{\"skew\":1,\"id\":\"G\",\"tag\":4,\"version\":\"v1\",\"at\":100,\"total\":3,\"versions\":{\"v1\":2,\"v0\":1},"
    "\"routes\":{\"/g\":3},\"connections\":[{\"id\":\"0f0e0d0c-0b0a-4908-8706-050403000004\",\"version\":\"v1\","
    "\"route\":\"/g\",\"ip\":\"::1\"}]}";

/* Each of these is refused whole. %s-free: written out so each says what it breaks. */
static const char *const HOSTILE[] = {
    "",
    "[]",
    "null",
    "{}",
    "{\"skew\":1}",
    "{\"skew\":2,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1}}",           /* format */
    "{\"skew\":\"1\",\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1}}",         /* type */
    "{\"skew\":1,\"id\":5,\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1}}",
    "{\"skew\":1,\"id\":\"\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1}}",
    "{\"skew\":1,\"id\":\"H\\u0001\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1}}",
    "{\"skew\":1,\"id\":\"01234567890123456789012345678901234567890123456789012345678901234\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1}}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":1048576,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1}}",      /* tag > 20 bits */
    "{\"skew\":1,\"id\":\"H\",\"tag\":-4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1}}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"build\":\"\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1}}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"build\":7,\"at\":1,\"total\":1,\"versions\":{\"v1\":1}}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":null,\"at\":1,\"total\":1,\"versions\":{\"v1\":1}}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1.5,\"total\":1,\"versions\":{\"v1\":1}}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":99999999999999999999,\"total\":1,\"versions\":{\"v1\":1}}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1e0,\"versions\":{\"v1\":1}}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":01,\"versions\":{\"v1\":1}}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":16777217,\"versions\":{\"v1\":16777217}}", /* over 2^24 */
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":2,\"versions\":{\"v1\":1}}",          /* sum != total */
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":2,\"versions\":{\"v1\":2},\"routes\":{\"/a\":1}}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":2,\"versions\":{\"v1\":1,\"v1\":1}}", /* key twice */
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":2,\"versions\":{\"(other)\":1,\"(other)\":1}}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"total\":1,\"versions\":{\"v1\":1}}", /* member twice */
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":0,\"v2\":1}}",  /* a zero count */
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":[1]}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":\"1\"}}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"\":1}}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"\xff\":1}}",    /* bad UTF-8 */
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"0123456789012345678901234567890123456789012345678901234567890123456789\":1}}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":6,\"versions\":{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1}}", /* keys > table */
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1},\"routes\":{\"nos\":1}}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1},\"connections\":{}}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1},\"connections\":[{\"id\":\"x\",\"version\":\"v1\"}]}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1},\"connections\":[{\"id\":\"0f0e0d0c-0b0a-4908-8706-050403020100\"}]}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1},\"connections\":[{\"id\":\"0f0e0d0c-0b0a-4908-8706-050403020100\",\"version\":\"v1\",\"ip\":\"999.1.1.1\"}]}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1},\"connections\":[{\"id\":\"0f0e0d0c-0b0a-4908-8706-050403020100\",\"version\":\"v1\",\"route\":\"x\"}]}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1},\"connections\":[{\"id\":\"0f0e0d0c-0b0a-4908-8706-050403020100\",\"version\":\"v1\",\"version\":\"v2\"}]}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1},\"connections\":[1]}",
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1},\"connections\":[{\"id\":\"0f0e0d0c-0b0a-4908-8706-050403020100\",\"version\":\"v1\"},{\"id\":\"0f0e0d0c-0b0a-4908-8706-050403020101\",\"version\":\"v1\"}]}", /* more entries than the total */
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1},\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", /* deep */
    "{\"skew\":1,\"id\":\"H\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1}} x",          /* trailing */
    "{\"skew\":1,\"id\":\"V\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1}",           /* truncated */
};

/* The view after [GOOD, bad] and [bad, GOOD] equals the view after [GOOD] alone. */
static void test_hostile(void) {
    skew_tracker *t = victim(4);
    skew_str good = skew_str_c(GOOD), two[2];
    skew_cluster_info info;
    size_t i, ref_len, len;
    uint64_t rejected = 0;
    int same = 1, refused = 1;
    CHECK_RES(skew_cluster_update(t, &good, 1, 100), SKEW_OK);
    ref_len = stats_of(t, big2, sizeof big2);
    CHECK_EQ_INT(num_after(big2, "\"total\":"), 4);
    CHECK(strstr(big2, "\"ip\":\"::1\",\"instance\":\"G\"") != NULL);
    for (i = 0; i < sizeof HOSTILE / sizeof HOSTILE[0]; i++) {
        int order;
        for (order = 0; order < 2; order++) {
            two[order] = good;
            two[1 - order] = skew_str_c(HOSTILE[i]);
            if (skew_cluster_update(t, two, 2, 100) != SKEW_ERR_INVALID) {
                refused = 0;
                fprintf(stderr, "accepted hostile snapshot %u: %s\n", (unsigned)i, HOSTILE[i]);
            }
            rejected++;
            len = skew_write_stats(t, 0, big, sizeof big);
            if (len != ref_len || memcmp(big, big2, len) != 0) {
                same = 0;
                fprintf(stderr, "view changed by hostile snapshot %u\n", (unsigned)i);
            }
        }
    }
    CHECK(refused);
    CHECK(same);
    /* a second snapshot of the same instance is refused (the first one counts) */
    two[0] = good;
    two[1] = skew_str_c("{\"skew\":1,\"id\":\"G\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1}}");
    CHECK_RES(skew_cluster_update(t, two, 2, 100), SKEW_ERR_INVALID);
    rejected++;
    len = skew_write_stats(t, 0, big, sizeof big);
    CHECK(len == ref_len && memcmp(big, big2, len) == 0);
    /* every prefix of a good snapshot is refused, and changes nothing */
    for (i = 0, refused = 1, same = 1; i + 1 < sizeof GOOD; i++) {
        two[0] = good;
        two[1] = skew_str_n(GOOD, i);
        if (skew_cluster_update(t, two, 2, 100) != SKEW_ERR_INVALID) refused = 0;
        rejected++;
        len = skew_write_stats(t, 0, big, sizeof big);
        if (len != ref_len || memcmp(big, big2, len) != 0) same = 0;
    }
    CHECK(refused);
    CHECK(same);
    /* nesting within the depth bound in an unknown member is fine */
    {
        static const char ok_nested[] = "{\"skew\":1,\"id\":\"N\",\"tag\":4,\"version\":\"v1\",\"at\":1,\"total\":1,"
                                        "\"versions\":{\"v1\":1},\"future\":[[[[[[[[[[{\"a\":1}]]]]]]]]]],"
                                        "\"connections\":[{\"a \\u0020long future key\":[1],\"id\":\"0f0e0d0c-0b0a-4908-8706-050403000004\","
                                        "\"version\":\"v1\",\"x\":{}}]}";
        skew_str s = skew_str_c(ok_nested);
        CHECK_RES(skew_cluster_update(t, &s, 1, 100), SKEW_OK);
    }
    /* oversized: a valid snapshot padded past the bound */
    {
        size_t max = skew_cluster_snapshot_max(skew_get_config(t)), n = strlen(GOOD);
        char *pad;
        CHECK(max > n && max < (1u << 24));
        if (max <= n || max >= (1u << 24)) max = n + 16;
        pad = (char *)malloc(max + 2);
        if (!pad) return;
        memcpy(pad, GOOD, n);
        memset(pad + n, ' ', max + 1 - n);
        two[0] = skew_str_n(pad, max + 1);
        CHECK_RES(skew_cluster_update(t, two, 1, 100), SKEW_ERR_INVALID);
        rejected++;
        two[0] = skew_str_n(pad, max); /* at the bound: read */
        CHECK_RES(skew_cluster_update(t, two, 1, 100), SKEW_OK);
        free(pad);
    }
    /* NULL text, own id (skipped, not refused), more than the view holds */
    {
        skew_str s[6];
        char own[512];
        size_t k;
        s[0] = skew_str_n(NULL, 5);
        CHECK_RES(skew_cluster_update(t, s, 1, 100), SKEW_ERR_INVALID);
        rejected++;
        k = skew_cluster_write_snapshot(t, 100, own, sizeof own);
        s[0] = skew_str_n(own, k);
        CHECK_RES(skew_cluster_update(t, s, 1, 100), SKEW_OK);
        CHECK_EQ_INT(skew_cluster_list_peers(t, NULL, 0), 0);
    }
    skew_cluster_get_info(t, &info);
    CHECK_EQ_INT(info.rejected, rejected);
    skew_tracker_destroy(t);

    /* a full view refuses the rest */
    {
        static char texts[6][256];
        skew_str s[6];
        size_t k;
        t = victim(4);
        for (k = 0; k < 6; k++) {
            snprintf(texts[k], sizeof texts[k],
                     "{\"skew\":1,\"id\":\"I%u\",\"tag\":%u,\"version\":\"v1\",\"at\":1,\"total\":1,\"versions\":{\"v1\":1}}",
                     (unsigned)k, (unsigned)k);
            s[k] = skew_str_c(texts[k]);
        }
        CHECK_RES(skew_cluster_update(t, s, 6, 100), SKEW_ERR_INVALID);
        skew_cluster_get_info(t, &info);
        CHECK_EQ_INT(info.instances, 4);
        CHECK_EQ_INT(info.rejected, 2);
        CHECK_EQ_INT(info.total, 5);
        skew_tracker_destroy(t);
    }
}

/* The view's counts are 32-bit: snapshots that would pass 2^32 connections are refused. */
static void test_totals_overflow(void) {
    skew_config c;
    skew_tracker *t;
    static char texts[300][160];
    static skew_str s[300];
    skew_cluster_info info;
    size_t k;
    cfg_init(&c, "O", 1, 300);
    c.max_connections = 4;
    t = make(&c);
    skew_cluster_set_link(t, SKEW_CLUSTER_LINK_OK);
    open_conn(t, 0, "v1", "/");
    for (k = 0; k < 300; k++) {
        snprintf(texts[k], sizeof texts[k],
                 "{\"skew\":1,\"id\":\"i%u\",\"tag\":1,\"version\":\"v1\",\"at\":1,\"total\":16777216,\"versions\":{\"v1\":16777216}}",
                 (unsigned)k);
        s[k] = skew_str_c(texts[k]);
    }
    CHECK_RES(skew_cluster_update(t, s, 300, 1), SKEW_ERR_INVALID);
    skew_cluster_get_info(t, &info);
    CHECK_EQ_INT(info.instances, 255);
    CHECK_EQ_INT(info.rejected, 45);
    CHECK_EQ_INT(info.total, 255ull * 16777216ull + 1);
    stats_of(t, big, sizeof big);
    CHECK_EQ_INT(num_after(big, "\"total\":"), 255ll * 16777216ll + 1);
    CHECK_EQ_INT(map_count(big, "versions", "v1"), 255ll * 16777216ll + 1);
    skew_tracker_destroy(t);
}

/* Many instances, names past the tables' room: sums stay exact, names stay bounded. */
static void test_many_instances(void) {
    skew_config c;
    skew_tracker *t;
    static char texts[100][512];
    static skew_str s[100];
    long long want_v[7], want_r1 = 0, total = 0;
    int names = 0, sub_box = 9;
    skew_handle sub;
    size_t k, vi;
    char name[16];
    cfg_init(&c, "M", 1, 100);
    c.max_versions = 8;
    c.max_routes = 5;
    c.max_listed = 50;
    t = make(&c);
    skew_cluster_set_link(t, SKEW_CLUSTER_LINK_OK);
    sub = open_conn(t, sub_box, "v0", "/r1");
    subscribe(t, sub);
    memset(want_v, 0, sizeof want_v);
    want_v[0] = 1;
    want_r1 = 1;
    total = 1;
    for (k = 0; k < 100; k++) {
        /* instance k: (k % 7) + 1 connections on version v(k % 7), routes /r(k % 13) */
        unsigned n = (unsigned)(k % 7) + 1;
        snprintf(texts[k], sizeof texts[k],
                 "{\"skew\":1,\"id\":\"inst-%03u\",\"tag\":%u,\"version\":\"v%u\",\"at\":1,\"total\":%u,\"versions\":{\"v%u\":%u},"
                 "\"routes\":{\"/r%u\":%u},\"connections\":[{\"id\":\"0f0e0d0c-0b0a-4908-8706-%012u\",\"version\":\"v%u\"}]}",
                 (unsigned)k, (unsigned)k, (unsigned)(k % 7), n, (unsigned)(k % 7), n, (unsigned)(k % 13), n, (unsigned)k,
                 (unsigned)(k % 7));
        s[k] = skew_str_c(texts[k]);
        want_v[k % 7] += n;
        if (k % 13 == 1) want_r1 += n;
        total += n;
    }
    CHECK_RES(skew_cluster_update(t, s, 100, 1), SKEW_OK);
    stats_of(t, big, sizeof big);
    CHECK_EQ_INT(num_after(big, "\"total\":"), total);
    for (vi = 0; vi < 7; vi++) {
        snprintf(name, sizeof name, "v%u", (unsigned)vi);
        CHECK_EQ_INT(map_count(big, "versions", name), want_v[vi]);
    }
    CHECK_EQ_INT(map_sum(big, "versions", &names), total);
    CHECK_EQ_INT(map_sum(big, "routes", &names), total);
    CHECK(names <= 6); /* 5 names and "(other)" */
    CHECK_EQ_INT(map_count(big, "routes", "/r1"), want_r1);
    CHECK(map_count(big, "routes", "(other)") > 0);
    CHECK_EQ_INT(count_of(big, "\"self\":"), 101);
    CHECK_EQ_INT(count_of(big, "\"instance\":\""), 50); /* max_listed */
    /* the push fits its buffer whole: the instances list is inside the head bound */
    skew_tick(t, env.now + 1000);
    CHECK_RES(skew_json_validate(skew_str_c(env.conns[sub_box].last)), SKEW_OK);
    CHECK_EQ_INT(count_of(env.conns[sub_box].last, "\"self\":"), 101);
    skew_tracker_destroy(t);
}

/* A push with the largest instances list the config allows still fits the message buffer. */
static void test_head_bound(void) {
    skew_config c;
    skew_tracker *t;
    static char texts[16][1024];
    static skew_str s[16];
    skew_handle sub;
    size_t k;
    cfg_init(&c, "H", 1, 16);
    c.max_listed = 1;
    t = make(&c);
    skew_cluster_set_link(t, SKEW_CLUSTER_LINK_OK);
    sub = open_conn(t, 10, "v0", "/");
    subscribe(t, sub);
    for (k = 0; k < 16; k++) {
        /* 64 bytes of id and of version, every one a quote: the longest escaped form */
        char esc_id[160], esc_ver[160];
        size_t i, o = 0;
        esc_id[o++] = (char)('a' + k);
        esc_id[o++] = (char)('a' + k);
        for (i = 2; i < 64; i++) { esc_id[o++] = '\\'; esc_id[o++] = '"'; }
        esc_id[o] = '\0';
        for (i = 0, o = 0; i < 64; i++) { esc_ver[o++] = '\\'; esc_ver[o++] = '"'; }
        esc_ver[o] = '\0';
        snprintf(texts[k], sizeof texts[k],
                 "{\"skew\":1,\"id\":\"%s\",\"tag\":1,\"version\":\"%s\",\"at\":1,\"total\":16777216,\"versions\":{\"%s\":16777216}}",
                 esc_id, esc_ver, esc_ver);
        s[k] = skew_str_c(texts[k]);
    }
    CHECK_RES(skew_cluster_update(t, s, 16, 1), SKEW_OK);
    skew_tick(t, env.now + 1000);
    CHECK_RES(skew_json_validate(skew_str_c(env.conns[10].last)), SKEW_OK);
    CHECK_EQ_INT(count_of(env.conns[10].last, "\"self\":false"), 16);
    skew_tracker_destroy(t);
}

/* Ids come from a key refreshed every 2^18 ids: the tables' hash seed must not change with it,
   or a version seen before the refresh gets a second entry (a map with one key twice). */
static void test_names_after_key_refresh(void) {
    skew_config c;
    skew_tracker *t;
    skew_count cnt[4];
    uint32_t i, bad;
    skew_str s;
    char snap[1024];
    cfg_init(&c, "K", 1, 2);
    c.route_tracking = false;
    c.ip_tracking = false;
    t = make(&c);
    skew_cluster_set_link(t, SKEW_CLUSTER_LINK_OK);
    open_conn(t, 0, "v1", "/");
    for (i = 0, bad = 0; i < (1u << 18) + 8; i++) {
        skew_handle h = 0;
        bad += open_raw(t, 1, "v1", "/", &h) != SKEW_OK || skew_close(t, h, SKEW_CLOSE_REASON_CLIENT) != SKEW_OK;
    }
    CHECK_EQ_INT(bad, 0);
    open_conn(t, 1, "v1", "/");
    CHECK_EQ_INT(skew_list_versions(t, cnt, 4), 1);
    CHECK_EQ_INT(cnt[0].count, 2);
    s.ptr = snap;
    s.len = (size_t)snprintf(snap, sizeof snap, "{\"skew\":1,\"id\":\"L\",\"tag\":2,\"version\":\"v1\",\"at\":1,\"total\":1,"
                                                "\"versions\":{\"v1\":1}}");
    CHECK_RES(skew_cluster_update(t, &s, 1, 1), SKEW_OK);
    stats_of(t, big, sizeof big);
    CHECK_EQ_INT(count_of(big, "\"v1\":"), 1);
    CHECK_EQ_INT(map_count(big, "versions", "v1"), 3);
    skew_tracker_destroy(t);
}

/* ---- relay helpers --------------------------------------------------------------------------- */

#if SKEW_ENABLE_HTTP
static void test_relay(void) {
    skew_response res;
    char out[512], id[SKEW_ID_STR_MAX], body[256];
    skew_conn cv;
    skew_handle h;
    trio_make();
    h = open_conn(tr.b, 8, "v1", "/here");
    skew_get_conn(tr.b, h, &cv);
    /* B's connection asked of A: not local, with the 404 to send if nobody holds it */
    snprintf(body, sizeof body, "{\"connectionId\":\"%s\",\"route\":\"/next\"}", cv.id);
    CHECK_RES(post(tr.a, "/__skew/route", body, &res, out, sizeof out), SKEW_ERR_NOT_LOCAL);
    CHECK_EQ_INT(res.status, 404);
    CHECK_STR(out, "{\"ok\":false,\"error\":\"unknown connectionId\"}");
    snprintf(body, sizeof body, "connectionId=%s", cv.id);
    CHECK_RES(post(tr.a, "/__skew/subscribe-stats", body, &res, out, sizeof out), SKEW_ERR_NOT_LOCAL);
    /* the relay target: the id's tag names B */
    CHECK_RES(skew_get_post_connection_id(skew_str_c(body), id), SKEW_OK);
    CHECK_STR(id, cv.id);
    {
        uint32_t tag = 0;
        CHECK_RES(skew_get_id_tag(skew_str_c(id), &tag), SKEW_OK);
        CHECK_EQ_INT(tag, 2);
    }
    /* the holder answers the relayed request as if local */
    snprintf(body, sizeof body, "{\"connectionId\":\"%s\",\"route\":\"/next\"}", cv.id);
    CHECK_RES(post(tr.b, "/__skew/route", body, &res, out, sizeof out), SKEW_OK);
    CHECK_EQ_INT(res.status, 200);
    skew_get_conn(tr.b, h, &cv);
    CHECK(cv.route.len == 5 && memcmp(cv.route.ptr, "/next", 5) == 0);
    /* malformed ids and other endpoints are plain answers */
    CHECK_RES(post(tr.a, "/__skew/route", "{\"connectionId\":\"nope\",\"route\":\"/x\"}", &res, out, sizeof out), SKEW_OK);
    CHECK_EQ_INT(res.status, 400);
    CHECK_RES(post(tr.a, "/__skew/nothing", body, &res, out, sizeof out), SKEW_OK);
    CHECK_EQ_INT(res.status, 404);
    CHECK_RES(skew_get_post_connection_id(skew_str_c("{\"route\":\"/x\"}"), id), SKEW_ERR_NOT_FOUND);
    CHECK_STR(id, "");
    CHECK_RES(skew_get_post_connection_id(skew_str_c("{\"connectionId\":\"\"}"), id), SKEW_ERR_NOT_FOUND);
    CHECK_RES(skew_get_post_connection_id(skew_str_c("{\"connectionId\":\"abc\"}"), id), SKEW_ERR_INVALID);
    CHECK_RES(skew_get_post_connection_id(skew_str_c("{\"connectionId\":"), id), SKEW_ERR_INVALID);
    CHECK_RES(skew_get_post_connection_id(skew_str_c("connectionId=0f0e0d0c-0b0a-4908-8706-05040302010%30"), id), SKEW_OK);
    CHECK_STR(id, "0f0e0d0c-0b0a-4908-8706-050403020100");
    trio_free();
}
#endif

int main(void) {
    env.rnd = 12345u;
    test_config();
    test_id_tag();
    test_snapshot_encode();
    test_snapshot_caps();
    test_snapshot_listed();
    test_view_merge();
    test_view_parts();
#if SKEW_ENABLE_ADMIN
    test_metrics();
#endif
    test_standalone();
    test_hostile();
    test_totals_overflow();
    test_many_instances();
    test_head_bound();
    test_names_after_key_refresh();
#if SKEW_ENABLE_HTTP
    test_relay();
#endif
    TEST_MAIN_END();
}
