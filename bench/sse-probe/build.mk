# SSE probe benchmark (bench/sse-probe/): ms from an SSE client's close() to the server
# untracking it, with the servers' EOF check, with only --sse-probe-ms, and with only the
# keepalives (about 2 minutes per server: the last setup waits for the keepalives).
#   make bench-sse-probe
#   make bench-sse-probe SSE_PROBE_BENCH_ARGS='--probe 2000,3000 --close-ms 300,1500'
# Figures only, no pass/fail. mongoose is mixed in when it builds.
BENCH_TARGETS += bench-sse-probe
SSE_PROBE_BENCH_ARGS ?=

.PHONY: bench-sse-probe
bench-sse-probe:
	@$(MAKE) --no-print-directory $(BUILD)/skew_server_lws
	@cd tests/e2e && { [ -f node_modules/.package-lock.json ] || npm ci --no-audit --no-fund; }
	@servers=$(BUILD)/skew_server_lws; \
	if $(MAKE) --no-print-directory $(BUILD)/skew_server_mongoose >/dev/null 2>&1; then servers="$$servers $(BUILD)/skew_server_mongoose"; fi; \
	SKEW_PROBE_SERVERS="$$servers" node bench/sse-probe/bench.mjs $(SSE_PROBE_BENCH_ARGS)
