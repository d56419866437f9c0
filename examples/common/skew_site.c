/* skew_site.c - the built-in pages and the static files under --root. See skew_site.h. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* realpath(); _POSIX_C_SOURCE comes from examples/common/build.mk */
#endif

#include "skew_site.h"
#include "skew_example.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ======================================================================================
   >>lookup  what a path names
   ====================================================================================== */

static const struct {
    const char *ext;
    const char *type;
} skew_ex__types[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"webmanifest", "application/manifest+json"},
    {"txt", "text/plain; charset=utf-8"},
    {"xml", "application/xml"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"ico", "image/x-icon"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"wasm", "application/wasm"},
    {"pdf", "application/pdf"},
    {"mp4", "video/mp4"},
    {"webm", "video/webm"},
};

static bool skew_ex__ieq(const char *a, const char *b) {
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z') x = (char)(x + 32);
        if (y >= 'A' && y <= 'Z') y = (char)(y + 32);
        if (x != y) return false;
    }
    return *a == *b;
}

const char *skew_ex_content_type(const char *name) {
    const char *dot = strrchr(name, '.'), *slash = strrchr(name, '/');
    size_t i;
    if (dot && (!slash || dot > slash)) {
        for (i = 0; i < sizeof skew_ex__types / sizeof skew_ex__types[0]; i++)
            if (skew_ex__ieq(dot + 1, skew_ex__types[i].ext)) return skew_ex__types[i].type;
    }
    return "application/octet-stream";
}

static bool skew_ex__ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* Append src to dst (cap bytes incl. NUL); false if it does not fit. */
static bool skew_ex__append(char *dst, size_t cap, size_t *len, const char *src, size_t n) {
    if (*len + n + 1 > cap) return false;
    memcpy(dst + *len, src, n);
    *len += n;
    dst[*len] = '\0';
    return true;
}

/* HTML-escape s into a fresh NUL-terminated buffer. */
static char *skew_ex__html_escape(const char *s) {
    size_t n = 0, i, o = 0;
    char *out;
    for (i = 0; s[i]; i++) n += (s[i] == '&') ? 5 : (s[i] == '<' || s[i] == '>') ? 4 : (s[i] == '"') ? 6 : 1;
    out = (char *)malloc(n + 1);
    if (!out) return NULL;
    for (i = 0; s[i]; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        default: out[o++] = s[i]; continue;
        }
        memcpy(out + o, rep, strlen(rep));
        o += strlen(rep);
    }
    out[o] = '\0';
    return out;
}

/* Copy an HTML page with every %%NAME%% placeholder replaced. */
static unsigned char *skew_ex__render(const unsigned char *src, size_t len, const char *const *names,
                                      const char *const *values, size_t count, size_t *out_len) {
    size_t pass, i, j, n = 0;
    unsigned char *out = NULL;
    for (pass = 0; pass < 2; pass++) {
        n = 0;
        for (i = 0; i < len;) {
            bool hit = false;
            if (src[i] == '%' && i + 1 < len && src[i + 1] == '%') {
                for (j = 0; j < count; j++) {
                    size_t nl = strlen(names[j]);
                    if (i + nl <= len && !memcmp(src + i, names[j], nl)) {
                        size_t vl = strlen(values[j]);
                        if (out) memcpy(out + n, values[j], vl);
                        n += vl;
                        i += nl;
                        hit = true;
                        break;
                    }
                }
            }
            if (!hit) {
                if (out) out[n] = src[i];
                n++;
                i++;
            }
        }
        if (!out) {
            out = (unsigned char *)malloc(n + 1);
            if (!out) return NULL;
        }
    }
    out[n] = 0;
    *out_len = n;
    return out;
}

