// Issue #14, items 7 and 10: the metric cards say what they measure and about which data; the
// glossary explains its terms on keyboard focus; lesson text says when a fault happened.
import { test, expect, ready, shot, $, quiet } from "./harness.mjs";

const card = (page, id) => $(page, `metric-${id}`);
const shown = (page, id) => card(page, id).locator(".metric-value").innerText();
const note = (page, id) => card(page, id).locator(".metric-note").innerText().catch(() => "");

test("a fresh bank run: the lowest balance says it is savings' opening 0; no ⚠ on 0 stale reads; no 'savings 0' on the nodes", async ({ page, url }) => {
  await page.goto(url(quiet("scenario=bank&mode=cp")));
  await ready(page);
  expect((await card(page, "min-balance").getAttribute("data-value")) === "0", "the lowest balance is 0");
  const min = await note(page, "min-balance");
  expect(/savings opens at 0/.test(min), `the card says what the 0 is: ${min}`);
  expect((await card(page, "stale-reads").getAttribute("data-value")) === "0", "no stale read");
  const stale = await shown(page, "stale-reads");
  expect(!stale.includes("⚠") && stale.trim() === "0", `no warning sign on 0 stale reads: ${stale}`);
  const nodes = await page.locator("[data-testid^=node-n]").allTextContents();
  expect(nodes.length === 3 && nodes.every((t) => !/savings/.test(t)), `no savings line before any transfer: ${JSON.stringify(nodes)}`);
  await shot(page, "wording-bank-fresh");
});

test("CA keeps one copy: the converged card says so, not 'not yet'", async ({ page, url }) => {
  await page.goto(url("?scenario=bank&mode=ca&t=2000"));
  await ready(page);
  expect((await card(page, "converged").getAttribute("data-value")) === "false", "the checker: not converged while n3 is cut off");
  const s = await shown(page, "converged");
  expect(!/not yet/.test(s) && /one copy/.test(s), `CA converged card: ${s}`);
  expect(/only copy of the balances/.test(await note(page, "converged")), `note: ${await note(page, "converged")}`);
});

test("feed: stale reads before any fault say why", async ({ page, url }) => {
  await page.goto(url("?scenario=feed&t=1400"));
  await ready(page);
  expect(Number(await card(page, "stale-reads").getAttribute("data-value")) > 0, "stale reads before the cut");
  const n = await note(page, "stale-reads");
  expect(/feed reads that missed a confirmed post or like/.test(n) && /with no fault in place/.test(n), `stale note: ${n}`);
  await shot(page, "wording-feed-stale");
});

test("the glossary: keyboard focus on a term shows its definition (cards and setup bar)", async ({ page, url }) => {
  await page.goto(url(quiet("scenario=feed&mode=ap")));
  await ready(page);
  expect((await page.locator("[data-testid=setup-terms] [data-testid=term-lww]").count()) === 1, "the setup bar explains LWW");
  const tip = (id) => page.evaluate((id) => {
    const el = document.querySelector(`[data-testid=term-${id}]`);
    const after = getComputedStyle(el, "::after");
    return { focused: document.activeElement === el, display: after.display, content: after.content };
  }, id);
  expect((await tip("linearizable")).display === "none", "no tooltip before focus");
  let reached = false;
  for (let i = 0; i < 120 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement?.dataset.testid === "term-linearizable");
  }
  expect(reached, "Tab reaches the 'linearizable' term");
  const t = await tip("linearizable");
  expect(t.display === "block" && /one single copy of the data/.test(t.content), `definition on focus: ${JSON.stringify(t)}`);
  await shot(page, "wording-glossary-focus");
});

test("a lesson says when a node crashed; lesson 1's stage title uses no word it has not introduced", async ({ page, url }) => {
  await page.goto(url("?lesson=ca-single&step=5"));
  await ready(page);
  const text = await $(page, "narration").innerText();
  expect(/n1 has been down since it crashed at 3000 ms/.test(text), `crash time: ${text.slice(0, 400)}`);
  await page.goto(url("?lesson=intro&step=1"));
  await ready(page);
  const title = await page.locator(".stage-title").first().innerText();
  expect(!/\bCP\b|Raft/.test(title), `lesson 1's stage title: ${title}`);
});
