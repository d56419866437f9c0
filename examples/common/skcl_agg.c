/* skcl_agg.c - the aggregator thread (see skcl_agg.h): lease, reads, merge, one view. */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "skcl_ev.h"

#include "skcl_agg.h"
#include "skcl_view.h"
#include "skew_example.h"

#define KEY_MAX 200
#define BATCH 64                    /* snapshots read per pipelined batch (memory stays bounded) */

/* Take the lease if free, renew it if ours; 1: held; someone else's: -1 - its ms to live (a
   candidate tries again right when it runs out, not up to P/2 later), or 0 when the user may not
   run PTTL (an ACL from before it was needed: the candidate tries every P/2, as it did then). */
static const char lease_script[] =
    "local v = redis.call('GET', KEYS[1])\n"
    "if v and v ~= ARGV[1] then local t = redis.pcall('PTTL', KEYS[1])\n"
    "  if type(t) ~= 'number' then return 0 end\n"
    "  if t < 0 then t = 0 end; return -1 - t end\n"
    "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"
    "return 1\n";
/* Write the view only while holding the lease (a holder that lost it writes nothing). */
static const char view_script[] =
    "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end\n"
    "redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])\n"
    "if ARGV[4] ~= '' then redis.call('SET', KEYS[3], ARGV[4], 'PX', ARGV[2]) end\n"
    "redis.call('PUBLISH', ARGV[5], ARGV[6])\n" /* every instance reads it now, not up to P later */
    "return 1\n";
