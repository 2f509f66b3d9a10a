// The shared suite (tests/suite.js) in headless Chromium (Debian's, or $CHROMIUM),
// driven by playwright-core: in a page and in a dedicated worker, each loaded from the
// test server (make test-npm serves bindings/js under /static/), so the package is
// same-origin with the server it talks to. Each case is reported as a subtest.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import { cases } from './suite.js';

const base = process.env.HTTPX_TEST_SERVER;
if (!base) throw new Error('HTTPX_TEST_SERVER is not set: run through tools/with-test-server.sh (make test-npm)');

let context;
let profile;

before(async () => {
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'httpx-wasm-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await context?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

// Same-origin runs see the browser's own rules for its origin (a 401 with credentials
// on would open a login prompt); the cross-origin run (a page from localhost calling
// 127.0.0.1) goes through CORS, as most API calls from pages do.
const crossOrigin = base.replace('//127.0.0.1:', '//localhost:');
const runs = [
  ['page', `${base}/static/tests/browser.html`],
  ['dedicated worker', `${base}/static/tests/browser.html?worker`],
  ['page calling another origin', `${crossOrigin}/static/tests/browser.html?server=${encodeURIComponent(base)}`],
];

for (const [where, url] of runs) {
  describe(`in a Chromium ${where}`, () => {
    let outcome;
    const errors = [];
    before(async () => {
      const page = await context.newPage();
      page.on('pageerror', (error) => errors.push(String(error)));
      await page.goto(url);
      await page.waitForFunction(() => window.results !== undefined, null, { timeout: 300_000 });
      outcome = await page.evaluate(() => window.results);
      await page.close();
    });

    test('the suite loaded and ran', () => {
      assert.equal(outcome.error, undefined, outcome.error);
      assert.deepEqual(errors, []);
      assert.equal(outcome.results.length, cases.length);
    });

    for (const [index, [name]] of cases.entries()) {
      test(name, () => {
        const result = outcome.results?.[index];
        assert.ok(result, 'not run');
        assert.ok(result.ok, `after ${Math.round(result.ms)} ms: ${result.error}`);
      });
    }
  });
}
