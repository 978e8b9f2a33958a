// The visualizer driven as a person would: cut links, click operations, move time with the
// scrubber or the step buttons, and read what the page shows. No sleeps: every wait is on a
// selector or an attribute. `workload=0&faults=0` = the protocol only, driven by hand.
import { test, expect, ready, settled, shot, $, quiet, seek, clickLink, workerPixels } from "./harness.mjs";

const attr = (page, id, name) => $(page, id).getAttribute(name);



/** The last finished outcome element of `kind` at `node`. */
async function lastOutcome(page, node, kind) {
  const all = page.locator(`[data-testid=outcome][data-node=${node}][data-kind=${kind}]`);
  const n = await all.count();
  expect(n > 0, `no finished ${kind} at ${node}`);
  const el = all.nth(n - 1);
  return { outcome: await el.getAttribute("data-outcome"), reason: await el.getAttribute("data-reason") };
}

async function metric(page, name) {
  return attr(page, `metric-${name}`, "data-value");
}


test("bank, CP: the cut-off replica refuses, the majority serves, n3 catches up", async ({ page, url }) => {
  await page.goto(url(quiet("scenario=bank&mode=cp")));
  await ready(page);
  expect((await page.$eval("[data-testid=mode]", (e) => e.value)) === "cp", "mode select shows cp");
  await seek(page, 900);
  expect(await page.locator("[data-role=leader]").count() === 1, "one leader after the election");
  await clickLink(page, "link-n1-n3", "cut");
  await clickLink(page, "link-n2-n3", "cut");
  await $(page, "op-n3-withdraw").click();
  await seek(page, 2100);
  const n3 = await lastOutcome(page, "n3", "withdraw");
  expect(n3.outcome === "refused" || n3.outcome === "timeout", `withdraw at n3: ${JSON.stringify(n3)}`);
  if (n3.outcome === "refused") expect(n3.reason === "no-quorum", `reason ${n3.reason}`);
  await $(page, "op-n1-withdraw").click();
  await seek(page, 2300);
  const n1 = await lastOutcome(page, "n1", "withdraw");
  expect(n1.outcome === "ok", `withdraw at n1: ${JSON.stringify(n1)}`);
  await shot(page, "visual-bank-cp-cut");
  await clickLink(page, "link-n1-n3", "up");
  await clickLink(page, "link-n2-n3", "up");
  await seek(page, 3200);
  const v1 = await attr(page, "value-n1", "data-value");
  const v3 = await attr(page, "value-n3", "data-value");
  expect(v1 === v3, `n3 caught up: n1=${v1} n3=${v3}`);
  expect(v1.startsWith("20"), `balance after one withdrawal of 80: ${v1}`);
  expect((await metric(page, "linearizable")) === "true", `linearizable: ${await metric(page, "linearizable")}`);
  await shot(page, "visual-bank-cp-healed");
});

test("bank, AP: both sides accept withdrawals, money is double-spent, replicas converge", async ({ page, url }) => {
  await page.goto(url(quiet("scenario=bank&mode=ap")));
  await ready(page);
  await seek(page, 200);
  await clickLink(page, "link-n1-n3", "cut");
  await clickLink(page, "link-n2-n3", "cut");
  await $(page, "op-n1-withdraw").click();
  await $(page, "op-n3-withdraw").click();
  await seek(page, 400);
  expect((await lastOutcome(page, "n1", "withdraw")).outcome === "ok", "withdraw at n1 accepted");
  expect((await lastOutcome(page, "n3", "withdraw")).outcome === "ok", "withdraw at n3 accepted");
  await $(page, "op-n1-deposit").click();
  await $(page, "op-n3-deposit").click();
  await seek(page, 500);
  expect((await lastOutcome(page, "n1", "deposit")).outcome === "ok", "deposit at n1 accepted");
  expect((await lastOutcome(page, "n3", "deposit")).outcome === "ok", "deposit at n3 accepted");
  expect((await metric(page, "converged")) === "false", "diverged while cut");
  await shot(page, "visual-bank-ap-split");
  await clickLink(page, "link-n1-n3", "up");
  await clickLink(page, "link-n2-n3", "up");
  await seek(page, 2500);
  const min = Number(await metric(page, "min-balance"));
  const ds = Number(await metric(page, "double-spends"));
  expect(min < 0 || ds > 0, `min balance ${min}, double spends ${ds}`);
  expect((await metric(page, "converged")) === "true", "converged after the heal");
  const v1 = await attr(page, "value-n1", "data-value");
  expect(v1 === (await attr(page, "value-n3", "data-value")), "n1 and n3 agree");
  await shot(page, "visual-bank-ap-healed");
});

