#!/usr/bin/env node
// `npm start`: real VS Code (code-server) in the browser with this extension loaded in
// development mode from the repo (dist/ must be built: `npm start` runs esbuild first).
// The extension is not installed: the URL's payload names the repo as extensionDevelopmentPath,
// the same mechanism the integration tests use, so what you see is exactly the working tree.
//
// Usage: node scripts/start.mjs            serve until Ctrl+C
//        node scripts/start.mjs --smoke    open it in headless Chromium, run "Prompt Lab: Show History"
//                                          from the command palette, screenshot the panel, exit 0/1
// Env: PORT (default: a free port), PROMPTLAB_DB (promptLab.databasePath; default: a temp folder),
//      SHOT (smoke screenshot, default docs/screenshot-history.png), CHROMIUM (default /usr/bin/chromium).
// A temp database is seeded from examples/sample-executions.jsonl (through the CLI) when that file exists,
// so the history panel has something to show.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const smoke = process.argv.includes('--smoke');
// --vsix: run the packaged prompt-lab.vsix (npm run package) installed like a user would, not the dev build.
const vsix = process.argv.includes('--vsix');
const COMMAND_TITLE = 'Prompt Lab: Show History';

if (!fs.existsSync(path.join(root, 'dist/extension.js'))) {
  console.error('dist/extension.js is missing: run `node esbuild.mjs` (or `npm start`) first.');
  process.exit(2);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'promptlab-start-'));
const userDataDir = path.join(tmp, 'ud');
const logFile = path.join(tmp, 'code-server.log');
const dbDir = process.env.PROMPTLAB_DB ? path.resolve(process.env.PROMPTLAB_DB) : path.join(tmp, 'db');
const examples = path.join(root, 'examples');
const workspace = fs.existsSync(examples) ? examples : root;

// Settings before start: the database goes to a temp folder unless PROMPTLAB_DB says otherwise,
// so trying the extension never writes into your real Prompt Lab database by accident.
fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({
  'promptLab.databasePath': dbDir, 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'extensions.autoCheckUpdates': false,
  // examples/ sits inside this repo: without this, a "open the parent git repository?" toast covers the panel.
  'git.openRepositoryInParentFolders': 'never',
}, null, 2));
// promptLab.databasePath is machine-scoped: an installed extension in code-server (a remote
// host) reads it from the Machine settings, not the User ones (seen with --vsix).
fs.mkdirSync(path.join(userDataDir, 'Machine'), { recursive: true });
fs.writeFileSync(path.join(userDataDir, 'Machine', 'settings.json'), JSON.stringify({ 'promptLab.databasePath': dbDir }, null, 2));
fs.writeFileSync(path.join(tmp, 'config.yaml'), '');
seedSampleData();
if (vsix) {
  const file = path.join(root, 'prompt-lab.vsix');
  if (!fs.existsSync(file)) { console.error('prompt-lab.vsix is missing: run `npm run package` first.'); process.exit(2); }
  const r = spawnSync(path.join(root, 'node_modules/.bin/code-server'), ['--extensions-dir', path.join(tmp, 'exts'), '--install-extension', file], { encoding: 'utf8' });
  if (r.status !== 0) { console.error(`installing ${file} failed:\n${r.stdout}${r.stderr}`); process.exit(1); }
  console.log(`installed ${path.basename(file)} into ${path.join(tmp, 'exts')}`);
}

const port = Number(process.env.PORT) || await freePort();
const base = `http://127.0.0.1:${port}`;
const log = fs.openSync(logFile, 'w');
const cs = spawn(path.join(root, 'node_modules/.bin/code-server'), ['--config', path.join(tmp, 'config.yaml'), '--auth', 'none',
  '--bind-addr', `127.0.0.1:${port}`, '--user-data-dir', userDataDir, '--extensions-dir', path.join(tmp, 'exts'),
  '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', workspace],
// detached: its own process group, so stopping kills the server, extension host and watcher together.
{ detached: true, stdio: ['ignore', log, log] });
let csExited = false;
let stopping = false;
cs.on('exit', (code) => {
  csExited = true;
  if (!stopping) { console.error(`code-server exited (${code}); log: ${logFile}\n${tail(logFile)}`); process.exit(1); }
});
process.on('SIGINT', () => void stop(130));
process.on('SIGTERM', () => void stop(143));

try {
  await waitForServer();
} catch (e) {
  console.error(e.message);
  await stop(1);
}
const authority = new URL(base).host;
const payload = [['extensionDevelopmentPath', `vscode-remote://${authority}${root}`]];
const url = `${base}/?folder=${encodeURIComponent(workspace)}${vsix ? '' : `&payload=${encodeURIComponent(JSON.stringify(payload))}`}`;
console.log(`Prompt Lab is running in VS Code at ${url}`);
console.log(`  workspace: ${workspace}\n  database:  ${dbDir}\n  logs:      ${tmp}`);

if (smoke) await stop(await runSmoke());
else console.log('Open the URL in a browser; press Ctrl+C to stop.');

