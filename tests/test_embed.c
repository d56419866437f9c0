/* Black-box tests of the embedding contract (what an adapter relies on): string views, the SSE
   response head, the clock rule, the cookie rule, who authorizes what, SSE framing by the
   tracker, socket addresses, and the refused-bot log line. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "skew_test.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

/* ---- a recording transport ----------------------------------------------------------------- */

#define NCONN 4
#define NMSG 16

typedef struct rec_conn {
    char msgs[NMSG][512];
    size_t lens[NMSG];
    size_t n;
} rec_conn;

typedef struct rec_env {
    rec_conn conns[NCONN];
    uint64_t wall;          /* hooks.epoch_ms: epoch milliseconds */
    int auth_calls[3];      /* per scope: STATS, ADMIN, METRICS */
    skew_auth_result answer;
    skew_tracker *t;
    bool send_from_hook;    /* the send hook tries skew_send on the same connection */
    skew_result nested;
    char log[4][256];       /* the last line per level */
} rec_env;

static rec_env env;

static skew_result rec_send(void *ud, const skew_conn *c, const char *msg, size_t len) {
    rec_env *e = (rec_env *)ud;
    rec_conn *rc = (rec_conn *)c->user;
    if (rc->n < NMSG && len < sizeof rc->msgs[0]) {
        memcpy(rc->msgs[rc->n], msg, len);
        rc->msgs[rc->n][len] = '\0';
        rc->lens[rc->n] = len;
        rc->n++;
    }
    if (e->send_from_hook) {
        e->send_from_hook = false;
        e->nested = skew_send(e->t, c->handle, skew_str_n("{\"type\":\"x\"}", 12));
    }
    return SKEW_OK;
}
static uint64_t rec_now(void *ud) { return ((rec_env *)ud)->wall; }
static skew_auth_result rec_auth(void *ud, const skew_request *req, skew_auth_scope scope) {
    rec_env *e = (rec_env *)ud;
    (void)req;
    e->auth_calls[scope == SKEW_AUTH_SCOPE_ADMIN ? 1 : scope == SKEW_AUTH_SCOPE_METRICS ? 2 : 0]++;
    return e->answer;
}
static void rec_log(void *ud, skew_log_level level, const char *msg) {
    rec_env *e = (rec_env *)ud;
    size_t n = strlen(msg);
    if (n >= sizeof e->log[0]) n = sizeof e->log[0] - 1;
    memcpy(e->log[level], msg, n);
    e->log[level][n] = '\0';
}

static const char *last(int c) {
    rec_conn *rc = &env.conns[c];
    return rc->n ? rc->msgs[rc->n - 1] : "";
}

/* ---- requests ------------------------------------------------------------------------------- */

typedef struct hdrs {
    const char *cookie, *ua, *authorization;
} hdrs;

static skew_str hdr(void *ctx, const char *name) {
    hdrs *h = (hdrs *)ctx;
    const char *v = NULL;
    if (strcmp(name, "cookie") == 0) v = h->cookie;
    if (strcmp(name, "user-agent") == 0) v = h->ua;
    if (strcmp(name, "authorization") == 0) v = h->authorization;
    return skew_str_c(v);
}

static const char *BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";

static skew_request req_for(hdrs *h, const char *method, const char *path) {
    skew_request r;
    memset(&r, 0, sizeof r);
    r.method = skew_str_c(method);
    r.path = skew_str_c(path);
    r.header = hdr;
    r.header_ctx = h;
    r.upgrade = strstr(path, "/ws") != NULL;
    return r;
}

static skew_handle open_conn(skew_tracker *t, int c, const char *path, const char *cookie) {
    hdrs h = {NULL, NULL, NULL};
    skew_request r;
    skew_handle hd = 0;
    h.cookie = cookie;
    h.ua = BROWSER;
    r = req_for(&h, "GET", path);
    CHECK_RES(skew_open(t, &r, &env.conns[c], &hd), SKEW_OK);
    return hd;
}

