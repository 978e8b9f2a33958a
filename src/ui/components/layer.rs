//! The message layer: a `<canvas>` under the stage's SVG on which the messages in flight are
//! drawn.
//!
//! Where the browser can (OffscreenCanvas), the canvas is handed to a worker of its own
//! (`static/flight.js`, see [`Offscreen`]) which draws on frames of its own: the page sends it
//! each message's track (where it starts and stops, and when; see [`Track`]) when a message's
//! state changes, and the clock when it jumps, so messages keep moving while the main thread
//! lays out and paints text (on a slow phone a frame that changes the dials takes about three
//! vsyncs). Elsewhere the main thread paints each frame itself, as follows.
//!
//! With nine nodes, hundreds of messages fly at once. As SVG paths they cost, every frame, a
//! path parse, a layout, a paint record and a raster of every shape (about 4 ms a frame on this
//! machine, however they were grouped). Here each kind is drawn once, as a small sprite at the
//! stage's scale (the worker gets the same sprites); a frame copies the sprites into an image in
//! wasm memory and puts the rows that changed on the canvas in one call: no path is rasterised
//! while the run plays. The canvas lies under the SVG, so links, nodes, clients, crosses and the
//! node menu stay on top and keep their clicks. It is placed over the SVG's box and scaled like
//! the SVG's viewBox (centred, "meet"), at the screen's pixel ratio; it is placed again whenever
//! the SVG or its frame changes size without a new frame (a resized window, presenter mode),
//! and then repainted.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::Clamped;
use web_sys::{
    CanvasRenderingContext2d, Element, HtmlCanvasElement, ImageData, Path2d, ResizeObserver, Worker,
};
use yew::prelude::*;

use super::messages::{shape, Frame, Track, KINDS};
use super::stage::{push_f1, HEIGHT, WIDTH};
use crate::sim::types::MsgKind;

/// The page palette's custom properties the shapes are painted with (dark mode included).
const PALETTE: [&str; 9] = [
    "--m-rep", "--m-ack", "--m-vote", "--m-read", "--m-sync", "--m-hint", "--m-fwd", "--panel",
    "--muted",
];
const REP: usize = 0;
const ACK: usize = 1;
const VOTE: usize = 2;
const READ: usize = 3;
const SYNC: usize = 4;
const HINT: usize = 5;
const FWD: usize = 6;
const PANEL: usize = 7;
const MUTED: usize = 8;

/// Width of an outline, in stage units (as `.msg .hollow` in the stylesheet).
const OUTLINE: f64 = 2.0;

/// A kind's fill and, for the outlined kinds, its outline (indices into [`PALETTE`]); the
/// legend's CSS rules draw the same.
fn ink(kind: MsgKind) -> (usize, Option<usize>) {
    match kind {
        MsgKind::Replicate => (REP, None),
        MsgKind::Ack => (ACK, None),
        MsgKind::Heartbeat => (PANEL, Some(MUTED)),
        MsgKind::Vote => (VOTE, None),
        MsgKind::VoteReply => (PANEL, Some(VOTE)),
        MsgKind::Read => (READ, None),
        MsgKind::ReadReply => (PANEL, Some(READ)),
        MsgKind::ReadRepair => (READ, Some(ACK)),
        MsgKind::Sync => (SYNC, None),
        MsgKind::Hint => (HINT, None),
        MsgKind::Forward => (FWD, None),
        MsgKind::ForwardReply => (PANEL, Some(FWD)),
    }
}

/// Where the canvas lies (CSS pixels, from its frame's padding box) and the pixel ratio.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Place {
    left: f64,
    top: f64,
    width: f64,
    height: f64,
    ratio: f64,
}

/// Half the side of a sprite, in stage units: the largest shape (9.1) and its outline.
const SPRITE_HALF: f64 = 10.5;

/// An RGBA image with straight (not premultiplied) alpha, as `ImageData` holds it: one `u32`
/// a pixel, red in the low byte (wasm is little-endian, so the bytes are R, G, B, A).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pixels {
    pub width: usize,
    pub height: usize,
    pub px: Vec<u32>,
    /// For each row, the columns `a..b` outside which the row is transparent (blits skip the
    /// rest: a round sprite is a third transparent), and the longest run `c..d` inside them
    /// that is wholly opaque (copied as it is when drawn at full opacity).
    pub spans: Vec<(usize, usize, usize, usize)>,
    /// The rows `top..bottom` outside which the image is transparent (a blit skips the rest:
    /// an ack's circle or a replicate's square fills about 60 % of its sprite's height).
    pub ink: (usize, usize),
}

