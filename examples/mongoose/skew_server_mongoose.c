/* skew_server_mongoose.c - the skew server on mongoose 7.22.

   The mongoose adapter: protocol decisions come from skew_tracker.h, the policy both servers
   share (options, pages, timer, shutdown, admin answers, fd limit, cluster start) from
   examples/common/skew_example.h. What remains here is mongoose itself: request headers,
   response framing, static files in chunks, WebSocket frame checks ahead of mg_ws_cb
   (ws_guard), parking idle streams outside mongoose's list (>>park), idle buffers given back,
   and the cluster link's wake-ups from its thread. Per connection a `conn` lives in the bytes
   mongoose allocates after each struct mg_connection (mgr.extraconnsize). The mongoose 7.22
   behaviours handled on purpose and the memory figures are in examples/mongoose/README.md. */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "mongoose.h"

#include "skew_example.h"
#include "skew_cluster.h"

/* ======================================================================================
   >>state
   ====================================================================================== */

#define HEAD_MAX 16384u             /* request line + headers */
#define HTTP_IDLE_MS 10000u         /* plain HTTP connection without traffic: closed */
#define HEAD_DEADLINE_MS 10000u     /* a request head complete this long after its first byte */
#define PARK_AFTER_MS 100u          /* a new stream is parked once idle this long (see >>park) */
#define BODY_GRACE_MS 10000u        /* a body: this long after its head, plus ... */
#define BODY_MIN_RATE 1024u         /* ... a second per this many bytes (bytes/s) */
#define FD_RESERVE 16u              /* descriptors kept for files, epoll, the cluster link */
#define FILE_CHUNK 65536u           /* static file bytes queued at a time */
#define ARENA_SIZE (HEAD_MAX + 1024u) /* joined header copies for one request */
#define SSE_USER_TIMEOUT_MIN 20000u /* ms: unacknowledged output before the kernel gives up */
/* A message this big (stats) raises the socket's send buffer to BIG_SNDBUF first, as on lws:
   across a real network the kernel's initial 16 KB lets a 79 KB stats message (10k connections)
   out in pieces, a round trip each (on loopback autotuning had grown it already). Ordinary
   streams keep the kernel's default. */
#define BIG_MSG 4096u
#define BIG_SNDBUF (256 * 1024)
/* 1: give empty I/O buffers back (see README.md); 0 only to measure what that saves. */
#ifndef SKEW_MG_RELEASE_IDLE_BUFFERS
#define SKEW_MG_RELEASE_IDLE_BUFFERS 1
#endif

#if MG_MAX_RECV_SIZE < (HEAD_MAX + 8192)
#error "MG_MAX_RECV_SIZE must hold a request head and a POST body"
#endif

typedef enum conn_kind { CONN_HTTP = 0, CONN_SSE, CONN_WS } conn_kind;

/* Lives in the mgr.extraconnsize bytes after each struct mg_connection (zeroed by mongoose). */
typedef struct conn {
    skew_handle h;                  /* tracked connection; 0: not (or no longer) tracked */
    FILE *file;                     /* static file being streamed */
    uint64_t file_left;
    uint64_t last_progress;         /* monotonic ms: output moved, or became pending */
    uint64_t last_active;           /* monotonic ms: plain HTTP traffic */
    uint64_t req_deadline;          /* monotonic ms: the request being read must be in; 0: none */
    uint64_t skip_left;             /* WS: bytes of an oversized frame still to discard */
    uint32_t msg_len;               /* WS: bytes of the fragmented message so far */
    uint8_t kind;                   /* conn_kind */
    uint8_t missed_pongs;
    bool awaiting_pong;
    bool in_fragment;               /* WS: a fragmented message is open */
    bool failed;                    /* WS: protocol error, close sent: read nothing more */
    bool close_after;               /* HTTP: close once the response is out */
    bool was_draining;              /* HTTP: is_draining before this poll's read */
    bool counted;                   /* counted in server.streams */
    bool parked;                    /* idle stream out of mongoose's list (see >>park) */
    bool parked_once;               /* has been parked: parks again as soon as it is idle */
    bool body_timed;                /* req_deadline is the body's (set once per request) */
    bool fd_counted;                /* counted in server.accepted */
    struct mg_connection *park_prev, *park_next; /* server.parked, while parked */
} conn;

#define CONN(c) ((conn *)(void *)((c) + 1))

typedef struct server {
    skew_ex_server ex;              /* first: the shared part (hooks.user_data is both);
                                       ex.open_conns counts live SSE/WS connections */
    struct mg_mgr mgr;
    char arena[ARENA_SIZE];         /* joined repeated headers (one request at a time) */
    size_t arena_used;
    char path[HEAD_MAX + 1];        /* the decoded request path */
    int park_fd;                    /* epoll set of the parked streams; -1: no parking */
    struct mg_connection *parked;   /* parked streams (conn.park_next) */
    uint32_t parked_count;
    struct mg_connection park_bell; /* stands for park_fd in mongoose's epoll set (see >>park) */
    uint32_t park_wait;             /* ms until a new stream is due to be parked; 0: none waits */
    unsigned long wake_id;          /* cluster: the listener, woken by the link's thread */
    struct mg_connection *lsn;      /* the listener (see >>gate) */
    uint32_t accepted;              /* accepted connections alive (parked ones too) */
    uint32_t accept_cap;            /* accepting pauses at this many (the fd limit less FD_RESERVE) */
    bool accept_paused;             /* the listener is out of mongoose's epoll set */
} server;

/* What the tracker's header callback reads from. */
typedef struct req_ctx {
    server *srv;
    struct mg_http_message *hm;
} req_ctx;

/* mongoose's own WebSocket handler, wrapped by ws_guard (see README.md). */
static mg_event_handler_t mg_ws_handler;

static void unpark(server *srv, struct mg_connection *c);
static void accept_gate(server *srv);

static skew_str mgview(struct mg_str s) { return skew_str_n(s.buf, s.len); }

/* Equal but for ASCII case (mongoose's own comparison). */
static bool ieq_n(const char *a, const char *b, size_t n) { return mg_strcasecmp(mg_str_n(a, n), mg_str_n(b, n)) == 0; }

/* Does a comma-separated header value hold token (case-insensitive)? */
static bool has_token(skew_str v, const char *token) {
    size_t n = strlen(token), i = 0;
    while (i < v.len) {
        size_t s, e;
        while (i < v.len && (v.ptr[i] == ' ' || v.ptr[i] == '\t' || v.ptr[i] == ',')) i++;
        s = i;
        while (i < v.len && v.ptr[i] != ',') i++;
        e = i;
        while (e > s && (v.ptr[e - 1] == ' ' || v.ptr[e - 1] == '\t')) e--;
        if (e - s == n && ieq_n(v.ptr + s, token, n)) return true;
    }
    return false;
}

/* ======================================================================================
   >>respond  plain HTTP answers, written with mg_send
   ====================================================================================== */

/* Extra response headers, "Name: value\r\n" each. */
typedef struct hdrs {
    char buf[1536];
    size_t len;
} hdrs;

static void hdr_add(hdrs *h, const char *name, const char *value) {
    int n;
    if (!value) return;
    n = snprintf(h->buf + h->len, sizeof h->buf - h->len, "%s: %s\r\n", name, value);
    if (n > 0 && (size_t)n < sizeof h->buf - h->len) h->len += (size_t)n;
    else h->buf[h->len] = '\0'; /* does not fit: left out */
}

/* Status line and headers. content_length < 0: none (a stream). */
static bool send_head(struct mg_connection *c, int status, const char *ctype, long long content_length,
                      const hdrs *extra, bool close) {
    char head[2048];
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\n", status, skew_ex_status_reason(status));
    if (ctype && status != 204 && status != 304)
        n += snprintf(head + n, sizeof head - (size_t)n, "Content-Type: %s\r\n", ctype);
    if (content_length >= 0 && status != 204 && status != 304)
        n += snprintf(head + n, sizeof head - (size_t)n, "Content-Length: %lld\r\n", content_length);
    n += snprintf(head + n, sizeof head - (size_t)n, "X-Content-Type-Options: nosniff\r\n%s%s\r\n",
                  extra ? extra->buf : "", close ? "Connection: close\r\n" : "");
    if (n < 0 || (size_t)n >= sizeof head) return false;
    return mg_send(c, head, (size_t)n);
}

