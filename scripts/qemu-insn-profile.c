// SPDX-License-Identifier: GPL-2.0
/*
 * qemu-insn-profile: a QEMU TCG plugin that counts the guest instructions
 * executed from each translation block's start address and, when QEMU exits,
 * writes "ADDRESS COUNT" lines (hex, decimal) to the file named by
 * $INSN_PROFILE_OUT. Kernel addresses are kept; all user addresses are
 * counted together under address 1. scripts/profile-guest maps the addresses
 * to kernel functions. QEMU's instruction count is the one -icount uses, so
 * the figures add up to what `make bench` measures.
 *
 * Only the few entry points of QEMU's plugin API (include/qemu/qemu-plugin.h,
 * API version 1, QEMU 4.2 and later) that this uses are declared here.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
typedef struct qemu_info_t qemu_info_t;

#define EXPORTED __attribute__((visibility("default")))
EXPORTED int qemu_plugin_version = 1;

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
		void (*cb)(qemu_plugin_id_t, struct qemu_plugin_tb *));
/* op 0: QEMU_PLUGIN_INLINE_ADD_U64, *ptr += imm at each execution */
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
		int op, void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
		void (*cb)(qemu_plugin_id_t, void *), void *userdata);

#define SLOTS (1u << 22)	/* distinct block addresses; a kernel has far fewer */
#define KERNEL_START 0xffff000000000000ull	/* x86_64 and arm64 */

struct block {
	uint64_t addr;
	uint64_t insns;
};

static struct block *blocks;
static unsigned int used;

static struct block *lookup(uint64_t addr)
{
	uint64_t i = (addr * 0x9e3779b97f4a7c15ull) >> (64 - 22);

	while (blocks[i].addr && blocks[i].addr != addr)
		i = (i + 1) & (SLOTS - 1);
	if (!blocks[i].addr) {
		if (++used > SLOTS / 2)
			return NULL;
		blocks[i].addr = addr;
	}
	return &blocks[i];
}

/* Translation time: add the block's length to its counter at each run. */
static void translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t addr = qemu_plugin_tb_vaddr(tb);
	struct block *b = lookup(addr >= KERNEL_START ? addr : 1);

	if (b)
		qemu_plugin_register_vcpu_tb_exec_inline(tb, 0, &b->insns,
							 qemu_plugin_tb_n_insns(tb));
}

static void write_out(qemu_plugin_id_t id, void *data)
{
	const char *path = getenv("INSN_PROFILE_OUT");
	FILE *f = fopen(path ? path : "insn-profile.out", "w");
	unsigned int i;

	if (!f)
		return;
	for (i = 0; i < SLOTS; i++)
		if (blocks[i].insns)
			fprintf(f, "%llx %llu\n", (unsigned long long)blocks[i].addr,
				(unsigned long long)blocks[i].insns);
	fclose(f);
}

EXPORTED int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
				 int argc, char **argv)
{
	blocks = calloc(SLOTS, sizeof(*blocks));
	if (!blocks)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
	qemu_plugin_register_atexit_cb(id, write_out, NULL);
	return 0;
}
