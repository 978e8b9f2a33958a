// The three ways people use CAP Lab: embedded in a blog post (iframe), shared by link, projected
// in a classroom; plus accessibility (keyboard only, axe-core) and exports. No sleeps: every wait
// is on a selector, an attribute or an event.
import { readFile, writeFile } from "node:fs/promises";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { test, expect, ready, shot, $, quiet, seek, clickLink } from "./harness.mjs";




const scrollSize = (page) => page.evaluate(() => ({
  w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight,
}));

// What a stage shows (its events, each node's value, status and role, each link's state, the
// messages' digest), not how large its text is drawn: that follows the stage's size on screen.
const stageSvg = (page) => page.$eval("[data-testid=stage-0]", (e) => [e, ...e.querySelectorAll("[data-testid]")]
  .map((x) => [...x.attributes].filter((a) => a.name.startsWith("data-")).map((a) => `${a.name}=${a.value}`).join(" "))
  .join("\n"));

// ---- Embedded in a blog post -------------------------------------------------------------

test("embed: the sandbox fits an 800×500 iframe without scrollbars, with an open-full-view link", async ({ page, url }) => {
  await page.goto(url("?scenario=bank&mode=cp&seed=3&t=1500&embed=1"));
  await ready(page);
  await page.waitForFunction(() => document.documentElement.classList.contains("embed"));
  const { w, h } = await scrollSize(page);
  expect(w <= 800 && h <= 500, `embed scroll size ${w}×${h}`);
  expect(!(await page.locator("h1").isVisible()), "no page chrome (masthead hidden)");
  for (const id of ["play", "step", "scrubber", "op-n1-withdraw", "metric-availability"]) {
    expect(await $(page, id).isVisible(), `${id} visible in the embed`);
  }
  const open = $(page, "open-full");
  expect((await open.getAttribute("target")) === "_blank", "open full view: target=_blank");
  expect((await open.getAttribute("rel")) === "noopener", "open full view: rel=noopener");
  const href = await open.getAttribute("href");
  expect(!href.includes("embed=1") && href.includes("scenario=bank") && href.includes("mode=cp") && href.includes("t=1500"),
    `open full view keeps the state without embed: ${href}`);
  await shot(page, "classroom-embed-800x500");
  // The full view opens the same frame.
  const embedded = await stageSvg(page);
  await page.goto(href);
  await ready(page);
  expect(await page.locator("h1").isVisible(), "the full view has its chrome");
  expect((await stageSvg(page)) === embedded, "the full view shows the same stage");
}, { viewport: { width: 800, height: 500 } });

test("embed in presenter mode at 800×450: the stage keeps its room, nothing overlaps", async ({ page, url }) => {
  await page.goto(url("?scenario=crowd&t=1200&embed=1&present=1"));
  await ready(page);
  await page.waitForFunction(() => document.documentElement.classList.contains("present"));
  const stage = await $(page, "stage-0").boundingBox();
  expect(stage && stage.height >= 250 && stage.width >= 400, `stage: ${JSON.stringify(stage)}`);
  const [tick, open] = [await $(page, "tick").boundingBox(), await $(page, "open-full").boundingBox()];
  const apart = tick.x + tick.width <= open.x || open.x + open.width <= tick.x || tick.y + tick.height <= open.y || open.y + open.height <= tick.y;
  expect(apart, `the clock and the full-view link do not overlap: ${JSON.stringify([tick, open])}`);
  const { w } = await scrollSize(page);
  expect(w <= 800, `no sideways scroll: ${w}`);
  await shot(page, "classroom-embed-present-800x450");
}, { viewport: { width: 800, height: 450 } });

test("embed: a malformed link keeps the compact frame and says what was wrong", async ({ page, url }) => {
  await page.goto(url("?scenario=bank&mode=zz&embed=1"));
  await ready(page);
  expect(await $(page, "notice").isVisible(), "a notice explains the bad link");
  expect(await page.evaluate(() => document.documentElement.classList.contains("embed")), "still embedded");
  const { w, h } = await scrollSize(page);
  expect(w <= 800 && h <= 500, `embed scroll size ${w}×${h}`);
}, { viewport: { width: 800, height: 500 } });

