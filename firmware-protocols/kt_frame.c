/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright (c) 2026 the kicktrack authors */
/*
 * The framer. Fast path: a frame that lies wholly inside the bytes of one
 * kt_framer_push() call is checked in place (NMEA is then copied into the
 * framer's buffer to NUL-terminate it, unless the caller set nmea_in_place;
 * UBX is returned in place). Slow path: a
 * frame cut by the end of a push is kept in f->buf and completed by the
 * following pushes. When a buffered candidate turns out to be bad, the bytes
 * after its first byte are rescanned from the buffer, so no frame hidden
 * inside garbage is lost.
 */
#include <string.h>

#include "kt_frame.h"

enum {
	ST_IDLE = 0,   /* between frames */
	ST_COMMENT,    /* inside a '#' line, skipping up to '\n' */
	ST_BUF,        /* f->buf[0..len) holds the start of a candidate frame */
};

#define UBX_SYNC1 0xB5
#define UBX_SYNC2 0x62

static const char *const reason_names[_KT_REJECT_MAX] = {
	[KT_REJECT_CHECKSUM] = "checksum",
	[KT_REJECT_TRUNCATED] = "truncated",
	[KT_REJECT_TOO_LONG] = "too-long",
	[KT_REJECT_MALFORMED] = "malformed",
	[KT_REJECT_UNKNOWN] = "unknown-type",
	[KT_REJECT_IMPLAUSIBLE] = "implausible",
	[KT_REJECT_GARBAGE_BYTES] = "garbage-bytes",
};

const char *
kt_reject_reason_to_str(enum kt_reject_reason r)
{
	if ((unsigned)r >= _KT_REJECT_MAX)
		return "invalid";
	return reason_names[r];
}

void
kt_framer_init(struct kt_framer *f)
{
	memset(f, 0, sizeof(*f));
	f->state = ST_IDLE;
	f->at_line_start = 1;
}

/* Byte classes inside an NMEA sentence: 0 text, 1 '*', 2 forbidden. */
#define C2_8 2, 2, 2, 2, 2, 2, 2, 2
static const uint8_t nmea_class[256] = {
	C2_8, C2_8, C2_8, C2_8,                 /* 0x00-0x1f control */
	0, 2, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, /* 0x20-0x2f: '!' '$' forbidden, '*' */
	[0x30] = 0, [0x7f] = 2,
	[0x80] = C2_8, C2_8, C2_8, C2_8, C2_8, C2_8, C2_8, C2_8,
	C2_8, C2_8, C2_8, C2_8, C2_8, C2_8, C2_8, C2_8,
};
#undef C2_8

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Does any of the 8 bytes need a closer look: below 0x20, above 0x7e, '$'
 * or '!' (another frame starting)? A word-wise test that never misses such
 * a byte and may flag more (only bytes above a special one, or bytes that
 * are special anyway): the caller then takes the exact byte loop.
 *   w - 0x20 sets a byte's top bit when it is below 0x20 (or from 0xa0),
 *   w + 0x01 when it is 0x7f..0xfe, w itself from 0x80; a borrow or carry
 *   into the next byte only comes from a byte that is flagged itself.
 *   '$' and '!' differ in bits 0x05 only among the printable characters
 *   '!' '$' '%' and ' ', so (w | 0x05) ^ '%' is zero for them (and for '%'
 *   and ' ', rare in NMEA, which then take the byte loop); minus 1 sets the
 *   top bit of a zero byte, and of no other byte below 0x81.
 * An inner '*' needs no check here: the checksum covers it and the decoder
 * rejects it. */
static inline uint64_t
special8(uint64_t w)
{
	uint64_t out = (w - ONES * 0x20) | (w + ONES * 0x01) | w;
	uint64_t z = ((w | (ONES * 0x05)) ^ (ONES * 0x25)) - ONES;
	return (out | z) & HIGHS;
}

/* Hex digit values, 0xff for anything else: a lookup instead of branches
 * that the checksum's random digits would mispredict. */
#define X16 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
static const uint8_t hex_tab[256] = {
	X16, X16, X16,
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 10, 11, 12, 13, 14, 15, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	X16,
	0xff, 10, 11, 12, 13, 14, 15, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	X16, X16, X16, X16, X16, X16, X16, X16, X16,
};
#undef X16

