/*
 * Timed changes of a model's properties: a list of (time, property mask,
 * values) kept in time order (changes at the same time keep the order they
 * were added) and applied by one scheduler event. Used by links and traffic
 * hosts; the owner's apply() receives each change when its time comes.
 *
 * Each item starts with a net_timeline_item_t; item_size is the size of the
 * owner's whole change struct.
 */
#ifndef MODELS_NET_TIMELINE_H
#define MODELS_NET_TIMELINE_H

#include "sim/sched.h"

typedef struct net_timeline_item {
    sim_time_t at;
    uint32_t mask;
} net_timeline_item_t;

typedef struct net_timeline {
    sched_t *sched;
    sched_event_t ev;
    void (*apply)(void *owner, const net_timeline_item_t *item);
    void *owner;
    size_t item_size;
    unsigned char *items;
    unsigned n, cap, next;
} net_timeline_t;

void net_timeline_init(net_timeline_t *tl, sched_t *sched, const char *event_name, size_t item_size,
                       void (*apply)(void *, const net_timeline_item_t *), void *owner);
/* Adds a change (copied); -1 if 'item->at' is in the past or memory runs out. */
int net_timeline_add(net_timeline_t *tl, const net_timeline_item_t *item);
void net_timeline_destroy(net_timeline_t *tl);

#endif
