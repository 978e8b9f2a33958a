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

/// Waits (20 ms at a time, at most 3 s: a busy machine renders late) until `done` holds, and
/// says whether it did.
async fn until(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..150 {
        if done() {
            return true;
        }
        settle().await;
    }
    done()
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
    let stepped = until(|| events(&root) != before).await;
    assert!(stepped, "a step processes one event (still {before:?})");
    click(&by_id(&root, "step-back"));
    let back = until(|| events(&root) == before).await;
    assert!(
        back,
        "step back undoes it ({:?}, was {before:?})",
        events(&root)
    );
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

/// The messages of one frame: each at its point, grouped by kind and state; a doomed message
/// past the middle is a cross; a held one waits; reduced motion does not glide.
#[wasm_bindgen_test]
fn messages_are_placed_by_kind_and_state() {
    use caplab::sim::action::Flight;
    use caplab::sim::types::MsgKind;
    use caplab::ui::components::messages::{frame, path_at, slot, svg_paths, Look};
    use caplab::ui::components::stage::layout;
    let pos = layout(3);
    let fly = |kind, sent, deliver, doomed, held| Flight {
        id: sent,
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
    let at = |clock, reduced| frame(&flights, &[], &pos, clock, reduced);
    let f = at(60.0, false);
    assert_eq!(f.drawn(), 4, "four shapes, one cross");
    assert_eq!(f.dying.len(), 1);
    assert_eq!(f.at[slot(MsgKind::Replicate, Look::Flying)].len(), 2);
    assert_eq!(
        f.at[slot(MsgKind::Ack, Look::Doomed)].len(),
        1,
        "the other doomed ack still flies, dimmed"
    );
    assert_eq!(
        f.at[slot(MsgKind::Sync, Look::Held)].len(),
        1,
        "the held sync waits"
    );
    assert_eq!(f.groups().count(), 3);
    // The exported SVG draws one subpath per message, in one path per kind and state.
    let svg = svg_paths(&f);
    assert_eq!(svg.matches("<path").count(), 3);
    assert_eq!(svg.matches('M').count(), 4);
    assert_eq!(path_at(&f.dying, "z").matches('M').count(), 1);
    // Gliding moves a message between two clocks; reduced motion keeps it in place.
    assert_ne!(at(20.0, false).at, at(30.0, false).at);
    assert_eq!(at(20.0, true).at, at(30.0, true).at);
}

/// A message's track (what the stage's worker moves it along, `static/flight.js`) puts it, at
/// every clock, where the frame draws it; it stays the same while the message's state does, so
/// the page hands it over once.
#[wasm_bindgen_test]
fn message_tracks_follow_the_frame() {
    use caplab::sim::action::Flight;
    use caplab::sim::types::MsgKind;
    use caplab::ui::components::messages::{frame, Track};
    use caplab::ui::components::stage::{layout, Pt};
    let pos = layout(3);
    let fly = |id, sent, deliver, doomed, held| Flight {
        id,
        from: (id % 3) as u8,
        to: ((id + 1) % 3) as u8,
        kind: MsgKind::Replicate,
        sent,
        deliver,
        doomed,
        held,
    };
    let flights = [
        fly(0, 0, 100, false, false),
        fly(1, 10, 37, false, false),
        fly(2, 0, 100, true, false),
        fly(3, 20, 20, false, false), // delivered the tick it was sent
        fly(4, 0, 100, false, true),
    ];
    // The worker's formula: a straight line at a steady pace from t0 to t1.
    let lerp = |t: &Track, clock: f64| {
        let f = if t.t1 > t.t0 {
            ((clock - t.t0) / (t.t1 - t.t0)).clamp(0.0, 1.0)
        } else {
            1.0
        };
        Pt {
            x: t.from.x + (t.to.x - t.from.x) * f,
            y: t.from.y + (t.to.y - t.from.y) * f,
        }
    };
    for reduced in [false, true] {
        let mut before: Option<Vec<Track>> = None;
        for step in 0..=30 {
            let clock = f64::from(step) * 4.0;
            let fr = frame(&flights, &[], &pos, clock, reduced);
            let mut drawn: Vec<Pt> = fr.at.iter().flatten().copied().collect();
            let mut moved: Vec<Pt> = fr.tracks.iter().map(|t| lerp(t, clock)).collect();
            let key = |p: &Pt| ((p.x * 1e6).round() as i64, (p.y * 1e6).round() as i64);
            drawn.sort_by_key(key);
            moved.sort_by_key(key);
            assert_eq!(drawn.len(), moved.len(), "one track per shape at {clock}");
            for (a, b) in drawn.iter().zip(&moved) {
                assert!(
                    (a.x - b.x).abs() < 1e-6 && (a.y - b.y).abs() < 1e-6,
                    "at {clock} (reduced {reduced}): drawn {a:?}, track {b:?}"
                );
            }
            // Between 12 and 16 no message changes state (the doomed one reaches the middle at 50).
            if clock == 16.0 {
                assert_eq!(
                    before.as_ref(),
                    Some(&fr.tracks),
                    "tracks stay while states do"
                );
            }
            before = Some(fr.tracks.clone());
        }
    }
}

/// The message layer's pixels: an opaque sprite pixel replaces what is under it, a half-clear
/// one mixes, a clear one leaves it; a blit is cut at the edges and says which rows it touched.
#[wasm_bindgen_test]
fn message_sprites_blend_and_clip() {
    use caplab::ui::components::layer::{div255, over, Pixels};
    assert!(
        (0..=255 * 255).all(|x| div255(x) == x / 255),
        "x / 255 exactly"
    );
    let red = 0xff00_00ff_u32;
    let blue = 0xffff_0000_u32;
    assert_eq!(over(blue, red, 255), red);
    assert_eq!(over(blue, red, 0), blue);
    assert_eq!(over(blue, 0, 255), blue);
    let half = over(blue, red, 128);
    assert_eq!(half >> 24, 255, "opaque under half-clear stays opaque");
    let (r, b) = (half & 0xff, half >> 16 & 0xff);
    assert!(
        (120..=136).contains(&r) && (120..=136).contains(&b),
        "mixed: {half:08x}"
    );
    assert_eq!(
        over(0, red, 128) & 0xff,
        0xff,
        "straight alpha keeps the colour"
    );
    let mut sprite = Pixels::new(2, 2);
    sprite.px = vec![red, 0, red, red];
    let sprite = Pixels::from_px(2, 2, sprite.px);
    assert_eq!(sprite.spans, vec![(0, 1, 0, 1), (0, 2, 0, 2)]);
    let ring = Pixels::from_px(5, 1, vec![0, red, 0x8000_00ff, red, red]);
    assert_eq!(ring.spans, vec![(1, 5, 3, 5)], "the longest opaque run");
    let mut img = Pixels::new(3, 3);
    assert_eq!(
        img.blit(&sprite, 2, 2, 255),
        Some((2, 3)),
        "cut to the last row"
    );
    assert_eq!(img.px[8], red);
    assert_eq!(img.blit(&sprite, 3, 0, 255), None, "wholly outside");
    assert_eq!(img.blit(&sprite, -1, 0, 255), Some((0, 2)));
    assert_eq!(
        img.px[..4],
        [0, 0, 0, red],
        "only the column inside, only where opaque"
    );
    img.clear_rows(0, 3);
    assert!(img.px.iter().all(|p| *p == 0));
    assert_eq!(img.bytes()[..4], [0, 0, 0, 0]);
}

/// The blit's shortcuts (copying opaque runs, skipping the mix where nothing is under a pixel)
/// draw exactly what mixing every pixel with the plain source-over formula draws: random
/// sprites (clear, half-clear and opaque runs) at random places, partly off the image, at
/// random opacities, over what earlier blits left.
#[wasm_bindgen_test]
fn message_sprites_blit_like_every_pixel_mixed() {
    use caplab::ui::components::layer::Pixels;
    use rand::{Rng, SeedableRng};
    // Source-over with straight alpha, every division done.
    fn mixed(d: u32, s: u32, alpha: u32) -> u32 {
        let sa = (s >> 24) * alpha / 255;
        if sa == 0 {
            return d;
        }
        let da = (d >> 24) * (255 - sa) / 255;
        let oa = sa + da;
        let mix = |shift: u32| ((s >> shift & 0xff) * sa + (d >> shift & 0xff) * da) / oa;
        mix(0) | mix(8) << 8 | mix(16) << 16 | oa << 24
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let (w, h) = (23_usize, 17_usize);
    let mut img = Pixels::new(w, h);
    let mut want = img.px.clone();
    for round in 0..400 {
        let (sw, sh) = (rng.random_range(1..9_usize), rng.random_range(1..9_usize));
        let px = (0..sw * sh)
            .map(|_| {
                let a = [0, 0, 255, 255, rng.random_range(1..255)][rng.random_range(0..5)];
                rng.random_range(0..0x0100_0000_u32) | a << 24
            })
            .collect();
        let sprite = Pixels::from_px(sw, sh, px);
        let (x, y) = (rng.random_range(-9..26_i64), rng.random_range(-9..20_i64));
        let alpha = [255, 255, 140, 0, rng.random_range(0..256)][rng.random_range(0..5)];
        let mut rows = None::<(usize, usize)>;
        let row_inked = |sy: &i64| (0..sw).any(|sx| sprite.px[*sy as usize * sw + sx] >> 24 != 0);
        let first = (0..sh as i64).find(row_inked).unwrap_or(sh as i64);
        let last = (0..sh as i64).rev().find(row_inked).unwrap_or(first);
        let inked = first..=last;
        for sy in 0..sh as i64 {
            for sx in 0..sw as i64 {
                let (px_, py) = (x + sx, y + sy);
                if (0..w as i64).contains(&px_) && (0..h as i64).contains(&py) {
                    let i = py as usize * w + px_ as usize;
                    want[i] = mixed(want[i], sprite.px[(sy * sw as i64 + sx) as usize], alpha);
                    // The rows drawn on: from the sprite's first row with ink to its last.
                    let r = py as usize;
                    if inked.contains(&sy) {
                        rows = Some(rows.map_or((r, r + 1), |(a, b)| (a.min(r), b.max(r + 1))));
                    }
                }
            }
        }
        let got = img.blit(&sprite, x, y, alpha);
        assert_eq!(got, rows, "rows touched, round {round}");
        assert_eq!(
            img.px, want,
            "round {round}: {sw}×{sh} at ({x}, {y}), alpha {alpha}"
        );
    }
}
