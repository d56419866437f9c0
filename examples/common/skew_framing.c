/* skew_framing.c - see skew_framing.h. */
#include "skew_framing.h"

#include <string.h>

#define FRAMING_MAX_DIGITS 15 /* 10^15 bytes: far past any limit, no uint64 overflow */

static bool ows(char c) { return c == ' ' || c == '\t'; }

/* One Content-Length field value: a comma list of 1*DIGIT, all equal (RFC 9110 §8.6 lets a
   recipient accept "5, 5"). *len is set from the first element; false on anything else. */
static bool cl_value(const char *p, size_t n, bool *have, uint64_t *len) {
    size_t i = 0;
    for (;;) {
        uint64_t v = 0;
        size_t digits = 0;
        while (i < n && ows(p[i])) i++;
        while (i < n && p[i] >= '0' && p[i] <= '9') {
            if (++digits > FRAMING_MAX_DIGITS) return false;
            v = v * 10u + (uint64_t)(p[i] - '0');
            i++;
        }
        if (!digits) return false;
        while (i < n && ows(p[i])) i++;
        if (*have && v != *len) return false;
        *have = true;
        *len = v;
        if (i == n) return true;
        if (p[i] != ',') return false;
        i++;
    }
}

/* Is the last coding of a Transfer-Encoding list "chunked" (case-insensitive, no parameters)? */
static bool te_ends_chunked(const char *te, size_t n) {
    size_t end = n, start;
    while (end && ows(te[end - 1])) end--;
    start = end;
    while (start && te[start - 1] != ',') start--;
    while (start < end && ows(te[start])) start++;
    if (end - start != 7) return false;
    {
        static const char want[] = "chunked";
        size_t i;
        for (i = 0; i < 7; i++) {
            char c = te[start + i];
            if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
            if (c != want[i]) return false;
        }
    }
    return true;
}

skew_framing skew_framing_of(const char *const *cl, const size_t *cl_lens, size_t n_cl, const char *te, size_t te_len,
                             uint64_t *len) {
    bool have = false;
    size_t i;
    *len = 0;
    if (te && te_len) {
        if (n_cl) return SKEW_FRAMING_BAD;
        return te_ends_chunked(te, te_len) ? SKEW_FRAMING_CHUNKED : SKEW_FRAMING_BAD;
    }
    for (i = 0; i < n_cl; i++)
        if (!cl_value(cl[i], cl_lens[i], &have, len)) return SKEW_FRAMING_BAD;
    return have ? SKEW_FRAMING_LENGTH : SKEW_FRAMING_NO_BODY;
}
