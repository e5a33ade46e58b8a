// The bundle budget: the release dist/ loads within 302 KB brotli at first,
// the engine worker comes later, and the check fails a build that grows past
// the budget.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, writeFile, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { bundleReport, BUDGET_KB } from "../tools/bundle-size.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const script = join(root, "tools/bundle-size.mjs");

test("the release build's first load is within budget and the engine worker is not part of it", async () => {
  const report = await bundleReport(join(root, "dist"));
  const first = report.files.filter((f) => f.firstLoad).map((f) => f.name);
  assert.ok(first.includes("index.html") && first.some((n) => n.endsWith("_bg.wasm")) && first.some((n) => n.endsWith(".css")), first.join(", "));
  assert.ok(!first.some((n) => n.startsWith("engine-worker")), `the worker is loaded at first: ${first.join(", ")}`);
  console.log(`first load: ${(report.firstLoad.brotli / 1024).toFixed(1)} KB brotli (budget ${BUDGET_KB}); engine worker: ${(report.later.brotli / 1024).toFixed(1)} KB`);
  assert.ok(report.firstLoad.brotli <= BUDGET_KB * 1024);
});

test("the check fails a first load over budget and ignores what loads later", async () => {
  const dir = await mkdtemp(join(tmpdir(), "smime-bulk-bundle-"));
  try {
    await writeFile(join(dir, "index.html"), '<script type="module" src="./boot.js"></script>');
    await writeFile(join(dir, "config.json"), "{}");
    await writeFile(join(dir, "boot.js"), 'import init from "./app.js"; init("./app_bg.wasm");');
    await writeFile(join(dir, "app.js"), "export default function init() {}");
    // Random bytes do not compress: the size is the brotli size.
    await writeFile(join(dir, "later_bg.wasm"), randomBytes(300 * 1024));
    await writeFile(join(dir, "app_bg.wasm"), randomBytes(230 * 1024));
    const within = spawnSync("node", [script, "--check", dir], { encoding: "utf8" });
    assert.equal(within.status, 0, within.stderr);
    assert.match(within.stdout, /later_bg\.wasm\s+later/);
    await writeFile(join(dir, "app_bg.wasm"), randomBytes(310 * 1024));
    const over = spawnSync("node", [script, "--check", dir], { encoding: "utf8" });
    assert.equal(over.status, 1);
    assert.match(over.stderr, /bundle budget exceeded: the first load is 31\d\.\d KB brotli, over 302 KB/);
    assert.match(over.stdout, /first_load_brotli_kb=31\d/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
