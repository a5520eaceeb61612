/*
 * Machine: board loading and wiring, resets, and the main run loop that
 * interleaves CPU slices with scheduler events. See machine.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "machine.h"
#include "log.h"

/* ---------------------------------------------------------------------- */
/* construction */

machine_t *machine_new(uint64_t seed)
{
    machine_t *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->seed = seed;
    sched_init(&m->sched);
    bus_init(&m->bus);
    log_set_clock(&m->sched);
    return m;
}

void machine_free(machine_t *m)
{
    if (!m)
        return;
    for (unsigned i = m->ninstances; i-- > 0;) {
        machine_instance_t *mi = &m->instances[i];
        if (mi->cls->destroy)
            mi->cls->destroy(mi->inst);
    }
    if (m->cpu) {
        cpu_free(m->cpu);
        free(m->cpu);
    }
    cJSON_Delete(m->board_json);
    sched_free(&m->sched);
    bus_free(&m->bus);
    log_set_clock(NULL);
    free(m);
}

int machine_error(machine_t *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->error, sizeof m->error, fmt, ap);
    va_end(ap);
    return -1;
}

static void sysreset_requested(void *opaque)
{
    machine_request_reset(opaque, RESET_CAUSE_SOFTWARE);
}

cpu_t *machine_create_cpu(machine_t *m, unsigned num_irqs, unsigned prio_bits, bool has_fpu)
{
    if (m->cpu) {
        machine_error(m, "a board has exactly one CPU; a second SoC was declared");
        return NULL;
    }
    cpu_t *cpu = calloc(1, sizeof *cpu);
    if (!cpu || cpu_init(cpu, &m->bus, &m->sched, num_irqs, prio_bits, has_fpu)) {
        free(cpu);
        machine_error(m, "out of memory creating the CPU");
        return NULL;
    }
    cpu->on_sysreset = sysreset_requested;
    cpu->on_sysreset_opaque = m;
    armv7m_sys_map(cpu, &m->bus);
    m->cpu = cpu;
    return cpu;
}

void machine_rng(const machine_t *m, const char *name, rng_t *out)
{
    rng_stream(out, m->seed, name);
}

/* ---------------------------------------------------------------------- */
/* endpoints */

static endpoint_t *add_endpoint(machine_t *m, const char *inst, const char *ep,
                                enum endpoint_kind kind)
{
    char full[64];
    if ((size_t)snprintf(full, sizeof full, "%s.%s", inst, ep) >= sizeof full) {
        machine_error(m, "endpoint name %s.%s is too long", inst, ep);
        return NULL;
    }
    if (machine_find_endpoint(m, full)) {
        machine_error(m, "endpoint %s is registered twice", full);
        return NULL;
    }
    if (m->nendpoints >= MACHINE_MAX_ENDPOINTS) {
        machine_error(m, "too many endpoints (at %s)", full);
        return NULL;
    }
    endpoint_t *e = &m->endpoints[m->nendpoints++];
    memset(e, 0, sizeof *e);
    memcpy(e->name, full, sizeof e->name);
    e->kind = kind;
    return e;
}

int machine_add_gpio(machine_t *m, const char *inst, const char *ep, gpio_pin_t *pin,
                     gpio_listener_fn fn, void *opaque, int n)
{
    endpoint_t *e = add_endpoint(m, inst, ep, EP_GPIO);
    if (!e)
        return -1;
    e->pin = pin;
    e->listen_fn = fn;
    e->listen_opaque = opaque;
    e->listen_n = n;
    return 0;
}

int machine_add_uart(machine_t *m, const char *inst, const char *ep, uart_rx_fn rx, void *dev)
{
    endpoint_t *e = add_endpoint(m, inst, ep, EP_UART);
    if (!e)
        return -1;
    e->uart_rx = rx;
    e->uart_dev = dev;
    return 0;
}

int machine_add_spi_bus(machine_t *m, const char *inst, const char *ep, spi_bus_t *bus)
{
    endpoint_t *e = add_endpoint(m, inst, ep, EP_SPI_BUS);
    if (!e)
        return -1;
    e->spi_bus = bus;
    return 0;
}

