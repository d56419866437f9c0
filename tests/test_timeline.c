/* Rollout timeline (>>timeline): configuration bounds, memory, sampling on skew_tick's clock, ring
   wrap-around, bounded series with "(other)", series handed over as versions come and go, the
   JSON in skew_write_timeline and GET {base}/admin/stats. Built with SKEW_ENABLE_TIMELINE 0 too
   (tests/portability/config_matrix.sh): then every tracker has no timeline and writes `null`. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "skew_test.h"
#include "test_hooks.h"

#include <stdlib.h>

/* ---- a tracker on a fake clock; connections whose cookie names their version -------------- */

#define MAXC 256

/* A view of n bytes at p (the harness's and the library's constructors differ between versions). */
static skew_str tl_str(const char *p, size_t n) {
    skew_str v;
    v.ptr = p;
    v.len = n;
    return v;
}
#define TL_LIT(lit) tl_str("" lit, sizeof(lit) - 1)

typedef struct tl_env {
    uint64_t now;
    int conn_user[MAXC];
    skew_handle h[MAXC];
    int n;
} tl_env;

static uint64_t tl_now(void *ud) { return ((tl_env *)ud)->now; }
static skew_result tl_send(void *ud, const skew_conn *c, const char *msg, size_t len) {
    (void)ud; (void)c; (void)msg; (void)len;
    return SKEW_OK;
}
static skew_result tl_random(void *ud, void *buf, size_t len) {
    static uint8_t x = 7;
    size_t i;
    (void)ud;
    for (i = 0; i < len; i++) ((uint8_t *)buf)[i] = x = (uint8_t)(x * 29u + 11u);
    return SKEW_OK;
}
static skew_auth_result tl_auth(void *ud, const skew_request *req, skew_auth_scope scope) {
    (void)ud; (void)scope;
    return skew_auth_bearer(req, TL_LIT("tok"));
}

typedef struct tl_headers {
    const char *cookie;
    const char *auth;
} tl_headers;

static skew_str tl_header(void *ctx, const char *name) {
    const tl_headers *h = (const tl_headers *)ctx;
    const char *v = NULL;
    skew_str s;
    if (!strcmp(name, "user-agent"))
        v = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    else if (!strcmp(name, "cookie")) v = h->cookie;
    else if (!strcmp(name, "authorization")) v = h->auth;
    s.ptr = v;
    s.len = v ? strlen(v) : 0;
    return s;
}

static void tl_config(skew_config *c, tl_env *e, uint32_t samples, uint32_t period, uint32_t series) {
    memset(c, 0, sizeof *c);
    c->timeline_samples = samples;
    c->timeline_period_ms = period;
    c->timeline_series = series;
    c->hooks.user_data = e;
    c->hooks.epoch_ms = tl_now;
    c->hooks.send = tl_send;
    c->hooks.random_bytes = tl_random;
    c->hooks.authorize = tl_auth;
}

/* Open a connection on `version`; returns its index in env. */
static int tl_open(skew_tracker *t, tl_env *e, const char *version) {
    char cookie[128];
    tl_headers hd;
    skew_request r;
    memset(&r, 0, sizeof r);
    snprintf(cookie, sizeof cookie, "__nkpv=%s", version);
    hd.cookie = cookie;
    hd.auth = NULL;
    r.method = TL_LIT("GET");
    r.path = TL_LIT("/__skew/sse");
    r.header = tl_header;
    r.header_ctx = &hd;
    CHECK(e->n < MAXC);
    CHECK_RES(skew_open(t, &r, &e->conn_user[e->n], &e->h[e->n]), SKEW_OK);
    return e->n++;
}

static void tl_open_n(skew_tracker *t, tl_env *e, const char *version, int n) {
    while (n-- > 0) (void)tl_open(t, e, version);
}

static skew_tracker *tl_create(tl_env *e, uint32_t samples, uint32_t period, uint32_t series) {
    skew_config c;
    skew_tracker *t = NULL;
    tl_config(&c, e, samples, period, series);
    CHECK_RES(skew_tracker_create(&t, &c), SKEW_OK);
    return t;
}

static const char *tl_json(const skew_tracker *t) {
    static char buf[1 << 16];
    size_t n = skew_write_timeline(t, buf, sizeof buf);
    CHECK(n < sizeof buf);
    CHECK_RES(skew_json_validate(tl_str(buf, n)), SKEW_OK);
    return buf;
}