test("feed, AP: a like at n1 is missing from a read at n3 (stale) until the heal", async ({ page, url }) => {
  await page.goto(url(quiet("scenario=feed&mode=ap")));
  await ready(page);
  await seek(page, 200);
  await clickLink(page, "link-n1-n3", "cut");
  await clickLink(page, "link-n2-n3", "cut");
  await $(page, "op-n1-like").click();
  await seek(page, 300);
  expect((await lastOutcome(page, "n1", "like")).outcome === "ok", "like accepted");
  await $(page, "op-n3-read").click();
  await seek(page, 400);
  expect((await lastOutcome(page, "n3", "read")).outcome === "stale", "read at n3 is stale");
  const answer = await $(page, "answer-n3").textContent();
  expect(/missed 1 update/.test(answer) && /fresh value/.test(answer), `answer: ${answer}`);
  expect(Number(await metric(page, "stale-reads")) === 1, "one stale read counted");
  await shot(page, "visual-feed-ap-stale");
  await $(page, "heal-all").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=link-n1-n3]").dataset.state === "up");
  await seek(page, 1500);
  expect((await metric(page, "converged")) === "true", "converged after the heal");
  expect((await attr(page, "value-n3", "data-value")) === (await attr(page, "value-n1", "data-value")), "same feed");
});

test("one-way cut, node menu, keyboard on links", async ({ page, url }) => {
  await page.goto(url(quiet("scenario=register&mode=cp")));
  await ready(page);
  await $(page, "link-n1-n2").click({ modifiers: ["Shift"] });
  await page.waitForFunction(() => document.querySelector("[data-testid=link-n1-n2]").dataset.state === "oneway");
  expect((await attr(page, "link-n1-n2", "data-blocked")) === "n1>n2", "n1>n2 blocked");
  await $(page, "link-n2-n3").focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector("[data-testid=link-n2-n3]").dataset.state === "cut");
  await $(page, "node-n2").click();
  await $(page, "menu-n2-crash").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=node-n2]").dataset.status === "crashed");
  await shot(page, "visual-oneway-crash");
  await $(page, "node-n2").click();
  await $(page, "menu-n2-recover").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=node-n2]").dataset.status === "up");
});

