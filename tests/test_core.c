/* Black-box tests of the tracker core: config, registry, serializer, reader, endpoints, time. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "skew_test.h"

#include <stdlib.h>

/* ---- a fake transport: every message each connection got ------------------------------ */

#define MAXC 64
#define MAXMSG 64

typedef struct fake_conn {
    char *msgs[MAXMSG];
    size_t nmsg;
    skew_result fail_with; /* the send hook answers this once set */
    bool closed;
    skew_close_reason reason;
} fake_conn;

typedef struct fake_env {
    fake_conn conns[MAXC];
    uint64_t now;
    int opens, closes, route_updates;
    char last_old_route[64];
    bool grant; /* authorize answer */
    bool have_auth;
    int sends_in_hooks;
    int logs[4]; /* per level */
    skew_tracker *t;
} fake_env;

static skew_result fake_send(void *ud, const skew_conn *c, const char *msg, size_t len) {
    fake_conn *fc = (fake_conn *)c->user;
    (void)ud;
    if (fc->fail_with != SKEW_OK) return fc->fail_with;
    if (fc->nmsg < MAXMSG) {
        fc->msgs[fc->nmsg] = (char *)malloc(len + 1);
        memcpy(fc->msgs[fc->nmsg], msg, len);
        fc->msgs[fc->nmsg][len] = '\0';
        fc->nmsg++;
    }
    return SKEW_OK;
}
static void fake_open(void *ud, const skew_conn *c) {
    fake_env *e = (fake_env *)ud;
    (void)c;
    e->opens++;
}
static void fake_close(void *ud, const skew_conn *c, skew_close_reason r) {
    fake_env *e = (fake_env *)ud;
    fake_conn *fc = (fake_conn *)c->user;
    e->closes++;
    fc->closed = true;
    fc->reason = r;
}
static void fake_route(void *ud, const skew_conn *c, skew_str old) {
    fake_env *e = (fake_env *)ud;
    (void)c;
    e->route_updates++;
    memcpy(e->last_old_route, old.ptr, old.len < 63 ? old.len : 63);
    e->last_old_route[old.len < 63 ? old.len : 63] = '\0';
}
static skew_auth fake_auth(void *ud, const skew_request *req, skew_auth_scope scope) {
    fake_env *e = (fake_env *)ud;
    (void)scope;
    if (!e->have_auth) return SKEW_AUTH_UNAVAILABLE;
    return skew_auth_bearer(req, skew_str_c("s3cret"));
}
static uint64_t fake_now(void *ud) { return ((fake_env *)ud)->now; }
static void fake_log(void *ud, skew_log_level level, const char *msg) {
    fake_env *e = (fake_env *)ud;
    if (msg && strncmp(msg, "skew: ", 6) == 0) e->logs[level]++;
}
static skew_result fake_random(void *ud, void *buf, size_t len) {
    static uint8_t x = 1;
    size_t i;
    (void)ud;
    for (i = 0; i < len; i++) ((uint8_t *)buf)[i] = x = (uint8_t)(x * 33u + 7u);
    return SKEW_OK;
}

static void env_reset_msgs(fake_env *e) {
    int i;
    size_t j;
    for (i = 0; i < MAXC; i++) {
        for (j = 0; j < e->conns[i].nmsg; j++) free(e->conns[i].msgs[j]);
        e->conns[i].nmsg = 0;
    }
}
static const char *last_msg(fake_env *e, int c) {
    return e->conns[c].nmsg ? e->conns[c].msgs[e->conns[c].nmsg - 1] : "";
}
static int count_type(fake_env *e, int c, const char *type) {
    char pat[64];
    size_t j;
    int n = 0;
    snprintf(pat, sizeof pat, "{\"type\":\"%s\"", type);
    for (j = 0; j < e->conns[c].nmsg; j++) n += strncmp(e->conns[c].msgs[j], pat, strlen(pat)) == 0;
    return n;
}

/* ---- requests ---------------------------------------------------------------------------- */

typedef struct fake_req {
    const char *names[8];
    const char *values[8];
    int n;
} fake_req;

static skew_str fake_header(void *ctx, const char *name) {
    fake_req *r = (fake_req *)ctx;
    int i;
    for (i = 0; i < r->n; i++)
        if (strcmp(r->names[i], name) == 0) return skew_str_c(r->values[i]);
    return skew_str_n(NULL, 0);
}

static const char *BROWSER_UA =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

static skew_request make_req(fake_req *h, const char *method, const char *path, const char *query, const char *cookie) {
    skew_request r;
    memset(&r, 0, sizeof r);
    memset(h, 0, sizeof *h);
    r.method = skew_str_c(method);
    r.path = skew_str_c(path);
    r.query = skew_str_c(query ? query : "");
    r.header = fake_header;
    r.header_ctx = h;
    h->names[h->n] = "user-agent";
    h->values[h->n++] = BROWSER_UA;
    if (cookie) {
        h->names[h->n] = "cookie";
        h->values[h->n++] = cookie;
    }
    r.peer.family = 4;
    r.peer.bytes[0] = 127;
    r.peer.bytes[3] = 1;
    return r;
}
static void add_header(skew_request *r, const char *name, const char *value) {
    fake_req *h = (fake_req *)r->header_ctx;
    h->names[h->n] = name;
    h->values[h->n++] = value;
}

static void base_cfg(skew_config *c, fake_env *e) {
    memset(c, 0, sizeof *c);
    c->hooks.user_data = e;
    c->hooks.send = fake_send;
    c->hooks.on_open = fake_open;
    c->hooks.on_close = fake_close;
    c->hooks.on_route_update = fake_route;
    c->hooks.authorize = fake_auth;
    c->hooks.now_ms = fake_now;
    c->hooks.random_bytes = fake_random;
    c->hooks.log = fake_log;
    c->stats_interval_ms = SKEW_STATS_IMMEDIATE;
}

static skew_handle open_sse(skew_tracker *t, fake_env *e, int c, const char *query, const char *cookie) {
    fake_req h;
    skew_request r = make_req(&h, "GET", "/__skew/sse", query, cookie);
    skew_handle hd = 0;
    CHECK_RES(skew_open(t, &r, &e->conns[c], &hd), SKEW_OK);
    return hd;
}
static skew_handle open_ws(skew_tracker *t, fake_env *e, int c, const char *query, const char *cookie, const char *auth) {
    fake_req h;
    skew_request r = make_req(&h, "GET", "/__skew/ws", query, cookie);
    skew_handle hd = 0;
    r.upgrade = true;
    if (auth) add_header(&r, "authorization", auth);
    CHECK_RES(skew_open(t, &r, &e->conns[c], &hd), SKEW_OK);
    return hd;
}

static fake_env env;
static skew_tracker *make(skew_config *c) {
    skew_tracker *t = NULL;
    CHECK_RES(skew_tracker_create(&t, c), SKEW_OK);
    env.t = t;
    return t;
}
static void unmake(skew_tracker *t) {
    skew_tracker_destroy(t);
    env_reset_msgs(&env);
    memset(&env, 0, sizeof env);
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_results_and_config(void) {
    skew_config c, r;
    char big[64];
    int i;
    CHECK_STR(skew_result_str(SKEW_OK), "ok");
    CHECK_STR(skew_result_str(SKEW_ERR_FULL), "full");
    CHECK_STR(skew_result_str(SKEW_RESULT_COUNT), "unknown result");
    for (i = 0; i < SKEW_RESULT_COUNT; i++) CHECK(skew_result_str((skew_result)i)[0] != '\0');
    CHECK_STR(skew_version(), SKEW_TRACKER_VERSION_STRING);

    CHECK_RES(skew_config_resolve(NULL, &r), SKEW_OK);
    CHECK_STR(r.base_path, "/__skew");
    CHECK_STR(r.version_cookie, "__nkpv");
    CHECK_STR(r.server_version, "dev");
    CHECK_EQ_INT(r.keepalive_ms, 30000);
    CHECK_EQ_INT(r.max_connections, 1024);
    CHECK(!r.route_tracking && !r.ip_tracking && !r.bot_filter_off);
    CHECK(r.message_buffer > 1000);

    memset(&c, 0, sizeof c);
    c.base_path = "nope";
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_ERR_CONFIG);
    c.base_path = "/x/";
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_ERR_CONFIG);
    c.base_path = "/"; /* the endpoints would be "//sse": refused */
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_ERR_CONFIG);
    c.base_path = "/x";
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_OK);
    c.version_cookie = "bad name";
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_ERR_CONFIG);
    c.version_cookie = NULL;
    c.max_connections = (1u << 24) + 1;
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_ERR_CONFIG);
    CHECK_EQ_INT(skew_tracker_memory_size(&c), 0);
    c.max_connections = 1u << 24;
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_OK);
    c.max_connections = 0;
    memset(big, 'v', sizeof big);
    big[63] = '\0';
    c.server_version = big; /* 63 bytes: fits the default 64 */
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_OK);
    c.max_version_len = 62;
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_ERR_CONFIG);
    c.max_version_len = 63;
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_OK);
    c.server_version = "bad\nversion";
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_ERR_CONFIG);
    c.server_version = NULL;
    c.hooks.alloc = (void *(*)(void *, size_t))0x1; /* alloc without free: a partial override */
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_ERR_CONFIG);
    c.hooks.alloc = NULL;
    c.message_buffer = 100; /* smaller than the stats head can ever need */
    CHECK_RES(skew_config_resolve(&c, &r), SKEW_ERR_CONFIG);
}