/* ---- configuration and memory ------------------------------------------------------------- */

static void test_config(void) {
    skew_config in, out;
    tl_env e;
    memset(&e, 0, sizeof e);
    tl_config(&in, &e, 0, 0, 0);
    CHECK_RES(skew_config_resolve(&in, &out), SKEW_OK);
    CHECK_EQ_INT(out.timeline_samples, 0); /* zero: no timeline, the default */
#if SKEW_ENABLE_TIMELINE
    in.timeline_samples = 360;
    CHECK_RES(skew_config_resolve(&in, &out), SKEW_OK);
    CHECK_EQ_INT(out.timeline_samples, 360);
    CHECK_EQ_INT(out.timeline_period_ms, 10000);
    CHECK_EQ_INT(out.timeline_series, 8);
    /* every bound, exactly at it and one past it */
    in.timeline_samples = SKEW_TIMELINE_MAX_SAMPLES;
    CHECK_RES(skew_config_resolve(&in, &out), SKEW_OK);
    in.timeline_samples = SKEW_TIMELINE_MAX_SAMPLES + 1;
    CHECK_RES(skew_config_resolve(&in, &out), SKEW_ERR_CONFIG);
    CHECK_EQ_INT(skew_tracker_memory_size(&in), 0);
    in.timeline_samples = 1;
    in.timeline_series = SKEW_TIMELINE_MAX_SERIES;
    CHECK_RES(skew_config_resolve(&in, &out), SKEW_OK);
    in.timeline_series = SKEW_TIMELINE_MAX_SERIES + 1;
    CHECK_RES(skew_config_resolve(&in, &out), SKEW_ERR_CONFIG);
    in.timeline_series = 1;
    in.timeline_period_ms = 10;
    CHECK_RES(skew_config_resolve(&in, &out), SKEW_OK);
    in.timeline_period_ms = 9;
    CHECK_RES(skew_config_resolve(&in, &out), SKEW_ERR_CONFIG);
    in.timeline_period_ms = 86400000u;
    CHECK_RES(skew_config_resolve(&in, &out), SKEW_OK);
    in.timeline_period_ms = 86400001u;
    CHECK_RES(skew_config_resolve(&in, &out), SKEW_ERR_CONFIG);
    /* the bounds do not matter while the timeline is off */
    in.timeline_samples = 0;
    CHECK_RES(skew_config_resolve(&in, &out), SKEW_OK);
#else
    in.timeline_samples = 360; /* compiled out: asking is not an error, the timeline is absent */
    CHECK_RES(skew_config_resolve(&in, &out), SKEW_OK);
    CHECK_EQ_INT(out.timeline_samples, 0);
#endif
}

static void test_memory(void) {
    skew_config c;
    tl_env e;
    size_t off, on, on2, rows;
    memset(&e, 0, sizeof e);
    tl_config(&c, &e, 0, 0, 0);
    off = skew_tracker_memory_size(&c);
    CHECK(off > 0);
    c.timeline_samples = 360;
    on = skew_tracker_memory_size(&c);
    c.timeline_samples = 720;
    on2 = skew_tracker_memory_size(&c);
    printf("tracker memory: %u bytes without the timeline, %u with 360 samples x 8 series, %u with 720\n",
           (unsigned)off, (unsigned)on, (unsigned)on2);
#if SKEW_ENABLE_TIMELINE
    /* a time and 8 + 1 counts per sample, a name of max_version_len bytes per series, padding */
    rows = 360 * (sizeof(uint64_t) + 9 * sizeof(uint32_t));
    CHECK(on - off >= rows + 8 * 64);
    CHECK(on - off <= rows + 8 * 64 + 8 * 32 + 64);
    CHECK(on2 - on >= rows && on2 - on <= rows + 32); /* linear in the samples */
    c.timeline_samples = 360;
    c.timeline_series = 1;
    CHECK(skew_tracker_memory_size(&c) < on); /* fewer series, less memory */
    c.timeline_series = 0;
    {   /* init in exactly the size asked for, not a byte less; a full ring stays inside it */
        size_t need = skew_tracker_memory_size(&c);
        char *mem = (char *)malloc(need);
        skew_tracker *t = NULL;
        int i;
        CHECK(mem != NULL);
        if (!mem) return;
        CHECK_RES(skew_tracker_init(&t, &c, mem, need - 1), SKEW_ERR_NOMEM);
        CHECK_RES(skew_tracker_init(&t, &c, mem, need), SKEW_OK);
        e.now = 5000;
        for (i = 0; i < 1000; i++) {
            if (i % 50 == 0) tl_open_n(t, &e, i % 100 ? "va" : "vb", 1);
            e.now += 10000;
            (void)skew_tick(t, e.now);
        }
        CHECK(strstr(tl_json(t), "\"capacity\":360") != NULL);
        e.n = 0;
        free(mem);
    }
#else
    (void)rows;
    CHECK_EQ_INT(on, off); /* compiled out: no memory */
    CHECK_EQ_INT(on2, off);
#endif
}

