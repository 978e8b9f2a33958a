// What the narration says about a run is on the stage too (issue #14 item 5): a read's mark by
// its client shows the value the read returned.
import { test, expect, ready, shot, $, quiet } from "./harness.mjs";

test("a read's mark on the stage shows the value it returned", async ({ page, url }) => {
  await page.goto(url(quiet("scenario=bank&mode=cp").replace("t=0", "t=600")));
  await ready(page);
  await $(page, "op-n1-read").click();
  await $(page, "sign-play").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=answer-n1]")?.getAttribute("data-outcome") === "ok");
  await $(page, "pause").click();
  const badges = await page.$$eval("[data-testid=stage-0] .badge text", (all) => all.map((e) => e.textContent));
  expect(badges.some((t) => /read 100\b/.test(t)), `a read badge with the balance it returned: ${JSON.stringify(badges)}`);
  await shot(page, "stage-read-value");
});
