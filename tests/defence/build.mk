# The example servers' shared defences without a server (tests/defence/test_defences.c): the
# /metrics defence counters, --ip-header, the --root redirect. Included by tests/build.mk.
#   make step-defences    build it with ASan+UBSan and run it
include examples/common/build.mk

TEST_STEPS += step-defences
DEFENCE_SRCS := tests/defence/test_defences.c $(EXCLUSTER_SRCS) $(EXCOMMON_SRCS) \
                examples/common/skew_tracker_impl.c $(BUILD)/examples/common/pages.c
$(BUILD)/defence/test_defences: $(DEFENCE_SRCS) $(EXCOMMON_DEPS) $(HDR_DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(CSTD) $(WARN_C) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	  -D_POSIX_C_SOURCE=200809L -I. -Iexamples/common -Itests -o $@ $(DEFENCE_SRCS) $(EXCLUSTER_LIBS) $(EXCOMMON_LIBS)

.PHONY: step-defences
step-defences:
	@tests/run_step.sh defences sh -c '$(MAKE) --no-print-directory -s $(BUILD)/defence/test_defences && $(BUILD)/defence/test_defences'
