// The TypeScript declarations (dist/index.d.ts, reached through the package's exports
// as a user would) type-check a usage file that touches the whole API: tsc --noEmit.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

test('tsc --noEmit accepts tests/types/usage.ts against dist/index.d.ts', () => {
  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
  const project = fileURLToPath(new URL('./types', import.meta.url));
  try {
    execFileSync(process.execPath, [tsc, '--noEmit', '-p', project], { encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    throw new Error(`tsc failed:\n${error.stdout}${error.stderr}`);
  }
});
