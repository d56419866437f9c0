/* firmware.c - skew_tracker on a microcontroller: fixed capacity, no malloc, no OS.

   A device with a small web UI (think: a printer or an inverter) wants to know which browsers
   are open on it and which firmware build their page came from. This example shows the parts
   such a firmware needs, in the shape of a bare-metal main loop:

     - the tracker lives in a static buffer (skew_tracker_init), sized by
       skew_tracker_memory_size() and checked at boot; SKEW_ENABLE_HOSTED is 0 (skew_impl.c,
       the one file that compiles the library), so it has no malloc, clock or randomness of its
       own and never touches an OS;
     - the clock, the random source and the log come from the board (fw_port.h): the random
       hook MUST be a hardware TRNG, because connection ids are the only credential the POST
       endpoints take (see fw_port.h and port_cortexm.c);
     - SKEW_ASSERT lands in the firmware's own panic handler instead of assert() (which would
       pull printf into the image);
     - a custom transport: a ring of sockets whose transmit buffers the send hook fills
       (SSE framing with skew_write_sse_frame, or a WebSocket text frame); a socket whose buffer is
       full answers SKEW_ERR_SLOW and the tracker drops it;
     - a tiny HTTP request parser (request line and headers), because the library parses no HTTP.

   The network is simulated by a script of events (requests, WebSocket messages, a stalled
   peer, disconnects) so the same loop runs on the host as a test (port_host.c) and links for a
   Cortex-M4 (port_cortexm.c), and runs on an emulated one (port_mps2.c, qemu-system-arm). At
   the end the firmware checks what every socket received and prints "N passed, N failed". */
#include "fw_port.h"

#include <string.h>

#include "skew_tracker.h"

/* The build's module switches (-D on every file, skew_impl.c too), with the header's defaults. */
#ifndef SKEW_ENABLE_BOT_TABLE
#define SKEW_ENABLE_BOT_TABLE 1
#endif
#ifndef SKEW_ENABLE_ADMIN
#define SKEW_ENABLE_ADMIN 1
#endif

/* ---- capacities: everything is fixed at build time ----------------------------------------- */

#define FW_MAX_CONN 4       /* tracked SSE/WebSocket connections */
#define FW_SOCKS 8          /* sockets of the network stack */
#define FW_TX 1024          /* unsent output per socket before it counts as a slow consumer */
#define FW_DRAIN 256        /* bytes a socket's peer reads per loop turn */
#define FW_TRACKER_BYTES (24u * 1024u)
#define FW_END_MS 40000u    /* length of the simulated run */

#if defined(__GNUC__) || defined(__clang__)
#define FW_ALIGN16 __attribute__((aligned(16)))
#else
#define FW_ALIGN16
#endif

static struct {
    unsigned char bytes[FW_TRACKER_BYTES];
} tracker_mem FW_ALIGN16;

/* ---- a small log formatter (no printf in the image) ---------------------------------------- */

typedef struct fw_line {
    char b[192];
    size_t n;
} fw_line;