/* The first-look test of check_nmea()'s fast path: flags every byte below
 * ',' (0x2c) or above 0x7e, so among others the '*' that ends the
 * sentence, '$' and '!' (another frame starting) and control bytes, with
 * one subtraction and one addition instead of special8()'s test plus a
 * separate one for '*'. Exact for the lowest flagged byte (a borrow or
 * carry only comes from a byte that is flagged itself). Sentences are
 * digits, letters, ',', '.' and '-': the other bytes it flags (space,
 * '"', '#', '%' ... '+') are rare there, and only send the sentence to
 * the exact code. */
static inline uint64_t
first_look8(uint64_t w)
{
	return ((w - ONES * ',') | (w + ONES * 0x01) | w) & HIGHS;
}

/* Result of checking a candidate. */
enum check {
	CK_OK,        /* valid frame of *ret_len bytes (NMEA: without line end) */
	CK_NEED,      /* need more bytes */
	CK_BAD,       /* bad; reason in *reason, resume scanning at offset *resume */
};

/*
 * Check an NMEA candidate p[0..n) (p[0] is '$' or '!'). On CK_OK, *frame_len
 * is the length of "$...*hh" and *consumed includes the line end.
 * at_end: no more bytes will come (treat a missing line end as truncation).
 */
__attribute__((always_inline)) static inline enum check
check_nmea(const uint8_t *p, size_t n, int at_end, size_t *frame_len, size_t *consumed,
	   enum kt_reject_reason *reason, size_t *resume)
{
	size_t lim = n < KT_NMEA_MAX_LEN ? n : KT_NMEA_MAX_LEN;
	const uint8_t *nl;
	size_t i, end, after;
	int eos = 0;
	uint8_t x = 0;

	/* Fast path for the usual "$...*hh\r\n" (or "\n") within p[0..lim):
	 * one pass of 8-byte words, XORing, up to the first byte that
	 * first_look8() flags (every special byte and '*' among them); that
	 * lowest flagged byte is exact. If it is the '*', followed by two hex digits, the line end
	 * and a matching checksum, then no line end, forbidden byte or inner
	 * '*' lies before it and the frame is what the exact code below would
	 * return. Anything else (or a word that would cross lim) is left to
	 * that code, from the start. */
	{
		uint64_t acc = 0, w = 0, f = 0;
		i = 1;
		while (i + 8 <= lim) {
			memcpy(&w, p + i, 8);
			f = first_look8(w);
			if (f)
				break;
			acc ^= w;
			i += 8;
		}
		if (f) {
			size_t star = i + (size_t)__builtin_ctzll(f) / 8, e = star + 3;
			if (p[star] == '*' && e < lim) {
				unsigned h = hex_tab[p[star + 1]], l = hex_tab[p[star + 2]];
				size_t a = e + (p[e] == '\r');
				if ((h | l) != 0xff && a < lim && p[a] == '\n') {
					acc ^= w & ((UINT64_C(1) << (8 * (star - i))) - 1);
					acc ^= acc >> 32;
					acc ^= acc >> 16;
					acc ^= acc >> 8;
					if ((h << 4 | l) == (uint8_t)acc) {
						*frame_len = e;
						*consumed = a + 1;
						return CK_OK;
					}
				}
			}
		}
	}