test("step back returns to the exact frame; a copied URL reopens it", async ({ page, url, browser }) => {
  await page.goto(url("?scenario=bank&mode=cp&t=1400"));
  await ready(page);
  await clickLink(page, "link-n1-n2", "cut");
  const svg = () => $(page, "stage-0").evaluate((e) => e.outerHTML);
  const events = () => attr(page, "tick", "data-events");
  const stepTo = async (id, want) => {
    await $(page, id).click();
    await page.waitForFunction((w) => document.querySelector("[data-testid=tick]").dataset.events === String(w), want);
  };
  let n = Number(await events());
  for (let i = 0; i < 5; i++) await stepTo("step", ++n);
  const before = await svg();
  const tick = await attr(page, "tick", "data-value");
  for (let i = 0; i < 6; i++) {
    await stepTo("step", n + 1);
    await stepTo("step-back", n);
    expect((await svg()) === before, `step back gives the same SVG (try ${i})`);
  }
  // Steps further and further ahead, then all the way back.
  for (let i = 0; i < 8; i++) await stepTo("step", n + i + 1);
  for (let i = 8; i > 0; i--) await stepTo("step-back", n + i - 1);
  expect((await svg()) === before, "eight steps back give the same SVG");
  expect((await attr(page, "tick", "data-value")) === tick, "same tick");
  const link = page.url();
  expect(/[#&]s=/.test(link.split("#")[1] ?? ""), `the link carries the reader's clicks: ${link}`);
  const page2 = await page.context().newPage();
  await page2.goto(link);
  await ready(page2);
  const [again] = await settled(page2, "[data-testid=stage-0]", [before]);
  expect(again === before, "the copied URL reopens the same frame");
  await page2.close();
});

test("a malformed link shows a message and the default scenario", async ({ page, url }) => {
  for (const bad of ["?mode=warp", "?scenario=bank#s=3x9zz", "?scenario=nope", `?seed=${"9".repeat(40)}`]) {
    await page.goto(url(bad));
    await ready(page);
    // The address bar is rewritten on mount and Chromium re-fetches the favicon; let that finish
    // before the next navigation (which would abort it and count as a failed request).
    await page.waitForLoadState("networkidle");
    const notice = await $(page, "notice").textContent();
    expect(/The link/.test(notice), `notice for ${bad}: ${notice}`);
    expect((await page.locator("[data-testid=node-n3]").count()) === 1, "default stage drawn");
  }
  await shot(page, "visual-bad-link");
});

test("side by side: CP and AP run the same clicks", async ({ page, url }) => {
  await page.goto(url(quiet("scenario=bank&side=1")));
  await ready(page);
  expect((await page.locator("[data-testid=node-n1]").count()) === 2, "two stages");
  await seek(page, 900);
  await page.locator("[data-testid=link-n1-n3]").first().click();
  await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=link-n1-n3]")].every((e) => e.dataset.state === "cut"));
  await seek(page, 1000);
  await shot(page, "visual-side-by-side");
  await page.screenshot({ path: "tests/e2e/out/visual-side-full.png", fullPage: true });
});

test("playing animates messages; projector and narrow sizes render", async ({ page, url }) => {
  await page.goto(url("?scenario=feed&mode=ap"));
  await ready(page);
  await page.waitForFunction(() => Number(document.querySelector("[data-testid=tick]").dataset.value) > 50);
  await $(page, "pause").click();
  await page.waitForSelector("[data-testid=play]");
  await shot(page, "visual-feed-playing");
  await page.screenshot({ path: "tests/e2e/out/visual-full-page.png", fullPage: true });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await shot(page, "visual-1920x1080");
  await page.setViewportSize({ width: 420, height: 900 });
  await shot(page, "visual-narrow");
});

test("every mode renders: CA proxies, quorum dials, versions, a crashed node, a custom amount", async ({ page, url }) => {
  await page.goto(url(quiet("scenario=bank&mode=ca")));
  await ready(page);
  expect((await page.locator("[data-role=single]").count()) === 1, "one single data node in CA");
  expect((await page.locator("[data-role=proxy]").count()) === 2, "two proxies in CA");
  await $(page, "versions").check();
  await $(page, "node-n3").click();
  await $(page, "menu-n3-crash").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=node-n3]").dataset.status === "crashed");
  await shot(page, "visual-ca-versions-crashed");
  await page.selectOption("[data-testid=mode]", "quorum");
  await page.waitForSelector("[data-testid=dial-r]");
  await page.selectOption("[data-testid=dial-r]", "1");
  await page.waitForFunction(() => location.search.includes("r=1"));
  await page.fill("[data-testid=amount]", "30");
  await page.press("[data-testid=amount]", "Tab");
  await page.waitForFunction(() => document.querySelector("[data-testid=op-n1-deposit]").textContent.includes("30"));
  await $(page, "op-n1-deposit").click();
  await seek(page, 300);
  expect((await lastOutcome(page, "n1", "deposit")).outcome === "ok", "deposit 30 in quorum mode");
  expect((await attr(page, "value-n1", "data-value")).startsWith("130"), `130 at n1: ${await attr(page, "value-n1", "data-value")}`);
  await shot(page, "visual-quorum-dials");
});

test("side by side: step and step back are exact on both stages; a node menu on the AP stage", async ({ page, url }) => {
  await page.goto(url("?scenario=bank&side=1&t=1400"));
  await ready(page);
  const svgs = () => page.$$eval("svg.stage", (all) => all.map((e) => e.outerHTML));
  // Events processed by both runs together: one step is exactly one event of one of them.
  const total = () => page.$$eval("svg.stage", (all) => all.reduce((n, e) => n + Number(e.dataset.events), 0));
  const click = async (id) => {
    const want = (await total()) + (id === "step" ? 1 : -1);
    await $(page, id).click();
    await page.waitForFunction((w) => [...document.querySelectorAll("svg.stage")].reduce((n, e) => n + Number(e.dataset.events), 0) === w, want);
  };
  for (let i = 0; i < 4; i++) await click("step");
  const start = await svgs();
  expect(start.length === 2, "two stages");
  const seen = [];
  for (let i = 0; i < 12; i++) {
    await click("step");
    seen.push(await svgs());
  }
  // A copied link reopens this mid-tick frame exactly on both stages (each carries its own
  // event count: `e` and `e2`).
  const events = await page.$$eval("svg.stage", (all) => all.map((e) => e.dataset.events));
  await page.waitForFunction((e) => location.search.includes(`&e=${e[0]}&e2=${e[1]}`), events);
  const here = await svgs();
  const page2 = await page.context().newPage();
  await page2.goto(page.url());
  await ready(page2);
  const reopened = await settled(page2, "svg.stage", here);
  expect(reopened[0] === here[0] && reopened[1] === here[1], "a reopened side-by-side link shows both stages' exact frame");
  await page2.close();
  for (let i = 10; i >= -1; i--) {
    await click("step-back");
    const now = await svgs();
    const want = i >= 0 ? seen[i] : start;
    expect(now[0] === want[0] && now[1] === want[1], `step back ${11 - i}: both stages are back on the same frame`);
  }
  // The node menu opens on the stage that was clicked (here AP) and acts on both runs.
  await page.locator("[data-testid=stage-1] [data-testid=node-n2]").click();
  // The menu is drawn over its stage's figure (HTML buttons, beside the stage's SVG).
  const figure = (i) => page.locator(".stage-wrap", { has: page.locator(`[data-testid=stage-${i}]`) });
  await figure(1).locator("[data-testid=menu-n2-crash]").click();
  await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=node-n2]")].every((e) => e.dataset.status === "crashed"));
  expect((await figure(0).locator("[data-testid=menu-n2-crash]").count()) === 0, "no menu on the CP stage");
});

