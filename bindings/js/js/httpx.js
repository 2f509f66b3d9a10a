// httpx for JavaScript: the API layer over the wasm module (httpx_wasm.js, built by
// wasm-bindgen from bindings/js/src). The Rust core does the HTTP work (merging client
// and request settings, auth flows, redirects, timeouts, the fetch transport); this
// file gives it httpx's shape in JavaScript: the exception classes, Headers, Request,
// Response, auth objects and generator flows, transports and options objects.
// The shapes passed to and from the wasm module are described in src/lib.rs.

import { RawClient, reasonPhrase, setup, statusError } from './httpx_wasm.js';

// ---------------------------------------------------------------------------------
// Exceptions: httpx's tree, so that `instanceof` works at every level.

export class HTTPError extends Error {
  constructor(message, options = {}) {
    super(message, options);
    /** The request (method and URL) the error happened on, when known. */
    this.request = options.request;
  }
}
export class RequestError extends HTTPError {}
export class TransportError extends RequestError {}
export class TimeoutException extends TransportError {}
export class ConnectTimeout extends TimeoutException {}
export class ReadTimeout extends TimeoutException {}
export class WriteTimeout extends TimeoutException {}
export class PoolTimeout extends TimeoutException {}
export class TotalTimeout extends TimeoutException {}
export class NetworkError extends TransportError {}
export class ConnectError extends NetworkError {}
export class ReadError extends NetworkError {}
export class WriteError extends NetworkError {}
export class CloseError extends NetworkError {}
export class ProtocolError extends TransportError {}
export class LocalProtocolError extends ProtocolError {}
export class RemoteProtocolError extends ProtocolError {}
export class ProxyError extends TransportError {}
export class UnsupportedProtocol extends TransportError {}
export class DecodingError extends RequestError {}
export class TooManyRedirects extends RequestError {}
export class HTTPStatusError extends HTTPError {
  constructor(message, options = {}) {
    super(message, options);
    /** The response whose status was not 2xx. */
    this.response = options.response;
  }
}
export class InvalidURL extends Error {}
export class CookieConflict extends Error {}
export class StreamError extends Error {}
export class StreamConsumed extends StreamError {
  constructor(message = 'Attempted to read or stream content, but the content has already been streamed.') {
    super(message);
  }
}
export class StreamClosed extends StreamError {
  constructor(message = 'Attempted to read or stream response content, but the response has been closed.') {
    super(message);
  }
}
export class ResponseNotRead extends StreamError {
  constructor(message = 'Attempted to access streaming response content, without having called `read()`.') {
    super(message);
  }
}
export class RequestNotRead extends StreamError {
  constructor(message = 'Attempted to access streaming request content, without having called `read()`.') {
    super(message);
  }
}
/** Python's RuntimeError in httpx: a closed client, a response read twice at once, ... */
export class InvalidState extends Error {}

const errors = {
  HTTPError, RequestError, TransportError, TimeoutException, ConnectTimeout, ReadTimeout,
  WriteTimeout, PoolTimeout, TotalTimeout, NetworkError, ConnectError, ReadError, WriteError,
  CloseError, ProtocolError, LocalProtocolError, RemoteProtocolError, ProxyError,
  UnsupportedProtocol, DecodingError, TooManyRedirects, HTTPStatusError, InvalidURL,
  CookieConflict, StreamError, StreamConsumed, StreamClosed, ResponseNotRead, RequestNotRead,
  InvalidState,
};
// Names that survive minifiers, for messages and `err.name` checks.
for (const [name, cls] of Object.entries(errors)) {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
}

// The Rust side's errors: [kind, message, method, url].
const makeError = ([kind, message, method, url]) => {
  const cls = errors[kind] || InvalidState;
  const request = method === undefined ? undefined : Request._fromRaw([method, url, [], undefined]);
  return HTTPError.prototype.isPrototypeOf(cls.prototype)
    ? new cls(message, { request })
    : Object.assign(new cls(message), request ? { request } : {});
};

let ready = false;
const wasm = () => {
  if (!ready) {
    setup(makeError);
    ready = true;
  }
};

// ---------------------------------------------------------------------------------
// Helpers

const encoder = new TextEncoder();
const now = () => (globalThis.performance ?? Date).now();
const utf8 = (text) => encoder.encode(text);
const isIterable = (value) => value != null && typeof value[Symbol.iterator] === 'function';

/** Bytes from a string or binary value, synchronously. */
const toBytes = (value) => {
  if (typeof value === 'string') return utf8(value);
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return undefined;
};

const concat = (chunks) => {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
};

/** A pull function (a promise of the next chunk, `undefined` at the end) for a
 * ReadableStream or an (async) iterable of chunks; `undefined` for anything else. Its
 * `cancel()` (called by the Rust side when it drops the body) cancels the stream or
 * returns the iterator, so an unfinished source is released. */
const pullOf = (source) => {
  if (source == null || typeof source !== 'object') return undefined;
  let next;
  let cancel;
  if (typeof source.getReader === 'function') {
    const reader = source.getReader();
    next = () => reader.read();
    cancel = () => reader.cancel();
  } else {
    const iterator = source[Symbol.asyncIterator]?.() ?? source[Symbol.iterator]?.();
    if (!iterator) return undefined;
    next = () => iterator.next();
    cancel = () => iterator.return?.();
  }
  let finished = false;
  const pull = async () => {
    for (;;) {
      const { done, value } = await next();
      if (done) {
        finished = true;
        return undefined;
      }
      const bytes = toBytes(value);
      if (bytes === undefined) throw new TypeError('a body stream must yield strings or bytes');
      if (bytes.length) return bytes;
    }
  };
  pull.cancel = () => {
    if (finished) return;
    finished = true;
    try {
      Promise.resolve(cancel()).catch(() => {});
    } catch {
      // a generator that is running cannot be returned: it ends by itself
    }
  };
  return pull;
};

