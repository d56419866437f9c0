/* Cookie parsing: skew_get_cookie() and, through it, the version cookie and skew_auth_bearer();
   skew_open's own scan for the version cookie (skew__find_cookie) gives the same answer.
   Input: byte 0 picks the cookie name; the rest is a Cookie header value.
   Invariants: the value is a view inside the header, trimmed of spaces and tabs, holds no ';'
   or ',' (both separate pairs: HTTP/2 split cookies may be joined either way), sits after
   "name=" (with optional spaces and an optional opening quote) at a pair start, and agrees
   with a reference parser (first pair whose trimmed name matches). */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"

static int sp(char c) { return c == ' ' || c == '\t'; }

static skew_str trim(skew_str s) {
    while (s.len && sp(s.ptr[0])) { s.ptr++; s.len--; }
    while (s.len && sp(s.ptr[s.len - 1])) s.len--;
    return s;
}

static int ref_cookie(skew_str h, const char *name, skew_str *out) {
    size_t i = 0, nlen = strlen(name);
    while (i < h.len) {
        size_t st = i, eq;
        skew_str pair, k, v;
        while (i < h.len && h.ptr[i] != ';' && h.ptr[i] != ',') i++;
        pair = skew_str_n(h.ptr + st, i - st);
        i++;
        for (eq = 0; eq < pair.len && pair.ptr[eq] != '='; eq++) {}
        if (eq == pair.len) continue;
        k = trim(skew_str_n(pair.ptr, eq));
        if (k.len != nlen || memcmp(k.ptr, name, nlen) != 0) continue;
        v = trim(skew_str_n(pair.ptr + eq + 1, pair.len - eq - 1));
        if (v.len >= 2 && v.ptr[0] == '"' && v.ptr[v.len - 1] == '"') { v.ptr++; v.len -= 2; }
        *out = v;
        return 1;
    }
    return 0;
}

static skew_str hdr_value;
static skew_str one_header(void *ctx, const char *name) {
    (void)ctx;
    if (strcmp(name, "cookie") == 0) return hdr_value;
    return skew_str_n(NULL, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const names[4] = {"__nkpv", "skew_admin", "a", "v"};
    const char *name;
    skew_str h, v, rv;
    skew_result r;
    int found;
    size_t i;
    if (!size || size > 4096) return 0;
    name = names[data[0] & 3];
    h = skew_str_n((const char *)data + 1, size - 1);
    r = skew_get_cookie(h, name, &v);
    found = ref_cookie(h, name, &rv);
    FZ_ASSERT((r == SKEW_OK) == found);
    if (r == SKEW_OK) {
        FZ_ASSERT(v.ptr == rv.ptr && v.len == rv.len);
        FZ_ASSERT(v.ptr >= h.ptr && v.ptr + v.len <= h.ptr + h.len);
        for (i = 0; i < v.len; i++) FZ_ASSERT(v.ptr[i] != ';' && v.ptr[i] != ',');
    } else {
        FZ_ASSERT(r == SKEW_ERR_NOT_FOUND && v.ptr == NULL && v.len == 0);
    }
#if !SKEW_OPTIMIZE_SIZE
    { /* the open's own scan for the version cookie: the same answer, the same view */
        skew_str fv;
        FZ_ASSERT(skew__find_cookie(h, name, strlen(name), &fv) == r && fv.ptr == v.ptr && fv.len == v.len);
    }
#endif
    /* the admin-cookie check through the request view */
    {
        skew_request req;
        skew_auth_result a;
        memset(&req, 0, sizeof req);
        hdr_value = h;
        req.header = one_header;
        a = skew_auth_bearer(&req, skew_str_n("tok", 3));
        found = ref_cookie(h, "skew_admin", &rv) && rv.len == 3 && memcmp(rv.ptr, "tok", 3) == 0;
        FZ_ASSERT(a == (found ? SKEW_AUTH_RESULT_GRANTED : SKEW_AUTH_RESULT_DENIED));
        FZ_ASSERT(skew_auth_bearer(&req, skew_str_n("", 0)) == SKEW_AUTH_RESULT_UNAVAILABLE);
    }
    return 0;
}