int machine_add_spi_device(machine_t *m, const char *inst, const char *ep,
                           const spi_device_ops_t *ops, void *dev)
{
    endpoint_t *e = add_endpoint(m, inst, ep, EP_SPI_DEVICE);
    if (!e)
        return -1;
    e->spi_ops = ops;
    e->spi_dev = dev;
    return 0;
}

int machine_add_net_port(machine_t *m, const char *inst, const char *ep, net_port_t *port)
{
    endpoint_t *e = add_endpoint(m, inst, ep, EP_NET_PORT);
    if (!e)
        return -1;
    e->port = port;
    return 0;
}

int machine_add_clock(machine_t *m, const char *inst, const char *ep, sim_clock_t *clk)
{
    endpoint_t *e = add_endpoint(m, inst, ep, EP_CLOCK);
    if (!e)
        return -1;
    e->clock = clk;
    return 0;
}

int machine_add_memory(machine_t *m, const char *inst, const char *ep, uint8_t *mem,
                       size_t len, uint32_t base)
{
    endpoint_t *e = add_endpoint(m, inst, ep, EP_MEMORY);
    if (!e)
        return -1;
    e->mem = mem;
    e->mem_len = len;
    e->mem_base = base;
    return 0;
}

int machine_add_control(machine_t *m, const char *inst, const char *name, const char *help,
                        control_set_fn fn, void *dev)
{
    endpoint_t *e = add_endpoint(m, inst, name, EP_CONTROL);
    if (!e)
        return -1;
    e->control_set = fn;
    e->control_dev = dev;
    e->help = help;
    return 0;
}

int machine_add_probe(machine_t *m, const char *inst, const char *name, const char *help,
                      sim_probe_t *probe)
{
    endpoint_t *e = add_endpoint(m, inst, name, EP_PROBE);
    if (!e)
        return -1;
    e->probe = probe;
    e->help = help;
    probe->name = e->name;
    return 0;
}

int machine_set_control(machine_t *m, const char *full_name, const cJSON *value, char *err,
                        size_t errlen)
{
    endpoint_t *e = machine_find_endpoint(m, full_name);
    if (!e || e->kind != EP_CONTROL) {
        snprintf(err, errlen, "the board has no control '%s' (`glitchbox controls --board %s` "
                 "lists them)", full_name, m->board_name);
        return -1;
    }
    const char *dot = strchr(e->name, '.');
    return e->control_set(e->control_dev, dot ? dot + 1 : e->name, value, err, errlen);
}

sim_probe_t *machine_find_probe(machine_t *m, const char *full_name)
{
    endpoint_t *e = machine_find_endpoint(m, full_name);
    return e && e->kind == EP_PROBE ? e->probe : NULL;
}

endpoint_t *machine_find_endpoint(machine_t *m, const char *full_name)
{
    for (unsigned i = 0; i < m->nendpoints; i++)
        if (!strcmp(m->endpoints[i].name, full_name))
            return &m->endpoints[i];
    return NULL;
}

endpoint_t *machine_find_endpoint_kind(machine_t *m, enum endpoint_kind kind, unsigned nth)
{
    for (unsigned i = 0; i < m->nendpoints; i++)
        if (m->endpoints[i].kind == kind && nth-- == 0)
            return &m->endpoints[i];
    return NULL;
}

gpio_net_t *machine_find_net(machine_t *m, const char *net_name)
{
    for (unsigned i = 0; i < m->nnets; i++)
        if (!strcmp(m->net_names[i], net_name))
            return &m->nets[i];
    return NULL;
}

