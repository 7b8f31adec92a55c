// An independent relying party against the practice issuer: panva's openid-client (a certified
// OpenID Connect RP library) runs every grant and validates what comes back with its own checks
// (issuer, RFC 9207 iss, state, PKCE, the ID token's signature, iss, aud, nonce, exp, at_hash…).
//
// Usage: node rp.mjs <issuer>. The issuer must run with --auto-approve (the script plays no
// login page). Prints one JSON summary on stdout; exit 0 when every step passed, 1 otherwise
// (with {"error": …, "step": …}).

import * as client from 'openid-client';

const issuer = new URL(process.argv[2]);
// The practice issuer is plain http on loopback: openid-client refuses that unless told.
const insecure = { execute: [client.allowInsecureRequests] };
const summary = {};
let step = 'discovery';

async function native() {
  return client.discovery(issuer, 'practice-native', { token_endpoint_auth_method: 'none' }, client.None(), insecure);
}

async function service(auth) {
  return client.discovery(issuer, 'practice-service', undefined, auth, insecure);
}

/** Plays the browser: the authorization URL redirects at once (auto-approve). */
async function redirectOf(url) {
  const response = await fetch(url, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) {
    throw new Error(`the authorization endpoint answered ${response.status}, not a redirect`);
  }
  return new URL(location);
}

/** A code flow with PKCE and state, no nonce: the tokens and what a replay needs. */
async function codeFlow(config, scope) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: 'http://127.0.0.1:9/callback',
    scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    prompt: 'consent',
  });
  const callback = await redirectOf(url);
  const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
  return { tokens, callback, verifier, state };
}

async function errorOf(promise) {
  try {
    await promise;
    return null;
  } catch (e) {
    return e.error ?? (e.status ? `${e.code} ${e.status}` : e.code ?? e.message);
  }
}

try {
  const config = await native();
  summary.discovery = { issuer: config.serverMetadata().issuer };

  step = 'code';
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: 'http://127.0.0.1:9/callback',
    scope: 'openid profile email offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    prompt: 'consent',
  });
  const callback = await redirectOf(url);
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  summary.code = {
    token_type: tokens.token_type,
    scope: tokens.scope,
    has_refresh_token: Boolean(tokens.refresh_token),
    id_token: { iss: claims.iss, sub: claims.sub, aud: claims.aud, nonce_matches: claims.nonce === nonce, has_at_hash: Boolean(claims.at_hash) },
  };

  step = 'userinfo';
  summary.userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);

  step = 'refresh';
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  summary.refresh = {
    rotated: Boolean(refreshed.refresh_token) && refreshed.refresh_token !== tokens.refresh_token,
    id_token_sub: refreshed.claims()?.sub,
  };

  step = 'introspection';
  const resourceServer = await service(client.ClientSecretBasic('practice-service-secret'));
  const active = await client.tokenIntrospection(resourceServer, refreshed.access_token);
  summary.introspection = { active: active.active, sub: active.sub, client_id: active.client_id, scope: active.scope };

  step = 'revocation';
  await client.tokenRevocation(config, refreshed.refresh_token, { token_type_hint: 'refresh_token' });
  const after = await client.tokenIntrospection(resourceServer, refreshed.access_token);
  summary.revocation = {
    access_token_active_after: after.active,
    refresh_after: await errorOf(client.refreshTokenGrant(config, refreshed.refresh_token)),
  };

  step = 'refresh_reuse';
  // A grant of its own: refresh once, then present the rotated-out token again: the whole
  // family dies, the newer token included (RFC 9700 §4.14.2).
  const second = await codeFlow(config, 'openid offline_access');
  const newer = await client.refreshTokenGrant(config, second.tokens.refresh_token);
  summary.refresh_reuse = {
    reuse: await errorOf(client.refreshTokenGrant(config, second.tokens.refresh_token)),
    newer_after_reuse: await errorOf(client.refreshTokenGrant(config, newer.refresh_token)),
  };

  step = 'code_replay';
  // Another grant: the same code redeemed twice is refused, and the first exchange's tokens are
  // revoked (RFC 6749 §4.1.2).
  const third = await codeFlow(config, 'openid');
  summary.code_replay = {
    replay: await errorOf(
      client.authorizationCodeGrant(config, third.callback, { pkceCodeVerifier: third.verifier, expectedState: third.state }),
    ),
    first_access_token_active_after: (await client.tokenIntrospection(resourceServer, third.tokens.access_token)).active,
  };

  step = 'client_credentials';
  const machine = await service(client.ClientSecretPost('practice-service-secret'));
  const cc = await client.clientCredentialsGrant(machine, { scope: 'api:read' });
  summary.client_credentials = { token_type: cc.token_type, scope: cc.scope, expires_in: cc.expiresIn() };
  summary.wrong_secret = await errorOf(
    service(client.ClientSecretBasic('wrong')).then((c) => client.clientCredentialsGrant(c, { scope: 'api:read' })),
  );

  step = 'device';
  const device = await client.initiateDeviceAuthorization(config, { scope: 'openid profile offline_access' });
  const page = await fetch(device.verification_uri_complete);
  if (page.status !== 200) throw new Error(`the verification page answered ${page.status}`);
  const deviceTokens = await client.pollDeviceAuthorizationGrant(config, device);
  summary.device = {
    user_code: device.user_code,
    sub: deviceTokens.claims()?.sub,
    scope: deviceTokens.scope,
    has_refresh_token: Boolean(deviceTokens.refresh_token),
  };

  process.stdout.write(JSON.stringify(summary) + '\n');
} catch (e) {
  const error = { name: e.name, code: e.code, error: e.error, message: e.message, cause: e.cause?.message ?? String(e.cause ?? '') };
  process.stdout.write(JSON.stringify({ step, error, summary }) + '\n');
  process.exit(1);
}
