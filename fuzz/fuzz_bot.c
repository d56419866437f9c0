/* The bot filter: skew_is_bot() and skew_bot_filter_* on any User-Agent.
   Input: byte 0 = options, field 0 = a run-time pattern, field 1 = the User-Agent (or the
   whole rest when there is no separator).
   Invariants from the documentation: ASCII case-insensitive (the verdict of the UA equals that
   of its ASCII upper- and lower-cased copies), an empty or blank UA is a bot, a run-time bot
   pattern that occurs in the UA makes it a bot, an allow pattern that occurs in it beats every
   bot rule, and a filter without patterns agrees with skew_is_bot(). */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"

static char up[8192], low[8192];

static int contains_nocase(skew_str hay, skew_str pat) {
    size_t i, k;
    if (!pat.len || pat.len > hay.len) return 0;
    for (i = 0; i + pat.len <= hay.len; i++) {
        for (k = 0; k < pat.len; k++) {
            unsigned char a = (unsigned char)hay.ptr[i + k], b = (unsigned char)pat.ptr[k];
            if (a >= 'A' && a <= 'Z') a = (unsigned char)(a + 32);
            if (b >= 'A' && b <= 'Z') b = (unsigned char)(b + 32);
            if (a != b) break;
        }
        if (k == pat.len) return 1;
    }
    return 0;
}

static int blank(skew_str s) {
    size_t i;
    for (i = 0; i < s.len; i++)
        if (s.ptr[i] != ' ' && s.ptr[i] != '\t') return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz_in in = fz_input(data, size);
    uint8_t f;
    skew_str pat, ua;
    int more = 1, bot, has_pat;
    size_t i;
    skew_bot_filter flt;
    skew_result r;
    if (size > 8000) return 0;
    f = fz_byte(&in);
    pat = fz_field(&in, &more);
    if (more) {
        ua = fz_field(&in, &more);
    } else {
        ua = pat;
        pat = skew_str_n(NULL, 0);
    }

    bot = skew_is_bot(ua);
    if (blank(ua)) FZ_ASSERT(bot);
    for (i = 0; i < ua.len; i++) {
        char c = ua.ptr[i];
        up[i] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
        low[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    FZ_ASSERT(skew_is_bot(skew_str_n(up, ua.len)) == bot);
    FZ_ASSERT(skew_is_bot(skew_str_n(low, ua.len)) == bot);
    FZ_ASSERT(skew_is_bot(skew_str_n(NULL, 0)));

    /* a filter without patterns is the built-in verdict */
    skew_bot_filter_init(&flt);
    FZ_ASSERT(skew_bot_filter_is_bot(&flt, ua) == bot);

    /* one run-time pattern */
    r = skew_bot_filter_add(&flt, pat, (f & 1) != 0);
    has_pat = r == SKEW_OK;
    if (!pat.len) FZ_ASSERT(r == SKEW_ERR_INVALID);
    else if (pat.len > SKEW_BOT_PATTERN_MAX - 1) FZ_ASSERT(r == SKEW_ERR_TOO_LONG);
    else FZ_ASSERT(r == SKEW_OK);
    flt.allow_empty = (f & 2) != 0;
    flt.no_builtin = (f & 4) != 0;
    {
        int v = skew_bot_filter_is_bot(&flt, ua);
        int hit = has_pat && contains_nocase(ua, pat);
        if (blank(ua)) {
            FZ_ASSERT(v == !flt.allow_empty);
        } else if (hit && (f & 1)) {
            FZ_ASSERT(!v); /* allow beats every rule */
        } else if (hit) {
            FZ_ASSERT(v);
        } else if (flt.no_builtin) {
            FZ_ASSERT(!v);
        } else {
            FZ_ASSERT(v == bot);
        }
        FZ_ASSERT(skew_bot_filter_is_bot(&flt, skew_str_n(up, ua.len)) == v);
    }
    /* fill the filter: FULL past the limit, never an overflow */
    for (i = 0; i < SKEW_MAX_BOT_PATTERNS + 2; i++) {
        r = skew_bot_filter_add(&flt, skew_str_n("zz", 2), false);
        FZ_ASSERT(r == SKEW_OK || r == SKEW_ERR_FULL);
    }
    FZ_ASSERT(flt.count == SKEW_MAX_BOT_PATTERNS);
    return 0;
}
