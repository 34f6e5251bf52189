// ilert's backend-app flow ("Developing a Backend App with OAuth2") against ilert-mock, from
// Node with node:test and the global fetch: sign in (the mock approves at once), trade the code,
// call the API, create an alert source, refresh and revoke; then pin what the app sent with the
// mock's snapshot journal. Run: `node --test` here (ILERT_MOCK_BIN names the binary).

import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { startMock } from './mock.mjs';

const app = {
  clientId: '0501439fd7dee9af0c25',
  clientSecret: '3908acda0291d0c4c1e77171aac3b4e501cbbbfc6797f13be1c7a607241498ad',
  redirectUri: 'http://localhost:4597/authorize-result',
};

// A fixed, frozen clock: the same requests give the same codes and tokens on every run.
const deterministic = ['--auto-approve', 'someUser', '--clock-start', '1800000000', '--freeze-clock'];

function authorizeUrl(baseUrl, state) {
  const query = new URLSearchParams({
    client_id: app.clientId,
    response_type: 'code',
    redirect_uri: app.redirectUri,
    scope: 'profile source:w',
    state,
  });
  return `${baseUrl}/api/developers/oauth2/authorize?${query}`;
}

async function tokenRequest(baseUrl, body) {
  // The guide's Node snippets send JSON; the mock reads JSON as well as forms.
  const response = await fetch(`${baseUrl}/api/developers/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: app.clientId, client_secret: app.clientSecret, ...body }),
  });
  return { status: response.status, body: await response.json() };
}

async function api(baseUrl, method, route, accessToken, body) {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${accessToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

test('the backend flow, pinned with the snapshot journal', async (t) => {
  const mock = await startMock(deterministic);
  t.after(mock.stop);
  const { baseUrl } = mock;

  // 1. The browser leg: with --auto-approve the redirect comes at once.
  const authorize = await fetch(authorizeUrl(baseUrl, 'node-state'), { redirect: 'manual' });
  assert.equal(authorize.status, 302);
  const callback = new URL(authorize.headers.get('location'));
  assert.equal(`${callback.origin}${callback.pathname}`, app.redirectUri);
  assert.equal(callback.searchParams.get('state'), 'node-state');

  // 2. The code for tokens.
  const exchanged = await tokenRequest(baseUrl, { grant_type: 'authorization_code', code: callback.searchParams.get('code') });
  assert.equal(exchanged.status, 200);
  const { access_token: accessToken, refresh_token: refreshToken } = exchanged.body;
  assert.equal(exchanged.body.expires_in, 3600);

  // 3. The API, including a JSON body with a nested object.
  const me = await api(baseUrl, 'GET', '/api/users/current', accessToken);
  assert.equal(me.status, 200);
  assert.equal(me.body.username, 'someUser');
  const created = await api(baseUrl, 'POST', '/api/alert-sources', accessToken, {
    name: 'Checkout (node)',
    integrationType: 'API',
    escalationPolicy: { id: 1501 },
  });
  assert.equal(created.status, 201);

  // 4. Refresh, then revoke; the revoked refresh token is refused.
  const refreshed = await tokenRequest(baseUrl, { grant_type: 'refresh_token', refresh_token: refreshToken });
  assert.equal(refreshed.status, 200);
  const revoked = await fetch(`${baseUrl}/api/developers/oauth2/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: refreshToken }),
  });
  assert.equal(revoked.status, 200);
  const refused = await tokenRequest(baseUrl, { grant_type: 'refresh_token', refresh_token: refreshToken });
  assert.equal(refused.status, 401);
  assert.equal(refused.body.code, 'invalid_grant');

  // What the app sent, with every secret, code and port replaced by a placeholder.
  const journal = await mock.control('GET', '/requests?format=snapshot');
  const json = ['content-type', 'application/json'];
  const bearer = ['authorization', 'Bearer <access_token#1>'];
  const secret = '<client_secret#1>';
  // A refresh as the guide sends it (JSON), answered with `status`.
  const refreshEntry = (status) => ({
    method: 'POST',
    path: '/api/developers/oauth2/token',
    query: [],
    headers: [json],
    form: [],
    json: { client_id: app.clientId, client_secret: secret, grant_type: 'refresh_token', refresh_token: '<refresh_token#1>' },
    status,
  });
  assert.deepEqual(journal, [
    {
      method: 'GET',
      path: '/api/developers/oauth2/authorize',
      query: [
        ['client_id', app.clientId],
        ['response_type', 'code'],
        ['redirect_uri', 'http://localhost:<port#1>/authorize-result'],
        ['scope', 'profile source:w'],
        ['state', '<state#1>'],
      ],
      headers: [],
      form: [],
      status: 302,
      location: 'http://localhost:<port#1>/authorize-result?code=<code#1>&state=<state#1>',
    },
    {
      method: 'POST',
      path: '/api/developers/oauth2/token',
      query: [],
      headers: [json],
      form: [],
      json: { client_id: app.clientId, client_secret: secret, grant_type: 'authorization_code', code: '<code#1>' },
      status: 200,
    },
    { method: 'GET', path: '/api/users/current', query: [], headers: [bearer], form: [], status: 200 },
    {
      method: 'POST',
      path: '/api/alert-sources',
      query: [],
      headers: [bearer, json],
      form: [],
      json: { name: 'Checkout (node)', integrationType: 'API', escalationPolicy: { id: 1501 } },
      status: 201,
      location: 'http://127.0.0.1:<port#2>/api/alert-sources/10001',
    },
    refreshEntry(200),
    {
      method: 'POST',
      path: '/api/developers/oauth2/revoke',
      query: [],
      headers: [['content-type', 'application/x-www-form-urlencoded']],
      form: [['token', '<refresh_token#1>']],
      status: 200,
    },
    refreshEntry(401),
  ]);
});

/** GET through node:http, resolving `*.localhost` to the loopback address (Node's resolver may not). */
function getViaName(url) {
  return new Promise((resolve, reject) => {
    const lookup = (hostname, options, callback) =>
      options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4);
    http
      .get(url, { lookup }, (response) => {
        let body = '';
        response.on('data', (chunk) => { body += chunk; });
        response.on('end', () => resolve({ status: response.statusCode, body }));
      })
      .on('error', reject);
  });
}

test('a tenant host, with the mock found through --ready-file', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ilert-mock-node-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // Without --auto-approve the authorize page is the grant view.
  const mock = await startMock([], { readyFile: path.join(dir, 'ready') });
  t.after(mock.stop);
  const port = new URL(mock.baseUrl).port;
  const page = await getViaName(authorizeUrl(`http://acme.localhost:${port}`, 's'));
  assert.equal(page.status, 200);
  assert.match(page.body, /wile/);
  assert.doesNotMatch(page.body, /someUser/);
  // Tenants can be added at run time and their host serves at once.
  await mock.control('POST', '/tenants', { id: 'nodeco', short_id: 'nd1', name: 'Node Co' });
  const added = await getViaName(authorizeUrl(`http://nodeco.localhost:${port}`, 's'));
  assert.equal(added.status, 200);
  assert.match(added.body, /Node Co/);
});
