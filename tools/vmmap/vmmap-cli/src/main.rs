// SPDX-License-Identifier: GPL-2.0

//! vmmap: show, summarise, page out and name memory maps.

use clap::{Parser, Subcommand};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use vmmap::{abi, maps, Kind, Process, RetryPolicy, Selection, Snapshot};

#[derive(Parser)]
#[command(
    name = "vmmap",
    version,
    about = "Show, summarise, page out and name memory maps"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// The map of a process, like pmap.
    Maps {
        pid: i32,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Read it with this method instead of the best one the kernel has.
        #[arg(long, value_parser = ["getinfo", "procmap-query", "maps"])]
        via: Option<String>,
        /// With each VMA's resident memory, and for a file mapping what of
        /// it is page cache and what copy-on-write copies (anonymous).
        #[arg(long, conflicts_with = "via")]
        counters: bool,
    },
    /// Memory grouped by name and kind, the way Android's showmap groups it,
    /// with its columns (virtual size, RSS, PSS, shared and private clean
    /// and dirty, swap, swap PSS); with --all, one line per process, the
    /// way procrank shows them (VSS, RSS, PSS, USS, swap), by PSS.
    Summary {
        /// The process (or --all).
        pid: Option<i32>,
        /// Every process, with a progress line on a terminal.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Page out memory of a process: snapshot, select, advise with a
    /// sequence check, retry if the map changed meanwhile.
    Pageout {
        pid: i32,
        /// Only anonymous memory.
        #[arg(long, conflicts_with = "file")]
        anon: bool,
        /// Only file-backed memory (shmem included).
        #[arg(long)]
        file: bool,
        /// Only within START-END (hexadecimal, as maps prints it).
        #[arg(long, value_parser = parse_range)]
        range: Option<(u64, u64)>,
        /// MADV_COLD instead of MADV_PAGEOUT.
        #[arg(long)]
        cold: bool,
        /// Snapshots to take before giving up on a map that keeps changing.
        #[arg(long, default_value_t = 8)]
        tries: u32,
        #[arg(long)]
        json: bool,
    },
    /// Map LEN bytes of anonymous memory at ADDR in vmmap itself and name
    /// them; prints the line maps shows. The exit status says whether the
    /// kernel took the name (for scripts that check names).
    Name {
        #[arg(value_parser = parse_hex)]
        addr: u64,
        len: u64,
        name: String,
    },
}

fn parse_hex(s: &str) -> Result<u64, String> {
    u64::from_str_radix(s.trim_start_matches("0x"), 16).map_err(|e| e.to_string())
}

fn parse_range(s: &str) -> Result<(u64, u64), String> {
    let (a, b) = s.split_once('-').ok_or("expected START-END")?;
    let (a, b) = (parse_hex(a)?, parse_hex(b)?);
    if a >= b {
        return Err("START must be below END".into());
    }
    Ok((a, b))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let r = match cli.cmd {
        Cmd::Maps {
            pid,
            json,
            via,
            counters,
        } => cmd_maps(pid, json, via.as_deref(), counters),
        Cmd::Summary { pid, all, json } => cmd_summary(pid, all, json),
        Cmd::Pageout {
            pid,
            anon,
            file,
            range,
            cold,
            tries,
            json,
        } => cmd_pageout(pid, anon, file, range, cold, tries, json),
        Cmd::Name { addr, len, name } => cmd_name(addr, len, &name),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vmmap: {e}");
            ExitCode::FAILURE
        }
    }
}

type Res = Result<(), String>;

fn open(pid: i32) -> Result<Process, String> {
    Process::open(pid).map_err(|e| format!("process {pid}: {e}"))
}

fn source_name(s: vmmap::Source) -> &'static str {
    match s {
        vmmap::Source::Getinfo => "process_vm_getinfo",
        vmmap::Source::ProcmapQuery => "PROCMAP_QUERY",
        vmmap::Source::ProcMaps => "/proc/PID/maps",
        vmmap::Source::ProcSmaps => "/proc/PID/smaps",
    }
}

