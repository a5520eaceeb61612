/*
 * pcap capture through libpcap: nanosecond timestamps (the virtual clock),
 * link type Ethernet; frames are stored without FCS, as captures usually are.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include "pcap.h"

struct pcap_writer {
    pcap_t *p;
    pcap_dumper_t *d;
    uint64_t frames;
};

pcap_writer_t *pcap_writer_open(const char *path, char *err, size_t errlen)
{
    pcap_writer_t *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    w->p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
    if (!w->p) {
        snprintf(err, errlen, "%s: libpcap cannot create a capture", path);
        free(w);
        return NULL;
    }
    w->d = pcap_dump_open(w->p, path);
    if (!w->d) {
        snprintf(err, errlen, "%s: %s", path, pcap_geterr(w->p));
        pcap_close(w->p);
        free(w);
        return NULL;
    }
    return w;
}

void pcap_writer_frame(pcap_writer_t *w, sim_time_t t, const uint8_t *frame, size_t len)
{
    struct pcap_pkthdr h;
    h.ts.tv_sec = (time_t)(t / 1000000000u);
    h.ts.tv_usec = (suseconds_t)(t % 1000000000u); /* nanoseconds in a nano capture */
    h.caplen = (bpf_u_int32)len;
    h.len = (bpf_u_int32)len;
    pcap_dump((u_char *)w->d, &h, frame);
    w->frames++;
}

uint64_t pcap_writer_frames(const pcap_writer_t *w)
{
    return w->frames;
}

void pcap_writer_flush(pcap_writer_t *w)
{
    if (w)
        pcap_dump_flush(w->d);
}

void pcap_writer_close(pcap_writer_t *w)
{
    if (!w)
        return;
    pcap_dump_close(w->d);
    pcap_close(w->p);
    free(w);
}
