// Journey (issue 15's done-when): a whole session from the keyboard alone, in the real window.
// Paste a token outside any field (the system clipboard, Ctrl+V), switch views with Ctrl+N,
// verify with Ctrl+Enter, diff from "Diff with…", discover a local provider (ONE info row for
// its plain-http endpoints) and cancel a discovery that never answers with Esc — and the caret
// is where the user put it at every step, never moved behind their back.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launchApp, ROOT } from './app.mjs';

const SECRET = 'keyboard-journey-secret-of-32-bytes!';
const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
function hs256(payload) {
  const input = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(payload)}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}
const TOKEN_A = hs256({ sub: 'alice', iat: 1_700_000_000, exp: 4_102_444_800, scope: 'read' });
const TOKEN_B = hs256({ sub: 'alice', iat: 1_700_000_900, exp: 4_102_445_700, scope: 'read write' });

const fixture = (name) => readFileSync(path.join(ROOT, 'tests/fixtures/discovery', name), 'utf8');

/** The Google-modelled metadata on 127.0.0.1: every endpoint plain http on loopback. */
async function startProvider() {
  const server = http.createServer((req, res) => {
    const base = `http://127.0.0.1:${server.address().port}`;
    const routes = {
      '/google/.well-known/openid-configuration': fixture('google.json').replaceAll('{{base}}', base),
      '/jwks': fixture('jwks.json'),
    };
    const body = routes[req.url];
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(body ?? '{"error":"not found"}');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, issuer: `http://127.0.0.1:${server.address().port}/google` };
}

/** Accepts connections and never answers. */
async function startSilentServer() {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.resume();
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, sockets, url: `http://127.0.0.1:${server.address().port}` };
}

