/* Route validation: skew_route_clean() on raw bytes and on what ?route= decodes to.
   Input: byte 0 picks max_len; the rest is the route.
   Invariants (PROTOCOL.md, the route rules): an accepted route is a prefix view of the input,
   starts with '/', stops exactly at the first '?' or '#', is at most max_len bytes, is
   storable text (PROTOCOL.md; fz_text_storable); anything else is refused with INVALID or
   TOO_LONG, and TOO_LONG only when the cut route is longer than max_len. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"

static char dec[4200];

static void check(skew_str in, size_t max_len) {
    skew_str out;
    skew_result r = skew_route_clean(in, max_len, &out);
    size_t cut = 0;
    int clean;
    while (cut < in.len && in.ptr[cut] != '?' && in.ptr[cut] != '#') cut++;
    clean = fz_text_storable((const uint8_t *)in.ptr, cut);
    if (!in.len || in.ptr[0] != '/') {
        FZ_ASSERT(r == SKEW_ERR_INVALID);
        return;
    }
    if (cut > max_len) {
        FZ_ASSERT(r == SKEW_ERR_TOO_LONG);
        return;
    }
    FZ_ASSERT(r == (clean ? SKEW_OK : SKEW_ERR_INVALID));
    if (r == SKEW_OK) FZ_ASSERT(out.ptr == in.ptr && out.len == cut && out.len >= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const size_t lens[4] = {256, 1, 8, 4096};
    size_t max_len, n = 0;
    skew_str in;
    if (!size || size > 4096) return 0;
    max_len = lens[data[0] & 3];
    in = skew_str_n((const char *)data + 1, size - 1);
    check(in, max_len);
    if (skew_url_decode(in, true, dec, sizeof dec, &n) == SKEW_OK) check(skew_str_n(dec, n), max_len);
    return 0;
}
