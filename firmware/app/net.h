/*
 * The update agent's IPv4 stack: Ethernet, ARP cache, IPv4, ICMP echo, UDP,
 * a DHCP client and one TCP client connection with retransmission and RTO
 * back-off, fast retransmit, a receive window, MSS, RST and timeouts.
 */
#ifndef FW_NET_H
#define FW_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct netif {
    uint8_t mac[6];
    uint32_t ip, mask, gw, server;   /* host byte order; server from DHCP */
    bool configured;
} netif_t;

extern netif_t netif;

typedef enum tcp_state {
    TCP_CLOSED, TCP_SYN_SENT, TCP_ESTABLISHED, TCP_FIN_WAIT_1, TCP_FIN_WAIT_2,
    TCP_CLOSE_WAIT, TCP_LAST_ACK, TCP_TIME_WAIT,
} tcp_state_t;

typedef enum tcp_error {
    TCP_OK, TCP_ERR_RESET, TCP_ERR_TIMEOUT, TCP_ERR_REFUSED, TCP_ERR_ARP,
} tcp_error_t;

typedef struct tcp_stats {
    uint32_t retransmits, timeouts, fast_retransmits, dup_acks_sent, resets, out_of_order;
} tcp_stats_t;

extern tcp_stats_t tcp_stats;

void net_init(const uint8_t mac[6]);
/* Receives and handles every pending frame, runs the timers. */
void net_poll(void);
/* One turn of every wait loop: handle the network, kick the watchdog, run
 * the device's own work (net_background), sleep until the next interrupt. */
void net_wait(void);
extern void (*net_background)(void);
/* The driver saw the link go up or down. */
void net_link_changed(bool up);
/* Blocks (polling) until DHCP has an address or timeout_ms passes. */
bool dhcp_run(uint32_t timeout_ms);

/* Receive callback: in-order bytes from the peer. Returns false to stop
 * (the connection is aborted). */
typedef bool (*tcp_recv_fn)(const uint8_t *data, size_t len, void *ctx);

int tcp_connect(uint32_t ip, uint16_t port, tcp_recv_fn recv, void *ctx);
int tcp_send(const void *data, size_t len);
void tcp_close(void);
void tcp_abort(void);
tcp_state_t tcp_state(void);
tcp_error_t tcp_error(void);
bool tcp_peer_closed(void);

const char *ip_str(uint32_t ip);

#endif
