// Frame-time benchmark (prints figures; asserts nothing), in headless Chromium, while the run
// plays: the 3-node bank sandbox, CP | AP side by side, a lesson while "watch it happen" plays
// (cp-vs-ap, two runs), and `crowd` — 9 nodes, hundreds of messages in flight — from t=1000 (the
// most messages, ≈ 620) and, unthrottled only, t=5000 (a region cut off: messages dying on cut
// links every frame). Each case at CPU throttling 1× (none), 4× (a mid-range phone) and 6× (a
// low-end phone), set through the DevTools protocol (`Emulation.setCPUThrottlingRate`).
// Run: node tests/e2e/bench-frames.mjs [dist]   (after `trunk build --release`; ./run.sh bench)
// BENCH_CASES=sandbox,side and BENCH_RATES=1,6 pick a subset; BENCH_CASES=lessons, every lesson
// (each step that can be watched, at 6×).
// Frame rates swing with whatever else runs on the machine, so each case also traces 2 s of
// playing and prints the CPU time (thread time, not wall time) each frame costs per thread:
// the page's main thread (our wasm, style, layout, paint), the raster workers, the rest. The
// main thread's figure is the stable one; throttled, it is the slowed time.
// Two frame rates per case: the page's (its main thread's animation frames: the clock, the
// dials, the stage's text) and the messages' (the frames the stage's worker, which draws the
// messages in flight on a canvas of its own, drew while a message moved; see static/flight.js).
import { readFile, rm } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { serve, launch, openPage, ready } from "./harness.mjs";

const SECONDS = 4;
const TRACED = 2;
// The ceiling: a page with nothing on it but a canvas the size of the stage, on which 30 dots
// move every frame (our stage draws at least that much). What it reaches is what this browser
// gives any page that animates, at each throttling rate: a case can come near it, not above.
const CEILING = `<!doctype html><body style="margin:0"><canvas width="1236" height="490"></canvas><script>
const c = document.querySelector("canvas").getContext("2d"); let f = 0;
const tick = () => { f++; c.clearRect(0, 0, 1236, 490);
  for (let i = 0; i < 30; i++) { c.beginPath(); c.arc((i * 40 + f) % 1236, 100 + i * 10, 6, 0, 7); c.fill(); }
  requestAnimationFrame(tick); };
requestAnimationFrame(tick);</script>`;
const CASES = [
  { id: "ceiling", what: "reference: a bare canvas, 30 dots moving", html: CEILING, rates: [1, 4, 6] },
  { id: "sandbox", what: "bank sandbox (3 nodes)", q: "?scenario=bank", rates: [1, 4, 6] },
  { id: "side", what: "CP | AP side by side (bank)", q: "?scenario=bank&side=1", rates: [1, 4, 6] },
  { id: "lesson", what: "lesson cp-vs-ap step 2, watch it happen", q: "?lesson=cp-vs-ap&step=2", watch: true, rates: [1, 4, 6] },
  { id: "crowd", what: "crowd (9 nodes) from t=1000", q: "?scenario=crowd&t=1000", rates: [1, 4, 6] },
  { id: "crowd5000", what: "crowd (9 nodes) from t=5000", q: "?scenario=crowd&t=5000", rates: [1] },
];
const only = process.env.BENCH_CASES?.split(",");
const rates = process.env.BENCH_RATES?.split(",").map(Number);

const site = await serve(process.argv[2] ?? "dist");
const browser = await launch();
console.log(`BENCH frames: load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} on ${cpus().length} cores`);
const summary = [];
for (const c of CASES.filter((c) => !only || only.includes(c.id))) {
  const row = [];
  for (const rate of c.rates.filter((r) => !rates || rates.includes(r))) row.push(await measure(c, rate));
  summary.push(`BENCH frames ${c.id}: ${row.join(" | ")}`);
}
if (!only || only.includes("lessons")) summary.push(await everyLesson(6));
console.log(summary.join("\n"));
await browser.close();
site.server.close();

/** Every step of every lesson (the landing page's lesson cards) that can be watched, at CPU
 *  `rate`: "watch it happen" is played to its end; per lesson, the messages' frame rate while
 *  they moved (the stages' workers) and the page's. Prints a line per lesson; returns the
 *  summary line (the slowest lesson's messages). */
