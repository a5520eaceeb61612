# `make demo` and `make bench` (see README.md).
.PHONY: demo bench
demo:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./tools/demo.sh $(BUILD)

bench: host fw-tests fw-ref
	$(Q)./tools/bench.sh $(BUILD)/glitchbox $(FW_BENCH_ELF)
	$(Q)./tools/bench-update.sh $(BUILD)/glitchbox $(FW_REF)
