/* skcl_node.c - the cluster's server-thread half (see skcl_node.h): the tracker's view, the
   cluster's build, commands and the relay, on the server's thread only. */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "skcl_agg.h"
#include "skcl_node.h"
#include "skcl_view.h"
#include "skew_example.h"

/* ======================================================================================
   >>node  the server-thread half: tracker view, builds, commands, relay
   ====================================================================================== */

#define RELAY_MAX 256               /* relayed requests waiting at once; more get 503 */
#define RELAY_CANDIDATES 8          /* instances asked for one tag */
#define RELAY_TIMEOUT_MS 1000u
#define RELAY_MAX_BYTES (64u * 1024u)
#define ANSWER_MAX 8192u
#define OWN_KEPT 4                  /* our last snapshots: the view names the one it merged */
#define FEED_BUDGET_MS 1.0          /* a view is fed to the tracker in slices of about this long */

typedef struct own_snap {
    uint64_t at;                    /* its "at" (wall ms); 0: empty */
    char *text;
    size_t len;
} own_snap;

/* A view being fed to the tracker a slice at a time (skew_cluster_begin_update ..
   _commit_update): the view shown stays whole meanwhile; a newer view starts over. */
typedef struct view_feed {
    bool on;                        /* begun, not yet committed */
    bool agg;                       /* the aggregator's view (else every snapshot, --cluster-reads all) */
    char *rows;                     /* the texts the staged view points into */
    skew_str *parts;
    size_t count, next;
    skcl_view_info info;
} view_feed;

typedef struct relay_wait {
    uint64_t id;                    /* 0: free */
    uint64_t token;
    uint64_t deadline;
    uint32_t waiting;               /* instances that have not said 404 yet */
    bool unsure;                    /* one candidate could not be asked: no 404 from this one */
} relay_wait;

struct skcl_node {
    skew_tracker *t;
    skcl_link *link;
    skcl_node_respond_fn respond;
    skcl_node_kick_fn kick;
    skcl_link_wake_fn wake;
    void *user;
    uint32_t interval_ms;
    uint64_t next_publish;
    uint64_t build_seq;
    char *snap;                     /* our snapshot, built every P */
    size_t snap_cap;
    char *view;                     /* the texts the tracker's view points into */
    skew_str *view_parts;
    bool left;
    bool up;                        /* the link's state as its events said (server thread) */
    bool refused;                   /* another live instance owns our id (SKCL_EV_REFUSED) */
    uint64_t watch_until;           /* mono ms: a GET admin/stats here counts as watching until then */
    bool remote_watch;              /* someone in the cluster watches (SKCL_EV_WATCHED) */
    bool trace;                     /* SKEW_CLUSTER_TRACE: log the time of each cluster work slice */
    bool view_ready;                /* a view was read since the link came up: peers are known */
    bool was_up;                    /* the link was up before: a reconnect, not the first connect */
    uint64_t settled_at;            /* mono ms: from then on, a view without a tag's owner is proof;
                                       before, the others may still be republishing after an outage */
    uint64_t bad_seen;              /* the link's bad_messages already counted in the tracker */
    uint64_t next_relay_id;
    bool view_mode;                 /* the aggregator's view (skcl_view.h), not every snapshot */
    uint64_t view_made;             /* wall ms the view shown was made; 0: none shown */
    uint64_t view_seq;
    uint32_t list_share;            /* connections our snapshot lists while watched (view mode):
                                       the merged list's fair share, max_listed / instances */
    own_snap own[OWN_KEPT];
    size_t own_next;
    view_feed feed;
    size_t feed_rows;               /* SKEW_CLUSTER_FEED_ROWS: at most this many rows a slice (tests: 1,
                                       so that every view is fed over several loop turns); 0: no cap */
    bool turn_used;                 /* this loop turn already did cluster work: feed on the next */
    relay_wait relays[RELAY_MAX];
};

/* Cluster work on the server's thread, timed for bench/cluster-scale: with SKEW_CLUSTER_TRACE=1
   in the environment every slice of 0.1 ms or more is logged (with --verbose): its wall time
   (a preemption by another process counts too) and the thread's CPU time in it. */
