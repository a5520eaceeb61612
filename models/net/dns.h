/*
 * An authoritative DNS responder (RFC 1035) for the names of the virtual
 * network: the update server answers queries for its own name(s) with no
 * upstream resolver behind it.
 *
 * A name matches a record as given ("update") or with the zone's domain
 * appended ("update.glitchbox.test"), case-insensitively. Answers: A (or ANY)
 * for a known name gets the address (TTL 300 s); another type for a known
 * name gets an empty NOERROR answer; an unknown name inside the domain gets
 * NXDOMAIN; a name outside the domain gets REFUSED (no recursion). A query
 * with more than one question gets FORMERR, another opcode NOTIMP; responses
 * and messages too short for a header are dropped. EDNS records in the
 * additional section are ignored (the answer carries none).
 */
#ifndef MODELS_NET_DNS_H
#define MODELS_NET_DNS_H

#include "sim/types.h"

#define DNS_MAX_RECORDS 8
#define DNS_NAME_MAX 64

typedef struct dns_record {
    char name[DNS_NAME_MAX];
    uint32_t addr;             /* host byte order */
} dns_record_t;

typedef struct dns_zone {
    char domain[DNS_NAME_MAX]; /* "" for none */
    dns_record_t rec[DNS_MAX_RECORDS];
    unsigned n;
} dns_zone_t;

enum { DNS_NOERROR = 0, DNS_FORMERR = 1, DNS_SERVFAIL = 2, DNS_NXDOMAIN = 3, DNS_NOTIMP = 4,
       DNS_REFUSED = 5 };

int dns_zone_add(dns_zone_t *z, const char *name, uint32_t addr);
/* The response to query 'q' in 'out' (at least 512 bytes); 0 = no response. */
size_t dns_respond(const dns_zone_t *z, const uint8_t *q, size_t qlen, uint8_t *out, size_t outmax);

#endif
