/* skew_server_lws.c - the skew server on libwebsockets 4.1.6 (Debian's libwebsockets-dev).

   The lws adapter: protocol decisions come from skew_tracker.h, the policy both servers share
   (options, pages, timer, shutdown, admin answers, fd limit, cluster start) from
   examples/common/skew_example.h. What remains here is lws itself: request headers and query,
   response framing, per-connection output (`conn`: the tracker handle; a message is written at
   once when nothing waits, else queued in a bounded queue, one message per writeable callback,
   SKEW_ERR_SLOW past --max-output-bytes), the
   libev/poll loop and its timer, and work-arounds for lws 4.1.6 defects. Those defects and the
   memory and CPU figures are in examples/lws/README.md; the code says which one it handles.

   One lws protocol (protocols[0]) serves everything: plain HTTP, SSE streams and WebSocket
   upgrades without a subprotocol (lws binds those to the vhost's default protocol, index 0).
   skew_tick() returns the delay as of that call; a later open, close or route change can make
   stats due sooner, so the timer is re-armed after every tracker call that may (srv_kick). */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1 /* libwebsockets.h wants BSD socket types */
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* accept4 (>>listen) */
#endif

#include <errno.h>
#include <stdlib.h>
#if defined(__GLIBC__)
#include <malloc.h> /* malloc_trim (glibc) */
#endif
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <libwebsockets.h>
#include <ev.h>

#include "header_arena.h"
#include "skew_example.h"
#include "skew_cluster.h"
#include "skew_framing.h"

/* ======================================================================================
   >>state
   ====================================================================================== */

/* lws rx buffer per WebSocket, allocated per connection for its lifetime: 128 holds any control
   frame (payload <= 125) whole; longer messages arrive in pieces and are reassembled (conn.rx).
   lws also sets the socket's SO_SNDBUF to this + LWS_PRE (the kernel floor, ~4.6 KB, applies). */
#define WS_RX_BUFFER 128
/* A WebSocket given a message this big (stats) gets WS_BIG_SNDBUF instead: across a real network
   a ~4.6 KB send buffer lets ~4.6 KB out per round trip (a 79 KB stats message: ~17 round trips);
   ordinary clients keep the small one. */
#define WS_BIG_MSG 4096
#define WS_BIG_SNDBUF (256 * 1024)
/* bytes per send() for large messages: a 79 KB stats message (10k connections) leaves in one
   send() instead of five, each after an event-loop round (lws keeps the rest in its buffer) */
#define WS_TX_PACKET 131072
#define ARENA_SIZE 32768            /* header/query copies for one request */
/* Slow requests (README.md, "Hostile clients"): whatever its pace, a request head must be
   complete REQ_HEAD_MS after the connection opened or the previous answer, and its body (at most
   --max-body bytes) REQ_BODY_MS after the head; else the connection is ended. lws 4.1.6 restarts
   its own timeouts on every byte received, so a byte a second held a header table for ever. */
#define REQ_HEAD_MS 10000u
#define REQ_BODY_MS 10000u
#define REQ_SWEEP_MS 250u
/* Descriptors kept free below RLIMIT_NOFILE (files, the cluster link, lws' own): a connection
   accepted above that is closed at once. Without it lws 4.1.6 reached EMFILE, and its listener,
   still readable, spun on accept() (logging "accept: errno 24" each time) until a descriptor
   was freed. */
#define FD_RESERVE 32u
/* Header tables in use at once (max_http_header_pool): one per connection whose head or body is
   being read, 8 KB each (HEADER_DATA), allocated on demand and freed when idle, in a region of
   their own (header_arena.h: not as holes in the heap between idle connections). Well above what the deadlines
   let slow clients hold in a few seconds, so the others still get one. */
#define HEADER_POOL 1024
#define HEADER_DATA 8192 /* room for big cookies; only while headers are parsed */
/* Output queues (hook_send): each connection's is bounded by --max-output-bytes of heap, all of
   them together by OUTPUT_TOTAL_MAX; past that, a connection holding more than
   OUTPUT_FAIR_SHARE is dropped as slow. OUTPUT_TRIM_AFTER bytes freed: malloc_trim. */
#define OUTPUT_TOTAL_MAX ((size_t)256u << 20)
#define OUTPUT_FAIR_SHARE ((size_t)64u << 10)
#define OUTPUT_TRIM_AFTER ((size_t)16u << 20)

typedef struct out_msg {
    struct out_msg *next;
    size_t len;                     /* bytes after the LWS_PRE headroom */
    unsigned char buf[];            /* LWS_PRE headroom, then the framed message */
} out_msg;

typedef enum conn_kind { CONN_SSE = 1, CONN_WS, CONN_POST } conn_kind;

typedef struct conn {
    struct conn *prev, *next;       /* live SSE/WS connections (server.conns) */
    struct lws *wsi;
    skew_handle h;                  /* 0: not tracked (any more) */
    uint8_t kind;                   /* conn_kind */
    uint8_t missed_pongs;
    /* one bit each */
    bool ready : 1;                 /* may write: WS established / SSE headers sent */
    bool dying : 1;                 /* the socket is being killed: queue nothing more */
    bool going_away : 1;            /* shutdown: drain, then WS close 1001 / end the SSE stream */
    bool ping_due : 1;
    bool awaiting_pong : 1;
    bool rx_overflow : 1;
    bool rx_off : 1;                /* SSE: POLLIN turned off (lws issue 2455, see README.md) */
    bool idle_watch_on : 1;         /* SSE: idle_watch is started */
    bool big_sndbuf : 1;            /* WS: SO_SNDBUF raised to WS_BIG_SNDBUF */
    uint64_t last_progress;         /* monotonic ms: output last moved (or became pending) */
    struct conn_side *s;            /* output queue and input: NULL while both are empty */
} conn; /* 56 bytes: malloc's 64-byte class (was 120: 128), an SSE stream's sse_conn 104: 112 */

/* What a connection holds only while output waits or input is reassembled (most of the time an
   idle one holds neither): allocated on demand (conn_side_get), freed once empty (conn_side_trim). */
typedef struct conn_side {
    out_msg *q_head, *q_tail;
    size_t q_bytes;
    char *rx;                       /* WS message being reassembled, or a POST body */
    uint32_t rx_len, rx_cap;        /* at most SKEW_EX_WS_MESSAGE_MAX or the body bound */
    struct relay_answer *relay;     /* cluster: a POST waiting for another instance's answer */
} conn_side;

/* An SSE stream: the conn and, on the libev loop, its idle socket's EOF/reset watcher (README.md). */
typedef struct sse_conn {
    conn c;
    ev_io idle_watch;
} sse_conn;

/* What the defences against hostile clients did (README.md, "Hostile clients"); appended to
   GET {base}/metrics as skew_lws_* counters. */
typedef struct skew_lws_defence_counts {
    uint64_t framing_refused;       /* 400/411: ambiguous or unsupported request framing */
    uint64_t body_too_large;        /* 413 from Content-Length, before the body is read */
    uint64_t body_closed;           /* connections closed after answering a request with a body */
    uint64_t slow_heads;            /* connections ended: head not complete in time */
    uint64_t slow_bodies;           /* connections ended: body not complete in time */
    uint64_t output_total_refused;  /* messages refused: the output bound of all connections */
    uint64_t ws_bad_close;          /* WebSocket close frames with an invalid code (answered 1002) */
    uint64_t oversized_heads;       /* heads past max_http_header_data: lws closes, no 431 */
    uint64_t fd_limit_refused;      /* connections closed at once: near the descriptor limit */
    uint64_t accept_paused;         /* times accept() failed for want of descriptors or memory */
} skew_lws_defence_counts;

/* The deadline of the request a connection is reading (>>deadline), indexed by descriptor; the
   wsi's lws "opaque user data" points at its entry. 16 bytes: every open descriptor touches its
   entry, so at 10k idle connections each byte here is ~10 KB of RSS (was 24). */
typedef enum req_phase { REQ_NONE = 0, REQ_HEAD, REQ_BODY } req_phase;
typedef struct req_deadline {
    struct lws *wsi;
    uint32_t due;                   /* the phase (top 2 bits) and the deadline: monotonic ms, low 30 bits */
    /* The IPv4 peer accept() gave (peer_note): a getpeername() per request saved; 0.0.0.0 (never
       a TCP peer): none, other peers ask getpeername(). */
    uint8_t peer4[4];
} req_deadline;
#define DUE_MS_MASK 0x3FFFFFFFu     /* deadlines are compared modulo 2^30 ms (12 days): */
#define DUE_MS_HALF 0x20000000u     /* a deadline is due once it is less than 6 days behind */

typedef struct server {
    skew_ex_server ex;              /* first: the shared part (hooks.user_data is both) */
    struct lws_context *ctx;
    struct lws_vhost *vh;
    lws_sorted_usec_list_t sul;     /* poll loop: the periodic work; libev: srv_lws_heartbeat */
    struct ev_loop *loop;           /* the libev loop, or NULL (SKEW_LWS_EVENT_LOOP=poll) */
    ev_timer tick;                  /* the periodic work on the libev loop */
    int listen_fd;                  /* the adapter's own listener (>>listen), or -1: lws' */
    unsigned listen_port;           /* the port bound (--port 0 picks one) */
    ev_io listen_watch;
    ev_timer listen_resume;         /* accept() out of descriptors: the listener rests a moment */
    uint64_t timer_at;              /* monotonic ms the timer is armed for */
    conn *conns;                    /* ex.open_conns of them */
    char arena[ARENA_SIZE];         /* per-request header copies (one thread, one request) */
    size_t arena_used;
    unsigned char *scratch;         /* response bodies, write-through messages: LWS_PRE headroom */
    size_t scratch_cap;
    bool in_upgrade;                /* answering inside CONFIRM_UPGRADE (see respond) */
    bool close_after;               /* this answer closes the connection (see framing_check) */
    skew_lws_defence_counts defence; /* what the hostile-client defences did (/metrics) */
    req_deadline *deadlines;        /* by descriptor (deadline_*) */
    size_t deadlines_cap, deadlines_top;
    uint64_t next_deadline_sweep;
    size_t out_total;               /* heap of all output queues (out_msg_cost) */
    size_t out_freed_since_trim;    /* (out_trim) */
} server;

/* What the tracker's header callback reads from. */
typedef struct req_ctx {
    server *srv;
    struct lws *wsi;
} req_ctx;

static server *srv_of(struct lws *wsi) { return (server *)lws_context_user(lws_get_context(wsi)); }

static void srv_kick(server *srv);
static void sse_idle_watch(conn *c, bool on);
static unsigned char *scratch(server *srv, size_t len);
/* cluster glue (>>cluster) */
#define RELAY_DEFERRED 1
static int cluster_defer(server *srv, struct lws *wsi, const skew_request *req);
static void cluster_relay_gone(server *srv, conn *c);
/* request framing (>>http) */
static int framing_check(server *srv, struct lws *wsi, uint64_t *body);
static int framing_refuse(server *srv, struct lws *wsi, int status, bool finish);
static void deadline_set(server *srv, struct lws *wsi, req_phase phase);

/* ======================================================================================
   >>conn  lifetime and output queue
   ====================================================================================== */

static conn *conn_new(server *srv, struct lws *wsi, conn_kind kind) {
    conn *c = (conn *)calloc(1, kind == CONN_SSE ? sizeof(sse_conn) : sizeof(conn));
    (void)srv;
    if (!c) return NULL;
    c->wsi = wsi;
    c->kind = (uint8_t)kind;
    c->last_progress = skew_ex_mono_ms();
    return c;
}

