/*
 * Microchip ENC28J60 (DS39662E; facts and driver cross-checks in the
 * ENC28J60 fact sheet, sections 1-5 and 7).
 *
 * Modelled: the SPI command set framed by chip select (RCR with the dummy
 * byte for MAC/MII registers, RBM, WCR, WBM, BFS/BFC on ETH registers, SRC
 * taking effect when CS rises; reserved opcodes logged and ignored); bank
 * switching and every register with its reset value; 13-bit pointers; RBM
 * with the ERXND -> ERXST wrap and WBM wrapping only at 0x1FFF; the receive
 * ring (next-packet pointer, 6-byte status vector, even alignment, ERXWRPT
 * reset by ERXST/ERXND writes, ERXRDPT taken on the high-byte write,
 * free-space rule, EPKTCNT saturating at 255 with RXERIF on overflow,
 * PKTDEC); the receive filters (unicast, broadcast, multicast, hash table,
 * pattern match, magic packet, CRC check, AND/OR, promiscuous); transmit
 * with the per-packet control byte, MACON3 padding and CRC, MAMXFL, the
 * 7-byte status vector after ETXND, TXIF/TXERIF/TXABRT, cancel by clearing
 * TXRTS, wire time at 10 Mbit/s (preamble + frame + CRC); the DMA copy and
 * Internet checksum; BIST address fill; the PHY through MICMD/MIREGADR/MIWR/
 * MIRD with MISTAT.BUSY for 10.24 us, PHSTAT1 latched-low link, PHSTAT2,
 * PHIE/PHIR link-change interrupt read-to-clear, PHCON1 reset; EIE/EIR with
 * INTIE driving the active-low INT pin; oscillator start-up (CLKRDY 300 us
 * after power-on, the RESET pin or leaving power save); power save; EREVID
 * per silicon revision; an introspection event log.
 *
 * Not modelled: the silicon errata (the revision sets EREVID only; errata
 * switches are accepted in the board file and ignored), half-duplex
 * collisions and back-off, pause frames and flow control, MIISCAN repetition
 * (one read), BIST random and pattern-shift fills (address fill only), LED
 * outputs, the CLKOUT pin.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enc28j60.h"
#include "sim/log.h"

/* common registers */
#define EIE 0x1B
#define EIR 0x1C
#define ESTAT 0x1D
#define ECON2 0x1E
#define ECON1 0x1F
/* bank 0 */
#define ERDPTL 0x00
#define EWRPTL 0x02
#define ETXSTL 0x04
#define ETXNDL 0x06
#define ERXSTL 0x08
#define ERXNDL 0x0A
#define ERXRDPTL 0x0C
#define ERXWRPTL 0x0E
#define EDMASTL 0x10
#define EDMANDL 0x12
#define EDMADSTL 0x14
#define EDMACSL 0x16
/* bank 1 */
#define EHT0 0x00
#define EPMM0 0x08
#define EPMCSL 0x10
#define EPMOL 0x14
#define ERXFCON 0x18
#define EPKTCNT 0x19
/* bank 2 */
#define MACON1 0x00
#define MACON3 0x02
#define MACON4 0x03
#define MABBIPG 0x04
#define MAIPGL 0x06
#define MAIPGH 0x07
#define MACLCON1 0x08
#define MACLCON2 0x09
#define MAMXFLL 0x0A
#define MICMD 0x12
#define MIREGADR 0x14
#define MIWRL 0x16
#define MIWRH 0x17
#define MIRDL 0x18
#define MIRDH 0x19
/* bank 3 */
#define MAADR5 0x00
#define EBSTSD 0x06
#define EBSTCON 0x07
#define EBSTCSL 0x08
#define MISTAT 0x0A
#define EREVID 0x12
#define ECOCON 0x15
#define EFLOCON 0x17
#define EPAUSL 0x18
/* bits */
#define EIR_RXERIF 0x01
#define EIR_TXERIF 0x02
#define EIR_TXIF 0x08
#define EIR_LINKIF 0x10
#define EIR_DMAIF 0x20
#define EIR_PKTIF 0x40
#define EIE_INTIE 0x80
#define ESTAT_CLKRDY 0x01
#define ESTAT_TXABRT 0x02
#define ESTAT_RXBUSY 0x04
#define ESTAT_INT 0x80
#define ECON2_AUTOINC 0x80
#define ECON2_PKTDEC 0x40
#define ECON2_PWRSV 0x20
#define ECON1_TXRST 0x80
#define ECON1_RXRST 0x40
#define ECON1_DMAST 0x20
#define ECON1_CSUMEN 0x10
#define ECON1_TXRTS 0x08
#define ECON1_RXEN 0x04
/* PHY */
#define PHCON1 0x00
#define PHSTAT1 0x01
#define PHID1 0x02
#define PHID2 0x03
#define PHCON2 0x10
#define PHSTAT2 0x11
#define PHIE 0x12
#define PHIR 0x13
#define PHLCON 0x14

#define OST_NS SIM_US(300)
#define MII_NS 10240
#define BYTE_NS 800          /* 10 Mbit/s */
#define PREAMBLE_BYTES 8
#define TX_LATENCY_NS 1000

