// The package's test suite, shared by Node (tests/node.test.js) and Chromium
// (tests/browser.test.js runs it in a page and in a dedicated worker). Each case is
// `[name, async (httpx, base, host) => {...}]`: `httpx` is the package, `base` the test
// server's URL (http://127.0.0.1:PORT), `host` "node" or "browser".

import { deepEqual, equal, match, ok, rejects } from './assert.js';

const text = (bytes) => new TextDecoder().decode(bytes);

export const cases = [];
const test = (name, fn) => cases.push([name, fn]);

/** A table of tests/vectors/ (shared with the Rust crate's tests/js_vectors.rs): read
 * from disk in Node, fetched from the test server (which serves this folder) in a
 * browser. */
const vectors = async (name) => {
  const url = new URL(`./vectors/${name}`, import.meta.url);
  if (url.protocol === 'file:') {
    const { readFileSync } = await import('node:fs');
    return JSON.parse(readFileSync(url, 'utf8'));
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
};

// ---------------------------------------------------------------------------------
// Requests and responses

test('GET with client and request params, headers and httpx-style Headers', async (httpx, base) => {
  const client = new httpx.AsyncClient({ baseUrl: base, params: { a: '1' }, headers: { 'X-Client': 'c' } });
  const response = await client.get('/get', { params: { b: [2, 3] }, headers: [['X-Req', 'r']] });
  equal(response.status, 200);
  equal(response.reasonPhrase, 'OK');
  equal(response.url, `${base}/get?a=1&b=2&b=3`);
  const echo = response.json();
  deepEqual(echo.args, { a: '1', b: ['2', '3'] });
  equal(echo.headers['x-client'], 'c');
  equal(echo.headers['x-req'], 'r');
  equal(response.headers.get('Content-Type'), 'application/json');
  ok(response.headers.has('CONTENT-TYPE'), 'headers are case-insensitive');
  equal(response.request.method, 'GET');
  ok(response.isSuccess && !response.isError && !response.isRedirect);
  ok(response.elapsed >= 0, 'elapsed is set once the body is read');
  equal(String(response), '<Response [200 OK]>');
  await client.close();
});

test('Headers: multi-valued, ordered, case-insensitive', async (httpx) => {
  const headers = new httpx.Headers([['Set-Thing', 'a'], ['set-thing', 'b'], ['Other', 'x']]);
  equal(headers.get('SET-THING'), 'a, b');
  deepEqual(headers.getList('set-thing'), ['a', 'b']);
  headers.set('Other', 'y');
  deepEqual(headers.multiItems(), [['set-thing', 'a'], ['set-thing', 'b'], ['other', 'y']]);
  equal(headers.size, 2);
  ok(headers.delete('set-thing') && !headers.has('Set-Thing'));
  deepEqual(new httpx.Headers({ a: ['1', '2'] }).getList('a'), ['1', '2']);
});

test('POST bodies: text, bytes, JSON, form, multipart files, a stream', async (httpx, base) => {
  const client = new httpx.AsyncClient({ baseUrl: base });
  let echo = (await client.post('/post', { content: 'plain text' })).json();
  equal(echo.data, 'plain text');
  echo = (await client.post('/post', { content: new Uint8Array([0, 255, 1]) })).json();
  ok(echo.data_base64, 'binary bodies are echoed as base64');
  equal(echo.body_length, 3);
  echo = (await client.post('/post', { json: { x: [1, 2], s: 'é' } })).json();
  deepEqual(echo.json, { x: [1, 2], s: 'é' });
  equal(echo.headers['content-type'], 'application/json');
  echo = (await client.put('/put', { data: { name: 'a b', many: ['1', '2'] } })).json();
  deepEqual(echo.form, { name: 'a b', many: ['1', '2'] });
  equal(echo.headers['content-type'], 'application/x-www-form-urlencoded');
  echo = (
    await client.post('/post', {
      data: { field: 'value' },
      files: { upload: ['report.txt', 'file body', 'text/plain'], raw: new Uint8Array([104, 105]) },
    })
  ).json();
  deepEqual(echo.form, { field: 'value' });
  equal(echo.files.upload.filename, 'report.txt');
  equal(echo.files.upload.content, 'file body');
  equal(echo.files.upload.content_type, 'text/plain');
  equal(echo.files.raw.content, 'hi');
  match(echo.headers['content-type'], /^multipart\/form-data; boundary=/);
  async function* chunks() {
    yield 'streamed ';
    yield new TextEncoder().encode('body');
  }
  echo = (await client.patch('/patch', { content: chunks() })).json();
  equal(echo.data, 'streamed body');
  await client.close();
});

test('every method helper, and top-level helpers', async (httpx, base) => {
  const client = new httpx.AsyncClient({ baseUrl: base });
  for (const method of ['get', 'post', 'put', 'patch', 'delete', 'options']) {
    const response = await client[method]('/anything');
    equal(response.status, 200, method);
    if (method !== 'options') equal(response.json().method, method.toUpperCase());
  }
  const head = await client.head('/get');
  equal(head.status, 200);
  equal(head.bytes().length, 0);
  equal((await client.request('PROPFIND', '/anything')).json().method, 'PROPFIND');
  await client.close();
  equal((await httpx.get(`${base}/get`, { params: { q: 'top' } })).json().args.q, 'top');
  equal((await httpx.post(`${base}/post`, { json: [1] })).json().json[0], 1);
  equal((await httpx.delete(`${base}/delete`)).status, 200);
});

test('response text, JSON, bytes, charsets and defaultEncoding', async (httpx, base) => {
  const client = new httpx.AsyncClient({ baseUrl: base });
  const latin = await client.get('/charset/iso-8859-1', { params: { text: 'café' } });
  equal(latin.encoding, 'windows-1252');
  equal(latin.text(), 'café');
  equal(latin.bytes().length, 4);
  const bare = await client.get('/charset/iso-8859-1', { params: { text: 'café', no_charset: 1 } });
  equal(bare.encoding, 'utf-8');
  const fallback = new httpx.AsyncClient({ baseUrl: base, defaultEncoding: 'latin1' });
  equal((await fallback.get('/charset/iso-8859-1', { params: { text: 'café', no_charset: 1 } })).text(), 'café');
  equal((await client.get('/json')).json().slideshow.title, 'Sample Slide Show');
  const html = await client.get('/encoding/utf8');
  match(html.text(), /∮ E⋅da = Q/);
  await client.close();
  await fallback.close();
});

test('raiseForStatus returns the response or throws HTTPStatusError with request and response', async (httpx, base) => {
  const client = new httpx.AsyncClient({ baseUrl: base });
  const fine = await client.get('/get');
  equal(fine.raiseForStatus(), fine);
  const missing = await client.get('/status/404');
  ok(missing.isClientError && missing.isError);
  const error = await rejects(() => missing.raiseForStatus(), httpx.HTTPStatusError);
  ok(error instanceof httpx.HTTPError && !(error instanceof httpx.RequestError));
  equal(error.response, missing);
  equal(error.request.url, `${base}/status/404`);
  match(error.message, /^Client error '404 Not Found' for url '.*\/status\/404'/);
  equal(error.name, 'HTTPStatusError');
  const server = await client.get('/status/503');
  ok(server.isServerError);
  await rejects(() => server.raiseForStatus(), httpx.HTTPStatusError);
  await client.close();
});

test('raiseForStatus: the core decides and words it; the URL loses its credentials', async (httpx) => {
  const at = (status, url, options = {}) =>
    new httpx.Response(status, { request: new httpx.Request('GET', url), ...options });
  const secret = at(404, 'https://user:secret@example.org/x?q=1');
  const error = await rejects(() => secret.raiseForStatus(), httpx.HTTPStatusError);
  equal(
    error.message,
    "Client error '404 Not Found' for url 'https://example.org/x?q=1'\n" +
      'For more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/404',
  );
  ok(!error.message.includes('secret'), 'no password in the message');
  equal(error.response, secret);
  const moved = at(301, 'https://a:b@example.org/old', { headers: { Location: '/new' }, reasonPhrase: 'Gone Away' });
  equal(
    (await rejects(() => moved.raiseForStatus(), httpx.HTTPStatusError)).message,
    "Redirect response '301 Gone Away' for url 'https://example.org/old'\nRedirect location: '/new'\n" +
      'For more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/301',
  );
  match((await rejects(() => at(100, 'https://e.test/').raiseForStatus(), httpx.HTTPStatusError)).message, /^Informational response '100 Continue'/);
  match((await rejects(() => at(502, 'https://e.test/').raiseForStatus(), httpx.HTTPStatusError)).message, /^Server error '502 Bad Gateway'/);
  match((await rejects(() => at(999, 'https://e.test/').raiseForStatus(), httpx.HTTPStatusError)).message, /^Invalid status code '999 '/);
  for (const status of [200, 204, 299]) {
    const fine = at(status, 'https://u:p@e.test/');
    equal(fine.raiseForStatus(), fine, String(status));
  }
  await rejects(() => new httpx.Response(404).raiseForStatus(), httpx.InvalidState);
});

test('json() reads UTF-8, UTF-16 and UTF-32 (which TextDecoder lacks), with or without a BOM', async (httpx) => {
  const doc = '{"a":"é€𝄞"}';
  const codes = [...doc].map((c) => c.codePointAt(0));
  const utf16 = (be) => [...doc].flatMap((c) => [...c].length && c.split('').map((u) => u.charCodeAt(0)))
    .flatMap((u) => (be ? [u >> 8, u & 255] : [u & 255, u >> 8]));
  const utf32 = (be) => codes.flatMap((c) => {
    const b = [(c >>> 24) & 255, (c >>> 16) & 255, (c >>> 8) & 255, c & 255];
    return be ? b : b.reverse();
  });
  const bodies = {
    'UTF-8': [...new TextEncoder().encode(doc)],
    'UTF-8 BOM': [0xef, 0xbb, 0xbf, ...new TextEncoder().encode(doc)],
    'UTF-16BE': utf16(true),
    'UTF-16LE': utf16(false),
    'UTF-16BE BOM': [0xfe, 0xff, ...utf16(true)],
    'UTF-16LE BOM': [0xff, 0xfe, ...utf16(false)],
    'UTF-32BE': utf32(true),
    'UTF-32LE': utf32(false),
    'UTF-32BE BOM': [0, 0, 0xfe, 0xff, ...utf32(true)],
    'UTF-32LE BOM': [0xff, 0xfe, 0, 0, ...utf32(false)],
  };
  for (const [what, bytes] of Object.entries(bodies)) {
    const response = new httpx.Response(200, { content: new Uint8Array(bytes), headers: { 'Content-Type': 'application/json' } });
    deepEqual(response.json(), { a: 'é€𝄞' }, what);
  }
  const short = new httpx.Response(200, { content: new Uint8Array([0x31, 0, 0, 0]) });
  equal(short.json(), 1, 'a UTF-32LE number');
  const invalid = await rejects(() => new httpx.Response(200, { content: '{"a":' }).json(), httpx.DecodingError);
  match(invalid.message, /Invalid JSON/);
  await rejects(() => new httpx.Response(200, { content: new Uint8Array([0x22, 0xff, 0x22]) }).json(), httpx.DecodingError, 'not UTF-8');
});

test('json(): the shared vectors (tests/vectors/json.json, also run against the Rust crate)', async (httpx) => {
  const cases = await vectors('json.json');
  ok(cases.length > 0);
  for (const { name, hex, contentType, value, error } of cases) {
    const content = new Uint8Array(hex.match(/../g)?.map((h) => parseInt(h, 16)) ?? []);
    const response = new httpx.Response(200, { content, headers: contentType ? { 'Content-Type': contentType } : {} });
    if (error) await rejects(() => response.json(), httpx.DecodingError, name);
    else deepEqual(response.json(), value, name);
  }
});

test('links: the shared vectors (tests/vectors/links.json, also run against the Rust crate)', async (httpx) => {
  const cases = await vectors('links.json');
  ok(cases.length > 0);
  for (const { name, header, links } of cases) {
    const response = new httpx.Response(200, { headers: { Link: header } });
    deepEqual(response.links, links, name);
    deepEqual(Object.keys(response.links), Object.keys(links), `${name}: in header order`);
  }
  deepEqual(new httpx.Response(200).links, {});
});

test('Headers: the shared vectors (tests/vectors/headers.json, also run against the Rust crate)', async (httpx) => {
  const cases = await vectors('headers.json');
  ok(cases.length > 0);
  for (const { name, init, ops, expect } of cases) {
    const headers = new httpx.Headers(init);
    for (const [op, ...args] of ops) {
      if (op === 'set') headers.set(args[0], args[1]);
      else if (op === 'append') headers.append(args[0], args[1]);
      else if (op === 'setDefault') headers.setDefault(args[0], args[1]);
      else if (op === 'delete') equal(headers.delete(args[0]), args[1], `${name}: delete ${args[0]}`);
      else if (op === 'update') headers.update(args[0]);
      else throw new Error(`${name}: unknown operation ${op}`);
    }
    if (expect.raw) deepEqual(headers.raw, expect.raw, `${name}: raw`);
    if (expect.multiItems) deepEqual(headers.multiItems(), expect.multiItems, `${name}: multiItems`);
    if (expect.keys) deepEqual(headers.keys(), expect.keys, `${name}: keys`);
    if (expect.items) deepEqual(headers.items(), expect.items, `${name}: items`);
    if (expect.size !== undefined) equal(headers.size, expect.size, `${name}: size`);
    for (const [key, value] of expect.get ?? []) equal(headers.get(key), value, `${name}: get(${key})`);
    for (const [key, split, values] of expect.getList ?? []) {
      deepEqual(headers.getList(key, split), values, `${name}: getList(${key}, ${split})`);
    }
  }
});

test('iterLines: the shared vectors (tests/vectors/lines.json, also run against the Rust crate)', async (httpx) => {
  const cases = await vectors('lines.json');
  ok(cases.length > 0);
  for (const { name, chunks, lines } of cases) {
    const response = new httpx.Response(200, { content: chunks, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
    const got = [];
    for await (const line of response.iterLines()) got.push(line);
    deepEqual(got, lines, name);
  }
});

test('the exception classes are the core\'s ErrorKind tree', async (httpx) => {
  // The same module instance the package uses (initialised by its entry).
  const { errorKinds } = await import('../dist/httpx_wasm.js');
  const kinds = errorKinds();
  ok(kinds.length >= 23, 'every kind');
  const middle = new Set();
  for (const [name, parents] of kinds) {
    const cls = httpx[name];
    ok(typeof cls === 'function', `httpx.${name} is exported`);
    equal(cls.prototype.name, name, `${name}: its name`);
    const chain = [];
    for (let p = Object.getPrototypeOf(cls); p !== Error; p = Object.getPrototypeOf(p)) {
      ok(p && p !== Function.prototype, `${name} extends Error`);
      chain.push(p.prototype.name);
    }
    deepEqual(chain, parents, `${name}: its parent classes, nearest first`);
    for (const parent of parents) middle.add(parent);
  }
  // Every exception class the package exports is a kind or one of the middle classes.
  const names = new Set([...kinds.map(([name]) => name), ...middle]);
  for (const [name, value] of Object.entries(httpx)) {
    if (typeof value === 'function' && value.prototype instanceof Error) ok(names.has(name), `${name} is in the core's tree`);
  }
  deepEqual([...middle].sort(), ['HTTPError', 'NetworkError', 'ProtocolError', 'RequestError', 'StreamError', 'TimeoutException', 'TransportError']);
  // The core's own errors come out as these classes (an invalid URL, from the core's
  // raise_for_status).
  const bad = new httpx.Response(404, { request: new httpx.Request('GET', 'not a url') });
  const error = await rejects(() => bad.raiseForStatus(), httpx.InvalidURL);
  ok(!(error instanceof httpx.HTTPError));
});

test('links and reason phrases', async (httpx, base) => {
  const response = await httpx.get(`${base}/links`, { params: { page: 2 } });
  ok(response.links.next, 'a next link');
  match(response.links.next.url, /page=3/);
  equal((await httpx.get(`${base}/status/418`)).reasonPhrase, "I'm a teapot");
});

// ---------------------------------------------------------------------------------
// Streaming

test('stream(): iterBytes yields chunks as they arrive, then the body is consumed', async (httpx, base) => {
  const client = new httpx.AsyncClient({ baseUrl: base });
  const response = await client.stream('GET', '/stream-bytes/200000', { params: { chunk_size: 10000 } });
  ok(!response.isStreamConsumed);
  await rejects(async () => response.bytes(), httpx.ResponseNotRead);
  let total = 0;
  let count = 0;
  for await (const chunk of response.iterBytes()) {
    ok(chunk instanceof Uint8Array);
    total += chunk.length;
    count += 1;
  }
  equal(total, 200000);
  ok(count >= 1);
  ok(response.isClosed && response.isStreamConsumed);
  ok(response.elapsed >= 0);
  await rejects(async () => {
    for await (const _ of response.iterBytes()) {
      // consumed
    }
  }, httpx.StreamConsumed);
  // The first chunk comes as soon as the server sends it, not with the whole body.
  const slow = await client.stream('GET', '/slow-body', { params: { chunks: 3, interval_ms: 400 } });
  const started = Date.now();
  const arrivals = [];
  for await (const chunk of slow.iterBytes()) arrivals.push([Date.now() - started, text(chunk)]);
  const spread = arrivals.at(-1)[0] - arrivals[0][0];
  ok(spread >= 600, `chunks at ${arrivals.map(([ms]) => ms)} ms: the first waited for the rest`);
  equal(arrivals.map(([, t]) => t).join(''), 'chunk 0\nchunk 1\nchunk 2\n');
  await client.close();
});

test('stream(): iterBytes(chunkSize), iterText, iterLines, read, close', async (httpx, base) => {
  const client = new httpx.AsyncClient({ baseUrl: base });
  let response = await client.stream('GET', '/bytes/1000');
  const sizes = [];
  for await (const chunk of response.iterBytes(300)) sizes.push(chunk.length);
  deepEqual(sizes, [300, 300, 300, 100]);
  response = await client.stream('GET', '/stream/5');
  const lines = [];
  for await (const line of response.iterLines()) lines.push(JSON.parse(line).id);
  deepEqual(lines, [0, 1, 2, 3, 4]);
  response = await client.stream('GET', '/slow-body', { params: { chunks: 3, interval_ms: 10 } });
  let all = '';
  for await (const piece of response.iterText()) all += piece;
  equal(all, 'chunk 0\nchunk 1\nchunk 2\n');
  response = await client.stream('GET', '/json');
  equal(JSON.parse(text(await response.read())).slideshow.author, 'Yours Truly');
  equal(response.json().slideshow.author, 'Yours Truly');
  response = await client.stream('GET', '/large/64');
  for await (const _ of response.iterBytes()) break;
  ok(response.isClosed, 'leaving the loop early closes the response');
  response = await client.stream('GET', '/large/64');
  await response.close();
  await rejects(async () => {
    for await (const _ of response.iterBytes()) {
      // closed
    }
  }, httpx.StreamClosed);
  await client.close();
});

// ---------------------------------------------------------------------------------
// Redirects

test('redirects followed: final URL, and history where the host shows it', async (httpx, base, host) => {
  const client = new httpx.AsyncClient({ baseUrl: base, followRedirects: true });
  const response = await client.get('/redirect/3');
  equal(response.status, 200);
  equal(response.url, `${base}/get`);
  equal(response.json().url, `${base}/get`);
  // fetch follows redirects itself: the hops are not visible to the client.
  equal(response.history.length, 0, host);
  await client.close();
});

test('followRedirects false is honoured, not silently ignored', async (httpx, base, host) => {
  const client = new httpx.AsyncClient({ baseUrl: base });
  const response = await client.get('/redirect/1');
  ok(response.isRedirect);
  if (host === 'browser') {
    // The browser hides the redirect: an opaque redirect, status 0, no Location.
    ok(response.isOpaqueRedirect);
    equal(response.status, 0);
    equal(response.headers.get('location'), null);
  } else {
    equal(response.status, 302);
    equal(response.headers.get('location'), '/get');
    ok(response.hasRedirectLocation);
  }
  await client.close();
  const capped = new httpx.AsyncClient({ baseUrl: base, followRedirects: true, maxRedirects: 5 });
  const refused = await rejects(() => capped.get('/get'), httpx.LocalProtocolError, "a cap below the host's 20");
  match(refused.message, /max_redirects=5 cannot be enforced by fetch/);
});

test('a redirect loop is TooManyRedirects', async (httpx, base, host) => {
  const client = new httpx.AsyncClient({ baseUrl: base, followRedirects: true });
  if (host === 'node') {
    // undici names the cause ("redirect count exceeded").
    const error = await rejects(() => client.get('/redirect-loop'), httpx.TooManyRedirects);
    match(error.message, /redirects/);
  } else {
    // Browsers reject a redirect loop with the same opaque TypeError as a refused
    // connection, so it can only be a ConnectError.
    const error = await rejects(() => client.get('/redirect-loop'), httpx.ConnectError);
    equal(error.name, 'ConnectError');
  }
  await client.close();
});

// ---------------------------------------------------------------------------------
// Errors and timeouts

test('a refused connection is ConnectError, nested like httpx', async (httpx) => {
  const error = await rejects(() => httpx.get('http://127.0.0.1:1/'), httpx.ConnectError);
  for (const cls of [httpx.NetworkError, httpx.TransportError, httpx.RequestError, httpx.HTTPError, Error]) {
    ok(error instanceof cls, `ConnectError is a ${cls.name}`);
  }
  ok(!(error instanceof httpx.TimeoutException));
  equal(error.name, 'ConnectError');
  equal(error.request.method, 'GET');
  equal(error.request.url, 'http://127.0.0.1:1/');
  // Each part of the message once (undici's "fetch failed" is not repeated).
  equal(error.message.split('fetch failed').length, 2, error.message);
});

test('timeouts: time to headers, between body chunks, total', async (httpx, base) => {
  const client = new httpx.AsyncClient({ baseUrl: base });
  let error = await rejects(() => client.get('/delay/2', { timeout: 300 }), httpx.TimeoutException);
  ok(error instanceof httpx.ConnectTimeout, `waiting for headers: ${error.name}`);
  ok(error instanceof httpx.TransportError && error instanceof httpx.HTTPError);
  error = await rejects(
    () => client.get('/slow-body', { params: { chunks: 3, interval_ms: 1500 }, timeout: { connect: 2000, read: 300 } }),
    httpx.ReadTimeout,
  );
  ok(error instanceof httpx.TimeoutException);
  error = await rejects(
    () => client.get('/slow-body', { params: { chunks: 6, interval_ms: 200 }, timeout: new httpx.Timeout(5000, { total: 500 }) }),
    httpx.TotalTimeout,
  );
  equal(error.name, 'TotalTimeout');
  equal((await client.get('/delay/0.1', { timeout: null })).status, 200);
  await client.close();
});

test('invalid URLs and forbidden headers fail before any I/O', async (httpx, base, host) => {
  const client = new httpx.AsyncClient();
  const bad = await rejects(() => client.get('http://example.org:99999/'), httpx.InvalidURL);
  match(bad.message, /port/i);
  if (host === 'node') {
    await rejects(() => client.get('/relative'), httpx.UnsupportedProtocol, 'as httpx: no base URL, no scheme');
  } else {
    // In a page or a worker, the base URL defaults to the document's origin.
    equal((await client.get('/get')).url, `${location.origin}/get`);
  }
  const injected = await rejects(() => client.get(`${base}/get`, { headers: { 'X-Bad': 'a\r\nInjected: 1' } }), httpx.LocalProtocolError);
  match(injected.message, /X-Bad.*CR/i);
  const forbidden = await rejects(() => client.get(`${base}/get`, { headers: { Cookie: 'a=b' } }), httpx.LocalProtocolError);
  match(forbidden.message, /cookie/i);
  const typo = await rejects(() => client.get(`${base}/get`, { follow_redirects: true }), TypeError);
  match(typo.message, /unknown request option "follow_redirects" \(did you mean "followRedirects"\?\)/);
  await rejects(async () => new httpx.AsyncClient({ base_url: base }), TypeError, 'client options are checked too');
  for (const options of [{ params: 5 }, { headers: 'X-A: 1' }, { timeout: 'soon' }, { timeout: -1 }, { auth: 5 }]) {
    await rejects(() => client.get(`${base}/get`, options), TypeError, JSON.stringify(options));
  }
  await client.close();
  await rejects(() => client.get(`${base}/get`), httpx.InvalidState, 'a closed client refuses requests');
  ok(client.isClosed);
});

// ---------------------------------------------------------------------------------
// Auth

test('Basic auth: a tuple, BasicAuth, URL userinfo, none per request', async (httpx, base) => {
  const client = new httpx.AsyncClient({ baseUrl: base, auth: ['user', 'pass'] });
  equal((await client.get('/basic-auth/user/pass')).json().user, 'user');
  equal((await client.get('/basic-auth/u2/p2', { auth: new httpx.BasicAuth('u2', 'p2') })).status, 200);
  // Without auth, a browser answers a same-origin challenge with its login prompt
  // unless credentials are off.
  equal((await client.get('/basic-auth/user/pass', { auth: null, credentials: 'omit' })).status, 401);
  await client.close();
  const userinfo = `${base.replace('://', '://user:pass@')}/basic-auth/user/pass`;
  equal((await httpx.get(userinfo)).status, 200);
});

test('Digest auth in every algorithm, qop auth and auth-int, stale nonces', async (httpx, base) => {
  const client = new httpx.AsyncClient({ baseUrl: base, auth: new httpx.DigestAuth('user', 'passwd') });
  for (const algorithm of ['MD5', 'MD5-sess', 'SHA', 'SHA-256', 'SHA-256-sess', 'SHA-512-256', 'SHA-512']) {
    const response = await client.get(`/digest-auth/auth/user/passwd/${algorithm}`);
    equal(response.status, 200, algorithm);
    deepEqual(response.json(), { authenticated: true, user: 'user' });
  }
  const int = await client.post('/digest-auth/auth-int/user/passwd/SHA-256', { content: 'hashed body' });
  equal(int.status, 200, 'auth-int');
  equal((await client.get('/digest-auth/none/user/passwd')).status, 200, 'RFC 2069');
  equal((await client.get('/digest-auth/auth/user/passwd/MD5', { params: { userhash: 1 } })).status, 200, 'userhash');
  const stale = new httpx.AsyncClient({ baseUrl: base, auth: new httpx.DigestAuth('user', 'passwd') });
  for (let i = 0; i < 3; i += 1) {
    equal((await stale.get('/digest-auth/auth/user/passwd/MD5/1')).status, 200, `stale round ${i}`);
  }
  const wrong = await httpx.get(`${base}/digest-auth/auth/user/passwd`, { auth: new httpx.DigestAuth('user', 'nope') });
  equal(wrong.status, 401);
  await client.close();
  await stale.close();
});

test('a JS generator auth flow sees the response and retries', async (httpx, base) => {
  const seen = [];
  class TokenAuth extends httpx.Auth {
    *authFlow(request) {
      request.headers.set('Authorization', 'Bearer expired');
      const response = yield request;
      seen.push(response.status, response.headers.get('www-authenticate'));
      if (response.status === 401) {
        request.headers.set('Authorization', 'Bearer fresh');
        yield request;
      }
    }
  }
  const client = new httpx.AsyncClient({ baseUrl: base, auth: new TokenAuth() });
  const response = await client.get('/bearer');
  equal(response.status, 200);
  equal(response.json().token, 'expired');
  deepEqual(seen, [200, null]);
  const refused = await client.get('/basic-auth/a/b');
  equal(refused.status, 401, 'the retry with the fresh token is refused too');
  equal(refused.history.length, 1, 'the first 401 is in the history');
  equal(refused.request.headers.get('authorization'), 'Bearer fresh');
  await client.close();
});

test('an async generator flow does I/O: token refresh; requiresResponseBody', async (httpx, base) => {
  class RefreshAuth extends httpx.Auth {
    constructor() {
      super();
      this.token = 'stale';
      this.refreshes = 0;
    }
    async *authFlow(request) {
      request.headers.set('Authorization', `Bearer ${this.token}`);
      const response = yield request;
      if (response.json().token === 'stale') {
        // A real flow would ask a token endpoint; this one asks the test server.
        const issued = await httpx.get(`${base}/anything`, { params: { token: 'fresh' } });
        this.token = issued.json().args.token;
        this.refreshes += 1;
        request.headers.set('Authorization', `Bearer ${this.token}`);
        yield request;
      }
    }
  }
  RefreshAuth.prototype.requiresResponseBody = true;
  const auth = new RefreshAuth();
  const client = new httpx.AsyncClient({ baseUrl: base, auth });
  equal((await client.get('/bearer')).json().token, 'fresh');
  equal((await client.get('/bearer')).json().token, 'fresh');
  equal(auth.refreshes, 1);
  await client.close();
});

test('FunctionAuth and plain functions as auth; a throwing flow rejects with its own error', async (httpx, base) => {
  const client = new httpx.AsyncClient({ baseUrl: base });
  const viaClass = new httpx.FunctionAuth((request) => {
    request.headers.set('Authorization', 'Bearer from-function');
    return request;
  });
  equal((await client.get('/bearer', { auth: viaClass })).json().token, 'from-function');
  const viaFunction = async (request) => {
    request.headers.set('Authorization', 'Bearer async');
    return request;
  };
  equal((await client.get('/bearer', { auth: viaFunction })).json().token, 'async');
  class Boom extends Error {}
  const thrown = await rejects(
    () =>
      client.get('/get', {
        auth: () => {
          throw new Boom('no credentials');
        },
      }),
    Boom,
  );
  equal(thrown.message, 'no credentials');
  await client.close();
});

// ---------------------------------------------------------------------------------
// Transports, hooks, mounts

test('MockTransport: handler sees the request, the client does the rest', async (httpx) => {
  const requests = [];
  const transport = new httpx.MockTransport((request) => {
    requests.push(request);
    if (request.url.endsWith('/old')) {
      return new httpx.Response(301, { headers: { Location: '/new' } });
    }
    return new httpx.Response(200, { json: { path: new URL(request.url).pathname, body: text(request.content) } });
  });
  const client = new httpx.AsyncClient({ transport, baseUrl: 'https://api.test', followRedirects: true });
  const response = await client.post('/old', { content: 'payload' });
  equal(response.status, 200);
  deepEqual(response.json(), { path: '/new', body: '' });
  equal(response.history.length, 1, 'redirects handled by the core have history');
  equal(response.history[0].status, 301);
  equal(response.url, 'https://api.test/new');
  equal(requests[0].headers.get('host'), 'api.test');
  equal(text(requests[0].content), 'payload');
  equal(requests[1].method, 'GET', '301 turns POST into GET');
  await client.close();
});

test('MockTransport with digest auth: the flow in the core', async (httpx) => {
  let calls = 0;
  const transport = new httpx.MockTransport((request) => {
    calls += 1;
    const authorization = request.headers.get('authorization');
    if (!authorization) {
      return new httpx.Response(401, {
        headers: { 'WWW-Authenticate': 'Digest realm="r", nonce="abc", qop="auth", algorithm=SHA-256' },
      });
    }
    match(authorization, /^Digest username="u", realm="r", nonce="abc", uri="\/p", response="[0-9a-f]{64}", algorithm=SHA-256/);
    return new httpx.Response(200, { text: 'ok' });
  });
  const client = new httpx.AsyncClient({ transport, auth: new httpx.DigestAuth('u', 'p') });
  equal((await client.get('https://digest.test/p')).text(), 'ok');
  equal(calls, 2);
  await client.close();
});

test('an in-process fetch handler (AppTransport) with a streamed answer', async (httpx) => {
  const app = async (request) => {
    const url = new URL(request.url);
    if (url.pathname === '/stream') {
      const body = new ReadableStream({
        start(controller) {
          for (const piece of ['one\n', 'two\n', 'three\n']) controller.enqueue(new TextEncoder().encode(piece));
          controller.close();
        },
      });
      return new globalThis.Response(body, { headers: { 'content-type': 'text/plain' } });
    }
    const body = request.method === 'POST' ? await request.text() : '';
    return globalThis.Response.json({ method: request.method, path: url.pathname, q: url.searchParams.get('q'), body }, { status: 201 });
  };
  const client = new httpx.AsyncClient({ transport: new httpx.AppTransport(app), baseUrl: 'http://app' });
  const created = await client.post('/items', { params: { q: 'x' }, json: { a: 1 } });
  equal(created.status, 201);
  deepEqual(created.json(), { method: 'POST', path: '/items', q: 'x', body: '{"a":1}' });
  const lines = [];
  for await (const line of (await client.stream('GET', '/stream')).iterLines()) lines.push(line);
  deepEqual(lines, ['one', 'two', 'three']);
  await client.close();
});

test('event hooks see requests and responses; a response hook can raise', async (httpx, base) => {
  const log = [];
  const client = new httpx.AsyncClient({
    baseUrl: base,
    eventHooks: {
      request: [(request) => request.headers.set('X-Hooked', 'yes'), (request) => log.push(`-> ${request.method}`)],
      response: [
        async (response) => {
          log.push(`<- ${response.status}`);
          if (response.status >= 400) {
            await response.read();
            response.raiseForStatus();
          }
        },
      ],
    },
  });
  equal((await client.get('/headers')).json().headers['x-hooked'], 'yes');
  const error = await rejects(() => client.get('/status/500'), httpx.HTTPStatusError);
  equal(error.response.status, 500);
  deepEqual(log, ['-> GET', '<- 200', '-> GET', '<- 500']);
  await client.close();
});

test('mounts route by URL pattern; the rest goes to the default transport', async (httpx, base) => {
  const mocked = new httpx.MockTransport(() => new httpx.Response(200, { text: 'mocked' }));
  const client = new httpx.AsyncClient({ mounts: { 'https://mocked.test': mocked, 'all://*.blocked.test': null } });
  equal((await client.get('https://mocked.test/x')).text(), 'mocked');
  equal((await client.get(`${base}/get`)).status, 200);
  await client.close();
});

test('credentials option is accepted on the client and per request', async (httpx, base) => {
  const client = new httpx.AsyncClient({ baseUrl: base, credentials: 'include' });
  equal((await client.get('/cookies', { credentials: 'omit' })).status, 200);
  await client.close();
});

// ---------------------------------------------------------------------------------
// Lifetimes, re-entrancy and httpx details

const mockClient = (httpx, handler, options = {}) =>
  new httpx.AsyncClient({ transport: new httpx.MockTransport(handler), ...options });

test('close() stops a read() in progress and a stream; elapsed is known after an early close', async (httpx, base) => {
  const client = new httpx.AsyncClient({ baseUrl: base });
  const slow = await client.stream('GET', '/slow-body', { params: { chunks: 20, interval_ms: 200 } });
  const started = Date.now();
  const reading = slow.read();
  setTimeout(() => slow.close(), 100);
  await rejects(reading, httpx.StreamClosed);
  // Stopped by close() (at 100 ms), long before the body's 4 s; generous on busy machines.
  const stoppedAfter = Date.now() - started;
  ok(stoppedAfter >= 90 && stoppedAfter < 3500, `read() stopped after ${stoppedAfter} ms`);
  ok(slow.elapsed >= 0);
  const streamed = await client.stream('GET', '/stream-bytes/100000', { params: { chunk_size: 1000 } });
  const chunks = streamed.iterBytes();
  await chunks.next();
  await streamed.close();
  await rejects(() => chunks.next(), httpx.StreamClosed);
  ok(streamed.elapsed >= 0, 'elapsed after a close in the middle');
  // A close() while a chunk is awaited from the network settles that wait at once.
  const waiting = await client.stream('GET', '/slow-body', { params: { chunks: 3, interval_ms: 4000 } });
  const pendingChunk = waiting.iterBytes().next();
  const closedAt = Date.now();
  setTimeout(() => waiting.close(), 100);
  await rejects(pendingChunk, httpx.StreamClosed);
  // Settled by close() (at 100 ms), not by the next chunk (4 s later).
  const settledAfter = Date.now() - closedAt;
  ok(settledAfter >= 90 && settledAfter < 3000, `the pending chunk settled after ${settledAfter} ms`);
  const left = await client.stream('GET', '/stream-bytes/100000', { params: { chunk_size: 1000 } });
  for await (const _ of left.iterBytes()) break;
  ok(left.isClosed && left.elapsed >= 0, 'elapsed after a break');
  equal((await client.get('/get')).status, 200, 'the client still works');
  await client.close();
});

test('a body source that calls back into its response does not break the module', async (httpx) => {
  let response;
  const client = mockClient(httpx, () =>
    new httpx.Response(200, {
      content: (async function* () {
        yield 'a';
        await response.close();
        yield 'b';
      })(),
    }),
  );
  response = await client.stream('GET', 'https://app.test/');
  const seen = [];
  await rejects(async () => {
    for await (const chunk of response.iterBytes()) seen.push(text(chunk));
  }, httpx.StreamClosed);
  deepEqual(seen, ['a']);
  equal((await client.get('https://app.test/')).status, 200, 'the module is alive');
  await client.close();
});

test('unfinished body sources are released: a failed upload, a response closed early', async (httpx) => {
  let uploadFinished = false;
  async function* upload() {
    try {
      yield 'part one';
      yield 'part two';
    } finally {
      uploadFinished = true;
    }
  }
  await rejects(() => httpx.post('http://127.0.0.1:1/', { content: upload() }), httpx.ConnectError);
  ok(uploadFinished, "the request body's finally ran");
  let cancelled = false;
  const app = () =>
    new globalThis.Response(
      new ReadableStream({
        pull(controller) {
          controller.enqueue(new TextEncoder().encode('tick\n'));
        },
        cancel() {
          cancelled = true;
        },
      }),
    );
  const client = new httpx.AsyncClient({ transport: new httpx.AppTransport(app) });
  const response = await client.stream('GET', 'http://app.test/events');
  for await (const _ of response.iterLines()) break;
  await new Promise((resolve) => setTimeout(resolve, 0));
  ok(cancelled, "the app's endless stream was cancelled");
  await client.close();
});

test('errors from transports, hooks and body streams come out unchanged', async (httpx) => {
  class Mine extends Error {}
  const thrown = new Mine('from the transport');
  let client = mockClient(httpx, () => {
    throw thrown;
  });
  equal(await rejects(() => client.get('https://x.test/'), Mine), thrown);
  client = mockClient(httpx, () => new httpx.Response(200), {
    eventHooks: {
      request: [
        () => {
          throw new Mine('from a hook');
        },
      ],
    },
  });
  equal((await rejects(() => client.get('https://x.test/'), Mine)).message, 'from a hook');
  client = mockClient(httpx, () =>
    new httpx.Response(200, {
      content: (async function* () {
        yield 'x';
        throw new Mine('from the body');
      })(),
    }),
  );
  equal((await rejects(() => client.get('https://x.test/'), Mine)).message, 'from the body');
});

test('event hooks may be added or replaced after the client is made', async (httpx) => {
  const client = mockClient(httpx, (request) => new httpx.Response(200, { text: request.headers.get('x-hook') ?? '' }));
  equal((await client.get('https://x.test/')).text(), '');
  client.eventHooks.request.push((request) => request.headers.set('X-Hook', 'pushed'));
  equal((await client.get('https://x.test/')).text(), 'pushed');
  const statuses = [];
  client.eventHooks = { request: [], response: [(response) => statuses.push(response.status)] };
  equal((await client.get('https://x.test/')).text(), '');
  deepEqual(statuses, [200]);
  await client.close();
});

test('iterBytes(chunkSize) and iterLines across chunk boundaries, in linear time', async (httpx) => {
  const pieces = ['abc', 'defgh', 'i', 'jklmnop', 'line one\r', '\nline two\n\nlast'];
  const client = mockClient(httpx, () => new httpx.Response(200, { content: pieces.map((p) => new TextEncoder().encode(p)) }));
  let response = await client.stream('GET', 'https://x.test/');
  const sizes = [];
  for await (const chunk of response.iterBytes(4)) sizes.push(chunk.length);
  const total = pieces.join('').length;
  deepEqual(sizes, [...Array(Math.floor(total / 4)).fill(4), total % 4].filter(Boolean));
  response = await client.stream('GET', 'https://x.test/');
  const lines = [];
  for await (const line of response.iterLines()) lines.push(line);
  deepEqual(lines, ['abcdefghijklmnopline one', 'line two', '', 'last']);
  response = await client.stream('GET', 'https://x.test/');
  await rejects(async () => {
    for await (const _ of response.iterBytes(0.5)) break;
  }, RangeError);
  // One 8 MB line in 64 KB chunks, and 8 MB in 4 MB pieces: each byte is handled once.
  const big = new Uint8Array(8 * 1024 * 1024).fill(120);
  const chunked = () => {
    const out = [];
    for (let i = 0; i < big.length; i += 65536) out.push(big.subarray(i, i + 65536));
    return out;
  };
  const bigClient = mockClient(httpx, () => new httpx.Response(200, { content: chunked() }));
  const started = Date.now();
  let length = 0;
  for await (const line of (await bigClient.stream('GET', 'https://x.test/')).iterLines()) length += line.length;
  let blocks = 0;
  for await (const _ of (await bigClient.stream('GET', 'https://x.test/')).iterBytes(4 * 1024 * 1024)) blocks += 1;
  equal(length, big.length);
  equal(blocks, 2);
  // Linear, not quadratic, in the body's size: a generous bound for busy machines.
  ok(Date.now() - started < 20000, `took ${Date.now() - started} ms`);
  await client.close();
  await bigClient.close();
});

test('httpx details: isRedirect, json() bytes, links, Headers.set, body precedence, statuses', async (httpx) => {
  for (const status of [300, 304, 399]) ok(new httpx.Response(status).isRedirect, `${status} is a redirect`);
  ok(!new httpx.Response(304).hasRedirectLocation);
  const latin = mockClient(httpx, () => new httpx.Response(200, { content: '{"a":"é"}', headers: { 'Content-Type': 'application/json' } }), { defaultEncoding: 'latin1' });
  deepEqual((await latin.get('https://x.test/')).json(), { a: 'é' }, 'json() reads UTF-8 whatever the encoding');
  const utf16 = new Uint8Array([0xff, 0xfe, ...[...'{"b":1}'].flatMap((c) => [c.charCodeAt(0), 0])]);
  deepEqual(new httpx.Response(200, { content: utf16 }).json(), { b: 1 });
  const link = new httpx.Response(200, { headers: { Link: '<https://x.test/a>; rel=""' } });
  deepEqual(Object.keys(link.links), ['https://x.test/a']);
  const headers = new httpx.Headers({ 'X-A': '1' });
  headers.set('x-a', '2');
  deepEqual(headers.raw, [['x-a', '2']]);
  const echo = mockClient(httpx, (request) => new httpx.Response(200, { content: request.content, headers: { 'Content-Type': request.headers.get('content-type') ?? '' } }));
  equal((await echo.post('https://x.test/', { content: 'raw', json: { no: 1 } })).text(), 'raw', 'content wins over json');
  const formOnly = await echo.post('https://x.test/', { data: { a: '1' }, files: {} });
  equal(formOnly.headers.get('content-type'), 'application/x-www-form-urlencoded', 'files={} sends the form urlencoded');
  equal((await echo.post('https://x.test/', { content: null, json: [1] })).text(), '[1]', 'null is absent');
  for (const status of ['200', 70000, 99, 1.5]) {
    await rejects(async () => new httpx.Response(status), TypeError, String(status));
  }
  await rejects(() => new httpx.FetchTransport().handleAsyncRequest(new httpx.Request('GET', 'https://x.test/')), TypeError);
  await rejects(async () => new httpx.AsyncClient({ followRedirects: 'yes' }), TypeError);
  await latin.close();
  await echo.close();
});

test('a transport may answer with a streamed response of another client', async (httpx, base) => {
  const upstream = new httpx.AsyncClient({ baseUrl: base });
  const proxy = { handleAsyncRequest: (request) => upstream.stream('GET', new URL(request.url).pathname) };
  const client = new httpx.AsyncClient({ transport: proxy });
  const response = await client.get('https://proxied.test/bytes/3000');
  equal(response.bytes().length, 3000);
  await client.close();
  await upstream.close();
});

test('an AbortSignal cancels a request, and later its streamed body, with its reason', async (httpx, base) => {
  const client = new httpx.AsyncClient({ baseUrl: base });
  let controller = new AbortController();
  let started = Date.now();
  const pending = client.get('/delay/6', { signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  const aborted = await rejects(pending, Error);
  equal(aborted.name, 'AbortError');
  // Aborted at 100 ms, not answered after 6 s.
  const abortedAfter = Date.now() - started;
  ok(abortedAfter >= 90 && abortedAfter < 5000, `aborted after ${abortedAfter} ms`);
  class Reason extends Error {}
  controller = new AbortController();
  controller.abort(new Reason('changed my mind'));
  await rejects(() => client.get('/get', { signal: controller.signal }), Reason, 'an aborted signal fails at once');
  equal((await rejects(() => client.get('/delay/3', { signal: AbortSignal.timeout(100) }), Error)).name, 'TimeoutError');
  controller = new AbortController();
  const response = await client.stream('GET', '/slow-body', { params: { chunks: 10, interval_ms: 600 }, signal: controller.signal });
  started = Date.now();
  await rejects(async () => {
    for await (const _ of response.iterBytes()) controller.abort(new Reason('enough'));
  }, Reason);
  // Closed at the first chunk, not after the body's 5.4 s.
  ok(response.isClosed && Date.now() - started < 4500, `closed after ${Date.now() - started} ms`);
  const hanging = new httpx.AsyncClient({ transport: new httpx.MockTransport(() => new Promise(() => {})) });
  controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  await rejects(() => hanging.get('https://x.test/', { signal: controller.signal }), Error, 'a transport that never answers');
  equal((await client.get('/get', { signal: new AbortController().signal })).status, 200);
  await client.close();
  await hanging.close();
});