static void test_caller_buffer(void) {
    static unsigned char mem[1 << 16] __attribute__((aligned(16)));
    skew_config c;
    skew_tracker *t = NULL;
    size_t need;
    base_cfg(&c, &env);
    c.max_connections = 8;
    c.max_versions = 4;
    c.max_routes = 4;
    c.max_listed = 8;
    need = skew_tracker_memory_size(&c);
    CHECK(need > 0 && need < sizeof mem);
    CHECK_RES(skew_tracker_init(&t, &c, mem, need - 1), SKEW_ERR_NOMEM);
    CHECK(t == NULL);
    CHECK_RES(skew_tracker_init(&t, &c, mem + 1, need), SKEW_ERR_NOMEM); /* misaligned */
    CHECK_RES(skew_tracker_init(&t, &c, mem, need), SKEW_OK);
    CHECK(t != NULL);
    open_sse(t, &env, 0, NULL, NULL);
    CHECK_EQ_INT(skew_total(t), 1);
    skew_tracker_destroy(t); /* no-op for caller memory */
    env_reset_msgs(&env);
    memset(&env, 0, sizeof env);
}

static bool is_uuid_v4(const char *s) {
    int i;
    if (strlen(s) != 36) return false;
    for (i = 0; i < 36; i++) {
        char ch = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (ch != '-') return false;
        } else if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) {
            return false;
        }
    }
    return s[14] == '4' && strchr("89ab", s[19]) != NULL;
}

static void test_open_connected(void) {
    skew_config c;
    skew_tracker *t;
    skew_handle h;
    skew_conn info;
    char want[256];
    memset(&info, 0, sizeof info);
    base_cfg(&c, &env);
    c.server_version = "v2";
    env.now = 1700000000123ull;
    t = make(&c);
    h = open_sse(t, &env, 0, NULL, "a=b; __nkpv=v1.0.0; c=d");
    CHECK(h != 0);
    CHECK_EQ_INT(env.conns[0].nmsg, 1);
    CHECK_RES(skew_conn_get(t, h, &info), SKEW_OK);
    CHECK(is_uuid_v4(info.id));
    snprintf(want, sizeof want, "{\"type\":\"connected\",\"version\":\"v2\",\"connectionId\":\"%s\",\"timestamp\":1700000000123}", info.id);
    CHECK_STR(env.conns[0].msgs[0], want);
    CHECK(info.version.len == 6 && memcmp(info.version.ptr, "v1.0.0", 6) == 0);
    CHECK(info.transport == SKEW_TRANSPORT_SSE);
    CHECK(info.user == &env.conns[0]);
    CHECK_EQ_INT(env.opens, 1);
    CHECK_EQ_INT(info.route.len, 0); /* route tracking off */
    CHECK_EQ_INT(info.ip.family, 0); /* ip tracking off */

    /* no cookie: the server's version; empty cookie too. A later clock reading shows in the
       next `connected` (the digits of the last one are kept for opens at the same time) */
    env.now = 1700000000124ull;
    h = open_sse(t, &env, 1, NULL, NULL);
    CHECK(strstr(env.conns[1].msgs[0], "\"timestamp\":1700000000124}") != NULL);
    CHECK_RES(skew_conn_get(t, h, &info), SKEW_OK);
    CHECK(info.version.len == 2 && memcmp(info.version.ptr, "v2", 2) == 0);
    h = open_sse(t, &env, 2, NULL, "__nkpv=");
    CHECK_RES(skew_conn_get(t, h, &info), SKEW_OK);
    CHECK(info.version.len == 2 && memcmp(info.version.ptr, "v2", 2) == 0);
    /* percent-encoded and quoted cookies are decoded */
    h = open_sse(t, &env, 3, NULL, "__nkpv=\"v%201\"");
    CHECK_RES(skew_conn_get(t, h, &info), SKEW_OK);
    CHECK(info.version.len == 3 && memcmp(info.version.ptr, "v 1", 3) == 0);
    /* a control character or broken escape folds into "(other)" and is counted as invalid */
    h = open_sse(t, &env, 4, NULL, "__nkpv=a%01b");
    CHECK_RES(skew_conn_get(t, h, &info), SKEW_OK);
    CHECK(info.version.len == 7 && memcmp(info.version.ptr, "(other)", 7) == 0);
    h = open_sse(t, &env, 5, NULL, "__nkpv=%zz");
    CHECK_RES(skew_conn_get(t, h, &info), SKEW_OK);
    CHECK(memcmp(info.version.ptr, "(other)", 7) == 0);
    {
        /* a client whose cookie says "(other)" joins that bucket: no key twice in the map */
        skew_count vc[8];
        size_t n, i;
        h = open_sse(t, &env, 10, NULL, "__nkpv=(other)");
        n = skew_versions(t, vc, 8);
        for (i = 0; i < n; i++)
            if (vc[i].name.len == 7 && memcmp(vc[i].name.ptr, "(other)", 7) == 0) CHECK_EQ_INT(vc[i].count, 3);
        CHECK_EQ_INT(n, 4); /* v1.0.0, v2, "v 1", (other) */
    }
    {
        skew_metrics m;
        skew_get_metrics(t, &m);
        CHECK_EQ_INT(m.invalid_input, 2);
        CHECK_EQ_INT(m.opened, 7);
    }
    CHECK_EQ_INT(skew_total(t), 7);
    /* a cookie too long for max_version_len (64) */
    {
        char ck[128];
        memset(ck, 0, sizeof ck);
        strcpy(ck, "__nkpv=");
        memset(ck + 7, 'x', 65);
        h = open_sse(t, &env, 6, NULL, ck);
        CHECK_RES(skew_conn_get(t, h, &info), SKEW_OK);
        CHECK(memcmp(info.version.ptr, "(other)", 7) == 0);
        ck[7 + 64] = '\0'; /* exactly 64 fits */
        h = open_sse(t, &env, 7, NULL, ck);
        CHECK_RES(skew_conn_get(t, h, &info), SKEW_OK);
        CHECK_EQ_INT(info.version.len, 64);
    }
    /* two ids differ */
    {
        skew_conn a, b;
        skew_handle h1 = open_sse(t, &env, 8, NULL, NULL), h2 = open_sse(t, &env, 9, NULL, NULL);
        skew_conn_get(t, h1, &a);
        skew_conn_get(t, h2, &b);
        CHECK(strcmp(a.id, b.id) != 0);
        CHECK(h1 != h2);
    }
    unmake(t);
}

static void test_routes_from_query(void) {
    skew_config c;
    skew_tracker *t;
    skew_conn info;
    skew_handle h;
    base_cfg(&c, &env);
    c.route_tracking = true;
    c.max_route_len = 16;
    t = make(&c);
    h = open_sse(t, &env, 0, "route=%2Fdocs%2Fa%3Fq%3D1%23frag", NULL);
    skew_conn_get(t, h, &info);
    CHECK(info.route.len == 7 && memcmp(info.route.ptr, "/docs/a", 7) == 0);
    h = open_sse(t, &env, 1, "x=1&route=/first&route=/second", NULL);
    skew_conn_get(t, h, &info);
    CHECK(info.route.len == 6 && memcmp(info.route.ptr, "/first", 6) == 0);
    h = open_sse(t, &env, 2, "route=relative", NULL);
    skew_conn_get(t, h, &info);
    CHECK(info.route.len == 1 && info.route.ptr[0] == '/');
    h = open_sse(t, &env, 3, "route=/0123456789abcde", NULL); /* 16 bytes: the limit */
    skew_conn_get(t, h, &info);
    CHECK_EQ_INT(info.route.len, 16);
    h = open_sse(t, &env, 4, "route=/0123456789abcdef", NULL); /* 17 bytes: too long */
    skew_conn_get(t, h, &info);
    CHECK_EQ_INT(info.route.len, 1);
    h = open_sse(t, &env, 5, "route=/a%0Ab", NULL); /* newline */
    skew_conn_get(t, h, &info);
    CHECK_EQ_INT(info.route.len, 1);
    h = open_sse(t, &env, 6, "route=/caf%C3%A9", NULL); /* UTF-8 is fine */
    skew_conn_get(t, h, &info);
    CHECK_EQ_INT(info.route.len, 6);
    h = open_sse(t, &env, 7, "route=/caf%E9", NULL); /* Latin-1 byte: invalid UTF-8 */
    skew_conn_get(t, h, &info);
    CHECK_EQ_INT(info.route.len, 1);
    unmake(t);
}

