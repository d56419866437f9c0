/* JSON round trip: skew_json_escape(any bytes) must give a JSON string that an independent
   decoder (fuzz_common.h) reads back as the input with every maximal ill-formed UTF-8 subpart
   replaced by U+FFFD (the rule in the header's STRINGS AND UTF-8 section); the output must be
   well-formed UTF-8 with no raw control character, DEL, U+2028 or U+2029; the snprintf contract
   must hold; and skew_json_get_string() on {"k":<escaped>} must return the same bytes. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"

#define RT_MAX 4096

static uint8_t want[3 * RT_MAX + 4];
static uint8_t got[3 * RT_MAX + 4];
static char esc[6 * RT_MAX + 8];
static char doc[6 * RT_MAX + 16];
static char back[3 * RT_MAX + 8];

static skew_str rt_in;
static size_t rt_escape(void *ctx, char *buf, size_t cap) {
    (void)ctx;
    return skew_write_json_string(rt_in, buf, cap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t n, wn, gn, i, bn = 0;
    fz_json j;
    skew_result r;
    if (size > RT_MAX) return 0;
    rt_in = skew_str_n((const char *)data, size);

    fz_check_writer(rt_escape, NULL, esc, sizeof esc, &n);
    FZ_ASSERT(n >= 2 && esc[0] == '"' && esc[n - 1] == '"');
    FZ_ASSERT(fz_utf8_valid((const uint8_t *)esc, n));
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)esc[i];
        FZ_ASSERT(c >= 0x20 && c != 0x7F);
        if (c == 0xE2 && i + 2 < n) FZ_ASSERT(!((unsigned char)esc[i + 1] == 0x80 && ((unsigned char)esc[i + 2] & 0xFE) == 0xA8));
    }

    /* decode with the independent reader: strict UTF-8, no lone surrogates */
    fz_json_init(&j, esc, n, 1);
    FZ_ASSERT(fz_json_string(&j, got, sizeof got, &gn));
    FZ_ASSERT(j.p == j.end);
    FZ_ASSERT(gn <= sizeof got);

    wn = fz_utf8_sanitize(data, size, want);
    FZ_ASSERT(gn == wn);
    FZ_ASSERT(memcmp(got, want, wn) == 0);

    /* the library's own reader agrees */
    memcpy(doc, "{\"k\":", 5);
    memcpy(doc + 5, esc, n);
    doc[5 + n] = '}';
    FZ_ASSERT(skew_json_validate(skew_str_n(doc, n + 6)) == SKEW_OK);
    r = skew_json_get_string(skew_str_n(doc, n + 6), "k", back, sizeof back, &bn);
    FZ_ASSERT(r == SKEW_OK);
    FZ_ASSERT(bn == wn && memcmp(back, want, wn) == 0 && back[bn] == '\0');
    /* one byte short of room: TOO_LONG, the full length still reported */
    r = skew_json_get_string(skew_str_n(doc, n + 6), "k", back, wn, &bn);
    FZ_ASSERT(r == SKEW_ERR_TOO_LONG);
    FZ_ASSERT(bn == wn);
    if (wn) FZ_ASSERT(back[wn - 1] == '\0' && memcmp(back, want, wn - 1) == 0);
    return 0;
}
