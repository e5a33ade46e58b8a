#!/usr/bin/env bash
# ./x fuzz [SECONDS_PER_TARGET] [TARGET…]: runs each cargo-fuzz target in
# fuzz/ for the given time (default 60 s; every target when none is named) and
# prints, per target, its executions, exec/s, coverage, crashes and where its
# artifacts went; exits 1 if any target crashed.
#
# Set-up: installs cargo-fuzz (pinned) if missing and fetches the fuzz
# package's crates; the runs themselves are offline. Uses the nightly
# toolchain if one is installed (AddressSanitizer), else stable with
# RUSTC_BOOTSTRAP=1 and --sanitizer none. FUZZ_TOOLCHAIN=stable|nightly
# forces one. The corpus of each target grows in fuzz/corpus/TARGET (not
# committed), seeded from the repo's fixtures; crashes land in
# fuzz/artifacts/TARGET. One target runs at a time, on one core.
set -euo pipefail

ROOT=$(pwd)
CARGO_FUZZ_VERSION=0.13.2
TARGETS=(roster csr email wire ca_answer journal engine)
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1m[fuzz] %s\033[0m\n' "$*" >&2; }
die() { printf '[fuzz] error: %s\n' "$*" >&2; exit 2; }

seconds=${1:-60}
[[ "$seconds" =~ ^[0-9]+$ ]] && ((seconds > 0)) || die "SECONDS_PER_TARGET must be a whole number of seconds above 0, not \"$seconds\" (usage: ./x fuzz [SECONDS_PER_TARGET] [TARGET…])"
shift $(($# > 0 ? 1 : 0))
targets=("$@")
((${#targets[@]})) || targets=("${TARGETS[@]}")
for t in "${targets[@]}"; do
  [[ " ${TARGETS[*]} " == *" $t "* ]] || die "no fuzz target \"$t\"; the targets are: ${TARGETS[*]}"
done

if ! cargo fuzz --version 2>/dev/null | grep -q " $CARGO_FUZZ_VERSION\$"; then
  log "cargo install cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install --locked --quiet cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

toolchain=${FUZZ_TOOLCHAIN:-}
if [ -z "$toolchain" ]; then
  if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then toolchain=nightly; else toolchain=stable; fi
fi
case "$toolchain" in
  nightly) fuzz=(cargo +nightly fuzz) sanitizer=(); how="nightly, AddressSanitizer" ;;
  # RUSTC_BOOTSTRAP for the fuzz builds alone: set for the seeds' build too, it
  # would make cargo rebuild that on every switch of toolchain.
  stable) fuzz=(env RUSTC_BOOTSTRAP=1 cargo +stable fuzz) sanitizer=(--sanitizer none); how="stable with RUSTC_BOOTSTRAP=1, no sanitizer" ;;
  *) die "FUZZ_TOOLCHAIN must be nightly or stable, not \"$toolchain\"" ;;
esac

base_dir=${CARGO_TARGET_DIR:-$ROOT/fuzz/target}
target_dir=$base_dir/fuzz-$toolchain
log "cargo fetch (the fuzz package's crates; the runs are offline)"
cargo fetch --quiet --manifest-path fuzz/Cargo.toml
export CARGO_NET_OFFLINE=true

# Seeds: the fixtures as they are (rosters, CSRs), CA answers behind the bytes
# that choose the dialect and parser, and wire forms, options and journals
# that the project's own code writes from those fixtures (fuzz/examples/seeds.rs).
log "seeding fuzz/corpus from the fixtures"
cargo run --quiet --release --manifest-path fuzz/Cargo.toml --target-dir "$base_dir" --example seeds -- "$ROOT" "$ROOT/fuzz/corpus"

summary=()
status=0
for t in "${targets[@]}"; do
  log "$t: building and fuzzing for ${seconds}s ($how)"
  out="$ROOT/fuzz/artifacts/$t"
  mkdir -p "$out"
  run_log="$out/last-run.log"
  touch "$out/.started"
  # The engine's scripts are worth little short: let them be long at once
  # (libFuzzer otherwise grows inputs a few bytes at a time).
  case "$t" in
    engine) extra=(-max_len=512 -len_control=0) ;;
    *) extra=() ;;
  esac
  set +e
  "${fuzz[@]}" run "${sanitizer[@]}" --target-dir "$target_dir" "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$seconds" "${extra[@]}" \
    -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 >"$run_log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run_log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$run_log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$run_log" | tail -n 1 | cut -d' ' -f2)
  crashes=$(find "$out" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' -o -name 'leak-*' \) -newer "$out/.started" 2>/dev/null | wc -l)
  summary+=("$(printf '%-10s executions %-10s exec/s %-7s coverage %-6s crashes %-3s exit %-3s artifacts %s' \
    "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$crashes" "$rc" "$out/")")
  if ((rc != 0 || crashes > 0)); then
    status=1
    log "$t: exit $rc; its log: $run_log"
    grep -m 5 -E 'panicked at|ERROR: libFuzzer|SUMMARY' "$run_log" >&2 || true
  fi
done
printf '%s\n' "fuzzing summary ($how, ${seconds}s per target):" "${summary[@]}"
exit "$status"
