//! What a reader sees during the load, and what the server holds in memory.

use crate::http;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Requests a second the reader makes of each page.
pub const PER_SECOND: u32 = 5;

/// One page's times, ms, from opening the connection to the answer's last byte.
pub struct Latencies {
    pub times: Vec<f64>,
    /// bbn's own time of each answer (`Server-Timing`).
    pub server: Vec<f64>,
    /// Requests that failed or were answered other than 200, by why.
    pub failures: Vec<String>,
    /// Requests sent after their turn because an earlier one took longer.
    pub late: usize,
}

/// Requests `path` `PER_SECOND` times a second until `deadline`, each on a
/// fresh connection from `source` (as a new reader arrives), on a timetable:
/// a slow answer delays the next request, and that is counted as late.
pub fn reader(port: u16, source: IpAddr, path: &str, deadline: Instant) -> Latencies {
    let mut out = Latencies {
        times: Vec::new(),
        server: Vec::new(),
        failures: Vec::new(),
        late: 0,
    };
    let gap = Duration::from_secs(1) / PER_SECOND;
    let start = Instant::now();
    let mut k = 0;
    loop {
        let due = start + gap * k;
        k += 1;
        if due >= deadline {
            break;
        }
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        } else if now - due > gap / 10 {
            out.late += 1;
        }
        let sent = Instant::now();
        let answer = http::Client::connect_from(port, source).and_then(|mut c| c.get(path));
        let ms = sent.elapsed().as_secs_f64() * 1000.0;
        match answer {
            Ok(r) if r.status == 200 => {
                out.times.push(ms);
                out.server.extend(r.server_ms);
            }
            Ok(r) => out.failures.push(format!("{} after {ms:.0} ms", r.status)),
            Err(e) => out.failures.push(format!("{e} after {ms:.0} ms")),
        }
    }
    out.times.sort_by(f64::total_cmp);
    out.server.sort_by(f64::total_cmp);
    out
}

/// The bbn process's memory, MiB.
#[derive(Clone, Copy)]
pub struct Memory {
    /// Resident now (`VmRSS`).
    pub rss: f64,
    /// The most resident since it started (`VmHWM`).
    pub hwm: f64,
}

impl Memory {
    pub fn read(pid: u32) -> anyhow::Result<Memory> {
        Ok(Memory {
            rss: crate::memory_mib(pid, "VmRSS")?,
            hwm: crate::memory_mib(pid, "VmHWM")?,
        })
    }
}

/// The highest resident memory and peak seen, sampled every 100 ms until `deadline`.
pub fn memory(pid: u32, deadline: Instant) -> anyhow::Result<Memory> {
    let mut most = Memory::read(pid)?;
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        // The process may be gone: what was sampled until then stands.
        let Ok(now) = Memory::read(pid) else { break };
        most.rss = most.rss.max(now.rss);
        most.hwm = most.hwm.max(now.hwm);
    }
    Ok(most)
}
