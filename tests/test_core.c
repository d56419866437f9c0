/* Black-box tests of the tracker core: config, memory, registry, stats pushes, time, limits, locks.
   The JSON, HTTP and white-box tests are tests/test_json.c, test_http.c and test_internals.c. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "skew_test.h"
#include "fake_transport.h"

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
    CHECK_EQ_INT(skew_get_total(t), 1);
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

/* the connection h is tracked and counted under version `want` */
static bool version_is(skew_tracker *t, skew_handle h, const char *want) {
    skew_conn ci;
    return skew_get_conn(t, h, &ci) == SKEW_OK && ci.version.len == strlen(want) &&
           memcmp(ci.version.ptr, want, ci.version.len) == 0;
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
    CHECK_RES(skew_get_conn(t, h, &info), SKEW_OK);
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
    CHECK(version_is(t, open_sse(t, &env, 1, NULL, NULL), "v2"));
    CHECK(strstr(env.conns[1].msgs[0], "\"timestamp\":1700000000124}") != NULL);
    CHECK(version_is(t, open_sse(t, &env, 2, NULL, "__nkpv="), "v2"));
    /* percent-encoded and quoted cookies are decoded */
    CHECK(version_is(t, open_sse(t, &env, 3, NULL, "__nkpv=\"v%201\""), "v 1"));
    /* a control character or broken escape folds into "(other)" and is counted as invalid */
    CHECK(version_is(t, open_sse(t, &env, 4, NULL, "__nkpv=a%01b"), "(other)"));
    h = open_sse(t, &env, 5, NULL, "__nkpv=%zz");
    CHECK_RES(skew_get_conn(t, h, &info), SKEW_OK);
    CHECK(memcmp(info.version.ptr, "(other)", 7) == 0);
    {
        /* a client whose cookie says "(other)" joins that bucket: no key twice in the map */
        skew_count vc[8];
        size_t n, i;
        h = open_sse(t, &env, 10, NULL, "__nkpv=(other)");
        n = skew_list_versions(t, vc, 8);
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
    CHECK_EQ_INT(skew_get_total(t), 7);
    /* a cookie too long for max_version_len (64) */
    {
        char ck[128];
        memset(ck, 0, sizeof ck);
        strcpy(ck, "__nkpv=");
        memset(ck + 7, 'x', 65);
        h = open_sse(t, &env, 6, NULL, ck);
        CHECK_RES(skew_get_conn(t, h, &info), SKEW_OK);
        CHECK(memcmp(info.version.ptr, "(other)", 7) == 0);
        ck[7 + 64] = '\0'; /* exactly 64 fits */
        h = open_sse(t, &env, 7, NULL, ck);
        CHECK_RES(skew_get_conn(t, h, &info), SKEW_OK);
        CHECK_EQ_INT(info.version.len, 64);
    }
    /* two ids differ */
    {
        skew_conn a, b;
        skew_handle h1 = open_sse(t, &env, 8, NULL, NULL), h2 = open_sse(t, &env, 9, NULL, NULL);
        skew_get_conn(t, h1, &a);
        skew_get_conn(t, h2, &b);
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
    skew_get_conn(t, h, &info);
    CHECK(info.route.len == 7 && memcmp(info.route.ptr, "/docs/a", 7) == 0);
    h = open_sse(t, &env, 1, "x=1&route=/first&route=/second", NULL);
    skew_get_conn(t, h, &info);
    CHECK(info.route.len == 6 && memcmp(info.route.ptr, "/first", 6) == 0);
    h = open_sse(t, &env, 2, "route=relative", NULL);
    skew_get_conn(t, h, &info);
    CHECK(info.route.len == 1 && info.route.ptr[0] == '/');
    h = open_sse(t, &env, 3, "route=/0123456789abcde", NULL); /* 16 bytes: the limit */
    skew_get_conn(t, h, &info);
    CHECK_EQ_INT(info.route.len, 16);
    h = open_sse(t, &env, 4, "route=/0123456789abcdef", NULL); /* 17 bytes: too long */
    skew_get_conn(t, h, &info);
    CHECK_EQ_INT(info.route.len, 1);
    h = open_sse(t, &env, 5, "route=/a%0Ab", NULL); /* newline */
    skew_get_conn(t, h, &info);
    CHECK_EQ_INT(info.route.len, 1);
    h = open_sse(t, &env, 6, "route=/caf%C3%A9", NULL); /* UTF-8 is fine */
    skew_get_conn(t, h, &info);
    CHECK_EQ_INT(info.route.len, 6);
    h = open_sse(t, &env, 7, "route=/caf%E9", NULL); /* Latin-1 byte: invalid UTF-8 */
    skew_get_conn(t, h, &info);
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
    CHECK_EQ_INT(skew_get_total(t), 3);
    n = skew_list_versions(t, vc, 8);
    CHECK_EQ_INT(n, 2);
    CHECK(vc[0].name.len == 6 && memcmp(vc[0].name.ptr, "v1.0.0", 6) == 0 && vc[0].count == 2);
    CHECK(vc[1].count == 1);
    CHECK_EQ_INT(skew_list_versions(t, NULL, 0), 2);
    CHECK_EQ_INT(skew_list_routes(t, NULL, 0), 2);
    CHECK_EQ_INT(skew_get_rollout_permille(t), 0); /* server is "dev" */
    skew_set_server_version(t, skew_str_c("v1.0.0"));
    CHECK_EQ_INT(skew_get_rollout_permille(t), 667);
    CHECK_EQ_INT(count_type(&env, 0, "version"), 1);
    CHECK_STR(last_msg(&env, 2), "{\"type\":\"version\",\"version\":\"v1.0.0\"}");

    /* a WS subscriber with the token: stats right away with yourId */
    sub = open_ws(t, &env, 10, "route=/admin", "__nkpv=v1.0.0", "Bearer s3cret");
    CHECK_RES(skew_ws_message(t, sub, skew_str_n("{\"type\":\"subscribe-stats\"}", strlen("{\"type\":\"subscribe-stats\"}"))), SKEW_OK);
    CHECK_EQ_INT(skew_get_subscriber_count(t), 1);
    skew_get_conn(t, h[0], &ci[0]);
    skew_get_conn(t, h[1], &ci[1]);
    skew_get_conn(t, h[2], &ci[2]);
    skew_get_conn(t, sub, &si);
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
    CHECK_EQ_INT(skew_write_stats(t, sub, buf, sizeof buf), strlen(want));
    CHECK_STR(buf, want);
    CHECK_EQ_INT(skew_write_stats(t, sub, NULL, 0), strlen(want));

    /* close: counts fall, a count of 0 disappears, the subscriber hears it at once */
    CHECK_RES(skew_close(t, h[2], SKEW_CLOSE_REASON_CLIENT), SKEW_OK);
    CHECK(strstr(last_msg(&env, 10), "\"versions\":{\"v1.0.0\":3}") != NULL);
    CHECK(strstr(last_msg(&env, 10), "\"/b\"") == NULL);
    CHECK(strstr(last_msg(&env, 10), "\"total\":3") != NULL);
    CHECK_EQ_INT(env.closes, 1);
    CHECK(env.conns[2].closed && env.conns[2].reason == SKEW_CLOSE_REASON_CLIENT);
    /* stale handle */
    CHECK_RES(skew_close(t, h[2], SKEW_CLOSE_REASON_CLIENT), SKEW_ERR_STALE);
    CHECK_RES(skew_set_route(t, h[2], skew_str_c("/x")), SKEW_ERR_STALE);
    CHECK_RES(skew_close(t, 0, SKEW_CLOSE_REASON_CLIENT), SKEW_ERR_NOT_FOUND);
    CHECK_RES(skew_close(t, ((skew_handle)1 << 32) | 99999, SKEW_CLOSE_REASON_CLIENT), SKEW_ERR_NOT_FOUND);
    CHECK_EQ_INT(env.closes, 1);

    /* route change via WS: a route named /shipping is a route, not a ping */
    {
        size_t before = env.conns[10].nmsg;
        CHECK_RES(skew_ws_message(t, sub, skew_str_n("{\"type\":\"route-update\",\"route\":\"/shipping\"}", strlen("{\"type\":\"route-update\",\"route\":\"/shipping\"}"))), SKEW_OK);
        CHECK_EQ_INT(count_type(&env, 10, "pong"), 0);
        CHECK_EQ_INT(env.conns[10].nmsg, before + 1);
        CHECK(strstr(last_msg(&env, 10), "\"/shipping\":1") != NULL);
        CHECK_EQ_INT(env.route_updates, 1);
        CHECK_STR(env.last_old_route, "/admin");
    }
    /* unsubscribe stops the pushes */
    CHECK_RES(skew_ws_message(t, sub, skew_str_n("{\"type\":\"unsubscribe-stats\"}", strlen("{\"type\":\"unsubscribe-stats\"}"))), SKEW_OK);
    CHECK_EQ_INT(skew_get_subscriber_count(t), 0);
    {
        size_t before = env.conns[10].nmsg;
        skew_close(t, h[1], SKEW_CLOSE_REASON_CLIENT);
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
    CHECK_RES(skew_ws_message(t, h, skew_str_n("ping", strlen("ping"))), SKEW_OK);
    CHECK_STR(last_msg(&env, 0), "{\"type\":\"pong\"}");
    CHECK_RES(skew_ws_message(t, h, skew_str_n("{\"type\":\"ping\"}", strlen("{\"type\":\"ping\"}"))), SKEW_OK);
    CHECK_EQ_INT(count_type(&env, 0, "pong"), 2);
    CHECK_RES(skew_ws_message(t, h, skew_str_n(" { \"type\" : \"ping\" } ", strlen(" { \"type\" : \"ping\" } "))), SKEW_OK);
    CHECK_EQ_INT(count_type(&env, 0, "pong"), 3);
    /* near misses are ignored, never ponged */
    CHECK_RES(skew_ws_message(t, h, skew_str_n("pingx", strlen("pingx"))), SKEW_ERR_INVALID);
    CHECK_RES(skew_ws_message(t, h, skew_str_n("PING", strlen("PING"))), SKEW_ERR_INVALID);
    CHECK_RES(skew_ws_message(t, h, skew_str_n("{\"type\":\"ping\"", strlen("{\"type\":\"ping\""))), SKEW_ERR_INVALID);
    CHECK_RES(skew_ws_message(t, h, skew_str_n("{\"type\":\"pingpong\"}", strlen("{\"type\":\"pingpong\"}"))), SKEW_ERR_INVALID);
    CHECK_RES(skew_ws_message(t, h, skew_str_n("{\"x\":\"ping\"}", strlen("{\"x\":\"ping\"}"))), SKEW_ERR_INVALID);
    CHECK_RES(skew_ws_message(t, h, skew_str_n("", strlen(""))), SKEW_ERR_INVALID);
    CHECK_RES(skew_ws_message(t, h, skew_str_n(NULL, 10)), SKEW_ERR_INVALID);
    CHECK_RES(skew_ws_message(t, h, skew_str_n("\xff\xfe\x00garbage", strlen("\xff\xfe\x00garbage"))), SKEW_ERR_INVALID);
    CHECK_EQ_INT(count_type(&env, 0, "pong"), 3);
    /* route-update with a non-string route, a relative route, a huge route */
    CHECK_RES(skew_ws_message(t, h, skew_str_n("{\"type\":\"route-update\",\"route\":42}", strlen("{\"type\":\"route-update\",\"route\":42}"))), SKEW_ERR_INVALID);
    CHECK_RES(skew_ws_message(t, h, skew_str_n("{\"type\":\"route-update\",\"route\":\"x\"}", strlen("{\"type\":\"route-update\",\"route\":\"x\"}"))), SKEW_ERR_INVALID);
    CHECK_RES(skew_ws_message(t, h, skew_str_n("{\"type\":\"route-update\"}", strlen("{\"type\":\"route-update\"}"))), SKEW_ERR_INVALID);
    {
        char big[600];
        int n = snprintf(big, sizeof big, "{\"type\":\"route-update\",\"route\":\"/%0300d\"}", 0);
        CHECK_RES(skew_ws_message(t, h, skew_str_n(big, (size_t)n)), SKEW_ERR_TOO_LONG);
    }
    /* escapes decode before the route is checked: \u002f is '/' */
    CHECK_RES(skew_ws_message(t, h, skew_str_n("{\"type\":\"route-update\",\"route\":\"\\u002fok\"}", strlen("{\"type\":\"route-update\",\"route\":\"\\u002fok\"}"))), SKEW_OK);
    {
        skew_conn ci;
        skew_get_conn(t, h, &ci);
        CHECK(ci.route.len == 3 && memcmp(ci.route.ptr, "/ok", 3) == 0);
    }
    /* a nesting bomb is refused by depth, not by the stack */
    for (i = 0; i < sizeof deep; i++) deep[i] = '[';
    CHECK_RES(skew_ws_message(t, h, skew_str_n(deep, sizeof deep)), SKEW_ERR_INVALID);
    CHECK_EQ_INT(skew_get_total(t), 1);
    /* subscribe without authorization (no hook answer) */
    CHECK_RES(skew_ws_message(t, h, skew_str_n("{\"type\":\"subscribe-stats\"}", strlen("{\"type\":\"subscribe-stats\"}"))), SKEW_ERR_UNAUTHORIZED);
    CHECK_STR(last_msg(&env, 0), "{\"type\":\"stats-unauthorized\"}");
    CHECK_EQ_INT(skew_get_subscriber_count(t), 0);
    CHECK_RES(skew_ws_message(t, h, skew_str_n("{\"type\":\"subscribe-stats\"}", strlen("{\"type\":\"subscribe-stats\"}"))), SKEW_ERR_UNAUTHORIZED);
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
    skew_ws_message(t, sub, skew_str_n("{\"type\":\"subscribe-stats\"}", strlen("{\"type\":\"subscribe-stats\"}")));
    CHECK_EQ_INT(count_type(&env, 0, "stats"), 1);
    for (i = 0; i < 20; i++) hs[i] = open_sse(t, &env, 1 + i, NULL, NULL);
    for (i = 0; i < 10; i++) skew_close(t, hs[i], SKEW_CLOSE_REASON_CLIENT);
    CHECK_EQ_INT(count_type(&env, 0, "stats"), 1); /* nothing before the window ends */
    CHECK_EQ_INT(skew_get_next_due(t, 1000), 100);      /* the push is due at the window's end */
    CHECK_EQ_INT(skew_get_next_due(t, 1200), 0);
    wait = skew_tick(t, 1050);
    CHECK_EQ_INT(count_type(&env, 0, "stats"), 1);
    CHECK_EQ_INT(wait, 50);
    skew_tick(t, 1100);
    CHECK_EQ_INT(count_type(&env, 0, "stats"), 2); /* one snapshot for 30 events */
    CHECK(strstr(last_msg(&env, 0), "\"total\":11") != NULL);
    skew_tick(t, 1300);
    CHECK_EQ_INT(count_type(&env, 0, "stats"), 2); /* nothing changed: nothing sent */
    /* a change right after a push is not lost: the final state always arrives */
    skew_close(t, hs[10], SKEW_CLOSE_REASON_CLIENT);
    skew_tick(t, 1350);
    skew_tick(t, 1400);
    CHECK_EQ_INT(count_type(&env, 0, "stats"), 3);
    CHECK(strstr(last_msg(&env, 0), "\"total\":10") != NULL);
    /* later changes do not postpone a due push */
    skew_close(t, hs[11], SKEW_CLOSE_REASON_CLIENT);
    skew_tick(t, 1450);
    skew_close(t, hs[12], SKEW_CLOSE_REASON_CLIENT);
    skew_tick(t, 1500);
    CHECK_EQ_INT(count_type(&env, 0, "stats"), 4);
    CHECK(strstr(last_msg(&env, 0), "\"total\":8") != NULL);
    /* the clock going backwards does not strand a pending push */
    skew_close(t, hs[13], SKEW_CLOSE_REASON_CLIENT);
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
    CHECK_EQ_INT(skew_get_next_due(t, 5000), 0); /* not started: tick now */
    CHECK_EQ_INT(skew_tick(t, 5000), 1000);  /* the first tick starts the period */
    open_sse(t, &env, 0, NULL, NULL);
    open_ws(t, &env, 1, NULL, NULL, NULL);
    CHECK_EQ_INT(skew_tick(t, 5500), 500);
    CHECK_EQ_INT(skew_get_next_due(t, 5600), 400);
    CHECK_EQ_INT(count_type(&env, 0, "keepalive"), 0);
    env.now = 6000; /* the wall clock (hooks.epoch_ms) stamps the keepalive */
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
    CHECK_EQ_INT(skew_get_total(t), 1);
    CHECK(env.conns[0].closed && env.conns[0].reason == SKEW_CLOSE_REASON_SEND_FAILED);
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
    c.max_versions = 3; /* one entry is the server's build, pinned (table poisoning) */
    c.route_tracking = true;
    c.max_routes = 1;
    t = make(&c);
    open_sse(t, &env, 0, "route=/a", "__nkpv=v1");
    open_sse(t, &env, 1, "route=/b", "__nkpv=v2");
    h = open_sse(t, &env, 2, "route=/c", "__nkpv=v3");
    /* versions beyond the table fold into "(other)": totals stay exact */
    CHECK_EQ_INT(skew_list_versions(t, vc, 4), 3);
    CHECK(vc[0].name.len == 7 && memcmp(vc[0].name.ptr, "(other)", 7) == 0 && vc[0].count == 1);
    CHECK_EQ_INT(skew_list_routes(t, NULL, 0), 2);
    /* the fourth connection is refused and nothing changes */
    r = make_req(&fh, "GET", "/__skew/sse", NULL, NULL);
    {
        skew_handle nh = 77;
        CHECK_RES(skew_open(t, &r, &env.conns[3], &nh), SKEW_ERR_FULL);
        CHECK_EQ_INT(nh, 0);
    }
    CHECK_EQ_INT(skew_get_total(t), 3);
    skew_get_metrics(t, &m);
    CHECK_EQ_INT(m.refused_full, 1);
    CHECK_EQ_INT(env.logs[SKEW_LOG_LEVEL_WARN], 1);
    CHECK_EQ_INT(env.conns[3].nmsg, 0);
    /* a slot freed is usable again; the old handle stays stale */
    skew_close(t, h, SKEW_CLOSE_REASON_CLIENT);
    CHECK_EQ_INT(skew_list_versions(t, NULL, 0), 2);
    {
        skew_handle nh = 0;
        CHECK_RES(skew_open(t, &r, &env.conns[3], &nh), SKEW_OK);
        CHECK(nh != h && (nh & 0xFFFFFFFFu) == (h & 0xFFFFFFFFu));
        CHECK_RES(skew_get_conn(t, h, NULL), SKEW_ERR_INVALID);
        {
            skew_conn ci;
            CHECK_RES(skew_get_conn(t, h, &ci), SKEW_ERR_STALE);
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
    skew_write_stats(t, 0, buf, sizeof buf);
    for (p = buf; (p = strstr(p, "{\"id\"")) != NULL; p++) entries++;
    CHECK_EQ_INT(entries, 3);
    CHECK(strstr(buf, "\"total\":10") != NULL);
    CHECK(strstr(buf, "\"versions\":{\"dev\":10}") != NULL);
    CHECK(strstr(buf, "yourId") == NULL);
    CHECK(skew_json_validate(skew_str_c(buf)) == SKEW_OK);
    /* a buffer too small for the whole message: truncated output, exact size reported, NUL */
    {
        char small[40];
        size_t need = skew_write_stats(t, 0, small, sizeof small);
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
    res = skew_write_stats_sink(t, 0, 1000, sink_fn, &s, &n);
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
    res = skew_write_stats_sink(t, 0, 1000, sink_fn, &s, NULL);
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
    skew_ws_message(t, sub1, skew_str_n("{\"type\":\"subscribe-stats\"}", strlen("{\"type\":\"subscribe-stats\"}")));
    skew_ws_message(t, sub2, skew_str_n("{\"type\":\"subscribe-stats\"}", strlen("{\"type\":\"subscribe-stats\"}")));
    env.conns[1].fail_with = SKEW_ERR_SLOW;
    open_sse(t, &env, 2, NULL, NULL); /* the push to sub2 fails: it is closed, sub1 told */
    CHECK_EQ_INT(skew_get_total(t), 2);
    CHECK(env.conns[1].closed && env.conns[1].reason == SKEW_CLOSE_REASON_SLOW);
    CHECK(strstr(last_msg(&env, 0), "\"total\":2") != NULL);
    skew_get_metrics(t, &m);
    CHECK_EQ_INT(m.slow_dropped, 1);
    CHECK_EQ_INT(env.logs[SKEW_LOG_LEVEL_INFO], 1);
    CHECK_EQ_INT(skew_get_subscriber_count(t), 1);
    /* a connection whose `connected` cannot be sent is never tracked */
    env.conns[3].fail_with = SKEW_ERR_SEND;
    {
        fake_req fh;
        skew_request r = make_req(&fh, "GET", "/__skew/sse", NULL, NULL);
        skew_handle nh;
        int closes = env.closes;
        CHECK_RES(skew_open(t, &r, &env.conns[3], &nh), SKEW_ERR_SEND);
        CHECK_EQ_INT(skew_get_total(t), 2);
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
    CHECK_EQ_INT(skew_get_total(t), 0);
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
    { /* skew_open's own path check says what skew_route_path says, on near misses too */
        static const char *const paths[] = {"/__skew/sse", "/__skew/ws", "/__skew/sse/", "/__skew/ssex", "/__skew/ws/",
                                            "/__skew/w", "/__skew/SSE", "/__skewer/sse", "/__skew", "/__skew/",
                                            "/__sk", "/x/__skew/sse", "/__skew//sse", "/__skew/sse?x", ""};
        size_t k;
        for (k = 0; k < sizeof paths / sizeof paths[0]; k++) {
            skew_endpoint ep;
            skew_conn view;
            r.path = skew_str_c(paths[k]);
            ep = skew_route_path(t, r.path);
            if (ep != SKEW_ENDPOINT_SSE && ep != SKEW_ENDPOINT_WS) {
                CHECK_RES(skew_open(t, &r, &env.conns[0], &h), SKEW_ERR_INVALID);
                continue;
            }
            CHECK_RES(skew_open(t, &r, &env.conns[0], &h), SKEW_OK);
            CHECK_RES(skew_get_conn(t, h, &view), SKEW_OK);
            CHECK(view.transport == (ep == SKEW_ENDPOINT_WS ? SKEW_TRANSPORT_WS : SKEW_TRANSPORT_SSE));
            CHECK_RES(skew_close(t, h, SKEW_CLOSE_REASON_CLIENT), SKEW_OK);
        }
        CHECK_EQ_INT(skew_get_total(t), 0);
    }
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
        CHECK_RES(skew_close(t2, h, SKEW_CLOSE_REASON_CLIENT), SKEW_OK);
        CHECK_EQ_INT(skew_get_total(t2), 0);
        CHECK_RES(skew_open(t2, &r, &env.conns[1], &h), SKEW_OK);
    }
    CHECK_EQ_INT(skew_get_total(t1), 1);
    CHECK_EQ_INT(skew_get_total(t2), 1);
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
    skew_close(t, h, SKEW_CLOSE_REASON_CLIENT);
    CHECK_EQ_INT(lock_depth, 0);
    CHECK(lock_calls >= 3);
    unmake(t);
}

int main(void) {
    SUBTEST("results_and_config", test_results_and_config);
    SUBTEST("caller_buffer", test_caller_buffer);
    SUBTEST("open_connected", test_open_connected);
    SUBTEST("routes_from_query", test_routes_from_query);
    SUBTEST("counts_and_stats", test_counts_and_stats);
    SUBTEST("ws_messages", test_ws_messages);
    SUBTEST("coalescing", test_coalescing);
    SUBTEST("keepalive", test_keepalive);
    SUBTEST("limits", test_limits);
    SUBTEST("max_listed", test_max_listed);
    SUBTEST("sink", test_sink);
    SUBTEST("slow_consumer", test_slow_consumer);
    SUBTEST("bots_and_open_errors", test_bots_and_open_errors);
    SUBTEST("two_trackers", test_two_trackers);
    SUBTEST("locks", test_locks);
    TEST_MAIN_END();
}
