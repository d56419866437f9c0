/* skew_tracker.h - v0.1.0 - who is connected to your web app, and on which build.
   Single-file, header-only C99 library (stb style). Public domain or MIT, see the end of the file.

   WHAT IT DOES
   ============
   The C counterpart of the live-connections feature of the Nuxt module nuxt-skew-protection.
   Every browser holding an SSE stream or a WebSocket is tracked with a connection id (UUID v4),
   the build it runs (the `__nkpv` cookie), the route it views (opt-in) and its IP (opt-in).
   The header holds the whole wire protocol (shared/PROTOCOL.md): a server adapter only moves bytes.
     - registry      O(1) open / close / route update / subscribe, counts per version and route
     - json          serializer for every protocol message, snprintf contract plus sink variant
     - reader        bounded JSON reader for WebSocket messages and POST bodies
     - http          router and request/response endpoints (POSTs, health, admin, metrics)
     - ip            client IP from proxy headers behind a trusted-proxy policy
     - bot           User-Agent bot filter, rules as data
   It does not do networking, TLS, HTTP parsing or WebSocket framing: your server library does.

   DO THIS
   =======
       #define SKEW_TRACKER_IMPLEMENTATION
       #include "skew_tracker.h"
   in exactly one C or C++ file; plain #include everywhere else.

   QUICK START: the same code as README.md's (tests/readme/ checks they match, compiles and
   runs it). It sits in the `#if 0` block right after this comment, so it can hold comments.

   CONFIGURATION (compile time; define before the implementation; "all files" = must match everywhere)
   =============
       SKEW_API                 extern          linkage of public functions             all files
       SKEW_TRACKER_STATIC      undefined       make every function static               all files
       SKEW_ENABLE_HOSTED       1               POSIX/Windows clock, randomness, malloc  impl only
       SKEW_ENABLE_BOT_TABLE    1               built-in bot rule table (~6 KB)          impl only
       SKEW_ENABLE_IP           1               proxy-header IP extraction               impl only
       SKEW_ASSERT(x)           assert(x)       programmer-error checks                  impl only
       SKEW_MAX_TRUSTED_PROXIES 16              CIDR ranges kept in a tracker            all files
       SKEW_MAX_BOT_PATTERNS    32              run-time bot/allow patterns              all files
       SKEW_BOT_PATTERN_MAX     48              bytes per run-time pattern               all files
   Run time: skew_config (zero means default; skew_config_resolve() shows the values).

   MEMORY
   ======
   skew_tracker_memory_size(cfg) says how many bytes a config needs; skew_tracker_init() takes a
   caller buffer of that size (static array in firmware) and never allocates. skew_tracker_create()
   gets the same size from hooks.alloc (hosted default: malloc). Nothing else allocates. About 80
   bytes per connection slot plus the string tables and one message buffer.

   THREADING AND HOOKS
   ===================
   One tracker is driven from one thread (the server's event loop). A multi-threaded server sets
   hooks.lock/unlock; every skew_* function that takes a tracker then holds the lock. Hooks run
   with the lock held: inside a hook call only the HOOK-SAFE functions (skew_send, skew_conn_get,
   and functions without a tracker argument). Never call skew_close/skew_open/... from a hook: a
   send hook reports failure by its return value and the tracker closes the connection itself,
   calling on_close. Two trackers share nothing.

   ERRORS
   ======
   Every operation returns a skew_result (skew_result_str() names it). Bad data never asserts:
   it returns SKEW_ERR_INVALID / _TOO_LONG / _NOT_FOUND / _STALE / _FULL / _TRUNCATED, and nothing
   already tracked is changed. Writers follow snprintf: they return the bytes needed without the
   NUL, accept buf=NULL cap=0 to measure, always NUL-terminate when cap>0, never overrun.

   STRINGS AND UTF-8
   =================
   Inputs are skew_str views {ptr,len}, no NUL needed. The JSON writer escapes '"', '\\', control
   characters, DEL, U+2028 and U+2029, and replaces every invalid UTF-8 sequence (maximal subpart)
   by U+FFFD, so its output is always valid UTF-8 JSON. Stored versions and routes are validated
   on the way in (valid UTF-8, no control characters, bounded length).
*/
#if 0 /* QUICK START */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"

