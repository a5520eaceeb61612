/* A run session (see session.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "session.h"
#include "units.h"
#include "gdbstub.h"
#include "hostsock.h"
#include "log.h"
#include "models/net/netconfig.h"


void session_config_init(session_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->max_time = SIM_S(60);
    c->seed = 1;
    c->semihosting = true;
    c->sh_root = ".";
}

double session_wall_seconds(void)
{
    /* Front-end statistics only; never visible to the simulation. */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void session_file_sha256(const char *path, char hex[65])
{
    uint8_t d[32];
    hex[0] = 0;
    if (path && sha256_file(path, d) == 0)
        sha256_hex(d, hex);
}

cJSON *session_read_json(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap + 1);
    while (text) {
        len += fread(text + len, 1, cap - len, f);
        if (len < cap)
            break;
        if (cap >= (16u << 20)) {
            snprintf(err, errlen, "file is larger than 16 MiB");
            free(text);
            fclose(f);
            return NULL;
        }
        cap *= 2;
        char *nt = realloc(text, cap + 1);
        if (!nt)
            free(text);
        text = nt;
    }
    fclose(f);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    text[len] = 0;
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithOpts(text, &end, 1);
    if (!j) {
        unsigned line = 1, col = 1;
        for (const char *p = text; end && p < end; p++) {
            if (*p == '\n')
                line++, col = 1;
            else
                col++;
        }
        snprintf(err, errlen, "%u:%u: not valid JSON", line, col);
    }
    free(text);
    return j;
}

/* ---------------------------------------------------------------------- */
/* console, trace, exit */

static void stop_on_scan(session_t *s, const uint8_t *buf, size_t len)
{
    for (size_t k = 0; k < len; k++) {
        if (s->tail_len == sizeof s->tail - 1) {
            memmove(s->tail, s->tail + 256, s->tail_len - 256);
            s->tail_len -= 256;
        }
        s->tail[s->tail_len++] = buf[k] ? (char)buf[k] : ' ';
    }
    s->tail[s->tail_len] = 0;
    if (strstr(s->tail, s->cfg.stop_on)) {
        s->stop_matched = true;
        s->m->exit_requested = true;
        s->m->exit_code = 0;
    }
}

