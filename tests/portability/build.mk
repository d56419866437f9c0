# Portability (tests/portability/): cross targets under qemu-user, the Cortex-M4 size budget,
# the firmware example on an emulated Cortex-M4, the configuration matrix, and valgrind on the
# libwebsockets server. Included by tests/build.mk. Each step prints "skipped: <tool> not found" when its tool is missing.
#   make step-cross-armhf      every tests/test_*.c built for armhf, run under qemu-arm
#   make step-cross-s390x      the same for big-endian s390x under qemu-s390x
#   make step-cross-i686       the same for 32-bit x86 (i686-linux-gnu-gcc) under qemu-i386
#   make step-cortexm-size     the library's Cortex-M4 size against its budget: the linked firmware
#                              profile 16 KB without the bot table, 24 KB with it; the whole
#                              header's object 34 KB (cortexm_size.sh)
#   make step-firmware-qemu    the firmware example's checks on qemu-system-arm -M mps2-an386,
#                              with its flash, static RAM and stack figures (firmware_qemu.sh)
#   make step-config-matrix    test_core with each module off, all off, static; tiny limits
#   make step-valgrind-lws     the lws server under valgrind during a short end-to-end run
PORT_ENV := BUILD="$(BUILD)" MAKE="$(MAKE)" GCC="$(GCC)" GXX="$(GXX)" CSTD="$(CSTD)" CXXSTD="$(CXXSTD)" \
            WARN_C="$(WARN_C)" WARN_COMMON="$(WARN_COMMON)" OPT="$(OPT)"

TEST_STEPS += step-cross-armhf step-cross-s390x step-cross-i686 step-cortexm-size step-config-matrix step-valgrind-lws

.PHONY: step-cross-armhf step-cross-s390x step-cross-i686 step-cortexm-size step-config-matrix step-valgrind-lws
step-cross-armhf step-cross-s390x step-cross-i686:
	@$(PORT_ENV) tests/run_step.sh $(patsubst step-%,%,$@) tests/portability/cross.sh $(patsubst step-cross-%,%,$@)
step-cortexm-size:
	@$(PORT_ENV) tests/run_step.sh cortexm-size sh -c '$(MAKE) --no-print-directory -s \
	  $(FW_CM_IMAGES) >/dev/null 2>&1; tests/portability/cortexm_size.sh'
step-config-matrix:
	@$(PORT_ENV) tests/run_step.sh config-matrix tests/portability/config_matrix.sh
step-valgrind-lws:
	@$(PORT_ENV) tests/run_step.sh valgrind-lws tests/portability/valgrind_lws.sh

# The firmware example on qemu-system-arm -M mps2-an386 (FW_MPS2_IMAGES: examples/firmware/build.mk).
TEST_STEPS += step-firmware-qemu
.PHONY: step-firmware-qemu
step-firmware-qemu:
	@$(PORT_ENV) tests/run_step.sh firmware-qemu sh -c 'if ! command -v qemu-system-arm >/dev/null 2>&1; then \
	    echo "skipped: qemu-system-arm not found"; exit 0; fi; \
	  if ! command -v $(ARM_EABI_CC) >/dev/null 2>&1; then echo "skipped: $(ARM_EABI_CC) not found"; exit 0; fi; \
	  $(MAKE) --no-print-directory -s $(FW_MPS2_IMAGES) && tests/portability/firmware_qemu.sh'
