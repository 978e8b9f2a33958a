// Predictions (issue #15, first bullet): every lesson asks; a guess plays the stage on to the
// moment that answers it, then shows the answer and why; Next / PageDown on an unanswered
// question reveals it first; the visit keeps a score; a finished lesson is marked on the landing
// page (this browser only); the options are on screen on a phone and on a projector.
import { test, expect, ready, shot, $ } from "./harness.mjs";

/** Every lesson's question steps (1-based, as in links). */
const QUESTIONS = [
  ["intro", 3], ["partition", 3], ["ca-single", 3], ["bank-cp", 4], ["bank-ap", 3], ["feed-ap", 3],
  ["feed-vclock", 2], ["quorum", 1], ["quorum", 4], ["consistency-levels", 4], ["two-regions", 3],
  ["hinted-handoff", 2], ["cp-vs-ap", 1],
];

async function open(page, href) {
  await page.goto(href);
  await ready(page);
  await page.waitForLoadState("networkidle");
}

const stepOf = (page) => $(page, "step-count").getAttribute("data-step");
const tickOf = async (page) => Number(await $(page, "lesson-stage-0").getAttribute("data-tick"));

test("a guess plays the stage on to the moment that answers it, then shows the answer", async ({ page, url }) => {
  await open(page, url("?lesson=bank-ap&step=3"));
  const asked = await tickOf(page);
  expect(asked === 2501, `the question is asked at the step's moment: ${asked}`);
  const options = await page.locator("[data-testid=predict] .option").evaluateAll((bs) => bs.map((b) => b.dataset.testid));
  expect(options.length >= 2 && options.length <= 4, `2–4 options: ${options}`);
  expect((await page.locator("[data-testid=answer]").count()) === 0, "no answer before the guess");
  await $(page, "predict-20").click();
  await page.waitForSelector("[data-testid=revealing]");
  await page.waitForSelector("[data-testid=answer]");
  const answered = await tickOf(page);
  expect(answered > asked, `the stage played on: ${asked} → ${answered}`);
  const answer = await $(page, "answer").getAttribute("data-answer");
  expect(answer === "-60", `the merged balance: ${answer}`);
  const text = await $(page, "answer").innerText();
  expect(/Not this time: -60/.test(text) && /every replica held -60/.test(text), `judged, and why: ${text}`);
  const narration = await $(page, "narration").innerText();
  expect(narration.includes(`t = ${answered} ms`), `the text follows the run to the answer's moment: ${narration}`);
  expect((await $(page, "score").innerText()) === "0 of 1 right", "the score counts the answer");
  await shot(page, "predict-bank-ap-revealed");
});

test("PageDown (a clicker) on an unanswered question reveals it before moving on", async ({ page, url }) => {
  await open(page, url("?lesson=bank-cp&step=4"));
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press("PageDown");
  await page.waitForSelector("[data-testid=answer]");
  expect((await stepOf(page)) === "4", "still on the question");
  expect((await $(page, "answer").getAttribute("data-answer")) === "refused", "bank-cp: refused");
  await page.keyboard.press("PageDown");
  await page.waitForFunction(() => document.querySelector("[data-testid=step-count]")?.dataset.step === "5");
});

test("a finished lesson is marked on the landing page, after a reload too", async ({ page, url }) => {
  await open(page, url());
  expect((await $(page, "card-intro").getAttribute("data-finished")) === "false", "not finished yet");
  await open(page, url("?lesson=intro&step=4"));
  await $(page, "next").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=step-count]")?.dataset.step === "5");
  await open(page, url());
  await page.reload();
  await ready(page);
  expect((await $(page, "card-intro").getAttribute("data-finished")) === "true", "intro is marked finished");
  expect((await $(page, "card-partition").getAttribute("data-finished")) === "false", "partition is not");
  await shot(page, "predict-landing-finished");
});

/** Every question's options lie inside the viewport, on opening the step. */
async function optionsOnScreen(page, url, w, h, extra, name) {
  for (const [id, step] of QUESTIONS) {
    // (`ready` waits for the first run's nodes; on a phone the run asked about may be another.)
    await page.goto(url(`?lesson=${id}&step=${step}${extra}`));
    await page.waitForSelector("[data-testid=predict] .option");
    await page.waitForSelector(".run.shown [data-testid=node-n1]");
    const boxes = await page.locator("[data-testid=predict] .option").evaluateAll((bs) =>
      bs.map((b) => { const r = b.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }));
    for (const [l, t, r, b] of boxes) {
      expect(l >= 0 && t >= 0 && r <= w && b <= h, `${id} step ${step} at ${w}×${h}: an option at ${l},${t}–${r},${b}`);
    }
  }
  await page.goto(url(`?lesson=bank-ap&step=3${extra}`));
  await ready(page);
  await shot(page, `${name}-question`);
  await $(page, "reveal").click();
  await page.waitForSelector("[data-testid=answer]");
  await shot(page, `${name}-revealed`);
}

test("on a phone the options are on screen at every question", async ({ page, url }) => {
  await optionsOnScreen(page, url, 390, 844, "", "predict-phone");
}, { viewport: { width: 390, height: 844 } });

test("in presenter mode at 1280×720 the options are on screen at every question", async ({ page, url }) => {
  await optionsOnScreen(page, url, 1280, 720, "&present=1", "predict-presenter");
}, { viewport: { width: 1280, height: 720 } });
