// Look inside (issue #14, "beyond RaftScope"): click a node to read what its protocol holds;
// pause, click a message to read it, then delay or drop it; the link carries what you did.
import { test, expect, ready, shot, $ } from "./harness.mjs";

/** The inspector's rows as { label: text }. */
async function rows(page) {
  return page.$eval("[data-testid=inspector-0] dl", (dl) => {
    const out = {};
    const dts = [...dl.querySelectorAll("dt")];
    for (const dt of dts) out[dt.textContent] = dt.nextElementSibling.textContent;
    return out;
  });
}

test("a CP node's inside: term, leader, log and commit, as its own summary says", async ({ page, url }) => {
  await page.goto(url("?scenario=bank&t=1500"));
  await ready(page);
  await $(page, "node-n1").click();
  await $(page, "menu-n1-inside").click();
  const panel = $(page, "inspector-0");
  await panel.waitFor();
  const title = await panel.locator("h3").textContent();
  expect(/^Inside n1 · (leader|follower|candidate), term \d+$/.test(title), `title: ${title}`);
  const r = await rows(page);
  for (const label of ["Term", "Leader", "Commit"]) expect(label in r, `a ${label} row: ${JSON.stringify(r)}`);
  expect(/entries up to #\d+ of \d+ are committed/.test(r.Commit), `commit: ${r.Commit}`);
  expect(Object.keys(r).some((k) => /^#\d+$/.test(k)), "log entries are listed");
  // The stage's own version line for the node says the same term.
  const term = r.Term.match(/^(\d+)/)[1];
  await $(page, "inspect-n2").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=inspector-0] h3")?.textContent.startsWith("Inside n2"));
  expect((await rows(page)).Term.startsWith(term), "n2 is in the same term at this frame");
  await shot(page, "inspect-cp-node");
  await $(page, "inspector-close").click();
  expect((await panel.count()) === 0, "closed");
});

test("pause, click a message, read it, delay it, drop it; the link reopens the same frame", async ({ page, url }) => {
  await page.goto(url("?scenario=bank&faults=0&t=1510"));
  await ready(page);
  const hit = page.locator("circle.msg-hit").first();
  for (let i = 0; i < 40 && (await hit.count()) === 0; i++) await $(page, "step").click();
  await hit.waitFor();
  const id = (await hit.getAttribute("data-testid")).slice(4);
  await hit.click({ force: true });
  const panel = $(page, "inspector-0");
  await panel.waitFor();
  expect((await panel.locator("h3").textContent()).startsWith(`Message #${id} · `), "the message's title");
  let r = await rows(page);
  expect(/^n\d → n\d$/.test(r.Route) && r.Contents.length > 10, `route and contents: ${JSON.stringify(r)}`);
  // The contents as a table: one row per field the message carries (a CP message: its term, or
  // the op it is about), after the phrase that says what it asks or tells.
  expect("Term" in r || "Op" in r, `a row per field: ${JSON.stringify(r)}`);
  const arrives = Number(r.Arrives.match(/at (\d+) ms/)[1]);
  await $(page, "delay-message").click();
  await page.waitForFunction((a) => {
    const dd = [...document.querySelectorAll("[data-testid=inspector-0] dt")].find((d) => d.textContent === "Arrives");
    return dd && dd.nextElementSibling.textContent === `at ${a} ms`;
  }, arrives + 200);
  await shot(page, "inspect-message");
  await $(page, "drop-message").click();
  await page.waitForFunction(() => /no longer on its way/.test(document.querySelector("[data-testid=inspector-0]")?.textContent ?? ""));
  const link = page.url();
  expect(new RegExp(`y${id}-200\\.0m${id}`).test(decodeURIComponent(link)), `the link carries the delay and the drop: ${link}`);
  const events = await $(page, "stage-0").getAttribute("data-events");
  await page.goto(link);
  await ready(page);
  expect((await $(page, "stage-0").getAttribute("data-events")) === events, "the link reopens the same frame");
});

test("an AP node shows its versions and hints; a quorum node its last read and write quorum", async ({ page, url }) => {
  await page.goto(url("?scenario=bank&mode=ap&t=3000"));
  await ready(page);
  await $(page, "look-inside").click();
  await $(page, "inspector-0").waitFor();
  let r = await rows(page);
  expect("Checking" in r && "Savings" in r && "Hints" in r, `AP rows: ${JSON.stringify(r)}`);
  await shot(page, "inspect-ap-node");
  await page.goto(url("?scenario=bank&mode=quorum&t=3000"));
  await ready(page);
  await $(page, "look-inside").click();
  await $(page, "inspector-0").waitFor();
  r = await rows(page);
  expect(/R = \d/.test(r["Last read quorum"]) && /W = \d/.test(r["Last write quorum"]), `quorum rows: ${JSON.stringify(r)}`);
});

test("a write not settled yet is drawn at its node, and gone once settled", async ({ page, url }) => {
  await page.goto(url("?scenario=bank&workload=0&faults=0&t=1000"));
  await ready(page);
  await $(page, "op-n1-deposit").click();
  const badge = page.locator("[data-testid^=pending-]").first();
  for (let i = 0; i < 60 && (await badge.count()) === 0; i++) await $(page, "step").click();
  const said = (await badge.textContent()).trim();
  expect(/^\d+ pending$/.test(said), `the badge: ${said}`);
  await shot(page, "inspect-pending-write");
  await page.goto(url("?scenario=bank&workload=0&faults=0&t=8000"));
  await ready(page);
  expect((await page.locator("[data-testid^=pending-]").count()) === 0, "nothing pending at the quiet end");
});