async function everyLesson(rate) {
  const { context, page } = await openPage(browser, site.origin, { width: 1280, height: 800 });
  await page.goto(site.base);
  await page.waitForSelector("a.card[href*='lesson=']");
  const lessons = await page.$$eval("a.card[href*='lesson=']", (as) => [...new Set(as.map((a) => new URL(a.href).searchParams.get("lesson")))]);
  const cdp = await context.newCDPSession(page);
  const rows = [];
  for (const id of lessons) {
    await page.goto(`${site.base}?lesson=${id}`);
    await ready(page);
    const steps = await page.$$eval("ol.dots li", (li) => li.length);
    const sum = { frames: 0, ms: 0, pageFrames: 0, pageMs: 0, watched: 0 };
    for (let step = 2; step <= steps; step++) {
      await page.goto(`${site.base}?lesson=${id}&step=${step}`);
      await ready(page);
      if (!(await page.$("[data-testid=watch]:not([disabled])"))) continue;
      await cdp.send("Emulation.setCPUThrottlingRate", { rate });
      const w0 = await drawnByWorkers(page);
      await page.click("[data-testid=watch]");
      const r = await frames(page, 15);
      const w1 = await drawnByWorkers(page);
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
      sum.frames += w1.frames - w0.frames;
      sum.ms += w1.ms - w0.ms;
      sum.pageFrames += r.frames.length;
      sum.pageMs += r.frames.reduce((a, b) => a + b, 0);
      sum.watched++;
    }
    const msgs = sum.frames ? 1000 * sum.frames / sum.ms : NaN;
    const pageFps = sum.pageFrames ? 1000 * sum.pageFrames / sum.pageMs : NaN;
    rows.push({ id, msgs });
    console.log(`BENCH frames: lesson ${id}, ${sum.watched} steps watched at ${rate}× CPU: page ${pageFps.toFixed(1)} fps; ` +
      `messages drawn by the stages' workers while they moved ${msgs.toFixed(1)} fps (${sum.frames} frames)`);
  }
  await context.close();
  const moved = rows.filter((r) => !Number.isNaN(r.msgs));
  const slowest = moved.reduce((a, b) => (b.msgs < a.msgs ? b : a), moved[0] ?? { id: "–", msgs: NaN });
  return `BENCH frames every lesson at ${rate}×: ${lessons.length} lessons, messages moved in ${moved.length}; slowest messages ${slowest.msgs.toFixed(1)} fps (${slowest.id})`;
}

/** Plays (or watches) from the start of the case's link; resolves when it plays. */
async function start(page, c) {
  if (c.html) return;
  if (c.watch) {
    await page.waitForSelector("[data-testid=watch]:not([disabled])");
    await page.click("[data-testid=watch]");
  } else {
    // A sandbox link without `t` opens playing; one with `t` opens paused.
    await page.waitForSelector("[data-testid=play], [data-testid=pause]");
    if (await page.$("[data-testid=play]")) await page.click("[data-testid=play]");
  }
}

/** Frame intervals over `seconds` of playing (a lesson: until "watch it happen" stops). */
function frames(page, seconds) {
  return page.evaluate(async (seconds) => {
    const frames = [];
    const msgs = [];
    let last = performance.now();
    const end = last + seconds * 1000;
    const watching = () => document.querySelector("[data-testid=watch]")?.disabled ?? true;
    await new Promise((done) => {
      const tick = (now) => {
        frames.push(now - last);
        last = now;
        // Messages are drawn on a canvas; each stage's group says how many it holds.
        msgs.push([...document.querySelectorAll(".stage .messages")].reduce((n, g) => n + Number(g.dataset.drawn ?? 0), 0));
        if (now < end && watching()) requestAnimationFrame(tick); else done();
      };
      requestAnimationFrame(tick);
    });
    return { frames: frames.slice(1), msgs };
  }, seconds);
}

/** The frames the stages' workers (static/flight.js) drew while a message moved, and their time
 *  (ms), summed over the stages. */
async function drawnByWorkers(page) {
  const sum = { frames: 0, ms: 0 };
  for (const w of page.workers()) {
    const s = await w.evaluate(() => ({ frames: stats.frames, ms: stats.ms })).catch(() => null);
    if (s) { sum.frames += s.frames; sum.ms += s.ms; }
  }
  return sum;
}