typedef struct work_mark {
    double wall, cpu;
} work_mark;

static double work_clock_ms(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static work_mark work_begin(void) {
    work_mark m;
    m.wall = work_clock_ms(CLOCK_MONOTONIC);
    m.cpu = work_clock_ms(CLOCK_THREAD_CPUTIME_ID);
    return m;
}

static void work_done(const skcl_node *n, const char *what, work_mark started, size_t count) {
    double ms = work_clock_ms(CLOCK_MONOTONIC) - started.wall;
    if (n->trace && ms >= 0.1)
        skew_ex_logf(SKEW_EX_LOG_INFO, "cluster: work %.3f ms (%s, %zu) cpu %.3f ms", ms, what, count,
                     work_clock_ms(CLOCK_THREAD_CPUTIME_ID) - started.cpu);
}

/* The link's wake-up (worker thread) carries the node; the server's wants its own pointer. */
static void node_wake(void *user) {
    skcl_node *n = (skcl_node *)user;
    n->wake(n->user);
}

static void node_kick(skcl_node *n) {
    if (n->kick) n->kick(n->user);
}

bool skcl_node_retrack(skew_tracker **t, const skew_cluster_options *o, const char *prog) {
    skew_config cfg = *skew_get_config(*t);
    skew_tracker *nt = NULL;
    skew_result r;
    uint32_t tag = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(&tag, sizeof tag, 1, f) != 1) tag = (uint32_t)skew_ex_now_ms() ^ (uint32_t)getpid() * 2654435761u;
    if (f) fclose(f);
    cfg.instance_id = o->instance_id;
    if (!cfg.build) cfg.build = cfg.server_version; /* this binary's build, whatever the cluster's is */
    cfg.instance_tag = tag & SKEW_CLUSTER_TAG_MAX;
    cfg.cluster_max_instances = o->max_instances ? o->max_instances : 128;
    /* the copy carries the standalone tracker's message buffer, sized without the instances list
       and the "instance" on each entry: sized again for the cluster (it refused past ~256) */
    cfg.message_buffer = 0;
    if (o->listed) cfg.snapshot_max_listed = o->listed < cfg.max_listed || !cfg.max_listed ? o->listed : cfg.max_listed;
    r = skew_tracker_create(&nt, &cfg);
    if (r != SKEW_OK) {
        fprintf(stderr, "%s: invalid cluster configuration: %s\n", prog, skew_result_str(r));
        return false;
    }
    skew_tracker_destroy(*t);
    *t = nt;
    return true;
}

static void view_free(skcl_node *n) {
    free(n->view);
    free(n->view_parts);
    n->view = NULL;
    n->view_parts = NULL;
}

/* Forget a view being fed (its texts go; the tracker drops the staged view). */
static void feed_drop(skcl_node *n) {
    if (n->feed.on) skew_cluster_abort_update(n->t);
    free(n->feed.rows);
    free(n->feed.parts);
    memset(&n->feed, 0, sizeof n->feed);
}

/* Feed rows (malloc'ed, taken over) from the next loop turn on; a view being fed is dropped. */
static void feed_start(skcl_node *n, char *rows, skew_str *parts, size_t count, const skcl_view_info *info, bool agg) {
    feed_drop(n);
    if (skew_cluster_begin_update(n->t) != SKEW_OK) {
        free(rows);
        free(parts);
        return;
    }
    n->feed.on = true;
    n->feed.agg = agg;
    n->feed.rows = rows;
    n->feed.parts = parts;
    n->feed.count = count;
    if (info) n->feed.info = *info;
    node_kick(n); /* the timer must come back at once */
}

bool skcl_node_busy(const skcl_node *n) { return n && n->feed.on; }

static void relay_finish(skcl_node *n, relay_wait *w, int status, const char *ctype, const char *body, size_t len) {
    uint64_t token = w->token;
    w->id = 0;
    n->respond(n->user, token, status, ctype, body, len);
}

