/* Hostile clients at the tracker's limits (issue 17): string tables filled with junk, text that
   hides or reorders what a dashboard shows, many connections from one address. Each group
   drives the public API to the boundary and checks what a real client still gets. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "skew_test.h"
#include "fake_transport.h"

#define MANY 400
static fake_conn many[MANY];

static void many_reset(void) {
    int i;
    size_t j;
    for (i = 0; i < MANY; i++) {
        for (j = 0; j < many[i].nmsg; j++) free(many[i].msgs[j]);
        memset(&many[i], 0, sizeof many[i]);
    }
}

/* Open an SSE stream on many[c] with this query and cookie; returns the result. */
static skew_result open_many(skew_tracker *t, int c, const char *query, const char *cookie, skew_handle *h) {
    fake_req fh;
    skew_request r = make_req(&fh, "GET", "/__skew/sse", query, cookie);
    skew_handle dummy;
    return skew_open(t, &r, &many[c], h ? h : &dummy);
}

/* Connections counted under version (or route) name; -1 when it is not listed. */
static long count_of(skew_tracker *t, bool routes, const char *name) {
    skew_count out[300];
    size_t n = routes ? skew_list_routes(t, out, 300) : skew_list_versions(t, out, 300), i;
    for (i = 0; i < n && i < 300; i++)
        if (out[i].name.len == strlen(name) && memcmp(out[i].name.ptr, name, out[i].name.len) == 0) return (long)out[i].count;
    return -1;
}

static long sum_versions(skew_tracker *t) {
    skew_count out[300];
    size_t n = skew_list_versions(t, out, 300), i;
    long sum = 0;
    for (i = 0; i < n && i < 300; i++) sum += (long)out[i].count;
    return sum;
}

static bool got_force(int c) {
    size_t j;
    for (j = 0; j < many[c].nmsg; j++)
        if (strstr(many[c].msgs[j], "\"force\":true")) return true;
    return false;
}

/* 64 made-up cookies fill the versions table first: the server's build, and after a redeploy
   the new one, are still counted by name, and the totals stay exact. */
static void test_versions_poisoned(void) {
    skew_config c;
    skew_tracker *t;
    char cookie[64];
    int i;
    base_cfg(&c, &env);
    c.server_version = "build-A";
    t = make(&c);
    for (i = 0; i < 64; i++) {
        snprintf(cookie, sizeof cookie, "__nkpv=junk-%d", i);
        CHECK_RES(open_many(t, i, NULL, cookie, NULL), SKEW_OK);
    }
    CHECK_EQ_INT(count_of(t, false, "(other)"), 1); /* the table is full of junk */
    CHECK_RES(open_many(t, 64, NULL, "__nkpv=build-A", NULL), SKEW_OK);
    CHECK_RES(open_many(t, 65, NULL, NULL, NULL), SKEW_OK); /* no cookie: the server's build */
    CHECK_EQ_INT(count_of(t, false, "build-A"), 2);
    CHECK_RES(open_many(t, 66, NULL, "__nkpv=junk-new", NULL), SKEW_OK);
    CHECK_EQ_INT(count_of(t, false, "(other)"), 2);
    /* a redeploy while the table is full: the new build gets an entry at once */
    CHECK_RES(skew_set_server_version(t, STRV("build-B")), SKEW_OK);
    CHECK_RES(open_many(t, 67, NULL, "__nkpv=build-B", NULL), SKEW_OK);
    CHECK_RES(open_many(t, 68, NULL, "__nkpv=build-B", NULL), SKEW_OK);
    CHECK_EQ_INT(count_of(t, false, "build-B"), 2);
    CHECK_EQ_INT(sum_versions(t), (long)skew_get_total(t));
    CHECK_EQ_INT(skew_get_rollout_permille(t), (2 * 1000 + 34) / 69); /* 2 of 69, rounded */
    /* its last client gone, the pinned build stays findable and is listed again at once */
    for (i = 0; i < 64; i++) {
        snprintf(cookie, sizeof cookie, "__nkpv=junk2-%d", i);
        CHECK_RES(open_many(t, 69 + i, NULL, cookie, NULL), SKEW_OK);
    }
    CHECK_RES(open_many(t, 200, NULL, "__nkpv=build-B", NULL), SKEW_OK);
    CHECK_EQ_INT(count_of(t, false, "build-B"), 3);
    CHECK_EQ_INT(sum_versions(t), (long)skew_get_total(t));
    unmake(t);
    many_reset();
}

