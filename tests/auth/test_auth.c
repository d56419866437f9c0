/* Unit tests of examples/common/skew_auth.c: constant-time compare, same-origin rules, scopes
   per credential, sessions, SIGHUP reload with rotation and revocation on a real tracker, and
   the reload hooks. Prints the time per authorization check (a figure, never asserted). */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "skew_auth.h"
#include "skew_test.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* ---- requests with a small header table ------------------------------------------------ */

typedef struct hdrs {
    const char *kv[16]; /* name, value, name, value, ... (names lowercase) */
} hdrs;

static skew_str hdr_get(void *ctx, const char *name) {
    const hdrs *h = (const hdrs *)ctx;
    size_t i;
    for (i = 0; i + 1 < 16 && h->kv[i]; i += 2)
        if (!strcmp(h->kv[i], name)) return skew_str_c(h->kv[i + 1]);
    return skew_str_n(NULL, 0);
}

static skew_request mkreq(hdrs *h, const char *method, const char *path, const char *peer) {
    skew_request r;
    memset(&r, 0, sizeof r);
    r.method = skew_str_c(method);
    r.path = skew_str_c(path);
    r.header = hdr_get;
    r.header_ctx = h;
    if (peer) skew_ip_parse(skew_str_c(peer), &r.peer);
    return r;
}

/* ---- a state parsed from a command line ------------------------------------------------- */

static bool parse(skew_auth_state *a, int argc, const char **argv) {
    skew_ex_opt_group g = skew_auth_opt_group(a);
    return skew_ex_opts_parse(&g, 1, argc, (char **)(uintptr_t)argv, "test_auth") == SKEW_EX_ARGS_OK;
}

static char tmpdir_path[64];

static const char *secret_file(const char *name, const char *value) {
    static char paths[8][128];
    static int n;
    char *p = paths[n++ % 8];
    FILE *f;
    snprintf(p, 128, "%s/%s", tmpdir_path, name);
    f = fopen(p, "w");
    if (f) {
        fprintf(f, "%s\n", value);
        fclose(f);
    }
    return p;
}

