/*
 * Campaigns and replays, the front ends CI uses.
 *
 *   glitchbox campaign [--seeds S] [--jobs N] [--shard I/N] [--out DIR] SCENARIO...
 *   glitchbox campaign merge --out DIR RESULTS.json...
 *   glitchbox replay FILE [--until T | --at-failure] [--gdb PORT] [--out DIR]
 *
 * A campaign runs every scenario with every seed, one forked process per run
 * and N at a time; a run that crashes is a failed run, not a failed campaign.
 * Results are ordered by (scenario, seed), never by completion, so the
 * results file, its digest and the JUnit XML are the same with 1 worker or
 * 16, and shards merge into the same files as one big run. Every failed run
 * keeps its report, UART log and pcap and gets a replay file; the first
 * failing seed is shrunk to the smallest set of its faults (preferring the
 * earliest single fault) that still fails.
 *
 * A replay file carries the scenario itself, the seed, the hashes of the
 * firmware it ran, and the hashes of its report, UART output and pcap, so
 * `glitchbox replay` can rebuild the run and prove it identical.
 */
#ifndef SIM_CAMPAIGN_H
#define SIM_CAMPAIGN_H

#include "scenario.h"

int campaign_main(int argc, char **argv);
int replay_main(int argc, char **argv);

#endif