test("embed: usable at 360 px wide (no sideways scroll, requests work)", async ({ page, url }) => {
  await page.goto(url(quiet("scenario=feed&mode=ap") + "&embed=1"));
  await ready(page);
  await page.waitForFunction(() => document.documentElement.classList.contains("embed"));
  const { w } = await scrollSize(page);
  expect(w <= 360, `scroll width at 360 px: ${w}`);
  const stage = await $(page, "stage-0").boundingBox();
  expect(stage && stage.width >= 300, `stage is usable: ${JSON.stringify(stage)}`);
  await $(page, "op-n1-like").click();
  await seek(page, 60);
  const done = page.locator("[data-testid=answer-n1]");
  expect((await done.getAttribute("data-outcome")) === "ok", `like at n1: ${await done.getAttribute("data-outcome")}`);
  await shot(page, "classroom-embed-360");
}, { viewport: { width: 360, height: 640 } });

test("embed button: a ready iframe snippet for this frame, shown as text, with a copy button", async ({ page, url }) => {
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto(url(quiet("scenario=bank&mode=ap")));
  await ready(page);
  await $(page, "embed").click();
  const code = await $(page, "embed-code").inputValue();
  expect(/^<iframe src="http:\/\/127\.0\.0\.1:\d+\/\?scenario=bank&amp;mode=ap[^"]*&amp;embed=1[^"]*" width="800" height="500" title="CAP Lab" loading="lazy"><\/iframe>$/.test(code),
    `snippet: ${code}`);
  await $(page, "embed-copy").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=share-status]")?.textContent.includes("copied"));
  const clip = await page.evaluate(() => navigator.clipboard.readText());
  expect(clip === code, `clipboard holds the snippet: ${clip}`);
  // The snippet's page renders inside an iframe of 800×500 without scrollbars.
  const src = code.match(/src="([^"]+)"/)[1].replaceAll("&amp;", "&");
  await page.setContent(`<iframe src="${src}" width="800" height="500" title="CAP Lab"></iframe>`);
  const frame = page.frames()[1];
  await frame.waitForSelector("[data-testid=node-n1]");
  const size = await frame.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]);
  expect(size[0] <= 800 && size[1] <= 500, `inside the iframe: ${size}`);
}, { lock: "clipboard" });

// The copy buttons when the page may not write the clipboard: an insecure page has no
// `navigator.clipboard`; a browser may also refuse. The text is then selected in a read-only
// field and the status says to press Ctrl+C.
for (const [how, init] of [
  ["no navigator.clipboard", () => { delete Navigator.prototype.clipboard; }],
  ["the clipboard refuses", () => {
    Clipboard.prototype.writeText = () => Promise.reject(new DOMException("denied", "NotAllowedError"));
  }],
]) {
  test(`copy fallback (${how}): the text is selected in a read-only field, with a Ctrl+C hint`, async ({ page, url }) => {
    await page.addInitScript(init);
    await page.goto(url(quiet("scenario=bank&mode=cp")));
    await ready(page);
    const selected = () => page.evaluate(() => {
      const e = document.activeElement;
      return { id: e?.dataset.testid, readonly: e?.readOnly, all: e?.selectionStart === 0 && e?.selectionEnd === e?.value.length,
        value: e?.value };
    });
    await $(page, "copy-link").click();
    await page.waitForFunction(() => document.querySelector("[data-testid=share-status]")?.textContent.includes("Ctrl+C"));
    expect(await $(page, "copy-fallback").isVisible(), "the link is shown in a field");
    const link = await selected();
    expect(link.id === "copy-fallback" && link.readonly && link.all, `the link field is focused, read-only, all selected: ${JSON.stringify(link)}`);
    expect(link.value === (await page.evaluate(() => location.href)), `the field holds the frame's link: ${link.value}`);
    expect(!(await $(page, "share-status").textContent()).includes("copied"), "never says copied");
    await seek(page, 300); // another frame: the field's link is stale, so it goes
    await page.waitForFunction(() => !document.querySelector("[data-testid=copy-fallback]"));
    await $(page, "embed").click();
    await $(page, "embed-copy").click();
    await page.waitForFunction(() => document.activeElement?.dataset.testid === "embed-code");
    const code = await selected();
    expect(code.readonly && code.all && code.value.startsWith("<iframe"), `the snippet is selected: ${JSON.stringify(code)}`);
    expect((await $(page, "share-status").textContent()).includes("Ctrl+C"), "the hint is shown for the snippet");
  });
}

// ---- Shared by link ----------------------------------------------------------------------

