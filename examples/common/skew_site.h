/* skew_site.h - what the example servers answer outside {base}: the built-in pages and the
   static files under --root.

   skew_ex_site_init renders the built-in pages once for the base path and resolves --root;
   skew_ex_site_lookup decides what a path names (a page, a file, a redirect, an error) without
   touching the socket; skew_ex_site_answer adds what both servers send with it (the version
   cookie on HTML, Cache-Control, the pages' Content-Security-Policy, a redirect's Location, the
   404.html error page read into memory, a JSON 404), so a server only writes the answer out or
   streams the file. The site also holds the build file (--root without --build-id), which
   skew_example.c's >>build reads and follows. */
#ifndef SKEW_SITE_H
#define SKEW_SITE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "skew_tracker.h"

#ifdef __cplusplus
extern "C" {
#endif

struct skew_ex_options; /* skew_example.h */

/* Content-Security-Policy of the built-in pages: same origin only. 'self' in connect-src also
   covers ws:// and wss:// to this host and port (CSP Level 3; tests/e2e/csp.test.mjs checks
   Chromium); "ws: wss:" there would let an injected script talk to any host. */
#define SKEW_EX_PAGE_CSP                                                                      \
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; "                         \
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
/* Where the built-in pages live when --root serves the app at "/". */
#define SKEW_EX_UI_PREFIX "/_skew-ui"

/* One embedded file; the table is generated at build time by examples/common/embed.c. */
typedef struct skew_ex_asset {
    const char *name;               /* file name: "index.html", "admin.js", ... */
    const unsigned char *data;
    size_t len;
} skew_ex_asset;

extern const skew_ex_asset skew_ex_assets[];
extern const size_t skew_ex_asset_count;

/* Content type for a file name by its extension ("application/octet-stream" if unknown). */
const char *skew_ex_content_type(const char *name);

typedef enum skew_ex_serve_kind {
    SKEW_EX_SERVE_NONE = 0,    /* nothing to serve: answer 404 (body from skew_ex_json_error) */
    SKEW_EX_SERVE_MEMORY,      /* body is data/len */
    SKEW_EX_SERVE_FILE,        /* body is the file at file_path (file_size bytes) */
    SKEW_EX_SERVE_REDIRECT,    /* status 308, Location: location */
    SKEW_EX_SERVE_ERROR        /* status and a JSON error body in data/len (405, 403, ...) */
} skew_ex_serve_kind;

#define SKEW_EX_PATH_MAX 4096
#define SKEW_EX_SITE_HEADERS_MAX 4
#define SKEW_EX_ERROR_PAGE_MAX (1024u * 1024u) /* a 404.html bigger than this is not sent */

/* A response header: name as HTTP/1.1 writes it, lname as libwebsockets takes it. */
typedef struct skew_ex_header {
    const char *name;                /* "Set-Cookie" */
    const char *lname;               /* "set-cookie:" */
    const char *value;
} skew_ex_header;

typedef struct skew_ex_serve {
    skew_ex_serve_kind kind;
    int status;                      /* 200, 404 (a 404.html page), 308, 405, ... */
    const char *content_type;
    bool html;                       /* an HTML document: set the version cookie */
    bool head;                       /* HEAD request: send headers only */
    const unsigned char *data;       /* MEMORY / ERROR body */
    size_t len;
    char file_path[SKEW_EX_PATH_MAX];  /* FILE */
    uint64_t file_size;
    char location[SKEW_EX_PATH_MAX / 4];  /* REDIRECT */
    char error_body[96];             /* storage behind data for ERROR */
    /* skew_ex_site_answer only: */
    skew_ex_header headers[SKEW_EX_SITE_HEADERS_MAX]; /* to send besides the content type */
    size_t header_count;
    char cookie[256];                /* storage behind the Set-Cookie value */
    unsigned char *owned;            /* an error page read into memory (skew_ex_serve_free) */
} skew_ex_serve;

/* One built-in file as served: HTML pages rendered for the base path, other assets as embedded. */
typedef struct skew_ex_page {
    const char *name;
    const char *content_type;
    const unsigned char *data;
    size_t len;
    unsigned char *owned;            /* the rendered copy (HTML), or NULL */
} skew_ex_page;

/* --root without --build-id: the build id of a Nuxt build (see >>build). */
typedef enum skew_ex_build_state {
    SKEW_EX_BUILD_OFF = 0,           /* --build-id given, or no --root */
    SKEW_EX_BUILD_NONE,              /* no latest.json seen yet: the server runs its --build-id default */
    SKEW_EX_BUILD_KNOWN,             /* the server version is latest.json's id */
    SKEW_EX_BUILD_UNKNOWN            /* latest.json gone or unreadable after it was seen: no cookie */
} skew_ex_build_state;

typedef struct skew_ex_build_file {
    skew_ex_build_state state;
    char path[SKEW_EX_PATH_MAX];     /* <root>/_nuxt/builds/latest.json */
    uint64_t dev, ino, size;         /* the file as last read (a change means a deploy) */
    int64_t mtime_ns, ctime_ns;
    bool seen;                       /* stat succeeded last time */
    uint64_t checked_ms;             /* monotonic: last periodic check */
    char file_id[256];               /* the id last read from it (KNOWN) */
    size_t file_id_len;
    char start_id[256];              /* the id read before the tracker was made (skew_ex_build_first) */
    bool announce;                   /* the version changed from the file: tell the cluster (>>server) */
    bool plain;                      /* --build-id-file: the file may hold just the id */
} skew_ex_build_file;

/* The pages, rendered once for a base path; the root directory, resolved again at every build
   check (a deploy that switches a symlink such as current -> releases/N is seen). */
typedef struct skew_ex_site {
    const struct skew_ex_options *opt;
    char *root_real;                 /* realpath(--root) or NULL */
    size_t root_real_len;
    skew_ex_page *pages;
    size_t page_count;
    skew_ex_build_file build;        /* >>build */
} skew_ex_site;

/* Prepare the site. Returns false (message logged) if --root is not a readable directory or
   memory runs out. */
bool skew_ex_site_init(skew_ex_site *site, const struct skew_ex_options *o);
void skew_ex_site_free(skew_ex_site *site);
/* What to answer for a request that is not under {base}. path is the DECODED path without the
   query (the adapter percent-decodes it, as lws and mongoose do); accept is the Accept header
   (may be empty). Without --root the built-in pages are served at "/" ("/" demo, "/admin"
   dashboard, their assets, and the demo page for any other HTML navigation so pushState routes
   survive a reload); with --root they move under /_skew-ui/ and everything else comes from the
   directory: no "..", no hidden files, no symlink escape; directories serve index.html;
   a missing HTML navigation falls back to 200.html (nuxt generate) when present. */
void skew_ex_site_lookup(const skew_ex_site *site, skew_str method, skew_str path, skew_str accept,
                         skew_ex_serve *out);

/* "Set-Cookie" value for HTML documents: "<cookie>=<version>; Path=/; SameSite=Lax", the
   version percent-encoded where a cookie cannot hold it. snprintf contract. */
size_t skew_ex_version_cookie(const skew_tracker *t, char *buf, size_t cap);

/* The cookie naming version v (skew_ex_version_cookie for the server version). */
size_t skew_ex_cookie_for_version(const skew_tracker *t, skew_str v, char *buf, size_t cap);

/* The whole answer to a request not under {base}: skew_ex_site_lookup, then the headers both
   servers send with it (headers[0..header_count)). On return kind is FILE (status 200: stream
   file_path, file_size bytes), or MEMORY, REDIRECT or ERROR: send status, content_type and
   data/len (len 0 for a redirect). A missing path is an ERROR 404 with a JSON body; an error
   page (404.html) comes back as MEMORY. head: send the headers only. Calls skew_ex_html_cookie
   (the build may be read again). Free with skew_ex_serve_free. */
void skew_ex_site_answer(skew_ex_site *site, skew_tracker *t, const skew_request *req, skew_ex_serve *out);
void skew_ex_serve_free(skew_ex_serve *out);

#ifdef __cplusplus
}
#endif

#endif /* SKEW_SITE_H */
