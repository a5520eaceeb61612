#!/bin/sh
# Campaign throughput: SEEDS seeds of the clean-update scenario on JOBS
# processes (default 1000 on the CPU count), as CI would run them.
#   tools/bench-campaign.sh GLITCHBOX [SEEDS] [JOBS]
set -u
gb=$1; seeds=${2:-1000}; jobs=${3:-$(nproc)}
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
start=$(date +%s.%N)
"$gb" campaign --quiet --no-shrink --seeds "$seeds" --jobs "$jobs" --out "$out" \
    scenarios/clean-update.json >"$out/summary.txt" 2>&1
rc=$?
end=$(date +%s.%N)
python3 - "$start" "$end" "$seeds" "$jobs" "$rc" "$out/results.json" <<'PY'
import json, sys
start, end, seeds, jobs, rc, path = sys.argv[1:]
wall = float(end) - float(start)
res = json.load(open(path))
virt = sum(r["virtual_time_ns"] for r in res["runs"]) / 1e9
ok = sum(r["verdict"] == "passed" for r in res["runs"])
print(f"campaign: {seeds} seeds of clean-update on {jobs} processes: {wall:.1f} s wall "
      f"({int(seeds) / wall:.1f} runs/s, {virt / wall:.0f} virtual s per wall s), "
      f"{ok} passed, exit {rc}")
PY
