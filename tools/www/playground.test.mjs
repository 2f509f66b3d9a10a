// Drives the www/ playground in headless Chromium (playwright-core from tools/js) against
// the test server: fills the form, sends, and checks what the page shows. Fails on any
// failed step and on any console error the step did not expect; saves a screenshot.
//   node tools/www/playground.test.mjs [PAGE_URL] [SCREENSHOT]
// PAGE_URL defaults to $HTTPX_TEST_SERVER/static/index.html, SCREENSHOT to
// target/www/playground.png; CHROMIUM overrides /usr/bin/chromium.
// Normally run by `tools/www/serve.sh --check`, which assembles and serves the page.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { chromium } = await import(
  pathToFileURL(path.join(root, 'tools/js/node_modules/playwright-core/index.mjs')).href
);

const server = process.env.HTTPX_TEST_SERVER;
const pageUrl = process.argv[2] ?? (server && `${server}/static/index.html`);
const screenshot = path.resolve(process.argv[3] ?? path.join(root, 'target/www/playground.png'));
if (!pageUrl) {
  console.error('usage: node playground.test.mjs PAGE_URL [SCREENSHOT] (or set HTTPX_TEST_SERVER)');
  process.exit(2);
}
const origin = new URL(pageUrl).origin;

// A port nothing listens on: bound, then released.
const refusedPort = await new Promise((resolve, reject) => {
  const s = net.createServer();
  s.on('error', reject);
  s.listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

// Chromium's own lines for requests that fail on purpose: allowed in those steps only.
const failedLoad = (what) => new RegExp(`Failed to load resource: .*${what}`);

const watchdog = setTimeout(() => {
  console.error('playground: FAILED: the whole test took over 5 minutes');
  process.exit(1);
}, 300_000);

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'httpx-playground-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

const failures = [];
const consoleErrors = [];
let current = 'start';
let allowed = [];
let page;

try {
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (!allowed.some((re) => re.test(text))) consoleErrors.push(`[${current}] console error: ${text}`);
  });
  page.on('pageerror', (err) => consoleErrors.push(`[${current}] uncaught: ${err.stack ?? err}`));

  const text = (sel) => page.locator(sel).innerText();
  const url = (p) => new URL(p, origin).href;

  /** Clicks `button` (a selector) and waits until the page has an outcome. */
  const submit = async (button = '#send', timeout = 30_000) => {
    await page.evaluate(() => { document.getElementById('response').dataset.state = 'idle'; });
    await page.click(button);
    await page.waitForFunction(
      () => ['done', 'error', 'cancelled'].includes(document.getElementById('response').dataset.state),
      null,
      { timeout },
    );
    return page.evaluate(() => document.getElementById('response').dataset.state);
  };
  /** The outcome must be a response: else the error the page shows. */
  const expectDone = async (state) => {
    if (state !== 'done') {
      const error = await text('#error').catch(() => '?');
      assert.fail(`expected a response, the page shows state "${state}": ${error}`);
    }
  };
  const fillRequest = async ({ method = 'GET', target, headers = '', bodyType = 'text', body = '' }) => {
    await page.selectOption('#auth', 'none');
    await page.selectOption('#method', method);
    await page.fill('#url', target);
    await page.fill('#req-headers', headers);
    if (!['GET', 'HEAD'].includes(method)) {
      await page.selectOption('#body-type', bodyType);
      await page.fill('#req-body', body);
    }
  };

  const step = async (name, allow, fn) => {
    current = name;
    allowed = allow;
    const t0 = performance.now();
    try {
      await fn();
      console.log(`ok   ${name} (${Math.round(performance.now() - t0)} ms)`);
    } catch (err) {
      failures.push(`${name}: ${err.message}`);
      console.error(`FAIL ${name}: ${err.message}`);
      const shot = screenshot.replace(/\.png$/, `-failed-${failures.length}.png`);
      await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
      console.error(`     screenshot: ${shot}`);
    }
  };

  await step('load the page and the package', [], async () => {
    await page.goto(pageUrl);
    await page.waitForFunction(() => document.documentElement.dataset.ready !== undefined);
    const ready = await page.evaluate(() => document.documentElement.dataset.ready);
    assert.equal(ready, 'true', `the package did not load: ${await text('#error')}`);
    assert.equal(await page.inputValue('#url'), url('/get?hello=world'));
  });
  if (failures.length) throw new Error('the page did not load: no further steps');

  await step('GET the default URL', [], async () => {
    await expectDone(await submit());
    assert.match(await text('#status'), /^200 OK/);
    assert.match(await text('#body'), /"hello": "world"/);
    assert.equal(await text('#version'), 'HTTP/1.1 (fetch does not tell the version)');
    assert.match(await text('#timing'), /^\d+(\.\d)? ms \(response\.elapsed\)/);
    assert.equal(await text('#redirects'), 'None');
  });

  await step('GET /json from the form', [], async () => {
    await fillRequest({ target: url('/json') });
    await expectDone(await submit());
    assert.match(await text('#status'), /^200 OK/);
    assert.match(await text('#body'), /slideshow/);
    assert.equal(await page.getAttribute('#body', 'class'), 'json', 'the JSON is pretty-printed');
    assert.match(await text('#headers'), /content-type\s+application\/json/);
    assert.equal(await text('#final-url'), url('/json'));
  });

  await step('preset "JSON GET"', [], async () => {
    await expectDone(await submit('[data-preset="json"]'));
    assert.equal(await page.inputValue('#url'), url('/json'));
    assert.match(await text('#body'), /"title": "Sample Slide Show"/);
  });

  await step('POST JSON to /post from the form', [], async () => {
    const sent = { hello: 'playground', n: 42, list: [true, null] };
    await fillRequest({
      method: 'POST', target: url('/post'), headers: 'X-Playground: yes', bodyType: 'json',
      body: JSON.stringify(sent),
    });
    await expectDone(await submit());
    assert.match(await text('#status'), /^200 OK/);
    const echo = JSON.parse(await text('#body'));
    assert.deepEqual(echo.json, sent);
    assert.equal(echo.method, 'POST');
    assert.equal(echo.headers['content-type'], 'application/json');
    assert.equal(echo.headers['x-playground'], 'yes');
  });

  await step('POST a urlencoded form', [], async () => {
    await fillRequest({ method: 'POST', target: url('/post'), bodyType: 'form', body: 'a=1\nb=two words' });
    await expectDone(await submit());
    const echo = JSON.parse(await text('#body'));
    assert.deepEqual(echo.form, { a: '1', b: 'two words' });
  });

  await step('preset "Digest auth"', [failedLoad('401')], async () => {
    await expectDone(await submit('[data-preset="digest"]'));
    assert.equal(await page.inputValue('#auth'), 'digest');
    assert.equal(await page.inputValue('#auth-user'), 'user');
    assert.match(await text('#status'), /^200 OK/);
    assert.match(await text('#body'), /"authenticated": true/);
    assert.match(await text('#redirects'), /401 Unauthorized/, 'the challenge is in the history');
  });

  await step('Basic auth with a wrong password: 401, no browser prompt', [failedLoad('401')], async () => {
    await fillRequest({ target: url('/basic-auth/user/passwd') });
    await page.selectOption('#auth', 'basic');
    await page.fill('#auth-user', 'user');
    await page.fill('#auth-pass', 'wrong');
    await expectDone(await submit());
    assert.match(await text('#status'), /^401 Unauthorized/);
    assert.match(await text('#headers'), /www-authenticate\s+Basic realm="Fake Realm"/);
  });

  await step('preset "Large download" (5,000,000 bytes streamed)', [], async () => {
    await page.evaluate(() => {
      // Record whether the bar was ever determinate while the body streamed.
      const bar = document.getElementById('progress');
      window.progressSeen = { determinate: false, updates: 0 };
      new MutationObserver(() => {
        window.progressSeen.updates += 1;
        if (bar.hasAttribute('value') && bar.max > 1 && bar.value < bar.max) window.progressSeen.determinate = true;
      }).observe(bar, { attributes: true });
    });
    await expectDone(await submit('[data-preset="large"]', 120_000));
    assert.equal(await page.inputValue('#url'), url('/bytes/5000000'));
    const bar = await page.evaluate(() => {
      const p = document.getElementById('progress');
      return { value: p.value, max: p.max, position: p.position };
    });
    assert.equal(bar.value, bar.max, `the progress bar is full (${JSON.stringify(bar)})`);
    assert.equal(bar.position, 1);
    assert.match(await text('#received'), /^5,000,000 bytes/);
    assert.match(await text('#body'), /5,000,000 bytes .*not shown/);
    const seen = await page.evaluate(() => window.progressSeen);
    console.log(`     progress bar: ${seen.updates} updates, ` +
      (seen.determinate ? 'determinate (Content-Length known)' : 'indeterminate while streaming (no Content-Length in response.headers)'));
  });

  await step('preset "Redirect chain"', [], async () => {
    await expectDone(await submit('[data-preset="redirect"]'));
    assert.match(await text('#status'), /^200 OK/);
    assert.equal(await text('#final-url'), url('/get'));
    assert.match(await text('#redirects'), /fetch followed the redirects itself/);
  });

  await step('a redirect not followed', [], async () => {
    await fillRequest({ target: url('/redirect/1') });
    await page.uncheck('#follow');
    const state = await submit();
    await page.check('#follow');
    await expectDone(state);
    assert.match(await text('#status'), /opaque redirect/);
    assert.match(await text('#redirects'), /not followed/);
  });

  await step('preset "Slow body" (streams in chunks)', [], async () => {
    await page.click('[data-preset="slow"]');
    // The first chunk shows while the rest is still coming.
    await page.waitForFunction(() => /chunk 0/.test(document.getElementById('body').textContent));
    const early = await page.evaluate(() => document.getElementById('response').dataset.state);
    assert.equal(early, 'running', 'chunk 0 showed before the body ended');
    await page.waitForFunction(() => document.getElementById('response').dataset.state !== 'running');
    await expectDone(await page.evaluate(() => document.getElementById('response').dataset.state));
    assert.match(await text('#body'), /chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4/);
    const elapsed = Number((await text('#timing')).split(' ')[0]);
    assert.ok(elapsed >= 700, `elapsed ${elapsed} ms covers the 5 chunks 200 ms apart`);
  });

  await step('cancel a streaming body', [], async () => {
    await fillRequest({ target: url('/slow-body?chunks=20&interval_ms=150') });
    await page.evaluate(() => { document.getElementById('response').dataset.state = 'idle'; });
    await page.click('#send');
    await page.waitForFunction(() => /chunk 1/.test(document.getElementById('body').textContent));
    await page.click('#cancel');
    await page.waitForFunction(() => document.getElementById('response').dataset.state !== 'running');
    assert.equal(await page.evaluate(() => document.getElementById('response').dataset.state), 'cancelled');
    assert.match(await text('#received'), /cancelled$/);
    assert.doesNotMatch(await text('#body'), /chunk 19/);
    assert.equal(await page.isHidden('#cancel'), true);
  });

  await step('preset "404" raises HTTPStatusError', [failedLoad('404')], async () => {
    assert.equal(await submit('[data-preset="notfound"]'), 'error');
    assert.match(await text('#status'), /^404 Not Found/);
    assert.equal(await text('#error-name'), 'HTTPStatusError');
    assert.match(await text('#error-message'), /Client error '404 Not Found'/);
  });

  await step('a body that stalls: ReadTimeout', [], async () => {
    await fillRequest({ target: url('/slow-body?chunks=3&interval_ms=3000') });
    await page.fill('#timeout', '500');
    const state = await submit();
    await page.fill('#timeout', '5000');
    assert.equal(state, 'error');
    assert.equal(await text('#error-name'), 'ReadTimeout');
    assert.match(await text('#status'), /^200/);
  });

  await step(`a refused port: ConnectError (http://127.0.0.1:${refusedPort}/)`, [failedLoad('ERR_CONNECTION_REFUSED')], async () => {
    await fillRequest({ target: `http://127.0.0.1:${refusedPort}/` });
    assert.equal(await submit(), 'error');
    assert.equal(await text('#error-name'), 'ConnectError');
    assert.notEqual(await text('#error-message'), '');
    assert.match(await text('#timing'), /^failed after/);
  });

  await step('invalid JSON in the form', [], async () => {
    await fillRequest({ method: 'POST', target: url('/post'), bodyType: 'json', body: '{oops' });
    assert.equal(await submit(), 'error');
    assert.equal(await text('#error-name'), 'InputError');
  });

  await step('preset "POST JSON", then the screenshot', [], async () => {
    await expectDone(await submit('[data-preset="post"]'));
    assert.match(await text('#status'), /^200 OK/);
    assert.match(await text('#body'), /"client": "httpx-wasm"/);
    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`     screenshot: ${screenshot}`);
  });
} catch (err) {
  failures.push(`${current}: ${err.message}`);
} finally {
  await context.close().catch(() => {});
  fs.rmSync(profile, { recursive: true, force: true });
  clearTimeout(watchdog);
}

const problems = [...failures, ...consoleErrors];
if (problems.length) {
  console.error(`\nplayground: FAILED (${failures.length} failed steps, ${consoleErrors.length} unexpected console errors)`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log('\nplayground: all steps passed, no console errors');