static void log_event(enc28j60_t *s, enum enc_event_kind k, uint16_t len, uint16_t addr)
{
    unsigned idx = (s->log_head + s->log_count) % ENC_EVENT_LOG;
    if (s->log_count == ENC_EVENT_LOG)
        s->log_head = (s->log_head + 1) % ENC_EVENT_LOG;
    else
        s->log_count++;
    s->log[idx].t = s->sched->now;
    s->log[idx].kind = (uint8_t)k;
    s->log[idx].len = len;
    s->log[idx].addr = addr;
}

unsigned enc28j60_events(const enc28j60_t *s, enc_event_t *out, unsigned max)
{
    unsigned n = s->log_count < max ? s->log_count : max;
    for (unsigned k = 0; k < n; k++)
        out[k] = s->log[(s->log_head + k) % ENC_EVENT_LOG];
    return n;
}

/* ---------------------------------------------------------------------- */
/* registers */

static uint16_t rd16(const enc28j60_t *s, unsigned bank, unsigned lo)
{
    return (uint16_t)(s->bank[bank][lo] | (s->bank[bank][lo + 1] << 8));
}

static void wr16(enc28j60_t *s, unsigned bank, unsigned lo, uint16_t v)
{
    s->bank[bank][lo] = (uint8_t)v;
    s->bank[bank][lo + 1] = (uint8_t)(v >> 8);
}

static unsigned cur_bank(const enc28j60_t *s)
{
    return s->econ1 & 3;
}

static bool is_mac_mii(unsigned bank, unsigned addr)
{
    if (addr >= 0x1B)
        return false;
    if (bank == 2)
        return true;
    return bank == 3 && (addr <= 0x05 || addr == MISTAT);
}

static void update_int(enc28j60_t *s)
{
    uint8_t pend = s->eir & s->eie & 0x7B;
    if (pend)
        s->estat |= ESTAT_INT;
    else
        s->estat &= ~ESTAT_INT;
    bool asserted = (s->eie & EIE_INTIE) && pend;
    gpio_pin_drive(&s->int_pin, asserted ? GPIO_DRIVE_LOW : GPIO_DRIVE_HIGH);
}

static void set_pktif(enc28j60_t *s)
{
    if (s->bank[1][EPKTCNT])
        s->eir |= EIR_PKTIF;
    else
        s->eir &= ~EIR_PKTIF;
}

static void phy_reset(enc28j60_t *s)
{
    memset(s->phy, 0, sizeof s->phy);
    s->phy[PHSTAT1] = 0x1800 | (s->link_up ? 0x0004 : 0);
    s->phy[PHID1] = 0x0083;
    s->phy[PHID2] = 0x1400;
    s->phy[PHLCON] = 0x3422;
    s->phy_link_latched_low = !s->link_up;
}

static uint16_t phy_read(enc28j60_t *s, unsigned reg)
{
    switch (reg) {
    case PHSTAT1: {
        uint16_t v = 0x1800 | ((s->link_up && !s->phy_link_latched_low) ? 0x0004 : 0);
        s->phy_link_latched_low = false; /* LLSTAT re-arms on read */
        return v;
    }
    case PHSTAT2: {
        uint16_t v = (s->link_up ? 0x0400 : 0) | ((s->phy[PHCON1] & 0x0100) ? 0x0200 : 0);
        if (s->tx_busy)
            v |= 0x2000;
        return v;
    }
    case PHIR: {
        uint16_t v = s->phy[PHIR];
        s->phy[PHIR] = 0;
        s->eir &= ~EIR_LINKIF;
        update_int(s);
        return v;
    }
    default:
        return reg < 0x20 ? s->phy[reg] : 0;
    }
}

static void phy_write(enc28j60_t *s, unsigned reg, uint16_t v)
{
    switch (reg) {
    case PHCON1:
        if (v & 0x8000) { /* PRST self-clears */
            phy_reset(s);
            return;
        }
        s->phy[PHCON1] = v & 0x4900;
        return;
    case PHCON2: s->phy[PHCON2] = v & 0x6500; return;
    case PHIE: s->phy[PHIE] = v & 0x0012; return;
    case PHLCON: s->phy[PHLCON] = v; return;
    case PHSTAT1: case PHSTAT2: case PHID1: case PHID2: case PHIR:
        return; /* read-only */
    default:
        log_once(LOG_GUEST_ERROR, "enc28j60", 0x100 + reg, "%s: write to reserved PHY register 0x%02x",
                 s->name, reg);
        return;
    }
}

static void mii_done(void *opaque)
{
    enc28j60_t *s = opaque;
    s->mii_busy = false;
    s->bank[3][MISTAT] &= ~1u;
}

static void mii_start(enc28j60_t *s)
{
    s->mii_busy = true;
    s->bank[3][MISTAT] |= 1;
    sched_after(s->sched, &s->mii_event, MII_NS);
}

/* RX ring helpers */
static uint16_t erxst(const enc28j60_t *s) { return rd16(s, 0, ERXSTL) & 0x1FFF; }
static uint16_t erxnd(const enc28j60_t *s) { return rd16(s, 0, ERXNDL) & 0x1FFF; }

static uint16_t ring_next(const enc28j60_t *s, uint16_t a)
{
    if (a == erxnd(s))
        return erxst(s);
    return (uint16_t)((a + 1) & 0x1FFF);
}

