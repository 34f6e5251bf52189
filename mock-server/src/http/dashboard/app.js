// The mock's dashboard: a client of the control surface (/_mock/*), live through
// GET /_mock/events/stream read with fetch() (the control token, if any, goes in the
// Authorization header; EventSource could not send it). No framework, no markup built from
// strings: every text goes in as text.
'use strict';

const TOKEN_KEY = 'ilert-mock-control-token';
const MAX_ROWS = 500;

const state = {
  token: sessionStorage.getItem(TOKEN_KEY) || '',
  entries: new Map(), // seq -> journal entry
  apps: [],
  users: [],
  tenants: [],
  grants: [],
  faults: [],
  clock: null,
  clockAt: 0, // performance.now() when the clock was read
  audit: null,
  selected: null,
  stream: null,
  retry: 0,
  pending: new Set(),
  pendingTimer: 0,
  authNeeded: false,
  loaded: false, // whether the journal was read once
};

const $ = (id) => document.getElementById(id);

/** An element with attributes and children (strings become text nodes). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function fill(id, nodes) {
  $(id).replaceChildren(...nodes);
}

function iso(secs) {
  if (typeof secs !== 'number' || !isFinite(secs)) return '';
  const d = new Date(secs * 1000);
  return isNaN(d) ? String(secs) : d.toISOString().replace('T', ' ').replace('.000Z', ' UTC');
}

function span(secs) {
  const a = Math.abs(secs);
  const sign = secs < 0 ? '-' : '';
  if (a < 120) return sign + a + ' s';
  if (a < 7200) return sign + Math.round(a / 60) + ' min';
  if (a < 172800) return sign + Math.round(a / 3600) + ' h';
  return sign + Math.round(a / 86400) + ' days';
}

function pretty(value) {
  return JSON.stringify(value, null, 2);
}

let noticeTimer = 0;
function notice(text, isError) {
  const el = $('notice');
  el.textContent = text;
  el.className = isError ? 'notice error' : 'notice';
  el.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { el.hidden = true; }, isError ? 12000 : 4000);
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function headers(extra) {
  const out = Object.assign({ Accept: 'application/json' }, extra || {});
  if (state.token) out.Authorization = 'Bearer ' + state.token;
  return out;
}

/** Calls the mock; control errors come back as ApiError with the mock's own words. */
async function api(method, path, body) {
  const init = { method, headers: headers(), cache: 'no-store', credentials: 'omit' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch (_) { data = text; }
  }
  if (!response.ok) {
    const said = data && typeof data === 'object' ? (data.error || data.message) : data;
    if (response.status === 401 && path.startsWith('/_mock/')) askForToken(said);
    throw new ApiError(response.status, said || response.status + ' ' + response.statusText);
  }
  return data;
}

/** Runs an action from a button, saying what happened or what went wrong. */
async function act(what, fn) {
  try {
    const result = await fn();
    if (what) notice(what);
    return result;
  } catch (e) {
    notice(e.message, true);
    return undefined;
  }
}

// --- The control token -------------------------------------------------------------------

function askForToken(why) {
  state.authNeeded = true;
  document.body.classList.add('locked');
  $('auth').hidden = false;
  $('auth-token').focus();
  $('auth-error').textContent = state.token ? 'The mock refused this token: ' + (why || '401') : '';
  setLive('needs the control token', 'off');
  if (state.stream) state.stream.abort();
}

$('auth-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const value = $('auth-token').value.trim();
  if (!value) return;
  state.token = value;
  sessionStorage.setItem(TOKEN_KEY, value);
  $('auth-token').value = '';
  $('auth').hidden = true;
  document.body.classList.remove('locked');
  state.authNeeded = false;
  $('forget-token').hidden = false;
  start();
});

$('forget-token').addEventListener('click', () => {
  state.token = '';
  sessionStorage.removeItem(TOKEN_KEY);
  $('forget-token').hidden = true;
  if (state.stream) state.stream.abort();
  askForToken();
});

// --- Live updates --------------------------------------------------------------------------

function setLive(text, kind) {
  const el = $('live');
  el.textContent = text;
  el.dataset.state = kind || '';
}

/** One server-sent event block: its event name, data and id. */
function parseEvent(block) {
  let event = 'message';
  let id = null;
  const data = [];
  for (const line of block.split(/\r\n|\r|\n/)) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  }
  return { event, id, data: data.join('\n') };
}

