/* Authorization of the example servers (examples/common/skew_auth.c, built in here): the
   authorize hook for every scope, the same-origin rule, and the login/logout/refusal answers.
   Input: byte 0 picks the method and path; then fields separated by 0x1E: Origin, Host,
   Sec-Fetch-Site, Cookie, Authorization, X-Forwarded-Host, X-Forwarded-Proto, Content-Type,
   body; byte 1 picks the peer (loopback: a trusted proxy, or 10.0.0.1: not).
   Invariants: no crash or over-read; a request with neither Origin nor Sec-Fetch-Site passes
   the origin check; ADMIN is granted only when the admin token is in the input; STATS only
   when the admin or stats token or a session id handed out here is; every answer
   skew_auth_http writes is valid JSON with a status it documents; the session table never
   holds more than SKEW_AUTH_SESSIONS_MAX. */
#define _POSIX_C_SOURCE 200809L /* the server code's clocks and gmtime_r */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"
#include "../examples/common/skew_options.c"
#include "../examples/common/skew_auth.c"

#define FZ_ADMIN "fz-admin-token"
#define FZ_STATS "fz-stats-token"

static skew_str fz_h[9];
static const char *const fz_names[9] = {"origin", "host", "sec-fetch-site", "cookie", "authorization",
                                        "x-forwarded-host", "x-forwarded-proto", "content-type", ""};
static skew_str fz_auth_header(void *ctx, const char *name) {
    size_t i;
    (void)ctx;
    for (i = 0; i < 8; i++)
        if (!strcmp(name, fz_names[i])) return fz_h[i];
    return skew_str_n(NULL, 0);
}

static int fz_contains(const uint8_t *p, size_t n, const char *needle) {
    size_t k = strlen(needle), i;
    for (i = 0; i + k <= n; i++)
        if (!memcmp(p + i, needle, k)) return 1;
    return 0;
}

static skew_auth_state fz_a;
static skew_ip_policy fz_policy;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const paths[] = {"/__skew/admin/login", "/__skew/admin/logout", "/__skew/admin/version",
                                        "/__skew/admin/stats", "/__skew/metrics", "/__skew/subscribe-stats",
                                        "/other", "/__skew/admin/invalidate"};
    static int ready;
    fz_in in;
    skew_request req;
    skew_response r;
    char body[512], cookie[256];
    uint8_t sel, peer;
    int more = 1, scope, has_admin, has_any;
    size_t i, live = 0;
    if (!ready) {
        skew_ex_opt_group g = skew_auth_opt_group(&fz_a);
        const char *argv[] = {"fz", "--admin-token", FZ_ADMIN, "--stats-token", FZ_STATS, "--metrics-allow", "10.9.0.0/16",
                              "--allowed-origin", "https://ok.example"};
        FZ_ASSERT(skew_ex_opts_parse(&g, 1, 9, (char **)(uintptr_t)argv, "fz") == SKEW_EX_ARGS_OK);
        FZ_ASSERT(skew_auth_init(&fz_a, "fz", "/__skew", &fz_policy, NULL));
        ready = 1;
    }
    in.p = data;
    in.n = size;
    sel = fz_byte(&in);
    peer = fz_byte(&in);
    for (i = 0; i < 9; i++) fz_h[i] = more ? fz_field(&in, &more) : skew_str_n(NULL, 0);
    memset(&req, 0, sizeof req);
    req.method = skew_str_c(sel & 0x80 ? "GET" : "POST");
    req.path = skew_str_c(paths[sel & 7]);
    req.body = fz_h[8];
    req.header = fz_auth_header;
    skew_ip_parse(skew_str_c(peer & 1 ? "10.9.0.1" : "127.0.0.1"), &req.peer);

    if (!fz_h[0].len && !fz_h[2].len) FZ_ASSERT(skew_auth_origin_ok(&fz_a, &req));
    has_admin = fz_contains(data, size, FZ_ADMIN);
    has_any = has_admin || fz_contains(data, size, FZ_STATS) || fz_contains(data, size, "skew_session");
    for (scope = 0; scope < 3; scope++) {
        skew_auth_result v = skew_auth_check(&fz_a, NULL, &req, (skew_auth_scope)scope, cookie, sizeof cookie);
        FZ_ASSERT(v == SKEW_AUTH_RESULT_GRANTED || v == SKEW_AUTH_RESULT_DENIED || v == SKEW_AUTH_RESULT_UNAVAILABLE);
        if (scope == SKEW_AUTH_SCOPE_ADMIN && v == SKEW_AUTH_RESULT_GRANTED) FZ_ASSERT(has_admin || fz_contains(data, size, "skew_session"));
        if (scope == SKEW_AUTH_SCOPE_STATS && v == SKEW_AUTH_RESULT_GRANTED) FZ_ASSERT(has_any);
    }
    if (skew_auth_http(&fz_a, NULL, &req, &r, body, sizeof body, cookie, sizeof cookie)) {
        FZ_ASSERT(r.status == 200 || r.status == 400 || r.status == 401 || r.status == 403 || r.status == 405 ||
                  r.status == 415 || r.status == 500 || r.status == 503);
        FZ_ASSERT(r.body_len < sizeof body);
        fz_check_json_out(body, r.body_len);
    }
    memset(&r, 0, sizeof r);
    r.status = 200;
    skew_auth_after_http(&fz_a, NULL, &req, &r);
    for (i = 0; i < SKEW_AUTH_SESSIONS_MAX; i++) live += fz_a.sessions[i].id[0] != 0;
    FZ_ASSERT(live <= SKEW_AUTH_SESSIONS_MAX);
    return 0;
}