impl Pixels {
    /// A transparent image.
    pub fn new(width: usize, height: usize) -> Self {
        Self::from_px(width, height, vec![0; width * height])
    }

    /// An image of `px` (row after row), with its rows' spans.
    pub fn from_px(width: usize, height: usize, px: Vec<u32>) -> Self {
        assert_eq!(
            px.len(),
            width * height,
            "pixels of a {width}×{height} image"
        );
        let spans = (0..height)
            .map(|y| {
                let row = &px[y * width..(y + 1) * width];
                let a = row.iter().position(|p| p >> 24 != 0).unwrap_or(width);
                let b = row.iter().rposition(|p| p >> 24 != 0).map_or(a, |i| i + 1);
                let (c, d) = opaque_run(row);
                (a, b, c.clamp(a, b), d.clamp(a, b))
            })
            .collect::<Vec<_>>();
        let inked = |&(a, b, _, _): &(usize, usize, usize, usize)| a < b;
        let top = spans.iter().position(inked).unwrap_or(height);
        let bottom = spans.iter().rposition(inked).map_or(top, |i| i + 1);
        Self {
            width,
            height,
            px,
            spans,
            ink: (top, bottom),
        }
    }

    /// The pixels as bytes (R, G, B, A each), for `ImageData`.
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: a u32 slice is readable as four times as many bytes (u8 has no alignment
        // requirement); the length is counted in bytes.
        unsafe { std::slice::from_raw_parts(self.px.as_ptr().cast::<u8>(), self.px.len() * 4) }
    }

    /// Draws `sprite` over this image (source-over) with its top-left corner at `(x, y)`, its
    /// alpha scaled by `alpha` (0–255); what falls outside is cut. Returns the rows it drew on
    /// (those of the sprite's [`Pixels::ink`], cut to this image).
    pub fn blit(&mut self, sprite: &Pixels, x: i64, y: i64, alpha: u32) -> Option<(usize, usize)> {
        let (w, h) = (self.width as i64, self.height as i64);
        let (top, bottom) = (sprite.ink.0 as i64, sprite.ink.1 as i64);
        let (y0, y1) = ((y + top).max(0), (y + bottom).min(h));
        if y0 >= y1 || x >= w || x + sprite.width as i64 <= 0 {
            return None;
        }
        // Columns of the sprite (from `from` to `to`) onto row `yy` of the image, cut at its
        // edges: `copy` for a wholly opaque run at full opacity, blending otherwise.
        let draw = |img: &mut Pixels, yy: i64, sy: usize, from: usize, to: usize, copy: bool| {
            let (xa, xb) = ((x + from as i64).max(0), (x + to as i64).min(w));
            if xa >= xb {
                return;
            }
            let src = &sprite.px[sy * sprite.width + (xa - x) as usize..][..(xb - xa) as usize];
            let row = yy as usize * img.width;
            let dst = &mut img.px[row + xa as usize..row + xb as usize];
            if copy {
                dst.copy_from_slice(src);
            } else {
                for (d, s) in dst.iter_mut().zip(src) {
                    *d = over(*d, *s, alpha);
                }
            }
        };
        for yy in y0..y1 {
            let sy = (yy - y) as usize;
            let (a, b, c, d) = sprite.spans[sy];
            if alpha == 255 && c < d {
                draw(self, yy, sy, a, c, false);
                draw(self, yy, sy, c, d, true);
                draw(self, yy, sy, d, b, false);
            } else {
                draw(self, yy, sy, a, b, false);
            }
        }
        Some((y0 as usize, y1 as usize))
    }

    /// Makes rows `y0..y1` transparent again.
    pub fn clear_rows(&mut self, y0: usize, y1: usize) {
        let (a, b) = (y0 * self.width, (y1 * self.width).min(self.px.len()));
        if a < b {
            self.px[a..b].fill(0);
        }
    }
}