static void console_out(void *opaque, const char *source, const uint8_t *buf, size_t len)
{
    session_t *s = opaque;
    sha256_update(&s->uart_hash, buf, len);
    s->uart_bytes += len;
    if (s->uart_log)
        fwrite(buf, 1, len, s->uart_log);
    if (!s->quiet) {
        FILE *out = source && !strcmp(source, "stderr") ? stderr : stdout;
        fwrite(buf, 1, len, out);
        fflush(out);
    }
    if (s->cfg.stop_on && !s->stop_matched)
        stop_on_scan(s, buf, len);
    if (s->console_hook)
        s->console_hook(s->console_hook_opaque, buf, len);
    /* a client too slow to take it loses output, never the run its time */
    if (s->usock_fd >= 0 && source && !strcmp(source, s->usock_source) &&
        send(s->usock_fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && errno != EAGAIN) {
        close(s->usock_fd);
        s->usock_fd = -1;
    }
}

static void guest_exit(void *opaque, int code)
{
    session_t *s = opaque;
    s->m->exit_requested = true;
    s->m->exit_code = code;
}

static void trace_insn(void *opaque, cpu_t *cpu, const insn_t *i)
{
    session_t *s = opaque;
    char line[256];
    uint8_t bytes[4];
    int n;
    sim_time_t t = cpu_time_of(cpu, cpu->cycles);
    bus_debug_read(cpu->bus, i->pc, bytes, i->len);
    cs_insn *ci = NULL;
    size_t cnt = s->cs_ok ? cs_disasm(s->cs, bytes, i->len, i->pc, 1, &ci) : 0;
    if (cnt == 1)
        n = snprintf(line, sizeof line, "%llu %08x %s %s\n", (unsigned long long)t, i->pc,
                     ci->mnemonic, ci->op_str);
    else
        n = snprintf(line, sizeof line, "%llu %08x %s\n", (unsigned long long)t, i->pc,
                     thumb_insn_name(i));
    if (ci)
        cs_free(ci, cnt);
    if (n > 0) {
        size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
        fwrite(line, 1, len, s->trace);
        sha256_update(&s->trace_hash, line, len);
    }
}

const char *session_stop_name(enum cpu_stop st)
{
    switch (st) {
    case CPU_STOP_EXIT: return "exit";
    case CPU_STOP_LIMIT: return "timeout";
    case CPU_STOP_LOCKUP: return "lockup";
    case CPU_STOP_SLEEP: return "halted";
    case CPU_STOP_BKPT: return "breakpoint";
    case CPU_STOP_REQUEST: return "stopped";
    default: return "unknown";
    }
}

/* ---------------------------------------------------------------------- */
/* flash file */

static endpoint_t *flash_endpoint(machine_t *m)
{
    endpoint_t *fallback = NULL;
    for (unsigned k = 0;; k++) {
        endpoint_t *e = machine_find_endpoint_kind(m, EP_MEMORY, k);
        if (!e)
            return fallback;
        const char *dot = strrchr(e->name, '.');
        if (dot && !strcmp(dot + 1, "flash"))
            return e;
        if (!fallback)
            fallback = e;
    }
}

static int load_flash_file(machine_t *m, const char *path, char *err, size_t errlen)
{
    endpoint_t *e = flash_endpoint(m);
    if (!e) {
        snprintf(err, errlen, "--flash: board %s has no non-volatile memory", m->board_name);
        return -1;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return 0; /* created at the end */
        snprintf(err, errlen, "--flash %s: %s", path, strerror(errno));
        return -1;
    }
    size_t n = fread(e->mem, 1, e->mem_len, f);
    int extra = fgetc(f);
    fclose(f);
    if (extra != EOF) {
        snprintf(err, errlen, "--flash %s: file is larger than the %zu-byte %s", path,
                 e->mem_len, e->name);
        return -1;
    }
    if (n != e->mem_len)
        fprintf(stderr, "glitchbox: --flash %s: %zu of %zu bytes present; the rest keeps its "
                "erased state\n", path, n, e->mem_len);
    bus_notify_write(&m->bus, e->mem_base, (unsigned)e->mem_len);
    return 0;
}

static int save_flash_file(machine_t *m, const char *path)
{
    endpoint_t *e = flash_endpoint(m);
    if (!e)
        return -1;
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f || fwrite(e->mem, 1, e->mem_len, f) != e->mem_len || fclose(f)) {
        fprintf(stderr, "glitchbox: cannot save flash to %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (rename(tmp, path)) {
        fprintf(stderr, "glitchbox: cannot save flash to %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------- */
/* outside input */

static int setup_uart_input(session_t *s, const char *spec, char *err, size_t errlen,
                            int *status)
{
    const char *eq = strchr(spec, '=');
    char epname[64];
    if (!eq || (size_t)(eq - spec) >= sizeof epname) {
        snprintf(err, errlen, "--uart-input %s: expected UART=FILE", spec);
        *status = EXIT_USAGE;
        return -1;
    }
    memcpy(epname, spec, (size_t)(eq - spec));
    epname[eq - spec] = 0;
    endpoint_t *e = machine_find_endpoint(s->m, epname);
    if (!e || e->kind != EP_UART) {
        snprintf(err, errlen, "--uart-input: the board has no UART '%s'", epname);
        *status = EXIT_USAGE;
        return -1;
    }
    FILE *fi = fopen(eq + 1, "rb");
    if (!fi) {
        snprintf(err, errlen, "--uart-input %s: %s", eq + 1, strerror(errno));
        return -1;
    }
    uint8_t buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fi)) > 0)
        inputlog_submit_uart(&s->in, epname, buf, n);
    fclose(fi);
    return 0;
}

/* The host terminal, read at every tick of the input log. */
static void console_poll(void *opaque, input_log_t *il)
{
    session_t *s = opaque;
    if (s->console_eof)
        return;
    uint8_t buf[256];
    ssize_t n = read(0, buf, sizeof buf);
    if (n > 0)
        inputlog_submit_uart(il, s->cfg.console_uart, buf, (size_t)n);
    else if (n == 0)
        s->console_eof = true;
}

/* The UART's socket: a client connects (one at a time), what it sends is
 * typed into the UART through the input log. */
static void uart_socket_poll(session_t *s, input_log_t *il)
{
    if (s->usock_fd < 0) {
        s->usock_fd = hostsock_accept(s->usock_listen, 1);
        if (s->usock_fd >= 0)
            log_msg(LOG_INFO, "uart", "%s: client connected", s->usock_uart);
        return;
    }
    uint8_t buf[256];
    ssize_t n = recv(s->usock_fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
        inputlog_submit_uart(il, s->usock_uart, buf, (size_t)n);
    } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        close(s->usock_fd);
        s->usock_fd = -1;
        log_msg(LOG_INFO, "uart", "%s: client gone; waiting for the next", s->usock_uart);
    }
}

