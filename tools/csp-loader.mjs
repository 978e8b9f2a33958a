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
writeFileSync(file, html.replace(tag, `<script type="module" src="./${name}"></script>`));
console.log(`csp-loader: moved the inline loader to ${name}`);
