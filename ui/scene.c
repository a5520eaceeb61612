/* What the UI shows, as plain data (see scene.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scene.h"

scene_t *scene_new(void)
{
    scene_t *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    sc->frames = calloc(SCENE_FRAMES, sizeof *sc->frames);
    if (!sc->frames) {
        free(sc);
        return NULL;
    }
    sc->update.retries = sc->update.errors = -1;
    return sc;
}

void scene_free(scene_t *sc)
{
    if (!sc)
        return;
    free(sc->frames);
    free(sc);
}

/* ---------------------------------------------------------------------- */
/* console */

static void console_push(scene_t *sc)
{
    scene_console_t *c = &sc->console;
    c->cur.text[c->cur.len] = 0;
    unsigned slot = (c->head + c->count) % SCENE_CONSOLE_LINES;
    if (c->count == SCENE_CONSOLE_LINES)
        c->head = (c->head + 1) % SCENE_CONSOLE_LINES;
    else
        c->count++;
    c->lines[slot] = c->cur;
    c->total_lines++;
    c->cur_open = false;
    c->cur.len = 0;
    c->cur.text[0] = 0;
    const scene_line_t *l = &c->lines[slot];
    char before[sizeof sc->update.state];
    snprintf(before, sizeof before, "%s", sc->update.seen ? sc->update.state : "");
    if (scene_update_parse(&sc->update, l->text, l->t)) {
        if (strcmp(before, sc->update.state)) {
            char label[48];
            snprintf(label, sizeof label, "%s%s%s", sc->update.state,
                     sc->update.version[0] ? " v" : "", sc->update.version);
            scene_mark(sc, l->t, MARK_UPDATE, label);
        }
        return;
    }
    /* the bootloader's reset cause and other update news, as marks */
    const char *cause = strstr(l->text, "reset cause ");
    if (!strncmp(l->text, "boot: ", 6) && cause) {
        char label[48];
        snprintf(label, sizeof label, "boot (%s)", cause + 12);
        scene_mark(sc, l->t, MARK_RESET, label);
    } else if (!strncmp(l->text, "update: ", 8)) {
        char label[48];
        snprintf(label, sizeof label, "%s", l->text + 8);
        char *paren = strchr(label, '(');
        if (paren && paren > label)
            paren[-1] = 0;
        scene_mark(sc, l->t, MARK_UPDATE, label);
    }
}

void scene_console_feed(scene_t *sc, sim_time_t t, const uint8_t *buf, size_t len)
{
    scene_console_t *c = &sc->console;
    for (size_t k = 0; k < len; k++) {
        uint8_t ch = buf[k];
        c->bytes++;
        if (ch == '\n') {
            if (!c->cur_open)
                c->cur.t = t;
            console_push(sc);
            continue;
        }
        if (ch == '\r' || ch == 0)
            continue;
        if (!c->cur_open) {
            c->cur_open = true;
            c->cur.t = t;
        }
        if (ch == '\b' || ch == 0x7f) {
            if (c->cur.len)
                c->cur.len--;
            continue;
        }
        unsigned n = 1;
        if (ch == '\t') {
            n = 8 - c->cur.len % 8;
            ch = ' ';
        } else if (ch < 0x20) {
            continue;
        }
        while (n--) {
            if (c->cur.len >= SCENE_LINE_MAX - 1) {
                /* a line longer than the buffer continues on the next */
                console_push(sc);
                c->cur_open = true;
                c->cur.t = t;
            }
            c->cur.text[c->cur.len++] = (char)ch;
        }
        c->cur.text[c->cur.len] = 0;
    }
}

unsigned scene_console_nlines(const scene_t *sc)
{
    return sc->console.count + (sc->console.cur_open ? 1u : 0u);
}

const scene_line_t *scene_console_line(const scene_t *sc, unsigned k)
{
    const scene_console_t *c = &sc->console;
    if (k < c->count)
        return &c->lines[(c->head + k) % SCENE_CONSOLE_LINES];
    if (k == c->count && c->cur_open)
        return &c->cur;
    return NULL;
}

