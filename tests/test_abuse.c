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
    size_t n = routes ? skew_routes(t, out, 300) : skew_versions(t, out, 300), i;
    for (i = 0; i < n && i < 300; i++)
        if (out[i].name.len == strlen(name) && memcmp(out[i].name.ptr, name, out[i].name.len) == 0) return (long)out[i].count;
    return -1;
}

static long sum_versions(skew_tracker *t) {
    skew_count out[300];
    size_t n = skew_versions(t, out, 300), i;
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
    CHECK_EQ_INT(sum_versions(t), (long)skew_total(t));
    CHECK_EQ_INT(skew_rollout_permille(t), (2 * 1000 + 34) / 69); /* 2 of 69, rounded */
    /* its last client gone, the pinned build stays findable and is listed again at once */
    for (i = 0; i < 64; i++) {
        snprintf(cookie, sizeof cookie, "__nkpv=junk2-%d", i);
        CHECK_RES(open_many(t, 69 + i, NULL, cookie, NULL), SKEW_OK);
    }
    CHECK_RES(open_many(t, 200, NULL, "__nkpv=build-B", NULL), SKEW_OK);
    CHECK_EQ_INT(count_of(t, false, "build-B"), 3);
    CHECK_EQ_INT(sum_versions(t), (long)skew_total(t));
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

int main(void) {
    SUBTEST("versions_poisoned", test_versions_poisoned);
    SUBTEST("routes_poisoned", test_routes_poisoned);
    TEST_MAIN_END();
}
