//! Public attack payload lists (`../shared/testdata/<kind>` beside the
//! workspace), read line by line for the attack suites of the web and bbn
//! crates.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Every payload line of `kind` (`xss`, `sqli`), once, with the file it
/// came from: an even sample of `per_file` lines from each file, or every
/// line with `BBN_ATTACK_FULL=1`. With `BBN_ATTACK_SHARD=k/n`, only the k-th
/// of n interleaved shares of those (a long run taken in parts). Fails the
/// test where the lists are missing: the suites that read them are in
/// `with_corpus::`, which `tools/test` skips then.
pub fn load(kind: &str, per_file: usize) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata")
        .join(kind);
    assert!(
        dir.is_dir(),
        "corpus test not run: no shared test data at {} (the shared/ folder beside the \
         repository), or run the suite with tools/test, which skips with_corpus:: where it \
         is missing and reports those tests as NOT RUN",
        dir.display()
    );
    let full = std::env::var("BBN_ATTACK_FULL").is_ok_and(|v| v == "1");
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "txt")
                && !path
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("LICENSE")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for file in files {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        let lines: Vec<&str> = text
            .lines()
            .map(|l| l.trim_end_matches('\r'))
            .filter(|l| !l.trim().is_empty())
            .collect();
        let step = if full {
            1
        } else {
            lines.len().div_ceil(per_file).max(1)
        };
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        for line in lines.iter().step_by(step) {
            if seen.insert(line.to_string()) {
                out.push((name.clone(), line.to_string()));
            }
        }
    }
    if let Ok(shard) = std::env::var("BBN_ATTACK_SHARD") {
        let (k, n) = shard
            .split_once('/')
            .and_then(|(k, n)| Some((k.parse::<usize>().ok()?, n.parse::<usize>().ok()?)))
            .filter(|(k, n)| (1..=*n).contains(k))
            .unwrap_or_else(|| panic!("BBN_ATTACK_SHARD is k/n with 1 <= k <= n, not {shard:?}"));
        out = out
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % n == k - 1)
            .map(|(_, p)| p)
            .collect();
        eprintln!("shard {k} of {n}: {} payloads", out.len());
    }
    out
}

/// A value as a client puts it in a path segment or a query: everything
/// but unreserved characters percent-encoded.
pub fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