static void relay_fail_all(skcl_node *n, int status, const char *msg) {
    size_t i;
    char body[128];
    size_t len = skew_ex_json_error(body, sizeof body, msg);
    for (i = 0; i < RELAY_MAX; i++)
        if (n->relays[i].id) relay_finish(n, &n->relays[i], status, "application/json", body, len);
}

static relay_wait *relay_find(skcl_node *n, uint64_t id) {
    size_t i;
    for (i = 0; i < RELAY_MAX; i++)
        if (n->relays[i].id == id) return &n->relays[i];
    return NULL;
}

/* A 404 is an answer only when every candidate said it; a candidate not reached (Redis gone or
   stalled, nobody subscribed on its channel) makes the whole request a 503: try again. */
static void relay_not_here(skcl_node *n, relay_wait *w, bool reached) {
    if (!reached) w->unsure = true;
    if (w->waiting && --w->waiting) return;
    {
        char body[96];
        size_t len;
        if (w->unsure) {
            len = skew_ex_json_error(body, sizeof body, "cluster unavailable");
            relay_finish(n, w, 503, "application/json", body, len);
            return;
        }
        len = skew_ex_json_error(body, sizeof body, "unknown connectionId"); /* as skew_http says */
        relay_finish(n, w, 404, "application/json", body, len);
    }
}

static void relay_unavailable(skcl_node *n, uint64_t token) {
    char body[96];
    size_t len = skew_ex_json_error(body, sizeof body, "cluster unavailable");
    n->respond(n->user, token, 503, "application/json", body, len);
}

/* A relayed request for a connection held here: run it through skew_http, send the answer. */
static void node_serve_relayed(skcl_node *n, skew_str text) {
    skcl_relay_req rr;
    skew_request req;
    skew_response resp;
    char body[ANSWER_MAX], out[ANSWER_MAX + 128];
    skew_result r;
    int hl;
    if (!skcl_relay_decode(text, &rr)) return;
    skcl_relay_request(&rr, &req);
    memset(&resp, 0, sizeof resp);
    r = skew_http(n->t, &req, &resp, body, sizeof body);
    if (r == SKEW_ERR_TRUNCATED) resp.body_len = 0, resp.status = 500;
    if (r == SKEW_ERR_NOT_LOCAL) resp.status = 404;
    hl = snprintf(out, sizeof out, "%d\n%s\n", resp.status,
                  resp.content_type ? resp.content_type : "application/json");
    if (resp.body_len > sizeof out - (size_t)hl) resp.body_len = 0;
    memcpy(out + hl, body, resp.body_len);
    skcl_link_answer(n->link, rr.from, rr.id, out, (size_t)hl + resp.body_len);
    node_kick(n);
}

static void node_answer(skcl_node *n, uint64_t id, skew_str text) {
    relay_wait *w = relay_find(n, id);
    skew_str ctype, body;
    int status = 0;
    char cbuf[64];
    if (!w || !id) return;
    if (!skcl_relay_answer_decode(text, &status, &ctype, &body) || status == 404 || ctype.len >= sizeof cbuf) {
        relay_not_here(n, w, true);
        return;
    }
    memcpy(cbuf, ctype.ptr, ctype.len);
    cbuf[ctype.len] = '\0';
    relay_finish(n, w, status, cbuf, body.ptr, body.len);
}

static void node_view(skcl_node *n, const skcl_link_event *ev) {
    size_t i, total = 0;
    char *texts;
    skew_str *parts;
    for (i = 0; i < ev->count; i++) total += ev->parts[i].len;
    texts = (char *)malloc(total + 1);
    parts = (skew_str *)calloc(ev->count ? ev->count : 1, sizeof *parts);
    if (!texts || !parts) {
        free(texts);
        free(parts);
        return;
    }
    total = 0;
    for (i = 0; i < ev->count; i++) {
        memcpy(texts + total, ev->parts[i].ptr, ev->parts[i].len);
        parts[i].ptr = texts + total;
        parts[i].len = ev->parts[i].len;
        total += ev->parts[i].len;
    }
    feed_start(n, texts, parts, ev->count, NULL, false); /* refused ones are counted at the commit */
}

