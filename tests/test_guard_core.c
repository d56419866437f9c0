/* Guard-page test for the core scanners. Every input of the table below, and every prefix of
   it, is copied so that its last byte is the last byte before a PROT_NONE page: reading even one
   byte past ptr+len crashes. Output buffers of the writers sit the same way before a second
   guard page, with the capacity they were given, so writing past cap crashes too. Scanners:
   skew_json_validate, skew_json_get_string, skew_url_decode, skew_get_query_param, skew_get_cookie,
   skew_route_clean, skew_write_json_string, skew_ws_message, skew_http (POST bodies and query
   strings), skew_merge_add / skew_merge_write. The pure scanners are also run on the same bytes
   followed by tempting junk in a roomy buffer: the answers must be the same, which catches
   over-reads that do not reach the guard page. */
#include "tests/guard_page.h"
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "tests/skew_test.h"

#include <stdio.h>
#include <string.h>

#if GUARD_PAGES

static const char *const corpus[] = {
    /* WebSocket messages and POST bodies */
    "ping", "pings", "{\"type\":\"ping\"}", "{\"type\":\"subscribe-stats\"}", "{\"type\":\"unsubscribe-stats\"}",
    "{\"type\":\"route-update\",\"route\":\"/shipping?x=1#y\"}", "{\"route\":\"/a\",\"type\":\"route-update\"}",
    "{\"type\":\"route-update\",\"route\":\"\\u002fesc\\ud83d\\ude00\\ud800\"}",
    "{\"connectionId\":\"0b7c4f0e-1c1a-4a8e-9c3e-2f6d7e8a9b0c\",\"route\":\"/next\"}",
    "connectionId=0b7c4f0e-1c1a-4a8e-9c3e-2f6d7e8a9b0c&route=%2Fform+path%3Fq",
    "{\"version\":\"v2\"}", "version=v%202", "{\"type\":1,\"type\":\"ping\"}", "{\"k\":[1,{\"a\":null},true,false,-0.5e+3]}",
    "{\"k\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"}", "{\"type\":\"ping\"", "{\"type\" \"ping\"}", "{\"type\":\"pi\x01ng\"}",
    "{\"a\":01}", "{\"a\":1.}", "{\"a\":1e}", "{\"a\":-}", "{\"a\":tru}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\x\"}",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    " \t\r\n{ \"type\" : \"ping\" } \n", "{}", "[]", "\"\"", "0", "-", "\"\\", "{\"\\", "{\"a\"", "{\"a\":", "{\"a\":\"",
    "{\"a\":\"b\",", "{\"a\":\"b\"}x",
    /* snapshots */
    "{\"total\":3,\"versions\":{\"v1\":2,\"v2\":1},\"routes\":{\"/\":3,\"/a\\\"b\":0}}", "{\"total\":4294967295}",
    "{\"total\":4294967296}", "{\"total\":1.5}", "{\"versions\":{\"a\":5},\"total\":-1}", "{\"versions\":[]}",
    /* queries and cookies */
    "route=%2Fa%2Fb&x=1", "route=/a+b&route=/c", "a=1;a=2;route", "route=", "route=%", "route=%4", "route=%G0", "%",
    "&&&;;;===", "routex=1&xroute=2&route=3", "%00%ff%7F+%20", "__nkpv=v2", "a=1; __nkpv=\"v3\"; b=2",
    "skew_admin=tok", " skew_admin = tok ;", "__nkpv", ";;;=;=", "a=\"\"", "a=\"", "v=1;v=2", " __nkpv\t=\tv%202 ",
    /* routes and UTF-8 */
    "/", "/a/b?c=d#e", "a/b", "/a\001b", "/a\x7f", "/\xc3\xa9", "/\xc3", "/\xe2\x80\xa8", "/\xed\xa0\x80",
    "/\xf0\x9f\x98\x80", "/\xf0\x9f\x98", "/\xf4\x90\x80\x80", "/\xc0\xaf", "\xff\xfe\xfd", "/#", "/?",
};

static char *in_end;  /* first byte of the guard page after the input area */
static char *out_end; /* first byte of the guard page after the output area */
static size_t page;