static void conn_link(server *srv, conn *c) {
    c->next = srv->conns;
    if (srv->conns) srv->conns->prev = c;
    srv->conns = c;
    srv->ex.open_conns++;
}

/* The heap a queued message really takes: the out_msg, the LWS_PRE headroom, the bytes and
   glibc's chunk header and 16-byte rounding. Counting payload bytes only let a queue of small
   messages (pongs of 15 bytes) take 4 times --max-output-bytes. */
static size_t out_msg_cost(size_t len) {
    size_t n = sizeof(out_msg) + LWS_PRE + len + 1 + sizeof(size_t);
    return (n + 15u) & ~(size_t)15u;
}

/* Queued output left the heap: count it, and give big frees back to the system now and then
   (out_trim; glibc keeps freed small chunks otherwise, and a burst of slow clients left the
   process at its peak size for good). */
static void out_freed(server *srv, size_t cost) {
    srv->out_total -= cost;
    srv->out_freed_since_trim += cost;
}

static conn_side *conn_side_get(conn *c) {
    if (!c->s) c->s = (conn_side *)calloc(1, sizeof *c->s);
    return c->s;
}

/* Free the side part once it holds nothing. */
static void conn_side_trim(conn *c) {
    if (c->s && !c->s->q_head && !c->s->rx && !c->s->relay) {
        free(c->s);
        c->s = NULL;
    }
}

static out_msg *conn_queued(const conn *c) { return c->s ? c->s->q_head : NULL; }

static void conn_drop_queue(conn *c) {
    out_msg *m, *n;
    server *srv = srv_of(c->wsi);
    if (!c->s) return;
    for (m = c->s->q_head; m; m = n) {
        n = m->next;
        free(m);
    }
    out_freed(srv, c->s->q_bytes);
    c->s->q_head = c->s->q_tail = NULL;
    c->s->q_bytes = 0;
    conn_side_trim(c);
}

/* Free a conn and all it holds (queue, input, a relayed answer). */
static void conn_free(server *srv, conn *c) {
    conn_drop_queue(c);
    if (c->s) {
        if (c->s->relay) cluster_relay_gone(srv, c);
        free(c->s->rx);
        free(c->s);
    }
    free(c);
}

/* glibc keeps free pages inside its heap until asked (malloc_trim gives back every free whole
   page, not only the heap's top). */