static skew_str own_find(void *ctx, uint64_t at) {
    const skcl_node *n = (const skcl_node *)ctx;
    skew_str s = {NULL, 0};
    size_t i;
    for (i = 0; i < OWN_KEPT; i++)
        if (n->own[i].at == at && n->own[i].text) {
            s.ptr = n->own[i].text;
            s.len = n->own[i].len;
        }
    return s;
}

static void own_keep(skcl_node *n, uint64_t at, const char *text, size_t len) {
    own_snap *o = &n->own[n->own_next];
    char *copy = (char *)realloc(o->text, len + 1);
    if (!copy) return;
    memcpy(copy, text, len);
    o->text = copy;
    o->len = len;
    o->at = at;
    n->own_next = (n->own_next + 1) % OWN_KEPT;
}

/* No view, or one older than 2P: local numbers and "degraded" (never a stale cluster total). */
static void node_view_lost(skcl_node *n) {
    feed_drop(n);
    if (!n->view_made) return;
    n->view_made = 0;
    n->view_ready = false;
    skew_cluster_clear(n->t);
    skew_cluster_set_link(n->t, SKEW_CLUSTER_LINK_DEGRADED);
    view_free(n);
    node_kick(n);
}

static void node_view_agg(skcl_node *n, const skcl_link_event *ev) {
    skcl_view_info info;
    char *rows = NULL;
    skew_str *parts = NULL;
    size_t count = 0;
    skcl_view_result r;
    if (ev->count < 2 || !n->up) return;
    if (!skcl_view_head(ev->parts[0], &info) || info.made_ms + 2u * n->interval_ms < skew_ex_now_ms()) {
        node_view_lost(n); /* none, or the aggregator is gone: degraded until a new one merges */
        return;
    }
    if (!ev->parts[1].len && ((info.seq == n->view_seq && n->view_made) || (n->feed.on && info.seq == n->feed.info.seq)))
        return; /* the same view (shown, or being fed) */
    r = skcl_view_carve(skew_get_config(n->t), ev->parts[0], ev->parts[1], own_find, n, &info, &rows, &parts, &count);
    if (r == SKCL_VIEW_NO_OWN) return; /* ours in it is older than we keep: the next one */
    if (r != SKCL_VIEW_OK) {
        skew_cluster_count_rejected(n->t, 1);
        node_view_lost(n);
        return;
    }
    feed_start(n, rows, parts, count, &info, true); /* shown once the tracker has read it all */
}

/* The whole view is in the tracker: show it (the texts of the one shown before go). */
static void feed_commit(skcl_node *n) {
    skcl_view_info info = n->feed.info;
    bool agg = n->feed.agg;
    /* refused snapshots are counted here; NOT_FOUND: the tracker dropped the staged view */
    if (skew_cluster_commit_update(n->t, skew_ex_now_ms()) == SKEW_ERR_NOT_FOUND) {
        feed_drop(n);
        return;
    }
    view_free(n);
    n->view = n->feed.rows;
    n->view_parts = n->feed.parts;
    memset(&n->feed, 0, sizeof n->feed);
    if (!agg) {
        n->view_ready = n->up;
        node_kick(n);
        return;
    }
    /* the snapshots the aggregator refused (bad data in Redis) reach every instance's /metrics */
    if (info.seq != n->view_seq && info.rejected) skew_cluster_count_rejected(n->t, info.rejected);
    n->view_made = info.made_ms;
    n->view_seq = info.seq;
    {
        /* the aggregator keeps max_listed / instances of each snapshot's list: list only those
           (twice, for instances that list fewer), not the whole 1000 of every instance */
        uint32_t ml = skew_get_config(n->t)->max_listed, k = info.instances ? info.instances : 1;
        n->list_share = 2u * ((ml + k - 1) / k);
    }
    n->view_ready = true;
    skew_cluster_set_link(n->t, SKEW_CLUSTER_LINK_OK);
    node_kick(n);
}