fn cmd_maps(pid: i32, json: bool, via: Option<&str>, counters: bool) -> Res {
    let p = open(pid)?;
    let snap = match via {
        _ if counters => p.snapshot_with_counters(),
        Some("getinfo") => p.getinfo(),
        Some("procmap-query") => p.procmap_query(),
        Some(_) => std::fs::read_to_string(format!("/proc/{pid}/maps")).and_then(|t| {
            let vmas = maps::parse(&t)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
            Ok(Snapshot {
                pid,
                source: vmmap::Source::ProcMaps,
                token: None,
                vmas,
            })
        }),
        None => p.snapshot(),
    }
    .map_err(|e| format!("snapshot of {pid}: {e}"))?;
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &snap).map_err(|e| e.to_string())?;
        writeln!(out).ok();
        return Ok(());
    }
    writeln!(out, "{pid}:   (read with {})", source_name(snap.source)).ok();
    // With counters: RSS, and of it the anonymous pages and (for files) the page cache.
    let extra = |v: &vmmap::Vma| match &v.counters {
        Some(c) => {
            let cache = if v.kind == Kind::File {
                ((c.rss - c.anonymous.min(c.rss)) >> 10).to_string()
            } else {
                "-".into()
            };
            format!(" {:>8} {:>8} {:>8}", c.rss >> 10, c.anonymous >> 10, cache)
        }
        None => String::new(),
    };
    let head = if counters {
        format!(" {:>8} {:>8} {:>8}", "RSS", "Anon", "Cache")
    } else {
        String::new()
    };
    writeln!(
        out,
        "{:<16} {:>9}{head} {:<4} {:<5} {:>8} {:<5} Mapping",
        "Address", "Kbytes", "Mode", "Kind", "Offset", "Dev"
    )
    .ok();
    let mut total = 0;
    for v in &snap.vmas {
        total += v.size();
        writeln!(
            out,
            "{:016x} {:>9}{} {:<4} {:<5} {:>8x} {:02x}:{:02x} {}",
            v.start,
            v.size() / 1024,
            extra(v),
            v.perms,
            maps::kind_name(v.kind),
            v.offset,
            v.dev_major,
            v.dev_minor,
            v.name
        )
        .ok();
    }
    writeln!(
        out,
        "{:<16} {:>9}  {} VMAs",
        "total kB",
        total / 1024,
        snap.vmas.len()
    )
    .ok();
    if let Some(t) = snap.token {
        writeln!(out, "layout token: mm {} seq {}", t.mm_id, t.seq).ok();
    }
    Ok(())
}

#[derive(Serialize, Default)]
struct Group {
    name: String,
    kind: &'static str,
    vmas: usize,
    /// Distinct anonymous-name objects (by their ids) in the group.
    names: usize,
    /// Virtual size.
    kbytes: u64,
    /// The counters summed over the group's VMAs, in bytes.
    counters: vmmap::Counters,
}

#[derive(Serialize)]
struct Summary {
    pid: i32,
    source: vmmap::Source,
    groups: Vec<Group>,
}

/// Groups a snapshot. With `process_vm_getinfo` every distinct name object
/// is classified once (by its id); other sources classify by the text.
fn summarise(snap: &Snapshot) -> Summary {
    let mut by_id: BTreeMap<u64, String> = BTreeMap::new();
    let mut groups: BTreeMap<(String, Kind), (Group, std::collections::BTreeSet<u64>)> =
        BTreeMap::new();
    for v in &snap.vmas {
        let group = match v.name_id {
            Some(id) if id != 0 => by_id
                .entry(id)
                .or_insert_with(|| maps::group_of(&v.name))
                .clone(),
            _ => maps::group_of(&v.name),
        };
        let e = groups.entry((group.clone(), v.kind)).or_insert_with(|| {
            (
                Group {
                    name: group,
                    kind: maps::kind_name(v.kind),
                    ..Default::default()
                },
                Default::default(),
            )
        });
        e.0.vmas += 1;
        e.0.kbytes += v.size() / 1024;
        if let Some(c) = &v.counters {
            e.0.counters.add(c);
        }
        if let Some(id) = v.name_id.filter(|&i| i != 0) {
            e.1.insert(id);
        }
    }
    let mut groups: Vec<Group> = groups
        .into_values()
        .map(|(mut g, ids)| {
            g.names = ids.len();
            g
        })
        .collect();
    // As showmap: the largest PSS first (virtual size where there are no counters).
    groups.sort_by(|a, b| {
        (b.counters.pss, b.kbytes)
            .cmp(&(a.counters.pss, a.kbytes))
            .then(a.name.cmp(&b.name))
    });
    Summary {
        pid: snap.pid,
        source: snap.source,
        groups,
    }
}