static void heap_trim(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

static void out_trim(server *srv) {
    if (srv->out_freed_since_trim < OUTPUT_TRIM_AFTER) return;
    srv->out_freed_since_trim = 0;
    heap_trim();
}

/* Free a conn that lws is done with (CLOSED / CLOSED_HTTP), telling the tracker if it still
   tracks it. */
static void conn_gone(server *srv, conn *c) {
    if (c->h) skew_close(srv->ex.t, c->h, SKEW_CLOSE_REASON_CLIENT); /* on_close zeroes c->h */
    c->h = 0;
    if (c->kind != CONN_POST) {
        if (c->prev) c->prev->next = c->next;
        else if (srv->conns == c) srv->conns = c->next;
        if (c->next) c->next->prev = c->prev;
        srv->ex.open_conns--;
    }
    sse_idle_watch(c, false);
    lws_set_wsi_user(c->wsi, NULL);
    conn_free(srv, c);
    srv_kick(srv);
}

/* Close the socket soon (never from inside lws' own call chain: async). */
static void conn_kill(conn *c) {
    if (c->dying) return;
    c->dying = true;
    sse_idle_watch(c, false);
    conn_drop_queue(c);
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

static bool conn_pending(conn *c) { return conn_queued(c) || lws_partial_buffered(c->wsi); }

/* SSE streams read nothing, so POLLIN is off while they are idle (lws issue 2455: a client's
   EOF would otherwise spin the loop). lws 4.1.6 also services POLLOUT of an HTTP/1 connection
   only when it is not rx-flow-controlled, so POLLIN goes back on while output is pending.
   While lws does not read, the adapter's own watcher does (sse_idle_watch). */
static void sse_set_rx(conn *c, bool on) {
    if (c->rx_off == !on) return;
    c->rx_off = !on;
    lws_rx_flow_control(c->wsi, on ? 1 : 0);
    sse_idle_watch(c, !on);
}

/* Ask for a writeable callback. */
static void conn_want_write(conn *c) {
    if (c->kind == CONN_SSE) sse_set_rx(c, true);
    lws_callback_on_writable(c->wsi);
}

/* Write the queue's first message and free it: 0, or -1 when the socket failed. */
static int conn_write_head(server *srv, conn *c) {
    conn_side *s = c->s;
    out_msg *m = s->q_head;
    int n = lws_write(c->wsi, m->buf + LWS_PRE, m->len, c->kind == CONN_WS ? LWS_WRITE_TEXT : LWS_WRITE_HTTP);
    if (n < 0 || (size_t)n < m->len) return -1;
    s->q_head = m->next;
    if (!s->q_head) s->q_tail = NULL;
    s->q_bytes -= out_msg_cost(m->len);
    out_freed(srv, out_msg_cost(m->len));
    free(m);
    conn_side_trim(c);
    c->last_progress = skew_ex_mono_ms();
    return 0;
}

/* Write the next queued message; the writeable callback's answer (0 or -1 to close). */
static int conn_write_next(server *srv, conn *c) {
    out_msg *m;
    if (c->dying) return -1;
    if (c->kind == CONN_WS && c->ping_due) {
        /* not empty: lws 4.1.6 gives no RECEIVE_PONG callback for an empty pong */
        unsigned char ping[LWS_PRE + 1];
        c->ping_due = false;
        ping[LWS_PRE] = 'k';
        if (lws_write(c->wsi, ping + LWS_PRE, 1, LWS_WRITE_PING) < 0) return -1;
        if (conn_queued(c) || c->going_away) lws_callback_on_writable(c->wsi);
        return 0;
    }
    m = conn_queued(c);
    if (m) {
        if (conn_write_head(srv, c)) return -1;
        if (conn_queued(c) || c->going_away) lws_callback_on_writable(c->wsi);
        else if (c->kind == CONN_SSE && !lws_partial_buffered(c->wsi)) sse_set_rx(c, false);
        /* (a partial write: lws calls back once it has drained it, and POLLIN goes off then) */
        return 0;
    }
    if (c->going_away) {
        if (c->kind == CONN_WS) lws_close_reason(c->wsi, LWS_CLOSE_STATUS_GOINGAWAY, NULL, 0);
        return -1; /* WS: lws sends the close frame; SSE: the stream ends with the socket */
    }
    if (c->kind == CONN_SSE && !lws_partial_buffered(c->wsi)) sse_set_rx(c, false);
    (void)srv;
    return 0;
}

/* Write what waits at once, in order, while lws has nothing buffered (a WebSocket just
   established: its `connected`), instead of asking for a writeable callback: that cost two
   epoll_ctl and an event-loop round per connection. A partial send lws keeps itself and drains
   before any writeable callback; the rest of the queue then waits for that callback as before.
   0, or -1 to close. */
static int conn_flush(server *srv, conn *c) {
    while (conn_queued(c) && !c->dying && !lws_partial_buffered(c->wsi))
        if (conn_write_head(srv, c)) return -1;
    if (conn_queued(c) || c->going_away) lws_callback_on_writable(c->wsi);
    return 0;
}

/* ======================================================================================
   >>deadline  slow requests (REQ_HEAD_MS, REQ_BODY_MS)
   ====================================================================================== */

static bool deadlines_init(server *srv) {
    struct rlimit rl;
    size_t n = 65536;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) n = (size_t)rl.rlim_cur;
    srv->deadlines = (req_deadline *)calloc(n, sizeof *srv->deadlines);
    srv->deadlines_cap = srv->deadlines ? n : 0;
    return srv->deadlines != NULL;
}

/* The descriptor limit now, or RLIM_INFINITY: read per wake-up of the listener, as an operator
   may change it (prlimit). */
static rlim_t fd_limit_now(void) {
    struct rlimit rl;
    return getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : RLIM_INFINITY;
}

/* Refuse (close at once) a connection that would leave fewer than FD_RESERVE descriptors below
   the limit `lim` (fd_limit_now). 1: refused. */
static int fd_limit_filter(server *srv, int fd, rlim_t lim) {
    if (fd < 0 || lim == RLIM_INFINITY || (rlim_t)fd + FD_RESERVE < lim) return 0;
    srv->defence.fd_limit_refused++;
    return 1;
}

/* A connection passed fd_limit_filter: keep the peer address accept() gave for req_build. */
static void peer_note(server *srv, int fd, const struct sockaddr *sa, socklen_t salen) {
    req_deadline *d;
    skew_ip ip;
    if (!sa || fd < 0 || (size_t)fd >= srv->deadlines_cap) return;
    d = &srv->deadlines[fd];
    memset(d->peer4, 0, 4);
    if (skew_ip_from_sockaddr(sa, salen, &ip) == SKEW_OK && ip.family == 4) memcpy(d->peer4, ip.bytes, 4);
}

/* A new connection: its first head is due REQ_HEAD_MS from now. */
static void deadline_new(server *srv, struct lws *wsi) {
    int fd = lws_get_socket_fd(wsi);
    req_deadline *d;
    if (fd < 0 || (size_t)fd >= srv->deadlines_cap) return; /* not tracked: lws' own timeouts only */
    d = &srv->deadlines[fd];
    d->wsi = wsi;
    lws_set_opaque_user_data(wsi, d);
    if ((size_t)fd + 1 > srv->deadlines_top) srv->deadlines_top = (size_t)fd + 1;
    deadline_set(srv, wsi, REQ_HEAD);
}

static void deadline_set(server *srv, struct lws *wsi, req_phase phase) {
    req_deadline *d = (req_deadline *)lws_get_opaque_user_data(wsi);
    (void)srv;
    if (!d || d->wsi != wsi) return;
    d->due = ((uint32_t)phase << 30) |
             ((uint32_t)(skew_ex_mono_ms() + (phase == REQ_BODY ? REQ_BODY_MS : REQ_HEAD_MS)) & DUE_MS_MASK);
}

static req_phase deadline_phase(const req_deadline *d) { return (req_phase)(d->due >> 30); }

static bool deadline_passed(const req_deadline *d, uint64_t mono) {
    return (((uint32_t)mono - d->due) & DUE_MS_MASK) < DUE_MS_HALF;
}

/* LWS_CALLBACK_WSI_DESTROY (its descriptor is closed already: the entry is found from the wsi). */
static void deadline_gone(struct lws *wsi) {
    req_deadline *d = (req_deadline *)lws_get_opaque_user_data(wsi);
    if (!d || d->wsi != wsi) return;
    memset(d, 0, sizeof *d);
    lws_set_opaque_user_data(wsi, NULL);
}

/* End the connections whose request is late (at most every REQ_SWEEP_MS). */
static void deadline_sweep(server *srv, uint64_t mono) {
    size_t i;
    if (mono < srv->next_deadline_sweep) return;
    srv->next_deadline_sweep = mono + REQ_SWEEP_MS;
    for (i = 0; i < srv->deadlines_top; i++) {
        req_deadline *d = &srv->deadlines[i];
        req_phase phase = deadline_phase(d);
        if (!d->wsi || phase == REQ_NONE || !deadline_passed(d, mono)) continue;
        if (phase == REQ_HEAD) srv->defence.slow_heads++;
        else srv->defence.slow_bodies++;
        skew_ex_defence_bump(&srv->ex.defences, SKEW_EX_DEFENCE_SLOW_REQUEST);
        skew_ex_logf(SKEW_EX_LOG_DEBUG, "request %s not complete in time: closing",
                     phase == REQ_HEAD ? "head" : "body");
        d->due = 0; /* REQ_NONE */
        lws_set_timeout(d->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }
    while (srv->deadlines_top && !srv->deadlines[srv->deadlines_top - 1].wsi) srv->deadlines_top--;
}

/* ======================================================================================
   >>hooks  tracker -> adapter
   ====================================================================================== */

/* Raise the send buffer lws set small (WS_RX_BUFFER) for a connection that gets big messages. */
static void ws_big_sndbuf(conn *c) {
    int n = WS_BIG_SNDBUF;
    c->big_sndbuf = true;
    if (setsockopt(lws_get_socket_fd(c->wsi), SOL_SOCKET, SO_SNDBUF, &n, sizeof n) != 0)
        skew_ex_logf(SKEW_EX_LOG_INFO, "setsockopt(SO_SNDBUF) failed: %s", strerror(errno));
}

/* Write-through: a message to a connection with nothing queued and nothing buffered in lws is
   written at once (from a copy with lws' LWS_PRE headroom), not queued for a writeable callback:
   no epoll_ctl on and off, no extra event-loop round, and a stats push leaves in the tick that
   built it. What the socket does not take, lws keeps and sends before anything else
   (lws_partial_buffered; later messages queue behind it), so the order holds. An SSE stream
   then turns POLLIN on again, or lws would not service its POLLOUT (sse_set_rx). */
static skew_result conn_write_through(server *srv, conn *c, const char *msg, size_t len) {
    unsigned char *b = scratch(srv, len);
    int n;
    if (!b) return SKEW_ERR_NOMEM;
    memcpy(b, msg, len);
    c->last_progress = skew_ex_mono_ms(); /* progress, or the stall clock starts */
    n = lws_write(c->wsi, b, len, c->kind == CONN_WS ? LWS_WRITE_TEXT : LWS_WRITE_HTTP);
    if (n < 0 || (size_t)n < len) {
        conn_kill(c);
        return SKEW_ERR_SEND;
    }
    if (lws_partial_buffered(c->wsi)) conn_want_write(c);
    return SKEW_OK;
}

static skew_result hook_send(void *user_data, const skew_conn *sc, const char *msg, size_t len) {
    server *srv = (server *)user_data;
    conn *c = (conn *)sc->user;
    size_t need, queued;
    out_msg *m;
    conn_side *s;

    if (!c || c->dying) return SKEW_ERR_SEND;
    need = out_msg_cost(len); /* SSE: the framed event already (frame_sse); WS: lws adds the frame header */
    queued = c->s ? c->s->q_bytes : 0;
    if (queued + need > srv->ex.opt.max_output_bytes) return SKEW_ERR_SLOW;
    if (srv->out_total + need > OUTPUT_TOTAL_MAX && queued > OUTPUT_FAIR_SHARE) {
        srv->defence.output_total_refused++; /* all queues together are full: the big ones go */
        return SKEW_ERR_SLOW;
    }
    if (c->kind == CONN_WS && c->ready && len >= WS_BIG_MSG && !c->big_sndbuf) ws_big_sndbuf(c);
    if (c->ready && !c->going_away && !conn_pending(c)) return conn_write_through(srv, c, msg, len);
    if (!conn_pending(c)) c->last_progress = skew_ex_mono_ms(); /* the stall clock starts now */
    s = conn_side_get(c);
    m = s ? (out_msg *)malloc(sizeof *m + LWS_PRE + len + 1) : NULL;
    if (!m) {
        conn_side_trim(c);
        return SKEW_ERR_NOMEM;
    }
    m->next = NULL;
    m->len = len;
    memcpy(m->buf + LWS_PRE, msg, len);
    if (s->q_tail) s->q_tail->next = m;
    else s->q_head = m;
    s->q_tail = m;
    s->q_bytes += need;
    srv->out_total += need;
    if (c->ready) conn_want_write(c);
    return SKEW_OK;
}

static void hook_on_close(void *user_data, const skew_conn *sc, skew_close_reason reason) {
    conn *c = (conn *)sc->user;
    (void)user_data;
    if (!c) return;
    c->h = 0;
    skew_ex_log_close(sc, reason);
    switch (reason) {
    case SKEW_CLOSE_REASON_CLIENT: /* the socket is already going (conn_gone or the SSE sweep) */
        break;
    case SKEW_CLOSE_REASON_SHUTDOWN: /* drain what is queued, then close 1001 / end the stream */
        c->going_away = true;
        if (c->ready && !c->dying) conn_want_write(c);
        else conn_kill(c);
        break;
    default: /* slow, send failed, timeout: close the socket for real */
        conn_kill(c);
        break;
    }
}

/* ======================================================================================
   >>request  lws -> skew_request
   ====================================================================================== */

static char *arena_alloc(server *srv, size_t n) {
    char *p;
    if (srv->arena_used + n > sizeof srv->arena) return NULL;
    p = srv->arena + srv->arena_used;
    srv->arena_used += n;
    return p;
}

static const struct {
    const char *name;
    enum lws_token_indexes tok;
} known_headers[] = {
    {"cookie", WSI_TOKEN_HTTP_COOKIE},
    {"authorization", WSI_TOKEN_HTTP_AUTHORIZATION},
    {"user-agent", WSI_TOKEN_HTTP_USER_AGENT},
    {"x-forwarded-for", WSI_TOKEN_X_FORWARDED_FOR},
    {"x-real-ip", WSI_TOKEN_HTTP_X_REAL_IP},
    {"content-type", WSI_TOKEN_HTTP_CONTENT_TYPE},
    {"content-length", WSI_TOKEN_HTTP_CONTENT_LENGTH},
    {"accept", WSI_TOKEN_HTTP_ACCEPT},
    {"host", WSI_TOKEN_HOST},
    {"origin", WSI_TOKEN_ORIGIN},
    {"upgrade", WSI_TOKEN_UPGRADE},
    {"connection", WSI_TOKEN_CONNECTION},
    {"referer", WSI_TOKEN_HTTP_REFERER},
    {"accept-language", WSI_TOKEN_HTTP_ACCEPT_LANGUAGE},
    {"accept-encoding", WSI_TOKEN_HTTP_ACCEPT_ENCODING},
    {"cache-control", WSI_TOKEN_HTTP_CACHE_CONTROL},
    {"sec-websocket-key", WSI_TOKEN_KEY},
    {"sec-websocket-version", WSI_TOKEN_VERSION},
    {"sec-websocket-protocol", WSI_TOKEN_PROTOCOL},
};

/* skew_header_fn: a known header joins its repeated fields (", ", cookies "; "); any other
   name is one of lws' "custom" headers (stored with its lowercase name and ':'). */
static skew_str req_header(void *ctx, const char *lname) {
    req_ctx *rc = (req_ctx *)ctx;
    server *srv = rc->srv;
    skew_str none = {NULL, 0};
    size_t i, len = 0;
    char *out;

    if (srv->arena_used + 8 > sizeof srv->arena) return none;
    for (i = 0; i < sizeof known_headers / sizeof known_headers[0]; i++) {
        int idx;
        const char *sep;
        if (strcmp(lname, known_headers[i].name)) continue;
        if (!lws_hdr_total_length(rc->wsi, known_headers[i].tok)) return none;
        sep = known_headers[i].tok == WSI_TOKEN_HTTP_COOKIE ? "; " : ", ";
        out = srv->arena + srv->arena_used;
        for (idx = 0;; idx++) {
            size_t room = sizeof srv->arena - srv->arena_used - len;
            int n;
            if (idx) {
                if (room < 3) break;
                if (lws_hdr_fragment_length(rc->wsi, known_headers[i].tok, idx) <= 0) break;
                memcpy(out + len, sep, 2);
                len += 2;
                room -= 2;
            }
            n = lws_hdr_copy_fragment(rc->wsi, out + len, (int)(room > INT32_MAX ? INT32_MAX : room),
                                      known_headers[i].tok, idx);
            if (n < 0) {
                if (idx) len -= 2;
                break;
            }
            len += (size_t)n;
        }
        srv->arena_used += len + 1;
        return skew_str_n(out, len);
    }
    {
        char name[64];
        size_t nl = strlen(lname);
        int vl;
        if (nl + 2 > sizeof name) return none;
        memcpy(name, lname, nl);
        name[nl] = ':';
        name[nl + 1] = '\0';
        vl = lws_hdr_custom_length(rc->wsi, name, (int)nl + 1);
        if (vl < 0) return none;
        out = arena_alloc(srv, (size_t)vl + 1);
        if (!out) return none;
        vl = lws_hdr_custom_copy(rc->wsi, out, vl + 1, name, (int)nl + 1);
        if (vl < 0) return none;
        return skew_str_n(out, (size_t)vl);
    }
}

static bool unreserved(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~' || c == '/';
}

/* Rebuild the query lws decoded and split: each fragment "name=value" is percent-encoded again
   and joined with '&'. */
static skew_str req_query(server *srv, struct lws *wsi) {
    static const char hex[] = "0123456789ABCDEF";
    char frag[4096];
    char *out = srv->arena + srv->arena_used;
    size_t room = sizeof srv->arena - srv->arena_used, len = 0;
    int idx;

    if (room < 2) return skew_str_n("", 0);
    for (idx = 0;; idx++) {
        int n = lws_hdr_copy_fragment(wsi, frag, (int)sizeof frag, WSI_TOKEN_HTTP_URI_ARGS, idx);
        int k;
        bool seen_eq = false;
        if (n < 0) break;
        if (len + 1 >= room) break;
        if (idx) out[len++] = '&';
        for (k = 0; k < n; k++) {
            unsigned char ch = (unsigned char)frag[k];
            if (len + 4 >= room) break;
            if ((ch == '=' && !seen_eq) || unreserved(ch)) {
                if (ch == '=') seen_eq = true;
                out[len++] = (char)ch;
            } else {
                out[len++] = '%';
                out[len++] = hex[ch >> 4];
                out[len++] = hex[ch & 15];
            }
        }
    }
    srv->arena_used += len + 1;
    return skew_str_n(out, len);
}

static const char *method_name(int m) {
    switch (m) {
    case LWSHUMETH_GET: return "GET";
    case LWSHUMETH_POST: return "POST";
    case LWSHUMETH_OPTIONS: return "OPTIONS";
    case LWSHUMETH_PUT: return "PUT";
    case LWSHUMETH_PATCH: return "PATCH";
    case LWSHUMETH_DELETE: return "DELETE";
    case LWSHUMETH_CONNECT: return "CONNECT";
    case LWSHUMETH_HEAD: return "HEAD";
    default: return "GET";
    }
}

/* Fill a request from the wsi's header table (valid until the table is detached). */
static bool req_build(server *srv, struct lws *wsi, req_ctx *rc, skew_request *req) {
    char *uri = NULL;
    int uri_len = 0, m;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    const req_deadline *d;

    memset(req, 0, sizeof *req);
    srv->arena_used = 0;
    rc->srv = srv;
    rc->wsi = wsi;
    m = lws_http_get_uri_and_method(wsi, &uri, &uri_len);
    if (m < 0 || !uri) return false;
    req->method = skew_str_n(method_name(m), strlen(method_name(m)));
    req->path = skew_str_n(uri, (size_t)uri_len);
    req->query = req_query(srv, wsi);
    req->header = req_header;
    req->header_ctx = rc;
    req->upgrade = lws_hdr_total_length(wsi, WSI_TOKEN_UPGRADE) > 0;
    d = (const req_deadline *)lws_get_opaque_user_data(wsi);
    if (d && d->wsi == wsi && (d->peer4[0] | d->peer4[1] | d->peer4[2] | d->peer4[3])) { /* (peer_note) */
        req->peer.family = 4;
        memcpy(req->peer.bytes, d->peer4, 4);
    } else if (getpeername(lws_get_socket_fd(wsi), (struct sockaddr *)&ss, &sl) == 0) {
        skew_ip_from_sockaddr((const struct sockaddr *)&ss, sl, &req->peer);
    }
    return true;
}

/* ======================================================================================
   >>respond  plain HTTP answers
   ====================================================================================== */

static unsigned char *scratch(server *srv, size_t len) {
    if (srv->scratch_cap < LWS_PRE + len + 1) {
        size_t cap = LWS_PRE + len + 1 + 1024;
        unsigned char *p = (unsigned char *)realloc(srv->scratch, cap);
        if (!p) return NULL;
        srv->scratch = p;
        srv->scratch_cap = cap;
    }
    return srv->scratch + LWS_PRE;
}

typedef struct hdr_kv {
    const char *name; /* lowercase, with ':' */
    const char *value;
} hdr_kv;

/* The status line and framing headers of an answer to a refused upgrade. While lws confirms an
   upgrade it has not read the request's HTTP version yet, and lws_add_http_header_status()
   would write "HTTP/1.0". The connection closes after the answer (the client gave up on it). */
static int upgrade_refusal_head(struct lws *wsi, int status, const char *ctype, size_t len, unsigned char **p,
                                unsigned char *end) {
    char line[64], num[24];
    int n = snprintf(line, sizeof line, "HTTP/1.1 %d %s", status, skew_ex_status_reason(status));
    int m = snprintf(num, sizeof num, "%zu", len);
    if (n < 0 || (size_t)n >= sizeof line || m < 0 || (size_t)m >= sizeof num) return -1;
    if (lws_add_http_header_by_name(wsi, NULL, (const unsigned char *)line, n, p, end)) return -1;
    if (ctype && lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, (const unsigned char *)ctype,
                                              (int)strlen(ctype), p, end))
        return -1;
    if ((status != 204 &&
         lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, (const unsigned char *)num, m, p, end)) ||
        lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION, (const unsigned char *)"close", 5, p, end))
        return -1;
    return 0;
}

