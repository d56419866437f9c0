/* Client-IP module: address parsing and RFC 5952 printing, CIDR ranges, the trusted-proxy
   policy, and skew_get_client_ip against every header and the spoofing attempts we know of. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "tests/skew_test.h"

#include <stdio.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------------------- */

static const char *fmt(const skew_ip *ip) {
    static char buf[SKEW_IP_STR_MAX];
    skew_ip_format(ip, buf, sizeof buf);
    return buf;
}

static skew_ip ipv(const char *text) {
    skew_ip ip;
    if (skew_ip_parse_loose(skew_str_c(text), &ip) != SKEW_OK) {
        fprintf(stderr, "test bug: bad address %s\n", text);
        memset(&ip, 0, sizeof ip);
    }
    return ip;
}

static bool tail_zero(const skew_ip *ip, size_t from) {
    size_t i;
    for (i = from; i < 16; i++)
        if (ip->bytes[i]) return false;
    return true;
}

/* A header table: name/value pairs, NULL-terminated; lookups by exact lowercase name. */
typedef struct mock_headers {
    const char *const *pairs;
} mock_headers;

static skew_str mock_header(void *ctx, const char *lowercase_name) {
    const mock_headers *m = (const mock_headers *)ctx;
    size_t i;
    skew_str none = {NULL, 0};
    for (i = 0; m->pairs && m->pairs[i]; i += 2)
        if (strcmp(m->pairs[i], lowercase_name) == 0) return skew_str_c(m->pairs[i + 1]);
    return none;
}

/* ---- skew_ip_parse ------------------------------------------------------------------- */

typedef struct parse_case {
    const char *in;
    skew_result res;
    int family;
    const char *out; /* canonical text when ok */
} parse_case;

