/* skcl_agg.h - the cluster's aggregator: one instance at a time (the holder of a lease in Redis)
   reads every instance's snapshot each period, merges them (skcl_view.h) and writes the one
   view the others read. Runs in a thread of its own with a blocking hiredis connection, so
   neither the server's loop nor the link's ever waits on it or merges anything.

   Keys (NAME = --cluster):
     skew:{NAME}:agg        "<instance id> <nonce>" of the holder; SET NX PX 2P, renewed every
                            P/2 by its holder only (a script compares before it renews)
     skew:{NAME}:view       the merged view (skcl_view.h), PX 3P, written only while the
                            writer still holds the lease (the same script checks it)
     skew:{NAME}:view:list  the merged listed connections, only while :watch exists
     skew:{NAME}:view:new   channel: the same script announces each view (its sequence number);
                            every instance reads the view then (or after 1.5P without one)
   Every instance with a link runs one (a candidate); the one that gets the lease merges, the
   others only try to take it, every P/2 and again right when the holder's lease runs out (a
   dead holder's lease runs out within 2P of its death: a new view within 2P + one merge). A holder that finds the lease gone or taken stops writing at once. */
#ifndef SKCL_AGG_H
#define SKCL_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "skew_tracker.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct skcl_agg skcl_agg;

typedef struct skcl_agg_config {
    const skew_config *merge_cfg;   /* the limits all instances run (copied for the merge) */
    const char *id, *nonce;         /* this instance */
    const char *name;               /* --cluster */
    uint32_t interval_ms;           /* P */
    size_t max_snapshot;            /* bytes read per snapshot */
    const char *user, *password;    /* AUTH (password: from the environment) */
    int db;
} skcl_agg_config;

/* Starts the thread (it does nothing until skcl_agg_target says where Redis is). NULL: no memory
   or no thread. */
skcl_agg *skcl_agg_start(const skcl_agg_config *c);
/* Where Redis is (the link calls this whenever its state changes; up false: stay away). */
void skcl_agg_target(skcl_agg *a, bool up, const char *host, int port, bool is_unix);
/* Merge again now (an instance left: its row goes at once, not a period later). */
void skcl_agg_nudge(skcl_agg *a);
/* Leaving (SIGTERM) or refused: give up the lease (if held: deleted, so another takes it at
   once) and stop, without waiting. */
void skcl_agg_quit(skcl_agg *a);
/* Stop (as quit), wait for the thread, free. */
void skcl_agg_stop(skcl_agg *a);

/* The period's phases, on the wall clock (every instance and the aggregator alike): the round
   starts at phase 0 (wall ms a multiple of P); each instance writes its snapshot at a phase of
   its own in [5P/8, 7P/8) (a hash of its id), so the round reads snapshots P/8..3P/8 old instead
   of 0..P (random phases). Clocks in step (NTP) are enough; clocks far apart only make the
   phases random again, as they were. In ms from wall_ms: the instance's next write (at least
   P/4 away, so an early write in between does not bring two writes close together). */
uint32_t skcl_agg_write_in(uint64_t wall_ms, uint32_t interval_ms, const char *id);

/* Whether the holder's round is due at wall ms now (nudged: at once); if so, *next_round (0 at
   first) becomes the next phase 0 after now. A wall clock stepped forward runs one round, not a
   burst of catch-up rounds; one stepped back by more than P makes the round due at once (else the
   rounds would stop until the clock caught up with the old next_round). */
bool skcl_agg_round_due(uint64_t now, uint32_t interval_ms, bool nudged, uint64_t *next_round);

/* For logs and the bench: rounds merged, and whether this instance holds the lease now. */
typedef struct skcl_agg_stats {
    uint64_t rounds, snapshots, rejected;
    double last_merge_ms;           /* CPU time of the last round's merge, in this thread */
    bool holding;
} skcl_agg_stats;
void skcl_agg_get_stats(skcl_agg *a, skcl_agg_stats *out);

#ifdef __cplusplus
}
#endif
#endif /* SKCL_AGG_H */
