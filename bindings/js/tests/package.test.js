// `npm pack` makes a tarball that installs into a clean folder with no network and
// works there from Node: both the bare name (Node's export condition) and the explicit
// `httpx-wasm/node` entry, against the test server and through a MockTransport. The
// tarball carries only dist/ (with the .wasm, the types and the licence) and the
// package files.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'httpx-wasm-pack-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test('npm pack, install in a clean folder, import and send', () => {
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', scratch], packageDir));
  const files = packed.files.map((f) => f.path).sort();
  for (const expected of ['dist/httpx_wasm_bg.wasm', 'dist/index.d.ts', 'dist/node.js', 'dist/web.js', 'dist/LICENSE', 'package.json', 'README.md']) {
    assert.ok(files.includes(expected), `the tarball has ${expected}: ${files}`);
  }
  assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('tests/') || f.startsWith('target/')), `${files}`);

  const app = path.join(scratch, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  npm(['install', '--offline', '--no-audit', '--no-fund', path.join(scratch, packed.filename)], app);
  fs.writeFileSync(
    path.join(app, 'main.js'),
    `import { AsyncClient, MockTransport, Response, get, ConnectError } from 'httpx-wasm';
import * as explicit from 'httpx-wasm/node';
if (explicit.AsyncClient !== AsyncClient) throw new Error('two copies of the package');
const mock = new AsyncClient({ transport: new MockTransport((r) => new Response(200, { json: { url: r.url } })) });
const mocked = (await mock.get('https://example.test/x')).json();
const live = (await get(process.env.HTTPX_TEST_SERVER + '/get', { params: { from: 'tarball' } })).json();
let refused = null;
try { await get('http://127.0.0.1:1/'); } catch (e) { refused = e instanceof ConnectError; }
console.log(JSON.stringify({ mocked, args: live.args, refused }));
`,
  );
  const output = execFileSync(process.execPath, ['main.js'], { cwd: app, encoding: 'utf8', env: process.env });
  assert.deepEqual(JSON.parse(output), { mocked: { url: 'https://example.test/x' }, args: { from: 'tarball' }, refused: true });
});
