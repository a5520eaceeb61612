/*
 * GDB remote serial protocol stub (see gdbstub.h). Packet formats follow the
 * "Remote Protocol" appendix of the GDB manual. Everything here is front-end
 * code: it reads sockets, but the simulation only sees the register and
 * memory changes the client asks for, and runs only when told to.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "gdbstub.h"
#include "hostsock.h"
#include "log.h"

#define REG_XPSR 16
#define REG_MSP 17
#define REG_PSP 18
#define REG_PRIMASK 19
#define REG_BASEPRI 20
#define REG_FAULTMASK 21
#define REG_CONTROL 22
#define REG_D0 23
#define REG_FPSCR 39
#define NUM_REGS 40

/* Virtual time per run chunk between checks for a Ctrl-C from the client. */
#define GDB_RUN_QUANTUM_NS 2000000ull

static const char hexdig[] = "0123456789abcdef";

/* Parse hex up to a delimiter; returns the end or NULL for no digits/overflow. */
static const char *parse_hex(const char *p, const char *end, uint64_t *out)
{
    uint64_t v = 0;
    const char *s = p;
    while (p < end && hex_digit(*p) >= 0) {
        if (v >> 60)
            return NULL;
        v = v << 4 | (uint64_t)hex_digit(*p);
        p++;
    }
    if (p == s)
        return NULL;
    *out = v;
    return p;
}

static void put_hex_le(char **o, uint64_t v, unsigned bytes)
{
    for (unsigned k = 0; k < bytes; k++) {
        uint8_t b = (uint8_t)(v >> (8 * k));
        *(*o)++ = hexdig[b >> 4];
        *(*o)++ = hexdig[b & 15];
    }
    **o = 0;
}

static bool get_hex_le(const char *p, const char *end, unsigned bytes, uint64_t *out)
{
    if ((size_t)(end - p) < 2u * bytes)
        return false;
    uint64_t v = 0;
    for (unsigned k = 0; k < bytes; k++) {
        int hi = hex_digit(p[2 * k]), lo = hex_digit(p[2 * k + 1]);
        if (hi < 0 || lo < 0)
            return false;
        v |= (uint64_t)(hi << 4 | lo) << (8 * k);
    }
    *out = v;
    return true;
}

/* ---------------------------------------------------------------------- */
/* registers */

static unsigned reg_size(unsigned n)
{
    return n >= REG_D0 && n < REG_D0 + 16 ? 8 : 4;
}

static uint64_t reg_read(cpu_t *cpu, unsigned n)
{
    if (n < 16)
        return cpu->r[n];
    switch (n) {
    case REG_XPSR: return cpu_get_xpsr(cpu);
    case REG_MSP: return cpu_get_msp(cpu);
    case REG_PSP: return cpu_get_psp(cpu);
    case REG_PRIMASK: return cpu->primask;
    case REG_BASEPRI: return cpu->basepri;
    case REG_FAULTMASK: return cpu->faultmask;
    case REG_CONTROL: return cpu->control;
    case REG_FPSCR: return cpu->fpscr;
    default:
        if (n >= REG_D0 && n < REG_D0 + 16) {
            unsigned d = n - REG_D0;
            return (uint64_t)cpu->s[2 * d + 1] << 32 | cpu->s[2 * d];
        }
        return 0;
    }
}

static void reg_write(cpu_t *cpu, unsigned n, uint64_t v)
{
    uint32_t w = (uint32_t)v;
    if (n < 16) {
        if (n == 15) {
            cpu->r[15] = w & ~1u;
            cpu->itstate = 0;
        } else {
            cpu->r[n] = w;
        }
        return;
    }
    switch (n) {
    case REG_XPSR: cpu_set_xpsr(cpu, w); break;
    case REG_MSP: cpu_set_msp(cpu, w & ~3u); break;
    case REG_PSP: cpu_set_psp(cpu, w & ~3u); break;
    case REG_PRIMASK: cpu->primask = w & 1; break;
    case REG_BASEPRI: cpu->basepri = (uint8_t)w; break;
    case REG_FAULTMASK: cpu->faultmask = w & 1; break;
    case REG_CONTROL: cpu_set_mode(cpu, cpu->ipsr, (uint8_t)(w & 7)); break;
    case REG_FPSCR: cpu->fpscr = w & 0xF7C0009Fu; break;
    default:
        if (n >= REG_D0 && n < REG_D0 + 16) {
            unsigned d = n - REG_D0;
            cpu->s[2 * d] = (uint32_t)v;
            cpu->s[2 * d + 1] = (uint32_t)(v >> 32);
        }
        return;
    }
    cpu->exc_check = true;
}