static skew_tracker *make(skew_config *c) {
    skew_tracker *t = NULL;
    CHECK_RES(skew_tracker_create(&t, c), SKEW_OK);
    env.t = t;
    return t;
}
static void base_cfg(skew_config *c) {
    memset(&env, 0, sizeof env);
    memset(c, 0, sizeof *c);
    env.wall = 1717036500000ull; /* epoch ms */
    c->server_version = "v2";
    c->hooks.user_data = &env;
    c->hooks.send = rec_send;
    c->hooks.epoch_ms = rec_now;
    c->hooks.authorize = rec_auth;
    c->hooks.log = rec_log;
    c->stats_interval_ms = SKEW_STATS_IMMEDIATE;
}

/* ---- tests ---------------------------------------------------------------------------------- */

static const skew_str file_scope_lit = SKEW_STR_LIT("static"); /* a constant initialiser in C and C++ */

static void test_strings(void) {
    skew_str a = SKEW_STR_LIT("GET"), e = SKEW_STR_LIT("");
    skew_str n = skew_str_n("abcdef", 3), c = skew_str_c("route"), z = skew_str_c(NULL);
    CHECK(a.len == 3 && memcmp(a.ptr, "GET", 3) == 0);
    CHECK(e.len == 0 && e.ptr != NULL);
    CHECK(file_scope_lit.len == 6);
    CHECK(n.len == 3 && memcmp(n.ptr, "abc", 3) == 0);
    CHECK(c.len == 5);
    CHECK(z.ptr == NULL && z.len == 0);
}

static void test_sse_head(void) {
    static const char head[] = SKEW_SSE_RESPONSE_HEAD;
    CHECK(strncmp(head, "HTTP/1.1 200 OK\r\n", 17) == 0);
    CHECK(strstr(head, "\r\nContent-Type: text/event-stream\r\n") != NULL);
    CHECK(strstr(head, "\r\nCache-Control: no-cache\r\n") != NULL);
    CHECK(strstr(head, "\r\nX-Accel-Buffering: no\r\n") != NULL);
    CHECK(strstr(SKEW_SSE_HEADERS, "Content-Length") == NULL);
    CHECK(strcmp(head + sizeof head - 5, "\r\n\r\n") == 0); /* ends the head exactly once */
    CHECK(strstr(head, "\r\n\r\n") == head + sizeof head - 5);
}

/* skew_tick takes a monotonic clock; the wire only ever carries hooks.epoch_ms. */
static void test_clock_rule(void) {
    skew_config c;
    skew_tracker *t;
    const uint64_t mono = 17170365; /* a CLOCK_MONOTONIC reading: 4.7 hours of uptime */
    base_cfg(&c);
    c.keepalive_ms = 1000;
    t = make(&c);
    CHECK_EQ_INT(skew_get_next_due(t, mono), 0);
    CHECK_EQ_INT(skew_tick(t, mono), 1000);
    open_conn(t, 0, "/__skew/sse", NULL);
    CHECK(strstr(last(0), "\"timestamp\":1717036500000}") != NULL);
    env.wall += 999;
    CHECK_EQ_INT(skew_tick(t, mono + 999), 1);
    CHECK_EQ_INT(env.conns[0].n, 1);
    env.wall += 1;
    CHECK_EQ_INT(skew_tick(t, mono + 1000), 1000);
    CHECK_STR(last(0), "{\"type\":\"keepalive\",\"timestamp\":1717036501000}");
    CHECK(strstr(env.conns[0].msgs[0], "1717") != NULL && strstr(last(0), "\"timestamp\":1717137") == NULL);
    /* the wall clock jumping (NTP) moves timestamps, not the schedule */
    env.wall -= 3600000;
    CHECK_EQ_INT(skew_tick(t, mono + 1500), 500);
    CHECK_EQ_INT(env.conns[0].n, 2);
    skew_tick(t, mono + 2000);
    CHECK_STR(last(0), "{\"type\":\"keepalive\",\"timestamp\":1717032901000}");
    skew_tracker_destroy(t);
}

