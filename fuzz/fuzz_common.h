/* fuzz_common.h - what the libFuzzer targets in fuzz/ share.

   Each target is one .c file that defines SKEW_TRACKER_IMPLEMENTATION, includes this header and
   defines LLVMFuzzerTestOneInput. It is built twice: with clang -fsanitize=fuzzer (fuzz/build.mk)
   and with fuzz/replay.c as a plain main() (gcc, ASan/UBSan), so nothing here may depend on
   libFuzzer.

   Input format of the structured targets: one or two flag bytes, then fields separated by the
   byte 0x1E (ASCII record separator, "\x1e" in fuzz/skew.dict). Fields may hold any other byte,
   NUL included.

   Oracles that do not come from the library:
     fz_json_*    an independent JSON checker/decoder (RFC 8259 grammar, depth bound, optional
                  strict UTF-8), used to check every message and body the library writes
     fz_utf8_*    UTF-8 validation and the "maximal subpart -> U+FFFD" rule, written from the
                  Unicode standard's Table 3-7 (well-formed byte sequences) */
#ifndef SKEW_FUZZ_COMMON_H
#define SKEW_FUZZ_COMMON_H

#include "skew_tracker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_SEP 0x1E

/* Helpers are static and may go unused in a target. Under clang they are not instrumented for
   coverage: the oracles' own branches would only add noise (and time) to the search. */
#if defined(__clang__)
#define FZ_FN static __attribute__((unused, no_sanitize("coverage")))
#elif defined(__GNUC__)
#define FZ_FN static __attribute__((unused))
#else
#define FZ_FN static
#endif

/* A failed invariant: say which, then abort so libFuzzer (or the replay driver) records it. */
#define FZ_ASSERT(cond)                                                                 \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "fuzz invariant failed: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                    \
        }                                                                               \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- input splitting ------------------------------------------------------------------- */

typedef struct fz_in {
    const uint8_t *p;
    size_t n;
} fz_in;

FZ_FN uint8_t fz_byte(fz_in *in) {
    uint8_t b;
    if (!in->n) return 0;
    b = in->p[0];
    in->p++;
    in->n--;
    return b;
}

/* The whole input, to be read with fz_byte and fz_field. */
FZ_FN fz_in fz_input(const uint8_t *data, size_t size) {
    fz_in in;
    in.p = data;
    in.n = size;
    return in;
}

/* The next field (up to FZ_SEP or the end). *more is false once the input is used up. */
FZ_FN skew_str fz_field(fz_in *in, int *more) {
    skew_str s;
    size_t i = 0;
    while (i < in->n && in->p[i] != FZ_SEP) i++;
    s.ptr = (const char *)in->p;
    s.len = i;
    *more = i < in->n;
    in->p += i < in->n ? i + 1 : i;
    in->n -= i < in->n ? i + 1 : i;
    return s;
}

/* ---- UTF-8, from Unicode Table 3-7 ------------------------------------------------------ */

/* Allowed range of the second byte for each lead byte; later bytes are always 80..BF. */
typedef struct fz_lead {
    uint8_t lo, hi;  /* lead byte range */
    uint8_t len;     /* sequence length */
    uint8_t b2lo, b2hi;
} fz_lead;

static const fz_lead fz_leads[] = {
    {0x00, 0x7F, 1, 0, 0},       {0xC2, 0xDF, 2, 0x80, 0xBF}, {0xE0, 0xE0, 3, 0xA0, 0xBF},
    {0xE1, 0xEC, 3, 0x80, 0xBF}, {0xED, 0xED, 3, 0x80, 0x9F}, {0xEE, 0xEF, 3, 0x80, 0xBF},
    {0xF0, 0xF0, 4, 0x90, 0xBF}, {0xF1, 0xF3, 4, 0x80, 0xBF}, {0xF4, 0xF4, 4, 0x80, 0x8F},
};

/* At p (n bytes left): *len gets the length of a well-formed character (returns 1), or the
   length of the maximal subpart of an ill-formed one (returns 0, *len >= 1). */
