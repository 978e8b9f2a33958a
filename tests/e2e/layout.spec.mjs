// Layout on real screens (issue #14 items 2, 3, 11): what a reader needs is on the first screen.
// Every measure is getBoundingClientRect in CSS px, with the page scrolled to the top.
import { test, expect, ready, shot, $ } from "./harness.mjs";

/** The box of the first element matching `sel` (null when there is none or it is not drawn). */
async function box(page, sel) {
  return page.evaluate((sel) => {
    const e = document.querySelector(sel);
    if (!e) return null;
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 ? { top: r.top, bottom: r.bottom, left: r.left, right: r.right, w: r.width, h: r.height } : null;
  }, sel);
}

/** Throws unless `sel` is drawn entirely within the first `height` px (and the viewport's width). */
async function onFirstScreen(page, sel, height, what) {
  const b = await box(page, sel);
  expect(b, `${what} (${sel}) is drawn`);
  expect(b.top >= 0 && b.bottom <= height, `${what} is within the first ${height} px: top ${b.top}, bottom ${b.bottom}`);
  expect(b.left >= 0 && b.right <= page.viewportSize().width, `${what} is within the width: ${b.left}–${b.right}`);
}

/** The sandbox at 1280 × 720: stage, fault shortcuts, every client's buttons and the history. */
async function sandboxFits(page, name) {
  await ready(page);
  await $(page, "heal-all").waitFor();
  const H = 720;
  await onFirstScreen(page, "[data-testid=stage-0]", H, "the stage");
  await onFirstScreen(page, "[data-testid=partition]", H, "Partition n3");
  await onFirstScreen(page, "[data-testid=heal-all]", H, "Heal all");
  for (const n of ["n1", "n2", "n3"]) {
    for (const op of ["deposit", "withdraw", "read"]) {
      await onFirstScreen(page, `[data-testid=op-${n}-${op}]`, H, `${op} at ${n}`);
    }
  }
  await onFirstScreen(page, "[data-testid=history-verdict]", H, "the history's verdict");
  await onFirstScreen(page, "[data-testid=history-0]", H, "the history's lanes");
  await shot(page, name);
}

test("the sandbox fits one 1280×720 screen: stage, faults, clients, history", async ({ page, url }) => {
  await page.goto(url("?scenario=bank"));
  await sandboxFits(page, "layout-sandbox-1280x720");
}, { viewport: { width: 1280, height: 720 } });

test("the sandbox in presenter mode fits one 1280×720 screen too", async ({ page, url }) => {
  await page.goto(url("?scenario=bank&present=1"));
  await sandboxFits(page, "layout-sandbox-present-1280x720");
}, { viewport: { width: 1280, height: 720 } });

test("presenter mode at 1024×768: the stage, the fault shortcuts and every client's buttons on screen", async ({ page, url }) => {
  await page.goto(url("?scenario=bank&present=1"));
  await ready(page);
  for (const [sel, what] of [["[data-testid=stage-0]", "the stage"], ["[data-testid=partition]", "Partition n3"],
    ["[data-testid=heal-all]", "Heal all"], ["[data-testid=op-n1-deposit]", "deposit at n1"],
    ["[data-testid=op-n2-read]", "read at n2"], ["[data-testid=op-n3-withdraw]", "withdraw at n3"]]) {
    await onFirstScreen(page, sel, 768, what);
  }
  const stage = await box(page, "[data-testid=stage-0]");
  expect(stage.w >= 540, `the stage keeps most of a 4:3 projector's width: ${stage.w}`);
  await shot(page, "layout-sandbox-present-1024x768");
}, { viewport: { width: 1024, height: 768 } });