static void start_tx(enc28j60_t *s);
static void start_dma(enc28j60_t *s);
static void tx_complete(enc28j60_t *s, bool aborted, uint16_t wire_len);
static void ost_done(void *opaque);

static void econ1_written(enc28j60_t *s, uint8_t old)
{
    uint8_t v = s->econ1;
    if ((v & ECON1_TXRST) && (v & ECON1_TXRTS)) {
        s->econ1 &= ~ECON1_TXRTS;
        v = s->econ1;
    }
    if ((v & ECON1_TXRTS) && !(old & ECON1_TXRTS))
        start_tx(s);
    if (!(v & ECON1_TXRTS) && (old & ECON1_TXRTS) && s->tx_busy) {
        /* the host cancelled the transmission */
        sched_cancel(s->sched, &s->tx_event);
        tx_complete(s, true, 0);
    }
    if ((v & ECON1_DMAST) && !(old & ECON1_DMAST))
        start_dma(s);
    if (!(v & ECON1_DMAST) && (old & ECON1_DMAST) && s->dma_busy) {
        sched_cancel(s->sched, &s->dma_event);
        s->dma_busy = false;
        s->eir |= EIR_DMAIF;
    }
    if (v & ECON1_RXRST) {
        s->bank[1][EPKTCNT] = 0;
        set_pktif(s);
    }
    update_int(s);
}

static void econ2_written(enc28j60_t *s, uint8_t old)
{
    if (s->econ2 & ECON2_PKTDEC) {
        if (s->bank[1][EPKTCNT])
            s->bank[1][EPKTCNT]--;
        s->econ2 &= ~ECON2_PKTDEC;
        set_pktif(s);
    }
    if ((s->econ2 & ECON2_PWRSV) && !(old & ECON2_PWRSV)) {
        s->estat &= ~ESTAT_CLKRDY;
        sched_cancel(s->sched, &s->ost_event);
    }
    if (!(s->econ2 & ECON2_PWRSV) && (old & ECON2_PWRSV))
        sched_after(s->sched, &s->ost_event, OST_NS);
    update_int(s);
}

static void bist_run(enc28j60_t *s)
{
    uint8_t con = s->bank[3][EBSTCON];
    unsigned tmsel = (con >> 2) & 3;
    if (tmsel == 1) {
        for (unsigned a = 0; a < ENC_MEM_SIZE; a++)
            s->mem[a] = (uint8_t)a;
    } else {
        log_once(LOG_UNIMP, "enc28j60", 0x200 + tmsel, "%s: BIST fill mode %u not modelled (address fill only)",
                 s->name, tmsel);
    }
    uint32_t sum = 0;
    for (unsigned a = 0; a < ENC_MEM_SIZE; a += 2)
        sum += (uint32_t)(s->mem[a] << 8 | s->mem[a + 1]);
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    uint16_t cs = (uint16_t)~sum;
    s->bank[3][EBSTCSL] = (uint8_t)cs;
    s->bank[3][EBSTCSL + 1] = (uint8_t)(cs >> 8);
    s->bank[3][EBSTCON] &= ~1u;
}

/* A register write after masks; side effects per register. */
static void reg_write(enc28j60_t *s, unsigned addr, uint8_t v)
{
    if (addr >= 0x1B) {
        uint8_t old;
        switch (addr) {
        case EIE: s->eie = v & 0xFB; update_int(s); return;
        case EIR:
            /* PKTIF and LINKIF are read-only */
            s->eir = (s->eir & (EIR_PKTIF | EIR_LINKIF)) | (v & (EIR_DMAIF | EIR_TXIF | EIR_TXERIF | EIR_RXERIF));
            update_int(s);
            return;
        case ESTAT:
            /* BUFER and TXABRT are host-cleared; the rest read-only */
            s->estat = (s->estat & ~0x42u) | (v & s->estat & 0x42u);
            return;
        case ECON2: old = s->econ2; s->econ2 = v & 0xE8; econ2_written(s, old); return;
        default: old = s->econ1; s->econ1 = v; econ1_written(s, old); return;
        }
    }
    unsigned b = cur_bank(s);
    if ((s->econ2 & ECON2_PWRSV) && is_mac_mii(b, addr)) {
        log_once(LOG_GUEST_ERROR, "enc28j60", 0x300 + addr, "%s: MAC/MII register written in power save", s->name);
        return;
    }
    switch (b) {
    case 0:
        if (addr == ERXRDPTL) {
            s->erxrdpt_low = v;
            return;
        }
        if (addr == ERXRDPTL + 1) {
            s->bank[0][ERXRDPTL] = s->erxrdpt_low;
            s->bank[0][ERXRDPTL + 1] = v & 0x1F;
            return;
        }
        if (addr == ERXWRPTL || addr == ERXWRPTL + 1 || addr >= 0x18)
            return; /* read-only / reserved */
        if (addr == EDMACSL || addr == EDMACSL + 1) {
            s->bank[0][addr] = v;
            return;
        }
        s->bank[0][addr] = (addr & 1) ? v & 0x1F : v;
        if (addr >= ERXSTL && addr <= ERXNDL + 1)
            s->erxwrpt = erxst(s); /* writing the ring bounds resets the write pointer */
        return;
    case 1:
        if (addr == EPKTCNT || addr == 0x12 || addr == 0x13 || addr >= 0x1A)
            return;
        s->bank[1][addr] = (addr == EPMOL + 1) ? v & 0x1F : v;
        return;
    case 2:
        switch (addr) {
        case MICMD: {
            uint8_t old = s->bank[2][MICMD];
            s->bank[2][MICMD] = v & 3;
            if (((v & 1) && !(old & 1)) || ((v & 2) && !(old & 2))) {
                /* latch the read on the 0->1 edge; it completes even if
                 * MIIRD is cleared at once (RIOT does) */
                uint16_t r = phy_read(s, s->bank[2][MIREGADR] & 0x1F);
                s->bank[2][MIRDL] = (uint8_t)r;
                s->bank[2][MIRDH] = (uint8_t)(r >> 8);
                mii_start(s);
            }
            return;
        }
        case MIWRH:
            s->bank[2][MIWRH] = v;
            phy_write(s, s->bank[2][MIREGADR] & 0x1F, (uint16_t)(s->bank[2][MIWRL] | v << 8));
            mii_start(s);
            return;
        case MIRDL: case MIRDH:
            return;
        case MACON3:
            s->bank[2][MACON3] = v;
            s->bank[3][EFLOCON] = (uint8_t)((s->bank[3][EFLOCON] & 3) | ((v & 1) << 2));
            return;
        default:
            s->bank[2][addr] = (addr == MAMXFLL + 1 || addr == MAIPGL || addr == MAIPGH || addr == MABBIPG)
                                   ? v & 0x7F : v;
            if (addr == MAMXFLL + 1)
                s->bank[2][addr] = v;
            return;
        }
    default:
        switch (addr) {
        case MISTAT: case EREVID: case EBSTCSL: case EBSTCSL + 1:
            return;
        case EBSTCON:
            s->bank[3][EBSTCON] = v;
            if ((v & 1) && (v & 2))
                bist_run(s);
            return;
        case EFLOCON:
            s->bank[3][EFLOCON] = (uint8_t)((s->bank[3][EFLOCON] & 4) | (v & 3));
            return;
        case EPAUSL + 1:
            s->bank[3][addr] = v;
            return;
        default:
            if (addr < 0x1B)
                s->bank[3][addr] = v;
            return;
        }
    }
}

