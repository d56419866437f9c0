/* ======================================================================================
   >>hosted  default clock, randomness and allocator (SKEW_ENABLE_HOSTED)
   ====================================================================================== */
#if SKEW_ENABLE_HOSTED
#if defined(_WIN32)
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <bcrypt.h>
#if defined(_MSC_VER)
#pragma comment(lib, "bcrypt")
#endif
#else
#include <sys/time.h>
#include <stdio.h>
#if defined(__linux__) && defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 25))
#include <sys/random.h>
#define SKEW__HAVE_GETRANDOM 1
#endif
#endif
#include <stdlib.h>

SKEW__PRIV uint64_t skew__hosted_now_ms(void) {
#if defined(_WIN32)
    FILETIME ft;
    uint64_t v;
    GetSystemTimeAsFileTime(&ft);
    v = ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
    return v / 10000u - 11644473600000ull; /* 100 ns since 1601 -> ms since 1970 */
#else
    struct timeval tv;
    if (gettimeofday(&tv, NULL) != 0) return 0;
    return (uint64_t)tv.tv_sec * 1000u + (uint64_t)tv.tv_usec / 1000u;
#endif
}

SKEW__PRIV skew_result skew__hosted_random(void *buf, size_t len) {
#if defined(_WIN32)
    if (BCryptGenRandom(NULL, (PUCHAR)buf, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) return SKEW_ERR_RANDOM;
    return SKEW_OK;
#else
    unsigned char *p = (unsigned char *)buf;
    size_t got = 0;
    FILE *f;
#ifdef SKEW__HAVE_GETRANDOM
    while (got < len) {
        ssize_t n = getrandom(p + got, len - got, 0);
        if (n <= 0) break;
        got += (size_t)n;
    }
    if (got == len) return SKEW_OK;
#endif
    f = fopen("/dev/urandom", "rb");
    if (!f) return SKEW_ERR_RANDOM;
    got += fread(p + got, 1, len - got, f);
    fclose(f);
    return got == len ? SKEW_OK : SKEW_ERR_RANDOM;
#endif
}
#endif /* SKEW_ENABLE_HOSTED */

/* ======================================================================================
   >>writer  bounded output with the snprintf contract, or a sink
   ====================================================================================== */

typedef struct skew__w {
    char *buf;
    size_t cap; /* bytes of buf, incl. room for the NUL */
    size_t len; /* bytes produced (may exceed cap) */
    skew_sink_fn sink;
    void *ctx;
    bool stopped;
} skew__w;

SKEW__PRIV skew__w skew__w_buf(char *buf, size_t cap) {
    skew__w w;
    memset(&w, 0, sizeof w);
    w.buf = buf;
    w.cap = buf ? cap : 0;
    return w;
}

SKEW__PRIV void skew__put(skew__w *w, const char *s, size_t n) {
    if (w->sink) {
        if (!w->stopped && n && w->sink(w->ctx, s, n) != 0) w->stopped = true;
    } else if (w->cap && w->len < w->cap - 1) {
        size_t room = w->cap - 1 - w->len;
        memcpy(w->buf + w->len, s, n < room ? n : room);
    }
    w->len += n;
}
SKEW__PRIV void skew__puts(skew__w *w, const char *s) { skew__put(w, s, strlen(s)); }

SKEW__PRIV void skew__put_u64(skew__w *w, uint64_t v) {
    char tmp[20];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + (v % 10u));
        v /= 10u;
    } while (v);
    skew__put(w, tmp + i, sizeof tmp - i);
}

/* NUL-terminate and return the length the whole output needs. */
SKEW__PRIV size_t skew__w_end(skew__w *w) {
    if (!w->sink && w->cap) w->buf[w->len < w->cap ? w->len : w->cap - 1] = '\0';
    return w->len;
}

/* ======================================================================================
   >>utf8  validation and the replacement rule shared by the writer and the intake checks
   ====================================================================================== */

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when the bytes there are invalid
   (overlong, surrogate, > U+10FFFF, truncated). Never reads past end. */
SKEW__PRIV size_t skew__utf8_seq(const unsigned char *p, const unsigned char *end) {
    unsigned char c = p[0];
    size_t need, i;
    uint32_t cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) { need = 1; cp = c & 0x1Fu; }
    else if (c >= 0xE0 && c <= 0xEF) { need = 2; cp = c & 0x0Fu; }
    else if (c >= 0xF0 && c <= 0xF4) { need = 3; cp = c & 0x07u; }
    else return 0;
    if ((size_t)(end - p) <= need) return 0;
    for (i = 1; i <= need; i++) {
        if ((p[i] & 0xC0u) != 0x80u) return 0;
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    if ((need == 2 && cp < 0x800u) || (need == 3 && cp < 0x10000u) || cp > 0x10FFFFu) return 0;
    if (cp >= 0xD800u && cp <= 0xDFFFu) return 0;
    return need + 1;
}

/* Length of the maximal invalid subpart at p (at least 1): the bytes that one U+FFFD stands
   for, as the Unicode standard recommends (and browsers' TextDecoder do). */
SKEW__PRIV size_t skew__utf8_bad_len(const unsigned char *p, const unsigned char *end) {
    unsigned char c = p[0];
    size_t need, i;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else return 1;
    for (i = 1; i <= need && p + i < end; i++) {
        unsigned char b = p[i];
        if (i == 1 ? (b < lo || b > hi) : ((b & 0xC0u) != 0x80u)) break;
    }
    return i;
}

/* A string we are willing to store: valid UTF-8, no C0 controls, no DEL. */
SKEW__PRIV bool skew__clean_text(skew_str s) {
    const unsigned char *p = (const unsigned char *)s.ptr, *end = p + s.len;
    while (p < end) {
        size_t n;
        /* the common case, 8 bytes at a time: no byte below 0x20, none at 0x7F or above
           (carries can only raise false alarms, which the byte loop then settles) */
        while (end - p >= 8) {
            uint64_t v;
            memcpy(&v, p, 8);
            if (((v - 0x2020202020202020ull) | (v + 0x0101010101010101ull) | v) & 0x8080808080808080ull) break;
            p += 8;
        }
        if (p == end) break;
        if (*p >= 0x20 && *p < 0x7F) { p++; continue; }
        if (*p < 0x20 || *p == 0x7F) return false;
        n = skew__utf8_seq(p, end);
        if (!n) return false;
        p += n;
    }
    return true;
}

/* ======================================================================================
   >>json  writer and protocol messages
   ====================================================================================== */

static const char skew__hex[] = "0123456789abcdef";

/* 1 for the ASCII bytes a JSON string carries unchanged (printable, not '"' or '\\'). */
static const uint8_t skew__json_plain[128] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};

SKEW__PRIV void skew__put_json_str(skew__w *w, skew_str s) {
    const unsigned char *p = (const unsigned char *)s.ptr, *end = p + s.len, *run = p;
    char esc[6];
    skew__put(w, "\"", 1);
    while (p < end) {
        unsigned char c = *p;
        size_t n;
        if (c < 0x80 && skew__json_plain[c]) { p++; continue; }
        if (c >= 0x80) {
            n = skew__utf8_seq(p, end);
            if (n == 3 && c == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
                /* U+2028 / U+2029 are valid JSON but end a line in older JavaScript. */
                skew__put(w, (const char *)run, (size_t)(p - run));
                skew__puts(w, p[2] == 0xA8 ? "\\u2028" : "\\u2029");
                p += 3;
                run = p;
                continue;
            }
            if (n) { p += n; continue; }
            skew__put(w, (const char *)run, (size_t)(p - run));
            skew__put(w, "\xEF\xBF\xBD", 3); /* U+FFFD for the maximal invalid subpart */
            p += skew__utf8_bad_len(p, end);
            run = p;
            continue;
        }
        skew__put(w, (const char *)run, (size_t)(p - run));
        esc[0] = '\\';
        switch (c) {
        case '"': esc[1] = '"'; n = 2; break;
        case '\\': esc[1] = '\\'; n = 2; break;
        case '\n': esc[1] = 'n'; n = 2; break;
        case '\r': esc[1] = 'r'; n = 2; break;
        case '\t': esc[1] = 't'; n = 2; break;
        case '\b': esc[1] = 'b'; n = 2; break;
        case '\f': esc[1] = 'f'; n = 2; break;
        default:
            esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
            esc[4] = skew__hex[c >> 4]; esc[5] = skew__hex[c & 15];
            n = 6;
        }
        skew__put(w, esc, n);
        p++;
        run = p;
    }
    skew__put(w, (const char *)run, (size_t)(p - run));
    skew__put(w, "\"", 1);
}

SKEW_API size_t skew_json_escape(char *buf, size_t cap, skew_str s) {
    skew__w w = skew__w_buf(buf, cap);
    skew__put_json_str(&w, s);
    return skew__w_end(&w);
}

/* An id we made ourselves is hex and dashes: nothing to escape. */
SKEW__PRIV void skew__put_id(skew__w *w, const char id[SKEW_ID_STR_MAX]) {
    char q[38];
    q[0] = '"';
    memcpy(q + 1, id, 36);
    q[37] = '"';
    skew__put(w, q, sizeof q);
}

SKEW__PRIV void skew__put_connected(skew__w *w, skew_str version, skew_str id, uint64_t ts) {
    static const char a[] = "{\"type\":\"connected\",\"version\":", b[] = ",\"connectionId\":", c[] = ",\"timestamp\":";
    skew__put(w, a, sizeof a - 1);
    skew__put_json_str(w, version);
    skew__put(w, b, sizeof b - 1);
    skew__put_json_str(w, id);
    skew__put(w, c, sizeof c - 1);
    skew__put_u64(w, ts);
    skew__put(w, "}", 1);
}

SKEW_API size_t skew_json_connected(char *buf, size_t cap, skew_str server_version, skew_str id, uint64_t ts_ms) {
    skew__w w = skew__w_buf(buf, cap);
    skew__put_connected(&w, server_version, id, ts_ms);
    return skew__w_end(&w);
}

SKEW_API size_t skew_json_keepalive(char *buf, size_t cap, uint64_t ts_ms) {
    skew__w w = skew__w_buf(buf, cap);
    skew__puts(&w, "{\"type\":\"keepalive\",\"timestamp\":");
    skew__put_u64(&w, ts_ms);
    skew__put(&w, "}", 1);
    return skew__w_end(&w);
}

SKEW_API size_t skew_json_pong(char *buf, size_t cap) {
    skew__w w = skew__w_buf(buf, cap);
    skew__puts(&w, "{\"type\":\"pong\"}");
    return skew__w_end(&w);
}

SKEW_API size_t skew_json_stats_unauthorized(char *buf, size_t cap) {
    skew__w w = skew__w_buf(buf, cap);
    skew__puts(&w, "{\"type\":\"stats-unauthorized\"}");
    return skew__w_end(&w);
}

SKEW__PRIV void skew__put_version_msg(skew__w *w, skew_str version, bool force) {
    skew__puts(w, "{\"type\":\"version\",\"version\":");
    skew__put_json_str(w, version);
    if (force) skew__puts(w, ",\"force\":true");
    skew__put(w, "}", 1);
}

SKEW_API size_t skew_json_version(char *buf, size_t cap, skew_str version, bool force) {
    skew__w w = skew__w_buf(buf, cap);
    skew__put_version_msg(&w, version, force);
    return skew__w_end(&w);
}

SKEW_API size_t skew_sse_frame(char *buf, size_t cap, const char *msg, size_t len) {
    skew__w w = skew__w_buf(buf, cap);
    skew__put(&w, "data: ", 6);
    skew__put(&w, msg, len);
    skew__put(&w, "\n\n", 2);
    return skew__w_end(&w);
}

/* ======================================================================================
   >>reader  bounded JSON reader (iterative, depth-limited), URL decoding, cookies, routes
   ====================================================================================== */

typedef struct skew__jr {
    const unsigned char *p, *end;
} skew__jr;

SKEW__PRIV void skew__jr_ws(skew__jr *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')) r->p++;
}

SKEW__PRIV int skew__hexval(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

SKEW__PRIV bool skew__jr_hex4(skew__jr *r, uint32_t *out) {
    uint32_t v = 0;
    int i;
    if (r->end - r->p < 4) return false;
    for (i = 0; i < 4; i++) {
        int h = skew__hexval(r->p[i]);
        if (h < 0) return false;
        v = (v << 4) | (uint32_t)h;
    }
    r->p += 4;
    *out = v;
    return true;
}

/* Append code point cp as UTF-8 (lone surrogates become U+FFFD: output stays valid UTF-8). */
SKEW__PRIV void skew__put_cp(skew__w *w, uint32_t cp) {
    char b[4];
    if (cp >= 0xD800u && cp <= 0xDFFFu) cp = 0xFFFDu;
    if (cp < 0x80u) { b[0] = (char)cp; skew__put(w, b, 1); }
    else if (cp < 0x800u) {
        b[0] = (char)(0xC0u | (cp >> 6)); b[1] = (char)(0x80u | (cp & 0x3Fu));
        skew__put(w, b, 2);
    } else if (cp < 0x10000u) {
        b[0] = (char)(0xE0u | (cp >> 12)); b[1] = (char)(0x80u | ((cp >> 6) & 0x3Fu));
        b[2] = (char)(0x80u | (cp & 0x3Fu));
        skew__put(w, b, 3);
    } else {
        b[0] = (char)(0xF0u | (cp >> 18)); b[1] = (char)(0x80u | ((cp >> 12) & 0x3Fu));
        b[2] = (char)(0x80u | ((cp >> 6) & 0x3Fu)); b[3] = (char)(0x80u | (cp & 0x3Fu));
        skew__put(w, b, 4);
    }
}

/* Read a JSON string at r->p (which must be '"'); decoded text goes to w (may be NULL).
   Raw bytes >= 0x80 are copied as they are; the caller validates what it stores. */
SKEW__PRIV bool skew__jr_string(skew__jr *r, skew__w *w) {
    if (r->p >= r->end || *r->p != '"') return false;
    r->p++;
    while (r->p < r->end) {
        unsigned char c = *r->p++;
        if (c == '"') return true;
        if (c < 0x20) return false;
        if (c != '\\') {
            if (w) skew__put(w, (const char *)&r->p[-1], 1);
            continue;
        }
        if (r->p >= r->end) return false;
        c = *r->p++;
        switch (c) {
        case '"': case '\\': case '/':
            if (w) skew__put(w, (const char *)&r->p[-1], 1);
            break;
        case 'b': if (w) skew__put(w, "\b", 1); break;
        case 'f': if (w) skew__put(w, "\f", 1); break;
        case 'n': if (w) skew__put(w, "\n", 1); break;
        case 'r': if (w) skew__put(w, "\r", 1); break;
        case 't': if (w) skew__put(w, "\t", 1); break;
        case 'u': {
            uint32_t cp, lo;
            if (!skew__jr_hex4(r, &cp)) return false;
            if (cp >= 0xD800u && cp <= 0xDBFFu && r->end - r->p >= 6 && r->p[0] == '\\' && r->p[1] == 'u') {
                skew__jr save = *r;
                r->p += 2;
                if (skew__jr_hex4(r, &lo) && lo >= 0xDC00u && lo <= 0xDFFFu)
                    cp = 0x10000u + ((cp - 0xD800u) << 10) + (lo - 0xDC00u);
                else
                    *r = save;
            }
            if (w) skew__put_cp(w, cp);
            break;
        }
        default:
            return false;
        }
    }
    return false;
}

SKEW__PRIV bool skew__jr_number(skew__jr *r) {
    const unsigned char *s = r->p;
    if (r->p < r->end && *r->p == '-') r->p++;
    if (r->p >= r->end) return false;
    if (*r->p == '0') r->p++;
    else if (*r->p >= '1' && *r->p <= '9') { while (r->p < r->end && *r->p >= '0' && *r->p <= '9') r->p++; }
    else return false;
    if (r->p < r->end && *r->p == '.') {
        r->p++;
        if (r->p >= r->end || *r->p < '0' || *r->p > '9') return false;
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9') r->p++;
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        r->p++;
        if (r->p < r->end && (*r->p == '+' || *r->p == '-')) r->p++;
        if (r->p >= r->end || *r->p < '0' || *r->p > '9') return false;
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9') r->p++;
    }
    return r->p > s;
}

SKEW__PRIV bool skew__jr_lit(skew__jr *r, const char *lit) {
    size_t n = strlen(lit);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, lit, n) != 0) return false;
    r->p += n;
    return true;
}

