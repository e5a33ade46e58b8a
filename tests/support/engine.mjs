// Talking to the engine worker from a test or the benchmark.

/** Check options in `wire::encode_options` form: table mode, `domains`, not exact, no mapping. */
export function encodeOptions(domains) {
  const parts = [Buffer.from("SBR1"), Buffer.from([0 /* table */, 0 /* not exact */])];
  const u32 = (n) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  parts.push(u32(domains.length));
  for (const d of domains) {
    parts.push(u32(Buffer.byteLength(d)), Buffer.from(d));
  }
  parts.push(Buffer.from([0 /* no mapping */]));
  return Buffer.concat(parts);
}