async function connect() {
  if (state.stream) state.stream.abort();
  const controller = new AbortController();
  state.stream = controller;
  setLive('connecting…', 'wait');
  try {
    const response = await fetch('/_mock/events/stream', {
      headers: headers({ Accept: 'text/event-stream' }),
      cache: 'no-store',
      credentials: 'omit',
      signal: controller.signal,
    });
    if (response.status === 401) {
      const body = await response.json().catch(() => ({}));
      askForToken(body.error);
      return;
    }
    if (!response.ok || !response.body) {
      const body = await response.json().catch(() => ({}));
      throw new ApiError(response.status, body.error || 'HTTP ' + response.status);
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      for (;;) {
        const end = buffer.search(/\r\n\r\n|\n\n|\r\r/);
        if (end < 0) break;
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer.startsWith('\r\n\r\n', end) ? 4 : 2));
        handleEvent(parseEvent(block));
      }
    }
  } catch (e) {
    if (controller.signal.aborted) return;
    if (e instanceof ApiError) notice('The live stream was refused: ' + e.message, true);
  }
  if (controller.signal.aborted || state.authNeeded) return;
  state.retry = Math.min(state.retry + 1, 5);
  setLive('reconnecting…', 'wait');
  setTimeout(() => { if (state.stream === controller) connect(); }, 1000 * state.retry);
}

function handleEvent(ev) {
  if (ev.event === 'hello') {
    state.retry = 0;
    setLive('live', 'on');
    loadAll();
  } else if (ev.event === 'request') {
    try {
      addEntries([JSON.parse(ev.data)]);
    } catch (_) { /* a malformed event is skipped */ }
    // A request can make grants, findings and store entities: read them again, once.
    later('grants', 'audit', 'store', 'clock');
  } else if (ev.event === 'control') {
    later('grants', 'audit', 'store', 'clock', 'faults', 'directory', 'journal');
  } else if (ev.event === 'lagged') {
    loadAll();
  }
}

/** Reloads the named parts shortly, once however many events asked. */
function later(...parts) {
  parts.forEach((p) => state.pending.add(p));
  if (state.pendingTimer) return;
  state.pendingTimer = setTimeout(() => {
    const parts = [...state.pending];
    state.pending.clear();
    state.pendingTimer = 0;
    parts.forEach((p) => loaders[p] && loaders[p]());
  }, 150);
}

// --- Loading -------------------------------------------------------------------------------

const loaders = {
  journal: loadJournal,
  grants: loadGrants,
  audit: loadAudit,
  clock: loadClock,
  faults: loadFaults,
  directory: loadDirectory,
  store: loadStore,
};

async function loadAll() {
  try {
    const health = await api('GET', '/_mock/health');
    $('version').textContent = 'v' + health.version;
    await loadDirectory();
    await Promise.all([loadJournal(), loadGrants(), loadAudit(), loadClock(), loadFaults()]);
    await loadStore();
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) notice(e.message, true);
  }
}

async function start() {
  // A first read tells whether a token is needed before the stream is opened.
  try {
    await api('GET', '/_mock/clock');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    notice(e.message, true);
    if (e instanceof ApiError && e.status === 403) {
      setLive('refused', 'off');
      return;
    }
  }
  $('forget-token').hidden = !state.token;
  connect();
}

// --- Requests ------------------------------------------------------------------------------

async function loadJournal() {
  const entries = await api('GET', '/_mock/requests');
  state.loaded = true;
  state.entries.clear();
  addEntries(entries);
}

function addEntries(entries) {
  for (const e of entries) state.entries.set(e.seq, e);
  // The journal keeps at most its bound; so does the page.
  if (state.entries.size > 2000) {
    const seqs = [...state.entries.keys()].sort((a, b) => a - b);
    seqs.slice(0, seqs.length - 2000).forEach((s) => state.entries.delete(s));
  }
  scheduleRequests();
}

let requestsFrame = 0;
function scheduleRequests() {
  if (requestsFrame) return;
  requestsFrame = requestAnimationFrame(() => {
    requestsFrame = 0;
    renderRequests();
  });
}

function pair(list, name) {
  const found = (list || []).find(([k]) => k === name);
  return found ? found[1] : undefined;
}

