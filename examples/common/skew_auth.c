/* skew_auth.c - scopes, credentials, sessions, cross-site checks and the audit. See skew_auth.h. */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "skew_auth.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SKEW_AUTH__STR(x) #x
#define SKEW_AUTH__XSTR(x) SKEW_AUTH__STR(x)

static uint64_t skew_auth__mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ======================================================================================
   >>compare  constant time
   ====================================================================================== */

bool skew_auth_ct_equal(const char *given, size_t given_len, const char *secret, size_t secret_len) {
    /* runs over the secret's length whatever was given: the time tells nothing about where a
       guess differs, nor how long it is */
    unsigned char diff = (unsigned char)(given_len != secret_len);
    volatile unsigned char result;
    size_t i, n = given_len < secret_len ? given_len : secret_len;
    if (secret_len == 0) return false;
    for (i = 0; i < n; i++) diff |= (unsigned char)((unsigned char)given[i] ^ (unsigned char)secret[i]);
    for (; i < secret_len; i++) diff |= (unsigned char)(0xFFu ^ (unsigned char)secret[i]) | 1u; /* same work */
    result = diff; /* an OR over every byte, no early exit; read back through volatile */
    return result == 0;
}

static bool skew_auth__str_is(skew_str s, const char *lit) {
    size_t n = strlen(lit), i;
    if (s.len != n) return false;
    for (i = 0; i < n; i++) {
        char c = s.ptr[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != lit[i]) return false;
    }
    return true;
}

static skew_str skew_auth__trim(skew_str s) {
    while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t')) s.ptr++, s.len--;
    while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t')) s.len--;
    return s;
}

/* ======================================================================================
   >>audit
   ====================================================================================== */

void (*skew_auth_audit_sink)(const char *line);

void skew_auth_audit(const skew_auth_state *a, const char *fmt, ...) {
    va_list ap;
    char msg[1024];
    int n = snprintf(msg, sizeof msg, "%s: ", a && a->prog ? a->prog : "skew");
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof msg) vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    if (skew_auth_audit_sink) {
        skew_auth_audit_sink(msg); /* the server's logger: timestamp, instance, --log-format */
    } else {
        char when[32];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        fprintf(stderr, "[skew audit] %s %s\n", when, msg);
    }
}

/* A request's peer as text for the audit. */
static void skew_auth__peer(const skew_request *req, char *buf, size_t cap) {
    if (!req || !req->peer.family || skew_ip_format(&req->peer, buf, cap) >= cap) snprintf(buf, cap, "-");
}

/* Untrusted text for a log line: printable ASCII, at most 64 bytes. */
static void skew_auth__clean(skew_str in, char *out, size_t cap) {
    size_t i, n = 0;
    for (i = 0; i < in.len && n + 1 < cap && n < 64; i++) {
        unsigned char c = (unsigned char)in.ptr[i];
        out[n++] = (char)(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '?');
    }
    out[n] = '\0';
}

/* ======================================================================================
   >>secrets  files, environment, argv
   ====================================================================================== */

/* Read a secret file: its first line, trailing whitespace cut. false: *why says what is wrong. */
static bool skew_auth__read_file(const char *path, char *out, size_t *len, const char **why) {
    char buf[SKEW_AUTH_SECRET_MAX + 2];
    size_t n, i;
    FILE *f = fopen(path, "rb");
    if (!f) {
        *why = strerror(errno);
        return false;
    }
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    for (i = 0; i < n && buf[i] != '\n' && buf[i] != '\r'; i++) {}
    n = i;
    while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t')) n--;
    if (n == 0) { *why = "empty"; return false; }
    if (n > SKEW_AUTH_SECRET_MAX) { *why = "longer than " SKEW_AUTH__XSTR(SKEW_AUTH_SECRET_MAX) " bytes"; return false; }
    for (i = 0; i < n; i++)
        if ((unsigned char)buf[i] < 0x21 || (unsigned char)buf[i] > 0x7e) { *why = "not printable ASCII"; return false; }
    memcpy(out, buf, n);
    out[n] = '\0';
    *len = n;
    return true;
}

/* Set a secret's value; a change bumps its generation (what a rotation revokes). */
static bool skew_auth__set_value(skew_auth_secret *s, const char *v, size_t n) {
    bool changed = n != s->len || memcmp(v, s->value, n) != 0;
    if (!changed) return false;
    memcpy(s->value, v, n);
    s->value[n] = '\0';
    s->len = n;
    s->generation++;
    return true;
}

/* At start: the file, else argv (with a warning), else the environment. */
static bool skew_auth__load(skew_auth_secret *s, const char *prog) {
    const char *why = "";
    char buf[SKEW_AUTH_SECRET_MAX + 1];
    size_t n = 0;
    const char *env = getenv(s->env);
    if (s->file && s->argv_value) {
        fprintf(stderr, "%s: --%s and --%s-file: give one\n", prog, s->name, s->name);
        return false;
    }
    if (s->file) {
        if (!skew_auth__read_file(s->file, buf, &n, &why)) {
            fprintf(stderr, "%s: --%s-file %s: %s\n", prog, s->name, s->file, why);
            return false;
        }
        skew_auth__set_value(s, buf, n);
        return true;
    }
    if (s->argv_value) {
        fprintf(stderr,
                "%s: warning: --%s on the command line is visible to every user in ps; use --%s-file or $%s\n",
                prog, s->name, s->name, s->env);
        env = s->argv_value;
    }
    if (env && *env) {
        n = strlen(env);
        if (n > SKEW_AUTH_SECRET_MAX) {
            fprintf(stderr, "%s: %s: longer than %d bytes\n", prog, s->name, SKEW_AUTH_SECRET_MAX);
            return false;
        }
        skew_auth__set_value(s, env, n);
    }
    return true;
}