bool skew_ex_site_init(skew_ex_site *site, const skew_ex_options *o) {
    size_t i;
    char *base_html;
    const char *names[2] = {"%%SKEW_BASE%%", "%%SKEW_UI%%"};
    const char *values[2];

    memset(site, 0, sizeof *site);
    site->opt = o;
    if (o->root) {
        struct stat st;
        site->root_real = realpath(o->root, NULL);
        if (!site->root_real || stat(site->root_real, &st) != 0 || !S_ISDIR(st.st_mode)) {
            skew_ex_logf(SKEW_EX_LOG_ERROR, "--root %s: not a readable directory", o->root);
            skew_ex_site_free(site);
            return false;
        }
        site->root_real_len = strlen(site->root_real);
        /* "/" as root: keep the prefix check meaningful */
        if (site->root_real_len == 1) site->root_real_len = 0;
        if (!o->build_id_set) {
            int n = snprintf(site->build.path, sizeof site->build.path, "%s/%s", site->root_real, SKEW_EX_BUILD_FILE);
            if (n > 0 && (size_t)n < sizeof site->build.path) site->build.state = SKEW_EX_BUILD_NONE;
            else site->build.path[0] = '\0';
        }
    }
    base_html = skew_ex__html_escape(o->base);
    site->pages = (skew_ex_page *)calloc(skew_ex_asset_count, sizeof *site->pages);
    if (!base_html || !site->pages) {
        free(base_html);
        skew_ex_site_free(site);
        return false;
    }
    values[0] = base_html;
    values[1] = o->root ? SKEW_EX_UI_PREFIX : "";
    for (i = 0; i < skew_ex_asset_count; i++) {
        skew_ex_page *p = &site->pages[i];
        const skew_ex_asset *a = &skew_ex_assets[i];
        p->name = a->name;
        p->content_type = skew_ex_content_type(a->name);
        if (skew_ex__ends_with(a->name, ".html")) {
            p->owned = skew_ex__render(a->data, a->len, names, values, 2, &p->len);
            if (!p->owned) {
                free(base_html);
                skew_ex_site_free(site);
                return false;
            }
            p->data = p->owned;
        } else {
            p->data = a->data;
            p->len = a->len;
        }
        site->page_count++;
    }
    free(base_html);
    return true;
}

void skew_ex_site_free(skew_ex_site *site) {
    size_t i;
    if (site->pages)
        for (i = 0; i < site->page_count; i++) free(site->pages[i].owned);
    free(site->pages);
    free(site->root_real);
    memset(site, 0, sizeof *site);
}

static bool skew_ex__str_is(skew_str s, const char *lit) {
    size_t n = strlen(lit);
    return s.len == n && !memcmp(s.ptr, lit, n);
}

static const skew_ex_page *skew_ex__page(const skew_ex_site *site, const char *name, size_t len) {
    size_t i;
    for (i = 0; i < site->page_count; i++)
        if (strlen(site->pages[i].name) == len && !memcmp(site->pages[i].name, name, len)) return &site->pages[i];
    return NULL;
}

static bool skew_ex__accepts_html(skew_str accept) {
    size_t i;
    static const char needle[] = "text/html";
    for (i = 0; i + sizeof needle - 1 <= accept.len; i++)
        if (!memcmp(accept.ptr + i, needle, sizeof needle - 1)) return true;
    return false;
}

static void skew_ex__serve_page(const skew_ex_page *p, skew_ex_serve *out) {
    out->kind = SKEW_EX_SERVE_MEMORY;
    out->status = 200;
    out->content_type = p->content_type;
    out->html = skew_ex__ends_with(p->name, ".html");
    out->data = p->data;
    out->len = p->len;
}

static void skew_ex__serve_error(skew_ex_serve *out, int status, const char *msg) {
    out->kind = SKEW_EX_SERVE_ERROR;
    out->status = status;
    out->content_type = "application/json";
    out->len = skew_ex_json_error(out->error_body, sizeof out->error_body, msg);
    if (out->len >= sizeof out->error_body) out->len = sizeof out->error_body - 1;
    out->data = (const unsigned char *)out->error_body;
}

