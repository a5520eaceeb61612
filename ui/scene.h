/*
 * What the UI shows, as plain data: the console text, the update agent's
 * progress, the frames of every link over virtual time, and the marks on the
 * timeline (outside inputs, update states, power and cable changes). It is
 * fed from the simulation (console bytes, link watchers, samples taken
 * between run slices) and read by the views; it knows no SDL, so tests
 * drive it directly.
 *
 * Everything is stamped with virtual time. Frames, marks and intervals are
 * appended in time order (the simulation hands them over in the order they
 * happen), so a time window is found by binary search. Rings keep the most
 * recent entries when a long run outgrows them.
 */
#ifndef UI_SCENE_H
#define UI_SCENE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/types.h"

#define SCENE_LINE_MAX 240
#define SCENE_CONSOLE_LINES 4096
#define SCENE_FRAMES (1u << 18)
#define SCENE_MARKS 2048
#define SCENE_MAX_LINKS 8
#define SCENE_INTERVALS 512

/* ---- console ---- */

typedef struct scene_line {
    sim_time_t t;             /* when its first byte was printed */
    uint16_t len;
    char text[SCENE_LINE_MAX];
} scene_line_t;

typedef struct scene_console {
    scene_line_t lines[SCENE_CONSOLE_LINES]; /* complete lines, a ring */
    unsigned head, count;
    scene_line_t cur;         /* the line being printed */
    bool cur_open;
    uint64_t bytes, total_lines;
} scene_console_t;

/* ---- the update agent ("update: state=... bytes=N/M ...") ---- */

typedef struct scene_update {
    bool seen;
    sim_time_t t;             /* of the last state line */
    char state[24];
    char version[16];
    uint64_t bytes, total;
    bool has_bytes, has_total;
    long retries, errors;     /* -1: not printed */
    char reason[48];
    char line[SCENE_LINE_MAX];
} scene_update_t;

/* ---- network ---- */

enum scene_proto { PROTO_OTHER, PROTO_ARP, PROTO_ICMP, PROTO_DHCP, PROTO_DNS, PROTO_UDP,
                   PROTO_TCP, PROTO_TCP_DATA, PROTO_TCP_CTRL, PROTO_COUNT };
/* What became of a frame (the link watcher's fates, kept independent of it). */
enum scene_fate { FATE_SENT, FATE_DELIVERED, FATE_CORRUPTED, FATE_LOST, FATE_DOWN, FATE_TOO_BIG,
                  FATE_QUEUE_FULL, FATE_COUNT };

typedef struct scene_frame {
    sim_time_t t;
    uint16_t len;
    uint8_t link;
    uint8_t dir;              /* 0: from the board towards the network, 1: towards the board */
    uint8_t fate;             /* enum scene_fate */
    uint8_t proto;            /* enum scene_proto */
    uint8_t tcp_flags;
} scene_frame_t;

typedef struct scene_interval {
    sim_time_t from, to;      /* to = SIM_TIME_NEVER while it lasts */
} scene_interval_t;

typedef struct scene_intervals {
    scene_interval_t v[SCENE_INTERVALS];
    unsigned head, count;
    bool open;
} scene_intervals_t;

typedef struct scene_link_stats {
    uint64_t fate[2][FATE_COUNT];  /* per direction */
    uint64_t bytes[2];             /* delivered */
} scene_link_stats_t;

/* ---- marks on the timeline ---- */

enum scene_mark_kind { MARK_INPUT, MARK_UPDATE, MARK_POWER, MARK_RESET, MARK_END };

typedef struct scene_mark {
    sim_time_t t;
    uint8_t kind;
    char label[48];
} scene_mark_t;

typedef struct scene {
    scene_console_t console;
    scene_update_t update;
    scene_frame_t *frames;    /* ring of SCENE_FRAMES */
    uint64_t nframes;         /* appended so far (the ring keeps the last ones) */
    unsigned nlinks;
    scene_link_stats_t stats[SCENE_MAX_LINKS];
    scene_intervals_t link_down[SCENE_MAX_LINKS];
    scene_intervals_t power_off;
    scene_mark_t marks[SCENE_MARKS];
    unsigned mark_head, nmarks;
} scene_t;

scene_t *scene_new(void);
void scene_free(scene_t *sc);

/* Console bytes as the guest prints them at virtual time t. Complete
 * "update: " lines also update the progress and mark state changes. */
void scene_console_feed(scene_t *sc, sim_time_t t, const uint8_t *buf, size_t len);
/* Lines 0 .. n-1 (oldest first), the unfinished one last if any. */
unsigned scene_console_nlines(const scene_t *sc);
const scene_line_t *scene_console_line(const scene_t *sc, unsigned k);
/* The last 'max' bytes of text as one string (lines joined by '\n'). */
size_t scene_console_tail(const scene_t *sc, char *out, size_t max);

/* Parse one console line; true if it was an update state line. */
bool scene_update_parse(scene_update_t *u, const char *line, sim_time_t t);
/* Progress 0..1, or -1 when the total is unknown. */
double scene_update_progress(const scene_update_t *u);

/* Classify an Ethernet frame (without FCS). */
void scene_classify(const uint8_t *f, size_t len, uint8_t *proto, uint8_t *tcp_flags);
void scene_add_frame(scene_t *sc, sim_time_t t, unsigned link, unsigned dir, enum scene_fate fate,
                     const uint8_t *frame, size_t len);
/* The frames kept, oldest first: index k of scene_nkept(). */
uint64_t scene_nkept(const scene_t *sc);
const scene_frame_t *scene_frame_at(const scene_t *sc, uint64_t k);
/* First kept frame at or after t. */
uint64_t scene_frame_find(const scene_t *sc, sim_time_t t);

/* One column of the timeline: what happened on a lane in [t0, t1). */
typedef struct scene_bucket {
    unsigned frames;          /* delivered (corrupted ones included) */
    unsigned corrupted, dropped, down;
    uint32_t bytes;
    uint8_t proto;            /* the most frequent protocol of the delivered frames */
} scene_bucket_t;
/* Fill ncols buckets covering [t0, t1) for a link's direction. */
void scene_buckets(const scene_t *sc, unsigned link, unsigned dir, sim_time_t t0, sim_time_t t1,
                   unsigned ncols, scene_bucket_t *out);
/* The same for links 0 .. nlinks-1 at once, in one pass: lane 2 * link + dir
 * fills out[lane * ncols .. lane * ncols + ncols - 1]. */
void scene_buckets_all(const scene_t *sc, unsigned nlinks, sim_time_t t0, sim_time_t t1,
                       unsigned ncols, scene_bucket_t *out);

/* Intervals (link down, power off): set the state at time t. */
void scene_intervals_set(scene_intervals_t *iv, sim_time_t t, bool on);
unsigned scene_intervals_count(const scene_intervals_t *iv);
const scene_interval_t *scene_interval_at(const scene_intervals_t *iv, unsigned k);

void scene_mark(scene_t *sc, sim_time_t t, enum scene_mark_kind kind, const char *label);
unsigned scene_nmarks(const scene_t *sc);
const scene_mark_t *scene_mark_at(const scene_t *sc, unsigned k);

#endif
