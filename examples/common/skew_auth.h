/* skew_auth.h - who may read stats, act as admin, or scrape metrics, in both example servers.

   The tracker asks its authorize hook (skew_hooks.authorize) with a scope; this module answers:

     scopes         STATS (live stats subscription, GET {base}/admin/stats, the dashboard's view),
                    ADMIN (admin/version, admin/invalidate), METRICS (GET {base}/metrics)
     credentials    the admin token (every scope), the stats token (STATS), the metrics token
                    (METRICS), a --metrics-allow CIDR matched against the socket peer (METRICS),
                    a dashboard session (the scopes of the token it was made from), and, at the
                    marked place, the person credentials of skew_person.c
     carriers       "Authorization: Bearer T" (scripts), cookie skew_admin=T (a client's own), the
                    HttpOnly cookie skew_session=ID that {base}/admin/login hands out
     secrets        from a file (--admin-token-file ...), the environment (SKEW_ADMIN_TOKEN ...) or,
                    with a warning (ps shows it), argv; SIGHUP reads every file again
     cross-site     a cookie credential counts only from the same origin (Origin, Sec-Fetch-Site;
                    --allowed-origin widens it); admin POSTs take application/json only
     audit          every admin action and every stats decision on a presented credential is
                    logged with who, whatever the verbosity; denials are counted per method

   Single-threaded like the servers: all state lives in one skew_auth_state (in skew_ex_server), the
   SIGHUP flag is the only global. Memory: the session table and the stats bindings are fixed
   arrays inside it (about 34 KB); nothing is allocated. */
#ifndef SKEW_AUTH_H
#define SKEW_AUTH_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "skew_tracker.h"
#include "skew_options.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SKEW_AUTH_SECRET_MAX 512        /* longest token read from a file or the environment */
#define SKEW_AUTH_ORIGINS_MAX 16        /* --allowed-origin values */
#define SKEW_AUTH_CIDRS_MAX 16          /* --metrics-allow values */
#define SKEW_AUTH_SESSIONS_MAX 64       /* dashboard sessions alive at once (oldest evicted) */
#define SKEW_AUTH_SESSION_TTL_S 43200u  /* a dashboard session lasts 12 h */
#define SKEW_AUTH_BINDINGS_MAX 1024     /* stats subscriptions followed for revocation */
#define SKEW_AUTH_HOOKS_MAX 8           /* reload hooks (skew_auth_on_reload) */
#define SKEW_AUTH_SESSION_COOKIE "skew_session"
#define SKEW_AUTH_ADMIN_COOKIE "skew_admin"
#define SKEW_AUTH_WHO_MAX 64

/* Which credential granted (the audit's "who" and what a revocation ends). */
typedef enum skew_auth_cred {
    SKEW_AUTH_CRED_NONE = 0,
    SKEW_AUTH_CRED_ADMIN,       /* the admin token */
    SKEW_AUTH_CRED_STATS,       /* the stats token */
    SKEW_AUTH_CRED_METRICS,     /* the metrics token */
    SKEW_AUTH_CRED_CIDR,        /* --metrics-allow */
    SKEW_AUTH_CRED_SESSION,     /* a dashboard session */
    SKEW_AUTH_CRED_PERSON       /* skew_person.c */
} skew_auth_cred;

/* How a denied request presented itself: the label of /metrics' skew_auth_denied_total. */
typedef enum skew_auth_method {
    SKEW_AUTH_M_BEARER = 0,     /* a wrong Authorization */
    SKEW_AUTH_M_COOKIE,         /* a wrong skew_admin cookie */
    SKEW_AUTH_M_SESSION,        /* an unknown, expired or revoked session */
    SKEW_AUTH_M_ORIGIN,         /* a cookie credential from a foreign origin */
    SKEW_AUTH_M_CONTENT_TYPE,   /* an admin POST that is not application/json (415) */
    SKEW_AUTH_M_LOGIN,          /* a wrong token given to {base}/admin/login */
    SKEW_AUTH_M_CIDR,           /* metrics: a peer outside --metrics-allow, no token */
    SKEW_AUTH_M_NONE,           /* no credential at all (admin endpoints, metrics) */
    SKEW_AUTH_M_PERSON,         /* a session cookie or JWT of the app refused (skew_person.c);
                                   the forward auth's refusals: skew_forward_requests_total */
    SKEW_AUTH_M_COUNT
} skew_auth_method;

/* One secret: where it comes from and its current value. */
typedef struct skew_auth_secret {
    const char *name;                   /* "admin-token": the audit's who */
    const char *env;                    /* SKEW_ADMIN_TOKEN */
    const char *argv_value;             /* --admin-token's value, or NULL */
    const char *file;                   /* --admin-token-file's path, or NULL */
    char value[SKEW_AUTH_SECRET_MAX + 1];
    size_t len;                         /* 0: not configured */
    uint32_t generation;                /* bumped whenever the value changes (rotation) */
} skew_auth_secret;

typedef struct skew_auth_session {
    char id[65];                        /* 64 hex chars from /dev/urandom; "" = free */
    skew_auth_cred from;                /* ADMIN or STATS: the token exchanged */
    uint32_t generation;                /* that token's generation at login */
    uint64_t created_ms, expires_ms;    /* monotonic */
    uint32_t serial;                    /* the audit's "session #N" */
} skew_auth_session;

/* A stats grant followed so that a revocation can end it. */
typedef struct skew_auth_binding {
    skew_handle h;                      /* 0: free */
    skew_auth_cred cred;
    uint32_t generation;                /* the credential's generation at the grant */
    uint32_t session;                   /* SESSION: its serial */
} skew_auth_binding;

