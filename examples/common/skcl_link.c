/* skcl_link.c - the cluster's Redis link (see skcl_link.h): options, connection, snapshot cycle,
   pub/sub, relay encoding. hiredis 0.14 async on libev; pthreads for the worker-thread mode. */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netdb.h>
#include <sys/socket.h>

#include "skcl_ev.h"

#include "skcl_agg.h"
#include "skcl_link.h"
#include "skcl_sentinel_parse.h"
#include "skew_example.h"

#define KEY_MAX 200                 /* skew:{NAME}:inst:<id> and friends */
#define BUILD_MAX 128
#define MESSAGE_MAX (256u * 1024u)  /* a pub/sub message longer than this is skipped, counted */
#define LEAVE_TIMEOUT_MS 500.0
#define MIN_STALL_MS 1000u          /* a reply later than max(2P, this): Redis is stalled */
#define VIEW_MAX (8u * 1024u * 1024u) /* bytes of the aggregator's view read at most */

/* Our snapshot, written only while we own the id: skew:{NAME}:owner:<id> holds the nonce of the
   live process using it (TTL 3P, renewed with every write). Another live holder: 0, we refuse. */
static const char write_script[] =
    "local o = redis.call('GET', KEYS[1])\n"
    "if o and o ~= ARGV[1] then return 0 end\n"
    "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"
    "redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])\n"
    "return 1\n";
/* Leaving: our keys go only if the id is still ours (a refused duplicate deletes nothing). */
static const char leave_script[] =
    "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end\n"
    "redis.call('DEL', KEYS[1], KEYS[2])\n"
    "redis.call('ZREM', KEYS[3], ARGV[2])\n"
    "return 1\n";

/* The build registration, atomic in Redis: a build gets a sequence number on first sight;
   the cluster's build changes only to a higher number (mode "admin": always a new number). */
static const char build_script[] =
    /* first what this instance already knew (ARGV[4] seq, ARGV[5] build): a Redis that lost
       its data gets the cluster's build back before anything else registers */
    "local known = tonumber(ARGV[4]) or 0\n"
    "if known > 0 then\n"
    "  if (tonumber(redis.call('GET', KEYS[2]) or '0') or 0) < known then redis.call('SET', KEYS[2], known) end\n"
    "  if not redis.call('HGET', KEYS[1], ARGV[5]) then redis.call('HSET', KEYS[1], ARGV[5], known) end\n"
    "  local c0 = redis.call('GET', KEYS[3])\n"
    "  local c0s = 0\n"
    "  if c0 then c0s = tonumber(string.match(c0, '^(%d+) ')) or 0 end\n"
    "  if known > c0s then c0 = known .. ' ' .. ARGV[5]; redis.call('SET', KEYS[3], c0) end\n"
    /* a reconnect: this binary's build was registered at its first connect already */
    "  if ARGV[2] == 'start' then return c0 end\n"
    "end\n"
    "local s = redis.call('HGET', KEYS[1], ARGV[1])\n"
    "if (not s) or ARGV[2] == 'admin' then s = redis.call('INCR', KEYS[2]); redis.call('HSET', KEYS[1], ARGV[1], s) end\n"
    "local cur = redis.call('GET', KEYS[3])\n"
    "local cs = 0\n"
    "if cur then cs = tonumber(string.match(cur, '^(%d+) ')) or 0 end\n"
    "if tonumber(s) > cs then cur = s .. ' ' .. ARGV[1]; redis.call('SET', KEYS[3], cur); "
    "redis.call('PUBLISH', ARGV[3], 'V' .. cur) end\n"
    "return cur\n";

/* ======================================================================================
   >>args
   ====================================================================================== */

static bool id_char_ok(char ch) {
    unsigned char c = (unsigned char)ch;
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
}

static bool id_text_ok(const char *s, size_t max) {
    size_t n = strlen(s), i;
    if (n == 0 || n > max) return false;
    for (i = 0; i < n; i++)
        if (!id_char_ok(s[i])) return false;
    return true;
}

/* The setters of the cluster's flags; ctx is a skew_cluster_options. */
#define SKEW_CL__O ((skew_cluster_options *)ctx)

static bool set_redis(void *ctx, const char *v, const char **why) {
    /* hiredis 0.14 (Debian 12) has no TLS: say what works instead of failing later */
    *why = "rediss:// (TLS) is not supported by hiredis 0.14: run a stunnel4 sidecar in client mode in\n"
           "front of the TLS redis-server and give --redis redis://127.0.0.1:<stunnel port>\n"
           "(README: Redis over TLS)";
    if (!strncmp(v, "rediss://", 9)) return false;
    *why = NULL;
    if (!*v) return false;
    SKEW_CL__O->redis_url = v;
    return true;
}
/* A name kept as given: 1..max of [A-Za-z0-9._-] (allowed says so in the error). */
static bool set_id_text(const char *v, size_t max, const char *allowed, const char **why, const char **out) {
    *why = allowed;
    if (!id_text_ok(v, max)) return false;
    *out = v;
    return true;
}
static bool set_cluster_name(void *ctx, const char *v, const char **why) {
    return set_id_text(v, SKCL_NAME_MAX, "1..64 of [A-Za-z0-9._-]", why, &SKEW_CL__O->name);
}
static bool set_instance_id(void *ctx, const char *v, const char **why) {
    return set_id_text(v, SKEW_CLUSTER_ID_MAX, "1..40 of [A-Za-z0-9._-]", why, &SKEW_CL__O->instance_id);
}
static bool set_interval(void *ctx, const char *v, const char **why) {
    *why = "50..600000";
    return skew_ex_parse_u32(v, 50, 600000u, &SKEW_CL__O->interval_ms);
}
static bool set_listed(void *ctx, const char *v, const char **why) {
    *why = "1..1000000 (at most the tracker's max_listed)";
    return skew_ex_parse_u32(v, 1, 1000000u, &SKEW_CL__O->listed);
}
static bool set_max_instances(void *ctx, const char *v, const char **why) {
    *why = "1..the build's SKEW_CLUSTER_MAX_INSTANCES";
    return skew_ex_parse_u32(v, 1, SKEW_CLUSTER_MAX_INSTANCES, &SKEW_CL__O->max_instances);
}

static bool set_sentinel(void *ctx, const char *v, const char **why) {
    const char *colon = strrchr(v, ':');
    uint32_t port;
    *why = "HOST:PORT (up to 8 sentinels)";
    if (!colon || colon == v || (size_t)(colon - v) > 200 || !skew_ex_parse_u32(colon + 1, 1, 65535, &port)) return false;
    if (SKEW_CL__O->sentinel_count >= SKCL_SENTINELS_MAX) return false;
    SKEW_CL__O->sentinels[SKEW_CL__O->sentinel_count++] = v;
    return true;
}
static bool set_master(void *ctx, const char *v, const char **why) {
    return set_id_text(v, SKCL_NAME_MAX, "1..64 of [A-Za-z0-9._-]", why, &SKEW_CL__O->master_name);
}

static bool set_reads(void *ctx, const char *v, const char **why) {
    *why = "view or all";
    if (strcmp(v, "view") && strcmp(v, "all")) return false;
    SKEW_CL__O->read_all = !strcmp(v, "all");
    return true;
}

static const skew_ex_opt skew_cluster__opts[] = {
    {"--redis", "URL",
     "redis://[user@]host:port[/db] or unix:///path; password from\n"
     "$SKEW_REDIS_PASSWORD (never on the command line)",
     set_redis},
    {"--cluster", "NAME", "cluster name (default " SKCL_DEFAULT_NAME ")", set_cluster_name},
    {"--instance-id", "ID", "this instance (default hostname-pid-nonce)", set_instance_id},
    {"--cluster-interval-ms", "P", "snapshot period (default 2000; TTL 3P)", set_interval},
    {"--cluster-listed", "N",
     "connections listed per snapshot (default: all listed in stats,\n"
     "1000); most of a snapshot's bytes, read by every instance",
     set_listed},
    {"--cluster-max-instances", "N", "other instances shown (default 128; ~750 bytes each)", set_max_instances},
    {"--redis-sentinel", "HOST:PORT",
     "find the master through Redis Sentinel (repeatable, up to 8; with\n"
     "--redis-master; --redis then only gives user and db); sentinel\n"
     "password from $SKEW_REDIS_SENTINEL_PASSWORD",
     set_sentinel},
    {"--redis-master", "NAME", "the master's name at the sentinels", set_master},
    {"--cluster-reads", "view|all",
     "view (default): one instance (a lease holder) merges the snapshots\n"
     "into one view the others read, traffic linear in the instances;\n"
     "all: every instance reads every snapshot (N x (N-1) reads per P)",
     set_reads},
};

static void skew_cluster__defaults(void *ctx) {
    memset(SKEW_CL__O, 0, sizeof *SKEW_CL__O);
    SKEW_CL__O->name = SKCL_DEFAULT_NAME;
    SKEW_CL__O->interval_ms = SKCL_DEFAULT_INTERVAL_MS;
}

/* Without --instance-id: hostname, pid and a boot nonce, so a restart never reuses an id. */
static bool skew_cluster__finish(void *ctx, const char *prog) {
    skew_cluster_options *o = SKEW_CL__O;
    char host[40] = "host";
    unsigned nonce = 0;
    FILE *f;
    size_t k;
    if (o->sentinel_count && !o->master_name) {
        fprintf(stderr, "%s: --redis-sentinel needs --redis-master NAME\n", prog);
        return false;
    }
    if (o->master_name && !o->sentinel_count) {
        fprintf(stderr, "%s: --redis-master needs at least one --redis-sentinel HOST:PORT\n", prog);
        return false;
    }
    /* with sentinels the master's address comes from them; --redis (if any) gives user and db */
    if (o->sentinel_count && !o->redis_url) o->redis_url = "redis://127.0.0.1:6379";
    if (!o->redis_url || o->instance_id) return true;
    f = fopen("/dev/urandom", "rb");
    if (f) {
        if (fread(&nonce, sizeof nonce, 1, f) != 1) nonce = (unsigned)skew_ex_now_ms();
        fclose(f);
    } else {
        nonce = (unsigned)skew_ex_now_ms();
    }
    if (gethostname(host, sizeof host - 1) != 0) strcpy(host, "host");
    host[sizeof host - 1] = '\0';
    for (k = 0; host[k]; k++)
        if (!id_char_ok(host[k])) host[k] = '-';
    snprintf(o->id_buf, sizeof o->id_buf, "%s-%ld-%06x", host, (long)getpid(), nonce & 0xffffffu);
    o->instance_id = o->id_buf;
    return true;
}
#undef SKEW_CL__O

