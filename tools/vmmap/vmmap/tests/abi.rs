// SPDX-License-Identifier: GPL-2.0

//! The ABI structs and constants of `vmmap::abi` against the uapi headers of
//! the series: a C program compiled with the host compiler prints every
//! size, offset and constant, and each must equal the Rust one.

use std::mem::{offset_of, size_of};
use std::path::PathBuf;
use std::process::Command;
use vmmap::abi::*;

fn root() -> PathBuf {
    // tools/vmmap/vmmap -> the repository root
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../..")
        .canonicalize()
        .unwrap()
}

macro_rules! fields {
    ($c:literal, $t:ty, $($f:ident = $cf:literal),*) => {
        vec![
            (concat!("sizeof ", $c), size_of::<$t>() as u64),
            $((concat!($c, ".", $cf), offset_of!($t, $f) as u64),)*
        ]
    };
}

#[test]
fn structs_and_constants_match_the_uapi_headers() {
    let mut expect: Vec<(&str, u64)> = Vec::new();
    expect.extend(fields!(
        "process_vm_getinfo_vma",
        GetinfoVma,
        start = "start",
        end = "end",
        offset = "offset",
        vm_flags = "vm_flags",
        ino = "ino",
        name_id = "name_id",
        dev_major = "dev_major",
        dev_minor = "dev_minor",
        prot = "prot",
        page_shift = "page_shift",
        name_off = "name_off",
        name_len = "name_len",
        attrs = "attrs",
        reserved = "__reserved"
    ));
    expect.extend(fields!(
        "process_vm_getinfo_args",
        GetinfoArgs,
        mask = "mask",
        start = "start",
        end = "end",
        vmas = "vmas",
        strings = "strings",
        vma_size = "vma_size",
        vma_count = "vma_count",
        strings_size = "strings_size",
        reserved = "__reserved",
        mm_id = "mm_id",
        seq = "seq"
    ));
    expect.extend(fields!(
        "process_vm_getinfo_counters",
        Counters,
        rss = "rss",
        pss = "pss",
        pss_dirty = "pss_dirty",
        pss_anon = "pss_anon",
        pss_file = "pss_file",
        pss_shmem = "pss_shmem",
        shared_clean = "shared_clean",
        shared_dirty = "shared_dirty",
        private_clean = "private_clean",
        private_dirty = "private_dirty",
        referenced = "referenced",
        anonymous = "anonymous",
        ksm = "ksm",
        lazyfree = "lazyfree",
        anon_huge = "anon_huge",
        shmem_pmd = "shmem_pmd",
        file_pmd = "file_pmd",
        shared_hugetlb = "shared_hugetlb",
        private_hugetlb = "private_hugetlb",
        swap = "swap",
        swap_pss = "swap_pss",
        locked = "locked"
    ));
    // The structs of the header are the newest version; `GetinfoVma` and
    // `GetinfoArgs` the first one, which the constants below check.
    for (name, size) in expect.iter_mut() {
        match *name {
            "sizeof process_vm_getinfo_vma" => *size = size_of::<GetinfoVmaCounted>() as u64,
            "sizeof process_vm_getinfo_args" => *size = size_of::<GetinfoArgsRollup>() as u64,
            _ => {}
        }
    }
    expect.push((
        "process_vm_getinfo_vma.counters",
        offset_of!(GetinfoVmaCounted, counters) as u64,
    ));
    expect.push((
        "process_vm_getinfo_args.rollup",
        offset_of!(GetinfoArgsRollup, rollup) as u64,
    ));
    expect.extend(fields!(
        "process_vm_madvise_args",
        MadviseArgs,
        ranges = "ranges",
        nr_ranges = "nr_ranges",
        advice = "advice",
        reserved = "__reserved",
        mm_id = "mm_id",
        seq = "seq"
    ));
    let consts: Vec<(&str, u64)> = vec![
        ("VMGI_ALL", VMGI_ALL),
        ("VMGI_ALL & ~VMGI_COUNTERS", VMGI_LAYOUT),
        ("VMGI_RANGE", VMGI_RANGE),
        ("VMGI_PROT", VMGI_PROT),
        ("VMGI_VM_FLAGS", VMGI_VM_FLAGS),
        ("VMGI_OFFSET", VMGI_OFFSET),
        ("VMGI_INODE", VMGI_INODE),
        ("VMGI_NAME_ID", VMGI_NAME_ID),
        ("VMGI_NAME", VMGI_NAME),
        ("VMGI_ANON_VMA", VMGI_ANON_VMA),
        ("VMGI_PAGE_SIZE", VMGI_PAGE_SIZE),
        ("VMGI_FILE", VMGI_FILE),
        ("VMGI_COUNTERS", VMGI_COUNTERS),
        (
            "PROCESS_VM_GETINFO_ROLLUP",
            PROCESS_VM_GETINFO_ROLLUP as u64,
        ),
        ("VMGI_PROT_READ", VMGI_PROT_READ as u64),
        ("VMGI_PROT_WRITE", VMGI_PROT_WRITE as u64),
        ("VMGI_PROT_EXEC", VMGI_PROT_EXEC as u64),
        ("VMGI_PROT_SHARED", VMGI_PROT_SHARED as u64),
        ("VMGI_VM_PF", VMGI_VM_PF),
        ("VMGI_VM_LO", VMGI_VM_LO),
        ("VMGI_VM_HT", VMGI_VM_HT),
        ("VMGI_VMA_ANON_VMA", VMGI_VMA_ANON_VMA as u64),
        ("VMGI_VMA_FILE", VMGI_VMA_FILE as u64),
        ("VMGI_NO_NAME", VMGI_NO_NAME as u64),
        ("VMGI_VMA_SIZE_VER0", size_of::<GetinfoVma>() as u64),
        ("VMGI_VMA_SIZE_VER1", size_of::<GetinfoVmaCounted>() as u64),
        (
            "sizeof(struct process_vm_getinfo_counters)",
            size_of::<Counters>() as u64,
        ),
        (
            "PROCESS_VM_GETINFO_ARGS_SIZE_VER1",
            size_of::<GetinfoArgsRollup>() as u64,
        ),
        (
            "PROCESS_VM_GETINFO_ARGS_SIZE_VER0",
            size_of::<GetinfoArgs>() as u64,
        ),
        (
            "PROCESS_VM_MADVISE_ARGS_SIZE_VER0",
            size_of::<MadviseArgs>() as u64,
        ),
        (
            "PROCESS_VM_MADVISE_WHOLE_LAYOUT",
            PROCESS_VM_MADVISE_WHOLE_LAYOUT as u64,
        ),
    ];
    // Each VmFlags mnemonic is the bit of its VMGI_VM_ name.
    let flags: Vec<(String, u64)> = VM_FLAG_NAMES
        .iter()
        .enumerate()
        .map(|(i, n)| (format!("VMGI_VM_{}", n.to_uppercase()), 1u64 << i))
        .collect();

    let mut c = String::from(
        "#include <stdio.h>\n#include <stddef.h>\n#include <linux/process_vm_getinfo.h>\n\
         #include <linux/process_vm_madvise.h>\nint main(void)\n{\n",
    );
    for (name, _) in &expect {
        let e = if let Some(t) = name.strip_prefix("sizeof ") {
            format!("sizeof(struct {t})")
        } else {
            let (t, f) = name.split_once('.').unwrap();
            format!("offsetof(struct {t}, {f})")
        };
        c += &format!("\tprintf(\"%llu\\n\", (unsigned long long){e});\n");
    }
    for (name, _) in consts
        .iter()
        .map(|(n, v)| (n.to_string(), *v))
        .chain(flags.clone())
    {
        c += &format!("\tprintf(\"%llu\\n\", (unsigned long long){name});\n");
    }
    c += "\treturn 0;\n}\n";

    let dir = std::env::temp_dir().join(format!("vmmap-abi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("abi.c"), c).unwrap();
    let st = Command::new("cc")
        .arg("-I")
        .arg(root().join("include/uapi"))
        .arg("-o")
        .arg(dir.join("abi"))
        .arg(dir.join("abi.c"))
        .status()
        .expect("a C compiler (cc)");
    assert!(
        st.success(),
        "the C program against the uapi headers does not build"
    );
    let out = Command::new(dir.join("abi")).output().unwrap();
    let got: Vec<u64> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    let want: Vec<(String, u64)> = expect
        .iter()
        .map(|(n, v)| (n.to_string(), *v))
        .chain(consts.iter().map(|(n, v)| (n.to_string(), *v)))
        .chain(flags)
        .collect();
    assert_eq!(got.len(), want.len());
    for ((name, rust), c) in want.iter().zip(got) {
        assert_eq!(*rust, c, "{name}: Rust {rust}, uapi header {c}");
    }
    std::fs::remove_dir_all(dir).ok();
}

/// The filter bits live in a patch of asm-generic/mman-common.h.
#[test]
fn filter_bits_match_the_patch() {
    // Found by its subject, whatever its number in the series.
    let path = std::fs::read_dir(root().join("patches"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.ends_with("-mm-madvise-add-MADV_ANONYMOUS_FILTER-and-MADV_FILE_FILTER.patch")
            })
        })
        .expect("the filter patch is in patches/");
    let patch = std::fs::read_to_string(path).unwrap();
    let value = |name: &str| -> i64 {
        let line = patch
            .lines()
            .find(|l| l.starts_with(&format!("+#define {name}")))
            .unwrap_or_else(|| panic!("{name} not in the patch"));
        let v = line.split_whitespace().nth(2).unwrap();
        i64::from_str_radix(v.trim_start_matches("0x"), 16).unwrap()
    };
    assert_eq!(value("MADV_ANONYMOUS_FILTER"), MADV_ANONYMOUS_FILTER as i64);
    assert_eq!(value("MADV_FILE_FILTER"), MADV_FILE_FILTER as i64);
}

/// `struct procmap_query` of Linux 6.11 (not in the host's older headers).
#[test]
fn procmap_query_layout() {
    assert_eq!(size_of::<ProcmapQuery>(), 104);
    assert_eq!(offset_of!(ProcmapQuery, dev_major), 72);
    assert_eq!(offset_of!(ProcmapQuery, vma_name_size), 80);
    assert_eq!(offset_of!(ProcmapQuery, vma_name_addr), 88);
    assert_eq!(PROCMAP_QUERY, 0xc068_6611);
}
