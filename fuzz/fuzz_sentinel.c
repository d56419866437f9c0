/* Sentinel replies and messages the cluster link reads (examples/common/skcl_sentinel_parse.h).
   Input: byte 0 = length k of a master name (mod 16), then k bytes of name, then the message;
   the same bytes also go through the address check as "ip port" split at the last space.
   Invariants: an accepted message has its address inside the input, 1..255 host bytes of the
   allowed set, a port 1..65535 that prints back to the same digits, and starts with the name
   and a space. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"
#include "examples/common/skcl_sentinel_parse.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *p = (const char *)data, *ip = NULL, *msg;
    size_t k, n, iplen = 0, i;
    int port = 0;
    char digits[8];
    if (size < 1) return 0;
    k = (size_t)(data[0] % 16);
    if (1 + k > size) return 0;
    msg = p + 1 + k;
    n = size - 1 - k;
    if (skcl_switch_master_parse(msg, n, p + 1, k, &ip, &iplen, &port)) {
        FZ_ASSERT(k > 0 && n > k && memcmp(msg, p + 1, k) == 0 && msg[k] == ' ');
        FZ_ASSERT(ip >= msg && ip + iplen <= msg + n && iplen >= 1 && iplen <= SKCL_SENTINEL_HOST_MAX);
        FZ_ASSERT(port >= 1 && port <= 65535);
        snprintf(digits, sizeof digits, "%d", port);
        FZ_ASSERT(strlen(digits) <= n && memcmp(msg + n - strlen(digits), digits, strlen(digits)) == 0);
        for (i = 0; i < iplen; i++) FZ_ASSERT(ip[i] != ' ' && ip[i] != '\0');
    }
    /* the reply of SENTINEL get-master-addr-by-name, as two strings */
    for (i = n; i > 0 && msg[i - 1] != ' '; i--) {
    }
    if (i > 0 && skcl_sentinel_addr_ok(msg, i - 1, msg + i, n - i, &port)) {
        FZ_ASSERT(i - 1 >= 1 && i - 1 <= SKCL_SENTINEL_HOST_MAX && port >= 1 && port <= 65535);
        snprintf(digits, sizeof digits, "%d", port);
        FZ_ASSERT(strlen(digits) == n - i && memcmp(msg + i, digits, n - i) == 0);
    }
    return 0;
}
