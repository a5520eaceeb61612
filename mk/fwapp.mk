# The reference firmware (firmware/README.md): the A/B bootloader, the update
# agent (versions 1 and 2, each linked for slot A and slot B), the mkimage
# host tool, the build's signing keys, the update server's folders.
#
#   APP_FLAGS=-DENC_NO_WA_...   build the agent with a driver workaround off
#                               (firmware/app/enc28j60.h lists them)
FW_REF := $(FW_BUILD)/ref
FW_KEYS := $(BUILD)/keys
FW_GEN := $(FW_REF)/gen
FW_REF_CFLAGS := $(FW_ARCH) -O2 -g -Wall -Wextra -Werror -ffunction-sections -fdata-sections \
  -Ifirmware/include -Ifirmware/common -Ifirmware/boot -I. --specs=picolibc.specs
FW_REF_LDFLAGS := -nostartfiles -Lfirmware/common -Wl,--gc-sections
FW_COMMON_SRCS := firmware/common/platform.c firmware/common/bootstate.c firmware/common/crc32.c \
  firmware/common/sha512.c firmware/common/ed25519.c sim/sha256.c $(FW_GEN)/pubkey.c
FW_COMMON_DEPS := $(FW_COMMON_SRCS) $(wildcard firmware/include/*.h firmware/common/*.h firmware/common/*.ld) \
  sim/sha256.h
FW_BOOT_SRCS := $(wildcard firmware/boot/*.c)
FW_APP_SRCS := $(wildcard firmware/app/*.c)
FW_APP_DEPS := $(FW_APP_SRCS) $(wildcard firmware/app/*.h)
APP_FLAGS ?=

# Rebuild the agent when APP_FLAGS changes.
FW_APP_FLAGS_STAMP := $(FW_REF)/app-flags
ifneq ($(MAKECMDGOALS),clean)
$(shell mkdir -p $(FW_REF) && (echo '$(APP_FLAGS)' | cmp -s - $(FW_APP_FLAGS_STAMP) || echo '$(APP_FLAGS)' >$(FW_APP_FLAGS_STAMP)))
endif

MKIMAGE := $(BUILD)/mkimage
$(MKIMAGE): firmware/tools/mkimage.c sim/sha256.c firmware/common/layout.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ firmware/tools/mkimage.c sim/sha256.c -lcrypto

# Test keys, made on first build and kept in build/ (never in the tree): the
# signing key the firmware trusts and a key it does not know. They are
# derived from fixed phrases, so every machine builds the same signed images
# and a scenario's seed means the same run everywhere (signature checks take
# a time that depends on the key). They are test keys, public by design: a
# product signs with its own, FW_SIGNING_KEY=FILE (32 random bytes, kept
# secret), which the build then uses as it is.
FW_SIGNING_KEY ?=
FW_KEY_PHRASE := glitchbox public test signing key 1
$(FW_KEYS)/signing.key $(FW_GEN)/pubkey.c &: $(MKIMAGE) $(FW_SIGNING_KEY)
	@mkdir -p $(FW_KEYS) $(FW_GEN)
	$(Q)$(if $(FW_SIGNING_KEY),cp $(FW_SIGNING_KEY) $(FW_KEYS)/signing.key,rm -f $(FW_KEYS)/signing.key)
	$(Q)$(MKIMAGE) keygen --from "$(FW_KEY_PHRASE)" $(FW_KEYS)/signing.key $(FW_GEN)/pubkey.c
$(FW_KEYS)/untrusted.key: $(MKIMAGE)
	@mkdir -p $(FW_KEYS)
	$(Q)$(MKIMAGE) keygen --from "glitchbox public untrusted test key" $@

$(FW_REF)/boot.elf: $(FW_BOOT_SRCS) $(wildcard firmware/boot/*.h) $(FW_COMMON_DEPS)
	@mkdir -p $(dir $@)
	$(Q)$(ARM_CC) $(FW_REF_CFLAGS) $(FW_REF_LDFLAGS) -Tboot.ld $(FW_BOOT_SRCS) $(FW_COMMON_SRCS) -o $@

# app-<variant>-<slot>.elf. Variants: v1, v2 (the demo), v3-noconfirm (its
# self-test fails: it never confirms), v3 (signed with the untrusted key).
# Variants v1-no<wa> are version 1 with one ENC28J60 workaround built out
# (FW_NOWA: name:flag), for the scenarios that show what each one prevents.
FW_NOWA := spiclock:SPI_CLOCK resetwait:RESET_WAIT rxzero:RX_AT_ZERO pktcnt:PKTCNT \
  txrst:TXRST txstall:TX_STALL rxrdpt:RXRDPT_ODD latecol:TSV_LATECOL phcon1:PHCON1 \
  swchecksum:SW_CHECKSUM swfilter:SW_FILTER pwrsv:PWRSV_SRC
fw_nowa_flags = $(foreach w,$(FW_NOWA),$(if $(filter no$(word 1,$(subst :, ,$(w))),$(subst -, ,$(1))),\
  -DENC_NO_WA_$(word 2,$(subst :, ,$(w))))) \
  $(if $(filter naive,$(subst -, ,$(1))),-DENC_TRUST_RX_HEADER -DAPP_NO_NIC_RECOVERY)
fw_variant_flags = $(if $(findstring noconfirm,$(1)),-DAPP_SELFTEST_FAIL) $(call fw_nowa_flags,$(1)) \
  -DAPP_VERSION=$(patsubst v%,%,$(firstword $(subst -, ,$(1))))
$(FW_REF)/app-%.elf: $(FW_APP_DEPS) $(FW_COMMON_DEPS) $(FW_APP_FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)s=$(lastword $(subst -, ,$*)); \
	  $(ARM_CC) $(FW_REF_CFLAGS) $(APP_FLAGS) $(call fw_variant_flags,$*) $(FW_REF_LDFLAGS) \
	    -Tapp-$$s.ld $(FW_APP_SRCS) $(FW_COMMON_SRCS) -o $@

$(FW_REF)/%.bin: $(FW_REF)/%.elf
	$(Q)arm-none-eabi-objcopy -O binary $< $@

# Signed images; app-v3-*.img carry the untrusted key's signature.
fw_img_key = $(if $(filter v3-a v3-b,$(1)),$(FW_KEYS)/untrusted.key,$(FW_KEYS)/signing.key)
$(FW_REF)/app-%.img: $(FW_REF)/app-%.bin $(MKIMAGE) $(FW_KEYS)/signing.key $(FW_KEYS)/untrusted.key
	$(Q)s=$(lastword $(subst -, ,$*)); v=$(patsubst v%,%,$(firstword $(subst -, ,$*))); \
	  $(MKIMAGE) image --version $$v --slot $$s --key $(call fw_img_key,$*) $< $@

# The device as it leaves the factory: bootloader and version 1 in slot A.
$(FW_REF)/factory-flash.bin: $(FW_REF)/boot.bin $(FW_REF)/app-v1-a.img $(MKIMAGE)
	$(Q)$(MKIMAGE) flash $@ $(FW_REF)/boot.bin@0x08000000 $(FW_REF)/app-v1-a.img@0x08020000

# The factory image with a workaround built out of version 1:
# factory-flash-no<wa>.bin.
# factory-flash-naive[-no<wa>].bin: a driver and agent as many are written:
# the receive-header check out (ENC_TRUST_RX_HEADER) and no reset of a NIC
# that stopped receiving (APP_NO_NIC_RECOVERY).
FW_NOWA_FACTORY := $(foreach w,$(FW_NOWA),$(FW_REF)/factory-flash-no$(word 1,$(subst :, ,$(w))).bin) \
  $(FW_REF)/factory-flash-naive.bin $(FW_REF)/factory-flash-naive-norxrdpt.bin
$(FW_REF)/factory-flash-%.bin: $(FW_REF)/boot.bin $(FW_REF)/app-v1-%-a.img $(MKIMAGE)
	$(Q)$(MKIMAGE) flash $@ $(FW_REF)/boot.bin@0x08000000 $(FW_REF)/app-v1-$*-a.img@0x08020000

# Update server folders: server/ offers version 2 (the demo); server-badsig/
# version 3 signed with the untrusted key; server-noconfirm/ a version 3
# that never confirms.
define fw_server
$(FW_REF)/$(1)/manifest: $(FW_REF)/app-$(2)-a.img $(FW_REF)/app-$(2)-b.img $(MKIMAGE)
	@mkdir -p $(FW_REF)/$(1)/fw
	$(Q)cp $(FW_REF)/app-$(2)-a.img $(FW_REF)/app-$(2)-b.img $(FW_REF)/$(1)/fw/
	$(Q)$(MKIMAGE) manifest $$@ $(3) $(FW_REF)/app-$(2)-a.img@/fw/app-$(2)-a.img \
	  $(FW_REF)/app-$(2)-b.img@/fw/app-$(2)-b.img
endef
$(eval $(call fw_server,server,v2,2))
$(eval $(call fw_server,server-badsig,v3,3))
$(eval $(call fw_server,server-noconfirm,v3-noconfirm,3))

.PHONY: fw-ref
fw-ref: $(FW_REF)/factory-flash.bin $(FW_REF)/server/manifest $(FW_REF)/server-badsig/manifest \
  $(FW_REF)/server-noconfirm/manifest $(FW_REF)/app-v1-b.img $(FW_NOWA_FACTORY)
firmware: fw-ref
.PRECIOUS: $(FW_REF)/%.elf $(FW_REF)/%.bin $(FW_REF)/app-%.elf $(FW_REF)/app-%.bin