/** The app an exchange belongs to: its client_id, or the app of the access token it carried. */
function appOf(entry) {
  const clientId = pair(entry.form, 'client_id') || pair(entry.query, 'client_id')
    || (entry.json && typeof entry.json.client_id === 'string' ? entry.json.client_id : undefined);
  if (clientId) return clientId;
  for (const t of entry.tokens || []) {
    if (t.kind === 'access_token' && t.claims && t.claims.il_a !== undefined) {
      const app = state.apps.find((a) => a.id === t.claims.il_a);
      return app ? app.client_id : 'app ' + t.claims.il_a;
    }
  }
  return '';
}

function appName(clientId) {
  const app = state.apps.find((a) => a.client_id === clientId);
  return app ? app.name : clientId;
}

function statusClass(status) {
  return 's' + String(status).charAt(0);
}

function matches(entry) {
  const path = $('f-path').value.trim();
  if (path && !(entry.path + (entry.query.length ? '?' : '')).toLowerCase().includes(path.toLowerCase())) return false;
  const status = $('f-status').value;
  if (status === 'err' && entry.status < 400) return false;
  if (status && status !== 'err' && String(entry.status).charAt(0) !== status) return false;
  const app = $('f-app').value;
  if (app && appOf(entry) !== app) return false;
  return true;
}

function renderRequests() {
  const all = [...state.entries.values()].sort((a, b) => b.seq - a.seq);
  const shown = all.filter(matches);
  $('count-requests').textContent = all.length ? String(all.length) : '';
  const rows = shown.slice(0, MAX_ROWS).map((e) => {
    const app = appOf(e);
    const query = e.query.length ? '?' + e.query.map(([k, v]) => k + '=' + v).join('&') : '';
    return h('tr', { class: state.selected === e.seq ? 'selected' : null, dataset: { seq: e.seq } },
      h('td', { class: 'num' }, String(e.seq)),
      h('td', { class: 'wide nowrap muted' }, iso(e.time).slice(11, 19)),
      h('td', { class: 'req' },
        h('a', { href: '#request-' + e.seq, title: e.method + ' ' + e.path + query, 'aria-label': 'Request ' + e.seq + ': ' + e.method + ' ' + e.path + ', ' + e.status },
          h('span', { class: 'method' }, e.method), ' ', h('span', { class: 'path' }, e.path),
          h('span', { class: 'path query' }, query))),
      h('td', {}, h('span', { class: 'status ' + statusClass(e.status) }, String(e.status))),
      h('td', { class: 'wide muted', title: app || null }, app ? appName(app) : ''));
  });
  fill('requests-body', rows);
  const note = $('requests-note');
  if (!all.length) note.textContent = 'No requests yet: they appear here as they reach the mock.';
  else if (!shown.length) note.textContent = 'No request matches the filter.';
  else if (shown.length > MAX_ROWS) note.textContent = 'The newest ' + MAX_ROWS + ' of ' + shown.length + ' matching requests.';
  else note.textContent = '';
  note.hidden = !note.textContent;
  if (state.selected !== null && !$('exchange').hidden) renderExchange(state.selected, false);
}

['f-path', 'f-status', 'f-app'].forEach((id) => $(id).addEventListener('input', scheduleRequests));
$('filters').addEventListener('submit', (e) => e.preventDefault());

$('clear-requests').addEventListener('click', () => act('Journal cleared', async () => {
  await api('DELETE', '/_mock/requests');
  state.entries.clear();
  scheduleRequests();
}));

function pairsTable(caption, pairs) {
  if (!pairs || !pairs.length) return null;
  return h('table', { class: 'kv' },
    h('caption', {}, caption),
    h('tbody', {}, pairs.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v)))));
}

function verdict(t) {
  if (t.valid) return h('span', { class: 'badge ok' }, 'verified by the mock\'s keys');
  if (t.signed_by_mock) return h('span', { class: 'badge warn' }, 'signed by the mock · ' + (t.problem || 'not valid now'));
  return h('span', { class: 'badge bad' }, 'not the mock\'s · ' + (t.problem || 'does not verify'));
}

function claimsTable(claims) {
  return h('table', { class: 'kv claims' }, h('caption', {}, 'Claims'),
    h('tbody', {}, Object.entries(claims || {}).map(([k, v]) => {
      let shown = typeof v === 'string' ? v : JSON.stringify(v);
      if ((k === 'exp' || k === 'iat' || k === 'nbf') && typeof v === 'number') shown += '  (' + iso(v) + ')';
      return h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, shown));
    })));
}