/* 0 samples: no memory, no field in admin/stats, `null`, no sampling wake-ups. */
static void test_disabled(void) {
    tl_env e;
    skew_tracker *t;
    char body[4096];
    skew_request r;
    skew_response resp;
    tl_headers hd;
    memset(&e, 0, sizeof e);
    e.now = 1000000;
    t = tl_create(&e, 0, 1000, 2);
    if (!t) return;
    tl_open_n(t, &e, "v1", 2);
    CHECK_STR(tl_json(t), "null");
    CHECK_EQ_INT(skew_write_timeline(t, NULL, 0), 4);
    CHECK_EQ_INT(skew_tick(t, e.now), 30000); /* only the keepalive is due */
    CHECK_EQ_INT(skew_get_next_due(t, e.now + 1000), 29000);
    hd.cookie = NULL;
    hd.auth = "Bearer tok";
    r = th_request(TL_LIT("GET"), TL_LIT("/__skew/admin/stats"), tl_header, &hd);
#if SKEW_ENABLE_ADMIN
    CHECK_RES(skew_http(t, &r, &resp, body, sizeof body), SKEW_OK);
    CHECK_EQ_INT(resp.status, 200);
    CHECK(strstr(body, "\"total\":2") != NULL);
    CHECK(strstr(body, "timeline") == NULL);
#else
    (void)resp; (void)body;
#endif
    CHECK_STR(tl_json(NULL), "null");
    skew_tracker_destroy(t);
}

#if SKEW_ENABLE_TIMELINE

static void tl_close(skew_tracker *t, tl_env *e, int i) { CHECK_RES(skew_close(t, e->h[i], SKEW_CLOSE_REASON_CLIENT), SKEW_OK); }

/* Samples on skew_tick's clock: the first at the first tick, then one per period; skew_tick and
   skew_get_next_due count the next one; the ring keeps the newest `samples`, oldest first. */
static void test_sampling_and_wrap(void) {
    tl_env e;
    skew_tracker *t;
    int a;
    memset(&e, 0, sizeof e);
    e.now = 1000000;
    t = tl_create(&e, 3, 1000, 4);
    if (!t) return;
    CHECK_STR(tl_json(t), "{\"periodMs\":1000,\"capacity\":3,\"series\":[],\"samples\":[]}");
    CHECK_EQ_INT(skew_get_next_due(t, e.now), 0); /* the first sample is due at once */
    a = tl_open(t, &e, "v1");
    tl_open_n(t, &e, "v1", 1);
    tl_open_n(t, &e, "v2", 1);
    CHECK_EQ_INT(skew_tick(t, e.now), 1000);
    CHECK_STR(tl_json(t), "{\"periodMs\":1000,\"capacity\":3,\"series\":[\"v1\",\"v2\"],\"samples\":[[1000000,2,1]]}");
    CHECK_EQ_INT(skew_get_next_due(t, e.now + 400), 600);
    e.now += 999;
    CHECK_EQ_INT(skew_tick(t, e.now), 1); /* not yet */
    CHECK_STR(tl_json(t), "{\"periodMs\":1000,\"capacity\":3,\"series\":[\"v1\",\"v2\"],\"samples\":[[1000000,2,1]]}");
    e.now += 1;
    tl_close(t, &e, a);
    CHECK_EQ_INT(skew_tick(t, e.now), 1000);
    CHECK_STR(tl_json(t), "{\"periodMs\":1000,\"capacity\":3,\"series\":[\"v1\",\"v2\"],"
                          "\"samples\":[[1000000,2,1],[1001000,1,1]]}");
    e.now += 1000;
    tl_open_n(t, &e, "v2", 2);
    (void)skew_tick(t, e.now);
    e.now += 1000;
    tl_open_n(t, &e, "v3", 1);
    (void)skew_tick(t, e.now); /* the fourth sample overwrites the first */
    CHECK_STR(tl_json(t), "{\"periodMs\":1000,\"capacity\":3,\"series\":[\"v1\",\"v2\",\"v3\"],"
                          "\"samples\":[[1001000,1,1,0],[1002000,1,3,0],[1003000,1,3,1]]}");
    /* a late tick takes one sample, the missed periods are not made up */
    e.now += 5500;
    CHECK_EQ_INT(skew_tick(t, e.now), 1000);
    CHECK_STR(tl_json(t), "{\"periodMs\":1000,\"capacity\":3,\"series\":[\"v1\",\"v2\",\"v3\"],"
                          "\"samples\":[[1002000,1,3,0],[1003000,1,3,1],[1008500,1,3,1]]}");
    /* the clock goes back: skew_get_next_due still says the old time, skew_tick samples at once */
    e.now -= 500000;
    CHECK_EQ_INT(skew_get_next_due(t, e.now), 501000);
    CHECK_EQ_INT(skew_tick(t, e.now), 1000);
    CHECK(strstr(tl_json(t), "[1008500,1,3,1],[508500,1,3,1]]}") != NULL);
    skew_tracker_destroy(t);
}

