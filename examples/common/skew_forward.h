/* skew_forward.h - forward auth: ask the app whether a stats subscriber is one of its admins.

   With --auth-url http://HOST:PORT/PATH (HOST a loopback or private address literal, or
   localhost), a stats authorization that carries a Cookie or an Authorization header (and that
   nothing else granted) becomes a GET to that URL with those two headers; the app answers with
   its own session logic (nuxt-auth-utils' requireUserSession, a role check, ...):
     2xx                      authorized for stats ("X-Skew-Scope: admin" in the answer: admin too)
     anything else            not authorized
     no answer within 1 s,    not authorized, one log line
     a connection error
   Asynchronous: the tracker's subscription waits (SKEW_AUTH_RESULT_PENDING) while the loop runs on;
   skew_forward_poll (every server tick; the tick comes within SKEW_FORWARD_POLL_MS while a
   request is out) moves the requests with non-blocking sockets and delivers each verdict with
   skew_set_stats_verdict. Answers are cached by a SHA-256 of the two headers: yes for
   SKEW_FORWARD_TTL_OK_MS, no for SKEW_FORWARD_TTL_NO_MS, at most SKEW_FORWARD_CACHE entries.
   Admin endpoints cannot wait: for them only a cached "admin" answer counts. */
#ifndef SKEW_FORWARD_H
#define SKEW_FORWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "skew_tracker.h"
#include "skew_options.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SKEW_FORWARD_TIMEOUT_MS 1000u
#define SKEW_FORWARD_POLL_MS    2u     /* the loop's tick interval while a request is out */
#define SKEW_FORWARD_MAX_JOBS   64u    /* requests out at once; more are refused (logged) */
#define SKEW_FORWARD_CACHE      256u
#define SKEW_FORWARD_TTL_OK_MS  5000u
#define SKEW_FORWARD_TTL_NO_MS  2000u
#define SKEW_FORWARD_MAX_HEADER 8192u  /* a longer Cookie or Authorization is not forwarded */

typedef struct skew_forward_job skew_forward_job;

typedef struct skew_forward_entry {
    unsigned char key[32];
    uint64_t expires;   /* monotonic ms; 0: empty */
    bool ok, admin;
} skew_forward_entry;

typedef struct skew_forward {
    const char *url;                     /* --auth-url */
    /* parsed by the option group's finish */
    unsigned char addr[28];              /* struct sockaddr_in / _in6 */
    unsigned addr_len;
    char host[80];                       /* the Host header */
    const char *path;                    /* into url */
    skew_forward_job *jobs[SKEW_FORWARD_MAX_JOBS];
    size_t njobs;
    skew_forward_entry cache[SKEW_FORWARD_CACHE];
    void (*log)(void *ctx, const char *line);
    void *log_ctx;
    /* latency of finished requests (µs, start to verdict), for the bench */
    void (*on_done)(void *ctx, uint64_t us, bool ok);
    /* for /metrics (skew_forward_metrics_text) */
    uint64_t granted, refused, errors;        /* requests to the app and how they ended */
    uint64_t cache_hits;
    uint64_t latency_us_sum;                  /* of the finished ones (granted + refused + errors) */
    uint64_t latency_le[5];                   /* at most 1, 5, 25, 100, 1000 ms */
} skew_forward;

skew_ex_opt_group skew_forward_opt_group(skew_forward *f);
/* Parse url into f (false: *why says what is wrong). The option group's finish calls it. */
bool skew_forward_set_url(skew_forward *f, const char *url, const char **why);
bool skew_forward_enabled(const skew_forward *f);
/* From the authorize hook. Scope STATS: a cached answer, or a request started and PENDING
   (the subject from skew_get_auth_subject(t)). ADMIN: GRANTED for a cached admin answer, else
   UNAVAILABLE. UNAVAILABLE also without --auth-url or without Cookie and Authorization. DENIED
   when the request cannot start (too many out, a socket error: logged). mono_ms: monotonic. */
skew_auth_result skew_forward_ask(skew_forward *f, skew_tracker *t, const skew_request *req, skew_auth_scope scope,
                           uint64_t mono_ms);
/* Move every request on (never blocks) and deliver the finished ones' verdicts to t. */
void skew_forward_poll(skew_forward *f, skew_tracker *t, uint64_t mono_ms);
/* Is a request out (the loop should tick within SKEW_FORWARD_POLL_MS)? */
bool skew_forward_busy(const skew_forward *f);
/* The app's answer: head (len bytes, need not be NUL-terminated) from "HTTP/1.x NNN". *ok for
   a 2xx status, *admin for "X-Skew-Scope: admin" among its complete header lines (2xx only).
   false: not an HTTP/1.x status line. */
bool skew_forward_parse_answer(const char *head, size_t len, bool *ok, bool *admin);
/* The counters as Prometheus text: skew_forward_requests_total{result="granted|refused|error"},
   skew_forward_cache_hits_total and skew_forward_latency_seconds (a histogram); snprintf
   contract. Nothing without --auth-url. */
size_t skew_forward_metrics_text(const skew_forward *f, char *buf, size_t cap);
/* Close the requests still out (their connections keep waiting) and free them. */
void skew_forward_free(skew_forward *f);

#ifdef __cplusplus
}
#endif
#endif /* SKEW_FORWARD_H */