/** A decoded token: where it was, the verdict, header and claims. */
function tokenView(t, title) {
  const kind = { access_token: 'Access token', refresh_token: 'Refresh token' }[t.kind] || 'JWT';
  const expiry = typeof t.expires_in === 'number'
    ? (t.expires_in > 0 ? 'expires in ' + span(t.expires_in) : 'expired ' + span(-t.expires_in) + ' ago')
    : 'no exp';
  return h('section', { class: 'token' },
    h('h3', {}, (title || kind), ' ', verdict(t)),
    h('p', { class: 'muted' }, kind + ' · ' + expiry + (t.exp ? ' (exp ' + iso(t.exp) + ')' : '')),
    h('div', { class: 'token-parts' },
      h('div', {}, h('h4', {}, 'Header'), h('pre', { class: 'code' }, pretty(t.header))),
      h('div', {}, claimsTable(t.claims))));
}

function renderExchange(seq, focus) {
  const entry = state.entries.get(seq);
  const box = $('exchange');
  state.selected = seq;
  box.hidden = false;
  if (!entry) {
    $('exchange-title').textContent = 'Request ' + seq;
    fill('exchange-body', [h('p', { class: 'muted' },
      state.loaded ? 'This request is not in the journal (cleared, or past its bound).' : 'Loading…')]);
    return;
  }
  $('exchange-title').replaceChildren(
    h('span', { class: 'method' }, entry.method), ' ', h('span', { class: 'path' }, entry.path), ' ',
    h('span', { class: 'status ' + statusClass(entry.status) }, String(entry.status)));
  const app = appOf(entry);
  const parts = [
    h('p', { class: 'muted' }, '#' + entry.seq + ' · ' + iso(entry.time) + ' (mock clock) · ' + entry.duration_ms + ' ms'
      + (app ? ' · ' + appName(app) : '')),
  ];
  if (entry.tokens && entry.tokens.length) {
    parts.push(h('h3', { class: 'section' }, 'Tokens'));
    entry.tokens.forEach((t) => parts.push(tokenView(t, t.place)));
  }
  parts.push(h('h3', { class: 'section' }, 'Request'));
  parts.push(pairsTable('Query', entry.query));
  parts.push(pairsTable('Headers', entry.headers));
  parts.push(pairsTable('Form', entry.form));
  if (entry.json !== undefined) parts.push(h('h4', {}, 'JSON body'), h('pre', { class: 'code' }, pretty(entry.json)));
  parts.push(h('h3', { class: 'section' }, 'Response'));
  if (entry.location) parts.push(h('p', {}, 'Location: ', h('code', {}, entry.location)));
  parts.push(pairsTable('Headers', entry.response_headers));
  if (entry.response !== undefined) parts.push(h('h4', {}, 'Body'), h('pre', { class: 'code' }, pretty(entry.response)));
  else parts.push(h('p', { class: 'muted' }, 'The body is kept for OAuth endpoints and errors only.'));
  parts.push(h('p', { class: 'muted small' }, 'Secrets (client secrets, codes, tokens, integration keys) are recorded as [redacted]; tokens are shown decoded, never whole.'));
  fill('exchange-body', parts.filter(Boolean));
  document.querySelectorAll('#requests-body tr').forEach((tr) => {
    tr.classList.toggle('selected', Number(tr.dataset.seq) === seq);
  });
  if (focus) box.focus();
}

// --- Grants --------------------------------------------------------------------------------

async function loadGrants() {
  state.grants = await api('GET', '/_mock/grants');
  renderGrants();
}