/** CPU ms per frame by thread over `seconds` of a trace. */
async function cpuPerFrame(page, seconds) {
  const trace = `/tmp/bench-frames-${process.pid}.json`;
  await browser.startTracing(page, { path: trace, categories: ["devtools.timeline", "toplevel", "cc"] });
  await page.waitForTimeout(seconds * 1000);
  await browser.stopTracing();
  const all = JSON.parse(await readFile(trace, "utf8")).traceEvents;
  await rm(trace);
  const names = new Map(all.filter((e) => e.name === "thread_name").map((e) => [`${e.pid}:${e.tid}`, e.args.name]));
  const byThread = new Map();
  let traced = 0, workerFrames = 0;
  for (const e of all) {
    if (e.name === "FireAnimationFrame") {
      if (names.get(`${e.pid}:${e.tid}`) === "CrRendererMain") traced++;
      else workerFrames++;
    }
    if (e.ph !== "X" || !e.dur) continue;
    const k = `${e.pid}:${e.tid}`;
    if (!byThread.has(k)) byThread.set(k, []);
    byThread.get(k).push(e);
  }
  const cpu = { main: 0, raster: 0, other: 0, worker: 0 };
  for (const [k, es] of byThread) {
    es.sort((a, b) => a.ts - b.ts);
    let end = -1, t = 0;
    for (const e of es) if (e.ts >= end) { t += e.tdur ?? e.dur; end = e.ts + e.dur; } // top-level slices only
    const n = names.get(k);
    cpu[n === "CrRendererMain" ? "main" : n === "ThreadPoolForegroundWorker" ? "raster" : n === "DedicatedWorker thread" ? "worker" : "other"] += t;
  }
  const per = (x) => (x / 1000 / Math.max(1, traced)).toFixed(1);
  // The stages' workers, per frame of theirs. DevTools' CPU throttling slows the page's main
  // thread, not its workers: on the phone it stands for, a worker's frame takes about `rate`
  // times this.
  const worker = workerFrames ? (cpu.worker / 1000 / workerFrames).toFixed(2) : "–";
  return { traced, main: per(cpu.main), raster: per(cpu.raster), other: per(cpu.other), worker };
}

async function measure(c, rate) {
  const { context, page, errors } = await openPage(browser, site.origin, { width: 1280, height: 800 });
  if (c.html) await page.setContent(c.html);
  else {
    await page.goto(`${site.base}${c.q}`);
    await ready(page);
  }
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate });
  await start(page, c);
  const w0 = await drawnByWorkers(page);
  const r = await frames(page, SECONDS);
  const w1 = await drawnByWorkers(page);
  const moved = w1.frames - w0.frames;
  const wfps = moved > 0 ? (1000 * moved / (w1.ms - w0.ms)).toFixed(1) : "–";
  const sorted = [...r.frames].sort((a, b) => a - b);
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  const mean = r.frames.reduce((a, b) => a + b, 0) / r.frames.length;
  const msgs = [...r.msgs].sort((a, b) => a - b);
  const tick = await page.evaluate(() => document.querySelector("[data-testid=tick]")?.dataset.value ?? "(lesson)");
  if (c.watch) await start(page, c); // the trace watches it happen once more
  const cpu = await cpuPerFrame(page, TRACED);
  const fps = (1000 / mean).toFixed(1);
  console.log(`BENCH frames: ${c.what} at ${rate}× CPU: ${fps} fps mean; frame ms p50 ${q(0.5).toFixed(1)}, ` +
    `p95 ${q(0.95).toFixed(1)}, p99 ${q(0.99).toFixed(1)}, max ${sorted[sorted.length - 1].toFixed(1)} ` +
    `(${r.frames.length} frames, messages drawn p50 ${msgs[Math.floor(msgs.length / 2)]}, reached tick ${tick}); ` +
    `CPU ms per frame (${cpu.traced} traced): main thread ${cpu.main}, raster workers ${cpu.raster}, other threads ${cpu.other}; ` +
    `messages drawn by the stage's worker while they moved: ${wfps} fps (${moved} frames), ${cpu.worker} ms of the worker's thread a frame of its own (not slowed by the throttling)`);
  if (errors.length) console.log(`page reported: ${errors.join("; ")}`);
  await context.close();
  return `${rate}× ${fps} fps, p95 ${q(0.95).toFixed(1)} ms, main ${cpu.main} ms/frame, messages ${wfps} fps (worker ${cpu.worker} ms/frame)`;
}
