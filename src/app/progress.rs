//! The lessons a reader finished (reached the last step of), as the browser keeps them: in its
//! local storage under [`STORAGE_KEY`], the lessons' ids separated by commas. Nothing is sent
//! anywhere; without storage the landing page simply marks nothing.

use crate::lessons::{catalog, lesson};

/// The local-storage key.
pub const STORAGE_KEY: &str = "caplab-finished";

/// The finished lessons in `stored`, in reading order; unknown ids are ignored.
pub fn finished(stored: &str) -> Vec<&'static str> {
    let ids: Vec<&str> = stored.split(',').map(str::trim).collect();
    catalog()
        .into_iter()
        .map(|l| l.id)
        .filter(|id| ids.contains(id))
        .collect()
}

/// `stored` with lesson `id` added (kept in reading order; an unknown id changes nothing).
pub fn with(stored: &str, id: &str) -> String {
    let mut ids = finished(stored);
    if let Some(l) = lesson(id) {
        if !ids.contains(&l.id) {
            ids.push(l.id);
        }
    }
    let ids = finished(&ids.join(","));
    ids.join(",")
}

#[cfg(test)]
mod tests {
    use super::{finished, with};

    #[test]
    fn finished_lessons_are_known_ids_in_reading_order() {
        assert_eq!(finished(""), Vec::<&str>::new());
        assert_eq!(finished("bank-cp, nope,intro"), vec!["intro", "bank-cp"]);
        assert_eq!(with("bank-cp", "intro"), "intro,bank-cp");
        assert_eq!(with("intro,bank-cp", "intro"), "intro,bank-cp");
        assert_eq!(with("x", "nope"), "");
    }
}
