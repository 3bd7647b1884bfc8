//! The results as Markdown tables, with what they were measured on: the
//! machine, the versions of bbn, wrk and nginx, and how busy the machine
//! was before and after (another process's load shows in the figures).

use super::Args;
use super::publish::Visible;
use super::wrk::Outcome;
use std::path::Path;
use std::process::Command;

/// One measured load of one page.
pub struct Row {
    pub server: String,
    /// bbn rather than the yardstick.
    pub bbn: bool,
    pub page: &'static str,
    pub gzip: bool,
    pub load: Outcome,
    /// The answer's size as sent (compressed with gzip).
    pub bytes: usize,
    /// bbn's own median time (`Server-Timing`), one request at a time.
    pub server_ms: Option<f64>,
}

/// One mixed load, and the publications made during it.
pub struct MixedRun {
    /// Paced at this many requests/s, or as fast as answered.
    pub rate: Option<f64>,
    pub load: Outcome,
    /// Each publication, or why it failed.
    pub visible: Vec<Result<Visible, String>>,
}

pub struct Mixed {
    pub runs: Vec<MixedRun>,
    /// Over all the runs.
    pub peak_mib: f64,
    /// Resident memory when the load ended: the process's own (heap, page
    /// cache, SQLite's caches) and mapped files' pages (the search index).
    pub end_anon_mib: f64,
    pub end_file_mib: f64,
    /// What the page cache held then, by its own count.
    pub page_cache_mib: Option<f64>,
    /// The peak could not be reset before the load, so it covers the whole process.
    pub peak_since_start: bool,
    pub pages: Vec<&'static str>,
    pub instances: usize,
}

pub struct Machine {
    cpus: usize,
    memory_gib: f64,
    load_average: String,
    versions: String,
}

impl Machine {
    pub fn read(bbn: &Path) -> Machine {
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory_kib: f64 = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(f64::NAN);
        let load_average = std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ");
        let bbn_version = Command::new(bbn)
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        Machine {
            cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
            memory_gib: memory_kib / 1024.0 / 1024.0,
            load_average,
            versions: format!(
                "{bbn_version}; {}; {}",
                super::wrk::version(),
                super::nginx::version()
            ),
        }
    }
}

/// Starts the process's peak memory (VmHWM) afresh; false if the kernel refused.
pub fn reset_peak_memory(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

pub fn encoding(gzip: bool) -> &'static str {
    if gzip { "gzip" } else { "plain" }
}

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "never".into(), |v| format!("{v:.0}"))
}

pub fn print(
    args: &Args,
    before: &Machine,
    after: &Machine,
    rows: &[Row],
    mixed: &Mixed,
    notes: &[String],
) {
    println!(
        "\n## bbn-bench speed: {} articles, {}\n",
        args.articles,
        args.site.backend.label()
    );
    println!(
        "- machine: {} CPUs, {:.1} GiB memory; load average (1, 5, 15 min) {} before the run, {} after",
        before.cpus, before.memory_gib, before.load_average, after.load_average
    );
    println!("- {}", before.versions);
    println!(
        "- wrk: {} connections, {} threads, {} s per load after {} s of warm-up, on the same machine as the server",
        args.connections, args.threads, args.seconds, args.warmup
    );
    println!(
        "- \"article, rotating\" goes round {} different articles",
        args.rotate.min(args.articles)
    );
    for note in notes {
        println!("- {note}");
    }

    println!(
        "\n| server | page | encoding | requests/s | p50 ms | p99 ms | errors | bytes | bbn median ms |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {} | {} | {} |",
            r.server,
            r.page,
            encoding(r.gzip),
            r.load.per_second(),
            r.load.p50_ms,
            r.load.p99_ms,
            r.load.errors(),
            r.bytes,
            r.server_ms.map_or_else(|| "".into(), |v| format!("{v:.3}"))
        );
    }

    println!("\n| the same article page | bbn requests/s | nginx requests/s | bbn / nginx |");
    println!("|---|---|---|---|");
    for gzip in [false, true] {
        let find = |nginx: bool| {
            rows.iter()
                .find(|r| r.page == "article" && r.gzip == gzip && r.bbn != nginx)
                .map(|r| r.load.per_second())
        };
        if let (Some(bbn), Some(nginx)) = (find(false), find(true)) {
            println!(
                "| {} | {bbn:.0} | {nginx:.0} | {:.1}% |",
                encoding(gzip),
                100.0 * bbn / nginx
            );
        }
    }

    println!(
        "\n| mixed load, {} s each (95% articles by Zipf s=1.1, 4% searches, 1% comments) | requests | requests/s | socket errors | answers ≥ 400 | p50 ms | p99 ms |",
        args.mixed_seconds
    );
    println!("|---|---|---|---|---|---|---|");
    for run in &mixed.runs {
        let l = &run.load;
        println!(
            "| {} | {} | {:.0} | {} | {} | {:.2} | {:.2} |",
            run.rate.map_or_else(
                || "as fast as answered".to_string(),
                |r| format!("paced at {r:.0} requests/s")
            ),
            l.requests,
            l.per_second(),
            l.socket_errors,
            l.status_errors,
            l.p50_ms,
            l.p99_ms,
        );
    }
    println!(
        "\nPeak resident memory over the mixed loads: {:.1} MiB{}.",
        mixed.peak_mib,
        if mixed.peak_since_start {
            " (since the server started: the peak could not be reset)"
        } else {
            ""
        }
    );

    println!(
        "\nResident memory when the load ended: {:.1} MiB of the process's own (heap, page cache, database caches), {:.1} MiB of mapped files (the search index, read through the kernel's cache); the page cache held {}.",
        mixed.end_anon_mib,
        mixed.end_file_mib,
        mixed.page_cache_mib.map_or_else(
            || "an unknown amount".to_string(),
            |m| format!("{m:.1} MiB")
        )
    );

    println!(
        "\nPublish to visible, under the mixed loads (in turn, {} per load): ms from sending the publish call until the page showed the headline",
        args.publishes
    );
    println!(
        "\n| # | instance | publish call | {} | last |",
        mixed.pages.join(" | ")
    );
    println!("|---|---|---|{}---|", "---|".repeat(mixed.pages.len()));
    let visible = mixed.runs.iter().flat_map(|r| &r.visible);
    for (n, v) in visible.enumerate() {
        let v = match v {
            Ok(v) => v,
            Err(e) => {
                println!("| {} | | failed: {e} |", n + 1);
                continue;
            }
        };
        for instance in 0..mixed.instances {
            let seen: Vec<String> = v.seen_ms[instance].iter().map(|s| ms(*s)).collect();
            println!(
                "| {} | {} | {:.0} | {} | {} |",
                n + 1,
                instance + 1,
                v.publish_ms,
                seen.join(" | "),
                ms(v.last_ms(instance))
            );
        }
    }
}
