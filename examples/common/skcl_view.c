/* skcl_view.c - the cluster view: merge (aggregator) and apply (every reader). See skcl_view.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skcl_view.h"

#define COUNT_MAX (1u << 24)        /* one snapshot's total, as the tracker bounds it */
#define OTHER_TOK "\"(other)\""

/* ======================================================================================
   >>json  a small reader for texts the tracker wrote (or that claim to be)
   ====================================================================================== */

typedef struct jr {
    const char *p, *e;
} jr;

static void j_ws(jr *r) {
    while (r->p < r->e && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')) r->p++;
}

/* A string token, quotes included (escapes stepped over, not decoded). */
static bool j_str(jr *r, skew_str *tok) {
    const char *s = r->p;
    if (r->p >= r->e || *r->p != '"') return false;
    r->p++;
    while (r->p < r->e) {
        unsigned char c = (unsigned char)*r->p++;
        if (c == '\\') {
            if (r->p >= r->e) return false;
            r->p++;
        } else if (c == '"') {
            tok->ptr = s;
            tok->len = (size_t)(r->p - s);
            return true;
        } else if (c < 0x20) {
            return false;
        }
    }
    return false;
}

static bool j_uint(jr *r, uint64_t max, uint64_t *v) {
    const char *s = r->p;
    uint64_t x = 0;
    while (r->p < r->e && *r->p >= '0' && *r->p <= '9') {
        unsigned d = (unsigned)(*r->p - '0');
        if (x > (max - d) / 10) return false;
        x = x * 10 + d;
        r->p++;
    }
    if (r->p == s || (r->p - s > 1 && *s == '0')) return false;
    *v = x;
    return true;
}

static bool j_skip(jr *r, int depth) {
    j_ws(r);
    if (r->p >= r->e || depth > 32) return false;
    if (*r->p == '"') {
        skew_str t;
        return j_str(r, &t);
    }
    if (*r->p == '{' || *r->p == '[') {
        char close = *r->p == '{' ? '}' : ']';
        bool obj = close == '}', first = true;
        r->p++;
        for (;;) {
            j_ws(r);
            if (r->p < r->e && *r->p == close) {
                r->p++;
                return true;
            }
            if (!first) {
                if (r->p >= r->e || *r->p != ',') return false;
                r->p++;
                j_ws(r);
            }
            first = false;
            if (obj) {
                skew_str k;
                if (!j_str(r, &k)) return false;
                j_ws(r);
                if (r->p >= r->e || *r->p != ':') return false;
                r->p++;
            }
            if (!j_skip(r, depth + 1)) return false;
        }
    }
    {
        const char *s = r->p;
        while (r->p < r->e && (strchr("-+.eE0123456789", *r->p) || (*r->p >= 'a' && *r->p <= 'z'))) r->p++;
        return r->p > s;
    }
}

/* Canonical as the tracker writes names: escapes only \" \\ \u2028 \u2029, those two code
   points never raw, no control bytes. Equal names are then equal bytes. */
static bool tok_canonical(skew_str t) {
    size_t i;
    if (t.len < 2 || t.ptr[0] != '"' || t.ptr[t.len - 1] != '"') return false;
    for (i = 1; i + 1 < t.len; i++) {
        unsigned char c = (unsigned char)t.ptr[i];
        if (c < 0x20) return false;
        if (c == '"') return false;
        if (c == '\\') {
            if (i + 2 < t.len && (t.ptr[i + 1] == '"' || t.ptr[i + 1] == '\\')) {
                i++;
                continue;
            }
            if (i + 6 < t.len && (!memcmp(t.ptr + i + 1, "u2028", 5) || !memcmp(t.ptr + i + 1, "u2029", 5))) {
                i += 5;
                continue;
            }
            return false;
        }
        if (c == 0xE2 && i + 3 < t.len && (unsigned char)t.ptr[i + 1] == 0x80 &&
            ((unsigned char)t.ptr[i + 2] == 0xA8 || (unsigned char)t.ptr[i + 2] == 0xA9))
            return false;
    }
    return true;
}

static bool tok_eq(skew_str a, skew_str b) { return a.len == b.len && !memcmp(a.ptr, b.ptr, a.len); }
static bool tok_is(skew_str a, const char *lit) { return a.len == strlen(lit) && !memcmp(a.ptr, lit, a.len); }

/* ======================================================================================
   >>snap  what a snapshot says, read without decoding its names
   ====================================================================================== */

#define PAIRS_MAX 8192

typedef struct pair {
    skew_str tok;
    uint64_t n;
} pair;

typedef struct snap_read {
    skew_str id, version, build;
    uint64_t tag, at, total;
    pair *vers, *routes;
    size_t nv, nr, cap;
    bool has_routes;
    skew_str conns;          /* '[' .. ']' */
} snap_read;

static bool read_map(jr *r, pair *out, size_t cap, size_t *n) {
    *n = 0;
    j_ws(r);
    if (r->p >= r->e || *r->p != '{') return false;
    r->p++;
    j_ws(r);
    if (r->p < r->e && *r->p == '}') {
        r->p++;
        return true;
    }
    for (;;) {
        skew_str k;
        uint64_t v;
        j_ws(r);
        if (*n == cap || !j_str(r, &k) || !tok_canonical(k)) return false;
        j_ws(r);
        if (r->p >= r->e || *r->p != ':') return false;
        r->p++;
        j_ws(r);
        if (!j_uint(r, UINT32_MAX, &v) || v == 0) return false;
        out[*n].tok = k;
        out[(*n)++].n = v;
        j_ws(r);
        if (r->p < r->e && *r->p == ',') {
            r->p++;
            continue;
        }
        if (r->p < r->e && *r->p == '}') {
            r->p++;
            return true;
        }
        return false;
    }
}

/* Members id, tag, version, build, at, total, versions, routes, connections; others skipped.
   The maps go into s->vers / s->routes (cap entries each). */
static bool snap_parse(skew_str text, snap_read *s) {
    jr r;
    unsigned seen = 0;
    r.p = text.ptr;
    r.e = text.ptr + text.len;
    s->nv = s->nr = 0;
    s->has_routes = false;
    s->conns.ptr = NULL;
    s->conns.len = 0;
    s->build.ptr = NULL;
    s->build.len = 0;
    j_ws(&r);
    if (r.p >= r.e || *r.p != '{') return false;
    r.p++;
    for (;;) {
        skew_str k;
        unsigned bit = 0;
        j_ws(&r);
        if (!j_str(&r, &k)) return false;
        j_ws(&r);
        if (r.p >= r.e || *r.p != ':') return false;
        r.p++;
        j_ws(&r);
        if (tok_is(k, "\"id\"")) bit = 1;
        else if (tok_is(k, "\"tag\"")) bit = 2;
        else if (tok_is(k, "\"version\"")) bit = 4;
        else if (tok_is(k, "\"build\"")) bit = 8;
        else if (tok_is(k, "\"at\"")) bit = 16;
        else if (tok_is(k, "\"total\"")) bit = 32;
        else if (tok_is(k, "\"versions\"")) bit = 64;
        else if (tok_is(k, "\"routes\"")) bit = 128;
        else if (tok_is(k, "\"connections\"")) bit = 256;
        if (bit & seen) return false;
        seen |= bit;
        switch (bit) {
        case 1: if (!j_str(&r, &s->id) || !tok_canonical(s->id)) return false; break;
        case 2: if (!j_uint(&r, SKEW_CLUSTER_TAG_MAX, &s->tag)) return false; break;
        case 4: if (!j_str(&r, &s->version) || !tok_canonical(s->version)) return false; break;
        case 8: if (!j_str(&r, &s->build) || !tok_canonical(s->build)) return false; break;
        case 16: if (!j_uint(&r, UINT64_MAX, &s->at)) return false; break;
        case 32: if (!j_uint(&r, COUNT_MAX, &s->total)) return false; break;
        case 64: if (!read_map(&r, s->vers, s->cap, &s->nv)) return false; break;
        case 128:
            if (!read_map(&r, s->routes, s->cap, &s->nr)) return false;
            s->has_routes = true;
            break;
        case 256: {
            const char *st = r.p;
            if (r.p >= r.e || *r.p != '[' || !j_skip(&r, 0)) return false;
            s->conns.ptr = st;
            s->conns.len = (size_t)(r.p - st);
            break;
        }
        default: if (!j_skip(&r, 0)) return false;
        }
        j_ws(&r);
        if (r.p < r.e && *r.p == ',') {
            r.p++;
            continue;
        }
        if (r.p < r.e && *r.p == '}') {
            r.p++;
            break;
        }
        return false;
    }
    j_ws(&r);
    if (!s->build.ptr) s->build = s->version;
    return r.p == r.e && (seen & (1 | 2 | 4 | 16 | 32 | 64)) == (1 | 2 | 4 | 16 | 32 | 64);
}

static bool snap_alloc(snap_read *s, size_t cap) {
    memset(s, 0, sizeof *s);
    s->cap = cap;
    s->vers = (pair *)malloc(cap * sizeof *s->vers);
    s->routes = (pair *)malloc(cap * sizeof *s->routes);
    return s->vers && s->routes;
}
static void snap_free(snap_read *s) {
    free(s->vers);
    free(s->routes);
}

/* ======================================================================================
   >>buf  a growing text buffer
   ====================================================================================== */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n) {
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 4096;
        char *q;
        while (nc < b->len + n + 1) nc *= 2;
        q = (char *)realloc(b->p, nc);
        if (!q) {
            b->oom = true;
            return;
        }
        b->p = q;
        b->cap = nc;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}
