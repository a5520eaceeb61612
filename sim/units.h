/*
 * Parsing of the quantities users write in options, board and scenario
 * files: durations ("2.5s", "350ms", "100us", "10ns", "1min"; a bare number
 * is seconds) and bit rates ("10Mbit", "100kbit", "1Gbit", "9600bit";
 * "/s" may follow; "10Mbps" is the same as "10Mbit/s").
 */
#ifndef SIM_UNITS_H
#define SIM_UNITS_H

#include "types.h"

int units_parse_time(const char *s, sim_time_t *out);
int units_parse_rate(const char *s, uint64_t *bits_per_second);

#endif
