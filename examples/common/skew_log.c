/* skew_log.c - log lines: timestamps, levels, instance, text or JSON, file and reopen,
   escaping of client text. See skew_log.h. */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "skew_log.h"
#include "skew_posix.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SKEW_EX_LOG_LINE_MAX 4096u /* a longer message is cut (and says so) */

static struct {
    bool json;                /* --log-format json */
    bool access;              /* --access-log */
    const char *file;         /* --log-file PATH, or NULL: stderr */
    FILE *out;                /* NULL: stderr */
    char instance[96];
    const char *prog;
} skew_ex__log = {false, false, NULL, NULL, "-", "skew"};

static volatile sig_atomic_t skew_ex__log_reopen;
/* One line at a time, and never while the file is swapped: the cluster link logs from its own
   thread (mongoose). */
static pthread_mutex_t skew_ex__log_mu = PTHREAD_MUTEX_INITIALIZER;

/* ======================================================================================
   >>flags
   ====================================================================================== */

static bool set_log_format(void *ctx, const char *v, const char **why) {
    (void)ctx;
    *why = "text or json";
    if (!strcmp(v, "json")) skew_ex__log.json = true;
    else if (!strcmp(v, "text")) skew_ex__log.json = false;
    else return false;
    return true;
}
static bool set_access_log(void *ctx, const char *v, const char **why) {
    (void)ctx, (void)v, (void)why;
    skew_ex__log.access = true;
    return true;
}
static bool set_log_file(void *ctx, const char *v, const char **why) {
    (void)ctx;
    *why = "a file path";
    return skew_ex_set_text(&skew_ex__log.file, v);
}

static const skew_ex_opt skew_ex__log_opts[] = {
    {"--log-format", "FMT", "text (default) or json: one JSON object per line", set_log_format},
    {"--access-log", NULL, "log every HTTP request and stream open/close with the client IP", set_access_log},
    {"--log-file", "PATH", "append the log to PATH instead of stderr; SIGUSR1 reopens it", set_log_file},
};

skew_ex_opt_group skew_ex_log_opt_group(void) {
    return SKEW_EX_OPT_GROUP("Logging", skew_ex__log_opts, &skew_ex__log, NULL, NULL);
}

/* ======================================================================================
   >>file
   ====================================================================================== */

static void skew_ex__on_usr1(int sig) {
    (void)sig;
    skew_ex__log_reopen = 1;
}

static bool skew_ex__log_open(void) {
    FILE *f = fopen(skew_ex__log.file, "a");
    if (!f) {
        fprintf(stderr, "%s: --log-file %s: %s\n", skew_ex__log.prog, skew_ex__log.file, strerror(errno));
        return false;
    }
    setvbuf(f, NULL, _IOLBF, 0); /* whole lines, at once */
    pthread_mutex_lock(&skew_ex__log_mu);
    if (skew_ex__log.out) fclose(skew_ex__log.out);
    skew_ex__log.out = f;
    pthread_mutex_unlock(&skew_ex__log_mu);
    return true;
}

bool skew_ex_log_start(const char *prog, const char *instance_id) {
    skew_ex__log.prog = prog;
    if (instance_id && *instance_id) {
        snprintf(skew_ex__log.instance, sizeof skew_ex__log.instance, "%s", instance_id);
    } else {
        char host[64] = "host";
        if (gethostname(host, sizeof host - 1) != 0) strcpy(host, "host");
        host[sizeof host - 1] = '\0';
        snprintf(skew_ex__log.instance, sizeof skew_ex__log.instance, "%s-%ld", host, (long)getpid());
    }
    if (skew_ex__log.file && !skew_ex__log_open()) return false;
    skew_ex_signal(SIGUSR1, skew_ex__on_usr1, SA_RESTART);
    return true;
}

void skew_ex_log_reopen_if_asked(void) {
    if (!skew_ex__log_reopen) return;
    skew_ex__log_reopen = 0;
    if (skew_ex__log.file && skew_ex__log_open()) skew_ex_log_audit("log file reopened (SIGUSR1)");
}

bool skew_ex_log_access_enabled(void) { return skew_ex__log.access; }

/* ======================================================================================
   >>escape
   ====================================================================================== */

/* Length of a valid UTF-8 sequence at p (n bytes left) that is safe in a log line, or 0:
   overlong, surrogates, C1 controls (U+0080..U+009F), U+2028/U+2029 and the bidi controls
   (U+200E/F, U+202A..U+202E, U+2066..U+2069) are not. */
