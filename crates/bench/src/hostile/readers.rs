//! The hostile clients on the public side: slow readers that never read, a
//! page-cache flood, a comment flood, and costly searches.

use super::{Tally, hammer};
use crate::comments::comment_form;
use crate::{generate, http};
use std::io::{ErrorKind, Write};
use std::net::{IpAddr, Ipv4Addr, TcpStream};
use std::time::{Duration, Instant};

/// bbn's default connections per address (`--connections-per-address`).
const PER_ADDRESS: usize = 64;
/// Connections past the per-address limit the slow reader tries to hold.
const EXTRA_CONNECTIONS: usize = 16;
/// GETs written at once on each slow connection.
const PIPELINED: usize = 300;

struct Slow {
    stream: TcpStream,
    opened: Instant,
    /// Bytes of the current batch already written.
    written: usize,
}

/// Client e: the server's per-address connection limit plus
/// `EXTRA_CONNECTIONS` sockets from one address, each writing batches of
/// pipelined GETs of `article` and reading none of the answers. A socket
/// the server closes is counted (at once: refused by the limit; later: let
/// go of after the write timeout) and opened again.
pub fn slow(port: u16, source: IpAddr, article: &str, deadline: Instant) -> Tally {
    let mut tally = Tally::new("slow readers (never read)");
    let limit = PER_ADDRESS;
    tally.note = format!(
        "{} sockets ({} allowed per address), {PIPELINED} pipelined GETs per batch; requests = GETs written into the sockets (most wait in the kernel's buffers: the server reads no further while its answers go unread)",
        limit + EXTRA_CONNECTIONS,
        limit
    );
    let batch =
        format!("GET {article} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").repeat(PIPELINED);
    let batch = batch.as_bytes();
    let request_len = batch.len() / PIPELINED;
    let mut sockets: Vec<Option<Slow>> = (0..limit + EXTRA_CONNECTIONS).map(|_| None).collect();
    while Instant::now() < deadline {
        for slot in sockets.iter_mut() {
            if slot.is_none() {
                match http::connect_from(port, source).and_then(|s| {
                    s.set_nonblocking(true)?;
                    Ok(s)
                }) {
                    Ok(stream) => {
                        *slot = Some(Slow {
                            stream,
                            opened: Instant::now(),
                            written: 0,
                        })
                    }
                    Err(e) => {
                        tally.failed(&e.context("connect"));
                        continue;
                    }
                }
            }
            let Some(s) = slot.as_mut() else { continue };
            match s.stream.write(&batch[s.written..]) {
                Ok(n) => {
                    let before = s.written / request_len;
                    s.written += n;
                    let whole = s.written / request_len - before;
                    tally.requests += whole as u64;
                    if s.written == batch.len() {
                        s.written = 0;
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => {
                    // Closed by the server: the write after its close fails.
                    let held = s.opened.elapsed();
                    let outcome = match held.as_secs() {
                        0 => "closed within 1 s (over the per-address limit)",
                        1..10 => "closed after 1–10 s",
                        10..30 => "closed after 10–30 s",
                        _ => "closed after 30 s or more (the write timeout)",
                    };
                    *tally.outcomes.entry(outcome.into()).or_default() += 1;
                    *slot = None;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let open = sockets.iter().filter(|s| s.is_some()).count();
    *tally
        .outcomes
        .entry("still open at the end".into())
        .or_default() += open as u64;
    tally
}

/// Client f: the article with made-up query strings, each new: `?cpage=N`
/// and `?page=000N` (both kept in the page cache as pages of their own) and
/// `?x=N` (never cached: rendered each time).
pub fn cache_flood(port: u16, source: IpAddr, article: &str, deadline: Instant) -> Tally {
    let mut tally = Tally::new("page-cache flood");
    hammer(port, source, deadline, &mut tally, |c, k| {
        let n = k / 3 + 1;
        let (label, query) = match k % 3 {
            0 => ("?cpage=N", format!("cpage={n}")),
            1 => ("?page=000N", format!("page={n:04}")),
            _ => ("?x=N", format!("x={n}")),
        };
        let path = format!("{article}?{query}");
        let r = c.get(&path)?;
        Ok((path, format!("{label} {}", r.status)))
    });
    tally
}

/// Client g: comments of the longest length allowed (5,000 characters),
/// each from another address (127.2.x.y) on a fresh connection, so that the
/// per-address limit does not stop them and the per-article one must.
pub fn comment_flood(port: u16, article: &str, token: &str, deadline: Instant) -> Tally {
    let mut tally = Tally::new("comment flood (a new address each)");
    let path = format!("{article}/comments");
    let filler = "Readers deserve to know the truth about this story. ".repeat(100);
    let mut k: u32 = 0;
    while Instant::now() < deadline {
        k += 1;
        let source = IpAddr::V4(Ipv4Addr::new(127, 2, (k >> 8) as u8, k as u8));
        let text: String = format!("{k} {filler}").chars().take(5_000).collect();
        let form = comment_form(
            &format!("Flooder {k}"),
            &format!("flood{k}@example.org"),
            token,
            &text,
        );
        let sent = Instant::now();
        let answer = http::Client::connect_from(port, source).and_then(|mut c| {
            c.call(
                "POST",
                &path,
                &[("Content-Type", "application/x-www-form-urlencoded")],
                form.as_bytes(),
            )
        });
        match answer {
            Ok(r) => tally.answered(
                sent.elapsed().as_secs_f64() * 1000.0,
                r.status.to_string(),
                &format!("comment {k}"),
            ),
            Err(e) => tally.failed(&e),
        }
    }
    tally
}

/// Client h: 31 words of the generated site, each with one letter changed
/// (long enough for the fuzzy search, which runs when the exact one finds
/// almost nothing, and one edit from real words, so it matches), and a
/// quoted phrase: the 32 parts a query may have, a different query each time.
pub fn search(port: u16, source: IpAddr, deadline: Instant) -> Tally {
    let mut tally = Tally::new("costly searches");
    let long: Vec<&str> = generate::WORDS
        .iter()
        .copied()
        .filter(|w| w.len() >= 5)
        .collect();
    hammer(port, source, deadline, &mut tally, |c, k| {
        let k = k as usize;
        let mut words: Vec<String> = (0..31)
            .map(|i| {
                let mut w: Vec<u8> = long[(k * 31 + i) % long.len()].bytes().collect();
                let at = (k + i) % w.len();
                w[at] = b'a' + ((k * 7 + i) % 26) as u8;
                String::from_utf8_lossy(&w).into_owned()
            })
            .collect();
        words.push(format!("\"market growth {k}\""));
        let q = http::urlencode(&words.join(" "));
        let path = format!("/search?q={q}");
        let r = c.get(&path)?;
        Ok((path, r.status.to_string()))
    });
    tally
}
