# TLS on both servers and Redis over TLS (tests/tls/): test CA and certificates made with openssl,
# node clients and Chromium trusting that CA, SIGHUP reload; redis-server on TLS behind a stunnel4
# sidecar with two instances. Included by tests/build.mk.
#   make step-tls-lws / step-tls-mongoose   HTTPS, SSE, WSS, Chromium, SIGHUP on that server; the
#                                           Nuxt app's own client over wss (nuxt_wss.test.mjs)
#   make step-redis-tls                     two instances through stunnel4 to a TLS redis-server
TEST_STEPS += step-tls-lws step-tls-mongoose step-redis-tls

.PHONY: step-tls-lws step-tls-mongoose step-redis-tls
step-tls-lws step-tls-mongoose:
	@BUILD=$(BUILD) MAKE="$(MAKE)" tests/run_step.sh $(patsubst step-%,%,$@) tests/tls/run.sh tls $(patsubst step-tls-%,%,$@)
step-redis-tls:
	@BUILD=$(BUILD) MAKE="$(MAKE)" tests/run_step.sh redis-tls tests/tls/run.sh redis