describe('a session from the keyboard alone', { timeout: 180_000 }, () => {
  let app;
  let provider;
  let silent;

  /** The test id (or tag) of the element with the caret. */
  const focused = () =>
    app.browser.execute(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return 'body';
      return el.dataset.testid ?? el.tagName.toLowerCase();
    });
  const keys = (...k) => app.browser.keys(k);
  /**
   * Types text the way a person does, key by key. One action per key: within one action a key
   * still held (the second t of "http") would not be pressed again.
   */
  const type = async (text) => {
    for (const ch of text) await app.browser.keys(ch);
  };
  const activeView = () =>
    app.browser.execute(() => document.querySelector('nav [aria-current="page"]')?.dataset.testid);

  /**
   * Puts `text` on the system clipboard with real keystrokes (Ctrl+A, Ctrl+C in a scratch field
   * that is removed afterwards): the app is then pasted into exactly as from another program.
   */
  async function copyToClipboard(text) {
    await app.browser.execute((value) => {
      const scratch = document.createElement('textarea');
      scratch.id = 'clipboard-scratch';
      scratch.value = value;
      document.body.append(scratch);
    }, text);
    await (await app.browser.$('#clipboard-scratch')).click();
    await keys('Control', 'a');
    await keys('Control', 'c');
    await app.browser.execute(() => document.getElementById('clipboard-scratch').remove());
  }

  before(async () => {
    provider = await startProvider();
    silent = await startSilentServer();
    app = await launchApp();
    await app.byTestId('token-input');
  });

  after(async () => {
    await app?.close();
    await new Promise((resolve) => provider?.server.close(resolve));
    for (const socket of silent?.sockets ?? []) socket.destroy();
    await new Promise((resolve) => silent?.server.close(resolve));
  });

  it('opens a token pasted outside any field in Inspect', async () => {
    await keys('Control', '3');
    assert.equal(await activeView(), 'nav-diff');
    await copyToClipboard(`Bearer ${TOKEN_A}`);
    assert.equal(await focused(), 'body');

    await keys('Control', 'v');
    await app.waitForText('token-format', /JWS/);
    assert.equal(await activeView(), 'nav-inspect');
    assert.equal(await (await app.byTestId('token-input')).getValue(), `Bearer ${TOKEN_A}`);
    assert.equal(await focused(), 'body', 'a paste does not move the caret');
  });

  it('verifies with Ctrl+2, Tab and Ctrl+Enter, the caret staying in the key field', async () => {
    await keys('Control', '2');
    assert.equal(await activeView(), 'nav-verify');
    assert.equal(await focused(), 'verify-token');
    assert.equal(await (await app.byTestId('verify-token')).getValue(), `Bearer ${TOKEN_A}`);

    await keys('Tab'); // the key source (a shared secret by default)
    assert.equal(await focused(), 'verify-key-kind');
    await keys('Tab');
    assert.equal(await focused(), 'verify-key-value');
    await type(SECRET);
    await keys('Control', 'Enter');
    await app.waitForText('verify-verdict', 'VALID');
    assert.equal(await focused(), 'verify-key-value');
  });

  it('diffs: Diff with… puts the caret in B; typing in a fresh A keeps it in A', async () => {
    await keys('Shift', 'Tab');
    await keys('Shift', 'Tab');
    assert.equal(await focused(), 'verify-token');
    await keys('Shift', 'Tab');
    assert.equal(await focused(), 'verify-diff-with');
    await keys('Enter');
    await app.byTestId('diff-input-b');
    assert.equal(await activeView(), 'nav-diff');
    assert.equal(await focused(), 'diff-input-b');

    await copyToClipboard(TOKEN_B);
    await (await app.byTestId('diff-input-b')).click();
    assert.equal(await focused(), 'diff-input-b');
    await keys('Control', 'v');
    await app.waitForText('diff-summary', /changed/);
    assert.equal(await focused(), 'diff-input-b');

    // A fresh Diff, typing in A while B is empty: the caret stays in A (issue 15's first fix).
    await keys('Control', '1');
    await keys('Control', '3');
    assert.equal(await focused(), 'diff-input-a');
    await type('eyJ');
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(await focused(), 'diff-input-a');
    assert.equal(await (await app.byTestId('diff-input-a')).getValue(), 'eyJ');
  });

  it('discovers the local provider: one info row for all its plain-http endpoints', async () => {
    await keys('Control', '5');
    assert.equal(await activeView(), 'nav-discover');
    assert.equal(await focused(), 'discover-issuer');
    await type(provider.issuer);
    await keys('Control', 'Enter');
    await app.byTestId('key-card-rsa-1');
    assert.equal(await focused(), 'discover-issuer');
    // The recent-issuers suggestions are detached while the results show.
    assert.equal(await (await app.byTestId('discover-issuer')).getAttribute('list'), null);

    const rows = await app.browser.$$('[aria-label="Findings"] > li[data-testid="discovery-finding-loopback-http"]');
    assert.equal(rows.length, 1, 'one loopback-http row');
    const more = await app.byTestId('discovery-finding-loopback-http-more');
    const label = await more.getText();
    assert.match(label, /^\+\d+ more fields$/, label);
    assert.ok(Number(/\d+/.exec(label)[0]) >= 3, label);
    assert.equal(await app.isShown('discovery-finding-loopback-http-fields'), false);
    await more.click();
    const fields = await (await app.byTestId('discovery-finding-loopback-http-fields')).getText();
    assert.match(fields, /token_endpoint|jwks_uri|userinfo_endpoint/, fields);
    await app.screenshot('keyboard-discover');
  });

  it('cancels a discovery that never answers with Esc, the caret still in the issuer', async () => {
    await (await app.byTestId('discover-issuer')).click();
    await keys('Control', 'a');
    await type(silent.url);
    await keys('Control', 'Enter');
    await app.byTestId('discover-pending');
    await app.browser.waitUntil(() => silent.sockets.size > 0, {
      timeout: 5_000,
      timeoutMsg: 'the app never connected to the silent server',
    });

    const started = Date.now();
    await keys('Escape');
    await app.byTestId('discover-cancelled', { timeout: 2_000 });
    assert.ok(Date.now() - started < 2_000);
    assert.equal(await app.isShown('discover-pending'), false);
    assert.equal(await focused(), 'discover-issuer');
  });

  it('lists the shortcuts with ? outside a field, and gives the caret back on Esc', async () => {
    // In a field, ? is text.
    await keys('Shift', '?');
    assert.equal(await app.isShown('shortcuts'), false);
    assert.match(await (await app.byTestId('discover-issuer')).getValue(), /\?$/);

    await keys('Tab'); // the presets (a select: ? picks an option there)
    await keys('Tab');
    const before = await focused();
    assert.equal(before, 'discover-run');
    await keys('Shift', '?');
    await app.byTestId('shortcuts');
    assert.equal(await focused(), 'shortcuts-close');
    await app.screenshot('keyboard-shortcuts');
    await keys('Escape');
    assert.equal(await app.isShown('shortcuts'), false);
    assert.equal(await focused(), before);
  });
});