	nl = memchr(p, '\n', lim);
	if (!nl) {
		if (n < KT_NMEA_MAX_LEN && !at_end) {
			/* Before waiting, give up early on bytes that cannot be text. */
			for (i = 1; i < n; i++) {
				uint8_t c = p[i];
				if (c < 0x20 && c != '\r')
					goto badchar;
				if (c > 0x7e || c == '$' || c == '!')
					goto badchar;
			}
			return CK_NEED;
		}
		if (n >= KT_NMEA_MAX_LEN) {
			/* Too long: find where to resume. */
			for (i = 1; i < lim; i++) {
				uint8_t c = p[i];
				if (c < 0x20 || c > 0x7e || c == '$' || c == '!')
					goto badchar;
			}
			*reason = KT_REJECT_TOO_LONG;
			*resume = 1;
			return CK_BAD;
		}
		/* End of stream: a last sentence without line end still counts. */
		end = n;
		after = n;
		eos = 1;
	} else {
		end = (size_t)(nl - p);                 /* index of '\n' */
		after = end + 1;
	}
	if (end > 0 && p[end - 1] == '\r') {
		end--;
		while (end > 0 && p[end - 1] == '\r')
			end--;
	}
	/* Fast path for the usual "...*hh": XOR and check 8 bytes at a time
	 * up to the '*'; any special byte in a word sends us to the exact
	 * byte loop below from that word on. */
	i = 1;
	if (end >= 4 && p[end - 3] == '*') {
		size_t star = end - 3;
		uint64_t acc = 0;
		while (i + 8 <= star) {
			uint64_t w;
			memcpy(&w, p + i, 8);
			if (special8(w))
				break;
			acc ^= w;
			i += 8;
		}
		/* The last 1..7 bytes before the '*' as one word too: load the
		 * 8 bytes that end at the '*' and shift the ones already XORed
		 * out (the zeros shifted in are masked off the check). This
		 * saves a loop whose length changes with every sentence. Any
		 * doubt (a special byte or an inner '*') leaves those bytes
		 * to the exact byte loop. */
		if (i + 8 > star && i < star && star >= 8) {
			unsigned sh = 8 * (unsigned)(8 - (star - i));
			uint64_t w, a;
			memcpy(&w, p + star - 8, 8);
			w >>= sh;
			/* ... and here, like the byte loop, stop at an inner '*' */
			a = w ^ (ONES * '*');
			a = (a - ONES) & ~a;
			if (!((special8(w) | a) & (HIGHS >> sh))) {
				acc ^= w;
				i = star;
			}
		}
		acc ^= acc >> 32;
		acc ^= acc >> 16;
		acc ^= acc >> 8;
		x = (uint8_t)acc;
	}
	/* The rest, byte by byte: one table lookup per byte (0 plain text,
	 * 1 '*', 2 not allowed in a sentence). */
	for (; i < end; i++) {
		uint8_t c = p[i];
		if (nmea_class[c]) {
			if (nmea_class[c] == 2)
				goto badchar;
			break;
		}
		x ^= c;
	}
	if (i + 3 != end) {
		/* No '*' or not exactly two characters after it. */
		for (size_t j = i; j < end; j++)
			if (p[j] < 0x20 || p[j] > 0x7e || p[j] == '$' || p[j] == '!') {
				i = j;
				goto badchar;
			}
		*reason = eos ? KT_REJECT_TRUNCATED : KT_REJECT_MALFORMED;
		*resume = after;
		return CK_BAD;
	}
	{
		unsigned h = hex_tab[p[i + 1]], l = hex_tab[p[i + 2]];
		if ((h | l) == 0xff) {
			*reason = eos ? KT_REJECT_TRUNCATED : KT_REJECT_MALFORMED;
			*resume = after;
			return CK_BAD;
		}
		if ((h << 4 | l) != x) {
			*reason = eos ? KT_REJECT_TRUNCATED : KT_REJECT_CHECKSUM;
			*resume = after;
			return CK_BAD;
		}
	}
	*frame_len = end;
	*consumed = after;
	return CK_OK;

badchar:
	/* Another frame starts inside this one, or binary bytes: the sentence
	 * was cut off. Resume at the offending byte. */
	*reason = (p[i] == '$' || p[i] == '!' || p[i] == UBX_SYNC1) ? KT_REJECT_TRUNCATED
								  : KT_REJECT_MALFORMED;
	*resume = i;
	return CK_BAD;
}

