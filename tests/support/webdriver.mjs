// Firefox ESR and WebKitGTK through WebDriver (selenium-webdriver as the
// client), for the browsers Playwright cannot bring here. session(engine)
// starts the engine's own driver on 127.0.0.1 and a free port — geckodriver
// (cargo install) for Debian's firefox-esr, headless; WebKitWebDriver for
// WebKitGTK's MiniBrowser --automation, under `xvfb-run -a` when there is no
// display — and opens a session; stop() ends the session and the driver (and
// the driver goes with the test process in any case).
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { Builder } from "selenium-webdriver";

/** The engines, by the name `./x test` passes in WEBDRIVER_ENGINE. */
export const ENGINES = {
  firefox: {
    name: "Firefox ESR",
    // `cargo install geckodriver` puts it on PATH (~/.cargo/bin).
    driver: process.env.GECKODRIVER ?? "geckodriver",
    // Should a session ask for BiDi, its port (9222 by default) is chosen free.
    args: (port) => ["--host", "127.0.0.1", "--port", String(port), "--websocket-port", "0"],
    needsDisplay: false,
    capabilities: {
      browserName: "firefox",
      "moz:firefoxOptions": { binary: process.env.FIREFOX ?? "/usr/bin/firefox-esr", args: ["-headless"] },
    },
  },
  webkitgtk: {
    name: "WebKitGTK",
    driver: process.env.WEBKIT_WEBDRIVER ?? "/usr/bin/WebKitWebDriver",
    args: (port) => ["--host=127.0.0.1", `--port=${port}`],
    // MiniBrowser has no headless mode: it needs an X display (Xvfb).
    needsDisplay: true,
    capabilities: {
      browserName: "MiniBrowser",
      "webkitgtk:browserOptions": {
        binary: process.env.MINIBROWSER ?? "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
        args: ["--automation"],
      },
    },
  },
};

/** The engine named by WEBDRIVER_ENGINE, or a clear error naming the choices. */
export function engineFromEnv() {
  const name = process.env.WEBDRIVER_ENGINE;
  const engine = ENGINES[name];
  if (!engine) {
    throw new Error(`WEBDRIVER_ENGINE must be one of ${Object.keys(ENGINES).join(", ")} (it is ${JSON.stringify(name)})`);
  }
  return engine;
}

/** A port nobody listens on now, from the operating system. */
async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Waits until the driver at `url` says it is ready; `gone()` says why it never will. */
async function ready(url, gone, output) {
  for (let attempt = 0; attempt < 300; attempt++) {
    const why = gone();
    if (why) throw new Error(`the WebDriver server ${why}: ${output()}`);
    try {
      const status = await (await fetch(`${url}/status`)).json();
      if (status.value?.ready) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the WebDriver server at ${url} did not become ready: ${output()}`);
}

/** Starts `engine`'s driver and opens a session: { driver, stop }. */
export async function session(engine) {
  const port = await freePort();
  const wrap = engine.needsDisplay && !process.env.DISPLAY;
  const [command, args] = wrap ? ["xvfb-run", ["-a", engine.driver, ...engine.args(port)]] : [engine.driver, engine.args(port)];
  // Its own process group, so that stopping it also stops Xvfb and the browser.
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
  let log = "";
  const keep = (chunk) => { log = (log + chunk).slice(-4000); };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let spawnError;
  child.on("error", (e) => { spawnError = e; });
  const gone = () =>
    spawnError ? `${command} could not start (${spawnError.message}; install it with ./x setup)`
      : child.exitCode !== null ? `exited with ${child.exitCode}` : null;
  const kill = () => { try { process.kill(-child.pid, "SIGTERM"); } catch { /* already gone */ } };
  process.on("exit", kill);
  const url = `http://127.0.0.1:${port}`;
  try {
    await ready(url, gone, () => log);
    const driver = await new Builder().usingServer(url).withCapabilities(engine.capabilities).build();
    return {
      driver,
      log: () => log,
      stop: async () => {
        await driver.quit().catch(() => {});
        kill();
      },
    };
  } catch (e) {
    kill();
    throw e;
  }
}

/**
 * Waits until `fn` (a function run in the page with `args`) returns something
 * truthy, and returns it; on time-out the error says what was awaited.
 */
export async function waitFor(driver, what, fn, args = [], timeout = 60000) {
  return driver.wait(
    () => driver.executeScript(`return (${fn}).apply(null, arguments)`, ...args),
    timeout,
    `waited for ${what}`,
  );
}