/* Your transport: write one JSON message to one connection, framed for its transport
   (SSE: skew_sse_frame; WebSocket: a text frame). Return 0 when it was queued. */
int my_write(void *conn, skew_transport transport, const char *msg, size_t len);

static skew_result on_send(void *user, const skew_conn *c, const char *msg, size_t len) {
    (void)user;
    return my_write(c->user, c->transport, msg, len) == 0 ? SKEW_OK : SKEW_ERR_SEND;
}

static skew_tracker *tracker;

int skew_start(const char *build_id) {
    skew_config cfg;
    memset(&cfg, 0, sizeof cfg);      /* zero means default everywhere */
    cfg.server_version = build_id;    /* the build this server runs */
    cfg.route_tracking = true;        /* opt-in, like the Nuxt module */
    cfg.hooks.send = on_send;
    return skew_tracker_create(&tracker, &cfg) == SKEW_OK ? 0 : -1;
}

/* Every HTTP request under your server: returns the status you answer with (0 = the
   request is not ours: serve your app; 200 on an SSE/WS open: keep the stream). */
int skew_on_request(const skew_request *req, void *conn, skew_handle *handle, char *body, size_t cap) {
    skew_response res;
    skew_result r;
    switch (skew_route_request(tracker, req)) {
    case SKEW_EP_NONE:
        return 0;
    case SKEW_EP_SSE:
    case SKEW_EP_WS:
        r = skew_open(tracker, req, conn, handle); /* sends `connected` through on_send */
        if (r == SKEW_OK) return 200;
        skew_http_open_error(tracker, req, r, &res, body, cap); /* bot 204/403, full 503 */
        return res.status;
    default:
        skew_http(tracker, req, &res, body, cap); /* POSTs, health, admin, metrics */
        return res.status;
    }
}

/* A WebSocket text frame from a client, a closed socket, and the event loop's timer. */
void skew_on_ws_text(skew_handle h, const char *data, size_t len) { skew_ws_message(tracker, h, data, len); }
void skew_on_socket_closed(skew_handle h) { skew_close(tracker, h, SKEW_CLOSE_CLIENT); }
unsigned skew_on_timer(uint64_t now_ms) { return skew_tick(tracker, now_ms); } /* ms to sleep */
#endif /* QUICK START */
#ifndef SKEW_TRACKER_H
#define SKEW_TRACKER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define SKEW_TRACKER_VERSION_MAJOR 0
#define SKEW_TRACKER_VERSION_MINOR 1
#define SKEW_TRACKER_VERSION_PATCH 0
#define SKEW_TRACKER_VERSION_STRING "0.1.0"

#if defined(__GNUC__) || defined(__clang__)
#define SKEW__UNUSED __attribute__((unused))
#else
#define SKEW__UNUSED
#endif

#ifndef SKEW_API
#ifdef SKEW_TRACKER_STATIC
#define SKEW_API static SKEW__UNUSED
#else
#define SKEW_API extern
#endif
#endif

#ifndef SKEW_MAX_TRUSTED_PROXIES
#define SKEW_MAX_TRUSTED_PROXIES 16
#endif
#ifndef SKEW_MAX_BOT_PATTERNS
#define SKEW_MAX_BOT_PATTERNS 32
#endif
#ifndef SKEW_BOT_PATTERN_MAX
#define SKEW_BOT_PATTERN_MAX 48
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================================
   >>types  views, results, addresses
   ====================================================================================== */

/* A byte view; needs no NUL. {NULL,0} means "absent". */
typedef struct skew_str {
    const char *ptr;
    size_t len;
} skew_str;

#define SKEW_RESULTS(X)                                                        \
    X(SKEW_OK, "ok")                                                           \
    X(SKEW_ERR_INVALID, "invalid input")                                       \
    X(SKEW_ERR_TOO_LONG, "input too long")                                     \
    X(SKEW_ERR_NOT_FOUND, "not found")                                         \
    X(SKEW_ERR_STALE, "stale handle")                                          \
    X(SKEW_ERR_FULL, "full")                                                   \
    X(SKEW_ERR_TRUNCATED, "output truncated")                                  \
    X(SKEW_ERR_NOMEM, "out of memory")                                         \
    X(SKEW_ERR_CONFIG, "invalid configuration")                                \
    X(SKEW_ERR_BOT, "bot user agent refused")                                  \
    X(SKEW_ERR_UNAUTHORIZED, "not authorized")                                 \
    X(SKEW_ERR_RANDOM, "random source failed")                                 \
    X(SKEW_ERR_SEND, "send failed")                                            \
    X(SKEW_ERR_SLOW, "slow consumer")                                          \
    X(SKEW_ERR_DISABLED, "feature disabled")

