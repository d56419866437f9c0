/* skew_lifecycle.c - readiness, the graceful drain, sd_notify. See skew_lifecycle.h. */
#include "skew_example.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stdio.h>

/* ======================================================================================
   >>flags
   ====================================================================================== */

#define SKEW_EX__L ((skew_ex_life *)ctx)

static bool set_drain_ms(void *ctx, const char *v, const char **why) {
    *why = "0..600000";
    return skew_ex_parse_u32(v, 0, 600000u, &SKEW_EX__L->drain_ms);
}
static bool set_build_id_file(void *ctx, const char *v, const char **why) {
    *why = "a file path";
    return skew_ex_set_text(&SKEW_EX__L->build_id_file, v);
}

static const skew_ex_opt skew_ex__life_opts[] = {
    {"--drain-ms", "N",
     "on SIGTERM, close the open streams spread over N ms so their\n"
     "clients move to other instances gradually (default 10000)",
     set_drain_ms},
    {"--build-id-file", "PATH",
     "follow the build id in PATH (a latest.json, or a file holding\n"
     "just the id) without serving files; checked every second,\n"
     "the path resolved again each time (a symlink switch is seen)",
     set_build_id_file},
};

static void skew_ex__life_defaults(void *ctx) {
    memset(SKEW_EX__L, 0, sizeof *SKEW_EX__L);
    SKEW_EX__L->drain_ms = SKEW_EX_DEFAULT_DRAIN_MS;
    SKEW_EX__L->notify_fd = -1;
}
#undef SKEW_EX__L

skew_ex_opt_group skew_ex_life_opt_group(skew_ex_life *life) {
    return SKEW_EX_OPT_GROUP("Production", skew_ex__life_opts, life, skew_ex__life_defaults, NULL);
}

/* ======================================================================================
   >>notify  sd_notify(3)'s protocol: one datagram to the Unix socket $NOTIFY_SOCKET
   ====================================================================================== */

static struct sockaddr_un skew_ex__notify_addr;
static socklen_t skew_ex__notify_len;

void skew_ex_life_init(skew_ex_life *life) {
    const char *path = getenv("NOTIFY_SOCKET"), *wd = getenv("WATCHDOG_USEC"), *wpid = getenv("WATCHDOG_PID");
    size_t n = path ? strlen(path) : 0;
    uint64_t usec = 0;
    life->notify_fd = -1;
    if (n >= 2 && n < sizeof skew_ex__notify_addr.sun_path && (path[0] == '/' || path[0] == '@')) {
        memset(&skew_ex__notify_addr, 0, sizeof skew_ex__notify_addr);
        skew_ex__notify_addr.sun_family = AF_UNIX;
        memcpy(skew_ex__notify_addr.sun_path, path, n);
        if (path[0] == '@') skew_ex__notify_addr.sun_path[0] = '\0'; /* abstract namespace */
        skew_ex__notify_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '/'));
        life->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    }
    /* the watchdog is ours unless WATCHDOG_PID names another process */
    if (wd && skew_ex_parse_u64(wd, 1, UINT64_MAX, &usec) && (!wpid || atol(wpid) == (long)getpid()))
        life->watchdog_ms = usec / 2000u ? usec / 2000u : 1u; /* half the period, as sd_watchdog_enabled(3) advises */
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
}

bool skew_ex_notify(const skew_ex_life *life, const char *msg) {
    ssize_t w;
    if (life->notify_fd < 0) return false;
    do {
        w = sendto(life->notify_fd, msg, strlen(msg), MSG_NOSIGNAL, (const struct sockaddr *)&skew_ex__notify_addr,
                   skew_ex__notify_len);
    } while (w < 0 && errno == EINTR);
    if (w < 0) skew_ex_logf(SKEW_EX_LOG_ERROR, "sd_notify %s: %s", msg, strerror(errno));
    return w >= 0;
}

/* ======================================================================================
   >>registry  the open streams: handle and client IP (a set: linear probing, backward-shift delete)
   ====================================================================================== */

/* Handles in one table, the IPs (48 bytes each) in a parallel one that exists only once an IP is
   stored (--access-log): without it an open stream costs 8 bytes a slot here, at most three
   quarters full (11-21 bytes a stream; half full was 16-32: 26 at 10k). The handle hash spreads
   well, so linear probing stays short at that load (~2.5 slots a hit, ~8.5 a miss). */
typedef char skew_ex__ip_text[SKEW_EX_IP_TEXT_MAX];
static skew_handle *skew_ex__live;      /* 0: empty */
static skew_ex__ip_text *skew_ex__live_ips; /* NULL until the first skew_ex_live_set_ip */
static size_t skew_ex__live_cap, skew_ex__live_n;

