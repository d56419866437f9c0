/* skew_lifecycle.h - a server's life in production: starting, ready, draining, gone.

     - readiness   {base}/ready: 503 while starting (with --redis: until the first cluster view
                   arrived) and while draining, 200 otherwise; {base}/health stays the liveness
                   check (200 while the process serves).
     - drain       SIGTERM: ready turns 503 and new streams are refused at once; the open streams
                   are then closed spread evenly over --drain-ms (default 10 s), so their
                   clients reconnect to the other instances gradually instead of all in the same
                   second; then the cluster is left and the process exits. All of it is
                   skew_ex_drain_step, the one place that decides what closes when.
     - systemd     sd_notify's datagram protocol (stable, see sd_notify(3)) without libsystemd:
                   READY=1 once ready, STOPPING=1 when the drain starts, WATCHDOG=1 every half
                   WatchdogSec while the loop runs. Nothing is sent without $NOTIFY_SOCKET.
     - build file  --build-id-file PATH: the version follows a latest.json (or a file holding
                   just the id) without serving files (see >>build in skew_example.h).

   The live-stream registry behind the drain is fed by the shared open/close hooks
   (skew_ex_log_open / skew_ex_log_close), so a server needs no code of its own for it. */
#ifndef SKEW_LIFECYCLE_H
#define SKEW_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "skew_tracker.h"
#include "skew_options.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SKEW_EX_DEFAULT_DRAIN_MS 10000u

typedef enum skew_ex_phase {
    SKEW_EX_PHASE_STARTING = 0,   /* not listening yet, or waiting for the first cluster view */
    SKEW_EX_PHASE_READY,
    SKEW_EX_PHASE_DRAINING        /* SIGTERM seen: streams are being closed */
} skew_ex_phase;

typedef struct skew_ex_life {
    /* flags (skew_ex_life_opt_group) */
    uint32_t drain_ms;            /* --drain-ms (10000); 0: close every stream at once */
    const char *build_id_file;    /* --build-id-file PATH, or NULL */
    /* state */
    skew_ex_phase phase;
    uint64_t drain_start;         /* monotonic ms */
    uint32_t drain_total;         /* streams open when the drain began */
    uint32_t drain_closed;        /* of those, closed by the drain so far */
    bool drain_done;              /* the last ones are closed, the cluster is being left */
    int notify_fd;                /* -1: no $NOTIFY_SOCKET */
    uint64_t watchdog_ms;         /* 0: no watchdog; else send every watchdog_ms */
    uint64_t next_watchdog;       /* monotonic ms */
} skew_ex_life;

/* The flags of this module as an option group; ctx is life. */
skew_ex_opt_group skew_ex_life_opt_group(skew_ex_life *life);

struct skew_ex_server;

/* After the flags: $NOTIFY_SOCKET and $WATCHDOG_USEC are read (and cleared, so a child does not
   inherit them). */
void skew_ex_life_init(skew_ex_life *life);
/* From the server's timer: STARTING -> READY (READY=1) once listening and, with --redis, the
   first cluster view arrived; the watchdog; the drain while draining. */
void skew_ex_life_tick(struct skew_ex_server *s, uint64_t mono);
/* SIGTERM: ready turns 503, new streams are refused (s->stopping), STOPPING=1. */
void skew_ex_drain_begin(struct skew_ex_server *s, uint64_t mono);
/* The drain: close the share of the streams due by now (evenly over drain_ms), the rest at the
   end, then leave the cluster. Returns true once every stream was closed. */
bool skew_ex_drain_step(struct skew_ex_server *s, uint64_t mono);
/* {base}/ready: 200 when ready, else 503. */
bool skew_ex_ready(const skew_ex_life *life);
struct skew_request;
struct skew_response;
/* skew_ex_http's first look: a GET or HEAD of {base}/ready answered into r and body (200
   {"ok":true,"ready":true}, or 503 with "starting" or "draining"). false: not that path. */
bool skew_ex_answer_ready(struct skew_ex_server *s, const skew_request *req, skew_response *r, char *body,
                          size_t cap);
/* Send one sd_notify message ("READY=1"); false when there is no socket or it failed. */
bool skew_ex_notify(const skew_ex_life *life, const char *msg);

/* The live-stream registry (handles of open tracked connections and their client IPs), for the
   drain and the access log. */
#define SKEW_EX_IP_TEXT_MAX 48
void skew_ex_live_add(skew_handle h);
void skew_ex_live_set_ip(skew_handle h, const char *ip);
/* The IP stored for h, or "". */
const char *skew_ex_live_ip(skew_handle h);
void skew_ex_live_remove(skew_handle h);
uint32_t skew_ex_live_count(void);
/* Copy up to cap handles of open streams; returns how many were copied. */
size_t skew_ex_live_pick(skew_handle *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif /* SKEW_LIFECYCLE_H */
