/* Request framing: skew_framing_of (examples/common/skew_framing.c, the lws example's RFC 9112
   refusals).
   Input: byte 0 = how many of the fields are Content-Length values (0..3); the fields, then the
   last field is the Transfer-Encoding value (empty: absent).
   Invariants: Transfer-Encoding with any Content-Length is BAD; without, CHUNKED exactly when the
   last coding is "chunked"; a LENGTH result comes only from values that are comma lists of
   digits and blanks whose numbers all equal *len (an independent check below); NO_BODY only
   without any field. Never reads past a field. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"
#include "examples/common/skew_framing.c"

static int is_chunked(const char *t) {
    static const char want[] = "chunked";
    size_t i;
    for (i = 0; i < 7; i++)
        if ((t[i] | 0x20) != want[i]) return 0;
    return 1;
}

/* Every element of a comma list: blanks, 1..15 digits, blanks; all the same number. */
static int oracle_value(const char *p, size_t n, int *have, uint64_t *want) {
    size_t i = 0;
    while (i <= n) {
        size_t j = i, d0, d1;
        uint64_t v = 0;
        while (j < n && p[j] != ',') j++;
        d0 = i;
        while (d0 < j && (p[d0] == ' ' || p[d0] == '\t')) d0++;
        d1 = d0;
        while (d1 < j && p[d1] >= '0' && p[d1] <= '9') v = v * 10u + (uint64_t)(p[d1++] - '0');
        if (d1 == d0 || d1 - d0 > 15) return 0;
        while (d1 < j && (p[d1] == ' ' || p[d1] == '\t')) d1++;
        if (d1 != j) return 0;
        if (*have && v != *want) return 0;
        *have = 1;
        *want = v;
        i = j + 1;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz_in in = fz_input(data, size);
    const char *cl[3];
    size_t lens[3], n_cl, i;
    skew_str te;
    uint64_t len = 7, want = 0;
    int more = 1, have = 0, ok = 1;
    skew_framing f;
    char *copy[3] = {NULL, NULL, NULL};

    if (size > 1024) return 0;
    n_cl = fz_byte(&in) & 3u;
    if (n_cl == 3) n_cl = 0;
    for (i = 0; i < n_cl; i++) {
        skew_str s = fz_field(&in, &more);
        copy[i] = (char *)malloc(s.len ? s.len : 1); /* exact size: ASan sees any over-read */
        if (s.len) memcpy(copy[i], s.ptr, s.len);
        cl[i] = copy[i];
        lens[i] = s.len;
    }
    te = fz_field(&in, &more);
    {
        char *t = (char *)malloc(te.len ? te.len : 1);
        if (te.len) memcpy(t, te.ptr, te.len);
        f = skew_framing_of(cl, lens, n_cl, te.len ? t : NULL, te.len, &len);
        if (te.len) {
            FZ_ASSERT(f == (n_cl ? SKEW_FRAMING_BAD : f));
            FZ_ASSERT(f == SKEW_FRAMING_BAD || f == SKEW_FRAMING_CHUNKED);
            if (!n_cl) {
                size_t e = te.len, s0;
                while (e && (t[e - 1] == ' ' || t[e - 1] == '\t')) e--;
                s0 = e;
                while (s0 && t[s0 - 1] != ',') s0--;
                while (s0 < e && (t[s0] == ' ' || t[s0] == '\t')) s0++;
                FZ_ASSERT((f == SKEW_FRAMING_CHUNKED) == (e - s0 == 7 && is_chunked(t + s0)));
            }
        } else {
            for (i = 0; i < n_cl && ok; i++) ok = oracle_value(cl[i], lens[i], &have, &want);
            if (!n_cl) FZ_ASSERT(f == SKEW_FRAMING_NO_BODY && len == 0);
            else if (ok) FZ_ASSERT(f == SKEW_FRAMING_LENGTH && len == want);
            else FZ_ASSERT(f == SKEW_FRAMING_BAD);
        }
        free(t);
    }
    for (i = 0; i < 3; i++) free(copy[i]);
    return 0;
}