/* A whole answer. The connection stays for the next request unless close (or the request
   asked for it). */
static void respond(struct mg_connection *c, int status, const char *ctype, const void *body, size_t len,
                    const hdrs *extra, bool head, bool close) {
    conn *st = CONN(c);
    close = close || st->close_after;
    if (status == 204 || status == 304) len = 0;
    if (!send_head(c, status, ctype, (long long)len, extra, close) || (!head && len && !mg_send(c, body, len))) {
        c->is_closing = 1; /* out of memory: a half answer must not stay on the wire */
        return;
    }
    c->is_resp = 0;
    if (close) c->is_draining = 1;
}

static void respond_error(struct mg_connection *c, int status, const char *msg, bool close) {
    char body[160];
    hdrs h;
    size_t n = skew_ex_json_error(body, sizeof body, msg);
    h.len = 0;
    h.buf[0] = '\0';
    hdr_add(&h, "Cache-Control", "no-store");
    respond(c, status, "application/json", body, n < sizeof body ? n : sizeof body - 1, &h, false, close);
}

/* An answer the tracker described (set_cookie: a Set-Cookie value, or NULL). */
static void respond_skew_cookie(struct mg_connection *c, const skew_response *r, const char *body, bool head,
                                const char *set_cookie) {
    hdrs h;
    h.len = 0;
    h.buf[0] = '\0';
    hdr_add(&h, "Cache-Control", "no-store");
    if (set_cookie && *set_cookie) hdr_add(&h, "Set-Cookie", set_cookie);
    if (r->allow) hdr_add(&h, "Allow", r->allow);
    if (r->upgrade_required) hdr_add(&h, "Upgrade", "websocket");
    respond(c, r->status, r->content_type ? r->content_type : "application/json", body, r->body_len, &h, head,
            r->close);
}

static void respond_skew(struct mg_connection *c, const skew_response *r, const char *body, bool head) {
    respond_skew_cookie(c, r, body, head, NULL);
}

/* skew_http (skew_ex_http: a large answer is asked for again, GET only). */
static void answer_http(server *srv, struct mg_connection *c, const skew_request *req) {
    char small[2048], *big;
    skew_response r;
    skew_result res = skew_ex_http(&srv->ex, req, &r, small, sizeof small, &big);

    /* cluster: a connection held by another instance; the answer comes later (cluster_respond) */
    if (res == SKEW_ERR_NOT_LOCAL && srv->ex.node && skcl_node_relay(srv->ex.node, req, c->id)) return;
    if (res == SKEW_ERR_NOMEM) respond_error(c, 500, "out of memory", false);
    else if (res == SKEW_ERR_TRUNCATED) respond_error(c, 500, "response too large", false);
    else respond_skew_cookie(c, &r, big ? big : small, skew_ex_is_head(req), srv->ex.set_cookie);
    free(big);
}

/* The error answer for a failed skew_open (bot 204/403, full 503, ...). */
static void answer_open_error(server *srv, struct mg_connection *c, const skew_request *req, skew_result res,
                              bool close) {
    char body[512];
    skew_response r;
    skew_ex_open_error(&srv->ex, req, res, &r, body, sizeof body);
    if (close) r.close = true;
    respond_skew(c, &r, body, false);
}

/* ======================================================================================
   >>site  built-in pages and --root files
   ====================================================================================== */


/* Queue more of the file being sent; at the end the connection takes requests again. */
static void file_pump(struct mg_connection *c) {
    conn *st = CONN(c);
    while (st->file && c->send.len < FILE_CHUNK) {
        size_t want = FILE_CHUNK - c->send.len, at = c->send.len, got;
        if ((uint64_t)want > st->file_left) want = (size_t)st->file_left;
        if (want && mg_iobuf_add(&c->send, at, NULL, want) != want) {
            c->is_closing = 1; /* out of memory */
            return;
        }
        got = want ? fread(c->send.buf + at, 1, want, st->file) : 0;
        c->send.len = at + got;
        st->file_left -= got;
        if (got < want || st->file_left == 0) {
            fclose(st->file);
            st->file = NULL;
            if (st->file_left) { /* the file shrank: Content-Length cannot be kept */
                c->is_draining = 1;
                return;
            }
            c->is_resp = 0; /* mongoose parses the next pipelined request now */
            if (st->close_after) c->is_draining = 1;
        }
    }
}

/* Stream a --root file (status 200). */
static void answer_file(struct mg_connection *c, const skew_ex_serve *s, const hdrs *extra) {
    conn *st = CONN(c);
    FILE *f = fopen(s->file_path, "rb");
    if (!f) {
        respond_error(c, 404, "not found", false);
        return;
    }
    if (!send_head(c, 200, s->content_type, (long long)s->file_size, extra, st->close_after)) {
        fclose(f);
        c->is_closing = 1;
        return;
    }
    if (s->head || s->file_size == 0) {
        fclose(f);
        c->is_resp = 0;
        if (st->close_after) c->is_draining = 1;
        return;
    }
    st->file = f; /* is_resp stays set until the last byte is queued */
    st->file_left = s->file_size;
    file_pump(c);
}

/* The pages and --root files (skew_site.h): a file streamed, anything else from memory. */
static void answer_site(server *srv, struct mg_connection *c, const skew_request *req) {
    skew_ex_serve s;
    hdrs h;
    size_t i;

    h.len = 0;
    h.buf[0] = '\0';
    skew_ex_site_answer(&srv->ex.site, srv->ex.t, req, &s);
    skew_ex_log_access(&srv->ex, req, s.status);
    for (i = 0; i < s.header_count; i++) hdr_add(&h, s.headers[i].name, s.headers[i].value);
    if (s.kind == SKEW_EX_SERVE_FILE) answer_file(c, &s, &h);
    else respond(c, s.status, s.content_type, s.data, s.len, &h, s.head, false);
    skew_ex_serve_free(&s);
}

/* ======================================================================================
   >>request  mongoose -> skew_request
   ====================================================================================== */

/* skew_header_fn over the parsed headers: repeated fields are joined with ", " (cookies "; ";
   mongoose refuses a repeated Cookie or Authorization anyway). A single field is returned in
   place; joined ones are copied to the arena. */
static skew_str req_header(void *ctx, const char *lname) {
    req_ctx *rc = (req_ctx *)ctx;
    struct mg_http_message *hm = rc->hm;
    server *srv = rc->srv;
    skew_str none = {NULL, 0};
    size_t i, n = strlen(lname), count = 0, total = 0, len = 0;
    const char *sep = strcmp(lname, "cookie") ? ", " : "; ";
    struct mg_str *first = NULL;
    char *out;

    for (i = 0; i < MG_MAX_HTTP_HEADERS && hm->headers[i].name.len > 0; i++) {
        struct mg_str *k = &hm->headers[i].name;
        if (k->len != n || !ieq_n(k->buf, lname, n)) continue;
        if (!count) first = &hm->headers[i].value;
        count++;
        total += hm->headers[i].value.len;
    }
    if (!count) return none;
    if (count == 1) return mgview(*first);
    total += 2 * (count - 1);
    if (total > sizeof srv->arena - srv->arena_used) return mgview(*first); /* cannot happen: heads are bounded */
    out = srv->arena + srv->arena_used;
    for (i = 0; i < MG_MAX_HTTP_HEADERS && hm->headers[i].name.len > 0; i++) {
        struct mg_str *k = &hm->headers[i].name, *v = &hm->headers[i].value;
        if (k->len != n || !ieq_n(k->buf, lname, n)) continue;
        if (len) {
            memcpy(out + len, sep, 2);
            len += 2;
        }
        if (v->len) memcpy(out + len, v->buf, v->len);
        len += v->len;
    }
    srv->arena_used += len;
    return skew_str_n(out, len);
}

