/* White-box tests of internals (skew__ names): number text, limb division, the ChaCha12 block,
   the id generator's reseed. Kept apart so the other test files stay black-box. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "skew_test.h"
#include "fake_transport.h"

#include <stdlib.h>

/* Number text and the limb division (the only division of 64-bit values when SKEW_OPTIMIZE_SIZE
   is on), against the compiler's own 64-bit arithmetic. */
static void test_numbers(void) {
    static const uint64_t edge[] = {0, 1, 9, 10, 99, 100, 65535, 65536, 999999999, 4294967295u, 4294967296u,
                                    1700000000123u, 9999999999999999999u, 10000000000000000000u, UINT64_MAX};
    uint64_t x = 0x9E3779B97F4A7C15u;
    size_t i;
    int bad_text = 0, bad_div = 0;
    for (i = 0; i < sizeof edge / sizeof edge[0] + 20000; i++) {
        char got[24], want[24];
        uint64_t v, q;
        uint32_t d, r;
        size_t n;
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        v = i < sizeof edge / sizeof edge[0] ? edge[i] : x >> (x & 63u);
        n = skew__u64_text(got, v);
        got[n] = '\0';
        snprintf(want, sizeof want, "%llu", (unsigned long long)v);
        if (strcmp(got, want) != 0) bad_text++;
        d = (uint32_t)(x >> 40) & 0xFFFFu;
        if (!d) d = 1000;
        q = v;
        r = skew__div_small(&q, d);
        if (q != v / d || r != v % d) bad_div++;
    }
    CHECK_EQ_INT(bad_text, 0);
    CHECK_EQ_INT(bad_div, 0);
}

/* ChaCha12 block against an independent reference (a Python model of RFC 8439's block function
   with 12 rounds, itself checked on the RFC's 20-round zero-key keystream): the unrolled and the
   compact (SKEW_OPTIMIZE_SIZE) rounds must both give these bytes. */
