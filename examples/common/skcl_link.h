/* skcl_link.h - the cluster's Redis link: many server instances as one, on Redis (hiredis
   async on libev). The server-thread half is skcl_node.h; skew_cluster.h includes both.

   The I/O half of the cluster: the tracker (skew_tracker.h) encodes snapshots and merges the
   view; this module moves them through Redis and never blocks the caller's loop.

   Redis layout (NAME = --cluster; every key shares the hash tag {NAME}, one slot in a Redis
   Cluster; the aggregator's keys :agg, :view, :view:list are in skcl_agg.h):
     skew:{NAME}:snap:<id>    the instance's snapshot, SET .. PX 3P every P by its one writer,
                              DEL at SIGTERM
     skew:{NAME}:owner:<id>   the nonce of the process using that id, SET .. PX 3P with every
                              snapshot write, only if absent or ours (a live duplicate is refused)
     skew:{NAME}:watch        exists (TTL 3P) while a dashboard somewhere shows the merged
                              connections: snapshots list connections only then
     skew:{NAME}:members      sorted set: instance id -> expiry (ms); who to read
     skew:{NAME}:builds       hash: build -> sequence number of its first appearance
     skew:{NAME}:seq          the sequence counter
     skew:{NAME}:current      "<seq> <build>": the cluster's build; only a higher seq replaces it
     skew:{NAME}:cmd          channel: "V<seq> <build>" build changes, "I<route>" invalidations,
                              "L<id>" an instance left
     skew:{NAME}:inst:<id>    channel of one instance: relayed requests and their answers

   Two modes, one API:
     - same loop (lws): skcl_link_create(loop, ...) runs on the server's libev loop; events
       are delivered by calling on_event from that loop;
     - worker thread (mongoose): skcl_link_create(NULL, ..., wake, ...) starts a thread with
       its own libev loop; calls from the server are queued to it (ev_async), events are queued
       back and `wake` is called (from the worker) so the server calls skcl_link_drain().
   Either way on_event runs on the server's thread only: only the server touches its tracker.

   Nothing waits on Redis: commands are pipelined, at most one read cycle is in flight, a reply
   that takes longer than the stall limit drops the connection (degraded) and reconnects with
   backoff (at most min(5 s, P/2) between tries). Replies are bounded: snapshots are read with
   GETRANGE up to max_snapshot bytes, so an oversized value never enters memory whole. */
#ifndef SKCL_LINK_H
#define SKCL_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "skew_tracker.h"
#include "skew_options.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ev_loop;

#define SKCL_DEFAULT_NAME "default"
#define SKCL_DEFAULT_INTERVAL_MS 2000u

#define SKCL_NAME_MAX 64
#define SKCL_SENTINELS_MAX 8

/* --redis, --cluster, --instance-id, --cluster-interval-ms. Pointers into argv or literals. */
typedef struct skew_cluster_options {
    const char *redis_url;       /* NULL: no cluster (standalone, exactly as without this module) */
    const char *name;
    const char *instance_id;     /* NULL: hostname-pid-nonce, made when parsed */
    uint32_t interval_ms;
    uint32_t listed;             /* --cluster-listed: connection entries per snapshot (0: default) */
    uint32_t max_instances;      /* --cluster-max-instances: others in the view (0: 128) */
    const char *sentinels[SKCL_SENTINELS_MAX]; /* --redis-sentinel HOST:PORT */
    size_t sentinel_count;
    const char *master_name;     /* --redis-master */
    bool read_all;               /* --cluster-reads all: every instance reads every snapshot (the
                                    design before the aggregator; N x (N-1) reads per P) */
    char id_buf[SKEW_CLUSTER_ID_MAX + 1];
} skew_cluster_options;

/* The cluster's flags as an option group (skew_options.h); ctx is o. Without --instance-id its
   finish makes one (hostname-pid-nonce). */
skew_ex_opt_group skew_cluster_opt_group(skew_cluster_options *o);

typedef enum skcl_event_type {
    SKCL_EV_STATE = 1,   /* up changed: up, text (a reason when down) */
    SKCL_EV_VIEW,        /* the other instances' snapshots: parts[0..count) */
    SKCL_EV_BUILD,       /* the cluster's build: seq, text */
    SKCL_EV_INVALIDATE,  /* a route invalidation from another instance: text */
    SKCL_EV_LEFT,        /* an instance left (SIGTERM): text = its id */
    SKCL_EV_REQUEST,     /* a relayed request for us: text (skcl_relay_decode) */
    SKCL_EV_ANSWER,      /* an answer to a relayed request of ours: seq = request id, text */
    SKCL_EV_NOBODY,      /* a relayed request reached no subscriber: seq = request id */
    SKCL_EV_STOPPED,     /* skcl_link_leave finished (or gave up) */
    SKCL_EV_REFUSED,     /* another live instance owns our id: text says so; nothing written */
    SKCL_EV_WATCHED,     /* someone in the cluster watches the merged connections (seq 1) or not (0) */
    SKCL_EV_AGG_VIEW,    /* the aggregator's view (skcl_view.h): parts[0] the view ("" when there is
                            none), parts[1] the listed connections ("" unless read) */
    SKCL_EV_SLOW         /* Redis answered, but late (seq = ms): a stall too short to drop the link */
} skcl_event_type;

