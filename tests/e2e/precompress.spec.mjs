// Precompressed dist/ (issue #16): every .wasm / .js / .css / .html / .svg has an X.gz and an
// X.br holding the same bytes, and a host that serves the .br files (Content-Encoding: br)
// gives a page that runs: the wasm compiles, the glue's integrity hash still matches.
import { createServer } from "node:http";
import { readFile, readdir } from "node:fs/promises";
import { extname, join } from "node:path";
import { gunzipSync, brotliDecompressSync } from "node:zlib";
import { test, expect, ready, shot, openPage, $, MIME } from "./harness.mjs";

const DIST = process.argv[2] ?? "dist";
const KINDS = /\.(wasm|js|css|html|svg)$/;

test("each file of dist/ has a .gz and a .br copy with the same bytes", async () => {
  const names = (await readdir(DIST)).filter((f) => KINDS.test(f));
  expect(names.some((f) => f.endsWith(".wasm")), "dist/ has the wasm");
  for (const f of names) {
    const raw = await readFile(join(DIST, f));
    const gz = await readFile(join(DIST, `${f}.gz`)).catch(() => null);
    const br = await readFile(join(DIST, `${f}.br`)).catch(() => null);
    expect(gz && gunzipSync(gz).equals(raw), `${f}.gz holds ${f}`);
    expect(br && brotliDecompressSync(br).equals(raw), `${f}.br holds ${f}`);
    expect(br.length < raw.length || raw.length < 300, `${f}.br is smaller than ${f}`);
  }
});

/** Serves dist/ as a host that serves precompressed files: X.br for a client that takes br. */
async function brotliHost(served) {
  const server = createServer(async (req, res) => {
    let rel = new URL(req.url, "http://x").pathname.slice(1) || "index.html";
    if (rel.includes("..")) return res.writeHead(404).end();
    const br = /\bbr\b/.test(req.headers["accept-encoding"] ?? "");
    try {
      const body = await readFile(join(DIST, br ? `${rel}.br` : rel));
      const headers = { "content-type": MIME[extname(rel)] ?? "application/octet-stream" };
      if (br) headers["content-encoding"] = "br";
      served.push(`${rel}${br ? " (br)" : ""}`);
      res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

test("a host that serves the .br files gives a page that plays the AP feed (CRDT sets)", async ({ browser }) => {
  const served = [];
  const host = await brotliHost(served);
  const { context, page, errors } = await openPage(browser, host.origin);
  try {
    await page.goto(`${host.origin}/?scenario=feed&mode=ap&conflict=crdt&t=3000`);
    await ready(page);
    await $(page, "node-n3").waitFor();
    await shot(page, "precompress-br-host");
    expect(served.some((s) => /_bg\.wasm \(br\)$/.test(s)), `the wasm came as .br: ${served.join(", ")}`);
    expect(served.every((s) => s.endsWith("(br)")), `every file came as .br: ${served.join(", ")}`);
    expect(errors.length === 0, `page reported:\n    ${errors.join("\n    ")}`);
  } finally {
    await context.close();
    host.server.close();
  }
});