static const parse_case parse_cases[] = {
    /* IPv4 */
    {"0.0.0.0", SKEW_OK, 4, "0.0.0.0"},
    {"1.2.3.4", SKEW_OK, 4, "1.2.3.4"},
    {"10.0.0.1", SKEW_OK, 4, "10.0.0.1"},
    {"255.255.255.255", SKEW_OK, 4, "255.255.255.255"},
    {"199.99.9.100", SKEW_OK, 4, "199.99.9.100"},
    {"256.1.1.1", SKEW_ERR_INVALID, 0, NULL},
    {"1.256.1.1", SKEW_ERR_INVALID, 0, NULL},
    {"1.1.1.256", SKEW_ERR_INVALID, 0, NULL},
    {"255.255.255.2555", SKEW_ERR_INVALID, 0, NULL},
    {"999.1.1.1", SKEW_ERR_INVALID, 0, NULL},
    {"1000.1.1.1", SKEW_ERR_INVALID, 0, NULL},
    {"01.2.3.4", SKEW_ERR_INVALID, 0, NULL},
    {"1.2.3.04", SKEW_ERR_INVALID, 0, NULL},
    {"1.2.3.00", SKEW_ERR_INVALID, 0, NULL},
    {"00.0.0.0", SKEW_ERR_INVALID, 0, NULL},
    {"0x1.2.3.4", SKEW_ERR_INVALID, 0, NULL},
    {"1.2.3", SKEW_ERR_INVALID, 0, NULL},
    {"1.2.3.4.5", SKEW_ERR_INVALID, 0, NULL},
    {"1.2.3.", SKEW_ERR_INVALID, 0, NULL},
    {".1.2.3", SKEW_ERR_INVALID, 0, NULL},
    {"1..2.3", SKEW_ERR_INVALID, 0, NULL},
    {"1.2.3.-4", SKEW_ERR_INVALID, 0, NULL},
    {"+1.2.3.4", SKEW_ERR_INVALID, 0, NULL},
    {"a.b.c.d", SKEW_ERR_INVALID, 0, NULL},
    {"16909060", SKEW_ERR_INVALID, 0, NULL},
    {" 1.2.3.4", SKEW_ERR_INVALID, 0, NULL},
    {"1.2.3.4 ", SKEW_ERR_INVALID, 0, NULL},
    {"1.2.3.4:80", SKEW_ERR_INVALID, 0, NULL},
    {"1.2.3.4/8", SKEW_ERR_INVALID, 0, NULL},
    {"1.2.3.4%eth0", SKEW_ERR_INVALID, 0, NULL},
    {"\"1.2.3.4\"", SKEW_ERR_INVALID, 0, NULL},
    {"", SKEW_ERR_INVALID, 0, NULL},
    /* IPv6 */
    {"::", SKEW_OK, 6, "::"},
    {"::1", SKEW_OK, 6, "::1"},
    {"1::", SKEW_OK, 6, "1::"},
    {"1::8", SKEW_OK, 6, "1::8"},
    {"2001:db8::1", SKEW_OK, 6, "2001:db8::1"},
    {"2001:DB8::1", SKEW_OK, 6, "2001:db8::1"},
    {"2001:0db8:0000:0000:0000:0000:0000:0001", SKEW_OK, 6, "2001:db8::1"},
    {"0000:0000:0000:0000:0000:0000:0000:0000", SKEW_OK, 6, "::"},
    {"1:2:3:4:5:6:7:8", SKEW_OK, 6, "1:2:3:4:5:6:7:8"},
    {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", SKEW_OK, 6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
    {"1:2:3:4:5:6:7::", SKEW_OK, 6, "1:2:3:4:5:6:7:0"},
    {"::2:3:4:5:6:7:8", SKEW_OK, 6, "0:2:3:4:5:6:7:8"},
    {"1:2:3::5:6:7:8", SKEW_OK, 6, "1:2:3:0:5:6:7:8"},
    {"1:2:3:4::5:6:7", SKEW_OK, 6, "1:2:3:4:0:5:6:7"},
    {"1:2:3:4:5:6:7:8:9", SKEW_ERR_INVALID, 0, NULL},
    {"1:2:3:4:5:6:7", SKEW_ERR_INVALID, 0, NULL},
    {"1:2:3:4:5:6:7:8::", SKEW_ERR_INVALID, 0, NULL},
    {"::1:2:3:4:5:6:7:8", SKEW_ERR_INVALID, 0, NULL},
    {"1:2:3:4::5:6:7:8", SKEW_ERR_INVALID, 0, NULL},
    {"1::2::3", SKEW_ERR_INVALID, 0, NULL},
    {"::1::", SKEW_ERR_INVALID, 0, NULL},
    {"1::2::", SKEW_ERR_INVALID, 0, NULL},
    {":::", SKEW_ERR_INVALID, 0, NULL},
    {"::::", SKEW_ERR_INVALID, 0, NULL},
    {":::1", SKEW_ERR_INVALID, 0, NULL},
    {"1:::2", SKEW_ERR_INVALID, 0, NULL},
    {":", SKEW_ERR_INVALID, 0, NULL},
    {":1::", SKEW_ERR_INVALID, 0, NULL},
    {"1::2:", SKEW_ERR_INVALID, 0, NULL},
    {":1:2:3:4:5:6:7:8", SKEW_ERR_INVALID, 0, NULL},
    {"1:2:3:4:5:6:7:8:", SKEW_ERR_INVALID, 0, NULL},
    {"12345::", SKEW_ERR_INVALID, 0, NULL},
    {"::12345", SKEW_ERR_INVALID, 0, NULL},
    {"00000::1", SKEW_ERR_INVALID, 0, NULL},
    {"1:2:3:4:5:6:7:12345", SKEW_ERR_INVALID, 0, NULL},
    {"g::1", SKEW_ERR_INVALID, 0, NULL},
    {"::1 ", SKEW_ERR_INVALID, 0, NULL},
    {" ::1", SKEW_ERR_INVALID, 0, NULL},
    {"[::1]", SKEW_ERR_INVALID, 0, NULL},
    {"::1/128", SKEW_ERR_INVALID, 0, NULL},
    {"::-1", SKEW_ERR_INVALID, 0, NULL},
    /* embedded IPv4 */
    {"::1.2.3.4", SKEW_OK, 6, "::102:304"},
    {"64:ff9b::1.2.3.4", SKEW_OK, 6, "64:ff9b::102:304"},
    {"1:2:3:4:5:6:1.2.3.4", SKEW_OK, 6, "1:2:3:4:5:6:102:304"},
    {"::1:2:3:4:5:1.2.3.4", SKEW_OK, 6, "0:1:2:3:4:5:102:304"},
    {"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", SKEW_OK, 6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
    {"1:2:3:4:5:6:7:1.2.3.4", SKEW_ERR_INVALID, 0, NULL},
    {"1:2:3:4:5:6::1.2.3.4", SKEW_ERR_INVALID, 0, NULL},
    {"::1.2.3.4:5", SKEW_ERR_INVALID, 0, NULL},
    {"::1.2.3", SKEW_ERR_INVALID, 0, NULL},
    {"::1.2.3.4.5", SKEW_ERR_INVALID, 0, NULL},
    {"::01.2.3.4", SKEW_ERR_INVALID, 0, NULL},
    {"::256.1.1.1", SKEW_ERR_INVALID, 0, NULL},
    {"1.2.3.4::", SKEW_ERR_INVALID, 0, NULL},
    {"::1.2.3.4::", SKEW_ERR_INVALID, 0, NULL},
    {"::ffff:1.2.3.4.", SKEW_ERR_INVALID, 0, NULL},
    /* IPv4-mapped: family 4, whatever the spelling */
    {"::ffff:1.2.3.4", SKEW_OK, 4, "1.2.3.4"},
    {"::FFFF:1.2.3.4", SKEW_OK, 4, "1.2.3.4"},
    {"::ffff:102:304", SKEW_OK, 4, "1.2.3.4"},
    {"0:0:0:0:0:ffff:1.2.3.4", SKEW_OK, 4, "1.2.3.4"},
    {"0000:0000:0000:0000:0000:ffff:7f00:0001", SKEW_OK, 4, "127.0.0.1"},
    {"::ffff:0:0", SKEW_OK, 4, "0.0.0.0"},
    {"::fffe:1.2.3.4", SKEW_OK, 6, "::fffe:102:304"},
    {"1::ffff:1.2.3.4", SKEW_OK, 6, "1::ffff:102:304"},
    /* zones are dropped */
    {"fe80::1%eth0", SKEW_OK, 6, "fe80::1"},
    {"fe80::1%25", SKEW_OK, 6, "fe80::1"},
    {"fe80::1%en0.100_a-b~", SKEW_OK, 6, "fe80::1"},
    {"::ffff:1.2.3.4%eth0", SKEW_OK, 4, "1.2.3.4"},
    {"fe80::1%0123456789abcdef0123456789abcdef", SKEW_OK, 6, "fe80::1"},
    {"fe80::1%0123456789abcdef0123456789abcdef0", SKEW_ERR_INVALID, 0, NULL},
    {"fe80::1%", SKEW_ERR_INVALID, 0, NULL},
    {"fe80::1%eth 0", SKEW_ERR_INVALID, 0, NULL},
    {"fe80::1%eth0%1", SKEW_ERR_INVALID, 0, NULL},
    {"fe80::1%eth,0", SKEW_ERR_INVALID, 0, NULL},
    {"%eth0", SKEW_ERR_INVALID, 0, NULL},
    {"fe80::%eth0", SKEW_OK, 6, "fe80::"},
};

static void test_parse(void) {
    size_t i;
    for (i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
        const parse_case *c = &parse_cases[i];
        skew_ip ip;
        skew_result r = skew_ip_parse(skew_str_c(c->in), &ip);
        if (r != c->res) fprintf(stderr, "  parse case \"%s\"\n", c->in);
        CHECK_RES(r, c->res);
        CHECK_EQ_INT(ip.family, c->family);
        if (c->res == SKEW_OK) {
            CHECK_STR(fmt(&ip), c->out);
            CHECK(tail_zero(&ip, ip.family == 4 ? 4 : 16));
        } else {
            CHECK(tail_zero(&ip, 0)); /* failure leaves a zero address */
        }
    }
    {
        /* length-bounded: bytes after len are never looked at, an embedded NUL is a byte */
        skew_ip ip;
        const char text[] = "1.2.3.45";
        const char nul[] = "1.2.3.4\0";
        CHECK_RES(skew_ip_parse(skew_str_n(text, 7), &ip), SKEW_OK);
        CHECK_STR(fmt(&ip), "1.2.3.4");
        CHECK_RES(skew_ip_parse(skew_str_n(nul, 8), &ip), SKEW_ERR_INVALID);
        CHECK_RES(skew_ip_parse(skew_str_n("::1", 2), &ip), SKEW_OK);
        CHECK_STR(fmt(&ip), "::");
        CHECK_RES(skew_ip_parse(skew_str_n(NULL, 0), &ip), SKEW_ERR_INVALID);
        CHECK_RES(skew_ip_parse(skew_str_n(NULL, 5), &ip), SKEW_ERR_INVALID);
        CHECK_RES(skew_ip_parse(skew_str_c("1.2.3.4"), NULL), SKEW_ERR_INVALID);
        /* binary layout */
        CHECK_RES(skew_ip_parse(skew_str_c("1.2.3.4"), &ip), SKEW_OK);
        CHECK(ip.family == 4 && ip.bytes[0] == 1 && ip.bytes[1] == 2 && ip.bytes[2] == 3 && ip.bytes[3] == 4);
        CHECK_RES(skew_ip_parse(skew_str_c("2001:db8::ff"), &ip), SKEW_OK);
        CHECK(ip.family == 6 && ip.bytes[0] == 0x20 && ip.bytes[1] == 0x01 && ip.bytes[2] == 0x0d &&
              ip.bytes[3] == 0xb8 && ip.bytes[14] == 0 && ip.bytes[15] == 0xff);
    }
}

/* ---- skew_ip_parse_loose ------------------------------------------------------------- */

static const parse_case loose_cases[] = {
    {"1.2.3.4", SKEW_OK, 4, "1.2.3.4"},
    {"  1.2.3.4\t", SKEW_OK, 4, "1.2.3.4"},
    {"1.2.3.4:5678", SKEW_OK, 4, "1.2.3.4"},
    {"1.2.3.4:0", SKEW_OK, 4, "1.2.3.4"},
    {"1.2.3.4:65535", SKEW_OK, 4, "1.2.3.4"},
    {"1.2.3.4:65536", SKEW_ERR_INVALID, 0, NULL},
    {"1.2.3.4:123456", SKEW_ERR_INVALID, 0, NULL},
    {"1.2.3.4:", SKEW_ERR_INVALID, 0, NULL},
    {"1.2.3.4:x", SKEW_ERR_INVALID, 0, NULL},
    {"1.2.3.4:_abc", SKEW_OK, 4, "1.2.3.4"},
    {"1.2.3.4:_", SKEW_ERR_INVALID, 0, NULL},
    {"1.2.3.4 :80", SKEW_ERR_INVALID, 0, NULL},
    {":80", SKEW_ERR_INVALID, 0, NULL},
    {"\"1.2.3.4\"", SKEW_OK, 4, "1.2.3.4"},
    {"\"1.2.3.4:80\"", SKEW_OK, 4, "1.2.3.4"},
    {"\"1.2.3.4", SKEW_ERR_INVALID, 0, NULL},
    {"1.2.3.4\"", SKEW_ERR_INVALID, 0, NULL},
    {"\"", SKEW_ERR_INVALID, 0, NULL},
    {"\"\"", SKEW_ERR_INVALID, 0, NULL},
    {"\" 1.2.3.4\"", SKEW_ERR_INVALID, 0, NULL},
    {"", SKEW_ERR_INVALID, 0, NULL},
    {"   ", SKEW_ERR_INVALID, 0, NULL},
    {"01.2.3.4", SKEW_ERR_INVALID, 0, NULL},
    {"[::1]", SKEW_OK, 6, "::1"},
    {"[::1]:80", SKEW_OK, 6, "::1"},
    {"[2001:db8::1]:4711", SKEW_OK, 6, "2001:db8::1"},
    {"\"[2001:db8::1]:4711\"", SKEW_OK, 6, "2001:db8::1"},
    {"[::ffff:1.2.3.4]:80", SKEW_OK, 4, "1.2.3.4"},
    {"[fe80::1%eth0]:80", SKEW_OK, 6, "fe80::1"},
    {"[1.2.3.4]", SKEW_ERR_INVALID, 0, NULL},
    {"[1.2.3.4]:80", SKEW_ERR_INVALID, 0, NULL},
    {"[::1", SKEW_ERR_INVALID, 0, NULL},
    {"[::1]:", SKEW_ERR_INVALID, 0, NULL},
    {"[::1]x", SKEW_ERR_INVALID, 0, NULL},
    {"[::1]:80:80", SKEW_ERR_INVALID, 0, NULL},
    {"[::1]]", SKEW_ERR_INVALID, 0, NULL},
    {"[]", SKEW_ERR_INVALID, 0, NULL},
    {"[", SKEW_ERR_INVALID, 0, NULL},
    {"2001:db8::1", SKEW_OK, 6, "2001:db8::1"},
    {"::ffff:1.2.3.4", SKEW_OK, 4, "1.2.3.4"},
    {"fe80::1%eth0", SKEW_OK, 6, "fe80::1"},
    {"unknown", SKEW_ERR_NOT_FOUND, 0, NULL},
    {"UnKnown", SKEW_ERR_NOT_FOUND, 0, NULL},
    {"unknown:80", SKEW_ERR_NOT_FOUND, 0, NULL},
    {"\"unknown\"", SKEW_ERR_NOT_FOUND, 0, NULL},
    {"_hidden", SKEW_ERR_NOT_FOUND, 0, NULL},
    {"_hidden:_port", SKEW_ERR_NOT_FOUND, 0, NULL},
    {"\"_gazonk\"", SKEW_ERR_NOT_FOUND, 0, NULL},
    {"_a.b-c_9", SKEW_ERR_NOT_FOUND, 0, NULL},
    {"_", SKEW_ERR_INVALID, 0, NULL},
    {"_a b", SKEW_ERR_INVALID, 0, NULL},
    {"_a!", SKEW_ERR_INVALID, 0, NULL},
    {"unknownx", SKEW_ERR_INVALID, 0, NULL},
    {"localhost", SKEW_ERR_INVALID, 0, NULL},
    {"1.2.3.4, 5.6.7.8", SKEW_ERR_INVALID, 0, NULL},
};

static void test_parse_loose(void) {
    size_t i;
    skew_ip ip;
    for (i = 0; i < sizeof loose_cases / sizeof loose_cases[0]; i++) {
        const parse_case *c = &loose_cases[i];
        skew_result r = skew_ip_parse_loose(skew_str_c(c->in), &ip);
        if (r != c->res) fprintf(stderr, "  loose case \"%s\"\n", c->in);
        CHECK_RES(r, c->res);
        CHECK_EQ_INT(ip.family, c->family);
        if (c->res == SKEW_OK) CHECK_STR(fmt(&ip), c->out);
    }
    CHECK_RES(skew_ip_parse_loose(skew_str_n(NULL, 0), &ip), SKEW_ERR_INVALID);
    CHECK_RES(skew_ip_parse_loose(skew_str_c("1.2.3.4"), NULL), SKEW_ERR_INVALID);
    /* the closing quote past len does not count */
    CHECK_RES(skew_ip_parse_loose(skew_str_n("\"1.2.3.4\"", 8), &ip), SKEW_ERR_INVALID);
    CHECK_RES(skew_ip_parse_loose(skew_str_n("[::1]:80", 4), &ip), SKEW_ERR_INVALID);
}

/* ---- skew_ip_format ------------------------------------------------------------------ */

static void test_format(void) {
    static const char *const rfc5952[][2] = {
        {"2001:db8:0:0:0:0:2:1", "2001:db8::2:1"},       /* 4.2.1 shorten as much as possible */
        {"2001:db8:0000:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"}, /* 4.2.2 one 0 group is not "::" */
        {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},         /* 4.2.3 longest run */
        {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},   /* 4.2.3 first run on a tie */
        {"2001:DB8::AbCd", "2001:db8::abcd"},            /* 4.3 lowercase */
        {"2001:0db8::0001", "2001:db8::1"},              /* 4.1 no leading zeros */
        {"0:0:0:0:0:0:0:0", "::"},
        {"1:0:0:0:0:0:0:0", "1::"},
        {"0:0:0:0:0:0:0:1", "::1"},
        {"1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0"},
        {"0:1:2:3:4:5:6:0", "0:1:2:3:4:5:6:0"},
        {"0:0:1:0:0:0:1:0", "0:0:1::1:0"},
        {"0:0:1:2:3:4:0:0", "::1:2:3:4:0:0"},
        {"1:2:0:0:3:4:0:0", "1:2::3:4:0:0"},
        {"2001:db8:0:0:0:0:0:0", "2001:db8::"},
        {"fe80:0:0:0:0:0:0:0", "fe80::"},
        {"0:0:0:0:0:1:0:0", "::1:0:0"},
        {"100:20:3:4:5:6:7:8", "100:20:3:4:5:6:7:8"},
        {"f:ff:fff:ffff:0:0:0:0", "f:ff:fff:ffff::"},
    };
    size_t i, n;
    char buf[64];
    skew_ip ip;
    for (i = 0; i < sizeof rfc5952 / sizeof rfc5952[0]; i++) {
        ip = ipv(rfc5952[i][0]);
        CHECK_EQ_INT(skew_ip_format(&ip, buf, sizeof buf), strlen(rfc5952[i][1]));
        CHECK_STR(buf, rfc5952[i][1]);
    }

    /* snprintf contract */
    ip = ipv("2001:db8::1");
    CHECK_EQ_INT(skew_ip_format(&ip, NULL, 0), 11);
    memset(buf, 'x', sizeof buf);
    CHECK_EQ_INT(skew_ip_format(&ip, buf, 0), 11);
    CHECK(buf[0] == 'x');
    CHECK_EQ_INT(skew_ip_format(&ip, buf, 1), 11);
    CHECK(buf[0] == '\0' && buf[1] == 'x');
    memset(buf, 'x', sizeof buf);
    CHECK_EQ_INT(skew_ip_format(&ip, buf, 5), 11);
    CHECK_STR(buf, "2001");
    CHECK(buf[5] == 'x');
    memset(buf, 'x', sizeof buf);
    CHECK_EQ_INT(skew_ip_format(&ip, buf, 11), 11);
    CHECK_STR(buf, "2001:db8::");
    CHECK(buf[11] == 'x');
    memset(buf, 'x', sizeof buf);
    CHECK_EQ_INT(skew_ip_format(&ip, buf, 12), 11);
    CHECK_STR(buf, "2001:db8::1");
    CHECK(buf[12] == 'x');

    /* every truncation of the longest texts of each family */
    {
        static const char *const longest[] = {"255.255.255.255", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                                              "1111:2222:3333:4444:5555:6666:7777:8888"};
        size_t k, cap;
        for (k = 0; k < 3; k++) {
            size_t len = strlen(longest[k]);
            ip = ipv(longest[k]);
            for (cap = 1; cap <= len + 1; cap++) {
                memset(buf, 'x', sizeof buf);
                n = skew_ip_format(&ip, buf, cap);
                CHECK(n == len && strlen(buf) == cap - 1 && memcmp(buf, longest[k], cap - 1) == 0 &&
                      buf[cap] == 'x');
            }
            CHECK(len + 1 <= SKEW_IP_STR_MAX);
        }
    }

    /* family 0, unknown families, NULL: "" */
    memset(&ip, 0, sizeof ip);
    memset(buf, 'x', sizeof buf);
    CHECK_EQ_INT(skew_ip_format(&ip, buf, sizeof buf), 0);
    CHECK_STR(buf, "");
    ip.family = 5;
    CHECK_EQ_INT(skew_ip_format(&ip, buf, sizeof buf), 0);
    CHECK_STR(buf, "");
    CHECK_EQ_INT(skew_ip_format(NULL, buf, sizeof buf), 0);
    CHECK_STR(buf, "");
    CHECK_EQ_INT(skew_ip_format(&ip, NULL, 0), 0);

    /* a mapped address handed in as raw family 6 (sin6_addr copied verbatim) prints as IPv4,
       and junk in the unused bytes of a family-4 address is ignored */
    memset(&ip, 0, sizeof ip);
    ip.family = 6;
    ip.bytes[10] = 0xff;
    ip.bytes[11] = 0xff;
    ip.bytes[12] = 10;
    ip.bytes[15] = 7;
    CHECK_STR(fmt(&ip), "10.0.0.7");
    {
        skew_ip v4 = ipv("10.0.0.7"), junk = v4;
        junk.bytes[9] = 0x55;
        CHECK(skew_ip_equal(&ip, &v4));
        CHECK(skew_ip_equal(&junk, &v4));
        CHECK_STR(fmt(&junk), "10.0.0.7");
        CHECK(!skew_ip_equal(&v4, NULL));
        CHECK(!skew_ip_equal(NULL, NULL));
        junk = ipv("10.0.0.8");
        CHECK(!skew_ip_equal(&junk, &v4));
        junk = ipv("::a00:7"); /* same low bytes, other family */
        CHECK(!skew_ip_equal(&junk, &v4));
    }
}

/* ---- CIDR ---------------------------------------------------------------------------- */

typedef struct cidr_case {
    const char *in;
    skew_result res;
    const char *net; /* network address after masking */
    int prefix;
} cidr_case;

static const cidr_case cidr_cases[] = {
    {"0.0.0.0/0", SKEW_OK, "0.0.0.0", 0},
    {"10.0.0.0/8", SKEW_OK, "10.0.0.0", 8},
    {"10.1.2.3/8", SKEW_OK, "10.0.0.0", 8},
    {"11.0.0.0/7", SKEW_OK, "10.0.0.0", 7},
    {"192.168.1.255/23", SKEW_OK, "192.168.0.0", 23},
    {"1.2.3.4/32", SKEW_OK, "1.2.3.4", 32},
    {"1.2.3.4", SKEW_OK, "1.2.3.4", 32},
    {"255.255.255.255/1", SKEW_OK, "128.0.0.0", 1},
    {"1.2.3.4/33", SKEW_ERR_INVALID, NULL, 0},
    {"1.2.3.4/100", SKEW_ERR_INVALID, NULL, 0},
    {"1.2.3.4/1000", SKEW_ERR_INVALID, NULL, 0},
    {"1.2.3.4/08", SKEW_ERR_INVALID, NULL, 0},
    {"1.2.3.4/00", SKEW_ERR_INVALID, NULL, 0},
    {"1.2.3.4/", SKEW_ERR_INVALID, NULL, 0},
    {"1.2.3.4/-1", SKEW_ERR_INVALID, NULL, 0},
    {"1.2.3.4/+8", SKEW_ERR_INVALID, NULL, 0},
    {"1.2.3.4/ 8", SKEW_ERR_INVALID, NULL, 0},
    {"1.2.3.4/8 ", SKEW_ERR_INVALID, NULL, 0},
    {"1.2.3.4/8/8", SKEW_ERR_INVALID, NULL, 0},
    {"1.2.3.4/x", SKEW_ERR_INVALID, NULL, 0},
    {"/8", SKEW_ERR_INVALID, NULL, 0},
    {"/", SKEW_ERR_INVALID, NULL, 0},
    {"", SKEW_ERR_INVALID, NULL, 0},
    {"256.0.0.0/8", SKEW_ERR_INVALID, NULL, 0},
    {"1.2.3.4:80/32", SKEW_ERR_INVALID, NULL, 0},
    {"::/0", SKEW_OK, "::", 0},
    {"::1/128", SKEW_OK, "::1", 128},
    {"::1", SKEW_OK, "::1", 128},
    {"2001:db8::/32", SKEW_OK, "2001:db8::", 32},
    {"2001:db8:1:2:3:4:5:6/64", SKEW_OK, "2001:db8:1:2::", 64},
    {"2001:db8::1/33", SKEW_OK, "2001:db8::", 33},
    {"ffff::/1", SKEW_OK, "8000::", 1},
    {"fe80::%eth0/10", SKEW_OK, "fe80::", 10},
    {"::1/129", SKEW_ERR_INVALID, NULL, 0},
    {"::1/0128", SKEW_ERR_INVALID, NULL, 0},
    {"[::1]/128", SKEW_ERR_INVALID, NULL, 0},
    {"fe80::/10%eth0", SKEW_ERR_INVALID, NULL, 0},
    /* IPv4-mapped ranges become IPv4 ranges */
    {"::ffff:10.0.0.0/104", SKEW_OK, "10.0.0.0", 8},
    {"::ffff:0:0/96", SKEW_OK, "0.0.0.0", 0},
    {"::ffff:1.2.3.4", SKEW_OK, "1.2.3.4", 32},
    {"::ffff:1.2.3.4/128", SKEW_OK, "1.2.3.4", 32},
    {"::ffff:0:0/95", SKEW_ERR_INVALID, NULL, 0},
    {"::ffff:1.2.3.4/129", SKEW_ERR_INVALID, NULL, 0},
};

typedef struct contains_case {
    const char *cidr, *ip;
    bool in;
} contains_case;

static const contains_case contains_cases[] = {
    {"0.0.0.0/0", "1.2.3.4", true},
    {"0.0.0.0/0", "0.0.0.0", true},
    {"0.0.0.0/0", "255.255.255.255", true},
    {"0.0.0.0/0", "::1", false},
    {"0.0.0.0/0", "::", false},
    {"0.0.0.0/0", "::ffff:1.2.3.4", true},
    {"10.0.0.0/8", "10.0.0.0", true},
    {"10.0.0.0/8", "10.255.255.255", true},
    {"10.0.0.0/8", "11.0.0.0", false},
    {"10.0.0.0/8", "9.255.255.255", false},
    {"10.0.0.0/8", "::ffff:10.1.1.1", true},
    {"10.0.0.0/8", "::a01:101", false},
    {"10.0.0.0/7", "11.255.0.0", true},
    {"10.0.0.0/7", "12.0.0.0", false},
    {"192.168.0.0/23", "192.168.1.255", true},
    {"192.168.0.0/23", "192.168.2.0", false},
    {"1.2.3.4/32", "1.2.3.4", true},
    {"1.2.3.4/32", "1.2.3.5", false},
    {"1.2.3.4/31", "1.2.3.5", true},
    {"::/0", "::", true},
    {"::/0", "2001:db8::1", true},
    {"::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true},
    {"::/0", "1.2.3.4", false},
    {"::/0", "::ffff:1.2.3.4", false},
    {"2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffff", true},
    {"2001:db8::/64", "2001:db8:0:1::", false},
    {"2001:db8::/33", "2001:db8:7fff::", true},
    {"2001:db8::/33", "2001:db8:8000::", false},
    {"::1/128", "::1", true},
    {"::1/128", "::2", false},
    {"::1/128", "0.0.0.1", false},
    {"::ffff:0:0/96", "8.8.8.8", true},
    {"::ffff:0:0/96", "2001:db8::1", false},
};

static void test_cidr(void) {
    size_t i;
    skew_cidr c;
    skew_ip ip;
    for (i = 0; i < sizeof cidr_cases / sizeof cidr_cases[0]; i++) {
        const cidr_case *k = &cidr_cases[i];
        skew_result r = skew_cidr_parse(skew_str_c(k->in), &c);
        if (r != k->res) fprintf(stderr, "  cidr case \"%s\"\n", k->in);
        CHECK_RES(r, k->res);
        if (k->res == SKEW_OK) {
            CHECK_STR(fmt(&c.ip), k->net);
            CHECK_EQ_INT(c.prefix, k->prefix);
        } else {
            CHECK(c.ip.family == 0 && c.prefix == 0);
        }
    }
    for (i = 0; i < sizeof contains_cases / sizeof contains_cases[0]; i++) {
        const contains_case *k = &contains_cases[i];
        bool got;
        CHECK_RES(skew_cidr_parse(skew_str_c(k->cidr), &c), SKEW_OK);
        ip = ipv(k->ip);
        got = skew_cidr_contains(&c, &ip);
        if (got != k->in) fprintf(stderr, "  contains case %s in %s\n", k->ip, k->cidr);
        CHECK(got == k->in);
    }
    CHECK_RES(skew_cidr_parse(skew_str_n(NULL, 0), &c), SKEW_ERR_INVALID);
    CHECK_RES(skew_cidr_parse(skew_str_c("::1"), NULL), SKEW_ERR_INVALID);
    CHECK_RES(skew_cidr_parse(skew_str_n("10.0.0.0/8", 9), &c), SKEW_ERR_INVALID); /* "10.0.0.0/" */
}

static void test_cidr_edges(void) {
    skew_cidr c;
    skew_ip ip = ipv("1.2.3.4"), none;
    /* only the first len bytes count */
    CHECK_RES(skew_cidr_parse(skew_str_n("10.0.0.0/8", 10), &c), SKEW_OK);
    CHECK_RES(skew_cidr_parse(skew_str_n("10.0.0.0/16", 10), &c), SKEW_OK);
    CHECK_EQ_INT(c.prefix, 1);
    CHECK_RES(skew_cidr_parse(skew_str_n("10.0.0.0/8", 8), &c), SKEW_OK);
    CHECK_EQ_INT(c.prefix, 32);
    /* hand-built ranges: an out-of-range prefix or family 0 contains nothing */
    memset(&c, 0, sizeof c);
    CHECK(!skew_cidr_contains(&c, &ip));
    memset(&none, 0, sizeof none);
    CHECK(!skew_cidr_contains(&c, &none));
    c.ip = ipv("0.0.0.0");
    c.prefix = 33;
    CHECK(!skew_cidr_contains(&c, &ip));
    c.prefix = 0;
    CHECK(skew_cidr_contains(&c, &ip));
    CHECK(!skew_cidr_contains(&c, &none));
    CHECK(!skew_cidr_contains(NULL, &ip));
    CHECK(!skew_cidr_contains(&c, NULL));
    c.ip = ipv("::");
    c.prefix = 129;
    CHECK(!skew_cidr_contains(&c, &ip));
    /* a hand-built raw mapped range (family 6, ::ffff:10.0.0.0/104) behaves as 10.0.0.0/8 */
    memset(&c, 0, sizeof c);
    c.ip.family = 6;
    c.ip.bytes[10] = 0xff;
    c.ip.bytes[11] = 0xff;
    c.ip.bytes[12] = 10;
    c.prefix = 104;
    ip = ipv("10.9.8.7");
    CHECK(skew_cidr_contains(&c, &ip));
    ip = ipv("11.9.8.7");
    CHECK(!skew_cidr_contains(&c, &ip));
    c.prefix = 90;
    CHECK(!skew_cidr_contains(&c, &ip));
}

/* ---- policy -------------------------------------------------------------------------- */

static void test_policy(void) {
    skew_ip_policy p;
    skew_ip ip;
    memset(&p, 0, sizeof p);
    /* zero policy: loopback only */
    ip = ipv("127.0.0.1");
    CHECK(skew_ip_policy_trusts(&p, &ip));
    CHECK(skew_ip_policy_trusts(NULL, &ip));
    ip = ipv("127.255.255.254");
    CHECK(skew_ip_policy_trusts(&p, &ip));
    ip = ipv("128.0.0.1");
    CHECK(!skew_ip_policy_trusts(&p, &ip));
    ip = ipv("126.255.255.255");
    CHECK(!skew_ip_policy_trusts(&p, &ip));
    ip = ipv("::1");
    CHECK(skew_ip_policy_trusts(&p, &ip));
    ip = ipv("::2");
    CHECK(!skew_ip_policy_trusts(&p, &ip));
    ip = ipv("::");
    CHECK(!skew_ip_policy_trusts(&p, &ip));
    ip = ipv("::ffff:127.0.0.1");
    CHECK(ip.family == 4 && skew_ip_policy_trusts(&p, &ip));
    ip = ipv("::127.0.0.1"); /* IPv4-compatible is not loopback */
    CHECK(!skew_ip_policy_trusts(&p, &ip));
    ip = ipv("10.0.0.1");
    CHECK(!skew_ip_policy_trusts(&p, &ip));
    memset(&ip, 0, sizeof ip);
    CHECK(!skew_ip_policy_trusts(&p, &ip));
    CHECK(!skew_ip_policy_trusts(&p, NULL));
    /* raw mapped loopback peer */
    ip.family = 6;
    ip.bytes[10] = 0xff;
    ip.bytes[11] = 0xff;
    ip.bytes[12] = 127;
    ip.bytes[15] = 1;
    CHECK(skew_ip_policy_trusts(&p, &ip));

    /* trust_all: every peer, even an unknown one */
    p.trust_all = true;
    ip = ipv("8.8.8.8");
    CHECK(skew_ip_policy_trusts(&p, &ip));
    memset(&ip, 0, sizeof ip);
    CHECK(skew_ip_policy_trusts(&p, &ip));
    /* trust_none wins, even over trust_all */
    p.trust_none = true;
    ip = ipv("127.0.0.1");
    CHECK(!skew_ip_policy_trusts(&p, &ip));
    p.trust_all = false;
    CHECK(!skew_ip_policy_trusts(&p, &ip));

    /* a custom list replaces loopback */
    memset(&p, 0, sizeof p);
    CHECK_RES(skew_cidr_parse(skew_str_c("10.0.0.0/8"), &p.trusted[0]), SKEW_OK);
    CHECK_RES(skew_cidr_parse(skew_str_c("2001:db8::/32"), &p.trusted[1]), SKEW_OK);
    p.trusted_count = 2;
    ip = ipv("10.1.2.3");
    CHECK(skew_ip_policy_trusts(&p, &ip));
    ip = ipv("::ffff:10.1.2.3");
    CHECK(skew_ip_policy_trusts(&p, &ip));
    ip = ipv("2001:db8:ffff::1");
    CHECK(skew_ip_policy_trusts(&p, &ip));
    ip = ipv("127.0.0.1");
    CHECK(!skew_ip_policy_trusts(&p, &ip));
    ip = ipv("::1");
    CHECK(!skew_ip_policy_trusts(&p, &ip));
    ip = ipv("11.0.0.1");
    CHECK(!skew_ip_policy_trusts(&p, &ip));
    /* the last slot counts; a count past the array is clamped, not read beyond */
    memset(&p, 0, sizeof p);
    CHECK_RES(skew_cidr_parse(skew_str_c("192.0.2.0/24"), &p.trusted[SKEW_MAX_TRUSTED_PROXIES - 1]), SKEW_OK);
    p.trusted_count = SKEW_MAX_TRUSTED_PROXIES;
    ip = ipv("192.0.2.9");
    CHECK(skew_ip_policy_trusts(&p, &ip));
    p.trusted_count = (size_t)-1;
    CHECK(skew_ip_policy_trusts(&p, &ip));
    ip = ipv("127.0.0.1");
    CHECK(!skew_ip_policy_trusts(&p, &ip));
}

/* ---- skew_get_client_ip ------------------------------------------------------------------ */

enum { P_ZERO, P_NULL, P_ALL, P_NONE, P_CUSTOM, P_HOPS1, P_HOPS2 };

typedef struct client_case {
    int line;
    int policy;
    const char *peer;  /* "" = unknown */
    const char *want;  /* "" = SKEW_ERR_NOT_FOUND */
    skew_ip_source from;
    const char *headers[9]; /* name, value, ..., NULL */
} client_case;

#define XFF "x-forwarded-for"
#define FWD "forwarded"
#define CF "cf-connecting-ip"
#define XRI "x-real-ip"
#define L __LINE__

static const client_case client_cases[] = {
    /* no headers: the peer */
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {NULL}},
    {L, P_ZERO, "8.8.8.8", "8.8.8.8", SKEW_IP_SOURCE_PEER, {NULL}},
    {L, P_ZERO, "", "", SKEW_IP_SOURCE_NONE, {NULL}},
    {L, P_ZERO, "", "", SKEW_IP_SOURCE_NONE, {XFF, "1.2.3.4", NULL}}, /* unknown peer is not trusted */
    {L, P_ALL, "", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "1.2.3.4", NULL}},
    {L, P_ALL, "", "", SKEW_IP_SOURCE_NONE, {XFF, "garbage", NULL}},
    /* x-forwarded-for */
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "1.2.3.4", NULL}},
    {L, P_NULL, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "6.6.6.6, 1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "6.6.6.6, 1.2.3.4, 127.0.0.2", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "1.2.3.4,127.0.0.2,::1", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.5", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "127.0.0.5, 127.0.0.6", NULL}},
    {L, P_ZERO, "127.0.0.1", "::1", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "::1", NULL}},
    {L, P_ZERO, "127.0.0.1", "5.6.7.8", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "1.2.3.4,,5.6.7.8", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "1.2.3.4,, 127.0.0.1", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, " , ,\t1.2.3.4 , ", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {XFF, ",,,", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {XFF, "", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {XFF, "  ", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "1.2.3.4:5678", NULL}},
    {L, P_ZERO, "127.0.0.1", "2001:db8::1", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "2001:db8::1, [::1]:80", NULL}},
    {L, P_ZERO, "127.0.0.1", "2001:db8::1", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "[2001:DB8:0::1]:443", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "\"1.2.3.4\"", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "::ffff:1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "1.2.3.4, ::ffff:127.0.0.9", NULL}},
    {L, P_ZERO, "127.0.0.1", "fe80::1", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "fe80::1%eth0", NULL}},
    /* spoofing: the client writes its own XFF, the trusted proxy appends the real address */
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "127.0.0.1, 1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "unknown, 1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "garbage, 1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "\"6.6.6.6, 1.2.3.4", NULL}},
    /* garbage on the walk stops it: the header yields nothing, the next source answers */
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {XFF, "1.2.3.4, garbage", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {XFF, "1.2.3.4, 127.0.0.2, 01.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {XFF, "1.2.3.4, 256.0.0.1", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {XFF, "1.2.3.4, unknown", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {XFF, "1.2.3.4, _hidden, 127.0.0.1", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {XFF, "1.2.3.4 5.6.7.8", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {XFF, "1.2.3.4, \"6.6.6.6", NULL}},
    {L, P_ZERO, "127.0.0.1", "9.9.9.9", SKEW_IP_SOURCE_X_REAL_IP, {XFF, "1.2.3.4, garbage", XRI, "9.9.9.9", NULL}},
    {L, P_ZERO, "127.0.0.1", "7.7.7.7", SKEW_IP_SOURCE_FORWARDED, {XFF, "x", FWD, "for=7.7.7.7", NULL}},
    /* untrusted peers: every header ignored */
    {L, P_ZERO, "8.8.8.8", "8.8.8.8", SKEW_IP_SOURCE_PEER,
     {CF, "5.5.5.5", XFF, "1.2.3.4", XRI, "9.9.9.9", FWD, "for=7.7.7.7"}},
    {L, P_ZERO, "::2", "::2", SKEW_IP_SOURCE_PEER, {XFF, "1.2.3.4", NULL}},
    {L, P_ZERO, "10.0.0.1", "10.0.0.1", SKEW_IP_SOURCE_PEER, {XFF, "1.2.3.4", NULL}},
    /* cf-connecting-ip first, then x-forwarded-for, x-real-ip, Forwarded */
    {L, P_ZERO, "127.0.0.1", "5.5.5.5", SKEW_IP_SOURCE_CF_CONNECTING_IP,
     {FWD, "for=7.7.7.7", XRI, "9.9.9.9", XFF, "1.2.3.4", CF, "5.5.5.5"}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR,
     {FWD, "for=7.7.7.7", XRI, "9.9.9.9", XFF, "1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "9.9.9.9", SKEW_IP_SOURCE_X_REAL_IP, {FWD, "for=7.7.7.7", XRI, "9.9.9.9", NULL}},
    {L, P_ZERO, "127.0.0.1", "2001:db8::5", SKEW_IP_SOURCE_CF_CONNECTING_IP, {CF, " 2001:db8::5 ", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {CF, "nope", XFF, "1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {CF, "unknown", XFF, "1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {CF, "5.5.5.5, 6.6.6.6", XFF, "1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {CF, "", XFF, "1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "9.9.9.9", SKEW_IP_SOURCE_X_REAL_IP, {XRI, "9.9.9.9:443", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {XRI, "9.9.9.9, 8.8.8.8", NULL}},
    {L, P_ZERO, "127.0.0.1", "7.7.7.7", SKEW_IP_SOURCE_FORWARDED, {XRI, "_hidden", FWD, "for=7.7.7.7", NULL}},
    /* Forwarded (RFC 7239) */
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED, {FWD, "for=1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED, {FWD, "For=1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED, {FWD, "FOR=\"1.2.3.4:80\"", NULL}},
    {L, P_ZERO, "127.0.0.1", "2001:db8::1", SKEW_IP_SOURCE_FORWARDED, {FWD, "for=\"[2001:db8::1]:4711\"", NULL}},
    {L, P_ZERO, "127.0.0.1", "2001:db8::1", SKEW_IP_SOURCE_FORWARDED, {FWD, "for=\"[2001:db8::1]\"", NULL}},
    {L, P_ZERO, "127.0.0.1", "2001:db8::1", SKEW_IP_SOURCE_FORWARDED, {FWD, "for=[2001:db8::1]:4711", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED, {FWD, "for=\"::ffff:1.2.3.4\"", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED,
     {FWD, "for=1.2.3.4;proto=https;by=127.0.0.1, for=127.0.0.1", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED, {FWD, "proto=http;for=1.2.3.4;host=example.com", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED, {FWD, " for=1.2.3.4 ; proto=http ", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED, {FWD, "for=1.2.3.4;", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED, {FWD, "for=6.6.6.6, for=1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED, {FWD, "for=6.6.6.6,,for=1.2.3.4,", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED, {FWD, "for=_hidden, for=1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED, {FWD, "for=1.2.3.4, for=\"[::1]:8080\"", NULL}},
    /* quoted separators do not split elements or pairs */
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED, {FWD, "for=1.2.3.4;host=\"a,for=6.6.6.6\"", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED,
     {FWD, "for=1.2.3.4;host=\"a\\\",for=6.6.6.6\"", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED, {FWD, "for=1.2.3.4;host=\"a;for=6.6.6.6\"", NULL}},
    /* Forwarded elements that name no address: nothing believed */
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {FWD, "for=_hidden", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {FWD, "for=unknown", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {FWD, "for=1.2.3.4, for=_hidden", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {FWD, "for=1.2.3.4, proto=https", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {FWD, "proto=https", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {FWD, "for=1.2.3.4;for=5.6.7.8", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {FWD, "for=1.2.3.4;For=1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {FWD, "1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {FWD, "for", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {FWD, "for=", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {FWD, "=1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {FWD, "fo r=1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {FWD, "for=1.2.3.4;proto", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {FWD, "for=\"1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {FWD, "for=\"[2001:db8::1\"", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {FWD, "for=1.2.3.4, for=\"6.6.6.6", NULL}},
    {L, P_ZERO, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {FWD, "for=\"1.2.3.4\\\"\"", NULL}},
    /* a client's unterminated quote must not swallow what the proxy appended right of it */
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED, {FWD, "for=\", for=1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED, {FWD, "for=6.6.6.6;x=\", for=1.2.3.4", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED, {FWD, "for=\"[::1, for=\"1.2.3.4\"", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED,
     {FWD, "for=1.2.3.4;x=\"a\\\\\\\"b,c\", for=127.0.0.2", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED,
     {FWD, "for=6.6.6.6, for=1.2.3.4;x=\"a\\\\\", for=127.0.0.2", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "\", 1.2.3.4", XRI, "6.6.6.6", NULL}},
    {L, P_ZERO, "127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED,
     {FWD, "for=\"6.6.6.6, for=1.2.3.4", XRI, "_x", NULL}},
    /* trust_all: every hop trusted, so the left-most examined (the Nuxt reading) */
    {L, P_ALL, "8.8.8.8", "6.6.6.6", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "6.6.6.6, 1.2.3.4", NULL}},
    {L, P_ALL, "8.8.8.8", "5.5.5.5", SKEW_IP_SOURCE_CF_CONNECTING_IP, {CF, "5.5.5.5", NULL}},
    {L, P_ALL, "8.8.8.8", "8.8.8.8", SKEW_IP_SOURCE_PEER, {XFF, "6.6.6.6, junk", NULL}},
    /* trust_none: the socket peer, always */
    {L, P_NONE, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER,
     {CF, "5.5.5.5", XFF, "1.2.3.4", XRI, "9.9.9.9", FWD, "for=7.7.7.7"}},
    {L, P_NONE, "", "", SKEW_IP_SOURCE_NONE, {XFF, "1.2.3.4", NULL}},
    /* a custom list replaces loopback, for the peer and for the hops */
    {L, P_CUSTOM, "10.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "6.6.6.6, 1.2.3.4, 10.9.9.9", NULL}},
    {L, P_CUSTOM, "10.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "6.6.6.6, 127.0.0.1", NULL}},
    {L, P_CUSTOM, "127.0.0.1", "127.0.0.1", SKEW_IP_SOURCE_PEER, {XFF, "1.2.3.4", CF, "5.5.5.5", NULL}},
    {L, P_CUSTOM, "::1", "::1", SKEW_IP_SOURCE_PEER, {XFF, "1.2.3.4", NULL}},
    {L, P_CUSTOM, "2001:db8:1::2", "1.2.3.4", SKEW_IP_SOURCE_FORWARDED,
     {FWD, "for=1.2.3.4, for=\"[2001:db8::9]\", for=10.0.0.3", NULL}},
    {L, P_CUSTOM, "::ffff:10.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "1.2.3.4", NULL}},
    {L, P_CUSTOM, "10.0.0.1", "10.0.0.7", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "10.0.0.7, ::ffff:10.0.0.8", NULL}},
    /* IPv6 and mapped peers */
    {L, P_ZERO, "::1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "1.2.3.4", NULL}},
    {L, P_ZERO, "::ffff:127.0.0.1", "1.2.3.4", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "1.2.3.4", NULL}},
    {L, P_ZERO, "::ffff:8.8.8.8", "8.8.8.8", SKEW_IP_SOURCE_PEER, {XFF, "1.2.3.4", NULL}},
    {L, P_ZERO, "2001:db8::1", "2001:db8::1", SKEW_IP_SOURCE_PEER, {XFF, "1.2.3.4", NULL}},
    /* max_hops = 1 and 2 */
    {L, P_HOPS1, "127.0.0.1", "127.0.0.2", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "1.2.3.4, 127.0.0.2", NULL}},
    {L, P_HOPS1, "127.0.0.1", "5.6.7.8", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "junk, 5.6.7.8", NULL}},
    {L, P_HOPS2, "127.0.0.1", "5.5.5.5", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "6.6.6.6, 5.5.5.5, 127.0.0.3", NULL}},
    {L, P_HOPS2, "127.0.0.1", "127.0.0.2", SKEW_IP_SOURCE_X_FORWARDED_FOR,
     {XFF, "5.5.5.5, 127.0.0.2, 127.0.0.3", NULL}},
    {L, P_HOPS2, "127.0.0.1", "127.0.0.2", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "junk, 127.0.0.2, 127.0.0.3", NULL}},
    {L, P_HOPS2, "127.0.0.1", "5.5.5.5", SKEW_IP_SOURCE_X_FORWARDED_FOR, {XFF, "5.5.5.5, , ,127.0.0.3,", NULL}},
    {L, P_HOPS2, "127.0.0.1", "127.0.0.2", SKEW_IP_SOURCE_FORWARDED,
     {FWD, "for=5.5.5.5, for=127.0.0.2, for=127.0.0.3", NULL}},
    {L, P_HOPS2, "127.0.0.1", "5.5.5.5", SKEW_IP_SOURCE_FORWARDED, {FWD, "for=_x, for=5.5.5.5, for=127.0.0.3", NULL}},
};

static void policy_for(int kind, skew_ip_policy *p) {
    memset(p, 0, sizeof *p);
    switch (kind) {
    case P_ALL: p->trust_all = true; break;
    case P_NONE: p->trust_none = true; break;
    case P_CUSTOM:
        CHECK_RES(skew_cidr_parse(skew_str_c("10.0.0.0/8"), &p->trusted[0]), SKEW_OK);
        CHECK_RES(skew_cidr_parse(skew_str_c("2001:db8::/32"), &p->trusted[1]), SKEW_OK);
        p->trusted_count = 2;
        break;
    case P_HOPS1: p->max_hops = 1; break;
    case P_HOPS2: p->max_hops = 2; break;
    default: break;
    }
}

/* Run skew_get_client_ip with a header table; check text and source. */
static void expect_client(int line, int kind, const char *peer, const char *const *pairs, const char *want,
                          skew_ip_source want_from) {
    skew_ip_policy p;
    skew_request req;
    mock_headers m;
    skew_ip out;
    skew_ip_source from = SKEW_IP_SOURCE_CF_CONNECTING_IP;
    skew_result r;
    policy_for(kind, &p);
    memset(&req, 0, sizeof req);
    m.pairs = pairs;
    req.header = mock_header;
    req.header_ctx = &m;
    if (peer[0]) req.peer = ipv(peer);
    r = skew_get_client_ip(kind == P_NULL ? NULL : &p, &req, &out, &from);
    if (r != (want[0] ? SKEW_OK : SKEW_ERR_NOT_FOUND) || strcmp(fmt(&out), want) != 0 || from != want_from)
        fprintf(stderr, "  client case at line %d: got \"%s\" from %d, want \"%s\" from %d\n", line, fmt(&out),
                (int)from, want, (int)want_from);
    CHECK_RES(r, want[0] ? SKEW_OK : SKEW_ERR_NOT_FOUND);
    CHECK_STR(fmt(&out), want);
    CHECK_EQ_INT(from, want_from);
    CHECK(tail_zero(&out, out.family == 6 ? 16 : 4));
}

static void test_client_ip(void) {
    size_t i;
    for (i = 0; i < sizeof client_cases / sizeof client_cases[0]; i++) {
        const client_case *c = &client_cases[i];
#if SKEW_ENABLE_IP
        expect_client(c->line, c->policy, c->peer, c->headers, c->want, c->from);
#else
        /* extraction compiled out: always the peer */
        char want[SKEW_IP_STR_MAX] = "";
        if (c->peer[0]) {
            skew_ip peer = ipv(c->peer);
            skew_ip_format(&peer, want, sizeof want);
        }
        expect_client(c->line, c->policy, c->peer, c->headers, want,
                      c->peer[0] ? SKEW_IP_SOURCE_PEER : SKEW_IP_SOURCE_NONE);
#endif
    }
}

#if SKEW_ENABLE_IP
/* max_hops at its default boundary: 16 elements are examined, the 17th from the right is not. */
static void test_max_hops(void) {
    static char xff[512], fwd[768];
    const char *pairs[5];
    int n, k;
    size_t len;
    for (n = 15; n <= 17; n++) {
        /* "5.5.5.5" then (n-1) trusted hops 127.0.0.2 .. 127.0.0.n */
        len = (size_t)snprintf(xff, sizeof xff, "5.5.5.5");
        for (k = 2; k <= n; k++) len += (size_t)snprintf(xff + len, sizeof xff - len, ", 127.0.0.%d", k);
        len = (size_t)snprintf(fwd, sizeof fwd, "for=5.5.5.5");
        for (k = 2; k <= n; k++) len += (size_t)snprintf(fwd + len, sizeof fwd - len, ",for=127.0.0.%d", k);
        pairs[0] = XFF;
        pairs[1] = xff;
        pairs[2] = NULL;
        /* n <= 16: 5.5.5.5 is examined and is the client; n = 17: it is the 17th, not examined,
           all 16 examined are trusted and the left-most of them (127.0.0.2) is taken */
        expect_client(__LINE__, P_ZERO, "127.0.0.1", pairs, n <= 16 ? "5.5.5.5" : "127.0.0.2",
                      SKEW_IP_SOURCE_X_FORWARDED_FOR);
        pairs[0] = FWD;
        pairs[1] = fwd;
        expect_client(__LINE__, P_ZERO, "127.0.0.1", pairs, n <= 16 ? "5.5.5.5" : "127.0.0.2",
                      SKEW_IP_SOURCE_FORWARDED);
        /* garbage as the left-most element: harmful only when it is examined */
        xff[0] = 'x';
        pairs[0] = XFF;
        pairs[1] = xff;
        expect_client(__LINE__, P_ZERO, "127.0.0.1", pairs, n <= 16 ? "127.0.0.1" : "127.0.0.2",
                      n <= 16 ? SKEW_IP_SOURCE_PEER : SKEW_IP_SOURCE_X_FORWARDED_FOR);
    }
    /* a larger custom bound reaches further; empty elements are not hops */
    {
        skew_ip_policy p;
        skew_request req;
        mock_headers m;
        skew_ip out;
        skew_ip_source from;
        len = (size_t)snprintf(xff, sizeof xff, "5.5.5.5");
        for (k = 2; k <= 40; k++) len += (size_t)snprintf(xff + len, sizeof xff - len, ",, 127.0.0.%d", k);
        pairs[0] = XFF;
        pairs[1] = xff;
        pairs[2] = NULL;
        memset(&p, 0, sizeof p);
        memset(&req, 0, sizeof req);
        m.pairs = pairs;
        req.header = mock_header;
        req.header_ctx = &m;
        req.peer = ipv("127.0.0.1");
        p.max_hops = 40;
        CHECK_RES(skew_get_client_ip(&p, &req, &out, &from), SKEW_OK);
        CHECK_STR(fmt(&out), "5.5.5.5");
        p.max_hops = 39;
        CHECK_RES(skew_get_client_ip(&p, &req, &out, &from), SKEW_OK);
        CHECK_STR(fmt(&out), "127.0.0.2");
        p.max_hops = UINT32_MAX;
        CHECK_RES(skew_get_client_ip(&p, &req, &out, &from), SKEW_OK);
        CHECK_STR(fmt(&out), "5.5.5.5");
    }
}
#endif

static void test_client_ip_edges(void) {
    skew_request req;
    skew_ip out;
    skew_ip_source from = SKEW_IP_SOURCE_X_REAL_IP;
    mock_headers m;
    static const char *const pairs[] = {XFF, "1.2.3.4", NULL};
    memset(&req, 0, sizeof req);
    /* no header function at all */
    req.peer = ipv("127.0.0.1");
    CHECK_RES(skew_get_client_ip(NULL, &req, &out, NULL), SKEW_OK);
    CHECK_STR(fmt(&out), "127.0.0.1");
    /* source may be NULL */
    m.pairs = pairs;
    req.header = mock_header;
    req.header_ctx = &m;
    CHECK_RES(skew_get_client_ip(NULL, &req, &out, NULL), SKEW_OK);
    CHECK_STR(fmt(&out), SKEW_ENABLE_IP ? "1.2.3.4" : "127.0.0.1");
    /* programmer errors come back as codes */
    CHECK_RES(skew_get_client_ip(NULL, NULL, &out, &from), SKEW_ERR_INVALID);
    CHECK(from == SKEW_IP_SOURCE_NONE && out.family == 0);
    CHECK_RES(skew_get_client_ip(NULL, &req, NULL, &from), SKEW_ERR_INVALID);
    /* a raw mapped peer (sin6_addr copied verbatim) is normalised to family 4 */
    memset(&req.peer, 0, sizeof req.peer);
    req.peer.family = 6;
    req.peer.bytes[10] = 0xff;
    req.peer.bytes[11] = 0xff;
    req.peer.bytes[12] = 8;
    req.peer.bytes[15] = 8;
    CHECK_RES(skew_get_client_ip(NULL, &req, &out, &from), SKEW_OK);
    CHECK(out.family == 4 && from == SKEW_IP_SOURCE_PEER);
    CHECK_STR(fmt(&out), "8.0.0.8");
    req.peer.bytes[12] = 127;
    CHECK_RES(skew_get_client_ip(NULL, &req, &out, &from), SKEW_OK);
    CHECK_STR(fmt(&out), SKEW_ENABLE_IP ? "1.2.3.4" : "127.0.0.8");
    /* an unknown family counts as no peer */
    req.peer.family = 9;
    req.header = NULL;
    CHECK_RES(skew_get_client_ip(NULL, &req, &out, &from), SKEW_ERR_NOT_FOUND);
    CHECK(from == SKEW_IP_SOURCE_NONE && out.family == 0);
}

#if SKEW_ENABLE_IP
/* The header mask: a proxy that only sets X-Forwarded-For must not let a client's own
   cf-connecting-ip through. */
static void test_header_mask(void) {
    skew_request req;
    skew_ip out;
    skew_ip_policy p;
    skew_ip_source from;
    mock_headers m;
    static const char *const pairs[] = {"cf-connecting-ip", "6.6.6.6", XFF, "6.6.6.7, 1.2.3.4", "x-real-ip", "5.5.5.5", NULL};
    memset(&req, 0, sizeof req);
    memset(&p, 0, sizeof p);
    m.pairs = pairs;
    req.header = mock_header;
    req.header_ctx = &m;
    req.peer = ipv("127.0.0.1");
    CHECK_RES(skew_get_client_ip(&p, &req, &out, &from), SKEW_OK);
    CHECK_STR(fmt(&out), "6.6.6.6"); /* all headers believed: the forged one wins */
    p.headers = SKEW_IP_HDR_X_FORWARDED_FOR;
    CHECK_RES(skew_get_client_ip(&p, &req, &out, &from), SKEW_OK);
    CHECK_STR(fmt(&out), "1.2.3.4");
    CHECK(from == SKEW_IP_SOURCE_X_FORWARDED_FOR);
    p.headers = SKEW_IP_HDR_X_REAL_IP | SKEW_IP_HDR_FORWARDED;
    CHECK_RES(skew_get_client_ip(&p, &req, &out, &from), SKEW_OK);
    CHECK_STR(fmt(&out), "5.5.5.5");
    p.headers = SKEW_IP_HDR_FORWARDED; /* none of that kind present: the peer */
    CHECK_RES(skew_get_client_ip(&p, &req, &out, &from), SKEW_OK);
    CHECK_STR(fmt(&out), "127.0.0.1");
    CHECK(from == SKEW_IP_SOURCE_PEER);
}
#endif

int main(void) {
#if SKEW_ENABLE_IP
    test_header_mask();
#endif
    test_parse();
    test_parse_loose();
    test_format();
    test_cidr();
    test_cidr_edges();
    test_policy();
    test_client_ip();
#if SKEW_ENABLE_IP
    test_max_hops();
#endif
    test_client_ip_edges();
    TEST_MAIN_END();
}
