/* skew_write_health and GET {base}/health (issue 19 item 5): the liveness body, and on a cluster
   member the link state the adapter set ("cluster":"off" / "ok" / "degraded"), with no I/O. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "skew_test.h"

#include <stdio.h>
#include <string.h>

static uint64_t fixed_now(void *ud) {
    (void)ud;
    return 1000000u;
}

static skew_tracker *make(const char *instance) {
    skew_config c;
    skew_tracker *t = NULL;
    memset(&c, 0, sizeof c);
    c.server_version = "v7";
    c.instance_id = instance;
    c.instance_tag = 5;
    c.cluster_max_instances = instance ? 4 : 0;
    c.hooks.epoch_ms = fixed_now;
    CHECK_RES(skew_tracker_create(&t, &c), SKEW_OK);
    return t;
}

static void health_is(skew_tracker *t, const char *want) {
    char buf[128];
    size_t n = skew_write_health(t, buf, sizeof buf);
    CHECK(n < sizeof buf);
    CHECK_STR(buf, want);
    CHECK_EQ_INT((int)skew_write_health(t, NULL, 0), (int)n); /* measuring agrees */
}

static void test_standalone(void) {
    skew_tracker *t = make(NULL);
    health_is(t, "{\"ok\":true,\"version\":\"v7\",\"uptime\":0}");
    skew_cluster_set_link(t, SKEW_CLUSTER_LINK_OK); /* ignored standalone */
    health_is(t, "{\"ok\":true,\"version\":\"v7\",\"uptime\":0}");
    skew_tracker_destroy(t);
}

#if SKEW_ENABLE_CLUSTER
static void test_member(void) {
    skew_tracker *t = make("web-1");
    health_is(t, "{\"ok\":true,\"version\":\"v7\",\"uptime\":0,\"cluster\":\"off\"}");
    skew_cluster_set_link(t, SKEW_CLUSTER_LINK_DEGRADED);
    health_is(t, "{\"ok\":true,\"version\":\"v7\",\"uptime\":0,\"cluster\":\"degraded\"}");
    skew_cluster_set_link(t, SKEW_CLUSTER_LINK_OK);
    health_is(t, "{\"ok\":true,\"version\":\"v7\",\"uptime\":0,\"cluster\":\"ok\"}");
#if SKEW_ENABLE_HTTP
    {
        skew_request req;
        skew_response r;
        char body[128];
        memset(&req, 0, sizeof req);
        req.method = STRV("GET");
        req.path = STRV("/__skew/health");
        CHECK_RES(skew_http(t, &req, &r, body, sizeof body), SKEW_OK);
        CHECK_EQ_INT(r.status, 200);
        CHECK(strstr(body, "\"cluster\":\"ok\"") != NULL);
        /* a body one byte short: truncated, the snprintf contract */
        CHECK_RES(skew_http(t, &req, &r, body, r.body_len), SKEW_ERR_TRUNCATED);
    }
#endif
    skew_tracker_destroy(t);
}
#endif

int main(void) {
    test_standalone();
#if SKEW_ENABLE_CLUSTER
    test_member();
#endif
    TEST_MAIN_END();
}