/** Drives the page like a user: command palette → history panel → screenshot. Returns the exit code. */
async function runSmoke() {
  const { chromium } = await import('playwright-core');
  const t0 = Date.now();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    console.log(`smoke: workbench up after ${Date.now() - t0} ms`);

    // The extension host registers commands after the workbench paints: retry until the palette lists ours.
    const palette = async (title) => {
      for (let i = 0; ; i++) {
        await page.keyboard.press('F1');
        await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
        await page.keyboard.type(title);
        const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title });
        if (await row.first().waitFor({ timeout: 2000 }).then(() => true, () => false)) {
          await page.keyboard.press('Enter');
          console.log(`smoke: ran "${title}" from the command palette after ${Date.now() - t0} ms`);
          return;
        }
        await page.keyboard.press('Escape');
        if (i > 30) throw new Error(`"${title}" never appeared in the command palette`);
        await page.waitForTimeout(1000);
      }
    };
    await palette(COMMAND_TITLE);

    // The webview lives in nested iframes; wait for the table and for the first data render (summary text).
    let seen;
    for (let i = 0; i < 60 && !seen; i++) {
      for (const f of page.frames()) {
        const r = await f.evaluate(() => {
          const table = document.querySelector('#history');
          const summary = document.querySelector('#summary')?.textContent ?? '';
          return table && summary ? { summary, rows: document.querySelectorAll('tbody#rows tr').length, headers: [...table.querySelectorAll('th')].map((th) => th.textContent) } : null;
        }).catch(() => null);
        if (r) { seen = r; break; }
      }
      if (!seen) await page.waitForTimeout(500);
    }
    const errors = await page.locator('.notifications-toasts .notification-list-item-message').allTextContents().catch(() => []);
    const shot = path.resolve(root, process.env.SHOT || 'docs/screenshot-history.png');
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot });
    console.log(`smoke: screenshot ${shot}`);
    if (errors.length) console.log(`smoke: notifications: ${errors.join(' | ')}`);
    if (!seen) { console.log('smoke: FAILED: the history table (#history) never rendered in a webview frame'); return 1; }
    console.log(`smoke: history table present, columns=${seen.headers.join(', ')}; rows=${seen.rows}; summary=${seen.summary}`);
    // The other panels a user opens first: each must render its #app[data-panel] (screenshots beside the history one).
    for (const [title, panel] of [['Prompt Lab: Show Dashboard', 'dashboard'], ['Prompt Lab: Show Health', 'health']]) {
      await palette(title);
      let text = null;
      for (let i = 0; i < 40 && !text; i++) {
        for (const f of page.frames()) {
          text = await f.evaluate((p) => (document.querySelector(`#app[data-panel="${p}"]`)?.textContent ?? '').trim() || null, panel).catch(() => null);
          if (text) break;
        }
        if (!text) await page.waitForTimeout(500);
      }
      await page.waitForTimeout(1500); // charts draw after the data arrives
      const file = path.join(path.dirname(shot), `screenshot-${panel}.png`);
      await page.screenshot({ path: file });
      if (!text) { console.log(`smoke: FAILED: the ${panel} panel never rendered`); return 1; }
      console.log(`smoke: ${panel} panel rendered (${text.replace(/\s+/g, ' ').slice(0, 160)}…); screenshot ${file}`);
    }
    const failed = errors.filter((t) => /Prompt Lab.*(failed|error)/i.test(t));
    if (failed.length) { console.log(`smoke: FAILED: error notification: ${failed.join(' | ')}`); return 1; }
    console.log(`smoke: OK after ${Date.now() - t0} ms`);
    return 0;
  } catch (e) {
    console.error(`smoke: FAILED: ${e.message}`);
    return 1;
  } finally {
    await browser.close().catch(() => {});
  }
}

/** Imports the sample executions into a temp database (never into one the user named with PROMPTLAB_DB). */
function seedSampleData() {
  const sample = path.join(examples, 'sample-executions.jsonl');
  if (process.env.PROMPTLAB_DB || !fs.existsSync(sample)) return;
  const r = spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), 'import', sample, '--db', dbDir], { encoding: 'utf8' });
  // Seeding only makes the panel less empty: a failure is worth a warning, not a failed start.
  if (r.status === 0) console.log(`seeded the temp database: ${r.stdout.trim()}`);
  else console.warn(`could not seed the temp database from ${sample} (exit ${r.status}): ${(r.stderr || r.stdout).trim().slice(0, 500)}`);
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  try { process.kill(-cs.pid, 'SIGTERM'); } catch { /* group already gone */ }
  for (let i = 0; i < 30 && !csExited; i++) await sleep(100);
  await sleep(300); // let the extension host's children follow the server out
  try { process.kill(-cs.pid, 'SIGKILL'); } catch { /* group already gone */ }
  process.exit(code);
}

async function waitForServer() {
  for (let i = 0; ; i++) {
    try { await fetch(`${base}/healthz`); return; } catch { /* not listening yet */ }
    if (i > 120) throw new Error(`code-server did not start in 60 s; log: ${logFile}\n${tail(logFile)}`);
    await sleep(500);
  }
}

/** Free TCP port on 127.0.0.1: bind port 0 and read what the kernel picked. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port: p } = srv.address(); srv.close(() => resolve(p)); });
  });
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

function tail(file, lines = 30) {
  try { return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n'); } catch { return '(no log)'; }
}