static void test_counts_and_stats(void) {
    skew_config c;
    skew_tracker *t;
    skew_handle h[3], sub;
    skew_count vc[8];
    size_t n;
    char buf[2048], want[2048];
    skew_conn ci[3], si;
    base_cfg(&c, &env);
    c.route_tracking = true;
    env.have_auth = true;
    t = make(&c);
    h[0] = open_sse(t, &env, 0, "route=/a", "__nkpv=v1.0.0");
    h[1] = open_sse(t, &env, 1, "route=/a", "__nkpv=v1.0.0");
    h[2] = open_sse(t, &env, 2, "route=/b", "__nkpv=v2.0.0");
    CHECK_EQ_INT(skew_total(t), 3);
    n = skew_versions(t, vc, 8);
    CHECK_EQ_INT(n, 2);
    CHECK(vc[0].name.len == 6 && memcmp(vc[0].name.ptr, "v1.0.0", 6) == 0 && vc[0].count == 2);
    CHECK(vc[1].count == 1);
    CHECK_EQ_INT(skew_versions(t, NULL, 0), 2);
    CHECK_EQ_INT(skew_routes(t, NULL, 0), 2);
    CHECK_EQ_INT(skew_rollout_permille(t), 0); /* server is "dev" */
    skew_set_server_version(t, skew_str_c("v1.0.0"));
    CHECK_EQ_INT(skew_rollout_permille(t), 667);
    CHECK_EQ_INT(count_type(&env, 0, "version"), 1);
    CHECK_STR(last_msg(&env, 2), "{\"type\":\"version\",\"version\":\"v1.0.0\"}");

    /* a WS subscriber with the token: stats right away with yourId */
    sub = open_ws(t, &env, 10, "route=/admin", "__nkpv=v1.0.0", "Bearer s3cret");
    CHECK_RES(skew_ws_message(t, sub, "{\"type\":\"subscribe-stats\"}", strlen("{\"type\":\"subscribe-stats\"}")), SKEW_OK);
    CHECK_EQ_INT(skew_subscriber_count(t), 1);
    skew_conn_get(t, h[0], &ci[0]);
    skew_conn_get(t, h[1], &ci[1]);
    skew_conn_get(t, h[2], &ci[2]);
    skew_conn_get(t, sub, &si);
    snprintf(want, sizeof want,
             "{\"type\":\"stats\",\"total\":4,\"versions\":{\"v1.0.0\":3,\"v2.0.0\":1},"
             "\"routes\":{\"/a\":2,\"/b\":1,\"/admin\":1},\"connections\":["
             "{\"id\":\"%s\",\"version\":\"v1.0.0\",\"route\":\"/a\"},"
             "{\"id\":\"%s\",\"version\":\"v1.0.0\",\"route\":\"/a\"},"
             "{\"id\":\"%s\",\"version\":\"v2.0.0\",\"route\":\"/b\"},"
             "{\"id\":\"%s\",\"version\":\"v1.0.0\",\"route\":\"/admin\"}],\"yourId\":\"%s\"}",
             ci[0].id, ci[1].id, ci[2].id, si.id, si.id);
    CHECK_STR(last_msg(&env, 10), want);
    /* the same text from the public writer, and the measure-only call agrees */
    CHECK_EQ_INT(skew_json_stats(t, buf, sizeof buf, sub), strlen(want));
    CHECK_STR(buf, want);
    CHECK_EQ_INT(skew_json_stats(t, NULL, 0, sub), strlen(want));

    /* close: counts fall, a count of 0 disappears, the subscriber hears it at once */
    CHECK_RES(skew_close(t, h[2], SKEW_CLOSE_CLIENT), SKEW_OK);
    CHECK(strstr(last_msg(&env, 10), "\"versions\":{\"v1.0.0\":3}") != NULL);
    CHECK(strstr(last_msg(&env, 10), "\"/b\"") == NULL);
    CHECK(strstr(last_msg(&env, 10), "\"total\":3") != NULL);
    CHECK_EQ_INT(env.closes, 1);
    CHECK(env.conns[2].closed && env.conns[2].reason == SKEW_CLOSE_CLIENT);
    /* stale handle */
    CHECK_RES(skew_close(t, h[2], SKEW_CLOSE_CLIENT), SKEW_ERR_STALE);
    CHECK_RES(skew_set_route(t, h[2], skew_str_c("/x")), SKEW_ERR_STALE);
    CHECK_RES(skew_close(t, 0, SKEW_CLOSE_CLIENT), SKEW_ERR_NOT_FOUND);
    CHECK_RES(skew_close(t, ((skew_handle)1 << 32) | 99999, SKEW_CLOSE_CLIENT), SKEW_ERR_NOT_FOUND);
    CHECK_EQ_INT(env.closes, 1);

    /* route change via WS: a route named /shipping is a route, not a ping */
    {
        size_t before = env.conns[10].nmsg;
        CHECK_RES(skew_ws_message(t, sub, "{\"type\":\"route-update\",\"route\":\"/shipping\"}", strlen("{\"type\":\"route-update\",\"route\":\"/shipping\"}")), SKEW_OK);
        CHECK_EQ_INT(count_type(&env, 10, "pong"), 0);
        CHECK_EQ_INT(env.conns[10].nmsg, before + 1);
        CHECK(strstr(last_msg(&env, 10), "\"/shipping\":1") != NULL);
        CHECK_EQ_INT(env.route_updates, 1);
        CHECK_STR(env.last_old_route, "/admin");
    }
    /* unsubscribe stops the pushes */
    CHECK_RES(skew_ws_message(t, sub, "{\"type\":\"unsubscribe-stats\"}", strlen("{\"type\":\"unsubscribe-stats\"}")), SKEW_OK);
    CHECK_EQ_INT(skew_subscriber_count(t), 0);
    {
        size_t before = env.conns[10].nmsg;
        skew_close(t, h[1], SKEW_CLOSE_CLIENT);
        CHECK_EQ_INT(env.conns[10].nmsg, before);
    }
    unmake(t);
}

static void test_ws_messages(void) {
    skew_config c;
    skew_tracker *t;
    skew_handle h;
    static char deep[5000];
    size_t i;
    base_cfg(&c, &env);
    c.route_tracking = true;
    t = make(&c);
    h = open_ws(t, &env, 0, NULL, NULL, NULL);
    CHECK_RES(skew_ws_message(t, h, "ping", strlen("ping")), SKEW_OK);
    CHECK_STR(last_msg(&env, 0), "{\"type\":\"pong\"}");
    CHECK_RES(skew_ws_message(t, h, "{\"type\":\"ping\"}", strlen("{\"type\":\"ping\"}")), SKEW_OK);
    CHECK_EQ_INT(count_type(&env, 0, "pong"), 2);
    CHECK_RES(skew_ws_message(t, h, " { \"type\" : \"ping\" } ", strlen(" { \"type\" : \"ping\" } ")), SKEW_OK);
    CHECK_EQ_INT(count_type(&env, 0, "pong"), 3);
    /* near misses are ignored, never ponged */
    CHECK_RES(skew_ws_message(t, h, "pingx", strlen("pingx")), SKEW_ERR_INVALID);
    CHECK_RES(skew_ws_message(t, h, "PING", strlen("PING")), SKEW_ERR_INVALID);
    CHECK_RES(skew_ws_message(t, h, "{\"type\":\"ping\"", strlen("{\"type\":\"ping\"")), SKEW_ERR_INVALID);
    CHECK_RES(skew_ws_message(t, h, "{\"type\":\"pingpong\"}", strlen("{\"type\":\"pingpong\"}")), SKEW_ERR_INVALID);
    CHECK_RES(skew_ws_message(t, h, "{\"x\":\"ping\"}", strlen("{\"x\":\"ping\"}")), SKEW_ERR_INVALID);
    CHECK_RES(skew_ws_message(t, h, "", strlen("")), SKEW_ERR_INVALID);
    CHECK_RES(skew_ws_message(t, h, NULL, 10), SKEW_ERR_INVALID);
    CHECK_RES(skew_ws_message(t, h, "\xff\xfe\x00garbage", strlen("\xff\xfe\x00garbage")), SKEW_ERR_INVALID);
    CHECK_EQ_INT(count_type(&env, 0, "pong"), 3);
    /* route-update with a non-string route, a relative route, a huge route */
    CHECK_RES(skew_ws_message(t, h, "{\"type\":\"route-update\",\"route\":42}", strlen("{\"type\":\"route-update\",\"route\":42}")), SKEW_ERR_INVALID);
    CHECK_RES(skew_ws_message(t, h, "{\"type\":\"route-update\",\"route\":\"x\"}", strlen("{\"type\":\"route-update\",\"route\":\"x\"}")), SKEW_ERR_INVALID);
    CHECK_RES(skew_ws_message(t, h, "{\"type\":\"route-update\"}", strlen("{\"type\":\"route-update\"}")), SKEW_ERR_INVALID);
    {
        char big[600];
        int n = snprintf(big, sizeof big, "{\"type\":\"route-update\",\"route\":\"/%0300d\"}", 0);
        CHECK_RES(skew_ws_message(t, h, big, (size_t)n), SKEW_ERR_TOO_LONG);
    }
    /* escapes decode before the route is checked: \u002f is '/' */
    CHECK_RES(skew_ws_message(t, h, "{\"type\":\"route-update\",\"route\":\"\\u002fok\"}", strlen("{\"type\":\"route-update\",\"route\":\"\\u002fok\"}")), SKEW_OK);
    {
        skew_conn ci;
        skew_conn_get(t, h, &ci);
        CHECK(ci.route.len == 3 && memcmp(ci.route.ptr, "/ok", 3) == 0);
    }
    /* a nesting bomb is refused by depth, not by the stack */
    for (i = 0; i < sizeof deep; i++) deep[i] = '[';
    CHECK_RES(skew_ws_message(t, h, deep, sizeof deep), SKEW_ERR_INVALID);
    CHECK_EQ_INT(skew_total(t), 1);
    /* subscribe without authorization (no hook answer) */
    CHECK_RES(skew_ws_message(t, h, "{\"type\":\"subscribe-stats\"}", strlen("{\"type\":\"subscribe-stats\"}")), SKEW_ERR_UNAUTHORIZED);
    CHECK_STR(last_msg(&env, 0), "{\"type\":\"stats-unauthorized\"}");
    CHECK_EQ_INT(skew_subscriber_count(t), 0);
    CHECK_RES(skew_ws_message(t, h, "{\"type\":\"subscribe-stats\"}", strlen("{\"type\":\"subscribe-stats\"}")), SKEW_ERR_UNAUTHORIZED);
    CHECK_EQ_INT(count_type(&env, 0, "stats-unauthorized"), 2);
    unmake(t);
}

static void test_coalescing(void) {
    skew_config c;
    skew_tracker *t;
    skew_handle sub, hs[20];
    int i;
    uint32_t wait;
    base_cfg(&c, &env);
    c.stats_interval_ms = 100;
    env.have_auth = true;
    env.now = 1000;
    t = make(&c);
    skew_tick(t, 1000);
    sub = open_ws(t, &env, 0, NULL, NULL, "s3cret");
    skew_ws_message(t, sub, "{\"type\":\"subscribe-stats\"}", strlen("{\"type\":\"subscribe-stats\"}"));
    CHECK_EQ_INT(count_type(&env, 0, "stats"), 1);
    for (i = 0; i < 20; i++) hs[i] = open_sse(t, &env, 1 + i, NULL, NULL);
    for (i = 0; i < 10; i++) skew_close(t, hs[i], SKEW_CLOSE_CLIENT);
    CHECK_EQ_INT(count_type(&env, 0, "stats"), 1); /* nothing before the window ends */
    CHECK_EQ_INT(skew_next_due(t, 1000), 100);      /* the push is due at the window's end */
    CHECK_EQ_INT(skew_next_due(t, 1200), 0);
    wait = skew_tick(t, 1050);
    CHECK_EQ_INT(count_type(&env, 0, "stats"), 1);
    CHECK_EQ_INT(wait, 50);
    skew_tick(t, 1100);
    CHECK_EQ_INT(count_type(&env, 0, "stats"), 2); /* one snapshot for 30 events */
    CHECK(strstr(last_msg(&env, 0), "\"total\":11") != NULL);
    skew_tick(t, 1300);
    CHECK_EQ_INT(count_type(&env, 0, "stats"), 2); /* nothing changed: nothing sent */
    /* a change right after a push is not lost: the final state always arrives */
    skew_close(t, hs[10], SKEW_CLOSE_CLIENT);
    skew_tick(t, 1350);
    skew_tick(t, 1400);
    CHECK_EQ_INT(count_type(&env, 0, "stats"), 3);
    CHECK(strstr(last_msg(&env, 0), "\"total\":10") != NULL);
    /* later changes do not postpone a due push */
    skew_close(t, hs[11], SKEW_CLOSE_CLIENT);
    skew_tick(t, 1450);
    skew_close(t, hs[12], SKEW_CLOSE_CLIENT);
    skew_tick(t, 1500);
    CHECK_EQ_INT(count_type(&env, 0, "stats"), 4);
    CHECK(strstr(last_msg(&env, 0), "\"total\":8") != NULL);
    /* the clock going backwards does not strand a pending push */
    skew_close(t, hs[13], SKEW_CLOSE_CLIENT);
    skew_tick(t, 10);
    CHECK_EQ_INT(count_type(&env, 0, "stats"), 5);
    unmake(t);
}