skew_ex_opt_group skew_cluster_opt_group(skew_cluster_options *o) {
    skew_ex_opt_group g;
    memset(&g, 0, sizeof g);
    g.title = "cluster (several instances as one, on Redis)";
    g.opts = skew_cluster__opts;
    g.count = sizeof skew_cluster__opts / sizeof skew_cluster__opts[0];
    g.ctx = o;
    g.defaults = skew_cluster__defaults;
    g.finish = skew_cluster__finish;
    return g;
}

/* ======================================================================================
   >>state
   ====================================================================================== */

typedef enum op_kind {
    OP_PUBLISH = 1, OP_PUSH_BUILD, OP_INVALIDATE, OP_RELAY, OP_ANSWER, OP_LEAVE, OP_QUIT
} op_kind;

/* One message between the threads (or handed straight through in same-loop mode). */
typedef struct qmsg {
    struct qmsg *next;
    int kind;                       /* op_kind towards the worker, skcl_event_type back */
    bool up;
    uint64_t seq;
    char target[SKEW_CLUSTER_ID_MAX + 1];
    size_t count;
    skew_str *parts;
    char *data;
    size_t len;
} qmsg;

typedef enum link_state { LINK_DOWN = 0, LINK_SETUP, LINK_READY } link_state;

struct skcl_link {
    char id[SKEW_CLUSTER_ID_MAX + 1];
    char build[BUILD_MAX + 1];
    uint32_t interval_ms;
    size_t max_snapshot;
    uint32_t max_instances;
    skcl_link_event_fn on_event;
    skcl_link_wake_fn wake;
    void *user;

    /* where Redis is */
    bool is_unix;
    char host[256];
    int port;
    int db;
    char user_name[128];
    char *password;                 /* from the environment; wiped at destroy */
    char url_shown[512];            /* for log lines: no password in it, ever */

    /* Sentinel (--redis-sentinel): the master's address is asked before every connect */
    size_t sent_n;
    char sent_host[SKCL_SENTINELS_MAX][64];
    int sent_port[SKCL_SENTINELS_MAX];
    char master_name[SKCL_NAME_MAX + 1];
    char *sent_password;            /* SKEW_REDIS_SENTINEL_PASSWORD; wiped at destroy */
    redisAsyncContext *sq;          /* asking one sentinel */
    size_t sq_next, sq_tried;       /* the next sentinel to ask; asked in this round */
    double sq_since;
    bool resolved;                  /* host/port are the master the sentinels named */
    redisAsyncContext *swatch;      /* +switch-master from one sentinel */
    char master_shown[300];         /* the last address logged */

    char nonce[40];                 /* this process: the owner key's value */
    bool refused;                   /* another live instance owns our id: we stay out */
    double claim_failing_since;     /* ev ms of the first write refused for the owner key; 0: owned */
    char k_owner[KEY_MAX], k_watch[KEY_MAX], k_view[KEY_MAX], k_list[KEY_MAX];
    bool view_mode;                 /* read the aggregator's view, not every snapshot */
    skcl_agg *agg;                  /* our aggregator candidate (view mode with merge_cfg) */
    size_t list_max;                /* bytes of the listed connections read at most */
    bool watched;                   /* the watch key was there at the last cycle */
    char k_snap_prefix[KEY_MAX], k_snap[KEY_MAX], k_members[KEY_MAX], k_builds[KEY_MAX], k_seq[KEY_MAX],
        k_current[KEY_MAX], ch_cmd[KEY_MAX], ch_self[KEY_MAX], ch_inst_prefix[KEY_MAX], ch_view[KEY_MAX];
    bool last_watching;             /* a dashboard here at the last publish: read the list too */
    double announced_at;            /* ev ms of the last "new view" message (view mode) */
    double view_due;                /* ev ms to read the announced view at; 0: none due */
    double probe_sent;              /* ev ms of the oldest unanswered GETRANGE :current; 0: none */
    uint32_t jitter;                /* per-instance pseudo-random delays */

    struct ev_loop *loop;
    bool own_loop;
    pthread_t thread;
    bool thread_started;
    ev_async async;
    ev_timer tick;                  /* reconnects, stall checks */
    ev_timer leave_timer;

    redisAsyncContext *cmd, *sub;
    link_state cmd_state, sub_state;
    bool sub_authed, sub_subscribing; /* SUBSCRIBE waits for the command link (a clear ACL error) */
    double link_since;              /* ev_now when the current connect began */
    double retry_at;                /* next connect try (ev_now); 0: now */
    uint32_t backoff_ms;
    bool up;                        /* last state reported */
    bool auth_failed;               /* the reason of the current outage (one log line) */
    char down_reason[200];
    bool reported_once;

    bool cycle_busy;
    double cycle_started;
    uint32_t cycle_waiting;         /* GETRANGE replies still to come */
    size_t cycle_n, cycle_cap;
    char **cycle_texts;
    size_t *cycle_lens;

    bool leaving, stopped_sent;
    uint64_t best_seq;              /* the highest build decision seen (re-asserted on reconnect) */
    char best_build[BUILD_MAX + 1];
    char pending_build[BUILD_MAX + 1]; /* an admin push made while Redis was away */

    pthread_mutex_t mu;             /* the two queues and the counters */
    qmsg *in_head, *in_tail;        /* server -> worker */
    qmsg *out_head, *out_tail;      /* worker -> server */
    skcl_link_counters counters;
};

static double now_ms(const skcl_link *cl) { return ev_now(cl->loop) * 1000.0; }

static qmsg *qmsg_new(int kind, size_t count, size_t len) {
    qmsg *m = (qmsg *)calloc(1, sizeof *m + count * sizeof(skew_str) + len + 1);
    if (!m) return NULL;
    m->kind = kind;
    m->count = count;
    m->parts = (skew_str *)(void *)(m + 1);
    m->data = (char *)(m->parts + count);
    m->len = len;
    return m;
}

static void q_push(qmsg **head, qmsg **tail, qmsg *m) {
    m->next = NULL;
    if (*tail) (*tail)->next = m;
    else *head = m;
    *tail = m;
}

static void deliver(skcl_link *cl, qmsg *m) {
    skcl_link_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = (skcl_event_type)m->kind;
    ev.up = m->up;
    ev.seq = m->seq;
    ev.text.ptr = m->data;
    ev.text.len = m->len;
    ev.parts = m->parts;
    ev.count = m->count;
    cl->on_event(cl->user, &ev);
    free(m);
}

/* m to the other side: run at once (same loop), or queued on head/tail under the lock and the
   other thread woken (wake). Shared by emit (towards the server) and submit (towards the worker). */
static void hand_over(skcl_link *cl, qmsg *m, void (*run)(skcl_link *, qmsg *), qmsg **head, qmsg **tail,
                      void (*wake)(skcl_link *)) {
    if (!m) return;
    if (!cl->own_loop) {
        run(cl, m);
        return;
    }
    pthread_mutex_lock(&cl->mu);
    q_push(head, tail, m);
    pthread_mutex_unlock(&cl->mu);
    wake(cl);
}

/* The other side's counterpart of hand_over: everything queued on head/tail, taken under the
   lock and run outside it, in order. */
static void run_queued(skcl_link *cl, void (*run)(skcl_link *, qmsg *), qmsg **head, qmsg **tail) {
    qmsg *m;
    pthread_mutex_lock(&cl->mu);
    m = *head;
    *head = *tail = NULL;
    pthread_mutex_unlock(&cl->mu);
    while (m) {
        qmsg *n = m->next;
        run(cl, m);
        m = n;
    }
}

static void wake_server(skcl_link *cl) {
    if (cl->wake) cl->wake(cl->user);
}

/* An event towards the server: at once (same loop) or queued plus a wake-up. */
static void emit(skcl_link *cl, qmsg *m) {
    hand_over(cl, m, deliver, &cl->out_head, &cl->out_tail, wake_server);
}

static void emit_text(skcl_link *cl, skcl_event_type type, uint64_t seq, const char *p, size_t n) {
    qmsg *m = qmsg_new((int)type, 0, n);
    if (!m) return;
    m->seq = seq;
    if (n) memcpy(m->data, p, n);
    emit(cl, m);
}

void skcl_link_drain(skcl_link *cl) {
    if (!cl || !cl->own_loop) return;
    run_queued(cl, deliver, &cl->out_head, &cl->out_tail);
}

/* ======================================================================================
   >>redis  connections, state, backoff
   ====================================================================================== */

static void count_command(skcl_link *cl, int argc, const size_t *lens) {
    size_t bytes = 16;
    int i;
    for (i = 0; i < argc; i++) bytes += lens[i] + 16; /* RESP framing, roughly */
    pthread_mutex_lock(&cl->mu);
    cl->counters.commands++;
    cl->counters.bytes_out += bytes;
    pthread_mutex_unlock(&cl->mu);
}

/* One command, binary-safe; false if it could not be queued. */
static bool command(skcl_link *cl, redisAsyncContext *ac, redisCallbackFn *fn, void *priv, int argc,
                    const char **argv, const size_t *lens) {
    if (!ac) return false;
    count_command(cl, argc, lens);
    return redisAsyncCommandArgv(ac, fn, priv, argc, argv, lens) == REDIS_OK;
}

static size_t slen(const char *s) { return strlen(s); }

#define CMD(cl, ac, fn, priv, ...)                                                                  \
    do {                                                                                            \
        const char *argv_[] = {__VA_ARGS__};                                                        \
        size_t lens_[sizeof argv_ / sizeof argv_[0]];                                               \
        size_t i_;                                                                                  \
        for (i_ = 0; i_ < sizeof argv_ / sizeof argv_[0]; i_++) lens_[i_] = slen(argv_[i_]);        \
        command(cl, ac, fn, priv, (int)(sizeof argv_ / sizeof argv_[0]), argv_, lens_);             \
    } while (0)

static void set_up(skcl_link *cl, bool up, const char *why) {
    if (up == cl->up && cl->reported_once) return;
    cl->up = up;
    cl->reported_once = true;
    skcl_agg_target(cl->agg, up && !cl->refused && !cl->leaving, cl->host, cl->port, cl->is_unix);
    if (up) {
        cl->backoff_ms = 0;
        skew_ex_logf(SKEW_EX_LOG_INFO, "cluster: redis up at %s: instance %s joined", cl->url_shown, cl->id);
    } else {
        skew_ex_logf(SKEW_EX_LOG_ERROR, "cluster: degraded (%s): serving local stats, retrying %s", why, cl->url_shown);
    }
    {
        qmsg *m = qmsg_new(SKCL_EV_STATE, 0, strlen(why ? why : ""));
        if (m) {
            m->up = up;
            if (why) memcpy(m->data, why, m->len);
            emit(cl, m);
        }
    }
}

static void cycle_reset(skcl_link *cl) {
    size_t i;
    for (i = 0; i < cl->cycle_n; i++) free(cl->cycle_texts[i]);
    cl->cycle_n = 0;
    cl->cycle_waiting = 0;
    cl->cycle_busy = false;
}

