/* The bounded JSON reader against an independent one (fuzz_common.h):
   - skew_json_validate() accepts exactly the RFC 8259 texts of depth <= SKEW_JSON_MAX_DEPTH
     (raw bytes >= 0x80 in strings are not checked by the library; the caller validates what it
     stores, so the oracle runs without strict UTF-8 here);
   - skew_json_get_string() finds the first top-level member of that name, decodes it the same
     way (lone surrogates -> U+FFFD), and honours its result codes and cap.
   Input: byte 0 picks the key and the cap, the rest is the JSON text. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"

static char out[8192];
static uint8_t ref[8192];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const keys[8] = {"type", "route", "connectionId", "version", "k", "total", "a", "versions"};
    static const size_t caps[4] = {sizeof out, 1, 8, 37};
    const char *key;
    size_t cap, n = 99, vn = 0;
    skew_str s;
    skew_result r;
    int want_valid, o;
    if (!size || size > 4096) return 0;
    key = keys[data[0] & 7];
    cap = caps[(data[0] >> 3) & 3];
    s = skew_str_n((const char *)data + 1, size - 1);

    want_valid = fz_json_valid(s.ptr, s.len, 0);
    r = skew_json_validate(s);
    FZ_ASSERT(r == SKEW_OK || r == SKEW_ERR_INVALID);
    FZ_ASSERT((r == SKEW_OK) == (want_valid != 0));

    memset(out, 0x5A, sizeof out);
    r = skew_json_get_string(s, key, out, cap, &n);
    o = fz_json_get((const uint8_t *)s.ptr, s.len, key, ref, sizeof ref, &vn);
    if (o < 0) {
        FZ_ASSERT(r == SKEW_ERR_INVALID);
    } else if (o == 0) {
        FZ_ASSERT(r == SKEW_ERR_NOT_FOUND);
    } else {
        FZ_ASSERT(vn <= sizeof ref);
        FZ_ASSERT(n == vn);
        if (vn < cap) {
            FZ_ASSERT(r == SKEW_OK);
            FZ_ASSERT(memcmp(out, ref, vn) == 0 && out[vn] == '\0');
        } else {
            FZ_ASSERT(r == SKEW_ERR_TOO_LONG);
            FZ_ASSERT(memcmp(out, ref, cap - 1) == 0 && out[cap - 1] == '\0');
        }
    }
    if (cap < sizeof out) FZ_ASSERT((unsigned char)out[cap] == 0x5A);
    if (r != SKEW_OK && r != SKEW_ERR_TOO_LONG) FZ_ASSERT(out[0] == '\0');
    return 0;
}
