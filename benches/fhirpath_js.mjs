// Times the expressions of benches/expressions.json with fhirpath.js (R4 model):
// compile once with fp.compile(expr, model), evaluate many times; prints {expr: ns_per_iter} as JSON.
// Usage: node benches/fhirpath_js.mjs <node_modules dir containing fhirpath> [budget_ms]
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const modDir = process.argv[2];
const budgetMs = Number(process.argv[3] || 300);
const require = createRequire(join(modDir, 'noop.js'));
const fp = require('fhirpath');
const r4 = require('fhirpath/fhir-context/r4');
const inputDir = join(here, '..', '..', 'shared', 'fixtures', 'fhirpath', 'fhir-test-cases-r4', 'input');
const list = JSON.parse(readFileSync(join(here, 'expressions.json'), 'utf8'));
// fhirpath.js warns on stderr for some expressions (e.g. truncated calendar durations); thousands of
// identical warnings would swamp the table and distort the timing.
console.warn = () => {};
const out = {};
for (const { input, expr } of list) {
  const res = JSON.parse(readFileSync(join(inputDir, input), 'utf8'));
  const f = fp.compile(expr, r4);
  f(res);
  let iters = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iters; i++) f(res);
    const ns = Number(process.hrtime.bigint() - t0);
    if (ns >= budgetMs * 1e6) { out[expr] = ns / iters; break; }
    iters = ns === 0 ? iters * 100 : Math.max(iters * 2, Math.ceil(iters * budgetMs * 1e6 / ns * 1.1));
  }
}
console.log(JSON.stringify(out));