/* Drop both connections (pending callbacks see a NULL reply and do nothing), schedule a retry. */
static void link_fail(skcl_link *cl, const char *why) {
    redisAsyncContext *a = cl->cmd, *b = cl->sub;
    uint32_t cap = cl->interval_ms / 2;
    cl->cmd = cl->sub = NULL;
    cl->cmd_state = cl->sub_state = LINK_DOWN;
    cl->resolved = false; /* sentinel mode: ask again who the master is */
    if (a) redisAsyncFree(a);
    if (b) redisAsyncFree(b);
    cycle_reset(cl);
    cl->probe_sent = 0.0;
    if (cap < 250) cap = 250;
    if (cap > 5000) cap = 5000;
    cl->backoff_ms = cl->backoff_ms ? cl->backoff_ms * 2 : 100;
    if (cl->backoff_ms > cap) cl->backoff_ms = cap;
    cl->retry_at = now_ms(cl) + cl->backoff_ms;
    skew_ex_logf(SKEW_EX_LOG_DEBUG, "cluster: redis: %s (next try in %u ms)", why, (unsigned)cl->backoff_ms);
    snprintf(cl->down_reason, sizeof cl->down_reason, "%s", why);
    set_up(cl, false, why);
}

static void check_ready(skcl_link *cl) {
    if (cl->cmd_state == LINK_READY && cl->sub_state == LINK_READY) {
        cl->auth_failed = false;
        set_up(cl, true, NULL);
    }
}

static bool reply_error(const redisReply *r, char *why, size_t cap) {
    if (!r) {
        snprintf(why, cap, "connection lost");
        return true;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        snprintf(why, cap, "%.*s", (int)(r->len > 150 ? 150 : r->len), r->str);
        return true;
    }
    return false;
}

/* An error reply to a command the link cannot do without: the link fails with
   "WHAT: <Redis' error>HINT" (one log line) and true is returned. */
static bool link_refused(skcl_link *cl, const redisReply *r, const char *what, const char *hint) {
    char why[180], msg[420];
    if (!reply_error(r, why, sizeof why)) return false;
    snprintf(msg, sizeof msg, "%s: %s%s", what, why, hint);
    link_fail(cl, msg);
    return true;
}

static void link_setup(skcl_link *cl, redisAsyncContext *ac);

static void on_auth(redisAsyncContext *ac, void *reply, void *priv) {
    skcl_link *cl = (skcl_link *)ac->data;
    redisReply *r = (redisReply *)reply;
    char why[180], msg[240];
    (void)priv;
    if (!r || (ac != cl->cmd && ac != cl->sub)) return;
    if (reply_error(r, why, sizeof why)) {
        if (!cl->auth_failed) {
            cl->auth_failed = true;
            snprintf(msg, sizeof msg, "authentication refused: %.100s; check SKEW_REDIS_PASSWORD and the ACL user", why);
        } else {
            snprintf(msg, sizeof msg, "authentication refused: %.150s", why);
        }
        link_fail(cl, msg);
        return;
    }
    link_setup(cl, ac); /* nothing else is sent before the password is accepted */
}

static void on_select(redisAsyncContext *ac, void *reply, void *priv) {
    skcl_link *cl = (skcl_link *)ac->data;
    redisReply *r = (redisReply *)reply;
    char what[40];
    (void)priv;
    if (!r || (ac != cl->cmd && ac != cl->sub) || cl->auth_failed) return;
    snprintf(what, sizeof what, "SELECT %d refused", cl->db);
    (void)link_refused(cl, r, what, "");
}

static void emit_build(skcl_link *cl, const char *p, size_t n) {
    /* "<seq> <build>" */
    uint64_t seq = 0;
    size_t i = 0;
    while (i < n && p[i] >= '0' && p[i] <= '9' && seq < UINT64_MAX / 10) seq = seq * 10 + (uint64_t)(p[i++] - '0');
    if (i == 0 || i >= n || p[i] != ' ' || n - i - 1 == 0 || n - i - 1 > BUILD_MAX) {
        pthread_mutex_lock(&cl->mu);
        cl->counters.bad_messages++;
        pthread_mutex_unlock(&cl->mu);
        return;
    }
    if (seq > cl->best_seq) {
        cl->best_seq = seq;
        memcpy(cl->best_build, p + i + 1, n - i - 1);
        cl->best_build[n - i - 1] = '\0';
    }
    emit_text(cl, SKCL_EV_BUILD, seq, p + i + 1, n - i - 1);
}

static void subscribe(skcl_link *cl);
static void register_build(skcl_link *cl, const char *build, const char *mode);

static void on_build(redisAsyncContext *ac, void *reply, void *priv) {
    skcl_link *cl = (skcl_link *)ac->data;
    redisReply *r = (redisReply *)reply;
    (void)priv;
    if (!r || ac != cl->cmd || cl->auth_failed) return;
    if (link_refused(cl, r, "build registration failed", "")) return;
    if (r->type == REDIS_REPLY_STRING) emit_build(cl, r->str, r->len);
    if (cl->cmd_state == LINK_SETUP) {
        cl->cmd_state = LINK_READY;
        if (cl->pending_build[0]) {
            register_build(cl, cl->pending_build, "admin");
            cl->pending_build[0] = '\0';
        }
        if (cl->sub_authed && !cl->sub_subscribing) subscribe(cl);
        check_ready(cl);
    }
}

static void register_build(skcl_link *cl, const char *build, const char *mode) {
    char known[24];
    bool start = !strcmp(mode, "start");
    snprintf(known, sizeof known, "%" PRIu64, start && cl->best_build[0] ? cl->best_seq : (uint64_t)0);
    CMD(cl, cl->cmd, on_build, NULL, "EVAL", build_script, "3", cl->k_builds, cl->k_seq, cl->k_current, build, mode,
        cl->ch_cmd, known, start && cl->best_build[0] ? cl->best_build : "-");
}

static void on_message(skcl_link *cl, const char *channel, size_t clen, const char *p, size_t n);

static void on_sub(redisAsyncContext *ac, void *reply, void *priv) {
    skcl_link *cl = (skcl_link *)ac->data;
    redisReply *r = (redisReply *)reply;
    (void)priv;
    if (!r || ac != cl->sub || cl->auth_failed) return;
    if (link_refused(cl, r, "SUBSCRIBE refused", "")) return;
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 3 || r->element[0]->type != REDIS_REPLY_STRING) return;
    if (r->element[0]->len == 9 && !memcmp(r->element[0]->str, "subscribe", 9)) {
        /* the second confirmation: both channels are ours */
        if (r->element[2]->type == REDIS_REPLY_INTEGER && r->element[2]->integer >= (cl->view_mode ? 3 : 2) &&
            cl->sub_state == LINK_SETUP) {
            cl->sub_state = LINK_READY;
            check_ready(cl);
        }
        return;
    }
    if (r->element[0]->len == 7 && !memcmp(r->element[0]->str, "message", 7) &&
        r->element[1]->type == REDIS_REPLY_STRING && r->element[2]->type == REDIS_REPLY_STRING)
        on_message(cl, r->element[1]->str, r->element[1]->len, r->element[2]->str, r->element[2]->len);
}

static void on_connect(const redisAsyncContext *cac, int status) {
    redisAsyncContext *ac = (redisAsyncContext *)(uintptr_t)cac;
    skcl_link *cl = (skcl_link *)ac->data;
    if (status != REDIS_OK) {
        char why[200];
        snprintf(why, sizeof why, "cannot connect: %s", ac->errstr[0] ? ac->errstr : "error");
        /* hiredis frees this context after the callback */
        if (cl->cmd == ac) cl->cmd = NULL;
        if (cl->sub == ac) cl->sub = NULL;
        link_fail(cl, why);
    }
}

static void on_disconnect(const redisAsyncContext *cac, int status) {
    redisAsyncContext *ac = (redisAsyncContext *)(uintptr_t)cac;
    skcl_link *cl = (skcl_link *)ac->data;
    bool ours = cl->cmd == ac || cl->sub == ac;
    /* hiredis 0.14 drops a subscriber link whose SUBSCRIBE gets an error reply */
    bool refused = cl->sub == ac && cl->sub_state == LINK_SETUP && cl->sub_subscribing;
    (void)status;
    if (cl->cmd == ac) cl->cmd = NULL;
    if (cl->sub == ac) cl->sub = NULL;
    if (ours) link_fail(cl, refused ? "SUBSCRIBE refused (an ACL without the channels?)" : "connection lost");
}

/* A connection being opened (NULL: it could not start), put on the link's loop with these
   callbacks. */
static redisAsyncContext *ctx_attach(skcl_link *cl, redisAsyncContext *ac, redisConnectCallback *on_conn,
                                     redisDisconnectCallback *on_disc) {
    if (!ac) return NULL;
    if (ac->err) {
        redisAsyncFree(ac);
        return NULL;
    }
    ac->data = cl;
    redisLibevAttach(cl->loop, ac);
    redisAsyncSetConnectCallback(ac, on_conn);
    redisAsyncSetDisconnectCallback(ac, on_disc);
    return ac;
}

static redisAsyncContext *open_one(skcl_link *cl) {
    return ctx_attach(cl, cl->is_unix ? redisAsyncConnectUnix(cl->host) : redisAsyncConnect(cl->host, cl->port),
                      on_connect, on_disconnect);
}

/* AUTH first when there are credentials; the rest once it is accepted (on_auth). */
static void link_auth(skcl_link *cl, redisAsyncContext *ac) {
    if (cl->user_name[0])
        CMD(cl, ac, on_auth, NULL, "AUTH", cl->user_name, cl->password ? cl->password : "");
    else if (cl->password)
        CMD(cl, ac, on_auth, NULL, "AUTH", cl->password);
    else
        link_setup(cl, ac);
}

/* Sentinel mode: the address the sentinels gave must be a master now (a failover may be under
   way); nothing is written before ROLE says so. */
static void on_role(redisAsyncContext *ac, void *reply, void *priv) {
    skcl_link *cl = (skcl_link *)ac->data;
    redisReply *r = (redisReply *)reply;
    char msg[520];
    (void)priv;
    if (!r || ac != cl->cmd || cl->auth_failed) return;
    if (link_refused(cl, r, "ROLE refused", " (the ACL user needs +role with --redis-sentinel)")) return;
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 1 || r->element[0]->type != REDIS_REPLY_STRING ||
        r->element[0]->len != 6 || memcmp(r->element[0]->str, "master", 6) != 0) {
        snprintf(msg, sizeof msg, "%s:%d is not a master (ROLE %.20s): asking the sentinels again", cl->host, cl->port,
                 r->type == REDIS_REPLY_ARRAY && r->elements && r->element[0]->type == REDIS_REPLY_STRING ? r->element[0]->str : "?");
        link_fail(cl, msg);
        return;
    }
    register_build(cl, cl->build, "start");
}

