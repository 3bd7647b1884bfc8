//! Load from wrk: many connections from a C client that costs the server
//! little, so that what is measured is the server. Every run is given a Lua
//! script whose `done()` hook prints one line with the counts and latency
//! percentiles; parsing that line is simpler and surer than parsing wrk's
//! human-readable report. Scripts that need many paths (rotating articles,
//! the mixed load) read them from a file the benchmark wrote, one per line.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Prints the outcome; every script ends with it.
const DONE: &str = r#"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "bbn-bench requests=%.0f duration_us=%.0f connect=%.0f read=%.0f write=%.0f status=%.0f timeout=%.0f p50_us=%.0f p99_us=%.0f\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"#;

/// Numbers each thread, so that threads start at different places in a
/// path list and write different comment texts.
const THREAD_IDS: &str = r#"
local threads = 0
setup = function(thread)
  thread:set("id", threads)
  threads = threads + 1
end
"#;

/// What one wrk run measured.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    pub requests: u64,
    pub seconds: f64,
    /// Answers of 400 and above.
    pub status_errors: u64,
    /// Connect, read and write errors, and timeouts (wrk counts a request
    /// still waiting at each of its 2-second checks, so a slow one may count
    /// more than once).
    pub socket_errors: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Outcome {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    /// Failed answers; a load that got no answer at all counts as one.
    pub fn errors(&self) -> u64 {
        (self.status_errors + self.socket_errors).max(u64::from(self.requests == 0))
    }

    fn parse(stdout: &str) -> anyhow::Result<Outcome> {
        let line = stdout
            .lines()
            .find_map(|l| l.strip_prefix("bbn-bench "))
            .with_context(|| format!("wrk printed no outcome:\n{stdout}"))?;
        let value = |key: &str| -> anyhow::Result<f64> {
            line.split(' ')
                .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
                .with_context(|| format!("no {key} in {line:?}"))?
                .parse()
                .with_context(|| format!("{key} in {line:?}"))
        };
        Ok(Outcome {
            requests: value("requests")? as u64,
            seconds: value("duration_us")? / 1e6,
            status_errors: value("status")? as u64,
            socket_errors: (value("connect")?
                + value("read")?
                + value("write")?
                + value("timeout")?) as u64,
            p50_ms: value("p50_us")? / 1000.0,
            p99_ms: value("p99_us")? / 1000.0,
        })
    }
}

