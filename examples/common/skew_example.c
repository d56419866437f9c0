/* skew_example.c - shared, non-protocol parts of the example servers. See skew_example.h. */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* realpath() */
#endif

#include "skew_example.h"
#include "skew_ip_header.h"

#define SKEW_EX__STR(x) #x
#define SKEW_EX__XSTR(x) SKEW_EX__STR(x)

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <netinet/in.h>

/* ======================================================================================
   >>options
   ====================================================================================== */

void skew_ex_options_defaults(skew_ex_options *o) {
    memset(o, 0, sizeof *o);
    o->host = SKEW_EX_DEFAULT_HOST;
    o->port = SKEW_EX_DEFAULT_PORT;
    o->build_id = SKEW_EX_DEFAULT_BUILD_ID;
    o->base = SKEW_EX_DEFAULT_BASE;
    o->max_output_bytes = SKEW_EX_DEFAULT_MAX_OUTPUT;
    o->verbosity = SKEW_EX_QUIET;
    o->timeline_samples = SKEW_TIMELINE_DEFAULT_SAMPLES; /* the dashboard's last hour */
}

void skew_ex_usage(FILE *out, const char *prog, const skew_ex_opt_group *groups, size_t ngroups) {
    fprintf(out,
            "usage: %s [options]\n"
            "\n"
            "A skew protection server: tracks the browsers connected over SSE and WebSocket,\n"
            "which build they run and (optionally) which route they view, with a live dashboard.\n",
            prog);
    skew_ex_opts_usage(out, groups, ngroups);
    fprintf(out,
            "\n"
            "Pages: / (demo app) and /admin (dashboard). Endpoints: {base}/sse, {base}/ws,\n"
            "{base}/route, {base}/subscribe-stats, {base}/health, {base}/admin/stats,\n"
            "{base}/admin/version, {base}/admin/invalidate, {base}/metrics, {base}/admin/login,\n"
            "{base}/admin/logout. SIGHUP reads the token files again.\n");
}

/* The setters of the server's own flags; ctx is a skew_ex_options. */
#define SKEW_EX__O ((skew_ex_options *)ctx)

static bool set_host(void *ctx, const char *v, const char **why) {
    (void)why;
    if (!*v) return false;
    SKEW_EX__O->host = v;
    return true;
}
static bool set_port(void *ctx, const char *v, const char **why) {
    uint32_t n;
    *why = "0..65535";
    if (!skew_ex_parse_u32(v, 0, 65535, &n)) return false;
    SKEW_EX__O->port = (uint16_t)n;
    return true;
}
static bool set_build_id(void *ctx, const char *v, const char **why) {
    (void)why;
    if (!*v) return false;
    SKEW_EX__O->build_id = v;
    SKEW_EX__O->build_id_set = true;
    return true;
}
static bool set_base(void *ctx, const char *v, const char **why) {
    size_t len = strlen(v);
    *why = "a path such as /__skew";
    while (len > 1 && v[len - 1] == '/') len--;  /* no trailing slash */
    if (v[0] != '/' || len < 2 || len >= sizeof SKEW_EX__O->base_buf) return false;
    memcpy(SKEW_EX__O->base_buf, v, len);
    SKEW_EX__O->base_buf[len] = '\0';
    SKEW_EX__O->base = SKEW_EX__O->base_buf;
    return true;
}
static bool set_route_tracking(void *ctx, const char *v, const char **why) {
    (void)v, (void)why;
    SKEW_EX__O->route_tracking = true;
    return true;
}
static bool set_ip_tracking(void *ctx, const char *v, const char **why) {
    (void)v, (void)why;
    SKEW_EX__O->ip_tracking = true;
    return true;
}
static bool set_trust_proxy(void *ctx, const char *v, const char **why) {
    skew_ip_policy *p = &SKEW_EX__O->ip_policy;
    skew_cidr c;
    if (!SKEW_EX__O->trust_given) { /* the flags replace the default trusted set */
        memset(p, 0, sizeof *p);
        SKEW_EX__O->trust_given = true;
    }
    if (!strcmp(v, "all")) p->trust_all = true;
    else if (!strcmp(v, "none")) p->trust_none = true;
    else {
        *why = "a CIDR, 'all' or 'none'; at most " SKEW_EX__XSTR(SKEW_MAX_TRUSTED_PROXIES) " ranges";
        if (p->trusted_count >= SKEW_MAX_TRUSTED_PROXIES) return false;
        if (skew_cidr_parse(skew_str_c(v), &c) != SKEW_OK) return false;
        p->trusted[p->trusted_count++] = c;
    }
    return true;
}
static bool set_stats_interval(void *ctx, const char *v, const char **why) {
    *why = "0..3600000";
    if (!skew_ex_parse_u32(v, 0, 3600000u, &SKEW_EX__O->stats_interval_ms)) return false;
    SKEW_EX__O->stats_interval_set = true;
    return true;
}
static bool set_keepalive(void *ctx, const char *v, const char **why) {
    *why = "1..86400000";
    return skew_ex_parse_u32(v, 1, 86400000u, &SKEW_EX__O->keepalive_ms);
}
static bool set_max_conn(void *ctx, const char *v, const char **why) {
    *why = "1..100000000";
    return skew_ex_parse_u32(v, 1, 100000000u, &SKEW_EX__O->max_connections);
}
static bool set_max_per_ip(void *ctx, const char *v, const char **why) {
    *why = "0 (no cap)..16777215";
    if (!skew_ex_parse_u32(v, 0, 16777215u, &SKEW_EX__O->max_per_ip)) return false;
    SKEW_EX__O->max_per_ip_set = true;
    return true;
}
static bool set_max_output(void *ctx, const char *v, const char **why) {
    uint64_t n;
    *why = "1024..2147483648";
    if (!skew_ex_parse_u64(v, 1024, (uint64_t)1 << 31, &n)) return false;
    SKEW_EX__O->max_output_bytes = (size_t)n;
    return true;
}
static bool set_root(void *ctx, const char *v, const char **why) {
    (void)why;
    if (!*v) return false;
    SKEW_EX__O->root = v;
    return true;
}
static bool set_version_cookie(void *ctx, const char *v, const char **why) {
    *why = "1..128 of [A-Za-z0-9._-]";
    if (!skew_ex_name_ok(v, SKEW_EX_COOKIE_NAME_MAX)) return false;
    SKEW_EX__O->version_cookie = v;
    return true;
}
static bool set_timeline_samples(void *ctx, const char *v, const char **why) {
    *why = "0.." SKEW_EX__XSTR(SKEW_TIMELINE_MAX_SAMPLES);
    return skew_ex_parse_u32(v, 0, SKEW_TIMELINE_MAX_SAMPLES, &SKEW_EX__O->timeline_samples);
}
static bool set_timeline_period(void *ctx, const char *v, const char **why) {
    *why = "10..86400000";
    return skew_ex_parse_u32(v, 10, 86400000u, &SKEW_EX__O->timeline_period_ms);
}
static bool set_quiet(void *ctx, const char *v, const char **why) {
    (void)v, (void)why;
    SKEW_EX__O->verbosity = SKEW_EX_QUIET;
    return true;
}
static bool set_verbose(void *ctx, const char *v, const char **why) {
    (void)v, (void)why;
    if (SKEW_EX__O->verbosity < SKEW_EX_VERBOSE) SKEW_EX__O->verbosity++;
    return true;
}