typedef enum skew_result {
#define SKEW__ENUM(name, text) name,
    SKEW_RESULTS(SKEW__ENUM)
#undef SKEW__ENUM
    SKEW_RESULT_COUNT
} skew_result;

/* Name of a result ("ok", "full", ...); never NULL. */
SKEW_API const char *skew_result_str(skew_result r);
/* The library version string, SKEW_TRACKER_VERSION_STRING. */
SKEW_API const char *skew_version(void);

/* An IP address in binary: family 0 (none), 4 (bytes[0..3]) or 6 (bytes[0..15]).
   IPv4-mapped IPv6 (::ffff:a.b.c.d) is always stored as family 4. */
typedef struct skew_ip {
    uint8_t family;
    uint8_t bytes[16];
} skew_ip;

/* An address range: ip/prefix (prefix 0..32 for IPv4, 0..128 for IPv6). */
typedef struct skew_cidr {
    skew_ip ip;
    uint8_t prefix;
} skew_cidr;

/* Longest text of an address incl. NUL ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"). */
#define SKEW_IP_STR_MAX 46
/* A connection id: lowercase UUID v4, 36 chars + NUL. */
#define SKEW_ID_STR_MAX 37

/* ======================================================================================
   >>request  what an adapter tells the library about one HTTP request
   ====================================================================================== */

/* Looks up a request header by its lowercase name ("cookie", "user-agent", ...). Returns the
   value, or {NULL,0} when absent. An adapter joins repeated headers with ", " (RFC 9110). */
typedef skew_str (*skew_header_fn)(void *ctx, const char *lowercase_name);

typedef struct skew_request {
    skew_str method;       /* "GET", "POST", ... */
    skew_str path;         /* "/__skew/sse", without the query */
    skew_str query;        /* "route=%2Fx&a=b", without '?'; may be empty */
    skew_str body;         /* POST body (JSON or form-encoded); may be empty */
    skew_header_fn header; /* may be NULL: no headers */
    void *header_ctx;
    skew_ip peer;          /* socket peer address (family 0 if unknown) */
    bool upgrade;          /* the request asks for a WebSocket upgrade */
} skew_request;

/* Header lookup helper: calls req->header if set. */
SKEW_API skew_str skew_request_header(const skew_request *req, const char *lowercase_name);

/* ======================================================================================
   >>ip  client IP behind proxies
   ====================================================================================== */

/* Which source gave the client address. */
typedef enum skew_ip_source {
    SKEW_IP_FROM_NONE = 0,
    SKEW_IP_FROM_PEER,
    SKEW_IP_FROM_CF_CONNECTING_IP,
    SKEW_IP_FROM_X_FORWARDED_FOR,
    SKEW_IP_FROM_X_REAL_IP,
    SKEW_IP_FROM_FORWARDED
} skew_ip_source;

/* Who may set proxy headers. Zero value = loopback only (127.0.0.0/8 and ::1). */
typedef struct skew_ip_policy {
    skew_cidr trusted[SKEW_MAX_TRUSTED_PROXIES]; /* used when trusted_count > 0 */
    size_t trusted_count;
    bool trust_all;      /* believe headers from every peer (the Nuxt behaviour) */
    bool trust_none;     /* believe no header: the socket peer is the client */
    uint32_t max_hops;   /* x-forwarded-for / Forwarded elements examined; 0 = 16 */
    /* Which headers to believe (SKEW_IP_HDR_* bits); 0 = all four. Name only those your proxy
       always sets or strips: a header it passes through untouched is the client's to forge. */
    uint8_t headers;
} skew_ip_policy;

#define SKEW_IP_HDR_CF_CONNECTING_IP 0x01u
#define SKEW_IP_HDR_X_FORWARDED_FOR  0x02u
#define SKEW_IP_HDR_X_REAL_IP        0x04u
#define SKEW_IP_HDR_FORWARDED        0x08u

#include "parts/ip_decl.h"

