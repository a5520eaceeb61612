# End-to-end tests of the over-the-air update (tests/e2e/run-ota.sh): the
# reference firmware on the stm32f407-enc28j60 board against the virtual
# update server, with loss, a pulled cable, server resets, a badly signed
# image and an image that never confirms.
CHECK_TIERS += ota-e2e-check
.PHONY: ota-e2e-check
ota-e2e-check: host fw-ref
	$(Q)./tests/e2e/run-ota.sh $(BUILD)/glitchbox $(FW_REF) $(BUILD)/e2e

# Power cuts at ~90 points of an update (scenario runs, two at a time).
CHECK_TIERS += ota-powercut-check
.PHONY: ota-powercut-check
ota-powercut-check: host fw-ref
	$(Q)./tests/e2e/run-powercut.sh $(BUILD)/glitchbox $(FW_REF) $(BUILD)/e2e-powercut 2
