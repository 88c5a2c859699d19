// SPDX-License-Identifier: GPL-2.0

//! Identifiers of address spaces for VMA layout tokens.
//!
//! A layout token is the pair (`mm->vma_layout_mm_id`, `mm->vma_layout_seq`),
//! see `include/linux/vma_layout_seq.h`. The sequence number alone would let a
//! token taken before `exec()` match the new address space, whose count starts
//! again from zero; the identifier, never reused in a boot, prevents that.

use core::sync::atomic::{AtomicU64, Ordering};

/// The next identifier; zero is never handed out (it is `init_mm`'s).
static NEXT_MM_ID: AtomicU64 = AtomicU64::new(1);

/// Returns an address-space identifier that was never returned before in this
/// boot; called by `mm_init()` for every new `mm_struct`.
///
/// 2^64 identifiers last for more than 500 years at a billion forks a second.
#[no_mangle]
pub extern "C" fn vma_layout_new_mm_id() -> u64 {
    NEXT_MM_ID.fetch_add(1, Ordering::Relaxed)
}