fn print_summary(out: &mut impl Write, s: &Summary) {
    let note = match s.source {
        vmmap::Source::ProcSmaps => {
            ", counters from /proc/PID/smaps: the kernel gives none in a snapshot"
        }
        _ => "",
    };
    writeln!(
        out,
        "{}:   (read with {}{note})",
        s.pid,
        source_name(s.source)
    )
    .ok();
    let first = format!(
        "{:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "virtual", "", "", "shared", "shared", "private", "private"
    );
    writeln!(out, "{}", first.trim_end()).ok();
    writeln!(
        out,
        "{:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>6} {:>6} {:<8} name",
        "size kB",
        "RSS",
        "PSS",
        "clean",
        "dirty",
        "clean",
        "dirty",
        "swap",
        "swap PSS",
        "VMAs",
        "names",
        "kind"
    )
    .ok();
    let mut total = Group::default();
    for g in &s.groups {
        print_group_line(out, g, &g.name);
        total.kbytes += g.kbytes;
        total.vmas += g.vmas;
        total.names += g.names;
        total.counters.add(&g.counters);
    }
    print_group_line(out, &total, "TOTAL");
}

fn print_group_line(out: &mut impl Write, g: &Group, name: &str) {
    let c = &g.counters;
    let kb = |b: u64| b >> 10;
    writeln!(
        out,
        "{:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>6} {:>6} {:<8} {}",
        g.kbytes,
        kb(c.rss),
        kb(c.pss),
        kb(c.shared_clean),
        kb(c.shared_dirty),
        kb(c.private_clean),
        kb(c.private_dirty),
        kb(c.swap),
        kb(c.swap_pss),
        g.vmas,
        g.names,
        g.kind,
        name
    )
    .ok();
}

/// One process of `summary --all`, as procrank shows it (bytes).
#[derive(Serialize)]
struct ProcessLine {
    pid: i32,
    vss: u64,
    rss: u64,
    pss: u64,
    uss: u64,
    swap: u64,
    swap_pss: u64,
    source: vmmap::Source,
    cmdline: String,
}

fn process_line(pid: i32) -> Result<ProcessLine, String> {
    let p = open(pid)?;
    let (c, _, source) = p.rollup().map_err(|e| format!("rollup of {pid}: {e}"))?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let vss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmSize:"))
        .and_then(|v| v.trim().strip_suffix("kB")?.trim().parse::<u64>().ok())
        .unwrap_or(0)
        << 10;
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|b| {
            String::from_utf8_lossy(&b)
                .trim_end_matches('\0')
                .replace('\0', " ")
        })
        .unwrap_or_default();
    Ok(ProcessLine {
        pid,
        vss,
        rss: c.rss,
        pss: c.pss,
        uss: c.uss(),
        swap: c.swap,
        swap_pss: c.swap_pss,
        source,
        cmdline,
    })
}

fn cmd_summary_all(json: bool) -> Res {
    let list = pids();
    let progress = std::io::stderr().is_terminal() || std::env::var_os("VMMAP_PROGRESS").is_some();
    let mut lines = Vec::new();
    for (i, &p) in list.iter().enumerate() {
        if progress {
            eprint!("\rsummary: {}/{} (pid {p})   ", i + 1, list.len());
        }
        // Kernel threads have no map (a rollup of nothing); processes may exit meanwhile.
        match process_line(p) {
            Ok(l) if l.vss > 0 => lines.push(l),
            _ => {}
        }
    }
    if progress {
        eprintln!("\rsummary: {} processes done      ", list.len());
    }
    lines.sort_by(|a, b| b.pss.cmp(&a.pss).then(a.pid.cmp(&b.pid)));
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &lines).map_err(|e| e.to_string())?;
        writeln!(out).ok();
        return Ok(());
    }
    writeln!(
        out,
        "{:>7} {:>10} {:>10} {:>10} {:>10} {:>10}  cmdline",
        "PID", "Vss", "Rss", "Pss", "Uss", "Swap"
    )
    .ok();
    let kb = |b: u64| format!("{}K", b >> 10);
    let mut total = (0, 0, 0, 0);
    for l in &lines {
        writeln!(
            out,
            "{:>7} {:>10} {:>10} {:>10} {:>10} {:>10}  {}",
            l.pid,
            kb(l.vss),
            kb(l.rss),
            kb(l.pss),
            kb(l.uss),
            kb(l.swap),
            l.cmdline
        )
        .ok();
        total = (
            total.0 + l.pss,
            total.1 + l.uss,
            total.2 + l.swap,
            total.3 + 1,
        );
    }
    writeln!(
        out,
        "{:>7} {:>10} {:>10} {:>10} {:>10} {:>10}  TOTAL ({} processes)",
        "",
        "",
        "",
        kb(total.0),
        kb(total.1),
        kb(total.2),
        total.3
    )
    .ok();
    let via = lines.first().map_or("-", |l| source_name(l.source));
    writeln!(out, "(counters read with {via})").ok();
    Ok(())
}

