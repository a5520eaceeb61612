/*
 * ENC28J60 PHY (DS39662E sections 2.6, 3.3, 10): the PHY registers behind
 * MICMD/MIREGADR/MIWR/MIRD, MII timing (BUSY for 10.24 us per access,
 * continuous scan with NVALID), link status (PHSTAT1.LLSTAT latching low,
 * PHSTAT2.LSTAT live), the PHIE/PHIR link-change interrupt feeding
 * EIR.LINKIF, the two LED drivers (PHLCON) and the CLKOUT pin (ECOCON).
 *
 * Link: the cable state comes from the net port; the PHY brings the link up
 * link_delay after a reset, a wake from power save or the cable coming back
 * (0 by default: up at once), and drops it at once when the cable goes or
 * the PHY powers down. PHCON2.FRCLNK forces it up.
 *
 * LED timing: stretch times 40/70/140 ms (LFRQ); the blink modes toggle
 * every 62.5 ms (fast) and 250 ms (slow) - the datasheet gives no rates.
 * Not modelled: jabber (JBSTAT never sets), PHY register access timing
 * beyond MII's 10.24 us.
 */
#include <string.h>
#include "enc28j60_regs.h"
#include "sim/log.h"

#define ENC_MII_CYCLES 256u        /* 10.24 us */
#define ENC_PHLCON_RESET 0x3422u
#define ENC_PHID1_VALUE 0x0083u    /* Microchip OUI 00-04-A3, PHY part 00h, revision 0h */
#define ENC_PHID2_VALUE 0x1400u

static const sim_time_t stretch_ns[4] = { SIM_MS(40), SIM_MS(70), SIM_MS(140), SIM_MS(140) };
#define BLINK_FAST_NS (SIM_US(62500))
#define BLINK_SLOW_NS SIM_MS(250)

bool enc_phy_full_duplex(const enc28j60_t *s)
{
    return s->phy[ENC_PHCON1] & ENC_PHCON1_PDPXMD;
}

/* Is the twisted-pair receiver working (PHY powered, not in loopback)? */
bool enc_phy_receiving(const enc28j60_t *s)
{
    return s->powered && !s->in_reset && !(s->econ2 & ENC_ECON2_PWRSV) &&
           !(s->phy[ENC_PHCON1] & (ENC_PHCON1_PPWRSV | ENC_PHCON1_PLOOPBK));
}

bool enc_phy_link(const enc28j60_t *s)
{
    return s->link_up;
}

/* ------------------------------------------------------------------------ */
/* link */

static bool link_target(const enc28j60_t *s)
{
    if (!s->powered || s->in_reset || (s->econ2 & ENC_ECON2_PWRSV) ||
        (s->phy[ENC_PHCON1] & ENC_PHCON1_PPWRSV))
        return false;
    return s->cable_up || (s->phy[ENC_PHCON2] & ENC_PHCON2_FRCLNK);
}

static void phir_update(enc28j60_t *s)
{
    uint16_t ie = s->phy[ENC_PHIE];
    bool pgif = (s->phy[ENC_PHIR] & ENC_PHIR_PLNKIF) && (ie & ENC_PHIE_PLNKIE) && (ie & ENC_PHIE_PGEIE);
    if (pgif) {
        s->phy[ENC_PHIR] |= ENC_PHIR_PGIF;
        s->eir |= ENC_INT_LINK;
    } else {
        s->phy[ENC_PHIR] &= (uint16_t)~ENC_PHIR_PGIF;
        s->eir &= (uint8_t)~ENC_INT_LINK;
    }
    enc_update_irq(s);
}

static void set_link(enc28j60_t *s, bool up)
{
    if (up == s->link_up)
        return;
    s->link_up = up;
    if (!up)
        s->llstat_low = true;
    s->phy[ENC_PHIR] |= ENC_PHIR_PLNKIF;
    enc_log_event(s, ENC_EV_LINK, up, 0, 0);
    probe_hit(&s->pr_link);
    phir_update(s);
    enc_led_update(s);
}