test("on a phone the live stage plays in the first half screen, its controls under it", async ({ page, url }) => {
  for (const q of ["?scenario=bank", ""]) {
    await page.goto(url(q));
    await ready(page);
    const stage = await box(page, "[data-testid=stage-0]");
    expect(stage.top < 844 * 0.5 && stage.bottom <= 844, `the stage of "${q}" starts at ${stage.top}, ends at ${stage.bottom}`);
    const play = await box(page, ".transport");
    expect(play.top > stage.top && play.top < 844, `the transport under the stage, on screen: ${play.top}`);
  }
  await page.goto(url("?scenario=bank"));
  await ready(page);
  await shot(page, "layout-sandbox-390x844");
}, { viewport: { width: 390, height: 844 } });

test("on a phone every node-menu item and every stage control is at least 44×44 px", async ({ page, url }) => {
  await page.goto(url("?scenario=bank"));
  await ready(page);
  await $(page, "node-n2").click();
  await $(page, "menu-n2-crash").waitFor();
  const small = await page.$$eval(
    ".node-menu button, .transport button, .stage-tools button, .ops button",
    (all) => all.map((e) => [e.textContent.trim() || e.getAttribute("aria-label"), e.getBoundingClientRect()])
      .filter(([, r]) => r.width > 0 && (r.width < 44 || r.height < 44))
      .map(([t, r]) => `${t} ${Math.round(r.width)}×${Math.round(r.height)}`),
  );
  expect(small.length === 0, `tap targets under 44×44: ${small.join(", ")}`);
  const items = await page.$$eval(".node-menu .menu-item", (all) => all.length);
  expect(items === 5, `the menu has its five items (crash, recover, pause, resume, look inside): ${items}`);
  await shot(page, "layout-node-menu-390x844");
  await $(page, "menu-n2-crash").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=node-n2]")?.getAttribute("data-status") === "crashed");
}, { viewport: { width: 390, height: 844 } });

/** Lesson 2 step 3 asks about "the first run": that run's stage and the narration on one screen. */
async function namedRunWithText(page, url, height, name) {
  await page.goto(url("?lesson=partition&step=3"));
  await ready(page);
  const q = await page.locator(".question").first().textContent();
  expect(/first run/.test(q), `the step asks about the first run: ${q}`);
  const stage = await box(page, "[data-testid=lesson-stage-0] svg.stage");
  expect(stage && stage.top >= 0 && stage.bottom <= height, `the first run's stage on screen: ${stage?.top}–${stage?.bottom}`);
  const text = await box(page, ".narration");
  expect(text && text.top < height - 100, `the narration starts on the same screen: ${text?.top}`);
  await shot(page, name);
}

test("a phone shows the run a lesson step names beside its text, and a tab for each run", async ({ page, url }) => {
  await namedRunWithText(page, url, 844, "layout-lesson-partition-390x844");
  expect((await $(page, "run-tab-0").getAttribute("aria-selected")) === "true", "the crash run's tab is selected");
  await $(page, "run-tab-2").click();
  const third = await box(page, "[data-testid=lesson-stage-2] svg.stage");
  expect(third && third.bottom <= 844, `the partition run is shown on its tab: ${third?.bottom}`);
  expect((await box(page, "[data-testid=lesson-stage-0] svg.stage")) === null, "one run at a time");
  await page.goto(url("?lesson=feed-ap&step=4"));
  await ready(page);
  const lww = await box(page, "[data-testid=lesson-stage-0] svg.stage");
  expect(lww && lww.bottom <= 844, `feed-ap step 4: the LWW run on screen: ${lww?.bottom}`);
}, { viewport: { width: 390, height: 844 } });

test("a laptop shows all three runs of lesson 2 beside the text", async ({ page, url }) => {
  await namedRunWithText(page, url, 720, "layout-lesson-partition-1280x720");
  for (const i of [0, 1, 2]) {
    const b = await box(page, `[data-testid=lesson-stage-${i}] svg.stage`);
    expect(b && b.bottom <= 720, `run ${i + 1} within 720 px: ${b?.bottom}`);
  }
}, { viewport: { width: 1280, height: 720 } });