/* Leaving: the lease goes only if ours. */
static const char release_script[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end\n"
    "return 1\n";

struct skcl_agg {
    skcl_merge *merge;
    char holder[200];               /* "<id> <nonce>" */
    char id[80];
    char k_agg[KEY_MAX], k_view[KEY_MAX], k_list[KEY_MAX], k_members[KEY_MAX], k_watch[KEY_MAX],
        k_snap_prefix[KEY_MAX], ch_new[KEY_MAX];
    uint32_t interval_ms;
    size_t max_snapshot;
    uint32_t listed_cap;
    char user[128];
    char *password;
    int db;

    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, nudged, up, target_changed;
    char host[256];
    int port;
    bool is_unix;
    skcl_agg_stats stats;

    redisContext *rc;               /* the thread's own */
    uint64_t seq, next_round, renewed_at;
    uint64_t lease_free_at;         /* wall ms: another's lease runs out (0: unknown) */
    bool holding;
};

static uint64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static double cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void drop(skcl_agg *a) {
    if (a->rc) redisFree(a->rc);
    a->rc = NULL;
    if (a->holding) {
        a->holding = false;
        skew_ex_logf(SKEW_EX_LOG_INFO, "cluster: aggregator: %s no longer merges the view (redis link lost)", a->id);
    }
}

static redisReply *cmd(skcl_agg *a, int argc, const char **argv, const size_t *lens) {
    redisReply *r = (redisReply *)redisCommandArgv(a->rc, argc, argv, lens);
    if (!r) drop(a);
    return r;
}

static redisReply *cmd_s(skcl_agg *a, const char *const *argv, int argc) {
    size_t lens[12];
    int i;
    for (i = 0; i < argc && i < 12; i++) lens[i] = strlen(argv[i]);
    return cmd(a, argc, (const char **)(uintptr_t)argv, lens);
}

static bool connect_redis(skcl_agg *a, const char *host, int port, bool is_unix) {
    struct timeval tv;
    redisReply *r;
    tv.tv_sec = 1;
    tv.tv_usec = 0;
    a->rc = is_unix ? redisConnectUnixWithTimeout(host, tv) : redisConnectWithTimeout(host, port, tv);
    if (!a->rc || a->rc->err) {
        if (a->rc) redisFree(a->rc);
        a->rc = NULL;
        return false;
    }
    tv.tv_sec = (long)(2u * a->interval_ms / 1000u) + 1;
    redisSetTimeout(a->rc, tv);
    if (a->user[0] || a->password) {
        const char *av[3] = {"AUTH", a->user[0] ? a->user : a->password, a->password ? a->password : ""};
        r = cmd_s(a, av, a->user[0] ? 3 : 2);
        if (!r || r->type == REDIS_REPLY_ERROR) {
            if (r) freeReplyObject(r);
            drop(a);
            return false;
        }
        freeReplyObject(r);
    }
    if (a->db) {
        char db[16];
        const char *av[2] = {"SELECT", db};
        snprintf(db, sizeof db, "%d", a->db);
        r = cmd_s(a, av, 2);
        if (!r || r->type == REDIS_REPLY_ERROR) {
            if (r) freeReplyObject(r);
            drop(a);
            return false;
        }
        freeReplyObject(r);
    }
    return true;
}

static bool lease(skcl_agg *a) {
    char px[24];
    const char *av[] = {"EVAL", lease_script, "1", a->k_agg, a->holder, px};
    redisReply *r;
    bool held;
    snprintf(px, sizeof px, "%u", (unsigned)(2u * a->interval_ms));
    r = cmd_s(a, av, 6);
    if (!r) return false;
    held = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    a->lease_free_at = r->type == REDIS_REPLY_INTEGER && r->integer < 0 && r->integer > -1 - 3 * (long long)a->interval_ms
                           ? skew_ex_now_ms() + (uint64_t)(-1 - r->integer) + 1u
                           : 0;
    freeReplyObject(r);
    if (held) a->renewed_at = mono_ms();
    if (held != a->holding)
        skew_ex_logf(SKEW_EX_LOG_INFO, held ? "cluster: aggregator: %s now merges the view"
                                            : "cluster: aggregator: %s lost the lease; another instance merges",
                     a->id);
    a->holding = held;
    return held;
}

/* One batch of GETRANGE replies into the merge. */
static bool read_batch(skcl_agg *a, redisReply *members, size_t from, size_t to) {
    char end[24];
    size_t i;
    snprintf(end, sizeof end, "%zu", a->max_snapshot);
    for (i = from; i < to; i++) {
        redisReply *e = members->element[i];
        char key[KEY_MAX + 80];
        if (e->type != REDIS_REPLY_STRING || e->len == 0 || e->len > SKEW_CLUSTER_ID_MAX) {
            snprintf(key, sizeof key, "%s~", a->k_snap_prefix); /* a reply slot anyway: refused below */
        } else {
            snprintf(key, sizeof key, "%s%.*s", a->k_snap_prefix, (int)e->len, e->str);
        }
        redisAppendCommand(a->rc, "GETRANGE %s 0 %s", key, end);
    }
    for (i = from; i < to; i++) {
        void *rv = NULL;
        redisReply *r;
        if (redisGetReply(a->rc, &rv) != REDIS_OK || !rv) {
            drop(a);
            return false;
        }
        r = (redisReply *)rv;
        if (r->type == REDIS_REPLY_STRING && r->len > 0) {
            /* one byte over max_snapshot: cut, refused whole */
            if ((size_t)r->len > a->max_snapshot) skcl_merge_add(a->merge, NULL, 0);
            else skcl_merge_add(a->merge, r->str, (size_t)r->len);
        }
        freeReplyObject(r);
    }
    return true;
}

static void write_view(skcl_agg *a, uint64_t made, double merge_cpu) {
    char *view = NULL, *list = NULL, px[24];
    size_t vl = 0, ll = 0;
    redisReply *r;
    if (!skcl_merge_write(a->merge, a->id, ++a->seq, made, a->listed_cap, &view, &vl, &list, &ll)) return;
    snprintf(px, sizeof px, "%u", (unsigned)(3u * a->interval_ms));
    {
        char seq[24];
        const char *av[] = {"EVAL", view_script, "3", a->k_agg, a->k_view, a->k_list, a->holder, px, view, list ? list : "",
                            a->ch_new, seq};
        size_t lens[12];
        int i;
        snprintf(seq, sizeof seq, "%llu", (unsigned long long)a->seq);
        for (i = 0; i < 12; i++) lens[i] = strlen(av[i]);
        lens[8] = vl;
        lens[9] = list ? ll : 0;
        r = cmd(a, 12, av, lens);
    }
    if (r) {
        if (r->type == REDIS_REPLY_INTEGER && r->integer == 0 && a->holding) {
            a->holding = false; /* lost between renewal and write: nothing was written */
            skew_ex_logf(SKEW_EX_LOG_INFO, "cluster: aggregator: %s lost the lease; another instance merges", a->id);
        }
        freeReplyObject(r);
    }
    pthread_mutex_lock(&a->mu);
    a->stats.rounds++;
    a->stats.snapshots += skcl_merge_count(a->merge);
    a->stats.rejected = skcl_merge_rejected(a->merge);
    a->stats.last_merge_ms = merge_cpu;
    pthread_mutex_unlock(&a->mu);
    free(view);
    free(list);
}

/* Read the members written within 2P, merge their snapshots, write the view. */
static void round_once(skcl_agg *a) {
    uint64_t now = skew_ex_now_ms(); /* the members' scores are the writers' wall clocks + 3P */
    char fresh[24], limit[24];
    redisReply *m, *w;
    size_t i;
    double cpu0;
    bool lists;
    snprintf(fresh, sizeof fresh, "(%llu", (unsigned long long)(now + a->interval_ms));
    snprintf(limit, sizeof limit, "%u", (unsigned)SKCL_VIEW_MAX_INSTANCES);
    {
        const char *av[] = {"GETRANGE", a->k_watch, "0", "0"};
        w = cmd_s(a, av, 4);
        if (!w) return;
        lists = w->type == REDIS_REPLY_STRING && w->len > 0;
        freeReplyObject(w);
    }
    {
        const char *av[] = {"ZRANGEBYSCORE", a->k_members, fresh, "+inf", "LIMIT", "0", limit};
        m = cmd_s(a, av, 7);
        if (!m) return;
    }
    if (m->type != REDIS_REPLY_ARRAY) {
        freeReplyObject(m);
        return;
    }
    cpu0 = cpu_ms();
    skcl_merge_begin(a->merge, lists);
    for (i = 0; i < m->elements; i += BATCH) {
        uint64_t t = mono_ms();
        /* a long round (thousands of snapshots on a loaded host) keeps its lease */
        if (t - a->renewed_at >= a->interval_ms / 2u && !lease(a)) break;
        if (!read_batch(a, m, i, i + BATCH < m->elements ? i + BATCH : m->elements)) {
            freeReplyObject(m);
            return;
        }
    }
    freeReplyObject(m);
    write_view(a, skew_ex_now_ms(), cpu_ms() - cpu0);
}

uint32_t skcl_agg_write_in(uint64_t wall_ms, uint32_t interval_ms, const char *id) {
    uint64_t P = interval_ms ? interval_ms : 1u, h = 14695981039346656037u, at;
    while (id && *id) h = (h ^ (unsigned char)*id++) * 1099511628211u; /* FNV-1a: the spread */
    at = wall_ms - wall_ms % P + P * 5u / 8u + h % (P / 4u + 1u);
    while (at < wall_ms + P / 4u) at += P;
    return (uint32_t)(at - wall_ms);
}

bool skcl_agg_round_due(uint64_t now, uint32_t interval_ms, bool nudged, uint64_t *next_round) {
    uint64_t P = interval_ms ? interval_ms : 1u;
    if (*next_round > now + P) *next_round = now; /* the wall clock went back by more than P */
    if (!nudged && now < *next_round) return false;
    *next_round = now - now % P + P; /* the next phase 0: one round, however far the clock went */
    return true;
}

/* Until the next round (phase 0, wall clock), the next lease renewal or try (P/2) or the other
   holder's lease running out, whichever first. */
static void wait_next(skcl_agg *a) {
    struct timespec until;
    uint64_t now = skew_ex_now_ms(), at = now + a->interval_ms / 2u;
    if (a->holding && a->next_round > now && a->next_round < at) at = a->next_round;
    if (!a->holding && a->lease_free_at > now && a->lease_free_at < at) at = a->lease_free_at;
    until.tv_sec = (time_t)(at / 1000u);
    until.tv_nsec = (long)(at % 1000u) * 1000000L;
    pthread_cond_timedwait(&a->cv, &a->mu, &until); /* CLOCK_REALTIME, as skew_ex_now_ms */
}

static void *agg_main(void *arg) {
    skcl_agg *a = (skcl_agg *)arg;
    char host[256];
    int port = 0;
    bool is_unix = false, up;
    pthread_mutex_lock(&a->mu);
    while (!a->stop) {
        uint64_t now;
        bool nudged = a->nudged;
        up = a->up;
        a->nudged = false;
        if (a->target_changed) {
            a->target_changed = false;
            memcpy(host, a->host, sizeof host);
            port = a->port;
            is_unix = a->is_unix;
            pthread_mutex_unlock(&a->mu);
            drop(a); /* a new master (sentinel) or a reconnect: a new connection */
            pthread_mutex_lock(&a->mu);
        }
        pthread_mutex_unlock(&a->mu);
        if (!up) {
            drop(a);
        } else if (a->rc || connect_redis(a, host, port, is_unix)) {
            now = skew_ex_now_ms(); /* rounds at phase 0 of the wall clock (skcl_agg_write_in) */
            if (lease(a) && skcl_agg_round_due(now, a->interval_ms, nudged, &a->next_round)) {
                round_once(a);
            }
        }
        pthread_mutex_lock(&a->mu);
        a->stats.holding = a->holding;
        if (a->stop || a->nudged) continue;
        wait_next(a);
    }
    pthread_mutex_unlock(&a->mu);
    if (a->rc && a->holding) {
        const char *av[] = {"EVAL", release_script, "1", a->k_agg, a->holder};
        redisReply *r = cmd_s(a, av, 5);
        if (r) freeReplyObject(r);
    }
    a->holding = false;
    drop(a);
    return NULL;
}

skcl_agg *skcl_agg_start(const skcl_agg_config *c) {
    skcl_agg *a = (skcl_agg *)calloc(1, sizeof *a);
    if (!a) return NULL;
    a->merge = skcl_merge_new(c->merge_cfg);
    if (!a->merge) {
        free(a);
        return NULL;
    }
    snprintf(a->id, sizeof a->id, "%s", c->id);
    snprintf(a->holder, sizeof a->holder, "%s %s", c->id, c->nonce);
    snprintf(a->k_agg, KEY_MAX, "skew:{%s}:agg", c->name);
    snprintf(a->k_view, KEY_MAX, "skew:{%s}:view", c->name);
    snprintf(a->k_list, KEY_MAX, "skew:{%s}:view:list", c->name);
    snprintf(a->k_members, KEY_MAX, "skew:{%s}:members", c->name);
    snprintf(a->k_watch, KEY_MAX, "skew:{%s}:watch", c->name);
    snprintf(a->k_snap_prefix, KEY_MAX, "skew:{%s}:snap:", c->name);
    snprintf(a->ch_new, KEY_MAX, "skew:{%s}:view:new", c->name);
    a->interval_ms = c->interval_ms;
    a->max_snapshot = c->max_snapshot;
    a->listed_cap = c->merge_cfg->max_listed;
    snprintf(a->user, sizeof a->user, "%s", c->user ? c->user : "");
    if (c->password) a->password = strdup(c->password);
    a->db = c->db;
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    if (pthread_create(&a->thread, NULL, agg_main, a) != 0) {
        skcl_merge_free(a->merge);
        free(a->password);
        free(a);
        return NULL;
    }
    return a;
}

void skcl_agg_target(skcl_agg *a, bool up, const char *host, int port, bool is_unix) {
    if (!a) return;
    pthread_mutex_lock(&a->mu);
    a->up = up;
    if (up) {
        snprintf(a->host, sizeof a->host, "%s", host);
        a->port = port;
        a->is_unix = is_unix;
        a->target_changed = true;
        a->nudged = true;
    }
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

/* *flag set under the lock and the worker woken (a nudge, a stop). */
static void agg_raise(skcl_agg *a, bool *flag) {
    pthread_mutex_lock(&a->mu);
    *flag = true;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

void skcl_agg_nudge(skcl_agg *a) {
    if (a) agg_raise(a, &a->nudged);
}

void skcl_agg_get_stats(skcl_agg *a, skcl_agg_stats *out) {
    memset(out, 0, sizeof *out);
    if (!a) return;
    pthread_mutex_lock(&a->mu);
    *out = a->stats;
    pthread_mutex_unlock(&a->mu);
}

void skcl_agg_quit(skcl_agg *a) {
    if (a) agg_raise(a, &a->stop);
}

void skcl_agg_stop(skcl_agg *a) {
    if (!a) return;
    skcl_agg_quit(a);
    pthread_join(a->thread, NULL);
    skcl_merge_free(a->merge);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    if (a->password) {
        volatile char *p = a->password;
        while (*p) *p++ = 0;
        free(a->password);
    }
    free(a);
}
