//! Untrusted text inside messages: one line, no control characters, bounded length.
//!
//! Every error that quotes something a user typed or a file held (a key, a name, a path, a
//! number that did not parse) passes it through [`quote`] (or [`clip_escaped`] with its own
//! bound), so a message is always one line of printable text, however hostile the input.

/// Most characters of an untrusted string a message quotes (then `…`).
pub const MAX_QUOTED_CHARS: usize = 80;
/// Most characters of a whole one-line message (a last guard for text built from several parts).
pub const MAX_MESSAGE_CHARS: usize = 400;

/// Whether `c` must not reach a terminal or a one-line message raw: control characters (C0,
/// DEL, C1), line and paragraph separators, and the bidirectional overrides that can make text
/// read differently from what it is.
fn must_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}')
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

fn escape(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => out.extend(c.escape_unicode()),
    }
}

/// `s` with every control character escaped (`\n`, `\t`, `\u{1b}`, …) and clipped to at most
/// `max` characters of output, then `…` when something was cut. Never more than `max + 1`
/// characters, never a line break.
pub fn clip_escaped(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut piece = String::new();
    for c in s.chars() {
        piece.clear();
        if must_escape(c) {
            escape(c, &mut piece);
        } else {
            piece.push(c);
        }
        let len = piece.chars().count();
        if count + len > max {
            out.push('…');
            return out;
        }
        out.push_str(&piece);
        count += len;
    }
    out
}

/// An untrusted string as a message may quote it: escaped, at most [`MAX_QUOTED_CHARS`].
pub fn quote(s: &str) -> String {
    clip_escaped(s, MAX_QUOTED_CHARS)
}

/// A whole message made safe to print as one line (escaped, at most [`MAX_MESSAGE_CHARS`]).
pub fn one_line(message: &str) -> String {
    clip_escaped(message, MAX_MESSAGE_CHARS)
}

/// A JSON parse error as one safe line: serde's text (which quotes unknown keys and bad strings
/// raw) clipped and escaped, with its line and column kept.
pub fn json_error(e: &serde_json::Error) -> String {
    let full = e.to_string();
    if e.line() == 0 {
        return clip_escaped(&full, 2 * MAX_QUOTED_CHARS);
    }
    let place = format!(" at line {} column {}", e.line(), e.column());
    let what = full.strip_suffix(&place).unwrap_or(&full);
    format!("{}{place}", clip_escaped(what, 2 * MAX_QUOTED_CHARS))
}

/// True when `s` is safe to print as one line: no character [`clip_escaped`] would escape.
pub fn is_one_clean_line(s: &str) -> bool {
    !s.chars().any(must_escape)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_long_text_clipped() {
        assert_eq!(quote("a\nb\u{1b}[31m"), "a\\nb\\u{1b}[31m");
        assert_eq!(quote("plain"), "plain");
        let long = quote(&"x".repeat(200_000));
        assert_eq!(long.chars().count(), MAX_QUOTED_CHARS + 1);
        assert!(long.ends_with('…'));
        let escapes = quote(&"\u{7}".repeat(100));
        assert!(escapes.chars().count() <= MAX_QUOTED_CHARS + 1);
        assert!(is_one_clean_line(&escapes) && !is_one_clean_line("a\u{202e}b"));
    }

    #[test]
    fn json_errors_keep_their_place_but_not_raw_keys() {
        // An unknown key: serde quotes it raw (a newline, an escape, 5000 characters).
        let text = format!("{{\"version\": 1, \"k\\n{}\\u001b\": 1}}", "y".repeat(5000));
        let e = serde_json::from_str::<crate::sim::scenario::Scenario>(&text).unwrap_err();
        assert!(e.to_string().contains('\n'), "serde quotes the key raw");
        let m = json_error(&e);
        assert!(m.contains("line 1 column"), "{m}");
        assert!(is_one_clean_line(&m) && m.len() < 500, "{m}");
    }
}
