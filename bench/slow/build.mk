# Slow-request benchmark (bench/slow/): 200 connections trickling a byte a second, and the
# server filled at a low descriptor limit; CPU, health-check latency, connections ended.
#   make bench-slow      against build/skew_server_mongoose (lws too: SLOW_SERVERS="lws mongoose")
# Figures only, no pass/fail (the e2e test slow-requests-mongoose asserts the bounds).
BENCH_TARGETS += bench-slow
SLOW_SERVERS ?= mongoose

.PHONY: bench-slow
bench-slow:
	@for s in $(SLOW_SERVERS); do \
	  $(MAKE) --no-print-directory $(BUILD)/skew_server_$$s >/dev/null && \
	  node bench/slow/slow.mjs --server $(BUILD)/skew_server_$$s; done