/// The longest run of wholly opaque pixels in `row` (empty at 0 if none).
fn opaque_run(row: &[u32]) -> (usize, usize) {
    let (mut best, mut start) = ((0, 0), None);
    for (i, p) in row.iter().chain([&0]).enumerate() {
        match (p >> 24 == 255, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s > best.1 - best.0 {
                    best = (s, i);
                }
                start = None;
            }
            _ => {}
        }
    }
    best
}

/// Pixel `s` (its alpha times `alpha`/255) over `d`, straight alpha, integer arithmetic.
#[inline]
pub fn over(d: u32, s: u32, alpha: u32) -> u32 {
    let sa = div255((s >> 24) * alpha);
    if sa == 0 {
        return d;
    }
    // Opaque, or nothing under it: the sprite's colour at its alpha (what the mix below
    // gives, without its divisions).
    if sa == 255 || d >> 24 == 0 {
        return s & 0x00ff_ffff | sa << 24;
    }
    let da = div255((d >> 24) * (255 - sa));
    let oa = sa + da;
    mix(s, d, sa, da, oa, 0)
        | mix(s, d, sa, da, oa, 8) << 8
        | mix(s, d, sa, da, oa, 16) << 16
        | oa << 24
}

/// One channel (the byte at `shift`) of `s` at alpha `sa` over `d` at `da`, out of `oa`: a
/// function of values rather than a closure, whose captures the size-built wasm reads from
/// memory at each of its calls.
fn mix(s: u32, d: u32, sa: u32, da: u32, oa: u32, shift: u32) -> u32 {
    ((s >> shift & 0xff) * sa + (d >> shift & 0xff) * da) / oa
}

/// `x / 255` for `x` up to 255 × 255, by a multiply and a shift (built for size, a division by
/// a constant stays a division). `tests/web.rs` checks every `x`.
#[inline]
pub fn div255(x: u32) -> u32 {
    debug_assert!(x <= 255 * 255, "div255 of {x}");
    (x * 0x8081) >> 23
}

/// The pixels under the canvas: one sprite per kind (indexed like [`KINDS`]) drawn at `scale`
/// device pixels per stage unit in `palette`'s colours (made again when either changes), the
/// frame's image, and the rows the last frame drew on.
#[derive(Default)]
struct Raster {
    scale: f64,
    /// What the palette depends on: the page's classes (presenter mode) and dark mode. The
    /// palette is read again only when they change (reading it forces a style pass).
    theme: (String, bool),
    /// The dark-mode query, made once (asking `matchMedia` every frame makes a new object).
    dark: Option<web_sys::MediaQueryList>,
    palette: Vec<String>,
    sprites: Vec<Option<Pixels>>,
    image: Pixels,
    rows: Option<(usize, usize)>,
    /// The canvas's 2D context, asked for once (a canvas keeps the same one).
    ctx: Option<CanvasRenderingContext2d>,
    /// The sprites as the scratch canvas drew them (what a worker gets), and how many times
    /// they were made (a worker is sent them again when this moves on).
    images: Vec<Option<ImageData>>,
    made: u32,
}

/// What was painted last and where (shared with the resize observer).
#[derive(Default)]
struct Painted {
    frame: Rc<Frame>,
    place: Place,
    raster: Raster,
    /// The canvas handed to the worker (a second one, over the first), and the worker, when
    /// the browser can hand a canvas to one (tried once). Until the worker has drawn, the main
    /// thread paints on the first canvas, so the messages are there from the page's first
    /// frame; then it clears it.
    far: NodeRef,
    worker: Option<Offscreen>,
    tried: bool,
}

#[derive(Properties, PartialEq)]
pub struct LayerProps {
    pub frame: Rc<Frame>,
    /// The stage's SVG, which the canvas lies under.
    pub svg: NodeRef,
    /// The run drawn, and the page's canvases: a frame of play that moves only messages is not
    /// rendered, and the page paints it straight onto this canvas (see `ui::state::Page`).
    pub run: usize,
    pub canvases: Rc<Canvases>,
}

/// Paints a run's messages onto its canvas.
pub type Painter = Rc<dyn Fn(&Rc<Frame>)>;

/// The message layers of a page, by run.
#[derive(Default)]
pub struct Canvases(RefCell<Vec<(usize, Painter)>>);

impl PartialEq for Canvases {
    fn eq(&self, o: &Self) -> bool {
        std::ptr::eq(self, o)
    }
}

