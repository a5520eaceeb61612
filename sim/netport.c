/* Net ports: see netport.h. */
#include <string.h>
#include "netport.h"

void net_port_init(net_port_t *p, const char *name,
                   void (*receive)(void *, const uint8_t *, size_t, bool),
                   void (*link_changed)(void *, bool), void *owner)
{
    memset(p, 0, sizeof *p);
    p->name = name;
    p->receive = receive;
    p->link_changed = link_changed;
    p->owner = owner;
}

void net_port_send_fcs(net_port_t *p, const uint8_t *frame, size_t len, bool fcs_ok)
{
    const net_port_peer_ops_t *ops = p->peer_ops;
    if (!ops || !ops->send || len > NET_FRAME_MAX || (!fcs_ok && !ops->send_bad_fcs)) {
        p->tx_dropped++;
        return;
    }
    p->tx_frames++;
    if (fcs_ok)
        ops->send(p->link, p, frame, len);
    else
        ops->send_bad_fcs(p->link, p, frame, len);
}

void net_port_send(net_port_t *p, const uint8_t *frame, size_t len)
{
    net_port_send_fcs(p, frame, len, true);
}

void net_port_deliver(net_port_t *p, const uint8_t *frame, size_t len, bool fcs_ok)
{
    p->rx_frames++;
    if (p->receive)
        p->receive(p->owner, frame, len, fcs_ok);
}

void net_port_set_link(net_port_t *p, bool up)
{
    if (p->link_up == up)
        return;
    p->link_up = up;
    if (p->link_changed)
        p->link_changed(p->owner, up);
}

uint32_t net_crc32(const uint8_t *data, size_t len)
{
    static uint32_t table[256];
    static bool ready;
    if (!ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        ready = true;
    }
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++)
        crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}
