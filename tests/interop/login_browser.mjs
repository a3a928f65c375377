// A real relying party (openid-client v6) signing a user in through a real browser (Debian's
// Chromium, driven by playwright-core; no browser is downloaded): discovery, PAR with
// private_key_jwt, the login and consent pages, the callback, the code exchange with PKCE, ID
// token validation, userinfo, RP-initiated logout, then prompt=none after it. Prints one JSON
// line; screenshots go to ARTIFACT_DIR.
//   node login_browser.mjs ISSUER ADMIN_PASSWORD ARTIFACT_DIR
import * as client from 'openid-client';
import { chromium } from 'playwright-core';
import { webcrypto } from 'node:crypto';
import http from 'node:http';
import fs from 'node:fs';

const [issuer, adminPassword, artifacts] = process.argv.slice(2);
fs.mkdirSync(artifacts, { recursive: true });
const admin = 'Basic ' + Buffer.from(`admin:${adminPassword}`).toString('base64');
const username = `pat${process.pid}`;
const password = 'browser test pass 42';

async function adminPost(path, body) {
  const res = await fetch(`${issuer}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: admin },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

// The relying party's own callback listener: records where the browser was sent.
const arrivals = [];
const rp = http.createServer((req, res) => {
  arrivals.push(req.url);
  res.writeHead(200, { 'Content-Type': 'text/html' });
  res.end('<!DOCTYPE html><title>RP</title><p>back at the application</p>');
});
await new Promise((resolve) => rp.listen(0, '127.0.0.1', resolve));
const rpBase = `http://127.0.0.1:${rp.address().port}`;
const redirectUri = `${rpBase}/cb`;
const afterLogout = `${rpBase}/bye`;

await adminPost('/api/admin/users', {
  username, password, claims: { name: 'Pat Browser', email: `${username}@example.com`, email_verified: true },
});
const { privateKey, publicKey } = await webcrypto.subtle.generateKey(
  { name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
const jwk = await webcrypto.subtle.exportKey('jwk', publicKey);
const clientId = `browser-rp-${process.pid}`;
await adminPost('/api/admin/clients', {
  client_id: clientId, client_name: 'Interop RP', token_endpoint_auth_method: 'private_key_jwt',
  jwks: { keys: [{ ...jwk, kid: 'rp-1', key_ops: undefined, ext: undefined }] },
  grant_types: ['authorization_code'], redirect_uris: [redirectUri],
  post_logout_redirect_uris: [afterLogout], require_pushed_authorization_requests: true,
});
const config = await client.discovery(new URL(issuer), clientId, undefined,
  client.PrivateKeyJwt({ key: privateKey, kid: 'rp-1' }), { execute: [client.allowInsecureRequests] });

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const out = {};
try {
  const page = await browser.newPage();
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = await client.buildAuthorizationUrlWithPAR(config, {
    redirect_uri: redirectUri, scope: 'openid profile email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    state, nonce,
  });
  out.authorize_url_uses_request_uri = url.searchParams.has('request_uri');
  await page.goto(url.href);
  await page.screenshot({ path: `${artifacts}/login.png`, fullPage: true });
  out.login_title = await page.title();
  // Keyboard order: the username has focus, then the password, then the button.
  const focus = [await page.evaluate(() => document.activeElement.id)];
  await page.keyboard.press('Tab');
  focus.push(await page.evaluate(() => document.activeElement.id));
  await page.keyboard.press('Tab');
  focus.push(await page.evaluate(() => document.activeElement.textContent.trim()));
  out.focus_order = focus;
  out.labels = await page.evaluate(() =>
    [...document.querySelectorAll('input:not([type=hidden])')].map((i) => i.labels[0]?.textContent));
  await page.fill('#username', username);
  await page.fill('#password', 'not the password');
  await page.click('button[type=submit]');
  out.wrong_password_message = (await page.textContent('[role=alert]')).trim();
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('button[value=allow]');
  await page.screenshot({ path: `${artifacts}/consent.png`, fullPage: true });
  out.consent_heading = (await page.textContent('h1')).trim();
  out.consent_scopes = await page.$$eval('.scopes li', (items) => items.map((i) => i.textContent.trim()));
  await Promise.all([page.waitForURL(`${redirectUri}?**`), page.click('button[value=allow]')]);
  const callback = new URL(page.url());
  out.callback_iss = callback.searchParams.get('iss');

  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
  });
  const claims = tokens.claims();
  out.id_token = { sub: claims.sub, aud: claims.aud, nonce_ok: claims.nonce === nonce,
                   name: claims.name, email: claims.email, amr: claims.amr, has_sid: !!claims.sid,
                   has_at_hash: !!claims.at_hash };
  out.refresh_token = tokens.refresh_token ?? null;
  const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  out.userinfo = info;

  // RP-initiated logout through the browser, then prompt=none finds no session.
  const end = client.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token, post_logout_redirect_uri: afterLogout, state: 'bye-1',
  });
  await page.goto(end.href);
  out.after_logout_url = page.url();
  const again = await client.buildAuthorizationUrlWithPAR(config, {
    redirect_uri: redirectUri, scope: 'openid', prompt: 'none', state: 'silent',
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  await page.goto(again.href);
  const silent = new URL(page.url());
  out.prompt_none_after_logout = { error: silent.searchParams.get('error'), state: silent.searchParams.get('state') };
} finally {
  await browser.close();
  rp.close();
}
out.rp_saw = arrivals.map((a) => a.split('?')[0]);
console.log(JSON.stringify(out));