gpio_net_t *machine_pin_net(machine_t *m, const char *pin_name, enum gpio_pull pull)
{
    endpoint_t *e = machine_find_endpoint(m, pin_name);
    if (!e || e->kind != EP_GPIO)
        return NULL;
    for (unsigned i = 0; i < m->nnets && e->used; i++) {
        gpio_net_t *net = &m->nets[i];
        if (e->pin && e->pin->net == net)
            return net;
        for (unsigned k = 0; k < net->nlisteners; k++)
            if (net->listeners[k].fn == e->listen_fn &&
                net->listeners[k].opaque == e->listen_opaque &&
                net->listeners[k].n == e->listen_n)
                return net;
    }
    if (e->used || m->nnets >= MACHINE_MAX_NETS)
        return NULL;
    unsigned ni = m->nnets++;
    snprintf(m->net_names[ni], sizeof m->net_names[ni], "%s", pin_name);
    gpio_net_t *net = &m->nets[ni];
    gpio_net_init(net, m->net_names[ni], pull);
    e->used = true;
    if (e->listen_fn)
        gpio_net_listen(net, e->listen_fn, e->listen_opaque, e->listen_n);
    if (e->pin)
        gpio_net_attach(net, e->pin);
    gpio_net_update(net);
    if (e->listen_fn)
        e->listen_fn(e->listen_opaque, e->listen_n, net->level);
    return net;
}

void *machine_find_instance(machine_t *m, const char *name, const char *type)
{
    for (unsigned i = 0; i < m->ninstances; i++) {
        machine_instance_t *mi = &m->instances[i];
        if ((!name || !strcmp(mi->name, name)) && (!type || !strcmp(mi->cls->type, type)))
            return mi->inst;
    }
    return NULL;
}

/* ---------------------------------------------------------------------- */
/* board files */

static const model_class_t *find_class(const char *type)
{
    for (const model_class_t *const *c = model_classes; *c; c++)
        if (!strcmp((*c)->type, type))
            return *c;
    return NULL;
}

static bool valid_name(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n >= max)
        return false;
    for (const char *p = s; *p; p++)
        if (!(*p == '_' || *p == '-' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z')))
            return false;
    return true;
}

static int load_devices(machine_t *m, const cJSON *devs, const char *origin)
{
    if (!cJSON_IsArray(devs))
        return machine_error(m, "%s: \"devices\" must be an array of objects", origin);
    int idx = 0;
    const cJSON *d;
    cJSON_ArrayForEach(d, devs) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(d, "name");
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(d, "type");
        if (!cJSON_IsObject(d))
            return machine_error(m, "%s: devices[%d]: must be an object", origin, idx);
        if (!cJSON_IsString(name) || !valid_name(name->valuestring, sizeof m->instances[0].name))
            return machine_error(m, "%s: devices[%d].name: missing or not a simple name "
                                 "(letters, digits, '_' and '-', at most 31)", origin, idx);
        if (!cJSON_IsString(type))
            return machine_error(m, "%s: devices[%d].type: missing", origin, idx);
        const model_class_t *cls = find_class(type->valuestring);
        if (!cls) {
            char known[512] = "";
            for (const model_class_t *const *c = model_classes; *c; c++) {
                strncat(known, known[0] ? ", " : "", sizeof known - strlen(known) - 1);
                strncat(known, (*c)->type, sizeof known - strlen(known) - 1);
            }
            return machine_error(m, "%s: devices[%d].type: unknown model '%s' (known: %s)",
                                 origin, idx, type->valuestring, known);
        }
        for (unsigned i = 0; i < m->ninstances; i++)
            if (!strcmp(m->instances[i].name, name->valuestring))
                return machine_error(m, "%s: devices[%d].name: '%s' is used twice", origin,
                                     idx, name->valuestring);
        if (m->ninstances >= MACHINE_MAX_INSTANCES)
            return machine_error(m, "%s: too many devices", origin);
        machine_instance_t *mi = &m->instances[m->ninstances];
        snprintf(mi->name, sizeof mi->name, "%s", name->valuestring);
        mi->cls = cls;
        m->error[0] = 0;
        mi->inst = cls->create(m, mi->name, d);
        if (!mi->inst) {
            char why[sizeof m->error];
            snprintf(why, sizeof why, "%s", m->error[0] ? m->error : "could not be created");
            return machine_error(m, "%s: devices[%d] (%s, %s): %s", origin, idx, mi->name,
                                 cls->type, why);
        }
        m->ninstances++;
        idx++;
    }
    return 0;
}

