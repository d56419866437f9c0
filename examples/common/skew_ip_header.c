/* skew_ip_header.c - the --ip-header flag. See skew_ip_header.h. */
#include "skew_ip_header.h"

#include <string.h>

static bool skew_ex__ieq_n(const char *a, const char *b, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = (char)(x + 32);
        if (y >= 'A' && y <= 'Z') y = (char)(y + 32);
        if (x != y) return false;
    }
    return true;
}

bool skew_ex_ip_header_parse(const char *v, uint8_t *mask) {
    static const struct {
        const char *name;
        uint8_t bits;
    } names[] = {
        {"cf-connecting-ip", SKEW_IP_HDR_CF_CONNECTING_IP},
        {"x-forwarded-for", SKEW_IP_HDR_X_FORWARDED_FOR},
        {"x-real-ip", SKEW_IP_HDR_X_REAL_IP},
        {"forwarded", SKEW_IP_HDR_FORWARDED},
        {"all", SKEW_IP_HDR_CF_CONNECTING_IP | SKEW_IP_HDR_X_FORWARDED_FOR | SKEW_IP_HDR_X_REAL_IP |
                    SKEW_IP_HDR_FORWARDED},
    };
    uint8_t got = 0;
    const char *p = v;
    if (!v || !*v) return false;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p), i;
        bool known = false;
        while (len && (*p == ' ' || *p == '\t')) p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t')) len--;
        for (i = 0; i < sizeof names / sizeof names[0] && !known; i++) {
            if (strlen(names[i].name) == len && skew_ex__ieq_n(p, names[i].name, len)) {
                got = (uint8_t)(got | names[i].bits);
                known = true;
            }
        }
        if (!known) return false; /* an unknown or empty item */
        if (!end) break;
        p = end + 1;
    }
    *mask = (uint8_t)(*mask | got);
    return true;
}

static bool skew_ex__set_ip_header(void *ctx, const char *v, const char **why) {
    *why = "cf-connecting-ip, x-forwarded-for, x-real-ip, forwarded or all (a comma list)";
    return skew_ex_ip_header_parse(v, &((skew_ex_options *)ctx)->ip_headers);
}

static bool skew_ex__ip_header_finish(void *ctx, const char *prog) {
    skew_ex_options *o = (skew_ex_options *)ctx;
    (void)prog;
    if (o->ip_headers) o->ip_policy.headers = o->ip_headers;
    return true;
}

static const skew_ex_opt skew_ex__ip_header_opts[] = {
    {"--ip-header", "NAME[,NAME]",
     "the proxy headers a trusted proxy may name the client in:\n"
     "cf-connecting-ip, x-forwarded-for, x-real-ip, forwarded, all\n"
     "(default all, believed in that order); repeatable. Name only\n"
     "those your proxy always sets: the others are the client's to forge",
     skew_ex__set_ip_header},
};

skew_ex_opt_group skew_ex_ip_header_opt_group(skew_ex_options *o) {
    return SKEW_EX_OPT_GROUP("client addresses behind a proxy (with --trust-proxy)",
                             skew_ex__ip_header_opts, o, NULL, skew_ex__ip_header_finish);
}
