/* The WebSocket message reader on a live tracker, plus the registry operations around it.
   Input: bytes 0-1 = tracker shape; then fields. A field whose first byte is 0x01..0x0A is an
   operation on connection (second byte % 8) with the rest as argument:
     01 open (SSE or WS by arg bit 0; the rest is the version cookie)   02 close
     03 skew_set_route                 04 skew_tick after (arg*37) ms    05 subscribe / unsubscribe
     06 skew_ws_message                07 make its send hook fail        08 skew_set_server_version
     09 skew_invalidate                0A skew_find with the rest as id
   Any other field is a WebSocket message to connection 0 (a WebSocket opened first).
   Invariants: skew_get_total equals the streams the harness saw opened and not closed (a message
   never opens or closes anything unless its reply fails); exactly "ping" or {"type":"ping"}
   gets one {"type":"pong"} and nothing else does; messages that are not one of the known types
   (as the independent JSON reader sees them) change nothing and send nothing; stale handles are
   refused; after every step the counts add up and every message sent was valid JSON. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"

static char arg[600];
static uint8_t typ[64];

/* Some live stream's send hook fails: any broadcast may close it. */
static int any_failing(void) {
    int k, f = 0;
    for (k = 0; k < FZ_MAX_CONNS; k++) f |= fz_e.conns[k].live && fz_e.conns[k].fail;
    return f;
}

static unsigned total_msgs(void) {
    unsigned n = 0;
    int k;
    for (k = 0; k < FZ_MAX_CONNS; k++) n += fz_e.conns[k].nmsg;
    return n;
}

static int type_is(skew_str m, const char *want) {
    size_t n = 0;
    return fz_json_get((const uint8_t *)m.ptr, m.len, "type", typ, sizeof typ, &n) == 1 && n == strlen(want) &&
           memcmp(typ, want, n) == 0;
}

