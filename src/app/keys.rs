//! Keyboard and clicker shortcuts: which key does what, where. Plain Rust, tested natively; the
//! page only reads the key and the element it was pressed on, and does what is decided here.
//!
//! Most keys press the page's own buttons (by `data-testid`), so a key does exactly what the
//! button does. In an embed (`embed=1`) only the arrow keys act: a reader of a blog post who
//! clicked inside the frame must still scroll the post with Space and PageDown. Live-demo keys
//! (partition, heal, crash, a client's request) act on the stage a teacher is showing.

use super::update::Msg;
use crate::sim::reader;
use crate::sim::types::Case;

/// Every shortcut: keys as shown, and what they do (the overlay's table).
pub const SHORTCUTS: [(&str, &str); 13] = [
    ("→  PageDown  Space", "next step (lesson) · play / pause"),
    ("←  PageUp", "previous step (lesson) · step back"),
    ("←  →  Home  End", "on a run's tab: show another run"),
    (".", "step one event"),
    (",", "step back one event"),
    ("X", "cut the last node off (partition)"),
    ("H", "heal every link"),
    ("C", "crash the last node · recover it"),
    ("1 … 9", "client 1 … 9 sends a request"),
    ("P", "presenter mode on / off"),
    ("F", "full screen on / off"),
    ("?", "this list of shortcuts"),
    ("Esc", "close this list, a node's menu, the inspector"),
];

/// Forward: a lesson's Next, a made lesson's Next, else play / pause.
const NEXT: &[&str] = &["next", "made-next", "play", "pause"];
/// Back: a lesson's or a made lesson's previous step, else a step back.
const PREV: &[&str] = &["prev", "made-back", "step-back"];

/// Where a key was pressed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeyCtx {
    /// The page is embedded (`embed=1`).
    pub embed: bool,
    /// Focus is in a text field or a select: keys are typed there.
    pub in_field: bool,
    /// Focus is on a button or a link: Space activates it.
    pub on_control: bool,
    /// Ctrl, Cmd or Alt is held: the browser's shortcut, not ours.
    pub modified: bool,
    /// Focus is on tab `i` of `n` in a tab list (a lesson's runs): the arrow keys move
    /// between the tabs there, as in any tab list, not between the steps.
    pub tab: Option<(usize, usize)>,
    /// The first run's nodes and clients, and its case (for the live-demo keys).
    pub nodes: u8,
    pub clients: u8,
    pub case: Option<Case>,
}

/// What a key asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyAct {
    /// Press the first of these buttons that is on the page.
    Press(&'static [&'static str]),
    /// Select tab `i` of the focused tab list and move the focus to it.
    Tab(usize),
    TogglePresent,
    ToggleHelp,
    CloseHelp,
    Fullscreen,
    /// A message for the page's model.
    Send(Msg),
}

/// What `key` (as `KeyboardEvent.key` names it) does in `ctx`; `None`: leave it to the browser.
pub fn act(key: &str, ctx: &KeyCtx) -> Option<KeyAct> {
    if ctx.modified {
        return None;
    }
    if key == "Escape" {
        return Some(KeyAct::CloseHelp);
    }
    if ctx.in_field {
        return None;
    }
    if let Some(to) = ctx.tab.and_then(|(i, n)| tab_key(key, i, n)) {
        return Some(KeyAct::Tab(to));
    }
    let act = match key {
        "ArrowRight" => KeyAct::Press(NEXT),
        "ArrowLeft" => KeyAct::Press(PREV),
        _ if ctx.embed => return None,
        " " if ctx.on_control => return None,
        "PageDown" | " " => KeyAct::Press(NEXT),
        "PageUp" => KeyAct::Press(PREV),
        "." => KeyAct::Press(&["step"]),
        "," => KeyAct::Press(&["step-back"]),
        "x" | "X" => KeyAct::Press(&["partition"]),
        "h" | "H" => KeyAct::Press(&["heal-all"]),
        "c" | "C" => KeyAct::Send(Msg::CrashOrRecover(ctx.nodes.checked_sub(1)?)),
        "p" | "P" => KeyAct::TogglePresent,
        "f" | "F" => KeyAct::Fullscreen,
        "?" => KeyAct::ToggleHelp,
        _ => return client_key(key, ctx),
    };
    Some(act)
}

