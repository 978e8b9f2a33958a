// Runs every tests/e2e/*.spec.mjs against the release build in dist/.
import { readdirSync, existsSync } from "node:fs";
import { runAll, specFile } from "./harness.mjs";

const dist = process.argv[2] ?? "dist";
if (!existsSync(`${dist}/index.html`)) {
  console.error(`e2e: ${dist}/index.html is missing: run \`trunk build --release\` first`);
  process.exit(2);
}
const only = process.env.E2E_ONLY;
for (const f of readdirSync(new URL(".", import.meta.url)).filter((f) => f.endsWith(".spec.mjs")).sort()) {
  if (!only || f.includes(only)) {
    specFile(f);
    await import(`./${f}`);
  }
}
process.exit((await runAll(dist)) > 0 ? 1 : 0);