/*
 * Fletcher-8 (a += byte, b += a, both mod 256), 8 bytes a step where words
 * can be loaded little-endian, in blocks of up to 16 words. In a block the
 * word's even bytes and its odd bytes go into 16-bit lanes, and the lanes
 * keep Fletcher's two sums per byte position: A (the column sums) and B
 * (the running sum of A), with adds only; 16 words cannot overflow a lane
 * (B <= 255 * 16 * 17 / 2). For a block of L = 8K bytes
 *   a_blk = sum of all A,   b_blk = 8 * (sum of all B) - sum of pos * A_pos
 * (byte i = 8 (m - 1) + pos of word m counts L - i = 8 (K - m + 1) - pos
 * times), and a block after (a, b) gives (a + a_blk, b + L a + b_blk).
 * Only the sums modulo 256 matter, so lanes are cut to their low byte
 * before multiplications add them up (the top 16-bit lane of a product
 * with (1,1,1,1) or (weights) is the (weighted) sum of the lanes, with
 * no carries into it). The 32-bit a and b are the byte loop's modulo
 * 2^32, so its result modulo 256. The byte loop is one long dependency
 * chain: on 132-byte frames (a 10-sample IMU batch) it ran at 2.5 GB/s,
 * this at 7.9 GB/s (every UBX frame's checksum is computed).
 */
static void
fletcher(const uint8_t *p, size_t n, uint8_t *ck_a, uint8_t *ck_b)
{
	uint32_t a = 0, b = 0;
	size_t i = 0;
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t lanes = UINT64_C(0x00ff00ff00ff00ff);
	const uint64_t k_sum = UINT64_C(0x0001000100010001);
	/* top lane of A_even * k_pos_even: 0 A_0 + 2 A_2 + 4 A_4 + 6 A_6; odd: 1, 3, 5, 7 */
	const uint64_t k_pos_even = UINT64_C(0x0000000200040006), k_pos_odd = UINT64_C(0x0001000300050007);

	while (n - i >= 8) {
		size_t words = (n - i) / 8 < 16 ? (n - i) / 8 : 16;
		uint64_t ae = 0, ao = 0, be = 0, bo = 0;

		for (size_t k = 0; k < words; k++, i += 8) {
			uint64_t w;
			memcpy(&w, p + i, 8);
			ae += w & lanes;
			ao += (w >> 8) & lanes;
			be += ae;
			bo += ao;
		}
		ae &= lanes;
		ao &= lanes;
		uint32_t sa = (uint32_t)(((ae + ao) * k_sum) >> 48);
		uint32_t sb = (uint32_t)((((be & lanes) + (bo & lanes)) * k_sum) >> 48);
		uint32_t wp = (uint32_t)((ae * k_pos_even + ao * k_pos_odd) >> 48);
		b += 8 * (uint32_t)words * a + 8 * sb - wp;
		a += sa;
	}
#endif
	for (; i < n; i++) {
		a += p[i];
		b += a;
	}
	*ck_a = (uint8_t)a;
	*ck_b = (uint8_t)b;
}

/* Check a UBX candidate p[0..n) (p[0] = 0xB5). */
static enum check
check_ubx(const uint8_t *p, size_t n, int at_end, size_t *frame_len,
	  enum kt_reject_reason *reason, size_t *resume)
{
	size_t plen, total;
	uint8_t a, b;

	if (n < 2)
		goto need;
	if (p[1] != UBX_SYNC2) {
		*reason = KT_REJECT_GARBAGE_BYTES;
		*resume = 1;
		return CK_BAD;
	}
	if (n < 6)
		goto need;
	plen = (size_t)p[4] | (size_t)p[5] << 8;
	if (plen > KT_UBX_MAX_PAYLOAD) {
		*reason = KT_REJECT_TOO_LONG;
		*resume = 2;
		return CK_BAD;
	}
	total = plen + 8;
	if (n < total)
		goto need;
	fletcher(p + 2, plen + 4, &a, &b);
	if (a != p[total - 2] || b != p[total - 1]) {
		/* A sync pair or '$' inside means the frame was cut off by the next. */
		*reason = KT_REJECT_CHECKSUM;
		for (size_t i = 2; i + 1 < total; i++)
			if (p[i] == UBX_SYNC1 && p[i + 1] == UBX_SYNC2) {
				*reason = KT_REJECT_TRUNCATED;
				break;
			}
		*resume = 2;
		return CK_BAD;
	}
	*frame_len = total;
	return CK_OK;
need:
	if (at_end) {
		*reason = KT_REJECT_TRUNCATED;
		*resume = n < 2 ? 1 : 2;
		return CK_BAD;
	}
	return CK_NEED;
}

static int
is_start(const uint8_t *p, size_t n)
{
	return p[0] == '$' || p[0] == '!' || (p[0] == UBX_SYNC1 && (n < 2 || p[1] == UBX_SYNC2));
}

