// The baseline for the benchmark: Papa Parse (header: true) and a JavaScript
// validator doing what our engine does, the usual way: the HTML standard's
// email regex, a set of validated domain suffixes, a set of country codes and
// a set for duplicates. Runs in a worker, like our engine, and answers with
// the time from bytes to report.
importScripts("./papaparse.min.js");

// The HTML standard's "valid e-mail address".
const EMAIL = /^[a-zA-Z0-9.!#$%&'*+\/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

function covered(domain, validated) {
  for (let d = domain; ; ) {
    if (validated.has(d)) return true;
    const dot = d.indexOf(".");
    if (dot < 0) return false;
    d = d.slice(dot + 1);
  }
}

function check(bytes, validated, countries) {
  const text = new TextDecoder().decode(bytes);
  const parsed = Papa.parse(text, { header: true, skipEmptyLines: true });
  const findings = [];
  const seen = new Map();
  const rows = parsed.data;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const line = i + 2;
    const email = (row["Email"] ?? "").trim();
    const first = (row["First Name"] ?? "").trim();
    const last = (row["Last Name"] ?? "").trim();
    const country = (row["Country"] ?? "").trim();
    let valid = true;
    if (!EMAIL.test(email)) {
      findings.push({ line, column: "Email", code: "email_invalid", message: `Email "${email}" is not a valid address.` });
      valid = false;
    } else {
      const key = email.toLowerCase();
      const domain = key.slice(key.lastIndexOf("@") + 1);
      if (!covered(domain, validated)) {
        findings.push({ line, column: "Email", code: "domain_not_validated", message: `The domain ${domain} is not validated.` });
        valid = false;
      }
      const firstLine = seen.get(key);
      if (firstLine !== undefined) {
        findings.push({ line, column: "Email", code: "duplicate_email", message: `Email "${email}" already appears on line ${firstLine}.` });
        valid = false;
      } else {
        seen.set(key, line);
      }
    }
    if (!last) {
      findings.push({ line, column: "Last Name", code: "last_name_missing", message: "Last Name is empty." });
      valid = false;
    }
    if (!first) findings.push({ line, column: "First Name", code: "first_name_missing", message: "First Name is empty." });
    if (!country) {
      findings.push({ line, column: "Country", code: "country_missing", message: "Country is empty." });
      valid = false;
    } else if (!countries.has(country)) {
      findings.push({ line, column: "Country", code: "country_invalid", message: `Country "${country}" is not an ISO 3166 code.` });
      valid = false;
    }
    row.valid = valid;
  }
  return { rows, findings, valid: rows.filter((r) => r.valid).length };
}

onmessage = ({ data }) => {
  const started = performance.now();
  const report = check(new Uint8Array(data.bytes), new Set(data.domains), new Set(data.countries));
  const elapsed_ms = performance.now() - started;
  postMessage({ kind: "report", elapsed_ms, rows: report.rows.length, findings: report.findings.length, valid: report.valid });
};
postMessage({ kind: "ready" });