/* The socket peer; ::ffff:a.b.c.d becomes IPv4 (skew_ip_from_sockaddr). */
static void peer_ip(const struct mg_connection *c, skew_ip *out) {
    if (c->rem.is_ip6) {
        struct sockaddr_in6 sa;
        memset(&sa, 0, sizeof sa);
        sa.sin6_family = AF_INET6;
        memcpy(&sa.sin6_addr, c->rem.addr.ip, 16);
        skew_ip_from_sockaddr((const struct sockaddr *)(const void *)&sa, sizeof sa, out);
    } else {
        struct sockaddr_in sa;
        memset(&sa, 0, sizeof sa);
        sa.sin_family = AF_INET;
        memcpy(&sa.sin_addr, c->rem.addr.ip, 4);
        skew_ip_from_sockaddr((const struct sockaddr *)(const void *)&sa, sizeof sa, out);
    }
}

/* Fill a request (valid while hm is: inside the MG_EV_HTTP_MSG handler). */
static bool req_build(server *srv, struct mg_connection *c, struct mg_http_message *hm, req_ctx *rc,
                      skew_request *req) {
    size_t n = 0;
    memset(req, 0, sizeof *req);
    srv->arena_used = 0;
    rc->srv = srv;
    rc->hm = hm;
    /* The path as lws gives it: percent-decoded (the site lookup wants it so). */
    if (skew_url_decode(mgview(hm->uri), false, srv->path, sizeof srv->path, &n) != SKEW_OK) return false;
    req->method = mgview(hm->method);
    req->path = skew_str_n(srv->path, n);
    req->query = mgview(hm->query);
    req->body = mgview(hm->body);
    req->header = req_header;
    req->header_ctx = rc;
    req->upgrade = has_token(req_header(rc, "upgrade"), "websocket");
    peer_ip(c, &req->peer);
    return true;
}

/* ======================================================================================
   >>hooks  tracker -> adapter
   ====================================================================================== */

/* Raise c's send buffer to BIG_SNDBUF (once: the kernel keeps it, and doubles it). */
static void big_sndbuf(int fd) {
    int n = 0;
    socklen_t sl = sizeof n;
    if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &n, &sl) == 0 && n >= BIG_SNDBUF) return;
    n = BIG_SNDBUF;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &n, sizeof n) != 0)
        skew_ex_logf(SKEW_EX_LOG_INFO, "setsockopt(SO_SNDBUF) failed: %s", strerror(errno));
}