static void test_keepalive(void) {
    skew_config c;
    skew_tracker *t;
    base_cfg(&c, &env);
    c.keepalive_ms = 1000;
    env.now = 5000;
    t = make(&c);
    CHECK_EQ_INT(skew_next_due(t, 5000), 0); /* not started: tick now */
    CHECK_EQ_INT(skew_tick(t, 5000), 1000);  /* the first tick starts the period */
    open_sse(t, &env, 0, NULL, NULL);
    open_ws(t, &env, 1, NULL, NULL, NULL);
    CHECK_EQ_INT(skew_tick(t, 5500), 500);
    CHECK_EQ_INT(skew_next_due(t, 5600), 400);
    CHECK_EQ_INT(count_type(&env, 0, "keepalive"), 0);
    env.now = 6000; /* the wall clock (hooks.now_ms) stamps the keepalive */
    skew_tick(t, 6000);
    CHECK_STR(last_msg(&env, 0), "{\"type\":\"keepalive\",\"timestamp\":6000}");
    CHECK_EQ_INT(count_type(&env, 1, "keepalive"), 0); /* WS uses protocol pings */
    skew_tick(t, 6999);
    CHECK_EQ_INT(count_type(&env, 0, "keepalive"), 1);
    skew_tick(t, 7000);
    CHECK_EQ_INT(count_type(&env, 0, "keepalive"), 2);
    /* a keepalive that cannot be written closes the connection */
    env.conns[0].fail_with = SKEW_ERR_SEND;
    skew_tick(t, 8000);
    CHECK_EQ_INT(skew_total(t), 1);
    CHECK(env.conns[0].closed && env.conns[0].reason == SKEW_CLOSE_SEND_FAILED);
    unmake(t);
}

static void test_limits(void) {
    skew_config c;
    skew_tracker *t;
    skew_handle h;
    skew_metrics m;
    fake_req fh;
    skew_request r;
    skew_count vc[4];
    base_cfg(&c, &env);
    c.max_connections = 3;
    c.max_versions = 2;
    c.route_tracking = true;
    c.max_routes = 1;
    t = make(&c);
    open_sse(t, &env, 0, "route=/a", "__nkpv=v1");
    open_sse(t, &env, 1, "route=/b", "__nkpv=v2");
    h = open_sse(t, &env, 2, "route=/c", "__nkpv=v3");
    /* versions beyond the table fold into "(other)": totals stay exact */
    CHECK_EQ_INT(skew_versions(t, vc, 4), 3);
    CHECK(vc[0].name.len == 7 && memcmp(vc[0].name.ptr, "(other)", 7) == 0 && vc[0].count == 1);
    CHECK_EQ_INT(skew_routes(t, NULL, 0), 2);
    /* the fourth connection is refused and nothing changes */
    r = make_req(&fh, "GET", "/__skew/sse", NULL, NULL);
    {
        skew_handle nh = 77;
        CHECK_RES(skew_open(t, &r, &env.conns[3], &nh), SKEW_ERR_FULL);
        CHECK_EQ_INT(nh, 0);
    }
    CHECK_EQ_INT(skew_total(t), 3);
    skew_get_metrics(t, &m);
    CHECK_EQ_INT(m.refused_full, 1);
    CHECK_EQ_INT(env.logs[SKEW_LOG_WARN], 1);
    CHECK_EQ_INT(env.conns[3].nmsg, 0);
    /* a slot freed is usable again; the old handle stays stale */
    skew_close(t, h, SKEW_CLOSE_CLIENT);
    CHECK_EQ_INT(skew_versions(t, NULL, 0), 2);
    {
        skew_handle nh = 0;
        CHECK_RES(skew_open(t, &r, &env.conns[3], &nh), SKEW_OK);
        CHECK(nh != h && (nh & 0xFFFFFFFFu) == (h & 0xFFFFFFFFu));
        CHECK_RES(skew_conn_get(t, h, NULL), SKEW_ERR_INVALID);
        {
            skew_conn ci;
            CHECK_RES(skew_conn_get(t, h, &ci), SKEW_ERR_STALE);
        }
    }
    unmake(t);
}

static void test_max_listed(void) {
    skew_config c;
    skew_tracker *t;
    int i;
    char buf[8192];
    const char *p;
    int entries = 0;
    base_cfg(&c, &env);
    c.max_listed = 3;
    t = make(&c);
    for (i = 0; i < 10; i++) open_sse(t, &env, i, NULL, NULL);
    skew_json_stats(t, buf, sizeof buf, 0);
    for (p = buf; (p = strstr(p, "{\"id\"")) != NULL; p++) entries++;
    CHECK_EQ_INT(entries, 3);
    CHECK(strstr(buf, "\"total\":10") != NULL);
    CHECK(strstr(buf, "\"versions\":{\"dev\":10}") != NULL);
    CHECK(strstr(buf, "yourId") == NULL);
    CHECK(skew_json_validate(skew_str_c(buf)) == SKEW_OK);
    /* a buffer too small for the whole message: truncated output, exact size reported, NUL */
    {
        char small[40];
        size_t need = skew_json_stats(t, small, sizeof small, 0);
        CHECK_EQ_INT(need, strlen(buf));
        CHECK_EQ_INT(strlen(small), 39);
    }
    unmake(t);
}

typedef struct sink_buf {
    char data[1 << 16];
    size_t len;
    int calls;
    int stop_after;
} sink_buf;
static int sink_fn(void *ctx, const char *d, size_t n) {
    sink_buf *s = (sink_buf *)ctx;
    s->calls++;
    if (s->stop_after && s->calls >= s->stop_after) return 1;
    memcpy(s->data + s->len, d, n);
    s->len += n;
    return 0;
}

static void test_sink(void) {
    skew_config c;
    skew_tracker *t;
    static sink_buf s;
    static char buf[1 << 16];
    int i;
    skew_result res = SKEW_ERR_INVALID;
    size_t n;
    base_cfg(&c, &env);
    c.max_listed = 2; /* the sink variant lists as many as asked, not max_listed */
    t = make(&c);
    for (i = 0; i < 50; i++) open_sse(t, &env, i % MAXC, NULL, NULL);
    memset(&s, 0, sizeof s);
    n = skew_json_stats_sink(t, sink_fn, &s, 0, 1000, &res);
    CHECK_RES(res, SKEW_OK);
    CHECK_EQ_INT(n, s.len);
    s.data[s.len] = '\0';
    CHECK_RES(skew_json_validate(skew_str_n(s.data, s.len)), SKEW_OK);
    CHECK(strstr(s.data, "\"total\":50") != NULL);
    {
        const char *p;
        int entries = 0;
        for (p = s.data; (p = strstr(p, "{\"id\"")) != NULL; p++) entries++;
        CHECK_EQ_INT(entries, 50);
    }
    memset(&s, 0, sizeof s);
    s.stop_after = 3;
    skew_json_stats_sink(t, sink_fn, &s, 0, 1000, &res);
    CHECK_RES(res, SKEW_ERR_SEND);
    CHECK_EQ_INT(s.calls, 3); /* a stopped sink is not called again */
    (void)buf;
    unmake(t);
}

static void test_slow_consumer(void) {
    skew_config c;
    skew_tracker *t;
    skew_handle sub1, sub2;
    skew_metrics m;
    base_cfg(&c, &env);
    env.have_auth = true;
    t = make(&c);
    sub1 = open_ws(t, &env, 0, NULL, NULL, "s3cret");
    sub2 = open_ws(t, &env, 1, NULL, NULL, "s3cret");
    skew_ws_message(t, sub1, "{\"type\":\"subscribe-stats\"}", strlen("{\"type\":\"subscribe-stats\"}"));
    skew_ws_message(t, sub2, "{\"type\":\"subscribe-stats\"}", strlen("{\"type\":\"subscribe-stats\"}"));
    env.conns[1].fail_with = SKEW_ERR_SLOW;
    open_sse(t, &env, 2, NULL, NULL); /* the push to sub2 fails: it is closed, sub1 told */
    CHECK_EQ_INT(skew_total(t), 2);
    CHECK(env.conns[1].closed && env.conns[1].reason == SKEW_CLOSE_SLOW);
    CHECK(strstr(last_msg(&env, 0), "\"total\":2") != NULL);
    skew_get_metrics(t, &m);
    CHECK_EQ_INT(m.slow_dropped, 1);
    CHECK_EQ_INT(env.logs[SKEW_LOG_INFO], 1);
    CHECK_EQ_INT(skew_subscriber_count(t), 1);
    /* a connection whose `connected` cannot be sent is never tracked */
    env.conns[3].fail_with = SKEW_ERR_SEND;
    {
        fake_req fh;
        skew_request r = make_req(&fh, "GET", "/__skew/sse", NULL, NULL);
        skew_handle nh;
        int closes = env.closes;
        CHECK_RES(skew_open(t, &r, &env.conns[3], &nh), SKEW_ERR_SEND);
        CHECK_EQ_INT(skew_total(t), 2);
        CHECK_EQ_INT(env.closes, closes);
    }
    unmake(t);
}

