// Frames on a slow phone (issue #16). While the sandbox plays, the stage's messages move on
// every frame; the dials — the clock's digits, the scrubber, the history's clock line — follow
// the run together about five times a second (each change of a text or a slider costs the
// browser a layout and a paint of the page, most of a frame on a slow phone); and a frame that
// draws nothing new but where messages are (no event, no dial moved) is not rendered at all:
// its messages are painted straight onto their canvas.
// On a browser that cannot keep up (frames far apart), the stage's text and shapes follow the
// dials too. Paused, the dials and the stage are exact. The page's clock is ours (installed
// before it loads): each step below is one animation frame, 16 ms apart unless made late.
import { test, expect, ready, shot, $ } from "./harness.mjs";

/** Plays `link` for 120 animation frames `gap` ms apart; per frame, what moved. */
async function play(page, url, link, gap = 16) {
  await page.clock.install();
  await page.goto(url(link));
  await ready(page);
  if (await $(page, "play").count()) await $(page, "play").click();
  await $(page, "pause").waitFor();
  await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1000);
  await page.evaluate(() => {
    window.__writes = 0;
    new MutationObserver((ms) => { window.__writes += ms.filter((m) => m.type === "attributes").length; })
      .observe(document.querySelector(".history-svg"), { subtree: true, attributes: true });
  });
  const seen = () => page.evaluate(() => {
    const g = document.querySelector("[data-testid=stage-0] .messages");
    return [Number(g.dataset.drawn), document.querySelector(".stage-wrap .msg-layer").dataset.frame, document.querySelector("main").dataset.renders,
      document.querySelector("[data-testid=tick]").textContent.match(/t = (\d+)/)[1],
      document.querySelector("[data-testid=scrubber]").value, window.__writes];
  });
  const frames = [];
  let last = await seen();
  for (let i = 0; i < 120; i++) {
    // A late frame: the wall clock moves on, then the next animation frame (16 ms later) comes.
    if (gap > 16) await page.clock.setSystemTime((await page.evaluate(() => Date.now())) + gap - 16);
    await page.clock.runFor(16);
    const now = await seen();
    frames.push({ flying: now[0] > 0 && last[0] > 0, moved: now.map((x, k) => x !== last[k]) });
    last = now;
  }
  return frames;
}

test("while the sandbox plays, messages move every frame, the dials together about five times a second, and a frame that draws nothing new is not rendered; paused, the dials are exact", async ({ page, url }) => {
  // From t = 500 messages are on the wire on most frames.
  const frames = await play(page, url, "?scenario=bank&t=500");
  await shot(page, "frames-playing");
  const flying = frames.filter((f) => f.flying);
  expect(flying.length >= 60, `messages were on the wire on ${flying.length} of 120 frames`);
  const still = flying.filter((f) => !f.moved[1]).length;
  expect(still === 0, `messages on the wire stood still on ${still} frames`);
  const ticked = frames.filter((f) => f.moved[3]).length;
  expect(ticked >= 6 && ticked <= 14, `the digits moved ${ticked} times in 120 frames of 16 ms (about 5 a second)`);
  const apart = frames.filter((f) => (f.moved[4] || f.moved[5]) && !f.moved[3]).length;
  expect(apart === 0, `the scrubber or the history moved without the digits on ${apart} frames`);
  // Paused, the digits and the scrubber stand exactly at the clock.
  await $(page, "pause").click();
  await $(page, "play").waitFor();
  const [t, s] = await page.evaluate(() => [document.querySelector("[data-testid=tick]").textContent.match(/t = (\d+)/)[1],
    document.querySelector("[data-testid=scrubber]").value]);
  expect(t === s, `paused, the dials are at the clock: scrubber ${s}, digits t = ${t}`);
});

test("the first two seconds of the bank sandbox, with no message on the wire, render only when the dials move or something happens", async ({ page, url }) => {
  const frames = await play(page, url, "?scenario=bank");
  const flying = frames.filter((f) => f.flying).length;
  const renders = frames.filter((f) => f.moved[2]).length;
  expect(flying === 0, `no message flies in the first two seconds (${flying} frames had some)`);
  expect(renders <= 20, `the lab rendered on ${renders} of 120 frames`);
});

test("while messages fly and nothing else happens, the lab is not rendered: the canvas follows them alone", async ({ page, url }) => {
  const frames = await play(page, url, "?scenario=bank&t=500");
  const flying = frames.filter((f) => f.flying);
  const rendered = flying.filter((f) => f.moved[2]).length;
  expect(rendered * 2 <= flying.length, `the lab rendered on ${rendered} of the ${flying.length} frames with messages on the wire`);
});

test("on a browser that cannot keep up (crowd, frames 40 ms apart), the stage renders only with the dials while messages move every frame; paused, it shows the exact state", async ({ page, url }) => {
  // On time, nine nodes' events redraw the stage on most frames …
  const fast = await play(page, url, "?scenario=crowd&t=1000");
  const fastRenders = fast.filter((f) => f.moved[2]).length;
  expect(fastRenders >= 60, `with frames on time, crowd rendered on ${fastRenders} of 120 frames`);
  // … late, once the page has seen a few late frames, only the dials' moves do.
  const late = (await play(page, url, "?scenario=crowd&t=1000", 40)).slice(8);
  const flying = late.filter((f) => f.flying);
  expect(flying.length === late.length, `messages flew on ${flying.length} of ${late.length} frames`);
  const still = flying.filter((f) => !f.moved[1]).length;
  expect(still === 0, `messages stood still on ${still} late frames`);
  const renders = late.filter((f) => f.moved[2]).length;
  const alone = late.filter((f) => f.moved[2] && !f.moved[3]).length;
  expect(renders > 0 && alone === 0, `late frames: ${renders} renders, ${alone} of them without the dials`);
  expect(renders * 3 <= late.length, `late frames: the lab rendered on ${renders} of ${late.length}`);
  // Paused, the replicas show what the written link (the same run at that tick) shows.
  await $(page, "pause").click();
  await $(page, "play").waitFor();
  const values = () => page.$$eval("[data-testid^=value-n]", (gs) => gs.map((g) => `${g.dataset.testid}=${g.dataset.value}`).join(" "));
  const paused = await values();
  const link = await page.evaluate(() => location.search + location.hash);
  await shot(page, "frames-late-paused");
  await page.goto(url(link));
  await ready(page);
  const opened = await values();
  expect(paused === opened, `paused: ${paused}; the link ${link} opens with ${opened}`);
});
