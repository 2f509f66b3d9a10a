// 1,000 sequential GETs (+ text) from this page, with this crate's module, the raw
// web-sys fetch module and plain JavaScript fetch; the page and the endpoint share an
// origin (the test server), so no CORS preflight is involved. Results go to
// window.results for tools/size/bench.mjs.
import initOurs, { get_text as oursGet } from './ours/size_ours.js';
import initRaw, { get_text as rawGet } from './raw/size_raw.js';

const params = new URLSearchParams(location.search);
const N = Number(params.get('n') ?? 1000);
const ROUNDS = Number(params.get('rounds') ?? 5);
const url = `${location.origin}/robots.txt`;

async function jsGet(target) {
  const response = await fetch(target);
  return response.text();
}

async function timed(get, n) {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    await get(url);
  }
  return (performance.now() - start) / n;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  await initOurs();
  await initRaw();
  const expected = await jsGet(url);
  const checks = {
    ours_text_matches: (await oursGet(url)) === expected,
    raw_text_matches: (await rawGet(url)) === expected,
  };
  // The size build has no IDNA tables: the crate's URL parser falls back on the
  // browser's URL class. Chromium resolves *.localhost to loopback.
  try {
    const echo = JSON.parse(await oursGet(`http://bücher.localhost:${location.port}/get`));
    checks.idna_fallback_url = echo.url;
    checks.idna_fallback_ok = echo.url.startsWith('http://xn--bcher-kva.localhost:');
  } catch (e) {
    checks.idna_fallback_error = String(e);
    checks.idna_fallback_ok = false;
  }
  const impls = { raw: rawGet, ours: oursGet, js: jsGet };
  for (const get of Object.values(impls)) await timed(get, 100); // warm-up
  const samples = { raw: [], ours: [], js: [] };
  const names = Object.keys(impls);
  for (let round = 0; round < ROUNDS; round++) {
    // A different order each round, so no implementation always runs first.
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) samples[name].push(await timed(impls[name], N));
  }
  const perRequestMs = Object.fromEntries(names.map((k) => [k, median(samples[k])]));
  window.results = { n: N, rounds: ROUNDS, checks, perRequestMs, samples, userAgent: navigator.userAgent };
}

main().catch((e) => {
  window.results = { error: String(e && e.stack || e) };
});
