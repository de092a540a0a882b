import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { buildApp } from '../src/app.js';
import { probe, traffic } from '../src/client.js';

describe('client mode', () => {
  let app;
  let base;
  before(async () => {
    app = buildApp();
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${app.server.address().port}`;
  });
  after(() => app.close());

  it('probe succeeds only on 200', async () => {
    assert.equal(await probe(`${base}/readyz`), true);
    assert.equal(await probe(`${base}/no/such/page`), false);
    app.state.draining = true;
    assert.equal(await probe(`${base}/readyz`), false);
    app.state.draining = false;
  });

  it('probe fails when nothing listens', async () => {
    const closed = buildApp();
    await closed.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${closed.server.address().port}/readyz`;
    await closed.close();
    assert.equal(await probe(url), false);
  });

  it('traffic counts requests answered with 200 and the others', async () => {
    assert.deepEqual(await traffic(`${base}/`, 0.5, 10), { answered: 5, failed: 0 });
    app.state.draining = true;
    assert.deepEqual(await traffic(`${base}/readyz`, 0.2, 10), { answered: 0, failed: 2 });
    app.state.draining = false;
  });
});
