//! The page's glossary: each term a reader meets on the cards and the setup bar, with one
//! plain sentence. The views show a term as a focusable element whose definition appears on
//! hover and on keyboard focus.

use crate::sim::types::{Conflict, Mode};

/// A term and its one-sentence definition.
pub struct Term {
    /// A short id, used in test ids: `term-<id>`.
    pub id: &'static str,
    /// The word as shown.
    pub word: &'static str,
    pub definition: &'static str,
}

/// Every term, in the order a reader meets them.
pub const TERMS: &[Term] = &[
    Term {
        id: "linearizable",
        word: "linearizable",
        definition: "Every answer fits one single copy of the data, changed one request at a time, in real-time order.",
    },
    Term {
        id: "stale",
        word: "stale reads",
        definition: "Reads that missed an update confirmed before they began, even if the value shown is the same.",
    },
    Term {
        id: "converged",
        word: "converged",
        definition: "No fault in place, and every running copy holds the same data.",
    },
    Term {
        id: "quorum",
        word: "quorum",
        definition: "How many replicas must answer for a request to count: R for reads, W for writes, of N.",
    },
    Term {
        id: "lww",
        word: "LWW",
        definition: "Last writer wins: of two conflicting versions, the one with the later timestamp is kept.",
    },
    Term {
        id: "vclock",
        word: "vector clock",
        definition: "A counter per replica kept with each version: it tells whether one version followed another or both were made apart.",
    },
    Term {
        id: "crdt",
        word: "CRDT",
        definition: "A data type whose copies, changed apart, always merge without losing a change (likes add up).",
    },
    Term {
        id: "hint",
        word: "hint",
        definition: "A write a live node keeps for an unreachable replica, handed over when it is back.",
    },
    Term {
        id: "read-repair",
        word: "read repair",
        definition: "A read that finds an older version on a replica sends it the newer one.",
    },
];

/// The terms the setup bar explains for a run in `mode` (`side`: CP and AP side by side) with
/// `conflict` (which applies to AP): the conflict rule, and the mechanisms the mode uses
/// (AP: hints and read repair; quorum: quorums and read repair).
pub fn setup_terms(mode: Mode, conflict: Conflict, side: bool) -> Vec<&'static str> {
    let mut out = Vec::new();
    if mode == Mode::Ap || side {
        out.push(match conflict {
            Conflict::Lww => "lww",
            Conflict::Vclock => "vclock",
            Conflict::Crdt => "crdt",
        });
        out.extend(["hint", "read-repair"]);
    } else if mode == Mode::Quorum {
        out.extend(["quorum", "read-repair"]);
    }
    out
}

/// The term with this id.
pub fn term(id: &str) -> Option<&'static Term> {
    TERMS.iter().find(|t| t.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_term_is_one_sentence_and_unique() {
        for (i, t) in TERMS.iter().enumerate() {
            assert!(t.definition.ends_with('.'), "{}", t.id);
            assert_eq!(
                t.definition.matches(". ").count(),
                0,
                "one sentence: {}",
                t.id
            );
            assert!(TERMS[..i].iter().all(|o| o.id != t.id), "{}", t.id);
        }
        assert_eq!(term("lww").map(|t| t.word), Some("LWW"));
        assert!(term("nope").is_none());
        assert_eq!(
            setup_terms(Mode::Cp, Conflict::Lww, false),
            Vec::<&str>::new()
        );
        assert_eq!(
            setup_terms(Mode::Quorum, Conflict::Lww, false),
            ["quorum", "read-repair"]
        );
        let ap = setup_terms(Mode::Ap, Conflict::Crdt, false);
        assert_eq!(ap, ["crdt", "hint", "read-repair"]);
        assert!(ap.iter().all(|id| term(id).is_some()));
    }
}
