/* skcl_sentinel_parse.h - what the cluster link reads from Redis Sentinel, checked before use:
   the master's address (SENTINEL get-master-addr-by-name: ip, port) and the +switch-master
   message "<name> <old-ip> <old-port> <new-ip> <new-port>". Pure functions over bytes (no
   allocation, no libc state), fuzzed by fuzz/fuzz_sentinel.c. */
#ifndef SKCL_SENTINEL_PARSE_H
#define SKCL_SENTINEL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define SKCL_SENTINEL_HOST_MAX 255

/* An address as a sentinel names it: 1..255 of [0-9A-Za-z.:-] (IPv4, IPv6, a host name) and a
   decimal port 1..65535 (no sign, no leading zero, at most 5 digits). */
static inline bool skcl_sentinel_addr_ok(const char *ip, size_t iplen, const char *port, size_t plen, int *port_out) {
    size_t i;
    long v = 0;
    if (!ip || !port || iplen == 0 || iplen > SKCL_SENTINEL_HOST_MAX || plen == 0 || plen > 5 || port[0] == '0')
        return false;
    for (i = 0; i < iplen; i++) {
        char c = ip[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == ':' ||
              c == '-'))
            return false;
    }
    for (i = 0; i < plen; i++) {
        if (port[i] < '0' || port[i] > '9') return false;
        v = v * 10 + (port[i] - '0');
    }
    if (v < 1 || v > 65535) return false;
    *port_out = (int)v;
    return true;
}

/* +switch-master for master (mlen bytes): true and the new address (a view into p) when the
   message is exactly five single-space-separated tokens, the first one master's name. */
static inline bool skcl_switch_master_parse(const char *p, size_t n, const char *master, size_t mlen, const char **ip,
                                            size_t *iplen, int *port) {
    const char *tok[5];
    size_t len[5], k = 0, i = 0;
    if (!p || n == 0 || n > 600) return false;
    while (k < 5) {
        size_t j = i;
        while (j < n && p[j] != ' ') j++;
        if (j == i) return false; /* an empty token */
        tok[k] = p + i;
        len[k++] = j - i;
        if (j == n) break;
        i = j + 1;
        if (i == n) return false; /* a trailing space */
    }
    if (k != 5 || tok[4] + len[4] != p + n) return false;
    if (len[0] != mlen || memcmp(tok[0], master, mlen) != 0) return false;
    if (!skcl_sentinel_addr_ok(tok[3], len[3], tok[4], len[4], port)) return false;
    *ip = tok[3];
    *iplen = len[3];
    return true;
}

#endif /* SKCL_SENTINEL_PARSE_H */
