// A tiny end-to-end harness: serves dist/ on 127.0.0.1, drives headless Chromium with
// playwright-core, and fails a test on any console error, page error, failed request or request
// to another origin. Spec files call `test(name, fn)`; run.mjs runs them all.
import { createServer } from "node:http";
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

export const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
};

/** The first element with `data-testid="id"`. */
export const $ = (page, id) => page.locator(`[data-testid="${id}"]`).first();

/** A sandbox link with the built-in traffic and faults off, opened paused at tick 0. */
export const quiet = (q) => `?${q}&workload=0&faults=0&t=0`;

/** Moves the display clock to tick `t` with the scrubber (as dragging it would). */
export async function seek(page, t) {
  await page.$eval("[data-testid=scrubber]", (el, t) => {
    el.value = String(t);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, t);
  await page.waitForFunction((t) => document.querySelector("[data-testid=tick]")?.textContent.startsWith(`t = ${t} `), t);
}

/** Clicks link `id` and waits until its `data-state` is `want`. */
export async function clickLink(page, id, want) {
  await $(page, id).click();
  await page.waitForFunction(([id, want]) =>
    document.querySelector(`[data-testid=${id}]`)?.getAttribute("data-state") === want, [id, want]);
}

export const OUT = "tests/e2e/out";
const TIMES = `${OUT}/times.json`;
const tests = [];
let spec = "";

/** Names the spec file whose tests are registered next (run.mjs calls it before each import). */
export function specFile(name) {
  spec = name.replace(/\.spec\.mjs$/, "");
}

/**
 * Registers a test. `fn({ page, url, errors })` drives the page; throw to fail.
 * `opts.viewport`, `opts.context` (browser context options), `opts.allowErrors`, and
 * `opts.lock`: tests holding the same lock never run at the same time (e.g. "clipboard": the
 * browser's clipboard is shared by its pages); `opts.alone`: the test runs with no other test
 * beside it (it samples an animation in real time, which a busy CPU would thin out);
 * `opts.prerender`: the page gets the prerendered first frames (dist/pre/) as a reader does.
 */
export function test(name, fn, opts = {}) {
  tests.push({ name, fn, opts, spec });
}

/** Throws with `message` unless `cond`. */
export function expect(cond, message) {
  if (!cond) throw new Error(message);
}

/** Serves `root` under `prefix` (e.g. "/" or "/some/sub/path/") on 127.0.0.1. */
export async function serve(root, prefix = "/") {
  const zipped = new Map();
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (!path.startsWith(prefix)) {
      res.writeHead(404).end();
      return;
    }
    let rel = normalize(path.slice(prefix.length)).replace(/^(\.\.[/\\])+/, "");
    if (rel === "" || rel === ".") rel = "index.html";
    try {
      const file = join(root, rel);
      const body = await readFile(file);
      // Gzipped (level 9) when the browser accepts it, as any static host serves it (a throttled
      // load's timings depend on it; tests/bench/first-frame.mjs measures with it); compressed
      // once per file.
      const gz = /gzip/.test(req.headers["accept-encoding"] ?? "");
      if (gz && zipped.get(file)?.[0] !== body.length) zipped.set(file, [body.length, gzipSync(body, { level: 9 })]);
      res.writeHead(200, { "content-type": MIME[extname(rel)] ?? "application/octet-stream", ...(gz ? { "content-encoding": "gzip" } : {}) });
      res.end(gz ? zipped.get(file)[1] : body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return { server, origin: `http://127.0.0.1:${port}`, base: `http://127.0.0.1:${port}${prefix}` };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
      "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync",
    ],
  });
}

