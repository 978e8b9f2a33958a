// A tiny end-to-end harness: serves dist/ on 127.0.0.1, drives headless Chromium with
// playwright-core, and fails a test on any console error, page error, failed request or request
// to another origin. Spec files call `test(name, fn)`; run.mjs runs them all.
import { createServer } from "node:http";
import { readFile, mkdir } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";

const MIME = {
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
const tests = [];

/** Registers a test. `fn({ page, url, errors })` drives the page; throw to fail. */
export function test(name, fn, opts = {}) {
  tests.push({ name, fn, opts });
}

/** Throws with `message` unless `cond`. */
export function expect(cond, message) {
  if (!cond) throw new Error(message);
}

/** Serves `root` under `prefix` (e.g. "/" or "/some/sub/path/") on 127.0.0.1. */
export async function serve(root, prefix = "/") {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (!path.startsWith(prefix)) {
      res.writeHead(404).end();
      return;
    }
    let rel = normalize(path.slice(prefix.length)).replace(/^(\.\.[/\\])+/, "");
    if (rel === "" || rel === ".") rel = "index.html";
    try {
      const body = await readFile(join(root, rel));
      res.writeHead(200, { "content-type": MIME[extname(rel)] ?? "application/octet-stream" });
      res.end(body);
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
  page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith("data:") && !u.startsWith("blob:")) {
      errors.push(`request to another origin: ${u}`);
    }
  });
  page.on("response", (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`); });
  return { context, page, errors };
}

/** Waits until the app has mounted (node n1 is drawn). */
export async function ready(page) {
  await page.waitForSelector("[data-testid=node-n1]", { timeout: 15000 });
}

export async function shot(page, name) {
  await mkdir(OUT, { recursive: true });
  await page.screenshot({ path: `${OUT}/${name}.png` });
}

/** Runs every registered test; prints one line each and a summary; returns the failure count. */
export async function runAll(dist) {
  const site = await serve(dist);
  const browser = await launch();
  let passed = 0, failed = 0;
  const grep = process.env.E2E_GREP; // run only the tests whose name contains this text
  for (const t of tests.filter((t) => !grep || t.name.includes(grep))) {
    const { context, page, errors } = await openPage(browser, site.origin, t.opts.viewport, t.opts.context);
    const started = Date.now();
    try {
      await t.fn({ page, errors, url: (q = "") => site.base + q, site, browser });
      if (!t.opts.allowErrors && errors.length) throw new Error(`page reported:\n    ${errors.join("\n    ")}`);
      passed++;
      console.log(`  ok   ${t.name} (${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      console.log(`  FAIL ${t.name}\n    ${String(e.stack ?? e).split("\n").slice(0, 4).join("\n    ")}`);
      await shot(page, `FAIL-${t.name.replace(/[^a-z0-9]+/gi, "-")}`).catch(() => {});
    }
    await context.close();
  }
  await browser.close();
  site.server.close();
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  return failed;
}