static void test_chacha_known_answers(void) {
    static const uint32_t key1[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    static const uint32_t key2[8] = {0xdeadbeefu, 0, 0xffffffffu, 7, 0x80000000u, 12345, 0x01020304u, 0xa5a5a5a5u};
    static const char *const want[2] = {
        "c284a0411ff8b000ebddd90b13be0431158bf35dc5ab0310f1a111385287df82"
        "24daec1e146ab11e4bd53412b458afba4dacf38731f15d0587782e0c9651f4b5",
        "13811a2aef309197dcf5b97d7377018334b61d6bd3e909bf96d1b61da2a8563a"
        "143d3a1add6b43298a7d1987e536c57cdfa122408fda88f6aaddfed2f25a1401"};
    uint8_t out[64];
    char hex[129];
    int k, i;
    for (k = 0; k < 2; k++) {
        skew__chacha_block(k ? key2 : key1, k ? 0x100000005ull : 0x123456789abcull, out);
        for (i = 0; i < 64; i++) snprintf(hex + 2 * i, 3, "%02x", out[i]);
        CHECK_STR(hex, want[k]);
    }
#if SKEW__CHACHA4
    { /* the four-block SSE2 form: the same bytes as four calls, across a carry into the high
         counter word too, and the known answers at its first and last block */
        static const uint64_t starts[4] = {0, 0x123456789abcull, 0xFFFFFFFEull, 0x100000002ull};
        uint8_t four[256], one[64];
        int bad = 0;
        for (k = 0; k < 4; k++) {
            skew__chacha_block4(k & 1 ? key2 : key1, starts[k], four);
            for (i = 0; i < 4; i++) {
                skew__chacha_block(k & 1 ? key2 : key1, starts[k] + (uint64_t)i, one);
                if (memcmp(one, four + 64 * i, 64) != 0) bad++;
            }
        }
        CHECK_EQ_INT(bad, 0);
        skew__chacha_block4(key1, 0x123456789abcull, four);
        for (i = 0; i < 64; i++) snprintf(hex + 2 * i, 3, "%02x", four[i]);
        CHECK_STR(hex, want[0]);
        skew__chacha_block4(key2, 0x100000002ull, four);
        for (i = 0; i < 64; i++) snprintf(hex + 2 * i, 3, "%02x", four[192 + i]);
        CHECK_STR(hex, want[1]);
    }
#endif
}

/* The id text (SSE2, table and compact forms) against printf's %02x: every byte value at every
   position, and random ids. */
static void test_id_text(void) {
    uint64_t x = 0x243F6A8885A308D3u;
    int k, i, bad = 0;
    for (k = 0; k < 4096 + 256; k++) {
        uint8_t id[16];
        char got[SKEW_ID_STR_MAX], want[48];
        for (i = 0; i < 16; i++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            id[i] = k < 256 ? (uint8_t)(k + 17 * i) : (uint8_t)x;
        }
        memset(got, 'X', sizeof got);
        skew__id_text(id, got);
        snprintf(want, sizeof want, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", id[0], id[1],
                 id[2], id[3], id[4], id[5], id[6], id[7], id[8], id[9], id[10], id[11], id[12], id[13], id[14], id[15]);
        if (memcmp(got, want, SKEW_ID_STR_MAX) != 0) bad++;
    }
    CHECK_EQ_INT(bad, 0);
}

/* White-box: the id generator's reseed (every 2^16 ChaCha blocks) keeps the table hash seed,
   so a version seen before the reseed is still found after it (no duplicate entries). */
static void test_reseed_keeps_tables(void) {
    skew_config c;
    skew_tracker *t;
    skew_count vs[4];
    size_t n;
    base_cfg(&c, &env);
    t = make(&c);
    CHECK(open_sse(t, &env, 0, NULL, "__nkpv=v1") != 0);
    t->rng_counter = 0xFFFFu; /* the next block reseeds */
    t->rng_avail = 0;
    CHECK(open_sse(t, &env, 1, NULL, "__nkpv=v1") != 0);
    CHECK(t->rng_counter == 0xFFFFu + SKEW__RNG_BLOCKS); /* one refill */
    n = skew_list_versions(t, vs, 4);
    CHECK_EQ_INT(n, 1);
    CHECK(n == 1 && vs[0].count == 2 && vs[0].name.len == 2 && memcmp(vs[0].name.ptr, "v1", 2) == 0);
    unmake(t);
}

/* The open's cookie scan (skew__find_cookie, 8 bytes a turn) gives skew_get_cookie's answer,
   the same view, on random headers made of the bytes that matter (separators at every offset
   of a word, spaces, tabs, quotes, '=', pieces of the name); each header sits in a block of its
   own length, so ASan sees any read past it. */
static void test_find_cookie(void) {
#if !SKEW_OPTIMIZE_SIZE
    static const char *const names[3] = {"__nkpv", "a", "x.y-z_0123456789"};
    static const char alphabet[] = ";;,,  \t==\"\"__nkpvaxyz.-09";
    uint32_t x = 2463534242u;
    int k, bad = 0, found = 0;
    for (k = 0; k < 200000; k++) {
        const char *name = names[k % 3];
        size_t nlen = strlen(name), len, i;
        char *h;
        skew_str want, got;
        skew_result rw, rg;
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        len = x % 48;
        h = (char *)malloc(len ? len : 1);
        if (!h) break;
        for (i = 0; i < len; i++) {
            x ^= x << 13; x ^= x >> 17; x ^= x << 5;
            if ((x >> 8) % 6 == 0 && i + nlen + 1 <= len) { /* the name, then often '=' */
                memcpy(h + i, name, nlen);
                i += nlen;
                h[i] = (x >> 16) % 3 ? '=' : ' ';
            } else {
                h[i] = alphabet[(x >> 8) % (sizeof alphabet - 1)];
            }
        }
        rw = skew_get_cookie(skew__str(h, len), name, &want);
        rg = skew__find_cookie(skew__str(h, len), name, nlen, &got);
        if (rw != rg || want.ptr != got.ptr || want.len != got.len) {
            if (++bad <= 5) fprintf(stderr, "  cookie %s in \"%.*s\": %d %d\n", name, (int)len, h, (int)rw, (int)rg);
        }
        found += rw == SKEW_OK;
        free(h);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(found > 20000); /* the random headers do hold the name */
    {
        skew_str none;
        CHECK_EQ_INT(skew__find_cookie(skew__str(NULL, 0), "a", 1, &none), SKEW_ERR_NOT_FOUND);
        CHECK(none.ptr == NULL && none.len == 0);
    }
#endif
}

/* The JSON string writer before its 8-bytes-at-a-time scan: one byte a step. The reference for
   test_json_fast_path (kept verbatim, so a wrong skew__json_plain8 shows as a difference). */
static void ref_json_str(skew__w *w, skew_str s) {
    const unsigned char *p = (const unsigned char *)s.ptr, *end = p + s.len, *run = p;
    char esc[6];
    skew__put(w, "\"", 1);
    while (p < end) {
        unsigned char c = *p;
        size_t n;
        bool whole;
        if (SKEW__JSON_PLAIN(c)) { p++; continue; }
        if (c >= 0x80) {
            n = skew__utf8_walk(p, end, &whole);
            if (whole && n == 3 && c == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
                skew__put(w, (const char *)run, (size_t)(p - run));
                skew__puts(w, p[2] == 0xA8 ? "\\u2028" : "\\u2029");
                p += 3;
                run = p;
                continue;
            }
            if (whole) { p += n; continue; }
            skew__put(w, (const char *)run, (size_t)(p - run));
            skew__put(w, "\xEF\xBF\xBD", 3);
            p += n;
            run = p;
            continue;
        }
        skew__put(w, (const char *)run, (size_t)(p - run));
        esc[0] = '\\';
        {
            const char *e = (const char *)memchr(skew__json_esc_raw, c, 7);
            if (e) {
                esc[1] = skew__json_esc_name[e - skew__json_esc_raw];
                n = 2;
            } else {
                esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
                esc[4] = skew__hex[c >> 4]; esc[5] = skew__hex[c & 15];
                n = 6;
            }
        }
        skew__put(w, esc, n);
        p++;
        run = p;
    }
    skew__put(w, (const char *)run, (size_t)(p - run));
    skew__put(w, "\"", 1);
}

static uint64_t fp_rng = 0x9E3779B97F4A7C15u;
static uint32_t fp_next(uint32_t n) {
    fp_rng ^= fp_rng << 13; fp_rng ^= fp_rng >> 7; fp_rng ^= fp_rng << 17;
    return (uint32_t)(fp_rng >> 32) % n;
}

/* A random string of n pieces: mostly plain ASCII runs, with JSON escapes, controls, DEL, valid
   and invalid UTF-8 and U+2028/9 mixed in (every byte class the scan must stop at). */
static size_t fp_string(char *out, size_t cap, int pieces, bool clean) {
    static const char *const odd[] = {"\"", "\\", "\x01", "\x1f", "\x7f", "\n", "\xc3\xa9", "\xe2\x82\xac",
                                      "\xf0\x9f\x98\x80", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xff", "\xc3", "\xed\xa0\x80",
                                      "\xc0\xaf", "\x80", "!", "~", " ", "#", "[", "]"};
    size_t len = 0;
    int k;
    for (k = 0; k < pieces; k++) {
        const char *piece;
        char plain[24];
        size_t n;
        if (fp_next(3)) {
            uint32_t i, m = 1 + fp_next(20);
            for (i = 0; i < m; i++) plain[i] = (char)('a' + fp_next(26));
            plain[m] = '\0';
            piece = plain;
        } else {
            piece = odd[fp_next(clean ? 8 : (uint32_t)(sizeof odd / sizeof odd[0]))];
            if (clean && (piece[0] == '\x01' || piece[0] == '\x1f' || piece[0] == '\x7f' || piece[0] == '\n')) piece = "\"";
        }
        n = strlen(piece);
        if (len + n >= cap) break;
        memcpy(out + len, piece, n);
        len += n;
    }
    return len;
}

typedef struct fp_sink { char *buf; size_t len, cap; } fp_sink;
static int fp_sink_fn(void *ctx, const char *d, size_t n) {
    fp_sink *s = (fp_sink *)ctx;
    if (s->len + n > s->cap) return -1;
    memcpy(s->buf + s->len, d, n);
    s->len += n;
    return 0;
}

/* The JSON string scan 8 bytes at a time and the stats list's inline writes (skew__put_hot)
   give exactly the byte loop's and skew__put's output: 20,000 random strings at every alignment
   and cut, then stats messages of random registries (versions, routes with escapes and UTF-8,
   IPs) written whole, through a sink (skew__put's path) and cut at random sizes. */
static void test_json_fast_path(void) {
    static char src[256 + 8], got[2048], want[2048], whole[65536], sunk[65536], cut[65536];
    int k, bad = 0, bad_cut = 0, round;
    for (k = 0; k < 20000; k++) {
        size_t off = (size_t)(k & 7), n = fp_string(src + off, 256, 1 + (int)fp_next(12), false), cap, a, b;
        skew_str s = skew_str_n(src + off, n);
        skew__w wg = skew__w_buf(got, sizeof got), wr = skew__w_buf(want, sizeof want);
        skew__put_json_str(&wg, s);
        ref_json_str(&wr, s);
        if (skew__w_end(&wg) != skew__w_end(&wr) || strcmp(got, want) != 0) bad++;
        cap = 1 + fp_next((uint32_t)wr.len + 2); /* cut: same length returned, a prefix written */
        a = skew_write_json_string(s, got, cap);
        b = wr.len;
        if (a != b || strlen(got) != (cap - 1 < b ? cap - 1 : b) || memcmp(got, want, strlen(got)) != 0) bad_cut++;
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(bad_cut, 0);
    for (round = 0; round < 24; round++) {
        skew_config c;
        skew_tracker *t;
        skew_handle hs[MAXC];
        fp_sink sk;
        size_t len, n2, cap;
        int i, live = 1 + (int)fp_next(MAXC - 1);
        base_cfg(&c, &env);
        c.route_tracking = true;
        c.ip_tracking = (round & 1) != 0;
        c.max_listed = (round % 3) ? 0 : (uint32_t)(1 + fp_next((uint32_t)live)); /* 0: the default */
        t = make(&c);
        for (i = 0; i < live; i++) {
            char cookie[96], route[128];
            size_t vn = (size_t)fp_next(40), rn;
            uint32_t j;
            memcpy(cookie, "__nkpv=", 7);
            for (j = 0; j < vn; j++) cookie[7 + j] = "abcdefghij0123456789-._"[fp_next(23)];
            cookie[7 + vn] = '\0';
            hs[i] = open_sse(t, &env, i, NULL, vn ? cookie : NULL);
            rn = fp_string(route + 1, sizeof route - 1, 1 + (int)fp_next(6), true);
            route[0] = '/';
            (void)skew_set_route(t, hs[i], skew_str_n(route, rn + 1)); /* refused text leaves the old route */
        }
        for (i = 0; i < live / 3; i++) skew_close(t, hs[fp_next((uint32_t)live)], SKEW_CLOSE_REASON_CLIENT);
        len = skew_write_stats(t, hs[0], whole, sizeof whole);
        CHECK(len > 0 && len < sizeof whole);
        sk.buf = sunk;
        sk.len = 0;
        sk.cap = sizeof sunk;
        CHECK_RES(skew_write_stats_sink(t, hs[0], t->cfg.max_listed, fp_sink_fn, &sk, &n2), SKEW_OK);
        CHECK(n2 == len && sk.len == len && memcmp(sunk, whole, len) == 0);
        for (i = 0; i < 40; i++) {
            size_t m;
            cap = 1 + fp_next((uint32_t)len + 2);
            memset(cut, 'Z', cap + 1);
            m = cap - 1 < len ? cap - 1 : len; /* what fits before the NUL */
            n2 = skew_write_stats(t, hs[0], cut, cap);
            if (n2 != len || cut[m] != '\0' || memcmp(cut, whole, m) != 0 || cut[m + 1] != 'Z') bad_cut++;
        }
        unmake(t);
    }
    CHECK_EQ_INT(bad_cut, 0);
}

int main(void) {
    SUBTEST("numbers", test_numbers);
    SUBTEST("chacha_known_answers", test_chacha_known_answers);
    SUBTEST("id_text", test_id_text);
    SUBTEST("reseed_keeps_tables", test_reseed_keeps_tables);
    SUBTEST("find_cookie", test_find_cookie);
    SUBTEST("json_fast_path", test_json_fast_path);
    TEST_MAIN_END();
}