/* ======================================================================================
   >>bot  User-Agent bot filter
   ====================================================================================== */

#include "parts/bot_decl.h"

/* ======================================================================================
   >>config  tracker configuration and hooks
   ====================================================================================== */

typedef enum skew_transport { SKEW_TRANSPORT_SSE = 1, SKEW_TRANSPORT_WS = 2 } skew_transport;

/* A handle: generation in the high 32 bits, slot in the low 32. 0 is never a valid handle. */
typedef uint64_t skew_handle;

/* A connection as hooks and skew_conn_get() see it. Views stay valid until the next call
   that changes the tracker. */
typedef struct skew_conn {
    skew_handle handle;
    char id[SKEW_ID_STR_MAX];
    skew_str version;          /* the build it runs */
    skew_str route;            /* "" unless route tracking is on */
    skew_ip ip;                /* family 0 unless IP tracking is on */
    skew_transport transport;
    bool subscribed;           /* receives stats */
    void *user;                /* the adapter's pointer given to skew_open */
} skew_conn;

typedef enum skew_close_reason {
    SKEW_CLOSE_CLIENT = 0,     /* the peer went away or closed */
    SKEW_CLOSE_SEND_FAILED,    /* the send hook failed */
    SKEW_CLOSE_SLOW,           /* the send hook said the unsent output is over its bound */
    SKEW_CLOSE_TIMEOUT,        /* the adapter saw no life (missed pings) */
    SKEW_CLOSE_SHUTDOWN        /* skew_close_all / server stop */
} skew_close_reason;

/* What an authorization asks for: live stats on a connection, or an admin endpoint. */
typedef enum skew_auth_scope { SKEW_SCOPE_STATS = 0, SKEW_SCOPE_ADMIN } skew_auth_scope;

/* Answer of the authorize hook. UNAVAILABLE = no credential configured (admin endpoints: 503). */
typedef enum skew_auth {
    SKEW_AUTH_DENIED = 0,
    SKEW_AUTH_GRANTED,
    SKEW_AUTH_UNAVAILABLE
} skew_auth;

typedef enum skew_log_level { SKEW_LOG_DEBUG = 0, SKEW_LOG_INFO, SKEW_LOG_WARN, SKEW_LOG_ERROR } skew_log_level;

/* Hooks. Every one may be NULL (a no-op, or the hosted default where one is named).
   user_data is passed to each. Hooks run with the tracker lock held (see THREADING). */
typedef struct skew_hooks {
    void *user_data;
    /* Deliver one JSON message to one connection; the adapter frames it (skew_sse_frame for
       SSE, a text frame for WS). Return SKEW_OK, SKEW_ERR_SLOW (unsent output over its bound)
       or any other error (peer dead): the tracker then closes the connection and calls on_close. */
    skew_result (*send)(void *user_data, const skew_conn *conn, const char *msg, size_t len);
    void (*on_open)(void *user_data, const skew_conn *conn);
    void (*on_close)(void *user_data, const skew_conn *conn, skew_close_reason reason);
    void (*on_route_update)(void *user_data, const skew_conn *conn, skew_str old_route);
    /* Decide whether a request may see stats (SSE/WS open, POST subscribe) or use an admin
       endpoint. NULL: every request is UNAVAILABLE. See skew_auth_bearer() for a token check. */
    skew_auth (*authorize)(void *user_data, const skew_request *req, skew_auth_scope scope);
    /* Milliseconds since the Unix epoch. Hosted default: the system clock. */
    uint64_t (*now_ms)(void *user_data);
    /* Fill buf with len cryptographically secure random bytes; return SKEW_OK.
       Hosted default: getrandom(), /dev/urandom, BCryptGenRandom. Seeds the id generator. */
    skew_result (*random_bytes)(void *user_data, void *buf, size_t len);
    void (*log)(void *user_data, skew_log_level level, const char *msg);
    void (*lock)(void *user_data);
    void (*unlock)(void *user_data);
    /* Memory for skew_tracker_create(). Both or neither. Hosted default: malloc/free. */
    void *(*alloc)(void *user_data, size_t size);
    void (*free)(void *user_data, void *ptr, size_t size);
} skew_hooks;

/* skew_config.stats_interval_ms value that pushes stats at once after every change. */
#define SKEW_STATS_IMMEDIATE UINT32_MAX