FZ_FN int fz_utf8_next(const uint8_t *p, size_t n, size_t *len) {
    size_t k, i;
    for (k = 0; k < sizeof fz_leads / sizeof fz_leads[0]; k++) {
        const fz_lead *L = &fz_leads[k];
        if (p[0] < L->lo || p[0] > L->hi) continue;
        for (i = 1; i < L->len; i++) {
            uint8_t lo = i == 1 ? L->b2lo : 0x80, hi = i == 1 ? L->b2hi : 0xBF;
            if (i >= n || p[i] < lo || p[i] > hi) {
                *len = i;
                return 0;
            }
        }
        *len = L->len;
        return 1;
    }
    *len = 1; /* 80..C1, F5..FF never start a character */
    return 0;
}

FZ_FN int fz_utf8_valid(const uint8_t *p, size_t n) {
    size_t i = 0, len;
    while (i < n) {
        if (!fz_utf8_next(p + i, n - i, &len)) return 0;
        i += len;
    }
    return 1;
}

/* What the tracker stores (PROTOCOL.md, "text it keeps"): well-formed UTF-8 without C0 or C1
   controls, DEL, bidi controls (U+061C, U+200E/F, U+202A..E, U+2066..9) or zero-width and
   invisible characters (U+200B..D, U+2060, U+FEFF). Decoded by code point, not by byte pattern,
   so it checks the header's byte tests from the other side. */
FZ_FN int fz_text_storable(const uint8_t *p, size_t n) {
    size_t i = 0, len;
    while (i < n) {
        uint32_t cp;
        if (!fz_utf8_next(p + i, n - i, &len)) return 0;
        cp = len == 1 ? p[i] : len == 2 ? (uint32_t)(p[i] & 0x1F) << 6 | (p[i + 1] & 0x3F)
           : len == 3 ? (uint32_t)(p[i] & 0x0F) << 12 | (uint32_t)(p[i + 1] & 0x3F) << 6 | (p[i + 2] & 0x3F)
                      : 0x10000; /* four-byte characters are all storable */
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) ||
            (cp >= 0x202A && cp <= 0x202E) || cp == 0x2060 || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF)
            return 0;
        i += len;
    }
    return 1;
}

/* Input with every maximal ill-formed subpart replaced by EF BF BD. out needs 3*n bytes. */
FZ_FN size_t fz_utf8_sanitize(const uint8_t *p, size_t n, uint8_t *out) {
    size_t i = 0, o = 0, len;
    while (i < n) {
        if (fz_utf8_next(p + i, n - i, &len)) {
            memcpy(out + o, p + i, len);
            o += len;
        } else {
            out[o++] = 0xEF;
            out[o++] = 0xBF;
            out[o++] = 0xBD;
        }
        i += len;
    }
    return o;
}

/* ---- an independent JSON checker/decoder ---------------------------------------------- */

typedef struct fz_json {
    const uint8_t *p, *end;
    int depth, max_depth;
    int strict_utf8;     /* raw bytes in strings must be well-formed UTF-8 */
    int lone_surrogates; /* 0: reject \uD800 without its pair; 1: decode it as U+FFFD */
} fz_json;

FZ_FN void fz_json_ws(fz_json *j) {
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) j->p++;
}