/* A row of the aggregator's view refused (limits that differ from the aggregator's): a view
   missing an instance would be wrong totals, so none is shown, as when the view is bad. */
static void feed_refused(skcl_node *n) {
    skew_cluster_set_link(n->t, SKEW_CLUSTER_LINK_DEGRADED); /* the partial view is never shown */
    skew_cluster_commit_update(n->t, skew_ex_now_ms());      /* its refused rows counted */
    skew_cluster_clear(n->t);
    feed_drop(n);
    skew_cluster_count_rejected(n->t, 1);
    n->view_made = 0;
    n->view_ready = false;
    view_free(n);
    node_kick(n);
}

/* One slice: rows into the staged view for about FEED_BUDGET_MS, then the commit when all are in. */
static void node_feed(skcl_node *n) {
    work_mark t0 = work_begin();
    size_t from = n->feed.next, done;
    bool refused = false;
    while (!refused && n->feed.next < n->feed.count && work_clock_ms(CLOCK_MONOTONIC) - t0.wall < FEED_BUDGET_MS &&
           (!n->feed_rows || n->feed.next - from < n->feed_rows))
        refused = skew_cluster_add_snapshots(n->t, &n->feed.parts[n->feed.next++], 1) != SKEW_OK && n->feed.agg;
    done = n->feed.next - from;
    if (refused) feed_refused(n);
    else if (n->feed.next >= n->feed.count) feed_commit(n);
    work_done(n, "view_feed", t0, done);
}

static void node_build(skcl_node *n, uint64_t seq, skew_str build) {
    skew_str cur;
    if (seq <= n->build_seq) return; /* an older decision: never roll back */
    n->build_seq = seq;
    cur = skew_get_server_version(n->t);
    if (cur.len == build.len && !memcmp(cur.ptr, build.ptr, build.len)) return;
    if (skew_set_server_version(n->t, build) == SKEW_OK) {
        skew_ex_logf(SKEW_EX_LOG_INFO, "cluster: build %.*s (sequence %" PRIu64 ") from the cluster", (int)build.len,
                     build.ptr, seq);
        node_kick(n);
    }
}