static uint8_t reg_read(enc28j60_t *s, unsigned addr)
{
    switch (addr) {
    case EIE: return s->eie;
    case EIR: return s->eir;
    case ESTAT: return s->estat;
    case ECON2: return s->econ2 & ~ECON2_PKTDEC;
    case ECON1: return s->econ1;
    default: break;
    }
    unsigned b = cur_bank(s);
    if (b == 0 && addr == ERXWRPTL)
        return (uint8_t)s->erxwrpt;
    if (b == 0 && addr == ERXWRPTL + 1)
        return (uint8_t)(s->erxwrpt >> 8);
    if ((s->econ2 & ECON2_PWRSV) && is_mac_mii(b, addr))
        return 0;
    return s->bank[b][addr];
}

uint8_t enc28j60_peek(const enc28j60_t *s, unsigned bank, unsigned addr)
{
    if (addr >= 0x1B) {
        switch (addr) {
        case EIE: return s->eie;
        case EIR: return s->eir;
        case ESTAT: return s->estat;
        case ECON2: return s->econ2;
        default: return s->econ1;
        }
    }
    return bank < 4 ? s->bank[bank][addr] : 0;
}

/* ---------------------------------------------------------------------- */
/* SPI */

static uint16_t spi_transfer(void *dev, uint16_t mosi, unsigned bits)
{
    enc28j60_t *s = dev;
    (void)bits;
    uint8_t in = (uint8_t)mosi, out = 0;
    s->spi_bytes++;
    if (s->in_reset)
        return 0;
    unsigned n = s->nbyte++;
    if (n == 0) {
        s->opcode = in >> 5;
        s->arg = in & 0x1F;
        if (s->opcode == 6 || ((s->opcode == 1 || s->opcode == 3) && s->arg != 0x1A) ||
            (s->opcode == 7 && s->arg != 0x1F)) {
            log_once(LOG_GUEST_ERROR, "enc28j60", 0x400 + in, "%s: reserved SPI opcode 0x%02x ignored",
                     s->name, in);
            log_event(s, ENC_EV_BAD_COMMAND, in, 0);
            s->opcode = 0xFF;
        }
        if (s->opcode == 7)
            s->src_pending = true;
        return 0;
    }
    switch (s->opcode) {
    case 0: { /* RCR */
        bool dummy = is_mac_mii(cur_bank(s), s->arg);
        if (n == 1 && dummy)
            return 0;
        if (n == (dummy ? 2u : 1u))
            out = reg_read(s, s->arg);
        break;
    }
    case 1: { /* RBM */
        uint16_t p = rd16(s, 0, ERDPTL) & 0x1FFF;
        out = s->mem[p];
        if (s->econ2 & ECON2_AUTOINC)
            wr16(s, 0, ERDPTL, ring_next(s, p));
        break;
    }
    case 2: /* WCR */
        if (n == 1)
            reg_write(s, s->arg, in);
        break;
    case 3: { /* WBM */
        uint16_t p = rd16(s, 0, EWRPTL) & 0x1FFF;
        s->mem[p] = in;
        if (s->econ2 & ECON2_AUTOINC)
            wr16(s, 0, EWRPTL, (uint16_t)((p + 1) & 0x1FFF));
        break;
    }
    case 4: case 5: /* BFS / BFC */
        if (n == 1) {
            if (is_mac_mii(cur_bank(s), s->arg)) {
                log_once(LOG_GUEST_ERROR, "enc28j60", 0x500 + s->arg,
                         "%s: BFS/BFC on MAC/MII register 0x%02x: applied as a plain read-modify-write",
                         s->name, s->arg);
            }
            uint8_t cur = reg_read(s, s->arg);
            reg_write(s, s->arg, s->opcode == 4 ? cur | in : cur & ~in);
        }
        break;
    default:
        break;
    }
    return out;
}