/* Headers and body. finish: call lws_http_transaction_completed (not inside CONFIRM_UPGRADE,
   where lws does it). Returns the callback's answer. */
static int respond(struct lws *wsi, int status, const char *ctype, const unsigned char *body, size_t len,
                   const hdr_kv *extra, size_t extra_count, bool head, bool close, bool finish) {
    unsigned char hbuf[LWS_PRE + 2048], *start = hbuf + LWS_PRE, *p = start, *end = hbuf + sizeof hbuf - 1;
    server *srv = srv_of(wsi);
    size_t i;

    close = close || srv->close_after;
    if (srv->in_upgrade) {
        if (status == 204) len = 0;
        if (upgrade_refusal_head(wsi, status, ctype, len, &p, end)) return -1;
        close = false; /* said already */
    } else if (status == 204) {
        if (lws_add_http_header_status(wsi, 204, &p, end)) return -1;
        len = 0;
    } else if (lws_add_http_common_headers(wsi, (unsigned)status, ctype, (lws_filepos_t)len, &p, end)) {
        return -1;
    }
    if (close && lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION, (const unsigned char *)"close", 5, &p, end))
        return -1;
    /* (otherwise lws_add_http_header_status() added it: vhost_headers) */
    if (srv->in_upgrade && lws_add_http_header_by_name(wsi, (const unsigned char *)"x-content-type-options:",
                                                       (const unsigned char *)"nosniff", 7, &p, end))
        return -1;
    for (i = 0; i < extra_count; i++)
        if (lws_add_http_header_by_name(wsi, (const unsigned char *)extra[i].name,
                                        (const unsigned char *)extra[i].value, (int)strlen(extra[i].value), &p, end))
            return -1;
    if (lws_finalize_write_http_header(wsi, start, &p, end)) return -1;
    if (len && !head) {
        unsigned char *b = scratch(srv, len);
        if (!b) return -1;
        memcpy(b, body, len);
        if (lws_write(wsi, b, len, LWS_WRITE_HTTP_FINAL) < 0) return -1;
    }
    if (close) return -1;
    if (finish && lws_http_transaction_completed(wsi)) return -1;
    if (finish) deadline_set(srv, wsi, REQ_HEAD); /* keep-alive: the next head */
    return 0;
}

static int respond_json(struct lws *wsi, const skew_response *r, const char *body, bool head, bool finish) {
    static const hdr_kv nocache[] = {{"cache-control:", "no-store"}};
    return respond(wsi, r->status, r->content_type ? r->content_type : "application/json",
                   (const unsigned char *)body, r->body_len, nocache, 1, head, r->close, finish);
}

static int respond_error(struct lws *wsi, int status, const char *msg, bool finish) {
    char body[160];
    skew_response r;
    memset(&r, 0, sizeof r);
    r.status = status;
    r.content_type = "application/json";
    r.body_len = skew_ex_json_error(body, sizeof body, msg);
    return respond_json(wsi, &r, body, false, finish);
}

/* The defence counters and the header tables in Prometheus text (appended to {base}/metrics). */
static size_t defence_metrics(const server *srv, char *buf, size_t cap) {
    static const char *const names[] = {
        "framing_refused", "body_too_large", "body_closed", "slow_heads", "slow_bodies",
        "output_refused", "ws_bad_close", "oversized_heads", "fd_limit_refused", "accept_paused",
    };
    const uint64_t v[] = {
        srv->defence.framing_refused, srv->defence.body_too_large, srv->defence.body_closed,
        srv->defence.slow_heads, srv->defence.slow_bodies, srv->defence.output_total_refused,
        srv->defence.ws_bad_close, srv->defence.oversized_heads, srv->defence.fd_limit_refused,
        srv->defence.accept_paused,
    };
    size_t i, len = 0;
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        int n = snprintf(buf + len, cap - len,
                         "# HELP skew_lws_%s_total hostile-client defence (examples/lws/README.md)\n"
                         "# TYPE skew_lws_%s_total counter\nskew_lws_%s_total %llu\n",
                         names[i], names[i], names[i], (unsigned long long)v[i]);
        if (n < 0 || (size_t)n >= cap - len) break;
        len += (size_t)n;
    }
    {
        header_arena_stats h = header_arena_get_stats();
        int n = snprintf(buf + len, cap - len,
                         "# HELP skew_lws_header_tables_in_use request header tables held now (header_arena.c)\n"
                         "# TYPE skew_lws_header_tables_in_use gauge\nskew_lws_header_tables_in_use %u\n"
                         "# HELP skew_lws_header_tables_released_total free header tables whose pages went back to the kernel\n"
                         "# TYPE skew_lws_header_tables_released_total counter\nskew_lws_header_tables_released_total %llu\n"
                         "# HELP skew_lws_header_tables_outside_region_total header tables taken from malloc: the region was full\n"
                         "# TYPE skew_lws_header_tables_outside_region_total counter\n"
                         "skew_lws_header_tables_outside_region_total %llu\n",
                         (unsigned)h.in_use, (unsigned long long)h.released, (unsigned long long)h.fallbacks);
        if (n > 0 && (size_t)n < cap - len) len += (size_t)n;
    }
    return len;
}

/* A metrics answer with the defence counters after the tracker's series (a new buffer, or NULL). */
static char *metrics_with_defence(const server *srv, const char *body, skew_response *r) {
    char extra[4096];
    size_t n = defence_metrics(srv, extra, sizeof extra), at = r->body_len;
    char *out = (char *)malloc(r->body_len + n + 1);
    const char *shared = strstr(body, "# HELP skew_defence_");
    if (!out) return NULL;
    if (shared && (size_t)(shared - body) < r->body_len) at = (size_t)(shared - body); /* the shared series stay last */
    memcpy(out, body, at);
    memcpy(out + at, extra, n);
    memcpy(out + at + n, body + at, r->body_len - at);
    r->body_len += n;
    out[r->body_len] = '\0';
    return out;
}

/* skew_http (skew_ex_http: a large answer is asked for again, GET only). */
static int answer_http(server *srv, struct lws *wsi, const skew_request *req, bool finish) {
    char small[2048], *big, *withdef = NULL;
    skew_response r;
    skew_result res = skew_ex_http(&srv->ex, req, &r, small, sizeof small, &big);
    int ret;

    srv_kick(srv);
    if (res == SKEW_ERR_NOT_LOCAL && cluster_defer(srv, wsi, req)) return RELAY_DEFERRED;
    if (res == SKEW_ERR_NOMEM) return respond_error(wsi, 500, "out of memory", finish);
    if (res == SKEW_ERR_TRUNCATED) return respond_error(wsi, 500, "response too large", finish);
    if (r.status == 200 && skew_route_request(srv->ex.t, req) == SKEW_ENDPOINT_METRICS)
        withdef = metrics_with_defence(srv, big ? big : small, &r);
    if (srv->ex.set_cookie[0]) { /* login / logout (skew_auth.c) */
        const hdr_kv extra[] = {{"cache-control:", "no-store"}, {"set-cookie:", srv->ex.set_cookie}};
        ret = respond(wsi, r.status, r.content_type ? r.content_type : "application/json",
                      (const unsigned char *)(big ? big : small), r.body_len, extra, 2, skew_ex_is_head(req), r.close,
                      finish);
    } else {
        ret = respond_json(wsi, &r, withdef ? withdef : big ? big : small, skew_ex_is_head(req), finish);
    }
    free(withdef);
    free(big);
    return ret;
}

static int answer_open_error(server *srv, struct lws *wsi, const skew_request *req, skew_result res, bool finish) {
    char body[512];
    skew_response r;
    skew_ex_open_error(&srv->ex, req, res, &r, body, sizeof body);
    return respond_json(wsi, &r, body, false, finish);
}

/* The pages and --root files (skew_site.h): a file streamed by lws, anything else from memory. */
static int answer_site(server *srv, struct lws *wsi, const skew_request *req, bool finish) {
    skew_ex_serve s;
    hdr_kv extra[SKEW_EX_SITE_HEADERS_MAX];
    size_t i;
    int r;

    skew_ex_site_answer(&srv->ex.site, srv->ex.t, req, &s);
    skew_ex_log_access(&srv->ex, req, s.status);
    for (i = 0; i < s.header_count; i++) {
        extra[i].name = s.headers[i].lname;
        extra[i].value = s.headers[i].value;
    }
    if (s.kind == SKEW_EX_SERVE_FILE) {
        unsigned char other[600], *p = other, *end = other + sizeof other;
        for (i = 0; i < s.header_count; i++)
            if (lws_add_http_header_by_name(wsi, (const unsigned char *)extra[i].name,
                                            (const unsigned char *)extra[i].value, (int)strlen(extra[i].value),
                                            &p, end))
                return -1;
        r = lws_serve_http_file(wsi, s.file_path, s.content_type, (const char *)other, (int)(p - other));
        if (r < 0) return -1;
        if (r > 0) return lws_http_transaction_completed(wsi) ? -1 : 0;
        return 0;
    }
    r = respond(wsi, s.status, s.content_type, s.data, s.len, extra, s.header_count, s.head, false, finish);
    skew_ex_serve_free(&s);
    return r;
}

/* ======================================================================================
   >>sse
   ====================================================================================== */

/* The response head and, behind it in the same write, what the open queued (`connected`) as far
   as it fits: one send() per SSE open instead of two and a writeable round. 0, or -1. */
