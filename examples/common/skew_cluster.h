/* skew_cluster.h - many server instances as one, on Redis (hiredis async on libev).

   The I/O half of the cluster: the tracker (skew_tracker.h) encodes snapshots and merges the
   view; this module moves them through Redis and never blocks the caller's loop.

   Redis layout (NAME = --cluster; every key shares the hash tag {NAME}, one slot in a Redis
   Cluster):
     skew:{NAME}:snap:<id>    the instance's snapshot, SET .. PX 3P every P by its one writer,
                              DEL at SIGTERM
     skew:{NAME}:members      sorted set: instance id -> expiry (ms); who to read
     skew:{NAME}:builds       hash: build -> sequence number of its first appearance
     skew:{NAME}:seq          the sequence counter
     skew:{NAME}:current      "<seq> <build>": the cluster's build; only a higher seq replaces it
     skew:{NAME}:cmd          channel: "V<seq> <build>" build changes, "I<route>" invalidations,
                              "L<id>" an instance left
     skew:{NAME}:inst:<id>    channel of one instance: relayed requests and their answers

   Two modes, one API:
     - same loop (lws): skew_link_create(loop, ...) runs on the server's libev loop; events
       are delivered by calling on_event from that loop;
     - worker thread (mongoose): skew_link_create(NULL, ..., wake, ...) starts a thread with
       its own libev loop; calls from the server are queued to it (ev_async), events are queued
       back and `wake` is called (from the worker) so the server calls skew_link_drain().
   Either way on_event runs on the server's thread only: only the server touches its tracker.

   Nothing waits on Redis: commands are pipelined, at most one read cycle is in flight, a reply
   that takes longer than the stall limit drops the connection (degraded) and reconnects with
   backoff (at most min(5 s, P/2) between tries). Replies are bounded: snapshots are read with
   GETRANGE up to max_snapshot bytes, so an oversized value never enters memory whole. */
#ifndef SKEW_CLUSTER_H
#define SKEW_CLUSTER_H

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

#define SKEW_CLUSTER_DEFAULT_NAME "default"
#define SKEW_CLUSTER_DEFAULT_INTERVAL_MS 2000u

#define SKEW_CLUSTER_NAME_MAX 64

/* --redis, --cluster, --instance-id, --cluster-interval-ms. Pointers into argv or literals. */
typedef struct skew_cluster_options {
    const char *redis_url;       /* NULL: no cluster (standalone, exactly as without this module) */
    const char *name;
    const char *instance_id;     /* NULL: hostname-pid-nonce, made when parsed */
    uint32_t interval_ms;
    uint32_t listed;             /* --cluster-listed: connection entries per snapshot (0: default) */
    uint32_t max_instances;      /* --cluster-max-instances: others in the view (0: 128) */
    char id_buf[SKEW_CLUSTER_ID_MAX + 1];
} skew_cluster_options;

/* The cluster's flags as an option group (skew_options.h); ctx is o. Without --instance-id its
   finish makes one (hostname-pid-nonce). */
skew_ex_opt_group skew_cluster_opt_group(skew_cluster_options *o);

typedef enum skew_cluster_event_type {
    SKEW_CLUSTER_EV_STATE = 1,   /* up changed: up, text (a reason when down) */
    SKEW_CLUSTER_EV_VIEW,        /* the other instances' snapshots: parts[0..count) */
    SKEW_CLUSTER_EV_BUILD,       /* the cluster's build: seq, text */
    SKEW_CLUSTER_EV_INVALIDATE,  /* a route invalidation from another instance: text */
    SKEW_CLUSTER_EV_LEFT,        /* an instance left (SIGTERM): text = its id */
    SKEW_CLUSTER_EV_REQUEST,     /* a relayed request for us: text (skew_cluster_relay_decode) */
    SKEW_CLUSTER_EV_ANSWER,      /* an answer to a relayed request of ours: seq = request id, text */
    SKEW_CLUSTER_EV_NOBODY,      /* a relayed request reached no subscriber: seq = request id */
    SKEW_CLUSTER_EV_STOPPED      /* skew_link_leave finished (or gave up) */
} skew_cluster_event_type;

typedef struct skew_link_event {
    skew_cluster_event_type type;
    bool up;
    uint64_t seq;
    skew_str text;
    const skew_str *parts;
    size_t count;
} skew_link_event;

typedef void (*skew_link_event_fn)(void *user, const skew_link_event *ev);
typedef void (*skew_link_wake_fn)(void *user);

typedef struct skew_link skew_link;

typedef struct skew_link_config {
    const skew_cluster_options *opt;
    const char *build;           /* this binary's build (--build-id) */
    size_t max_snapshot;         /* bytes read per snapshot; longer ones are skipped, counted */
    uint32_t max_instances;      /* snapshots read per cycle */
    skew_link_event_fn on_event;
    skew_link_wake_fn wake;   /* worker-thread mode only */
    void *user;
} skew_link_config;

/* loop: the server's libev loop (same-loop mode), or NULL for worker-thread mode. Returns NULL
   (and logs why) on a bad URL or out of memory. Connecting starts at once, in the background. */
skew_link *skew_link_create(struct ev_loop *loop, const skew_link_config *cfg);
/* Worker-thread mode: deliver queued events (call after wake). Same-loop mode: no-op. */
void skew_link_drain(skew_link *cl);

/* Publish our snapshot now and read the others' (the server calls this every P). Dropped if a
   cycle is still in flight or Redis is down. */
