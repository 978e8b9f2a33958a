//! A glossary term (`app::glossary`): a focusable `<dfn>` whose definition shows on hover and on
//! keyboard focus (CSS only: `.term::after` prints `data-tip`; no inline style, so the page's CSP
//! holds). Screen readers get the definition as the element's description.

use yew::prelude::*;

use crate::app::glossary;

/// The term `id`, shown as `text` (its glossary word when `text` is empty); plain text when the
/// glossary has no such term.
pub fn term(id: &str, text: &str) -> Html {
    let Some(t) = glossary::term(id) else {
        return html! { { text.to_string() } };
    };
    let shown = if text.is_empty() { t.word } else { text };
    html! {
        <dfn class="term" tabindex="0" data-testid={format!("term-{}", t.id)} data-tip={t.definition}
             aria-label={format!("{shown}: {}", t.definition)}>{ shown.to_string() }</dfn>
    }
}