static void sb_str(sbuf *b, skew_str s) { sb_put(b, s.ptr, s.len); }
static void sb_lit(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }
static void sb_u64(sbuf *b, uint64_t v) {
    char num[24];
    int k = snprintf(num, sizeof num, "%llu", (unsigned long long)v);
    sb_put(b, num, (size_t)k);
}

/* ======================================================================================
   >>merge  the aggregator's side
   ====================================================================================== */

typedef struct mname {
    size_t off, len;         /* in the arena */
    uint64_t n;
} mname;

typedef struct mmap {
    mname *e;
    uint32_t *index;         /* open addressing: entry + 1, 0 free */
    size_t count, cap, icap;
} mmap;

typedef struct minst {
    uint32_t tag, total;
    uint64_t at;
    size_t id_off, id_len, ver_off, ver_len, b_off, b_len, l_off, l_len;
} minst;

struct skcl_merge {
    skew_tracker *vt;        /* checks each snapshot as the readers' trackers would */
    bool routes_on, lists;
    mmap vers, routes;
    sbuf arena;
    minst *inst;
    size_t n, inst_cap;
    uint64_t total, rejected, round_rejected;
    snap_read sr;
};

static uint32_t hash_tok(const char *p, size_t n) {
    uint32_t h = 2166136261u;
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h;
}

