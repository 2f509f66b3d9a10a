// httpx-wasm for Node (>= 18): reads the .wasm next to this file and instantiates it
// synchronously (Node's fetch does not read file: URLs).
import { readFileSync } from 'node:fs';
import { initSync } from './httpx_wasm.js';

initSync({ module: readFileSync(new URL('./httpx_wasm_bg.wasm', import.meta.url)) });

export * from './httpx.js';