static const char *target_xml(void)
{
    static char xml[4096];
    if (xml[0])
        return xml;
    char *o = xml;
    size_t left = sizeof xml;
#define ADD(...)                                             \
    do {                                                     \
        int n_ = snprintf(o, left, __VA_ARGS__);             \
        o += n_;                                             \
        left -= (size_t)n_;                                  \
    } while (0)
    ADD("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
        "<target version=\"1.0\">\n<architecture>arm</architecture>\n"
        "<feature name=\"org.gnu.gdb.arm.m-profile\">\n");
    for (int r = 0; r < 13; r++)
        ADD("<reg name=\"r%d\" bitsize=\"32\" regnum=\"%d\"/>\n", r, r);
    ADD("<reg name=\"sp\" bitsize=\"32\" type=\"data_ptr\" regnum=\"13\"/>\n"
        "<reg name=\"lr\" bitsize=\"32\" regnum=\"14\"/>\n"
        "<reg name=\"pc\" bitsize=\"32\" type=\"code_ptr\" regnum=\"15\"/>\n"
        "<reg name=\"xpsr\" bitsize=\"32\" regnum=\"16\"/>\n</feature>\n"
        "<feature name=\"org.gnu.gdb.arm.m-system\">\n"
        "<reg name=\"msp\" bitsize=\"32\" type=\"data_ptr\" regnum=\"17\"/>\n"
        "<reg name=\"psp\" bitsize=\"32\" type=\"data_ptr\" regnum=\"18\"/>\n</feature>\n"
        "<feature name=\"org.glitchbox.arm.m-special\">\n"
        "<reg name=\"primask\" bitsize=\"32\" regnum=\"19\" group=\"system\"/>\n"
        "<reg name=\"basepri\" bitsize=\"32\" regnum=\"20\" group=\"system\"/>\n"
        "<reg name=\"faultmask\" bitsize=\"32\" regnum=\"21\" group=\"system\"/>\n"
        "<reg name=\"control\" bitsize=\"32\" regnum=\"22\" group=\"system\"/>\n</feature>\n"
        "<feature name=\"org.gnu.gdb.arm.vfp\">\n");
    for (int d = 0; d < 16; d++)
        ADD("<reg name=\"d%d\" bitsize=\"64\" type=\"ieee_double\" regnum=\"%d\"/>\n", d,
            REG_D0 + d);
    ADD("<reg name=\"fpscr\" bitsize=\"32\" type=\"int\" group=\"float\" regnum=\"%d\"/>\n"
        "</feature>\n</target>\n", REG_FPSCR);
#undef ADD
    return xml;
}

/* Memory map for GDB: RAM and devices as "ram" (so x/ works on registers),
 * a flash array as "flash" with its real sectors (so `load` erases whole
 * sectors through vFlashErase, as a probe does), ROM without a write path
 * as "rom". */
static size_t memory_map(machine_t *m, char *out, size_t outlen)
{
    size_t n = (size_t)snprintf(out, outlen, "<?xml version=\"1.0\"?>\n<!DOCTYPE memory-map "
                                "PUBLIC \"+//IDN gnu.org//DTD GDB Memory Map V1.0//EN\" "
                                "\"http://sourceware.org/gdb/gdb-memory-map.dtd\">\n<memory-map>\n");
    bus_region_t *sorted[BUS_MAX_REGIONS];
    unsigned cnt = m->bus.nregions;
    for (unsigned k = 0; k < cnt; k++)
        sorted[k] = &m->bus.regions[k];
    for (unsigned a = 1; a < cnt; a++)
        for (unsigned b = a; b > 0 && sorted[b - 1]->base > sorted[b]->base; b--) {
            bus_region_t *t = sorted[b];
            sorted[b] = sorted[b - 1];
            sorted[b - 1] = t;
        }
    for (unsigned k = 0; k < cnt && n < outlen; k++) {
        const bus_region_t *r = sorted[k];
        const bus_flash_geom_t *g = r->kind == BUS_ROM ? r->erase_geom : NULL;
        uint64_t at = r->base, end = (uint64_t)r->base + r->size;
        for (unsigned j = 0; g && j < g->nruns && at < end && n < outlen; j++) {
            uint64_t len = (uint64_t)g->run[j].size * g->run[j].count;
            if (len > end - at)
                len = end - at;
            n += (size_t)snprintf(out + n, outlen - n,
                                  "<memory type=\"flash\" start=\"0x%llx\" length=\"0x%llx\">"
                                  "<property name=\"blocksize\">0x%x</property></memory>\n",
                                  (unsigned long long)at, (unsigned long long)len,
                                  g->run[j].size);
            at += len;
        }
        if (at >= end || n >= outlen)
            continue;
        /* ROM that nothing can write on the chip (system memory, option
         * bytes) is read-only to the debugger too */
        n += (size_t)snprintf(out + n, outlen - n,
                              "<memory type=\"%s\" start=\"0x%llx\" length=\"0x%llx\"/>\n",
                              r->kind == BUS_ROM && !r->ops ? "rom" : "ram",
                              (unsigned long long)at, (unsigned long long)(end - at));
    }
    if (n < outlen)
        n += (size_t)snprintf(out + n, outlen - n, "</memory-map>\n");
    return n < outlen ? n : outlen - 1;
}