function renderGrants() {
  const app = $('g-app').value;
  const user = $('g-user').value;
  const liveOnly = $('g-live').checked;
  const live = state.grants.filter((g) => !g.revoked);
  $('count-grants').textContent = live.length ? String(live.length) : '';
  const shown = state.grants
    .filter((g) => (!app || g.client_id === app) && (!user || g.username === user) && (!liveOnly || !g.revoked))
    .sort((a, b) => b.id - a.id);
  fill('grants-body', shown.map((g) => h('tr', {},
    h('td', { class: 'num' }, String(g.id)),
    h('td', {}, appName(g.client_id)),
    h('td', {}, g.username + ' ', h('span', { class: 'muted' }, '(' + g.tenant + ')')),
    h('td', { class: 'wide' }, h('code', {}, g.scope)),
    h('td', { class: 'wide nowrap muted' }, iso(g.issued_at)),
    h('td', {}, g.revoked ? h('span', { class: 'badge bad' }, 'revoked: ' + g.revoked.replace(/_/g, ' '))
      : h('span', { class: 'badge ok' }, 'live')),
    h('td', {}, g.revoked ? '' : h('button', {
      type: 'button', class: 'danger small',
      'aria-label': 'Revoke grant ' + g.id + ' of ' + g.client_id + ' for ' + g.username,
      dataset: { revoke: g.id },
      onclick: () => act('Grant ' + g.id + ' revoked', () => api('DELETE', '/_mock/grants/' + g.id).then(loadGrants)),
    }, 'Revoke')))));
  const revoked = state.grants.length - live.length;
  $('grants-note').textContent = !state.grants.length ? 'No grants yet: a code exchange makes one.'
    : 'No grant matches' + (liveOnly && revoked ? ' (' + revoked + ' revoked: untick "live only" to see them).' : '.');
  $('grants-note').hidden = shown.length > 0;
  $('g-revoke-all').disabled = !(app && user);
}

['g-app', 'g-user', 'g-live'].forEach((id) => $(id).addEventListener('change', renderGrants));
$('grant-filters').addEventListener('submit', (e) => e.preventDefault());
$('g-revoke-all').addEventListener('click', () => {
  const app = $('g-app').value;
  const user = $('g-user').value;
  act(null, async () => {
    const result = await api('POST', '/_mock/grants/revoke', { app, user });
    notice('Revoked ' + result.revoked + ' grant(s) of ' + app + ' for ' + user);
    await loadGrants();
  });
});

// --- Audit ---------------------------------------------------------------------------------

async function loadAudit() {
  const severity = $('a-severity').value;
  state.audit = await api('GET', '/_mock/audit' + (severity ? '?severity=' + encodeURIComponent(severity) : ''));
  renderAudit();
}

function sourceLink(source) {
  if (/^https:\/\/[^\s]+$/.test(source)) {
    return h('a', { href: source, rel: 'noreferrer noopener', target: '_blank' }, source);
  }
  return source;
}

function renderAudit() {
  const report = state.audit;
  if (!report) return;
  const c = report.counts || {};
  $('count-audit').textContent = (c.error || 0) + (c.warning || 0) ? String((c.error || 0) + (c.warning || 0)) : '';
  $('audit-summary').textContent = report.requests + ' request(s) seen'
    + (report.apps.length ? ' from ' + report.apps.join(', ') : '')
    + ' · ' + (c.error || 0) + ' error(s), ' + (c.warning || 0) + ' warning(s), ' + (c.info || 0) + ' info'
    + (report.requests_dropped ? ' · ' + report.requests_dropped + ' request(s) past the audit\'s bound' : '');
  fill('findings', report.findings.map((f) => h('li', { class: 'finding ' + f.severity },
    h('div', { class: 'finding-head' },
      h('span', { class: 'badge sev-' + f.severity }, f.severity),
      h('code', { class: 'finding-id' }, f.id),
      h('strong', {}, f.title)),
    h('p', { class: 'muted' }, [f.app ? 'app ' + appName(f.app) : null, f.user ? 'user ' + f.user : null,
      f.count + ' request(s)'].filter(Boolean).join(' · ')),
    h('p', {}, h('span', { class: 'label' }, 'Advice '), f.advice),
    h('p', {}, h('span', { class: 'label' }, 'Source '), sourceLink(f.source)),
    f.requests.length ? h('p', { class: 'refs' }, h('span', { class: 'label' }, 'Requests '),
      f.requests.map((seq) => h('a', { href: '#request-' + seq }, '#' + seq))) : null)));
  $('findings-note').hidden = report.findings.length > 0;
}

$('a-severity').addEventListener('change', () => act(null, loadAudit));
$('clear-audit').addEventListener('click', () => act('Audit cleared', async () => {
  await api('DELETE', '/_mock/audit');
  await loadAudit();
}));

// --- Clock and faults ----------------------------------------------------------------------

async function loadClock() {
  state.clock = await api('GET', '/_mock/clock');
  state.clockAt = performance.now();
  renderClock();
}

function clockNow() {
  if (!state.clock) return null;
  const running = state.clock.frozen ? 0 : Math.floor((performance.now() - state.clockAt) / 1000);
  return state.clock.now + running;
}

