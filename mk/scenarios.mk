# Scenario tier: shipped scenarios (twice, identical outputs), campaigns with
# 1 and 2 workers and merged shards, replay files, bad scenario files.
CHECK_TIERS += scenario-check

.PHONY: scenario-check
scenario-check: host fw-ref fw-tests
	$(Q)./tests/scenarios/run-scenario-tests.sh $(BUILD)/glitchbox
