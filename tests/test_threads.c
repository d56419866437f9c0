/* A thread-per-connection adapter (as with CivetWeb or libmicrohttpd's thread mode): worker
   threads open, message and close connections through a fake transport while one thread ticks
   and another changes the server version. The tracker's lock hooks are one recursive mutex (the
   README's contract). Run in every unit build and under ThreadSanitizer (step-tsan-threads):
   a data race anywhere in the public API fails the TSan step. */
#define _POSIX_C_SOURCE 200809L
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "skew_test.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define WORKERS 4
#define ROUNDS 300

static pthread_mutex_t lock;
static void hook_lock(void *ud) { (void)ud; pthread_mutex_lock(&lock); }
static void hook_unlock(void *ud) { (void)ud; pthread_mutex_unlock(&lock); }

/* One connection of the fake transport: what it was sent. Written by the send hook (under the
   tracker's lock), read by its worker under the same lock. */
typedef struct conn {
    unsigned messages;
    bool first_was_connected;
    bool closed;
} conn;

typedef struct worker {
    pthread_t thread;
    int index;
    skew_tracker *t;
    /* what the worker saw; checked by the main thread after join (CHECK is not thread-safe) */
    unsigned opened, closed, bad_results, bad_messages, version_reads;
} worker;

static skew_tracker *tracker;
static int ticking = 1; /* read and written under lock */

static skew_result on_send(void *ud, const skew_conn *c, const char *msg, size_t len) {
    conn *fc = (conn *)c->user;
    skew_conn again;
    (void)ud;
    /* a hook calling a HOOK-SAFE function: the recursive lock is taken a second time */
    if (skew_get_conn(tracker, c->handle, &again) != SKEW_OK) return SKEW_ERR_SEND;
    if (fc->messages == 0) {
        const char *want = c->transport == SKEW_TRANSPORT_WS ? "{\"type\":\"connected\"" : "data: {\"type\":\"connected\"";
        fc->first_was_connected = len > strlen(want) && !strncmp(msg, want, strlen(want));
    }
    fc->messages++;
    return SKEW_OK;
}
static void on_close(void *ud, const skew_conn *c, skew_close_reason r) {
    (void)ud, (void)r;
    ((conn *)c->user)->closed = true;
}

static skew_str header(void *ctx, const char *name) {
    if (!strcmp(name, "user-agent"))
        return skew_str_c("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36");
    if (!strcmp(name, "cookie")) return skew_str_c((const char *)ctx);
    return skew_str_n(NULL, 0);
}