/* Run-time configuration. `skew_config cfg = {0};` is valid: zero means the default shown. */
typedef struct skew_config {
    const char *server_version;     /* "dev"; the build this server runs */
    const char *base_path;          /* "/__skew" */
    const char *version_cookie;     /* "__nkpv" */
    bool route_tracking;            /* false: routes are neither stored nor sent */
    bool ip_tracking;               /* false: IPs are neither stored nor sent */
    bool bot_filter_off;            /* false: bots are refused (204 / 403) and counted */
    bool allow_empty_user_agent;    /* false: a missing/empty User-Agent is treated as a bot */
    uint32_t keepalive_ms;          /* 30000: SSE keepalive interval */
    uint32_t stats_interval_ms;     /* 250: coalescing window; SKEW_STATS_IMMEDIATE = at once */
    uint32_t max_connections;       /* 1024 tracked SSE/WS connections */
    uint32_t max_versions;          /* 64 distinct versions (more fold into "(other)") */
    uint32_t max_routes;            /* 256 distinct routes (more fold into "(other)") */
    uint32_t max_version_len;       /* 64 bytes */
    uint32_t max_route_len;         /* 256 bytes (longer routes are rejected) */
    uint32_t max_listed;            /* 1000 connections listed per stats message */
    uint32_t max_body;              /* 4096 bytes of POST body read */
    uint32_t message_buffer;        /* computed from the limits: stats message buffer bytes */
    skew_ip_policy ip_policy;       /* trusted proxies; zero = loopback only */
    const char *const *bot_patterns;   /* extra bot substrings (ASCII, case-insensitive) */
    size_t bot_pattern_count;
    const char *const *allow_patterns; /* substrings that mark a browser, beating every bot rule */
    size_t allow_pattern_count;
    skew_hooks hooks;
} skew_config;

/* The name versions and routes fold into when their table is full or the value is invalid. */
#define SKEW_OTHER_NAME "(other)"

/* ======================================================================================
   >>tracker  lifetime
   ====================================================================================== */

typedef struct skew_tracker skew_tracker;

/* Fill *out with the defaults applied to *in (in may be NULL). Returns SKEW_ERR_CONFIG
   for impossible values (limits over their maxima, a base path not starting with '/'). */
SKEW_API skew_result skew_config_resolve(const skew_config *in, skew_config *out);
/* Bytes of memory a tracker with this config needs (0 if the config is invalid). */
SKEW_API size_t skew_tracker_memory_size(const skew_config *cfg);
/* Build a tracker inside mem (aligned to 16, at least skew_tracker_memory_size bytes).
   *out points into mem. Never allocates. */
SKEW_API skew_result skew_tracker_init(skew_tracker **out, const skew_config *cfg, void *mem, size_t mem_size);
/* Same, with memory from hooks.alloc (hosted default malloc). */
SKEW_API skew_result skew_tracker_create(skew_tracker **out, const skew_config *cfg);
/* Frees what skew_tracker_create allocated; no-op for skew_tracker_init trackers. No hooks run. */
SKEW_API void skew_tracker_destroy(skew_tracker *t);
/* The resolved configuration. */
SKEW_API const skew_config *skew_tracker_config(const skew_tracker *t);

/* ======================================================================================
   >>registry  connections
   ====================================================================================== */

/* Open a tracked connection from its request (SSE GET or WS upgrade; transport from the
   path). Reads the version cookie, ?route=, User-Agent, client IP; refuses bots
   (SKEW_ERR_BOT) and a full registry (SKEW_ERR_FULL); sends `connected` through hooks.send,
   then calls on_open. *out gets the handle. user is given back in skew_conn.user. */
SKEW_API skew_result skew_open(skew_tracker *t, const skew_request *req, void *user, skew_handle *out);
/* Forget a connection; calls on_close. SKEW_ERR_STALE / _NOT_FOUND for a bad handle. */
SKEW_API skew_result skew_close(skew_tracker *t, skew_handle h, skew_close_reason reason);
/* Close every connection (reason SHUTDOWN), calling on_close for each. */
SKEW_API void skew_close_all(skew_tracker *t);
/* Change the route of a connection (validated as PROTOCOL.md says). */
SKEW_API skew_result skew_set_route(skew_tracker *t, skew_handle h, skew_str route);
/* Subscribe to stats: sends `stats` now (and after every change) or `stats-unauthorized`.
   req: the request whose headers authorize (the POST's for SSE); NULL uses the decision taken
   with the WebSocket handshake's headers at open. Returns SKEW_ERR_UNAUTHORIZED when denied. */
