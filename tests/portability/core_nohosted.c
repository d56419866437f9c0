/* tests/test_core.c (or the file NOHOSTED_TEST names, e.g. -DNOHOSTED_TEST='"../test_http.c"')
   built with SKEW_ENABLE_HOSTED 0: no malloc, clock or randomness inside the library. skew_tracker_create() is wrapped so every tracker the tests create gets an allocator
   hook (the test process itself may use malloc), and a clock and a random hook when the test
   gave none (deterministic: a test, not a CSPRNG). Everything else is that test file unchanged. */
#define SKEW_ENABLE_HOSTED 0
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"

#include <stdlib.h>

static void *nh_alloc(void *ud, size_t size) {
    (void)ud;
    return malloc(size);
}
static void nh_free(void *ud, void *p, size_t size) {
    (void)ud;
    (void)size;
    free(p);
}
static uint64_t nh_now(void *ud) {
    (void)ud;
    return 1700000000000ull;
}
static skew_result nh_random(void *ud, void *buf, size_t len) {
    static uint32_t x = 2463534242u;
    size_t i;
    (void)ud;
    for (i = 0; i < len; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        ((unsigned char *)buf)[i] = (unsigned char)(x >> 24);
    }
    return SKEW_OK;
}

static skew_result nh_create(skew_tracker **out, const skew_config *cfg) {
    skew_config c;
    if (cfg) c = *cfg;
    else memset(&c, 0, sizeof c);
    if (!c.hooks.alloc && !c.hooks.free) {
        c.hooks.alloc = nh_alloc;
        c.hooks.free = nh_free;
    }
    if (!c.hooks.epoch_ms) c.hooks.epoch_ms = nh_now;
    if (!c.hooks.random_bytes) c.hooks.random_bytes = nh_random;
    return skew_tracker_create(out, &c);
}
#define skew_tracker_create nh_create

#ifndef NOHOSTED_TEST
#define NOHOSTED_TEST "../test_core.c"
#endif
#include NOHOSTED_TEST
