//! Small text utilities shared by the stages: "did you mean" suggestions, server-given text made
//! safe for a terminal, and values made safe as one URL path segment.

use std::borrow::Cow;

/// The closest known word, when it is close enough to be a likely typo.
pub fn did_you_mean<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| {
            (
                edit_distance(&word.to_ascii_lowercase(), &k.to_ascii_lowercase()),
                *k,
            )
        })
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Control and escape characters from a server, made visible instead of acted on by a terminal:
/// C0 and C1 controls (but newline and tab), DEL and the bidirectional overrides become `\u{…}`.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    fn bad(c: char) -> bool {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !text.chars().any(bad) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if bad(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Why a value from a server cannot be one path segment.
pub fn unsafe_segment(value: &str) -> Option<&'static str> {
    if value.is_empty() {
        Some("it is empty")
    } else if value == "." || value == ".." {
        Some("it is a dot segment")
    } else if value.contains('/') || value.contains('\\') {
        Some("it contains a slash")
    } else if value.contains('#') {
        Some("it contains `#`")
    } else if value.chars().any(char::is_control) {
        Some("it contains control characters")
    } else {
        None
    }
}

/// Characters percent-encoded in a path segment: everything but RFC 3986 unreserved characters
/// and the sub-delimiters SCIM ids commonly use.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// A server-given value as one percent-encoded path segment, or why it cannot be one.
pub fn segment(value: &str) -> Result<String, String> {
    if let Some(why) = unsafe_segment(value) {
        return Err(format!(
            "`{}` cannot be one path segment ({why})",
            neutralise(value)
        ));
    }
    Ok(percent_encoding::utf8_percent_encode(value, SEGMENT).to_string())
}