static void spi_select(void *dev, bool selected)
{
    enc28j60_t *s = dev;
    s->selected = selected;
    if (!selected && s->src_pending) {
        s->src_pending = false;
        if (s->econ2 & ECON2_PWRSV) {
            log_msg(LOG_GUEST_ERROR, "enc28j60", "%s: SRC ignored in power save", s->name);
        } else {
            enc28j60_reset(s, false);
        }
    }
    s->nbyte = 0;
}

const spi_device_ops_t enc28j60_spi_ops = { spi_transfer, spi_select };

/* ---------------------------------------------------------------------- */
/* receive */

static uint16_t inet_sum(const uint8_t *p, size_t n, uint32_t sum)
{
    for (size_t k = 0; k + 1 < n; k += 2)
        sum += (uint32_t)(p[k] << 8 | p[k + 1]);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)sum;
}

static bool filters_accept(enc28j60_t *s, const uint8_t *f, size_t len, bool crc_ok)
{
    uint8_t fc = s->bank[1][ERXFCON];
    if ((fc & 0x20) && !crc_ok)
        return false;
    if (!(fc & 0xDF & ~0x40))
        return true; /* promiscuous */
    bool and_mode = fc & 0x40;
    const uint8_t *mac_regs = s->bank[3];
    uint8_t mac[6] = { mac_regs[0x04], mac_regs[0x05], mac_regs[0x02], mac_regs[0x03],
                       mac_regs[0x00], mac_regs[0x01] };
    bool bcast = len >= 6 && memcmp(f, "\xff\xff\xff\xff\xff\xff", 6) == 0;
    bool results[6];
    bool enabled[6];
    unsigned k = 0;
    enabled[k] = fc & 0x80; results[k++] = len >= 6 && memcmp(f, mac, 6) == 0;    /* UCEN */
    enabled[k] = fc & 0x10; {                                                    /* PMEN */
        uint16_t off = (uint16_t)(s->bank[1][EPMOL] | (s->bank[1][EPMOL + 1] << 8));
        bool ok = (size_t)off + 64 <= len;
        if (ok) {
            uint8_t win[64];
            size_t nw = 0;
            for (unsigned b = 0; b < 64; b++)
                if ((s->bank[1][EPMM0 + b / 8] >> (b % 8)) & 1)
                    win[nw++] = f[off + b];
            uint16_t cs = (uint16_t)~inet_sum(win, nw, 0);
            ok = cs == (uint16_t)(s->bank[1][EPMCSL] | (s->bank[1][EPMCSL + 1] << 8));
        }
        results[k++] = ok;
    }
    enabled[k] = fc & 0x08; {                                                    /* MPEN */
        bool ok = false;
        if (len >= 6 && (memcmp(f, mac, 6) == 0 || bcast)) {
            for (size_t p = 12; p + 102 <= len && !ok; p++) {
                if (memcmp(f + p, "\xff\xff\xff\xff\xff\xff", 6))
                    continue;
                bool all = true;
                for (unsigned r = 0; r < 16 && all; r++)
                    all = memcmp(f + p + 6 + 6 * r, mac, 6) == 0;
                ok = all;
            }
        }
        results[k++] = ok;
    }
    enabled[k] = fc & 0x04; {                                                    /* HTEN */
        bool ok = false;
        if (len >= 6) {
            uint32_t crc = net_crc32(f, 6);
            /* the hash pointer is bits 28:23 of the CRC in its register
             * (non-reflected) form; the bit order is an approximation to
             * be checked against a driver's hash computation */
            uint32_t reg = 0;
            for (int b = 0; b < 32; b++)
                reg |= ((crc >> b) & 1u) << (31 - b);
            unsigned idx = (~reg >> 23) & 0x3F;
            ok = (s->bank[1][EHT0 + idx / 8] >> (idx % 8)) & 1;
        }
        results[k++] = ok;
    }
    enabled[k] = fc & 0x02; results[k++] = len >= 1 && (f[0] & 1);               /* MCEN */
    enabled[k] = fc & 0x01; results[k++] = bcast;                                /* BCEN */
    bool any = false, all = true;
    for (unsigned j = 0; j < k; j++) {
        if (!enabled[j])
            continue;
        any |= results[j];
        all &= results[j];
    }
    return and_mode ? all : any;
}

static uint16_t ring_free(const enc28j60_t *s)
{
    uint16_t st = erxst(s), nd = erxnd(s);
    uint16_t wr = s->erxwrpt, rd = rd16(s, 0, ERXRDPTL) & 0x1FFF;
    if (wr > rd)
        return (uint16_t)((nd - st) - (wr - rd));
    if (wr == rd)
        return (uint16_t)(nd - st);
    return (uint16_t)(rd - wr - 1);
}

