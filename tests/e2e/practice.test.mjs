// Journey (issue 14): the built-in practice issuer from the app alone — no provider, no network.
// Flows → Practice issuer → Start flow: the issuer starts in the app, the test plays the person
// on its login and consent pages (browser.mjs), and the timeline's steps come back ok with every
// ID token check passing; then the alg-none lesson: the issuer restarts, the lesson is explained,
// and the next flow's signature check fails and is highlighted. Verify takes the first flow's ID
// token with the issuer's keys; Discover reaches it in one click.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { launchApp } from './app.mjs';
import { playBrowser } from './browser.mjs';

const FLOW_STEPS = ['discovery', 'authorization', 'token', 'jwks', 'userinfo'];
/** A flow against the in-process issuer takes well under a second per step; this bounds a stuck one. */
const FLOW_TIMEOUT_MS = 20_000;
/** Starting the issuer generates an RSA key (a debug build takes a few seconds). */
const START_TIMEOUT_MS = 20_000;
const ISSUER = /^http:\/\/127\.0\.0\.1:\d+$/;

describe('the practice issuer from the app', { timeout: 240_000 }, () => {
  let app;

  before(async () => {
    app = await launchApp();
  });

  after(async () => {
    await app?.close();
  });

  /** Start flow in the practice panel, the browser played as alice; resolves with the issuer. */
  async function runPracticeFlow() {
    await app.click('practice-start-flow');
    const issuer = await app.waitForText('practice-issuer-url', ISSUER, { timeout: START_TIMEOUT_MS });
    const url = await app.waitForText('flows-authorization-url', /^http:\/\/127\.0\.0\.1:\d+\/authorize\?/, {
      timeout: START_TIMEOUT_MS,
    });
    assert.ok(url.startsWith(`${issuer}/authorize?`), `${url} is the practice issuer's`);
    assert.match(url, /client_id=practice-native/);
    assert.match(url, /code_challenge_method=S256/);
    const browser = await playBrowser(url, { user: 'alice', consent: 'approve' });
    assert.equal(browser.listenerStatus, 200, browser.listenerBody);
    assert.match(browser.redirectUrl, /[?&]code=/);
    return issuer;
  }

  it('runs the code flow offline: every step ok, every ID token check passing', async () => {
    await app.click('nav-flows');
    await app.byTestId('practice-panel');
    // The test is the browser.
    if (await (await app.byTestId('flows-open-browser')).isSelected()) await app.click('flows-open-browser');
    assert.equal(await (await app.byTestId('flows-open-browser')).isSelected(), false);

    await runPracticeFlow();
    for (const step of FLOW_STEPS) {
      await app.waitForText(`flows-step-${step}-status`, 'ok', { timeout: FLOW_TIMEOUT_MS });
    }
    await app.byTestId('flows-tokens');
    assert.equal(await app.isShown('flows-error'), false);
    await app.waitForText('check-status-signature', 'pass');
    await app.waitForText('check-status-nonce', 'pass');
    const statuses = await app.browser.$$('[data-testid^="check-status-"]');
    assert.ok(statuses.length >= 5, `${statuses.length} checks`);
    for (const status of statuses) {
      assert.notEqual(await status.getText(), 'fail', await status.getAttribute('data-testid'));
    }
    assert.equal(await app.isShown('check-highlight-signature'), false, 'no lesson, nothing highlighted');
    await app.waitForText('flows-claims', /alice/);
    await (await app.byTestId('practice-panel')).scrollIntoView();
    await app.screenshot('practice-flow');

    // Verify takes the practice issuer like any other: its keys by discovery.
    await app.click('flows-id-token-verify');
    await app.waitForText('verify-verdict', 'VALID', { timeout: FLOW_TIMEOUT_MS });
  });

  it('alg-none: the lesson is explained, and the signature check fails, highlighted', async () => {
    await app.click('nav-flows');
    const before = await app.waitForText('practice-issuer-url', ISSUER);
    await app.select('practice-lesson', 'alg-none');
    await app.waitForText('practice-running-lesson', 'alg-none', { timeout: START_TIMEOUT_MS });
    const restarted = await app.waitForText('practice-issuer-url', ISSUER);
    assert.notEqual(restarted, before, 'the issuer restarted (a new port) with the lesson');
    await app.waitForText('practice-lesson-explanation', /alg "none"/);
    await app.waitForText('practice-lesson-expect', /signature/);

    const issuer = await runPracticeFlow();
    assert.equal(issuer, restarted);
    await app.waitForText('check-status-signature', 'fail', { timeout: FLOW_TIMEOUT_MS });
    const row = await app.byTestId('check-row-signature');
    assert.equal(await row.getAttribute('data-highlighted'), 'true');
    await app.byTestId('check-highlight-signature');
    // Claims the lesson leaves alone still pass, unhighlighted.
    await app.waitForText('check-status-iss', 'pass');
    assert.equal(await (await app.byTestId('check-row-iss')).getAttribute('data-highlighted'), null);
    await app.waitForText('practice-lesson-outcome', /^Seen: the signature/);
    await row.scrollIntoView();
    await app.screenshot('practice-alg-none');
  });

  it('Discover the practice issuer fills the issuer box and shows its metadata', async () => {
    await app.click('nav-discover');
    await app.click('discover-practice');
    // Still running from the lesson above: discovered as it is, alg-none and all.
    let value = '';
    await app.browser.waitUntil(async () => ISSUER.test((value = await (await app.byTestId('discover-issuer')).getValue())), {
      timeout: START_TIMEOUT_MS,
      timeoutMsg: 'the issuer box was not filled',
    });
    await app.waitForText('discover-field-token_endpoint', new RegExp(`${value}/token`), { timeout: FLOW_TIMEOUT_MS });
    assert.equal(await app.isShown('discover-error'), false);
    await app.screenshot('practice-discover');
  });
});