/* Skip one JSON value without recursion: a stack of container kinds, one bit per level. */
SKEW__PRIV skew_result skew__jr_skip(skew__jr *r) {
    uint32_t stack = 0; /* bit d set: level d is an object */
    unsigned depth = 0;
    for (;;) {
        /* expect a value */
        skew__jr_ws(r);
        if (r->p >= r->end) return SKEW_ERR_INVALID;
        switch (*r->p) {
        case '{': case '[': {
            bool obj = *r->p == '{';
            if (depth >= SKEW_JSON_MAX_DEPTH) return SKEW_ERR_INVALID;
            r->p++;
            if (obj) stack |= (1u << depth); else stack &= ~(1u << depth);
            depth++;
            skew__jr_ws(r);
            if (r->p < r->end && *r->p == (obj ? '}' : ']')) { r->p++; depth--; break; }
            if (obj) {
                if (!skew__jr_string(r, NULL)) return SKEW_ERR_INVALID;
                skew__jr_ws(r);
                if (r->p >= r->end || *r->p != ':') return SKEW_ERR_INVALID;
                r->p++;
            }
            continue; /* the first member's value */
        }
        case '"': if (!skew__jr_string(r, NULL)) return SKEW_ERR_INVALID; break;
        case 't': if (!skew__jr_lit(r, "true")) return SKEW_ERR_INVALID; break;
        case 'f': if (!skew__jr_lit(r, "false")) return SKEW_ERR_INVALID; break;
        case 'n': if (!skew__jr_lit(r, "null")) return SKEW_ERR_INVALID; break;
        default: if (!skew__jr_number(r)) return SKEW_ERR_INVALID; break;
        }
        /* after a value: close containers or move to the next element */
        for (;;) {
            bool obj;
            if (depth == 0) return SKEW_OK;
            obj = (stack >> (depth - 1)) & 1u;
            skew__jr_ws(r);
            if (r->p >= r->end) return SKEW_ERR_INVALID;
            if (*r->p == ',') {
                r->p++;
                if (obj) {
                    skew__jr_ws(r);
                    if (!skew__jr_string(r, NULL)) return SKEW_ERR_INVALID;
                    skew__jr_ws(r);
                    if (r->p >= r->end || *r->p != ':') return SKEW_ERR_INVALID;
                    r->p++;
                }
                break; /* next value */
            }
            if (*r->p == (obj ? '}' : ']')) { r->p++; depth--; continue; }
            return SKEW_ERR_INVALID;
        }
    }
}

SKEW_API skew_result skew_json_validate(skew_str json) {
    skew__jr r;
    skew_result res;
    if (!json.ptr) return SKEW_ERR_INVALID;
    r.p = (const unsigned char *)json.ptr;
    r.end = r.p + json.len;
    res = skew__jr_skip(&r);
    if (res != SKEW_OK) return res;
    skew__jr_ws(&r);
    return r.p == r.end ? SKEW_OK : SKEW_ERR_INVALID;
}

/* Walk the members of the top-level object. For each, key is decoded into kbuf (truncated keys
   never match) and cb decides: return 1 when it consumed the value, 0 to skip it, -1 to stop
   with an error. The document is validated first, so a truncated message never half-acts. */
typedef int (*skew__member_fn)(void *ctx, skew_str key, skew__jr *r);

SKEW__PRIV skew_result skew__json_members(skew_str json, skew__member_fn cb, void *ctx) {
    skew__jr r;
    char kbuf[64];
    skew_result res = skew_json_validate(json);
    if (res != SKEW_OK) return res;
    r.p = (const unsigned char *)json.ptr;
    r.end = r.p + json.len;
    skew__jr_ws(&r);
    if (*r.p != '{') return SKEW_ERR_INVALID;
    r.p++;
    skew__jr_ws(&r);
    if (*r.p == '}') return SKEW_OK;
    for (;;) {
        skew__w kw = skew__w_buf(kbuf, sizeof kbuf);
        skew_str key;
        int took;
        skew__jr_ws(&r);
        skew__jr_string(&r, &kw);
        skew__w_end(&kw);
        key = skew__str(kbuf, kw.len < sizeof kbuf ? kw.len : 0);
        skew__jr_ws(&r);
        r.p++; /* ':' (validated) */
        skew__jr_ws(&r);
        took = cb(ctx, key, &r);
        if (took < 0) return SKEW_ERR_INVALID;
        if (took == 0 && skew__jr_skip(&r) != SKEW_OK) return SKEW_ERR_INVALID;
        skew__jr_ws(&r);
        if (*r.p == '}') return SKEW_OK;
        r.p++; /* ',' */
    }
}

typedef struct skew__get_ctx {
    const char *key;
    skew__w w;
    bool found, is_string;
} skew__get_ctx;

SKEW__PRIV int skew__get_cb(void *ctx, skew_str key, skew__jr *r) {
    skew__get_ctx *g = (skew__get_ctx *)ctx;
    if (g->found || key.len != strlen(g->key) || memcmp(key.ptr, g->key, key.len) != 0) return 0;
    g->found = true;
    if (*r->p != '"') return 0;
    g->is_string = true;
    return skew__jr_string(r, &g->w) ? 1 : -1;
}

SKEW_API skew_result skew_json_get_string(skew_str json, const char *key, char *buf, size_t cap, size_t *out_len) {
    skew__get_ctx g;
    skew_result res;
    memset(&g, 0, sizeof g);
    g.key = key;
    g.w = skew__w_buf(buf, cap);
    if (out_len) *out_len = 0;
    if (buf && cap) buf[0] = '\0';
    res = skew__json_members(json, skew__get_cb, &g);
    if (res != SKEW_OK) return res;
    if (!g.found || !g.is_string) return SKEW_ERR_NOT_FOUND;
    skew__w_end(&g.w);
    if (out_len) *out_len = g.w.len;
    if (g.w.len >= cap) return SKEW_ERR_TOO_LONG;
    return SKEW_OK;
}

SKEW_API skew_result skew_url_decode(skew_str in, bool form, char *buf, size_t cap, size_t *out_len) {
    size_t i, n = 0;
    if (out_len) *out_len = 0;
    if (!buf || !cap) return SKEW_ERR_TOO_LONG;
    for (i = 0; i < in.len; i++) {
        unsigned char c = (unsigned char)in.ptr[i];
        if (c == '%' && i + 2 < in.len && skew__hexval((unsigned char)in.ptr[i + 1]) >= 0 &&
            skew__hexval((unsigned char)in.ptr[i + 2]) >= 0) {
            c = (unsigned char)(skew__hexval((unsigned char)in.ptr[i + 1]) * 16 + skew__hexval((unsigned char)in.ptr[i + 2]));
            i += 2;
        } else if (c == '%') {
            buf[n < cap ? n : cap - 1] = '\0';
            return SKEW_ERR_INVALID; /* a '%' not followed by two hex digits */
        } else if (c == '+' && form) {
            c = ' ';
        }
        if (n + 1 >= cap) {
            buf[cap - 1] = '\0';
            return SKEW_ERR_TOO_LONG;
        }
        buf[n++] = (char)c;
    }
    buf[n] = '\0';
    if (out_len) *out_len = n;
    return SKEW_OK;
}

SKEW_API skew_result skew_query_param(skew_str query, const char *name, skew_str *out) {
    const char *p, *end;
    size_t nlen = strlen(name);
    out->ptr = NULL;
    out->len = 0;
    if (!query.ptr) return SKEW_ERR_NOT_FOUND;
    p = query.ptr;
    end = query.ptr + query.len;
    while (p < end) {
        const char *amp = (const char *)memchr(p, '&', (size_t)(end - p));
        if (!amp) amp = end;
        if ((size_t)(amp - p) >= nlen && memcmp(p, name, nlen) == 0 && (p + nlen == amp || p[nlen] == '=')) {
            out->ptr = p + nlen == amp ? amp : p + nlen + 1;
            out->len = (size_t)(amp - out->ptr);
            return SKEW_OK; /* the first value wins (PROTOCOL.md) */
        }
        p = amp + 1;
    }
    return SKEW_ERR_NOT_FOUND;
}

SKEW_API skew_result skew_cookie_get(skew_str header, const char *name, skew_str *out) {
    const char *p, *end;
    size_t nlen = strlen(name);
    out->ptr = NULL;
    out->len = 0;
    if (!header.ptr) return SKEW_ERR_NOT_FOUND;
    p = header.ptr;
    end = header.ptr + header.len;
    while (p < end) {
        const char *semi = (const char *)memchr(p, ';', (size_t)(end - p)), *q;
        if (!semi) semi = end;
        while (p < semi && skew__is_space((unsigned char)*p)) p++;
        if ((size_t)(semi - p) > nlen && memcmp(p, name, nlen) == 0) {
            for (q = p + nlen; q < semi && skew__is_space((unsigned char)*q); q++) {}
            if (q < semi && *q == '=') {
                skew_str v = skew__trim(skew__str(q + 1, (size_t)(semi - q - 1)));
                if (v.len >= 2 && v.ptr[0] == '"' && v.ptr[v.len - 1] == '"') {
                    v.ptr++;
                    v.len -= 2;
                }
                *out = v;
                return SKEW_OK;
            }
        }
        p = semi + 1;
    }
    return SKEW_ERR_NOT_FOUND;
}

SKEW_API skew_result skew_route_clean(skew_str route, size_t max_len, skew_str *out) {
    size_t i;
    out->ptr = route.ptr;
    out->len = 0;
    if (!route.ptr || route.len == 0 || route.ptr[0] != '/') return SKEW_ERR_INVALID;
    for (i = 0; i < route.len && route.ptr[i] != '?' && route.ptr[i] != '#'; i++) {}
    if (i > max_len) return SKEW_ERR_TOO_LONG;
    if (!skew__clean_text(skew__str(route.ptr, i))) return SKEW_ERR_INVALID;
    out->len = i;
    return SKEW_OK;
}

/* Compare without leaking where the first difference is. */
SKEW__PRIV bool skew__ct_equal(skew_str a, skew_str b) {
    size_t i;
    unsigned diff = (unsigned)(a.len ^ b.len);
    for (i = 0; i < a.len; i++) diff |= (unsigned)((unsigned char)a.ptr[i] ^ (unsigned char)(b.len ? b.ptr[i % b.len] : 0));
    return diff == 0 && a.len == b.len;
}

SKEW_API skew_auth skew_auth_bearer(const skew_request *req, skew_str token) {
    skew_str h, c;
    if (!token.ptr || token.len == 0) return SKEW_AUTH_UNAVAILABLE;
    h = skew__trim(skew_request_header(req, "authorization"));
    if (h.len > 7 && skew__eq_nocase(skew__str(h.ptr, 7), "bearer ")) h = skew__trim(skew__str(h.ptr + 7, h.len - 7));
    if (h.len && skew__ct_equal(h, token)) return SKEW_AUTH_GRANTED;
    if (skew_cookie_get(skew_request_header(req, "cookie"), "skew_admin", &c) == SKEW_OK && c.len &&
        skew__ct_equal(c, token))
        return SKEW_AUTH_GRANTED;
    return SKEW_AUTH_DENIED;
}

/* ======================================================================================
   >>rng  ChaCha20 keystream seeded from hooks.random_bytes: one syscall per 64 ids, not per id
   ====================================================================================== */

#define SKEW__ROTL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define SKEW__QR(a, b, c, d)                                                                       \
    a += b; d ^= a; d = SKEW__ROTL(d, 16); c += d; b ^= c; b = SKEW__ROTL(b, 12);                \
    a += b; d ^= a; d = SKEW__ROTL(d, 8);  c += d; b ^= c; b = SKEW__ROTL(b, 7)

SKEW__PRIV void skew__chacha_block(const uint32_t key[8], uint64_t counter, uint8_t out[64]) {
    uint32_t s[16], x[16];
    int i;
    s[0] = 0x61707865u; s[1] = 0x3320646eu; s[2] = 0x79622d32u; s[3] = 0x6b206574u;
    for (i = 0; i < 8; i++) s[4 + i] = key[i];
    s[12] = (uint32_t)counter;
    s[13] = (uint32_t)(counter >> 32);
    s[14] = 0;
    s[15] = 0;
    memcpy(x, s, sizeof x);
    for (i = 0; i < 10; i++) {
        SKEW__QR(x[0], x[4], x[8], x[12]); SKEW__QR(x[1], x[5], x[9], x[13]);
        SKEW__QR(x[2], x[6], x[10], x[14]); SKEW__QR(x[3], x[7], x[11], x[15]);
        SKEW__QR(x[0], x[5], x[10], x[15]); SKEW__QR(x[1], x[6], x[11], x[12]);
        SKEW__QR(x[2], x[7], x[8], x[13]); SKEW__QR(x[3], x[4], x[9], x[14]);
    }
    for (i = 0; i < 16; i++) {
        uint32_t v = x[i] + s[i];
        out[4 * i] = (uint8_t)v; out[4 * i + 1] = (uint8_t)(v >> 8);
        out[4 * i + 2] = (uint8_t)(v >> 16); out[4 * i + 3] = (uint8_t)(v >> 24);
    }
}

