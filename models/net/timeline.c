/* Timed property changes (see timeline.h). */
#include <stdlib.h>
#include <string.h>
#include "timeline.h"

static net_timeline_item_t *item_at(const net_timeline_t *tl, unsigned k)
{
    return (net_timeline_item_t *)(tl->items + (size_t)k * tl->item_size);
}

static void timeline_event(void *opaque)
{
    net_timeline_t *tl = opaque;
    while (tl->next < tl->n && item_at(tl, tl->next)->at <= tl->sched->now)
        tl->apply(tl->owner, item_at(tl, tl->next++));
    if (tl->next < tl->n)
        sched_at(tl->sched, &tl->ev, item_at(tl, tl->next)->at);
}

void net_timeline_init(net_timeline_t *tl, sched_t *sched, const char *event_name, size_t item_size,
                       void (*apply)(void *, const net_timeline_item_t *), void *owner)
{
    memset(tl, 0, sizeof *tl);
    tl->sched = sched;
    tl->item_size = item_size;
    tl->apply = apply;
    tl->owner = owner;
    sched_event_init(&tl->ev, event_name, timeline_event, tl);
}

int net_timeline_add(net_timeline_t *tl, const net_timeline_item_t *item)
{
    if (item->at < tl->sched->now)
        return -1;
    if (tl->n == tl->cap) {
        unsigned cap = tl->cap ? 2 * tl->cap : 8;
        unsigned char *ni = realloc(tl->items, (size_t)cap * tl->item_size);
        if (!ni)
            return -1;
        tl->items = ni;
        tl->cap = cap;
    }
    /* after every pending change at or before the new one's time */
    unsigned k = tl->n;
    while (k > tl->next && item_at(tl, k - 1)->at > item->at)
        k--;
    memmove(item_at(tl, k + 1), item_at(tl, k), (size_t)(tl->n - k) * tl->item_size);
    memcpy(item_at(tl, k), item, tl->item_size);
    tl->n++;
    sched_at(tl->sched, &tl->ev, item_at(tl, tl->next)->at);
    return 0;
}

void net_timeline_destroy(net_timeline_t *tl)
{
    if (tl->sched)
        sched_cancel(tl->sched, &tl->ev);
    free(tl->items);
    tl->items = NULL;
    tl->n = tl->cap = tl->next = 0;
}
