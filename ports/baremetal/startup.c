/*
 * Start-up and console of the bare-metal demo: the vector table, the reset
 * handler (copy .data, clear .bss, paint the stack, call main) and ARM
 * semihosting for output and exit, which QEMU (-semihosting) and debug probes
 * implement. No C library function is used here.
 */
#include <stddef.h>
#include <stdint.h>

#include "firmware.h"

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_limit[], __stack_top[];

int main(void);
void lkr_fw_reset(void);
void lkr_fw_fault(void);

/* Semihosting: r0 the operation, r1 its argument, BKPT 0xAB. */
static uint32_t semihost(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void lkr_fw_puts(const char *s)
{
    semihost(0x04u, s); /* SYS_WRITE0: a NUL-terminated string */
}

void lkr_fw_putu(uint32_t v)
{
    char b[11];
    size_t i = sizeof(b) - 1;
    b[i] = '\0';
    do {
        b[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    lkr_fw_puts(b + i);
}

void lkr_fw_exit(int ok)
{
    /* SYS_EXIT: ADP_Stopped_ApplicationExit (QEMU exits 0) or
     * ADP_Stopped_RunTimeErrorUnknown (QEMU exits 1). */
    semihost(0x18u, (const void *)(uintptr_t)(ok ? 0x20026u : 0x20023u));
    for (;;) {
    }
}

/* Deepest the stack went: the painted words the run did not overwrite. */
uint32_t lkr_fw_stack_used(void)
{
    const uint32_t *p = __stack_limit;
    while (p < __stack_top && *p == LKR_FW_STACK_PAINT) p++;
    return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)p);
}

/* newlib's formatter links its allocator, which a fixed-buffer snprintf
 * never calls; there is no heap: growing it always fails. */
void *_sbrk(ptrdiff_t increment);
void *_sbrk(ptrdiff_t increment)
{
    (void)increment;
    return (void *)-1;
}

void lkr_fw_fault(void)
{
    lkr_fw_puts("fault\n");
    lkr_fw_exit(0 != 0);
}

void lkr_fw_reset(void)
{
    uint32_t *src = __data_load, *dst = __data_start;
    volatile uint32_t *p;
    uint32_t here;
#if defined(__ARM_FP)
    /* Enable CP10/CP11 (the FPU) before any floating-point instruction. */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    while (dst < __data_end) *dst++ = *src++;
    for (dst = __bss_start; dst < __bss_end; dst++) *dst = 0;
    /* Paint the stack below this frame (with a margin) for the high-water mark. */
    for (p = (volatile uint32_t *)__stack_limit; (uintptr_t)p < (uintptr_t)&here - 64u; p++) {
        *p = LKR_FW_STACK_PAINT;
    }
    lkr_fw_exit(main() == 0);
}

/* Initial stack pointer, reset, NMI, hard fault, and the other fault handlers. */
__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)__stack_top,
    lkr_fw_reset, lkr_fw_fault, lkr_fw_fault, lkr_fw_fault, lkr_fw_fault, lkr_fw_fault,
};
