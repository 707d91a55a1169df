//! Unicode to WinAnsiEncoding (Windows code page 1252), the encoding of both fonts.

/// Line break in encoded text (a control code, so never a printed glyph).
pub(crate) const NEWLINE: u8 = b'\n';
/// A space where a line may be broken. The no-break space is 0xA0.
pub(crate) const SPACE: u8 = b' ';
/// What a character the fonts cannot show becomes.
const REPLACEMENT: u8 = b'?';

/// Encodes `text` for the fonts.
///
/// Every character of code page 1252 becomes its byte. A letter followed by a combining accent
/// (decomposed text, as macOS may send it) is first composed, so "a\u{30A}" is "å" too. Line
/// breaks (`\n`, `\r\n`, `\r`) become [`NEWLINE`]; other white space becomes [`SPACE`], except the
/// no-break spaces, which become 0xA0. Any other character, including control characters, becomes
/// `?`.
pub(crate) fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let c = match chars.peek().and_then(|&mark| compose(c, mark)) {
            Some(composed) => {
                chars.next();
                composed
            }
            None => c,
        };
        let byte = match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                NEWLINE
            }
            '\n' => NEWLINE,
            '\u{A0}' | '\u{2007}' | '\u{202F}' => 0xA0,
            c if c.is_whitespace() => SPACE,
            c => win_ansi(c),
        };
        out.push(byte);
    }
    out
}

/// The WinAnsiEncoding byte of a printable character, or `?`.
fn win_ansi(c: char) -> u8 {
    match u32::from(c) {
        code @ (0x20..=0x7E | 0xA0..=0xFF) => u8::try_from(code).unwrap_or(REPLACEMENT),
        _ => match c {
            '\u{20AC}' => 0x80, // €
            '\u{201A}' => 0x82, // ‚
            '\u{0192}' => 0x83, // ƒ
            '\u{201E}' => 0x84, // „
            '\u{2026}' => 0x85, // …
            '\u{2020}' => 0x86, // †
            '\u{2021}' => 0x87, // ‡
            '\u{02C6}' => 0x88, // ˆ
            '\u{2030}' => 0x89, // ‰
            '\u{0160}' => 0x8A, // Š
            '\u{2039}' => 0x8B, // ‹
            '\u{0152}' => 0x8C, // Œ
            '\u{017D}' => 0x8E, // Ž
            '\u{2018}' => 0x91, // ‘
            '\u{2019}' => 0x92, // ’
            '\u{201C}' => 0x93, // “
            '\u{201D}' => 0x94, // ”
            '\u{2022}' => 0x95, // •
            '\u{2013}' => 0x96, // –
            '\u{2014}' => 0x97, // —
            '\u{02DC}' => 0x98, // ˜
            '\u{2122}' => 0x99, // ™
            '\u{0161}' => 0x9A, // š
            '\u{203A}' => 0x9B, // ›
            '\u{0153}' => 0x9C, // œ
            '\u{017E}' => 0x9E, // ž
            '\u{0178}' => 0x9F, // Ÿ
            _ => REPLACEMENT,
        },
    }
}

/// The precomposed form of `base` followed by the combining mark `mark`, if code page 1252 has
/// it.
fn compose(base: char, mark: char) -> Option<char> {
    if !('\u{300}'..='\u{36F}').contains(&mark) {
        return None;
    }
    COMPOSITIONS
        .iter()
        .find(|&&(b, m, _)| b == base && m == mark)
        .map(|&(_, _, composed)| composed)
}

