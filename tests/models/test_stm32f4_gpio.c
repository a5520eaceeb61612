/*
 * STM32F4 GPIO, EXTI and SYSCFG: reset values per port, BSRR, LCKR, pulls,
 * open drain on a board net, EXTI edges through the SYSCFG routing, the
 * pending register, software trigger, the NVIC lines of each group.
 */
#include "stm32f4_fixture.h"

#define GPIOA 0x40020000u
#define GPIOB 0x40020400u
#define GPIOD 0x40020C00u
#define EXTI 0x40013C00u
#define SYSCFG 0x40013800u

static const char *net_board =
    "{ \"name\": \"t\", \"devices\": [ { \"name\": \"mcu\", \"type\": \"stm32f407\" },"
    "  { \"name\": \"b\", \"type\": \"button\" } ],"
    "  \"nets\": { \"B\": { \"pins\": [\"mcu.PA0\", \"b.out\"], \"pull\": \"down\" },"
    "             \"OD\": { \"pins\": [\"mcu.PB6\", \"mcu.PC6\"], \"pull\": \"up\" } } }";

START_TEST(reset_values)
{
    set_bits(RCC_AHB1ENR, 0x1FF);
    static const struct { uint32_t addr, val; } regs[] = {
        { GPIOA + 0x00, 0xA8000000 }, { GPIOA + 0x08, 0 }, { GPIOA + 0x0C, 0x64000000 },
        { GPIOB + 0x00, 0x00000280 }, { GPIOB + 0x08, 0x000000C0 }, { GPIOB + 0x0C, 0x00000100 },
        { GPIOD + 0x00, 0 }, { GPIOD + 0x04, 0 }, { GPIOD + 0x0C, 0 }, { GPIOD + 0x14, 0 },
        { GPIOD + 0x18, 0 }, { GPIOD + 0x1C, 0 }, { GPIOD + 0x20, 0 }, { GPIOD + 0x24, 0 },
        { 0x40022000, 0 }, /* GPIOI MODER */
    };
    for (unsigned k = 0; k < ARRAY_SIZE(regs); k++)
        ck_assert_msg(rd(regs[k].addr) == regs[k].val, "0x%08x = 0x%08x, want 0x%08x",
                      regs[k].addr, rd(regs[k].addr), regs[k].val);
    /* PA13/PA14/PB4 pulls make IDR bits read 1 (PA14 pulled down) */
    ck_assert_uint_eq(rd(GPIOA + 0x10) & 0xE000, 0xA000);
}
END_TEST

START_TEST(bsrr_odr_lock)
{
    set_bits(RCC_AHB1ENR, 1u << 3);
    wr(GPIOD + 0x00, 0x55000000);                    /* PD12-15 outputs */
    wr(GPIOD + 0x18, 0x0000F000 | 0x10000000);       /* set 12-15 and reset 12: set wins */
    ck_assert_uint_eq(rd(GPIOD + 0x14), 0xF000);
    ck_assert_uint_eq(rd(GPIOD + 0x10) & 0xF000, 0xF000);
    ck_assert_uint_eq(rd(GPIOD + 0x18), 0);          /* BSRR reads 0 */
    wr16(GPIOD + 0x1A, 0x3000);                      /* the reset half by halfword */
    ck_assert_uint_eq(rd(GPIOD + 0x14), 0xC000);
    /* lock PD12: LCKK=1, 0, 1 with the same mask, then LCKK reads 1 */
    wr(GPIOD + 0x1C, 0x11000);
    wr(GPIOD + 0x1C, 0x01000);
    wr(GPIOD + 0x1C, 0x11000);
    ck_assert_uint_eq(rd(GPIOD + 0x1C), 0x11000);
    wr(GPIOD + 0x00, 0);
    ck_assert_uint_eq(rd(GPIOD + 0x00), 0x01000000); /* PD12 stays output */
    wr(GPIOD + 0x1C, 0);                             /* frozen until reset */
    ck_assert_uint_eq(rd(GPIOD + 0x1C), 0x11000);
    set_bits(RCC + 0x10, 1u << 3);                   /* GPIOD reset line */
    clear_bits(RCC + 0x10, 1u << 3);
    ck_assert_uint_eq(rd(GPIOD + 0x1C), 0);
    ck_assert_uint_eq(rd(GPIOD + 0x00), 0);
    /* an input with pull-up reads 1, analog reads 0 */
    set_bits(RCC_AHB1ENR, 1u << 2);
    wr(0x4002080C, 1u << 10);
    ck_assert_uint_eq(rd(0x40020810) & (1u << 5), 1u << 5);
    wr(0x40020800, 3u << 10);
    ck_assert_uint_eq(rd(0x40020810) & (1u << 5), 0);
}
END_TEST

