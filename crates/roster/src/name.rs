//! Personal names: what the CA will accept in a subject's givenName and surname
//! (S/MIME BR 7.1.4.2.2: a person with a single legal name has it as surname).
//!
//! Refused: control characters and line breaks; characters that cannot be
//! seen or that reorder the text (see [`crate::invisible`]), since the name
//! shown would not be the name certified — except a ZERO WIDTH (NON-)JOINER
//! inside a word of a non-Latin script, where Persian, Indic and other
//! scripts need it; `<` and `>`, which mail programs that show the certificate's
//! subject could take for HTML markup; and U+FFFD, the replacement character
//! a broken encoding leaves.

use crate::invisible;

/// Longest name the CA accepts (X.520 ub-name), in characters.
pub const MAX_NAME: usize = 64;

/// What is wrong with a non-empty name, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameProblem {
    /// More than [`MAX_NAME`] characters; the count.
    TooLong(usize),
    /// A control character or line break; its code point.
    Control(char),
    /// A character that cannot be seen or reorders the text, and its
    /// 1-based position in characters.
    Invisible(char, usize),
    /// `<` or `>`, read as HTML markup by some mail programs.
    Markup(char),
    /// U+FFFD REPLACEMENT CHARACTER: what a broken encoding leaves.
    Replacement,
}

/// Checks a trimmed, non-empty name.
///
/// ```
/// use smime_bulk_roster::name::{check, NameProblem};
/// assert_eq!(check("Zoë O'Brien-Núñez"), None);
/// assert_eq!(check("Jane\nDoe"), Some(NameProblem::Control('\n')));
/// ```
pub fn check(name: &str) -> Option<NameProblem> {
    // One pass over the bytes: count the characters (every byte but a UTF-8
    // continuation byte starts one) and flag any byte that may start a
    // character refused: C0 and DEL, `<` and `>`, and the lead bytes of C1
    // and U+00AD (0xC2), U+034F (0xCD), U+061C (0xD8), U+115F..U+180E
    // (0xE1), U+2028/9 and U+200B..U+206F (0xE2), U+3164 (0xE3),
    // U+FEFF..U+FFFD (0xEF) and the tags (0xF3). Nearly every name has none
    // and needs nothing more; a flagged one is checked by character.
    let mut chars = 0;
    let mut flagged = false;
    for &b in name.as_bytes() {
        chars += usize::from(!matches!(b, 0x80..=0xBF));
        flagged |= FLAGGED[usize::from(b)];
    }
    if flagged {
        if let Some(problem) = check_by_character(name) {
            return Some(problem);
        }
    }
    (chars > MAX_NAME).then_some(NameProblem::TooLong(chars))
}

/// The bytes [`check`] looks closer at.
static FLAGGED: [bool; 256] = {
    let mut flagged = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        flagged[b] = true;
        b += 1;
    }
    let lead = [0x7F, b'<', b'>', 0xC2, 0xCD, 0xD8, 0xE1, 0xE2, 0xE3, 0xEF, 0xF3];
    let mut i = 0;
    while i < lead.len() {
        flagged[lead[i] as usize] = true;
        i += 1;
    }
    flagged
};

/// The first refused character of `name`, character by character.
fn check_by_character(name: &str) -> Option<NameProblem> {
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            return Some(NameProblem::Control(c));
        }
        if matches!(c, '<' | '>') {
            return Some(NameProblem::Markup(c));
        }
        if c == '\u{FFFD}' {
            return Some(NameProblem::Replacement);
        }
        if invisible::is_invisible(c) && !joins_letters(&chars, i) {
            return Some(NameProblem::Invisible(c, i + 1));
        }
    }
    None
}