static void ln_s(fw_line *l, const char *s) {
    while (*s && l->n < sizeof l->b - 1) l->b[l->n++] = *s++;
    l->b[l->n] = '\0';
}
static void ln_sn(fw_line *l, const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n && l->n < sizeof l->b - 1; i++) l->b[l->n++] = s[i];
    l->b[l->n] = '\0';
}
static void ln_u(fw_line *l, uint64_t v) {
    char t[21];
    size_t i = sizeof t - 1;
    t[i] = '\0';
    do {
        t[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    ln_s(l, t + i);
}
/* An empty line without the time prefix. */
static void ln_clear(fw_line *l) {
    l->n = 0;
    l->b[0] = '\0';
}
static void ln_start(fw_line *l, uint64_t ms) {
    l->n = 0;
    l->b[0] = '\0';
    ln_s(l, "[");
    ln_u(l, ms);
    ln_s(l, " ms] ");
}

/* ---- the transport: a ring of sockets ------------------------------------------------------- */

typedef enum fw_state { FW_FREE = 0, FW_SSE, FW_WS } fw_state;

typedef struct fw_sock {
    fw_state state;
    skew_handle h;
    char id[SKEW_ID_STR_MAX];
    char tx[FW_TX];     /* framed output not yet read by the peer */
    size_t tx_len;
    int stalled;        /* the peer stopped reading */
    unsigned connected, stats, pong, keepalive, version, unauthorized, other;
    int closed_slow;
} fw_sock;

static fw_sock socks[FW_SOCKS];
static uint64_t now_ms, boot_ms;
static unsigned bytes_out;

/* One message for one connection: frame it into the socket's transmit buffer. */
static skew_result fw_send(void *ud, const skew_conn *c, const char *msg, size_t len) {
    fw_sock *s = (fw_sock *)c->user;
    size_t need;
    (void)ud;
    if (!s) return SKEW_ERR_SEND;
    if (c->transport == SKEW_TRANSPORT_SSE) {
        need = skew_write_sse_frame(skew_str_n(msg, len), NULL, 0);
        if (s->tx_len + need + 1 > FW_TX) return SKEW_ERR_SLOW;
        skew_write_sse_frame(skew_str_n(msg, len), s->tx + s->tx_len, FW_TX - s->tx_len);
    } else {
        size_t hdr = len < 126 ? 2 : 4; /* FIN+text, unmasked, 7- or 16-bit length */
        need = hdr + len;
        if (s->tx_len + need > FW_TX) return SKEW_ERR_SLOW;
        s->tx[s->tx_len] = (char)0x81;
        if (hdr == 2) {
            s->tx[s->tx_len + 1] = (char)len;
        } else {
            s->tx[s->tx_len + 1] = 126;
            s->tx[s->tx_len + 2] = (char)(len >> 8);
            s->tx[s->tx_len + 3] = (char)(len & 0xFF);
        }
        memcpy(s->tx + s->tx_len + hdr, msg, len);
    }
    s->tx_len += need;
    /* what the peer will see, by message type */
    if (len > 9 && memcmp(msg, "{\"type\":\"", 9) == 0) {
        const char *ty = msg + 9;
        if (strncmp(ty, "connected\"", 10) == 0) s->connected++;
        else if (strncmp(ty, "stats\"", 6) == 0) s->stats++;
        else if (strncmp(ty, "pong\"", 5) == 0) s->pong++;
        else if (strncmp(ty, "keepalive\"", 10) == 0) s->keepalive++;
        else if (strncmp(ty, "version\"", 8) == 0) s->version++;
        else if (strncmp(ty, "stats-unauthorized\"", 19) == 0) s->unauthorized++;
        else s->other++;
    } else {
        s->other++;
    }
    return SKEW_OK;
}

static void fw_on_close(void *ud, const skew_conn *c, skew_close_reason why) {
    fw_sock *s = (fw_sock *)c->user;
    fw_line l;
    (void)ud;
    if (!s) return;
    ln_start(&l, now_ms - boot_ms);
    ln_s(&l, "sock");
    ln_u(&l, (uint64_t)(s - socks));
    ln_s(&l, why == SKEW_CLOSE_REASON_SLOW ? " dropped: slow consumer" : why == SKEW_CLOSE_REASON_SHUTDOWN ? " closed: shutdown" : " closed");
    fw_log(l.b);
    s->closed_slow = why == SKEW_CLOSE_REASON_SLOW;
    s->state = FW_FREE; /* the network stack would now close the TCP connection */
    s->h = 0;
}

static uint64_t fw_now_hook(void *ud) {
    (void)ud;
    return fw_clock_ms();
}
static skew_result fw_random_hook(void *ud, void *buf, size_t len) {
    (void)ud;
    return fw_trng_fill(buf, len) == 0 ? SKEW_OK : SKEW_ERR_RANDOM;
}
static skew_auth_result fw_authorize(void *ud, const skew_request *req, skew_auth_scope scope) {
    skew_str token;
    (void)ud;
    (void)scope;
    token.ptr = "fw-admin"; /* from the device's settings in a real firmware */
    token.len = 8;
    return skew_auth_bearer(req, token);
}

/* ---- a tiny HTTP request parser ------------------------------------------------------------- */

typedef struct fw_http {
    const char *hdr; /* the header lines, "Name: value\r\n"... */
    size_t hdr_len;
} fw_http;

static unsigned char fw_lower(unsigned char c) { return (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c); }

/* Header lookup for skew_request.header: the first line whose name matches, value trimmed. */
static skew_str fw_header(void *ctx, const char *name) {
    const fw_http *h = (const fw_http *)ctx;
    const char *p = h->hdr, *end = h->hdr + h->hdr_len;
    size_t nlen = strlen(name);
    skew_str none = {NULL, 0};
    while (p < end) {
        const char *eol = p, *v;
        size_t i;
        while (eol < end && *eol != '\n') eol++;
        for (i = 0; i < nlen && p + i < eol && fw_lower((unsigned char)p[i]) == (unsigned char)name[i]; i++) {}
        if (i == nlen && p + i < eol && p[i] == ':') {
            skew_str r;
            v = p + i + 1;
            while (v < eol && (*v == ' ' || *v == '\t')) v++;
            r.ptr = v;
            r.len = (size_t)(eol - v);
            while (r.len && (r.ptr[r.len - 1] == '\r' || r.ptr[r.len - 1] == ' ')) r.len--;
            return r;
        }
        p = eol + 1;
    }
    return none;
}

/* "METHOD target HTTP/1.1\r\nheaders\r\n\r\nbody" -> a skew_request. 0 when malformed. */
static int fw_parse(const char *raw, size_t len, skew_request *req, fw_http *h) {
    const char *p = raw, *end = raw + len, *sp, *q, *hdr_end;
    skew_str up;
    memset(req, 0, sizeof *req);
    for (sp = p; sp < end && *sp != ' '; sp++) {}
    if (sp == end) return 0;
    req->method.ptr = p;
    req->method.len = (size_t)(sp - p);
    p = sp + 1;
    for (sp = p; sp < end && *sp != ' '; sp++) {}
    if (sp == end) return 0;
    for (q = p; q < sp && *q != '?'; q++) {}
    req->path.ptr = p;
    req->path.len = (size_t)(q - p);
    req->query.ptr = q < sp ? q + 1 : sp;
    req->query.len = q < sp ? (size_t)(sp - q - 1) : 0;
    while (sp < end && *sp != '\n') sp++;
    h->hdr = sp < end ? sp + 1 : end;
    for (hdr_end = h->hdr; hdr_end + 3 < end && memcmp(hdr_end, "\r\n\r\n", 4) != 0; hdr_end++) {}
    h->hdr_len = (size_t)(hdr_end - h->hdr);
    req->body.ptr = hdr_end + 4 <= end ? hdr_end + 4 : end;
    req->body.len = (size_t)(end - req->body.ptr);
    req->header = fw_header;
    req->header_ctx = h;
    up = fw_header(h, "upgrade");
    req->upgrade = up.len == 9 && fw_lower((unsigned char)up.ptr[0]) == 'w';
    req->peer.family = 4; /* the socket's address from the stack; a LAN client here */
    req->peer.bytes[0] = 192;
    req->peer.bytes[1] = 168;
    req->peer.bytes[2] = 1;
    req->peer.bytes[3] = 20;
    return 1;
}

/* ---- the simulated network ------------------------------------------------------------------ */

typedef enum fw_kind { EV_REQUEST, EV_WS_TEXT, EV_CLOSE, EV_STALL, EV_NEW_BUILD } fw_kind;

typedef struct fw_event {
    uint32_t at_ms;
    uint8_t sock;
    uint8_t kind;
    const char *data; /* "@N" is replaced by socket N's connection id */
} fw_event;

#define UA_FIREFOX "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0\r\n"
#define UA_SAFARI "User-Agent: Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Version/17.1 Mobile/15E148 Safari/604.1\r\n"

static const fw_event script[] = {
    {10, 0, EV_REQUEST, "GET /__skew/sse?route=%2F HTTP/1.1\r\n" UA_FIREFOX "Cookie: __nkpv=fw-1.0\r\n\r\n"},
    {20, 1, EV_REQUEST, "GET /__skew/ws?route=%2Fstatus HTTP/1.1\r\n" UA_SAFARI
                        "Upgrade: websocket\r\nConnection: Upgrade\r\nAuthorization: Bearer fw-admin\r\n\r\n"},
    {30, 1, EV_WS_TEXT, "{\"type\":\"subscribe-stats\"}"},
    {40, 2, EV_REQUEST, "GET /__skew/sse HTTP/1.1\r\nUser-Agent: Googlebot/2.1 (+http://www.google.com/bot.html)\r\n\r\n"},
    {50, 3, EV_REQUEST, "GET /__skew/health HTTP/1.1\r\n\r\n"},
    {60, 1, EV_WS_TEXT, "ping"},
    {70, 3, EV_REQUEST, "POST /__skew/route HTTP/1.1\r\nContent-Type: application/json\r\n\r\n"
                        "{\"connectionId\":\"@0\",\"route\":\"/settings\"}"},
    {80, 1, EV_WS_TEXT, "{\"type\":\"route-update\",\"route\":\"/shipping\"}"},
    {90, 4, EV_REQUEST, "GET /__skew/sse?route=%2Flogs HTTP/1.1\r\n" UA_FIREFOX "Cookie: __nkpv=fw-0.9\r\n\r\n"},
    {95, 4, EV_STALL, NULL},
    {100, 3, EV_REQUEST, "POST /__skew/subscribe-stats HTTP/1.1\r\nAuthorization: Bearer fw-admin\r\n\r\n"
                         "connectionId=@4"},
    {110, 5, EV_REQUEST, "GET /__skew/sse?route=%2Fa HTTP/1.1\r\n" UA_FIREFOX "\r\n"},
    {120, 6, EV_REQUEST, "GET /__skew/sse?route=%2Fb HTTP/1.1\r\n" UA_FIREFOX "\r\n"}, /* a 5th: refused */
    {140, 5, EV_CLOSE, NULL},
    {150, 6, EV_REQUEST, "GET /__skew/sse?route=%2Fc HTTP/1.1\r\n" UA_FIREFOX "\r\n"},
    {180, 7, EV_REQUEST, "GET /__skew/admin/stats HTTP/1.1\r\nAuthorization: Bearer wrong\r\n\r\n"},
    {35000, 0, EV_NEW_BUILD, "fw-1.1"},
};

static int checks_passed, checks_failed;
static void fw_check(int ok, const char *what) {
    fw_line l;
    if (ok) {
        checks_passed++;
        return;
    }
    checks_failed++;
    l.n = 0;
    ln_s(&l, "CHECK FAILED: ");
    ln_s(&l, what);
    fw_log(l.b);
}
#define FW_CHECK(x) fw_check((x) ? 1 : 0, #x)

static int http_status[FW_SOCKS];

/* Copy src replacing "@N" by socket N's connection id. */
static size_t fw_expand(const char *src, char *dst, size_t cap) {
    size_t o = 0;
    while (*src && o + 1 < cap) {
        if (src[0] == '@' && src[1] >= '0' && src[1] < '0' + FW_SOCKS && o + 36 < cap) {
            memcpy(dst + o, socks[src[1] - '0'].id, 36);
            o += 36;
            src += 2;
        } else {
            dst[o++] = *src++;
        }
    }
    dst[o] = '\0';
    return o;
}

static void fw_request(skew_tracker *t, int k, const char *text) {
    static char raw[512];
    static char body[512];
    size_t n = fw_expand(text, raw, sizeof raw);
    skew_request req;
    fw_http h;
    skew_response resp;
    skew_endpoint ep;
    fw_sock *s = &socks[k];
    fw_line l;
    skew_result r;
    if (!fw_parse(raw, n, &req, &h)) return;
    ln_start(&l, now_ms - boot_ms);
    ln_s(&l, "sock");
    ln_u(&l, (uint64_t)k);
    ln_s(&l, " ");
    ln_sn(&l, req.method.ptr, req.method.len);
    ln_s(&l, " ");
    ln_sn(&l, req.path.ptr, req.path.len);
    ep = skew_route_request(t, &req);
    if (ep == SKEW_ENDPOINT_SSE || ep == SKEW_ENDPOINT_WS) {
        s->state = ep == SKEW_ENDPOINT_WS ? FW_WS : FW_SSE; /* before open: `connected` is sent inside */
        s->tx_len = 0;
        r = skew_open(t, &req, s, &s->h);
        if (r == SKEW_OK) {
            skew_conn c;
            skew_get_conn(t, s->h, &c);
            memcpy(s->id, c.id, sizeof s->id);
            ln_s(&l, " -> open ");
            ln_s(&l, c.id);
            ln_s(&l, ", tracked ");
            ln_u(&l, skew_get_total(t));
            fw_log(l.b);
            return;
        }
        s->state = FW_FREE;
        skew_http_open_error(t, &req, r, &resp, body, sizeof body);
    } else if (ep == SKEW_ENDPOINT_NONE) {
        resp.status = 404; /* the device's own pages would be served here */
        body[0] = '\0';
    } else {
        skew_http(t, &req, &resp, body, sizeof body);
    }
    http_status[k] = resp.status;
    ln_s(&l, " -> ");
    ln_u(&l, (uint64_t)resp.status);
    ln_s(&l, " ");
    ln_sn(&l, body, strlen(body) < 80 ? strlen(body) : 80);
    fw_log(l.b);
}

/* ---- figures -------------------------------------------------------------------------------- */

/* The tracker buffer the same configuration needs for n connections (a RAM figure). */
static void fw_log_capacity(const skew_config *base, uint32_t n) {
    skew_config cfg = *base;
    fw_line l;
    cfg.max_connections = n;
    ln_start(&l, 0);
    ln_s(&l, "tracker for ");
    ln_u(&l, n);
    ln_s(&l, " connections needs ");
    ln_u(&l, skew_tracker_memory_size(&cfg));
    ln_s(&l, " bytes");
    fw_log(l.b);
}

/* One full open, message and close cycle on a socket that is free again, with the stack
   painted below main's frame first: its high-water mark is the stack the cycle needs. */
static void fw_stack_cycle(skew_tracker *t, int k) {
    fw_sock *s = &socks[k];
    size_t base = fw_stack_depth(), peak;
    fw_line l;
    static const char route[] = "{\"type\":\"route-update\",\"route\":\"/cycle\"}";
    uint32_t before = skew_get_total(t);
    fw_stack_repaint();
    fw_request(t, k, "GET /__skew/ws?route=%2F HTTP/1.1\r\n" UA_SAFARI "Upgrade: websocket\r\n\r\n");
    FW_CHECK(s->state == FW_WS && skew_get_total(t) == before + 1);
    FW_CHECK(skew_ws_message(t, s->h, skew_str_n(route, sizeof route - 1)) == SKEW_OK);
    FW_CHECK(skew_close(t, s->h, SKEW_CLOSE_REASON_CLIENT) == SKEW_OK && skew_get_total(t) == before);
    peak = fw_stack_peak();
    if (!peak) return; /* this board does not measure its stack */
    FW_CHECK(peak < fw_stack_size()); /* the lowest painted word survived: no overflow */
    ln_start(&l, now_ms - boot_ms);
    ln_s(&l, "stack high-water mark of open+message+close: ");
    ln_u(&l, peak);
    ln_s(&l, " bytes from the top, ");
    ln_u(&l, peak - base);
    ln_s(&l, " below main's frame");
    fw_log(l.b);
}

/* ---- main loop ------------------------------------------------------------------------------ */

/* The device's tracker configuration: small tables sized for this firmware. */
static void fw_config(skew_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->server_version = "fw-1.0";
    cfg->route_tracking = true;
    cfg->max_connections = FW_MAX_CONN;
    cfg->max_versions = 4;
    cfg->max_routes = 8;
    cfg->max_version_len = 16;
    cfg->max_route_len = 32;
    cfg->max_listed = FW_MAX_CONN;
    cfg->max_body = 256;
    cfg->stats_interval_ms = 100;
    cfg->hooks.send = fw_send;
    cfg->hooks.on_close = fw_on_close;
    cfg->hooks.authorize = fw_authorize;
    cfg->hooks.epoch_ms = fw_now_hook;
    cfg->hooks.random_bytes = fw_random_hook;
#ifndef __OPTIMIZE_SIZE__
    /* no bot verdict cache (16 KB by default): RAM is scarcer here than the CPU a scan costs
       (-Os builds, the Cortex-M images, have none anyway: SKEW_OPTIMIZE_SIZE) */
    cfg->bot_cache_entries = SKEW_BOT_CACHE_NONE;
#endif
#if !SKEW_ENABLE_BOT_TABLE
    {   /* built without the bot table (-DSKEW_ENABLE_BOT_TABLE=0, 6 KB less flash): a short
           list of run-time patterns catches the crawlers that matter to this device */
        static const char *const bots[] = {"bot", "crawl", "spider", "curl/", "wget/"};
        cfg->bot_patterns = bots;
        cfg->bot_pattern_count = sizeof bots / sizeof bots[0];
    }
#endif
}

/* The tracker on the static buffer; the sizes it needs go to the log. */
static skew_tracker *fw_start(const skew_config *cfg) {
    skew_tracker *t = NULL;
    size_t need = skew_tracker_memory_size(cfg);
    skew_result r;
    fw_line l;
    ln_start(&l, 0);
    ln_s(&l, "tracker needs ");
    ln_u(&l, need);
    ln_s(&l, " of ");
    ln_u(&l, sizeof tracker_mem.bytes);
    ln_s(&l, " bytes");
    fw_log(l.b);
    if (need == 0 || need > sizeof tracker_mem.bytes) fw_panic("tracker buffer too small");
    fw_log_capacity(cfg, 64);
    fw_log_capacity(cfg, 1024);
    r = skew_tracker_init(&t, cfg, tracker_mem.bytes, sizeof tracker_mem.bytes);
    if (r != SKEW_OK) fw_panic(skew_result_str(r));
    return t;
}

/* One scripted network event. */
static void fw_event_run(skew_tracker *t, const fw_event *e) {
    fw_sock *s = &socks[e->sock];
    switch (e->kind) {
    case EV_REQUEST:
        fw_request(t, e->sock, e->data);
        break;
    case EV_WS_TEXT:
        if (s->state == FW_WS) skew_ws_message(t, s->h, skew_str_n(e->data, strlen(e->data)));
        break;
    case EV_CLOSE:
        if (s->state != FW_FREE) skew_close(t, s->h, SKEW_CLOSE_REASON_CLIENT);
        break;
    case EV_STALL:
        s->stalled = 1;
        break;
    default: { /* an operator installed a new build: tell every page */
        skew_str v;
        v.ptr = e->data;
        v.len = strlen(e->data);
        skew_set_server_version(t, v);
        break;
    }
    }
}

/* The subscriber's stats pushes and the registry's changes around the burst of opens and
   closes at 90-150 ms, which one coalesced push must cover. */
typedef struct fw_burst {
    unsigned stats[2];
    uint64_t changes[2];
    int seen;
} fw_burst;

/* The main loop: due events, the peers reading, the tracker's timer, until FW_END_MS. */
static void fw_loop(skew_tracker *t, uint64_t boot, fw_burst *burst) {
    size_t next = 0, i;
    skew_metrics m;
    for (;;) {
        now_ms = fw_clock_ms();
        while (next < sizeof script / sizeof script[0] && now_ms >= boot + script[next].at_ms)
            fw_event_run(t, &script[next++]);
        for (i = 0; i < FW_SOCKS; i++) { /* the peers read what was sent */
            fw_sock *s = &socks[i];
            size_t n = s->tx_len < FW_DRAIN ? s->tx_len : FW_DRAIN;
            if (s->stalled || !n) continue;
            memmove(s->tx, s->tx + n, s->tx_len - n);
            s->tx_len -= n;
            bytes_out += (unsigned)n;
        }
        skew_tick(t, now_ms);
        if (burst->seen < 2 && now_ms >= boot + (burst->seen ? 280u : 85u)) {
            skew_get_metrics(t, &m);
            burst->stats[burst->seen] = socks[1].stats;
            burst->changes[burst->seen] = m.opened + m.closed;
            burst->seen++;
        }
        if (now_ms >= boot + FW_END_MS) break;
        fw_idle();
    }
}

/* What every socket saw. */
static void fw_check_run(skew_tracker *t, const fw_burst *burst) {
    skew_metrics m;
    skew_conn c;
    skew_get_metrics(t, &m);
    FW_CHECK(socks[0].connected == 1 && socks[1].connected == 1);
    FW_CHECK(socks[0].keepalive >= 1);          /* SSE: every 30 s */
    FW_CHECK(socks[1].keepalive == 0);          /* WebSocket: none */
    FW_CHECK(socks[0].version == 1 && socks[1].version == 1); /* the new build */
    FW_CHECK(socks[1].stats >= 3);              /* subscribed, authorized by its handshake */
    FW_CHECK(socks[1].pong == 1);               /* "ping" only: /shipping is a route */
    FW_CHECK(burst->seen == 2 && burst->changes[1] - burst->changes[0] >= 4); /* opens and closes... */
    FW_CHECK(burst->stats[1] - burst->stats[0] == 1); /* ...pushed once, coalesced */
    FW_CHECK(http_status[2] == 204);            /* a bot gets no stream */
    FW_CHECK(m.bots_rejected == 1);
#if SKEW_ENABLE_ADMIN
    FW_CHECK(http_status[7] == 401);            /* a wrong admin token */
#else
    FW_CHECK(http_status[7] == 404);            /* the admin tools are compiled out */
#endif
    FW_CHECK(socks[6].connected == 1 && socks[6].state == FW_SSE); /* refused once, then opened */
    FW_CHECK(socks[4].closed_slow && m.slow_dropped == 1); /* the stalled subscriber */
    FW_CHECK(m.refused_full == 1);              /* the 5th stream while 4 were open */
    FW_CHECK(skew_get_conn(t, socks[0].h, &c) == SKEW_OK && c.route.len == 9 &&
             memcmp(c.route.ptr, "/settings", 9) == 0);
    FW_CHECK(skew_get_conn(t, socks[1].h, &c) == SKEW_OK && c.route.len == 9 &&
             memcmp(c.route.ptr, "/shipping", 9) == 0);
    FW_CHECK(skew_get_total(t) == 3);
    FW_CHECK(skew_get_rollout_permille(t) == 0);    /* nobody runs fw-1.1 until they reload */
    FW_CHECK(bytes_out > 0);
}

int main(void) {
    skew_config cfg;
    skew_tracker *t;
    fw_line l;
    fw_burst burst;
    uint64_t boot = boot_ms = fw_clock_ms();

    memset(&burst, 0, sizeof burst);
    fw_config(&cfg);
    t = fw_start(&cfg);
    fw_loop(t, boot, &burst);
    fw_check_run(t, &burst);
    if (fw_stack_peak()) {
        ln_clear(&l);
        ln_s(&l, "stack high-water mark of the whole run: ");
        ln_u(&l, fw_stack_peak());
        ln_s(&l, " bytes");
        fw_log(l.b);
    }
    fw_stack_cycle(t, 5);
    skew_close_all(t);
    FW_CHECK(skew_get_total(t) == 0);

    ln_clear(&l);
    ln_u(&l, (uint64_t)checks_passed);
    ln_s(&l, " passed, ");
    ln_u(&l, (uint64_t)checks_failed);
    ln_s(&l, " failed");
    fw_log(l.b);
    return checks_failed ? 1 : 0;
}