/* Every tick of a live run: the terminal and the UART socket. */
static void live_poll(void *opaque, input_log_t *il)
{
    session_t *s = opaque;
    if (s->cfg.console_uart)
        console_poll(s, il);
    if (s->usock_listen >= 0)
        uart_socket_poll(s, il);
}

static int setup_uart_socket(session_t *s, const char *spec, char *err, size_t errlen,
                             int *status)
{
    const char *eq = strchr(spec, '=');
    char addr[300];
    if (!eq || (size_t)(eq - spec) >= sizeof s->usock_uart || strlen(eq + 1) >= sizeof addr) {
        snprintf(err, errlen, "--uart-socket %s: expected UART=[HOST:]PORT[,wait]", spec);
        *status = EXIT_USAGE;
        return -1;
    }
    memcpy(s->usock_uart, spec, (size_t)(eq - spec));
    s->usock_uart[eq - spec] = 0;
    endpoint_t *e = machine_find_endpoint(s->m, s->usock_uart);
    if (!e || e->kind != EP_UART) {
        snprintf(err, errlen, "--uart-socket: the board has no UART '%s'", s->usock_uart);
        *status = EXIT_USAGE;
        return -1;
    }
    const char *dot = strrchr(e->name, '.');
    s->usock_source = dot ? dot + 1 : e->name;
    snprintf(addr, sizeof addr, "%s", eq + 1);
    char *comma = strchr(addr, ',');
    bool wait = false;
    if (comma) {
        if (strcmp(comma, ",wait")) {
            snprintf(err, errlen, "--uart-socket %s: unknown option '%s' (only ,wait)", spec,
                     comma + 1);
            *status = EXIT_USAGE;
            return -1;
        }
        *comma = 0;
        wait = true;
    }
    s->usock_listen = hostsock_listen("--uart-socket", addr, err, errlen);
    if (s->usock_listen < 0) {
        *status = EXIT_USAGE;
        return -1;
    }
    if (wait) {
        log_msg(LOG_INFO, "uart", "%s: waiting for a connection on %s", s->usock_uart, addr);
        s->usock_fd = hostsock_accept(s->usock_listen, 0);
        if (s->usock_fd >= 0)
            fcntl(s->usock_fd, F_SETFL, fcntl(s->usock_fd, F_GETFL) | O_NONBLOCK);
    }
    return 0;
}

static net_link_t *find_link(session_t *s, const char *name)
{
    if (name && *name)
        return network_find(&s->net, name);
    return s->net.nlinks ? s->net.links[0] : NULL;
}

