# Core benchmark: open+close, route update, stats JSON, memory per connection.
BENCH_TARGETS += bench-core
$(BUILD)/bench_core: bench/core/bench_core.c bench/bench_common.h $(HDR_DEPS)
	@mkdir -p $(@D)
	$(GCC) $(CSTD) $(WARN_C) -O2 -DNDEBUG -I. -o $@ $<
bench-core: $(BUILD)/bench_core
	$(BUILD)/bench_core
