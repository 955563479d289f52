#!/usr/bin/env bash
# Compares this engine with fhirpath.js 5.2.0 on benches/expressions.json (same expressions,
# same inputs, same run). Prints ns/iter for both, the ratio (js / rust) per expression and the median.
# Usage: benches/compare_fhirpath.sh [budget_ms_per_expression]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
crate="$(dirname "$here")"
budget="${1:-300}"
cache="${FHIRPATH_JS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/intake-fhirpath-js}"
if [ ! -d "$cache/node_modules/fhirpath" ]; then
  mkdir -p "$cache"
  (cd "$cache" && npm install --silent --no-audit --no-fund fhirpath@5.2.0 >/dev/null)
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$crate/target}"
(cd "$crate" && cargo build --release --quiet --example fhirpath_timing)
rust_json="$("$CARGO_TARGET_DIR/release/examples/fhirpath_timing" "$budget")"
js_json="$(node "$here/fhirpath_js.mjs" "$cache/node_modules" "$budget")"
RUST_JSON="$rust_json" JS_JSON="$js_json" LIST="$here/expressions.json" node -e '
const r = JSON.parse(process.env.RUST_JSON), j = JSON.parse(process.env.JS_JSON);
const kinds = Object.fromEntries(JSON.parse(require("fs").readFileSync(process.env.LIST, "utf8")).map(x => [x.expr, x.kind || "all"]));
const rows = Object.keys(j).map(e => ({ e, js: j[e], rs: r[e], ratio: j[e] / r[e] }));
const pad = (s, n) => String(s).padStart(n);
console.log(pad("fhirpath.js ns", 15) + pad("rust ns", 12) + pad("ratio", 9) + "  expression");
for (const x of rows) console.log(pad(x.js.toFixed(0), 15) + pad(x.rs.toFixed(0), 12) + pad(x.ratio.toFixed(1) + "x", 9) + "  " + x.e);
const median = xs => { const s = xs.slice().sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
for (const k of [...new Set(rows.map(x => kinds[x.e]))]) {
  const xs = rows.filter(x => kinds[x.e] === k).map(x => x.ratio);
  console.log("median ratio for " + k + " expressions: " + median(xs).toFixed(1) + "x over " + xs.length);
}
console.log("median ratio (fhirpath.js / rust): " + median(rows.map(x => x.ratio)).toFixed(1) + "x over " + rows.length + " expressions");
'
