// First paint and first frame as a phone reader meets them (prints figures; asserts nothing).
//
// Serves dist/ and a copy of RaftScope (tests/bench/raftscope, its own licence) gzipped, as any
// static host does, and loads each page cold in headless Chromium, side by side in one run
// (A B C A B C …: the machine's load moves all of them alike), with the network throttled through
// the DevTools protocol to a slow mobile link (1.6 Mbit/s down, 150 ms round trip) and
// unthrottled. For each load it records, from navigation start (the page's own clock):
//   paint  the first paint (Paint Timing `first-paint`)
//   frame  the first frame with the cluster's nodes drawn (the frame after they are in the DOM)
//   live   CAP Lab only: the frame after the wasm app replaced the prerendered page
//   html / css / pre / wasm  when each response ended (Resource Timing): where the time goes.
// Run: node tests/bench/first-frame.mjs [dist] [loads]   (after ./run.sh build; ./run.sh bench)
import { chromium } from "playwright-core";
import { serve } from "../e2e/harness.mjs";

const DIST = process.argv[2] ?? "dist";
const LOADS = Number(process.argv[3] ?? 5);
const RAFTSCOPE = new URL("./raftscope/", import.meta.url).pathname;

const CASES = [
  { name: "RaftScope (jQuery + Bootstrap)", site: "raftscope", path: "/", node: "#server-1" },
  { name: "CAP Lab ?scenario=bank", site: "caplab", path: "/?scenario=bank", node: "[data-testid=node-n1]" },
  { name: "CAP Lab ?embed=1&lesson=bank-cp&step=2", site: "caplab", path: "/?embed=1&lesson=bank-cp&step=2", node: "[data-testid=node-n1]" },
];
const NETS = [
  { name: "throttled 1.6 Mbit/s, 150 ms RTT", kbps: 1600, rtt: 150 },
  { name: "unthrottled (localhost)", kbps: 0, rtt: 0 },
];

// Both gzipped (each file compressed once, as a host's cache or its precompressed files serve
// it), RaftScope on a host of its own.
const sites = { caplab: await serve(DIST), raftscope: await serve(RAFTSCOPE) };

// Installed before the page's own scripts: notes the frame after `sel` (and, for CAP Lab, the
// live app's node outside the prerendered `#pre`) first appears.
function watch(sel) {
  const seen = (window.__ff = {});
  const at = (k) => requestAnimationFrame(() => { seen[k] ??= performance.now(); });
  const look = () => {
    const n = document.querySelector(sel);
    if (n && !seen.dom) { seen.dom = performance.now(); at("frame"); }
    const live = [...document.querySelectorAll(sel)].find((e) => !e.closest("#pre"));
    if (live && !document.getElementById("pre") && !seen.liveDom) { seen.liveDom = performance.now(); at("live"); }
  };
  new MutationObserver(look).observe(document, { childList: true, subtree: true });
}

async function load(browser, c, net) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  if (net.kbps > 0) {
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: net.rtt, downloadThroughput: (net.kbps * 1000) / 8, uploadThroughput: (750 * 1000) / 8 });
  }
  await page.addInitScript(watch, c.node);
  await page.goto(sites[c.site].origin + c.path, { waitUntil: "commit" });
  const live = c.site === "caplab";
  await page.waitForFunction((live) => window.__ff?.frame && (!live || window.__ff.live), live, { timeout: 60000, polling: 50 });
  const r = await page.evaluate(() => {
    const end = (re) => performance.getEntriesByType("resource").filter((e) => re.test(e.name)).map((e) => e.responseEnd).sort((a, b) => b - a)[0];
    const nav = performance.getEntriesByType("navigation")[0];
    const paint = performance.getEntriesByType("paint").find((e) => e.name === "first-paint");
    return { paint: paint?.startTime, frame: window.__ff.frame, live: window.__ff.live, html: nav?.responseEnd, css: end(/\.css$/), pre: end(/\/pre\//), wasm: end(/\.wasm$/) };
  });
  await context.close();
  return r;
}

const median = (xs) => {
  const v = xs.filter((x) => x !== undefined).sort((a, b) => a - b);
  return v.length ? Math.round(v[v.length >> 1]) : undefined;
};
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
for (const net of NETS) {
  const runs = CASES.map(() => []);
  for (let i = 0; i < LOADS; i++) for (const [k, c] of CASES.entries()) runs[k].push(await load(browser, c, net));
  const base = median(runs[0].map((r) => r.frame));
  console.log(`BENCH first frame, ${net.name}, median of ${LOADS} cold loads, gzip host, 390×844:`);
  for (const [k, c] of CASES.entries()) {
    const m = (key) => median(runs[k].map((r) => r[key]));
    const parts = ["paint", "frame", "live", "html", "css", "pre", "wasm"].filter((key) => m(key) !== undefined).map((key) => `${key} ${m(key)}`);
    console.log(`BENCH   ${c.name.padEnd(40)} ${parts.join(" · ")} ms; frame ${(m("frame") / base).toFixed(2)}× RaftScope's`);
  }
}
await browser.close();
for (const site of Object.values(sites)) site.server.close();
