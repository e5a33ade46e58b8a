// Launches Debian's Chromium through playwright-core (no browser download).
import { chromium } from "playwright-core";

/** `extra`: more command-line switches, e.g. `--js-flags=…` for V8. */
export async function launch(extra = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...extra,
    ],
  });
}
