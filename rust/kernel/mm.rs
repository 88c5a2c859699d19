// SPDX-License-Identifier: GPL-2.0

//! Memory management.
//!
//! C header: [`include/linux/mm.h`](srctree/include/linux/mm.h)

#[cfg(CONFIG_ANON_VMA_NAME)]
pub mod anon_name;

#[cfg(CONFIG_PROCESS_VM_GETINFO)]
pub mod getinfo;
#[cfg(CONFIG_VMA_LAYOUT_SEQ)]
pub mod vma;