FZ_FN int fz_hex(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = (uint8_t)(c | 0x20);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

FZ_FN int fz_json_u4(fz_json *j, unsigned long *v) {
    int i;
    *v = 0;
    if (j->end - j->p < 4) return 0;
    for (i = 0; i < 4; i++) {
        int h = fz_hex(j->p[i]);
        if (h < 0) return 0;
        *v = *v * 16u + (unsigned long)h;
    }
    j->p += 4;
    return 1;
}

FZ_FN size_t fz_put_utf8(uint8_t *o, unsigned long cp) {
    if (cp < 0x80) { o[0] = (uint8_t)cp; return 1; }
    if (cp < 0x800) { o[0] = (uint8_t)(0xC0 | (cp >> 6)); o[1] = (uint8_t)(0x80 | (cp & 63)); return 2; }
    if (cp < 0x10000) {
        o[0] = (uint8_t)(0xE0 | (cp >> 12)); o[1] = (uint8_t)(0x80 | ((cp >> 6) & 63));
        o[2] = (uint8_t)(0x80 | (cp & 63));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | (cp >> 18)); o[1] = (uint8_t)(0x80 | ((cp >> 12) & 63));
    o[2] = (uint8_t)(0x80 | ((cp >> 6) & 63)); o[3] = (uint8_t)(0x80 | (cp & 63));
    return 4;
}

/* A string at j->p (the opening quote). Decoded bytes go to out (may be NULL) up to cap;
   *len gets the full decoded length. */
FZ_FN int fz_json_string(fz_json *j, uint8_t *out, size_t cap, size_t *len) {
    size_t n = 0;
    uint8_t tmp[4];
    if (j->p >= j->end || *j->p != '"') return 0;
    j->p++;
    for (;;) {
        const uint8_t *chunk;
        size_t clen, i;
        if (j->p >= j->end) return 0;
        if (*j->p == '"') { j->p++; break; }
        if (*j->p < 0x20) return 0;
        if (*j->p == '\\') {
            unsigned long cp;
            if (j->end - j->p < 2) return 0;
            j->p += 2;
            switch (j->p[-1]) {
            case '"': tmp[0] = '"'; clen = 1; break;
            case '\\': tmp[0] = '\\'; clen = 1; break;
            case '/': tmp[0] = '/'; clen = 1; break;
            case 'b': tmp[0] = 8; clen = 1; break;
            case 'f': tmp[0] = 12; clen = 1; break;
            case 'n': tmp[0] = 10; clen = 1; break;
            case 'r': tmp[0] = 13; clen = 1; break;
            case 't': tmp[0] = 9; clen = 1; break;
            case 'u':
                if (!fz_json_u4(j, &cp)) return 0;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    unsigned long lo = 0;
                    const uint8_t *save = j->p;
                    if (j->end - j->p >= 6 && j->p[0] == '\\' && j->p[1] == 'u') {
                        j->p += 2;
                        if (fz_json_u4(j, &lo) && lo >= 0xDC00 && lo <= 0xDFFF)
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        else
                            j->p = save;
                    }
                }
                if (cp >= 0xD800 && cp <= 0xDFFF) {
                    if (!j->lone_surrogates) return 0;
                    cp = 0xFFFD;
                }
                clen = fz_put_utf8(tmp, cp);
                break;
            default:
                return 0;
            }
            chunk = tmp;
        } else if (*j->p < 0x80 || !j->strict_utf8) {
            chunk = j->p;
            clen = 1;
            j->p++;
        } else {
            if (!fz_utf8_next(j->p, (size_t)(j->end - j->p), &clen)) return 0;
            chunk = j->p;
            j->p += clen;
        }
        for (i = 0; i < clen; i++, n++)
            if (out && n < cap) out[n] = chunk[i];
    }
    if (len) *len = n;
    return 1;
}

FZ_FN int fz_json_number(fz_json *j) {
    const uint8_t *s;
    if (j->p < j->end && *j->p == '-') j->p++;
    if (j->p >= j->end) return 0;
    if (*j->p == '0') j->p++;
    else if (*j->p >= '1' && *j->p <= '9') while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
    else return 0;
    if (j->p < j->end && *j->p == '.') {
        j->p++;
        s = j->p;
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
        if (j->p == s) return 0;
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-')) j->p++;
        s = j->p;
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
        if (j->p == s) return 0;
    }
    return 1;
}

FZ_FN int fz_json_word(fz_json *j, const char *w) {
    size_t n = strlen(w);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0) return 0;
    j->p += n;
    return 1;
}

/* One value, recursively (depth bounded by max_depth containers). */
FZ_FN int fz_json_value(fz_json *j) {
    fz_json_ws(j);
    if (j->p >= j->end) return 0;
    switch (*j->p) {
    case '{':
    case '[': {
        uint8_t close = *j->p == '{' ? '}' : ']';
        int first = 1;
        if (j->depth >= j->max_depth) return 0;
        j->depth++;
        j->p++;
        for (;;) {
            fz_json_ws(j);
            if (j->p < j->end && *j->p == close && first) { j->p++; break; }
            if (close == '}') {
                if (!fz_json_string(j, NULL, 0, NULL)) return 0;
                fz_json_ws(j);
                if (j->p >= j->end || *j->p != ':') return 0;
                j->p++;
            }
            if (!fz_json_value(j)) return 0;
            fz_json_ws(j);
            if (j->p >= j->end) return 0;
            if (*j->p == ',') { j->p++; first = 0; continue; }
            if (*j->p == close) { j->p++; break; }
            return 0;
        }
        j->depth--;
        return 1;
    }
    case '"': return fz_json_string(j, NULL, 0, NULL);
    case 't': return fz_json_word(j, "true");
    case 'f': return fz_json_word(j, "false");
    case 'n': return fz_json_word(j, "null");
    default: return fz_json_number(j);
    }
}