/* qXfer reply: 'm' + chunk or 'l' + last chunk. */
static void xfer_reply(const char *doc, size_t doclen, uint64_t off, uint64_t len, char *reply,
                       size_t replylen)
{
    if (off >= doclen) {
        snprintf(reply, replylen, "l");
        return;
    }
    size_t n = doclen - off;
    if (n > len)
        n = len;
    if (n > replylen - 2)
        n = replylen - 2;
    reply[0] = off + n >= doclen ? 'l' : 'm';
    memcpy(reply + 1, doc + off, n);
    reply[1 + n] = 0;
}

/* ---------------------------------------------------------------------- */
/* transport */

static void send_raw(gdb_stub_t *g, const char *buf, size_t len)
{
    while (len && g->fd_out >= 0) {
        ssize_t w = write(g->fd_out, buf, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            log_msg(LOG_INFO, "gdb", "client connection lost while sending");
            if (!g->stdio)
                close(g->fd_in);
            g->fd_in = g->fd_out = -1;
            return;
        }
        buf += w;
        len -= (size_t)w;
    }
}

/* Reply bodies can hold '#', '$', '}' (memory-map XML does not, binary is
 * never sent): escape them anyway so any body frames correctly. */
static void send_packet(gdb_stub_t *g, const char *body)
{
    size_t len = strlen(body);
    char *buf = malloc(2 * len + 8);
    if (!buf)
        return;
    size_t o = 0;
    uint8_t sum = 0;
    buf[o++] = '$';
    for (size_t k = 0; k < len; k++) {
        char c = body[k];
        if (c == '#' || c == '$' || c == '}' || c == '*') {
            buf[o++] = '}';
            sum = (uint8_t)(sum + '}');
            c ^= 0x20;
        }
        buf[o++] = c;
        sum = (uint8_t)(sum + (uint8_t)c);
    }
    o += (size_t)snprintf(buf + o, 4, "#%02x", sum);
    send_raw(g, buf, o);
    free(buf);
}

static void send_console(gdb_stub_t *g, const char *text)
{
    size_t len = strlen(text);
    char *body = malloc(2 * len + 2);
    if (!body)
        return;
    body[0] = 'O';
    for (size_t k = 0; k < len; k++) {
        body[1 + 2 * k] = hexdig[(uint8_t)text[k] >> 4];
        body[2 + 2 * k] = hexdig[(uint8_t)text[k] & 15];
    }
    body[1 + 2 * len] = 0;
    send_packet(g, body);
    free(body);
}

/* Read more bytes from the client; returns false when the connection ended. */
static bool fill(gdb_stub_t *g, int timeout_ms)
{
    if (g->fd_in < 0)
        return false;
    struct pollfd p = { .fd = g->fd_in, .events = POLLIN };
    int r = poll(&p, 1, timeout_ms);
    if (r == 0)
        return true;
    if (r < 0)
        return errno == EINTR;
    if (g->rx_len == sizeof g->rx) {
        /* A packet longer than we announced: drop what we have. */
        g->rx_len = 0;
    }
    ssize_t n = read(g->fd_in, g->rx + g->rx_len, sizeof g->rx - g->rx_len);
    if (n <= 0) {
        log_msg(LOG_INFO, "gdb", "client disconnected");
        if (!g->stdio)
            close(g->fd_in);
        g->fd_in = g->fd_out = -1;
        return false;
    }
    g->rx_len += (size_t)n;
    return true;
}

static void consume(gdb_stub_t *g, size_t n)
{
    memmove(g->rx, g->rx + n, g->rx_len - n);
    g->rx_len -= n;
}

enum { PKT_NONE, PKT_OK, PKT_INTERRUPT };