/** Whether `files` names at least one file (httpx sends `files={}` as no files). */
const hasEntries = (value) =>
  Array.isArray(value) ? value.length > 0 : isIterable(value) ? true : Object.keys(value).length > 0;

/** A request body: bytes, or a pull function for a stream. */
const bodyOf = async (content) => {
  const bytes = toBytes(content);
  if (bytes !== undefined) return bytes;
  if (typeof Blob !== 'undefined' && content instanceof Blob) return new Uint8Array(await content.arrayBuffer());
  const pull = pullOf(content);
  if (pull) return pull;
  throw new TypeError('content must be a string, bytes, a Blob, a ReadableStream or an iterable of chunks');
};

/** The `[key, value]` pairs of an object or of an iterable of pairs (a Map, a
 * URLSearchParams, fetch Headers, an array); an array value stands for one pair per item,
 * as in httpx's `{"a": ["1", "2"]}`. */
function* entriesOf(value) {
  for (const [key, item] of isIterable(value) ? value : Object.entries(value)) {
    for (const one of Array.isArray(item) ? item : [item]) yield [key, one];
  }
}

/** httpx's primitive_value_to_str. */
const primitive = (value) => (value === null ? '' : String(value));

/** Query parameters or form fields as a flat [key, value, ...] array. */
const pairsOf = (value) => {
  if (typeof value === 'string') value = new URLSearchParams(value);
  if (value === null || typeof value !== 'object') {
    throw new TypeError('params and data must be a string, an object, or an iterable of [key, value] pairs');
  }
  const out = [];
  for (const [key, one] of entriesOf(value)) {
    if (one !== undefined) out.push(String(key), primitive(one));
  }
  return out;
};

// ---------------------------------------------------------------------------------
// Headers: httpx's case-insensitive multi-dict.

export class Headers {
  constructor(init) {
    /** @type {[string, string][]} the pairs as given, names in their case */
    this._list = [];
    if (init == null) return;
    if (init instanceof Headers) {
      this._list = init._list.map(([k, v]) => [k, v]);
      return;
    }
    if (typeof init !== 'object') {
      throw new TypeError('headers must be an object, Headers, or an iterable of [name, value] pairs');
    }
    for (const [name, one] of entriesOf(init)) this._list.push([String(name), String(one)]);
  }

  static _fromFlat(flat) {
    const headers = new Headers();
    for (let i = 0; i + 1 < flat.length; i += 2) headers._list.push([flat[i], flat[i + 1]]);
    return headers;
  }

  _flat() {
    return this._list.flat();
  }

  /** The values of `name` joined with ", " (httpx's `headers[name]`), or `defaultValue`. */
  get(name, defaultValue = null) {
    const values = this.getList(name);
    return values.length ? values.join(', ') : defaultValue;
  }

  /** Every value of `name`; with `splitCommas`, comma-separated values are split too. */
  getList(name, splitCommas = false) {
    const key = String(name).toLowerCase();
    const values = this._list.filter(([k]) => k.toLowerCase() === key).map(([, v]) => v);
    return splitCommas ? values.flatMap((v) => v.split(',').map((s) => s.trim())) : values;
  }

  has(name) {
    const key = String(name).toLowerCase();
    return this._list.some(([k]) => k.toLowerCase() === key);
  }

  /** Sets `name`, replacing its values (in the position of the first). */
  set(name, value) {
    const key = String(name).toLowerCase();
    const at = this._list.findIndex(([k]) => k.toLowerCase() === key);
    if (at < 0) {
      this._list.push([String(name), String(value)]);
      return this;
    }
    this._list[at] = [String(name), String(value)];
    this._list = this._list.filter(([k], i) => i <= at || k.toLowerCase() !== key);
    return this;
  }

  /** Adds a value, keeping the earlier ones. */
  append(name, value) {
    this._list.push([String(name), String(value)]);
    return this;
  }

  /** Sets `name` unless it has a value; returns its value. */
  setDefault(name, value) {
    if (!this.has(name)) this.append(name, value);
    return this.get(name);
  }

  delete(name) {
    const key = String(name).toLowerCase();
    const before = this._list.length;
    this._list = this._list.filter(([k]) => k.toLowerCase() !== key);
    return this._list.length !== before;
  }

  /** Each name of `other` replaces this one's values. */
  update(other) {
    const incoming = other instanceof Headers ? other : new Headers(other);
    for (const key of incoming.keys()) this.delete(key);
    this._list.push(...incoming._list.map(([k, v]) => [k, v]));
    return this;
  }

  copy() {
    return new Headers(this);
  }

  /** The distinct names, lowercase, in order of first appearance. */
  keys() {
    return [...new Set(this._list.map(([k]) => k.toLowerCase()))];
  }

  /** The value of each name (repeats joined with ", "). */
  values() {
    return this.keys().map((k) => this.get(k));
  }

  /** `[name, value]` for each name, repeats joined with ", " (httpx's `items()`). */
  items() {
    return this.keys().map((k) => [k, this.get(k)]);
  }

  entries() {
    return this.items();
  }

  /** Every `[name, value]` pair, names lowercase, repeats kept. */
  multiItems() {
    return this._list.map(([k, v]) => [k.toLowerCase(), v]);
  }

  /** Every pair as given (names in their case). */
  get raw() {
    return this._list.map(([k, v]) => [k, v]);
  }

  /** The number of distinct names. */
  get size() {
    return this.keys().length;
  }

  forEach(callback, thisArg) {
    for (const [k, v] of this.items()) callback.call(thisArg, v, k, this);
  }

  [Symbol.iterator]() {
    return this.items()[Symbol.iterator]();
  }

  toJSON() {
    return Object.fromEntries(this.items());
  }
}

// ---------------------------------------------------------------------------------
// Request: what auth flows, hooks and transports see.

const hostOf = (url) => {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
};

