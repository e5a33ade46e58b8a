// Generated rosters for the browser tests and the benchmark: realistic names
// (accents included), mixed domains, and about 2% of rows with each kind of
// problem (bad address, unvalidated domain, bad country, missing name,
// duplicate). Deterministic: the same size gives the same bytes.
import { readFile } from "node:fs/promises";

const FIRST = ["Jane", "John", "Zoë", "Łukasz", "María", "Ahmed", "Mei", "Olusegun", "Siobhán", "Jörg", "Priya", "Kenji", "Amélie", "Noah"];
const LAST = ["Doe", "Smith", "Müller", "Nowak", "García", "Haddad", "Chen", "Adeyemi", "O'Brien", "Weiß", "Sharma", "Sato", "Laurent"];
const COUNTRIES = ["GB", "DE", "FR", "US", "PL", "ES", "JP", "IE", "NL", "SE"];
/** Validated: example.com and example.org (and their subdomains). */
export const DOMAINS = ["example.com", "example.org"];
const USED = ["example.com", "mail.example.com", "example.org", "eu.example.org"];

/** The address row `i` has unless it is made faulty. */
function address(i) {
  const local = `${FIRST[i % FIRST.length]}.${LAST[Math.floor(i / 7) % LAST.length]}${i}`.toLowerCase().replace(/[^a-z0-9.]/g, "");
  return `${local}@${USED[Math.floor(i / 11) % USED.length]}`;
}

/** A roster of `rows` people as CSV text (header First Name,Last Name,Email,Country,Csr). */
export function roster(rows) {
  const out = ["First Name,Last Name,Email,Country,Csr"];
  for (let i = 0; i < rows; i++) {
    let first = FIRST[i % FIRST.length];
    const last = LAST[Math.floor(i / 7) % LAST.length];
    let country = COUNTRIES[Math.floor(i / 3) % COUNTRIES.length];
    let email = address(i);
    switch (i % 50) {
      case 0: email = email.replace("@", "@@"); break; // bad address
      case 1: email = email.replace(/@.*/, "@gmail.com"); break; // domain not validated
      case 2: country = "UK"; break; // not an ISO 3166 code
      case 3: first = ""; country = ""; break; // missing first name and country
      case 4: email = address(i - 1); break; // duplicate of the row before
    }
    out.push(`${first},${last},${email},${country},`);
  }
  return out.join("\r\n") + "\r\n";
}

/**
 * Excel's Windows-1252 `;` export (crates/roster's fixture excel-1252-semicolon.csv:
 * 6 rows, 2 of them invalid) grown to `rows` rows with more people of the same
 * accented names (ü, ë, Ø, ç, è, â, ß), all valid; as bytes, in Windows-1252.
 */
export async function excel1252Roster(rows) {
  const fixture = await readFile(new URL("../../crates/roster/tests/fixtures/roster/excel-1252-semicolon.csv", import.meta.url));
  const people = [["Jürgen", "Müller"], ["Zoë", "Ørsted"], ["François", "Lefèvre"], ["Siân", "O'Brien"], ["Anna", "Weiß"]];
  let more = "";
  for (let i = 6; i < rows; i++) {
    const [first, last] = people[i % people.length];
    more += `${first};${last};person${i}@${i % 2 ? "example.org" : "example.com"};DE;\r\n`;
  }
  // Every character above is in Latin-1, where Windows-1252 has the same bytes.
  return Buffer.concat([fixture, Buffer.from(more, "latin1")]);
}
