//! Writes the fuzz targets' seed corpora from the repo's fixtures:
//! `seeds ROOT CORPUS` fills `CORPUS/TARGET/seed-*` (run by tools/fuzz.sh
//! before fuzzing). Rosters and CSRs are the fixtures as they are; the wire
//! forms, options and journals are what the project's own code writes from
//! them; CA answers are SSL.com's recorded ones behind the bytes that choose
//! the dialect, parser and status (see fuzz_targets/ca_answer.rs).

use base64ct::{Base64, Encoding};
use smime_bulk_ca::engine::journal::{self, JournalEntry};
use smime_bulk_ca::engine::RowState;
use smime_bulk_ca::protocol::{Order, Profile};
use smime_bulk_roster::{check, domains::ValidatedDomains, wire, Mode, Options};
use std::path::{Path, PathBuf};
use std::{env, fs, io};

// Only its batch is used here.
#[allow(dead_code)]
#[path = "../../crates/ca/tests/support/fixtures.rs"]
mod fixtures;
#[path = "../../crates/ca/tests/support/script.rs"]
mod script;

fn files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    paths.retain(|p| p.is_file());
    paths.sort();
    Ok(paths)
}

fn name(path: &Path) -> String {
    path.file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

struct Corpus(PathBuf);

impl Corpus {
    fn put(&self, target: &str, name: &str, bytes: &[u8]) -> io::Result<()> {
        let dir = self.0.join(target);
        fs::create_dir_all(&dir)?;
        fs::write(dir.join(format!("seed-{name}")), bytes)
    }
}

/// The engine target's script bytes (fuzz_targets/engine.rs): a set-up, then
/// steps; every create and list answered as the CA would, with one timeout.
const ENGINE_SCRIPTS: [&[u8]; 3] = [
    &[0x00, 0x02, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
    &[
        0x01, 0x03, 0x02, 0x03, 0x00, 0x10, 0x00, 0x20, 0x02, 0x00, 0x00, 0x00, 0x00,
    ],
    &[
        0x00, 0x04, 0x03, 0x02, 0x00, 0x11, 0x00, 0x06, 0x30, 0x00, 0x00, 0x00, 0x05, 0x00,
    ],
];

fn main() -> io::Result<()> {
    let mut args = env::args_os().skip(1).map(PathBuf::from);
    let (Some(root), Some(corpus)) = (args.next(), args.next()) else {
        eprintln!("usage: seeds ROOT CORPUS (the repo's root; the corpus folder to fill)");
        std::process::exit(2);
    };
    let corpus = Corpus(corpus);
    let fixtures = root.join("crates/roster/tests/fixtures");
    let options = Options {
        domains: ValidatedDomains::parse(["example.com"]).expect("a valid domain"),
        ..Options::default()
    };
    for path in files(&fixtures.join("roster"))? {
        let bytes = fs::read(&path)?;
        for (choice, mode) in [Mode::Table, Mode::List, Mode::Auto].into_iter().enumerate() {
            // Its CSRs' signatures take a tenth of a second to verify; the
            // csr target fuzzes them.
            if !bytes.windows(10).any(|w| w == b"-----BEGIN") {
                let seed = [&[choice as u8], &bytes[..]].concat();
                corpus.put("roster", &format!("{}-{mode:?}", name(&path)), &seed)?;
            }
            let options = Options {
                mode,
                ..options.clone()
            };
            let report = check(&bytes, &options);
            corpus.put("wire", &format!("{}-{mode:?}", name(&path)), &wire::encode(&report))?;
            corpus.put("wire", &format!("options-{mode:?}"), &wire::encode_options(&options))?;
            if !report.csr_outcomes.is_empty() {
                let outcomes = wire::encode_csr_outcomes(&report.csr_outcomes);
                corpus.put("wire", &format!("{}-csr-outcomes", name(&path)), &outcomes)?;
            }
        }
    }
    for path in files(&fixtures.join("csr"))? {
        let text = fs::read_to_string(&path)?;
        corpus.put(
            "csr",
            &format!("{}-text", name(&path)),
            &[b"\0", text.as_bytes()].concat(),
        )?;
        let base64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
        if let Ok(der) = Base64::decode_vec(base64.trim()) {
            corpus.put(
                "csr",
                &format!("{}-der", name(&path)),
                &[b"\x01", der.as_slice()].concat(),
            )?;
        }
    }
    for (i, text) in [
        "Jane.Doe@Bücher.example",
        "jane+tag@mail.example.com",
        "\"Jane Doe\" <jane@example.com>",
        "example.com, *.example.org; @xn--bcher-kva.example\n# a comment\nsub.example.net",
        "exmaple.com",
    ]
    .iter()
    .enumerate()
    {
        corpus.put("email", &i.to_string(), text.as_bytes())?;
    }
    // ca_answer's prefix: parser and dialect, the status's index, headers.
    for path in files(&root.join("crates/ca/tests/fixtures/sslcom"))? {
        let file = name(&path);
        if !file.ends_with(".json") {
            continue;
        }
        let body = fs::read(&path)?;
        let status = if file.contains("_400") {
            5
        } else if file.contains("_500") {
            12
        } else {
            0
        };
        for parser in 0..3u8 {
            corpus.put(
                "ca_answer",
                &format!("{file}-{parser}"),
                &[&[parser << 1, status, 0], &body[..]].concat(),
            )?;
        }
    }
    let spec = script::batch(Profile::Sslcom, 3);
    let entries = [
        JournalEntry {
            row: 0,
            state: RowState::Sending { attempts: 1 },
        },
        JournalEntry {
            row: 0,
            state: RowState::Placed {
                order: Order {
                    reference: "co-1".into(),
                    status: "waiting on validation from customer".into(),
                    external_order_number: Some(spec.key_of(0)),
                    ..Order::default()
                },
            },
        },
        JournalEntry {
            row: 1,
            state: RowState::Unknown {
                attempts: 1,
                reason: "no answer in time".into(),
            },
        },
    ];
    let text = journal::header(&spec) + &journal::lines(&entries);
    corpus.put("journal", "three-rows", text.as_bytes())?;
    corpus.put("journal", "torn", &text.as_bytes()[..text.len() - 9])?;
    for (i, script) in ENGINE_SCRIPTS.iter().enumerate() {
        corpus.put("engine", &i.to_string(), script)?;
    }
    Ok(())
}
