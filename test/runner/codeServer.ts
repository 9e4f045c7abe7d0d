// Starts a real VS Code (code-server) on a free loopback port with throw-away user data, and a
// headless Debian Chromium driven by playwright-core. Facts: ../shared/docs/REAL-VSCODE-OFFLINE.md.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, CODE_SERVER_ENTRY } from './paths';

export interface CodeServer {
  port: number;
  origin: string;
  userDataDir: string;
  extensionsDir: string;
  /** Everything code-server printed (for failure reports). */
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'window.commandCenter': false,
};

export interface StartOptions {
  workspace: string;
  /** Existing extensions folder (e.g. with the packaged extension installed); a fresh one otherwise. */
  extensionsDir?: string;
  userDataDir?: string;
  /** Extra settings merged into the user settings. */
  settings?: Record<string, unknown>;
  port?: number;
  /** Stream code-server's output to this process's stderr. */
  verbose?: boolean;
}

export async function startCodeServer(opts: StartOptions): Promise<CodeServer> {
  if (!existsSync(CODE_SERVER_ENTRY)) {
    throw new Error(`code-server is not installed at ${CODE_SERVER_ENTRY}; run: bash scripts/setup-code-server.sh`);
  }
  const port = opts.port ?? (await freePort());
  const scratch = mkdtempSync(path.join(tmpdir(), 'esc-code-server-'));
  const userDataDir = opts.userDataDir ?? path.join(scratch, 'user-data');
  const extensionsDir = opts.extensionsDir ?? path.join(scratch, 'extensions');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...opts.settings }, null, 2));
  const args = [
    CODE_SERVER_ENTRY,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    opts.workspace,
  ];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, VSCODE_PROXY_URI: '' },
  });
  let out = '';
  const collect = (b: Buffer): void => {
    out += b.toString();
    if (opts.verbose) process.stderr.write(b);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(`${origin}/healthz`, child, () => out);
  return {
    port,
    origin,
    userDataDir,
    extensionsDir,
    output: () => out,
    stop: async () => {
      await killTree(child);
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

async function waitForHttp(url: string, child: ChildProcess, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs} ms:\n${output()}`);
}

async function killTree(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}; run: bash scripts/setup-code-server.sh (it installs Debian's chromium)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A throw-away copy of a workspace folder, so tests never write into the repository. */
export function copyWorkspace(source: string, name = 'workspace'): { dir: string; dispose(): void } {
  const root = mkdtempSync(path.join(tmpdir(), 'esc-ws-'));
  const dir = path.join(root, name);
  cpSync(source, dir, { recursive: true });
  return { dir, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

export function workbenchUrl(origin: string, folder: string, payload?: [string, string][]): string {
  const q = new URLSearchParams({ folder });
  let url = `${origin}/?${q.toString()}`;
  if (payload) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}
