// Runs the shared suite on the package's browser entry (dist/web.js) against the origin
// that served this file (the test server); in a dedicated worker, posts the results.

import { cases } from './suite.js';

export const run = async () => {
  let httpx;
  try {
    httpx = await import('../dist/web.js');
  } catch (error) {
    return { error: `importing dist/web.js failed: ${error?.stack ?? error}` };
  }
  // ?only=REGEX runs the matching cases alone (for debugging by hand).
  const only = new URLSearchParams(location.search).get('only');
  const results = [];
  for (const [name, fn] of cases) {
    if (only && !new RegExp(only).test(name)) continue;
    const started = performance.now();
    try {
      await fn(httpx, new URLSearchParams(location.search).get('server') ?? location.origin, 'browser');
      results.push({ name, ok: true, ms: performance.now() - started });
    } catch (error) {
      results.push({ name, ok: false, ms: performance.now() - started, error: `${error?.name}: ${error?.message}\n${error?.stack ?? ''}` });
    }
  }
  return { results };
};

if (typeof WorkerGlobalScope !== 'undefined' && globalThis instanceof WorkerGlobalScope) {
  run().then((results) => postMessage(results));
}