static int wire_nets(machine_t *m, const cJSON *nets, const char *origin)
{
    if (!nets)
        return 0;
    if (!cJSON_IsObject(nets))
        return machine_error(m, "%s: \"nets\" must be an object of net name -> pins", origin);
    const cJSON *n;
    cJSON_ArrayForEach(n, nets) {
        const char *nname = n->string;
        const cJSON *pins = n;
        enum gpio_pull pull = GPIO_PULL_NONE;
        if (!valid_name(nname, sizeof m->net_names[0]))
            return machine_error(m, "%s: nets.%s: not a simple name", origin, nname);
        if (machine_find_net(m, nname))
            return machine_error(m, "%s: nets.%s: declared twice", origin, nname);
        if (cJSON_IsObject(n)) {
            const cJSON *pl = cJSON_GetObjectItemCaseSensitive(n, "pull");
            pins = cJSON_GetObjectItemCaseSensitive(n, "pins");
            const cJSON *it;
            cJSON_ArrayForEach(it, n) {
                if (strcmp(it->string, "pull") && strcmp(it->string, "pins"))
                    return machine_error(m, "%s: nets.%s.%s: unknown field (expected pins, "
                                         "pull)", origin, nname, it->string);
            }
            if (pl) {
                if (!cJSON_IsString(pl))
                    return machine_error(m, "%s: nets.%s.pull: must be \"up\", \"down\" or "
                                         "\"none\"", origin, nname);
                if (!strcmp(pl->valuestring, "up"))
                    pull = GPIO_PULL_UP;
                else if (!strcmp(pl->valuestring, "down"))
                    pull = GPIO_PULL_DOWN;
                else if (strcmp(pl->valuestring, "none"))
                    return machine_error(m, "%s: nets.%s.pull: '%s' is not up, down or none",
                                         origin, nname, pl->valuestring);
            }
        }
        if (!cJSON_IsArray(pins) || cJSON_GetArraySize(pins) < 1)
            return machine_error(m, "%s: nets.%s: expected an array of endpoint names "
                                 "(\"device.pin\")", origin, nname);
        if (m->nnets >= MACHINE_MAX_NETS)
            return machine_error(m, "%s: too many nets", origin);
        unsigned ni = m->nnets++;
        snprintf(m->net_names[ni], sizeof m->net_names[ni], "%s", nname);
        gpio_net_t *net = &m->nets[ni];
        gpio_net_init(net, m->net_names[ni], pull);
        const cJSON *p;
        int k = 0;
        cJSON_ArrayForEach(p, pins) {
            if (!cJSON_IsString(p))
                return machine_error(m, "%s: nets.%s[%d]: must be a string", origin, nname, k);
            endpoint_t *e = machine_find_endpoint(m, p->valuestring);
            if (!e)
                return machine_error(m, "%s: nets.%s[%d]: no endpoint '%s'", origin, nname, k,
                                     p->valuestring);
            if (e->kind != EP_GPIO)
                return machine_error(m, "%s: nets.%s[%d]: '%s' is not a pin", origin, nname, k,
                                     p->valuestring);
            if (e->used)
                return machine_error(m, "%s: nets.%s[%d]: pin '%s' is wired twice", origin,
                                     nname, k, p->valuestring);
            e->used = true;
            if (e->listen_fn && !gpio_net_listen(net, e->listen_fn, e->listen_opaque,
                                                 e->listen_n))
                return machine_error(m, "%s: nets.%s: too many pins", origin, nname);
            if (e->pin && !gpio_net_attach(net, e->pin))
                return machine_error(m, "%s: nets.%s: too many pins", origin, nname);
            k++;
        }
        /* Deliver the resolved level to listeners that joined after it settled. */
        for (unsigned li = 0; li < net->nlisteners; li++)
            net->listeners[li].fn(net->listeners[li].opaque, net->listeners[li].n, net->level);
    }
    return 0;
}

