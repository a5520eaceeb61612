# STM32F407 test programs and host tools of the stm32 tier (mk/e2e.mk runs it).
#   the STM32 test programs depend on their shared header;
#   stm32-powercut runs a program and cuts the power at a flash operation.

$(FW_STM32_ELFS): $(wildcard firmware/tests/stm32/*.h)

STM32_POWERCUT := $(BUILD)/tests/fw/stm32-powercut
$(STM32_POWERCUT): $(BUILD)/obj/tests/fw/stm32_powercut.o $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
host: $(STM32_POWERCUT)
