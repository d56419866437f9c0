/* skew_tls.c - HTTPS and WSS for both example servers: see skew_tls.h. */
#include "skew_tls.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

/* ======================================================================================
   >>options
   ====================================================================================== */

#define SKEW_TLS__T ((skew_tls *)ctx)

static bool set_cert(void *ctx, const char *v, const char **why) {
    (void)why;
    return skew_ex_set_text(&SKEW_TLS__T->cert_path, v);
}
static bool set_key(void *ctx, const char *v, const char **why) {
    (void)why;
    return skew_ex_set_text(&SKEW_TLS__T->key_path, v);
}

static const skew_ex_opt skew_tls__opts[] = {
    {"--tls-cert", "FILE", "HTTPS/WSS: PEM certificate (then its chain); re-read on SIGHUP", set_cert},
    {"--tls-key", "FILE", "its PEM private key (a file: never the key itself in argv)", set_key},
};

static void skew_tls__defaults(void *ctx) { memset(SKEW_TLS__T, 0, sizeof(skew_tls)); }

static bool skew_tls__finish(void *ctx, const char *prog) {
    skew_tls *t = SKEW_TLS__T;
    if (!t->cert_path && !t->key_path) return true;
    if (!t->cert_path || !t->key_path) {
        fprintf(stderr, "%s: --tls-cert and --tls-key go together\n", prog);
        return false;
    }
    return skew_tls_load(t, prog);
}

skew_ex_opt_group skew_tls_opt_group(skew_tls *t) {
    return SKEW_EX_OPT_GROUP("TLS (HTTPS, WSS)", skew_tls__opts, t, skew_tls__defaults, skew_tls__finish);
}

bool skew_tls_enabled(const skew_tls *t) { return t && t->cert_pem != NULL; }

/* ======================================================================================
   >>load  files into memory, checked by OpenSSL
   ====================================================================================== */

/* A regular file of at most SKEW_TLS_FILE_MAX bytes, NUL-terminated. NULL: *why says why. */
static char *read_file(const char *path, size_t *len, const char **why) {
    FILE *f = fopen(path, "rb");
    struct stat st;
    char *buf;
    size_t n;
    if (!f) {
        *why = strerror(errno);
        return NULL;
    }
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (unsigned long long)st.st_size > SKEW_TLS_FILE_MAX) {
        *why = "not a regular file of 1 byte .. 1 MiB";
        fclose(f);
        return NULL;
    }
    buf = (char *)malloc((size_t)st.st_size + 1);
    if (!buf) {
        *why = "out of memory";
        fclose(f);
        return NULL;
    }
    n = fread(buf, 1, (size_t)st.st_size, f);
    fclose(f);
    if (n != (size_t)st.st_size) {
        *why = "short read";
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* OpenSSL's first queued error as text (the queue is cleared). */
static const char *ssl_error(char *buf, size_t cap) {
    unsigned long e = ERR_get_error();
    if (e) ERR_error_string_n(e, buf, cap);
    else snprintf(buf, cap, "no certificate or key found");
    ERR_clear_error();
    return buf;
}

/* Certificate, chain and key from PEM in memory into ctx; the key must match. */
static bool ctx_use_pem(SSL_CTX *ctx, const char *cert, size_t cert_len, const char *key, size_t key_len) {
    BIO *b = BIO_new_mem_buf(cert, (int)cert_len);
    X509 *x = b ? PEM_read_bio_X509_AUX(b, NULL, NULL, NULL) : NULL;
    EVP_PKEY *k = NULL;
    bool ok = x && SSL_CTX_use_certificate(ctx, x) == 1;
    X509_free(x);
    if (ok) SSL_CTX_clear_chain_certs(ctx);
    while (ok) { /* the rest of the file: the chain */
        X509 *ca = PEM_read_bio_X509(b, NULL, NULL, NULL);
        if (!ca) {
            unsigned long e = ERR_peek_last_error();
            if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) ERR_clear_error();
            else ok = false; /* a broken certificate after the first */
            break;
        }
        if (SSL_CTX_add0_chain_cert(ctx, ca) != 1) {
            X509_free(ca);
            ok = false;
        }
    }
    BIO_free(b);
    if (!ok) return false;
    b = BIO_new_mem_buf(key, (int)key_len);
    k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    ok = k && SSL_CTX_use_PrivateKey(ctx, k) == 1 && SSL_CTX_check_private_key(ctx) == 1;
    EVP_PKEY_free(k);
    return ok;
}

