// Prerenders the first frame of every plain link (issue #16): node tools/prerender.mjs [dist]
//
// A reader on a slow phone would otherwise look at an empty page until the wasm (≈ 400 KB gzip)
// has arrived and compiled. For the landing page, each sandbox scenario and each lesson step,
// page and embed, at a narrow (phone) and a wide size, this loads the built app in headless
// Chromium, lets it draw its first frame, and saves that frame's DOM as
// dist/pre/<key>.html. index.html's inline script fetches the file for the link it is opened
// with and shows it until the app starts; the app removes it before drawing the same frame.
//
// The saved DOM is the app's own output, so it is the real frame of that link, not a drawing of
// it. Animation frames are stopped while it is taken (the run does not move on); the message
// canvas is saved as an image in its stage's SVG (an inline canvas has no content); inputs keep
// their values; `style` attributes are dropped (the page's policy forbids inline styles).
// Keys (and so file names) are made here and in index.html's script the same way.
import { createServer } from "node:http";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";

const DIST = process.argv[2] ?? "dist";
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".svg": "image/svg+xml" };
const SIZES = {
  narrow: { width: 390, height: 844, deviceScaleFactor: 2 },
  wide: { width: 1280, height: 800, deviceScaleFactor: 1 },
  // A blog's iframe (the wide embed).
  wideEmbed: { width: 800, height: 500, deviceScaleFactor: 1 },
};

const server = createServer(async (req, res) => {
  let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  if (path.endsWith("/")) path += "index.html";
  try {
    const body = await readFile(join(DIST, normalize(path).replace(/^(\.\.[/\\])+/, "")));
    res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream", "cache-control": "max-age=3600" }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const origin = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });

/** A page at `size` with animation frames stopped (the run does not move on), whose message
 * layer is painted on the main thread (no OffscreenCanvas: a canvas handed to a worker cannot be
 * read back into the snapshot). */
async function newPage(size) {
  const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, deviceScaleFactor: size.deviceScaleFactor, colorScheme: "light", reducedMotion: "no-preference" });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && page.errors.push(m.text()));
  await page.addInitScript(() => {
    window.requestAnimationFrame = () => 0;
    delete HTMLCanvasElement.prototype.transferControlToOffscreen;
  });
  return page;
}

/** Opens `query` (the same page each time: the wasm comes from its cache); resolves once the
 * app has drawn. (The wait polls on a timer: Playwright's default polls on animation frames,
 * which are stopped here.) A load that has not started the app within 30 s is tried again. */
async function visit(page, query, tries = 3) {
  page.errors.length = 0;
  await page.goto(origin + query);
  const started = await page
    .waitForFunction(() => !document.getElementById("pre") && document.getElementById("app")?.firstElementChild, null, { timeout: 30000, polling: 50 })
    .then(() => true, () => false);
  if (!started && tries > 1) {
    console.log(`prerender: ${query}: the app had not started after 30 s; loading it again`);
    return visit(page, query, tries - 1);
  }
  if (!started) throw new Error(`prerender: ${query}: the app did not start (${page.errors.join("; ")})`);
  await page.waitForTimeout(120); // the stage's measured size, the canvas's first paint
  if (page.errors.length) throw new Error(`prerender: ${query}: ${page.errors.join("; ")}`);
}

/** The app's DOM as index.html's #pre can hold it. */
function snapshot() {
  const NS = "http://www.w3.org/2000/svg";
  for (const el of document.querySelectorAll("input")) {
    if (el.type === "checkbox" || el.type === "radio") el.toggleAttribute("checked", el.checked);
    else el.setAttribute("value", el.value);
  }
  for (const o of document.querySelectorAll("option")) o.toggleAttribute("selected", o.selected);
  for (const t of document.querySelectorAll("textarea")) t.textContent = t.value;
  for (const c of document.querySelectorAll("canvas.msg-layer")) {
    const svg = c.parentElement?.querySelector("svg.stage");
    if (!svg || !c.width || !c.height) continue;
    const [, , vw, vh] = svg.getAttribute("viewBox").split(/\s+/).map(Number);
    // The canvas covers the SVG's box; the viewBox is drawn in it centred ("meet").
    const s = Math.min(c.width / vw, c.height / vh);
    const [w, h] = [Math.round(vw * s), Math.round(vh * s)];
    const crop = document.createElement("canvas");
    [crop.width, crop.height] = [w, h];
    const g = crop.getContext("2d");
    g.drawImage(c, (c.width - w) / 2, (c.height - h) / 2, w, h, 0, 0, w, h);
    if (!g.getImageData(0, 0, w, h).data.some((v, i) => i % 4 === 3 && v > 0)) continue;
    const img = document.createElementNS(NS, "image");
    for (const [k, v] of [["x", 0], ["y", 0], ["width", vw], ["height", vh], ["class", "pre-msgs"], ["href", crop.toDataURL("image/png")]]) img.setAttribute(k, v);
    svg.insertBefore(img, svg.firstChild);
  }
  const app = document.getElementById("app").cloneNode(true);
  app.querySelectorAll("canvas").forEach((e) => e.remove());
  app.querySelectorAll("[style]").forEach((e) => e.removeAttribute("style"));
  return app.innerHTML;
}