/* ======================================================================================
   >>options
   ====================================================================================== */

#define SKEW_AUTH__A ((skew_auth_state *)ctx)

static bool set_admin_token(void *ctx, const char *v, const char **why) {
    (void)why;
    SKEW_AUTH__A->admin.argv_value = v;
    return true;
}
static bool set_admin_file(void *ctx, const char *v, const char **why) {
    (void)why;
    SKEW_AUTH__A->admin.file = v;
    return *v != '\0';
}
static bool set_stats_token(void *ctx, const char *v, const char **why) {
    (void)why;
    SKEW_AUTH__A->stats.argv_value = v;
    return true;
}
static bool set_stats_file(void *ctx, const char *v, const char **why) {
    (void)why;
    SKEW_AUTH__A->stats.file = v;
    return *v != '\0';
}
static bool set_metrics_token(void *ctx, const char *v, const char **why) {
    (void)why;
    SKEW_AUTH__A->metrics.argv_value = v;
    return true;
}
static bool set_metrics_file(void *ctx, const char *v, const char **why) {
    (void)why;
    SKEW_AUTH__A->metrics.file = v;
    return *v != '\0';
}
static bool set_metrics_allow(void *ctx, const char *v, const char **why) {
    skew_auth_state *a = SKEW_AUTH__A;
    *why = "a CIDR; at most " SKEW_AUTH__XSTR(SKEW_AUTH_CIDRS_MAX);
    if (a->metrics_allow_count >= SKEW_AUTH_CIDRS_MAX) return false;
    if (skew_cidr_parse(skew_str_c(v), &a->metrics_allow[a->metrics_allow_count]) != SKEW_OK) return false;
    a->metrics_allow_count++;
    return true;
}
static bool set_allowed_origin(void *ctx, const char *v, const char **why) {
    skew_auth_state *a = SKEW_AUTH__A;
    size_t n = strlen(v);
    *why = "scheme://host[:port] without a path; at most " SKEW_AUTH__XSTR(SKEW_AUTH_ORIGINS_MAX);
    if (a->origin_count >= SKEW_AUTH_ORIGINS_MAX || n < 8 || n > 255) return false;
    if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8)) return false;
    if (strchr(strstr(v, "://") + 3, '/')) return false;
    a->origins[a->origin_count++] = v;
    return true;
}

static const skew_ex_opt skew_auth__opts[] = {
    {"--admin-token-file", "PATH",
     "the admin token (every scope: stats, admin actions, metrics)\n"
     "from the first line of PATH (or env SKEW_ADMIN_TOKEN); without\n"
     "one, a server started from a terminal makes one for this run\n"
     "and prints a dashboard link with it; otherwise the admin\n"
     "endpoints answer 503 and no stats are authorized",
     set_admin_file},
    {"--admin-token", "TOKEN", "the admin token on the command line (visible in ps: prefer the file)", set_admin_token},
    {"--stats-token-file", "PATH", "a read-only token: live stats and admin/stats (or env SKEW_STATS_TOKEN)",
     set_stats_file},
    {"--stats-token", "TOKEN", "the stats token on the command line (visible in ps)", set_stats_token},
    {"--metrics-token-file", "PATH", "a token for {base}/metrics only (or env SKEW_METRICS_TOKEN)", set_metrics_file},
    {"--metrics-token", "TOKEN", "the metrics token on the command line (visible in ps)", set_metrics_token},
    {"--metrics-allow", "CIDR", "socket peers that may read {base}/metrics without a token;\nrepeatable",
     set_metrics_allow},
    {"--allowed-origin", "ORIGIN",
     "another origin (https://host:port) whose pages may use the\n"
     "admin cookies; repeatable (default: same origin only)",
     set_allowed_origin},
};

static void skew_auth__defaults(void *ctx) {
    skew_auth_state *a = SKEW_AUTH__A;
    memset(a, 0, sizeof *a);
    a->admin.name = "admin-token";
    a->admin.env = "SKEW_ADMIN_TOKEN";
    a->stats.name = "stats-token";
    a->stats.env = "SKEW_STATS_TOKEN";
    a->metrics.name = "metrics-token";
    a->metrics.env = "SKEW_METRICS_TOKEN";
}

static bool skew_auth__finish(void *ctx, const char *prog) {
    skew_auth_state *a = SKEW_AUTH__A;
    a->prog = prog;
    return skew_auth__load(&a->admin, prog) && skew_auth__load(&a->stats, prog) && skew_auth__load(&a->metrics, prog);
}
#undef SKEW_AUTH__A

skew_ex_opt_group skew_auth_opt_group(skew_auth_state *a) {
    skew_ex_opt_group g;
    memset(&g, 0, sizeof g);
    g.title = "Authorization (tokens, scopes, origins)";
    g.opts = skew_auth__opts;
    g.count = sizeof skew_auth__opts / sizeof skew_auth__opts[0];
    g.ctx = a;
    g.defaults = skew_auth__defaults;
    g.finish = skew_auth__finish;
    return g;
}

bool skew_auth_init(skew_auth_state *a, const char *prog, const char *base, const skew_ip_policy *trust,
                    const char *run_token) {
    a->prog = prog;
    a->base = base;
    a->trust = trust;
    if (run_token && *run_token && !a->admin.len) skew_auth__set_value(&a->admin, run_token, strlen(run_token));
    return true;
}

bool skew_auth_has_admin(const skew_auth_state *a) { return a->admin.len > 0; }

/* ======================================================================================
   >>origin  same origin, Sec-Fetch-Site, --allowed-origin
   ====================================================================================== */