static const skew_ex_opt skew_ex__server_opts[] = {
    {"--host", "ADDR", "listen address (default " SKEW_EX_DEFAULT_HOST ")", set_host},
    {"--port", "N", "listen port (default " SKEW_EX__XSTR(SKEW_EX_DEFAULT_PORT) "; 0 picks a free one)", set_port},
    {"--build-id", "ID",
     "the version this server runs (default " SKEW_EX_DEFAULT_BUILD_ID ";\n"
     "with --root: the id in DIR/" SKEW_EX_BUILD_FILE ", followed live)",
     set_build_id},
    {"--base", "PATH", "base path of the endpoints (default " SKEW_EX_DEFAULT_BASE ")", set_base},
    {"--route-tracking", NULL, "record and report the route each client views", set_route_tracking},
    {"--ip-tracking", NULL, "record and report client IP addresses", set_ip_tracking},
    {"--trust-proxy", "CIDR",
     "a proxy whose forwarding headers are believed; repeatable,\n"
     "replaces the default (loopback); 'all' or 'none' also work",
     set_trust_proxy},
    {"--stats-interval-ms", "N", "coalescing window for stats pushes (0: push at once)", set_stats_interval},
    {"--keepalive-ms", "N", "SSE keepalive and WebSocket ping interval (default 30000)", set_keepalive},
    {"--max-connections", "N", "cap on tracked SSE/WS connections (default 1024)", set_max_conn},
    {"--max-connections-per-ip", "N",
     "tracked connections per client address (IPv6: per /64), as the\n"
     "trust policy resolves it; default 64 with loopback exempt; an\n"
     "explicit N applies to loopback too; 0: no cap. The dashboard\n"
     "(stats-authorized) always passes, and 4 slots past\n"
     "--max-connections stay for it",
     set_max_per_ip},
    {"--max-output-bytes", "N",
     "unsent output per connection before it is closed (default 1048576)",
     set_max_output},
    {"--version-cookie", "NAME",
     "the version cookie's name (default __nkpv; the Nuxt module\n"
     "uses __nkpv_<base> for an app with a baseURL)",
     set_version_cookie},
    {"--root", "DIR", "serve static files from DIR (built-in pages move to " SKEW_EX_UI_PREFIX "/)", set_root},
    {"--timeline-samples", "N",
     "rollout timeline samples kept (default " SKEW_EX__XSTR(SKEW_TIMELINE_DEFAULT_SAMPLES) ": 1 h at 10 s; 0: none)",
     set_timeline_samples},
    {"--timeline-period-ms", "N", "one timeline sample every N ms (default 10000)", set_timeline_period},
    {"--quiet", NULL, "errors only (default)", set_quiet},
    {"--verbose", NULL, "more log output; twice for debug output", set_verbose},
    {"-v", NULL, NULL, set_verbose},
};

static void skew_ex__server_defaults(void *ctx) {
    skew_ex_options_defaults(SKEW_EX__O); /* the tokens: skew_auth's group */
}

static bool skew_ex__server_finish(void *ctx, const char *prog) {
    if (SKEW_EX__O->ip_policy.trust_all && SKEW_EX__O->ip_policy.trust_none) {
        fprintf(stderr, "%s: --trust-proxy all and none contradict each other\n", prog);
        return false;
    }
    skew_ex_log_set_verbosity(SKEW_EX__O->verbosity);
    return true;
}
#undef SKEW_EX__O

