// Types of httpx-wasm: httpx's client for JavaScript (browsers, workers, Node >= 18).
// Times are milliseconds.

// ---------------------------------------------------------------------------------
// Exceptions: httpx's tree.

export interface ErrorOptions {
  request?: Request;
  /** The error this one comes from (`Error.cause`): the `SyntaxError` of `json()`. */
  cause?: unknown;
}

/** Any error from sending a request or from `raiseForStatus()`. */
export class HTTPError extends Error {
  constructor(message: string, options?: ErrorOptions);
  /** The request the error happened on (method and URL), when known. */
  request: Request | undefined;
}
/** An error while sending a request. */
export class RequestError extends HTTPError {}
/** An error of the transport (the network, a timeout, the protocol). */
export class TransportError extends RequestError {}
export class TimeoutException extends TransportError {}
/** No response started within the connect timeout (fetch cannot tell a connection apart). */
export class ConnectTimeout extends TimeoutException {}
/** The response did not start, or its body stalled, within the read timeout. */
export class ReadTimeout extends TimeoutException {}
export class WriteTimeout extends TimeoutException {}
export class PoolTimeout extends TimeoutException {}
/** The whole exchange (redirects and auth steps included) passed `timeout.total`. Not in httpx. */
export class TotalTimeout extends TimeoutException {}
export class NetworkError extends TransportError {}
/** The request could not be sent (refused connection, DNS, CORS in browsers, ...). */
export class ConnectError extends NetworkError {}
export class ReadError extends NetworkError {}
export class WriteError extends NetworkError {}
export class CloseError extends NetworkError {}
export class ProtocolError extends TransportError {}
/** The request breaks the protocol or what the host allows (a forbidden header, ...). */
export class LocalProtocolError extends ProtocolError {}
export class RemoteProtocolError extends ProtocolError {}
export class ProxyError extends TransportError {}
export class UnsupportedProtocol extends TransportError {}
/** A body that could not be decoded: corrupt content, or `json()` of a body that is not JSON. */
export class DecodingError extends RequestError {}
export class TooManyRedirects extends RequestError {}
/** From `raiseForStatus()`: a status that is not 2xx. */
export class HTTPStatusError extends HTTPError {
  constructor(message: string, options: { request: Request; response: Response });
  request: Request;
  response: Response;
}
export class InvalidURL extends Error {
  request?: Request;
}
export class CookieConflict extends Error {}
export class StreamError extends Error {}
export class StreamConsumed extends StreamError {
  constructor(message?: string);
}
export class StreamClosed extends StreamError {
  constructor(message?: string);
}
export class ResponseNotRead extends StreamError {
  constructor(message?: string);
}
export class RequestNotRead extends StreamError {
  constructor(message?: string);
}
/** httpx's RuntimeError cases: a closed client, a response read twice at once, ... */
export class InvalidState extends Error {
  request?: Request;
}

// ---------------------------------------------------------------------------------
// Headers

export type HeadersInit =
  | Headers
  | globalThis.Headers
  | Iterable<readonly [string, string]>
  | Record<string, string | number | readonly (string | number)[]>;

/** httpx's case-insensitive, order-keeping multi-dict of headers. */
export class Headers implements Iterable<[string, string]> {
  constructor(init?: HeadersInit | null);
  /** The values of `name` joined with ", ", or `null`. */
  get(name: string): string | null;
  get<T>(name: string, defaultValue: T): string | T;
  /** Every value of `name`; with `splitCommas`, comma-separated values are split too. */
  getList(name: string, splitCommas?: boolean): string[];
  has(name: string): boolean;
  /** Sets `name`, replacing its values. */
  set(name: string, value: string | number): this;
  /** Adds a value, keeping the earlier ones. */
  append(name: string, value: string | number): this;
  setDefault(name: string, value: string | number): string;
  delete(name: string): boolean;
  /** Each name of `other` replaces this one's values. */
  update(other: HeadersInit): this;
  copy(): Headers;
  /** The distinct names, lowercase. */
  keys(): string[];
  values(): string[];
  /** `[name, value]` per name, repeats joined with ", ". */
  items(): [string, string][];
  entries(): [string, string][];
  /** Every pair, names lowercase, repeats kept. */
  multiItems(): [string, string][];
  /** Every pair as given. */
  readonly raw: [string, string][];
  /** The number of distinct names. */
  readonly size: number;
  forEach(callback: (value: string, name: string, headers: Headers) => void, thisArg?: unknown): void;
  [Symbol.iterator](): Iterator<[string, string]>;
  toJSON(): Record<string, string>;
}

