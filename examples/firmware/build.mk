# examples/firmware: a fixed-capacity, no-malloc tracker in a bare-metal main loop.
#   $(BUILD)/firmware/fw_host_full      the firmware on the host (simulated board); a test
#   $(BUILD)/firmware/fw_host_notable   the same without the built-in bot table
#   $(BUILD)/firmware/fw_host_lean_notable  the firmware profile: no admin tools, no proxy headers,
#                                       no bot table (SKEW_ENABLE_ADMIN/IP/BOT_TABLE 0)
#   $(BUILD)/firmware/fw_cortexm_full.elf  linked for a Cortex-M4 (arm-none-eabi-gcc, newlib-nano);
#                                       also fw_cortexm_notable, fw_cortexm_lean, fw_cortexm_lean_notable
#   $(BUILD)/firmware/mps2/fw_full.elf  the same four variants for the MPS2 AN386 board (Cortex-M4),
#                                       which qemu-system-arm -M mps2-an386 runs (port_mps2.c)
# Every build compiles the library once, in skew_impl.c: its object's share of a linked image is
# what tests/portability/cortexm_size.sh holds to the size budget.
# Test steps: step-firmware-host (runs the three host builds), step-firmware-cortexm (links the
# four Cortex-M4 images and prints their sizes; skipped without arm-none-eabi-gcc),
# step-firmware-qemu (runs the MPS2 images under qemu, tests/portability/firmware_qemu.sh).
FW_DIR      := examples/firmware
FW_SRCS     := $(FW_DIR)/firmware.c $(FW_DIR)/skew_impl.c $(FW_DIR)/fw_port.h $(FW_DIR)/cortexm_core.h skew_tracker.h
ARM_EABI_CC ?= arm-none-eabi-gcc
FW_CM_FLAGS := $(CSTD) $(WARN_C) -Os -g -mcpu=cortex-m4 -mthumb -ffunction-sections -fdata-sections -I.
FW_CM_LINK  := -mcpu=cortex-m4 -mthumb -nostartfiles -T $(FW_DIR)/cortexm.ld -Wl,--gc-sections --specs=nano.specs
# the variant a target name spells: _notable drops the bot table, _lean the admin tools and proxy headers
fw_variant   = $(if $(findstring _notable,$(1)),-DSKEW_ENABLE_BOT_TABLE=0) \
               $(if $(findstring _lean,$(1)),-DSKEW_ENABLE_ADMIN=0 -DSKEW_ENABLE_IP=0)
FW_CM_IMAGES := $(addprefix $(BUILD)/firmware/fw_cortexm,$(addsuffix .elf,_full _notable _lean _lean_notable))

$(BUILD)/firmware/fw_host_%: $(FW_SRCS) $(FW_DIR)/port_host.c
	@mkdir -p $(@D)
	$(GCC) $(CSTD) $(WARN_C) $(OPT) $(call fw_variant,$*) -I. -o $@ $(FW_DIR)/firmware.c $(FW_DIR)/skew_impl.c \
	  $(FW_DIR)/port_host.c

$(BUILD)/firmware/fw_%.elf: $(FW_SRCS) $(FW_DIR)/port_cortexm.c $(FW_DIR)/cortexm.ld
	@mkdir -p $(@D)
	$(ARM_EABI_CC) $(FW_CM_FLAGS) $(call fw_variant,$*) -c -o $(@:.elf=.o) $(FW_DIR)/firmware.c
	$(ARM_EABI_CC) $(FW_CM_FLAGS) $(call fw_variant,$*) -c -o $(@:.elf=_skew.o) $(FW_DIR)/skew_impl.c
	$(ARM_EABI_CC) $(FW_CM_FLAGS) -c -o $(@:.elf=_port.o) $(FW_DIR)/port_cortexm.c
	$(ARM_EABI_CC) $(FW_CM_LINK) -Wl,-Map=$(@:.elf=.map) -o $@ $(@:.elf=.o) $(@:.elf=_skew.o) $(@:.elf=_port.o)

FW_MPS2_LINK   := -mcpu=cortex-m4 -mthumb -nostartfiles -T $(FW_DIR)/mps2_an386.ld -Wl,--gc-sections --specs=nano.specs
FW_MPS2_IMAGES := $(addprefix $(BUILD)/firmware/mps2/fw,$(addsuffix .elf,_full _notable _lean _lean_notable))

$(BUILD)/firmware/mps2/fw_%.elf: $(FW_SRCS) $(FW_DIR)/port_mps2.c $(FW_DIR)/mps2_an386.ld
	@mkdir -p $(@D)
	$(ARM_EABI_CC) $(FW_CM_FLAGS) $(call fw_variant,_$*) -c -o $(@:.elf=.o) $(FW_DIR)/firmware.c
	$(ARM_EABI_CC) $(FW_CM_FLAGS) $(call fw_variant,_$*) -c -o $(@:.elf=_skew.o) $(FW_DIR)/skew_impl.c
	$(ARM_EABI_CC) $(FW_CM_FLAGS) -c -o $(@:.elf=_port.o) $(FW_DIR)/port_mps2.c
	$(ARM_EABI_CC) $(FW_MPS2_LINK) -Wl,-Map=$(@:.elf=.map) -o $@ $(@:.elf=.o) $(@:.elf=_skew.o) $(@:.elf=_port.o)

TEST_STEPS += step-firmware-host step-firmware-cortexm
.PHONY: step-firmware-host step-firmware-cortexm
step-firmware-host:
	@tests/run_step.sh firmware-host sh -c "$(MAKE) --no-print-directory -s $(BUILD)/firmware/fw_host_full \
	  $(BUILD)/firmware/fw_host_notable $(BUILD)/firmware/fw_host_lean_notable && $(BUILD)/firmware/fw_host_notable && \
	  $(BUILD)/firmware/fw_host_lean_notable && $(BUILD)/firmware/fw_host_full"
step-firmware-cortexm:
	@tests/run_step.sh firmware-cortexm sh -c 'if ! command -v $(ARM_EABI_CC) >/dev/null 2>&1; then \
	    echo "skipped: $(ARM_EABI_CC) not found"; exit 0; fi; \
	  $(MAKE) --no-print-directory -s $(FW_CM_IMAGES) && arm-none-eabi-size $(FW_CM_IMAGES)'