/* Something that decides the link changed: bring the link to where it
 * should be, after link_delay when it comes up. */
void enc_phy_power_changed(enc28j60_t *s)
{
    bool target = link_target(s);
    if (!target) {
        sched_cancel(s->sched, &s->link_ev);
        set_link(s, false);
        return;
    }
    if (s->link_up || sched_is_armed(&s->link_ev))
        return;
    if (!s->link_delay)
        set_link(s, true);
    else
        sched_after(s->sched, &s->link_ev, s->link_delay);
}

void enc_link_event(void *opaque)
{
    enc28j60_t *s = opaque;
    if (link_target(s))
        set_link(s, true);
}

void enc_link_changed(void *owner, bool up)
{
    enc28j60_t *s = owner;
    s->cable_up = up;
    if (s->powered)
        enc_phy_power_changed(s);
}

/* ------------------------------------------------------------------------ */
/* PHY registers */

void enc_phy_reset(enc28j60_t *s, bool power_on)
{
    (void)power_on;
    sched_cancel(s->sched, &s->mii_ev);
    s->mii_op = 0;
    memset(s->phy, 0, sizeof s->phy);
    bool full = s->strap_full_duplex;
    if (enc_erratum_draw(s, ENC_ERR_LED_AUTOPOLARITY)) {
        full = !full;
        enc_erratum_hit(s, ENC_ERR_LED_AUTOPOLARITY, full);
    }
    if (full)
        s->phy[ENC_PHCON1] = ENC_PHCON1_PDPXMD;
    s->phy[ENC_PHLCON] = ENC_PHLCON_RESET;
    /* the PHY restarts: the link is re-established from scratch */
    sched_cancel(s->sched, &s->link_ev);
    s->link_up = false;
    enc_phy_power_changed(s);
    s->phy[ENC_PHIR] = 0;
    s->llstat_low = true;
    phir_update(s);
}

uint16_t enc_phy_peek(const enc28j60_t *s, unsigned reg)
{
    switch (reg) {
    case ENC_PHSTAT1:
        return ENC_PHSTAT1_PFDPX | ENC_PHSTAT1_PHDPX |
               ((s->link_up && !s->llstat_low) ? ENC_PHSTAT1_LLSTAT : 0);
    case ENC_PHID1: return ENC_PHID1_VALUE;
    case ENC_PHID2: return ENC_PHID2_VALUE;
    case ENC_PHSTAT2: {
        sim_time_t now = s->sched->now;
        uint16_t v = 0;
        if (s->tx_busy && now >= s->tx_wire_start && now < s->tx_wire_end)
            v |= s->tx_coll_at >= 0 ? (ENC_PHSTAT2_TXSTAT | ENC_PHSTAT2_COLSTAT) : ENC_PHSTAT2_TXSTAT;
        if (s->rxq_count)
            v |= ENC_PHSTAT2_RXSTAT;
        if (s->link_up)
            v |= ENC_PHSTAT2_LSTAT;
        if (enc_phy_full_duplex(s))
            v |= ENC_PHSTAT2_DPXSTAT;
        if (s->tpin_reversed && !s->erratum_on[ENC_ERR_TPIN_POLARITY])
            v |= ENC_PHSTAT2_PLRITY;
        return v;
    }
    default:
        return reg < 0x20 ? s->phy[reg] : 0;
    }
}

uint16_t enc28j60_phy_peek(const enc28j60_t *s, unsigned reg)
{
    return enc_phy_peek(s, reg);
}

static bool phy_implemented(unsigned reg)
{
    return reg <= ENC_PHID2 || (reg >= ENC_PHCON2 && reg <= ENC_PHLCON);
}

