// Trunk post-build hook (release only): minifies wasm-bindgen's JS glue with terser, and the
// message layer's worker (flight.js, copied as written). Trunk's own minifier does the CSS and
// HTML but leaves these files as they were. (Its integrity
// hash went with its preload link, which tools/csp-loader.mjs drops; this hook, which Trunk runs
// beside that one, touches only the glue file.)
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
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
writeFileSync(path, out.code);
console.log(`minify-glue: ${glue[0]} ${before.length} → ${out.code.length} bytes`);
const worker = join(dir, "flight.js");
const source = readFileSync(worker, "utf8");
const small = await minify(source, { compress: true, mangle: true });
writeFileSync(worker, small.code);
console.log(`minify-glue: flight.js ${source.length} → ${small.code.length} bytes`);