/* Extract one packet (unescaped) or an interrupt byte from the buffer. */
static int next_packet(gdb_stub_t *g, char *out, size_t outlen, size_t *len)
{
    for (;;) {
        if (!g->rx_len)
            return PKT_NONE;
        uint8_t c = g->rx[0];
        if (c == 0x03) {
            consume(g, 1);
            return PKT_INTERRUPT;
        }
        if (c != '$') {
            consume(g, 1); /* '+' / '-' acks and noise */
            continue;
        }
        uint8_t *hash = memchr(g->rx, '#', g->rx_len);
        if (!hash) {
            if (g->rx_len == sizeof g->rx) {
                log_msg(LOG_WARN, "gdb", "packet longer than %d bytes dropped", GDB_PACKET_MAX);
                g->rx_len = 0;
                g->bad_packets++;
                if (!g->noack)
                    send_raw(g, "-", 1);
            }
            return PKT_NONE;
        }
        size_t hpos = (size_t)(hash - g->rx);
        if (g->rx_len < hpos + 3)
            return PKT_NONE;
        uint8_t sum = 0;
        for (size_t k = 1; k < hpos; k++)
            sum = (uint8_t)(sum + g->rx[k]);
        int hi = hex_digit(g->rx[hpos + 1]), lo = hex_digit(g->rx[hpos + 2]);
        bool ok = hi >= 0 && lo >= 0 && (uint8_t)(hi << 4 | lo) == sum;
        size_t body = hpos - 1;
        if (!ok && !g->noack) {
            log_msg(LOG_WARN, "gdb", "packet with a bad checksum dropped");
            g->bad_packets++;
            consume(g, hpos + 3);
            send_raw(g, "-", 1);
            continue;
        }
        if (body >= outlen) {
            log_msg(LOG_WARN, "gdb", "packet of %zu bytes exceeds the %d-byte limit", body,
                    GDB_PACKET_MAX);
            g->bad_packets++;
            consume(g, hpos + 3);
            if (!g->noack)
                send_raw(g, "-", 1);
            continue;
        }
        size_t o = 0;
        for (size_t k = 1; k < hpos; k++) {
            uint8_t b = g->rx[k];
            if (b == '}' && k + 1 < hpos)
                b = g->rx[++k] ^ 0x20;
            out[o++] = (char)b;
        }
        out[o] = 0;
        *len = o;
        consume(g, hpos + 3);
        if (!g->noack)
            send_raw(g, "+", 1);
        g->packets++;
        return PKT_OK;
    }
}

/* ---------------------------------------------------------------------- */
/* run control */

/* Fault exceptions stop the target before their handler runs. */
static void set_vector_catch(gdb_stub_t *g, bool on)
{
    cpu_t *cpu = g->m->cpu;
    uint32_t faults = (1u << EXC_HARDFAULT) | (1u << EXC_MEMMANAGE) | (1u << EXC_BUSFAULT) |
                      (1u << EXC_USAGEFAULT);
    cpu->catch_exc_mask = on && g->catch_faults ? faults : 0;
}

static void stop_reply(gdb_stub_t *g, enum cpu_stop stop, bool interrupted)
{
    cpu_t *cpu = g->m->cpu;
    char *s = g->last_stop;
    size_t n = sizeof g->last_stop;
    if (stop == CPU_STOP_EXIT) {
        snprintf(s, n, "W%02x", g->m->exit_code & 0xFF);
    } else if (interrupted) {
        snprintf(s, n, "T02thread:1;");
    } else if (stop == CPU_STOP_WATCH) {
        const char *kind = cpu->watch_kind == CPU_WATCH_WRITE ? "watch" : "rwatch";
        for (unsigned k = 0; k < cpu->nwatch; k++)
            if (cpu->watch[k].kind == CPU_WATCH_ACCESS && cpu->watch_addr >= cpu->watch[k].addr &&
                cpu->watch_addr < cpu->watch[k].addr + cpu->watch[k].len)
                kind = "awatch";
        snprintf(s, n, "T05%s:%08x;thread:1;", kind, cpu->watch_addr);
        cpu->watch_hit = false;
    } else if (stop == CPU_STOP_LOCKUP) {
        snprintf(s, n, "T0bthread:1;");
    } else if (cpu->caught_exc) {
        snprintf(s, n, "T0bthread:1;"); /* a fault is being taken */
        cpu->caught_exc = 0;
    } else {
        snprintf(s, n, "T05thread:1;");
    }
}

/* Run until a stop; returns the reason. Polls the client for Ctrl-C. */
static enum cpu_stop resume(gdb_stub_t *g, bool step, bool *interrupted)
{
    machine_t *m = g->m;
    cpu_t *cpu = m->cpu;
    *interrupted = false;
    cpu->break_skip = true;
    if (step) {
        cpu->step_one = true;
        enum cpu_stop st = machine_run(m, g->until);
        cpu->step_one = false;
        return st;
    }
    set_vector_catch(g, true);
    enum cpu_stop st;
    for (;;) {
        sim_time_t now = machine_now(m);
        sim_time_t until = now + GDB_RUN_QUANTUM_NS < g->until ? now + GDB_RUN_QUANTUM_NS : g->until;
        st = machine_run(m, until);
        if (st != CPU_STOP_LIMIT || machine_now(m) >= g->until)
            break;
        if (cpu->sleeping && sched_next_deadline(&m->sched) == SIM_TIME_NEVER) {
            st = CPU_STOP_SLEEP;
            break;
        }
        if (!fill(g, 0)) {
            st = CPU_STOP_REQUEST;
            break;
        }
        if (g->rx_len && memchr(g->rx, 0x03, g->rx_len)) {
            *interrupted = true;
            uint8_t *p = memchr(g->rx, 0x03, g->rx_len);
            consume(g, (size_t)(p - g->rx) + 1);
            st = CPU_STOP_REQUEST;
            break;
        }
    }
    set_vector_catch(g, false);
    return st;
}

/* ---------------------------------------------------------------------- */
/* packets */

