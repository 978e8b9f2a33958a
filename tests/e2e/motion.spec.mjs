// Messages in flight are drawn by a worker of each stage's own (static/flight.js), on a canvas
// the page hands over: they keep moving while the page's main thread lays out text (issue #16).
// A browser that cannot hand a canvas to a worker gets them painted on the main thread.
import { test, expect, ready, $, workerPixels, canvasPixels } from "./harness.mjs";

/** Frames the page's `index`th worker drew while a message moved (see flight.js's `stats`). */
const movedFrames = (page, index = 0) => page.workers()[index].evaluate(() => stats.frames);

test("messages keep moving while the page's main thread is blocked: the stage's worker draws them", async ({ page, url }) => {
  // crowd: hundreds of messages in flight, each for 1.5 s or more at 1x.
  await page.goto(url("?scenario=crowd&t=1000"));
  await ready(page);
  await $(page, "play").click();
  await $(page, "pause").waitFor();
  expect(page.workers().length === 1, `one worker for the one stage: ${page.workers().length}`);
  await page.waitForTimeout(300);
  // Block the main thread for 900 ms; count the worker's frames over 500 ms inside the block.
  const block = page.evaluate(() => {
    const t = performance.now();
    while (performance.now() - t < 900) { /* busy, as a long layout would be */ }
    return performance.now() - t;
  });
  await new Promise((ok) => setTimeout(ok, 150));
  const during = await page.workers()[0].evaluate(() => new Promise((ok) => {
    const f0 = stats.frames;
    setTimeout(() => ok(stats.frames - f0), 500);
  }));
  const blocked = await block;
  expect(blocked >= 900, `the main thread was blocked ${blocked} ms`);
  // 500 ms is 30 frames at 60 Hz; painted on the main thread, none could be drawn.
  expect(during >= 20, `the worker drew ${during} frames of moving messages in 500 ms of a blocked main thread`);
}, { alone: true });

test("paused, the worker draws the shapes where the main thread would paint them; without OffscreenCanvas the main thread paints them", async ({ page, url }) => {
  const link = url("?scenario=crowd&t=1000");
  await page.goto(link);
  await ready(page);
  const drawn = Number(await page.getAttribute("[data-testid=stage-0] .messages", "data-drawn"));
  expect(drawn > 0, `messages on the wire at t=1000: ${drawn}`);
  const byWorker = await workerPixels(page, drawn * 20);
  expect(byWorker.workers === 1, `the stage has its worker: ${byWorker.workers}`);
  // The main thread painted them until the worker had drawn, then cleared its own canvas (the
  // dimmed ones would otherwise be drawn twice, darker).
  const left = await canvasPixels(page, (r) => r.inked === 0, 2000);
  expect(left.inked === 0, `the main thread's canvas is cleared once the worker draws: ${left.inked} pixels left`);
  // The same link where a canvas cannot be handed to a worker.
  const old = await page.context().newPage();
  await old.addInitScript(() => { delete HTMLCanvasElement.prototype.transferControlToOffscreen; });
  await old.goto(link);
  await ready(old);
  expect(old.workers().length === 0, `no worker without OffscreenCanvas: ${old.workers().length}`);
  const byMain = await canvasPixels(old);
  expect(byMain.painted > drawn * 20, `the main thread painted ${byMain.painted} pixels for ${drawn} messages`);
  expect(byWorker.mask.length === byMain.mask.length, `same canvas size: ${byWorker.mask.length} vs ${byMain.mask.length} samples`);
  let differ = 0;
  for (let i = 0; i < byMain.mask.length; i++) differ += byWorker.mask[i] !== byMain.mask[i];
  const inked = [...byMain.mask].filter((c) => c === "1").length;
  expect(differ * 50 <= inked, `the worker's shapes cover the main thread's: ${differ} of ${inked} inked samples differ`);
  await old.close();
});

test("when the worker's script cannot be loaded, the main thread keeps painting the messages", async ({ page, url }) => {
  await page.route("**/flight.js", (r) => r.fulfill({ status: 404, body: "" }));
  await page.goto(url("?scenario=crowd&t=1000"));
  await ready(page);
  const drawn = Number(await page.getAttribute("[data-testid=stage-0] .messages", "data-drawn"));
  expect(drawn > 100, `messages on the wire at t=1000: ${drawn}`);
  // Given time for a worker to have drawn, had it started.
  await page.waitForTimeout(500);
  const { painted } = await canvasPixels(page);
  expect(painted > drawn * 20, `the main thread's canvas holds ${painted} painted pixels for ${drawn} messages`);
}, { allowErrors: true });
