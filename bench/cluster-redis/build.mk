# Cluster benchmark (bench/cluster-redis/): Redis commands and bytes per instance per second,
# POST relay latency p50/p99, kill -9 to view drop, and the scale on paper (100 x 20k).
#   make bench-cluster-redis                              P = 2000 ms, 10 s window
#   make bench-cluster-redis CLUSTER_BENCH_ARGS='--interval-ms 500 --window-s 5'
# Figures only, no pass/fail. Needs redis-server; mongoose is mixed in when it builds.
BENCH_TARGETS += bench-cluster-redis
CLUSTER_BENCH_ARGS ?=

.PHONY: bench-cluster-redis
bench-cluster-redis:
	@command -v redis-server >/dev/null 2>&1 || { echo "bench-cluster-redis: redis-server not installed: skipped"; exit 0; }
	@$(MAKE) --no-print-directory $(BUILD)/skew_server_lws
	@cd tests/e2e && { [ -f node_modules/.package-lock.json ] || npm ci --no-audit --no-fund; }
	@servers=$(BUILD)/skew_server_lws; \
	if $(MAKE) --no-print-directory $(BUILD)/skew_server_mongoose >/dev/null 2>&1; then servers="$$servers $(BUILD)/skew_server_mongoose"; fi; \
	SKEW_CLUSTER_SERVERS="$$servers" node bench/cluster-redis/bench.mjs $(CLUSTER_BENCH_ARGS)
