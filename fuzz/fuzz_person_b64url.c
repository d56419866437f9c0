/* skew_person_b64url_decode (examples/common/skew_person_crypto.c) against an independent
   reading: an input is accepted exactly when it is canonical unpadded base64url (every
   character in the alphabet, a length that is not 1 mod 4, zero unused bits), and then the
   bytes encode back to the input; the cap is honoured (too small: SKEW_ERR_TOO_LONG, nothing
   written past it). Input: byte 0 picks the cap, the rest is the text. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"
#include "skew_person.h"
#include "fuzz_b64url.h"

static uint8_t out[4096 + 16];
static char back[8192];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t cap, n = 7, i, want;
    bool alphabet = true, canonical;
    skew_result r;
    if (!size || size > 4096) return 0;
    cap = data[0] & 0x80 ? (size_t)(data[0] & 0x7f) : sizeof out - 16;
    data++, size--;
    for (i = 0; i < size; i++) alphabet = alphabet && data[i] && strchr(fz_b64, data[i]) != NULL;
    want = size / 4 * 3 + (size % 4 ? size % 4 - 1 : 0);
    memset(out, 0xA5, sizeof out);
    r = skew_person_b64url_decode(skew_str_n((const char *)data, size), out, cap, &n);
    FZ_ASSERT(r == SKEW_OK || r == SKEW_ERR_INVALID || r == SKEW_ERR_TOO_LONG);
    for (i = cap; i < sizeof out; i++) FZ_ASSERT(out[i] == 0xA5 || i < want); /* never past cap */
    if (r == SKEW_OK) {
        FZ_ASSERT(n == want && n <= cap);
        FZ_ASSERT(fz_b64url_encode(out, n, back) == size && memcmp(back, data, size) == 0);
        return 0;
    }
    FZ_ASSERT(n == 0);
    if (r == SKEW_ERR_TOO_LONG) {
        FZ_ASSERT(want > cap);
        return 0;
    }
    /* refused: must not be canonical (decode the long way and re-encode) */
    canonical = alphabet && size % 4 != 1;
    if (canonical && want > cap) canonical = false;
    if (canonical) {
        uint8_t tmp[4096];
        size_t k = 0;
        uint32_t acc = 0;
        unsigned bits = 0;
        for (i = 0; i < size; i++) {
            acc = (acc << 6) | (uint32_t)(strchr(fz_b64, data[i]) - fz_b64);
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                tmp[k++] = (uint8_t)(acc >> bits);
            }
        }
        canonical = fz_b64url_encode(tmp, k, back) == size && memcmp(back, data, size) == 0;
    }
    FZ_ASSERT(!canonical);
    return 0;
}
