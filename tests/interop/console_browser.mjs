// The admin console (/console) in a real browser (Debian's Chromium, driven by playwright-core;
// no browser is downloaded): sign-in, the dashboard, a private_key_jwt client registered through
// the form and then used for a token, the clients search, a certificate import, disabling and
// enabling the client_secret_post plugin, a user with the admin role, sign-out. The page must
// run without one console error or CSP violation. Prints one JSON line; screenshots go to
// ARTIFACT_DIR.
//   node console_browser.mjs BASE_URL ADMIN_PASSWORD ARTIFACT_DIR
import { chromium } from 'playwright-core';
import { webcrypto, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [baseArg, adminPassword, artifacts] = process.argv.slice(2);
if (!baseArg || !adminPassword || !artifacts) {
  console.error('usage: node console_browser.mjs BASE_URL ADMIN_PASSWORD ARTIFACT_DIR');
  process.exit(2);
}
const base = baseArg.replace(/\/+$/, '');
fs.mkdirSync(artifacts, { recursive: true });
const STEP_MS = 15000;
const adminBasic = 'Basic ' + Buffer.from(`admin:${adminPassword}`).toString('base64');
const pid = process.pid;
const pkjwtId = `console-pkjwt-${pid}`;
const postId = `console-post-${pid}`;
const certAlias = `console-cert-${pid}`;
const roleUser = `console-admin-${pid}`;
const roleUserPassword = 'console pass 42 x';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'idgate-console-'));

const result = {};
let pkjwtKey = null;  // the private_key_jwt client's key, for tokens after step 2
const consoleErrors = [];

// --- outside the browser ------------------------------------------------------------------------

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** POST /oauth2/token through curl: {status, body}. */
function curlToken(params) {
  const args = ['-s', '-o', '-', '-w', '\n%{http_code}', '--max-time', '15'];
  for (const [k, v] of Object.entries(params)) args.push('--data-urlencode', `${k}=${v}`);
  args.push(`${base}/oauth2/token`);
  const out = execFileSync('curl', args, { encoding: 'utf8' });
  const cut = out.lastIndexOf('\n');
  const status = Number(out.slice(cut + 1).trim());
  let body = null;
  try {
    body = JSON.parse(out.slice(0, cut));
  } catch (e) {
    body = { unparsed: out.slice(0, cut) };
  }
  return { status, body };
}

async function adminApi(method, p, body) {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: { Authorization: adminBasic, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    json = null;
  }
  return { status: res.status, json, text };
}

async function es256Assertion(privateKey, clientId, kid) {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid }));
  const payload = b64url(JSON.stringify({
    iss: clientId, sub: clientId, aud: `${base}/oauth2/token`,
    jti: randomBytes(16).toString('hex'), iat: now, exp: now + 60,
  }));
  const input = `${header}.${payload}`;
  // WebCrypto's ECDSA signature is r || s (IEEE P1363), which is JWS's ES256 form.
  const sig = await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey,
    Buffer.from(input));
  return `${input}.${b64url(sig)}`;
}

// --- in the browser ------------------------------------------------------------------------------

/** Runs `fn`; a failure names the step and what the console's status region said. */
async function step(page, name, fn) {
  try {
    return await fn();
  } catch (e) {
    let status = '';
    try {
      status = (await page.textContent('#status', { timeout: 1000 }) || '').trim();
    } catch (ignored) {
      // no page
    }
    try {
      await page.screenshot({ path: `${artifacts}/failure.png`, fullPage: true });
    } catch (ignored) {
      // best effort
    }
    throw new Error(`step "${name}" failed: ${e.message.split('\n')[0]}` +
      (status ? ` (console status: "${status}")` : ''));
  }
}

/** Does `action`, then waits for the status region to show a new message: {text, error}. */
async function statusAfter(page, action) {
  const before = await page.getAttribute('#status', 'data-seq');
  await action();
  await page.waitForFunction((b) => {
    const s = document.getElementById('status');
    return s && s.dataset.seq !== b && s.textContent.trim() !== '';
  }, before, { timeout: STEP_MS });
  const text = (await page.textContent('#status')).trim();
  const error = await page.$eval('#status', (s) => s.classList.contains('status-error'));
  return { text, error };
}

function expectOk(what, s) {
  if (s.error) throw new Error(`${what}: the console said "${s.text}"`);
  return s;
}

async function nav(page, name, readySelector) {
  await page.getByRole('navigation').getByRole('link', { name, exact: true }).click();
  await page.waitForSelector(readySelector);
}