/* scheme://host[:port] lowercased, the scheme's default port left out. false: does not fit. */
static bool skew_auth__origin_norm(skew_str scheme, skew_str host, char *out, size_t cap) {
    size_t n = 0, i;
    bool https = skew_auth__str_is(scheme, "https");
    if (host.len > 3 && !https && !memcmp(host.ptr + host.len - 3, ":80", 3)) host.len -= 3;
    if (host.len > 4 && https && !memcmp(host.ptr + host.len - 4, ":443", 4)) host.len -= 4;
    if (!host.len || scheme.len + 3 + host.len + 1 > cap) return false;
    for (i = 0; i < host.len; i++) /* no NUL, space or control byte can make two origins equal */
        if ((unsigned char)host.ptr[i] < 0x21 || (unsigned char)host.ptr[i] > 0x7e) return false;
    for (i = 0; i < scheme.len; i++) out[n++] = scheme.ptr[i];
    memcpy(out + n, "://", 3);
    n += 3;
    for (i = 0; i < host.len; i++) out[n++] = host.ptr[i];
    out[n] = '\0';
    for (i = 0; i < n; i++)
        if (out[i] >= 'A' && out[i] <= 'Z') out[i] = (char)(out[i] - 'A' + 'a');
    return true;
}

/* An Origin value split and normalized the same way. */
static bool skew_auth__origin_of(skew_str v, char *out, size_t cap) {
    size_t i;
    for (i = 0; i + 2 < v.len; i++)
        if (v.ptr[i] == ':' && v.ptr[i + 1] == '/' && v.ptr[i + 2] == '/')
            return skew_auth__origin_norm(skew_str_n(v.ptr, i), skew_str_n(v.ptr + i + 3, v.len - i - 3), out, cap);
    return false;
}

/* The first value of a comma-separated header. */
static skew_str skew_auth__first(skew_str v) {
    size_t i;
    for (i = 0; i < v.len && v.ptr[i] != ','; i++) {}
    return skew_auth__trim(skew_str_n(v.ptr, i));
}

/* This server's origin as the browser sees it: Host and our scheme, or what a trusted proxy says. */
static bool skew_auth__self_origin(const skew_auth_state *a, const skew_request *req, char *out, size_t cap) {
    skew_str host = skew_auth__trim(skew_get_header(req, "host"));
    skew_str scheme = skew_str_c(a->tls ? "https" : "http");
    if (skew_ip_policy_trusts(a->trust, &req->peer)) {
        skew_str fh = skew_auth__first(skew_get_header(req, "x-forwarded-host"));
        skew_str fp = skew_auth__first(skew_get_header(req, "x-forwarded-proto"));
        if (fh.len) host = fh;
        if (skew_auth__str_is(fp, "https") || skew_auth__str_is(fp, "http")) scheme = fp;
    }
    return skew_auth__origin_norm(scheme, host, out, cap);
}

bool skew_auth_origin_ok(const skew_auth_state *a, const skew_request *req) {
    skew_str origin = skew_auth__trim(skew_get_header(req, "origin"));
    skew_str site = skew_auth__trim(skew_get_header(req, "sec-fetch-site"));
    char want[300], got[300], allowed[300];
    size_t i;
    if (!origin.len) /* no Origin: a same-origin GET, a navigation, or no browser at all */
        return !site.len || skew_auth__str_is(site, "same-origin") || skew_auth__str_is(site, "none");
    if (!skew_auth__origin_of(origin, got, sizeof got)) return false; /* "null", garbage */
    if (skew_auth__self_origin(a, req, want, sizeof want) && !strcmp(got, want)) return true;
    for (i = 0; i < a->origin_count; i++)
        if (skew_auth__origin_of(skew_str_c(a->origins[i]), allowed, sizeof allowed) && !strcmp(got, allowed))
            return true;
    return false;
}

/* The request came over https (ours or the trusted proxy's): cookies get Secure. */
static bool skew_auth__https(const skew_auth_state *a, const skew_request *req) {
    if (a->tls) return true;
    return skew_ip_policy_trusts(a->trust, &req->peer) &&
           skew_auth__str_is(skew_auth__first(skew_get_header(req, "x-forwarded-proto")), "https");
}

/* ======================================================================================
   >>sessions  the dashboard's: an opaque id in an HttpOnly cookie, never the token
   ====================================================================================== */

static const skew_auth_secret *skew_auth__secret_of(const skew_auth_state *a, skew_auth_cred c) {
    return c == SKEW_AUTH_CRED_ADMIN ? &a->admin : c == SKEW_AUTH_CRED_STATS ? &a->stats
           : c == SKEW_AUTH_CRED_METRICS ? &a->metrics : NULL;
}

/* Alive: not expired, and the token it was made from still the same (not rotated or removed). */
static bool skew_auth__session_live(const skew_auth_state *a, const skew_auth_session *s, uint64_t now) {
    const skew_auth_secret *from = skew_auth__secret_of(a, s->from);
    return s->id[0] && now < s->expires_ms && from && from->len && from->generation == s->generation;
}

static bool skew_auth__random_hex(char *out, size_t bytes) {
    unsigned char raw[32];
    size_t i, got;
    FILE *f;
    if (bytes > sizeof raw) return false;
    f = fopen("/dev/urandom", "rb");
    if (!f) return false;
    got = fread(raw, 1, bytes, f);
    fclose(f);
    if (got != bytes) return false;
    for (i = 0; i < bytes; i++) {
        out[2 * i] = "0123456789abcdef"[raw[i] >> 4];
        out[2 * i + 1] = "0123456789abcdef"[raw[i] & 15];
    }
    out[2 * bytes] = '\0';
    return true;
}

static void skew_auth__revoke_session(skew_auth_state *a, skew_tracker *t, const char *id);

