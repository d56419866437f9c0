/* Guard-page test for the IP parsers: every input is copied so that its last byte is the last
   byte before a PROT_NONE page, so reading even one byte past ptr+len crashes. Each input is
   run whole, as every prefix and as every suffix, through skew_ip_parse, skew_ip_parse_loose,
   skew_cidr_parse and skew_get_client_ip (as each proxy header). The result must also match a run
   over the same bytes followed by tempting junk, which catches over-reads that do not crash. */
#include "tests/guard_page.h"
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "tests/skew_test.h"

#include <stdio.h>
#include <string.h>

#if GUARD_PAGES

static const char *const corpus[] = {
    /* addresses, valid and not */
    "0.0.0.0", "1.2.3.4", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3.04", "1.2.3", "1.2.3.4.5", "1.2.3.",
    ".1.2.3", "1..2.3", "+1.2.3.4", "0x1.2.3.4", "1000.1.1.1", "255.255.255.2555", "16909060", "1.2.3.4%eth0",
    "::", "::1", "1::", "1::8", "2001:db8::1", "2001:DB8::1", "2001:0db8:0000:0000:0000:0000:0000:0001",
    "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "1::2::3", ":::", "::::", ":::1", ":1::", "1::2:", "12345::",
    "00000::1", "g::1", "::1.2.3.4", "64:ff9b::1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4",
    "::1.2.3.4:5", "::1.2.3", "::01.2.3.4", "::256.1.1.1", "1.2.3.4::", "::ffff:1.2.3.4", "::ffff:102:304",
    "0:0:0:0:0:ffff:1.2.3.4", "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe80::1%eth0", "fe80::1%", "fe80::1%eth 0", "fe80::1%eth0%1",
    "fe80::1%0123456789abcdef0123456789abcdef", "fe80::1%0123456789abcdef0123456789abcdef0", "%eth0",
    "::ffff:1.2.3.4%eth0",
    /* proxy spellings */
    "1.2.3.4:5678", "1.2.3.4:65535", "1.2.3.4:65536", "1.2.3.4:123456", "1.2.3.4:", "1.2.3.4:_abc",
    "1.2.3.4:_", "[::1]", "[::1]:80", "[2001:db8::1]:4711", "\"[2001:db8::1]:4711\"", "[::ffff:1.2.3.4]:80",
    "[fe80::1%eth0]:80", "[1.2.3.4]", "[::1", "[::1]:", "[::1]x", "[::1]:80:80", "[]", "[", "]", "\"",
    "\"\"", "\"1.2.3.4", "\"1.2.3.4\"", "  1.2.3.4\t", "unknown", "UnKnown", "unknown:80", "_hidden",
    "_hidden:_port", "_", "_a b", "_a!",
    /* CIDR */
    "0.0.0.0/0", "10.0.0.0/8", "10.1.2.3/8", "1.2.3.4/32", "1.2.3.4/33", "1.2.3.4/08", "1.2.3.4/",
    "1.2.3.4/8/8", "/8", "/", "::/0", "::1/128", "::1/129", "::1/0128", "2001:db8::/64", "fe80::%eth0/10",
    "fe80::/10%eth0", "::ffff:10.0.0.0/104", "::ffff:0:0/96", "::ffff:0:0/95",
    /* x-forwarded-for values */
    "6.6.6.6, 1.2.3.4", "1.2.3.4, 127.0.0.2", "1.2.3.4,,5.6.7.8", " , ,\t1.2.3.4 , ", ",,,", "1.2.3.4, garbage",
    "garbage, 1.2.3.4", "1.2.3.4, unknown", "\"6.6.6.6, 1.2.3.4", "1.2.3.4, \"6.6.6.6", "127.0.0.5, 127.0.0.6",
    "2001:db8::1, [::1]:80", "1.2.3.4 5.6.7.8",
    "5.5.5.5, 127.0.0.2, 127.0.0.3, 127.0.0.4, 127.0.0.5, 127.0.0.6, 127.0.0.7, 127.0.0.8, 127.0.0.9, "
    "127.0.0.10, 127.0.0.11, 127.0.0.12, 127.0.0.13, 127.0.0.14, 127.0.0.15, 127.0.0.16, 127.0.0.17",
    /* Forwarded values */
    "for=1.2.3.4", "For=1.2.3.4", "FOR=\"1.2.3.4:80\"", "for=\"[2001:db8::1]:4711\"", "for=[2001:db8::1]:4711",
    "for=1.2.3.4;proto=https;by=127.0.0.1, for=127.0.0.1", " for=1.2.3.4 ; proto=http ", "for=1.2.3.4;",
    "for=_hidden, for=1.2.3.4", "for=1.2.3.4;host=\"a,for=6.6.6.6\"", "for=1.2.3.4;host=\"a\\\",for=6.6.6.6\"",
    "for=1.2.3.4;x=\"a\\\\\\\"b,c\", for=127.0.0.2", "for=6.6.6.6, for=1.2.3.4;x=\"a\\\\\", for=127.0.0.2",
    "for=\", for=1.2.3.4", "for=\"[::1, for=\"1.2.3.4\"", "for=1.2.3.4;for=5.6.7.8", "proto=https", "for",
    "for=", "=1.2.3.4", "fo r=1.2.3.4", "for=1.2.3.4;proto", "for=\"1.2.3.4", "for=\"1.2.3.4\\\"\"",
    "for=\"::ffff:1.2.3.4\"",
    "for=5.5.5.5,for=127.0.0.2,for=127.0.0.3,for=127.0.0.4,for=127.0.0.5,for=127.0.0.6,for=127.0.0.7,"
    "for=127.0.0.8,for=127.0.0.9,for=127.0.0.10,for=127.0.0.11,for=127.0.0.12,for=127.0.0.13,for=127.0.0.14,"
    "for=127.0.0.15,for=127.0.0.16,for=127.0.0.17",
    /* separators, quotes and escapes in bulk */
    "\"\"\"\"\"\"\"", ",,,,,,,,,,", ";;;;;;;;", "[[[[[[", "]]]]]]", "::::::::::", "%%%%%%", "\\\\\\\\\\\\",
    "x=\"\\\\\\\\\\\\\\\\\"", "\"\\\"\\\"\\\"", "for=\"\\", "for=\"\\\\", "\\\"", "=====", "for=for=for=",
    "1.1.1.1%", "fe80::1%aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "1.2.3.4 ", " ", "\t",
};

