/* SPDX-License-Identifier: EUPL-1.2 */
#ifndef KT_FUZZ_H
#define KT_FUZZ_H
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif
