# Authorization unit tests (tests/auth/): examples/common/skew_auth.c linked with the option
# table and the tracker, under ASan+UBSan. The end-to-end side is tests/e2e/auth-*.test.mjs.
# Included by tests/build.mk.
#   make step-auth-unit   build and run tests/auth/test_auth.c (prints the time per check)
include examples/common/build.mk

TEST_STEPS += step-auth-unit
AUTH_UNIT_SRCS := tests/auth/test_auth.c examples/common/skew_auth.c examples/common/skew_options.c \
                  examples/common/skew_posix.c \
                  examples/common/skew_tracker_impl.c
$(BUILD)/auth/test_auth: $(AUTH_UNIT_SRCS) examples/common/skew_auth.h examples/common/skew_options.h $(HDR_DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(CSTD) $(WARN_C) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	  -D_POSIX_C_SOURCE=200809L -I. -Iexamples/common -Itests -o $@ $(AUTH_UNIT_SRCS)

.PHONY: step-auth-unit
step-auth-unit:
	@tests/run_step.sh auth-unit sh -c '$(MAKE) --no-print-directory -s $(BUILD)/auth/test_auth && $(BUILD)/auth/test_auth'