bool skew_tls_load(skew_tls *t, const char *prog) {
    const char *why = "";
    char err[256];
    size_t cl = 0, kl = 0;
    char *cert, *key;
    SSL_CTX *check;
    bool ok;

    cert = read_file(t->cert_path, &cl, &why);
    if (!cert) {
        fprintf(stderr, "%s: --tls-cert %s: %s\n", prog, t->cert_path, why);
        return false;
    }
    key = read_file(t->key_path, &kl, &why);
    if (!key) {
        fprintf(stderr, "%s: --tls-key %s: %s\n", prog, t->key_path, why);
        free(cert);
        return false;
    }
    /* the same checks a server's SSL_CTX will make, on a throwaway one */
    check = SSL_CTX_new(TLS_server_method());
    ok = check && ctx_use_pem(check, cert, cl, key, kl);
    if (!ok) fprintf(stderr, "%s: --tls-cert %s / --tls-key %s: %s\n", prog, t->cert_path, t->key_path,
                     ssl_error(err, sizeof err));
    SSL_CTX_free(check);
    if (!ok) {
        OPENSSL_cleanse(key, kl);
        free(cert);
        free(key);
        return false;
    }
    if (t->key_pem) OPENSSL_cleanse(t->key_pem, t->key_len);
    free(t->cert_pem);
    free(t->key_pem);
    t->cert_pem = cert;
    t->cert_len = cl;
    t->key_pem = key;
    t->key_len = kl;
    return true;
}

bool skew_tls_ctx_use(skew_tls *t, void *ssl_ctx) {
    char err[256];
    if (!t->cert_pem || !ssl_ctx) return false;
    t->ssl_ctx = ssl_ctx;
    /* an idle stream gives its TLS record buffers back */
    SSL_CTX_set_mode((SSL_CTX *)ssl_ctx, SSL_MODE_RELEASE_BUFFERS);
    if (ctx_use_pem((SSL_CTX *)ssl_ctx, t->cert_pem, t->cert_len, t->key_pem, t->key_len)) return true;
    fprintf(stderr, "TLS: the server's SSL_CTX refused the certificate: %s\n", ssl_error(err, sizeof err));
    return false;
}

bool skew_tls_reload(skew_tls *t, const char *prog) {
    if (!t->cert_path) return true;
    if (!skew_tls_load(t, prog)) {
        fprintf(stderr, "%s: SIGHUP: the TLS certificate was not reloaded; the previous one stays\n", prog);
        return false;
    }
    if (t->ssl_ctx && !skew_tls_ctx_use(t, t->ssl_ctx)) return false;
    t->reloads++;
    fprintf(stderr, "%s: SIGHUP: TLS certificate reloaded from %s\n", prog, t->cert_path);
    return true;
}

void skew_tls_free(skew_tls *t) {
    if (t->key_pem) OPENSSL_cleanse(t->key_pem, t->key_len);
    free(t->cert_pem);
    free(t->key_pem);
    t->cert_pem = t->key_pem = NULL;
    t->cert_len = t->key_len = 0;
    t->ssl_ctx = NULL;
}

const char *skew_tls_cert(const skew_tls *t, size_t *len) {
    *len = t->cert_len;
    return t->cert_pem;
}
const char *skew_tls_key(const skew_tls *t, size_t *len) {
    *len = t->key_len;
    return t->key_pem;
}