static int sse_write_head(server *srv, conn *c, unsigned char *start, unsigned char *p, unsigned char *end) {
    int len;
    if (lws_finalize_http_header(c->wsi, &p, end)) return -1;
    while (conn_queued(c) && c->s->q_head->len <= (size_t)(end - p)) {
        out_msg *m = c->s->q_head;
        memcpy(p, m->buf + LWS_PRE, m->len);
        p += m->len;
        c->s->q_head = m->next;
        if (!c->s->q_head) c->s->q_tail = NULL;
        c->s->q_bytes -= out_msg_cost(m->len);
        out_freed(srv, out_msg_cost(m->len));
        free(m);
        conn_side_trim(c);
    }
    len = (int)(p - start);
    return lws_write(c->wsi, start, (size_t)len, LWS_WRITE_HTTP_HEADERS) == len ? 0 : -1;
}

static int open_sse(server *srv, struct lws *wsi, const skew_request *req) {
    unsigned char hbuf[LWS_PRE + 1024], *start = hbuf + LWS_PRE, *p = start, *end = hbuf + sizeof hbuf - 1;
    conn *c;
    skew_result res;
    skew_handle h = 0;

    if (srv->ex.stopping) return answer_open_error(srv, wsi, req, SKEW_ERR_STOPPING, true);
    c = conn_new(srv, wsi, CONN_SSE);
    if (!c) return respond_error(wsi, 503, "out of memory", true);
    res = skew_open(srv->ex.t, req, c, &h);
    srv_kick(srv);
    if (res != SKEW_OK) {
        conn_free(srv, c);
        return answer_open_error(srv, wsi, req, res, true);
    }
    c->h = h;
    conn_link(srv, c);
    skew_ex_log_stream_open(&srv->ex, req, h); /* its client IP, the access log */
    lws_set_wsi_user(wsi, c);
    /* no Content-Length: lws adds "connection: close", the stream ends with the socket */
    if (lws_add_http_common_headers(wsi, 200, SKEW_SSE_CONTENT_TYPE, LWS_ILLEGAL_HTTP_CONTENT_LEN, &p, end) ||
        lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL, (const unsigned char *)"no-cache", 8, &p,
                                     end) ||
        lws_add_http_header_by_name(wsi, (const unsigned char *)"x-accel-buffering:", (const unsigned char *)"no", 2,
                                    &p, end) ||
        sse_write_head(srv, c, start, p, end))
        return -1; /* CLOSED_HTTP follows and forgets the connection */
    /* What lws_http_mark_sse() does for h1, without its error log: give the header table back
       (an idle stream must not hold 4 KB) and cancel the transaction timeout. */
    lws_http_headers_detach(wsi);
    lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
    /* lws issue 2455: from here POLLIN is off whenever nothing is pending (sse_set_rx); the
       liveness sweep peeks for the client's EOF instead. */
    c->ready = true;
    c->last_progress = skew_ex_mono_ms();
    if (conn_pending(c)) conn_want_write(c);
    else sse_set_rx(c, false);
    return 0;
}

/* Did the SSE peer go away? Reads (and drops) anything it sent: an SSE client sends nothing. */
static bool sse_peer_gone(conn *c) {
    int fd = lws_get_socket_fd(c->wsi);
    char buf[512];
    int rounds;
    if (fd < 0) return true;
    for (rounds = 0; rounds < 16; rounds++) {
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0) return true;
        if (n < 0) return !(errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
    }
    return false; /* still talking: look again next sweep */
}

/* libev: the idle stream's socket turned readable, which for an SSE client means EOF or a
   reset (it sends nothing). Untrack it now instead of at the next sweep. (Closing it at once,
   LWS_TO_KILL_SYNC, was tried for the churn: lws then adds a shutdown() before the close and
   the churn took more CPU, not less: 0.22 against 0.19-0.20 s, 5 interleaved runs each.) */
static void sse_idle_readable(struct ev_loop *loop, ev_io *w, int revents) {
    conn *c = (conn *)w->data;
    server *srv;
    (void)loop;
    (void)revents;
    if (!sse_peer_gone(c)) return; /* bytes it should not have sent: dropped */
    srv = srv_of(c->wsi);
    if (c->h) skew_close(srv->ex.t, c->h, SKEW_CLOSE_REASON_CLIENT);
    conn_kill(c); /* stops the watcher */
    srv_kick(srv);
}

/* Watch an idle SSE socket for readability on the libev loop while lws does not (POLLIN off):
   lws 4.1.6 would notice a closed client only at the next sweep, up to 5 s later. On lws' poll
   loop (no libev) the sweep stays the only check. */
static void sse_idle_watch(conn *c, bool on) {
    server *srv = srv_of(c->wsi);
    if (!srv->loop || c->kind != CONN_SSE) return;
    if (on && !c->idle_watch_on && !c->dying && !srv->ex.opt.no_sse_eof_check) { /* (tests: off) */
        int fd = lws_get_socket_fd(c->wsi);
        if (fd < 0) return;
        ev_io_init(&((sse_conn *)c)->idle_watch, sse_idle_readable, fd, EV_READ);
        ((sse_conn *)c)->idle_watch.data = c;
        ev_io_start(srv->loop, &((sse_conn *)c)->idle_watch);
        c->idle_watch_on = true;
    } else if (!on && c->idle_watch_on) {
        ev_io_stop(srv->loop, &((sse_conn *)c)->idle_watch);
        c->idle_watch_on = false;
    }
}

/* ======================================================================================
   >>ws
   ====================================================================================== */

/* An RFC 6455 opening handshake lws can complete: a Sec-WebSocket-Key and version 13. (lws
   4.1.6 would drop the others without an answer.) */
static bool ws_handshake_ok(struct lws *wsi) {
    char v[8];
    if (lws_hdr_total_length(wsi, WSI_TOKEN_KEY) <= 0) return false;
    if (lws_hdr_copy(wsi, v, (int)sizeof v, WSI_TOKEN_VERSION) <= 0) return false;
    return !strcmp(v, "13");
}

/* LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: route, refuse (answering ourselves, return 1) or open. */
static int on_upgrade_in(server *srv, struct lws *wsi, const char *upgrade) {
    req_ctx rc;
    skew_request req;
    skew_endpoint ep;
    conn *c;
    skew_result res;
    skew_handle h = 0;

    uint64_t body_len = 0;
    int refuse = framing_check(srv, wsi, &body_len);

    if (refuse) {
        framing_refuse(srv, wsi, refuse, false);
        return 1;
    }
    if (!req_build(srv, wsi, &rc, &req)) return -1;
    if (!upgrade || strcasecmp(upgrade, "websocket")) { /* e.g. h2c: answer as plain HTTP/1.1 */
        req.upgrade = false;
        ep = skew_route_request(srv->ex.t, &req);
        if (ep == SKEW_ENDPOINT_NONE) answer_site(srv, wsi, &req, false);
        else if (ep == SKEW_ENDPOINT_SSE || ep == SKEW_ENDPOINT_WS) respond_error(wsi, 400, "unsupported upgrade", false);
        else answer_http(srv, wsi, &req, false);
        return 1;
    }
    ep = skew_route_request(srv->ex.t, &req);
    if (ep == SKEW_ENDPOINT_NONE) {
        respond_error(wsi, 404, "not found", false);
        return 1;
    }
    if (ep != SKEW_ENDPOINT_WS) {
        answer_http(srv, wsi, &req, false);
        return 1;
    }
    if (!ws_handshake_ok(wsi)) {
        static const hdr_kv version[] = {{"cache-control:", "no-store"}, {"sec-websocket-version:", "13"}};
        char body[160];
        size_t n = skew_ex_json_error(body, sizeof body, "bad websocket handshake");
        respond(wsi, 400, "application/json", (const unsigned char *)body, n < sizeof body ? n : sizeof body - 1,
                version, 2, false, true, false);
        return 1;
    }
    if (srv->ex.stopping) {
        answer_open_error(srv, wsi, &req, SKEW_ERR_STOPPING, false);
        return 1;
    }
    c = conn_new(srv, wsi, CONN_WS);
    if (!c) {
        respond_error(wsi, 503, "out of memory", false);
        return 1;
    }
    res = skew_open(srv->ex.t, &req, c, &h); /* `connected` waits in the queue for ESTABLISHED */
    srv_kick(srv);
    if (res != SKEW_OK) {
        conn_free(srv, c);
        answer_open_error(srv, wsi, &req, res, false);
        return 1;
    }
    c->h = h;
    conn_link(srv, c);
    skew_ex_log_stream_open(&srv->ex, &req, h); /* its client IP, the access log */
    lws_set_wsi_user(wsi, c); /* survives the protocol rebind of the upgrade */
    return 0;
}

static int on_upgrade(server *srv, struct lws *wsi, const char *upgrade) {
    int r;
    deadline_set(srv, wsi, REQ_NONE); /* the head is complete; every answer here closes */
    srv->in_upgrade = true;
    r = on_upgrade_in(srv, wsi, upgrade);
    srv->in_upgrade = false;
    srv->close_after = false;
    return r;
}

static void on_ws_receive(server *srv, conn *c, const char *in, size_t len) {
    bool final = lws_is_final_fragment(c->wsi) != 0;
    conn_side *s = NULL;
    c->awaiting_pong = false; /* any frame proves the peer alive */
    c->missed_pongs = 0;
    if (!c->h || c->dying) return;
    if (final && !(c->s && c->s->rx_len) && !c->rx_overflow) {
        skew_ws_message(srv->ex.t, c->h, skew_str_n(in, len));
        srv_kick(srv);
        return;
    }
    if (!c->rx_overflow && !(s = conn_side_get(c))) c->rx_overflow = true;
    if (!c->rx_overflow) {
        if (s->rx_len + len > SKEW_EX_WS_MESSAGE_MAX) {
            c->rx_overflow = true; /* too long for any protocol message: ignore it whole */
        } else {
            if (s->rx_len + len > s->rx_cap) {
                size_t cap = s->rx_len + len < 1024 ? 1024 : SKEW_EX_WS_MESSAGE_MAX;
                char *p = (char *)realloc(s->rx, cap);
                if (!p) {
                    c->rx_overflow = true;
                    goto done;
                }
                s->rx = p;
                s->rx_cap = (uint32_t)cap; /* <= SKEW_EX_WS_MESSAGE_MAX */
            }
            memcpy(s->rx + s->rx_len, in, len);
            s->rx_len += (uint32_t)len;
        }
    }
done:
    if (final) {
        if (!c->rx_overflow && c->h && s) { /* (s keeps its rx meanwhile: never trimmed) */
            skew_ws_message(srv->ex.t, c->h, skew_str_n(s->rx, s->rx_len));
            srv_kick(srv);
        }
        if (c->s) {
            free(c->s->rx);
            c->s->rx = NULL;
            c->s->rx_len = c->s->rx_cap = 0;
            conn_side_trim(c);
        }
        c->rx_overflow = false;
    }
}

/* Is a close code one a peer may send (RFC 6455 §7.4.1, §7.4.2)? */
static bool ws_close_code_ok(unsigned code) {
    if (code >= 3000 && code <= 4999) return true;
    return code >= 1000 && code <= 1011 && code != 1004 && code != 1005 && code != 1006;
}

/* LWS_CALLBACK_WS_PEER_INITIATED_CLOSE. lws 4.1.6 would echo the whole payload (reason text
   included) and let queued messages follow. Instead: nothing more is sent, and the close frame
   carries the peer's code alone, or 1002 for an invalid code or a 1-byte payload (lws has
   already replaced some invalid codes by 1002 in `in`). Returning -1 makes lws send that frame. */
