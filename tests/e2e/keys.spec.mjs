// Keys (issue #14 items 8 and 9): an embed leaves Space and PageDown to the blog post around it;
// a presenter can break and heal the network, crash a node and send requests from the keyboard.
import { test, expect, shot, ready, $, quiet } from "./harness.mjs";

const stepOf = (page) => page.evaluate(() => new URL(location.href).searchParams.get("step"));
const state = (page, id) => $(page, id).getAttribute("data-state");

test("embedded lesson: after a click inside, Space and PageDown scroll the host page; → steps", async ({ page, url }) => {
  await page.goto(url("?lesson=bank-cp&step=2&embed=1"));
  await ready(page);
  await $(page, "narration").click();
  for (const key of ["Space", "PageDown", "PageUp", "."]) {
    await page.keyboard.press(key);
    expect((await stepOf(page)) === "2", `${key} left the step alone in an embed (step ${await stepOf(page)})`);
  }
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => new URL(location.href).searchParams.get("step") === "3");
  await page.keyboard.press("ArrowLeft");
  await page.waitForFunction(() => new URL(location.href).searchParams.get("step") === "2");
}, { viewport: { width: 800, height: 500 } });

test("embedded lesson: on the runs' tabs the arrow keys, Home and End move between the runs, not the steps", async ({ page, url }) => {
  await page.goto(url("?lesson=partition&step=3&embed=1"));
  await ready(page);
  const selected = () => page.evaluate(() => document.querySelector("[role=tab][aria-selected=true]")?.dataset.testid);
  const focused = () => page.evaluate(() => document.activeElement?.dataset.testid);
  const tabStops = await page.locator("[role=tab]:not([tabindex='-1'])").count();
  expect(tabStops === 1, `one Tab stop among the run tabs: ${tabStops}`);
  await $(page, "run-tab-0").focus();
  for (const [key, want] of [["ArrowRight", "run-tab-1"], ["ArrowRight", "run-tab-2"], ["ArrowRight", "run-tab-0"],
    ["ArrowLeft", "run-tab-2"], ["Home", "run-tab-0"], ["End", "run-tab-2"]]) {
    await page.keyboard.press(key);
    await page.waitForFunction((want) => document.querySelector("[role=tab][aria-selected=true]")?.dataset.testid === want, want);
    expect((await focused()) === want, `${key}: the focus moved to ${want} (on ${await focused()})`);
    expect((await stepOf(page)) === "3", `${key} left the step alone (step ${await stepOf(page)})`);
  }
  expect((await selected()) === "run-tab-2", "the last tab is shown");
  expect(await page.locator("[data-testid=lesson-stage-2] svg.stage").isVisible(), "its run is on screen");
  await shot(page, "keys-run-tabs-end");
}, { viewport: { width: 800, height: 500 } });

test("presenter: X cuts the last node off, H heals, C crashes and recovers it, 1 sends a request", async ({ page, url }) => {
  await page.goto(url(quiet("scenario=bank&mode=cp").replace("t=0", "t=600") + "&present=1"));
  await ready(page);
  expect(await $(page, "fullscreen").isVisible(), "a full screen button in presenter mode");
  await page.keyboard.press("x");
  await page.waitForFunction(() => document.querySelector("[data-testid=link-n1-n3]")?.getAttribute("data-state") !== "up");
  expect((await state(page, "link-n2-n3")) !== "up", "both of n3's links are cut");
  await shot(page, "keys-presenter-partitioned");
  await page.keyboard.press("h");
  await page.waitForFunction(() => document.querySelector("[data-testid=link-n1-n3]")?.getAttribute("data-state") === "up");
  await page.keyboard.press("c");
  await page.waitForFunction(() => document.querySelector("[data-testid=node-n3]")?.dataset.status === "crashed");
  await page.keyboard.press("c");
  await page.waitForFunction(() => document.querySelector("[data-testid=node-n3]")?.dataset.status === "up");
  await page.keyboard.press("1");
  await page.waitForFunction(() => document.querySelector("[data-testid=answer-n1]")?.getAttribute("data-outcome") === "pending");
  expect((await $(page, "answer-n1").textContent()).includes("withdraw"), "client 1 sent a withdrawal");
  await page.keyboard.press("?");
  expect((await $(page, "shortcuts").textContent()).includes("heal every link"), "the shortcut list names the demo keys");
}, { viewport: { width: 1024, height: 768 } });

test("Escape closes a node's menu, then the inspector", async ({ page, url }) => {
  await page.goto(url("?scenario=bank&t=500"));
  await ready(page);
  await $(page, "look-inside").click();
  await $(page, "inspector-0").waitFor();
  await $(page, "node-n2").click();
  await page.locator(".node-menu").waitFor();
  await page.keyboard.press("Escape");
  await page.locator(".node-menu").waitFor({ state: "detached" });
  expect(await $(page, "inspector-0").isVisible(), "the menu closes first; the inspector stays");
  await page.keyboard.press("Escape");
  await $(page, "inspector-0").waitFor({ state: "detached" });
});
