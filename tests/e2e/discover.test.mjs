// Journey: discover a provider served by a tiny HTTP server on 127.0.0.1, see its key cards and
// findings, then hand the issuer over to Verify. The metadata and keys are the Google-modelled
// fixtures of tests/fixtures/discovery, with the issuer rewritten to the server's URL.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launchApp, ROOT } from './app.mjs';

const fixture = (name) =>
  readFileSync(path.join(ROOT, 'tests/fixtures/discovery', name), 'utf8');

/** Serves `/google/.well-known/openid-configuration` and `/jwks`; 404 for anything else. */
async function startProvider() {
  const server = http.createServer((req, res) => {
    const base = `http://127.0.0.1:${server.address().port}`;
    const routes = {
      '/google/.well-known/openid-configuration': fixture('google.json').replaceAll('{{base}}', base),
      '/jwks': fixture('jwks.json'),
    };
    const body = routes[req.url];
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(body ?? '{"error":"not found"}');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, issuer: `http://127.0.0.1:${server.address().port}/google` };
}

describe('discover a local provider', { timeout: 120_000 }, () => {
  let app;
  let provider;

  before(async () => {
    provider = await startProvider();
    app = await launchApp();
    await app.click('nav-discover');
  });

  after(async () => {
    await app?.close();
    await new Promise((resolve) => provider?.server.close(resolve));
  });

  it('shows key cards, findings and the explained metadata', async () => {
    await app.paste('discover-issuer', provider.issuer);
    await app.click('discover-run');

    await app.byTestId('key-card-rsa-1');
    // The Google-modelled fixture offers "token" response types: the implicit-grant warning.
    const finding = await (await app.byTestId('discovery-finding-implicit-grant')).getText();
    assert.match(finding, /warning/i, `finding: ${finding}`);
    assert.match(finding, /response_types_supported/, `finding: ${finding}`);
    assert.match(finding, /RFC 9700/, `finding: ${finding}`);
    const field = await (await app.byTestId('discover-field-token_endpoint')).getText();
    assert.ok(field.includes(`${provider.issuer}/token`), `token_endpoint row: ${field}`);
    await app.byTestId('exchange-row-1');

    await app.screenshot('discover');
  });

  it('reports a wrong URL with what was fetched and what was expected', async () => {
    await app.paste('discover-issuer', `${provider.issuer}/nowhere`);
    await app.click('discover-run');
    const error = await app.waitForText('discover-error', /404/);
    assert.match(error, /nowhere/, `error: ${error}`);

    await app.screenshot('discover-error');
  });

  it('hands the issuer to Verify', async () => {
    await app.paste('discover-issuer', provider.issuer);
    await app.click('discover-run');
    await app.click('discover-use-for-verify');
    await app.byTestId('verify-key-value');
    const value = await (await app.byTestId('verify-key-value')).getValue();
    assert.equal(value, provider.issuer);
  });
});
