/* Authoritative DNS responder for the virtual network (see dns.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "dns.h"

#define DNS_HDR 12
#define TYPE_A 1
#define TYPE_ANY 255
#define CLASS_IN 1
#define CLASS_ANY 255
#define ANSWER_TTL 300

int dns_zone_add(dns_zone_t *z, const char *name, uint32_t addr)
{
    if (z->n == DNS_MAX_RECORDS || strlen(name) >= DNS_NAME_MAX || !*name)
        return -1;
    snprintf(z->rec[z->n].name, DNS_NAME_MAX, "%s", name);
    z->rec[z->n].addr = addr;
    z->n++;
    return 0;
}

/* Reads the question name as dotted text; returns the offset after it, or 0
 * for a malformed name (queries carry no compression pointers). */
static size_t read_name(const uint8_t *m, size_t len, size_t off, char *out, size_t outmax)
{
    size_t o = 0;
    for (;;) {
        if (off >= len)
            return 0;
        uint8_t l = m[off++];
        if (!l)
            break;
        if (l > 63 || off + l > len || o + l + 2 > outmax)
            return 0;
        if (o)
            out[o++] = '.';
        memcpy(out + o, m + off, l);
        o += l;
        off += l;
    }
    out[o] = 0;
    return off;
}

static bool in_domain(const dns_zone_t *z, const char *name)
{
    size_t dl = strlen(z->domain), nl = strlen(name);
    if (!dl)
        return false;
    if (nl == dl)
        return !strcasecmp(name, z->domain);
    return nl > dl && name[nl - dl - 1] == '.' && !strcasecmp(name + nl - dl, z->domain);
}

static const dns_record_t *lookup(const dns_zone_t *z, const char *name)
{
    size_t dl = strlen(z->domain);
    for (unsigned k = 0; k < z->n; k++) {
        const char *r = z->rec[k].name;
        size_t rl = strlen(r);
        if (!strcasecmp(name, r))
            return &z->rec[k];
        if (dl && !strncasecmp(name, r, rl) && name[rl] == '.' && !strcasecmp(name + rl + 1, z->domain))
            return &z->rec[k];
    }
    return NULL;
}

static size_t header_only(const uint8_t *q, uint8_t *out, int rcode, bool aa)
{
    memcpy(out, q, 2);
    out[2] = (uint8_t)(0x80 | (q[2] & 0x79) | (aa ? 0x04 : 0)); /* QR, opcode, AA, RD */
    out[3] = (uint8_t)rcode;
    memset(out + 4, 0, 8);
    return DNS_HDR;
}

size_t dns_respond(const dns_zone_t *z, const uint8_t *q, size_t qlen, uint8_t *out, size_t outmax)
{
    if (qlen < DNS_HDR || outmax < 512 || (q[2] & 0x80))
        return 0;
    unsigned opcode = (q[2] >> 3) & 15;
    if (opcode != 0)
        return header_only(q, out, DNS_NOTIMP, false);
    if (rd_be16(q + 4) != 1)
        return header_only(q, out, DNS_FORMERR, false);
    char name[256];
    size_t end = read_name(q, qlen, DNS_HDR, name, sizeof name);
    if (!end || end + 4 > qlen)
        return header_only(q, out, DNS_FORMERR, false);
    uint16_t qtype = rd_be16(q + end), qclass = rd_be16(q + end + 2);
    end += 4;
    size_t qsection = end - DNS_HDR;
    if (DNS_HDR + qsection + 16 > outmax)
        return 0;
    const dns_record_t *r = lookup(z, name);
    bool ours = r || in_domain(z, name);
    int rcode = r ? DNS_NOERROR : ours ? DNS_NXDOMAIN : DNS_REFUSED;
    if (qclass != CLASS_IN && qclass != CLASS_ANY) {
        r = NULL;
        rcode = DNS_REFUSED;
        ours = false;
    }
    header_only(q, out, rcode, ours);
    wr_be16(out + 4, 1);
    memcpy(out + DNS_HDR, q + DNS_HDR, qsection);
    size_t n = DNS_HDR + qsection;
    if (r && (qtype == TYPE_A || qtype == TYPE_ANY)) {
        wr_be16(out + 6, 1);
        wr_be16(out + n, 0xC000 | DNS_HDR); /* the name of the question */
        wr_be16(out + n + 2, TYPE_A);
        wr_be16(out + n + 4, CLASS_IN);
        wr_be32(out + n + 6, ANSWER_TTL);
        wr_be16(out + n + 10, 4);
        wr_be32(out + n + 12, r->addr);
        n += 16;
    }
    return n;
}