typedef void (*skew_auth_reload_fn)(void *ctx);

typedef struct skew_auth_state {
    skew_auth_secret admin, stats, metrics;
    skew_cidr metrics_allow[SKEW_AUTH_CIDRS_MAX];
    size_t metrics_allow_count;
    const char *origins[SKEW_AUTH_ORIGINS_MAX]; /* --allowed-origin, into argv */
    size_t origin_count;
    const skew_ip_policy *trust;        /* who may say X-Forwarded-Host/Proto (the server's) */
    const char *base;                   /* {base}: the session cookie's Path */
    bool tls;                           /* the listener speaks TLS: cookies get Secure */
    skew_auth_session sessions[SKEW_AUTH_SESSIONS_MAX];
    skew_auth_binding bindings[SKEW_AUTH_BINDINGS_MAX];
    uint64_t denied[SKEW_AUTH_M_COUNT];
    uint64_t granted, reloads, sessions_opened, revoked;
    uint32_t session_serial;
    uint64_t last_sweep_ms;
    /* the last STATS grant, bound to its connection by skew_auth_bind_* */
    skew_auth_cred pending;
    uint32_t pending_gen;
    size_t pending_slot;                /* the binding reserved for it */
    uint32_t pending_session;           /* its session's serial */
    char who[SKEW_AUTH_WHO_MAX];        /* the last decision's who, for the admin audit line */
    skew_auth_reload_fn hooks[SKEW_AUTH_HOOKS_MAX];
    void *hook_ctx[SKEW_AUTH_HOOKS_MAX];
    size_t hook_count;
    const char *prog;
} skew_auth_state;

/* The flags as an option group (skew_options.h); ctx is a. Its defaults read the environment. */
skew_ex_opt_group skew_auth_opt_group(skew_auth_state *a);
/* After parsing (which read the secrets). run_token: a token made for this run
   (used as the admin token when none was given), or NULL. false: a message was printed. */
bool skew_auth_init(skew_auth_state *a, const char *prog, const char *base, const skew_ip_policy *trust,
                    const char *run_token);
/* Is any admin token configured (the banner's question)? */
bool skew_auth_has_admin(const skew_auth_state *a);

/* The authorize hook's answer. who (cap bytes) names the credential that decided. t (may be
   NULL) is the tracker the grant is for: a STATS grant reserves a binding there so a later
   revocation can end it (no room: DENIED). HOOK-SAFE (calls skew_get_conn only). */
skew_auth_result skew_auth_check(skew_auth_state *a, skew_tracker *t, const skew_request *req, skew_auth_scope scope, char *who,
                          size_t who_cap);

/* Is a cookie-carried credential acceptable from where this request comes from? True when the
   request has neither Origin nor Sec-Fetch-Site (not a browser), or names this origin (Host, or
   X-Forwarded-Host/-Proto from a trusted proxy) or an --allowed-origin. For every cookie
   credential, person ones (skew_person.c) too. */
bool skew_auth_origin_ok(const skew_auth_state *a, const skew_request *req);

/* Constant-time equality of a presented value and a secret (time depends on secret_len only). */
bool skew_auth_ct_equal(const char *given, size_t given_len, const char *secret, size_t secret_len);

/* The hook's side of revocation: a stats grant is pending after skew_auth_check; bind it to the
   connection that got it. */
void skew_auth_bind(skew_auth_state *a, skew_tracker *t, skew_handle h);
void skew_auth_clear_pending(skew_auth_state *a);

/* What skew_ex_http asks before the tracker answers: login and logout (answered here),
   a foreign origin on a cookie credential (403), an admin POST that is not JSON (415).
   Returns true when it answered: *r, body (cap bytes), set_cookie (a Set-Cookie value or ""). */
bool skew_auth_http(skew_auth_state *a, skew_tracker *t, const skew_request *req, skew_response *r, char *body, size_t cap,
                    char *set_cookie, size_t cookie_cap);
/* After the tracker answered: bind a subscribe-stats grant, audit an admin action. */
void skew_auth_after_http(skew_auth_state *a, skew_tracker *t, const skew_request *req, const skew_response *r);
/* The module's /metrics lines (snprintf contract). */
size_t skew_auth_metrics_text(const skew_auth_state *a, char *buf, size_t cap);

/* SIGHUP: skew_auth_signals_install() sets a flag; skew_auth_tick() (the server's timer) runs
   the reload when it is set, and ends expired sessions. */
void skew_auth_signals_install(void);
void skew_auth_tick(skew_auth_state *a, skew_tracker *t, uint64_t mono_ms);
/* Read every secret file again, run the reload hooks, end what a rotation revoked; logs one
   line. Returns false when a file could not be read (the old value stays). */
bool skew_auth_reload(skew_auth_state *a, skew_tracker *t);
/* Other modules' secrets reload with ours (e.g. skew_person.c's key files). false: list full. */
bool skew_auth_on_reload(skew_auth_state *a, skew_auth_reload_fn fn, void *ctx);

/* Where audit lines go: NULL (the default) writes "[skew audit] TIME line" to stderr; the
   servers point it at their logger (skew_log.c: timestamp, level "audit", instance id, JSON). */
extern void (*skew_auth_audit_sink)(const char *line);
/* The audit log: always written, whatever --quiet says. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
void skew_auth_audit(const skew_auth_state *a, const char *fmt, ...);

#ifdef __cplusplus
}
#endif
#endif /* SKEW_AUTH_H */
