// Journeys through the Profiles and Vault views against a real Secret Service: gnome-keyring on a
// private D-Bus session in a temporary directory (never the developer's keyring), with the app's
// profiles in a temporary TOKENSCOPE_CONFIG_DIR. `secret-tool` on the same bus checks every step
// from outside the app (issue 11).

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launchApp } from './app.mjs';
import { startKeychain } from './keychain.mjs';

const SECRET = 'e2e-client-secret-7f3a9c';
const PROFILE = 'e2e-dev';
const ENTRY = `${PROFILE}/client_secret`;
/** The app's keychain timeout in these tests: short, so a keyring that never answers fails fast. */
const KEYCHAIN_TIMEOUT_MS = 2_000;

describe('a client secret from the Profiles view lives only in the OS keychain', { timeout: 180_000 }, () => {
  let keychain;
  let app;

  before(async () => {
    keychain = await startKeychain();
    app = await launchApp({
      env: keychain.appEnv({ TOKENSCOPE_KEYCHAIN_TIMEOUT_MS: String(KEYCHAIN_TIMEOUT_MS) }),
    });
  });

  after(async () => {
    await app?.close();
    await keychain?.stop();
  });

  it('is stored, listed masked, revealed on request and deleted with its profile', async () => {
    await app.click('nav-profiles');
    await app.byTestId('profiles-empty');
    await app.click('profile-new');
    await app.paste('profile-name', PROFILE);
    await app.paste('profile-issuer', 'https://issuer.example');
    await app.paste('profile-client-id', 'e2e-client');
    await app.select('profile-client-auth', 'client_secret_basic');
    await app.paste('profile-client-secret', SECRET);
    await app.click('profile-save');
    await app.waitForText('profiles-notice', /Client secret stored in the OS keychain/);
    await app.byTestId(`profile-row-${PROFILE}`);

    // In the keychain, under the documented account; in the profile file, no trace of it.
    const stored = await keychain.secretToolSearch();
    assert.match(stored, new RegExp(`username = ${ENTRY}`), stored);
    assert.ok(stored.includes(`secret = ${SECRET}`), stored);
    const file = path.join(keychain.configDir, 'profiles.json');
    assert.ok(existsSync(file), 'the profile was saved');
    assert.ok(!readFileSync(file, 'utf8').includes(SECRET), 'the secret is not in profiles.json');
    assert.ok(!(await app.browser.getPageSource()).includes(SECRET), 'the secret is not on the page');

    await app.click('nav-vault');
    await app.waitForText(`vault-masked-${ENTRY}`, '••••••••');
    const row = await (await app.byTestId(`vault-row-${ENTRY}`)).getText();
    assert.match(row, /client secret/, row);
    assert.match(row, /typed in/, row);
    assert.ok(!(await app.browser.getPageSource()).includes(SECRET), 'masked means not on the page');
    await app.screenshot('vault-masked');

    await app.click(`vault-reveal-${ENTRY}`);
    await app.waitForText(`vault-revealed-${ENTRY}`, SECRET);
    await app.screenshot('vault-revealed');
    await app.click(`vault-hide-${ENTRY}`);
    await app.byTestId(`vault-masked-${ENTRY}`);

    await app.click('nav-profiles');
    await app.click(`profile-delete-${PROFILE}`);
    await app.click(`profile-delete-confirm-${PROFILE}`);
    await app.waitForText('profiles-notice', /Deleted profile e2e-dev and its client secret/);
    assert.equal((await keychain.secretToolSearch()).trim(), '', 'secret-tool finds nothing left');

    await app.click('nav-vault');
    await app.byTestId('vault-empty');
    assert.equal(await app.isShown(`vault-row-${ENTRY}`), false);
  });

  it('shows the error within the timeout when the keyring never answers, and recovers on Retry', async () => {
    await app.click('nav-profiles');
    await app.byTestId('profiles-empty');
    keychain.freeze();
    try {
      const started = Date.now();
      await app.click('nav-vault');
      await app.byTestId('vault-unavailable', { timeout: KEYCHAIN_TIMEOUT_MS + 5_000 });
      const took = Date.now() - started;
      assert.ok(took < KEYCHAIN_TIMEOUT_MS + 3_000, `banner after ${took} ms`);
      await app.waitForText('vault-unavailable', /did not answer in time/);
      await app.waitForText('vault-unavailable-fix', /gnome-keyring-daemon --unlock/);
      // The UI stayed responsive meanwhile: other views still work.
      await app.click('nav-inspect');
      await app.byTestId('token-input');
      await app.click('nav-vault');
      await app.byTestId('vault-unavailable');
      await app.screenshot('vault-unavailable-timeout');
    } finally {
      keychain.thaw();
    }
    await app.click('vault-retry');
    await app.byTestId('vault-empty');
    assert.equal(await app.isShown('vault-unavailable'), false);
  });
});

describe('a session bus without a Secret Service', { timeout: 120_000 }, () => {
  let keychain;
  let app;

  before(async () => {
    keychain = await startKeychain({ secretService: false });
    app = await launchApp({ env: keychain.appEnv() });
  });

  after(async () => {
    await app?.close();
    await keychain?.stop();
  });

  it('shows a banner saying how to start a keyring, and saves no profile with a secret', async () => {
    await app.click('nav-vault');
    await app.waitForText('vault-unavailable-fix', /Start a keyring \(gnome-keyring-daemon --start/);
    await app.waitForText('vault-unavailable', /org\.freedesktop\.secrets/);

    await app.click('nav-profiles');
    await app.click('profile-new');
    await app.paste('profile-name', PROFILE);
    await app.paste('profile-issuer', 'https://issuer.example');
    await app.paste('profile-client-id', 'e2e-client');
    await app.select('profile-client-auth', 'client_secret_post');
    await app.paste('profile-client-secret', SECRET);
    await app.click('profile-save');
    await app.waitForText('profile-error', /The OS keychain is unavailable: nothing was saved/);
    assert.ok(!existsSync(path.join(keychain.configDir, 'profiles.json')), 'nothing was saved');
    await app.screenshot('profiles-no-keychain');
  });
});
