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
const code = match[1].trim() + "\n";
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
