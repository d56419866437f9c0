# skew_botcheck: one UA per line on stdin -> 1 (bot) or 0 per line. Test step: step-botcheck.
ALL_TARGETS += $(BUILD)/skew_botcheck

$(BUILD)/skew_botcheck: examples/botcheck/skew_botcheck.c skew_tracker.h
	@mkdir -p $(@D)
	$(GCC) $(CSTD) $(WARN_C) $(OPT) -I. -o $@ $<

# The unit test with the built-in table compiled out (SKEW_ENABLE_BOT_TABLE 0).
$(BUILD)/botcheck/test_bot_notable: tests/test_bot.c skew_tracker.h tests/skew_test.h
	@mkdir -p $(@D)
	$(GCC) $(CSTD) $(WARN_C) $(OPT) -DSKEW_ENABLE_BOT_TABLE=0 -I. -o $@ $<

TEST_STEPS += step-botcheck
.PHONY: step-botcheck
step-botcheck:
	@tests/run_step.sh botcheck sh -c "$(MAKE) --no-print-directory -s $(BUILD)/skew_botcheck $(BUILD)/botcheck/test_bot_notable && \
	  examples/botcheck/check.sh $(BUILD)/skew_botcheck $(BUILD)/botcheck/test_bot_notable"
