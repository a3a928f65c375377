// Runs the npm package openid-client (v6) through idgate's token lifecycle with DPoP: the JWT
// bearer grant with offline_access (a DPoP-bound access token and a refresh token), a protected
// resource, refresh, introspection, token exchange, revocation. Server nonces are retried by
// the library. Prints one JSON line of what it saw.
//   node token_lifecycle_check.mjs ISSUER ADMIN_PASSWORD ASSERTION
import * as client from 'openid-client';
import { webcrypto } from 'node:crypto';

const [issuer, adminPassword, assertion] = process.argv.slice(2);
const clientId = `lifecycle-${process.pid}`;
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

const { privateKey, publicKey } = await webcrypto.subtle.generateKey(
  { name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
const jwk = await webcrypto.subtle.exportKey('jwk', publicKey);
const res = await fetch(`${issuer}/api/admin/clients`, {
  method: 'POST',
  headers: {
    'Content-Type': 'application/json',
    Authorization: 'Basic ' + Buffer.from(`admin:${adminPassword}`).toString('base64'),
  },
  body: JSON.stringify({
    client_id: clientId, token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [{ ...jwk, kid: 'lc-1', key_ops: undefined, ext: undefined }] },
    grant_types: [JWT_BEARER, 'refresh_token', EXCHANGE], scope: 'orders:read offline_access',
    introspection_allowed: true, token_exchange_audiences: ['https://orders.example'],
  }),
});
if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${await res.text()}`);

const config = await client.discovery(new URL(issuer), clientId, undefined,
  client.PrivateKeyJwt({ key: privateKey, kid: 'lc-1' }), { execute: [client.allowInsecureRequests] });
const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
const out = { dpop_algs: config.serverMetadata().dpop_signing_alg_values_supported };

const tokens = await client.genericGrantRequest(config, JWT_BEARER,
  { assertion, scope: 'orders:read offline_access' }, { DPoP });
out.token_type = tokens.token_type;
out.access_token = tokens.access_token;
out.has_refresh_token = typeof tokens.refresh_token === 'string';

const me = await client.fetchProtectedResource(config, tokens.access_token,
  new URL(`${issuer}/api/me`), 'GET', undefined, undefined, { DPoP });
out.me_status = me.status;
out.me_principal = (await me.json()).principal;

const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token, undefined, { DPoP });
out.rotated = refreshed.refresh_token !== tokens.refresh_token;
out.refreshed_token_type = refreshed.token_type;

const info = await client.tokenIntrospection(config, refreshed.access_token);
out.introspection = { active: info.active, token_type: info.token_type, cnf: info.cnf, sub: info.sub };

const exchanged = await client.genericGrantRequest(config, EXCHANGE, {
  subject_token: refreshed.access_token,
  subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  audience: 'https://orders.example',
}, { DPoP });  // the subject token is bound to this key: only its holder may exchange it
out.exchanged = { issued_token_type: exchanged.issued_token_type, token_type: exchanged.token_type,
  access_token: exchanged.access_token };

await client.tokenRevocation(config, refreshed.access_token);
const after = await client.tokenIntrospection(config, refreshed.access_token);
out.revoked_active = after.active;
try {
  await client.fetchProtectedResource(config, refreshed.access_token,
    new URL(`${issuer}/api/me`), 'GET', undefined, undefined, { DPoP });
  out.me_after_revocation = 'accepted';
} catch (err) {
  const challenge = err.cause?.[0];
  out.me_after_revocation = { status: err.status, scheme: challenge?.scheme,
    error: challenge?.parameters?.error, error_description: challenge?.parameters?.error_description };
}

await client.tokenRevocation(config, refreshed.refresh_token);
try {
  await client.refreshTokenGrant(config, refreshed.refresh_token, undefined, { DPoP });
  out.refresh_after_revocation = 'accepted';
} catch (err) {
  out.refresh_after_revocation = err.error ?? String(err);
}
console.log(JSON.stringify(out));
