/* Black-box tests of the HTTP side: skew_http endpoints, methods, admin auth, bearer tokens. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "skew_test.h"
#include "fake_transport.h"

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
    skew_get_conn(t, h, &ci);

    /* routing */
    r = make_req(&fh, "GET", "/__skew/sse", NULL, NULL);
    CHECK_EQ_INT(skew_route_request(t, &r), SKEW_ENDPOINT_SSE);
    r.method = skew_str_c("HEAD");
    CHECK_EQ_INT(skew_route_request(t, &r), SKEW_ENDPOINT_REJECT);
    skew_http(t, &r, &resp, body, sizeof body);
    CHECK_EQ_INT(resp.status, 405);
    CHECK_STR(resp.allow, "GET");
    r.method = skew_str_c("GET");
    r.path = skew_str_c("/__skew/ws");
    CHECK_EQ_INT(skew_route_request(t, &r), SKEW_ENDPOINT_REJECT);
    skew_http(t, &r, &resp, body, sizeof body);
    CHECK_EQ_INT(resp.status, 426);
    CHECK(resp.upgrade_required);
    r.upgrade = true;
    CHECK_EQ_INT(skew_route_request(t, &r), SKEW_ENDPOINT_WS);
    r.path = skew_str_c("/elsewhere");
    CHECK_EQ_INT(skew_route_request(t, &r), SKEW_ENDPOINT_REJECT);
    skew_http(t, &r, &resp, body, sizeof body);
    CHECK_EQ_INT(resp.status, 404);
    r.upgrade = false;
    CHECK_EQ_INT(skew_route_request(t, &r), SKEW_ENDPOINT_NONE);
    r.path = skew_str_c("/__skewer/sse");
    CHECK_EQ_INT(skew_route_request(t, &r), SKEW_ENDPOINT_NONE);
    r.path = skew_str_c("/__skew/nope");
    CHECK_EQ_INT(skew_route_request(t, &r), SKEW_ENDPOINT_UNKNOWN);
    CHECK_EQ_INT(http(t, "GET", "/__skew/nope", NULL, NULL, body, sizeof body), 404);
    CHECK_STR(body, "{\"ok\":false,\"error\":\"not found\"}");
#if SKEW_ENABLE_ADMIN
    CHECK_EQ_INT(skew_route_path(t, skew_str_c("/__skew/admin/stats")), SKEW_ENDPOINT_ADMIN_STATS);
    CHECK_EQ_INT(skew_route_path(t, skew_str_c("/__skew/metrics")), SKEW_ENDPOINT_METRICS);
#else /* compiled out: the admin paths are unknown, and nothing answers there */
    CHECK_EQ_INT(skew_route_path(t, skew_str_c("/__skew/admin/stats")), SKEW_ENDPOINT_UNKNOWN);
    CHECK_EQ_INT(skew_route_path(t, skew_str_c("/__skew/metrics")), SKEW_ENDPOINT_UNKNOWN);
    env.have_auth = true;
    CHECK_EQ_INT(http(t, "GET", "/__skew/admin/stats", NULL, "Bearer s3cret", body, sizeof body), 404);
    CHECK_EQ_INT(http(t, "GET", "/__skew/metrics", NULL, "Bearer s3cret", body, sizeof body), 404);
    CHECK_EQ_INT(http(t, "POST", "/__skew/admin/version", "{\"version\":\"v9\"}", "s3cret", body, sizeof body), 404);
    CHECK_EQ_INT(http(t, "POST", "/__skew/admin/invalidate", "{\"route\":\"/\"}", "s3cret", body, sizeof body), 404);
    CHECK(skew_get_server_version(t).len == 2);
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
    skew_get_conn(t, h, &ci);
    CHECK(ci.route.len == 5 && memcmp(ci.route.ptr, "/next", 5) == 0);
    snprintf(req, sizeof req, "connectionId=%s&route=%%2Fform%%3Fq", ci.id);
    CHECK_EQ_INT(http(t, "POST", "/__skew/route", req, NULL, body, sizeof body), 200);
    skew_get_conn(t, h, &ci);
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
    CHECK_EQ_INT(skew_get_subscriber_count(t), 1);
    CHECK_EQ_INT(http(t, "POST", "/__skew/subscribe-stats", "{\"connectionId\":\"00000000-0000-4000-8000-000000000000\"}",
                      "s3cret", body, sizeof body), 404);
    CHECK_EQ_INT(skew_get_subscriber_count(t), 1); /* an unknown id is not kept anywhere */
    /* a credential that stops passing ends the subscription */
    CHECK_EQ_INT(http(t, "POST", "/__skew/subscribe-stats", req, "Bearer wrong", body, sizeof body), 200);
    CHECK_EQ_INT(skew_get_subscriber_count(t), 0);
    CHECK_EQ_INT(http(t, "POST", "/__skew/subscribe-stats", req, "Bearer s3cret", body, sizeof body), 200);
    CHECK_EQ_INT(skew_get_subscriber_count(t), 1);

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
    CHECK(skew_get_server_version(t).len == 2);
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

