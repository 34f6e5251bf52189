// Starts ilert-mock as a child process on a free port and stops it again: what a test harness
// in any language does. Node's standard library only.
//
// The mock is started with `--bind 127.0.0.1:0`; its first stdout line is exactly
// `ilert-mock listening on <base URL>`, printed once the server answers. (`--ready-file FILE`
// writes the same URL to a file, for harnesses that would rather poll a file than read a pipe.)

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The ilert-mock executable: $ILERT_MOCK_BIN, else the workspace's debug build. */
export const binary = process.env.ILERT_MOCK_BIN ?? path.resolve(here, '../../../target/debug/ilert-mock');

const FIRST_LINE = /^ilert-mock listening on (\S+)$/;

/**
 * Starts the mock with `args`; resolves to `{ baseUrl, control, stop, logs }` once it answers.
 * With `readyFile`, waits for that file instead of the first stdout line.
 */
export async function startMock(args = [], { readyFile } = {}) {
  const extra = readyFile ? ['--ready-file', readyFile] : [];
  const env = { ...process.env, NO_COLOR: '1' };
  for (const name of Object.keys(env)) if (name.startsWith('ILERT_MOCK_') && name !== 'ILERT_MOCK_BIN') delete env[name];
  const child = spawn(binary, ['--bind', '127.0.0.1:0', ...extra, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let logs = '';
  child.stderr.on('data', (chunk) => { logs = (logs + chunk).slice(-20_000); });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`ilert-mock exited (${code}) before it was ready:\n${logs}`);
  });
  const lines = createInterface({ input: child.stdout });
  const firstLine = once(lines, 'line').then(([line]) => {
    const match = FIRST_LINE.exec(line);
    if (!match) throw new Error(`unexpected first line: ${line}`);
    return match[1];
  });
  let baseUrl;
  try {
    baseUrl = await Promise.race([
      readyFile ? waitForFile(readyFile, child) : firstLine,
      exited,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`ilert-mock not ready in 30 s:\n${logs}`)), 30_000).unref()),
    ]);
  } catch (error) {
    child.kill();
    throw error;
  }
  exited.catch(() => {});
  const health = await fetch(`${baseUrl}/_mock/health`);
  if (health.status !== 200) throw new Error(`/_mock/health answered ${health.status}`);

  /** A JSON request to the mock's control surface. */
  async function control(method, route, body) {
    const response = await fetch(`${baseUrl}/_mock${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 400) throw new Error(`${method} /_mock${route}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  async function stop() {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  }

  return { baseUrl, control, stop, logs: () => logs };
}

async function waitForFile(file, child) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      return (await readFile(file, 'utf8')).trim();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  throw new Error(`no ready file ${file}`);
}