skew_ex_opt_group skew_ex_server_opt_group(skew_ex_options *o) {
    skew_ex_opt_group g;
    memset(&g, 0, sizeof g);
    g.title = NULL; /* the first group: no heading */
    g.opts = skew_ex__server_opts;
    g.count = sizeof skew_ex__server_opts / sizeof skew_ex__server_opts[0];
    g.ctx = o;
    g.defaults = skew_ex__server_defaults;
    g.finish = skew_ex__server_finish;
    return g;
}

skew_ex_args_result skew_ex_parse_args(skew_ex_options *o, int argc, char **argv, const char *prog) {
    skew_ex_opt_group g = skew_ex_server_opt_group(o);
    skew_ex_args_result r = skew_ex_opts_parse(&g, 1, argc, argv, prog);
    if (r == SKEW_EX_ARGS_EXIT_OK) skew_ex_usage(stdout, prog, &g, 1);
    return r;
}

void skew_ex_apply_config(const skew_ex_options *o, skew_config *cfg) {
    cfg->server_version = o->build_id;
    cfg->base_path = o->base;
    cfg->version_cookie = o->version_cookie;
    cfg->route_tracking = o->route_tracking;
    cfg->ip_tracking = o->ip_tracking;
    cfg->ip_policy = o->ip_policy;
    if (o->stats_interval_set)
        cfg->stats_interval_ms = o->stats_interval_ms ? o->stats_interval_ms : SKEW_STATS_IMMEDIATE;
    if (o->keepalive_ms) cfg->keepalive_ms = o->keepalive_ms;
    if (o->max_connections) cfg->max_connections = o->max_connections;
    if (o->max_per_ip_set) cfg->max_connections_per_ip = o->max_per_ip ? o->max_per_ip : SKEW_PER_IP_UNLIMITED;
    cfg->timeline_samples = o->timeline_samples;
    if (o->timeline_period_ms) cfg->timeline_period_ms = o->timeline_period_ms;
    cfg->hooks.log = skew_ex_log_hook;
    cfg->frame_sse = true; /* the send hooks queue SSE events as the tracker frames them */
}

bool skew_ex_create_tracker(const skew_ex_options *o, const skew_hooks *hooks, const char *prog, skew_tracker **out) {
    skew_config cfg;
    skew_result r;
    memset(&cfg, 0, sizeof cfg);
    cfg.hooks = *hooks;
    skew_ex_apply_config(o, &cfg);
    r = skew_tracker_create(out, &cfg);
    if (r != SKEW_OK) {
        fprintf(stderr, "%s: invalid configuration: %s\n", prog, skew_result_str(r));
        return false;
    }
    return true;
}

bool skew_ex_make_run_token(skew_ex_options *o, bool interactive) {
    unsigned char raw[16];
    size_t i;
    FILE *f;
    o->run_token[0] = '\0';
    if (o->admin_token || !interactive) return false;
    f = fopen("/dev/urandom", "rb");
    if (!f) return false;
    i = fread(raw, 1, sizeof raw, f);
    fclose(f);
    if (i != sizeof raw) return false;
    for (i = 0; i < sizeof raw; i++) {
        o->run_token[2 * i] = "0123456789abcdef"[raw[i] >> 4];
        o->run_token[2 * i + 1] = "0123456789abcdef"[raw[i] & 15];
    }
    o->run_token[2 * sizeof raw] = '\0';
    o->admin_token = o->run_token;
    return true;
}

void skew_ex_print_banner(FILE *out, const skew_ex_options *o, const char *prog, unsigned port) {
    const char *host = o->host;
    const char *ui = o->root ? SKEW_EX_UI_PREFIX : "";
    char origin[96];
    bool v6;
    if (!strcmp(host, "0.0.0.0")) host = "127.0.0.1"; /* a browser cannot open the wildcard */
    if (!strcmp(host, "::")) host = "::1";
    v6 = strchr(host, ':') != NULL;
    snprintf(origin, sizeof origin, v6 ? "%s://[%s]:%u" : "%s://%s:%u", o->https ? "https" : "http", host, port);
    if (o->admin_token && o->admin_token == o->run_token)
        fprintf(out, "%s: %s/  dashboard: %s%s/admin#token=%s  (token made for this run)\n", prog, origin, origin, ui,
                o->run_token);
    else if (o->admin_token)
        fprintf(out, "%s: %s/  dashboard: %s%s/admin  (admin token as given)\n", prog, origin, origin, ui);
    else
        fprintf(out, "%s: %s/  dashboard: %s%s/admin  (no admin token: pass --admin-token to see data)\n", prog,
                origin, origin, ui);
    fflush(out);
}

uint32_t skew_ex_sweep_ms(uint32_t keepalive_ms) {
    uint32_t ms = keepalive_ms / 2;
    return ms > 5000 ? 5000 : ms < 250 ? 250 : ms;
}

/* ======================================================================================
   >>signals
   ====================================================================================== */

static volatile sig_atomic_t skew_ex__stop;

static void skew_ex__on_signal(int sig) {
    (void)sig;
    if (skew_ex__stop) _exit(1); /* second signal: the user means it */
    skew_ex__stop = 1;
}

void skew_ex_signals_install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = skew_ex__on_signal;
    sa.sa_flags = 0; /* no SA_RESTART: poll() returns EINTR and the loop sees the flag */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    skew_auth_signals_install(); /* SIGHUP: secrets reload */
}

bool skew_ex_stop_requested(void) { return skew_ex__stop != 0; }
void skew_ex_request_stop(void) { skew_ex__stop = 1; }