/* "link" records: {"target": network name or "", "up": bool} */
static int apply_link(void *opaque, const cJSON *r, char *err, size_t errlen)
{
    session_t *s = opaque;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "target");
    const cJSON *up = cJSON_GetObjectItemCaseSensitive(r, "up");
    net_link_t *l = find_link(s, cJSON_IsString(t) ? t->valuestring : NULL);
    if (!l || !cJSON_IsBool(up)) {
        snprintf(err, errlen, "a link record needs an existing network and \"up\"");
        return -1;
    }
    net_link_params_t p = l->p;
    p.up = cJSON_IsTrue(up);
    net_link_set_params(l, &p);
    return 0;
}

int session_monitor(void *opaque, const char *cmd, char *out, size_t outlen)
{
    session_t *s = opaque;
    machine_t *m = s->m;
    char word[32] = "", a1[128] = "", a2[256] = "";
    int n = sscanf(cmd, "%31s %127s %255[^\n]", word, a1, a2);
    sim_time_t next = (machine_now(m) / INPUTLOG_TICK_NS + 1) * INPUTLOG_TICK_NS;
    if (n >= 1 && !strcmp(word, "help")) {
        snprintf(out, outlen,
                 "link down|up [NET]        pull or plug a cable (default the first network)\n"
                 "set CONTROL VALUE         set a model control (JSON value; `glitchbox "
                 "controls`)\n"
                 "pin NET|PIN low|high|release  force a line (a button, a glitch)\n"
                 "power-cut [TIME]          cut the board's power for TIME (default 100ms)\n"
                 "uart UART TEXT            type TEXT into a UART's receive line\n"
                 "controls                  list the board's controls and probes\n"
                 "These take effect at the next millisecond of virtual time and are recorded.\n");
        return 0;
    }
    if (n >= 1 && !strcmp(word, "controls")) {
        size_t used = 0;
        endpoint_t *e;
        for (unsigned k = 0; (e = machine_find_endpoint_kind(m, EP_CONTROL, k)) && used < outlen;
             k++)
            used += (size_t)snprintf(out + used, outlen - used, "control %s: %s\n", e->name,
                                     e->help ? e->help : "");
        for (unsigned k = 0; (e = machine_find_endpoint_kind(m, EP_PROBE, k)) && used < outlen;
             k++)
            used += (size_t)snprintf(out + used, outlen - used, "probe %s: %llu hits\n", e->name,
                                     (unsigned long long)e->probe->hits);
        if (!used)
            snprintf(out, outlen, "the board has no controls or probes\n");
        return 0;
    }
    cJSON *r = NULL;
    char what[300];
    if (n >= 2 && !strcmp(word, "link") && (!strcmp(a1, "down") || !strcmp(a1, "up"))) {
        net_link_t *l = find_link(s, n >= 3 ? a2 : NULL);
        if (!l) {
            snprintf(out, outlen, "no network '%s'\n", n >= 3 ? a2 : "");
            return 0;
        }
        r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "kind", "link");
        cJSON_AddStringToObject(r, "target", l->name);
        cJSON_AddBoolToObject(r, "up", !strcmp(a1, "up"));
        snprintf(what, sizeof what, "link %s %s", l->name, a1);
    } else if (n >= 3 && !strcmp(word, "set")) {
        cJSON *v = cJSON_Parse(a2);
        if (!v)
            v = cJSON_CreateString(a2);
        endpoint_t *e = machine_find_endpoint(m, a1);
        if (!e || e->kind != EP_CONTROL) {
            snprintf(out, outlen, "no control '%s' (monitor controls lists them)\n", a1);
            cJSON_Delete(v);
            return 0;
        }
        r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "kind", "control");
        cJSON_AddStringToObject(r, "target", a1);
        cJSON_AddItemToObject(r, "value", v);
        snprintf(what, sizeof what, "%s = %s", a1, a2);
    } else if (n >= 3 && !strcmp(word, "pin") &&
               (!strcmp(a2, "low") || !strcmp(a2, "high") || !strcmp(a2, "release"))) {
        r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "kind", "pin");
        cJSON_AddStringToObject(r, "target", a1);
        cJSON_AddStringToObject(r, "level", a2);
        snprintf(what, sizeof what, "%s %s", a1, a2);
    } else if (n >= 1 && !strcmp(word, "power-cut")) {
        sim_time_t off = SIM_MS(100);
        if (n >= 2 && units_parse_time(a1, &off)) {
            snprintf(out, outlen, "power-cut: '%s' is not a time\n", a1);
            return 0;
        }
        r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "kind", "power_cut");
        cJSON_AddNumberToObject(r, "off_ns", (double)off);
        snprintf(what, sizeof what, "power cut for %.6f s", (double)off / 1e9);
    } else if (n >= 3 && !strcmp(word, "uart")) {
        inputlog_submit_uart(&s->in, a1, (const uint8_t *)a2, strlen(a2));
        snprintf(out, outlen, "%zu bytes for %s at %.6f s\n", strlen(a2), a1, (double)next / 1e9);
        return 0;
    } else {
        return -1;
    }
    inputlog_submit(&s->in, r);
    snprintf(out, outlen, "%s at %.6f s (the next millisecond of virtual time)\n", what,
             (double)next / 1e9);
    return 0;
}

