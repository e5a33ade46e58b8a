// Bulk enrollment from the page, in a real browser against the real sandbox
// CA: the order step offers it with what it costs, the batch goes in chunks
// as CORS simple requests (no preflight reaches /certificate_enrollment), a
// reload in the middle resumes it, and the results show each address's
// order and status and where the invoices are.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { site } from "./support/site.mjs";
import { startSandbox } from "./support/sandbox.mjs";
import { launch } from "./support/browser.mjs";

const ROWS = 40;
const CHUNK = 5;
let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/// The site presetting the ids SSL.com would give the organisation (the
/// sandbox's demo ones) and a small chunk, with SSL.com's built-in catalogue.
const enrollmentSite = (caUrl) =>
  site(caUrl, { enrollment: { certificate_ids: { "302": 417 }, approver_id: 1, chunk: CHUNK }, products: undefined });

const text = (page, id) => page.locator(`[data-testid=${id}]`).innerText();

test("a batch placed by bulk enrollment, reloaded mid-batch, gives each address one order and shows its status", async () => {
  const sandbox = await startSandbox(["--latency-ms", "150", "--fail-rate", "0.1"]);
  const server = await enrollmentSite(sandbox.url);
  const page = await browser.newPage();
  try {
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction((url) => document.querySelector("#ca-preset")?.value === url, sandbox.url);
    await page.click("#use-demo-keys");
    await page.fill("#domains", "example.com, example.org");
    await page.locator("#domains").press("Tab");
    let csv = "First Name\tLast Name\tEmail\tCountry\n";
    const emails = [];
    for (let i = 0; i < ROWS; i++) {
      const email = `enrolled${i}@${i % 2 ? "example.org" : "example.com"}`;
      emails.push(email);
      csv += `Person\tNumber ${i}\t${email}\tGB\n`;
    }
    await page.fill("#roster-paste", csv);
    await page.click("#check-paste");
    await page.waitForFunction((n) => document.querySelector("[data-testid=valid]")?.textContent === String(n), ROWS);

    // Per-row orders stay the default; each mode says what it costs.
    assert.equal(await page.isChecked("#mode-per-row"), true);
    assert.match(await page.locator("#cost-per-row").innerText(), /charged to the account's funds at the product's price/);
    assert.match(await page.locator("#cost-enrollment").innerText(), /invoiced to your team under its EPKI agreement: no funds check/);
    assert.match(await page.locator("#cost-enrollment").innerText(), /CSRs in the roster are not sent/);
    assert.equal(await page.locator("#certificate-id").count(), 0, "the ids are asked only for an enrollment");
    await page.check("#mode-enrollment");
    assert.equal(await page.inputValue("#certificate-id"), "417", "preset by config.json");
    assert.equal(await page.inputValue("#approver-id"), "1");
    assert.match(await page.locator("#order-summary").innerText(), new RegExp(`${ROWS} addresses will be enrolled in ${ROWS / CHUNK} enrollments of up to ${CHUNK}`));

    // A wrong id is refused on the page, with what to do.
    await page.fill("#approver-id", "one");
    await page.check("#confirm-order");
    await page.click("#place-orders");
    assert.match(await page.locator("#step-order [role=alert]").innerText(), /approver's user id is a whole number/);
    assert.equal((await sandbox.orders()).length, 0);
    await page.fill("#approver-id", "1");
    await page.check("#confirm-order");
    assert.equal(await page.locator("#place-orders").innerText(), `Enroll ${ROWS} addresses`);
    await page.click("#place-orders");

    // Reload once the CA holds some of the orders, before the batch is done.
    for (;;) {
      const n = (await sandbox.orders()).length;
      if (n >= 2 * CHUNK) break;
      await page.waitForTimeout(50);
    }
    await page.reload();
    await page.waitForSelector("#resume-banner");
    await page.click("#use-demo-keys");
    await page.click("#resume-batch");
    await page.waitForSelector("#run[data-phase=finished]", { timeout: 90000 });
    assert.equal(await text(page, "placed"), String(ROWS));
    assert.equal(await text(page, "unconfirmed"), "0");

    const orders = await sandbox.orders();
    const perEmail = new Map();
    for (const o of orders) perEmail.set(o.email, (perEmail.get(o.email) ?? 0) + 1);
    const duplicated = [...perEmail.values()].reduce((n, c) => n + c - 1, 0);
    const lost = emails.filter((e) => !perEmail.has(e)).length;
    const enrollments = await (await sandbox.admin("/sandbox/enrollments")).json();
    const preflights = await sandbox.preflights();
    console.log(`browser enrollment with a reload: rows=${ROWS} orders=${orders.length} enrollments=${enrollments.length} lost=${lost} duplicated=${duplicated} preflights=${JSON.stringify(preflights)}`);
    assert.equal(duplicated, 0);
    assert.equal(lost, 0);
    assert.ok(orders.every((o) => o.enrollment_id !== null), "every order came by enrollment");
    assert.ok(enrollments.every((e) => e.orders.length <= CHUNK), "no enrollment is over the chunk");
    // Form-encoded POSTs are CORS simple requests: SSL.com answers no preflight.
    assert.deepEqual(preflights, {}, "no preflight reached the CA");

    // Per-address results: each address with the order the CA holds for it.
    const table = await page.locator("#results tbody tr").evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.innerText)));
    assert.equal(table.length, ROWS);
    for (const o of orders) {
      const row = table.find((cells) => cells[0] === o.email);
      assert.ok(row, o.email);
      assert.equal(row[2], o.reference);
      assert.equal(row[3], "unused. waiting on certificate signing request (csr)");
    }
    assert.match(await page.locator("#batch-invoices").innerText(), new RegExp(`Bulk enrollment of ${ROWS} addresses, up to ${CHUNK} per enrollment, one invoice each`));
    assert.match(await page.locator("#batch-invoices").innerText(), /"Certificate enrollment for N emails\.", on your team's invoice in the SSL\.com portal/);
    // Statuses moved on at the CA show after a refresh that pages the list,
    // and a read that fails (twice here, as the sandbox is told) is tried again.
    await sandbox.setStatus(orders[0].reference, "issued");
    await sandbox.setFaults({ fail_rate: 0, fail_next: 2 });
    await page.click("#refresh-statuses");
    await page.waitForFunction(() => /issued/.test(document.querySelector("#results")?.textContent ?? ""));
    assert.equal(await page.locator("#announcer").textContent(), "Statuses refreshed.");
    assert.equal(await page.locator("#step-results [role=alert]").count(), 0);
    assert.equal((await (await sandbox.admin("/sandbox/faults")).json()).fail_next, 0, "both failures were met");
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await server.close();
    sandbox.stop();
  }
});
