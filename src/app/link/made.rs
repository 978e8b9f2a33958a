//! A lesson a teacher made in the sandbox, as a link carries it: `made=<title>~<step>~<step>…`,
//! each step `<tick>.<caption>.<question>` (the question may be empty). Text is percent-encoded
//! (every byte but `A–Z a–z 0–9 - _`), so `~` and `.` only ever separate.
//!
//! The run itself (scenario, dials, the recorded faults and requests) is the rest of the lab
//! link; this part only says where the steps are and what the teacher wrote. Limits are explicit
//! ([`MAX_MADE_STEPS`], [`MAX_TITLE`], [`MAX_CAPTION`], [`MAX_QUESTION`]); a value that breaks
//! them or does not decode is dropped with one sentence for the reader, never a panic.

use crate::sim::types::Tick;

/// Most steps a made lesson has.
pub const MAX_MADE_STEPS: usize = 12;
/// Longest title, caption and question, in characters.
pub const MAX_TITLE: usize = 80;
pub const MAX_CAPTION: usize = 280;
pub const MAX_QUESTION: usize = 140;

/// One step of a made lesson.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MadeStep {
    /// The run is shown paused at this tick.
    pub at: Tick,
    /// What the teacher says here (plain text, shown as text).
    pub caption: String,
    /// A question about the next request the run sends after `at`; its answer is computed.
    pub question: Option<String>,
}

/// A made lesson: a title and its steps, in time order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Made {
    pub title: String,
    pub steps: Vec<MadeStep>,
}

/// Plain text for a made lesson: control characters dropped, surrounding space trimmed, at most
/// `max` characters.
pub fn tidy(text: &str, max: usize) -> String {
    let kept: String = text.chars().filter(|c| !c.is_control()).take(max).collect();
    kept.trim().to_string()
}

impl Made {
    /// Adds a step at `at` (kept in time order; a step at the same tick is replaced). `Err`: the
    /// lesson already has [`MAX_MADE_STEPS`] steps.
    pub fn add(&mut self, at: Tick, caption: &str, question: &str) -> Result<(), String> {
        let step = MadeStep {
            at,
            caption: tidy(caption, MAX_CAPTION),
            question: Some(tidy(question, MAX_QUESTION)).filter(|q| !q.is_empty()),
        };
        if let Some(s) = self.steps.iter_mut().find(|s| s.at == at) {
            *s = step;
            return Ok(());
        }
        if self.steps.len() >= MAX_MADE_STEPS {
            return Err(format!(
                "A lesson has at most {MAX_MADE_STEPS} steps; remove one to add another."
            ));
        }
        let i = self.steps.partition_point(|s| s.at < at);
        self.steps.insert(i, step);
        Ok(())
    }

    /// The value of `made=`.
    pub fn to_value(&self) -> String {
        let mut v = encode(&self.title);
        for s in &self.steps {
            v.push('~');
            v.push_str(&s.at.to_string());
            v.push('.');
            v.push_str(&encode(&s.caption));
            v.push('.');
            v.push_str(&encode(s.question.as_deref().unwrap_or("")));
        }
        v
    }

    /// Reads the value of `made=`; `Err` is the sentence for the reader.
    pub fn parse(v: &str) -> Result<Made, String> {
        let mut parts = v.split('~');
        let title = decode(parts.next().unwrap_or(""))?;
        let mut made = Made {
            title: tidy(&title, MAX_TITLE),
            steps: Vec::new(),
        };
        for part in parts {
            if made.steps.len() == MAX_MADE_STEPS {
                return Err(format!("it has more than {MAX_MADE_STEPS} steps"));
            }
            let mut f = part.splitn(3, '.');
            let at = f.next().and_then(|t| {
                let digits =
                    !t.is_empty() && t.len() <= 12 && t.bytes().all(|b| b.is_ascii_digit());
                digits.then(|| t.parse::<Tick>().ok()).flatten()
            });
            let at = at.ok_or("a step's time is not a whole number")?;
            let caption = decode(f.next().unwrap_or(""))?;
            let question = decode(f.next().unwrap_or(""))?;
            if made.steps.last().is_some_and(|s| s.at >= at) {
                return Err("its steps are not in time order".into());
            }
            made.steps.push(MadeStep {
                at,
                caption: tidy(&caption, MAX_CAPTION),
                question: Some(tidy(&question, MAX_QUESTION)).filter(|q| !q.is_empty()),
            });
        }
        Ok(made)
    }
}

/// Percent-encodes every byte but `A–Z a–z 0–9 - _`.
fn encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
    out
}

/// Decodes `%XX` escapes (and `+` as a space); `Err` for a broken escape or bytes that are not
/// UTF-8.
fn decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                let b = hex.and_then(|h| u8::from_str_radix(h, 16).ok());
                out.push(b.ok_or("its text has a broken %-escape")?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| "its text is not UTF-8".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_with_separators_and_markup_reads_back() {
        let mut m = Made {
            title: "Bank ~ CP. 100% <b>safe</b>?".into(),
            steps: Vec::new(),
        };
        m.add(900, "Cut n3 off.\nWatch ~ Bob", "What does Bob get?")
            .unwrap();
        m.add(300, "Start: élan + 💸", "").unwrap();
        assert_eq!(m.steps[0].at, 300, "kept in time order");
        assert_eq!(
            m.steps[1].caption, "Cut n3 off.Watch ~ Bob",
            "control characters dropped"
        );
        let v = m.to_value();
        assert!(
            v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_%~.".contains(&b)),
            "{v}"
        );
        assert_eq!(Made::parse(&v), Ok(m));
    }

    #[test]
    fn a_bad_value_is_a_sentence_not_a_panic() {
        for bad in ["x~12.a%4", "x~abc.a.b", "x~5.a.b~5.c.d", "x~1.%FF%FE.", "~"] {
            assert!(Made::parse(bad).is_err(), "{bad}");
        }
        let many: String = (0..=MAX_MADE_STEPS).map(|i| format!("~{i}.c.")).collect();
        assert!(Made::parse(&many).unwrap_err().contains("more than"));
        let mut m = Made::default();
        for i in 0..MAX_MADE_STEPS as u64 {
            m.add(i, "c", "").unwrap();
        }
        assert!(m.add(99, "c", "").is_err());
        m.add(3, "replaced", "q").unwrap();
        assert_eq!(m.steps[3].caption, "replaced");
    }
}
