// SPDX-License-Identifier: GPL-2.0

//! Buffer growth, the retry policy and the maps parser, without the kernel.

use std::cell::RefCell;
use std::io::{Error, Result};
use vmmap::abi::*;
use vmmap::*;

/// A fake process_vm_getinfo(): a map of `n` VMAs with `s` string bytes.
fn fake(
    n: usize,
    s: usize,
) -> impl FnMut(&mut GetinfoArgs, &mut [GetinfoVma], &mut [u8]) -> Result<usize> {
    move |a, v, st| {
        a.mm_id = 7;
        a.seq = 9;
        if v.len() < n || st.len() < s {
            a.vma_count = n as u32;
            a.strings_size = s as u32;
            return Err(Error::from_raw_os_error(libc::ERANGE));
        }
        for (i, r) in v[..n].iter_mut().enumerate() {
            *r = GetinfoVma {
                start: i as u64 * 4096,
                end: i as u64 * 4096 + 4096,
                ..Default::default()
            };
        }
        Ok(n)
    }
}

#[test]
fn buffers_grow_to_what_the_kernel_asks() {
    let mut b = GetinfoBuffers::<GetinfoVma>::default();
    let (args, n) = getinfo_grow(&mut b, GrowPolicy::default(), fake(65530, 1 << 20)).unwrap();
    assert_eq!(n, 65530);
    assert_eq!((args.mm_id, args.seq), (7, 9));
    assert!(b.vmas.len() >= 65530 && b.strings.len() >= 1 << 20);
    // Kept: a second snapshot of the same map needs one call.
    let mut calls = 0;
    let mut f = fake(65530, 1 << 20);
    getinfo_grow(&mut b, GrowPolicy::default(), |a, v, s| {
        calls += 1;
        f(a, v, s)
    })
    .unwrap();
    assert_eq!(calls, 1);
}

#[test]
fn a_map_that_keeps_growing_gives_up() {
    let mut b = GetinfoBuffers::<GetinfoVma>::default();
    let mut n = 100;
    let err = getinfo_grow(
        &mut b,
        GrowPolicy {
            max_calls: 4,
            ..Default::default()
        },
        |a, v, _| {
            n = v.len() * 2; // always twice what fits
            a.vma_count = n as u32;
            Err(Error::from_raw_os_error(libc::ERANGE))
        },
    )
    .unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::ERANGE));
}

#[test]
fn eagain_is_retried_and_other_errors_are_not() {
    let mut b = GetinfoBuffers::<GetinfoVma>::default();
    let mut calls = 0;
    let r = getinfo_grow(&mut b, GrowPolicy::default(), |_, _, _| {
        calls += 1;
        if calls < 3 {
            Err(Error::from_raw_os_error(libc::EAGAIN))
        } else {
            Ok(0)
        }
    });
    assert_eq!(r.unwrap().1, 0);
    assert_eq!(calls, 3);
    calls = 0;
    let r = getinfo_grow(&mut b, GrowPolicy::default(), |_, _, _| {
        calls += 1;
        Err(Error::from_raw_os_error(libc::EACCES))
    });
    assert_eq!(r.unwrap_err().raw_os_error(), Some(libc::EACCES));
    assert_eq!(calls, 1);
}

fn vma(start: u64, end: u64, kind: Kind, flags: u64) -> Vma {
    Vma {
        start,
        end,
        perms: "rw-p".into(),
        offset: 0,
        dev_major: 0,
        dev_minor: 0,
        inode: 0,
        name: String::new(),
        kind,
        name_id: Some(0),
        vm_flags: Some(flags),
        anon_vma: None,
        page_size: None,
        counters: None,
    }
}

/// A scripted kernel: each snapshot has `n` anonymous VMAs; the first
/// `stale` checked calls fail with ESTALE; `checked` false is a kernel
/// without process_vm_madvise.
struct Script {
    n: u64,
    stale: RefCell<u32>,
    checked: bool,
    token: bool,
    calls: RefCell<Vec<(usize, i32, bool)>>,
    /// Starts of ranges process_madvise() finds unmapped.
    gone: Vec<u64>,
}

impl Script {
    fn new(n: u64, stale: u32) -> Self {
        Self {
            n,
            stale: RefCell::new(stale),
            checked: true,
            token: true,
            calls: Default::default(),
            gone: vec![],
        }
    }
}

