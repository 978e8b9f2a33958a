// The lessons: every lesson opens from its link and every step renders and narrates; predict
// buttons reveal the computed answer; "Try it yourself" switches to free play and back; a reader
// who changes the run gets a narration computed from their version; the landing page.
import { test, expect, ready, shot, $ } from "./harness.mjs";

const narration = (page) => $(page, "narration").innerText();
const stepOf = (page) => $(page, "step-count").getAttribute("data-step");

/** Opens `href` and waits until the app is drawn and the page (favicon included) is loaded, so
 *  that the next navigation cannot abort a request (the harness fails on aborted requests). */
async function open(page, href) {
  await page.goto(href);
  await ready(page);
  await page.waitForLoadState("networkidle");
}

async function waitStep(page, n) {
  await page.waitForFunction((n) => document.querySelector("[data-testid=step-count]")?.dataset.step === String(n), n);
}

/** The lesson ids, in order, read from the landing page's cards. */
async function lessonIds(page, url) {
  await open(page, url());
  const hrefs = await page.locator("[data-testid=lessons] a.card").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  return hrefs.map((h) => new URLSearchParams(h.slice(h.indexOf("?"))).get("lesson"));
}

test("landing: lesson cards beside a live stage that plays", async ({ page, url }) => {
  await open(page, url());
  const cards = page.locator("[data-testid=lessons] a.card");
  expect((await cards.count()) === 12, `12 lesson cards, got ${await cards.count()}`);
  expect((await cards.first().getAttribute("href")) === "?lesson=intro&step=1", "cards are real links to step 1");
  expect((await page.locator("[data-testid=card-bank-cp] svg.mini .mini-link.cut").count()) > 0, "bank-cp's card shows the cut");
  expect((await page.locator("[data-testid=card-partition] svg.mini .mini-node.crashed").count()) === 1, "partition's card shows a crash");
  await page.waitForFunction(() => Number(document.querySelector("[data-testid=tick]")?.dataset.value) > 0);
  await shot(page, "lesson-landing");
  await cards.first().focus();
  await page.keyboard.press("Enter");
  await waitStep(page, 1);
  await page.waitForLoadState("networkidle");
  expect(page.url().includes("lesson=intro&step=1"), `Enter on a card opens the lesson: ${page.url()}`);
  await open(page, url("?scenario=bank"));
  expect((await page.locator("[data-testid=mode]").count()) === 1, "?scenario= still opens the full lab");
});

/** Chromium re-fetches the favicon after each same-document URL change (history.replaceState on
 *  every step) and aborts the fetch when the next change comes first. That is not an app error:
 *  drop exactly those entries, keep every other error. */
function dropFaviconAborts(errors) {
  for (let i = errors.length - 1; i >= 0; i--) {
    if (/request failed: \S*favicon[^ ]*\.svg net::ERR_ABORTED$/.test(errors[i])) errors.splice(i, 1);
  }
}

test("every lesson: Next through every step and Back again, narrated at each", async ({ page, url, errors }) => {
  const ids = await lessonIds(page, url);
  expect(ids.length === 12, `12 lessons: ${ids}`);
  for (const id of ids) {
    await open(page, url(`?lesson=${id}&step=1`));
    await waitStep(page, 1);
    const count = Number((await $(page, "step-count").innerText()).split("/")[1]);
    expect(count >= 4 && count <= 8, `${id}: 4–8 steps, got ${count}`);
    const texts = [];
    for (let n = 1; n <= count; n++) {
      if (n > 1) {
        // Next on an unanswered question reveals it first; the next Next moves on.
        if (await page.locator("[data-testid=reveal]").count()) {
          await $(page, "next").click();
          await page.waitForSelector("[data-testid=revealing], [data-testid=answer]");
        }
        await $(page, "next").click();
        await waitStep(page, n);
      }
      const t = await narration(page);
      expect(t.trim().length > 40, `${id} step ${n}: narration is empty`);
      expect(!/[{}]|TODO/.test(t), `${id} step ${n}: template residue in ${t}`);
      expect(!texts.includes(t), `${id} step ${n}: same narration as an earlier step`);
      texts.push(t);
      expect(page.url().includes(`lesson=${id}&step=${n}`), `${id}: the URL follows the step: ${page.url()}`);
      await shot(page, `lesson-${id}-${n}`);
    }
    expect(await $(page, "next").isDisabled(), `${id}: Next is disabled on the last step`);
    for (let n = count - 1; n >= 1; n--) {
      await $(page, "prev").click();
      await waitStep(page, n);
      expect((await narration(page)) === texts[n - 1], `${id} step ${n}: Back shows the same narration`);
    }
  }
  dropFaviconAborts(errors);
});

