# The reference firmware: A/B bootloader, update agent (versions 1 and 2,
# each linked for slot A and slot B), the mkimage host tool, and what the
# update server serves.
FW_REF := $(FW_BUILD)/ref
FW_REF_CFLAGS := $(FW_ARCH) -Os -g -Wall -Wextra -Werror -ffunction-sections -fdata-sections \
  -Ifirmware/include -Ifirmware/common -I. --specs=picolibc.specs
FW_REF_LDFLAGS := -nostartfiles -Lfirmware/common -Wl,--gc-sections
FW_COMMON_SRCS := firmware/common/platform.c firmware/common/bootstate.c sim/sha256.c
FW_COMMON_DEPS := $(FW_COMMON_SRCS) $(wildcard firmware/include/*.h firmware/common/*.h firmware/common/*.ld)
FW_APP_SRCS := $(wildcard firmware/app/*.c)
FW_APP_DEPS := $(FW_APP_SRCS) $(wildcard firmware/app/*.h)
# APP_FLAGS: extra -D flags for the agent, e.g. -DENC_NO_WA_RXRDPT_ODD
APP_FLAGS ?=

MKIMAGE := $(BUILD)/mkimage
$(MKIMAGE): firmware/tools/mkimage.c sim/sha256.c firmware/common/layout.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ firmware/tools/mkimage.c sim/sha256.c

$(FW_REF)/boot.elf: firmware/boot/main.c $(FW_COMMON_DEPS)
	@mkdir -p $(dir $@)
	$(Q)$(ARM_CC) $(FW_REF_CFLAGS) $(FW_REF_LDFLAGS) -Tboot.ld firmware/boot/main.c $(FW_COMMON_SRCS) -o $@

# app-v<N>-<slot>.elf
$(FW_REF)/app-v%.elf: $(FW_APP_DEPS) $(FW_COMMON_DEPS)
	@mkdir -p $(dir $@)
	$(Q)v=$$(echo $* | cut -d- -f1); s=$$(echo $* | cut -d- -f2); \
	  $(ARM_CC) $(FW_REF_CFLAGS) $(APP_FLAGS) -DAPP_VERSION=$$v $(FW_REF_LDFLAGS) -Tapp-$$s.ld \
	    $(FW_APP_SRCS) $(FW_COMMON_SRCS) -o $@

$(FW_REF)/%.bin: $(FW_REF)/%.elf
	$(Q)arm-none-eabi-objcopy -O binary $< $@

$(FW_REF)/app-v%.img: $(FW_REF)/app-v%.bin $(MKIMAGE)
	$(Q)v=$$(echo $* | cut -d- -f1); s=$$(echo $* | cut -d- -f2); \
	  $(MKIMAGE) image --version $$v --slot $$s $< $@

# The device as it leaves the factory: bootloader and version 1 in slot A.
$(FW_REF)/factory-flash.bin: $(FW_REF)/boot.bin $(FW_REF)/app-v1-a.img $(MKIMAGE)
	$(Q)$(MKIMAGE) flash $@ $(FW_REF)/boot.bin@0x08000000 $(FW_REF)/app-v1-a.img@0x08020000

# The update server's folder: version 2 for either slot.
$(FW_REF)/server/manifest: $(FW_REF)/app-v2-a.img $(FW_REF)/app-v2-b.img $(MKIMAGE)
	@mkdir -p $(FW_REF)/server/v2
	$(Q)cp $(FW_REF)/app-v2-a.img $(FW_REF)/app-v2-b.img $(FW_REF)/server/v2/
	$(Q)$(MKIMAGE) manifest $@ 2 /v2/app-v2-a.img /v2/app-v2-b.img

.PHONY: fw-ref
fw-ref: $(FW_REF)/factory-flash.bin $(FW_REF)/server/manifest $(FW_REF)/app-v1-b.img
firmware: fw-ref
.PRECIOUS: $(FW_REF)/%.elf $(FW_REF)/%.bin $(FW_REF)/app-v%.elf $(FW_REF)/app-v%.bin