static void rx_frame(void *owner, const uint8_t *frame, size_t len, bool fcs_ok)
{
    enc28j60_t *s = owner;
    if (s->in_reset || !(s->econ1 & ECON1_RXEN) || !(s->bank[2][MACON1] & 1) ||
        (s->econ2 & ECON2_PWRSV) || (s->econ1 & ECON1_RXRST)) {
        log_event(s, ENC_EV_RX_DISABLED, (uint16_t)len, 0);
        return;
    }
    if (!filters_accept(s, frame, len, fcs_ok)) {
        log_event(s, ENC_EV_RX_FILTERED, (uint16_t)len, 0);
        return;
    }
    size_t count = len + 4; /* with the FCS */
    size_t need = 6 + count + ((6 + count) & 1);
    if (s->bank[1][EPKTCNT] == 255 || need > ring_free(s)) {
        s->eir |= EIR_RXERIF;
        s->rx_dropped++;
        log_event(s, ENC_EV_RX_OVERFLOW, (uint16_t)len, s->erxwrpt);
        update_int(s);
        return;
    }
    uint8_t fcs[4];
    uint32_t crc = net_crc32(frame, len);
    if (!fcs_ok)
        crc ^= 0x00000001u; /* the link corrupted it: the stored FCS does not match */
    wr_le32(fcs, crc);
    uint16_t start = s->erxwrpt, p = start;
    uint16_t next = start;
    for (size_t k = 0; k < need; k++)
        next = ring_next(s, next);
    uint32_t rsv = (uint32_t)count | (1u << 23);
    if (!fcs_ok)
        rsv = (rsv & ~(1u << 23)) | (1u << 20);
    if (frame[0] & 1)
        rsv |= 1u << 24;
    if (len >= 6 && memcmp(frame, "\xff\xff\xff\xff\xff\xff", 6) == 0)
        rsv |= 1u << 25;
    if (len >= 14 && frame[12] == 0x81 && frame[13] == 0x00)
        rsv |= 1u << 30;
    uint8_t hdr[6] = { (uint8_t)next, (uint8_t)(next >> 8), (uint8_t)rsv, (uint8_t)(rsv >> 8),
                       (uint8_t)(rsv >> 16), (uint8_t)(rsv >> 24) };
    for (unsigned k = 0; k < 6; k++) {
        s->mem[p] = hdr[k];
        p = ring_next(s, p);
    }
    for (size_t k = 0; k < len; k++) {
        s->mem[p] = frame[k];
        p = ring_next(s, p);
    }
    for (unsigned k = 0; k < 4; k++) {
        s->mem[p] = fcs[k];
        p = ring_next(s, p);
    }
    s->erxwrpt = next;
    s->bank[1][EPKTCNT]++;
    s->rx_frames++;
    set_pktif(s);
    log_event(s, ENC_EV_RX_OK, (uint16_t)len, start);
    update_int(s);
}

static void link_changed(void *owner, bool up)
{
    enc28j60_t *s = owner;
    if (up == s->link_up)
        return;
    s->link_up = up;
    if (!up)
        s->phy_link_latched_low = true;
    log_event(s, ENC_EV_LINK, up, 0);
    if ((s->phy[PHIE] & 0x0012) == 0x0012) {
        s->phy[PHIR] |= 0x0014; /* PLNKIF, PGIF */
        s->eir |= EIR_LINKIF;
        update_int(s);
    }
}

/* ---------------------------------------------------------------------- */
/* transmit */

static void tx_done_event(void *opaque);

static void tx_complete(enc28j60_t *s, bool aborted, uint16_t wire_len)
{
    s->tx_busy = false;
    uint16_t end = s->tx_end, len = (uint16_t)(s->tx_end - s->tx_start);
    uint8_t tsv[7] = { (uint8_t)len, (uint8_t)(len >> 8), 0, 0, (uint8_t)wire_len,
                       (uint8_t)(wire_len >> 8), 0 };
    if (!aborted)
        tsv[2] |= 0x80; /* done */
    if (len && (s->mem[(s->tx_start + 1) & 0x1FFF] & 1))
        tsv[3] |= 0x01; /* multicast */
    for (unsigned k = 0; k < 7; k++)
        s->mem[(end + 1 + k) & 0x1FFF] = tsv[k];
    s->econ1 &= ~ECON1_TXRTS;
    s->eir |= EIR_TXIF;
    if (aborted) {
        s->estat |= ESTAT_TXABRT;
        s->eir |= EIR_TXERIF;
        log_event(s, ENC_EV_TX_ABORT, len, s->tx_start);
    }
    update_int(s);
}

