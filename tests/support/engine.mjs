// Talking to the engine worker from a test or the benchmark.

/** A number as `wire`'s LEB128 varint: seven bits a byte, low bits first. */
function varint(n) {
  const out = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** The engine's default limits (`limits::Limits::default()`): file bytes, rows, cell characters. */
const DEFAULT_LIMITS = [256 * 1024 * 1024, 2_000_000, 64 * 1024];

/** Check options in `wire::encode_options` form: table mode, `domains`, not exact, no mapping, default limits, the first sheet, key seed 0. */
export function encodeOptions(domains) {
  const parts = [Buffer.from("SBR7"), Buffer.from([0 /* table */, 0 /* not exact */])];
  parts.push(varint(domains.length));
  for (const d of domains) {
    parts.push(varint(Buffer.byteLength(d)), Buffer.from(d));
  }
  parts.push(Buffer.from([0 /* no mapping */]));
  for (const limit of DEFAULT_LIMITS) {
    parts.push(varint(limit));
  }
  parts.push(Buffer.from([0 /* no sheet named: the first */]));
  parts.push(varint(0)); // the key seed: the CLI's, so that reports compare byte for byte
  return Buffer.concat(parts);
}