static bool mmap_init(mmap *m, size_t cap) {
    m->cap = cap;
    m->icap = 16;
    while (m->icap < 2 * cap) m->icap *= 2;
    m->e = (mname *)calloc(cap, sizeof *m->e);
    m->index = (uint32_t *)calloc(m->icap, sizeof *m->index);
    return m->e && m->index;
}

/* Add n under tok; a new name past the table's size goes to "(other)" (entry 0). */
static void mmap_add(skcl_merge *g, mmap *m, skew_str tok, uint64_t n) {
    uint32_t h = hash_tok(tok.ptr, tok.len), i = h & (uint32_t)(m->icap - 1);
    while (m->index[i]) {
        mname *e = &m->e[m->index[i] - 1];
        if (e->len == tok.len && !memcmp(g->arena.p + e->off, tok.ptr, tok.len)) {
            e->n += n;
            return;
        }
        i = (i + 1) & (uint32_t)(m->icap - 1);
    }
    if (m->count == m->cap) {
        m->e[0].n += n;
        return;
    }
    m->e[m->count].off = g->arena.len;
    m->e[m->count].len = tok.len;
    m->e[m->count].n = n;
    sb_str(&g->arena, tok);
    m->index[i] = (uint32_t)++m->count;
}

static void mmap_reset(skcl_merge *g, mmap *m) {
    skew_str other = {OTHER_TOK, sizeof OTHER_TOK - 1};
    memset(m->index, 0, m->icap * sizeof *m->index);
    m->count = 0;
    mmap_add(g, m, other, 0); /* entry 0: "(other)" */
}

skew_result skcl_send_nothing(void *ud, const skew_conn *c, const char *msg, size_t n) {
    (void)ud;
    (void)c;
    (void)msg;
    (void)n;
    return SKEW_OK;
}

skcl_merge *skcl_merge_new(const skew_config *cfg) {
    skcl_merge *g = (skcl_merge *)calloc(1, sizeof *g);
    skew_config c = *cfg;
    size_t pairs;
    if (!g) return NULL;
    c.instance_id = "~skcl-merge~";
    c.cluster_max_instances = 1;
    c.message_buffer = 0;
    c.timeline_samples = 0;
    memset(&c.hooks, 0, sizeof c.hooks);
    c.hooks.send = skcl_send_nothing;
    if (c.max_connections > c.max_listed + 16) c.max_connections = c.max_listed + 16; /* no clients here */
    g->routes_on = cfg->route_tracking;
    pairs = (size_t)(cfg->max_versions > cfg->max_routes ? cfg->max_versions : cfg->max_routes) + 1;
    if (pairs > PAIRS_MAX) pairs = PAIRS_MAX;
    if (skew_tracker_create(&g->vt, &c) != SKEW_OK || !snap_alloc(&g->sr, pairs) ||
        !mmap_init(&g->vers, (size_t)cfg->max_versions + 1) || !mmap_init(&g->routes, (size_t)cfg->max_routes + 1)) {
        skcl_merge_free(g);
        return NULL;
    }
    skcl_merge_begin(g, false);
    return g;
}

void skcl_merge_free(skcl_merge *g) {
    if (!g) return;
    if (g->vt) skew_tracker_destroy(g->vt);
    snap_free(&g->sr);
    free(g->vers.e);
    free(g->vers.index);
    free(g->routes.e);
    free(g->routes.index);
    free(g->arena.p);
    free(g->inst);
    free(g);
}