/// The tab an arrow key, Home or End moves to from tab `i` of `n` (around the ends).
fn tab_key(key: &str, i: usize, n: usize) -> Option<usize> {
    if i >= n {
        return None;
    }
    match key {
        "ArrowRight" | "ArrowDown" => Some((i + 1) % n),
        "ArrowLeft" | "ArrowUp" => Some((i + n - 1) % n),
        "Home" => Some(0),
        "End" => Some(n - 1),
        _ => None,
    }
}

/// `1` … `9`: that client sends the request a demo shows best in the case (see
/// [`reader::demo_kind`]).
fn client_key(key: &str, ctx: &KeyCtx) -> Option<KeyAct> {
    let digit = key.parse::<u8>().ok().filter(|d| (1..=9).contains(d))?;
    let client = digit - 1;
    if client >= ctx.clients {
        return None;
    }
    let kind = reader::demo_kind(ctx.case?);
    Some(KeyAct::Send(Msg::Request { client, kind }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::types::OpKind;

    fn page() -> KeyCtx {
        KeyCtx {
            nodes: 3,
            clients: 3,
            case: Some(Case::Bank),
            ..KeyCtx::default()
        }
    }

    #[test]
    fn an_embed_answers_only_the_arrow_keys() {
        let embed = KeyCtx {
            embed: true,
            ..page()
        };
        for key in [
            " ", "PageDown", "PageUp", ".", ",", "p", "f", "?", "x", "h", "c", "1",
        ] {
            assert_eq!(act(key, &embed), None, "{key:?} acts in an embed");
            assert!(
                act(key, &page()).is_some(),
                "{key:?} does nothing on a page"
            );
        }
        assert!(matches!(act("ArrowRight", &embed), Some(KeyAct::Press(_))));
        assert!(matches!(act("ArrowLeft", &embed), Some(KeyAct::Press(_))));
    }

    #[test]
    fn typing_and_browser_shortcuts_are_left_alone() {
        let typing = KeyCtx {
            in_field: true,
            ..page()
        };
        assert_eq!(act("x", &typing), None);
        assert_eq!(act("ArrowRight", &typing), None);
        assert_eq!(act("Escape", &typing), Some(KeyAct::CloseHelp));
        let on_button = KeyCtx {
            on_control: true,
            ..page()
        };
        assert_eq!(
            act(" ", &on_button),
            None,
            "Space presses the focused button"
        );
        let ctrl = KeyCtx {
            modified: true,
            ..page()
        };
        assert_eq!(act("p", &ctrl), None);
    }

    #[test]
    fn on_a_tab_the_arrows_move_between_the_tabs_and_wrap() {
        for embed in [false, true] {
            let on = |i| KeyCtx {
                tab: Some((i, 3)),
                embed,
                on_control: true,
                ..page()
            };
            assert_eq!(act("ArrowRight", &on(0)), Some(KeyAct::Tab(1)));
            assert_eq!(act("ArrowRight", &on(2)), Some(KeyAct::Tab(0)), "wraps");
            assert_eq!(act("ArrowLeft", &on(0)), Some(KeyAct::Tab(2)), "wraps");
            assert_eq!(act("ArrowUp", &on(1)), Some(KeyAct::Tab(0)));
            assert_eq!(act("End", &on(0)), Some(KeyAct::Tab(2)));
            assert_eq!(act("Home", &on(2)), Some(KeyAct::Tab(0)));
            assert_eq!(act(" ", &on(1)), None, "Space presses the tab");
        }
        let on_page = KeyCtx {
            tab: Some((1, 3)),
            ..page()
        };
        assert_eq!(
            act("x", &on_page),
            Some(KeyAct::Press(&["partition"])),
            "other shortcuts still work from a tab"
        );
        let past = KeyCtx {
            tab: Some((3, 3)),
            ..page()
        };
        assert!(matches!(act("ArrowRight", &past), Some(KeyAct::Press(_))));
    }

    #[test]
    fn demo_keys_act_on_the_last_node_and_the_clients_there_are() {
        assert_eq!(
            act("c", &page()),
            Some(KeyAct::Send(Msg::CrashOrRecover(2)))
        );
        assert_eq!(
            act("2", &page()),
            Some(KeyAct::Send(Msg::Request {
                client: 1,
                kind: OpKind::Withdraw
            }))
        );
        assert_eq!(act("4", &page()), None, "there are three clients");
        assert_eq!(act("0", &page()), None);
    }
}
