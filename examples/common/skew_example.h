/* skew_example.h - what the example servers share that is not protocol logic.

   Both example servers (examples/lws and examples/mongoose) take every protocol decision from
   skew_tracker.h; what they have in common besides lives here, once:

     - options      the command line, parsed into skew_ex_options and mapped onto skew_config
     - auth         the authorize hook: skew_auth.h (scopes, tokens, sessions, origins, audit)
     - signals      SIGINT/SIGTERM set a flag the event loop polls; SIGPIPE is ignored
     - log          a quiet-by-default logger, also usable as skew_hooks.log
     - site         the built-in pages (embedded at build time by embed.c) and static files
                    from --root: safe path join, content types, the version cookie, the
                    headers sent with them (skew_site.h)
     - build        the build id of a Nuxt build under --root, followed live
     - server       the policy: a base struct, start-up, the timer's sweeps and wait, shutdown,
                    admin answers, the fd limit, the cluster start
     - small helpers: clocks, JSON error bodies, the first-run token and start-up line
     - defences     skew_ex_server.defences: what the servers' defences refused or ended, one
                    skew_ex_defence_bump() per event, appended to every 200 of {base}/metrics
                    by skew_ex_http (skew_defence.h); --ip-header (skew_ip_header.h)

   A server does, in this order:
       typedef struct server { skew_ex_server ex; ...its own... } server;
       skew_ex_server_hooks(&srv.ex, &hooks, my_send, my_on_close);
       if (!skew_ex_start(&srv.ex, "skew_server_xyz", argc, argv, &hooks)) return srv.ex.exit_code;
       skew_ex_tune_fd_limit(...); listen; skew_ex_cluster_start(...) with --redis;
       skew_ex_signals_install();
       loop: wait = skew_ex_server_tick(&srv.ex, ping_sweep, liveness_sweep);
             stop when skew_ex_shutdown_done(&srv.ex, skew_ex_mono_ms())

   Nothing here allocates after start-up (skew_ex_site_init renders the pages once) except
   skew_ex_http's buffer for a large answer. Single-threaded like the servers; the only global
   state is the signal flag and the log level. POSIX (needs _POSIX_C_SOURCE >= 200809L). */
#ifndef SKEW_EXAMPLE_H
#define SKEW_EXAMPLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>

#include "skew_tracker.h"
#include "skew_cluster.h"
#include "skew_options.h"
#include "skew_defence.h"
#include "skew_auth.h"
#include "skew_tls.h"
#include "skew_lifecycle.h"
#include "skew_log.h"
#include "skew_config_file.h"
#include "skew_person.h"
#include "skew_forward.h"
#include "skew_site.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================================
   >>options  command line
   ====================================================================================== */

#define SKEW_EX_DEFAULT_HOST "127.0.0.1"
#define SKEW_EX_DEFAULT_PORT 8000
#define SKEW_EX_DEFAULT_BUILD_ID "dev"
#define SKEW_EX_DEFAULT_BASE "/__skew"
#define SKEW_EX_DEFAULT_MAX_OUTPUT (1024u * 1024u)
#define SKEW_EX_COOKIE_NAME_MAX 128  /* --version-cookie: the tracker's bound too */

typedef enum skew_ex_verbosity {
    SKEW_EX_QUIET = 0,    /* errors only (the default) */
    SKEW_EX_NORMAL = 1,   /* --verbose once: start-up, connections opened/closed */
    SKEW_EX_VERBOSE = 2   /* --verbose twice: per-request detail, library debug output */
} skew_ex_verbosity;