test("copy link: the same link twice gives a byte-identical stage, and it is short", async ({ page, url, browser }) => {
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto(url(quiet("scenario=bank&mode=cp")));
  await ready(page);
  await seek(page, 900);
  await clickLink(page, "link-n1-n3", "cut");
  await clickLink(page, "link-n2-n3", "cut");
  await $(page, "op-n3-withdraw").click();
  await $(page, "op-n1-deposit").click();
  await seek(page, 1400);
  await $(page, "copy-link").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=share-status]")?.textContent.includes("copied"));
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link === (await page.evaluate(() => location.href)), `copied link is the address bar: ${link}`);
  const path = link.slice(link.indexOf("?"));
  expect(path.length <= 300, `link is ${path.length} characters: ${path}`);
  const original = await stageSvg(page);
  const pictures = [];
  for (let i = 0; i < 2; i++) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await ctx.newPage();
    await p.goto(link);
    await ready(p);
    pictures.push(await stageSvg(p));
    await ctx.close();
  }
  expect(pictures[0] === pictures[1], "the same link twice: identical stage SVG");
  expect(pictures[0] === original, "the link reproduces the frame it was copied from");
}, { lock: "clipboard" });

// ---- Projected in a classroom ------------------------------------------------------------

test("presenter mode: body text ≥ 24 px at 1280×720, high contrast, caption; P toggles it", async ({ page, url, browser }) => {
  await page.goto(url(quiet("scenario=bank&mode=cp")));
  await ready(page);
  await $(page, "op-n1-deposit").click();
  await seek(page, 1200);
  await page.keyboard.press("p");
  await page.waitForFunction(() => document.documentElement.classList.contains("present"));
  expect((await page.evaluate(() => location.search)).includes("present=1"), "present=1 in the address bar");
  const sizes = await page.evaluate(() => {
    const out = [];
    const sel = "p, li, label, button, select, output, h2, h3, .metric-label, .metric-value, .answer, [data-testid=caption]";
    for (const el of document.querySelectorAll(sel)) {
      if (el.closest("svg") || el.classList.contains("sr-only") || !el.offsetParent) continue;
      if (!el.textContent.trim()) continue;
      out.push([el.className || el.tagName, parseFloat(getComputedStyle(el).fontSize)]);
    }
    return out;
  });
  const small = sizes.filter(([, px]) => px < 24);
  expect(sizes.length > 20, `text elements measured: ${sizes.length}`);
  expect(small.length === 0, `text under 24 px in presenter mode: ${JSON.stringify(small.slice(0, 8))}`);
  const caption = $(page, "caption");
  expect(await caption.isVisible(), "the caption is shown under the stage");
  expect((await caption.textContent()).includes("Alice @ n1: deposit 20 ✓"), `caption: ${await caption.textContent()}`);
  expect((await caption.getAttribute("aria-live")) === "polite", "caption is an aria-live region");
  await shot(page, "classroom-present-1280x720");
  // From the back row: the same frame at half size (a 640×360 picture) — look at it.
  const half = await browser.newContext({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 0.5 });
  const p2 = await half.newPage();
  await p2.goto(await page.evaluate(() => location.href));
  await ready(p2);
  await p2.screenshot({ path: "tests/e2e/out/classroom-present-1280x720-at-50pc.png" });
  await half.close();
  await page.keyboard.press("p");
  await page.waitForFunction(() => !document.documentElement.classList.contains("present"));
}, { viewport: { width: 1280, height: 720 } });