uint16_t enc_phy_read(enc28j60_t *s, unsigned reg)
{
    if (!phy_implemented(reg)) {
        log_once(LOG_GUEST_ERROR, "enc28j60", s->log_key + 0x1000 + reg,
                 "%s: read of reserved PHY register 0x%02x (reads 0)", s->name, reg);
        return 0;
    }
    uint16_t v = enc_phy_peek(s, reg);
    if (reg == ENC_PHSTAT1) {
        s->llstat_low = !s->link_up; /* the latch re-arms when read */
    } else if (reg == ENC_PHIR) {
        s->phy[ENC_PHIR] = 0;   /* reading clears PLNKIF and PGIF, and so LINKIF */
        phir_update(s);
    }
    return v;
}

static void reserved_bits(enc28j60_t *s, unsigned reg, uint16_t v, uint16_t mask, uint16_t want)
{
    if ((v & mask) != want)
        log_once(LOG_GUEST_ERROR, "enc28j60", s->log_key + 0x1100 + reg,
                 "%s: %s = 0x%04x: reserved bits should be 0x%04x (kept as written)", s->name,
                 enc28j60_phy_name(reg), v, want);
}

void enc_phy_write(enc28j60_t *s, unsigned reg, uint16_t v)
{
    switch (reg) {
    case ENC_PHCON1:
        reserved_bits(s, reg, v, 0x36FF, 0);
        if (v & ENC_PHCON1_PRST) { /* PHY reset; the bit clears itself */
            enc_phy_reset(s, false);
            return;
        }
        s->phy[ENC_PHCON1] = v & (ENC_PHCON1_PLOOPBK | ENC_PHCON1_PPWRSV | ENC_PHCON1_PDPXMD);
        if (((s->phy[ENC_PHCON1] & ENC_PHCON1_PDPXMD) != 0) !=
            ((s->regs[2][ENC_MACON3] & ENC_MACON3_FULDPX) != 0))
            log_once(LOG_WARN, "enc28j60", s->log_key + 0x1200,
                     "%s: PHY duplex (PHCON1.PDPXMD) differs from MAC duplex (MACON3.FULDPX)",
                     s->name);
        enc_phy_power_changed(s);
        enc_led_update(s);
        return;
    case ENC_PHCON2:
        reserved_bits(s, reg, v, 0x9AFF, 0);
        s->phy[ENC_PHCON2] = v & (ENC_PHCON2_FRCLNK | ENC_PHCON2_TXDIS | ENC_PHCON2_JABBER |
                                  ENC_PHCON2_HDLDIS);
        enc_phy_power_changed(s);
        return;
    case ENC_PHIE:
        reserved_bits(s, reg, v, 0xFFED, 0);
        s->phy[ENC_PHIE] = v & (ENC_PHIE_PLNKIE | ENC_PHIE_PGEIE);
        phir_update(s);
        return;
    case ENC_PHLCON:
        reserved_bits(s, reg, v, 0xF001, 0x3000);
        s->phy[ENC_PHLCON] = v;
        for (unsigned k = 0; k < 2; k++)
            if (((v >> (8 - 4 * k)) & 0xFu) == 0xE && s->erratum_on[ENC_ERR_LED_DUPLEX_COLL])
                enc_erratum_hit(s, ENC_ERR_LED_DUPLEX_COLL, (uint16_t)k);
        enc_led_update(s);
        return;
    case ENC_PHSTAT1: case ENC_PHSTAT2: case ENC_PHID1: case ENC_PHID2: case ENC_PHIR:
        log_once(LOG_GUEST_ERROR, "enc28j60", s->log_key + 0x1300 + reg,
                 "%s: write to read-only PHY register %s (ignored)", s->name, enc28j60_phy_name(reg));
        return;
    default:
        log_once(LOG_GUEST_ERROR, "enc28j60", s->log_key + 0x1300 + reg,
                 "%s: write to reserved PHY register 0x%02x (ignored)", s->name, reg);
        return;
    }
}

/* ------------------------------------------------------------------------ */
/* MII management */