FZ_FN void fz_json_init(fz_json *j, const void *p, size_t n, int strict_utf8) {
    memset(j, 0, sizeof *j);
    j->p = (const uint8_t *)p;
    j->end = j->p + n;
    j->max_depth = SKEW_JSON_MAX_DEPTH;
    j->strict_utf8 = strict_utf8;
    j->lone_surrogates = !strict_utf8; /* the grammar allows them; the library never writes them */
}

/* A whole JSON text: one value and nothing but whitespace after it. */
FZ_FN int fz_json_valid(const void *p, size_t n, int strict_utf8) {
    fz_json j;
    fz_json_init(&j, p, n, strict_utf8);
    if (!fz_json_value(&j)) return 0;
    fz_json_ws(&j);
    return j.p == j.end;
}

/* The independent answer to skew_json_get_string(): 1 = the first top-level member named key
   is a string (decoded into ref, full length in *vn; lone surrogates -> U+FFFD), 0 = absent or
   not a string, -1 = invalid document (any raw bytes allowed in strings) or not an object. */
FZ_FN int fz_json_get(const uint8_t *p, size_t n, const char *key, uint8_t *ref, size_t refcap, size_t *vn) {
    fz_json j;
    int found = 0, first = 1;
    size_t klen = strlen(key);
    if (!fz_json_valid(p, n, 0)) return -1;
    fz_json_init(&j, p, n, 0);
    j.lone_surrogates = 1;
    fz_json_ws(&j);
    if (*j.p != '{') return -1;
    j.p++;
    j.depth = 1;
    for (;;) {
        uint8_t kb[80];
        size_t kn = 0;
        fz_json_ws(&j);
        if (*j.p == '}' && first) return 0;
        first = 0;
        FZ_ASSERT(fz_json_string(&j, kb, sizeof kb, &kn));
        fz_json_ws(&j);
        FZ_ASSERT(*j.p == ':');
        j.p++;
        fz_json_ws(&j);
        if (!found && kn == klen && memcmp(kb, key, klen) == 0) {
            if (*j.p != '"') return 0; /* the first member of that name is not a string */
            FZ_ASSERT(fz_json_string(&j, ref, refcap, vn));
            return 1;
        }
        FZ_ASSERT(fz_json_value(&j));
        fz_json_ws(&j);
        if (*j.p == '}') return 0;
        FZ_ASSERT(*j.p == ',');
        j.p++;
    }
}

/* A JSON text the library wrote: valid, well-formed UTF-8, no NUL inside. */
FZ_FN void fz_check_json_out(const char *p, size_t n) {
    FZ_ASSERT(memchr(p, 0, n) == NULL);
    FZ_ASSERT(fz_json_valid(p, n, 1));
}

/* snprintf contract of a writer: out(NULL,0) measures, every cap gets the prefix + NUL. */
typedef size_t (*fz_writer_fn)(void *ctx, char *buf, size_t cap);

FZ_FN void fz_check_writer(fz_writer_fn fn, void *ctx, char *full, size_t full_cap, size_t *out_len) {
    size_t n = fn(ctx, NULL, 0), cap, keep;
    char small[64];
    FZ_ASSERT(n + 1 <= full_cap);
    memset(full, 0x5A, n + 2 <= full_cap ? n + 2 : full_cap);
    FZ_ASSERT(fn(ctx, full, n + 1) == n);
    FZ_ASSERT(full[n] == '\0');
    if (n + 1 < full_cap) FZ_ASSERT(full[n + 1] == 0x5A);
    /* one short buffer: the prefix, NUL-terminated, nothing written past cap */
    cap = n / 2 + 1 < sizeof small - 1 ? n / 2 + 1 : sizeof small - 1;
    memset(small, 0x5A, sizeof small);
    FZ_ASSERT(fn(ctx, small, cap) == n);
    keep = n < cap - 1 ? n : cap - 1;
    FZ_ASSERT(memcmp(small, full, keep) == 0);
    FZ_ASSERT(small[keep] == '\0');
    FZ_ASSERT((unsigned char)small[cap] == 0x5A);
    *out_len = n;
}

