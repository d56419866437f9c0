/* Early probes of new SSE streams (skew_config.sse_probe_ms, README "Liveness"): the schedule's
   bounds, its memory, a `keepalive` to each new SSE stream at each delay after its open (counted
   from the first skew_tick after it) and none after the schedule, none to WebSockets, a failed
   probe closing the stream, closed streams skipped, a full ring, and skew_get_next_due naming the
   next probe. Built with SKEW_ENABLE_SSE_PROBE 0 too (tests/portability/config_matrix.sh): then
   a schedule is refused. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "skew_test.h"
#include "fake_transport.h"

/* a tracker on the fake transport with this schedule (at most 4 delays, 0-terminated) */
TESTS_UNUSED static skew_tracker *make_probing(const uint32_t *delays, uint32_t keepalive_ms, bool frame_sse) {
    skew_config c;
    int i;
    base_cfg(&c, &env);
    c.keepalive_ms = keepalive_ms;
    c.frame_sse = frame_sse;
    for (i = 0; i < SKEW_SSE_PROBES_MAX && delays[i]; i++) c.sse_probe_ms[i] = delays[i];
    return make(&c);
}

/* keepalives conn c got, bare or SSE-framed (frame_sse) */
TESTS_UNUSED static int keepalives(int c) {
    size_t j;
    int n = 0;
    for (j = 0; j < env.conns[c].nmsg; j++) n += strstr(env.conns[c].msgs[j], "{\"type\":\"keepalive\",") != NULL;
    return n;
}

static void test_config(void) {
    skew_config c, out;
    size_t plain, probing;
    memset(&c, 0, sizeof c);
    plain = skew_tracker_memory_size(&c);
    CHECK(plain > 0);
    c.sse_probe_ms[0] = 2000;
    c.sse_probe_ms[1] = 5000;
    c.sse_probe_ms[2] = 15000;
#if SKEW_ENABLE_SSE_PROBE
    CHECK_RES(skew_config_resolve(&c, &out), SKEW_OK);
    CHECK_EQ_INT(out.sse_probe_ms[2], 15000);
    CHECK_EQ_INT(out.sse_probe_ms[3], 0);
    probing = skew_tracker_memory_size(&c);
    /* the ring: one entry per slot (1024 + 4 reserved) and one more, 16 bytes each */
    CHECK(probing >= plain + 1029 * 16);
    CHECK(probing <= plain + 1029 * 16 + 16);
    c.sse_probe_ms[3] = 29999; /* under the keepalive: still useful */
    CHECK_RES(skew_config_resolve(&c, &out), SKEW_OK);
    c.sse_probe_ms[3] = 30000; /* at the keepalive: the keepalive does it */
    CHECK_RES(skew_config_resolve(&c, &out), SKEW_ERR_CONFIG);
    c.sse_probe_ms[3] = 0;
    c.keepalive_ms = 10000; /* 15000 is now past the keepalive */
    CHECK_RES(skew_config_resolve(&c, &out), SKEW_ERR_CONFIG);
    c.keepalive_ms = 0;
    c.sse_probe_ms[1] = 2000; /* not increasing */
    CHECK_RES(skew_config_resolve(&c, &out), SKEW_ERR_CONFIG);
    c.sse_probe_ms[1] = 0; /* a delay after the end of the list */
    CHECK_RES(skew_config_resolve(&c, &out), SKEW_ERR_CONFIG);
    CHECK_EQ_INT(skew_tracker_memory_size(&c), 0);
    c.sse_probe_ms[2] = 0;
    CHECK_RES(skew_config_resolve(&c, &out), SKEW_OK); /* {2000} */
#else
    (void)probing;
    CHECK_RES(skew_config_resolve(&c, &out), SKEW_ERR_CONFIG); /* not built in */
    CHECK_EQ_INT(skew_tracker_memory_size(&c), 0);
#endif
}

#if SKEW_ENABLE_SSE_PROBE
/* One stream: a probe at 2, 5 and 15 s after the first tick that saw it, then nothing until the
   keepalive; skew_get_next_due names each probe; a WebSocket gets none. */