static void mii_start(enc28j60_t *s, uint8_t op)
{
    s->mii_op = op;
    s->mii_reg = s->regs[2][ENC_MIREGADR] & 0x1F;
    sched_after(s->sched, &s->mii_ev, enc_cycles(s, ENC_MII_CYCLES));
}

static bool mii_idle(enc28j60_t *s, const char *what)
{
    if (!sched_is_armed(&s->mii_ev))
        return true;
    log_once(LOG_GUEST_ERROR, "enc28j60", s->log_key + 0x1400 + (uint64_t)(what[0]),
             "%s: %s while MISTAT.BUSY (ignored)", s->name, what);
    enc_log_event(s, ENC_EV_BAD_COMMAND, ENC_BAD_MII_BUSY, 0, 0);
    probe_hit(&s->pr_bad_command);
    return false;
}

void enc_micmd_written(enc28j60_t *s, uint8_t old, uint8_t v)
{
    bool rd_edge = (v & ENC_MICMD_MIIRD) && !(old & ENC_MICMD_MIIRD);
    bool scan_on = (v & ENC_MICMD_MIISCAN) && !(old & ENC_MICMD_MIISCAN);
    bool scan_off = !(v & ENC_MICMD_MIISCAN) && (old & ENC_MICMD_MIISCAN);
    if (scan_off && s->mii_op == 3) {
        s->mii_op = 0; /* the read in progress finishes, then the scan stops */
        s->regs[3][ENC_MISTAT] &= (uint8_t)~ENC_MISTAT_NVALID;
    }
    /* MIIRD acts on its rising edge: the read completes even when the host
     * clears the bit at once (RIOT does) */
    if (rd_edge && mii_idle(s, "MICMD.MIIRD set"))
        mii_start(s, 1);
    if (scan_on && mii_idle(s, "MICMD.MIISCAN set")) {
        s->regs[3][ENC_MISTAT] |= ENC_MISTAT_NVALID;
        mii_start(s, 3);
    }
}

void enc_miwrh_written(enc28j60_t *s)
{
    if (!mii_idle(s, "MIWRH written"))
        return;
    s->mii_wdata = enc_rd16(s, 2, ENC_MIWRL);
    mii_start(s, 2);
}

void enc_mii_event(void *opaque)
{
    enc28j60_t *s = opaque;
    unsigned reg = s->mii_reg;
    switch (s->mii_op) {
    case 1: case 3: {
        uint16_t v = enc_phy_read(s, reg);
        s->regs[2][ENC_MIRDL] = (uint8_t)v;
        s->regs[2][ENC_MIRDH] = (uint8_t)(v >> 8);
        if (s->mii_op == 3) {
            s->regs[3][ENC_MISTAT] &= (uint8_t)~ENC_MISTAT_NVALID;
            s->mii_reg = s->regs[2][ENC_MIREGADR] & 0x1F;
            sched_after(s->sched, &s->mii_ev, enc_cycles(s, ENC_MII_CYCLES));
            return;
        }
        break;
    }
    case 2:
        enc_phy_write(s, reg, s->mii_wdata);
        break;
    default:
        break;
    }
    s->mii_op = 0;
}

/* ------------------------------------------------------------------------ */
/* LEDs */

void enc_led_activity(enc28j60_t *s, unsigned what, sim_time_t duration)
{
    sim_time_t now = s->sched->now;
    for (unsigned k = 0; k < 3; k++)
        if (what & (1u << k)) {
            sim_time_t until = now + duration;
            if (until > s->act_until[k])
                s->act_until[k] = until;
        }
    enc_led_update(s);
}

/* Is activity 'k' showing at 'now' (stretched if the mode asks for it)? */
static bool active(const enc28j60_t *s, unsigned k, bool stretch, sim_time_t now, sim_time_t *change)
{
    sim_time_t until = s->act_until[k];
    if (!until)
        return false;
    if (stretch)
        until += stretch_ns[(s->phy[ENC_PHLCON] >> 2) & 3u];
    if (until <= now)
        return false;
    if (until < *change)
        *change = until;
    return true;
}