async function save(page, query, key) {
  await visit(page, query);
  // index.html's script gives <html> the one class the app sets on it for these links.
  const root = await page.evaluate(() => document.documentElement.className);
  if (root !== (key.includes("-embed-") ? "embed" : "")) throw new Error(`prerender: ${query}: <html> has class "${root}"`);
  // Links the app wrote with this server's address become relative, as the page's own are.
  const html = (await page.evaluate(snapshot)).replaceAll(origin, "./");
  await writeFile(join(DIST, "pre", `${key}.html`), html);
  return html.length;
}

const scenarioNames = [];
const lessonSteps = [];
/** Every plain link: the landing page, each scenario, each step of each lesson. */
async function links() {
  const page = await newPage(SIZES.wide);
  await visit(page, "?scenario=bank");
  const scenarios = await page.$$eval("[data-testid=scenario] option", (os) => os.map((o) => o.value));
  await visit(page, "");
  const lessons = await page.$$eval("a.card[href*='lesson=']", (as) => [...new Set(as.map((a) => new URL(a.href).searchParams.get("lesson")))]);
  const out = [{ query: "", key: "home" }];
  scenarioNames.push(...scenarios);
  for (const s of scenarios) out.push({ query: `?scenario=${s}`, key: `scenario-${s}` });
  for (const l of lessons) {
    await visit(page, `?lesson=${l}`);
    const steps = await page.$$eval("ol.dots li", (li) => li.length);
    lessonSteps.push([l, steps]);
    for (let i = 1; i <= steps; i++) out.push({ query: `?lesson=${l}&step=${i}`, key: `lesson-${l}-${i}` });
  }
  await page.context().close();
  const embeds = out.filter((l) => l.key !== "home").map((l) => ({ query: `${l.query}&embed=1`, key: `${l.key}-embed`, embed: true }));
  return [...out, ...embeds];
}

/** Sets <html>'s data-k in dist/index.html (empty: no link has a file, none is fetched). */
async function setKnown(json) {
  const index = join(DIST, "index.html");
  const page = await readFile(index, "utf8");
  const tag = page.match(/<html\b[^>]*>/)?.[0];
  const attr = `data-k="${json.replaceAll("&", "&amp;").replaceAll('"', "&quot;")}"`;
  const filled = tag?.replace(/\bdata-k(="[^"]*")?(?=[ >])/, attr);
  if (!filled?.includes(attr)) throw new Error("prerender: index.html has no <html> with data-k");
  await writeFile(index, page.replace(tag, filled));
}

await setKnown("");
await rm(join(DIST, "pre"), { recursive: true, force: true });
await mkdir(join(DIST, "pre"));
const todo = [];
for (const l of await links()) {
  todo.push([l.query, `${l.key}-narrow`, "narrow"]);
  todo.push([l.query, `${l.key}-wide`, l.embed ? "wideEmbed" : "wide"]);
}
let bytes = 0;
const t0 = Date.now();
const worker = async () => {
  const pages = {};
  for (let job; (job = todo.shift()); ) {
    const [query, key, size] = job;
    pages[size] ??= await newPage(SIZES[size]);
    bytes += await save(pages[size], query, key);
  }
  for (const page of Object.values(pages)) await page.context().close();
};
const total = todo.length;
await Promise.all([worker(), worker()]);
await browser.close();
server.close();
// Tells index.html's script which links have a file (no request for one that has none).
await setKnown(JSON.stringify({ l: Object.fromEntries(lessonSteps), s: scenarioNames }));
console.log(`prerender: ${total} first frames in dist/pre/ (${Math.round(bytes / 1024)} KB before compression) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
