# End-to-end tests of the over-the-air update (tests/e2e/run-ota.sh): the
# reference firmware on the stm32f407-enc28j60 board against the virtual
# update server, with loss, a pulled cable, server resets, a badly signed
# image and an image that never confirms; and the agent built without the
# errata #19 workaround, failing as that workaround prevents.
CHECK_TIERS += ota-e2e-check
.PHONY: ota-e2e-check
ota-e2e-check: host fw-ref
	$(Q)./tests/e2e/run-ota.sh $(BUILD)/glitchbox $(FW_REF) $(BUILD)/e2e
	$(Q)$(MAKE) -s --no-print-directory BUILD=$(BUILD)/wa19 APP_FLAGS=-DENC_NO_WA_PWRSV_SRC \
	  $(BUILD)/wa19/fw/ref/factory-flash.bin $(BUILD)/wa19/fw/ref/server/manifest
	$(Q)./tests/e2e/run-ota.sh $(BUILD)/glitchbox $(BUILD)/wa19/fw/ref $(BUILD)/e2e erratum19

# Power cuts at ~90 points of an update (scenario runs, two at a time).
CHECK_TIERS += ota-powercut-check
.PHONY: ota-powercut-check
ota-powercut-check: host fw-ref
	$(Q)./tests/e2e/run-powercut.sh $(BUILD)/glitchbox $(FW_REF) $(BUILD)/e2e-powercut 2