static char *guard_page_end; /* first byte of the PROT_NONE page */

/* Copy n bytes so they end right at the guard page. */
static skew_str at_guard(const char *p, size_t n) {
    char *dst = guard_page_end - n;
    if (n) memcpy(dst, p, n);
    return skew_str_n(dst, n);
}

typedef struct one_header {
    const char *name;
    skew_str value;
} one_header;

static skew_str one_header_fn(void *ctx, const char *lowercase_name) {
    const one_header *h = (const one_header *)ctx;
    skew_str none = {NULL, 0};
    return strcmp(h->name, lowercase_name) == 0 ? h->value : none;
}

/* Everything the parsers say about one view, as a comparable record. */
typedef struct outcome {
    skew_result parse, loose, cidr, client[4][2];
    skew_ip ip, loose_ip, client_ip[4][2];
    skew_cidr range;
    skew_ip_source from[4][2];
} outcome;

static void run_all(skew_str v, outcome *o) {
    static const char *const names[4] = {"cf-connecting-ip", "x-forwarded-for", "x-real-ip", "forwarded"};
    skew_ip_policy pol[2];
    skew_request req;
    one_header h;
    int k, p;
    memset(o, 0, sizeof *o);
    memset(pol, 0, sizeof pol);
    pol[1].trust_all = true;
    pol[1].max_hops = UINT32_MAX;
    o->parse = skew_ip_parse(v, &o->ip);
    o->loose = skew_ip_parse_loose(v, &o->loose_ip);
    o->cidr = skew_cidr_parse(v, &o->range);
    memset(&req, 0, sizeof req);
    req.peer.family = 4;
    req.peer.bytes[0] = 127;
    req.peer.bytes[3] = 1;
    req.header = one_header_fn;
    req.header_ctx = &h;
    h.value = v;
    for (k = 0; k < 4; k++) {
        h.name = names[k];
        for (p = 0; p < 2; p++)
            o->client[k][p] = skew_get_client_ip(&pol[p], &req, &o->client_ip[k][p], &o->from[k][p]);
    }
}

