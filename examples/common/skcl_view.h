/* skcl_view.h - the cluster view: many snapshots merged into one small text (the aggregator's
   side, skcl_merge_*) and that text turned back into the tracker's view on every instance (the
   reader's side, skcl_view_apply). Pure code: no I/O, no threads; untrusted input everywhere.

   Why: every instance reading every other instance's snapshot costs N x (N - 1) reads per
   period. One instance (the lease holder, skcl_agg.h) merges the N snapshots and writes one view;
   the others read only that (linear in N).

   The view (skew:{NAME}:view), lines of text; names are JSON string tokens exactly as the
   tracker writes them (canonical escapes only, so equal names are equal bytes):
     skew-view 1 <seq> <made_ms> <total> <instances> <versions> <routes> <refused snapshots>
     a <aggregator id token>
     i <tag> <total> <age> <id token> <version token> <build token|=>  one per instance
                            (age: made_ms - its "at", "-N" when ahead; "=": build = version)
     v <count> <name token>                                            merged versions
     r <count> <name token>                                            merged routes
   The listed connections (skew:{NAME}:view:list, only while a dashboard watches):
     skew-list 1 <seq>
     <id token> <connections array, as in that instance's snapshot, capped>   one per instance
   A reader takes away its own part (the snapshot of its own it finds under that "at"), carves
   the rest into one synthetic snapshot per other instance (its total exact; the versions and
   routes shared out so that their sums stay exact) and gives those to skew_cluster_update. Any
   inconsistency refuses the whole view: degraded, never wrong totals. */
#ifndef SKCL_VIEW_H
#define SKCL_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "skew_tracker.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SKCL_VIEW_FORMAT 1
#define SKCL_VIEW_MAX_INSTANCES SKEW_CLUSTER_MAX_INSTANCES

/* ---- the aggregator's side ---------------------------------------------------------------- */
typedef struct skcl_merge skcl_merge;

/* cfg: the limits every instance runs (the server's tracker config); each snapshot is checked by
   a tracker of that config before it is merged (so a refused one is skipped whole, as before). */
skcl_merge *skcl_merge_new(const skew_config *cfg);
/* A send hook that sends nothing: for trackers that only count (the merge's checker, a reader's
   view tracker in tests, fuzzers and benchmarks). */
skew_result skcl_send_nothing(void *ud, const skew_conn *c, const char *msg, size_t n);
void skcl_merge_free(skcl_merge *m);
/* Start a round; lists: keep the connection arrays (a dashboard watches). */
void skcl_merge_begin(skcl_merge *m, bool lists);
/* One snapshot; false: refused (bad, duplicate id, over the limits), nothing of it merged. */
bool skcl_merge_add(skcl_merge *m, const char *snap, size_t len);
size_t skcl_merge_count(const skcl_merge *m);
uint64_t skcl_merge_rejected(const skcl_merge *m);
/* The round as a view (and, with lists, the list: at most listed_cap entries, shared fairly).
   Buffers are malloc'ed (free them); false: out of memory. */
bool skcl_merge_write(skcl_merge *m, const char *agg_id, uint64_t seq, uint64_t made_ms, uint32_t listed_cap,
                      char **view, size_t *view_len, char **list, size_t *list_len);

/* ---- the reader's side -------------------------------------------------------------------- */
typedef enum skcl_view_result {
    SKCL_VIEW_OK = 0,
    SKCL_VIEW_BAD,       /* malformed, inconsistent, or refused by the tracker: degraded */
    SKCL_VIEW_NO_OWN     /* the view holds a snapshot of ours we no longer have: wait for the next */
} skcl_view_result;

typedef struct skcl_view_info {
    uint64_t seq, made_ms;
    uint32_t instances;         /* in the view, this one included */
    uint32_t rejected;          /* snapshots the aggregator refused in that round */
    bool listed;                /* the list matched this view and was used */
} skcl_view_info;

/* Our own snapshot as written with "at" = at, or {NULL,0}. */
typedef skew_str (*skcl_own_fn)(void *ctx, uint64_t at);

/* Check view (and list, may be empty) and, if good, replace t's view with the others' part
   (skew_cluster_update). On OK *rows and *parts are the texts the tracker now points into:
   keep them until the next update or clear, then free both. BAD: the tracker may have been
   cleared (a view refused half way is never kept). */
skcl_view_result skcl_view_apply(skew_tracker *t, skew_str view, skew_str list, skcl_own_fn own, void *own_ctx,
                                 uint64_t now_ms, skcl_view_info *info, char **rows, skew_str **parts);
/* The checking and carving of skcl_view_apply without touching a tracker (cfg: the reader's
   tracker config, skew_get_config): on OK *rows holds *count synthetic snapshots, *parts points
   at them (free both), for skew_cluster_update or, a part at a time, skew_cluster_add_snapshots
   (skcl_node.c feeds a 1000-instance view over several loop turns that way). */
skcl_view_result skcl_view_carve(const skew_config *cfg, skew_str view, skew_str list, skcl_own_fn own, void *own_ctx,
                                 skcl_view_info *info, char **rows, skew_str **parts, size_t *count);
/* Only the header (seq, made_ms, instances); false if it is not a view. */
bool skcl_view_head(skew_str view, skcl_view_info *info);

#ifdef __cplusplus
}
#endif
#endif /* SKCL_VIEW_H */
