// The first steps of the workflow in a Playwright page, as a user takes them;
// shared by the Chromium tests.

/** Opens the site at `url` and waits for its CA preset to be `caUrl`. */
export async function openSite(page, url, caUrl) {
  await page.goto(url);
  await page.waitForFunction((ca) => document.querySelector("#ca-preset")?.value === ca, caUrl);
}

/** "Use the sandbox demo keys", "Test connection", and waits for the verdict (`.ok` or `.error`). */
export async function connect(page, verdict = ".ok") {
  await page.click("#use-demo-keys");
  await page.click("#test-connection");
  await page.waitForSelector(`#connection-status ${verdict}`);
}

/** SSL.com's API has no list of validated domains: they are typed. */
export async function typeDomains(page) {
  await page.fill("#domains", "example.com, example.org");
  await page.locator("#domains").press("Tab");
  await page.waitForFunction(() => document.querySelectorAll(".chips .chip").length === 2);
}