size_t scene_console_tail(const scene_t *sc, char *out, size_t max)
{
    if (!max)
        return 0;
    unsigned n = scene_console_nlines(sc);
    unsigned first = n;
    size_t need = 0;
    while (first > 0) {
        const scene_line_t *l = scene_console_line(sc, first - 1);
        if (need + l->len + 1 >= max)
            break;
        need += l->len + 1;
        first--;
    }
    size_t used = 0;
    for (unsigned k = first; k < n; k++) {
        const scene_line_t *l = scene_console_line(sc, k);
        memcpy(out + used, l->text, l->len);
        used += l->len;
        if (k + 1 < n || l != &sc->console.cur)
            out[used++] = '\n';
    }
    out[used] = 0;
    return used;
}

/* ---------------------------------------------------------------------- */
/* update progress */

static bool parse_u64(const char *s, const char **end, uint64_t *out)
{
    char *e;
    if (*s < '0' || *s > '9')
        return false;
    *out = strtoull(s, &e, 10);
    *end = e;
    return true;
}

bool scene_update_parse(scene_update_t *u, const char *line, sim_time_t t)
{
    if (strncmp(line, "update: state=", 14))
        return false;
    char buf[SCENE_LINE_MAX];
    snprintf(buf, sizeof buf, "%s", line + 8);
    bool has_bytes = false, has_slash = false;
    uint64_t bytes = 0, total = 0;
    u->reason[0] = 0;
    u->version[0] = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq)
            continue;
        *eq = 0;
        const char *v = eq + 1, *end;
        if (!strcmp(tok, "state")) {
            snprintf(u->state, sizeof u->state, "%s", v);
        } else if (!strcmp(tok, "version")) {
            snprintf(u->version, sizeof u->version, "%s", v);
        } else if (!strcmp(tok, "reason")) {
            snprintf(u->reason, sizeof u->reason, "%s", v);
        } else if (!strcmp(tok, "retries")) {
            u->retries = strtol(v, NULL, 10);
        } else if (!strcmp(tok, "errors")) {
            u->errors = strtol(v, NULL, 10);
        } else if (!strcmp(tok, "bytes") && parse_u64(v, &end, &bytes)) {
            has_bytes = true;
            has_slash = *end == '/' && parse_u64(end + 1, &end, &total);
        }
    }
    if (!strcmp(u->state, "available")) {
        u->has_bytes = u->has_total = false;
        u->bytes = u->total = 0;
    }
    /* "bytes=0/0" means no transfer: the last one's figures stay; "bytes=N"
     * alone keeps the total printed before */
    if (has_bytes && !(has_slash && total == 0)) {
        u->bytes = bytes;
        u->has_bytes = true;
        if (has_slash) {
            u->total = total;
            u->has_total = true;
        }
    }
    u->seen = true;
    u->t = t;
    snprintf(u->line, sizeof u->line, "%s", line);
    return true;
}

double scene_update_progress(const scene_update_t *u)
{
    if (!u->seen || !u->has_total || !u->total)
        return -1;
    double p = (double)u->bytes / (double)u->total;
    return p > 1 ? 1 : p;
}

/* ---------------------------------------------------------------------- */
/* frames */

