// Type-checks the package's declarations as a user sees them (`import ... from
// "httpx-wasm"`): tests/types.test.js runs `tsc --noEmit -p tests/types`. The lines after
// an expect-error directive must fail to type-check.

import * as httpx from 'httpx-wasm';
import {
  AppTransport,
  AsyncClient,
  Auth,
  BasicAuth,
  ConnectTimeout,
  DigestAuth,
  FunctionAuth,
  Headers,
  HTTPError,
  HTTPStatusError,
  MockTransport,
  ReadTimeout,
  Request,
  RequestError,
  Response,
  TimeoutException,
  Timeout,
  TransportError,
} from 'httpx-wasm';

class TokenAuth extends Auth {
  constructor(private token: string) {
    super();
  }
  override *authFlow(request: Request): Generator<Request, void, Response> {
    request.headers.set('Authorization', `Bearer ${this.token}`);
    const response: Response = yield request;
    if (response.status === 401) {
      request.headers.set('Authorization', 'Bearer refreshed');
      yield request;
    }
  }
}

const refreshing: httpx.AuthLike = {
  requiresResponseBody: true,
  async *authFlow(request) {
    const response = yield request;
    if (response.json<{ expired: boolean }>().expired) yield request;
  },
};

export async function usage(): Promise<void> {
  const client = new AsyncClient({
    baseUrl: 'https://api.example.org',
    headers: { Accept: 'application/json' },
    params: { page: 1, tags: ['a', 'b'] },
    auth: ['user', 'pass'],
    timeout: new Timeout(10_000, { connect: 2_000, total: 30_000 }),
    followRedirects: true,
    maxRedirects: 20,
    credentials: 'include',
    defaultEncoding: (bytes) => (bytes[0] === 0xff ? 'utf-16le' : null),
    eventHooks: {
      request: [(request) => void request.headers.set('X-Trace', '1')],
      response: [async (response) => void (await response.read()).byteLength],
    },
    mounts: {
      'https://mock.test': new MockTransport(() => new Response(200, { json: { ok: true } })),
      'all://app.local': new AppTransport({ fetch: (req) => globalThis.Response.json({ url: req.url }) }),
      'all://passthrough.test': null,
    },
  });

  const response = await client.get('/items', { params: { q: 'x' }, timeout: 500 });
  const status: number = response.status;
  const reason: string = response.reasonPhrase;
  const items = response.raiseForStatus().json<{ items: string[] }>().items;
  const text: string = response.text();
  const bytes: Uint8Array = response.bytes();
  const elapsed: number = response.elapsed;
  const next: string | undefined = response.links.next?.url;
  const hops: number[] = response.history.map((r) => r.status);
  const flags: boolean[] = [response.isSuccess, response.isRedirect, response.isError, response.isOpaqueRedirect];
  const contentType: string | null = response.headers.get('content-type');
  const all: string[] = response.headers.getList('set-cookie');

  await client.post('/items', { json: { name: 'n' }, auth: new DigestAuth('u', 'p') });
  await client.put('/items/1', { data: { a: '1' }, files: { f: ['a.txt', 'content', 'text/plain'] } });
  await client.patch('/items/1', { content: new Uint8Array([1]), auth: null, followRedirects: false });
  await client.delete('/items/1', { auth: new TokenAuth('t') });
  await client.options('/items', { auth: refreshing, credentials: 'omit', signal: AbortSignal.timeout(1_000) });
  await client.head('/items', { auth: new FunctionAuth((request) => request) });
  await client.request('PROPFIND', new URL('https://api.example.org/dav'), { headers: new Headers([['Depth', '1']]) });

  const streamed = await client.stream('GET', '/large');
  for await (const chunk of streamed.iterBytes(65_536)) chunk.byteLength;
  for await (const line of streamed.iterLines()) line.toUpperCase();
  for await (const piece of streamed.iterText()) piece.length;
  for await (const chunk of streamed) chunk.byteLength;
  await streamed.close();

  try {
    await httpx.get('https://example.org', { timeout: { read: 100 } });
  } catch (error) {
    if (error instanceof HTTPStatusError) {
      const failed: Response = error.response;
      const sent: Request = error.request;
      void [failed, sent];
    } else if (error instanceof ReadTimeout || error instanceof ConnectTimeout) {
      const asTimeout: TimeoutException = error;
      const asTransport: TransportError = asTimeout;
      const asRequest: RequestError = asTransport;
      const asHttp: HTTPError = asRequest;
      void asHttp.request?.url;
    }
  }

  await httpx.post('https://example.org', { json: [1, 2], transport: new MockTransport(async (req) => new Response(201, { content: req.content })) });
  await client.close();

  void [status, reason, items, text, bytes, elapsed, next, hops, flags, contentType, all, BasicAuth];

  // @ts-expect-error the status is a number
  const wrongStatus: string = response.status;
  // @ts-expect-error credentials is fetch's enumeration
  new AsyncClient({ credentials: 'always' });
  // @ts-expect-error an auth flow yields Requests
  const badAuth: httpx.AuthLike = { *authFlow() { yield 'nope'; } };
  // @ts-expect-error bodies of a stream() response are iterated asynchronously
  for (const chunk of streamed.iterBytes()) void chunk;
  void [wrongStatus, badAuth];
}