/* A new session for a token: a free slot, else the oldest one goes. NULL: no randomness. */
static skew_auth_session *skew_auth__session_new(skew_auth_state *a, skew_tracker *t, skew_auth_cred from) {
    size_t i, pick = 0;
    uint64_t now = skew_auth__mono_ms();
    skew_auth_session *s;
    for (i = 0; i < SKEW_AUTH_SESSIONS_MAX; i++) {
        if (!skew_auth__session_live(a, &a->sessions[i], now)) { pick = i; break; }
        if (a->sessions[i].created_ms < a->sessions[pick].created_ms) pick = i;
    }
    s = &a->sessions[pick];
    if (s->id[0]) skew_auth__revoke_session(a, t, s->id); /* evicted (or dead): its stats end */
    memset(s, 0, sizeof *s);
    if (!skew_auth__random_hex(s->id, 32)) {
        s->id[0] = '\0';
        return NULL;
    }
    s->from = from;
    s->generation = skew_auth__secret_of(a, from)->generation;
    s->created_ms = now;
    s->expires_ms = now + (uint64_t)SKEW_AUTH_SESSION_TTL_S * 1000u;
    s->serial = ++a->session_serial;
    a->sessions_opened++;
    return s;
}

/* The live session with this id (compared in constant time), or NULL. */
static skew_auth_session *skew_auth__session_find(skew_auth_state *a, skew_str id) {
    size_t i;
    uint64_t now = skew_auth__mono_ms();
    skew_auth_session *hit = NULL;
    for (i = 0; i < SKEW_AUTH_SESSIONS_MAX; i++) {
        skew_auth_session *s = &a->sessions[i];
        if (s->id[0] && skew_auth_ct_equal(id.ptr, id.len, s->id, 64) && skew_auth__session_live(a, s, now)) hit = s;
    }
    return hit;
}

static bool skew_auth__scope_of(skew_auth_cred c, skew_auth_scope scope) {
    switch (c) {
    case SKEW_AUTH_CRED_ADMIN: return true;
    case SKEW_AUTH_CRED_STATS: return scope == SKEW_AUTH_SCOPE_STATS;
    case SKEW_AUTH_CRED_METRICS:
    case SKEW_AUTH_CRED_CIDR: return scope == SKEW_AUTH_SCOPE_METRICS;
    default: return false;
    }
}

/* ======================================================================================
   >>bindings  which credential authorized which connection's stats
   ====================================================================================== */

/* A binding slot for a new grant: free or its connection gone. SIZE_MAX: full. HOOK-SAFE. */
static size_t skew_auth__reserve(skew_auth_state *a, const skew_tracker *t) {
    size_t i;
    skew_conn c;
    for (i = 0; i < SKEW_AUTH_BINDINGS_MAX; i++)
        if (!a->bindings[i].h || skew_get_conn(t, a->bindings[i].h, &c) != SKEW_OK) return i;
    return (size_t)-1;
}

void skew_auth_clear_pending(skew_auth_state *a) {
    a->pending = SKEW_AUTH_CRED_NONE;
    a->pending_session = 0;
}

void skew_auth_bind(skew_auth_state *a, skew_tracker *t, skew_handle h) {
    size_t i, at;
    (void)t;
    if (a->pending == SKEW_AUTH_CRED_NONE || a->pending_slot >= SKEW_AUTH_BINDINGS_MAX) return;
    at = a->pending_slot;
    for (i = 0; i < SKEW_AUTH_BINDINGS_MAX; i++) /* a connection that subscribes again: one entry */
        if (a->bindings[i].h == h) at = i;
    a->bindings[at].h = h;
    a->bindings[at].cred = a->pending;
    a->bindings[at].generation = a->pending_gen;
    a->bindings[at].session = a->pending_session;
    skew_auth_clear_pending(a);
}

/* Is the credential behind a binding still good? */
static bool skew_auth__binding_live(skew_auth_state *a, const skew_auth_binding *b) {
    const skew_auth_secret *s = skew_auth__secret_of(a, b->cred);
    if (b->cred == SKEW_AUTH_CRED_SESSION) {
        size_t i;
        uint64_t now = skew_auth__mono_ms();
        for (i = 0; i < SKEW_AUTH_SESSIONS_MAX; i++)
            if (a->sessions[i].serial == b->session && skew_auth__session_live(a, &a->sessions[i], now)) return true;
        return false;
    }
    if (s) return s->len && s->generation == b->generation;
    return true; /* person credentials: skew_person.c decides on its own reload */
}

/* End the stats of every connection whose credential is no longer good. */
static unsigned skew_auth__revoke_dead(skew_auth_state *a, skew_tracker *t) {
    size_t i;
    unsigned n = 0;
    if (!t) return 0;
    for (i = 0; i < SKEW_AUTH_BINDINGS_MAX; i++) {
        skew_auth_binding *b = &a->bindings[i];
        if (!b->h || skew_auth__binding_live(a, b)) continue;
        if (skew_revoke_stats(t, b->h) == SKEW_OK) n++;
        memset(b, 0, sizeof *b);
    }
    a->revoked += n;
    return n;
}

static void skew_auth__revoke_session(skew_auth_state *a, skew_tracker *t, const char *id) {
    size_t i;
    for (i = 0; i < SKEW_AUTH_SESSIONS_MAX; i++)
        if (a->sessions[i].id[0] && !strcmp(a->sessions[i].id, id)) memset(&a->sessions[i], 0, sizeof a->sessions[i]);
    skew_auth__revoke_dead(a, t);
}

/* ======================================================================================
   >>check  the authorize hook
   ====================================================================================== */

/* A token in the Authorization header or the skew_admin cookie: which secret it is, for scope.
   Every secret is compared, whatever matched, so the time does not say which. */
