/* IP extraction: skew_ip_parse, skew_ip_parse_loose, skew_cidr_parse, skew_ip_format and
   skew_get_client_ip behind each trust policy.
   Input: byte 0 = policy and peer; field 0 is parsed as an address, a loose address and a CIDR;
   fields 1..4 are the cf-connecting-ip, x-forwarded-for, x-real-ip and forwarded headers.
   Invariants: a parsed address is family 4 or 6 and formats canonically (the text parses back to
   the same address and formats to the same text, within SKEW_IP_STR_MAX with the snprintf
   contract); a strict address is also a loose one; a CIDR contains its own address and has a
   prefix within its family; skew_get_client_ip believes a header only from a trusted peer, falls back
   to the peer, and says where the address came from. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"

static const skew_ip *fmt_ip;
static size_t w_format(void *ctx, char *buf, size_t cap) {
    (void)ctx;
    return skew_ip_format(fmt_ip, buf, cap);
}

static void check_addr(const skew_ip *ip) {
    char txt[128], txt2[SKEW_IP_STR_MAX];
    size_t n;
    skew_ip back;
    FZ_ASSERT(ip->family == 4 || ip->family == 6);
    if (ip->family == 6) /* ::ffff:a.b.c.d is always family 4 */
        FZ_ASSERT(!(memcmp(ip->bytes, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0));
    fmt_ip = ip;
    fz_check_writer(w_format, NULL, txt, sizeof txt, &n);
    FZ_ASSERT(n > 0 && n < SKEW_IP_STR_MAX);
    memset(&back, 0xEE, sizeof back);
    FZ_ASSERT(skew_ip_parse(skew_str_n(txt, n), &back) == SKEW_OK);
    FZ_ASSERT(skew_ip_equal(&back, ip));
    FZ_ASSERT(back.family == ip->family && memcmp(back.bytes, ip->bytes, ip->family == 4 ? 4 : 16) == 0);
    FZ_ASSERT(skew_ip_format(&back, txt2, sizeof txt2) == n && memcmp(txt, txt2, n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz_in in;
    uint8_t f;
    skew_str text;
    skew_ip ip, ip2;
    skew_cidr cidr;
    skew_result r, r2;
    int more = 1, k;
    fz_headers h;
    skew_request req;
    skew_ip_policy pol;
    skew_ip_source src;
    static const char *const hnames[4] = {"cf-connecting-ip", "x-forwarded-for", "x-real-ip", "forwarded"};

    if (size > 4096) return 0;
    in.p = data;
    in.n = size;
    f = fz_byte(&in);
    text = fz_field(&in, &more);

    memset(&ip, 0, sizeof ip);
    r = skew_ip_parse(text, &ip);
    FZ_ASSERT(r == SKEW_OK || r == SKEW_ERR_INVALID);
    if (r == SKEW_OK) check_addr(&ip);
    memset(&ip2, 0, sizeof ip2);
    r2 = skew_ip_parse_loose(text, &ip2);
    FZ_ASSERT(r2 == SKEW_OK || r2 == SKEW_ERR_INVALID || r2 == SKEW_ERR_NOT_FOUND);
    if (r2 == SKEW_OK) check_addr(&ip2);
    if (r == SKEW_OK) FZ_ASSERT(r2 == SKEW_OK && skew_ip_equal(&ip, &ip2));

    memset(&cidr, 0, sizeof cidr);
    r = skew_cidr_parse(text, &cidr);
    FZ_ASSERT(r == SKEW_OK || r == SKEW_ERR_INVALID);
    if (r == SKEW_OK) {
        FZ_ASSERT(cidr.ip.family == 4 || cidr.ip.family == 6);
        FZ_ASSERT(cidr.prefix <= (cidr.ip.family == 4 ? 32 : 128));
        FZ_ASSERT(skew_cidr_contains(&cidr, &cidr.ip));
        check_addr(&cidr.ip);
        if (skew_ip_parse(text, &ip) == SKEW_OK) /* a bare address is its own /32 or /128 */
            FZ_ASSERT(cidr.prefix == (ip.family == 4 ? 32 : 128) && skew_ip_equal(&ip, &cidr.ip));
    }

    /* the client address of a request */
    memset(&h, 0, sizeof h);
    for (k = 0; k < 4 && more; k++) {
        skew_str v = fz_field(&in, &more);
        h.name[h.n] = skew_str_n(hnames[k], strlen(hnames[k]));
        h.value[h.n] = v;
        h.n++;
    }
    memset(&pol, 0, sizeof pol);
    switch (f & 3) {
    case 0: break; /* loopback only */
    case 1: pol.trust_all = true; break;
    case 2: pol.trust_none = true; break;
    default:
        FZ_ASSERT(skew_cidr_parse(skew_str_n("10.0.0.0/8", 10), &pol.trusted[0]) == SKEW_OK);
        FZ_ASSERT(skew_cidr_parse(skew_str_n("fd00::/8", 8), &pol.trusted[1]) == SKEW_OK);
        pol.trusted_count = 2;
        break;
    }
    pol.max_hops = (f & 4) ? 2 : 0;
    memset(&req, 0, sizeof req);
    req.header = fz_header_fn;
    req.header_ctx = &h;
    switch ((f >> 3) & 3) {
    case 0: break; /* unknown peer */
    case 1: req.peer.family = 4; req.peer.bytes[0] = 127; req.peer.bytes[3] = 1; break;
    case 2: req.peer.family = 4; req.peer.bytes[0] = 10; req.peer.bytes[3] = 7; break;
    default: req.peer.family = 6; req.peer.bytes[0] = 0xfd; req.peer.bytes[15] = 1; break;
    }
    if (f & 32) { /* the peer as a v4-mapped v6 address */
        if (req.peer.family == 4) {
            uint8_t b[4];
            memcpy(b, req.peer.bytes, 4);
            memset(req.peer.bytes, 0, 16);
            req.peer.bytes[10] = req.peer.bytes[11] = 0xff;
            memcpy(req.peer.bytes + 12, b, 4);
            req.peer.family = 6;
        }
    }
    memset(&ip, 0xEE, sizeof ip);
    r = skew_get_client_ip(&pol, &req, &ip, &src);
    if (r == SKEW_OK) {
        check_addr(&ip);
        FZ_ASSERT(src != SKEW_IP_SOURCE_NONE);
        if (src == SKEW_IP_SOURCE_PEER) {
            skew_ip p2;
            memset(&p2, 0, sizeof p2);
            FZ_ASSERT(req.peer.family != 0);
            FZ_ASSERT(skew_ip_equal(&ip, &req.peer));
            (void)p2;
        } else {
            FZ_ASSERT(skew_ip_policy_trusts(&pol, &req.peer));
            FZ_ASSERT(!pol.trust_none);
        }
    } else {
        FZ_ASSERT(r == SKEW_ERR_NOT_FOUND);
        FZ_ASSERT(src == SKEW_IP_SOURCE_NONE);
        FZ_ASSERT(req.peer.family == 0);
    }
    return 0;
}