/* The parsed command line. Every pointer points into argv, the environment or a literal. */
typedef struct skew_ex_options {
    const char *host;            /* --host (127.0.0.1) */
    uint16_t port;               /* --port (8000); 0 picks a free port */
    const char *build_id;        /* --build-id (dev): the server version */
    bool build_id_set;           /* --build-id given (else --root may supply it: >>build) */
    const char *base;            /* --base (/__skew); no trailing slash */
    char base_buf[256];          /* --base's value without its trailing slashes */
    const char *admin_token;     /* the admin token skew_auth read (or run_token); NULL: admin off */
    char run_token[33];          /* a token made for this run (skew_ex_make_run_token), or "" */
    bool route_tracking;         /* --route-tracking */
    bool ip_tracking;            /* --ip-tracking */
    skew_ip_policy ip_policy;    /* --trust-proxy CIDR...; no flag: loopback only */
    uint8_t ip_headers;          /* --ip-header (SKEW_IP_HDR_* bits; 0: all): skew_ip_header.h */
    bool trust_given;            /* a --trust-proxy was seen (the first replaces the default) */
    bool stats_interval_set;     /* --stats-interval-ms given */
    uint32_t stats_interval_ms;  /* its value; 0 means SKEW_STATS_IMMEDIATE */
    uint32_t keepalive_ms;       /* --keepalive-ms; 0: tracker default (30000) */
    uint32_t sse_probe_ms[SKEW_SSE_PROBES_MAX]; /* --sse-probe-ms; {0}: none */
    bool no_sse_eof_check;       /* --test-no-sse-eof-check: tests of --sse-probe-ms alone */
    uint32_t max_connections;    /* --max-connections; 0: tracker default (1024) */
    bool max_per_ip_set;         /* --max-connections-per-ip given */
    uint32_t max_per_ip;         /* its value; 0: no cap (else it applies to loopback too) */
    const char *root;            /* --root DIR; NULL: built-in pages at "/" */
    size_t max_output_bytes;     /* --max-output-bytes (1 MiB): unsent output per connection */
    int verbosity;               /* skew_ex_verbosity: --quiet / --verbose (repeatable) */
    uint32_t timeline_samples;   /* --timeline-samples (SKEW_TIMELINE_DEFAULT_SAMPLES); 0: none */
    uint32_t timeline_period_ms; /* --timeline-period-ms; 0: tracker default (10000) */
    const char *version_cookie;  /* --version-cookie NAME; NULL: tracker default (__nkpv) */
    bool https;                  /* TLS is on (skew_tls.h; set by skew_ex_start): https:// links */
} skew_ex_options;


/* Defaults only (no environment). */
void skew_ex_options_defaults(skew_ex_options *o);
/* The server's own flags as an option group (skew_options.h); ctx is o. Its defaults read
   $SKEW_ADMIN_TOKEN. */
skew_ex_opt_group skew_ex_server_opt_group(skew_ex_options *o);
/* Parse argv against the server's own flags only (--help prints them). */
skew_ex_args_result skew_ex_parse_args(skew_ex_options *o, int argc, char **argv, const char *prog);
/* The --help text for these groups. */
void skew_ex_usage(FILE *out, const char *prog, const skew_ex_opt_group *groups, size_t ngroups);
/* Map options onto a tracker configuration (fields the options do not cover are left alone;
   hooks are not touched except log, which is set to skew_ex_log_hook). */
void skew_ex_apply_config(const skew_ex_options *o, skew_config *cfg);
/* Build the tracker for the options with the adapter's send/open/close/authorize hooks (log is
   skew_ex_log_hook). On a bad configuration it prints "PROG: invalid configuration: ..." and
   returns false. */
bool skew_ex_create_tracker(const skew_ex_options *o, const skew_hooks *hooks, const char *prog, skew_tracker **out);
/* First run: with no admin token given and stdout a terminal, a random token for this run
   (admin_token then points to run_token); else nothing changes. Returns true when it made one. */
bool skew_ex_make_run_token(skew_ex_options *o, bool interactive);
/* The one start-up line on stdout: the URL and the dashboard's. A token made for this run rides
   in the link's fragment (#token=...), which browsers never send to a server or in a Referer;
   a token the operator gave is never printed. */
void skew_ex_print_banner(FILE *out, const skew_ex_options *o, const char *prog, unsigned port);
/* How often a server sweeps its connections for dead peers: keepalive/2, within 250..5000 ms. */
uint32_t skew_ex_sweep_ms(uint32_t keepalive_ms);

/* ======================================================================================
   >>auth  the authorize hook
   ====================================================================================== */

/* A server's hooks.authorize is skew_auth_check on its skew_ex_server's auth (skew_auth.h). */

/* ======================================================================================
   >>signals
   ====================================================================================== */

/* SIGINT and SIGTERM set the stop flag (a second one exits at once with status 1);
   SIGPIPE is ignored. Handlers are installed without SA_RESTART so a blocking poll()
   returns with EINTR. */
void skew_ex_signals_install(void);
bool skew_ex_stop_requested(void);
/* Set the flag from code (tests, an admin action). */
void skew_ex_request_stop(void);

/* ======================================================================================
   >>log
   ====================================================================================== */

typedef enum skew_ex_log_level { SKEW_EX_LOG_ERROR = 0, SKEW_EX_LOG_INFO = 1, SKEW_EX_LOG_DEBUG = 2 } skew_ex_log_level;

void skew_ex_log_set_verbosity(int verbosity);
bool skew_ex_log_enabled(skew_ex_log_level level);
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
void skew_ex_logf(skew_ex_log_level level, const char *fmt, ...);
/* Usable as skew_hooks.log (user_data ignored). */
void skew_ex_log_hook(void *user_data, skew_log_level level, const char *msg);
/* One info line per tracked connection that opens or closes (shown from --verbose on); the
   first is usable as skew_hooks.on_open (user_data ignored). */
void skew_ex_log_open(void *user_data, const skew_conn *sc);
void skew_ex_log_close(const skew_conn *sc, skew_close_reason reason);