impl Script {
    /// The bytes of `r` advised up to the first range in `gone` (plus
    /// `1 / part` of that range, if `part` is not 0), or `errno` if none.
    fn stop_at_gone(&self, r: &[(u64, u64)], part: u64, errno: i32) -> Result<usize> {
        let mut n = 0;
        for x in r {
            if self.gone.contains(&x.0) {
                n += x.1.checked_div(part).unwrap_or(0);
                break;
            }
            n += x.1;
        }
        match n {
            0 if r.iter().any(|x| self.gone.contains(&x.0)) => Err(Error::from_raw_os_error(errno)),
            n => Ok(n as usize),
        }
    }
}

impl Advisor for Script {
    fn snapshot(&self) -> Result<Snapshot> {
        let mut vmas: Vec<Vma> = (0..self.n)
            .map(|i| vma(i * 8192, i * 8192 + 4096, Kind::Anonymous, 0))
            .collect();
        vmas.push(vma(1 << 40, (1 << 40) + 4096, Kind::File, 0));
        vmas.push(vma(1 << 41, (1 << 41) + 4096, Kind::Anonymous, VMGI_VM_LO));
        Ok(Snapshot {
            pid: 1,
            source: if self.token {
                Source::Getinfo
            } else {
                Source::ProcMaps
            },
            token: self.token.then_some(Token { mm_id: 1, seq: 2 }),
            vmas,
        })
    }

    fn madvise_checked(&self, r: &[(u64, u64)], advice: i32, _: Token) -> Result<usize> {
        if !self.checked {
            return Err(Error::from_raw_os_error(libc::ENOSYS));
        }
        self.calls.borrow_mut().push((r.len(), advice, true));
        let mut s = self.stale.borrow_mut();
        if *s > 0 {
            *s -= 1;
            return Err(Error::from_raw_os_error(libc::ESTALE));
        }
        // As process_vm_madvise() when a range changed while it let the
        // target in: stop half-way into it, return the bytes before, or
        // ESTALE if none.
        self.stop_at_gone(r, 2, libc::ESTALE)
    }

    fn madvise_unchecked(&self, r: &[(u64, u64)], advice: i32) -> Result<usize> {
        self.calls.borrow_mut().push((r.len(), advice, false));
        // As process_madvise(): stop at a range that is gone, return the
        // bytes of the whole ranges before it, or the error if none.
        self.stop_at_gone(r, 0, libc::ENOMEM)
    }
}

#[test]
fn checked_advice_that_stops_skips_the_range_and_goes_on() {
    let mut k = Script::new(10, 0);
    k.gone = vec![2 * 8192, 7 * 8192];
    let r = advise(
        &k,
        &Selection::kind(Kind::Anonymous),
        MADV_PAGEOUT,
        RetryPolicy::default(),
    )
    .unwrap();
    // Three calls, from the start, after the range 2 and after the range 7,
    // all with the first token; each stopped range counts half its bytes.
    let calls: Vec<usize> = k.calls.borrow().iter().map(|c| c.0).collect();
    assert_eq!(calls, vec![10, 7, 2]);
    assert_eq!((r.tries, r.stale, r.skipped, r.checked), (1, 0, 2, true));
    assert_eq!(r.bytes, 8 * 4096 + 2 * 2048);
}

#[test]
fn stale_tokens_are_retried_with_fresh_snapshots() {
    let k = Script::new(10, 2);
    let r = advise(
        &k,
        &Selection::kind(Kind::Anonymous),
        MADV_PAGEOUT,
        RetryPolicy::default(),
    )
    .unwrap();
    assert_eq!(
        r,
        Report {
            tries: 3,
            stale: 2,
            ranges: 10,
            bytes: 10 * 4096,
            checked: true,
            skipped: 0,
        }
    );
    // The filter bit goes with the advice; the locked VMA was left out.
    assert!(k
        .calls
        .borrow()
        .iter()
        .all(|&(n, a, c)| n == 10 && a == MADV_PAGEOUT | MADV_ANONYMOUS_FILTER && c));
}

#[test]
fn retries_are_bounded() {
    let k = Script::new(3, u32::MAX);
    let e = advise(
        &k,
        &Selection::all(),
        MADV_COLD,
        RetryPolicy { max_tries: 5 },
    )
    .unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ESTALE));
    assert_eq!(k.calls.borrow().len(), 5);
}

