//! Breaking encoded text into lines that fit a width.

use crate::encoding::{NEWLINE, SPACE};
use crate::metrics::{Font, points};

/// Text of one font within a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) font: Font,
    /// WinAnsi-encoded.
    pub(crate) text: Vec<u8>,
}

/// One line of wrapped text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Line {
    pub(crate) spans: Vec<Span>,
    /// Width in thousandths of the font size.
    pub(crate) units: u64,
}

/// Breaks `pieces` (encoded text, each in its font, all at `size` points) into lines: the first
/// at most `first_width` points wide, the others at most `rest_width`.
///
/// Words are separated by [`SPACE`] (a run of spaces counts as one) and by the end of a piece;
/// [`NEWLINE`] ends a line. A word too long for a line of its own is broken between two glyphs.
/// Empty lines at the end are dropped, so empty or blank text gives no lines at all.
pub(crate) fn wrap(
    pieces: &[(Font, &[u8])],
    size: f32,
    first_width: f32,
    rest_width: f32,
) -> Vec<Line> {
    let mut wrapper = Wrapper {
        lines: Vec::new(),
        current: Line::default(),
        size,
        first_width,
        rest_width,
    };
    for &(font, text) in pieces {
        for (i, line) in text.split(|&b| b == NEWLINE).enumerate() {
            if i > 0 {
                wrapper.end_line();
            }
            for word in line.split(|&b| b == SPACE).filter(|w| !w.is_empty()) {
                wrapper.word(font, word);
            }
        }
    }
    wrapper.end_line();
    while wrapper.lines.last().is_some_and(|l| l.spans.is_empty()) {
        wrapper.lines.pop();
    }
    wrapper.lines
}

struct Wrapper {
    lines: Vec<Line>,
    current: Line,
    size: f32,
    first_width: f32,
    rest_width: f32,
}

impl Wrapper {
    fn fits(&self, units: u64) -> bool {
        let width = if self.lines.is_empty() {
            self.first_width
        } else {
            self.rest_width
        };
        points(units, self.size) <= width
    }

    fn end_line(&mut self) {
        self.lines.push(std::mem::take(&mut self.current));
    }

    fn word(&mut self, font: Font, word: &[u8]) {
        let width = font.units(word);
        if let Some(last) = self.current.spans.last() {
            let space = last.font.units(&[SPACE]);
            if self.fits(self.current.units + space + width) {
                self.push(last.font, &[SPACE], space);
                self.push(font, word, width);
                return;
            }
            self.end_line();
        }
        if self.fits(width) {
            self.push(font, word, width);
        } else {
            self.break_word(font, word);
        }
    }

    /// Puts a word too long for a line on lines of its own, as many glyphs on each as fit (at
    /// least one, so that even an absurdly narrow width ends). The last part stays open for the
    /// words that follow.
    fn break_word(&mut self, font: Font, mut word: &[u8]) {
        while !word.is_empty() {
            let mut count = 0;
            let mut units = 0;
            for &glyph in word {
                let glyph_units = font.units(&[glyph]);
                if count > 0 && !self.fits(units + glyph_units) {
                    break;
                }
                count += 1;
                units += glyph_units;
            }
            let (part, rest) = word.split_at(count);
            self.push(font, part, units);
            word = rest;
            if !word.is_empty() {
                self.end_line();
            }
        }
    }

    fn push(&mut self, font: Font, text: &[u8], units: u64) {
        self.current.units += units;
        match self.current.spans.last_mut() {
            Some(span) if span.font == font => span.text.extend_from_slice(text),
            _ => self.current.spans.push(Span {
                font,
                text: text.to_vec(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| {
                l.spans
                    .iter()
                    .map(|s| String::from_utf8_lossy(&s.text).into_owned())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn words_fill_lines_greedily() {
        // "aaa" is 1668 units; at 1 pt that is 1.668 pt; a space is 0.278 pt.
        let lines = wrap(&[(Font::Regular, b"aaa aaa aaa")], 1.0, 3.7, 3.7);
        assert_eq!(texts(&lines), ["aaa aaa", "aaa"]);
        assert_eq!(lines[0].units, 1668 * 2 + 278);
    }

    #[test]
    fn newlines_and_blank_text() {
        let lines = wrap(&[(Font::Regular, b"a\n\nb  c\n\n")], 10.0, 100.0, 100.0);
        assert_eq!(texts(&lines), ["a", "", "b c"]);
        assert!(wrap(&[(Font::Regular, b"  \n \n")], 10.0, 100.0, 100.0).is_empty());
        assert!(wrap(&[], 10.0, 100.0, 100.0).is_empty());
    }

    #[test]
    fn long_word_is_broken() {
        // Ten glyphs of 0.556 pt; 2 pt holds three of them.
        let lines = wrap(&[(Font::Regular, b"0123456789 x")], 1.0, 2.0, 2.0);
        assert_eq!(texts(&lines), ["012", "345", "678", "9 x"]);
    }

    #[test]
    fn zero_width_still_ends() {
        let lines = wrap(&[(Font::Regular, b"abc")], 10.0, 0.0, -5.0);
        assert_eq!(texts(&lines), ["a", "b", "c"]);
    }

    #[test]
    fn fonts_mix_within_a_line() {
        let lines = wrap(
            &[(Font::Bold, b"Dos:"), (Font::Regular, b"1 tablett")],
            10.0,
            1000.0,
            1000.0,
        );
        assert_eq!(lines.len(), 1);
        let spans = &lines[0].spans;
        assert_eq!(spans.len(), 2);
        assert_eq!(
            (spans[0].font, &spans[0].text[..]),
            (Font::Bold, &b"Dos: "[..])
        );
        assert_eq!(
            (spans[1].font, &spans[1].text[..]),
            (Font::Regular, &b"1 tablett"[..])
        );
    }

    #[test]
    fn first_line_and_the_rest_have_their_own_width() {
        let lines = wrap(&[(Font::Regular, b"aa aa aa aa")], 1.0, 1.2, 2.6);
        assert_eq!(texts(&lines), ["aa", "aa aa", "aa"]);
    }
}