void scene_classify(const uint8_t *f, size_t len, uint8_t *proto, uint8_t *tcp_flags)
{
    *proto = PROTO_OTHER;
    *tcp_flags = 0;
    if (len < 14)
        return;
    unsigned type = (unsigned)f[12] << 8 | f[13];
    if (type == 0x0806) {
        *proto = PROTO_ARP;
        return;
    }
    if (type != 0x0800 || len < 34 || (f[14] >> 4) != 4)
        return;
    size_t ihl = (size_t)(f[14] & 15) * 4;
    size_t ip_len = (size_t)f[16] << 8 | f[17];
    const uint8_t *l4 = f + 14 + ihl;
    size_t l4_len = ip_len > ihl ? ip_len - ihl : 0;
    if (ihl < 20 || 14 + ihl + 4 > len)
        return;
    switch (f[23]) {
    case 1:
        *proto = PROTO_ICMP;
        break;
    case 17: {
        unsigned sp = (unsigned)l4[0] << 8 | l4[1], dp = (unsigned)l4[2] << 8 | l4[3];
        *proto = sp == 67 || sp == 68 || dp == 67 || dp == 68 ? PROTO_DHCP
                 : sp == 53 || dp == 53 ? PROTO_DNS : PROTO_UDP;
        break;
    }
    case 6: {
        if (14 + ihl + 20 > len) {
            *proto = PROTO_TCP;
            break;
        }
        size_t doff = (size_t)(l4[12] >> 4) * 4;
        uint8_t fl = l4[13];
        *tcp_flags = fl;
        if (fl & 0x07)        /* FIN, SYN, RST */
            *proto = PROTO_TCP_CTRL;
        else if (l4_len > doff)
            *proto = PROTO_TCP_DATA;
        else
            *proto = PROTO_TCP;
        break;
    }
    default:
        break;
    }
}

void scene_add_frame(scene_t *sc, sim_time_t t, unsigned link, unsigned dir, enum scene_fate fate,
                     const uint8_t *frame, size_t len)
{
    if (link >= SCENE_MAX_LINKS || dir > 1)
        return;
    if (link >= sc->nlinks)
        sc->nlinks = link + 1;
    sc->stats[link].fate[dir][fate]++;
    if (fate == FATE_DELIVERED || fate == FATE_CORRUPTED)
        sc->stats[link].bytes[dir] += len;
    if (fate == FATE_SENT)
        return;   /* drawn when its fate is known */
    scene_frame_t *f = &sc->frames[sc->nframes % SCENE_FRAMES];
    f->t = t;
    f->len = (uint16_t)(len > 0xFFFF ? 0xFFFF : len);
    f->link = (uint8_t)link;
    f->dir = (uint8_t)dir;
    f->fate = (uint8_t)fate;
    scene_classify(frame, len, &f->proto, &f->tcp_flags);
    sc->nframes++;
}

uint64_t scene_nkept(const scene_t *sc)
{
    return sc->nframes < SCENE_FRAMES ? sc->nframes : SCENE_FRAMES;
}

const scene_frame_t *scene_frame_at(const scene_t *sc, uint64_t k)
{
    uint64_t first = sc->nframes - scene_nkept(sc);
    return &sc->frames[(first + k) % SCENE_FRAMES];
}