/* skew_tick's clock only schedules the samples; each is stamped with hooks.epoch_ms (the wall
   clock of the wire), so an adapter may tick with a monotonic clock. */
static void test_two_clocks(void) {
    tl_env e;
    skew_tracker *t;
    uint64_t mono = 100;
    memset(&e, 0, sizeof e);
    e.now = 1700000000000ull;
    t = tl_create(&e, 3, 1000, 2);
    if (!t) return;
    tl_open_n(t, &e, "v1", 1);
    CHECK(skew_tick(t, mono) <= 1000);
    CHECK_EQ_INT(skew_get_next_due(t, mono + 400), 600);
    e.now += 1234;
    mono += 999;
    (void)skew_tick(t, mono); /* not due on the tick clock, whatever the wall clock says */
    mono += 1;
    (void)skew_tick(t, mono);
    CHECK_STR(tl_json(t), "{\"periodMs\":1000,\"capacity\":3,\"series\":[\"v1\"],"
                          "\"samples\":[[1700000000000,1],[1700000001234,1]]}");
    skew_tracker_destroy(t);
}

/* Parse "samples" of the JSON: rows[i][0] the time, then the counts; returns the row count. */
static int tl_rows(const char *json, uint64_t rows[][16], int max_rows, int *cols) {
    const char *p = strstr(json, "\"samples\":[");
    int n = 0;
    *cols = 0;
    if (!p) return -1;
    p += 11;
    while (*p == '[' && n < max_rows) {
        int c = 0;
        p++;
        while (*p && *p != ']') {
            char *end;
            if (c < 16) rows[n][c] = strtoull(p, &end, 10);
            else (void)strtoull(p, &end, 10);
            c++;
            p = end;
            if (*p == ',') p++;
        }
        if (*p == ']') p++;
        if (*p == ',') p++;
        if (n == 0) *cols = c;
        CHECK_EQ_INT(c, *cols); /* every sample has one count per series */
        n++;
    }
    return n;
}

/* At most `series` named lines plus "(other)"; every sample adds up to the total then; a bigger
   newcomer takes the smallest series and that version's history moves into "(other)". */