/* Copy n bytes so they end right at the guard page. */
static skew_str at_guard(const char *p, size_t n) {
    char *dst = in_end - n;
    if (n) memcpy(dst, p, n);
    return skew_str_n(dst, n);
}

/* An output buffer of cap bytes that ends right at the guard page (NULL for cap 0). */
static char *out_buf(size_t cap) {
    if (!cap) return NULL;
    memset(out_end - cap, 0x5A, cap);
    return out_end - cap;
}

/* ---- pure scanners: guarded and roomy runs give the same answers ---------------------------- */

typedef struct pure {
    skew_result validate, get[4], dec[2][3], query[3], cookie[3], route[2];
    size_t get_len[4], dec_len[2][3], esc_len[3];
    char get_out[4][80], dec_out[2][3][80], esc_out[3][80];
    ptrdiff_t query_off[3], cookie_off[3];
    size_t query_len[3], cookie_len[3], route_len[2];
} pure;

static void run_pure(skew_str v, pure *o) {
    static const char *const keys[4] = {"type", "route", "connectionId", "k"};
    static const char *const names[3] = {"route", "__nkpv", "a"};
    static const size_t get_caps[4] = {80, 1, 8, 37};
    static const size_t dec_caps[3] = {1, 8, 80};
    static const size_t esc_caps[3] = {1, 7, 80};
    size_t i, f;
    memset(o, 0, sizeof *o);
    o->validate = skew_json_validate(v);
    for (i = 0; i < 4; i++) {
        char *b = out_buf(get_caps[i]);
        o->get[i] = skew_json_get_string(v, keys[i], b, get_caps[i], &o->get_len[i]);
        memcpy(o->get_out[i], b, get_caps[i]);
    }
    for (f = 0; f < 2; f++)
        for (i = 0; i < 3; i++) {
            char *b = out_buf(dec_caps[i]);
            o->dec[f][i] = skew_url_decode(v, f == 1, b, dec_caps[i], &o->dec_len[f][i]);
            memcpy(o->dec_out[f][i], b, dec_caps[i]);
        }
    for (i = 0; i < 3; i++) {
        skew_str q, c;
        o->query[i] = skew_get_query_param(v, names[i], &q);
        o->query_off[i] = q.ptr ? q.ptr - v.ptr : -1;
        o->query_len[i] = q.len;
        o->cookie[i] = skew_get_cookie(v, names[i], &c);
        o->cookie_off[i] = c.ptr ? c.ptr - v.ptr : -1;
        o->cookie_len[i] = c.len;
    }
    for (i = 0; i < 2; i++) {
        skew_str r;
        o->route[i] = skew_route_clean(v, i ? 256 : 1, &r);
        o->route_len[i] = r.len;
    }
    for (i = 0; i < 3; i++) {
        char *b = out_buf(esc_caps[i]);
        o->esc_len[i] = skew_write_json_string(v, b, esc_caps[i]);
        memcpy(o->esc_out[i], b, esc_caps[i]);
    }
    /* measuring with buf=NULL, cap=0 */
    CHECK(skew_write_json_string(v, NULL, 0) == o->esc_len[0]);
}

static bool same_pure(const pure *a, const pure *b) {
    return memcmp(a, b, sizeof *a) == 0;
}

static void check_pure(const char *p, size_t n) {
    static const char *const junk[] = {"\"", "}", "0", "%41", "&route=/j", ";__nkpv=j", "\xa9", "\x80\x80", "\\u0041\"}"};
    static char roomy[4096];
    static pure guarded, plain;
    size_t j;
    bool same = true;
    memset(&guarded, 0, sizeof guarded);
    run_pure(at_guard(p, n), &guarded);
    for (j = 0; j < sizeof junk / sizeof junk[0]; j++) {
        size_t jl = strlen(junk[j]);
        if (n + jl > sizeof roomy) continue;
        memcpy(roomy, p, n);
        memcpy(roomy + n, junk[j], jl);
        run_pure(skew_str_n(roomy, n), &plain);
        same = same && same_pure(&guarded, &plain);
    }
    if (!same) fprintf(stderr, "  differs with junk after: \"%.*s\"\n", (int)n, p);
    CHECK(same);
}

/* ---- tracker scanners --------------------------------------------------------------------- */