/// Base letter, combining mark, composed letter: every letter of code page 1252 that Unicode
/// decomposes into two.
const COMPOSITIONS: [(char, char, char); 58] = [
    ('A', '\u{0300}', 'À'),
    ('E', '\u{0300}', 'È'),
    ('I', '\u{0300}', 'Ì'),
    ('O', '\u{0300}', 'Ò'),
    ('U', '\u{0300}', 'Ù'),
    ('a', '\u{0300}', 'à'),
    ('e', '\u{0300}', 'è'),
    ('i', '\u{0300}', 'ì'),
    ('o', '\u{0300}', 'ò'),
    ('u', '\u{0300}', 'ù'),
    ('A', '\u{0301}', 'Á'),
    ('E', '\u{0301}', 'É'),
    ('I', '\u{0301}', 'Í'),
    ('O', '\u{0301}', 'Ó'),
    ('U', '\u{0301}', 'Ú'),
    ('Y', '\u{0301}', 'Ý'),
    ('a', '\u{0301}', 'á'),
    ('e', '\u{0301}', 'é'),
    ('i', '\u{0301}', 'í'),
    ('o', '\u{0301}', 'ó'),
    ('u', '\u{0301}', 'ú'),
    ('y', '\u{0301}', 'ý'),
    ('A', '\u{0302}', 'Â'),
    ('E', '\u{0302}', 'Ê'),
    ('I', '\u{0302}', 'Î'),
    ('O', '\u{0302}', 'Ô'),
    ('U', '\u{0302}', 'Û'),
    ('a', '\u{0302}', 'â'),
    ('e', '\u{0302}', 'ê'),
    ('i', '\u{0302}', 'î'),
    ('o', '\u{0302}', 'ô'),
    ('u', '\u{0302}', 'û'),
    ('A', '\u{0303}', 'Ã'),
    ('N', '\u{0303}', 'Ñ'),
    ('O', '\u{0303}', 'Õ'),
    ('a', '\u{0303}', 'ã'),
    ('n', '\u{0303}', 'ñ'),
    ('o', '\u{0303}', 'õ'),
    ('A', '\u{0308}', 'Ä'),
    ('E', '\u{0308}', 'Ë'),
    ('I', '\u{0308}', 'Ï'),
    ('O', '\u{0308}', 'Ö'),
    ('U', '\u{0308}', 'Ü'),
    ('Y', '\u{0308}', 'Ÿ'),
    ('a', '\u{0308}', 'ä'),
    ('e', '\u{0308}', 'ë'),
    ('i', '\u{0308}', 'ï'),
    ('o', '\u{0308}', 'ö'),
    ('u', '\u{0308}', 'ü'),
    ('y', '\u{0308}', 'ÿ'),
    ('A', '\u{030A}', 'Å'),
    ('a', '\u{030A}', 'å'),
    ('S', '\u{030C}', 'Š'),
    ('Z', '\u{030C}', 'Ž'),
    ('s', '\u{030C}', 'š'),
    ('z', '\u{030C}', 'ž'),
    ('C', '\u{0327}', 'Ç'),
    ('c', '\u{0327}', 'ç'),
];

/// `text` as a PDF text string: UTF-16BE with a byte order mark, written in hexadecimal.
pub(crate) fn utf16_hex(text: &str) -> String {
    let mut out = String::from("<FEFF");
    for unit in text.encode_utf16() {
        out.push_str(&format!("{unit:04X}"));
    }
    out.push('>');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_letters_and_typography() {
        assert_eq!(
            encode("åäöÅÄÖé–…"),
            [0xE5, 0xE4, 0xF6, 0xC5, 0xC4, 0xD6, 0xE9, 0x96, 0x85]
        );
        assert_eq!(encode("€ “x” ‘y’ —"), {
            let mut v = vec![0x80, b' ', 0x93, b'x', 0x94, b' ', 0x91, b'y', 0x92];
            v.extend([b' ', 0x97]);
            v
        });
    }

    #[test]
    fn decomposed_letters_are_composed() {
        assert_eq!(encode("a\u{30A}o\u{308}E\u{301}"), [0xE5, 0xF6, 0xC9]);
        // A mark with no composed form in code page 1252 is replaced.
        assert_eq!(encode("q\u{301}"), b"q?");
    }

    #[test]
    fn outside_code_page_1252_is_a_question_mark() {
        assert_eq!(encode("ł→😀\u{7}\u{80}"), b"?????");
    }

    #[test]
    fn white_space_and_line_breaks() {
        assert_eq!(encode("a\tb\r\nc\rd\ne\u{A0}f\u{202F}g"), {
            let mut v = b"a b\nc\nd\ne".to_vec();
            v.extend([0xA0, b'f', 0xA0, b'g']);
            v
        });
    }

    #[test]
    fn every_code_page_1252_character_round_trips() {
        // The table of 0x80..=0x9F, checked against the code chart in the other direction.
        let chart = "€\u{81}‚ƒ„…†‡ˆ‰Š‹Œ\u{8D}Ž\u{8F}\u{90}‘’“”•–—˜™š›œ\u{9D}žŸ";
        for (i, c) in chart.chars().enumerate() {
            let code = 0x80 + u8::try_from(i).unwrap();
            let expected = if c < '\u{A0}' { b'?' } else { code };
            assert_eq!(win_ansi(c), expected, "{c:?}");
        }
        for code in (0x20..=0x7E).chain(0xA0..=0xFF) {
            assert_eq!(win_ansi(char::from(code)), code);
        }
    }

    #[test]
    fn title_string_is_utf16_with_bom() {
        assert_eq!(utf16_hex("Å€"), "<FEFF00C520AC>");
        assert_eq!(utf16_hex("😀"), "<FEFFD83DDE00>");
        assert_eq!(utf16_hex(""), "<FEFF>");
    }
}
