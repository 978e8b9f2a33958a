//! Lesson routes: `?lesson=<id>&step=<n>` opens step `n` (1-based) of a lesson. A bad lesson id
//! falls back to the landing page and a bad step to the nearest valid one, each with a one-line
//! note; nothing here panics on any input.
//!
//! [`route`] is what the page's router asks: which page a URL opens, with the lesson built.

use crate::lessons::{lesson, Lesson};

use super::query::clip;
use super::{parse, Page};

/// What a URL opens.
#[derive(Clone, Debug)]
pub enum Route {
    /// The lesson picker beside a live stage.
    Landing { notice: Option<String> },
    /// The full visualizer (the query and fragment are its share link).
    Lab,
    /// The teacher's page.
    Teach,
    /// A lesson at step `step` (0-based).
    Lesson {
        lesson: Box<Lesson>,
        step: usize,
        notice: Option<String>,
    },
}

/// The page for a URL's query and fragment (as `location.search` / `location.hash` give them).
/// A lab link's notes are left to the lab, which opens it (see [`super::open_link`]).
pub fn route(query: &str, fragment: &str) -> Route {
    let (link, notes) = parse(query, fragment);
    let notice = (!notes.is_empty()).then(|| notes.join(" "));
    match link.page {
        Page::Lab { .. } => Route::Lab,
        Page::Teach => Route::Teach,
        Page::Landing => Route::Landing { notice },
        Page::Lesson { id, step } => match lesson(&id) {
            Some(l) => Route::Lesson {
                lesson: Box::new(l),
                step,
                notice,
            },
            None => Route::Landing { notice },
        },
    }
}

/// The page of a lesson link: the lesson `id` at step `step` (1-based text), fitted to the
/// lesson, or the landing page when there is no such lesson; a note for each change.
pub(super) fn lesson_page(id: &str, step: Option<&str>, notes: &mut Vec<String>) -> Page {
    let Some(l) = lesson(id) else {
        notes.push(format!(
            "There is no lesson called \"{}\". Pick one below.",
            clip(id)
        ));
        return Page::Landing;
    };
    let count = l.steps.len();
    let (step, note) = match step {
        None | Some("") => (0, None),
        Some(s) => match s.parse::<usize>() {
            Ok(n) if (1..=count).contains(&n) => (n - 1, None),
            Ok(0) => (
                0,
                Some(format!("Steps count from 1; showing step 1 of {count}.")),
            ),
            Ok(_) => past_the_end(count),
            // A number too large for any type is still a number past the last step.
            Err(_) if s.bytes().all(|b| b.is_ascii_digit()) => past_the_end(count),
            Err(_) => (
                0,
                Some(format!(
                    "\"{}\" is not a step number; showing step 1 of {count}.",
                    clip(s)
                )),
            ),
        },
    };
    notes.extend(note);
    Page::Lesson {
        id: l.id.to_string(),
        step,
    }
}

/// The last step of a lesson of `count` steps, with the notice for a step past it.
fn past_the_end(count: usize) -> (usize, Option<String>) {
    (
        count - 1,
        Some(format!(
            "This lesson has {count} steps; showing the last one."
        )),
    )
}

/// The query of a lesson step (`step` 0-based): `?lesson=<id>&step=<step + 1>`.
pub fn lesson_query(id: &str, step: usize) -> String {
    format!("?lesson={id}&step={}", step + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson_step(r: Route) -> (&'static str, usize, bool) {
        match r {
            Route::Lesson {
                lesson,
                step,
                notice,
            } => (lesson.id, step, notice.is_some()),
            other => panic!("expected a lesson, got {other:?}"),
        }
    }

    #[test]
    fn empty_query_is_landing_and_lab_links_stay_lab() {
        assert!(matches!(route("", ""), Route::Landing { notice: None }));
        assert!(matches!(route("?", "#"), Route::Landing { notice: None }));
        assert!(matches!(route("?scenario=bank&mode=cp", ""), Route::Lab));
        assert!(matches!(route("", "#s=1c0-2"), Route::Lab));
        assert!(matches!(route("?mode=warp", ""), Route::Lab));
    }

    #[test]
    fn lesson_links_open_the_named_step() {
        assert_eq!(
            lesson_step(route("?lesson=bank-cp&step=2", "")),
            ("bank-cp", 1, false)
        );
        assert_eq!(lesson_step(route("?lesson=intro", "")), ("intro", 0, false));
        let q = lesson_query("feed-ap", 2);
        assert_eq!(lesson_step(route(&q, "")), ("feed-ap", 2, false));
    }

    #[test]
    fn bad_lesson_links_fall_back_with_a_notice() {
        match route("?lesson=nope", "") {
            Route::Landing { notice: Some(n) } => assert!(n.contains("nope")),
            other => panic!("expected the landing page, got {other:?}"),
        }
        let last = lesson("bank-cp").map(|l| l.steps.len() - 1);
        let (_, step, noted) = lesson_step(route("?lesson=bank-cp&step=999", ""));
        assert_eq!((Some(step), noted), (last, true));
        assert_eq!(lesson_step(route("?lesson=bank-cp&step=0", "")).1, 0);
        assert!(lesson_step(route("?lesson=bank-cp&step=x%22", "")).2);
        let huge = lesson_step(route("?lesson=bank-cp&step=99999999999999999999999", ""));
        assert_eq!((Some(huge.1), huge.2), (last, true));
        // Garbage never panics.
        for q in ["?lesson", "?lesson=&step=", "?&&&=", "?lesson=%00%ff"] {
            let _ = route(q, "#lesson=1");
        }
    }
}