/* A server's WebSocket frame header (FIN, opcode, unmasked length), as mg_ws_send writes it. */
static size_t ws_frame_header(unsigned char *hdr, size_t len, int op) {
    size_t i;
    hdr[0] = (unsigned char)(0x80 | op);
    if (len < 126) {
        hdr[1] = (unsigned char)len;
        return 2;
    }
    if (len < 65536) {
        hdr[1] = 126;
        hdr[2] = (unsigned char)(len >> 8);
        hdr[3] = (unsigned char)len;
        return 4;
    }
    hdr[1] = 127;
    for (i = 0; i < 8; i++) hdr[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
    return 10;
}

/* >>write-through  A tracked stream with nothing queued is written at once (one sendmsg, the
   WS header and the message together) instead of through mongoose's send buffer: a stats
   message leaves in the tick that built it, not one event-loop round later, without unparking
   the stream and without mongoose's buffer (calloc, copy, and two byte-wise wipes of 79 KB at
   10k connections). What the socket does not take goes to mongoose's buffer as before (the
   stream is unparked); an error is left for mongoose's own write to find. Not for TLS, and not
   during skew_open (st->h still 0: `connected` must follow the handshake answer). Returns the
   bytes of header + message written. */
static size_t write_through(struct mg_connection *c, const unsigned char *hdr, size_t hlen, const char *msg,
                            size_t len) {
    struct iovec iov[2];
    struct msghdr mh;
    ssize_t n;
    int fd = (int)(size_t)c->fd;
    if (len >= BIG_MSG) big_sndbuf(fd);
    iov[0].iov_base = (void *)(uintptr_t)hdr;
    iov[0].iov_len = hlen;
    iov[1].iov_base = (void *)(uintptr_t)msg;
    iov[1].iov_len = len;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = hlen ? iov : iov + 1;
    mh.msg_iovlen = hlen ? 2 : 1;
    n = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
    return n > 0 ? (size_t)n : 0;
}

/* Append to c's send buffer, growing it by doubling (up to max_output_bytes). mg_send resizes the
   buffer to the exact size at every call (a new allocation, a copy of everything queued, and a
   wipe of the old one): a subscriber that stopped reading while 100 KB stats messages kept
   coming cost O(queued) per message, quadratic in all (with --max-output-bytes 256 MiB, seconds
   of CPU with the loop stalled). */
static bool send_append(const server *srv, struct mg_connection *c, const void *p, size_t n) {
    struct mg_iobuf *io = &c->send;
    if (n == 0) return true;
    if (io->len + n > io->size) {
        size_t want = io->size > srv->ex.opt.max_output_bytes / 2 ? srv->ex.opt.max_output_bytes : io->size * 2;
        if (want < io->len + n) want = io->len + n;
        if (!mg_iobuf_resize(io, want)) return false;
    }
    memcpy(io->buf + io->len, p, n);
    io->len += n;
    return true;
}

/* A stream's answer (101 or SSE head, and `connected`) is queued in c->send while mongoose reads
   the request: write it at once, from MG_EV_READ (which mongoose sends after its parser), instead
   of in the next loop round. That round cost epoll_ctl (EPOLLOUT on), an epoll_wait and epoll_ctl
   (off): 3 of the ~17 system calls of a short-lived stream. What the socket does not take stays
   queued for mongoose; an error is left for its own write to find. Not for TLS. */
static void flush_now(struct mg_connection *c) {
    ssize_t n;
    if (c->is_tls || c->send.len == 0 || c->is_closing) return;
    n = send((int)(size_t)c->fd, c->send.buf, c->send.len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n <= 0) return;
    mg_iobuf_del(&c->send, 0, (size_t)n);
    CONN(c)->last_progress = CONN(c)->last_active = skew_ex_mono_ms(); /* what MG_EV_WRITE does */
}

static skew_result hook_send(void *user_data, const skew_conn *sc, const char *msg, size_t len) {
    server *srv = (server *)user_data;
    struct mg_connection *c = (struct mg_connection *)sc->user;
    conn *st;
    unsigned char hdr[10];
    size_t hlen = 0, done = 0, at;

    if (!c || c->is_closing || c->is_draining) return SKEW_ERR_SEND;
    st = CONN(c);
    /* SSE: msg is the framed event already (frame_sse); WS: a text frame */
    if (st->kind != CONN_SSE) hlen = ws_frame_header(hdr, len, WEBSOCKET_OP_TEXT);
    if (c->send.len + hlen + len > srv->ex.opt.max_output_bytes) return SKEW_ERR_SLOW;
    if (st->h && c->send.len == 0 && !c->is_tls) {
        done = write_through(c, hdr, hlen, msg, len);
        if (done == hlen + len) {
            st->last_progress = st->last_active = skew_ex_mono_ms(); /* what MG_EV_WRITE does */
            return SKEW_OK;
        }
    }
    unpark(srv, c); /* mongoose writes only what is in its list */
    at = c->send.len;
    if (at == 0) st->last_progress = skew_ex_mono_ms(); /* the stall clock starts now */
    if ((done < hlen && !send_append(srv, c, hdr + done, hlen - done)) ||
        !send_append(srv, c, msg + (done > hlen ? done - hlen : 0), len - (done > hlen ? done - hlen : 0))) {
        if (done) return SKEW_ERR_SEND; /* part of a frame is on the wire: the stream must end */
        c->send.len = at; /* no half frame on the wire */
        return SKEW_ERR_NOMEM;
    }
    return SKEW_OK;
}

static void hook_on_close(void *user_data, const skew_conn *sc, skew_close_reason reason) {
    struct mg_connection *c = (struct mg_connection *)sc->user;
    conn *st;
    if (!c) return;
    unpark((server *)user_data, c); /* mongoose closes only what is in its list */
    st = CONN(c);
    st->h = 0;
    skew_ex_log_close(sc, reason);
    switch (reason) {
    case SKEW_CLOSE_REASON_CLIENT: /* the socket is going already */
        break;
    case SKEW_CLOSE_REASON_SHUTDOWN: /* send what is queued, then close 1001 / end the stream */
        if (!c->send.len) st->last_progress = skew_ex_mono_ms();
        if (st->kind == CONN_WS && !c->is_draining && !c->is_closing) {
            static const unsigned char going_away[2] = {0x03, 0xe9}; /* 1001 */
            mg_ws_send(c, going_away, sizeof going_away, WEBSOCKET_OP_CLOSE);
        }
        c->is_draining = 1;
        break;
    default: /* slow, send failed, timeout: close for real, queued output dropped */
        c->is_closing = 1;
        break;
    }
}

/* ======================================================================================
   >>sse
   ====================================================================================== */

static void open_sse(server *srv, struct mg_connection *c, const skew_request *req) {
    static const char head[] = SKEW_SSE_RESPONSE_HEAD; /* queued before skew_open sends `connected` */
    conn *st = CONN(c);
    size_t mark = c->send.len;
    skew_result res;
    skew_handle h = 0;

    if (srv->ex.stopping) {
        answer_open_error(srv, c, req, SKEW_ERR_STOPPING, true);
        return;
    }
    if (!mg_send(c, head, sizeof head - 1)) {
        c->is_closing = 1;
        return;
    }
    st->kind = CONN_SSE; /* `connected` goes out SSE-framed, after the head */
    res = skew_open(srv->ex.t, req, c, &h);
    if (res != SKEW_OK) {
        st->kind = CONN_HTTP;
        c->send.len = mark;
        answer_open_error(srv, c, req, res, false);
        return;
    }
    st->h = h;
    st->counted = true;
    srv->ex.open_conns++;
    skew_ex_log_stream_open(&srv->ex, req, h); /* its client IP, the access log */
    st->last_progress = skew_ex_mono_ms();
    if (srv->ex.opt.no_sse_eof_check) c->is_full = 1; /* tests: mongoose reads it no more (see park) */
    /* c->is_resp stays set: mongoose parses nothing more on this connection */
#ifdef TCP_USER_TIMEOUT
    {
        /* A peer that vanished without FIN never acknowledges the keepalives: the kernel fails
           the socket after this long (instead of ~15 minutes of retransmissions), the next
           write or read errors and the stream is closed. */
        unsigned int ms = srv->ex.lim.keepalive_ms * SKEW_EX_STALL_INTERVALS;
        if (ms < SSE_USER_TIMEOUT_MIN) ms = SSE_USER_TIMEOUT_MIN;
        if (setsockopt((int)(size_t)c->fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof ms) != 0)
            skew_ex_logf(SKEW_EX_LOG_DEBUG, "TCP_USER_TIMEOUT: %s", strerror(errno));
    }
#endif
}

/* ======================================================================================
   >>ws
   ====================================================================================== */

/* Fail a WebSocket: close frame with code, read nothing more, forget the connection now. */
static void ws_fail(server *srv, struct mg_connection *c, unsigned code) {
    conn *st = CONN(c);
    unsigned char p[2];
    p[0] = (unsigned char)(code >> 8);
    p[1] = (unsigned char)(code & 0xff);
    st->failed = true;
    st->last_progress = skew_ex_mono_ms();
    c->recv.len = 0;
    c->pfn_data = NULL;
    if (st->h) skew_close(srv->ex.t, st->h, SKEW_CLOSE_REASON_CLIENT);
    mg_ws_send(c, p, 2, WEBSOCKET_OP_CLOSE);
    c->is_draining = 1;
    skew_ex_logf(SKEW_EX_LOG_DEBUG, "ws protocol error: close %u", code);
}

/* Check the frames mg_ws_cb has not parsed yet: from c->pfn_data on, where mg_ws_cb keeps the
   end of a fragmented message it reassembles (mongoose 7.22 internals; build.mk warns when
   MONGOOSE_DIR is not 7.22). Returns false when the connection was failed. Frame accounting happens only for complete frames, so
   a header seen again on the next read is not counted twice. */
static bool ws_check(server *srv, struct mg_connection *c) {
    conn *st = CONN(c);
    size_t p = (size_t)c->pfn_data;

    if (st->failed) {
        c->recv.len = 0;
        return false;
    }
    if (p > c->recv.len) p = c->recv.len;
    while (p < c->recv.len) {
        const unsigned char *b = c->recv.buf + p;
        size_t avail = c->recv.len - p, lenbytes, hl;
        unsigned op, n7;
        bool fin;
        uint64_t plen, frame;

        if (st->skip_left) { /* the rest of an oversized frame */
            size_t k = avail < st->skip_left ? avail : (size_t)st->skip_left;
            mg_iobuf_del(&c->recv, p, k);
            st->skip_left -= k;
            continue;
        }
        if (avail < 2) break;
        fin = (b[0] & 0x80) != 0;
        op = b[0] & 0x0fu;
        n7 = b[1] & 0x7fu;
        if ((b[0] & 0x70) || !(b[1] & 0x80) || (op > 2 && op < 8) || op > 10 || (op >= 8 && (!fin || n7 > 125))) {
            ws_fail(srv, c, 1002); /* reserved bits or opcode, unmasked, bad control frame */
            return false;
        }
        if ((op == 0 && !st->in_fragment) || ((op == 1 || op == 2) && st->in_fragment)) {
            ws_fail(srv, c, 1002); /* continuation out of place */
            return false;
        }
        lenbytes = n7 == 126 ? 2 : n7 == 127 ? 8 : 0;
        if (avail < 2 + lenbytes) break;
        if (n7 == 126) {
            plen = ((uint64_t)b[2] << 8) | b[3];
        } else if (n7 == 127) {
            size_t i;
            if (b[2] & 0x80) { /* the most significant bit must be 0 */
                ws_fail(srv, c, 1002);
                return false;
            }
            for (plen = 0, i = 0; i < 8; i++) plen = (plen << 8) | b[2 + i];
        } else {
            plen = n7;
        }
        hl = 2 + lenbytes + 4; /* with the mask key */
        frame = hl + plen;
        if (op < 8 && plen > SKEW_EX_WS_MESSAGE_MAX) {
            size_t k;
            if (op == 0 || !fin) { /* part of a fragmented message: it cannot be cut out alone */
                ws_fail(srv, c, 1009);
                return false;
            }
            /* one whole message too long for any protocol message: dropped as it arrives */
            k = (uint64_t)avail < frame ? avail : (size_t)frame;
            mg_iobuf_del(&c->recv, p, k);
            st->skip_left = frame - k;
            skew_ex_logf(SKEW_EX_LOG_DEBUG, "ws message of %llu bytes dropped", (unsigned long long)plen);
            continue;
        }
        if ((uint64_t)avail < frame) break; /* mongoose waits for the rest */
        if (op == 1 || op == 2) {
            st->in_fragment = !fin;
            st->msg_len = (uint32_t)plen;
        } else if (op == 0) {
            st->msg_len += (uint32_t)plen;
            if (st->msg_len > SKEW_EX_WS_MESSAGE_MAX) {
                ws_fail(srv, c, 1009);
                return false;
            }
            if (fin) st->in_fragment = false;
        }
        p += (size_t)frame;
    }
    return true;
}

/* c->pfn of a WebSocket: checks, then mongoose's handler. */
static void ws_guard(struct mg_connection *c, int ev, void *ev_data) {
    if (ev == MG_EV_READ && !ws_check((server *)c->fn_data, c)) return;
    mg_ws_handler(c, ev, ev_data);
}

/* An RFC 6455 opening handshake: a non-empty Sec-WebSocket-Key and version 13 (mongoose 7.22
   checks neither). */
static bool ws_handshake_ok(struct mg_http_message *hm) {
    struct mg_str *key = mg_http_get_header(hm, "Sec-WebSocket-Key");
    struct mg_str *ver = mg_http_get_header(hm, "Sec-WebSocket-Version");
    return key && key->len > 0 && ver && ver->len == 2 && !memcmp(ver->buf, "13", 2);
}

static void open_ws(server *srv, struct mg_connection *c, struct mg_http_message *hm, const skew_request *req) {
    conn *st = CONN(c);
    char stack[512], *frames = stack;
    size_t mark = c->send.len, n;
    skew_result res;
    skew_handle h = 0;

    if (!ws_handshake_ok(hm)) {
        char body[160];
        hdrs extra;
        size_t blen = skew_ex_json_error(body, sizeof body, "bad websocket handshake");
        extra.len = 0;
        extra.buf[0] = '\0';
        hdr_add(&extra, "Cache-Control", "no-store");
        hdr_add(&extra, "Sec-WebSocket-Version", "13");
        respond(c, 400, "application/json", body, blen < sizeof body ? blen : sizeof body - 1, &extra, false, true);
        return;
    }
    if (srv->ex.stopping) {
        answer_open_error(srv, c, req, SKEW_ERR_STOPPING, true);
        return;
    }
    st->kind = CONN_WS; /* `connected` is framed as WS text; it must follow the 101 */
    res = skew_open(srv->ex.t, req, c, &h);
    if (res != SKEW_OK) {
        st->kind = CONN_HTTP;
        c->send.len = mark;
        answer_open_error(srv, c, req, res, true);
        return;
    }
    /* Move what skew_open queued behind the handshake answer. */
    n = c->send.len - mark;
    if (n > sizeof stack && !(frames = (char *)malloc(n))) {
        skew_close(srv->ex.t, h, SKEW_CLOSE_REASON_SEND_FAILED); /* on_close: is_closing */
        return;
    }
    if (n) memcpy(frames, c->send.buf + mark, n);
    c->send.len = mark;
    mg_ws_upgrade(c, hm, NULL);
    if (!mg_ws_handler) mg_ws_handler = c->pfn;
    if (c->pfn == mg_ws_handler) c->pfn = ws_guard;
    if (n && !mg_send(c, frames, n)) c->is_closing = 1;
    if (frames != stack) free(frames);
    st->h = h;
    st->counted = true;
    srv->ex.open_conns++;
    skew_ex_log_stream_open(&srv->ex, req, h); /* its client IP, the access log */
    st->last_progress = skew_ex_mono_ms();
    if (c->is_closing) skew_close(srv->ex.t, h, SKEW_CLOSE_REASON_SEND_FAILED);
}

/* ======================================================================================
   >>events  the mongoose event handler
   ====================================================================================== */

static void on_http_msg(server *srv, struct mg_connection *c, struct mg_http_message *hm) {
    conn *st = CONN(c);
    req_ctx rc;
    skew_request req;
    skew_str cn;

    st->req_deadline = 0; /* the request is in: its clock stops (>>deadline) */
    st->body_timed = false;
    if (c->is_draining || c->is_closing) return;
    if (!req_build(srv, c, hm, &rc, &req)) {
        respond_error(c, 400, "bad request", true);
        return;
    }
    cn = req_header(&rc, "connection");
    st->close_after = has_token(cn, "close") ||
                      (hm->proto.len == 8 && !memcmp(hm->proto.buf, "HTTP/1.0", 8) && !has_token(cn, "keep-alive"));
    switch (skew_route_request(srv->ex.t, &req)) {
    case SKEW_ENDPOINT_SSE: open_sse(srv, c, &req); break;
    case SKEW_ENDPOINT_WS: open_ws(srv, c, hm, &req); break;
    case SKEW_ENDPOINT_NONE: answer_site(srv, c, &req); break;
    default: answer_http(srv, c, &req); break;
    }
}

/* Framing mongoose 7.22 would read or drop without an answer. Its parser already refuses two
   Content-Length or Transfer-Encoding fields, both together, and a Content-Length that is not a
   number (answered 400 in the MG_EV_READ handler); what is left: a Content-Length that is not
   plain decimal ("+5"), any Transfer-Encoding (chunked bodies are not read here: mongoose 7.22
   cannot read chunk extensions, and the protocol's POSTs carry a Content-Length), and a head with
   more fields than mongoose keeps (MG_MAX_HTTP_HEADERS: the rest would go unseen). Returns the
   status to refuse with, or 0. */
static int framing_refusal(const struct mg_http_message *hm, const char **why) {
    size_t i, k;
    for (i = 0; i < MG_MAX_HTTP_HEADERS && hm->headers[i].name.len > 0; i++) {
        const struct mg_str *n = &hm->headers[i].name, *v = &hm->headers[i].value;
        if (n->len == 17 && ieq_n(n->buf, "transfer-encoding", 17)) {
            *why = "Transfer-Encoding is not accepted: send a Content-Length";
            return 411;
        }
        if (n->len == 14 && ieq_n(n->buf, "content-length", 14)) {
            for (k = 0; k < v->len && v->buf[k] >= '0' && v->buf[k] <= '9'; k++) continue;
            if (v->len == 0 || k != v->len) {
                *why = "bad Content-Length";
                return 400;
            }
        }
    }
    if (i == MG_MAX_HTTP_HEADERS) {
        *why = "too many header fields";
        return 431;
    }
    return 0;
}

/* Headers are in, the body may not be: refuse what would not fit or is badly framed before
   buffering it; else the body's deadline starts (>>deadline). */
static void on_http_hdrs(server *srv, struct mg_connection *c, struct mg_http_message *hm) {
    conn *st = CONN(c);
    const char *why = NULL;
    int status;
    if (hm->head.len > HEAD_MAX) {
        respond_error(c, 431, "request head too large", true);
    } else if ((status = framing_refusal(hm, &why)) != 0) {
        skew_ex_defence_bump(&srv->ex.defences, SKEW_EX_DEFENCE_FRAMING);
        respond_error(c, status, why, true);
    } else if (hm->body.len > srv->ex.lim.max_body) {
        respond_error(c, 413, "body too large", true);
    } else {
        if (!st->body_timed) { /* HDRS comes again with every read of the body */
            st->body_timed = true;
            st->req_deadline = skew_ex_mono_ms() + BODY_GRACE_MS + (uint64_t)hm->body.len * 1000u / BODY_MIN_RATE;
        }
        return;
    }
    c->recv.len = 0; /* mongoose's HTTP handler lets go of the connection */
}

/* >>deadline  A request must be complete within a deadline whatever its pace: its head within
   HEAD_DEADLINE_MS of its first byte, its body within BODY_GRACE_MS of the head plus a second per
   BODY_MIN_RATE bytes. (The idle timer alone restarts with every byte: a client trickling one a
   second would hold its descriptor forever.) Runs after mongoose's HTTP handler has taken what
   it could: what is left in recv is an unfinished request. */
static void request_clock(conn *st, struct mg_connection *c) {
    if (!c->recv.len || c->is_resp || c->is_draining) {
        st->req_deadline = 0; /* nothing pending, or an answer is going out first */
        st->body_timed = false;
    } else if (!st->req_deadline) {
        st->req_deadline = skew_ex_mono_ms() + HEAD_DEADLINE_MS;
    }
}

static void on_poll(struct mg_connection *c) {
    conn *st = CONN(c);
    st->was_draining = c->is_draining; /* MG_EV_POLL comes before the read of the same round */
    if (st->file) file_pump(c);
    /* Give idle buffers back (see README.md): streams, and keep-alive connections between requests. */
    if (SKEW_MG_RELEASE_IDLE_BUFFERS && (st->kind != CONN_HTTP || (!c->is_resp && !st->file))) {
        if (c->recv.len == 0 && c->recv.size) mg_iobuf_free(&c->recv);
        if (c->send.len == 0 && c->send.size) mg_iobuf_free(&c->send);
    }
}

static void on_close(server *srv, struct mg_connection *c) {
    conn *st = CONN(c);
    if (st->parked) unpark(srv, c); /* cannot happen: mongoose sees only unparked ones */
    if (st->h) skew_close(srv->ex.t, st->h, SKEW_CLOSE_REASON_CLIENT); /* on_close zeroes st->h */
    st->h = 0;
    if (st->counted) {
        st->counted = false;
        srv->ex.open_conns--;
    }
    if (st->file) {
        fclose(st->file);
        st->file = NULL;
    }
    if (st->fd_counted) {
        st->fd_counted = false;
        srv->accepted--;
    }
}

/* --tls-cert/--tls-key (MG_TLS_OPENSSL): mongoose makes an SSL_CTX per connection from PEM in
   memory; skew_tls holds the pair in force, re-read on SIGHUP, so a new connection gets the
   latest certificate and an open one keeps its own. */
static void tls_accept(server *srv, struct mg_connection *c) {
    struct mg_tls_opts o;
    size_t n;
    const char *p;
    memset(&o, 0, sizeof o);
    p = skew_tls_cert(&srv->ex.tls, &n);
    o.cert = mg_str_n(p, n);
    p = skew_tls_key(&srv->ex.tls, &n);
    o.key = mg_str_n(p, n);
    mg_tls_init(c, &o);
    /* an idle stream gives its TLS record buffers back (~34 KB; struct mg_tls is public) */
    if (c->tls) SSL_set_mode(((struct mg_tls *)c->tls)->ssl, SSL_MODE_RELEASE_BUFFERS);
}

static void handler(struct mg_connection *c, int ev, void *ev_data) {
    server *srv = (server *)c->fn_data;
    conn *st;
    if (ev == MG_EV_WAKEUP) { /* cluster: events from the link's thread */
        skcl_node_drain(srv->ex.node);
        return;
    }
    if (c->is_listening || !c->is_accepted) return;
    st = CONN(c);
    switch (ev) {
    case MG_EV_ACCEPT:
        st->last_active = skew_ex_mono_ms();
        st->fd_counted = true;
        srv->accepted++;
        if (c->is_tls) tls_accept(srv, c);
        break;
    case MG_EV_POLL:
        on_poll(c);
        break;
    case MG_EV_READ:
        if (st->kind == CONN_SSE) {
            c->recv.len = 0; /* an SSE client has nothing to say */
            flush_now(c);
        } else if (st->kind == CONN_WS) {
            flush_now(c);
        } else if (st->kind == CONN_HTTP) {
            st->last_active = skew_ex_mono_ms();
            if (c->is_draining && !st->was_draining && !c->send.len && !c->is_closing) {
                /* mongoose's HTTP parser refused the request: it drains without a word
                   (framing among the reasons: two Content-Lengths, CL with TE, ...) */
                skew_ex_defence_bump(&srv->ex.defences, SKEW_EX_DEFENCE_FRAMING);
                respond_error(c, 400, "bad request", true);
                c->recv.len = 0;
            } else if (c->is_draining) {
                c->recv.len = 0;
            } else if (!c->is_resp && c->recv.len > HEAD_MAX &&
                       mg_http_get_request_len(c->recv.buf, c->recv.len) == 0) {
                respond_error(c, 431, "request head too large", true);
                c->recv.len = 0;
                c->pfn = NULL; /* the rest of that head is not a request: parse nothing more */
            }
            request_clock(st, c);
        }
        break;
    case MG_EV_WRITE:
        st->last_progress = st->last_active = skew_ex_mono_ms();
        if (st->file) file_pump(c);
        break;
    case MG_EV_HTTP_HDRS:
        if (st->kind == CONN_HTTP) on_http_hdrs(srv, c, (struct mg_http_message *)ev_data);
        break;
    case MG_EV_HTTP_MSG:
        if (st->kind == CONN_HTTP) on_http_msg(srv, c, (struct mg_http_message *)ev_data);
        break;
    case MG_EV_WS_MSG: {
        struct mg_ws_message *m = (struct mg_ws_message *)ev_data;
        st->awaiting_pong = false; /* any frame proves the peer alive */
        st->missed_pongs = 0;
        if (st->h) skew_ws_message(srv->ex.t, st->h, skew_str_n(m->data.buf, m->data.len));
        break;
    }
    case MG_EV_WS_CTL: {
        struct mg_ws_message *m = (struct mg_ws_message *)ev_data;
        st->awaiting_pong = false;
        st->missed_pongs = 0;
        /* a close from the client: mongoose echoes it (with its code) and closes; nothing more
           may follow the close frame, so the tracker forgets the connection now */
        if ((m->flags & 0x0f) == WEBSOCKET_OP_CLOSE) {
            if (!c->send.len) st->last_progress = skew_ex_mono_ms(); /* the echo is queued next */
            if (st->h) skew_close(srv->ex.t, st->h, SKEW_CLOSE_REASON_CLIENT);
        }
        break;
    }
    case MG_EV_CLOSE:
        on_close(srv, c);
        break;
    case MG_EV_ERROR:
        skew_ex_logf(SKEW_EX_LOG_DEBUG, "connection %lu: %s", c->id, ev_data ? (const char *)ev_data : "error");
        break;
    default:
        break;
    }
}

/* ======================================================================================
   >>timer  WS pings, stalls, idle HTTP, shutdown
   ====================================================================================== */

static void ping_sweep(skew_ex_server *ex, uint64_t mono) {
    server *srv = (server *)ex;
    struct mg_connection *c, *next;
    (void)mono;
    for (c = srv->parked; c; c = next) { /* pings go out through mongoose's list */
        next = CONN(c)->park_next;
        if (CONN(c)->kind == CONN_WS) unpark(srv, c);
    }
    for (c = srv->mgr.conns; c; c = c->next) {
        conn *st;
        if (c->is_listening || !c->is_accepted) continue;
        st = CONN(c);
        if (st->kind != CONN_WS || !st->h || c->is_draining || c->is_closing) continue;
        if (st->awaiting_pong && ++st->missed_pongs >= SKEW_EX_MISSED_PONGS_MAX) {
            skew_ex_logf(SKEW_EX_LOG_DEBUG, "ws peer answers no ping: dropping");
            skew_close(srv->ex.t, st->h, SKEW_CLOSE_REASON_TIMEOUT); /* on_close: is_closing */
            continue;
        }
        st->awaiting_pong = true;
        mg_ws_send(c, "", 0, WEBSOCKET_OP_PING);
    }
}

static void liveness_sweep(skew_ex_server *ex, uint64_t mono) {
    server *srv = (server *)ex;
    struct mg_connection *c;
    uint64_t stall = (uint64_t)srv->ex.lim.keepalive_ms * SKEW_EX_STALL_INTERVALS;
    for (c = srv->mgr.conns; c; c = c->next) {
        conn *st;
        if (c->is_listening || !c->is_accepted || c->is_closing) continue;
        st = CONN(c);
        if (st->h) {
            if (c->send.len && mono - st->last_progress > stall) {
                skew_ex_logf(SKEW_EX_LOG_DEBUG, "output stalled for %llu ms: dropping",
                             (unsigned long long)(mono - st->last_progress));
                skew_close(srv->ex.t, st->h, SKEW_CLOSE_REASON_TIMEOUT);
            }
        } else if (st->kind != CONN_HTTP) {
            /* forgotten by the tracker, sending its last bytes (a close frame): bounded too */
            if (c->send.len && mono - st->last_progress > stall) c->is_closing = 1;
        } else if (st->req_deadline && mono > st->req_deadline && !c->is_draining) {
            skew_ex_logf(SKEW_EX_LOG_DEBUG, "connection %lu: request not complete in time: closing", c->id);
            skew_ex_defence_bump(&srv->ex.defences, SKEW_EX_DEFENCE_SLOW_REQUEST);
            st->req_deadline = 0;
            c->recv.len = 0;
            c->pfn = NULL; /* what still trickles in is not parsed */
            respond_error(c, 408, "request timeout", true);
        } else if (mono - st->last_active > HTTP_IDLE_MS) {
            c->is_closing = 1;
        }
    }
}

/* ======================================================================================
   >>cluster  several instances as one (examples/common/skew_cluster.h): the Redis link runs
   on its own libev loop in a worker thread; its events come back through mg_wakeup and are
   handled here, on the server's thread (only this thread touches the tracker)
   ====================================================================================== */

static void cluster_wake(void *user) {
    server *srv = (server *)user;
    mg_wakeup(&srv->mgr, srv->wake_id, "c", 1);
}

/* The answer of another instance to a POST relayed from here (token: the connection's id). */
static void cluster_respond(void *user, uint64_t token, int status, const char *ctype, const char *body, size_t len) {
    server *srv = (server *)user;
    struct mg_connection *c;
    hdrs h;
    if (status == 503) skew_ex_defence_bump(&srv->ex.defences, SKEW_EX_DEFENCE_RELAY_503);
    for (c = srv->mgr.conns; c; c = c->next)
        if (c->id == token) break;
    if (!c || c->is_closing) return; /* the client went away meanwhile */
    h.len = 0;
    h.buf[0] = '\0';
    hdr_add(&h, "Cache-Control", "no-store");
    respond(c, status, ctype, body, len, &h, false, false);
}

static void cluster_kick(void *user) { (void)user; } /* the loop asks skcl_node_tick every round */

static bool cluster_start(server *srv, struct mg_connection *lsn) {
    if (!mg_wakeup_init(&srv->mgr)) {
        fprintf(stderr, "skew_server_mongoose: cannot set up mg_wakeup\n");
        return false;
    }
    srv->wake_id = lsn->id;
    return skew_ex_cluster_start(&srv->ex, NULL, cluster_wake, cluster_respond, cluster_kick);
}

/* ======================================================================================
   >>park  idle streams out of mongoose's connection list
   ====================================================================================== */

/* mg_mgr_poll() walks every connection on every wake-up, twice (mg_iotest, then the event
   loop with an MG_EV_POLL each), even with its epoll backend (MG_ENABLE_EPOLL, the default on
   Linux): a wake-up costs O(connections), ~1 ms at 10k idle streams. So a stream with nothing
   buffered either way is "parked": taken out of mgr.conns and out of mongoose's epoll set into
   the adapter's own (park_fd), which is itself a member of mongoose's set. A parked socket that
   turns readable (data, EOF, reset) makes park_fd readable, mongoose's epoll_wait returns, and
   the adapter puts the ready streams back (park_after_poll); so does anything that writes to or
   closes a parked stream (hook_send, hook_on_close, the ping sweep). A wake-up then costs
   O(active connections).
   A stream is parked the first time only once idle PARK_AFTER_MS (and at once after that):
   parking and waking cost 4 epoll_ctl, which a stream that leaves within a moment (a page
   reload, a tab closed) would pay for nothing; meanwhile the loop's wait is capped so that the
   parking is not late (park_wait).
   Mongoose 7.22 internals relied on: its epoll events carry the struct mg_connection * (for
   park_fd that is park_bell, never in mgr.conns, whose is_readable mongoose sets), and a
   connection outside mgr.conns is left alone. */
#if defined(MG_ENABLE_EPOLL) && MG_ENABLE_EPOLL
#include <sys/epoll.h>
#include <unistd.h>

static int mg_fd(const struct mg_connection *c) { return (int)(size_t)c->fd; }

static void park_setup(server *srv) {
    struct epoll_event ev;
    srv->park_fd = epoll_create1(EPOLL_CLOEXEC);
    if (srv->park_fd < 0) return;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.ptr = &srv->park_bell;
    if (srv->mgr.epoll_fd < 0 || epoll_ctl(srv->mgr.epoll_fd, EPOLL_CTL_ADD, srv->park_fd, &ev) != 0) {
        close(srv->park_fd);
        srv->park_fd = -1;
    }
}

/* Can c leave mongoose's list? A tracked stream with nothing to read, write or finish. */
static bool parkable(struct mg_connection *c) {
    const conn *st = CONN(c);
    return c->is_accepted && !c->is_listening && st->h && st->kind != CONN_HTTP && !st->failed && !c->is_closing &&
           !c->is_draining && c->send.len == 0 && c->recv.len == 0 && !c->is_tls_hs &&
           (!c->is_tls || mg_tls_pending(c) == 0); /* nothing decrypted and unread inside OpenSSL */
}

/* Move c's socket from mongoose's epoll set to park_fd (c is unlinked by the caller). */
static bool park(server *srv, struct mg_connection *c) {
    conn *st = CONN(c);
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    /* --test-no-sse-eof-check: only errors (a reset) wake a parked stream, not the client's EOF */
    ev.events = srv->ex.opt.no_sse_eof_check && st->kind == CONN_SSE ? 0u : (uint32_t)(EPOLLIN | EPOLLRDHUP);
    ev.data.ptr = c;
    if (epoll_ctl(srv->park_fd, EPOLL_CTL_ADD, mg_fd(c), &ev) != 0) return false;
    if (epoll_ctl(srv->mgr.epoll_fd, EPOLL_CTL_DEL, mg_fd(c), NULL) != 0) {
        epoll_ctl(srv->park_fd, EPOLL_CTL_DEL, mg_fd(c), NULL);
        return false;
    }
    /* what on_poll would do for an idle stream: no buffers kept */
    if (SKEW_MG_RELEASE_IDLE_BUFFERS) {
        if (c->recv.size) mg_iobuf_free(&c->recv);
        if (c->send.size) mg_iobuf_free(&c->send);
    }
    st->parked = true;
    st->park_prev = NULL;
    st->park_next = srv->parked;
    if (srv->parked) CONN(srv->parked)->park_prev = c;
    srv->parked = c;
    srv->parked_count++;
    c->next = NULL;
    c->is_readable = c->is_writable = 0;
    return true;
}

/* Back into mgr.conns (at the head: safe during mongoose's walk, which holds the next one) and
   into mongoose's epoll set. */
static void unpark(server *srv, struct mg_connection *c) {
    conn *st = CONN(c);
    struct epoll_event ev;
    if (!st->parked) return;
    epoll_ctl(srv->park_fd, EPOLL_CTL_DEL, mg_fd(c), NULL);
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN | EPOLLERR | EPOLLHUP; /* what mongoose's MG_EPOLL_ADD registers */
    ev.data.ptr = c;
    if (epoll_ctl(srv->mgr.epoll_fd, EPOLL_CTL_ADD, mg_fd(c), &ev) != 0) c->is_closing = 1; /* cannot watch it */
    if (st->park_prev) CONN(st->park_prev)->park_next = st->park_next;
    else srv->parked = st->park_next;
    if (st->park_next) CONN(st->park_next)->park_prev = st->park_prev;
    st->park_prev = st->park_next = NULL;
    st->parked = false;
    srv->parked_count--;
    c->next = srv->mgr.conns;
    srv->mgr.conns = c;
}

/* After mg_mgr_poll: parked sockets that turned readable go back to mongoose (which reads
   them on its next wake-up: level-triggered, at once), and idle streams are parked (a new one
   once idle PARK_AFTER_MS: its last output, last_progress, is that old). Walks only the
   connections mongoose walked. */
static void park_after_poll(server *srv) {
    struct mg_connection **link, *c;
    uint64_t now = 0;
    srv->park_wait = 0;
    if (srv->park_fd < 0) return;
    link = &srv->mgr.conns;
    while ((c = *link) != NULL) {
        struct mg_connection *next = c->next;
        conn *st = CONN(c);
        bool due = false;
        if (parkable(c)) {
            uint64_t idle;
            if (!st->parked_once && now == 0) now = skew_ex_mono_ms();
            idle = st->parked_once || now < st->last_progress ? PARK_AFTER_MS : now - st->last_progress;
            if (idle >= PARK_AFTER_MS) due = true;
            else if (srv->park_wait == 0 || PARK_AFTER_MS - idle < srv->park_wait)
                srv->park_wait = (uint32_t)(PARK_AFTER_MS - idle);
        }
        if (due && park(srv, c)) {
            st->parked_once = true;
            *link = next;
        } else {
            link = &c->next;
        }
    }
    /* after parking, so a stream woken here stays out until mongoose has read it */
    if (srv->park_bell.is_readable) {
        struct epoll_event evs[256];
        int i, n;
        srv->park_bell.is_readable = srv->park_bell.is_writable = 0;
        do {
            n = epoll_wait(srv->park_fd, evs, (int)(sizeof evs / sizeof evs[0]), 0);
            for (i = 0; i < n; i++) unpark(srv, (struct mg_connection *)evs[i].data.ptr);
        } while (n == (int)(sizeof evs / sizeof evs[0]));
    }
}

/* Everything back to mongoose (at exit, so mg_mgr_free closes every socket). */
static void unpark_all(server *srv) {
    while (srv->parked) unpark(srv, srv->parked);
    if (srv->park_fd >= 0) {
        epoll_ctl(srv->mgr.epoll_fd, EPOLL_CTL_DEL, srv->park_fd, NULL);
        close(srv->park_fd);
        srv->park_fd = -1;
    }
}

/* >>gate  At the descriptor limit accept() fails with EMFILE, the listener stays readable and
   mongoose (level-triggered epoll) tries again at once: 100 % CPU, and nobody served. So the
   listener leaves mongoose's epoll set while accept_cap connections are open and comes back
   when one closes; meanwhile new clients wait in the kernel's listen backlog. FD_RESERVE
   descriptors stay for files, the epoll sets and the cluster link. Mongoose 7.22 registers the
   listener once (MG_EPOLL_ADD at listen) and never modifies it (it has nothing to send). */
static void accept_gate(server *srv) {
    struct epoll_event ev;
    bool full = srv->accepted >= srv->accept_cap;
    if (full == srv->accept_paused || !srv->lsn || srv->mgr.epoll_fd < 0) return;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN | EPOLLERR | EPOLLHUP; /* what mongoose's MG_EPOLL_ADD registers */
    ev.data.ptr = srv->lsn;
    if (epoll_ctl(srv->mgr.epoll_fd, full ? EPOLL_CTL_DEL : EPOLL_CTL_ADD, mg_fd(srv->lsn), &ev) != 0) return;
    srv->accept_paused = full;
    srv->lsn->is_readable = 0;
    if (full)
        skew_ex_logf(SKEW_EX_LOG_ERROR, "%u connections: descriptor limit near, accepting paused",
                     (unsigned)srv->accepted);
    else
        skew_ex_logf(SKEW_EX_LOG_INFO, "accepting again");
}
#else
static void accept_gate(server *srv) { (void)srv; }
static void park_setup(server *srv) { srv->park_fd = -1; }
static void unpark(server *srv, struct mg_connection *c) {
    (void)srv;
    (void)c;
}
static void park_after_poll(server *srv) { (void)srv; }
static void unpark_all(server *srv) { (void)srv; }
#endif

/* ======================================================================================
   >>main
   ====================================================================================== */

/* The connections accept_gate lets in: the soft descriptor limit less FD_RESERVE (half of a
   tiny limit). */
static void gate_setup(server *srv, struct mg_connection *lsn) {
    struct rlimit rl;
    rlim_t cap = (rlim_t)UINT32_MAX;
    srv->lsn = lsn;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        cap = rl.rlim_cur > 2u * FD_RESERVE ? rl.rlim_cur - FD_RESERVE : rl.rlim_cur / 2u;
    srv->accept_cap = cap < (rlim_t)UINT32_MAX ? (uint32_t)cap : UINT32_MAX;
}

/* Mongoose's log output goes to the log (a line at a time: timestamp, instance, client bytes
   escaped), or nowhere when quiet: mg_hexdump() (16 bytes of every malformed request) writes
   whatever the log level. */
static void mg_log_to_stderr(char ch, void *param) {
    static char line[1024];
    static size_t n;
    if (!param) return;
    if (ch != '\n') {
        if (n < sizeof line - 1) line[n++] = ch; /* a longer line is cut */
        return;
    }
    while (n && line[n - 1] == '\r') n--; /* mongoose ends its lines with CRLF */
    line[n] = '\0';
    n = 0;
    skew_ex_log_line("info", "mongoose: %s", line);
}

int main(int argc, char **argv) {
    static server srv; /* big (arena, path): not on the stack */
    skew_hooks hooks;
    struct mg_connection *lsn;
    char url[128];
    bool ipv6;
    int exit_code = 0;

    skew_ex_server_hooks(&srv.ex, &hooks, hook_send, hook_on_close);
    if (!skew_ex_start(&srv.ex, "skew_server_mongoose", argc, argv, &hooks)) return srv.ex.exit_code;
    if (srv.ex.lim.max_body > MG_MAX_RECV_SIZE - HEAD_MAX) srv.ex.lim.max_body = MG_MAX_RECV_SIZE - HEAD_MAX;

    /* quiet by default: mongoose logs client mistakes (bad requests) as errors */
    mg_log_set_fn(mg_log_to_stderr, srv.ex.opt.verbosity >= SKEW_EX_NORMAL ? (void *)stderr : NULL);
    mg_log_set(srv.ex.opt.verbosity >= SKEW_EX_VERBOSE ? MG_LL_INFO
               : srv.ex.opt.verbosity >= SKEW_EX_NORMAL ? MG_LL_ERROR : MG_LL_NONE);
    skew_ex_tune_fd_limit(skew_get_config(srv.ex.t)->max_connections);

    mg_mgr_init(&srv.mgr);
    srv.mgr.extraconnsize = sizeof(conn);
    park_setup(&srv);
    ipv6 = strchr(srv.ex.opt.host, ':') != NULL;
    snprintf(url, sizeof url, ipv6 ? "%s://[%s]:%u" : "%s://%s:%u", skew_tls_enabled(&srv.ex.tls) ? "https" : "http",
             srv.ex.opt.host, (unsigned)srv.ex.opt.port);
    errno = 0;
    lsn = mg_http_listen(&srv.mgr, url, handler, &srv);
    if (!lsn) {
        int e = errno;
        fprintf(stderr, "skew_server_mongoose: cannot bind/listen on %s%s%s:%u: %s\n", ipv6 ? "[" : "", srv.ex.opt.host,
                ipv6 ? "]" : "", (unsigned)srv.ex.opt.port, e ? strerror(e) : "invalid address");
        unpark_all(&srv);
        mg_mgr_free(&srv.mgr);
        skew_ex_site_free(&srv.ex.site);
        skew_tracker_destroy(srv.ex.t);
        return 1;
    }
    gate_setup(&srv, lsn);
    if (srv.ex.opt.port == 0 || srv.ex.opt.verbosity >= SKEW_EX_NORMAL)
        skew_ex_log_line("info", "skew_server_mongoose: listening on %s://%s%s%s:%u%s (mongoose %s, build %s)",
                skew_tls_enabled(&srv.ex.tls) ? "https" : "http", ipv6 ? "[" : "", srv.ex.opt.host, ipv6 ? "]" : "",
                (unsigned)mg_ntohs(lsn->loc.port), srv.ex.opt.base, MG_VERSION, srv.ex.opt.build_id);
    skew_ex_print_banner(stdout, &srv.ex.opt, "skew_server_mongoose", (unsigned)mg_ntohs(lsn->loc.port));

    if (srv.ex.copt.redis_url && !cluster_start(&srv, lsn)) {
        mg_mgr_free(&srv.mgr);
        skew_ex_site_free(&srv.ex.site);
        skew_tracker_destroy(srv.ex.t);
        return 2;
    }

    skew_ex_signals_install();
    for (;;) {
        uint32_t wait = skew_ex_server_tick(&srv.ex, ping_sweep, liveness_sweep);
        if (skew_ex_shutdown_done(&srv.ex, skew_ex_mono_ms())) break;
        if (srv.park_wait && wait > srv.park_wait) wait = srv.park_wait; /* a new stream's parking */
        mg_mgr_poll(&srv.mgr, (int)wait);
        park_after_poll(&srv);
        accept_gate(&srv);
    }

    skcl_node_destroy(srv.ex.node); /* the link's thread ends first: nothing wakes a freed manager */
    unpark_all(&srv);
    mg_mgr_free(&srv.mgr); /* what is left: MG_EV_CLOSE tells the tracker */
    skew_ex_site_free(&srv.ex.site);
    skew_tracker_destroy(srv.ex.t);
    skew_tls_free(&srv.ex.tls);
    skew_person_free(&srv.ex.person);
    skew_forward_free(&srv.ex.fwd);
    return exit_code;
}
