// Loads tools/size/www (staged by size.sh, served by the test server under /static/) in
// headless Chromium with playwright-core, waits for the benchmark, prints the results.
//   node tools/size/bench.mjs http://127.0.0.1:PORT/static/index.html
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { chromium } = await import(
  pathToFileURL(path.join(here, '../js/node_modules/playwright-core/index.mjs')).href
);

const page_url = process.argv[2];
if (!page_url) {
  console.error('usage: node bench.mjs PAGE_URL');
  process.exit(2);
}
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'httpx-bench-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(page_url);
  await page.waitForFunction(() => window.results !== undefined, null, { timeout: 600_000 });
  const results = await page.evaluate(() => window.results);
  if (results.error || errors.length) {
    console.error('benchmark failed:', results.error ?? '', errors.join('\n'));
    process.exit(1);
  }
  const ms = results.perRequestMs;
  const row = (name, label) =>
    `| ${label} | ${ms[name].toFixed(3)} | ${(ms[name] / ms.raw).toFixed(3)}× | ${results.samples[name].map((x) => x.toFixed(3)).join(', ')} |`;
  console.log(`\nPer-request time, ${results.n} sequential GET + text() per round, median of ${results.rounds} rounds (headless Chromium, same origin):\n`);
  console.log('| implementation | ms per request | vs raw web-sys fetch | rounds (ms) |');
  console.log('|---|---:|---:|---|');
  console.log(row('raw', 'raw web-sys fetch (wasm)'));
  console.log(row('ours', 'httpx AsyncClient on FetchTransport (wasm)'));
  console.log(row('js', 'plain JavaScript fetch'));
  const ratio = ms.ours / ms.raw;
  console.log(`\nours / raw = ${ratio.toFixed(3)}× (target ≤ 1.1×: ${ratio <= 1.1 ? 'met' : 'missed'})`);
  console.log(`checks: ${JSON.stringify(results.checks)}`);
  console.log(`browser: ${results.userAgent}`);
  if (!results.checks.ours_text_matches || !results.checks.raw_text_matches || !results.checks.idna_fallback_ok) {
    console.error('a check failed');
    process.exit(1);
  }
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