static size_t skew_ex__slot(skew_handle h, size_t cap) {
    uint64_t x = h * 0x9E3779B97F4A7C15ull;
    return (size_t)(x >> 17) & (cap - 1);
}

static bool skew_ex__live_grow(void) {
    size_t cap = skew_ex__live_cap ? skew_ex__live_cap * 2 : 256, i;
    skew_handle *t = (skew_handle *)calloc(cap, sizeof *t);
    skew_ex__ip_text *ips = NULL;
    if (!t) return false;
    if (skew_ex__live_ips && !(ips = (skew_ex__ip_text *)calloc(cap, sizeof *ips))) {
        free(t);
        return false;
    }
    for (i = 0; i < skew_ex__live_cap; i++) {
        size_t j;
        if (!skew_ex__live[i]) continue;
        for (j = skew_ex__slot(skew_ex__live[i], cap); t[j]; j = (j + 1) & (cap - 1)) {}
        t[j] = skew_ex__live[i];
        if (ips) memcpy(ips[j], skew_ex__live_ips[i], sizeof ips[j]);
    }
    free(skew_ex__live);
    free(skew_ex__live_ips);
    skew_ex__live = t;
    skew_ex__live_ips = ips;
    skew_ex__live_cap = cap;
    return true;
}

/* The slot of h, or SIZE_MAX. */
static size_t skew_ex__live_find(skew_handle h) {
    size_t i;
    if (!h || !skew_ex__live_cap) return SIZE_MAX;
    for (i = skew_ex__slot(h, skew_ex__live_cap); skew_ex__live[i]; i = (i + 1) & (skew_ex__live_cap - 1))
        if (skew_ex__live[i] == h) return i;
    return SIZE_MAX;
}

void skew_ex_live_add(skew_handle h) {
    size_t j;
    if (!h || skew_ex__live_find(h) != SIZE_MAX) return;
    /* at most 3/4 full; out of memory: the drain closes this one at its end (skew_close_all) */
    if ((skew_ex__live_n + 1) * 4 > skew_ex__live_cap * 3 && !skew_ex__live_grow()) return;
    for (j = skew_ex__slot(h, skew_ex__live_cap); skew_ex__live[j]; j = (j + 1) & (skew_ex__live_cap - 1)) {}
    skew_ex__live[j] = h;
    if (skew_ex__live_ips) skew_ex__live_ips[j][0] = '\0';
    skew_ex__live_n++;
}

void skew_ex_live_set_ip(skew_handle h, const char *ip) {
    size_t i = skew_ex__live_find(h);
    if (i == SIZE_MAX) return;
    if (!skew_ex__live_ips &&
        !(skew_ex__live_ips = (skew_ex__ip_text *)calloc(skew_ex__live_cap, sizeof *skew_ex__live_ips)))
        return; /* out of memory: the close line says "" */
    snprintf(skew_ex__live_ips[i], sizeof skew_ex__live_ips[i], "%s", ip);
}

const char *skew_ex_live_ip(skew_handle h) {
    size_t i = skew_ex__live_find(h);
    return i != SIZE_MAX && skew_ex__live_ips ? skew_ex__live_ips[i] : "";
}

void skew_ex_live_remove(skew_handle h) {
    size_t mask = skew_ex__live_cap - 1, i = skew_ex__live_find(h), j;
    if (i == SIZE_MAX) return;
    skew_ex__live[i] = 0;
    skew_ex__live_n--;
    /* move up the entries that probed past the hole */
    for (j = (i + 1) & mask; skew_ex__live[j]; j = (j + 1) & mask) {
        size_t home = skew_ex__slot(skew_ex__live[j], skew_ex__live_cap);
        if (((j - home) & mask) >= ((j - i) & mask)) {
            skew_ex__live[i] = skew_ex__live[j];
            if (skew_ex__live_ips) memcpy(skew_ex__live_ips[i], skew_ex__live_ips[j], sizeof skew_ex__live_ips[i]);
            skew_ex__live[j] = 0;
            i = j;
        }
    }
}

uint32_t skew_ex_live_count(void) { return (uint32_t)skew_ex__live_n; }

size_t skew_ex_live_pick(skew_handle *out, size_t cap) {
    size_t i, n = 0;
    for (i = 0; i < skew_ex__live_cap && n < cap; i++)
        if (skew_ex__live[i]) out[n++] = skew_ex__live[i];
    return n;
}

/* ======================================================================================
   >>drain
   ====================================================================================== */

bool skew_ex_ready(const skew_ex_life *life) { return life->phase == SKEW_EX_PHASE_READY; }

