// Journey: a discovery against a server that accepts the connection and never answers shows a
// spinner with Cancel; Cancel ends it at once, shown quietly as cancelled, with the request that
// was waiting in the exchanges and its connection closed (issue 10).

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';

import { launchApp } from './app.mjs';

/** A TCP server on 127.0.0.1 that accepts connections and never answers. */
async function startSilentServer() {
  const sockets = new Set();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    // Read and discard the request (a stream nobody reads never sees the peer's close).
    socket.resume();
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    sockets,
    accepted: () => accepted,
    url: `http://127.0.0.1:${server.address().port}`,
  };
}

describe('cancel a discovery that never answers', { timeout: 120_000 }, () => {
  let app;
  let silent;

  before(async () => {
    silent = await startSilentServer();
    app = await launchApp();
    await app.click('nav-discover');
  });

  after(async () => {
    await app?.close();
    for (const socket of silent?.sockets ?? []) socket.destroy();
    await new Promise((resolve) => silent?.server.close(resolve));
  });

  it('shows a spinner with Cancel, and Cancel ends the wait at once', async () => {
    await app.paste('discover-issuer', silent.url);
    await app.click('discover-run');
    await app.byTestId('discover-pending');
    await app.browser.waitUntil(() => silent.accepted() > 0, {
      timeout: 5_000,
      timeoutMsg: 'the app never connected to the silent server',
    });
    await app.screenshot('discover-pending');

    const started = Date.now();
    await app.click('discover-cancel');
    await app.byTestId('discover-cancelled', { timeout: 2_000 });
    const took = Date.now() - started;
    assert.ok(took < 2_000, `cancelled state shown after ${took} ms`);
    assert.equal(await app.isShown('discover-pending'), false);
    assert.equal(await app.isShown('discover-error'), false, 'a cancel is not an error');

    // The request that was waiting is listed, without a response.
    const row = await (await app.byTestId('exchange-row-0')).getText();
    assert.ok(row.includes(`${silent.url}/.well-known/openid-configuration`), `row: ${row}`);
    assert.match(row, /no response/);
    // Cancelling dropped the request: the app closed its connection.
    await app.browser.waitUntil(() => silent.sockets.size === 0, {
      timeout: 2_000,
      timeoutMsg: 'the cancelled request kept its connection open',
    });

    await app.screenshot('discover-cancelled');
  });
});
