//! Reads a list of addresses as people paste them: separated by commas,
//! semicolons, white space or lines, or copied from a mail client's To field
//! (`"Doe, Jane" <jane@example.com>; Bob <bob@example.org>`). The display name
//! is kept as a name hint.

/// One address found in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    /// 1-based line on which the address starts.
    pub line: u32,
    /// The address as written (without angle brackets).
    pub address: String,
    /// The display name written beside it, if any.
    pub name_hint: Option<String>,
}

/// Splits `text` into entries.
///
/// ```
/// use smime_bulk_roster::email_list::entries;
/// let e = entries("\"Doe, Jane\" <jane@example.com>; Bob <bob@example.org>\ncarol@example.net x@example.net");
/// let got: Vec<_> = e.iter().map(|e| (e.line, e.address.as_str(), e.name_hint.as_deref())).collect();
/// assert_eq!(got, vec![
///     (1, "jane@example.com", Some("Doe, Jane")),
///     (1, "bob@example.org", Some("Bob")),
///     (2, "carol@example.net", None),
///     (2, "x@example.net", None),
/// ]);
/// ```
pub fn entries(text: &str) -> Vec<ListEntry> {
    let mut out = Vec::new();
    let pieces = chunks(text);
    let mut i = 0;
    while i < pieces.len() {
        let (line, chunk) = pieces[i];
        // Outlook writes `Doe, Jane <jane@example.com>`: a piece without "@"
        // followed on the same line by a `Name <addr>` piece is part of that name.
        if let Some(&(next_line, next)) = pieces.get(i + 1) {
            let next_named = next
                .trim()
                .rfind('<')
                .is_some_and(|open| !next.trim()[..open].contains('@'));
            if next_line == line
                && !chunk.trim().is_empty()
                && !chunk.contains('@')
                && next_named
                && !chunk.contains('<')
            {
                let joined = format!("{}, {}", chunk.trim(), next.trim());
                push_chunk(&mut out, line, &joined);
                i += 2;
                continue;
            }
        }
        push_chunk(&mut out, line, chunk);
        i += 1;
    }
    out
}

/// Splits on `,` `;` and line breaks that are outside quotes and angle brackets,
/// giving each piece with the line it starts on.
fn chunks(text: &str) -> Vec<(u32, &str)> {
    let mut out = Vec::new();
    let mut line = 1u32;
    let mut start = 0usize;
    let mut start_line = 1u32;
    let mut in_quotes = false;
    let mut in_angle = false;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let breaks_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
        let separates = match b {
            b'"' => {
                in_quotes = !in_quotes;
                false
            }
            b'<' if !in_quotes => {
                in_angle = true;
                false
            }
            b'>' if !in_quotes => {
                in_angle = false;
                false
            }
            b',' | b';' => !in_quotes && !in_angle,
            b'\n' | b'\r' => {
                // A line break always ends an entry: an unbalanced quote must
                // not swallow the rest of the list.
                in_quotes = false;
                in_angle = false;
                true
            }
            _ => false,
        };
        if separates {
            out.push((start_line, &text[start..i]));
            start = i + 1;
            start_line = if breaks_line { line + 1 } else { line };
        }
        if breaks_line {
            line += 1;
        }
    }
    out.push((start_line, &text[start..]));
    out
}

/// Adds the addresses of one piece: `Name <addr>`, or one or more bare words
/// of which those with `@` are addresses and the others a name hint.
fn push_chunk(out: &mut Vec<ListEntry>, line: u32, chunk: &str) {
    let chunk = chunk.trim();
    if chunk.is_empty() {
        return;
    }
    if let (Some(open), Some(close)) = (chunk.rfind('<'), chunk.rfind('>')) {
        if open < close {
            let address = chunk[open + 1..close].trim().to_owned();
            let name = clean_name(&chunk[..open]);
            out.push(ListEntry {
                line,
                address,
                name_hint: name,
            });
            return;
        }
    }
    let words: Vec<&str> = chunk.split_whitespace().collect();
    let with_at = words.iter().filter(|w| w.contains('@')).count();
    if with_at == 1 && words.len() > 1 {
        let address = words
            .iter()
            .find(|w| w.contains('@'))
            .map(|w| w.trim_matches('"').to_owned());
        let name: Vec<&str> = words.iter().copied().filter(|w| !w.contains('@')).collect();
        out.push(ListEntry {
            line,
            address: address.unwrap_or_default(),
            name_hint: clean_name(&name.join(" ")),
        });
        return;
    }
    for word in words {
        out.push(ListEntry {
            line,
            address: word.trim_matches('"').to_owned(),
            name_hint: None,
        });
    }
}

fn clean_name(raw: &str) -> Option<String> {
    let name = raw.trim().trim_matches('"').trim().replace("\\\"", "\"");
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addrs(text: &str) -> Vec<String> {
        entries(text).into_iter().map(|e| e.address).collect()
    }

    #[test]
    fn separators_commas_semicolons_space_and_lines() {
        assert_eq!(
            addrs("a@x.com, b@x.com;c@x.com d@x.com\r\ne@x.com\n\n"),
            ["a@x.com", "b@x.com", "c@x.com", "d@x.com", "e@x.com"]
        );
    }

    #[test]
    fn outlook_style_lists_keep_the_display_name() {
        let e = entries("Doe, Jane <jane@example.com>; 'Bob Smith' <bob@example.org>");
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].name_hint.as_deref(), Some("Doe, Jane"));
        assert_eq!(e[1].name_hint.as_deref(), Some("'Bob Smith'"));
        let e = entries("\"Müller, Jörg\" <joerg@example.de>");
        assert_eq!(e[0].name_hint.as_deref(), Some("Müller, Jörg"));
        assert_eq!(e[0].address, "joerg@example.de");
    }

    #[test]
    fn a_name_then_an_address_without_brackets() {
        let e = entries("Jane Doe jane@example.com");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].name_hint.as_deref(), Some("Jane Doe"));
    }

    #[test]
    fn lines_are_counted() {
        let e = entries("a@x.com\n\nb@x.com,\n c@x.com");
        assert_eq!(e.iter().map(|e| e.line).collect::<Vec<_>>(), [1, 3, 4]);
    }
}