static size_t skew_ex__utf8_safe(const unsigned char *p, size_t n) {
    uint32_t cp;
    size_t len, i;
    if (p[0] >= 0xC2 && p[0] <= 0xDF) len = 2, cp = p[0] & 0x1Fu;
    else if (p[0] >= 0xE0 && p[0] <= 0xEF) len = 3, cp = p[0] & 0x0Fu;
    else if (p[0] >= 0xF0 && p[0] <= 0xF4) len = 4, cp = p[0] & 0x07u;
    else return 0;
    if (n < len) return 0;
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp < 0xA0 || cp == 0x2028 || cp == 0x2029 || cp == 0x200E ||
        cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
        return 0;
    return len;
}

/* quotes: also escape '"' (JSON strings, key="value" fields; a text line's message keeps them) */
static size_t skew_ex__escape(const char *in, size_t n, bool json, bool quotes, char *out, size_t cap) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)in;
    size_t i = 0, o = 0;
    if (!cap) return 0;
    while (i < n) {
        char rep[8];
        size_t rl = 0, u;
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x7f) {
            if (c == '\\') rep[rl++] = '\\', rep[rl++] = '\\';
            else if (c == '"' && quotes) rep[rl++] = '\\', rep[rl++] = '"';
            else rep[rl++] = (char)c;
            u = 1;
        } else if (c >= 0x80 && (u = skew_ex__utf8_safe(p + i, n - i)) > 0) {
            memcpy(rep, p + i, u);
            rl = u;
        } else { /* a control byte or a byte of bad/unsafe UTF-8: \xNN, visibly */
            if (json) rep[rl++] = '\\'; /* the JSON text of a backslash */
            rep[rl++] = '\\';
            rep[rl++] = 'x';
            rep[rl++] = hex[c >> 4];
            rep[rl++] = hex[c & 15];
            u = 1;
        }
        if (o + rl + 1 > cap) break; /* no partial escape */
        memcpy(out + o, rep, rl);
        o += rl;
        i += u;
    }
    out[o] = '\0';
    return o;
}

size_t skew_ex_log_escape(const char *in, size_t n, bool json, char *out, size_t cap) {
    return skew_ex__escape(in, n, json, true, out, cap);
}

/* ======================================================================================
   >>lines
   ====================================================================================== */

static void skew_ex__stamp(char *buf, size_t cap) {
    struct timespec ts;
    struct tm tm;
    size_t n;
    unsigned ms;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(buf, cap - 6, "%Y-%m-%dT%H:%M:%S", &tm);
    ms = (unsigned)(ts.tv_nsec / 1000000) % 1000u;
    buf[n++] = '.';
    buf[n++] = (char)('0' + ms / 100);
    buf[n++] = (char)('0' + ms / 10 % 10);
    buf[n++] = (char)('0' + ms % 10);
    buf[n++] = 'Z';
    buf[n] = '\0';
}

/* A line is put together here and written at once (under skew_ex__log_mu). stderr is unbuffered:
   a line in several writes could be split by whatever reads this process's stdout and stderr
   into one stream (a supervisor, a test harness) when the other stream's output lands between
   them (seen in CI: a JSON line cut by the start banner). */
static struct {
    char buf[16384];
    size_t len;
    FILE *f;
} skew_ex__line;

static void skew_ex__put(const char *s, size_t n) {
    if (skew_ex__line.len + n > sizeof skew_ex__line.buf) { /* longer than any line should be: pieces */
        fwrite(skew_ex__line.buf, 1, skew_ex__line.len, skew_ex__line.f);
        skew_ex__line.len = 0;
        if (n > sizeof skew_ex__line.buf) {
            fwrite(s, 1, n, skew_ex__line.f);
            return;
        }
    }
    memcpy(skew_ex__line.buf + skew_ex__line.len, s, n);
    skew_ex__line.len += n;
}

static void skew_ex__puts(const char *s) { skew_ex__put(s, strlen(s)); }

/* One line: the head (time, level, instance), then msg (text: as is; json: "msg") or fields. */
static void skew_ex__emit(const char *level, const char *msg, const char *const *keys, const skew_str *vals,
                          size_t n) {
    static char esc[SKEW_EX_LOG_LINE_MAX * 2 + 16];
    char stamp[40];
    size_t k;
    bool json;
    skew_ex__stamp(stamp, sizeof stamp);
    pthread_mutex_lock(&skew_ex__log_mu);
    skew_ex__line.f = skew_ex__log.out ? skew_ex__log.out : stderr;
    skew_ex__line.len = 0;
    json = skew_ex__log.json;
    skew_ex__puts(json ? "{\"time\":\"" : "");
    skew_ex__puts(stamp);
    skew_ex__puts(json ? "\",\"level\":\"" : " ");
    skew_ex__puts(level);
    skew_ex__puts(json ? "\",\"instance\":\"" : " ");
    skew_ex__puts(skew_ex__log.instance);
    skew_ex__puts(json ? "\"" : "");
    if (msg) {
        if (json) skew_ex_log_escape(msg, strlen(msg), true, esc, sizeof esc);
        else skew_ex__escape(msg, strlen(msg), false, false, esc, sizeof esc);
        skew_ex__puts(json ? ",\"msg\":\"" : " ");
        skew_ex__puts(esc);
        skew_ex__puts(json ? "\"" : "");
    }
    for (k = 0; k < n; k++) {
        skew_ex_log_escape(vals[k].ptr ? vals[k].ptr : "", vals[k].len, json, esc, sizeof esc);
        skew_ex__puts(json ? ",\"" : " ");
        skew_ex__puts(keys[k]);
        skew_ex__puts(json ? "\":\"" : "=\"");
        skew_ex__puts(esc);
        skew_ex__puts("\"");
    }
    skew_ex__puts(json ? "}\n" : "\n");
    fwrite(skew_ex__line.buf, 1, skew_ex__line.len, skew_ex__line.f);
    fflush(skew_ex__line.f);
    pthread_mutex_unlock(&skew_ex__log_mu);
}

