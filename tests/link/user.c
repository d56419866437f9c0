/* Two-file link test, file 2: includes the header without the implementation and uses the
   public API, so every symbol it needs must come from impl.c with extern linkage (and, when
   this file is built as C++, with C linkage). Also built as C++ against a C impl.o. */
#include "skew_tracker.h"
#include "skew_tracker.h"

#include <stdio.h>
#include <string.h>

static skew_result on_send(void *ud, const skew_conn *c, const char *msg, size_t len) {
    (void)ud;
    (void)c;
    (void)msg;
    (void)len;
    return SKEW_OK;
}

static skew_str ua(void *ctx, const char *name) {
    skew_str s = {NULL, 0};
    (void)ctx;
    if (strcmp(name, "user-agent") == 0) {
        s.ptr = "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/121.0";
        s.len = strlen(s.ptr);
    }
    return s;
}

int main(void) {
    skew_config cfg;
    skew_tracker *t = NULL;
    skew_request req;
    skew_handle h = 0;
    char buf[256];
    int passed = 0, failed = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.hooks.send = on_send;
    if (skew_tracker_create(&t, &cfg) == SKEW_OK && t) passed++; else failed++;
    memset(&req, 0, sizeof req);
    req.method.ptr = "GET";
    req.method.len = 3;
    req.path.ptr = "/__skew/sse";
    req.path.len = 11;
    req.header = ua;
    if (t && skew_route_request(t, &req) == SKEW_ENDPOINT_SSE && skew_open(t, &req, NULL, &h) == SKEW_OK) passed++; else failed++;
    if (t && skew_get_total(t) == 1) passed++; else failed++;
    if (strcmp(skew_version(), SKEW_TRACKER_VERSION_STRING) == 0) passed++; else failed++;
    if (strcmp(skew_result_str(SKEW_ERR_FULL), "full") == 0) passed++; else failed++;
    {
        skew_str s;
        s.ptr = "a\"b";
        s.len = 3;
        if (skew_write_json_string(s, buf, sizeof buf) == 6 && strcmp(buf, "\"a\\\"b\"") == 0) passed++; else failed++;
    }
    {
        /* the cluster part links too (issue 11) */
        skew_tracker *c = NULL;
        skew_cluster_info info;
        skew_str snap;
        uint32_t tag = 0;
        cfg.instance_id = "link";
        cfg.instance_tag = 42;
        cfg.cluster_max_instances = 2;
        if (skew_tracker_create(&c, &cfg) == SKEW_OK && c) passed++; else failed++;
        snap.ptr = buf;
        snap.len = c ? skew_cluster_write_snapshot(c, 1, buf, sizeof buf) : 0;
        if (snap.len > 0 && snap.len < sizeof buf && skew_cluster_update(c, &snap, 1, 1) == SKEW_OK) passed++; else failed++;
        skew_cluster_get_info(c, &info);
        if (info.updates == 1 && info.rejected == 0) passed++; else failed++;
        snap.ptr = "0f0e0d0c-0b0a-4908-8706-05040300002a";
        snap.len = 36;
        if (skew_get_id_tag(snap, &tag) == SKEW_OK && tag == 42) passed++; else failed++;
        skew_tracker_destroy(c);
    }
    skew_tracker_destroy(t);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
