// Frames on a slow phone (issue #16): while the sandbox plays, a frame writes to the page only
// what moved by a pixel. The history's clock line and waiting bars and the scrubber's thumb move
// in whole-pixel steps while playing (exact again once paused), so most frames leave them alone:
// each write costs the browser a style, layout and paint pass. The page's clock is ours
// (installed before it loads): each step below is one 16 ms animation frame, whatever the load.
import { test, expect, ready, shot, $ } from "./harness.mjs";

test("while the sandbox plays, most frames leave the history and the scrubber alone; paused, they are exact", async ({ page, url }) => {
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
  const seen = () => page.evaluate(() => [document.querySelector("[data-testid=tick]").textContent.match(/t = (\d+)/)[1],
    document.querySelector("[data-testid=scrubber]").value, window.__writes]);
  let [tick, scrub, writes] = await seen();
  let ticked = 0, scrubbed = 0, wrote = 0;
  for (let i = 0; i < 120; i++) {
    await page.clock.runFor(16);
    const [t, s, w] = await seen();
    ticked += t !== tick;
    scrubbed += s !== scrub;
    wrote += w !== writes;
    [tick, scrub, writes] = [t, s, w];
  }
  await shot(page, "frames-playing");
  expect(ticked >= 100, `the clock moved on most frames: ${ticked} of 120`);
  const moved = `of the ${ticked} frames that moved the clock, the scrubber moved on ${scrubbed} and the history was written on ${wrote}`;
  expect(scrubbed > 0 && scrubbed <= ticked / 2, moved);
  expect(wrote > 0 && wrote <= ticked / 2, moved);
  // Paused, the scrubber and the clock line stand exactly at the clock.
  await $(page, "pause").click();
  await $(page, "play").waitFor();
  const [t, s] = await seen();
  expect(t === s, `paused, the scrubber is at the clock: ${s} vs t = ${t}`);
});
