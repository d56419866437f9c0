/* ======================================================================================
   >>ip  client IP behind proxies: parse, format, CIDR, trusted-proxy policy
   ====================================================================================== */

/* Elements of x-forwarded-for / Forwarded examined when skew_ip_policy.max_hops is 0. */
#define SKEW__IP_DEFAULT_HOPS 16u
/* Longest IPv6 zone id accepted (and dropped); Linux interface names have at most 15. */
#define SKEW__IP_ZONE_MAX 32u

SKEW__PRIV int skew__ip_hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

SKEW__PRIV bool skew__ip_has(const char *p, size_t n, char c) {
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i] == c) return true;
    return false;
}

/* One canonical form for every family-4 address: ::ffff:a.b.c.d becomes family 4, the unused
   bytes are zero, and unknown families become 0. Every comparison goes through this, so an
   adapter that copies sin6_addr of a mapped peer verbatim still matches IPv4 ranges. */
SKEW__PRIV skew_ip skew__ip_norm(const skew_ip *in) {
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    skew_ip r;
    memset(&r, 0, sizeof r);
    if (!in) return r;
    if (in->family == 4) {
        r.family = 4;
        memcpy(r.bytes, in->bytes, 4);
    } else if (in->family == 6) {
        if (memcmp(in->bytes, mapped, sizeof mapped) == 0) {
            r.family = 4;
            memcpy(r.bytes, in->bytes + 12, 4);
        } else {
            r.family = 6;
            memcpy(r.bytes, in->bytes, 16);
        }
    }
    return r;
}

/* Exactly four decimal octets 0..255. A leading zero ("01") is refused: inet_aton and
   browsers read it as octal, so accepting it would let two parsers disagree on the address. */
SKEW__PRIV bool skew__ip_parse4(const char *p, size_t n, uint8_t out[4]) {
    size_t i = 0;
    int part;
    for (part = 0; part < 4; part++) {
        unsigned v = 0;
        size_t digits = 0;
        if (part > 0) {
            if (i >= n || p[i] != '.') return false;
            i++;
        }
        while (i < n && p[i] >= '0' && p[i] <= '9') {
            if (digits == 3 || (digits == 1 && v == 0)) return false;
            v = v * 10u + (unsigned)(p[i] - '0');
            digits++;
            i++;
        }
        if (digits == 0 || v > 255u) return false;
        out[part] = (uint8_t)v;
    }
    return i == n;
}

/* RFC 4291 section 2.2 text: 1-4 hex digits per group, at most one "::" standing for one or
   more zero groups, an optional dotted quad in place of the last two groups. Single pass. */
SKEW__PRIV bool skew__ip_parse6(const char *p, size_t n, uint8_t out[16]) {
    unsigned g[8];
    size_t ng = 0, i = 0, gap = 0, k, tail;
    bool has_gap = false;
    if (n < 2) return false;
    if (p[0] == ':') {
        if (p[1] != ':') return false;
        has_gap = true;
        i = 2;
    }
    while (i < n) {
        size_t start = i, digits = 0;
        unsigned v = 0;
        int h;
        while (i < n && (h = skew__ip_hexval(p[i])) >= 0) {
            if (digits == 4) return false;
            v = v * 16u + (unsigned)h;
            digits++;
            i++;
        }
        if (i < n && p[i] == '.') {
            uint8_t q[4];
            if (ng > 6 || !skew__ip_parse4(p + start, n - start, q)) return false;
            g[ng++] = (unsigned)q[0] << 8 | q[1];
            g[ng++] = (unsigned)q[2] << 8 | q[3];
            break; /* parse4 consumed the rest */
        }
        if (digits == 0 || ng == 8) return false;
        g[ng++] = v;
        if (i == n) break;
        if (p[i] != ':') return false;
        i++;
        if (i < n && p[i] == ':') {
            if (has_gap) return false;
            has_gap = true;
            gap = ng;
            i++;
        } else if (i == n) {
            return false; /* a lone trailing ':' */
        }
    }
    if (has_gap ? ng > 7 : ng != 8) return false;
    if (!has_gap) gap = ng;
    memset(out, 0, 16);
    for (k = 0; k < gap; k++) {
        out[2 * k] = (uint8_t)(g[k] >> 8);
        out[2 * k + 1] = (uint8_t)(g[k] & 0xffu);
    }
    tail = ng - gap;
    for (k = 0; k < tail; k++) {
        size_t at = 8 - tail + k;
        out[2 * at] = (uint8_t)(g[gap + k] >> 8);
        out[2 * at + 1] = (uint8_t)(g[gap + k] & 0xffu);
    }
    return true;
}