static void node_event(void *user, const skcl_link_event *ev) {
    skcl_node *n = (skcl_node *)user;
    switch (ev->type) {
    case SKCL_EV_STATE:
        n->up = ev->up;
        n->view_ready = false; /* until the next view: the peers are unknown */
        /* the others' keys may have expired meanwhile: they republish within their backoff
           (<= P/2) plus a period; until then "nobody has that tag" is no answer */
        if (n->was_up)
            n->settled_at = skew_ex_mono_ms() + (n->view_mode ? 5u : 3u) * (uint64_t)n->interval_ms + 1000u;

        n->was_up = n->was_up || ev->up;
        if (ev->up) {
            /* view mode: "ok" only with a fresh view (until then the others are unknown) */
            if (!n->view_mode) skew_cluster_set_link(n->t, SKEW_CLUSTER_LINK_OK);
            n->next_publish = 0; /* publish and read at once */
        } else {
            n->view_made = 0;
            feed_drop(n);
            skew_cluster_clear(n->t);
            skew_cluster_set_link(n->t, SKEW_CLUSTER_LINK_DEGRADED);
            view_free(n);
            relay_fail_all(n, 503, "cluster unavailable");
        }
        node_kick(n);
        break;
    case SKCL_EV_VIEW: {
        work_mark t0 = work_begin();
        node_view(n, ev);
        n->turn_used = true;
        work_done(n, "view_read", t0, ev->count);
        break;
    }
    case SKCL_EV_AGG_VIEW: {
        work_mark t0 = work_begin();
        node_view_agg(n, ev);
        n->turn_used = true;
        work_done(n, "view_carve", t0, ev->count ? ev->parts[0].len : 0);
        break;
    }
    case SKCL_EV_BUILD: node_build(n, ev->seq, ev->text); break;
    case SKCL_EV_INVALIDATE: {
        char route[1024];
        skew_str r;
        if (ev->text.len >= sizeof route) break;
        memcpy(route, ev->text.ptr, ev->text.len);
        r.ptr = route;
        r.len = ev->text.len;
        skew_invalidate(n->t, r, NULL);
        node_kick(n);
        break;
    }
    case SKCL_EV_LEFT:
        /* read again soon: the view drops it at once (view mode: once the aggregator merged) */
        n->next_publish = n->view_mode ? skew_ex_mono_ms() + n->interval_ms / 4u : 0;
        node_kick(n);
        break;
    case SKCL_EV_REQUEST:
        if (!n->refused) node_serve_relayed(n, ev->text); /* the id's owner answers, not us */
        break;
    case SKCL_EV_ANSWER: node_answer(n, ev->seq, ev->text); break;
    case SKCL_EV_NOBODY: {
        relay_wait *w = relay_find(n, ev->seq);
        if (w && ev->seq) relay_not_here(n, w, false);
        break;
    }
    case SKCL_EV_STOPPED: n->left = true; break;
    case SKCL_EV_SLOW: {
        /* Redis stalled briefly: views made meanwhile may leave out live instances whose
           snapshots looked old, so "nobody has that tag" is no answer until they republished */
        uint64_t settle = skew_ex_mono_ms() + 3u * (uint64_t)n->interval_ms + 1000u;
        if (settle > n->settled_at) n->settled_at = settle;
        break;
    }
    case SKCL_EV_WATCHED:
        n->remote_watch = ev->seq != 0;
        if (n->remote_watch) n->next_publish = 0; /* our connections to the watcher now */
        break;
    case SKCL_EV_REFUSED:
        /* two live servers with one id would overwrite each other's snapshot: the second stops */
        if (n->refused) break;
        n->refused = true;
        skew_ex_logf(SKEW_EX_LOG_ERROR, "cluster: refused: %.*s; stopping (give each instance its own id; a restart "
                     "with the same id is accepted once the other has stopped, within 3P after a kill -9)",
                     (int)ev->text.len, ev->text.ptr);
        raise(SIGTERM); /* the server's own graceful stop; our leave deletes nothing of the other's */
        break;
    }
}

skcl_node *skcl_node_create(skew_tracker *t, const skew_cluster_options *o, const char *build, struct ev_loop *loop,
                            skcl_link_wake_fn wake, skcl_node_respond_fn respond, skcl_node_kick_fn kick,
                            void *user) {
    skcl_node *n = (skcl_node *)calloc(1, sizeof *n);
    skcl_link_config lc;
    const skew_config *cfg = skew_get_config(t);
    if (!n) return NULL;
    n->t = t;
    n->respond = respond;
    n->kick = kick;
    n->user = user;
    n->interval_ms = o->interval_ms;
    n->trace = getenv("SKEW_CLUSTER_TRACE") && getenv("SKEW_CLUSTER_TRACE")[0] == '1';
    n->feed_rows = getenv("SKEW_CLUSTER_FEED_ROWS") ? (size_t)strtoul(getenv("SKEW_CLUSTER_FEED_ROWS"), NULL, 10) : 0;
    n->snap_cap = skew_cluster_snapshot_max(cfg) + 1;
    n->snap = (char *)malloc(n->snap_cap);
    memset(&lc, 0, sizeof lc);
    lc.opt = o;
    lc.build = build;
    lc.max_snapshot = n->snap_cap - 1 ? n->snap_cap - 1 : 65536;
    lc.max_instances = cfg->cluster_max_instances;
    lc.merge_cfg = cfg;
    n->view_mode = !o->read_all;
    lc.on_event = node_event;
    n->wake = wake;
    lc.wake = wake ? node_wake : NULL;
    lc.user = n;
    if (!n->snap || !(n->link = skcl_link_create(loop, &lc))) {
        free(n->snap);
        free(n);
        return NULL;
    }
    skew_cluster_set_link(t, SKEW_CLUSTER_LINK_DEGRADED); /* until Redis answers */
    return n;
}

void skcl_node_drain(skcl_node *n) {
    if (n) skcl_link_drain(n->link);
}

