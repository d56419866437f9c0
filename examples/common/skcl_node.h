/* skcl_node.h - what both servers do with the cluster link (skcl_link.h), on the server's thread:
   the tracker's view, the cluster's build, admin commands cluster-wide, the POST relay. */
#ifndef SKCL_NODE_H
#define SKCL_NODE_H

#include "skcl_link.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================================
   >>node  what both servers do with the link, on the server's thread
   ====================================================================================== */

/* The server's answer to a request it deferred (skcl_node_relay returned true): token is the
   server's own handle for the waiting HTTP request. */
typedef void (*skcl_node_respond_fn)(void *user, uint64_t token, int status, const char *content_type,
                                     const char *body, size_t len);
/* The tracker changed outside a request (view, build, invalidation): re-arm the timer. */
typedef void (*skcl_node_kick_fn)(void *user);

typedef struct skcl_node skcl_node;

/* Rebuild the tracker *t with the cluster part of its config (instance_id, a random 20-bit
   tag, cluster_max_instances): call right after skew_ex_start, before serving. false: *t is
   unchanged and a message was printed. */
bool skcl_node_retrack(skew_tracker **t, const skew_cluster_options *o, const char *prog);

/* loop: the server's libev loop, or NULL for a worker thread (wake then asks the server to call
   skcl_node_drain on its thread). NULL on failure (logged). */
skcl_node *skcl_node_create(skew_tracker *t, const skew_cluster_options *o, const char *build, struct ev_loop *loop,
                            skcl_link_wake_fn wake, skcl_node_respond_fn respond, skcl_node_kick_fn kick,
                            void *user);
void skcl_node_drain(skcl_node *n);
/* Publish when due, time out relays. wall_ms: skew_ex_now_ms() (the snapshot's stamp, compared
   across machines); the schedule itself runs on skew_ex_mono_ms(). Returns ms until it wants to
   run again. */
uint32_t skcl_node_tick(skcl_node *n, uint64_t wall_ms);
/* A view is being fed to the tracker a slice per loop turn: tick again at once (0 ms). */
bool skcl_node_busy(const skcl_node *n);
/* After a local skew_http answer: an admin version change or invalidation goes cluster-wide. */
void skcl_node_after_http(skcl_node *n, const skew_request *req, int status);
/* skew_http said SKEW_ERR_NOT_LOCAL: relay to the owner. true: the answer comes through
   respond(token), later (or at once: 503 while Redis is away); false: no live instance
   advertises that id, send the 404 skew_http made. */
bool skcl_node_relay(skcl_node *n, const skew_request *req, uint64_t token);
/* The waiting request went away: forget it. */
void skcl_node_cancel(skcl_node *n, uint64_t token);
/* The server version changed from a build file (--root, --build-id-file): the cluster takes it
   as its build (a new sequence number, as admin/version does). NULL n: nothing. */
void skcl_node_push_build(skcl_node *n);
/* SIGTERM: delete our snapshot, tell the others. skcl_node_left says when that is done. */
void skcl_node_leave(skcl_node *n);
bool skcl_node_left(const skcl_node *n);
void skcl_node_destroy(skcl_node *n);

#ifdef __cplusplus
}
#endif
#endif /* SKCL_NODE_H */
