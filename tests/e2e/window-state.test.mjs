// Journey (issue 15): the app remembers, across launches, its window's size and the last view —
// never a token. Two launches share one home (XDG data and config dirs).

import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launchApp } from './app.mjs';

const TOKEN =
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyZW1lbWJlci1tZS1ub3QifQ.c2lnbmF0dXJlLW9mLXRoZS13aW5kb3ctdGVzdA';

/** Every file under `dir` (the app's remembered state), as [path, bytes]. */
function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile())
    .map((file) => [file, readFileSync(file)]);
}

describe('the window remembers its size and the last view', { timeout: 180_000 }, () => {
  let home;
  let app;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'tokenscope-e2e-home-'));
  });

  after(async () => {
    await app?.close();
    await rm(home, { recursive: true, force: true });
  });

  it('reopens on the last view at the last size, and keeps no token', async () => {
    app = await launchApp({ home });
    await app.paste('token-input', TOKEN);
    await app.byTestId('token-format');
    await app.browser.keys(['Control', '5']);
    await app.byTestId('discover-issuer');
    await app.browser.setWindowSize(1000, 700);
    const size = await app.browser.getWindowSize();
    // The app writes the state once the window has been still for half a second: the test then
    // ends the app abruptly (tauri-driver kills it), which a normal exit's save would not survive.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await app.close();
    app = null;

    app = await launchApp({ home });
    await app.byTestId('discover-issuer');
    assert.equal(
      await app.browser.execute(() => document.querySelector('nav [aria-current="page"]')?.dataset.testid),
      'nav-discover',
    );
    const again = await app.browser.getWindowSize();
    assert.deepEqual(again, size);

    for (const [file, bytes] of filesUnder(home)) {
      assert.ok(!bytes.includes(Buffer.from(TOKEN.split('.')[1])), `the token's payload is in ${file}`);
    }
  });
});