/* ---------------------------------------------------------------------- */
/* open / run / finish */

static int build_network(session_t *s, char *err, size_t errlen)
{
    const session_config_t *c = &s->cfg;
    char nerr[512];
    network_opts_t no = { c->pcap_path, c->serve_root, c->serve_network };
    const char *origin = c->network_origin ? c->network_origin : "network";
    if (c->network && netconfig_server_opts(c->network, c->network_dir ? c->network_dir : ".",
                                            &no, s->serve_path, sizeof s->serve_path, nerr,
                                            sizeof nerr)) {
        snprintf(err, errlen, "%s: %s", origin, nerr);
        return -1;
    }
    if (network_build(&s->net, s->m, &no, nerr, sizeof nerr)) {
        if (c->network)
            snprintf(err, errlen, "%s: %s", origin, nerr);
        else
            snprintf(err, errlen, "%s", nerr);
        return -1;
    }
    if (c->network && netconfig_apply(c->network, &s->net, nerr, sizeof nerr)) {
        snprintf(err, errlen, "%s: %s", origin, nerr);
        return -1;
    }
    return 0;
}

session_t *session_open(const session_config_t *c, char *err, size_t errlen, int *status)
{
    *status = EXIT_INPUT;
    session_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->usock_listen = s->usock_fd = -1;
    s->cfg = *c;
    s->quiet = c->quiet;
    sha256_init(&s->uart_hash);
    sha256_init(&s->trace_hash);
    s->m = machine_new(c->seed);
    if (!s->m) {
        snprintf(err, errlen, "out of memory");
        free(s);
        return NULL;
    }
    machine_t *m = s->m;
    m->console = console_out;
    m->console_opaque = s;
    if (machine_load_board(m, c->board)) {
        snprintf(err, errlen, "%s", m->error);
        goto fail;
    }
    if (build_network(s, err, errlen))
        goto fail;
    if (c->uart_log_path && !(s->uart_log = fopen(c->uart_log_path, "w"))) {
        snprintf(err, errlen, "--uart-log %s: %s", c->uart_log_path, strerror(errno));
        goto fail;
    }
    if (c->trace_path) {
        if (!(s->trace = fopen(c->trace_path, "w"))) {
            snprintf(err, errlen, "--trace %s: %s", c->trace_path, strerror(errno));
            goto fail;
        }
        s->cs_ok = cs_open(CS_ARCH_ARM, CS_MODE_THUMB | CS_MODE_MCLASS, &s->cs) == CS_ERR_OK;
        m->cpu->trace = trace_insn;
        m->cpu->trace_opaque = s;
    }

    machine_reset(m, RESET_POWER_ON, RESET_CAUSE_POWER_ON);
    if (c->flash_image) {
        FILE *f = fopen(c->flash_image, "rb");
        if (!f) {
            snprintf(err, errlen, "flash image %s: %s", c->flash_image, strerror(errno));
            goto fail;
        }
        fclose(f);
        if (load_flash_file(m, c->flash_image, err, errlen))
            goto fail;
    }
    if (c->flash_path && load_flash_file(m, c->flash_path, err, errlen))
        goto fail;
    for (unsigned i = 0; i < c->nfirmware; i++) {
        loader_opts_t lo = { (loader_fmt_t)c->firmware[i].format,
                             c->firmware[i].base_set ? c->firmware[i].base : 0 };
        loader_image_t img;
        if (loader_load_file(&m->bus, c->firmware[i].path, &lo, &img, err, errlen))
            goto fail;
        loader_image_free(&img);
    }
    if (c->semihosting) {
        semihost_init(&s->sh, &m->sched, c->sh_root);
        semihost_set_cmdline(&s->sh, c->sh_cmdline);
        s->sh_on = true;
        s->sh.console = console_out;
        s->sh.console_opaque = s;
        s->sh.on_exit = guest_exit;
        s->sh.on_exit_opaque = s;
        m->cpu->on_bkpt = semihost_bkpt;
        m->cpu->on_bkpt_opaque = &s->sh;
    }
    cpu_reset(m->cpu);
    inputlog_init(&s->in, m);
    inputlog_register(&s->in, "link", apply_link, s);
    if (c->inputs) {
        if (inputlog_set_replay(&s->in, c->inputs, err, errlen))
            goto fail;
        inputlog_start(&s->in);
    } else {
        if (c->uart_input) {
            if (setup_uart_input(s, c->uart_input, err, errlen, status))
                goto fail;
            inputlog_start(&s->in);
        }
        if (c->console_uart) {
            endpoint_t *e = machine_find_endpoint(m, c->console_uart);
            if (!e || e->kind != EP_UART) {
                snprintf(err, errlen, "--console: the board has no UART '%s'", c->console_uart);
                *status = EXIT_USAGE;
                goto fail;
            }
            fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
            s->in.poll = live_poll;
            s->in.poll_opaque = s;
            inputlog_start(&s->in);
        }
        if (c->uart_socket) {
            if (setup_uart_socket(s, c->uart_socket, err, errlen, status))
                goto fail;
            s->in.poll = live_poll;
            s->in.poll_opaque = s;
            inputlog_start(&s->in);
        }
    }
    /* The input log ticks only where outside input can come (a recording,
     * a replay, the console, a debugger, the UI). A run is the same with the
     * ticks and without them: the CPU's slices end on them, but nothing a
     * model sees depends on where slices end (an access runs every event
     * due by its time first). Without them a guest that sleeps with nothing
     * to wake it is seen halted. */
    if (c->record_inputs)
        inputlog_start(&s->in);
    return s;
fail:
    session_close(s);
    return NULL;
}

