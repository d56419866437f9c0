# tests/test_threads.c under ThreadSanitizer: worker threads open, message and close through a
# fake transport while one thread ticks (the README's thread-per-connection contract). The
# same file also runs in every unit build (tests/build.mk); this step adds the race detector.
#   make step-tsan-threads
TEST_STEPS += step-tsan-threads

$(BUILD)/tsan/test_threads: tests/test_threads.c $(HDR_DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(CSTD) $(WARN_C) -O1 -g -fsanitize=thread -I. -Itests -o $@ $< -lpthread

.PHONY: step-tsan-threads
step-tsan-threads:
	@tests/run_step.sh tsan-threads sh -c '$(MAKE) --no-print-directory -s $(BUILD)/tsan/test_threads && \
	  TSAN_OPTIONS="halt_on_error=1 exitcode=66" $(BUILD)/tsan/test_threads'
