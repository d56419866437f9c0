/* skew_ip_header.h - --ip-header: which proxy headers name the client.

   From a trusted proxy (--trust-proxy) the tracker believes cf-connecting-ip, x-forwarded-for,
   x-real-ip and Forwarded, the first one present in that order (skew_get_client_ip). A proxy that
   sets one of them but passes the others through untouched lets every client forge its address
   in those: CF-Connecting-IP is read first even behind an nginx that only appends to
   X-Forwarded-For. --ip-header names the ones to believe (skew_ip_policy.headers):

     --ip-header x-forwarded-for              only that one
     --ip-header x-real-ip,forwarded          a list; the flag may also be repeated
     --ip-header all                          all four (the default)

   Among several named ones the order stays the tracker's (cf-connecting-ip, x-forwarded-for,
   x-real-ip, forwarded). Names are case-insensitive. */
#ifndef SKEW_IP_HEADER_H
#define SKEW_IP_HEADER_H

#include <stdbool.h>
#include <stdint.h>

#include "skew_example.h"

#ifdef __cplusplus
extern "C" {
#endif

/* OR the SKEW_IP_HDR_* bits that v names ("x-forwarded-for", "x-real-ip,forwarded", "all")
   into *mask. false (mask unchanged) for an empty list, an empty item or an unknown name. */
bool skew_ex_ip_header_parse(const char *v, uint8_t *mask);
/* The --ip-header flag as an option group; ctx is o, whose ip_headers it fills and finally
   copies into o->ip_policy.headers (after every --trust-proxy, which starts a new policy). */
skew_ex_opt_group skew_ex_ip_header_opt_group(skew_ex_options *o);

#ifdef __cplusplus
}
#endif
#endif /* SKEW_IP_HEADER_H */