/* Is the UBX candidate p[0..n) (p[0] = 0xB5) the start of a frame that
 * more bytes would complete (as opposed to one complete but bad)? */
static int
ubx_incomplete(const uint8_t *p, size_t n)
{
	if (n < 2)
		return 1;
	if (p[1] != UBX_SYNC2)
		return 0;
	if (n < 6)
		return 1;
	return n < ((size_t)p[4] | (size_t)p[5] << 8) + 8;
}

/*
 * At the end of the stream: would rescanning p[0..n) find a frame? The
 * same steps as process_buf() takes, without counting anything. Used for
 * the bytes of a frame cut off by the end of the stream (a vest whose
 * battery died): if no frame hides in them they are that one truncated
 * frame, not also garbage and more cut frames.
 */
static int
frame_ahead(const uint8_t *p, size_t n)
{
	size_t k = 0;

	while (k < n) {
		size_t flen = 0, cons = 0, resume = 0;
		enum kt_reject_reason reason;
		enum check c;

		if (!is_start(p + k, n - k)) {
			k++;
			continue;
		}
		if (p[k] != UBX_SYNC1)
			c = check_nmea(p + k, n - k, 1, &flen, &cons, &reason, &resume);
		else
			c = check_ubx(p + k, n - k, 1, &flen, &reason, &resume);
		if (c == CK_OK)
			return 1;
		k += resume > 0 ? resume : 1; /* CK_NEED cannot happen at the end */
	}
	return 0;
}

/*
 * Work on the buffered candidate f->buf[0..len). Returns 1 with a frame, 0 if
 * more bytes are needed (state stays ST_BUF) or the buffer emptied (state
 * ST_IDLE).
 */
static int
process_buf(struct kt_framer *f, int at_end, enum kt_frame_type *ret_type,
	    const uint8_t **ret_frame, size_t *ret_len)
{
	for (;;) {
		size_t flen = 0, cons = 0, resume = 0, k;
		enum kt_reject_reason reason = KT_REJECT_MALFORMED;
		enum check c;
		int nmea;

		if (f->len == 0) {
			f->state = ST_IDLE;
			return 0;
		}
		nmea = f->buf[0] != UBX_SYNC1;
		if (nmea)
			c = check_nmea(f->buf, f->len, at_end, &flen, &cons, &reason, &resume);
		else {
			c = check_ubx(f->buf, f->len, at_end, &flen, &reason, &resume);
			cons = flen;
		}
		if (c == CK_NEED) {
			f->need = nmea ? 0 : (f->len < 6 ? 6 : ((size_t)f->buf[4] | (size_t)f->buf[5] << 8) + 8);
			return 0;
		}
		if (c == CK_OK) {
			if (nmea) {
				f->frames_nmea++;
				f->at_line_start = 1;
			} else {
				f->frames_ubx++;
				f->at_line_start = 1;
			}
			/* Keep the frame at the front; leftover bytes after it
			 * are moved just behind the NUL when we return. */
			*ret_type = nmea ? KT_FRAME_NMEA : KT_FRAME_UBX;
			*ret_len = flen;
			*ret_frame = f->buf;
			f->need = cons; /* bytes of the frame to drop on the next call */
			f->state = ST_BUF;
			f->returned = 1;
			if (nmea) {
				/* NUL-terminate; the byte after is the line end,
				 * which is consumed, so overwriting it is fine. */
				f->buf[flen] = 0;
			}
			return 1;
		}
		/* Bad: count and rescan the rest of the buffer. A UBX frame
		 * cut by the end of the stream is counted once, as truncated,
		 * unless a frame lies among its bytes (then its sync pair was
		 * garbage, and the bytes before that frame are counted so). */
		if (at_end && !nmea && reason == KT_REJECT_TRUNCATED && ubx_incomplete(f->buf, f->len) &&
		    !frame_ahead(f->buf + (resume < f->len ? resume : f->len),
				 f->len - (resume < f->len ? resume : f->len))) {
			f->rejected[KT_REJECT_TRUNCATED]++;
			f->len = 0;
			continue;
		}
		if (reason == KT_REJECT_GARBAGE_BYTES)
			f->rejected[KT_REJECT_GARBAGE_BYTES] += resume;
		else
			f->rejected[reason]++;
		if (resume > f->len)
			resume = f->len;
		for (k = resume; k < f->len; k++)
			if (is_start(f->buf + k, f->len - k))
				break;
			else if (f->buf[k] != '\r' && f->buf[k] != '\n')
				f->rejected[KT_REJECT_GARBAGE_BYTES]++;
		memmove(f->buf, f->buf + k, f->len - k);
		f->len -= k;
	}
}