int session_run(session_t *s, const char *gdb, bool gdb_wait)
{
    machine_t *m = s->m;
    double w0 = session_wall_seconds();
    enum cpu_stop stop;
    if (gdb) {
        gdb_stub_t gs;
        char gerr[512];
        if (gdb_stub_open(&gs, m, gdb, gerr, sizeof gerr)) {
            fprintf(stderr, "glitchbox: %s\n", gerr);
            return -1;
        }
        if (!strcmp(gdb, "stdio"))
            s->quiet = true; /* stdout carries the protocol */
        gs.monitor = session_monitor;
        gs.monitor_opaque = s;
        inputlog_start(&s->in);
        stop = gdb_stub_serve(&gs, s->cfg.max_time, gdb_wait);
        gdb_stub_close(&gs);
    } else {
        stop = machine_run(m, s->cfg.max_time);
    }
    s->wall_seconds = session_wall_seconds() - w0;
    session_set_stop(s, stop);
    return s->exit_code;
}

void session_set_stop(session_t *s, enum cpu_stop stop)
{
    s->stop = stop;
    if (s->sh_on && s->sh.exited) {
        s->stop = CPU_STOP_EXIT;
        s->exit_code = s->sh.exit_code;
    } else {
        switch (s->stop) {
        case CPU_STOP_LIMIT: s->exit_code = EXIT_TIMEOUT; break;
        case CPU_STOP_LOCKUP: s->exit_code = EXIT_LOCKUP; break;
        case CPU_STOP_SLEEP: s->exit_code = EXIT_HALTED; break;
        case CPU_STOP_EXIT: s->exit_code = s->m->exit_code; break;
        default: s->exit_code = 1; break;
        }
    }
}

