# Load benchmark (bench/load/): RSS per idle connection, capacity with exact counts,
# open-to-stats latency and churn cost, for each example server that can be built here.
#   make bench-load                     lws always, mongoose when it builds
#   make bench-load LOAD_ARGS=--quick   a small run (2k connections) to check the bench itself
# Figures only, no pass/fail: see bench/load/README.md.
BENCH_TARGETS += bench-load
LOAD_ARGS ?=

.PHONY: bench-load
bench-load:
	@$(MAKE) --no-print-directory $(BUILD)/skew_server_lws
	node bench/load/load.mjs --server $(BUILD)/skew_server_lws $(LOAD_ARGS)
	@if $(MAKE) --no-print-directory $(BUILD)/skew_server_mongoose >/dev/null 2>&1; then \
	  node bench/load/load.mjs --server $(BUILD)/skew_server_mongoose $(LOAD_ARGS); \
	else echo "bench-load: mongoose server not built (mongoose not found): skipped"; fi
