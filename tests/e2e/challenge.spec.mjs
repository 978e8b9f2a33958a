// Challenges (issue #15): the landing page lists them; a challenge is solved by clicks on the
// real page, judged by the checkers; its share link reopens it solved; the impossible one is
// explained after three failed tries. No sleeps: every wait is on an attribute or a text.
import { test, expect, ready, shot, seek, $ } from "./harness.mjs";

/** Waits until the challenge's status has `data-state` = `want`; returns its text. */
async function state(page, want, timeout = 20000) {
  await page.waitForFunction((want) =>
    document.querySelector("[data-testid=challenge-status]")?.getAttribute("data-state") === want, want, { timeout });
  return $(page, "challenge-status").textContent();
}

/** Plays at 16× (the reader's clicks are already in). */
async function playFast(page) {
  await $(page, "speed").selectOption("6");
  if (await $(page, "play").isVisible()) await $(page, "play").click();
}

/** Solves `ap-double-spend` by clicks (n3 cut off, both withdraw, play) and pauses; returns the
 * status text. */
async function solveDoubleSpend(page, url) {
  await page.goto(url("?challenge=ap-double-spend&t=0"));
  await ready(page);
  await $(page, "partition").click();
  await $(page, "op-n1-withdraw").click();
  await $(page, "op-n3-withdraw").click();
  await playFast(page);
  const found = await state(page, "solved");
  if (await $(page, "pause").isVisible()) await $(page, "pause").click();
  return found;
}

test("the landing page lists every challenge, and an unknown one says so", async ({ page, url }) => {
  await page.goto(url("?"));
  await $(page, "challenges").waitFor();
  const ids = await page.$$eval("[data-testid=challenges] a", (as) => as.map((a) => a.getAttribute("href")));
  expect(ids.length >= 8, `at least 8 challenges listed: ${ids.length}`);
  for (const id of ["ap-double-spend", "quorum-stale", "lww-loses-a-like", "cp-refuses", "cp-always-available", "vclock-siblings"]) {
    expect(ids.includes(`?challenge=${id}`), `${id} is listed`);
  }
  await $(page, "challenge-cp-refuses").click();
  await ready(page);
  expect(/refuse Bob/.test(await $(page, "challenge-goal").textContent()), "the goal is shown above the sandbox");
  await state(page, "open");
  await page.goto(url("?challenge=no-such-thing"));
  await $(page, "challenges").waitFor();
  const notice = await $(page, "notice").textContent();
  expect(/no challenge called "no-such-thing"/.test(notice), `the page says the id is unknown: ${notice}`);
});

test("the AP bank pays twice by clicks; the share link reopens it solved", async ({ page, url }) => {
  await page.goto(url("?challenge=ap-double-spend&t=0"));
  await ready(page);
  await state(page, "open");
  await $(page, "partition").click();
  await $(page, "op-n1-withdraw").click();
  await $(page, "op-n3-withdraw").click();
  await playFast(page);
  const found = await state(page, "solved");
  expect(/double spend/.test(found) && /Alice's withdrawal of 80 at n1/.test(found) && /Bob's withdrawal of 80 at n3/.test(found),
    `the checker's finding names both withdrawals: ${found}`);
  await $(page, "heal-all").click();
  if (await $(page, "pause").isVisible()) await $(page, "pause").click();
  await state(page, "solved");
  await shot(page, "challenge-solved-1280");
  const href = await $(page, "challenge-link").getAttribute("href");
  expect(href.startsWith("?challenge=ap-double-spend&t="), `the share link names the challenge and the frame: ${href}`);
  await page.goto(url(href));
  await ready(page);
  expect(/double spend/.test(await state(page, "solved")), "the share link reopens the solved run");
  await $(page, "challenge-retry").click();
  await state(page, "open");
}, { viewport: { width: 1280, height: 720 } });

test("the CP bank refuses Bob while Alice is served, by clicks", async ({ page, url }) => {
  await page.goto(url("?challenge=cp-refuses&t=0"));
  await ready(page);
  await $(page, "partition").click();
  await seek(page, 1000);
  await $(page, "op-n3-withdraw").click();
  await $(page, "op-n1-deposit").click();
  await playFast(page);
  const found = await state(page, "solved");
  expect(/Bob's withdrawal of 80 at n3 was refused/.test(found) && /Alice's deposit of 20 at n1 succeeded/.test(found),
    `the finding says who was refused and who was served: ${found}`);
});