static skew_auth_cred skew_auth__token(const skew_auth_state *a, skew_str v, skew_auth_scope scope) {
    bool ad = skew_auth_ct_equal(v.ptr, v.len, a->admin.value, a->admin.len);
    bool st = skew_auth_ct_equal(v.ptr, v.len, a->stats.value, a->stats.len);
    bool me = skew_auth_ct_equal(v.ptr, v.len, a->metrics.value, a->metrics.len);
    if (ad) return SKEW_AUTH_CRED_ADMIN;
    if (st && skew_auth__scope_of(SKEW_AUTH_CRED_STATS, scope)) return SKEW_AUTH_CRED_STATS;
    if (me && skew_auth__scope_of(SKEW_AUTH_CRED_METRICS, scope)) return SKEW_AUTH_CRED_METRICS;
    return SKEW_AUTH_CRED_NONE;
}

/* Could anything grant this scope? No: UNAVAILABLE (the admin endpoints answer 503). */
static bool skew_auth__configured(const skew_auth_state *a, skew_auth_scope scope) {
    if (a->admin.len) return true;
    if (scope == SKEW_AUTH_SCOPE_STATS) return a->stats.len > 0;
    if (scope == SKEW_AUTH_SCOPE_METRICS) return a->metrics.len > 0 || a->metrics_allow_count > 0;
    return false;
}

static const char *const skew_auth__scope_names[] = {"stats", "admin", "metrics"};
static const char *const skew_auth__method_names[] = {"bearer", "cookie",  "session", "origin",
                                                      "content_type", "login", "cidr", "none",
                                                      "person"};

/* The cookie credentials: a session, else a skew_admin token; from this origin only. */
static skew_auth_cred skew_auth__cookies(skew_auth_state *a, const skew_request *req, skew_auth_scope scope,
                                         skew_auth_method *why, bool *presented, skew_auth_session **sess) {
    skew_str ck = skew_get_header(req, "cookie"), sid, tok;
    bool has_sid = skew_get_cookie(ck, SKEW_AUTH_SESSION_COOKIE, &sid) == SKEW_OK && sid.len;
    bool has_tok = skew_get_cookie(ck, SKEW_AUTH_ADMIN_COOKIE, &tok) == SKEW_OK && tok.len;
    skew_auth_cred c = SKEW_AUTH_CRED_NONE;
    if (!has_sid && !has_tok) return c;
    *presented = true;
    if (!skew_auth_origin_ok(a, req)) { /* cross-site WebSocket hijacking, CSRF */
        *why = SKEW_AUTH_M_ORIGIN;
        return c;
    }
    if (has_sid) {
        *sess = skew_auth__session_find(a, sid);
        if (*sess && skew_auth__scope_of((*sess)->from, scope)) return SKEW_AUTH_CRED_SESSION;
        *sess = NULL;
        *why = SKEW_AUTH_M_SESSION;
    }
    if (has_tok) {
        c = skew_auth__token(a, tok, scope);
        if (c == SKEW_AUTH_CRED_NONE) *why = SKEW_AUTH_M_COOKIE;
    }
    return c;
}

static void skew_auth__who(const skew_auth_state *a, skew_auth_cred c, const skew_auth_session *s, char *who, size_t cap) {
    const skew_auth_secret *sec = skew_auth__secret_of(a, c);
    const char *name = sec ? sec->name : c == SKEW_AUTH_CRED_CIDR ? "metrics-allow" : "-";
    size_t n = strlen(name);
    if (!cap) return;
    if (s) {
        snprintf(who, cap, "session #%u (%s)", (unsigned)s->serial, skew_auth__secret_of(a, s->from)->name);
        return;
    }
    if (n >= cap) n = cap - 1;
    memcpy(who, name, n);
    who[n] = '\0';
}

/* A STATS grant: reserve its binding (pending until skew_auth_bind). false: no room. */
static bool skew_auth__pend(skew_auth_state *a, const skew_tracker *t, skew_auth_cred c, const skew_auth_session *s) {
    const skew_auth_secret *sec = skew_auth__secret_of(a, c);
    skew_auth_clear_pending(a);
    if (!t) return true;
    a->pending_slot = skew_auth__reserve(a, t);
    if (a->pending_slot == (size_t)-1) return false;
    a->pending = c;
    a->pending_gen = sec ? sec->generation : 0;
    if (s) a->pending_session = s->serial;
    return true;
}

