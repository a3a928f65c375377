// Runs the npm package openid-client (v6) against a running idgate: discovery, then the
// client_credentials grant with private_key_jwt or client_secret_jwt. Prints one JSON line.
//   node openid_client_check.mjs ISSUER ADMIN_PASSWORD private_key_jwt|client_secret_jwt
import * as client from 'openid-client';
import { webcrypto } from 'node:crypto';

const [issuer, adminPassword, method] = process.argv.slice(2);
const clientId = `oidc-${method}-${process.pid}`;

async function register(metadata) {
  const res = await fetch(`${issuer}/api/admin/clients`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: 'Basic ' + Buffer.from(`admin:${adminPassword}`).toString('base64'),
    },
    body: JSON.stringify({ client_id: clientId, scope: 'orders:read', ...metadata }),
  });
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${await res.text()}`);
  return res.json();
}

let auth;
if (method === 'private_key_jwt') {
  const { privateKey, publicKey } = await webcrypto.subtle.generateKey(
    { name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const jwk = await webcrypto.subtle.exportKey('jwk', publicKey);
  await register({ token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ ...jwk, kid: 'node-1', key_ops: undefined, ext: undefined }] } });
  auth = client.PrivateKeyJwt({ key: privateKey, kid: 'node-1' });
} else {
  const created = await register({ token_endpoint_auth_method: 'client_secret_jwt' });
  auth = client.ClientSecretJwt(created.client_secret);
}

const config = await client.discovery(new URL(issuer), clientId, undefined, auth, {
  execute: [client.allowInsecureRequests],
});
const meta = config.serverMetadata();
const tokens = await client.clientCredentialsGrant(config, { scope: 'orders:read' });
console.log(JSON.stringify({
  client_id: clientId,
  issuer: meta.issuer,
  methods: meta.token_endpoint_auth_methods_supported,
  token_type: tokens.token_type,
  scope: tokens.scope,
  access_token: tokens.access_token,
}));