test("a like lost under last-writer-wins, kept by the CRDT counter with the same clicks", async ({ page, url }) => {
  await page.goto(url("?challenge=lww-loses-a-like&t=0"));
  await ready(page);
  await $(page, "partition").click();
  await $(page, "op-n1-like").click();
  await $(page, "op-n3-like").click();
  await playFast(page);
  await page.waitForFunction(() => document.querySelector("[data-testid=answer-n3]")?.getAttribute("data-outcome") === "ok");
  await $(page, "heal-all").click();
  const found = await state(page, "solved");
  expect(/lost-update checker finds .*'s like at n[13] confirmed/.test(found), `the lost like is named: ${found}`);
  const crdt = await $(page, "challenge-contrast").textContent();
  expect(/2 likes confirmed, none lost/.test(crdt), `the CRDT replay keeps both: ${crdt}`);
});

test("a solved challenge on a phone: goal, status and share link on screen", async ({ page, url }) => {
  await solveDoubleSpend(page, url);
  const href = await $(page, "challenge-link").getAttribute("href");
  await page.goto(url(href));
  await ready(page);
  await state(page, "solved");
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, "challenge-solved-phone");
  const box = await $(page, "challenge-status").boundingBox();
  expect(box && box.x >= 0 && box.x + box.width <= 390, `the status fits the phone's width: ${JSON.stringify(box)}`);
}, { viewport: { width: 390, height: 844 } });

test("keeping the CP bank available to everyone is explained after three failed tries", async ({ page, url }) => {
  await page.goto(url("?challenge=cp-always-available&t=0"));
  await ready(page);
  for (let n = 1; n <= 3; n++) {
    await $(page, "partition").click();
    await $(page, "op-n3-deposit").click();
    await playFast(page);
    await page.waitForFunction((n) => {
      const s = document.querySelector("[data-testid=challenge-status]");
      return s && (s.textContent.includes(`${n} of 3 tries failed`) || s.getAttribute("data-state") === "impossible");
    }, n, { timeout: 20000 });
    if (n < 3) await $(page, "challenge-retry").click();
  }
  const said = await state(page, "impossible");
  expect(/Try 1: Bob's deposit of 20 at n3/.test(said) && /Try 3:/.test(said), `each try names the request that failed: ${said}`);
  expect(/cut-off side \(n3\)/.test(said) && /CAP theorem/.test(said), `and why: ${said}`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, "challenge-impossible");
});

test("presenter mode: the solved challenge above the stage, both on a 1280 × 720 screen", async ({ page, url }) => {
  await solveDoubleSpend(page, url);
  const href = await $(page, "challenge-link").getAttribute("href");
  const [q, f] = href.split("#");
  await page.goto(url(`${q}&present=1#${f}`));
  await ready(page);
  await state(page, "solved");
  await shot(page, "challenge-solved-presenter");
  const status = await $(page, "challenge-status").boundingBox();
  const stage = await $(page, "stage-0").boundingBox();
  expect(status.y + status.height <= stage.y, `the status is above the stage: ${JSON.stringify([status, stage])}`);
  expect(stage.y < 720 - 200, `the stage starts on screen: ${stage.y}`);
}, { viewport: { width: 1280, height: 720 } });

/** axe-core's serious and critical violations on the page (as classroom.spec.mjs checks). */
async function axe(page) {
  await page.addScriptTag({ path: "node_modules/axe-core/axe.min.js" });
  const res = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  return res.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}

for (const scheme of ["light", "dark"]) {
  test(`axe-core: a solved challenge has no serious or critical violation (${scheme})`, async ({ page, url }) => {
    await solveDoubleSpend(page, url);
    const bad = await axe(page);
    expect(bad.length === 0, `violations:\n      ${bad.join("\n      ")}`);
  }, { context: { bypassCSP: true, colorScheme: scheme } });
}