static void link_setup(skcl_link *cl, redisAsyncContext *ac) {
    if (ac == cl->cmd) {
        if (cl->db) {
            char db[16];
            snprintf(db, sizeof db, "%d", cl->db);
            CMD(cl, cl->cmd, on_select, NULL, "SELECT", db);
        }
        if (cl->sent_n)
            CMD(cl, cl->cmd, on_role, NULL, "ROLE");
        else
            register_build(cl, cl->build, "start");
    } else if (ac == cl->sub) {
        if (cl->db) {
            char db[16];
            snprintf(db, sizeof db, "%d", cl->db);
            CMD(cl, cl->sub, on_select, NULL, "SELECT", db);
        }
        cl->sub_authed = true;
        if (cl->cmd_state == LINK_READY) subscribe(cl);
    }
}

static void subscribe(skcl_link *cl) {
    cl->sub_subscribing = true;
    if (cl->view_mode)
        CMD(cl, cl->sub, on_sub, NULL, "SUBSCRIBE", cl->ch_cmd, cl->ch_self, cl->ch_view);
    else
        CMD(cl, cl->sub, on_sub, NULL, "SUBSCRIBE", cl->ch_cmd, cl->ch_self);
}

static void sentinel_ask(skcl_link *cl);

static void link_start(skcl_link *cl) {
    if (cl->sent_n && !cl->resolved) { /* the master's address first */
        sentinel_ask(cl);
        return;
    }
    cl->cmd = open_one(cl);
    cl->sub = cl->cmd ? open_one(cl) : NULL;
    cl->link_since = now_ms(cl);
    if (!cl->cmd || !cl->sub) {
        link_fail(cl, "cannot create a connection");
        return;
    }
    cl->cmd_state = cl->sub_state = LINK_SETUP;
    cl->sub_authed = cl->sub_subscribing = false;
    link_auth(cl, cl->cmd);
    link_auth(cl, cl->sub);
}

static void view_read(skcl_link *cl);

static uint32_t stall_ms(const skcl_link *cl) {
    uint32_t s = cl->interval_ms * 2;
    return s < MIN_STALL_MS ? MIN_STALL_MS : s;
}

static void on_tick(struct ev_loop *loop, ev_timer *w, int revents) {
    skcl_link *cl = (skcl_link *)w->data;
    double now = now_ms(cl);
    (void)loop;
    (void)revents;
    if (cl->leaving) return;
    if (cl->sq && now - cl->sq_since > stall_ms(cl)) { /* a sentinel that does not answer: the next */
        redisAsyncContext *q = cl->sq;
        cl->sq = NULL;
        redisAsyncFree(q);
        cl->sq_next++;
        if (++cl->sq_tried >= cl->sent_n) link_fail(cl, "no sentinel answered");
        return;
    }
    if (cl->sq) return;
    if (!cl->cmd && !cl->sub) {
        if (now >= cl->retry_at) link_start(cl);
        return;
    }
    if ((cl->cmd_state != LINK_READY || cl->sub_state != LINK_READY) && now - cl->link_since > stall_ms(cl)) {
        link_fail(cl, "no answer from redis");
        return;
    }
    if ((cl->cycle_busy && now - cl->cycle_started > stall_ms(cl)) ||
        (cl->probe_sent > 0.0 && now - cl->probe_sent > stall_ms(cl))) {
        link_fail(cl, "redis stalled");
        return;
    }
    if (cl->view_due > 0.0 && now >= cl->view_due && !cl->cycle_busy) {
        cl->view_due = 0.0;
        view_read(cl);
    }
}

/* ======================================================================================
   >>sentinel  where the master is (--redis-sentinel, --redis-master)
   ====================================================================================== */

static void sentinel_next(skcl_link *cl, const char *why);
static void watch_start(skcl_link *cl, size_t i);

static void on_sq_disconnect(const redisAsyncContext *cac, int status) {
    skcl_link *cl = (skcl_link *)cac->data;
    (void)status;
    if (cl->sq == cac) {
        cl->sq = NULL;
        sentinel_next(cl, "connection lost");
    }
}

static void on_sq_connect(const redisAsyncContext *cac, int status) {
    skcl_link *cl = (skcl_link *)cac->data;
    if (status != REDIS_OK && cl->sq == cac) {
        cl->sq = NULL; /* hiredis frees it after this callback */
        sentinel_next(cl, "cannot connect");
    }
}

static void master_at(skcl_link *cl, const char *ip, size_t iplen, int port) {
    char shown[300];
    if (iplen == 0 || iplen >= sizeof cl->host || port < 1 || port > 65535) return;
    memcpy(cl->host, ip, iplen);
    cl->host[iplen] = '\0';
    cl->port = (int)port;
    cl->is_unix = false;
    snprintf(shown, sizeof shown, "%s:%d", cl->host, cl->port);
    snprintf(cl->url_shown, sizeof cl->url_shown, "redis://%s%s%s:%d/%d (master %s)", cl->user_name,
             cl->user_name[0] ? "@" : "", cl->host, cl->port, cl->db, cl->master_name);
    if (strcmp(shown, cl->master_shown) != 0) { /* one line per change of master */
        skew_ex_logf(SKEW_EX_LOG_INFO, "cluster: sentinel: master %s at %s", cl->master_name, shown);
        snprintf(cl->master_shown, sizeof cl->master_shown, "%s", shown);
    }
}

static void on_sq_reply(redisAsyncContext *ac, void *reply, void *priv) {
    skcl_link *cl = (skcl_link *)ac->data;
    redisReply *r = (redisReply *)reply;
    char why[180];
    size_t asked = (size_t)(uintptr_t)priv;
    int port = 0;
    if (!r || ac != cl->sq) return;
    if (reply_error(r, why, sizeof why)) {
        cl->sq = NULL;
        redisAsyncDisconnect(ac);
        sentinel_next(cl, why);
        return;
    }
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[0]->type == REDIS_REPLY_STRING &&
        r->element[1]->type == REDIS_REPLY_STRING &&
        skcl_sentinel_addr_ok(r->element[0]->str, r->element[0]->len, r->element[1]->str, r->element[1]->len, &port)) {
        master_at(cl, r->element[0]->str, r->element[0]->len, port);
        cl->sq = NULL;
        redisAsyncDisconnect(ac);
        cl->resolved = true;
        cl->sq_tried = 0;
        if (!cl->swatch) watch_start(cl, asked);
        link_start(cl);
        return;
    }
    cl->sq = NULL;
    redisAsyncDisconnect(ac);
    sentinel_next(cl, "the sentinel does not know that master");
}

static void on_sq_auth(redisAsyncContext *ac, void *reply, void *priv) {
    skcl_link *cl = (skcl_link *)ac->data;
    redisReply *r = (redisReply *)reply;
    char why[180], msg[240];
    if (!r || ac != cl->sq) return;
    if (reply_error(r, why, sizeof why)) {
        snprintf(msg, sizeof msg, "sentinel authentication refused: %.120s; check SKEW_REDIS_SENTINEL_PASSWORD", why);
        cl->sq = NULL;
        redisAsyncDisconnect(ac);
        sentinel_next(cl, msg);
        return;
    }
    CMD(cl, ac, on_sq_reply, priv, "SENTINEL", "get-master-addr-by-name", cl->master_name);
}

static redisAsyncContext *sentinel_open(skcl_link *cl, size_t i, redisConnectCallback *on_conn,
                                        redisDisconnectCallback *on_disc) {
    return ctx_attach(cl, redisAsyncConnect(cl->sent_host[i], cl->sent_port[i]), on_conn, on_disc);
}

/* Ask the sentinels in turn (one at a time) for the master's address. */
static void sentinel_ask(skcl_link *cl) {
    size_t i = cl->sq_next % cl->sent_n;
    if (cl->sq) return;
    cl->link_since = cl->sq_since = now_ms(cl);
    cl->sq = sentinel_open(cl, i, on_sq_connect, on_sq_disconnect);
    if (!cl->sq) {
        sentinel_next(cl, "cannot create a connection");
        return;
    }
    if (cl->sent_password)
        CMD(cl, cl->sq, on_sq_auth, (void *)(uintptr_t)i, "AUTH", cl->sent_password);
    else
        CMD(cl, cl->sq, on_sq_reply, (void *)(uintptr_t)i, "SENTINEL", "get-master-addr-by-name", cl->master_name);
}

static void sentinel_next(skcl_link *cl, const char *why) {
    char msg[260];
    cl->sq_next++;
    if (++cl->sq_tried < cl->sent_n) {
        sentinel_ask(cl);
        return;
    }
    cl->sq_tried = 0;
    snprintf(msg, sizeof msg, "no sentinel names master %s (last: %.150s)", cl->master_name, why);
    link_fail(cl, msg);
}

/* +switch-master "<name> <old-ip> <old-port> <new-ip> <new-port>": reconnect to the new one. */
static void on_watch(redisAsyncContext *ac, void *reply, void *priv) {
    skcl_link *cl = (skcl_link *)ac->data;
    redisReply *r = (redisReply *)reply;
    const char *ip;
    size_t iplen;
    int port;
    char why[400];
    (void)priv;
    if (!r || ac != cl->swatch || r->type != REDIS_REPLY_ARRAY || r->elements != 3) return;
    if (r->element[0]->type != REDIS_REPLY_STRING || r->element[0]->len != 7 || memcmp(r->element[0]->str, "message", 7) ||
        r->element[2]->type != REDIS_REPLY_STRING)
        return;
    if (!skcl_switch_master_parse(r->element[2]->str, r->element[2]->len, cl->master_name, strlen(cl->master_name), &ip,
                                  &iplen, &port))
        return; /* another master's, or not one we understand */
    if (cl->cmd && cl->resolved && port == cl->port && iplen == strlen(cl->host) && !memcmp(ip, cl->host, iplen))
        return; /* the sentinels named it already and we are on it: no second reconnect */
    master_at(cl, ip, iplen, port);
    snprintf(why, sizeof why, "master %s switched to %s", cl->master_name, cl->master_shown);
    if (cl->cmd || cl->sub) link_fail(cl, why);
}

static void on_watch_disconnect(const redisAsyncContext *cac, int status) {
    skcl_link *cl = (skcl_link *)cac->data;
    (void)status;
    if (cl->swatch == cac) cl->swatch = NULL; /* a new one at the next answer from a sentinel */
}

static void on_watch_connect(const redisAsyncContext *cac, int status) {
    skcl_link *cl = (skcl_link *)cac->data;
    if (status != REDIS_OK && cl->swatch == cac) cl->swatch = NULL;
}

