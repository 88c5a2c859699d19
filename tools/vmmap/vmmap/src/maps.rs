// SPDX-License-Identifier: GPL-2.0

//! `/proc/PID/maps`, parsed: the fallback for kernels older than 6.11.
//!
//! ```
//! let v = vmmap::maps::parse(
//!     "7f00c0000000-7f00c0021000 rw-p 00000000 00:00 0      [anon:libc_malloc]\n",
//! )
//! .unwrap();
//! assert_eq!(v[0].name, "[anon:libc_malloc]");
//! assert_eq!(v[0].size(), 0x21000);
//! assert_eq!(v[0].kind, vmmap::Kind::Anonymous);
//! ```

use crate::{Kind, Vma};

/// Parses the text of a maps file. Errors name the first bad line.
pub fn parse(text: &str) -> Result<Vec<Vma>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, l)| parse_line(l).ok_or_else(|| format!("maps line {}: {:?}", i + 1, l)))
        .collect()
}

/// One line: `start-end perms offset major:minor inode [name]`. The name is
/// what follows the inode after the padding, and may contain spaces.
pub fn parse_line(line: &str) -> Option<Vma> {
    let mut rest = line;
    let mut field = || {
        let t = rest.trim_start_matches(' ');
        let end = t.find(' ').unwrap_or(t.len());
        let (f, r) = t.split_at(end);
        rest = r;
        (!f.is_empty()).then_some(f)
    };
    let (range, perms, offset, dev, inode) = (field()?, field()?, field()?, field()?, field()?);
    let (start, end) = range.split_once('-')?;
    let (major, minor) = dev.split_once(':')?;
    let hex = |s: &str| u64::from_str_radix(s, 16).ok();
    let name = rest.trim_start_matches(' ').to_string();
    let inode: u64 = inode.parse().ok()?;
    if perms.len() != 4 {
        return None;
    }
    Some(Vma {
        start: hex(start)?,
        end: hex(end)?,
        perms: perms.to_string(),
        offset: hex(offset)?,
        dev_major: u32::from_str_radix(major, 16).ok()?,
        dev_minor: u32::from_str_radix(minor, 16).ok()?,
        inode,
        kind: Vma::kind_from_maps(inode, &name),
        name,
        name_id: None,
        vm_flags: None,
        anon_vma: None,
        page_size: None,
    })
    .filter(|v| v.start < v.end)
}

/// The group a name belongs to in a summary, the way Android's showmap
/// groups them: allocator and stack names that carry an id are one group
/// (`[anon:scudo:*]`, `[anon:stack_and_tls:*]`), anything else is its own.
///
/// ```
/// use vmmap::maps::group_of;
/// assert_eq!(group_of("[anon:stack_and_tls:1234]"), "[anon:stack_and_tls:*]");
/// assert_eq!(group_of("[anon:scudo:primary]"), "[anon:scudo:*]");
/// assert_eq!(group_of("[anon:libc_malloc]"), "[anon:libc_malloc]");
/// assert_eq!(group_of(""), "[anon]");
/// assert_eq!(group_of("/system/lib64/libc.so"), "/system/lib64/libc.so");
/// ```
pub fn group_of(name: &str) -> String {
    const FAMILIES: [&str; 5] = [
        "[anon:scudo:",
        "[anon:stack_and_tls:",
        "[anon:dalvik-",
        "[anon:thread signal stack",
        "[stack:",
    ];
    if name.is_empty() {
        return "[anon]".into();
    }
    for f in FAMILIES {
        if name.starts_with(f) && name.len() > f.len() {
            return format!("{}*]", f);
        }
    }
    name.to_string()
}

/// The kind of a group: the kind most of its VMAs have.
pub fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Anonymous => "anon",
        Kind::File => "file",
        Kind::Special => "special",
    }
}