/* HTTP/2 splits Cookie into fields; an adapter may join them with "; " or ", ". */
static void test_cookie_rule(void) {
    skew_config c;
    skew_tracker *t;
    skew_str v;
    skew_count vs[4];
    size_t n, i;
    uint32_t v7 = 0;
    CHECK_RES(skew_get_cookie(skew_str_c("a=1, __nkpv=v7"), "__nkpv", &v), SKEW_OK);
    CHECK(v.len == 2 && memcmp(v.ptr, "v7", 2) == 0);
    CHECK_RES(skew_get_cookie(skew_str_c("__nkpv=v7,a=1"), "__nkpv", &v), SKEW_OK);
    CHECK(v.len == 2 && memcmp(v.ptr, "v7", 2) == 0);
    CHECK_RES(skew_get_cookie(skew_str_c("a=1; __nkpv=v7"), "__nkpv", &v), SKEW_OK);
    CHECK(v.len == 2);
    CHECK_RES(skew_get_cookie(skew_str_c("a=x,__nkpv"), "__nkpv", &v), SKEW_ERR_NOT_FOUND);
    CHECK_RES(skew_get_cookie(skew_str_c("a=1,"), "a", &v), SKEW_OK);
    CHECK(v.len == 1 && v.ptr[0] == '1');

    base_cfg(&c);
    t = make(&c);
    open_conn(t, 0, "/__skew/sse", "a=1, __nkpv=v7");
    open_conn(t, 1, "/__skew/sse", "a=1; __nkpv=v7");
    open_conn(t, 2, "/__skew/sse", "a=1");
    n = skew_list_versions(t, vs, 4);
    CHECK_EQ_INT(n, 2);
    for (i = 0; i < n && i < 4; i++)
        if (vs[i].name.len == 2 && memcmp(vs[i].name.ptr, "v7", 2) == 0) v7 = vs[i].count;
    CHECK_EQ_INT(v7, 2); /* both joins count as the client's build, not the server's */
    skew_tracker_destroy(t);
}

static void test_authorization(void) {
    skew_config c;
    skew_tracker *t;
    skew_handle sse, ws;
    hdrs h = {NULL, NULL, NULL};
    skew_request post;
    skew_response res;
    char body[256], idbody[128];
    skew_conn info;
    int stats_calls;
    base_cfg(&c);
    env.answer = SKEW_AUTH_RESULT_DENIED;
    t = make(&c);
    sse = open_conn(t, 0, "/__skew/sse", NULL);
    CHECK_EQ_INT(env.auth_calls[0], 0); /* an SSE open never asks */
    ws = open_conn(t, 1, "/__skew/ws", NULL);
    CHECK_EQ_INT(env.auth_calls[0], 1); /* a WS open asks once, with the handshake */
    CHECK_RES(skew_ws_message(t, ws, skew_str_n("{\"type\":\"subscribe-stats\"}", 26)), SKEW_ERR_UNAUTHORIZED);
    CHECK_EQ_INT(env.auth_calls[0], 1); /* the open's answer is reused */
    CHECK_STR(last(1), "{\"type\":\"stats-unauthorized\"}");

    /* a denied POST subscribe: 200, the verdict on the stream; skew_subscribe says UNAUTHORIZED */
    CHECK_RES(skew_get_conn(t, sse, &info), SKEW_OK);
    snprintf(idbody, sizeof idbody, "{\"connectionId\":\"%s\"}", info.id);
    h.ua = BROWSER;
    post = req_for(&h, "POST", "/__skew/subscribe-stats");
    post.body = skew_str_c(idbody);
    CHECK_RES(skew_http(t, &post, &res, body, sizeof body), SKEW_OK);
    CHECK_EQ_INT(res.status, 200);
    CHECK_STR(body, "{\"ok\":true}");
    CHECK_EQ_INT(env.auth_calls[0], 2);
    CHECK_STR(last(0), "{\"type\":\"stats-unauthorized\"}");
    CHECK_RES(skew_subscribe(t, sse, &post), SKEW_ERR_UNAUTHORIZED);
    CHECK_EQ_INT(skew_get_subscriber_count(t), 0);

    env.answer = SKEW_AUTH_RESULT_GRANTED;
    CHECK_RES(skew_http(t, &post, &res, body, sizeof body), SKEW_OK);
    CHECK_EQ_INT(res.status, 200);
    CHECK(strncmp(last(0), "{\"type\":\"stats\"", 15) == 0);
    CHECK_EQ_INT(skew_get_subscriber_count(t), 1);

    /* admin/stats reads: it asks with SCOPE_STATS; no credential configured is 503, wrong is 401 */
    stats_calls = env.auth_calls[0];
    post = req_for(&h, "GET", "/__skew/admin/stats");
    env.answer = SKEW_AUTH_RESULT_UNAVAILABLE;
    CHECK_RES(skew_http(t, &post, &res, body, sizeof body), SKEW_OK);
    CHECK_EQ_INT(res.status, 503);
    env.answer = SKEW_AUTH_RESULT_DENIED;
    CHECK_RES(skew_http(t, &post, &res, body, sizeof body), SKEW_OK);
    CHECK_EQ_INT(res.status, 401);
    CHECK_EQ_INT(env.auth_calls[0], stats_calls + 2);
    CHECK_EQ_INT(env.auth_calls[1], 0);
    /* metrics has its own scope; admin/version acts (SCOPE_ADMIN) */
    post = req_for(&h, "GET", "/__skew/metrics");
    CHECK_RES(skew_http(t, &post, &res, body, sizeof body), SKEW_OK);
    CHECK_EQ_INT(res.status, 401);
    CHECK_EQ_INT(env.auth_calls[2], 1);
    post = req_for(&h, "POST", "/__skew/admin/version");
    CHECK_RES(skew_http(t, &post, &res, body, sizeof body), SKEW_OK);
    CHECK_EQ_INT(res.status, 401);
    CHECK_EQ_INT(env.auth_calls[1], 1);
    skew_tracker_destroy(t);
}

