/* Parse one address: dotted-quad IPv4 or RFC 4291 IPv6 text (embedded IPv4 allowed,
   ::ffff:a.b.c.d normalised to family 4, a %zone suffix dropped). No ports, no brackets,
   no whitespace. SKEW_ERR_INVALID otherwise. */
SKEW_API skew_result skew_ip_parse(skew_str text, skew_ip *out);
/* Parse an address as proxies send it: optional surrounding whitespace and quotes,
   "[v6]", "[v6]:port", "v4:port". Obfuscated identifiers ("_hidden", "unknown") are
   SKEW_ERR_NOT_FOUND; anything else that is not an address SKEW_ERR_INVALID. */
SKEW_API skew_result skew_ip_parse_loose(skew_str text, skew_ip *out);
/* Canonical text: dotted quad, or RFC 5952 IPv6. snprintf contract. */
SKEW_API size_t skew_ip_format(const skew_ip *ip, char *buf, size_t cap);
SKEW_API bool skew_ip_equal(const skew_ip *a, const skew_ip *b);
/* "10.0.0.0/8", "::1/128", or a bare address (full-length prefix). */
SKEW_API skew_result skew_cidr_parse(skew_str text, skew_cidr *out);
SKEW_API bool skew_cidr_contains(const skew_cidr *range, const skew_ip *ip);
/* Is this peer trusted to set proxy headers under the policy (zero policy: loopback)? */
SKEW_API bool skew_ip_policy_trusts(const skew_ip_policy *policy, const skew_ip *peer);
/* The client address of a request: headers (cf-connecting-ip, x-forwarded-for, x-real-ip,
   Forwarded) are believed only when req->peer is trusted; in x-forwarded-for and Forwarded the
   client is the right-most element that is not a trusted proxy (at most max_hops examined).
   Falls back to req->peer. *source (may be NULL) says where it came from. Returns SKEW_OK,
   or SKEW_ERR_NOT_FOUND when not even the peer is known. */
SKEW_API skew_result skew_client_ip(const skew_ip_policy *policy, const skew_request *req, skew_ip *out,
                                   skew_ip_source *source);