/* 256 made-up routes fill the routes table: admin/invalidate /checkout still reaches the real
   clients under /checkout (folded into "(other)"), and only them. */
static void test_routes_poisoned(void) {
    skew_config c;
    skew_tracker *t;
    char query[64];
    int i;
    uint32_t n = 0;
    base_cfg(&c, &env);
    c.route_tracking = true;
    t = make(&c);
    for (i = 0; i < 256; i++) {
        snprintf(query, sizeof query, "route=/junk/%d", i);
        CHECK_RES(open_many(t, i, query, NULL, NULL), SKEW_OK);
    }
    CHECK_EQ_INT(count_of(t, true, "(other)"), -1); /* full, nothing folded yet */
    CHECK_RES(open_many(t, 300, "route=/checkout", NULL, NULL), SKEW_OK);
    CHECK_RES(open_many(t, 301, "route=/checkout", NULL, NULL), SKEW_OK);
    CHECK_RES(open_many(t, 302, "route=/checkout/pay", NULL, NULL), SKEW_OK);
    CHECK_RES(open_many(t, 303, "route=/account", NULL, NULL), SKEW_OK);
    CHECK_RES(open_many(t, 304, "route=/checkoutx", NULL, NULL), SKEW_OK);
    CHECK_EQ_INT(count_of(t, true, "(other)"), 5);
    CHECK_RES(skew_invalidate(t, STRV("/checkout"), &n), SKEW_OK);
    CHECK_EQ_INT(n, 3);
    CHECK(got_force(300) && got_force(301) && got_force(302));
    CHECK(!got_force(303) && !got_force(304) && !got_force(0));
    CHECK_RES(skew_invalidate(t, STRV("/checkout/"), &n), SKEW_OK);
    CHECK_EQ_INT(n, 3); /* "/checkout/" is looked up as "/checkout": a superset, never a miss */
    CHECK_RES(skew_invalidate(t, STRV("/junk/7"), &n), SKEW_OK);
    CHECK_EQ_INT(n, 1);
    CHECK_RES(skew_invalidate(t, STRV("/"), &n), SKEW_OK);
    CHECK_EQ_INT(n, 261);
    unmake(t);
    many_reset();
}

/* Characters that reorder or hide text (C1 controls, bidi controls, zero-width) are refused in
   routes and versions like C0 controls; their neighbours pass. Table-driven at each edge. */