fn pids() -> Vec<i32> {
    let mut v: Vec<i32> = std::fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn cmd_summary(pid: Option<i32>, all: bool, json: bool) -> Res {
    let pid = match (pid, all) {
        (Some(p), false) => p,
        (None, true) => return cmd_summary_all(json),
        _ => return Err("give a PID or --all".into()),
    };
    let snap = open(pid)?
        .snapshot_with_counters()
        .map_err(|e| format!("snapshot of {pid}: {e}"))?;
    let s = summarise(&snap);
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &s).map_err(|e| e.to_string())?;
        writeln!(out).ok();
    } else {
        print_summary(&mut out, &s);
    }
    Ok(())
}

#[derive(Serialize)]
struct PageoutReport {
    pid: i32,
    advice: &'static str,
    selection: &'static str,
    #[serde(flatten)]
    report: vmmap::Report,
}

fn cmd_pageout(
    pid: i32,
    anon: bool,
    file: bool,
    range: Option<(u64, u64)>,
    cold: bool,
    tries: u32,
    json: bool,
) -> Res {
    let p = open(pid)?;
    let kind = if anon {
        Some(Kind::Anonymous)
    } else if file {
        Some(Kind::File)
    } else {
        None
    };
    let (start, end) = range.unwrap_or((0, u64::MAX));
    let sel = Selection { kind, start, end };
    let advice = if cold {
        abi::MADV_COLD
    } else {
        abi::MADV_PAGEOUT
    };
    let report = vmmap::advise(&p, &sel, advice, RetryPolicy { max_tries: tries })
        .map_err(|e| format!("pageout of {pid}: {e}"))?;
    let r = PageoutReport {
        pid,
        advice: if cold { "MADV_COLD" } else { "MADV_PAGEOUT" },
        selection: kind.map_or("all", maps::kind_name),
        report,
    };
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer(&mut out, &r).map_err(|e| e.to_string())?;
        writeln!(out).ok();
    } else {
        writeln!(
            out,
            "pageout {pid}: {} {} ranges, {} kB advised ({}), {} snapshot(s), {} stale{}",
            r.selection,
            r.report.ranges,
            r.report.bytes / 1024,
            if r.report.checked {
                "sequence-checked: process_vm_madvise"
            } else {
                "unchecked: process_madvise, this kernel has no process_vm_madvise"
            },
            r.report.tries,
            r.report.stale,
            match (r.report.checked, r.report.skipped) {
                (_, 0) => String::new(),
                (true, n) => format!(", {n} ranges changed while advising, skipped"),
                (false, n) => format!(", {n} ranges gone since the snapshot"),
            }
        )
        .ok();
    }
    Ok(())
}

fn cmd_name(addr: u64, len: u64, name: &str) -> Res {
    let at = vmmap::map_anon_at(addr, len).map_err(|e| format!("mmap at {addr:#x}: {e}"))?;
    vmmap::name_range(at, len, Some(name)).map_err(|e| format!("naming {name:?}: {e}"))?;
    let text = std::fs::read_to_string("/proc/self/maps").map_err(|e| e.to_string())?;
    let line = text
        .lines()
        .find(|l| maps::parse_line(l).is_some_and(|v| v.start <= at && at < v.end))
        .ok_or("the mapping is not in /proc/self/maps")?;
    println!("{line}");
    Ok(())
}