static int add_watch(cpu_t *cpu, int type, uint32_t addr, uint32_t len)
{
    if (cpu->nwatch >= CPU_MAX_WATCHPOINTS || !len)
        return -1;
    cpu_watch_t *w = &cpu->watch[cpu->nwatch++];
    w->addr = addr;
    w->len = len;
    w->kind = type == 2 ? CPU_WATCH_WRITE : type == 3 ? CPU_WATCH_READ : CPU_WATCH_ACCESS;
    return 0;
}

static int del_watch(cpu_t *cpu, int type, uint32_t addr, uint32_t len)
{
    uint8_t kind = type == 2 ? CPU_WATCH_WRITE : type == 3 ? CPU_WATCH_READ : CPU_WATCH_ACCESS;
    for (unsigned k = 0; k < cpu->nwatch; k++)
        if (cpu->watch[k].addr == addr && cpu->watch[k].len == len && cpu->watch[k].kind == kind) {
            cpu->watch[k] = cpu->watch[--cpu->nwatch];
            return 0;
        }
    return -1;
}

static int monitor(gdb_stub_t *g, const char *cmd, char *out, size_t outlen)
{
    machine_t *m = g->m;
    while (*cmd == ' ')
        cmd++;
    if (!strcmp(cmd, "help")) {
        int n = snprintf(out, outlen,
                 "reset [halt]     system reset; the target stays halted at its reset vector\n"
                 "halt             where the (halted) target is\n"
                 "time             virtual time and cycle count\n"
                 "catch on|off     stop when a fault exception is taken (default on)\n"
                 "regs             fault status registers\n");
        /* fault injection and the like come from the front end */
        if (g->monitor && n > 0 && (size_t)n < outlen)
            g->monitor(g->monitor_opaque, "help", out + n, outlen - (size_t)n);
        return 0;
    }
    if (!strcmp(cmd, "reset") || !strcmp(cmd, "reset halt") || !strcmp(cmd, "reset init")) {
        machine_reset(m, RESET_SYSTEM, RESET_CAUSE_DEBUGGER);
        snprintf(out, outlen, "reset: pc 0x%08x sp 0x%08x\n", m->cpu->r[15], m->cpu->r[13]);
        return 0;
    }
    if (!strcmp(cmd, "halt")) {
        /* Monitor commands arrive while the target is halted (all-stop mode). */
        snprintf(out, outlen, "target halted at pc 0x%08x, %.9f s of virtual time\n",
                 m->cpu->r[15], (double)machine_now(m) / 1e9);
        return 0;
    }
    if (!strcmp(cmd, "time")) {
        snprintf(out, outlen, "virtual time %llu ns, %llu cycles, %llu instructions\n",
                 (unsigned long long)machine_now(m), (unsigned long long)m->cpu->cycles,
                 (unsigned long long)m->cpu->insns);
        return 0;
    }
    if (!strcmp(cmd, "catch on") || !strcmp(cmd, "catch off")) {
        g->catch_faults = !strcmp(cmd, "catch on");
        snprintf(out, outlen, "fault catch %s\n", g->catch_faults ? "on" : "off");
        return 0;
    }
    if (!strcmp(cmd, "regs")) {
        snprintf(out, outlen, "CFSR 0x%08x HFSR 0x%08x MMFAR 0x%08x BFAR 0x%08x IPSR %u\n",
                 m->cpu->sys.cfsr, m->cpu->sys.hfsr, m->cpu->sys.mmfar, m->cpu->sys.bfar,
                 m->cpu->ipsr);
        return 0;
    }
    if (g->monitor && !g->monitor(g->monitor_opaque, cmd, out, outlen))
        return 0;
    snprintf(out, outlen, "unknown monitor command '%s' (try 'monitor help')\n", cmd);
    return -1;
}