static void test_auth_bearer(void) {
    fake_req fh;
    skew_request r = make_req(&fh, "GET", "/", NULL, NULL);
    CHECK_EQ_INT(skew_auth_bearer(&r, skew_str_c("")), SKEW_AUTH_RESULT_UNAVAILABLE);
    CHECK_EQ_INT(skew_auth_bearer(&r, skew_str_c("tok")), SKEW_AUTH_RESULT_DENIED);
    add_header(&r, "authorization", "bearer  tok ");
    CHECK_EQ_INT(skew_auth_bearer(&r, skew_str_c("tok")), SKEW_AUTH_RESULT_GRANTED);
    CHECK_EQ_INT(skew_auth_bearer(&r, skew_str_c("to")), SKEW_AUTH_RESULT_DENIED);
    CHECK_EQ_INT(skew_auth_bearer(&r, skew_str_c("tokk")), SKEW_AUTH_RESULT_DENIED);
    r = make_req(&fh, "GET", "/", NULL, "a=1; skew_admin=tok");
    CHECK_EQ_INT(skew_auth_bearer(&r, skew_str_c("tok")), SKEW_AUTH_RESULT_GRANTED);
    r = make_req(&fh, "GET", "/", NULL, "skew_admin=");
    CHECK_EQ_INT(skew_auth_bearer(&r, skew_str_c("tok")), SKEW_AUTH_RESULT_DENIED);
}

#if SKEW_ENABLE_HTTP
/* skew_http_sink: the same answer as skew_http, in pieces, in one pass; a failing sink stops. */
typedef struct sink_buf {
    char data[8192];
    size_t len;
    int calls, fail_after;
} sink_buf;
static int to_buf(void *ctx, const char *d, size_t n) {
    sink_buf *b = (sink_buf *)ctx;
    if (b->fail_after && b->calls >= b->fail_after) return 1;
    b->calls++;
    if (b->len + n < sizeof b->data) memcpy(b->data + b->len, d, n);
    b->len += n;
    return 0;
}
static void test_http_sink(void) {
    skew_config c;
    skew_tracker *t;
    char body[8192];
    sink_buf sb;
    fake_req fh;
    skew_request r;
    skew_response resp, resp2;
    int i;
    base_cfg(&c, &env);
    c.route_tracking = true;
    env.have_auth = true;
    t = make(&c);
    for (i = 0; i < 5; i++) open_sse(t, &env, i, "route=/docs", NULL);
    r = make_req(&fh, "GET", SKEW_ENABLE_ADMIN ? "/__skew/admin/stats" : "/__skew/health", NULL, NULL);
    add_header(&r, "authorization", "Bearer s3cret");
    memset(&sb, 0, sizeof sb);
    CHECK_RES(skew_http(t, &r, &resp, body, sizeof body), SKEW_OK);
    CHECK_RES(skew_http_sink(t, &r, &resp2, to_buf, &sb), SKEW_OK);
    CHECK_EQ_INT(resp2.status, resp.status);
    CHECK_EQ_INT(resp2.body_len, sb.len);
    if (sb.len < sizeof sb.data) sb.data[sb.len] = '\0';
    /* the uptime may have moved between the two calls: compare up to it */
    CHECK(sb.len > 10 && !strncmp(sb.data, body, 10));
    CHECK(sb.calls > 1); /* in pieces */
    memset(&sb, 0, sizeof sb);
    sb.fail_after = 1;
    CHECK_RES(skew_http_sink(t, &r, &resp2, to_buf, &sb), SKEW_ERR_SEND);
    CHECK_EQ_INT(sb.calls, 1); /* never called again after a failure */
    CHECK_RES(skew_http_sink(t, &r, &resp2, NULL, NULL), SKEW_ERR_INVALID);
    env.have_auth = false;
    unmake(t);
}
#endif

int main(void) {
#if SKEW_ENABLE_HTTP
    SUBTEST("http", test_http);
    SUBTEST("http_sink", test_http_sink);
#endif
    SUBTEST("auth_bearer", test_auth_bearer);
    TEST_MAIN_END();
}
