/* skew_tls.h - HTTPS and WSS for both example servers (OpenSSL), with the certificate re-read
   on SIGHUP.

     --tls-cert FILE   PEM: the server certificate, then its chain (intermediates)
     --tls-key FILE    PEM: its private key (a file, never argv: a secret)

   Both or neither. At start (the option group's finish) both files are read into memory and
   checked with OpenSSL: they parse, and the key belongs to the certificate; a bad pair stops the
   server with exit 2. On SIGHUP (skew_auth's reload list, registered by skew_ex_start) the server reads them again
   (skew_tls_reload): a good new pair replaces the old one for every NEW connection, a bad one is
   logged and the old pair stays. Open connections keep the certificate they were made with.

   How each server uses it:
     lws       hands the vhost the file paths at start and loads the pair into the vhost's
               SSL_CTX itself (skew_tls_ctx_use) at LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS
               and again after a reload: every new TLS session is made from that SSL_CTX.
     mongoose  (MG_TLS=MG_TLS_OPENSSL) makes an SSL_CTX per connection from PEM in memory:
               mg_tls_init with skew_tls_cert() and skew_tls_key() at MG_EV_ACCEPT.

   SIGHUP: skew_auth owns the one handler and runs its reload list from the loop; skew_ex_start
   puts skew_tls_reload on it, so secrets and certificates reload together, with one log line
   each. Single-threaded like the servers. */
#ifndef SKEW_TLS_H
#define SKEW_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "skew_options.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SKEW_TLS_FILE_MAX (1024u * 1024u) /* a PEM file larger than this is not a cert or key */

typedef struct skew_tls {
    const char *cert_path;   /* --tls-cert; NULL: no TLS */
    const char *key_path;    /* --tls-key */
    char *cert_pem;          /* the pair in force (malloc'd, NUL-terminated) */
    size_t cert_len;
    char *key_pem;
    size_t key_len;
    void *ssl_ctx;           /* lws: the vhost's SSL_CTX (skew_tls_ctx_use), else NULL */
    unsigned reloads;        /* pairs taken after start */
} skew_tls;

/* The --tls-cert / --tls-key option group; ctx is t. Its finish loads and checks the pair. */
skew_ex_opt_group skew_tls_opt_group(skew_tls *t);
bool skew_tls_enabled(const skew_tls *t);

/* Read both files and check them; on success they replace the pair in force. false: a message
   naming the file and the reason went to stderr (prefixed by prog), nothing changed. */
bool skew_tls_load(skew_tls *t, const char *prog);
/* Load the pair in force into an OpenSSL SSL_CTX (certificate, chain, key, key check), and
   remember ctx so skew_tls_reload reloads it too. false: OpenSSL refused (logged). */
bool skew_tls_ctx_use(skew_tls *t, void *ssl_ctx);
/* A SIGHUP came: read the pair again; on success reload the remembered SSL_CTX too. */
bool skew_tls_reload(skew_tls *t, const char *prog);
void skew_tls_free(skew_tls *t);

/* The pair in force, as PEM (valid until the next successful load or reload). */
const char *skew_tls_cert(const skew_tls *t, size_t *len);
const char *skew_tls_key(const skew_tls *t, size_t *len);


#ifdef __cplusplus
}
#endif
#endif /* SKEW_TLS_H */