/* ======================================================================================
   >>tracker  state
   ====================================================================================== */

#define SKEW__NONE 0xFFFFFFFFu
#define SKEW__NO_STR 0xFFFFu
#define SKEW__F_LIVE 0x01u
#define SKEW__F_WS 0x02u
#define SKEW__F_AUTH 0x04u   /* WS handshake headers were authorized for stats */
#define SKEW__F_SUB 0x08u
#define SKEW__F_DOOMED 0x10u /* a send failed: closed when the current call ends */

/* One connection slot. 64 bytes on 64-bit targets. */
typedef struct skew__slot {
    uint8_t id[16];
    uint8_t ip[16];
    void *user;
    uint32_t gen;     /* bumped when the slot is freed: stale handles are detected */
    uint32_t pos;     /* live: index in live[]; free: next free slot */
    uint32_t sub_pos; /* index in subs[], or SKEW__NONE */
    uint32_t doomed_next;
    uint16_t version; /* entry in the version table */
    uint16_t route;   /* entry in the route table, or SKEW__NO_STR */
    uint8_t flags;
    uint8_t ip_family;
    uint8_t close_reason;
} skew__slot;

/* Interned strings with live counts. Entry 0 is "(other)": where values go when the table is
   full or the value is invalid, so totals stay exact and memory stays bounded. */
typedef struct skew__strtab {
    char *text;        /* entry i at text + i * stride */
    uint16_t *lens;
    uint32_t *counts;
    uint32_t *hashes;
    uint16_t *index;   /* open addressing, entry+1; 0 = empty */
    uint16_t *live;    /* used entries except 0, dense, for iteration */
    uint16_t *live_pos;
    uint32_t cap;      /* entries incl. entry 0 */
    uint32_t used;     /* entries in live[] */
    uint32_t index_mask;
    uint32_t stride;
    uint32_t free_head;
} skew__strtab;

struct skew_tracker {
    skew_config cfg;
    skew_bot_filter bots;
    skew__slot *slots;
    uint32_t *live;
    uint32_t *subs;
    uint64_t *ids;     /* id hash table, see SKEW__ID_ENTRY; 0 = empty */
    uint32_t id_mask;
    uint32_t free_head;
    uint32_t live_count, sub_count;
    uint32_t doomed_head;
    skew__strtab versions, routes;
    char *server_version;
    size_t server_version_len;
    char *base;        /* copies of the configured strings */
    char *cookie;
    size_t base_len;
    char *scratch;     /* decoding room for one version or route */
    size_t scratch_cap;
    char *msg;         /* message buffer: stats, connected, version */
    size_t msg_cap;
    uint32_t rng_key[8];
    uint64_t rng_counter;
    uint8_t rng_buf[64];
    uint32_t rng_avail;
    uint32_t hash_seed;
    uint64_t started_ms, last_now, next_keepalive, stats_due;
    bool stats_dirty;
    bool broadcasting;
    unsigned depth;    /* nesting of public calls (hooks calling hook-safe functions) */
    skew_metrics m;
    void *owned;       /* skew_tracker_create memory, freed by destroy */
    size_t owned_size;
};

/* ---- locking, time ------------------------------------------------------------------ */

SKEW__PRIV void skew__settle(skew_tracker *t);

SKEW__PRIV void skew__enter(skew_tracker *t) {
    if (t->cfg.hooks.lock) t->cfg.hooks.lock(t->cfg.hooks.user_data);
    t->depth++;
}
SKEW__PRIV void skew__leave(skew_tracker *t) {
    if (t->depth == 1) skew__settle(t);
    t->depth--;
    if (t->cfg.hooks.unlock) t->cfg.hooks.unlock(t->cfg.hooks.user_data);
}

/* Read-only public calls take the lock too (a multi-threaded server may read while another
   thread mutates), but never settle: they change nothing. */
SKEW__PRIV void skew__lock_ro(const skew_tracker *t) {
    if (t->cfg.hooks.lock) t->cfg.hooks.lock(t->cfg.hooks.user_data);
}
SKEW__PRIV void skew__unlock_ro(const skew_tracker *t) {
    if (t->cfg.hooks.unlock) t->cfg.hooks.unlock(t->cfg.hooks.user_data);
}

SKEW__PRIV uint64_t skew__now(const skew_tracker *t) {
    uint64_t now = t->last_now;
    if (t->cfg.hooks.now_ms) now = t->cfg.hooks.now_ms(t->cfg.hooks.user_data);
#if SKEW_ENABLE_HOSTED
    else now = skew__hosted_now_ms();
#endif
    return now;
}

SKEW__PRIV void skew__log(skew_tracker *t, skew_log_level level, const char *msg) {
    if (t->cfg.hooks.log) t->cfg.hooks.log(t->cfg.hooks.user_data, level, msg);
}

/* ---- ids ------------------------------------------------------------------------------- */

SKEW__PRIV skew_result skew__seed(skew_tracker *t) {
    uint8_t seed[36];
    skew_result r = SKEW_ERR_RANDOM;
    int i;
    if (t->cfg.hooks.random_bytes) r = t->cfg.hooks.random_bytes(t->cfg.hooks.user_data, seed, sizeof seed);
#if SKEW_ENABLE_HOSTED
    else r = skew__hosted_random(seed, sizeof seed);
#endif
    if (r != SKEW_OK) return SKEW_ERR_RANDOM;
    for (i = 0; i < 8; i++)
        t->rng_key[i] ^= (uint32_t)seed[4 * i] | ((uint32_t)seed[4 * i + 1] << 8) |
                         ((uint32_t)seed[4 * i + 2] << 16) | ((uint32_t)seed[4 * i + 3] << 24);
    t->hash_seed ^= (uint32_t)seed[32] | ((uint32_t)seed[33] << 8) | ((uint32_t)seed[34] << 16) | ((uint32_t)seed[35] << 24);
    memset(seed, 0, sizeof seed);
    return SKEW_OK;
}

/* 16 random bytes as a UUID v4. The key is refreshed from the OS every 2^16 blocks. */
SKEW__PRIV skew_result skew__new_id(skew_tracker *t, uint8_t id[16]) {
    if (t->rng_avail < 16) {
        if ((t->rng_counter & 0xFFFFu) == 0xFFFFu && skew__seed(t) != SKEW_OK)
            skew__log(t, SKEW_LOG_WARN, "skew: reseeding the id generator failed; keeping the old key");
        skew__chacha_block(t->rng_key, t->rng_counter++, t->rng_buf);
        t->rng_avail = 64;
    }
    memcpy(id, t->rng_buf + 64 - t->rng_avail, 16);
    memset(t->rng_buf + 64 - t->rng_avail, 0, 16); /* used output is not kept */
    t->rng_avail -= 16;
    id[6] = (uint8_t)((id[6] & 0x0Fu) | 0x40u);
    id[8] = (uint8_t)((id[8] & 0x3Fu) | 0x80u);
    return SKEW_OK;
}

SKEW__PRIV void skew__id_text(const uint8_t id[16], char out[SKEW_ID_STR_MAX]) {
    /* where each byte's two digits go in 8-4-4-4-12 */
    static const uint8_t at[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
    int i;
    for (i = 0; i < 16; i++) {
        out[at[i]] = skew__hex[id[i] >> 4];
        out[at[i] + 1] = skew__hex[id[i] & 15];
    }
    out[8] = out[13] = out[18] = out[23] = '-';
    out[36] = '\0';
}

SKEW__PRIV bool skew__id_parse(skew_str s, uint8_t id[16]) {
    size_t i, o = 0;
    if (s.len != 36) return false;
    for (i = 0; i < 36;) {
        int hi, lo;
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s.ptr[i] != '-') return false;
            i++;
            continue;
        }
        hi = skew__hexval((unsigned char)s.ptr[i]);
        lo = skew__hexval((unsigned char)s.ptr[i + 1]);
        if (hi < 0 || lo < 0) return false;
        id[o++] = (uint8_t)(hi * 16 + lo);
        i += 2;
    }
    return true;
}

SKEW__PRIV uint32_t skew__id_hash(const uint8_t id[16]) {
    /* ids are CSPRNG output, so their own bytes are a fine hash an attacker cannot steer */
    return (uint32_t)id[0] | ((uint32_t)id[1] << 8) | ((uint32_t)id[2] << 16) | ((uint32_t)id[3] << 24);
}

/* id table entries: the id's own hash in the high half (so probes and backward shifts never
   touch a slot, which at 100k connections is a cache miss each), slot+1 in the low half. */
#define SKEW__ID_ENTRY(h, slot) (((uint64_t)(h) << 32) | ((uint64_t)(slot) + 1u))

SKEW__PRIV uint32_t skew__id_lookup(const skew_tracker *t, const uint8_t id[16]) {
    uint32_t h = skew__id_hash(id), i = h & t->id_mask;
    for (;;) {
        uint64_t v = t->ids[i];
        if (v == 0) return SKEW__NONE;
        if ((uint32_t)(v >> 32) == h && memcmp(t->slots[(uint32_t)v - 1].id, id, 16) == 0) return (uint32_t)v - 1;
        i = (i + 1) & t->id_mask;
    }
}

/* Insert unless an equal id is present (false): one probe walk serves both. */
SKEW__PRIV bool skew__id_insert(skew_tracker *t, uint32_t slot) {
    const uint8_t *id = t->slots[slot].id;
    uint32_t h = skew__id_hash(id), i = h & t->id_mask;
    while (t->ids[i]) {
        uint64_t v = t->ids[i];
        if ((uint32_t)(v >> 32) == h && memcmp(t->slots[(uint32_t)v - 1].id, id, 16) == 0) return false;
        i = (i + 1) & t->id_mask;
    }
    t->ids[i] = SKEW__ID_ENTRY(h, slot);
    return true;
}

/* Linear-probing delete with backward shift: no tombstones, so lookups stay O(1). */
SKEW__PRIV void skew__id_remove(skew_tracker *t, uint32_t slot) {
    uint32_t h = skew__id_hash(t->slots[slot].id), i = h & t->id_mask, j;
    uint64_t want = SKEW__ID_ENTRY(h, slot);
    while (t->ids[i] != want) i = (i + 1) & t->id_mask;
    j = i;
    for (;;) {
        uint32_t home;
        j = (j + 1) & t->id_mask;
        if (!t->ids[j]) break;
        home = (uint32_t)(t->ids[j] >> 32) & t->id_mask;
        /* move j back to i unless its home lies cyclically in (i, j] */
        if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
            t->ids[i] = t->ids[j];
            i = j;
        }
    }
    t->ids[i] = 0;
}

/* ---- string tables ------------------------------------------------------------------- */

/* Seeded multiply-xorshift over 8-byte words: versions are often 36-byte UUIDs, and a byte-wise
   hash cost more than the rest of an open. Only for in-memory tables, so byte order is free. */
SKEW__PRIV uint32_t skew__hash(uint32_t seed, skew_str s) {
    const uint64_t k = 0x9E3779B97F4A7C15ull;
    uint64_t h = ((uint64_t)seed << 32 | seed) ^ ((uint64_t)s.len * k), v;
    const char *p = s.ptr;
    size_t n = s.len;
    while (n >= 8) {
        memcpy(&v, p, 8);
        h = (h ^ v) * k;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    if (n) {
        v = 0;
        memcpy(&v, p, n);
        h = (h ^ v) * k;
    }
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return (uint32_t)h;
}

SKEW__PRIV skew_str skew__tab_str(const skew__strtab *tab, uint32_t e) {
    return skew__str(tab->text + (size_t)e * tab->stride, tab->lens[e]);
}

SKEW__PRIV uint32_t skew__tab_find(const skew__strtab *tab, skew_str s, uint32_t h) {
    uint32_t i = h & tab->index_mask;
    for (;;) {
        uint32_t v = tab->index[i];
        if (v == 0) return SKEW__NONE;
        if (tab->hashes[v - 1] == h && tab->lens[v - 1] == s.len &&
            memcmp(tab->text + (size_t)(v - 1) * tab->stride, s.ptr, s.len) == 0)
            return v - 1;
        i = (i + 1) & tab->index_mask;
    }
}

/* Take a reference on s (already validated, s.len <= stride). Full table: entry 0. */
SKEW__PRIV uint16_t skew__tab_ref(skew__strtab *tab, uint32_t seed, skew_str s) {
    uint32_t h = skew__hash(seed, s), e = skew__tab_find(tab, s, h), i;
    if (e == SKEW__NONE) {
        if (tab->free_head == SKEW__NONE) {
            tab->counts[0]++;
            return 0;
        }
        e = tab->free_head;
        tab->free_head = tab->live_pos[e] == 0xFFFFu ? SKEW__NONE : tab->live_pos[e]; /* 16-bit link */
        memcpy(tab->text + (size_t)e * tab->stride, s.ptr, s.len);
        tab->lens[e] = (uint16_t)s.len;
        tab->hashes[e] = h;
        tab->counts[e] = 0;
        i = h & tab->index_mask;
        while (tab->index[i]) i = (i + 1) & tab->index_mask;
        tab->index[i] = (uint16_t)(e + 1);
        tab->live_pos[e] = (uint16_t)tab->used;
        tab->live[tab->used++] = (uint16_t)e;
    }
    tab->counts[e]++;
    return (uint16_t)e;
}

SKEW__PRIV void skew__tab_unref(skew__strtab *tab, uint32_t e) {
    uint32_t i, j, last;
    if (e == SKEW__NO_STR) return;
    if (--tab->counts[e] || e == 0) return;
    /* unlink from the index (backward shift) */
    i = tab->hashes[e] & tab->index_mask;
    while (tab->index[i] != e + 1) i = (i + 1) & tab->index_mask;
    j = i;
    for (;;) {
        uint32_t home;
        j = (j + 1) & tab->index_mask;
        if (!tab->index[j]) break;
        home = tab->hashes[tab->index[j] - 1] & tab->index_mask;
        if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
            tab->index[i] = tab->index[j];
            i = j;
        }
    }
    tab->index[i] = 0;
    /* unlink from the dense list, then free */
    last = tab->live[--tab->used];
    tab->live[tab->live_pos[e]] = (uint16_t)last;
    tab->live_pos[last] = tab->live_pos[e];
    tab->live_pos[e] = (uint16_t)tab->free_head;
    tab->free_head = e;
}