/** Opens a page that records console errors, page errors and requests to other origins. */
export async function openPage(browser, origin, viewport = { width: 1280, height: 800 }, extra = {}) {
  const context = await browser.newContext({ viewport, ...extra });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  // ERR_ABORTED is the browser cancelling a request itself (a navigation away while the favicon
  // still loads); a missing file shows as an HTTP status below, a refused one as another error.
  page.on("requestfailed", (r) => {
    const why = r.failure()?.errorText;
    if (why !== "net::ERR_ABORTED") errors.push(`request failed: ${r.url()} ${why}`);
  });
  page.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith("data:") && !u.startsWith("blob:")) {
      errors.push(`request to another origin: ${u}`);
    }
  });
  page.on("response", (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`); });
  return { context, page, errors };
}

/** Waits until the app has mounted (node n1 is drawn by the app, not in the first frame that
 * index.html shows until the app starts: the app removes `#pre` before it draws). */
export async function ready(page) {
  await page.waitForFunction(() => !document.getElementById("pre") && document.querySelector("[data-testid=node-n1]"), null, { timeout: 15000, polling: 50 });
}

/** The outerHTML of each element `sel` of a page just opened, once it draws `want`. A stage is
 * drawn first at size (0, 0) and again once a ResizeObserver has measured it (`ui::components::
 * stage::use_size`), and its text follows that size, so a page read as soon as it is `ready` may
 * not be drawn for its size yet. Waits up to 5 s, then returns what is drawn (for the caller's
 * assertion). */
export async function settled(page, sel, want) {
  await page.waitForFunction(([sel, want]) => {
    const now = [...document.querySelectorAll(sel)].map((e) => e.outerHTML);
    return now.length === want.length && now.every((h, i) => h === want[i]);
  }, [sel, want], { timeout: 5000, polling: 50 }).catch(() => {});
  return page.$$eval(sel, (all) => all.map((e) => e.outerHTML));
}

/** Sums up a canvas's RGBA pixels: the opaque ones, the inked ones (any alpha), the opaque ones'
 * colours, and a mask of which pixels are inked (one sample in four). It runs in the page or in
 * a worker, so it is sent there as source (`INK`). */
function ink(px) {
  const colours = new Set();
  let painted = 0, inked = 0, mask = "";
  for (let i = 0; i < px.length; i += 4) {
    if (px[i + 3] === 255) { painted++; colours.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]); }
    if (px[i + 3] > 0) inked++;
    if ((i / 4) % 4 === 0) mask += px[i + 3] > 0 ? "1" : "0";
  }
  return { painted, inked, colours: colours.size, mask };
}
const INK = `(${ink})`;

/** `read()` again every 50 ms until `ok` holds of what it returns, for up to `ms`; the last. */
async function until(read, ok, ms = 5000) {
  const end = Date.now() + ms;
  let r = await read();
  while (!ok(r) && Date.now() < end) {
    await new Promise((done) => setTimeout(done, 50));
    r = await read();
  }
  return r;
}

/** What the stage's worker (static/flight.js; the `index`th stage's) has drawn on its canvas
 * (see `ink`). The worker draws on frames of its own, so this waits (up to 5 s) until at least
 * `atLeast` pixels are opaque. */
export async function workerPixels(page, atLeast = 1, index = 0) {
  return until(async () => {
    const w = page.workers()[index];
    const r = w
      ? await w.evaluate(`${INK}(ctx.getImageData(0, 0, ctx.canvas.width, ctx.canvas.height).data)`)
      : { painted: 0, inked: 0, colours: 0, mask: "" };
    return { ...r, workers: page.workers().length };
  }, (r) => r.painted >= atLeast);
}

/** What the main thread has painted on the first stage's message canvas (see `ink`), once `ok`
 * holds of it (waiting up to `ms`). */
export async function canvasPixels(page, ok = () => true, ms = 0) {
  return until(() => page.evaluate(`(() => {
    const c = document.querySelector(".stage-wrap .msg-layer");
    return ${INK}(c.getContext("2d").getImageData(0, 0, c.width, c.height).data);
  })()`), ok, ms);
}

export async function shot(page, name) {
  await mkdir(OUT, { recursive: true });
  await page.screenshot({ path: `${OUT}/${name}.png` });
}