/* Drop a frame returned from the buffer on the previous call. */
static void
drop_returned(struct kt_framer *f)
{
	if (!f->returned)
		return;
	f->returned = 0;
	if (f->need > f->len)
		f->need = f->len;
	memmove(f->buf, f->buf + f->need, f->len - f->need);
	f->len -= f->need;
	f->need = 0;
	/* Leftover bytes (from a rescanned bad frame) must start a candidate. */
	while (f->len > 0 && !is_start(f->buf, f->len)) {
		if (f->buf[0] != '\r' && f->buf[0] != '\n')
			f->rejected[KT_REJECT_GARBAGE_BYTES]++;
		memmove(f->buf, f->buf + 1, f->len - 1);
		f->len--;
	}
	f->state = f->len ? ST_BUF : ST_IDLE;
}

size_t
kt_framer_push(struct kt_framer *f, const uint8_t *data, size_t len,
	       enum kt_frame_type *ret_type, const uint8_t **ret_frame, size_t *ret_len)
{
	size_t i = 0;

	*ret_type = KT_FRAME_NONE;
	drop_returned(f);

	/* Leftover candidate bytes from a rescan may already hold a whole
	 * frame: return it before taking new data (the only case where no
	 * byte is consumed). */
	if (f->state == ST_BUF && f->len > 0 && process_buf(f, 0, ret_type, ret_frame, ret_len))
		return 0;

	while (i < len) {
		if (f->state == ST_BUF) {
			/* Append up to what the candidate needs. */
			size_t room = KT_FRAME_BUF - f->len, take;
			if (f->buf[0] == UBX_SYNC1) {
				size_t want = f->len < 6 ? 6 - f->len
						: (((size_t)f->buf[4] | (size_t)f->buf[5] << 8) + 8) - f->len;
				if (f->len >= 2 && f->buf[1] != UBX_SYNC2)
					want = 0;
				take = want < len - i ? want : len - i;
			} else {
				size_t lim = KT_NMEA_MAX_LEN > f->len ? KT_NMEA_MAX_LEN - f->len : 0;
				const uint8_t *nl;
				if (lim > len - i)
					lim = len - i;
				nl = memchr(data + i, '\n', lim);
				take = nl ? (size_t)(nl - (data + i)) + 1 : lim;
			}
			if (take > room)
				take = room;
			memcpy(f->buf + f->len, data + i, take);
			f->len += take;
			f->bytes_in += take;
			i += take;
			if (process_buf(f, 0, ret_type, ret_frame, ret_len))
				return i;
			continue;
		}
		if (f->state == ST_COMMENT) {
			const uint8_t *nl = memchr(data + i, '\n', len - i);
			size_t upto = nl ? (size_t)(nl - data) + 1 : len;
			/* A UBX sync inside a comment ends it (binary follows). */
			for (size_t k = i; k + 1 < upto; k++)
				if (data[k] == UBX_SYNC1 && data[k + 1] == UBX_SYNC2) {
					upto = k;
					nl = NULL;
					f->state = ST_IDLE;
					break;
				}
			f->bytes_in += upto - i;
			i = upto;
			if (nl) {
				f->state = ST_IDLE;
				f->at_line_start = 1;
			}
			continue;
		}
		/* ST_IDLE */
		{
			uint8_t c = data[i];
			size_t n = len - i, flen = 0, cons = 0, resume = 0;
			enum kt_reject_reason reason = KT_REJECT_MALFORMED;
			enum check ck;

			if (c == '$' || c == '!') {
				ck = check_nmea(data + i, n, 0, &flen, &cons, &reason, &resume);
				if (ck == CK_OK) {
					if (f->nmea_in_place) {
						*ret_frame = data + i;
					} else {
						memcpy(f->buf, data + i, flen);
						f->buf[flen] = 0;
						*ret_frame = f->buf;
					}
					f->frames_nmea++;
					f->bytes_in += cons;
					f->at_line_start = 1;
					*ret_type = KT_FRAME_NMEA;
					*ret_len = flen;
					return i + cons;
				}
			} else if (c == UBX_SYNC1) {
				ck = check_ubx(data + i, n, 0, &flen, &reason, &resume);
				if (ck == CK_OK) {
					f->frames_ubx++;
					f->bytes_in += flen;
					f->at_line_start = 1;
					*ret_type = KT_FRAME_UBX;
					*ret_frame = data + i;
					*ret_len = flen;
					return i + flen;
				}
			} else {
				if (c == '#' && f->at_line_start) {
					f->state = ST_COMMENT;
				} else if (c == '\n') {
					f->at_line_start = 1;
				} else if (c != '\r') {
					f->rejected[KT_REJECT_GARBAGE_BYTES]++;
					f->at_line_start = 0;
				}
				f->bytes_in++;
				i++;
				continue;
			}
			if (ck == CK_NEED) {
				/* Cut by the end of this push: buffer it (n is
				 * below the frame's maximum size here). */
				memcpy(f->buf, data + i, n);
				f->len = n;
				f->bytes_in += n;
				f->state = ST_BUF;
				return len;
			}
			/* CK_BAD */
			if (reason == KT_REJECT_GARBAGE_BYTES)
				f->rejected[KT_REJECT_GARBAGE_BYTES] += resume;
			else
				f->rejected[reason]++;
			f->at_line_start = 0;
			f->bytes_in += resume;
			i += resume;
		}
	}
	return len;
}