skew_auth_result skew_auth_check(skew_auth_state *a, skew_tracker *t, const skew_request *req, skew_auth_scope scope, char *who,
                          size_t who_cap) {
    skew_auth_cred c = SKEW_AUTH_CRED_NONE;
    skew_auth_method why = SKEW_AUTH_M_NONE;
    skew_auth_session *sess = NULL;
    bool presented = false;
    skew_str h = skew_auth__trim(skew_get_header(req, "authorization"));
    char peer[64] = "-";

    skew_auth_clear_pending(a); /* a grant is bound right after the call that made it, or never */
    if (h.len > 7 && skew_auth__str_is(skew_str_n(h.ptr, 7), "bearer "))
        h = skew_auth__trim(skew_str_n(h.ptr + 7, h.len - 7));
    if (scope == SKEW_AUTH_SCOPE_METRICS) {
        size_t i;
        for (i = 0; i < a->metrics_allow_count && !c; i++) /* the socket peer, never a forwarded one */
            if (req->peer.family && skew_cidr_contains(&a->metrics_allow[i], &req->peer)) c = SKEW_AUTH_CRED_CIDR;
        if (a->metrics_allow_count) why = SKEW_AUTH_M_CIDR;
    }
    if (!c && h.len) {
        presented = true;
        c = skew_auth__token(a, h, scope);
        if (!c) why = SKEW_AUTH_M_BEARER;
    }
    if (!c) c = skew_auth__cookies(a, req, scope, &why, &presented, &sess);
    if (!c) {
        /* person credentials (skew_person.c): the maintainer connects
           skew_person_check(p, req, scope, who, who_cap) here: GRANTED -> c = SKEW_AUTH_CRED_PERSON
           (who filled by it), DENIED -> presented = true, UNAVAILABLE -> nothing presented. */
    }
    skew_auth__who(a, c, sess, a->who, sizeof a->who);
    if (who && who_cap) snprintf(who, who_cap, "%s", a->who);
    if (scope == SKEW_AUTH_SCOPE_STATS || why == SKEW_AUTH_M_ORIGIN) skew_auth__peer(req, peer, sizeof peer);
    if (c && scope == SKEW_AUTH_SCOPE_STATS && !skew_auth__pend(a, t, c, sess)) {
        skew_auth_audit(a, "stats denied to %s from %s: %d subscriptions followed already", a->who, peer,
                        SKEW_AUTH_BINDINGS_MAX);
        return SKEW_AUTH_RESULT_DENIED;
    }
    if (c) {
        a->granted++;
        if (scope == SKEW_AUTH_SCOPE_STATS) skew_auth_audit(a, "stats granted to %s from %s", a->who, peer);
        return SKEW_AUTH_RESULT_GRANTED;
    }
    if (!skew_auth__configured(a, scope)) return SKEW_AUTH_RESULT_UNAVAILABLE;
    /* every page's WebSocket open asks for stats without a credential: not a denial */
    if (scope == SKEW_AUTH_SCOPE_STATS && !presented) return SKEW_AUTH_RESULT_DENIED;
    a->denied[why]++;
    if (scope == SKEW_AUTH_SCOPE_STATS || why == SKEW_AUTH_M_ORIGIN)
        skew_auth_audit(a, "%s denied from %s: %s", skew_auth__scope_names[scope], peer, skew_auth__method_names[why]);
    return SKEW_AUTH_RESULT_DENIED;
}

/* ======================================================================================
   >>http  login, logout, and what is refused before the tracker sees a request
   ====================================================================================== */

/* The path after {base}, or a NULL str when the request is not under it. */
static skew_str skew_auth__rest(const skew_auth_state *a, const skew_request *req) {
    size_t n = a->base ? strlen(a->base) : 0;
    skew_str none = {NULL, 0};
    if (!n || req->path.len < n || memcmp(req->path.ptr, a->base, n)) return none;
    return skew_str_n(req->path.ptr + n, req->path.len - n);
}

static bool skew_auth__is_json(const skew_request *req) {
    skew_str ct = skew_get_header(req, "content-type");
    size_t i;
    for (i = 0; i < ct.len && ct.ptr[i] != ';'; i++) {}
    return skew_auth__str_is(skew_auth__trim(skew_str_n(ct.ptr, i)), "application/json");
}

static bool skew_auth__answer(skew_response *r, char *body, size_t cap, int status, const char *json) {
    int n = snprintf(body, cap, "%s", json);
    memset(r, 0, sizeof *r);
    r->status = status;
    r->content_type = "application/json";
    r->body_len = n > 0 ? (size_t)n : 0;
    if (r->body_len >= cap) r->body_len = cap ? cap - 1 : 0;
    return true;
}

/* POST {base}/admin/login {"token":"..."}: a session for the admin or the stats token. */
static bool skew_auth__login(skew_auth_state *a, skew_tracker *t, const skew_request *req, skew_response *r, char *body,
                             size_t cap, char *set_cookie, size_t cookie_cap) {
    char tok[SKEW_AUTH_SECRET_MAX + 1], peer[64];
    size_t n = 0;
    skew_auth_cred c;
    skew_auth_session *s;
    skew_auth__peer(req, peer, sizeof peer);
    if (!a->admin.len && !a->stats.len)
        return skew_auth__answer(r, body, cap, 503, "{\"ok\":false,\"error\":\"admin access is not configured\"}");
    if (skew_json_get_string(req->body, "token", tok, sizeof tok, &n) != SKEW_OK || n == 0)
        return skew_auth__answer(r, body, cap, 400, "{\"ok\":false,\"error\":\"missing token\"}");
    c = skew_auth__token(a, skew_str_n(tok, n), SKEW_AUTH_SCOPE_STATS);
    memset(tok, 0, sizeof tok);
    if (c != SKEW_AUTH_CRED_ADMIN && c != SKEW_AUTH_CRED_STATS) {
        a->denied[SKEW_AUTH_M_LOGIN]++;
        skew_auth_audit(a, "login denied from %s: wrong token", peer);
        return skew_auth__answer(r, body, cap, 401, "{\"ok\":false,\"error\":\"unauthorized\"}");
    }
    s = skew_auth__session_new(a, t, c);
    if (!s) return skew_auth__answer(r, body, cap, 500, "{\"ok\":false,\"error\":\"no randomness\"}");
    snprintf(set_cookie, cookie_cap, SKEW_AUTH_SESSION_COOKIE "=%s; Path=%s; HttpOnly; SameSite=Strict; Max-Age=%u%s",
             s->id, a->base, SKEW_AUTH_SESSION_TTL_S, skew_auth__https(a, req) ? "; Secure" : "");
    skew_auth_audit(a, "login: session #%u (%s) from %s", (unsigned)s->serial, skew_auth__secret_of(a, c)->name, peer);
    return skew_auth__answer(r, body, cap, 200,
                             c == SKEW_AUTH_CRED_ADMIN ? "{\"ok\":true,\"scopes\":[\"stats\",\"admin\",\"metrics\"]}"
                                                       : "{\"ok\":true,\"scopes\":[\"stats\"]}");
}