test("keyboard only: Tab reaches every control with a focus ring; shortcuts and the ? overlay", async ({ page, url }) => {
  await page.goto(url(quiet("scenario=bank&mode=cp")));
  await ready(page);
  // Tab through the page: the controls, the links and the operation buttons are all reachable.
  const seen = new Set();
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press("Tab");
    const f = await page.evaluate(() => {
      const e = document.activeElement;
      const style = getComputedStyle(e);
      return { id: e.getAttribute("data-testid"), ring: style.outlineStyle !== "none" || e.closest("svg") !== null };
    });
    if (f.id) {
      seen.add(f.id);
      expect(f.ring, `${f.id} has a visible focus ring`);
    }
  }
  for (const id of ["scenario", "mode", "play", "step", "scrubber", "copy-link", "embed", "present", "help",
    "link-n1-n2", "node-n1", "op-n1-deposit", "op-n3-withdraw"]) {
    expect(seen.has(id), `Tab reaches ${id} (reached: ${[...seen].join(" ")})`);
  }
  // A link is cut with the keyboard.
  await $(page, "link-n1-n2").focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector("[data-testid=link-n1-n2]")?.dataset.state === "cut");
  // Shortcuts (focus back on the page body).
  await page.evaluate(() => document.activeElement.blur());
  const events = () => page.$eval("[data-testid=tick]", (e) => Number(e.dataset.events));
  const e0 = await events();
  await page.keyboard.press(".");
  await page.keyboard.press(".");
  const e2 = await events();
  expect(e2 > e0, `"." steps: ${e0} → ${e2}`);
  await page.keyboard.press(",");
  expect((await events()) < e2, "\",\" steps back");
  await page.keyboard.press("ArrowLeft");
  expect((await events()) < e2 - 1 || (await events()) === 0, "← steps back in the sandbox");
  await page.keyboard.press("ArrowRight");
  await page.waitForSelector("[data-testid=pause]");
  await page.keyboard.press("PageDown");
  await page.waitForSelector("[data-testid=play]");
  await page.keyboard.press(" ");
  await page.waitForSelector("[data-testid=pause]");
  await page.keyboard.press(" ");
  await page.waitForSelector("[data-testid=play]");
  // Keys typed into a field are not stolen.
  await $(page, "seed").focus();
  await page.keyboard.press("p");
  expect(!(await page.evaluate(() => document.documentElement.classList.contains("present"))), "P in a field types, no presenter");
  await page.evaluate(() => document.activeElement.blur());
  // The ? overlay lists every shortcut and Esc closes it.
  await page.keyboard.press("?");
  await page.waitForSelector("[data-testid=shortcuts] [role=dialog]");
  const rows = await page.locator("[data-testid=shortcuts] tr").count();
  expect(rows === 13, `shortcut rows: ${rows}`);
  expect((await page.evaluate(() => document.activeElement.dataset.testid)) === "shortcuts-close", "focus moves into the dialog");
  await shot(page, "classroom-shortcuts");
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => !document.querySelector("[data-testid=shortcuts]"));
});

// ---- Accessibility: axe-core -------------------------------------------------------------

async function axe(page) {
  await page.addScriptTag({ path: "node_modules/axe-core/axe.min.js" });
  const res = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  return res.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}

for (const [name, q, scheme] of [
  ["sandbox", "?scenario=bank&mode=cp&t=2500", "light"],
  ["sandbox dark", "?scenario=feed&mode=ap&t=2500", "dark"],
  ["presenter", "?scenario=bank&mode=ap&t=2500&present=1", "light"],
  ["presenter dark", "?scenario=bank&mode=cp&t=2500&present=1", "dark"],
  ["embed", "?scenario=feed&mode=ap&t=2500&embed=1", "light"],
]) {
  test(`axe-core: no serious or critical violation (${name})`, async ({ page, url }) => {
    await page.goto(url(q));
    await ready(page);
    const bad = await axe(page);
    expect(bad.length === 0, `violations:\n      ${bad.join("\n      ")}`);
  }, { context: { bypassCSP: true, colorScheme: scheme } });
}

// ---- Export ------------------------------------------------------------------------------

async function download(page, id) {
  if (!(await $(page, id).isVisible())) await page.locator("[data-testid=export] summary").click();
  const [dl] = await Promise.all([page.waitForEvent("download"), $(page, id).click()]);
  return { name: dl.suggestedFilename(), text: await readFile(await dl.path(), "utf8") };
}