static void message(skew_tracker *t, int k, skew_str m) {
    fz_conn *c = &fz_e.conns[k];
    skew_handle h = c->h;
    uint32_t total = skew_get_total(t);
    unsigned before = c->nmsg, all = total_msgs();
    int was_live = c->live, fails = c->fail, any_fail = any_failing();
    int ping = (m.len == 4 && memcmp(m.ptr, "ping", 4) == 0) || type_is(m, "ping");
    int known = ping || type_is(m, "subscribe-stats") || type_is(m, "unsubscribe-stats") || type_is(m, "route-update");
    skew_result r = skew_ws_message(t, h, skew_str_n(m.ptr, m.len));
    if (!was_live) {
        FZ_ASSERT(r == SKEW_ERR_STALE || r == SKEW_ERR_NOT_FOUND);
        FZ_ASSERT(skew_get_total(t) == total && total_msgs() == all);
        return;
    }
    if (!any_fail) FZ_ASSERT(skew_get_total(t) == total && c->live);
    if (ping) {
        FZ_ASSERT(c->nmsg == before + 1);
        FZ_ASSERT(c->last_len == 15 && memcmp(c->last, "{\"type\":\"pong\"}", 15) == 0);
        FZ_ASSERT(r == (fails ? SKEW_ERR_SEND : SKEW_OK));
    } else if (!known) {
        FZ_ASSERT(r == SKEW_ERR_INVALID);
        FZ_ASSERT(total_msgs() == all && skew_get_total(t) == total);
    } else if (c->nmsg > before) {
        FZ_ASSERT(!(c->last_len == 15 && memcmp(c->last, "{\"type\":\"pong\"}", 15) == 0));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz_in in;
    uint8_t f1, f2;
    skew_tracker *t;
    skew_config cfg;
    int more = 1, steps = 0;

    if (size > 8192) return 0;
    in.p = data;
    in.n = size;
    f1 = fz_byte(&in);
    f2 = fz_byte(&in);
    t = fz_tracker(f1, f2, &cfg);
    fz_open_browser(t, 0, 1, "route=%2Fhome", NULL);
    fz_open_browser(t, 1, 0, NULL, "v0");
    fz_check_tracker(t, 1);
    while (more && steps++ < 64) {
        skew_str fld = fz_field(&in, &more);
        uint8_t op = fld.len ? (uint8_t)fld.ptr[0] : 0;
        int k;
        skew_str rest;
        fz_conn *c;
        if (op < 1 || op > 10 || fld.len < 2) {
            message(t, 0, fld);
            fz_check_tracker(t, 0);
            continue;
        }
        k = (uint8_t)fld.ptr[1] % FZ_MAX_CONNS;
        c = &fz_e.conns[k];
        rest = skew_str_n(fld.ptr + 2, fld.len - 2);
        switch (op) {
        case 1:
            if (!c->live && rest.len && rest.len < sizeof arg) {
                uint32_t before = skew_get_total(t);
                skew_handle old = c->h;
                int failing = any_failing();
                memcpy(arg, rest.ptr + 1, rest.len - 1);
                arg[rest.len - 1] = '\0';
                c->nmsg = 0;
                c->fail = 0;
                if (fz_open_browser(t, k, rest.ptr[0] & 1, "route=/x%3Fq", arg)) {
                    if (!failing) FZ_ASSERT(skew_get_total(t) == before + 1);
                    FZ_ASSERT(c->h != old);
                    if (old) { /* the old handle of this harness slot stays dead */
                        skew_conn cc;
                        FZ_ASSERT(skew_get_conn(t, old, &cc) == SKEW_ERR_STALE);
                    }
                } else if (!failing) {
                    FZ_ASSERT(skew_get_total(t) == before);
                }
            }
            break;
        case 2: {
            int was = c->live;
            skew_result r = skew_close(t, c->h, SKEW_CLOSE_REASON_CLIENT);
            if (was) {
                FZ_ASSERT(r == SKEW_OK && !c->live);
            } else {
                FZ_ASSERT(r == SKEW_ERR_STALE || r == SKEW_ERR_NOT_FOUND);
            }
            break;
        }
        case 3: {
            int was = c->live;
            skew_result r = skew_set_route(t, c->h, rest);
            if (!was) FZ_ASSERT(r == SKEW_ERR_STALE || r == SKEW_ERR_NOT_FOUND);
            else FZ_ASSERT(r == SKEW_OK || r == SKEW_ERR_INVALID || r == SKEW_ERR_TOO_LONG);
            break;
        }
        case 4:
            fz_e.now += (uint64_t)(rest.len ? (uint8_t)rest.ptr[0] : 1) * 37u;
            if (rest.len > 1 && rest.ptr[1] == 'B') fz_e.now -= 5000; /* the clock steps back */
            (void)skew_tick(t, fz_e.now);
            break;
        case 5: {
            int was = c->live;
            skew_result r = (rest.len && rest.ptr[0] == 'u') ? skew_unsubscribe(t, c->h) : skew_subscribe(t, c->h, NULL);
            if (!was) FZ_ASSERT(r == SKEW_ERR_STALE || r == SKEW_ERR_NOT_FOUND);
            break;
        }
        case 6:
            message(t, k, rest);
            break;
        case 7:
            c->fail = 1;
            break;
        case 8: {
            skew_result r = skew_set_server_version(t, rest);
            FZ_ASSERT(r == SKEW_OK || r == SKEW_ERR_INVALID || r == SKEW_ERR_TOO_LONG);
            if (r == SKEW_OK) {
                skew_str v = skew_get_server_version(t);
                FZ_ASSERT(v.len == rest.len && memcmp(v.ptr, rest.ptr, v.len) == 0);
            }
            break;
        }
        case 9: {
            uint32_t n = 99;
            skew_result r = skew_invalidate(t, rest, &n);
            if (!cfg.route_tracking) FZ_ASSERT(r == SKEW_ERR_DISABLED);
            FZ_ASSERT(n <= FZ_MAX_CONNS);
            break;
        }
        default: {
            skew_handle h = 1;
            skew_result r = skew_find(t, rest, &h);
            if (r == SKEW_OK) {
                skew_conn cc;
                FZ_ASSERT(skew_get_conn(t, h, &cc) == SKEW_OK);
                FZ_ASSERT(rest.len == 36 && fz_name_eq(rest, cc.id));
            } else {
                FZ_ASSERT(h == 0 && (r == SKEW_ERR_INVALID || r == SKEW_ERR_NOT_FOUND));
            }
            break;
        }
        }
        fz_check_tracker(t, 0);
    }
    fz_check_tracker(t, 1);
    skew_close_all(t);
    FZ_ASSERT(skew_get_total(t) == 0);
    return 0;
}