impl Canvases {
    /// Paints `frames[run]` on each run's canvas.
    pub fn paint(&self, frames: &[Rc<Frame>]) {
        for (run, painter) in self.0.borrow().iter() {
            if let Some(f) = frames.get(*run) {
                painter(f);
            }
        }
    }

    fn set(&self, run: usize, painter: Option<Painter>) {
        let mut v = self.0.borrow_mut();
        v.retain(|(r, _)| *r != run);
        v.extend(painter.map(|p| (run, p)));
    }
}

/// The canvas; paints each new frame, and again when the stage changes size.
#[function_component(MessageLayer)]
pub fn message_layer(p: &LayerProps) -> Html {
    let canvas = use_node_ref();
    let far = use_node_ref();
    let painted = use_mut_ref(Painted::default);
    painted.borrow_mut().far = far.clone();
    {
        let (canvas, svg, painted) = (canvas.clone(), p.svg.clone(), painted.clone());
        use_effect_with(p.frame.clone(), move |frame| {
            painted.borrow_mut().frame = frame.clone();
            repaint(&canvas, &svg, &painted, false);
        });
    }
    {
        let (canvas, svg, painted) = (canvas.clone(), p.svg.clone(), painted.clone());
        use_effect_with((p.run, p.canvases.clone()), move |(run, canvases)| {
            let painter: Painter = Rc::new(move |frame: &Rc<Frame>| {
                if *painted.borrow().frame != **frame {
                    painted.borrow_mut().frame = frame.clone();
                    repaint(&canvas, &svg, &painted, false);
                }
            });
            canvases.set(*run, Some(painter));
            let (run, canvases) = (*run, canvases.clone());
            move || canvases.set(run, None)
        });
    }
    {
        let (canvas, svg) = (canvas.clone(), p.svg.clone());
        use_effect_with((), move |_| {
            let watch = watch_size(canvas, svg, painted.clone());
            move || {
                if let Some((observer, _callback)) = watch {
                    observer.disconnect();
                }
                if let Some(w) = painted.borrow_mut().worker.take() {
                    w.worker.terminate();
                }
            }
        });
    }
    html! {
        <>
            <canvas ref={canvas} class="msg-layer" aria-hidden="true"></canvas>
            <canvas ref={far} class="msg-layer" aria-hidden="true"></canvas>
        </>
    }
}

type OnResize = Closure<dyn FnMut()>;

/// Repaints whenever the SVG or the canvas's frame changes size (the observer also reports
/// once at the start).
fn watch_size(
    canvas: NodeRef,
    svg: NodeRef,
    painted: Rc<RefCell<Painted>>,
) -> Option<(ResizeObserver, OnResize)> {
    let targets = [
        svg.cast::<Element>()?,
        canvas.cast::<Element>()?.parent_element()?,
    ];
    let callback: OnResize = Closure::new(move || repaint(&canvas, &svg, &painted, true));
    let observer = ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    for t in &targets {
        observer.observe(t);
    }
    Some((observer, callback))
}

/// Paints the last frame; `measure` first finds where the SVG lies now (done when something
/// changed size, and for the first frame: reading it every frame would force a layout).
fn repaint(canvas: &NodeRef, svg: &NodeRef, painted: &RefCell<Painted>, measure: bool) {
    if let (Some(c), Some(s)) = (canvas.cast::<HtmlCanvasElement>(), svg.cast::<Element>()) {
        let mut p = painted.borrow_mut();
        let far = p.far.cast::<HtmlCanvasElement>();
        if !p.tried {
            p.tried = true;
            p.worker = far.as_ref().and_then(|f| Offscreen::start(f, &c));
        }
        let measure = measure || p.place == Place::default();
        if let Some(place) = measure
            .then(|| place_of(&c, &s))
            .flatten()
            .filter(|pl| *pl != p.place)
        {
            let far = far.as_ref().filter(|_| p.worker.is_some());
            if put(&c, place, None).is_some()
                && far.is_none_or(|f| put(f, place, p.worker.as_mut()).is_some())
            {
                p.place = place;
            }
        }
        let p = &mut *p;
        let handed = p.worker.as_ref().is_some_and(|w| w.drawn.get());
        if let Some(w) = p.worker.as_mut() {
            w.send(&c, p.place, &p.frame, &mut p.raster);
        }
        if !handed {
            paint(&c, p.place, &p.frame, &mut p.raster);
        }
        // The frame handed to the layer, for tests (the SVG's `data-frame` follows renders
        // only; a worker draws it and moves it on between the page's frames).
        let _ = c.set_attribute("data-frame", &super::messages::digest(&p.frame));
    }
}