test("a reopened link shows the reader's fault marks on the scrubber", async ({ page, url, browser }) => {
  await page.goto(url(quiet("scenario=bank&mode=ap")));
  await ready(page);
  const marks = (p) => p.$eval(".transport svg.marks", (e) => e.innerHTML);
  await seek(page, 300);
  await clickLink(page, "link-n1-n2", "cut");
  await seek(page, 700);
  await clickLink(page, "link-n1-n2", "up");
  await seek(page, 900);
  const before = await marks(page);
  expect((before.match(/fault-mark/g) ?? []).length === 2, `two marks: ${before}`);
  const page2 = await page.context().newPage();
  await page2.goto(page.url());
  await ready(page2);
  expect((await marks(page2)) === before, `the same marks after reopening: ${await marks(page2)} vs ${before}`);
  await page2.close();
});

test("the convergence note claims only what is true at the current tick", async ({ page, url }) => {
  const note = () => page.locator("[data-testid=metric-converged] .metric-note").textContent().catch(() => "");
  await page.goto(url("?scenario=bank&mode=ap&workload=0&t=1000"));
  await ready(page);
  expect((await attr(page, "metric-converged", "data-value")) === "true", "converged before the cut");
  const early = await note();
  expect(!/after the last fault ended/.test(early) && /no fault/.test(early), `before any fault: ${early}`);
  await page.goto(url("?scenario=bank&mode=ap&workload=0&t=7000"));
  await ready(page);
  expect(/ms after the last fault ended/.test(await note()), `after the heal: ${await note()}`);
});

test("crowd: nine clients fit on the stage; hundreds of messages are painted, lying on the stage", async ({ page, url }) => {
  await page.goto(url("?scenario=crowd&t=4300"));
  await ready(page);
  const box = await $(page, "stage-0").boundingBox();
  const names = await page.$$eval("[data-testid=stage-0] .client-name", (all) => all.map((e) => { const r = e.getBoundingClientRect(); return { t: e.textContent, top: r.top, bottom: r.bottom }; }));
  expect(names.length === 9, `nine client names: ${names.map((n) => n.t)}`);
  for (const n of names) expect(n.top >= box.y + 8 && n.bottom <= box.y + box.height, `${n.t} inside the stage: ${JSON.stringify(n)} in ${JSON.stringify(box)}`);
  const badges = await page.$$eval("[data-testid=stage-0] .badge", (all) => all.map((e) => e.getBoundingClientRect().bottom));
  for (const b of badges) expect(b <= box.y + box.height, `badge inside the stage: ${b}`);
  // Messages are drawn on the canvas under the stage, by the stage's worker (static/flight.js);
  // the SVG says how many. What the worker drew is read from its canvas.
  const drawn = Number(await page.getAttribute("[data-testid=stage-0] .messages", "data-drawn"));
  expect(drawn > 100, `data-drawn ${drawn}`);
  const paint = await workerPixels(page, drawn * 20);
  expect(paint.painted > drawn * 20, `canvas pixels painted: ${paint.painted} for ${drawn} messages`);
  expect(paint.colours >= 4, `several kinds' colours on the canvas: ${paint.colours}`);
  const over = await page.$eval(".stage-wrap .msg-layer", (c) => {
    const svg = c.parentElement.querySelector("svg.stage").getBoundingClientRect();
    const box = c.getBoundingClientRect();
    return [box.x - svg.x, box.y - svg.y, box.width - svg.width, box.height - svg.height];
  });
  expect(over.every((d) => Math.abs(d) < 1), `canvas lies on the SVG: ${over}`);
  await shot(page, "visual-crowd");
  // The history's slices come and go as the window jumps (a keyed list of components); every
  // jump must leave bars drawn and no error behind.
  for (const t of [9000, 2000, 6000, 2600, 13000]) {
    await seek(page, t);
    const bars = await page.locator("[data-testid=history-0] .bar").count();
    expect(bars > 20, `bars drawn at t=${t}: ${bars}`);
  }
});