void session_print_outcome(const session_t *s)
{
    const machine_t *m = s->m;
    if (s->stop == CPU_STOP_LOCKUP)
        fprintf(stderr, "glitchbox: core locked up at pc 0x%08x (CFSR 0x%08x HFSR 0x%08x)\n",
                m->cpu->lockup_pc, m->cpu->sys.cfsr, m->cpu->sys.hfsr);
    else if (s->stop == CPU_STOP_LIMIT)
        fprintf(stderr, "glitchbox: stopped at the time limit (%.3f s of virtual time)\n",
                (double)machine_now(m) / 1e9);
    else if (s->stop == CPU_STOP_SLEEP)
        fprintf(stderr, "glitchbox: the guest sleeps and nothing is scheduled to wake it\n");
}

static void add_hash(cJSON *obj, const char *key, const sha256_t *h)
{
    uint8_t d[32];
    char hex[65];
    sha256_t copy = *h;
    sha256_final(&copy, d);
    sha256_hex(d, hex);
    cJSON_AddStringToObject(obj, key, hex);
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

/* Probe counts by name, taken while every model (the network's hosts too)
 * still exists. */
static cJSON *probe_counts(machine_t *m)
{
    cJSON *probes = NULL;
    endpoint_t *e;
    for (unsigned k = 0; (e = machine_find_endpoint_kind(m, EP_PROBE, k)); k++) {
        if (!probes)
            probes = cJSON_CreateObject();
        cJSON_AddNumberToObject(probes, e->name, (double)e->probe->hits);
    }
    return probes;
}

static cJSON *build_report(session_t *s, cJSON *netrep, cJSON *probes)
{
    machine_t *m = s->m;
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "glitchbox", GLITCHBOX_VERSION);
    cJSON_AddStringToObject(r, "outcome", s->stop_matched ? "stop-on" : session_stop_name(s->stop));
    cJSON_AddNumberToObject(r, "exit_code", s->exit_code);
    cJSON_AddStringToObject(r, "board", m->board_name);
    cJSON_AddNumberToObject(r, "seed", (double)s->cfg.seed);
    cJSON_AddNumberToObject(r, "virtual_time_ns", (double)machine_now(m));
    cJSON_AddNumberToObject(r, "instructions", (double)m->cpu->insns);
    cJSON_AddNumberToObject(r, "cycles", (double)m->cpu->cycles);
    cJSON_AddNumberToObject(r, "resets", (double)m->resets);
    cJSON_AddNumberToObject(r, "power_cuts", (double)m->power_cuts);
    char pc[16];
    snprintf(pc, sizeof pc, "0x%08x",
             s->stop == CPU_STOP_LOCKUP ? m->cpu->lockup_pc : m->cpu->r[15]);
    cJSON_AddStringToObject(r, "pc", pc);
    cJSON *fw = cJSON_AddArrayToObject(r, "firmware");
    for (unsigned i = 0; i <= s->cfg.nfirmware; i++) {
        const char *path = i < s->cfg.nfirmware ? s->cfg.firmware[i].path : s->cfg.flash_image;
        if (!path)
            break;
        char hex[65];
        session_file_sha256(path, hex);
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "file", base_name(path));
        cJSON_AddStringToObject(f, "sha256", hex);
        if (i == s->cfg.nfirmware)
            cJSON_AddStringToObject(f, "kind", "flash image");
        cJSON_AddItemToArray(fw, f);
    }
    cJSON *h = cJSON_AddObjectToObject(r, "hashes");
    add_hash(h, "uart", &s->uart_hash);
    if (s->trace)
        add_hash(h, "trace", &s->trace_hash);
    if (s->pcap_sha256[0])
        cJSON_AddStringToObject(h, "pcap", s->pcap_sha256);
    cJSON_AddNumberToObject(r, "uart_bytes", (double)s->uart_bytes);
    cJSON_AddNumberToObject(r, "outside_inputs", (double)s->in.applied);
    cJSON *cpu = cJSON_AddObjectToObject(r, "cpu");
    char buf[16];
    snprintf(buf, sizeof buf, "0x%08x", m->cpu->sys.cfsr);
    cJSON_AddStringToObject(cpu, "cfsr", buf);
    snprintf(buf, sizeof buf, "0x%08x", m->cpu->sys.hfsr);
    cJSON_AddStringToObject(cpu, "hfsr", buf);
    /* the network's statistics, gathered before the network was freed */
    cJSON *item;
    while (netrep && (item = netrep->child)) {
        cJSON_DetachItemViaPointer(netrep, item);
        cJSON_AddItemToObject(r, item->string, item);
    }
    if (probes)
        cJSON_AddItemToObject(r, "probes", probes);
    if (s->report_hook)
        s->report_hook(s->report_hook_opaque, r);
    return r;
}

