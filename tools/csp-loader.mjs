// Trunk post-build hook: moves Trunk's inline module loader into its own file so the page runs
// under a Content-Security-Policy without 'unsafe-inline' (trunk issue #288).
// Reads and rewrites $TRUNK_STAGING_DIR/index.html. Fails loudly if the loader is not found.
import { readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("csp-loader: TRUNK_STAGING_DIR is not set (run me as a Trunk post_build hook)");
  process.exit(1);
}
const file = join(dir, "index.html");
const html = readFileSync(file, "utf8");
// (A minified page writes the attribute unquoted: type=module.)
const re = /<script type="?module"?[^>]*>([\s\S]*?)<\/script>/g;
const inline = [...html.matchAll(re)].filter((m) => !/\ssrc=/.test(m[0]));
if (inline.length !== 1) {
  console.error(`csp-loader: expected exactly one inline module script, found ${inline.length}`);
  process.exit(1);
}
const [tag, body] = [inline[0][0], inline[0][1]];
const name = `loader-${createHash("sha256").update(body).digest("hex").slice(0, 16)}.js`;
writeFileSync(join(dir, name), body.trim() + "\n");
let page = html.replace(tag, `<script type="module" src="./${name}"></script>`);
console.log(`csp-loader: moved the inline loader to ${name}`);

// First paint (issue #16). The page's one inline script (it fetches the link's prerendered first
// frame) and one inline style (the placeholder's rules) are allowed by their hashes, nothing
// else inline is. The stylesheet moves from the head to the end of the body, after #pre: in the
// head it would hold back the first paint until it arrived; there it holds back only #app.
const only = (re, what) => {
  const found = [...page.matchAll(re)];
  if (found.length !== 1) {
    console.error(`csp-loader: expected exactly one inline ${what}, found ${found.length}`);
    process.exit(1);
  }
  return found[0];
};
const hash = (text) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
const script = only(/<script>([\s\S]*?)<\/script>/g, "script");
const style = only(/<style>([\s\S]*?)<\/style>/g, "style");
const sheet = only(/<link [^>]*rel="?stylesheet"?[^>]*>/g, "stylesheet link");
page = page
  .replace(/script-src 'self'/, `script-src 'self' ${hash(script[1])}`)
  .replace(/style-src 'self'/, `style-src 'self' ${hash(style[1])}`)
  .replace(sheet[0], "")
  // No preload of the wasm and its glue: on a slow link they would share it with the stylesheet
  // and the prerendered first frame, which the reader needs first. The loader fetches both once
  // the stylesheet is in (measured in BENCHMARKS.md, "First frame").
  .replace(/<link [^>]*rel="?(modulepreload|preload)"?[^>]*>/g, "")
  .replace(/<div id="?app"?/, (app) => sheet[0].replace("<link ", "<link id=css ") + app);
if (!page.includes(hash(script[1])) || !page.includes(hash(style[1])) || !page.includes("<link id=css ")) {
  console.error("csp-loader: could not add the inline script's and style's hashes to the policy, or place the stylesheet before #app");
  process.exit(1);
}
writeFileSync(file, page);
console.log("csp-loader: the inline first-paint script and style allowed by hash; stylesheet before #app");
