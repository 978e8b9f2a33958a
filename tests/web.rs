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