static void test_bots_and_open_errors(void) {
    skew_config c;
    skew_tracker *t;
    fake_req fh;
    skew_request r;
    skew_response resp;
    skew_metrics m;
    skew_handle h;
    char body[256];
    base_cfg(&c, &env);
    t = make(&c);
    r = make_req(&fh, "GET", "/__skew/sse", NULL, NULL);
    /* without the built-in table (firmware builds) only an empty User-Agent is a bot */
    fh.values[0] = SKEW_ENABLE_BOT_TABLE ? "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" : "";
    CHECK_RES(skew_open(t, &r, &env.conns[0], &h), SKEW_ERR_BOT);
#if SKEW_ENABLE_HTTP
    CHECK_RES(skew_http_open_error(t, &r, SKEW_ERR_BOT, &resp, body, sizeof body), SKEW_OK);
    CHECK_EQ_INT(resp.status, 204);
    CHECK_EQ_INT(resp.body_len, 0);
#endif
    r.path = skew_str_c("/__skew/ws");
    r.upgrade = true;
    CHECK_RES(skew_open(t, &r, &env.conns[0], &h), SKEW_ERR_BOT);
#if SKEW_ENABLE_HTTP
    skew_http_open_error(t, &r, SKEW_ERR_BOT, &resp, body, sizeof body);
    CHECK_EQ_INT(resp.status, 403);
    CHECK_STR(body, "{\"ok\":false,\"error\":\"bots are not tracked\"}");
#endif
    fh.values[0] = "";
    CHECK_RES(skew_open(t, &r, &env.conns[0], &h), SKEW_ERR_BOT); /* empty UA: not a browser */
    skew_get_metrics(t, &m);
    CHECK_EQ_INT(m.bots_rejected, 3);
    CHECK_EQ_INT(skew_total(t), 0);
    CHECK_EQ_INT(env.conns[0].nmsg, 0);
#if SKEW_ENABLE_HTTP
    skew_http_open_error(t, &r, SKEW_ERR_FULL, &resp, body, sizeof body);
    CHECK_EQ_INT(resp.status, 503);
    skew_http_open_error(t, &r, SKEW_ERR_STOPPING, &resp, body, sizeof body);
    CHECK_EQ_INT(resp.status, 503);
    CHECK_STR(body, "{\"ok\":false,\"error\":\"server shutting down\"}");
#else
    (void)resp; (void)body;
#endif
    /* not an SSE/WS path */
    r.path = skew_str_c("/__skew/health");
    fh.values[0] = BROWSER_UA;
    CHECK_RES(skew_open(t, &r, &env.conns[0], &h), SKEW_ERR_INVALID);
    unmake(t);
    /* with the filter off and empty UAs allowed */
    base_cfg(&c, &env);
    c.bot_filter_off = true;
    t = make(&c);
    r = make_req(&fh, "GET", "/__skew/sse", NULL, NULL);
    fh.values[0] = "curl/8.0";
    CHECK_RES(skew_open(t, &r, &env.conns[0], &h), SKEW_OK);
    unmake(t);
    base_cfg(&c, &env);
    c.allow_empty_user_agent = true;
    {
        static const char *const allow[] = {"MyKioskBot"};
        c.allow_patterns = allow;
        c.allow_pattern_count = 1;
        t = make(&c);
        r = make_req(&fh, "GET", "/__skew/sse", NULL, NULL);
        fh.n = 0; /* no User-Agent at all */
        CHECK_RES(skew_open(t, &r, &env.conns[0], &h), SKEW_OK);
        r = make_req(&fh, "GET", "/__skew/sse", NULL, NULL);
        fh.values[0] = "MyKioskBot/1.0";
        CHECK_RES(skew_open(t, &r, &env.conns[1], &h), SKEW_OK);
        unmake(t);
    }
}

/* ---- the plain endpoints --------------------------------------------------------------- */
#if SKEW_ENABLE_HTTP

static int http(skew_tracker *t, const char *method, const char *path, const char *body, const char *auth,
                char *out, size_t cap) {
    fake_req fh;
    skew_request r = make_req(&fh, method, path, NULL, NULL);
    skew_response resp;
    if (body) r.body = skew_str_c(body);
    if (auth) add_header(&r, "authorization", auth);
    skew_http(t, &r, &resp, out, cap);
    return resp.status;
}