void skcl_merge_begin(skcl_merge *g, bool lists) {
    g->arena.len = 0;
    g->arena.oom = false;
    g->n = 0;
    g->total = 0;
    g->round_rejected = 0;
    g->lists = lists;
    mmap_reset(g, &g->vers);
    mmap_reset(g, &g->routes);
}

size_t skcl_merge_count(const skcl_merge *g) { return g->n; }
uint64_t skcl_merge_rejected(const skcl_merge *g) { return g->rejected; }

static size_t arena_keep(skcl_merge *g, skew_str s) {
    size_t off = g->arena.len;
    sb_str(&g->arena, s);
    return off;
}

bool skcl_merge_add(skcl_merge *g, const char *text, size_t len) {
    skew_str s;
    snap_read *sr = &g->sr;
    minst *in;
    size_t i;
    s.ptr = text;
    s.len = len;
    /* the tracker's own checks first: what it refuses, every reader would */
    if (!text || skew_cluster_update(g->vt, &s, 1, 0) != SKEW_OK) goto refused;
    {
        skew_cluster_peer p; /* 0: it carried the checker's own id, skipped */
        if (skew_cluster_list_peers(g->vt, &p, 1) != 1) goto refused;
    }
    skew_cluster_clear(g->vt);
    if (!snap_parse(s, sr) || g->n >= SKCL_VIEW_MAX_INSTANCES) goto refused;
    for (i = 0; i < g->n; i++) /* an id twice (a hostile copy under another key): the first stays */
        if (g->inst[i].id_len == sr->id.len && !memcmp(g->arena.p + g->inst[i].id_off, sr->id.ptr, sr->id.len))
            goto refused;
    if (g->n == g->inst_cap) {
        size_t nc = g->inst_cap ? 2 * g->inst_cap : 64;
        minst *q = (minst *)realloc(g->inst, nc * sizeof *q);
        if (!q) goto refused;
        g->inst = q;
        g->inst_cap = nc;
    }
    in = &g->inst[g->n];
    memset(in, 0, sizeof *in);
    in->tag = (uint32_t)sr->tag;
    in->total = (uint32_t)sr->total;
    in->at = sr->at;
    in->id_len = sr->id.len;
    in->id_off = arena_keep(g, sr->id);
    in->ver_len = sr->version.len;
    in->ver_off = arena_keep(g, sr->version);
    in->b_len = sr->build.len;
    in->b_off = arena_keep(g, sr->build);
    if (g->lists && sr->conns.ptr && !memchr(sr->conns.ptr, '\n', sr->conns.len)) {
        in->l_len = sr->conns.len;
        in->l_off = arena_keep(g, sr->conns);
    }
    for (i = 0; i < sr->nv; i++) mmap_add(g, &g->vers, sr->vers[i].tok, sr->vers[i].n);
    if (g->routes_on) {
        if (sr->has_routes)
            for (i = 0; i < sr->nr; i++) mmap_add(g, &g->routes, sr->routes[i].tok, sr->routes[i].n);
        else
            g->routes.e[0].n += sr->total; /* a writer without routes: all under "(other)" */
    }
    g->total += sr->total;
    g->n++;
    return !g->arena.oom;
refused:
    skew_cluster_clear(g->vt);
    g->rejected++;
    g->round_rejected++;
    return false;
}

static skew_str arena_str(const skcl_merge *g, size_t off, size_t len) {
    skew_str s;
    s.ptr = g->arena.p + off;
    s.len = len;
    return s;
}

static void write_map(sbuf *b, const skcl_merge *g, const mmap *m, const char *tag) {
    size_t i;
    for (i = 0; i < m->count; i++) {
        if (!m->e[i].n) continue;
        sb_lit(b, tag);
        sb_u64(b, m->e[i].n);
        sb_lit(b, " ");
        sb_str(b, arena_str(g, m->e[i].off, m->e[i].len));
        sb_lit(b, "\n");
    }
}

static size_t map_used(const mmap *m) {
    size_t i, n = 0;
    for (i = 0; i < m->count; i++) n += m->e[i].n != 0;
    return n;
}

/* The first k entries of a connections array ('[' .. ']'). */
static skew_str first_entries(skew_str arr, size_t k, size_t *got) {
    jr r;
    skew_str out = arr;
    *got = 0;
    r.p = arr.ptr + 1;
    r.e = arr.ptr + arr.len;
    while (*got < k) {
        const char *before = r.p;
        j_ws(&r);
        if (r.p < r.e && *r.p == ']') break;
        if (*got) {
            if (r.p >= r.e || *r.p != ',') break;
            r.p++;
        }
        if (!j_skip(&r, 0)) {
            r.p = before;
            break;
        }
        ++*got;
    }
    out.len = (size_t)(r.p - arr.ptr);
    return out;
}

