/*
 * glitchbox-ui: the SDL2 front end. It runs a session (a scenario, or a plain
 * board + firmware run described as one) through scenario_run() with its own
 * driver: the machine runs in slices that end on the input log's millisecond
 * ticks, paced to real time or as fast as possible, paused and stepped; the
 * window shows the board, the console, the network timeline and the faults
 * and controls a user can act on.
 *
 * Everything a user does to the simulation (cable, power, buttons, controls,
 * SPI bit errors, console typing) is an input-log record (sim/inputlog.h):
 * applied at the next tick of virtual time and recorded, so `--record FILE`
 * writes a replay file that `glitchbox replay FILE` reproduces exactly. The
 * UI only reads model state otherwise (pin levels, link state, probe counts,
 * link watchers); the pacing reads host time, the simulation never does.
 */
#ifndef UI_UI_H
#define UI_UI_H

#include <stdbool.h>
#include "gfx.h"
#include "scene.h"
#include "script.h"
#include "sim/scenario.h"
#include "sim/session.h"

/* Colours of the theme (0xRRGGBB). */
#define C_BG 0x111419
#define C_PANEL 0x191d24
#define C_PANEL_HI 0x20252e
#define C_BORDER 0x2b313b
#define C_TEXT 0xdfe4ea
#define C_DIM 0x8e98a6
#define C_FAINT 0x59626f
#define C_ACCENT 0x4cc2ff
#define C_GREEN 0x3ddc84
#define C_ORANGE 0xffa94d
#define C_RED 0xff5c5c
#define C_BLUE 0x4d8dff
#define C_MAGENTA 0xd36bff
#define C_YELLOW 0xffd84d

#define UI_MIN_W 1024          /* the smallest window the layout fits */
#define UI_MIN_H 640
#define UI_MAX_WIDGETS 768
#define UI_MAX_LEDS 12
#define UI_MAX_LINKS SCENE_MAX_LINKS
#define UI_MAX_SPI 4
#define UI_MAX_HOLD 4

typedef struct ui_widget {
    char id[112];
    SDL_Rect r;
    bool hold;                /* acts on press and release (a push button) */
} ui_widget_t;

typedef struct ui_led {
    char label[12];           /* silkscreen name, "LD4" */
    char what[48];            /* "PD12 green" */
    uint32_t on_rgb, off_rgb;
    const gpio_pin_t *pin;    /* its level; NULL: the model does not expose it */
    const struct led *model;  /* an LED model on the pin's net: its state wins */
    bool on;
    int x, y;                 /* where it was drawn (centre), for tests */
    bool drawn;
} ui_led_t;

typedef struct ui_link {
    net_link_t *l;
    char name[48];
    int dev_end;              /* the board's end of the cable (0 or 1; -1: none) */
    char dev_name[64], peer_name[64];
    bool up;
} ui_link_t;

typedef struct ui_spi {
    endpoint_t *ep;
    int ber_exp;              /* the rate offered: 10^ber_exp */
    bool on;
} ui_spi_t;

typedef struct ui_control {
    endpoint_t *ep;
    char last[64];            /* the value set from the UI, "" if none */
    bool takes_true, takes_false; /* offered as on/off: its help speaks of true/false */
} ui_control_t;

/* A push button held from the UI: the release waits until it has been down
 * long enough for the board to see it. */
typedef struct ui_hold {
    char id[32];
    char target[64];          /* a button model's "<name>.pressed" control, or a pin or net */
    bool control;             /* pressed through the button model's control */
    char press_level[8];      /* without one: the level a press forces */
    bool down;
    sim_time_t down_at;
    bool release_pending;
} ui_hold_t;

typedef struct ui_opts {
    const char *scenario, *board, *network, *serve, *stop_on, *record, *out_dir, *script;
    const char *screenshot, *console_uart;
    session_firmware_t firmware[SESSION_MAX_FIRMWARE];
    unsigned nfirmware;
    uint64_t seed;
    bool seed_set;
    sim_time_t max_time;
    bool max_time_set;
    double speed;             /* 0 = as fast as possible */
    bool paused;
    bool exit_at_end, headless, verbose, list_widgets;
    int width, height;
} ui_opts_t;