SKEW_API skew_result skew_subscribe(skew_tracker *t, skew_handle h, const skew_request *req);
SKEW_API skew_result skew_unsubscribe(skew_tracker *t, skew_handle h);
/* Find a connection by its id text (36 chars). */
SKEW_API skew_result skew_find(skew_tracker *t, skew_str id, skew_handle *out);
/* HOOK-SAFE. Describe a connection. */
SKEW_API skew_result skew_conn_get(const skew_tracker *t, skew_handle h, skew_conn *out);
/* HOOK-SAFE. Send a custom JSON message to one connection through hooks.send. */
SKEW_API skew_result skew_send(skew_tracker *t, skew_handle h, const char *json, size_t len);

/* A WebSocket text (or binary) frame from a client: subscribe-stats, route-update, ping.
   Anything else is ignored and returns SKEW_ERR_INVALID (the connection is kept). */
SKEW_API skew_result skew_ws_message(skew_tracker *t, skew_handle h, const char *data, size_t len);

/* ======================================================================================
   >>time  keepalives and coalesced stats
   ====================================================================================== */

/* Do what is due at now_ms: SSE keepalives, coalesced stats pushes. Returns milliseconds
   until the next due work (use it as your poll timeout), at most keepalive_ms. */
SKEW_API uint32_t skew_tick(skew_tracker *t, uint64_t now_ms);

/* ======================================================================================
   >>deploy  live redeploy
   ====================================================================================== */

/* Set the server version at run time and send {"type":"version","version":v} to every
   connection. */
SKEW_API skew_result skew_set_server_version(skew_tracker *t, skew_str version);
/* Send {"type":"version","version":<server>,"force":true} to every connection whose route
   starts with prefix (needs route tracking). *count gets how many (may be NULL). */
SKEW_API skew_result skew_invalidate(skew_tracker *t, skew_str route_prefix, uint32_t *count);

/* ======================================================================================
   >>stats  numbers for C code
   ====================================================================================== */

typedef struct skew_count {
    skew_str name;   /* version or route; valid until the tracker changes */
    uint32_t count;
} skew_count;

typedef struct skew_metrics {
    uint64_t opened, closed, bots_rejected, refused_full, messages_sent, bytes_sent,
        slow_dropped, send_failed, invalid_input, stats_pushes;
} skew_metrics;

SKEW_API uint32_t skew_total(const skew_tracker *t);
SKEW_API uint32_t skew_subscriber_count(const skew_tracker *t);
/* Copy up to cap entries; returns how many exist (call with cap 0 to count). */
SKEW_API size_t skew_versions(const skew_tracker *t, skew_count *out, size_t cap);
SKEW_API size_t skew_routes(const skew_tracker *t, skew_count *out, size_t cap);
/* Connections on the current server version, per mille of the total (1000 when empty). */
SKEW_API uint32_t skew_rollout_permille(const skew_tracker *t);
SKEW_API skew_str skew_server_version(const skew_tracker *t);
SKEW_API void skew_get_metrics(const skew_tracker *t, skew_metrics *out);

/* ======================================================================================
   >>json  protocol messages (snprintf contract: returns bytes needed, excl. NUL)
   ====================================================================================== */

/* A byte sink for streaming output. Returns 0 to go on, non-zero to stop. */
typedef int (*skew_sink_fn)(void *ctx, const char *data, size_t len);

/* Escape s as a JSON string with its quotes (UTF-8 rule above). */
SKEW_API size_t skew_json_escape(char *buf, size_t cap, skew_str s);
SKEW_API size_t skew_json_connected(char *buf, size_t cap, skew_str server_version, skew_str id, uint64_t ts_ms);
SKEW_API size_t skew_json_keepalive(char *buf, size_t cap, uint64_t ts_ms);
SKEW_API size_t skew_json_pong(char *buf, size_t cap);
SKEW_API size_t skew_json_stats_unauthorized(char *buf, size_t cap);
SKEW_API size_t skew_json_version(char *buf, size_t cap, skew_str version, bool force);
/* Full stats message for recipient `you` (0: no yourId). Lists at most max_listed. */
SKEW_API size_t skew_json_stats(const skew_tracker *t, char *buf, size_t cap, skew_handle you);
/* Same, streamed to a sink without a buffer of the message's size. Returns bytes written,
   or SKEW_ERR_... via *res when the sink stopped. */
