// The stage is readable and shows what the narration names (issue #14, items 4, 5 and 9):
// every label on a stage measured on screen, after the SVG's scaling; client labels inside
// their stage in presenter mode; lesson 10's regions, distance and clock; lesson 11's hints.
import { test, expect, ready, shot, $, quiet, seek } from "./harness.mjs";

/** Every drawn text of every stage: its words and its font size on screen (CSS px). */
async function stageLabels(page) {
  return page.$$eval("svg.stage text", (all) => all
    .filter((t) => t.textContent.trim() && t.getBoundingClientRect().width > 0)
    .map((t) => ({
      text: t.textContent.trim(),
      px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
    })));
}

/** Waits (briefly) for the stages to size their text, then checks every label is ≥ `min` px. */
async function allAtLeast(page, min, what) {
  await page.waitForFunction((min) => [...document.querySelectorAll("svg.stage text")]
    .filter((t) => t.textContent.trim() && t.getBoundingClientRect().width > 0)
    .every((t) => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a >= min - 0.05), min, { timeout: 3000 })
    .catch(() => {});
  const labels = await stageLabels(page);
  expect(labels.length >= 6, `${what}: labels measured: ${labels.length}`);
  const small = labels.filter((l) => l.px < min - 0.05).map((l) => `"${l.text}" ${l.px.toFixed(1)} px`);
  expect(small.length === 0, `${what}: labels under ${min} px on screen: ${small.slice(0, 8).join(", ")}`);
}

/** The sandbox's bank in CP with a request answered and one on its way (badges drawn). */
async function bankWithAnswers(page, url, extra = "") {
  await page.goto(url(quiet("scenario=bank&mode=cp") + extra));
  await ready(page);
  await $(page, "op-n1-deposit").click();
  await seek(page, 1200);
  await $(page, "op-n3-withdraw").click();
  await page.waitForSelector("[data-testid=stage-0] .badge-pending");
}

test("phone 390×844: every stage label is at least 12 px on screen (sandbox, three-run lesson)", async ({ page, url }) => {
  await bankWithAnswers(page, url);
  await allAtLeast(page, 12, "sandbox");
  await $(page, "stage-0").scrollIntoViewIfNeeded();
  await shot(page, "readable-phone-sandbox");
  await page.goto(url("?lesson=partition&step=3"));
  await ready(page);
  expect((await page.locator("svg.stage").count()) === 3, "three stages");
  await allAtLeast(page, 12, "lesson partition (three runs)");
  await shot(page, "readable-phone-partition");
  await page.goto(url("?lesson=feed-ap&step=4"));
  await ready(page);
  await allAtLeast(page, 12, "lesson feed-ap");
}, { viewport: { width: 390, height: 844 } });

test("1280×720: labels stay at least 12 px with three stages side by side", async ({ page, url }) => {
  await page.goto(url("?lesson=partition&step=3"));
  await ready(page);
  await allAtLeast(page, 12, "lesson partition at 1280×720");
  await shot(page, "readable-1280-partition");
  await bankWithAnswers(page, url);
  await allAtLeast(page, 12, "sandbox at 1280×720");
  await $(page, "stage-0").scrollIntoViewIfNeeded();
  await shot(page, "readable-1280-sandbox");
}, { viewport: { width: 1280, height: 720 } });

test("presenter 1024×768: stage labels ≥ 18 px, client labels inside the stage, a drawn full-screen icon", async ({ page, url }) => {
  await bankWithAnswers(page, url, "&present=1");
  await allAtLeast(page, 18, "presenter sandbox");
  const out = await page.$$eval("svg.stage", (svgs) => svgs.flatMap((svg) => {
    const box = svg.getBoundingClientRect();
    return [...svg.querySelectorAll(".client-mark text")].map((t) => ({ t: t.textContent, r: t.getBoundingClientRect() }))
      .filter(({ r }) => r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
      .map(({ t, r }) => `"${t}" ${Math.round(r.left)}–${Math.round(r.right)} in ${Math.round(box.left)}–${Math.round(box.right)}`);
  }));
  expect(out.length === 0, `client labels outside their stage: ${out.join("; ")}`);
  const fs = $(page, "fullscreen");
  expect((await fs.locator("svg").count()) === 1, "the full-screen button draws its icon");
  expect(!(await fs.textContent()).includes("⛶"), "no ⛶ glyph (missing from many fonts)");
  await $(page, "stage-0").scrollIntoViewIfNeeded();
  await shot(page, "readable-present-sandbox");
  await page.goto(url("?lesson=partition&step=3&present=1"));
  await ready(page);
  await allAtLeast(page, 18, "presenter lesson partition");
  await shot(page, "readable-present-partition");
}, { viewport: { width: 1024, height: 768 } });

test("lesson 10 draws the two regions, the latency between them and the clock it names", async ({ page, url }) => {
  await page.goto(url("?lesson=two-regions&step=1"));
  await ready(page);
  expect(/watch the clock/i.test(await $(page, "narration").textContent()), "the narration names the clock");
  const names = await page.$$eval("[data-testid=stage-0] .region-label", (all) => all.map((e) => e.textContent));
  expect(names.includes("US-East") && names.includes("Europe"), `region names: ${JSON.stringify(names)}`);
  const distance = await $(page, "distance").textContent();
  expect(/\b80(–\d+)? ms/.test(distance), `latency between the regions: ${distance}`);
  const clock = $(page, "stage-clock");
  expect(await clock.isVisible(), "a clock on the stage");
  expect(/^t = \d+ ms$/.test((await clock.textContent()).trim()), `clock: ${await clock.textContent()}`);
  await shot(page, "readable-two-regions");
}, { viewport: { width: 1280, height: 720 } });

test("lesson 11: the hint the narration counts is drawn at its node", async ({ page, url }) => {
  await page.goto(url("?lesson=hinted-handoff&step=2"));
  await ready(page);
  const said = (await $(page, "narration").textContent()).match(/n(\d) holds (\d+) hints?/);
  expect(said, "the narration says who holds a hint");
  const [, node, count] = said;
  const mark = $(page, `hints-n${node}`);
  expect(await mark.isVisible(), `a hint mark at n${node}`);
  const text = (await mark.textContent()).trim();
  expect(new RegExp(`^${count} hints? → n3$`).test(text), `the mark says ${count} hint(s) for n3: "${text}"`);
  await shot(page, "readable-hinted-handoff");
  // After the heal the hint is handed over: no mark.
  await page.goto(url("?lesson=hinted-handoff&step=3"));
  await ready(page);
  expect(/No replica holds a hint/.test(await $(page, "narration").textContent()), "step 3: no hint held");
  expect((await page.locator("[data-testid^=hints-]").count()) === 0, "no hint mark after the heal");
}, { viewport: { width: 1280, height: 720 } });