SKEW__PRIV size_t skew__pow2_at_least(size_t n) {
    size_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

/* ---- memory layout -------------------------------------------------------------------- */

#define SKEW__ALIGN(n) (((n) + 15u) & ~(size_t)15u)

typedef struct skew__layout {
    size_t tracker, slots, live, subs, ids, vtab[7], rtab[7], strings, msg, total;
} skew__layout;

SKEW__PRIV void skew__tab_layout(size_t cap, size_t stride, size_t out[7], size_t *total) {
    size_t index = skew__pow2_at_least(cap * 2);
    out[0] = *total; *total += SKEW__ALIGN(cap * stride);
    out[1] = *total; *total += SKEW__ALIGN(cap * sizeof(uint16_t));
    out[2] = *total; *total += SKEW__ALIGN(cap * sizeof(uint32_t));
    out[3] = *total; *total += SKEW__ALIGN(cap * sizeof(uint32_t));
    out[4] = *total; *total += SKEW__ALIGN(index * sizeof(uint16_t));
    out[5] = *total; *total += SKEW__ALIGN(cap * sizeof(uint16_t));
    out[6] = *total; *total += SKEW__ALIGN(cap * sizeof(uint16_t));
}

/* Worst case of the stats head: every version and route at full length with every byte
   escaped twice (validated text only needs \" and \\), plus counts and punctuation. */
SKEW__PRIV size_t skew__stats_head_max(const skew_config *c) {
    size_t v = ((size_t)c->max_versions + 1) * (2 * (size_t)c->max_version_len + 16);
    size_t r = c->route_tracking ? ((size_t)c->max_routes + 1) * (2 * (size_t)c->max_route_len + 16) : 0;
    return 128 + v + r;
}

SKEW__PRIV size_t skew__entry_typical(const skew_config *c) {
    size_t e = 64 + 36 + (c->max_version_len < 40 ? c->max_version_len : 40);
    if (c->route_tracking) e += 16 + (c->max_route_len < 48 ? c->max_route_len : 48);
    if (c->ip_tracking) e += 8 + 20;
    return e;
}

SKEW__PRIV void skew__layout_of(const skew_config *c, skew__layout *L) {
    size_t n = c->max_connections, total = 0;
    memset(L, 0, sizeof *L);
    L->tracker = total; total += SKEW__ALIGN(sizeof(skew_tracker));
    L->slots = total; total += SKEW__ALIGN(n * sizeof(skew__slot));
    L->live = total; total += SKEW__ALIGN(n * sizeof(uint32_t));
    L->subs = total; total += SKEW__ALIGN(n * sizeof(uint32_t));
    L->ids = total; total += SKEW__ALIGN(skew__pow2_at_least(n * 2) * sizeof(uint64_t));
    skew__tab_layout((size_t)c->max_versions + 1, c->max_version_len, L->vtab, &total);
    skew__tab_layout(c->route_tracking ? (size_t)c->max_routes + 1 : 1, c->max_route_len, L->rtab, &total);
    /* strings: server version, base path, cookie name, scratch */
    L->strings = total;
    total += SKEW__ALIGN(c->max_version_len + 1) + SKEW__ALIGN(strlen(c->base_path) + 1) +
             SKEW__ALIGN(strlen(c->version_cookie) + 1) +
             SKEW__ALIGN((c->max_version_len > c->max_route_len ? c->max_version_len : c->max_route_len) + 1);
    L->msg = total; total += SKEW__ALIGN(c->message_buffer);
    L->total = total;
}

/* ---- configuration ------------------------------------------------------------------- */

SKEW__PRIV bool skew__token_chars(const char *s) {
    /* cookie names are RFC 6265 tokens; keep it to the safe subset */
    if (!*s) return false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

SKEW_API skew_result skew_config_resolve(const skew_config *in, skew_config *out) {
    skew_config c;
    size_t blen;
    if (in) c = *in;
    else memset(&c, 0, sizeof c);
    if (!c.server_version || !*c.server_version) c.server_version = "dev";
    if (!c.base_path || !*c.base_path) c.base_path = "/__skew";
    if (!c.version_cookie || !*c.version_cookie) c.version_cookie = "__nkpv";
    if (!c.keepalive_ms) c.keepalive_ms = 30000;
    if (!c.stats_interval_ms) c.stats_interval_ms = 250;
    if (!c.max_connections) c.max_connections = 1024;
    if (!c.max_versions) c.max_versions = 64;
    if (!c.max_routes) c.max_routes = 256;
    if (!c.max_version_len) c.max_version_len = 64;
    if (!c.max_route_len) c.max_route_len = 256;
    if (!c.max_listed) c.max_listed = 1000;
    if (!c.max_body) c.max_body = 4096;
    if (!c.ip_policy.max_hops) c.ip_policy.max_hops = 16;
    if (out) *out = c;
    blen = strlen(c.base_path);
    if (c.max_connections > (1u << 24) || c.max_versions > 65000 || c.max_routes > 65000 ||
        c.max_version_len > 1024 || c.max_route_len > 8192 || c.max_body > (1u << 24) ||
        c.ip_policy.trusted_count > SKEW_MAX_TRUSTED_PROXIES || c.ip_policy.max_hops > 1024)
        return SKEW_ERR_CONFIG;
    if (c.base_path[0] != '/' || blen > 128 || (blen > 1 && c.base_path[blen - 1] == '/') ||
        !skew__clean_text(skew__cstr(c.base_path)))
        return SKEW_ERR_CONFIG;
    if (!skew__token_chars(c.version_cookie) || strlen(c.version_cookie) > 128) return SKEW_ERR_CONFIG;
    if (strlen(c.server_version) > c.max_version_len || !skew__clean_text(skew__cstr(c.server_version)))
        return SKEW_ERR_CONFIG;
    if ((c.hooks.alloc == NULL) != (c.hooks.free == NULL)) return SKEW_ERR_CONFIG;
    if ((c.hooks.lock == NULL) != (c.hooks.unlock == NULL)) return SKEW_ERR_CONFIG;
    if (c.bot_pattern_count > SKEW_MAX_BOT_PATTERNS || c.allow_pattern_count > SKEW_MAX_BOT_PATTERNS ||
        c.bot_pattern_count + c.allow_pattern_count > SKEW_MAX_BOT_PATTERNS)
        return SKEW_ERR_CONFIG;
    {
        size_t head = skew__stats_head_max(&c);
        if (!c.message_buffer) {
            size_t want = head + (size_t)c.max_listed * skew__entry_typical(&c) + 256;
            c.message_buffer = want > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)want;
        } else if (c.message_buffer < head + 256) {
            return SKEW_ERR_CONFIG;
        }
        if (out) *out = c;
    }
    return SKEW_OK;
}

SKEW_API size_t skew_tracker_memory_size(const skew_config *cfg) {
    skew_config c;
    skew__layout L;
    if (skew_config_resolve(cfg, &c) != SKEW_OK) return 0;
    skew__layout_of(&c, &L);
    return L.total;
}

SKEW__PRIV void skew__tab_init(skew__strtab *tab, char *mem, const size_t off[7], size_t cap, size_t stride) {
    size_t e;
    tab->text = mem + off[0];
    tab->lens = (uint16_t *)(void *)(mem + off[1]);
    tab->counts = (uint32_t *)(void *)(mem + off[2]);
    tab->hashes = (uint32_t *)(void *)(mem + off[3]);
    tab->index = (uint16_t *)(void *)(mem + off[4]);
    tab->live = (uint16_t *)(void *)(mem + off[5]);
    tab->live_pos = (uint16_t *)(void *)(mem + off[6]);
    tab->cap = (uint32_t)cap;
    tab->stride = (uint32_t)stride;
    tab->index_mask = (uint32_t)skew__pow2_at_least(cap * 2) - 1;
    tab->used = 0;
    memset(tab->index, 0, (tab->index_mask + 1) * sizeof(uint16_t));
    memset(tab->counts, 0, cap * sizeof(uint32_t));
    /* entry 0 is "(other)"; stride may be shorter than the name in tiny configs */
    tab->lens[0] = (uint16_t)(stride < sizeof SKEW_OTHER_NAME - 1 ? stride : sizeof SKEW_OTHER_NAME - 1);
    memcpy(tab->text, SKEW_OTHER_NAME, tab->lens[0]);
    tab->free_head = SKEW__NONE;
    for (e = cap; e-- > 1;) {
        tab->live_pos[e] = (uint16_t)(tab->free_head == SKEW__NONE ? 0xFFFFu : tab->free_head);
        tab->free_head = (uint32_t)e;
    }
}

SKEW_API skew_result skew_tracker_init(skew_tracker **out, const skew_config *cfg, void *mem, size_t mem_size) {
    skew_config c;
    skew__layout L;
    skew_tracker *t;
    char *m = (char *)mem, *s;
    uint32_t i;
    skew_result r;
    if (!out) return SKEW_ERR_INVALID;
    *out = NULL;
    r = skew_config_resolve(cfg, &c);
    if (r != SKEW_OK) return r;
#if !SKEW_ENABLE_HOSTED
    if (!c.hooks.random_bytes) return SKEW_ERR_CONFIG; /* ids are credentials: no weak fallback */
#endif
    skew__layout_of(&c, &L);
    if (!mem || mem_size < L.total || ((uintptr_t)mem & 15u)) return SKEW_ERR_NOMEM;
    t = (skew_tracker *)(void *)(m + L.tracker);
    memset(t, 0, sizeof *t);
    t->cfg = c;
    t->slots = (skew__slot *)(void *)(m + L.slots);
    t->live = (uint32_t *)(void *)(m + L.live);
    t->subs = (uint32_t *)(void *)(m + L.subs);
    t->ids = (uint64_t *)(void *)(m + L.ids);
    t->id_mask = (uint32_t)skew__pow2_at_least((size_t)c.max_connections * 2) - 1;
    memset(t->ids, 0, ((size_t)t->id_mask + 1) * sizeof(uint64_t));
    memset(t->slots, 0, (size_t)c.max_connections * sizeof(skew__slot));
    t->free_head = SKEW__NONE;
    for (i = c.max_connections; i-- > 0;) {
        t->slots[i].gen = 1;
        t->slots[i].pos = t->free_head;
        t->slots[i].sub_pos = SKEW__NONE;
        t->free_head = i;
    }
    skew__tab_init(&t->versions, m, L.vtab, (size_t)c.max_versions + 1, c.max_version_len);
    skew__tab_init(&t->routes, m, L.rtab, c.route_tracking ? (size_t)c.max_routes + 1 : 1, c.max_route_len);
    s = m + L.strings;
    t->server_version = s;
    t->server_version_len = strlen(c.server_version);
    memcpy(s, c.server_version, t->server_version_len + 1);
    s += SKEW__ALIGN(c.max_version_len + 1);
    t->base = s;
    t->base_len = strlen(c.base_path);
    memcpy(s, c.base_path, t->base_len + 1);
    s += SKEW__ALIGN(t->base_len + 1);
    t->cookie = s;
    memcpy(s, c.version_cookie, strlen(c.version_cookie) + 1);
    s += SKEW__ALIGN(strlen(c.version_cookie) + 1);
    t->scratch = s;
    t->scratch_cap = (c.max_version_len > c.max_route_len ? c.max_version_len : c.max_route_len) + 1;
    t->cfg.server_version = t->server_version;
    t->cfg.base_path = t->base;
    t->cfg.version_cookie = t->cookie;
    t->msg = m + L.msg;
    t->msg_cap = c.message_buffer;
    t->doomed_head = SKEW__NONE;
    skew_bot_filter_init(&t->bots);
    t->bots.allow_empty = c.allow_empty_user_agent;
    for (i = 0; i < c.bot_pattern_count; i++)
        if (skew_bot_filter_add(&t->bots, skew__cstr(c.bot_patterns[i]), false) != SKEW_OK) return SKEW_ERR_CONFIG;
    for (i = 0; i < c.allow_pattern_count; i++)
        if (skew_bot_filter_add(&t->bots, skew__cstr(c.allow_patterns[i]), true) != SKEW_OK) return SKEW_ERR_CONFIG;
    t->cfg.bot_patterns = NULL; /* copied into the filter; the caller's arrays need not live on */
    t->cfg.allow_patterns = NULL;
    t->cfg.bot_pattern_count = t->cfg.allow_pattern_count = 0;
    if (skew__seed(t) != SKEW_OK) return SKEW_ERR_RANDOM;
    t->started_ms = t->last_now = skew__now(t);
    t->next_keepalive = t->started_ms + c.keepalive_ms;
    *out = t;
    return SKEW_OK;
}

SKEW_API skew_result skew_tracker_create(skew_tracker **out, const skew_config *cfg) {
    skew_config c;
    size_t need;
    void *mem = NULL;
    skew_result r;
    if (!out) return SKEW_ERR_INVALID;
    *out = NULL;
    r = skew_config_resolve(cfg, &c);
    if (r != SKEW_OK) return r;
    need = skew_tracker_memory_size(&c);
    if (c.hooks.alloc) mem = c.hooks.alloc(c.hooks.user_data, need);
#if SKEW_ENABLE_HOSTED
    else mem = malloc(need); /* malloc is aligned for every type, so at least 16 on hosts */
#endif
    if (!mem) return SKEW_ERR_NOMEM;
    r = skew_tracker_init(out, cfg, mem, need);
    if (r != SKEW_OK) {
        if (c.hooks.free) c.hooks.free(c.hooks.user_data, mem, need);
#if SKEW_ENABLE_HOSTED
        else free(mem);
#endif
        return r;
    }
    (*out)->owned = mem;
    (*out)->owned_size = need;
    return SKEW_OK;
}

SKEW_API void skew_tracker_destroy(skew_tracker *t) {
    void *mem;
    if (!t || !t->owned) return;
    mem = t->owned;
    if (t->cfg.hooks.free) t->cfg.hooks.free(t->cfg.hooks.user_data, mem, t->owned_size);
#if SKEW_ENABLE_HOSTED
    else free(mem);
#endif
}

SKEW_API const skew_config *skew_tracker_config(const skew_tracker *t) { return &t->cfg; }

/* ======================================================================================
   >>registry  connections
   ====================================================================================== */

SKEW__PRIV skew_handle skew__handle(const skew_tracker *t, uint32_t idx) {
    return ((skew_handle)t->slots[idx].gen << 32) | idx;
}

SKEW__PRIV skew_result skew__lookup(const skew_tracker *t, skew_handle h, uint32_t *idx) {
    uint32_t i = (uint32_t)(h & 0xFFFFFFFFu), g = (uint32_t)(h >> 32);
    if (g == 0 || i >= t->cfg.max_connections) return SKEW_ERR_NOT_FOUND;
    if (!(t->slots[i].flags & SKEW__F_LIVE) || t->slots[i].gen != g) return SKEW_ERR_STALE;
    *idx = i;
    return SKEW_OK;
}

SKEW__PRIV void skew__conn_view(const skew_tracker *t, uint32_t idx, skew_conn *c) {
    const skew__slot *s = &t->slots[idx];
    memset(c, 0, sizeof *c);
    c->handle = skew__handle(t, idx);
    skew__id_text(s->id, c->id);
    c->version = skew__tab_str(&t->versions, s->version);
    c->route = s->route == SKEW__NO_STR ? skew__str("", 0) : skew__tab_str(&t->routes, s->route);
    c->ip.family = s->ip_family;
    memcpy(c->ip.bytes, s->ip, 16);
    c->transport = (s->flags & SKEW__F_WS) ? SKEW_TRANSPORT_WS : SKEW_TRANSPORT_SSE;
    c->subscribed = (s->flags & SKEW__F_SUB) != 0;
    c->user = s->user;
}

/* Mark the stats as changed: due within the coalescing window, not postponed by later changes. */
SKEW__PRIV void skew__changed(skew_tracker *t) {
    if (!t->sub_count) return;
    if (!t->stats_dirty) {
        t->stats_dirty = true;
        t->stats_due = t->cfg.stats_interval_ms == SKEW_STATS_IMMEDIATE ? t->last_now : t->last_now + t->cfg.stats_interval_ms;
    }
}

SKEW__PRIV void skew__doom(skew_tracker *t, uint32_t idx, skew_close_reason why) {
    skew__slot *s = &t->slots[idx];
    if (s->flags & SKEW__F_DOOMED) return;
    s->flags |= SKEW__F_DOOMED;
    s->close_reason = (uint8_t)why;
    s->doomed_next = t->doomed_head;
    t->doomed_head = idx;
}

/* Deliver one message through hooks.send; a failure dooms the connection (never freed while
   a caller may be iterating). */
SKEW__PRIV skew_result skew__deliver_view(skew_tracker *t, uint32_t idx, const skew_conn *view, const char *msg,
                                          size_t len) {
    skew_conn c;
    skew_result r = SKEW_OK;
    if (t->slots[idx].flags & SKEW__F_DOOMED) return SKEW_ERR_SEND;
    if (t->cfg.hooks.send) {
        if (!view) {
            skew__conn_view(t, idx, &c);
            view = &c;
        }
        r = t->cfg.hooks.send(t->cfg.hooks.user_data, view, msg, len);
    }
    if (r == SKEW_OK) {
        t->m.messages_sent++;
        t->m.bytes_sent += len;
        return SKEW_OK;
    }
    skew__doom(t, idx, r == SKEW_ERR_SLOW ? SKEW_CLOSE_SLOW : SKEW_CLOSE_SEND_FAILED);
    return r == SKEW_ERR_SLOW ? SKEW_ERR_SLOW : SKEW_ERR_SEND;
}

SKEW__PRIV skew_result skew__deliver(skew_tracker *t, uint32_t idx, const char *msg, size_t len) {
    return skew__deliver_view(t, idx, NULL, msg, len);
}

SKEW__PRIV void skew__sub_remove(skew_tracker *t, uint32_t idx) {
    skew__slot *s = &t->slots[idx];
    uint32_t last;
    if (!(s->flags & SKEW__F_SUB)) return;
    last = t->subs[--t->sub_count];
    t->subs[s->sub_pos] = last;
    t->slots[last].sub_pos = s->sub_pos;
    s->sub_pos = SKEW__NONE;
    s->flags &= (uint8_t)~SKEW__F_SUB;
}

/* Unlink a slot and give its strings back; on_close runs in between so the hook sees them. */
SKEW__PRIV void skew__remove(skew_tracker *t, uint32_t idx, skew_close_reason why, bool tracked) {
    bool hook = tracked;
    skew__slot *s = &t->slots[idx];
    uint32_t last;
    skew_conn c;
    if (hook && t->cfg.hooks.on_close) skew__conn_view(t, idx, &c);
    skew__id_remove(t, idx);
    last = t->live[--t->live_count];
    t->live[s->pos] = last;
    t->slots[last].pos = s->pos;
    skew__sub_remove(t, idx);
    s->flags = 0;
    if (++s->gen == 0) s->gen = 1;
    if (hook && t->cfg.hooks.on_close) t->cfg.hooks.on_close(t->cfg.hooks.user_data, &c, why);
    skew__tab_unref(&t->versions, s->version);
    skew__tab_unref(&t->routes, s->route);
    s->user = NULL;
    s->pos = t->free_head;
    t->free_head = idx;
    if (!tracked) return; /* an open that failed half way: it never counted */
    t->m.closed++;
    if (why == SKEW_CLOSE_SLOW) t->m.slow_dropped++;
    if (why == SKEW_CLOSE_SEND_FAILED) t->m.send_failed++;
    skew__changed(t);
}

SKEW__PRIV void skew__reap(skew_tracker *t) {
    while (t->doomed_head != SKEW__NONE) {
        uint32_t idx = t->doomed_head;
        skew__slot *s = &t->slots[idx];
        t->doomed_head = s->doomed_next;
        if (s->flags & SKEW__F_LIVE) skew__remove(t, idx, (skew_close_reason)s->close_reason, true);
    }
}

SKEW__PRIV void skew__broadcast_stats(skew_tracker *t);

/* End of a public call: close doomed connections, then push stats at once when configured so.
   Each extra round only happens when a push doomed someone, so it ends. */
SKEW__PRIV void skew__settle(skew_tracker *t) {
    for (;;) {
        skew__reap(t);
        if (!(t->stats_dirty && t->cfg.stats_interval_ms == SKEW_STATS_IMMEDIATE)) break;
        skew__broadcast_stats(t);
        if (t->doomed_head == SKEW__NONE) break;
    }
}

SKEW__PRIV skew_transport skew__transport_of(const skew_tracker *t, skew_str path);

/* A version cookie's value as stored: percent-decoded, validated; else "(other)". */
SKEW__PRIV uint16_t skew__ref_version(skew_tracker *t, skew_str raw) {
    size_t n = 0;
    if (!raw.len) return skew__tab_ref(&t->versions, t->hash_seed, skew__str(t->server_version, t->server_version_len));
    if (raw.len <= t->cfg.max_version_len && !memchr(raw.ptr, '%', raw.len)) {
        /* nothing to decode: look it up in place; only a new value needs validating */
        uint32_t h = skew__hash(t->hash_seed, raw), e = skew__tab_find(&t->versions, raw, h);
        if (e != SKEW__NONE) {
            t->versions.counts[e]++;
            return (uint16_t)e;
        }
        if (skew__clean_text(raw)) return skew__tab_ref(&t->versions, t->hash_seed, raw);
        t->m.invalid_input++;
        t->versions.counts[0]++;
        return 0;
    }
    if (skew_url_decode(raw, false, t->scratch, t->cfg.max_version_len + 1, &n) != SKEW_OK || n == 0 ||
        !skew__clean_text(skew__str(t->scratch, n))) {
        t->m.invalid_input++;
        t->versions.counts[0]++;
        return 0;
    }
    return skew__tab_ref(&t->versions, t->hash_seed, skew__str(t->scratch, n));
}

SKEW__PRIV uint16_t skew__ref_route(skew_tracker *t, skew_str route) {
    return skew__tab_ref(&t->routes, t->hash_seed ^ 0x9E3779B9u, route);
}

/* The initial route from ?route= (decoded, cleaned); "/" when absent or invalid. */
SKEW__PRIV skew_str skew__initial_route(skew_tracker *t, const skew_request *req) {
    skew_str raw, clean;
    size_t n = 0;
    if (skew_query_param(req->query, "route", &raw) != SKEW_OK || raw.len == 0) return skew__str("/", 1);
    if (skew_url_decode(raw, true, t->scratch, t->scratch_cap, &n) != SKEW_OK ||
        skew_route_clean(skew__str(t->scratch, n), t->cfg.max_route_len, &clean) != SKEW_OK) {
        t->m.invalid_input++;
        return skew__str("/", 1);
    }
    return clean;
}

SKEW__PRIV skew_result skew__open(skew_tracker *t, const skew_request *req, void *user, skew_handle *out) {
    skew_transport tr;
    skew__slot *s;
    uint32_t idx;
    uint8_t id[16];
    skew_str cookie;
    skew_conn view;
    size_t len;
    skew_result r;
    skew__w w;
    *out = 0;
    if (!req) return SKEW_ERR_INVALID;
    tr = skew__transport_of(t, req->path);
    if (!tr) return SKEW_ERR_INVALID;
    if (!t->cfg.bot_filter_off && skew_bot_filter_is_bot(&t->bots, skew_request_header(req, "user-agent"))) {
        t->m.bots_rejected++;
        return SKEW_ERR_BOT;
    }
    if (t->free_head == SKEW__NONE) {
        t->m.refused_full++;
        return SKEW_ERR_FULL;
    }
    {
        uint64_t now = skew__now(t);
        if (now > t->last_now) t->last_now = now;
    }
    idx = t->free_head;
    s = &t->slots[idx];
    do { /* a repeat is 2^-122 per pair, but the check is free inside the insert */
        r = skew__new_id(t, id);
        if (r != SKEW_OK) return r;
        memcpy(s->id, id, 16);
    } while (!skew__id_insert(t, idx));
    t->free_head = s->pos;
    s->user = user;
    s->flags = (uint8_t)(SKEW__F_LIVE | (tr == SKEW_TRANSPORT_WS ? SKEW__F_WS : 0));
    s->sub_pos = SKEW__NONE;
    s->pos = t->live_count;
    t->live[t->live_count++] = idx;
    if (skew_cookie_get(skew_request_header(req, "cookie"), t->cookie, &cookie) != SKEW_OK) cookie.len = 0;
    s->version = skew__ref_version(t, cookie);
    s->route = t->cfg.route_tracking ? skew__ref_route(t, skew__initial_route(t, req)) : (uint16_t)SKEW__NO_STR;
    s->ip_family = 0;
    memset(s->ip, 0, 16);
    if (t->cfg.ip_tracking) {
        skew_ip ip;
        if (skew_client_ip(&t->cfg.ip_policy, req, &ip, NULL) == SKEW_OK) {
            s->ip_family = ip.family;
            memcpy(s->ip, ip.bytes, 16);
        }
    }
    if (tr == SKEW_TRANSPORT_WS && t->cfg.hooks.authorize &&
        t->cfg.hooks.authorize(t->cfg.hooks.user_data, req, SKEW_SCOPE_STATS) == SKEW_AUTH_GRANTED)
        s->flags |= SKEW__F_AUTH;
    skew__conn_view(t, idx, &view); /* one view for `connected` and on_open */
    w = skew__w_buf(t->msg, t->msg_cap);
    {
        static const char a[] = "{\"type\":\"connected\",\"version\":", b[] = ",\"connectionId\":", c[] = ",\"timestamp\":";
        skew__put(&w, a, sizeof a - 1);
        skew__put_json_str(&w, skew__str(t->server_version, t->server_version_len));
        skew__put(&w, b, sizeof b - 1);
        skew__put_id(&w, view.id);
        skew__put(&w, c, sizeof c - 1);
        skew__put_u64(&w, t->last_now);
        skew__put(&w, "}", 1);
    }
    len = skew__w_end(&w);
    r = skew__deliver_view(t, idx, &view, t->msg, len);
    if (r != SKEW_OK) {
        /* never tracked: undo without on_close and without counting a close */
        t->slots[idx].flags &= (uint8_t)~SKEW__F_DOOMED;
        t->doomed_head = t->slots[idx].doomed_next;
        skew__remove(t, idx, SKEW_CLOSE_SEND_FAILED, false);
        t->m.send_failed++;
        return SKEW_ERR_SEND;
    }
    t->m.opened++;
    *out = skew__handle(t, idx);
    skew__changed(t);
    if (t->cfg.hooks.on_open) t->cfg.hooks.on_open(t->cfg.hooks.user_data, &view);
    return SKEW_OK;
}

SKEW_API skew_result skew_open(skew_tracker *t, const skew_request *req, void *user, skew_handle *out) {
    skew_result r;
    skew_handle dummy;
    if (!t) return SKEW_ERR_INVALID;
    skew__enter(t);
    r = skew__open(t, req, user, out ? out : &dummy);
    skew__leave(t);
    return r;
}

SKEW_API skew_result skew_close(skew_tracker *t, skew_handle h, skew_close_reason reason) {
    uint32_t idx;
    skew_result r;
    if (!t) return SKEW_ERR_INVALID;
    skew__enter(t);
    r = skew__lookup(t, h, &idx);
    if (r == SKEW_OK && !(t->slots[idx].flags & SKEW__F_DOOMED)) skew__remove(t, idx, reason, true);
    skew__leave(t);
    return r;
}

SKEW_API void skew_close_all(skew_tracker *t) {
    if (!t) return;
    skew__enter(t);
    while (t->live_count) skew__remove(t, t->live[t->live_count - 1], SKEW_CLOSE_SHUTDOWN, true);
    t->doomed_head = SKEW__NONE;
    t->stats_dirty = false;
    skew__leave(t);
}

SKEW__PRIV skew_result skew__set_route(skew_tracker *t, uint32_t idx, skew_str route) {
    skew_str clean;
    skew__slot *s = &t->slots[idx];
    uint16_t old;
    skew_result r = skew_route_clean(route, t->cfg.max_route_len, &clean);
    if (r != SKEW_OK) {
        t->m.invalid_input++;
        return r;
    }
    if (!t->cfg.route_tracking) return SKEW_OK; /* valid, but not recorded */
    old = s->route;
    if (old != SKEW__NO_STR && t->routes.lens[old] == clean.len && old != 0 &&
        memcmp(t->routes.text + (size_t)old * t->routes.stride, clean.ptr, clean.len) == 0)
        return SKEW_OK; /* same route: nothing changes, nobody is told */
    s->route = skew__ref_route(t, clean);
    if (t->cfg.hooks.on_route_update) {
        skew_conn c;
        skew__conn_view(t, idx, &c);
        t->cfg.hooks.on_route_update(t->cfg.hooks.user_data, &c, skew__tab_str(&t->routes, old));
    }
    skew__tab_unref(&t->routes, old);
    skew__changed(t);
    return SKEW_OK;
}

SKEW_API skew_result skew_set_route(skew_tracker *t, skew_handle h, skew_str route) {
    uint32_t idx;
    skew_result r;
    if (!t) return SKEW_ERR_INVALID;
    skew__enter(t);
    r = skew__lookup(t, h, &idx);
    if (r == SKEW_OK) r = skew__set_route(t, idx, route);
    skew__leave(t);
    return r;
}

SKEW__PRIV size_t skew__write_stats(const skew_tracker *t, skew__w *w, bool with_type, uint32_t max_listed,
                                    size_t reserve, size_t *list_end);
#define SKEW__NO_CUT ((size_t)-1)

SKEW__PRIV skew_result skew__subscribe(skew_tracker *t, uint32_t idx, const skew_request *req) {
    skew__slot *s = &t->slots[idx];
    bool ok;
    size_t len, list_end = 0;
    if (req) {
        ok = t->cfg.hooks.authorize &&
             t->cfg.hooks.authorize(t->cfg.hooks.user_data, req, SKEW_SCOPE_STATS) == SKEW_AUTH_GRANTED;
    } else {
        ok = (s->flags & SKEW__F_AUTH) != 0;
    }
    if (!ok) {
        skew__sub_remove(t, idx); /* a credential that no longer passes ends the subscription */
        len = skew_json_stats_unauthorized(t->msg, t->msg_cap);
        skew__deliver(t, idx, t->msg, len);
        return SKEW_ERR_UNAUTHORIZED;
    }
    if (!(s->flags & SKEW__F_SUB)) {
        s->flags |= SKEW__F_SUB;
        s->sub_pos = t->sub_count;
        t->subs[t->sub_count++] = idx;
    }
    /* a fresh snapshot to this subscriber right away, every time it asks */
    {
        skew__w w = skew__w_buf(t->msg, t->msg_cap);
        char id[SKEW_ID_STR_MAX];
        skew__write_stats(t, &w, true, t->cfg.max_listed, 60, &list_end);
        w.len = list_end;
        skew__id_text(s->id, id);
        skew__puts(&w, ",\"yourId\":\"");
        skew__put(&w, id, 36);
        skew__puts(&w, "\"}");
        len = skew__w_end(&w);
    }
    return skew__deliver(t, idx, t->msg, len);
}

SKEW_API skew_result skew_subscribe(skew_tracker *t, skew_handle h, const skew_request *req) {
    uint32_t idx;
    skew_result r;
    if (!t) return SKEW_ERR_INVALID;
    skew__enter(t);
    r = skew__lookup(t, h, &idx);
    if (r == SKEW_OK) r = skew__subscribe(t, idx, req);
    skew__leave(t);
    return r;
}

SKEW_API skew_result skew_unsubscribe(skew_tracker *t, skew_handle h) {
    uint32_t idx;
    skew_result r;
    if (!t) return SKEW_ERR_INVALID;
    skew__enter(t);
    r = skew__lookup(t, h, &idx);
    if (r == SKEW_OK) skew__sub_remove(t, idx);
    skew__leave(t);
    return r;
}

SKEW__PRIV skew_result skew__find(const skew_tracker *t, skew_str id, uint32_t *idx) {
    uint8_t bin[16];
    uint32_t i;
    if (!skew__id_parse(id, bin)) return SKEW_ERR_INVALID;
    i = skew__id_lookup(t, bin);
    if (i == SKEW__NONE) return SKEW_ERR_NOT_FOUND;
    *idx = i;
    return SKEW_OK;
}

SKEW_API skew_result skew_find(skew_tracker *t, skew_str id, skew_handle *out) {
    uint32_t idx;
    skew_result r;
    if (!t || !out) return SKEW_ERR_INVALID;
    *out = 0;
    skew__enter(t);
    r = skew__find(t, id, &idx);
    if (r == SKEW_OK) *out = skew__handle(t, idx);
    skew__leave(t);
    return r;
}

SKEW_API skew_result skew_conn_get(const skew_tracker *t, skew_handle h, skew_conn *out) {
    uint32_t idx;
    skew_result r;
    if (!t || !out) return SKEW_ERR_INVALID;
    r = skew__lookup(t, h, &idx);
    if (r == SKEW_OK) skew__conn_view(t, idx, out);
    return r;
}

SKEW_API skew_result skew_send(skew_tracker *t, skew_handle h, const char *json, size_t len) {
    uint32_t idx;
    skew_result r;
    if (!t || (!json && len)) return SKEW_ERR_INVALID;
    r = skew__lookup(t, h, &idx);
    if (r != SKEW_OK) return r;
    r = skew__deliver(t, idx, json, len);
    if (t->depth == 0) skew__reap(t); /* called outside any hook: close a failed peer now */
    return r;
}

SKEW__PRIV bool skew__type_is(skew_str json, const char *type, char *buf, size_t cap) {
    size_t n = 0;
    return skew_json_get_string(json, "type", buf, cap, &n) == SKEW_OK && n == strlen(type) && memcmp(buf, type, n) == 0;
}

SKEW_API skew_result skew_ws_message(skew_tracker *t, skew_handle h, const char *data, size_t len) {
    uint32_t idx;
    skew_result r;
    skew_str msg = skew__str(data, data ? len : 0);
    char type[32];
    if (!t) return SKEW_ERR_INVALID;
    skew__enter(t);
    r = skew__lookup(t, h, &idx);
    if (r != SKEW_OK) goto done;
    /* exactly "ping" or {"type":"ping"}: a route like /shipping must never be read as a ping */
    if ((msg.len == 4 && memcmp(msg.ptr, "ping", 4) == 0) || skew__type_is(msg, "ping", type, sizeof type)) {
        size_t n = skew_json_pong(t->msg, t->msg_cap);
        r = skew__deliver(t, idx, t->msg, n);
    } else if (skew__type_is(msg, "subscribe-stats", type, sizeof type)) {
        r = skew__subscribe(t, idx, NULL);
    } else if (skew__type_is(msg, "unsubscribe-stats", type, sizeof type)) {
        skew__sub_remove(t, idx);
    } else if (skew__type_is(msg, "route-update", type, sizeof type)) {
        size_t n = 0;
        r = skew_json_get_string(msg, "route", t->scratch, t->scratch_cap, &n);
        if (r == SKEW_OK) r = skew__set_route(t, idx, skew__str(t->scratch, n));
        else t->m.invalid_input++;
        if (r == SKEW_ERR_NOT_FOUND) r = SKEW_ERR_INVALID;
    } else {
        t->m.invalid_input++;
        r = SKEW_ERR_INVALID;
    }
done:
    skew__leave(t);
    return r;
}

/* ======================================================================================
   >>stats  serialization of counts and connections
   ====================================================================================== */

SKEW__PRIV void skew__put_map(const skew__strtab *tab, skew__w *w) {
    uint32_t i;
    bool first = true;
    skew__put(w, "{", 1);
    if (tab->counts[0]) {
        skew__put_json_str(w, skew__tab_str(tab, 0));
        skew__put(w, ":", 1);
        skew__put_u64(w, tab->counts[0]);
        first = false;
    }
    for (i = 0; i < tab->used; i++) {
        uint32_t e = tab->live[i];
        if (!first) skew__put(w, ",", 1);
        first = false;
        skew__put_json_str(w, skew__tab_str(tab, e));
        skew__put(w, ":", 1);
        skew__put_u64(w, tab->counts[e]);
    }
    skew__put(w, "}", 1);
}

SKEW__PRIV void skew__put_entry(const skew_tracker *t, skew__w *w, uint32_t idx) {
    const skew__slot *s = &t->slots[idx];
    char id[SKEW_ID_STR_MAX];
    skew__id_text(s->id, id);
    skew__puts(w, "{\"id\":\"");
    skew__put(w, id, 36);
    skew__puts(w, "\",\"version\":");
    skew__put_json_str(w, skew__tab_str(&t->versions, s->version));
    if (t->cfg.route_tracking && s->route != SKEW__NO_STR) {
        skew__puts(w, ",\"route\":");
        skew__put_json_str(w, skew__tab_str(&t->routes, s->route));
    }
    if (t->cfg.ip_tracking && s->ip_family) {
        char ip[SKEW_IP_STR_MAX];
        skew_ip a;
        size_t n;
        a.family = s->ip_family;
        memcpy(a.bytes, s->ip, 16);
        n = skew_ip_format(&a, ip, sizeof ip);
        skew__puts(w, ",\"ip\":\"");
        skew__put(w, ip, n);
        skew__put(w, "\"", 1);
    }
    skew__put(w, "}", 1);
}

/* Write stats up to and including the connections list's ']'. Unless reserve is SKEW__NO_CUT,
   entries are added only while `reserve` bytes remain in the buffer for what the caller
   appends, so a push always fits: the head is always exact and only the list is cut.
   *list_end gets the offset just past ']'. */
SKEW__PRIV size_t skew__write_stats(const skew_tracker *t, skew__w *w, bool with_type, uint32_t max_listed,
                                    size_t reserve, size_t *list_end) {
    uint32_t i, n = t->live_count < max_listed ? t->live_count : max_listed;
    skew__puts(w, with_type ? "{\"type\":\"stats\",\"total\":" : "{\"total\":");
    skew__put_u64(w, t->live_count);
    skew__puts(w, ",\"versions\":");
    skew__put_map(&t->versions, w);
    if (t->cfg.route_tracking) {
        skew__puts(w, ",\"routes\":");
        skew__put_map(&t->routes, w);
    }
    skew__puts(w, ",\"connections\":[");
    for (i = 0; i < n; i++) {
        size_t before = w->len;
        if (i) skew__put(w, ",", 1);
        skew__put_entry(t, w, t->live[i]);
        if (reserve != SKEW__NO_CUT && !w->sink && w->len + reserve + 1 > w->cap) {
            w->len = before; /* does not fit: the list ends here */
            break;
        }
    }
    skew__put(w, "]", 1);
    *list_end = w->len;
    return w->len;
}

SKEW_API size_t skew_json_stats(const skew_tracker *t, char *buf, size_t cap, skew_handle you) {
    skew__w w = skew__w_buf(buf, cap);
    size_t end = 0, n;
    uint32_t idx;
    skew__lock_ro(t);
    skew__write_stats(t, &w, true, t->cfg.max_listed, SKEW__NO_CUT, &end);
    if (you && skew__lookup(t, you, &idx) == SKEW_OK) {
        char id[SKEW_ID_STR_MAX];
        skew__id_text(t->slots[idx].id, id);
        skew__puts(&w, ",\"yourId\":\"");
        skew__put(&w, id, 36);
        skew__put(&w, "\"", 1);
    }
    skew__put(&w, "}", 1);
    n = skew__w_end(&w);
    skew__unlock_ro(t);
    return n;
}

SKEW_API size_t skew_json_stats_sink(const skew_tracker *t, skew_sink_fn sink, void *ctx, skew_handle you,
                                     uint32_t max_listed, skew_result *res) {
    skew__w w;
    size_t end = 0;
    uint32_t idx;
    memset(&w, 0, sizeof w);
    w.sink = sink;
    w.ctx = ctx;
    skew__lock_ro(t);
    skew__write_stats(t, &w, true, max_listed, SKEW__NO_CUT, &end);
    if (you && skew__lookup(t, you, &idx) == SKEW_OK) {
        char id[SKEW_ID_STR_MAX];
        skew__id_text(t->slots[idx].id, id);
        skew__puts(&w, ",\"yourId\":\"");
        skew__put(&w, id, 36);
        skew__put(&w, "\"", 1);
    }
    skew__put(&w, "}", 1);
    skew__unlock_ro(t);
    if (res) *res = w.stopped ? SKEW_ERR_SEND : SKEW_OK;
    return w.len;
}

/* One snapshot for all subscribers: the body is built once; each recipient only gets its own
   ,"yourId":"..."} written after the list. */
SKEW__PRIV void skew__broadcast_stats(skew_tracker *t) {
    size_t end = 0, i;
    skew__w w;
    if (t->broadcasting) return;
    t->broadcasting = true;
    t->stats_dirty = false;
    if (t->sub_count) {
        w = skew__w_buf(t->msg, t->msg_cap);
        skew__write_stats(t, &w, true, t->cfg.max_listed, 60, &end);
        t->m.stats_pushes++;
        for (i = t->sub_count; i-- > 0;) {
            uint32_t idx = t->subs[i];
            char id[SKEW_ID_STR_MAX];
            if (t->slots[idx].flags & SKEW__F_DOOMED) continue;
            skew__id_text(t->slots[idx].id, id);
            w.len = end;
            skew__puts(&w, ",\"yourId\":\"");
            skew__put(&w, id, 36);
            skew__puts(&w, "\"}");
            skew__deliver(t, idx, t->msg, skew__w_end(&w));
        }
    }
    t->broadcasting = false;
}

SKEW_API uint32_t skew_tick(skew_tracker *t, uint64_t now) {
    uint64_t next;
    if (!t) return 0;
    skew__enter(t);
    if (now < t->last_now) {
        /* the clock went back: run what is pending now instead of waiting for the old time */
        if (t->stats_dirty) t->stats_due = now;
        if (t->next_keepalive > now + t->cfg.keepalive_ms) t->next_keepalive = now;
    }
    t->last_now = now;
    if (now >= t->next_keepalive) {
        uint32_t i;
        size_t len = skew_json_keepalive(t->msg, t->msg_cap, now);
        for (i = t->live_count; i-- > 0;)
            if (!(t->slots[t->live[i]].flags & SKEW__F_WS)) skew__deliver(t, t->live[i], t->msg, len);
        t->next_keepalive = now + t->cfg.keepalive_ms;
    }
    skew__reap(t);
    if (t->stats_dirty && now >= t->stats_due) skew__broadcast_stats(t);
    skew__reap(t);
    next = t->next_keepalive;
    if (t->stats_dirty && t->stats_due < next) next = t->stats_due;
    skew__leave(t);
    return next <= now ? 0 : (uint32_t)(next - now);
}

/* ======================================================================================
   >>deploy  live redeploy
   ====================================================================================== */

/* Store a validated version and tell every connection. */
SKEW__PRIV void skew__set_version(skew_tracker *t, skew_str version) {
    uint32_t i;
    size_t len;
    skew__w w;
    memmove(t->server_version, version.ptr, version.len); /* may come from t->scratch */
    t->server_version[version.len] = '\0';
    t->server_version_len = version.len;
    w = skew__w_buf(t->msg, t->msg_cap);
    skew__put_version_msg(&w, skew__str(t->server_version, version.len), false);
    len = skew__w_end(&w);
    for (i = t->live_count; i-- > 0;) skew__deliver(t, t->live[i], t->msg, len);
}

SKEW__PRIV skew_result skew__check_version(const skew_tracker *t, skew_str version) {
    if (!version.ptr || !version.len || !skew__clean_text(version)) return SKEW_ERR_INVALID;
    return version.len > t->cfg.max_version_len ? SKEW_ERR_TOO_LONG : SKEW_OK;
}

SKEW_API skew_result skew_set_server_version(skew_tracker *t, skew_str version) {
    skew_result r;
    if (!t) return SKEW_ERR_INVALID;
    r = skew__check_version(t, version);
    if (r != SKEW_OK) return r;
    skew__enter(t);
    skew__set_version(t, version);
    skew__leave(t);
    return SKEW_OK;
}

/* Path-prefix match on whole segments: "/docs" matches "/docs" and "/docs/x", not "/docsy". */
SKEW__PRIV bool skew__route_has_prefix(skew_str route, skew_str prefix) {
    if (route.len < prefix.len || memcmp(route.ptr, prefix.ptr, prefix.len) != 0) return false;
    return route.len == prefix.len || prefix.ptr[prefix.len - 1] == '/' || route.ptr[prefix.len] == '/';
}

/* Force a reload on every connection under prefix (already cleaned); returns how many. */
SKEW__PRIV uint32_t skew__invalidate(skew_tracker *t, skew_str prefix) {
    uint32_t i, n = 0;
    size_t len;
    skew__w w = skew__w_buf(t->msg, t->msg_cap);
    skew__put_version_msg(&w, skew__str(t->server_version, t->server_version_len), true);
    len = skew__w_end(&w);
    for (i = t->live_count; i-- > 0;) {
        uint32_t idx = t->live[i];
        uint16_t e = t->slots[idx].route;
        if (e == SKEW__NO_STR || e == 0 || !skew__route_has_prefix(skew__tab_str(&t->routes, e), prefix)) continue;
        if (skew__deliver(t, idx, t->msg, len) == SKEW_OK) n++;
    }
    return n;
}

SKEW_API skew_result skew_invalidate(skew_tracker *t, skew_str route_prefix, uint32_t *count) {
    skew_str prefix;
    skew_result r;
    uint32_t n;
    if (count) *count = 0;
    if (!t) return SKEW_ERR_INVALID;
    if (!t->cfg.route_tracking) return SKEW_ERR_DISABLED;
    r = skew_route_clean(route_prefix, t->cfg.max_route_len, &prefix);
    if (r != SKEW_OK) return r;
    skew__enter(t);
    n = skew__invalidate(t, prefix);
    skew__leave(t);
    if (count) *count = n;
    return SKEW_OK;
}

/* ======================================================================================
   >>numbers  stats for C code, health, metrics, snapshots
   ====================================================================================== */

SKEW_API uint32_t skew_total(const skew_tracker *t) { return t ? t->live_count : 0; }
SKEW_API uint32_t skew_subscriber_count(const skew_tracker *t) { return t ? t->sub_count : 0; }

SKEW__PRIV size_t skew__counts(const skew__strtab *tab, skew_count *out, size_t cap) {
    size_t n = 0, i;
    if (tab->counts[0]) {
        if (n < cap) { out[n].name = skew__tab_str(tab, 0); out[n].count = tab->counts[0]; }
        n++;
    }
    for (i = 0; i < tab->used; i++, n++)
        if (n < cap) { out[n].name = skew__tab_str(tab, tab->live[i]); out[n].count = tab->counts[tab->live[i]]; }
    return n;
}

SKEW_API size_t skew_versions(const skew_tracker *t, skew_count *out, size_t cap) {
    size_t n;
    if (!t) return 0;
    skew__lock_ro(t);
    n = skew__counts(&t->versions, out, out ? cap : 0);
    skew__unlock_ro(t);
    return n;
}
SKEW_API size_t skew_routes(const skew_tracker *t, skew_count *out, size_t cap) {
    size_t n;
    if (!t || !t->cfg.route_tracking) return 0;
    skew__lock_ro(t);
    n = skew__counts(&t->routes, out, out ? cap : 0);
    skew__unlock_ro(t);
    return n;
}

SKEW_API skew_str skew_server_version(const skew_tracker *t) {
    return t ? skew__str(t->server_version, t->server_version_len) : skew__str("", 0);
}

SKEW__PRIV uint32_t skew__current_count(const skew_tracker *t) {
    skew_str v = skew__str(t->server_version, t->server_version_len);
    uint32_t e = skew__tab_find(&t->versions, v, skew__hash(t->hash_seed, v));
    return e == SKEW__NONE ? 0 : t->versions.counts[e];
}

SKEW__PRIV uint32_t skew__rollout(const skew_tracker *t) {
    if (!t->live_count) return 1000;
    return (uint32_t)(((uint64_t)skew__current_count(t) * 1000u + t->live_count / 2) / t->live_count);
}

SKEW_API uint32_t skew_rollout_permille(const skew_tracker *t) {
    uint32_t pm;
    if (!t) return 1000;
    skew__lock_ro(t);
    pm = skew__rollout(t);
    skew__unlock_ro(t);
    return pm;
}

SKEW_API void skew_get_metrics(const skew_tracker *t, skew_metrics *out) {
    if (!out) return;
    if (!t) {
        memset(out, 0, sizeof *out);
        return;
    }
    skew__lock_ro(t);
    *out = t->m;
    skew__unlock_ro(t);
}

SKEW__PRIV void skew__put_health(const skew_tracker *t, skew__w *w) {
    uint64_t now = skew__now(t);
    skew__puts(w, "{\"ok\":true,\"version\":");
    skew__put_json_str(w, skew__str(t->server_version, t->server_version_len));
    skew__puts(w, ",\"uptime\":");
    skew__put_u64(w, now > t->started_ms ? (now - t->started_ms) / 1000u : 0);
    skew__put(w, "}", 1);
}

SKEW_API size_t skew_json_health(const skew_tracker *t, char *buf, size_t cap) {
    skew__w w = skew__w_buf(buf, cap);
    skew__lock_ro(t);
    skew__put_health(t, &w);
    skew__unlock_ro(t);
    return skew__w_end(&w);
}

/* Prometheus label value: backslash, quote and newline escaped. */
SKEW__PRIV void skew__put_label(skew__w *w, skew_str s) {
    size_t i, run = 0;
    for (i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (c != '\\' && c != '"' && c != '\n') continue;
        skew__put(w, s.ptr + run, i - run);
        skew__puts(w, c == '\\' ? "\\\\" : c == '"' ? "\\\"" : "\\n");
        run = i + 1;
    }
    skew__put(w, s.ptr + run, s.len - run);
}

SKEW__PRIV void skew__put_metric(skew__w *w, const char *name, const char *type, const char *help, uint64_t v) {
    skew__puts(w, "# HELP "); skew__puts(w, name); skew__put(w, " ", 1); skew__puts(w, help);
    skew__puts(w, "\n# TYPE "); skew__puts(w, name); skew__put(w, " ", 1); skew__puts(w, type);
    skew__put(w, "\n", 1); skew__puts(w, name); skew__put(w, " ", 1); skew__put_u64(w, v);
    skew__put(w, "\n", 1);
}

SKEW__PRIV void skew__put_labelled(skew__w *w, const skew__strtab *tab, const char *name, const char *label, const char *help) {
    size_t i;
    skew__puts(w, "# HELP "); skew__puts(w, name); skew__put(w, " ", 1); skew__puts(w, help);
    skew__puts(w, "\n# TYPE "); skew__puts(w, name); skew__puts(w, " gauge\n");
    for (i = 0; i <= tab->used; i++) {
        uint32_t e = i == tab->used ? 0 : tab->live[i];
        if (!tab->counts[e]) continue;
        skew__puts(w, name); skew__put(w, "{", 1); skew__puts(w, label); skew__puts(w, "=\"");
        skew__put_label(w, skew__tab_str(tab, e));
        skew__puts(w, "\"} ");
        skew__put_u64(w, tab->counts[e]);
        skew__put(w, "\n", 1);
    }
}

SKEW__PRIV void skew__put_metrics(const skew_tracker *t, skew__w *wp) {
#define w (*wp)
    uint32_t pm = skew__rollout(t);
    char ratio[8];
    skew__put_metric(&w, "skew_connections", "gauge", "Tracked SSE and WebSocket connections.", t->live_count);
    skew__put_metric(&w, "skew_subscribers", "gauge", "Connections receiving live stats.", t->sub_count);
    skew__put_labelled(&w, &t->versions, "skew_connections_by_version", "version", "Tracked connections per build version.");
    if (t->cfg.route_tracking)
        skew__put_labelled(&w, &t->routes, "skew_connections_by_route", "route", "Tracked connections per route.");
    skew__puts(&w, "# HELP skew_rollout_ratio Share of connections on the current server version.\n"
                   "# TYPE skew_rollout_ratio gauge\nskew_rollout_ratio ");
    ratio[0] = (char)('0' + pm / 1000u);
    ratio[1] = '.';
    ratio[2] = (char)('0' + pm / 100u % 10u);
    ratio[3] = (char)('0' + pm / 10u % 10u);
    ratio[4] = (char)('0' + pm % 10u);
    ratio[5] = '\n';
    skew__put(&w, ratio, 6);
    skew__put_metric(&w, "skew_connections_opened_total", "counter", "Connections opened.", t->m.opened);
    skew__put_metric(&w, "skew_connections_closed_total", "counter", "Connections closed.", t->m.closed);
    skew__put_metric(&w, "skew_bots_rejected_total", "counter", "Bot requests refused.", t->m.bots_rejected);
    skew__put_metric(&w, "skew_refused_full_total", "counter", "Connections refused at the connection limit.", t->m.refused_full);
    skew__put_metric(&w, "skew_messages_sent_total", "counter", "Messages handed to the transport.", t->m.messages_sent);
    skew__put_metric(&w, "skew_bytes_sent_total", "counter", "JSON bytes handed to the transport.", t->m.bytes_sent);
    skew__put_metric(&w, "skew_slow_consumers_dropped_total", "counter", "Connections closed for unread output.", t->m.slow_dropped);
    skew__put_metric(&w, "skew_send_failures_total", "counter", "Connections closed because a send failed.", t->m.send_failed);
    skew__put_metric(&w, "skew_invalid_input_total", "counter", "Malformed client input ignored.", t->m.invalid_input);
    skew__put_metric(&w, "skew_stats_pushes_total", "counter", "Coalesced stats snapshots pushed.", t->m.stats_pushes);
#undef w
}

SKEW_API size_t skew_metrics_text(const skew_tracker *t, char *buf, size_t cap) {
    skew__w w = skew__w_buf(buf, cap);
    skew__lock_ro(t);
    skew__put_metrics(t, &w);
    skew__unlock_ro(t);
    return skew__w_end(&w);
}

SKEW_API size_t skew_snapshot(const skew_tracker *t, char *buf, size_t cap) {
    skew__w w = skew__w_buf(buf, cap);
    size_t n;
    skew__lock_ro(t);
    skew__puts(&w, "{\"total\":");
    skew__put_u64(&w, t->live_count);
    skew__puts(&w, ",\"versions\":");
    skew__put_map(&t->versions, &w);
    if (t->cfg.route_tracking) {
        skew__puts(&w, ",\"routes\":");
        skew__put_map(&t->routes, &w);
    }
    skew__put(&w, "}", 1);
    n = skew__w_end(&w);
    skew__unlock_ro(t);
    return n;
}

/* ---- merging snapshots of several instances ------------------------------------------ */

SKEW_API void skew_merge_init(skew_merge *m, skew_count *versions, size_t version_cap, skew_count *routes, size_t route_cap) {
    memset(m, 0, sizeof *m);
    m->versions = versions;
    m->version_cap = version_cap;
    m->routes = routes;
    m->route_cap = route_cap;
}

SKEW__PRIV bool skew__jr_u32(skew__jr *r, uint32_t *out) {
    uint64_t v = 0;
    const unsigned char *s = r->p;
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
        v = v * 10u + (uint64_t)(*r->p - '0');
        if (v > 0xFFFFFFFFu) return false;
        r->p++;
    }
    *out = (uint32_t)v;
    return r->p > s && (r->p == s + 1 || *s != '0');
}

