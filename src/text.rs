//! Characters that hide or reorder text, and showing them visibly as `⟨U+202E⟩`.
//!
//! A token or a server can put characters in a string that a reader never sees: bidirectional
//! controls that make `\u{202e}gnp.exe` read as `exe.png` (Trojan Source, CVE-2021-42574),
//! zero-width characters, line separators, control characters. Every front end shows strings
//! from tokens and servers through [`reveal`], and the decode and discovery lints name them.
//!
//! What counts as hidden ([`is_hidden_char`]):
//! - control characters (general category Cc) except tab, line feed and carriage return, which
//!   show as whitespace (and the CLI escapes them anyway);
//! - every format character (general category Cf, Unicode 15.1): the bidi marks, embeddings,
//!   overrides and isolates, zero-width space/joiners, word joiner, soft hyphen, BOM, tags, …;
//! - the other Default_Ignorable_Code_Points (Unicode 15.1 `DerivedCoreProperties.txt`): the
//!   combining grapheme joiner, Hangul fillers, Khmer inherent vowels and the reserved ranges,
//!   which render as nothing;
//! - U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR (categories Zl, Zp).
//!
//! Variation selectors (U+180B–U+180D, U+180F, U+FE00–U+FE0F, U+E0100–U+E01EF) are the
//! debatable case: one after a visible character is how emoji and CJK variants are spelled
//! (`❤️` is U+2764 U+FE0F), so revealing them all would garble ordinary names; but a run of
//! them is never a variation sequence and can smuggle bytes behind a single emoji. So a variation
//! selector is hidden only when it does not directly follow a visible character (at the start,
//! or after another selector or a hidden character); [`HiddenScan`] applies that rule.
//!
//! Zero-width joiners inside emoji sequences and Persian ZWNJ are revealed even though they are
//! legitimate there: an inspector shows every code point that changes what is read.
//!
//! The table is kept by hand rather than by a Unicode crate: it is short, and the UI's copy
//! (`ui/src/lib/ui/reveal.ts`) is checked against it by a test that reads this file.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Non-control hidden characters as inclusive ranges, sorted (see the module docs).
const HIDDEN: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),   // SOFT HYPHEN (Cf)
    (0x034F, 0x034F),   // COMBINING GRAPHEME JOINER (default ignorable)
    (0x0600, 0x0605),   // ARABIC NUMBER SIGN .. ARABIC NUMBER MARK ABOVE (Cf)
    (0x061C, 0x061C),   // ARABIC LETTER MARK (Cf, bidi)
    (0x06DD, 0x06DD),   // ARABIC END OF AYAH (Cf)
    (0x070F, 0x070F),   // SYRIAC ABBREVIATION MARK (Cf)
    (0x0890, 0x0891),   // ARABIC POUND / PIASTRE MARK ABOVE (Cf)
    (0x08E2, 0x08E2),   // ARABIC DISPUTED END OF AYAH (Cf)
    (0x115F, 0x1160),   // HANGUL CHOSEONG / JUNGSEONG FILLER (default ignorable)
    (0x17B4, 0x17B5),   // KHMER VOWEL INHERENT AQ / AA (default ignorable)
    (0x180E, 0x180E),   // MONGOLIAN VOWEL SEPARATOR (Cf)
    (0x200B, 0x200F),   // ZERO WIDTH SPACE, ZWNJ, ZWJ, LRM, RLM (Cf)
    (0x2028, 0x2029),   // LINE SEPARATOR, PARAGRAPH SEPARATOR (Zl, Zp)
    (0x202A, 0x202E),   // LRE, RLE, PDF, LRO, RLO (Cf, bidi)
    (0x2060, 0x206F),   // WORD JOINER .. INVISIBLE PLUS, LRI, RLI, FSI, PDI, deprecated (Cf)
    (0x3164, 0x3164),   // HANGUL FILLER (default ignorable)
    (0xFEFF, 0xFEFF),   // ZERO WIDTH NO-BREAK SPACE / BOM (Cf)
    (0xFFA0, 0xFFA0),   // HALFWIDTH HANGUL FILLER (default ignorable)
    (0xFFF0, 0xFFFB),   // reserved (default ignorable), INTERLINEAR ANNOTATION marks (Cf)
    (0x110BD, 0x110BD), // KAITHI NUMBER SIGN (Cf)
    (0x110CD, 0x110CD), // KAITHI NUMBER SIGN ABOVE (Cf)
    (0x13430, 0x1343F), // EGYPTIAN HIEROGLYPH format controls (Cf)
    (0x1BCA0, 0x1BCA3), // SHORTHAND FORMAT controls (Cf)
    (0x1D173, 0x1D17A), // MUSICAL SYMBOL BEGIN BEAM .. END PHRASE (Cf)
    (0xE0000, 0xE00FF), // TAG characters (Cf) and reserved (default ignorable)
    (0xE01F0, 0xE0FFF), // reserved (default ignorable)
];

