// Jest helpers for a suite against goalpost in test mode: a server per test file on a free
// port (GOALPOST_BIN and DATABASE_URL override), a fresh portal per test.
const { spawn } = require('node:child_process');
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const ADMIN = 'gp_suite_admin_0123456789abcdef'; // any secret: the server's bootstrap token

async function startGoalpost() {
  const env = { ...process.env, GOALPOST_TEST_MODE: 'true', GOALPOST_BOOTSTRAP_TOKEN: ADMIN };
  env.DATABASE_URL ??= `sqlite://${mkdtempSync(path.join(tmpdir(), 'goalpost-'))}/goalpost.db`;
  const binary = process.env.GOALPOST_BIN ?? 'goalpost';
  const server = spawn(binary, ['serve', '--bind', '127.0.0.1:0'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  const base = await new Promise((resolve, reject) => {
    readline.createInterface({ input: server.stdout }).on('line', (line) => {
      if (line.startsWith('listening: ')) resolve(line.slice('listening: '.length).trim());
    });
    server.on('exit', (code) => reject(new Error(`goalpost exited with ${code}`)));
  });
  return { base, stop: () => server.kill() };
}

// One call to the test control plane, as the suite's admin.
async function plane(base, method, route, body) {
  const res = await fetch(`${base}/goalpost/v1/test${route}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// A portal of the test's own: its token, its controls (clock, faults, snapshots, requests).
async function newPortal(base) {
  const made = await plane(base, 'POST', '/portals', {});
  const here = `/portals/${made.portalId}`;
  return {
    token: made.token,
    control: (method, route, body) => plane(base, method, here + route, body),
    remove: () => plane(base, 'DELETE', here),
  };
}

module.exports = { startGoalpost, newPortal };