static int wire_spi(machine_t *m, const cJSON *spi, const char *origin)
{
    if (!spi)
        return 0;
    if (!cJSON_IsArray(spi))
        return machine_error(m, "%s: \"spi\" must be an array", origin);
    int idx = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, spi) {
        const cJSON *bus = cJSON_GetObjectItemCaseSensitive(s, "bus");
        const cJSON *dev = cJSON_GetObjectItemCaseSensitive(s, "device");
        const cJSON *cs = cJSON_GetObjectItemCaseSensitive(s, "cs");
        const cJSON *pol = cJSON_GetObjectItemCaseSensitive(s, "cs_active_low");
        const cJSON *it;
        cJSON_ArrayForEach(it, s) {
            if (strcmp(it->string, "bus") && strcmp(it->string, "device") &&
                strcmp(it->string, "cs") && strcmp(it->string, "cs_active_low"))
                return machine_error(m, "%s: spi[%d].%s: unknown field (expected bus, device, "
                                     "cs, cs_active_low)", origin, idx, it->string);
        }
        if (!cJSON_IsString(bus) || !cJSON_IsString(dev) || !cJSON_IsString(cs))
            return machine_error(m, "%s: spi[%d]: needs \"bus\", \"device\" and \"cs\" strings",
                                 origin, idx);
        endpoint_t *eb = machine_find_endpoint(m, bus->valuestring);
        endpoint_t *ed = machine_find_endpoint(m, dev->valuestring);
        gpio_net_t *net = machine_find_net(m, cs->valuestring);
        if (!eb || eb->kind != EP_SPI_BUS)
            return machine_error(m, "%s: spi[%d].bus: no SPI controller '%s'", origin, idx,
                                 bus->valuestring);
        if (!ed || ed->kind != EP_SPI_DEVICE)
            return machine_error(m, "%s: spi[%d].device: no SPI device '%s'", origin, idx,
                                 dev->valuestring);
        if (!net)
            return machine_error(m, "%s: spi[%d].cs: no net '%s' (declare it under \"nets\")",
                                 origin, idx, cs->valuestring);
        if (eb->used || ed->used)
            return machine_error(m, "%s: spi[%d]: '%s' is wired twice", origin, idx,
                                 eb->used ? eb->name : ed->name);
        if (m->ncs >= ARRAY_SIZE(m->cs_adapters))
            return machine_error(m, "%s: too many SPI devices", origin);
        eb->used = ed->used = true;
        spi_bus_attach(eb->spi_bus, ed->spi_ops, ed->spi_dev);
        spi_cs_adapter_init(&m->cs_adapters[m->ncs++], eb->spi_bus, net,
                            pol ? cJSON_IsTrue(pol) : true);
        idx++;
    }
    return 0;
}

int machine_load_board_json(machine_t *m, const char *json_text, const char *origin)
{
    const char *where = NULL;
    cJSON *root = cJSON_ParseWithOpts(json_text, &where, true);
    if (!root) {
        int line = 1, col = 1;
        for (const char *p = json_text; where && p < where && *p; p++) {
            if (*p == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return machine_error(m, "%s:%d:%d: not valid JSON", origin, line, col);
    }
    int rc = -1;
    if (!cJSON_IsObject(root)) {
        machine_error(m, "%s: the board must be a JSON object", origin);
        goto out;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, root) {
        static const char *const known[] = { "name", "description", "devices", "nets", "spi",
                                             "ethernet", "notes" };
        bool ok = false;
        for (unsigned k = 0; k < ARRAY_SIZE(known); k++)
            ok |= !strcmp(it->string, known[k]);
        if (!ok) {
            machine_error(m, "%s: unknown field \"%s\" (expected name, description, devices, "
                          "nets, spi, ethernet)", origin, it->string);
            goto out;
        }
    }
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "name");
    snprintf(m->board_name, sizeof m->board_name, "%s",
             cJSON_IsString(name) ? name->valuestring : "board");
    if (load_devices(m, cJSON_GetObjectItemCaseSensitive(root, "devices"), origin) ||
        wire_nets(m, cJSON_GetObjectItemCaseSensitive(root, "nets"), origin) ||
        wire_spi(m, cJSON_GetObjectItemCaseSensitive(root, "spi"), origin))
        goto out;
    const cJSON *eth = cJSON_GetObjectItemCaseSensitive(root, "ethernet");
    if (eth) {
        int idx = 0;
        const cJSON *e;
        if (!cJSON_IsArray(eth)) {
            machine_error(m, "%s: \"ethernet\" must be an array", origin);
            goto out;
        }
        cJSON_ArrayForEach(e, eth) {
            const cJSON *port = cJSON_GetObjectItemCaseSensitive(e, "port");
            endpoint_t *ep = cJSON_IsString(port) ? machine_find_endpoint(m, port->valuestring)
                                                  : NULL;
            if (!ep || ep->kind != EP_NET_PORT) {
                machine_error(m, "%s: ethernet[%d].port: no network port '%s'", origin, idx,
                              cJSON_IsString(port) ? port->valuestring : "(missing)");
                goto out;
            }
            idx++;
        }
    }
    if (!m->cpu) {
        machine_error(m, "%s: no device of the board provides a CPU", origin);
        goto out;
    }
    m->board_json = root;
    root = NULL;
    rc = 0;
out:
    cJSON_Delete(root);
    return rc;
}

static char *read_text_file(const char *path, size_t max, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    fclose(f);
    if (!buf || n > max) {
        snprintf(err, errlen, "%s: file too large (limit %zu bytes)", path, max);
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    return buf;
}

/* Directories searched for a board given by name. */
static void board_candidates(const char *name, char out[][512], unsigned *n)
{
    *n = 0;
    const char *env = getenv("GLITCHBOX_BOARDS");
    if (env && *env)
        snprintf(out[(*n)++], 512, "%s/%s.json", env, name);
    snprintf(out[(*n)++], 512, "models/boards/%s.json", name);
    char exe[400];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k > 0) {
        exe[k] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            snprintf(out[(*n)++], 512, "%s/../models/boards/%s.json", exe, name);
            snprintf(out[(*n)++], 512, "%s/../share/glitchbox/boards/%s.json", exe, name);
        }
    }
}