static bool known_result(skew_result r) {
    return r == SKEW_OK || r == SKEW_ERR_INVALID || r == SKEW_ERR_NOT_FOUND;
}

/* Run one view at the guard page and again in a roomy buffer followed by junk that would change
   the answer if anything read it. */
static void check_view(const char *p, size_t n) {
    static const char *const junk[] = {"0", ":1", ".5", "]", "\"", "/8", ", 9.9.9.9", "%x"};
    static char roomy[1024];
    outcome guarded, plain;
    size_t j;
    int k;
    bool same = true;
    run_all(at_guard(p, n), &guarded);
    for (j = 0; j < sizeof junk / sizeof junk[0]; j++) {
        size_t jl = strlen(junk[j]);
        if (n + jl > sizeof roomy) continue;
        memcpy(roomy, p, n);
        memcpy(roomy + n, junk[j], jl);
        run_all(skew_str_n(roomy, n), &plain);
        for (k = 0; k < 4; k++)
            same = same && guarded.client[k][0] == plain.client[k][0] && guarded.client[k][1] == plain.client[k][1] &&
                   skew_ip_equal(&guarded.client_ip[k][0], &plain.client_ip[k][0]) &&
                   skew_ip_equal(&guarded.client_ip[k][1], &plain.client_ip[k][1]) &&
                   guarded.from[k][0] == plain.from[k][0] && guarded.from[k][1] == plain.from[k][1];
        same = same && guarded.parse == plain.parse && skew_ip_equal(&guarded.ip, &plain.ip) &&
               guarded.loose == plain.loose && skew_ip_equal(&guarded.loose_ip, &plain.loose_ip) &&
               guarded.cidr == plain.cidr && skew_ip_equal(&guarded.range.ip, &plain.range.ip) &&
               guarded.range.prefix == plain.range.prefix;
    }
    if (!same) fprintf(stderr, "  differs with junk after: \"%.*s\"\n", (int)n, p);
    /* one check per view: results are known codes, and bytes past len changed nothing */
    CHECK(known_result(guarded.parse) && known_result(guarded.loose) && known_result(guarded.cidr) && same);
}

int main(void) {
    size_t ps = 0, i, n, k;
    char *mem = guard_map(1, &ps);
    if (!mem) return 1;
    guard_page_end = guard_end(mem, ps, 0);
    for (i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
        const char *s = corpus[i];
        n = strlen(s);
        if (n >= ps) continue;
        for (k = 0; k <= n; k++) {
            check_view(s, k);          /* every prefix */
            check_view(s + k, n - k);  /* every suffix */
        }
    }
    /* one long header: the full scan runs up to the guard */
    {
        static char big[2048];
        size_t len = 0;
        while (len + 12 < sizeof big) {
            memcpy(big + len, "127.0.0.1, ", 11);
            len += 11;
        }
        memcpy(big + len, "1", 1);
        len += 1;
        check_view(big, len);
        check_view(big, len - 1);
    }
    guard_unmap(mem, ps, 1);
    TEST_MAIN_END();
}

#else
GUARD_PAGES_SKIPPED_MAIN
#endif