static void on_watch_auth(redisAsyncContext *ac, void *reply, void *priv) {
    skcl_link *cl = (skcl_link *)ac->data;
    redisReply *r = (redisReply *)reply;
    (void)priv;
    if (!r || ac != cl->swatch) return;
    if (r->type == REDIS_REPLY_ERROR) {
        cl->swatch = NULL;
        redisAsyncDisconnect(ac);
        return;
    }
    CMD(cl, ac, on_watch, NULL, "SUBSCRIBE", "+switch-master");
}

static void watch_start(skcl_link *cl, size_t i) {
    cl->swatch = sentinel_open(cl, i % cl->sent_n, on_watch_connect, on_watch_disconnect);
    if (!cl->swatch) return;
    if (cl->sent_password)
        CMD(cl, cl->swatch, on_watch_auth, NULL, "AUTH", cl->sent_password);
    else
        CMD(cl, cl->swatch, on_watch, NULL, "SUBSCRIBE", "+switch-master");
}

/* ======================================================================================
   >>cycle  publish ours, read theirs
   ====================================================================================== */

static void cycle_finish(skcl_link *cl) {
    size_t i, total = 0;
    qmsg *m;
    char *p;
    for (i = 0; i < cl->cycle_n; i++) total += cl->cycle_lens[i];
    m = qmsg_new(SKCL_EV_VIEW, cl->cycle_n, total);
    if (m) {
        p = m->data;
        for (i = 0; i < cl->cycle_n; i++) {
            memcpy(p, cl->cycle_texts[i], cl->cycle_lens[i]);
            m->parts[i].ptr = p;
            m->parts[i].len = cl->cycle_lens[i];
            p += cl->cycle_lens[i];
        }
    }
    cycle_reset(cl);
    emit(cl, m);
}

static void on_snapshot(redisAsyncContext *ac, void *reply, void *priv) {
    skcl_link *cl = (skcl_link *)ac->data;
    redisReply *r = (redisReply *)reply;
    (void)priv;
    if (!r || ac != cl->cmd || !cl->cycle_busy) return;
    /* A value cut by GETRANGE (one byte over max_snapshot) or of another type goes to the
       tracker as it is (or empty): it refuses it whole and counts it. nil: expired. */
    if (r->type != REDIS_REPLY_NIL && !(r->type == REDIS_REPLY_STRING && r->len == 0) && cl->cycle_n < cl->cycle_cap) {
        size_t n = r->type == REDIS_REPLY_STRING ? r->len : 0;
        char *copy = (char *)malloc(n + 1);
        if (copy) {
            if (n) memcpy(copy, r->str, n);
            cl->cycle_texts[cl->cycle_n] = copy;
            cl->cycle_lens[cl->cycle_n++] = n;
        }
    }
    if (cl->cycle_waiting && --cl->cycle_waiting == 0) cycle_finish(cl);
}

static void on_members(redisAsyncContext *ac, void *reply, void *priv) {
    skcl_link *cl = (skcl_link *)ac->data;
    redisReply *r = (redisReply *)reply;
    size_t i;
    char end[24];
    (void)priv;
    if (!r || ac != cl->cmd || !cl->cycle_busy) return;
    if (r->type != REDIS_REPLY_ARRAY) { /* refused (an ACL?): keep the view we have */
        char why[180];
        if (reply_error(r, why, sizeof why)) skew_ex_logf(SKEW_EX_LOG_DEBUG, "cluster: redis read refused: %s", why);
        cycle_reset(cl);
        return;
    }
    snprintf(end, sizeof end, "%zu", cl->max_snapshot); /* one byte more than allowed: oversized */
    for (i = 0; i < r->elements && cl->cycle_waiting < cl->cycle_cap; i++) {
        redisReply *e = r->element[i];
        char key[KEY_MAX + SKEW_CLUSTER_ID_MAX];
        if (e->type != REDIS_REPLY_STRING) continue;
        if (e->len == strlen(cl->id) && !memcmp(e->str, cl->id, e->len)) continue;
        if (e->len == 0 || e->len > SKEW_CLUSTER_ID_MAX) {
            /* an empty text in its place: the tracker refuses it and counts it */
            char *none = cl->cycle_n < cl->cycle_cap ? (char *)malloc(1) : NULL;
            if (none) {
                cl->cycle_texts[cl->cycle_n] = none;
                cl->cycle_lens[cl->cycle_n++] = 0;
            }
            continue;
        }
        snprintf(key, sizeof key, "%s%.*s", cl->k_snap_prefix, (int)e->len, e->str);
        cl->cycle_waiting++;
        CMD(cl, cl->cmd, on_snapshot, NULL, "GETRANGE", key, "0", end);
    }
    if (cl->cycle_waiting == 0) cycle_finish(cl);
}

static void on_current(redisAsyncContext *ac, void *reply, void *priv) {
    skcl_link *cl = (skcl_link *)ac->data;
    redisReply *r = (redisReply *)reply;
    (void)priv;
    if (!r || ac != cl->cmd) return;
    if (cl->probe_sent > 0.0) {
        /* a reply later than half the stall limit: Redis stalled, though not long enough to
           drop the link; the others' snapshots may have aged out of the view meanwhile */
        double late = now_ms(cl) - cl->probe_sent;
        if (late > (double)(stall_ms(cl) / 2u)) emit_text(cl, SKCL_EV_SLOW, (uint64_t)late, NULL, 0);
    }
    cl->probe_sent = 0.0;
    if (r->type == REDIS_REPLY_STRING && r->len > 0) emit_build(cl, r->str, r->len); /* "": no build yet */
}

static void on_owned_write(redisAsyncContext *ac, void *reply, void *priv) {
    skcl_link *cl = (skcl_link *)ac->data;
    redisReply *r = (redisReply *)reply;
    char why[180];
    (void)priv;
    if (!r || ac != cl->cmd) return;
    if (reply_error(r, why, sizeof why)) {
        skew_ex_logf(SKEW_EX_LOG_DEBUG, "cluster: redis write refused: %s", why);
    } else if (r->type == REDIS_REPLY_INTEGER && r->integer == 1) {
        cl->claim_failing_since = 0;
    } else if (r->type == REDIS_REPLY_INTEGER && r->integer == 0 && !cl->refused) {
        /* A dead holder's key (kill -9) expires within 3P of its last write; one still there
           after 4P of tries is renewed by a live process. */
        char msg[SKEW_CLUSTER_ID_MAX + 200];
        if (cl->claim_failing_since <= 0.0) cl->claim_failing_since = now_ms(cl);
        if (now_ms(cl) - cl->claim_failing_since <= 4.0 * cl->interval_ms) return;
        cl->refused = true;
        skcl_agg_quit(cl->agg);
        snprintf(msg, sizeof msg,
                 "instance id \"%s\" is in use by another live instance (a second server with --instance-id %s?)", cl->id,
                 cl->id);
        emit_text(cl, SKCL_EV_REFUSED, 0, msg, strlen(msg));
    }
}

static void on_write(redisAsyncContext *ac, void *reply, void *priv) {
    skcl_link *cl = (skcl_link *)ac->data;
    redisReply *r = (redisReply *)reply;
    char why[180];
    (void)priv;
    if (!r || ac != cl->cmd) return;
    if (reply_error(r, why, sizeof why)) skew_ex_logf(SKEW_EX_LOG_DEBUG, "cluster: redis write refused: %s", why);
}

/* View mode: the view (part 0) and the listed connections (part 1) arrive; both in one event. */
static void on_view_part(redisAsyncContext *ac, void *reply, void *priv) {
    skcl_link *cl = (skcl_link *)ac->data;
    redisReply *r = (redisReply *)reply;
    size_t part = (size_t)(uintptr_t)priv;
    if (!r || ac != cl->cmd || !cl->cycle_busy || part > 1) return;
    if (r->type == REDIS_REPLY_STRING && r->len > 0 && !cl->cycle_texts[part]) {
        char *copy = (char *)malloc((size_t)r->len + 1);
        if (copy) {
            memcpy(copy, r->str, (size_t)r->len);
            cl->cycle_texts[part] = copy;
            cl->cycle_lens[part] = (size_t)r->len;
        }
    }
    if (cl->cycle_waiting && --cl->cycle_waiting == 0) {
        qmsg *m = qmsg_new(SKCL_EV_AGG_VIEW, 2, cl->cycle_lens[0] + cl->cycle_lens[1]);
        if (m) {
            char *p = m->data;
            size_t i;
            for (i = 0; i < 2; i++) {
                if (cl->cycle_lens[i]) memcpy(p, cl->cycle_texts[i], cl->cycle_lens[i]);
                m->parts[i].ptr = p;
                m->parts[i].len = cl->cycle_lens[i];
                p += cl->cycle_lens[i];
            }
        }
        cycle_reset(cl);
        emit(cl, m);
    }
}

/* skew:{NAME}:watch exists while a dashboard somewhere shows the merged connections: only then
   do snapshots list them (its value is never read: one byte of it says it is there). */
static void on_watch_key(redisAsyncContext *ac, void *reply, void *priv) {
    skcl_link *cl = (skcl_link *)ac->data;
    redisReply *r = (redisReply *)reply;
    bool watched;
    (void)priv;
    if (!r || ac != cl->cmd || r->type == REDIS_REPLY_ERROR) return;
    watched = r->type == REDIS_REPLY_STRING && r->len > 0; /* GETRANGE of a missing key: "" */
    if (watched != cl->watched) {
        cl->watched = watched;
        emit_text(cl, SKCL_EV_WATCHED, watched ? 1 : 0, "", 0);
    }
}

/* View mode: one small read, the view; the listed connections only for a dashboard here. */
static void view_read(skcl_link *cl) {
    char vend[24], lend[24];
    if (cl->cycle_busy || cl->refused || cl->leaving || cl->cmd_state != LINK_READY || cl->sub_state != LINK_READY) return;
    snprintf(vend, sizeof vend, "%u", VIEW_MAX - 1);
    snprintf(lend, sizeof lend, "%zu", cl->list_max - 1);
    cl->cycle_n = 2;
    cl->cycle_texts[0] = cl->cycle_texts[1] = NULL;
    cl->cycle_lens[0] = cl->cycle_lens[1] = 0;
    cl->cycle_waiting = cl->last_watching ? 2 : 1;
    CMD(cl, cl->cmd, on_view_part, (void *)(uintptr_t)0, "GETRANGE", cl->k_view, "0", vend);
    if (cl->last_watching) CMD(cl, cl->cmd, on_view_part, (void *)(uintptr_t)1, "GETRANGE", cl->k_list, "0", lend);
    cl->cycle_busy = true;
    cl->cycle_started = now_ms(cl);
}