int machine_load_board(machine_t *m, const char *name_or_path)
{
    char path[512];
    bool is_path = strchr(name_or_path, '/') || strstr(name_or_path, ".json");
    if (is_path) {
        snprintf(path, sizeof path, "%s", name_or_path);
    } else {
        char cand[4][512];
        unsigned n;
        board_candidates(name_or_path, cand, &n);
        path[0] = 0;
        for (unsigned i = 0; i < n && !path[0]; i++)
            if (access(cand[i], R_OK) == 0)
                memcpy(path, cand[i], sizeof path);
        if (!path[0])
            return machine_error(m, "no board named '%s' (looked for %s and next to the "
                                 "glitchbox binary; a path to a .json file works too)",
                                 name_or_path, cand[n > 1 ? 1 : 0]);
    }
    char err[512];
    char *text = read_text_file(path, 1 << 20, err, sizeof err);
    if (!text)
        return machine_error(m, "board %s", err);
    snprintf(m->board_path, sizeof m->board_path, "%s", path);
    int rc = machine_load_board_json(m, text, path);
    free(text);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* resets */

void machine_reset(machine_t *m, enum reset_kind kind, enum reset_cause cause)
{
    m->last_reset_cause = cause;
    m->resets++;
    m->reset_pending = 0;
    for (unsigned i = 0; i < m->ninstances; i++) {
        machine_instance_t *mi = &m->instances[i];
        if (mi->cls->reset)
            mi->cls->reset(mi->inst, kind);
    }
    if (m->cpu)
        cpu_reset(m->cpu);
}

void machine_request_reset(machine_t *m, enum reset_cause cause)
{
    if (m->power_off)
        return;
    m->reset_pending = (int)cause + 1;
    if (m->cpu)
        cpu_request_stop(m->cpu);
}

static void power_restored(void *opaque)
{
    machine_t *m = opaque;
    m->power_off = false;
    machine_reset(m, RESET_POWER_ON, RESET_CAUSE_POWER_ON);
}

void machine_power_cut(machine_t *m, sim_time_t off_for)
{
    if (m->power_off || m->power_cut_pending)
        return;
    m->power_cut_pending = true;
    m->power_off_for = off_for;
    if (m->cpu)
        cpu_request_stop(m->cpu);
}

static void handle_pending_power_cut(machine_t *m)
{
    if (!m->power_cut_pending)
        return;
    sim_time_t off_for = m->power_off_for;
    m->power_cut_pending = false;
    m->power_off = true;
    m->power_cuts++;
    m->reset_pending = 0;
    for (unsigned i = 0; i < m->ninstances; i++) {
        machine_instance_t *mi = &m->instances[i];
        if (mi->cls->reset)
            mi->cls->reset(mi->inst, RESET_POWER_CUT);
    }
    if (m->cpu)
        m->cpu->sleeping = false;
    if (!m->power_ev.fn)
        sched_event_init(&m->power_ev, "machine.power", power_restored, m);
    if (off_for != SIM_TIME_NEVER)
        sched_after(&m->sched, &m->power_ev, off_for);
}

/* ---------------------------------------------------------------------- */
/* console */

void machine_console_write(machine_t *m, const char *source, const uint8_t *buf, size_t len)
{
    if (m->console) {
        m->console(m->console_opaque, source, buf, len);
        return;
    }
    fwrite(buf, 1, len, stdout);
    fflush(stdout);
}

/* ---------------------------------------------------------------------- */
/* run loop */

/* Run the events up to 't', stopping at the one that cuts the power: what
 * would follow belongs after the cut (a flash operation that a stalled core
 * waited for must not finish). */
static void run_events_until(machine_t *m, sim_time_t t)
{
    while (!m->power_cut_pending) {
        sim_time_t next = sched_next_deadline(&m->sched);
        if (next > t) {
            sched_advance(&m->sched, t);
            return;
        }
        sched_advance(&m->sched, next);
        sched_run_due(&m->sched);
    }
}

static void handle_pending_reset(machine_t *m)
{
    if (m->reset_pending) {
        enum reset_cause cause = (enum reset_cause)(m->reset_pending - 1);
        machine_reset(m, RESET_SYSTEM, cause);
    }
}

enum cpu_stop machine_run(machine_t *m, sim_time_t until)
{
    cpu_t *cpu = m->cpu;
    for (;;) {
        handle_pending_power_cut(m);
        handle_pending_reset(m);
        if (m->exit_requested)
            return CPU_STOP_EXIT;
        /* Events due now run before the next instruction. */
        sched_run_due(&m->sched);
        if (m->reset_pending || m->power_cut_pending || m->exit_requested)
            continue;
        sim_time_t now = m->sched.now;
        if (now >= until)
            return CPU_STOP_LIMIT;
        sim_time_t next = sched_next_deadline(&m->sched);
        sim_time_t deadline = next < until ? next : until;

        if (!cpu || m->power_off || cpu->sleeping || cpu->locked_up) {
            if (m->power_off) {
                if (next == SIM_TIME_NEVER && until == SIM_TIME_NEVER)
                    return CPU_STOP_SLEEP;
                sched_run_until(&m->sched, deadline);
                if (cpu)
                    cpu_sync_to_time(cpu, m->sched.now);
                continue;
            }
            if (cpu && cpu->locked_up && !m->watchdog_armed)
                return CPU_STOP_LOCKUP;
            if (next == SIM_TIME_NEVER && until == SIM_TIME_NEVER)
                return cpu && cpu->locked_up ? CPU_STOP_LOCKUP : CPU_STOP_SLEEP;
            sched_run_until(&m->sched, deadline);
            if (cpu && cpu->sleeping && !cpu->sleep_held && !cpu->locked_up &&
                armv7m_wakeup_pending(cpu, cpu->sleep_wfe)) {
                cpu->sleeping = false;
                cpu->exc_check = true;
            }
            if (cpu)
                cpu_sync_to_time(cpu, m->sched.now);
            continue;
        }

        sim_cycles_t limit = cpu_cycles_at(cpu, deadline);
        if (limit <= cpu->cycles)
            limit = cpu->cycles + 1;
        enum cpu_stop stop = cpu_run(cpu, limit);
        sim_time_t t = cpu_time_of(cpu, cpu->cycles);
        if (t < m->sched.now)
            t = m->sched.now;
        run_events_until(m, t);
        switch (stop) {
        case CPU_STOP_REQUEST:
            if (m->reset_pending || m->power_cut_pending)
                continue;
            if (m->exit_requested)
                return CPU_STOP_EXIT;
            return CPU_STOP_REQUEST;
        case CPU_STOP_BKPT:
        case CPU_STOP_EXIT:
        case CPU_STOP_BREAK:
        case CPU_STOP_WATCH:
        case CPU_STOP_STEP:
            return stop;
        default:
            break;
        }
    }
}