int session_finish(session_t *s)
{
    int code = s->exit_code;
    cJSON *netrep = cJSON_CreateObject();
    network_report(&s->net, netrep);
    cJSON *probes = probe_counts(s->m);
    /* The capture is complete once the network is gone. */
    network_free(&s->net);
    memset(&s->net, 0, sizeof s->net);
    if (s->cfg.pcap_path)
        session_file_sha256(s->cfg.pcap_path, s->pcap_sha256);
    if (s->cfg.flash_path && save_flash_file(s->m, s->cfg.flash_path))
        code = code ? code : 1;
    cJSON *r = build_report(s, netrep, probes);
    cJSON_Delete(netrep);
    char *text = cJSON_Print(r);
    cJSON_Delete(r);
    if (text) {
        uint8_t d[32];
        sha256_t h;
        sha256_init(&h);
        sha256_update(&h, text, strlen(text));
        sha256_update(&h, "\n", 1);
        sha256_final(&h, d);
        sha256_hex(d, s->report_sha256);
    }
    if (s->cfg.report_path) {
        FILE *f = fopen(s->cfg.report_path, "w");
        if (!f || !text || fputs(text, f) < 0 || fputc('\n', f) < 0) {
            fprintf(stderr, "glitchbox: cannot write report %s: %s\n", s->cfg.report_path,
                    strerror(errno));
            code = code ? code : 1;
        }
        if (f)
            fclose(f);
    }
    free(text);
    return code;
}

void session_close(session_t *s)
{
    if (!s)
        return;
    if (s->in.m)
        inputlog_free(&s->in);
    if (s->usock_fd >= 0)
        close(s->usock_fd);
    if (s->usock_listen >= 0)
        close(s->usock_listen);
    network_free(&s->net);
    if (s->uart_log)
        fclose(s->uart_log);
    if (s->trace)
        fclose(s->trace);
    if (s->cs_ok)
        cs_close(&s->cs);
    if (s->sh_on)
        semihost_free(&s->sh);
    machine_free(s->m);
    free(s);
}