/// Variation selectors: hidden only out of place (see the module docs).
const VARIATION_SELECTORS: &[(u32, u32)] = &[
    (0x180B, 0x180D),   // MONGOLIAN FREE VARIATION SELECTOR ONE .. THREE
    (0x180F, 0x180F),   // MONGOLIAN FREE VARIATION SELECTOR FOUR
    (0xFE00, 0xFE0F),   // VARIATION SELECTOR-1 .. 16
    (0xE0100, 0xE01EF), // VARIATION SELECTOR-17 .. 256
];

fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let c = u32::from(c);
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Whether `c` hides or reorders text wherever it appears: controls (but tab, LF, CR), format
/// characters, default-ignorables and U+2028/U+2029. Variation selectors are not included; see
/// [`HiddenScan`] for them.
pub fn is_hidden_char(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => false,
        c if c.is_control() => true,
        c => in_table(HIDDEN, c),
    }
}

/// Whether `c` is a variation selector (VS1–VS256 or a Mongolian free variation selector).
pub fn is_variation_selector(c: char) -> bool {
    in_table(VARIATION_SELECTORS, c)
}

/// Classifies the characters of one text in order. Only variation selectors depend on what came
/// before: the first one after a visible character is part of a variation sequence, any other
/// is hidden.
#[derive(Debug, Default, Clone)]
pub struct HiddenScan {
    after_visible: bool,
}

impl HiddenScan {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `c`, the next character of the text, is hidden.
    pub fn is_hidden(&mut self, c: char) -> bool {
        // The common case, and no table to search: of ASCII, only control characters hide.
        if c.is_ascii() {
            let hidden = is_hidden_char(c);
            self.after_visible = !hidden;
            return hidden;
        }
        let selector = is_variation_selector(c);
        let hidden = if selector {
            !self.after_visible
        } else {
            is_hidden_char(c)
        };
        self.after_visible = !hidden && !selector;
        hidden
    }
}

/// The hidden characters of `text`, in order (repeats included).
pub fn hidden_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut scan = HiddenScan::new();
    text.chars().filter(move |&c| scan.is_hidden(c))
}

/// Whether `text` holds any hidden character.
pub fn has_hidden_chars(text: &str) -> bool {
    // Printable ASCII (tab, LF and CR included) hides nothing: one quick pass over the bytes
    // settles most strings, a 2 MB claim among them.
    let plain = |b: &u8| matches!(b, b' '..=b'~' | b'\t' | b'\n' | b'\r');
    if text.as_bytes().iter().all(plain) {
        return false;
    }
    hidden_chars(text).next().is_some()
}

/// How a hidden character is shown: `⟨U+202E⟩`.
pub fn marker(c: char) -> String {
    format!("⟨U+{:04X}⟩", u32::from(c))
}

