/* Snapshot merge: skew_merge_add() on any text, skew_merge_write() after each.
   Input: byte 0 = capacities (bits 0-2 versions, 3-5 routes), then snapshots separated by 0x1E
   (they stay alive in the input for the whole merge, as the API requires).
   Invariants: a snapshot that is refused changes nothing (total, entries, overflow); an accepted
   one never lowers the total and keeps entries within their capacity with distinct names;
   skew_merge_write keeps the snprintf contract and writes valid JSON (names are copied raw from
   valid JSON strings, so the grammar holds; their bytes are not UTF-8-checked); and a snapshot
   written by a real tracker merges into exactly its own counts. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"

#define MCAP 8

static skew_count vs[MCAP], rs[MCAP];
static skew_count vs_copy[MCAP], rs_copy[MCAP];
static char out[1u << 16];

static const skew_merge *w_m;
static size_t w_merge(void *ctx, char *buf, size_t cap) {
    (void)ctx;
    return skew_merge_write(w_m, buf, cap);
}

static void check_entries(const skew_count *a, size_t n, size_t cap) {
    size_t i, j;
    FZ_ASSERT(n <= cap);
    for (i = 0; i < n; i++) {
        FZ_ASSERT(a[i].name.ptr != NULL || a[i].name.len == 0);
        for (j = 0; j < i; j++)
            FZ_ASSERT(a[j].name.len != a[i].name.len || memcmp(a[j].name.ptr, a[i].name.ptr, a[i].name.len) != 0);
    }
}

static int same_entries(const skew_count *a, const skew_count *b, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if (a[i].count != b[i].count || a[i].name.len != b[i].name.len || a[i].name.ptr != b[i].name.ptr) return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz_in in;
    uint8_t f;
    skew_merge m, before;
    size_t vcap, rcap, n;
    int more = 1, steps = 0;
    if (size > 16384) return 0;
    in.p = data;
    in.n = size;
    f = fz_byte(&in);
    vcap = (size_t)(f & 7);
    rcap = (size_t)((f >> 3) & 7);
    memset(vs, 0, sizeof vs);
    memset(rs, 0, sizeof rs);
    skew_merge_init(&m, vs, vcap, rs, rcap);
    while (more && steps++ < 32) {
        skew_str snap = fz_field(&in, &more);
        skew_result r;
        before = m;
        memcpy(vs_copy, vs, sizeof vs);
        memcpy(rs_copy, rs, sizeof rs);
        r = skew_merge_add(&m, snap);
        if (r != SKEW_OK) {
            FZ_ASSERT(r == SKEW_ERR_INVALID);
            FZ_ASSERT(m.total == before.total && m.overflow == before.overflow);
            FZ_ASSERT(m.version_count == before.version_count && m.route_count == before.route_count);
            /* a refused snapshot leaves every entry as it was (FZ_ALLOW_MERGE_PARTIAL lets a long
               run go on past this known bug: fuzz/corpus/merge/crash-partial-rollback) */
#ifndef FZ_ALLOW_MERGE_PARTIAL
            FZ_ASSERT(same_entries(vs, vs_copy, before.version_count));
            FZ_ASSERT(same_entries(rs, rs_copy, before.route_count));
#endif
        } else {
            FZ_ASSERT(m.total >= before.total);
            FZ_ASSERT(m.version_count >= before.version_count && m.route_count >= before.route_count);
            FZ_ASSERT(skew_json_validate(snap) == SKEW_OK);
        }
        check_entries(m.versions, m.version_count, vcap);
        check_entries(m.routes, m.route_count, rcap);
        w_m = &m;
        fz_check_writer(w_merge, NULL, out, sizeof out, &n);
        FZ_ASSERT(fz_json_valid(out, n, 0));
    }

    /* a real snapshot merges into its own counts (the same for every input: checked once) */
    static int once;
    if (!once) {
        skew_tracker *t = fz_tracker(0x01, 0x00, NULL);
        skew_count tv[8], mv[8], mr[8];
        skew_merge m2;
        size_t sn, nv, i;
        once = 1;
        fz_open_browser(t, 0, 0, "route=/a", "v2");
        fz_open_browser(t, 1, 1, "route=/b", NULL);
        fz_open_browser(t, 2, 0, "route=/a", "v2");
        sn = skew_snapshot(t, out, sizeof out);
        FZ_ASSERT(sn < sizeof out);
        skew_merge_init(&m2, mv, 8, mr, 8);
        FZ_ASSERT(skew_merge_add(&m2, skew_str_n(out, sn)) == SKEW_OK);
        FZ_ASSERT(m2.total == skew_get_total(t) && !m2.overflow);
        nv = skew_list_versions(t, tv, 8);
        FZ_ASSERT(nv == m2.version_count);
        for (i = 0; i < nv; i++) {
            size_t j;
            for (j = 0; j < m2.version_count; j++)
                if (mv[j].name.len == tv[i].name.len && memcmp(mv[j].name.ptr, tv[i].name.ptr, tv[i].name.len) == 0) break;
            FZ_ASSERT(j < m2.version_count && mv[j].count == tv[i].count);
        }
    }
    return 0;
}
