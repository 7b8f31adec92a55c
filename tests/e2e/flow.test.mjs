// Journey: the authorization code flow from the Flows view against a real OpenID Provider
// (panva's oidc-provider, tests/idp/server.mjs), the test playing the person at the browser
// (browser.mjs), with the refresh token landing in a private gnome-keyring that `secret-tool`
// checks from outside the app; then a refresh that rotates it; and a Cancel during the wait for
// the redirect (issue 12).

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';

import { launchApp } from './app.mjs';
import { playBrowser } from './browser.mjs';
import { startIdp } from './idp.mjs';
import { startKeychain } from './keychain.mjs';

const PROFILE = 'e2e-idp';
const ENTRY = `${PROFILE}/refresh_token`;
const FLOW_STEPS = ['discovery', 'authorization', 'token', 'jwks', 'userinfo'];
/** A flow against a local provider takes well under a second per step; this bounds a stuck one. */
const FLOW_TIMEOUT_MS = 20_000;

/** The refresh token entry's secret as `secret-tool` prints it, or null. */
function storedSecret(search) {
  return /^secret = (.*)$/m.exec(search)?.[1] ?? null;
}

/** Resolves true when nothing accepts connections on 127.0.0.1:`port`. */
function portClosed(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });
}

describe('the code flow from the Flows view, against a real provider', { timeout: 240_000 }, () => {
  let idp;
  let keychain;
  let app;

  before(async () => {
    idp = await startIdp();
    keychain = await startKeychain();
    app = await launchApp({ env: keychain.appEnv() });

    // A profile for the provider, as a person would add it.
    await app.click('nav-profiles');
    await app.byTestId('profiles-empty');
    await app.click('profile-new');
    await app.paste('profile-name', PROFILE);
    await app.paste('profile-issuer', idp.issuer);
    await app.paste('profile-client-id', idp.clients.native.client_id);
    await app.paste('profile-scopes', 'openid profile offline_access');
    await app.click('profile-save');
    await app.byTestId(`profile-row-${PROFILE}`);
  });

  after(async () => {
    await app?.close();
    await keychain?.stop();
    idp?.stop();
  });

  it('logs in, fills the timeline, checks the ID token and keeps the refresh token in the keychain', async () => {
    await app.click('nav-flows');
    await app.select('flows-profile', PROFILE);
    await app.click('flows-open-browser'); // untick: the test is the browser
    assert.equal(await (await app.byTestId('flows-open-browser')).isSelected(), false);
    await app.click('flows-start');

    const url = await app.waitForText('flows-authorization-url', /^http:\/\/127\.0\.0\.1:\d+\/auth\?/);
    assert.match(url, /code_challenge_method=S256/);
    assert.match(url, /prompt=consent/, 'offline_access asks for consent (OIDC Core §11)');
    await app.waitForText('flows-param-code_challenge_method', /RFC 7636/);
    await app.byTestId('flows-pending');
    await app.screenshot('flows-waiting-for-redirect');

    const browser = await playBrowser(url, { user: 'alice', consent: 'approve' });
    assert.equal(browser.listenerStatus, 200, browser.listenerBody);

    for (const step of FLOW_STEPS) {
      await app.waitForText(`flows-step-${step}-status`, 'ok', { timeout: FLOW_TIMEOUT_MS });
    }
    await app.byTestId('flows-tokens');
    assert.equal(await app.isShown('flows-pending'), false);
    assert.equal(await app.isShown('flows-error'), false);

    // The ID token checks: the signature through the provider's JWKS, the nonce, the rest.
    await app.waitForText('check-status-signature', 'pass');
    await app.waitForText('check-status-nonce', 'pass');
    const statuses = await app.browser.$$('[data-testid^="check-status-"]');
    assert.ok(statuses.length >= 5, `${statuses.length} checks`);
    for (const status of statuses) {
      assert.notEqual(await status.getText(), 'fail', await status.getAttribute('data-testid'));
    }
    await app.waitForText('flows-claims', /alice/);

    await app.waitForText('flows-refresh-stored', /Refresh token stored in the OS keychain/);
    const stored = await keychain.secretToolSearch();
    assert.match(stored, new RegExp(`username = ${ENTRY}`), stored);
    const first = storedSecret(stored);
    assert.ok(first, `a secret is stored: ${stored}`);
    assert.ok(!(await app.browser.getPageSource()).includes(first), 'the refresh token is not on the page');
    await (await app.byTestId('flows-tokens')).scrollIntoView();
    await app.screenshot('flows-finished');

    await app.click('flows-refresh');
    await app.waitForText('flows-rotated', /^Rotated/, { timeout: FLOW_TIMEOUT_MS });
    const previous = await app.waitForText('flows-previous-fingerprint', /\S/);
    const next = await app.waitForText('flows-new-fingerprint', /\S/);
    assert.notEqual(previous, next, 'two different fingerprints');
    await app.waitForText('flows-refresh-step-refresh-status', 'ok');
    // The access token is opaque here; the ID tokens are JWTs, diffed claim by claim.
    await app.waitForText('flows-id-diff-summary', /\S/);
    const rotated = storedSecret(await keychain.secretToolSearch());
    assert.ok(rotated && rotated !== first, 'the keychain holds the new refresh token');
    await (await app.byTestId('flows-rotation')).scrollIntoView();
    await app.screenshot('flows-refreshed');

    // Revoke refresh token (issue 13): the provider revokes it and its keychain entry goes too.
    await app.click('flows-revoke-refresh');
    await app.waitForText('flows-revoke-step-revocation-status', 'ok', { timeout: FLOW_TIMEOUT_MS });
    await app.byTestId('flows-revoked-deleted');
    assert.equal(storedSecret(await keychain.secretToolSearch()), null, 'the keychain entry is gone');
    assert.equal(await (await app.byTestId('flows-refresh')).isEnabled(), false, 'nothing left to refresh with');
  });

  it('Cancel during the wait for the redirect shows cancelled and closes the listener', async () => {
    await app.click('nav-flows');
    await app.select('flows-profile', PROFILE);
    if (await (await app.byTestId('flows-open-browser')).isSelected()) await app.click('flows-open-browser');
    await app.click('flows-start');
    await app.waitForText('flows-authorization-url', /^http/);
    const redirect = await app.waitForText('flows-redirect-uri', /^http:\/\/127\.0\.0\.1:\d+\//);
    const port = Number(new URL(redirect).port);
    assert.equal(await portClosed(port), false, 'the listener waits for the redirect');

    const started = Date.now();
    await app.click('flows-cancel');
    await app.byTestId('flows-cancelled', { timeout: 2_000 });
    const took = Date.now() - started;
    assert.ok(took < 2_000, `cancelled shown after ${took} ms`);
    assert.equal(await app.isShown('flows-pending'), false);
    assert.equal(await app.isShown('flows-error'), false, 'a cancel is not an error');
    await app.browser.waitUntil(() => portClosed(port), {
      timeout: 2_000,
      timeoutMsg: 'the cancelled flow kept its loopback listener open',
    });
    await app.screenshot('flows-cancelled');
  });
});
