/* The fake transport and request helpers the tracker tests share: every message each
   connection got, headers, a base config, and make/unmake for one tracker at a time. Include
   after skew_tracker.h (with the implementation) and skew_test.h. */
#ifndef TESTS_FAKE_TRANSPORT_H
#define TESTS_FAKE_TRANSPORT_H
#include <stdlib.h>

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

TESTS_UNUSED static skew_result fake_send(void *ud, const skew_conn *c, const char *msg, size_t len) {
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
TESTS_UNUSED static void fake_open(void *ud, const skew_conn *c) {
    fake_env *e = (fake_env *)ud;
    (void)c;
    e->opens++;
}
TESTS_UNUSED static void fake_close(void *ud, const skew_conn *c, skew_close_reason r) {
    fake_env *e = (fake_env *)ud;
    fake_conn *fc = (fake_conn *)c->user;
    e->closes++;
    fc->closed = true;
    fc->reason = r;
}
TESTS_UNUSED static void fake_route(void *ud, const skew_conn *c, skew_str old) {
    fake_env *e = (fake_env *)ud;
    (void)c;
    e->route_updates++;
    memcpy(e->last_old_route, old.ptr, old.len < 63 ? old.len : 63);
    e->last_old_route[old.len < 63 ? old.len : 63] = '\0';
}
TESTS_UNUSED static skew_auth_result fake_auth(void *ud, const skew_request *req, skew_auth_scope scope) {
    fake_env *e = (fake_env *)ud;
    (void)scope;
    if (!e->have_auth) return SKEW_AUTH_RESULT_UNAVAILABLE;
    return skew_auth_bearer(req, skew_str_c("s3cret"));
}
TESTS_UNUSED static uint64_t fake_now(void *ud) { return ((fake_env *)ud)->now; }
TESTS_UNUSED static void fake_log(void *ud, skew_log_level level, const char *msg) {
    fake_env *e = (fake_env *)ud;
    if (msg && strncmp(msg, "skew: ", 6) == 0) e->logs[level]++;
}
TESTS_UNUSED static skew_result fake_random(void *ud, void *buf, size_t len) {
    static uint8_t x = 1;
    size_t i;
    (void)ud;
    for (i = 0; i < len; i++) ((uint8_t *)buf)[i] = x = (uint8_t)(x * 33u + 7u);
    return SKEW_OK;
}

TESTS_UNUSED static void env_reset_msgs(fake_env *e) {
    int i;
    size_t j;
    for (i = 0; i < MAXC; i++) {
        for (j = 0; j < e->conns[i].nmsg; j++) free(e->conns[i].msgs[j]);
        e->conns[i].nmsg = 0;
    }
}
TESTS_UNUSED static const char *last_msg(fake_env *e, int c) {
    return e->conns[c].nmsg ? e->conns[c].msgs[e->conns[c].nmsg - 1] : "";
}
TESTS_UNUSED static int count_type(fake_env *e, int c, const char *type) {
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

TESTS_UNUSED static skew_str fake_header(void *ctx, const char *name) {
    fake_req *r = (fake_req *)ctx;
    int i;
    for (i = 0; i < r->n; i++)
        if (strcmp(r->names[i], name) == 0) return skew_str_c(r->values[i]);
    return skew_str_n(NULL, 0);
}

TESTS_UNUSED static const char *BROWSER_UA =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

TESTS_UNUSED static skew_request make_req(fake_req *h, const char *method, const char *path, const char *query, const char *cookie) {
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
TESTS_UNUSED static void add_header(skew_request *r, const char *name, const char *value) {
    fake_req *h = (fake_req *)r->header_ctx;
    h->names[h->n] = name;
    h->values[h->n++] = value;
}

TESTS_UNUSED static void base_cfg(skew_config *c, fake_env *e) {
    memset(c, 0, sizeof *c);
    c->hooks.user_data = e;
    c->hooks.send = fake_send;
    c->hooks.on_open = fake_open;
    c->hooks.on_close = fake_close;
    c->hooks.on_route_update = fake_route;
    c->hooks.authorize = fake_auth;
    c->hooks.epoch_ms = fake_now;
    c->hooks.random_bytes = fake_random;
    c->hooks.log = fake_log;
    c->stats_interval_ms = SKEW_STATS_IMMEDIATE;
}

TESTS_UNUSED static skew_handle open_sse(skew_tracker *t, fake_env *e, int c, const char *query, const char *cookie) {
    fake_req h;
    skew_request r = make_req(&h, "GET", "/__skew/sse", query, cookie);
    skew_handle hd = 0;
    CHECK_RES(skew_open(t, &r, &e->conns[c], &hd), SKEW_OK);
    return hd;
}
TESTS_UNUSED static skew_handle open_ws(skew_tracker *t, fake_env *e, int c, const char *query, const char *cookie, const char *auth) {
    fake_req h;
    skew_request r = make_req(&h, "GET", "/__skew/ws", query, cookie);
    skew_handle hd = 0;
    r.upgrade = true;
    if (auth) add_header(&r, "authorization", auth);
    CHECK_RES(skew_open(t, &r, &e->conns[c], &hd), SKEW_OK);
    return hd;
}

static fake_env env;
TESTS_UNUSED static skew_tracker *make(skew_config *c) {
    skew_tracker *t = NULL;
    CHECK_RES(skew_tracker_create(&t, c), SKEW_OK);
    env.t = t;
    return t;
}
TESTS_UNUSED static void unmake(skew_tracker *t) {
    skew_tracker_destroy(t);
    env_reset_msgs(&env);
    memset(&env, 0, sizeof env);
}
#endif
