// Trunk post-build hook (release only): minifies wasm-bindgen's JS glue with terser and updates
// its Subresource Integrity hash in index.html (Trunk hashed the unminified file). Trunk's own
// minifier does the CSS and HTML but leaves this file as wasm-bindgen wrote it.
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { minify } from "terser";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("minify-glue: TRUNK_STAGING_DIR is not set (run me as a Trunk post_build hook)");
  process.exit(1);
}
if (process.env.TRUNK_PROFILE !== "release") process.exit(0);
const glue = readdirSync(dir).filter((f) => /^caplab-web-[0-9a-f]+\.js$/.test(f));
if (glue.length !== 1) {
  console.error(`minify-glue: expected one glue file, found ${glue.length}`);
  process.exit(1);
}
const path = join(dir, glue[0]);
const before = readFileSync(path, "utf8");
const out = await minify(before, { module: true, compress: true, mangle: true });
const sri = (text) => "sha384-" + createHash("sha384").update(text).digest("base64");
const html = readFileSync(join(dir, "index.html"), "utf8");
const old = sri(before);
if (!html.includes(old)) {
  console.error(`minify-glue: index.html does not carry the glue's hash ${old}`);
  process.exit(1);
}
writeFileSync(path, out.code);
writeFileSync(join(dir, "index.html"), html.replace(old, sri(out.code)));
console.log(`minify-glue: ${glue[0]} ${before.length} → ${out.code.length} bytes`);
