//! Advance widths of the two standard fonts, indexed by WinAnsiEncoding code.
//!
//! The numbers are the published Adobe font metrics (`WX` of the Core 14 AFM files
//! `Helvetica.afm` and `Helvetica-Bold.afm`), in thousandths of the font size, looked up by the
//! glyph name that WinAnsiEncoding gives each code. Codes without a glyph (controls, 0x7F, 0x81,
//! 0x8D, 0x8F, 0x90, 0x9D) are 0; the encoder never produces them. The Euro, missing from the
//! 1997 AFM files, has the width every Helvetica clone gives it (556).
//!
//! The same tables are written into the font dictionaries as `/Widths`, so a viewer spaces the
//! glyphs exactly as the layout measured them.

/// One of the two fonts a document uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Font {
    Regular,
    Bold,
}

impl Font {
    /// The name of the font in each page's resources.
    pub(crate) fn resource(self) -> &'static str {
        match self {
            Font::Regular => "F1",
            Font::Bold => "F2",
        }
    }

    pub(crate) fn base_font(self) -> &'static str {
        match self {
            Font::Regular => "Helvetica",
            Font::Bold => "Helvetica-Bold",
        }
    }

    pub(crate) fn widths(self) -> &'static [u16; 256] {
        match self {
            Font::Regular => &HELVETICA,
            Font::Bold => &HELVETICA_BOLD,
        }
    }

    /// Width of WinAnsi-encoded text, in thousandths of the font size.
    pub(crate) fn units(self, text: &[u8]) -> u64 {
        let widths = self.widths();
        text.iter()
            .map(|&b| u64::from(widths[usize::from(b)]))
            .sum()
    }
}

/// Width in points of `units` thousandths of a font of `size` points.
pub(crate) fn points(units: u64, size: f32) -> f32 {
    // Exact up to 2^24 units (some 30 000 glyphs), far beyond one line; beyond, the rounding
    // hardly matters.
    units as f32 * size / 1000.0
}

/// Helvetica (Helvetica.afm, Adobe Core 14 metrics).
#[rustfmt::skip]
const HELVETICA: [u16; 256] = [
       0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0, // 0x00
       0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0, // 0x10
     278,  278,  355,  556,  556,  889,  667,  191,  333,  333,  389,  584,  278,  333,  278,  278, // 0x20
     556,  556,  556,  556,  556,  556,  556,  556,  556,  556,  278,  278,  584,  584,  584,  556, // 0x30
    1015,  667,  667,  722,  722,  667,  611,  778,  722,  278,  500,  667,  556,  833,  722,  778, // 0x40
     667,  778,  722,  667,  611,  722,  667,  944,  667,  667,  611,  278,  278,  278,  469,  556, // 0x50
     333,  556,  556,  500,  556,  556,  278,  556,  556,  222,  222,  500,  222,  833,  556,  556, // 0x60
     556,  556,  333,  500,  278,  556,  500,  722,  500,  500,  500,  334,  260,  334,  584,    0, // 0x70
     556,    0,  222,  556,  333, 1000,  556,  556,  333, 1000,  667,  333, 1000,    0,  611,    0, // 0x80
       0,  222,  222,  333,  333,  350,  556, 1000,  333, 1000,  500,  333,  944,    0,  500,  667, // 0x90
     278,  333,  556,  556,  556,  556,  260,  556,  333,  737,  370,  556,  584,  333,  737,  333, // 0xA0
     400,  584,  333,  333,  333,  556,  537,  278,  333,  333,  365,  556,  834,  834,  834,  611, // 0xB0
     667,  667,  667,  667,  667,  667, 1000,  722,  667,  667,  667,  667,  278,  278,  278,  278, // 0xC0
     722,  722,  778,  778,  778,  778,  778,  584,  778,  722,  722,  722,  722,  667,  667,  611, // 0xD0
     556,  556,  556,  556,  556,  556,  889,  500,  556,  556,  556,  556,  278,  278,  278,  278, // 0xE0
     556,  556,  556,  556,  556,  556,  556,  584,  611,  556,  556,  556,  556,  500,  556,  500, // 0xF0
];

/// Helvetica-Bold (Helvetica-Bold.afm, Adobe Core 14 metrics).
#[rustfmt::skip]
const HELVETICA_BOLD: [u16; 256] = [
       0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0, // 0x00
       0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0, // 0x10
     278,  333,  474,  556,  556,  889,  722,  238,  333,  333,  389,  584,  278,  333,  278,  278, // 0x20
     556,  556,  556,  556,  556,  556,  556,  556,  556,  556,  333,  333,  584,  584,  584,  611, // 0x30
     975,  722,  722,  722,  722,  667,  611,  778,  722,  278,  556,  722,  611,  833,  722,  778, // 0x40
     667,  778,  722,  667,  611,  722,  667,  944,  667,  667,  611,  333,  278,  333,  584,  556, // 0x50
     333,  556,  611,  556,  611,  556,  333,  611,  611,  278,  278,  556,  278,  889,  611,  611, // 0x60
     611,  611,  389,  556,  333,  611,  556,  778,  556,  556,  500,  389,  280,  389,  584,    0, // 0x70
     556,    0,  278,  556,  500, 1000,  556,  556,  333, 1000,  667,  333, 1000,    0,  611,    0, // 0x80
       0,  278,  278,  500,  500,  350,  556, 1000,  333, 1000,  556,  333,  944,    0,  500,  667, // 0x90
     278,  333,  556,  556,  556,  556,  280,  556,  333,  737,  370,  556,  584,  333,  737,  333, // 0xA0
     400,  584,  333,  333,  333,  611,  556,  278,  333,  333,  365,  556,  834,  834,  834,  611, // 0xB0
     722,  722,  722,  722,  722,  722, 1000,  722,  667,  667,  667,  667,  278,  278,  278,  278, // 0xC0
     722,  722,  778,  778,  778,  778,  778,  584,  778,  722,  722,  722,  722,  667,  667,  611, // 0xD0
     556,  556,  556,  556,  556,  556,  889,  556,  556,  556,  556,  556,  278,  278,  278,  278, // 0xE0
     611,  611,  611,  611,  611,  611,  611,  584,  611,  611,  611,  611,  611,  556,  611,  556, // 0xF0
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_of_known_glyphs() {
        // A few values straight from the AFM files.
        assert_eq!(Font::Regular.units(b" "), 278);
        assert_eq!(Font::Regular.units(b"a"), 556);
        assert_eq!(Font::Regular.units(b"i"), 222);
        assert_eq!(Font::Regular.units(b"W"), 944);
        assert_eq!(Font::Regular.units(&[0xE5]), 556); // aring
        assert_eq!(Font::Regular.units(&[0x96]), 556); // endash
        assert_eq!(Font::Regular.units(&[0x85]), 1000); // ellipsis
        assert_eq!(Font::Bold.units(b"i"), 278);
        assert_eq!(Font::Bold.units(b"b"), 611);
        assert_eq!(Font::Bold.units(&[0xF6]), 611); // odieresis
        assert_eq!(Font::Bold.units(b"Sida"), 667 + 278 + 611 + 556);
    }

    #[test]
    fn every_printable_code_has_a_width() {
        for font in [Font::Regular, Font::Bold] {
            for code in (0x20..=0x7E).chain(0x80..=0xFF) {
                let undefined = [0x81, 0x8D, 0x8F, 0x90, 0x9D].contains(&code);
                assert_eq!(
                    font.widths()[code] == 0,
                    undefined,
                    "{font:?} code {code:#04X}"
                );
            }
        }
    }
}