bool gdb_stub_handle(gdb_stub_t *g, const char *pkt, size_t len, char *reply, size_t replylen)
{
    cpu_t *cpu = g->m->cpu;
    const char *end = pkt + len;
    reply[0] = 0;
    if (!len)
        return true;
    uint64_t a, b;
    const char *p;
    switch (pkt[0]) {
    case '?':
        snprintf(reply, replylen, "%s", g->last_stop[0] ? g->last_stop : "S05");
        return true;
    case 'g': {
        char *o = reply;
        for (unsigned n = 0; n < NUM_REGS; n++)
            put_hex_le(&o, reg_read(cpu, n), reg_size(n));
        return true;
    }
    case 'G': {
        p = pkt + 1;
        for (unsigned n = 0; n < NUM_REGS && p < end; n++) {
            uint64_t v;
            if (!get_hex_le(p, end, reg_size(n), &v)) {
                snprintf(reply, replylen, "E01");
                return true;
            }
            reg_write(cpu, n, v);
            p += 2 * reg_size(n);
        }
        snprintf(reply, replylen, "OK");
        return true;
    }
    case 'p':
        if (!parse_hex(pkt + 1, end, &a) || a >= NUM_REGS) {
            snprintf(reply, replylen, "E01");
            return true;
        } else {
            char *o = reply;
            put_hex_le(&o, reg_read(cpu, (unsigned)a), reg_size((unsigned)a));
        }
        return true;
    case 'P': {
        uint64_t v;
        p = parse_hex(pkt + 1, end, &a);
        if (!p || *p != '=' || a >= NUM_REGS || !get_hex_le(p + 1, end, reg_size((unsigned)a), &v)) {
            snprintf(reply, replylen, "E01");
            return true;
        }
        reg_write(cpu, (unsigned)a, v);
        snprintf(reply, replylen, "OK");
        return true;
    }
    case 'm': {
        p = parse_hex(pkt + 1, end, &a);
        if (!p || *p != ',' || !parse_hex(p + 1, end, &b) || a > 0xFFFFFFFFu) {
            snprintf(reply, replylen, "E01");
            return true;
        }
        if (b > (replylen - 1) / 2)
            b = (replylen - 1) / 2;
        uint8_t *buf = malloc(b ? b : 1);
        if (!buf) {
            snprintf(reply, replylen, "E0c");
            return true;
        }
        size_t got = bus_debug_read(&g->m->bus, (uint32_t)a, buf, b);
        if (!got && b) {
            snprintf(reply, replylen, "E14");
        } else {
            for (size_t k = 0; k < got; k++) {
                reply[2 * k] = hexdig[buf[k] >> 4];
                reply[2 * k + 1] = hexdig[buf[k] & 15];
            }
            reply[2 * got] = 0;
        }
        free(buf);
        return true;
    }
    case 'M':
    case 'X': {
        p = parse_hex(pkt + 1, end, &a);
        const char *q = p && *p == ',' ? parse_hex(p + 1, end, &b) : NULL;
        if (!q || *q != ':' || a > 0xFFFFFFFFu) {
            snprintf(reply, replylen, "E01");
            return true;
        }
        q++;
        uint8_t *buf = malloc(b ? b : 1);
        if (!buf) {
            snprintf(reply, replylen, "E0c");
            return true;
        }
        bool ok = true;
        if (pkt[0] == 'M') {
            for (uint64_t k = 0; k < b && ok; k++) {
                uint64_t v = 0;
                ok = get_hex_le(q + 2 * k, end, 1, &v);
                buf[k] = (uint8_t)v;
            }
        } else {
            ok = (uint64_t)(end - q) == b;
            if (ok)
                memcpy(buf, q, b);
        }
        if (ok && b && bus_debug_write(&g->m->bus, (uint32_t)a, buf, b) != b)
            ok = false;
        free(buf);
        snprintf(reply, replylen, ok ? "OK" : "E14");
        return true;
    }
    case 'Z':
    case 'z': {
        int type = len > 1 ? pkt[1] - '0' : -1;
        p = len > 3 && pkt[2] == ',' ? parse_hex(pkt + 3, end, &a) : NULL;
        if (!p || *p != ',' || !parse_hex(p + 1, end, &b) || type < 0 || type > 4) {
            snprintf(reply, replylen, "E01");
            return true;
        }
        bool add = pkt[0] == 'Z';
        int rc = 0;
        if (type <= 1) {
            uint32_t addr = (uint32_t)a & ~1u;
            if (add) {
                if (cpu->nbreak >= CPU_MAX_BREAKPOINTS)
                    rc = -1;
                else
                    cpu->breakpoints[cpu->nbreak++] = addr;
            } else {
                rc = -1;
                for (unsigned k = 0; k < cpu->nbreak; k++)
                    if (cpu->breakpoints[k] == addr) {
                        cpu->breakpoints[k] = cpu->breakpoints[--cpu->nbreak];
                        rc = 0;
                        break;
                    }
            }
        } else {
            rc = add ? add_watch(cpu, type, (uint32_t)a, (uint32_t)b)
                     : del_watch(cpu, type, (uint32_t)a, (uint32_t)b);
        }
        snprintf(reply, replylen, rc ? "E0e" : "OK");
        return true;
    }
    case 'H':
    case 'T':
        snprintf(reply, replylen, "OK");
        return true;
    case 'D':
        g->detached = true;
        snprintf(reply, replylen, "OK");
        return true;
    case 'k':
        g->killed = true;
        return false;
    case 'c':
    case 's':
    case 'C':
    case 'S':
        if (pkt[0] == 'c' || pkt[0] == 's') {
            if (len > 1) {
                if (!parse_hex(pkt + 1, end, &a)) {
                    snprintf(reply, replylen, "E01");
                    return true;
                }
                reg_write(cpu, 15, a);
            }
        }
        return false;
    default:
        break;
    }
    if (!strncmp(pkt, "qSupported", 10)) {
        snprintf(reply, replylen, "PacketSize=%x;qXfer:features:read+;qXfer:memory-map:read+;"
                 "QStartNoAckMode+;vContSupported+", GDB_PACKET_MAX);
    } else if (!strcmp(pkt, "QStartNoAckMode")) {
        snprintf(reply, replylen, "OK");
        g->noack = true; /* after this reply is acknowledged */
    } else if (!strncmp(pkt, "qXfer:features:read:target.xml:", 31)) {
        p = parse_hex(pkt + 31, end, &a);
        if (!p || *p != ',' || !parse_hex(p + 1, end, &b)) {
            snprintf(reply, replylen, "E01");
        } else {
            const char *x = target_xml();
            xfer_reply(x, strlen(x), a, b, reply, replylen);
        }
    } else if (!strncmp(pkt, "qXfer:memory-map:read::", 23)) {
        p = parse_hex(pkt + 23, end, &a);
        if (!p || *p != ',' || !parse_hex(p + 1, end, &b)) {
            snprintf(reply, replylen, "E01");
        } else {
            char map[16384];
            size_t n = memory_map(g->m, map, sizeof map);
            xfer_reply(map, n, a, b, reply, replylen);
        }
    } else if (!strncmp(pkt, "qXfer:", 6)) {
        snprintf(reply, replylen, "E00");
    } else if (!strcmp(pkt, "qAttached")) {
        snprintf(reply, replylen, "1");
    } else if (!strcmp(pkt, "qC")) {
        snprintf(reply, replylen, "QC1");
    } else if (!strcmp(pkt, "qfThreadInfo")) {
        snprintf(reply, replylen, "m1");
    } else if (!strcmp(pkt, "qsThreadInfo")) {
        snprintf(reply, replylen, "l");
    } else if (!strncmp(pkt, "qThreadExtraInfo", 16)) {
        const char *txt = cpu->ipsr ? "handler mode" : "thread mode";
        char *o = reply;
        for (const char *t = txt; *t; t++) {
            *o++ = hexdig[(uint8_t)*t >> 4];
            *o++ = hexdig[(uint8_t)*t & 15];
        }
        *o = 0;
    } else if (!strncmp(pkt, "qRcmd,", 6)) {
        char cmd[512];
        size_t n = 0;
        for (p = pkt + 6; p + 1 < end && n < sizeof cmd - 1; p += 2) {
            int hi = hex_digit(p[0]), lo = hex_digit(p[1]);
            if (hi < 0 || lo < 0)
                break;
            cmd[n++] = (char)(hi << 4 | lo);
        }
        cmd[n] = 0;
        char out[2048];
        out[0] = 0;
        int rc = monitor(g, cmd, out, sizeof out);
        if (out[0])
            send_console(g, out);
        snprintf(reply, replylen, rc ? "E01" : "OK");
    } else if (!strncmp(pkt, "vCont?", 6)) {
        snprintf(reply, replylen, "vCont;c;C;s;S");
    } else if (!strncmp(pkt, "vCont;", 6)) {
        /* One thread: the first action decides (s beats c when both appear). */
        return false;
    } else if (!strncmp(pkt, "vFlashErase:", 12)) {
        p = parse_hex(pkt + 12, end, &a);
        if (!p || *p != ',' || !parse_hex(p + 1, end, &b) || a + b > 0x100000000ull) {
            snprintf(reply, replylen, "E01");
        } else {
            static const uint8_t ff[1024] = { [0 ... 1023] = 0xFF };
            uint64_t done = 0;
            bool ok = true;
            while (done < b && ok) {
                size_t n = b - done < sizeof ff ? (size_t)(b - done) : sizeof ff;
                ok = bus_debug_write(&g->m->bus, (uint32_t)(a + done), ff, n) == n;
                done += n;
            }
            snprintf(reply, replylen, ok ? "OK" : "E14");
        }
    } else if (!strncmp(pkt, "vFlashWrite:", 12)) {
        p = parse_hex(pkt + 12, end, &a);
        if (!p || *p != ':') {
            snprintf(reply, replylen, "E01");
        } else {
            size_t n = (size_t)(end - (p + 1));
            bool ok = bus_debug_write(&g->m->bus, (uint32_t)a, p + 1, n) == n;
            snprintf(reply, replylen, ok ? "OK" : "E14");
        }
    } else if (!strcmp(pkt, "vFlashDone")) {
        snprintf(reply, replylen, "OK");
    } else if (!strncmp(pkt, "vKill", 5)) {
        g->killed = true;
        snprintf(reply, replylen, "OK");
    } else if (!strcmp(pkt, "vMustReplyEmpty")) {
        reply[0] = 0;
    } else {
        /* unknown: empty reply, as the protocol asks */
        reply[0] = 0;
    }
    return true;
}

