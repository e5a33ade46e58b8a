#!/usr/bin/env python3
"""Writes the roster fixtures under crates/roster/tests/fixtures/roster/.

They imitate real exports: Excel on Windows (Windows-1252, ';', CRLF), Excel's
"Unicode Text" (UTF-16LE with BOM, TAB), Google Sheets and Excel "CSV UTF-8"
(BOM), Outlook's recipient lists. Run once; the output is committed.
"""
import os

OUT = "crates/roster/tests/fixtures/roster"
CSR = "crates/roster/tests/fixtures/csr"
os.makedirs(OUT, exist_ok=True)

def write(name, text, encoding="utf-8", bom=b""):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(bom + text.encode(encoding))

def csr(name):
    return open(os.path.join(CSR, name)).read().strip()

crlf = lambda lines: "\r\n".join(lines) + "\r\n"

# Excel "CSV" on a German Windows: Windows-1252, ';', CRLF, umlauts.
write("excel-1252-semicolon.csv", crlf([
    "First Name;Last Name;Email;Country;Csr",
    "Jürgen;Müller;juergen.mueller@example.com;DE;",
    "Zoë;Ørsted;zoe.orsted@example.com;dk;",
    "François;Lefèvre;francois@example.org;FRA;",
    "Siân;O'Brien;sian.obrien@mail.example.com;UK;",
    '"Anna; Maria";Weiß;anna.weiss@example.org;AT;',
    ";Madonna;madonna@example.com;US;",
]), encoding="cp1252")

# Excel "Unicode Text": UTF-16LE with BOM, TAB-separated, CRLF.
write("excel-unicode-text.txt", crlf([
    "First Name\tLast Name\tEmail\tCountry",
    "Łukasz\tNowak\tlukasz.nowak@example.com\tPL",
    "Ἀλέξανδρος\tΠαπαδόπουλος\talex@example.com\tGR",
    "美咲\t佐藤\tmisaki.sato@example.org\tJP",
    "Ivan\tPetrov\tivan@elsewhere.net\tRU",
]), encoding="utf-16-le", bom=b"\xff\xfe")

# Google Sheets / Excel "CSV UTF-8": BOM, commas, LF.
write("sheets-utf8-bom.csv", "\n".join([
    "First Name,Last Name,Email,Country,Csr",
    "Jane,Doe,jane@example.com,GB,",
    "John,Smith,JANE@EXAMPLE.COM,US,",
    "Ana,García,ana.garcia@bücher.example,ES,",
    "Bob,Stone,bob@xn--bcher-kva.example,United States,",
    "",
]), bom=b"\xef\xbb\xbf")

# Headers as people write them, in another order, plus a column we ignore.
write("header-variants.csv", "\n".join([
    "E-mail Address,Surname,Given Name,Country Code,Department",
    "jane@example.com,Doe,Jane,GB,Finance",
    "bob@example.org,Stone,Bob,US,IT",
    "",
]))

# Quoting: commas, doubled quotes and line breaks inside quoted fields; CR line ends.
write("quoting-cr.csv", "\r".join([
    "First Name,Last Name,Email,Country",
    '"Mary, Jr.","O""Neil",mary@example.com,IE',
    '"Multi',
    'Line",Name,multi@example.com,IE',
    "Tom,Tailor,tom@example.com,IE",
    "",
]))

# Ragged rows: a missing and an extra field.
write("ragged.csv", "\n".join([
    "First Name,Last Name,Email,Country",
    "Jane,Doe,jane@example.com,GB",
    "John,Smith,john@example.com",
    "Ann,Lee,Jr.,ann@example.com,US",
    "Eve,Adams,eve@example.com,US",
    "",
]))

# An email list pasted from Outlook's To field, over two lines.
write("outlook-recipients.txt",
      'Doe, Jane <jane@example.com>; "Müller, Jörg" <joerg@example.org>; bob@example.com\n'
      "carol@example.com, not-an-address, jane@example.com\n")

# Only an Email column: read like a list, with column_absent warnings.
write("email-only.csv", "Email\njane@example.com\nbob@example.org\n")

# One row per rule, in UTF-8, with CSRs in quoted multi-line cells.
rows = [
    ("Jane", "Doe", "jane@example.com", "GB", csr("rsa2048.csr")),
    ("", "Madonna", "madonna@example.com", "IT", ""),
    ("Missing", "", "nolast@example.com", "DE", ""),
    ("No", "Mail", "", "DE", ""),
    ("Bad", "Mail", "bad@@example.com", "DE", ""),
    ("Slip", "Mail", "slip@example..com", "DE", ""),
    ("Other", "Domain", "someone@gmail.com", "DE", ""),
    ("Typo", "Domain", "typo@exmaple.com", "DE", ""),
    ("Lookalike", "Domain", "x@notexample.com", "DE", ""),
    ("Suffix", "Domain", "x@example.com.evil.net", "DE", ""),
    ("Dup", "Licate", "Jane@Example.com", "GB", ""),
    ("Long", "N" * 65, "long@example.com", "DE", ""),
    ("Tab\tIn", "Name", "tabname@example.com", "DE", ""),
    ("No", "Country", "nocountry@example.com", "", ""),
    ("Bad", "Country", "badcountry@example.com", "Atlantis", ""),
    ("Lower", "Country", "lower@example.com", "fr", ""),
    ("Weak", "Key", "weak@example.com", "DE", csr("rsa1024.csr")),
    ("Curve", "K1", "k1@example.com", "DE", csr("secp256k1.csr")),
    ("Broken", "Sig", "broken@example.com", "DE", csr("rsa2048-broken-signature.csr")),
    ("Garbage", "Csr", "garbage@example.com", "DE", "hello world"),
    ("Other", "Csr", "othercsr@example.com", "DE", csr("p256.csr")),
    ("=HYPERLINK(\"http://x\")", "Formula", "formula@example.com", "DE", ""),
    ("Sub", "Domain", "sub@mail.example.org", "XX", csr("ed25519.csr").replace("\n", "\r\n")),
]
def q(v):
    return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n\r\t') else v
write("all-rules.csv", "\n".join(
    ["First Name,Last Name,Email,Country,Csr"] + [",".join(q(v) for v in r) for r in rows]) + "\n")
print("fixtures written to", OUT)