/// The requests of a run.
pub enum Requests<'a> {
    /// One path, again and again.
    One(&'a str),
    /// The paths of a file, in turn.
    Rotate(&'a Path),
    /// The mixed load's plan (see `mixed.rs`): lines `GET <path>` or
    /// `POST <path> <form>`; each posted form gets a unique ending.
    Plan {
        file: &'a Path,
        origin: &'a str,
        run: i64,
        /// Requests per second to pace the load at; `None` for as many as
        /// the server answers.
        rate: Option<f64>,
    },
}

/// How wrk loads a server.
pub struct Wrk {
    pub connections: usize,
    pub threads: usize,
    /// Where the generated scripts go.
    pub scratch: PathBuf,
}

/// A wrk run going on in the background.
pub struct Running(Child);

impl Running {
    pub fn finish(self) -> anyhow::Result<Outcome> {
        let out = self.0.wait_with_output()?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            bail!(
                "wrk failed ({}): {stdout}{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Outcome::parse(&stdout)
    }
}

impl Wrk {
    /// Loads `port` for `duration` and waits for the outcome.
    pub fn run(
        &self,
        port: u16,
        requests: &Requests,
        gzip: bool,
        duration: Duration,
    ) -> anyhow::Result<Outcome> {
        self.spawn(port, requests, gzip, duration)?.finish()
    }

    /// Starts loading `port` for `duration`; the load stops by itself.
    pub fn spawn(
        &self,
        port: u16,
        requests: &Requests,
        gzip: bool,
        duration: Duration,
    ) -> anyhow::Result<Running> {
        let (path, script) = match requests {
            Requests::One(path) => (*path, String::new()),
            Requests::Rotate(file) => ("/", rotate(file)),
            Requests::Plan {
                file,
                origin,
                run,
                rate,
            } => {
                let paced = rate.map_or_else(String::new, |r| pace(r, self.threads));
                ("/", plan(file, origin, *run) + &paced)
            }
        };
        let script_file = self
            .scratch
            .join(format!("load-{}.lua", script_hash(&script)));
        std::fs::write(&script_file, format!("{THREAD_IDS}{script}{DONE}"))?;
        let mut cmd = Command::new("wrk");
        cmd.arg("--connections")
            .arg(self.connections.to_string())
            .arg("--threads")
            .arg(self.threads.to_string())
            .arg("--duration")
            .arg(format!("{}s", duration.as_secs().max(1)))
            // wrk counts an answer slower than this as an error (and not in
            // the percentiles); it must be well under the load's duration,
            // or answers that never come are not counted at all.
            .args(["--timeout", "5s", "--script"])
            .arg(&script_file);
        if gzip {
            cmd.args(["--header", "Accept-Encoding: gzip"]);
        }
        cmd.arg(format!("http://127.0.0.1:{port}{path}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Ok(Running(
            cmd.spawn()
                .context("cannot run wrk (apt-get install -y wrk)")?,
        ))
    }
}

/// A name for a script that differs when its text does.
fn script_hash(script: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    script.hash(&mut h);
    h.finish()
}

fn lua_string(s: &str) -> String {
    format!("{s:?}")
}

fn rotate(file: &Path) -> String {
    format!(
        r#"
local paths = {{}}
for line in io.lines({file}) do paths[#paths + 1] = line end
local i = 0
init = function(args) i = (id or 0) * 7919 % #paths end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"#,
        file = lua_string(&file.display().to_string())
    )
}

fn plan(file: &Path, origin: &str, run: i64) -> String {
    format!(
        r#"
local plan = {{}}
for line in io.lines({file}) do
  local method, path, form = line:match("^(%u+) (%S+) ?(.*)$")
  plan[#plan + 1] = {{ method, path, form }}
end
local post_headers = {{
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Origin"] = {origin},
  ["Accept-Encoding"] = "gzip",
}}
local i, posted = 0, 0
init = function(args) i = (id or 0) * 7919 % #plan end
request = function()
  i = i % #plan + 1
  local step = plan[i]
  if step[1] == "POST" then
    posted = posted + 1
    return wrk.format("POST", step[2], post_headers,
      step[3] .. "+" .. {run} .. "-" .. (id or 0) .. "-" .. posted)
  end
  return wrk.format("GET", step[2])
end
"#,
        file = lua_string(&file.display().to_string()),
        origin = lua_string(origin),
    )
}

/// Paces a load at `rate` requests/s in all: each thread keeps a timetable
/// of its share and each of its connections, once answered, waits for the
/// next free time on it (sending at once when the timetable has fallen
/// behind, by at most a second's worth). Unlike wrk's own closed loop, the
/// rate does not fall as the server slows; like it, a request is timed from
/// when it is sent, so time spent waiting behind a stalled server is not in
/// the percentiles.
fn pace(rate: f64, threads: usize) -> String {
    format!(
        r#"
local ffi = require("ffi")
ffi.cdef[[
typedef struct {{ long tv_sec; long tv_nsec; }} bbn_timespec;
int clock_gettime(int clock, bbn_timespec *tp);
]]
local clock = ffi.new("bbn_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end
local interval = {interval}
local slot = nil
delay = function()
  local now = now_ms()
  slot = math.max((slot or now) + interval, now - 1000)
  return math.max(0, math.floor(slot - now))
end
"#,
        interval = threads.max(1) as f64 * 1000.0 / rate.max(1.0)
    )
}

/// `wrk -v`'s first line.
pub fn version() -> String {
    Command::new("wrk")
        .arg("-v")
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .split(" Copyright")
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        })
        .unwrap_or_else(|_| "wrk not found".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_done_line() {
        let o = Outcome::parse(
            "Running 10s test\nbbn-bench requests=1000 duration_us=2000000 connect=0 read=1 write=0 status=2 timeout=3 p50_us=1500 p99_us=9000\n",
        )
        .unwrap();
        assert_eq!(o.requests, 1000);
        assert_eq!(o.per_second(), 500.0);
        assert_eq!((o.status_errors, o.socket_errors), (2, 4));
        assert_eq!((o.p50_ms, o.p99_ms), (1.5, 9.0));
        assert!(Outcome::parse("no line").is_err());
    }
}
