#!/usr/bin/env node
// Runs the integration suite (out/test/integration/index.js, Mocha) inside the real VS Code
// extension host: code-server serves VS Code, headless Chromium (playwright-core) opens it
// with the extensionDevelopmentPath/extensionTestsPath payload, and VS Code reports the
// suite's exit code through window.codeAutomationExit. Port of
// /work/shared/reference/vscode-in-code-server/run-vscode-tests.js.
//
// Usage: node esbuild.mjs && node test/run-in-code-server.mjs
// Env: TEST_TIMEOUT_MS (whole run, default 240000), SHOT_DIR (save SHOT_DIR/workbench.png at the end),
//      PORT (default: a free port), CHROMIUM (default /usr/bin/chromium), CS_ARGS (extra code-server flags),
//      KEEP_TMP=1 (keep the temp dir after a passing run; a failing run always keeps it).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as util from 'node:util';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const csBin = path.join(root, 'node_modules/.bin/code-server');
const testsEntry = path.join(root, 'out/test/integration/index.js');
const timeoutMs = Number(process.env.TEST_TIMEOUT_MS || 240_000);
const t0 = Date.now();

if (!fs.existsSync(testsEntry)) {
  console.error(`${testsEntry} is missing: run \`node esbuild.mjs\` first.`);
  process.exit(2);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'promptlab-itest-'));
const workspace = path.join(tmp, 'workspace');
const userDataDir = path.join(tmp, 'ud');
const dbDir = path.join(tmp, 'db');
const domFile = path.join(tmp, 'webview-dom.json');
const logFile = path.join(tmp, 'code-server.log');

