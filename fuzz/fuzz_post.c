/* POST bodies: skew_http() on {base}/route, {base}/subscribe-stats, {base}/admin/version and
   {base}/admin/invalidate with any body, on a tracker holding an SSE and a WebSocket stream.
   Input: bytes 0-1 = tracker shape, byte 2 = endpoint (bits 0-1), Authorization (bits 2-3),
   answer cap (bits 4-5); the rest is the body, where "@ID@" becomes the SSE stream's id and
   "@WS@" the WebSocket's.
   Invariants: a known status with a valid JSON body (no 500), "ok":true only with 200; a route
   POST answered 200 sets exactly the route the body holds (checked with the independent JSON
   reader or a reference form decoder); nobody is opened or closed by a POST; counts add up. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"

static char body[4096];
static char sub[4200], sub2[4200];
static uint8_t ref[8400];

/* A field of a body, the way PROTOCOL.md says: a JSON member (when the body starts with '{'
   after blanks) or a form parameter, decoded. 1 when present. */
static int body_field(skew_str b, const char *name, uint8_t *out, size_t cap, size_t *n) {
    size_t i = 0;
    skew_str v;
    *n = 0;
    /* the library's rule: blanks, then line breaks, then '{' */
    while (i < b.len && (b.ptr[i] == ' ' || b.ptr[i] == '\t')) i++;
    while (i < b.len && (b.ptr[i] == '\r' || b.ptr[i] == '\n')) i++;
    if (i < b.len && b.ptr[i] == '{') return fz_json_get((const uint8_t *)b.ptr, b.len, name, out, cap, n) == 1;
    if (skew_get_query_param(b, name, &v) != SKEW_OK) return 0;
    return skew_url_decode(v, true, (char *)out, cap, n) == SKEW_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const eps[4] = {"/route", "/subscribe-stats", "/admin/version", "/admin/invalidate"};
    static const char *const auths[4] = {NULL, "Bearer tok", "tok", "Bearer nope"};
    static const size_t caps[4] = {sizeof body, 8, 1, 40};
    fz_in in;
    uint8_t f1, f2, f3;
    skew_tracker *t;
    skew_config cfg;
    skew_request req;
    skew_response resp;
    fz_headers h;
    skew_conn c0, c1;
    char path[64];
    size_t bl, el, n;
    skew_result r;
    skew_str b;
    int ep;
    uint32_t total;

    if (size > 4000) return 0;
    in.p = data;
    in.n = size;
    f1 = fz_byte(&in);
    f2 = fz_byte(&in);
    f3 = fz_byte(&in);
    t = fz_tracker(f1, f2, &cfg);
    fz_open_browser(t, 0, 0, "route=/start", NULL);
    fz_open_browser(t, 1, 1, NULL, "v2");
    memset(&c0, 0, sizeof c0);
    memset(&c1, 0, sizeof c1);
    if (fz_e.conns[0].live) FZ_ASSERT(skew_get_conn(t, fz_e.conns[0].h, &c0) == SKEW_OK);
    if (fz_e.conns[1].live) FZ_ASSERT(skew_get_conn(t, fz_e.conns[1].h, &c1) == SKEW_OK);
    b = skew_str_n((const char *)in.p, in.n);
    if (c0.id[0]) b = skew_str_n(sub, fz_subst_id(b, c0.id, sub, sizeof sub));
    if (c1.id[0]) { /* "@WS@" -> the WebSocket's id */
        size_t i = 0, o = 0;
        while (i < b.len && o < sizeof sub2) {
            if (b.len - i >= 4 && memcmp(b.ptr + i, "@WS@", 4) == 0 && sizeof sub2 - o >= 36) {
                memcpy(sub2 + o, c1.id, 36);
                o += 36;
                i += 4;
            } else {
                sub2[o++] = b.ptr[i++];
            }
        }
        b = skew_str_n(sub2, o);
    }

    ep = f3 & 3;
    bl = strlen(cfg.base_path ? cfg.base_path : "/__skew");
    memcpy(path, cfg.base_path ? cfg.base_path : "/__skew", bl);
    el = strlen(eps[ep]);
    memcpy(path + bl, eps[ep], el);
    memset(&h, 0, sizeof h);
    if (auths[(f3 >> 2) & 3]) fz_header_add(&h, skew_str_n(auths[(f3 >> 2) & 3], strlen(auths[(f3 >> 2) & 3])));
    if (h.n) { /* fz_header_add split at ':'; rebuild as authorization */
        h.name[0] = skew_str_n("authorization", 13);
        h.value[0] = skew_str_n(auths[(f3 >> 2) & 3], strlen(auths[(f3 >> 2) & 3]));
    }
    memset(&req, 0, sizeof req);
    req.method = skew_str_n("POST", 4);
    req.path = skew_str_n(path, bl + el);
    req.body = b;
    req.header = fz_header_fn;
    req.header_ctx = &h;
    req.peer.family = 4;
    req.peer.bytes[0] = 127;
    req.peer.bytes[3] = 1;
    total = skew_get_total(t);

    memset(body, 0x5A, sizeof body);
    n = caps[(f3 >> 4) & 3];
    r = skew_http(t, &req, &resp, body, n);
    FZ_ASSERT(r == SKEW_OK || r == SKEW_ERR_TRUNCATED);
    FZ_ASSERT(resp.status == 200 || resp.status == 400 || resp.status == 401 || resp.status == 404 ||
              resp.status == 409 || resp.status == 413 || resp.status == 503);
    FZ_ASSERT(resp.content_type && strcmp(resp.content_type, "application/json") == 0);
    if (n < sizeof body) FZ_ASSERT((unsigned char)body[n] == 0x5A);
    if (r == SKEW_OK) {
        fz_check_json_out(body, resp.body_len);
        FZ_ASSERT((resp.status == 200) == (strncmp(body, "{\"ok\":true", 10) == 0));
    } else {
        FZ_ASSERT(resp.body_len >= n && body[n - 1] == '\0');
    }
    FZ_ASSERT(skew_get_total(t) == total);

    /* a route POST that succeeded stored the route the body carries (or "(other)" when the
       route table is full) on the stream the body names */
    if (ep == 0 && resp.status == 200) {
        size_t rn = 0, idn = 0, cut = 0;
        uint8_t id[64];
        skew_conn c;
        int who;
        FZ_ASSERT(body_field(b, "connectionId", id, sizeof id, &idn) && idn == 36);
        FZ_ASSERT(fz_name_eq(skew_str_n((const char *)id, 36), c0.id) || fz_name_eq(skew_str_n((const char *)id, 36), c1.id));
        who = fz_name_eq(skew_str_n((const char *)id, 36), c0.id) ? 0 : 1;
        FZ_ASSERT(body_field(b, "route", ref, sizeof ref, &rn) && rn >= 1 && ref[0] == '/');
        while (cut < rn && ref[cut] != '?' && ref[cut] != '#') cut++;
        FZ_ASSERT(cut <= cfg.max_route_len);
        FZ_ASSERT(skew_get_conn(t, fz_e.conns[who].h, &c) == SKEW_OK);
        if (cfg.route_tracking)
            FZ_ASSERT((c.route.len == cut && memcmp(c.route.ptr, ref, cut) == 0) ||
                      (c.route.len && c.route.ptr[0] == '(' && c.route.len <= 7 &&
                       memcmp(c.route.ptr, SKEW_OTHER_NAME, c.route.len) == 0));
    }
    fz_e.now += 1000;
    skew_tick(t, fz_e.now);
    fz_check_tracker(t, 1);
    return 0;
}
