/* SPDX-License-Identifier: EUPL-1.2 */
/* SHA-256 (FIPS 180-4), for the provenance of input files. */
#ifndef KT_UTIL_SHA256_H
#define KT_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct kt_sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t n;
};

void kt_sha256_init(struct kt_sha256 *c);
void kt_sha256_update(struct kt_sha256 *c, const void *data, size_t len);
void kt_sha256_final(struct kt_sha256 *c, uint8_t out[32]);
/* 65-byte lowercase hex string */
char *kt_sha256_hex(const uint8_t d[32], char out[65]);

#endif
