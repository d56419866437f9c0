/* tests/test_cluster.c built with SKEW_ENABLE_HOSTED 0 and the cluster part forced on
   (SKEW_ENABLE_CLUSTER 1; it follows SKEW_ENABLE_HOSTED by default): the cluster code needs
   nothing from a hosted C library. skew_tracker_create() is wrapped so every tracker gets an
   allocator hook; the test gives its own clock and random hooks. */
#define SKEW_ENABLE_HOSTED 0
#define SKEW_ENABLE_CLUSTER 1
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

static skew_result nh_create(skew_tracker **out, const skew_config *cfg) {
    skew_config c;
    if (cfg) c = *cfg;
    else memset(&c, 0, sizeof c);
    if (!c.hooks.alloc && !c.hooks.free) {
        c.hooks.alloc = nh_alloc;
        c.hooks.free = nh_free;
    }
    return skew_tracker_create(out, &c);
}
#define skew_tracker_create nh_create

#include "../test_cluster.c"
