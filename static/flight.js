// The message layer's painter (issue #16), a worker: it draws the messages in flight on the
// stage's canvas, which the page hands over (an OffscreenCanvas), on animation frames of its
// own. Messages so keep moving while the page's main thread lays out and paints text (a frame
// that changes the dials takes about three vsyncs on a slow phone). The page sends only what
// changes: the canvas's size, the sprites, and the tracks with the clock they follow
// (src/ui/components/layer.rs, `Offscreen`). Numbers and images only: no text, no HTML.
// The clock: the page sends the display clock with each change and says when it jumped (a seek,
// a pause, a new speed, a late frame); the worker then anchors it to its own clock and moves it
// on at `rate` ticks a millisecond (no wall clock is compared across the two threads).
"use strict";
let ctx = null, sprites = [], half = 0, tracks = new Float64Array(0);
let base = { clock: 0, at: 0, rate: 0 }, queued = false;
// Frames drawn while a message moved, and the time they took (read by the frame benchmark): a
// frame that follows one on which something moved should come one vsync later.
const stats = { frames: 0, ms: 0 };
let last = null, told = false;
// Each track: kind, alpha, x0, y0, x1, y1, t0, t1 (device pixels, ticks).
const W = 8;
onmessage = (e) => {
  const m = e.data;
  if (m.canvas) ctx = m.canvas.getContext("2d");
  if (m.size && ctx) { ctx.canvas.width = m.size[0]; ctx.canvas.height = m.size[1]; }
  if (m.tracks) {
    tracks = m.tracks;
    if (m.anchor) base = { clock: m.clock, at: performance.now(), rate: m.rate };
  }
  if (m.sprites) {
    Promise.all(m.sprites.map((d) => createImageBitmap(d))).then((b) => { sprites = b; half = m.half; frame(); });
    return;
  }
  frame();
};
function frame() {
  if (!queued && ctx) { queued = true; requestAnimationFrame(draw); }
}
// Draws every track where the clock is now; asks for another frame while one still moves.
function draw(now) {
  queued = false;
  if (last !== null) { stats.frames++; stats.ms += now - last; }
  const clock = base.clock + (performance.now() - base.at) * base.rate;
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  let moving = false;
  for (let i = 0; i + W <= tracks.length; i += W) {
    const s = sprites[tracks[i]];
    if (!s) continue;
    const t0 = tracks[i + 6], t1 = tracks[i + 7];
    const f = t1 > t0 ? Math.min(1, Math.max(0, (clock - t0) / (t1 - t0))) : 1;
    moving ||= f < 1 && base.rate > 0;
    ctx.globalAlpha = tracks[i + 1];
    ctx.drawImage(s, Math.round(tracks[i + 2] + (tracks[i + 4] - tracks[i + 2]) * f - half),
      Math.round(tracks[i + 3] + (tracks[i + 5] - tracks[i + 3]) * f - half));
  }
  // The page paints the messages itself until the worker has drawn once.
  if (!told && sprites.length) { told = true; postMessage(1); }
  last = moving ? now : null;
  if (moving) frame();
}
