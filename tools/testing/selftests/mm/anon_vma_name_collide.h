/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Families of anonymous VMA names for the flood selftest and the benchmark:
 * random names, names that all have one 32-bit FNV-1a hash (the hash the
 * name table used to index by: h = 0x811c9dc5, then per byte h ^= b,
 * h *= 0x01000193), and names whose FNV-1a hashes agree in their low 16 and
 * top 6 bits. Every name is made of valid name bytes (0x20..0x7e but for
 * \ ` $ [ ]), and the names of a family are distinct.
 *
 * Full collisions chain: FNV-1a is a state machine, so two 4-byte blocks
 * that take the state from h to the same h' (found by a birthday search,
 * about 2^16 random blocks) can be swapped for each other in any name that
 * reaches h there. K such pairs in a row give 2^K names of 4K bytes, all
 * with one hash. Partial collisions use the fact that the low 16 bits of
 * the state depend only on the low 16 bits before: for a prefix, the 4-byte
 * suffixes that give the wanted low 16 bits are met in the middle (2 bytes
 * forward, 2 bytes backward through the inverse of the prime), and of those
 * the ones with the wanted top 6 bits are kept, about 16 per prefix.
 */
#ifndef ANON_VMA_NAME_COLLIDE_H
#define ANON_VMA_NAME_COLLIDE_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define AVN_FNV_BASIS		0x811c9dc5u
#define AVN_FNV_PRIME		0x01000193u
#define AVN_NAME_MAX		79	/* bytes of a name, without the NUL */
#define AVN_BLOCK		4	/* bytes per colliding block */
#define AVN_MAX_BLOCKS		(AVN_NAME_MAX / AVN_BLOCK)
/* The bits that partially colliding names share: top 6 and low 16. */
#define AVN_PARTIAL_MASK	0xfc00ffffu

/* The bytes a name may hold, in order. */
#define AVN_VALID_LOW	" !\"#%&'()*+,-./0123456789:;<=>?@"
#define AVN_VALID_UPPER	"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define AVN_VALID_LOWER	"abcdefghijklmnopqrstuvwxyz"
static const char avn_valid[] =
	AVN_VALID_LOW AVN_VALID_UPPER "^_" AVN_VALID_LOWER "{|}~";
#define AVN_NVALID	((int)sizeof(avn_valid) - 1)	/* 90 */

static inline uint32_t avn_fnv1a(uint32_t h, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len--) {
		h ^= *p++;
		h *= AVN_FNV_PRIME;
	}
	return h;
}

/* splitmix64: a small deterministic generator. */
static inline uint64_t avn_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline char avn_rand_byte(uint64_t *state)
{
	return avn_valid[avn_rand(state) % AVN_NVALID];
}

/*
 * A random name of len bytes (at least 4) and a NUL, the i-th of a family:
 * its first 4 bytes spell i in base 90 (so names of distinct i differ,
 * for i < 90^4), the rest is random.
 */
static inline void avn_random_name(uint64_t seed, uint64_t i, int len,
				   char *out)
{
	uint64_t s = seed ^ (i * 0xd6e8feb86659fd93ull), v = i;
	int k;

	for (k = 0; k < 4; k++, v /= AVN_NVALID)
		out[k] = avn_valid[v % AVN_NVALID];
	for (; k < len; k++)
		out[k] = avn_rand_byte(&s);
	out[len] = '\0';
}

/* ---- Full collisions: 2^blocks names of 4 * blocks bytes, one hash ---- */

struct avn_collide {
	int blocks;
	char pair[AVN_MAX_BLOCKS][2][AVN_BLOCK];
	uint32_t hash;		/* the FNV-1a hash of every name */
};

struct avn_slot {
	uint32_t state;		/* the state after the block */
	uint32_t used;
	char block[AVN_BLOCK];
};

#define AVN_SLOTS	0x80000u	/* birthday table: ~2^16.3 entries used */

/* Builds the pairs; returns 0, -EINVAL (too many blocks) or -ENOMEM. */
static inline int avn_collide_init(struct avn_collide *c, int blocks,
				   uint64_t seed)
{
	struct avn_slot *t;
	uint32_t h = AVN_FNV_BASIS;
	uint64_t s = seed;
	int k;

	if (blocks < 1 || blocks > AVN_MAX_BLOCKS)
		return -EINVAL;
	t = malloc(AVN_SLOTS * sizeof(*t));
	if (!t)
		return -ENOMEM;
	c->blocks = blocks;
	for (k = 0; k < blocks; k++) {
		unsigned int filled = 0;

		memset(t, 0, AVN_SLOTS * sizeof(*t));
		for (;;) {
			char b[AVN_BLOCK];
			uint32_t h2, i;
			int j;

			for (j = 0; j < AVN_BLOCK; j++)
				b[j] = avn_rand_byte(&s);
			h2 = avn_fnv1a(h, b, AVN_BLOCK);
			i = (h2 * 0x9e3779b1u) >> 13;	/* 19 bits */
			while (t[i].used && t[i].state != h2)
				i = (i + 1) & (AVN_SLOTS - 1);
			if (t[i].used) {
				if (!memcmp(t[i].block, b, AVN_BLOCK))
					continue;
				memcpy(c->pair[k][0], t[i].block, AVN_BLOCK);
				memcpy(c->pair[k][1], b, AVN_BLOCK);
				h = h2;
				break;
			}
			if (++filled > AVN_SLOTS / 2) {	/* unlucky: start over */
				memset(t, 0, AVN_SLOTS * sizeof(*t));
				filled = 0;
				continue;
			}
			t[i].used = 1;
			t[i].state = h2;
			memcpy(t[i].block, b, AVN_BLOCK);
		}
	}
	free(t);
	c->hash = h;
	return 0;
}

/* Name i (i < 2^blocks) of the family: 4 * blocks bytes and a NUL. */
static inline void avn_collide_name(const struct avn_collide *c, uint64_t i,
				    char *out)
{
	int k;

	for (k = 0; k < c->blocks; k++)
		memcpy(out + k * AVN_BLOCK, c->pair[k][(i >> k) & 1], AVN_BLOCK);
	out[c->blocks * AVN_BLOCK] = '\0';
}

/* ---- Partial collisions: hashes equal under AVN_PARTIAL_MASK ---- */

struct avn_partial_name {
	uint32_t prefix;	/* the prefix is avn_random_name() number prefix */
	char suffix[AVN_BLOCK];
};

struct avn_partial {
	uint64_t seed;
	int len;		/* bytes of each name: prefix and suffix */
	uint32_t want;		/* hash & AVN_PARTIAL_MASK of every name */
	size_t n;
	struct avn_partial_name *names;
};

/* The inverse of the FNV prime modulo 2^32 (so modulo 2^16 too). */
static inline uint32_t avn_prime_inverse(void)
{
	uint32_t x = AVN_FNV_PRIME;	/* right to 3 bits; each step doubles */
	int i;

	for (i = 0; i < 5; i++)
		x *= 2 - AVN_FNV_PRIME * x;
	return x;
}

/*
 * Builds n names of len bytes (5..AVN_NAME_MAX) whose hashes all equal
 * want under AVN_PARTIAL_MASK. Returns 0, -EINVAL or -ENOMEM; free with
 * avn_partial_free().
 */
static inline int avn_partial_init(struct avn_partial *f, size_t n, int len,
				   uint32_t want, uint64_t seed)
{
	const uint32_t inv = avn_prime_inverse();
	uint32_t *start = NULL, low = want & 0xffff;
	uint16_t *pairs = NULL;
	char name[AVN_NAME_MAX + 1];
	uint32_t j, q, pass;
	size_t got = 0;
	int b1, b2;

	memset(f, 0, sizeof(*f));
	if (len <= AVN_BLOCK || len > AVN_NAME_MAX || n >= 90ull * 90 * 90 * 90)
		return -EINVAL;
	f->names = malloc(n * sizeof(*f->names));
	start = calloc(0x10001, sizeof(*start));
	pairs = malloc(AVN_NVALID * AVN_NVALID * sizeof(*pairs));
	if (!f->names || !start || !pairs) {
		free(f->names);
		free(start);
		free(pairs);
		f->names = NULL;
		return -ENOMEM;
	}
	f->seed = seed;
	f->len = len;
	f->want = want & AVN_PARTIAL_MASK;
	/*
	 * For each last two bytes (b3, b4), the low 16 bits m the state must
	 * have before them to end at low: bucketed by m (a counting sort).
	 */
	for (pass = 0; pass < 2; pass++) {
		for (q = 0; q < AVN_NVALID * AVN_NVALID; q++) {
			uint32_t s3 = (low * inv) ^ (unsigned char)avn_valid[q % AVN_NVALID];
			uint32_t mid = ((s3 * inv) ^
					(unsigned char)avn_valid[q / AVN_NVALID]) & 0xffff;

			if (pass == 0)
				start[mid + 1]++;
			else
				pairs[start[mid]++] = q;
		}
		if (pass == 0)
			for (j = 0; j < 0x10000; j++)
				start[j + 1] += start[j];
		else	/* start[mid] moved to the end of its bucket: back */
			for (j = 0x10000; j > 0; j--)
				start[j] = start[j - 1];
	}
	start[0] = 0;
	for (j = 0; got < n; j++) {
		uint32_t h0;

		avn_random_name(seed, j, len - AVN_BLOCK, name);
		h0 = avn_fnv1a(AVN_FNV_BASIS, name, len - AVN_BLOCK);
		for (b1 = 0; b1 < AVN_NVALID && got < n; b1++) {
			uint32_t h1 = (h0 ^ (unsigned char)avn_valid[b1]) * AVN_FNV_PRIME;

			for (b2 = 0; b2 < AVN_NVALID && got < n; b2++) {
				uint32_t h2 = (h1 ^ (unsigned char)avn_valid[b2]) *
					      AVN_FNV_PRIME;
				uint32_t k, mid = h2 & 0xffff;

				for (k = start[mid]; k < start[mid + 1] && got < n; k++) {
					char b3 = avn_valid[pairs[k] / AVN_NVALID];
					char b4 = avn_valid[pairs[k] % AVN_NVALID];
					uint32_t h4 = (h2 ^ (unsigned char)b3) * AVN_FNV_PRIME;

					h4 = (h4 ^ (unsigned char)b4) * AVN_FNV_PRIME;
					if ((h4 & AVN_PARTIAL_MASK) != f->want)
						continue;
					f->names[got].prefix = j;
					f->names[got].suffix[0] = avn_valid[b1];
					f->names[got].suffix[1] = avn_valid[b2];
					f->names[got].suffix[2] = b3;
					f->names[got].suffix[3] = b4;
					got++;
				}
			}
		}
	}
	f->n = n;
	free(start);
	free(pairs);
	return 0;
}

/* Name i (i < n) of the family: len bytes and a NUL. */
static inline void avn_partial_name(const struct avn_partial *f, size_t i,
				    char *out)
{
	avn_random_name(f->seed, f->names[i].prefix, f->len - AVN_BLOCK, out);
	memcpy(out + f->len - AVN_BLOCK, f->names[i].suffix, AVN_BLOCK);
	out[f->len] = '\0';
}

static inline void avn_partial_free(struct avn_partial *f)
{
	free(f->names);
	f->names = NULL;
	f->n = 0;
}

#endif
