/* Config matrix, tiny capacities: one connection, one version, one route, the shortest lengths,
   one listed connection and the smallest message buffer the configuration accepts, all inside a
   caller buffer of exactly skew_tracker_memory_size() bytes. Every limit is hit exactly at its
   boundary and everything written stays valid JSON. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "skew_test.h"

#include <stdlib.h>

static char last[2048];
static size_t last_len;
static int sends, closes;

static skew_result t_send(void *ud, const skew_conn *c, const char *msg, size_t len) {
    (void)ud;
    (void)c;
    sends++;
    last_len = len < sizeof last - 1 ? len : sizeof last - 1;
    memcpy(last, msg, last_len);
    last[last_len] = '\0';
    return SKEW_OK;
}
static void t_close(void *ud, const skew_conn *c, skew_close_reason r) {
    (void)ud;
    (void)c;
    (void)r;
    closes++;
}
static uint64_t t_now(void *ud) {
    (void)ud;
    return 1700000000000ull;
}
static skew_result t_random(void *ud, void *buf, size_t len) {
    static uint32_t x = 88172645u; /* deterministic: a test, not a CSPRNG */
    size_t i;
    (void)ud;
    for (i = 0; i < len; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        ((unsigned char *)buf)[i] = (unsigned char)(x >> 24);
    }
    return SKEW_OK;
}
static skew_auth_result t_auth(void *ud, const skew_request *req, skew_auth_scope s) {
    (void)ud;
    (void)req;
    (void)s;
    return SKEW_AUTH_RESULT_GRANTED;
}

typedef struct one_cookie {
    const char *cookie;
} one_cookie;
static skew_str t_header(void *ctx, const char *name) {
    const one_cookie *h = (const one_cookie *)ctx;
    if (strcmp(name, "user-agent") == 0)
        return skew_str_c("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Firefox/120.0");
    if (strcmp(name, "cookie") == 0 && h->cookie) return skew_str_c(h->cookie);
    return skew_str_n(NULL, 0);
}

static skew_result open_one(skew_tracker *t, const char *query, const char *cookie, bool ws, skew_handle *h) {
    skew_request r;
    one_cookie hc;
    memset(&r, 0, sizeof r);
    hc.cookie = cookie;
    r.method = STRV("GET");
    r.path = ws ? STRV("/__skew/ws") : STRV("/__skew/sse");
    r.query = skew_str_c(query);
    r.upgrade = ws;
    r.header = t_header;
    r.header_ctx = &hc;
    return skew_open(t, &r, NULL, h);
}

static void tiny_cfg(skew_config *c) {
    memset(c, 0, sizeof *c);
    c->server_version = "v1";
    c->route_tracking = true;
    c->ip_tracking = true;
    c->stats_interval_ms = SKEW_STATS_IMMEDIATE;
    c->max_connections = 1;
    c->reserved_stats_slots = SKEW_STATS_RESERVE_NONE; /* t_auth grants all: no slot past the one */
    c->max_versions = 1;
    c->max_routes = 1;
    c->max_version_len = 2;
    c->max_route_len = 2;
    c->max_listed = 1;
    c->max_body = 1;
    c->hooks.send = t_send;
    c->hooks.on_close = t_close;
    c->hooks.epoch_ms = t_now;
    c->hooks.random_bytes = t_random;
    c->hooks.authorize = t_auth;
}

