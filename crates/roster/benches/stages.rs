//! The engine's passes one at a time, on the benchmark's roster of 1M rows:
//! decoding (UTF-8 check, and the one pass that looks for NUL bytes and
//! counts line ends), that count alone (what the row limit reads), and
//! splitting the text into records. Beside `throughput`'s whole check, they
//! say which pass a change moved. Run with
//! `cargo bench -p smime-bulk-roster --bench stages`. Figures only.

use divan::counter::BytesCount;
use divan::Bencher;
use smime_bulk_roster::{decode, limits, sniff, table};

fn main() {
    divan::main();
}

#[path = "support/roster.rs"]
mod support;
use support::roster;

/// Bytes → text: what the check does before it reads a record.
#[divan::bench(args = [1_000_000], sample_count = 5, sample_size = 1)]
fn decode_text(bencher: Bencher, rows: usize) {
    let bytes = roster(rows);
    bencher
        .counter(BytesCount::new(bytes.len()))
        .bench(|| decode::decode(divan::black_box(&bytes)).map(|d| d.line_ends));
}

/// The line-break count of a text on its own (the decoder counts them in
/// its pass for NUL bytes; this is the cost it saves the row limit).
#[divan::bench(args = [1_000_000], sample_count = 5, sample_size = 1)]
fn count_line_ends(bencher: Bencher, rows: usize) {
    let bytes = roster(rows);
    let text = std::str::from_utf8(&bytes).unwrap_or_default();
    bencher
        .counter(BytesCount::new(bytes.len()))
        .bench(|| limits::Limits::default().may_exceed_rows(divan::black_box(text)));
}

/// Text → records, fields trimmed, buffers reused.
#[divan::bench(args = [1_000_000], sample_count = 5, sample_size = 1)]
fn split_records(bencher: Bencher, rows: usize) {
    let bytes = roster(rows);
    let text = std::str::from_utf8(&bytes).unwrap_or_default();
    bencher.counter(BytesCount::new(bytes.len())).bench(|| {
        let mut records = table::Records::new(divan::black_box(text), sniff::Delimiter::Comma);
        let mut record = table::Record::default();
        let mut fields = 0;
        while records.next_into(&mut record) {
            fields += record.fields.len();
        }
        fields
    });
}
