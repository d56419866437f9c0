/* Request routing and the plain endpoints: skew_route_request(), then skew_open() (with
   skew_http_open_error() for a refusal) or skew_http(), on a fresh small tracker.
   Input: bytes 0-1 = tracker shape (fz_tracker), byte 2 = request options (bit 0 upgrade, 1-2 peer, 3-4 body cap, 5 no
   header callback, 6 open two streams first, 7 add a browser User-Agent), then fields: method,
   path, query, body, and headers as "name:value". "@ID@" in the query or body becomes the id
   of a stream opened beforehand.
   Invariants: the endpoint is consistent with skew_route_path(); every answer has a known status
   and a content type; JSON bodies and every message sent are valid UTF-8 JSON; skew_http keeps
   the snprintf contract (a GET answered TRUNCATED fits when asked again with body_len+1); the
   tracker's counts add up afterwards and skew_close_all() leaves nothing behind. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"

static char body[8192];
static char qbuf[4200], bbuf[4200];

static void check_answer(const skew_response *resp, skew_result r, const char *b, size_t cap) {
    static const int ok_status[] = {200, 204, 400, 401, 403, 404, 405, 409, 413, 426, 500, 503};
    size_t i;
    int known = 0;
    for (i = 0; i < sizeof ok_status / sizeof ok_status[0]; i++) known |= resp->status == ok_status[i];
    FZ_ASSERT(known);
    FZ_ASSERT(resp->content_type != NULL);
    FZ_ASSERT((resp->status == 405) == (resp->allow != NULL));
    FZ_ASSERT(resp->upgrade_required == (resp->status == 426));
    if (r == SKEW_OK) {
        FZ_ASSERT(resp->body_len < cap || (cap == 0 && resp->body_len == 0));
        if (cap) FZ_ASSERT(b[resp->body_len] == '\0');
        if (resp->body_len && strncmp(resp->content_type, "application/json", 16) == 0)
            fz_check_json_out(b, resp->body_len);
        else if (resp->body_len)
            FZ_ASSERT(memchr(b, 0, resp->body_len) == NULL);
    } else {
        FZ_ASSERT(r == SKEW_ERR_TRUNCATED);
        FZ_ASSERT(resp->body_len >= cap);
        if (cap) FZ_ASSERT(b[cap - 1] == '\0' && memchr(b, 0, cap - 1) == NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const size_t caps[4] = {sizeof body, 0, 1, 64};
    fz_in in = fz_input(data, size);
    uint8_t f1, f2, f3;
    skew_tracker *t;
    skew_endpoint ep, path_ep;
    skew_request req;
    fz_headers h;
    skew_response resp;
    skew_result r;
    skew_str f[4];
    int more = 1, k, slot;
    size_t cap;
    char *bp;
    skew_conn c0;
    static const char browser[] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/121.0 Safari/537.36";

    if (size > 8192) return 0;
    f1 = fz_byte(&in);
    f2 = fz_byte(&in);
    f3 = fz_byte(&in);
    t = fz_tracker(f1, f2, NULL);
    memset(&c0, 0, sizeof c0);
    if (f3 & 64) {
        fz_open_browser(t, 0, 0, "route=%2Fa", "v0");
        fz_open_browser(t, 1, 1, NULL, NULL);
        if (fz_e.conns[0].live) FZ_ASSERT(skew_get_conn(t, fz_e.conns[0].h, &c0) == SKEW_OK);
    }
    for (k = 0; k < 4; k++) f[k] = more ? fz_field(&in, &more) : skew_str_n(NULL, 0);
    memset(&h, 0, sizeof h);
    while (more) fz_header_add(&h, fz_field(&in, &more));
    if ((f3 & 128) && h.n < FZ_MAX_HEADERS) {
        h.name[h.n] = skew_str_n("user-agent", 10);
        h.value[h.n] = skew_str_n(browser, sizeof browser - 1);
        h.n++;
    }

    memset(&req, 0, sizeof req);
    req.method = f[0];
    req.path = f[1];
    req.query = c0.id[0] ? skew_str_n(qbuf, fz_subst_id(f[2], c0.id, qbuf, sizeof qbuf)) : f[2];
    req.body = c0.id[0] ? skew_str_n(bbuf, fz_subst_id(f[3], c0.id, bbuf, sizeof bbuf)) : f[3];
    req.header = (f3 & 32) ? NULL : fz_header_fn;
    req.header_ctx = &h;
    req.upgrade = (f3 & 1) != 0;
    switch ((f3 >> 1) & 3) {
    case 0: break;
    case 1: req.peer.family = 4; req.peer.bytes[0] = 127; req.peer.bytes[3] = 1; break;
    case 2: req.peer.family = 4; req.peer.bytes[0] = 203; req.peer.bytes[3] = 9; break;
    default: req.peer.family = 6; req.peer.bytes[15] = 1; break;
    }
    cap = caps[(f3 >> 3) & 3];
    bp = cap ? body : NULL; /* measuring: buf=NULL, cap=0 */

    path_ep = skew_route_path(t, req.path);
    ep = skew_route_request(t, &req);
    FZ_ASSERT((int)ep >= SKEW_ENDPOINT_NONE && (int)ep <= SKEW_ENDPOINT_REJECT);
    if (path_ep == SKEW_ENDPOINT_NONE && !req.upgrade) FZ_ASSERT(ep == SKEW_ENDPOINT_NONE);
    if (ep == SKEW_ENDPOINT_SSE) FZ_ASSERT(path_ep == SKEW_ENDPOINT_SSE && !req.upgrade);
    if (ep == SKEW_ENDPOINT_WS) FZ_ASSERT(path_ep == SKEW_ENDPOINT_WS && req.upgrade);
    if (req.upgrade) FZ_ASSERT(ep == SKEW_ENDPOINT_WS || ep == SKEW_ENDPOINT_REJECT);

    memset(&resp, 0, sizeof resp);
    if (ep == SKEW_ENDPOINT_SSE || ep == SKEW_ENDPOINT_WS) {
        skew_handle hd = 0;
        uint32_t before = skew_get_total(t);
        for (slot = 2; slot < FZ_MAX_CONNS - 1 && fz_e.conns[slot].live; slot++) {}
        fz_e.conns[slot].live = 1;
        r = skew_open(t, &req, &fz_e.conns[slot], &hd);
        if (r == SKEW_OK) {
            skew_conn c;
            FZ_ASSERT(hd != 0 && skew_get_total(t) == before + 1);
            FZ_ASSERT(fz_e.conns[slot].nmsg >= 1);
            FZ_ASSERT(strncmp(fz_e.conns[slot].last, "{\"type\":\"connected\"", 19) == 0 ||
                      fz_e.conns[slot].nmsg > 1);
            FZ_ASSERT(skew_get_conn(t, hd, &c) == SKEW_OK);
            FZ_ASSERT(c.transport == (ep == SKEW_ENDPOINT_WS ? SKEW_TRANSPORT_WS : SKEW_TRANSPORT_SSE));
            fz_e.conns[slot].h = hd;
        } else {
            fz_e.conns[slot].live = 0;
            FZ_ASSERT(hd == 0 && skew_get_total(t) == before);
            FZ_ASSERT(r == SKEW_ERR_BOT || r == SKEW_ERR_FULL || r == SKEW_ERR_INVALID || r == SKEW_ERR_SEND);
            r = skew_http_open_error(t, &req, r, &resp, bp, cap);
            FZ_ASSERT(resp.close);
            check_answer(&resp, r, bp, cap);
        }
    } else {
        r = skew_http(t, &req, &resp, bp, cap);
        check_answer(&resp, r, bp, cap);
        if (ep == SKEW_ENDPOINT_NONE) FZ_ASSERT(resp.status == 404);
        if (r == SKEW_ERR_TRUNCATED && req.method.len == 3 && memcmp(req.method.ptr, "GET", 3) == 0) {
            size_t need = resp.body_len;
            FZ_ASSERT(need + 1 <= sizeof body);
            r = skew_http(t, &req, &resp, body, need + 1);
            FZ_ASSERT(r == SKEW_OK && resp.body_len == need);
            check_answer(&resp, r, body, need + 1);
        }
    }
    fz_e.now += 300;
    skew_tick(t, fz_e.now);
    fz_check_tracker(t, 1);
    skew_close_all(t);
    FZ_ASSERT(skew_get_total(t) == 0 && skew_get_subscriber_count(t) == 0);
    for (k = 0; k < FZ_MAX_CONNS; k++) FZ_ASSERT(!fz_e.conns[k].live);
    return 0;
}