/* Build the frame from the buffer and send it; completion after its wire time. */
static void start_tx(enc28j60_t *s)
{
    if (s->tx_busy)
        return;
    s->tx_start = rd16(s, 0, ETXSTL) & 0x1FFF;
    s->tx_end = rd16(s, 0, ETXNDL) & 0x1FFF;
    s->estat &= ~(ESTAT_TXABRT | 0x10);
    s->tx_busy = true;
    if (s->econ1 & ECON1_TXRST) {
        tx_complete(s, true, 0);
        return;
    }
    uint8_t ctrl = s->mem[s->tx_start];
    uint8_t mac3 = s->bank[2][MACON3];
    bool pad, crc, huge;
    unsigned padcfg;
    if (ctrl & 1) { /* POVERRIDE */
        huge = ctrl & 8;
        pad = ctrl & 4;
        crc = ctrl & 2;
        padcfg = pad ? 1 : 0;
    } else {
        huge = mac3 & 0x04;
        padcfg = mac3 >> 5;
        pad = padcfg & 1;
        crc = (mac3 & 0x10) || pad;
    }
    size_t len = (size_t)((s->tx_end - s->tx_start) & 0x1FFF);
    uint8_t frame[NET_FRAME_MAX + 8];
    if (len > NET_FRAME_MAX)
        len = NET_FRAME_MAX;
    for (size_t k = 0; k < len; k++)
        frame[k] = s->mem[(s->tx_start + 1 + k) & 0x1FFF];
    size_t min = 0;
    if (pad) {
        /* PADCFG 011/111 pad to 64 before the CRC, 101 does so for VLAN
         * frames, everything else pads to 60 (64 with the CRC) */
        bool vlan = len >= 14 && frame[12] == 0x81 && frame[13] == 0x00;
        min = (padcfg == 3 || padcfg == 7 || (padcfg == 5 && vlan)) ? 64 : 60;
    }
    while (len < min)
        frame[len++] = 0;
    size_t on_wire = len + (crc ? 4 : 0);
    uint16_t mamxfl = (uint16_t)(s->bank[2][MAMXFLL] | (s->bank[2][MAMXFLL + 1] << 8));
    if (!huge && on_wire > mamxfl) {
        tx_complete(s, true, 0); /* longer than MAMXFL: aborted, nothing sent */
        return;
    }
    /* The frame goes on the wire as a whole: the link delivers it after its
     * own latency; the sender is busy for preamble + frame + CRC. */
    size_t payload = crc ? len : (len >= 4 ? len - 4 : len); /* host-supplied FCS is stripped */
    net_port_send(&s->port, frame, payload);
    s->tx_frames++;
    sim_time_t t = TX_LATENCY_NS + (sim_time_t)(PREAMBLE_BYTES + on_wire) * BYTE_NS;
    sched_after(s->sched, &s->tx_event, t);
    log_event(s, ENC_EV_TX_DONE, (uint16_t)on_wire, s->tx_start);
}

static void tx_done_event(void *opaque)
{
    enc28j60_t *s = opaque;
    if (!s->tx_busy)
        return;
    uint16_t len = (uint16_t)((s->tx_end - s->tx_start) & 0x1FFF);
    tx_complete(s, false, (uint16_t)(len + 4));
}

/* ---------------------------------------------------------------------- */
/* DMA */

static void dma_done(void *opaque)
{
    enc28j60_t *s = opaque;
    if (!s->dma_busy)
        return;
    s->dma_busy = false;
    uint16_t src = rd16(s, 0, EDMASTL) & 0x1FFF, end = rd16(s, 0, EDMANDL) & 0x1FFF;
    uint16_t dst = rd16(s, 0, EDMADSTL) & 0x1FFF;
    if (s->econ1 & ECON1_CSUMEN) {
        uint32_t sum = 0;
        bool high = true;
        for (uint16_t p = src;; p = ring_next(s, p)) {
            sum += high ? (uint32_t)s->mem[p] << 8 : s->mem[p];
            high = !high;
            if (p == end)
                break;
        }
        while (sum >> 16)
            sum = (sum & 0xFFFF) + (sum >> 16);
        uint16_t cs = (uint16_t)~sum;
        s->bank[0][EDMACSL] = (uint8_t)cs;
        s->bank[0][EDMACSL + 1] = (uint8_t)(cs >> 8);
    } else {
        for (uint16_t p = src;; p = ring_next(s, p)) {
            s->mem[dst] = s->mem[p];
            dst = (uint16_t)((dst + 1) & 0x1FFF);
            if (p == end)
                break;
        }
    }
    s->econ1 &= ~ECON1_DMAST;
    s->eir |= EIR_DMAIF;
    log_event(s, ENC_EV_DMA_DONE, 0, src);
    update_int(s);
}

static void start_dma(enc28j60_t *s)
{
    uint16_t src = rd16(s, 0, EDMASTL) & 0x1FFF, end = rd16(s, 0, EDMANDL) & 0x1FFF;
    unsigned n = 1;
    for (uint16_t p = src; p != end && n < ENC_MEM_SIZE; p = ring_next(s, p))
        n++;
    s->dma_busy = true;
    /* about 80 ns per byte (the datasheet gives no figure) */
    sched_after(s->sched, &s->dma_event, (sim_time_t)n * 80);
}

/* ---------------------------------------------------------------------- */
/* reset, pins, life cycle */

static void ost_done(void *opaque)
{
    enc28j60_t *s = opaque;
    s->estat |= ESTAT_CLKRDY;
}