/* ======================================================================================
   >>log
   ====================================================================================== */

static int skew_ex__verbosity = SKEW_EX_QUIET;

void skew_ex_log_set_verbosity(int verbosity) { skew_ex__verbosity = verbosity; }
bool skew_ex_log_enabled(skew_ex_log_level level) { return (int)level <= skew_ex__verbosity; }

void skew_ex_logf(skew_ex_log_level level, const char *fmt, ...) {
    static const char *const names[] = {"error", "info", "debug"};
    va_list ap;
    if (!skew_ex_log_enabled(level)) return;
    va_start(ap, fmt);
    skew_ex_log_vline(names[level], fmt, ap); /* time, level, instance; text or JSON (skew_log.c) */
    va_end(ap);
}

void skew_ex_log_open(void *user_data, const skew_conn *sc) {
    (void)user_data;
    skew_ex_live_add(sc->handle); /* for the drain */
    skew_ex_logf(SKEW_EX_LOG_INFO, "open %s %s", sc->id, sc->transport == SKEW_TRANSPORT_WS ? "ws" : "sse");
}

void skew_ex_log_close(const skew_conn *sc, skew_close_reason reason) {
    const char *why = reason == SKEW_CLOSE_REASON_CLIENT ? "client" : reason == SKEW_CLOSE_REASON_SLOW ? "slow consumer"
                      : reason == SKEW_CLOSE_REASON_SEND_FAILED ? "send failed" : reason == SKEW_CLOSE_REASON_TIMEOUT ? "timeout"
                      : "shutdown";
    skew_ex_log_stream_close(sc, why);
    skew_ex_live_remove(sc->handle);
    skew_ex_logf(SKEW_EX_LOG_INFO, "close %s (%s)", sc->id, why);
}

void skew_ex_log_hook(void *user_data, skew_log_level level, const char *msg) {
    skew_ex_log_level l = level >= SKEW_LOG_LEVEL_ERROR ? SKEW_EX_LOG_ERROR
                          : level >= SKEW_LOG_LEVEL_INFO ? SKEW_EX_LOG_INFO : SKEW_EX_LOG_DEBUG;
    (void)user_data;
    skew_ex_logf(l, "tracker: %s", msg ? msg : "");
}

/* ======================================================================================
   >>util
   ====================================================================================== */

uint64_t skew_ex_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t skew_ex_mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

size_t skew_ex_json_error(char *buf, size_t cap, const char *msg) {
    char esc[256];
    size_t n = skew_write_json_string(skew_str_c(msg), esc, sizeof esc);
    int w;
    if (n >= sizeof esc) { /* messages are short literals; cut rather than fail */
        memcpy(esc, "\"error\"", 8);
    }
    w = snprintf(buf, cap, "{\"ok\":false,\"error\":%s}", esc);
    return w < 0 ? 0 : (size_t)w;
}

/* ======================================================================================
=======
   >>build  the build id of a Nuxt build under --root
   ====================================================================================== */

/* A file holding just the id (--build-id-file): one token of printable ASCII, surrounding
   whitespace ignored. */
static bool skew_ex__plain_build_id(const char *buf, size_t n, char *id, size_t cap, size_t *len) {
    size_t a = 0, i;
    while (a < n && (buf[a] == ' ' || buf[a] == '\t' || buf[a] == '\r' || buf[a] == '\n')) a++;
    while (n > a && (buf[n - 1] == ' ' || buf[n - 1] == '\t' || buf[n - 1] == '\r' || buf[n - 1] == '\n')) n--;
    if (n == a || n - a >= cap || buf[a] == '{') return false;
    for (i = a; i < n; i++)
        if ((unsigned char)buf[i] <= 0x20 || (unsigned char)buf[i] >= 0x7f) return false;
    memcpy(id, buf + a, n - a);
    id[n - a] = '\0';
    *len = n - a;
    return true;
}

/* Read latest.json's "id" into id (NUL-terminated); with plain, a file holding just the id
   too. False if unreadable, too big or no id. */
static bool skew_ex__read_build_id(const char *file_path, bool plain, char *id, size_t cap, size_t *len) {
    char buf[SKEW_EX_BUILD_FILE_MAX + 1];
    size_t n;
    FILE *f = fopen(file_path, "rb");
    skew_str json;
    if (!f) return false;
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (n == 0 || n > SKEW_EX_BUILD_FILE_MAX) return false;
    json.ptr = buf;
    json.len = n;
    if (skew_json_get_string(json, "id", id, cap, len) == SKEW_OK && *len > 0) return true;
    return plain && skew_ex__plain_build_id(buf, n, id, cap, len);
}

/* --root again: a deploy that switches a symlink (current -> releases/N+1) changes where it
   leads. The files served and the build file then both come from the new directory. */
static void skew_ex__reroot(skew_ex_site *site) {
    struct stat st;
    char *real;
    if (!site->opt || !site->opt->root || !site->root_real) return;
    real = realpath(site->opt->root, NULL);
    if (!real) return; /* mid-switch or gone: keep serving what was there */
    if (!strcmp(real, site->root_real) || stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
        free(real);
        return;
    }
    skew_ex_logf(SKEW_EX_LOG_INFO, "--root %s now leads to %s", site->opt->root, real);
    free(site->root_real);
    site->root_real = real;
    site->root_real_len = strlen(real);
    if (site->root_real_len == 1) site->root_real_len = 0;
    if (site->build.state != SKEW_EX_BUILD_OFF && !site->build.plain)
        snprintf(site->build.path, sizeof site->build.path, "%s/%s", real, SKEW_EX_BUILD_FILE);
}

