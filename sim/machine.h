/*
 * A machine: one CPU, one bus, one scheduler, the model instances of a board,
 * and the named endpoints through which the board file wires them.
 *
 * Boards are JSON files (models/boards/README.md documents the format):
 *
 *   { "name": "stm32f407-enc28j60",
 *     "devices": [ { "name": "mcu", "type": "stm32f407", "hse_hz": 8000000 },
 *                  { "name": "eth", "type": "enc28j60", "revision": "B7" },
 *                  { "name": "led_green", "type": "led", "color": "green" } ],
 *     "nets": { "ENC_CS": ["mcu.PB12", "eth.cs"], "LED4": ["mcu.PD12", "led_green.in"] },
 *     "spi":  [ { "bus": "mcu.spi2", "device": "eth.spi", "cs": "ENC_CS" } ],
 *     "ethernet": [ { "port": "eth.eth0", "network": "lan" } ] }
 *
 * Contract:
 * - A model class (model_class_t) creates an instance from its JSON object and
 *   registers its endpoints by name ("<instance>.<endpoint>"): GPIO endpoints
 *   (a pin it drives and/or a listener for the level), SPI controller buses,
 *   SPI devices, net ports and clocks. The machine then wires them from the
 *   board's "nets", "spi" and "ethernet" sections. Models never see each other.
 * - An instance that is the CPU's SoC creates the CPU with machine_create_cpu()
 *   and maps its memory on m->bus.
 * - Resets: machine_reset(kind) calls every instance's reset in creation order,
 *   then resets the CPU. Power-on clears volatile memories (models decide what
 *   they keep); a system reset keeps RAM contents.
 * - Errors in a board file are reported through machine_error() with the file
 *   and JSON path ("boards/x.json: devices[1].type: unknown model 'enc28j6'")
 *   and make machine_load_board() fail; nothing is half-built after a failure.
 * - Every instance gets its own RNG stream: machine_rng(m, "eth") derives it
 *   from the run's seed and the instance name.
 */
#ifndef SIM_MACHINE_H
#define SIM_MACHINE_H

#include <cjson/cJSON.h>
#include "types.h"
#include "bus.h"
#include "sched.h"
#include "gpio.h"
#include "spi.h"
#include "netport.h"
#include "clock.h"
#include "rng.h"
#include "irq.h"
#include "control.h"
#include "cpu/cpu.h"

typedef struct machine machine_t;

enum reset_kind {
    RESET_POWER_ON = 0, /* power applied: all volatile state lost */
    RESET_SYSTEM,       /* SYSRESETREQ, watchdog, NRST pin: RAM survives */
    RESET_POWER_CUT,    /* power removed now: stop everything, cancel events, and leave
                           what a real chip leaves behind (an interrupted flash
                           operation's partial result); RESET_POWER_ON follows when
                           power returns */
};
/* Why the last system reset happened (models read it to set reset flags). */
enum reset_cause {
    RESET_CAUSE_POWER_ON = 0,
    RESET_CAUSE_PIN,        /* NRST pin / reset button */
    RESET_CAUSE_SOFTWARE,   /* AIRCR.SYSRESETREQ */
    RESET_CAUSE_IWDG,
    RESET_CAUSE_WWDG,
    RESET_CAUSE_LOW_POWER,
    RESET_CAUSE_DEBUGGER,
    RESET_CAUSE_STANDBY,    /* wake-up from a low-power mode that powered the core domain
                               down (STM32 Standby): only what the SoC keeps survives */
};

typedef struct model_class {
    const char *type;   /* "stm32f407", "enc28j60", "led" ... */
    const char *summary;
    /* Create from the device's JSON object; register endpoints. Return NULL
     * after machine_error() on a bad configuration. */
    void *(*create)(machine_t *m, const char *name, const cJSON *cfg);
    void (*reset)(void *inst, enum reset_kind kind);
    void (*destroy)(void *inst);
} model_class_t;

/* The table of all model classes (models/registry.c). */
extern const model_class_t *const model_classes[];

