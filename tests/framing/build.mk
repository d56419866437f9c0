# Request framing checks of the lws example (examples/common/skew_framing.c), at the boundaries.
#   make step-framing    gcc and clang builds, each run once (well under a second)
TEST_STEPS += step-framing
FRAMING_DIR := $(BUILD)/framing
FRAMING_SRC := tests/framing/test_framing.c examples/common/skew_framing.c

$(FRAMING_DIR)/gcc $(FRAMING_DIR)/clang: $(FRAMING_SRC) examples/common/skew_framing.h tests/skew_test.h
$(FRAMING_DIR)/gcc:
	@mkdir -p $(@D)
	$(GCC) $(CSTD) $(WARN_C) $(OPT) -Itests -Iexamples/common -o $@ $(FRAMING_SRC)
$(FRAMING_DIR)/clang:
	@mkdir -p $(@D)
	$(CLANG) $(CSTD) $(WARN_C) $(OPT) -Itests -Iexamples/common -o $@ $(FRAMING_SRC)

.PHONY: step-framing
step-framing:
	@tests/run_step.sh framing sh -c "$(MAKE) --no-print-directory -s $(FRAMING_DIR)/gcc $(FRAMING_DIR)/clang && \
	  $(FRAMING_DIR)/gcc && $(FRAMING_DIR)/clang"
