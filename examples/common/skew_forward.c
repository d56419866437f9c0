/* skew_forward.c - forward auth (skew_forward.h): non-blocking HTTP/1.1 GETs to the app, a
   bounded answer cache. No threads: skew_forward_poll moves the sockets from the server's loop. */
#include "skew_forward.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <openssl/evp.h>

enum { JOB_CONNECTING, JOB_SENDING, JOB_READING };

struct skew_forward_job {
    int fd, state;
    skew_handle h;
    unsigned char key[32];
    uint64_t deadline, start_us;
    size_t len, sent, got;
    char resp[2048];
    char req[]; /* the request text, len bytes (allocated with the job) */
};

static void fwd_log(const skew_forward *f, const char *a, const char *b) {
    char line[300];
    snprintf(line, sizeof line, "forward auth: %s%s", a, b);
    if (f->log) f->log(f->log_ctx, line);
    else fprintf(stderr, "%s\n", line);
}

static uint64_t mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ======================================================================================
   >>url  http://HOST[:PORT]/PATH with HOST loopback or private
   ====================================================================================== */

static bool addr_private4(const unsigned char *b) {
    return b[0] == 127 || b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168);
}
static bool addr_private6(const unsigned char *b) {
    static const unsigned char lo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return memcmp(b, lo, 16) == 0 || (b[0] & 0xFE) == 0xFC; /* ::1, fc00::/7 */
}

bool skew_forward_set_url(skew_forward *f, const char *url, const char **why) {
    const char *h, *hend, *p;
    char host[64];
    unsigned long port = 80;
    *why = "http://HOST[:PORT]/PATH, HOST a loopback or private address (or localhost)";
    if (strncmp(url, "http://", 7) != 0) return false;
    h = url + 7;
    p = strchr(h, '/');
    if (!p) return false;
    if (*h == '[') { /* [v6] */
        const char *close_br = memchr(h, ']', (size_t)(p - h));
        if (!close_br) return false;
        h++;
        hend = close_br;
    } else {
        hend = h;
        while (hend < p && *hend != ':') hend++;
    }
    if ((size_t)(hend - h) >= sizeof host || hend == h) return false;
    memcpy(host, h, (size_t)(hend - h));
    host[hend - h] = '\0';
    if (*hend == ']') hend++;
    if (hend < p && *hend == ':') {
        char *end;
        port = strtoul(hend + 1, &end, 10);
        if (end != p || port == 0 || port > 65535) return false;
    } else if (hend != p) {
        return false;
    }
    if (!strcmp(host, "localhost")) snprintf(host, sizeof host, "127.0.0.1");
    memset(f->addr, 0, sizeof f->addr);
    {
        struct sockaddr_in a4;
        struct sockaddr_in6 a6;
        memset(&a4, 0, sizeof a4);
        memset(&a6, 0, sizeof a6);
        if (inet_pton(AF_INET, host, &a4.sin_addr) == 1 && addr_private4((const unsigned char *)&a4.sin_addr)) {
            a4.sin_family = AF_INET;
            a4.sin_port = htons((uint16_t)port);
            memcpy(f->addr, &a4, sizeof a4);
            f->addr_len = sizeof a4;
        } else if (inet_pton(AF_INET6, host, &a6.sin6_addr) == 1 && addr_private6((const unsigned char *)&a6.sin6_addr)) {
            a6.sin6_family = AF_INET6;
            a6.sin6_port = htons((uint16_t)port);
            memcpy(f->addr, &a6, sizeof a6);
            f->addr_len = sizeof a6;
        } else {
            return false;
        }
    }
    snprintf(f->host, sizeof f->host, "%.*s", (int)(p - (url + 7)), url + 7);
    f->path = p;
    f->url = url;
    return true;
}

bool skew_forward_enabled(const skew_forward *f) { return f->url != NULL && f->addr_len != 0; }
bool skew_forward_busy(const skew_forward *f) { return f->njobs > 0; }

static bool set_auth_url(void *ctx, const char *v, const char **why) {
    return skew_forward_set_url((skew_forward *)ctx, v, why);
}

static const skew_ex_opt forward_opts[] = {
    {"--auth-url", "URL",
     "ask the app about stats subscribers: GET URL with their Cookie\n"
     "and Authorization; 2xx = authorized (X-Skew-Scope: admin: admin\n"
     "too); loopback or private address; 1 s timeout; cached briefly",
     set_auth_url},
};

skew_ex_opt_group skew_forward_opt_group(skew_forward *f) {
    skew_ex_opt_group g;
    memset(&g, 0, sizeof g);
    g.title = "Forward auth (ask the app)";
    g.opts = forward_opts;
    g.count = sizeof forward_opts / sizeof forward_opts[0];
    g.ctx = f;
    return g;
}