#[test]
fn more_than_1024_ranges_go_in_several_calls() {
    let k = Script::new(2500, 0);
    let r = advise(
        &k,
        &Selection::kind(Kind::Anonymous),
        MADV_COLD,
        RetryPolicy::default(),
    )
    .unwrap();
    assert_eq!(r.ranges, 2500);
    let sizes: Vec<usize> = k.calls.borrow().iter().map(|c| c.0).collect();
    assert_eq!(sizes, vec![1024, 1024, 452]);
}

#[test]
fn without_the_syscalls_advice_is_unchecked() {
    let mut k = Script::new(4, 0);
    k.checked = false;
    let r = advise(
        &k,
        &Selection::kind(Kind::File),
        MADV_PAGEOUT,
        RetryPolicy::default(),
    )
    .unwrap();
    assert_eq!((r.checked, r.ranges, r.bytes), (false, 1, 4096));
    let mut k = Script::new(4, 0);
    k.token = false;
    let r = advise(&k, &Selection::all(), MADV_PAGEOUT, RetryPolicy::default()).unwrap();
    assert!(!r.checked);
    assert_eq!(r.ranges, 5); // 4 anonymous and the file; not the locked one
    assert!(k
        .calls
        .borrow()
        .iter()
        .all(|&(_, a, c)| a == MADV_PAGEOUT && !c));
}

#[test]
fn unchecked_advice_skips_ranges_gone_since_the_snapshot() {
    let mut k = Script::new(10, 0);
    k.token = false;
    k.gone = vec![0, 3 * 8192, 4 * 8192];
    let r = advise(
        &k,
        &Selection::kind(Kind::Anonymous),
        MADV_PAGEOUT,
        RetryPolicy::default(),
    )
    .unwrap();
    assert_eq!((r.ranges, r.skipped, r.bytes), (10, 3, 7 * 4096));
    // 0-9 (0 fails at once), 1-9 (stops at 3), 4-9 (4 fails at once), 5-9.
    let sizes: Vec<usize> = k.calls.borrow().iter().map(|c| c.0).collect();
    assert_eq!(sizes, vec![10, 9, 6, 5]);
}

#[test]
fn a_range_clips_the_selection() {
    let k = Script::new(10, 0);
    let snap = k.snapshot().unwrap();
    let sel = Selection {
        kind: None,
        start: 8192 + 2048,
        end: 3 * 8192,
    };
    assert_eq!(
        sel.ranges(&snap),
        vec![(8192 + 2048, 2048), (2 * 8192, 4096)]
    );
}

#[test]
fn captured_maps_files_parse() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let mut seen = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().and_then(|x| x.to_str()) != Some("maps") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let vmas = maps::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // The files are kept without the trailing blanks maps pads nameless
        // lines with (a patch must not add trailing whitespace): padded, they
        // parse the same.
        let padded: String = text.lines().map(|l| format!("{l:<73}\n")).collect();
        assert_eq!(maps::parse(&padded).unwrap(), vmas, "{}", path.display());
        assert_eq!(vmas.len(), text.lines().count(), "{}", path.display());
        // Sorted, not overlapping, and every line comes back as maps printed it.
        for w in vmas.windows(2) {
            assert!(w[0].end <= w[1].start);
        }
        for (v, line) in vmas.iter().zip(text.lines()) {
            let printed = format!(
                "{:08x}-{:08x} {} {:08x} {:02x}:{:02x} {}",
                v.start, v.end, v.perms, v.offset, v.dev_major, v.dev_minor, v.inode
            );
            assert!(line.starts_with(&printed), "{line}");
            assert!(line.ends_with(&v.name));
        }
        assert!(vmas
            .iter()
            .any(|v| v.name == "[stack]" && v.kind == Kind::Anonymous));
        assert!(vmas.iter().any(|v| v.kind == Kind::File));
        seen += 1;
    }
    assert!(seen >= 1);
}

#[test]
fn bad_maps_lines_are_errors() {
    assert!(maps::parse("garbage\n").is_err());
    assert!(maps::parse("1000-0 rw-p 0 00:00 0\n").is_err());
    assert!(maps::parse("1000-2000 rw-p 0 00:00\n").is_err());
    let v = maps::parse("1000-2000 rw-s 0 00:05 42   /dev/zero (deleted)\n").unwrap();
    assert_eq!(
        (v[0].kind, v[0].name.as_str()),
        (Kind::File, "/dev/zero (deleted)")
    );
}