// ---------------------------------------------------------------------------------
// Request and Response

export type Bytes = string | ArrayBuffer | ArrayBufferView;

export interface RequestInit {
  headers?: HeadersInit;
  content?: Bytes;
  json?: unknown;
}

/** A request, as auth flows, event hooks and transports see it. Mutable. */
export class Request {
  constructor(method: string, url: string | URL, options?: RequestInit);
  method: string;
  url: string;
  headers: Headers;
  /** The body; `RequestNotRead` for a streaming body. Assign to replace it. */
  get content(): Uint8Array;
  set content(value: Bytes);
}

export type BodyStream = ReadableStream<Uint8Array | string> | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

export interface ResponseInit {
  headers?: HeadersInit;
  /** Bytes, or a stream of chunks. */
  content?: Bytes | BodyStream;
  /** `text/plain; charset=utf-8` */
  text?: string;
  /** `text/html; charset=utf-8` */
  html?: string;
  /** `application/json` */
  json?: unknown;
  request?: Request;
  reasonPhrase?: string;
  httpVersion?: string;
}

/** A `Link` header entry: its URL and parameters (`rel`, `type`, ...). */
export interface Link {
  url: string;
  rel?: string;
  [param: string]: string | undefined;
}

export class Response implements AsyncIterable<Uint8Array> {
  /** A response, for mock transports and tests. */
  constructor(status: number, options?: ResponseInit);
  status: number;
  /** The reason phrase the server sent, or the standard one. */
  readonly reasonPhrase: string;
  /** "HTTP/1.1" (fetch does not tell the version). */
  httpVersion: string;
  /** The URL of this response: where redirects the host followed ended. */
  readonly url: string | undefined;
  headers: Headers;
  /** The request this response answers. */
  request: Request | undefined;
  /** The redirect and auth responses before this one, oldest first. */
  history: Response[];
  /** When redirects are not followed: the request the redirect points to. */
  nextRequest: Request | null;
  /** A browser's redirect with `followRedirects: false`: status 0, no headers. */
  isOpaqueRedirect: boolean;
  /** Milliseconds from sending until the body was read or closed (`InvalidState` before). */
  readonly elapsed: number;
  readonly isInformational: boolean;
  readonly isSuccess: boolean;
  /** Any 3xx, or the browser's opaque redirect. */
  readonly isRedirect: boolean;
  readonly isClientError: boolean;
  readonly isServerError: boolean;
  readonly isError: boolean;
  readonly hasRedirectLocation: boolean;
  readonly isClosed: boolean;
  readonly isStreamConsumed: boolean;
  /** The `Link` header, keyed by `rel` (or URL). */
  readonly links: Record<string, Link>;
  readonly charsetEncoding: string | undefined;
  /** The text encoding; settable before `text()` is called. */
  encoding: string;
  /** The same as `bytes()`. */
  readonly content: Uint8Array;
  /** The body (`ResponseNotRead` for a `stream()` response not read yet). */
  bytes(): Uint8Array;
  text(): string;
  /** The body parsed as JSON: UTF-8, UTF-16 or UTF-32 by BOM or by the zero bytes of
   * the first characters (`encoding` only when the bytes are not valid in that one);
   * `DecodingError` (its `cause` the `SyntaxError`) when the body is not JSON. */
  json<T = any>(): T;
  /** The response when its status is 2xx; else throws `HTTPStatusError`, with the
   * core's message (the URL without credentials); `InvalidState` without a request. */
  raiseForStatus(): this;
  /** Reads the whole body of a `stream()` response. */
  read(): Promise<Uint8Array>;
  /** Closes the response without reading the rest of its body. */
  close(): Promise<void>;
  /** The body in chunks as they arrive, or re-chunked to `chunkSize` bytes (a positive integer). */
  iterBytes(chunkSize?: number): AsyncGenerator<Uint8Array, void, undefined>;
  iterText(): AsyncGenerator<string, void, undefined>;
  iterLines(): AsyncGenerator<string, void, undefined>;
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array>;
}