typedef struct ui {
    ui_opts_t o;
    gfx_t g;
    scene_t *scene;
    scenario_t *sc;
    session_t *s;
    machine_t *m;
    char run_name[64], run_desc[256];
    /* run state */
    bool paused, ended, quit;
    enum cpu_stop stop;
    sim_time_t limit;         /* the run's time limit */
    sim_time_t reached;       /* the last slice end reached */
    double speed;             /* virtual s per wall s; 0 = as fast as possible */
    double anchor_wall;
    sim_time_t anchor_virt;
    sim_time_t step_ns;
    double speed_seen;        /* measured */
    double meas_wall;
    sim_time_t meas_virt;
    double wall_start;
    /* what the board offers */
    ui_led_t leds[UI_MAX_LEDS];
    unsigned nleds;
    bool discovery, enc_module;
    char mcu_name[32], eth_name[32];
    ui_link_t links[UI_MAX_LINKS];
    unsigned nlinks;
    ui_spi_t spi[UI_MAX_SPI];
    unsigned nspi;
    ui_control_t *controls;
    unsigned ncontrols;
    endpoint_t **probes;
    unsigned nprobes;
    ui_hold_t hold[UI_MAX_HOLD];   /* [0] reset, [1] user button */
    int power_idx;            /* power cut duration choice */
    bool power_off;
    /* console */
    char console_uart[64];
    session_console_fn prev_hook;
    void *prev_hook_opaque;
    machine_console_fn prev_console;
    void *prev_console_opaque;
    bool console_focus;
    int console_scroll;       /* lines up from the bottom */
    /* outside input */
    unsigned inputs_seen;     /* records of the input log turned into marks */
    bool input_error_shown;
    unsigned submitted;
    cJSON *submit_log;        /* what was submitted when (for dumps) */
    char status[256];
    uint32_t status_color;
    /* controls panel */
    int tab;                  /* 0 controls, 1 probes */
    int list_scroll;
    char edit_ctl[80];        /* the control being edited, "" if none */
    char edit_buf[128];
    char filter[64];          /* shows the controls/probes whose name or help holds it */
    bool filter_focus;
    /* timeline */
    int span_idx;
    /* widgets (as drawn in the last frame) */
    ui_widget_t widgets[UI_MAX_WIDGETS];
    unsigned nwidgets;
    char pressed[112];
    char hover[112];
    int mx, my;
    /* script */
    script_t script;
    bool have_script;
    bool script_failed;
} ui_t;

/* app.c */
int ui_main(int argc, char **argv);
/* The virtual time shown: the machine's (an instruction stalled on a flash
 * erase can take it past the end of the last slice). */
sim_time_t ui_now(const ui_t *ui);
void ui_submit(ui_t *ui, cJSON *rec, const char *what);
void ui_action_click(ui_t *ui, const char *id);
void ui_action_press(ui_t *ui, const char *id);
void ui_action_release(ui_t *ui, const char *id);
void ui_set_status(ui_t *ui, uint32_t color, const char *fmt, ...) SIM_PRINTF(3, 4);
double ui_speed_choice(int k);
extern const unsigned ui_nspeeds;

/* views.c */
void ui_draw(ui_t *ui);
void ui_widget(ui_t *ui, const char *id, int x, int y, int w, int h, bool hold);
/* The tooltip shown while the pointer rests on widget 'id'. */
void ui_tooltip(ui_t *ui, const char *id, const char *text);
/* A button: flags below. Returns its width. */
enum { BTN_ON = 1, BTN_DANGER = 2, BTN_HOLD = 4, BTN_SMALL = 8, BTN_DISABLED = 16,
       BTN_ACCENT = 32 };
void ui_button(ui_t *ui, const char *id, int x, int y, int w, int h, const char *label,
               unsigned flags);
extern const sim_time_t ui_spans[];
extern const unsigned ui_nspans;
extern const sim_time_t ui_power_choices[];
extern const unsigned ui_npower;
extern const sim_time_t ui_steps[];
extern const unsigned ui_nsteps;

/* board.c */
void ui_draw_board(ui_t *ui, SDL_Rect area);

#endif
