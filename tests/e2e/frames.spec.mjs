// Frames on a slow phone (issue #16): while the sandbox plays, the stage follows the run on
// every frame, and the dials — the clock's digits, the scrubber and the history's clock line —
// follow it together, about five times a second (each change of a text or a slider costs the
// browser a layout and a paint of the page, most of a frame on a slow phone). Paused, they are
// exact. The page's clock is ours (installed before it loads): each step below is one 16 ms
// animation frame, whatever the load.
import { test, expect, ready, shot, $ } from "./harness.mjs";

test("while the sandbox plays, the stage moves every frame and the dials move together about five times a second; paused, they are exact", async ({ page, url }) => {
  await page.clock.install();
  await page.goto(url("?scenario=bank"));
  await ready(page);
  await $(page, "pause").waitFor();
  await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1000);
  await page.evaluate(() => {
    window.__writes = 0;
    new MutationObserver((ms) => { window.__writes += ms.filter((m) => m.type === "attributes").length; })
      .observe(document.querySelector(".history-svg"), { subtree: true, attributes: true });
  });
  const seen = () => page.evaluate(() => [document.querySelector("[data-testid=stage-0]").dataset.tick,
    document.querySelector("[data-testid=tick]").textContent.match(/t = (\d+)/)[1],
    document.querySelector("[data-testid=scrubber]").value, window.__writes]);
  let last = await seen();
  let staged = 0, ticked = 0, apart = 0;
  for (let i = 0; i < 120; i++) {
    await page.clock.runFor(16);
    const now = await seen();
    const moved = now.map((x, k) => x !== last[k]);
    staged += moved[0];
    ticked += moved[1];
    // The scrubber and the history move only on a frame that moves the digits.
    apart += (moved[2] || moved[3]) && !moved[1];
    last = now;
  }
  await shot(page, "frames-playing");
  expect(staged >= 100, `the stage followed the run on most frames: ${staged} of 120`);
  expect(ticked >= 6 && ticked <= 14, `the digits moved ${ticked} times in 120 frames of 16 ms (about 5 a second)`);
  expect(apart === 0, `the scrubber or the history moved without the digits on ${apart} frames`);
  // Paused, the digits, the scrubber and the stage stand exactly at the clock.
  await $(page, "pause").click();
  await $(page, "play").waitFor();
  const [stage, t, s] = await seen();
  expect(t === s && s === stage, `paused, the dials are at the clock: scrubber ${s}, digits t = ${t}, stage ${stage}`);
});