test("predict: the options reveal the computed answer; Reveal works without a guess", async ({ page, url }) => {
  await open(page, url("?lesson=bank-cp&step=4"));
  await page.waitForSelector("[data-testid=predict]");
  await $(page, "predict-ok").click();
  await page.waitForSelector("[data-testid=answer]");
  const answer = await $(page, "answer").getAttribute("data-answer");
  expect(answer === "refused", `bank-cp: Bob's withdrawal at the cut-off n3 is refused, got ${answer}`);
  const text = await $(page, "answer").innerText();
  expect(/Not this time/.test(text) && /no quorum/.test(text), `the reveal judges the guess and says why: ${text}`);
  await shot(page, "lesson-bank-cp-4-revealed");
  await open(page, url("?lesson=bank-ap&step=3"));
  await $(page, "reveal").click();
  await page.waitForSelector("[data-testid=answer]");
  const balance = await $(page, "answer").getAttribute("data-answer");
  expect(balance === "-60", `bank-ap: both sides said yes, the merged balance is -60, got ${balance}`);
  await $(page, "next").click();
  await waitStep(page, 4);
  expect((await page.locator("[data-testid=answer]").count()) === 0, "a new step hides the old answer");
});

test("watch it happen: the stage plays from the previous step and stops at this one", async ({ page, url }) => {
  // The page's clock is ours (from before the page loads): animation frames and timers advance
  // only when the test says so, so what the narration shows mid-play does not depend on how
  // busy the machine is.
  await page.clock.install();
  await open(page, url("?lesson=bank-cp&step=5"));
  const before = await narration(page);
  const svg = () => $(page, "stage-0").evaluate((e) => e.outerHTML);
  const frame = await svg();
  // Installed, the fake clock still follows real time; paused, it moves only by runFor.
  await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1000);
  await $(page, "watch").click();
  // While it plays, the text follows the run (a few times a second) and says which moment it tells.
  const seen = new Set();
  let followed = false;
  for (let i = 0; i < 200 && (await $(page, "watch").isDisabled()); i++) {
    await page.clock.runFor(100);
    const t = await narration(page);
    seen.add(t);
    followed ||= /It follows the run: it describes t = \d+ ms/.test(t);
  }
  expect(!(await $(page, "watch").isDisabled()), "the run stops at the step");
  expect(followed && seen.size > 2, `the narration follows the run while it plays: ${[...seen].join(" | ")}`);
  expect([...seen].some((t) => /is still waiting|has just been sent/.test(t)), "mid-play, Bob's withdrawal is told as waiting");
  expect((await $(page, "narration").getAttribute("aria-live")) === "polite", "announced again once paused");
  expect((await narration(page)) === before, "the same narration after watching");
  expect((await svg()) === frame, "the stage ends on exactly the step's frame");
});

