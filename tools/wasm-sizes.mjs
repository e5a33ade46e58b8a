// What a wasm module's code is made of: the size of each function body, read
// from the code section and named from the module's "name" section, summed by
// the crate that names it, raw and brotli (each crate's bodies compressed
// together), then the largest functions.
//
//   node tools/wasm-sizes.mjs FILE.wasm [--top N] [--match REGEX]
//
// The shipped wasm has no names (wasm-opt drops them), so measure a build
// that keeps them, optimised as Trunk does:
//
//   cargo build --release --target wasm32-unknown-unknown --bin smime-bulk-web
//   wasm-bindgen --target web --out-dir /tmp/page $CARGO_TARGET_DIR/wasm32-unknown-unknown/release/smime-bulk-web.wasm
//   wasm-opt -Oz -g -o /tmp/page/named.wasm /tmp/page/smime-bulk-web_bg.wasm
//   node tools/wasm-sizes.mjs /tmp/page/named.wasm
//
// A crate is the first path segment of a function's name (`tachys` for
// `<T as tachys::view::Render>::build`): generic code is counted under the
// crate that defines it, even when our types instantiated it, and code the
// optimiser inlined is counted under its caller (after wasm-opt most of the
// page's views sit in `smime_bulk_web::main`). For what a feature costs, build
// the page without it and compare the totals; this table says where to look.
import { readFileSync } from "node:fs";
import { brotliCompressSync, constants } from "node:zlib";

/** Reads the module's sections: the function bodies and their names. */
export function readModule(bytes) {
  let at = 8; // magic and version
  const leb = () => {
    let value = 0;
    let shift = 0;
    let byte;
    do {
      if (at >= bytes.length) throw new Error(`the module ends inside a number at byte ${at}`);
      byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  const skipName = () => {
    const length = leb();
    at += length;
  };
  const limits = () => {
    const flags = leb();
    leb();
    if (flags & 1) leb();
  };
  if (bytes.length < 8 || bytes.readUInt32LE(0) !== 0x6d736100) throw new Error("not a WebAssembly module (no \\0asm header)");
  let importedFunctions = 0;
  const bodies = [];
  const names = new Map();
  let dataBytes = 0;
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = leb();
    const end = at + size;
    if (id === 2) {
      // imports: function imports come before the module's own functions
      for (let n = leb(); n > 0; n--) {
        skipName();
        skipName();
        const kind = bytes[at++];
        if (kind === 0) {
          leb();
          importedFunctions++;
        } else if (kind === 1) {
          at++;
          limits();
        } else if (kind === 2) limits();
        else if (kind === 3) at += 2;
        else if (kind === 4) {
          at++;
          leb();
        } else throw new Error(`import of unknown kind ${kind} at byte ${at}`);
      }
    } else if (id === 10) {
      for (let n = leb(); n > 0; n--) {
        const length = leb();
        bodies.push({ offset: at, length });
        at += length;
      }
    } else if (id === 11) {
      dataBytes = size;
    } else if (id === 0) {
      const length = leb();
      const name = bytes.subarray(at, at + length).toString();
      at += length;
      while (name === "name" && at < end) {
        const sub = bytes[at++];
        const subSize = leb();
        const subEnd = at + subSize;
        if (sub === 1) {
          for (let n = leb(); n > 0; n--) {
            const index = leb();
            const length = leb();
            names.set(index, bytes.subarray(at, at + length).toString());
            at += length;
          }
        }
        at = subEnd;
      }
    }
    at = end;
  }
  if (names.size === 0) throw new Error("the module has no function names: build it as this file's header says (wasm-opt -g)");
  return {
    dataBytes,
    functions: bodies.map((b, i) => ({ ...b, name: names.get(importedFunctions + i) ?? `function ${importedFunctions + i}` })),
  };
}

/** The crate a function's name starts with (`(other)` for names without a path). */
export function crateOf(name) {
  // The first path segment that does not follow `::` (`std[a5f3…]` is `std`).
  const m = name.match(/(?:^|[<&( ])([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::/);
  return m ? m[1] : "(other)";
}

const brotli = (buffer) => brotliCompressSync(buffer, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const kb = (n, width) => (n / 1024).toFixed(1).padStart(width);

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const option = (flag) => {
    const i = args.indexOf(flag);
    return i < 0 ? undefined : args.splice(i, 2)[1];
  };
  const top = Number(option("--top") ?? 30);
  const pattern = option("--match");
  const file = args[0];
  let wanted = null;
  try {
    wanted = pattern ? new RegExp(pattern) : null;
  } catch (e) {
    console.error(`--match ${pattern}: not a regular expression (${e.message})`);
    process.exit(2);
  }
  if (!file || !Number.isInteger(top) || top < 0) {
    console.error("usage: node tools/wasm-sizes.mjs FILE.wasm [--top N] [--match REGEX]");
    process.exit(2);
  }
  let bytes, dataBytes, functions;
  try {
    bytes = readFileSync(file);
    ({ dataBytes, functions } = readModule(bytes));
  } catch (e) {
    console.error(`${file}: ${e.message}`);
    process.exit(1);
  }
  const code = functions.reduce((n, f) => n + f.length, 0);
  const crates = new Map();
  for (const f of functions) {
    const c = crates.get(crateOf(f.name)) ?? { bytes: 0, count: 0, bodies: [] };
    c.bytes += f.length;
    c.count++;
    c.bodies.push(bytes.subarray(f.offset, f.offset + f.length));
    crates.set(crateOf(f.name), c);
  }
  console.log(`${file}: ${kb(bytes.length, 0)} KB; code ${kb(code, 0)} KB in ${functions.length} functions; data ${kb(dataBytes, 0)} KB`);
  console.log(`${"crate".padEnd(24)} ${"code KB".padStart(8)} ${"share".padStart(6)} ${"br KB".padStart(7)} ${"functions".padStart(9)}`);
  for (const [name, c] of [...crates].sort((a, b) => b[1].bytes - a[1].bytes)) {
    const share = `${((100 * c.bytes) / code).toFixed(1)}%`;
    console.log(`${name.padEnd(24)} ${kb(c.bytes, 8)} ${share.padStart(6)} ${kb(brotli(Buffer.concat(c.bodies)), 7)} ${String(c.count).padStart(9)}`);
  }
  const matching = wanted ? functions.filter((f) => wanted.test(f.name)) : functions;
  console.log(`\nlargest functions${pattern ? ` matching /${pattern}/` : ""} (bytes):`);
  for (const f of [...matching].sort((a, b) => b.length - a.length).slice(0, top)) {
    console.log(`${String(f.length).padStart(8)} ${f.name}`);
  }
}