uint32_t skcl_node_tick(skcl_node *n, uint64_t wall_ms) {
    uint64_t next, now = skew_ex_mono_ms(); /* schedules on the monotonic clock */
    size_t i;
    if (!n) return 60000;
    skcl_link_drain(n->link); /* worker-thread mode: events whose wake-up got lost */
    {
        /* bad pub/sub data the link skipped reaches /metrics (skew_cluster_messages_rejected_total) */
        skcl_link_counters c;
        skcl_link_get_counters(n->link, &c);
        if (c.bad_messages > n->bad_seen) {
            uint64_t d = c.bad_messages - n->bad_seen;
            skew_cluster_count_rejected(n->t, d > UINT32_MAX ? UINT32_MAX : (uint32_t)d);
            n->bad_seen = c.bad_messages;
        }
    }
    if (now >= n->next_publish) {
        /* view mode: at this instance's phase, just before the aggregator's round (skcl_agg.h) */
        n->next_publish = now + (n->view_mode ? skcl_agg_write_in(wall_ms, n->interval_ms, skcl_link_instance_id(n->link))
                                              : n->interval_ms);
        if (n->up) {
            /* the snapshot's "at" is compared across machines: wall clock */
            work_mark t0 = work_begin();
            /* connections listed only while a dashboard (here: a stats subscriber or a recent GET
               admin/stats; elsewhere: the watch key) shows them: the bulk of a snapshot's bytes */
            bool here = skew_get_subscriber_count(n->t) > 0 || now < n->watch_until;
            size_t len = skew_cluster_write_snapshot_listed(n->t, wall_ms, here || n->remote_watch ? (n->view_mode && n->list_share
                                                                                     ? n->list_share : UINT32_MAX) : 0u, n->snap,
                                                      n->snap_cap);
            if (len < n->snap_cap) {
                if (n->view_mode) own_keep(n, wall_ms, n->snap, len);
                skcl_link_publish_watched(n->link, n->snap, len, here);
            }
            work_done(n, "snapshot", t0, len);
            n->turn_used = true;
        }
    }
    /* a view being fed: one slice per loop turn, none in a turn that did other cluster work */
    if (n->feed.on && !n->turn_used) node_feed(n);
    n->turn_used = false; /* a view read outside the tick (lws: libev) defers the next slice by one turn */
    if (n->view_mode && n->view_made && n->view_made + 2u * n->interval_ms < wall_ms)
        node_view_lost(n); /* the aggregator died or stalled: degraded until another merges */
    next = n->feed.on ? now : n->next_publish; /* feeding: the next slice on the next turn */
    for (i = 0; i < RELAY_MAX; i++) {
        relay_wait *w = &n->relays[i];
        if (!w->id) continue;
        if (now >= w->deadline) {
            char body[96];
            size_t len = skew_ex_json_error(body, sizeof body, "the owner of the connection did not answer");
            relay_finish(n, w, 504, "application/json", body, len);
        } else if (w->deadline < next) {
            next = w->deadline;
        }
    }
    return next > now ? (uint32_t)(next - now > 60000 ? 60000 : next - now) : 0;
}

void skcl_node_after_http(skcl_node *n, const skew_request *req, int status) {
    skew_endpoint ep;
    if (!n || status != 200) return;
    ep = skew_route_path(n->t, req->path);
    if (ep == SKEW_ENDPOINT_ADMIN_STATS || ep == SKEW_ENDPOINT_SUBSCRIBE) {
        bool was = skew_ex_mono_ms() < n->watch_until || skew_get_subscriber_count(n->t) > 0;
        n->watch_until = skew_ex_mono_ms() + 3u * (uint64_t)n->interval_ms;
        if (!was) n->next_publish = 0; /* tell the others now, not in up to P */
    } else if (ep == SKEW_ENDPOINT_ADMIN_VERSION) {
        skew_str v = skew_get_server_version(n->t);
        skcl_link_push_build(n->link, v.ptr, v.len);
    } else if (ep == SKEW_ENDPOINT_ADMIN_INVALIDATE) {
        char route[1024];
        size_t len = 0;
        skew_str raw;
        if (skew_json_get_string(req->body, "route", route, sizeof route, &len) != SKEW_OK) {
            if (skew_get_query_param(req->body, "route", &raw) != SKEW_OK ||
                skew_url_decode(raw, true, route, sizeof route, &len) != SKEW_OK)
                return;
        }
        skcl_link_invalidate(n->link, route, len);
    }
}