static int sent, send_bad;
static skew_result on_send(void *ud, const skew_conn *c, const char *msg, size_t len) {
    (void)ud;
    (void)c;
    sent++;
    if (skew_json_validate(skew_str_n(msg, len)) != SKEW_OK) send_bad++;
    return SKEW_OK;
}
static uint64_t clock_ms = 1700000000000ull;
static uint64_t on_now(void *ud) {
    (void)ud;
    return clock_ms;
}
static skew_result on_random(void *ud, void *buf, size_t len) {
    static uint32_t x = 0x9E3779B9u; /* deterministic: a test, not a CSPRNG */
    size_t i;
    (void)ud;
    for (i = 0; i < len; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        ((unsigned char *)buf)[i] = (unsigned char)x;
    }
    return SKEW_OK;
}
static skew_auth_result on_auth(void *ud, const skew_request *req, skew_auth_scope scope) {
    (void)ud;
    (void)scope;
    return skew_auth_bearer(req, STRV("tok"));
}

typedef struct hdrs {
    const char *name[3];
    skew_str value[3];
    int n;
} hdrs;
static skew_str hdr_fn(void *ctx, const char *name) {
    const hdrs *h = (const hdrs *)ctx;
    int i;
    for (i = 0; i < h->n; i++)
        if (strcmp(h->name[i], name) == 0) return h->value[i];
    return skew_str_n(NULL, 0);
}

static const char *BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";

static skew_handle open_stream(skew_tracker *t, bool ws, skew_str query, skew_str cookie) {
    skew_request r;
    hdrs h;
    skew_handle hd = 0;
    memset(&r, 0, sizeof r);
    memset(&h, 0, sizeof h);
    h.name[0] = "user-agent";
    h.value[0] = skew_str_c(BROWSER);
    h.name[1] = "authorization";
    h.value[1] = STRV("Bearer tok");
    h.name[2] = "cookie";
    h.value[2] = cookie;
    h.n = 3;
    r.method = STRV("GET");
    r.path = ws ? STRV("/__skew/ws") : STRV("/__skew/sse");
    r.query = query;
    r.upgrade = ws;
    r.header = hdr_fn;
    r.header_ctx = &h;
    r.peer.family = 4;
    r.peer.bytes[0] = 127;
    r.peer.bytes[3] = 1;
    if (skew_open(t, &r, NULL, &hd) != SKEW_OK) return 0;
    return hd;
}

static bool good_answer(skew_result r, const skew_response *resp, const char *body, size_t cap) {
    if (r == SKEW_OK) {
        if (resp->body_len >= cap || body[resp->body_len] != '\0') return false;
        return skew_json_validate(skew_str_n(body, resp->body_len)) == SKEW_OK;
    }
    return r == SKEW_ERR_TRUNCATED && resp->body_len >= cap && (!cap || body[cap - 1] == '\0');
}

static void check_tracker(skew_tracker *t, skew_handle ws, const char *p, size_t n) {
    static const char *const posts[4] = {"/__skew/route", "/__skew/subscribe-stats", "/__skew/admin/version",
                                         "/__skew/admin/invalidate"};
    static const size_t caps[3] = {1, 24, 512};
    skew_str v = at_guard(p, n);
    skew_result r;
    skew_request req;
    skew_response resp;
    hdrs h;
    size_t i, c;
    uint32_t total = skew_get_total(t);
    bool ok = true;

    /* a WebSocket message ending at the guard */
    r = skew_ws_message(t, ws, skew_str_n(v.ptr, v.len));
    ok = ok && (r == SKEW_OK || r == SKEW_ERR_INVALID || r == SKEW_ERR_TOO_LONG || r == SKEW_ERR_UNAUTHORIZED);
    ok = ok && skew_get_total(t) == total;

    /* POST bodies and a GET query string ending at the guard, answers ending at the other */
    memset(&h, 0, sizeof h);
    h.name[0] = "authorization";
    h.value[0] = STRV("Bearer tok");
    h.n = 1;
    for (i = 0; i < 5; i++)
        for (c = 0; c < 3; c++) {
            char *b = out_buf(caps[c]);
            memset(&req, 0, sizeof req);
            req.method = i < 4 ? STRV("POST") : STRV("GET");
            req.path = i < 4 ? skew_str_c(posts[i]) : STRV("/__skew/health");
            if (i < 4) req.body = v;
            else req.query = v;
            req.header = hdr_fn;
            req.header_ctx = &h;
            r = skew_http(t, &req, &resp, b, caps[c]);
            ok = ok && good_answer(r, &resp, b, caps[c]);
            if (i == 2 && resp.status == 200) { /* put the version back */
                skew_set_server_version(t, STRV("v1"));
            }
        }
    /* the query of a stream that opens and closes at once */
    {
        skew_handle hd = open_stream(t, false, v, v);
        ok = ok && hd != 0 && skew_close(t, hd, SKEW_CLOSE_REASON_CLIENT) == SKEW_OK;
    }
    ok = ok && skew_get_total(t) == total;
    clock_ms += 100;
    skew_tick(t, clock_ms);
    if (!ok) fprintf(stderr, "  tracker scanners failed on: \"%.*s\"\n", (int)n, p);
    CHECK(ok);
}