/* The key of a map entry must stay a view into the snapshot text: keys that needed escape
   decoding are kept raw (without quotes), which is exact for everything this library writes
   except '"' and '\\', which stay escaped. */
SKEW__PRIV void skew__merge_one(skew_merge *m, bool routes, skew_str key, uint32_t n) {
    skew_count *arr = routes ? m->routes : m->versions;
    size_t *count = routes ? &m->route_count : &m->version_count;
    size_t cap = routes ? m->route_cap : m->version_cap, i;
    for (i = 0; i < *count; i++)
        if (arr[i].name.len == key.len && memcmp(arr[i].name.ptr, key.ptr, key.len) == 0) {
            arr[i].count += n;
            return;
        }
    if (*count < cap) {
        arr[*count].name = key;
        arr[*count].count = n;
        (*count)++;
        return;
    }
    m->overflow = true;
    for (i = 0; i < *count; i++)
        if (arr[i].name.len == sizeof SKEW_OTHER_NAME - 1 && memcmp(arr[i].name.ptr, SKEW_OTHER_NAME, arr[i].name.len) == 0) {
            arr[i].count += n;
            return;
        }
    if (cap) { /* the last entry becomes "(other)" and keeps its own count */
        arr[cap - 1].name = skew__str(SKEW_OTHER_NAME, sizeof SKEW_OTHER_NAME - 1);
        arr[cap - 1].count += n;
    }
}

