/* skew_defence.c - the defence counters of /metrics. See skew_defence.h. */
#include "skew_defence.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    const char *help;
} skew_ex__defence_rows[SKEW_EX_DEFENCE_COUNT] = {
    {"skew_defence_cross_origin_refused_total", "Requests refused for their Origin or Sec-Fetch-Site."},
    {"skew_defence_per_ip_refused_total", "Connections refused by a per-IP limit."},
    {"skew_defence_slow_requests_reaped_total", "Requests closed for missing their deadline (slow head or body)."},
    {"skew_defence_framing_refused_total", "Requests refused for their framing (Content-Length, Transfer-Encoding)."},
    {"skew_defence_relay_unavailable_total", "Cluster relays answered 503."},
};

void skew_ex_defence_bump(skew_ex_defences *d, skew_ex_defence what) {
    if (d && (unsigned)what < SKEW_EX_DEFENCE_COUNT) d->n[what]++;
}

size_t skew_ex_defences_text(const skew_ex_defences *d, char *buf, size_t cap) {
    size_t used = 0, i;
    if (cap) buf[0] = '\0';
    for (i = 0; i < SKEW_EX_DEFENCE_COUNT; i++) {
        const char *name = skew_ex__defence_rows[i].name;
        unsigned long long v = d ? (unsigned long long)d->n[i] : 0;
        int n = snprintf(used < cap ? buf + used : NULL, used < cap ? cap - used : 0,
                         "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, skew_ex__defence_rows[i].help, name,
                         name, v);
        if (n < 0) return used;
        used += (size_t)n;
    }
    return used;
}
