# `make demo` and `make bench` (see README.md).
.PHONY: demo bench
demo:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./tools/demo.sh $(BUILD)

bench: host fw-tests fw-ref
	$(Q)./tools/bench.sh $(BUILD)/glitchbox $(FW_BENCH_ELF) $(if $(FW_REF),$(FW_REF)/factory-flash.bin)
	$(Q)./tools/bench-update.sh $(BUILD)/glitchbox $(FW_REF)
	$(Q)./tools/bench-campaign.sh $(BUILD)/glitchbox $(or $(BENCH_SEEDS),1000)
