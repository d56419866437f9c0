/* Plain pieces that many tests build their fake hooks and requests from, written once here.
   Include after skew_tracker.h. Each test keeps its own hooks (its counters, its seed); these
   are what the hooks do inside. */
#ifndef TESTS_TEST_HOOKS_H
#define TESTS_TEST_HOOKS_H
#include <stdio.h>
#include <string.h>

#include "skew_test.h"

/* Deterministic bytes (xorshift32, seeded by *state): a test, not a CSPRNG. Each byte is the
   state shifted right by shift (24: its top byte; 0: its low byte). */
TESTS_UNUSED static void th_xorshift(uint32_t *state, void *buf, size_t len, unsigned shift) {
    uint32_t x = *state;
    size_t i;
    for (i = 0; i < len; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        ((unsigned char *)buf)[i] = (unsigned char)(x >> shift);
    }
    *state = x;
}

/* A sent message kept as text in dst (cap bytes): cut to cap - 1, NUL-terminated; its length. */
TESTS_UNUSED static size_t th_keep(char *dst, size_t cap, const char *msg, size_t len) {
    if (len >= cap) len = cap - 1;
    memcpy(dst, msg, len);
    dst[len] = '\0';
    return len;
}

/* A request with these headers (header may be NULL); the caller sets the rest (query, upgrade,
   peer). */
TESTS_UNUSED static skew_request th_request(skew_str method, skew_str path, skew_header_fn header, void *header_ctx) {
    skew_request r;
    memset(&r, 0, sizeof r);
    r.method = method;
    r.path = path;
    r.header = header;
    r.header_ctx = header_ctx;
    return r;
}

/* The SSE request of a browser on build version and route (GET /__skew/sse?route=..., cookie
   __nkpv=version given to header as its ctx); its texts live in *b. The caller sets the peer. */
typedef struct th_sse {
    char cookie[96];
    char query[160];
} th_sse;
TESTS_UNUSED static skew_request th_sse_request(th_sse *b, const char *version, const char *route, skew_header_fn header) {
    skew_request r;
    snprintf(b->cookie, sizeof b->cookie, "__nkpv=%s", version);
    snprintf(b->query, sizeof b->query, "route=%s", route);
    r = th_request(skew_str_c("GET"), skew_str_c("/__skew/sse"), header, b->cookie);
    r.query = skew_str_c(b->query);
    return r;
}

/* 127.0.0.1, the peer of most test requests. */
TESTS_UNUSED static void th_loopback4(skew_ip *peer) {
    memset(peer, 0, sizeof *peer);
    peer->family = 4;
    peer->bytes[0] = 127;
    peer->bytes[3] = 1;
}

/* A clock hook reading th_clock_ms, which the test moves itself (starts at 2023-11-14). */
TESTS_UNUSED static uint64_t th_clock_ms = 1700000000000ull;
TESTS_UNUSED static uint64_t th_now(void *ud) {
    (void)ud;
    return th_clock_ms;
}

/* A clock hook: one fixed instant (2023-11-14), for tests where time does not move. */
TESTS_UNUSED static uint64_t th_now_fixed(void *ud) {
    (void)ud;
    return 1700000000000ull;
}

/* An authorize hook that grants every request every scope. */
TESTS_UNUSED static skew_auth_result th_auth_granted(void *ud, const skew_request *req, skew_auth_scope scope) {
    (void)ud;
    (void)req;
    (void)scope;
    return SKEW_AUTH_RESULT_GRANTED;
}

#endif /* TESTS_TEST_HOOKS_H */
