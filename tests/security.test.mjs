// The page against hostile or misconfigured CAs, in Chromium: a CA that
// redirects, at once or only its orders (the page must stop and say so, the
// other origin must receive nothing: every request carries the secret key),
// and a CA whose answers carry `javascript:` and `data:` links (shown as
// text, never as links).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, request } from "node:http";
import { site } from "./support/site.mjs";
import { startSandbox } from "./support/sandbox.mjs";
import { launch } from "./support/browser.mjs";
import { openSite, connect, typeDomains } from "./support/steps.mjs";

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** An HTTP server on 127.0.0.1 and a free port that answers with `handle`. */
async function listen(handle) {
  const server = createServer(handle);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => { server.close(resolve); server.closeAllConnections(); }),
  };
}

/** CORS headers that let the page at `origin` read an answer (as a CA's front end would send). */
function cors(req) {
  return {
    "access-control-allow-origin": req.headers.origin ?? "*",
    "access-control-allow-methods": "GET, POST",
    "access-control-allow-headers": "content-type",
  };
}

/** A hostile answer's links: each would run script if it were made a link. */
const HOSTILE = {
  certificate_url: "javascript:alert(document.domain)",
  receipt_url: "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
  validation_url: "javascript:alert(2)",
  smart_seal_url: "data:text/html,<script>alert(3)</script>",
};

/** `value` with every link field of HOSTILE replaced, at any depth. */
function poison(value) {
  if (Array.isArray(value)) return value.map(poison);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k in HOSTILE && typeof v === "string" ? HOSTILE[k] : poison(v)]));
  }
  return value;
}

/**
 * A CA in front of the real sandbox at `target`: every request goes on to it
 * unless `intercept(req, res)` answers it itself (and returns true); JSON
 * answers come back through `rewrite`.
 */
function front(target, { intercept = () => false, rewrite = (json) => json } = {}) {
  const upstream = new URL(target);
  return listen((req, res) => {
    if (intercept(req, res)) return;
    const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (answer) => {
      const chunks = [];
      answer.on("data", (c) => chunks.push(c));
      answer.on("end", () => {
        let body = Buffer.concat(chunks);
        const headers = { ...answer.headers };
        if (/json/.test(headers["content-type"] ?? "") && body.length) {
          body = Buffer.from(JSON.stringify(rewrite(JSON.parse(body.toString("utf8")))));
        }
        delete headers["content-length"];
        delete headers["transfer-encoding"];
        res.writeHead(answer.statusCode, headers).end(body);
      });
    });
    out.on("error", (e) => res.writeHead(502).end(String(e)));
    req.pipe(out);
  });
}

/**
 * A page on the site whose CA is `caUrl`, opened and waiting on its first
 * step; it and its server close after test `t`.
 */
async function pageFor(t, caUrl) {
  const server = await site(caUrl);
  t.after(() => server.close());
  const page = await browser.newPage();
  t.after(() => page.close());
  await openSite(page, server.url, caUrl);
  return page;
}

/** Connects, orders three people and waits for the run's `phase`. */
async function orderThree(page, phase) {
  await connect(page);
  await typeDomains(page);
  await page.fill("#roster-paste", "First Name,Last Name,Email,Country\nJane,Doe,jane@example.com,GB\nJohn,Roe,john@example.org,FR\nMei,Chen,mei@example.com,DE\n");
  await page.click("#check-paste");
  await page.waitForFunction(() => document.querySelector("[data-testid=valid]")?.textContent === "3");
  await page.check("#confirm-order");
  await page.click("#place-orders");
  await page.waitForSelector(`#run[data-phase=${phase}]`, { timeout: 30000 });
}

/** A server on another origin that notes every request it receives, secret or not. */
async function elsewhereServer() {
  const reached = [];
  const server = await listen((req, res) => {
    let body = "";
    req.on("data", (c) => { body += c; });
    req.on("end", () => {
      reached.push({ request: `${req.method} ${req.url}`, carries: `${req.url} ${JSON.stringify(req.headers)} ${body}` });
      res.writeHead(200, cors(req)).end("{}");
    });
  });
  return { ...server, reached };
}

