// The pipeline end to end: the release build loads under its CSP, with no console error and no
// request to another origin, and draws n1, n2, n3.
import { createHash } from "node:crypto";
import { test, expect, ready, shot, serve, openPage } from "./harness.mjs";

test("page loads clean and draws three nodes", async ({ page, url }) => {
  await page.goto(url());
  await ready(page);
  expect((await page.title()) === "CAP Lab", `title is "${await page.title()}"`);
  for (const n of ["n1", "n2", "n3"]) {
    const node = page.locator(`[data-testid=node-${n}]`);
    expect(await node.count() === 1, `one node-${n}`);
    expect((await node.getAttribute("data-status")) === "up", `${n} is up`);
  }
  await shot(page, "foundation-1280x800");
});

test("strict CSP: Trunk's loader moved to a file; the one inline script and style allowed by their hashes", async ({ page, url }) => {
  const res = await page.goto(url());
  const html = await res.text();
  // The release page is minified: attributes in any order, quotes only where needed.
  const meta = [...html.matchAll(/<meta\b[^>]*>/g)].map((m) => m[0]).find((t) => /http-equiv="?Content-Security-Policy/.test(t)) ?? "";
  const csp = meta.match(/content="([^"]+)"/)?.[1] ?? "";
  const src = (d) => csp.split(";").map((x) => x.trim()).find((x) => x.startsWith(`${d} `))?.split(/\s+/).slice(1) ?? [];
  const hash = (text) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
  expect(!csp.includes("unsafe-inline"), "no unsafe-inline in the CSP");
  // Inline: the first-frame script (index.html) and the placeholder's style, nothing else.
  const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].filter((m) => m[2].trim() !== "");
  expect(inline.length === 1 && !/module/.test(inline[0][1]), `one inline script, not Trunk's module loader: ${inline.length}`);
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)];
  expect(styles.length === 1, `one inline style: ${styles.length}`);
  const scripts = src("script-src");
  expect(["'self'", "'wasm-unsafe-eval'", hash(inline[0][2])].every((x) => scripts.includes(x)) && scripts.length === 3, `script-src: ${scripts.join(" ")}`);
  const css = src("style-src");
  expect(css.length === 2 && css.includes("'self'") && css.includes(hash(styles[0][1])), `style-src: ${css.join(" ")}`);
  await ready(page);
});

test("works under a sub-path (relative public URL)", async ({ browser }) => {
  const site = await serve("dist", "/some/blog/caplab/");
  const { context, page, errors } = await openPage(browser, site.origin);
  try {
    await page.goto(site.base);
    await ready(page);
    expect(errors.length === 0, `errors under a sub-path: ${errors.join("; ")}`);
  } finally {
    await context.close();
    site.server.close();
  }
});
