// Post-build step (run.sh build_release, after `trunk build --release`): writes `X.gz` (`gzip -9`,
// the figure run.sh's size check prints; zlib level 9 without gzip) and `X.br` (brotli quality
// 11) next to each .wasm, .js, .css, .html and .svg file of dist/, for hosts that serve
// precompressed files (issue #16). Also the prerendered first frames in dist/pre/ (not counted
// in the totals printed: one of them is fetched per load); other subfolders are left alone.
// Usage: node tools/precompress.mjs [dir]   (default: dist)
import { existsSync, readFileSync, writeFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

const dir = process.argv[2] || "dist";
const kinds = /\.(wasm|js|css|html|svg)$/;

/** `gzip -9 -n` (it beats zlib's level 9 on the wasm by ≈ 0.7 %); zlib if there is no gzip. */
function gzip(data) {
  const out = spawnSync("gzip", ["-9", "-n", "-c"], { input: data, maxBuffer: 1 << 30 });
  return out.status === 0 ? out.stdout : gzipSync(data, { level: 9 });
}
let raw = 0;
let gz = 0;
let br = 0;
/** Writes the two copies of `path`; returns their sizes. */
function compress(path, name) {
  const data = readFileSync(path);
  const g = gzip(data);
  const b = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_MODE]: name.endsWith(".wasm")
        ? constants.BROTLI_MODE_GENERIC
        : constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  writeFileSync(`${path}.gz`, g);
  writeFileSync(`${path}.br`, b);
  return [data.length, g.length, b.length];
}
for (const name of readdirSync(dir).sort()) {
  const path = join(dir, name);
  if (!kinds.test(name) || !statSync(path).isFile()) continue;
  const [r, g, b] = compress(path, name);
  raw += r;
  gz += g;
  br += b;
}
const pre = join(dir, "pre");
const frames = existsSync(pre) ? readdirSync(pre).filter((n) => n.endsWith(".html")) : [];
for (const name of frames) compress(join(pre, name), name);
console.log(`precompress: ${dir}/ ${raw} bytes → ${gz} gzip, ${br} brotli (.gz / .br written; also for ${frames.length} prerendered frames)`);
