//! Which page a URL opens: the landing page, a lesson step, or the free-play lab.
//!
//! Pure (no web crate), so the rules are tested natively. `?lesson=<id>&step=<n>` opens a
//! lesson (`n` is 1-based); a query with anything else opens the lab (`?scenario=…`, as share
//! links always did); an empty query opens the landing page. A bad lesson id falls back to the
//! landing page and a bad step to the nearest valid one, each with a one-line notice; nothing
//! here panics on any input.

use super::{lesson, Lesson};

/// Longest query looked at for a lesson link, in bytes.
const MAX_QUERY_BYTES: usize = 1024;

/// What a URL opens.
#[derive(Clone, Debug)]
pub enum Route {
    /// The lesson picker beside a live stage.
    Landing { notice: Option<String> },
    /// The full visualizer (the query and fragment are its share link).
    Lab,
    /// A lesson at step `step` (0-based).
    Lesson {
        lesson: Box<Lesson>,
        step: usize,
        notice: Option<String>,
    },
}

/// The value of `key` in a `?a=b&c=d` query (the leading `?` optional).
fn param<'q>(query: &'q str, key: &str) -> Option<&'q str> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter_map(|kv| kv.split_once('=').or(Some((kv, ""))))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// At most 24 characters of untrusted text, for messages.
fn clip(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(24)
        .collect()
}

/// The page for a URL's query and fragment (as `location.search` / `location.hash` give them).
pub fn route(query: &str, fragment: &str) -> Route {
    let q = query.trim_start_matches('?');
    let f = fragment.trim_start_matches('#');
    if q.len() > MAX_QUERY_BYTES {
        return Route::Lab; // the lab's own parser reports oversized links
    }
    let Some(id) = param(q, "lesson") else {
        return if q.is_empty() && f.is_empty() {
            Route::Landing { notice: None }
        } else {
            Route::Lab
        };
    };
    let Some(l) = lesson(id) else {
        return Route::Landing {
            notice: Some(format!(
                "There is no lesson called \"{}\". Pick one below.",
                clip(id)
            )),
        };
    };
    let count = l.steps.len();
    let (step, notice) = match param(q, "step") {
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
    Route::Lesson {
        lesson: Box::new(l),
        step,
        notice,
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