/// Whether `chars[i]` is a ZERO WIDTH (NON-)JOINER inside a word of a
/// non-Latin script: between two non-ASCII characters, neither of them
/// white space, a control or invisible (a letter, or a mark such
/// as a Devanagari virama).
fn joins_letters(chars: &[char], i: usize) -> bool {
    let letter = |at: Option<usize>| {
        at.and_then(|at| chars.get(at))
            .is_some_and(|&c| !c.is_ascii() && !c.is_whitespace() && !c.is_control() && !invisible::is_invisible(c))
    };
    matches!(chars[i], '\u{200C}' | '\u{200D}') && letter(i.checked_sub(1)) && letter(Some(i + 1))
}

/// A readable name for a control character, for messages.
pub fn describe_control(c: char) -> String {
    match c {
        '\n' | '\r' | '\u{2028}' | '\u{2029}' => "a line break".into(),
        '\t' => "a tab".into(),
        c => format!("the control character U+{:04X}", c as u32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixty_four_characters_fit_sixty_five_do_not() {
        assert_eq!(check(&"é".repeat(64)), None);
        assert_eq!(check(&"é".repeat(65)), Some(NameProblem::TooLong(65)));
    }

    #[test]
    fn invisible_and_reordering_characters_are_refused_with_their_place() {
        assert_eq!(check("Jane\u{202E}eoD"), Some(NameProblem::Invisible('\u{202E}', 5)));
        assert_eq!(check("\u{200B}Jane"), Some(NameProblem::Invisible('\u{200B}', 1)));
        assert_eq!(check("Ja\u{FEFF}ne"), Some(NameProblem::Invisible('\u{FEFF}', 3)));
        assert_eq!(check("Jo\u{00AD}hn"), Some(NameProblem::Invisible('\u{00AD}', 3)));
        assert_eq!(check("\u{3164}"), Some(NameProblem::Invisible('\u{3164}', 1)));
        // A joiner at the edge or between Latin letters hides nothing a
        // script needs.
        assert_eq!(check("Ja\u{200D}ne"), Some(NameProblem::Invisible('\u{200D}', 3)));
        assert_eq!(check("\u{0645}\u{200C}"), Some(NameProblem::Invisible('\u{200C}', 2)));
    }

    #[test]
    fn a_joiner_inside_a_persian_or_indic_word_is_kept() {
        // "می‌خواهم"-style Persian and a Devanagari conjunct with ZWJ.
        assert_eq!(check("\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}"), None);
        assert_eq!(check("\u{0915}\u{094D}\u{200D}\u{0937}"), None);
    }

    #[test]
    fn markup_and_replacement_characters_are_refused() {
        assert_eq!(check("<b>Jane</b>"), Some(NameProblem::Markup('<')));
        assert_eq!(check("Jane>"), Some(NameProblem::Markup('>')));
        assert_eq!(check("J\u{FFFD}rgen"), Some(NameProblem::Replacement));
        assert_eq!(check("Zoë O'Brien-Núñez & Co"), None);
    }

    proptest::proptest! {
        /// The byte scan gives what checking character by character gives,
        /// whatever the text (C0, C1, separators, and characters whose
        /// UTF-8 starts with the bytes it flags).
        #[test]
        fn it_agrees_with_a_check_by_character(name in "[a-zé<> \\x00-\\x1f\\x7f-\\u{b0}\\u{300}-\\u{350}\\u{600}-\\u{650}\\u{1100}-\\u{1200}\\u{17b0}-\\u{1810}\\u{2000}-\\u{2070}\\u{3160}-\\u{3170}\\u{fe00}-\\u{ffff}\\u{e0000}-\\u{e0080}]{0,70}") {
            let by_character = check_by_character(&name)
                .or_else(|| Some(name.chars().count()).filter(|&n| n > MAX_NAME).map(NameProblem::TooLong));
            proptest::prop_assert_eq!(check(&name), by_character);
        }
    }

    #[test]
    fn control_characters_are_refused() {
        for c in ['\u{0}', '\u{7}', '\t', '\r', '\u{85}', '\u{2028}'] {
            assert!(
                matches!(check(&format!("Ja{c}ne")), Some(NameProblem::Control(_))),
                "{c:?}"
            );
        }
    }
}
