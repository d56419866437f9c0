/* consumer.c - a program that uses skew_tracker the way a packaged install gives it: the
   header from the include path the build system found (pkg-config, CMake, Meson), nothing else.
   With CONSUMER_LINKS_IMPLEMENTATION the implementation comes from the packaged
   implementation target instead of this file. Opens and closes one SSE stream and checks the
   `connected` message, the counts and the version. Ends "N passed, N failed". */
#ifndef CONSUMER_LINKS_IMPLEMENTATION
#define SKEW_TRACKER_IMPLEMENTATION
#endif
#include <skew_tracker.h>

#include <stdio.h>
#include <string.h>

static int passed, failed;
static unsigned connected_sent;

static void check(int ok, const char *what) {
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL %s\n", what);
    }
}
#define CHECK(x) check((x) ? 1 : 0, #x)

static skew_result on_send(void *user, const skew_conn *c, const char *msg, size_t len) {
    static const char prefix[] = "{\"type\":\"connected\"";
    (void)user;
    (void)c;
    if (len >= sizeof prefix - 1 && memcmp(msg, prefix, sizeof prefix - 1) == 0) connected_sent++;
    return SKEW_OK;
}

static skew_str view(const char *s) {
    skew_str v;
    v.ptr = s;
    v.len = strlen(s);
    return v;
}

/* A browser's request: no User-Agent would be refused as a bot. */
static skew_str header(void *ctx, const char *name) {
    (void)ctx;
    return strcmp(name, "user-agent") == 0 ? view("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0")
                                           : view("");
}

int main(void) {
    skew_config cfg;
    skew_request req;
    skew_tracker *t = NULL;
    skew_handle h = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.server_version = "consumer-1";
    cfg.hooks.send = on_send;
    memset(&req, 0, sizeof req);
    req.method = view("GET");
    req.path = view("/__skew/sse");
    req.header = header;
    CHECK(strcmp(skew_version(), SKEW_TRACKER_VERSION_STRING) == 0);
#if SKEW_TRACKER_VERSION_NUMBER < 100 /* what a user tests: 0.1.0 or newer */
    CHECK(!"SKEW_TRACKER_VERSION_NUMBER below 0.1.0");
#endif
    {
        char text[32];
        snprintf(text, sizeof text, "%d.%d.%d", SKEW_TRACKER_VERSION_MAJOR, SKEW_TRACKER_VERSION_MINOR,
                 SKEW_TRACKER_VERSION_PATCH);
        CHECK(strcmp(text, SKEW_TRACKER_VERSION_STRING) == 0);
        CHECK(SKEW_TRACKER_VERSION_NUMBER ==
              SKEW_TRACKER_VERSION_MAJOR * 10000 + SKEW_TRACKER_VERSION_MINOR * 100 + SKEW_TRACKER_VERSION_PATCH);
    }
    CHECK(skew_tracker_create(&t, &cfg) == SKEW_OK && t != NULL);
    if (!t) {
        printf("%d passed, %d failed\n", passed, failed);
        return 1;
    }
    CHECK(skew_route_request(t, &req) == SKEW_ENDPOINT_SSE);
    CHECK(skew_open(t, &req, NULL, &h) == SKEW_OK);
    CHECK(connected_sent == 1);
    CHECK(skew_get_total(t) == 1);
    CHECK(skew_close(t, h, SKEW_CLOSE_REASON_CLIENT) == SKEW_OK);
    CHECK(skew_get_total(t) == 0);
    skew_tracker_destroy(t);
    printf("skew_tracker %s: %d passed, %d failed\n", skew_version(), passed, failed);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