// ---------------------------------------------------------------------------------
// Auth

/** The iterator an auth flow returns: it yields requests and receives responses. */
export type AuthFlow =
  | Generator<Request, void, Response>
  | AsyncGenerator<Request, void, Response>;

/** Custom auth: httpx's generator model. `requiresRequestBody` makes the body
 * available as `request.content`; `requiresResponseBody` reads each response before the
 * flow sees it. */
export interface AuthLike {
  authFlow(request: Request): AuthFlow;
  readonly requiresRequestBody?: boolean;
  readonly requiresResponseBody?: boolean;
}

/** The base class of auth schemes: override `authFlow`. */
export class Auth implements AuthLike {
  authFlow(request: Request): AuthFlow;
  readonly requiresRequestBody: boolean;
  readonly requiresResponseBody: boolean;
}
export class BasicAuth extends Auth {
  constructor(username: string, password: string);
  username: string;
  password: string;
}
export class DigestAuth extends Auth {
  constructor(username: string, password: string);
  username: string;
  password: string;
}
export type AuthFunction = (request: Request) => Request | void | Promise<Request | void>;
export class FunctionAuth extends Auth {
  constructor(fn: AuthFunction);
}
/** `[username, password]` is Basic auth; `null` turns the client's auth off for a request. */
export type AuthTypes = readonly [string, string] | AuthLike | AuthFunction;

// ---------------------------------------------------------------------------------
// Timeouts (milliseconds; null = no limit)

export interface TimeoutFields {
  connect?: number | null;
  read?: number | null;
  write?: number | null;
  pool?: number | null;
  /** A deadline for the whole exchange (not in httpx). */
  total?: number | null;
}
export class Timeout {
  constructor(timeout?: number | null, fields?: TimeoutFields);
  connect: number | null;
  read: number | null;
  write: number | null;
  pool: number | null;
  total: number | null;
}
/** A number for connect, read, write and pool (5000 by default); `null` for no limits;
 * an object for each one (unset ones 5000, `total` none). */
export type TimeoutTypes = number | null | false | TimeoutFields | Timeout;

// ---------------------------------------------------------------------------------
// Transports

export class AsyncBaseTransport {
  handleAsyncRequest(request: Request): Promise<Response | globalThis.Response>;
}
/** The host's fetch (the default). The client calls it itself: it cannot be wrapped by a
 * JavaScript transport (`handleAsyncRequest` throws a TypeError). */
export class FetchTransport extends AsyncBaseTransport {
  constructor(options?: { streamingUploads?: boolean });
  streamingUploads: boolean;
}
export type MockHandler = (
  request: Request,
) => Response | globalThis.Response | Promise<Response | globalThis.Response>;
export class MockTransport extends AsyncBaseTransport {
  constructor(handler: MockHandler);
  handler: MockHandler;
}
export type FetchHandler = (request: globalThis.Request) => globalThis.Response | Promise<globalThis.Response>;
/** An in-process fetch handler: a Hono or itty-router app's `fetch`, or the app itself. */
export class AppTransport extends AsyncBaseTransport {
  constructor(app: FetchHandler | { fetch: FetchHandler });
  app: FetchHandler;
}
export type TransportLike = { handleAsyncRequest(request: Request): Promise<Response | globalThis.Response> };

// ---------------------------------------------------------------------------------
// Options

export type Primitive = string | number | boolean | null | undefined;
export type ParamsTypes =
  | string
  | URLSearchParams
  | Iterable<readonly [string, Primitive]>
  | Record<string, Primitive | readonly Primitive[]>;

export type RequestContent = Bytes | Blob | BodyStream;

/** A file: its content (a File's name and type are used), or
 * `[filename, content, contentType?, headers?]`. */
export type FileTypes =
  | Blob
  | Bytes
  | readonly [string | undefined, Blob | Bytes, string?, HeadersInit?];

