// Starts the real smime-bulk-sandbox binary on 127.0.0.1 and a free port; it
// stops with the test process (and when stop() is called).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

export async function startSandbox(args = []) {
  const bin = join(root, "target/debug/smime-bulk-sandbox");
  const child = spawn(bin, ["--listen", "127.0.0.1:0", "--seed", "11", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`sandbox did not start: ${out}`)), 15000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on("exit", (code) => reject(new Error(`sandbox exited with ${code}: ${out}`)));
  });
  process.on("exit", () => child.kill());
  return {
    url,
    orders: async () => (await fetch(`${url}/sandbox/orders`)).json(),
    setFaults: async (faults) => fetch(`${url}/sandbox/faults`, { method: "POST", body: JSON.stringify(faults) }),
    stop: () => child.kill(),
  };
}