static void write_list(sbuf *b, const skcl_merge *g, uint64_t seq, uint32_t cap) {
    size_t i, with = 0, share, used = 0;
    sb_lit(b, "skew-list 1 ");
    sb_u64(b, seq);
    sb_lit(b, "\n");
    for (i = 0; i < g->n; i++) with += g->inst[i].l_len > 2;
    if (!with || !cap) return;
    share = cap / with ? cap / with : 1;
    for (i = 0; i < g->n && used < cap; i++) {
        const minst *in = &g->inst[i];
        size_t got = 0, want = share < cap - used ? share : cap - used;
        skew_str part;
        if (in->l_len <= 2) continue;
        part = first_entries(arena_str(g, in->l_off, in->l_len), want, &got);
        if (!got) continue;
        used += got;
        sb_str(b, arena_str(g, in->id_off, in->id_len));
        sb_lit(b, " ");
        sb_str(b, part);
        sb_lit(b, "]\n");
    }
}

bool skcl_merge_write(skcl_merge *g, const char *agg_id, uint64_t seq, uint64_t made_ms, uint32_t listed_cap,
                      char **view, size_t *view_len, char **list, size_t *list_len) {
    sbuf b;
    size_t i;
    memset(&b, 0, sizeof b);
    *view = *list = NULL;
    *view_len = *list_len = 0;
    sb_lit(&b, "skew-view 1 ");
    sb_u64(&b, seq);
    sb_lit(&b, " ");
    sb_u64(&b, made_ms);
    sb_lit(&b, " ");
    sb_u64(&b, g->total);
    sb_lit(&b, " ");
    sb_u64(&b, g->n);
    sb_lit(&b, " ");
    sb_u64(&b, map_used(&g->vers));
    sb_lit(&b, " ");
    sb_u64(&b, g->routes_on ? map_used(&g->routes) : 0);
    sb_lit(&b, " ");
    sb_u64(&b, g->round_rejected);
    sb_lit(&b, "\na \"");
    sb_lit(&b, agg_id);
    sb_lit(&b, "\"\n");
    for (i = 0; i < g->n; i++) {
        const minst *in = &g->inst[i];
        sb_lit(&b, "i ");
        sb_u64(&b, in->tag);
        sb_lit(&b, " ");
        sb_u64(&b, in->total);
        /* "at" as its age at made_ms (a few digits, not 13; "-" for a writer's clock ahead) */
        sb_lit(&b, in->at > made_ms ? " -" : " ");
        sb_u64(&b, in->at > made_ms ? in->at - made_ms : made_ms - in->at);
        sb_lit(&b, " ");
        sb_str(&b, arena_str(g, in->id_off, in->id_len));
        sb_lit(&b, " ");
        sb_str(&b, arena_str(g, in->ver_off, in->ver_len));
        if (in->b_len == in->ver_len && !memcmp(g->arena.p + in->b_off, g->arena.p + in->ver_off, in->b_len)) {
            sb_lit(&b, " =\n"); /* the build is the version: most instances */
        } else {
            sb_lit(&b, " ");
            sb_str(&b, arena_str(g, in->b_off, in->b_len));
            sb_lit(&b, "\n");
        }
    }
    write_map(&b, g, &g->vers, "v ");
    if (g->routes_on) write_map(&b, g, &g->routes, "r ");
    if (b.oom) {
        free(b.p);
        return false;
    }
    *view = b.p;
    *view_len = b.len;
    if (g->lists) {
        memset(&b, 0, sizeof b);
        write_list(&b, g, seq, listed_cap);
        if (b.oom) {
            free(b.p);
            free(*view);
            *view = NULL;
            return false;
        }
        *list = b.p;
        *list_len = b.len;
    }
    return true;
}

/* ======================================================================================
   >>apply  the reader's side
   ====================================================================================== */

typedef struct vinst {
    uint32_t tag, total;
    uint64_t at;
    skew_str id, ver, build, conns;
} vinst;

typedef struct vparse {
    skcl_view_info info;
    uint64_t total;
    size_t ni, nv, nr;
    vinst *inst;
    pair *vers, *routes;
} vparse;

static bool line_next(skew_str *in, jr *line) {
    const char *nl = in->len ? (const char *)memchr(in->ptr, '\n', in->len) : NULL;
    if (!nl) return false;
    line->p = in->ptr;
    line->e = nl;
    in->len -= (size_t)(nl - in->ptr) + 1;
    in->ptr = nl + 1;
    return true;
}