void skew_ex_build_first(skew_ex_site *site, skew_ex_options *o) {
    skew_ex_build_file *b = &site->build;
    size_t len = 0;
    if (b->state == SKEW_EX_BUILD_OFF) return;
    if (!skew_ex__read_build_id(b->path, b->plain, b->start_id, sizeof b->start_id, &len)) return;
    o->build_id = b->start_id;
}

void skew_ex_build_sync(skew_ex_site *site, skew_tracker *t) {
    skew_ex_build_file *b = &site->build;
    struct stat st;
    char id[256];
    size_t len = 0;
    skew_str cur;
    skew_result r;

    skew_ex__reroot(site);
    if (b->state == SKEW_EX_BUILD_OFF) return;
    if (stat(b->path, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (b->seen) skew_ex_logf(SKEW_EX_LOG_INFO, "%s is gone: build unknown, no version cookie", b->path);
        b->seen = false;
        if (b->state == SKEW_EX_BUILD_KNOWN) b->state = SKEW_EX_BUILD_UNKNOWN;
        return;
    }
    /* Unchanged since it was read: nothing to do, unless it was modified within the last 2 s,
       where two writes can share a (coarse) timestamp and a size: then it is read again. */
    if (b->seen && b->dev == (uint64_t)st.st_dev && b->ino == (uint64_t)st.st_ino &&
        b->size == (uint64_t)st.st_size &&
        b->mtime_ns == (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec &&
        b->ctime_ns == (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec &&
        skew_ex_now_ms() / 1000 > (uint64_t)st.st_mtim.tv_sec + 2)
        return;
    b->seen = true;
    b->dev = (uint64_t)st.st_dev;
    b->ino = (uint64_t)st.st_ino;
    b->size = (uint64_t)st.st_size;
    b->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    b->ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
    /* a file being written reads as invalid JSON: unknown until it changes again */
    if (!skew_ex__read_build_id(b->path, b->plain, id, sizeof id, &len)) {
        if (b->state != SKEW_EX_BUILD_UNKNOWN)
            skew_ex_logf(SKEW_EX_LOG_ERROR, "%s: no build id in it: build unknown, no version cookie", b->path);
        b->state = SKEW_EX_BUILD_UNKNOWN;
        return;
    }
    /* the same build as before (a touch, a racy re-read): an admin/version set since stays */
    if (b->state == SKEW_EX_BUILD_KNOWN && len == b->file_id_len && !memcmp(id, b->file_id, len)) return;
    memcpy(b->file_id, id, len);
    b->file_id_len = len;
    cur = skew_get_server_version(t);
    if (cur.len == len && !memcmp(cur.ptr, id, len)) {
        b->state = SKEW_EX_BUILD_KNOWN;
        return;
    }
    cur.ptr = id;
    cur.len = len;
    r = skew_set_server_version(t, cur); /* tells every client */
    if (r != SKEW_OK) {
        skew_ex_logf(SKEW_EX_LOG_ERROR, "%s: build id not usable as a version: %s", b->path, skew_result_str(r));
        b->state = SKEW_EX_BUILD_UNKNOWN;
        return;
    }
    b->state = SKEW_EX_BUILD_KNOWN;
    b->announce = true; /* the cluster hears of it (skew_ex_server_tick) */
    skew_ex_logf(SKEW_EX_LOG_INFO, "build %s (from %s)", id, b->path);
}

void skew_ex_build_poll(skew_ex_site *site, skew_tracker *t, uint64_t mono_ms) {
    skew_ex_build_file *b = &site->build;
    if ((b->state == SKEW_EX_BUILD_OFF && !site->root_real) || mono_ms - b->checked_ms < SKEW_EX_BUILD_POLL_MS) return;
    b->checked_ms = mono_ms;
    skew_ex_build_sync(site, t);
}

bool skew_ex_html_cookie(skew_ex_site *site, skew_tracker *t, char *buf, size_t cap) {
    skew_ex_build_file *b = &site->build;
    skew_str files;
    skew_ex_build_sync(site, t);
    if (b->state == SKEW_EX_BUILD_UNKNOWN) return false;
    if (b->state != SKEW_EX_BUILD_KNOWN) return skew_ex_version_cookie(t, buf, cap) < cap;
    /* the files' build, also after an admin/version call named another version */
    files.ptr = b->file_id;
    files.len = b->file_id_len;
    return skew_ex_cookie_for_version(t, files, buf, cap) < cap;
}

/* ======================================================================================
   >>server
   ====================================================================================== */

static skew_auth_result server_authorize(void *user_data, const skew_request *req, skew_auth_scope scope) {
    skew_ex_server *s = (skew_ex_server *)user_data;
    skew_auth_result a = skew_auth_check(&s->auth, s->t, req, scope, NULL, 0), p;
    char who[128], peer[SKEW_IP_STR_MAX];
    if (a == SKEW_AUTH_RESULT_GRANTED) return a;
    /* The app's own admins (skew_person.h), then --auth-url (skew_forward.h). Their cookies are
       cookie credentials: they count only from this origin (skew_auth_origin_ok), like the
       dashboard's session. */
    if (!skew_auth_origin_ok(&s->auth, req)) return a == SKEW_AUTH_RESULT_UNAVAILABLE ? SKEW_AUTH_RESULT_DENIED : a;
    p = skew_person_check(&s->person, req, scope, who, sizeof who);
    if (p == SKEW_AUTH_RESULT_GRANTED) {
        if (!req->peer.family || skew_ip_format(&req->peer, peer, sizeof peer) >= sizeof peer) strcpy(peer, "-");
        skew_auth_audit(&s->auth, "%s granted to %s from %s", scope == SKEW_AUTH_SCOPE_ADMIN ? "admin" : "stats", who,
                        peer);
        return p;
    }
    if (p == SKEW_AUTH_RESULT_DENIED) s->auth.denied[SKEW_AUTH_M_PERSON]++;
    if (p != SKEW_AUTH_RESULT_UNAVAILABLE) a = a == SKEW_AUTH_RESULT_UNAVAILABLE ? p : a; /* a refusal beats "nothing configured" */
    /* last, --auth-url: the app itself answers, later (PENDING; skew_forward_poll delivers it) */
    p = skew_forward_ask(&s->fwd, s->t, req, scope, skew_ex_mono_ms());
    if (p == SKEW_AUTH_RESULT_GRANTED || p == SKEW_AUTH_RESULT_PENDING) return p;
    return a == SKEW_AUTH_RESULT_UNAVAILABLE ? p : a;
}

static void server_person_log(void *ctx, const char *line) {
    (void)ctx;
    skew_ex_logf(SKEW_EX_LOG_ERROR, "%s", line);
}

/* SIGHUP (skew_auth's reload list): the session passwords and JWT keys read again. */
static void server_person_reload(void *ctx) { skew_person_reload(&((skew_ex_server *)ctx)->person); }
/* A WebSocket authorized for stats at its handshake: the grant follows the connection. */
static void server_on_open(void *user_data, const skew_conn *sc) {
    skew_ex_server *s = (skew_ex_server *)user_data;
    if (sc->transport == SKEW_TRANSPORT_WS) skew_auth_bind(&s->auth, s->t, sc->handle);
    skew_auth_clear_pending(&s->auth);
    skew_ex_log_open(user_data, sc);
}

void skew_ex_server_hooks(skew_ex_server *s, skew_hooks *hooks,
                          skew_result (*send)(void *user_data, const skew_conn *conn, const char *msg, size_t len),
                          void (*on_close)(void *user_data, const skew_conn *conn, skew_close_reason reason)) {
    memset(hooks, 0, sizeof *hooks);
    hooks->user_data = s;
    hooks->send = send;
    hooks->on_open = server_on_open;
    hooks->on_close = on_close;
    hooks->authorize = server_authorize;
}

/* skew_auth's audit lines through the server's logger, written whatever the verbosity. */
static void skew_ex__audit_line(const char *line) { skew_ex_log_audit("%s", line); }

/* SIGHUP (skew_auth's reload list): the certificate and key files read again. */
static void skew_ex__tls_reload(void *ctx) {
    skew_ex_server *s = (skew_ex_server *)ctx;
    skew_tls_reload(&s->tls, s->prog);
}

bool skew_ex_start(skew_ex_server *s, const char *prog, int argc, char **argv, const skew_hooks *hooks) {
    const skew_config *resolved;
    s->prog = prog;
    s->exit_code = 2;
    s->person.prog = prog;
    s->person.log = server_person_log;
    s->fwd.log = server_person_log;
    {
        /* every module's flags: one table (skew_options.h); add a module's group here */
        skew_ex_opt_group groups[16];
        size_t n = 0;
        groups[n++] = skew_ex_server_opt_group(&s->opt);
        groups[n++] = skew_cluster_opt_group(&s->copt);
        groups[n++] = skew_ex_ip_header_opt_group(&s->opt);
        groups[n++] = skew_auth_opt_group(&s->auth);
        groups[n++] = skew_tls_opt_group(&s->tls);
        groups[n++] = skew_person_opt_group(&s->person);
        groups[n++] = skew_forward_opt_group(&s->fwd);
        groups[n++] = skew_ex_life_opt_group(&s->life);
        groups[n++] = skew_ex_log_opt_group();
        groups[n++] = skew_ex_config_opt_group();
        /* --config FILE first, then argv (skew_config_file.h) */
        switch (skew_ex_config_parse_args(groups, n, argc, argv, prog)) {
        case SKEW_EX_ARGS_OK: break;
        case SKEW_EX_ARGS_EXIT_OK:
            skew_ex_usage(stdout, prog, groups, n);
            s->exit_code = 0;
            return false;
        default: return false;
        }
    }
    if (skew_ex_config_check_only()) { /* --check-config: every flag and the file parsed */
        printf("%s: configuration OK\n", prog);
        s->exit_code = 0;
        return false;
    }
    if (!skew_ex_log_start(prog, s->copt.instance_id)) return false;
    skew_auth_audit_sink = skew_ex__audit_line;
    if (skew_auth_has_admin(&s->auth)) s->opt.admin_token = s->auth.admin.value;
    s->opt.https = skew_tls_enabled(&s->tls);
    skew_ex_make_run_token(&s->opt, isatty(STDOUT_FILENO) == 1);
    if (!skew_auth_init(&s->auth, prog, s->opt.base, &s->opt.ip_policy, s->opt.run_token)) return false;
    if (skew_tls_enabled(&s->tls)) skew_auth_on_reload(&s->auth, skew_ex__tls_reload, s); /* SIGHUP */
    skew_auth_on_reload(&s->auth, server_person_reload, s);
    skew_ex_life_init(&s->life);
    if (!skew_ex_site_init(&s->site, &s->opt)) return false;
    if (s->life.build_id_file && !s->opt.build_id_set) { /* --build-id-file: followed, nothing served */
        skew_ex_build_file *b = &s->site.build;
        int n = snprintf(b->path, sizeof b->path, "%s", s->life.build_id_file);
        if (n <= 0 || (size_t)n >= sizeof b->path) {
            fprintf(stderr, "%s: --build-id-file: path too long\n", prog);
            skew_ex_site_free(&s->site);
            return false;
        }
        b->state = SKEW_EX_BUILD_NONE;
        b->plain = true;
    }
    /* the build file's id before the tracker and the cluster registration exist: never "dev" */
    skew_ex_build_first(&s->site, &s->opt);
    if (!skew_ex_create_tracker(&s->opt, hooks, prog, &s->t)) {
        skew_ex_site_free(&s->site);
        return false;
    }
    if (s->copt.redis_url && !skcl_node_retrack(&s->t, &s->copt, prog)) {
        skew_tracker_destroy(s->t);
        s->t = NULL;
        skew_ex_site_free(&s->site);
        return false;
    }
    resolved = skew_get_config(s->t);
    s->lim.max_body = resolved->max_body;
    s->lim.keepalive_ms = resolved->keepalive_ms;
    s->lim.sweep_ms = skew_ex_sweep_ms(s->lim.keepalive_ms);
    skew_ex_build_sync(&s->site, s->t);
    s->site.build.announce = false; /* the start registration carries it */
    s->next_ping = skew_ex_mono_ms() + s->lim.keepalive_ms;
    s->next_sweep = skew_ex_mono_ms() + s->lim.sweep_ms;
    s->exit_code = 0;
    return true;
}

bool skew_ex_cluster_start(skew_ex_server *s, struct ev_loop *loop, skcl_link_wake_fn wake, skcl_node_respond_fn respond,
                           skcl_node_kick_fn kick) {
    s->node = skcl_node_create(s->t, &s->copt, s->opt.build_id, loop, wake, respond, kick, s);
    if (!s->node) fprintf(stderr, "%s: cannot start the cluster link\n", s->prog);
    return s->node != NULL;
}

void skew_ex_begin_shutdown(skew_ex_server *s) {
    uint64_t mono = skew_ex_mono_ms();
    if (s->stopping) return;
    skew_ex_drain_begin(s, mono); /* the drain's policy lives in skew_lifecycle.c */
    skew_ex_drain_step(s, mono);
}

bool skew_ex_shutdown_done(const skew_ex_server *s, uint64_t mono) {
    return s->stopping && s->life.drain_done && (s->open_conns == 0 || mono > s->stop_deadline) &&
           skcl_node_left(s->node);
}

uint32_t skew_ex_server_tick(skew_ex_server *s, skew_ex_sweep_fn ping, skew_ex_sweep_fn liveness) {
    uint64_t mono = skew_ex_mono_ms(), wait;
    uint32_t cap = SKEW_EX_SIGNAL_POLL_MS;

    if (skew_ex_stop_requested()) skew_ex_begin_shutdown(s);
    if (mono >= s->next_ping) {
        ping(s, mono);
        s->next_ping = mono + s->lim.keepalive_ms;
    }
    if (mono >= s->next_sweep) {
        liveness(s, mono);
        s->next_sweep = mono + s->lim.sweep_ms;
    }
    skew_ex_build_poll(&s->site, s->t, mono); /* a deploy under --root: version push */
    skew_auth_tick(&s->auth, s->t, mono);       /* SIGHUP reload, session expiry */
    if (s->site.build.announce) { /* a new build from the file: every instance hears of it */
        s->site.build.announce = false;
        skcl_node_push_build(s->node);
    }
    skew_ex_life_tick(s, mono); /* ready, watchdog, drain */
    skew_ex_log_reopen_if_asked(); /* SIGUSR1: --log-file again (logrotate) */
    skew_forward_poll(&s->fwd, s->t, mono);   /* --auth-url answers: stats verdicts */
    wait = skew_tick(s->t, skew_ex_mono_ms()); /* last: the sweeps' changes are in its delay */
    if (s->next_ping - mono < wait) wait = s->next_ping - mono;
    if (s->next_sweep - mono < wait) wait = s->next_sweep - mono;
    if (s->node) {
        uint32_t cw = skcl_node_tick(s->node, skew_ex_now_ms());
        if (cw < wait) wait = cw;
    }
    if (s->stopping) cap = SKEW_EX_STOPPING_POLL_MS;
    if (skew_forward_busy(&s->fwd)) cap = SKEW_FORWARD_POLL_MS;
    if (wait > cap) wait = cap;
    if (wait < 1) wait = 1;
    return (uint32_t)wait;
}

void skew_ex_open_error(skew_ex_server *s, const skew_request *req, skew_result res, skew_response *r, char *body,
                        size_t cap) {
    memset(r, 0, sizeof *r);
    if (skew_http_open_error(s->t, req, res, r, body, cap) == SKEW_ERR_TRUNCATED) r->body_len = cap - 1;
    skew_ex_log_access(s, req, r->status);
}

const char *skew_ex_status_reason(int status) {
    switch (status) {
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return status < 300 ? "OK" : status < 400 ? "Redirect" : status < 500 ? "Client Error" : "Server Error";
    }
}

bool skew_ex_is_head(const skew_request *req) { return req->method.len == 4 && !memcmp(req->method.ptr, "HEAD", 4); }

/* skew_http, asked again into *big for a large GET answer. */
static skew_result skew_ex__http(skew_ex_server *s, const skew_request *req, skew_response *r, char *small, size_t cap,
                                 char **big) {
    skew_result res;
    bool get = skew_ex_is_head(req) || (req->method.len == 3 && !memcmp(req->method.ptr, "GET", 3));
    size_t need;

    *big = NULL;
    memset(r, 0, sizeof *r);
    if (skew_ex_answer_ready(s, req, r, small, cap)) {
        skew_ex_log_access(s, req, r->status);
        return SKEW_OK;
    }
    res = skew_http(s->t, req, r, small, cap);
    skew_ex_log_access(s, req, res == SKEW_OK || res == SKEW_ERR_NOT_LOCAL ? r->status : 500);
    if (res == SKEW_OK && s->node) skcl_node_after_http(s->node, req, r->status);
    if (res != SKEW_ERR_TRUNCATED || !get) return res;
    need = r->body_len + 1;
    *big = (char *)malloc(need);
    if (!*big) return SKEW_ERR_NOMEM;
    memset(r, 0, sizeof *r);
    res = skew_http(s->t, req, r, *big, need);
    if (res != SKEW_OK) {
        free(*big);
        *big = NULL;
        return res == SKEW_ERR_NOMEM ? res : SKEW_ERR_TRUNCATED;
    }
    if (s->node) skcl_node_after_http(s->node, req, r->status); /* a big GET admin/stats: a dashboard */
    return res;
}

/* /metrics: more lines after the tracker's series: text(ctx, buf, cap) with the snprintf contract,
   into small when they fit, else into a new *big holding the whole answer. */
typedef size_t (*skew_ex__text_fn)(const void *ctx, char *buf, size_t cap);
static size_t skew_ex__auth_text(const void *ctx, char *buf, size_t cap) {
    return skew_auth_metrics_text((const skew_auth_state *)ctx, buf, cap);
}
static size_t skew_ex__forward_text(const void *ctx, char *buf, size_t cap) {
    return skew_forward_metrics_text((const skew_forward *)ctx, buf, cap);
}
static size_t skew_ex__defences_text(const void *ctx, char *buf, size_t cap) {
    return skew_ex_defences_text((const skew_ex_defences *)ctx, buf, cap);
}
static skew_result skew_ex__metrics_append(skew_response *r, skew_ex__text_fn text, const void *ctx, char *small,
                                           size_t cap, char **big) {
    size_t extra = text(ctx, NULL, 0), total = r->body_len + extra;
    char *body = *big ? *big : small, *grown;
    if (!*big && total < cap) {
        text(ctx, small + r->body_len, cap - r->body_len);
        r->body_len = total;
        return SKEW_OK;
    }
    grown = (char *)malloc(total + 1);
    if (!grown) return SKEW_ERR_NOMEM;
    memcpy(grown, body, r->body_len);
    text(ctx, grown + r->body_len, extra + 1);
    free(*big);
    *big = grown;
    r->body_len = total;
    return SKEW_OK;
}

skew_result skew_ex_http(skew_ex_server *s, const skew_request *req, skew_response *r, char *small, size_t cap,
                         char **big) {
    skew_result res;
    *big = NULL;
    memset(r, 0, sizeof *r);
    /* login, logout, cross-site and non-JSON admin requests: answered before the tracker */
    if (skew_auth_http(&s->auth, s->t, req, r, small, cap, s->set_cookie, sizeof s->set_cookie)) return SKEW_OK;
    res = skew_ex__http(s, req, r, small, cap, big);
    skew_auth_after_http(&s->auth, s->t, req, r); /* subscribe-stats grants followed, admin audit */
    if (res == SKEW_OK && r->status == 200 && skew_route_path(s->t, req->path) == SKEW_ENDPOINT_METRICS) {
        /* skew_auth counts the cross-origin refusals; the defence series shows the same number */
        skew_metrics m;
        skew_get_metrics(s->t, &m);
        s->defences.n[SKEW_EX_DEFENCE_PER_IP] = m.refused_per_ip; /* the tracker counts these */
        s->defences.n[SKEW_EX_DEFENCE_CROSS_ORIGIN] = s->auth.denied[SKEW_AUTH_M_ORIGIN];
        res = skew_ex__metrics_append(r, skew_ex__auth_text, &s->auth, small, cap, big);
        if (res == SKEW_OK) res = skew_ex__metrics_append(r, skew_ex__forward_text, &s->fwd, small, cap, big);
        if (res == SKEW_OK) res = skew_ex__metrics_append(r, skew_ex__defences_text, &s->defences, small, cap, big);
    }
    return res;
}

void skew_ex_tune_fd_limit(uint32_t max_connections) {
    struct rlimit rl;
    rlim_t want = (rlim_t)max_connections + 1024u;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
    if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max) {
        skew_ex_logf(SKEW_EX_LOG_ERROR, "fd limit %llu is below --max-connections %u + 1024: raise ulimit -n",
                     (unsigned long long)rl.rlim_max, (unsigned)max_connections);
        want = rl.rlim_max;
    }
    if (want == rl.rlim_cur) return;
    rl.rlim_cur = want;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        skew_ex_logf(SKEW_EX_LOG_ERROR, "setrlimit(RLIMIT_NOFILE) failed: %s", strerror(errno));
}
