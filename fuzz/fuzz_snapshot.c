/* Cluster snapshots: skew_cluster_update() on any texts, the view written out after each.
   Input: byte 0 = config (bit 0 route tracking, bit 1 ip tracking, bit 2 short strings, bit 3
   max_listed 1, bits 4-5 cluster_max_instances - 1, bit 6 state DEGRADED instead of OK, bit 7 a
   real tracker's snapshot joins the update), then snapshots separated by 0x1E (they stay alive in
   the input for the whole update, as the API requires).
   Invariants: each snapshot alone is either refused, and then the stats text is exactly that of
   an empty view (nothing of it merged), or taken, and then the shown total grows by its total;
   the whole update refuses as many as the rejected counter says (SKEW_ERR_INVALID iff any), holds
   distinct instance ids within cluster_max_instances; stats, admin stats and metrics keep the
   snprintf contract and are valid UTF-8 JSON whose versions and routes sum to the total; every
   stats push a subscriber gets is valid JSON (fz_send); a real snapshot is always taken; the same
   update taken in parts (skew_cluster_begin_update / _add_snapshots / _commit_update) shows the
   view before unchanged until its commit and then exactly the view of the one-call update. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"

#define MAXSNAP 8

static char view[1u << 16], empty_view[1u << 16], real_snap[1u << 14], parted[1u << 16];

static const skew_tracker *w_t;
static size_t w_stats(void *ctx, char *buf, size_t cap) {
    (void)ctx;
    return skew_write_stats(w_t, 0, buf, cap);
}
static size_t w_metrics(void *ctx, char *buf, size_t cap) {
    (void)ctx;
    return skew_write_metrics(w_t, buf, cap);
}

/* A tracker with the input's limits; mine: in fz_mem, else in a second buffer. */
static skew_tracker *make(uint8_t f, const char *id, uint32_t tag, int mine) {
    skew_config c;
    skew_tracker *t = NULL;
    size_t need;
    static struct {
        unsigned char b[FZ_MEM];
    } mem2 FZ_ALIGNED;
    memset(&c, 0, sizeof c);
    c.server_version = "v1";
    c.route_tracking = (f & 1) != 0;
    c.ip_tracking = (f & 2) != 0;
    c.stats_interval_ms = SKEW_STATS_IMMEDIATE;
    c.max_connections = 4;
    c.max_versions = 3;
    c.max_routes = 3;
    c.max_version_len = (f & 4) ? 6 : 64;
    c.max_route_len = (f & 4) ? 4 : 64;
    c.max_listed = (f & 8) ? 1 : 4;
    c.max_body = 512;
    c.instance_id = id;
    c.instance_tag = tag;
    c.cluster_max_instances = (uint32_t)((f >> 4) & 3) + 1;
    fz_hooks(&c);
    need = skew_tracker_memory_size(&c);
    FZ_ASSERT(need > 0 && need <= FZ_MEM);
    FZ_ASSERT(skew_tracker_init(&t, &c, mine ? fz_mem.b : mem2.b, FZ_MEM) == SKEW_OK);
    return t;
}

/* The stats text, its writer contract, and its maps summing to its total (read back with the
   library's path reader: "total", "versions" and "routes"). */
