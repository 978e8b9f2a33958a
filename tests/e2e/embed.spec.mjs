// Embeds (issue #14 items 1 and 8): in the iframe a blog author pastes, what the text names is on
// screen (each run's label, the history it points into), readable (each stage of a two-run lesson
// keeps a readable size at 800×500; the clock and "Open full view" do not overlap at 640×400),
// and the sandbox embed lets the reader break things (cut a link, crash a node, send a request).
// The Embed dialog (sandbox and lesson pages) offers the beginning or this moment, a responsive
// width and the panels. No sleeps: every wait is on a selector, an attribute or an event.
import { test, expect, shot, $, quiet, seek, clickLink, ready } from "./harness.mjs";

const scrollSize = (page) => page.evaluate(() => ({
  w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight,
}));
const visibleBox = async (loc) => ((await loc.isVisible()) ? loc.boundingBox() : null);
const apart = (a, b) => a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;

test("lesson embed: each run is named, each stage stays readable at 800×500, and the text's run comes first", async ({ page, url }) => {
  await page.goto(url("?lesson=feed-ap&step=4&embed=1"));
  await page.waitForSelector("[data-testid=narration]");
  const tabs = page.locator("[data-testid^=run-tab-]");
  const names = await tabs.allTextContents();
  expect(names.length === 2 && names[0] !== names[1] && names.includes("LWW") && names.includes("CRDT"),
    `the runs' tabs name them: ${JSON.stringify(names)}`);
  for (let i = 0; i < 2; i++) {
    await $(page, `run-tab-${i}`).click();
    await page.waitForFunction((i) => document.querySelector(`[data-testid=run-tab-${i}]`)?.getAttribute("aria-selected") === "true", i);
    const stage = await visibleBox(page.locator(`[data-testid=lesson-stage-${i}] svg.stage`));
    expect(stage && stage.width >= 320 && stage.x + stage.width <= 800 && stage.y + stage.height <= 500,
      `stage ${i} (${names[i]}) is readable and on screen: ${JSON.stringify(stage)}`);
    const history = await visibleBox(page.locator("[data-testid=history-" + i + "]"));
    expect(history && history.y + history.height <= 500, `the history of the run shown: ${JSON.stringify(history)}`);
  }
  const { w, h } = await scrollSize(page);
  expect(w <= 800 && h <= 500, `no scrollbars: ${w}×${h}`);
  await shot(page, "embed-feed-ap-800x500");
  // Stacked on a phone: each stage carries its label.
  await page.setViewportSize({ width: 360, height: 640 });
  const labels = [];
  for (let i = 0; i < 2; i++) {
    const label = page.locator(`[data-testid=lesson-stage-${i}] .stage-label`);
    expect(await label.isVisible(), `stage ${i}'s label is shown at 360 px`);
    labels.push(await label.textContent());
  }
  expect(labels[0] !== labels[1], `labels differ: ${labels}`);
  await shot(page, "embed-feed-ap-360x640");
}, { viewport: { width: 800, height: 500 } });

test("lesson embed: the history the text points into is shown, and the first run named is the one shown", async ({ page, url }) => {
  await page.goto(url("?lesson=bank-ap&step=6&embed=1"));
  await page.waitForSelector("[data-testid=narration]");
  const text = await $(page, "narration").textContent();
  expect(text.includes("history"), `step 6 speaks of the history: ${text.slice(0, 200)}`);
  const history = await visibleBox($(page, "history-0"));
  expect(history && history.height >= 40 && history.y + history.height <= 500, `history on screen: ${JSON.stringify(history)}`);
  expect((await page.locator("[data-testid=history-0] .bar.hl").count()) > 0, "the ops the text points at are outlined");
  const { w, h } = await scrollSize(page);
  expect(w <= 800 && h <= 500, `no scrollbars: ${w}×${h}`);
  await shot(page, "embed-bank-ap-6-800x500");
  // A step that names its run: the partition lesson's "'pause' run" before the others.
  await page.goto(url("?lesson=partition&step=5&embed=1"));
  await page.waitForSelector("[data-testid=narration]");
  const said = await $(page, "narration").textContent();
  const first = ["crash", "pause", "partition"]
    .map((l, i) => [Math.min(...[`'${l}'`, `${l} run`, `${["first", "second", "third"][i]} run`].map((n) => { const at = said.indexOf(n); return at < 0 ? Infinity : at; })), i])
    .sort((a, b) => a[0] - b[0])[0];
  const selected = await page.locator("[data-testid^=run-tab-][aria-selected=true]").getAttribute("data-testid");
  expect(first[0] === Infinity ? selected === "run-tab-0" : selected === `run-tab-${first[1]}`,
    `the tab shown first is the run the text names first (${JSON.stringify(first)}): ${selected}`);
}, { viewport: { width: 800, height: 500 } });

