/* skew_tracker.h - v0.1.0 - who is connected to your web app, and on which build.
   Single-file, header-only C99 library (stb style). Public domain or MIT, see the end of the file.

   WHAT IT DOES
   ============
   The C counterpart of the live-connections feature of the Nuxt module nuxt-skew-protection.
   Every browser holding an SSE stream or a WebSocket is tracked with a connection id (UUID v4),
   the build it runs (the `__nkpv` cookie), the route it views (opt-in) and its IP (opt-in).
   The header holds the whole wire protocol (PROTOCOL.md): an adapter only moves bytes.
     - registry      O(1) open / close / route update / subscribe, counts per version and route
     - json          serializer for every protocol message, snprintf contract plus sink variant
     - reader        bounded JSON reader for WebSocket messages and POST bodies
     - http          router and request/response endpoints (POSTs, health, admin, metrics)
     - ip            client IP from proxy headers behind a trusted-proxy policy
     - bot           User-Agent bot filter, rules as data
     - cluster       many instances as one: snapshots, a checked view of the others, relay helpers
   It does not do networking, TLS, HTTP parsing or WebSocket framing: your server library does.

   DO THIS
   =======
       #define SKEW_TRACKER_IMPLEMENTATION
       #include "skew_tracker.h"
   in exactly one C or C++ file; plain #include everywhere else.

   QUICK START: the same code as README.md's (tests/readme/ checks they match, compiles and
   runs it). It sits in the `#if 0` block right after this comment, so it can hold comments.
   Three rules an adapter must keep (README.md, "Writing an adapter", has a complete one):
     - queue a stream's response head (SKEW_SSE_RESPONSE_HEAD) before skew_open, which sends
       `connected` through hooks.send before it returns;
     - skew_tick takes a monotonic clock; the wire's timestamps come from hooks.epoch_ms (epoch);
     - join repeated Cookie fields with "; " (HTTP/2 splits cookies), other headers with ", ".

   CONFIGURATION (compile time; define before the implementation; "all files" = must match everywhere)
   =============
       SKEW_API                 extern          linkage of public functions             all files
       SKEW_TRACKER_STATIC      undefined       make every function static               all files
       SKEW_ENABLE_HOSTED       1               POSIX/Windows clock, randomness, malloc  impl only
       SKEW_ENABLE_BOT_TABLE    1               built-in bot rule table (6.5 KB rodata)  impl only
       SKEW_ENABLE_IP           1               proxy-header IP extraction               impl only
       SKEW_ENABLE_HTTP         1               skew_http, skew_http_open_error          impl only
       SKEW_ENABLE_TIMELINE     =ENABLE_HOSTED  rollout timeline (2 KB on Cortex-M)      impl only
       SKEW_ENABLE_ADMIN        1               admin endpoints, metrics text            impl only
       SKEW_ENABLE_CLUSTER      =ENABLE_HOSTED  cluster snapshots, view, relay helpers   impl only
       SKEW_ENABLE_SSE_PROBE    =ENABLE_HOSTED  early probes of new SSE streams          impl only
       SKEW_OPTIMIZE_SIZE       1 under -Os     compact, slower ChaCha and number text   impl only
       SKEW_ASSERT(x)           assert(x)       programmer-error checks (none w/o HOSTED) impl only
       SKEW_MAX_TRUSTED_PROXIES 16              CIDR ranges kept in a tracker            all files
       SKEW_MAX_BOT_PATTERNS    32              run-time bot/allow patterns              all files
       SKEW_BOT_PATTERN_MAX     48              bytes per run-time pattern               all files
   SKEW_ENABLE_HTTP / _ADMIN / _CLUSTER 0 in every file also hide their declarations (a call fails
   to compile). The cluster follows SKEW_ENABLE_HOSTED (a cluster runs on hosted servers; firmware
   never joins one) unless SKEW_ENABLE_CLUSTER says otherwise; without SKEW_ENABLE_ADMIN it has
   no metrics part.
   Run time: skew_config (zero means default; skew_config_resolve() shows the values).

   MEMORY
   ======
   skew_tracker_memory_size(cfg) says how many bytes a config needs; skew_tracker_init() takes a
   caller buffer of that size (static array in firmware) and never allocates. skew_tracker_create()
   gets the same size from hooks.alloc (hosted default: malloc). Nothing else allocates. About 120
   bytes per connection (slot, dense lists, id hash table, per-address table; +8 with route
   tracking; max_connections plus reserved_stats_slots of them) plus the string tables, one message
   buffer (sized from the limits; set message_buffer and max_listed to shrink it) and 16 KB of
   bot verdicts (bot_cache_entries). With an
   instance_id, the cluster view adds about cluster_max_instances * (2 * max_version_len + 112)
   plus tables as big as the version and route tables, twice (the view shown and the one an
   update fills; bench/cluster prints a real figure).

   THREADING AND HOOKS
   ===================
   A single-threaded server (one event loop) sets no lock hooks. A multi-threaded one (a worker
   thread per connection, or a loop plus other threads) sets hooks.lock/unlock to a RECURSIVE
   mutex (PTHREAD_MUTEX_RECURSIVE): every skew_* function that takes a tracker holds it for the
   whole call, and hooks run with it held, so a hook calling a HOOK-SAFE function takes it again.
   Inside a hook only the HOOK-SAFE functions: skew_send, skew_get_conn, skew_get_total,
   skew_get_subscriber_count, skew_get_server_version, skew_write_server_version, skew_get_config,
   and functions without a tracker argument. Never skew_close/skew_open/... from a hook: a send hook reports failure by its
   return value and the tracker closes the connection itself (on_close) when the outermost call
   ends. Views a function returns (skew_get_server_version, skew_count names, skew_conn strings) stay
   valid until the tracker changes: another thread copies them (skew_write_server_version) or reads
   them while it holds the same recursive mutex around the call and the read.
   skew_get_config's answer never changes after init, except server_version: read that one with
   skew_write_server_version. Who ticks without an event loop: README, "Threads without an event
   loop". Two trackers share nothing; a handle belongs to the tracker that made it.
   Firmware (SKEW_ENABLE_HOSTED 0) must give hooks.random_bytes (a hardware TRNG): ids are the
   only credential of the POST endpoints, so there is no weak fallback.

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
   on the way in (valid UTF-8, bounded length, no C0/C1 control characters, no bidi controls
   or zero-width characters, which would show a dashboard reordered or invisible text).

   NAMING
   ======
   skew_[family_]<verb>_<what>, the family being the object worked on when it is not the tracker
   (skew_cluster_, skew_json_ reader, skew_ip_, skew_cidr_, skew_bot_filter_, skew_tracker_ for
   the lifetime). One verb per kind of function:
     get     one value: returned (skew_get_total), into *out (skew_get_conn(t, h, &out)), or
             decoded into buf, cap (skew_json_get_string)
     find    a handle from an id (skew_find)
     set     changes one setting or state (skew_set_route, skew_cluster_set_link)
     list    copies up to cap entries into out, returns how many exist (skew_list_versions)
     write   text under the snprintf contract, inputs first, then buf, cap (skew_write_stats(t,
             you, buf, cap)); a _sink variant streams the same text to a skew_sink_fn
     is      a yes/no question (skew_is_bot); parse / format convert a value type and its text
   Actions are their verb (skew_open, skew_close, skew_subscribe, skew_invalidate, skew_tick).
   Arguments: the tracker (or the family's object) first, then inputs, outputs last; only the
   constructors skew_tracker_init / skew_tracker_create take their *out first. Inputs of
   text are skew_str; names looked up (header, cookie, query parameter, JSON key or path) are
   C strings. Enum constants are their type's name in capitals plus the value
   (skew_close_reason: SKEW_CLOSE_REASON_CLIENT), except skew_result's SKEW_OK / SKEW_ERR_*.
   Two clocks, two names: epoch_ms is the wall clock (hooks.epoch_ms, every timestamp on the
   wire), mono_ms the scheduling clock (skew_tick, skew_get_next_due); no function takes both.

   SECTIONS
   ========
   Each concern has one name; grep `>>name` finds both halves, the declarations and (after
   IMPLEMENTATION) the code. In file order:
     public and implementation   types, request, ip, bot, config, lifetime, registry, time,
                                 deploy, numbers, timeline, json, export, reader, http, cluster
     implementation only         hosted, writer, utf8, rng, state, ids, strings, layout, stats
                                 (the stats message body; its functions are declared under >>json),
                                 bot-table (generated: tools/bots/)
   The implementation follows the order its code needs (helpers first): types, request, ip, bot,
   bot-table, hosted, writer, utf8, json, reader, rng, state, ids, strings, layout, config,
   lifetime, registry, stats, time, timeline, deploy, numbers, export, http, cluster.
*/
#if 0 /* QUICK START */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"

/* Your transport: queue bytes on one connection, sent in order (SSE: as they are; WebSocket: as
   one text frame). Return 0 when queued. my_discard drops what is queued (a refused open). */
int my_write(void *conn, skew_transport transport, const char *bytes, size_t len);
void my_discard(void *conn);

static skew_result on_send(void *user, const skew_conn *c, const char *msg, size_t len) {
    (void)user; /* SSE: msg is a ready-to-write event "data: {...}\n\n" (frame_sse) */
    return my_write(c->user, c->transport, msg, len) == 0 ? SKEW_OK : SKEW_ERR_SEND;
}

static skew_tracker *tracker;

int skew_start(const char *build_id) {
    skew_config cfg;
    memset(&cfg, 0, sizeof cfg);      /* zero means default everywhere */
    cfg.server_version = build_id;    /* the build this server runs */
    cfg.route_tracking = true;        /* opt-in, like the Nuxt module */
    cfg.frame_sse = true;             /* on_send gets SSE events ready to write */
    cfg.hooks.send = on_send;         /* hooks.epoch_ms unset: the system clock stamps messages */
    return skew_tracker_create(&tracker, &cfg) == SKEW_OK ? 0 : -1;
}

/* Every HTTP request under your server (repeated cookie fields joined with "; "). Returns the
   status of the answer: 0 = not ours (serve your app), 200 on a stream open = keep it open. */
int skew_on_request(const skew_request *req, void *conn, skew_handle *handle, char *body, size_t cap) {
    skew_response res;
    skew_result r;
    skew_endpoint ep = skew_route_request(tracker, req);
    switch (ep) {
    case SKEW_ENDPOINT_NONE:
        return 0;
    case SKEW_ENDPOINT_SSE:
    case SKEW_ENDPOINT_WS:
        /* The head goes first: skew_open sends `connected` through on_send before it returns.
           SSE: queue SKEW_SSE_RESPONSE_HEAD now. WS: hold on_send's bytes until the 101 is out. */
        if (ep == SKEW_ENDPOINT_SSE)
            my_write(conn, SKEW_TRANSPORT_SSE, SKEW_SSE_RESPONSE_HEAD, sizeof SKEW_SSE_RESPONSE_HEAD - 1);
        r = skew_open(tracker, req, conn, handle);
        if (r == SKEW_OK) return 200;
        my_discard(conn);                                       /* refused: no head, an error */
        skew_http_open_error(tracker, req, r, &res, body, cap); /* bot 204/403, full 503 */
        return res.status;
    default:
        skew_http(tracker, req, &res, body, cap); /* POSTs, health, admin, metrics */
        return res.status;
    }
}

/* A WebSocket text frame from a client, a closed socket, and the event loop's timer. mono_ms is a
   monotonic clock: it only schedules (the wire's timestamps come from the tracker's clock). */
void skew_on_ws_text(skew_handle h, const char *data, size_t len) { skew_ws_message(tracker, h, skew_str_n(data, len)); }
void skew_on_socket_closed(skew_handle h) { skew_close(tracker, h, SKEW_CLOSE_REASON_CLIENT); }
unsigned skew_on_timer(uint64_t mono_ms) { return skew_tick(tracker, mono_ms); } /* ms to sleep */
#endif /* QUICK START */
#ifndef SKEW_TRACKER_H
#define SKEW_TRACKER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Version policy (CHANGELOG.md lists every release). Test in #if: SKEW_TRACKER_VERSION_MAJOR,
   _MINOR, _PATCH, or SKEW_TRACKER_VERSION_NUMBER (MAJOR*10000 + MINOR*100 + PATCH, e.g.
   #if SKEW_TRACKER_VERSION_NUMBER >= 200); SKEW_TRACKER_VERSION_STRING and skew_version() name it.
   A patch release only fixes bugs: the same functions, types, struct layouts, config macros and
   wire protocol. A minor release adds (functions, skew_config fields at the end, enum values at
   the end, protocol messages of nuxt-skew-protection); before 1.0 a minor release may also change
   or remove API, each change listed under "Breaking" in CHANGELOG.md. From 1.0 on, only a major
   release breaks source compatibility. */
#define SKEW_TRACKER_VERSION_MAJOR 0
#define SKEW_TRACKER_VERSION_MINOR 1
#define SKEW_TRACKER_VERSION_PATCH 0
#define SKEW_TRACKER_VERSION_STRING "0.1.0"
#define SKEW_TRACKER_VERSION_NUMBER \
    (SKEW_TRACKER_VERSION_MAJOR * 10000 + SKEW_TRACKER_VERSION_MINOR * 100 + SKEW_TRACKER_VERSION_PATCH)

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

/* A view of n bytes at p. */
SKEW_API skew_str skew_str_n(const char *p, size_t n);
/* A view of a C string without its NUL; NULL gives {NULL,0}. */
SKEW_API skew_str skew_str_c(const char *cstr);
/* Initialiser for a view of a string literal, in C and C++: skew_str s = SKEW_STR_LIT("GET"); */
#define SKEW_STR_LIT(lit) {"" lit, sizeof(lit) - 1}

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
    X(SKEW_ERR_DISABLED, "feature disabled")                                   \
    X(SKEW_ERR_STOPPING, "server shutting down")                               \
    X(SKEW_ERR_NOT_LOCAL, "connection not held here")                          \
    X(SKEW_ERR_PER_IP, "per-address limit")

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
   value, or {NULL,0} when absent; the view stays valid until the skew_* call that asked returns.
   An adapter joins repeated headers with ", " (RFC 9110), except
   "cookie": HTTP/2 splits the Cookie header into several fields, joined with "; " (RFC 9113
   8.2.3). skew_get_cookie() accepts both separators, so either join reads right. */
typedef skew_str (*skew_header_fn)(void *ctx, const char *lowercase_name);

typedef struct skew_request {
    skew_str method;       /* "GET", "POST", ... */
    skew_str path;         /* "/__skew/sse", without the query; as sent (not percent-decoded) */
    skew_str query;        /* "route=%2Fx&a=b", without '?'; may be empty */
    skew_str body;         /* POST body (JSON or form-encoded); may be empty. Read up to
                              max_body + 1 bytes: one over the limit is how skew_http knows to
                              answer 413 rather than parse a cut body */
    skew_header_fn header; /* may be NULL: no headers */
    void *header_ctx;
    skew_ip peer;          /* socket peer address (family 0 if unknown) */
    bool upgrade;          /* asks for a WebSocket upgrade: skew_route_request opens only an
                              upgrade to {base}/ws; a plain GET there gets 426 from skew_http */
} skew_request;

/* Header lookup helper: calls req->header if set. */
SKEW_API skew_str skew_get_header(const skew_request *req, const char *lowercase_name);

/* ======================================================================================
   >>ip  client IP behind proxies
   ====================================================================================== */

/* Which source gave the client address. */
typedef enum skew_ip_source {
    SKEW_IP_SOURCE_NONE = 0,
    SKEW_IP_SOURCE_PEER,
    SKEW_IP_SOURCE_CF_CONNECTING_IP,
    SKEW_IP_SOURCE_X_FORWARDED_FOR,
    SKEW_IP_SOURCE_X_REAL_IP,
    SKEW_IP_SOURCE_FORWARDED
} skew_ip_source;

/* Who may set proxy headers. Zero value = loopback only (127.0.0.0/8 and ::1). */
typedef struct skew_ip_policy {
    skew_cidr trusted[SKEW_MAX_TRUSTED_PROXIES]; /* used when trusted_count > 0; REPLACES the
                                                    loopback default (list loopback too if a
                                                    local proxy should stay trusted) */
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

/* Parse one address: dotted-quad IPv4 or RFC 4291 IPv6 text (embedded IPv4 allowed,
   ::ffff:a.b.c.d normalised to family 4, a %zone suffix dropped). No ports, no brackets,
   no whitespace. SKEW_ERR_INVALID otherwise. */
SKEW_API skew_result skew_ip_parse(skew_str text, skew_ip *out);
/* Parse an address as proxies send it: optional surrounding whitespace and quotes,
   "[v6]", "[v6]:port", "v4:port". Obfuscated identifiers ("_hidden", "unknown") are
   SKEW_ERR_NOT_FOUND; anything else that is not an address SKEW_ERR_INVALID. */
SKEW_API skew_result skew_ip_parse_loose(skew_str text, skew_ip *out);
/* Canonical text: dotted quad, or RFC 5952 IPv6. snprintf contract. */
SKEW_API size_t skew_ip_format(const skew_ip *ip, char *buf, size_t cap);
SKEW_API bool skew_ip_equal(const skew_ip *a, const skew_ip *b);
/* "10.0.0.0/8", "::1/128", or a bare address (full-length prefix). */
SKEW_API skew_result skew_cidr_parse(skew_str text, skew_cidr *out);
SKEW_API bool skew_cidr_contains(const skew_cidr *range, const skew_ip *ip);
struct sockaddr;
/* A socket address of sa_len bytes (AF_INET or AF_INET6, as accept() or getpeername() fill
   it) as a skew_ip, for skew_request.peer; ::ffff:a.b.c.d becomes family 4. SKEW_ERR_INVALID
   for NULL, another family, or sa_len short of its family's struct (*out is then family 0).
   Needs SKEW_ENABLE_HOSTED (the OS socket headers). */
SKEW_API skew_result skew_ip_from_sockaddr(const struct sockaddr *sa, size_t sa_len, skew_ip *out);
/* Is this peer trusted to set proxy headers under the policy (zero policy: loopback)? */
SKEW_API bool skew_ip_policy_trusts(const skew_ip_policy *policy, const skew_ip *peer);
/* The client address of a request: headers (cf-connecting-ip, x-forwarded-for, x-real-ip,
   Forwarded) are believed only when req->peer is trusted; in x-forwarded-for and Forwarded the
   client is the right-most element that is not a trusted proxy (at most max_hops examined).
   Falls back to req->peer. *source (may be NULL) says where it came from. Returns SKEW_OK,
   or SKEW_ERR_NOT_FOUND when not even the peer is known. */
SKEW_API skew_result skew_get_client_ip(const skew_ip_policy *policy, const skew_request *req, skew_ip *out,
                                   skew_ip_source *source);

/* ======================================================================================
   >>bot  User-Agent bot filter
   ====================================================================================== */

/* Is this User-Agent a bot, by the built-in rule table? ASCII case-insensitive, linear in
   ua.len, no allocation. An empty UA returns true. */
SKEW_API bool skew_is_bot(skew_str user_agent);

/* Run-time additions: bot patterns and allow patterns (an allow match beats every bot rule).
   Patterns are case-insensitive substrings, copied into the filter. */
typedef struct skew_bot_filter {
    char patterns[SKEW_MAX_BOT_PATTERNS][SKEW_BOT_PATTERN_MAX];
    uint8_t lens[SKEW_MAX_BOT_PATTERNS];
    uint8_t allow[SKEW_MAX_BOT_PATTERNS];
    uint32_t count;
    bool allow_empty;      /* an empty/missing UA is not a bot */
    bool no_builtin;       /* ignore the built-in table */
} skew_bot_filter;

SKEW_API void skew_bot_filter_init(skew_bot_filter *f);
/* SKEW_ERR_FULL past SKEW_MAX_BOT_PATTERNS, SKEW_ERR_TOO_LONG past SKEW_BOT_PATTERN_MAX-1 bytes,
   SKEW_ERR_INVALID for an empty pattern. */
SKEW_API skew_result skew_bot_filter_add(skew_bot_filter *f, skew_str pattern, bool allow);
SKEW_API bool skew_bot_filter_is_bot(const skew_bot_filter *f, skew_str user_agent);

/* ======================================================================================
   >>config  tracker configuration and hooks
   ====================================================================================== */

typedef enum skew_transport { SKEW_TRANSPORT_SSE = 1, SKEW_TRANSPORT_WS = 2 } skew_transport;

/* A handle: generation in the high 32 bits, slot in the low 32. 0 is never a valid handle. */
typedef uint64_t skew_handle;

/* A connection as hooks and skew_get_conn() see it. Views stay valid until the next call
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
    SKEW_CLOSE_REASON_CLIENT = 0,     /* the peer went away or closed */
    SKEW_CLOSE_REASON_SEND_FAILED,    /* the send hook failed */
    SKEW_CLOSE_REASON_SLOW,           /* the send hook said the unsent output is over its bound */
    SKEW_CLOSE_REASON_TIMEOUT,        /* the adapter saw no life (missed pings) */
    SKEW_CLOSE_REASON_SHUTDOWN        /* skew_close_all / server stop */
} skew_close_reason;

/* What an authorization asks for: STATS reads (live stats on a connection, GET admin/stats),
   ADMIN acts (admin/version, admin/invalidate), METRICS is GET {base}/metrics. */
typedef enum skew_auth_scope { SKEW_AUTH_SCOPE_STATS = 0, SKEW_AUTH_SCOPE_ADMIN, SKEW_AUTH_SCOPE_METRICS } skew_auth_scope;

/* Answer of the authorize hook. UNAVAILABLE = no credential configured (admin endpoints: 503).
   PENDING (scope STATS only; an admin endpoint takes it as DENIED): the answer comes later, from
   skew_set_stats_verdict() for the connection skew_get_auth_subject() names inside the hook. */
typedef enum skew_auth_result {
    SKEW_AUTH_RESULT_DENIED = 0,
    SKEW_AUTH_RESULT_GRANTED,
    SKEW_AUTH_RESULT_UNAVAILABLE,
    SKEW_AUTH_RESULT_PENDING
} skew_auth_result;

typedef enum skew_log_level { SKEW_LOG_LEVEL_DEBUG = 0, SKEW_LOG_LEVEL_INFO, SKEW_LOG_LEVEL_WARN, SKEW_LOG_LEVEL_ERROR } skew_log_level;

/* Hooks. Every one may be NULL (a no-op, or the hosted default where one is named).
   user_data is passed to each. Hooks run with the tracker lock held (see THREADING). */
typedef struct skew_hooks {
    void *user_data;
    /* Deliver one message to one connection. WS: bare JSON, the server library frames it (a text
       frame). SSE: bare JSON that the adapter frames with skew_write_sse_frame, or, with
       skew_config.frame_sse, the ready-to-write event "data: <json>\n\n". Return SKEW_OK,
       SKEW_ERR_SLOW (unsent output over its bound) or any other error (peer dead): the tracker
       then closes the connection and calls on_close. Bytes must not reach the wire before the
       stream's response head: see skew_open. */
    skew_result (*send)(void *user_data, const skew_conn *conn, const char *msg, size_t len);
    void (*on_open)(void *user_data, const skew_conn *conn);
    void (*on_close)(void *user_data, const skew_conn *conn, skew_close_reason reason);
    void (*on_route_update)(void *user_data, const skew_conn *conn, skew_str old_route);
    /* Decide whether a request may see stats or use an admin endpoint. Called with SCOPE_STATS
       at a WS open (the handshake's headers; the answer is kept for the WS subscribe-stats
       messages) and at every POST {base}/subscribe-stats (that POST's headers); never at an SSE
       open, and for GET admin/stats. Called with SCOPE_ADMIN for admin/version and
       admin/invalidate, with SCOPE_METRICS for GET metrics. A credential revoked later ends the
       stats it authorized with skew_revoke_stats().
       NULL: every request is UNAVAILABLE. See skew_auth_bearer() for a token check. A hook that
       must ask elsewhere (over the network) answers SCOPE_STATS with PENDING and gives the
       verdict later: skew_get_auth_subject, skew_set_stats_verdict. */
    skew_auth_result (*authorize)(void *user_data, const skew_request *req, skew_auth_scope scope);
    /* The wall clock: milliseconds since the Unix epoch. The only source of every timestamp the
       tracker sends (`connected`, `keepalive`) and of health's uptime; skew_tick's argument
       never reaches the wire. Hosted default: the system clock. Without SKEW_ENABLE_HOSTED and
       without this hook, timestamps are 0. */
    uint64_t (*epoch_ms)(void *user_data);
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
/* Room in skew_config.sse_probe_ms: early probes of a new SSE stream. */
#define SKEW_SSE_PROBES_MAX 4

/* Run-time configuration. `skew_config cfg = {0};` is valid: zero means the default shown. */
typedef struct skew_config {
    const char *server_version;     /* "dev"; the build this server runs */
    const char *base_path;          /* "/__skew"; a path like "/x" or "/x/y", never just "/" */
    const char *version_cookie;     /* "__nkpv" */
    bool route_tracking;            /* false: routes are neither stored nor sent */
    bool ip_tracking;               /* false: IPs are neither stored nor sent */
    bool bot_filter_off;            /* false: bots are refused (204 / 403) and counted */
    bool allow_empty_user_agent;    /* false: a missing/empty User-Agent is treated as a bot */
    bool frame_sse;                 /* false: the send hook gets bare JSON on SSE too; true: it gets
                                       "data: <json>\n\n", ready to write (WS stays bare JSON) */
    uint32_t keepalive_ms;          /* 30000: SSE keepalive interval (early probes: sse_probe_ms) */
    uint32_t stats_interval_ms;     /* 250: coalescing window (0 means this default);
                                       SKEW_STATS_IMMEDIATE = no coalescing, push at once */
    uint32_t max_connections;       /* 1024 tracked SSE/WS connections */
    uint32_t max_versions;          /* 64 distinct versions (more fold into "(other)"); the server's
                                       builds (server_version, build) always keep an entry */
    uint32_t max_routes;            /* 256 distinct routes (more fold into "(other)"; invalidation
                                       still reaches them: "table poisoning" in >>registry) */
    uint32_t max_version_len;       /* 64 bytes */
    uint32_t max_route_len;         /* 256 bytes (longer routes are rejected) */
    uint32_t max_listed;            /* 1000 connections listed per stats message */
    uint32_t max_body;              /* 4096 bytes of POST body read */
    /* Per-address cap (abuse: one client must not fill max_connections). An address is an IPv4
       address or an IPv6 /64 (one host gets a whole /64), the client IP after ip_policy's
       proxies. A refused open is SKEW_ERR_PER_IP (HTTP 429), counted in refused_per_ip.
         0                      SKEW_PER_IP_DEFAULT (64) per address; loopback clients exempt
                                (local tools, load tests), since 64 is a guess a NAT'd office
                                with a few tabs per person stays under
         N                      N per address, loopback included (at most 16777215)
         SKEW_PER_IP_UNLIMITED  no cap, no per-address table (16 bytes less per connection)
       A connection authorized for stats (hooks.authorize, SCOPE_STATS) passes the cap.
       Needs SKEW_ENABLE_IP: without it there is no cap and only 0 or UNLIMITED are valid. */
    uint32_t max_connections_per_ip;
    /* 4: slots beyond max_connections that only an open authorized for stats (the dashboard)
       may take, so it still connects when the tracker is full; counted in opened_reserved.
       SKEW_STATS_RESERVE_NONE: none, at most 1024. */
    uint32_t reserved_stats_slots;
    uint32_t message_buffer;        /* computed from the limits: stats message buffer bytes */
    /* rollout timeline (>>timeline): 0 samples = none, which is the default; servers with a
       dashboard set SKEW_TIMELINE_DEFAULT_SAMPLES (1 h at 10 s) */
    uint32_t timeline_samples;      /* 0: no timeline; else samples kept, at most 65536 */
    uint32_t timeline_period_ms;    /* 10000: one sample per period (10 .. 86400000) */
    uint32_t timeline_series;       /* 8: versions with a line of their own (1..64), the rest "(other)" */
    skew_ip_policy ip_policy;       /* trusted proxies; zero = loopback only */
    const char *const *bot_patterns;   /* extra bot substrings (ASCII, case-insensitive) */
    size_t bot_pattern_count;
    const char *const *allow_patterns; /* substrings that mark a browser, beating every bot rule */
    size_t allow_pattern_count;
    /* 1024: bot filter verdicts remembered per User-Agent (real traffic repeats a few hundred),
       16 bytes each, rounded up to a power of two (at least 4), at most 65536;
       SKEW_BOT_CACHE_NONE: none. The same verdicts as without ("bot verdict cache" in
       >>registry). SKEW_OPTIMIZE_SIZE builds have no cache and ignore this. */
    uint32_t bot_cache_entries;
    /* cluster (SKEW_ENABLE_CLUSTER, see >>cluster): several instances shown as one */
    const char *instance_id;        /* NULL or "": standalone (stats and metrics exactly as without) */
    uint32_t instance_tag;          /* 0..SKEW_CLUSTER_TAG_MAX, in every connection id made here */
    uint32_t cluster_max_instances; /* 0: other instances this tracker can show (0 = publish only) */
    uint32_t snapshot_max_versions; /* 32 (at most max_versions): named in a snapshot, rest "(other)" */
    uint32_t snapshot_max_routes;   /* 100 (at most max_routes): named in a snapshot, rest "(other)" */
    uint32_t snapshot_max_listed;   /* max_listed (at most): connection entries in a snapshot */
    const char *build;              /* NULL: the server version; this binary's own build, shown per
                                       instance when the servers align server_version cluster-wide */
    skew_hooks hooks;
    /* {0}: no early probes. Else up to SKEW_SSE_PROBES_MAX delays in ms, increasing, each under
       keepalive_ms (a 0 ends the list): a new SSE stream gets a `keepalive` that long after its
       open, so a client that closed it is found by a failing write within seconds instead of at
       the keepalives (up to 2 * keepalive_ms): closed before probe k, it is closed at probe k+1
       at the latest. For servers whose library hides the socket (no EOF check: README
       "Liveness"); e.g. {2000, 5000, 15000}. Costs 16 bytes per slot and, per new stream, one
       message per delay. Delays count from the first skew_tick after the open (skew_get_next_due
       says 0 until then). Needs SKEW_ENABLE_SSE_PROBE (else a list is SKEW_ERR_CONFIG). */
    uint32_t sse_probe_ms[SKEW_SSE_PROBES_MAX];
} skew_config;

#define SKEW_PER_IP_DEFAULT 64u              /* max_connections_per_ip 0, loopback exempt */
#define SKEW_PER_IP_UNLIMITED 0xFFFFFFFFu    /* max_connections_per_ip: no per-address cap */
#define SKEW_STATS_RESERVE_DEFAULT 4u        /* reserved_stats_slots 0 */
#define SKEW_STATS_RESERVE_NONE 0xFFFFFFFFu  /* reserved_stats_slots: no reserve */
#define SKEW_BOT_CACHE_NONE 0xFFFFFFFFu      /* bot_cache_entries: no verdict cache */

/* The name versions and routes fold into when their table is full or the value is invalid. */
#define SKEW_OTHER_NAME "(other)"

/* Fill *out with the defaults applied to *in (in may be NULL). Returns SKEW_ERR_CONFIG
   for impossible values (limits over their maxima, a base path not starting with '/'). */
SKEW_API skew_result skew_config_resolve(const skew_config *in, skew_config *out);

/* ======================================================================================
   >>lifetime  create, init, destroy, memory size
   ====================================================================================== */

typedef struct skew_tracker skew_tracker;

/* Bytes of memory a tracker with this config needs (0 if the config is invalid). */
SKEW_API size_t skew_tracker_memory_size(const skew_config *cfg);
/* Build a tracker inside mem (aligned to 8, at least skew_tracker_memory_size bytes).
   *out points into mem. Never allocates. */
SKEW_API skew_result skew_tracker_init(skew_tracker **out, const skew_config *cfg, void *mem, size_t mem_size);
/* Same, with memory from hooks.alloc (hosted default malloc). */
SKEW_API skew_result skew_tracker_create(skew_tracker **out, const skew_config *cfg);
/* Frees what skew_tracker_create allocated; no-op for skew_tracker_init trackers. No hooks run. */
SKEW_API void skew_tracker_destroy(skew_tracker *t);
/* HOOK-SAFE. The resolved configuration; takes no lock: nothing in it changes after init except
   server_version, which follows the tracker's version (read that with skew_write_server_version
   from another thread). */
SKEW_API const skew_config *skew_get_config(const skew_tracker *t);

/* ======================================================================================
   >>registry  connections
   ====================================================================================== */

/* Open a tracked connection from its request (SSE GET or WS upgrade; transport from the
   path). Reads the version cookie, ?route=, User-Agent, client IP; refuses bots
   (SKEW_ERR_BOT, logged at info level with the reason) and a full registry (SKEW_ERR_FULL);
   sends `connected` through hooks.send before it returns, then calls on_open. *out gets the
   handle. user is given back in skew_conn.user.
   ORDER: `connected` is the first byte of the stream's body, so the response head must go out
   first. SSE: queue SKEW_SSE_RESPONSE_HEAD (or the status and SKEW_SSE_HEADERS) before calling
   skew_open, and drop it again if the open fails (then answer with skew_http_open_error); or
   let the send hook hold messages until the head is written. WS: the server library writes the
   101 handshake; queue `connected` behind it the same way. */
SKEW_API skew_result skew_open(skew_tracker *t, const skew_request *req, void *user, skew_handle *out);
/* Forget a connection; calls on_close. SKEW_ERR_STALE / _NOT_FOUND for a bad handle. */
SKEW_API skew_result skew_close(skew_tracker *t, skew_handle h, skew_close_reason reason);
/* Close every connection (reason SHUTDOWN), calling on_close for each. */
SKEW_API void skew_close_all(skew_tracker *t);
/* Start shutting down: from now on every skew_open answers SKEW_ERR_STOPPING (and
   skew_http_open_error turns that into 503), so an adapter keeps no flag of its own. Connections
   already open stay until the adapter closes them: all at once with skew_close_all, or spread
   over a drain window with skew_close (the example servers' --drain-ms). Irreversible. */
SKEW_API void skew_shutdown(skew_tracker *t);
/* Whether skew_shutdown was called. */
SKEW_API bool skew_is_shutting_down(const skew_tracker *t);
/* Change the route of a connection (validated as PROTOCOL.md says). */
SKEW_API skew_result skew_set_route(skew_tracker *t, skew_handle h, skew_str route);
/* Subscribe to stats: sends `stats` now (and after every change) or `stats-unauthorized`.
   req: the request whose headers authorize (the POST's for SSE); NULL uses the decision taken
   with the WebSocket handshake's headers at open. Returns SKEW_ERR_UNAUTHORIZED when denied
   (the connection got `stats-unauthorized`). POST {base}/subscribe-stats still answers 200
   then: the verdict travels on the stream, as with the Nuxt server. */
SKEW_API skew_result skew_subscribe(skew_tracker *t, skew_handle h, const skew_request *req);
SKEW_API skew_result skew_unsubscribe(skew_tracker *t, skew_handle h);
/* The credential that authorized this connection's stats was revoked: its subscription ends
   (it gets `stats-unauthorized` if it had one) and the WebSocket handshake's decision is
   forgotten, so a later subscribe-stats message is refused. The connection stays open. */
SKEW_API skew_result skew_revoke_stats(skew_tracker *t, skew_handle h);
/* HOOK-SAFE, inside hooks.authorize with SCOPE_STATS only: the connection asked about (at a WS
   open or a subscribe). SKEW_ERR_NOT_FOUND anywhere else. For a hook that answers PENDING. */
SKEW_API skew_result skew_get_auth_subject(const skew_tracker *t, skew_handle *out);
/* The later answer to a PENDING stats authorization: GRANTED or anything else (denied). Until
   it comes, the connection's subscribe-stats waits (nothing is sent, as while the Nuxt server's
   hook runs); then it gets `stats` or `stats-unauthorized`, and the answer is kept for its WS
   subscribe-stats messages. SKEW_ERR_INVALID when no answer was pending, SKEW_ERR_STALE for a
   closed connection; otherwise what the waiting subscribe returns (SKEW_OK without one). */
SKEW_API skew_result skew_set_stats_verdict(skew_tracker *t, skew_handle h, skew_auth_result verdict);
/* Find a connection by its id text (36 chars). */
SKEW_API skew_result skew_find(skew_tracker *t, skew_str id, skew_handle *out);
/* HOOK-SAFE. Describe a connection (its strings are views: see THREADING). */
SKEW_API skew_result skew_get_conn(const skew_tracker *t, skew_handle h, skew_conn *out);
/* HOOK-SAFE. Send a custom JSON message to one connection through hooks.send. */
SKEW_API skew_result skew_send(skew_tracker *t, skew_handle h, skew_str json);

/* A whole WebSocket text (or binary) message from a client: subscribe-stats, route-update, ping.
   Whole messages, not frames: reassemble fragments first, and never pass control frames (ping,
   pong, close: the WebSocket library answers those). Anything else is ignored and returns
   SKEW_ERR_INVALID (the connection is kept). Changes state: re-arm with skew_get_next_due after. */
SKEW_API skew_result skew_ws_message(skew_tracker *t, skew_handle h, skew_str data);

/* ======================================================================================
   >>time  keepalives and coalesced stats
   ====================================================================================== */

/* Do what is due at mono_ms: SSE keepalives, coalesced stats pushes. Returns milliseconds
   until the next due work (use it as your poll timeout), at most keepalive_ms.
   CLOCK: mono_ms is your scheduling clock, any millisecond count that does not jump (a monotonic
   clock is best: CLOCK_MONOTONIC, mg_millis(), lws_now_usecs()/1000). The tracker only measures
   intervals on it, and never sends it: wire timestamps come from hooks.epoch_ms (epoch ms), so
   the two cannot mix. Pass the same clock to every skew_tick and skew_get_next_due. The first
   skew_tick starts the keepalive period; until then skew_get_next_due says 0. */
SKEW_API uint32_t skew_tick(skew_tracker *t, uint64_t mono_ms);
/* Milliseconds from mono_ms until skew_tick has work (0: now). A change (open, close, route
   update) can make a stats push due sooner than the last skew_tick said: an adapter with one
   timer re-arms it with this after such calls. */
SKEW_API uint32_t skew_get_next_due(const skew_tracker *t, uint64_t mono_ms);

/* ======================================================================================
   >>deploy  live redeploy: the server version, set and read
   ====================================================================================== */

/* Set the server version at run time and send {"type":"version","version":v} to every
   connection. */
SKEW_API skew_result skew_set_server_version(skew_tracker *t, skew_str version);
/* Send {"type":"version","version":<server>,"force":true} to every connection whose route
   starts with prefix (needs route tracking). *count gets how many (may be NULL). */
SKEW_API skew_result skew_invalidate(skew_tracker *t, skew_str route_prefix, uint32_t *count);
/* The server's version as a view into the tracker: valid until the version changes
   (skew_set_server_version, POST admin/version, a cluster push). Single-threaded adapters and
   hooks use it freely; another thread copies it with skew_write_server_version instead. */
SKEW_API skew_str skew_get_server_version(const skew_tracker *t);
/* The server's version copied under the lock; snprintf contract. */
SKEW_API size_t skew_write_server_version(const skew_tracker *t, char *buf, size_t cap);

/* ======================================================================================
   >>numbers  connection counts, rollout and counters, as C values
   ====================================================================================== */

typedef struct skew_count {
    skew_str name;   /* version or route; valid until the tracker changes */
    uint32_t count;
} skew_count;

typedef struct skew_metrics {
    uint64_t opened, closed, bots_rejected, refused_full, messages_sent, bytes_sent,
        slow_dropped, send_failed, invalid_input, stats_pushes;
    uint64_t refused_per_ip;  /* opens over max_connections_per_ip */
    uint64_t opened_reserved; /* opens authorized for stats that took a reserved slot */
} skew_metrics;

SKEW_API uint32_t skew_get_total(const skew_tracker *t);
SKEW_API uint32_t skew_get_subscriber_count(const skew_tracker *t);
/* Copy up to cap entries; returns how many exist (call with cap 0 to count). */
SKEW_API size_t skew_list_versions(const skew_tracker *t, skew_count *out, size_t cap);
SKEW_API size_t skew_list_routes(const skew_tracker *t, skew_count *out, size_t cap);
/* Connections on the current server version, per mille of the total (1000 when empty). */
SKEW_API uint32_t skew_get_rollout_permille(const skew_tracker *t);
SKEW_API void skew_get_metrics(const skew_tracker *t, skew_metrics *out);

/* ======================================================================================
   >>timeline  rollout timeline: connections per version over time
   ======================================================================================
   A bounded ring of samples inside the tracker's memory (counted by skew_tracker_memory_size,
   nothing allocated). skew_tick takes one sample every timeline_period_ms (skew_get_next_due counts
   the next one): the number of connections on each version at that moment.
   Each sample holds timeline_series + 1 counts. A version gets a series (a line of its own) the
   first time it is sampled with connections, and keeps it while any kept sample shows it; the
   series of a version that has had no connection for the whole window is reused. With more
   versions than series, a new version takes the series of the smallest one only when it has
   more connections now; the smaller one's whole history then moves into "(other)", so every
   series shows one version over the whole window, and every sample still adds up to the total.
   The history is this tracker's own connections (in a cluster, each instance keeps its own).
   JSON (skew_write_timeline, and the "timeline" member of GET {base}/admin/stats):
     {"periodMs":10000,"capacity":360,"series":["v1","v2","(other)"],
      "samples":[[1733212800000,12,3,0],[1733212810000,9,7,1],...]}
   samples: oldest first; each is [time (hooks.epoch_ms: ms since the epoch), one count per name of
   series]; skew_tick's clock only schedules them.
   series lists only versions with a connection in some kept sample; "(other)" comes last. */

/* The default of the example servers' --timeline-samples: one hour at 10 s. */
#define SKEW_TIMELINE_DEFAULT_SAMPLES 360
#define SKEW_TIMELINE_MAX_SAMPLES 65536
#define SKEW_TIMELINE_MAX_SERIES 64

/* Write the timeline object above, or `null` when the tracker keeps none (timeline_samples 0,
   or SKEW_ENABLE_TIMELINE 0). snprintf contract. */
SKEW_API size_t skew_write_timeline(const skew_tracker *t, char *buf, size_t cap);

/* ======================================================================================
   >>json  protocol messages (snprintf contract: returns bytes needed, excl. NUL)
   ====================================================================================== */

/* A byte sink for streaming output. Returns 0 to go on, non-zero to stop. */
typedef int (*skew_sink_fn)(void *ctx, const char *data, size_t len);

/* Escape s as a JSON string with its quotes (UTF-8 rule above). */
SKEW_API size_t skew_write_json_string(skew_str s, char *buf, size_t cap);
SKEW_API size_t skew_write_connected(skew_str server_version, skew_str id, uint64_t ts_ms, char *buf, size_t cap);
SKEW_API size_t skew_write_keepalive(uint64_t ts_ms, char *buf, size_t cap);
SKEW_API size_t skew_write_pong(char *buf, size_t cap);
SKEW_API size_t skew_write_stats_unauthorized(char *buf, size_t cap);
SKEW_API size_t skew_write_version(skew_str version, bool force, char *buf, size_t cap);
/* Full stats message for recipient `you` (0: no yourId). Lists at most max_listed. */
SKEW_API size_t skew_write_stats(const skew_tracker *t, skew_handle you, char *buf, size_t cap);
/* Same, streamed to a sink without a buffer of the message's size, listing at most max_listed.
   The sink contract of skew_http_sink: returns SKEW_OK, or SKEW_ERR_SEND when the sink returned
   non-zero (it is not called again); *out_len (may be NULL) gets the bytes the sink took. */
SKEW_API skew_result skew_write_stats_sink(const skew_tracker *t, skew_handle you, uint32_t max_listed,
                                           skew_sink_fn sink, void *ctx, size_t *out_len);
/* SSE framing: "data: " msg "\n\n" (msg must hold no newline: JSON from this library never does).
   skew_config.frame_sse makes the tracker do this before the send hook. */
SKEW_API size_t skew_write_sse_frame(skew_str msg, char *buf, size_t cap);
/* The response an SSE open answers with when skew_open succeeds. SKEW_SSE_HEADERS: the header
   lines (each ends in CRLF) for a server library that takes the status and headers apart;
   SKEW_SSE_RESPONSE_HEAD: the whole HTTP/1.1 head for an adapter that writes raw bytes. No
   length: the stream ends with the connection. Queue it before skew_open (see there). */
#define SKEW_SSE_CONTENT_TYPE "text/event-stream"
#define SKEW_SSE_HEADERS                                                                        \
    "Content-Type: " SKEW_SSE_CONTENT_TYPE "\r\n"                                               \
    "Cache-Control: no-cache\r\n"                                                               \
    "X-Accel-Buffering: no\r\n"                                                                 \
    "X-Content-Type-Options: nosniff\r\n"
#define SKEW_SSE_RESPONSE_HEAD "HTTP/1.1 200 OK\r\n" SKEW_SSE_HEADERS "Connection: close\r\n\r\n"

/* ======================================================================================
   >>export  the same numbers as text: health, Prometheus metrics
   ====================================================================================== */

/* {"ok":true,"version":..,"uptime":s}; a cluster member (instance_id set) adds
   "cluster":"ok"|"degraded"|"off", the link state. No I/O: the state is what the adapter set. */
SKEW_API size_t skew_write_health(const skew_tracker *t, char *buf, size_t cap);
/* The operator tools below go with SKEW_ENABLE_ADMIN (defined 0 in every file, their
   declarations go too; in the implementation file only, a call fails to link). */
#if !defined(SKEW_ENABLE_ADMIN) || SKEW_ENABLE_ADMIN
/* Prometheus text exposition (version 0.0.4). */
SKEW_API size_t skew_write_metrics(const skew_tracker *t, char *buf, size_t cap);
#endif /* SKEW_ENABLE_ADMIN */

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
/* Nested reads by path: member names joined by '.', an all-digit segment indexes an array
   ("data.user.email", "aud.0", "roles.1"; a name holding '.' cannot be named, nor one of 64 bytes
   or more). The first member of a name wins. The whole document is validated first (the errors
   of skew_json_get_string); SKEW_ERR_NOT_FOUND when a segment is missing or the value is not of
   the kind asked for.
   skew_json_get_path_raw: the value's raw JSON text (a view into json: '"..."', '[...]', '123', 'true').
   skew_json_get_path_string: a string value, decoded as skew_json_get_string does.
   skew_json_get_path_int: a number's integer part (the fraction is dropped); SKEW_ERR_TOO_LONG
   outside int64_t, SKEW_ERR_INVALID with an exponent. */
SKEW_API skew_result skew_json_get_path_raw(skew_str json, const char *path, skew_str *out);
SKEW_API skew_result skew_json_get_path_string(skew_str json, const char *path, char *buf, size_t cap, size_t *out_len);
SKEW_API skew_result skew_json_get_path_int(skew_str json, const char *path, int64_t *out);
/* Percent-decode (and '+' -> ' ' when form is true) into buf; SKEW_ERR_TOO_LONG if cap is short. */
SKEW_API skew_result skew_url_decode(skew_str in, bool form, char *buf, size_t cap, size_t *out_len);
/* The first value of parameter `name` in a query or form body, raw (still encoded). */
SKEW_API skew_result skew_get_query_param(skew_str query, const char *name, skew_str *out);
/* The value of cookie `name` in a Cookie header, raw (quotes removed). Pairs are separated by
   ";" or "," (HTTP/2 split cookies joined either way). */
SKEW_API skew_result skew_get_cookie(skew_str cookie_header, const char *name, skew_str *out);
/* Check and cut a decoded route: must start with '/', query and fragment removed, no C0/C1
   control, bidi control or zero-width characters, valid UTF-8, at most max_len bytes.
   *out is a view into route. */
SKEW_API skew_result skew_route_clean(skew_str route, size_t max_len, skew_str *out);
/* Constant-time token check: "Authorization: Bearer T", a bare "Authorization: T", or cookie
   skew_admin=T. GRANTED, DENIED, or UNAVAILABLE when token is empty. */
SKEW_API skew_auth_result skew_auth_bearer(const skew_request *req, skew_str token);

/* ======================================================================================
   >>http  router and request/response endpoints
   ====================================================================================== */

typedef enum skew_endpoint {
    SKEW_ENDPOINT_NONE = 0,          /* not ours: serve the app */
    SKEW_ENDPOINT_SSE,               /* {base}/sse: GET opens a stream (skew_open) */
    SKEW_ENDPOINT_WS,                /* {base}/ws: GET + upgrade opens a WebSocket (skew_open) */
    SKEW_ENDPOINT_ROUTE,             /* POST {base}/route */
    SKEW_ENDPOINT_SUBSCRIBE,         /* POST {base}/subscribe-stats */
    SKEW_ENDPOINT_HEALTH,            /* GET {base}/health */
    SKEW_ENDPOINT_ADMIN_STATS,       /* GET {base}/admin/stats */
    SKEW_ENDPOINT_ADMIN_VERSION,     /* POST {base}/admin/version {"version":"v2"} */
    SKEW_ENDPOINT_ADMIN_INVALIDATE,  /* POST {base}/admin/invalidate {"route":"/x"} */
    SKEW_ENDPOINT_METRICS,           /* GET {base}/metrics */
    SKEW_ENDPOINT_UNKNOWN,           /* under {base} but no such endpoint (404) */
    SKEW_ENDPOINT_REJECT             /* from skew_route_request: ours but not openable (wrong method,
                                  missing upgrade, upgrade to another path): answer with skew_http */
} skew_endpoint;

/* Which endpoint a path is (method is checked by skew_http). */
SKEW_API skew_endpoint skew_route_path(const skew_tracker *t, skew_str path);
/* Which endpoint a request is, and whether to open a stream: returns SKEW_ENDPOINT_SSE / SKEW_ENDPOINT_WS
   only when the method (and upgrade) fit, so the adapter calls skew_open; SKEW_ENDPOINT_NONE for paths
   that are not ours (serve the app); anything else goes to skew_http. A WebSocket upgrade to any
   path but {base}/ws is SKEW_ENDPOINT_REJECT (404): check your own WebSocket paths first. */
SKEW_API skew_endpoint skew_route_request(const skew_tracker *t, const skew_request *req);

typedef struct skew_response {
    int status;                 /* 200, 204, 400, 401, 403, 404, 405, 409, 413, 426, 503 */
    const char *content_type;   /* static string */
    size_t body_len;            /* bytes needed; > cap-1 means truncated (result SKEW_ERR_TRUNCATED) */
    bool close;                 /* the adapter should close after answering */
    const char *allow;          /* for 405: the Allow header value, else NULL */
    bool upgrade_required;      /* for 426: send "Upgrade: websocket" */
} skew_response;

#if !defined(SKEW_ENABLE_HTTP) || SKEW_ENABLE_HTTP /* see SKEW_ENABLE_ADMIN above */
/* Answer a plain request under {base} (everything skew_route_request did not send to
   skew_open, including wrong methods and failed opens): status, content type and body.
   Returns SKEW_ERR_TRUNCATED when body needs more than cap (call again with body_len+1).
   Side effects (subscribe, route, version, invalidate) happen once per call, so a retry after
   TRUNCATED is only needed for GET endpoints. With an instance_id (>>cluster), a POST {base}/route
   or {base}/subscribe-stats naming a well-formed id not held here fills the usual 404 answer
   and returns SKEW_ERR_NOT_LOCAL: relay the request, or send that 404. */
SKEW_API skew_result skew_http(skew_tracker *t, const skew_request *req, skew_response *resp, char *body, size_t cap);
/* skew_http in one pass for an answer of any size: the body goes to sink (in pieces, in order)
   while the tracker holds its lock, so no other thread changes the state halfway, and nothing
   is retried. resp->body_len is the body's total length. Returns what skew_http returns (never
   SKEW_ERR_TRUNCATED), or SKEW_ERR_SEND when the sink returned non-zero (it is not called again;
   the side effects have happened). */
SKEW_API skew_result skew_http_sink(skew_tracker *t, const skew_request *req, skew_response *resp, skew_sink_fn sink,
                                    void *ctx);
/* The JSON error answer for a failed skew_open (bot -> 204/403, full -> 503, ...). An adapter
   that refuses opens while it shuts down passes SKEW_ERR_STOPPING (503 "server shutting down"). */
SKEW_API skew_result skew_http_open_error(const skew_tracker *t, const skew_request *req, skew_result open_result,
                                         skew_response *resp, char *body, size_t cap);
#endif /* SKEW_ENABLE_HTTP */

/* ======================================================================================
   >>cluster  many server instances shown as one (I/O-free; the adapter moves the texts)
   ======================================================================================
   Each instance sets skew_config.instance_id (unique per process run), instance_tag (random,
   20 bits) and cluster_max_instances, then, on its event loop (which never waits on the store):
       link up / lost / back        skew_cluster_set_link(t, SKEW_CLUSTER_LINK_OK / _DEGRADED / _OK)
       every P ms                   n = skew_cluster_write_snapshot(t, now, buf, cap)   -> the store
                                    (the example servers: SET skew:{NAME}:snap:<id> PX 3P)
       the others' texts arrive     skew_cluster_update(t, texts, count, now)   (keep the texts)
                                    (or in parts: _begin_update, _add_snapshots.., _commit_update)
       a per-connection POST        skew_http(...) == SKEW_ERR_NOT_LOCAL        -> relay it
   From then on its stats pushes, GET {base}/admin/stats and {base}/metrics show the cluster:
     - "total", "versions", "routes": exact cluster-wide sums (names past the tracker's own
       max_versions / max_routes fold into "(other)", the sums stay exact);
     - "connections": at most max_listed, each entry with "instance":"<id>": every instance
       shown gets an equal share of the list first (this one, then the others in update
       order), then the places left go to the rest in the same order;
     - "instances":[{"id","version","build","total","ageMs","self"}] and
       "cluster":"ok"|"degraded"|"off"
       (both new; no existing field changes meaning). ageMs is hooks.epoch_ms (wall clock) at
       writing minus the snapshot's "at", so it relies on the hosts' clocks agreeing (NTP);
     - /metrics: skew_cluster_up, skew_cluster_instances, the cluster-wide gauges
       skew_cluster_connections{,_by_version,_by_route}, per instance
       skew_cluster_instance_connections{instance,version,build} and skew_cluster_instance_age_ms,
       and the counter skew_cluster_snapshots_rejected_total. The existing series stay local.
   A standalone tracker (no instance_id) writes exactly what it wrote before: no new field.
   Only while the state is SKEW_CLUSTER_LINK_OK is the view shown; OFF and DEGRADED show the local
   numbers (with "cluster":"off"/"degraded" and instances = this one).

   Snapshots are untrusted input: skew_cluster_update checks each one whole (size, JSON depth,
   types, string lengths and UTF-8, number ranges, sums equal to the total, no key twice, no
   instance twice, limits of this tracker's config) and skips a bad one whole, counted in
   skew_cluster_snapshots_rejected_total; nothing of it is merged. All instances of a cluster
   are expected to run the same limits (max_* and snapshot_max_*): a snapshot bigger than this
   config's own skew_cluster_snapshot_max() is refused.

   Connection ids: with an instance_id, the last 20 bits of every id (the last 5 hex digits)
   are instance_tag; the other 102 bits stay random (the UUID v4 version and variant bits are
   kept). skew_get_id_tag() reads the tag back, so an instance that gets a POST {base}/route or
   {base}/subscribe-stats for a connection it does not hold (skew_http returns
   SKEW_ERR_NOT_LOCAL) can relay the request to the instances that advertise that tag (tags are
   random and may collide: ask each; only the holder answers 2xx). The holder runs the relayed
   method, path, headers and body through its ordinary skew_http.

   Memory: the view lives in the tracker's memory (skew_tracker_memory_size counts it), sized by
   cluster_max_instances, twice (the view shown and the one an update fills); no allocation. Threading: like every tracker call (hooks.lock).
   Cost (bench/cluster): a snapshot is about 120 bytes per listed connection plus the maps
   (snapshot_max_listed bounds the first); reading 100 snapshots of 1,000 routes and 100 listed
   connections each takes about 17 ms of CPU. skew_get_total(), skew_list_versions(), skew_list_routes() and
   the existing metrics series stay this instance's own numbers. */
#if defined(SKEW_ENABLE_CLUSTER)
#define SKEW__CLUSTER_DECL SKEW_ENABLE_CLUSTER
#elif !defined(SKEW_ENABLE_HOSTED) || SKEW_ENABLE_HOSTED
#define SKEW__CLUSTER_DECL 1
#else
#define SKEW__CLUSTER_DECL 0
#endif

/* Longest skew_config.instance_id, in bytes (valid UTF-8, no control characters). */
#define SKEW_CLUSTER_ID_MAX 64
/* Instance tags are 20 bits. */
#define SKEW_CLUSTER_TAG_MAX 0xFFFFFu
/* Most instances a view can hold (skew_config.cluster_max_instances). */
#define SKEW_CLUSTER_MAX_INSTANCES 4096
/* The snapshot format this library writes and reads (its "skew" member). */
#define SKEW_CLUSTER_FORMAT 1

#if SKEW__CLUSTER_DECL
/* The tag inside a connection id (any lowercase or uppercase UUID text, 36 chars): its last 20
   bits. SKEW_ERR_INVALID when id is not UUID text. Pure function, no tracker. */
SKEW_API skew_result skew_get_id_tag(skew_str id, uint32_t *tag);

/* What the view's owner says about the link to the other instances. */
typedef enum skew_cluster_link {
    SKEW_CLUSTER_LINK_OFF = 0,   /* no cluster link (yet): local numbers, "cluster":"off" */
    SKEW_CLUSTER_LINK_OK,        /* the view is current: cluster numbers, "cluster":"ok" */
    SKEW_CLUSTER_LINK_DEGRADED   /* the link is lost: local numbers, "cluster":"degraded" */
} skew_cluster_link;

/* One other instance in the view. Views stay valid until the next commit (skew_cluster_update)
   or skew_cluster_clear. */
typedef struct skew_cluster_peer {
    skew_str id;          /* its instance_id */
    skew_str version;     /* its server version (what its clients are told) */
    skew_str build;       /* its own build (skew_config.build; its version when it set none) */
    uint32_t tag;         /* its instance_tag */
    uint32_t total;       /* its tracked connections */
    uint64_t written_ms;  /* its clock when it wrote the snapshot */
} skew_cluster_peer;

typedef struct skew_cluster_info {
    skew_cluster_link state;
    uint32_t instances;   /* other instances in the view (0 unless state is OK) */
    uint64_t total;       /* connections shown: local, plus the view's while state is OK */
    uint64_t updates;     /* updates committed (skew_cluster_update calls) */
    uint64_t rejected;    /* snapshots refused since start */
    uint64_t messages_rejected; /* other bad data the adapter counted (skew_cluster_count_rejected) */
    uint64_t updated_ms;  /* epoch_ms of the last committed update (wall clock), 0 before */
} skew_cluster_info;

/* Bytes a snapshot of a tracker with this config can need at most (excluding the NUL); also the
   largest snapshot skew_cluster_update accepts. 0 for an invalid config. */
SKEW_API size_t skew_cluster_snapshot_max(const skew_config *cfg);
/* This instance's snapshot, one JSON object (snprintf contract):
     {"skew":1,"id":"<instance_id>","tag":N,"version":"<server version>","build":"<build>","at":<epoch_ms>,
      "total":N,"versions":{..},"routes":{..},"connections":[{"id","version","route","ip"},..]}
   versions/routes: the snapshot_max_* largest counts by name, the rest summed into "(other)",
   so the sums equal total; "routes" only with route_tracking; "connections": at most
   snapshot_max_listed (the bulk of the bytes: about 120 per entry), "route"/"ip" only when
   tracked. epoch_ms: the wall clock (epoch ms, as hooks.epoch_ms gives it), written as "at": other
   instances compare it with their own wall clock for "ageMs". Returns 0 (and writes "") for a
   standalone tracker. */
SKEW_API size_t skew_cluster_write_snapshot(const skew_tracker *t, uint64_t epoch_ms, char *buf, size_t cap);
/* The same with at most max_listed connections listed (also capped by snapshot_max_listed);
   0: counts only ("connections":[]), for when nobody looks at the merged list. */
SKEW_API size_t skew_cluster_write_snapshot_listed(const skew_tracker *t, uint64_t epoch_ms, uint32_t max_listed,
                                                   char *buf, size_t cap);
/* Replace the view with these snapshots of other instances (n may be 0). A snapshot with this
   tracker's own instance_id is skipped; a bad one, a second one with the same instance id, and
   those past cluster_max_instances are refused and counted, never partly merged. The view keeps
   pointers into the texts: keep them alive and unchanged until the next update or clear.
   Marks the stats as changed (subscribers get a coalesced push, scheduled on skew_tick's clock).
   Returns SKEW_OK, SKEW_ERR_INVALID when a snapshot was refused (the view holds the others),
   SKEW_ERR_DISABLED for a standalone tracker. epoch_ms: the wall clock (epoch ms, as
   hooks.epoch_ms), kept as skew_cluster_info.updated_ms; it schedules nothing. */
SKEW_API skew_result skew_cluster_update(skew_tracker *t, const skew_str *snapshots, size_t n, uint64_t epoch_ms);
/* The same update taken in parts, so that a big view (hundreds of instances) never holds the
   event loop for long: begin, then add the snapshots over as many calls (and loop turns) as
   wanted, then commit. Until the commit the view shown stays whole and usable (stats, metrics,
   list_peers); the commit swaps the staged view in, in O(1), so a reader sees the old view or
   the new one, never a mix. skew_cluster_update(t, s, n, now) is begin + add(s, n) + commit(now).
   One update is staged at a time: begin again (or abort, or clear) drops the staged one. Texts:
   those added must stay alive and unchanged while staged and then while shown (until the next
   commit or clear); those of the view shown until the commit. Memory: the staged view is a
   second copy of the view's tables (skew_tracker_memory_size counts both, only for a tracker
   with an instance_id and cluster_max_instances > 0).
   begin: SKEW_OK, SKEW_ERR_DISABLED for a standalone tracker.
   add: each snapshot checked as in skew_cluster_update; SKEW_ERR_INVALID when one of this part
   was refused (the others are kept), SKEW_ERR_NOT_FOUND when no update is begun.
   commit: as skew_cluster_update (SKEW_ERR_INVALID: a snapshot of the update was refused; those
   are counted now), SKEW_ERR_NOT_FOUND when no update is begun (nothing changes). */
SKEW_API skew_result skew_cluster_begin_update(skew_tracker *t);
SKEW_API skew_result skew_cluster_add_snapshots(skew_tracker *t, const skew_str *snapshots, size_t n);
SKEW_API skew_result skew_cluster_commit_update(skew_tracker *t, uint64_t epoch_ms);
SKEW_API void skew_cluster_abort_update(skew_tracker *t);
/* Forget the view (the texts may go) and any staged update. Stats are marked changed. */
SKEW_API void skew_cluster_clear(skew_tracker *t);
/* Set the link state (see skew_cluster_link); a change marks the stats as changed. Ignored by
   a standalone tracker. */
SKEW_API void skew_cluster_set_link(skew_tracker *t, skew_cluster_link state);
SKEW_API void skew_cluster_get_info(const skew_tracker *t, skew_cluster_info *out);
/* Count n items of bad data the adapter got from the store outside snapshots (a pub/sub message
   that does not decode, an oversized one), so /metrics shows every bad datum:
   skew_cluster_messages_rejected_total. Ignored by a standalone tracker. */
SKEW_API void skew_cluster_count_rejected(skew_tracker *t, uint32_t n);
/* Copy up to cap of the view's instances (whatever the state); returns how many there are. */
SKEW_API size_t skew_cluster_list_peers(const skew_tracker *t, skew_cluster_peer *out, size_t cap);
#if !defined(SKEW_ENABLE_HTTP) || SKEW_ENABLE_HTTP
/* The connectionId of a POST {base}/route or {base}/subscribe-stats body (JSON or form-encoded,
   as skew_http reads it) into id (36 chars + NUL). SKEW_ERR_NOT_FOUND when absent or empty,
   SKEW_ERR_INVALID when it is not UUID text. */
SKEW_API skew_result skew_get_post_connection_id(skew_str body, char id[SKEW_ID_STR_MAX]);
#endif
#endif /* SKEW__CLUSTER_DECL */

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
#ifndef SKEW_ENABLE_HTTP
#define SKEW_ENABLE_HTTP 1
#endif
#ifndef SKEW_ENABLE_TIMELINE /* firmware (not hosted) opts in: it costs flash even when unused */
#define SKEW_ENABLE_TIMELINE SKEW_ENABLE_HOSTED
#endif
#ifndef SKEW_ENABLE_ADMIN
#define SKEW_ENABLE_ADMIN 1
#endif
#ifndef SKEW_ENABLE_CLUSTER /* a cluster runs on hosted servers (Redis); firmware never joins one */
#define SKEW_ENABLE_CLUSTER SKEW_ENABLE_HOSTED
#endif
#ifndef SKEW_ENABLE_SSE_PROBE /* skew_config.sse_probe_ms; firmware (not hosted) opts in */
#define SKEW_ENABLE_SSE_PROBE SKEW_ENABLE_HOSTED
#endif
#ifndef SKEW_OPTIMIZE_SIZE /* -Os builds (firmware) get the compact variants of the hot loops */
#ifdef __OPTIMIZE_SIZE__
#define SKEW_OPTIMIZE_SIZE 1
#else
#define SKEW_OPTIMIZE_SIZE 0
#endif
#endif
#ifndef SKEW_ASSERT
#if SKEW_ENABLE_HOSTED
#include <assert.h>
#define SKEW_ASSERT(x) assert(x)
#else
#define SKEW_ASSERT(x) ((void)0) /* assert() would pull printf into firmware */
#endif
#endif

#include <string.h>

/* SSE2 (x86-64 always has it) and not a size build: the id generator makes four blocks at once */
#if !SKEW_OPTIMIZE_SIZE && defined(__SSE2__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SKEW__CHACHA4 1
#define SKEW__SSE2 1 /* and an id's text is 16 bytes at once */
#include <emmintrin.h>
#else
#define SKEW__CHACHA4 0
#define SKEW__SSE2 0
#endif

/* OS services for the hosted defaults (clock, randomness, malloc). */
#if SKEW_ENABLE_HOSTED
#if defined(_WIN32)
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <bcrypt.h>
#if defined(_MSC_VER)
#pragma comment(lib, "bcrypt")
#endif
#else
#include <sys/time.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdio.h>
#if defined(__linux__) && defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 25))
#include <sys/random.h>
#define SKEW__HAVE_GETRANDOM 1
#endif
#endif
#include <stdlib.h>
#endif /* SKEW_ENABLE_HOSTED */

/* Private functions: static, and unused-safe so partial use in a static build stays quiet. */
#define SKEW__PRIV static SKEW__UNUSED

#ifdef __cplusplus
extern "C" {
#endif

/* >>types  result names, version, string views and the small string helpers every module uses */

static const char *const skew__result_names[] = {
#define SKEW__NAME(name, text) text,
    SKEW_RESULTS(SKEW__NAME)
#undef SKEW__NAME
};

SKEW_API const char *skew_result_str(skew_result r) {
    if ((unsigned)r >= (unsigned)SKEW_RESULT_COUNT) return "unknown result";
    return skew__result_names[r];
}

SKEW_API const char *skew_version(void) { return SKEW_TRACKER_VERSION_STRING; }

SKEW_API skew_str skew_str_n(const char *p, size_t n) {
    skew_str s;
    s.ptr = p;
    s.len = n;
    return s;
}
SKEW_API skew_str skew_str_c(const char *cstr) { return skew_str_n(cstr, cstr ? strlen(cstr) : 0); }
/* The short private names the implementation uses everywhere. */
#define skew__str skew_str_n
#define skew__cstr skew_str_c

SKEW__PRIV unsigned char skew__lower(unsigned char c) {
    return (unsigned char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
}
SKEW__PRIV bool skew__is_space(unsigned char c) { return c == ' ' || c == '\t'; }

/* Trim spaces and tabs at both ends. */
SKEW__PRIV skew_str skew__trim(skew_str s) {
    while (s.len && skew__is_space((unsigned char)s.ptr[0])) { s.ptr++; s.len--; }
    while (s.len && skew__is_space((unsigned char)s.ptr[s.len - 1])) s.len--;
    return s;
}

SKEW__PRIV bool skew__eq_nocase(skew_str a, const char *b) {
    size_t i, n = strlen(b);
    if (a.len != n) return false;
    for (i = 0; i < n; i++)
        if (skew__lower((unsigned char)a.ptr[i]) != skew__lower((unsigned char)b[i])) return false;
    return true;
}

/* Hex digits for every module: ids, IPv6 text, JSON escapes, URL decoding. */
static const char skew__hex[] = "0123456789abcdef";

SKEW__PRIV int skew__hexval(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* >>request  the headers of a request */

SKEW_API skew_str skew_get_header(const skew_request *req, const char *lowercase_name) {
    skew_str none = {NULL, 0};
    if (!req || !req->header || !lowercase_name) return none;
    none = req->header(req->header_ctx, lowercase_name);
    if (!none.ptr) none.len = 0;
    return none;
}

#if SKEW_OPTIMIZE_SIZE
#define skew__get_header skew_get_header
#else
/* skew_get_header for a request and a name known not NULL: inlined in an open */
SKEW__PRIV skew_str skew__get_header(const skew_request *req, const char *lowercase_name) {
    skew_str v = {NULL, 0};
    if (!req->header) return v;
    v = req->header(req->header_ctx, lowercase_name);
    if (!v.ptr) v.len = 0;
    return v;
}
#endif

/* ======================================================================================
   >>ip  client IP behind proxies: parse, format, CIDR, trusted-proxy policy
   ====================================================================================== */

/* Elements of x-forwarded-for / Forwarded examined when skew_ip_policy.max_hops is 0. */
#define SKEW__IP_DEFAULT_HOPS 16u
/* Longest IPv6 zone id accepted (and dropped); Linux interface names have at most 15. */
#define SKEW__IP_ZONE_MAX 32u

SKEW__PRIV bool skew__ip_has(const char *p, size_t n, char c) {
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i] == c) return true;
    return false;
}

/* One canonical form for every family-4 address: ::ffff:a.b.c.d becomes family 4, the unused
   bytes are zero, and unknown families become 0. Every comparison goes through this, so an
   adapter that copies sin6_addr of a mapped peer verbatim still matches IPv4 ranges. */
SKEW__PRIV skew_ip skew__ip_norm(const skew_ip *in) {
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    skew_ip r;
    memset(&r, 0, sizeof r);
    if (!in) return r;
    if (in->family == 4) {
        r.family = 4;
        memcpy(r.bytes, in->bytes, 4);
    } else if (in->family == 6) {
        if (memcmp(in->bytes, mapped, sizeof mapped) == 0) {
            r.family = 4;
            memcpy(r.bytes, in->bytes + 12, 4);
        } else {
            r.family = 6;
            memcpy(r.bytes, in->bytes, 16);
        }
    }
    return r;
}

/* Exactly four decimal octets 0..255. A leading zero ("01") is refused: inet_aton and
   browsers read it as octal, so accepting it would let two parsers disagree on the address. */
SKEW__PRIV bool skew__ip_parse4(const char *p, size_t n, uint8_t out[4]) {
    size_t i = 0;
    int part;
    for (part = 0; part < 4; part++) {
        unsigned v = 0;
        size_t digits = 0;
        if (part > 0) {
            if (i >= n || p[i] != '.') return false;
            i++;
        }
        while (i < n && p[i] >= '0' && p[i] <= '9') {
            if (digits == 3 || (digits == 1 && v == 0)) return false;
            v = v * 10u + (unsigned)(p[i] - '0');
            digits++;
            i++;
        }
        if (digits == 0 || v > 255u) return false;
        out[part] = (uint8_t)v;
    }
    return i == n;
}

/* RFC 4291 section 2.2 text: 1-4 hex digits per group, at most one "::" standing for one or
   more zero groups, an optional dotted quad in place of the last two groups. Single pass. */
SKEW__PRIV bool skew__ip_parse6(const char *p, size_t n, uint8_t out[16]) {
    unsigned g[8];
    size_t ng = 0, i = 0, gap = 0, k, tail;
    bool has_gap = false;
    if (n < 2) return false;
    if (p[0] == ':') {
        if (p[1] != ':') return false;
        has_gap = true;
        i = 2;
    }
    while (i < n) {
        size_t start = i, digits = 0;
        unsigned v = 0;
        int h;
        while (i < n && (h = skew__hexval((unsigned char)p[i])) >= 0) {
            if (digits == 4) return false;
            v = v * 16u + (unsigned)h;
            digits++;
            i++;
        }
        if (i < n && p[i] == '.') {
            uint8_t q[4];
            if (ng > 6 || !skew__ip_parse4(p + start, n - start, q)) return false;
            g[ng++] = (unsigned)q[0] << 8 | q[1];
            g[ng++] = (unsigned)q[2] << 8 | q[3];
            break; /* parse4 consumed the rest */
        }
        if (digits == 0 || ng == 8) return false;
        g[ng++] = v;
        if (i == n) break;
        if (p[i] != ':') return false;
        i++;
        if (i < n && p[i] == ':') {
            if (has_gap) return false;
            has_gap = true;
            gap = ng;
            i++;
        } else if (i == n) {
            return false; /* a lone trailing ':' */
        }
    }
    if (has_gap ? ng > 7 : ng != 8) return false;
    if (!has_gap) gap = ng;
    memset(out, 0, 16);
    for (k = 0; k < gap; k++) {
        out[2 * k] = (uint8_t)(g[k] >> 8);
        out[2 * k + 1] = (uint8_t)(g[k] & 0xffu);
    }
    tail = ng - gap;
    for (k = 0; k < tail; k++) {
        size_t at = 8 - tail + k;
        out[2 * at] = (uint8_t)(g[gap + k] >> 8);
        out[2 * at + 1] = (uint8_t)(g[gap + k] & 0xffu);
    }
    return true;
}

/* Zone ids are only dropped, never used; still refuse bytes that could smuggle list or
   pair separators through a quoted Forwarded value. */
SKEW__PRIV bool skew__ip_zone_ok(const char *p, size_t n) {
    size_t i;
    if (n == 0 || n > SKEW__IP_ZONE_MAX) return false;
    for (i = 0; i < n; i++) {
        char c = p[i];
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
                  c == '.' || c == '_' || c == '~';
        if (!ok) return false;
    }
    return true;
}

/* RFC 7239 node-port: 1-5 digits (at most 65535) or an obfuscated "_xyz". */
SKEW__PRIV bool skew__ip_obf_ok(const char *p, size_t n) {
    size_t i;
    if (n < 2 || p[0] != '_') return false;
    for (i = 1; i < n; i++) {
        char c = p[i];
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
                  c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}
SKEW__PRIV bool skew__ip_port_ok(const char *p, size_t n) {
    size_t i;
    unsigned long v = 0;
    if (n > 0 && p[0] == '_') return skew__ip_obf_ok(p, n);
    if (n == 0 || n > 5) return false;
    for (i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return false;
        v = v * 10u + (unsigned long)(p[i] - '0');
    }
    return v <= 65535u;
}

SKEW__PRIV size_t skew__ip_fmt_u8(char *o, unsigned v) {
    size_t n = 0;
    if (v >= 100u) o[n++] = (char)('0' + v / 100u);
    if (v >= 10u) o[n++] = (char)('0' + v / 10u % 10u);
    o[n++] = (char)('0' + v % 10u);
    return n;
}

/* RFC 5952 section 4: lowercase, no leading zeros, the longest run (>= 2) of zero groups
   becomes "::", the first run on a tie; a single zero group stays "0". o holds >= 40 bytes. */
SKEW__PRIV size_t skew__ip_fmt6(char *o, const uint8_t b[16]) {
    unsigned g[8];
    size_t k, n = 0, best = 8, best_len = 0, run = 0;
    for (k = 0; k < 8; k++) {
        g[k] = (unsigned)b[2 * k] << 8 | b[2 * k + 1];
        run = g[k] == 0 ? run + 1 : 0;
        if (run > best_len) {
            best_len = run;
            best = k + 1 - run;
        }
    }
    if (best_len < 2) best = 8;
    k = 0;
    while (k < 8) {
        int shift;
        bool started = false;
        if (k == best) {
            o[n++] = ':';
            o[n++] = ':';
            k += best_len;
            continue;
        }
        if (k > 0 && !(best < 8 && k == best + best_len)) o[n++] = ':';
        for (shift = 12; shift >= 0; shift -= 4) {
            unsigned d = g[k] >> (unsigned)shift & 15u;
            if (d || started || shift == 0) {
                o[n++] = skew__hex[d];
                started = true;
            }
        }
        k++;
    }
    return n;
}

#if SKEW_ENABLE_IP /* the rest of the private part only serves proxy-header extraction */

/* The next sep-separated piece of s from *pos, trimmed (the pairs of one Forwarded element).
   Quote-aware: a sep inside "..." does not split, and a backslash inside quotes escapes the
   next byte (RFC 9110 quoted-string). An unterminated quote runs to the end. Returns false
   once s is used up. */
SKEW__PRIV bool skew__ip_next_piece(skew_str s, size_t *pos, char sep, skew_str *piece) {
    size_t i = *pos, start = *pos;
    bool quoted = false;
    if (i > s.len) return false;
    while (i < s.len) {
        char c = s.ptr[i];
        if (quoted) {
            if (c == '\\' && i + 1 < s.len) i++;
            else if (c == '"') quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == sep) {
            break;
        }
        i++;
    }
    *piece = skew__trim(skew__str(s.ptr + start, i - start));
    *pos = i + 1; /* past the separator; len+1 marks the end */
    return true;
}

/* RFC 9110 token: the only thing a Forwarded parameter name may be. */
SKEW__PRIV bool skew__ip_token_ok(skew_str s) {
    size_t i;
    if (!s.len) return false;
    for (i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  skew__ip_has("!#$%&'*+-.^_`|~", 15, c);
        if (!ok) return false;
    }
    return true;
}

/* One Forwarded element: ';'-separated name=value pairs (RFC 7239 section 4). Only for= is
   read. A repeated for= is an error (the RFC forbids it, and two answers cannot both be
   believed); a pair that is not token=value makes the element garbage; empty pairs are
   skipped; an element without for= hides its node like "for=unknown" (NOT_FOUND). */
SKEW__PRIV skew_result skew__ip_forwarded_for(skew_str elem, skew_ip *out) {
    size_t pos = 0;
    skew_str pair, value = {NULL, 0};
    bool found = false;
    memset(out, 0, sizeof *out);
    while (skew__ip_next_piece(elem, &pos, ';', &pair)) {
        size_t eq = 0;
        skew_str name;
        if (!pair.len) continue;
        while (eq < pair.len && pair.ptr[eq] != '=') eq++;
        name = skew__trim(skew__str(pair.ptr, eq));
        if (eq == pair.len || !skew__ip_token_ok(name)) return SKEW_ERR_INVALID;
        if (skew__eq_nocase(name, "for")) {
            if (found) return SKEW_ERR_INVALID;
            found = true;
            value = skew__str(pair.ptr + eq + 1, pair.len - eq - 1);
        }
    }
    if (!found) return SKEW_ERR_NOT_FOUND;
    return skew_ip_parse_loose(value, out);
}

/* The list element left of *end (exclusive), trimmed; called repeatedly it walks the list
   from the right. Scanning leftwards matters: what a client wrote sits left of what the
   trusted proxies appended, so nothing it writes (an unterminated quote, say) can change how
   the elements right of it are split. With quotes (Forwarded), a ',' inside a quoted-string
   does not split; a '"' preceded by an odd run of backslashes inside quotes is escaped.
   x-forwarded-for has no quoting, so there every ',' splits. Linear: each backslash run is
   counted once, by the quote right of it. */
SKEW__PRIV bool skew__ip_prev_piece(skew_str s, size_t *end, bool *more, bool quotes, skew_str *piece) {
    size_t i = *end;
    bool quoted = false;
    if (!*more) return false;
    while (i > 0) {
        char c = s.ptr[i - 1];
        if (quotes && c == '"') {
            size_t bs = 0;
            while (quoted && bs < i - 1 && s.ptr[i - 2 - bs] == '\\') bs++;
            if (bs % 2 == 0) quoted = !quoted;
        } else if (c == ',' && !quoted) {
            break;
        }
        i--;
    }
    *piece = skew__trim(skew__str(s.ptr + i, *end - i));
    if (i == 0) *more = false;
    else *end = i - 1;
    return true;
}

/* The client named by a list header (x-forwarded-for, or Forwarded when forwarded is true).
   Each proxy appends the address it received from, so only the right end can be believed:
   walk from the right, skip hops the policy trusts, and the first untrusted address is the
   client. Rules:
   - at most max_hops (0: 16) non-empty elements are examined; empty ones ("a,,b") are
     skipped and do not count;
   - if every examined element is a trusted address, the left-most examined one wins;
   - a hop that is not an address (garbage, "unknown", "_hidden", no for=) stops the walk and
     the header yields nothing: we cannot tell whether that hop is trusted, so nothing left of
     it may be believed, and it is no address itself. The caller then tries the next source. */
SKEW__PRIV bool skew__ip_walk(const skew_ip_policy *policy, skew_str hdr, bool forwarded, skew_ip *out) {
    size_t end = hdr.len, seen = 0;
    size_t max = (policy && policy->max_hops) ? (size_t)policy->max_hops : (size_t)SKEW__IP_DEFAULT_HOPS;
    bool more = true, have_left = false;
    skew_str elem;
    skew_ip ip, leftmost;
    memset(&leftmost, 0, sizeof leftmost);
    while (seen < max && skew__ip_prev_piece(hdr, &end, &more, forwarded, &elem)) {
        skew_result r;
        if (!elem.len) continue;
        seen++;
        r = forwarded ? skew__ip_forwarded_for(elem, &ip) : skew_ip_parse_loose(elem, &ip);
        if (r != SKEW_OK) return false;
        if (!skew_ip_policy_trusts(policy, &ip)) {
            *out = ip;
            return true;
        }
        leftmost = ip;
        have_left = true;
    }
    if (have_left) *out = leftmost;
    return have_left;
}
#endif

/* ---- public ---------------------------------------------------------------------------- */

SKEW_API skew_result skew_ip_parse(skew_str text, skew_ip *out) {
    skew_ip ip;
    size_t n = 0;
    bool v6 = false, ok;
    if (out) memset(out, 0, sizeof *out);
    if (!out || !text.ptr || !text.len) return SKEW_ERR_INVALID;
    while (n < text.len && text.ptr[n] != '%') {
        if (text.ptr[n] == ':') v6 = true;
        n++;
    }
    if (n < text.len && (!v6 || !skew__ip_zone_ok(text.ptr + n + 1, text.len - n - 1))) return SKEW_ERR_INVALID;
    memset(&ip, 0, sizeof ip);
    ip.family = (uint8_t)(v6 ? 6 : 4);
    ok = v6 ? skew__ip_parse6(text.ptr, n, ip.bytes) : skew__ip_parse4(text.ptr, n, ip.bytes);
    if (!ok) return SKEW_ERR_INVALID;
    *out = skew__ip_norm(&ip);
    return SKEW_OK;
}

/* Accepted shapes: [ws] ["] (v4 | v6 | v4:port | [v6] | [v6]:port | unknown | _obf) ["] [ws].
   Bare v6 never carries a port (with two or more colons a port cannot be told apart). */
SKEW_API skew_result skew_ip_parse_loose(skew_str text, skew_ip *out) {
    skew_str s, host;
    size_t i, colons = 0, last_colon = 0;
    if (out) memset(out, 0, sizeof *out);
    if (!out || !text.ptr) return SKEW_ERR_INVALID;
    s = skew__trim(text);
    if (s.len && s.ptr[0] == '"') {
        if (s.len < 2 || s.ptr[s.len - 1] != '"') return SKEW_ERR_INVALID;
        s = skew__str(s.ptr + 1, s.len - 2);
    }
    if (!s.len) return SKEW_ERR_INVALID;
    if (s.ptr[0] == '[') {
        i = 1;
        while (i < s.len && s.ptr[i] != ']') i++;
        if (i == s.len) return SKEW_ERR_INVALID;
        host = skew__str(s.ptr + 1, i - 1);
        if (i + 1 < s.len && (s.ptr[i + 1] != ':' || !skew__ip_port_ok(s.ptr + i + 2, s.len - i - 2)))
            return SKEW_ERR_INVALID;
        /* brackets hold IPv6 only: "[1.2.3.4]" is not something a proxy sends */
        if (!skew__ip_has(host.ptr, host.len, ':')) return SKEW_ERR_INVALID;
        return skew_ip_parse(host, out);
    }
    for (i = 0; i < s.len; i++)
        if (s.ptr[i] == ':') {
            colons++;
            last_colon = i;
        }
    host = s;
    if (colons == 1) {
        host = skew__str(s.ptr, last_colon);
        if (!skew__ip_port_ok(s.ptr + last_colon + 1, s.len - last_colon - 1)) return SKEW_ERR_INVALID;
    }
    if (skew__eq_nocase(host, "unknown")) return SKEW_ERR_NOT_FOUND;
    if (host.len && host.ptr[0] == '_')
        return skew__ip_obf_ok(host.ptr, host.len) ? SKEW_ERR_NOT_FOUND : SKEW_ERR_INVALID;
    return skew_ip_parse(host, out);
}

/* Any family other than 4 and 6 formats as "", like family 0. */
SKEW_API size_t skew_ip_format(const skew_ip *ip, char *buf, size_t cap) {
    char tmp[SKEW_IP_STR_MAX];
    size_t n = 0;
    skew_ip a = skew__ip_norm(ip);
    if (a.family == 4) {
        int k;
        for (k = 0; k < 4; k++) {
            if (k) tmp[n++] = '.';
            n += skew__ip_fmt_u8(tmp + n, a.bytes[k]);
        }
    } else if (a.family == 6) {
        n = skew__ip_fmt6(tmp, a.bytes);
    }
    if (buf && cap) {
        size_t c = n < cap ? n : cap - 1;
        if (c) memcpy(buf, tmp, c);
        buf[c] = '\0';
    }
    return n;
}

/* Two unknown addresses (family 0) are equal; a NULL pointer equals nothing. */
SKEW_API bool skew_ip_equal(const skew_ip *a, const skew_ip *b) {
    skew_ip x, y;
    if (!a || !b) return false;
    x = skew__ip_norm(a);
    y = skew__ip_norm(b);
    return x.family == y.family && memcmp(x.bytes, y.bytes, sizeof x.bytes) == 0;
}

/* Prefix: decimal without leading zeros. Host bits are cleared (10.1.2.3/8 -> 10.0.0.0/8).
   An IPv4-mapped range (::ffff:0:0/96 and longer) becomes the IPv4 range (prefix - 96), since
   mapped addresses are stored as family 4; a mapped range shorter than /96 is refused. */
SKEW_API skew_result skew_cidr_parse(skew_str text, skew_cidr *out) {
    size_t slash = 0, i, bits, max;
    unsigned prefix = 0;
    bool v6_text;
    skew_ip ip;
    if (out) memset(out, 0, sizeof *out);
    if (!out || !text.ptr || !text.len) return SKEW_ERR_INVALID;
    while (slash < text.len && text.ptr[slash] != '/') slash++;
    if (skew_ip_parse(skew__str(text.ptr, slash), &ip) != SKEW_OK) return SKEW_ERR_INVALID;
    v6_text = skew__ip_has(text.ptr, slash, ':');
    max = v6_text ? 128u : 32u;
    if (slash < text.len) {
        size_t digits = text.len - slash - 1;
        if (digits == 0 || digits > 3 || (digits > 1 && text.ptr[slash + 1] == '0')) return SKEW_ERR_INVALID;
        for (i = slash + 1; i < text.len; i++) {
            if (text.ptr[i] < '0' || text.ptr[i] > '9') return SKEW_ERR_INVALID;
            prefix = prefix * 10u + (unsigned)(text.ptr[i] - '0');
        }
        if (prefix > max) return SKEW_ERR_INVALID;
    } else {
        prefix = (unsigned)max;
    }
    if (v6_text && ip.family == 4) {
        if (prefix < 96u) return SKEW_ERR_INVALID;
        prefix -= 96u;
    }
    bits = prefix;
    for (i = 0; i < 16; i++) {
        if (bits >= 8) {
            bits -= 8;
        } else {
            ip.bytes[i] = (uint8_t)(ip.bytes[i] & (0xffu << (8 - bits)));
            bits = 0;
        }
    }
    out->ip = ip;
    out->prefix = (uint8_t)prefix;
    return SKEW_OK;
}

/* Families must match: an IPv4 range never contains an IPv6 address and vice versa. */
SKEW_API bool skew_cidr_contains(const skew_cidr *range, const skew_ip *ip) {
    skew_ip r, a;
    size_t full, rest, prefix;
    if (!range || !ip) return false;
    r = skew__ip_norm(&range->ip);
    a = skew__ip_norm(ip);
    prefix = range->prefix;
    if (range->ip.family == 6 && r.family == 4) {
        /* a hand-built mapped range: the same conversion skew_cidr_parse does */
        if (prefix < 96u) return false;
        prefix -= 96u;
    }
    if (!r.family || r.family != a.family || prefix > (r.family == 4 ? 32u : 128u)) return false;
    full = prefix / 8u;
    rest = prefix % 8u;
    if (memcmp(r.bytes, a.bytes, full) != 0) return false;
    if (rest) {
        unsigned mask = 0xffu << (8 - rest) & 0xffu;
        if ((r.bytes[full] & mask) != (a.bytes[full] & mask)) return false;
    }
    return true;
}

#if SKEW_ENABLE_HOSTED
/* Copied out, not cast: a caller's struct sockaddr may be less aligned than sockaddr_in6. The
   mapped form goes through skew__ip_norm like every other address. */
SKEW_API skew_result skew_ip_from_sockaddr(const struct sockaddr *sa, size_t sa_len, skew_ip *out) {
    skew_ip raw;
    if (!out) return SKEW_ERR_INVALID;
    memset(out, 0, sizeof *out);
    memset(&raw, 0, sizeof raw);
    if (!sa || sa_len < sizeof sa->sa_family + offsetof(struct sockaddr, sa_family)) return SKEW_ERR_INVALID;
    if (sa->sa_family == AF_INET && sa_len >= sizeof(struct sockaddr_in)) {
        struct sockaddr_in in4;
        memcpy(&in4, sa, sizeof in4);
        raw.family = 4;
        memcpy(raw.bytes, &in4.sin_addr, 4);
    } else if (sa->sa_family == AF_INET6 && sa_len >= sizeof(struct sockaddr_in6)) {
        struct sockaddr_in6 in6;
        memcpy(&in6, sa, sizeof in6);
        raw.family = 6;
        memcpy(raw.bytes, &in6.sin6_addr, 16);
    } else {
        return SKEW_ERR_INVALID;
    }
    *out = skew__ip_norm(&raw);
    return SKEW_OK;
}
#endif

/* trust_none wins over trust_all (the safe reading when both are set); trust_all trusts even
   an unknown peer (family 0); a NULL policy is the zero policy (loopback only);
   trusted_count above SKEW_MAX_TRUSTED_PROXIES is clamped to the array. */
/* skew_ip_policy_trusts for a peer already normalised (skew__ip_norm) */
SKEW__PRIV bool skew__ip_trusts_norm(const skew_ip_policy *policy, const skew_ip *p) {
    size_t k, n;
    if (policy && policy->trust_none) return false;
    if (policy && policy->trust_all) return true;
    if (policy && policy->trusted_count) {
        n = policy->trusted_count < SKEW_MAX_TRUSTED_PROXIES ? policy->trusted_count : SKEW_MAX_TRUSTED_PROXIES;
        for (k = 0; k < n; k++)
            if (skew_cidr_contains(&policy->trusted[k], p)) return true;
        return false;
    }
    if (p->family == 4) return p->bytes[0] == 127;
    if (p->family == 6) {
        static const uint8_t loop6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        return memcmp(p->bytes, loop6, 16) == 0;
    }
    return false;
}

SKEW_API bool skew_ip_policy_trusts(const skew_ip_policy *policy, const skew_ip *peer) {
    skew_ip p;
    if (!peer) return false;
    p = skew__ip_norm(peer);
    return skew__ip_trusts_norm(policy, &p);
}

#if SKEW_ENABLE_IP
/* The address in header k's value v (k: 1 x-forwarded-for and 3 Forwarded are walked, the
   others hold one address), or false. Never inlined: the walk inlined in skew_get_client_ip's
   loop made every open (the per-address cap asks) pay for its registers while the proxy headers
   were absent. */
#if !SKEW_OPTIMIZE_SIZE && (defined(__GNUC__) || defined(__clang__))
__attribute__((noinline))
#endif
SKEW__PRIV bool skew__ip_from_header(const skew_ip_policy *policy, int k, skew_str v, skew_ip *ip) {
    memset(ip, 0, sizeof *ip);
    if (k == 1 || k == 3) return skew__ip_walk(policy, v, k == 3, ip);
    return skew_ip_parse_loose(v, ip) == SKEW_OK;
}
#endif

/* A header that yields nothing (absent, garbage, obfuscated, walk stopped) is skipped, never
   an error: the next source is tried, and the socket peer is the last word. cf-connecting-ip
   and x-real-ip hold one address: a list there is garbage. */
SKEW_API skew_result skew_get_client_ip(const skew_ip_policy *policy, const skew_request *req, skew_ip *out,
                                   skew_ip_source *source) {
    skew_ip peer;
    if (source) *source = SKEW_IP_SOURCE_NONE;
    if (!out) return SKEW_ERR_INVALID;
    memset(out, 0, sizeof *out);
    if (!req) return SKEW_ERR_INVALID;
    peer = skew__ip_norm(&req->peer);
#if SKEW_ENABLE_IP
    /* no header hook: every header is absent (as skew_get_header says), nothing to look up */
    if (req->header && skew__ip_trusts_norm(policy, &peer)) {
        static const char *const names[4] = {"cf-connecting-ip", "x-forwarded-for", "x-real-ip", "forwarded"};
        static const skew_ip_source from[4] = {SKEW_IP_SOURCE_CF_CONNECTING_IP, SKEW_IP_SOURCE_X_FORWARDED_FOR,
                                               SKEW_IP_SOURCE_X_REAL_IP, SKEW_IP_SOURCE_FORWARDED};
        int k;
        for (k = 0; k < 4; k++) {
            skew_str v;
            skew_ip ip;
            if (policy && policy->headers && !(policy->headers & (1u << k))) continue; /* not ours to believe */
            v = req->header(req->header_ctx, names[k]); /* only the believed headers are looked up */
            if (!v.ptr || !v.len) continue;
            if (skew__ip_from_header(policy, k, v, &ip)) {
                *out = ip;
                if (source) *source = from[k];
                return SKEW_OK;
            }
        }
    }
#else
    (void)policy;
#endif
    if (!peer.family) return SKEW_ERR_NOT_FOUND;
    *out = peer;
    if (source) *source = SKEW_IP_SOURCE_PEER;
    return SKEW_OK;
}

/* ======================================================================================
   >>bot  User-Agent bot filter
   ======================================================================================
   skew_is_bot() looks at every UA byte once. Each byte gets a character class (letters
   folded, digits as one class, space, each ASCII punctuation, "other" for the rest); the
   class pairs at even offsets (bytes 0-1, 2-3, ...) are tested against a 4096-bit set of the
   pairs that rules are indexed under. Every rule is indexed under two of its own pairs, one
   at an even and one at an odd offset of its text, so wherever it stands in the UA one of
   them is read; the generator picks the pairs rarest in browser UAs. A browser UA hits the
   set about four times; most hits then fail on the class of the byte after the pair
   (skew__bot_next), and only the rest compare rules: the short list under that pair.
   Rules anchored at the start are tried once, and a handful of UA shapes that no browser
   sends (bare "name/1.0", "Mozilla/5.0 (compatible; x/1.0)", ...) are code in
   skew__bot_shape(), each anchored at one end of the UA. Every check stops at a bound, so
   the whole test is linear in the UA length; nothing allocates.
   The rules are data: tools/bots/rules.txt, turned into the table below by
   tools/bots/gen-table.js. SKEW_ENABLE_BOT_TABLE 0 leaves the table and the matcher out;
   then only an empty UA is a bot and the run-time patterns still work. */

#if SKEW_BOT_PATTERN_MAX < 2 || SKEW_BOT_PATTERN_MAX > 256
#error "SKEW_BOT_PATTERN_MAX must be 2..256"
#endif

/* An empty UA: absent, or nothing but spaces and tabs. */
SKEW__PRIV bool skew__bot_empty(skew_str ua) {
    if (!ua.ptr) return true;
    if (ua.len && !skew__is_space((unsigned char)ua.ptr[0])) return false; /* most UAs: no trim */
    return skew__trim(ua).len == 0;
}

SKEW__PRIV bool skew__bot_digit(unsigned char c) { return c >= '0' && c <= '9'; }
SKEW__PRIV bool skew__bot_alnum(unsigned char c) {
    /* c | 0x20 folds exactly the letters into 'a'..'z'; no other byte lands there */
    return (unsigned)((c | 0x20u) - 'a') < 26u || (unsigned)(c - '0') < 10u;
}
/* A regex \w character: ASCII letter, digit or '_'. */
SKEW__PRIV bool skew__bot_word(unsigned char c) { return c == '_' || skew__bot_alnum(c); }

/* p[0..n) equals the lowercase text t, ASCII case-insensitively. */
SKEW__PRIV bool skew__bot_eq(const unsigned char *p, const char *t, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if (skew__lower(p[i]) != (unsigned char)t[i]) return false;
    return true;
}

#if SKEW_ENABLE_BOT_TABLE

typedef struct skew__bot_rule {
    uint16_t off;     /* text in skew__bot_text */
    uint8_t len;
    uint8_t flags;    /* SKEW__BOT_F_* */
    uint8_t veto;     /* first entry in skew__bot_vetoes, 0 = none */
} skew__bot_rule;

typedef struct skew__bot_veto {
    uint16_t off;
    uint8_t len;
    uint8_t kind;     /* SKEW__BOT_V_AFTER, SKEW__BOT_V_LAST */
} skew__bot_veto;

#define SKEW__BOT_F_START 1u  /* only at offset 0 */
#define SKEW__BOT_F_LB 2u     /* no \w character right before, as a regex \b */
#define SKEW__BOT_F_RB 4u     /* no \w character right after, as a regex \b */
#define SKEW__BOT_F_END 8u    /* only at the end */
#define SKEW__BOT_F_EMAIL 16u /* '@' followed by letter, [\w-]+, '.' */
#define SKEW__BOT_F_WORD 32u  /* a \w character right before */
#define SKEW__BOT_V_AFTER 1u
#define SKEW__BOT_V_LAST 2u
#define SKEW__BOT_CLASS_END 63u

/* >>bot-table BEGIN (generated by tools/bots/gen-table.js from tools/bots/rules.txt) */
/* 210 rules (73 anchored at the start), 479 index pairs.
   Rule texts are lowercase; every rule and veto text below is a slice of skew__bot_text. */
#define SKEW__BOT_RULE_COUNT 210
#define SKEW__BOT_START_COUNT 73
#define SKEW__BOT_PAIR_COUNT 479
#define SKEW__BOT_LIST_COUNT 586
#define SKEW__BOT_VETO_COUNT 16
#define SKEW__BOT_TEXT_LEN 1599
static const char skew__bot_text[SKEW__BOT_TEXT_LEN + 1] =
    "hubspot marketing graderblackbox exporterzoom marketplace/chrome-lighthouseprospectingstudioxenu"
    " link sleuthask jeeves/teomaburpcollaboratorcookiehubverify/exaleadcloudviewsecurityheadersexodu"
    "smovementmicrosoft bitsavsdevicesdk/bluecoat drtrproductfinderminiature.io/claude-code/navermail"
    "appsupercleanerddg-androidddg_androidmovabletypespace bisonchromeframefunctionizeibisbrowsermanu"
    "s-user/neustar wpmtestlocallyad muncherduckduckgoremove.bg/webbandit/classifiercloudflarecollaps"
    "ifyconvertifyinfrawatchmarketgoo/playwrightpowermarksspeedcurvestatuscaketranscoderwappalyzerweb"
    "kit2pngbiglotrondiscoursedispatch/downcast/getright/ps_daily/webcopierwordpressdareboostdejaclic"
    "kdiscoverydmbrowserforegenixhardenizelinkchecklinktigerpageburstpagespeedphantomjsreadable/retri"
    "eversparkler/syntheticvalidatorwatchtowrwebglance(dart:io) channel/facebookgozilla/igetter/snapc"
    "hatthumbor/whatsappanalyzerattractacypress/datanyzedownloadheadlessmail.ru/offbyoneoptimizeselen"
    "iumsilktidevirtuosowhatcms/gtmetrixturingossapphireapache/clamav clamav/client/cobweb/hotzonunet"
    "surfofflineopenai/postmantaringa deusu/advisorarchivebrowsexcapturecheckercursor/firephphttracki"
    "nsightinspectiplabellibrarymeasuremonitoropenvaspingdompreviewsindup/synapsetorrentgoogle//googl"
    "eactivecustomhobbithwcdn/jeode/jetty/jigsawpythonstape/yandex daum  daum/detecthotjarparserscrap"
    "eserverspidersplashxtate/ pixelamayaazureemailowlersora swcd yahoobots_time//1.0;abuseagentaudit"
    "catchcrawlnutchproxyptst/ptst radarrexx;rigorsogoutools ylt rankreedrestwgetzdm/bot_newsscanhttp"
    "24x7.comort/perlfeedgrabjavanodersssvnw3cbw/dlcurl cucam()wv<@|";
/* {text offset, length, flags, first veto}; flags:
   1 start only, 2 boundary before, 4 boundary after, 8 end only, 16 @email, 32 @word */
static const skew__bot_rule skew__bot_rules[SKEW__BOT_RULE_COUNT] = {
    {1249, 6, 1, 0}, /* 0: ^ active */
    {413, 10, 1, 0}, /* 1: ^ ad muncher */
    {1375, 5, 1, 0}, /* 2: ^ amaya */
    {1011, 7, 1, 0}, /* 3: ^ apache/ */
    {215, 13, 1, 0}, /* 4: ^ avsdevicesdk/ */
    {1380, 5, 1, 0}, /* 5: ^ azure */
    {583, 9, 1, 0}, /* 6: ^ biglotron */
    {24, 17, 1, 0}, /* 7: ^ blackbox exporter */
    {1410, 3, 1, 0}, /* 8: ^ bot */
    {1018, 7, 1, 0}, /* 9: ^ clamav  */
    {1025, 7, 1, 0}, /* 10: ^ clamav/ */
    {267, 12, 1, 0}, /* 11: ^ claude-code/ */
    {1032, 7, 1, 0}, /* 12: ^ client/ */
    {1039, 7, 1, 0}, /* 13: ^ cobweb/ */
    {1255, 6, 1, 0}, /* 14: ^ custom */
    {303, 11, 1, 0}, /* 15: ^ ddg-android */
    {314, 11, 1, 0}, /* 16: ^ ddg_android */
    {592, 9, 1, 0}, /* 17: ^ discourse */
    {601, 9, 1, 0}, /* 18: ^ dispatch/ */
    {610, 9, 1, 0}, /* 19: ^ downcast/ */
    {423, 10, 1, 0}, /* 20: ^ duckduckgo */
    {1385, 5, 1, 0}, /* 21: ^ email */
    {187, 14, 1, 0}, /* 22: ^ exodusmovement */
    {835, 8, 1, 0}, /* 23: ^ facebook */
    {619, 9, 1, 0}, /* 24: ^ getright/ */
    {843, 8, 1, 0}, /* 25: ^ gozilla/ */
    {1261, 6, 1, 0}, /* 26: ^ hobbit */
    {1046, 7, 1, 0}, /* 27: ^ hotzonu */
    {1267, 6, 1, 0}, /* 28: ^ hwcdn/ */
    {851, 8, 1, 0}, /* 29: ^ igetter/ */
    {1273, 6, 1, 0}, /* 30: ^ jeode/ */
    {1279, 6, 1, 0}, /* 31: ^ jetty/ */
    {1285, 6, 1, 0}, /* 32: ^ jigsaw */
    {201, 14, 1, 0}, /* 33: ^ microsoft bits */
    {325, 11, 1, 0}, /* 34: ^ movabletype */
    {279, 12, 1, 0}, /* 35: ^ navermailapp */
    {1053, 7, 1, 0}, /* 36: ^ netsurf */
    {1060, 7, 1, 0}, /* 37: ^ offline */
    {1067, 7, 1, 0}, /* 38: ^ openai/ */
    {1390, 5, 1, 0}, /* 39: ^ owler */
    {1141, 3, 1, 0}, /* 40: ^ php */
    {1074, 7, 1, 0}, /* 41: ^ postman */
    {628, 9, 1, 0}, /* 42: ^ ps_daily/ */
    {1291, 6, 1, 0}, /* 43: ^ python */
    {1500, 4, 1, 0}, /* 44: ^ rank */
    {754, 4, 1, 0}, /* 45: ^ read */
    {1504, 4, 1, 0}, /* 46: ^ reed */
    {433, 10, 1, 0}, /* 47: ^ remove.bg/ */
    {1508, 4, 1, 0}, /* 48: ^ rest */
    {1568, 3, 1, 0}, /* 49: ^ rss */
    {859, 8, 1, 0}, /* 50: ^ snapchat */
    {1395, 5, 1, 0}, /* 51: ^ sora  */
    {336, 11, 1, 0}, /* 52: ^ space bison */
    {1297, 6, 1, 0}, /* 53: ^ stape/ */
    {1571, 3, 1, 0}, /* 54: ^ svn */
    {1400, 5, 1, 0}, /* 55: ^ swcd  */
    {1081, 7, 1, 0}, /* 56: ^ taringa */
    {867, 8, 1, 0}, /* 57: ^ thumbor/ */
    {1146, 5, 1, 0}, /* 58: ^ track */
    {1574, 3, 1, 0}, /* 59: ^ w3c */
    {443, 10, 1, 0}, /* 60: ^ webbandit/ */
    {637, 9, 1, 0}, /* 61: ^ webcopier */
    {1512, 4, 1, 0}, /* 62: ^ wget */
    {875, 8, 1, 0}, /* 63: ^ whatsapp */
    {646, 9, 1, 0}, /* 64: ^ wordpress */
    {92, 16, 1, 0}, /* 65: ^ xenu link sleuth */
    {1405, 5, 1, 0}, /* 66: ^ yahoo */
    {1303, 6, 1, 0}, /* 67: ^ yandex */
    {1516, 4, 1, 0}, /* 68: ^ zdm/ */
    {41, 17, 1, 0}, /* 69: ^ zoom marketplace/ */
    {817, 1, 1, 0}, /* 70: ^ ( */
    {1424, 1, 1, 0}, /* 71: ^ ; */
    {1596, 1, 1, 0}, /* 72: ^ < */
    {1410, 3, 4, 1}, /* 73: > bot !<" cu" */
    {1410, 4, 4, 2}, /* 74: > bots !<" cu" */
    {1520, 4, 0, 3}, /* 75:  bot_ !<" cu" */
    {1410, 5, 0, 4}, /* 76:  bots_ !<" cu" */
    {1309, 6, 0, 0}, /* 77:   daum  */
    {1315, 6, 0, 0}, /* 78:   daum/ */
    {1088, 7, 0, 0}, /* 79:   deusu/ */
    {1524, 4, 0, 5}, /* 80:  news !<"g" !>"sapphire" */
    {1235, 6, 0, 7}, /* 81:  google !<" channel/" !<"google/" !>"wv" !>"app" !>"/google" !>" pixel" */
    {1528, 4, 0, 13}, /* 82:  scan !<"cam" */
    {1532, 4, 0, 14}, /* 83:  http !<"lib" */
    {1536, 4, 0, 0}, /* 84:  24x7 */
    {1597, 1, 16, 0}, /* 85: @email @ */
    {1592, 2, 0, 0}, /* 86:  () */
    {1540, 4, 4, 0}, /* 87: > .com */
    {1577, 3, 2, 0}, /* 88: < bw/ */
    {1580, 3, 6, 0}, /* 89: <> dlc */
    {1544, 4, 2, 0}, /* 90: < ort/ */
    {1548, 4, 6, 0}, /* 91: <> perl */
    {1415, 5, 2, 0}, /* 92: < time/ */
    {1598, 1, 0, 0}, /* 93:  | */
    {1420, 5, 32, 0}, /* 94: @word /1.0; */
    {1425, 5, 0, 0}, /* 95:  abuse */
    {1095, 7, 0, 0}, /* 96:  advisor */
    {1430, 5, 4, 0}, /* 97: > agent */
    {883, 8, 0, 0}, /* 98:  analyzer */
    {1102, 7, 0, 0}, /* 99:  archive */
    {108, 16, 0, 0}, /* 100:  ask jeeves/teoma */
    {891, 8, 0, 0}, /* 101:  attracta */
    {1435, 5, 0, 0}, /* 102:  audit */
    {228, 13, 0, 0}, /* 103:  bluecoat drtr */
    {1109, 7, 0, 0}, /* 104:  browsex */
    {124, 16, 0, 0}, /* 105:  burpcollaborator */
    {1116, 7, 0, 0}, /* 106:  capture */
    {1440, 5, 0, 0}, /* 107:  catch */
    {713, 5, 4, 0}, /* 108: > check */
    {1123, 7, 0, 0}, /* 109:  checker */
    {58, 17, 0, 0}, /* 110:  chrome-lighthouse */
    {347, 11, 0, 0}, /* 111:  chromeframe */
    {453, 10, 0, 0}, /* 112:  classifier */
    {463, 10, 0, 0}, /* 113:  cloudflare */
    {473, 10, 4, 0}, /* 114: > collapsify */
    {483, 10, 0, 0}, /* 115:  convertify */
    {140, 16, 0, 0}, /* 116:  cookiehubverify/ */
    {1445, 5, 0, 0}, /* 117:  crawl */
    {1130, 7, 0, 0}, /* 118:  cursor/ */
    {899, 8, 0, 0}, /* 119:  cypress/ */
    {655, 9, 0, 0}, /* 120:  dareboost */
    {907, 8, 0, 0}, /* 121:  datanyze */
    {664, 9, 0, 0}, /* 122:  dejaclick */
    {1321, 6, 0, 0}, /* 123:  detect */
    {673, 9, 0, 0}, /* 124:  discovery */
    {682, 9, 0, 0}, /* 125:  dmbrowser */
    {915, 8, 0, 0}, /* 126:  download */
    {156, 16, 0, 0}, /* 127:  exaleadcloudview */
    {1552, 4, 0, 0}, /* 128:  feed */
    {1137, 7, 0, 0}, /* 129:  firephp */
    {691, 9, 0, 0}, /* 130:  foregenix */
    {358, 11, 0, 0}, /* 131:  functionize */
    {1556, 4, 0, 0}, /* 132:  grab */
    {700, 9, 4, 0}, /* 133: > hardenize */
    {923, 8, 0, 0}, /* 134:  headless */
    {1327, 6, 0, 0}, /* 135:  hotjar */
    {1144, 7, 0, 0}, /* 136:  httrack */
    {0, 24, 0, 0}, /* 137:  hubspot marketing grader */
    {369, 11, 0, 0}, /* 138:  ibisbrowser */
    {493, 10, 0, 0}, /* 139:  infrawatch */
    {1151, 7, 0, 0}, /* 140:  insight */
    {1158, 7, 0, 0}, /* 141:  inspect */
    {1165, 7, 0, 0}, /* 142:  iplabel */
    {1560, 4, 0, 15}, /* 143:  java !>";" */
    {1172, 7, 0, 0}, /* 144:  library */
    {709, 9, 0, 0}, /* 145:  linkcheck */
    {718, 9, 0, 0}, /* 146:  linktiger */
    {931, 8, 0, 0}, /* 147:  mail.ru/ */
    {380, 11, 0, 0}, /* 148:  manus-user/ */
    {503, 10, 0, 0}, /* 149:  marketgoo/ */
    {1179, 7, 0, 0}, /* 150:  measure */
    {1186, 7, 4, 0}, /* 151: > monitor */
    {391, 11, 0, 0}, /* 152:  neustar wpm */
    {1564, 4, 4, 0}, /* 153: > node */
    {1450, 5, 0, 0}, /* 154:  nutch */
    {939, 8, 0, 0}, /* 155:  offbyone */
    {1193, 7, 0, 0}, /* 156:  openvas */
    {947, 8, 0, 0}, /* 157:  optimize */
    {727, 9, 0, 0}, /* 158:  pageburst */
    {736, 9, 0, 0}, /* 159:  pagespeed */
    {1333, 6, 0, 0}, /* 160:  parser */
    {745, 9, 0, 0}, /* 161:  phantomjs */
    {1200, 7, 0, 0}, /* 162:  pingdom */
    {513, 10, 0, 0}, /* 163:  playwright */
    {523, 10, 0, 0}, /* 164:  powermarks */
    {1207, 7, 0, 0}, /* 165:  preview */
    {241, 13, 0, 0}, /* 166:  productfinder */
    {75, 17, 0, 0}, /* 167:  prospectingstudio */
    {1455, 5, 0, 0}, /* 168:  proxy */
    {1460, 5, 0, 0}, /* 169:  ptst/ */
    {1465, 5, 0, 0}, /* 170:  ptst  */
    {1470, 5, 0, 0}, /* 171:  radar */
    {754, 9, 0, 0}, /* 172:  readable/ */
    {763, 9, 0, 0}, /* 173:  retriever */
    {1475, 5, 0, 0}, /* 174:  rexx; */
    {1480, 5, 0, 0}, /* 175:  rigor */
    {1568, 3, 4, 0}, /* 176: > rss */
    {1339, 6, 0, 0}, /* 177:  scrape */
    {172, 15, 0, 0}, /* 178:  securityheaders */
    {955, 8, 0, 0}, /* 179:  selenium */
    {1345, 6, 0, 0}, /* 180:  server */
    {963, 8, 0, 0}, /* 181:  silktide */
    {1214, 7, 0, 0}, /* 182:  sindup/ */
    {1485, 5, 0, 0}, /* 183:  sogou */
    {772, 9, 0, 0}, /* 184:  sparkler/ */
    {533, 10, 0, 0}, /* 185:  speedcurve */
    {1351, 6, 0, 0}, /* 186:  spider */
    {1357, 6, 0, 0}, /* 187:  splash */
    {543, 10, 0, 0}, /* 188:  statuscake */
    {291, 12, 0, 0}, /* 189:  supercleaner */
    {1221, 7, 0, 0}, /* 190:  synapse */
    {781, 9, 0, 0}, /* 191:  synthetic */
    {402, 11, 0, 0}, /* 192:  testlocally */
    {1490, 5, 0, 0}, /* 193:  tools */
    {1228, 7, 0, 0}, /* 194:  torrent */
    {553, 10, 0, 0}, /* 195:  transcoder */
    {1583, 3, 0, 0}, /* 196:  url */
    {790, 9, 0, 0}, /* 197:  validator */
    {971, 8, 0, 0}, /* 198:  virtuoso */
    {563, 10, 0, 0}, /* 199:  wappalyzer */
    {799, 9, 0, 0}, /* 200:  watchtowr */
    {808, 9, 0, 0}, /* 201:  webglance */
    {573, 10, 0, 0}, /* 202:  webkit2png */
    {979, 8, 0, 0}, /* 203:  whatcms/ */
    {1363, 6, 0, 0}, /* 204:  xtate/ */
    {987, 8, 0, 0}, /* 205:  gtmetrix */
    {254, 13, 0, 0}, /* 206:  miniature.io/ */
    {995, 8, 0, 0}, /* 207:  turingos */
    {1495, 5, 0, 0}, /* 208:   ylt  */
    {817, 9, 0, 0}, /* 209:  (dart:io) */
};
/* {text offset, length, kind}: kind 1 = after the match (else before), 2 = last of its rule */
static const skew__bot_veto skew__bot_vetoes[SKEW__BOT_VETO_COUNT] = {
    {0, 0, 2}, {1586, 3, 2}, {1586, 3, 2}, {1586, 3, 2}, {1586, 3, 2}, {16, 1, 0},
    {1003, 8, 3}, {826, 9, 0}, {1235, 7, 0}, {1594, 2, 1}, {288, 3, 1}, {1242, 7, 1},
    {1369, 6, 3}, {1589, 3, 2}, {1172, 3, 2}, {1424, 1, 3},
};
/* Character class of each byte: 0 other, 1-26 letters, 27 digit, 28 space/tab, 29-60 punctuation. */
static const uint8_t skew__bot_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 44, 45, 46, 47, 48, 49,
    50, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 51, 52, 53, 54, 55,
    56, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 57, 58, 59, 60, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};
/* Bit (a << 6 | b) is set when some rule is indexed under the class pair (a, b). */
static const uint64_t skew__bot_pairs[64] = {
    0x0404001000000000u, 0x0404001002f81094u, 0x04040010008490a0u, 0x040400100224a102u,
    0x0404001000603022u, 0x0404041001fd05e2u, 0x0404001002040060u, 0x0404001000149110u,
    0x0404001000200220u, 0x04040010046820e4u, 0x0404001000080002u, 0x0404001000181008u,
    0x0404041002180808u, 0x0404001000000404u, 0x0404001002181a80u, 0x04040010003490d2u,
    0x0404081000144022u, 0x0404001000000000u, 0x04040010001d1822u, 0x048402100209882cu,
    0x04841010003d06cau, 0x0404081000152030u, 0x0404001000000202u, 0x04040810000d5002u,
    0x040400100b100002u, 0x0404001004815000u, 0x0404001000000020u, 0x0404201001000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404003000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000200000u, 0x0404001000040208u, 0x0404001008000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0xffffffffffffffffu, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0xffffffffffffffffu, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0000000000000000u,
};
/* 1: no class pair of "Mozilla/5.0 " at an even offset is in the index and no start rule
   begins like it, so a UA that begins with it skips both */
#define SKEW__BOT_SKIP_MOZILLA 1
#if !SKEW_OPTIMIZE_SIZE /* 4 KB for two loads and an AND per pair in the scan (-Os builds skip them) */
/* skew__bot_pairs[skew__bot_class[c]] for each byte c. */
static const uint64_t skew__bot_row[256] = {
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404003000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000200000u, 0x0404001000040208u, 0x0404001008000000u,
    0x0404201001000000u, 0x0404201001000000u, 0x0404201001000000u, 0x0404201001000000u,
    0x0404201001000000u, 0x0404201001000000u, 0x0404201001000000u, 0x0404201001000000u,
    0x0404201001000000u, 0x0404201001000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0xffffffffffffffffu, 0x0404001002f81094u, 0x04040010008490a0u, 0x040400100224a102u,
    0x0404001000603022u, 0x0404041001fd05e2u, 0x0404001002040060u, 0x0404001000149110u,
    0x0404001000200220u, 0x04040010046820e4u, 0x0404001000080002u, 0x0404001000181008u,
    0x0404041002180808u, 0x0404001000000404u, 0x0404001002181a80u, 0x04040010003490d2u,
    0x0404081000144022u, 0x0404001000000000u, 0x04040010001d1822u, 0x048402100209882cu,
    0x04841010003d06cau, 0x0404081000152030u, 0x0404001000000202u, 0x04040810000d5002u,
    0x040400100b100002u, 0x0404001004815000u, 0x0404001000000020u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001002f81094u, 0x04040010008490a0u, 0x040400100224a102u,
    0x0404001000603022u, 0x0404041001fd05e2u, 0x0404001002040060u, 0x0404001000149110u,
    0x0404001000200220u, 0x04040010046820e4u, 0x0404001000080002u, 0x0404001000181008u,
    0x0404041002180808u, 0x0404001000000404u, 0x0404001002181a80u, 0x04040010003490d2u,
    0x0404081000144022u, 0x0404001000000000u, 0x04040010001d1822u, 0x048402100209882cu,
    0x04841010003d06cau, 0x0404081000152030u, 0x0404001000000202u, 0x04040810000d5002u,
    0x040400100b100002u, 0x0404001004815000u, 0x0404001000000020u, 0x0404001000000000u,
    0xffffffffffffffffu, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
    0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u, 0x0404001000000000u,
};
/* 1 << skew__bot_class[c] for each byte c: the scan tests a pair with an AND, no shift. */
static const uint64_t skew__bot_bit[256] = {
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000010000000u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000010000000u, 0x0000000020000000u, 0x0000000040000000u, 0x0000000080000000u,
    0x0000000100000000u, 0x0000000200000000u, 0x0000000400000000u, 0x0000000800000000u,
    0x0000001000000000u, 0x0000002000000000u, 0x0000004000000000u, 0x0000008000000000u,
    0x0000010000000000u, 0x0000020000000000u, 0x0000040000000000u, 0x0000080000000000u,
    0x0000000008000000u, 0x0000000008000000u, 0x0000000008000000u, 0x0000000008000000u,
    0x0000000008000000u, 0x0000000008000000u, 0x0000000008000000u, 0x0000000008000000u,
    0x0000000008000000u, 0x0000000008000000u, 0x0000100000000000u, 0x0000200000000000u,
    0x0000400000000000u, 0x0000800000000000u, 0x0001000000000000u, 0x0002000000000000u,
    0x0004000000000000u, 0x0000000000000002u, 0x0000000000000004u, 0x0000000000000008u,
    0x0000000000000010u, 0x0000000000000020u, 0x0000000000000040u, 0x0000000000000080u,
    0x0000000000000100u, 0x0000000000000200u, 0x0000000000000400u, 0x0000000000000800u,
    0x0000000000001000u, 0x0000000000002000u, 0x0000000000004000u, 0x0000000000008000u,
    0x0000000000010000u, 0x0000000000020000u, 0x0000000000040000u, 0x0000000000080000u,
    0x0000000000100000u, 0x0000000000200000u, 0x0000000000400000u, 0x0000000000800000u,
    0x0000000001000000u, 0x0000000002000000u, 0x0000000004000000u, 0x0008000000000000u,
    0x0010000000000000u, 0x0020000000000000u, 0x0040000000000000u, 0x0080000000000000u,
    0x0100000000000000u, 0x0000000000000002u, 0x0000000000000004u, 0x0000000000000008u,
    0x0000000000000010u, 0x0000000000000020u, 0x0000000000000040u, 0x0000000000000080u,
    0x0000000000000100u, 0x0000000000000200u, 0x0000000000000400u, 0x0000000000000800u,
    0x0000000000001000u, 0x0000000000002000u, 0x0000000000004000u, 0x0000000000008000u,
    0x0000000000010000u, 0x0000000000020000u, 0x0000000000040000u, 0x0000000000080000u,
    0x0000000000100000u, 0x0000000000200000u, 0x0000000000400000u, 0x0000000000800000u,
    0x0000000001000000u, 0x0000000002000000u, 0x0000000004000000u, 0x0200000000000000u,
    0x0400000000000000u, 0x0800000000000000u, 0x1000000000000000u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
    0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u, 0x0000000000000001u,
};
#endif
/* Set pairs before word w of skew__bot_pairs; with a popcount they number the set pairs. */
static const uint16_t skew__bot_pair_rank[64] = {
    0, 3, 16, 25, 35, 44, 62, 69, 78, 84, 96, 101, 108, 117, 122, 132,
    144, 153, 156, 167, 180, 196, 206, 211, 221, 229, 237, 241, 246, 249, 252, 255,
    258, 261, 264, 267, 270, 274, 277, 280, 283, 286, 290, 296, 300, 303, 306, 309,
    312, 315, 318, 382, 385, 388, 391, 394, 397, 400, 403, 467, 470, 473, 476, 479,
};
/* Rules of the n-th set pair: skew__bot_list[first(n) .. first(n + 1)), where first(n) is
   n + skew__bot_first_less[n] (every pair has a rule, so the difference fits a byte). */
static const uint8_t skew__bot_first_less[SKEW__BOT_PAIR_COUNT + 1] = {
    0, 0, 0, 0, 2, 2, 2, 6, 10, 11, 13, 13, 14, 14, 14, 14,
    14, 14, 14, 14, 15, 15, 15, 15, 15, 15, 18, 19, 19, 19, 19, 20,
    20, 20, 20, 20, 20, 22, 22, 22, 22, 22, 22, 22, 22, 23, 23, 23,
    23, 23, 23, 23, 24, 24, 25, 26, 27, 27, 27, 27, 27, 27, 27, 27,
    27, 27, 28, 28, 28, 28, 28, 29, 30, 30, 30, 30, 30, 30, 30, 32,
    32, 32, 32, 32, 32, 32, 33, 34, 36, 36, 37, 37, 37, 39, 39, 39,
    39, 41, 41, 41, 41, 41, 41, 41, 41, 42, 42, 42, 42, 42, 42, 42,
    42, 43, 43, 43, 43, 43, 43, 43, 43, 43, 43, 44, 48, 49, 49, 49,
    49, 49, 49, 49, 49, 49, 49, 49, 50, 50, 50, 52, 54, 54, 54, 54,
    54, 55, 59, 59, 59, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 62,
    62, 62, 62, 62, 64, 64, 64, 64, 64, 68, 71, 71, 71, 77, 78, 79,
    79, 79, 79, 79, 79, 79, 81, 81, 81, 81, 81, 81, 81, 84, 86, 88,
    88, 88, 88, 88, 88, 89, 89, 90, 91, 97, 97, 97, 97, 97, 97, 98,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 100, 100, 100, 100, 100, 100, 100,
    100, 100, 100, 100, 100, 100, 100, 101, 101, 101, 101, 101, 101, 101, 101, 101,
    101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101,
    101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101,
    101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101,
    101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101,
    101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101,
    101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101,
    101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101, 101,
    101, 101, 101, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102,
    102, 103, 103, 103, 103, 103, 103, 103, 103, 104, 104, 104, 104, 104, 104, 104,
    104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104,
    104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104,
    104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104, 104,
    104, 104, 104, 104, 104, 104, 104, 104, 105, 105, 105, 105, 105, 105, 105, 105,
    105, 105, 105, 105, 105, 105, 106, 106, 106, 106, 106, 106, 106, 106, 107, 107,
    107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107, 107,
};
/* The rule of each list entry (fewer than 256 rules: one byte). */
static const uint8_t skew__bot_list[SKEW__BOT_LIST_COUNT] = {
    86, 85, 93, 95, 142, 172, 171, 97, 98, 127, 192, 197, 199, 100, 112, 150,
    156, 187, 101, 107, 77, 78, 102, 143, 117, 139, 163, 86, 85, 93, 142, 201,
    172, 73, 120, 144, 88, 86, 85, 93, 82, 107, 188, 192, 108, 109, 203, 87,
    177, 118, 178, 119, 86, 85, 93, 171, 123, 153, 186, 89, 125, 166, 96, 86,
    85, 93, 134, 150, 128, 111, 130, 116, 122, 129, 91, 180, 159, 123, 205, 79,
    152, 165, 173, 80, 174, 86, 206, 85, 93, 128, 155, 111, 114, 115, 86, 85,
    93, 162, 110, 140, 81, 201, 175, 132, 205, 86, 85, 93, 108, 109, 134, 99,
    137, 86, 85, 93, 144, 116, 173, 114, 115, 110, 140, 175, 92, 124, 138, 179,
    99, 131, 133, 157, 86, 85, 93, 122, 135, 143, 161, 86, 85, 93, 145, 184,
    164, 146, 181, 86, 85, 93, 89, 181, 193, 208, 98, 199, 86, 147, 85, 93,
    125, 161, 86, 85, 93, 162, 202, 130, 131, 133, 151, 179, 145, 146, 126, 195,
    97, 121, 86, 85, 93, 103, 153, 155, 81, 183, 193, 120, 90, 151, 194, 73,
    74, 75, 113, 86, 85, 93, 158, 160, 91, 141, 167, 185, 189, 202, 168, 169,
    170, 86, 182, 85, 93, 86, 85, 93, 132, 129, 149, 164, 184, 196, 105, 194,
    176, 90, 198, 209, 86, 85, 93, 138, 82, 124, 177, 188, 195, 95, 104, 160,
    180, 100, 183, 137, 141, 159, 167, 185, 186, 187, 112, 176, 190, 191, 86, 148,
    85, 76, 93, 204, 154, 200, 203, 166, 149, 92, 135, 83, 136, 74, 76, 169,
    170, 83, 101, 136, 106, 198, 207, 86, 209, 85, 75, 93, 102, 113, 103, 77,
    78, 182, 189, 105, 106, 118, 158, 178, 196, 207, 154, 86, 79, 85, 93, 156,
    197, 96, 165, 86, 85, 93, 139, 117, 126, 152, 200, 80, 104, 86, 88, 85,
    93, 127, 204, 174, 168, 84, 86, 85, 93, 208, 190, 191, 119, 163, 121, 86,
    85, 93, 157, 86, 85, 93, 84, 86, 94, 85, 93, 86, 85, 93, 86, 85,
    93, 86, 85, 93, 86, 85, 93, 86, 85, 93, 86, 85, 93, 86, 85, 93,
    86, 85, 93, 86, 86, 85, 93, 86, 85, 93, 86, 85, 93, 86, 85, 93,
    86, 85, 93, 148, 86, 85, 93, 87, 206, 147, 86, 85, 93, 94, 86, 85,
    93, 86, 85, 93, 86, 85, 93, 86, 85, 93, 86, 85, 93, 86, 85, 93,
    86, 85, 93, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85,
    85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85,
    85, 85, 85, 85, 85, 85, 85, 85, 86, 85, 85, 85, 85, 85, 85, 85,
    85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85,
    93, 85, 85, 85, 85, 85, 86, 85, 93, 86, 85, 93, 86, 85, 93, 86,
    85, 93, 86, 85, 93, 86, 85, 93, 86, 85, 93, 93, 93, 93, 93, 93,
    93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 93,
    93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 86,
    93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 85, 93,
    93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 93, 86, 85,
    93, 86, 85, 93, 86, 85, 93, 86, 85, 93,
};
/* How far before the second byte of the pair the rule starts (0 = at it, 1 = at the first, ...). */
static const uint8_t skew__bot_back[SKEW__BOT_LIST_COUNT] = {
    0, 0, 0, 1, 4, 5, 2, 1, 3, 3, 8, 2, 5, 1, 3, 3, 6, 4, 1, 2, 3, 3, 1, 2,
    3, 5, 3, 0, 0, 0, 5, 3, 6, 1, 5, 3, 1, 0, 0, 0, 2, 1, 7, 7, 1, 1, 5, 2,
    2, 1, 3, 1, 0, 0, 0, 3, 1, 3, 4, 1, 1, 4, 2, 0, 0, 0, 2, 2, 2, 6, 4, 6,
    2, 4, 2, 2, 4, 2, 4, 3, 2, 3, 6, 2, 2, 0, 9, 0, 0, 1, 2, 7, 9, 9, 0, 0,
    0, 4, 10, 5, 4, 4, 3, 1, 1, 0, 0, 0, 2, 2, 1, 4, 1, 0, 0, 0, 2, 5, 5, 8,
    8, 9, 4, 2, 2, 2, 3, 6, 5, 9, 7, 6, 0, 0, 0, 3, 4, 1, 8, 0, 0, 0, 4, 5,
    9, 4, 4, 0, 0, 0, 2, 3, 4, 3, 4, 6, 0, 4, 0, 0, 2, 7, 0, 0, 0, 3, 9, 7,
    8, 6, 3, 5, 3, 3, 4, 4, 4, 5, 0, 0, 0, 6, 2, 1, 3, 2, 3, 6, 1, 6, 2, 2,
    2, 2, 3, 0, 0, 0, 1, 1, 1, 4, 5, 2, 3, 8, 1, 1, 1, 0, 6, 0, 0, 0, 0, 0,
    2, 3, 3, 8, 4, 2, 3, 3, 1, 2, 3, 4, 0, 0, 0, 4, 1, 3, 1, 6, 5, 4, 5, 4,
    1, 2, 1, 4, 3, 5, 4, 1, 1, 1, 4, 2, 1, 1, 0, 5, 0, 4, 0, 2, 3, 3, 4, 7,
    6, 1, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 4, 4, 1, 0, 5, 0, 3, 0, 2, 4, 3, 4,
    4, 5, 2, 2, 5, 2, 6, 4, 1, 2, 2, 0, 6, 0, 0, 5, 1, 3, 4, 0, 0, 0, 6, 4,
    3, 9, 8, 3, 4, 0, 2, 0, 0, 2, 1, 3, 4, 3, 0, 0, 0, 2, 2, 2, 2, 4, 6, 0,
    0, 0, 7, 0, 0, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 6, 0, 0, 0, 1, 10, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};
#if !SKEW_OPTIMIZE_SIZE /* the quick reject of a hit in two loads (-Os builds read the rule) */
/* Each list entry's last rule byte: at the pair's first byte + skew__bot_tail[j], lowercase skew__bot_last[j]. */
static const uint8_t skew__bot_tail[SKEW__BOT_LIST_COUNT] = {
    2, 1, 1, 4, 3, 4, 3, 4, 5, 13, 3, 7, 5, 15, 7, 4, 1, 2, 7, 3, 3, 3, 4, 2,
    2, 5, 7, 2, 1, 1, 2, 6, 3, 2, 4, 4, 2, 2, 1, 1, 2, 4, 3, 4, 4, 6, 3, 2,
    4, 6, 12, 7, 2, 1, 1, 2, 5, 1, 2, 2, 8, 9, 5, 2, 1, 1, 6, 5, 2, 5, 5, 10,
    7, 3, 2, 4, 5, 4, 4, 4, 9, 4, 3, 2, 3, 2, 4, 1, 1, 3, 6, 4, 1, 1, 2, 1,
    1, 3, 7, 2, 2, 5, 2, 3, 7, 2, 1, 1, 3, 5, 7, 3, 23, 2, 1, 1, 5, 11, 4, 2,
    2, 8, 3, 3, 3, 7, 8, 2, 2, 2, 2, 2, 2, 1, 1, 6, 2, 3, 1, 2, 1, 1, 5, 4,
    1, 5, 4, 2, 1, 1, 1, 5, 1, 2, 4, 4, 2, 4, 1, 1, 7, 2, 2, 1, 1, 4, 1, 2,
    3, 3, 4, 3, 6, 6, 4, 6, 1, 3, 2, 1, 1, 7, 2, 7, 3, 3, 2, 3, 3, 1, 5, 1,
    2, 2, 7, 2, 1, 1, 8, 5, 3, 3, 12, 8, 9, 2, 4, 4, 4, 2, 1, 1, 1, 2, 1, 1,
    2, 4, 7, 2, 5, 1, 13, 4, 2, 2, 5, 5, 2, 1, 1, 7, 3, 6, 5, 4, 5, 1, 2, 2,
    5, 14, 4, 20, 4, 4, 13, 9, 5, 5, 6, 1, 6, 8, 2, 6, 1, 1, 1, 4, 2, 6, 4, 6,
    4, 4, 3, 1, 4, 1, 2, 3, 3, 2, 6, 5, 3, 4, 7, 2, 4, 1, 1, 1, 3, 6, 10, 2,
    2, 2, 10, 14, 2, 5, 3, 11, 2, 6, 3, 2, 1, 1, 1, 2, 8, 4, 3, 2, 1, 1, 4, 1,
    5, 2, 1, 1, 3, 2, 1, 1, 1, 14, 5, 2, 1, 1, 2, 1, 1, 3, 5, 7, 6, 6, 2, 2,
    1, 1, 1, 2, 1, 1, 2, 2, 1, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2,
    1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1,
    2, 1, 1, 5, 2, 1, 1, 3, 3, 3, 2, 1, 1, 4, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2,
    1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 0, 0, 0, 0, 0, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1,
    2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 1,
    1, 2, 1, 1, 2, 1, 1, 2, 1, 1,
};
static const char skew__bot_last[SKEW__BOT_LIST_COUNT + 1] =
    ")@|el/rtrwyrrareshah /talht)@|le/tty/)@|nheykr/me/s/)@|rtercrrr)@|sedex/kplrdtx/mwrs;)/@|deeyy)@"
    "|meteerbx)@|krser)@|y/ryyetr/yrmeeee)@|kras)@|k/sre)@|ces rr)/@|rs)@|mgxeermkrdrte)@|reeeust/rtt"
    "s_e)@|trltoergy/ )/@|)@|bp/s/lrts/o))@|rnyeerexrraurtdoerhrsec)/@_|/hr/r//rpks_/ pakeos))@_|ter "
    "//rre/tslsh)/@|srrw)@|hldmrsx)/@|w/;y7)@| ec/te)@|e)@|7);@|)@|)@|)@|)@|)@|)@|)@|)@|))@|)@|)@|)@|"
    ")@|/)@|m//)@|;)@|)@|)@|)@|)@|)@|)@|@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@)@@@@@@@@@@@@@@@@@@@@@@@"
    "|@@@@@)@|)@|)@|)@|)@|)@|)@|||||||||||||||||||||||||||||||||||||)||||||||||||||@|||||||||||||||)@"
    "|)@|)@|)@|";
/* 8 KB: the rules of class pair k are skew__bot_list[key_first[k] .. key_first[k + 1]) (empty when
   k is not in the index), so a hit needs no rank and popcount. */
static const uint16_t skew__bot_key_first[4097] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 6, 6, 7, 7, 7,
    8, 8, 8, 8, 8, 13, 13, 13, 13, 13, 13, 13, 18, 20, 23, 24, 26, 26, 27, 27, 27, 27, 27, 27,
    27, 27, 27, 27, 27, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 29, 29, 29, 29, 29,
    29, 29, 29, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 31, 31, 32, 32, 32, 32, 32, 33, 33, 33,
    35, 35, 35, 36, 36, 36, 36, 36, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 38, 38, 38,
    38, 38, 38, 38, 38, 38, 38, 38, 38, 38, 38, 39, 39, 39, 39, 39, 39, 39, 39, 40, 40, 40, 40, 40,
    40, 40, 44, 44, 44, 44, 44, 44, 44, 46, 46, 46, 46, 46, 47, 47, 48, 48, 48, 49, 49, 49, 51, 51,
    51, 51, 52, 52, 52, 52, 52, 52, 52, 52, 52, 52, 52, 53, 53, 53, 53, 53, 53, 53, 53, 53, 53, 53,
    53, 53, 53, 54, 54, 54, 54, 54, 54, 54, 54, 55, 55, 55, 55, 55, 55, 55, 56, 56, 56, 56, 59, 59,
    59, 59, 59, 59, 59, 60, 61, 61, 61, 61, 61, 61, 61, 61, 62, 63, 63, 63, 63, 63, 63, 63, 63, 63,
    63, 63, 63, 63, 63, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 65, 65, 65, 65, 65,
    65, 65, 65, 66, 66, 66, 66, 66, 66, 66, 68, 68, 68, 68, 69, 70, 71, 72, 72, 73, 73, 73, 73, 73,
    73, 74, 74, 76, 77, 79, 81, 83, 84, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 85, 86, 86, 86,
    86, 86, 86, 87, 87, 87, 87, 87, 87, 87, 87, 88, 88, 88, 88, 88, 88, 88, 88, 89, 89, 89, 89, 89,
    89, 89, 89, 89, 89, 89, 90, 91, 91, 91, 91, 91, 91, 91, 91, 91, 91, 91, 91, 92, 92, 92, 92, 92,
    92, 92, 94, 94, 94, 94, 94, 94, 94, 94, 94, 94, 94, 95, 95, 95, 95, 95, 95, 95, 95, 95, 95, 95,
    95, 95, 95, 96, 96, 96, 96, 96, 96, 96, 96, 97, 97, 97, 97, 97, 97, 97, 97, 97, 97, 98, 98, 98,
    98, 100, 100, 100, 100, 102, 102, 102, 103, 103, 103, 104, 104, 105, 105, 105, 105, 105, 105, 105, 105, 105, 105, 105,
    105, 105, 105, 105, 105, 106, 106, 106, 106, 106, 106, 106, 106, 106, 106, 106, 106, 106, 106, 107, 107, 107, 107, 107,
    107, 107, 107, 108, 108, 108, 108, 108, 108, 108, 108, 108, 108, 108, 111, 111, 111, 111, 112, 112, 112, 112, 112, 112,
    112, 112, 112, 112, 112, 112, 113, 113, 113, 113, 113, 113, 113, 113, 113, 113, 113, 113, 113, 113, 113, 114, 114, 114,
    114, 114, 114, 114, 114, 114, 114, 114, 114, 114, 114, 115, 115, 115, 115, 115, 115, 115, 115, 116, 116, 116, 116, 116,
    116, 116, 116, 117, 117, 117, 119, 121, 124, 124, 124, 124, 124, 124, 125, 125, 125, 125, 125, 125, 127, 127, 128, 129,
    129, 129, 129, 132, 132, 132, 132, 132, 132, 132, 132, 132, 132, 133, 133, 133, 133, 133, 133, 133, 133, 133, 133, 133,
    133, 133, 133, 134, 134, 134, 134, 134, 134, 134, 134, 135, 135, 135, 135, 135, 135, 135, 138, 138, 138, 138, 138, 138,
    138, 138, 138, 138, 138, 138, 138, 138, 138, 138, 138, 138, 139, 139, 139, 139, 139, 139, 139, 139, 139, 139, 139, 139,
    139, 139, 139, 139, 139, 140, 140, 140, 140, 140, 140, 140, 140, 140, 140, 140, 140, 140, 140, 141, 141, 141, 141, 141,
    141, 141, 141, 142, 142, 142, 142, 142, 142, 142, 142, 142, 143, 143, 143, 143, 143, 143, 143, 143, 143, 144, 144, 144,
    144, 144, 144, 144, 145, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 147, 148, 148, 148,
    148, 148, 148, 148, 148, 148, 148, 148, 148, 148, 148, 149, 149, 149, 149, 149, 149, 149, 149, 150, 150, 150, 150, 150,
    150, 150, 150, 150, 151, 151, 151, 151, 151, 151, 151, 151, 152, 152, 152, 152, 152, 152, 152, 152, 153, 154, 154, 154,
    154, 154, 156, 156, 156, 156, 156, 156, 156, 156, 156, 156, 156, 157, 157, 157, 157, 157, 157, 158, 158, 158, 158, 158,
    158, 158, 158, 159, 159, 159, 159, 159, 159, 159, 159, 160, 160, 160, 160, 160, 160, 160, 160, 161, 161, 161, 161, 161,
    161, 161, 161, 162, 162, 162, 162, 162, 162, 162, 162, 162, 162, 162, 162, 162, 162, 162, 162, 162, 162, 162, 162, 162,
    162, 162, 162, 162, 162, 163, 163, 163, 163, 163, 163, 163, 163, 163, 163, 163, 163, 163, 163, 164, 164, 164, 164, 164,
    164, 164, 164, 165, 165, 165, 165, 165, 165, 165, 165, 165, 165, 165, 165, 165, 167, 167, 172, 172, 174, 175, 175, 175,
    175, 175, 175, 175, 176, 177, 177, 177, 177, 177, 178, 178, 178, 178, 178, 178, 178, 178, 178, 178, 178, 179, 179, 179,
    179, 179, 179, 179, 179, 179, 179, 179, 179, 179, 179, 180, 180, 180, 180, 180, 180, 180, 180, 181, 181, 181, 181, 181,
    181, 181, 182, 182, 182, 183, 183, 184, 186, 186, 186, 186, 186, 187, 187, 187, 188, 188, 188, 191, 191, 194, 195, 195,
    195, 195, 195, 195, 195, 195, 195, 195, 195, 195, 195, 195, 195, 196, 196, 196, 196, 196, 196, 196, 196, 196, 196, 196,
    196, 196, 196, 197, 197, 197, 197, 197, 197, 197, 197, 198, 198, 198, 198, 198, 198, 198, 200, 200, 200, 200, 205, 205,
    205, 205, 205, 205, 205, 205, 205, 206, 206, 206, 206, 207, 207, 209, 209, 209, 209, 209, 209, 209, 209, 209, 209, 209,
    209, 209, 209, 209, 209, 210, 210, 210, 210, 210, 210, 210, 211, 211, 211, 211, 211, 211, 211, 212, 212, 212, 212, 212,
    212, 212, 212, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213,
    213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 213, 214, 214, 214,
    214, 214, 214, 214, 214, 214, 214, 214, 214, 214, 214, 215, 215, 215, 215, 215, 215, 215, 215, 216, 216, 216, 216, 216,
    216, 216, 217, 217, 217, 217, 218, 218, 218, 218, 218, 218, 221, 222, 222, 222, 222, 223, 223, 224, 225, 228, 228, 228,
    228, 228, 228, 228, 228, 228, 228, 228, 228, 228, 228, 228, 228, 229, 229, 229, 229, 229, 229, 229, 229, 229, 229, 229,
    229, 229, 229, 230, 230, 230, 230, 230, 230, 230, 230, 231, 231, 231, 231, 231, 231, 231, 231, 232, 237, 237, 241, 241,
    241, 241, 241, 241, 242, 242, 242, 242, 243, 250, 250, 250, 252, 252, 252, 252, 252, 252, 254, 254, 254, 254, 254, 254,
    254, 254, 254, 254, 254, 255, 255, 255, 255, 255, 256, 256, 256, 256, 256, 256, 256, 256, 256, 257, 257, 257, 257, 257,
    258, 258, 258, 259, 259, 259, 259, 259, 259, 259, 260, 260, 263, 263, 263, 264, 265, 265, 266, 267, 267, 267, 267, 267,
    267, 268, 268, 269, 273, 276, 279, 279, 279, 279, 279, 279, 279, 279, 279, 279, 279, 279, 279, 279, 279, 280, 280, 280,
    280, 280, 280, 280, 280, 281, 281, 281, 281, 281, 281, 282, 282, 282, 282, 282, 283, 283, 283, 284, 284, 284, 284, 284,
    284, 284, 284, 284, 284, 286, 287, 287, 287, 287, 287, 287, 287, 287, 289, 289, 289, 291, 291, 298, 298, 299, 299, 299,
    299, 299, 299, 299, 299, 299, 299, 299, 299, 299, 299, 299, 299, 300, 300, 300, 300, 300, 300, 300, 301, 301, 301, 301,
    301, 301, 301, 302, 302, 302, 302, 302, 302, 302, 302, 303, 303, 303, 303, 303, 303, 303, 305, 305, 305, 305, 305, 305,
    305, 305, 307, 307, 307, 307, 307, 307, 307, 307, 307, 307, 307, 307, 307, 307, 307, 307, 307, 307, 307, 307, 307, 307,
    307, 307, 307, 307, 307, 308, 308, 308, 308, 308, 308, 308, 308, 308, 308, 308, 308, 308, 308, 309, 309, 309, 309, 309,
    309, 309, 309, 310, 310, 310, 310, 310, 310, 310, 311, 311, 311, 311, 311, 311, 311, 311, 311, 311, 311, 312, 312, 313,
    313, 314, 314, 315, 317, 317, 317, 317, 317, 317, 317, 317, 317, 317, 317, 317, 317, 317, 317, 317, 317, 318, 318, 318,
    318, 318, 318, 318, 319, 319, 319, 319, 319, 319, 319, 320, 320, 320, 320, 320, 320, 320, 320, 321, 321, 321, 321, 321,
    321, 321, 322, 322, 322, 322, 322, 322, 322, 322, 322, 322, 322, 322, 322, 322, 322, 322, 322, 322, 322, 323, 323, 323,
    323, 324, 325, 325, 326, 326, 326, 326, 326, 326, 326, 326, 326, 327, 327, 327, 327, 327, 327, 327, 327, 327, 327, 327,
    327, 327, 327, 328, 328, 328, 328, 328, 328, 328, 328, 329, 329, 329, 329, 329, 329, 329, 329, 329, 329, 329, 329, 329,
    329, 329, 329, 329, 329, 330, 330, 332, 332, 333, 333, 333, 333, 333, 333, 333, 334, 334, 334, 335, 335, 335, 335, 335,
    335, 335, 335, 335, 335, 336, 336, 336, 336, 336, 336, 336, 336, 336, 336, 336, 336, 336, 336, 337, 337, 337, 337, 337,
    337, 337, 337, 338, 338, 338, 338, 338, 338, 338, 338, 338, 338, 338, 339, 339, 339, 339, 339, 339, 339, 339, 339, 339,
    339, 339, 339, 339, 339, 339, 339, 339, 339, 339, 339, 339, 339, 339, 339, 339, 339, 339, 339, 339, 339, 340, 340, 340,
    340, 340, 340, 340, 340, 340, 340, 340, 340, 340, 340, 341, 341, 341, 341, 341, 341, 341, 341, 342, 342, 342, 342, 342,
    342, 342, 342, 342, 342, 342, 342, 342, 342, 342, 342, 342, 342, 342, 342, 342, 342, 342, 342, 342, 342, 342, 342, 342,
    342, 343, 343, 343, 343, 343, 343, 343, 343, 343, 343, 343, 343, 344, 344, 344, 344, 344, 344, 344, 344, 344, 345, 345,
    345, 345, 345, 346, 346, 346, 346, 346, 346, 346, 346, 347, 347, 347, 347, 347, 347, 347, 347, 347, 347, 347, 347, 347,
    347, 347, 347, 347, 347, 347, 347, 347, 347, 347, 347, 347, 347, 347, 347, 347, 347, 347, 347, 347, 347, 347, 347, 347,
    347, 347, 347, 347, 347, 348, 348, 348, 348, 348, 348, 348, 348, 348, 348, 348, 348, 348, 348, 349, 349, 349, 349, 349,
    349, 349, 349, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350,
    350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 350, 351, 351, 351,
    351, 351, 351, 351, 351, 351, 351, 351, 351, 351, 351, 352, 352, 352, 352, 352, 352, 352, 352, 353, 353, 353, 353, 353,
    353, 353, 353, 353, 353, 353, 353, 353, 353, 353, 353, 353, 353, 353, 353, 353, 353, 353, 353, 353, 353, 353, 353, 353,
    353, 353, 353, 353, 353, 353, 353, 353, 353, 353, 353, 353, 353, 354, 354, 354, 354, 354, 354, 354, 354, 354, 354, 354,
    354, 354, 354, 355, 355, 355, 355, 355, 355, 355, 355, 356, 356, 356, 356, 356, 356, 356, 356, 356, 356, 356, 356, 356,
    356, 356, 356, 356, 356, 356, 356, 356, 356, 356, 356, 356, 356, 356, 356, 356, 356, 356, 356, 356, 356, 356, 356, 356,
    356, 356, 356, 356, 356, 357, 357, 357, 357, 357, 357, 357, 357, 357, 357, 357, 357, 357, 357, 358, 358, 358, 358, 358,
    358, 358, 358, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359,
    359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 359, 360, 360, 360,
    360, 360, 360, 360, 360, 360, 360, 360, 360, 360, 360, 361, 361, 361, 361, 361, 361, 361, 361, 362, 362, 362, 362, 362,
    362, 362, 362, 362, 362, 362, 362, 362, 362, 362, 362, 362, 362, 362, 362, 362, 362, 362, 362, 362, 362, 362, 362, 362,
    362, 362, 362, 362, 362, 362, 362, 362, 362, 362, 362, 362, 362, 363, 363, 363, 363, 363, 363, 363, 363, 363, 363, 363,
    363, 363, 363, 364, 364, 364, 364, 364, 364, 364, 364, 365, 365, 365, 365, 365, 365, 365, 365, 365, 365, 365, 365, 365,
    365, 365, 365, 365, 365, 365, 365, 365, 365, 365, 365, 365, 365, 365, 365, 365, 365, 365, 365, 365, 365, 365, 365, 365,
    365, 365, 365, 365, 365, 366, 366, 366, 366, 366, 366, 366, 366, 366, 366, 366, 366, 366, 366, 367, 367, 367, 367, 367,
    367, 367, 367, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368,
    368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 368, 369, 369, 369,
    369, 369, 369, 369, 369, 369, 369, 369, 369, 369, 369, 370, 370, 370, 370, 370, 370, 370, 370, 371, 371, 371, 371, 371,
    371, 371, 371, 371, 371, 371, 371, 371, 371, 371, 371, 371, 371, 371, 371, 371, 371, 371, 371, 371, 371, 371, 371, 371,
    371, 371, 371, 371, 371, 371, 371, 371, 371, 371, 371, 371, 371, 372, 373, 373, 373, 373, 373, 373, 373, 373, 373, 373,
    373, 373, 373, 374, 374, 374, 374, 374, 374, 374, 374, 375, 375, 375, 375, 375, 375, 375, 375, 375, 375, 375, 375, 375,
    375, 375, 375, 375, 375, 375, 375, 375, 375, 375, 375, 375, 375, 375, 375, 375, 375, 375, 375, 375, 375, 375, 375, 375,
    375, 375, 375, 375, 375, 376, 376, 376, 376, 376, 376, 376, 376, 376, 376, 376, 376, 376, 376, 377, 377, 377, 377, 377,
    377, 377, 377, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378,
    378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 378, 379, 379, 379,
    379, 379, 379, 379, 379, 379, 379, 379, 379, 379, 379, 380, 380, 380, 380, 380, 380, 380, 380, 381, 381, 381, 381, 381,
    381, 381, 381, 381, 381, 381, 381, 381, 381, 381, 381, 381, 381, 381, 381, 381, 381, 381, 381, 381, 381, 381, 381, 381,
    381, 381, 381, 381, 381, 381, 381, 381, 381, 381, 381, 381, 381, 382, 382, 382, 382, 382, 382, 382, 382, 382, 382, 382,
    382, 382, 382, 383, 383, 383, 383, 383, 383, 383, 383, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384,
    384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384, 384,
    384, 384, 384, 384, 384, 385, 385, 385, 385, 385, 385, 385, 385, 385, 385, 385, 385, 385, 385, 386, 386, 386, 386, 386,
    386, 386, 386, 387, 387, 387, 387, 387, 387, 387, 387, 387, 387, 387, 387, 387, 387, 387, 387, 387, 387, 387, 387, 387,
    387, 387, 387, 387, 387, 387, 388, 388, 388, 388, 388, 388, 388, 388, 388, 388, 388, 388, 388, 388, 388, 389, 389, 389,
    389, 389, 389, 389, 389, 389, 389, 389, 389, 389, 389, 390, 390, 390, 390, 390, 390, 390, 390, 391, 391, 391, 391, 391,
    391, 391, 391, 391, 392, 392, 392, 392, 392, 392, 393, 393, 393, 393, 393, 393, 393, 393, 393, 394, 394, 394, 394, 394,
    394, 394, 394, 394, 394, 394, 394, 394, 394, 394, 394, 394, 394, 395, 395, 395, 395, 395, 395, 395, 395, 395, 395, 395,
    395, 395, 395, 396, 396, 396, 396, 396, 396, 396, 396, 397, 397, 397, 397, 397, 397, 397, 397, 397, 397, 397, 397, 397,
    397, 397, 397, 397, 397, 397, 397, 397, 397, 397, 397, 397, 397, 397, 397, 397, 397, 397, 397, 397, 398, 398, 398, 398,
    398, 398, 398, 398, 398, 399, 399, 399, 399, 399, 399, 399, 399, 399, 399, 399, 399, 399, 399, 400, 400, 400, 400, 400,
    400, 400, 400, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401,
    401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 402, 402, 402,
    402, 402, 402, 402, 402, 402, 402, 402, 402, 402, 402, 403, 403, 403, 403, 403, 403, 403, 403, 404, 404, 404, 404, 404,
    404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404,
    404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405,
    405, 405, 405, 406, 406, 406, 406, 406, 406, 406, 406, 407, 407, 407, 407, 407, 407, 407, 407, 407, 407, 407, 407, 407,
    407, 407, 407, 407, 407, 407, 407, 407, 407, 407, 407, 407, 407, 407, 407, 407, 407, 407, 407, 407, 407, 407, 407, 407,
    407, 407, 407, 407, 407, 408, 408, 408, 408, 408, 408, 408, 408, 408, 408, 408, 408, 408, 408, 409, 409, 409, 409, 409,
    409, 409, 409, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410,
    410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 410, 411, 411, 411,
    411, 411, 411, 411, 411, 411, 411, 411, 411, 411, 411, 412, 412, 412, 412, 412, 412, 412, 412, 413, 413, 413, 413, 413,
    413, 413, 413, 413, 413, 413, 413, 413, 413, 413, 413, 413, 413, 413, 413, 413, 413, 413, 413, 413, 413, 413, 413, 413,
    413, 413, 413, 413, 413, 413, 413, 413, 413, 413, 413, 413, 413, 414, 414, 414, 414, 414, 414, 414, 414, 414, 414, 414,
    414, 414, 414, 415, 415, 415, 415, 415, 415, 415, 415, 416, 416, 416, 416, 416, 416, 416, 416, 416, 416, 416, 416, 416,
    416, 416, 416, 416, 416, 416, 416, 416, 416, 416, 416, 416, 416, 416, 416, 416, 416, 416, 416, 416, 416, 416, 416, 416,
    416, 416, 416, 416, 416, 417, 417, 417, 417, 417, 417, 417, 417, 417, 417, 417, 417, 417, 417, 418, 418, 418, 418, 418,
    418, 418, 418, 419, 419, 419, 419, 419, 419, 420, 421, 422, 423, 424, 425, 426, 427, 428, 429, 430, 431, 432, 433, 434,
    435, 436, 437, 438, 439, 440, 441, 442, 443, 444, 445, 446, 447, 448, 449, 450, 451, 452, 453, 454, 455, 457, 458, 459,
    460, 461, 462, 463, 464, 465, 466, 467, 468, 469, 470, 472, 473, 474, 475, 476, 477, 478, 479, 481, 482, 483, 484, 485,
    486, 486, 486, 486, 486, 486, 486, 486, 486, 486, 486, 486, 486, 486, 486, 486, 486, 486, 486, 486, 486, 486, 486, 486,
    486, 486, 486, 486, 486, 486, 486, 486, 486, 486, 486, 486, 486, 487, 487, 487, 487, 487, 487, 487, 487, 487, 487, 487,
    487, 487, 487, 488, 488, 488, 488, 488, 488, 488, 488, 489, 489, 489, 489, 489, 489, 489, 489, 489, 489, 489, 489, 489,
    489, 489, 489, 489, 489, 489, 489, 489, 489, 489, 489, 489, 489, 489, 489, 489, 489, 489, 489, 489, 489, 489, 489, 489,
    489, 489, 489, 489, 489, 490, 490, 490, 490, 490, 490, 490, 490, 490, 490, 490, 490, 490, 490, 491, 491, 491, 491, 491,
    491, 491, 491, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492,
    492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 493, 493, 493,
    493, 493, 493, 493, 493, 493, 493, 493, 493, 493, 493, 494, 494, 494, 494, 494, 494, 494, 494, 495, 495, 495, 495, 495,
    495, 495, 495, 495, 495, 495, 495, 495, 495, 495, 495, 495, 495, 495, 495, 495, 495, 495, 495, 495, 495, 495, 495, 495,
    495, 495, 495, 495, 495, 495, 495, 495, 495, 495, 495, 495, 495, 496, 496, 496, 496, 496, 496, 496, 496, 496, 496, 496,
    496, 496, 496, 497, 497, 497, 497, 497, 497, 497, 497, 498, 498, 498, 498, 498, 498, 498, 498, 498, 498, 498, 498, 498,
    498, 498, 498, 498, 498, 498, 498, 498, 498, 498, 498, 498, 498, 498, 498, 498, 498, 498, 498, 498, 498, 498, 498, 498,
    498, 498, 498, 498, 498, 499, 499, 499, 499, 499, 499, 499, 499, 499, 499, 499, 499, 499, 499, 500, 500, 500, 500, 500,
    500, 500, 500, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501,
    501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 501, 502, 502, 502,
    502, 502, 502, 502, 502, 502, 502, 502, 502, 502, 502, 503, 503, 503, 503, 503, 503, 503, 503, 504, 504, 504, 504, 504,
    504, 504, 504, 504, 504, 504, 504, 504, 504, 504, 504, 504, 504, 504, 504, 504, 504, 504, 504, 504, 504, 504, 504, 504,
    504, 504, 504, 504, 504, 504, 504, 504, 504, 504, 504, 504, 504, 505, 505, 505, 505, 505, 505, 505, 505, 505, 505, 505,
    505, 505, 505, 506, 506, 506, 506, 506, 506, 506, 506, 507, 507, 507, 507, 507, 507, 508, 509, 510, 511, 512, 513, 514,
    515, 516, 517, 518, 519, 520, 521, 522, 523, 524, 525, 526, 527, 528, 529, 530, 531, 532, 533, 534, 535, 536, 537, 538,
    539, 540, 541, 542, 543, 545, 546, 547, 548, 549, 550, 551, 552, 553, 554, 555, 556, 557, 558, 560, 561, 562, 563, 564,
    565, 566, 567, 569, 570, 571, 572, 573, 574, 574, 574, 574, 574, 574, 574, 574, 574, 574, 574, 574, 574, 574, 574, 574,
    574, 574, 574, 574, 574, 574, 574, 574, 574, 574, 574, 574, 574, 574, 574, 574, 574, 574, 574, 574, 574, 575, 575, 575,
    575, 575, 575, 575, 575, 575, 575, 575, 575, 575, 575, 576, 576, 576, 576, 576, 576, 576, 576, 577, 577, 577, 577, 577,
    577, 577, 577, 577, 577, 577, 577, 577, 577, 577, 577, 577, 577, 577, 577, 577, 577, 577, 577, 577, 577, 577, 577, 577,
    577, 577, 577, 577, 577, 577, 577, 577, 577, 577, 577, 577, 577, 578, 578, 578, 578, 578, 578, 578, 578, 578, 578, 578,
    578, 578, 578, 579, 579, 579, 579, 579, 579, 579, 579, 580, 580, 580, 580, 580, 580, 580, 580, 580, 580, 580, 580, 580,
    580, 580, 580, 580, 580, 580, 580, 580, 580, 580, 580, 580, 580, 580, 580, 580, 580, 580, 580, 580, 580, 580, 580, 580,
    580, 580, 580, 580, 580, 581, 581, 581, 581, 581, 581, 581, 581, 581, 581, 581, 581, 581, 581, 582, 582, 582, 582, 582,
    582, 582, 582, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583,
    583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 583, 584, 584, 584,
    584, 584, 584, 584, 584, 584, 584, 584, 584, 584, 584, 585, 585, 585, 585, 585, 585, 585, 585, 586, 586, 586, 586, 586,
    586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586,
    586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586,
    586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586, 586,
};
/* At the first list entry of each class pair: the classes the byte after the pair may have
   (bit 63: past the end) for some of its rules to match; a hit outside them fails at once. */
static const uint64_t skew__bot_next[SKEW__BOT_LIST_COUNT + 1] = {
    0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000000000201020u,
    0x0000000000000000u, 0x0000000000000000u, 0x0000000000000002u, 0x0000000000000020u,
    0x0000000002001220u, 0x0000000000000000u, 0x0000000000000000u, 0x0000000000000000u,
    0x0000000000000000u, 0xffffffffffffffffu, 0x0000000000000000u, 0x0000000000000000u,
    0x0000000000000000u, 0x0000000000000000u, 0x0000000000100008u, 0x0000000000000000u,
    0x0000000000002010u, 0x0000000000000000u, 0x0000000000000000u, 0x0000000000000002u,
    0x0000000000001002u, 0x0000000000000000u, 0x0000000000800000u, 0x0000002000000000u,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000000000001000u, 0x0000000000001000u,
    0x0000000000000020u, 0x0000000000108000u, 0x0000000000000000u, 0x0000000000000002u,
    0x0000080000000000u, 0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0x0000000000105800u, 0x0000000000000000u, 0x0000000000000000u, 0x0000000000000000u,
    0x0000000000000020u, 0x0000000000000000u, 0x0000000000080000u, 0x0000000000002000u,
    0x0000000000000002u, 0x0000000000040000u, 0x0000000000000000u, 0x0000000000010000u,
    0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000000000040000u,
    0xffffffffffffffffu, 0x0000000000000000u, 0x0000000000000000u, 0x0000000000000008u,
    0x0000000000000004u, 0x0000000000000008u, 0x0000000000000200u, 0x0000002000000000u,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000000000080010u, 0x0000000000000000u,
    0x0000000000000010u, 0x0000000000040000u, 0x0000000000000020u, 0x0000000000200000u,
    0x0000000000000002u, 0x0000000000000100u, 0x0000000000401000u, 0x0000000000000000u,
    0x0000000000010000u, 0x0000000000040020u, 0x0000000000000000u, 0x0000000000080000u,
    0x0000000000000000u, 0x0000000000000220u, 0x0000000000000000u, 0x0000000000080000u,
    0x0000000001000000u, 0x0000002000000000u, 0x0000000000000200u, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0x0000000000000020u, 0x0000000000000004u, 0x0000000000000002u,
    0xffffffffffffffffu, 0x0000000000000000u, 0x0000002000000000u, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0x0000000000008000u, 0x0000000000100000u, 0x0000000000000000u,
    0x0000000000000022u, 0x0000000000000000u, 0x0000000000040000u, 0x0000000000000002u,
    0x0000000000002000u, 0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0x000000000000000au, 0x0000000000000000u, 0x0000000000000000u, 0x0000000000400000u,
    0x0000000000000004u, 0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0x0000000000040000u, 0x0000000000400100u, 0x0000000000000000u, 0x0000000002000000u,
    0x0000000000000000u, 0x0000000000008100u, 0x0000000000000000u, 0x0000000000000000u,
    0x0000000000000020u, 0x000000000000000cu, 0x0000000000000000u, 0x0000000000002000u,
    0x0000000000000020u, 0x0000000000000020u, 0x0000000000000000u, 0x0000000000000000u,
    0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000000000440008u,
    0x0000000000000000u, 0x0000000000000000u, 0xffffffffffffffffu, 0x0000002000000000u,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000000000000100u, 0x0000000000000020u,
    0xffffffffffffffffu, 0x0000000000000200u, 0x0000000000000000u, 0x0000002000000000u,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000000000100000u,
    0xffffffffffffffffu, 0x0000000010000000u, 0x0000000004000000u, 0x0000000000000000u,
    0x0000002000000000u, 0x0000000000040000u, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0x0000000000040000u, 0x0000000000080000u, 0x0000002000000000u, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000000000000000u, 0x0000000005300000u,
    0x0000000000000000u, 0x0000000000000000u, 0x0000000000000000u, 0x0000000000000000u,
    0x0000000000100008u, 0x0000000000000000u, 0x0000000000008000u, 0x0000000000000008u,
    0xffffffffffffffffu, 0x0000000004000000u, 0x0000002000000000u, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0x0000000000100000u, 0x0000000000000020u, 0x0000000000000040u,
    0x0000000000009000u, 0x0000000000000000u, 0x0000000000080000u, 0x0000000000080000u,
    0xffffffffffffffffu, 0x0000000000000000u, 0x0000000000000000u, 0xffffffffffffffffu,
    0x0000000000000000u, 0x0000000000000000u, 0x0000000000000010u, 0x0000002000000000u,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000000000040080u, 0x0000000000000000u,
    0x0000000000040028u, 0x0000000000000000u, 0x0000000000000000u, 0x0000000000000000u,
    0x0000000000000000u, 0x0000000000000080u, 0x0000000000008000u, 0x0000000000080000u,
    0x0000000000000000u, 0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0x0000000000000004u, 0x0000000000010000u, 0x0000000000081020u, 0x0000000000000000u,
    0x0000000000000000u, 0xffffffffffffffffu, 0x0000000000000008u, 0x0000000000000020u,
    0x0000000000080000u, 0x0000180000200000u, 0x0000000000000000u, 0x0000000000000000u,
    0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000000000040000u,
    0x0000000000048002u, 0x0000000000000000u, 0x0000000000000000u, 0x0000000000000000u,
    0x0000000000000000u, 0xffffffffffffffffu, 0x0000000000000000u, 0x0000000000000000u,
    0x0000000000000000u, 0x0000000010000000u, 0x0000000000000080u, 0x0000000000009220u,
    0x0000000000000000u, 0x0000000000000000u, 0x0000000000000000u, 0x0000000000000000u,
    0x0000000000000000u, 0x0000000000000000u, 0xffffffffffffffffu, 0x0000000000000000u,
    0x0000000000004000u, 0x0000000000000000u, 0x0000002000000000u, 0x0000000000200000u,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000000000100000u,
    0x0000000000002100u, 0x0000000000000000u, 0x0000000000000000u, 0x0000000000000200u,
    0x0000000000008000u, 0x0000000000002000u, 0x0000000000000002u, 0xffffffffffffffffu,
    0x0000000000000002u, 0xffffffffffffffffu, 0x0000000000000000u, 0x0000000000000000u,
    0x0000000000000000u, 0x0000000000050000u, 0x0000000000000000u, 0x0000000000000000u,
    0x0000000000048000u, 0x0000000000000000u, 0x0000000000000000u, 0x0000002000000000u,
    0x0000000000000200u, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0x0000000000000240u, 0x0000000000000000u, 0x0000000000000008u, 0x0000080010000000u,
    0x0000000000000000u, 0x0000080000000020u, 0x0000000000000000u, 0x0000000000091220u,
    0x0000000000000000u, 0x0000000000000000u, 0x0000000000000000u, 0x0000000000000000u,
    0x0000000000000000u, 0x0000000000000000u, 0x0000000000000008u, 0x0000002000000000u,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000000000081000u,
    0x0000000000000000u, 0x0000000000080020u, 0x0000000000000000u, 0x0000002000000000u,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000000000100000u, 0xffffffffffffffffu,
    0x0000000000001000u, 0x0000000000002000u, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0x0000000000000000u, 0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0x0000000000001000u, 0x0000000000000002u, 0x0000200000000000u,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000002000000000u, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0x0000000000100000u, 0x0000000000100002u, 0x0000000000000000u,
    0x0000000000040000u, 0x0000000000040000u, 0x0000000000000020u, 0x0000002000000000u,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000002000000000u,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000000008000000u, 0x0000002000000000u,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000002000000000u,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000002000000000u, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000002000000000u,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000002000000000u, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000002000000000u,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000002000000000u,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000002000000000u, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000000000080000u,
    0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000000000008000u,
    0x0000000000008000u, 0x0000000000200000u, 0x0000002000000000u, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0x0000040000000000u, 0x0000002000000000u, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000002000000000u,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000002000000000u, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0x0000000000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000000000000000u,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0x0000000000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000002000000000u, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000002000000000u,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000002000000000u, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0x0000000000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000000000000000u,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0x0000000000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000002000000000u, 0xffffffffffffffffu,
    0xffffffffffffffffu, 0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu,
    0x0000002000000000u, 0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000002000000000u,
    0xffffffffffffffffu, 0xffffffffffffffffu, 0x0000000000000000u,
};
#endif
/* Start-only rules whose first byte has class c: skew__bot_rules[start_first[c] .. start_first[c + 1]). */
static const uint8_t skew__bot_start_first[65] = {
    0, 0, 6, 9, 15, 21, 23, 24, 26, 29, 30, 33, 33, 33, 35, 37, 40, 44, 44, 50, 56, 59,
    59, 59, 65, 66, 68, 70, 70, 70, 70, 70, 70, 70, 70, 70, 70, 71, 71, 71, 71, 71, 71, 71,
    71, 71, 72, 73, 73, 73, 73, 73, 73, 73, 73, 73, 73, 73, 73, 73, 73, 73, 73, 73, 73,
};
/* >>bot-table END */

/* '@' at e-1 starts something like an e-mail address: a letter, one or more of [\w-], '.'.
   The scan stops at the first byte that is not [\w-], so the scans of two '@' never overlap. */
SKEW__PRIV bool skew__bot_email_at(const unsigned char *p, size_t n, size_t e) {
    size_t j;
    unsigned char c;
    if (e >= n) return false;
    c = skew__lower(p[e]);
    if (c < 'a' || c > 'z') return false;
    for (j = e + 1; j < n && (skew__bot_word(p[j]) || p[j] == '-'); j++) {}
    return j > e + 1 && j < n && p[j] == '.';
}

/* Does rule r match with its text starting at p[s]? (s <= n) */
SKEW__PRIV bool skew__bot_rule_at(const unsigned char *p, size_t n, size_t s, const skew__bot_rule *r) {
    size_t len = r->len, e = s + r->len;
    unsigned f = r->flags;
    if (len > n - s || !skew__bot_eq(p + s, skew__bot_text + r->off, len)) return false;
    if ((f & SKEW__BOT_F_LB) && s > 0 && skew__bot_word(p[s - 1])) return false;
    if ((f & SKEW__BOT_F_RB) && e < n && skew__bot_word(p[e])) return false;
    if ((f & SKEW__BOT_F_END) && e != n) return false;
    if ((f & SKEW__BOT_F_WORD) && (s == 0 || !skew__bot_word(p[s - 1]))) return false;
    if ((f & SKEW__BOT_F_EMAIL) && !skew__bot_email_at(p, n, e)) return false;
    if (r->veto) {
        const skew__bot_veto *v = &skew__bot_vetoes[r->veto];
        for (;; v++) {
            const char *t = skew__bot_text + v->off;
            if (v->kind & SKEW__BOT_V_AFTER) {
                if (v->len <= n - e && skew__bot_eq(p + e, t, v->len)) return false;
            } else {
                if (v->len <= s && skew__bot_eq(p + s - v->len, t, v->len)) return false;
            }
            if (v->kind & SKEW__BOT_V_LAST) break;
        }
    }
    return true;
}

SKEW__PRIV unsigned skew__bot_popcount64(uint64_t x) {
#if (defined(__GNUC__) || defined(__clang__)) && defined(__POPCNT__)
    return (unsigned)__builtin_popcountll((unsigned long long)x);
#else
    x = x - ((x >> 1) & 0x5555555555555555u);
    x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fu;
    return (unsigned)((x * 0x0101010101010101u) >> 56);
#endif
}

/* The class pair `key` of p[pos], p[pos + 1] (or the end) is in the index: try its rules.
   Each list entry is a rule and how far before p[pos + 1] its text starts. */
SKEW__PRIV bool skew__bot_pair_hit(const unsigned char *p, size_t n, size_t pos, unsigned key) {
    unsigned j, end;
#if SKEW_OPTIMIZE_SIZE /* -Os builds: number the pair by rank and popcount (no 8 KB table) */
    unsigned w = key >> 6, b = key & 63u, nth;
    uint64_t below = b ? (skew__bot_pairs[w] & ((((uint64_t)1) << b) - 1u)) : 0u;
    nth = skew__bot_pair_rank[w] + skew__bot_popcount64(below);
    j = nth + skew__bot_first_less[nth];
    end = nth + 1 + skew__bot_first_less[nth + 1];
#else
    j = skew__bot_key_first[key];
    end = skew__bot_key_first[key + 1];
#endif
    for (; j < end; j++) {
        size_t back = skew__bot_back[j], s;
        const skew__bot_rule *r;
        if (pos + 1 < back) continue;
        s = pos + 1 - back;
        /* most hits fail: reject on the rule's last byte before the full test (a class pair
           holds many byte pairs, so the pair alone says little) */
#if SKEW_OPTIMIZE_SIZE
        r = &skew__bot_rules[skew__bot_list[j]]; /* -Os builds: no quick reject, rule_at decides */
#else
        if (pos + skew__bot_tail[j] >= n || skew__lower(p[pos + skew__bot_tail[j]]) != (unsigned char)skew__bot_last[j])
            continue;
        r = &skew__bot_rules[skew__bot_list[j]];
#endif
        if (skew__bot_rule_at(p, n, s, r)) return true;
    }
    return false;
}

/* UA shapes that no browser sends, written for this library after the structural patterns of
   isbot. Each predicate is anchored at one end of the UA (n >= 1 bytes at p; w is the length of
   its first \w run) and stops at the first byte that does not fit. */

/* "Mozilla/D.D " (the caller has checked n >= 12) */
SKEW__PRIV bool skew__shape_mozilla_head(const unsigned char *p) {
#if !SKEW_OPTIMIZE_SIZE /* one 8-byte compare: c | 0x20 folds exactly the letters (see skew__bot_alnum) */
    static const unsigned char text[8] = {'m', 'o', 'z', 'i', 'l', 'l', 'a', '/'};
    static const unsigned char fold[8] = {0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0};
    uint64_t v, t, m;
    memcpy(&v, p, 8);
    memcpy(&t, text, 8);
    memcpy(&m, fold, 8);
    if ((v | m) != t) return false;
#else
    if (!skew__bot_eq(p, "mozilla/", 8)) return false;
#endif
    return skew__bot_digit(p[8]) && p[9] == '.' && skew__bot_digit(p[10]) && skew__is_space(p[11]);
}

/* a number first: "12345", "0 (compatible)" */
SKEW__PRIV bool skew__shape_number_first(const unsigned char *p, size_t n) {
    size_t i;
    if (!skew__bot_digit(p[0])) return false;
    for (i = 0; i < n && skew__bot_digit(p[i]); i++) {}
    return i == n || !skew__bot_word(p[i]);
}

/* the first word ends in "search": "Websearch/1.1", "ABCsearch" */
SKEW__PRIV bool skew__shape_search_word(const unsigned char *p, size_t w) {
    return w >= 6 && skew__bot_eq(p + w - 6, "search", 6);
}

/* 50 bytes or more without a space */
SKEW__PRIV bool skew__shape_no_space(const unsigned char *p, size_t n) { return n >= 50 && !memchr(p, ' ', n); }

/* A version from p[j] ("v" allowed first): digits, then ".digits" groups, then the end or ','.
   Groups after the second hold at most 10 digits, so a build stamp like
   "Fetch/49.0.20200702190156" is not a version. */
SKEW__PRIV bool skew__shape_version_to_end(const unsigned char *p, size_t n, size_t j) {
    size_t i, k, groups = 0;
    bool stamp = false;
    if (j < n && skew__lower(p[j]) == 'v') j++;
    for (k = j; k < n && skew__bot_digit(p[k]); k++) {}
    if (k == j) return false;
    while (!stamp && k + 1 < n && p[k] == '.' && skew__bot_digit(p[k + 1])) {
        for (i = ++k; k < n && skew__bot_digit(p[k]); k++) {}
        stamp = ++groups > 1 && k - i > 10;
    }
    return !stamp && (k == n || p[k] == ',');
}

/* a bare product: name characters [\w .()?:%-], maybe "/1.2.3" or "/v2", then the end or
   ',': "curl/8.4.0", "Go-http-client/1.1", "node", "Site24x7", "Datadog Agent/7.69.2" */
SKEW__PRIV bool skew__shape_bare_product(const unsigned char *p, size_t n, size_t w) {
    size_t i;
    for (i = w; i < n; i++) {
        unsigned char c = p[i];
        if (!(skew__bot_word(c) || c == ' ' || c == '.' || c == '-' || c == '(' || c == ')' || c == '?' ||
              c == ':' || c == '%'))
            break;
    }
    if (i > 0 && (i == n || p[i] == ',')) return true;
    return i > 0 && p[i] == '/' && skew__shape_version_to_end(p, n, i + 1);
}

/* "name/word" and nothing else: "Ruby/cli", "okhttp/x", "aaa-bbb/ccc" */
SKEW__PRIV bool skew__shape_name_slash_word(const unsigned char *p, size_t n, size_t w) {
    size_t i, j;
    for (i = w; i < n && (skew__bot_word(p[i]) || p[i] == '-'); i++) {}
    if (!(i > 0 && i + 1 < n && p[i] == '/')) return false;
    for (j = i + 1; j < n && skew__bot_word(p[j]); j++) {}
    return j == n;
}

/* "name/x(y)" and nothing else */
SKEW__PRIV bool skew__shape_name_slash_parens(const unsigned char *p, size_t n, size_t w) {
    size_t j;
    if (!(w > 0 && w < n && p[w] == '/')) return false;
    for (j = w + 1; j < n && (skew__bot_word(p[j]) || p[j] == '(' || p[j] == ')'); j++) {}
    return j == n;
}

/* "name/1.0 (word)" and nothing else */
SKEW__PRIV bool skew__shape_name_version_word(const unsigned char *p, size_t n, size_t w) {
    size_t j = w + 1, k;
    if (!(w > 0 && w < n && p[w] == '/')) return false;
    if (!(n - j >= 7 && skew__bot_digit(p[j]) && p[j + 1] == '.' && skew__bot_digit(p[j + 2]) &&
          skew__is_space(p[j + 3]) && p[j + 4] == '('))
        return false;
    for (k = j + 5; k < n && (skew__bot_word(p[k]) || p[k] == '@'); k++) {}
    return k > j + 5 && k + 1 == n && p[k] == ')';
}

/* "Mozilla/5.0 word" and nothing else */
SKEW__PRIV bool skew__shape_mozilla_word(const unsigned char *p, size_t n) {
    size_t j;
    if (!(n >= 13 && skew__shape_mozilla_head(p))) return false;
    for (j = 12; j < n && (skew__bot_word(p[j]) || p[j] == '.' || p[j] == '-'); j++) {}
    return j == n;
}

/* "Mozilla/5.0 (compatible; name/1.0)" and nothing else: the part after "Mozilla/5.0 (", which
   the caller has checked (n >= 13) */
SKEW__PRIV bool skew__shape_compatible_tail(const unsigned char *p, size_t n) {
    size_t i = 13, j, k;
    if (n - i >= 11 && skew__bot_eq(p + i, "compatible;", 11)) i += 11;
    if (i + 1 == n && p[i] == ')') return true;
    if (i < n && skew__is_space(p[i])) i++;
    for (j = i; j < n && (skew__bot_word(p[j]) || p[j] == '-' || p[j] == '.'); j++) {}
    if (!(j > i && j < n && (skew__is_space(p[j]) || p[j] == '/'))) return false;
    for (k = j + 1; k < n && skew__bot_digit(p[k]); k++) {}
    if (!(k > j + 1 && k < n && p[k] == '.')) return false;
    for (i = ++k; k < n && skew__bot_digit(p[k]); k++) {}
    return k > i && k + 1 == n && p[k] == ')';
}
SKEW__PRIV bool skew__shape_mozilla_compatible(const unsigned char *p, size_t n) {
    return n >= 13 && p[12] == '(' && skew__shape_mozilla_head(p) && skew__shape_compatible_tail(p, n);
}

/* ends in "; word;" */
SKEW__PRIV bool skew__shape_word_semicolon_end(const unsigned char *p, size_t n) {
    size_t j;
    if (!(n >= 4 && p[n - 1] == ';')) return false;
    for (j = n - 1; j > 0 && skew__bot_word(p[j - 1]); j--) {}
    return j < n - 1 && j >= 2 && skew__is_space(p[j - 1]) && p[j - 2] == ';';
}

SKEW__PRIV bool skew__bot_shape(const unsigned char *p, size_t n) {
    size_t w;
    /* Fast path: after "Mozilla/5.0 (" (most UAs, bots too) only the shapes that end in ')' or
       ';' can match: the first word is "Mozilla" and a '/' and a space follow it, so the shapes
       of a number, a "search" word, a bare product, "name/word", "name/x(y)" and "Mozilla/5.0
       word" cannot, nor (the space) 50 bytes without one. */
    if (n > 13 && p[12] == '(' && skew__shape_mozilla_head(p)) {
        if (p[n - 1] != ')' && p[n - 1] != ';') return false;
        if (p[11] == ' ') {
            if (p[n - 1] == ';') return skew__shape_word_semicolon_end(p, n);
            return skew__shape_name_version_word(p, n, 7) || skew__shape_compatible_tail(p, n);
        }
    }
    for (w = 0; w < n && skew__bot_word(p[w]); w++) {}
    return skew__shape_number_first(p, n) || skew__shape_search_word(p, w) || skew__shape_no_space(p, n) ||
           skew__shape_bare_product(p, n, w) || skew__shape_name_slash_word(p, n, w) ||
           skew__shape_name_slash_parens(p, n, w) || skew__shape_name_version_word(p, n, w) ||
           skew__shape_mozilla_word(p, n) || skew__shape_mozilla_compatible(p, n) ||
           skew__shape_word_semicolon_end(p, n);
}

/* The built-in table on a non-empty UA. */
SKEW__PRIV bool skew__bot_table_match(const unsigned char *p, size_t n) {
    size_t i = 0, k;
    unsigned a = skew__bot_class[p[0]], b;
#if SKEW__BOT_SKIP_MOZILLA && !SKEW_OPTIMIZE_SIZE /* "Mozilla/5.0 ", the head of most UAs: no start */
    if (n >= 12) {                                 /* rule fits it, no index pair is in it: skip it */
        static const char head[12] = {'M', 'o', 'z', 'i', 'l', 'l', 'a', '/', '5', '.', '0', ' '};
        uint64_t u, h;
        uint32_t v, g;
        memcpy(&u, p, 8);
        memcpy(&h, head, 8);
        memcpy(&v, p + 8, 4);
        memcpy(&g, head + 8, 4);
        if (u == h && v == g) i = 12;
    }
    if (i == 0)
#endif
        for (k = skew__bot_start_first[a]; k < skew__bot_start_first[a + 1]; k++) {
            const skew__bot_rule *r = &skew__bot_rules[k]; /* the first byte fits (its class): try the last */
            if (r->len - 1u < n && skew__lower(p[r->len - 1]) == (unsigned char)skew__bot_text[r->off + r->len - 1] &&
                skew__bot_rule_at(p, n, 0, r))
                return true;
        }
    /* the hot loop: the class pairs at even offsets (the index holds every rule under two
       neighbouring pairs, so one of them is always at an even offset) */
#if !SKEW_OPTIMIZE_SIZE /* -Os builds: the plain loop below does it all */
#define SKEW__BOT_ROW(c) skew__bot_row[c]
/* most hits fail on the class of the byte after the pair (c): checked here, before the call */
#define SKEW__BOT_NEXT_OK(key, c) ((skew__bot_next[skew__bot_key_first[key]] >> (c)) & 1u)
    for (; i + 3 < n; i += 4) { /* two pairs a turn, one branch while neither hits */
        uint64_t x = SKEW__BOT_ROW(p[i]) & skew__bot_bit[p[i + 1]];
        uint64_t y = SKEW__BOT_ROW(p[i + 2]) & skew__bot_bit[p[i + 3]];
        if (x | y) {
            unsigned key = ((unsigned)skew__bot_class[p[i]] << 6) | skew__bot_class[p[i + 1]];
            if (x && SKEW__BOT_NEXT_OK(key, skew__bot_class[p[i + 2]]) && skew__bot_pair_hit(p, n, i, key))
                return true;
            key = ((unsigned)skew__bot_class[p[i + 2]] << 6) | skew__bot_class[p[i + 3]];
            if (y && SKEW__BOT_NEXT_OK(key, i + 4 < n ? skew__bot_class[p[i + 4]] : SKEW__BOT_CLASS_END) &&
                skew__bot_pair_hit(p, n, i + 2, key))
                return true;
        }
    }
#undef SKEW__BOT_NEXT_OK
#undef SKEW__BOT_ROW
#else
    i = 0;
#endif
    for (; i + 1 < n; i += 2) {
        a = skew__bot_class[p[i]];
        b = skew__bot_class[p[i + 1]];
        if ((skew__bot_pairs[a] >> b) & 1u) {
            if (skew__bot_pair_hit(p, n, i, (a << 6) | b)) return true;
        }
    }
    if (i < n) {
        a = skew__bot_class[p[i]];
        if (((skew__bot_pairs[a] >> SKEW__BOT_CLASS_END) & 1u) && skew__bot_pair_hit(p, n, i, (a << 6) | SKEW__BOT_CLASS_END))
            return true;
    }
    /* the shapes last: most bots have met a rule by now and skip them */
    return skew__bot_shape(p, n);
}

#endif /* SKEW_ENABLE_BOT_TABLE */

/* Built-in verdict for a UA that is not empty. */
SKEW__PRIV bool skew__bot_builtin(skew_str ua) {
#if SKEW_ENABLE_BOT_TABLE
    return skew__bot_table_match((const unsigned char *)ua.ptr, ua.len);
#else
    (void)ua;
    return false;
#endif
}

/* Case-insensitive substring test of a lowercase pattern (1..255 bytes), Knuth-Morris-Pratt:
   linear in the UA length whatever the pattern. */
SKEW__PRIV bool skew__bot_contains(skew_str ua, const char *pat, size_t m) {
    uint8_t fail[SKEW_BOT_PATTERN_MAX];
    size_t i, k = 0;
    const unsigned char *p = (const unsigned char *)ua.ptr;
    const unsigned char *t = (const unsigned char *)pat;
    if (m == 0 || m > ua.len || m > SKEW_BOT_PATTERN_MAX) return false;
    fail[0] = 0;
    for (i = 1; i < m; i++) {
        while (k > 0 && t[i] != t[k]) k = fail[k - 1];
        if (t[i] == t[k]) k++;
        fail[i] = (uint8_t)k;
    }
    k = 0;
    for (i = 0; i < ua.len; i++) {
        unsigned char c = skew__lower(p[i]);
        while (k > 0 && c != t[k]) k = fail[k - 1];
        if (c == t[k]) k++;
        if (k == m) return true;
    }
    return false;
}

SKEW_API bool skew_is_bot(skew_str user_agent) {
    if (skew__bot_empty(user_agent)) return true;
    return skew__bot_builtin(user_agent);
}

SKEW_API void skew_bot_filter_init(skew_bot_filter *f) {
    SKEW_ASSERT(f != NULL);
    if (f) memset(f, 0, sizeof *f);
}

SKEW_API skew_result skew_bot_filter_add(skew_bot_filter *f, skew_str pattern, bool allow) {
    size_t i;
    uint32_t c;
    if (!f || !pattern.ptr || pattern.len == 0) return SKEW_ERR_INVALID;
    if (pattern.len > (size_t)SKEW_BOT_PATTERN_MAX - 1) return SKEW_ERR_TOO_LONG;
    if (f->count >= SKEW_MAX_BOT_PATTERNS) return SKEW_ERR_FULL;
    c = f->count;
    for (i = 0; i < pattern.len; i++) f->patterns[c][i] = (char)skew__lower((unsigned char)pattern.ptr[i]);
    f->patterns[c][pattern.len] = '\0';
    f->lens[c] = (uint8_t)pattern.len;
    f->allow[c] = (uint8_t)(allow ? 1 : 0);
    f->count = c + 1;
    return SKEW_OK;
}

SKEW_API bool skew_bot_filter_is_bot(const skew_bot_filter *f, skew_str user_agent) {
    uint32_t i, count;
    bool denied = false;
    if (!f) return skew_is_bot(user_agent);
    if (skew__bot_empty(user_agent)) return !f->allow_empty;
    count = f->count < SKEW_MAX_BOT_PATTERNS ? f->count : SKEW_MAX_BOT_PATTERNS;
    for (i = 0; i < count; i++) /* an allow pattern wins over any bot pattern */
        if (skew__bot_contains(user_agent, f->patterns[i], f->lens[i])) {
            if (f->allow[i]) return false;
            denied = true;
        }
    if (denied) return true;
    if (f->no_builtin) return false;
    return skew__bot_builtin(user_agent);
}

/* ======================================================================================
   >>hosted  default clock, randomness and allocator (SKEW_ENABLE_HOSTED)
   ====================================================================================== */
#if SKEW_ENABLE_HOSTED

SKEW__PRIV uint64_t skew__hosted_now_ms(void) {
#if defined(_WIN32)
    FILETIME ft;
    uint64_t v;
    GetSystemTimeAsFileTime(&ft);
    v = ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
    return v / 10000u - 11644473600000ull; /* 100 ns since 1601 -> ms since 1970 */
#else
    struct timeval tv;
    if (gettimeofday(&tv, NULL) != 0) return 0;
    return (uint64_t)tv.tv_sec * 1000u + (uint64_t)tv.tv_usec / 1000u;
#endif
}

SKEW__PRIV skew_result skew__hosted_random(void *buf, size_t len) {
#if defined(_WIN32)
    if (BCryptGenRandom(NULL, (PUCHAR)buf, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) return SKEW_ERR_RANDOM;
    return SKEW_OK;
#else
    unsigned char *p = (unsigned char *)buf;
    size_t got = 0;
    FILE *f;
#ifdef SKEW__HAVE_GETRANDOM
    while (got < len) {
        ssize_t n = getrandom(p + got, len - got, 0);
        if (n <= 0) break;
        got += (size_t)n;
    }
    if (got == len) return SKEW_OK;
#endif
    f = fopen("/dev/urandom", "rb");
    if (!f) return SKEW_ERR_RANDOM;
    got += fread(p + got, 1, len - got, f);
    fclose(f);
    return got == len ? SKEW_OK : SKEW_ERR_RANDOM;
#endif
}
#endif /* SKEW_ENABLE_HOSTED */

/* ======================================================================================
   >>writer  bounded output with the snprintf contract, or a sink
   ====================================================================================== */

typedef struct skew__w {
    char *buf;
    size_t cap; /* bytes of buf, incl. room for the NUL */
    size_t len; /* bytes produced (may exceed cap) */
    skew_sink_fn sink;
    void *ctx;
    bool stopped;
} skew__w;

SKEW__PRIV skew__w skew__w_buf(char *buf, size_t cap) {
    skew__w w;
    memset(&w, 0, sizeof w);
    w.buf = buf;
    w.cap = buf ? cap : 0;
    return w;
}

SKEW__PRIV void skew__put(skew__w *w, const char *s, size_t n) {
    if (w->sink) {
        if (!w->stopped && n && w->sink(w->ctx, s, n) != 0) w->stopped = true;
    } else if (w->cap && w->len < w->cap - 1) {
        size_t room = w->cap - 1 - w->len;
        memcpy(w->buf + w->len, s, n < room ? n : room);
    }
    w->len += n;
}
SKEW__PRIV void skew__puts(skew__w *w, const char *s) { skew__put(w, s, strlen(s)); }

/* skew__put for the stats list's many small pieces (a push lists up to 1000 entries, 79 KB at
   10k live): inline while a buffer has room, the general case out of line. Same output. */
#if SKEW_OPTIMIZE_SIZE
#define skew__put_hot skew__put
#else
SKEW__PRIV inline void skew__put_hot(skew__w *w, const char *s, size_t n) {
    if (!w->sink && w->len + n < w->cap) {
        memcpy(w->buf + w->len, s, n);
        w->len += n;
    } else {
        skew__put(w, s, n);
    }
}
#endif

/* *v /= d for d < 2^16, returning the remainder: long division over 16-bit limbs, so 32-bit
   targets need no 64-bit division helper from libgcc (about 700 bytes on Cortex-M). */
SKEW__PRIV uint32_t skew__div_small(uint64_t *v, uint32_t d) {
    uint64_t q = 0;
    uint32_t r = 0;
    int k;
    for (k = 48; k >= 0; k -= 16) {
        uint32_t cur = (r << 16) | ((uint32_t)(*v >> k) & 0xFFFFu);
        q |= (uint64_t)(cur / d) << k;
        r = cur % d;
    }
    *v = q;
    return r;
}

/* Decimal digits of v at out (at most 20, no NUL); returns how many. One digit a step (compact),
   or two digits a step from a table (fast). */
#if SKEW_OPTIMIZE_SIZE
SKEW__PRIV size_t skew__u64_text(char *out, uint64_t v) {
    char tmp[20];
    size_t i = sizeof tmp;
    do tmp[--i] = (char)('0' + skew__div_small(&v, 10u));
    while (v);
    memcpy(out, tmp + i, sizeof tmp - i);
    return sizeof tmp - i;
}
#else
SKEW__PRIV size_t skew__u64_text(char *out, uint64_t v) {
    static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                "8081828384858687888990919293949596979899";
    char tmp[20];
    size_t i = sizeof tmp;
    while (v >= 100u) {
        size_t k = (size_t)(v % 100u) * 2u;
        v /= 100u;
        tmp[--i] = pairs[k + 1];
        tmp[--i] = pairs[k];
    }
    if (v >= 10u) {
        tmp[--i] = pairs[v * 2u + 1u];
        tmp[--i] = pairs[v * 2u];
    } else {
        tmp[--i] = (char)('0' + v);
    }
    memcpy(out, tmp + i, sizeof tmp - i);
    return sizeof tmp - i;
}
#endif

SKEW__PRIV void skew__put_u64(skew__w *w, uint64_t v) {
    char tmp[20];
    skew__put(w, tmp, skew__u64_text(tmp, v));
}

/* NUL-terminate and return the length the whole output needs. */
SKEW__PRIV size_t skew__w_end(skew__w *w) {
    if (!w->sink && w->cap) w->buf[w->len < w->cap ? w->len : w->cap - 1] = '\0';
    return w->len;
}

/* ======================================================================================
   >>utf8  validation and the replacement rule shared by the writer and the intake checks
   ====================================================================================== */

/* The well-formed byte sequences of Unicode's Table 3-7, walked from p (p < end): returns the
   sequence's length (1..4) with *whole set, or, when the bytes there are invalid (overlong,
   surrogate, > U+10FFFF, truncated), the length of the maximal invalid subpart (at least 1):
   the bytes that one U+FFFD stands for, as the standard recommends (and browsers'
   TextDecoder do). The tight bounds on the second byte rule out the overlong forms,
   surrogates and code points above U+10FFFF. Never reads past end. */
SKEW__PRIV size_t skew__utf8_walk(const unsigned char *p, const unsigned char *end, bool *whole) {
    unsigned char c = p[0];
    size_t need, i;
    unsigned char lo = 0x80, hi = 0xBF;
    *whole = c < 0x80;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else return 1;
    for (i = 1; i <= need && p + i < end; i++) {
        unsigned char b = p[i];
        if (i == 1 ? (b < lo || b > hi) : ((b & 0xC0u) != 0x80u)) break;
    }
    *whole = i > need;
    return i;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when the bytes there are invalid. */
SKEW__PRIV size_t skew__utf8_seq(const unsigned char *p, const unsigned char *end) {
    bool whole;
    size_t n = skew__utf8_walk(p, end, &whole);
    return whole ? n : 0;
}

/* The valid sequence p[0..n) is a C1 control (U+0080..U+009F), a bidi control (U+061C,
   U+200E/F, U+202A..U+202E, U+2066..U+2069) or a zero-width character (U+200B..U+200D,
   U+2060, U+FEFF): text that a dashboard would show reordered, or not at all. */
SKEW__PRIV bool skew__hidden_char(const unsigned char *p, size_t n) {
    if (n == 2) return (p[0] == 0xC2 && p[1] < 0xA0) || (p[0] == 0xD8 && p[1] == 0x9C);
    if (n != 3) return false;
    if (p[0] == 0xE2 && p[1] == 0x80) return (p[2] >= 0x8B && p[2] <= 0x8F) || (p[2] >= 0xAA && p[2] <= 0xAE);
    if (p[0] == 0xE2 && p[1] == 0x81) return p[2] == 0xA0 || (p[2] >= 0xA6 && p[2] <= 0xA9);
    return p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF;
}

/* A string we are willing to store: valid UTF-8, no C0 or C1 controls, no DEL, no bidi
   controls, no zero-width characters (skew__hidden_char). */
SKEW__PRIV bool skew__clean_text(skew_str s) {
    const unsigned char *p = (const unsigned char *)s.ptr, *end = p + s.len;
    while (p < end) {
        size_t n;
        /* the common case, 8 bytes at a time: no byte below 0x20, none at 0x7F or above
           (carries can only raise false alarms, which the byte loop then settles) */
#if !SKEW_OPTIMIZE_SIZE /* 64-bit arithmetic costs more flash than it saves time on a MCU */
        while (end - p >= 8) {
            uint64_t v;
            memcpy(&v, p, 8);
            if (((v - 0x2020202020202020ull) | (v + 0x0101010101010101ull) | v) & 0x8080808080808080ull) break;
            p += 8;
        }
        if (p == end) break;
#endif
        if (*p >= 0x20 && *p < 0x7F) { p++; continue; }
        if (*p < 0x20 || *p == 0x7F) return false;
        n = skew__utf8_seq(p, end);
        if (!n || skew__hidden_char(p, n)) return false;
        p += n;
    }
    return true;
}

/* ======================================================================================
   >>json  writer and protocol messages
   ====================================================================================== */

/* JSON's two-byte escapes, 8 each without the NUL: the raw byte and the letter after '\\'
   ('/' is read, never written). */
static const char skew__json_esc_raw[] = "\"\\\n\r\t\b\f/";
static const char skew__json_esc_name[] = "\"\\nrtbf/";

/* 1 for the ASCII bytes a JSON string carries unchanged (printable, not '"' or '\\'). */
#if SKEW_OPTIMIZE_SIZE /* four compares instead of a 128-byte table */
#define SKEW__JSON_PLAIN(c) ((c) >= 0x20 && (c) < 0x7F && (c) != '"' && (c) != '\\')
#else
#define SKEW__JSON_PLAIN(c) ((c) < 0x80 && skew__json_plain[c])
static const uint8_t skew__json_plain[128] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
#endif

#if !SKEW_OPTIMIZE_SIZE
/* Whether the 8 bytes at p are all plain: none below 0x20 or from 0x7F, no '"' (0x22), no
   '\\' (0x5C). Carries can only raise false alarms, which the byte loop then settles. */
SKEW__PRIV bool skew__json_plain8(const unsigned char *p) {
    uint64_t v, q, b;
    memcpy(&v, p, 8);
    q = v ^ 0x2222222222222222ull;
    b = v ^ 0x5C5C5C5C5C5C5C5Cull;
    return !(((v - 0x2020202020202020ull) | (v + 0x0101010101010101ull) | v | ((q - 0x0101010101010101ull) & ~q) |
              ((b - 0x0101010101010101ull) & ~b)) &
             0x8080808080808080ull);
}
#endif

SKEW__PRIV void skew__put_json_str(skew__w *w, skew_str s) {
    const unsigned char *p = (const unsigned char *)s.ptr, *end = p + s.len, *run = p;
    char esc[6];
    skew__put_hot(w, "\"", 1);
    while (p < end) {
        unsigned char c;
        size_t n;
        bool whole;
#if !SKEW_OPTIMIZE_SIZE /* 8 plain bytes at a time */
        while (end - p >= 8 && skew__json_plain8(p)) p += 8;
        /* a short rest of a longer string: its last 8 bytes, read again, settle it at once */
        if (p < end && end - p < 8 && s.len >= 8 && skew__json_plain8(end - 8)) p = end;
        if (p == end) break;
#endif
        c = *p;
        if (SKEW__JSON_PLAIN(c)) { p++; continue; }
        if (c >= 0x80) {
            n = skew__utf8_walk(p, end, &whole);
            if (whole && n == 3 && c == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
                /* U+2028 / U+2029 are valid JSON but end a line in older JavaScript. */
                skew__put(w, (const char *)run, (size_t)(p - run));
                skew__puts(w, p[2] == 0xA8 ? "\\u2028" : "\\u2029");
                p += 3;
                run = p;
                continue;
            }
            if (whole) { p += n; continue; }
            skew__put(w, (const char *)run, (size_t)(p - run));
            skew__put(w, "\xEF\xBF\xBD", 3); /* U+FFFD for the maximal invalid subpart */
            p += n;
            run = p;
            continue;
        }
        skew__put(w, (const char *)run, (size_t)(p - run));
        esc[0] = '\\';
        {
            /* the two-byte escapes: the first 7 of the table ('/' stays as it is) */
            const char *e = (const char *)memchr(skew__json_esc_raw, c, 7);
            if (e) {
                esc[1] = skew__json_esc_name[e - skew__json_esc_raw];
                n = 2;
            } else {
                esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
                esc[4] = skew__hex[c >> 4]; esc[5] = skew__hex[c & 15];
                n = 6;
            }
        }
        skew__put(w, esc, n);
        p++;
        run = p;
    }
    skew__put_hot(w, (const char *)run, (size_t)(p - run));
    skew__put_hot(w, "\"", 1);
}

SKEW_API size_t skew_write_json_string(skew_str s, char *buf, size_t cap) {
    skew__w w = skew__w_buf(buf, cap);
    skew__put_json_str(&w, s);
    return skew__w_end(&w);
}

/* An id we made ourselves is hex and dashes: nothing to escape. */
SKEW__PRIV void skew__put_id(skew__w *w, const char id[SKEW_ID_STR_MAX]) {
    char q[38];
    q[0] = '"';
    memcpy(q + 1, id, 36);
    q[37] = '"';
    skew__put(w, q, sizeof q);
}

SKEW__PRIV void skew__put_connected(skew__w *w, skew_str version, skew_str id, uint64_t ts) {
    static const char a[] = "{\"type\":\"connected\",\"version\":", b[] = ",\"connectionId\":", c[] = ",\"timestamp\":";
    skew__put(w, a, sizeof a - 1);
    skew__put_json_str(w, version);
    skew__put(w, b, sizeof b - 1);
    skew__put_json_str(w, id);
    skew__put(w, c, sizeof c - 1);
    skew__put_u64(w, ts);
    skew__put(w, "}", 1);
}

SKEW_API size_t skew_write_connected(skew_str server_version, skew_str id, uint64_t ts_ms, char *buf, size_t cap) {
    skew__w w = skew__w_buf(buf, cap);
    skew__put_connected(&w, server_version, id, ts_ms);
    return skew__w_end(&w);
}

SKEW_API size_t skew_write_keepalive(uint64_t ts_ms, char *buf, size_t cap) {
    skew__w w = skew__w_buf(buf, cap);
    skew__puts(&w, "{\"type\":\"keepalive\",\"timestamp\":");
    skew__put_u64(&w, ts_ms);
    skew__put(&w, "}", 1);
    return skew__w_end(&w);
}

SKEW_API size_t skew_write_pong(char *buf, size_t cap) {
    skew__w w = skew__w_buf(buf, cap);
    skew__puts(&w, "{\"type\":\"pong\"}");
    return skew__w_end(&w);
}

SKEW_API size_t skew_write_stats_unauthorized(char *buf, size_t cap) {
    skew__w w = skew__w_buf(buf, cap);
    skew__puts(&w, "{\"type\":\"stats-unauthorized\"}");
    return skew__w_end(&w);
}

SKEW__PRIV void skew__put_version_msg(skew__w *w, skew_str version, bool force) {
    skew__puts(w, "{\"type\":\"version\",\"version\":");
    skew__put_json_str(w, version);
    if (force) skew__puts(w, ",\"force\":true");
    skew__put(w, "}", 1);
}

SKEW_API size_t skew_write_version(skew_str version, bool force, char *buf, size_t cap) {
    skew__w w = skew__w_buf(buf, cap);
    skew__put_version_msg(&w, version, force);
    return skew__w_end(&w);
}

SKEW_API size_t skew_write_sse_frame(skew_str msg, char *buf, size_t cap) {
    skew__w w = skew__w_buf(buf, cap);
    skew__put(&w, "data: ", 6);
    skew__put(&w, msg.ptr, msg.len);
    skew__put(&w, "\n\n", 2);
    return skew__w_end(&w);
}

/* ======================================================================================
   >>reader  bounded JSON reader (iterative, depth-limited), URL decoding, cookies, routes
   ====================================================================================== */

typedef struct skew__jr {
    const unsigned char *p, *end;
} skew__jr;

SKEW__PRIV void skew__jr_ws(skew__jr *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')) r->p++;
}

SKEW__PRIV bool skew__jr_hex4(skew__jr *r, uint32_t *out) {
    uint32_t v = 0;
    int i;
    if (r->end - r->p < 4) return false;
    for (i = 0; i < 4; i++) {
        int h = skew__hexval(r->p[i]);
        if (h < 0) return false;
        v = (v << 4) | (uint32_t)h;
    }
    r->p += 4;
    *out = v;
    return true;
}

/* Append code point cp as UTF-8 (lone surrogates become U+FFFD: output stays valid UTF-8). */
SKEW__PRIV void skew__put_cp(skew__w *w, uint32_t cp) {
    char b[4];
    size_t n, i;
    if (cp >= 0xD800u && cp <= 0xDFFFu) cp = 0xFFFDu;
    n = cp < 0x80u ? 1 : cp < 0x800u ? 2 : cp < 0x10000u ? 3 : 4;
    for (i = n; i-- > 1;) { /* continuation bytes, the last first */
        b[i] = (char)(0x80u | (cp & 0x3Fu));
        cp >>= 6;
    }
    b[0] = (char)(n > 1 ? ((0xF00u >> n) & 0xFFu) | cp : cp); /* lead: 110xxxxx, 1110xxxx or 11110xxx */
    skew__put(w, b, n);
}

/* Read a JSON string at r->p (which must be '"'); decoded text goes to w (may be NULL).
   Raw bytes >= 0x80 are copied as they are; the caller validates what it stores. */
SKEW__PRIV bool skew__jr_string(skew__jr *r, skew__w *w) {
    if (r->p >= r->end || *r->p != '"') return false;
    r->p++;
    while (r->p < r->end) {
        unsigned char c = *r->p++;
        if (c == '"') return true;
        if (c < 0x20) return false;
        if (c != '\\') {
            if (w) skew__put(w, (const char *)&r->p[-1], 1);
            continue;
        }
        if (r->p >= r->end) return false;
        c = *r->p++;
        switch (c) {
        case 'u': {
            uint32_t cp, lo;
            if (!skew__jr_hex4(r, &cp)) return false;
            if (cp >= 0xD800u && cp <= 0xDBFFu && r->end - r->p >= 6 && r->p[0] == '\\' && r->p[1] == 'u') {
                skew__jr save = *r;
                r->p += 2;
                if (skew__jr_hex4(r, &lo) && lo >= 0xDC00u && lo <= 0xDFFFu)
                    cp = 0x10000u + ((cp - 0xD800u) << 10) + (lo - 0xDC00u);
                else
                    *r = save;
            }
            if (w) skew__put_cp(w, cp);
            break;
        }
        default: {
            const char *e = (const char *)memchr(skew__json_esc_name, c, 8); /* never the NUL */
            if (!e) return false;
            if (w) skew__put(w, skew__json_esc_raw + (e - skew__json_esc_name), 1);
        }
        }
    }
    return false;
}

/* Skip a run of digits; false when there is none. */
SKEW__PRIV bool skew__jr_digits(skew__jr *r) {
    const unsigned char *s = r->p;
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9') r->p++;
    return r->p > s;
}

SKEW__PRIV bool skew__jr_number(skew__jr *r) {
    if (r->p < r->end && *r->p == '-') r->p++;
    if (r->p < r->end && *r->p == '0') r->p++; /* a leading zero stands alone */
    else if (!skew__jr_digits(r)) return false;
    if (r->p < r->end && *r->p == '.') {
        r->p++;
        if (!skew__jr_digits(r)) return false;
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        r->p++;
        if (r->p < r->end && (*r->p == '+' || *r->p == '-')) r->p++;
        if (!skew__jr_digits(r)) return false;
    }
    return true;
}

SKEW__PRIV bool skew__jr_lit(skew__jr *r, const char *lit) {
    size_t n = strlen(lit);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, lit, n) != 0) return false;
    r->p += n;
    return true;
}

/* An object member's key and its ':' (whitespace around them skipped). */
SKEW__PRIV bool skew__jr_key(skew__jr *r) {
    skew__jr_ws(r);
    if (!skew__jr_string(r, NULL)) return false;
    skew__jr_ws(r);
    if (r->p >= r->end || *r->p != ':') return false;
    r->p++;
    return true;
}

/* Skip one JSON value without recursion: a stack of container kinds, one bit per level. */
SKEW__PRIV skew_result skew__jr_skip(skew__jr *r) {
    uint32_t stack = 0; /* bit d set: level d is an object */
    unsigned depth = 0;
    for (;;) {
        /* expect a value */
        skew__jr_ws(r);
        if (r->p >= r->end) return SKEW_ERR_INVALID;
        switch (*r->p) {
        case '{': case '[': {
            bool obj = *r->p == '{';
            if (depth >= SKEW_JSON_MAX_DEPTH) return SKEW_ERR_INVALID;
            r->p++;
            if (obj) stack |= (1u << depth); else stack &= ~(1u << depth);
            depth++;
            skew__jr_ws(r);
            if (r->p < r->end && *r->p == (obj ? '}' : ']')) { r->p++; depth--; break; }
            if (obj && !skew__jr_key(r)) return SKEW_ERR_INVALID;
            continue; /* the first member's value */
        }
        case '"': if (!skew__jr_string(r, NULL)) return SKEW_ERR_INVALID; break;
        case 't': case 'f': case 'n':
            if (!skew__jr_lit(r, *r->p == 't' ? "true" : *r->p == 'f' ? "false" : "null")) return SKEW_ERR_INVALID;
            break;
        default: if (!skew__jr_number(r)) return SKEW_ERR_INVALID; break;
        }
        /* after a value: close containers or move to the next element */
        for (;;) {
            bool obj;
            if (depth == 0) return SKEW_OK;
            obj = (stack >> (depth - 1)) & 1u;
            skew__jr_ws(r);
            if (r->p >= r->end) return SKEW_ERR_INVALID;
            if (*r->p == ',') {
                r->p++;
                if (obj && !skew__jr_key(r)) return SKEW_ERR_INVALID;
                break; /* next value */
            }
            if (*r->p == (obj ? '}' : ']')) { r->p++; depth--; continue; }
            return SKEW_ERR_INVALID;
        }
    }
}

SKEW_API skew_result skew_json_validate(skew_str json) {
    skew__jr r;
    skew_result res;
    if (!json.ptr) return SKEW_ERR_INVALID;
    r.p = (const unsigned char *)json.ptr;
    r.end = r.p + json.len;
    res = skew__jr_skip(&r);
    if (res != SKEW_OK) return res;
    skew__jr_ws(&r);
    return r.p == r.end ? SKEW_OK : SKEW_ERR_INVALID;
}

/* Walk the members of the top-level object. For each, key is decoded into kbuf (truncated keys
   never match) and cb decides: return 1 when it consumed the value, 0 to skip it, -1 to stop
   with an error. The document is validated first, so a truncated message never half-acts. */
typedef int (*skew__member_fn)(void *ctx, skew_str key, skew__jr *r);

SKEW__PRIV skew_result skew__json_members(skew_str json, skew__member_fn cb, void *ctx) {
    skew__jr r;
    char kbuf[64];
    skew_result res = skew_json_validate(json);
    if (res != SKEW_OK) return res;
    r.p = (const unsigned char *)json.ptr;
    r.end = r.p + json.len;
    skew__jr_ws(&r);
    if (*r.p != '{') return SKEW_ERR_INVALID;
    r.p++;
    skew__jr_ws(&r);
    if (*r.p == '}') return SKEW_OK;
    for (;;) {
        skew__w kw = skew__w_buf(kbuf, sizeof kbuf);
        skew_str key;
        int took;
        skew__jr_ws(&r);
        skew__jr_string(&r, &kw);
        skew__w_end(&kw);
        key = skew__str(kbuf, kw.len < sizeof kbuf ? kw.len : 0);
        skew__jr_ws(&r);
        r.p++; /* ':' (validated) */
        skew__jr_ws(&r);
        took = cb(ctx, key, &r);
        if (took < 0) return SKEW_ERR_INVALID;
        if (took == 0 && skew__jr_skip(&r) != SKEW_OK) return SKEW_ERR_INVALID;
        skew__jr_ws(&r);
        if (*r.p == '}') return SKEW_OK;
        r.p++; /* ',' */
    }
}

typedef struct skew__get_ctx {
    const char *key;
    skew__w w;
    bool found, is_string;
} skew__get_ctx;

SKEW__PRIV int skew__get_cb(void *ctx, skew_str key, skew__jr *r) {
    skew__get_ctx *g = (skew__get_ctx *)ctx;
    if (g->found || key.len != strlen(g->key) || memcmp(key.ptr, g->key, key.len) != 0) return 0;
    g->found = true;
    if (*r->p != '"') return 0;
    g->is_string = true;
    return skew__jr_string(r, &g->w) ? 1 : -1;
}

SKEW_API skew_result skew_json_get_string(skew_str json, const char *key, char *buf, size_t cap, size_t *out_len) {
    skew__get_ctx g;
    skew_result res;
    memset(&g, 0, sizeof g);
    g.key = key;
    g.w = skew__w_buf(buf, cap);
    if (out_len) *out_len = 0;
    if (buf && cap) buf[0] = '\0';
    res = skew__json_members(json, skew__get_cb, &g);
    if (res != SKEW_OK) return res;
    if (!g.found || !g.is_string) return SKEW_ERR_NOT_FOUND;
    skew__w_end(&g.w);
    if (out_len) *out_len = g.w.len;
    if (g.w.len >= cap) return SKEW_ERR_TOO_LONG;
    return SKEW_OK;
}

/* Find member name[0..n) in the object at r->p ('{'); r->p moves to its value (first match). */
SKEW__PRIV skew_result skew__jr_member(skew__jr *r, const char *name, size_t n) {
    char kbuf[64];
    r->p++;
    skew__jr_ws(r);
    if (*r->p == '}') return SKEW_ERR_NOT_FOUND;
    for (;;) {
        skew__w kw = skew__w_buf(kbuf, sizeof kbuf);
        bool hit;
        skew__jr_ws(r);
        skew__jr_string(r, &kw);
        skew__w_end(&kw);
        hit = kw.len == n && n < sizeof kbuf && memcmp(kbuf, name, n) == 0;
        skew__jr_ws(r);
        r->p++; /* ':' (validated) */
        skew__jr_ws(r);
        if (hit) return SKEW_OK;
        skew__jr_skip(r);
        skew__jr_ws(r);
        if (*r->p == '}') return SKEW_ERR_NOT_FOUND;
        r->p++; /* ',' */
    }
}

/* Element idx of the array at r->p ('['); r->p moves to it. */
SKEW__PRIV skew_result skew__jr_element(skew__jr *r, size_t idx) {
    r->p++;
    skew__jr_ws(r);
    if (*r->p == ']') return SKEW_ERR_NOT_FOUND;
    for (; idx > 0; idx--) {
        skew__jr_skip(r);
        skew__jr_ws(r);
        if (*r->p == ']') return SKEW_ERR_NOT_FOUND;
        r->p++; /* ',' */
        skew__jr_ws(r);
    }
    return SKEW_OK;
}

/* Validate json, then walk path: r->p ends on the value's first byte. */
SKEW__PRIV skew_result skew__json_locate(skew_str json, const char *path, skew__jr *r) {
    skew_result res = skew_json_validate(json);
    if (res != SKEW_OK) return res;
    r->p = (const unsigned char *)json.ptr;
    r->end = r->p + json.len;
    skew__jr_ws(r);
    while (*path) {
        size_t n = 0, idx = 0, i;
        bool digits = true;
        while (path[n] && path[n] != '.') n++;
        for (i = 0; i < n; i++) {
            if (path[i] < '0' || path[i] > '9' || i >= 9) digits = false;
            else idx = idx * 10 + (size_t)(path[i] - '0');
        }
        if (*r->p == '{') res = skew__jr_member(r, path, n);
        else if (*r->p == '[' && digits && n > 0) res = skew__jr_element(r, idx);
        else res = SKEW_ERR_NOT_FOUND;
        if (res != SKEW_OK) return res;
        path += n;
        if (*path == '.') path++;
    }
    return SKEW_OK;
}

SKEW_API skew_result skew_json_get_path_raw(skew_str json, const char *path, skew_str *out) {
    skew__jr r;
    const unsigned char *start;
    skew_result res = skew__json_locate(json, path, &r);
    out->ptr = NULL;
    out->len = 0;
    if (res != SKEW_OK) return res;
    start = r.p;
    skew__jr_skip(&r);
    *out = skew__str((const char *)start, (size_t)(r.p - start));
    return SKEW_OK;
}

SKEW_API skew_result skew_json_get_path_string(skew_str json, const char *path, char *buf, size_t cap, size_t *out_len) {
    skew__jr r;
    skew__w w = skew__w_buf(buf, cap);
    skew_result res = skew__json_locate(json, path, &r);
    if (out_len) *out_len = 0;
    if (buf && cap) buf[0] = '\0';
    if (res != SKEW_OK) return res;
    if (*r.p != '"') return SKEW_ERR_NOT_FOUND;
    skew__jr_string(&r, &w);
    skew__w_end(&w);
    if (out_len) *out_len = w.len;
    return w.len >= cap ? SKEW_ERR_TOO_LONG : SKEW_OK;
}

SKEW_API skew_result skew_json_get_path_int(skew_str json, const char *path, int64_t *out) {
    skew__jr r;
    uint64_t v = 0;
    unsigned last;
    bool neg;
    skew_result res = skew__json_locate(json, path, &r);
    *out = 0;
    if (res != SKEW_OK) return res;
    neg = *r.p == '-';
    if (neg) r.p++;
    if (r.p >= r.end || *r.p < '0' || *r.p > '9') return SKEW_ERR_NOT_FOUND;
    last = neg ? 8u : 7u; /* INT64_MIN / INT64_MAX end in 8 / 7; no 64-bit division (firmware) */
    for (; r.p < r.end && *r.p >= '0' && *r.p <= '9'; r.p++) {
        unsigned d = (unsigned)(*r.p - '0');
        if (v > UINT64_C(922337203685477580) || (v == UINT64_C(922337203685477580) && d > last)) return SKEW_ERR_TOO_LONG;
        v = v * 10u + d;
    }
    if (r.p < r.end && *r.p == '.') /* the fraction is dropped (toward zero) */
        for (r.p++; r.p < r.end && *r.p >= '0' && *r.p <= '9'; r.p++) {}
    if (r.p < r.end && (*r.p == 'e' || *r.p == 'E')) return SKEW_ERR_INVALID;
    *out = neg ? (v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    return SKEW_OK;
}

SKEW_API skew_result skew_url_decode(skew_str in, bool form, char *buf, size_t cap, size_t *out_len) {
    size_t i, n = 0;
    if (out_len) *out_len = 0;
    if (!buf || !cap) return SKEW_ERR_TOO_LONG;
    for (i = 0; i < in.len; i++) {
        unsigned char c = (unsigned char)in.ptr[i];
        if (c == '%' && i + 2 < in.len && skew__hexval((unsigned char)in.ptr[i + 1]) >= 0 &&
            skew__hexval((unsigned char)in.ptr[i + 2]) >= 0) {
            c = (unsigned char)(skew__hexval((unsigned char)in.ptr[i + 1]) * 16 + skew__hexval((unsigned char)in.ptr[i + 2]));
            i += 2;
        } else if (c == '%') {
            buf[n < cap ? n : cap - 1] = '\0';
            return SKEW_ERR_INVALID; /* a '%' not followed by two hex digits */
        } else if (c == '+' && form) {
            c = ' ';
        }
        if (n + 1 >= cap) {
            buf[cap - 1] = '\0';
            return SKEW_ERR_TOO_LONG;
        }
        buf[n++] = (char)c;
    }
    buf[n] = '\0';
    if (out_len) *out_len = n;
    return SKEW_OK;
}

/* name=value pairs split by sep; the first pair whose name matches wins. Cookies (trim) allow
   spaces around names and values and drop quotes around a value; query strings take the raw
   text, and a bare "name" counts as an empty value. */
SKEW__PRIV skew_result skew__pair_find(skew_str text, char sep, bool trim, const char *name, skew_str *out) {
    const char *p, *end;
    size_t nlen = strlen(name);
    out->ptr = NULL;
    out->len = 0;
    if (!text.ptr) return SKEW_ERR_NOT_FOUND;
    p = text.ptr;
    end = text.ptr + text.len;
    while (p < end) {
        const char *stop = (const char *)memchr(p, sep, (size_t)(end - p)), *q;
        if (!stop) stop = end;
        if (trim) { /* cookies: "a=1, b=2" (repeated headers joined by ", ") splits too; no cookie value holds ',' */
            const char *comma = (const char *)memchr(p, ',', (size_t)(stop - p));
            if (comma) stop = comma;
        }
        if (trim)
            while (p < stop && skew__is_space((unsigned char)*p)) p++;
        if ((size_t)(stop - p) >= nlen && memcmp(p, name, nlen) == 0) {
            q = p + nlen;
            if (trim)
                while (q < stop && skew__is_space((unsigned char)*q)) q++;
            if (q < stop && *q == '=') {
                skew_str v = skew__str(q + 1, (size_t)(stop - q - 1));
                if (trim) {
                    v = skew__trim(v);
                    if (v.len >= 2 && v.ptr[0] == '"' && v.ptr[v.len - 1] == '"') {
                        v.ptr++;
                        v.len -= 2;
                    }
                }
                *out = v;
                return SKEW_OK;
            }
            if (q == stop && !trim) {
                *out = skew__str(stop, 0);
                return SKEW_OK;
            }
        }
        p = stop + 1;
    }
    return SKEW_ERR_NOT_FOUND;
}

SKEW_API skew_result skew_get_query_param(skew_str query, const char *name, skew_str *out) {
    return skew__pair_find(query, '&', false, name, out); /* the first value wins (PROTOCOL.md) */
}

SKEW_API skew_result skew_get_cookie(skew_str header, const char *name, skew_str *out) {
    return skew__pair_find(header, ';', true, name, out);
}

#if !SKEW_OPTIMIZE_SIZE
/* The first ';' or ',' in [p, end), or end (glibc's memchr beat an 8-byte loop here). */
SKEW__PRIV const char *skew__cookie_stop(const char *p, const char *end) {
    const char *semi = (const char *)memchr(p, ';', (size_t)(end - p)), *comma;
    if (!semi) semi = end;
    comma = (const char *)memchr(p, ',', (size_t)(semi - p));
    return comma ? comma : semi;
}

/* skew_get_cookie(header, name, out) for a cookie name of nlen token characters (the tracker's:
   no space, '=', ';' or ','), the same answer in one pass: a pair's end is only looked for past
   a name that does not match (an open asked skew__pair_find for about 260 instructions, with
   two memchr per pair). */
SKEW__PRIV skew_result skew__find_cookie(skew_str header, const char *name, size_t nlen, skew_str *out) {
    const char *p = header.ptr, *end, *q;
    out->ptr = NULL;
    out->len = 0;
    if (!p) return SKEW_ERR_NOT_FOUND;
    end = p + header.len;
    while (p < end) {
        while (p < end && skew__is_space((unsigned char)*p)) p++; /* a stop is no space: stays in the pair */
        q = p;
        if ((size_t)(end - p) >= nlen && *p == name[0] && memcmp(p, name, nlen) == 0) { /* no stop in the name */
            q = p + nlen;
            while (q < end && skew__is_space((unsigned char)*q)) q++;
            if (q < end && *q == '=') {
                skew_str v;
                q++;
                v = skew__str(q, (size_t)(skew__cookie_stop(q, end) - q));
                if (v.len && (skew__is_space((unsigned char)v.ptr[0]) ||
                              skew__is_space((unsigned char)v.ptr[v.len - 1])))
                    v = skew__trim(v); /* most values have no space to trim: no call */
                if (v.len >= 2 && v.ptr[0] == '"' && v.ptr[v.len - 1] == '"') {
                    v.ptr++;
                    v.len -= 2;
                }
                *out = v;
                return SKEW_OK;
            }
        }
        p = skew__cookie_stop(q, end) + 1;
    }
    return SKEW_ERR_NOT_FOUND;
}
#endif

SKEW_API skew_result skew_route_clean(skew_str route, size_t max_len, skew_str *out) {
    size_t i;
    out->ptr = route.ptr;
    out->len = 0;
    if (!route.ptr || route.len == 0 || route.ptr[0] != '/') return SKEW_ERR_INVALID;
    i = 0;
#if !SKEW_OPTIMIZE_SIZE /* 8 bytes a turn while none is '?' or '#' (exact zero-byte test) */
    for (; route.len - i >= 8; i += 8) {
        uint64_t v, q, h;
        memcpy(&v, route.ptr + i, 8);
        q = v ^ 0x3F3F3F3F3F3F3F3Full;
        h = v ^ 0x2323232323232323ull;
        if (((q - 0x0101010101010101ull) & ~q) & 0x8080808080808080ull) break;
        if (((h - 0x0101010101010101ull) & ~h) & 0x8080808080808080ull) break;
    }
#endif
    for (; i < route.len && route.ptr[i] != '?' && route.ptr[i] != '#'; i++) {}
    if (i > max_len) return SKEW_ERR_TOO_LONG;
    if (!skew__clean_text(skew__str(route.ptr, i))) return SKEW_ERR_INVALID;
    out->len = i;
    return SKEW_OK;
}

/* Compare without leaking where the first difference is. */
SKEW__PRIV bool skew__ct_equal(skew_str a, skew_str b) {
    size_t i;
    unsigned diff = (unsigned)(a.len ^ b.len);
    for (i = 0; i < a.len; i++) diff |= (unsigned)((unsigned char)a.ptr[i] ^ (unsigned char)(b.len ? b.ptr[i % b.len] : 0));
    return diff == 0 && a.len == b.len;
}

SKEW_API skew_auth_result skew_auth_bearer(const skew_request *req, skew_str token) {
    skew_str h, c;
    if (!token.ptr || token.len == 0) return SKEW_AUTH_RESULT_UNAVAILABLE;
    h = skew__trim(skew_get_header(req, "authorization"));
    if (h.len > 7 && skew__eq_nocase(skew__str(h.ptr, 7), "bearer ")) h = skew__trim(skew__str(h.ptr + 7, h.len - 7));
    if (h.len && skew__ct_equal(h, token)) return SKEW_AUTH_RESULT_GRANTED;
    if (skew_get_cookie(skew_get_header(req, "cookie"), "skew_admin", &c) == SKEW_OK && c.len &&
        skew__ct_equal(c, token))
        return SKEW_AUTH_RESULT_GRANTED;
    return SKEW_AUTH_RESULT_DENIED;
}

/* ======================================================================================
   >>rng  ChaCha12 keystream seeded from hooks.random_bytes: one OS call per 2^18 ids, not per id
   ====================================================================================== */

#define SKEW__RNG_BLOCKS (SKEW__CHACHA4 ? 4u : 1u) /* blocks made per refill */
#define SKEW__RNG_BYTES (64u * SKEW__RNG_BLOCKS)
#define SKEW__ROTL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define SKEW__QR(a, b, c, d)                                                                       \
    a += b; d ^= a; d = SKEW__ROTL(d, 16); c += d; b ^= c; b = SKEW__ROTL(b, 12);                \
    a += b; d ^= a; d = SKEW__ROTL(d, 8);  c += d; b ^= c; b = SKEW__ROTL(b, 7)

SKEW__PRIV void skew__chacha_block(const uint32_t key[8], uint64_t counter, uint8_t out[64]) {
    uint32_t s[16], x[16];
    int i;
    s[0] = 0x61707865u; s[1] = 0x3320646eu; s[2] = 0x79622d32u; s[3] = 0x6b206574u;
    for (i = 0; i < 8; i++) s[4 + i] = key[i];
    s[12] = (uint32_t)counter;
    s[13] = (uint32_t)(counter >> 32);
    s[14] = 0;
    s[15] = 0;
    memcpy(x, s, sizeof x);
#if SKEW_OPTIMIZE_SIZE
    { /* the same 12 rounds, one quarter round at a time; its four indices packed in 16 bits */
        static const uint16_t quarter[8] = {0x048C, 0x159D, 0x26AE, 0x37BF, 0x05AF, 0x16BC, 0x278D, 0x349E};
        for (i = 0; i < 48; i++) {
            unsigned q = quarter[i & 7], ia = q >> 12, ib = (q >> 8) & 15u, ic = (q >> 4) & 15u, id = q & 15u;
            uint32_t a = x[ia], b = x[ib], c = x[ic], d = x[id];
            SKEW__QR(a, b, c, d);
            x[ia] = a; x[ib] = b; x[ic] = c; x[id] = d;
        }
    }
#else
    for (i = 0; i < 6; i++) { /* ChaCha12: the round count of Rust's StdRng, ample for ids */
        SKEW__QR(x[0], x[4], x[8], x[12]); SKEW__QR(x[1], x[5], x[9], x[13]);
        SKEW__QR(x[2], x[6], x[10], x[14]); SKEW__QR(x[3], x[7], x[11], x[15]);
        SKEW__QR(x[0], x[5], x[10], x[15]); SKEW__QR(x[1], x[6], x[11], x[12]);
        SKEW__QR(x[2], x[7], x[8], x[13]); SKEW__QR(x[3], x[4], x[9], x[14]);
    }
#endif
#if !SKEW_OPTIMIZE_SIZE && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (i = 0; i < 16; i++) x[i] += s[i]; /* little-endian words: their bytes are the output */
    memcpy(out, x, 64);
#else
    for (i = 0; i < 16; i++) {
        uint32_t v = x[i] + s[i];
        out[4 * i] = (uint8_t)v; out[4 * i + 1] = (uint8_t)(v >> 8);
        out[4 * i + 2] = (uint8_t)(v >> 16); out[4 * i + 3] = (uint8_t)(v >> 24);
    }
#endif
}

#if SKEW__CHACHA4
/* Four blocks (counter .. counter + 3) at once with SSE2: each register holds one state word of
   the four blocks, so every quarter round is four independent lanes (no shuffles in the rounds;
   the one-block vector form, a row per register, was slower than the scalar code). out gets the
   four 64-byte blocks in counter order: the same bytes as four skew__chacha_block calls. */
#define SKEW__ROTV(v, n) _mm_or_si128(_mm_slli_epi32(v, n), _mm_srli_epi32(v, 32 - (n)))
#define SKEW__QRV(a, b, c, d)                                                                      \
    a = _mm_add_epi32(a, b); d = _mm_xor_si128(d, a); d = SKEW__ROTV(d, 16);                        \
    c = _mm_add_epi32(c, d); b = _mm_xor_si128(b, c); b = SKEW__ROTV(b, 12);                        \
    a = _mm_add_epi32(a, b); d = _mm_xor_si128(d, a); d = SKEW__ROTV(d, 8);                         \
    c = _mm_add_epi32(c, d); b = _mm_xor_si128(b, c); b = SKEW__ROTV(b, 7)
SKEW__PRIV void skew__chacha_block4(const uint32_t key[8], uint64_t counter, uint8_t out[256]) {
    static const uint32_t sigma[4] = {0x61707865u, 0x3320646eu, 0x79622d32u, 0x6b206574u};
    __m128i s[16], x[16];
    uint32_t lo[4], hi[4];
    int i, j;
    for (i = 0; i < 4; i++) s[i] = _mm_set1_epi32((int)sigma[i]);
    for (i = 0; i < 8; i++) s[4 + i] = _mm_set1_epi32((int)key[i]);
    for (j = 0; j < 4; j++) {
        lo[j] = (uint32_t)(counter + (uint64_t)j);
        hi[j] = (uint32_t)((counter + (uint64_t)j) >> 32);
    }
    s[12] = _mm_setr_epi32((int)lo[0], (int)lo[1], (int)lo[2], (int)lo[3]);
    s[13] = _mm_setr_epi32((int)hi[0], (int)hi[1], (int)hi[2], (int)hi[3]);
    s[14] = s[15] = _mm_setzero_si128();
    for (i = 0; i < 16; i++) x[i] = s[i];
    for (i = 0; i < 6; i++) {
        SKEW__QRV(x[0], x[4], x[8], x[12]); SKEW__QRV(x[1], x[5], x[9], x[13]);
        SKEW__QRV(x[2], x[6], x[10], x[14]); SKEW__QRV(x[3], x[7], x[11], x[15]);
        SKEW__QRV(x[0], x[5], x[10], x[15]); SKEW__QRV(x[1], x[6], x[11], x[12]);
        SKEW__QRV(x[2], x[7], x[8], x[13]); SKEW__QRV(x[3], x[4], x[9], x[14]);
    }
    for (i = 0; i < 16; i += 4) { /* words i..i+3 of each block: a 4x4 transpose */
        __m128i a = _mm_add_epi32(x[i], s[i]), b = _mm_add_epi32(x[i + 1], s[i + 1]);
        __m128i c = _mm_add_epi32(x[i + 2], s[i + 2]), d = _mm_add_epi32(x[i + 3], s[i + 3]);
        __m128i t0 = _mm_unpacklo_epi32(a, b), t1 = _mm_unpacklo_epi32(c, d);
        __m128i t2 = _mm_unpackhi_epi32(a, b), t3 = _mm_unpackhi_epi32(c, d);
        _mm_storeu_si128((__m128i *)(void *)(out + 4 * i), _mm_unpacklo_epi64(t0, t1));
        _mm_storeu_si128((__m128i *)(void *)(out + 64 + 4 * i), _mm_unpackhi_epi64(t0, t1));
        _mm_storeu_si128((__m128i *)(void *)(out + 128 + 4 * i), _mm_unpacklo_epi64(t2, t3));
        _mm_storeu_si128((__m128i *)(void *)(out + 192 + 4 * i), _mm_unpackhi_epi64(t2, t3));
    }
}
#undef SKEW__QRV
#undef SKEW__ROTV
#endif

/* ======================================================================================
   >>state  the tracker struct, locking, the clock (implementation only)
   ====================================================================================== */

#define SKEW__NONE 0xFFFFFFFFu
#define SKEW__NO_STR 0xFFFFu
#define SKEW__F_LIVE 0x01u
#define SKEW__F_WS 0x02u
#define SKEW__F_AUTH 0x04u   /* WS handshake headers were authorized for stats */
#define SKEW__F_SUB 0x08u
#define SKEW__F_DOOMED 0x10u /* a send failed: closed when the current call ends */
#define SKEW__F_PENDING 0x20u /* the stats authorization answered PENDING: skew_set_stats_verdict */
#define SKEW__F_SUBWAIT 0x40u /* a subscribe-stats waits for that answer */
/* frame_sse room around the message buffer: "data: " before, "\n\n" after. */
#define SKEW__SSE_HEAD_LEN 6u
#define SKEW__SSE_ROOM 8u

/* One connection slot. 64 bytes on 64-bit targets. */
typedef struct skew__slot {
    uint8_t id[16];
    uint8_t ip[16];
    void *user;
    uint32_t gen;     /* bumped when the slot is freed: stale handles are detected */
    uint32_t pos;     /* live: index in live[]; free: next free slot */
    uint32_t sub_pos; /* index in subs[], or SKEW__NONE */
    uint32_t doomed_next;
    uint16_t version; /* entry in the version table */
    uint16_t route;   /* entry in the route table, or SKEW__NO_STR */
    uint8_t flags;
    uint8_t ip_family;
    uint8_t close_reason;
} skew__slot;

/* Interned strings with live counts. Entry 0 is "(other)": where values go when the table is
   full or the value is invalid, so totals stay exact and memory stays bounded. */
typedef struct skew__strtab {
    char *text;        /* entry i at text + i * stride */
    uint16_t *lens;
    uint32_t *counts;
    uint32_t *hashes;
    uint16_t *index;   /* open addressing, entry+1; 0 = empty */
    uint16_t *live;    /* used entries except 0, dense, for iteration */
    uint16_t *live_pos;
    uint32_t cap;      /* entries incl. entry 0 */
    uint32_t used;     /* entries in live[] */
    uint32_t index_mask;
    uint32_t stride;
    uint32_t free_head;
    uint32_t pin[2];   /* entries kept while no connection uses them, or SKEW__NONE (>>strings) */
} skew__strtab;

/* ---- >>timeline state (the functions are in the >>timeline section) ------------------ */

typedef struct skew__tl_series {
    uint64_t last_seen;   /* 1 + number of the last sample where it was > 0; 0 = never */
    uint32_t hash;        /* of the name, as the versions table hashes it */
    uint32_t entry;       /* versions-table entry that last held the name (a hint) */
    uint16_t len;
    bool used;
} skew__tl_series;

typedef struct skew__timeline {
    uint64_t *times;           /* ring of sample times */
    uint32_t *counts;          /* ring of rows: `width` counts, the last one "(other)" */
    char *names;               /* series k's name at names + k * stride */
    skew__tl_series *series;
    uint64_t taken;            /* samples taken since init */
    uint64_t next_due;
    uint64_t other_seen;       /* as last_seen, for "(other)" */
    uint32_t cap, kept, head;  /* ring size, samples in it, slot of the next one */
    uint32_t nseries, width, stride, period;
} skew__timeline;

/* ---- early probes of new SSE streams (skew_config.sse_probe_ms; functions in >>time) ------
   A ring of the SSE streams opened lately, in open order: [head, fresh) carry the scheduling
   clock of the first skew_tick after their open, [fresh, tail) wait for it. cur[k] is the first
   entry probe k has not reached; as the delays increase, head <= cur[k] <= cur[k-1] <= fresh.
   A closed stream's entry stays until the cursors pass it (its generation no longer matches). */
typedef struct skew__probe_entry {
    uint64_t at;      /* scheduling clock of the first tick after the open */
    uint32_t idx, gen;
} skew__probe_entry;

typedef struct skew__probes {
    skew__probe_entry *ring; /* cap entries (slots + 1); NULL: no probes */
    uint32_t cap, stages, head, fresh, tail;
    uint32_t cur[SKEW_SSE_PROBES_MAX];
} skew__probes;

SKEW__PRIV void skew__probe_add(skew_tracker *t, uint32_t idx);

SKEW__PRIV void skew__timeline_defaults(skew_config *c);
SKEW__PRIV bool skew__timeline_valid(const skew_config *c);
SKEW__PRIV size_t skew__timeline_bytes(const skew_config *c);
SKEW__PRIV void skew__timeline_init(skew_tracker *t, char *mem);
SKEW__PRIV void skew__timeline_tick(skew_tracker *t, uint64_t now);
SKEW__PRIV void skew__put_timeline_member(const skew_tracker *t, skew__w *w);

/* One remembered bot verdict (>>registry "bot verdict cache"): the keyed hash and length of a
   User-Agent; verdict 0 = empty entry, 1 = browser, 2 = bot. */
typedef struct skew__bot_memo {
    uint64_t hash;
    uint32_t len;
    uint32_t verdict;
} skew__bot_memo;

struct skew_tracker {
    skew_config cfg;
    skew_bot_filter bots;
#if !SKEW_OPTIMIZE_SIZE
    skew__bot_memo *bot_cache; /* NULL: no cache */
    uint32_t bot_cache_mask;   /* sets of 4 entries, minus one */
    uint64_t bot_key[2];       /* secret: a client cannot aim User-Agents at one entry */
#endif
    skew__slot *slots;
    uint32_t *live;
    uint32_t *subs;
    uint64_t *ids;     /* id hash table, see SKEW__ID_ENTRY; 0 = empty */
    uint64_t *route_sig; /* per slot, set when its route folds into "(other)" (table poisoning) */
    uint64_t *ipt;       /* per-address counts (>>registry "per address"), NULL without a cap */
    uint64_t *ipkey;     /* per slot: the key its address counts under, 0 = not counted */
    uint32_t ipt_mask;
    uint32_t per_ip_cap;
    bool per_ip_loopback; /* the cap was set explicitly: loopback counts too */
    uint32_t slot_cap;    /* max_connections + the stats reserve */
    uint32_t id_mask;
    uint32_t free_head;
    uint32_t live_count, sub_count;
    uint32_t doomed_head;
    uint32_t auth_idx; /* the connection hooks.authorize is asked about (auth_asking) */
    bool auth_asking;
    skew__strtab versions, routes;
    char *server_version;
    size_t server_version_len;
#if !SKEW_OPTIMIZE_SIZE
    char *connected_prefix; /* {"type":"connected","version":<server>,"connectionId":" */
    size_t connected_prefix_len;
    uint64_t ts_value;      /* the last `connected` timestamp and its digits: the opens of one */
    char ts_text[20];       /* event-loop wake-up share the clock reading */
    size_t ts_len;
#endif
    char *base;        /* copies of the configured strings */
    char *cookie;
#if !SKEW_OPTIMIZE_SIZE
    size_t cookie_len;
#endif
    size_t base_len;
    char *scratch;     /* decoding room for one version or route */
    size_t scratch_cap;
    char *msg;         /* message buffer: stats, connected, version */
    size_t msg_cap;
    uint32_t rng_key[8];
    uint64_t rng_counter;
    uint8_t rng_buf[SKEW__RNG_BYTES];
    uint32_t rng_avail;
    uint32_t hash_seed;
    uint64_t started_ms;    /* wall clock (hooks.epoch_ms), for uptime */
    uint64_t last_now, next_keepalive, stats_due; /* scheduling clock (skew_tick's argument) */
    bool clock_started;     /* skew_tick ran once: next_keepalive is on the scheduling clock */
    bool sending;           /* inside hooks.send: the message buffer holds the message sent */
    bool stats_dirty;
    bool broadcasting;
    bool shutting_down;     /* skew_shutdown: every open answers SKEW_ERR_STOPPING */
    unsigned depth;    /* nesting of public calls (hooks calling hook-safe functions) */
    skew_metrics m;
    skew__timeline tl; /* >>timeline */
    void *owned;       /* skew_tracker_create memory, freed by destroy */
    size_t owned_size;
#if SKEW_ENABLE_CLUSTER
    struct skew__cluster *cl; /* >>cluster: NULL when standalone */
#endif
    skew__probes probe; /* >>time: early probes of new SSE streams (last: no offset moves) */
};

#if SKEW_ENABLE_CLUSTER
/* >>cluster hooks into the code above it (defined in the >>cluster section at the end) */
typedef struct skew__cluster skew__cluster;
SKEW__PRIV skew_result skew__cl_resolve(skew_config *c);
SKEW__PRIV size_t skew__cl_memory(const skew_config *c);
SKEW__PRIV size_t skew__cl_head_max(const skew_config *c);
SKEW__PRIV size_t skew__cl_entry_extra(const skew_config *c);
SKEW__PRIV void skew__cl_init(skew_tracker *t, char *mem);
SKEW__PRIV void skew__cl_tag_id(const skew_tracker *t, uint8_t id[16]);
SKEW__PRIV skew_cluster_link skew__cl_state(const skew_tracker *t);
SKEW__PRIV void skew__cl_write_stats(const skew_tracker *t, skew__w *w, bool with_type, uint32_t max_listed,
                                     size_t reserve, size_t *list_end);
#if SKEW_ENABLE_ADMIN
SKEW__PRIV void skew__cl_put_metrics(const skew_tracker *t, skew__w *w);
#endif
#if SKEW_ENABLE_HTTP
SKEW__PRIV bool skew__cl_not_local(skew_tracker *t, const skew_request *req);
#endif
#endif

/* ---- locking, time ------------------------------------------------------------------ */

SKEW__PRIV void skew__settle(skew_tracker *t);

SKEW__PRIV void skew__enter(skew_tracker *t) {
    if (t->cfg.hooks.lock) t->cfg.hooks.lock(t->cfg.hooks.user_data);
    t->depth++;
}
SKEW__PRIV void skew__leave(skew_tracker *t) {
#if SKEW_OPTIMIZE_SIZE
    if (t->depth == 1) skew__settle(t);
#else /* most calls leave nothing to settle (skew__settle's own exit test): no call */
    if (t->depth == 1 && (t->doomed_head != SKEW__NONE ||
                          (t->stats_dirty && t->cfg.stats_interval_ms == SKEW_STATS_IMMEDIATE)))
        skew__settle(t);
#endif
    t->depth--;
    if (t->cfg.hooks.unlock) t->cfg.hooks.unlock(t->cfg.hooks.user_data);
}

/* Read-only public calls take the lock too (a multi-threaded server may read while another
   thread mutates), but never settle: they change nothing. */
SKEW__PRIV void skew__lock_ro(const skew_tracker *t) {
    if (t->cfg.hooks.lock) t->cfg.hooks.lock(t->cfg.hooks.user_data);
}
SKEW__PRIV void skew__unlock_ro(const skew_tracker *t) {
    if (t->cfg.hooks.unlock) t->cfg.hooks.unlock(t->cfg.hooks.user_data);
}

/* The wall clock for the wire; never the scheduling clock of skew_tick. */
SKEW__PRIV uint64_t skew__now(const skew_tracker *t) {
    uint64_t now = 0;
    if (t->cfg.hooks.epoch_ms) now = t->cfg.hooks.epoch_ms(t->cfg.hooks.user_data);
#if SKEW_ENABLE_HOSTED
    else now = skew__hosted_now_ms();
#endif
    return now;
}

/* One more of a metric: a call is smaller than 64-bit arithmetic written out on 32-bit targets. */
SKEW__PRIV void skew__count(uint64_t *metric) { ++*metric; }

SKEW__PRIV void skew__log(skew_tracker *t, skew_log_level level, const char *msg) {
    if (t->cfg.hooks.log) t->cfg.hooks.log(t->cfg.hooks.user_data, level, msg);
}

/* ======================================================================================
   >>ids  connection ids: text form and the id table (implementation only)
   ====================================================================================== */

/* The table hash seed is drawn once, at init: a reseed of the id generator that changed it
   would make every stored version and route unfindable (duplicates in the counts). */
SKEW__PRIV skew_result skew__seed(skew_tracker *t, bool with_hash_seed) {
    uint8_t seed[36];
    skew_result r = SKEW_ERR_RANDOM;
    int i;
    if (t->cfg.hooks.random_bytes) r = t->cfg.hooks.random_bytes(t->cfg.hooks.user_data, seed, sizeof seed);
#if SKEW_ENABLE_HOSTED
    else r = skew__hosted_random(seed, sizeof seed);
#endif
    if (r != SKEW_OK) return SKEW_ERR_RANDOM;
    for (i = 0; i < 8; i++)
        t->rng_key[i] ^= (uint32_t)seed[4 * i] | ((uint32_t)seed[4 * i + 1] << 8) |
                         ((uint32_t)seed[4 * i + 2] << 16) | ((uint32_t)seed[4 * i + 3] << 24);
    if (with_hash_seed)
        t->hash_seed ^= (uint32_t)seed[32] | ((uint32_t)seed[33] << 8) | ((uint32_t)seed[34] << 16) | ((uint32_t)seed[35] << 24);
    memset(seed, 0, sizeof seed);
    return SKEW_OK;
}

/* 16 random bytes as a UUID v4. The key is refreshed from the OS every 2^16 blocks. */
SKEW__PRIV skew_result skew__new_id(skew_tracker *t, uint8_t id[16]) {
    if (t->rng_avail < 16) {
        /* every 2^16 blocks: the refill that reaches block 0xFFFF (of 2^16) */
        if ((t->rng_counter & 0xFFFFu) > 0xFFFFu - SKEW__RNG_BLOCKS && skew__seed(t, false) != SKEW_OK)
            skew__log(t, SKEW_LOG_LEVEL_WARN, "skew: reseeding the id generator failed; keeping the old key");
#if SKEW__CHACHA4
        skew__chacha_block4(t->rng_key, t->rng_counter, t->rng_buf);
#else
        skew__chacha_block(t->rng_key, t->rng_counter, t->rng_buf);
#endif
        t->rng_counter += SKEW__RNG_BLOCKS;
        t->rng_avail = SKEW__RNG_BYTES;
    }
    memcpy(id, t->rng_buf + SKEW__RNG_BYTES - t->rng_avail, 16);
    memset(t->rng_buf + SKEW__RNG_BYTES - t->rng_avail, 0, 16); /* used output is not kept */
    t->rng_avail -= 16;
    id[6] = (uint8_t)((id[6] & 0x0Fu) | 0x40u);
    id[8] = (uint8_t)((id[8] & 0x3Fu) | 0x80u);
#if SKEW_ENABLE_CLUSTER
    if (t->cl) skew__cl_tag_id(t, id);
#endif
    return SKEW_OK;
}

SKEW__PRIV void skew__id_text(const uint8_t id[16], char out[SKEW_ID_STR_MAX]) {
#if SKEW_OPTIMIZE_SIZE
    /* where each byte's two digits go in 8-4-4-4-12 */
    static const uint8_t at[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
    int i;
    for (i = 0; i < 16; i++) {
        out[at[i]] = skew__hex[id[i] >> 4];
        out[at[i] + 1] = skew__hex[id[i] & 15];
    }
#elif SKEW__SSE2
    /* every open writes an id: its 32 digits from two 16-byte vectors (about 30 instructions,
       a third of the table below), then placed at the 8-4-4-4-12 offsets */
    const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)id), low = _mm_set1_epi8(0x0F);
    const __m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), low), lo = _mm_and_si128(v, low);
    __m128i a = _mm_unpacklo_epi8(hi, lo), b = _mm_unpackhi_epi8(hi, lo); /* nibbles in text order */
    char d[32];
    /* a nibble x becomes '0' + x, plus 'a' - '0' - 10 past 9 */
    a = _mm_add_epi8(_mm_add_epi8(a, _mm_set1_epi8('0')),
                     _mm_and_si128(_mm_cmpgt_epi8(a, _mm_set1_epi8(9)), _mm_set1_epi8('a' - '0' - 10)));
    b = _mm_add_epi8(_mm_add_epi8(b, _mm_set1_epi8('0')),
                     _mm_and_si128(_mm_cmpgt_epi8(b, _mm_set1_epi8(9)), _mm_set1_epi8('a' - '0' - 10)));
    _mm_storeu_si128((__m128i *)(void *)d, a);
    _mm_storeu_si128((__m128i *)(void *)(d + 16), b);
    memcpy(out, d, 8);
    memcpy(out + 9, d + 8, 4);
    memcpy(out + 14, d + 12, 4);
    memcpy(out + 19, d + 16, 4);
    memcpy(out + 24, d + 20, 12);
#else
    /* both digits of a byte at once: every open writes an id */
    static const char two[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                              "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
                              "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
                              "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
                              "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
                              "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
                              "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
                              "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
    /* written out at the 8-4-4-4-12 offsets: no loop, half the instructions */
#define SKEW__ID_HEX(k, o) memcpy(out + (o), two + 2 * id[k], 2)
    SKEW__ID_HEX(0, 0); SKEW__ID_HEX(1, 2); SKEW__ID_HEX(2, 4); SKEW__ID_HEX(3, 6);
    SKEW__ID_HEX(4, 9); SKEW__ID_HEX(5, 11); SKEW__ID_HEX(6, 14); SKEW__ID_HEX(7, 16);
    SKEW__ID_HEX(8, 19); SKEW__ID_HEX(9, 21); SKEW__ID_HEX(10, 24); SKEW__ID_HEX(11, 26);
    SKEW__ID_HEX(12, 28); SKEW__ID_HEX(13, 30); SKEW__ID_HEX(14, 32); SKEW__ID_HEX(15, 34);
#undef SKEW__ID_HEX
#endif
    out[8] = out[13] = out[18] = out[23] = '-';
    out[36] = '\0';
}

SKEW__PRIV bool skew__id_parse(skew_str s, uint8_t id[16]) {
    size_t i, o = 0;
    if (s.len != 36) return false;
    for (i = 0; i < 36;) {
        int hi, lo;
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s.ptr[i] != '-') return false;
            i++;
            continue;
        }
        hi = skew__hexval((unsigned char)s.ptr[i]);
        lo = skew__hexval((unsigned char)s.ptr[i + 1]);
        if (hi < 0 || lo < 0) return false;
        id[o++] = (uint8_t)(hi * 16 + lo);
        i += 2;
    }
    return true;
}

SKEW__PRIV uint32_t skew__id_hash(const uint8_t id[16]) {
    /* ids are CSPRNG output, so their own bytes are a fine hash an attacker cannot steer */
    return (uint32_t)id[0] | ((uint32_t)id[1] << 8) | ((uint32_t)id[2] << 16) | ((uint32_t)id[3] << 24);
}

/* id table entries: the id's own hash in the high half (so probes and backward shifts never
   touch a slot, which at 100k connections is a cache miss each), slot+1 in the low half. */
#define SKEW__ID_ENTRY(h, slot) (((uint64_t)(h) << 32) | ((uint64_t)(slot) + 1u))

SKEW__PRIV uint32_t skew__id_lookup(const skew_tracker *t, const uint8_t id[16]) {
    uint32_t h = skew__id_hash(id), i = h & t->id_mask;
    for (;;) {
        uint64_t v = t->ids[i];
        if (v == 0) return SKEW__NONE;
        if ((uint32_t)(v >> 32) == h && memcmp(t->slots[(uint32_t)v - 1].id, id, 16) == 0) return (uint32_t)v - 1;
        i = (i + 1) & t->id_mask;
    }
}

/* Insert unless an equal id is present (false): one probe walk serves both. */
SKEW__PRIV bool skew__id_insert(skew_tracker *t, uint32_t slot) {
    const uint8_t *id = t->slots[slot].id;
    uint32_t h = skew__id_hash(id), i = h & t->id_mask;
    while (t->ids[i]) {
        uint64_t v = t->ids[i];
        if ((uint32_t)(v >> 32) == h && memcmp(t->slots[(uint32_t)v - 1].id, id, 16) == 0) return false;
        i = (i + 1) & t->id_mask;
    }
    t->ids[i] = SKEW__ID_ENTRY(h, slot);
    return true;
}

/* Both linear-probing tables (connection ids, string-table index) delete with a backward
   shift: no tombstones, so lookups stay O(1). A table holds 64-bit entries with their hash in
   the high half (wide), or 16-bit entries e + 1 whose hash is hashes[e] (narrow). */
typedef struct skew__probe {
    uint64_t *wide;         /* NULL for a narrow table */
    uint16_t *narrow;
    const uint32_t *hashes; /* of the narrow entries */
    uint32_t mask;
} skew__probe;

/* Whether slot j holds an entry, and then its home slot. */
SKEW__PRIV bool skew__probe_home(const skew__probe *p, uint32_t j, uint32_t *home) {
    if (p->wide) {
        *home = (uint32_t)(p->wide[j] >> 32) & p->mask;
        return p->wide[j] != 0;
    }
    if (!p->narrow[j]) return false;
    *home = p->hashes[p->narrow[j] - 1] & p->mask;
    return true;
}

/* Empty slot i, moving back the entries after it that would no longer be found. */
SKEW__PRIV void skew__probe_delete(const skew__probe *p, uint32_t i) {
    uint32_t j = i, home;
    for (;;) {
        j = (j + 1) & p->mask;
        if (!skew__probe_home(p, j, &home)) break;
        /* move j back to i unless its home lies cyclically in (i, j] */
        if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
            if (p->wide) p->wide[i] = p->wide[j];
            else p->narrow[i] = p->narrow[j];
            i = j;
        }
    }
    if (p->wide) p->wide[i] = 0;
    else p->narrow[i] = 0;
}

SKEW__PRIV void skew__id_remove(skew_tracker *t, uint32_t slot) {
    uint32_t h = skew__id_hash(t->slots[slot].id), i = h & t->id_mask;
    uint64_t want = SKEW__ID_ENTRY(h, slot);
    skew__probe p;
    while (t->ids[i] != want) i = (i + 1) & t->id_mask;
    p.wide = t->ids;
    p.narrow = NULL;
    p.hashes = NULL;
    p.mask = t->id_mask;
    skew__probe_delete(&p, i);
}

/* ======================================================================================
   >>strings  the version and route tables (implementation only)
   ====================================================================================== */

#if !SKEW_OPTIMIZE_SIZE
/* The last n (1..7) bytes of a string of whole_len bytes (p points at them) as the first n
   bytes in memory of a word, the rest zero: the tail of the word hashes below (in-memory tables
   only, so byte order is free). Little-endian with whole_len >= 8: the same value from one
   8-byte load ending at the string's end, no byte copy. */
SKEW__PRIV uint64_t skew__load_tail(const char *p, size_t n, size_t whole_len) {
    uint64_t v = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (whole_len >= 8) {
        memcpy(&v, p + n - 8, 8);
        return v >> (8 * (8 - n));
    }
#endif
    (void)whole_len;
    memcpy(&v, p, n);
    return v;
}
#endif

#if !SKEW_OPTIMIZE_SIZE && defined(__SIZEOF_INT128__)
/* The 128-bit product of x and y, its halves folded (wyhash's "mum"): 16 input bytes per
   multiply in the hashes below, where the compiler has the type (gcc, clang on 64-bit). */
__extension__ typedef unsigned __int128 skew__u128;
SKEW__PRIV uint64_t skew__mum(uint64_t x, uint64_t y) {
    skew__u128 r = (skew__u128)x * y;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}
#endif

/* Seeded multiply-xorshift over 8-byte words: versions are often 36-byte UUIDs, and a byte-wise
   hash cost more than the rest of an open. Only for in-memory tables, so byte order is free. */
SKEW__PRIV uint32_t skew__hash(uint32_t seed, skew_str s) {
#if SKEW_OPTIMIZE_SIZE /* the same scheme on 32-bit words: no 64-bit multiplies on a MCU */
    const uint32_t k = 0x9E3779B9u;
    uint32_t h = seed ^ ((uint32_t)s.len * k), v;
    const char *p = s.ptr;
    size_t n = s.len;
    while (n >= 4) {
        memcpy(&v, p, 4);
        h = (h ^ v) * k;
        h ^= h >> 16;
        p += 4;
        n -= 4;
    }
    if (n) {
        v = 0;
        memcpy(&v, p, n);
        h = (h ^ v) * k;
    }
    h ^= h >> 15;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    return h;
#elif defined(__SIZEOF_INT128__)
    /* 16 bytes per 128-bit multiply, as the User-Agent hash: a 36-byte UUID in three */
    const uint64_t key = ((uint64_t)seed << 32 | seed) ^ 0x9E3779B97F4A7C15ull;
    uint64_t h = key ^ ((uint64_t)s.len * 0xC2B2AE3D27D4EB4Full), v, w;
    const char *p = s.ptr;
    size_t n = s.len;
    while (n >= 16) {
        memcpy(&v, p, 8);
        memcpy(&w, p + 8, 8);
        h = skew__mum(v ^ key, w ^ h);
        p += 16;
        n -= 16;
    }
    if (n) {
        if (n > 8) {
            memcpy(&v, p, 8);
            w = skew__load_tail(p + 8, n - 8, s.len);
        } else {
            v = skew__load_tail(p, n, s.len);
            w = 0;
        }
        h = skew__mum(v ^ key, w ^ h);
    }
    return (uint32_t)skew__mum(h ^ 0xBF58476D1CE4E5B9ull, key);
#else
    const uint64_t k = 0x9E3779B97F4A7C15ull;
    uint64_t h = ((uint64_t)seed << 32 | seed) ^ ((uint64_t)s.len * k), v;
    const char *p = s.ptr;
    size_t n = s.len;
    while (n >= 8) {
        memcpy(&v, p, 8);
        h = (h ^ v) * k;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    if (n) {
        v = skew__load_tail(p, n, s.len);
        h = (h ^ v) * k;
    }
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return (uint32_t)h;
#endif
}

SKEW__PRIV skew_str skew__tab_str(const skew__strtab *tab, uint32_t e) {
    return skew__str(tab->text + (size_t)e * tab->stride, tab->lens[e]);
}

SKEW__PRIV uint32_t skew__tab_find(const skew__strtab *tab, skew_str s, uint32_t h) {
    uint32_t i = h & tab->index_mask;
    for (;;) {
        uint32_t v = tab->index[i];
        if (v == 0) return SKEW__NONE;
        if (tab->hashes[v - 1] == h && tab->lens[v - 1] == s.len &&
            memcmp(tab->text + (size_t)(v - 1) * tab->stride, s.ptr, s.len) == 0)
            return v - 1;
        i = (i + 1) & tab->index_mask;
    }
}

/* A new entry for s (hash h) from the free list, indexed but not yet in live[] (count 0);
   SKEW__NONE when the table is full. */
SKEW__PRIV uint32_t skew__tab_new(skew__strtab *tab, skew_str s, uint32_t h) {
    uint32_t e = tab->free_head, i;
    if (e == SKEW__NONE) return e;
    tab->free_head = tab->live_pos[e] == 0xFFFFu ? SKEW__NONE : tab->live_pos[e]; /* 16-bit link */
    memcpy(tab->text + (size_t)e * tab->stride, s.ptr, s.len);
    tab->lens[e] = (uint16_t)s.len;
    tab->hashes[e] = h;
    tab->counts[e] = 0;
    i = h & tab->index_mask;
    while (tab->index[i]) i = (i + 1) & tab->index_mask;
    tab->index[i] = (uint16_t)(e + 1);
    return e;
}

/* Entry e (count 0) joins the dense list of used entries. */
SKEW__PRIV void skew__tab_relive(skew__strtab *tab, uint32_t e) {
    tab->live_pos[e] = (uint16_t)tab->used;
    tab->live[tab->used++] = (uint16_t)e;
}

/* Take a reference on s (already validated, s.len <= stride). Full table: entry 0. A value
   spelled like entry 0 ("(other)") is entry 0: a map must never carry one key twice. */
SKEW__PRIV uint16_t skew__tab_ref(skew__strtab *tab, uint32_t seed, skew_str s) {
    uint32_t h = skew__hash(seed, s), e = skew__tab_find(tab, s, h);
    if (e == SKEW__NONE && s.len == tab->lens[0] && memcmp(s.ptr, tab->text, s.len) == 0) e = 0;
    if (e == SKEW__NONE) {
        e = skew__tab_new(tab, s, h);
        if (e == SKEW__NONE) {
            tab->counts[0]++;
            return 0;
        }
    }
    if (e && !tab->counts[e]) skew__tab_relive(tab, e); /* new, or a pinned entry unused so far */
    tab->counts[e]++;
    return (uint16_t)e;
}

/* Unlink entry e (in the index, not in live[]) and give it back to the free list. */
SKEW__PRIV void skew__tab_free(skew__strtab *tab, uint32_t e) {
    uint32_t i = tab->hashes[e] & tab->index_mask;
    skew__probe p;
    while (tab->index[i] != e + 1) i = (i + 1) & tab->index_mask;
    p.wide = NULL;
    p.narrow = tab->index;
    p.hashes = tab->hashes;
    p.mask = tab->index_mask;
    skew__probe_delete(&p, i);
    tab->live_pos[e] = (uint16_t)tab->free_head;
    tab->free_head = e;
}

/* Entry e (count 0) leaves the dense list. */
SKEW__PRIV void skew__tab_unlive(skew__strtab *tab, uint32_t e) {
    uint32_t last = tab->live[--tab->used];
    tab->live[tab->live_pos[e]] = (uint16_t)last;
    tab->live_pos[last] = tab->live_pos[e];
}

SKEW__PRIV void skew__tab_unref(skew__strtab *tab, uint32_t e) {
    if (e == SKEW__NO_STR) return;
    if (--tab->counts[e] || e == 0) return;
    skew__tab_unlive(tab, e);
    if (e != tab->pin[0] && e != tab->pin[1]) skew__tab_free(tab, e); /* a pinned entry stays findable */
}

SKEW__PRIV size_t skew__pow2_at_least(size_t n) {
    size_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

/* ======================================================================================
   >>layout  where each part of the tracker sits in its one block (implementation only)
   ====================================================================================== */

#define SKEW__ALIGN(n) (((n) + 15u) & ~(size_t)15u)

/* Where one string table's arrays sit in the tracker memory (skew__tab_layout, skew__tab_init). */
typedef struct skew__tab_offsets {
    size_t text, lens, counts, hashes, index, live, live_pos;
} skew__tab_offsets;

typedef struct skew__layout {
    size_t timeline; /* >>timeline ring */
    size_t probes;   /* >>time: the probe ring */
    size_t tracker, slots, live, subs, ids, route_sig, ipt, ipkey, bot_cache, strings, msg, total;
    skew__tab_offsets vtab, rtab;
    size_t cluster; /* >>cluster */
} skew__layout;

SKEW__PRIV size_t skew__carve(size_t *total, size_t bytes) {
    size_t at = *total;
    *total += SKEW__ALIGN(bytes);
    return at;
}

SKEW__PRIV void skew__tab_layout(size_t cap, size_t stride, skew__tab_offsets *out, size_t *total) {
    size_t u16 = cap * sizeof(uint16_t), u32 = cap * sizeof(uint32_t);
    out->text = skew__carve(total, cap * stride);
    out->lens = skew__carve(total, u16);
    out->counts = skew__carve(total, u32);
    out->hashes = skew__carve(total, u32);
    out->index = skew__carve(total, skew__pow2_at_least(cap * 2) * sizeof(uint16_t)); /* 2 * cap, a power of two */
    out->live = skew__carve(total, u16);
    out->live_pos = skew__carve(total, u16);
}

/* Worst case of the stats head: every version and route at full length with every byte
   escaped twice (validated text only needs \" and \\), plus counts and punctuation. */
SKEW__PRIV size_t skew__stats_head_max(const skew_config *c) {
    size_t v = ((size_t)c->max_versions + 1) * (2 * (size_t)c->max_version_len + 16);
    size_t r = c->route_tracking ? ((size_t)c->max_routes + 1) * (2 * (size_t)c->max_route_len + 16) : 0;
#if SKEW_ENABLE_CLUSTER
    r += skew__cl_head_max(c);
#endif
    return 128 + v + r;
}

SKEW__PRIV size_t skew__entry_typical(const skew_config *c) {
    size_t e = 64 + 36 + (c->max_version_len < 40 ? c->max_version_len : 40);
    if (c->route_tracking) e += 16 + (c->max_route_len < 48 ? c->max_route_len : 48);
    if (c->ip_tracking) e += 8 + 20;
#if SKEW_ENABLE_CLUSTER
    e += skew__cl_entry_extra(c);
#endif
    return e;
}

/* How many early probes skew_config.sse_probe_ms asks for, or SKEW__NONE for a bad list (a
   delay not over the one before it, not under keepalive_ms, after a 0, or not built in). */
SKEW__PRIV uint32_t skew__probe_stages(const skew_config *c) {
#if SKEW_ENABLE_SSE_PROBE
    uint32_t i, n = 0;
    for (i = 0; i < SKEW_SSE_PROBES_MAX; i++) {
        uint32_t d = c->sse_probe_ms[i];
        if (!d) continue;
        if (n != i || (n && d <= c->sse_probe_ms[n - 1]) || d >= c->keepalive_ms) return SKEW__NONE;
        n++;
    }
    return n;
#else
    return c->sse_probe_ms[0] ? SKEW__NONE : 0u; /* not built in (firmware: no flash for it) */
#endif
}

/* Slots: max_connections plus the reserve for opens authorized for stats. */
SKEW__PRIV size_t skew__slot_cap(const skew_config *c) {
    return (size_t)c->max_connections + (c->reserved_stats_slots == SKEW_STATS_RESERVE_NONE ? 0u : c->reserved_stats_slots);
}

SKEW__PRIV void skew__layout_of(const skew_config *c, skew__layout *L) {
    size_t n = skew__slot_cap(c), total = 0;
    bool per_ip = SKEW_ENABLE_IP && c->max_connections_per_ip != SKEW_PER_IP_UNLIMITED;
    L->tracker = total; total += SKEW__ALIGN(sizeof(skew_tracker));
    L->timeline = total; total += skew__timeline_bytes(c);
#if SKEW_ENABLE_SSE_PROBE
    L->probes = total; total += skew__probe_stages(c) ? SKEW__ALIGN((n + 1) * sizeof(skew__probe_entry)) : 0u;
#endif
    L->slots = total; total += SKEW__ALIGN(n * sizeof(skew__slot));
    L->live = total; total += SKEW__ALIGN(n * sizeof(uint32_t));
    L->subs = total; total += SKEW__ALIGN(n * sizeof(uint32_t));
    L->ids = total; total += SKEW__ALIGN(skew__pow2_at_least(n * 2) * sizeof(uint64_t));
    L->route_sig = total; total += c->route_tracking ? SKEW__ALIGN(n * sizeof(uint64_t)) : 0u;
    L->ipt = total; total += per_ip ? SKEW__ALIGN(skew__pow2_at_least(n * 2) * sizeof(uint64_t)) : 0u;
    L->ipkey = total; total += per_ip ? SKEW__ALIGN(n * sizeof(uint64_t)) : 0u;
#if !SKEW_OPTIMIZE_SIZE
    L->bot_cache = total;
    total += c->bot_cache_entries != SKEW_BOT_CACHE_NONE && !c->bot_filter_off
                 ? SKEW__ALIGN(skew__pow2_at_least(c->bot_cache_entries | 4u) * sizeof(skew__bot_memo)) : 0u;
#endif
    skew__tab_layout((size_t)c->max_versions + 1, c->max_version_len, &L->vtab, &total);
    skew__tab_layout(c->route_tracking ? (size_t)c->max_routes + 1 : 1, c->max_route_len, &L->rtab, &total);
#if SKEW_ENABLE_CLUSTER
    L->cluster = total; total += skew__cl_memory(c);
#endif
    /* strings: server version, base path, cookie name, scratch */
    L->strings = total;
    total += SKEW__ALIGN(c->max_version_len + 1) +
#if !SKEW_OPTIMIZE_SIZE
             SKEW__ALIGN(2 * (size_t)c->max_version_len + 64) + /* the `connected` prefix */
#endif
             SKEW__ALIGN(strlen(c->base_path) + 1) +
             SKEW__ALIGN(strlen(c->version_cookie) + 1) +
             SKEW__ALIGN((c->max_version_len > c->max_route_len ? c->max_version_len : c->max_route_len) + 1);
    L->msg = total; total += SKEW__ALIGN(c->message_buffer + (c->frame_sse ? SKEW__SSE_ROOM : 0u));
    L->total = total;
}

/* ======================================================================================
   >>config  defaults and checks of skew_config
   ====================================================================================== */

SKEW__PRIV bool skew__token_chars(const char *s) {
    /* cookie names are RFC 6265 tokens; keep it to the safe subset */
    if (!*s) return false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

/* What a zero (or an empty string) in skew_config stands for; the public comments give the same. */
#define SKEW__DEFAULT_SERVER_VERSION "dev"
#define SKEW__DEFAULT_BASE_PATH "/__skew"
#define SKEW__DEFAULT_VERSION_COOKIE "__nkpv"
#define SKEW__DEFAULT_KEEPALIVE_MS 30000u
#define SKEW__DEFAULT_STATS_INTERVAL_MS 250u
#define SKEW__DEFAULT_MAX_CONNECTIONS 1024u
#define SKEW__DEFAULT_MAX_VERSIONS 64u
#define SKEW__DEFAULT_MAX_ROUTES 256u
#define SKEW__DEFAULT_MAX_VERSION_LEN 64u
#define SKEW__DEFAULT_MAX_ROUTE_LEN 256u
#define SKEW__DEFAULT_MAX_LISTED 1000u
#define SKEW__DEFAULT_MAX_BODY 4096u
#define SKEW__DEFAULT_BOT_CACHE 1024u
#define SKEW__DEFAULT_MAX_HOPS SKEW__IP_DEFAULT_HOPS /* one value, also used by skew_get_client_ip */

/* zero means default (sokol's _sg_def); strings: NULL or "" means default */
#define SKEW__DEF(field, dflt) do { if (!(field)) (field) = (dflt); } while (0)
#define SKEW__DEF_TEXT(field, dflt) do { if (!(field) || !*(field)) (field) = (dflt); } while (0)

SKEW_API skew_result skew_config_resolve(const skew_config *in, skew_config *out) {
    skew_config c;
    size_t blen;
    if (in) c = *in;
    else memset(&c, 0, sizeof c);
    SKEW__DEF_TEXT(c.server_version, SKEW__DEFAULT_SERVER_VERSION);
    SKEW__DEF_TEXT(c.base_path, SKEW__DEFAULT_BASE_PATH);
    SKEW__DEF_TEXT(c.version_cookie, SKEW__DEFAULT_VERSION_COOKIE);
    SKEW__DEF(c.keepalive_ms, SKEW__DEFAULT_KEEPALIVE_MS);
    SKEW__DEF(c.stats_interval_ms, SKEW__DEFAULT_STATS_INTERVAL_MS);
    SKEW__DEF(c.max_connections, SKEW__DEFAULT_MAX_CONNECTIONS);
    SKEW__DEF(c.max_versions, SKEW__DEFAULT_MAX_VERSIONS);
    SKEW__DEF(c.max_routes, SKEW__DEFAULT_MAX_ROUTES);
    SKEW__DEF(c.max_version_len, SKEW__DEFAULT_MAX_VERSION_LEN);
    SKEW__DEF(c.max_route_len, SKEW__DEFAULT_MAX_ROUTE_LEN);
    SKEW__DEF(c.max_listed, SKEW__DEFAULT_MAX_LISTED);
    SKEW__DEF(c.max_body, SKEW__DEFAULT_MAX_BODY);
    SKEW__DEF(c.ip_policy.max_hops, SKEW__DEFAULT_MAX_HOPS);
    SKEW__DEF(c.reserved_stats_slots, SKEW_STATS_RESERVE_DEFAULT); /* max_connections_per_ip: 0 stays (a policy) */
#if !SKEW_OPTIMIZE_SIZE /* size builds have no cache and ignore the field: flash over time */
    SKEW__DEF(c.bot_cache_entries, SKEW__DEFAULT_BOT_CACHE);
#endif
    skew__timeline_defaults(&c);
    if (out) *out = c;
    blen = strlen(c.base_path);
    if (c.max_connections > (1u << 24) || c.max_versions > 65000 || c.max_routes > 65000 ||
        c.max_version_len > 1024 || c.max_route_len > 8192 || c.max_body > (1u << 24) ||
        c.ip_policy.trusted_count > SKEW_MAX_TRUSTED_PROXIES || c.ip_policy.max_hops > 1024 ||
        (c.max_connections_per_ip > (SKEW_ENABLE_IP ? 0xFFFFFFu : 0u) && c.max_connections_per_ip != SKEW_PER_IP_UNLIMITED) ||
        (c.reserved_stats_slots > 1024u && c.reserved_stats_slots != SKEW_STATS_RESERVE_NONE))
        return SKEW_ERR_CONFIG;
#if !SKEW_OPTIMIZE_SIZE
    if (c.bot_cache_entries > 65536u && c.bot_cache_entries != SKEW_BOT_CACHE_NONE) return SKEW_ERR_CONFIG;
#endif
    if (c.base_path[0] != '/' || blen < 2 || blen > 128 || c.base_path[blen - 1] == '/' ||
        !skew__clean_text(skew__cstr(c.base_path)))
        return SKEW_ERR_CONFIG;
    if (!skew__token_chars(c.version_cookie) || strlen(c.version_cookie) > 128) return SKEW_ERR_CONFIG;
    if (strlen(c.server_version) > c.max_version_len || !skew__clean_text(skew__cstr(c.server_version)))
        return SKEW_ERR_CONFIG;
    if ((c.hooks.alloc == NULL) != (c.hooks.free == NULL)) return SKEW_ERR_CONFIG;
    if ((c.hooks.lock == NULL) != (c.hooks.unlock == NULL)) return SKEW_ERR_CONFIG;
    if (!skew__timeline_valid(&c)) return SKEW_ERR_CONFIG;
    if (skew__probe_stages(&c) == SKEW__NONE) return SKEW_ERR_CONFIG;
    if (c.bot_pattern_count > SKEW_MAX_BOT_PATTERNS || c.allow_pattern_count > SKEW_MAX_BOT_PATTERNS ||
        c.bot_pattern_count + c.allow_pattern_count > SKEW_MAX_BOT_PATTERNS)
        return SKEW_ERR_CONFIG;
#if SKEW_ENABLE_CLUSTER
    if (skew__cl_resolve(&c) != SKEW_OK) return SKEW_ERR_CONFIG;
#else
    if (c.instance_id && c.instance_id[0]) return SKEW_ERR_CONFIG; /* not built in */
#endif
    {
        size_t head = skew__stats_head_max(&c);
        if (!c.message_buffer) {
            size_t want = head + (size_t)c.max_listed * skew__entry_typical(&c) + 256;
            c.message_buffer = want > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)want;
        } else if (c.message_buffer < head + 256) {
            return SKEW_ERR_CONFIG;
        }
        if (out) *out = c;
    }
    return SKEW_OK;
}

/* ======================================================================================
   >>lifetime  create, init, destroy, memory size
   ====================================================================================== */

SKEW_API size_t skew_tracker_memory_size(const skew_config *cfg) {
    skew_config c;
    skew__layout L;
    if (skew_config_resolve(cfg, &c) != SKEW_OK) return 0;
    skew__layout_of(&c, &L);
    return L.total;
}

SKEW__PRIV void skew__tab_init(skew__strtab *tab, char *mem, const skew__tab_offsets *off, size_t cap, size_t stride) {
    size_t e;
    tab->text = mem + off->text;
    tab->lens = (uint16_t *)(void *)(mem + off->lens);
    tab->counts = (uint32_t *)(void *)(mem + off->counts);
    tab->hashes = (uint32_t *)(void *)(mem + off->hashes);
    tab->index = (uint16_t *)(void *)(mem + off->index);
    tab->live = (uint16_t *)(void *)(mem + off->live);
    tab->live_pos = (uint16_t *)(void *)(mem + off->live_pos);
    tab->cap = (uint32_t)cap;
    tab->stride = (uint32_t)stride;
    tab->index_mask = (uint32_t)skew__pow2_at_least(cap * 2) - 1;
    tab->used = 0;
    memset(tab->index, 0, (tab->index_mask + 1) * sizeof(uint16_t));
    memset(tab->counts, 0, cap * sizeof(uint32_t));
    /* entry 0 is "(other)"; stride may be shorter than the name in tiny configs */
    tab->lens[0] = (uint16_t)(stride < sizeof SKEW_OTHER_NAME - 1 ? stride : sizeof SKEW_OTHER_NAME - 1);
    memcpy(tab->text, SKEW_OTHER_NAME, tab->lens[0]);
    tab->free_head = SKEW__NONE;
    tab->pin[0] = tab->pin[1] = SKEW__NONE;
    for (e = cap; e-- > 1;) {
        tab->live_pos[e] = (uint16_t)(tab->free_head == SKEW__NONE ? 0xFFFFu : tab->free_head);
        tab->free_head = (uint32_t)e;
    }
}

SKEW__PRIV void skew__pin_version(skew_tracker *t, unsigned k, skew_str s); /* >>registry */

#if !SKEW_OPTIMIZE_SIZE
/* The part of `connected` that only changes with the server version, kept ready so an open
   only adds its id and time (the encoder cost an open+close a third more; issue 22).
   Validated versions escape to at most twice their length. */
SKEW__PRIV void skew__build_connected_prefix(skew_tracker *t) {
    static const char a[] = "{\"type\":\"connected\",\"version\":", b[] = ",\"connectionId\":\"";
    skew__w w = skew__w_buf(t->connected_prefix, 2 * (size_t)t->cfg.max_version_len + 64);
    skew__put(&w, a, sizeof a - 1);
    skew__put_json_str(&w, skew__str(t->server_version, t->server_version_len));
    skew__put(&w, b, sizeof b - 1);
    t->connected_prefix_len = skew__w_end(&w);
}
#endif

SKEW_API skew_result skew_tracker_init(skew_tracker **out, const skew_config *cfg, void *mem, size_t mem_size) {
    skew_config c;
    skew__layout L;
    skew_tracker *t;
    char *m = (char *)mem, *s;
    uint32_t i;
    skew_result r;
    if (!out) return SKEW_ERR_INVALID;
    *out = NULL;
    r = skew_config_resolve(cfg, &c);
    if (r != SKEW_OK) return r;
#if !SKEW_ENABLE_HOSTED
    if (!c.hooks.random_bytes) return SKEW_ERR_CONFIG; /* ids are credentials: no weak fallback */
#endif
    skew__layout_of(&c, &L);
    if (!mem || mem_size < L.total || ((uintptr_t)mem & 7u)) return SKEW_ERR_NOMEM; /* 8: uint64_t and pointers */
    t = (skew_tracker *)(void *)(m + L.tracker);
    memset(t, 0, sizeof *t);
    t->cfg = c;
    t->slots = (skew__slot *)(void *)(m + L.slots);
    t->live = (uint32_t *)(void *)(m + L.live);
    t->subs = (uint32_t *)(void *)(m + L.subs);
    t->ids = (uint64_t *)(void *)(m + L.ids);
    t->route_sig = (uint64_t *)(void *)(m + L.route_sig); /* no bytes without route tracking */
    t->slot_cap = (uint32_t)skew__slot_cap(&c);
    t->id_mask = (uint32_t)skew__pow2_at_least((size_t)t->slot_cap * 2) - 1;
    memset(t->ids, 0, ((size_t)t->id_mask + 1) * sizeof(uint64_t));
    memset(t->slots, 0, (size_t)t->slot_cap * sizeof(skew__slot));
    if (SKEW_ENABLE_IP && c.max_connections_per_ip != SKEW_PER_IP_UNLIMITED) {
        t->ipt = (uint64_t *)(void *)(m + L.ipt);
        t->ipkey = (uint64_t *)(void *)(m + L.ipkey);
        t->ipt_mask = t->id_mask;
        memset(t->ipt, 0, ((size_t)t->ipt_mask + 1) * sizeof(uint64_t));
        memset(t->ipkey, 0, (size_t)t->slot_cap * sizeof(uint64_t));
        t->per_ip_cap = c.max_connections_per_ip ? c.max_connections_per_ip : SKEW_PER_IP_DEFAULT;
        t->per_ip_loopback = c.max_connections_per_ip != 0;
    }
    t->free_head = SKEW__NONE;
    for (i = t->slot_cap; i-- > 0;) {
        t->slots[i].gen = 1;
        t->slots[i].pos = t->free_head;
        t->slots[i].sub_pos = SKEW__NONE;
        t->free_head = i;
    }
    skew__tab_init(&t->versions, m, &L.vtab, (size_t)c.max_versions + 1, c.max_version_len);
    skew__tab_init(&t->routes, m, &L.rtab, c.route_tracking ? (size_t)c.max_routes + 1 : 1, c.max_route_len);
    s = m + L.strings;
    t->server_version = s;
    t->server_version_len = strlen(c.server_version);
    memcpy(s, c.server_version, t->server_version_len + 1);
    s += SKEW__ALIGN(c.max_version_len + 1);
#if !SKEW_OPTIMIZE_SIZE
    t->connected_prefix = s;
    s += SKEW__ALIGN(2 * (size_t)c.max_version_len + 64);
#endif
    t->base = s;
    t->base_len = strlen(c.base_path);
    memcpy(s, c.base_path, t->base_len + 1);
    s += SKEW__ALIGN(t->base_len + 1);
    t->cookie = s;
#if !SKEW_OPTIMIZE_SIZE
    t->cookie_len = strlen(c.version_cookie);
#endif
    memcpy(s, c.version_cookie, strlen(c.version_cookie) + 1);
    s += SKEW__ALIGN(strlen(c.version_cookie) + 1);
    t->scratch = s;
    t->scratch_cap = (c.max_version_len > c.max_route_len ? c.max_version_len : c.max_route_len) + 1;
    t->cfg.server_version = t->server_version;
    t->cfg.base_path = t->base;
    t->cfg.version_cookie = t->cookie;
    t->msg = m + L.msg + (c.frame_sse ? SKEW__SSE_HEAD_LEN : 0u);
    t->msg_cap = c.message_buffer;
    t->doomed_head = SKEW__NONE;
    skew__timeline_init(t, m + L.timeline);
#if SKEW_ENABLE_SSE_PROBE
    t->probe.stages = skew__probe_stages(&c);
    if (t->probe.stages) {
        t->probe.ring = (skew__probe_entry *)(void *)(m + L.probes);
        t->probe.cap = t->slot_cap + 1;
    }
#endif
    skew_bot_filter_init(&t->bots);
    t->bots.allow_empty = c.allow_empty_user_agent;
    for (i = 0; i < c.bot_pattern_count; i++)
        if (skew_bot_filter_add(&t->bots, skew__cstr(c.bot_patterns[i]), false) != SKEW_OK) return SKEW_ERR_CONFIG;
    for (i = 0; i < c.allow_pattern_count; i++)
        if (skew_bot_filter_add(&t->bots, skew__cstr(c.allow_patterns[i]), true) != SKEW_OK) return SKEW_ERR_CONFIG;
    t->cfg.bot_patterns = NULL; /* copied into the filter; the caller's arrays need not live on */
    t->cfg.allow_patterns = NULL;
    t->cfg.bot_pattern_count = t->cfg.allow_pattern_count = 0;
#if SKEW_ENABLE_CLUSTER
    skew__cl_init(t, m + L.cluster);
#endif
    if (skew__seed(t, true) != SKEW_OK) return SKEW_ERR_RANDOM;
#if !SKEW_OPTIMIZE_SIZE
    if (c.bot_cache_entries != SKEW_BOT_CACHE_NONE && !c.bot_filter_off) {
        uint8_t blk[64]; /* the hash key: a keystream block no id ever uses (ids count up from 0) */
        t->bot_cache = (skew__bot_memo *)(void *)(m + L.bot_cache);
        t->bot_cache_mask = (uint32_t)skew__pow2_at_least(c.bot_cache_entries | 4u) / 4u - 1; /* sets of 4 */
        memset(t->bot_cache, 0, ((size_t)t->bot_cache_mask + 1) * 4u * sizeof(skew__bot_memo));
        skew__chacha_block(t->rng_key, ~(uint64_t)0, blk);
        memcpy(t->bot_key, blk, sizeof t->bot_key);
        memset(blk, 0, sizeof blk);
    }
#endif
    skew__pin_version(t, 0, skew__str(t->server_version, t->server_version_len)); /* after the seed */
#if !SKEW_OPTIMIZE_SIZE
    skew__build_connected_prefix(t);
#endif
#if SKEW_ENABLE_CLUSTER
    if (t->cfg.build) skew__pin_version(t, 1, skew__cstr(t->cfg.build));
#endif
    t->started_ms = skew__now(t); /* the scheduling clock starts with the first skew_tick */
    *out = t;
    return SKEW_OK;
}

SKEW_API skew_result skew_tracker_create(skew_tracker **out, const skew_config *cfg) {
    skew_config c;
    size_t need;
    void *mem = NULL;
    skew_result r;
    if (!out) return SKEW_ERR_INVALID;
    *out = NULL;
    r = skew_config_resolve(cfg, &c);
    if (r != SKEW_OK) return r;
    need = skew_tracker_memory_size(&c);
    if (c.hooks.alloc) mem = c.hooks.alloc(c.hooks.user_data, need);
#if SKEW_ENABLE_HOSTED
    else mem = malloc(need); /* malloc is aligned for every type, so at least 8 */
#endif
    if (!mem) return SKEW_ERR_NOMEM;
    r = skew_tracker_init(out, cfg, mem, need);
    if (r != SKEW_OK) {
        if (c.hooks.free) c.hooks.free(c.hooks.user_data, mem, need);
#if SKEW_ENABLE_HOSTED
        else free(mem);
#endif
        return r;
    }
    (*out)->owned = mem;
    (*out)->owned_size = need;
    return SKEW_OK;
}

SKEW_API void skew_tracker_destroy(skew_tracker *t) {
    void *mem;
    if (!t || !t->owned) return;
    mem = t->owned;
    if (t->cfg.hooks.free) t->cfg.hooks.free(t->cfg.hooks.user_data, mem, t->owned_size);
#if SKEW_ENABLE_HOSTED
    else free(mem);
#endif
}

SKEW_API const skew_config *skew_get_config(const skew_tracker *t) { return &t->cfg; }

/* ======================================================================================
   >>registry  connections
   ====================================================================================== */

SKEW__PRIV skew_handle skew__handle(const skew_tracker *t, uint32_t idx) {
    return ((skew_handle)t->slots[idx].gen << 32) | idx;
}

SKEW__PRIV skew_result skew__lookup(const skew_tracker *t, skew_handle h, uint32_t *idx) {
    uint32_t i = (uint32_t)(h & 0xFFFFFFFFu), g = (uint32_t)(h >> 32);
    if (g == 0 || i >= t->slot_cap) return SKEW_ERR_NOT_FOUND;
    if (!(t->slots[i].flags & SKEW__F_LIVE) || t->slots[i].gen != g) return SKEW_ERR_STALE;
    *idx = i;
    return SKEW_OK;
}

/* The start of a public call on one connection: the lock, then the handle's slot. The caller
   ends with skew__leave whatever the result. */
SKEW__PRIV skew_result skew__enter_conn(skew_tracker *t, skew_handle h, uint32_t *idx) {
    skew__enter(t);
    return skew__lookup(t, h, idx);
}

SKEW__PRIV void skew__conn_view(const skew_tracker *t, uint32_t idx, skew_conn *c) {
    const skew__slot *s = &t->slots[idx];
    /* every field written below (no memset first: one per open) */
    c->handle = skew__handle(t, idx);
    skew__id_text(s->id, c->id);
    c->version = skew__tab_str(&t->versions, s->version);
    c->route = s->route == SKEW__NO_STR ? skew__str("", 0) : skew__tab_str(&t->routes, s->route);
    c->ip.family = s->ip_family;
    memcpy(c->ip.bytes, s->ip, 16);
    c->transport = (s->flags & SKEW__F_WS) ? SKEW_TRANSPORT_WS : SKEW_TRANSPORT_SSE;
    c->subscribed = (s->flags & SKEW__F_SUB) != 0;
    c->user = s->user;
}

/* Mark the stats as changed: due within the coalescing window, not postponed by later changes. */
SKEW__PRIV void skew__changed(skew_tracker *t) {
    if (!t->sub_count) return;
    if (!t->stats_dirty) {
        t->stats_dirty = true;
        t->stats_due = t->cfg.stats_interval_ms == SKEW_STATS_IMMEDIATE ? t->last_now : t->last_now + t->cfg.stats_interval_ms;
    }
}

SKEW__PRIV void skew__doom(skew_tracker *t, uint32_t idx, skew_close_reason why) {
    skew__slot *s = &t->slots[idx];
    if (s->flags & SKEW__F_DOOMED) return;
    s->flags |= SKEW__F_DOOMED;
    s->close_reason = (uint8_t)why;
    s->doomed_next = t->doomed_head;
    t->doomed_head = idx;
}

/* skew_config.frame_sse: the message becomes "data: <json>\n\n" in place. The message buffer
   keeps SKEW__SSE_HEAD_LEN bytes before it and room for "\n\n" after (layout); a message from
   elsewhere (skew_send) is copied in first, unless the buffer holds the one being sent. */
SKEW__PRIV skew_result skew__frame_sse(skew_tracker *t, const char **msg, size_t *len) {
    if (*msg != t->msg) {
        if (t->sending) return SKEW_ERR_INVALID;
        if (*len >= t->msg_cap) return SKEW_ERR_TOO_LONG;
        if (*len) {
            size_t i;
            for (i = 0; i < *len; i++)
                if ((*msg)[i] == '\n' || (*msg)[i] == '\r') return SKEW_ERR_INVALID;
            memmove(t->msg, *msg, *len);
        }
    }
    memcpy(t->msg - SKEW__SSE_HEAD_LEN, "data: ", SKEW__SSE_HEAD_LEN);
    memcpy(t->msg + *len, "\n\n", 3);
    *msg = t->msg - SKEW__SSE_HEAD_LEN;
    *len += SKEW__SSE_ROOM;
    return SKEW_OK;
}

/* Deliver one message through hooks.send; a failure dooms the connection (never freed while
   a caller may be iterating). */
SKEW__PRIV skew_result skew__deliver_view(skew_tracker *t, uint32_t idx, const skew_conn *view, const char *msg,
                                          size_t len) {
    skew_conn c;
    skew_result r = SKEW_OK;
    bool was_sending = t->sending, framed = false;
    if (t->slots[idx].flags & SKEW__F_DOOMED) return SKEW_ERR_SEND;
    if (t->cfg.hooks.send) {
        if (!view) {
            skew__conn_view(t, idx, &c);
            view = &c;
        }
        if (t->cfg.frame_sse && view->transport == SKEW_TRANSPORT_SSE) {
            r = skew__frame_sse(t, &msg, &len);
            if (r != SKEW_OK) return r; /* the caller's mistake, not the peer's: kept open */
            framed = true;
        }
        t->sending = true;
        r = t->cfg.hooks.send(t->cfg.hooks.user_data, view, msg, len);
        t->sending = was_sending;
        if (framed) t->msg[len - SKEW__SSE_ROOM] = '\0'; /* bare JSON again for a WS recipient */
    }
    if (r == SKEW_OK) {
        skew__count(&t->m.messages_sent);
        t->m.bytes_sent += len;
        return SKEW_OK;
    }
    if (r != SKEW_ERR_SLOW) r = SKEW_ERR_SEND;
    skew__doom(t, idx, r == SKEW_ERR_SLOW ? SKEW_CLOSE_REASON_SLOW : SKEW_CLOSE_REASON_SEND_FAILED);
    return r;
}

SKEW__PRIV skew_result skew__deliver(skew_tracker *t, uint32_t idx, const char *msg, size_t len) {
    return skew__deliver_view(t, idx, NULL, msg, len);
}

SKEW__PRIV void skew__sub_remove(skew_tracker *t, uint32_t idx) {
    skew__slot *s = &t->slots[idx];
    uint32_t last;
    if (!(s->flags & SKEW__F_SUB)) return;
    last = t->subs[--t->sub_count];
    t->subs[s->sub_pos] = last;
    t->slots[last].sub_pos = s->sub_pos;
    s->sub_pos = SKEW__NONE;
    s->flags &= (uint8_t)~SKEW__F_SUB;
}

/* ---- per address ----------------------------------------------------------------------
   max_connections_per_ip counts the open connections of each client address in a linear-
   probing table of 64-bit entries: a keyed hash of the address in the high 40 bits, the count
   in the low 24 (never past the cap, at most 0xFFFFFF; a connection that passes the cap by
   authorization is not counted). Two addresses share a counter only on a 40-bit collision of
   a hash with a secret seed (about 1 in 10^12 per pair), and then they share one cap. */
#if SKEW_ENABLE_IP
#define SKEW__IPT_COUNT 0xFFFFFFull

/* The key ip counts under: its IPv4 address or IPv6 /64, hashed; 0 = not counted (no address,
   or loopback under the default policy). */
SKEW__PRIV uint64_t skew__ip_key(const skew_tracker *t, const skew_ip *ip) {
    static const uint8_t v6_loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    uint64_t k = 0;
    int i;
    if (ip->family == 4) {
        if (ip->bytes[0] == 127 && !t->per_ip_loopback) return 0;
        k = 0xFFFFFFFF00000000ull; /* inside ff00::/8 (multicast), which is never a client /64 */
        for (i = 0; i < 4; i++) k |= (uint64_t)ip->bytes[i] << (24 - 8 * i);
    } else if (ip->family == 6) {
        if (!t->per_ip_loopback && memcmp(ip->bytes, v6_loopback, 16) == 0) return 0;
        for (i = 0; i < 8; i++) k = k << 8 | ip->bytes[i];
    } else {
        return 0;
    }
    k ^= (uint64_t)t->hash_seed * 0x9E3779B97F4A7C15ull;
    k ^= k >> 31;
    k *= 0xBF58476D1CE4E5B9ull;
    k ^= k >> 29;
    k &= ~SKEW__IPT_COUNT;
    return k ? k : SKEW__IPT_COUNT + 1u;
}

/* The entry holding key, or the empty one where it goes. */
SKEW__PRIV uint32_t skew__ipt_find(const skew_tracker *t, uint64_t key) {
    uint32_t i = (uint32_t)(key >> 32) & t->ipt_mask;
    while (t->ipt[i] && (t->ipt[i] & ~SKEW__IPT_COUNT) != key) i = (i + 1) & t->ipt_mask;
    return i;
}

/* Slot idx's connection no longer counts for its address. */
SKEW__PRIV void skew__ipt_release(skew_tracker *t, uint32_t idx) {
    uint32_t i;
    skew__probe p;
    if (!t->ipkey[idx]) return;
    i = skew__ipt_find(t, t->ipkey[idx]);
    t->ipkey[idx] = 0;
    if ((--t->ipt[i] & SKEW__IPT_COUNT) != 0) return;
    p.wide = t->ipt; /* home: the high 32 bits, as in skew__ipt_find */
    p.narrow = NULL;
    p.hashes = NULL;
    p.mask = t->ipt_mask;
    skew__probe_delete(&p, i);
}
#endif /* SKEW_ENABLE_IP */

/* Unlink a slot and give its strings back; on_close runs in between so the hook sees them. */
SKEW__PRIV void skew__remove(skew_tracker *t, uint32_t idx, skew_close_reason why, bool tracked) {
    bool hook = tracked;
    skew__slot *s = &t->slots[idx];
    uint32_t last;
    skew_conn c;
    if (hook && t->cfg.hooks.on_close) skew__conn_view(t, idx, &c);
    skew__id_remove(t, idx);
    last = t->live[--t->live_count];
    t->live[s->pos] = last;
    t->slots[last].pos = s->pos;
    skew__sub_remove(t, idx);
    s->flags = 0;
    if (++s->gen == 0) s->gen = 1;
    if (hook && t->cfg.hooks.on_close) t->cfg.hooks.on_close(t->cfg.hooks.user_data, &c, why);
    skew__tab_unref(&t->versions, s->version);
    skew__tab_unref(&t->routes, s->route);
#if SKEW_ENABLE_IP
    if (t->ipt) skew__ipt_release(t, idx);
#endif
    s->user = NULL;
    s->pos = t->free_head;
    t->free_head = idx;
    if (!tracked) return; /* an open that failed half way: it never counted */
    skew__count(&t->m.closed);
    if (why == SKEW_CLOSE_REASON_SLOW) {
        skew__count(&t->m.slow_dropped);
        skew__log(t, SKEW_LOG_LEVEL_INFO, "skew: closed a slow consumer (unsent output over its bound)");
    }
    if (why == SKEW_CLOSE_REASON_SEND_FAILED) {
        skew__count(&t->m.send_failed);
        skew__log(t, SKEW_LOG_LEVEL_DEBUG, "skew: closed a connection whose send failed");
    }
    skew__changed(t);
}

SKEW__PRIV void skew__reap(skew_tracker *t) {
    while (t->doomed_head != SKEW__NONE) {
        uint32_t idx = t->doomed_head;
        skew__slot *s = &t->slots[idx];
        t->doomed_head = s->doomed_next;
        if (s->flags & SKEW__F_LIVE) skew__remove(t, idx, (skew_close_reason)s->close_reason, true);
    }
}

SKEW__PRIV void skew__broadcast_stats(skew_tracker *t);

/* End of a public call: close doomed connections, then push stats at once when configured so.
   Each extra round only happens when a push doomed someone, so it ends. */
SKEW__PRIV void skew__settle(skew_tracker *t) {
    for (;;) {
        skew__reap(t);
        if (!(t->stats_dirty && t->cfg.stats_interval_ms == SKEW_STATS_IMMEDIATE)) break;
        skew__broadcast_stats(t);
        if (t->doomed_head == SKEW__NONE) break;
    }
}

SKEW__PRIV skew_transport skew__transport_of(const skew_tracker *t, skew_str path);

/* A version cookie's value as stored: percent-decoded, validated; else "(other)". */
SKEW__PRIV uint16_t skew__ref_version(skew_tracker *t, skew_str raw) {
    size_t n = 0;
    if (!raw.len) return skew__tab_ref(&t->versions, t->hash_seed, skew__str(t->server_version, t->server_version_len));
#if !SKEW_OPTIMIZE_SIZE /* the decode below gives the same result, with a copy */
    if (raw.len <= t->cfg.max_version_len && !memchr(raw.ptr, '%', raw.len)) {
        /* nothing to decode: look it up in place; only a new value needs validating */
        uint32_t h = skew__hash(t->hash_seed, raw), e = skew__tab_find(&t->versions, raw, h);
        if (e != SKEW__NONE) {
            if (!t->versions.counts[e]) skew__tab_relive(&t->versions, e); /* a pinned build */
            t->versions.counts[e]++;
            return (uint16_t)e;
        }
        if (skew__clean_text(raw)) return skew__tab_ref(&t->versions, t->hash_seed, raw);
        skew__count(&t->m.invalid_input);
        t->versions.counts[0]++;
        return 0;
    }
#endif
    if (skew_url_decode(raw, false, t->scratch, t->cfg.max_version_len + 1, &n) != SKEW_OK || n == 0 ||
        !skew__clean_text(skew__str(t->scratch, n))) {
        skew__count(&t->m.invalid_input);
        t->versions.counts[0]++;
        return 0;
    }
    return skew__tab_ref(&t->versions, t->hash_seed, skew__str(t->scratch, n));
}

/* ---- table poisoning ------------------------------------------------------------------
   Versions and routes come from clients, so junk can fill both tables: 64 made-up cookies or
   256 made-up routes, each held by an open connection (an entry is freed with its last
   connection, so only live junk fills a table). Two guarantees hold whatever fills them:
   - The server's builds are always counted. server_version (and the cluster's `build`) are
     pinned: their entries are taken at init, before any client, and kept while no connection
     uses them. skew_set_server_version pins the new build; if the table is full it makes room
     by folding the least-used unpinned version into "(other)" (the call already walks every
     connection, so that adds no O(n) step a client could trigger). A client's cookie never
     evicts anything: it gets a free entry or "(other)", so junk cannot push out a real build
     nor make opens slow.
   - Invalidation reaches every client under the prefix. A connection whose route folded into
     "(other)" keeps a 64-bit signature of its route's path prefixes ("/a", "/a/b", ...; two
     bits each, a Bloom filter: 8 bytes per connection with route tracking, computed only when
     a route folds), and skew_invalidate also reaches the folded connections whose signature
     holds the prefix. Never a miss; an extra reload is rare (about 1 % for a three-segment
     route) and only hits a connection that was folded already. */

/* Signature of every whole-segment prefix of route ("/a/b": "/a" and "/a/b"): a seeded FNV-1a
   over the bytes, so one pass gives every prefix (a route may have thousands of segments);
   at each prefix's end, two bits from the top of its hash times a golden-ratio constant. */
SKEW__PRIV uint64_t skew__route_sig(const skew_tracker *t, skew_str route) {
    uint64_t sig = 0;
    uint32_t h = t->hash_seed | 1u, x;
    size_t i;
    for (i = 0; i <= route.len; i++) {
        if (i == route.len || (i && route.ptr[i] == '/')) {
            x = (h ^ (h >> 15)) * 0x9E3779B1u;
            sig |= (1ull << (x >> 26)) | (1ull << ((x >> 20) & 63u));
        }
        if (i < route.len) h = (h ^ (unsigned char)route.ptr[i]) * 0x01000193u;
    }
    return sig;
}

/* Whether a folded connection's signature may hold prefix (a "/x/" prefix is looked up as
   "/x", whose matches it includes; "/" matches every route). */
SKEW__PRIV bool skew__sig_has(const skew_tracker *t, uint64_t sig, skew_str prefix) {
    uint64_t want;
    if (prefix.len && prefix.ptr[prefix.len - 1] == '/') prefix.len--;
    if (!prefix.len) return true;
    want = skew__route_sig(t, prefix);
    return (sig & want) == want;
}

SKEW__PRIV uint16_t skew__ref_route(skew_tracker *t, uint32_t idx, skew_str route) {
    uint16_t e = skew__tab_ref(&t->routes, t->hash_seed ^ 0x9E3779B9u, route);
    if (!e) t->route_sig[idx] = skew__route_sig(t, route);
    return e;
}

/* Fold the least-used unpinned version into "(other)": room for a build to pin. */
SKEW__PRIV void skew__evict_version(skew_tracker *t) {
    skew__strtab *tab = &t->versions;
    uint32_t i, e = SKEW__NONE;
    for (i = 0; i < tab->used; i++) {
        uint32_t c = tab->live[i];
        if (c != tab->pin[0] && c != tab->pin[1] && (e == SKEW__NONE || tab->counts[c] < tab->counts[e])) e = c;
    }
    if (e == SKEW__NONE) return;
    for (i = 0; i < t->live_count; i++)
        if (t->slots[t->live[i]].version == e) t->slots[t->live[i]].version = 0;
    tab->counts[0] += tab->counts[e];
    tab->counts[e] = 0;
    skew__tab_unlive(tab, e);
    skew__tab_free(tab, e);
    skew__changed(t);
    skew__log(t, SKEW_LOG_LEVEL_WARN, "skew: versions table full");
}

/* Pin s (validated) as the server's build number k (0: server_version, 1: the cluster build),
   unpinning what k held. A reference taken and given back leaves the entry pinned, unused. */
SKEW__PRIV void skew__pin_version(skew_tracker *t, unsigned k, skew_str s) {
    skew__strtab *tab = &t->versions;
    uint32_t old = tab->pin[k], e;
    if (tab->free_head == SKEW__NONE && skew__tab_find(tab, s, skew__hash(t->hash_seed, s)) == SKEW__NONE)
        skew__evict_version(t);
    e = skew__tab_ref(tab, t->hash_seed, s); /* 0: "(other)", never pinned */
    tab->pin[k] = e ? e : SKEW__NONE;
    skew__tab_unref(tab, e);
    if (old != SKEW__NONE && old != e && old != tab->pin[1 - k] && !tab->counts[old]) skew__tab_free(tab, old);
}

/* The initial route from ?route= (decoded, cleaned); "/" when absent or invalid. */
SKEW__PRIV skew_str skew__initial_route(skew_tracker *t, const skew_request *req) {
    skew_str raw, clean;
    size_t n = 0;
    if (skew_get_query_param(req->query, "route", &raw) != SKEW_OK || raw.len == 0) return skew__str("/", 1);
    if (skew_url_decode(raw, true, t->scratch, t->scratch_cap, &n) != SKEW_OK ||
        skew_route_clean(skew__str(t->scratch, n), t->cfg.max_route_len, &clean) != SKEW_OK) {
        skew__count(&t->m.invalid_input);
        return skew__str("/", 1);
    }
    return clean;
}

/* A refused bot, at info level: a plain `curl .../sse` gets a silent 204 otherwise. The
   User-Agent is cut and reduced to printable ASCII so a log line cannot be forged. */
SKEW__PRIV void skew__log_bot(skew_tracker *t, skew_str ua, skew_transport tr) {
    static const char tail[] = "\" matches the bot filter (bot_filter_off, allow_patterns)";
    char line[48 + 64 + sizeof tail];
    size_t n = 0, i;
    const char *part[3];
    if (!t->cfg.hooks.log) return;
    part[0] = "skew: bot refused (";
    part[1] = tr == SKEW_TRANSPORT_WS ? "WS 403" : "SSE 204";
    part[2] = "): User-Agent \"";
    for (i = 0; i < 3; i++) {
        memcpy(line + n, part[i], strlen(part[i]));
        n += strlen(part[i]);
    }
    for (i = 0; i < ua.len && i < 64; i++) {
        unsigned char c = (unsigned char)ua.ptr[i];
        line[n++] = (char)(c >= 0x20 && c < 0x7f && c != '"' ? c : '?');
    }
    part[0] = ua.len ? tail : "\" is empty (allow_empty_user_agent)";
    memcpy(line + n, part[0], strlen(part[0]) + 1);
    skew__log(t, SKEW_LOG_LEVEL_INFO, line);
}

/* ---- bot verdict cache ------------------------------------------------------------------
   Real traffic repeats a few hundred User-Agents, and the bot filter reads every byte of one
   (about 860 instructions for a desktop Chrome UA, a third of an open+close). The tracker keeps
   the verdicts it gave in a table (bot_cache_entries) of sets of four, keyed by a 64-bit keyed
   hash of the whole UA, and checks the UA's length too: a repeat costs one pass over the UA.
   Four ways (one 64-byte line), a new verdict in front and the oldest out: with one entry per
   set, UAs sharing a set evicted each other (300 UAs in 512 entries: 40 % misses round robin).
   A UA whose set is full has a second set (other bits of its hash), looked at only then: its
   verdict goes there while that set has room, so nothing is pushed out (300 UAs round robin in
   256 sets of four left a set or two holding five or more, whose UAs all missed every time).
   The key is drawn at init (secret), so a client can neither aim UAs at one set nor look for
   colliding ones. A collision (another UA of the same length whose hash matches in all 64 bits,
   of which the set's index takes the low ones: about 2^-56 per lookup at 1024 entries, twice
   that when the second set is looked at too) gives that UA the other's verdict (a bot let in
   or a browser refused, as a wrong rule would) until
   the entry is pushed out; nothing else. The filter never changes after init, so a stored
   verdict never goes stale. Empty UAs and UAs over 64 KiB are not remembered. */
#if !SKEW_OPTIMIZE_SIZE && defined(__SIZEOF_INT128__)
/* 64-bit compilers with a 128-bit product (gcc, clang): 16 bytes of UA per multiply, the two
   64-bit halves of the product folded (wyhash's "mum"), two lanes of 32 bytes a turn: half the
   instructions of the loop below and a shorter chain of multiplies. Both operands hold a secret
   (the key, or the lane's state, which starts from the key): a client who knew neither cannot
   make a product zero but by chance. */
SKEW__PRIV uint64_t skew__ua_hash(const uint64_t key[2], const unsigned char *p, size_t n) {
    uint64_t a = key[0] ^ ((uint64_t)n * 0x9E3779B97F4A7C15ull), b = key[1], v, w;
    const size_t len = n; /* the whole length, for the tail read */
    while (n >= 32) {
        memcpy(&v, p, 8);
        memcpy(&w, p + 8, 8);
        a = skew__mum(v ^ key[1], w ^ a);
        memcpy(&v, p + 16, 8);
        memcpy(&w, p + 24, 8);
        b = skew__mum(v ^ key[0], w ^ b);
        p += 32;
        n -= 32;
    }
    if (n >= 16) {
        memcpy(&v, p, 8);
        memcpy(&w, p + 8, 8);
        a = skew__mum(v ^ key[1], w ^ a);
        p += 16;
        n -= 16;
    }
    if (n) { /* 1..15 bytes, zero-padded (the length is in the state: no ambiguity) */
        if (n > 8) {
            memcpy(&v, p, 8);
            w = skew__load_tail((const char *)p + 8, n - 8, len);
        } else {
            v = skew__load_tail((const char *)p, n, len);
            w = 0;
        }
        b = skew__mum(v ^ key[0], w ^ b);
    }
    return skew__mum(a ^ 0x9E3779B97F4A7C15ull, b ^ 0xC2B2AE3D27D4EB4Full);
}
#elif !SKEW_OPTIMIZE_SIZE
SKEW__PRIV uint64_t skew__ua_hash(const uint64_t key[2], const unsigned char *p, size_t n) {
    const uint64_t k = 0x9E3779B97F4A7C15ull, k2 = 0xC2B2AE3D27D4EB4Full;
    uint64_t a = key[0] ^ ((uint64_t)n * k2), b = key[1], v, w;
    size_t len = n; /* the whole length, for the tail read */
    while (n >= 16) { /* two independent lanes: their multiplies overlap */
        memcpy(&v, p, 8);
        memcpy(&w, p + 8, 8);
        a = (a ^ v) * k;
        b = (b ^ w) * k2;
        a ^= a >> 32;
        b ^= b >> 29;
        p += 16;
        n -= 16;
    }
    if (n >= 8) {
        memcpy(&v, p, 8);
        a = (a ^ v) * k;
        a ^= a >> 32;
        p += 8;
        n -= 8;
    }
    if (n) {
        w = skew__load_tail((const char *)p, n, len);
        b = (b ^ w) * k2;
        b ^= b >> 29;
    }
    a ^= (b << 23 | b >> 41) * k;
    a ^= a >> 29;
    a *= 0xBF58476D1CE4E5B9ull;
    a ^= a >> 32;
    return a;
}
#endif

/* skew_bot_filter_is_bot(&t->bots, ua) through the tracker's verdict cache. */
SKEW__PRIV bool skew__is_bot(skew_tracker *t, skew_str ua) {
#if !SKEW_OPTIMIZE_SIZE
    if (t->bot_cache && ua.ptr && ua.len && ua.len < 65536u) {
        uint64_t h = skew__ua_hash(t->bot_key, (const unsigned char *)ua.ptr, ua.len);
        skew__bot_memo *e = &t->bot_cache[(size_t)(h & t->bot_cache_mask) * 4u];
        skew__bot_memo *e2 = &t->bot_cache[(size_t)((h >> 32) & t->bot_cache_mask) * 4u];
        bool bot;
        int w;
        for (w = 0; w < 4; w++)
            if (e[w].hash == h && e[w].len == ua.len && e[w].verdict) return e[w].verdict == 2u;
        if (e[3].verdict) /* full (ways fill from the front and never empty): the second set */
            for (w = 0; w < 4; w++)
                if (e2[w].hash == h && e2[w].len == ua.len && e2[w].verdict) return e2[w].verdict == 2u;
        bot = skew_bot_filter_is_bot(&t->bots, ua);
        if (e[3].verdict && !e2[3].verdict) e = e2; /* room there: nothing pushed out */
        memmove(e + 1, e, 3 * sizeof *e);
        e->hash = h;
        e->len = (uint32_t)ua.len;
        e->verdict = bot ? 2u : 1u;
        return bot;
    }
#endif
    return skew_bot_filter_is_bot(&t->bots, ua);
}

SKEW__PRIV skew_auth_result skew__ask_stats(skew_tracker *t, uint32_t idx, const skew_request *req);

/* Whether req is authorized for stats (the dashboard past a cap or in the reserve); asks
   hooks.authorize once per open (*auth: -1 = not asked yet). A PENDING answer (forward auth)
   does not pass a cap: only a verdict already known does. */
SKEW__PRIV bool skew__stats_auth(skew_tracker *t, const skew_request *req, int *auth) {
    if (*auth < 0)
        *auth = t->cfg.hooks.authorize &&
                t->cfg.hooks.authorize(t->cfg.hooks.user_data, req, SKEW_AUTH_SCOPE_STATS) == SKEW_AUTH_RESULT_GRANTED;
    return *auth != 0;
}

SKEW__PRIV skew_result skew__open(skew_tracker *t, const skew_request *req, void *user, skew_handle *out) {
    skew_transport tr;
    skew__slot *s;
    uint32_t idx, at = 0;
    int auth = -1;
    bool reserved;
    uint64_t key = 0;
    skew_ip ip;
    uint8_t id[16];
    skew_str cookie, ua;
    skew_conn view;
    size_t len;
    skew_result r;
    uint64_t wall;
    *out = 0;
    if (!req) return SKEW_ERR_INVALID;
    if (t->shutting_down) return SKEW_ERR_STOPPING;
    tr = skew__transport_of(t, req->path);
    if (!tr) return SKEW_ERR_INVALID;
    ua = t->cfg.bot_filter_off ? skew__str(NULL, 0) : skew__get_header(req, "user-agent");
    if (!t->cfg.bot_filter_off && skew__is_bot(t, ua)) {
        skew__count(&t->m.bots_rejected);
        skew__log_bot(t, ua, tr);
        return SKEW_ERR_BOT;
    }
    reserved = t->live_count >= t->cfg.max_connections; /* only the stats reserve is left */
    if (t->free_head == SKEW__NONE || (reserved && !skew__stats_auth(t, req, &auth))) {
        skew__count(&t->m.refused_full);
        skew__log(t, SKEW_LOG_LEVEL_WARN, "skew: connection refused: max_connections reached");
        return SKEW_ERR_FULL;
    }
    ip.family = 0;
    if ((t->cfg.ip_tracking || t->ipt) && skew_get_client_ip(&t->cfg.ip_policy, req, &ip, NULL) != SKEW_OK) ip.family = 0;
#if SKEW_ENABLE_IP
    if (t->ipt && (key = skew__ip_key(t, &ip)) != 0) {
        at = skew__ipt_find(t, key);
        if ((t->ipt[at] & SKEW__IPT_COUNT) >= t->per_ip_cap) {
            if (!skew__stats_auth(t, req, &auth)) {
                skew__count(&t->m.refused_per_ip);
                skew__log(t, SKEW_LOG_LEVEL_INFO, "skew: connection refused: max_connections_per_ip reached");
                return SKEW_ERR_PER_IP;
            }
            key = 0; /* the dashboard passes, uncounted */
        }
    }
#endif
    wall = skew__now(t);
    idx = t->free_head;
    s = &t->slots[idx];
    do { /* a repeat is 2^-122 per pair, but the check is free inside the insert */
        r = skew__new_id(t, id);
        if (r != SKEW_OK) return r;
        memcpy(s->id, id, 16);
    } while (!skew__id_insert(t, idx));
    t->free_head = s->pos;
    s->user = user;
    s->flags = (uint8_t)(SKEW__F_LIVE | (tr == SKEW_TRANSPORT_WS ? SKEW__F_WS : 0));
    s->sub_pos = SKEW__NONE;
    s->pos = t->live_count;
    t->live[t->live_count++] = idx;
#if SKEW_OPTIMIZE_SIZE
    if (skew_get_cookie(skew_get_header(req, "cookie"), t->cookie, &cookie) != SKEW_OK) cookie.len = 0;
#else
    if (skew__find_cookie(skew__get_header(req, "cookie"), t->cookie, t->cookie_len, &cookie) != SKEW_OK) cookie.len = 0;
#endif
    s->version = skew__ref_version(t, cookie);
    s->route = t->cfg.route_tracking ? skew__ref_route(t, idx, skew__initial_route(t, req)) : (uint16_t)SKEW__NO_STR;
    s->ip_family = 0;
    memset(s->ip, 0, 16);
    if (t->cfg.ip_tracking && ip.family) {
        s->ip_family = ip.family;
        memcpy(s->ip, ip.bytes, 16);
    }
    if (key) {
        t->ipt[at] = (t->ipt[at] ? t->ipt[at] : key) + 1u;
        t->ipkey[idx] = key;
    }
    if (tr == SKEW_TRANSPORT_WS) { /* the handshake's verdict, asked once per open */
        skew_auth_result a = auth > 0 ? SKEW_AUTH_RESULT_GRANTED : skew__ask_stats(t, idx, req);
        if (a == SKEW_AUTH_RESULT_GRANTED) s->flags |= SKEW__F_AUTH;
        if (a == SKEW_AUTH_RESULT_PENDING) s->flags |= SKEW__F_PENDING;
    }
    skew__conn_view(t, idx, &view); /* one view for `connected` and on_open */
    /* the message buffer holds at least the stats head, far more than this */
#if SKEW_OPTIMIZE_SIZE
    len = skew_write_connected(skew__str(t->server_version, t->server_version_len), skew__str(view.id, 36), wall,
                              t->msg, t->msg_cap);
#else
    { /* the same bytes as skew_write_connected, from the ready prefix */
        static const char ts[] = "\",\"timestamp\":";
        char *p = t->msg;
        memcpy(p, t->connected_prefix, t->connected_prefix_len);
        p += t->connected_prefix_len;
        memcpy(p, view.id, 36);
        p += 36;
        memcpy(p, ts, sizeof ts - 1);
        p += sizeof ts - 1;
        if (!t->ts_len || t->ts_value != wall) {
            t->ts_value = wall;
            t->ts_len = skew__u64_text(t->ts_text, wall);
        }
        memcpy(p, t->ts_text, sizeof t->ts_text); /* a fixed size, no call: the bytes past ts_len */
        p += t->ts_len;                           /* are overwritten or past the end */
        *p++ = '}';
        *p = '\0';
        len = (size_t)(p - t->msg);
    }
#endif
    r = skew__deliver_view(t, idx, &view, t->msg, len);
#if !SKEW_OPTIMIZE_SIZE && (defined(__GNUC__) || defined(__clang__))
    if (t->rng_avail >= 16) { /* the next open's id is known: its entry in the id table, a cache
                                 miss with many connections live, is fetched while the server
                                 does other work (at the open's start it overlapped only the
                                 open's own checks) */
        const uint8_t *next = t->rng_buf + SKEW__RNG_BYTES - t->rng_avail;
        __builtin_prefetch(&t->ids[skew__id_hash(next) & t->id_mask], 1);
        /* and the one after: two opens ahead, the fetch (often a TLB miss too at 100k live) has
           an open+close more to land; the repeat next time finds it on its way */
        if (t->rng_avail >= 32) __builtin_prefetch(&t->ids[skew__id_hash(next + 16) & t->id_mask], 1);
    }
#endif
    if (r != SKEW_OK) {
        /* never tracked: undo without on_close and without counting a close */
        t->slots[idx].flags &= (uint8_t)~SKEW__F_DOOMED;
        t->doomed_head = t->slots[idx].doomed_next;
        skew__remove(t, idx, SKEW_CLOSE_REASON_SEND_FAILED, false);
        skew__count(&t->m.send_failed);
        return SKEW_ERR_SEND;
    }
    skew__count(&t->m.opened);
    if (reserved) skew__count(&t->m.opened_reserved);
    *out = skew__handle(t, idx);
    if (SKEW_ENABLE_SSE_PROBE && tr != SKEW_TRANSPORT_WS) skew__probe_add(t, idx);
    skew__changed(t);
    if (t->cfg.hooks.on_open) t->cfg.hooks.on_open(t->cfg.hooks.user_data, &view);
    return SKEW_OK;
}

SKEW_API skew_result skew_open(skew_tracker *t, const skew_request *req, void *user, skew_handle *out) {
    skew_result r;
    skew_handle dummy;
    if (!t) return SKEW_ERR_INVALID;
    skew__enter(t);
    r = skew__open(t, req, user, out ? out : &dummy);
    skew__leave(t);
    return r;
}

SKEW_API skew_result skew_close(skew_tracker *t, skew_handle h, skew_close_reason reason) {
    uint32_t idx;
    skew_result r;
    if (!t) return SKEW_ERR_INVALID;
    r = skew__enter_conn(t, h, &idx);
    if (r == SKEW_OK && !(t->slots[idx].flags & SKEW__F_DOOMED)) skew__remove(t, idx, reason, true);
    skew__leave(t);
    return r;
}

SKEW_API void skew_close_all(skew_tracker *t) {
    if (!t) return;
    skew__enter(t);
    while (t->live_count) skew__remove(t, t->live[t->live_count - 1], SKEW_CLOSE_REASON_SHUTDOWN, true);
    t->doomed_head = SKEW__NONE;
    t->stats_dirty = false;
    skew__leave(t);
}

SKEW_API void skew_shutdown(skew_tracker *t) {
    if (!t) return;
    skew__enter(t);
    t->shutting_down = true;
    skew__leave(t);
}

SKEW_API bool skew_is_shutting_down(const skew_tracker *t) {
    bool v;
    if (!t) return false;
    skew__lock_ro(t);
    v = t->shutting_down;
    skew__unlock_ro(t);
    return v;
}

SKEW__PRIV skew_result skew__set_route(skew_tracker *t, uint32_t idx, skew_str route) {
    skew_str clean;
    skew__slot *s = &t->slots[idx];
    uint16_t old;
    skew_result r = skew_route_clean(route, t->cfg.max_route_len, &clean);
    if (r != SKEW_OK) {
        skew__count(&t->m.invalid_input);
        return r;
    }
    if (!t->cfg.route_tracking) return SKEW_OK; /* valid, but not recorded */
    old = s->route;
    if (old != SKEW__NO_STR && t->routes.lens[old] == clean.len && old != 0 &&
        memcmp(t->routes.text + (size_t)old * t->routes.stride, clean.ptr, clean.len) == 0)
        return SKEW_OK; /* same route: nothing changes, nobody is told */
    s->route = skew__ref_route(t, idx, clean);
    if (t->cfg.hooks.on_route_update) {
        skew_conn c;
        skew__conn_view(t, idx, &c);
        t->cfg.hooks.on_route_update(t->cfg.hooks.user_data, &c, skew__tab_str(&t->routes, old));
    }
    skew__tab_unref(&t->routes, old);
    skew__changed(t);
    return SKEW_OK;
}

SKEW_API skew_result skew_set_route(skew_tracker *t, skew_handle h, skew_str route) {
    uint32_t idx;
    skew_result r;
    if (!t) return SKEW_ERR_INVALID;
    r = skew__enter_conn(t, h, &idx);
    if (r == SKEW_OK) r = skew__set_route(t, idx, route);
    skew__leave(t);
    return r;
}

SKEW__PRIV size_t skew__write_stats(const skew_tracker *t, skew__w *w, bool with_type, uint32_t max_listed,
                                    size_t reserve, size_t *list_end);
#define SKEW__NO_CUT ((size_t)-1)
SKEW__PRIV void skew__put_your_id(const skew_tracker *t, skew__w *w, uint32_t idx);

/* hooks.authorize for a connection's stats, with the connection named for skew_get_auth_subject. */
SKEW__PRIV skew_auth_result skew__ask_stats(skew_tracker *t, uint32_t idx, const skew_request *req) {
    skew_auth_result a;
    if (!t->cfg.hooks.authorize) return SKEW_AUTH_RESULT_UNAVAILABLE;
    t->auth_idx = idx;
    t->auth_asking = true;
    a = t->cfg.hooks.authorize(t->cfg.hooks.user_data, req, SKEW_AUTH_SCOPE_STATS);
    t->auth_asking = false;
    return a;
}

SKEW__PRIV skew_result skew__subscribe(skew_tracker *t, uint32_t idx, const skew_request *req) {
    skew__slot *s = &t->slots[idx];
    bool ok;
    size_t len, list_end = 0;
    if (req) {
        skew_auth_result a = skew__ask_stats(t, idx, req);
        if (a == SKEW_AUTH_RESULT_PENDING) s->flags |= SKEW__F_PENDING;
        ok = a == SKEW_AUTH_RESULT_GRANTED;
    } else {
        ok = (s->flags & SKEW__F_AUTH) != 0;
    }
    if (s->flags & SKEW__F_PENDING) { /* the answer comes with skew_set_stats_verdict */
        s->flags |= SKEW__F_SUBWAIT;
        return SKEW_OK;
    }
    if (!ok) {
        skew__sub_remove(t, idx); /* a credential that no longer passes ends the subscription */
        len = skew_write_stats_unauthorized(t->msg, t->msg_cap);
        skew__deliver(t, idx, t->msg, len);
        return SKEW_ERR_UNAUTHORIZED;
    }
    if (!(s->flags & SKEW__F_SUB)) {
        s->flags |= SKEW__F_SUB;
        s->sub_pos = t->sub_count;
        t->subs[t->sub_count++] = idx;
    }
    /* a fresh snapshot to this subscriber right away, every time it asks */
    {
        skew__w w = skew__w_buf(t->msg, t->msg_cap);
        skew__write_stats(t, &w, true, t->cfg.max_listed, 60, &list_end);
        w.len = list_end;
        skew__put_your_id(t, &w, idx);
        len = skew__w_end(&w);
    }
    return skew__deliver(t, idx, t->msg, len);
}

SKEW_API skew_result skew_get_auth_subject(const skew_tracker *t, skew_handle *out) {
    if (!t || !t->auth_asking) return SKEW_ERR_NOT_FOUND;
    *out = skew__handle(t, t->auth_idx);
    return SKEW_OK;
}

SKEW_API skew_result skew_set_stats_verdict(skew_tracker *t, skew_handle h, skew_auth_result verdict) {
    uint32_t idx;
    skew_result r;
    if (!t) return SKEW_ERR_INVALID;
    r = skew__enter_conn(t, h, &idx);
    if (r == SKEW_OK && !(t->slots[idx].flags & SKEW__F_PENDING)) r = SKEW_ERR_INVALID;
    if (r == SKEW_OK) {
        skew__slot *s = &t->slots[idx];
        bool waiting = (s->flags & SKEW__F_SUBWAIT) != 0;
        s->flags = (uint8_t)(s->flags & ~(SKEW__F_PENDING | SKEW__F_SUBWAIT | SKEW__F_AUTH));
        if (verdict == SKEW_AUTH_RESULT_GRANTED) s->flags |= SKEW__F_AUTH;
        if (waiting) r = skew__subscribe(t, idx, NULL);
    }
    skew__leave(t);
    return r;
}

SKEW_API skew_result skew_subscribe(skew_tracker *t, skew_handle h, const skew_request *req) {
    uint32_t idx;
    skew_result r;
    if (!t) return SKEW_ERR_INVALID;
    r = skew__enter_conn(t, h, &idx);
    if (r == SKEW_OK) r = skew__subscribe(t, idx, req);
    skew__leave(t);
    return r;
}

SKEW_API skew_result skew_unsubscribe(skew_tracker *t, skew_handle h) {
    uint32_t idx;
    skew_result r;
    if (!t) return SKEW_ERR_INVALID;
    r = skew__enter_conn(t, h, &idx);
    if (r == SKEW_OK) skew__sub_remove(t, idx);
    skew__leave(t);
    return r;
}

SKEW_API skew_result skew_revoke_stats(skew_tracker *t, skew_handle h) {
    uint32_t idx;
    skew_result r;
    if (!t) return SKEW_ERR_INVALID;
    r = skew__enter_conn(t, h, &idx);
    if (r == SKEW_OK) {
        bool was = (t->slots[idx].flags & SKEW__F_SUB) != 0;
        t->slots[idx].flags &= (uint8_t)~SKEW__F_AUTH;
        skew__sub_remove(t, idx);
        if (was) skew__deliver(t, idx, t->msg, skew_write_stats_unauthorized(t->msg, t->msg_cap));
    }
    skew__leave(t);
    return r;
}

SKEW__PRIV skew_result skew__find(const skew_tracker *t, skew_str id, uint32_t *idx) {
    uint8_t bin[16];
    uint32_t i;
    if (!skew__id_parse(id, bin)) return SKEW_ERR_INVALID;
    i = skew__id_lookup(t, bin);
    if (i == SKEW__NONE) return SKEW_ERR_NOT_FOUND;
    *idx = i;
    return SKEW_OK;
}

SKEW_API skew_result skew_find(skew_tracker *t, skew_str id, skew_handle *out) {
    uint32_t idx;
    skew_result r;
    if (!t || !out) return SKEW_ERR_INVALID;
    *out = 0;
    skew__enter(t);
    r = skew__find(t, id, &idx);
    if (r == SKEW_OK) *out = skew__handle(t, idx);
    skew__leave(t);
    return r;
}

SKEW_API skew_result skew_get_conn(const skew_tracker *t, skew_handle h, skew_conn *out) {
    uint32_t idx;
    skew_result r;
    if (!t || !out) return SKEW_ERR_INVALID;
    skew__lock_ro(t);
    r = skew__lookup(t, h, &idx);
    if (r == SKEW_OK) skew__conn_view(t, idx, out);
    skew__unlock_ro(t);
    return r;
}

SKEW_API skew_result skew_send(skew_tracker *t, skew_handle h, skew_str json) {
    uint32_t idx;
    skew_result r;
    if (!t || (!json.ptr && json.len)) return SKEW_ERR_INVALID;
    skew__enter(t); /* from a hook: nested (the lock must be recursive); outside: settles */
    r = skew__lookup(t, h, &idx);
    if (r == SKEW_OK) r = skew__deliver(t, idx, json.ptr, json.len);
    skew__leave(t); /* outermost call: a peer that failed is closed now */
    return r;
}

/* The message's "type" (n bytes in type) is lit. */
SKEW__PRIV bool skew__type_is(const char *type, size_t n, const char *lit) {
    return n == strlen(lit) && memcmp(type, lit, n) == 0;
}

SKEW_API skew_result skew_ws_message(skew_tracker *t, skew_handle h, skew_str data) {
    uint32_t idx;
    skew_result r;
    skew_str msg = skew__str(data.ptr, data.ptr ? data.len : 0);
    char type[32];
    size_t tn = 0;
    bool ping;
    if (!t) return SKEW_ERR_INVALID;
    r = skew__enter_conn(t, h, &idx);
    if (r != SKEW_OK) goto done;
    /* exactly "ping" or {"type":"ping"}: a route like /shipping must never be read as a ping */
    ping = msg.len == 4 && memcmp(msg.ptr, "ping", 4) == 0;
    if (!ping && skew_json_get_string(msg, "type", type, sizeof type, &tn) != SKEW_OK) tn = 0; /* read once */
    if (ping || skew__type_is(type, tn, "ping")) {
        size_t n = skew_write_pong(t->msg, t->msg_cap);
        r = skew__deliver(t, idx, t->msg, n);
    } else if (skew__type_is(type, tn, "subscribe-stats")) {
        r = skew__subscribe(t, idx, NULL);
    } else if (skew__type_is(type, tn, "unsubscribe-stats")) {
        skew__sub_remove(t, idx);
    } else if (skew__type_is(type, tn, "route-update")) {
        size_t n = 0;
        r = skew_json_get_string(msg, "route", t->scratch, t->scratch_cap, &n);
        if (r == SKEW_OK) r = skew__set_route(t, idx, skew__str(t->scratch, n));
        else skew__count(&t->m.invalid_input);
        if (r == SKEW_ERR_NOT_FOUND) r = SKEW_ERR_INVALID;
    } else {
        skew__count(&t->m.invalid_input);
        r = SKEW_ERR_INVALID;
    }
done:
    skew__leave(t);
    return r;
}

/* ======================================================================================
   >>stats  the stats message from the tables (implementation only; declared under >>json)
   ====================================================================================== */

SKEW__PRIV void skew__put_map(const skew__strtab *tab, skew__w *w) {
    uint32_t i;
    bool first = true;
    skew__put(w, "{", 1);
    for (i = 0; i <= tab->used; i++) { /* "(other)" (entry 0, never live) when it counts any, then the live ones */
        uint32_t e = i ? tab->live[i - 1] : 0;
        if (!i && !tab->counts[0]) continue;
        if (!first) skew__put(w, ",", 1);
        first = false;
        skew__put_json_str(w, skew__tab_str(tab, e));
        skew__put(w, ":", 1);
        skew__put_u64(w, tab->counts[e]);
    }
    skew__put(w, "}", 1);
}

/* One connection entry without its closing brace: {"id":..,"version":..[,"route":..][,"ip":..].
   The stats list closes it at once; the cluster's snapshot (skew__cl_put_local) may add more. */
SKEW__PRIV void skew__put_entry_fields(const skew_tracker *t, skew__w *w, uint32_t idx) {
    const skew__slot *s = &t->slots[idx];
    char id[SKEW_ID_STR_MAX];
    skew__id_text(s->id, id);
    skew__put_hot(w, "{\"id\":\"", 7);
    skew__put_hot(w, id, 36);
    skew__put_hot(w, "\",\"version\":", 12);
    skew__put_json_str(w, skew__tab_str(&t->versions, s->version));
    if (t->cfg.route_tracking && s->route != SKEW__NO_STR) {
        skew__put_hot(w, ",\"route\":", 9);
        skew__put_json_str(w, skew__tab_str(&t->routes, s->route));
    }
    if (t->cfg.ip_tracking && s->ip_family) {
        char ip[SKEW_IP_STR_MAX];
        skew_ip a;
        size_t n;
        a.family = s->ip_family;
        memcpy(a.bytes, s->ip, 16);
        n = skew_ip_format(&a, ip, sizeof ip);
        skew__puts(w, ",\"ip\":\"");
        skew__put(w, ip, n);
        skew__put(w, "\"", 1);
    }
}

SKEW__PRIV void skew__put_entry(const skew_tracker *t, skew__w *w, uint32_t idx) {
    skew__put_entry_fields(t, w, idx);
    skew__put_hot(w, "}", 1);
}

/* ,"yourId":"<id>"} after a stats list: the end of a stats message for one recipient. */
SKEW__PRIV void skew__put_your_id(const skew_tracker *t, skew__w *w, uint32_t idx) {
    char id[SKEW_ID_STR_MAX];
    skew__id_text(t->slots[idx].id, id);
    skew__puts(w, ",\"yourId\":\"");
    skew__put(w, id, 36);
    skew__puts(w, "\"}");
}

/* The head every counts message shares: {["type":"stats",]"total":N,"versions":{..}[,"routes":{..}]
   (stats messages and the admin stats). */
SKEW__PRIV void skew__put_counts_head(const skew_tracker *t, skew__w *w, bool with_type) {
    skew__puts(w, with_type ? "{\"type\":\"stats\",\"total\":" : "{\"total\":");
    skew__put_u64(w, t->live_count);
    skew__puts(w, ",\"versions\":");
    skew__put_map(&t->versions, w);
    if (t->cfg.route_tracking) {
        skew__puts(w, ",\"routes\":");
        skew__put_map(&t->routes, w);
    }
}

/* Write stats up to and including the connections list's ']'. Unless reserve is SKEW__NO_CUT,
   entries are added only while `reserve` bytes remain in the buffer for what the caller
   appends, so a push always fits: the head is always exact and only the list is cut.
   *list_end gets the offset just past ']'. */
SKEW__PRIV size_t skew__write_stats(const skew_tracker *t, skew__w *w, bool with_type, uint32_t max_listed,
                                    size_t reserve, size_t *list_end) {
    uint32_t i, n = t->live_count < max_listed ? t->live_count : max_listed;
#if SKEW_ENABLE_CLUSTER
    if (t->cl) {
        skew__cl_write_stats(t, w, with_type, max_listed, reserve, list_end);
        return w->len;
    }
#endif
    skew__put_counts_head(t, w, with_type);
    skew__puts(w, ",\"connections\":[");
    for (i = 0; i < n; i++) {
        size_t before = w->len;
        if (i) skew__put_hot(w, ",", 1);
        skew__put_entry(t, w, t->live[i]);
        if (reserve != SKEW__NO_CUT && !w->sink && w->len + reserve + 1 > w->cap) {
            w->len = before; /* does not fit: the list ends here */
            break;
        }
    }
    skew__put(w, "]", 1);
    *list_end = w->len;
    return w->len;
}

/* The one core of skew_write_stats and skew_write_stats_sink: a whole stats message for `you`. */
SKEW__PRIV void skew__json_stats_to(const skew_tracker *t, skew__w *w, skew_handle you, uint32_t max_listed) {
    size_t end = 0;
    uint32_t idx;
    skew__lock_ro(t);
    skew__write_stats(t, w, true, max_listed, SKEW__NO_CUT, &end);
    if (you && skew__lookup(t, you, &idx) == SKEW_OK) skew__put_your_id(t, w, idx);
    else skew__put(w, "}", 1);
    skew__unlock_ro(t);
}

SKEW_API size_t skew_write_stats(const skew_tracker *t, skew_handle you, char *buf, size_t cap) {
    skew__w w = skew__w_buf(buf, cap);
    skew__json_stats_to(t, &w, you, t->cfg.max_listed);
    return skew__w_end(&w);
}

SKEW_API skew_result skew_write_stats_sink(const skew_tracker *t, skew_handle you, uint32_t max_listed,
                                           skew_sink_fn sink, void *ctx, size_t *out_len) {
    skew__w w;
    memset(&w, 0, sizeof w);
    w.sink = sink;
    w.ctx = ctx;
    skew__json_stats_to(t, &w, you, max_listed);
    if (out_len) *out_len = w.len;
    return w.stopped ? SKEW_ERR_SEND : SKEW_OK;
}

/* ======================================================================================
   >>time  coalesced stats pushes, keepalives, skew_tick
   ====================================================================================== */

/* One snapshot for all subscribers: the body is built once; each recipient only gets its own
   ,"yourId":"..."} written after the list. */
SKEW__PRIV void skew__broadcast_stats(skew_tracker *t) {
    size_t end = 0, i;
    skew__w w;
    if (t->broadcasting) return;
    t->broadcasting = true;
    t->stats_dirty = false;
    if (t->sub_count) {
        w = skew__w_buf(t->msg, t->msg_cap);
        skew__write_stats(t, &w, true, t->cfg.max_listed, 60, &end);
        skew__count(&t->m.stats_pushes);
        for (i = t->sub_count; i-- > 0;) {
            uint32_t idx = t->subs[i];
            if (t->slots[idx].flags & SKEW__F_DOOMED) continue;
            w.len = end;
            skew__put_your_id(t, &w, idx);
            skew__deliver(t, idx, t->msg, skew__w_end(&w));
        }
    }
    t->broadcasting = false;
}

/* ---- early probes of new SSE streams (skew_config.sse_probe_ms, the ring: skew__probes) ----
   O(1) per open; a tick costs O(probes due + streams opened since the last tick), never a scan
   of every connection. */

SKEW__PRIV uint32_t skew__probe_next(const skew__probes *p, uint32_t i) { return i + 1 == p->cap ? 0 : i + 1; }

/* A new SSE stream joins the schedule. A full ring (more opens within the longest delay than
   there are slots) lets its oldest entry go: that stream gets its remaining probes no more. */
SKEW__PRIV void skew__probe_add(skew_tracker *t, uint32_t idx) {
    skew__probes *p = &t->probe;
    uint32_t k, next;
    if (!p->ring) return;
    next = skew__probe_next(p, p->tail);
    if (next == p->head) {
        uint32_t h = p->head, h2 = skew__probe_next(p, h);
        for (k = 0; k < p->stages; k++)
            if (p->cur[k] == h) p->cur[k] = h2;
        if (p->fresh == h) p->fresh = h2;
        p->head = h2;
    }
    p->ring[p->tail].idx = idx;
    p->ring[p->tail].gen = t->slots[idx].gen;
    p->ring[p->tail].at = 0;
    p->tail = next;
}

/* Stamp the new entries with now, then send each probe that came due (a `keepalive`: the
   client takes it as one). A failed send closes the stream as any failed send does. */
SKEW__PRIV void skew__probe_tick(skew_tracker *t, uint64_t now) {
    skew__probes *p = &t->probe;
    size_t len = 0;
    uint32_t k;
    if (!p->ring) return;
    for (; p->fresh != p->tail; p->fresh = skew__probe_next(p, p->fresh)) p->ring[p->fresh].at = now;
    for (k = 0; k < p->stages; k++) {
        uint32_t delay = t->cfg.sse_probe_ms[k];
        for (; p->cur[k] != p->fresh; p->cur[k] = skew__probe_next(p, p->cur[k])) {
            skew__probe_entry *e = &p->ring[p->cur[k]];
            const skew__slot *s = &t->slots[e->idx];
            if (e->at > now) e->at = now; /* the clock went back: count from now */
            if (now - e->at < delay) break;
            if (s->gen != e->gen || (s->flags & (SKEW__F_LIVE | SKEW__F_DOOMED)) != SKEW__F_LIVE) continue;
            if (!len) len = skew_write_keepalive(skew__now(t), t->msg, t->msg_cap);
            (void)skew__deliver(t, e->idx, t->msg, len);
        }
    }
    p->head = p->cur[p->stages - 1];
}

/* When the next probe is due; now (0) while new entries wait for a tick's clock. */
SKEW__PRIV uint64_t skew__probe_due(const skew_tracker *t, uint64_t next) {
    const skew__probes *p = &t->probe;
    uint32_t k;
    if (!p->ring) return next;
    if (p->fresh != p->tail) return 0;
    for (k = 0; k < p->stages; k++)
        if (p->cur[k] != p->fresh && p->ring[p->cur[k]].at + t->cfg.sse_probe_ms[k] < next)
            next = p->ring[p->cur[k]].at + t->cfg.sse_probe_ms[k];
    return next;
}

/* When skew_tick next has work: the keepalive, or a pending stats push if sooner. */
SKEW__PRIV uint64_t skew__due(const skew_tracker *t) {
    uint64_t next = t->next_keepalive;
    if (t->stats_dirty && t->stats_due < next) next = t->stats_due;
    if (SKEW_ENABLE_TIMELINE && t->tl.cap && t->tl.next_due < next) next = t->tl.next_due; /* >>timeline */
    if (SKEW_ENABLE_SSE_PROBE) next = skew__probe_due(t, next);
    return next;
}

SKEW_API uint32_t skew_tick(skew_tracker *t, uint64_t now) {
    uint64_t next;
    if (!t) return 0;
    skew__enter(t);
    if (!t->clock_started) { /* the keepalive period starts on the adapter's clock */
        t->clock_started = true;
        t->last_now = now;
        t->next_keepalive = now + t->cfg.keepalive_ms;
    }
    if (now < t->last_now) {
        /* the clock went back: run what is pending now instead of waiting for the old time */
        if (t->stats_dirty) t->stats_due = now;
        if (t->next_keepalive > now + t->cfg.keepalive_ms) t->next_keepalive = now;
    }
    t->last_now = now;
    skew__timeline_tick(t, now);
    if (now >= t->next_keepalive) {
        uint32_t i;
        size_t len = skew_write_keepalive(skew__now(t), t->msg, t->msg_cap);
        for (i = t->live_count; i-- > 0;)
            if (!(t->slots[t->live[i]].flags & SKEW__F_WS)) skew__deliver(t, t->live[i], t->msg, len);
        t->next_keepalive = now + t->cfg.keepalive_ms;
    }
    if (SKEW_ENABLE_SSE_PROBE) skew__probe_tick(t, now);
    skew__reap(t);
    if (t->stats_dirty && now >= t->stats_due) skew__broadcast_stats(t);
    skew__reap(t);
    next = skew__due(t);
    skew__leave(t);
    return next <= now ? 0 : (uint32_t)(next - now);
}

SKEW_API uint32_t skew_get_next_due(const skew_tracker *t, uint64_t now) {
    uint64_t next;
    if (!t) return 0;
    skew__lock_ro(t);
    next = skew__due(t);
    skew__unlock_ro(t);
    return next <= now ? 0 : (uint32_t)(next - now);
}

/* ======================================================================================
   >>timeline  rollout timeline (implementation)
   ======================================================================================
   Memory: times[cap], counts[cap][width], names[nseries][max_version_len], series[nseries].
   Sampling is O(versions x series) plus, when a version takes a bigger one's series, O(kept) to
   move the old history into "(other)"; at most nseries such moves per sample. No 64-bit
   division (Cortex-M needs no libgcc helper). */

#if SKEW_ENABLE_TIMELINE

#define SKEW__TL_DEFAULT_PERIOD_MS 10000u
#define SKEW__TL_DEFAULT_SERIES 8u

SKEW__PRIV void skew__timeline_defaults(skew_config *c) {
    if (!c->timeline_period_ms) c->timeline_period_ms = SKEW__TL_DEFAULT_PERIOD_MS;
    if (!c->timeline_series) c->timeline_series = SKEW__TL_DEFAULT_SERIES;
}

SKEW__PRIV bool skew__timeline_valid(const skew_config *c) {
    if (!c->timeline_samples) return true;
    return c->timeline_samples <= SKEW_TIMELINE_MAX_SAMPLES && c->timeline_period_ms >= 10 &&
           c->timeline_period_ms <= 86400000u && c->timeline_series >= 1 &&
           c->timeline_series <= SKEW_TIMELINE_MAX_SERIES;
}

SKEW__PRIV size_t skew__timeline_bytes(const skew_config *c) {
    size_t n = c->timeline_samples, k = c->timeline_series;
    if (!n) return 0;
    return SKEW__ALIGN(n * sizeof(uint64_t)) + SKEW__ALIGN(n * (k + 1) * sizeof(uint32_t)) +
           SKEW__ALIGN(k * c->max_version_len) + SKEW__ALIGN(k * sizeof(skew__tl_series));
}

SKEW__PRIV void skew__timeline_init(skew_tracker *t, char *mem) {
    skew__timeline *tl = &t->tl;
    const skew_config *c = &t->cfg;
    memset(tl, 0, sizeof *tl);
    if (!c->timeline_samples) return;
    tl->cap = c->timeline_samples;
    tl->nseries = c->timeline_series;
    tl->width = tl->nseries + 1;
    tl->stride = c->max_version_len;
    tl->period = c->timeline_period_ms;
    tl->times = (uint64_t *)(void *)mem;
    mem += SKEW__ALIGN((size_t)tl->cap * sizeof(uint64_t));
    tl->counts = (uint32_t *)(void *)mem;
    mem += SKEW__ALIGN((size_t)tl->cap * tl->width * sizeof(uint32_t));
    tl->names = mem;
    mem += SKEW__ALIGN((size_t)tl->nseries * tl->stride);
    tl->series = (skew__tl_series *)(void *)mem;
    memset(tl->series, 0, tl->nseries * sizeof(skew__tl_series));
    tl->next_due = 0; /* the first tick takes the first sample, whatever its clock */
}

/* Row of the j-th oldest kept sample (0 <= j < kept). */
SKEW__PRIV uint32_t skew__tl_slot(const skew__timeline *tl, uint32_t j) {
    uint32_t at = tl->head + j + (tl->cap - tl->kept);
    return at >= tl->cap ? at - tl->cap : at;
}

/* The versions-table entry that holds series k's name now, or SKEW__NONE. */
SKEW__PRIV uint32_t skew__tl_entry(skew_tracker *t, uint32_t k) {
    skew__tl_series *s = &t->tl.series[k];
    const skew__strtab *v = &t->versions;
    skew_str name = skew__str(t->tl.names + (size_t)k * t->tl.stride, s->len);
    uint32_t e = s->entry;
    if (e == 0 || e >= v->cap || !v->counts[e] || v->lens[e] != s->len ||
        memcmp(v->text + (size_t)e * v->stride, name.ptr, s->len) != 0) {
        e = skew__tab_find(v, name, s->hash);
        if (e != SKEW__NONE) s->entry = e;
    }
    return e;
}

/* Give series k to versions entry e; with `fold`, its history first moves into "(other)" (the
   kept rows other than the one being written, which is the oldest when the ring is full). */
SKEW__PRIV void skew__tl_assign(skew_tracker *t, uint32_t k, uint32_t e, bool fold) {
    skew__timeline *tl = &t->tl;
    skew__tl_series *s = &tl->series[k];
    uint32_t j, first = tl->kept == tl->cap ? 1u : 0u;
    if (fold && s->last_seen) {
        for (j = first; j < tl->kept; j++) {
            uint32_t *row = tl->counts + (size_t)skew__tl_slot(tl, j) * tl->width;
            row[tl->nseries] += row[k];
            row[k] = 0;
        }
        if (s->last_seen > tl->other_seen) tl->other_seen = s->last_seen;
    }
    memcpy(tl->names + (size_t)k * tl->stride, t->versions.text + (size_t)e * t->versions.stride, t->versions.lens[e]);
    s->len = t->versions.lens[e];
    s->hash = t->versions.hashes[e];
    s->entry = e;
    s->last_seen = 0;
    s->used = true;
}

/* Take one sample of the connections per version, stamped with the wall clock (hooks.epoch_ms):
   skew_tick's clock only schedules the samples. */
SKEW__PRIV void skew__tl_sample(skew_tracker *t) {
    skew__timeline *tl = &t->tl;
    const skew__strtab *v = &t->versions;
    uint32_t cur[SKEW_TIMELINE_MAX_SERIES], i, k, moves = 0, *row;
    uint64_t total = v->counts[0], sum = 0;
    /* after this sample the window holds samples [first_kept, taken] (numbered from 1) */
    uint64_t first_kept = tl->taken + 1 - (tl->kept == tl->cap ? tl->kept - 1u : tl->kept);
    for (k = 0; k < tl->nseries; k++) cur[k] = tl->series[k].used ? skew__tl_entry(t, k) : SKEW__NONE;
    for (i = 0; i < v->used; i++) {
        uint32_t e = v->live[i], victim = SKEW__NONE, low = 0;
        total += v->counts[e];
        for (k = 0; k < tl->nseries && cur[k] != e; k++) {}
        if (k < tl->nseries) continue; /* has its series */
        for (k = 0; k < tl->nseries; k++) {
            const skew__tl_series *s = &tl->series[k];
            uint32_t n = cur[k] == SKEW__NONE ? 0 : v->counts[cur[k]];
            if (!s->used || (cur[k] == SKEW__NONE && s->last_seen < first_kept)) { /* free, or nothing kept */
                victim = k;
                low = 0;
                break;
            }
            if (victim == SKEW__NONE || n < low || (n == low && s->last_seen < tl->series[victim].last_seen)) {
                victim = k;
                low = n;
            }
        }
        if (victim == SKEW__NONE) continue;
        if (tl->series[victim].used && (cur[victim] != SKEW__NONE || tl->series[victim].last_seen >= first_kept)) {
            /* taking a series that still shows: only for a bigger version, a bounded number of times */
            if (v->counts[e] <= low || moves == tl->nseries) continue;
            moves++;
            skew__tl_assign(t, victim, e, true);
        } else {
            skew__tl_assign(t, victim, e, false);
        }
        cur[victim] = e;
    }
    tl->taken++;
    row = tl->counts + (size_t)tl->head * tl->width;
    tl->times[tl->head] = skew__now(t);
    for (k = 0; k < tl->nseries; k++) {
        row[k] = cur[k] == SKEW__NONE ? 0 : v->counts[cur[k]];
        sum += row[k];
        if (row[k]) tl->series[k].last_seen = tl->taken;
    }
    row[tl->nseries] = (uint32_t)(total - sum);
    if (row[tl->nseries]) tl->other_seen = tl->taken;
    if (++tl->head == tl->cap) tl->head = 0;
    if (tl->kept < tl->cap) tl->kept++;
}

SKEW__PRIV void skew__timeline_tick(skew_tracker *t, uint64_t now) {
    skew__timeline *tl = &t->tl;
    if (!tl->cap) return;
    if (!tl->taken || tl->next_due > now + tl->period) tl->next_due = now; /* first tick, or the clock went back */
    if (now < tl->next_due) return;
    skew__tl_sample(t);
    tl->next_due += tl->period;
    if (tl->next_due <= now) tl->next_due = now + tl->period; /* missed periods are not made up */
}

SKEW__PRIV void skew__put_timeline(const skew_tracker *t, skew__w *w) {
    const skew__timeline *tl = &t->tl;
    uint64_t first_kept = tl->taken - tl->kept; /* a series shows when last_seen > this */
    uint32_t j, k;
    bool any = false, other = tl->other_seen > first_kept;
    if (!tl->cap) {
        skew__puts(w, "null");
        return;
    }
    skew__puts(w, "{\"periodMs\":");
    skew__put_u64(w, tl->period);
    skew__puts(w, ",\"capacity\":");
    skew__put_u64(w, tl->cap);
    skew__puts(w, ",\"series\":[");
    for (k = 0; k < tl->nseries; k++) {
        const skew__tl_series *s = &tl->series[k];
        if (!s->used || s->last_seen <= first_kept) continue;
        if (any) skew__put(w, ",", 1);
        any = true;
        skew__put_json_str(w, skew__str(tl->names + (size_t)k * tl->stride, s->len));
    }
    if (other) {
        if (any) skew__put(w, ",", 1);
        skew__puts(w, "\"" SKEW_OTHER_NAME "\"");
    }
    skew__puts(w, "],\"samples\":[");
    for (j = 0; j < tl->kept; j++) {
        uint32_t slot = skew__tl_slot(tl, j);
        const uint32_t *row = tl->counts + (size_t)slot * tl->width;
        if (j) skew__put(w, ",", 1);
        skew__put(w, "[", 1);
        skew__put_u64(w, tl->times[slot]);
        for (k = 0; k < tl->nseries; k++) {
            if (!tl->series[k].used || tl->series[k].last_seen <= first_kept) continue;
            skew__put(w, ",", 1);
            skew__put_u64(w, row[k]);
        }
        if (other) {
            skew__put(w, ",", 1);
            skew__put_u64(w, row[tl->nseries]);
        }
        skew__put(w, "]", 1);
    }
    skew__puts(w, "]}");
}

/* ,"timeline":{...} for GET {base}/admin/stats; nothing when there is no timeline. */
SKEW__PRIV void skew__put_timeline_member(const skew_tracker *t, skew__w *w) {
    if (!t->tl.cap) return;
    skew__puts(w, ",\"timeline\":");
    skew__put_timeline(t, w);
}

SKEW_API size_t skew_write_timeline(const skew_tracker *t, char *buf, size_t cap) {
    skew__w w = skew__w_buf(buf, cap);
    size_t n;
    if (!t) {
        skew__puts(&w, "null");
        return skew__w_end(&w);
    }
    skew__lock_ro(t);
    skew__put_timeline(t, &w);
    n = skew__w_end(&w);
    skew__unlock_ro(t);
    return n;
}

#else /* compiled out: empty hooks; a config that asks for a timeline gets none, not an error */

SKEW__PRIV void skew__timeline_defaults(skew_config *c) { c->timeline_samples = 0; }
SKEW__PRIV bool skew__timeline_valid(const skew_config *c) { (void)c; return true; }
SKEW__PRIV size_t skew__timeline_bytes(const skew_config *c) { (void)c; return 0; }
SKEW__PRIV void skew__timeline_init(skew_tracker *t, char *mem) { (void)t; (void)mem; }
SKEW__PRIV void skew__timeline_tick(skew_tracker *t, uint64_t now) { (void)t; (void)now; }
SKEW__PRIV void skew__put_timeline_member(const skew_tracker *t, skew__w *w) { (void)t; (void)w; }

SKEW_API size_t skew_write_timeline(const skew_tracker *t, char *buf, size_t cap) {
    skew__w w = skew__w_buf(buf, cap);
    (void)t;
    skew__puts(&w, "null");
    return skew__w_end(&w);
}

#endif /* SKEW_ENABLE_TIMELINE */

/* ======================================================================================
   >>deploy  live redeploy
   ====================================================================================== */

/* Store a validated version and tell every connection. */
SKEW__PRIV void skew__set_version(skew_tracker *t, skew_str version) {
    uint32_t i;
    size_t len;
    skew__w w;
    memmove(t->server_version, version.ptr, version.len); /* may come from t->scratch */
    t->server_version[version.len] = '\0';
    t->server_version_len = version.len;
    skew__pin_version(t, 0, skew__str(t->server_version, version.len));
#if !SKEW_OPTIMIZE_SIZE
    skew__build_connected_prefix(t);
#endif
    w = skew__w_buf(t->msg, t->msg_cap);
    skew__put_version_msg(&w, skew__str(t->server_version, version.len), false);
    len = skew__w_end(&w);
    for (i = t->live_count; i-- > 0;) skew__deliver(t, t->live[i], t->msg, len);
}

SKEW__PRIV skew_result skew__check_version(const skew_tracker *t, skew_str version) {
    if (!version.ptr || !version.len || !skew__clean_text(version)) return SKEW_ERR_INVALID;
    return version.len > t->cfg.max_version_len ? SKEW_ERR_TOO_LONG : SKEW_OK;
}

SKEW_API skew_result skew_set_server_version(skew_tracker *t, skew_str version) {
    skew_result r;
    if (!t) return SKEW_ERR_INVALID;
    r = skew__check_version(t, version);
    if (r != SKEW_OK) return r;
    skew__enter(t);
    skew__set_version(t, version);
    skew__leave(t);
    return SKEW_OK;
}

/* Path-prefix match on whole segments: "/docs" matches "/docs" and "/docs/x", not "/docsy". */
SKEW__PRIV bool skew__route_has_prefix(skew_str route, skew_str prefix) {
    if (route.len < prefix.len || memcmp(route.ptr, prefix.ptr, prefix.len) != 0) return false;
    return route.len == prefix.len || prefix.ptr[prefix.len - 1] == '/' || route.ptr[prefix.len] == '/';
}

/* Force a reload on every connection under prefix (already cleaned); returns how many. */
SKEW__PRIV uint32_t skew__invalidate(skew_tracker *t, skew_str prefix) {
    uint32_t i, n = 0;
    size_t len;
    skew__w w = skew__w_buf(t->msg, t->msg_cap);
    skew__put_version_msg(&w, skew__str(t->server_version, t->server_version_len), true);
    len = skew__w_end(&w);
    for (i = t->live_count; i-- > 0;) {
        uint32_t idx = t->live[i];
        uint16_t e = t->slots[idx].route;
        if (e == SKEW__NO_STR) continue;
        if (e ? !skew__route_has_prefix(skew__tab_str(&t->routes, e), prefix)
              : !skew__sig_has(t, t->route_sig[idx], prefix)) /* folded: see "table poisoning" */
            continue;
        if (skew__deliver(t, idx, t->msg, len) == SKEW_OK) n++;
    }
    return n;
}

SKEW_API skew_result skew_invalidate(skew_tracker *t, skew_str route_prefix, uint32_t *count) {
    skew_str prefix;
    skew_result r;
    uint32_t n;
    if (count) *count = 0;
    if (!t) return SKEW_ERR_INVALID;
    if (!t->cfg.route_tracking) return SKEW_ERR_DISABLED;
    r = skew_route_clean(route_prefix, t->cfg.max_route_len, &prefix);
    if (r != SKEW_OK) return r;
    skew__enter(t);
    n = skew__invalidate(t, prefix);
    skew__leave(t);
    if (count) *count = n;
    return SKEW_OK;
}

SKEW_API skew_str skew_get_server_version(const skew_tracker *t) {
    return t ? skew__str(t->server_version, t->server_version_len) : skew__str("", 0);
}

SKEW_API size_t skew_write_server_version(const skew_tracker *t, char *buf, size_t cap) {
    size_t n;
    if (!t) {
        if (cap) buf[0] = '\0';
        return 0;
    }
    skew__lock_ro(t);
    n = t->server_version_len;
    if (cap) {
        size_t k = n < cap - 1 ? n : cap - 1;
        memcpy(buf, t->server_version, k);
        buf[k] = '\0';
    }
    skew__unlock_ro(t);
    return n;
}

/* ======================================================================================
   >>numbers  connection counts, rollout and counters, as C values
   ====================================================================================== */

SKEW_API uint32_t skew_get_total(const skew_tracker *t) {
    uint32_t n;
    if (!t) return 0;
    skew__lock_ro(t);
    n = t->live_count;
    skew__unlock_ro(t);
    return n;
}
SKEW_API uint32_t skew_get_subscriber_count(const skew_tracker *t) {
    uint32_t n;
    if (!t) return 0;
    skew__lock_ro(t);
    n = t->sub_count;
    skew__unlock_ro(t);
    return n;
}

SKEW__PRIV size_t skew__counts(const skew__strtab *tab, skew_count *out, size_t cap) {
    size_t n = 0, i;
    if (tab->counts[0]) {
        if (n < cap) { out[n].name = skew__tab_str(tab, 0); out[n].count = tab->counts[0]; }
        n++;
    }
    for (i = 0; i < tab->used; i++, n++)
        if (n < cap) { out[n].name = skew__tab_str(tab, tab->live[i]); out[n].count = tab->counts[tab->live[i]]; }
    return n;
}

SKEW_API size_t skew_list_versions(const skew_tracker *t, skew_count *out, size_t cap) {
    size_t n;
    if (!t) return 0;
    skew__lock_ro(t);
    n = skew__counts(&t->versions, out, out ? cap : 0);
    skew__unlock_ro(t);
    return n;
}
SKEW_API size_t skew_list_routes(const skew_tracker *t, skew_count *out, size_t cap) {
    size_t n;
    if (!t || !t->cfg.route_tracking) return 0;
    skew__lock_ro(t);
    n = skew__counts(&t->routes, out, out ? cap : 0);
    skew__unlock_ro(t);
    return n;
}

SKEW__PRIV uint32_t skew__current_count(const skew_tracker *t) {
    skew_str v = skew__str(t->server_version, t->server_version_len);
    uint32_t e = skew__tab_find(&t->versions, v, skew__hash(t->hash_seed, v));
    return e == SKEW__NONE ? 0 : t->versions.counts[e];
}

SKEW__PRIV uint32_t skew__rollout(const skew_tracker *t) {
    /* round(count * 1000 / live) in 32 bits: count <= live <= 2^24, so count * 125 fits and
       8 * remainder + live / 2 does too */
    uint32_t live = t->live_count, x, q;
    if (!live) return 1000;
    x = skew__current_count(t) * 125u;
    q = x / live;
    return 8u * q + (8u * (x - q * live) + live / 2u) / live;
}

SKEW_API uint32_t skew_get_rollout_permille(const skew_tracker *t) {
    uint32_t pm;
    if (!t) return 1000;
    skew__lock_ro(t);
    pm = skew__rollout(t);
    skew__unlock_ro(t);
    return pm;
}

SKEW_API void skew_get_metrics(const skew_tracker *t, skew_metrics *out) {
    if (!out) return;
    if (!t) {
        memset(out, 0, sizeof *out);
        return;
    }
    skew__lock_ro(t);
    *out = t->m;
    skew__unlock_ro(t);
}

/* ======================================================================================
   >>export  the same numbers as text: health, Prometheus metrics
   ====================================================================================== */

SKEW__PRIV void skew__put_health(const skew_tracker *t, skew__w *w) {
    uint64_t now = skew__now(t), up = now > t->started_ms ? now - t->started_ms : 0;
    skew__div_small(&up, 1000u);
    skew__puts(w, "{\"ok\":true,\"version\":");
    skew__put_json_str(w, skew__str(t->server_version, t->server_version_len));
    skew__puts(w, ",\"uptime\":");
    skew__put_u64(w, up);
#if SKEW_ENABLE_CLUSTER
    if (t->cl) { /* a cluster member: the link state, so a liveness probe shows it */
        skew_cluster_link st = skew__cl_state(t);
        skew__puts(w, st == SKEW_CLUSTER_LINK_OK ? ",\"cluster\":\"ok\""
                      : st == SKEW_CLUSTER_LINK_DEGRADED ? ",\"cluster\":\"degraded\"" : ",\"cluster\":\"off\"");
    }
#endif
    skew__put(w, "}", 1);
}

SKEW_API size_t skew_write_health(const skew_tracker *t, char *buf, size_t cap) {
    skew__w w = skew__w_buf(buf, cap);
    skew__lock_ro(t);
    skew__put_health(t, &w);
    skew__unlock_ro(t);
    return skew__w_end(&w);
}

#if SKEW_ENABLE_ADMIN /* metrics text: an operator tool a firmware may leave out */

/* Prometheus label value: backslash, quote and newline escaped. */
SKEW__PRIV void skew__put_label(skew__w *w, skew_str s) {
    size_t i, run = 0;
    for (i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (c != '\\' && c != '"' && c != '\n') continue;
        skew__put(w, s.ptr + run, i - run);
        skew__puts(w, c == '\\' ? "\\\\" : c == '"' ? "\\\"" : "\\n");
        run = i + 1;
    }
    skew__put(w, s.ptr + run, s.len - run);
}

SKEW__PRIV void skew__put_metric(skew__w *w, const char *name, const char *type, const char *help, uint64_t v) {
    skew__puts(w, "# HELP "); skew__puts(w, name); skew__put(w, " ", 1); skew__puts(w, help);
    skew__puts(w, "\n# TYPE "); skew__puts(w, name); skew__put(w, " ", 1); skew__puts(w, type);
    skew__put(w, "\n", 1); skew__puts(w, name); skew__put(w, " ", 1); skew__put_u64(w, v);
    skew__put(w, "\n", 1);
}

SKEW__PRIV void skew__put_labelled(skew__w *w, const skew__strtab *tab, const char *name, const char *label, const char *help) {
    size_t i;
    skew__puts(w, "# HELP "); skew__puts(w, name); skew__put(w, " ", 1); skew__puts(w, help);
    skew__puts(w, "\n# TYPE "); skew__puts(w, name); skew__puts(w, " gauge\n");
    for (i = 0; i <= tab->used; i++) {
        uint32_t e = i == tab->used ? 0 : tab->live[i];
        if (!tab->counts[e]) continue;
        skew__puts(w, name); skew__put(w, "{", 1); skew__puts(w, label); skew__puts(w, "=\"");
        skew__put_label(w, skew__tab_str(tab, e));
        skew__puts(w, "\"} ");
        skew__put_u64(w, tab->counts[e]);
        skew__put(w, "\n", 1);
    }
}

SKEW__PRIV void skew__put_metrics(const skew_tracker *t, skew__w *wp) {
#define w (*wp)
    uint32_t pm = skew__rollout(t);
    char ratio[8];
    skew__put_metric(&w, "skew_connections", "gauge", "Tracked SSE and WebSocket connections.", t->live_count);
    skew__put_metric(&w, "skew_subscribers", "gauge", "Connections receiving live stats.", t->sub_count);
    skew__put_labelled(&w, &t->versions, "skew_connections_by_version", "version", "Tracked connections per build version.");
    if (t->cfg.route_tracking)
        skew__put_labelled(&w, &t->routes, "skew_connections_by_route", "route", "Tracked connections per route.");
    skew__puts(&w, "# HELP skew_rollout_ratio Share of connections on the current server version.\n"
                   "# TYPE skew_rollout_ratio gauge\nskew_rollout_ratio ");
    ratio[0] = (char)('0' + pm / 1000u);
    ratio[1] = '.';
    ratio[2] = (char)('0' + pm / 100u % 10u);
    ratio[3] = (char)('0' + pm / 10u % 10u);
    ratio[4] = (char)('0' + pm % 10u);
    ratio[5] = '\n';
    skew__put(&w, ratio, 6);
    skew__put_metric(&w, "skew_connections_opened_total", "counter", "Connections opened.", t->m.opened);
    skew__put_metric(&w, "skew_connections_closed_total", "counter", "Connections closed.", t->m.closed);
    skew__put_metric(&w, "skew_bots_rejected_total", "counter", "Bot requests refused.", t->m.bots_rejected);
    skew__put_metric(&w, "skew_refused_full_total", "counter", "Connections refused at the connection limit.", t->m.refused_full);
    skew__put_metric(&w, "skew_refused_per_ip_total", "counter", "Connections refused at the per-address limit.", t->m.refused_per_ip);
    skew__put_metric(&w, "skew_opened_reserved_total", "counter", "Dashboard connections opened in the stats reserve.", t->m.opened_reserved);
    skew__put_metric(&w, "skew_messages_sent_total", "counter", "Messages handed to the transport.", t->m.messages_sent);
    skew__put_metric(&w, "skew_bytes_sent_total", "counter", "JSON bytes handed to the transport.", t->m.bytes_sent);
    skew__put_metric(&w, "skew_slow_consumers_dropped_total", "counter", "Connections closed for unread output.", t->m.slow_dropped);
    skew__put_metric(&w, "skew_send_failures_total", "counter", "Connections closed because a send failed.", t->m.send_failed);
    skew__put_metric(&w, "skew_invalid_input_total", "counter", "Malformed client input ignored.", t->m.invalid_input);
    skew__put_metric(&w, "skew_stats_pushes_total", "counter", "Coalesced stats snapshots pushed.", t->m.stats_pushes);
#if SKEW_ENABLE_CLUSTER
    if (t->cl) skew__cl_put_metrics(t, &w);
#endif
#undef w
}

SKEW_API size_t skew_write_metrics(const skew_tracker *t, char *buf, size_t cap) {
    skew__w w = skew__w_buf(buf, cap);
    skew__lock_ro(t);
    skew__put_metrics(t, &w);
    skew__unlock_ro(t);
    return skew__w_end(&w);
}
#endif /* SKEW_ENABLE_ADMIN */

/* ======================================================================================
   >>http  router and request/response endpoints
   ====================================================================================== */

SKEW_API skew_endpoint skew_route_path(const skew_tracker *t, skew_str path) {
    skew_str rest;
    if (!t || !path.ptr || path.len < t->base_len || memcmp(path.ptr, t->base, t->base_len) != 0) return SKEW_ENDPOINT_NONE;
    rest = skew__str(path.ptr + t->base_len, path.len - t->base_len);
    if (rest.len && rest.ptr[0] != '/') return SKEW_ENDPOINT_NONE; /* "/__skewer" is not ours */
    {
        /* the paths of the endpoints from SKEW_ENDPOINT_SSE on, in the enum's order */
        static const char paths[] = "/sse\0/ws\0/route\0/subscribe-stats\0/health"
#if SKEW_ENABLE_ADMIN /* without it these paths are unknown: 404 */
                                    "\0/admin/stats\0/admin/version\0/admin/invalidate\0/metrics"
#endif
            ;
        const char *p;
        int ep = SKEW_ENDPOINT_SSE;
        for (p = paths; p < paths + sizeof paths; p += strlen(p) + 1, ep++)
            if (rest.len == strlen(p) && memcmp(rest.ptr, p, rest.len) == 0) return (skew_endpoint)ep;
    }
    return SKEW_ENDPOINT_UNKNOWN;
}

/* skew_route_path narrowed to the two stream endpoints (every open asks): the same answer */
SKEW__PRIV skew_transport skew__transport_of(const skew_tracker *t, skew_str path) {
#if SKEW_OPTIMIZE_SIZE
    skew_endpoint ep = skew_route_path(t, path);
    return ep == SKEW_ENDPOINT_SSE ? SKEW_TRANSPORT_SSE : ep == SKEW_ENDPOINT_WS ? SKEW_TRANSPORT_WS : (skew_transport)0;
#else
    const char *rest;
    size_t n;
    if (!path.ptr || path.len < t->base_len || memcmp(path.ptr, t->base, t->base_len) != 0) return (skew_transport)0;
    rest = path.ptr + t->base_len;
    n = path.len - t->base_len;
    if (n == 4 && memcmp(rest, "/sse", 4) == 0) return SKEW_TRANSPORT_SSE;
    if (n == 3 && memcmp(rest, "/ws", 3) == 0) return SKEW_TRANSPORT_WS;
    return (skew_transport)0;
#endif
}

/* Methods are case-sensitive (RFC 9110). */
SKEW__PRIV bool skew__method(const skew_request *req, const char *m) {
    return req->method.len == strlen(m) && memcmp(req->method.ptr, m, req->method.len) == 0;
}

SKEW_API skew_endpoint skew_route_request(const skew_tracker *t, const skew_request *req) {
    skew_endpoint ep;
    bool get;
    if (!t || !req) return SKEW_ENDPOINT_NONE;
    ep = skew_route_path(t, req->path);
    get = skew__method(req, "GET");
    if (req->upgrade) return ep == SKEW_ENDPOINT_WS && get ? SKEW_ENDPOINT_WS : SKEW_ENDPOINT_REJECT;
    if (ep == SKEW_ENDPOINT_NONE) return SKEW_ENDPOINT_NONE;
    if (ep == SKEW_ENDPOINT_SSE) return get ? SKEW_ENDPOINT_SSE : SKEW_ENDPOINT_REJECT;
    if (ep == SKEW_ENDPOINT_WS) return SKEW_ENDPOINT_REJECT; /* 426 from skew_http */
    return ep;
}

#if SKEW_ENABLE_HTTP
typedef struct skew__http {
    skew_response *resp;
    skew__w w;
} skew__answer;

/* Every JSON answer starts here; the caller writes the body. */
SKEW__PRIV void skew__json_head(skew__answer *h, int status) {
    h->resp->status = status;
    h->resp->content_type = "application/json";
}

SKEW__PRIV void skew__json_answer(skew__answer *h, int status, const char *json) {
    skew__json_head(h, status);
    skew__puts(&h->w, json);
}

SKEW__PRIV void skew__error_answer(skew__answer *h, int status, const char *error) {
    skew__json_head(h, status);
    skew__puts(&h->w, "{\"ok\":false,\"error\":");
    skew__put_json_str(&h->w, skew__cstr(error));
    skew__put(&h->w, "}", 1);
}

/* A field of a POST body: JSON object or form-encoded. Decoded into buf. */
SKEW__PRIV skew_result skew__body_field(skew_str body, const char *name, char *buf, size_t cap, size_t *n) {
    skew_str t = skew__trim(body), raw;
    while (t.len && (t.ptr[0] == '\r' || t.ptr[0] == '\n')) { t.ptr++; t.len--; }
    *n = 0;
    if (t.len && t.ptr[0] == '{') return skew_json_get_string(body, name, buf, cap, n);
    if (skew_get_query_param(body, name, &raw) != SKEW_OK) return SKEW_ERR_NOT_FOUND;
    return skew_url_decode(raw, true, buf, cap, n);
}


#if SKEW_ENABLE_ADMIN
/* admin/stats reads (STATS), metrics has its own scope, the rest acts (ADMIN). */
SKEW__PRIV skew_auth_result skew__admin_auth(skew_tracker *t, const skew_request *req, skew_endpoint ep) {
    skew_auth_scope scope = ep == SKEW_ENDPOINT_ADMIN_STATS ? SKEW_AUTH_SCOPE_STATS
                            : ep == SKEW_ENDPOINT_METRICS   ? SKEW_AUTH_SCOPE_METRICS
                                                            : SKEW_AUTH_SCOPE_ADMIN;
    if (!t->cfg.hooks.authorize) return SKEW_AUTH_RESULT_UNAVAILABLE;
    return t->cfg.hooks.authorize(t->cfg.hooks.user_data, req, scope);
}
#endif

/* The POST endpoints that name a connection: returns its slot or answers the error. */
SKEW__PRIV bool skew__post_conn(skew_tracker *t, skew__answer *h, const skew_request *req, uint32_t *idx) {
    char id[48];
    size_t n = 0;
    skew_result r = skew__body_field(req->body, "connectionId", id, sizeof id, &n);
    if (r == SKEW_ERR_NOT_FOUND || (r == SKEW_OK && n == 0)) {
        skew__error_answer(h, 400, "missing connectionId");
        return false;
    }
    if (r != SKEW_OK) {
        skew__error_answer(h, 400, r == SKEW_ERR_INVALID ? "invalid body" : "invalid connectionId");
        return false;
    }
    r = skew__find(t, skew__str(id, n), idx);
    if (r == SKEW_ERR_INVALID) {
        skew__error_answer(h, 400, "invalid connectionId");
        return false;
    }
    if (r != SKEW_OK) {
        skew__error_answer(h, 404, "unknown connectionId");
        return false;
    }
    return true;
}

/* The method and body size an endpoint accepts; false when it has answered the error. */
SKEW__PRIV bool skew__method_ok(const skew_tracker *t, const skew_request *req, skew__answer *h, skew_endpoint ep) {
    bool is_get = skew__method(req, "GET");
    switch (ep) {
    case SKEW_ENDPOINT_NONE:
    case SKEW_ENDPOINT_UNKNOWN:
    case SKEW_ENDPOINT_REJECT:
        skew__error_answer(h, 404, "not found");
        return false;
    case SKEW_ENDPOINT_SSE:
        if (!is_get) break;
        skew__error_answer(h, 400, "open SSE streams with skew_open");
        return false;
    case SKEW_ENDPOINT_WS:
        if (!is_get) break;
        skew__error_answer(h, 426, "upgrade required");
        h->resp->upgrade_required = true;
        return false;
    case SKEW_ENDPOINT_HEALTH:
    case SKEW_ENDPOINT_ADMIN_STATS:
    case SKEW_ENDPOINT_METRICS:
        /* HEAD answers like GET (the adapter sends no body); never on the stream endpoints */
        if (is_get || skew__method(req, "HEAD")) return true;
        h->resp->allow = "GET, HEAD";
        skew__error_answer(h, 405, "method not allowed");
        return false;
    default:
        if (!skew__method(req, "POST")) {
            h->resp->allow = "POST";
            skew__error_answer(h, 405, "method not allowed");
            return false;
        }
        if (req->body.len > t->cfg.max_body) { skew__error_answer(h, 413, "body too large"); return false; }
        return true;
    }
    h->resp->allow = "GET"; /* the stream endpoints */
    skew__error_answer(h, 405, "method not allowed");
    return false;
}

/* The POSTs a page sends about its own connection; false when ep is not one of them. */
SKEW__PRIV bool skew__serve_conn(skew_tracker *t, const skew_request *req, skew__answer *h, skew_endpoint ep) {
    uint32_t idx;
    size_t n = 0;
    skew_result r;
    if (ep != SKEW_ENDPOINT_ROUTE && ep != SKEW_ENDPOINT_SUBSCRIBE) return false;
    if (!skew__post_conn(t, h, req, &idx)) return true;
    if (ep == SKEW_ENDPOINT_SUBSCRIBE) {
        skew__subscribe(t, idx, req); /* stats or stats-unauthorized goes down the stream */
    } else {
        r = skew__body_field(req->body, "route", t->scratch, t->scratch_cap, &n);
        if (r == SKEW_ERR_NOT_FOUND) { skew__error_answer(h, 400, "missing route"); return true; }
        if (r == SKEW_OK) r = skew__set_route(t, idx, skew__str(t->scratch, n));
        if (r != SKEW_OK) { skew__error_answer(h, 400, "invalid route"); return true; }
    }
    skew__json_answer(h, 200, "{\"ok\":true}");
    return true;
}

#if SKEW_ENABLE_ADMIN
/* The admin endpoints, after the authorize hook; false when ep is not one of them. */
SKEW__PRIV bool skew__serve_admin(skew_tracker *t, const skew_request *req, skew__answer *h, skew_endpoint ep) {
    size_t n = 0, end = 0;
    skew_str prefix;
    skew_result r;
    if (ep != SKEW_ENDPOINT_ADMIN_STATS && ep != SKEW_ENDPOINT_METRICS && ep != SKEW_ENDPOINT_ADMIN_VERSION &&
        ep != SKEW_ENDPOINT_ADMIN_INVALIDATE)
        return false;
    switch (skew__admin_auth(t, req, ep)) {
    case SKEW_AUTH_RESULT_GRANTED: break;
    case SKEW_AUTH_RESULT_UNAVAILABLE: skew__error_answer(h, 503, "admin access is not configured"); return true;
    default: skew__error_answer(h, 401, "unauthorized"); return true;
    }
    switch (ep) {
    case SKEW_ENDPOINT_ADMIN_STATS:
        skew__json_head(h, 200);
        skew__write_stats(t, &h->w, false, t->cfg.max_listed, SKEW__NO_CUT, &end);
        skew__put_timeline_member(t, &h->w);
        skew__put(&h->w, "}", 1);
        return true;
    case SKEW_ENDPOINT_METRICS:
        skew__put_metrics(t, &h->w);
        h->resp->status = 200;
        h->resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
        return true;
    case SKEW_ENDPOINT_ADMIN_VERSION:
        r = skew__body_field(req->body, "version", t->scratch, t->scratch_cap, &n);
        if (r == SKEW_OK) r = skew__check_version(t, skew__str(t->scratch, n));
        if (r != SKEW_OK) { skew__error_answer(h, 400, "invalid version"); return true; }
        skew__set_version(t, skew__str(t->scratch, n));
        skew__json_head(h, 200);
        skew__puts(&h->w, "{\"ok\":true,\"version\":");
        skew__put_json_str(&h->w, skew__str(t->server_version, t->server_version_len));
        skew__puts(&h->w, ",\"notified\":");
        skew__put_u64(&h->w, t->live_count);
        skew__put(&h->w, "}", 1);
        return true;
    default: /* SKEW_ENDPOINT_ADMIN_INVALIDATE */
        if (!t->cfg.route_tracking) { skew__error_answer(h, 409, "route tracking is off"); return true; }
        r = skew__body_field(req->body, "route", t->scratch, t->scratch_cap, &n);
        if (r == SKEW_OK) r = skew_route_clean(skew__str(t->scratch, n), t->cfg.max_route_len, &prefix);
        if (r != SKEW_OK) { skew__error_answer(h, 400, "invalid route"); return true; }
        skew__json_head(h, 200);
        skew__puts(&h->w, "{\"ok\":true,\"notified\":");
        skew__put_u64(&h->w, skew__invalidate(t, prefix));
        skew__put(&h->w, "}", 1);
        return true;
    }
}
#endif

SKEW__PRIV void skew__serve(skew_tracker *t, const skew_request *req, skew__answer *h) {
    skew_endpoint ep = skew_route_path(t, req->path);
    if (req->upgrade && ep != SKEW_ENDPOINT_WS) { skew__error_answer(h, 404, "no WebSocket endpoint here"); return; }
    if (!skew__method_ok(t, req, h, ep)) return;
    if (ep == SKEW_ENDPOINT_HEALTH) {
        skew__json_head(h, 200);
        skew__put_health(t, &h->w);
        return;
    }
    if (skew__serve_conn(t, req, h, ep)) return;
#if SKEW_ENABLE_ADMIN
    if (skew__serve_admin(t, req, h, ep)) return;
#endif
    skew__error_answer(h, 404, "not found");
}

/* Both HTTP entry points start and finish here: body_len is what the answer needs (snprintf
   contract), and an answer that did not fit is TRUNCATED. */
SKEW__PRIV void skew__answer_begin(skew__answer *h, skew_response *resp, char *body, size_t cap) {
    memset(resp, 0, sizeof *resp);
    h->resp = resp;
    h->w = skew__w_buf(body, cap);
}

SKEW__PRIV skew_result skew__answer_end(skew__answer *h, size_t cap) {
    h->resp->body_len = skew__w_end(&h->w);
    return h->resp->body_len && h->resp->body_len >= cap ? SKEW_ERR_TRUNCATED : SKEW_OK;
}

/* Serve one request inside the tracker; true when it belongs to another instance (a 404 here
   that the cluster knows elsewhere), for SKEW_ERR_NOT_LOCAL. */
SKEW__PRIV bool skew__serve_entered(skew_tracker *t, const skew_request *req, skew__answer *h) {
    bool not_local = false;
    skew__enter(t);
    skew__serve(t, req, h);
#if SKEW_ENABLE_CLUSTER
    not_local = h->resp->status == 404 && skew__cl_not_local(t, req);
#endif
    skew__leave(t);
    return not_local;
}

SKEW_API skew_result skew_http(skew_tracker *t, const skew_request *req, skew_response *resp, char *body, size_t cap) {
    skew__answer h;
    bool not_local;
    skew_result r;
    if (!t || !req || !resp) return SKEW_ERR_INVALID;
    skew__answer_begin(&h, resp, body, cap);
    not_local = skew__serve_entered(t, req, &h);
    r = skew__answer_end(&h, cap);
    return not_local ? SKEW_ERR_NOT_LOCAL : r;
}

SKEW_API skew_result skew_http_sink(skew_tracker *t, const skew_request *req, skew_response *resp, skew_sink_fn sink,
                                    void *ctx) {
    skew__answer h;
    bool not_local;
    if (!t || !req || !resp || !sink) return SKEW_ERR_INVALID;
    skew__answer_begin(&h, resp, NULL, 0);
    h.w.sink = sink;
    h.w.ctx = ctx;
    not_local = skew__serve_entered(t, req, &h);
    resp->body_len = h.w.len;
    if (h.w.stopped) return SKEW_ERR_SEND;
    return not_local ? SKEW_ERR_NOT_LOCAL : SKEW_OK;
}

SKEW_API skew_result skew_http_open_error(const skew_tracker *t, const skew_request *req, skew_result open_result,
                                         skew_response *resp, char *body, size_t cap) {
    skew__answer h;
    bool ws;
    if (!t || !req || !resp) return SKEW_ERR_INVALID;
    skew__answer_begin(&h, resp, body, cap);
    ws = skew_route_path(t, req->path) == SKEW_ENDPOINT_WS;
    switch (open_result) {
    case SKEW_ERR_BOT:
        /* an EventSource does not reconnect after 204; a WebSocket client sees a refusal */
        if (ws) skew__error_answer(&h, 403, "bots are not tracked");
        else skew__json_head(&h, 204);
        break;
    case SKEW_ERR_FULL: skew__error_answer(&h, 503, "too many connections"); break;
    case SKEW_ERR_PER_IP: skew__error_answer(&h, 429, "too many connections"); break; /* from one address */
    case SKEW_ERR_STOPPING: skew__error_answer(&h, 503, "server shutting down"); break;
    case SKEW_ERR_INVALID: skew__error_answer(&h, 400, "invalid request"); break;
    default: skew__error_answer(&h, 500, skew_result_str(open_result)); break;
    }
    resp->close = true;
    return skew__answer_end(&h, cap);
}
#endif /* SKEW_ENABLE_HTTP */

/* ======================================================================================
   >>cluster  snapshots, the view of the other instances, relay helpers (issue 11)
   ====================================================================================== */
#if SKEW_ENABLE_CLUSTER

/* One other instance in the view. Its id and version are copied; its connection entries stay
   in the caller's text (checked whole on the way in) and are read again when written out. */
typedef struct skew__inst {
    uint64_t at;          /* the writer's clock */
    const char *conns;    /* its "connections" array, '[' to ']', or NULL */
    size_t conns_len;
    uint32_t tag, total, listed;
    uint32_t version_len, build_len;
    uint32_t id_len;
    char id[SKEW_CLUSTER_ID_MAX];
} skew__inst;

/* What one snapshot added to the view's tables, so a refusal half way can take it back. */
typedef struct skew__jent {
    uint32_t e;           /* entry; SKEW__CL_ROUTE set: in the routes table */
    uint32_t n;
} skew__jent;
#define SKEW__CL_ROUTE 0x80000000u

/* One whole view: the instances and the counts per name. There are two (skew__cluster.views):
   the one shown, and the one an update fills (begin..commit), swapped by the commit. */
typedef struct skew__cl_view {
    skew__inst *inst;
    char *inst_ver;       /* instance i's version at 2i * max_version_len, its build right after */
    uint32_t inst_count;
    skew__strtab versions, routes; /* the view's counts per name, hashed like the tracker's */
    uint64_t remote_total;
} skew__cl_view;

struct skew__cluster {
    char id[SKEW_CLUSTER_ID_MAX + 1];
    size_t id_len;
    char *base;           /* the cluster part of the tracker memory */
    skew__cl_view views[2];
    skew__cl_view *view;  /* the one shown (stats, metrics, peers) */
    skew__cl_view *stage; /* the one an update fills; shown only once committed */
    bool staging;         /* an update is begun and not yet committed or abandoned */
    uint64_t stage_refused; /* snapshots the staged update refused (counted at its commit) */
    char *build;          /* skew_config.build (copied); NULL: the server version */
    size_t build_len;
    uint32_t inst_cap;
    uint32_t *vstamp, *rstamp, stamp; /* which snapshot last named an entry: a key twice */
    skew__jent *journal;
    uint32_t journal_len, journal_cap;
    uint16_t *heap;       /* largest counts for a snapshot */
    char *scratch;        /* one entry's version, route and ip side by side, then a staged
                             version and build */
    uint64_t updates, rejected, updated_ms;
    uint64_t msg_rejected; /* skew_cluster_count_rejected */
    skew_cluster_link state;
    bool refusing;        /* the last update refused a snapshot (logged once per change) */
};

typedef struct skew__cl_layout {
    size_t head, build, inst[2], inst_ver[2], vstamp, rstamp, journal, heap, scratch, total;
    skew__tab_offsets vtab[2], rtab[2];
} skew__cl_layout;

SKEW__PRIV bool skew__cl_on(const skew_config *c) { return c->instance_id && c->instance_id[0]; }

/* Decoding room: one entry's version, route and ip (or an instance id) side by side, then the
   version and build of the snapshot being read, staged until it is taken. */
SKEW__PRIV size_t skew__cl_scratch_front(const skew_config *c) {
    return (size_t)c->max_version_len + 1 + (size_t)c->max_route_len + 1 + SKEW_IP_STR_MAX + SKEW_CLUSTER_ID_MAX;
}
SKEW__PRIV size_t skew__cl_scratch(const skew_config *c) { return skew__cl_scratch_front(c) + 2 * ((size_t)c->max_version_len + 1); }

SKEW__PRIV void skew__cl_layout_of(const skew_config *c, skew__cl_layout *L) {
    size_t total = 0, n = c->cluster_max_instances, vcap = (size_t)c->max_versions + 1;
    size_t rcap = c->route_tracking ? (size_t)c->max_routes + 1 : 1;
    size_t k = c->snapshot_max_versions > c->snapshot_max_routes ? c->snapshot_max_versions : c->snapshot_max_routes;
    int v;
    memset(L, 0, sizeof *L);
    if (!skew__cl_on(c)) return;
    L->head = total; total += SKEW__ALIGN(sizeof(struct skew__cluster));
    L->build = total; total += SKEW__ALIGN((size_t)c->max_version_len + 1);
    for (v = 0; v < 2; v++) { /* the view shown and the one an update fills */
        L->inst[v] = total; total += SKEW__ALIGN(n * sizeof(skew__inst));
        L->inst_ver[v] = total; total += SKEW__ALIGN(2 * n * c->max_version_len);
        if (n) {
            skew__tab_layout(vcap, c->max_version_len, &L->vtab[v], &total);
            skew__tab_layout(rcap, c->max_route_len, &L->rtab[v], &total);
        }
    }
    if (n) {
        L->vstamp = total; total += SKEW__ALIGN(vcap * sizeof(uint32_t));
        L->rstamp = total; total += SKEW__ALIGN(rcap * sizeof(uint32_t));
        L->journal = total; total += SKEW__ALIGN((vcap + rcap) * sizeof(skew__jent));
    }
    L->heap = total; total += SKEW__ALIGN(k * sizeof(uint16_t));
    L->scratch = total; total += SKEW__ALIGN(skew__cl_scratch(c));
    L->total = total;
}

SKEW__PRIV size_t skew__cl_memory(const skew_config *c) {
    skew__cl_layout L;
    skew__cl_layout_of(c, &L);
    return L.total;
}

SKEW__PRIV skew_result skew__cl_resolve(skew_config *c) {
    if (!c->snapshot_max_versions) c->snapshot_max_versions = c->max_versions < 32 ? c->max_versions : 32;
    if (!c->snapshot_max_routes) c->snapshot_max_routes = c->max_routes < 100 ? c->max_routes : 100;
    if (!c->snapshot_max_listed) c->snapshot_max_listed = c->max_listed;
    if (c->snapshot_max_versions > c->max_versions || c->snapshot_max_routes > c->max_routes ||
        c->snapshot_max_listed > c->max_listed ||
        c->instance_tag > SKEW_CLUSTER_TAG_MAX || c->cluster_max_instances > SKEW_CLUSTER_MAX_INSTANCES)
        return SKEW_ERR_CONFIG;
    if (skew__cl_on(c) &&
        (strlen(c->instance_id) > SKEW_CLUSTER_ID_MAX || !skew__clean_text(skew__cstr(c->instance_id))))
        return SKEW_ERR_CONFIG;
    if (c->build && (strlen(c->build) > c->max_version_len || !skew__clean_text(skew__cstr(c->build)))) return SKEW_ERR_CONFIG;
    return SKEW_OK;
}

/* The stats head grows by the instances list; the maps stay within the tracker's own caps. */
SKEW__PRIV size_t skew__cl_head_max(const skew_config *c) {
    if (!skew__cl_on(c)) return 0;
    return 64 + ((size_t)c->cluster_max_instances + 1) * (2 * SKEW_CLUSTER_ID_MAX + 4 * (size_t)c->max_version_len + 112);
}

/* ,"instance":"<id>" on each listed entry. */
SKEW__PRIV size_t skew__cl_entry_extra(const skew_config *c) {
    return skew__cl_on(c) ? 16 + strlen(c->instance_id) : 0;
}

/* Empty one view (its arrays: views[v] whichever role it plays now). */
SKEW__PRIV void skew__cl_tables(skew__cluster *cl, skew__cl_view *view, const skew_config *c) {
    skew__cl_layout L;
    int v = view == &cl->views[1] ? 1 : 0;
    skew__cl_layout_of(c, &L);
    view->inst = (skew__inst *)(void *)(cl->base + L.inst[v]);
    view->inst_ver = cl->base + L.inst_ver[v];
    view->inst_count = 0;
    view->remote_total = 0;
    cl->journal_len = 0;
    if (!cl->inst_cap) return;
    skew__tab_init(&view->versions, cl->base, &L.vtab[v], (size_t)c->max_versions + 1, c->max_version_len);
    skew__tab_init(&view->routes, cl->base, &L.rtab[v], c->route_tracking ? (size_t)c->max_routes + 1 : 1, c->max_route_len);
}

SKEW__PRIV void skew__cl_init(skew_tracker *t, char *mem) {
    const skew_config *c = &t->cfg;
    skew__cl_layout L;
    skew__cluster *cl;
    skew__cl_layout_of(c, &L);
    if (!L.total) return;
    cl = (skew__cluster *)(void *)(mem + L.head);
    memset(cl, 0, sizeof *cl);
    cl->base = mem;
    cl->id_len = strlen(c->instance_id);
    memcpy(cl->id, c->instance_id, cl->id_len + 1);
    t->cfg.instance_id = cl->id; /* copied: the caller's strings need not live on */
    if (c->build && c->build[0]) {
        cl->build = mem + L.build;
        cl->build_len = strlen(c->build);
        memcpy(cl->build, c->build, cl->build_len + 1);
        t->cfg.build = cl->build;
    } else {
        t->cfg.build = NULL;
    }
    cl->view = &cl->views[0];
    cl->stage = &cl->views[1];
    cl->inst_cap = c->cluster_max_instances;
    if (cl->inst_cap) {
        cl->vstamp = (uint32_t *)(void *)(mem + L.vstamp);
        cl->rstamp = (uint32_t *)(void *)(mem + L.rstamp);
        memset(cl->vstamp, 0, ((size_t)c->max_versions + 1) * sizeof(uint32_t));
        memset(cl->rstamp, 0, (c->route_tracking ? (size_t)c->max_routes + 1 : 1) * sizeof(uint32_t));
        cl->journal = (skew__jent *)(void *)(mem + L.journal);
        cl->journal_cap = c->max_versions + 1 + (c->route_tracking ? c->max_routes + 1 : 1);
    }
    cl->heap = (uint16_t *)(void *)(mem + L.heap);
    cl->scratch = mem + L.scratch;
    skew__cl_tables(cl, cl->view, c);
    skew__cl_tables(cl, cl->stage, c);
    t->cl = cl;
}

/* Ids made here carry the tag in their last 20 bits (byte 13's low nibble, bytes 14 and 15):
   the version nibble (byte 6) and variant bits (byte 8) stay, 102 random bits remain. */
SKEW__PRIV skew_cluster_link skew__cl_state(const skew_tracker *t) { return t->cl->state; }

SKEW__PRIV void skew__cl_tag_id(const skew_tracker *t, uint8_t id[16]) {
    uint32_t tag = t->cfg.instance_tag;
    id[13] = (uint8_t)((id[13] & 0xF0u) | ((tag >> 16) & 0x0Fu));
    id[14] = (uint8_t)(tag >> 8);
    id[15] = (uint8_t)tag;
}

/* This binary's build: skew_config.build, else the server version. */
SKEW__PRIV skew_str skew__cl_build(const skew_tracker *t) {
    return t->cl->build ? skew__str(t->cl->build, t->cl->build_len) : skew__str(t->server_version, t->server_version_len);
}

/* Instance i's stored version and build. */
SKEW__PRIV skew_str skew__cl_inst_ver(const skew_tracker *t, uint32_t i, bool build) {
    const skew__cl_view *view = t->cl->view;
    const char *p = view->inst_ver + (2 * (size_t)i + (build ? 1u : 0u)) * t->cfg.max_version_len;
    return skew__str(p, build ? view->inst[i].build_len : view->inst[i].version_len);
}

SKEW_API skew_result skew_get_id_tag(skew_str id, uint32_t *tag) {
    uint8_t b[16];
    if (tag) *tag = 0;
    if (!id.ptr || !skew__id_parse(id, b)) return SKEW_ERR_INVALID;
    if (tag) *tag = ((uint32_t)(b[13] & 0x0Fu) << 16) | ((uint32_t)b[14] << 8) | b[15];
    return SKEW_OK;
}

/* ---- encode --------------------------------------------------------------------------- */

SKEW__PRIV bool skew__cl_less(const skew__strtab *tab, uint16_t a, uint16_t b) { return tab->counts[a] < tab->counts[b]; }

SKEW__PRIV void skew__cl_sift_down(const skew__strtab *tab, uint16_t *heap, uint32_t n, uint32_t i) {
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        uint16_t tmp;
        if (l < n && skew__cl_less(tab, heap[l], heap[m])) m = l;
        if (r < n && skew__cl_less(tab, heap[r], heap[m])) m = r;
        if (m == i) return;
        tmp = heap[i]; heap[i] = heap[m]; heap[m] = tmp;
        i = m;
    }
}

/* A count map holding the k largest counts by name; the rest (and the table's own "(other)")
   summed into "(other)", first. A min-heap of k entries: O(n log k). */
SKEW__PRIV void skew__cl_put_top(const skew_tracker *t, skew__w *w, const skew__strtab *tab, uint32_t k) {
    uint16_t *heap = t->cl->heap;
    uint32_t i, n = 0;
    uint64_t all = tab->counts[0], kept = 0;
    bool first = true;
    if (tab->used <= k) {
        skew__put_map(tab, w);
        return;
    }
    for (i = 0; i < tab->used; i++) {
        uint16_t e = tab->live[i];
        all += tab->counts[e];
        if (n < k) {
            uint32_t j = n++;
            heap[j] = e;
            while (j && skew__cl_less(tab, heap[j], heap[(j - 1) / 2])) { /* sift up */
                uint16_t tmp = heap[j];
                heap[j] = heap[(j - 1) / 2];
                heap[(j - 1) / 2] = tmp;
                j = (j - 1) / 2;
            }
        } else if (k && tab->counts[e] > tab->counts[heap[0]]) {
            heap[0] = e;
            skew__cl_sift_down(tab, heap, n, 0);
        }
    }
    for (i = 0; i < n; i++) kept += tab->counts[heap[i]];
    skew__put(w, "{", 1);
    if (all > kept) {
        skew__put_json_str(w, skew__tab_str(tab, 0));
        skew__put(w, ":", 1);
        skew__put_u64(w, all - kept);
        first = false;
    }
    for (i = 0; i < n; i++) {
        if (!first) skew__put(w, ",", 1);
        first = false;
        skew__put_json_str(w, skew__tab_str(tab, heap[i]));
        skew__put(w, ":", 1);
        skew__put_u64(w, tab->counts[heap[i]]);
    }
    skew__put(w, "}", 1);
}

/* One local connection entry; instance: with ,"instance":"<id>" (stats), without (snapshot). */
SKEW__PRIV void skew__cl_put_local(const skew_tracker *t, skew__w *w, uint32_t idx, bool instance) {
    skew__put_entry_fields(t, w, idx);
    if (instance) {
        skew__puts(w, ",\"instance\":");
        skew__put_json_str(w, skew__str(t->cl->id, t->cl->id_len));
    }
    skew__put(w, "}", 1);
}

SKEW_API size_t skew_cluster_write_snapshot(const skew_tracker *t, uint64_t epoch_ms, char *buf, size_t cap) {
    return skew_cluster_write_snapshot_listed(t, epoch_ms, UINT32_MAX, buf, cap);
}

SKEW_API size_t skew_cluster_write_snapshot_listed(const skew_tracker *t, uint64_t epoch_ms, uint32_t max_listed,
                                                   char *buf, size_t cap) {
    skew__w w = skew__w_buf(buf, cap);
    size_t n;
    uint32_t i, listed;
    if (!t || !t->cl) return skew__w_end(&w);
    skew__lock_ro(t);
    skew__puts(&w, "{\"skew\":");
    skew__put_u64(&w, SKEW_CLUSTER_FORMAT);
    skew__puts(&w, ",\"id\":");
    skew__put_json_str(&w, skew__str(t->cl->id, t->cl->id_len));
    skew__puts(&w, ",\"tag\":");
    skew__put_u64(&w, t->cfg.instance_tag);
    skew__puts(&w, ",\"version\":");
    skew__put_json_str(&w, skew__str(t->server_version, t->server_version_len));
    skew__puts(&w, ",\"build\":");
    skew__put_json_str(&w, skew__cl_build(t));
    skew__puts(&w, ",\"at\":");
    skew__put_u64(&w, epoch_ms);
    skew__puts(&w, ",\"total\":");
    skew__put_u64(&w, t->live_count);
    skew__puts(&w, ",\"versions\":");
    skew__cl_put_top(t, &w, &t->versions, t->cfg.snapshot_max_versions);
    if (t->cfg.route_tracking) {
        skew__puts(&w, ",\"routes\":");
        skew__cl_put_top(t, &w, &t->routes, t->cfg.snapshot_max_routes);
    }
    skew__puts(&w, ",\"connections\":[");
    listed = t->live_count < t->cfg.snapshot_max_listed ? t->live_count : t->cfg.snapshot_max_listed;
    if (listed > max_listed) listed = max_listed;
    for (i = 0; i < listed; i++) {
        if (i) skew__put(&w, ",", 1);
        skew__cl_put_local(t, &w, t->live[i], false);
    }
    skew__puts(&w, "]}");
    n = skew__w_end(&w);
    skew__unlock_ro(t);
    return n;
}

/* The bound of a snapshot of config c, from the tracker's tables (not the snapshot_max_* caps),
   so a peer with bigger caps but the same tables is still read. Strings escape to at most twice
   their length (validated text only needs \" \\ and \u2028/9). */
SKEW__PRIV size_t skew__cl_snapshot_bound(const skew_config *c) {
    size_t v = 2 * (size_t)c->max_version_len, r = 2 * (size_t)c->max_route_len;
    size_t n = 256 + 2 * SKEW_CLUSTER_ID_MAX + v + ((size_t)c->max_versions + 1) * (v + 16);
    if (c->route_tracking) n += ((size_t)c->max_routes + 1) * (r + 16);
    return n + (size_t)c->max_listed * (64 + 36 + v + (c->route_tracking ? 12 + r : 0) + (c->ip_tracking ? 10 + SKEW_IP_STR_MAX : 0));
}

SKEW_API size_t skew_cluster_snapshot_max(const skew_config *cfg) {
    skew_config c;
    if (skew_config_resolve(cfg, &c) != SKEW_OK) return 0;
    return skew__cl_snapshot_bound(&c);
}

/* ---- decode: every check of a snapshot from another instance --------------------------- */

SKEW__PRIV int skew__cl_peek(const skew__jr *r) { return r->p < r->end ? *r->p : -1; }

/* A JSON string decoded into buf: false unless it is a string of at most max bytes of clean
   text (valid UTF-8, no control characters: what the tracker itself stores). */
SKEW__PRIV bool skew__cl_text(skew__jr *r, char *buf, size_t max, size_t *n) {
    skew__w w = skew__w_buf(buf, max + 1);
    const unsigned char *q;
    if (skew__cl_peek(r) != '"') return false;
    /* most strings have no escapes: copied in one go */
    for (q = r->p + 1; q < r->end && *q != '"' && *q != '\\' && *q >= 0x20; q++) {}
    if (q < r->end && *q == '"') {
        size_t len = (size_t)(q - r->p - 1);
        if (len > max) return false;
        memcpy(buf, r->p + 1, len);
        r->p = q + 1;
        *n = len;
        return skew__clean_text(skew__str(buf, len));
    }
    if (!skew__jr_string(r, &w) || w.len > max) return false;
    *n = w.len;
    return skew__clean_text(skew__str(buf, w.len));
}

/* The members of a snapshot's top-level object, like skew__json_members but in one pass: every
   value is either read by cb, which checks its grammar, or skipped by skew__jr_skip (bounded
   depth), so no separate validation pass is needed. */
SKEW__PRIV skew_result skew__cl_members(skew_str json, skew__member_fn cb, void *ctx) {
    skew__jr r;
    char kbuf[64];
    r.p = (const unsigned char *)json.ptr;
    r.end = r.p + json.len;
    skew__jr_ws(&r);
    if (skew__cl_peek(&r) != '{') return SKEW_ERR_INVALID;
    r.p++;
    skew__jr_ws(&r);
    if (skew__cl_peek(&r) == '}') r.p++;
    else
        for (;;) {
            skew__w kw = skew__w_buf(kbuf, sizeof kbuf);
            int took, c;
            skew__jr_ws(&r);
            if (skew__cl_peek(&r) != '"' || !skew__jr_string(&r, &kw)) return SKEW_ERR_INVALID;
            skew__jr_ws(&r);
            if (skew__cl_peek(&r) != ':') return SKEW_ERR_INVALID;
            r.p++;
            skew__jr_ws(&r);
            took = cb(ctx, skew__str(kbuf, kw.len < sizeof kbuf ? kw.len : 0), &r);
            if (took < 0 || (took == 0 && skew__jr_skip(&r) != SKEW_OK)) return SKEW_ERR_INVALID;
            skew__jr_ws(&r);
            c = skew__cl_peek(&r);
            if (c != ',' && c != '}') return SKEW_ERR_INVALID;
            r.p++;
            if (c == '}') break;
        }
    skew__jr_ws(&r);
    return r.p == r.end ? SKEW_OK : SKEW_ERR_INVALID;
}

/* A non-negative integer up to max: no sign, fraction, exponent or leading zero. */
SKEW__PRIV bool skew__cl_uint(skew__jr *r, uint64_t max, uint64_t *out) {
    uint64_t v = 0;
    const unsigned char *s = r->p;
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
        uint64_t d = (uint64_t)(*r->p - '0');
        /* no 64-bit division (a libgcc helper on 32-bit targets): overflow by comparison */
        if (v > 0x1999999999999999u || (v == 0x1999999999999999u && d > 5u)) return false;
        v = v * 10u + d;
        if (v > max) return false;
        r->p++;
    }
    if (r->p == s || (r->p - s > 1 && *s == '0')) return false;
    if (r->p < r->end && (*r->p == '.' || *r->p == 'e' || *r->p == 'E')) return false;
    *out = v;
    return true;
}

/* UUID text (36 chars, hex digits either case, dashes at 8/13/18/23): what skew__id_parse
   accepts, checked without decoding (every entry of every snapshot goes through here). */
SKEW__PRIV bool skew__cl_uuid(const char *s, size_t n) {
    size_t i;
    unsigned bad = 0;
    if (n != 36) return false;
    for (i = 0; i < 36; i++) {
        unsigned c = (unsigned char)s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) bad |= c ^ '-';
        else bad |= (c - '0' < 10u || (c | 0x20u) - 'a' < 6u) ? 0u : 1u;
    }
    return bad == 0;
}

/* One connection entry of a snapshot, decoded: version and route point into the scratch. */
typedef struct skew__cl_entry {
    char id[SKEW_ID_STR_MAX];
    skew_str version, route;
    skew_ip ip;
} skew__cl_entry;

/* The next entry of a connections array (r after '[' or after the previous entry): 1 got one,
   0 the array ended (r after ']'), -1 bad. */
SKEW__PRIV int skew__cl_next_entry(const skew_tracker *t, skew__jr *r, bool first, skew__cl_entry *e) {
    char *sv = t->cl->scratch, *sr = sv + t->cfg.max_version_len + 1, *sip = sr + t->cfg.max_route_len + 1;
    unsigned seen = 0;
    skew__jr_ws(r);
    if (skew__cl_peek(r) == ']') {
        r->p++;
        return 0;
    }
    if (!first) {
        if (skew__cl_peek(r) != ',') return -1;
        r->p++;
        skew__jr_ws(r);
    }
    if (skew__cl_peek(r) != '{') return -1;
    r->p++;
    memset(e, 0, sizeof *e);
    skew__jr_ws(r);
    if (skew__cl_peek(r) == '}') return -1; /* id and version are needed */
    for (;;) {
        char kb[16];
        size_t n = 0, klen;
        unsigned bit;
        const unsigned char *key_at;
        skew__jr_ws(r);
        key_at = r->p;
        if (!skew__cl_text(r, kb, sizeof kb - 1, &klen)) { /* keys we know are short and plain */
            r->p = key_at;
            if (!skew__jr_string(r, NULL)) return -1;
            klen = 0; /* some other key: skipped */
        }
        skew__jr_ws(r);
        if (skew__cl_peek(r) != ':') return -1;
        r->p++;
        skew__jr_ws(r);
#define SKEW__KEY(lit) (klen == sizeof(lit) - 1 && memcmp(kb, lit, klen) == 0)
        bit = SKEW__KEY("id") ? 1u : SKEW__KEY("version") ? 2u : SKEW__KEY("route") ? 4u : SKEW__KEY("ip") ? 8u : 0u;
#undef SKEW__KEY
        if (bit & seen) return -1;
        seen |= bit;
        if (bit == 1u) {
            if (!skew__cl_text(r, e->id, 36, &n) || !skew__cl_uuid(e->id, n)) return -1;
        } else if (bit == 2u) {
            if (!skew__cl_text(r, sv, t->cfg.max_version_len, &n) || !n) return -1;
            e->version = skew__str(sv, n);
        } else if (bit == 4u) {
            if (!skew__cl_text(r, sr, t->cfg.max_route_len, &n) || !n) return -1;
            /* a route as the tracker stores it: a path, or its "(other)" */
            if (sr[0] != '/' && (n != t->routes.lens[0] || memcmp(sr, t->routes.text, n) != 0)) return -1;
            e->route = skew__str(sr, n);
        } else if (bit == 8u) {
            if (!skew__cl_text(r, sip, SKEW_IP_STR_MAX - 1, &n) || skew_ip_parse(skew__str(sip, n), &e->ip) != SKEW_OK)
                return -1;
        } else if (skew__jr_skip(r) != SKEW_OK) {
            return -1;
        }
        skew__jr_ws(r);
        if (skew__cl_peek(r) == '}') {
            r->p++;
            return (seen & 3u) == 3u ? 1 : -1;
        }
        if (skew__cl_peek(r) != ',') return -1;
        r->p++;
    }
}

/* What skew_cluster_update learns from one snapshot before it commits it. */
typedef struct skew__cl_take {
    skew_tracker *t;
    skew__inst in;
    unsigned seen;
    uint64_t vsum, rsum;
} skew__cl_take;

enum {
    SKEW__CL_FORMAT = 1, SKEW__CL_ID = 2, SKEW__CL_TAG = 4, SKEW__CL_VERSION = 8, SKEW__CL_AT = 16,
    SKEW__CL_TOTAL = 32, SKEW__CL_VERSIONS = 64, SKEW__CL_ROUTES = 128, SKEW__CL_CONNS = 256, SKEW__CL_BUILD = 512
};
#define SKEW__CL_NEEDED (SKEW__CL_FORMAT | SKEW__CL_ID | SKEW__CL_TAG | SKEW__CL_VERSION | SKEW__CL_AT | SKEW__CL_TOTAL | SKEW__CL_VERSIONS)

/* A count map into the view's table, journaled. Refused: a key twice, a count of 0 or over
   2^24 in sum, more keys than the table has entries, a name the tracker would not store. */
SKEW__PRIV bool skew__cl_map(skew__cl_take *k, skew__jr *r, bool routes) {
    skew_tracker *t = k->t;
    skew__cluster *cl = t->cl;
    skew__strtab *tab = routes ? &cl->stage->routes : &cl->stage->versions;
    uint32_t *stamp = routes ? cl->rstamp : cl->vstamp;
    uint32_t seed = routes ? t->hash_seed ^ 0x9E3779B9u : t->hash_seed, keys = 0;
    size_t max = routes ? t->cfg.max_route_len : t->cfg.max_version_len;
    uint64_t sum = 0;
    bool other_seen = false;
    if (skew__cl_peek(r) != '{') return false;
    r->p++;
    if (++cl->stamp == 0) { /* wrapped: forget every old stamp */
        memset(cl->vstamp, 0, cl->stage->versions.cap * sizeof(uint32_t));
        memset(cl->rstamp, 0, cl->stage->routes.cap * sizeof(uint32_t));
        cl->stamp = 1;
    }
    skew__jr_ws(r);
    if (skew__cl_peek(r) == '}') {
        r->p++;
        goto done;
    }
    for (;;) {
        size_t n = 0;
        uint64_t v;
        uint32_t e;
        skew_str name;
        bool is_other;
        skew__jr_ws(r);
        if (!skew__cl_text(r, cl->scratch, max, &n) || !n) return false;
        name = skew__str(cl->scratch, n);
        is_other = n == tab->lens[0] && memcmp(name.ptr, tab->text, n) == 0;
        if (routes && !is_other && name.ptr[0] != '/') return false;
        skew__jr_ws(r);
        if (skew__cl_peek(r) != ':') return false;
        r->p++;
        skew__jr_ws(r);
        if (!skew__cl_uint(r, 1u << 24, &v) || v == 0 || (sum += v) > (1u << 24)) return false;
        if (++keys > tab->cap || cl->journal_len == cl->journal_cap) return false;
        if (is_other) {
            if (other_seen) return false;
            other_seen = true;
        } else {
            e = skew__tab_find(tab, name, skew__hash(seed, name));
            /* a key twice (one that folded into "(other)" in a full table goes unseen; the sum
               check still holds the totals) */
            if (e != SKEW__NONE && stamp[e] == cl->stamp) return false;
        }
        e = skew__tab_ref(tab, seed, name);
        tab->counts[e] += (uint32_t)v - 1u;
        if (e) stamp[e] = cl->stamp;
        cl->journal[cl->journal_len].e = e | (routes ? SKEW__CL_ROUTE : 0u);
        cl->journal[cl->journal_len].n = (uint32_t)v;
        cl->journal_len++;
        skew__jr_ws(r);
        if (skew__cl_peek(r) == ',') { r->p++; continue; }
        if (skew__cl_peek(r) == '}') { r->p++; break; }
        return false;
    }
done:
    if (routes) k->rsum = sum;
    else k->vsum = sum;
    return true;
}

/* Undo what the current snapshot added, newest first, so the tables are as before. */
SKEW__PRIV void skew__cl_rollback(skew__cluster *cl) {
    while (cl->journal_len) {
        skew__jent j = cl->journal[--cl->journal_len];
        skew__strtab *tab = (j.e & SKEW__CL_ROUTE) ? &cl->stage->routes : &cl->stage->versions;
        uint32_t e = j.e & ~SKEW__CL_ROUTE;
        tab->counts[e] -= j.n - 1u;
        skew__tab_unref(tab, e);
    }
}

SKEW__PRIV int skew__cl_member(void *ctx, skew_str key, skew__jr *r) {
    static const char *const names[] = {"skew", "id", "tag", "version", "at", "total", "versions", "routes", "connections", "build"};
    skew__cl_take *k = (skew__cl_take *)ctx;
    skew_tracker *t = k->t;
    unsigned i, bit;
    size_t n = 0;
    uint64_t v = 0;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (key.len == strlen(names[i]) && memcmp(key.ptr, names[i], key.len) == 0) break;
    if (i == sizeof names / sizeof names[0]) return 0; /* unknown members: a newer writer's */
    bit = 1u << i;
    if (k->seen & bit) return -1;
    k->seen |= bit;
    switch (bit) {
    case SKEW__CL_FORMAT:
        return skew__cl_uint(r, 0xFFFFu, &v) && v == SKEW_CLUSTER_FORMAT ? 1 : -1;
    case SKEW__CL_ID:
        if (!skew__cl_text(r, t->cl->scratch, SKEW_CLUSTER_ID_MAX, &n) || !n) return -1;
        memcpy(k->in.id, t->cl->scratch, n);
        k->in.id_len = (uint32_t)n;
        return 1;
    case SKEW__CL_TAG:
        if (!skew__cl_uint(r, SKEW_CLUSTER_TAG_MAX, &v)) return -1;
        k->in.tag = (uint32_t)v;
        return 1;
    case SKEW__CL_VERSION:
    case SKEW__CL_BUILD: { /* staged side by side until the snapshot is taken */
        char *staged = t->cl->scratch + skew__cl_scratch_front(&t->cfg) + (bit == SKEW__CL_BUILD ? t->cfg.max_version_len + 1 : 0);
        if (!skew__cl_text(r, staged, t->cfg.max_version_len, &n) || !n) return -1;
        if (bit == SKEW__CL_BUILD) k->in.build_len = (uint32_t)n;
        else k->in.version_len = (uint32_t)n;
        return 1;
    }
    case SKEW__CL_AT:
        if (!skew__cl_uint(r, UINT64_MAX, &k->in.at)) return -1;
        return 1;
    case SKEW__CL_TOTAL:
        if (!skew__cl_uint(r, 1u << 24, &v)) return -1;
        k->in.total = (uint32_t)v;
        return 1;
    case SKEW__CL_VERSIONS:
        return skew__cl_map(k, r, false) ? 1 : -1;
    case SKEW__CL_ROUTES:
        if (!t->cfg.route_tracking) return 0; /* not shown here: skipped */
        return skew__cl_map(k, r, true) ? 1 : -1;
    default: { /* connections */
        skew__cl_entry e;
        const unsigned char *start = r->p;
        int got;
        if (skew__cl_peek(r) != '[') return -1;
        r->p++;
        while ((got = skew__cl_next_entry(t, r, k->in.listed == 0, &e)) == 1)
            if (++k->in.listed > t->cfg.max_listed) return -1;
        if (got < 0) return -1;
        k->in.conns = (const char *)start;
        k->in.conns_len = (size_t)(r->p - start);
        return 1;
    }
    }
}

/* One snapshot into the view: 1 taken, 0 skipped (this instance's own), -1 refused. */
SKEW__PRIV int skew__cl_take_one(skew_tracker *t, skew_str snap) {
    skew__cluster *cl = t->cl;
    skew__cl_view *view = cl->stage;
    skew__cl_take k;
    uint32_t i;
    bool ok;
    memset(&k, 0, sizeof k);
    k.t = t;
    if (!cl->inst_cap || !snap.ptr || snap.len > skew__cl_snapshot_bound(&t->cfg)) return -1;
    if (view->remote_total > 0xFFFFFFFFu - (1u << 24)) return -1; /* the view's uint32 counts stay exact */
    ok = skew__cl_members(snap, skew__cl_member, &k) == SKEW_OK && (k.seen & SKEW__CL_NEEDED) == SKEW__CL_NEEDED &&
         k.vsum == k.in.total && (!(k.seen & SKEW__CL_ROUTES) || !t->cfg.route_tracking || k.rsum == k.in.total) &&
         k.in.listed <= k.in.total;
    if (ok && k.in.id_len == cl->id_len && memcmp(k.in.id, cl->id, cl->id_len) == 0) {
        skew__cl_rollback(cl);
        return 0;
    }
    for (i = 0; ok && i < view->inst_count; i++)
        if (view->inst[i].id_len == k.in.id_len && memcmp(view->inst[i].id, k.in.id, k.in.id_len) == 0) ok = false;
    if (!ok || view->inst_count == cl->inst_cap) {
        skew__cl_rollback(cl);
        return -1;
    }
    /* a peer without route tracking: its connections count under "(other)" so sums stay exact */
    if (t->cfg.route_tracking && !(k.seen & SKEW__CL_ROUTES)) view->routes.counts[0] += k.in.total;
    {
        char *dst = view->inst_ver + 2 * (size_t)view->inst_count * t->cfg.max_version_len;
        const char *staged = cl->scratch + skew__cl_scratch_front(&t->cfg);
        memcpy(dst, staged, k.in.version_len);
        if (!(k.seen & SKEW__CL_BUILD)) k.in.build_len = k.in.version_len; /* a writer without one */
        else staged += t->cfg.max_version_len + 1;
        memcpy(dst + t->cfg.max_version_len, staged, k.in.build_len);
    }
    view->inst[view->inst_count++] = k.in;
    view->remote_total += k.in.total;
    cl->journal_len = 0;
    return 1;
}

/* Only one update is staged at a time: beginning again drops the one not committed. */
SKEW_API skew_result skew_cluster_begin_update(skew_tracker *t) {
    if (!t) return SKEW_ERR_INVALID;
    skew__enter(t);
    if (!t->cl) {
        skew__leave(t);
        return SKEW_ERR_DISABLED;
    }
    skew__cl_tables(t->cl, t->cl->stage, &t->cfg);
    t->cl->staging = true;
    t->cl->stage_refused = 0;
    skew__leave(t);
    return SKEW_OK;
}

SKEW_API skew_result skew_cluster_add_snapshots(skew_tracker *t, const skew_str *snapshots, size_t n) {
    size_t i, refused = 0;
    if (!t || (n && !snapshots)) return SKEW_ERR_INVALID;
    skew__enter(t);
    if (!t->cl || !t->cl->staging) {
        skew__leave(t);
        return t->cl ? SKEW_ERR_NOT_FOUND : SKEW_ERR_DISABLED;
    }
    for (i = 0; i < n; i++)
        if (skew__cl_take_one(t, snapshots[i]) < 0) refused++;
    t->cl->stage_refused += refused;
    skew__leave(t);
    return refused ? SKEW_ERR_INVALID : SKEW_OK;
}

SKEW_API skew_result skew_cluster_commit_update(skew_tracker *t, uint64_t epoch_ms) {
    skew__cluster *cl;
    skew__cl_view *shown;
    skew_result res = SKEW_OK;
    if (!t) return SKEW_ERR_INVALID;
    skew__enter(t);
    cl = t->cl;
    if (!cl || !cl->staging) {
        skew__leave(t);
        return cl ? SKEW_ERR_NOT_FOUND : SKEW_ERR_DISABLED;
    }
    shown = cl->view; /* the swap: a reader sees the old view or the new one, whole */
    cl->view = cl->stage;
    cl->stage = shown;
    cl->staging = false;
    cl->updates++;
    cl->updated_ms = epoch_ms; /* wall clock: reported, never scheduled on */
    if (cl->stage_refused) {
        cl->rejected += cl->stage_refused;
        res = SKEW_ERR_INVALID;
        if (!cl->refusing) skew__log(t, SKEW_LOG_LEVEL_WARN, "skew: refused a cluster snapshot (invalid, duplicate or over the limits)");
    }
    cl->refusing = cl->stage_refused != 0;
    skew__changed(t);
    skew__leave(t);
    return res;
}

SKEW_API void skew_cluster_abort_update(skew_tracker *t) {
    if (!t) return;
    skew__enter(t);
    if (t->cl) t->cl->staging = false;
    skew__leave(t);
}

SKEW_API skew_result skew_cluster_update(skew_tracker *t, const skew_str *snapshots, size_t n, uint64_t epoch_ms) {
    skew_result res;
    if (!t || (n && !snapshots)) return SKEW_ERR_INVALID;
    res = skew_cluster_begin_update(t);
    if (res != SKEW_OK) return res;
    res = skew_cluster_add_snapshots(t, snapshots, n);
    if (res != SKEW_OK && res != SKEW_ERR_INVALID) return res;
    return skew_cluster_commit_update(t, epoch_ms);
}

SKEW_API void skew_cluster_clear(skew_tracker *t) {
    if (!t) return;
    skew__enter(t);
    if (t->cl) {
        skew__cl_tables(t->cl, t->cl->view, &t->cfg);
        t->cl->staging = false; /* an update begun before is dropped too */
        skew__changed(t);
    }
    skew__leave(t);
}

SKEW_API void skew_cluster_count_rejected(skew_tracker *t, uint32_t n) {
    if (!t) return;
    skew__enter(t);
    if (t->cl) t->cl->msg_rejected += n;
    skew__leave(t);
}

SKEW_API void skew_cluster_set_link(skew_tracker *t, skew_cluster_link state) {
    if (!t || (unsigned)state > (unsigned)SKEW_CLUSTER_LINK_DEGRADED) return;
    skew__enter(t);
    if (t->cl && t->cl->state != state) {
        t->cl->state = state;
        skew__changed(t);
    }
    skew__leave(t);
}

/* The view counts only while the link is up. */
SKEW__PRIV bool skew__cl_shown(const skew__cluster *cl) { return cl->state == SKEW_CLUSTER_LINK_OK && cl->inst_cap; }

SKEW_API void skew_cluster_get_info(const skew_tracker *t, skew_cluster_info *out) {
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!t) return;
    skew__lock_ro(t);
    out->total = t->live_count;
    if (t->cl) {
        out->state = t->cl->state;
        out->updates = t->cl->updates;
        out->rejected = t->cl->rejected;
        out->messages_rejected = t->cl->msg_rejected;
        out->updated_ms = t->cl->updated_ms;
        if (skew__cl_shown(t->cl)) {
            out->instances = t->cl->view->inst_count;
            out->total += t->cl->view->remote_total;
        }
    }
    skew__unlock_ro(t);
}

SKEW_API size_t skew_cluster_list_peers(const skew_tracker *t, skew_cluster_peer *out, size_t cap) {
    size_t i, n;
    if (!t || !t->cl) return 0;
    skew__lock_ro(t);
    n = t->cl->view->inst_count;
    for (i = 0; out && i < n && i < cap; i++) {
        const skew__inst *in = &t->cl->view->inst[i];
        out[i].id = skew__str(in->id, in->id_len);
        out[i].version = skew__cl_inst_ver(t, (uint32_t)i, false);
        out[i].build = skew__cl_inst_ver(t, (uint32_t)i, true);
        out[i].tag = in->tag;
        out[i].total = in->total;
        out[i].written_ms = in->at;
    }
    skew__unlock_ro(t);
    return n;
}

/* ---- output: stats, admin stats and metrics with the view ------------------------------ */

typedef void (*skew__cl_each_fn)(void *ctx, skew_str name, uint64_t count);

/* The local table plus the view's (rem NULL: none): "(other)" first when not zero, then the
   local names (with the view's count of the same name), then the view's other names while the
   local table has room; the rest count under "(other)". Sums stay exact, names stay bounded. */
/* Whether loc lists s (a pinned build no connection uses is in the index, not listed). */
SKEW__PRIV bool skew__cl_in(const skew__strtab *loc, skew_str s, uint32_t seed) {
    uint32_t e = skew__tab_find(loc, s, skew__hash(seed, s));
    return e != SKEW__NONE && loc->counts[e] != 0;
}

SKEW__PRIV void skew__cl_merged(const skew__strtab *loc, const skew__strtab *rem, uint32_t seed, skew__cl_each_fn fn, void *ctx) {
    uint32_t room = loc->cap - 1u - loc->used, i, k = 0;
    uint64_t other = loc->counts[0] + (rem ? (uint64_t)rem->counts[0] : 0);
    for (i = 0; rem && i < rem->used; i++) {
        skew_str s = skew__tab_str(rem, rem->live[i]);
        if (skew__cl_in(loc, s, seed)) continue;
        if (k < room) k++;
        else other += rem->counts[rem->live[i]];
    }
    if (other) fn(ctx, skew__tab_str(loc, 0), other);
    for (i = 0; i < loc->used; i++) {
        skew_str s = skew__tab_str(loc, loc->live[i]);
        uint32_t e = rem ? skew__tab_find(rem, s, skew__hash(seed, s)) : SKEW__NONE;
        fn(ctx, s, (uint64_t)loc->counts[loc->live[i]] + (e != SKEW__NONE ? rem->counts[e] : 0));
    }
    for (k = 0, i = 0; rem && i < rem->used && k < room; i++) {
        skew_str s = skew__tab_str(rem, rem->live[i]);
        if (skew__cl_in(loc, s, seed)) continue;
        fn(ctx, s, rem->counts[rem->live[i]]);
        k++;
    }
}

typedef struct skew__cl_mapw {
    skew__w *w;
    bool first;
} skew__cl_mapw;

SKEW__PRIV void skew__cl_map_entry(void *ctx, skew_str name, uint64_t count) {
    skew__cl_mapw *m = (skew__cl_mapw *)ctx;
    if (!m->first) skew__put(m->w, ",", 1);
    m->first = false;
    skew__put_json_str(m->w, name);
    skew__put(m->w, ":", 1);
    skew__put_u64(m->w, count);
}

SKEW__PRIV void skew__cl_put_map(const skew_tracker *t, skew__w *w, bool routes) {
    skew__cl_mapw m;
    bool shown = skew__cl_shown(t->cl);
    m.w = w;
    m.first = true;
    skew__put(w, "{", 1);
    if (routes) skew__cl_merged(&t->routes, shown ? &t->cl->view->routes : NULL, t->hash_seed ^ 0x9E3779B9u, skew__cl_map_entry, &m);
    else skew__cl_merged(&t->versions, shown ? &t->cl->view->versions : NULL, t->hash_seed, skew__cl_map_entry, &m);
    skew__put(w, "}", 1);
}

SKEW__PRIV uint64_t skew__cl_age(uint64_t now, uint64_t at) { return now > at ? now - at : 0; }

SKEW__PRIV void skew__cl_put_instance(skew__w *w, skew_str id, skew_str version, skew_str build, uint64_t total,
                                       uint64_t age, bool self) {
    skew__puts(w, "{\"id\":");
    skew__put_json_str(w, id);
    skew__puts(w, ",\"version\":");
    skew__put_json_str(w, version);
    skew__puts(w, ",\"build\":");
    skew__put_json_str(w, build);
    skew__puts(w, ",\"total\":");
    skew__put_u64(w, total);
    skew__puts(w, ",\"ageMs\":");
    skew__put_u64(w, age);
    skew__puts(w, self ? ",\"self\":true}" : ",\"self\":false}");
}

static const char *const skew__cl_state_names[] = {"off", "ok", "degraded"};

/* The entry just written does not fit what a push must still append: take it back. */
#define SKEW__CL_CUT(before) \
    (reserve != SKEW__NO_CUT && !w->sink && w->len + reserve + 1 > w->cap ? (w->len = (before), true) : false)

/* Entries [from, to) of one instance's list, while the whole list stays under max_listed.
   false: the buffer is full (the list ends). */
SKEW__PRIV bool skew__cl_put_remote(const skew_tracker *t, skew__w *w, const skew__inst *in, uint32_t from, uint32_t to,
                                    uint32_t max_listed, size_t reserve, uint32_t *listed) {
    skew__jr r;
    skew__cl_entry e;
    uint32_t k = 0;
    if (!in->conns) return true;
    r.p = (const unsigned char *)in->conns + 1;
    r.end = (const unsigned char *)in->conns + in->conns_len;
    for (; k < to && *listed < max_listed && skew__cl_next_entry(t, &r, k == 0, &e) == 1; k++) {
        size_t before = w->len;
        if (k < from) continue;
        if (*listed) skew__put(w, ",", 1);
        skew__puts(w, "{\"id\":\"");
        skew__put(w, e.id, 36);
        skew__puts(w, "\",\"version\":");
        skew__put_json_str(w, e.version);
        if (t->cfg.route_tracking && e.route.len) {
            skew__puts(w, ",\"route\":");
            skew__put_json_str(w, e.route);
        }
        if (t->cfg.ip_tracking && e.ip.family) {
            char ip[SKEW_IP_STR_MAX];
            skew__puts(w, ",\"ip\":\"");
            skew__put(w, ip, skew_ip_format(&e.ip, ip, sizeof ip));
            skew__put(w, "\"", 1);
        }
        skew__puts(w, ",\"instance\":");
        skew__put_json_str(w, skew__str(in->id, in->id_len));
        skew__put(w, "}", 1);
        if (SKEW__CL_CUT(before)) return false;
        (*listed)++;
    }
    return true;
}

/* skew__write_stats for a tracker with an instance_id: the same shape plus "instances" and
   "cluster" before the list, and the view's entries after the local ones. */
SKEW__PRIV void skew__cl_write_stats(const skew_tracker *t, skew__w *w, bool with_type, uint32_t max_listed,
                                     size_t reserve, size_t *list_end) {
    const skew__cluster *cl = t->cl;
    bool shown = skew__cl_shown(cl);
    uint32_t i, j, pass, quota, listed = 0, n = t->live_count < max_listed ? t->live_count : max_listed;
    uint64_t now = skew__now(t);
    skew__puts(w, with_type ? "{\"type\":\"stats\",\"total\":" : "{\"total\":");
    skew__put_u64(w, (uint64_t)t->live_count + (shown ? cl->view->remote_total : 0));
    skew__puts(w, ",\"versions\":");
    skew__cl_put_map(t, w, false);
    if (t->cfg.route_tracking) {
        skew__puts(w, ",\"routes\":");
        skew__cl_put_map(t, w, true);
    }
    skew__puts(w, ",\"instances\":[");
    skew__cl_put_instance(w, skew__str(cl->id, cl->id_len), skew__str(t->server_version, t->server_version_len),
                          skew__cl_build(t), t->live_count, 0, true);
    for (i = 0; shown && i < cl->view->inst_count; i++) {
        const skew__inst *in = &cl->view->inst[i];
        skew__put(w, ",", 1);
        skew__cl_put_instance(w, skew__str(in->id, in->id_len), skew__cl_inst_ver(t, i, false), skew__cl_inst_ver(t, i, true),
                              in->total, skew__cl_age(now, in->at), false);
    }
    skew__puts(w, "],\"cluster\":\"");
    skew__puts(w, skew__cl_state_names[cl->state]);
    skew__puts(w, "\",\"connections\":[");
    /* every instance gets a fair share of the list first, then the rest fills it in order:
       max_listed entries show connections of every instance, not just the first ones */
    quota = max_listed / (1u + (shown ? cl->view->inst_count : 0u));
    if (!quota) quota = 1;
    for (pass = 0; pass < 2 && listed < max_listed; pass++) {
        uint32_t from = pass ? quota : 0, to = pass ? max_listed : quota;
        for (i = from; i < n && i < to && listed < max_listed; i++) {
            size_t before = w->len;
            if (listed) skew__put(w, ",", 1);
            skew__cl_put_local(t, w, t->live[i], true);
            if (SKEW__CL_CUT(before)) goto end;
            listed++;
        }
        for (j = 0; shown && j < cl->view->inst_count && listed < max_listed; j++)
            if (!skew__cl_put_remote(t, w, &cl->view->inst[j], from, to, max_listed, reserve, &listed)) goto end;
    }
end:
    skew__put(w, "]", 1);
    *list_end = w->len;
}
#undef SKEW__CL_CUT

#if SKEW_ENABLE_ADMIN
typedef struct skew__cl_metw {
    skew__w *w;
    const char *name, *label;
} skew__cl_metw;

SKEW__PRIV void skew__cl_metric_entry(void *ctx, skew_str name, uint64_t count) {
    skew__cl_metw *m = (skew__cl_metw *)ctx;
    skew__puts(m->w, m->name);
    skew__put(m->w, "{", 1);
    skew__puts(m->w, m->label);
    skew__puts(m->w, "=\"");
    skew__put_label(m->w, name);
    skew__puts(m->w, "\"} ");
    skew__put_u64(m->w, count);
    skew__put(m->w, "\n", 1);
}

SKEW__PRIV void skew__cl_metric_head(skew__w *w, const char *name, const char *type, const char *help) {
    skew__puts(w, "# HELP "); skew__puts(w, name); skew__put(w, " ", 1); skew__puts(w, help);
    skew__puts(w, "\n# TYPE "); skew__puts(w, name); skew__put(w, " ", 1); skew__puts(w, type);
    skew__put(w, "\n", 1);
}

SKEW__PRIV void skew__cl_metric_instance(skew__w *w, const char *name, skew_str id, const skew_str *version,
                                          const skew_str *build, uint64_t v) {
    skew__puts(w, name);
    skew__puts(w, "{instance=\"");
    skew__put_label(w, id);
    if (version) {
        skew__puts(w, "\",version=\"");
        skew__put_label(w, *version);
        skew__puts(w, "\",build=\"");
        skew__put_label(w, *build);
    }
    skew__puts(w, "\"} ");
    skew__put_u64(w, v);
    skew__put(w, "\n", 1);
}

/* The cluster series after the local ones (those keep their meaning: this instance alone). */
SKEW__PRIV void skew__cl_put_metrics(const skew_tracker *t, skew__w *w) {
    const skew__cluster *cl = t->cl;
    bool shown = skew__cl_shown(cl);
    uint64_t now = skew__now(t);
    skew__cl_metw m;
    skew_str self_id = skew__str(cl->id, cl->id_len), self_ver = skew__str(t->server_version, t->server_version_len);
    skew_str self_build = skew__cl_build(t);
    uint32_t i;
    skew__put_metric(w, "skew_cluster_up", "gauge", "1 while the cluster view is current, else 0.",
                     cl->state == SKEW_CLUSTER_LINK_OK ? 1u : 0u);
    skew__put_metric(w, "skew_cluster_instances", "gauge", "Instances shown, this one included.", 1u + (shown ? cl->view->inst_count : 0u));
    skew__put_metric(w, "skew_cluster_connections", "gauge", "Tracked connections of the instances shown.",
                     (uint64_t)t->live_count + (shown ? cl->view->remote_total : 0));
    m.w = w;
    m.name = "skew_cluster_connections_by_version";
    m.label = "version";
    skew__cl_metric_head(w, m.name, "gauge", "Tracked connections of the instances shown, per build version.");
    skew__cl_merged(&t->versions, shown ? &cl->view->versions : NULL, t->hash_seed, skew__cl_metric_entry, &m);
    if (t->cfg.route_tracking) {
        m.name = "skew_cluster_connections_by_route";
        m.label = "route";
        skew__cl_metric_head(w, m.name, "gauge", "Tracked connections of the instances shown, per route.");
        skew__cl_merged(&t->routes, shown ? &cl->view->routes : NULL, t->hash_seed ^ 0x9E3779B9u, skew__cl_metric_entry, &m);
    }
    skew__cl_metric_head(w, "skew_cluster_instance_connections", "gauge", "Tracked connections per instance, its server version and its build.");
    skew__cl_metric_instance(w, "skew_cluster_instance_connections", self_id, &self_ver, &self_build, t->live_count);
    for (i = 0; shown && i < cl->view->inst_count; i++) {
        skew_str v = skew__cl_inst_ver(t, i, false), b = skew__cl_inst_ver(t, i, true);
        skew__cl_metric_instance(w, "skew_cluster_instance_connections", skew__str(cl->view->inst[i].id, cl->view->inst[i].id_len), &v,
                                 &b, cl->view->inst[i].total);
    }
    skew__cl_metric_head(w, "skew_cluster_instance_age_ms", "gauge", "Age of each instance's last snapshot.");
    skew__cl_metric_instance(w, "skew_cluster_instance_age_ms", self_id, NULL, NULL, 0);
    for (i = 0; shown && i < cl->view->inst_count; i++)
        skew__cl_metric_instance(w, "skew_cluster_instance_age_ms", skew__str(cl->view->inst[i].id, cl->view->inst[i].id_len), NULL,
                                 NULL, skew__cl_age(now, cl->view->inst[i].at));
    skew__put_metric(w, "skew_cluster_snapshots_rejected_total", "counter", "Snapshots of other instances refused as invalid.", cl->rejected);
    skew__put_metric(w, "skew_cluster_messages_rejected_total", "counter", "Other bad data from the cluster store, skipped.", cl->msg_rejected);
    skew__put_metric(w, "skew_cluster_updates_total", "counter", "Cluster view updates.", cl->updates);
}
#endif /* SKEW_ENABLE_ADMIN */

/* ---- relay helpers ----------------------------------------------------------------------- */
#if SKEW_ENABLE_HTTP
SKEW_API skew_result skew_get_post_connection_id(skew_str body, char id[SKEW_ID_STR_MAX]) {
    char buf[48];
    uint8_t bin[16];
    size_t n = 0;
    skew_result r;
    id[0] = '\0';
    r = skew__body_field(body, "connectionId", buf, sizeof buf, &n);
    if (r == SKEW_ERR_NOT_FOUND || (r == SKEW_OK && n == 0)) return SKEW_ERR_NOT_FOUND;
    if (r != SKEW_OK || !skew__id_parse(skew__str(buf, n), bin)) return SKEW_ERR_INVALID;
    memcpy(id, buf, 36);
    id[36] = '\0';
    return SKEW_OK;
}

/* After skew__serve answered 404: was it a per-connection POST for a well-formed id that this
   instance does not hold? (Then another instance may hold it: the adapter relays.) */
SKEW__PRIV bool skew__cl_not_local(skew_tracker *t, const skew_request *req) {
    char id[SKEW_ID_STR_MAX];
    uint32_t idx;
    skew_endpoint ep;
    if (!t->cl || !skew__method(req, "POST") || req->body.len > t->cfg.max_body) return false;
    ep = skew_route_path(t, req->path);
    if (ep != SKEW_ENDPOINT_ROUTE && ep != SKEW_ENDPOINT_SUBSCRIBE) return false;
    return skew_get_post_connection_id(req->body, id) == SKEW_OK && skew__find(t, skew__str(id, 36), &idx) == SKEW_ERR_NOT_FOUND;
}
#endif /* SKEW_ENABLE_HTTP */
#endif /* SKEW_ENABLE_CLUSTER */

#ifdef __cplusplus
}
#endif
#endif /* SKEW_TRACKER_IMPLEMENTATION */

/*
This software is available under 2 licenses -- choose whichever you prefer.
------------------------------------------------------------------------------
ALTERNATIVE A - MIT License
Copyright (c) 2026 the skew_tracker authors
Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:
The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
------------------------------------------------------------------------------
ALTERNATIVE B - Public Domain (www.unlicense.org)
This is free and unencumbered software released into the public domain.
Anyone is free to copy, modify, publish, use, compile, sell, or distribute this
software, either in source code form or as a compiled binary, for any purpose,
commercial or non-commercial, and by any means.
In jurisdictions that recognize copyright laws, the author or authors of this
software dedicate any and all copyright interest in the software to the public
domain. We make this dedication for the benefit of the public at large and to
the detriment of our heirs and successors. We intend this dedication to be an
overt act of relinquishment in perpetuity of all present and future rights to
this software under copyright law.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN
ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
------------------------------------------------------------------------------
*/
