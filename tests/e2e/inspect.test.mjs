// Journey: paste a token into the Inspect view, read its claims and findings; paste a broken
// one and see where it breaks. Runs the real app (Rust core over IPC) in a real WebKit window.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { launchApp } from './app.mjs';

/** RFC 7519 §3.1 example: iss "joe", exp 1300819380 (March 2011, long past). */
const RFC7519_TOKEN =
  'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9' +
  '.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ' +
  '.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

/** A token whose kid starts with U+202E RIGHT-TO-LEFT OVERRIDE: it reads as `exe.png` (Trojan Source). */
const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const BIDI_KID_TOKEN = [
  b64url({ alg: 'HS256', typ: 'JWT', kid: '\u202egnp.exe' }),
  b64url({ sub: 'alice', exp: 4102444800 }),
  'c2lnbmF0dXJl',
].join('.');

/** The same token with a '!' (not base64url) in the middle of its payload. */
const BROKEN_PAYLOAD_TOKEN = RFC7519_TOKEN.replace('.eyJpc3Mi', '.eyJp!3Mi');

describe('inspect a pasted token', { timeout: 120_000 }, () => {
  let app;

  before(async () => {
    app = await launchApp();
  });

  after(async () => {
    await app?.close();
  });

  it('decodes the RFC 7519 example and flags it as expired', async () => {
    await app.paste('token-input', RFC7519_TOKEN);

    const iss = await app.byTestId('claim-value-iss');
    // The UI renders JSON values; accept `joe` with or without JSON quotes.
    assert.equal((await iss.getText()).replace(/^"|"$/g, ''), 'joe');
    await app.byTestId('finding-expired');
    await app.byTestId('decoded-header');
    await app.byTestId('decoded-payload');
    await app.byTestId('decoded-signature');

    await app.screenshot('inspect');
  });

  it('shows a kid with a right-to-left override as ⟨U+202E⟩gnp.exe and warns about it', async () => {
    await app.paste('token-input', BIDI_KID_TOKEN);

    await app.waitForText('header-param-value-kid', '⟨U+202E⟩gnp.exe');
    await app.waitForText(
      'finding-hidden-characters',
      /header parameter "kid" contains hidden characters ⟨U\+202E⟩ that reorder or hide text \(Trojan Source, CVE-2021-42574\)/,
    );
    const header = await (await app.byTestId('decoded-header')).getText();
    assert.match(header, /"kid": "⟨U\+202E⟩gnp\.exe"/, `the JSON tree reveals it too, got: ${header}`);
    const shown = await app.browser.execute(() => document.body.innerText);
    assert.equal(shown.includes('\u202e'), false, 'no raw override reaches the page');

    await app.screenshot('inspect-hidden-characters');
  });

  it('points at the payload when it is not base64url', async () => {
    await app.paste('token-input', BROKEN_PAYLOAD_TOKEN);

    const error = await app.byTestId('decode-error');
    const text = await error.getText();
    assert.match(text, /payload/i, `decode-error should mention the payload, got: ${text}`);
    assert.match(text, /'!'/, `decode-error should name the bad character, got: ${text}`);
    assert.equal(await app.isShown('claim-value-iss'), false, 'stale claims stay hidden');
    const mark = await (await app.byTestId('token-echo')).$('[data-error-mark]');
    assert.equal(await mark.getText(), '!', 'the bad character is marked');

    await app.screenshot('inspect-error');
  });

  it('marks the bad character in a pasted Authorization header too', async () => {
    await app.paste('token-input', `Authorization: Bearer ${BROKEN_PAYLOAD_TOKEN}`);
    await app.waitForText('decode-error', /'!'/);
    const echo = await app.byTestId('token-echo');
    assert.equal(await echo.getText(), BROKEN_PAYLOAD_TOKEN, 'the echo is the token Rust read');
    assert.equal(await (await echo.$('[data-error-mark]')).getText(), '!');
  });
});
