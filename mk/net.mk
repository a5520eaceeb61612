# Virtual network: end-to-end tests with the reference firmware (an update
# through faults and traffic, byte-identical captures read by tshark, network
# file errors, live mode against a real server on loopback and its replay).
# The unit tests (tests/models/test_net_*.c) run with the other unit tests.
CHECK_TIERS += net-check

.PHONY: net-check
net-check: host fw-ref
	$(Q)./tests/net/run-net-tests.sh $(BUILD)/glitchbox $(FW_REF)