async function signIn(page, username, password) {
  await page.waitForSelector('#username');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function signOut(page) {
  const s = await statusAfter(page, () => page.click('#sign-out'));
  await page.waitForSelector('#username');
  return s.text;
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let pluginDisabled = false;
let failed = null;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // CSP violations also reach the console as errors; this names them plainly.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`);
    });
  });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.on('dialog', (d) => d.accept());
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    // The console's own calls that are meant to be refused (the session probe before sign-in,
    // the wrong password, the API after sign-out) are logged by Chromium as failed loads.
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
    consoleErrors.push(text);
  });
  page.on('pageerror', (err) => consoleErrors.push(`page error: ${err.message}`));

  // 1. Sign in.
  await step(page, 'sign-in', async () => {
    await page.goto(`${base}/console`);
    await page.waitForSelector('#username');
    await page.screenshot({ path: `${artifacts}/signin.png`, fullPage: true });
    await page.fill('#username', 'admin');
    await page.fill('#password', 'not the admin password');
    const s = await statusAfter(page, () =>
      page.getByRole('button', { name: 'Sign in', exact: true }).click());
    result.wrong_password_message = s.text;
    await signIn(page, 'admin', adminPassword);
    await page.waitForSelector('#dashboard[data-state="loaded"]');
    result.dashboard_heading = (await page.textContent('main h1')).trim();
    await page.screenshot({ path: `${artifacts}/dashboard.png`, fullPage: true });
  });

  // 2. A private_key_jwt client through the form, then a token for it.
  await step(page, 'private_key_jwt client', async () => {
    const { privateKey, publicKey } = await webcrypto.subtle.generateKey(
      { name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const { kty, crv, x, y } = await webcrypto.subtle.exportKey('jwk', publicKey);
    const kid = 'console-1';
    const jwks = { keys: [{ kty, crv, x, y, kid, use: 'sig', alg: 'ES256' }] };
    await nav(page, 'Clients', '#clients-table[data-state="loaded"]');
    await page.click('#new-client');
    await page.waitForSelector('#client-form');
    await page.fill('#client_id', pkjwtId);
    await page.fill('#client_name', 'Console private_key_jwt');
    await page.selectOption('#token_endpoint_auth_method', 'private_key_jwt');
    await page.selectOption('#grant_types', ['client_credentials']);
    await page.fill('#scope', 'orders:read');
    await page.fill('#jwks', JSON.stringify(jwks, null, 2));
    const s = await statusAfter(page, () =>
      page.getByRole('button', { name: 'Save', exact: true }).click());
    expectOk('saving the client', s);
    await page.waitForFunction((id) => location.hash === `#/clients/${encodeURIComponent(id)}`, pkjwtId);
    await page.screenshot({ path: `${artifacts}/client.png`, fullPage: true });

    pkjwtKey = { privateKey, kid };
    const assertion = await es256Assertion(privateKey, pkjwtId, kid);
    const t = curlToken({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      client_id: pkjwtId,
    });
    result.token = {
      status: t.status,
      token_type: t.body ? t.body.token_type ?? null : null,
      has_access_token: !!(t.body && typeof t.body.access_token === 'string' && t.body.access_token),
    };
  });

  // 3. The clients list and its search.
  await step(page, 'clients search', async () => {
    await nav(page, 'Clients', '#clients-table[data-state="loaded"]');
    await page.fill('#client-search', pkjwtId);
    const visible = '#clients-table tbody tr:not([hidden])';
    result.search_rows = await page.$$eval(visible, (rows) => rows.length);
    result.search_first_id = result.search_rows
      ? (await page.textContent(`${visible} td.client-id`)).trim() : null;
    await page.screenshot({ path: `${artifacts}/clients.png`, fullPage: true });
  });

  // 4. A certificate imported from a file.
  await step(page, 'keystore import', async () => {
    const keyFile = path.join(tmp, 'cert.key');
    const certFile = path.join(tmp, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
      '-nodes', '-subj', '/CN=console-test', '-days', '30', '-keyout', keyFile, '-out', certFile],
    { stdio: ['ignore', 'ignore', 'pipe'] });
    await nav(page, 'Keystore', '#keystore-table[data-state="loaded"]');
    await page.fill('#import-alias', certAlias);
    await page.setInputFiles('#import-file', certFile);
    await page.waitForFunction(() =>
      document.getElementById('import-certificate').value.includes('BEGIN CERTIFICATE'));
    const s = await statusAfter(page, () =>
      page.getByRole('button', { name: 'Import', exact: true }).click());
    expectOk('importing the certificate', s);
    const row = `#keystore-table tr[data-alias="${certAlias}"]`;
    await page.waitForSelector(row);
    result.imported_alias_listed = (await page.$(row)) !== null;
    result.imported_subject = (await page.textContent(`${row} td.entry-subject`)).trim();
    await page.screenshot({ path: `${artifacts}/keystore.png`, fullPage: true });
  });

  // 4b. The signing key rotated: new tokens carry the new kid, the JWKS keeps the old key.
  await step(page, 'signing key rotation', async () => {
    const kidOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()).kid;
    const tokenKid = async () => {
      const t = curlToken({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await es256Assertion(pkjwtKey.privateKey, pkjwtId, pkjwtKey.kid),
        client_id: pkjwtId,
      });
      if (t.status !== 200) throw new Error(`token after rotation: ${t.status} ${JSON.stringify(t.body)}`);
      return kidOf(t.body.access_token);
    };
    const before = await tokenKid();
    const s = await statusAfter(page, () => page.click('#rotate-signing-key'));
    expectOk('rotating the signing key', s);
    const after = await tokenKid();
    const jwks = await (await fetch(`${base}/oauth2/jwks`)).json();
    result.rotation = {
      status_text: s.text,
      kid_changed: before !== after,
      jwks_kids: jwks.keys.map((k) => k.kid),
      old_kid: before,
      new_kid: after,
      retired_row: (await page.textContent('#keystore-table tr:has-text("retired, published until")')) !== null,
    };
  });

  // 5. The client_secret_post plugin disabled and enabled again.
  await step(page, 'plugins', async () => {
    // Registered first: a method no active plugin provides cannot be registered.
    const reg = await adminApi('POST', '/api/admin/clients', {
      client_id: postId, client_name: 'Console client_secret_post',
      token_endpoint_auth_method: 'client_secret_post', grant_types: ['client_credentials'],
    });
    if (reg.status !== 201 || !reg.json || !reg.json.client_secret) {
      throw new Error(`registering ${postId}: ${reg.status} ${reg.text}`);
    }
    const postParams = { grant_type: 'client_credentials', client_id: postId, client_secret: reg.json.client_secret };

    await nav(page, 'Plugins', '#plugins-table[data-state="loaded"]');
    const toggle = (text) => page.locator('#plugins-table button.plugin-toggle[data-plugin="client_secret_post"]',
      { hasText: new RegExp(`^${text}$`) });
    await toggle('Disable').waitFor();
    expectOk('disabling client_secret_post', await statusAfter(page, () => toggle('Disable').click()));
    pluginDisabled = true;
    await toggle('Enable').waitFor();
    result.disabled_status_text = (await page.textContent(
      '#plugins-table tr[data-plugin="client_secret_post"] td.plugin-status .plugin-state')).trim();

    const refused = curlToken(postParams);
    result.post_while_disabled = { status: refused.status, error: refused.body ? refused.body.error ?? null : null };

    expectOk('enabling client_secret_post', await statusAfter(page, () => toggle('Enable').click()));
    pluginDisabled = false;
    await toggle('Disable').waitFor();
    result.post_after_enable_status = curlToken(postParams).status;
    await page.screenshot({ path: `${artifacts}/plugins.png`, fullPage: true });
  });

  // 6. A user with the admin role.
  await step(page, 'users', async () => {
    await nav(page, 'Users', '#users-table[data-state="loaded"]');
    await page.fill('#new-username', roleUser);
    await page.fill('#new-password', roleUserPassword);
    await page.fill('#new-claims', JSON.stringify({ name: 'Console Admin' }));
    await page.check('#new-admin');
    expectOk('creating the user', await statusAfter(page, () =>
      page.getByRole('button', { name: 'Create user', exact: true }).click()));
    await page.waitForSelector(`#users-table tr[data-user="${roleUser}"]`);
    await page.screenshot({ path: `${artifacts}/users.png`, fullPage: true });
  });

  // 7. Sign out; the session's CSRF token opens nothing any more.
  await step(page, 'sign-out', async () => {
    const csrf = await page.evaluate(async () => {
      const r = await fetch('/console/session', { credentials: 'same-origin' });
      return (await r.json()).csrf_token;
    });
    result.signed_out_message = await signOut(page);
    result.api_after_signout_status = await page.evaluate(async (token) => {
      const r = await fetch('/api/admin/clients', {
        credentials: 'same-origin', headers: { 'X-CSRF-Token': token, Accept: 'application/json' },
      });
      return r.status;
    }, csrf);
    await page.screenshot({ path: `${artifacts}/signed-out.png`, fullPage: true });
  });

  // 8. The admin-role user signs in.
  await step(page, 'role user sign-in', async () => {
    await signIn(page, roleUser, roleUserPassword);
    await page.waitForSelector('#dashboard');
    result.role_user_heading = (await page.textContent('main h1')).trim();
    await signOut(page);
  });
} catch (e) {
  failed = e;
} finally {
  if (pluginDisabled) {
    // Never leave the server without client_secret_post.
    await adminApi('PATCH', '/api/admin/plugins/client_secret_post', { enabled: true }).catch(() => {});
  }
  await browser.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}

result.console_errors = consoleErrors;
console.log(JSON.stringify(result));
if (failed) {
  console.error(`console_browser: ${failed.message}`);
  process.exit(1);
}
if (consoleErrors.length) {
  console.error(`console_browser: errors in the browser console:\n  ${consoleErrors.join('\n  ')}`);
  process.exit(1);
}
