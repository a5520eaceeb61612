/*
 * A small TCP/IPv4 client host on a network port: static address, ARP
 * (resolves its peer, answers for itself), one TCP connection at a time with
 * SYN/FIN handshakes, retransmission with a doubling timeout (300 ms, five
 * tries), in-order reassembly (out-of-order segments are dropped and answered
 * with a duplicate ACK), an immediate ACK for every segment and a fixed
 * receive window. It drives servers on the virtual network from tests (the
 * HTTP conformance suite, the live-mode round trip): it is a test host, not
 * a model of any product's stack.
 *
 * Frames that are not for its connection or ARP go to 'on_frame' (tests use
 * it for DNS, ICMP and DHCP exchanges).
 */
#ifndef MODELS_NET_TCP_CLIENT_H
#define MODELS_NET_TCP_CLIENT_H

#include "sim/netport.h"
#include "sim/sched.h"

typedef enum tcp_client_state {
    TCPC_CLOSED, TCPC_ARP, TCPC_SYN_SENT, TCPC_ESTABLISHED, TCPC_FIN_WAIT, TCPC_CLOSE_WAIT,
    TCPC_LAST_ACK, TCPC_DONE, TCPC_RESET, TCPC_FAILED,
} tcp_client_state_t;

typedef struct tcp_client {
    char name[32];
    net_port_t port;
    sched_t *sched;
    uint8_t mac[6];
    uint32_t ip;
    uint32_t peer_ip;
    uint16_t peer_port, local_port;
    uint8_t peer_mac[6];
    bool peer_mac_known;
    tcp_client_state_t state;
    uint32_t iss, snd_una, snd_nxt, rcv_nxt;
    uint16_t rcv_wnd, peer_wnd, mss;
    bool fin_wanted, fin_sent, peer_fin;
    /* unacknowledged and unsent bytes, starting at snd_una */
    uint8_t *tx;
    size_t tx_len, tx_cap;
    /* everything received in order on the current connection */
    uint8_t *rx;
    size_t rx_len, rx_cap;
    sim_time_t first_byte_at, last_byte_at, reset_at, peer_fin_at;
    sched_event_t rto_ev;
    sim_time_t rto;
    unsigned tries;
    uint16_t ip_id;
    unsigned connections;
    uint64_t segments_in, out_of_order, retransmits;
    void (*on_frame)(void *opaque, const uint8_t *frame, size_t len);
    void *on_frame_opaque;
} tcp_client_t;

void tcp_client_init(tcp_client_t *c, sched_t *sched, const char *name, const uint8_t mac[6],
                     uint32_t ip);
void tcp_client_free(tcp_client_t *c);
/* Open a connection (ARP first if needed); forgets what the last one received. */
void tcp_client_connect(tcp_client_t *c, uint32_t ip, uint16_t port);
/* Queue bytes to send on the connection (sent as soon as it is established). */
void tcp_client_send(tcp_client_t *c, const void *data, size_t len);
/* Send FIN after the queued bytes. */
void tcp_client_close(tcp_client_t *c);
/* Send any frame from the client's port. */
void tcp_client_send_frame(tcp_client_t *c, const uint8_t *frame, size_t len);
const char *tcp_client_state_name(tcp_client_state_t s);

#endif