enum endpoint_kind { EP_GPIO, EP_SPI_BUS, EP_SPI_DEVICE, EP_NET_PORT, EP_CLOCK, EP_IRQ, EP_MEMORY,
                     EP_UART, EP_CONTROL, EP_PROBE };
/* Bytes arriving on a UART's receive line; returns how many it accepted. */
typedef size_t (*uart_rx_fn)(void *dev, const uint8_t *buf, size_t len);

typedef struct endpoint {
    char name[64];
    enum endpoint_kind kind;
    /* EP_GPIO: pin the model drives (may be NULL for pure inputs) and a
     * listener for the net level (fn may be NULL for pure outputs). */
    gpio_pin_t *pin;
    gpio_listener_fn listen_fn;
    void *listen_opaque;
    int listen_n;
    /* EP_SPI_BUS */
    spi_bus_t *spi_bus;
    /* EP_UART: receive side of a serial port */
    uart_rx_fn uart_rx;
    void *uart_dev;
    /* EP_SPI_DEVICE */
    const spi_device_ops_t *spi_ops;
    void *spi_dev;
    /* EP_NET_PORT */
    net_port_t *port;
    /* EP_CLOCK */
    sim_clock_t *clock;
    /* EP_IRQ: an output line a model drives */
    irq_line_t *irq;
    /* EP_MEMORY: a non-volatile memory the front ends load/save (--flash FILE) */
    uint8_t *mem;
    size_t mem_len;
    uint32_t mem_base;
    /* EP_CONTROL (control.h): a setting changed at run time */
    control_set_fn control_set;
    void *control_dev;
    const char *help;      /* EP_CONTROL, EP_PROBE: one line for `glitchbox controls` */
    /* EP_PROBE */
    sim_probe_t *probe;
    bool used;
} endpoint_t;

#define MACHINE_MAX_INSTANCES 64
#define MACHINE_MAX_ENDPOINTS 512
#define MACHINE_MAX_NETS 256

typedef struct machine_instance {
    char name[32];
    const model_class_t *cls;
    void *inst;
} machine_instance_t;

typedef void (*machine_console_fn)(void *opaque, const char *source, const uint8_t *buf, size_t len);

struct machine {
    char board_name[64];
    char board_path[256];
    sched_t sched;
    bus_t bus;
    cpu_t *cpu;
    uint64_t seed;
    machine_instance_t instances[MACHINE_MAX_INSTANCES];
    unsigned ninstances;
    endpoint_t endpoints[MACHINE_MAX_ENDPOINTS];
    unsigned nendpoints;
    gpio_net_t nets[MACHINE_MAX_NETS];
    char net_names[MACHINE_MAX_NETS][32];
    unsigned nnets;
    spi_cs_adapter_t cs_adapters[32];
    unsigned ncs;
    enum reset_cause last_reset_cause;
    uint64_t resets;
    int reset_pending;     /* cause + 1 of a requested system reset, 0 = none */
    bool watchdog_armed;   /* a watchdog runs: keep time going through a lockup */
    cJSON *board_json;     /* the parsed board (the network reads "ethernet") */
    /* console (UART TX, semihosting) */
    machine_console_fn console;
    void *console_opaque;
    /* run state */
    bool exit_requested;
    int exit_code;
    bool power_off;        /* power is cut: no CPU, no board events until it returns */
    bool power_cut_pending; /* machine_power_cut() was called: cut at the next boundary */
    sim_time_t power_off_for;
    sched_event_t power_ev; /* power returns */
    uint64_t power_cuts;
    char error[512];       /* last error message */
};

machine_t *machine_new(uint64_t seed);
void machine_free(machine_t *m);
/* Load a board by name (models/boards/NAME.json, searched in the board path)
 * or by file path; builds every device and wires it. */
int machine_load_board(machine_t *m, const char *name_or_path);
int machine_load_board_json(machine_t *m, const char *json_text, const char *origin);
/* Record an error message (printf-style); returns -1 for convenience. */
int machine_error(machine_t *m, const char *fmt, ...) SIM_PRINTF(2, 3);

