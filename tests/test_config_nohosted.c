/* Config matrix, SKEW_ENABLE_HOSTED 0: the library has no malloc, clock or randomness of its
   own. skew_tracker_create() needs hooks.alloc, skew_tracker_init() needs hooks.random_bytes
   (ids are credentials: there is no weak fallback), the clock is hooks.epoch_ms (0 without it),
   and everything works on a static buffer. */
#define SKEW_ENABLE_HOSTED 0
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "skew_test.h"

#if defined(__GNUC__) || defined(__clang__)
#define ALIGN16 __attribute__((aligned(16)))
#else
#define ALIGN16
#endif

static struct {
    unsigned char b[64 * 1024];
} arena ALIGN16;

static uint64_t clock_ms = 1700000000000ull;
static int allocs, frees, random_calls;
static char last[512];

static uint64_t nh_now(void *ud) {
    (void)ud;
    return clock_ms;
}
static skew_result nh_random(void *ud, void *buf, size_t len) {
    static uint32_t x = 0x2545F491u; /* deterministic: a test, not a CSPRNG */
    size_t i;
    (void)ud;
    random_calls++;
    for (i = 0; i < len; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        ((unsigned char *)buf)[i] = (unsigned char)(x >> 24);
    }
    return SKEW_OK;
}
static skew_result nh_random_fails(void *ud, void *buf, size_t len) {
    (void)ud;
    (void)buf;
    (void)len;
    return SKEW_ERR_RANDOM;
}
/* a bump allocator over the arena */
static size_t arena_used;
static void *nh_alloc(void *ud, size_t size) {
    void *p;
    (void)ud;
    size = (size + 15u) & ~(size_t)15u;
    if (size > sizeof arena.b - arena_used) return NULL;
    p = arena.b + arena_used;
    arena_used += size;
    allocs++;
    return p;
}
static void nh_free(void *ud, void *p, size_t size) {
    (void)ud;
    (void)p;
    (void)size;
    frees++;
}
/* An allocator with the alignment 32-bit malloc gives (8, not 16): glibc on armhf returns
   such blocks, so skew_tracker_create() must cope with them. */
static unsigned char odd_arena[64 * 1024 + 32];
static void *nh_alloc8(void *ud, size_t size) {
    unsigned char *p = odd_arena + ((16u - ((uintptr_t)odd_arena & 15u)) & 15u) + 8u; /* 8 mod 16 */
    (void)ud;
    return size <= sizeof odd_arena - 32 ? p : NULL;
}

static skew_result nh_send(void *ud, const skew_conn *c, const char *msg, size_t len) {
    (void)ud;
    (void)c;
    if (len >= sizeof last) len = sizeof last - 1;
    memcpy(last, msg, len);
    last[len] = '\0';
    return SKEW_OK;
}
static skew_str nh_header(void *ctx, const char *name) {
    (void)ctx;
    if (strcmp(name, "user-agent") == 0) return STRV("Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15");
    return skew_str_n(NULL, 0);
}

static void base(skew_config *c) {
    memset(c, 0, sizeof *c);
    c->server_version = "fw1";
    c->max_connections = 4;
    c->max_versions = 2;
    c->max_routes = 2;
    c->max_listed = 4;
    c->hooks.send = nh_send;
}

int main(void) {
    skew_config c;
    skew_tracker *t = NULL;
    skew_request r;
    skew_handle h = 0;
    skew_response resp;
    char body[256];
    size_t need;

    /* no allocator hook: create has no memory to take */
    base(&c);
    c.hooks.random_bytes = nh_random;
    CHECK_RES(skew_tracker_create(&t, &c), SKEW_ERR_NOMEM);
    CHECK(t == NULL);
    /* no random hook: refused even on a good buffer */
    base(&c);
    need = skew_tracker_memory_size(&c);
    CHECK(need > 0 && need <= sizeof arena.b);
    CHECK_RES(skew_tracker_init(&t, &c, arena.b, sizeof arena.b), SKEW_ERR_CONFIG);
    c.hooks.random_bytes = nh_random_fails;
    CHECK_RES(skew_tracker_init(&t, &c, arena.b, sizeof arena.b), SKEW_ERR_RANDOM);

    /* with hooks: a tracker on the static buffer */
    c.hooks.random_bytes = nh_random;
    c.hooks.epoch_ms = nh_now;
    CHECK_RES(skew_tracker_init(&t, &c, arena.b, need), SKEW_OK);
    CHECK(random_calls >= 1);
    memset(&r, 0, sizeof r);
    r.method = STRV("GET");
    r.path = STRV("/__skew/sse");
    r.header = nh_header;
    CHECK_RES(skew_open(t, &r, NULL, &h), SKEW_OK);
    CHECK(strstr(last, "\"timestamp\":1700000000000}") != NULL); /* the hook's clock */
    clock_ms += 42000;
    r.path = STRV("/__skew/health");
    CHECK_RES(skew_http(t, &r, &resp, body, sizeof body), SKEW_OK);
    CHECK_STR(body, "{\"ok\":true,\"version\":\"fw1\",\"uptime\":42}");
    CHECK_EQ_INT(skew_tick(t, clock_ms), 30000); /* a keepalive was due: the next in 30 s */
    CHECK_RES(skew_close(t, h, SKEW_CLOSE_REASON_CLIENT), SKEW_OK);
    skew_tracker_destroy(t);
    CHECK_EQ_INT(frees, 0); /* init memory is the caller's */

    /* create with an allocator hook; destroy gives the memory back through it */
    t = NULL;
    c.hooks.alloc = nh_alloc;
    c.hooks.free = nh_free;
    CHECK_RES(skew_tracker_create(&t, &c), SKEW_OK);
    CHECK_EQ_INT(allocs, 1);
    skew_tracker_destroy(t);
    CHECK_EQ_INT(frees, 1);
    /* an allocator that runs dry */
    arena_used = sizeof arena.b;
    t = NULL;
    CHECK_RES(skew_tracker_create(&t, &c), SKEW_ERR_NOMEM);
    CHECK(t == NULL);
    /* memory aligned to 8 (what malloc gives on 32-bit targets) */
    t = NULL;
    c.hooks.alloc = nh_alloc8;
    c.hooks.free = nh_free;
    CHECK_RES(skew_tracker_create(&t, &c), SKEW_OK);
    if (t) {
        r.path = STRV("/__skew/sse");
        CHECK_RES(skew_open(t, &r, NULL, &h), SKEW_OK);
        skew_tracker_destroy(t);
    }
    /* one hook of the pair is a configuration error */
    c.hooks.free = NULL;
    CHECK_RES(skew_tracker_create(&t, &c), SKEW_ERR_CONFIG);
    TEST_MAIN_END();
}