/* ---- a tracker for the stateful targets ------------------------------------------------ */

#define FZ_MAX_CONNS 8
#define FZ_MEM (256u * 1024u)

typedef struct fz_conn {
    int live;
    skew_handle h;
    char last[512];   /* last message, cut */
    size_t last_len;
    unsigned nmsg;
    int fail;         /* the send hook fails for this connection */
} fz_conn;

typedef struct fz_env {
    fz_conn conns[FZ_MAX_CONNS];
    uint64_t now;
    uint32_t rnd;
    int auth_mode;    /* 0: no hook answer (UNAVAILABLE), 1: bearer "tok", 2: always granted */
    int closes;
    int frame_sse;    /* skew_config.frame_sse: SSE messages arrive as "data: <json>\n\n" */
    skew_tracker *t;
} fz_env;

static fz_env fz_e;
/* skew_tracker_init needs 16-byte alignment. */
#if defined(__GNUC__) || defined(__clang__)
#define FZ_ALIGNED __attribute__((aligned(16)))
#else
#define FZ_ALIGNED
#endif
static struct {
    unsigned char b[FZ_MEM];
} fz_mem FZ_ALIGNED;

FZ_FN skew_result fz_send(void *ud, const skew_conn *c, const char *msg, size_t len) {
    fz_env *e = (fz_env *)ud;
    fz_conn *fc = (fz_conn *)c->user;
    FZ_ASSERT(fc != NULL);
    if (e->frame_sse && c->transport == SKEW_TRANSPORT_SSE) { /* exactly one event around the JSON */
        FZ_ASSERT(len >= 8 && memcmp(msg, "data: ", 6) == 0 && msg[len - 2] == '\n' && msg[len - 1] == '\n');
        FZ_ASSERT(!memchr(msg, '\n', len - 2) && !memchr(msg, '\r', len));
        msg += 6;
        len -= 8;
    }
    fz_check_json_out(msg, len);
    fc->nmsg++;
    fc->last_len = len < sizeof fc->last ? len : sizeof fc->last;
    memcpy(fc->last, msg, fc->last_len);
    return fc->fail ? SKEW_ERR_SEND : SKEW_OK;
}

FZ_FN void fz_on_close(void *ud, const skew_conn *c, skew_close_reason why) {
    fz_env *e = (fz_env *)ud;
    fz_conn *fc = (fz_conn *)c->user;
    (void)why;
    e->closes++;
    FZ_ASSERT(fc != NULL);
    fc->live = 0;
}

FZ_FN void fz_on_route(void *ud, const skew_conn *c, skew_str old) {
    (void)ud;
    FZ_ASSERT(c->route.len == 0 || c->route.ptr != NULL);
    FZ_ASSERT(old.len == 0 || old.ptr != NULL);
}

FZ_FN skew_auth_result fz_authorize(void *ud, const skew_request *req, skew_auth_scope scope) {
    fz_env *e = (fz_env *)ud;
    static const char tok[] = "tok";
    (void)scope;
    if (e->auth_mode == 1) return skew_auth_bearer(req, skew_str_n(tok, 3));
    if (e->auth_mode == 2) return SKEW_AUTH_RESULT_GRANTED;
    return SKEW_AUTH_RESULT_UNAVAILABLE;
}

FZ_FN uint64_t fz_now(void *ud) { return ((fz_env *)ud)->now; }

/* Deterministic on purpose (a fuzz input must replay the same way). Not a CSPRNG. */
FZ_FN skew_result fz_random(void *ud, void *buf, size_t len) {
    fz_env *e = (fz_env *)ud;
    size_t i;
    for (i = 0; i < len; i++) {
        e->rnd = e->rnd * 1103515245u + 12345u;
        ((uint8_t *)buf)[i] = (uint8_t)(e->rnd >> 16);
    }
    return SKEW_OK;
}

/* The fake hooks of every target's tracker (fz_e: its clock, randomness, sends, verdicts). */
FZ_FN void fz_hooks(skew_config *c) {
    c->hooks.user_data = &fz_e;
    c->hooks.send = fz_send;
    c->hooks.on_close = fz_on_close;
    c->hooks.authorize = fz_authorize;
    c->hooks.epoch_ms = fz_now;
    c->hooks.random_bytes = fz_random;
}