static int ws_peer_close(server *srv, struct lws *wsi, conn *c, const unsigned char *in, size_t len) {
    unsigned code = len >= 2 ? (unsigned)in[0] << 8 | in[1] : 1000u;
    if (len == 1 || !ws_close_code_ok(code)) {
        srv->defence.ws_bad_close++;
        code = LWS_CLOSE_STATUS_PROTOCOL_ERR;
    }
    if (c) {
        if (c->h) skew_close(srv->ex.t, c->h, SKEW_CLOSE_REASON_CLIENT);
        c->dying = true;
        conn_drop_queue(c);
        srv_kick(srv);
    }
    lws_close_reason(wsi, (enum lws_close_status)code, NULL, 0);
    return -1;
}

/* ======================================================================================
   >>http  LWS_CALLBACK_HTTP and POST bodies
   ====================================================================================== */

/* RFC 9112 §6 framing of the head (skew_framing.h). Returns 0 to go on (*body: the declared
   body length) or the status to refuse with (the answer closes the connection). */
static int framing_check(server *srv, struct lws *wsi, uint64_t *body) {
    char cl[4][32], te[128];
    const char *clp[4];
    size_t cll[4], n;
    int tl = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING);
    skew_framing f;

    for (n = 0;; n++) {
        int got;
        if (lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, (int)n) <= 0) break;
        if (n == 4) return 400; /* no client sends four Content-Length fields */
        got = lws_hdr_copy_fragment(wsi, cl[n], (int)sizeof cl[n], WSI_TOKEN_HTTP_CONTENT_LENGTH, (int)n);
        if (got < 0) return 400; /* longer than any valid length */
        clp[n] = cl[n];
        cll[n] = (size_t)got;
    }
    if (tl >= (int)sizeof te) return 400;
    if (tl > 0 && lws_hdr_copy(wsi, te, (int)sizeof te, WSI_TOKEN_HTTP_TRANSFER_ENCODING) < 0) return 400;
    f = skew_framing_of(clp, cll, n, te, tl > 0 ? (size_t)tl : 0, body);
    if (f == SKEW_FRAMING_BAD) return 400;
    if (f == SKEW_FRAMING_CHUNKED) return 411; /* lws 4.1.6 does not read chunked request bodies */
    if (*body > srv->ex.lim.max_body) return 413;
    return 0;
}

/* Answer a framing refusal and close. */
static int framing_refuse(server *srv, struct lws *wsi, int status, bool finish) {
    if (status == 413) srv->defence.body_too_large++;
    else {
        srv->defence.framing_refused++;
        skew_ex_defence_bump(&srv->ex.defences, SKEW_EX_DEFENCE_FRAMING);
    }
    srv->close_after = true;
    return respond_error(wsi, status,
                         status == 413   ? "request body too large"
                         : status == 411 ? "length required (chunked request bodies are not read)"
                                         : "bad request framing",
                         finish);
}

/* A request with a body closes its connection once answered: lws 4.1.6 spins at 100 % CPU on
   input pipelined behind a body (lws_service_do_ripe_rxflow, see README.md), so nothing after
   a body is ever read. close_after holds for the answers given inside this callback. */
static int on_http_in(server *srv, struct lws *wsi) {
    req_ctx rc;
    skew_request req;
    skew_endpoint ep;
    uint64_t body = 0;
    int refuse;

    deadline_set(srv, wsi, REQ_NONE); /* the head is complete */
    refuse = framing_check(srv, wsi, &body);
    if (refuse) return framing_refuse(srv, wsi, refuse, true);
    if (body) {
        srv->close_after = true;
        srv->defence.body_closed++;
    }
    if (!req_build(srv, wsi, &rc, &req)) return respond_error(wsi, 400, "bad request", true);
    ep = skew_route_request(srv->ex.t, &req);
    if (ep == SKEW_ENDPOINT_SSE) return open_sse(srv, wsi, &req);
    if (ep == SKEW_ENDPOINT_NONE) return answer_site(srv, wsi, &req, true);
    if (body) {
        conn *c = conn_new(srv, wsi, CONN_POST); /* wait for the body */
        if (!c) return respond_error(wsi, 503, "out of memory", true);
        lws_set_wsi_user(wsi, c);
        deadline_set(srv, wsi, REQ_BODY);
        return 0;
    }
    return answer_http(srv, wsi, &req, true);
}

static int on_http(server *srv, struct lws *wsi) {
    int r = on_http_in(srv, wsi);
    srv->close_after = false;
    return r;
}

static void on_body(server *srv, conn *c, const char *in, size_t len) {
    size_t keep = srv->ex.lim.max_body + 1; /* one byte past the limit lets the tracker say 413 */
    size_t take;
    conn_side *s = conn_side_get(c);
    if (!s || s->rx_len >= keep) return;
    take = len < keep - s->rx_len ? len : keep - s->rx_len;
    if (!s->rx) {
        s->rx = (char *)malloc(keep);
        if (!s->rx) return;
        s->rx_cap = (uint32_t)keep; /* max_body <= 16 MiB (skew_tracker_create) */
    }
    memcpy(s->rx + s->rx_len, in, take);
    s->rx_len += (uint32_t)take;
}

static int on_body_done(server *srv, struct lws *wsi, conn *c) {
    req_ctx rc;
    skew_request req;
    int r;
    srv->close_after = true; /* see on_http_in */
    deadline_set(srv, wsi, REQ_NONE);
    if (!req_build(srv, wsi, &rc, &req)) r = respond_error(wsi, 400, "bad request", false);
    else {
        req.body = c->s && c->s->rx ? skew_str_n(c->s->rx, c->s->rx_len) : skew_str_n("", 0);
        r = answer_http(srv, wsi, &req, false);
    }
    srv->close_after = false;
    if (r == RELAY_DEFERRED) return 0; /* c stays: the answer comes from another instance */
    lws_set_wsi_user(wsi, NULL);
    conn_free(srv, c);
    return -1; /* the answer said "connection: close" */
}

/* ======================================================================================
   >>cluster  several instances as one (examples/common/skew_cluster.h), on this libev loop
   ====================================================================================== */

/* The answer of another instance to a POST relayed from here, written when lws says so. */
typedef struct relay_answer {
    bool ready;
    int status;
    char ctype[64];
    size_t len;
    char *body;
} relay_answer;

/* skew_http said the connection is held elsewhere: relay, keep the request waiting. */
static int cluster_defer(server *srv, struct lws *wsi, const skew_request *req) {
    conn *c = (conn *)lws_wsi_user(wsi);
    if (!srv->ex.node || !c || c->kind != CONN_POST || (c->s && c->s->relay) || !conn_side_get(c)) return 0;
    c->s->relay = (relay_answer *)calloc(1, sizeof *c->s->relay);
    if (!c->s->relay) return 0;
    if (!skcl_node_relay(srv->ex.node, req, (uint64_t)(uintptr_t)c)) {
        free(c->s->relay);
        c->s->relay = NULL;
        return 0;
    }
    return 1;
}

static void cluster_respond(void *user, uint64_t token, int status, const char *ctype, const char *body, size_t len) {
    conn *c = (conn *)(uintptr_t)token;
    if (status == 503) skew_ex_defence_bump(&((server *)user)->ex.defences, SKEW_EX_DEFENCE_RELAY_503);
    if (!c->s || !c->s->relay || c->s->relay->ready) return;
    c->s->relay->body = (char *)malloc(len + 1);
    if (!c->s->relay->body) len = 0, status = 500;
    else if (len) memcpy(c->s->relay->body, body, len);
    c->s->relay->ready = true;
    c->s->relay->status = status;
    c->s->relay->len = len;
    snprintf(c->s->relay->ctype, sizeof c->s->relay->ctype, "%s", ctype);
    lws_callback_on_writable(c->wsi);
}

static void relay_answer_free(conn *c) {
    if (!c->s) return;
    if (c->s->relay) free(c->s->relay->body);
    free(c->s->relay);
    c->s->relay = NULL;
}

static void cluster_relay_gone(server *srv, conn *c) {
    skcl_node_cancel(srv->ex.node, (uint64_t)(uintptr_t)c);
    relay_answer_free(c);
}

static int cluster_relay_write(server *srv, struct lws *wsi, conn *c) {
    static const hdr_kv nocache[] = {{"cache-control:", "no-store"}};
    int r;
    if (!c->s->relay->ready) return 0;
    r = respond(wsi, c->s->relay->status, c->s->relay->ctype, (const unsigned char *)c->s->relay->body, c->s->relay->len,
                nocache, 1, false, true, true); /* close: a request with a body (on_http_in) */
    relay_answer_free(c);
    lws_set_wsi_user(wsi, NULL);
    conn_free(srv, c);
    return r;
}

static void cluster_kick(void *user) { srv_kick((server *)user); }

static bool cluster_start(server *srv, struct ev_loop *loop) {
    if (!loop) {
        fprintf(stderr, "skew_server_lws: --redis needs the libev loop (unset SKEW_LWS_EVENT_LOOP)\n");
        return false;
    }
    return skew_ex_cluster_start(&srv->ex, loop, NULL, cluster_respond, cluster_kick);
}

/* ======================================================================================
   >>callback
   ====================================================================================== */

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
    server *srv;
    conn *c = (conn *)user;

    switch (reason) {
    case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS: /* user: the vhost's SSL_CTX */
        srv = srv_of(wsi);
        return skew_tls_enabled(&srv->ex.tls) && !skew_tls_ctx_use(&srv->ex.tls, user) ? 1 : 0;
    case LWS_CALLBACK_HTTP:
        srv = srv_of(wsi);
        if (c) { /* a new transaction on a keep-alive connection that still has state */
            conn_gone(srv, c);
        }
        return on_http(srv, wsi);
    case LWS_CALLBACK_HTTP_BODY:
        if (c && c->kind == CONN_POST) on_body(srv_of(wsi), c, (const char *)in, len);
        return 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        if (c && c->kind == CONN_POST) return on_body_done(srv_of(wsi), wsi, c);
        return 0; /* a body nobody waits for: the request was answered already */
    case LWS_CALLBACK_HTTP_WRITEABLE:
        if (c && c->kind == CONN_SSE) return conn_write_next(srv_of(wsi), c);
        if (c && c->kind == CONN_POST && c->s && c->s->relay) return cluster_relay_write(srv_of(wsi), wsi, c);
        return 0;
    case LWS_CALLBACK_HTTP_FILE_COMPLETION:
        if (lws_http_transaction_completed(wsi)) return -1;
        deadline_set(srv_of(wsi), wsi, REQ_HEAD); /* keep-alive: the next head */
        return 0;
    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
        if (fd_limit_filter(srv_of(wsi), (int)(intptr_t)in, fd_limit_now())) return 1;
        if (user) /* lws 4.1.6: `user` is a struct lws_filter_network_conn_args */
            peer_note(srv_of(wsi), (int)(intptr_t)in,
                      (const struct sockaddr *)&((const struct lws_filter_network_conn_args *)user)->cli_addr,
                      ((const struct lws_filter_network_conn_args *)user)->clilen);
        return 0;
    case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
        deadline_new(srv_of(wsi), wsi);
        return 0;
    case LWS_CALLBACK_WSI_DESTROY:
        deadline_gone(wsi);
        return 0;
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_CLOSED:
        if (c) conn_gone(srv_of(wsi), c);
        return 0;

    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
        return on_upgrade(srv_of(wsi), wsi, (const char *)in);
    case LWS_CALLBACK_ESTABLISHED:
        if (!c) return -1;
        c->ready = true;
        c->last_progress = skew_ex_mono_ms();
        return conn_flush(srv_of(wsi), c); /* `connected` right after lws' handshake answer */
    case LWS_CALLBACK_RECEIVE:
        if (c) on_ws_receive(srv_of(wsi), c, (const char *)in, len);
        return 0;
    case LWS_CALLBACK_RECEIVE_PONG:
        if (c) {
            c->awaiting_pong = false;
            c->missed_pongs = 0;
        }
        return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        if (c) return conn_write_next(srv_of(wsi), c);
        return 0;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        return ws_peer_close(srv_of(wsi), wsi, c, (const unsigned char *)in, len);
    default:
        return 0;
    }
}