static size_t check_view(const skew_tracker *t, char *out, size_t cap, int routes) {
    size_t n;
    uint64_t total;
    w_t = t;
    fz_check_writer(w_stats, NULL, out, cap, &n);
    fz_check_json_out(out, n);
    total = fz_stats_total(skew_str_n(out, n), routes);
    {
        skew_cluster_info info;
        skew_cluster_get_info(t, &info);
        FZ_ASSERT(info.total == total);
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz_in in = fz_input(data, size);
    uint8_t f;
    skew_tracker *t;
    skew_str snaps[MAXSNAP + 1];
    skew_cluster_info before, after;
    skew_cluster_peer peers[8];
    size_t n = 0, empty_len, i, j, np = 0, len;
    int more = 1, refused_alone = 0;
    skew_handle sub;
    skew_result r;
    if (size > 16384) return 0;
    f = fz_byte(&in);
    memset(&fz_e, 0, sizeof fz_e);
    fz_e.now = 1700000000000ull;
    fz_e.rnd = 0x9e3779b9u;
    fz_e.auth_mode = 2;
    while (more && n < MAXSNAP) snaps[n++] = fz_field(&in, &more);

    /* a real snapshot of another instance with the same limits */
    if (f & 0x80) {
        skew_tracker *o = make(f, "real", 7, 0);
        skew_handle h = fz_open_browser(o, 4, 0, "route=/r", "vr");
        FZ_ASSERT(h != 0);
        len = skew_cluster_write_snapshot(o, 1700000000000ull, real_snap, sizeof real_snap);
        FZ_ASSERT(len < sizeof real_snap);
        fz_check_json_out(real_snap, len);
        snaps[n++] = skew_str_n(real_snap, len);
        fz_e.conns[4].live = 0; /* that tracker is dropped, its connection with it */
    }

    t = make(f, "self", 1, 1);
    FZ_ASSERT(fz_open_browser(t, 0, 0, "route=/a", "v1") != 0);
    sub = fz_open_browser(t, 1, 1, "route=/b", "v2");
    FZ_ASSERT(sub != 0);
    FZ_ASSERT(skew_subscribe(t, sub, NULL) == SKEW_OK);
    skew_cluster_set_link(t, (f & 0x40) ? SKEW_CLUSTER_LINK_DEGRADED : SKEW_CLUSTER_LINK_OK);
    FZ_ASSERT(skew_cluster_update(t, NULL, 0, fz_e.now) == SKEW_OK);
    empty_len = check_view(t, empty_view, sizeof empty_view, f & 1);

    /* each one alone: refused whole, or taken with its total */
    for (i = 0; i < n; i++) {
        skew_cluster_get_info(t, &before);
        r = skew_cluster_update(t, &snaps[i], 1, fz_e.now);
        skew_cluster_get_info(t, &after);
        len = check_view(t, view, sizeof view, f & 1);
        if (r != SKEW_OK) {
            FZ_ASSERT(r == SKEW_ERR_INVALID);
            FZ_ASSERT(after.rejected == before.rejected + 1);
            FZ_ASSERT(len == empty_len && memcmp(view, empty_view, len) == 0);
            FZ_ASSERT(skew_cluster_list_peers(t, NULL, 0) == 0);
            refused_alone++;
        } else {
            FZ_ASSERT(after.rejected == before.rejected);
            np = skew_cluster_list_peers(t, peers, 8);
            FZ_ASSERT(np <= 1); /* 0: its own instance id, skipped */
            if (np == 1 && !(f & 0x40)) FZ_ASSERT(after.total == skew_get_total(t) + peers[0].total);
            if (np == 1) {
                FZ_ASSERT(peers[0].id.len >= 1 && peers[0].id.len <= SKEW_CLUSTER_ID_MAX);
                FZ_ASSERT(fz_utf8_valid((const uint8_t *)peers[0].id.ptr, peers[0].id.len));
                FZ_ASSERT(fz_utf8_valid((const uint8_t *)peers[0].build.ptr, peers[0].build.len));
            }
            if (np == 0) FZ_ASSERT(len == empty_len && memcmp(view, empty_view, len) == 0);
        }
        if ((f & 0x80) && i == n - 1) FZ_ASSERT(r == SKEW_OK && np == 1); /* the real one */
    }

    /* all together */
    skew_cluster_get_info(t, &before);
    r = skew_cluster_update(t, snaps, n, fz_e.now);
    skew_cluster_get_info(t, &after);
    np = skew_cluster_list_peers(t, peers, 8);
    FZ_ASSERT(np <= (size_t)((f >> 4) & 3) + 1);
    FZ_ASSERT(after.rejected - before.rejected + np <= n);
    FZ_ASSERT(after.rejected - before.rejected >= (uint64_t)refused_alone);
    FZ_ASSERT((r == SKEW_ERR_INVALID) == (after.rejected > before.rejected));
    for (i = 0; i < np; i++)
        for (j = 0; j < i; j++)
            FZ_ASSERT(peers[i].id.len != peers[j].id.len || memcmp(peers[i].id.ptr, peers[j].id.ptr, peers[i].id.len) != 0);
    if (!(f & 0x40)) {
        uint64_t sum = skew_get_total(t);
        for (i = 0; i < np; i++) sum += peers[i].total;
        FZ_ASSERT(after.total == sum);
    }
    len = check_view(t, view, sizeof view, f & 1);
    /* the same update in parts (begin, one snapshot a call, commit): the view shown meanwhile is
       the one above, whole; the one committed is the same as taken in one call */
    {
        size_t plen;
        FZ_ASSERT(skew_cluster_begin_update(t) == SKEW_OK);
        for (i = 0; i < n; i++) {
            skew_result pr = skew_cluster_add_snapshots(t, &snaps[i], 1);
            FZ_ASSERT(pr == SKEW_OK || pr == SKEW_ERR_INVALID);
            plen = check_view(t, parted, sizeof parted, f & 1);
            FZ_ASSERT(plen == len && memcmp(parted, view, len) == 0);
        }
        FZ_ASSERT(skew_cluster_commit_update(t, fz_e.now) == r);
        FZ_ASSERT(skew_cluster_commit_update(t, fz_e.now) == SKEW_ERR_NOT_FOUND);
        plen = check_view(t, parted, sizeof parted, f & 1);
        FZ_ASSERT(plen == len && memcmp(parted, view, len) == 0);
        /* and one abandoned half way changes nothing */
        FZ_ASSERT(skew_cluster_begin_update(t) == SKEW_OK);
        if (n) skew_cluster_add_snapshots(t, snaps, 1);
        skew_cluster_abort_update(t);
        FZ_ASSERT(skew_cluster_add_snapshots(t, snaps, n) == SKEW_ERR_NOT_FOUND);
        plen = check_view(t, parted, sizeof parted, f & 1);
        FZ_ASSERT(plen == len && memcmp(parted, view, len) == 0);
    }
    w_t = t;
    fz_check_writer(w_metrics, NULL, view, sizeof view, &len);
    FZ_ASSERT(memchr(view, 0, len) == NULL);
    skew_cluster_clear(t);
    len = check_view(t, view, sizeof view, f & 1);
    FZ_ASSERT(len == empty_len && memcmp(view, empty_view, len) == 0);
    return 0;
}
