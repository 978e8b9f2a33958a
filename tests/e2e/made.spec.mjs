// Lessons a teacher makes (issue #15): recorded in the sandbox by clicks, shared as a link that
// reopens as a lesson with the teacher's captions, the run's computed facts and a question
// whose answer comes from the run.
import { test, expect, ready, shot, $ } from "./harness.mjs";

/** Records a one-step lesson in CP: n3 cut off, a caption and a question, then Bob withdraws. */
async function record(page, url) {
  await page.goto(url("?scenario=bank&mode=cp&workload=0&faults=0&t=400"));
  await ready(page);
  await $(page, "made-start").click();
  await $(page, "made-maker").waitFor();
  await $(page, "made-title").fill("Bob on his own");
  await $(page, "partition").click();
  await $(page, "made-caption").fill("n3 is cut off <b>now</b>.");
  await $(page, "made-question").fill("What will Bob's withdrawal get?");
  await $(page, "made-add").click();
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=made-step]").length === 1);
  await $(page, "op-n3-withdraw").click();
  await shot(page, "made-maker");
  const link = await $(page, "made-link").inputValue();
  expect(link.includes("made=") && link.includes("#"), `the lesson link carries the steps and the clicks: ${link}`);
  return link;
}

test("a lesson recorded by clicks reopens from its link, with its caption and a computed answer", async ({ page, url }) => {
  const link = await record(page, url);
  await page.goto(link);
  await ready(page);
  await $(page, "made-lesson").waitFor();
  expect((await $(page, "made-caption-text").textContent()) === "n3 is cut off <b>now</b>.", "the caption is shown as text, markup and all");
  expect((await page.locator(".made-caption b").count()) === 0, "no HTML is built from the caption");
  expect((await $(page, "made-count").textContent()).startsWith("Step 1 of 1"), "one step");
  const facts = await $(page, "made-facts").textContent();
  expect(/n3 is cut off from n1 and n2/.test(facts), `the run's facts are computed: ${facts}`);
  const before = Number(await $(page, "tick").getAttribute("data-value"));
  await $(page, "made-option").click(); // "ok"
  await $(page, "made-answer").waitFor();
  const answer = await $(page, "made-answer").getAttribute("data-answer");
  expect(answer === "timeout" || answer === "refused", `CP does not serve Bob on the cut-off side: ${answer}`);
  expect(/you said ok/.test(await $(page, "made-answer").textContent()), "the reader's guess is named");
  const after = Number(await $(page, "tick").getAttribute("data-value"));
  expect(after > before, `the reveal plays the run to the answer: t ${before} → ${after}`);
  await shot(page, "made-lesson");
});

test("the same lesson in an embed plays without the maker, and on a phone the question is on screen", async ({ page, url }) => {
  const link = await record(page, url);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(link.replace("?", "?embed=1&"));
  await ready(page);
  await $(page, "made-lesson").waitFor();
  expect((await $(page, "made-edit").count()) === 0, "an embed cannot edit the lesson");
  expect((await $(page, "made-start").count()) === 0, "nor start a new one");
  await $(page, "made-option").scrollIntoViewIfNeeded();
  const b = await $(page, "made-option").boundingBox();
  expect(b && b.height >= 44, `the options are tap-sized: ${JSON.stringify(b)}`);
  await shot(page, "made-embed-phone");
});

test("a clicker's PageDown on a made lesson's unanswered question reveals it first", async ({ page, url }) => {
  const link = await record(page, url);
  await page.goto(link);
  await ready(page);
  await $(page, "made-lesson").waitFor();
  await page.locator("body").click({ position: { x: 2, y: 2 } });
  await page.keyboard.press("PageDown");
  await $(page, "made-answer").waitFor();
  expect(/^The answer: /.test(await $(page, "made-answer").textContent()), "revealed without a guess");
  expect((await $(page, "made-count").textContent()).startsWith("Step 1 of 1"), "still on the question's step");
});

test("on a phone a made lesson's text comes right after the stage and its transport", async ({ page, url }) => {
  const link = await record(page, url);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(link);
  await ready(page);
  await $(page, "made-lesson").waitFor();
  const lesson = await $(page, "made-lesson").boundingBox();
  const tools = await page.locator(".stage-tools").first().boundingBox();
  const stage = await page.locator(".run").first().boundingBox();
  expect(lesson.y > stage.y && lesson.y < tools.y, `stage ${stage.y}, lesson ${lesson.y}, tools ${tools.y}`);
  await shot(page, "made-phone");
});
