# End-to-end tiers: guest programs on the simulator.
#   cpu-fw-check    CPU test programs against their expected output
#   stm32-fw-check  STM32F407 programs on the stm32f407-disco board, --flash, a power cut
#   qemu-diff-check the same programs and the random-instruction program
#                   against QEMU running the same ELF
#   gdb-check       gdb-multiarch driving the GDB stub
#   determinism-check  identical repeated runs; a debugged run equals a plain one
CHECK_TIERS += cpu-fw-check stm32-fw-check qemu-diff-check gdb-check determinism-check

FW_CPU_NAMES = $(patsubst firmware/tests/cpu/%.c,%,$(FW_CPU_SRCS))

.PHONY: cpu-fw-check stm32-fw-check qemu-diff-check gdb-check determinism-check fuzz-long
# powercut needs the harness that cuts the power (mk/stm32.mk); a program
# with a scenario (NAME.json: the board acted on while it runs) runs under it
FW_STM32_SCENARIOS = $(patsubst firmware/tests/stm32/%.json,%,$(filter \
  $(patsubst %.c,%.json,$(FW_STM32_SRCS)),$(wildcard firmware/tests/stm32/*.json)))
FW_STM32_NAMES = $(filter-out powercut $(FW_STM32_SCENARIOS),$(patsubst firmware/tests/stm32/%.c,%,$(FW_STM32_SRCS)))
stm32-fw-check: host fw-tests
	$(Q)BOARD=stm32f407-disco EXPECTED_DIR=firmware/tests/stm32 ./tests/fw/run-cpu-tests.sh \
	  $(BUILD)/glitchbox $(FW_BUILD)/tests/stm32 $(FW_STM32_NAMES)
	$(Q)./tests/fw/run-flash-file.sh $(BUILD)/glitchbox $(FW_BUILD)/tests/stm32/flash.elf
	$(Q)./tests/fw/run-stm32-powercut.sh $(STM32_POWERCUT) $(FW_BUILD)/tests/stm32/powercut.elf
	$(Q)./tests/fw/run-stm32-scenario.sh $(BUILD)/glitchbox $(FW_BUILD)/tests/stm32 $(FW_STM32_SCENARIOS)

determinism-check: host fw-tests
	$(Q)./tests/fw/run-determinism.sh $(BUILD)/glitchbox $(FW_BUILD)/tests/cpu $(FW_GDB_ELF)

cpu-fw-check: host fw-tests
	$(Q)./tests/fw/run-cpu-tests.sh $(BUILD)/glitchbox $(FW_BUILD)/tests/cpu $(FW_CPU_NAMES)

qemu-diff-check: host fw-tests
	$(Q)./tests/fw/run-cpu-tests.sh $(BUILD)/glitchbox $(FW_BUILD)/tests/cpu --qemu alu fpu mem shfile args mpu bitband
	$(Q)./tests/fw/run-cpu-tests.sh $(BUILD)/glitchbox $(FW_BUILD)/tests/fuzz --qemu fuzz

gdb-check: host fw-tests
	$(Q)./tests/gdb/run-gdb-tests.sh $(BUILD)/glitchbox $(FW_GDB_ELF)

# Long random-instruction run against QEMU (not part of `make check`).
# (the ELF path is spelled out: firmware.mk, which names it, is read after this file)
fuzz-long: host $(BUILD)/fw/tests/fuzz/fuzz-long.elf
	$(Q)MAX_TIME=3600s QEMU_TIMEOUT=1200 ./tests/fw/run-cpu-tests.sh $(BUILD)/glitchbox $(FW_BUILD)/tests/fuzz --qemu fuzz-long