/* Zone ids are only dropped, never used; still refuse bytes that could smuggle list or
   pair separators through a quoted Forwarded value. */
SKEW__PRIV bool skew__ip_zone_ok(const char *p, size_t n) {
    size_t i;
    if (n == 0 || n > SKEW__IP_ZONE_MAX) return false;
    for (i = 0; i < n; i++) {
        char c = p[i];
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
                  c == '.' || c == '_' || c == '~';
        if (!ok) return false;
    }
    return true;
}

/* RFC 7239 node-port: 1-5 digits (at most 65535) or an obfuscated "_xyz". */
SKEW__PRIV bool skew__ip_obf_ok(const char *p, size_t n) {
    size_t i;
    if (n < 2 || p[0] != '_') return false;
    for (i = 1; i < n; i++) {
        char c = p[i];
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
                  c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}
SKEW__PRIV bool skew__ip_port_ok(const char *p, size_t n) {
    size_t i;
    unsigned long v = 0;
    if (n > 0 && p[0] == '_') return skew__ip_obf_ok(p, n);
    if (n == 0 || n > 5) return false;
    for (i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return false;
        v = v * 10u + (unsigned long)(p[i] - '0');
    }
    return v <= 65535u;
}

SKEW__PRIV size_t skew__ip_fmt_u8(char *o, unsigned v) {
    size_t n = 0;
    if (v >= 100u) o[n++] = (char)('0' + v / 100u);
    if (v >= 10u) o[n++] = (char)('0' + v / 10u % 10u);
    o[n++] = (char)('0' + v % 10u);
    return n;
}

/* RFC 5952 section 4: lowercase, no leading zeros, the longest run (>= 2) of zero groups
   becomes "::", the first run on a tie; a single zero group stays "0". o holds >= 40 bytes. */
SKEW__PRIV size_t skew__ip_fmt6(char *o, const uint8_t b[16]) {
    static const char hexd[] = "0123456789abcdef";
    unsigned g[8];
    size_t k, n = 0, best = 8, best_len = 0, run = 0;
    for (k = 0; k < 8; k++) {
        g[k] = (unsigned)b[2 * k] << 8 | b[2 * k + 1];
        run = g[k] == 0 ? run + 1 : 0;
        if (run > best_len) {
            best_len = run;
            best = k + 1 - run;
        }
    }
    if (best_len < 2) best = 8;
    k = 0;
    while (k < 8) {
        int shift;
        bool started = false;
        if (k == best) {
            o[n++] = ':';
            o[n++] = ':';
            k += best_len;
            continue;
        }
        if (k > 0 && !(best < 8 && k == best + best_len)) o[n++] = ':';
        for (shift = 12; shift >= 0; shift -= 4) {
            unsigned d = g[k] >> (unsigned)shift & 15u;
            if (d || started || shift == 0) {
                o[n++] = hexd[d];
                started = true;
            }
        }
        k++;
    }
    return n;
}

#if SKEW_ENABLE_IP /* the rest of the private part only serves proxy-header extraction */

/* The next sep-separated piece of s from *pos, trimmed (the pairs of one Forwarded element).
   Quote-aware: a sep inside "..." does not split, and a backslash inside quotes escapes the
   next byte (RFC 9110 quoted-string). An unterminated quote runs to the end. Returns false
   once s is used up. */
SKEW__PRIV bool skew__ip_next_piece(skew_str s, size_t *pos, char sep, skew_str *piece) {
    size_t i = *pos, start = *pos;
    bool quoted = false;
    if (i > s.len) return false;
    while (i < s.len) {
        char c = s.ptr[i];
        if (quoted) {
            if (c == '\\' && i + 1 < s.len) i++;
            else if (c == '"') quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == sep) {
            break;
        }
        i++;
    }
    *piece = skew__trim(skew__str(s.ptr + start, i - start));
    *pos = i + 1; /* past the separator; len+1 marks the end */
    return true;
}

/* RFC 9110 token: the only thing a Forwarded parameter name may be. */
SKEW__PRIV bool skew__ip_token_ok(skew_str s) {
    size_t i;
    if (!s.len) return false;
    for (i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  skew__ip_has("!#$%&'*+-.^_`|~", 15, c);
        if (!ok) return false;
    }
    return true;
}

/* One Forwarded element: ';'-separated name=value pairs (RFC 7239 section 4). Only for= is
   read. A repeated for= is an error (the RFC forbids it, and two answers cannot both be
   believed); a pair that is not token=value makes the element garbage; empty pairs are
   skipped; an element without for= hides its node like "for=unknown" (NOT_FOUND). */
SKEW__PRIV skew_result skew__ip_forwarded_for(skew_str elem, skew_ip *out) {
    size_t pos = 0;
    skew_str pair, value = {NULL, 0};
    bool found = false;
    memset(out, 0, sizeof *out);
    while (skew__ip_next_piece(elem, &pos, ';', &pair)) {
        size_t eq = 0;
        skew_str name;
        if (!pair.len) continue;
        while (eq < pair.len && pair.ptr[eq] != '=') eq++;
        name = skew__trim(skew__str(pair.ptr, eq));
        if (eq == pair.len || !skew__ip_token_ok(name)) return SKEW_ERR_INVALID;
        if (skew__eq_nocase(name, "for")) {
            if (found) return SKEW_ERR_INVALID;
            found = true;
            value = skew__str(pair.ptr + eq + 1, pair.len - eq - 1);
        }
    }
    if (!found) return SKEW_ERR_NOT_FOUND;
    return skew_ip_parse_loose(value, out);
}

/* The list element left of *end (exclusive), trimmed; called repeatedly it walks the list
   from the right. Scanning leftwards matters: what a client wrote sits left of what the
   trusted proxies appended, so nothing it writes (an unterminated quote, say) can change how
   the elements right of it are split. With quotes (Forwarded), a ',' inside a quoted-string
   does not split; a '"' preceded by an odd run of backslashes inside quotes is escaped.
   x-forwarded-for has no quoting, so there every ',' splits. Linear: each backslash run is
   counted once, by the quote right of it. */
SKEW__PRIV bool skew__ip_prev_piece(skew_str s, size_t *end, bool *more, bool quotes, skew_str *piece) {
    size_t i = *end;
    bool quoted = false;
    if (!*more) return false;
    while (i > 0) {
        char c = s.ptr[i - 1];
        if (quotes && c == '"') {
            size_t bs = 0;
            while (quoted && bs < i - 1 && s.ptr[i - 2 - bs] == '\\') bs++;
            if (bs % 2 == 0) quoted = !quoted;
        } else if (c == ',' && !quoted) {
            break;
        }
        i--;
    }
    *piece = skew__trim(skew__str(s.ptr + i, *end - i));
    if (i == 0) *more = false;
    else *end = i - 1;
    return true;
}

/* The client named by a list header (x-forwarded-for, or Forwarded when forwarded is true).
   Each proxy appends the address it received from, so only the right end can be believed:
   walk from the right, skip hops the policy trusts, and the first untrusted address is the
   client. Rules:
   - at most max_hops (0: 16) non-empty elements are examined; empty ones ("a,,b") are
     skipped and do not count;
   - if every examined element is a trusted address, the left-most examined one wins;
   - a hop that is not an address (garbage, "unknown", "_hidden", no for=) stops the walk and
     the header yields nothing: we cannot tell whether that hop is trusted, so nothing left of
     it may be believed, and it is no address itself. The caller then tries the next source. */
SKEW__PRIV bool skew__ip_walk(const skew_ip_policy *policy, skew_str hdr, bool forwarded, skew_ip *out) {
    size_t end = hdr.len, seen = 0;
    size_t max = (policy && policy->max_hops) ? (size_t)policy->max_hops : (size_t)SKEW__IP_DEFAULT_HOPS;
    bool more = true, have_left = false;
    skew_str elem;
    skew_ip ip, leftmost;
    memset(&leftmost, 0, sizeof leftmost);
    while (seen < max && skew__ip_prev_piece(hdr, &end, &more, forwarded, &elem)) {
        skew_result r;
        if (!elem.len) continue;
        seen++;
        r = forwarded ? skew__ip_forwarded_for(elem, &ip) : skew_ip_parse_loose(elem, &ip);
        if (r != SKEW_OK) return false;
        if (!skew_ip_policy_trusts(policy, &ip)) {
            *out = ip;
            return true;
        }
        leftmost = ip;
        have_left = true;
    }
    if (have_left) *out = leftmost;
    return have_left;
}
#endif

/* ---- public ---------------------------------------------------------------------------- */

SKEW_API skew_result skew_ip_parse(skew_str text, skew_ip *out) {
    skew_ip ip;
    size_t n = 0;
    bool v6 = false, ok;
    if (out) memset(out, 0, sizeof *out);
    if (!out || !text.ptr || !text.len) return SKEW_ERR_INVALID;
    while (n < text.len && text.ptr[n] != '%') {
        if (text.ptr[n] == ':') v6 = true;
        n++;
    }
    if (n < text.len && (!v6 || !skew__ip_zone_ok(text.ptr + n + 1, text.len - n - 1))) return SKEW_ERR_INVALID;
    memset(&ip, 0, sizeof ip);
    ip.family = (uint8_t)(v6 ? 6 : 4);
    ok = v6 ? skew__ip_parse6(text.ptr, n, ip.bytes) : skew__ip_parse4(text.ptr, n, ip.bytes);
    if (!ok) return SKEW_ERR_INVALID;
    *out = skew__ip_norm(&ip);
    return SKEW_OK;
}

/* Accepted shapes: [ws] ["] (v4 | v6 | v4:port | [v6] | [v6]:port | unknown | _obf) ["] [ws].
   Bare v6 never carries a port (with two or more colons a port cannot be told apart). */
SKEW_API skew_result skew_ip_parse_loose(skew_str text, skew_ip *out) {
    skew_str s, host;
    size_t i, colons = 0, last_colon = 0;
    if (out) memset(out, 0, sizeof *out);
    if (!out || !text.ptr) return SKEW_ERR_INVALID;
    s = skew__trim(text);
    if (s.len && s.ptr[0] == '"') {
        if (s.len < 2 || s.ptr[s.len - 1] != '"') return SKEW_ERR_INVALID;
        s = skew__str(s.ptr + 1, s.len - 2);
    }
    if (!s.len) return SKEW_ERR_INVALID;
    if (s.ptr[0] == '[') {
        i = 1;
        while (i < s.len && s.ptr[i] != ']') i++;
        if (i == s.len) return SKEW_ERR_INVALID;
        host = skew__str(s.ptr + 1, i - 1);
        if (i + 1 < s.len && (s.ptr[i + 1] != ':' || !skew__ip_port_ok(s.ptr + i + 2, s.len - i - 2)))
            return SKEW_ERR_INVALID;
        /* brackets hold IPv6 only: "[1.2.3.4]" is not something a proxy sends */
        if (!skew__ip_has(host.ptr, host.len, ':')) return SKEW_ERR_INVALID;
        return skew_ip_parse(host, out);
    }
    for (i = 0; i < s.len; i++)
        if (s.ptr[i] == ':') {
            colons++;
            last_colon = i;
        }
    host = s;
    if (colons == 1) {
        host = skew__str(s.ptr, last_colon);
        if (!skew__ip_port_ok(s.ptr + last_colon + 1, s.len - last_colon - 1)) return SKEW_ERR_INVALID;
    }
    if (skew__eq_nocase(host, "unknown")) return SKEW_ERR_NOT_FOUND;
    if (host.len && host.ptr[0] == '_')
        return skew__ip_obf_ok(host.ptr, host.len) ? SKEW_ERR_NOT_FOUND : SKEW_ERR_INVALID;
    return skew_ip_parse(host, out);
}

/* Any family other than 4 and 6 formats as "", like family 0. */
SKEW_API size_t skew_ip_format(const skew_ip *ip, char *buf, size_t cap) {
    char tmp[SKEW_IP_STR_MAX];
    size_t n = 0;
    skew_ip a = skew__ip_norm(ip);
    if (a.family == 4) {
        int k;
        for (k = 0; k < 4; k++) {
            if (k) tmp[n++] = '.';
            n += skew__ip_fmt_u8(tmp + n, a.bytes[k]);
        }
    } else if (a.family == 6) {
        n = skew__ip_fmt6(tmp, a.bytes);
    }
    if (buf && cap) {
        size_t c = n < cap ? n : cap - 1;
        if (c) memcpy(buf, tmp, c);
        buf[c] = '\0';
    }
    return n;
}

/* Two unknown addresses (family 0) are equal; a NULL pointer equals nothing. */
SKEW_API bool skew_ip_equal(const skew_ip *a, const skew_ip *b) {
    skew_ip x, y;
    if (!a || !b) return false;
    x = skew__ip_norm(a);
    y = skew__ip_norm(b);
    return x.family == y.family && memcmp(x.bytes, y.bytes, sizeof x.bytes) == 0;
}

/* Prefix: decimal without leading zeros. Host bits are cleared (10.1.2.3/8 -> 10.0.0.0/8).
   An IPv4-mapped range (::ffff:0:0/96 and longer) becomes the IPv4 range (prefix - 96), since
   mapped addresses are stored as family 4; a mapped range shorter than /96 is refused. */
SKEW_API skew_result skew_cidr_parse(skew_str text, skew_cidr *out) {
    size_t slash = 0, i, bits, max;
    unsigned prefix = 0;
    bool v6_text;
    skew_ip ip;
    if (out) memset(out, 0, sizeof *out);
    if (!out || !text.ptr || !text.len) return SKEW_ERR_INVALID;
    while (slash < text.len && text.ptr[slash] != '/') slash++;
    if (skew_ip_parse(skew__str(text.ptr, slash), &ip) != SKEW_OK) return SKEW_ERR_INVALID;
    v6_text = skew__ip_has(text.ptr, slash, ':');
    max = v6_text ? 128u : 32u;
    if (slash < text.len) {
        size_t digits = text.len - slash - 1;
        if (digits == 0 || digits > 3 || (digits > 1 && text.ptr[slash + 1] == '0')) return SKEW_ERR_INVALID;
        for (i = slash + 1; i < text.len; i++) {
            if (text.ptr[i] < '0' || text.ptr[i] > '9') return SKEW_ERR_INVALID;
            prefix = prefix * 10u + (unsigned)(text.ptr[i] - '0');
        }
        if (prefix > max) return SKEW_ERR_INVALID;
    } else {
        prefix = (unsigned)max;
    }
    if (v6_text && ip.family == 4) {
        if (prefix < 96u) return SKEW_ERR_INVALID;
        prefix -= 96u;
    }
    bits = prefix;
    for (i = 0; i < 16; i++) {
        if (bits >= 8) {
            bits -= 8;
        } else {
            ip.bytes[i] = (uint8_t)(ip.bytes[i] & (0xffu << (8 - bits)));
            bits = 0;
        }
    }
    out->ip = ip;
    out->prefix = (uint8_t)prefix;
    return SKEW_OK;
}

/* Families must match: an IPv4 range never contains an IPv6 address and vice versa. */
SKEW_API bool skew_cidr_contains(const skew_cidr *range, const skew_ip *ip) {
    skew_ip r, a;
    size_t full, rest, prefix;
    if (!range || !ip) return false;
    r = skew__ip_norm(&range->ip);
    a = skew__ip_norm(ip);
    prefix = range->prefix;
    if (range->ip.family == 6 && r.family == 4) {
        /* a hand-built mapped range: the same conversion skew_cidr_parse does */
        if (prefix < 96u) return false;
        prefix -= 96u;
    }
    if (!r.family || r.family != a.family || prefix > (r.family == 4 ? 32u : 128u)) return false;
    full = prefix / 8u;
    rest = prefix % 8u;
    if (memcmp(r.bytes, a.bytes, full) != 0) return false;
    if (rest) {
        unsigned mask = 0xffu << (8 - rest) & 0xffu;
        if ((r.bytes[full] & mask) != (a.bytes[full] & mask)) return false;
    }
    return true;
}

/* trust_none wins over trust_all (the safe reading when both are set); trust_all trusts even
   an unknown peer (family 0); a NULL policy is the zero policy (loopback only);
   trusted_count above SKEW_MAX_TRUSTED_PROXIES is clamped to the array. */
SKEW_API bool skew_ip_policy_trusts(const skew_ip_policy *policy, const skew_ip *peer) {
    skew_ip p;
    size_t k, n;
    if (!peer || (policy && policy->trust_none)) return false;
    if (policy && policy->trust_all) return true;
    p = skew__ip_norm(peer);
    if (policy && policy->trusted_count) {
        n = policy->trusted_count < SKEW_MAX_TRUSTED_PROXIES ? policy->trusted_count : SKEW_MAX_TRUSTED_PROXIES;
        for (k = 0; k < n; k++)
            if (skew_cidr_contains(&policy->trusted[k], &p)) return true;
        return false;
    }
    if (p.family == 4) return p.bytes[0] == 127;
    if (p.family == 6) {
        static const uint8_t loop6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        return memcmp(p.bytes, loop6, 16) == 0;
    }
    return false;
}

/* A header that yields nothing (absent, garbage, obfuscated, walk stopped) is skipped, never
   an error: the next source is tried, and the socket peer is the last word. cf-connecting-ip
   and x-real-ip hold one address: a list there is garbage. */
SKEW_API skew_result skew_client_ip(const skew_ip_policy *policy, const skew_request *req, skew_ip *out,
                                   skew_ip_source *source) {
    skew_ip peer;
    if (source) *source = SKEW_IP_FROM_NONE;
    if (!out) return SKEW_ERR_INVALID;
    memset(out, 0, sizeof *out);
    if (!req) return SKEW_ERR_INVALID;
    peer = skew__ip_norm(&req->peer);
#if SKEW_ENABLE_IP
    if (skew_ip_policy_trusts(policy, &req->peer)) {
        static const char *const names[4] = {"cf-connecting-ip", "x-forwarded-for", "x-real-ip", "forwarded"};
        static const skew_ip_source from[4] = {SKEW_IP_FROM_CF_CONNECTING_IP, SKEW_IP_FROM_X_FORWARDED_FOR,
                                               SKEW_IP_FROM_X_REAL_IP, SKEW_IP_FROM_FORWARDED};
        int k;
        for (k = 0; k < 4; k++) {
            skew_str v = skew_request_header(req, names[k]);
            skew_ip ip;
            bool ok;
            if (policy && policy->headers && !(policy->headers & (1u << k))) continue; /* not ours to believe */
            if (!v.len) continue;
            memset(&ip, 0, sizeof ip);
            if (k == 1 || k == 3) ok = skew__ip_walk(policy, v, k == 3, &ip);
            else ok = skew_ip_parse_loose(v, &ip) == SKEW_OK;
            if (ok) {
                *out = ip;
                if (source) *source = from[k];
                return SKEW_OK;
            }
        }
    }
#else
    (void)policy;
#endif
    if (!peer.family) return SKEW_ERR_NOT_FOUND;
    *out = peer;
    if (source) *source = SKEW_IP_FROM_PEER;
    return SKEW_OK;
}