/* The built-in pages; sub is the path below the UI prefix ("/", "/admin", "/admin.js"). */
static void skew_ex__ui_lookup(const skew_ex_site *site, skew_str sub, skew_str accept, skew_ex_serve *out) {
    const skew_ex_page *p = NULL;
    if (sub.len == 0 || skew_ex__str_is(sub, "/") || skew_ex__str_is(sub, "/index.html"))
        p = skew_ex__page(site, "index.html", 10);
    else if (skew_ex__str_is(sub, "/admin") || skew_ex__str_is(sub, "/admin/") || skew_ex__str_is(sub, "/admin.html"))
        p = skew_ex__page(site, "admin.html", 10);
    else if (sub.ptr[0] == '/' && !memchr(sub.ptr + 1, '/', sub.len - 1))
        p = skew_ex__page(site, sub.ptr + 1, sub.len - 1);
    if (!p && skew_ex__accepts_html(accept)) /* a pushState route of the demo app, reloaded */
        p = skew_ex__page(site, "index.html", 10);
    if (p) skew_ex__serve_page(p, out);
}

/* Is every segment of a decoded path servable? No NUL, no "." or "..", no hidden names. */
static bool skew_ex__path_safe(skew_str path) {
    size_t i = 0;
    if (path.len == 0 || path.ptr[0] != '/') return false;
    if (memchr(path.ptr, '\0', path.len)) return false;
    while (i < path.len) {
        size_t start, seg;
        while (i < path.len && path.ptr[i] == '/') i++;
        start = i;
        while (i < path.len && path.ptr[i] != '/') i++;
        seg = i - start;
        if (seg && path.ptr[start] == '.') {
            static const char wk[] = ".well-known";
            if (!(seg == sizeof wk - 1 && !memcmp(path.ptr + start, wk, seg))) return false; /* ., .., .env */
        }
    }
    return true;
}