static bool l_lit(jr *r, const char *s) {
    size_t n = strlen(s);
    if ((size_t)(r->e - r->p) < n || memcmp(r->p, s, n)) return false;
    r->p += n;
    return true;
}

static bool l_num(jr *r, uint64_t max, uint64_t *v, bool space_after) {
    if (!j_uint(r, max, v)) return false;
    return !space_after || l_lit(r, " ");
}

static bool l_tok(jr *r, skew_str *t, bool space_after) {
    if (!j_str(r, t) || !tok_canonical(*t)) return false;
    return space_after ? l_lit(r, " ") : r->p == r->e;
}

static bool parse_head(skew_str *in, vparse *v, size_t vcap, size_t rcap) {
    jr l;
    uint64_t ni, nv, nr, fmt, rej;
    skew_str agg;
    if (!line_next(in, &l) || !l_lit(&l, "skew-view ") || !l_num(&l, 0xFFFF, &fmt, true) || fmt != SKCL_VIEW_FORMAT ||
        !l_num(&l, UINT64_MAX, &v->info.seq, true) || !l_num(&l, UINT64_MAX, &v->info.made_ms, true) ||
        !l_num(&l, UINT64_MAX, &v->total, true) || !l_num(&l, SKCL_VIEW_MAX_INSTANCES, &ni, true) ||
        !l_num(&l, vcap, &nv, true) || !l_num(&l, rcap, &nr, true) ||
        !l_num(&l, SKCL_VIEW_MAX_INSTANCES, &rej, false) || l.p != l.e)
        return false;
    if (!line_next(in, &l) || !l_lit(&l, "a ") || !l_tok(&l, &agg, false)) return false;
    v->ni = (size_t)ni;
    v->nv = (size_t)nv;
    v->nr = (size_t)nr;
    v->info.instances = (uint32_t)ni;
    v->info.rejected = (uint32_t)rej;
    return true;
}

bool skcl_view_head(skew_str view, skcl_view_info *info) {
    vparse v;
    memset(&v, 0, sizeof v);
    memset(info, 0, sizeof *info);
    if (!view.ptr || !parse_head(&view, &v, PAIRS_MAX, PAIRS_MAX)) return false;
    *info = v.info;
    return true;
}

static bool parse_pairs(skew_str *in, pair *out, size_t n, const char *tag) {
    size_t i;
    for (i = 0; i < n; i++) {
        jr l;
        if (!line_next(in, &l) || !l_lit(&l, tag) || !l_num(&l, UINT32_MAX, &out[i].n, true) || out[i].n == 0 ||
            !l_tok(&l, &out[i].tok, false))
            return false;
    }
    return true;
}

/* The whole view, checked: counts of lines, sums. */
static bool parse_view(skew_str in, vparse *v, size_t vcap, size_t rcap) {
    size_t i;
    uint64_t sum = 0;
    if (!parse_head(&in, v, vcap, rcap)) return false;
    v->inst = (vinst *)calloc(v->ni ? v->ni : 1, sizeof *v->inst);
    v->vers = (pair *)calloc(v->nv + 1, sizeof *v->vers);
    v->routes = (pair *)calloc(v->nr + 1, sizeof *v->routes);
    if (!v->inst || !v->vers || !v->routes) return false;
    for (i = 0; i < v->ni; i++) {
        jr l;
        vinst *x = &v->inst[i];
        uint64_t tag, total, age;
        bool ahead;
        if (!line_next(&in, &l) || !l_lit(&l, "i ") || !l_num(&l, SKEW_CLUSTER_TAG_MAX, &tag, true) ||
            !l_num(&l, COUNT_MAX, &total, true))
            return false;
        ahead = l_lit(&l, "-");
        if (!l_num(&l, UINT64_MAX, &age, true) || (ahead ? age > UINT64_MAX - v->info.made_ms : age > v->info.made_ms) ||
            !l_tok(&l, &x->id, true) || !l_tok(&l, &x->ver, true))
            return false;
        x->at = ahead ? v->info.made_ms + age : v->info.made_ms - age;
        if (l_lit(&l, "=")) {
            if (l.p != l.e) return false;
            x->build = x->ver;
        } else if (!l_tok(&l, &x->build, false)) {
            return false;
        }
        x->tag = (uint32_t)tag;
        x->total = (uint32_t)total;
        sum += total;
    }
    if (sum != v->total || !parse_pairs(&in, v->vers, v->nv, "v ") || !parse_pairs(&in, v->routes, v->nr, "r ") ||
        in.len != 0)
        return false;
    for (sum = 0, i = 0; i < v->nv; i++) sum += v->vers[i].n;
    if (sum != v->total) return false;
    for (sum = 0, i = 0; i < v->nr; i++) sum += v->routes[i].n;
    return v->nr == 0 || sum == v->total;
}