function renderClock() {
  const now = clockNow();
  if (now === null) return;
  const frozen = state.clock.frozen;
  $('clock-now').textContent = iso(now);
  $('top-clock').textContent = iso(now).slice(0, 19) + (frozen ? ' (frozen)' : '');
  const offset = state.clock.offset_secs || 0;
  $('clock-state').textContent = (frozen ? 'Frozen' : 'Running') + ' · Unix ' + now
    + (offset ? ' · ' + span(offset) + ' ' + (offset > 0 ? 'ahead of' : 'behind') + ' the system clock' : ' · in step with the system clock');
  $('freeze').textContent = frozen ? 'Let it run' : 'Freeze';
  $('freeze').setAttribute('aria-pressed', frozen ? 'true' : 'false');
}

setInterval(() => { if (state.clock && !state.clock.frozen) renderClock(); }, 1000);

function advance(secs) {
  return act('Clock moved by ' + span(secs), async () => {
    state.clock = await api('POST', '/_mock/clock', { advance_secs: secs });
    state.clockAt = performance.now();
    renderClock();
  });
}

$('advance-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const secs = Number($('advance-secs').value);
  if (Number.isInteger(secs)) advance(secs);
});
document.querySelectorAll('[data-advance]').forEach((b) => b.addEventListener('click', () => advance(Number(b.dataset.advance))));
$('freeze').addEventListener('click', () => {
  const freeze = !(state.clock && state.clock.frozen);
  act(freeze ? 'Clock frozen' : 'Clock running', async () => {
    state.clock = await api('POST', '/_mock/clock', { freeze });
    state.clockAt = performance.now();
    renderClock();
  });
});

async function loadFaults() {
  state.faults = await api('GET', '/_mock/faults');
  $('count-faults').textContent = state.faults.length ? String(state.faults.length) : '';
  fill('faults-body', state.faults.map((f) => h('tr', {},
    h('td', { class: 'num' }, String(f.id)),
    h('td', {}, f.endpoint, f.endpoint !== f.path ? h('span', { class: 'muted' }, ' ' + f.path) : null),
    h('td', {}, [f.status ? 'HTTP ' + f.status : 'real answer', f.delay_ms ? 'after ' + f.delay_ms + ' ms' : null,
      f.body !== undefined ? 'custom body' : null].filter(Boolean).join(', ')),
    h('td', { class: 'num' }, String(f.remaining)),
    h('td', {}, h('button', {
      type: 'button', class: 'small', 'aria-label': 'Remove fault ' + f.id,
      onclick: () => act('Fault ' + f.id + ' removed', () => api('DELETE', '/_mock/faults/' + f.id).then(loadFaults)),
    }, 'Remove')))));
  $('faults-note').hidden = state.faults.length > 0;
}

$('clear-faults').addEventListener('click', () => act('Faults removed', () => api('DELETE', '/_mock/faults').then(loadFaults)));
$('fault-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const spec = { endpoint: $('fault-endpoint').value.trim(), times: Number($('fault-times').value || 1) };
  if ($('fault-status').value) spec.status = Number($('fault-status').value);
  if ($('fault-delay').value) spec.delay_ms = Number($('fault-delay').value);
  const body = $('fault-body').value.trim();
  if (body) {
    try { spec.body = JSON.parse(body); } catch (e) { notice('Body: not JSON (' + e.message + ')', true); return; }
  }
  act('Fault added', () => api('POST', '/_mock/faults', spec).then(loadFaults));
});

// --- Tenants, apps, users ------------------------------------------------------------------

function options(select, values, keepFirst) {
  const current = select.value;
  const first = keepFirst ? [select.options[0]] : [];
  select.replaceChildren(...first, ...values.map(([value, label]) => h('option', { value }, label)));
  if ([...select.options].some((o) => o.value === current)) select.value = current;
}