static void do_publish(skcl_link *cl, const char *snap, size_t len, bool watching) {
    char px[24], expiry[24], now_s[24], fresh[24], limit[24];
    double now = now_ms(cl);
    /* view mode writes even while a view read is in flight: a skipped write makes the snapshot
       2P old, and two drop the instance from the view (the read starts only when none is) */
    if (cl->refused || cl->leaving || (cl->cycle_busy && !cl->view_mode) || cl->cmd_state != LINK_READY ||
        cl->sub_state != LINK_READY)
        return;
    snprintf(px, sizeof px, "%u", (unsigned)(cl->interval_ms * 3));
    snprintf(expiry, sizeof expiry, "%.0f", now + cl->interval_ms * 3.0);
    snprintf(now_s, sizeof now_s, "(%.0f", now);
    /* read only instances that wrote within 2P (score = write time + 3P): a killed one leaves
       the view within 3P of its last write, before its key's TTL even runs out */
    snprintf(fresh, sizeof fresh, "(%.0f", now + cl->interval_ms);
    snprintf(limit, sizeof limit, "%u", (unsigned)cl->max_instances + 1);
    {
        const char *argv[] = {"EVAL", write_script, "2", cl->k_owner, cl->k_snap, cl->nonce, px, snap};
        size_t lens[] = {4, strlen(write_script), 1, strlen(cl->k_owner), strlen(cl->k_snap), strlen(cl->nonce),
                         strlen(px), len};
        command(cl, cl->cmd, on_owned_write, NULL, 8, argv, lens);
    }
    CMD(cl, cl->cmd, on_write, NULL, "ZADD", cl->k_members, expiry, cl->id);
    CMD(cl, cl->cmd, on_write, NULL, "ZREMRANGEBYSCORE", cl->k_members, "-inf", now_s + 1);
    /* bounded reads: a hostile value of any size costs at most these bytes (a cut one is refused) */
    /* its reply also says Redis answers: view mode has no read in flight most periods, and a
       stall must still be seen (degraded, reconnect) */
    if (cl->probe_sent <= 0.0) cl->probe_sent = now;
    CMD(cl, cl->cmd, on_current, NULL, "GETRANGE", cl->k_current, "0", "199");
    if (watching) CMD(cl, cl->cmd, on_write, NULL, "SET", cl->k_watch, "1", "PX", px);
    CMD(cl, cl->cmd, on_watch_key, NULL, "GETRANGE", cl->k_watch, "0", "0");
    cl->last_watching = watching;
    if (cl->view_mode) {
        /* the view is read when the aggregator announces a new one; this read only when no
           announcement came for 1.5P (none made, or a message lost) */
        if (now - cl->announced_at > 1.5 * cl->interval_ms) view_read(cl);
        return;
    }
    CMD(cl, cl->cmd, on_members, NULL, "ZRANGEBYSCORE", cl->k_members, fresh, "+inf", "LIMIT", "0", limit);
    cl->cycle_busy = true;
    cl->cycle_started = now;
}

/* ======================================================================================
   >>pubsub  commands and the relay
   ====================================================================================== */

static void on_message(skcl_link *cl, const char *channel, size_t clen, const char *p, size_t n) {
    bool self_ch = clen == strlen(cl->ch_self) && !memcmp(channel, cl->ch_self, clen);
    if (clen == strlen(cl->ch_view) && !memcmp(channel, cl->ch_view, clen)) {
        /* a new view was written (what the message says is not needed, nor trusted): read it
           soon, each instance after its own delay within P/8, so a thousand instances do not
           all ask Redis for it in the same millisecond */
        cl->announced_at = now_ms(cl);
        cl->view_due = cl->announced_at + (double)(cl->jitter % (cl->interval_ms / 8u + 1u));
        cl->jitter = cl->jitter * 1103515245u + 12345u;
        return;
    }
    if (n == 0 || n > MESSAGE_MAX) goto bad;
    if (!self_ch) {
        switch (p[0]) {
        case 'V': emit_build(cl, p + 1, n - 1); return;
        case 'I': {
            /* "I<origin>\n<route>": the origin applied it already */
            const char *nl = (const char *)memchr(p, '\n', n);
            size_t ol;
            if (!nl) goto bad;
            ol = (size_t)(nl - p - 1);
            if (ol == strlen(cl->id) && !memcmp(p + 1, cl->id, ol)) return;
            emit_text(cl, SKCL_EV_INVALIDATE, 0, nl + 1, n - (size_t)(nl + 1 - p));
            return;
        }
        case 'L':
            if (n - 1 == strlen(cl->id) && !memcmp(p + 1, cl->id, n - 1)) return;
            skcl_agg_nudge(cl->agg); /* its row goes now, not a period later */
            emit_text(cl, SKCL_EV_LEFT, 0, p + 1, n - 1);
            return;
        default: goto bad;
        }
    }
    if (p[0] == 'Q') {
        emit_text(cl, SKCL_EV_REQUEST, 0, p + 1, n - 1);
        return;
    }
    if (p[0] == 'A') {
        /* "A<id>\n<answer>" */
        uint64_t id = 0;
        size_t i = 1;
        while (i < n && p[i] >= '0' && p[i] <= '9' && id < UINT64_MAX / 10) id = id * 10 + (uint64_t)(p[i++] - '0');
        if (i == 1 || i >= n || p[i] != '\n') goto bad;
        emit_text(cl, SKCL_EV_ANSWER, id, p + i + 1, n - i - 1);
        return;
    }
bad:
    {
        uint64_t count;
        pthread_mutex_lock(&cl->mu);
        count = ++cl->counters.bad_messages;
        pthread_mutex_unlock(&cl->mu);
        if (!(count & (count - 1))) /* 1, 2, 4, 8, ...: a flood cannot flood the log */
            skew_ex_logf(SKEW_EX_LOG_INFO, "cluster: skipped a bad message from redis (%" PRIu64 " so far)", count);
    }
}

static void on_relay_published(redisAsyncContext *ac, void *reply, void *priv) {
    skcl_link *cl = (skcl_link *)ac->data;
    redisReply *r = (redisReply *)reply;
    uint64_t id = (uint64_t)(uintptr_t)priv;
    if (!r) {
        /* the connection went away with the request: nobody will answer */
        emit_text(cl, SKCL_EV_NOBODY, id, "", 0);
        return;
    }
    if (r->type != REDIS_REPLY_INTEGER || r->integer == 0) emit_text(cl, SKCL_EV_NOBODY, id, "", 0);
}

static void publish_to(skcl_link *cl, const char *channel, const char *head, size_t hlen, const char *data,
                       size_t len, redisCallbackFn *fn, void *priv) {
    char *buf = (char *)malloc(hlen + len + 1);
    const char *argv[3];
    size_t lens[3];
    if (!buf) {
        if (fn) fn(cl->cmd, NULL, priv);
        return;
    }
    memcpy(buf, head, hlen);
    if (len) memcpy(buf + hlen, data, len);
    argv[0] = "PUBLISH";
    lens[0] = 7;
    argv[1] = channel;
    lens[1] = strlen(channel);
    argv[2] = buf;
    lens[2] = hlen + len;
    if (!command(cl, cl->cmd, fn, priv, 3, argv, lens) && fn == on_relay_published)
        emit_text(cl, SKCL_EV_NOBODY, (uint64_t)(uintptr_t)priv, "", 0);
    free(buf);
}

static void on_left(redisAsyncContext *ac, void *reply, void *priv) {
    skcl_link *cl = (skcl_link *)ac->data;
    (void)reply;
    (void)priv;
    if (cl->stopped_sent) return;
    cl->stopped_sent = true;
    ev_timer_stop(cl->loop, &cl->leave_timer);
    emit_text(cl, SKCL_EV_STOPPED, 0, "", 0);
}

static void on_leave_timeout(struct ev_loop *loop, ev_timer *w, int revents) {
    skcl_link *cl = (skcl_link *)w->data;
    (void)loop;
    (void)revents;
    if (cl->stopped_sent) return;
    cl->stopped_sent = true;
    emit_text(cl, SKCL_EV_STOPPED, 0, "", 0);
}

static void do_leave(skcl_link *cl) {
    char msg[SKEW_CLUSTER_ID_MAX + 2];
    if (cl->leaving) return;
    cl->leaving = true;
    skcl_agg_quit(cl->agg); /* the lease goes with us: another instance merges at once */
    if (cl->cmd_state != LINK_READY || cl->refused) {
        cl->stopped_sent = true;
        emit_text(cl, SKCL_EV_STOPPED, 0, "", 0);
        return;
    }
    CMD(cl, cl->cmd, on_write, NULL, "EVAL", leave_script, "3", cl->k_owner, cl->k_snap, cl->k_members, cl->nonce, cl->id);
    snprintf(msg, sizeof msg, "L%s", cl->id);
    CMD(cl, cl->cmd, on_left, NULL, "PUBLISH", cl->ch_cmd, msg);
    ev_timer_init(&cl->leave_timer, on_leave_timeout, LEAVE_TIMEOUT_MS / 1000.0, 0.);
    cl->leave_timer.data = cl;
    ev_timer_start(cl->loop, &cl->leave_timer);
}

/* Run one operation on the loop's thread. */
static void execute(skcl_link *cl, qmsg *m) {
    char ch[KEY_MAX + SKEW_CLUSTER_ID_MAX];
    char head[SKEW_CLUSTER_ID_MAX + 40];
    int hl;
    switch ((op_kind)m->kind) {
    case OP_PUBLISH: do_publish(cl, m->data, m->len, m->seq != 0); break;
    case OP_PUSH_BUILD:
        if (!m->len || m->len > BUILD_MAX) break;
        if (cl->cmd_state == LINK_READY) {
            register_build(cl, m->data, "admin");
        } else { /* pushed to the cluster once Redis is back */
            memcpy(cl->pending_build, m->data, m->len);
            cl->pending_build[m->len] = '\0';
        }
        break;
    case OP_INVALIDATE:
        if (cl->cmd_state != LINK_READY) break;
        hl = snprintf(head, sizeof head, "I%s\n", cl->id);
        publish_to(cl, cl->ch_cmd, head, (size_t)hl, m->data, m->len, on_write, NULL);
        break;
    case OP_RELAY:
        if (cl->cmd_state != LINK_READY) {
            emit_text(cl, SKCL_EV_NOBODY, m->seq, "", 0);
            break;
        }
        snprintf(ch, sizeof ch, "%s%s", cl->ch_inst_prefix, m->target);
        publish_to(cl, ch, "Q", 1, m->data, m->len, on_relay_published, (void *)(uintptr_t)m->seq);
        break;
    case OP_ANSWER:
        if (cl->cmd_state != LINK_READY) break;
        snprintf(ch, sizeof ch, "%s%s", cl->ch_inst_prefix, m->target);
        hl = snprintf(head, sizeof head, "A%" PRIu64 "\n", m->seq);
        publish_to(cl, ch, head, (size_t)hl, m->data, m->len, on_write, NULL);
        break;
    case OP_LEAVE: do_leave(cl); break;
    case OP_QUIT: ev_break(cl->loop, EVBREAK_ALL); break;
    }
    free(m);
}