static void test_schedule(void) {
    static const uint32_t d[] = {2000, 5000, 15000, 0};
    skew_tracker *t = make_probing(d, 30000, false);
    CHECK_EQ_INT(skew_tick(t, 1000), 30000); /* the clock starts; keepalive at 31000 */
    open_sse(t, &env, 0, NULL, NULL);
    open_ws(t, &env, 1, NULL, NULL, NULL);
    CHECK_EQ_INT(skew_get_next_due(t, 1000), 0); /* a tick must stamp the new stream */
    CHECK_EQ_INT(skew_tick(t, 1000), 2000);
    CHECK_EQ_INT(skew_get_next_due(t, 1500), 1500);
    CHECK_EQ_INT(skew_tick(t, 2999), 1);
    CHECK_EQ_INT(keepalives(0), 0);
    CHECK_EQ_INT(skew_tick(t, 3000), 3000); /* the first probe; the next at 6000 */
    CHECK_EQ_INT(keepalives(0), 1);
    CHECK(strncmp(last_msg(&env, 0), "{\"type\":\"keepalive\",\"timestamp\":", 32) == 0);
    CHECK_EQ_INT(skew_tick(t, 5999), 1);
    CHECK_EQ_INT(keepalives(0), 1);
    CHECK_EQ_INT(skew_tick(t, 6000), 10000);
    CHECK_EQ_INT(keepalives(0), 2);
    CHECK_EQ_INT(skew_tick(t, 16000), 15000); /* the last probe; next: the keepalive at 31000 */
    CHECK_EQ_INT(keepalives(0), 3);
    CHECK_EQ_INT(skew_tick(t, 30999), 1);
    CHECK_EQ_INT(keepalives(0), 3); /* the schedule is over */
    CHECK_EQ_INT(skew_tick(t, 31000), 30000);
    CHECK_EQ_INT(keepalives(0), 4); /* the keepalive */
    CHECK_EQ_INT(keepalives(1), 0); /* WebSocket: pings are the library's */
    CHECK_EQ_INT(skew_get_total(t), 2);
    unmake(t);
}

/* Delays count from the first tick after the open, never from an older one: a loop that slept
   long does not probe a stream at once. */
static void test_stamped_by_tick(void) {
    static const uint32_t d[] = {2000, 0};
    skew_tracker *t = make_probing(d, 30000, false);
    CHECK_EQ_INT(skew_tick(t, 0), 30000);
    open_sse(t, &env, 0, NULL, NULL); /* at 20000 on the adapter's clock; the tracker saw 0 last */
    CHECK_EQ_INT(skew_get_next_due(t, 20000), 0);
    CHECK_EQ_INT(skew_tick(t, 20000), 2000);
    CHECK_EQ_INT(keepalives(0), 0);
    CHECK_EQ_INT(skew_tick(t, 22000), 8000); /* the keepalive at 30000 */
    CHECK_EQ_INT(keepalives(0), 1);
    unmake(t);
}

/* The point of it: a probe that cannot be written closes the stream (the adapter's send fails
   on a socket its client closed), within the schedule instead of at the keepalives. */
static void test_failed_probe_closes(void) {
    static const uint32_t d[] = {2000, 5000, 0};
    skew_tracker *t = make_probing(d, 30000, true);
    skew_metrics m;
    CHECK_EQ_INT(skew_tick(t, 0), 30000);
    open_sse(t, &env, 0, NULL, NULL);
    open_sse(t, &env, 1, NULL, NULL);
    skew_tick(t, 0);
    CHECK_EQ_INT(skew_tick(t, 2000), 3000);
    /* framed (frame_sse): the probe is an SSE event like every other message */
    CHECK(strncmp(last_msg(&env, 0), "data: {\"type\":\"keepalive\"", 25) == 0);
    CHECK(env.conns[0].msgs[env.conns[0].nmsg - 1][strlen(last_msg(&env, 0)) - 1] == '\n');
    env.conns[1].fail_with = SKEW_ERR_SEND; /* its client went away */
    skew_tick(t, 4999);
    CHECK_EQ_INT(skew_get_total(t), 2);
    skew_tick(t, 5000);
    CHECK_EQ_INT(skew_get_total(t), 1);
    CHECK(env.conns[1].closed);
    CHECK_EQ_INT(env.conns[1].reason, SKEW_CLOSE_REASON_SEND_FAILED);
    CHECK(!env.conns[0].closed);
    CHECK_EQ_INT(keepalives(0), 2);
    skew_get_metrics(t, &m);
    CHECK_EQ_INT(m.send_failed, 1);
    unmake(t);
}

