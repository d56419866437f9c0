# Cluster benchmark: building the view from 100 instances x 1,000 routes, stats and metrics
# from it, snapshot bytes per instance.
BENCH_TARGETS += bench-cluster
$(BUILD)/bench_cluster: bench/cluster/bench_cluster.c bench/bench_common.h $(HDR_DEPS)
	@mkdir -p $(@D)
	$(GCC) $(CSTD) $(WARN_C) -O2 -DNDEBUG -I. -o $@ $<
bench-cluster: $(BUILD)/bench_cluster
	$(BUILD)/bench_cluster
