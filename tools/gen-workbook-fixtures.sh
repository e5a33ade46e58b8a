#!/usr/bin/env bash
# Makes the workbook fixtures under crates/roster/tests/fixtures/workbook/
# with LibreOffice (Debian: libreoffice-calc-nogui), the way a user's
# spreadsheet program saves them. Run once by hand; the output is committed
# and no test needs LibreOffice.
#
# roster.fods (written below, LibreOffice's flat XML) has two sheets:
# "Équipe" (non-ASCII names, a date column, a number column, a formula whose
# cached value is a number, an empty Csr column, errors to find) and
# "Contractors"; it becomes roster.xlsx, roster.ods and roster.xls. The CSV
# fixture all-rules.csv becomes all-rules.xlsx, so a workbook and the CSV it
# came from can be compared report for report. roster-password.xlsx is
# roster.xlsx saved with the password "secret".
set -euo pipefail
cd "$(dirname "$0")/.."
out=crates/roster/tests/fixtures/workbook
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/roster.fods" <<'FODS'
<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
  xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
  xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
  xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
  xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
  xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"
  office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
 <office:automatic-styles>
  <number:date-style style:name="isodate">
   <number:year number:style="long"/><number:text>-</number:text>
   <number:month number:style="long"/><number:text>-</number:text>
   <number:day number:style="long"/>
  </number:date-style>
  <style:style style:name="date" style:family="table-cell" style:data-style-name="isodate"/>
 </office:automatic-styles>
 <office:body>
  <office:spreadsheet>
   <table:table table:name="Équipe">
    <table:table-row>
     <table:table-cell office:value-type="string"><text:p>First Name</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>Last Name</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>Email</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>Country</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>Csr</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>Start Date</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>Employee No</text:p></table:table-cell>
    </table:table-row>
    <table:table-row>
     <table:table-cell office:value-type="string"><text:p>Jürgen</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>Müller</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>juergen.mueller@example.com</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>DE</text:p></table:table-cell>
     <table:table-cell/>
     <table:table-cell table:style-name="date" office:value-type="date" office:date-value="2024-03-01"><text:p>2024-03-01</text:p></table:table-cell>
     <table:table-cell office:value-type="float" office:value="45000"><text:p>45000</text:p></table:table-cell>
    </table:table-row>
    <table:table-row>
     <table:table-cell office:value-type="string"><text:p>Zoë</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>Ørsted</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>zoe.orsted@example.com</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>UK</text:p></table:table-cell>
     <table:table-cell/>
     <table:table-cell table:style-name="date" office:value-type="date" office:date-value="2023-11-15"><text:p>2023-11-15</text:p></table:table-cell>
     <table:table-cell table:formula="of:=[.G2]+1" office:value-type="float" office:value="45001"><text:p>45001</text:p></table:table-cell>
    </table:table-row>
    <table:table-row>
     <table:table-cell office:value-type="string"><text:p>美咲</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>佐藤</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>misaki.sato@example</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>JP</text:p></table:table-cell>
     <table:table-cell/>
     <table:table-cell table:style-name="date" office:value-type="date" office:date-value="2022-01-31"><text:p>2022-01-31</text:p></table:table-cell>
     <table:table-cell office:value-type="float" office:value="12.5"><text:p>12.5</text:p></table:table-cell>
    </table:table-row>
   </table:table>
   <table:table table:name="Contractors">
    <table:table-row>
     <table:table-cell office:value-type="string"><text:p>Email</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>First Name</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>Last Name</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>Country</text:p></table:table-cell>
    </table:table-row>
    <table:table-row>
     <table:table-cell office:value-type="string"><text:p>siobhan@example.org</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>Siobhán</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>Ó Briain</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>IE</text:p></table:table-cell>
    </table:table-row>
    <table:table-row>
     <table:table-cell office:value-type="string"><text:p>lars@example.org</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>Lars</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>Åberg</text:p></table:table-cell>
     <table:table-cell office:value-type="string"><text:p>se</text:p></table:table-cell>
    </table:table-row>
   </table:table>
  </office:spreadsheet>
 </office:body>
</office:document>
FODS
for to in xlsx ods xls; do
  soffice --headless --calc --convert-to "$to" --outdir "$tmp" "$tmp/roster.fods" >/dev/null
  cp "$tmp/roster.$to" "$out/roster.$to"
done
# CSV import: UTF-8, comma, quoted fields with line breaks (the CSRs).
soffice --headless --infilter="CSV:44,34,76,1" --convert-to xlsx --outdir "$tmp" \
  crates/roster/tests/fixtures/roster/all-rules.csv >/dev/null
cp "$tmp/all-rules.xlsx" "$out/all-rules.xlsx"
# Encrypted as Excel does with a password to open (Agile encryption), by
# msoffcrypto-tool (PyPI), which LibreOffice 7.4's converter cannot do.
if command -v msoffcrypto-tool >/dev/null; then
  msoffcrypto-tool -e -p secret "$out/roster.xlsx" "$out/roster-password.xlsx"
fi
ls -l "$out"
