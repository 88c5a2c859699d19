// SPDX-License-Identifier: GPL-2.0

//! Names of anonymous memory areas.
//!
//! A process names a range of its anonymous memory with
//! `prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, addr, len, name)` and the name then
//! shows as `[anon:NAME]` in `/proc/PID/maps`. This module holds the rules a
//! name follows; they are part of the user ABI and match Linux 6.12 exactly:
//!
//! - at most [`MAX_LEN`]` - 1` bytes, so that the name and its NUL fit in
//!   [`MAX_LEN`] bytes;
//! - only printable ASCII (`0x20..=0x7e`), except the bytes in [`FORBIDDEN`],
//!   which would make `/proc/PID/maps` ambiguous or unsafe to pass to a shell.
//!
//! The empty name is valid.
//!
//! C header: [`include/linux/anon_vma_name.h`](srctree/include/linux/anon_vma_name.h)

use crate::error::{code::EINVAL, Result};

/// Size of the longest name in bytes, counting its terminating NUL.
pub const MAX_LEN: usize = 80;

/// Printable bytes that a name may not contain.
pub const FORBIDDEN: &[u8] = b"\\`$[]";

/// Returns whether the byte `c` may appear in a name.
///
/// # Examples
///
/// ```
/// use kernel::mm::anon_name::is_valid_byte;
///
/// assert!(is_valid_byte(b'a'));
/// assert!(is_valid_byte(b' '));
/// assert!(is_valid_byte(b'~'));
/// assert!(!is_valid_byte(b'['));
/// assert!(!is_valid_byte(b'\n'));
/// assert!(!is_valid_byte(0x7f));
/// assert!(!is_valid_byte(0xc3));
/// ```
pub const fn is_valid_byte(c: u8) -> bool {
    if c < 0x20 || c > 0x7e {
        return false;
    }
    let mut i = 0;
    while i < FORBIDDEN.len() {
        if FORBIDDEN[i] == c {
            return false;
        }
        i += 1;
    }
    true
}

/// Checks that `name` (without its NUL) is a valid name.
///
/// Returns `EINVAL` if it is too long or holds a byte that
/// [`is_valid_byte`] refuses.
///
/// # Examples
///
/// ```
/// use kernel::error::code::EINVAL;
/// use kernel::mm::anon_name::{validate, MAX_LEN};
///
/// assert_eq!(validate(b"libc_malloc"), Ok(()));
/// assert_eq!(validate(b"stack_and_tls:1234"), Ok(()));
/// assert_eq!(validate(b""), Ok(()));
/// assert_eq!(validate(b"[heap]"), Err(EINVAL));
/// assert_eq!(validate(b"a$b"), Err(EINVAL));
/// assert_eq!(validate(b"tab\there"), Err(EINVAL));
///
/// let longest = [b'x'; MAX_LEN - 1];
/// assert_eq!(validate(&longest), Ok(()));
/// let too_long = [b'x'; MAX_LEN];
/// assert_eq!(validate(&too_long), Err(EINVAL));
/// ```
pub fn validate(name: &[u8]) -> Result {
    if name.len() >= MAX_LEN || !name.iter().all(|&c| is_valid_byte(c)) {
        return Err(EINVAL);
    }
    Ok(())
}
