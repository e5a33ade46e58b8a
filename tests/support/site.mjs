// dist/ served with a config.json whose only CA is `caUrl`, speaking SSL.com's
// API with the sandbox demo keys, pricing the built-in product 302 as an
// agreement might. Shared by the Playwright and the WebDriver workflow tests.
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serveStatic } from "./static-server.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** The site; `ca` adds to or overrides the CA's entry (a key set to undefined drops it). */
export async function site(caUrl, ca = {}) {
  const config = {
    cas: [{
      name: "Test sandbox", url: caUrl, profile: "sslcom", demo_account_key: "sandbox-account", demo_secret_key: "sandbox-secret",
      products: [{ code: "302", name: "Personal ID + Organization (IV+OV), 302", periods: [{ days: 365, price: "39.00" }, { days: 730, price: "69.00" }] }],
      ...ca,
    }],
  };
  return serveStatic(join(root, "dist"), { files: { "config.json": JSON.stringify(config) } });
}