static void check_merge(const char *p, size_t n) {
    static const size_t caps[3] = {1, 16, 200};
    skew_count vs[4], rs[4];
    skew_merge m;
    skew_str v = at_guard(p, n);
    size_t c, need;
    bool ok = true;
    skew_result r;
    skew_merge_init(&m, vs, 4, rs, 4);
    r = skew_merge_add(&m, v);
    ok = ok && (r == SKEW_OK || r == SKEW_ERR_INVALID);
    /* the names still point at the guarded text: write them out while it is there */
    need = skew_merge_write(&m, NULL, 0);
    for (c = 0; c < 3; c++) {
        char *b = out_buf(caps[c]);
        ok = ok && skew_merge_write(&m, b, caps[c]) == need && b[need < caps[c] ? need : caps[c] - 1] == '\0';
    }
    if (!ok) fprintf(stderr, "  merge failed on: \"%.*s\"\n", (int)n, p);
    CHECK(ok);
}

int main(void) {
    size_t i, k, n;
    char *mem;
    skew_config cfg;
    skew_tracker *t = NULL;
    skew_handle ws;
    static char big[3000];
    /* [input page][guard][output page][guard] */
    mem = guard_map(2, &page);
    if (!mem) return 1;
    in_end = guard_end(mem, page, 0);
    out_end = guard_end(mem, page, 1);

    memset(&cfg, 0, sizeof cfg);
    cfg.server_version = "v1";
    cfg.route_tracking = true;
    cfg.ip_tracking = true;
    cfg.stats_interval_ms = SKEW_STATS_IMMEDIATE;
    cfg.max_connections = 8;
    cfg.hooks.send = on_send;
    cfg.hooks.epoch_ms = on_now;
    cfg.hooks.random_bytes = on_random;
    cfg.hooks.authorize = on_auth;
    CHECK_RES(skew_tracker_create(&t, &cfg), SKEW_OK);
    if (!t) TEST_MAIN_END();
    ws = open_stream(t, true, STRV("route=/start"), STRV("__nkpv=v0"));
    CHECK(ws != 0);
    CHECK(open_stream(t, false, STRV(""), STRV("")) != 0);

    for (i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
        const char *s = corpus[i];
        n = strlen(s);
        for (k = 0; k <= n; k++) { /* every prefix, the whole input last */
            check_pure(s, k);
            check_tracker(t, ws, s, k);
            check_merge(s, k);
        }
    }
    /* long inputs: the scans run their whole length up to the guard */
    for (n = 0; n + 16 < sizeof big; n += 15) memcpy(big + n, "route=%2Fa%2Fb&", 15);
    check_pure(big, n);
    check_tracker(t, ws, big, n);
    memcpy(big, "{\"type\":\"route-update\",\"route\":\"/", 34);
    for (n = 34; n + 3 < sizeof big; n++) big[n] = 'x';
    memcpy(big + n, "\"}", 2);
    n += 2;
    check_pure(big, n);
    check_tracker(t, ws, big, n);
    check_merge(big, n);

    CHECK(send_bad == 0);
    CHECK(sent > 0);
    CHECK(skew_get_total(t) == 2);
    skew_tracker_destroy(t);
    guard_unmap(mem, page, 2);
    TEST_MAIN_END();
}
#else
GUARD_PAGES_SKIPPED_MAIN
#endif