/* ======================================================================================
   >>cache
   ====================================================================================== */

static void cache_key(skew_str cookie, skew_str auth, unsigned char key[32]) {
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned n = 32;
    if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(c, cookie.ptr ? cookie.ptr : "", cookie.len) != 1 || EVP_DigestUpdate(c, "\n", 1) != 1 ||
        EVP_DigestUpdate(c, auth.ptr ? auth.ptr : "", auth.len) != 1 || EVP_DigestFinal_ex(c, key, &n) != 1)
        memset(key, 0, 32); /* never matches a stored entry: expires stays 0 for those */
    EVP_MD_CTX_free(c);
}

static skew_forward_entry *cache_find(skew_forward *f, const unsigned char key[32], uint64_t mono) {
    size_t i;
    for (i = 0; i < SKEW_FORWARD_CACHE; i++) {
        skew_forward_entry *e = &f->cache[i];
        if (e->expires > mono && memcmp(e->key, key, 32) == 0) return e;
    }
    return NULL;
}

static void cache_put(skew_forward *f, const unsigned char key[32], bool ok, bool admin, uint64_t mono) {
    size_t i, victim = 0;
    for (i = 0; i < SKEW_FORWARD_CACHE; i++) { /* the same key, else an empty or the soonest to expire */
        if (f->cache[i].expires > mono && memcmp(f->cache[i].key, key, 32) == 0) {
            victim = i;
            break;
        }
        if (f->cache[i].expires < f->cache[victim].expires) victim = i;
    }
    memcpy(f->cache[victim].key, key, 32);
    f->cache[victim].ok = ok;
    f->cache[victim].admin = admin;
    f->cache[victim].expires = mono + (ok ? SKEW_FORWARD_TTL_OK_MS : SKEW_FORWARD_TTL_NO_MS);
}

/* ======================================================================================
   >>answer  the app's response head
   ====================================================================================== */

static bool nocase_prefix(const char *p, const char *end, const char *lit) {
    size_t n = strlen(lit);
    return (size_t)(end - p) >= n && strncasecmp(p, lit, n) == 0;
}

bool skew_forward_parse_answer(const char *head, size_t len, bool *ok, bool *admin) {
    const char *end = head + len, *p, *eol;
    int status;
    *ok = *admin = false;
    if (len < 12 || !nocase_prefix(head, end, "HTTP/1.") || (head[7] != '0' && head[7] != '1') || head[8] != ' ')
        return false;
    if (head[9] < '1' || head[9] > '5' || head[10] < '0' || head[10] > '9' || head[11] < '0' || head[11] > '9')
        return false;
    if (len > 12 && head[12] != ' ' && head[12] != '\r') return false;
    status = (head[9] - '0') * 100 + (head[10] - '0') * 10 + (head[11] - '0');
    *ok = status >= 200 && status < 300;
    for (p = head; *ok && p < end; p = eol + 1) { /* header lines, up to the blank line */
        const char *v;
        eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) break; /* a cut line is not read */
        if (p != head && (eol == p || (eol == p + 1 && *p == '\r'))) break;
        if (!nocase_prefix(p, eol, "x-skew-scope:")) continue;
        for (v = p + 13; v < eol && (*v == ' ' || *v == '\t'); v++) {}
        *admin = nocase_prefix(v, eol, "admin") && (v + 5 == eol || v[5] == '\r' || v[5] == ' ' || v[5] == '\t');
    }
    return true;
}

/* ======================================================================================
   >>jobs
   ====================================================================================== */

static bool header_ok(skew_str v) {
    return v.len <= SKEW_FORWARD_MAX_HEADER && !memchr(v.ptr ? v.ptr : "", '\r', v.len) &&
           !memchr(v.ptr ? v.ptr : "", '\n', v.len);
}

static skew_forward_job *job_new(const skew_forward *f, skew_str cookie, skew_str auth) {
    size_t cap = strlen(f->path) + strlen(f->host) + cookie.len + auth.len + 160;
    skew_forward_job *j = (skew_forward_job *)calloc(1, sizeof *j + cap);
    int n;
    if (!j) return NULL;
    n = snprintf(j->req, cap, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\nUser-Agent: skew_tracker\r\n", f->path,
                 f->host);
    if (cookie.len) n += snprintf(j->req + n, cap - (size_t)n, "Cookie: %.*s\r\n", (int)cookie.len, cookie.ptr);
    if (auth.len) n += snprintf(j->req + n, cap - (size_t)n, "Authorization: %.*s\r\n", (int)auth.len, auth.ptr);
    n += snprintf(j->req + n, cap - (size_t)n, "\r\n");
    j->len = (size_t)n;
    j->fd = -1;
    return j;
}