/* Percent-encode a path for a Location header (keeps '/' and unreserved characters). */
static void skew_ex__encode_path(const char *in, size_t len, char *out, size_t cap) {
    static const char hex[] = "0123456789ABCDEF";
    size_t i, o = 0;
    for (i = 0; i < len && o + 4 < cap; i++) {
        unsigned char c = (unsigned char)in[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '-' ||
            c == '.' || c == '_' || c == '~') {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
}

/* The redirect of a directory path to its form with a trailing slash. The Location is always a
   path on this origin: repeated leading slashes are collapsed ("//evil.example" would be a
   network-path reference, an open redirect), a backslash is percent-encoded (browsers read "/\"
   as "//"); whatever does not fit or still does not start with exactly one '/' is not
   redirected (404). */
static void skew_ex__dir_redirect(const char *rel, size_t len, skew_ex_serve *out) {
    char enc[SKEW_EX_PATH_MAX / 4 - 2];
    size_t skip = 0, n;
    while (skip + 1 < len && rel[skip] == '/' && rel[skip + 1] == '/') skip++;
    skew_ex__encode_path(rel + skip, len - skip, enc, sizeof enc);
    n = strlen(enc);
    if (enc[0] != '/' || enc[1] == '/' || enc[1] == '\\' || n + 2 > sizeof out->location) return;
    out->kind = SKEW_EX_SERVE_REDIRECT;
    out->status = 308;
    snprintf(out->location, sizeof out->location, "%s/", enc);
}

/* file_path (already joined) exists as a regular file inside the root? Fills size. */
static bool skew_ex__regular_in_root(const skew_ex_site *site, const char *file_path, uint64_t *size) {
    struct stat st;
    char *real;
    bool ok;
    if (stat(file_path, &st) != 0 || !S_ISREG(st.st_mode)) return false;
    real = realpath(file_path, NULL);
    if (!real) return false;
    /* a symlink must not lead out of the root */
    ok = !strncmp(real, site->root_real, site->root_real_len) && real[site->root_real_len] == '/';
    free(real);
    if (ok) *size = (uint64_t)st.st_size;
    return ok;
}

static bool skew_ex__serve_file(const skew_ex_site *site, const char *rel, int status, skew_ex_serve *out) {
    size_t len = 0;
    uint64_t size = 0;
    out->file_path[0] = '\0';
    if (!skew_ex__append(out->file_path, sizeof out->file_path, &len, site->root_real, strlen(site->root_real)) ||
        !skew_ex__append(out->file_path, sizeof out->file_path, &len, rel, strlen(rel)))
        return false;
    if (!skew_ex__regular_in_root(site, out->file_path, &size)) return false;
    out->kind = SKEW_EX_SERVE_FILE;
    out->status = status;
    out->file_size = size;
    out->content_type = skew_ex_content_type(out->file_path);
    out->html = skew_ex__ends_with(out->file_path, ".html") || skew_ex__ends_with(out->file_path, ".htm");
    return true;
}

static void skew_ex__root_lookup(const skew_ex_site *site, skew_str path, skew_str accept, skew_ex_serve *out) {
    char rel[SKEW_EX_PATH_MAX];
    size_t len = 0;
    struct stat st;
    char full[SKEW_EX_PATH_MAX];
    size_t flen = 0;

    if (!skew_ex__path_safe(path) || path.len + 16 >= sizeof rel) return;
    rel[0] = '\0';
    skew_ex__append(rel, sizeof rel, &len, path.ptr, path.len);
    full[0] = '\0';
    if (!skew_ex__append(full, sizeof full, &flen, site->root_real, strlen(site->root_real)) ||
        !skew_ex__append(full, sizeof full, &flen, rel, len))
        return;
    if (stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (rel[len - 1] != '/') { /* "/docs" -> "/docs/" so relative links resolve */
            skew_ex__dir_redirect(rel, len, out);
            return;
        }
        skew_ex__append(rel, sizeof rel, &len, "index.html", 10);
    }
    if (skew_ex__serve_file(site, rel, 200, out)) return;
    if (skew_ex__accepts_html(accept) && skew_ex__serve_file(site, "/200.html", 200, out)) return;
    if (skew_ex__accepts_html(accept) && skew_ex__serve_file(site, "/404.html", 404, out)) return;
    out->kind = SKEW_EX_SERVE_NONE;
}

void skew_ex_site_lookup(const skew_ex_site *site, skew_str method, skew_str path, skew_str accept,
                         skew_ex_serve *out) {
    static const char ui[] = SKEW_EX_UI_PREFIX;
    const size_t ui_len = sizeof ui - 1;

    memset(out, 0, sizeof *out);
    out->kind = SKEW_EX_SERVE_NONE;
    out->status = 404;
    if (!skew_ex__str_is(method, "GET") && !skew_ex__str_is(method, "HEAD")) {
        skew_ex__serve_error(out, 405, "method not allowed");
        return;
    }
    out->head = skew_ex__str_is(method, "HEAD");
    if (!path.ptr || !path.len) return;

    if (!site->root_real) {
        skew_ex__ui_lookup(site, path, accept, out);
        return;
    }
    if (path.len == ui_len && !memcmp(path.ptr, ui, ui_len)) {
        out->kind = SKEW_EX_SERVE_REDIRECT;
        out->status = 308;
        snprintf(out->location, sizeof out->location, "%s/", ui);
        return;
    }
    if (path.len > ui_len && !memcmp(path.ptr, ui, ui_len) && path.ptr[ui_len] == '/') {
        skew_str sub;
        sub.ptr = path.ptr + ui_len;
        sub.len = path.len - ui_len;
        skew_ex__ui_lookup(site, sub, accept, out);
        return;
    }
    skew_ex__root_lookup(site, path, accept, out);
}

size_t skew_ex_version_cookie(const skew_tracker *t, char *buf, size_t cap) {
    return skew_ex_cookie_for_version(t, skew_get_server_version(t), buf, cap);
}

size_t skew_ex_cookie_for_version(const skew_tracker *t, skew_str v, char *buf, size_t cap) {
    static const char hex[] = "0123456789ABCDEF";
    const skew_config *cfg = skew_get_config(t);
    const char *name = cfg && cfg->version_cookie ? cfg->version_cookie : "__nkpv";
    size_t n = 0, i;
    int w;

#define SKEW_EX__PUT(ch)                         \
    do {                                         \
        if (n + 1 < cap) buf[n] = (char)(ch);    \
        n++;                                     \
    } while (0)

    for (i = 0; name[i]; i++) SKEW_EX__PUT(name[i]);
    SKEW_EX__PUT('=');
    for (i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.ptr[i];
        /* RFC 6265 cookie-octet, minus '%' so the encoding stays reversible */
        if (c > 0x20 && c < 0x7f && c != '"' && c != ',' && c != ';' && c != '\\' && c != '%') {
            SKEW_EX__PUT(c);
        } else {
            SKEW_EX__PUT('%');
            SKEW_EX__PUT(hex[c >> 4]);
            SKEW_EX__PUT(hex[c & 15]);
        }
    }
#undef SKEW_EX__PUT
    if (cap) buf[n < cap ? n : cap - 1] = '\0';
    w = snprintf(n < cap ? buf + n : NULL, n < cap ? cap - n : 0, "; Path=/; SameSite=Lax");
    return n + (w > 0 ? (size_t)w : 0);
}

/* ======================================================================================
   >>answer  the headers both servers send, the error page in memory
   ====================================================================================== */

static void skew_ex__header(skew_ex_serve *out, const char *name, const char *lname, const char *value) {
    if (out->header_count >= SKEW_EX_SITE_HEADERS_MAX) return;
    out->headers[out->header_count].name = name;
    out->headers[out->header_count].lname = lname;
    out->headers[out->header_count].value = value;
    out->header_count++;
}

/* An error page (404.html) is small: it goes out from memory with its own status. */
static bool skew_ex__load_error_page(skew_ex_serve *out) {
    FILE *f;
    size_t got;
    if (out->file_size > SKEW_EX_ERROR_PAGE_MAX || !(f = fopen(out->file_path, "rb"))) return false;
    out->owned = (unsigned char *)malloc((size_t)out->file_size + 1);
    got = out->owned ? fread(out->owned, 1, (size_t)out->file_size, f) : 0;
    fclose(f);
    if (!out->owned) return false;
    out->kind = SKEW_EX_SERVE_MEMORY;
    out->data = out->owned;
    out->len = got;
    return true;
}

void skew_ex_site_answer(skew_ex_site *site, skew_tracker *t, const skew_request *req, skew_ex_serve *out) {
    skew_ex_site_lookup(site, req->method, req->path, skew_get_header(req, "accept"), out);
    out->header_count = 0;
    out->owned = NULL;
    if (out->kind == SKEW_EX_SERVE_FILE && out->status != 200 && !skew_ex__load_error_page(out))
        out->kind = SKEW_EX_SERVE_NONE;
    if (out->kind == SKEW_EX_SERVE_NONE) {
        skew_ex__serve_error(out, 404, "not found");
        skew_ex__header(out, "Cache-Control", "cache-control:", "no-store");
        return;
    }
    if (out->html && skew_ex_html_cookie(site, t, out->cookie, sizeof out->cookie))
        skew_ex__header(out, "Set-Cookie", "set-cookie:", out->cookie);
    switch (out->kind) {
    case SKEW_EX_SERVE_MEMORY:
    case SKEW_EX_SERVE_FILE:
        skew_ex__header(out, "Cache-Control", "cache-control:", "no-cache");
        if (out->html && !out->owned && out->kind == SKEW_EX_SERVE_MEMORY)
            skew_ex__header(out, "Content-Security-Policy", "content-security-policy:", SKEW_EX_PAGE_CSP);
        break;
    case SKEW_EX_SERVE_REDIRECT:
        out->content_type = "text/plain";
        out->data = NULL;
        out->len = 0;
        skew_ex__header(out, "Location", "location:", out->location);
        break;
    case SKEW_EX_SERVE_ERROR:
    case SKEW_EX_SERVE_NONE:
        break;
    }
}

void skew_ex_serve_free(skew_ex_serve *out) {
    free(out->owned);
    out->owned = NULL;
}