typedef struct skew__merge_ctx {
    skew_merge *m;
    skew_merge staged; /* applied only when the whole snapshot parsed */
} skew__merge_ctx;

SKEW__PRIV int skew__merge_cb(void *ctx, skew_str key, skew__jr *r) {
    skew_merge *m = (skew_merge *)ctx;
    bool routes;
    if (key.len == 5 && memcmp(key.ptr, "total", 5) == 0) {
        uint32_t v;
        if (!skew__jr_u32(r, &v)) return -1;
        m->total += v;
        return 1;
    }
    if (key.len == 8 && memcmp(key.ptr, "versions", 8) == 0) routes = false;
    else if (key.len == 6 && memcmp(key.ptr, "routes", 6) == 0) routes = true;
    else return 0;
    if (*r->p != '{') return -1;
    r->p++;
    skew__jr_ws(r);
    if (*r->p == '}') { r->p++; return 1; }
    for (;;) {
        const unsigned char *ks;
        uint32_t v;
        skew__jr_ws(r);
        ks = r->p + 1;
        if (!skew__jr_string(r, NULL)) return -1;
        key = skew__str((const char *)ks, (size_t)(r->p - 1 - ks));
        skew__jr_ws(r);
        r->p++;
        skew__jr_ws(r);
        if (!skew__jr_u32(r, &v)) return -1;
        skew__merge_one(m, routes, key, v);
        skew__jr_ws(r);
        if (*r->p == '}') { r->p++; return 1; }
        r->p++;
    }
}