/// Where the SVG lies in the canvas's frame.
fn place_of(canvas: &HtmlCanvasElement, svg: &Element) -> Option<Place> {
    let frame = canvas.parent_element()?;
    let (s, f) = (
        svg.get_bounding_client_rect(),
        frame.get_bounding_client_rect(),
    );
    Some(Place {
        left: s.left() - f.left() - f64::from(frame.client_left()),
        top: s.top() - f.top() - f64::from(frame.client_top()),
        width: s.width(),
        height: s.height(),
        ratio: web_sys::window()?.device_pixel_ratio().max(1.0),
    })
}

/// Moves and sizes the canvas (CSS pixels) and its bitmap (device pixels; this clears it; a
/// worker's canvas is sized by the worker).
fn put(canvas: &HtmlCanvasElement, p: Place, worker: Option<&mut Offscreen>) -> Option<()> {
    let style = canvas.style();
    for (name, v) in [
        ("left", p.left),
        ("top", p.top),
        ("width", p.width),
        ("height", p.height),
    ] {
        let mut px = String::new();
        push_f1(&mut px, v);
        px.push_str("px");
        style.set_property(name, &px).ok()?;
    }
    let (w, h) = (
        (p.width * p.ratio).round().max(0.0) as u32,
        (p.height * p.ratio).round().max(0.0) as u32,
    );
    match worker {
        Some(o) => o.size = (w, h),
        None => {
            canvas.set_width(w);
            canvas.set_height(h);
        }
    }
    Some(())
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
}

