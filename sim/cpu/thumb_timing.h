/*
 * Cortex-M4 instruction timing, from the Cortex-M4 Technical Reference
 * Manual (r0p1), section 3.3 "Processor instruction timings", Table 3-1.
 * Base cycles per instruction; P (pipeline refill after a taken branch or a
 * PC write) is 1-3 cycles depending on target alignment and width, taken
 * here as 2; N is the number of registers in a load/store multiple.
 * Not modelled: pipelining of neighbouring single loads/stores (each costs
 * its full count) and the bus-contention stalls of real memories, which the
 * bus adds as wait states.
 * Whatever an instruction can add at run time to its base cycles without
 * ending its block (wait states of its accesses, divide length) must be
 * covered by thumb_extra_bound() (thumb_decode.c).
 */
#ifndef SIM_CPU_THUMB_TIMING_H
#define SIM_CPU_THUMB_TIMING_H

#define T_ALU 1          /* data processing, moves, compares, extends, bit-field */
#define T_REFILL 2       /* P: added when the PC is written */
#define T_BRANCH 1       /* B/BL/BX/CBZ: 1 + P when taken */
#define T_LOAD 2         /* LDR/LDRB/LDRH/LDRSB/LDRSH */
#define T_STORE 2        /* STR/STRB/STRH */
#define T_LDRD 3         /* LDRD/STRD: 1 + N with N = 2 */
#define T_MULTI_BASE 1   /* LDM/STM/PUSH/POP: 1 + N */
#define T_EXCL 2         /* LDREX/STREX */
#define T_TB 2           /* TBB/TBH: 2 + P */
#define T_MUL 1          /* MUL, UMULL/SMULL/UMLAL/SMLAL (single-cycle MAC) */
#define T_MLA 2          /* MLA, MLS */
#define T_DIV_MIN 2      /* SDIV/UDIV: 2..12 depending on operand magnitudes */
#define T_DIV_MAX 12
#define T_BARRIER 1      /* DMB/DSB/ISB: 1 + B (B, the wait for completion, is 0 here) */
#define T_SYS 1          /* MRS, MSR, CPS, hints */
#define T_SVC 1          /* SVC/BKPT; exception entry latency is charged on entry */

#endif