test("export: stage and history SVG parse as XML; the history JSON and the Porcupine log parse", async ({ page, url }) => {
  await page.goto(url("?scenario=bank&mode=ap&seed=2&t=3000"));
  await ready(page);
  // Parse in a blank page: the app's CSP would (rightly) refuse the files' inline <style>.
  const blank = await page.context().newPage();
  const parses = (text) => blank.evaluate((t) => {
    const doc = new DOMParser().parseFromString(t, "image/svg+xml");
    return !doc.querySelector("parsererror") && doc.documentElement.nodeName === "svg"
      && doc.documentElement.querySelector("style")?.textContent.includes(".node-body");
  }, text);
  const stage = await download(page, "export-stage");
  expect(stage.name.endsWith("-stage.svg"), `stage file: ${stage.name}`);
  expect(await parses(stage.text), "stage SVG parses, with its style inside");
  expect(stage.text.includes('data-testid="node-n1"'), "the stage file holds the nodes");
  // The page paints messages on a canvas; the file draws them as paths, as many as the page says.
  const drawn = Number(await page.getAttribute("[data-testid=stage-0] .messages", "data-drawn"));
  const inFile = [...stage.text.matchAll(/<g class="msg [^"]*" data-n="(\d+)"/g)].reduce((n, m) => n + Number(m[1]), 0);
  expect(drawn > 0 && inFile === drawn, `messages in the file: ${inFile}, on the page: ${drawn}`);
  const hist = await download(page, "export-history");
  expect(await parses(hist.text), "history SVG parses, with its style inside");
  const json = await download(page, "export-json");
  const file = JSON.parse(json.text);
  expect(file.version === 1 && file.case === "bank" && Array.isArray(file.initial), `history header: ${json.text.slice(0, 80)}`);
  expect(file.ops.length > 0 && file.ops.every((o, i) => o.id === i && typeof o.invoke === "number"), `history ops: ${file.ops.length}`);
  // The native CLI re-checks the file the browser wrote (when it is built: `cargo test` builds it).
  for (const cli of ["target/debug/caplab", "target/release/caplab"].filter(existsSync).slice(0, 1)) {
    await writeFile("tests/e2e/out/exported-history.json", json.text);
    const out = execFileSync(cli, ["check", "tests/e2e/out/exported-history.json"], { encoding: "utf8" });
    expect(/linearizable/i.test(out), `caplab check: ${out.slice(0, 200)}`);
  }
  const log = await download(page, "export-porcupine");
  const lines = log.text.trim().split("\n").map((l) => JSON.parse(l));
  expect(lines.length >= file.ops.length, `porcupine lines: ${lines.length}`);
  expect(lines.every((l) => l.kind === "call" || l.kind === "return"), "porcupine events are calls and returns");
});

// ---- Layout at every size (each case a fault once seen on a screenshot) -------------------

const box = (page, sel) => page.locator(sel).first().boundingBox();

test("presenter at 1280×720: the transport and Presenter share one row; a two-line caption is on screen", async ({ page, url }) => {
  await page.goto(url("?scenario=bank&mode=cp&seed=1&t=2600&present=1"));
  await ready(page);
  const transport = await box(page, ".transport");
  const present = await box(page, "[data-testid=present]");
  const play = await box(page, "[data-testid=play]");
  const tick = await box(page, "[data-testid=tick]");
  expect(present.y < transport.y + transport.height && present.x > transport.x + transport.width,
    `Presenter beside the transport: ${JSON.stringify([transport, present])}`);
  expect(Math.abs(tick.y - play.y) < play.height, `the transport is one row: play y ${play.y}, tick y ${tick.y}`);
  const caption = await box(page, "[data-testid=caption]");
  expect(caption.height > 60, `the caption has two lines here: ${caption.height}`);
  expect(caption.y + caption.height <= 720, `the caption is on screen: bottom ${caption.y + caption.height}`);
}, { viewport: { width: 1280, height: 720 } });

test("presenter, CP and AP side by side at 1280×720: two equal stages, each with its title", async ({ page, url }) => {
  await page.goto(url("?scenario=bank&mode=cp&seed=1&t=2600&side=1&present=1"));
  await ready(page);
  const stages = await page.$$eval(".stage-wrap", (l) => l.map((e) => {
    const title = e.querySelector(".stage-title");
    return { w: Math.round(e.getBoundingClientRect().width), title: title && title.offsetParent ? title.textContent : "" };
  }));
  expect(stages.length === 2 && Math.abs(stages[0].w - stages[1].w) <= 2, `stage widths: ${JSON.stringify(stages)}`);
  expect(stages[0].title.startsWith("CP") && stages[1].title.startsWith("AP"), `stage titles: ${JSON.stringify(stages)}`);
}, { viewport: { width: 1280, height: 720 } });

for (const [w, h] of [[800, 500], [390, 844]]) {
  test(`presenter at ${w}×${h}: no sideways scroll`, async ({ page, url }) => {
    await page.goto(url("?scenario=bank&mode=cp&seed=1&t=2600&present=1"));
    await ready(page);
    const { w: sw } = await scrollSize(page);
    expect(sw <= w, `scroll width ${sw} at ${w} px`);
  }, { viewport: { width: w, height: h } });
}

for (const [w, h] of [[1280, 720], [800, 500]]) {
  test(`lesson presenter at ${w}×${h}: title, stage and narration side by side on screen`, async ({ page, url }) => {
    await page.goto(url("?lesson=bank-cp&step=3&present=1"));
    await page.waitForSelector("[data-testid=narration]");
    expect(await $(page, "lesson-title").isVisible(), "the lesson's title is shown");
    const stage = await box(page, "[data-testid=lesson-stage-0]");
    const text = await box(page, "[data-testid=narration]");
    expect(text.x >= stage.x + stage.width - 1 && text.y < h / 2, `narration beside the stage: ${JSON.stringify([stage, text])}`);
    expect(stage.y + stage.height <= h, `the stage is on screen: ${JSON.stringify(stage)}`);
    const { w: sw } = await scrollSize(page);
    expect(sw <= w, `scroll width ${sw}`);
  }, { viewport: { width: w, height: h } });
}

test("lesson at 800×500: the narration comes before the history", async ({ page, url }) => {
  await page.goto(url("?lesson=partition&step=2"));
  await page.waitForSelector("[data-testid=narration]");
  const text = await box(page, "[data-testid=narration]");
  const history = await box(page, ".history");
  const stage = await box(page, "[data-testid=lesson-stage-0]");
  expect(stage.y < text.y && text.y < history.y, `stage ${stage.y} < narration ${text.y} < history ${history.y}`);
}, { viewport: { width: 800, height: 500 } });

test("lesson embedded: two stages take turns at 800×500 (tabs), each readable; one column at 360 px", async ({ page, url }) => {
  await page.goto(url("?lesson=cp-vs-ap&step=2&embed=1"));
  await page.waitForSelector("[data-testid=narration]");
  const { w, h } = await scrollSize(page);
  expect(w <= 800 && h <= 500, `scroll size ${w}×${h}`);
  // The drawing's scale in each stage (viewBox 600 × 450).
  const scales = () => page.$$eval("[data-testid^=lesson-stage-] svg.stage", (l) => l.map((e) => {
    const r = e.getBoundingClientRect();
    return Math.min(r.width / 600, r.height / 450);
  }));
  const wide = [];
  for (let i = 0; i < 2; i++) {
    await $(page, `run-tab-${i}`).click();
    await page.waitForFunction((i) => document.querySelector(`[data-testid=run-tab-${i}]`)?.getAttribute("aria-selected") === "true", i);
    wide.push((await scales())[i]);
  }
  expect(wide.length === 2 && wide.every((k) => k >= 0.5), `stage scales at 800×500, each in its turn: ${wide}`);
  await page.setViewportSize({ width: 360, height: 640 });
  const { w: narrow } = await scrollSize(page);
  expect(narrow <= 360, `scroll width at 360 px: ${narrow}`);
  const small = await scales();
  expect(small.length === 2 && small.every((k) => k >= 0.5), `stage scales at 360 px: ${small}`);
  const stage = await box(page, "[data-testid=lesson-stage-1]");
  const text = await box(page, "[data-testid=narration]");
  expect(text.width >= 300 && text.y >= stage.y + stage.height, `narration ${text.width} px wide, under the stages: ${JSON.stringify([stage, text])}`);
}, { viewport: { width: 800, height: 500 } });

// ---- Screenshots of every view, light and dark -------------------------------------------

for (const [w, h] of [[1280, 720], [800, 500], [390, 844]]) {
  for (const scheme of ["light", "dark"]) {
    test(`screenshots ${w}×${h} ${scheme}`, async ({ page, url }) => {
      for (const [view, q] of [
        ["sandbox", "?scenario=bank&mode=cp&seed=1&t=2600"],
        ["embed", "?scenario=feed&mode=ap&seed=1&t=2600&embed=1"],
        ["present", "?scenario=bank&mode=cp&seed=1&t=2600&present=1"],
      ]) {
        await page.goto(url(q));
        await ready(page);
        await shot(page, `classroom-${view}-${w}x${h}-${scheme}`);
      }
    }, { viewport: { width: w, height: h }, context: { colorScheme: scheme } });
  }
}

// ---- Lessons (the lessons UI: landing page, narration, next/prev, ?lesson=&step=) ------------
// Registered only once the lessons UI is in the build (it is developed on another branch): a
// test that cannot run must not pass silently, so until then these tests do not exist and the
// run prints why.
const LESSONS_UI = readdirSync("src/ui", { recursive: true })
  .filter((f) => f.endsWith(".rs"))
  .some((f) => readFileSync(`src/ui/${f}`, "utf8").includes('"narration"'));
if (!LESSONS_UI) {
  console.log("  (classroom: lesson tests not registered: the lessons UI is not in src/ui yet)");
} else {
  const LESSON = "?lesson=bank-cp&step=1"; // steps count from 1 in links
  const narration = (page) => page.locator("[data-testid=narration]").first();

  test("lesson: embedded at 800×500 without scrollbars; narration in an aria-live region", async ({ page, url }) => {
    await page.goto(url(`${LESSON}&embed=1`));
    await page.waitForSelector("[data-testid=narration]");
    const { w, h } = await scrollSize(page);
    expect(w <= 800 && h <= 500, `lesson embed scroll size ${w}×${h}`);
    const live = await narration(page).evaluate((e) => e.closest("[aria-live]")?.getAttribute("aria-live"));
    expect(live === "polite" || live === "assertive", `narration aria-live: ${live}`);
    await shot(page, "classroom-lesson-embed-800x500");
  }, { viewport: { width: 800, height: 500 } });

  test("lesson: keyboard only (arrows, Tab, Enter) walks the steps; the link stays short", async ({ page, url }) => {
    await page.goto(url(LESSON));
    await page.waitForSelector("[data-testid=narration]");
    const step = () => page.evaluate(() => new URLSearchParams(location.search).get("step"));
    const first = await narration(page).textContent();
    await page.keyboard.press("ArrowRight");
    await page.waitForFunction((t) => document.querySelector("[data-testid=narration]")?.textContent !== t, first);
    expect((await step()) === "2", `→ goes to step 2: ${await step()}`);
    await page.keyboard.press("PageDown");
    await page.waitForFunction(() => new URLSearchParams(location.search).get("step") === "3");
    await page.keyboard.press("ArrowLeft");
    await page.waitForFunction(() => new URLSearchParams(location.search).get("step") === "2");
    // Tab to the next button and press Enter.
    for (let i = 0; i < 120; i++) {
      await page.keyboard.press("Tab");
      if ((await page.evaluate(() => document.activeElement?.dataset.testid)) === "next") break;
    }
    expect((await page.evaluate(() => document.activeElement?.dataset.testid)) === "next", "Tab reaches next");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => new URLSearchParams(location.search).get("step") === "3");
    // A few clicks in the lesson: the link stays short.
    await page.evaluate(() => document.activeElement.blur());
    await page.keyboard.press(".");
    await page.keyboard.press(".");
    const links = page.locator("[data-testid^=link-n]");
    if (await links.count()) {
      await links.first().focus();
      await page.keyboard.press("Enter");
    }
    const href = await page.evaluate(() => location.href);
    const path = href.slice(href.indexOf("?"));
    expect(path.length <= 300, `lesson link is ${path.length} characters: ${path}`);
    await shot(page, "classroom-lesson-keyboard");
  });

  test("lesson: P toggles presenter mode on, off and on again; ? opens and closes the list", async ({ page, url }) => {
    await page.goto(url("?lesson=bank-cp&step=3"));
    await page.waitForSelector("[data-testid=narration]");
    const present = () => page.evaluate(() => [
      document.documentElement.classList.contains("present"),
      new URLSearchParams(location.search).get("present") === "1",
    ].join());
    for (const want of [true, false, true, false]) {
      await page.keyboard.press("p");
      await page.waitForFunction((w) => document.documentElement.classList.contains("present") === w, want);
      expect((await present()) === `${want},${want}`, `after P: class and address bar agree on ${want}: ${await present()}`);
    }
    await page.keyboard.press("?");
    await page.waitForSelector("[data-testid=shortcuts] [role=dialog]");
    await page.keyboard.press("?");
    await page.waitForFunction(() => !document.querySelector("[data-testid=shortcuts]"));
  });

  for (const [name, q] of [["landing", ""], ["lesson", LESSON], ["lesson presenter", `${LESSON}&present=1`]]) {
    test(`axe-core: no serious or critical violation (${name})`, async ({ page, url }) => {
      await page.goto(url(q));
      await page.waitForSelector("main");
      const bad = await axe(page);
      expect(bad.length === 0, `violations:\n      ${bad.join("\n      ")}`);
    }, { context: { bypassCSP: true } });
  }
}
