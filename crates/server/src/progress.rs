//! Progress of the operator commands on the terminal: a bar that follows the bytes of a file as
//! it is read or a count of documents, and numbered steps for the rest. On a terminal the bar is
//! redrawn in place; in a log (not a terminal) a line is written at every tenth instead.

use std::io::{IsTerminal, Read, Write};

/// One line for a step of a command: what is being done, and how far.
pub fn step(step: usize, steps: usize, what: &str) {
    eprintln!("{} {step}/{steps} {what}", bar(step as u64, steps as u64));
}

fn bar(done: u64, total: u64) -> String {
    let filled = (done.min(total) * 20).checked_div(total).unwrap_or(20) as usize;
    format!("[{}{}]", "#".repeat(filled), ".".repeat(20 - filled))
}

/// A bar redrawn as a count grows: on a terminal at every percent, in a log at every tenth.
struct Bar {
    what: String,
    /// The last percentage (terminal) or tenth (log) shown.
    shown: Option<u64>,
    terminal: bool,
}

impl Bar {
    fn new(what: String) -> Self {
        Self {
            what,
            shown: None,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// Draws `done` of `total` with `detail` after the label, when the mark moved on or it is
    /// `finished`.
    fn show(&mut self, done: u64, total: u64, finished: bool, detail: impl FnOnce() -> String) {
        let percent = (done.min(total) * 100).checked_div(total).unwrap_or(100);
        let mark = if self.terminal { percent } else { percent / 10 };
        if self.shown == Some(mark) && !(finished && self.terminal) {
            return;
        }
        self.shown = Some(mark);
        let line = format!(
            "{} {percent:>3} % {} ({})",
            bar(done.min(total), total.max(1)),
            self.what,
            detail()
        );
        let mut err = std::io::stderr().lock();
        if self.terminal {
            let _ = write!(err, "\r{line}");
            if finished {
                let _ = writeln!(err);
            }
        } else {
            let _ = writeln!(err, "{line}");
        }
    }
}

/// A reader that draws how much of `total` bytes has been read.
pub struct Reading<R> {
    inner: R,
    read: u64,
    total: u64,
    bar: Bar,
}

impl<R: Read> Reading<R> {
    pub fn new(inner: R, total: u64, what: impl Into<String>) -> Self {
        Self {
            inner,
            read: 0,
            total,
            bar: Bar::new(what.into()),
        }
    }
}

/// A bar of documents done out of a total, for importers that count what they read.
pub struct Counting {
    bar: Bar,
    unit: &'static str,
}

impl Counting {
    pub fn new(what: impl Into<String>, unit: &'static str) -> Self {
        Self {
            bar: Bar::new(what.into()),
            unit,
        }
    }

    pub fn show(&mut self, done: usize, total: usize) {
        let unit = self.unit;
        self.bar.show(done as u64, total as u64, done >= total, || {
            format!("{done} of {total} {unit}")
        });
    }
}

impl<R: Read> Read for Reading<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        let (read, total) = (self.read, self.total);
        self.bar.show(read, total, n == 0, || {
            format!("{:.1} of {:.1} MB", read as f64 / 1e6, total as f64 / 1e6)
        });
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_with_the_share_done() {
        assert_eq!(bar(0, 4), format!("[{}]", ".".repeat(20)));
        assert_eq!(bar(1, 4), format!("[{}{}]", "#".repeat(5), ".".repeat(15)));
        assert_eq!(bar(9, 4), format!("[{}]", "#".repeat(20)));
        assert_eq!(bar(0, 0), format!("[{}]", "#".repeat(20)));
    }

    #[test]
    fn reading_passes_every_byte_through() {
        let data = vec![7u8; 100_000];
        let mut reader = Reading::new(&data[..], data.len() as u64, "test");
        let mut out = Vec::new();
        reader.read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
        assert_eq!(reader.read, 100_000);
        assert_eq!(
            reader.bar.shown,
            Some(if reader.bar.terminal { 100 } else { 10 })
        );
    }

    #[test]
    fn counting_reaches_the_end_mark() {
        let mut counting = Counting::new("test", "documents");
        for done in 1..=7 {
            counting.show(done, 7);
        }
        assert_eq!(
            counting.bar.shown,
            Some(if counting.bar.terminal { 100 } else { 10 })
        );
    }
}