/* A small tracker whose shape comes from two flag bytes. */
FZ_FN skew_tracker *fz_tracker(uint8_t f1, uint8_t f2, skew_config *out_cfg) {
    static const uint32_t vlens[4] = {2, 8, 64, 9};
    static const uint32_t rlens[4] = {1, 16, 256, 5};
    static const char *const extra_bots[] = {"evilbot", "x"};
    static const char *const allows[] = {"friendly"};
    skew_config c;
    size_t need;
    skew_tracker *t = NULL;
    memset(&fz_e, 0, sizeof fz_e);
    fz_e.now = 1700000000000ull;
    fz_e.rnd = 0x12345678u;
    fz_e.auth_mode = f2 & 3;
    memset(&c, 0, sizeof c);
    c.server_version = "v1";
    c.route_tracking = (f1 & 1) != 0;
    c.ip_tracking = (f1 & 2) != 0;
    c.bot_filter_off = (f1 & 4) != 0;
    c.allow_empty_user_agent = (f1 & 8) != 0;
    c.stats_interval_ms = (f1 & 16) ? SKEW_STATS_IMMEDIATE : 0;
    c.max_connections = (f1 & 32) ? 2 : 6;
    c.max_versions = (f1 & 64) ? 1 : 3;
    c.max_routes = (f1 & 128) ? 1 : 3;
    c.max_version_len = vlens[(f2 >> 2) & 3];
    c.max_route_len = rlens[(f2 >> 4) & 3];
    c.max_listed = (f2 & 64) ? 1 : 4;
    c.max_body = 512;
    c.timeline_samples = 3; /* a tiny rollout timeline: every tick samples, the ring wraps */
    c.timeline_period_ms = 37;
    c.timeline_series = 2;
    c.frame_sse = ((f1 ^ f2) & 1) != 0; /* no flag bit is free: half of each shape frames SSE */
    if (f2 & 128) {
        c.base_path = "/x";
        c.version_cookie = "v";
        c.bot_patterns = extra_bots;
        c.bot_pattern_count = 2;
        c.allow_patterns = allows;
        c.allow_pattern_count = 1;
        c.ip_policy.trust_all = (f1 & 64) != 0;
        c.ip_policy.max_hops = 2;
    }
    fz_hooks(&c);
    c.hooks.on_route_update = fz_on_route;
    need = skew_tracker_memory_size(&c);
    FZ_ASSERT(need > 0 && need <= FZ_MEM);
    FZ_ASSERT(skew_tracker_init(&t, &c, fz_mem.b, FZ_MEM) == SKEW_OK);
    fz_e.t = t;
    fz_e.frame_sse = c.frame_sse;
    if (out_cfg) *out_cfg = c;
    return t;
}

/* Headers of a fuzzed request: "name:value" fields, names matched case-insensitively. */
#define FZ_MAX_HEADERS 12
typedef struct fz_headers {
    skew_str name[FZ_MAX_HEADERS], value[FZ_MAX_HEADERS];
    int n;
} fz_headers;

FZ_FN int fz_name_eq(skew_str a, const char *b) {
    size_t i, n = strlen(b);
    if (a.len != n) return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)a.ptr[i];
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
        if (c != (unsigned char)b[i]) return 0;
    }
    return 1;
}

FZ_FN skew_str fz_header_fn(void *ctx, const char *name) {
    const fz_headers *h = (const fz_headers *)ctx;
    int i;
    for (i = 0; i < h->n; i++)
        if (fz_name_eq(h->name[i], name)) return h->value[i];
    return skew_str_n(NULL, 0);
}

FZ_FN void fz_header_add(fz_headers *h, skew_str line) {
    size_t i = 0;
    if (h->n >= FZ_MAX_HEADERS) return;
    while (i < line.len && line.ptr[i] != ':') i++;
    h->name[h->n] = skew_str_n(line.ptr, i);
    h->value[h->n] = i < line.len ? skew_str_n(line.ptr + i + 1, line.len - i - 1) : skew_str_n(line.ptr + i, 0);
    /* one optional space after the colon, as a header parser would strip it */
    if (h->value[h->n].len && h->value[h->n].ptr[0] == ' ') { h->value[h->n].ptr++; h->value[h->n].len--; }
    h->n++;
}