/* Used by SoC models. */
cpu_t *machine_create_cpu(machine_t *m, unsigned num_irqs, unsigned prio_bits, bool has_fpu);
void machine_rng(const machine_t *m, const char *name, rng_t *out);

/* Endpoint registration (by models, during create). Names are "inst.ep". */
int machine_add_gpio(machine_t *m, const char *inst, const char *ep, gpio_pin_t *pin,
                     gpio_listener_fn fn, void *opaque, int n);
int machine_add_spi_bus(machine_t *m, const char *inst, const char *ep, spi_bus_t *bus);
int machine_add_spi_device(machine_t *m, const char *inst, const char *ep,
                           const spi_device_ops_t *ops, void *dev);
int machine_add_net_port(machine_t *m, const char *inst, const char *ep, net_port_t *port);
int machine_add_uart(machine_t *m, const char *inst, const char *ep, uart_rx_fn rx, void *dev);
int machine_add_clock(machine_t *m, const char *inst, const char *ep, sim_clock_t *clk);
/* Non-volatile memory (flash) that `--flash FILE` loads and saves; ep "flash". */
int machine_add_memory(machine_t *m, const char *inst, const char *ep, uint8_t *mem,
                       size_t len, uint32_t base);
/* Controls and probes (control.h). Names are "inst.name"; 'help' is one line. */
int machine_add_control(machine_t *m, const char *inst, const char *name, const char *help,
                        control_set_fn fn, void *dev);
int machine_add_probe(machine_t *m, const char *inst, const char *name, const char *help,
                      sim_probe_t *probe);
/* Set a control by its full name; -1 with the reason in err (unknown name, bad value). */
int machine_set_control(machine_t *m, const char *full_name, const cJSON *value, char *err,
                        size_t errlen);
sim_probe_t *machine_find_probe(machine_t *m, const char *full_name);
endpoint_t *machine_find_endpoint(machine_t *m, const char *full_name);
/* The nth endpoint of a kind (0-based), in registration order; NULL past the end. */
endpoint_t *machine_find_endpoint_kind(machine_t *m, enum endpoint_kind kind, unsigned nth);
gpio_net_t *machine_find_net(machine_t *m, const char *net_name);
/* The net a pin endpoint is wired to. An unwired pin is put on a new net of
 * its own (named after it, with 'pull'), so a scenario or a front end can
 * drive it like any other. NULL if the name is not a pin or nets are full. */
gpio_net_t *machine_pin_net(machine_t *m, const char *pin_name, enum gpio_pull pull);
void *machine_find_instance(machine_t *m, const char *name, const char *type);

/* Reset: kind and the cause models report in their reset flags. */
void machine_reset(machine_t *m, enum reset_kind kind, enum reset_cause cause);
/* Request a system reset from a model (watchdog, SYSRESETREQ); it happens
 * at the end of the current instruction/event, not inside the caller. */
void machine_request_reset(machine_t *m, enum reset_cause cause);

/* Cut the board's power and restore it 'off_for' later (SIM_TIME_NEVER:
 * never). Every instance is reset with RESET_POWER_CUT, then with
 * RESET_POWER_ON when power returns; the CPU does not run in between. What is
 * not on the board (the network, its hosts) keeps running. Safe to call from
 * an event, a model or a probe watcher: the cut happens at the end of the
 * current instruction or event, so an operation that instruction started is
 * in progress when the power goes. A cut while the power is off is ignored. */
void machine_power_cut(machine_t *m, sim_time_t off_for);

/* Console output from the guest (UART TX bytes, semihosting). */
void machine_console_write(machine_t *m, const char *source, const uint8_t *buf, size_t len);

/* Run until virtual time 'until', an exit, a lockup or a stop request.
 * Returns the cpu stop reason that ended the run (CPU_STOP_LIMIT at 'until'). */
enum cpu_stop machine_run(machine_t *m, sim_time_t until);
static inline sim_time_t machine_now(const machine_t *m) { return m->sched.now; }

#endif