static void test_http(void) {
    skew_config c;
    skew_tracker *t;
    skew_handle h, w;
    skew_conn ci;
    char body[4096], req[256];
    fake_req fh;
    skew_request r;
    skew_response resp;
    base_cfg(&c, &env);
    c.route_tracking = true;
    c.server_version = "v1";
    env.now = 10000;
    t = make(&c);
    h = open_sse(t, &env, 0, "route=/docs", NULL);
    w = open_ws(t, &env, 1, "route=/docsy", NULL, NULL);
    skew_conn_get(t, h, &ci);

    /* routing */
    r = make_req(&fh, "GET", "/__skew/sse", NULL, NULL);
    CHECK_EQ_INT(skew_route_request(t, &r), SKEW_EP_SSE);
    r.method = skew_str_c("HEAD");
    CHECK_EQ_INT(skew_route_request(t, &r), SKEW_EP_REJECT);
    skew_http(t, &r, &resp, body, sizeof body);
    CHECK_EQ_INT(resp.status, 405);
    CHECK_STR(resp.allow, "GET");
    r.method = skew_str_c("GET");
    r.path = skew_str_c("/__skew/ws");
    CHECK_EQ_INT(skew_route_request(t, &r), SKEW_EP_REJECT);
    skew_http(t, &r, &resp, body, sizeof body);
    CHECK_EQ_INT(resp.status, 426);
    CHECK(resp.upgrade_required);
    r.upgrade = true;
    CHECK_EQ_INT(skew_route_request(t, &r), SKEW_EP_WS);
    r.path = skew_str_c("/elsewhere");
    CHECK_EQ_INT(skew_route_request(t, &r), SKEW_EP_REJECT);
    skew_http(t, &r, &resp, body, sizeof body);
    CHECK_EQ_INT(resp.status, 404);
    r.upgrade = false;
    CHECK_EQ_INT(skew_route_request(t, &r), SKEW_EP_NONE);
    r.path = skew_str_c("/__skewer/sse");
    CHECK_EQ_INT(skew_route_request(t, &r), SKEW_EP_NONE);
    r.path = skew_str_c("/__skew/nope");
    CHECK_EQ_INT(skew_route_request(t, &r), SKEW_EP_UNKNOWN);
    CHECK_EQ_INT(http(t, "GET", "/__skew/nope", NULL, NULL, body, sizeof body), 404);
    CHECK_STR(body, "{\"ok\":false,\"error\":\"not found\"}");
#if SKEW_ENABLE_ADMIN
    CHECK_EQ_INT(skew_route_path(t, skew_str_c("/__skew/admin/stats")), SKEW_EP_ADMIN_STATS);
    CHECK_EQ_INT(skew_route_path(t, skew_str_c("/__skew/metrics")), SKEW_EP_METRICS);
#else /* compiled out: the admin paths are unknown, and nothing answers there */
    CHECK_EQ_INT(skew_route_path(t, skew_str_c("/__skew/admin/stats")), SKEW_EP_UNKNOWN);
    CHECK_EQ_INT(skew_route_path(t, skew_str_c("/__skew/metrics")), SKEW_EP_UNKNOWN);
    env.have_auth = true;
    CHECK_EQ_INT(http(t, "GET", "/__skew/admin/stats", NULL, "Bearer s3cret", body, sizeof body), 404);
    CHECK_EQ_INT(http(t, "GET", "/__skew/metrics", NULL, "Bearer s3cret", body, sizeof body), 404);
    CHECK_EQ_INT(http(t, "POST", "/__skew/admin/version", "{\"version\":\"v9\"}", "s3cret", body, sizeof body), 404);
    CHECK_EQ_INT(http(t, "POST", "/__skew/admin/invalidate", "{\"route\":\"/\"}", "s3cret", body, sizeof body), 404);
    CHECK(skew_server_version(t).len == 2);
    env.have_auth = false;
#endif

    /* health */
    env.now = 72000;
    CHECK_EQ_INT(http(t, "GET", "/__skew/health", NULL, NULL, body, sizeof body), 200);
    CHECK_STR(body, "{\"ok\":true,\"version\":\"v1\",\"uptime\":62}");
    CHECK_EQ_INT(http(t, "POST", "/__skew/health", NULL, NULL, body, sizeof body), 405);
    CHECK_EQ_INT(http(t, "HEAD", "/__skew/health", NULL, NULL, body, sizeof body), 200);
    CHECK_EQ_INT(http(t, "HEAD", "/__skew/sse", NULL, NULL, body, sizeof body), 405);

    /* POST route: JSON and form, every error */
    snprintf(req, sizeof req, "{\"connectionId\":\"%s\",\"route\":\"/next\"}", ci.id);
    CHECK_EQ_INT(http(t, "POST", "/__skew/route", req, NULL, body, sizeof body), 200);
    CHECK_STR(body, "{\"ok\":true}");
    skew_conn_get(t, h, &ci);
    CHECK(ci.route.len == 5 && memcmp(ci.route.ptr, "/next", 5) == 0);
    snprintf(req, sizeof req, "connectionId=%s&route=%%2Fform%%3Fq", ci.id);
    CHECK_EQ_INT(http(t, "POST", "/__skew/route", req, NULL, body, sizeof body), 200);
    skew_conn_get(t, h, &ci);
    CHECK(ci.route.len == 5 && memcmp(ci.route.ptr, "/form", 5) == 0);
    CHECK_EQ_INT(http(t, "POST", "/__skew/route", "", NULL, body, sizeof body), 400);
    CHECK_STR(body, "{\"ok\":false,\"error\":\"missing connectionId\"}");
    CHECK_EQ_INT(http(t, "POST", "/__skew/route", "{\"connectionId\":\"xyz\"}", NULL, body, sizeof body), 400);
    CHECK_STR(body, "{\"ok\":false,\"error\":\"invalid connectionId\"}");
    CHECK_EQ_INT(http(t, "POST", "/__skew/route", "{\"connectionId\":\"00000000-0000-4000-8000-000000000000\",\"route\":\"/x\"}",
                      NULL, body, sizeof body), 404);
    CHECK_EQ_INT(http(t, "POST", "/__skew/route", "{\"connectionId\":", NULL, body, sizeof body), 400);
    snprintf(req, sizeof req, "{\"connectionId\":\"%s\",\"route\":\"nope\"}", ci.id);
    CHECK_EQ_INT(http(t, "POST", "/__skew/route", req, NULL, body, sizeof body), 400);
    snprintf(req, sizeof req, "{\"connectionId\":\"%s\",\"route\":17}", ci.id);
    CHECK_EQ_INT(http(t, "POST", "/__skew/route", req, NULL, body, sizeof body), 400);
    snprintf(req, sizeof req, "{\"connectionId\":\"%s\"}", ci.id);
    CHECK_EQ_INT(http(t, "POST", "/__skew/route", req, NULL, body, sizeof body), 400);
    CHECK_EQ_INT(http(t, "GET", "/__skew/route", NULL, NULL, body, sizeof body), 405);
    {
        static char huge[5000];
        memset(huge, 'a', sizeof huge - 1);
        CHECK_EQ_INT(http(t, "POST", "/__skew/route", huge, NULL, body, sizeof body), 413);
    }

    /* POST subscribe: no authorization configured -> stats-unauthorized on the stream, 200 */
    snprintf(req, sizeof req, "{\"connectionId\":\"%s\"}", ci.id);
    CHECK_EQ_INT(http(t, "POST", "/__skew/subscribe-stats", req, NULL, body, sizeof body), 200);
    CHECK_STR(last_msg(&env, 0), "{\"type\":\"stats-unauthorized\"}");
    env.have_auth = true;
    CHECK_EQ_INT(http(t, "POST", "/__skew/subscribe-stats", req, "Bearer wrong", body, sizeof body), 200);
    CHECK_STR(last_msg(&env, 0), "{\"type\":\"stats-unauthorized\"}");
    CHECK_EQ_INT(http(t, "POST", "/__skew/subscribe-stats", req, "Bearer s3cret", body, sizeof body), 200);
    CHECK(strncmp(last_msg(&env, 0), "{\"type\":\"stats\",\"total\":2", 25) == 0);
    CHECK_EQ_INT(skew_subscriber_count(t), 1);
    CHECK_EQ_INT(http(t, "POST", "/__skew/subscribe-stats", "{\"connectionId\":\"00000000-0000-4000-8000-000000000000\"}",
                      "s3cret", body, sizeof body), 404);
    CHECK_EQ_INT(skew_subscriber_count(t), 1); /* an unknown id is not kept anywhere */
    /* a credential that stops passing ends the subscription */
    CHECK_EQ_INT(http(t, "POST", "/__skew/subscribe-stats", req, "Bearer wrong", body, sizeof body), 200);
    CHECK_EQ_INT(skew_subscriber_count(t), 0);
    CHECK_EQ_INT(http(t, "POST", "/__skew/subscribe-stats", req, "Bearer s3cret", body, sizeof body), 200);
    CHECK_EQ_INT(skew_subscriber_count(t), 1);

#if SKEW_ENABLE_ADMIN
    /* admin */
    env.have_auth = false;
    CHECK_EQ_INT(http(t, "GET", "/__skew/admin/stats", NULL, NULL, body, sizeof body), 503);
    env.have_auth = true;
    CHECK_EQ_INT(http(t, "GET", "/__skew/admin/stats", NULL, NULL, body, sizeof body), 401);
    CHECK_EQ_INT(http(t, "GET", "/__skew/admin/stats", NULL, "Bearer nope", body, sizeof body), 401);
    CHECK_EQ_INT(http(t, "GET", "/__skew/admin/stats", NULL, "Bearer s3cret", body, sizeof body), 200);
    CHECK(strncmp(body, "{\"total\":2,\"versions\":{\"v1\":2},\"routes\":{", 40) == 0);
    CHECK_RES(skew_json_validate(skew_str_c(body)), SKEW_OK);
    {
        /* TRUNCATED tells the size to retry with */
        char small[16];
        fake_req f2;
        skew_request r2 = make_req(&f2, "GET", "/__skew/admin/stats", NULL, NULL);
        add_header(&r2, "authorization", "s3cret");
        CHECK_RES(skew_http(t, &r2, &resp, small, sizeof small), SKEW_ERR_TRUNCATED);
        CHECK_EQ_INT(resp.body_len, strlen(body));
        CHECK_EQ_INT(strlen(small), 15);
    }
    CHECK_EQ_INT(http(t, "GET", "/__skew/metrics", NULL, "Bearer s3cret", body, sizeof body), 200);
    CHECK(strstr(body, "skew_connections 2\n") != NULL);
    CHECK(strstr(body, "skew_connections_by_version{version=\"v1\"} 2\n") != NULL);
    CHECK(strstr(body, "skew_connections_by_route{route=\"/form\"} 1\n") != NULL);
    CHECK(strstr(body, "skew_rollout_ratio 1.000\n") != NULL);
    CHECK(strstr(body, "# TYPE skew_bots_rejected_total counter\n") != NULL);
    CHECK_EQ_INT(http(t, "GET", "/__skew/metrics", NULL, NULL, body, sizeof body), 401);

    /* invalidate: /docs matches /docs and below, not /docsy */
    skew_set_route(t, h, skew_str_c("/docs/a"));
    CHECK_EQ_INT(http(t, "POST", "/__skew/admin/invalidate", "{\"route\":\"/docs\"}", "s3cret", body, sizeof body), 200);
    CHECK_STR(body, "{\"ok\":true,\"notified\":1}");
    CHECK_STR(last_msg(&env, 0), "{\"type\":\"version\",\"version\":\"v1\",\"force\":true}");
    CHECK_EQ_INT(count_type(&env, 1, "version"), 0);
    CHECK_EQ_INT(http(t, "POST", "/__skew/admin/invalidate", "{\"route\":\"docs\"}", "s3cret", body, sizeof body), 400);
    {
        uint32_t n = 9;
        CHECK_RES(skew_invalidate(t, skew_str_c("/"), &n), SKEW_OK);
        CHECK_EQ_INT(n, 2);
    }
    /* version change over HTTP reaches everyone */
    CHECK_EQ_INT(http(t, "POST", "/__skew/admin/version", "{\"version\":\"v2\"}", "s3cret", body, sizeof body), 200);
    CHECK_STR(body, "{\"ok\":true,\"version\":\"v2\",\"notified\":2}");
    CHECK_STR(last_msg(&env, 1), "{\"type\":\"version\",\"version\":\"v2\"}");
    CHECK(skew_server_version(t).len == 2);
    open_sse(t, &env, 5, NULL, NULL); /* a connection opened now hears the new version */
    CHECK(strncmp(env.conns[5].msgs[0], "{\"type\":\"connected\",\"version\":\"v2\",\"connectionId\":\"", 51) == 0);
    CHECK_EQ_INT(http(t, "POST", "/__skew/admin/version", "{\"version\":\"\"}", "s3cret", body, sizeof body), 400);
    CHECK_EQ_INT(http(t, "POST", "/__skew/admin/version", "version=v3", "s3cret", body, sizeof body), 200);
    CHECK_EQ_INT(http(t, "POST", "/__skew/admin/version", "{\"version\":\"v3\"}", "wrong", body, sizeof body), 401);
#endif /* SKEW_ENABLE_ADMIN */
    (void)w;
    unmake(t);
    /* invalidate needs route tracking */
    base_cfg(&c, &env);
    env.have_auth = true;
    t = make(&c);
#if SKEW_ENABLE_ADMIN
    CHECK_EQ_INT(http(t, "POST", "/__skew/admin/invalidate", "{\"route\":\"/\"}", "s3cret", body, sizeof body), 409);
#endif
    CHECK_RES(skew_invalidate(t, skew_str_c("/"), NULL), SKEW_ERR_DISABLED);
    unmake(t);
}
#endif /* SKEW_ENABLE_HTTP */

/* Number text and the limb division (the only division of 64-bit values when SKEW_OPTIMIZE_SIZE
   is on), against the compiler's own 64-bit arithmetic. */
static void test_numbers(void) {
    static const uint64_t edge[] = {0, 1, 9, 10, 99, 100, 65535, 65536, 999999999, 4294967295u, 4294967296u,
                                    1700000000123u, 9999999999999999999u, 10000000000000000000u, UINT64_MAX};
    uint64_t x = 0x9E3779B97F4A7C15u;
    size_t i;
    int bad_text = 0, bad_div = 0;
    for (i = 0; i < sizeof edge / sizeof edge[0] + 20000; i++) {
        char got[24], want[24];
        uint64_t v, q;
        uint32_t d, r;
        size_t n;
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        v = i < sizeof edge / sizeof edge[0] ? edge[i] : x >> (x & 63u);
        n = skew__u64_text(got, v);
        got[n] = '\0';
        snprintf(want, sizeof want, "%llu", (unsigned long long)v);
        if (strcmp(got, want) != 0) bad_text++;
        d = (uint32_t)(x >> 40) & 0xFFFFu;
        if (!d) d = 1000;
        q = v;
        r = skew__div_small(&q, d);
        if (q != v / d || r != v % d) bad_div++;
    }
    CHECK_EQ_INT(bad_text, 0);
    CHECK_EQ_INT(bad_div, 0);
}