async function loadDirectory() {
  const [tenants, apps, users] = await Promise.all([
    api('GET', '/_mock/tenants'), api('GET', '/_mock/apps'), api('GET', '/_mock/users'),
  ]);
  Object.assign(state, { tenants, apps, users });
  fill('tenants-body', tenants.map((t) => h('tr', {},
    h('td', {}, t.id), h('td', {}, h('code', {}, t.short_id)), h('td', {}, t.name || ''),
    h('td', { class: 'num' }, String(users.filter((u) => u.tenant === t.id).length)))));
  fill('apps-body', apps.map((a) => h('tr', {},
    h('td', { class: 'num' }, String(a.id)),
    h('td', {}, a.name, h('div', { class: 'muted small' }, a.public ? 'public (PKCE, no secret)' : 'confidential'
      + (a.rotate_refresh_tokens ? ', rotates refresh tokens' : ''))),
    h('td', {}, h('code', {}, a.client_id),
      a.client_secret ? h('details', { class: 'secret' }, h('summary', {}, 'secret'), h('code', {}, a.client_secret)) : null),
    h('td', { class: 'wide' }, (a.redirect_uris || []).map((u) => h('div', {}, h('code', {}, u)))),
    h('td', { class: 'wide' }, h('code', {}, (a.scopes || []).join(' '))),
    h('td', {}, h('button', {
      type: 'button', class: 'danger small', 'aria-label': 'Remove app ' + a.client_id,
      onclick: () => {
        if (!confirm('Remove the app ' + a.name + ' and revoke its grants?')) return;
        act('App removed', () => api('DELETE', '/_mock/apps/' + encodeURIComponent(a.client_id)).then(loadDirectory));
      },
    }, 'Remove')))));
  fill('users-body', users.map((u) => h('tr', {},
    h('td', { class: 'num' }, String(u.id)), h('td', {}, u.username),
    h('td', {}, [u.first_name, u.last_name].filter(Boolean).join(' ')), h('td', {}, u.tenant),
    h('td', { class: 'wide' }, u.role || ''),
    h('td', {}, h('button', {
      type: 'button', class: 'danger small', 'aria-label': 'Remove user ' + u.username,
      onclick: () => {
        if (!confirm('Remove the user ' + u.username + ' and revoke their grants?')) return;
        act('User removed', () => api('DELETE', '/_mock/users/' + encodeURIComponent(u.username)).then(loadDirectory));
      },
    }, 'Remove')))));
  const appChoices = apps.map((a) => [a.client_id, a.name + ' (' + a.client_id + ')']);
  options($('f-app'), appChoices, true);
  options($('g-app'), appChoices, true);
  options($('g-user'), users.map((u) => [u.username, u.username + ' (' + u.tenant + ')']), true);
  options($('s-tenant'), tenants.map((t) => [t.id, t.name || t.id]), false);
  scheduleRequests();
  if (state.grants.length) renderGrants();
}

const addTemplates = {
  apps: { id: 900, name: 'My App', client_id: 'my-app', client_secret: 'my-secret', redirect_uris: ['http://localhost:3000/callback'], scopes: ['profile', 'source:w'] },
  users: { id: 900, tenant: 'someTenant', username: 'newUser', first_name: 'New', last_name: 'User', email: 'new.user@example.com' },
  tenants: { id: 'otherTenant', short_id: 'ot01', name: 'Other Tenant' },
};
function setTemplate() {
  $('add-json').value = pretty(addTemplates[$('add-kind').value]);
}
$('add-kind').addEventListener('change', setTemplate);
setTemplate();
$('add-form').addEventListener('submit', (event) => {
  event.preventDefault();
  let fields;
  try { fields = JSON.parse($('add-json').value); } catch (e) { notice('Fields: not JSON (' + e.message + ')', true); return; }
  act('Added', () => api('POST', '/_mock/' + $('add-kind').value, fields).then(loadDirectory));
});

// --- REST store ----------------------------------------------------------------------------

// Columns per collection; a third entry `true` marks one left out at phone width.
const storeColumns = {
  alerts: [['id', 'Id'], ['summary', 'Summary'], ['status', 'Status'], ['priority', 'Priority', true], ['alertSource', 'Source', true], ['reportTime', 'Reported', true]],
  incidents: [['id', 'Id'], ['summary', 'Summary'], ['status', 'Status'], ['createdAt', 'Created', true]],
  services: [['id', 'Id'], ['name', 'Name'], ['status', 'Status']],
  'alert-sources': [['id', 'Id'], ['name', 'Name'], ['integrationType', 'Type', true], ['status', 'Status', true]],
};

function cell(value) {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return value.name || value.summary || (value.id !== undefined ? '#' + value.id : JSON.stringify(value));
  return String(value);
}

