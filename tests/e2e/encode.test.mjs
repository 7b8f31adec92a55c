// Journeys: mint an HS256 token in Encode and open it in Inspect; mint two tokens whose exp
// differs and compare them in Diff (issue 4); generate a key pair and verify the token with its
// public JWKS. Runs the real app (Rust core over IPC) in a real WebKit window.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { launchApp } from './app.mjs';

const SECRET = 'a-string-secret-at-least-256-bits-long';
const PAYLOAD = JSON.stringify({ sub: 'qa-user', aud: 'api://default', scope: 'read write' }, null, 2);

const segmentJson = (token, index) =>
  JSON.parse(Buffer.from(token.split('.')[index], 'base64url').toString('utf8'));

describe('mint tokens in Encode', { timeout: 180_000 }, () => {
  let app;

  before(async () => {
    app = await launchApp();
    await app.click('nav-encode');
  });

  after(async () => {
    await app?.close();
  });

  /** The token on screen once `accept(token)` holds (the view re-signs after a pause). */
  async function tokenWhere(accept, what) {
    const element = await app.byTestId('encode-token');
    let token = '';
    await app.browser.waitUntil(
      async () => {
        token = (await element.getText()).trim();
        return token !== '' && accept(token);
      },
      { timeout: 10_000, interval: 100, timeoutMsg: `no token ${what}; last: ${token}` },
    );
    return token;
  }

  const currentToken = async () => (await (await app.byTestId('encode-token')).getText()).trim();
  const tokenAfter = (previous) => tokenWhere((t) => t !== previous, `other than ${previous}`);

  it('signs a typed payload with HS256 and a secret, and Inspect decodes it', async () => {
    await app.select('encode-alg', 'HS256');
    await app.select('encode-key-kind', 'secret');
    await app.paste('encode-key-value', SECRET);
    await app.paste('encode-payload', PAYLOAD);

    const token = await tokenWhere((t) => segmentJson(t, 1).sub === 'qa-user', 'for the typed payload');
    const parts = token.split('.');
    assert.equal(parts.length, 3, `three segments: ${token}`);
    assert.ok(parts[2].length > 0, 'a signature');
    assert.deepEqual(segmentJson(token, 0), { alg: 'HS256', typ: 'JWT' });
    assert.equal(segmentJson(token, 1).sub, 'qa-user');
    assert.equal(await app.isShown('encode-finding-weak-secret'), false, '38 bytes is enough for HS256');
    await app.screenshot('encode');

    await app.click('encode-open-inspect');
    await app.waitForText('token-format', 'JWS');
    const header = await (await app.byTestId('decoded-header')).getText();
    assert.match(header, /"alg": "HS256"/, `decoded header: ${header}`);
    const input = await (await app.byTestId('token-input')).getValue();
    assert.equal(input, token);
  });

  it('shows where the payload JSON breaks, as it is typed', async () => {
    await app.click('nav-encode');
    await app.paste('encode-payload', '{\n  "sub": "qa-user"\n  "aud": "x"\n}');
    const error = await app.waitForText('encode-payload-error', /line 3, column 3/);
    assert.match(error, /expected/, error);
    await app.screenshot('encode-json-error');
    await app.paste('encode-payload', PAYLOAD);
    await app.byTestId('encode-token');
    assert.equal(await app.isShown('encode-payload-error'), false);
  });

  it('mints a token, opens it in Diff against a copy with a later exp, and reads the summary', async () => {
    const before = await currentToken();
    await app.click('encode-helper-exp-1h');
    const later = await tokenAfter(before);
    const laterExp = segmentJson(later, 1).exp;
    assert.equal(typeof laterExp, 'number', `exp is a number: ${later}`);

    await app.click('encode-helper-exp-15m');
    const sooner = await tokenAfter(later);
    // Each helper reads the clock when clicked, so a second may tick between the two clicks.
    const moved = laterExp - segmentJson(sooner, 1).exp;
    assert.ok(moved > 2700 - 60 && moved <= 2700, `exp moved 45 minutes (by ${moved} s)`);

    await app.click('encode-diff-with');
    const a = await (await app.byTestId('diff-input-a')).getValue();
    assert.equal(a, sooner, 'Diff got the Encode token as A');
    await app.paste('diff-input-b', later);

    const summary = await app.waitForText('diff-summary', /exp \+4\d min/);
    assert.match(summary, /1 claim changed/, `summary: ${summary}`);
    await app.screenshot('encode-diff');
  });

  it('generates an EC key pair, signs ES256 with it, and Verify accepts the public JWKS', async () => {
    await app.click('nav-encode');
    await app.select('encode-alg', 'ES256');
    await app.click('encode-generate');
    const kid = await app.waitForText('encode-generated-kid', /kid \S{43}/);
    const jwks = JSON.parse(await (await app.byTestId('encode-public-jwks')).getText());
    assert.equal(jwks.keys[0].crv, 'P-256');
    assert.equal(jwks.keys[0].d, undefined, 'no private member');
    assert.equal(await app.isShown('encode-private-key'), false, 'the private key stays hidden');

    const token = await tokenWhere((t) => segmentJson(t, 0).alg === 'ES256', 'signed ES256');
    const header = segmentJson(token, 0);
    assert.equal(header.alg, 'ES256');
    assert.ok(kid.includes(header.kid), `header kid ${header.kid} is the key's: ${kid}`);
    await app.screenshot('encode-generated');

    await app.click('encode-verify');
    await app.waitForText('verify-verdict', /^VALID/, { timeout: 15_000 });
  });

  it('the alg: none preset makes an unsigned token flagged as insecure', async () => {
    await app.click('nav-encode');
    await app.click('encode-preset-alg-none');
    const token = await tokenWhere((t) => segmentJson(t, 0).alg === 'none', 'with alg none');
    assert.ok(token.endsWith('.'), `no signature: ${token}`);
    await app.byTestId('encode-finding-alg-none');
    await app.byTestId('encode-none-warning');
    await app.screenshot('encode-none');
  });
});