static void wake_worker(skcl_link *cl) {
    ev_async_send(cl->loop, &cl->async);
}

/* An operation from the server: at once (same loop) or queued to the worker. */
static void submit(skcl_link *cl, qmsg *m) {
    hand_over(cl, m, execute, &cl->in_head, &cl->in_tail, wake_worker);
}

static void on_async(struct ev_loop *loop, ev_async *w, int revents) {
    skcl_link *cl = (skcl_link *)w->data;
    (void)loop;
    (void)revents;
    run_queued(cl, execute, &cl->in_head, &cl->in_tail);
}

static qmsg *op(int kind, const char *target, uint64_t seq, const char *data, size_t len) {
    qmsg *m = qmsg_new(kind, 0, len);
    if (!m) return NULL;
    m->seq = seq;
    if (target) snprintf(m->target, sizeof m->target, "%s", target);
    if (len) memcpy(m->data, data, len);
    return m;
}

void skcl_link_publish(skcl_link *cl, const char *snapshot, size_t len) {
    skcl_link_publish_watched(cl, snapshot, len, false);
}
void skcl_link_publish_watched(skcl_link *cl, const char *snapshot, size_t len, bool watching) {
    if (cl) submit(cl, op(OP_PUBLISH, NULL, watching ? 1 : 0, snapshot, len));
}
void skcl_link_push_build(skcl_link *cl, const char *build, size_t len) {
    if (cl) submit(cl, op(OP_PUSH_BUILD, NULL, 0, build, len));
}
void skcl_link_invalidate(skcl_link *cl, const char *route, size_t len) {
    if (cl) submit(cl, op(OP_INVALIDATE, NULL, 0, route, len));
}
void skcl_link_relay(skcl_link *cl, const char *instance_id, uint64_t request_id, const char *data, size_t len) {
    if (cl) submit(cl, op(OP_RELAY, instance_id, request_id, data, len));
}
void skcl_link_answer(skcl_link *cl, const char *to_instance, uint64_t request_id, const char *data, size_t len) {
    if (cl) submit(cl, op(OP_ANSWER, to_instance, request_id, data, len));
}
void skcl_link_leave(skcl_link *cl) {
    if (cl) submit(cl, op(OP_LEAVE, NULL, 0, NULL, 0));
}

bool skcl_link_is_up(const skcl_link *cl) { return cl && cl->up; }
const char *skcl_link_instance_id(const skcl_link *cl) { return cl ? cl->id : ""; }

void skcl_link_get_counters(const skcl_link *cl, skcl_link_counters *out) {
    skcl_link *m = (skcl_link *)(uintptr_t)cl;
    pthread_mutex_lock(&m->mu);
    *out = cl->counters;
    pthread_mutex_unlock(&m->mu);
}

/* ======================================================================================
   >>lifecycle
   ====================================================================================== */

/* redis://[user@]host:port[/db] or unix:///path. A password inside the URL is refused. */
static bool parse_url(skcl_link *cl, const char *url) {
    const char *p, *at, *slash, *colon;
    size_t n;
    if (!strncmp(url, "unix://", 7)) {
        p = url + 7;
        if (p[0] != '/' || strlen(p) >= sizeof cl->host) return false;
        cl->is_unix = true;
        strcpy(cl->host, p);
        snprintf(cl->url_shown, sizeof cl->url_shown, "unix://%s", cl->host);
        return true;
    }
    if (strncmp(url, "redis://", 8)) return false;
    p = url + 8;
    slash = strchr(p, '/');
    at = strchr(p, '@');
    if (at && (!slash || at < slash)) {
        n = (size_t)(at - p);
        if (memchr(p, ':', n)) {
            fprintf(stderr, "--redis: no password in the URL: put it in SKEW_REDIS_PASSWORD\n");
            return false;
        }
        if (n == 0 || n >= sizeof cl->user_name) return false;
        memcpy(cl->user_name, p, n);
        cl->user_name[n] = '\0';
        p = at + 1;
    }
    slash = strchr(p, '/');
    n = slash ? (size_t)(slash - p) : strlen(p);
    colon = (const char *)memchr(p, ':', n);
    if (!colon || colon == p || (size_t)(colon - p) >= sizeof cl->host) return false;
    memcpy(cl->host, p, (size_t)(colon - p));
    cl->host[colon - p] = '\0';
    {
        char *end;
        long port = strtol(colon + 1, &end, 10);
        if (end != p + n || port < 1 || port > 65535) return false;
        cl->port = (int)port;
    }
    if (slash && slash[1]) {
        char *end;
        long db = strtol(slash + 1, &end, 10);
        if (*end || db < 0 || db > 1000000) return false;
        cl->db = (int)db;
    }
    snprintf(cl->url_shown, sizeof cl->url_shown, "redis://%s%s%s:%d/%d", cl->user_name,
             cl->user_name[0] ? "@" : "", cl->host, cl->port, cl->db);
    {
        /* hiredis resolves names with a blocking getaddrinfo on every connect: resolve once
           here, at start, so a reconnect never blocks the loop on DNS */
        struct addrinfo hints, *res = NULL;
        memset(&hints, 0, sizeof hints);
        hints.ai_socktype = SOCK_STREAM;
        if (getaddrinfo(cl->host, NULL, &hints, &res) != 0 || !res) {
            fprintf(stderr, "--redis: cannot resolve %s\n", cl->host);
            return false;
        }
        if (getnameinfo(res->ai_addr, res->ai_addrlen, cl->host, sizeof cl->host, NULL, 0, NI_NUMERICHOST) != 0) {
            freeaddrinfo(res);
            return false;
        }
        freeaddrinfo(res);
    }
    return true;
}

/* --redis-sentinel HOST:PORT rows, resolved once here (hiredis would block on DNS per connect). */
static bool sentinels_setup(skcl_link *cl, const skew_cluster_options *o) {
    const char *spw = getenv("SKEW_REDIS_SENTINEL_PASSWORD");
    size_t i;
    for (i = 0; i < o->sentinel_count && i < SKCL_SENTINELS_MAX; i++) {
        const char *v = o->sentinels[i], *colon = strrchr(v, ':');
        char host[256];
        struct addrinfo hints, *res = NULL;
        size_t hl = colon ? (size_t)(colon - v) : 0;
        if (!hl || hl >= sizeof host) return false;
        memcpy(host, v, hl);
        host[hl] = '\0';
        memset(&hints, 0, sizeof hints);
        hints.ai_socktype = SOCK_STREAM;
        if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res ||
            getnameinfo(res->ai_addr, res->ai_addrlen, cl->sent_host[i], sizeof cl->sent_host[i], NULL, 0,
                        NI_NUMERICHOST) != 0) {
            if (res) freeaddrinfo(res);
            fprintf(stderr, "--redis-sentinel: cannot resolve %s\n", host);
            return false;
        }
        freeaddrinfo(res);
        cl->sent_port[i] = (int)strtol(colon + 1, NULL, 10);
    }
    cl->sent_n = i;
    snprintf(cl->master_name, sizeof cl->master_name, "%s", o->master_name ? o->master_name : "");
    if (spw && spw[0]) cl->sent_password = strdup(spw);
    return true;
}

static void *worker_main(void *arg) {
    skcl_link *cl = (skcl_link *)arg;
    ev_run(cl->loop, 0);
    return NULL;
}

/* Unique per process start: the owner key tells a live duplicate from our own earlier write. */
static void make_nonce(char *out, size_t cap) {
    unsigned char b[12];
    size_t i, got = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (f) {
        got = fread(b, 1, sizeof b, f);
        fclose(f);
    }
    if (got != sizeof b) { /* no urandom: pid and clock still differ between two live processes */
        uint64_t x = ((uint64_t)getpid() << 32) ^ (uint64_t)skew_ex_mono_ms() ^ (uint64_t)(uintptr_t)out;
        for (i = 0; i < sizeof b; i++) b[i] = (unsigned char)(x >> (8 * (i % 8))) ^ (unsigned char)(i * 37u);
    }
    for (i = 0; i < sizeof b && 2 * i + 2 < cap; i++) snprintf(out + 2 * i, 3, "%02x", b[i]);
}