static void vparse_free(vparse *v) {
    free(v->inst);
    free(v->vers);
    free(v->routes);
}

/* Take our own part out of a merged map: by name, or from "(other)" where the merge folded it. */
static bool subtract(pair *map, size_t n, const pair *own, size_t on) {
    size_t i, j;
    for (i = 0; i < on; i++) {
        pair *hit = NULL;
        for (j = 0; j < n && !hit; j++)
            if (tok_eq(map[j].tok, own[i].tok)) hit = &map[j];
        for (j = 0; j < n && !hit; j++)
            if (tok_is(map[j].tok, OTHER_TOK)) hit = &map[j];
        if (!hit || hit->n < own[i].n) return false;
        hit->n -= own[i].n;
    }
    return true;
}

static bool subtract_own(vparse *v, skew_str own_text, uint64_t own_total_in_view) {
    snap_read s;
    bool ok;
    if (!snap_alloc(&s, PAIRS_MAX)) return false;
    ok = snap_parse(own_text, &s) && s.total == own_total_in_view && subtract(v->vers, v->nv, s.vers, s.nv);
    if (ok && v->nr) {
        if (s.has_routes) {
            ok = subtract(v->routes, v->nr, s.routes, s.nr);
        } else {
            pair all;
            all.tok.ptr = OTHER_TOK;
            all.tok.len = sizeof OTHER_TOK - 1;
            all.n = s.total;
            ok = s.total == 0 || subtract(v->routes, v->nr, &all, 1);
        }
    }
    snap_free(&s);
    return ok;
}

/* Shares out `need` from a pool (cursor *at): the entries a row gets. */
static void carve(sbuf *b, pair *pool, size_t n, size_t *at, uint64_t need) {
    bool first = true;
    sb_lit(b, "{");
    while (need && *at < n) {
        pair *p = &pool[*at];
        uint64_t take = p->n < need ? p->n : need;
        if (!take) {
            ++*at;
            continue;
        }
        if (!first) sb_lit(b, ",");
        first = false;
        sb_str(b, p->tok);
        sb_lit(b, ":");
        sb_u64(b, take);
        p->n -= take;
        need -= take;
        if (!p->n) ++*at;
    }
    sb_lit(b, "}");
}

static void write_row(sbuf *b, vparse *v, skew_str id, const vinst *x, uint64_t total, uint64_t at, size_t *vat,
                      size_t *rat) {
    sb_lit(b, "{\"skew\":1,\"id\":");
    sb_str(b, id);
    sb_lit(b, ",\"tag\":");
    sb_u64(b, x->tag);
    sb_lit(b, ",\"version\":");
    sb_str(b, x->ver);
    sb_lit(b, ",\"build\":");
    sb_str(b, x->build);
    sb_lit(b, ",\"at\":");
    sb_u64(b, at);
    sb_lit(b, ",\"total\":");
    sb_u64(b, total);
    sb_lit(b, ",\"versions\":");
    carve(b, v->vers, v->nv, vat, total);
    if (v->nr) {
        sb_lit(b, ",\"routes\":");
        carve(b, v->routes, v->nr, rat, total);
    }
    sb_lit(b, ",\"connections\":");
    if (x->conns.ptr) sb_str(b, x->conns);
    else sb_lit(b, "[]");
    sb_lit(b, "}");
}

/* The list: arrays attached to the instances they name (only when its seq is the view's). */
static bool attach_list(vparse *v, skew_str list) {
    jr l;
    uint64_t fmt, seq;
    size_t cursor = 0;
    if (!list.ptr || !list.len) return false;
    if (!line_next(&list, &l) || !l_lit(&l, "skew-list ") || !l_num(&l, 0xFFFF, &fmt, true) || fmt != 1 ||
        !l_num(&l, UINT64_MAX, &seq, false) || l.p != l.e || seq != v->info.seq)
        return false;
    while (line_next(&list, &l)) {
        skew_str id;
        const char *st;
        size_t k;
        if (!l_tok(&l, &id, true)) continue;
        st = l.p;
        if (l.p >= l.e || *l.p != '[' || !j_skip(&l, 0) || l.p != l.e) continue;
        for (k = 0; k < v->ni; k++) { /* the list comes in the view's order: one step, mostly */
            vinst *x = &v->inst[(cursor + k) % v->ni];
            if (tok_eq(x->id, id)) {
                x->conns.ptr = st;
                x->conns.len = (size_t)(l.e - st);
                cursor = (cursor + k + 1) % v->ni;
                break;
            }
        }
    }
    return true;
}

/* The others as snapshots: one each, or past the tracker's instance cap, the rest folded into
   as few rows as keep each under the tracker's per-snapshot bound. */
