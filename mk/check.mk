# `make check`: install what is missing, build everything, run every tier.
# Other mk/*.mk files add their tiers to CHECK_TIERS.
CHECK_TIERS += unit-check unit-check-asan

.PHONY: check check-run unit-check unit-check-asan
check:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory -k check-run; rc=$$?; \
	  if [ $$rc -eq 0 ]; then echo "check: all tiers passed"; else echo "check: FAILED"; fi; exit $$rc


unit-check: $(TEST_BINS)
	$(Q)./tests/run-unit.sh unit $(TEST_BINS)

# The same unit tests built with AddressSanitizer and UndefinedBehaviorSanitizer.
unit-check-asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan SAN=1 OPT=-O1 unit-tests
	$(Q)ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ./tests/run-unit.sh unit-asan $(patsubst $(BUILD)/%,build-asan/%,$(TEST_BINS))