static bool job_start(const skew_forward *f, skew_forward_job *j) {
    const struct sockaddr *sa = (const struct sockaddr *)(const void *)f->addr;
    j->fd = socket(sa->sa_family, SOCK_STREAM, 0);
    if (j->fd < 0 || fcntl(j->fd, F_SETFL, fcntl(j->fd, F_GETFL) | O_NONBLOCK) != 0 ||
        fcntl(j->fd, F_SETFD, FD_CLOEXEC) != 0)
        return false;
    if (connect(j->fd, sa, (socklen_t)f->addr_len) == 0) j->state = JOB_SENDING;
    else if (errno == EINPROGRESS) j->state = JOB_CONNECTING;
    else return false;
    return true;
}

/* One step. 1: finished (ok/admin set), 0: more to do, -1: failed (why set). */
static int job_step(skew_forward_job *j, short revents, bool *ok, bool *admin, const char **why) {
    if (j->state == JOB_CONNECTING) {
        int err = 0;
        socklen_t l = sizeof err;
        if (!(revents & (POLLOUT | POLLERR | POLLHUP))) return 0;
        if (getsockopt(j->fd, SOL_SOCKET, SO_ERROR, &err, &l) != 0 || err) {
            *why = err ? strerror(err) : "connect failed";
            return -1;
        }
        j->state = JOB_SENDING;
    }
    if (j->state == JOB_SENDING) {
        ssize_t n = send(j->fd, j->req + j->sent, j->len - j->sent, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
        if (n < 0) {
            *why = strerror(errno);
            return -1;
        }
        j->sent += (size_t)n;
        if (j->sent < j->len) return 0;
        j->state = JOB_READING;
        return 0;
    }
    for (;;) {
        ssize_t n = recv(j->fd, j->resp + j->got, sizeof j->resp - 1 - j->got, 0);
        char *end;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
        if (n < 0) {
            *why = strerror(errno);
            return -1;
        }
        j->got += (size_t)n;
        j->resp[j->got] = '\0';
        end = strstr(j->resp, "\r\n\r\n");
        if (end || n == 0 || j->got == sizeof j->resp - 1) {
            if (!skew_forward_parse_answer(j->resp, j->got, ok, admin)) {
                *why = "not an HTTP answer";
                return -1;
            }
            return 1;
        }
    }
}

static void job_end(skew_forward *f, size_t i) {
    skew_forward_job *j = f->jobs[i];
    if (j->fd >= 0) close(j->fd);
    free(j);
    f->jobs[i] = f->jobs[--f->njobs];
}

skew_auth_result skew_forward_ask(skew_forward *f, skew_tracker *t, const skew_request *req, skew_auth_scope scope,
                           uint64_t mono_ms) {
    skew_str cookie = skew_get_header(req, "cookie"), auth = skew_get_header(req, "authorization");
    unsigned char key[32];
    skew_forward_entry *e;
    skew_forward_job *j;
    if (!skew_forward_enabled(f) || (!cookie.len && !auth.len)) return SKEW_AUTH_RESULT_UNAVAILABLE;
    if (!header_ok(cookie) || !header_ok(auth)) return SKEW_AUTH_RESULT_UNAVAILABLE;
    cache_key(cookie, auth, key);
    e = cache_find(f, key, mono_ms);
    if (scope == SKEW_AUTH_SCOPE_ADMIN) return e && e->ok && e->admin ? SKEW_AUTH_RESULT_GRANTED : SKEW_AUTH_RESULT_UNAVAILABLE;
    if (e) {
        f->cache_hits++;
        return e->ok ? SKEW_AUTH_RESULT_GRANTED : SKEW_AUTH_RESULT_DENIED;
    }
    if (f->njobs >= SKEW_FORWARD_MAX_JOBS) {
        fwd_log(f, "too many requests out; refused", "");
        return SKEW_AUTH_RESULT_DENIED;
    }
    if (!(j = job_new(f, cookie, auth))) return SKEW_AUTH_RESULT_DENIED;
    if (skew_get_auth_subject(t, &j->h) != SKEW_OK || !job_start(f, j)) {
        f->errors++;
        fwd_log(f, "cannot start: ", strerror(errno));
        if (j->fd >= 0) close(j->fd);
        free(j);
        return SKEW_AUTH_RESULT_DENIED;
    }
    memcpy(j->key, key, 32);
    j->deadline = mono_ms + SKEW_FORWARD_TIMEOUT_MS;
    j->start_us = mono_us();
    f->jobs[f->njobs++] = j;
    return SKEW_AUTH_RESULT_PENDING;
}

void skew_forward_poll(skew_forward *f, skew_tracker *t, uint64_t mono_ms) {
    struct pollfd pfd[SKEW_FORWARD_MAX_JOBS];
    size_t i;
    if (!f->njobs) return;
    for (i = 0; i < f->njobs; i++) {
        pfd[i].fd = f->jobs[i]->fd;
        pfd[i].events = (short)(f->jobs[i]->state == JOB_READING ? POLLIN : POLLOUT);
        pfd[i].revents = 0;
    }
    if (poll(pfd, (nfds_t)f->njobs, 0) < 0) return;
    for (i = f->njobs; i-- > 0;) { /* from the end: job_end moves the last one into i */
        skew_forward_job *j = f->jobs[i];
        bool ok = false, admin = false;
        const char *why = "";
        int r = 0;
        if (pfd[i].revents || j->state == JOB_SENDING) r = job_step(j, pfd[i].revents, &ok, &admin, &why);
        if (r == 0 && mono_ms >= j->deadline) {
            r = -1;
            why = "no answer within 1 s";
        }
        if (r == 0) continue;
        if (r < 0) fwd_log(f, "not authorized: ", why);
        else cache_put(f, j->key, ok, admin, mono_ms);
        {
            static const uint64_t le_us[5] = {1000u, 5000u, 25000u, 100000u, 1000000u};
            uint64_t us = mono_us() - j->start_us;
            size_t k;
            if (r < 0) f->errors++; /* no answer in time, a connection error, not HTTP */
            else if (ok) f->granted++;
            else f->refused++;
            f->latency_us_sum += us;
            for (k = 0; k < 5; k++)
                if (us <= le_us[k]) f->latency_le[k]++;
            if (f->on_done) f->on_done(f->log_ctx, us, r > 0 && ok);
        }
        skew_set_stats_verdict(t, j->h, r > 0 && ok ? SKEW_AUTH_RESULT_GRANTED : SKEW_AUTH_RESULT_DENIED);
        job_end(f, i);
    }
}

size_t skew_forward_metrics_text(const skew_forward *f, char *buf, size_t cap) {
    static const char *const le[5] = {"0.001", "0.005", "0.025", "0.1", "1"};
    uint64_t done = f->granted + f->refused + f->errors;
    size_t n = 0, k;
    int w;
    if (!skew_forward_enabled(f)) {
        if (cap) buf[0] = '\0';
        return 0;
    }
#define SKEW_FWD__PUT(...)                                                                 \
    do {                                                                                   \
        w = snprintf(n < cap ? buf + n : NULL, n < cap ? cap - n : 0, __VA_ARGS__);       \
        if (w > 0) n += (size_t)w;                                                         \
    } while (0)
    SKEW_FWD__PUT("# HELP skew_forward_requests_total Forward-auth requests to the app (--auth-url), by result.\n"
                  "# TYPE skew_forward_requests_total counter\n"
                  "skew_forward_requests_total{result=\"granted\"} %llu\n"
                  "skew_forward_requests_total{result=\"refused\"} %llu\n"
                  "skew_forward_requests_total{result=\"error\"} %llu\n"
                  "# HELP skew_forward_cache_hits_total Forward-auth answers taken from the cache.\n"
                  "# TYPE skew_forward_cache_hits_total counter\n"
                  "skew_forward_cache_hits_total %llu\n"
                  "# HELP skew_forward_latency_seconds Time from a forward-auth request to its verdict.\n"
                  "# TYPE skew_forward_latency_seconds histogram\n",
                  (unsigned long long)f->granted, (unsigned long long)f->refused, (unsigned long long)f->errors,
                  (unsigned long long)f->cache_hits);
    for (k = 0; k < 5; k++)
        SKEW_FWD__PUT("skew_forward_latency_seconds_bucket{le=\"%s\"} %llu\n", le[k], (unsigned long long)f->latency_le[k]);
    SKEW_FWD__PUT("skew_forward_latency_seconds_bucket{le=\"+Inf\"} %llu\n"
                  "skew_forward_latency_seconds_sum %.6f\n"
                  "skew_forward_latency_seconds_count %llu\n",
                  (unsigned long long)done, (double)f->latency_us_sum / 1e6, (unsigned long long)done);
#undef SKEW_FWD__PUT
    if (cap && n >= cap) buf[cap - 1] = '\0';
    return n;
}

void skew_forward_free(skew_forward *f) {
    while (f->njobs) job_end(f, f->njobs - 1);
}
