//! What an import did, as the operator reads it at the end: counts per kind
//! and outcome, what was skipped and why, what was changed to fit bbn,
//! shortcodes left as text, media that could not be brought in. Nothing is
//! lost without a line here: duplicates left out, records kept because
//! they were edited in bbn, every slug renamed, every old address left to
//! what it led to before.

use bbn_store::Outcome;
use std::collections::BTreeMap;
use std::fmt::Write;

/// How many examples a list shows before it only counts.
const EXAMPLES: usize = 10;

#[derive(Debug, Default)]
pub struct Report {
    /// (kind, outcome) → count
    done: BTreeMap<(&'static str, &'static str), u64>,
    /// (kind, reason) → (count, examples)
    skipped: BTreeMap<(&'static str, String), (u64, Vec<String>)>,
    /// what was changed to fit → (count, examples)
    adjusted: BTreeMap<String, (u64, Vec<String>)>,
    /// shortcode name → (posts, examples)
    shortcodes: BTreeMap<String, (u64, Vec<String>)>,
    /// media the import could not bring in, by why
    media: BTreeMap<&'static str, (u64, Vec<String>)>,
    /// Items left out because an earlier item of the export had their id.
    duplicates: Vec<String>,
    /// Records edited in bbn since they were imported, left as they are.
    kept: Vec<String>,
    /// Every slug that is not the source's: (kind, from, to).
    renames: Vec<(&'static str, String, String)>,
    /// Old addresses that already led elsewhere and still do.
    addresses_kept: Vec<String>,
    pub warnings: Vec<String>,
    pub picks_added: usize,
    pub redirects: u64,
    /// Addresses made click-to-load embeds (the rest stay links).
    pub embeds: u64,
}

/// The report's word for records edited in bbn since their import.
pub const KEPT: &str = "kept (edited in bbn since import)";

fn note(entry: &mut (u64, Vec<String>), example: impl Into<String>) {
    entry.0 += 1;
    if entry.1.len() < EXAMPLES {
        entry.1.push(example.into());
    }
}

impl Report {
    pub fn done(&mut self, kind: &'static str, outcome: Outcome) {
        let label = match outcome {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Unchanged => "unchanged",
            Outcome::Linked => "matched to existing",
            Outcome::Kept => KEPT,
        };
        *self.done.entry((kind, label)).or_default() += 1;
    }

    pub fn skipped(
        &mut self,
        kind: &'static str,
        reason: impl Into<String>,
        example: impl Into<String>,
    ) {
        note(
            self.skipped.entry((kind, reason.into())).or_default(),
            example,
        );
    }

    /// An item whose id an earlier item of the export had: the first is
    /// the one imported.
    pub fn duplicate(&mut self, kind: &str, id: &str, title: &str, line: u64) {
        self.duplicates
            .push(format!("{kind} {id} \"{title}\" (line {line})"));
    }

    pub fn kept(&mut self, kind: &str, title: &str) {
        self.kept.push(format!("{kind} \"{title}\""));
    }

    pub fn renamed(&mut self, rename: bbn_store::Rename) {
        self.renames.push((rename.kind, rename.from, rename.to));
    }

    /// Old addresses the import would have made lead to `what`, which
    /// already lead somewhere else.
    pub fn addresses_kept(&mut self, paths: Vec<String>, what: &str) {
        for p in paths {
            self.addresses_kept.push(format!("{p} (wanted by {what})"));
        }
    }

    pub fn adjusted(&mut self, what: impl Into<String>, example: impl Into<String>) {
        note(self.adjusted.entry(what.into()).or_default(), example);
    }

    pub fn shortcode(&mut self, name: &str, post: &str) {
        note(self.shortcodes.entry(name.to_string()).or_default(), post);
    }

    pub fn media(&mut self, why: &'static str, url: &str) {
        let entry = self.media.entry(why).or_default();
        if !entry.1.iter().any(|u| u == url) {
            note(entry, url);
        }
    }

    /// How many records of `kind` the import made.
    pub fn created(&self, kind: &str) -> u64 {
        self.done
            .iter()
            .filter(|((k, outcome), _)| *k == kind && *outcome == "created")
            .map(|(_, n)| n)
            .sum()
    }

    pub fn render(&self, dry_run: bool) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}",
            if dry_run {
                "Dry run: nothing was written. This is what the import would do."
            } else {
                "Imported."
            }
        );
        let _ = writeln!(out, "\nRecords:");
        for ((kind, outcome), n) in &self.done {
            let _ = writeln!(out, "  {kind:<12} {outcome:<20} {n:>8}");
        }
        if self.picks_added > 0 {
            let _ = writeln!(
                out,
                "  sticky posts added to Editors' Picks: {}",
                self.picks_added
            );
        }
        let _ = writeln!(out, "  old addresses that now redirect: {}", self.redirects);
        let _ = writeln!(
            out,
            "  embeds (YouTube, X, Instagram …) kept as click-to-load embeds: {}",
            self.embeds
        );
        // Listed in full: each is something the operator may need to act on.
        full_list(
            &mut out,
            "Duplicate ids (the first item with the id was imported, these were left out)",
            &self.duplicates,
        );
        full_list(
            &mut out,
            "Kept as edited in bbn since the last import (the export's version was not written)",
            &self.kept,
        );
        let renames: Vec<String> = self
            .renames
            .iter()
            .map(|(kind, from, to)| format!("{kind} {from} → {to}"))
            .collect();
        full_list(
            &mut out,
            "Slugs renamed (another record holds the export's slug, or bbn does not accept it)",
            &renames,
        );
        full_list(
            &mut out,
            "Old addresses that already lead elsewhere and still do",
            &self.addresses_kept,
        );
        section(
            &mut out,
            "Skipped",
            self.skipped
                .iter()
                .map(|((k, why), v)| (format!("{k}: {why}"), v)),
        );
        section(
            &mut out,
            "Changed to fit bbn",
            self.adjusted.iter().map(|(w, v)| (w.clone(), v)),
        );
        section(
            &mut out,
            "Shortcodes left as text (posts that have them)",
            self.shortcodes.iter().map(|(n, v)| (format!("[{n}]"), v)),
        );
        section(
            &mut out,
            "Media not brought in",
            self.media.iter().map(|(w, v)| (w.to_string(), v)),
        );
        if !self.warnings.is_empty() {
            let _ = writeln!(out, "\nRead leniently ({}):", self.warnings.len());
            for w in self.warnings.iter().take(EXAMPLES) {
                let _ = writeln!(out, "  {w}");
            }
            if self.warnings.len() > EXAMPLES {
                let _ = writeln!(out, "  … and {} more", self.warnings.len() - EXAMPLES);
            }
        }
        out
    }
}

fn full_list(out: &mut String, title: &str, rows: &[String]) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title} ({}):", rows.len());
    for row in rows {
        let _ = writeln!(out, "  {row}");
    }
}

fn section<'a>(
    out: &mut String,
    title: &str,
    rows: impl Iterator<Item = (String, &'a (u64, Vec<String>))>,
) {
    let rows: Vec<_> = rows.collect();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title}:");
    for (what, (n, examples)) in rows {
        let _ = writeln!(out, "  {what}: {n}");
        for e in examples {
            let _ = writeln!(out, "      {e}");
        }
        if *n as usize > examples.len() {
            let _ = writeln!(out, "      … and {} more", *n as usize - examples.len());
        }
    }
}