uint64_t scene_frame_find(const scene_t *sc, sim_time_t t)
{
    uint64_t lo = 0, hi = scene_nkept(sc);
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (scene_frame_at(sc, mid)->t < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void finish_bucket(scene_bucket_t *b, const unsigned counts[PROTO_COUNT])
{
    unsigned best = 0;
    for (unsigned p = 1; p < PROTO_COUNT; p++)
        if (counts[p] > counts[best])
            best = p;
    b->proto = (uint8_t)best;
}

void scene_buckets_all(const scene_t *sc, unsigned nlinks, sim_time_t t0, sim_time_t t1,
                       unsigned ncols, scene_bucket_t *out)
{
    if (nlinks > SCENE_MAX_LINKS)
        nlinks = SCENE_MAX_LINKS;
    memset(out, 0, (size_t)2 * nlinks * ncols * sizeof *out);
    if (!ncols || t1 <= t0)
        return;
    /* per lane: the column being counted and its protocols (frames come in
     * time order, so each lane's columns are visited in order) */
    unsigned counts[2 * SCENE_MAX_LINKS][PROTO_COUNT];
    unsigned col[2 * SCENE_MAX_LINKS];
    memset(counts, 0, sizeof counts);
    memset(col, 0, sizeof col);
    uint64_t n = scene_nkept(sc);
    sim_time_t span = t1 - t0;
    for (uint64_t k = scene_frame_find(sc, t0); k < n; k++) {
        const scene_frame_t *f = scene_frame_at(sc, k);
        if (f->t >= t1)
            break;
        if (f->link >= nlinks)
            continue;
        unsigned lane = 2u * f->link + f->dir;
        unsigned c = (unsigned)((double)(f->t - t0) / (double)span * ncols);
        if (c >= ncols)
            c = ncols - 1;
        scene_bucket_t *row = out + (size_t)lane * ncols;
        if (c != col[lane]) {
            finish_bucket(&row[col[lane]], counts[lane]);
            memset(counts[lane], 0, sizeof counts[lane]);
            col[lane] = c;
        }
        scene_bucket_t *b = &row[c];
        switch (f->fate) {
        case FATE_CORRUPTED:   /* it arrived, with a bad FCS */
        case FATE_DELIVERED:
            b->corrupted += f->fate == FATE_CORRUPTED;
            b->frames++;
            b->bytes += f->len;
            counts[lane][f->proto]++;
            break;
        case FATE_DOWN:
            b->down++;
            break;
        default:
            b->dropped++;
            break;
        }
    }
    for (unsigned lane = 0; lane < 2 * nlinks; lane++)
        finish_bucket(&out[(size_t)lane * ncols + col[lane]], counts[lane]);
}

void scene_buckets(const scene_t *sc, unsigned link, unsigned dir, sim_time_t t0, sim_time_t t1,
                   unsigned ncols, scene_bucket_t *out)
{
    memset(out, 0, ncols * sizeof *out);
    if (link >= SCENE_MAX_LINKS || dir > 1 || !ncols)
        return;
    scene_bucket_t *all = calloc((size_t)2 * (link + 1) * ncols, sizeof *all);
    if (!all)
        return;
    scene_buckets_all(sc, link + 1, t0, t1, ncols, all);
    memcpy(out, all + (size_t)(2 * link + dir) * ncols, ncols * sizeof *out);
    free(all);
}

/* ---------------------------------------------------------------------- */
/* intervals and marks */

void scene_intervals_set(scene_intervals_t *iv, sim_time_t t, bool on)
{
    if (on == iv->open)
        return;
    if (on) {
        unsigned slot = (iv->head + iv->count) % SCENE_INTERVALS;
        if (iv->count == SCENE_INTERVALS)
            iv->head = (iv->head + 1) % SCENE_INTERVALS;
        else
            iv->count++;
        iv->v[slot].from = t;
        iv->v[slot].to = SIM_TIME_NEVER;
    } else {
        iv->v[(iv->head + iv->count - 1) % SCENE_INTERVALS].to = t;
    }
    iv->open = on;
}

unsigned scene_intervals_count(const scene_intervals_t *iv) { return iv->count; }

const scene_interval_t *scene_interval_at(const scene_intervals_t *iv, unsigned k)
{
    return k < iv->count ? &iv->v[(iv->head + k) % SCENE_INTERVALS] : NULL;
}

void scene_mark(scene_t *sc, sim_time_t t, enum scene_mark_kind kind, const char *label)
{
    unsigned slot = (sc->mark_head + sc->nmarks) % SCENE_MARKS;
    if (sc->nmarks == SCENE_MARKS)
        sc->mark_head = (sc->mark_head + 1) % SCENE_MARKS;
    else
        sc->nmarks++;
    scene_mark_t *m = &sc->marks[slot];
    m->t = t;
    m->kind = (uint8_t)kind;
    snprintf(m->label, sizeof m->label, "%s", label);
    /* marks come nearly in time order (an input's record may trail the console
     * line that follows it): keep them sorted */
    for (unsigned k = sc->nmarks - 1; k > 0; k--) {
        scene_mark_t *a = &sc->marks[(sc->mark_head + k - 1) % SCENE_MARKS];
        scene_mark_t *b = &sc->marks[(sc->mark_head + k) % SCENE_MARKS];
        if (a->t <= b->t)
            break;
        scene_mark_t tmp = *a;
        *a = *b;
        *b = tmp;
    }
}

unsigned scene_nmarks(const scene_t *sc) { return sc->nmarks; }

const scene_mark_t *scene_mark_at(const scene_t *sc, unsigned k)
{
    return k < sc->nmarks ? &sc->marks[(sc->mark_head + k) % SCENE_MARKS] : NULL;
}