/// Draws the frame into the raster's image (each message's sprite at its point, mapped like
/// the SVG's viewBox, "meet", to whole device pixels) and puts the rows that changed on the
/// canvas: one copy a frame, however many messages fly.
fn paint(canvas: &HtmlCanvasElement, p: Place, frame: &Frame, r: &mut Raster) -> Option<()> {
    let (w, h) = (canvas.width() as usize, canvas.height() as usize);
    if (r.image.width, r.image.height) != (w, h) {
        r.image = Pixels::new(w, h);
        r.rows = Some((0, h));
    }
    let scale = (p.width / WIDTH).min(p.height / HEIGHT);
    let k = scale * p.ratio;
    r.prepare(canvas, k)?;
    if let Some((a, b)) = r.rows {
        r.image.clear_rows(a, b);
    }
    let (dx, dy) = (
        (p.width - WIDTH * scale) / 2.0 * p.ratio,
        (p.height - HEIGHT * scale) / 2.0 * p.ratio,
    );
    let mut rows: Option<(usize, usize)> = None;
    for (kind, look, at) in frame.groups() {
        let i = KINDS.iter().position(|x| *x == kind)?;
        let Some(sprite) = r.sprites.get(i).and_then(Option::as_ref) else {
            continue;
        };
        let half = (sprite.width / 2) as f64;
        let alpha = (look.alpha() * 255.0).round() as u32;
        for pt in at {
            let x = (pt.x * k + dx - half).round() as i64;
            let y = (pt.y * k + dy - half).round() as i64;
            if let Some((a, b)) = r.image.blit(sprite, x, y, alpha) {
                rows = Some(rows.map_or((a, b), |(c, d)| (c.min(a), d.max(b))));
            }
        }
    }
    let changed = match (r.rows, rows) {
        (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
        (one, other) => one.or(other),
    };
    r.rows = rows;
    let Some((y0, y1)) = changed else {
        return Some(());
    };
    let bytes = &r.image.bytes()[y0 * w * 4..y1 * w * 4];
    let img =
        ImageData::new_with_u8_clamped_array_and_sh(Clamped(bytes), w as u32, (y1 - y0) as u32)
            .ok()?;
    if r.ctx.is_none() {
        r.ctx = context(canvas);
    }
    r.ctx.as_ref()?.put_image_data(&img, 0.0, y0 as f64).ok()
}

impl Raster {
    /// Makes the sprites again if the scale or the page's palette changed (dark mode,
    /// presenter mode).
    fn prepare(&mut self, canvas: &HtmlCanvasElement, scale: f64) -> Option<()> {
        let win = web_sys::window()?;
        let classes = win.document()?.document_element()?.class_name();
        if self.dark.is_none() {
            self.dark = win
                .match_media("(prefers-color-scheme: dark)")
                .ok()
                .flatten();
        }
        let dark = self.dark.as_ref().is_some_and(|m| m.matches());
        let theme = (classes, dark);
        if self.scale == scale && self.theme == theme && !self.sprites.is_empty() {
            return Some(());
        }
        self.theme = theme;
        let css = win.get_computed_style(canvas).ok()??;
        let palette: Vec<String> = PALETTE
            .iter()
            .map(|v| {
                css.get_property_value(v)
                    .unwrap_or_default()
                    .trim()
                    .to_string()
            })
            .collect();
        if self.scale != scale || self.palette != palette {
            self.scale = scale;
            self.palette = palette;
            self.images = KINDS.iter().map(|k| self.image(*k)).collect();
            self.sprites = self.images.iter().map(|i| i.as_ref().map(pixels)).collect();
            self.made += 1;
        }
        Some(())
    }

    /// A kind's shape at the centre of a transparent square, filled and outlined like the
    /// legend (drawn once on a scratch canvas, then read back).
    fn image(&self, kind: MsgKind) -> Option<ImageData> {
        let side = (2.0 * SPRITE_HALF * self.scale).ceil().max(1.0) as u32;
        let doc = web_sys::window()?.document()?;
        let scratch: HtmlCanvasElement = doc.create_element("canvas").ok()?.dyn_into().ok()?;
        scratch.set_width(side);
        scratch.set_height(side);
        let ctx = context(&scratch)?;
        let c = f64::from(side) / 2.0;
        ctx.set_transform(self.scale, 0.0, 0.0, self.scale, c, c)
            .ok()?;
        let path = Path2d::new_with_path_string(&["M0 0", shape(kind).0].concat()).ok()?;
        let (fill, outline) = ink(kind);
        ctx.set_fill_style_str(&self.palette[fill]);
        ctx.fill_with_path_2d(&path);
        if let Some(o) = outline {
            ctx.set_line_width(OUTLINE);
            ctx.set_stroke_style_str(&self.palette[o]);
            ctx.stroke_with_path(&path);
        }
        ctx.get_image_data(0.0, 0.0, f64::from(side), f64::from(side))
            .ok()
    }
}

/// A sprite's pixels, as the main thread blits them.
fn pixels(data: &ImageData) -> Pixels {
    let px = data
        .data()
        .0
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Pixels::from_px(data.width() as usize, data.height() as usize, px)
}

/// How the display clock follows the wall clock: `clock` at `at` (the main thread's ms since the
/// epoch), moving `rate` ticks a ms (0: paused).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Base {
    clock: f64,
    at: f64,
    rate: f64,
}

/// The canvas handed to a worker (`static/flight.js`) that draws the messages on frames of
/// its own, so that they keep moving while the main thread is busy with text. The page sends
/// it what changes: the bitmap's size, the sprites, each message's track and the clock's base.
pub struct Offscreen {
    worker: Worker,
    /// Set when the worker says it has drawn (its first frame), and the handler that sets it.
    drawn: Rc<std::cell::Cell<bool>>,
    _told: Closure<dyn FnMut()>,
    /// The bitmap's size (device pixels) wanted, and the one the worker has.
    size: (u32, u32),
    sent_size: (u32, u32),
    /// The sprites the worker has (`Raster::made`).
    sprites: u32,
    /// The tracks the worker has, where they lie (device pixels a stage unit, offsets), and
    /// the clock they follow.
    tracks: Vec<Track>,
    laid: (f64, f64, f64),
    base: Option<Base>,
}

