//! `bbn-bench sanitize`: the write path's cost on the worst body shapes.
//!
//! A newsroom save (and the API's) checks a body's shape
//! (`markdown::check_body`: Markdown is rendered first) and, if the check
//! lets it through, renders and sanitizes it (`BodyFormat::render`). For each
//! shape of `shapes.rs`, a body of about `--bytes` (1 MB, the body limit) is
//! timed through the check, and through the sanitizer when the check lets it
//! through; then the largest body of that shape the check lets through is
//! found (a binary search on the repetitions) and timed the same way.
//! Each figure is the median of several runs, or of the runs that fit in
//! about a second.

use crate::shapes::{Format, SHAPES, Shape};
use anyhow::Context;
use bbn_core::BodyFormat;
use bbn_core::markdown::check_body;
use bbn_core::validate::MAX_BODY;
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Size of the large body of each shape, in bytes (at most the body limit).
    #[arg(long, default_value_t = MAX_BODY)]
    bytes: usize,
    /// Sanitize one body (shape index, repetitions) and print the process's
    /// resident memory before and at its peak: what the run asks of a fresh
    /// process for each memory figure, since a process's allocator keeps
    /// what earlier bodies freed.
    #[arg(long, hide = true, num_args = 2, value_names = ["SHAPE", "UNITS"])]
    probe: Option<Vec<usize>>,
}

fn body_format(format: Format) -> BodyFormat {
    match format {
        Format::Html => BodyFormat::Html,
        Format::Markdown => BodyFormat::Markdown,
    }
}

/// The median time of `f` in ms, over up to five runs or what fits in a second.
fn time_ms(mut f: impl FnMut()) -> f64 {
    let mut times = Vec::new();
    let started = Instant::now();
    while times.len() < 5 && (times.is_empty() || started.elapsed() < Duration::from_secs(1)) {
        let t = Instant::now();
        f();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// One body through the write path: the check's verdict and time, and the
/// sanitizer's time when the check lets it through.
struct Timed {
    bytes: usize,
    refused: Option<String>,
    check_ms: f64,
    sanitize_ms: Option<f64>,
    /// Resident memory one sanitize took at its peak, MiB.
    sanitize_mib: Option<f64>,
}

/// The resident memory one sanitize of shape `index` × `units` adds at its
/// peak, in MiB, measured in a fresh bbn-bench process (`--probe`).
fn peak_mib(index: usize, units: usize) -> Option<f64> {
    let out = std::process::Command::new(std::env::current_exe().ok()?)
        .args([
            "sanitize",
            "--probe",
            &index.to_string(),
            &units.to_string(),
        ])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut numbers = text
        .split_whitespace()
        .filter_map(|w| w.parse::<f64>().ok());
    let (before, peak) = (numbers.next()?, numbers.next()?);
    Some(peak - before)
}

/// `--probe`: one sanitize in this process, then its memory before and at the peak.
fn probe(index: usize, units: usize) -> anyhow::Result<()> {
    let shape = SHAPES.get(index).context("no such shape")?;
    let body = shape.body(units);
    let pid = std::process::id();
    let before = crate::memory_mib(pid, "VmRSS")?;
    std::hint::black_box(body_format(shape.format).render(&body));
    println!("{before:.1} {:.1}", crate::memory_mib(pid, "VmHWM")?);
    Ok(())
}

fn time_body(index: usize, units: usize) -> Timed {
    let shape = &SHAPES[index];
    let format = body_format(shape.format);
    let body = &shape.body(units);
    let refused = check_body(format, body).err().map(|e| e.to_string());
    let check_ms = time_ms(|| {
        std::hint::black_box(check_body(format, body).is_ok());
    });
    let render = || {
        std::hint::black_box(format.render(body));
    };
    let passes = refused.is_none();
    Timed {
        bytes: body.len(),
        refused,
        check_ms,
        sanitize_ms: passes.then(|| time_ms(render)),
        sanitize_mib: if passes { peak_mib(index, units) } else { None },
    }
}

/// The most repetitions of `shape`, up to `most`, whose body the check
/// lets through; the shapes only get worse as they grow, so a binary search.
pub fn largest_passing(shape: &Shape, most: usize) -> Option<usize> {
    let format = body_format(shape.format);
    let passes = |n: usize| check_body(format, &shape.body(n)).is_ok();
    if !passes(1) {
        return None;
    }
    let (mut good, mut bad) = (1, most + 1);
    if passes(most) {
        return Some(most);
    }
    while bad - good > 1 {
        let mid = good + (bad - good) / 2;
        if passes(mid) {
            good = mid;
        } else {
            bad = mid;
        }
    }
    Some(good)
}

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.2}"))
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    if let Some([index, units]) = args.probe.as_deref() {
        return probe(*index, *units);
    }
    let bytes = args.bytes.min(MAX_BODY);
    // On the stack bbn renders bodies on (tokio's blocking threads: 2 MiB),
    // so that a shape deep enough to overflow it would show here too.
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || table(bytes))?
        .join()
        .map_err(|_| anyhow::anyhow!("the sanitizer panicked"))
}

fn table(bytes: usize) {
    println!(
        "\n## bbn-bench sanitize: the write path on bodies of about {bytes} bytes\n\n{} CPUs, load average {} at the start; each time is the median of up to 5 runs, in one thread with a 2 MiB stack; the memory is what one sanitize adds to a fresh process at its peak.\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "| shape | format | body bytes | shape check | check ms | sanitize ms | largest passing: bytes | repetitions | check ms | sanitize ms | sanitize peak MiB |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (index, shape) in SHAPES.iter().enumerate() {
        let most = shape.units_within(bytes);
        let big = time_body(index, most);
        let passing = largest_passing(shape, most).map(|n| (n, time_body(index, n)));
        let (p_bytes, p_n, p_check, p_sanitize, p_mib) = match &passing {
            Some((n, t)) => (
                t.bytes.to_string(),
                n.to_string(),
                format!("{:.3}", t.check_ms),
                ms(t.sanitize_ms),
                t.sanitize_mib
                    .map_or_else(|| "unknown".into(), |m| format!("{m:.0}")),
            ),
            None => (
                "none".into(),
                "–".into(),
                "–".into(),
                "–".into(),
                "–".into(),
            ),
        };
        println!(
            "| {} | {} | {} | {} | {:.3} | {} | {p_bytes} | {p_n} | {p_check} | {p_sanitize} | {p_mib} |",
            shape.name,
            shape.format.form_value(),
            big.bytes,
            big.refused.as_deref().unwrap_or("passes"),
            big.check_ms,
            ms(big.sanitize_ms),
        );
    }
}
