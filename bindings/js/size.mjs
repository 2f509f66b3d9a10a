// Prints the size of httpx-wasm's browser entry (dist/, built by build.sh: the .wasm and
// the JavaScript a page loads) next to ky and axios in one run, each as a page would
// load it: ky bundled and minified by rolldown, axios's own minified ESM build. Bytes,
// raw and gzip -9.   node size.mjs   (or: npm run size)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'rolldown';

const here = path.dirname(fileURLToPath(import.meta.url));
const manifest = (dir) => JSON.parse(fs.readFileSync(path.join(here, dir, 'package.json'), 'utf8'));
const version = (name) => manifest(name === 'httpx-wasm' ? '' : `node_modules/${name}`).version;
const gzip = (bytes) => execFileSync('gzip', ['-9', '-c'], { input: bytes }).length;
const measure = (files) => files.map((f) => fs.readFileSync(f)).reduce(
  (sum, bytes) => ({ raw: sum.raw + bytes.length, gz: sum.gz + gzip(bytes) }),
  { raw: 0, gz: 0 },
);

const dist = (f) => path.join(here, 'dist', f);
const rows = [];
const wasm = measure([dist('httpx_wasm_bg.wasm')]);
const js = measure(['httpx.js', 'httpx_wasm.js', 'web.js'].map(dist));
rows.push([`httpx-wasm ${version('httpx-wasm')}`, wasm.raw + js.raw, wasm.gz + js.gz, `.wasm ${wasm.gz} + JS ${js.gz}`]);

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'httpx-wasm-size-'));
try {
  const kyOut = path.join(scratch, 'ky.js');
  await build({
    input: path.join(here, 'node_modules/ky', manifest('node_modules/ky').exports.default),
    output: { file: kyOut, format: 'esm', minify: true },
    logLevel: 'silent',
  });
  const ky = measure([kyOut]);
  rows.push([`ky ${version('ky')}`, ky.raw, ky.gz, 'bundled + minified by rolldown']);
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
const axiosMin = path.join(here, 'node_modules/axios/dist/esm/axios.min.js');
const axios = measure([axiosMin]);
rows.push([`axios ${version('axios')}`, axios.raw, axios.gz, 'dist/esm/axios.min.js']);

console.log('| package | bytes | gzip -9 | what |');
console.log('|---|---:|---:|---|');
for (const [name, raw, gz, what] of rows) console.log(`| ${name} | ${raw} | ${gz} | ${what} |`);
const target = 80 * 1024;
const ours = rows[0][2];
console.log(`\nhttpx-wasm: ${ours} bytes gzip -9; target ≤ 80 KB (${target}): ${ours <= target ? 'met' : 'missed'}`);