/* ======================================================================================
   >>util  clocks, addresses, JSON errors
   ====================================================================================== */

/* Milliseconds since the Unix epoch (the wall clock; the tracker reads its own for the wire). */
uint64_t skew_ex_now_ms(void);
/* Monotonic milliseconds: skew_tick()'s scheduling clock and the adapter's own timeouts. */
uint64_t skew_ex_mono_ms(void);

/* {"ok":false,"error":"<msg>"} with msg JSON-escaped; snprintf contract. */
size_t skew_ex_json_error(char *buf, size_t cap, const char *msg);

/* ======================================================================================
   >>site  built-in pages and static files: skew_site.h
   ====================================================================================== */

/* The limits a server reads from its tracker once at start. */
typedef struct skew_ex_limits {
    size_t max_body;                 /* POST body bytes the tracker reads */
    uint32_t keepalive_ms;           /* SSE keepalive in force */
    uint32_t sweep_ms;               /* dead-peer sweep period (skew_ex_sweep_ms) */
} skew_ex_limits;


/* ======================================================================================
   >>build  the build id of a Nuxt build under --root
   ====================================================================================== */

/* `nuxt generate` writes _nuxt/builds/latest.json ({"id":"<build id>","timestamp":...}). With
   --root and without --build-id the server's version is that id: read at start, and again
   whenever the file changes (a deploy), which sends {"type":"version"} to every client.
   skew_ex_start calls skew_ex_build_sync once; servers call skew_ex_build_poll from their timer
   (it checks at most every SKEW_EX_BUILD_POLL_MS) and skew_ex_html_cookie for every HTML
   answer (it checks first, so a cookie never names another build than the files served). */
#define SKEW_EX_BUILD_POLL_MS 1000u
#define SKEW_EX_BUILD_FILE "_nuxt/builds/latest.json"
#define SKEW_EX_BUILD_FILE_MAX 4096u /* latest.json is ~60 bytes; a bigger one is not it */

/* Before the tracker exists: read the build file once and, when it names a build, make it the
   options' build_id (pointing into site->build.start_id), so the tracker, the cluster
   registration and the start line all carry it from the first moment (not "dev"). */
void skew_ex_build_first(skew_ex_site *site, skew_ex_options *o);
/* Look at the build file now (--root: the root is resolved again first); on a change, read it
   and set the server version (and site->build.announce). */
void skew_ex_build_sync(skew_ex_site *site, skew_tracker *t);
/* skew_ex_build_sync at most every SKEW_EX_BUILD_POLL_MS (monotonic ms). */
void skew_ex_build_poll(skew_ex_site *site, skew_tracker *t, uint64_t mono_ms);
/* The version cookie for an HTML answer, after skew_ex_build_sync: latest.json's id when it
   gives the build (even after an admin/version call named another version), else the server
   version. Returns false when no cookie may be set: the files' build is unknown (latest.json
   unreadable or gone) or the cookie does not fit in cap. */
bool skew_ex_html_cookie(skew_ex_site *site, skew_tracker *t, char *buf, size_t cap);

/* ======================================================================================
   >>server  the policy both servers share: start-up, timer, shutdown, admin answers, fd limit
   ====================================================================================== */

#define SKEW_EX_WS_MESSAGE_MAX 8192u     /* longest client WS message kept; longer ones are dropped */
#define SKEW_EX_MISSED_PONGS_MAX 2u      /* pings unanswered before a WS peer is dropped */
#define SKEW_EX_STALL_INTERVALS 3u       /* keepalive intervals of pending output without progress */
#define SKEW_EX_SHUTDOWN_GRACE_MS 3000u  /* how long close 1001 / SSE ends may take at exit */
#define SKEW_EX_SIGNAL_POLL_MS 500u      /* the loop never sleeps longer (stop flag check) */
#define SKEW_EX_STOPPING_POLL_MS 20u     /* nor longer than this while it waits for closes */

/* The part of a server that is the same in both: the first member of each server's struct, so
   hooks.user_data (the server) is also a skew_ex_server. */
typedef struct skew_ex_server {
    const char *prog;                /* the binary's name in messages */
    skew_ex_options opt;
    skew_ex_site site;
    skew_tracker *t;
    skew_ex_limits lim;              /* read from the tracker at start */
    skew_cluster_options copt;       /* cluster: --redis and friends */
    skcl_node *node;                 /* cluster: NULL without --redis */
    skew_auth_state auth;                /* tokens, sessions, origins (skew_auth.h) */
    char set_cookie[256];            /* skew_ex_http: a Set-Cookie for its answer, or "" */
    skew_tls tls;                    /* --tls-cert/--tls-key (skew_tls.h) */
    skew_ex_life life;               /* readiness, drain, sd_notify, --build-id-file (skew_lifecycle.h) */
    skew_person person;              /* the app's own admins: sessions, JWTs (skew_person.h) */
    skew_forward fwd;                /* --auth-url: ask the app (skew_forward.h) */
    uint32_t open_conns;             /* what the server holds open (its own count) */
    skew_ex_defences defences;       /* what the defences did (skew_defence.h): /metrics */
    bool stopping;
    uint64_t stop_deadline;          /* monotonic ms */
    uint64_t next_ping, next_sweep;  /* monotonic ms */
    int exit_code;                   /* skew_ex_start returned false: exit with this */
} skew_ex_server;

