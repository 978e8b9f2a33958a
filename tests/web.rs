//! Browser tests (wasm-bindgen-test in headless Chromium): mount the real app and look at it.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window()
        .expect("window")
        .document()
        .expect("document")
}

/// Lets Yew's scheduler render.
async fn settle() {
    gloo_timers::future::TimeoutFuture::new(20).await;
}

fn by_id(root: &web_sys::Element, id: &str) -> web_sys::Element {
    root.query_selector(&format!("[data-testid={id}]"))
        .unwrap()
        .unwrap_or_else(|| panic!("{id} is not drawn"))
}

fn click(el: &web_sys::Element) {
    let ev = web_sys::MouseEvent::new("click").unwrap();
    // Yew listens at the root: the event must bubble.
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap_or(ev);
    el.dispatch_event(&ev).unwrap();
}

#[wasm_bindgen_test]
async fn clicking_a_link_cuts_it_and_a_step_moves_time() {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<caplab::ui::App>::with_root(root.clone()).render();
    settle().await;
    if let Some(pause) = root.query_selector("[data-testid=pause]").unwrap() {
        click(&pause);
        settle().await;
    }
    let link = by_id(&root, "link-n1-n2");
    assert_eq!(link.get_attribute("data-state").as_deref(), Some("up"));
    click(&link);
    settle().await;
    let link = by_id(&root, "link-n1-n2");
    assert_eq!(link.get_attribute("data-state").as_deref(), Some("cut"));
    let events = |root: &web_sys::Element| by_id(root, "tick").get_attribute("data-events");
    let before = events(&root);
    click(&by_id(&root, "step"));
    settle().await;
    assert_ne!(events(&root), before, "a step processes one event");
    click(&by_id(&root, "step-back"));
    settle().await;
    assert_eq!(events(&root), before, "step back undoes it");
    click(&by_id(&root, "link-n1-n2"));
    settle().await;
    assert_eq!(
        by_id(&root, "link-n1-n2")
            .get_attribute("data-state")
            .as_deref(),
        Some("up")
    );
}

#[wasm_bindgen_test]
async fn app_mounts_and_draws_three_nodes() {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<caplab::ui::App>::with_root(root.clone()).render();
    settle().await;
    for n in ["n1", "n2", "n3"] {
        let node = root
            .query_selector(&format!("[data-testid=node-{n}]"))
            .unwrap()
            .unwrap_or_else(|| panic!("node {n} is not drawn"));
        assert_eq!(node.get_attribute("data-status").as_deref(), Some("up"));
        assert!(node.text_content().unwrap().contains(n));
    }
}

/// The message paths of one frame: one subpath per message, in the path of its kind and state;
/// a doomed message past the middle is a cross; a held one waits; reduced motion does not glide.
#[wasm_bindgen_test]
fn messages_are_drawn_as_one_path_per_kind_and_state() {
    use caplab::sim::action::Flight;
    use caplab::sim::types::MsgKind;
    use caplab::ui::components::messages::{frame, KINDS};
    use caplab::ui::components::stage::layout;
    let pos = layout(3);
    let fly = |kind, sent, deliver, doomed, held| Flight {
        from: 0,
        to: 1,
        kind,
        sent,
        deliver,
        doomed,
        held,
    };
    let flights = [
        fly(MsgKind::Replicate, 0, 100, false, false),
        fly(MsgKind::Replicate, 10, 110, false, false),
        fly(MsgKind::Ack, 0, 100, true, false), // doomed, past the middle at 60
        fly(MsgKind::Ack, 50, 150, true, false), // doomed, not yet at the middle
        fly(MsgKind::Sync, 0, 100, false, true), // held
    ];
    let subpaths = |d: &str| d.matches('M').count() as u32;
    let at = |clock, reduced| frame(&flights, &[], &pos, clock, reduced);
    let f = at(60.0, false);
    assert_eq!(f.drawn(), 4, "four shapes, one cross");
    assert_eq!((subpaths(&f.dying.0), f.dying.1), (1, 1));
    let slot = |kind: MsgKind, look: usize| {
        let k = KINDS.iter().position(|x| *x == kind).unwrap();
        &f.paths[k * 3 + look]
    };
    assert_eq!(slot(MsgKind::Replicate, 0).1, 2);
    assert_eq!(subpaths(&slot(MsgKind::Replicate, 0).0), 2);
    assert_eq!(
        slot(MsgKind::Ack, 1).1,
        1,
        "the other doomed ack still flies, dimmed"
    );
    assert_eq!(slot(MsgKind::Sync, 2).1, 1, "the held sync waits");
    for (d, n) in &f.paths {
        assert_eq!(subpaths(d), *n);
    }
    // Gliding moves a message between two clocks; reduced motion keeps it in place.
    assert_ne!(at(20.0, false).paths, at(30.0, false).paths);
    assert_eq!(at(20.0, true).paths, at(30.0, true).paths);
}
