//! The page's address, as the browser has it (the model writes it back through
//! `Effect::ReplaceUrl`).

/// The page's query and fragment, as the browser has them.
pub fn read() -> (String, String) {
    let loc = web_sys::window().map(|w| w.location());
    let search = loc
        .as_ref()
        .and_then(|l| l.search().ok())
        .unwrap_or_default();
    let hash = loc.as_ref().and_then(|l| l.hash().ok()).unwrap_or_default();
    (search, hash)
}
