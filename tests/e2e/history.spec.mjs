// The history diagram (issue #14 item 6): every op readable at every size, the ops the narration
// names inside the window, each bar reachable by keyboard and described, labels readable on a
// phone and a projector, and no "linearizable" before a lesson has explained the word.
import { test, expect, ready, shot, $ } from "./harness.mjs";

async function open(page, href) {
  await page.goto(href);
  await ready(page);
  await page.waitForLoadState("networkidle");
  await page.waitForSelector("[data-testid=history-0]");
}

/** Each finished bar of run 0: its op id, its visible mark's box (the bar, or the round mark of a
 *  short op; not the invisible pointer target or focus ring) and whether it lies in the plot. */
async function drawnBars(page) {
  return page.$$eval("[data-testid=history-0] [data-testid=outcome]", (bars) => {
    const plot = document.querySelector("[data-testid=history-0] svg.plot").getBoundingClientRect();
    return bars.map((g) => {
      const marks = [...g.querySelectorAll("rect, circle")].filter((r) => !r.matches(".hit, .true-extent"));
      const boxes = marks.map((m) => m.getBoundingClientRect());
      const left = Math.min(...boxes.map((b) => b.left));
      const right = Math.max(...boxes.map((b) => b.right));
      const label = g.getAttribute("aria-label") ?? g.querySelector("title")?.textContent ?? "";
      return { id: g.dataset.opId, width: right - left, inside: left >= plot.left - 0.5 && right <= plot.right + 0.5, label };
    });
  });
}

for (const [w, h] of [[1280, 800], [390, 844]]) {
  test(`a 4 ms op is drawn at least 12 px wide (${w}×${h})`, async ({ page, url }) => {
    // bank-cp step 5 (2560 ms): Bob's withdrawal at n3, sent at 2500 ms, refused after 4 ms.
    await open(page, url("?lesson=bank-cp&step=5"));
    const bars = await drawnBars(page);
    const read = bars.find((b) => b.id === "1");
    expect(read, `Bob's withdrawal is drawn: ${JSON.stringify(bars)}`);
    expect(read.width >= 12, `its mark is ${read.width.toFixed(1)} px wide (≥ 12): ${read.label}`);
    expect(/refused after 4 ms/.test(read.label), `it took 4 ms: ${read.label}`);
    const extent = await page.$eval("[data-testid=history-0] [data-op-id='1'] .true-extent", (r) => r.getBoundingClientRect().width);
    expect(extent < read.width, `its true extent (${extent.toFixed(1)} px) is drawn inside the mark`);
    expect(await page.locator(".history .k-short").count() > 0, "the key explains the short mark");
    await shot(page, `history-short-op-${w}`);
  }, { viewport: { width: w, height: h } });
}

test("bank-cp step 8: every operation the narration counts is drawn in the window", async ({ page, url }) => {
  await open(page, url("?lesson=bank-cp&step=8"));
  const text = await $(page, "narration").innerText();
  const m = /(\d+) operations? finished/.exec(text);
  expect(m, `the narration counts the operations: ${text}`);
  const named = Number(m[1]);
  const bars = await drawnBars(page);
  const inside = bars.filter((b) => b.inside);
  expect(inside.length >= named, `${named} operations named, ${inside.length} drawn inside the window: ${JSON.stringify(bars)}`);
  await shot(page, "history-bank-cp-8");
});

test("keyboard: Tab reaches a bar, whose name says who, what, when and how it ended", async ({ page, url }) => {
  await open(page, url("?lesson=bank-cp&step=8"));
  let name = null;
  for (let i = 0; i < 80 && !name; i++) {
    await page.keyboard.press("Tab");
    name = await page.evaluate(() => {
      const a = document.activeElement;
      return a?.closest?.("[data-testid=history-0]") && a.classList.contains("bar") ? a.getAttribute("aria-label") : null;
    });
  }
  expect(name, "Tab reaches a bar of the history");
  expect(/^\w+'s .+ at n\d, sent at \d+ ms: .+ after \d+ ms/.test(name), `the bar's name describes the op: ${name}`);
  expect(/^Alice's read at n1, sent at 1000 ms: returned 100 after \d+ ms\. Not stale/.test(name), `the first bar is Alice's read: ${name}`);
  const shown = await $(page, "bar-focus").innerText();
  expect(shown === name, `the focused bar's description is shown under the diagram: ${shown}`);
  const ring = await page.evaluate(() => getComputedStyle(document.activeElement.querySelector(".hit")).stroke);
  expect(ring && ring !== "none", `a visible focus ring: ${ring}`);
  await shot(page, "history-keyboard-focus");
  await page.locator("[data-testid=history-0] [data-op-id='1']").click();
  const tapped = await $(page, "bar-focus").innerText();
  expect(/^Bob's withdrawal of 80 at n3, sent at 2500 ms: was refused after 4 ms/.test(tapped), `a click on a bar shows its description: ${tapped}`);
});

async function labelSizes(page) {
  return page.$$eval("[data-testid=history-0] :is(.lane-label, .axis)", (els) => els.map((el) => {
    const svg = el.ownerSVGElement;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return { text: el.textContent, px: parseFloat(getComputedStyle(el).fontSize) * scale, lane: el.classList.contains("lane-label") };
  }));
}

test("row labels are at least 12 px on a 390×844 phone", async ({ page, url }) => {
  await open(page, url("?lesson=bank-cp&step=8"));
  const sizes = await labelSizes(page);
  expect(sizes.filter((s) => s.lane).length === 2, `two lane labels: ${JSON.stringify(sizes)}`);
  for (const s of sizes) expect(s.px >= 12, `"${s.text}" is ${s.px.toFixed(1)} px on screen`);
  await $(page, "history-0").scrollIntoViewIfNeeded();
  await shot(page, "history-phone");
}, { viewport: { width: 390, height: 844 } });

test("presenter mode at 1024×768: row labels at least 18 px", async ({ page, url }) => {
  await open(page, url("?lesson=bank-cp&step=8&present=1"));
  const sizes = await labelSizes(page);
  for (const s of sizes.filter((s) => s.lane)) expect(s.px >= 18, `"${s.text}" is ${s.px.toFixed(1)} px on screen`);
  await $(page, "history-0").scrollIntoViewIfNeeded();
  await shot(page, "history-present");
}, { viewport: { width: 1024, height: 768 } });

test("intro: the history says 'linearizable' only from the step that explains it", async ({ page, url }) => {
  await open(page, url("?lesson=intro&step=1"));
  await page.waitForFunction(() => !/checking/.test(document.querySelector(".history .verdict")?.textContent ?? "checking"));
  const first = await page.locator(".history").first().innerText();
  expect(!/lineariz/i.test(first), `no "linearizable" in the history at step 1: ${first}`);
  const explains = await open(page, url("?lesson=intro&step=5")).then(() => $(page, "narration").innerText());
  expect(/called linearizable/.test(explains), "step 5 explains the word");
  await page.waitForFunction(() => /linearizable/.test(document.querySelector(".history .verdict")?.textContent ?? ""));
});
