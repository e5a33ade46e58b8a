// The review grid's cells, found as a user finds them: by column and line.
// A cell shows its text; only the cell being edited holds an input, labelled
// "<column>, line <n>".

/** The cell of column `field` (its header, e.g. "Email") on line `line`. */
export function gridCell(page, field, line) {
  return page
    .locator("#grid tr.grid-row")
    .filter({ has: page.locator("th", { hasText: new RegExp(`^${line}$`) }) })
    .locator(`td[data-field="${field}"]`);
}

/** What the cell of column `field` on line `line` shows. */
export async function cellText(page, field, line) {
  return gridCell(page, field, line).locator(".text").innerText();
}

/** Opens the cell of column `field` on line `line` for editing (a click, as a user does); its input. */
export async function editCell(page, field, line) {
  await gridCell(page, field, line).click();
  const input = page.locator(`#grid input[aria-label="${field}, line ${line}"]`);
  await input.waitFor();
  return input;
}