skcl_link *skcl_link_create(struct ev_loop *loop, const skcl_link_config *cfg) {
    skcl_link *cl;
    const skew_cluster_options *o = cfg->opt;
    const char *pw = getenv("SKEW_REDIS_PASSWORD");
    double tick_s;

    if (!o || !o->redis_url || !o->instance_id || !cfg->on_event) return NULL;
    cl = (skcl_link *)calloc(1, sizeof *cl);
    if (!cl) return NULL;
    if (!parse_url(cl, o->redis_url)) {
        fprintf(stderr, "--redis: expected redis://[user@]host:port[/db] or unix:///path\n");
        free(cl);
        return NULL;
    }
    snprintf(cl->id, sizeof cl->id, "%s", o->instance_id);
    snprintf(cl->build, sizeof cl->build, "%s", cfg->build ? cfg->build : "dev");
    cl->interval_ms = o->interval_ms ? o->interval_ms : SKCL_DEFAULT_INTERVAL_MS;
    cl->max_snapshot = cfg->max_snapshot ? cfg->max_snapshot : 65536;
    cl->max_instances = cfg->max_instances ? cfg->max_instances : 64;
    cl->on_event = cfg->on_event;
    cl->wake = cfg->wake;
    cl->user = cfg->user;
    if (pw && pw[0]) cl->password = strdup(pw);
    if (o->sentinel_count && !sentinels_setup(cl, o)) {
        free(cl->password);
        free(cl);
        return NULL;
    }
    snprintf(cl->k_snap_prefix, KEY_MAX, "skew:{%s}:snap:", o->name);
    snprintf(cl->k_snap, KEY_MAX, "skew:{%s}:snap:%s", o->name, cl->id);
    snprintf(cl->k_owner, KEY_MAX, "skew:{%s}:owner:%s", o->name, cl->id);
    snprintf(cl->k_watch, KEY_MAX, "skew:{%s}:watch", o->name);
    snprintf(cl->k_view, KEY_MAX, "skew:{%s}:view", o->name);
    snprintf(cl->k_list, KEY_MAX, "skew:{%s}:view:list", o->name);
    cl->view_mode = !o->read_all;
    cl->list_max = 2 * cl->max_snapshot + 65536;
    make_nonce(cl->nonce, sizeof cl->nonce);
    cl->jitter = (uint32_t)strtoul(cl->nonce + 16, NULL, 16) ^ (uint32_t)getpid();
    snprintf(cl->k_members, KEY_MAX, "skew:{%s}:members", o->name);
    snprintf(cl->k_builds, KEY_MAX, "skew:{%s}:builds", o->name);
    snprintf(cl->k_seq, KEY_MAX, "skew:{%s}:seq", o->name);
    snprintf(cl->k_current, KEY_MAX, "skew:{%s}:current", o->name);
    snprintf(cl->ch_cmd, KEY_MAX, "skew:{%s}:cmd", o->name);
    snprintf(cl->ch_inst_prefix, KEY_MAX, "skew:{%s}:inst:", o->name);
    snprintf(cl->ch_self, KEY_MAX, "skew:{%s}:inst:%s", o->name, cl->id);
    snprintf(cl->ch_view, KEY_MAX, "skew:{%s}:view:new", o->name);
    cl->cycle_cap = cl->max_instances + 1;
    cl->cycle_texts = (char **)calloc(cl->cycle_cap, sizeof *cl->cycle_texts);
    cl->cycle_lens = (size_t *)calloc(cl->cycle_cap, sizeof *cl->cycle_lens);
    pthread_mutex_init(&cl->mu, NULL);
    if (!cl->cycle_texts || !cl->cycle_lens) goto fail;

    if (loop) {
        cl->loop = loop;
    } else {
        cl->own_loop = true;
        cl->loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOENV);
        if (!cl->loop) goto fail;
        ev_async_init(&cl->async, on_async);
        cl->async.data = cl;
        ev_async_start(cl->loop, &cl->async);
    }
    tick_s = (cl->interval_ms / 4 > 250 ? 250 : cl->interval_ms / 4) / 1000.0;
    ev_timer_init(&cl->tick, on_tick, 0., tick_s);
    cl->tick.data = cl;
    ev_timer_start(cl->loop, &cl->tick);
    ev_init(&cl->leave_timer, on_leave_timeout);
    cl->leave_timer.data = cl;
    if (cl->view_mode && cfg->merge_cfg) {
        skcl_agg_config ac;
        memset(&ac, 0, sizeof ac);
        ac.merge_cfg = cfg->merge_cfg;
        ac.id = cl->id;
        ac.nonce = cl->nonce;
        ac.name = o->name;
        ac.interval_ms = cl->interval_ms;
        ac.max_snapshot = cl->max_snapshot;
        ac.user = cl->user_name;
        ac.password = cl->password;
        ac.db = cl->db;
        cl->agg = skcl_agg_start(&ac);
        if (!cl->agg) goto fail;
    }
    if (cl->own_loop) {
        if (pthread_create(&cl->thread, NULL, worker_main, cl) != 0) goto fail;
        cl->thread_started = true;
    }
    skew_ex_logf(SKEW_EX_LOG_INFO, "cluster: instance %s of cluster %s via %s, every %u ms", cl->id, o->name,
                 cl->url_shown, (unsigned)cl->interval_ms);
    return cl;
fail:
    skcl_link_destroy(cl);
    return NULL;
}

void skcl_link_destroy(skcl_link *cl) {
    qmsg *m;
    if (!cl) return;
    if (cl->thread_started) {
        submit(cl, op(OP_QUIT, NULL, 0, NULL, 0));
        pthread_join(cl->thread, NULL);
        cl->thread_started = false;
    }
    /* after the worker: its callbacks use cl->agg (nudge, target, quit) until it stops */
    skcl_agg_stop(cl->agg);
    cl->agg = NULL;
    if (cl->loop) {
        redisAsyncContext *a = cl->cmd, *b = cl->sub;
        cl->leaving = true;
        cl->cmd = cl->sub = NULL;
        /* after this no callback may emit: on_event is cleared by the NULL contexts checks */
        if (a) redisAsyncFree(a);
        if (b) redisAsyncFree(b);
        if (cl->sq) {
            a = cl->sq;
            cl->sq = NULL;
            redisAsyncFree(a);
        }
        if (cl->swatch) {
            a = cl->swatch;
            cl->swatch = NULL;
            redisAsyncFree(a);
        }
        ev_timer_stop(cl->loop, &cl->tick);
        ev_timer_stop(cl->loop, &cl->leave_timer);
        if (cl->own_loop) {
            ev_async_stop(cl->loop, &cl->async);
            ev_loop_destroy(cl->loop);
        }
    }
    cycle_reset(cl);
    for (m = cl->in_head; m;) {
        qmsg *n = m->next;
        free(m);
        m = n;
    }
    for (m = cl->out_head; m;) {
        qmsg *n = m->next;
        free(m);
        m = n;
    }
    if (cl->password) {
        volatile char *p = cl->password;
        while (*p) *p++ = 0;
        free(cl->password);
    }
    if (cl->sent_password) {
        volatile char *p = cl->sent_password;
        while (*p) *p++ = 0;
        free(cl->sent_password);
    }
    free(cl->cycle_texts);
    free(cl->cycle_lens);
    pthread_mutex_destroy(&cl->mu);
    free(cl);
}

/* ======================================================================================
   >>relay  request encoding
   ====================================================================================== */

static const char *const relay_header_names[] = {"cookie", "authorization", "user-agent", "content-type",
                                                 "x-forwarded-for", "x-real-ip", "origin", "accept",
                                                 "host", "referer"};

typedef struct wbuf {
    char *p;
    size_t cap, len;
} wbuf;

static void wb_put(wbuf *w, const char *s, size_t n) {
    if (w->len < w->cap) {
        size_t room = w->cap - w->len;
        memcpy(w->p + w->len, s, n < room ? n : room);
    }
    w->len += n;
}

static void wb_field(wbuf *w, const char *s, size_t n) {
    char num[24];
    int k = snprintf(num, sizeof num, "%zu:", n);
    wb_put(w, num, (size_t)k);
    if (n) wb_put(w, s, n);
}

size_t skcl_relay_encode(char *buf, size_t cap, const char *from, uint64_t id, const skew_request *req) {
    wbuf w;
    char head[SKEW_CLUSTER_ID_MAX + 40], ip[64];
    size_t i, iplen = 0;
    int k;
    w.p = buf;
    w.cap = cap ? cap - 1 : 0;
    w.len = 0;
    k = snprintf(head, sizeof head, "%s\n%" PRIu64 "\n", from, id);
    wb_put(&w, head, (size_t)k);
    wb_field(&w, req->method.ptr, req->method.len);
    wb_field(&w, req->path.ptr, req->path.len);
    wb_field(&w, req->query.ptr, req->query.len);
    wb_field(&w, req->body.ptr, req->body.len);
    if (req->peer.family) iplen = skew_ip_format(&req->peer, ip, sizeof ip);
    if (iplen >= sizeof ip) iplen = 0;
    wb_field(&w, ip, iplen);
    for (i = 0; i < sizeof relay_header_names / sizeof relay_header_names[0]; i++) {
        skew_str v = skew_get_header(req, relay_header_names[i]);
        if (!v.ptr || !v.len) continue;
        wb_field(&w, relay_header_names[i], strlen(relay_header_names[i]));
        wb_field(&w, v.ptr, v.len);
    }
    if (cap) buf[w.len < cap ? w.len : cap - 1] = '\0';
    return w.len;
}

static bool rd_line(skew_str *in, skew_str *line) {
    const char *nl = in->len ? (const char *)memchr(in->ptr, '\n', in->len) : NULL;
    if (!nl) return false;
    line->ptr = in->ptr;
    line->len = (size_t)(nl - in->ptr);
    in->len -= line->len + 1;
    in->ptr = nl + 1;
    return true;
}

static bool rd_field(skew_str *in, skew_str *out) {
    size_t n = 0, i = 0;
    while (i < in->len && i < 10 && in->ptr[i] >= '0' && in->ptr[i] <= '9') n = n * 10 + (size_t)(in->ptr[i++] - '0');
    if (i == 0 || i >= in->len || in->ptr[i] != ':') return false;
    i++;
    if (n > in->len - i) return false;
    out->ptr = in->ptr + i;
    out->len = n;
    in->ptr += i + n;
    in->len -= i + n;
    return true;
}

bool skcl_relay_decode(skew_str text, skcl_relay_req *out) {
    skew_str line, ipt;
    size_t i;
    memset(out, 0, sizeof *out);
    if (!text.ptr) return false;
    if (!rd_line(&text, &line) || line.len == 0 || line.len > SKEW_CLUSTER_ID_MAX) return false;
    memcpy(out->from, line.ptr, line.len);
    for (i = 0; i < line.len; i++)
        if (!id_char_ok(line.ptr[i])) return false;
    if (!rd_line(&text, &line) || line.len == 0 || line.len > 19) return false;
    for (i = 0; i < line.len; i++) {
        if (line.ptr[i] < '0' || line.ptr[i] > '9') return false;
        out->id = out->id * 10 + (uint64_t)(line.ptr[i] - '0');
    }
    if (!rd_field(&text, &out->method) || !rd_field(&text, &out->path) || !rd_field(&text, &out->query) ||
        !rd_field(&text, &out->body) || !rd_field(&text, &ipt))
        return false;
    out->peer = ipt;
    while (text.len) {
        if (out->header_count == SKCL_RELAY_HEADERS) return false;
        if (!rd_field(&text, &out->names[out->header_count]) || !rd_field(&text, &out->values[out->header_count]))
            return false;
        out->header_count++;
    }
    return true;
}

bool skcl_relay_answer_decode(skew_str text, int *status, skew_str *ctype, skew_str *body) {
    skew_str line1, line2, rest = text;
    size_t i;
    *status = 0;
    if (!rd_line(&rest, &line1) || !rd_line(&rest, &line2) || line1.len != 3) return false;
    for (i = 0; i < 3; i++) {
        if (line1.ptr[i] < '0' || line1.ptr[i] > '9') return false;
        *status = *status * 10 + (line1.ptr[i] - '0');
    }
    *ctype = line2;
    *body = rest;
    return true;
}

static skew_str relay_header(void *ctx, const char *lname) {
    const skcl_relay_req *rr = (const skcl_relay_req *)ctx;
    skew_str none = {NULL, 0};
    size_t i, n = strlen(lname);
    for (i = 0; i < rr->header_count; i++)
        if (rr->names[i].len == n && !memcmp(rr->names[i].ptr, lname, n)) return rr->values[i];
    return none;
}

void skcl_relay_request(const skcl_relay_req *rr, skew_request *req) {
    memset(req, 0, sizeof *req);
    req->method = rr->method;
    req->path = rr->path;
    req->query = rr->query;
    req->body = rr->body;
    req->header = relay_header;
    req->header_ctx = (void *)(uintptr_t)rr;
    if (rr->peer.len) skew_ip_parse(rr->peer, &req->peer);
}