void enc28j60_reset(enc28j60_t *s, bool power_on)
{
    sched_cancel(s->sched, &s->mii_event);
    sched_cancel(s->sched, &s->tx_event);
    sched_cancel(s->sched, &s->dma_event);
    bool clkrdy = s->estat & ESTAT_CLKRDY;
    memset(s->bank, 0, sizeof s->bank);
    s->eie = s->eir = s->estat = s->econ1 = 0;
    s->econ2 = ECON2_AUTOINC;
    wr16(s, 0, ERDPTL, 0x05FA);
    wr16(s, 0, ERXSTL, 0x05FA);
    wr16(s, 0, ERXNDL, 0x1FFF);
    wr16(s, 0, ERXRDPTL, 0x05FA);
    s->erxwrpt = 0;
    s->erxrdpt_low = 0xFA;
    s->bank[1][ERXFCON] = 0xA1;
    s->bank[2][0x01] = 0x80; /* MACON2 in old documents */
    s->bank[2][MACLCON1] = 0x0F;
    s->bank[2][MACLCON2] = 0x37;
    wr16(s, 2, MAMXFLL, 0x0600);
    s->bank[3][EREVID] = s->revision;
    s->bank[3][ECOCON] = 0x04;
    wr16(s, 3, EPAUSL, 0x1000);
    s->mii_busy = s->tx_busy = s->dma_busy = false;
    phy_reset(s);
    if (power_on) {
        memset(s->mem, 0, sizeof s->mem);
        sched_after(s->sched, &s->ost_event, OST_NS);
    } else if (clkrdy) {
        /* errata #2 (all revisions): after SRC, CLKRDY is not cleared */
        s->estat |= ESTAT_CLKRDY;
    } else {
        sched_after(s->sched, &s->ost_event, OST_NS);
    }
    log_event(s, ENC_EV_RESET, power_on, 0);
    update_int(s);
}

static void reset_pin(void *opaque, int n, bool level)
{
    enc28j60_t *s = opaque;
    (void)n;
    if (!level) {
        s->in_reset = true;
        sched_cancel(s->sched, &s->ost_event);
        s->estat &= ~ESTAT_CLKRDY;
    } else if (s->in_reset) {
        s->in_reset = false;
        enc28j60_reset(s, false);
        sched_after(s->sched, &s->ost_event, OST_NS);
    }
}

static void *enc_create(machine_t *m, const char *name, const cJSON *cfg)
{
    uint8_t rev = ENC_REV_B7;
    const cJSON *it;
    cJSON_ArrayForEach(it, cfg) {
        if (!strcmp(it->string, "name") || !strcmp(it->string, "type"))
            continue;
        if (!strcmp(it->string, "revision")) {
            const char *r = cJSON_GetStringValue(it);
            if (!r || (strcmp(r, "B1") && strcmp(r, "B4") && strcmp(r, "B5") && strcmp(r, "B7"))) {
                machine_error(m, "revision must be \"B1\", \"B4\", \"B5\" or \"B7\"");
                return NULL;
            }
            rev = !strcmp(r, "B1") ? ENC_REV_B1 : !strcmp(r, "B4") ? ENC_REV_B4
                  : !strcmp(r, "B5") ? ENC_REV_B5 : ENC_REV_B7;
            continue;
        }
        if (!strcmp(it->string, "errata")) {
            if (!cJSON_IsObject(it)) {
                machine_error(m, "errata must be an object of erratum name -> true/false");
                return NULL;
            }
            log_once(LOG_UNIMP, "enc28j60", 1, "%s: errata switches are accepted but the errata are not modelled", name);
            continue;
        }
        machine_error(m, "unknown field \"%s\" (enc28j60 takes revision, errata)", it->string);
        return NULL;
    }
    enc28j60_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    snprintf(s->name, sizeof s->name, "%s", name);
    s->m = m;
    s->sched = &m->sched;
    s->revision = rev;
    s->link_up = false;
    gpio_pin_init(&s->int_pin, "int");
    gpio_pin_init(&s->reset_in, "reset");
    net_port_init(&s->port, "eth0", rx_frame, link_changed, s);
    sched_event_init(&s->ost_event, "enc-ost", ost_done, s);
    sched_event_init(&s->mii_event, "enc-mii", mii_done, s);
    sched_event_init(&s->tx_event, "enc-tx", tx_done_event, s);
    sched_event_init(&s->dma_event, "enc-dma", dma_done, s);
    if (machine_add_spi_device(m, name, "spi", &enc28j60_spi_ops, s) ||
        machine_add_gpio(m, name, "int", &s->int_pin, NULL, NULL, 0) ||
        machine_add_gpio(m, name, "reset", &s->reset_in, reset_pin, s, 0) ||
        machine_add_net_port(m, name, "eth0", &s->port)) {
        free(s);
        return NULL;
    }
    return s;
}

static void enc_reset(void *inst, enum reset_kind kind)
{
    enc28j60_t *s = inst;
    /* The chip has its own power-on reset; a system reset of the MCU does
     * not reset it (its RESET pin is driven by the MCU's GPIO). */
    if (kind == RESET_POWER_ON) {
        s->in_reset = false;
        s->link_up = s->port.link_up;
        enc28j60_reset(s, true);
    }
}

static void enc_destroy(void *inst)
{
    free(inst);
}

const model_class_t enc28j60_class = {
    .type = "enc28j60",
    .summary = "Microchip ENC28J60 10BASE-T Ethernet controller on SPI (register level)",
    .create = enc_create,
    .reset = enc_reset,
    .destroy = enc_destroy,
};