static const struct lws_protocols protocols[] = {
    /* name, callback, per-session data (0: we attach our own conn), rx buffer, id, user, tx packet */
    {"skew", callback, 0, WS_RX_BUFFER, 0, NULL, WS_TX_PACKET},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* ======================================================================================
   >>timer  skew_tick, WS pings, SSE peeks, stall checks
   ====================================================================================== */

static void srv_timer(lws_sorted_usec_list_t *sul);
static void srv_ev_timer(struct ev_loop *loop, ev_timer *w, int revents);

/* On libev the timer is the adapter's own ev_timer: lws 4.1.6 does not re-arm its libev timer
   for an lws_sul_schedule() made outside its own timer callback, so a kick from a connection
   event waited for whatever lws had armed before (up to SKEW_EX_SIGNAL_POLL_MS). */
static void srv_schedule(server *srv, uint64_t ms) {
    srv->timer_at = skew_ex_mono_ms() + ms;
    if (srv->loop) {
        ev_timer_stop(srv->loop, &srv->tick);
        ev_timer_set(&srv->tick, (double)ms / 1000.0, 0.0);
        ev_timer_start(srv->loop, &srv->tick);
    } else {
        lws_sul_schedule(srv->ctx, 0, &srv->sul, srv_timer, (lws_usec_t)(ms ? ms * LWS_US_PER_MS : 1));
    }
}

/* After any tracker call that may make a stats push due: re-arm the timer from skew_get_next_due
   when that is sooner than what it is armed for. */
static void srv_kick(server *srv) {
    uint64_t due, mono;
    if (!srv->ctx) return;
    mono = skew_ex_mono_ms(); /* the tracker's scheduling clock is skew_tick's: monotonic, never the wall clock */
    due = skew_get_next_due(srv->ex.t, mono);
    if (skew_forward_busy(&srv->ex.fwd) && due > SKEW_FORWARD_POLL_MS) due = SKEW_FORWARD_POLL_MS; /* --auth-url */
    if (skcl_node_busy(srv->ex.node)) due = 0; /* a cluster view fed in slices: the next one now */
    if (mono + due < srv->timer_at) srv_schedule(srv, due);
}

static void ws_ping_sweep(skew_ex_server *ex, uint64_t mono) {
    server *srv = (server *)ex;
    conn *c;
    (void)mono;
    for (c = srv->conns; c; c = c->next) {
        if (c->kind != CONN_WS || !c->ready || c->dying || c->going_away) continue;
        if (c->awaiting_pong && ++c->missed_pongs >= SKEW_EX_MISSED_PONGS_MAX) {
            skew_ex_logf(SKEW_EX_LOG_DEBUG, "ws peer answers no ping: dropping");
            if (c->h) skew_close(srv->ex.t, c->h, SKEW_CLOSE_REASON_TIMEOUT); /* on_close kills it */
            else conn_kill(c);
            continue;
        }
        c->awaiting_pong = true;
        c->ping_due = true;
        lws_callback_on_writable(c->wsi);
    }
}

static void liveness_sweep(skew_ex_server *ex, uint64_t mono) {
    server *srv = (server *)ex;
    conn *c;
    uint64_t stall = (uint64_t)srv->ex.lim.keepalive_ms * SKEW_EX_STALL_INTERVALS;
    for (c = srv->conns; c; c = c->next) {
        if (!c->ready || c->dying) continue;
        /* (last_progress may be later than mono: a close earlier in this sweep pushed stats) */
        if (conn_pending(c) && c->last_progress + stall < mono) {
            skew_ex_logf(SKEW_EX_LOG_DEBUG, "output stalled for %llu ms: dropping", (unsigned long long)(mono - c->last_progress));
            if (c->h) skew_close(srv->ex.t, c->h, SKEW_CLOSE_REASON_TIMEOUT);
            else conn_kill(c);
            continue;
        }
        if (c->kind == CONN_SSE && !srv->loop && !srv->ex.opt.no_sse_eof_check && sse_peer_gone(c)) { /* libev: sse_idle_watch */
            if (c->h) skew_close(srv->ex.t, c->h, SKEW_CLOSE_REASON_CLIENT);
            conn_kill(c);
        }
    }
}

static void srv_run(server *srv) { srv_schedule(srv, skew_ex_server_tick(&srv->ex, ws_ping_sweep, liveness_sweep)); }

static void srv_timer(lws_sorted_usec_list_t *sul) { srv_run(lws_container_of(sul, server, sul)); }

/* libev: lws re-arms its own libev timer only when it fires, so its timeouts (close handshakes,
   kills) would wait for the next one indefinitely; a sul that reschedules itself keeps that timer
   firing at least every SKEW_EX_SIGNAL_POLL_MS (what the adapter's timer on lws' sul did before). */
static void srv_lws_heartbeat(lws_sorted_usec_list_t *sul) {
    server *srv = lws_container_of(sul, server, sul);
    lws_sul_schedule(srv->ctx, 0, &srv->sul, srv_lws_heartbeat, (lws_usec_t)SKEW_EX_SIGNAL_POLL_MS * LWS_US_PER_MS);
}

static void srv_ev_timer(struct ev_loop *loop, ev_timer *w, int revents) {
    (void)loop;
    (void)revents;
    srv_run((server *)w->data);
}

/* ======================================================================================
   >>listen  the adapter's own listener (libev)
   ======================================================================================
   On libev, with an IP address for --host, the adapter listens and accepts itself and hands each
   connection to lws (lws_adopt_descriptor_vhost); the vhost has no listener of its own
   (CONTEXT_PORT_NO_LISTEN_SERVER). Per connection that saves four of lws 4.1.6's system calls:
   its poll() of the listener after every accept, an FD_CLOEXEC and an O_NONBLOCK fcntl (accept4
   sets both) and TCP_NODELAY (Linux: accepted sockets inherit it from the listener). It also binds
   exactly the address asked for (lws may bind IPv6 elsewhere: check_bound). An interface name
   for --host, and SKEW_LWS_EVENT_LOOP=poll, keep lws' listener. */

#define LISTEN_RESUME_S 0.1 /* accept() out of descriptors or memory: try again after this */
/* Connections accepted per wake-up at most, so a flood of them leaves the loop to the others.
   Each accepted at once (not one per wake-up) shares the wake-up, and the read of lws' eventfd
   that every adoption writes to (lws_cancel_service_pt), with the rest. */
#define LISTEN_BATCH 32

/* The listening socket for an IP literal host: 1 when host is no IP literal (lws listens),
   0 with *fd and srv->listen_port set, -1 (errno) when it cannot listen. */
static int listen_open(server *srv, const char *host, unsigned port, int *fd) {
    union {
        struct sockaddr sa;
        struct sockaddr_in in4;
        struct sockaddr_in6 in6;
    } a;
    socklen_t alen;
    int one = 1, e;
    memset(&a, 0, sizeof a);
    if (inet_pton(AF_INET, host, &a.in4.sin_addr) == 1) {
        a.in4.sin_family = AF_INET;
        a.in4.sin_port = htons((uint16_t)port);
        alen = sizeof a.in4;
    } else if (inet_pton(AF_INET6, host, &a.in6.sin6_addr) == 1) {
        a.in6.sin6_family = AF_INET6;
        a.in6.sin6_port = htons((uint16_t)port);
        alen = sizeof a.in6;
    } else {
        return 1;
    }
    *fd = socket(a.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (*fd < 0) return -1;
    if (setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        (a.sa.sa_family == AF_INET6 && setsockopt(*fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) ||
        setsockopt(*fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 || /* (inherited) */
        bind(*fd, &a.sa, alen) != 0 || listen(*fd, SOMAXCONN) != 0 || getsockname(*fd, &a.sa, &alen) != 0)
        goto fail;
    srv->listen_port = ntohs(a.sa.sa_family == AF_INET ? a.in4.sin_port : a.in6.sin6_port);
    return 0;
fail:
    e = errno;
    close(*fd);
    *fd = -1;
    errno = e;
    return -1;
}

static void listen_resume(struct ev_loop *loop, ev_timer *w, int revents) {
    server *srv = (server *)w->data;
    (void)revents;
    if (srv->listen_fd >= 0) ev_io_start(loop, &srv->listen_watch);
}

static void listen_readable(struct ev_loop *loop, ev_io *w, int revents) {
    server *srv = (server *)w->data;
    int n, type = LWS_ADOPT_SOCKET | LWS_ADOPT_HTTP;
    rlim_t lim = RLIM_INFINITY;
    (void)revents;
    if (skew_tls_enabled(&srv->ex.tls)) type |= LWS_ADOPT_ALLOW_SSL;
    for (n = 0; n < LISTEN_BATCH; n++) {
        struct sockaddr_storage peer;
        socklen_t plen = sizeof peer;
        lws_sock_file_fd_type d;
        int fd = accept4(w->fd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* still readable: without a rest the loop would spin on accept() */
                srv->defence.accept_paused++;
                ev_io_stop(loop, w);
                ev_timer_set(&srv->listen_resume, LISTEN_RESUME_S, 0.0);
                ev_timer_start(loop, &srv->listen_resume);
            }
            return; /* EAGAIN: none left */
        }
        if (lim == RLIM_INFINITY) lim = fd_limit_now(); /* once per wake-up */
        if (fd_limit_filter(srv, fd, lim)) {
            close(fd);
            continue;
        }
        peer_note(srv, fd, (const struct sockaddr *)&peer, plen);
        d.sockfd = fd;
        /* NULL: lws has closed it (as its own listener's accept would) */
        if (!lws_adopt_descriptor_vhost(srv->vh, (lws_adoption_type)type, d, NULL, NULL))
            skew_ex_logf(SKEW_EX_LOG_DEBUG, "lws could not adopt an accepted connection");
    }
}

static void listen_start(server *srv) {
    ev_io_init(&srv->listen_watch, listen_readable, srv->listen_fd, EV_READ);
    srv->listen_watch.data = srv;
    ev_timer_init(&srv->listen_resume, listen_resume, LISTEN_RESUME_S, 0.0);
    srv->listen_resume.data = srv;
    ev_io_start(srv->loop, &srv->listen_watch);
}

static void listen_close(server *srv) {
    if (srv->listen_fd < 0) return;
    ev_io_stop(srv->loop, &srv->listen_watch);
    ev_timer_stop(srv->loop, &srv->listen_resume);
    close(srv->listen_fd);
    srv->listen_fd = -1;
}

/* ======================================================================================
   >>main
   ====================================================================================== */

static int log_mask;
static server *log_srv; /* for the counters of what lws logs (lws_log_emit) */

/* lws 4.1.6 logs a client's oversized head as an error ("Ran out of header data space") and
   closes the connection without an answer (no callback in between: lws_pos_in_bounds ->
   LPR_FAIL -> lws_handshake_server's bail_nuke_ah). A client's fault is no server error: counted
   and logged at debug level only. */
static bool lws_log_is_client_fault(const char *line) { return strstr(line, "Ran out of header data space") != NULL; }

static void lws_log_emit(int level, const char *line) {
    size_t n = strlen(line);
    if (lws_log_is_client_fault(line)) {
        if (log_srv) log_srv->defence.oversized_heads++;
        level = LLL_DEBUG;
    }
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
    skew_ex_logf(level == LLL_ERR ? SKEW_EX_LOG_ERROR : level & (LLL_WARN | LLL_NOTICE | LLL_USER) ? SKEW_EX_LOG_INFO
                                                                                                    : SKEW_EX_LOG_DEBUG,
                 "lws: %.*s", (int)n, line);
}

/* Is the listener bound to what --host asked for? (IPv6: lws 4.1.6 may ignore the interface.) */
static bool check_bound(server *srv, const struct in6_addr *want) {
    int fd;
    for (fd = 3; fd < 1024; fd++) {
        struct sockaddr_in6 sa;
        socklen_t sl = sizeof sa;
        int type = 0, acc = 0;
        socklen_t tl = sizeof type, al = sizeof acc;
        if (getsockname(fd, (struct sockaddr *)&sa, &sl) != 0 || sa.sin6_family != AF_INET6) continue;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 || type != SOCK_STREAM) continue;
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &al) != 0 || !acc) continue;
        if (ntohs(sa.sin6_port) != (uint16_t)srv->listen_port) continue;
        return !memcmp(&sa.sin6_addr, want, sizeof *want);
    }
    return false;
}