static skew_auth_result check(skew_auth_state *a, skew_request *r, skew_auth_scope scope) {
    return skew_auth_check(a, NULL, r, scope, NULL, 0);
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_ct_equal(void) {
    CHECK(skew_auth_ct_equal("abc", 3, "abc", 3));
    CHECK(!skew_auth_ct_equal("abd", 3, "abc", 3));
    CHECK(!skew_auth_ct_equal("ab", 2, "abc", 3));      /* a prefix */
    CHECK(!skew_auth_ct_equal("abcd", 4, "abc", 3));    /* longer */
    CHECK(!skew_auth_ct_equal("", 0, "", 0));           /* an empty secret matches nothing */
    CHECK(!skew_auth_ct_equal("abc\0", 4, "abc", 3));
}

static void test_origin(void) {
    skew_auth_state a;
    const char *argv[] = {"x", "--allowed-origin", "https://dash.example", "--admin-token", "t"};
    skew_ip_policy none, loop;
    hdrs h;
    skew_request r;
    memset(&none, 0, sizeof none);
    none.trust_none = true;
    memset(&loop, 0, sizeof loop);
    CHECK(parse(&a, 5, argv));
    CHECK(skew_auth_init(&a, "test", "/__skew", &loop, NULL));
#define ORIGIN_IS(want, ...)                                                        \
    do {                                                                            \
        hdrs hh = {{__VA_ARGS__}};                                                  \
        h = hh;                                                                     \
        r = mkreq(&h, "GET", "/__skew/admin/stats", "127.0.0.1");                  \
        CHECK(skew_auth_origin_ok(&a, &r) == (want));                               \
    } while (0)
    ORIGIN_IS(true, NULL);                                                          /* no browser */
    ORIGIN_IS(true, "host", "a.example:8000");
    ORIGIN_IS(true, "host", "a.example:8000", "origin", "http://a.example:8000");
    ORIGIN_IS(true, "host", "A.Example:8000", "origin", "HTTP://a.example:8000"); /* case */
    ORIGIN_IS(true, "host", "a.example:80", "origin", "http://a.example");       /* default port */
    ORIGIN_IS(false, "host", "a.example:8000", "origin", "http://a.example:8001"); /* another port */
    ORIGIN_IS(false, "host", "a.example:8000", "origin", "https://a.example:8000"); /* scheme */
    ORIGIN_IS(false, "host", "a.example:8000", "origin", "http://b.a.example:8000"); /* sibling */
    ORIGIN_IS(false, "host", "a.example:8000", "origin", "null");
    ORIGIN_IS(false, "host", "a.example:8000", "origin", "garbage");
    ORIGIN_IS(false, "origin", "http://a.example:8000");                           /* no Host */
    ORIGIN_IS(true, "host", "x", "origin", "https://dash.example");                /* --allowed-origin */
    ORIGIN_IS(true, "host", "x", "origin", "https://dash.example:443");
    ORIGIN_IS(false, "host", "x", "origin", "https://dash.example.evil");
    ORIGIN_IS(true, "sec-fetch-site", "same-origin");
    ORIGIN_IS(true, "sec-fetch-site", "none");                                     /* typed URL */
    ORIGIN_IS(false, "sec-fetch-site", "same-site");
    ORIGIN_IS(false, "sec-fetch-site", "cross-site");
    /* a trusted proxy (loopback by default) names the public origin */
    ORIGIN_IS(true, "host", "backend:8000", "origin", "https://app.example", "x-forwarded-host", "app.example",
              "x-forwarded-proto", "https");
    ORIGIN_IS(true, "host", "backend:8000", "origin", "https://app.example", "x-forwarded-host",
              "app.example, other.example", "x-forwarded-proto", "https,http");
    a.trust = &none; /* an untrusted peer cannot */
    ORIGIN_IS(false, "host", "backend:8000", "origin", "https://app.example", "x-forwarded-host", "app.example",
              "x-forwarded-proto", "https");
    ORIGIN_IS(true, "host", "backend:8000", "origin", "http://backend:8000", "x-forwarded-host", "app.example");
#undef ORIGIN_IS
    {
        const char *bad[] = {"x", "--allowed-origin", "https://a.example/path"};
        const char *bad2[] = {"x", "--allowed-origin", "a.example"};
        CHECK(!parse(&a, 3, bad));
        CHECK(!parse(&a, 3, bad2));
    }
}

static void test_scopes(void) {
    skew_auth_state a;
    skew_ip_policy loop;
    const char *argv[] = {"x", "--admin-token-file", secret_file("adm", "A-secret"), "--stats-token-file",
                          secret_file("st", "S-secret"), "--metrics-token-file", secret_file("me", "M-secret"),
                          "--metrics-allow", "10.0.0.0/8"};
    hdrs h = {{"authorization", "Bearer A-secret"}};
    skew_request r = mkreq(&h, "GET", "/", "127.0.0.1");
    char who[64];
    memset(&loop, 0, sizeof loop);
    CHECK(parse(&a, 9, argv));
    CHECK(skew_auth_init(&a, "test", "/__skew", &loop, NULL));
    CHECK_EQ_INT(check(&a, &r, SKEW_AUTH_SCOPE_STATS), SKEW_AUTH_RESULT_GRANTED);
    CHECK_EQ_INT(check(&a, &r, SKEW_AUTH_SCOPE_ADMIN), SKEW_AUTH_RESULT_GRANTED);
    CHECK_EQ_INT(skew_auth_check(&a, NULL, &r, SKEW_AUTH_SCOPE_METRICS, who, sizeof who), SKEW_AUTH_RESULT_GRANTED);
    CHECK_STR(who, "admin-token");
    h.kv[1] = "S-secret"; /* a bare Authorization value works as well as Bearer */
    CHECK_EQ_INT(skew_auth_check(&a, NULL, &r, SKEW_AUTH_SCOPE_STATS, who, sizeof who), SKEW_AUTH_RESULT_GRANTED);
    CHECK_STR(who, "stats-token");
    CHECK_EQ_INT(check(&a, &r, SKEW_AUTH_SCOPE_ADMIN), SKEW_AUTH_RESULT_DENIED);
    CHECK_EQ_INT(check(&a, &r, SKEW_AUTH_SCOPE_METRICS), SKEW_AUTH_RESULT_DENIED);
    h.kv[1] = "bearer M-secret";
    CHECK_EQ_INT(check(&a, &r, SKEW_AUTH_SCOPE_METRICS), SKEW_AUTH_RESULT_GRANTED);
    CHECK_EQ_INT(check(&a, &r, SKEW_AUTH_SCOPE_STATS), SKEW_AUTH_RESULT_DENIED);
    CHECK_EQ_INT(check(&a, &r, SKEW_AUTH_SCOPE_ADMIN), SKEW_AUTH_RESULT_DENIED);
    h.kv[1] = "Bearer A-secre"; /* a prefix of the admin token */
    CHECK_EQ_INT(check(&a, &r, SKEW_AUTH_SCOPE_STATS), SKEW_AUTH_RESULT_DENIED);
    /* --metrics-allow: the socket peer */
    h.kv[0] = NULL;
    r = mkreq(&h, "GET", "/", "10.2.3.4");
    CHECK_EQ_INT(skew_auth_check(&a, NULL, &r, SKEW_AUTH_SCOPE_METRICS, who, sizeof who), SKEW_AUTH_RESULT_GRANTED);
    CHECK_STR(who, "metrics-allow");
    CHECK_EQ_INT(check(&a, &r, SKEW_AUTH_SCOPE_STATS), SKEW_AUTH_RESULT_DENIED);
    r = mkreq(&h, "GET", "/", "11.2.3.4");
    CHECK_EQ_INT(check(&a, &r, SKEW_AUTH_SCOPE_METRICS), SKEW_AUTH_RESULT_DENIED);
    CHECK_EQ_INT(a.denied[SKEW_AUTH_M_CIDR], 1);
    /* cookies: the token cookie, only from the same origin */
    {
        hdrs c = {{"cookie", "a=b; skew_admin=A-secret", "host", "h:1", "origin", "http://h:1"}};
        r = mkreq(&c, "GET", "/", "127.0.0.1");
        CHECK_EQ_INT(check(&a, &r, SKEW_AUTH_SCOPE_ADMIN), SKEW_AUTH_RESULT_GRANTED);
        c.kv[5] = "http://h:2";
        CHECK_EQ_INT(check(&a, &r, SKEW_AUTH_SCOPE_ADMIN), SKEW_AUTH_RESULT_DENIED);
        CHECK_EQ_INT(a.denied[SKEW_AUTH_M_ORIGIN], 1);
    }
    /* nothing configured for a scope: UNAVAILABLE */
    {
        skew_auth_state b;
        const char *only_stats[] = {"x", "--stats-token", "S"};
        CHECK(parse(&b, 3, only_stats));
        CHECK(skew_auth_init(&b, "test", "/__skew", &loop, NULL));
        r = mkreq(&h, "GET", "/", "127.0.0.1");
        CHECK_EQ_INT(check(&b, &r, SKEW_AUTH_SCOPE_ADMIN), SKEW_AUTH_RESULT_UNAVAILABLE);
        CHECK_EQ_INT(check(&b, &r, SKEW_AUTH_SCOPE_METRICS), SKEW_AUTH_RESULT_UNAVAILABLE);
        CHECK_EQ_INT(check(&b, &r, SKEW_AUTH_SCOPE_STATS), SKEW_AUTH_RESULT_DENIED);
        CHECK(!skew_auth_has_admin(&b));
    }
}

/* ---- a tracker whose authorize hook is skew_auth_check ------------------------------------ */

typedef struct world {
    skew_auth_state a;
    skew_tracker *t;
    char last[4][256];  /* the last message per connection (user = index) */
    int reloads_seen;
} world;

static skew_result w_send(void *ud, const skew_conn *c, const char *msg, size_t len) {
    world *w = (world *)ud;
    size_t i = (size_t)(uintptr_t)c->user;
    if (len >= sizeof w->last[0]) len = sizeof w->last[0] - 1;
    memcpy(w->last[i], msg, len);
    w->last[i][len] = '\0';
    return SKEW_OK;
}
static skew_auth_result w_auth(void *ud, const skew_request *req, skew_auth_scope scope) {
    world *w = (world *)ud;
    return skew_auth_check(&w->a, w->t, req, scope, NULL, 0);
}
static void w_open(void *ud, const skew_conn *c) {
    world *w = (world *)ud;
    if (c->transport == SKEW_TRANSPORT_WS) skew_auth_bind(&w->a, w->t, c->handle);
    skew_auth_clear_pending(&w->a);
}
static void w_hook(void *ctx) { ((world *)ctx)->reloads_seen++; }

static skew_handle w_ws(world *w, size_t user, const char *auth) {
    hdrs h = {{"user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
               "authorization", auth}};
    skew_request r = mkreq(&h, "GET", "/__skew/ws", "127.0.0.1");
    skew_handle hd = 0;
    r.upgrade = true;
    CHECK_RES(skew_open(w->t, &r, (void *)(uintptr_t)user, &hd), SKEW_OK);
    return hd;
}

static void test_reload_revokes(void) {
    static world w; /* big: the bindings */
    skew_config cfg;
    skew_ip_policy loop;
    skew_conn info;
    const char *stats_file = secret_file("st2", "S-one");
    const char *argv[] = {"x", "--admin-token-file", secret_file("adm2", "A-one"), "--stats-token-file", stats_file};
    skew_handle ha, hs;
    memset(&loop, 0, sizeof loop);
    memset(&w, 0, sizeof w);
    CHECK(parse(&w.a, 5, argv));
    CHECK(skew_auth_init(&w.a, "test", "/__skew", &loop, NULL));
    CHECK(skew_auth_on_reload(&w.a, w_hook, &w));
    memset(&cfg, 0, sizeof cfg);
    cfg.server_version = "v1";
    cfg.base_path = "/__skew";
    cfg.hooks.user_data = &w;
    cfg.hooks.send = w_send;
    cfg.hooks.authorize = w_auth;
    cfg.hooks.on_open = w_open;
    cfg.stats_interval_ms = SKEW_STATS_IMMEDIATE;
    CHECK_RES(skew_tracker_create(&w.t, &cfg), SKEW_OK);
    if (!w.t) return;
    ha = w_ws(&w, 0, "Bearer A-one");
    hs = w_ws(&w, 1, "Bearer S-one");
    CHECK_RES(skew_subscribe(w.t, ha, NULL), SKEW_OK);
    CHECK_RES(skew_subscribe(w.t, hs, NULL), SKEW_OK);
    CHECK(strncmp(w.last[1], "{\"type\":\"stats\"", 15) == 0);

    /* an unchanged file: nothing revoked */
    CHECK(skew_auth_reload(&w.a, w.t));
    CHECK_EQ_INT(w.reloads_seen, 1);
    CHECK(skew_get_conn(w.t, hs, &info) == SKEW_OK && info.subscribed);

    secret_file("st2", "S-two"); /* rotation */
    CHECK(skew_auth_reload(&w.a, w.t));
    CHECK_EQ_INT(w.reloads_seen, 2);
    CHECK_STR(w.last[1], "{\"type\":\"stats-unauthorized\"}");
    CHECK(skew_get_conn(w.t, hs, &info) == SKEW_OK && !info.subscribed); /* open, not subscribed */
    CHECK(skew_get_conn(w.t, ha, &info) == SKEW_OK && info.subscribed);  /* the admin's stays */
    CHECK_RES(skew_subscribe(w.t, hs, NULL), SKEW_ERR_UNAUTHORIZED);       /* the handshake grant is gone */
    CHECK_EQ_INT(w.a.revoked, 1);

    /* an unreadable file keeps the old value and says so */
    unlink(stats_file);
    CHECK(!skew_auth_reload(&w.a, w.t));
    CHECK(skew_auth_ct_equal("S-two", 5, w.a.stats.value, w.a.stats.len));

    /* a session's expiry ends the stats it authorized (the timer's sweep) */
    {
        hdrs lh = {{"content-type", "application/json"}};
        skew_request login = mkreq(&lh, "POST", "/__skew/admin/login", "127.0.0.1");
        skew_response resp;
        char body[256], cookie[256], sc[128];
        hdrs wh = {{"user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
                    "cookie", sc, "host", "h:1", "origin", "http://h:1"}};
        skew_request r;
        skew_handle hw = 0;
        size_t i;
        login.body = STRV("{\"token\":\"A-one\"}");
        CHECK(skew_auth_http(&w.a, w.t, &login, &resp, body, sizeof body, cookie, sizeof cookie));
        CHECK_EQ_INT(resp.status, 200);
        snprintf(sc, sizeof sc, "%.*s", 77, cookie);
        r = mkreq(&wh, "GET", "/__skew/ws", "127.0.0.1");
        r.upgrade = true;
        CHECK_RES(skew_open(w.t, &r, (void *)(uintptr_t)2, &hw), SKEW_OK);
        CHECK_RES(skew_subscribe(w.t, hw, NULL), SKEW_OK);
        CHECK(strncmp(w.last[2], "{\"type\":\"stats\"", 15) == 0);
        skew_auth_tick(&w.a, w.t, w.a.last_sweep_ms + 2000); /* not expired: nothing happens */
        CHECK(skew_get_conn(w.t, hw, &info) == SKEW_OK && info.subscribed);
        for (i = 0; i < SKEW_AUTH_SESSIONS_MAX; i++)
            if (w.a.sessions[i].id[0]) w.a.sessions[i].expires_ms = 0;
        skew_auth_tick(&w.a, w.t, w.a.last_sweep_ms + 2000);
        CHECK_STR(w.last[2], "{\"type\":\"stats-unauthorized\"}");
        CHECK(skew_get_conn(w.t, hw, &info) == SKEW_OK && !info.subscribed);
        CHECK(skew_get_conn(w.t, ha, &info) == SKEW_OK && info.subscribed); /* the token's stays */
        /* and the expired cookie is refused */
        CHECK_EQ_INT(skew_auth_check(&w.a, NULL, &r, SKEW_AUTH_SCOPE_STATS, NULL, 0), SKEW_AUTH_RESULT_DENIED);
    }
    skew_tracker_destroy(w.t);
}

static void test_timing(void) {
    skew_auth_state a;
    skew_ip_policy loop;
    const char *argv[] = {"x", "--admin-token", "0123456789abcdef0123456789abcdef", "--stats-token", "s0123456789"};
    hdrs h = {{"authorization", "Bearer 0123456789abcdef0123456789abcdeX", "host", "h:1"}};
    skew_request r = mkreq(&h, "GET", "/", "127.0.0.1");
    struct timespec t0, t1;
    int i, n = 200000, granted = 0;
    double ns;
    memset(&loop, 0, sizeof loop);
    CHECK(parse(&a, 5, argv));
    CHECK(skew_auth_init(&a, "test", "/__skew", &loop, NULL));
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0); /* CPU time: the machine may be loaded */
    for (i = 0; i < n; i++) granted += check(&a, &r, SKEW_AUTH_SCOPE_METRICS) == SKEW_AUTH_RESULT_GRANTED;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / n;
    CHECK_EQ_INT(granted, 0);
    printf("figure: %.0f ns CPU per denied bearer check (3 secrets compared), %d checks\n", ns, n);
    { /* the slowest grant: a session cookie against a full table (64 ids compared) */
        hdrs lh = {{"content-type", "application/json"}};
        skew_request login = mkreq(&lh, "POST", "/__skew/admin/login", "127.0.0.1");
        skew_response resp;
        char body[256], cookie[256], sc[128];
        hdrs ch = {{"cookie", sc, "host", "h:1", "origin", "http://h:1"}};
        login.body = STRV("{\"token\":\"0123456789abcdef0123456789abcdef\"}");
        for (i = 0; i < SKEW_AUTH_SESSIONS_MAX; i++) {
            CHECK(skew_auth_http(&a, NULL, &login, &resp, body, sizeof body, cookie, sizeof cookie));
            CHECK_EQ_INT(resp.status, 200);
        }
        snprintf(sc, sizeof sc, "%.*s", 77, cookie); /* skew_session=<64 hex> */
        r = mkreq(&ch, "GET", "/", "127.0.0.1");
        n = 20000;
        granted = 0;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
        for (i = 0; i < n; i++) granted += check(&a, &r, SKEW_AUTH_SCOPE_ADMIN) == SKEW_AUTH_RESULT_GRANTED;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
        ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / n;
        CHECK_EQ_INT(granted, n);
        printf("figure: %.0f ns CPU per session-cookie check (64 sessions, Origin checked), %d checks\n", ns, n);
    }
}

int main(void) {
    char tmpl[] = "/tmp/skew-auth-XXXXXX";
    if (!mkdtemp(tmpl)) return 2;
    snprintf(tmpdir_path, sizeof tmpdir_path, "%s", tmpl);
    setenv("SKEW_ADMIN_TOKEN", "", 1); /* the caller's environment must not decide */
    setenv("SKEW_STATS_TOKEN", "", 1);
    setenv("SKEW_METRICS_TOKEN", "", 1);
    SUBTEST("ct_equal", test_ct_equal);
    SUBTEST("origin", test_origin);
    SUBTEST("scopes", test_scopes);
    SUBTEST("reload_revokes", test_reload_revokes);
    SUBTEST("timing", test_timing);
    {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir_path);
        if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir_path);
    }
    TEST_MAIN_END();
}
