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
    if let Some(c) = name.chars().find(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')) {
        return Some(NameProblem::Control(c));
    }
    let len = name.chars().count();
    (len > MAX_NAME).then_some(NameProblem::TooLong(len))
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
    fn control_characters_are_refused() {
        for c in ['\u{0}', '\u{7}', '\t', '\r', '\u{85}', '\u{2028}'] {
            assert!(matches!(check(&format!("Ja{c}ne")), Some(NameProblem::Control(_))), "{c:?}");
        }
    }
}
