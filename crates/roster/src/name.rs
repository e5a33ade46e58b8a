//! Personal names: what the CA will accept in a subject's givenName and surname
//! (S/MIME BR 7.1.4.2.2: a person with a single legal name has it as surname).

/// Longest name the CA accepts (X.520 ub-name), in characters.
pub const MAX_NAME: usize = 64;

/// What is wrong with a non-empty name, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameProblem {
    /// More than [`MAX_NAME`] characters; the count.
    TooLong(usize),
    /// A control character or line break; its code point.
    Control(char),
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
    // control character (C0, DEL, C1 = U+0080..U+009F after 0xC2) or a line
    // or paragraph separator (U+2028/9 after 0xE2). Nearly every name has
    // none and needs nothing more; a flagged one is checked by character.
    let mut chars = 0;
    let mut flagged = false;
    for &b in name.as_bytes() {
        chars += usize::from(!matches!(b, 0x80..=0xBF));
        flagged |= b < 0x20 || b == 0x7F || b == 0xC2 || b == 0xE2;
    }
    if flagged {
        if let Some(c) = name
            .chars()
            .find(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
        {
            return Some(NameProblem::Control(c));
        }
    }
    (chars > MAX_NAME).then_some(NameProblem::TooLong(chars))
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

    proptest::proptest! {
        /// The byte scan gives what checking character by character gives,
        /// whatever the text (C0, C1, separators, and characters whose
        /// UTF-8 starts with the bytes it flags).
        #[test]
        fn it_agrees_with_a_check_by_character(name in "[a-zé \\x00-\\x1f\\x7f-\\u{a0}\\u{2000}-\\u{2030}]{0,70}") {
            let by_character = match name.chars().find(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')) {
                Some(c) => Some(NameProblem::Control(c)),
                None => Some(name.chars().count()).filter(|&n| n > MAX_NAME).map(NameProblem::TooLong),
            };
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
