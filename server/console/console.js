// idgate console: the browser side of the admin console. Plain ES2020, no framework, no build.
// The page runs under a strict CSP (script-src 'self'; style-src 'self'): the DOM is built with
// createElement/textContent only (never innerHTML with data), no inline styles (classes and the
// hidden attribute instead), no eval.
'use strict';

(() => {
  // ---------------------------------------------------------------------------------------------
  // State

  const state = {
    session: null, // {username, csrf_token, idle_timeout_seconds}
    resumeHash: null, // the page to return to after signing in again
    flash: null, // {message, kind, secret}: shown by the next page rendered
    routeSeq: 0, // bumped per rendered page: late answers for an older page are dropped
    dash: null, // the dashboard's refresh loop
  };
  let statusSeq = 0;

  const SECRET_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt'];
  const FALLBACK_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt',
    'private_key_jwt', 'none'];
  const FALLBACK_GRANTS = ['authorization_code', 'refresh_token', 'client_credentials',
    'urn:ietf:params:oauth:grant-type:jwt-bearer',
    'urn:ietf:params:oauth:grant-type:token-exchange'];
  const FALLBACK_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384',
    'ES512', 'EdDSA', 'HS256', 'HS384', 'HS512'];
  const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

  // ---------------------------------------------------------------------------------------------
  // DOM helpers

  const $ = (sel, root = document) => root.querySelector(sel);

  /** An element: attrs may hold class, text, on<event>, dataset, value, checked, selected,
   *  booleans (set as empty attributes when true, left out when false or null). */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    let value;
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else if (k === 'value') value = v;
      else if (k === 'checked' || k === 'selected') e[k] = true;
      else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
      else if (v === true) e.setAttribute(k, '');
      else e.setAttribute(k, String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    if (value !== undefined) e.value = value; // after the options of a select exist
    return e;
  }

  function setStatus(message, kind = 'info') {
    const s = $('#status');
    s.textContent = message;
    s.className = `status status-${kind}`;
    s.dataset.seq = String(++statusSeq);
  }

  function clearStatus() {
    const s = $('#status');
    s.textContent = '';
    s.className = 'status';
  }

  function render(title, ...nodes) {
    document.title = `idgate console · ${title}`;
    $('#main').replaceChildren(...nodes.flat());
  }

  function pageContext() {
    const seq = ++state.routeSeq;
    return { alive: () => seq === state.routeSeq && state.session !== null };
  }

  function fmtNumber(n, digits = 0) {
    if (n === null || n === undefined || Number.isNaN(n)) return '—';
    return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  }

  function fmtSeconds(s) {
    if (s === null || s === undefined || Number.isNaN(s)) return '—';
    if (!Number.isFinite(s)) return 'over 10 s';
    if (s < 0.001) return `${(s * 1000).toFixed(2)} ms`;
    if (s < 1) return `${(s * 1000).toFixed(1)} ms`;
    return `${s.toFixed(2)} s`;
  }

  function fmtUnix(seconds) {
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return '—';
    return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
  }

  function tableWrap(table) {
    return el('div', { class: 'table-wrap' }, table);
  }

  function headRow(...names) {
    return el('thead', null, el('tr', null, names.map((n) => el('th', { scope: 'col', text: n }))));
  }

  function field(id, label, input, hint) {
    const hintId = hint ? `${id}-hint` : null;
    if (hintId) input.setAttribute('aria-describedby', hintId);
    return el('div', { class: 'field' },
      el('label', { for: id, text: label }),
      input,
      hint ? el('p', { class: 'hint', id: hintId, text: hint }) : null);
  }

  function checkboxField(id, label, checked, hint) {
    const hintId = hint ? `${id}-hint` : null;
    return el('div', { class: 'field checkbox' },
      el('input', { type: 'checkbox', id, name: id, checked, 'aria-describedby': hintId }),
      el('label', { for: id, text: label }),
      hint ? el('p', { class: 'hint', id: hintId, text: hint }) : null);
  }

  /** Runs `work` with `button` disabled; errors go to the status region. */
  async function busy(button, work) {
    if (button) button.disabled = true;
    try {
      return await work();
    } catch (err) {
      report(err);
      return undefined;
    } finally {
      if (button) button.disabled = false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The server

  class ApiError extends Error {
    constructor(status, body, message) {
      super(message);
      this.status = status;
      this.body = body;
    }
  }
  class SessionEnded extends Error {}

  function report(err) {
    if (err instanceof SessionEnded) return;
    if (err instanceof ApiError) {
      setStatus(err.message, 'error');
      return;
    }
    setStatus(`Unexpected problem: ${err && err.message ? err.message : err}`, 'error');
    console.error(err); // a bug in the console itself
  }

  /**
   * One call to the server. A 401 ends the session (unless `signIn`: the sign-in form reads the
   * 401 itself). Errors are OAuth-style JSON: error_description, else error, is the message.
   */
  async function api(method, path, body, opts = {}) {
    const headers = { Accept: opts.accept || 'application/json' };
    if (state.session && !opts.signIn) headers['X-CSRF-Token'] = state.session.csrf_token;
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, null, `The server did not answer (${e.message}).`);
    }
    let data = null;
    if (res.status !== 204) {
      const text = await res.text();
      const type = res.headers.get('Content-Type') || '';
      if (type.includes('json')) {
        try {
          data = text ? JSON.parse(text) : null;
        } catch (e) {
          data = null;
        }
      } else {
        data = text;
      }
    }
    if (res.status === 401 && !opts.signIn) {
      sessionEnded();
      throw new SessionEnded('session ended');
    }
    if (!res.ok) {
      let message = null;
      if (data && typeof data === 'object') message = data.error_description || data.error;
      if (!message && res.status === 429) message = 'Too many attempts; wait a moment and try again.';
      if (!message) message = `The server answered ${res.status} ${res.statusText}`.trim() + '.';
      throw new ApiError(res.status, data, message);
    }
    return data;
  }

  const enc = encodeURIComponent;

  async function discovery() {
    try {
      const res = await fetch('/.well-known/openid-configuration',
        { credentials: 'same-origin', cache: 'no-store' });
      if (res.ok) return await res.json();
    } catch (e) {
      // the fallbacks below
    }
    return {};
  }

  // ---------------------------------------------------------------------------------------------
  // Session

  function showShell(signedIn) {
    $('#topbar').hidden = !signedIn;
    $('#current-user').textContent = signedIn ? state.session.username : '';
  }

  function showSignIn(message, kind = 'info') {
    stopDashboard();
    state.session = null;
    state.routeSeq++;
    showShell(false);
    const username = el('input', {
      id: 'username', name: 'username', type: 'text', autocomplete: 'username', required: true,
      autocapitalize: 'none', spellcheck: 'false',
    });
    const password = el('input', {
      id: 'password', name: 'password', type: 'password', autocomplete: 'current-password',
      required: true,
    });
    const submit = el('button', { type: 'submit', class: 'button primary', text: 'Sign in' });
    const form = el('form', { id: 'signin-form', class: 'card signin', novalidate: true },
      el('p', { class: 'brand-large', text: 'idgate console' }),
      el('h1', { text: 'Sign in' }),
      field('username', 'Username', username),
      field('password', 'Password', password),
      el('div', { class: 'actions' }, submit));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      signIn(username, password, submit);
    });
    render('Sign in', form);
    if (message) setStatus(message, kind);
    else clearStatus();
    username.focus();
  }

  async function signIn(username, password, submit) {
    if (!username.value.trim() || !password.value) {
      setStatus('Enter a username and a password.', 'error');
      (username.value.trim() ? password : username).focus();
      return;
    }
    await busy(submit, async () => {
      let session;
      try {
        session = await api('POST', '/console/session',
          { username: username.value.trim(), password: password.value }, { signIn: true });
      } catch (err) {
        password.value = '';
        password.focus();
        throw err;
      }
      state.session = session;
      showShell(true);
      const target = state.resumeHash || '#/dashboard';
      state.resumeHash = null;
      if (location.hash === target) route();
      else location.hash = target; // hashchange renders it
    });
  }

  /** A 401 from any call: the session ended (idle timeout, or signed out elsewhere). */
  function sessionEnded() {
    if (!state.session) return;
    state.resumeHash = location.hash || null;
    showSignIn('Your session ended; sign in again.', 'error');
  }

  async function signOut(button) {
    if (!state.session) return;
    await busy(button, async () => {
      try {
        await api('DELETE', '/console/session');
      } catch (err) {
        if (!(err instanceof SessionEnded)) throw err;
      }
      state.resumeHash = null;
      showSignIn('Signed out.');
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Routing

  const ROUTES = [
    [/^#\/dashboard$/, 'dashboard', () => pageDashboard()],
    [/^#\/clients$/, 'clients', () => pageClients()],
    [/^#\/clients\/new$/, 'clients', () => pageClientForm(null)],
    [/^#\/clients\/(.+)$/, 'clients', (m) => pageClientForm(decodeURIComponent(m[1]))],
    [/^#\/keystore$/, 'keystore', () => pageKeystore()],
    [/^#\/plugins$/, 'plugins', () => pagePlugins()],
    [/^#\/users$/, 'users', () => pageUsers()],
  ];

  function clientHref(id) {
    // "new" is the creation form's address: a client with that id is reached encoded.
    return `#/clients/${id === 'new' ? '%6Eew' : enc(id)}`;
  }

  function route() {
    stopDashboard();
    if (!state.session) {
      showSignIn();
      return;
    }
    let hash = location.hash;
    let found = null;
    for (const [re, nav, page] of ROUTES) {
      const m = re.exec(hash);
      if (m) {
        found = { nav, page, m };
        break;
      }
    }
    if (!found) {
      hash = '#/dashboard';
      history.replaceState(null, '', hash);
      found = { nav: 'dashboard', page: () => pageDashboard(), m: null };
    }
    for (const a of document.querySelectorAll('[data-nav]')) {
      if (a.dataset.nav === found.nav) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    clearStatus();
    try {
      Promise.resolve(found.page(found.m)).catch(report);
    } catch (err) {
      report(err);
    }
  }

  /** The message (and secret) a previous page left for this one. */
  function consumeFlash() {
    const f = state.flash;
    state.flash = null;
    if (f && f.message) setStatus(f.message, f.kind || 'info');
    return f;
  }

  function focusHeading() {
    const h = $('#main h1');
    if (h) {
      h.setAttribute('tabindex', '-1');
      h.focus({ preventScroll: true });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Dashboard

  /** Prometheus text format 0.0.4: [{name, labels, value}]; comments and blank lines skipped. */
  function parseMetrics(text) {
    const out = [];
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
      if (!nameMatch) continue;
      const name = nameMatch[0];
      let i = name.length;
      const labels = {};
      if (line[i] === '{') {
        i++;
        while (i < line.length && line[i] !== '}') {
          const lm = /^\s*,?\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/.exec(line.slice(i));
          if (!lm) break;
          i += lm[0].length;
          let v = '';
          while (i < line.length && line[i] !== '"') {
            if (line[i] === '\\' && i + 1 < line.length) {
              const n = line[i + 1];
              v += n === 'n' ? '\n' : n;
              i += 2;
            } else {
              v += line[i++];
            }
          }
          i++; // the closing quote
          labels[lm[1]] = v;
          while (i < line.length && (line[i] === ',' || line[i] === ' ')) i++;
        }
        i++; // the closing brace
      }
      const rest = line.slice(i).trim().split(/\s+/);
      const v = rest[0];
      let value;
      if (v === '+Inf') value = Infinity;
      else if (v === '-Inf') value = -Infinity;
      else value = Number(v);
      if (v === undefined || (Number.isNaN(value) && v !== 'NaN')) continue;
      out.push({ name, labels, value });
    }
    return out;
  }

  function sumOf(samples, name, filter) {
    let total = 0;
    let seen = false;
    for (const s of samples) {
      if (s.name === name && (!filter || filter(s.labels))) {
        total += s.value;
        seen = true;
      }
    }
    return seen ? total : null;
  }

  function groupBy(samples, name, label, filter) {
    const m = new Map();
    for (const s of samples) {
      if (s.name !== name || (filter && !filter(s.labels))) continue;
      const k = s.labels[label] ?? '';
      m.set(k, (m.get(k) || 0) + s.value);
    }
    return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }

  const TOKEN_ROUTES = new Set(['/oauth2/token', '/o/oauth2/token']);
  const isTokenRoute = (l) => TOKEN_ROUTES.has(l.route);

  /** Cumulative buckets (merged over series) as [[le, count]] sorted by le. */
  function histogram(samples, name, filter) {
    const m = new Map();
    for (const s of samples) {
      if (s.name !== `${name}_bucket` || (filter && !filter(s.labels))) continue;
      const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
      if (Number.isNaN(le)) continue;
      m.set(le, (m.get(le) || 0) + s.value);
    }
    return [...m.entries()].sort((a, b) => a[0] - b[0]);
  }

  /** histogram_quantile's estimate: linear inside the bucket the rank falls in. */
  function quantile(q, buckets) {
    if (!buckets.length) return null;
    const total = buckets[buckets.length - 1][1];
    if (!total) return null;
    const rank = q * total;
    let prevLe = 0;
    let prevCount = 0;
    for (const [le, count] of buckets) {
      if (count >= rank) {
        if (!Number.isFinite(le)) return prevLe > 0 ? Infinity : null;
        if (count === prevCount) return le;
        return prevLe + ((le - prevLe) * (rank - prevCount)) / (count - prevCount);
      }
      prevLe = le;
      prevCount = count;
    }
    return null;
  }

  function card(id, title, ...body) {
    return el('section', { class: 'card metric', id: `card-${id}`, 'aria-labelledby': `card-${id}-h` },
      el('h2', { id: `card-${id}-h`, text: title }), body);
  }

  function bigValue(id) {
    return el('p', { class: 'big', id, text: '—' });
  }

  function smallTable(id, caption, keyHead) {
    return el('table', { class: 'data compact', id },
      el('caption', { class: 'vh', text: caption }),
      headRow(keyHead, 'Count'),
      el('tbody'));
  }

  function fillSmallTable(table, rows, empty) {
    const tbody = table.tBodies[0];
    if (!rows.length) {
      tbody.replaceChildren(el('tr', null, el('td', { colspan: 2, class: 'muted', text: empty })));
      return;
    }
    tbody.replaceChildren(...rows.map(([k, v]) =>
      el('tr', null, el('td', { text: k || '(none)' }), el('td', { class: 'num', text: fmtNumber(v) }))));
  }

  function pageDashboard() {
    const ctx = pageContext();
    const dash = el('div', { id: 'dashboard', class: 'cards' },
      card('tokens', 'Tokens issued',
        bigValue('dash-tokens-total'),
        el('p', { class: 'sub' }, 'Rate: ', el('span', { id: 'dash-token-rate', text: '—' })),
        smallTable('dash-tokens-by-grant', 'Tokens issued by grant type', 'Grant type'),
        smallTable('dash-tokens-by-method', 'Tokens issued by client authentication', 'Client authentication')),
      card('errors', 'Token failures',
        bigValue('dash-errors-total'),
        smallTable('dash-errors-by-reason', 'Token failures by error', 'Error')),
      card('latency', 'Token endpoint',
        el('dl', { class: 'kv' },
          el('dt', { text: 'Requests' }), el('dd', { id: 'dash-token-requests', text: '—' }),
          el('dt', { text: 'Refused (4xx)' }), el('dd', { id: 'dash-token-refused', text: '—' }),
          el('dt', { text: 'Latency p50' }), el('dd', { id: 'dash-latency-p50', text: '—' }),
          el('dt', { text: 'Latency p99' }), el('dd', { id: 'dash-latency-p99', text: '—' }),
          el('dt', { text: 'Latency mean' }), el('dd', { id: 'dash-latency-mean', text: '—' })),
        el('p', { class: 'hint', text: 'Since the server started; percentiles are estimated from histogram buckets.' })),
      card('jti', 'JTI table',
        bigValue('dash-jti'),
        el('p', { class: 'hint', text: 'One-time assertion and DPoP proof ids kept to refuse replays.' })),
      card('connections', 'Open connections',
        bigValue('dash-connections'),
        el('p', { class: 'hint', text: 'Client connections open now, keep-alive ones included.' })));
    const idle = state.session && state.session.idle_timeout_seconds;
    render('Dashboard',
      el('div', { class: 'page-head' }, el('h1', { text: 'Dashboard' }),
        el('p', { class: 'muted' }, 'Updated ', el('span', { id: 'dash-updated', text: 'never' }),
          ' · refreshes every 5 s')),
      dash,
      idle ? el('p', { class: 'hint', text: `The console signs you out after ${Math.round(idle / 60)} min without activity.` }) : null);
    consumeFlash();
    focusHeading();
    startDashboard(ctx);
  }

  function startDashboard(ctx) {
    const loop = { stopped: false, timer: 0, prev: null };
    state.dash = loop;
    const tick = async () => {
      if (loop.stopped || !ctx.alive()) return;
      // A hidden tab does not poll (nor keep the session alive by polling).
      if (document.visibilityState !== 'hidden' || !loop.prev) {
        try {
          const text = await api('GET', '/metrics', undefined, { accept: 'text/plain' });
          if (loop.stopped || !ctx.alive()) return;
          updateDashboard(loop, String(text || ''));
        } catch (err) {
          if (loop.stopped) return;
          report(err);
          if (err instanceof SessionEnded) return;
        }
      }
      if (!loop.stopped) loop.timer = setTimeout(tick, 5000);
    };
    tick();
  }

  function stopDashboard() {
    if (state.dash) {
      state.dash.stopped = true;
      clearTimeout(state.dash.timer);
      state.dash = null;
    }
  }

  function setText(id, text) {
    const e = document.getElementById(id);
    if (e) e.textContent = text;
  }

  function updateDashboard(loop, text) {
    const samples = parseMetrics(text);
    const now = performance.now();
    const issued = sumOf(samples, 'idgate_tokens_issued_total') ?? 0;
    setText('dash-tokens-total', fmtNumber(issued));
    if (loop.prev && now > loop.prev.at && issued >= loop.prev.issued) {
      const rate = (issued - loop.prev.issued) / ((now - loop.prev.at) / 1000);
      setText('dash-token-rate', `${fmtNumber(rate, 2)} tokens/s`);
    } else {
      setText('dash-token-rate', loop.prev ? '— (counters restarted)' : '— (needs a second sample)');
    }
    loop.prev = { at: now, issued };
    fillSmallTable($('#dash-tokens-by-grant'),
      groupBy(samples, 'idgate_tokens_issued_total', 'grant_type'), 'No token issued yet.');
    fillSmallTable($('#dash-tokens-by-method'),
      groupBy(samples, 'idgate_tokens_issued_total', 'auth_method'), 'No token issued yet.');

    setText('dash-errors-total', fmtNumber(sumOf(samples, 'idgate_token_errors_total') ?? 0));
    fillSmallTable($('#dash-errors-by-reason'),
      groupBy(samples, 'idgate_token_errors_total', 'error'), 'No refusal yet.');

    const requests = sumOf(samples, 'idgate_http_requests_total', isTokenRoute);
    setText('dash-token-requests', fmtNumber(requests ?? 0));
    const refused = sumOf(samples, 'idgate_http_requests_total',
      (l) => isTokenRoute(l) && /^4/.test(l.status || ''));
    setText('dash-token-refused', fmtNumber(refused ?? 0));
    const buckets = histogram(samples, 'idgate_http_request_duration_seconds', isTokenRoute);
    setText('dash-latency-p50', fmtSeconds(quantile(0.5, buckets)));
    setText('dash-latency-p99', fmtSeconds(quantile(0.99, buckets)));
    const sum = sumOf(samples, 'idgate_http_request_duration_seconds_sum', isTokenRoute);
    const count = sumOf(samples, 'idgate_http_request_duration_seconds_count', isTokenRoute);
    setText('dash-latency-mean', count ? fmtSeconds(sum / count) : '—');

    const jti = sumOf(samples, 'idgate_jti_entries');
    setText('dash-jti', jti === null ? 'not reported' : `${fmtNumber(jti)} entries`);
    const open = sumOf(samples, 'idgate_http_connections_open');
    setText('dash-connections', open === null ? 'not reported' : fmtNumber(open));
    setText('dash-updated', new Date().toLocaleTimeString());
    const d = $('#dashboard');
    if (d) d.dataset.state = 'loaded';
  }

  // ---------------------------------------------------------------------------------------------
  // Clients

  async function pageClients() {
    const ctx = pageContext();
    const search = el('input', {
      id: 'client-search', type: 'search', autocomplete: 'off', spellcheck: 'false',
      placeholder: 'client_id or client_name',
    });
    const count = el('p', { class: 'muted', id: 'client-count', 'aria-live': 'polite' });
    const tbody = el('tbody');
    const table = el('table', { id: 'clients-table', class: 'data' },
      el('caption', { class: 'vh', text: 'Registered clients' }),
      headRow('client_id', 'client_name', 'token_endpoint_auth_method', 'grant_types', 'scope'),
      tbody);
    const noMatch = el('p', { class: 'muted', id: 'clients-empty', hidden: true });
    render('Clients',
      el('div', { class: 'page-head' }, el('h1', { text: 'Clients' }),
        el('a', { href: '#/clients/new', class: 'button primary', id: 'new-client', text: 'New client' })),
      el('div', { class: 'toolbar' }, field('client-search', 'Search clients', search), count),
      tableWrap(table), noMatch);
    consumeFlash();
    focusHeading();
    const data = await api('GET', '/api/admin/clients');
    if (!ctx.alive()) return;
    const clients = (data && Array.isArray(data.clients) ? data.clients : [])
      .slice().sort((a, b) => String(a.client_id).localeCompare(String(b.client_id)));
    tbody.replaceChildren(...clients.map((c) => {
      const tr = el('tr', { dataset: { clientId: c.client_id } },
        el('td', { class: 'client-id' }, el('a', { href: clientHref(c.client_id), text: c.client_id })),
        el('td', { class: 'client-name', text: c.client_name || '' }),
        el('td', { text: c.token_endpoint_auth_method || '' }),
        el('td', { text: Array.isArray(c.grant_types) ? c.grant_types.join(', ') : '' }),
        el('td', { text: c.scope || '' }));
      tr.dataset.search = `${c.client_id || ''}\n${c.client_name || ''}`.toLowerCase();
      return tr;
    }));
    const filter = () => {
      const q = search.value.trim().toLowerCase();
      let shown = 0;
      for (const tr of tbody.rows) {
        tr.hidden = q !== '' && !tr.dataset.search.includes(q);
        if (!tr.hidden) shown++;
      }
      count.textContent = q ? `${shown} of ${clients.length} clients` : `${clients.length} clients`;
      noMatch.hidden = shown > 0;
      noMatch.textContent = clients.length ? 'No client matches the search.' : 'No client is registered yet.';
    };
    search.addEventListener('input', filter);
    filter();
    table.dataset.state = 'loaded';
  }

  /** The registration fields of client_metadata.cc, in form order. */
  function clientFields(disco, existing) {
    const withExisting = (list, name) => {
      const out = [...list];
      const v = existing && existing[name];
      for (const x of Array.isArray(v) ? v : v ? [v] : []) if (!out.includes(x)) out.push(x);
      return out;
    };
    const methods = withExisting(
      Array.isArray(disco.token_endpoint_auth_methods_supported) && disco.token_endpoint_auth_methods_supported.length
        ? disco.token_endpoint_auth_methods_supported : FALLBACK_METHODS, 'token_endpoint_auth_method');
    const grants = withExisting(
      Array.isArray(disco.grant_types_supported) && disco.grant_types_supported.length
        ? disco.grant_types_supported : FALLBACK_GRANTS, 'grant_types');
    const algs = withExisting(
      Array.isArray(disco.token_endpoint_auth_signing_alg_values_supported)
        ? disco.token_endpoint_auth_signing_alg_values_supported : FALLBACK_ALGS,
      'token_endpoint_auth_signing_alg');
    return [
      { name: 'client_id', kind: 'text', label: 'Client ID',
        hint: existing ? 'A client keeps its id; register a new client for another one.'
          : '1-255 characters of A-Z a-z 0-9 - . _ ~ @. Leave empty to have one generated.' },
      { name: 'client_name', kind: 'text', label: 'Client name' },
      { name: 'token_endpoint_auth_method', kind: 'select', label: 'Client authentication (token_endpoint_auth_method)',
        options: methods.map((m) => [m, m]) },
      { name: 'token_endpoint_auth_signing_alg', kind: 'select', label: 'Assertion signing algorithm (token_endpoint_auth_signing_alg)',
        options: [['', '(any the key allows)'], ...algs.map((a) => [a, a])],
        hint: 'For private_key_jwt and client_secret_jwt only.' },
      { name: 'client_assertion_audience_mode', kind: 'select', label: 'Assertion audience (client_assertion_audience_mode)',
        options: [['', '(server default)'], ['legacy', 'legacy'], ['strict', 'strict']],
        hint: 'For private_key_jwt and client_secret_jwt only.' },
      { name: 'client_secret', kind: 'secret', label: 'Client secret',
        hint: 'Optional, for the client_secret_* methods: a secret of your own (16 to 512 bytes). Leave empty to have one generated for a new client, or to keep the current one.' },
      { name: 'grant_types', kind: 'multi', label: 'Grant types (grant_types)',
        options: grants.map((g) => [g, g]), hint: 'Ctrl-click or Cmd-click to choose several.' },
      { name: 'scope', kind: 'scope', label: 'Scope', hint: 'Scope tokens separated by spaces.' },
      { name: 'redirect_uris', kind: 'lines', label: 'Redirect URIs', hint: 'One per line; required with authorization_code.' },
      { name: 'post_logout_redirect_uris', kind: 'lines', label: 'Post-logout redirect URIs', hint: 'One per line.' },
      { name: 'jwks', kind: 'json', label: 'JWKS (public keys)', rows: 8,
        hint: 'Paste a JWK Set: {"keys": [ … ]}. Public keys only; not together with jwks_uri.' },
      { name: 'jwks_uri', kind: 'text', label: 'JWKS URI', hint: 'An http(s) URL where the client publishes its keys.' },
      { name: 'token_claims', kind: 'json', label: 'Token claims (token_claims)', rows: 4,
        hint: 'A JSON object of claims the client_claims plugin may copy into this client\'s tokens.' },
      { name: 'token_exchange_audiences', kind: 'lines', label: 'Token exchange audiences', hint: 'One per line.' },
      { name: 'token_exchange_subject_audiences', kind: 'lines', label: 'Token exchange subject audiences', hint: 'One per line.' },
      { name: 'introspection_allowed', kind: 'bool', label: 'May introspect tokens (introspection_allowed)' },
      { name: 'dpop_bound_access_tokens', kind: 'bool', label: 'DPoP-bound access tokens only (dpop_bound_access_tokens)' },
      { name: 'require_pushed_authorization_requests', kind: 'bool', label: 'Require pushed authorization requests (require_pushed_authorization_requests)' },
    ];
  }

  function clientInput(f, existing) {
    const v = existing ? existing[f.name] : undefined;
    switch (f.kind) {
      case 'select':
        return el('select', { id: f.name, name: f.name, value: v ?? (f.options[0] ? f.options[0][0] : '') },
          f.options.map(([value, text]) => el('option', { value, text })));
      case 'multi': {
        const chosen = Array.isArray(v) ? v : existing ? [] : ['client_credentials'];
        return el('select', { id: f.name, name: f.name, multiple: true, size: Math.min(6, f.options.length) },
          f.options.map(([value, text]) => el('option', { value, text, selected: chosen.includes(value) })));
      }
      case 'lines':
        return el('textarea', { id: f.name, name: f.name, rows: 3, spellcheck: 'false',
          value: Array.isArray(v) ? v.join('\n') : '' });
      case 'json':
        return el('textarea', { id: f.name, name: f.name, rows: f.rows || 4, spellcheck: 'false',
          class: 'mono', value: v && typeof v === 'object' ? JSON.stringify(v, null, 2) : '' });
      case 'secret':
        return el('input', { id: f.name, name: f.name, type: 'password', autocomplete: 'new-password', value: '' });
      case 'bool':
        return null; // checkboxField
      default:
        return el('input', { id: f.name, name: f.name, type: 'text', spellcheck: 'false',
          value: typeof v === 'string' ? v : '', readonly: f.name === 'client_id' && !!existing });
    }
  }

  /** The body for POST/PUT: the GET result (so fields this form does not know survive), with
   *  the form's fields over it. Throws {field, message} for what the form can tell is wrong. */
  function clientBody(fields, existing, form) {
    const body = existing ? JSON.parse(JSON.stringify(existing)) : {};
    delete body.client_secret;
    const fail = (name, message) => {
      const e = new Error(message);
      e.field = name;
      throw e;
    };
    for (const f of fields) {
      const input = form.elements.namedItem(f.name);
      if (!input) continue;
      switch (f.kind) {
        case 'bool':
          if (input.checked) body[f.name] = true;
          else if (existing && f.name in existing) body[f.name] = false;
          else delete body[f.name];
          break;
        case 'multi': {
          const chosen = [...input.selectedOptions].map((o) => o.value);
          if (!chosen.length) fail(f.name, 'Choose at least one grant type.');
          body[f.name] = chosen;
          break;
        }
        case 'lines': {
          const lines = input.value.split('\n').map((s) => s.trim()).filter(Boolean);
          if (lines.length) body[f.name] = lines;
          else delete body[f.name];
          break;
        }
        case 'json': {
          const text = input.value.trim();
          if (!text) {
            delete body[f.name];
            break;
          }
          let parsed;
          try {
            parsed = JSON.parse(text);
          } catch (e) {
            fail(f.name, `${f.name} is not valid JSON: ${e.message}`);
          }
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
            fail(f.name, `${f.name} must be a JSON object.`);
          }
          if (f.name === 'jwks') {
            if (!Array.isArray(parsed.keys) || !parsed.keys.length) {
              fail(f.name, 'jwks must be a JWK Set with keys: {"keys": [ … ]}.');
            }
            for (const k of parsed.keys) {
              if (!k || typeof k !== 'object' || typeof k.kty !== 'string') {
                fail(f.name, 'Each key in jwks must be a JWK object with a kty.');
              }
              const secret = PRIVATE_JWK_MEMBERS.find((m) => m in k);
              if (secret) fail(f.name, `jwks holds private key material ("${secret}"): paste the public keys only.`);
            }
          }
          body[f.name] = parsed;
          break;
        }
        case 'scope': {
          const scope = input.value.split(/\s+/).filter(Boolean).join(' ');
          if (scope) body[f.name] = scope;
          else delete body[f.name];
          break;
        }
        case 'secret':
          if (input.value) body[f.name] = input.value;
          break;
        default: {
          const value = input.value.trim();
          if (value) body[f.name] = value;
          else delete body[f.name];
        }
      }
    }
    if (body.jwks && body.jwks_uri) fail('jwks_uri', 'Give jwks or jwks_uri, not both.');
    // response_types follows grant_types ("code" is the only response type).
    if (body.grant_types.includes('authorization_code')) body.response_types = ['code'];
    else delete body.response_types;
    return body;
  }

  function secretPanel(secret) {
    const code = el('code', { id: 'shown-secret', class: 'secret', text: secret });
    const copy = el('button', { type: 'button', class: 'button secondary small', id: 'copy-secret', text: 'Copy' });
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(secret);
        setStatus('Secret copied to the clipboard.');
      } catch (e) {
        const range = document.createRange();
        range.selectNodeContents(code);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        setStatus('Copying is not allowed here: the secret is selected, copy it with Ctrl-C.');
      }
    });
    return el('section', { class: 'secret-panel', 'aria-labelledby': 'secret-h' },
      el('h2', { id: 'secret-h', text: 'Client secret' }),
      el('p', { text: 'Store this secret now: it is shown only once and cannot be read back.' }),
      el('div', { class: 'secret-row' }, code, copy));
  }

  async function pageClientForm(clientId) {
    const ctx = pageContext();
    const title = clientId === null ? 'New client' : `Client ${clientId}`;
    render(title, el('h1', { text: title }), el('p', { class: 'muted', text: 'Loading…' }));
    const [disco, existing] = await Promise.all([
      discovery(),
      clientId === null ? Promise.resolve(null) : api('GET', `/api/admin/clients/${enc(clientId)}`).catch((err) => {
        if (err instanceof ApiError && err.status === 404) return undefined;
        throw err;
      }),
    ]);
    if (!ctx.alive()) return;
    if (existing === undefined) {
      render(title, el('h1', { text: title }),
        el('p', { text: `No client "${clientId}" is registered.` }),
        el('p', null, el('a', { href: '#/clients', text: 'Back to the clients' })));
      setStatus(`No client "${clientId}".`, 'error');
      return;
    }
    const fields = clientFields(disco, existing);
    const form = el('form', { id: 'client-form', class: 'card form', novalidate: true });
    for (const f of fields) {
      if (f.kind === 'bool') form.append(checkboxField(f.name, f.label, !!(existing && existing[f.name] === true), f.hint));
      else form.append(field(f.name, f.label, clientInput(f, existing), f.hint));
    }
    const save = el('button', { type: 'submit', class: 'button primary', id: 'save-client', text: 'Save' });
    form.append(el('div', { class: 'actions' }, save, el('a', { href: '#/clients', class: 'button secondary', text: 'Cancel' })));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      saveClient(fields, existing, form, save);
    });

    const side = [];
    if (existing) {
      const method = existing.token_endpoint_auth_method;
      const hasSecret = SECRET_METHODS.includes(method) || 'client_secret_expires_at' in existing;
      const rotate = el('button', { type: 'button', class: 'button secondary', id: 'rotate-secret', text: 'Rotate secret', hidden: !hasSecret });
      rotate.addEventListener('click', () => rotateSecret(existing.client_id, rotate));
      const del = el('button', { type: 'button', class: 'button danger', id: 'delete-client', text: 'Delete' });
      del.addEventListener('click', () => deleteClient(existing.client_id, del));
      side.push(el('section', { class: 'card side', 'aria-labelledby': 'client-info-h' },
        el('h2', { id: 'client-info-h', text: 'Registration' }),
        el('dl', { class: 'kv' },
          el('dt', { text: 'Registered' }), el('dd', { text: fmtUnix(existing.client_id_issued_at) }),
          el('dt', { text: 'Secret' }),
          el('dd', { text: 'client_secret_expires_at' in existing ? 'set (never expires)' : 'none' })),
        el('div', { class: 'actions' }, rotate, del)));
    }
    const secretSlot = el('div', { id: 'secret-slot' });
    render(title,
      el('div', { class: 'page-head' }, el('h1', { text: title }),
        el('a', { href: '#/clients', text: 'All clients' })),
      secretSlot,
      el('div', { class: 'split' }, form, side));
    const f = consumeFlash();
    if (f && f.secret) secretSlot.append(secretPanel(f.secret));
    focusHeading();
  }

  async function saveClient(fields, existing, form, save) {
    for (const bad of form.querySelectorAll('[aria-invalid]')) bad.removeAttribute('aria-invalid');
    let body;
    try {
      body = clientBody(fields, existing, form);
    } catch (e) {
      setStatus(e.message, 'error');
      const input = e.field && form.elements.namedItem(e.field);
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      }
      return;
    }
    await busy(save, async () => {
      if (existing) {
        const data = await api('PUT', `/api/admin/clients/${enc(existing.client_id)}`, body);
        state.flash = { kind: 'ok', message: `Client ${existing.client_id} saved.`, secret: data && data.client_secret };
        route();
      } else {
        const data = await api('POST', '/api/admin/clients', body);
        state.flash = { kind: 'ok', message: `Client ${data.client_id} registered.`, secret: data.client_secret };
        location.hash = clientHref(data.client_id);
      }
    });
  }

  async function rotateSecret(clientId, button) {
    if (!window.confirm(`Rotate the secret of client ${clientId}? The current secret stops working; the new one is shown once.`)) return;
    await busy(button, async () => {
      const data = await api('POST', `/api/admin/clients/${enc(clientId)}/secret`);
      state.flash = { kind: 'ok', message: `New secret for client ${clientId}.`, secret: data && data.client_secret };
      route();
    });
  }

  async function deleteClient(clientId, button) {
    if (!window.confirm(`Delete client ${clientId}? It can no longer get tokens.`)) return;
    await busy(button, async () => {
      await api('DELETE', `/api/admin/clients/${enc(clientId)}`);
      state.flash = { kind: 'ok', message: `Client ${clientId} deleted.` };
      location.hash = '#/clients';
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Keystore

  function bytesToBase64(bytes) {
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(bin);
  }

  function expiryText(notAfter) {
    if (!notAfter) return ['—', ''];
    const t = Date.parse(notAfter);
    if (Number.isNaN(t)) return [notAfter, ''];
    const days = Math.floor((t - Date.now()) / 86400000);
    if (t < Date.now()) return [`${notAfter.slice(0, 10)} (expired)`, 'bad'];
    if (days < 30) return [`${notAfter.slice(0, 10)} (${days} days left)`, 'warn'];
    return [notAfter.slice(0, 10), ''];
  }

  async function pageKeystore() {
    const ctx = pageContext();
    const tbody = el('tbody');
    const table = el('table', { id: 'keystore-table', class: 'data' },
      el('caption', { class: 'vh', text: 'Keystore entries' }),
      headRow('Alias', 'Type', 'Subject', 'Issuer', 'Expires', 'Signing', 'Actions'),
      tbody);
    const info = el('p', { class: 'muted', id: 'keystore-info' });

    const rotate = el('button', { type: 'button', class: 'button secondary', id: 'rotate-signing-key', text: 'Rotate signing key' });
    rotate.addEventListener('click', async () => {
      if (!window.confirm('Create a new signing key? New tokens are signed with it; the current key stays published so tokens it signed keep verifying.')) return;
      await busy(rotate, async () => {
        const data = await api('POST', '/api/admin/keystore/signing-key');
        await load();
        setStatus(`New signing key under "${data.signing_alias}" (kid ${data.kid}); the previous key stays published as "${data.retired_alias}" until ${data.published_until}.`, 'ok');
      });
    });

    const alias = el('input', { id: 'import-alias', name: 'alias', type: 'text', autocomplete: 'off', spellcheck: 'false', required: true });
    const cert = el('textarea', { id: 'import-certificate', name: 'certificate', rows: 8, class: 'mono', spellcheck: 'false', required: true });
    const file = el('input', { id: 'import-file', name: 'file', type: 'file', accept: '.pem,.crt,.cer,.der,application/x-pem-file,application/pkix-cert' });
    file.addEventListener('change', async () => {
      const f = file.files && file.files[0];
      if (!f) return;
      try {
        const bytes = new Uint8Array(await f.arrayBuffer());
        const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
        cert.value = text.includes('-----BEGIN') ? text : bytesToBase64(bytes);
        setStatus(`Read ${f.name} (${text.includes('-----BEGIN') ? 'PEM' : 'DER, base64-encoded'}).`);
      } catch (e) {
        setStatus(`Could not read ${f.name}: ${e.message}`, 'error');
      }
    });
    const importButton = el('button', { type: 'submit', class: 'button primary', id: 'import-submit', text: 'Import' });
    const form = el('form', { id: 'import-form', class: 'card form', novalidate: true },
      el('h2', { text: 'Import a certificate' }),
      field('import-alias', 'Alias', alias, 'For a private_key_jwt client without jwks: its client_id.'),
      field('import-certificate', 'Certificate (PEM, or base64 DER)', cert),
      field('import-file', 'Or read a file (.pem, .crt, .der)', file),
      el('div', { class: 'actions' }, importButton));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const a = alias.value.trim();
      const c = cert.value.trim();
      if (!a) {
        setStatus('Give the certificate an alias.', 'error');
        alias.focus();
        return;
      }
      if (!c) {
        setStatus('Paste a certificate or choose a file.', 'error');
        cert.focus();
        return;
      }
      await busy(importButton, async () => {
        const data = await api('POST', '/api/admin/keystore/certificates', { alias: a, certificate: c });
        form.reset();
        await load();
        setStatus(`Imported certificate ${data && data.alias ? data.alias : a}.`, 'ok');
      });
    });

    render('Keystore',
      el('div', { class: 'page-head' }, el('h1', { text: 'Keystore' }), rotate),
      info, tableWrap(table), form);
    consumeFlash();
    focusHeading();

    async function load() {
      const data = await api('GET', '/api/admin/keystore');
      if (!ctx.alive()) return;
      const signing = data.signing_alias;
      info.textContent = `${data.type || 'keystore'} · ${(data.entries || []).length} entries` +
        (signing ? ` · tokens are signed with "${signing}"` : '') + (data.signing_kid ? ` (kid ${data.signing_kid})` : '');
      tbody.replaceChildren(...(data.entries || []).map((e) => {
        const [expiry, cls] = expiryText(e.not_after);
        let action = null;
        if (e.entry_type === 'trustedCertEntry') {
          action = el('button', { type: 'button', class: 'button danger small', text: 'Delete',
            dataset: { alias: e.alias }, 'aria-label': `Delete certificate ${e.alias}` });
          action.addEventListener('click', async () => {
            if (!window.confirm(`Delete certificate ${e.alias}?`)) return;
            await busy(action, async () => {
              await api('DELETE', `/api/admin/keystore/certificates/${enc(e.alias)}`);
              await load();
              setStatus(`Deleted certificate ${e.alias}.`, 'ok');
            });
          });
        }
        return el('tr', { dataset: { alias: e.alias } },
          el('td', { class: 'entry-alias mono', text: e.alias, title: e.sha256_fingerprint ? `SHA-256 ${e.sha256_fingerprint}` : null }),
          el('td', { class: 'entry-type', text: e.entry_type || '' }),
          el('td', { class: 'entry-subject', text: e.subject || '' }),
          el('td', { class: 'entry-issuer', text: e.issuer || '' }),
          el('td', { class: `entry-expiry ${cls}`.trim(), text: expiry }),
          el('td', { class: 'entry-signing' }, e.alias === signing ? el('span', { class: 'badge', text: 'signs tokens' })
            : e.published_until ? el('span', { class: 'muted', text: `retired, published until ${e.published_until}` }) : null),
          el('td', { class: 'entry-actions' }, action));
      }));
      table.dataset.state = 'loaded';
    }
    await load();
  }

  // ---------------------------------------------------------------------------------------------
  // Plugins

  function pluginName(p) {
    if (p.name) return p.name;
    const base = String(p.file || '').split('/').pop();
    return base.replace(/\.so$/, '');
  }

  async function pagePlugins() {
    const ctx = pageContext();
    const tbody = el('tbody');
    const table = el('table', { id: 'plugins-table', class: 'data' },
      el('caption', { class: 'vh', text: 'Plugins' }),
      headRow('Name', 'Kind', 'Version', 'Order', 'Status', 'Capabilities', 'Calls', 'Failures', 'Avg latency', 'Actions'),
      tbody);
    const info = el('p', { class: 'muted', id: 'plugins-info' });
    const result = el('section', { id: 'plugin-result', class: 'card result', hidden: true, 'aria-labelledby': 'plugin-result-h' });
    const reload = el('button', { type: 'button', class: 'button secondary', id: 'reload-plugins', text: 'Reload' });
    reload.addEventListener('click', () => busy(reload, async () => {
      await change('POST', '/api/admin/plugins/reload', undefined, 'Plugins reloaded');
    }));
    render('Plugins',
      el('div', { class: 'page-head' }, el('h1', { text: 'Plugins' }), reload),
      info, result, tableWrap(table),
      el('p', { class: 'hint', text: 'Changes are written to conf/identity.xml and applied by a reload: the running plugins keep serving if the new set is refused.' }));
    consumeFlash();
    focusHeading();

    function showResult(title, items, kind) {
      result.hidden = false;
      result.className = `card result result-${kind}`;
      result.replaceChildren(el('h2', { id: 'plugin-result-h', text: title }),
        items && items.length ? el('ul', null, items.map((t) => el('li', { text: t }))) : el('p', { class: 'muted', text: 'No change.' }));
    }

    /** A PATCH or reload: 200 {applied, generation, changes} or 409 {error, problems}. */
    async function change(method, path, body, what) {
      try {
        const data = await api(method, path, body);
        showResult(`${what}: generation ${data.generation}`, data.changes, 'ok');
        await load();
        setStatus(`${what} (generation ${data.generation}).`, 'ok');
      } catch (err) {
        if (err instanceof ApiError && err.body && typeof err.body === 'object' && Array.isArray(err.body.problems)) {
          showResult('Refused; the running plugins keep serving', err.body.problems, 'error');
        }
        throw err;
      }
    }

    async function load() {
      const data = await api('GET', '/api/admin/plugins');
      if (!ctx.alive()) return;
      info.textContent = `Generation ${data.generation ?? '?'} · loaded ${data.loaded_at || '?'}`;
      const plugins = Array.isArray(data.plugins) ? data.plugins : [];
      tbody.replaceChildren(...plugins.map((p) => {
        const name = pluginName(p);
        const calls = p.calls || null;
        const avg = calls && calls.count ? calls.total_us / calls.count / 1e6 : null;
        const statusCell = el('td', { class: `plugin-status status-${p.status}` },
          el('span', { class: 'plugin-state', text: p.status || '' }),
          p.reason ? el('span', { class: 'reason', text: p.reason }) : null);
        const actions = el('td', { class: 'plugin-actions' });
        if (p.name) {
          const enabling = p.status !== 'active' && p.status !== 'failed';
          const toggle = el('button', { type: 'button', class: `button small plugin-toggle ${enabling ? 'secondary' : 'danger'}`,
            text: enabling ? 'Enable' : 'Disable', dataset: { plugin: name } });
          toggle.addEventListener('click', async () => {
            if (!enabling && !window.confirm(`Disable plugin ${name}? Requests that need it are refused until it is enabled again.`)) return;
            await busy(toggle, () => change('PATCH', `/api/admin/plugins/${enc(name)}`, { enabled: enabling },
              `Plugin ${name} ${enabling ? 'enabled' : 'disabled'}`));
          });
          const orderId = `order-${name}`;
          const order = el('input', { type: 'number', id: orderId, class: 'order-input', step: 1,
            value: p.order_id !== undefined ? String(p.order_id) : '', dataset: { plugin: name } });
          const apply = el('button', { type: 'submit', class: 'button secondary small', text: 'Apply order', dataset: { plugin: name } });
          const orderForm = el('form', { class: 'order-form', novalidate: true },
            el('label', { for: orderId, class: 'vh', text: `Order of ${name}` }), order, apply);
          orderForm.addEventListener('submit', async (ev) => {
            ev.preventDefault();
            const n = Number(order.value);
            if (order.value.trim() === '' || !Number.isInteger(n)) {
              setStatus(`The order of ${name} must be a whole number.`, 'error');
              order.focus();
              return;
            }
            await busy(apply, () => change('PATCH', `/api/admin/plugins/${enc(name)}`, { order_id: n },
              `Plugin ${name} moved to order ${n}`));
          });
          actions.append(toggle, orderForm);
        }
        return el('tr', { dataset: { plugin: name } },
          el('td', { class: 'plugin-name' }, el('span', { class: 'mono', text: name }),
            el('span', { class: 'reason', text: p.file || '' })),
          el('td', { text: p.kind || '' }),
          el('td', { text: p.version || '' }),
          el('td', { class: 'num', text: p.order_id !== undefined ? String(p.order_id) : '' }),
          statusCell,
          el('td', { class: 'caps', text: Array.isArray(p.capabilities) ? p.capabilities.join(', ') : '' }),
          el('td', { class: 'num', text: calls ? fmtNumber(calls.count) : '—' }),
          el('td', { class: 'num', text: calls ? fmtNumber(calls.failures) : '—' }),
          el('td', { class: 'num', text: avg === null ? '—' : fmtSeconds(avg) }),
          actions);
      }));
      table.dataset.state = 'loaded';
    }
    await load();
  }

  // ---------------------------------------------------------------------------------------------
  // Users

  function rolesOf(claims) {
    const r = claims && claims.roles;
    if (Array.isArray(r)) return r.map(String);
    if (typeof r === 'string') return [r];
    return [];
  }

  async function pageUsers() {
    const ctx = pageContext();
    const tbody = el('tbody');
    const table = el('table', { id: 'users-table', class: 'data' },
      el('caption', { class: 'vh', text: 'Users' }),
      headRow('Username', 'Subject', 'Disabled', 'Roles', 'Actions'),
      tbody);
    const username = el('input', { id: 'new-username', name: 'username', type: 'text', autocomplete: 'off', spellcheck: 'false', required: true });
    const password = el('input', { id: 'new-password', name: 'password', type: 'password', autocomplete: 'new-password', required: true });
    const claims = el('textarea', { id: 'new-claims', name: 'claims', rows: 4, class: 'mono', spellcheck: 'false', placeholder: '{"name": "Pat Doe", "email": "pat@example.com"}' });
    const create = el('button', { type: 'submit', class: 'button primary', id: 'create-user', text: 'Create user' });
    const form = el('form', { id: 'user-form', class: 'card form', novalidate: true },
      el('h2', { text: 'New user' }),
      field('new-username', 'Username', username, 'A-Z a-z 0-9 - . _ @ +'),
      field('new-password', 'Password', password, '12 to 1024 characters, not containing the username.'),
      field('new-claims', 'Claims (JSON object, optional)', claims),
      checkboxField('new-admin', 'Administrator (may sign in to this console)', false, 'Adds "admin" to claims.roles.'),
      el('div', { class: 'actions' }, create));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      for (const bad of form.querySelectorAll('[aria-invalid]')) bad.removeAttribute('aria-invalid');
      const name = username.value.trim();
      if (!name) {
        setStatus('Give the user a username.', 'error');
        username.focus();
        return;
      }
      let c = {};
      const text = claims.value.trim();
      if (text) {
        try {
          c = JSON.parse(text);
        } catch (e) {
          setStatus(`Claims are not valid JSON: ${e.message}`, 'error');
          claims.setAttribute('aria-invalid', 'true');
          claims.focus();
          return;
        }
        if (!c || typeof c !== 'object' || Array.isArray(c)) {
          setStatus('Claims must be a JSON object.', 'error');
          claims.setAttribute('aria-invalid', 'true');
          claims.focus();
          return;
        }
      }
      if ($('#new-admin').checked) {
        const roles = rolesOf(c);
        if (!roles.includes('admin')) roles.push('admin');
        c.roles = roles;
      }
      const body = { username: name, password: password.value };
      if (Object.keys(c).length) body.claims = c;
      await busy(create, async () => {
        await api('POST', '/api/admin/users', body);
        form.reset();
        await load();
        setStatus(`User ${name} created.`, 'ok');
      });
    });
    render('Users',
      el('div', { class: 'page-head' }, el('h1', { text: 'Users' })),
      tableWrap(table), form);
    consumeFlash();
    focusHeading();

    async function load() {
      const data = await api('GET', '/api/admin/users');
      if (!ctx.alive()) return;
      const users = (data && Array.isArray(data.users) ? data.users : [])
        .slice().sort((a, b) => String(a.username).localeCompare(String(b.username)));
      if (!users.length) {
        tbody.replaceChildren(el('tr', null, el('td', { colspan: 5, class: 'muted', text: 'No user yet.' })));
      } else {
        tbody.replaceChildren(...users.map((u) => {
          const toggle = el('button', { type: 'button', class: 'button secondary small user-toggle',
            text: u.disabled ? 'Enable' : 'Disable', dataset: { user: u.username } });
          toggle.addEventListener('click', async () => {
            if (!u.disabled && state.session && u.username === state.session.username &&
                !window.confirm('Disable your own account? You are signed out of the console.')) return;
            await busy(toggle, async () => {
              await api('PATCH', `/api/admin/users/${enc(u.username)}`, { disabled: !u.disabled });
              await load();
              setStatus(`User ${u.username} ${u.disabled ? 'enabled' : 'disabled'}.`, 'ok');
            });
          });
          const del = el('button', { type: 'button', class: 'button danger small user-delete',
            text: 'Delete', dataset: { user: u.username }, 'aria-label': `Delete user ${u.username}` });
          del.addEventListener('click', async () => {
            if (!window.confirm(`Delete user ${u.username}? Their sign-in sessions end.`)) return;
            await busy(del, async () => {
              await api('DELETE', `/api/admin/users/${enc(u.username)}`);
              await load();
              setStatus(`User ${u.username} deleted.`, 'ok');
            });
          });
          return el('tr', { dataset: { user: u.username } },
            el('td', { class: 'user-name mono', text: u.username }),
            el('td', { class: 'user-subject mono', text: u.subject || '' }),
            el('td', { class: 'user-disabled', text: u.disabled ? 'Yes' : 'No' }),
            el('td', { class: 'user-roles', text: rolesOf(u.claims).join(', ') }),
            el('td', { class: 'user-actions' }, toggle, ' ', del));
        }));
      }
      table.dataset.state = 'loaded';
    }
    await load();
  }

  // ---------------------------------------------------------------------------------------------
  // Start

  async function start() {
    $('#sign-out').addEventListener('click', (ev) => signOut(ev.currentTarget));
    window.addEventListener('hashchange', () => {
      if (state.session) route();
    });
    let res;
    try {
      res = await fetch('/console/session', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
    } catch (e) {
      showSignIn(`The server did not answer (${e.message}).`, 'error');
      return;
    }
    if (res.ok) {
      state.session = await res.json();
      showShell(true);
      route();
      return;
    }
    state.resumeHash = location.hash && location.hash !== '#/' ? location.hash : null;
    if (res.status === 401) {
      showSignIn();
    } else {
      let message = `The server answered ${res.status}.`;
      try {
        const body = await res.json();
        message = body.error_description || body.error || message;
      } catch (e) {
        // keep the status line
      }
      showSignIn(message, 'error');
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
