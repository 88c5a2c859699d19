// SPDX-License-Identifier: GPL-2.0

//! Which system calls of the series the running kernel has, and their
//! numbers, as `/sys/kernel/process_vm_syscalls` says.
//!
//! The calls are not in mainline, so their numbers are reserved nowhere: a
//! later kernel may give the same numbers to other calls. The crate never
//! guesses a number. A kernel built with the calls has the file, one
//! `NAME NUMBER` line per call; a call the file does not name (or a kernel
//! without the file, or a file that is not on sysfs) is not available, and
//! the crate issues nothing for it.

use std::sync::OnceLock;

/// The file the kernel of the series lists its calls in.
pub const PATH: &str = "/sys/kernel/process_vm_syscalls";

/// The numbers of the series' calls on the native ABI; `None` for a call
/// the kernel does not have (or does not say it has).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Numbers {
    pub getinfo: Option<libc::c_long>,
    pub madvise: Option<libc::c_long>,
}

/// A number as the kernel prints it (`%d`, non-negative): decimal digits,
/// no sign, no leading zero, at most `i32::MAX`.
fn parse_number(s: &str) -> Option<libc::c_long> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse::<i32>().ok().map(libc::c_long::from)
}

/// Parses the file's text. Each line is `NAME NUMBER` and a newline: one
/// space between them, nothing else on the line. Lines that are not of that
/// form, names the crate does not know, and a last line without its newline
/// are ignored. A name given on more than one line is ambiguous, and the
/// call is not available.
pub fn parse(text: &str) -> Numbers {
    let (mut getinfo, mut madvise) = (Vec::new(), Vec::new());
    let mut rest = text;
    while let Some((line, tail)) = rest.split_once('\n') {
        rest = tail;
        let Some((name, number)) = line.split_once(' ') else {
            continue;
        };
        let Some(nr) = parse_number(number) else {
            continue;
        };
        match name {
            "process_vm_getinfo" => getinfo.push(nr),
            "process_vm_madvise" => madvise.push(nr),
            _ => {}
        }
    }
    let only = |v: Vec<libc::c_long>| if v.len() == 1 { Some(v[0]) } else { None };
    Numbers {
        getinfo: only(getinfo),
        madvise: only(madvise),
    }
}

/// Reads the file: its text if it is on sysfs, else nothing.
fn read() -> Option<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(PATH).ok()?;
    // Only a file on sysfs: not one of another file system standing in for
    // it (a bind mount, a /sys that is not sysfs).
    if !crate::sys::on_sysfs(&f).ok()? {
        return None;
    }
    let mut text = String::new();
    f.read_to_string(&mut text).ok()?;
    Some(text)
}

/// The numbers of the running kernel, read once and cached.
pub fn numbers() -> Numbers {
    static NUMBERS: OnceLock<Numbers> = OnceLock::new();
    *NUMBERS.get_or_init(|| read().map_or_else(Numbers::default, |t| parse(&t)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_calls() {
        let n = parse("process_vm_getinfo 1000\nprocess_vm_madvise 1001\n");
        assert_eq!(n.getinfo, Some(1000));
        assert_eq!(n.madvise, Some(1001));
    }

    #[test]
    fn other_numbers_are_taken_as_given() {
        let n = parse("process_vm_madvise 9\nprocess_vm_getinfo 0\n");
        assert_eq!(n.getinfo, Some(0));
        assert_eq!(n.madvise, Some(9));
    }

    #[test]
    fn missing_calls() {
        assert_eq!(parse(""), Numbers::default());
        assert_eq!(parse("\n\n"), Numbers::default());
        let n = parse("process_vm_getinfo 1000\n");
        assert_eq!(n.getinfo, Some(1000));
        assert_eq!(n.madvise, None);
        let n = parse("process_vm_madvise 1001\n");
        assert_eq!(n.getinfo, None);
        assert_eq!(n.madvise, Some(1001));
    }

    #[test]
    fn unknown_lines_are_ignored() {
        let n = parse("process_vm_frob 1002\nprocess_vm_getinfo 1000\nhello\n");
        assert_eq!(n.getinfo, Some(1000));
        assert_eq!(n.madvise, None);
        assert_eq!(parse("PROCESS_VM_GETINFO 1000\n").getinfo, None);
        assert_eq!(parse("process_vm_getinfo2 1000\n").getinfo, None);
    }

    #[test]
    fn malformed_lines_are_ignored() {
        for bad in [
            "process_vm_getinfo\n",
            "process_vm_getinfo \n",
            "process_vm_getinfo  1000\n",
            " process_vm_getinfo 1000\n",
            "process_vm_getinfo 1000 \n",
            "process_vm_getinfo 1000\r\n",
            "process_vm_getinfo\t1000\n",
            "process_vm_getinfo=1000\n",
            "process_vm_getinfo 1000 1001\n",
            "process_vm_getinfo -1000\n",
            "process_vm_getinfo +1000\n",
            "process_vm_getinfo 01000\n",
            "process_vm_getinfo 0x1d8\n",
            "process_vm_getinfo 1000a\n",
            "process_vm_getinfo 4.72\n",
            "process_vm_getinfo ４７２\n",
            "process_vm_getinfo 1000",
        ] {
            assert_eq!(parse(bad), Numbers::default(), "{bad:?}");
        }
        // A bad line does not spoil the good ones around it.
        let n = parse("garbage 1 2 3\nprocess_vm_getinfo x\nprocess_vm_madvise 1001\n");
        assert_eq!(n.getinfo, None);
        assert_eq!(n.madvise, Some(1001));
    }

    #[test]
    fn duplicate_names_are_not_trusted() {
        let text = "process_vm_getinfo 1000\nprocess_vm_getinfo 1008\nprocess_vm_madvise 1001\n";
        let n = parse(text);
        assert_eq!(n.getinfo, None);
        assert_eq!(n.madvise, Some(1001));
        let n = parse("process_vm_getinfo 1000\nprocess_vm_getinfo 1000\n");
        assert_eq!(n.getinfo, None);
        // A malformed second line is not a duplicate: it is ignored.
        let n = parse("process_vm_getinfo 1000\nprocess_vm_getinfo -1\n");
        assert_eq!(n.getinfo, Some(1000));
    }

    #[test]
    fn huge_numbers() {
        assert_eq!(
            parse("process_vm_getinfo 2147483647\n").getinfo,
            Some(2147483647)
        );
        for bad in [
            "process_vm_getinfo 2147483648\n",
            "process_vm_getinfo 4294967768\n",
            "process_vm_getinfo 18446744073709551616\n",
            "process_vm_getinfo 99999999999999999999999999999999999999999\n",
        ] {
            assert_eq!(parse(bad).getinfo, None, "{bad:?}");
        }
    }
}