static bool build_rows(vparse *v, const vinst **others, size_t no, uint32_t cap, sbuf *b, size_t *offs, size_t *nrows) {
    size_t i, k = no, fold = 0, vat = 0, rat = 0;
    uint64_t rest = 0;
    if (no > cap) {
        for (fold = 1;; fold++) {
            if (fold > cap) return false;
            k = cap - fold;
            for (rest = 0, i = k; i < no; i++) rest += others[i]->total;
            if ((rest + COUNT_MAX - 1) / COUNT_MAX <= fold) break;
        }
    }
    *nrows = 0;
    for (i = 0; i < k; i++) {
        offs[(*nrows)++] = b->len;
        write_row(b, v, others[i]->id, others[i], others[i]->total, others[i]->at, &vat, &rat);
    }
    for (i = 0; i < fold; i++) {
        vinst x = *others[k];
        char idt[80];
        skew_str id;
        uint64_t oldest = UINT64_MAX, total = rest / fold + (i < rest % fold ? 1u : 0u);
        size_t j;
        for (j = k; j < no; j++)
            if (others[j]->at < oldest) oldest = others[j]->at;
        x.conns.ptr = NULL;
        snprintf(idt, sizeof idt, "\"(%zu more instances, part %zu)\"", no - k, i + 1);
        id.ptr = idt;
        id.len = strlen(idt);
        offs[(*nrows)++] = b->len;
        write_row(b, v, id, &x, total, oldest, &vat, &rat);
    }
    return !b->oom;
}

skcl_view_result skcl_view_carve(const skew_config *cfg, skew_str view, skew_str list, skcl_own_fn own, void *own_ctx,
                                 skcl_view_info *info, char **rows, skew_str **parts, size_t *count) {
    vparse v;
    const vinst **others = NULL;
    size_t i, no = 0, *offs = NULL, nrows = 0;
    sbuf b;
    skcl_view_result res = SKCL_VIEW_BAD;
    size_t idlen = cfg->instance_id ? strlen(cfg->instance_id) : 0;
    memset(&v, 0, sizeof v);
    memset(&b, 0, sizeof b);
    memset(info, 0, sizeof *info);
    *rows = NULL;
    *parts = NULL;
    *count = 0;
    if (!view.ptr || !idlen ||
        !parse_view(view, &v, (size_t)cfg->max_versions + 1, cfg->route_tracking ? (size_t)cfg->max_routes + 1 : 0))
        goto out;
    info->listed = attach_list(&v, list);
    others = (const vinst **)calloc(v.ni ? v.ni : 1, sizeof *others);
    offs = (size_t *)calloc(v.ni + 1, sizeof *offs);
    if (!others || !offs) goto out;
    for (i = 0; i < v.ni; i++) {
        const vinst *x = &v.inst[i];
        if (x->id.len == idlen + 2 && !memcmp(x->id.ptr + 1, cfg->instance_id, idlen)) {
            skew_str mine = own ? own(own_ctx, x->at) : (skew_str){NULL, 0};
            if (!mine.ptr) {
                res = SKCL_VIEW_NO_OWN;
                goto out;
            }
            if (!subtract_own(&v, mine, x->total)) goto out;
        } else {
            others[no++] = x;
        }
    }
    if (!build_rows(&v, others, no, cfg->cluster_max_instances, &b, offs, &nrows)) goto out;
    *parts = (skew_str *)calloc(nrows ? nrows : 1, sizeof **parts);
    if (!*parts) goto out;
    for (i = 0; i < nrows; i++) {
        (*parts)[i].ptr = b.p + offs[i];
        (*parts)[i].len = (i + 1 < nrows ? offs[i + 1] : b.len) - offs[i];
    }
    info->seq = v.info.seq;
    info->made_ms = v.info.made_ms;
    info->instances = v.info.instances;
    info->rejected = v.info.rejected;
    *rows = b.p;
    *count = nrows;
    b.p = NULL;
    res = SKCL_VIEW_OK;
out:
    free(b.p);
    free(others);
    free(offs);
    vparse_free(&v);
    return res;
}

skcl_view_result skcl_view_apply(skew_tracker *t, skew_str view, skew_str list, skcl_own_fn own, void *own_ctx,
                                 uint64_t now_ms, skcl_view_info *info, char **rows, skew_str **parts) {
    size_t nrows = 0;
    skcl_view_result res = skcl_view_carve(skew_get_config(t), view, list, own, own_ctx, info, rows, parts, &nrows);
    if (res != SKCL_VIEW_OK) return res;
    if (skew_cluster_update(t, *parts, nrows, now_ms) != SKEW_OK) {
        skew_cluster_clear(t); /* some rows refused: a partial view would be wrong totals */
        free(*rows);
        free(*parts);
        *rows = NULL;
        *parts = NULL;
        return SKCL_VIEW_BAD;
    }
    return SKCL_VIEW_OK;
}