static void test_hidden_characters(void) {
    static const struct { const char *utf8, *pct; bool refused; } cases[] = {
        {"\xC2\x80", "%C2%80", true},      {"\xC2\x9F", "%C2%9F", true},      /* C1 */
        {"\xC2\xA0", "%C2%A0", false},     {"\xC3\xA9", "%C3%A9", false},     /* NBSP, e-acute */
        {"\xD8\x9C", "%D8%9C", true},      {"\xD8\x9B", "%D8%9B", false},     /* U+061C ALM */
        {"\xE2\x80\x8A", "%E2%80%8A", false}, {"\xE2\x80\x8B", "%E2%80%8B", true}, /* 200A | 200B */
        {"\xE2\x80\x8D", "%E2%80%8D", true},  {"\xE2\x80\x8E", "%E2%80%8E", true}, /* ZWJ, LRM */
        {"\xE2\x80\x8F", "%E2%80%8F", true},  {"\xE2\x80\x90", "%E2%80%90", false}, /* RLM | hyphen */
        {"\xE2\x80\xA9", "%E2%80%A9", false}, {"\xE2\x80\xAA", "%E2%80%AA", true}, /* 2029 | LRE */
        {"\xE2\x80\xAE", "%E2%80%AE", true},  {"\xE2\x80\xAF", "%E2%80%AF", false}, /* RLO | 202F */
        {"\xE2\x81\x9F", "%E2%81%9F", false}, {"\xE2\x81\xA0", "%E2%81%A0", true}, /* 205F | WJ */
        {"\xE2\x81\xA1", "%E2%81%A1", false}, {"\xE2\x81\xA5", "%E2%81%A5", false}, /* 2061, 2065 */
        {"\xE2\x81\xA6", "%E2%81%A6", true},  {"\xE2\x81\xA9", "%E2%81%A9", true}, /* LRI, PDI */
        {"\xE2\x81\xAA", "%E2%81%AA", false}, {"\xEF\xBB\xBF", "%EF%BB%BF", true}, /* 206A | BOM */
        {"\xEF\xBB\xBE", "%EF%BB%BE", false}, {"\xEF\xBC\x81", "%EF%BC%81", false}, /* FEFE, FF01 */
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char route[32], query[48], cookie[48], version[32];
        skew_str out;
        skew_config c;
        skew_tracker *t;
        skew_handle h = 0;
        skew_metrics m;
        snprintf(route, sizeof route, "/a%sb", cases[i].utf8);
        snprintf(version, sizeof version, "v%s1", cases[i].utf8);
        CHECK_RES(skew_route_clean(skew_str_c(route), 64, &out), cases[i].refused ? SKEW_ERR_INVALID : SKEW_OK);
        base_cfg(&c, &env);
        c.route_tracking = true;
        t = make(&c);
        snprintf(query, sizeof query, "route=/a%sb", cases[i].pct);
        snprintf(cookie, sizeof cookie, "__nkpv=v%s1", cases[i].pct);
        CHECK_RES(open_many(t, 0, query, cookie, &h), SKEW_OK);
        CHECK_EQ_INT(count_of(t, true, route), cases[i].refused ? -1 : 1);   /* refused: "/" */
        CHECK_EQ_INT(count_of(t, false, version), cases[i].refused ? -1 : 1); /* refused: "(other)" */
        CHECK_EQ_INT(count_of(t, false, "(other)"), cases[i].refused ? 1 : -1);
        /* a route update over the WebSocket way, and a redeploy, refuse the same */
        CHECK_RES(skew_set_route(t, h, skew_str_c(route)), cases[i].refused ? SKEW_ERR_INVALID : SKEW_OK);
        CHECK_RES(skew_set_server_version(t, skew_str_c(version)), cases[i].refused ? SKEW_ERR_INVALID : SKEW_OK);
        skew_get_metrics(t, &m);
        CHECK_EQ_INT(m.invalid_input, cases[i].refused ? 3 : 0);
        unmake(t);
        many_reset();
    }
}

/* `connected` comes from a prefix kept ready (issue 22): the same bytes as the public encoder,
   also after a redeploy to a version that needs escapes, and across two clock readings. */
static void test_connected_matches_encoder(void) {
    static const char *versions[3] = {"build-A", "q\"uo\\te", "\xC3\xA9t\xC3\xA9"};
    skew_config c;
    skew_tracker *t;
    int i;
    base_cfg(&c, &env);
    c.server_version = versions[0];
    t = make(&c);
    for (i = 0; i < 6; i++) {
        skew_handle h = 0;
        skew_conn conn;
        char want[256];
        size_t n;
        if (i % 2 == 0 && i) CHECK_RES(skew_set_server_version(t, skew_str_c(versions[i / 2])), SKEW_OK);
        env.now = 1764000000000ull + (uint64_t)(i / 3) * 999;
        many[i].nmsg = 0;
        CHECK_RES(open_many(t, i, NULL, NULL, &h), SKEW_OK);
        CHECK_RES(skew_get_conn(t, h, &conn), SKEW_OK);
        n = skew_write_connected(skew_str_c(versions[i / 2]), skew_str_n(conn.id, 36), env.now, want, sizeof want);
        CHECK(n > 0 && n < sizeof want && many[i].nmsg >= 1);
        if (many[i].nmsg >= 1) CHECK_STR(many[i].msgs[0], want);
    }
    unmake(t);
    many_reset();
}

/* Open on many[c] from peer ip (text), optionally through a proxy header and with the stats
   credential; returns the result. */
static skew_result open_from(skew_tracker *t, int c, const char *ip, const char *xff, bool authorized) {
    fake_req fh;
    skew_request r = make_req(&fh, "GET", "/__skew/sse", NULL, NULL);
    skew_handle h;
    CHECK_RES(skew_ip_parse(skew_str_c(ip), &r.peer), SKEW_OK);
    if (xff) add_header(&r, "x-forwarded-for", xff);
    if (authorized) add_header(&r, "authorization", "Bearer s3cret");
    return skew_open(t, &r, &many[c], &h);
}