START_TEST(nets_and_open_drain)
{
    teardown();
    load(net_board, 1);
    set_bits(RCC_AHB1ENR, 7);
    ck_assert_uint_eq(rd(GPIOA + 0x10) & 1, 0);      /* board pull-down */
    char err[64];
    cJSON *t = cJSON_CreateTrue();
    ck_assert_int_eq(machine_set_control(m, "b.pressed", t, err, sizeof err), 0);
    cJSON_Delete(t);
    ck_assert_uint_eq(rd(GPIOA + 0x10) & 1, 1);
    /* PB6 open drain low pulls the shared net, PC6 (input) sees it */
    wr(GPIOB + 0x04, 1u << 6);
    wr(GPIOB + 0x00, rd(GPIOB) | (1u << 12));
    ck_assert_uint_eq(rd(0x40020810) & (1u << 6), 0);
    wr(GPIOB + 0x18, 1u << 6);                       /* released: the pull-up wins */
    ck_assert_uint_eq(rd(0x40020810) & (1u << 6), 1u << 6);
    ck_assert_uint_eq(rd(GPIOB + 0x10) & (1u << 6), 1u << 6);
}
END_TEST

START_TEST(exti_edges_routing_and_groups)
{
    teardown();
    load(net_board, 1);
    set_bits(RCC_AHB1ENR, 1);
    set_bits(RCC_APB2ENR, 1u << 14);                 /* SYSCFG */
    char err[64];
    cJSON *t = cJSON_CreateTrue(), *f = cJSON_CreateFalse();
    wr(EXTI + 0x08, 1);                              /* rising on line 0 */
    machine_set_control(m, "b.pressed", t, err, sizeof err);
    ck_assert_uint_eq(rd(EXTI + 0x14), 0);           /* masked: PR stays 0 */
    machine_set_control(m, "b.pressed", f, err, sizeof err);
    wr(EXTI + 0x00, 1);                              /* unmask */
    machine_set_control(m, "b.pressed", t, err, sizeof err);
    ck_assert_uint_eq(rd(EXTI + 0x14), 1);
    ck_assert(m->cpu->sys.level[EXC_IRQ0 + 6]);      /* EXTI0 */
    wr(EXTI + 0x14, 1);                              /* rc_w1 */
    ck_assert_uint_eq(rd(EXTI + 0x14), 0);
    ck_assert(!m->cpu->sys.level[EXC_IRQ0 + 6]);
    machine_set_control(m, "b.pressed", f, err, sizeof err); /* falling: not selected */
    ck_assert_uint_eq(rd(EXTI + 0x14), 0);
    wr(EXTI + 0x0C, 1);
    machine_set_control(m, "b.pressed", t, err, sizeof err);
    machine_set_control(m, "b.pressed", f, err, sizeof err);
    ck_assert_uint_eq(rd(EXTI + 0x14), 1);
    wr(EXTI + 0x14, 1);
    /* line 0 routed to port D: PA0 no longer reaches it */
    wr(SYSCFG + 0x08, 3);
    ck_assert_uint_eq(rd(SYSCFG + 0x08), 3);
    machine_set_control(m, "b.pressed", t, err, sizeof err);
    ck_assert_uint_eq(rd(EXTI + 0x14), 0);
    /* software trigger on line 12 (group EXTI15_10, IRQ 40) */
    wr(EXTI + 0x00, 1u << 12);
    wr(EXTI + 0x10, 1u << 12);
    ck_assert_uint_eq(rd(EXTI + 0x14), 1u << 12);
    ck_assert(m->cpu->sys.level[EXC_IRQ0 + 40]);
    wr(EXTI + 0x14, 1u << 12);
    ck_assert_uint_eq(rd(EXTI + 0x10), 0);           /* SWIER bit cleared with PR */
    ck_assert(!m->cpu->sys.level[EXC_IRQ0 + 40]);
    /* line 7 is in EXTI9_5 (IRQ 23) */
    wr(EXTI + 0x00, 1u << 7);
    wr(EXTI + 0x10, 1u << 7);
    ck_assert(m->cpu->sys.level[EXC_IRQ0 + 23]);
    /* the compensation cell reports ready */
    wr(SYSCFG + 0x20, 1);
    ck_assert_uint_eq(rd(SYSCFG + 0x20), 0x101);
    cJSON_Delete(t);
    cJSON_Delete(f);
}
END_TEST

START_TEST(pvd_on_exti16)
{
    set_bits(RCC_APB1ENR, 1u << 28);
    wr(EXTI + 0x00, 1u << 16);
    wr(EXTI + 0x08, 1u << 16);                       /* rising: VDD falls below the level */
    wr(0x40007000, rd(0x40007000) | (1u << 4) | (7u << 5)); /* PVDE, 2.9 V */
    ck_assert_uint_eq(rd(0x40007004) & 4, 0);
    char err[64];
    cJSON *v = cJSON_CreateNumber(2800);
    ck_assert_int_eq(machine_set_control(m, "mcu.vdd_mv", v, err, sizeof err), 0);
    cJSON_Delete(v);
    ck_assert_uint_eq(rd(0x40007004) & 4, 4);        /* PVDO */
    ck_assert_uint_eq(rd(EXTI + 0x14), 1u << 16);
    ck_assert(m->cpu->sys.level[EXC_IRQ0 + 1]);      /* PVD IRQ */
}
END_TEST

int main(void)
{
    const TTest *tests[] = { reset_values, bsrr_odr_lock, nets_and_open_drain,
                             exti_edges_routing_and_groups, pvd_on_exti16 };
    return run_suite("stm32f4_gpio", tests, ARRAY_SIZE(tests));
}