test("a CA that redirects to another origin: the page stops and says so, the other origin receives nothing", async (t) => {
  const elsewhere = await elsewhereServer();
  t.after(() => elsewhere.close());
  // Every request, whatever its path, is sent on to the other origin with a
  // 307 (which keeps the method and the body, hence the secret key).
  const redirector = await listen((req, res) => {
    if (req.method === "OPTIONS") return res.writeHead(204, cors(req)).end();
    res.writeHead(307, { ...cors(req), location: `${elsewhere.url}${req.url}` }).end();
  });
  t.after(() => redirector.close());
  const page = await pageFor(t, redirector.url);
    await connect(page, ".error");
  const message = await page.locator("#connection-status").innerText();
  assert.match(message, new RegExp(`^Not connected to ${redirector.url.replace(/[.]/g, "\\.")}: the CA answered with a redirect`));
  assert.match(message, /which was not followed: the request carries the secret key/);
  assert.deepEqual(elsewhere.reached, [], "the other origin received no request");
});

test("a CA that redirects only its orders: the run stops, no order is resent, the other origin receives nothing", async (t) => {
  const sandbox = await startSandbox();
  t.after(() => sandbox.stop());
  const elsewhere = await elsewhereServer();
  t.after(() => elsewhere.close());
  const posted = [];
  const ca = await front(sandbox.url, {
    intercept: (req, res) => {
      if (req.method !== "POST") return false;
      let body = "";
      req.on("data", (c) => { body += c; });
      req.on("end", () => {
        posted.push(decodeURIComponent(body).match(/[a-z]+@example\.(com|org)/)?.[0]);
        res.writeHead(307, { ...cors(req), location: `${elsewhere.url}${req.url}` }).end();
      });
      return true;
    },
  });
  t.after(() => ca.close());
  const page = await pageFor(t, ca.url);
  await orderThree(page, "halted");
  assert.match(await page.locator("#run-phase").innerText(), /redirect .*which was not followed: the request carries the secret key/);
  // The orders already in flight when the first redirect came back were tried once each.
  assert.ok(posted.length >= 1, "an order was tried");
  assert.equal(new Set(posted).size, posted.length, `no order was sent twice: ${posted.join(", ")}`);
  assert.deepEqual(elsewhere.reached, [], "the other origin received no request");
  assert.equal((await sandbox.orders()).length, 0);
});

test("a redirect without CORS headers: the one request that reaches the other origin is a bare GET, without the secret", async (t) => {
  const elsewhere = await elsewhereServer();
  t.after(() => elsewhere.close());
  const redirector = await listen((req, res) => res.writeHead(307, { location: `${elsewhere.url}${req.url}` }).end());
  t.after(() => redirector.close());
  const page = await pageFor(t, redirector.url);
    await connect(page, ".error");
  // The browser hides such a redirect from the page (a network error); the
  // no-cors probe that tells "unreachable" from "blocked" follows it, as the
  // Fetch standard makes every no-cors request do.
  assert.match(await page.locator("#connection-status").innerText(), /answered, but the browser blocked the answer/);
  assert.deepEqual(elsewhere.reached.map((r) => r.request), ["GET /"]);
  assert.doesNotMatch(elsewhere.reached[0].carries, /sandbox-secret/);
});

test("a hostile CA's javascript: and data: links are shown as text, never as links", async (t) => {
  const sandbox = await startSandbox();
  t.after(() => sandbox.stop());
  const hostile = await front(sandbox.url, { rewrite: poison });
  t.after(() => hostile.close());
  const page = await pageFor(t, hostile.url);
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  await orderThree(page, "finished");
  assert.equal(await page.locator("[data-testid=placed]").innerText(), "3");
  // The sandbox's own links are gone: only the hostile ones reached the page.
  const shown = await page.locator("#step-results").innerText();
  assert.match(shown, /Order: javascript:alert\(document\.domain\)/);
  assert.match(shown, /Invoice: data:text\/html;base64,/);
  assert.equal(await page.locator("#results .untrusted-link").count(), 6, "an order and an invoice link per row, as text");
  const hrefs = await page.locator("#step-results a[href], #step-results [href], #step-results [src]").evaluateAll((els) =>
    els.map((e) => e.getAttribute("href") ?? e.getAttribute("src")));
  assert.deepEqual(hrefs.filter((h) => /^\s*(javascript|data|vbscript):/i.test(h)), [], "no hostile URL as a link or source");
  // Clicking one runs nothing.
  await page.locator("#results .untrusted-link").first().click();
  // A refresh reads the orders again through the same hostile answers.
  await sandbox.setStatus((await sandbox.orders())[0].reference, "issued");
  await page.click("#refresh-statuses");
  await page.waitForFunction(() => /issued/.test(document.querySelector("#results")?.textContent ?? ""));
  assert.equal(await page.locator("#results .untrusted-link").count(), 6);
  assert.equal(await page.locator("#results a").count(), 0);
  assert.deepEqual(dialogs, [], "no script ran");
});