static bool led_state(const enc28j60_t *s, unsigned code, sim_time_t now, sim_time_t *change)
{
    bool strch = s->phy[ENC_PHLCON] & 0x0002;
    bool dpx = enc_phy_full_duplex(s);
    switch (code) {
    case 0x1: return active(s, 0, strch, now, change);
    case 0x2: return active(s, 1, strch, now, change);
    case 0x3: return active(s, 2, strch, now, change);
    case 0x4: return s->link_up;
    case 0x5: return dpx;
    case 0x7: {
        bool tx = active(s, 0, strch, now, change);
        return active(s, 1, strch, now, change) || tx;
    }
    case 0x8: return true;
    case 0x9: return false;
    case 0xA: case 0xB: {
        sim_time_t half = code == 0xA ? BLINK_FAST_NS : BLINK_SLOW_NS;
        sim_time_t next = (now / half + 1) * half;
        if (next < *change)
            *change = next;
        return (now / half) & 1u;
    }
    case 0xC: return s->link_up && !active(s, 1, true, now, change);
    case 0xD: {
        bool tx = active(s, 0, true, now, change);
        return s->link_up && !(active(s, 1, true, now, change) || tx);
    }
    case 0xE:
        if (s->erratum_on[ENC_ERR_LED_DUPLEX_COLL])
            return false;
        return dpx != active(s, 2, true, now, change);
    default: /* 0000, 0110, 1111 are reserved */
        return false;
    }
}

void enc_led_update(enc28j60_t *s)
{
    sim_time_t now = s->sched->now, change = SIM_TIME_NEVER;
    bool on[2] = { false, false };
    if (s->powered && !s->in_reset && !(s->econ2 & ENC_ECON2_PWRSV)) {
        uint16_t l = s->phy[ENC_PHLCON];
        unsigned code[2] = { (l >> 8) & 0xFu, (l >> 4) & 0xFu };
        for (unsigned k = 0; k < 2; k++)
            on[k] = led_state(s, code[k], now, &change);
    }
    s->led[0] = on[0];
    s->led[1] = on[1];
    enum gpio_drive off = s->powered ? GPIO_DRIVE_LOW : GPIO_RELEASED;
    gpio_pin_drive(&s->leda_pin, on[0] ? GPIO_DRIVE_HIGH : off);
    gpio_pin_drive(&s->ledb_pin, on[1] ? GPIO_DRIVE_HIGH : off);
    if (change != SIM_TIME_NEVER)
        sched_at(s->sched, &s->led_ev, change);
    else
        sched_cancel(s->sched, &s->led_ev);
}

void enc_led_event(void *opaque)
{
    enc_led_update(opaque);
}

/* ------------------------------------------------------------------------ */
/* CLKOUT */

void enc_clkout_update(enc28j60_t *s)
{
    static const unsigned divider[8] = { 0, 1, 2, 3, 4, 8, 0, 0 };
    unsigned code = s->regs[3][ENC_ECOCON] & 7u;
    uint64_t hz = 0;
    if (s->powered && divider[code]) {
        /* the oscillator's drift carries through the divider */
        hz = 25ull * (uint64_t)(1000000 + (int64_t)s->osc_ppm) / divider[code];
        if ((s->econ2 & ENC_ECON2_PWRSV) && s->erratum_on[ENC_ERR_CLKOUT_POWER_SAVE]) {
            if (clock_hz(&s->clkout))
                enc_erratum_hit(s, ENC_ERR_CLKOUT_POWER_SAVE, (uint16_t)code);
            hz = 0;
        }
    }
    if (code >= 6)
        log_once(LOG_GUEST_ERROR, "enc28j60", s->log_key + 0x1500,
                 "%s: ECOCON 11x is reserved for factory test (CLKOUT off)", s->name);
    if (clock_hz(&s->clkout) != hz)
        clock_set_hz(&s->clkout, hz);
}
