// Journey: verify a token against a pasted JWK Set, then tamper with it and see the signature
// check fail. RFC 7520 §4.4 (HS256 with a kid) and its key, from tests/vectors.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launchApp, ROOT } from './app.mjs';

const vector = JSON.parse(readFileSync(path.join(ROOT, 'tests/vectors/rfc7520.json'), 'utf8'))
  .s4_4_hs256;
const JWKS = JSON.stringify({ keys: [vector.jwk] }, null, 2);
/** One payload character changed ("SXTi" → "SXTj"): still base64url, no longer signed. */
const TAMPERED = vector.token.replace('.SXTi', '.SXTj');

describe('verify a token with a pasted JWKS', { timeout: 120_000 }, () => {
  let app;

  before(async () => {
    assert.notEqual(TAMPERED, vector.token);
    app = await launchApp();
    await app.click('nav-verify');
  });

  after(async () => {
    await app?.close();
  });

  it('says VALID, with the signature check passing and the key named', async () => {
    await app.paste('verify-token', vector.token);
    await app.select('verify-key-kind', 'key_text');
    await app.paste('verify-key-value', JWKS);

    await app.waitForText('verify-verdict', 'VALID');
    await app.waitForText('check-status-signature', 'pass');
    const key = await (await app.byTestId('verify-key-used')).getText();
    assert.match(key, /018c0ae5-4d9b-471b-bfd6-eef314bc7037/, `key used: ${key}`);

    await app.screenshot('verify');
  });

  it('fails the signature check once a payload character changes', async () => {
    await app.paste('verify-token', TAMPERED);

    await app.waitForText('check-status-signature', 'fail');
    await app.waitForText('verify-verdict', 'INVALID');
    const message = await (await app.byTestId('check-message-signature')).getText();
    assert.ok(message.length > 0, 'the failing check says why');

    await app.screenshot('verify-tampered');
  });

  // Issue 9: RFC 7520's payload is text, not a claims set. Without expectations that is fine;
  // once an audience is expected there is nothing to satisfy it, and the verdict must say so.
  it('fails aud on a text payload once an audience is expected', async () => {
    await app.paste('verify-token', vector.token);
    await app.waitForText('verify-verdict', 'VALID');
    await app.waitForText('check-status-aud', 'skipped');

    await app.click('verify-options');
    await app.paste('verify-aud', 'https://api.example');

    await app.waitForText('check-status-aud', 'fail');
    await app.waitForText('verify-verdict', 'INVALID');
    await app.waitForText('check-status-signature', 'pass');
    const message = await (await app.byTestId('check-message-aud')).getText();
    assert.match(message, /no claims set: the payload is text/);

    await app.screenshot('verify-text-payload-aud');
  });
});
