// Frame-time benchmark (prints figures; asserts nothing): the `crowd` scenario — 9 nodes,
// hundreds of messages in flight — playing in headless Chromium for a few seconds, from two
// moments: t=1000 (the most messages, ≈ 620) and t=5000 (a region cut off: links cut, messages
// dying on them every frame).
// Run: node tests/e2e/bench-frames.mjs [dist]   (after `trunk build --release`; ./run.sh bench)
// Frame rates swing with whatever else runs on the machine, so the script also traces 3 s of
// playing and prints the CPU time (thread time, not wall time) each frame costs per thread:
// the page's main thread (our wasm, style, layout, paint), the raster workers, the rest.
import { readFile, rm } from "node:fs/promises";
import { serve, launch, openPage, ready } from "./harness.mjs";

const SECONDS = 6;
const site = await serve(process.argv[2] ?? "dist");
for (const from of [1000, 5000]) await measure(from);
site.server.close();

async function measure(from) {
  const browser = await launch();
  const { page, errors } = await openPage(browser, site.origin, { width: 1280, height: 800 });
  await page.goto(`${site.base}?scenario=crowd&t=${from}`);
  await ready(page);
  await page.click("[data-testid=play]");
  const r = await page.evaluate(async (seconds) => {
    const frames = [];
    const msgs = [];
    let last = performance.now();
    const end = last + seconds * 1000;
    await new Promise((done) => {
      const tick = (now) => {
        frames.push(now - last);
        last = now;
        // Messages are drawn as one path per kind; the group says how many shapes it holds.
        msgs.push([...document.querySelectorAll(".stage .messages")].reduce((n, g) => n + Number(g.dataset.drawn ?? 0), 0));
        if (now < end) requestAnimationFrame(tick); else done();
      };
      requestAnimationFrame(tick);
    });
    return { frames: frames.slice(1), msgs };
  }, SECONDS);
  const sorted = [...r.frames].sort((a, b) => a - b);
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  const mean = r.frames.reduce((a, b) => a + b, 0) / r.frames.length;
  const msgs = [...r.msgs].sort((a, b) => a - b);
  const tick = await page.getAttribute("[data-testid=tick]", "data-value");
  console.log(`BENCH frames: crowd (9 nodes) from t=${from}, ${SECONDS} s playing, ${r.frames.length} frames, ` +
    `${(1000 / mean).toFixed(1)} fps mean; frame ms p50 ${q(0.5).toFixed(1)}, p95 ${q(0.95).toFixed(1)}, ` +
    `p99 ${q(0.99).toFixed(1)}, max ${sorted[sorted.length - 1].toFixed(1)}; messages drawn p50 ` +
    `${msgs[Math.floor(msgs.length / 2)]}, max ${msgs[msgs.length - 1]}; reached tick ${tick}`);
  const trace = `/tmp/bench-frames-${process.pid}.json`;
  await browser.startTracing(page, { path: trace, categories: ["devtools.timeline", "toplevel", "cc"] });
  await page.waitForTimeout(3000);
  await browser.stopTracing();
  const all = JSON.parse(await readFile(trace, "utf8")).traceEvents;
  await rm(trace);
  const names = new Map(all.filter((e) => e.name === "thread_name").map((e) => [`${e.pid}:${e.tid}`, e.args.name]));
  const byThread = new Map();
  let traced = 0;
  for (const e of all) {
    if (e.name === "FireAnimationFrame") traced++;
    if (e.ph !== "X" || !e.dur) continue;
    const k = `${e.pid}:${e.tid}`;
    if (!byThread.has(k)) byThread.set(k, []);
    byThread.get(k).push(e);
  }
  const cpu = { main: 0, raster: 0, other: 0 };
  for (const [k, es] of byThread) {
    es.sort((a, b) => a.ts - b.ts);
    let end = -1, t = 0;
    for (const e of es) if (e.ts >= end) { t += e.tdur ?? e.dur; end = e.ts + e.dur; } // top-level slices only
    const n = names.get(k);
    cpu[n === "CrRendererMain" ? "main" : n === "ThreadPoolForegroundWorker" ? "raster" : "other"] += t;
  }
  const per = (x) => (x / 1000 / Math.max(1, traced)).toFixed(1);
  console.log(`BENCH frame cost: ${traced} frames traced; CPU ms per frame: main thread ${per(cpu.main)}, ` +
    `raster workers ${per(cpu.raster)}, other threads ${per(cpu.other)}`);
  if (errors.length) console.log(`page reported: ${errors.join("; ")}`);
  await browser.close();
}
