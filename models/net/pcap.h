/*
 * Capture of Ethernet frames to a pcap file (libpcap), stamped with virtual
 * time in nanoseconds.
 */
#ifndef MODELS_NET_PCAP_H
#define MODELS_NET_PCAP_H

#include "sim/types.h"

typedef struct pcap_writer pcap_writer_t;

/* NULL with a message in err on failure. */
pcap_writer_t *pcap_writer_open(const char *path, char *err, size_t errlen);
void pcap_writer_frame(pcap_writer_t *w, sim_time_t t, const uint8_t *frame, size_t len);
uint64_t pcap_writer_frames(const pcap_writer_t *w);
/* Write what is buffered to the file (to hash it while the run goes on). */
void pcap_writer_flush(pcap_writer_t *w);
void pcap_writer_close(pcap_writer_t *w);

#endif
