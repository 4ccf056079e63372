//! Keeps secrets (the token, a Basic password, secret headers) out of every output — in every
//! form a server may echo them back in: bare or inside a header value, JSON-escaped in a body,
//! percent-encoded in a URL or a form.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use std::borrow::Cow;

pub const MASK: &str = "[REDACTED]";

/// RFC 3986 leaves the unreserved characters as they are; some servers encode only the rest.
const KEEP_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Short values would mask innocent text; such secrets are refused at the CLI instead.
const MIN_SECRET: usize = 4;

#[derive(Clone, Debug, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

/// The forms one secret can take in output.
pub fn forms(secret: &str) -> Vec<String> {
    let mut out = vec![secret.to_owned()];
    if let Ok(quoted) = serde_json::to_string(secret) {
        out.push(quoted[1..quoted.len() - 1].to_owned());
    }
    for set in [NON_ALPHANUMERIC, KEEP_UNRESERVED] {
        let upper = utf8_percent_encode(secret, set).to_string();
        out.push(lower_hex(&upper));
        out.push(upper);
    }
    let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    out.push(lower_hex(&form));
    out.push(form);
    out
}

/// `%2F` → `%2f`: both spellings are the same octet.
fn lower_hex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            for h in chars.by_ref().take(2) {
                out.push(h.to_ascii_lowercase());
            }
        }
    }
    out
}

impl Redactor {
    pub fn new(secrets: Vec<String>) -> Self {
        let mut all: Vec<String> = secrets
            .iter()
            .filter(|s| s.len() >= MIN_SECRET)
            .flat_map(|s| forms(s))
            .filter(|s| s.len() >= MIN_SECRET)
            .collect();
        // Longest first: a secret that contains another is masked whole.
        all.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        all.dedup();
        Redactor { secrets: all }
    }

    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if !self.secrets.iter().any(|s| text.contains(s.as_str())) {
            return Cow::Borrowed(text);
        }
        let mut out = text.to_owned();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), MASK);
            }
        }
        Cow::Owned(out)
    }

    /// The value to show for a request or response header.
    pub fn header_value<'a>(&self, name: &str, value: &'a str) -> Cow<'a, str> {
        if is_credential_header(name) {
            let scheme = value.split_whitespace().next().unwrap_or("");
            if value.trim() == scheme {
                return Cow::Borrowed(MASK);
            }
            return Cow::Owned(format!("{scheme} {MASK}"));
        }
        self.redact(value)
    }
}

/// Headers that carry credentials whatever flag gave them.
pub fn is_credential_header(name: &str) -> bool {
    [
        "authorization",
        "proxy-authorization",
        "cookie",
        "x-api-key",
        "api-key",
        "x-auth-token",
    ]
    .iter()
    .any(|h| name.eq_ignore_ascii_case(h))
}

pub use crate::text::neutralise;

/// [`neutralise`] for text that carries scimspec's own styles: SGR sequences (`ESC [ … m`, colour
/// and weight only) are kept, every other control character is made visible.
pub fn neutralise_keeping_styles(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\u{1b}') {
        out.push_str(&neutralise(&rest[..at]));
        let after = &rest[at + 1..];
        let sgr_len = after.strip_prefix('[').and_then(|p| {
            let digits = p
                .char_indices()
                .find(|(_, c)| !(c.is_ascii_digit() || *c == ';'))
                .map(|(i, _)| i)?;
            (p[digits..].starts_with('m')).then_some(digits + 2)
        });
        match sgr_len {
            Some(n) => {
                out.push('\u{1b}');
                out.push_str(&after[..n]);
                rest = &after[n..];
            }
            None => {
                out.push_str("\\u{1b}");
                rest = after;
            }
        }
    }
    out.push_str(&neutralise(rest));
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_is_masked() {
        let r = Redactor::new(vec![r#"p@ss w/rd"\x"#.to_owned()]);
        for shown in [
            r#"p@ss w/rd"\x"#,
            r#"p@ss w/rd\"\\x"#,
            "p%40ss%20w%2Frd%22%5Cx",
            "p%40ss%20w%2frd%22%5cx",
            "p%40ss+w%2Frd%22%5Cx",
        ] {
            let text = format!("before {shown} after");
            assert_eq!(r.redact(&text), format!("before {MASK} after"), "{shown}");
        }
    }

    #[test]
    fn escapes_become_visible() {
        assert_eq!(
            neutralise("a\u{1b}]52;c;x\u{7}b\nc"),
            "a\\u{1b}]52;c;x\\u{7}b\nc"
        );
        assert!(matches!(neutralise("plain"), Cow::Borrowed(_)));
        assert_eq!(
            neutralise_keeping_styles("\u{1b}[1;31mFAIL\u{1b}[0m \u{1b}]0;t\u{7}\u{1b}[2J"),
            "\u{1b}[1;31mFAIL\u{1b}[0m \\u{1b}]0;t\\u{7}\\u{1b}[2J"
        );
    }
}