/* Copy src to dst replacing every "@ID@" with id (36 chars). Returns the new length. */
FZ_FN size_t fz_subst_id(skew_str src, const char *id, char *dst, size_t cap) {
    size_t i = 0, o = 0;
    while (i < src.len && o < cap) {
        if (src.len - i >= 4 && memcmp(src.ptr + i, "@ID@", 4) == 0 && cap - o >= 36) {
            memcpy(dst + o, id, 36);
            o += 36;
            i += 4;
        } else {
            dst[o++] = src.ptr[i++];
        }
    }
    return o;
}

/* A browser request that opens a stream; returns the handle (0 if refused). */
FZ_FN skew_handle fz_open_browser(skew_tracker *t, int slot, int ws, const char *query, const char *cookie) {
    static const char ua[] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
    fz_headers h;
    skew_request r;
    skew_handle hd = 0;
    const skew_config *c = skew_get_config(t);
    char path[160];
    size_t bl = strlen(c->base_path);
    char line[96];
    memset(&h, 0, sizeof h);
    memset(&r, 0, sizeof r);
    h.name[0] = skew_str_n("user-agent", 10);
    h.value[0] = skew_str_n(ua, sizeof ua - 1);
    h.n = 1;
    if (cookie) {
        size_t cl = strlen(c->version_cookie), vl = strlen(cookie);
        if (cl + vl + 1 < sizeof line) {
            memcpy(line, c->version_cookie, cl);
            line[cl] = '=';
            memcpy(line + cl + 1, cookie, vl);
            h.name[1] = skew_str_n("cookie", 6);
            h.value[1] = skew_str_n(line, cl + 1 + vl);
            h.n = 2;
        }
    }
    if (ws) {
        h.name[h.n] = skew_str_n("authorization", 13);
        h.value[h.n] = skew_str_n("Bearer tok", 10);
        h.n++;
    }
    memcpy(path, c->base_path, bl);
    memcpy(path + bl, ws ? "/ws" : "/sse", ws ? 3 : 4);
    r.method = skew_str_n("GET", 3);
    r.path = skew_str_n(path, bl + (ws ? 3u : 4u));
    r.query = skew_str_n(query ? query : "", query ? strlen(query) : 0);
    r.header = fz_header_fn;
    r.header_ctx = &h;
    r.upgrade = ws != 0;
    r.peer.family = 4;
    r.peer.bytes[0] = 127;
    r.peer.bytes[3] = 1;
    fz_e.conns[slot].live = 1;
    if (skew_open(t, &r, &fz_e.conns[slot], &hd) != SKEW_OK) {
        fz_e.conns[slot].live = 0;
        return 0;
    }
    fz_e.conns[slot].h = hd;
    return hd;
}

/* Invariants of a tracker at rest: counts add up, names are clean, stats are valid JSON. */
static char fz_big[1u << 16];

/* Sum of the counts of a flat JSON object {"name":N,...} (a stats map), scanned independently of
   the library's writers: digits outside strings are the counts. */
FZ_FN uint64_t fz_map_sum(skew_str obj) {
    uint64_t sum = 0, v = 0;
    size_t i;
    int in_str = 0, in_num = 0;
    for (i = 0; i < obj.len; i++) {
        char c = obj.ptr[i];
        if (in_str) {
            if (c == '\\') i++;
            else if (c == '"') in_str = 0;
            continue;
        }
        if (c == '"') in_str = 1;
        else if (c >= '0' && c <= '9') {
            v = v * 10 + (uint64_t)(c - '0');
            in_num = 1;
        } else if (in_num) {
            sum += v;
            v = 0;
            in_num = 0;
        }
    }
    return sum + (in_num ? v : 0);
}

/* A stats message's total, checked: its "versions" (and with routes, its "routes") sum to it.
   Read back with the library's path reader, summed with fz_map_sum. */
