//! Lines and columns for messages about an export, without keeping the
//! export: the input passes through [`Tracked`], which holds only the bytes
//! since the end of the last XML event (the event being read, which the XML
//! parser buffers anyway) and the line and column where that event began.

use std::io::{self, BufRead, Read};

/// A 1-based line and a 1-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: u64,
    pub column: u64,
}

pub struct Tracked<R> {
    inner: R,
    /// Bytes handed to the parser since the last [`Tracked::mark`].
    since_mark: Vec<u8>,
    /// Byte offset of the mark.
    mark_offset: u64,
    /// Line of the mark, 1-based.
    mark_line: u64,
    /// Characters between the start of the mark's line and the mark.
    mark_chars: u64,
    /// The most bytes one event may take (`Limits::event`).
    event_limit: usize,
    /// Why reading stopped, once the input broke a rule no XML parser
    /// checks for us: it is then refused, with its place.
    stopped: Option<Stop>,
}

/// What the input did that makes it unreadable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// A NUL byte at this offset: XML allows it nowhere, raw or as `&#0;`.
    Nul(u64),
    /// An event longer than the limit began at the mark.
    TooLong,
}

impl<R: BufRead> Tracked<R> {
    pub fn new(inner: R, event_limit: usize) -> Self {
        Tracked {
            inner,
            since_mark: Vec::new(),
            mark_offset: 0,
            mark_line: 1,
            mark_chars: 0,
            event_limit,
            stopped: None,
        }
    }

    /// Why the input cannot be read on, if it cannot.
    pub fn stopped(&self) -> Option<Stop> {
        self.stopped
    }

    pub fn event_limit(&self) -> usize {
        self.event_limit
    }

    /// The error the parser is handed once reading stopped: it ends the
    /// event being parsed without the parser asking for more input.
    fn stop_error(&self) -> io::Result<()> {
        match self.stopped {
            Some(_) => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the export cannot be read on",
            )),
            None => Ok(()),
        }
    }

    /// The input itself; what is consumed through it is not counted.
    pub fn inner_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// Byte offset of the last mark.
    pub fn mark_offset(&self) -> u64 {
        self.mark_offset
    }

    /// Moves the mark to the end of what was consumed. Called after every
    /// event, so the pending bytes never exceed one event.
    pub fn mark(&mut self) {
        let (line, chars) = advance(self.mark_line, self.mark_chars, &self.since_mark);
        self.mark_line = line;
        self.mark_chars = chars;
        self.mark_offset += self.since_mark.len() as u64;
        self.since_mark.clear();
    }

    /// Where byte `offset` lies. Offsets before the mark answer with the
    /// mark; offsets past what was consumed, with the end of it.
    pub fn position(&self, offset: u64) -> Position {
        let within = offset.saturating_sub(self.mark_offset);
        let within = usize::try_from(within)
            .unwrap_or(usize::MAX)
            .min(self.since_mark.len());
        let (line, chars) = advance(self.mark_line, self.mark_chars, &self.since_mark[..within]);
        Position {
            line,
            column: chars + 1,
        }
    }

    /// Where the end of everything consumed so far lies.
    pub fn end_position(&self) -> Position {
        self.position(self.mark_offset + self.since_mark.len() as u64)
    }
}

/// The line and column reached after `bytes`, starting from `line` and
/// `chars`.
fn advance(line: u64, chars: u64, bytes: &[u8]) -> (u64, u64) {
    let newlines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    let tail = match bytes.iter().rposition(|&b| b == b'\n') {
        Some(i) => &bytes[i + 1..],
        None => bytes,
    };
    // Characters are counted as the bytes that begin one in UTF-8.
    let tail_chars = tail.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u64;
    if newlines == 0 {
        (line, chars + tail_chars)
    } else {
        (line + newlines, tail_chars)
    }
}

impl<R: BufRead> Read for Tracked<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.stop_error()?;
        let available = self.inner.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tracked<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.stop_error()?;
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        // `consume` follows a `fill_buf`, so asking again hands back the same
        // buffer without reading.
        if let Ok(available) = self.inner.fill_buf() {
            let n = amount.min(available.len());
            let consumed = &available[..n];
            if self.stopped.is_none()
                && let Some(i) = consumed.iter().position(|&b| b == 0)
            {
                let offset = self.mark_offset + (self.since_mark.len() + i) as u64;
                self.stopped = Some(Stop::Nul(offset));
            }
            self.since_mark.extend_from_slice(consumed);
            if self.stopped.is_none() && self.since_mark.len() > self.event_limit {
                self.stopped = Some(Stop::TooLong);
            }
        }
        self.inner.consume(amount);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_and_characters_across_marks() {
        let text = "ab\ncdé\n\nfgh".as_bytes();
        let mut t = Tracked::new(text, 1 << 20);
        let mut buf = [0u8; 4];
        t.read_exact(&mut buf).ok();
        t.mark();
        // Before the mark is not known any more: the mark answers.
        assert_eq!(t.position(0), Position { line: 2, column: 2 });
        assert_eq!(t.position(4), Position { line: 2, column: 2 });
        let mut rest = Vec::new();
        t.read_to_end(&mut rest).ok();
        // "é" is two bytes but one column.
        assert_eq!(t.position(7), Position { line: 2, column: 4 });
        assert_eq!(t.position(8), Position { line: 3, column: 1 });
        assert_eq!(t.end_position(), Position { line: 4, column: 4 });
    }
}