SKEW_API skew_result skew_merge_add(skew_merge *m, skew_str snapshot_json) {
    skew_merge staged = *m;
    skew_result r;
    /* the arrays are shared, so count into copies of them would need storage: instead check
       the document first, then merge (a bad snapshot changes nothing) */
    r = skew_json_validate(snapshot_json);
    if (r != SKEW_OK) return r;
    r = skew__json_members(snapshot_json, skew__merge_cb, &staged);
    if (r != SKEW_OK) return r; /* only number shapes can fail here; none were merged before */
    *m = staged;
    return SKEW_OK;
}

SKEW__PRIV void skew__put_counts(skew__w *w, const skew_count *arr, size_t n) {
    size_t i;
    skew__put(w, "{", 1);
    for (i = 0; i < n; i++) {
        if (i) skew__put(w, ",", 1);
        skew__put(w, "\"", 1);
        skew__put(w, arr[i].name.ptr, arr[i].name.len); /* raw JSON string content */
        skew__put(w, "\":", 2);
        skew__put_u64(w, arr[i].count);
    }
    skew__put(w, "}", 1);
}

SKEW_API size_t skew_merge_write(const skew_merge *m, char *buf, size_t cap) {
    skew__w w = skew__w_buf(buf, cap);
    skew__puts(&w, "{\"total\":");
    skew__put_u64(&w, m->total);
    skew__puts(&w, ",\"versions\":");
    skew__put_counts(&w, m->versions, m->version_count);
    skew__puts(&w, ",\"routes\":");
    skew__put_counts(&w, m->routes, m->route_count);
    skew__put(&w, "}", 1);
    return skew__w_end(&w);
}

