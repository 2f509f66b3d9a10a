// The shared suite (tests/suite.js) in Node, on the package's Node entry, against the
// test server named by HTTPX_TEST_SERVER (make test-npm starts it); plus what only Node
// can show: apps of real routers (Hono, itty-router) through AppTransport.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as httpx from '../dist/node.js';
import { cases } from './suite.js';

const base = process.env.HTTPX_TEST_SERVER;
if (!base) throw new Error('HTTPX_TEST_SERVER is not set: run through tools/with-test-server.sh (make test-npm)');

for (const [name, fn] of cases) {
  test(name, () => fn(httpx, base, 'node'));
}

test('a Hono app through AppTransport, with no server', async () => {
  const { Hono } = await import('hono');
  const app = new Hono();
  app.get('/users/:id', (c) => c.json({ id: c.req.param('id'), agent: c.req.header('user-agent') }));
  app.post('/echo', async (c) => c.text(await c.req.text(), 202));
  const client = new httpx.AsyncClient({ transport: new httpx.AppTransport(app), baseUrl: 'http://hono.test' });
  const user = (await client.get('/users/7')).json();
  assert.equal(user.id, '7');
  assert.match(user.agent, /^httpx/, "the client's default User-Agent reaches in-process apps");
  const echoed = await client.post('/echo', { content: 'hello' });
  assert.equal(echoed.status, 202);
  assert.equal(echoed.text(), 'hello');
  assert.equal((await client.get('/missing')).status, 404);
  await client.close();
});

test('an itty-router app through AppTransport', async () => {
  const { AutoRouter } = await import('itty-router');
  const router = AutoRouter();
  router.get('/items/:id', ({ params, query }) => ({ id: params.id, sort: query.sort }));
  const client = new httpx.AsyncClient({ transport: new httpx.AppTransport(router), baseUrl: 'http://itty.test' });
  const response = await client.get('/items/3', { params: { sort: 'asc' } });
  assert.equal(response.status, 200);
  assert.deepEqual(response.json(), { id: '3', sort: 'asc' });
  await client.close();
});

test('the package entry chooses the Node build by its export conditions', async () => {
  const viaName = await import('httpx-wasm');
  assert.equal(viaName.AsyncClient, httpx.AsyncClient);
});
