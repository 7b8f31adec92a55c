// Journey: paste two tokens that differ (exp 15 minutes later, one more audience) into Diff and
// read what changed. The tokens are built here: unsigned-looking but well-formed JWS.
// (Issue 4's "mint in Encode, open in Diff" journey is in encode.test.mjs.)

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { launchApp } from './app.mjs';

const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = (payload, signature) =>
  `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(payload)}.${signature}`;

const IAT = 1_767_225_600;
const A = token({ iss: 'https://idp.example', sub: 'user-1', aud: ['api'], iat: IAT, exp: IAT + 900 }, 'c2lnLWE');
const B = token(
  { iss: 'https://idp.example', sub: 'user-1', aud: ['api', 'web'], iat: IAT, exp: IAT + 1800 },
  'c2lnLWI',
);

describe('diff two tokens', { timeout: 120_000 }, () => {
  let app;

  before(async () => {
    app = await launchApp();
    await app.click('nav-diff');
  });

  after(async () => {
    await app?.close();
  });

  it('summarises exp +15 min and shows the changed and added rows', async () => {
    await app.paste('diff-input-a', A);
    await app.paste('diff-input-b', B);

    const summary = await app.waitForText('diff-summary', /\+15 min/);
    assert.match(summary, /exp/, `summary: ${summary}`);

    const exp = await (await app.byTestId('diff-row-payload-exp')).getText();
    assert.match(exp, /changed/, `exp row: ${exp}`);
    assert.match(exp, /\+15 min/, `exp row: ${exp}`);
    const aud = await (await app.byTestId('diff-row-payload-aud')).getText();
    assert.match(aud, /\+web/, `aud row: ${aud}`);
    await app.waitForText('diff-signature-changed', /yes/);

    await app.screenshot('diff');
  });

  it('side by side shows the unchanged claims too, in token order', async () => {
    await app.click('diff-layout-side');
    const sub = await app.waitForText('side-row-payload-sub', /user-1/);
    assert.match(sub, /same/, `sub row: ${sub}`);
    const exp = await (await app.byTestId('side-row-payload-exp')).getText();
    assert.match(exp, /changed/, `exp row: ${exp}`);
    const alg = await (await app.byTestId('side-row-header-alg')).getText();
    assert.match(alg, /HS256/, `alg row: ${alg}`);
    const names = await app.browser.execute(() =>
      [...document.querySelectorAll('[data-testid^="side-row-payload-"]')].map((row) => row.dataset.testid),
    );
    assert.deepEqual(
      names.map((n) => n.replace('side-row-payload-', '')),
      ['iss', 'sub', 'aud', 'iat', 'exp'],
    );
    await app.screenshot('diff-side-by-side');
  });
});