/* ChaCha12 block against an independent reference (a Python model of RFC 8439's block function
   with 12 rounds, itself checked on the RFC's 20-round zero-key keystream): the unrolled and the
   compact (SKEW_OPTIMIZE_SIZE) rounds must both give these bytes. */
static void test_chacha_known_answers(void) {
    static const uint32_t key1[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    static const uint32_t key2[8] = {0xdeadbeefu, 0, 0xffffffffu, 7, 0x80000000u, 12345, 0x01020304u, 0xa5a5a5a5u};
    static const char *const want[2] = {
        "c284a0411ff8b000ebddd90b13be0431158bf35dc5ab0310f1a111385287df82"
        "24daec1e146ab11e4bd53412b458afba4dacf38731f15d0587782e0c9651f4b5",
        "13811a2aef309197dcf5b97d7377018334b61d6bd3e909bf96d1b61da2a8563a"
        "143d3a1add6b43298a7d1987e536c57cdfa122408fda88f6aaddfed2f25a1401"};
    uint8_t out[64];
    char hex[129];
    int k, i;
    for (k = 0; k < 2; k++) {
        skew__chacha_block(k ? key2 : key1, k ? 0x100000005ull : 0x123456789abcull, out);
        for (i = 0; i < 64; i++) snprintf(hex + 2 * i, 3, "%02x", out[i]);
        CHECK_STR(hex, want[k]);
    }
}

/* White-box: the id generator's reseed (every 2^16 ChaCha blocks) keeps the table hash seed,
   so a version seen before the reseed is still found after it (no duplicate entries). */
static void test_reseed_keeps_tables(void) {
    skew_config c;
    skew_tracker *t;
    skew_count vs[4];
    size_t n;
    base_cfg(&c, &env);
    t = make(&c);
    CHECK(open_sse(t, &env, 0, NULL, "__nkpv=v1") != 0);
    t->rng_counter = 0xFFFFu; /* the next block reseeds */
    t->rng_avail = 0;
    CHECK(open_sse(t, &env, 1, NULL, "__nkpv=v1") != 0);
    CHECK(t->rng_counter == 0x10000u);
    n = skew_versions(t, vs, 4);
    CHECK_EQ_INT(n, 1);
    CHECK(n == 1 && vs[0].count == 2 && vs[0].name.len == 2 && memcmp(vs[0].name.ptr, "v1", 2) == 0);
    unmake(t);
}

static void test_json_writer(void) {
    char b[128];
    CHECK_EQ_INT(skew_json_escape(b, sizeof b, skew_str_c("a\"b\\c")), 9);
    CHECK_STR(b, "\"a\\\"b\\\\c\"");
    skew_json_escape(b, sizeof b, STRV("\n\r\t\b\f\x01\x1f\x7f"));
    CHECK_STR(b, "\"\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f\"");
    skew_json_escape(b, sizeof b, STRV("nul\0x"));
    CHECK_STR(b, "\"nul\\u0000x\"");
    skew_json_escape(b, sizeof b, skew_str_c("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
    CHECK_STR(b, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    /* invalid UTF-8: one U+FFFD per maximal invalid subpart */
    skew_json_escape(b, sizeof b, skew_str_c("a\xff" "b\xc3" "c\xe2\x82" "d\xed\xa0\x80" "e\xc0\xaf"));
    CHECK_STR(b, "\"a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd" "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                 "e\xef\xbf\xbd\xef\xbf\xbd\"");
    skew_json_escape(b, sizeof b, skew_str_c("\xe2\x80\xa8\xe2\x80\xa9"));
    CHECK_STR(b, "\"\\u2028\\u2029\"");
    /* a truncated trailing sequence at the very end of the input */
    skew_json_escape(b, sizeof b, skew_str_c("x\xf0\x9f\x98"));
    CHECK_STR(b, "\"x\xef\xbf\xbd\"");
    /* snprintf contract */
    CHECK_EQ_INT(skew_json_escape(NULL, 0, skew_str_c("abc")), 5);
    memset(b, 'Z', sizeof b);
    CHECK_EQ_INT(skew_json_escape(b, 3, skew_str_c("abc")), 5);
    CHECK_STR(b, "\"a");
    CHECK(b[3] == 'Z');
    CHECK_EQ_INT(skew_json_escape(b, 1, skew_str_c("abc")), 5);
    CHECK_STR(b, "");
    CHECK_EQ_INT(skew_json_pong(b, sizeof b), 15);
    CHECK_STR(b, "{\"type\":\"pong\"}");
    skew_json_keepalive(b, sizeof b, 18446744073709551615ull);
    CHECK_STR(b, "{\"type\":\"keepalive\",\"timestamp\":18446744073709551615}");
    skew_json_version(b, sizeof b, skew_str_c("v\"2"), true);
    CHECK_STR(b, "{\"type\":\"version\",\"version\":\"v\\\"2\",\"force\":true}");
    skew_json_version(b, sizeof b, skew_str_c("v2"), false);
    CHECK_STR(b, "{\"type\":\"version\",\"version\":\"v2\"}");
    skew_json_stats_unauthorized(b, sizeof b);
    CHECK_STR(b, "{\"type\":\"stats-unauthorized\"}");
    skew_json_connected(b, sizeof b, skew_str_c("v1"), skew_str_c("id"), 5);
    CHECK_STR(b, "{\"type\":\"connected\",\"version\":\"v1\",\"connectionId\":\"id\",\"timestamp\":5}");
    CHECK_EQ_INT(skew_sse_frame(b, sizeof b, "{}", 2), 10);
    CHECK_STR(b, "data: {}\n\n");
    CHECK_EQ_INT(skew_sse_frame(NULL, 0, "{}", 2), 10);
}

static void test_json_reader(void) {
    char b[64];
    size_t n = 99;
    CHECK_RES(skew_json_get_string(skew_str_c("{\"a\":1,\"k\":\"v\\\"\\\\\\/\\n\\u00e9\\ud83d\\ude00\"}"), "k", b, sizeof b, &n), SKEW_OK);
    CHECK_STR(b, "v\"\\/\n\xc3\xa9\xf0\x9f\x98\x80");
    CHECK_EQ_INT(n, 11);
    /* lone surrogate -> U+FFFD */
    CHECK_RES(skew_json_get_string(skew_str_c("{\"k\":\"\\ud800x\"}"), "k", b, sizeof b, &n), SKEW_OK);
    CHECK_STR(b, "\xef\xbf\xbdx");
    CHECK_RES(skew_json_get_string(skew_str_c("{\"k\":1}"), "k", b, sizeof b, &n), SKEW_ERR_NOT_FOUND);
    CHECK_RES(skew_json_get_string(skew_str_c("{\"j\":\"x\"}"), "k", b, sizeof b, &n), SKEW_ERR_NOT_FOUND);
    CHECK_RES(skew_json_get_string(skew_str_c("[\"k\"]"), "k", b, sizeof b, &n), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_get_string(skew_str_c("{\"k\":\"x\"} junk"), "k", b, sizeof b, &n), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_get_string(skew_str_c("{\"k\":\"x\",}"), "k", b, sizeof b, &n), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_get_string(skew_str_c("{\"k\":\"a\tb\"}"), "k", b, sizeof b, &n), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_get_string(skew_str_c("{\"k\":\"\\x\"}"), "k", b, sizeof b, &n), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_get_string(skew_str_c("{\"k\":\"\\u12\"}"), "k", b, sizeof b, &n), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_get_string(skew_str_c("{\"k\":\"x\",\"k\":\"y\"}"), "k", b, sizeof b, &n), SKEW_OK);
    CHECK_STR(b, "x"); /* the first of duplicate keys */
    CHECK_RES(skew_json_get_string(skew_str_c("{\"o\":{\"k\":\"in\"},\"k\":\"top\"}"), "k", b, sizeof b, &n), SKEW_OK);
    CHECK_STR(b, "top");
    CHECK_RES(skew_json_get_string(skew_str_c("{\"k\":\"0123456789\"}"), "k", b, 11, &n), SKEW_OK);
    CHECK_RES(skew_json_get_string(skew_str_c("{\"k\":\"0123456789\"}"), "k", b, 10, &n), SKEW_ERR_TOO_LONG);
    CHECK_RES(skew_json_validate(skew_str_c("{}")), SKEW_OK);
    CHECK_RES(skew_json_validate(skew_str_c(" [1, -2.5e+3, true, false, null, \"s\", {\"a\": []}] ")), SKEW_OK);
    CHECK_RES(skew_json_validate(skew_str_c("[01]")), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_validate(skew_str_c("[1.]")), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_validate(skew_str_c("[tru]")), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_validate(skew_str_c("")), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_validate(skew_str_c("[1 2]")), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_validate(skew_str_c("{\"a\" 1}")), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_validate(skew_str_c("{1:2}")), SKEW_ERR_INVALID);
    CHECK_RES(skew_json_validate(skew_str_c("[}")), SKEW_ERR_INVALID);
    /* depth: exactly SKEW_JSON_MAX_DEPTH levels pass, one more fails */
    {
        char d[2 * SKEW_JSON_MAX_DEPTH + 3];
        int i;
        for (i = 0; i < SKEW_JSON_MAX_DEPTH; i++) {
            d[i] = '[';
            d[SKEW_JSON_MAX_DEPTH + i] = ']';
        }
        CHECK_RES(skew_json_validate(skew_str_n(d, 2 * SKEW_JSON_MAX_DEPTH)), SKEW_OK);
        memmove(d + 1, d, 2 * SKEW_JSON_MAX_DEPTH);
        d[0] = '[';
        d[2 * SKEW_JSON_MAX_DEPTH + 1] = ']';
        CHECK_RES(skew_json_validate(skew_str_n(d, 2 * SKEW_JSON_MAX_DEPTH + 2)), SKEW_ERR_INVALID);
    }
}

static void test_url_query_cookie_route(void) {
    char b[16];
    size_t n;
    skew_str v;
    CHECK_RES(skew_url_decode(skew_str_c("a%2Fb+c%zz"), true, b, sizeof b, &n), SKEW_ERR_INVALID);
    CHECK_RES(skew_url_decode(skew_str_c("a%2Fb+c"), true, b, sizeof b, &n), SKEW_OK);
    CHECK_STR(b, "a/b c");
    CHECK_RES(skew_url_decode(skew_str_c("a+c"), false, b, sizeof b, &n), SKEW_OK);
    CHECK_STR(b, "a+c");
    CHECK_RES(skew_url_decode(skew_str_c("%"), false, b, sizeof b, &n), SKEW_ERR_INVALID);
    CHECK_RES(skew_url_decode(skew_str_c("%4"), false, b, sizeof b, &n), SKEW_ERR_INVALID);
    CHECK_RES(skew_url_decode(skew_str_c("%41"), false, b, sizeof b, &n), SKEW_OK);
    CHECK_STR(b, "A");
    CHECK_RES(skew_url_decode(skew_str_c("123456789012345"), false, b, sizeof b, &n), SKEW_OK);
    CHECK_RES(skew_url_decode(skew_str_c("1234567890123456"), false, b, sizeof b, &n), SKEW_ERR_TOO_LONG);
    CHECK_RES(skew_query_param(skew_str_c("a=1&route=%2Fx&route=/y"), "route", &v), SKEW_OK);
    CHECK(v.len == 4 && memcmp(v.ptr, "%2Fx", 4) == 0);
    CHECK_RES(skew_query_param(skew_str_c("routes=1&xroute=2"), "route", &v), SKEW_ERR_NOT_FOUND);
    CHECK_RES(skew_query_param(skew_str_c("route"), "route", &v), SKEW_OK);
    CHECK_EQ_INT(v.len, 0);
    CHECK_RES(skew_query_param(skew_str_n(NULL, 0), "route", &v), SKEW_ERR_NOT_FOUND);
    CHECK_RES(skew_cookie_get(skew_str_c("x__nkpv=1; __nkpv = v2 ;y=3"), "__nkpv", &v), SKEW_OK);
    CHECK(v.len == 2 && memcmp(v.ptr, "v2", 2) == 0);
    CHECK_RES(skew_cookie_get(skew_str_c("a=b;;; ;=x"), "__nkpv", &v), SKEW_ERR_NOT_FOUND);
    CHECK_RES(skew_cookie_get(skew_str_c("__nkpv=\""), "__nkpv", &v), SKEW_OK);
    CHECK_EQ_INT(v.len, 1);
    CHECK_RES(skew_route_clean(skew_str_c("/a?b#c"), 2, &v), SKEW_OK);
    CHECK_EQ_INT(v.len, 2);
    CHECK_RES(skew_route_clean(skew_str_c("/ab?b#c"), 2, &v), SKEW_ERR_TOO_LONG);
    CHECK_RES(skew_route_clean(skew_str_c("a"), 2, &v), SKEW_ERR_INVALID);
    CHECK_RES(skew_route_clean(skew_str_c(""), 2, &v), SKEW_ERR_INVALID);
    CHECK_RES(skew_route_clean(skew_str_c("/\x7f"), 8, &v), SKEW_ERR_INVALID);
    CHECK_RES(skew_route_clean(skew_str_c("/#frag"), 8, &v), SKEW_OK);
    CHECK_EQ_INT(v.len, 1);
}

static void test_auth_bearer(void) {
    fake_req fh;
    skew_request r = make_req(&fh, "GET", "/", NULL, NULL);
    CHECK_EQ_INT(skew_auth_bearer(&r, skew_str_c("")), SKEW_AUTH_UNAVAILABLE);
    CHECK_EQ_INT(skew_auth_bearer(&r, skew_str_c("tok")), SKEW_AUTH_DENIED);
    add_header(&r, "authorization", "bearer  tok ");
    CHECK_EQ_INT(skew_auth_bearer(&r, skew_str_c("tok")), SKEW_AUTH_GRANTED);
    CHECK_EQ_INT(skew_auth_bearer(&r, skew_str_c("to")), SKEW_AUTH_DENIED);
    CHECK_EQ_INT(skew_auth_bearer(&r, skew_str_c("tokk")), SKEW_AUTH_DENIED);
    r = make_req(&fh, "GET", "/", NULL, "a=1; skew_admin=tok");
    CHECK_EQ_INT(skew_auth_bearer(&r, skew_str_c("tok")), SKEW_AUTH_GRANTED);
    r = make_req(&fh, "GET", "/", NULL, "skew_admin=");
    CHECK_EQ_INT(skew_auth_bearer(&r, skew_str_c("tok")), SKEW_AUTH_DENIED);
}

#if SKEW_ENABLE_ADMIN
static void test_snapshot_merge(void) {
    skew_config c;
    skew_tracker *t;
    char a[512], b[512], out[512];
    skew_count vs[2], rs[8];
    skew_merge m;
    base_cfg(&c, &env);
    c.route_tracking = true;
    t = make(&c);
    open_sse(t, &env, 0, "route=/x", "__nkpv=v1");
    open_sse(t, &env, 1, "route=/y", "__nkpv=v2");
    skew_snapshot(t, a, sizeof a);
    CHECK_STR(a, "{\"total\":2,\"versions\":{\"v1\":1,\"v2\":1},\"routes\":{\"/x\":1,\"/y\":1}}");
    unmake(t);
    strcpy(b, "{\"total\":3,\"versions\":{\"v2\":2,\"v3\":1},\"routes\":{\"/x\":3},\"extra\":[1,{\"z\":null}]}");
    skew_merge_init(&m, vs, 2, rs, 8);
    CHECK_RES(skew_merge_add(&m, skew_str_c(a)), SKEW_OK);
    CHECK_RES(skew_merge_add(&m, skew_str_c(b)), SKEW_OK);
    CHECK_RES(skew_merge_add(&m, skew_str_c("{\"total\":-1}")), SKEW_ERR_INVALID);
    CHECK_RES(skew_merge_add(&m, skew_str_c("{\"total\":1,\"versions\":{\"v9\":\"x\"}}")), SKEW_ERR_INVALID);
    CHECK_RES(skew_merge_add(&m, skew_str_c("{\"total\":")), SKEW_ERR_INVALID);
    /* a snapshot that goes bad half way changes nothing (fuzz: corpus/merge/crash-partial-rollback) */
    CHECK_RES(skew_merge_add(&m, skew_str_c("{\"total\":7,\"versions\":{\"v1\":5,\"v9\":\"x\"}}")), SKEW_ERR_INVALID);
    CHECK_EQ_INT(m.total, 5);
    CHECK(m.overflow); /* v3 did not fit in 2 entries */
    skew_merge_write(&m, out, sizeof out);
    CHECK_STR(out, "{\"total\":5,\"versions\":{\"v1\":1,\"(other)\":4},\"routes\":{\"/x\":4,\"/y\":1}}");
}

#endif /* SKEW_ENABLE_ADMIN */

static void test_two_trackers(void) {
    skew_config c;
    skew_tracker *t1 = NULL, *t2 = NULL;
    base_cfg(&c, &env);
    CHECK_RES(skew_tracker_create(&t1, &c), SKEW_OK);
    c.base_path = "/other";
    CHECK_RES(skew_tracker_create(&t2, &c), SKEW_OK);
    open_sse(t1, &env, 0, NULL, NULL);
    {
        fake_req fh;
        skew_request r = make_req(&fh, "GET", "/other/sse", NULL, NULL);
        skew_handle h;
        CHECK_RES(skew_open(t2, &r, &env.conns[1], &h), SKEW_OK);
        skew_handle h1 = 5;
        CHECK_RES(skew_open(t1, &r, &env.conns[2], &h1), SKEW_ERR_INVALID); /* not t1's path */
        CHECK_EQ_INT(h1, 0);
        CHECK_RES(skew_close(t2, h, SKEW_CLOSE_CLIENT), SKEW_OK);
        CHECK_EQ_INT(skew_total(t2), 0);
        CHECK_RES(skew_open(t2, &r, &env.conns[1], &h), SKEW_OK);
    }
    CHECK_EQ_INT(skew_total(t1), 1);
    CHECK_EQ_INT(skew_total(t2), 1);
    skew_tracker_destroy(t1);
    skew_tracker_destroy(t2);
    env_reset_msgs(&env);
    memset(&env, 0, sizeof env);
}

/* Hooks run under the lock; the lock hooks are called in pairs. */
static int lock_depth = 0, lock_calls = 0;
static void my_lock(void *ud) { (void)ud; lock_depth++; lock_calls++; }
static void my_unlock(void *ud) { (void)ud; lock_depth--; }
static skew_result locked_send(void *ud, const skew_conn *c, const char *m, size_t n) {
    CHECK_EQ_INT(lock_depth, 1);
    return fake_send(ud, c, m, n);
}
static void test_locks(void) {
    skew_config c;
    skew_tracker *t;
    skew_handle h;
    base_cfg(&c, &env);
    c.hooks.lock = my_lock;
    c.hooks.unlock = my_unlock;
    c.hooks.send = locked_send;
    t = make(&c);
    h = open_sse(t, &env, 0, NULL, NULL);
    skew_tick(t, 999999999);
    skew_close(t, h, SKEW_CLOSE_CLIENT);
    CHECK_EQ_INT(lock_depth, 0);
    CHECK(lock_calls >= 3);
    unmake(t);
}

int main(void) {
    test_results_and_config();
    test_caller_buffer();
    test_open_connected();
    test_routes_from_query();
    test_counts_and_stats();
    test_ws_messages();
    test_coalescing();
    test_keepalive();
    test_limits();
    test_max_listed();
    test_sink();
    test_slow_consumer();
    test_bots_and_open_errors();
#if SKEW_ENABLE_HTTP
    test_http();
#endif
    test_numbers();
    test_chacha_known_answers();
    test_reseed_keeps_tables();
    test_json_writer();
    test_json_reader();
    test_url_query_cookie_route();
    test_auth_bearer();
#if SKEW_ENABLE_ADMIN
    test_snapshot_merge();
#endif
    test_two_trackers();
    test_locks();
    TEST_MAIN_END();
}
