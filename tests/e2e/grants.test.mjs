// Journey (issue 13): the device authorization grant from the Flows view against a real OpenID
// Provider (tests/idp/server.mjs), the test reading the user code and verification URI from the
// view and playing the person at the other device (browser.mjs's playDevice); the timeline, the
// sequence diagram and the result fill in; the flow exported as JSON and Markdown holds none of
// the tokens or the user code seen on the page, only their [sha256:…] fingerprints; its access
// token at an API, accepted, then revoked and refused with a 401. Then client credentials with the
// confidential client, its secret typed once into a write-only field; Introspect shows the
// provider's refusal to introspect a JWT access token.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { launchApp } from './app.mjs';
import { playDevice } from './browser.mjs';
import { startIdp } from './idp.mjs';

/** The provider gives no interval, so the core polls every 5 s (RFC 8628 §3.5), the first too. */
const DEVICE_TIMEOUT_MS = 30_000;
const FLOW_TIMEOUT_MS = 20_000;
const DEVICE_STEPS = ['discovery', 'device_authorization', 'device_poll', 'jwks', 'userinfo'];

describe('the device and client credentials grants from the Flows view, against a real provider', { timeout: 240_000 }, () => {
  let idp;
  let app;

  before(async () => {
    idp = await startIdp();
    // One-off flows: nothing is stored, so the app's default (no keychain) is enough.
    app = await launchApp();
  });

  after(async () => {
    await app?.close();
    idp?.stop();
  });

  /** A one-off flow of `grant` for the test provider and `clientId`. */
  async function fillOneOff(grant, clientId, scopes) {
    await app.click('nav-flows');
    await app.click(`flows-grant-${grant}`);
    await app.click('flows-mode-issuer');
    await app.paste('flows-issuer', idp.issuer);
    await app.paste('flows-client-id', clientId);
    await app.paste('flows-scopes', scopes);
  }

  /** The text of the export in `format`, as the view shows it. */
  async function exportAs(format) {
    await app.click(`flows-export-${format}`);
    const area = await app.byTestId('flows-export-text');
    const marker = format === 'json' ? /"exported_by"/ : /^#/m;
    let text = '';
    await app.browser.waitUntil(
      async () => {
        text = await area.getValue();
        return marker.test(text);
      },
      { timeout: 5_000, timeoutMsg: `no ${format} export shown: ${text.slice(0, 200)}` },
    );
    return text;
  }

  /** A token's value from the page, revealed for the test and masked again. */
  async function revealed(testid) {
    await app.click(`${testid}-reveal`);
    const value = (await app.waitForText(`${testid}-value`, /\S{8}/)).trim();
    await app.click(`${testid}-reveal`);
    return value;
  }

  it('shows the user code and its QR code, polls until approved, and exports without a secret', async () => {
    await fillOneOff('device', idp.clients.native.client_id, 'openid profile');
    await app.click('flows-start');

    const userCode = (await app.waitForText('flows-user-code', /^[A-Z0-9-]{6,}$/, { timeout: FLOW_TIMEOUT_MS })).trim();
    const verificationUri = await app.waitForText('flows-verification-uri', /^http:\/\/127\.0\.0\.1:\d+\/device$/);
    assert.equal(new URL(verificationUri).origin, idp.issuer);
    const complete = (await app.waitForText('flows-verification-uri-complete', /^http/)).trim();
    assert.equal(new URL(complete).searchParams.get('user_code'), userCode);
    // The QR code: SVG rectangles, many of them, no image.
    const qr = await app.byTestId('flows-device-qr');
    assert.ok((await qr.$$('rect')).length > 50, 'the QR code has its modules drawn');
    await app.byTestId('flows-pending');
    await app.waitForText('flows-step-device_authorization-status', 'ok');
    // The diagram draws what is under way: the user at the other device.
    const current = await app.browser.$$('[data-testid="flows-arrow"][data-current="true"]');
    assert.ok(current.length > 0, 'the diagram highlights what is under way');
    await app.screenshot('grants-device-code');

    const page = await playDevice(complete, { user: 'alice', consent: 'approve' });
    assert.match(page, /success/i);

    for (const step of DEVICE_STEPS) {
      await app.waitForText(`flows-step-${step}-status`, 'ok', { timeout: DEVICE_TIMEOUT_MS });
    }
    await app.byTestId('flows-tokens');
    assert.equal(await app.isShown('flows-pending'), false);
    assert.equal(await app.isShown('flows-error'), false);
    await app.waitForText('check-status-signature', 'pass');
    await app.waitForText('flows-claims', /alice/);
    const arrows = await app.browser.$$('[data-testid="flows-arrow"]');
    assert.ok(arrows.length >= 2 * DEVICE_STEPS.length, `${arrows.length} arrows for ${DEVICE_STEPS.length} steps`);
    const highlighted = await app.browser.$$('[data-testid="flows-arrow"][data-current="true"]');
    assert.equal(highlighted.length, 2, 'the last step (userinfo: request and reply) is highlighted');
    await app.screenshot('grants-device-finished');

    const accessToken = await revealed('flows-access-token');
    const idToken = await revealed('flows-id-token');
    const secrets = { 'access token': accessToken, 'ID token': idToken, 'user code': userCode };
    for (const format of ['json', 'markdown']) {
      const text = await exportAs(format);
      for (const [what, value] of Object.entries(secrets)) {
        assert.ok(!text.includes(value), `the ${format} export holds the ${what}`);
      }
      assert.ok(text.includes('[sha256:'), `the ${format} export shows fingerprints`);
      assert.match(text, /device\\?_poll/);
    }
    await (await app.byTestId('flows-export')).scrollIntoView();
    await app.screenshot('grants-device-export');

    // The access token at an API (the provider's userinfo endpoint serves as one): accepted, then
    // revoked, then refused with a 401 whose challenge is explained.
    await app.paste('flows-api-url', `${idp.issuer}/me`);
    await app.click('flows-api-run');
    await app.waitForText('flows-api-status', 'HTTP 200', { timeout: FLOW_TIMEOUT_MS });
    await app.waitForText('flows-api-explanation', /accepted the token/);
    await app.click('flows-revoke-access');
    await app.waitForText('flows-revoke-step-revocation-status', 'ok', { timeout: FLOW_TIMEOUT_MS });
    await app.byTestId('flows-revoked');
    await app.click('flows-api-run');
    await app.waitForText('flows-api-status', 'HTTP 401', { timeout: FLOW_TIMEOUT_MS });
    await app.waitForText('flows-api-challenge-error', 'invalid_token');
    await app.waitForText('flows-api-explanation', /invalid_token/);
    const ends = [];
    for (const arrow of await app.browser.$$('[data-testid="flows-arrow"][data-current="true"]')) {
      ends.push(await arrow.getAttribute('data-to'));
    }
    assert.deepEqual(ends, ['api', 'tokenscope'], 'the diagram ends on the API call');
    await (await app.byTestId('flows-api-result')).scrollIntoView();
    await app.screenshot('grants-device-api-401');
  });

  it('Cancel while the device flow polls shows cancelled, not an error', async () => {
    await fillOneOff('device', idp.clients.native.client_id, 'openid');
    await app.click('flows-start');
    await app.waitForText('flows-user-code', /^[A-Z0-9-]{6,}$/, { timeout: FLOW_TIMEOUT_MS });
    const started = Date.now();
    await app.click('flows-cancel');
    await app.byTestId('flows-cancelled', { timeout: 2_000 });
    assert.ok(Date.now() - started < 2_000, 'cancelled at once, not after the next poll');
    assert.equal(await app.isShown('flows-pending'), false);
    assert.equal(await app.isShown('flows-error'), false, 'a cancel is not an error');
  });

  it('runs client credentials with the confidential client, the secret cleared once sent', async () => {
    const { client_id: clientId, client_secret: secret } = idp.clients.confidential;
    await fillOneOff('client_credentials', clientId, 'api:read');
    assert.equal(await app.isShown('flows-open-browser'), false, 'no browser in this grant');
    await app.paste('flows-client-secret', secret);
    await app.click('flows-start');

    await app.waitForText('flows-step-token-status', 'ok', { timeout: FLOW_TIMEOUT_MS });
    await app.byTestId('flows-tokens');
    assert.equal(await app.isShown('flows-error'), false);
    assert.equal(await (await app.byTestId('flows-client-secret')).getValue(), '', 'the secret field is cleared');
    await app.waitForText('flows-refresh-token', /never issue one/);
    const accessToken = await revealed('flows-access-token');
    assert.equal(accessToken.split('.').length, 3, 'a JWT access token for the API resource');
    assert.ok(!(await app.browser.getPageSource()).includes(secret), 'the secret is not on the page');

    // Introspect: this provider will not introspect its JWT access tokens (the resource server
    // verifies them itself); the view shows its OAuth error as the answer, not a fault.
    await app.click('flows-introspect-run');
    await app.waitForText('flows-introspect-oauth-error', /unsupported_token_type/, { timeout: FLOW_TIMEOUT_MS });
    await app.waitForText('flows-introspect-step-introspection-status', 'failed');

    const text = await exportAs('json');
    assert.ok(!text.includes(accessToken), 'the export holds the access token');
    assert.ok(!text.includes(secret), 'the export holds the client secret');
    assert.ok(text.includes('[sha256:'));
    await app.screenshot('grants-client-credentials');
  });
});