/* Is this packet a resume (c/s/C/S/vCont)? Which kind? */
static bool resume_kind(const char *pkt, bool *step)
{
    if (pkt[0] == 'c' || pkt[0] == 'C') {
        *step = false;
        return true;
    }
    if (pkt[0] == 's' || pkt[0] == 'S') {
        *step = true;
        return true;
    }
    if (!strncmp(pkt, "vCont;", 6)) {
        *step = strstr(pkt, ";s") || strstr(pkt, ";S");
        return true;
    }
    return false;
}

/* ---------------------------------------------------------------------- */

int gdb_stub_open(gdb_stub_t *g, machine_t *m, const char *spec, char *err, size_t errlen)
{
    memset(g, 0, sizeof *g);
    g->m = m;
    g->listen_fd = g->fd_in = g->fd_out = -1;
    g->catch_faults = true;
    g->until = SIM_TIME_NEVER;
    if (!strcmp(spec, "stdio")) {
        g->stdio = true;
        g->fd_in = 0;
        g->fd_out = 1;
        return 0;
    }
    char msg[400];
    int fd = hostsock_listen("--gdb", spec, msg, sizeof msg);
    if (fd < 0) {
        if (strstr(msg, "expected PORT"))
            snprintf(err, errlen, "--gdb %s: expected PORT, HOST:PORT or stdio", spec);
        else
            snprintf(err, errlen, "%s", msg);
        return -1;
    }
    g->listen_fd = fd;
    return 0;
}