bool skcl_node_relay(skcl_node *n, const skew_request *req, uint64_t token) {
    char id[SKEW_ID_STR_MAX];
    skew_str ids;
    uint32_t tag;
    skew_cluster_peer peers[RELAY_CANDIDATES * 8];
    size_t np, i, slot;
    relay_wait *w = NULL;
    char *buf;
    size_t len;
    uint32_t asked = 0;
    if (!n || skew_get_post_connection_id(req->body, id) != SKEW_OK) return false;
    if (!n->up || !n->view_ready) {
        /* Redis is away, or no view read since it came back: who holds it is unknown, which is
           not a 404 */
        relay_unavailable(n, token);
        return true;
    }
    ids.ptr = id;
    ids.len = strlen(id);
    if (skew_get_id_tag(ids, &tag) != SKEW_OK) return false;
    np = skew_cluster_list_peers(n->t, peers, sizeof peers / sizeof peers[0]);
    if (np > sizeof peers / sizeof peers[0]) np = sizeof peers / sizeof peers[0];
    for (slot = 0; slot < RELAY_MAX; slot++)
        if (!n->relays[slot].id) {
            w = &n->relays[slot];
            break;
        }
    buf = w ? (char *)malloc(RELAY_MAX_BYTES) : NULL;
    if (!buf) { /* every slot waiting (or no memory): busy, not unknown */
        relay_unavailable(n, token);
        return true;
    }
    w->id = ++n->next_relay_id;
    w->token = token;
    w->deadline = skew_ex_mono_ms() + RELAY_TIMEOUT_MS;
    w->waiting = 0;
    w->unsure = false;
    len = skcl_relay_encode(buf, RELAY_MAX_BYTES, skcl_link_instance_id(n->link), w->id, req);
    if (len < RELAY_MAX_BYTES) {
        for (i = 0; i < np && asked < RELAY_CANDIDATES; i++) {
            char target[SKEW_CLUSTER_ID_MAX + 1];
            if (peers[i].tag != tag || peers[i].id.len > SKEW_CLUSTER_ID_MAX) continue;
            memcpy(target, peers[i].id.ptr, peers[i].id.len);
            target[peers[i].id.len] = '\0';
            w->waiting++;
            asked++;
            skcl_link_relay(n->link, target, w->id, buf, len);
        }
    }
    free(buf);
    if (!asked) {
        w->id = 0;
        if (len >= RELAY_MAX_BYTES || skew_ex_mono_ms() < n->settled_at) { /* too big to relay, or
                                                   the view still filling: not a 404 either */
            relay_unavailable(n, token);
            return true;
        }
        return false;
    }
    node_kick(n); /* the timer must see the deadline */
    return true;
}

void skcl_node_cancel(skcl_node *n, uint64_t token) {
    size_t i;
    if (!n) return;
    for (i = 0; i < RELAY_MAX; i++)
        if (n->relays[i].id && n->relays[i].token == token) n->relays[i].id = 0;
}

void skcl_node_push_build(skcl_node *n) {
    skew_str v;
    if (!n) return;
    v = skew_get_server_version(n->t);
    skcl_link_push_build(n->link, v.ptr, v.len);
}

void skcl_node_leave(skcl_node *n) {
    if (n) skcl_link_leave(n->link);
}

bool skcl_node_left(const skcl_node *n) { return !n || n->left; }

void skcl_node_destroy(skcl_node *n) {
    size_t i;
    if (!n) return;
    skcl_link_destroy(n->link);
    feed_drop(n);
    view_free(n);
    for (i = 0; i < OWN_KEPT; i++) free(n->own[i].text);
    free(n->snap);
    free(n);
}