static skew_tracker *make_capped(uint32_t per_ip, uint32_t max_conns, uint32_t reserve) {
    skew_config c;
    base_cfg(&c, &env);
    c.max_connections_per_ip = per_ip;
    c.max_connections = max_conns;
    c.reserved_stats_slots = reserve;
    return make(&c);
}

#if SKEW_ENABLE_IP
/* max_connections_per_ip at its boundary: IPv4 per address, IPv6 per /64, loopback only under
   an explicit cap, the client address behind a trusted proxy, the dashboard passing. */
static void test_per_ip_cap(void) {
    skew_tracker *t;
    skew_metrics m;
    skew_config c;
    int i;
    char text[4096];
    /* explicit cap 3 */
    t = make_capped(3, 0, 0);
    for (i = 0; i < 3; i++) CHECK_RES(open_from(t, i, "10.0.0.1", NULL, false), SKEW_OK);
    CHECK_RES(open_from(t, 3, "10.0.0.1", NULL, false), SKEW_ERR_PER_IP);
    CHECK_RES(open_from(t, 3, "10.0.0.2", NULL, false), SKEW_OK);
    CHECK_RES(open_from(t, 4, "127.0.0.1", NULL, false), SKEW_OK); /* explicit: loopback counts */
    CHECK_RES(open_from(t, 5, "127.0.0.1", NULL, false), SKEW_OK);
    CHECK_RES(open_from(t, 6, "127.0.0.1", NULL, false), SKEW_OK);
    CHECK_RES(open_from(t, 7, "127.0.0.1", NULL, false), SKEW_ERR_PER_IP);
    /* IPv6: one /64 is one address */
    CHECK_RES(open_from(t, 8, "2001:db8:1:2::1", NULL, false), SKEW_OK);
    CHECK_RES(open_from(t, 9, "2001:db8:1:2:ffff:ffff:ffff:fffe", NULL, false), SKEW_OK);
    CHECK_RES(open_from(t, 10, "2001:db8:1:2:abcd::9", NULL, false), SKEW_OK);
    CHECK_RES(open_from(t, 11, "2001:db8:1:2::77", NULL, false), SKEW_ERR_PER_IP);
    CHECK_RES(open_from(t, 11, "2001:db8:1:3::1", NULL, false), SKEW_OK);   /* the next /64 */
    CHECK_RES(open_from(t, 12, "::ffff:10.0.0.1", NULL, false), SKEW_ERR_PER_IP); /* mapped = 10.0.0.1 */
    /* the dashboard passes the cap, uncounted: closing it frees nothing for the others */
    env.have_auth = true;
    CHECK_RES(open_from(t, 13, "10.0.0.1", NULL, true), SKEW_OK);
    CHECK_RES(open_from(t, 14, "10.0.0.1", NULL, false), SKEW_ERR_PER_IP);
    skew_get_metrics(t, &m);
    CHECK_EQ_INT(m.refused_per_ip, 5);
    CHECK_EQ_INT(skew_get_total(t), 12);
    CHECK(skew_write_metrics(t, text, sizeof text) < sizeof text);
    CHECK(strstr(text, "skew_refused_per_ip_total 5\n") != NULL);
#if SKEW_ENABLE_HTTP
    {
        fake_req fh;
        skew_request r = make_req(&fh, "GET", "/__skew/sse", NULL, NULL);
        skew_response res;
        char body[256];
        skew_http_open_error(t, &r, SKEW_ERR_PER_IP, &res, body, sizeof body);
        CHECK_EQ_INT(res.status, 429);
    }
#endif
    /* a close gives the address its place back */
    skew_close_all(t);
    for (i = 0; i < 3; i++) CHECK_RES(open_from(t, 20 + i, "10.0.0.1", NULL, false), SKEW_OK);
    CHECK_RES(open_from(t, 23, "10.0.0.1", NULL, false), SKEW_ERR_PER_IP);
    unmake(t);
    many_reset();

    /* the default: 64 per address, loopback exempt, the client behind a loopback proxy counted */
    t = make_capped(0, 0, 0);
    CHECK_EQ_INT(skew_get_config(t)->max_connections_per_ip, 0);
    for (i = 0; i < (int)SKEW_PER_IP_DEFAULT; i++) CHECK_RES(open_from(t, i, "192.0.2.7", NULL, false), SKEW_OK);
    CHECK_RES(open_from(t, 64, "192.0.2.7", NULL, false), SKEW_ERR_PER_IP);
    for (i = 0; i < (int)SKEW_PER_IP_DEFAULT; i++)
        CHECK_RES(open_from(t, 65 + i, "127.0.0.1", "203.0.113.5", false), SKEW_OK);
    CHECK_RES(open_from(t, 129, "127.0.0.1", "203.0.113.5", false), SKEW_ERR_PER_IP);
    for (i = 0; i < 70; i++) CHECK_RES(open_from(t, 130 + i, i & 1 ? "127.0.0.1" : "::1", NULL, false), SKEW_OK);
    unmake(t);
    many_reset();

    /* no cap at all */
    t = make_capped(SKEW_PER_IP_UNLIMITED, 0, 0);
    for (i = 0; i < 70; i++) CHECK_RES(open_from(t, i, "10.9.9.9", NULL, false), SKEW_OK);
    unmake(t);
    many_reset();

    /* the bounds of the config */
    base_cfg(&c, &env);
    c.max_connections_per_ip = 0xFFFFFFu;
    CHECK_RES(skew_config_resolve(&c, NULL), SKEW_OK);
    c.max_connections_per_ip = 0x1000000u;
    CHECK_RES(skew_config_resolve(&c, NULL), SKEW_ERR_CONFIG);
    c.max_connections_per_ip = 0;
    c.reserved_stats_slots = 1024;
    CHECK_RES(skew_config_resolve(&c, NULL), SKEW_OK);
    c.reserved_stats_slots = 1025;
    CHECK_RES(skew_config_resolve(&c, NULL), SKEW_ERR_CONFIG);
    memset(&env, 0, sizeof env);
}
#endif

