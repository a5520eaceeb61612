# Guest firmware, cross-compiled with arm-none-eabi-gcc and picolibc.
#
# CPU test programs (firmware/tests/cpu/*.c) run on the mps2-an386 board
# (Cortex-M4F, the memory map QEMU uses for that machine), print through
# semihosting and exit with a status; tests/cpu/run-fw.sh runs them.

ARM_CC := arm-none-eabi-gcc
FW_BUILD := $(BUILD)/fw
FW_ARCH := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
FW_CFLAGS := $(FW_ARCH) -O2 -g -Wall -Wextra -Werror -ffunction-sections -fdata-sections
FW_MPS2_LD := --specs=picolibc.specs --oslib=semihost --crt0=semihost \
  -Wl,--defsym=__flash=0 -Wl,--defsym=__flash_size=0x400000 \
  -Wl,--defsym=__ram=0x20000000 -Wl,--defsym=__ram_size=0x400000 -Wl,--gc-sections

FW_CPU_SRCS := $(wildcard firmware/tests/cpu/*.c)
FW_CPU_ELFS := $(patsubst firmware/tests/cpu/%.c,$(FW_BUILD)/tests/cpu/%.elf,$(FW_CPU_SRCS))

$(FW_BUILD)/tests/cpu/%.elf: firmware/tests/cpu/%.c $(wildcard firmware/tests/common/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(ARM_CC) $(FW_CFLAGS) $(FW_MPS2_LD) $< -o $@

FW_GDB_ELF := $(FW_BUILD)/tests/gdb/gdbtarget.elf
$(FW_GDB_ELF): firmware/tests/gdb/gdbtarget.c
	@mkdir -p $(dir $@)
	$(Q)$(ARM_CC) $(FW_CFLAGS) -O1 $(FW_MPS2_LD) $< -o $@

# Random-instruction differential program: a short budget for `make check`,
# a long one for `make fuzz-long`.
FW_FUZZ_ELF := $(FW_BUILD)/tests/fuzz/fuzz.elf
FW_FUZZ_LONG_ELF := $(FW_BUILD)/tests/fuzz/fuzz-long.elf
$(FW_FUZZ_ELF): firmware/tests/fuzz/fuzz.c firmware/tests/common/testlib.h
	@mkdir -p $(dir $@)
	$(Q)$(ARM_CC) $(FW_CFLAGS) $(FW_MPS2_LD) $< -o $@
$(FW_FUZZ_LONG_ELF): firmware/tests/fuzz/fuzz.c firmware/tests/common/testlib.h
	@mkdir -p $(dir $@)
	$(Q)$(ARM_CC) $(FW_CFLAGS) $(FW_MPS2_LD) -DFUZZ_SEQUENCES=60000 -DFUZZ_SEED=$(or $(FUZZ_SEED),0x2468ACE) $< -o $@

FW_BENCH_ELF := $(FW_BUILD)/bench/cpubench.elf
$(FW_BENCH_ELF): firmware/bench/cpubench.c
	@mkdir -p $(dir $@)
	$(Q)$(ARM_CC) $(FW_CFLAGS) $(FW_MPS2_LD) -DROUNDS=2000 $< -o $@

# Programs for the stm32f407-disco board (flash at 0x08000000, 128 KiB SRAM).
FW_STM32_LD := --specs=picolibc.specs --oslib=semihost --crt0=semihost \
  -Wl,--defsym=__flash=0x08000000 -Wl,--defsym=__flash_size=0x100000 \
  -Wl,--defsym=__ram=0x20000000 -Wl,--defsym=__ram_size=0x20000 -Wl,--gc-sections
FW_STM32_SRCS := $(wildcard firmware/tests/stm32/*.c)
FW_STM32_ELFS := $(patsubst firmware/tests/stm32/%.c,$(FW_BUILD)/tests/stm32/%.elf,$(FW_STM32_SRCS))
$(FW_BUILD)/tests/stm32/%.elf: firmware/tests/stm32/%.c
	@mkdir -p $(dir $@)
	$(Q)$(ARM_CC) $(FW_CFLAGS) $(FW_STM32_LD) $< -o $@

.PHONY: fw-tests
fw-tests: $(FW_CPU_ELFS) $(FW_GDB_ELF) $(FW_FUZZ_ELF) $(FW_BENCH_ELF) $(FW_STM32_ELFS)
firmware: fw-tests