test("the history shows the operations the narration points at", async ({ page, url }) => {
  // bank-ap's last step names the two withdrawals at 2500 ms while the clock is at 6500 ms.
  await open(page, url("?lesson=bank-ap&step=6"));
  expect(/look at Bob's withdrawal of 80 at n3/.test(await narration(page)), "the text names the counter-example");
  const bars = await page.locator("[data-testid=history-0] .bar.hl .shape").evaluateAll((rs) => {
    const plot = rs[0]?.ownerSVGElement.getBoundingClientRect();
    return rs.map((r) => { const b = r.getBoundingClientRect(); return [b.left - plot.left, b.width, plot.width]; });
  });
  expect(bars.length === 2, `two highlighted operations, got ${bars.length}`);
  const verdict = await page.locator(".verdict.bad").first().textContent();
  expect(/Bob's withdraw 80 at n3/.test(verdict) && /Alice's withdraw 80 at n1/.test(verdict),
    `the history's verdict names the counter-example as the lanes show it: ${verdict}`);
  for (const [x, w, plot] of bars) {
    expect(x >= 0 && x + w <= plot, `a highlighted bar lies inside the plot: x=${x} w=${w} of ${plot}`);
  }
});

test("try it yourself: free play from the step, then back to the same step", async ({ page, url }) => {
  await open(page, url("?lesson=bank-cp&step=3"));
  const tick = await $(page, "history-0").getAttribute("data-testid");
  expect(tick === "history-0", "the lesson shows its history");
  await $(page, "try-it").click();
  await page.waitForSelector("[data-testid=play]");
  expect((await $(page, "tick").getAttribute("data-value")) <= "1501", "free play starts at the step's moment");
  await $(page, "op-n1-read").click();
  await $(page, "step").click();
  await shot(page, "lesson-try-it");
  await $(page, "back-to-lesson").click();
  await page.waitForSelector("[data-testid=try-it]");
  expect((await stepOf(page)) === "3", "back on step 3");
  expect((await page.locator("[data-testid=play]").count()) === 0, "lesson mode hides the transport");
});

test("a reader who heals the partition gets a narration computed from their run", async ({ page, url }) => {
  await open(page, url("?lesson=bank-cp&step=3"));
  const before = await narration(page);
  await $(page, "next").click();
  await waitStep(page, 4);
  const answerBefore = await (async () => { await $(page, "reveal").click(); return $(page, "answer").getAttribute("data-answer"); })();
  expect(answerBefore === "refused", `original run: refused, got ${answerBefore}`);
  await $(page, "prev").click();
  await waitStep(page, 3);
  await $(page, "try-it").click();
  await page.waitForSelector("[data-testid=play]");
  for (const l of ["link-n1-n3", "link-n2-n3"]) {
    expect((await $(page, l).getAttribute("data-state")) === "cut", `${l} is cut at step 3`);
    await $(page, l).click();
    await page.waitForFunction((l) => document.querySelector(`[data-testid=${l}]`)?.dataset.state === "up", l);
  }
  await page.waitForSelector("[data-testid=edited]");
  const after = await narration(page);
  expect(after !== before, "the narration was recomputed from the healed run");
  await $(page, "back-to-lesson").click();
  await $(page, "next").click();
  await waitStep(page, 4);
  await $(page, "reveal").click();
  const answerAfter = await $(page, "answer").getAttribute("data-answer");
  expect(answerAfter === "ok", `healed run: Bob's withdrawal goes through, got ${answerAfter}`);
  await shot(page, "lesson-bank-cp-healed");
  await $(page, "restore").click();
  await page.waitForFunction(() => !document.querySelector("[data-testid=edited]"));
  await $(page, "reveal").click();
  expect((await $(page, "answer").getAttribute("data-answer")) === "refused", "restore brings back the lesson's run");
});

test("bad lesson links: a message, then the landing page or the nearest step", async ({ page, url }) => {
  await open(page, url("?lesson=nope"));
  expect(/no lesson called "nope"/.test(await $(page, "notice").innerText()), "notice for an unknown lesson");
  expect((await page.locator("[data-testid=lessons] a.card").count()) === 12, "the landing page");
  await open(page, url("?lesson=bank-cp&step=999"));
  expect(/showing the last one/.test(await $(page, "notice").innerText()), "notice for a step out of range");
  expect((await stepOf(page)) === "8", `nearest valid step: ${await stepOf(page)}`);
});
