// A real OpenID Provider for Tokenscope's tests: panva's oidc-provider 9.x on 127.0.0.1.
//
// Binds an ephemeral port first, builds the issuer from it, then prints exactly one JSON line on
// stdout: {"issuer": "http://127.0.0.1:<port>", ...}. Exits when stdin closes, so a test that
// panics (and drops its pipe) never leaves the provider running.
//
// Development only: signing keys generated at each start, in-memory storage.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

// One signing key of each type, so tests see RS256, ES256 and EdDSA ID tokens from one JWKS.
// node:crypto rather than jose: jose is only oidc-provider's dependency, not declared here, and
// Node exports the same private JWKs itself.
const SIGNING_KEYS = [
  { kid: 'tokenscope-test-rsa', alg: 'RS256', pair: generateKeyPairSync('rsa', { modulusLength: 2048 }) },
  { kid: 'tokenscope-test-p256', alg: 'ES256', pair: generateKeyPairSync('ec', { namedCurve: 'P-256' }) },
  { kid: 'tokenscope-test-ed25519', alg: 'EdDSA', pair: generateKeyPairSync('ed25519') },
];
// No `alg` on the keys: the provider would then refuse that key for any other algorithm.
const jwks = {
  keys: SIGNING_KEYS.map(({ kid, pair }) => ({ ...pair.privateKey.export({ format: 'jwk' }), kid, use: 'sig' })),
};

const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', resolve);
});
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

const NATIVE_CLIENT = 'tokenscope-native';
const NATIVE_ES256_CLIENT = 'tokenscope-native-es256';
const CONFIDENTIAL_CLIENT = 'tokenscope-confidential';
const CONFIDENTIAL_SECRET = 'tokenscope-test-secret-not-for-production';
const API_RESOURCE = 'urn:tokenscope:test-api';

// A public native app: PKCE, loopback redirect on any port (RFC 8252 §7.3).
const nativeClient = {
  client_id: NATIVE_CLIENT,
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  redirect_uris: ['http://127.0.0.1/callback'],
  grant_types: [
    'authorization_code',
    'refresh_token',
    'urn:ietf:params:oauth:grant-type:device_code',
  ],
  response_types: ['code'],
};

const provider = new Provider(issuer, {
  jwks,
  clients: [
    nativeClient,
    // The same app with ES256 ID tokens (OIDC Dynamic Client Registration §2), so a flow sees a
    // key other than RSA.
    { ...nativeClient, client_id: NATIVE_ES256_CLIENT, id_token_signed_response_alg: 'ES256' },
    {
      // A confidential client: client_secret_basic, also allowed client_credentials.
      client_id: CONFIDENTIAL_CLIENT,
      client_secret: CONFIDENTIAL_SECRET,
      application_type: 'native',
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: ['http://127.0.0.1/callback'],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
    },
  ],
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
    userinfo: { enabled: true },
    clientCredentials: { enabled: true },
    // RFC 8707 + RFC 9068: access tokens for API_RESOURCE are JWTs (typ at+jwt) signed with the
    // provider's keys, so tests can verify real provider-signed tokens via discovery.
    resourceIndicators: {
      enabled: true,
      // Client credentials get a JWT for the API by default. Code and refresh grants get an
      // opaque token for userinfo unless the request names the API with `resource` (RFC 8707):
      // an access token for an API is refused at userinfo, as real providers do.
      defaultResource: (ctx) =>
        ctx.oidc.params?.grant_type === 'client_credentials' ? API_RESOURCE : undefined,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'api:read',
        audience: API_RESOURCE,
        accessTokenTTL: 600,
        accessTokenFormat: 'jwt',
      }),
    },
  },
  // ID tokens may be signed with each key type (the default also lists PS256 and Ed25519).
  enabledJWA: {
    idTokenSigningAlgValues: SIGNING_KEYS.map(({ alg }) => alg),
  },
  // Codes live 60 s (the default, said here so tests can count on it); a login page may wait
  // 10 min for a test that plays the browser step by step.
  ttl: {
    AuthorizationCode: 60,
    Interaction: 10 * 60,
  },
  // RFC 9700 §2.1.1: PKCE for every client; v9 supports only S256.
  pkce: { required: () => true },
  scopes: ['openid', 'offline_access', 'profile', 'email', 'api:read'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  issueRefreshToken: async (ctx, client, code) =>
    client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
  rotateRefreshToken: true,
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: `${id}@example.test`, email_verified: true, name: `Test user ${id}` };
      },
    };
  },
});

server.on('request', provider.callback());

process.stdout.write(
  `${JSON.stringify({
    issuer,
    clients: {
      native: { client_id: NATIVE_CLIENT },
      native_es256: { client_id: NATIVE_ES256_CLIENT },
      confidential: { client_id: CONFIDENTIAL_CLIENT, client_secret: CONFIDENTIAL_SECRET },
    },
    api_resource: API_RESOURCE,
    signing_keys: Object.fromEntries(SIGNING_KEYS.map(({ alg, kid }) => [alg, kid])),
  })}\n`,
);

const stop = () => {
  server.close();
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
