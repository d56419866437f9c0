/* Query strings and URL decoding: skew_get_query_param() and skew_url_decode().
   Input: byte 0 picks the parameter name, form mode and output cap; the rest is the query.
   Invariants: results are views inside the query, preceded by "name=" at a parameter start and
   ended by a separator; no earlier parameter has that name; decoding never overruns its cap,
   always NUL-terminates, gives at most one byte per input byte, agrees with a reference decoder,
   and encode-then-decode gives the bytes back. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"

static char out[4200];
static char enc[3 * 4096 + 1];
static char ref[4200];

/* Reference decoder: -1 for a bad '%', else the decoded length. */
static long ref_decode(const char *p, size_t n, int form, char *o) {
    size_t i, k = 0;
    for (i = 0; i < n; i++) {
        if (p[i] == '%') {
            int h1, h2;
            if (n - i < 3) return -1;
            h1 = fz_hex((uint8_t)p[i + 1]);
            h2 = fz_hex((uint8_t)p[i + 2]);
            if (h1 < 0 || h2 < 0) return -1;
            o[k++] = (char)(h1 * 16 + h2);
            i += 2;
        } else {
            o[k++] = (form && p[i] == '+') ? ' ' : p[i];
        }
    }
    return (long)k;
}

static int is_sep(char c) { return c == '&'; }

/* Reference lookup: the first parameter whose key is exactly name. */
static int ref_param(skew_str q, const char *name, skew_str *v) {
    size_t i = 0, nlen = strlen(name);
    while (i <= q.len) {
        size_t st = i, eq;
        while (i < q.len && !is_sep(q.ptr[i])) i++;
        for (eq = st; eq < i && q.ptr[eq] != '='; eq++) {}
        if (eq - st == nlen && memcmp(q.ptr + st, name, nlen) == 0) {
            v->ptr = q.ptr + (eq < i ? eq + 1 : i);
            v->len = eq < i ? i - eq - 1 : 0;
            return 1;
        }
        if (i == q.len) break;
        i++;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const names[4] = {"route", "a", "connectionId", "x"};
    static const size_t caps[4] = {sizeof out, 1, 2, 17};
    const char *name;
    size_t nlen, cap, n = 99, i;
    int form;
    skew_str q, v;
    skew_result r;
    long rn;
    if (!size || size > 4096) return 0;
    name = names[data[0] & 3];
    nlen = strlen(name);
    form = (data[0] >> 2) & 1;
    cap = caps[(data[0] >> 3) & 3];
    q = skew_str_n((const char *)data + 1, size - 1);

    r = skew_get_query_param(q, name, &v);
    {
        skew_str rv;
        int found = ref_param(q, name, &rv);
        FZ_ASSERT((r == SKEW_OK) == found);
        if (found) FZ_ASSERT(rv.ptr == v.ptr && rv.len == v.len);
    }
    if (r == SKEW_OK) {
        size_t off;
        FZ_ASSERT(v.ptr >= q.ptr && v.ptr + v.len <= q.ptr + q.len);
        off = (size_t)(v.ptr - q.ptr);
        /* "name=" right before the value (or a bare "name" with an empty value) */
        if (off >= nlen + 1 && q.ptr[off - 1] == '=' && memcmp(q.ptr + off - 1 - nlen, name, nlen) == 0) {
            size_t st = off - 1 - nlen;
            FZ_ASSERT(st == 0 || is_sep(q.ptr[st - 1]));
        } else {
            FZ_ASSERT(v.len == 0 && off >= nlen && memcmp(q.ptr + off - nlen, name, nlen) == 0);
            FZ_ASSERT(off == nlen || is_sep(q.ptr[off - nlen - 1]));
        }
        FZ_ASSERT(v.ptr + v.len == q.ptr + q.len || is_sep(v.ptr[v.len]));
        for (i = 0; i < v.len; i++) FZ_ASSERT(!is_sep(v.ptr[i]));
    } else {
        FZ_ASSERT(r == SKEW_ERR_NOT_FOUND);
        FZ_ASSERT(v.ptr == NULL && v.len == 0);
    }

    /* decode the whole query and the found value */
    memset(out, 0x5A, sizeof out);
    r = skew_url_decode(q, form != 0, out, cap, &n);
    FZ_ASSERT(r == SKEW_OK || r == SKEW_ERR_INVALID || r == SKEW_ERR_TOO_LONG);
    if (cap < sizeof out) FZ_ASSERT((unsigned char)out[cap] == 0x5A);
    FZ_ASSERT(memchr(out, 0, cap) != NULL);
    rn = ref_decode(q.ptr, q.len, form, ref);
    if (r == SKEW_OK) {
        FZ_ASSERT(rn >= 0 && (size_t)rn == n && n < cap && n <= q.len);
        FZ_ASSERT(memcmp(out, ref, n) == 0 && out[n] == '\0');
    } else if (r == SKEW_ERR_INVALID) {
        FZ_ASSERT(rn < 0);
        FZ_ASSERT(n == 0);
    } else {
        /* too long: either the decoded text does not fit, or it does not fit before a bad '%' */
        FZ_ASSERT(n == 0);
        if (rn >= 0) FZ_ASSERT((size_t)rn >= cap);
        FZ_ASSERT(out[cap - 1] == '\0');
    }
    if (r == SKEW_OK && cap == sizeof out) {
        /* encode every byte, decode: the bytes come back */
        size_t k = 0;
        for (i = 0; i < n; i++) {
            enc[k++] = '%';
            enc[k++] = "0123456789ABCDEF"[(unsigned char)out[i] >> 4];
            enc[k++] = "0123456789abcdef"[(unsigned char)out[i] & 15];
        }
        memcpy(ref, out, n);
        FZ_ASSERT(skew_url_decode(skew_str_n(enc, k), form != 0, out, sizeof out, &i) == SKEW_OK);
        FZ_ASSERT(i == n && memcmp(out, ref, n) == 0);
    }
    /* null and zero-capacity outputs are refused, not written */
    FZ_ASSERT(skew_url_decode(q, form != 0, NULL, 0, &n) == SKEW_ERR_TOO_LONG && n == 0);
    return 0;
}
