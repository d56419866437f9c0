# Portability (tests/portability/): cross targets under qemu-user, the Cortex-M4 size budget,
# the configuration matrix, -m32, and valgrind on the libwebsockets server. Included by
# tests/tests.mk. Each step prints "skipped: <tool> not found" when its tool is missing.
#   make step-cross-armhf      every tests/test_*.c built for armhf, run under qemu-arm
#   make step-cross-s390x      the same for big-endian s390x under qemu-s390x
#   make step-cortexm-size     implementation for Cortex-M4, text/rodata with and without the bot
#                              table against the budget (SKEW_BUDGET_TOTAL / SKEW_BUDGET_NO_TABLE)
#   make step-config-matrix    test_core with each module off, all off, static; tiny limits
#   make step-m32              test_core and the tiny test as 32-bit x86 (needs gcc-multilib)
#   make step-valgrind-lws     the lws server under valgrind during a short end-to-end run
PORT_ENV := BUILD="$(BUILD)" MAKE="$(MAKE)" GCC="$(GCC)" GXX="$(GXX)" CSTD="$(CSTD)" CXXSTD="$(CXXSTD)" \
            WARN_C="$(WARN_C)" WARN_COMMON="$(WARN_COMMON)" OPT="$(OPT)"

TEST_STEPS += step-cross-armhf step-cross-s390x step-cortexm-size step-config-matrix step-m32 step-valgrind-lws

.PHONY: step-cross-armhf step-cross-s390x step-cortexm-size step-config-matrix step-m32 step-valgrind-lws
step-cross-armhf step-cross-s390x:
	@$(PORT_ENV) tests/run_step.sh $(patsubst step-%,%,$@) tests/portability/cross.sh $(patsubst step-cross-%,%,$@)
step-cortexm-size:
	@$(PORT_ENV) tests/run_step.sh cortexm-size sh -c '$(MAKE) --no-print-directory -s \
	  $(FW_CM_IMAGES) >/dev/null 2>&1; tests/portability/cortexm_size.sh'
step-config-matrix:
	@$(PORT_ENV) tests/run_step.sh config-matrix tests/portability/config_matrix.sh
step-m32:
	@$(PORT_ENV) tests/run_step.sh m32 sh -c 'mkdir -p $(BUILD)/m32; \
	  if ! echo "int main(void){return 0;}" | $(GCC) -m32 -x c -o $(BUILD)/m32/probe - >/dev/null 2>&1; then \
	    echo "skipped: $(GCC) -m32 cannot link (gcc-multilib not installed)"; exit 0; fi; \
	  $(GCC) -m32 $(CSTD) $(WARN_C) $(OPT) -I. -Itests -o $(BUILD)/m32/test_core tests/test_core.c -lm && \
	  $(GCC) -m32 $(CSTD) $(WARN_C) $(OPT) -I. -Itests -o $(BUILD)/m32/test_config_tiny tests/test_config_tiny.c && \
	  $(BUILD)/m32/test_config_tiny && $(BUILD)/m32/test_core'
step-valgrind-lws:
	@$(PORT_ENV) tests/run_step.sh valgrind-lws tests/portability/valgrind_lws.sh