static void test_bounded_series(void) {
    tl_env e;
    skew_tracker *t;
    memset(&e, 0, sizeof e);
    e.now = 2000000;
    t = tl_create(&e, 4, 1000, 2);
    if (!t) return;
    tl_open_n(t, &e, "a", 3);
    tl_open_n(t, &e, "b", 1);
    tl_open_n(t, &e, "c", 1); /* no series left, not bigger than b: "(other)" */
    (void)skew_tick(t, e.now);
    CHECK_STR(tl_json(t), "{\"periodMs\":1000,\"capacity\":4,\"series\":[\"a\",\"b\",\"(other)\"],"
                          "\"samples\":[[2000000,3,1,1]]}");
    e.now += 1000;
    tl_open_n(t, &e, "d", 2); /* bigger than b now: takes b's series, b's history goes to (other) */
    (void)skew_tick(t, e.now);
    CHECK_STR(tl_json(t), "{\"periodMs\":1000,\"capacity\":4,\"series\":[\"a\",\"d\",\"(other)\"],"
                          "\"samples\":[[2000000,3,0,2],[2001000,3,2,2]]}");
    skew_tracker_destroy(t);

    /* many versions coming and going: every sample sums to the total at its time, JSON stays
       valid and bounded, never more than series + 1 columns */
    {
        uint64_t rows[8][16], totals[64];
        int i, n, cols, step;
        unsigned seed = 12345;
        char name[16];
        memset(&e, 0, sizeof e);
        e.now = 3000000;
        t = tl_create(&e, 8, 100, 3);
        if (!t) return;
        for (step = 0; step < 64; step++) {
            int opens = (int)(seed % 5);
            for (i = 0; i < opens && e.n < MAXC; i++) {
                seed = seed * 1103515245u + 12345u;
                snprintf(name, sizeof name, "v%u", (seed >> 16) % 12);
                (void)tl_open(t, &e, name);
            }
            for (i = 0; i < e.n; i++) {
                seed = seed * 1103515245u + 12345u;
                if ((seed >> 16) % 4 == 0) (void)skew_close(t, e.h[i], SKEW_CLOSE_REASON_CLIENT); /* stale handles refused */
            }
            totals[step] = skew_get_total(t);
            (void)skew_tick(t, e.now);
            e.now += 100;
            n = tl_rows(tl_json(t), rows, 8, &cols);
            CHECK_EQ_INT(n, step + 1 < 8 ? step + 1 : 8);
            CHECK(cols >= 1 && cols <= 1 + 3 + 1);
            for (i = 0; i < n; i++) {
                uint64_t sum = 0;
                int k;
                for (k = 1; k < cols; k++) sum += rows[i][k];
                CHECK_EQ_INT(sum, totals[step - (n - 1) + i]);
                CHECK_EQ_INT(rows[i][0], 3000000 + 100 * (uint64_t)(step - (n - 1) + i));
            }
        }
        skew_tracker_destroy(t);
    }
}

/* A version gone from the whole window frees its series for the next one, with no "(other)";
   while its history still shows, the series stays its own (a drained version keeps its line). */
static void test_series_reuse(void) {
    tl_env e;
    skew_tracker *t;
    int i, first;
    memset(&e, 0, sizeof e);
    e.now = 5000000;
    t = tl_create(&e, 2, 1000, 1);
    if (!t) return;
    first = tl_open(t, &e, "old");
    (void)skew_tick(t, e.now);
    tl_close(t, &e, first);
    tl_open_n(t, &e, "new", 1);
    e.now += 1000;
    (void)skew_tick(t, e.now); /* one series, still showing "old" (0 now): "new" (1) takes it */
    CHECK_STR(tl_json(t), "{\"periodMs\":1000,\"capacity\":2,\"series\":[\"new\",\"(other)\"],"
                          "\"samples\":[[5000000,0,1],[5001000,1,0]]}");
    skew_tracker_destroy(t);

    /* two series: "old" drains to zero and keeps its line while the window shows it */
    memset(&e, 0, sizeof e);
    e.now = 6000000;
    t = tl_create(&e, 3, 1000, 2);
    if (!t) return;
    first = tl_open(t, &e, "old");
    tl_open_n(t, &e, "v2", 1);
    (void)skew_tick(t, e.now);
    tl_close(t, &e, first);
    for (i = 0; i < 2; i++) {
        e.now += 1000;
        (void)skew_tick(t, e.now);
    }
    CHECK_STR(tl_json(t), "{\"periodMs\":1000,\"capacity\":3,\"series\":[\"old\",\"v2\"],"
                          "\"samples\":[[6000000,1,1],[6001000,0,1],[6002000,0,1]]}");
    /* one more sample and "old" is out of the window: its series goes to "v3" without (other) */
    tl_open_n(t, &e, "v3", 1);
    e.now += 1000;
    (void)skew_tick(t, e.now);
    CHECK_STR(tl_json(t), "{\"periodMs\":1000,\"capacity\":3,\"series\":[\"v3\",\"v2\"],"
                          "\"samples\":[[6001000,0,1],[6002000,0,1],[6003000,1,1]]}");
    skew_tracker_destroy(t);
}

/* Version names are JSON-escaped; the admin/stats answer carries the same object as a member;
   the writer keeps the snprintf contract. */
