// Trunk post-build hook: moves the inline module script Trunk writes into
// index.html to its own hashed file with Subresource Integrity, so dist/ runs
// under a strict Content-Security-Policy (script-src 'self', no inline code).
import { readFile, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { join } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("externalize-loader: TRUNK_STAGING_DIR is not set (run by Trunk as a post_build hook)");
  process.exit(2);
}
const path = join(dir, "index.html");
const html = await readFile(path, "utf8");
// Minified or not: `<script type="module">` or `<script type=module>`.
const inline = /<script type="?module"?>([\s\S]*?)<\/script>/;
const match = html.match(inline);
if (!match) {
  console.error("externalize-loader: no inline module script found in index.html:\n" + html);
  process.exit(2);
}
// Before Trunk's loader: the wasm is built with WebAssembly SIMD
// (.cargo/config.toml), which a browser without it cannot compile. Such a
// browser (or one without WebAssembly) gets a page that says what is missing
// and which browsers have it, not a blank one. The probe is a module of one
// function, `i32.const 0; i8x16.splat`: valid only where SIMD is.
const probe = [
  "0x00,0x61,0x73,0x6d,1,0,0,0", // magic, version 1
  "1,5,1,0x60,0,1,0x7b", // types: () -> v128
  "3,2,1,0", // one function of type 0
  "0x0a,8,1,6,0,0x41,0,0xfd,0x0f,0x0b", // its body: i32.const 0, i8x16.splat, end
].join(",");
const unsupported = `if (typeof WebAssembly != "object" || !WebAssembly.validate(new Uint8Array([${probe}]))) {
  const box = document.createElement("main"), title = document.createElement("h1"), why = document.createElement("p");
  box.setAttribute("role", "alert");
  title.textContent = "smime-bulk cannot start in this browser";
  why.textContent = "It needs WebAssembly with SIMD, which this browser does not have. Chrome and Edge 91 or later, " +
    "Firefox 89 or later and Safari 16.4 or later have it: update this browser, or open this page in one of those.";
  box.append(title, why);
  document.body.replaceChildren(box);
  throw new Error("smime-bulk: this browser has no WebAssembly SIMD");
}
`;
const code = unsupported + match[1].trim() + "\n";
const name = `boot-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.js`;
const sri = "sha384-" + createHash("sha384").update(code).digest("base64");
await writeFile(join(dir, name), code);
const tag = `<script type="module" src="./${name}" integrity="${sri}" crossorigin="anonymous"></script>`;
await writeFile(path, html.replace(inline, tag));
if (/<script(?![^>]*\bsrc=)[^>]*>/.test(html.replace(inline, tag))) {
  console.error("externalize-loader: an inline script is left in index.html");
  process.exit(2);
}

// The engine worker's loader has a hashed name; the page finds it in a meta tag.
const { readdir } = await import("node:fs/promises");
const loader = (await readdir(dir)).find((f) => /^engine-worker(-[0-9a-f]+)?_loader\.js$/.test(f));
if (!loader) {
  console.error("externalize-loader: no engine-worker loader in the build (index.html must build it with data-loader-shim)");
  process.exit(2);
}
const final = await readFile(path, "utf8");
// Before the first script (a minified page may have no </head>).
const meta = `<meta name="smime-bulk-engine" content="./${loader}">`;
await writeFile(path, final.replace(/<script/, `${meta}<script`));