SKEW_API size_t skew_json_stats_sink(const skew_tracker *t, skew_sink_fn sink, void *ctx, skew_handle you,
                                     uint32_t max_listed, skew_result *res);
/* SSE framing: "data: " msg "\n\n" (msg must hold no newline: JSON from this library never does). */
SKEW_API size_t skew_sse_frame(char *buf, size_t cap, const char *msg, size_t len);
/* {"ok":true,"version":..,"uptime":s} */
SKEW_API size_t skew_json_health(const skew_tracker *t, char *buf, size_t cap);
/* Prometheus text exposition (version 0.0.4). */
SKEW_API size_t skew_metrics_text(const skew_tracker *t, char *buf, size_t cap);

/* Snapshot of the counts (no ids, no IPs) for merging several instances:
   {"total":N,"versions":{..},"routes":{..}} */
SKEW_API size_t skew_snapshot(const skew_tracker *t, char *buf, size_t cap);

/* Merge snapshots: entries is caller storage; names point into the snapshot texts, which must
   outlive the merge. */
typedef struct skew_merge {
    skew_count *versions;
    size_t version_count, version_cap;
    skew_count *routes;
    size_t route_count, route_cap;
    uint64_t total;
    bool overflow;   /* an entry did not fit: its count went to "(other)" */
} skew_merge;
SKEW_API void skew_merge_init(skew_merge *m, skew_count *versions, size_t version_cap, skew_count *routes, size_t route_cap);
SKEW_API skew_result skew_merge_add(skew_merge *m, skew_str snapshot_json);
SKEW_API size_t skew_merge_write(const skew_merge *m, char *buf, size_t cap);

/* ======================================================================================
   >>reader  bounded JSON reader, query strings, cookies, routes
   ====================================================================================== */

#define SKEW_JSON_MAX_DEPTH 32

/* Find the top-level member `key` of a JSON object and decode its string value into buf
   (UTF-8, NUL-terminated). Returns SKEW_ERR_NOT_FOUND (absent or not a string), SKEW_ERR_INVALID
   (not a JSON object, bad syntax, deeper than SKEW_JSON_MAX_DEPTH), SKEW_ERR_TOO_LONG. */
SKEW_API skew_result skew_json_get_string(skew_str json, const char *key, char *buf, size_t cap, size_t *out_len);
/* Validate a whole JSON text (one value, bounded depth). */
SKEW_API skew_result skew_json_validate(skew_str json);
/* Percent-decode (and '+' -> ' ' when form is true) into buf; SKEW_ERR_TOO_LONG if cap is short. */
SKEW_API skew_result skew_url_decode(skew_str in, bool form, char *buf, size_t cap, size_t *out_len);
/* The first value of parameter `name` in a query or form body, raw (still encoded). */
SKEW_API skew_result skew_query_param(skew_str query, const char *name, skew_str *out);
/* The value of cookie `name` in a Cookie header, raw (quotes removed). */
SKEW_API skew_result skew_cookie_get(skew_str cookie_header, const char *name, skew_str *out);
/* Check and cut a decoded route: must start with '/', query and fragment removed, no control
   characters, valid UTF-8, at most max_len bytes. *out is a view into route. */
SKEW_API skew_result skew_route_clean(skew_str route, size_t max_len, skew_str *out);
/* Constant-time token check: "Authorization: Bearer T", a bare "Authorization: T", or cookie
   skew_admin=T. GRANTED, DENIED, or UNAVAILABLE when token is empty. */
SKEW_API skew_auth skew_auth_bearer(const skew_request *req, skew_str token);

/* ======================================================================================
   >>http  router and request/response endpoints
   ====================================================================================== */