// A fresh copy of examples/, so tests may write into the workspace without touching the repo.
const examples = path.join(root, 'examples');
if (fs.existsSync(examples) && fs.readdirSync(examples).length > 0) fs.cpSync(examples, workspace, { recursive: true });
else fs.mkdirSync(workspace);
fs.mkdirSync(dbDir);
// PROMPTLAB_UNTRUSTED=1: the same harness with workspace trust on and the folder left
// untrusted (Restricted Mode); the suite then runs only *.untrusted.test.js files.
if (process.argv.includes('--untrusted')) process.env.PROMPTLAB_UNTRUSTED = '1'; // the extension host inherits it
const untrusted = process.env.PROMPTLAB_UNTRUSTED === '1';
writeSettings(userDataDir, { 'promptLab.databasePath': dbDir,
  ...(untrusted ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.emptyWindow': false } : {}) });

const port = Number(process.env.PORT) || await freePort();
const base = `http://127.0.0.1:${port}`;
fs.writeFileSync(path.join(tmp, 'config.yaml'), '');
const log = fs.openSync(logFile, 'w');
const cs = spawn(csBin, ['--config', path.join(tmp, 'config.yaml'), '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
  '--user-data-dir', userDataDir, '--extensions-dir', path.join(tmp, 'exts'), '--disable-telemetry', '--disable-update-check',
  ...(untrusted ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override', ...(process.env.CS_ARGS || '').split(/\s+/).filter(Boolean), workspace],
// The extension host inherits code-server's environment: that is how the tests learn where the DOM file is.
// detached: its own process group, so the server, extension host and file watcher all die together.
{ env: { ...process.env, PROMPTLAB_WEBVIEW_DOM_FILE: domFile }, detached: true, stdio: ['ignore', log, log] });
let csExited = false;
cs.on('exit', () => { csExited = true; });

let browser;
let page;
let summaryLine;
let lastAction = null; // the last action a test asked for (see runRequestedAction)
let finishing = false;
const deadline = setTimeout(() => void finish('timeout'), timeoutMs);
process.on('SIGINT', () => void finish('interrupted'));
process.on('SIGTERM', () => void finish('interrupted'));

try {
  await waitForServer();
  console.log(`code-server up on ${base} after ${Date.now() - t0} ms`);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  let resolveExit;
  const exited = new Promise((r) => { resolveExit = r; });
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code)); // VS Code calls this when the suite ends
  page.on('console', forwardConsole);
  const domPoll = startDomBridge();

  const authority = new URL(base).host;
  const payload = [['extensionDevelopmentPath', `vscode-remote://${authority}${root}`], ['extensionTestsPath', `vscode-remote://${authority}${testsEntry}`]];
  await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  const code = await exited;
  domPoll.stop();
  await finish(code);
} catch (e) {
  console.error(e);
  await finish('error');
}

/** Free TCP port on 127.0.0.1: bind port 0 and read what the kernel picked. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port: p } = srv.address(); srv.close(() => resolve(p)); });
  });
}

/** User settings are read from <user-data-dir>/User/settings.json; write them before VS Code starts. */
function writeSettings(udd, settings) {
  const all = { 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'extensions.autoCheckUpdates': false, ...settings };
  fs.mkdirSync(path.join(udd, 'User'), { recursive: true });
  fs.writeFileSync(path.join(udd, 'User', 'settings.json'), JSON.stringify(all, null, 2));
}

async function waitForServer() {
  for (let i = 0; ; i++) {
    if (csExited) throw new Error(`code-server exited during startup:\n${tail(logFile)}`);
    try { await fetch(`${base}/healthz`); return; } catch { /* not listening yet */ }
    if (i > 120) throw new Error(`code-server did not start in 60 s:\n${tail(logFile)}`);
    await sleep(500);
  }
}

/** Extension-host console arrives as browser console messages: re-format printf args, drop %c styling. */
async function forwardConsole(m) {
  if (m.type() === 'debug' || m.type() === 'trace') return;
  let a = await Promise.all(m.args().map((x) => x.jsonValue().catch(() => '?')));
  if (typeof a[0] === 'string' && a[0].includes('%c')) { const n = (a[0].match(/%c/g) || []).length; a = [a[0].replace(/%c/g, ''), ...a.slice(1 + n)]; }
  if (typeof a[0] === 'string' && /^\s*(INFO|\[Extension Host\])?\s*$/.test(a[0]) && a.length > 1) a = a.slice(1); // forwarded-log prefix
  const line = util.format(...a);
  if (/^\s*(Creating a socket|Resolved connection token|Started local extension host|\[Extension Host\] Started)/.test(line)) return;
  const s = /(\d+) passed, (\d+) failed/.exec(line);
  if (s) summaryLine = s[0];
  console.log(line);
}

/**
 * The extension host cannot see the webview's DOM, so every 500 ms this writes what the
 * browser shows to PROMPTLAB_WEBVIEW_DOM_FILE for the tests to read. It also clicks the
 * first history row once (a real mouse click) so the detail pane has something to show.
 */
function startDomBridge() {
  let busy = false;
  let clickedRow = false;
  let lastPrinted = '';
  const probe = () => {
    const text = (s) => document.querySelector(s)?.textContent ?? null;
    return {
      hasApp: !!document.querySelector('#app'),
      // Generic channel for newer panels: #app[data-panel] names the panel, and every
      // [data-testid] element's text (first 2,000 chars) is reported under its id.
      panel: document.querySelector('#app')?.getAttribute('data-panel') ?? null,
      testIds: Object.fromEntries([...document.querySelectorAll('[data-testid]')].slice(0, 300).map((e) => [e.getAttribute('data-testid'), (e.textContent ?? '').slice(0, 2000)])),
      bodyClass: document.body.className,
      cspLast: document.querySelector('#app')?.getAttribute('data-csp-last') ?? null,
      hasHistory: !!document.querySelector('#history'),
      summary: text('#summary'),
      rowCount: document.querySelectorAll('tbody#rows tr').length,
      detailText: (text('#detail') ?? '').slice(0, 2000),
      injected: typeof window.__plXss !== 'undefined', // set only if the test's HTML payload ever ran
      // results panel
      resultsTitle: text('#run-title'),
      resultsTotals: text('#totals'),
      resultsRows: [...document.querySelectorAll('tbody#cases tr')].map((tr) => [...tr.children].map((td) => (td.textContent ?? '').slice(0, 500))),
      // quality panel
      hasQuality: !!document.querySelector('#quality'),
      qualityStatus: text('#quality-status'),
      qualityCards: text('#quality-cards'),
      qualityPrompt: document.querySelector('#quality-prompt')?.value ?? null,
      qualityDays: document.querySelector('#quality-days')?.value ?? null,
      qualityEmpty: text('#quality-empty'),
      qualityTrendNote: text('#trend-not-enough'),
      qualityWorst: [...document.querySelectorAll('tbody#worst-rows tr')].map((tr) => [...tr.children].map((td) => (td.textContent ?? '').slice(0, 500))),
      canvasCount: document.querySelectorAll('canvas').length,
      // canvases laid out with a non-zero size (chart.js sizes the ones it draws)
      canvasDrawn: [...document.querySelectorAll('canvas')].filter((c) => c.width > 0 && c.height > 0 && c.getBoundingClientRect().height > 0).length,
      cspViolations: Number(document.querySelector('#app')?.getAttribute('data-csp-violations') ?? 0),
      // compare panel
      hasCompare: !!document.querySelector('#compare'),
      compareTitle: text('#compare-title'),
      compareMeta: text('#compare-meta'),
      compareProgress: text('#compare-progress'),
      compareStats: (text('#compare-stats') ?? '').slice(0, 4000),
      compareRecommendation: text('#compare-recommendation'),
      compareRowCount: document.querySelectorAll('tbody#compare-rows tr').length,
      compareRows: [...document.querySelectorAll('tbody#compare-rows tr')].slice(0, 20).map((tr) => [...tr.children].map((td) => (td.textContent ?? '').slice(0, 500))),
      compareDiffSpans: document.querySelectorAll('tbody#compare-rows span.diff-added, tbody#compare-rows span.diff-removed').length,
      compareRowsStatus: text('#rows-status'),
      compareCspLast: document.querySelector('#compare')?.closest('#app')?.getAttribute('data-csp-last') ?? null,
    };
  };
  const tick = async () => {
    if (busy || !page || page.isClosed()) return;
    busy = true;
    try {
      const frames = [];
      let injectedAnywhere = false;
      for (const f of page.frames()) {
        const r = await withTimeout(f.evaluate(probe), 1000).catch(() => undefined); // detached or navigating frames
        if (!r) continue;
        injectedAnywhere ||= r.injected;
        if (!r.hasApp) continue;
        frames.push({ url: f.url(), panel: r.panel, testIds: r.testIds, bodyClass: r.bodyClass, canvasCount: r.canvasCount, canvasDrawn: r.canvasDrawn, cspViolations: r.cspViolations, cspLast: r.cspLast, summary: r.summary, rowCount: r.rowCount, detailText: r.detailText, injected: r.injected,
          resultsTitle: r.resultsTitle, resultsTotals: r.resultsTotals, resultsRows: r.resultsRows,
          ...(r.hasQuality ? { hasQuality: true, qualityStatus: r.qualityStatus, qualityCards: r.qualityCards, qualityPrompt: r.qualityPrompt, qualityDays: r.qualityDays,
            qualityEmpty: r.qualityEmpty, qualityTrendNote: r.qualityTrendNote, qualityWorst: r.qualityWorst, canvasCount: r.canvasCount, canvasDrawn: r.canvasDrawn,
            cspViolations: r.cspViolations } : {}),
          ...(r.hasCompare ? { hasCompare: true, compareTitle: r.compareTitle, compareMeta: r.compareMeta, compareProgress: r.compareProgress, compareStats: r.compareStats,
            compareRecommendation: r.compareRecommendation, compareRowCount: r.compareRowCount, compareRows: r.compareRows, compareDiffSpans: r.compareDiffSpans,
            compareRowsStatus: r.compareRowsStatus, compareCspLast: r.compareCspLast, cspViolations: r.cspViolations } : {}) });
        if (r.hasHistory) {
          const said = `rows=${r.rowCount}, summary=${r.summary ?? ''}`;
          if (said !== lastPrinted && r.summary) { lastPrinted = said; console.log(`webview DOM: history table present, ${said}`); }
          if (!clickedRow && r.rowCount > 0) clickedRow = await clickFirstRow(f);
        }
      }
      await runRequestedAction();
      const out = `${domFile}.tmp`;
      fs.writeFileSync(out, JSON.stringify({ frames, injectedAnywhere, clickedRow, lastAction, writtenAt: new Date().toISOString() }));
      fs.renameSync(out, domFile); // atomic: the tests never read half a file
    } catch (e) {
      console.error(`webview DOM bridge: ${e?.message ?? e}`);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), 500);
  return { stop: () => clearInterval(timer) };
}

/*
 * Tests ask for one browser action at a time by writing `${domFile}.action.json`:
 * {id, selector, action: 'click' | 'select' | 'press', value?}. It runs (a real mouse click, a
 * select with its change event, or a key press such as "ArrowDown") in the first frame holding `selector`; the outcome is
 * reported as `lastAction` in the DOM file.
 */
async function runRequestedAction() {
  const file = `${domFile}.action.json`;
  let req;
  try { req = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return; }
  if (!req || req.id === lastAction?.id) return;
  for (const f of page.frames()) {
    const present = await withTimeout(f.evaluate((sel) => !!document.querySelector(sel), req.selector), 1000).catch(() => false);
    if (!present) continue;
    try {
      if (req.action === 'select') await f.selectOption(req.selector, String(req.value), { timeout: 3000 });
      // A real key press on the element (focused first), e.g. keyboard navigation of a table.
      else if (req.action === 'press') await f.locator(req.selector).first().press(String(req.value), { timeout: 3000 });
      // A screenshot of the whole workbench once `selector` is there (SHOT_DIR runs: see what a panel looks like).
      else if (req.action === 'screenshot') {
        if (!process.env.SHOT_DIR) throw new Error('screenshot needs SHOT_DIR');
        fs.mkdirSync(process.env.SHOT_DIR, { recursive: true });
        await page.screenshot({ path: path.join(process.env.SHOT_DIR, path.basename(String(req.value))), timeout: 10_000 });
      }
      else {
        const target = f.locator(req.selector).first();
        try { await target.click({ timeout: 3000 }); } catch { await target.evaluate((el) => el.click(), undefined, { timeout: 1000 }); }
      }
      lastAction = { id: req.id, ok: true };
    } catch (e) {
      lastAction = { id: req.id, ok: false, error: e.message.split('\n')[0] };
    }
    console.log(`webview DOM: action ${req.action} ${req.selector}${req.value !== undefined ? ` = ${req.value}` : ''}: ${lastAction.ok ? 'done' : lastAction.error}`);
    return;
  }
}

async function clickFirstRow(frame) {
  const row = frame.locator('tbody#rows tr').first();
  try {
    await row.click({ timeout: 3000 });
    console.log('webview DOM: clicked the first history row');
    return true;
  } catch (e) {
    // A workbench overlay can intercept the pointer; a DOM click still exercises the row's handler.
    try { await row.evaluate((el) => el.click(), undefined, { timeout: 1000 }); console.log(`webview DOM: clicked the first history row via DOM (mouse click failed: ${e.message.split('\n')[0]})`); return true; } catch { return false; }
  }
}

async function finish(code) {
  if (finishing) return;
  finishing = true;
  clearTimeout(deadline);
  if (code === 'timeout') console.error(`integration: no result after ${timeoutMs} ms (TEST_TIMEOUT_MS)`);
  if (process.env.SHOT_DIR && page && !page.isClosed()) {
    try {
      fs.mkdirSync(process.env.SHOT_DIR, { recursive: true });
      const shot = path.join(process.env.SHOT_DIR, 'workbench.png');
      await page.screenshot({ path: shot, fullPage: true, timeout: 10_000 });
      console.log(`screenshot: ${shot}`);
    } catch (e) { console.error(`screenshot failed: ${e.message}`); }
  }
  try { if (browser) await browser.close(); } catch { /* already gone */ }
  await stopServer();
  const ok = code === 0;
  if (code !== 0 && code !== 1) console.error(`code-server log (tail):\n${tail(logFile)}`);
  if (ok && !process.env.KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
  else console.log(`logs and data: ${tmp}`);
  console.log(`integration: ${summaryLine ?? 'no "N passed, N failed" line seen'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`integration: exit code ${code}`);
  process.exit(ok ? 0 : 1);
}

async function stopServer() {
  if (cs.pid === undefined) return;
  try { process.kill(-cs.pid, 'SIGTERM'); } catch { return; } // whole process group: server, ext host, watcher
  for (let i = 0; i < 30 && !csExited; i++) await sleep(100);
  await sleep(300); // let the extension host's children follow the server out
  try { process.kill(-cs.pid, 'SIGKILL'); } catch { /* group already gone */ }
}

function withTimeout(promise, ms) {
  return Promise.race([promise, sleep(ms).then(() => { throw new Error('timeout'); })]);
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

function tail(file, lines = 40) {
  try { return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n'); } catch { return '(no log)'; }
}