/* frame_sse: the send hook gets ready-to-write SSE events; WebSocket messages stay bare JSON. */
static void test_frame_sse(void) {
    skew_config c, plain;
    skew_tracker *t;
    skew_handle sse, ws;
    char big[600];
    base_cfg(&c);
    plain = c;
    c.frame_sse = true;
    CHECK(skew_tracker_memory_size(&c) >= skew_tracker_memory_size(&plain));
    CHECK(skew_tracker_memory_size(&c) <= skew_tracker_memory_size(&plain) + 16);
    t = make(&c);
    sse = open_conn(t, 0, "/__skew/sse", NULL);
    ws = open_conn(t, 1, "/__skew/ws", NULL);
    CHECK(strncmp(last(0), "data: {\"type\":\"connected\"", 25) == 0);
    CHECK(env.conns[0].lens[0] == strlen(last(0)) && strcmp(last(0) + env.conns[0].lens[0] - 3, "}\n\n") == 0);
    CHECK(strncmp(last(1), "{\"type\":\"connected\"", 19) == 0);
    /* one broadcast to both transports: each gets its own form */
    CHECK_RES(skew_set_server_version(t, skew_str_c("v3")), SKEW_OK);
    CHECK_STR(last(0), "data: {\"type\":\"version\",\"version\":\"v3\"}\n\n");
    CHECK_STR(last(1), "{\"type\":\"version\",\"version\":\"v3\"}");
    /* skew_send frames a message of the caller's too */
    CHECK_RES(skew_send(t, sse, skew_str_n("{\"type\":\"hello\"}", 16)), SKEW_OK);
    CHECK_STR(last(0), "data: {\"type\":\"hello\"}\n\n");
    CHECK_RES(skew_send(t, ws, skew_str_n("{\"type\":\"hello\"}", 16)), SKEW_OK);
    CHECK_STR(last(1), "{\"type\":\"hello\"}");
    CHECK_RES(skew_send(t, sse, skew_str_n(NULL, 0)), SKEW_OK); /* an empty message is an empty event */
    CHECK_STR(last(0), "data: \n\n");
    /* a newline would end the event early: refused, and the stream is kept */
    CHECK_RES(skew_send(t, sse, skew_str_n("{\"a\":\n1}", 8)), SKEW_ERR_INVALID);
    memset(big, ' ', sizeof big);
    CHECK_RES(skew_send(t, sse, skew_str_n(big, skew_get_config(t)->message_buffer)), SKEW_ERR_TOO_LONG);
    CHECK_EQ_INT(skew_get_total(t), 2);
    /* from inside the send hook the buffer is busy: refused, not overwritten */
    env.send_from_hook = true;
    CHECK_RES(skew_send(t, ws, skew_str_n("{\"type\":\"hi\"}", 13)), SKEW_OK);
    CHECK_RES(env.nested, SKEW_OK); /* WS: bare JSON, no buffer needed */
    env.send_from_hook = true;
    CHECK_RES(skew_send(t, sse, skew_str_n("{\"type\":\"hi\"}", 13)), SKEW_OK);
    CHECK_RES(env.nested, SKEW_ERR_INVALID);
    CHECK_STR(last(0), "data: {\"type\":\"hi\"}\n\n");
    skew_tracker_destroy(t);
}

