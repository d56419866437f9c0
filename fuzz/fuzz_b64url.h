/* base64url without padding, written plainly (an encoder independent of the one under test):
   the oracle of fuzz_person_b64url and the MAC writer of fuzz_person_iron and fuzz_person_jwt.
   Include after fuzz_common.h. */
#ifndef FUZZ_B64URL_H
#define FUZZ_B64URL_H

static const char fz_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

FZ_FN size_t fz_b64url_encode(const uint8_t *in, size_t n, char *out) {
    size_t i, o = 0;
    for (i = 0; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = fz_b64[v >> 18];
        out[o++] = fz_b64[(v >> 12) & 63];
        out[o++] = fz_b64[(v >> 6) & 63];
        out[o++] = fz_b64[v & 63];
    }
    if (n - i == 1) {
        out[o++] = fz_b64[in[i] >> 2];
        out[o++] = fz_b64[(in[i] & 3) << 4];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];
        out[o++] = fz_b64[v >> 10];
        out[o++] = fz_b64[(v >> 4) & 63];
        out[o++] = fz_b64[(v & 15) << 2];
    }
    return o;
}

#endif /* FUZZ_B64URL_H */
