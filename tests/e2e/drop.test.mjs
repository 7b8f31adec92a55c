// Journey (issue 15): a file dropped on Inspect, on Verify's key panel or on Encode's key panel is
// loaded into it. WebDriver cannot drag a file from the desktop, so the test dispatches the drag
// events the webview would get (`dragDropEnabled: false`), with a real `File` in a
// `DataTransfer`: what is checked is WebKit's handling of them, the file read and the views.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launchApp, ROOT } from './app.mjs';

const vector = JSON.parse(readFileSync(path.join(ROOT, 'tests/vectors/rfc7520.json'), 'utf8'))
  .s4_4_hs256;
const JWKS = JSON.stringify({ keys: [vector.jwk] }, null, 2);

describe('drop a file to load it', { timeout: 120_000 }, () => {
  let app;

  /** Drags a file named `name` holding `text` over the element with that test id and drops it. */
  async function dropFile(testid, name, text) {
    const target = await app.byTestId(testid);
    return app.browser.execute(
      (el, fileName, content) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([content], fileName, { type: 'text/plain' }));
        const fire = (type) =>
          el.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
        fire('dragenter');
        // The zone (the element or the panel around it) is marked while a file is over it.
        const marked = el.closest('.drop-target') !== null;
        fire('dragover');
        const taken = !fire('drop');
        return { marked, taken, url: location.href };
      },
      target,
      name,
      text,
    );
  }

  before(async () => {
    app = await launchApp();
  });

  after(async () => {
    await app?.close();
  });

  it('decodes a token file dropped on Inspect', async () => {
    const before = await app.browser.getUrl();
    const dropped = await dropFile('token-input', 'token.txt', `${vector.token}\n`);
    assert.deepEqual(dropped, { marked: true, taken: true, url: before });
    await app.waitForText('token-format', /JWS/);
    assert.equal(await (await app.byTestId('token-input')).getValue(), vector.token);
  });

  it("verifies with a JWK Set file dropped on Verify's key panel", async () => {
    await app.click('nav-verify');
    await dropFile('verify-key-drop', 'jwks.json', JWKS);
    await app.waitForText('verify-verdict', 'VALID');
    assert.equal(await (await app.byTestId('verify-key-kind')).getValue(), 'key_text');
  });

  it("signs with a private key file dropped on Encode's key panel", async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await app.click('nav-encode');
    await app.select('encode-alg', 'ES256');
    await dropFile('encode-key-drop', 'signing.pem', privateKey.export({ type: 'pkcs8', format: 'pem' }));
    assert.equal(await (await app.byTestId('encode-key-kind')).getValue(), 'private_key');
    await app.waitForText('encode-signed-header', /ES256/);
    assert.equal(await app.isShown('encode-error'), false);
    await app.click('nav-verify');
  });

  it('refuses a file too large, saying why', async () => {
    await dropFile('verify-key-drop', 'huge.pem', 'x'.repeat(1024 * 1024 + 1));
    await app.waitForText('verify-drop-error', /huge\.pem is 1048577 bytes/);
  });
});
