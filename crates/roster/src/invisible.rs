//! Characters that cannot be seen or that reorder the text around them:
//! zero-width characters, bidirectional controls, fillers and the
//! byte-order mark. In a name they hide what the certificate will say
//! (`U+202E` shows "Jane\u{202E}eoD" as "JaneDoe" reversed); in a domain
//! the IDNA mapping drops some of them silently, so the address as written
//! would differ from the one checked.
//!
//! Each has its Unicode name, for messages that say which one and where.

/// The Unicode name of `c` if it is invisible or reorders text, e.g.
/// `"RIGHT-TO-LEFT OVERRIDE"` for U+202E; `None` for any other character.
///
/// ```
/// use smime_bulk_roster::invisible::name_of;
/// assert_eq!(name_of('\u{202E}'), Some("RIGHT-TO-LEFT OVERRIDE"));
/// assert_eq!(name_of('\u{FEFF}'), Some("ZERO WIDTH NO-BREAK SPACE (byte-order mark)"));
/// assert_eq!(name_of('é'), None);
/// ```
pub fn name_of(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{00AD}' => "SOFT HYPHEN",
        '\u{034F}' => "COMBINING GRAPHEME JOINER",
        '\u{061C}' => "ARABIC LETTER MARK",
        '\u{115F}' => "HANGUL CHOSEONG FILLER",
        '\u{1160}' => "HANGUL JUNGSEONG FILLER",
        '\u{17B4}' => "KHMER VOWEL INHERENT AQ",
        '\u{17B5}' => "KHMER VOWEL INHERENT AA",
        '\u{180E}' => "MONGOLIAN VOWEL SEPARATOR",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2060}' => "WORD JOINER",
        '\u{2061}' => "FUNCTION APPLICATION",
        '\u{2062}' => "INVISIBLE TIMES",
        '\u{2063}' => "INVISIBLE SEPARATOR",
        '\u{2064}' => "INVISIBLE PLUS",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{206A}' => "INHIBIT SYMMETRIC SWAPPING",
        '\u{206B}' => "ACTIVATE SYMMETRIC SWAPPING",
        '\u{206C}' => "INHIBIT ARABIC FORM SHAPING",
        '\u{206D}' => "ACTIVATE ARABIC FORM SHAPING",
        '\u{206E}' => "NATIONAL DIGIT SHAPES",
        '\u{206F}' => "NOMINAL DIGIT SHAPES",
        '\u{3164}' => "HANGUL FILLER",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE (byte-order mark)",
        '\u{FFA0}' => "HALFWIDTH HANGUL FILLER",
        '\u{FFF9}' => "INTERLINEAR ANNOTATION ANCHOR",
        '\u{FFFA}' => "INTERLINEAR ANNOTATION SEPARATOR",
        '\u{FFFB}' => "INTERLINEAR ANNOTATION TERMINATOR",
        '\u{E0001}' | '\u{E0020}'..='\u{E007F}' => "TAG CHARACTER",
        _ => return None,
    })
}

/// Whether `c` is one of the characters [`name_of`] names.
pub fn is_invisible(c: char) -> bool {
    name_of(c).is_some()
}

/// `c` for a message: `U+202E RIGHT-TO-LEFT OVERRIDE` for an invisible one,
/// else `None`.
pub fn describe(c: char) -> Option<String> {
    name_of(c).map(|name| format!("U+{:04X} {name}", u32::from(c)))
}

/// The first invisible character of `text` and its 1-based position in
/// characters.
pub fn find(text: &str) -> Option<(usize, char)> {
    text.chars()
        .enumerate()
        .find(|&(_, c)| is_invisible(c))
        .map(|(i, c)| (i + 1, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_character_is_invisible_or_reorders_text() {
        // None is ASCII or white space; the only letters among them are
        // the Hangul fillers, which draw nothing.
        let fillers = ['\u{115F}', '\u{1160}', '\u{3164}', '\u{FFA0}'];
        for c in (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| is_invisible(c))
        {
            assert!(!c.is_ascii() && !c.is_whitespace(), "U+{:04X}", u32::from(c));
            assert_eq!(c.is_alphanumeric(), fillers.contains(&c), "U+{:04X}", u32::from(c));
        }
        assert_eq!(describe('\u{200B}').as_deref(), Some("U+200B ZERO WIDTH SPACE"));
        assert_eq!(find("Ja\u{202E}ne"), Some((3, '\u{202E}')));
        assert_eq!(find("Zoë"), None);
    }
}
