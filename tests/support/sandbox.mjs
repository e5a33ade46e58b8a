// Starts the real smime-bulk-sandbox binary on 127.0.0.1 and a free port; it
// stops with the test process (and when stop() is called), which it never
// keeps alive. It speaks SSL.com's SWS API (its default profile; pass
// ["--profile", "reference"] for the other).
// The admin endpoints want the token the sandbox prints on its first line;
// admin() sends it.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

export async function startSandbox(args = []) {
  const bin = join(root, "target/debug/smime-bulk-sandbox");
  const child = spawn(bin, ["--listen", "127.0.0.1:0", "--seed", "11", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const { url, token } = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`sandbox did not start: ${out}`)), 15000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+) \(profile \w+\) admin-token=(\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], token: m[2] });
      }
    });
    child.on("exit", (code) => reject(new Error(`sandbox exited with ${code}: ${out}`)));
  });
  // Neither the sandbox nor its output keeps the test process alive: a test
  // that fails before its stop() ends instead of hanging the run.
  child.unref();
  child.stdout.unref();
  process.on("exit", () => child.kill());
  const admin = (path, init = {}) =>
    fetch(`${url}${path}`, { ...init, headers: { ...(init.headers ?? {}), "x-sandbox-admin-token": token } });
  return {
    url,
    admin,
    orders: async () => (await admin("/sandbox/orders")).json(),
    setFaults: async (faults) => admin("/sandbox/faults", { method: "POST", body: JSON.stringify(faults) }),
    preflights: async () => (await admin("/sandbox/preflights")).json(),
    setStatus: async (reference, status) =>
      admin(`/sandbox/orders/${reference}/status`, { method: "POST", body: JSON.stringify({ status }) }),
    stop: () => child.kill(),
  };
}
