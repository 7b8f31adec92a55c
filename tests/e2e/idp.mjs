// The test OpenID Provider (panva's oidc-provider, tests/idp/server.mjs) for the real-window flow
// journeys: started on 127.0.0.1, its ready line (issuer, clients) parsed, stopped by the test.

import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

import { ROOT } from './app.mjs';

const IDP_START_TIMEOUT_MS = 15_000;

/** Starts the test provider on 127.0.0.1; resolves with its ready line and a stop function. */
export async function startIdp() {
  const child = spawn(process.execPath, ['server.mjs'], {
    cwd: path.join(ROOT, 'tests/idp'),
    // stdin stays open: the provider exits when it closes (if this process dies first).
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  try {
    const line = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the test provider did not start')), IDP_START_TIMEOUT_MS);
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the test provider exited (${code}); run scripts/setup.sh`)));
      readline.createInterface({ input: child.stdout }).once('line', (l) => {
        clearTimeout(timer);
        resolve(l);
      });
    });
    return { ...JSON.parse(line), stop };
  } catch (error) {
    stop();
    throw error;
  }
}