export class Request {
  /**
   * @param {string} method
   * @param {string | URL} url
   * @param {{headers?: any, content?: string | ArrayBuffer | ArrayBufferView, json?: any}} [options]
   */
  constructor(method, url, options = {}) {
    this.method = String(method).toUpperCase();
    this.url = String(url);
    const given = new Headers(options.headers);
    let content = options.content;
    if (options.json !== undefined) content = JSON.stringify(options.json);
    const bytes = content === undefined ? new Uint8Array(0) : toBytes(content);
    if (bytes === undefined) throw new TypeError('Request content must be a string or bytes');
    // As httpx: Host first, then the given headers, then the body's.
    this.headers = new Headers();
    const host = hostOf(this.url);
    if (host && !given.has('host')) this.headers.append('Host', host);
    this.headers.update(given);
    if (bytes.length || ['POST', 'PUT', 'PATCH'].includes(this.method)) {
      this.headers.setDefault('Content-Length', String(bytes.length));
    }
    if (options.json !== undefined) this.headers.setDefault('Content-Type', 'application/json');
    this._content = bytes;
  }

  static _fromRaw([method, url, headers, content]) {
    const request = Object.create(Request.prototype);
    request.method = method;
    request.url = url;
    request.headers = Headers._fromFlat(headers);
    request._content = content;
    return request;
  }

  _toRaw() {
    return [this.method, this.url, this.headers._flat(), this._content];
  }

  /** The body bytes; `RequestNotRead` for a streaming body. Assign to replace it. */
  get content() {
    if (this._content === undefined) throw new RequestNotRead();
    return this._content;
  }

  set content(value) {
    const bytes = toBytes(value);
    if (bytes === undefined) throw new TypeError('Request content must be a string or bytes');
    this._content = bytes;
  }
}

// ---------------------------------------------------------------------------------
// Response

const decoderFor = (label) => {
  if (!label) return undefined;
  let name = String(label).trim().toLowerCase().replace(/_/g, '-');
  if (name === 'latin-1') name = 'latin1';
  try {
    return new TextDecoder(name);
  } catch {
    return undefined;
  }
};

/** The encoding a byte order mark names, else `label` (WHATWG's decode). */
const sniff = (bytes, label) => {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  return label;
};

/** A JSON body's text, as the core's Response::json decodes it (Python's
 * `json.loads(bytes)`): UTF-32, UTF-16 or UTF-8 by byte order mark, else by the zero
 * bytes that ASCII first characters have in UTF-16 and UTF-32; the BOM dropped.
 * `undefined` when the bytes are not valid in that encoding. The same table
 * (tests/vectors/json.json) checks this and the core. */
const jsonText = (b) => {
  const starts = (...prefix) => prefix.every((x, i) => b[i] === x);
  // bytes per code unit, big-endian, BOM length
  let [width, be, bom] = [1, false, 0];
  if (starts(0, 0, 0xfe, 0xff)) [width, be, bom] = [4, true, 4];
  else if (starts(0xff, 0xfe, 0, 0)) [width, bom] = [4, 4];
  else if (starts(0xfe, 0xff)) [width, be, bom] = [2, true, 2];
  else if (starts(0xff, 0xfe)) [width, bom] = [2, 2];
  else if (starts(0xef, 0xbb, 0xbf)) bom = 3;
  else if (b.length >= 4 && b[0] === 0) [width, be] = [b[1] ? 2 : 4, true];
  else if (b.length >= 4 && b[1] === 0) width = b[2] || b[3] ? 2 : 4;
  else if (b.length === 2 && (b[0] === 0 || b[1] === 0)) [width, be] = [2, b[0] === 0];
  const body = b.subarray(bom);
  if (body.length % width) return undefined;
  try {
    if (width < 4) {
      const label = width === 1 ? 'utf-8' : be ? 'utf-16be' : 'utf-16le';
      return new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(body);
    }
    // UTF-32, which TextDecoder does not know.
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const parts = [];
    for (let i = 0; i < body.length; ) {
      const codes = [];
      for (; i < body.length && codes.length < 8192; i += 4) {
        const c = view.getUint32(i, !be);
        if (c > 0x10ffff || (c >= 0xd800 && c < 0xe000)) return undefined;
        codes.push(c);
      }
      parts.push(String.fromCodePoint(...codes));
    }
    return parts.join('');
  } catch {
    return undefined;
  }
};