impl Offscreen {
    /// Hands `canvas` to a new worker; `None` (the page paints on the main thread) when the
    /// browser cannot, or when the worker's script cannot start. Once the worker has drawn,
    /// `main`, which the main thread painted until then, is cleared.
    fn start(canvas: &HtmlCanvasElement, main: &HtmlCanvasElement) -> Option<Offscreen> {
        let worker = Worker::new("flight.js").ok()?;
        let Ok(off) = canvas.transfer_control_to_offscreen() else {
            worker.terminate();
            return None;
        };
        let msg = js_sys::Object::new();
        js_sys::Reflect::set(&msg, &"canvas".into(), &off).ok()?;
        worker
            .post_message_with_transfer(&msg, &js_sys::Array::of1(&off))
            .ok()?;
        let drawn = Rc::new(std::cell::Cell::new(false));
        let told: Closure<dyn FnMut()> = {
            let (drawn, main) = (drawn.clone(), main.clone());
            Closure::new(move || {
                drawn.set(true);
                main.set_width(main.width());
            })
        };
        worker.set_onmessage(Some(told.as_ref().unchecked_ref()));
        Some(Offscreen {
            worker,
            drawn,
            _told: told,
            size: (0, 0),
            sent_size: (0, 0),
            sprites: 0,
            tracks: Vec::new(),
            laid: (0.0, 0.0, 0.0),
            base: None,
        })
    }

    /// Sends the worker what changed for `frame` (the canvas lies at `p`).
    fn send(
        &mut self,
        canvas: &HtmlCanvasElement,
        p: Place,
        frame: &Frame,
        r: &mut Raster,
    ) -> Option<()> {
        let scale = (p.width / WIDTH).min(p.height / HEIGHT);
        let k = scale * p.ratio;
        r.prepare(canvas, k)?;
        let msg = js_sys::Object::new();
        let set = |key: &str, v: &JsValue| js_sys::Reflect::set(&msg, &key.into(), v).ok();
        let mut any = false;
        if self.size != self.sent_size {
            let size = js_sys::Array::of2(&self.size.0.into(), &self.size.1.into());
            set("size", &size)?;
            self.sent_size = self.size;
            any = true;
        }
        if self.sprites != r.made {
            let images: js_sys::Array = r
                .images
                .iter()
                .map(|i| i.as_ref().map_or(JsValue::NULL, JsValue::from))
                .collect();
            let side = r.images.iter().flatten().next().map_or(0, ImageData::width);
            set("sprites", &images)?;
            set("half", &f64::from(side / 2).into())?;
            self.sprites = r.made;
            any = true;
        }
        let laid = (
            k,
            (p.width - WIDTH * scale) / 2.0 * p.ratio,
            (p.height - HEIGHT * scale) / 2.0 * p.ratio,
        );
        let anchor = self.rebase(frame);
        if !(any || anchor || laid != self.laid || self.tracks != frame.tracks) {
            return Some(());
        }
        self.laid = laid;
        self.tracks.clone_from(&frame.tracks);
        set("tracks", &flat(&frame.tracks, laid))?;
        set("clock", &frame.clock.into())?;
        set("rate", &frame.rate.into())?;
        set("anchor", &anchor.into())?;
        self.worker.post_message(&msg).ok()
    }

    /// Takes the frame's clock as the new base when it strays from where the last base would
    /// have it now (a seek, a pause, a new speed, a late frame): whether it did, and so whether
    /// the worker must anchor its own clock to it again.
    fn rebase(&mut self, frame: &Frame) -> bool {
        let now = js_sys::Date::now();
        let keep = self.base.is_some_and(|b| {
            let expected = b.clock + (now - b.at) * b.rate;
            b.rate == frame.rate && (expected - frame.clock).abs() <= 1.0 + 30.0 * frame.rate
        });
        if !keep {
            self.base = Some(Base {
                clock: frame.clock,
                at: now,
                rate: frame.rate,
            });
        }
        !keep
    }
}

/// The tracks as the worker reads them: per track its kind (index into [`KINDS`]), alpha, start
/// and end points (device pixels on the canvas) and ticks.
fn flat(tracks: &[Track], (k, dx, dy): (f64, f64, f64)) -> js_sys::Float64Array {
    let mut v = Vec::with_capacity(tracks.len() * 8);
    for t in tracks {
        let kind = KINDS.iter().position(|x| *x == t.kind).unwrap_or(0);
        v.extend([
            kind as f64,
            t.look.alpha(),
            t.from.x * k + dx,
            t.from.y * k + dy,
            t.to.x * k + dx,
            t.to.y * k + dy,
            t.t0,
            t.t1,
        ]);
    }
    js_sys::Float64Array::from(v.as_slice())
}
