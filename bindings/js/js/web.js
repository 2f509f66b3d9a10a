// httpx-wasm for browsers, workers, Deno and bundlers: fetches the .wasm next to this
// file (a URL bundlers understand) and instantiates it before the module resolves.
import init from './httpx_wasm.js';

await init({ module_or_path: new URL('./httpx_wasm_bg.wasm', import.meta.url) });

export * from './httpx.js';
