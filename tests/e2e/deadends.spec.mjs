// No dead ends in the sandbox (issue #13): whatever the reader does, the page goes on and says
// what state it is in. No sleeps: every wait is on a selector or an attribute.
import { test, expect, ready, shot, $ } from "./harness.mjs";

/** Waits until client @node's last request has an answer (ok, refused, timeout, stale). */
async function answered(page, node) {
  await page.waitForFunction((id) => {
    const el = document.querySelector(`[data-testid="answer-${id}"]`);
    return el && el.getAttribute("data-outcome") !== "pending";
  }, node, { timeout: 15000 });
  return $(page, `answer-${node}`).getAttribute("data-outcome");
}

test("changing the mode while playing keeps playing, and a request then gets its answer", async ({ page, url }) => {
  await page.goto(url("?scenario=bank&workload=0"));
  await ready(page);
  await $(page, "pause").waitFor();
  await $(page, "mode").selectOption("ap");
  await page.waitForFunction(() => new URL(location.href).searchParams.get("mode") === "ap" || document.querySelector("[data-testid=mode]").value === "ap");
  expect(await $(page, "pause").isVisible(), "still playing after the mode change (Pause is offered)");
  expect((await $(page, "stage-sign").count()) === 0, "no pause sign while playing");
  await $(page, "op-n1-withdraw").click();
  const outcome = await answered(page, "n1");
  expect(["ok", "refused", "timeout"].includes(outcome), `the withdrawal was answered: ${outcome}`);
});

test("a paused stage says so on the stage, and its button plays on", async ({ page, url }) => {
  await page.goto(url("?scenario=bank&workload=0&faults=0&t=500"));
  await ready(page);
  const sign = $(page, "stage-sign");
  await sign.waitFor();
  expect((await sign.getAttribute("data-state")) === "paused", "the stage says paused");
  await $(page, "op-n3-withdraw").click();
  await page.waitForFunction(() => /1 request waiting/.test(document.querySelector("[data-testid=stage-sign]")?.textContent ?? ""));
  await shot(page, "deadends-paused-sign");
  await $(page, "sign-play").click();
  const outcome = await answered(page, "n3");
  expect(outcome === "ok", `answered once playing: ${outcome}`);
  expect((await sign.count()) === 0, "the sign goes away while playing");
});

test("at the end of a run a request still gets its answer, and Play plays again", async ({ page, url }) => {
  await page.goto(url("?scenario=bank&workload=0&faults=0&t=8000"));
  await ready(page);
  const sign = $(page, "stage-sign");
  await sign.waitFor();
  expect((await sign.getAttribute("data-state")) === "ended", "the stage says the run is over");
  await $(page, "op-n1-withdraw").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=stage-sign]")?.getAttribute("data-state") === "paused");
  await $(page, "play").click();
  const outcome = await answered(page, "n1");
  expect(outcome === "ok", `the withdrawal sent at the end was answered: ${outcome}`);
  await page.waitForFunction(() => document.querySelector("[data-testid=stage-sign]")?.getAttribute("data-state") === "ended");
  const tick = Number(await $(page, "tick").getAttribute("data-value"));
  expect(tick > 8000, `the run went on past its scripted end: t = ${tick}`);
  await $(page, "sign-play").click();
  await page.waitForFunction(() => Number(document.querySelector("[data-testid=tick]")?.getAttribute("data-value")) < 8000);
  expect(await $(page, "pause").isVisible(), "Play at the end plays the run again from the start");
});

test("a link cut short keeps what it still says (mode, tick) and says what was dropped", async ({ page, url }) => {
  await page.goto(url("?scenario=bank&mode=ap&seed=5&t=1200#s=12c0-2.0b1-"));
  await ready(page);
  expect((await $(page, "mode").inputValue()) === "ap", "the mode the link asked for");
  expect((await $(page, "seed").inputValue()) === "5", "the seed the link asked for");
  const tick = Number(await $(page, "tick").getAttribute("data-value"));
  expect(tick === 1200, `the tick the link asked for: ${tick}`);
  const notice = await $(page, "notice").textContent();
  expect(/cut short|could not be read|left out/i.test(notice), `the notice says what was dropped: ${notice}`);
});
