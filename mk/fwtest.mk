# Host-compiled Check tests of the reference firmware's pieces
# (tests/firmware/test_*.c): the firmware sources that do not touch the
# hardware, built for the host with FW_HOST_TEST against the simulated board
# in tests/firmware/support (flash with power cuts, clock, network chip).
CHECK_TIERS += fw-unit-check fw-unit-check-asan
FWT_SRCS := $(wildcard tests/firmware/test_*.c)
FWT_BINS := $(patsubst tests/firmware/%.c,$(BUILD)/tests/firmware/%,$(FWT_SRCS))
FWT_PIECES := firmware/common/sha512.c firmware/common/ed25519.c firmware/common/crc32.c \
  firmware/common/bootstate.c firmware/boot/bootsel.c firmware/app/net.c firmware/app/http.c \
  sim/sha256.c $(wildcard tests/firmware/support/*.c)
FWT_CFLAGS := -DFW_HOST_TEST -Ifirmware/common -Itests/firmware/support \
  -Ifirmware/boot -Ifirmware/app $(filter-out -Wmissing-prototypes,$(CFLAGS))
FWT_DEPS := $(FWT_PIECES) $(wildcard firmware/common/*.h firmware/boot/*.h firmware/app/*.h \
  tests/firmware/support/*.h)

$(BUILD)/tests/firmware/%: tests/firmware/%.c $(FWT_DEPS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(FWT_CFLAGS) $(LDFLAGS) -o $@ $< $(FWT_PIECES) $(PKG_LIBS) -lcrypto -lm

.PHONY: fw-unit-tests fw-unit-check fw-unit-check-asan
fw-unit-tests: $(FWT_BINS)
fw-unit-check: $(FWT_BINS)
	$(Q)./tests/run-unit.sh fw-unit $(FWT_BINS)
fw-unit-check-asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan SAN=1 OPT=-O1 fw-unit-tests
	$(Q)ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ./tests/run-unit.sh fw-unit-asan $(patsubst $(BUILD)/%,build-asan/%,$(FWT_BINS))