int
kt_framer_flush(struct kt_framer *f, enum kt_frame_type *ret_type, const uint8_t **ret_frame,
		size_t *ret_len)
{
	*ret_type = KT_FRAME_NONE;
	drop_returned(f);
	if (f->state == ST_BUF && f->len > 0 && process_buf(f, 1, ret_type, ret_frame, ret_len))
		return 1;
	/* Nothing more in the buffer: back to the start-of-stream state. */
	f->len = 0;
	f->state = ST_IDLE;
	f->at_line_start = 1;
	return 0;
}

void
kt_framer_finish(struct kt_framer *f)
{
	enum kt_frame_type t;
	const uint8_t *fr;
	size_t fl;

	while (kt_framer_flush(f, &t, &fr, &fl) > 0)
		;
}

/* ---- Encoders ---- */

void
kt_ubx_checksum(const uint8_t *cls_to_payload_end, size_t n, uint8_t *ck_a, uint8_t *ck_b)
{
	fletcher(cls_to_payload_end, n, ck_a, ck_b);
}

int
kt_ubx_encode(uint8_t cls, uint8_t id, const uint8_t *payload, uint16_t len,
	      uint8_t *out, size_t out_size)
{
	if (out_size < (size_t)len + 8)
		return -1;
	out[0] = UBX_SYNC1;
	out[1] = UBX_SYNC2;
	out[2] = cls;
	out[3] = id;
	out[4] = (uint8_t)(len & 0xff);
	out[5] = (uint8_t)(len >> 8);
	if (len)
		memmove(out + 6, payload, len);
	fletcher(out + 2, (size_t)len + 4, &out[6 + len], &out[7 + len]);
	return len + 8;
}

uint8_t
kt_nmea_checksum(const char *s, size_t n)
{
	uint8_t x = 0;
	for (size_t i = 0; i < n; i++)
		x ^= (uint8_t)s[i];
	return x;
}

int
kt_nmea_encode(const char *body, char *out, size_t out_size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(body);
	uint8_t x;

	if (out_size < n + 7)
		return -1;
	x = kt_nmea_checksum(body, n);
	out[0] = '$';
	memmove(out + 1, body, n);
	out[n + 1] = '*';
	out[n + 2] = hex[x >> 4];
	out[n + 3] = hex[x & 0xf];
	out[n + 4] = '\r';
	out[n + 5] = '\n';
	out[n + 6] = 0;
	return (int)n + 6;
}