export interface RequestOptions {
  params?: ParamsTypes;
  headers?: HeadersInit;
  /** A raw body. */
  content?: RequestContent;
  /** A JSON body (`application/json`). */
  json?: unknown;
  /** Form fields: urlencoded, or multipart with `files`. */
  data?: ParamsTypes;
  files?: Record<string, FileTypes> | Iterable<readonly [string, FileTypes]>;
  /** Auth for this request; `null` for none. */
  auth?: AuthTypes | null;
  timeout?: TimeoutTypes;
  followRedirects?: boolean;
  /** fetch's `credentials` for this request. */
  credentials?: Credentials;
  /** Aborting it cancels the request (and later its body, for `stream()`): the promise
   * or the body's reads reject with the signal's reason, as fetch's do. */
  signal?: AbortSignal;
}

export type Credentials = 'omit' | 'same-origin' | 'include';
export type EventHook<T> = (value: T) => void | Promise<void>;

export interface ClientOptions {
  /** Prepended to relative request URLs (httpx's merge: the base's path is kept). In a
   * page or a worker it defaults to the document's origin, so `client.get("/api")`
   * works there; Node has no default. */
  baseUrl?: string | URL;
  headers?: HeadersInit;
  params?: ParamsTypes;
  auth?: AuthTypes;
  timeout?: TimeoutTypes;
  /** false by default, as in httpx. */
  followRedirects?: boolean;
  /** 20 by default (fetch cannot follow fewer when it follows them itself). */
  maxRedirects?: number;
  eventHooks?: { request?: EventHook<Request>[]; response?: EventHook<Response>[] };
  transport?: TransportLike;
  /** URL patterns ("all://api.local", "https://*.example.org") to transports; `null`
   * for the client's own transport. */
  mounts?: Record<string, TransportLike | null>;
  /** fetch's `credentials` (cookies) for every request. In browsers, a request with
   * auth (the client's or its own) is sent with `"omit"` unless this or the request's
   * `credentials` says otherwise: with credentials on, a same-origin 401 makes the
   * browser show its own login prompt instead of returning the challenge. */
  credentials?: Credentials;
  /** The text encoding when Content-Type names none: a label, or a function that guesses
   * from the bytes. */
  defaultEncoding?: string | ((content: Uint8Array) => string | null | undefined);
}

export class AsyncClient {
  constructor(options?: ClientOptions);
  readonly isClosed: boolean;
  /** The hooks; the arrays or the object may be changed at any time. */
  eventHooks: { request: EventHook<Request>[]; response: EventHook<Response>[] };
  request(method: string, url: string | URL, options?: RequestOptions): Promise<Response>;
  /** The response's body is left unread: iterate it, `read()` it or `close()` it. */
  stream(method: string, url: string | URL, options?: RequestOptions): Promise<Response>;
  get(url: string | URL, options?: RequestOptions): Promise<Response>;
  post(url: string | URL, options?: RequestOptions): Promise<Response>;
  put(url: string | URL, options?: RequestOptions): Promise<Response>;
  patch(url: string | URL, options?: RequestOptions): Promise<Response>;
  delete(url: string | URL, options?: RequestOptions): Promise<Response>;
  head(url: string | URL, options?: RequestOptions): Promise<Response>;
  options(url: string | URL, options?: RequestOptions): Promise<Response>;
  close(): Promise<void>;
}

/** Options of the top-level helpers: a request's, plus these of the one-off client. */
export interface TopLevelOptions extends RequestOptions {
  transport?: TransportLike;
  mounts?: ClientOptions['mounts'];
  maxRedirects?: number;
  defaultEncoding?: ClientOptions['defaultEncoding'];
  eventHooks?: ClientOptions['eventHooks'];
}

export function request(method: string, url: string | URL, options?: TopLevelOptions): Promise<Response>;
export function stream(method: string, url: string | URL, options?: TopLevelOptions): Promise<Response>;
export function get(url: string | URL, options?: TopLevelOptions): Promise<Response>;
export function post(url: string | URL, options?: TopLevelOptions): Promise<Response>;
export function put(url: string | URL, options?: TopLevelOptions): Promise<Response>;
export function patch(url: string | URL, options?: TopLevelOptions): Promise<Response>;
declare function del(url: string | URL, options?: TopLevelOptions): Promise<Response>;
export { del as delete };
export function head(url: string | URL, options?: TopLevelOptions): Promise<Response>;
export function options(url: string | URL, options?: TopLevelOptions): Promise<Response>;