/* The hooks every server sets: user_data = s, its own send and on_close, the shared open log
   and authorize (skew_auth_check on s->auth). */
void skew_ex_server_hooks(skew_ex_server *s, skew_hooks *hooks,
                          skew_result (*send)(void *user_data, const skew_conn *conn, const char *msg, size_t len),
                          void (*on_close)(void *user_data, const skew_conn *conn, skew_close_reason reason));

/* What every server does first: cluster options, argv, the tracker with the adapter's hooks
   (rebuilt for the cluster with --redis), its limits, the site and the first build check.
   false: exit with s->exit_code (0 after --help, 2 for a bad option, configuration or --root),
   nothing left to free. On true the ping and sweep timers start now. */
bool skew_ex_start(skew_ex_server *s, const char *prog, int argc, char **argv, const skew_hooks *hooks);

/* With --redis: join the cluster (skcl_node_create with user = s, the server). loop: the
   server's libev loop, or NULL with a wake function (see skcl_node_create). false: a message
   was printed, exit 2. */
bool skew_ex_cluster_start(skew_ex_server *s, struct ev_loop *loop, skcl_link_wake_fn wake, skcl_node_respond_fn respond,
                           skcl_node_kick_fn kick);

/* A sweep the timer runs (s is the server's first member). */
typedef void (*skew_ex_sweep_fn)(skew_ex_server *s, uint64_t mono);

/* The server's periodic work, in this order: the stop flag, WS pings every keepalive, the
   liveness sweep, the --root build poll, then skew_tick last (so what the sweeps changed is in
   its delay). Returns the ms until it wants to run again: the soonest of the tracker, the
   sweeps and the cluster link, within 1..SKEW_EX_SIGNAL_POLL_MS (..SKEW_EX_STOPPING_POLL_MS
   while stopping). */
uint32_t skew_ex_server_tick(skew_ex_server *s, skew_ex_sweep_fn ping, skew_ex_sweep_fn liveness);

/* SIGTERM: the graceful drain (skew_ex_drain_begin): new streams refused at once, the open ones
   closed (WS 1001, SSE ends) spread over --drain-ms, then the cluster left. */
void skew_ex_begin_shutdown(skew_ex_server *s);
/* Stopping, the drain over, every connection closed (or the grace time over), the cluster left. */
bool skew_ex_shutdown_done(const skew_ex_server *s, uint64_t mono);

/* skew_http for a server: the cluster hears of admin changes; an answer too large for small
   is asked for again into *big (malloc, the caller frees) for GET and HEAD only, since a POST's
   side effects must happen once. SKEW_OK: the answer is in *r with body (small or *big).
   SKEW_ERR_NOT_LOCAL: relay it, or send the 404 in *r. SKEW_ERR_TRUNCATED or SKEW_ERR_NOMEM:
   answer 500. A 200 of {base}/metrics gets s->defences appended (skew_defence.h). */
/* Also: login/logout and the cross-site refusals (skew_auth_http) first, with s->set_cookie
   set for the answer; the audit after; skew_auth's lines appended to /metrics. */
skew_result skew_ex_http(skew_ex_server *s, const skew_request *req, skew_response *r, char *small, size_t cap,
                         char **big);
/* The answer to a failed skew_open (bot 204/403, full 503, stopping 503, ...) in *r and body;
   a body longer than cap - 1 bytes is cut there. */
void skew_ex_open_error(skew_ex_server *s, const skew_request *req, skew_result res, skew_response *r, char *body,
                        size_t cap);
/* The reason phrase of an HTTP status line (a generic one for a status without its own). */
const char *skew_ex_status_reason(int status);
/* Is this a HEAD request (headers only)? */
bool skew_ex_is_head(const skew_request *req);

/* Set the soft fd limit to max_connections + 1024 (room for HTTP requests): raised up to the
   hard limit, with an error when that is too low, and lowered from a huge one (Debian's lws
   4.1.6 is a debug build that scans its whole fd table, RLIMIT_NOFILE entries, per accept;
   an epoll loop needs no more either). */
void skew_ex_tune_fd_limit(uint32_t max_connections);

#ifdef __cplusplus
}
#endif
#endif /* SKEW_EXAMPLE_H */