/* --tls-cert/--tls-key: lws' OpenSSL TLS on the vhost. lws reads the files once to set the vhost
   up; the callback above then loads the pair (with its chain) into the vhost's SSL_CTX from
   skew_tls, which does it again after a SIGHUP. ALPN is pinned to http/1.1: Debian's lws is
   built with HTTP/2, which the adapter does not speak. */
static void lws_tls_setup(server *srv, struct lws_context_creation_info *info) {
    if (!skew_tls_enabled(&srv->ex.tls)) return;
    info->options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info->ssl_cert_filepath = srv->ex.tls.cert_path;
    info->ssl_private_key_filepath = srv->ex.tls.key_path;
    info->alpn = "http/1.1";
}

/* Headers lws adds to every answer with a status line it writes (lws_add_http_header_status):
   the adapter's, --root files (lws_serve_http_file) and lws' own error pages. */
static const struct lws_protocol_vhost_options vhost_headers = {NULL, NULL, "x-content-type-options:", "nosniff"};

static const lws_retry_bo_t no_validity = {NULL, 0, 0, 0, 0, 0}; /* secs_since_valid_hangup 0: off */

/* The context lws creates: the listener from --host/--port, its limits and timeouts, TLS, the
   event loop (libev unless SKEW_LWS_EVENT_LOOP=poll: *loop is then set). 0, or the exit code. */
static int context_info(server *srv, struct lws_context_creation_info *info, struct in6_addr *v6, bool *ipv6,
                        struct ev_loop **loop, void **foreign) {
    memset(info, 0, sizeof *info);
    srv->listen_fd = -1;
    *ipv6 = strchr(srv->ex.opt.host, ':') != NULL;
    if (*ipv6 && inet_pton(AF_INET6, srv->ex.opt.host, v6) != 1) {
        fprintf(stderr, "skew_server_lws: --host %s: not an IPv6 address\n", srv->ex.opt.host);
        return 2;
    }
    info->port = srv->ex.opt.port;
    info->iface = srv->ex.opt.host;
    info->protocols = protocols;
    info->user = srv;
    info->options = LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
    if (*ipv6) info->options |= LWS_SERVER_OPTION_IPV6_V6ONLY_MODIFY | LWS_SERVER_OPTION_IPV6_V6ONLY_VALUE;
    else info->options |= LWS_SERVER_OPTION_DISABLE_IPV6; /* else lws ignores --host */
    info->max_http_header_data = HEADER_DATA;
    info->max_http_header_pool = HEADER_POOL;
    (void)header_arena_init(HEADER_DATA, HEADER_POOL); /* false: the tables stay in malloc's heap */
    info->keepalive_timeout = 5;        /* idle HTTP keep-alive connections */
    info->timeout_secs = 10;            /* handshakes and other pending states */
    /* lws sizes its fd table from RLIMIT_NOFILE, so the limit is set to what the tracker can
       hold (skew_ex_tune_fd_limit). info.fd_limit_per_thread stays 0 on purpose: below the process
       limit, lws 4.1.6 finds a connection from its fd by a linear search (wsi_from_fd), O(n)
       per event; at the limit it indexes the table. */
    skew_ex_tune_fd_limit(skew_get_config(srv->ex.t)->max_connections);
    if (!deadlines_init(srv)) {
        fprintf(stderr, "skew_server_lws: out of memory\n");
        return 1;
    }
    info->vhost_name = "skew";
    info->headers = &vhost_headers;
    /* lws' own WS validity pings (default: every 300 s, in a sorted timer list re-inserted on
       every frame, O(n) per insert with n connections) are off: the adapter pings every
       --keepalive-ms itself (ws_ping_sweep). */
    info->retry_and_idle_policy = &no_validity;
    lws_tls_setup(srv, info);

    /* The event loop: lws' default backend is poll(), whose every wake-up walks all n
       descriptors (O(n) per event: 10k handshakes cost seconds of CPU). With libev (its lws
       plugin and libev-dev come with libwebsockets-dev) the loop is epoll. The adapter owns
       the loop ("foreign" to lws) so it can run it one iteration at a time, as with poll.
       SKEW_LWS_EVENT_LOOP=poll selects lws' own poll loop instead. */
    {
        const char *el = getenv("SKEW_LWS_EVENT_LOOP");
        if (!(el && !strcmp(el, "poll"))) {
            *loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOENV);
            if (!*loop) {
                fprintf(stderr, "skew_server_lws: cannot create a libev loop\n");
                return 1;
            }
            foreign[0] = *loop;
            info->foreign_loops = foreign;
            info->options |= LWS_SERVER_OPTION_LIBEV;
            srv->loop = *loop;
            ev_timer_init(&srv->tick, srv_ev_timer, 0.0, 0.0);
            srv->tick.data = srv;
            switch (listen_open(srv, srv->ex.opt.host, srv->ex.opt.port, &srv->listen_fd)) {
            case 0: /* >>listen: lws only adopts */
                info->port = CONTEXT_PORT_NO_LISTEN_SERVER;
                info->iface = NULL;
                break;
            case 1: break; /* an interface name: lws listens */
            default:
                fprintf(stderr, "skew_server_lws: cannot listen on %s:%u: %s\n", srv->ex.opt.host,
                        (unsigned)srv->ex.opt.port, strerror(errno));
                return 1;
            }
        }
    }
    return 0;
}

/* Serve until a stop signal's drain is over. 0, or 1 when lws' own loop fails. */
static int serve(server *srv, struct ev_loop *loop) {
    for (;;) {
        if (loop) {
            ev_run(loop, EVRUN_ONCE); /* returns after one wake-up, also on EINTR */
        } else if (lws_service(srv->ctx, 0) < 0) {
            return 1;
        }
        deadline_sweep(srv, skew_ex_mono_ms());
        out_trim(srv);
        if (header_arena_trim(skew_ex_mono_ms())) heap_trim(); /* a burst of handshakes ended */
        if (skew_ex_stop_requested()) skew_ex_begin_shutdown(&srv->ex);
        if (skew_ex_shutdown_done(&srv->ex, skew_ex_mono_ms())) break;
    }
    return 0;
}

int main(int argc, char **argv) {
    static server srv; /* big (arena): not on the stack */
    struct lws_context_creation_info info;
    skew_hooks hooks;
    struct in6_addr v6;
    bool ipv6 = false;
    struct ev_loop *loop = NULL;
    void *foreign[1];
    int exit_code = 0;

    skew_ex_server_hooks(&srv.ex, &hooks, hook_send, hook_on_close);
    if (!skew_ex_start(&srv.ex, "skew_server_lws", argc, argv, &hooks)) return srv.ex.exit_code;

    log_srv = &srv;
    log_mask = LLL_ERR;
    if (srv.ex.opt.verbosity >= SKEW_EX_NORMAL) log_mask |= LLL_WARN | LLL_USER;
    if (srv.ex.opt.verbosity >= SKEW_EX_VERBOSE) log_mask |= LLL_NOTICE | LLL_INFO;
    lws_set_log_level(log_mask, lws_log_emit);

    exit_code = context_info(&srv, &info, &v6, &ipv6, &loop, foreign);
    if (exit_code) return exit_code;

    srv.ctx = lws_create_context(&info);
    if (!srv.ctx) {
        fprintf(stderr, "skew_server_lws: cannot listen on %s:%u\n", srv.ex.opt.host, (unsigned)srv.ex.opt.port);
        if (srv.listen_fd >= 0) close(srv.listen_fd);
        if (loop) ev_loop_destroy(loop);
        skew_ex_site_free(&srv.ex.site);
        skew_tracker_destroy(srv.ex.t);
        return 1;
    }
    srv.vh = lws_get_vhost_by_name(srv.ctx, "skew");
    if (srv.listen_fd >= 0) {
        if (!srv.vh) {
            fprintf(stderr, "skew_server_lws: lws created no vhost\n");
            exit_code = 1;
            goto out;
        }
        listen_start(&srv);
    } else {
        srv.listen_port = srv.vh ? (unsigned)lws_get_vhost_listen_port(srv.vh) : srv.ex.opt.port;
    }
    if (srv.ex.copt.redis_url && !cluster_start(&srv, loop)) {
        exit_code = 2;
        goto out;
    }
    if (ipv6 && srv.listen_fd < 0 && (!srv.vh || !check_bound(&srv, &v6))) {
        fprintf(stderr, "skew_server_lws: lws did not bind [%s]: refusing to listen elsewhere\n", srv.ex.opt.host);
        exit_code = 1;
        goto out;
    }
    if (srv.ex.opt.port == 0 || srv.ex.opt.verbosity >= SKEW_EX_NORMAL)
        skew_ex_log_line("info", "skew_server_lws: listening on %s://%s%s%s:%d%s (lws %s, build %s)",
                skew_tls_enabled(&srv.ex.tls) ? "https" : "http", ipv6 ? "[" : "",
                srv.ex.opt.host, ipv6 ? "]" : "", (int)srv.listen_port,
                srv.ex.opt.base, lws_get_library_version(), srv.ex.opt.build_id);
    skew_ex_print_banner(stdout, &srv.ex.opt, "skew_server_lws",
                         srv.listen_port);

    skew_ex_signals_install();
    srv_schedule(&srv, 0);
    if (loop) srv_lws_heartbeat(&srv.sul);

    exit_code = serve(&srv, loop);

out:
    lws_sul_cancel(&srv.sul);
    listen_close(&srv);
    if (loop) ev_timer_stop(loop, &srv.tick);
    {
        struct lws_context *ctx = srv.ctx;
        srv.ctx = NULL; /* no more timer kicks */
        lws_context_destroy(ctx); /* remaining connections: CLOSED callbacks free their state */
    }
    header_arena_fini();
    skcl_node_destroy(srv.ex.node);
    if (loop) ev_loop_destroy(loop);
    skew_ex_site_free(&srv.ex.site);
    skew_tracker_destroy(srv.ex.t);
    skew_tls_free(&srv.ex.tls);
    skew_person_free(&srv.ex.person);
    skew_forward_free(&srv.ex.fwd);
    free(srv.scratch);
    free(srv.deadlines);
    return exit_code;
}