/* the smallest message_buffer the configuration accepts */
static uint32_t smallest_buffer(const skew_config *base) {
    skew_config c = *base;
    uint32_t lo = 1, hi = 1u << 20;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        c.message_buffer = mid;
        if (skew_config_resolve(&c, NULL) == SKEW_OK) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

static void test_tiny(void) {
    skew_config c;
    skew_tracker *t = NULL;
    skew_handle h = 0, h2 = 0, old;
    size_t need, n;
    void *mem;
    skew_count cnt[4];
    static char buf[8192];
    skew_conn conn;

    tiny_cfg(&c);
    c.message_buffer = smallest_buffer(&c);
    CHECK(c.message_buffer > 1);
    {
        skew_config d = c;
        d.message_buffer = c.message_buffer - 1; /* one byte under: refused */
        CHECK_RES(skew_config_resolve(&d, NULL), SKEW_ERR_CONFIG);
        CHECK_EQ_INT(skew_tracker_memory_size(&d), 0);
    }
    need = skew_tracker_memory_size(&c);
    CHECK(need > 0);
    mem = malloc(need + 16);
    if (!mem) return;
    {
        char *aligned = (char *)mem + ((16u - ((uintptr_t)mem & 15u)) & 15u);
        CHECK_RES(skew_tracker_init(&t, &c, aligned, need - 1), SKEW_ERR_NOMEM);
        CHECK_RES(skew_tracker_init(&t, &c, aligned, need), SKEW_OK);
    }
    if (!t) {
        free(mem);
        return;
    }

    /* one connection: the second is refused, the first's route is "/" (a 2-byte route fits,
       3 bytes do not), its version "(other)" cut to 2 bytes: the one entry of max_versions 1
       is the server's build, pinned (table poisoning) */
    CHECK_RES(open_one(t, "route=%2Fab", "__nkpv=v2", true, &h), SKEW_OK);
    CHECK_RES(open_one(t, "", NULL, false, &h2), SKEW_ERR_FULL);
    CHECK(h2 == 0);
    CHECK_EQ_INT(skew_get_total(t), 1);
    CHECK_RES(skew_get_conn(t, h, &conn), SKEW_OK);
    CHECK(conn.route.len == 1 && conn.route.ptr[0] == '/');
    CHECK(conn.version.len == 2 && memcmp(conn.version.ptr, "(o", 2) == 0);
    CHECK_RES(skew_set_route(t, h, STRV("/a")), SKEW_OK);
    CHECK_RES(skew_set_route(t, h, STRV("/ab")), SKEW_ERR_TOO_LONG);
    CHECK_RES(skew_set_route(t, h, STRV("/ab?query=is-cut")), SKEW_ERR_TOO_LONG);
    CHECK_RES(skew_set_route(t, h, STRV("/b?query=is-cut")), SKEW_OK);
    CHECK_RES(skew_get_conn(t, h, &conn), SKEW_OK);
    CHECK(conn.route.len == 2 && memcmp(conn.route.ptr, "/b", 2) == 0);

    /* subscribe: the whole stats message fits the smallest buffer and is valid JSON */
    CHECK_RES(skew_ws_message(t, h, skew_str_n("{\"type\":\"subscribe-stats\"}", 26)), SKEW_OK);
    CHECK(strncmp(last, "{\"type\":\"stats\"", 15) == 0);
    CHECK_RES(skew_json_validate(skew_str_n(last, last_len)), SKEW_OK);
    CHECK(strstr(last, "\"yourId\":\"") != NULL);
    CHECK(last_len < c.message_buffer);

    /* close and reopen: the old handle is stale, the slot is reused */
    old = h;
    CHECK_RES(skew_close(t, h, SKEW_CLOSE_REASON_CLIENT), SKEW_OK);
    CHECK_EQ_INT(closes, 1);
    CHECK_RES(skew_close(t, old, SKEW_CLOSE_REASON_CLIENT), SKEW_ERR_STALE);
    CHECK_EQ_INT(skew_get_total(t), 0);
    CHECK_EQ_INT(skew_list_versions(t, NULL, 0), 0);
    CHECK_RES(open_one(t, "", "__nkpv=v3", false, &h), SKEW_OK);
    CHECK(h != old);
    CHECK_RES(skew_get_conn(t, old, &conn), SKEW_ERR_STALE);

    /* a 3-byte version does not fit max_version_len 2: it counts under "(other)", cut to the
       2 bytes an entry holds, and the JSON stays valid */
    CHECK_RES(skew_close(t, h, SKEW_CLOSE_REASON_CLIENT), SKEW_OK);
    CHECK_RES(open_one(t, "", "__nkpv=v10", false, &h), SKEW_OK);
    n = skew_list_versions(t, cnt, 4);
    CHECK_EQ_INT(n, 1);
    if (n == 1) {
        CHECK_EQ_INT(cnt[0].count, 1);
        CHECK(cnt[0].name.len <= 2);
    }
    n = skew_write_stats(t, h, buf, sizeof buf);
    CHECK(n < sizeof buf);
    CHECK_RES(skew_json_validate(skew_str_n(buf, n)), SKEW_OK);
#if SKEW_ENABLE_ADMIN
    n = skew_snapshot(t, buf, sizeof buf);
    CHECK(n < sizeof buf);
    CHECK_RES(skew_json_validate(skew_str_n(buf, n)), SKEW_OK);
    n = skew_write_metrics(t, buf, sizeof buf);
    CHECK(n < sizeof buf);
#endif

#if SKEW_ENABLE_HTTP
    /* max_body 1: a one-byte body is read, two bytes are refused with 413 */
    {
        skew_request r;
        skew_response resp;
        one_cookie hc;
        memset(&r, 0, sizeof r);
        hc.cookie = NULL;
        r.method = STRV("POST");
        r.path = STRV("/__skew/route");
        r.header = t_header;
        r.header_ctx = &hc;
        r.body = STRV("{}");
        CHECK_RES(skew_http(t, &r, &resp, buf, sizeof buf), SKEW_OK);
        CHECK_EQ_INT(resp.status, 413);
        r.body = STRV("x");
        CHECK_RES(skew_http(t, &r, &resp, buf, sizeof buf), SKEW_OK);
        CHECK_EQ_INT(resp.status, 400);
    }
#endif
    skew_close_all(t);
    CHECK_EQ_INT(skew_get_total(t), 0);
    skew_tracker_destroy(t); /* a no-op for skew_tracker_init memory */
    free(mem);
}

/* Two trackers of one connection each in one process share nothing. */
static void test_two_tiny(void) {
    skew_config c;
    skew_tracker *a = NULL, *b = NULL;
    skew_handle ha = 0, hb = 0;
    tiny_cfg(&c);
    CHECK_RES(skew_tracker_create(&a, &c), SKEW_OK);
    CHECK_RES(skew_tracker_create(&b, &c), SKEW_OK);
    if (!a || !b) return;
    CHECK_RES(open_one(a, "", NULL, false, &ha), SKEW_OK);
    CHECK_RES(open_one(b, "", NULL, false, &hb), SKEW_OK);
    CHECK_RES(open_one(a, "", NULL, false, &hb), SKEW_ERR_FULL);
    CHECK_EQ_INT(skew_get_total(a), 1);
    CHECK_EQ_INT(skew_get_total(b), 1);
    CHECK_RES(skew_close(a, ha, SKEW_CLOSE_REASON_CLIENT), SKEW_OK);
    CHECK_EQ_INT(skew_get_total(b), 1);
    skew_tracker_destroy(a);
    skew_tracker_destroy(b);
}

/* Limits one past their maxima are configuration errors, at the maxima they are not. */
static void test_limit_edges(void) {
    skew_config c;
    tiny_cfg(&c);
    c.max_connections = 0;
    CHECK_RES(skew_config_resolve(&c, NULL), SKEW_OK); /* zero means default */
    c.max_version_len = 1;
    CHECK_RES(skew_config_resolve(&c, NULL), SKEW_ERR_CONFIG); /* "v1" does not fit */
    c.server_version = "v";
    CHECK_RES(skew_config_resolve(&c, NULL), SKEW_OK);
    c.max_route_len = 1;
    CHECK_RES(skew_config_resolve(&c, NULL), SKEW_OK);
    c.base_path = "/"; /* its endpoints would be "//sse" */
    CHECK_RES(skew_config_resolve(&c, NULL), SKEW_ERR_CONFIG);
    c.base_path = "/s"; /* the shortest base path */
    CHECK_RES(skew_config_resolve(&c, NULL), SKEW_OK);
    c.base_path = "x";
    CHECK_RES(skew_config_resolve(&c, NULL), SKEW_ERR_CONFIG);
}

int main(void) {
    test_tiny();
    test_two_tiny();
    test_limit_edges();
    TEST_MAIN_END();
}
