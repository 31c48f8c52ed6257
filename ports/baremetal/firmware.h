/* The bare-metal demo's board support (startup.c). */
#ifndef LKR_FIRMWARE_H
#define LKR_FIRMWARE_H

#include <stdint.h>

#define LKR_FW_STACK_PAINT 0x5A5AA5A5u

void lkr_fw_puts(const char *s);
void lkr_fw_putu(uint32_t v);
void lkr_fw_exit(int ok);
uint32_t lkr_fw_stack_used(void);

#endif