void skew_ex_drain_begin(skew_ex_server *s, uint64_t mono) {
    skew_ex_life *life = &s->life;
    if (life->phase == SKEW_EX_PHASE_DRAINING) return;
    life->phase = SKEW_EX_PHASE_DRAINING;
    life->drain_start = mono;
    life->drain_total = skew_ex_live_count();
    life->drain_closed = 0;
    s->stopping = true; /* the servers refuse new streams from now on (503 "server shutting down") */
    skew_shutdown(s->t); /* and so does the tracker itself: SKEW_ERR_STOPPING for every open */
    s->stop_deadline = mono + life->drain_ms + SKEW_EX_SHUTDOWN_GRACE_MS;
    skew_ex_notify(life, "STOPPING=1");
    skew_ex_logf(SKEW_EX_LOG_INFO, "draining: %u streams closed over %u ms", (unsigned)life->drain_total,
                 (unsigned)life->drain_ms);
}

bool skew_ex_drain_step(skew_ex_server *s, uint64_t mono) {
    skew_ex_life *life = &s->life;
    uint64_t elapsed = mono - life->drain_start;
    uint32_t due;
    if (life->phase != SKEW_EX_PHASE_DRAINING) return false;
    if (life->drain_done) return true;
    if (elapsed >= life->drain_ms || !skew_ex_live_count()) { /* over, or nothing (left) to drain */
        skew_close_all(s->t); /* the rest (and any the registry missed) */
        skcl_node_leave(s->node); /* cluster: our snapshot goes now */
        life->drain_done = true;
        skew_ex_logf(SKEW_EX_LOG_INFO, "drained: leaving");
        return true;
    }
    /* evenly over the period: by elapsed/drain_ms of it, that share of the streams is closed */
    due = (uint32_t)((uint64_t)life->drain_total * elapsed / life->drain_ms);
    while (life->drain_closed < due) {
        skew_handle batch[64];
        size_t n = skew_ex_live_pick(batch, due - life->drain_closed < 64 ? due - life->drain_closed : 64), i;
        if (!n) break;
        for (i = 0; i < n; i++) {
            skew_close(s->t, batch[i], SKEW_CLOSE_REASON_SHUTDOWN); /* WS close 1001, SSE stream ends */
            skew_ex_live_remove(batch[i]); /* in case the close hook did not */
        }
        life->drain_closed += (uint32_t)n;
    }
    return false;
}

void skew_ex_life_tick(skew_ex_server *s, uint64_t mono) {
    skew_ex_life *life = &s->life;
    if (life->phase == SKEW_EX_PHASE_STARTING) {
        skew_cluster_info ci;
        bool synced = true;
        if (s->node) {
            skew_cluster_get_info(s->t, &ci);
            synced = ci.updates > 0; /* the first view from Redis arrived */
        }
        if (synced) {
            life->phase = SKEW_EX_PHASE_READY;
            skew_ex_notify(life, "READY=1");
            skew_ex_logf(SKEW_EX_LOG_INFO, "ready");
        }
    }
    if (life->watchdog_ms && mono >= life->next_watchdog) {
        skew_ex_notify(life, "WATCHDOG=1");
        life->next_watchdog = mono + life->watchdog_ms;
    }
    if (life->phase == SKEW_EX_PHASE_DRAINING) skew_ex_drain_step(s, mono);
}

bool skew_ex_answer_ready(skew_ex_server *s, const skew_request *req, skew_response *r, char *body, size_t cap) {
    const char *base = s->opt.base;
    size_t bl = strlen(base);
    const skew_ex_life *life = &s->life;
    int w;
    if (req->path.len != bl + 6 || memcmp(req->path.ptr, base, bl) || memcmp(req->path.ptr + bl, "/ready", 6))
        return false;
    memset(r, 0, sizeof *r);
    r->content_type = "application/json";
    if (!skew_ex_is_head(req) && !(req->method.len == 3 && !memcmp(req->method.ptr, "GET", 3))) {
        r->status = 405;
        r->allow = "GET, HEAD";
        r->body_len = skew_ex_json_error(body, cap, "method not allowed");
    } else if (skew_ex_ready(life)) {
        r->status = 200;
        w = snprintf(body, cap, "{\"ok\":true,\"ready\":true}");
        r->body_len = w > 0 ? (size_t)w : 0;
    } else {
        r->status = 503;
        r->body_len = skew_ex_json_error(body, cap, life->phase == SKEW_EX_PHASE_DRAINING ? "draining" : "starting");
    }
    if (r->body_len >= cap) r->body_len = cap ? cap - 1 : 0;
    return true;
}