static void *work(void *arg) {
    worker *w = (worker *)arg;
    char cookie[32];
    int i;
    snprintf(cookie, sizeof cookie, "__nkpv=build-%d", w->index);
    for (i = 0; i < ROUNDS; i++) {
        skew_request req;
        skew_handle h;
        conn c;
        char version[64];
        bool ws = (i + w->index) % 2 == 0;
        memset(&req, 0, sizeof req);
        memset(&c, 0, sizeof c);
        req.method = skew_str_c("GET");
        req.path = skew_str_c(ws ? "/__skew/ws" : "/__skew/sse");
        req.upgrade = ws;
        req.header = header;
        req.header_ctx = cookie;
        req.peer.family = 4;
        req.peer.bytes[0] = 127;
        req.peer.bytes[3] = (uint8_t)(1 + w->index);
        if (skew_open(w->t, &req, &c, &h) != SKEW_OK) {
            w->bad_results++;
            continue;
        }
        w->opened++;
        if (ws) {
            static const char route[] = "{\"type\":\"route-update\",\"route\":\"/page\"}";
            if (skew_ws_message(w->t, h, skew_str_n(route, sizeof route - 1)) != SKEW_OK) w->bad_results++;
            if (skew_ws_message(w->t, h, skew_str_n("{\"type\":\"ping\"}", 15)) != SKEW_OK) w->bad_results++;
        }
        if (skew_send(w->t, h, skew_str_n("{\"type\":\"custom\"}", 17)) != SKEW_OK) w->bad_results++;
        if (skew_get_total(w->t) == 0) w->bad_results++; /* ours is open */
        if (skew_write_server_version(w->t, version, sizeof version) > 0 && version[0]) w->version_reads++;
        if (skew_close(w->t, h, SKEW_CLOSE_REASON_CLIENT) == SKEW_OK) w->closed++;
        else w->bad_results++;
        pthread_mutex_lock(&lock);
        if (!c.first_was_connected || c.messages < 2 || !c.closed) w->bad_messages++;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static void *tick(void *arg) {
    uint64_t now = 1;
    unsigned n = 0;
    char v[32];
    (void)arg;
    for (;;) {
        int go;
        pthread_mutex_lock(&lock);
        go = ticking;
        pthread_mutex_unlock(&lock);
        if (!go) break;
        { /* a ticking thread sleeps between ticks: spinning starves the workers under emulation */
            struct timespec ts = {0, 100000};
            nanosleep(&ts, NULL);
        }
        skew_tick(tracker, now += 7);
        if (++n % 50 == 0) {
            snprintf(v, sizeof v, "release-%u", n / 50);
            skew_set_server_version(tracker, skew_str_c(v));
        }
    }
    return NULL;
}

/* A metrics thread: reads the counts and nothing else, so only the functions' own locking
   orders its reads after the workers' writes (ThreadSanitizer reports a race otherwise). */
static unsigned watched;
static void *watch(void *arg) {
    unsigned i, seen = 0;
    (void)arg;
    for (i = 0; i < 20000; i++) seen += skew_get_total(tracker) <= WORKERS && skew_get_subscriber_count(tracker) == 0;
    pthread_mutex_lock(&lock);
    watched = seen;
    pthread_mutex_unlock(&lock);
    return NULL;
}

static void test_threads(void) {
    skew_config cfg;
    pthread_mutexattr_t attr;
    pthread_t ticker, watcher;
    worker w[WORKERS];
    int i;
    unsigned opened = 0, closed = 0, bad = 0, badmsg = 0, reads = 0;

    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&lock, &attr);
    memset(&cfg, 0, sizeof cfg);
    cfg.server_version = "release-0";
    cfg.route_tracking = true;
    cfg.frame_sse = true;
    cfg.stats_interval_ms = SKEW_STATS_IMMEDIATE;
    cfg.hooks.send = on_send;
    cfg.hooks.on_close = on_close;
    cfg.hooks.lock = hook_lock;
    cfg.hooks.unlock = hook_unlock;
    CHECK_RES(skew_tracker_create(&tracker, &cfg), SKEW_OK);
    if (!tracker) return;

    pthread_create(&ticker, NULL, tick, NULL);
    pthread_create(&watcher, NULL, watch, NULL);
    for (i = 0; i < WORKERS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].index = i;
        w[i].t = tracker;
        pthread_create(&w[i].thread, NULL, work, &w[i]);
    }
    for (i = 0; i < WORKERS; i++) pthread_join(w[i].thread, NULL);
    pthread_join(watcher, NULL);
    CHECK_EQ_INT(watched, 20000); /* never more open than workers, never a subscriber */
    pthread_mutex_lock(&lock);
    ticking = 0;
    pthread_mutex_unlock(&lock);
    pthread_join(ticker, NULL);

    for (i = 0; i < WORKERS; i++) {
        opened += w[i].opened;
        closed += w[i].closed;
        bad += w[i].bad_results;
        badmsg += w[i].bad_messages;
        reads += w[i].version_reads;
    }
    CHECK_EQ_INT(opened, WORKERS * ROUNDS);
    CHECK_EQ_INT(closed, WORKERS * ROUNDS);
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(badmsg, 0); /* every connection: `connected` first, then more, then closed */
    CHECK_EQ_INT(reads, WORKERS * ROUNDS);
    CHECK_EQ_INT(skew_get_total(tracker), 0);
    skew_tracker_destroy(tracker);
    pthread_mutex_destroy(&lock);
    pthread_mutexattr_destroy(&attr);
}

/* skew_shutdown: opens refused from then on, open connections stay until closed. */
static void test_shutdown(void) {
    skew_config cfg;
    skew_request req;
    skew_handle h1, h2;
    conn c1, c2;
    memset(&cfg, 0, sizeof cfg);
    cfg.hooks.send = on_send;
    cfg.hooks.on_close = on_close;
    CHECK_RES(skew_tracker_create(&tracker, &cfg), SKEW_OK);
    if (!tracker) return;
    memset(&req, 0, sizeof req);
    memset(&c1, 0, sizeof c1);
    memset(&c2, 0, sizeof c2);
    req.method = skew_str_c("GET");
    req.path = skew_str_c("/__skew/sse");
    req.header = header;
    req.header_ctx = (void *)(uintptr_t)"__nkpv=a";
    CHECK(!skew_is_shutting_down(tracker));
    CHECK_RES(skew_open(tracker, &req, &c1, &h1), SKEW_OK);
    skew_shutdown(tracker);
    CHECK(skew_is_shutting_down(tracker));
    CHECK_RES(skew_open(tracker, &req, &c2, &h2), SKEW_ERR_STOPPING);
    CHECK_EQ_INT(c2.messages, 0);
    CHECK_EQ_INT(skew_get_total(tracker), 1); /* the open one stays */
    CHECK_RES(skew_send(tracker, h1, skew_str_n("{\"type\":\"x\"}", 12)), SKEW_OK);
    skew_close_all(tracker);
    CHECK(c1.closed);
    CHECK_EQ_INT(skew_get_total(tracker), 0);
    skew_tracker_destroy(tracker);
}

int main(void) {
    SUBTEST("threads", test_threads);
    SUBTEST("shutdown", test_shutdown);
    TEST_MAIN_END();
}