test("lesson embed: Open full view opens this step, not embedded; a lesson page offers the Embed dialog", async ({ page, url }) => {
  await page.goto(url("?lesson=feed-ap&step=3&embed=1"));
  await page.waitForSelector("[data-testid=narration]");
  const open = $(page, "open-full");
  expect(await open.isVisible(), "Open full view is shown");
  const href = await open.getAttribute("href");
  expect(!href.includes("embed=1") && href.includes("lesson=feed-ap") && href.includes("step=3"), `href: ${href}`);
  expect((await open.getAttribute("target")) === "_blank", "opens a new tab");
  await page.goto(href);
  await page.waitForSelector("[data-testid=narration]");
  expect(!(await page.evaluate(() => document.documentElement.classList.contains("embed"))), "not embedded");
  await $(page, "embed").click();
  const code = await $(page, "embed-code").inputValue();
  expect(code.includes("lesson=feed-ap&amp;step=3&amp;embed=1"), `the lesson's snippet: ${code}`);
  expect((await $(page, "embed-panel-cards").count()) === 0, "a lesson embed's one panel is its history");
  await $(page, "embed-from-start").check();
  await page.waitForFunction(() => document.querySelector("[data-testid=embed-code]")?.value.includes("step=1&amp;"));
  await shot(page, "embed-lesson-dialog");
});

test("embeds at 640×400: the clock and Open full view do not overlap (sandbox, lesson in free play)", async ({ page, url }) => {
  await page.goto(url("?scenario=bank&mode=cp&seed=3&t=1500&embed=1"));
  await ready(page);
  const [tick, open] = [await $(page, "tick").boundingBox(), await $(page, "open-full").boundingBox()];
  expect(tick && open && apart(tick, open), `clock ${JSON.stringify(tick)} vs link ${JSON.stringify(open)}`);
  const { w } = await scrollSize(page);
  expect(w <= 640, `no sideways scroll: ${w}`);
  await shot(page, "embed-sandbox-640x400");
  // A lesson embed in free play: its clock (the transport) and its "Open full view" (the head).
  await page.goto(url("?lesson=bank-cp&step=3&embed=1"));
  await page.waitForSelector("[data-testid=narration]");
  await $(page, "try-it").click();
  await $(page, "tick").waitFor();
  const [clock, full] = [await visibleBox($(page, "tick")), await visibleBox($(page, "open-full"))];
  expect(clock && full && apart(clock, full), `lesson: clock ${JSON.stringify(clock)} vs link ${JSON.stringify(full)}`);
  await shot(page, "embed-lesson-try-640x400");
}, { viewport: { width: 640, height: 400 } });

test("sandbox embed at 800×500: cut a link, crash a node, partition, heal and send a request", async ({ page, url }) => {
  await page.goto(url(quiet("scenario=bank") + "&embed=1"));
  await ready(page);
  for (const id of ["partition", "heal-all", "op-n1-withdraw"]) {
    const box = await visibleBox($(page, id));
    expect(box && box.y + box.height <= 500 && box.x + box.width <= 800, `${id} on screen: ${JSON.stringify(box)}`);
  }
  await clickLink(page, "link-n1-n3", "cut");
  await $(page, "node-n2").click();
  await $(page, "menu-n2-crash").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=node-n2]")?.dataset.status === "crashed");
  await $(page, "partition").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=link-n2-n3]")?.getAttribute("data-state") === "cut");
  await $(page, "op-n1-withdraw").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=answer-n1]"));
  await shot(page, "embed-sandbox-800x500-broken");
  await $(page, "heal-all").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=link-n1-n3]")?.getAttribute("data-state") === "up");
  const { w, h } = await scrollSize(page);
  expect(w <= 800 && h <= 500, `no scrollbars: ${w}×${h}`);
}, { viewport: { width: 800, height: 500 } });

test("Embed dialog: the snippet follows its options, and 'this moment' reopens the same tick", async ({ page, url }) => {
  await page.goto(url(quiet("scenario=bank&mode=cp")));
  await ready(page);
  await seek(page, 400);
  await clickLink(page, "link-n1-n3", "cut");
  await $(page, "embed").click();
  const code = () => $(page, "embed-code").inputValue();
  const first = await code();
  expect(first.startsWith("<iframe ") && first.includes("&amp;t=400") && !first.includes("panels="), `this moment: ${first}`);
  await $(page, "embed-responsive").check();
  const wide = await code();
  expect(/^<div style="[^"]*width:100%[^"]*aspect-ratio:800\/500[^"]*"><iframe /.test(wide) && !wide.includes("<script"), `responsive: ${wide}`);
  await $(page, "embed-panel-history").check();
  const withHistory = await code();
  expect(withHistory.includes("panels=history,cards,controls"), `panels: ${withHistory}`);
  await $(page, "embed-from-start").check();
  const start = await code();
  expect(!start.includes("t=400") && start.includes("#"), `from the beginning (the cut kept): ${start}`);
  await $(page, "embed-from-start").uncheck();
  await shot(page, "embed-dialog-sandbox");
  // The snippet's page (this moment) opens at the same tick, the cut in place, with its history.
  const src = (await code()).match(/src="([^"]+)"/)[1].replaceAll("&amp;", "&");
  await page.setViewportSize({ width: 800, height: 500 });
  await page.goto(src);
  await ready(page);
  const tick = await $(page, "tick").textContent();
  expect(tick.startsWith("t = 400 "), `the same moment: ${tick}`);
  expect((await $(page, "link-n1-n3").getAttribute("data-state")) === "cut", "the cut is in place");
  expect(await $(page, "history-0").isVisible(), "the history panel asked for is shown");
  await shot(page, "embed-sandbox-with-history-800x500");
});
