/* The cluster view (examples/common/skcl_view.c): the aggregator's merge and every reader's
   apply, on hostile texts.
   Input: byte 0 = config (bit 0 route tracking, bits 1-2 the reader's cluster_max_instances - 1,
   bit 3 short strings), then fields separated by 0x1E: the view, the list, the reader's own
   snapshot (returned for any "at"), then up to 6 snapshots for the merge.
   Invariants: apply never crashes or over-reads; when it says OK the reader's stats are valid
   JSON whose versions and routes sum to the total, and that total is at most the view's; when it
   refuses, the reader shows no cluster part (total = local 0). The merge of the snapshots,
   written out and applied by a reader of the same limits that is not in it, is accepted and
   shows exactly the merged total (refused whole only when names are shorter than "(other)"). */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"
#include "examples/common/skcl_view.c"

#define MAXSNAP 6

static char stats_buf[1u << 17];
static skew_str own_text;

static skew_str own_find(void *ctx, uint64_t at) {
    (void)ctx;
    (void)at;
    return own_text;
}

static skew_tracker *reader(uint8_t f, const char *id, uint32_t max_instances) {
    skew_config c;
    skew_tracker *t = NULL;
    memset(&c, 0, sizeof c);
    c.server_version = "v1";
    c.route_tracking = (f & 1) != 0;
    c.max_connections = 4;
    c.max_versions = 3;
    c.max_routes = 3;
    c.max_version_len = (f & 8) ? 6 : 64;
    c.max_route_len = (f & 8) ? 4 : 64;
    c.max_listed = 4;
    c.instance_id = id;
    c.instance_tag = 1;
    c.cluster_max_instances = max_instances;
    c.hooks.send = skcl_send_nothing;
    FZ_ASSERT(skew_tracker_create(&t, &c) == SKEW_OK);
    skew_cluster_set_link(t, SKEW_CLUSTER_LINK_OK);
    return t;
}

/* The stats' total, with versions and routes summing to it (fz_stats_total). */
static uint64_t stats_total(const skew_tracker *t, int routes) {
    size_t n = skew_write_stats(t, 0, stats_buf, sizeof stats_buf);
    FZ_ASSERT(n < sizeof stats_buf);
    return fz_stats_total(skew_str_n(stats_buf, n), routes);
}

static uint64_t head_total(skew_str v) {
    char line[128];
    size_t n = 0;
    unsigned long long seq = 0, made = 0, total = 0;
    while (n < v.len && n < sizeof line - 1 && v.ptr[n] != '\n') {
        line[n] = v.ptr[n];
        n++;
    }
    line[n] = '\0';
    if (sscanf(line, "skew-view 1 %llu %llu %llu", &seq, &made, &total) != 3) return UINT64_MAX;
    return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz_in in;
    uint8_t f;
    skew_str fields[3 + MAXSNAP];
    size_t n = 0, i;
    int more = 1;
    skew_tracker *t;
    skcl_view_info info;
    char *rows = NULL;
    skew_str *parts = NULL;
    skcl_view_result r;
    if (size > 32768) return 0;
    in.p = data;
    in.n = size;
    f = fz_byte(&in);
    while (more && n < 3 + MAXSNAP) fields[n++] = fz_field(&in, &more);
    while (n < 3) fields[n++] = skew_str_n(NULL, 0);
    own_text = fields[2];

    /* hostile view, list and own snapshot */
    t = reader(f, "a", (uint32_t)((f >> 1) & 3) + 1);
    r = skcl_view_apply(t, fields[0], fields[1], own_find, NULL, 1, &info, &rows, &parts);
    if (r == SKCL_VIEW_OK) {
        uint64_t total = stats_total(t, f & 1);
        FZ_ASSERT(total <= head_total(fields[0]));
        skew_cluster_clear(t);
        free(rows);
        free(parts);
    } else {
        FZ_ASSERT(rows == NULL && parts == NULL);
        skew_cluster_clear(t);
        FZ_ASSERT(stats_total(t, f & 1) == 0);
    }
    skew_tracker_destroy(t);

    /* the merge of the rest, applied by a reader that is not in it */
    {
        skew_tracker *z = reader(f, "z", MAXSNAP + 1);
        skcl_merge *g = skcl_merge_new(skew_get_config(z));
        char *view = NULL, *list = NULL;
        size_t vl = 0, ll = 0;
        FZ_ASSERT(g != NULL);
        skcl_merge_begin(g, (f & 0x10) != 0);
        for (i = 3; i < n; i++) skcl_merge_add(g, fields[i].ptr, fields[i].len);
        FZ_ASSERT(skcl_merge_write(g, "agg", 1, 2, 4, &view, &vl, &list, &ll));
        r = skcl_view_apply(z, skew_str_n(view, vl), skew_str_n(list, ll), NULL, NULL, 3, &info, &rows, &parts);
        /* with names shorter than "(other)" (short strings) a row carrying that fold is refused
           by the tracker itself: refused whole, never partly shown */
        FZ_ASSERT(r == SKCL_VIEW_OK || (f & 8));
        if (r == SKCL_VIEW_OK) {
            FZ_ASSERT(info.instances == skcl_merge_count(g));
            FZ_ASSERT(stats_total(z, f & 1) == head_total(skew_str_n(view, vl)));
        } else {
            FZ_ASSERT(stats_total(z, f & 1) == 0);
        }
        skew_cluster_clear(z);
        free(rows);
        free(parts);
        free(view);
        free(list);
        skcl_merge_free(g);
        skew_tracker_destroy(z);
    }
    return 0;
}
