// The teacher's page (`?teach=1`, issue #15): every lesson with its goal, duration, questions
// and computed answers, a classroom flow, and a layout that prints.
import { test, expect, shot, $ } from "./harness.mjs";

test("the teacher's page lists every lesson with its questions answered, and prints without its buttons", async ({ page, url }) => {
  await page.goto(url("?teach=1"));
  await $(page, "teach").waitFor({ timeout: 20000 });
  const lessons = page.locator("[data-testid=teach-lesson]");
  expect((await lessons.count()) === 12, `12 lessons: ${await lessons.count()}`);
  const n = await lessons.count();
  for (let i = 0; i < n; i++) {
    const l = lessons.nth(i);
    const id = await l.getAttribute("data-id");
    const qs = l.locator("[data-testid=teach-question]");
    expect((await qs.count()) >= 1, `${id} asks at least one question`);
    for (let k = 0; k < (await qs.count()); k++) {
      const a = await qs.nth(k).locator("[data-testid=teach-answer]").textContent();
      expect(/^Answer: (?!none)/.test(a), `${id}: the question has the run's answer: ${a}`);
    }
    expect(/About \d+ minutes/.test(await l.textContent()), `${id} says how long it takes`);
    expect((await l.locator(`a[href*="lesson=${id}"]`).count()) === 1, `${id} links to its lesson`);
  }
  await shot(page, "teach");
  await page.emulateMedia({ media: "print" });
  expect(!(await $(page, "teach-print").isVisible()), "the print button is not printed");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ media: "screen" });
  await shot(page, "teach-phone");
});

test("the teacher's page lists every challenge with its goal and how it is reached (or why not)", async ({ page, url }) => {
  await page.goto(url("?teach=1"));
  await $(page, "teach").waitFor({ timeout: 20000 });
  const cs = page.locator("[data-testid=teach-challenge]");
  expect((await cs.count()) >= 8, `at least 8 challenges: ${await cs.count()}`);
  const impossible = page.locator("[data-testid=teach-challenge][data-id=cp-always-available]");
  expect(/Why it cannot be done/.test(await impossible.textContent()), "the impossible one says why");
  expect((await impossible.locator('a[href="?challenge=cp-always-available"]').count()) === 1, "it links to the challenge");
});