void skew_ex_log_vline(const char *level, const char *fmt, va_list ap) {
    char msg[SKEW_EX_LOG_LINE_MAX];
    int w = vsnprintf(msg, sizeof msg, fmt, ap);
    if (w >= (int)sizeof msg) memcpy(msg + sizeof msg - 8, " [cut]", 7);
    skew_ex__emit(level, msg, NULL, NULL, 0);
}

void skew_ex_log_line(const char *level, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    skew_ex_log_vline(level, fmt, ap);
    va_end(ap);
}

void skew_ex_log_audit(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    skew_ex_log_vline("audit", fmt, ap);
    va_end(ap);
}

void skew_ex_log_fields(const char *level, const char *const *keys, const skew_str *vals, size_t n) {
    skew_ex__emit(level, NULL, keys, vals, n);
}

/* ======================================================================================
   >>access  one line per request and per stream open/close (--access-log)
   ====================================================================================== */

#include "skew_example.h"

/* The client IP as the trust policy resolves it (peer, or a trusted proxy's header). */
static void skew_ex__client_ip(const skew_ex_server *s, const skew_request *req, char *buf, size_t cap) {
    skew_ip ip;
    buf[0] = '\0';
    if (skew_get_client_ip(&s->opt.ip_policy, req, &ip, NULL) == SKEW_OK) skew_ip_format(&ip, buf, cap);
    if (!buf[0]) snprintf(buf, cap, "-");
}

static void skew_ex__access(const skew_ex_server *s, const skew_request *req, const char *event, const char *status,
                            const char *id, const char *ip_given) {
    static const char *const keys[] = {"event", "ip", "method", "path", "query", "status", "id", "host", "ua"};
    char ip[SKEW_EX_IP_TEXT_MAX];
    skew_str v[9];
    if (ip_given) snprintf(ip, sizeof ip, "%s", ip_given);
    else skew_ex__client_ip(s, req, ip, sizeof ip);
    v[0] = skew_str_c(event);
    v[1] = skew_str_c(ip);
    v[2] = req->method;
    v[3] = req->path;
    v[4] = req->query;
    v[5] = skew_str_c(status);
    v[6] = skew_str_c(id ? id : "");
    v[7] = skew_get_header(req, "host");
    v[8] = skew_get_header(req, "user-agent");
    skew_ex_log_fields("access", keys, v, 9);
}

void skew_ex_log_access(const skew_ex_server *s, const skew_request *req, int status) {
    char st[16];
    if (!skew_ex__log.access || !req) return;
    snprintf(st, sizeof st, "%d", status);
    skew_ex__access(s, req, "request", st, NULL, NULL);
}

void skew_ex_log_stream_open(const skew_ex_server *s, const skew_request *req, skew_handle h) {
    char ip[SKEW_EX_IP_TEXT_MAX];
    skew_conn c;
    if (!skew_ex__log.access) return;
    skew_ex__client_ip(s, req, ip, sizeof ip);
    skew_ex_live_set_ip(h, ip); /* for its close line */
    memset(&c, 0, sizeof c);
    skew_get_conn(s->t, h, &c);
    skew_ex__access(s, req, "open", req->upgrade ? "101" : "200", c.id, ip);
}

void skew_ex_log_stream_close(const skew_conn *sc, const char *reason) {
    static const char *const keys[] = {"event", "ip", "id", "transport", "reason"};
    skew_str v[5];
    if (!skew_ex__log.access) return;
    v[0] = skew_str_c("close");
    v[1] = skew_str_c(skew_ex_live_ip(sc->handle));
    v[2] = skew_str_c(sc->id);
    v[3] = skew_str_c(sc->transport == SKEW_TRANSPORT_WS ? "ws" : "sse");
    v[4] = skew_str_c(reason);
    skew_ex_log_fields("access", keys, v, 5);
}