/* A stream closed before its probe is skipped, and one that reuses its slot keeps its own
   schedule (the entry names the slot's generation). */
static void test_closed_skipped(void) {
    static const uint32_t d[] = {2000, 0};
    skew_tracker *t = make_probing(d, 30000, false);
    skew_handle a;
    skew_tick(t, 0);
    a = open_sse(t, &env, 0, NULL, NULL);
    skew_tick(t, 0);
    CHECK_RES(skew_close(t, a, SKEW_CLOSE_REASON_CLIENT), SKEW_OK);
    skew_tick(t, 1000);
    open_sse(t, &env, 1, NULL, NULL); /* takes the slot a left */
    skew_tick(t, 1000);
    env_reset_msgs(&env);
    skew_tick(t, 2000); /* a's time: nobody */
    CHECK_EQ_INT(keepalives(0), 0);
    CHECK_EQ_INT(keepalives(1), 0);
    CHECK_EQ_INT(skew_tick(t, 3000), 27000);
    CHECK_EQ_INT(keepalives(1), 1);
    unmake(t);
}

/* More opens within the longest delay than there are slots: the oldest entries leave the ring
   (their streams get no more probes); memory stays what it was and the newest are probed. */
static void test_full_ring(void) {
    static const uint32_t d[] = {2000, 0};
    skew_config c;
    skew_tracker *t;
    skew_handle h[12];
    int i, probed = 0;
    base_cfg(&c, &env);
    c.max_connections = 4;
    c.reserved_stats_slots = SKEW_STATS_RESERVE_NONE;
    c.sse_probe_ms[0] = d[0];
    t = make(&c);
    skew_tick(t, 0);
    for (i = 0; i < 12; i++) { /* 12 opens, 3 live at most; the ring holds 4 */
        h[i] = open_sse(t, &env, i, NULL, NULL);
        if (i >= 3) CHECK_RES(skew_close(t, h[i - 3], SKEW_CLOSE_REASON_CLIENT), SKEW_OK);
        skew_tick(t, (uint64_t)i * 10);
    }
    skew_tick(t, 5000);
    for (i = 0; i < 12; i++) probed += keepalives(i);
    CHECK_EQ_INT(probed, 3); /* the three still open: 9, 10, 11 */
    CHECK_EQ_INT(keepalives(9) + keepalives(10) + keepalives(11), 3);
    CHECK_EQ_INT(skew_get_total(t), 3);
    unmake(t);
}

/* Many streams opened at random moments, ticks every 100 ms: each gets exactly one probe per
   delay, at the first tick at or after its stamp + delay, and none after. */
static void test_random_opens(void) {
    static const uint32_t d[] = {300, 1200, 4000, 9900};
    skew_tracker *t = make_probing(d, 60000, false);
    uint64_t stamp[MAXC];
    int n = 0, c, k, bad = 0;
    uint64_t now;
    unsigned x = 12345;
    for (now = 0; now <= 40000; now += 100) {
        while (n < MAXC && ((x = x * 1103515245u + 12345u) >> 16) % 8 == 0) {
            open_sse(t, &env, n, NULL, NULL);
            stamp[n++] = now; /* stamped by the tick below */
        }
        skew_tick(t, now);
        for (c = 0; c < n; c++) {
            int want = 0;
            for (k = 0; k < 4; k++) want += now >= stamp[c] + d[k];
            if (keepalives(c) != want) bad++;
        }
    }
    CHECK(n > 40);
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(skew_get_total(t), n);
    unmake(t);
}
#endif

int main(void) {
    SUBTEST("config", test_config);
#if SKEW_ENABLE_SSE_PROBE
    SUBTEST("schedule", test_schedule);
    SUBTEST("stamped_by_tick", test_stamped_by_tick);
    SUBTEST("failed_probe_closes", test_failed_probe_closes);
    SUBTEST("closed_skipped", test_closed_skipped);
    SUBTEST("full_ring", test_full_ring);
    SUBTEST("random_opens", test_random_opens);
#endif
    TEST_MAIN_END();
}