/* reserved_stats_slots: past max_connections only an open authorized for stats gets in, and
   only as many as the reserve holds. */
static void test_stats_reserve(void) {
    skew_tracker *t;
    skew_metrics m;
    int i;
    t = make_capped(0, 2, 0);
    env.have_auth = true;
    CHECK_RES(open_from(t, 0, "10.0.0.1", NULL, false), SKEW_OK);
    CHECK_RES(open_from(t, 1, "10.0.0.2", NULL, false), SKEW_OK);
    CHECK_RES(open_from(t, 2, "10.0.0.3", NULL, false), SKEW_ERR_FULL);
    for (i = 0; i < (int)SKEW_STATS_RESERVE_DEFAULT; i++) CHECK_RES(open_from(t, 3 + i, "10.0.0.4", NULL, true), SKEW_OK);
    CHECK_RES(open_from(t, 9, "10.0.0.4", NULL, true), SKEW_ERR_FULL);
    CHECK_EQ_INT(skew_get_total(t), 2 + SKEW_STATS_RESERVE_DEFAULT);
    skew_get_metrics(t, &m);
    CHECK_EQ_INT(m.opened_reserved, SKEW_STATS_RESERVE_DEFAULT);
    CHECK_EQ_INT(m.refused_full, 2);
    unmake(t);
    many_reset();

    t = make_capped(0, 2, SKEW_STATS_RESERVE_NONE);
    env.have_auth = true;
    CHECK_RES(open_from(t, 0, "10.0.0.1", NULL, false), SKEW_OK);
    CHECK_RES(open_from(t, 1, "10.0.0.2", NULL, true), SKEW_OK);
    CHECK_RES(open_from(t, 2, "10.0.0.3", NULL, true), SKEW_ERR_FULL);
    unmake(t);
    many_reset();
}

int main(void) {
    SUBTEST("versions_poisoned", test_versions_poisoned);
    SUBTEST("routes_poisoned", test_routes_poisoned);
    SUBTEST("hidden_characters", test_hidden_characters);
    SUBTEST("connected_matches_encoder", test_connected_matches_encoder);
#if SKEW_ENABLE_IP
    SUBTEST("per_ip_cap", test_per_ip_cap);
#endif
    SUBTEST("stats_reserve", test_stats_reserve);
    TEST_MAIN_END();
}