void skew_link_publish(skew_link *cl, const char *snapshot, size_t len);
/* An admin set the build here: a new sequence number, the whole cluster follows. */
void skew_link_push_build(skew_link *cl, const char *build, size_t len);
/* An admin invalidated a route here: every other instance repeats it. */
void skew_link_invalidate(skew_link *cl, const char *route, size_t len);
/* Send a relayed request (already encoded) to one instance; the answer comes back as an
   ANSWER (or NOBODY) event carrying request_id. */
void skew_link_relay(skew_link *cl, const char *instance_id, uint64_t request_id, const char *data, size_t len);
/* Answer a REQUEST event (its text names the requester and the id). */
void skew_link_answer(skew_link *cl, const char *to_instance, uint64_t request_id, const char *data, size_t len);
/* Delete our snapshot and tell the others we are gone; STOPPED follows (within ~500 ms). */
void skew_link_leave(skew_link *cl);
/* Stop and free (no events after this). */
void skew_link_destroy(skew_link *cl);

/* Same-loop mode, or the link's own thread: the server thread of worker-thread mode follows
   STATE events instead. */
bool skew_link_is_up(const skew_link *cl);
const char *skew_link_instance_id(const skew_link *cl);

/* Counters for the server's own log and bench (read on the server thread; approximate). */
typedef struct skew_link_counters {
    uint64_t commands;           /* Redis commands sent */
    uint64_t bytes_out;          /* bytes of those commands */
    uint64_t bad_messages;       /* pub/sub messages skipped: unknown or oversized */
} skew_link_counters;
void skew_link_get_counters(const skew_link *cl, skew_link_counters *out);

/* ---- relay encoding: a request and its answer as bytes ------------------------------------
   Request: "<from-instance>\n<request-id>\n" then fields as "<len>:<bytes>" for method, path,
   query, body, peer ip, and name/value header pairs. Answer: "<status>\n<content-type>\n<body>". */
#define SKEW_CLUSTER_RELAY_HEADERS 12
typedef struct skew_cluster_relay_req {
    char from[SKEW_CLUSTER_ID_MAX + 1];
    uint64_t id;
    skew_str method, path, query, body, peer;
    skew_str names[SKEW_CLUSTER_RELAY_HEADERS], values[SKEW_CLUSTER_RELAY_HEADERS];
    size_t header_count;
} skew_cluster_relay_req;

/* Encode req (its headers read through req->header) into buf; snprintf contract. */
size_t skew_cluster_relay_encode(char *buf, size_t cap, const char *from, uint64_t id, const skew_request *req);
/* Decode (views into text); false on any malformed input. */
bool skew_cluster_relay_decode(skew_str text, skew_cluster_relay_req *out);
/* A skew_request over a decoded relay request (header callback included). */
void skew_cluster_relay_request(const skew_cluster_relay_req *rr, skew_request *req);


/* ======================================================================================
   >>node  what both servers do with the link, on the server's thread
   ====================================================================================== */

/* The server's answer to a request it deferred (skew_node_relay returned true): token is the
   server's own handle for the waiting HTTP request. */
typedef void (*skew_node_respond_fn)(void *user, uint64_t token, int status, const char *content_type,
                                     const char *body, size_t len);
/* The tracker changed outside a request (view, build, invalidation): re-arm the timer. */
typedef void (*skew_node_kick_fn)(void *user);

typedef struct skew_node skew_node;

/* Rebuild the tracker *t with the cluster part of its config (instance_id, a random 20-bit
   tag, cluster_max_instances): call right after skew_ex_start, before serving. false: *t is
   unchanged and a message was printed. */
bool skew_node_retrack(skew_tracker **t, const skew_cluster_options *o, const char *prog);

/* loop: the server's libev loop, or NULL for a worker thread (wake then asks the server to call
   skew_node_drain on its thread). NULL on failure (logged). */
skew_node *skew_node_create(skew_tracker *t, const skew_cluster_options *o, const char *build, struct ev_loop *loop,
                            skew_link_wake_fn wake, skew_node_respond_fn respond, skew_node_kick_fn kick,
                            void *user);
void skew_node_drain(skew_node *n);
/* Publish when due, time out relays. wall_ms: skew_ex_now_ms() (the snapshot's stamp, compared
   across machines); the schedule itself runs on skew_ex_mono_ms(). Returns ms until it wants to
   run again. */
uint32_t skew_node_tick(skew_node *n, uint64_t wall_ms);
/* After a local skew_http answer: an admin version change or invalidation goes cluster-wide. */
void skew_node_after_http(skew_node *n, const skew_request *req, int status);
/* The server version changed from a build file (--root, --build-id-file): the cluster takes it
   as its build (a new sequence number, as admin/version does). NULL n: nothing. */
void skew_node_push_build(skew_node *n);
/* skew_http said SKEW_ERR_NOT_LOCAL: relay to the owner. true: the answer comes through
   respond(token), later (or at once: 503 while Redis is away); false: no live instance
   advertises that id, send the 404 skew_http made. */
bool skew_node_relay(skew_node *n, const skew_request *req, uint64_t token);
/* The waiting request went away: forget it. */
void skew_node_cancel(skew_node *n, uint64_t token);
/* SIGTERM: delete our snapshot, tell the others. skew_node_left says when that is done. */
void skew_node_leave(skew_node *n);
bool skew_node_left(const skew_node *n);
void skew_node_destroy(skew_node *n);

#ifdef __cplusplus
}
#endif
#endif /* SKEW_CLUSTER_H */