/** How many entities the store view shows, newest first (a store may hold 100,000 alerts). */
const STORE_PAGE = 200;

async function loadStore() {
  const tenant = $('s-tenant').value;
  const collection = $('s-collection').value;
  if (!tenant) return;
  const path = '/_mock/store/' + encodeURIComponent(tenant) + '/' + encodeURIComponent(collection);
  const items = await api('GET', path + '?order=desc&limit=' + STORE_PAGE);
  if ($('s-tenant').value !== tenant || $('s-collection').value !== collection) return;
  const columns = storeColumns[collection];
  const sources = collection === 'alert-sources';
  fill('store-head', [h('tr', {}, columns.map(([, label, wide]) => h('th', { scope: 'col', class: wide ? 'wide' : null }, label)),
    h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Details')))]);
  fill('store-body', items.map((item) => h('tr', {},
    columns.map(([key, , wide]) => h('td', { class: key === 'id' ? 'num' : (wide ? 'wide' : null) }, cell(item[key]))),
    h('td', { class: 'actions' },
      sources ? h('button', {
        type: 'button', class: 'small primary', dataset: { testEvent: item.id },
        'aria-label': 'Send a test event to ' + (item.name || 'alert source ' + item.id),
        onclick: () => testEvent(item),
      }, 'Send test event') : null,
      h('details', { class: 'raw' }, h('summary', {}, 'JSON'), h('pre', { class: 'code' }, pretty(item)))))));
  $('store-note').hidden = items.length > 0;
  const more = $('store-more');
  more.hidden = items.length < STORE_PAGE;
  more.textContent = 'Showing the newest ' + STORE_PAGE + '. For the rest: GET ' + path + '?order=desc&offset=' + STORE_PAGE + '&limit=…';
}

/** A test event through the real Events API, with the source's integration key. */
function testEvent(source) {
  return act(null, async () => {
    const key = source.integrationKey;
    if (!key) throw new Error('This alert source has no integration key.');
    const result = await api('POST', '/api/events', {
      integrationKey: key,
      eventType: 'ALERT',
      summary: 'Test event from the mock dashboard',
      details: 'Sent to ' + (source.name || 'alert source ' + source.id) + ' at ' + iso(clockNow()),
    });
    notice('Test event sent to ' + (source.name || source.id) + (result && result.alertId ? ': alert ' + result.alertId : ''));
    $('s-collection').value = 'alerts';
    await loadStore();
  });
}

['s-tenant', 's-collection'].forEach((id) => $(id).addEventListener('change', () => act(null, loadStore)));

// --- Token box -----------------------------------------------------------------------------

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('token-input').value.trim();
  act(null, async () => {
    try {
      const inspection = await api('POST', '/_mock/tokens/decode', { token });
      fill('token-out', [tokenView(inspection)]);
    } catch (e) {
      fill('token-out', [h('p', { class: 'error-text', role: 'alert' }, e.message)]);
    }
  });
});

// --- Navigation ----------------------------------------------------------------------------

const PANELS = ['requests', 'grants', 'audit', 'clock', 'directory', 'store', 'token'];

function route() {
  const hash = location.hash.slice(1);
  const request = /^request-(\d+)$/.exec(hash);
  const panel = request ? 'requests' : (PANELS.includes(hash) ? hash : 'requests');
  PANELS.forEach((p) => { $('panel-' + p).hidden = p !== panel; });
  document.querySelectorAll('nav.tabs a').forEach((a) => {
    if (a.dataset.panel === panel) {
      a.setAttribute('aria-current', 'page');
      // On a phone the list is a strip: keep the current panel's name in view.
      a.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    } else {
      a.removeAttribute('aria-current');
    }
  });
  if (request) {
    renderExchange(Number(request[1]), true);
  } else if (panel === 'requests') {
    state.selected = null;
    $('exchange').hidden = true;
    document.querySelectorAll('#requests-body tr.selected').forEach((tr) => tr.classList.remove('selected'));
  }
}

window.addEventListener('hashchange', route);
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && !$('exchange').hidden && location.hash.startsWith('#request-')) {
    location.hash = '#requests';
  }
});

$('reset').addEventListener('click', () => {
  if (!confirm('Reset the mock to its fixtures? Grants, the store, the journal, the audit, faults and the clock go back to the start.')) return;
  act('The mock is back at its fixtures', () => api('POST', '/_mock/reset'));
});

route();
start();
