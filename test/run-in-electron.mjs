#!/usr/bin/env node
// Runs the same integration suite in desktop VS Code through @vscode/test-electron, which
// downloads VS Code (needs internet; offline machines use test/run-in-code-server.mjs).
// The webview-DOM test skips itself here: only the code-server runner can read the browser DOM.
//
// Usage: node esbuild.mjs && node test/run-in-electron.mjs
// Env: VSCODE_VERSION (default 'stable'), KEEP_TMP=1 (keep the temp dir after a passing run).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const testsEntry = path.join(root, 'out/test/integration/index.js');
if (!fs.existsSync(testsEntry)) {
  console.error(`${testsEntry} is missing: run \`node esbuild.mjs\` first.`);
  process.exit(2);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'promptlab-etest-'));
const workspace = path.join(tmp, 'workspace');
const userDataDir = path.join(tmp, 'ud');
const dbDir = path.join(tmp, 'db');

// Same isolation as the code-server runner: a copy of examples/, a temp profile, a temp database.
const examples = path.join(root, 'examples');
if (fs.existsSync(examples) && fs.readdirSync(examples).length > 0) fs.cpSync(examples, workspace, { recursive: true });
else fs.mkdirSync(workspace);
fs.mkdirSync(dbDir);
fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({
  'promptLab.databasePath': dbDir, 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'extensions.autoCheckUpdates': false,
}, null, 2));

const t0 = Date.now();
let code;
try {
  code = await runTests({
    version: process.env.VSCODE_VERSION || 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: testsEntry,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', userDataDir],
    // No DOM bridge here: leave PROMPTLAB_WEBVIEW_DOM_FILE unset even if the caller's shell has it.
    extensionTestsEnv: { PROMPTLAB_WEBVIEW_DOM_FILE: undefined },
  });
} catch (e) {
  // runTests rejects when VS Code exits non-zero (a failing test) or cannot be downloaded/started.
  console.error(e instanceof Error ? e.message : e);
  code = 1;
}
if (code === 0 && !process.env.KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
else console.log(`logs and data: ${tmp}`);
console.log(`integration (electron): exit code ${code} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.exit(code === 0 ? 0 : 1);
