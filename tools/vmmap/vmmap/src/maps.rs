// SPDX-License-Identifier: GPL-2.0

//! `/proc/PID/maps`, parsed: the fallback for kernels older than 6.11; and
//! `/proc/PID/smaps`, for the counters on kernels without them in
//! `process_vm_getinfo()`.
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

use crate::{abi::Counters, Kind, Vma};

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
        counters: None,
    })
    .filter(|v| v.start < v.end)
}

/// Parses the text of an smaps file: each VMA's maps line and its counters
/// (the fields of [`Counters`] smaps prints, in bytes). Errors name the
/// first line that is neither.
///
/// ```
/// let v = vmmap::maps::parse_smaps(
///     "7f00c0000000-7f00c0021000 rw-p 00000000 00:00 0      [anon:libc_malloc]\n\
///      Size:                132 kB\n\
///      Rss:                  12 kB\n\
///      Pss:                   6 kB\n\
///      Private_Dirty:         4 kB\n\
///      Swap:                  8 kB\n\
///      VmFlags: rd wr mr mw me ac\n",
/// )
/// .unwrap();
/// let c = v[0].counters.unwrap();
/// assert_eq!((c.rss, c.pss, c.private_dirty, c.swap), (12288, 6144, 4096, 8192));
/// ```
pub fn parse_smaps(text: &str) -> Result<Vec<Vma>, String> {
    let mut out: Vec<Vma> = Vec::new();
    for (i, l) in text.lines().enumerate().filter(|(_, l)| !l.is_empty()) {
        if let Some(v) = out.last_mut() {
            let c = v.counters.get_or_insert_with(Counters::default);
            if counter_line(c, l) || is_smaps_field(l) {
                continue;
            }
        }
        match parse_line(l) {
            Some(v) => out.push(Vma {
                counters: Some(Counters::default()),
                ..v
            }),
            None => return Err(format!("smaps line {}: {:?}", i + 1, l)),
        }
    }
    Ok(out)
}

/// A `Key: value` line of smaps that is not a counter (`Size`, `VmFlags`,
/// `THPeligible`, ...): a word and a colon, no range before it.
fn is_smaps_field(l: &str) -> bool {
    l.split_once(':').is_some_and(|(k, _)| {
        !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

/// Adds a `Key:  N kB` line of smaps or `smaps_rollup` to `c` if it is one
/// of the counters; returns whether it was.
pub fn counter_line(c: &mut Counters, l: &str) -> bool {
    let Some((key, rest)) = l.split_once(':') else {
        return false;
    };
    let Some(kb) = rest
        .trim()
        .strip_suffix("kB")
        .and_then(|n| n.trim().parse::<u64>().ok())
    else {
        return false;
    };
    let field = match key {
        "Rss" => &mut c.rss,
        "Pss" => &mut c.pss,
        "Pss_Dirty" => &mut c.pss_dirty,
        "Pss_Anon" => &mut c.pss_anon,
        "Pss_File" => &mut c.pss_file,
        "Pss_Shmem" => &mut c.pss_shmem,
        "Shared_Clean" => &mut c.shared_clean,
        "Shared_Dirty" => &mut c.shared_dirty,
        "Private_Clean" => &mut c.private_clean,
        "Private_Dirty" => &mut c.private_dirty,
        "Referenced" => &mut c.referenced,
        "Anonymous" => &mut c.anonymous,
        "KSM" => &mut c.ksm,
        "LazyFree" => &mut c.lazyfree,
        "AnonHugePages" => &mut c.anon_huge,
        "ShmemPmdMapped" => &mut c.shmem_pmd,
        "FilePmdMapped" => &mut c.file_pmd,
        "Shared_Hugetlb" => &mut c.shared_hugetlb,
        "Private_Hugetlb" => &mut c.private_hugetlb,
        "Swap" => &mut c.swap,
        "SwapPss" => &mut c.swap_pss,
        "Locked" => &mut c.locked,
        _ => return false,
    };
    *field = kb << 10;
    true
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
