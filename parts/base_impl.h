/* >>base  result names, version, small string helpers shared by every module */

static const char *const skew__result_names[] = {
#define SKEW__NAME(name, text) text,
    SKEW_RESULTS(SKEW__NAME)
#undef SKEW__NAME
};

SKEW_API const char *skew_result_str(skew_result r) {
    if ((unsigned)r >= (unsigned)SKEW_RESULT_COUNT) return "unknown result";
    return skew__result_names[r];
}

SKEW_API const char *skew_version(void) { return SKEW_TRACKER_VERSION_STRING; }

SKEW_API skew_str skew_request_header(const skew_request *req, const char *lowercase_name) {
    skew_str none = {NULL, 0};
    if (!req || !req->header || !lowercase_name) return none;
    none = req->header(req->header_ctx, lowercase_name);
    if (!none.ptr) none.len = 0;
    return none;
}

SKEW__PRIV skew_str skew__str(const char *p, size_t n) {
    skew_str s;
    s.ptr = p;
    s.len = n;
    return s;
}
SKEW__PRIV skew_str skew__cstr(const char *p) { return skew__str(p, p ? strlen(p) : 0); }

SKEW__PRIV unsigned char skew__lower(unsigned char c) {
    return (unsigned char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
}
SKEW__PRIV bool skew__is_space(unsigned char c) { return c == ' ' || c == '\t'; }

/* Trim spaces and tabs at both ends. */
SKEW__PRIV skew_str skew__trim(skew_str s) {
    while (s.len && skew__is_space((unsigned char)s.ptr[0])) { s.ptr++; s.len--; }
    while (s.len && skew__is_space((unsigned char)s.ptr[s.len - 1])) s.len--;
    return s;
}

SKEW__PRIV bool skew__eq_nocase(skew_str a, const char *b) {
    size_t i, n = strlen(b);
    if (a.len != n) return false;
    for (i = 0; i < n; i++)
        if (skew__lower((unsigned char)a.ptr[i]) != skew__lower((unsigned char)b[i])) return false;
    return true;
}