/* POST {base}/admin/logout: the session ends, its stats subscriptions with it. */
static bool skew_auth__logout(skew_auth_state *a, skew_tracker *t, const skew_request *req, skew_response *r, char *body,
                              size_t cap, char *set_cookie, size_t cookie_cap) {
    skew_str sid;
    skew_auth_session *s = NULL;
    char peer[64];
    skew_auth__peer(req, peer, sizeof peer);
    if (skew_get_cookie(skew_get_header(req, "cookie"), SKEW_AUTH_SESSION_COOKIE, &sid) == SKEW_OK)
        s = skew_auth__session_find(a, sid);
    if (s) {
        char id[65];
        unsigned serial = s->serial;
        memcpy(id, s->id, sizeof id);
        skew_auth__revoke_session(a, t, id);
        skew_auth_audit(a, "logout: session #%u from %s", serial, peer);
    }
    snprintf(set_cookie, cookie_cap, SKEW_AUTH_SESSION_COOKIE "=; Path=%s; HttpOnly; SameSite=Strict; Max-Age=0%s",
             a->base, skew_auth__https(a, req) ? "; Secure" : "");
    return skew_auth__answer(r, body, cap, 200, "{\"ok\":true}");
}

bool skew_auth_http(skew_auth_state *a, skew_tracker *t, const skew_request *req, skew_response *r, char *body, size_t cap,
                    char *set_cookie, size_t cookie_cap) {
    skew_str rest = skew_auth__rest(a, req), ck = skew_get_header(req, "cookie"), v;
    bool post = skew_auth__str_is(req->method, "post"), login, logout, act, admin, cookie_cred;
    char peer[64];
    if (cookie_cap) set_cookie[0] = '\0';
    snprintf(a->who, sizeof a->who, "-");
    skew_auth_clear_pending(a);
    if (!rest.ptr) return false;
    login = skew_auth__str_is(rest, "/admin/login");
    logout = skew_auth__str_is(rest, "/admin/logout");
    act = skew_auth__str_is(rest, "/admin/version") || skew_auth__str_is(rest, "/admin/invalidate");
    admin = act || login || logout || skew_auth__str_is(rest, "/admin/stats") || skew_auth__str_is(rest, "/metrics");
    if (!admin) return false;
    if ((login || logout) && !post) {
        skew_auth__answer(r, body, cap, 405, "{\"ok\":false,\"error\":\"method not allowed\"}");
        r->allow = "POST";
        return true;
    }
    skew_auth__peer(req, peer, sizeof peer);
    if ((act || login) && post && !skew_auth__is_json(req)) { /* a form or text/plain POST: a cross-site one */
        a->denied[SKEW_AUTH_M_CONTENT_TYPE]++;
        skew_auth_audit(a, "%.*s refused from %s: not application/json", (int)rest.len, rest.ptr, peer);
        return skew_auth__answer(r, body, cap, 415, "{\"ok\":false,\"error\":\"content type must be application/json\"}");
    }
    cookie_cred = (skew_get_cookie(ck, SKEW_AUTH_SESSION_COOKIE, &v) == SKEW_OK && v.len) ||
                  (skew_get_cookie(ck, SKEW_AUTH_ADMIN_COOKIE, &v) == SKEW_OK && v.len);
    if ((login || (cookie_cred && !skew_get_header(req, "authorization").len)) && !skew_auth_origin_ok(a, req)) {
        a->denied[SKEW_AUTH_M_ORIGIN]++;
        skew_auth_audit(a, "%.*s refused from %s: foreign origin", (int)rest.len, rest.ptr, peer);
        return skew_auth__answer(r, body, cap, 403, "{\"ok\":false,\"error\":\"cross-origin request refused\"}");
    }
    if (login) return skew_auth__login(a, t, req, r, body, cap, set_cookie, cookie_cap);
    if (logout) return skew_auth__logout(a, t, req, r, body, cap, set_cookie, cookie_cap);
    return false;
}

/* The connection a POST subscribe-stats names (JSON or form body). */
static bool skew_auth__body_conn(skew_tracker *t, skew_str body, skew_handle *h) {
    char id[48];
    size_t n = 0;
    skew_str raw;
    skew_str b = skew_auth__trim(body);
    if (b.len && b.ptr[0] == '{') {
        if (skew_json_get_string(body, "connectionId", id, sizeof id, &n) != SKEW_OK) return false;
    } else if (skew_get_query_param(body, "connectionId", &raw) != SKEW_OK ||
               skew_url_decode(raw, true, id, sizeof id, &n) != SKEW_OK) {
        return false;
    }
    return skew_find(t, skew_str_n(id, n), h) == SKEW_OK;
}

void skew_auth_after_http(skew_auth_state *a, skew_tracker *t, const skew_request *req, const skew_response *r) {
    skew_str rest = skew_auth__rest(a, req);
    skew_handle h;
    if (rest.ptr && a->pending && skew_auth__str_is(rest, "/subscribe-stats") &&
        skew_auth__body_conn(t, req->body, &h))
        skew_auth_bind(a, t, h);
    skew_auth_clear_pending(a);
    if (rest.ptr && skew_auth__str_is(req->method, "post") &&
        (skew_auth__str_is(rest, "/admin/version") || skew_auth__str_is(rest, "/admin/invalidate"))) {
        char val[SKEW_AUTH_SECRET_MAX], clean[80], peer[64];
        size_t n = 0;
        const char *key = rest.len == 14 ? "version" : "route";
        if (skew_json_get_string(req->body, key, val, sizeof val, &n) != SKEW_OK) n = 0;
        skew_auth__clean(skew_str_n(val, n), clean, sizeof clean);
        skew_auth__peer(req, peer, sizeof peer);
        skew_auth_audit(a, "%.*s %s=\"%s\" by %s from %s: %d", (int)rest.len, rest.ptr, key, clean,
                        r->status == 401 || r->status == 503 ? "-" : a->who, peer, r->status);
    }
}