static void test_sockaddr(void) {
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;
    struct sockaddr_un un;
    skew_ip ip;
    char text[SKEW_IP_STR_MAX];
    memset(&in4, 0, sizeof in4);
    in4.sin_family = AF_INET;
    in4.sin_port = htons(8000);
    CHECK(inet_pton(AF_INET, "192.0.2.7", &in4.sin_addr) == 1);
    CHECK_RES(skew_ip_from_sockaddr((const struct sockaddr *)&in4, sizeof in4, &ip), SKEW_OK);
    skew_ip_format(&ip, text, sizeof text);
    CHECK_STR(text, "192.0.2.7");
    memset(&in6, 0, sizeof in6);
    in6.sin6_family = AF_INET6;
    CHECK(inet_pton(AF_INET6, "2001:db8::1", &in6.sin6_addr) == 1);
    CHECK_RES(skew_ip_from_sockaddr((const struct sockaddr *)&in6, sizeof in6, &ip), SKEW_OK);
    CHECK_EQ_INT(ip.family, 6);
    skew_ip_format(&ip, text, sizeof text);
    CHECK_STR(text, "2001:db8::1");
    CHECK(inet_pton(AF_INET6, "::ffff:10.1.2.3", &in6.sin6_addr) == 1);
    CHECK_RES(skew_ip_from_sockaddr((const struct sockaddr *)&in6, sizeof in6, &ip), SKEW_OK);
    CHECK_EQ_INT(ip.family, 4); /* a dual-stack socket's IPv4 client is IPv4 */
    skew_ip_format(&ip, text, sizeof text);
    CHECK_STR(text, "10.1.2.3");
    memset(&un, 0, sizeof un);
    un.sun_family = AF_UNIX;
    CHECK_RES(skew_ip_from_sockaddr((const struct sockaddr *)&un, sizeof un, &ip), SKEW_ERR_INVALID);
    CHECK_EQ_INT(ip.family, 0);
    CHECK_RES(skew_ip_from_sockaddr(NULL, 0, &ip), SKEW_ERR_INVALID);
    /* a length short of the family's struct is refused, not over-read */
    CHECK_RES(skew_ip_from_sockaddr((const struct sockaddr *)&in6, sizeof(struct sockaddr_in), &ip), SKEW_ERR_INVALID);
    CHECK_EQ_INT(ip.family, 0);
    CHECK_RES(skew_ip_from_sockaddr((const struct sockaddr *)&in4, 1, &ip), SKEW_ERR_INVALID);
}

static void test_bot_log(void) {
    skew_config c;
    skew_tracker *t;
    hdrs h = {NULL, "curl/8.5.0\x1b[31m\"x", NULL};
    skew_request r;
    skew_handle hd = 0;
    base_cfg(&c);
    t = make(&c);
    r = req_for(&h, "GET", "/__skew/sse");
    CHECK_RES(skew_open(t, &r, &env.conns[0], &hd), SKEW_ERR_BOT);
    CHECK(strstr(env.log[SKEW_LOG_LEVEL_INFO], "bot refused (SSE 204)") != NULL);
    CHECK(strstr(env.log[SKEW_LOG_LEVEL_INFO], "\"curl/8.5.0?[31m?x\"") != NULL); /* no raw escapes or quotes */
    h.ua = NULL;
    r = req_for(&h, "GET", "/__skew/ws");
    CHECK_RES(skew_open(t, &r, &env.conns[0], &hd), SKEW_ERR_BOT);
    CHECK(strstr(env.log[SKEW_LOG_LEVEL_INFO], "(WS 403)") != NULL);
    CHECK(strstr(env.log[SKEW_LOG_LEVEL_INFO], "is empty") != NULL);
    CHECK_EQ_INT(env.conns[0].n, 0);
    skew_tracker_destroy(t);
}

int main(void) {
    test_strings();
    test_sse_head();
    test_clock_rule();
    test_cookie_rule();
    test_authorization();
    test_frame_sse();
    test_sockaddr();
    test_bot_log();
    TEST_MAIN_END();
}
