// The size table (tools/wasm-sizes.mjs): function bodies named from the name
// section past the imported functions, summed by crate, and a clear refusal
// of a module without names or a file that is no module.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, writeFile, rm } from "node:fs/promises";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { crateOf, readModule } from "../tools/wasm-sizes.mjs";

const script = join(dirname(fileURLToPath(import.meta.url)), "..", "tools/wasm-sizes.mjs");

const text = (s) => [s.length, ...Buffer.from(s)];
const section = (id, content) => [id, content.length, ...content];

/** A module importing one function and defining two (bodies of 2 and 5 bytes), named or not. */
function module(named) {
  const names = [1, ...text("smime_bulk_ca::engine::Engine::handle"), 2, ...text("<T as tachys::view::Render>::build")];
  const nameSection = [...text("name"), ...section(1, [2, ...names])];
  return Buffer.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 0, 0]), // one type: () -> ()
    ...section(2, [1, ...text("env"), ...text("f"), 0, 0]), // function 0 is imported
    ...section(3, [2, 0, 0]),
    ...section(10, [2, 2, 0, 0x0b, 5, 0, 0x01, 0x01, 0x01, 0x0b]), // functions 1 and 2
    ...(named ? section(0, nameSection) : []),
  ]);
}

test("each body is named past the imported functions and counted under its crate", async () => {
  const bytes = module(true);
  assert.ok(WebAssembly.validate(bytes), "the hand-made module is valid WebAssembly");
  const { functions } = readModule(bytes);
  assert.deepEqual(
    functions.map((f) => [f.name, f.length]),
    [
      ["smime_bulk_ca::engine::Engine::handle", 2],
      ["<T as tachys::view::Render>::build", 5],
    ],
  );
  assert.deepEqual(functions.map((f) => crateOf(f.name)), ["smime_bulk_ca", "tachys"]);
  assert.equal(crateOf("std[a543996e6e7dbf1e]::thread::current::current"), "std");
  assert.equal(crateOf("<str>::trim_start_matches"), "(other)");

  const dir = await mkdtemp(join(tmpdir(), "smime-bulk-wasm-sizes-"));
  try {
    await writeFile(join(dir, "named.wasm"), bytes);
    const run = spawnSync("node", [script, join(dir, "named.wasm")], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^tachys\s+0\.0\s+71\.4%/m);
    assert.match(run.stdout, /^smime_bulk_ca\s+0\.0\s+28\.6%/m);
    assert.match(run.stdout, /^\s+5 <T as tachys::view::Render>::build$/m);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test("a module without names, or a file that is no module, is refused with what to do", async () => {
  assert.throws(() => readModule(module(false)), /no function names: build it as this file's header says \(wasm-opt -g\)/);
  assert.throws(() => readModule(Buffer.from("<!DOCTYPE html>")), /not a WebAssembly module/);
  const dir = await mkdtemp(join(tmpdir(), "smime-bulk-wasm-sizes-"));
  try {
    await writeFile(join(dir, "stripped.wasm"), module(false));
    const run = spawnSync("node", [script, join(dir, "stripped.wasm")], { encoding: "utf8" });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /stripped\.wasm: the module has no function names/);
  } finally {
    await rm(dir, { recursive: true });
  }
});