static void test_json(void) {
    tl_env e;
    skew_tracker *t;
    char small[16], body[8192];
    size_t need, i;
    skew_request r;
    skew_response resp;
    tl_headers hd;
    const char *want = "{\"periodMs\":1000,\"capacity\":2,\"series\":[\"a\\\"b\\\\\",\"\xc3\xa9t\xc3\xa9\"],"
                       "\"samples\":[[7000000,1,1]]}";
    memset(&e, 0, sizeof e);
    e.now = 7000000;
    t = tl_create(&e, 2, 1000, 2);
    if (!t) return;
    tl_open_n(t, &e, "a%22b%5C", 1);   /* a"b\ */
    tl_open_n(t, &e, "%C3%A9t%C3%A9", 1); /* été */
    (void)skew_tick(t, e.now);
    CHECK_STR(tl_json(t), want);
    need = skew_write_timeline(t, NULL, 0);
    CHECK_EQ_INT(need, strlen(want));
    memset(small, 'x', sizeof small);
    CHECK_EQ_INT(skew_write_timeline(t, small, sizeof small), need);
    CHECK_EQ_INT(small[sizeof small - 1], '\0');
    CHECK(memcmp(small, want, sizeof small - 1) == 0);
    for (i = 0; i <= need + 1; i++) { /* every cap: never past it, NUL inside it */
        char *b = (char *)malloc(i ? i : 1);
        CHECK_EQ_INT(skew_write_timeline(t, i ? b : NULL, i), need);
        if (i) CHECK_EQ_INT(strlen(b), i - 1 < need ? i - 1 : need);
        free(b);
    }
#if SKEW_ENABLE_ADMIN
    hd.cookie = NULL;
    hd.auth = "Bearer tok";
    r = th_request(TL_LIT("GET"), TL_LIT("/__skew/admin/stats"), tl_header, &hd);
    CHECK_RES(skew_http(t, &r, &resp, body, sizeof body), SKEW_OK);
    CHECK_EQ_INT(resp.status, 200);
    CHECK_RES(skew_json_validate(tl_str(body, resp.body_len)), SKEW_OK);
    {
        const char *at = strstr(body, ",\"timeline\":");
        CHECK(at != NULL);
        if (at) {
            CHECK(strncmp(at + 12, want, strlen(want)) == 0);
            CHECK_STR(at + 12 + strlen(want), "}"); /* the last member */
        }
    }
    /* the stats pushes stay lean: no timeline in them */
    need = skew_write_stats(t, 0, body, sizeof body);
    CHECK(need < sizeof body);
    CHECK(strstr(body, "timeline") == NULL);
#else
    (void)r; (void)resp; (void)hd; (void)body;
#endif
    skew_tracker_destroy(t);
}

/* The largest answer: every sample at its widest stays within what the writer measured. */
static void test_worst_case_size(void) {
    tl_env e;
    skew_tracker *t;
    char *buf;
    size_t need, got;
    int i, v;
    char name[80];
    memset(&e, 0, sizeof e);
    e.now = 9999999999999ull;
    t = tl_create(&e, 50, 10, SKEW_TIMELINE_MAX_SERIES);
    if (!t) return;
    for (v = 0; v < 70; v++) {
        snprintf(name, sizeof name, "%064d", v); /* max_version_len (64) bytes each */
        (void)tl_open(t, &e, name);
    }
    for (i = 0; i < 120; i++) {
        (void)skew_tick(t, e.now);
        e.now += 10;
    }
    need = skew_write_timeline(t, NULL, 0);
    buf = (char *)malloc(need + 1);
    CHECK(buf != NULL);
    if (buf) {
        got = skew_write_timeline(t, buf, need + 1);
        CHECK_EQ_INT(got, need);
        CHECK_RES(skew_json_validate(tl_str(buf, got)), SKEW_OK);
        CHECK(strstr(buf, "\"(other)\"]") != NULL); /* 70 versions, 64 series */
        free(buf);
    }
    skew_tracker_destroy(t);
}

#endif /* SKEW_ENABLE_TIMELINE */

int main(void) {
    test_config();
    test_memory();
    test_disabled();
#if SKEW_ENABLE_TIMELINE
    test_sampling_and_wrap();
    test_two_clocks();
    test_bounded_series();
    test_series_reuse();
    test_json();
    test_worst_case_size();
#endif
    TEST_MAIN_END();
}