FZ_FN uint64_t fz_stats_total(skew_str stats, int routes) {
    int64_t total = -1;
    skew_str map;
    FZ_ASSERT(skew_json_get_path_int(stats, "total", &total) == SKEW_OK && total >= 0);
    FZ_ASSERT(skew_json_get_path_raw(stats, "versions", &map) == SKEW_OK);
    FZ_ASSERT(fz_map_sum(map) == (uint64_t)total);
    if (routes) {
        FZ_ASSERT(skew_json_get_path_raw(stats, "routes", &map) == SKEW_OK);
        FZ_ASSERT(fz_map_sum(map) == (uint64_t)total);
    }
    return (uint64_t)total;
}

FZ_FN size_t fz_w_stats(void *ctx, char *buf, size_t cap) {
    return skew_write_stats((const skew_tracker *)ctx, 0, buf, cap);
}
FZ_FN size_t fz_w_health(void *ctx, char *buf, size_t cap) {
    return skew_write_health((const skew_tracker *)ctx, buf, cap);
}
FZ_FN size_t fz_w_timeline(void *ctx, char *buf, size_t cap) {
    return skew_write_timeline((const skew_tracker *)ctx, buf, cap);
}

/* full: also the stats, health and timeline writers (valid JSON, snprintf contract). */
FZ_FN void fz_check_tracker(skew_tracker *t, int full) {
    skew_count cnt[80];
    size_t nv, nr, i, n;
    uint64_t sum = 0;
    uint32_t total = skew_get_total(t), live = 0;
    const skew_config *c = skew_get_config(t);
    int k;
    for (k = 0; k < FZ_MAX_CONNS; k++) {
        if (!fz_e.conns[k].live) continue;
        live++;
        {
            skew_conn cc;
            FZ_ASSERT(skew_get_conn(t, fz_e.conns[k].h, &cc) == SKEW_OK);
            FZ_ASSERT(cc.user == &fz_e.conns[k]);
            FZ_ASSERT(cc.version.len <= c->max_version_len);
            FZ_ASSERT(fz_text_storable((const uint8_t *)cc.version.ptr, cc.version.len));
            FZ_ASSERT(cc.route.len <= c->max_route_len);
            if (c->route_tracking) FZ_ASSERT(fz_text_storable((const uint8_t *)cc.route.ptr, cc.route.len));
            else FZ_ASSERT(cc.route.len == 0);
        }
    }
    FZ_ASSERT(total == live);
    FZ_ASSERT(skew_get_subscriber_count(t) <= total);
    /* distinct names: a version map with a key twice is valid JSON that a browser reads wrong */
    nv = skew_list_versions(t, cnt, sizeof cnt / sizeof cnt[0]);
    FZ_ASSERT(nv <= (size_t)c->max_versions + 1);
    for (i = 0; i < nv; i++) {
        size_t j;
        FZ_ASSERT(cnt[i].count > 0);
        sum += cnt[i].count;
        for (j = 0; j < i; j++) {
#ifdef FZ_ALLOW_DUP_OTHER /* lets a long run go on past fuzz/corpus/ws/crash-version-named-other */
            if (cnt[i].name.len <= 7 && memcmp(cnt[i].name.ptr, SKEW_OTHER_NAME, cnt[i].name.len) == 0) continue;
#endif
            FZ_ASSERT(cnt[j].name.len != cnt[i].name.len || memcmp(cnt[j].name.ptr, cnt[i].name.ptr, cnt[i].name.len) != 0);
        }
    }
    FZ_ASSERT(sum == total);
    nr = skew_list_routes(t, cnt, sizeof cnt / sizeof cnt[0]);
    if (c->route_tracking) {
        FZ_ASSERT(nr <= (size_t)c->max_routes + 1);
        for (sum = 0, i = 0; i < nr; i++) {
            FZ_ASSERT(cnt[i].count > 0);
            sum += cnt[i].count;
        }
        FZ_ASSERT(sum == total);
    } else {
        FZ_ASSERT(nr == 0);
    }
    FZ_ASSERT(skew_get_rollout_permille(t) <= 1000);
    if (!full) return; /* the messages the hooks saw were all checked already */
    fz_check_writer(fz_w_stats, t, fz_big, sizeof fz_big, &n);
    fz_check_json_out(fz_big, n);
    fz_check_writer(fz_w_health, t, fz_big, sizeof fz_big, &n);
    fz_check_json_out(fz_big, n);
    fz_check_writer(fz_w_timeline, t, fz_big, sizeof fz_big, &n);
    fz_check_json_out(fz_big, n);
}

#endif