/** Runs one test in a fresh context; prints one line; returns [passed, milliseconds]. */
async function runOne(t, browser, site) {
  const started = Date.now();
  const { context, page, errors } = await openPage(browser, site.origin, t.opts.viewport, t.opts.context);
  // A prerendered first frame (dist/pre/, issue #16) is inert until the app starts; tests that
  // drive the app get none (an empty answer: the page keeps its placeholder), unless they ask.
  if (!t.opts.prerender) await page.route(/\/pre\/[^/]*\.html$/, (r) => r.fulfill({ status: 200, contentType: "text/html", body: "" }));
  let ok = true;
  try {
    await t.fn({ page, errors, url: (q = "") => site.base + q, site, browser });
    if (!t.opts.allowErrors && errors.length) throw new Error(`page reported:\n    ${errors.join("\n    ")}`);
  } catch (e) {
    ok = false;
    console.log(`  FAIL ${t.name}\n    ${String(e.stack ?? e).split("\n").slice(0, 4).join("\n    ")}`);
    await shot(page, `FAIL-${t.name.replace(/[^a-z0-9]+/gi, "-")}`).catch(() => {});
  }
  await context.close();
  const ms = Date.now() - started;
  if (ok) console.log(`  ok   ${t.name} (${ms} ms)`);
  return [ok, ms];
}

/**
 * Runs every registered test (those whose name contains E2E_GREP, if set) in E2E_JOBS
 * parallel contexts of one browser (default 2); prints one line per test, the time per spec,
 * the slowest tests and a summary; returns the failure count.
 */
export async function runAll(dist) {
  const site = await serve(dist);
  const browser = await launch();
  const grep = process.env.E2E_GREP;
  const jobs = Math.max(1, Math.min(8, Number(process.env.E2E_JOBS ?? 2) || 1));
  // Longest first (by the last run's times, kept in out/): the long tests do not end up alone
  // at the end while the other job idles. Without that file, the order of registration.
  const last = JSON.parse(await readFile(TIMES, "utf8").catch(() => "{}"));
  const queue = tests.filter((t) => !grep || t.name.includes(grep))
    .map((t, i) => [last[t.name] ?? 0, i, t]).sort((a, b) => b[0] - a[0] || a[1] - b[1]).map(([, , t]) => t);
  const held = new Set();
  const times = [];
  let passed = 0, failed = 0;
  const wall = Date.now();
  let running = 0, alone = false;
  const free = (t) => !alone && (!t.opts.lock || !held.has(t.opts.lock)) && (!t.opts.alone || running === 0);
  const worker = async () => {
    while (queue.length) {
      const i = queue.findIndex(free);
      if (i < 0) {
        await new Promise((ok) => setTimeout(ok, 20)); // waiting for a lock or an empty browser
        continue;
      }
      const [t] = queue.splice(i, 1);
      if (t.opts.lock) held.add(t.opts.lock);
      alone = Boolean(t.opts.alone);
      running++;
      const [ok, ms] = await runOne(t, browser, site);
      running--;
      alone = false;
      if (t.opts.lock) held.delete(t.opts.lock);
      ok ? passed++ : failed++;
      times.push([ms, t]);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  await browser.close();
  site.server.close();
  await mkdir(OUT, { recursive: true });
  await writeFile(TIMES, JSON.stringify({ ...last, ...Object.fromEntries(times.map(([ms, t]) => [t.name, ms])) }));
  const perSpec = new Map();
  for (const [ms, t] of times) perSpec.set(t.spec, (perSpec.get(t.spec) ?? 0) + ms);
  const specs = [...perSpec].map(([s, ms]) => `${s || "?"} ${(ms / 1000).toFixed(1)} s`).join(", ");
  const slow = times.sort((a, b) => b[0] - a[0]).slice(0, 3).map(([ms, t]) => `${t.name.slice(0, 40)} ${(ms / 1000).toFixed(1)} s`);
  console.log(`e2e time: ${((Date.now() - wall) / 1000).toFixed(1)} s wall with ${jobs} job(s); per spec (sum of tests): ${specs}`);
  console.log(`e2e slowest: ${slow.join("; ")}`);
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  return failed;
}