size_t skew_auth_metrics_text(const skew_auth_state *a, char *buf, size_t cap) {
    size_t n = 0, i, live = 0;
    int w;
    uint64_t now = skew_auth__mono_ms();
    for (i = 0; i < SKEW_AUTH_SESSIONS_MAX; i++) live += skew_auth__session_live(a, &a->sessions[i], now);
#define SKEW_AUTH__OUT(...)                                                          \
    do {                                                                             \
        w = snprintf(n < cap ? buf + n : NULL, n < cap ? cap - n : 0, __VA_ARGS__); \
        if (w > 0) n += (size_t)w;                                                   \
    } while (0)
    SKEW_AUTH__OUT("# HELP skew_auth_denied_total Requests the authorization refused, by how they came.\n"
                   "# TYPE skew_auth_denied_total counter\n");
    for (i = 0; i < SKEW_AUTH_M_COUNT; i++)
        SKEW_AUTH__OUT("skew_auth_denied_total{method=\"%s\"} %llu\n", skew_auth__method_names[i],
                       (unsigned long long)a->denied[i]);
    SKEW_AUTH__OUT("# HELP skew_auth_sessions Dashboard sessions alive.\n# TYPE skew_auth_sessions gauge\n"
                   "skew_auth_sessions %zu\n"
                   "# HELP skew_auth_revoked_total Stats subscriptions ended by a revoked credential.\n"
                   "# TYPE skew_auth_revoked_total counter\nskew_auth_revoked_total %llu\n"
                   "# HELP skew_auth_reloads_total Secret reloads (SIGHUP).\n"
                   "# TYPE skew_auth_reloads_total counter\nskew_auth_reloads_total %llu\n",
                   live, (unsigned long long)a->revoked, (unsigned long long)a->reloads);
#undef SKEW_AUTH__OUT
    if (cap) buf[n < cap ? n : cap - 1] = '\0';
    return n;
}

/* ======================================================================================
   >>reload  SIGHUP
   ====================================================================================== */

static volatile sig_atomic_t skew_auth__hup;

static void skew_auth__on_hup(int sig) {
    (void)sig;
    skew_auth__hup = 1;
}

void skew_auth_signals_install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = skew_auth__on_hup;
    sa.sa_flags = 0; /* poll() returns EINTR: the loop runs its tick */
    sigaction(SIGHUP, &sa, NULL);
}

bool skew_auth_on_reload(skew_auth_state *a, skew_auth_reload_fn fn, void *ctx) {
    if (a->hook_count >= SKEW_AUTH_HOOKS_MAX) return false;
    a->hooks[a->hook_count] = fn;
    a->hook_ctx[a->hook_count++] = ctx;
    return true;
}

/* One secret file read again; what happened goes into the reload line. */
static bool skew_auth__reload_one(skew_auth_secret *s, char *line, size_t cap, size_t *len) {
    char buf[SKEW_AUTH_SECRET_MAX + 1];
    const char *why = "", *what;
    size_t n = 0;
    bool ok = true;
    int w;
    if (!s->file) what = "not from a file";
    else if (!skew_auth__read_file(s->file, buf, &n, &why)) { what = why; ok = false; }
    else what = skew_auth__set_value(s, buf, n) ? "rotated" : "unchanged";
    memset(buf, 0, sizeof buf);
    if (ok) w = snprintf(*len < cap ? line + *len : NULL, *len < cap ? cap - *len : 0, "%s%s %s", *len ? ", " : "", s->name, what);
    else w = snprintf(*len < cap ? line + *len : NULL, *len < cap ? cap - *len : 0, "%s%s kept (%s)", *len ? ", " : "", s->name, what);
    if (w > 0) *len += (size_t)w;
    return ok;
}

bool skew_auth_reload(skew_auth_state *a, skew_tracker *t) {
    char line[512];
    size_t len = 0, i, ended = 0;
    unsigned revoked;
    uint64_t now = skew_auth__mono_ms();
    bool ok = skew_auth__reload_one(&a->admin, line, sizeof line, &len);
    ok = skew_auth__reload_one(&a->stats, line, sizeof line, &len) && ok;
    ok = skew_auth__reload_one(&a->metrics, line, sizeof line, &len) && ok;
    for (i = 0; i < a->hook_count; i++) a->hooks[i](a->hook_ctx[i]);
    for (i = 0; i < SKEW_AUTH_SESSIONS_MAX; i++) /* sessions of a rotated token end */
        if (a->sessions[i].id[0] && !skew_auth__session_live(a, &a->sessions[i], now)) {
            memset(&a->sessions[i], 0, sizeof a->sessions[i]);
            ended++;
        }
    revoked = skew_auth__revoke_dead(a, t);
    a->reloads++;
    skew_auth_audit(a, "reload (SIGHUP): %s; %zu other module(s) reloaded; %zu session(s) ended; %u stats "
                    "subscription(s) revoked",
                    len < sizeof line ? line : "(line too long)", a->hook_count, ended, revoked);
    return ok;
}

void skew_auth_tick(skew_auth_state *a, skew_tracker *t, uint64_t mono_ms) {
    size_t i;
    bool ended = false;
    (void)mono_ms;
    if (skew_auth__hup) {
        skew_auth__hup = 0;
        skew_auth_reload(a, t);
    }
    if (mono_ms - a->last_sweep_ms < 1000) return;
    a->last_sweep_ms = mono_ms;
    for (i = 0; i < SKEW_AUTH_SESSIONS_MAX; i++)
        if (a->sessions[i].id[0] && skew_auth__mono_ms() >= a->sessions[i].expires_ms) {
            skew_auth_audit(a, "session #%u expired", (unsigned)a->sessions[i].serial);
            memset(&a->sessions[i], 0, sizeof a->sessions[i]);
            ended = true;
        }
    if (ended) skew_auth__revoke_dead(a, t);
}
