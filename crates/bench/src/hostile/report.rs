//! The hostile run as Markdown: the reader's times against the targets
//! (p99 under 50 ms, peak memory under 500 MB), what each hostile client
//! sent and got, and the machine it ran on.

use super::measure::{Latencies, Memory, PER_SECOND};
use super::{Args, Tally};
use crate::percentile;
use std::process::ExitStatus;
use std::time::Duration;

/// The targets.
const P99_TARGET_MS: f64 = 50.0;
const MEMORY_TARGET_MB: f64 = 500.0;

pub struct Machine {
    cpus: usize,
    memory_gib: f64,
    load_average: String,
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn machine() -> Machine {
    let memory_kib: f64 = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN);
    Machine {
        cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
        memory_gib: memory_kib / 1024.0 / 1024.0,
        load_average: load_average(),
    }
}

pub struct Run<'a> {
    pub args: &'a Args,
    pub machine: Machine,
    pub elapsed: Duration,
    pub article: &'a str,
    pub published: bool,
    pub tallies: &'a [Tally],
    pub reader: &'a [(&'static str, Option<Latencies>)],
    pub before: Memory,
    pub sampled: Option<Memory>,
    pub after: Option<Memory>,
    pub exited: Option<ExitStatus>,
    pub health_after: String,
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

fn mib_to_mb(mib: f64) -> f64 {
    mib * 1.048_576
}

pub fn print(run: &Run) {
    let m = &run.machine;
    println!(
        "\n## bbn-bench hostile: {}, {} generated articles, {:.0} s\n",
        run.args.site.backend.label(),
        run.args.articles,
        run.elapsed.as_secs_f64()
    );
    println!(
        "- machine: {} CPUs, {:.1} GiB memory; load average (1, 5, 15 min) {} before, {} after; the clients run on the same machine",
        m.cpus,
        m.memory_gib,
        m.load_average,
        load_average()
    );
    if run.tallies.len() < 8 {
        println!(
            "- only {} of the eight hostile clients ran (`--clients`)",
            run.tallies.len()
        );
    }
    println!(
        "- bbn serve with its default limits; the hostile author's article was {}",
        if run.published {
            "published (each save is indexed and drops the pages that list it)"
        } else {
            "left a draft: publishing it was refused"
        }
    );
    println!(
        "- the reader: `/healthz` and the cached article `{}`, {PER_SECOND} requests/s each, every request on a fresh connection (connect to last byte), from 127.0.0.1",
        run.article
    );

    println!(
        "\n| reader's request | answered 200 | failed | p50 ms | p99 ms | max ms | bbn p50 ms | bbn p99 ms | sent late | p99 < {P99_TARGET_MS:.0} ms |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (name, l) in run.reader {
        let Some(l) = l else {
            println!("| {name} | the measuring thread panicked |||||||||");
            continue;
        };
        let p99 = percentile(&l.times, 99.0);
        println!(
            "| {name} | {} | {} | {:.2} | {p99:.2} | {:.2} | {:.3} | {:.3} | {} | {} |",
            l.times.len(),
            l.failures.len(),
            percentile(&l.times, 50.0),
            l.times.last().copied().unwrap_or(f64::NAN),
            percentile(&l.server, 50.0),
            percentile(&l.server, 99.0),
            l.late,
            verdict(l.failures.is_empty() && p99 < P99_TARGET_MS)
        );
    }
    for (name, l) in run.reader {
        if let Some(l) = l
            && !l.failures.is_empty()
        {
            let shown: Vec<&str> = l.failures.iter().take(5).map(String::as_str).collect();
            println!(
                "\n{name}: {} failed, the first: {}",
                l.failures.len(),
                shown.join("; ")
            );
        }
    }

    println!("\n| hostile client | requests | answers | p50 ms | max ms |");
    println!("|---|---|---|---|---|");
    for t in run.tallies {
        let mut times = t.times.clone();
        times.sort_by(f64::total_cmp);
        let answers: Vec<String> = t
            .outcomes
            .iter()
            .map(|(what, n)| format!("{what} ×{n}"))
            .collect();
        println!(
            "| {} | {} | {} | {} | {} |",
            t.name,
            t.requests,
            answers.join(", "),
            if times.is_empty() {
                "–".into()
            } else {
                format!("{:.1}", percentile(&times, 50.0))
            },
            times
                .last()
                .map_or_else(|| "–".into(), |v| format!("{v:.1}"))
        );
    }
    for t in run.tallies.iter().filter(|t| !t.note.is_empty()) {
        println!("\n{}: {}", t.name, t.note);
    }
    println!();
    for t in run.tallies {
        if let Some((ms, what)) = &t.slowest {
            let what: String = what.chars().take(160).collect();
            println!("- slowest {}: {ms:.0} ms, {what}", t.name);
        }
    }

    let peak = [Some(run.before), run.sampled, run.after]
        .into_iter()
        .flatten()
        .map(|m| m.hwm)
        .fold(f64::NAN, f64::max);
    println!(
        "\nServer memory (MiB): before the load {:.1} resident, {:.1} peak; highest resident sampled every 100 ms during it {}; at the end {} — peak < {MEMORY_TARGET_MB:.0} MB: {} ({:.0} MB).",
        run.before.rss,
        run.before.hwm,
        run.sampled
            .map_or_else(|| "not sampled".into(), |m| format!("{:.1}", m.rss)),
        run.after.map_or_else(
            || "unreadable".into(),
            |m| format!("{:.1} resident, {:.1} peak (VmHWM)", m.rss, m.hwm)
        ),
        verdict(mib_to_mb(peak) < MEMORY_TARGET_MB),
        mib_to_mb(peak)
    );
    match run.exited {
        Some(status) => println!("\nbbn serve EXITED during the run: {status}."),
        None => println!(
            "\nbbn serve was still running at the end; /healthz then: {}",
            run.health_after
        ),
    }
}