/** A Content-Type parameter (charset, boundary). */
const contentTypeParam = (contentType, name) => {
  for (const part of (contentType || '').split(';').slice(1)) {
    const [key, ...rest] = part.split('=');
    if (key.trim().toLowerCase() === name) return rest.join('=').trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
};

/** httpx's `_parse_header_links` (the core's Response::links: the same table,
 * tests/vectors/links.json, checks both). */
const parseLinks = (value) => {
  const strip = (s) => s.replace(/^[ '"]+|[ '"]+$/g, '');
  const links = [];
  value = strip(value);
  if (!value) return links;
  for (const part of value.split(/, *</)) {
    const [url, params = ''] = part.split(/;(.*)/s);
    const link = { url: url.replace(/^[<> '"]+|[<> '"]+$/g, '') };
    for (const param of params.split(';')) {
      const kv = param.split('=');
      if (kv.length !== 2) break;
      link[strip(kv[0])] = strip(kv[1]);
    }
    links.push(link);
  }
  return links;
};

// Python's str.splitlines() boundaries; "\r\n" is one.
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

export class Response {
  /**
   * A response, for mock transports and tests.
   * @param {number} status
   * @param {{headers?: any, content?: any, text?: string, html?: string, json?: any,
   *   request?: Request, reasonPhrase?: string, httpVersion?: string}} [options]
   */
  constructor(status, options = {}) {
    if (!Number.isInteger(status) || status < 100 || status > 999) {
      throw new TypeError(`a response status is an integer from 100 to 999, not ${String(status)}`);
    }
    this.status = status;
    this.headers = new Headers(options.headers);
    this.httpVersion = options.httpVersion ?? 'HTTP/1.1';
    this.request = options.request;
    this.history = [];
    this.nextRequest = null;
    this.isOpaqueRedirect = false;
    this._reason = options.reasonPhrase;
    this._closed = false;
    this._consumed = false;
    let content = options.content;
    let type;
    if (options.text !== undefined) [content, type] = [options.text, 'text/plain; charset=utf-8'];
    if (options.html !== undefined) [content, type] = [options.html, 'text/html; charset=utf-8'];
    if (options.json !== undefined) [content, type] = [JSON.stringify(options.json), 'application/json'];
    const bytes = content === undefined ? new Uint8Array(0) : toBytes(content);
    if (bytes !== undefined) {
      if (bytes.length || type) this.headers.setDefault('Content-Length', String(bytes.length));
      if (type) this.headers.setDefault('Content-Type', type);
      this._content = bytes;
      this._closed = this._consumed = true;
    } else {
      this._pull = pullOf(content);
      if (!this._pull) throw new TypeError('Response content must be a string, bytes, a ReadableStream or an iterable of chunks');
      if (!this.headers.has('content-length')) this.headers.setDefault('Transfer-Encoding', 'chunked');
    }
  }

  static _fromMeta(meta, handle, defaultEncoding) {
    const [status, reason, version, url, headers, request, history, elapsed, next, opaque, content] = meta;
    const response = Object.create(Response.prototype);
    Object.assign(response, {
      status,
      headers: Headers._fromFlat(headers),
      httpVersion: version,
      request: request && Request._fromRaw(request),
      history: history.map((m) => Response._fromMeta(m, undefined, defaultEncoding)),
      nextRequest: next ? Request._fromRaw(next) : null,
      isOpaqueRedirect: opaque,
      _reason: reason,
      _url: url,
      _elapsed: elapsed,
      _content: content,
      _handle: handle,
      _defaultEncoding: defaultEncoding,
      _closed: content !== undefined,
      _consumed: content !== undefined,
    });
    return response;
  }

  static _fromHandle(handle, defaultEncoding) {
    return Response._fromMeta(handle.meta(), handle, defaultEncoding);
  }

  /** A response from a fetch `Response` (an in-process app's answer), body streamed. */
  static _fromFetch(res) {
    const response = Object.create(Response.prototype);
    Object.assign(response, {
      status: res.status,
      headers: new Headers(res.headers),
      httpVersion: 'HTTP/1.1',
      history: [],
      nextRequest: null,
      isOpaqueRedirect: false,
      _reason: res.statusText || undefined,
      _pull: res.body ? pullOf(res.body) : undefined,
      _content: res.body ? undefined : new Uint8Array(0),
      _closed: !res.body,
      _consumed: !res.body,
    });
    return response;
  }

  /** `[status, headers, body, reasonPhrase]` for the Rust side (a transport's answer);
   * a body not in memory is handed over as a pull function, once. */
  _toRaw() {
    let body = this._content;
    if (body === undefined) {
      if (this._consumed || this._closed) throw new StreamConsumed();
      if (this._handle) {
        body = () => (this._handle ? this._handle.nextChunk() : Promise.reject(new StreamClosed()));
        body.cancel = () => this._handle?.close();
      } else {
        body = this._pull;
      }
      this._consumed = true;
    }
    return [this.status, this.headers._flat(), body, this._reason];
  }

  /** The reason phrase the server sent, or the standard one. */
  get reasonPhrase() {
    return this._reason ?? reasonPhrase(this.status);
  }

  /** The URL of this response (where redirects followed by the host ended). */
  get url() {
    return this._url ?? this.request?.url;
  }

  /** Milliseconds from sending the request until the body was read or closed. */
  get elapsed() {
    if (this._elapsed === undefined) {
      throw new InvalidState("'.elapsed' may only be accessed after the response has been read or closed.");
    }
    return this._elapsed;
  }

  get isInformational() {
    return this.status >= 100 && this.status < 200;
  }
  get isSuccess() {
    return this.status >= 200 && this.status < 300;
  }
  /** Any 3xx (as httpx), or the browser's opaque redirect. */
  get isRedirect() {
    return (this.status >= 300 && this.status < 400) || this.isOpaqueRedirect;
  }
  get isClientError() {
    return this.status >= 400 && this.status < 500;
  }
  get isServerError() {
    return this.status >= 500 && this.status < 600;
  }
  get isError() {
    return this.status >= 400 && this.status < 600;
  }
  get hasRedirectLocation() {
    return [301, 302, 303, 307, 308].includes(this.status) && this.headers.has('location');
  }
  get isClosed() {
    return this._closed;
  }
  get isStreamConsumed() {
    return this._consumed;
  }

  /** The `Link` header parsed, keyed by `rel` (or URL): `{ next: { url, rel }, ... }`. */
  get links() {
    const header = this.headers.get('link');
    const out = {};
    for (const link of header ? parseLinks(header) : []) out[link.rel || link.url] = link;
    return out;
  }

  /** The charset the Content-Type names. */
  get charsetEncoding() {
    return contentTypeParam(this.headers.get('content-type'), 'charset');
  }

  /** The encoding used for the text: set explicitly, else the Content-Type charset, else
   * the client's `defaultEncoding` (a label, or a function of the bytes), else UTF-8. */
  get encoding() {
    if (this._encoding) return this._encoding;
    let decoder = decoderFor(this.charsetEncoding);
    const fallback = this._defaultEncoding;
    if (!decoder && typeof fallback === 'function') {
      decoder = this._content && decoderFor(fallback(this._content));
    } else if (!decoder) {
      decoder = decoderFor(fallback);
    }
    return (decoder ?? new TextDecoder()).encoding;
  }

  set encoding(label) {
    if (this._text !== undefined) {
      throw new InvalidState('Setting encoding after `text` has been accessed is not allowed.');
    }
    const decoder = decoderFor(label);
    if (!decoder) throw new DecodingError(`Unknown encoding ${JSON.stringify(label)}`);
    this._encoding = decoder.encoding;
  }

  /** The body, decoded by the host; `ResponseNotRead` for a stream not read yet. */
  bytes() {
    if (this._content === undefined) throw new ResponseNotRead();
    return this._content;
  }

  /** httpx's `content`: the same as `bytes()`. */
  get content() {
    return this.bytes();
  }

  /** The body as text, in `encoding`. */
  text() {
    if (this._text === undefined) {
      const bytes = this.bytes();
      this._text = new TextDecoder(sniff(bytes, this.encoding)).decode(bytes);
    }
    return this._text;
  }

  /** The body parsed as JSON, as the core's Response::json: UTF-8, UTF-16 or UTF-32
   * by BOM or by the zero bytes of the first characters, whatever `encoding` says (when
   * the bytes are not valid in that encoding, the text in `encoding`);
   * `DecodingError` when it is not JSON. */
  json() {
    const text = jsonText(this.bytes());
    if (text === undefined) {
      if (this.encoding !== 'utf-8') {
        try {
          return JSON.parse(this.text());
        } catch {
          // as the core: the error names the encodings tried first
        }
      }
      throw new DecodingError('Invalid JSON in response body: it is not valid UTF-8, UTF-16 or UTF-32');
    }
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new DecodingError('Invalid JSON in response body', { cause });
    }
  }

  /** The response itself when the status is 2xx, else an `HTTPStatusError` (the
   * decision and the message are the core's Response::raise_for_status: the URL
   * without its credentials). */
  raiseForStatus() {
    const request = this.request;
    if (!request) {
      throw new InvalidState(
        'Cannot call `raiseForStatus` as the request instance has not been set on this response.',
      );
    }
    wasm();
    const message = statusError(this.status, this._reason, this.url, this.headers.get('location') ?? undefined);
    if (message === undefined) return this;
    throw new HTTPStatusError(message, { request, response: this });
  }

  /** The body is in memory or the response closed: `elapsed` is known, and the wasm
   * side's copy of the response (and its body) is freed. */
  _finish() {
    this._closed = true;
    this._stopListening?.();
    const handle = this._handle;
    if (handle) {
      this._elapsed = handle.elapsed() ?? this._elapsed;
      this._handle = undefined;
      handle.free();
    }
    // Closed before the end, the Rust response went with its stream: time it here.
    if (this._elapsed === undefined && this._sentAt !== undefined) this._elapsed = now() - this._sentAt;
  }

  /** Reads the whole body (for `stream()` responses) and returns it; `close()` stops
   * it with `StreamClosed`. */
  async read() {
    if (this._content === undefined) {
      if (this._handle && !this._consumed && !this._closed) {
        this._consumed = true;
        try {
          this._content = await this._handle.read();
        } catch (error) {
          this._finish();
          throw this._abortReason ?? error;
        }
      } else {
        const chunks = [];
        for await (const chunk of this._chunks()) chunks.push(chunk);
        this._content = concat(chunks.length ? chunks : [new Uint8Array(0)]);
      }
    }
    this._finish();
    return this._content;
  }

  /** Closes the response; the rest of a streamed body is not read (the fetch aborted). */
  async close() {
    if (!this._closed) {
      this._handle?.close();
      this._finish();
    }
  }

  async *_chunks() {
    if (this._content !== undefined) {
      if (this._content.length) yield this._content;
      return;
    }
    if (this._consumed) throw new StreamConsumed();
    if (this._closed) throw new StreamClosed();
    // Through `this._handle`, which close() frees: a chunk asked for after a close
    // is StreamClosed, not a call on a freed handle.
    const next = this._handle
      ? () => (this._handle ? this._handle.nextChunk() : Promise.reject(new StreamClosed()))
      : this._pull;
    if (!next) {
      throw new ResponseNotRead(
        'The response body was not read: an auth flow that reads responses sets `requiresResponseBody`.',
      );
    }
    this._consumed = true;
    let done = false;
    try {
      for (let chunk; (chunk = await next()) !== undefined; ) yield chunk;
      done = true;
    } catch (error) {
      throw this._abortReason ?? error;
    } finally {
      // Left early (a break, an error): stop the fetch, or release the source.
      if (!done) (this._handle ? this._handle.close() : next.cancel?.());
      this._finish();
    }
  }

  /** The body in chunks as they arrive (`chunkSize` re-chunks them). */
  async *iterBytes(chunkSize) {
    if (chunkSize == null) {
      yield* this._chunks();
      return;
    }
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) {
      throw new RangeError(`chunkSize must be a positive integer, not ${String(chunkSize)}`);
    }
    // The chunks not yielded yet, and their total length: each byte is copied once.
    const parts = [];
    let size = 0;
    const take = (n) => {
      const out = new Uint8Array(n);
      for (let offset = 0; offset < n; ) {
        const head = parts[0];
        const k = Math.min(head.length, n - offset);
        out.set(head.subarray(0, k), offset);
        offset += k;
        if (k === head.length) parts.shift();
        else parts[0] = head.subarray(k);
      }
      size -= n;
      return out;
    };
    for await (const chunk of this._chunks()) {
      parts.push(chunk);
      size += chunk.length;
      while (size >= chunkSize) yield take(chunkSize);
    }
    if (size) yield take(size);
  }

  /** The body decoded to text in chunks. */
  async *iterText() {
    let decoder;
    for await (const chunk of this._chunks()) {
      decoder ??= new TextDecoder(sniff(chunk, this.encoding));
      const text = decoder.decode(chunk, { stream: true });
      if (text) yield text;
    }
    const rest = decoder?.decode() ?? '';
    if (rest) yield rest;
  }

  /** The body decoded to text, line by line, without the line endings. */
  async *iterLines() {
    const breaks = new RegExp(LINE_BREAK.source, 'g');
    let line = []; // the pieces of the line so far (only new text is searched)
    let afterCR = false; // the text so far ended with "\r", which a "\n" may complete
    for await (const text of this.iterText()) {
      let start = afterCR && text.startsWith('\n') ? 1 : 0;
      afterCR = false;
      breaks.lastIndex = start;
      for (let found; (found = breaks.exec(text)); ) {
        line.push(text.slice(start, found.index));
        start = found.index + found[0].length;
        afterCR = found[0] === '\r' && start === text.length;
        const complete = line.join('');
        line = [];
        yield complete;
      }
      if (start < text.length) line.push(text.slice(start));
    }
    const last = line.join('');
    if (last) yield last;
  }

  /** `for await (const chunk of response)`: the same as `iterBytes()`. */
  [Symbol.asyncIterator]() {
    return this.iterBytes();
  }

  toString() {
    return `<Response [${this.status} ${this.reasonPhrase}]>`;
  }
}

// ---------------------------------------------------------------------------------
// Auth

/** The base of auth schemes: override `authFlow` (a generator, or an async generator
 * for flows that do I/O) and, when the flow needs bodies, `requiresRequestBody` /
 * `requiresResponseBody`. */
export class Auth {
  *authFlow(request) {
    yield request;
  }
}
Auth.prototype.requiresRequestBody = false;
Auth.prototype.requiresResponseBody = false;

export class BasicAuth extends Auth {
  constructor(username, password) {
    super();
    this.username = String(username);
    this.password = String(password);
  }
}

/** RFC 7616 digest auth (the core's: MD5, SHA-256, SHA-512-256, ..., qop auth and
 * auth-int, `userhash`, one retry on `stale=true`). */
export class DigestAuth extends Auth {
  constructor(username, password) {
    super();
    this.username = String(username);
    this.password = String(password);
  }
}

/** Auth by a function of the request that returns the request (or a promise of it). */
export class FunctionAuth extends Auth {
  constructor(fn) {
    super();
    this.fn = fn;
  }
  async *authFlow(request) {
    yield (await this.fn(request)) ?? request;
  }
}

/** Starts a generator flow: `[step(response), close()]` for the Rust side. */
const startFlow = (auth, raw) => {
  const flow = auth.authFlow(Request._fromRaw(raw));
  if (!flow || typeof flow.next !== 'function') {
    throw new TypeError('authFlow(request) must be a generator (function* or async function*)');
  }
  let started = false;
  const step = async (meta) => {
    const result = started ? await flow.next(Response._fromMeta(meta)) : await flow.next();
    started = true;
    if (result.done) return null;
    if (!(result.value instanceof Request)) throw new TypeError('an auth flow must yield Request objects');
    return result.value._toRaw();
  };
  const close = () => {
    try {
      Promise.resolve(flow.return?.()).catch(() => {});
    } catch {
      // a generator that is running cannot be closed: it will end by itself
    }
  };
  return [step, close];
};

/** The descriptor of an auth value for the Rust side (`null`: no auth). */
const authOf = (auth) => {
  if (auth == null) return auth;
  if (Array.isArray(auth)) return ['basic', String(auth[0]), String(auth[1])];
  if (auth instanceof BasicAuth) return ['basic', auth.username, auth.password];
  if (auth instanceof DigestAuth) return ['digest', auth.username, auth.password];
  if (typeof auth === 'function') auth = new FunctionAuth(auth);
  if (typeof auth.authFlow !== 'function') {
    throw new TypeError('auth must be [username, password], an Auth, a function, or an object with authFlow()');
  }
  return ['flow', (raw) => startFlow(auth, raw), !!auth.requiresRequestBody, !!auth.requiresResponseBody];
};

// ---------------------------------------------------------------------------------
// Timeouts (milliseconds)

const DEFAULT_TIMEOUT = 5000;

/** httpx's Timeout, in milliseconds: `new Timeout(10_000, { connect: 2_000, total: 30_000 })`.
 * `null` means no limit; `total` (a deadline for the whole exchange) is unset by default. */
export class Timeout {
  constructor(timeout = DEFAULT_TIMEOUT, { connect = timeout, read = timeout, write = timeout, pool = timeout, total = null } = {}) {
    Object.assign(this, { connect, read, write, pool, total });
  }
}

const timeoutOf = (value) => {
  if (value === undefined) return undefined;
  if (value === null || value === false) return [null, null, null, null, null];
  if (typeof value === 'number' && value >= 0) return [value, value, value, value, null];
  if (typeof value !== 'object') {
    throw new TypeError('timeout must be milliseconds (>= 0), null, an object of them, or a Timeout');
  }
  const t = value instanceof Timeout ? value : new Timeout(DEFAULT_TIMEOUT, value);
  return [t.connect, t.read, t.write, t.pool, t.total];
};

// ---------------------------------------------------------------------------------
// Transports

/** The base of transports written in JavaScript (httpx's AsyncBaseTransport). */
export class AsyncBaseTransport {
  /** @returns {Promise<Response>} */
  async handleAsyncRequest(_request) {
    throw new TypeError('a transport implements handleAsyncRequest(request)');
  }
}

/** The host's fetch (the default transport). `streamingUploads: false` buffers
 * streaming bodies (for https servers that speak only HTTP/1.1, which Chromium refuses
 * to stream to). */
export class FetchTransport extends AsyncBaseTransport {
  constructor({ streamingUploads = true } = {}) {
    super();
    this.streamingUploads = streamingUploads;
  }

  /** Runs inside the client only: the request options (timeouts, redirects,
   * credentials) that fetch needs travel with the client's own request. */
  async handleAsyncRequest(_request) {
    throw new TypeError(
      'FetchTransport is called by the client itself and cannot be wrapped by a JavaScript transport: ' +
        'use event hooks or mounts instead',
    );
  }
}

/** Answers every request with `handler(request)`: a Response, or a promise of one. */
export class MockTransport extends AsyncBaseTransport {
  constructor(handler) {
    super();
    this.handler = handler;
  }
  async handleAsyncRequest(request) {
    return this.handler(request);
  }
}

/** Calls an in-process fetch handler, `(request: globalThis.Request) => Response |
 * Promise<Response>` (a Hono or itty-router app's `fetch`, a service worker's handler):
 * httpx's ASGITransport for JavaScript. */
export class AppTransport extends AsyncBaseTransport {
  constructor(app) {
    super();
    this.app = typeof app === 'function' ? app : app.fetch.bind(app);
  }
  async handleAsyncRequest(request) {
    const noBody = request.method === 'GET' || request.method === 'HEAD';
    const req = new globalThis.Request(request.url, {
      method: request.method,
      headers: request.headers.raw,
      body: noBody ? undefined : request.content,
    });
    return Response._fromFetch(await this.app(req));
  }
}

const transportOf = (transport) => {
  if (transport == null) return transport;
  if (transport instanceof FetchTransport) return ['fetch', transport.streamingUploads];
  if (typeof transport.handleAsyncRequest !== 'function') {
    throw new TypeError('a transport has a handleAsyncRequest(request) method');
  }
  return async (raw) => {
    let response = await transport.handleAsyncRequest(Request._fromRaw(raw));
    if (typeof globalThis.Response === 'function' && response instanceof globalThis.Response) {
      response = Response._fromFetch(response);
    }
    if (!(response instanceof Response)) throw new TypeError('a transport must return a Response');
    return response._toRaw();
  };
};

// ---------------------------------------------------------------------------------
// Multipart files: { name: Blob | bytes | string | [filename, content, contentType?, headers?] }

const TYPES = {
  txt: 'text/plain', html: 'text/html', htm: 'text/html', css: 'text/css', csv: 'text/csv',
  js: 'text/javascript', mjs: 'text/javascript', json: 'application/json', xml: 'application/xml',
  pdf: 'application/pdf', zip: 'application/zip', gz: 'application/gzip', wasm: 'application/wasm',
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp',
  svg: 'image/svg+xml', ico: 'image/vnd.microsoft.icon', mp3: 'audio/mpeg', mp4: 'video/mp4',
};

const filesOf = async (files) => {
  const out = [];
  for (const [name, value] of isIterable(files) ? files : Object.entries(files)) {
    let [filename, content, type, headers] = Array.isArray(value) ? value : [undefined, value];
    if (typeof Blob !== 'undefined' && content instanceof Blob) {
      filename ??= content.name;
      type ??= content.type || undefined;
      content = new Uint8Array(await content.arrayBuffer());
    }
    const bytes = toBytes(content);
    if (bytes === undefined) throw new TypeError(`the file ${name} must be a Blob, bytes or a string`);
    filename ??= 'upload';
    type ??= TYPES[/\.([^.]+)$/.exec(filename)?.[1]?.toLowerCase()];
    out.push(String(name), filename, type, bytes, headers === undefined ? undefined : new Headers(headers)._flat());
  }
  return out;
};

// ---------------------------------------------------------------------------------
// The client

/** In a page or a worker, the origin that relative URLs start from (`undefined` in
 * Node and in opaque origins). */
const documentOrigin = () => {
  const origin = globalThis.location?.origin;
  return origin && origin !== 'null' ? origin : undefined;
};

/** An absolute URL with credentials in it (which the client sends as Basic auth). */
const USERINFO = /^[a-z][a-z\d+.-]*:\/\/[^/?#]*@/i;

const CLIENT_KEYS = new Set(['baseUrl', 'headers', 'params', 'auth', 'timeout', 'followRedirects',
  'maxRedirects', 'eventHooks', 'transport', 'mounts', 'credentials', 'defaultEncoding']);
const REQUEST_KEYS = new Set(['params', 'headers', 'content', 'json', 'data', 'files', 'auth', 'timeout',
  'followRedirects', 'credentials', 'signal']);

/** The options object, after checking that each key is one of `known`: a misspelt or
 * snake_case option (httpx's `follow_redirects`) would otherwise do nothing. */
const checkOptions = (options, known, what) => {
  if (options == null) return {};
  if (typeof options !== 'object') throw new TypeError(`${what} options must be an object`);
  for (const key of Object.keys(options)) {
    if (known.has(key)) continue;
    const camel = key.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
    const hint = known.has(camel) ? ` (did you mean ${JSON.stringify(camel)}?)` : '';
    throw new TypeError(`unknown ${what} option ${JSON.stringify(key)}${hint}`);
  }
  return options;
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

export class AsyncClient {
  /**
   * @param {object} [options] see index.d.ts (`ClientOptions`)
   */
  constructor(options = {}) {
    wasm();
    const o = checkOptions(options, CLIENT_KEYS, 'client');
    this._headers = new Headers(o.headers);
    this._defaultEncoding = o.defaultEncoding;
    this._closed = false;
    this._hasAuth = o.auth != null;
    this._credentials = o.credentials;
    /** The event hooks; the arrays (or the object) can be changed later. */
    this.eventHooks = { request: [...(o.eventHooks?.request ?? [])], response: [...(o.eventHooks?.response ?? [])] };
    for (const key of ['followRedirects']) {
      if (o[key] != null && typeof o[key] !== 'boolean') throw new TypeError(`${key} must be a boolean`);
    }
    if (o.maxRedirects != null && !(Number.isInteger(o.maxRedirects) && o.maxRedirects >= 0)) {
      throw new TypeError('maxRedirects must be a non-negative integer');
    }
    const mounts = [];
    for (const [pattern, transport] of Object.entries(o.mounts ?? {})) mounts.push(pattern, transportOf(transport));
    this._raw = new RawClient({
      baseUrl: o.baseUrl == null ? documentOrigin() : String(o.baseUrl),
      headers: o.headers == null ? undefined : this._headers._flat(),
      params: o.params == null ? undefined : pairsOf(o.params),
      auth: authOf(o.auth),
      timeout: timeoutOf(o.timeout),
      followRedirects: o.followRedirects,
      maxRedirects: o.maxRedirects,
      credentials: o.credentials,
      transport: transportOf(o.transport),
      mounts,
      // Always installed, since the hook lists may change after construction; the
      // Rust side asks `hasHooks` first, so a client without hooks pays nothing.
      hasHooks: (kind) => (this.eventHooks?.[kind]?.length ?? 0) > 0,
      requestHook: async (raw) => {
        const request = Request._fromRaw(raw);
        for (const hook of [...this.eventHooks.request]) await hook(request);
        return request._toRaw();
      },
      responseHook: async (handle) => {
        const response = Response._fromHandle(handle, this._defaultEncoding);
        for (const hook of [...this.eventHooks.response]) await hook(response);
      },
    });
  }

  get isClosed() {
    return this._closed;
  }

  /** Sends a request; the response's body is read. */
  request(method, url, options) {
    return this._send(method, url, options, false);
  }

  /** Sends a request and leaves the body unread: read it with `iterBytes()`,
   * `iterText()`, `iterLines()` or `read()`, or `close()` the response. */
  stream(method, url, options) {
    return this._send(method, url, options, true);
  }

  async _send(method, url, options = {}, stream) {
    const o = checkOptions(options, REQUEST_KEYS, 'request');
    if (o.followRedirects != null && typeof o.followRedirects !== 'boolean') {
      throw new TypeError('followRedirects must be a boolean');
    }
    const headers = o.headers == null ? undefined : new Headers(o.headers);
    const contentType = headers?.get('content-type') ?? this._headers.get('content-type');
    const send = { method: String(method), url: String(url), stream };
    if (headers) send.headers = headers._flat();
    if (o.params != null) send.params = pairsOf(o.params);
    // httpx's precedence: content, then files (with data), then data, then json; null
    // is absent, as None.
    if (o.content != null) {
      send.content = await bodyOf(o.content);
    } else if (o.files != null && hasEntries(o.files)) {
      send.files = await filesOf(o.files);
      if (o.data != null) send.form = pairsOf(o.data);
      if (contentType?.toLowerCase().startsWith('multipart/form-data')) {
        send.boundary = contentTypeParam(contentType, 'boundary');
      }
      send.contentType = !contentType;
    } else if (o.data != null) {
      send.form = pairsOf(o.data);
    } else if (o.json != null) {
      send.content = utf8(JSON.stringify(o.json));
      if (!contentType) send.headers = [...(send.headers ?? []), 'Content-Type', 'application/json'];
    }
    send.auth = authOf(o.auth);
    send.timeout = timeoutOf(o.timeout);
    send.followRedirects = o.followRedirects;
    send.credentials = o.credentials ?? this._credentials;
    const signal = o.signal ?? undefined;
    if (signal !== undefined) {
      if (typeof signal?.addEventListener !== 'function' || typeof signal.aborted !== 'boolean') {
        throw new TypeError('signal must be an AbortSignal');
      }
      signal.throwIfAborted?.();
      send.signal = signal;
    }
    // A same-origin 401 with credentials on makes the browser prompt for a login and
    // hold the response; when this client answers challenges itself, it does not ask
    // for credentials mode (cookies) unless told to.
    const hasAuth = (o.auth === undefined ? this._hasAuth : o.auth !== null) || USERINFO.test(send.url);
    if (hasAuth && send.credentials === undefined && documentOrigin()) send.credentials = 'omit';
    const sentAt = now();
    const handle = await this._raw.send(send);
    const response = Response._fromHandle(handle, this._defaultEncoding);
    response._sentAt = sentAt;
    // Read already: the wasm side's copy is not needed any more.
    if (response._content !== undefined) {
      response._finish();
    } else if (signal !== undefined) {
      // As fetch: aborting the signal later stops the body, with the signal's reason.
      const onAbort = () => {
        response._abortReason = signal.reason;
        response.close();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      response._stopListening = () => signal.removeEventListener('abort', onAbort);
    }
    return response;
  }

  /** Closes the client: later requests fail with `InvalidState`. */
  async close() {
    this._closed = true;
    await this._raw.close();
  }
}

for (const method of METHODS) {
  AsyncClient.prototype[method] = function (url, options) {
    return this.request(method.toUpperCase(), url, options);
  };
}
if (Symbol.asyncDispose) {
  AsyncClient.prototype[Symbol.asyncDispose] = AsyncClient.prototype.close;
  Response.prototype[Symbol.asyncDispose] = Response.prototype.close;
}

// ---------------------------------------------------------------------------------
// Top-level helpers: a one-off client per call.

const CLIENT_OPTIONS = ['transport', 'mounts', 'credentials', 'defaultEncoding', 'maxRedirects', 'eventHooks'];

const ONE_OFF_KEYS = new Set([...CLIENT_OPTIONS, ...REQUEST_KEYS]);

const oneOff = async (method, url, options, stream) => {
  const clientOptions = {};
  const requestOptions = {};
  for (const [key, value] of Object.entries(checkOptions(options, ONE_OFF_KEYS, 'request'))) {
    (CLIENT_OPTIONS.includes(key) ? clientOptions : requestOptions)[key] = value;
  }
  const client = new AsyncClient(clientOptions);
  try {
    return await client._send(method, url, requestOptions, stream);
  } finally {
    await client.close();
  }
};

/** A request with a one-off client. */
export const request = (method, url, options) => oneOff(method, url, options, false);
/** A streamed request with a one-off client. */
export const stream = (method, url, options) => oneOff(method, url, options, true);
export const get = (url, options) => oneOff('GET', url, options, false);
export const post = (url, options) => oneOff('POST', url, options, false);
export const put = (url, options) => oneOff('PUT', url, options, false);
export const patch = (url, options) => oneOff('PATCH', url, options, false);
// `delete` is a reserved word: exported under its name from a local one.
const del = (url, options) => oneOff('DELETE', url, options, false);
export { del as delete };
export const head = (url, options) => oneOff('HEAD', url, options, false);
export const options = (url, opts) => oneOff('OPTIONS', url, opts, false);