typedef enum skew_endpoint {
    SKEW_EP_NONE = 0,          /* not ours: serve the app */
    SKEW_EP_SSE,               /* {base}/sse: GET opens a stream (skew_open) */
    SKEW_EP_WS,                /* {base}/ws: GET + upgrade opens a WebSocket (skew_open) */
    SKEW_EP_ROUTE,             /* POST {base}/route */
    SKEW_EP_SUBSCRIBE,         /* POST {base}/subscribe-stats */
    SKEW_EP_HEALTH,            /* GET {base}/health */
    SKEW_EP_ADMIN_STATS,       /* GET {base}/admin/stats */
    SKEW_EP_ADMIN_VERSION,     /* POST {base}/admin/version {"version":"v2"} */
    SKEW_EP_ADMIN_INVALIDATE,  /* POST {base}/admin/invalidate {"route":"/x"} */
    SKEW_EP_METRICS,           /* GET {base}/metrics */
    SKEW_EP_UNKNOWN,           /* under {base} but no such endpoint (404) */
    SKEW_EP_REJECT             /* from skew_route_request: ours but not openable (wrong method,
                                  missing upgrade, upgrade to another path): answer with skew_http */
} skew_endpoint;

/* Which endpoint a path is (method is checked by skew_http). */
SKEW_API skew_endpoint skew_route_path(const skew_tracker *t, skew_str path);
/* Which endpoint a request is, and whether to open a stream: returns SKEW_EP_SSE / SKEW_EP_WS
   only when the method (and upgrade) fit, so the adapter calls skew_open; SKEW_EP_NONE for paths
   that are not ours (serve the app); anything else goes to skew_http. A WebSocket upgrade to any
   path but {base}/ws is SKEW_EP_REJECT (404): check your own WebSocket paths first. */
SKEW_API skew_endpoint skew_route_request(const skew_tracker *t, const skew_request *req);

typedef struct skew_response {
    int status;                 /* 200, 204, 400, 401, 403, 404, 405, 409, 413, 426, 503 */
    const char *content_type;   /* static string */
    size_t body_len;            /* bytes needed; > cap-1 means truncated (result SKEW_ERR_TRUNCATED) */
    bool close;                 /* the adapter should close after answering */
    const char *allow;          /* for 405: the Allow header value, else NULL */
    bool upgrade_required;      /* for 426: send "Upgrade: websocket" */
} skew_response;

/* Answer a plain request under {base} (everything skew_route_request did not send to
   skew_open, including wrong methods and failed opens): status, content type and body.
   Returns SKEW_ERR_TRUNCATED when body needs more than cap (call again with body_len+1).
   Side effects (subscribe, route, version, invalidate) happen once per call, so a retry after
   TRUNCATED is only needed for GET endpoints. */
SKEW_API skew_result skew_http(skew_tracker *t, const skew_request *req, skew_response *resp, char *body, size_t cap);
/* The JSON error answer for a failed skew_open (bot -> 204/403, full -> 503, ...). */
SKEW_API skew_result skew_http_open_error(const skew_tracker *t, const skew_request *req, skew_result open_result,
                                         skew_response *resp, char *body, size_t cap);

#ifdef __cplusplus
}
#endif
#endif /* SKEW_TRACKER_H */

/* ======================================================================================
   IMPLEMENTATION
   ====================================================================================== */
#if defined(SKEW_TRACKER_IMPLEMENTATION) && !defined(SKEW_TRACKER_IMPLEMENTATION_INCLUDED)
#define SKEW_TRACKER_IMPLEMENTATION_INCLUDED

#ifndef SKEW_ENABLE_HOSTED
#define SKEW_ENABLE_HOSTED 1
#endif
#ifndef SKEW_ENABLE_BOT_TABLE
#define SKEW_ENABLE_BOT_TABLE 1
#endif
#ifndef SKEW_ENABLE_IP
#define SKEW_ENABLE_IP 1
#endif
#ifndef SKEW_ASSERT
#include <assert.h>
#define SKEW_ASSERT(x) assert(x)
#endif

#include <string.h>

/* Private functions: static, and unused-safe so partial use in a static build stays quiet. */
#define SKEW__PRIV static SKEW__UNUSED

#ifdef __cplusplus
extern "C" {
#endif

#include "parts/base_impl.h"
#include "parts/ip_impl.h"
#include "parts/bot_impl.h"
#ifndef SKEW_DEV_NO_CORE
#include "parts/core_impl.h"
#endif

#ifdef __cplusplus
}
#endif
#endif /* SKEW_TRACKER_IMPLEMENTATION */