/* ======================================================================================
   >>http  router and plain endpoints
   ====================================================================================== */

SKEW_API skew_endpoint skew_route_path(const skew_tracker *t, skew_str path) {
    skew_str rest;
    if (!t || !path.ptr || path.len < t->base_len || memcmp(path.ptr, t->base, t->base_len) != 0) return SKEW_EP_NONE;
    rest = skew__str(path.ptr + t->base_len, path.len - t->base_len);
    if (rest.len && rest.ptr[0] != '/') return SKEW_EP_NONE; /* "/__skewer" is not ours */
#define SKEW__IS(lit) (rest.len == sizeof(lit) - 1 && memcmp(rest.ptr, lit, rest.len) == 0)
    if (SKEW__IS("/sse")) return SKEW_EP_SSE;
    if (SKEW__IS("/ws")) return SKEW_EP_WS;
    if (SKEW__IS("/route")) return SKEW_EP_ROUTE;
    if (SKEW__IS("/subscribe-stats")) return SKEW_EP_SUBSCRIBE;
    if (SKEW__IS("/health")) return SKEW_EP_HEALTH;
    if (SKEW__IS("/admin/stats")) return SKEW_EP_ADMIN_STATS;
    if (SKEW__IS("/admin/version")) return SKEW_EP_ADMIN_VERSION;
    if (SKEW__IS("/admin/invalidate")) return SKEW_EP_ADMIN_INVALIDATE;
    if (SKEW__IS("/metrics")) return SKEW_EP_METRICS;
#undef SKEW__IS
    return SKEW_EP_UNKNOWN;
}

SKEW__PRIV skew_transport skew__transport_of(const skew_tracker *t, skew_str path) {
    skew_endpoint ep = skew_route_path(t, path);
    return ep == SKEW_EP_SSE ? SKEW_TRANSPORT_SSE : ep == SKEW_EP_WS ? SKEW_TRANSPORT_WS : (skew_transport)0;
}

SKEW_API skew_endpoint skew_route_request(const skew_tracker *t, const skew_request *req) {
    skew_endpoint ep;
    bool get;
    if (!t || !req) return SKEW_EP_NONE;
    ep = skew_route_path(t, req->path);
    get = skew__eq_nocase(req->method, "GET") && req->method.ptr[0] == 'G';
    if (req->upgrade) return ep == SKEW_EP_WS && get ? SKEW_EP_WS : SKEW_EP_REJECT;
    if (ep == SKEW_EP_NONE) return SKEW_EP_NONE;
    if (ep == SKEW_EP_SSE) return get ? SKEW_EP_SSE : SKEW_EP_REJECT;
    if (ep == SKEW_EP_WS) return SKEW_EP_REJECT; /* 426 from skew_http */
    return ep;
}

typedef struct skew__http {
    skew_response *resp;
    skew__w w;
} skew__answer;

SKEW__PRIV void skew__json_answer(skew__answer *h, int status, const char *json) {
    h->resp->status = status;
    h->resp->content_type = "application/json";
    skew__puts(&h->w, json);
}

SKEW__PRIV void skew__error_answer(skew__answer *h, int status, const char *error) {
    h->resp->status = status;
    h->resp->content_type = "application/json";
    skew__puts(&h->w, "{\"ok\":false,\"error\":");
    skew__put_json_str(&h->w, skew__cstr(error));
    skew__put(&h->w, "}", 1);
}

/* A field of a POST body: JSON object or form-encoded. Decoded into buf. */
SKEW__PRIV skew_result skew__body_field(skew_str body, const char *name, char *buf, size_t cap, size_t *n) {
    skew_str t = skew__trim(body), raw;
    while (t.len && (t.ptr[0] == '\r' || t.ptr[0] == '\n')) { t.ptr++; t.len--; }
    *n = 0;
    if (t.len && t.ptr[0] == '{') return skew_json_get_string(body, name, buf, cap, n);
    if (skew_query_param(body, name, &raw) != SKEW_OK) return SKEW_ERR_NOT_FOUND;
    return skew_url_decode(raw, true, buf, cap, n);
}

SKEW__PRIV bool skew__method(const skew_request *req, const char *m) {
    return req->method.len == strlen(m) && memcmp(req->method.ptr, m, req->method.len) == 0;
}

SKEW__PRIV skew_auth skew__admin_auth(skew_tracker *t, const skew_request *req) {
    if (!t->cfg.hooks.authorize) return SKEW_AUTH_UNAVAILABLE;
    return t->cfg.hooks.authorize(t->cfg.hooks.user_data, req, SKEW_SCOPE_ADMIN);
}

/* The POST endpoints that name a connection: returns its slot or answers the error. */
SKEW__PRIV bool skew__post_conn(skew_tracker *t, skew__answer *h, const skew_request *req, uint32_t *idx) {
    char id[48];
    size_t n = 0;
    skew_result r = skew__body_field(req->body, "connectionId", id, sizeof id, &n);
    if (r == SKEW_ERR_NOT_FOUND || (r == SKEW_OK && n == 0)) {
        skew__error_answer(h, 400, "missing connectionId");
        return false;
    }
    if (r != SKEW_OK) {
        skew__error_answer(h, 400, r == SKEW_ERR_INVALID ? "invalid body" : "invalid connectionId");
        return false;
    }
    r = skew__find(t, skew__str(id, n), idx);
    if (r == SKEW_ERR_INVALID) {
        skew__error_answer(h, 400, "invalid connectionId");
        return false;
    }
    if (r != SKEW_OK) {
        skew__error_answer(h, 404, "unknown connectionId");
        return false;
    }
    return true;
}

SKEW__PRIV void skew__serve(skew_tracker *t, const skew_request *req, skew__answer *h) {
    skew_endpoint ep = skew_route_path(t, req->path);
    bool is_get = skew__method(req, "GET"), is_post = skew__method(req, "POST");
    uint32_t idx;
    if (req->upgrade && ep != SKEW_EP_WS) { skew__error_answer(h, 404, "no WebSocket endpoint here"); return; }
    switch (ep) {
    case SKEW_EP_NONE:
    case SKEW_EP_UNKNOWN:
    case SKEW_EP_REJECT:
        skew__error_answer(h, 404, "not found");
        return;
    case SKEW_EP_SSE:
        if (!is_get) { h->resp->allow = "GET"; skew__error_answer(h, 405, "method not allowed"); return; }
        skew__error_answer(h, 400, "open SSE streams with skew_open");
        return;
    case SKEW_EP_WS:
        if (!is_get) { h->resp->allow = "GET"; skew__error_answer(h, 405, "method not allowed"); return; }
        skew__error_answer(h, 426, "upgrade required");
        h->resp->upgrade_required = true;
        return;
    case SKEW_EP_HEALTH:
    case SKEW_EP_ADMIN_STATS:
    case SKEW_EP_METRICS:
        if (!is_get) { h->resp->allow = "GET"; skew__error_answer(h, 405, "method not allowed"); return; }
        break;
    default:
        if (!is_post) { h->resp->allow = "POST"; skew__error_answer(h, 405, "method not allowed"); return; }
        if (req->body.len > t->cfg.max_body) { skew__error_answer(h, 413, "body too large"); return; }
        break;
    }
    switch (ep) {
    case SKEW_EP_HEALTH:
        h->resp->status = 200;
        h->resp->content_type = "application/json";
        skew__put_health(t, &h->w);
        return;
    case SKEW_EP_ROUTE: {
        size_t n = 0;
        skew_result r;
        if (!skew__post_conn(t, h, req, &idx)) return;
        r = skew__body_field(req->body, "route", t->scratch, t->scratch_cap, &n);
        if (r == SKEW_ERR_NOT_FOUND) { skew__error_answer(h, 400, "missing route"); return; }
        if (r == SKEW_OK) r = skew__set_route(t, idx, skew__str(t->scratch, n));
        if (r != SKEW_OK) { skew__error_answer(h, 400, "invalid route"); return; }
        skew__json_answer(h, 200, "{\"ok\":true}");
        return;
    }
    case SKEW_EP_SUBSCRIBE:
        if (!skew__post_conn(t, h, req, &idx)) return;
        skew__subscribe(t, idx, req); /* stats or stats-unauthorized goes down the stream */
        skew__json_answer(h, 200, "{\"ok\":true}");
        return;
    default:
        break;
    }
    /* admin endpoints */
    switch (skew__admin_auth(t, req)) {
    case SKEW_AUTH_GRANTED: break;
    case SKEW_AUTH_UNAVAILABLE: skew__error_answer(h, 503, "admin access is not configured"); return;
    default: skew__error_answer(h, 401, "unauthorized"); return;
    }
    switch (ep) {
    case SKEW_EP_ADMIN_STATS: {
        size_t end = 0;
        h->resp->status = 200;
        h->resp->content_type = "application/json";
        skew__write_stats(t, &h->w, false, t->cfg.max_listed, SKEW__NO_CUT, &end);
        skew__put(&h->w, "}", 1);
        return;
    }
    case SKEW_EP_METRICS: {
        skew__put_metrics(t, &h->w);
        h->resp->status = 200;
        h->resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
        return;
    }
    case SKEW_EP_ADMIN_VERSION: {
        size_t n = 0;
        skew_result r = skew__body_field(req->body, "version", t->scratch, t->scratch_cap, &n);
        if (r == SKEW_OK) r = skew__check_version(t, skew__str(t->scratch, n));
        if (r != SKEW_OK) {
            skew__error_answer(h, 400, "invalid version");
            return;
        }
        skew__set_version(t, skew__str(t->scratch, n));
        h->resp->status = 200;
        h->resp->content_type = "application/json";
        skew__puts(&h->w, "{\"ok\":true,\"version\":");
        skew__put_json_str(&h->w, skew__str(t->server_version, t->server_version_len));
        skew__puts(&h->w, ",\"notified\":");
        skew__put_u64(&h->w, t->live_count);
        skew__put(&h->w, "}", 1);
        return;
    }
    case SKEW_EP_ADMIN_INVALIDATE: {
        size_t n = 0;
        skew_str prefix;
        skew_result r;
        if (!t->cfg.route_tracking) { skew__error_answer(h, 409, "route tracking is off"); return; }
        r = skew__body_field(req->body, "route", t->scratch, t->scratch_cap, &n);
        if (r == SKEW_OK) r = skew_route_clean(skew__str(t->scratch, n), t->cfg.max_route_len, &prefix);
        if (r != SKEW_OK) { skew__error_answer(h, 400, "invalid route"); return; }
        h->resp->status = 200;
        h->resp->content_type = "application/json";
        skew__puts(&h->w, "{\"ok\":true,\"notified\":");
        skew__put_u64(&h->w, skew__invalidate(t, prefix));
        skew__put(&h->w, "}", 1);
        return;
    }
    default:
        skew__error_answer(h, 404, "not found");
        return;
    }
}

SKEW_API skew_result skew_http(skew_tracker *t, const skew_request *req, skew_response *resp, char *body, size_t cap) {
    skew__answer h;
    if (!t || !req || !resp) return SKEW_ERR_INVALID;
    memset(resp, 0, sizeof *resp);
    h.resp = resp;
    h.w = skew__w_buf(body, cap);
    skew__enter(t);
    skew__serve(t, req, &h);
    skew__leave(t);
    resp->body_len = skew__w_end(&h.w);
    return resp->body_len >= cap ? SKEW_ERR_TRUNCATED : SKEW_OK;
}

SKEW_API skew_result skew_http_open_error(const skew_tracker *t, const skew_request *req, skew_result open_result,
                                         skew_response *resp, char *body, size_t cap) {
    skew__answer h;
    bool ws;
    if (!t || !req || !resp) return SKEW_ERR_INVALID;
    memset(resp, 0, sizeof *resp);
    h.resp = resp;
    h.w = skew__w_buf(body, cap);
    ws = skew_route_path(t, req->path) == SKEW_EP_WS;
    switch (open_result) {
    case SKEW_ERR_BOT:
        /* an EventSource does not reconnect after 204; a WebSocket client sees a refusal */
        if (ws) skew__error_answer(&h, 403, "bots are not tracked");
        else { resp->status = 204; resp->content_type = "application/json"; }
        break;
    case SKEW_ERR_FULL: skew__error_answer(&h, 503, "too many connections"); break;
    case SKEW_ERR_INVALID: skew__error_answer(&h, 400, "invalid request"); break;
    default: skew__error_answer(&h, 500, skew_result_str(open_result)); break;
    }
    resp->close = true;
    resp->body_len = skew__w_end(&h.w);
    return resp->body_len >= cap && cap ? SKEW_ERR_TRUNCATED : (cap || !resp->body_len ? SKEW_OK : SKEW_ERR_TRUNCATED);
}