/// `text` with every hidden character replaced by its [`marker`]; borrowed when there is none.
pub fn reveal(text: &str) -> Cow<'_, str> {
    if !has_hidden_chars(text) {
        return Cow::Borrowed(text);
    }
    let mut scan = HiddenScan::new();
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if scan.is_hidden(c) {
            let _ = write!(out, "⟨U+{:04X}⟩", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The distinct hidden characters of `text` as markers, in order of first appearance, at most
/// `limit` of them followed by "and N more" (e.g. `⟨U+202E⟩ ⟨U+200B⟩`); empty when there is none.
pub fn hidden_summary(text: &str, limit: usize) -> String {
    let mut seen: Vec<char> = Vec::new();
    for c in hidden_chars(text) {
        if !seen.contains(&c) {
            seen.push(c);
        }
    }
    let mut out = seen
        .iter()
        .take(limit)
        .map(|&c| marker(c))
        .collect::<Vec<_>>()
        .join(" ");
    if seen.len() > limit {
        let _ = write!(out, " and {} more", seen.len() - limit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_and_disjoint() {
        for table in [HIDDEN, VARIATION_SELECTORS] {
            for pair in table.windows(2) {
                assert!(pair[0].1 < pair[1].0, "{pair:?}");
            }
            for &(lo, hi) in table {
                assert!(lo <= hi);
            }
        }
        for &(lo, hi) in VARIATION_SELECTORS {
            for c in (lo..=hi).filter_map(char::from_u32) {
                assert!(!is_hidden_char(c), "{c:?}");
            }
        }
    }

    #[test]
    fn bidi_controls_zero_width_and_separators_are_hidden() {
        for c in [
            '\u{202A}',
            '\u{202B}',
            '\u{202C}',
            '\u{202D}',
            '\u{202E}',
            '\u{2066}',
            '\u{2067}',
            '\u{2068}',
            '\u{2069}',
            '\u{200E}',
            '\u{200F}',
            '\u{061C}',
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{2060}',
            '\u{2064}',
            '\u{FEFF}',
            '\u{2028}',
            '\u{2029}',
            '\u{00AD}',
            '\u{180E}',
            '\u{E0001}',
            '\u{E0041}',
            '\u{E007F}',
            '\u{1B}',
            '\u{7}',
            '\u{0}',
            '\u{7F}',
            '\u{85}',
            '\u{9B}',
            '\u{3164}',
        ] {
            assert!(is_hidden_char(c), "{c:?}");
        }
        for c in [
            'a', ' ', '\t', '\n', '\r', 'é', '€', '⟨', '\u{00A0}', '😀', '\u{FE0F}',
        ] {
            assert!(!is_hidden_char(c), "{c:?}");
        }
    }

    #[test]
    fn reveal_marks_each_hidden_character_and_borrows_clean_text() {
        assert_eq!(reveal("\u{202e}gnp.exe"), "⟨U+202E⟩gnp.exe");
        assert_eq!(reveal("a\u{200b}b\u{e0041}"), "a⟨U+200B⟩b⟨U+E0041⟩");
        assert!(matches!(reveal("plain kid"), Cow::Borrowed("plain kid")));
        assert_eq!(reveal("line\nbreak"), "line\nbreak");
    }

    #[test]
    fn one_variation_selector_after_a_visible_character_is_kept_a_run_is_not() {
        assert_eq!(reveal("\u{2764}\u{fe0f}"), "\u{2764}\u{fe0f}");
        assert_eq!(
            reveal("\u{2764}\u{fe0f}\u{fe01}\u{e0100}"),
            "\u{2764}\u{fe0f}⟨U+FE01⟩⟨U+E0100⟩"
        );
        assert_eq!(reveal("\u{fe0f}x"), "⟨U+FE0F⟩x");
        assert_eq!(reveal("a\u{200d}\u{fe0f}"), "a⟨U+200D⟩⟨U+FE0F⟩");
    }

    #[test]
    fn summary_lists_distinct_markers_bounded() {
        assert_eq!(
            hidden_summary("\u{202e}a\u{202e}\u{200b}", 8),
            "⟨U+202E⟩ ⟨U+200B⟩"
        );
        assert_eq!(
            hidden_summary("\u{200b}\u{200c}\u{200d}", 2),
            "⟨U+200B⟩ ⟨U+200C⟩ and 1 more"
        );
        assert_eq!(hidden_summary("clean", 8), "");
    }
}
