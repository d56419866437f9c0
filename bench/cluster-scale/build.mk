# Cluster scale benchmark (bench/cluster-scale/): a real redis-server, N - 1 simulated instances
# (real cluster links on one libev loop: build/cluster_sim) and one real lws server among them,
# for N = 10, 100, 1000. Prints per N Redis bytes out/in per second, Redis CPU, CPU per instance,
# the longest cluster-work slice on the real server's loop and the view age p99.
#   make bench-cluster-scale                                        N = 10 100 1000, 12 s windows
#   make bench-cluster-scale CLUSTER_SCALE_ARGS='--n 10,100 --dashboards 0,1 --window-s 10'
#   (--dashboards K: K pollers of GET admin/stats on the real server, a dashboard each; also
#   --conns, --routes, --listed per simulated instance, --interval-ms, --sims processes)
# Figures only, no pass/fail. Needs redis-server.
BENCH_TARGETS += bench-cluster-scale
CLUSTER_SCALE_ARGS ?=
CLUSTER_SIM_SRCS := bench/cluster-scale/sim.c $(EXCLUSTER_SRCS) $(EXCOMMON_SRCS) \
                    examples/common/skew_tracker_impl.c $(BUILD)/examples/common/pages.c
$(BUILD)/cluster_sim: $(CLUSTER_SIM_SRCS) $(wildcard examples/common/*.h) $(HDR_DEPS)
	@mkdir -p $(@D)
	$(GCC) $(CSTD) $(WARN_C) -O2 -g -D_POSIX_C_SOURCE=200809L -I. -Iexamples/common -o $@ $(CLUSTER_SIM_SRCS) \
	  $(EXCLUSTER_LIBS) $(EXCOMMON_LIBS)

.PHONY: bench-cluster-scale
bench-cluster-scale:
	@command -v redis-server >/dev/null 2>&1 || { echo "bench-cluster-scale: redis-server not installed: skipped"; exit 0; }
	@$(MAKE) --no-print-directory $(BUILD)/skew_server_lws $(BUILD)/cluster_sim
	@cd tests/e2e && { [ -f node_modules/.package-lock.json ] || npm ci --no-audit --no-fund; }
	@SKEW_CLUSTER_SIM=$(BUILD)/cluster_sim SKEW_CLUSTER_SERVERS=$(BUILD)/skew_server_lws node bench/cluster-scale/bench.mjs $(CLUSTER_SCALE_ARGS)

# Aggregator replacement at P = 2 s (bench/cluster-scale/failover.mjs): three real servers, the
# lease holder killed (-9); prints the time until both survivors read a view from the new holder,
# and the wrong totals seen meanwhile (0). About 20 s a run.
#   make bench-cluster-failover CLUSTER_FAILOVER_ARGS='--runs 5'
BENCH_TARGETS += bench-cluster-failover
CLUSTER_FAILOVER_ARGS ?=
.PHONY: bench-cluster-failover
bench-cluster-failover:
	@command -v redis-server >/dev/null 2>&1 || { echo "bench-cluster-failover: redis-server not installed: skipped"; exit 0; }
	@$(MAKE) --no-print-directory $(BUILD)/skew_server_lws $(if $(wildcard $(MONGOOSE_DIR)/mongoose.c),$(BUILD)/skew_server_mongoose)
	@cd tests/e2e && { [ -f node_modules/.package-lock.json ] || npm ci --no-audit --no-fund; }
	@SKEW_CLUSTER_SERVERS="$(BUILD)/skew_server_lws $(if $(wildcard $(MONGOOSE_DIR)/mongoose.c),$(BUILD)/skew_server_mongoose)" \
	  node bench/cluster-scale/failover.mjs $(CLUSTER_FAILOVER_ARGS)
