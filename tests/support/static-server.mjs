// A plain static file server for dist/, on 127.0.0.1 and a free port, as any
// CDN would serve it: no rewrites, no server-side routing. Optionally under a
// sub-path (e.g. "/tools/smime/") to prove relative asset URLs work.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".json": "application/json",
  ".csv": "text/csv",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

export async function serveStatic(root, { prefix = "/", files = {}, headers = {} } = {}) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://localhost");
    if (!url.pathname.startsWith(prefix)) {
      res.writeHead(404).end("not found");
      return;
    }
    let rel = decodeURIComponent(url.pathname.slice(prefix.length)) || "index.html";
    if (rel.endsWith("/")) rel += "index.html";
    // Files given by the test replace those in dist/ (e.g. a config.json).
    if (rel in files) {
      res.writeHead(200, { ...headers, "content-type": TYPES[extname(rel)] ?? "application/octet-stream" }).end(files[rel]);
      return;
    }
    const path = normalize(join(root, rel));
    if (!path.startsWith(normalize(root))) {
      res.writeHead(403).end("forbidden");
      return;
    }
    try {
      const body = await readFile(path);
      res.writeHead(200, { ...headers, "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}${prefix}`, close: () => new Promise((r) => server.close(r)) };
}