typedef struct skcl_link_event {
    skcl_event_type type;
    bool up;
    uint64_t seq;
    skew_str text;
    const skew_str *parts;
    size_t count;
} skcl_link_event;

typedef void (*skcl_link_event_fn)(void *user, const skcl_link_event *ev);
typedef void (*skcl_link_wake_fn)(void *user);

typedef struct skcl_link skcl_link;

typedef struct skcl_link_config {
    const skew_cluster_options *opt;
    const char *build;           /* this binary's build (--build-id) */
    size_t max_snapshot;         /* bytes read per snapshot; longer ones are skipped, counted */
    uint32_t max_instances;      /* snapshots read per cycle */
    const skew_config *merge_cfg; /* the tracker's limits: this instance may aggregate (skcl_agg.h);
                                    NULL: it only reads the view */
    skcl_link_event_fn on_event;
    skcl_link_wake_fn wake;   /* worker-thread mode only */
    void *user;
} skcl_link_config;

/* loop: the server's libev loop (same-loop mode), or NULL for worker-thread mode. Returns NULL
   (and logs why) on a bad URL or out of memory. Connecting starts at once, in the background. */
skcl_link *skcl_link_create(struct ev_loop *loop, const skcl_link_config *cfg);
/* Worker-thread mode: deliver queued events (call after wake). Same-loop mode: no-op. */
void skcl_link_drain(skcl_link *cl);

/* Publish our snapshot now and read the view (the aggregator's, SKCL_EV_AGG_VIEW; with
   --cluster-reads all the others' snapshots, SKCL_EV_VIEW). The server calls this every P.
   Dropped if a cycle is still in flight or Redis is down. */
void skcl_link_publish(skcl_link *cl, const char *snapshot, size_t len);
/* The same; watching: a dashboard here shows the merged connections, so every instance lists
   its connections in its snapshots (skew:{NAME}:watch, TTL 3P; SKCL_EV_WATCHED says when). */
void skcl_link_publish_watched(skcl_link *cl, const char *snapshot, size_t len, bool watching);
/* An admin set the build here: a new sequence number, the whole cluster follows. */
void skcl_link_push_build(skcl_link *cl, const char *build, size_t len);
/* An admin invalidated a route here: every other instance repeats it. */
void skcl_link_invalidate(skcl_link *cl, const char *route, size_t len);
/* Send a relayed request (already encoded) to one instance; the answer comes back as an
   ANSWER (or NOBODY) event carrying request_id. */
void skcl_link_relay(skcl_link *cl, const char *instance_id, uint64_t request_id, const char *data, size_t len);
/* Answer a REQUEST event (its text names the requester and the id). */
void skcl_link_answer(skcl_link *cl, const char *to_instance, uint64_t request_id, const char *data, size_t len);
/* Delete our snapshot and tell the others we are gone; STOPPED follows (within ~500 ms). */
void skcl_link_leave(skcl_link *cl);
/* Stop and free (no events after this). */
void skcl_link_destroy(skcl_link *cl);

/* Same-loop mode, or the link's own thread: the server thread of worker-thread mode follows
   STATE events instead. */
bool skcl_link_is_up(const skcl_link *cl);
const char *skcl_link_instance_id(const skcl_link *cl);

/* Counters for the server's own log and bench (read on the server thread; approximate). */
typedef struct skcl_link_counters {
    uint64_t commands;           /* Redis commands sent */
    uint64_t bytes_out;          /* bytes of those commands */
    uint64_t bad_messages;       /* pub/sub messages skipped: unknown or oversized */
} skcl_link_counters;
void skcl_link_get_counters(const skcl_link *cl, skcl_link_counters *out);

/* ---- relay encoding: a request and its answer as bytes ------------------------------------
   Request: "<from-instance>\n<request-id>\n" then fields as "<len>:<bytes>" for method, path,
   query, body, peer ip, and name/value header pairs. Answer: "<status>\n<content-type>\n<body>". */
#define SKCL_RELAY_HEADERS 12
typedef struct skcl_relay_req {
    char from[SKEW_CLUSTER_ID_MAX + 1];
    uint64_t id;
    skew_str method, path, query, body, peer;
    skew_str names[SKCL_RELAY_HEADERS], values[SKCL_RELAY_HEADERS];
    size_t header_count;
} skcl_relay_req;

/* Encode req (its headers read through req->header) into buf; snprintf contract. */
size_t skcl_relay_encode(char *buf, size_t cap, const char *from, uint64_t id, const skew_request *req);
/* Decode (views into text); false on any malformed input. */
bool skcl_relay_decode(skew_str text, skcl_relay_req *out);
/* Decode an answer: "<3 digits>\n<content-type>\n<body>" (views into text); false if malformed. */
bool skcl_relay_answer_decode(skew_str text, int *status, skew_str *ctype, skew_str *body);
/* A skew_request over a decoded relay request (header callback included). */
void skcl_relay_request(const skcl_relay_req *rr, skew_request *req);

#ifdef __cplusplus
}
#endif
#endif /* SKCL_LINK_H */