void gdb_stub_close(gdb_stub_t *g)
{
    if (!g->stdio && g->fd_in >= 0)
        close(g->fd_in);
    if (g->listen_fd >= 0)
        close(g->listen_fd);
    g->fd_in = g->fd_out = g->listen_fd = -1;
}

static bool accept_client(gdb_stub_t *g)
{
    if (g->listen_fd < 0)
        return false;
    log_msg(LOG_INFO, "gdb", "waiting for a GDB connection");
    int fd = hostsock_accept(g->listen_fd, 0);
    if (fd < 0)
        return false;
    g->fd_in = g->fd_out = fd;
    g->noack = false;
    g->rx_len = 0;
    log_msg(LOG_INFO, "gdb", "client connected");
    return true;
}

/* Run freely until a client connects (or the run ends); true when one did. */
static bool run_until_attach(gdb_stub_t *g, sim_time_t until, enum cpu_stop *stop)
{
    log_msg(LOG_INFO, "gdb", "running; a debugger may attach at any time");
    for (;;) {
        sim_time_t now = machine_now(g->m);
        sim_time_t to = now + GDB_RUN_QUANTUM_NS < until ? now + GDB_RUN_QUANTUM_NS : until;
        *stop = machine_run(g->m, to);
        if (*stop != CPU_STOP_LIMIT || machine_now(g->m) >= until)
            return false;
        struct pollfd p = { .fd = g->listen_fd, .events = POLLIN };
        if (poll(&p, 1, 0) == 1 && accept_client(g))
            return true;
    }
}

enum cpu_stop gdb_stub_serve(gdb_stub_t *g, sim_time_t until, bool wait)
{
    g->until = until;
    static char pkt[GDB_PACKET_MAX + 1], reply[2 * GDB_PACKET_MAX + 64];
    snprintf(g->last_stop, sizeof g->last_stop, "S05");
    enum cpu_stop last = CPU_STOP_NONE;
    if (!wait && !g->stdio) {
        if (!run_until_attach(g, until, &last))
            return last;
        snprintf(g->last_stop, sizeof g->last_stop, "T02thread:1;"); /* halted by the attach */
    }
    while (!g->killed) {
        if (g->detached)
            return machine_run(g->m, until);
        if (g->fd_in < 0 && !accept_client(g))
            return machine_run(g->m, until); /* stdio closed: run to the end */
        size_t len;
        int k = next_packet(g, pkt, sizeof pkt, &len);
        if (k == PKT_NONE) {
            if (!fill(g, -1) && g->stdio)
                return machine_run(g->m, until);
            continue;
        }
        if (k == PKT_INTERRUPT) {
            snprintf(g->last_stop, sizeof g->last_stop, "T02thread:1;");
            send_packet(g, g->last_stop);
            continue;
        }
        bool noack_before = g->noack;
        bool step;
        if (gdb_stub_handle(g, pkt, len, reply, sizeof reply)) {
            if (noack_before != g->noack) {
                g->noack = false; /* the OK itself is still acknowledged */
                send_packet(g, reply);
                g->noack = true;
            } else {
                send_packet(g, reply);
            }
            continue;
        }
        if (g->killed)
            break;
        if (reply[0]) {
            send_packet(g, reply);
            continue;
        }
        if (!resume_kind(pkt, &step))
            continue;
        bool interrupted;
        last = resume(g, step, &interrupted);
        stop_reply(g, last, interrupted);
        if (last == CPU_STOP_LIMIT && machine_now(g->m) >= until) {
            send_console(g, "glitchbox: --max-time reached\n");
            snprintf(g->last_stop, sizeof g->last_stop, "X0e");
            send_packet(g, g->last_stop);
            return last;
        }
        send_packet(g, g->last_stop);
        if (last == CPU_STOP_EXIT)
            return last;
    }
    return last == CPU_STOP_NONE ? CPU_STOP_REQUEST : last;
}
