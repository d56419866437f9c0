/* skew_defence.h - what the example servers' defences did, counted for /metrics.

   Each defence that refuses or ends a request bumps its counter with skew_ex_defence_bump (the
   server's skew_ex_server.defences); skew_ex_http appends the counters to every 200 answer of
   {base}/metrics in Prometheus text format, after the tracker's own series:

     skew_defence_cross_origin_refused_total   requests refused for their Origin / Sec-Fetch-Site
     skew_defence_per_ip_refused_total         connections refused by a per-IP limit
     skew_defence_slow_requests_reaped_total   requests closed for missing their deadline (a head
                                               not complete in time, a body below the minimum rate)
     skew_defence_framing_refused_total        requests refused for their framing (Content-Length
                                               and Transfer-Encoding both, differing or
                                               non-decimal Content-Length, chunked bodies, ...)
     skew_defence_relay_unavailable_total      cluster relays answered 503 (no instance reachable)

   Counters only grow (uint64_t: no wrap in practice); single-threaded like the servers. */
#ifndef SKEW_DEFENCE_H
#define SKEW_DEFENCE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum skew_ex_defence {
    SKEW_EX_DEFENCE_CROSS_ORIGIN = 0, /* a request refused for its Origin */
    SKEW_EX_DEFENCE_PER_IP,           /* a connection refused by a per-IP limit */
    SKEW_EX_DEFENCE_SLOW_REQUEST,     /* a request closed for missing its deadline */
    SKEW_EX_DEFENCE_FRAMING,          /* a request refused for its framing */
    SKEW_EX_DEFENCE_RELAY_503,        /* a cluster relay answered 503 */
    SKEW_EX_DEFENCE_COUNT
} skew_ex_defence;

typedef struct skew_ex_defences {
    uint64_t n[SKEW_EX_DEFENCE_COUNT];
} skew_ex_defences;

/* Count one more of what; an unknown what is ignored. */
void skew_ex_defence_bump(skew_ex_defences *d, skew_ex_defence what);
/* The counters as Prometheus text (# HELP, # TYPE and the value line for each); snprintf
   contract: returns the bytes needed, writes at most cap - 1 and a NUL when cap > 0. */
size_t skew_ex_defences_text(const skew_ex_defences *d, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif /* SKEW_DEFENCE_H */
