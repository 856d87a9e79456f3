import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary } from '../../src/core/runner/types';
import type { PromptLabApi } from '../../src/extension/main';
import type { ApprovalAnswer } from '../../src/extension/endpointApprovals';
import type { RecordedRequest, Scenario } from '../unit/helpers/fakeServers';
import { startOpenAIServer } from '../unit/helpers/fakeServers';
import { waitFor } from './waitFor';

/*
 * Issue 8: keys go only to their own endpoint, files named by a prompt stay inside the
 * workspace, keys never show up anywhere, and hostile responses stay text in every panel.
 */

interface DomFrame { url: string; injected: boolean; detailText: string; resultsRows?: string[][] }
interface Dom { frames: DomFrame[]; injectedAnywhere?: boolean }


// Keys that no secret scanner recognises, so only the "known key" redaction can catch them.
const STORED_KEY = 'PLSTOREDKEY7q3w9e1r5t2y8u';
const FILE_KEY = 'PLFILEENVKEY4a6s2d8f0g1h3j';
const FILE_KEY_ENV = 'PL_SEC_FILE_KEY';

// Every payload would set window.__plXss if a webview ever ran it as markup.
const XSS_CORPUS = [
  '<script>window.__plXss=1</script>',
  '<img src=x onerror="window.__plXss=1">',
  '<svg onload="window.__plXss=1"><circle r=1></circle></svg>',
  '<a href="javascript:window.__plXss=1">javascript-link</a>',
  '[md-link](javascript:window.__plXss=1)',
  '<iframe srcdoc="<script>parent.__plXss=1</script>"></iframe>',
  '</textarea><img src=x onerror="window.__plXss=1">',
  '\u202Egnp.exe rtl-override',
];
const LONG_LINE = 'L'.repeat(6000);
const XSS_TEXT = `${XSS_CORPUS.join('\n')}\n${LONG_LINE}`;

function userText(r: RecordedRequest): string {
  const body = r.body as { messages?: Array<{ content: unknown }> } | undefined;
  return (body?.messages ?? []).map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content))).join('\n');
}

/** The fake model: echoes the Authorization header into an error or a response when asked to. */
function script(r: RecordedRequest): Scenario {
  const text = userText(r);
  const auth = String(r.headers.authorization ?? '');
  if (text.includes('ECHO-ERROR')) return { kind: 'error', status: 400, message: `bad request; you sent ${auth}; raw key ${auth.replace(/^Bearer /, '')}`, type: 'invalid_request_error' };
  if (text.includes('ECHO-OK')) return { kind: 'json', text: `You called with ${auth} and key=${auth.replace(/^Bearer /, '')} ok` };
  if (text.includes('XSS-CORPUS')) return { kind: 'json', text: XSS_TEXT };
  return { kind: 'json', text: 'fine' };
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p)); else if (e.isFile()) out.push(p);
  }
  return out;
}

suite('Security (issue 8)', () => {
  let api: PromptLabApi;
  let profileSrv: Awaited<ReturnType<typeof startOpenAIServer>>;
  let fileSrv: Awaited<ReturnType<typeof startOpenAIServer>>;
  const asked: Array<{ origin: string; env: string }> = [];
  let answer: ApprovalAnswer = 'cancel';
  const ws = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  const dir = () => path.join(ws(), 'security');
  const run = (file: string) => vscode.commands.executeCommand<RunSummary | undefined>('promptLab.runPrompt', vscode.Uri.file(file));
  const domFile = process.env.PROMPTLAB_WEBVIEW_DOM_FILE;
  let lastDom = '(no file yet)';
  const readDom = (): Dom | undefined => { try { lastDom = fs.readFileSync(domFile!, 'utf8'); return JSON.parse(lastDom) as Dom; } catch { return undefined; } };

  const prompty = (name: string, user: string, connection: string) => {
    const file = path.join(dir(), `${name}.prompty`);
    fs.writeFileSync(file, `---\nname: ${name}\nmodel:\n  id: sec-model\n  provider: sec\n${connection}---\nuser:\n${user}\n`);
    return file;
  };

  suiteSetup(async () => {
    api = await vscode.extensions.getExtension<PromptLabApi>('promptlab.prompt-lab')!.activate();
    profileSrv = await startOpenAIServer(script);
    fileSrv = await startOpenAIServer(script);
    const cfg = vscode.workspace.getConfiguration('promptLab');
    await cfg.update('providers', [{ id: 'sec', kind: 'openai-compatible', baseUrl: profileSrv.baseUrl }], vscode.ConfigurationTarget.Global);
    await cfg.update('defaultProvider', 'sec', vscode.ConfigurationTarget.Global);
    await api.keys.set('sec', STORED_KEY);
    api.runs.approvals.prompter = async (origin, env) => { asked.push({ origin, env }); return answer; };
    await api.runs.approvals.reset();
    fs.mkdirSync(dir(), { recursive: true });
  });

  suiteTeardown(async () => {
    delete process.env[FILE_KEY_ENV];
    await profileSrv?.close();
    await fileSrv?.close();
  });

  test('a stored key goes only to its profile: a file endpoint without its own key variable is ignored', async () => {
    const file = prompty('sec-ignored', 'hello', `  connection:\n    kind: key\n    endpoint: ${fileSrv.baseUrl}\n`);
    const before = profileSrv.requests.length;
    const summary = await run(file);
    assert.equal(summary?.succeeded, 1);
    assert.equal(fileSrv.requests.length, 0, 'the file\'s endpoint received a request');
    assert.equal(profileSrv.requests.length - before, 1);
    assert.equal(profileSrv.requests.at(-1)!.headers.authorization, `Bearer ${STORED_KEY}`);
    assert.deepEqual(asked, [], 'no approval is asked: no key goes to the file endpoint');
  });

  test('a file endpoint with an ${env:} key asks first; Cancel sends nothing; Allow once and Always send only the env key; Reset forgets', async () => {
    const file = prompty('sec-envkey', 'hello', `  connection:\n    kind: key\n    endpoint: ${fileSrv.baseUrl}\n    apiKey: \${env:${FILE_KEY_ENV}}\n`);
    const origin = new URL(fileSrv.baseUrl).origin;
    const profileBefore = profileSrv.requests.length;

    delete process.env[FILE_KEY_ENV];
    assert.equal(await run(file), undefined, 'runs without the variable set');
    assert.equal(fileSrv.requests.length, 0);

    process.env[FILE_KEY_ENV] = FILE_KEY;
    answer = 'cancel';
    assert.equal(await run(file), undefined);
    assert.deepEqual(asked, [{ origin, env: FILE_KEY_ENV }]);
    assert.equal(fileSrv.requests.length, 0, 'Cancel sent something');

    answer = 'once';
    assert.equal((await run(file))?.succeeded, 1);
    assert.equal(fileSrv.requests.length, 1);
    assert.equal(fileSrv.requests[0]!.headers.authorization, `Bearer ${FILE_KEY}`, 'the env key, never the stored key');
    assert.deepEqual(api.runs.approvals.list(), [], 'Allow once is not remembered');

    answer = 'always';
    assert.equal((await run(file))?.succeeded, 1);
    assert.equal(asked.length, 3);
    assert.equal((await run(file))?.succeeded, 1);
    assert.equal(asked.length, 3, 'Always for this workspace is remembered');
    assert.deepEqual(api.runs.approvals.list(), [`${origin}|${FILE_KEY_ENV}`]);
    assert.ok(fileSrv.requests.every((r) => r.headers.authorization === `Bearer ${FILE_KEY}`));
    assert.equal(profileSrv.requests.length, profileBefore, 'the profile endpoint was not used');

    assert.equal(await vscode.commands.executeCommand<number>('promptLab.resetEndpointApprovals'), 1);
    assert.deepEqual(api.runs.approvals.list(), []);
    answer = 'cancel';
    const n = fileSrv.requests.length;
    assert.equal(await run(file), undefined);
    assert.equal(asked.length, 4, 'asks again after Reset');
    assert.equal(fileSrv.requests.length, n);
  });

  test('a dataset named by a prompt file must be inside the workspace (no ../, absolute or symlink escape)', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-outside-'));
    const csv = path.join(outside, 'secret.csv');
    fs.writeFileSync(csv, 'q\nfrom outside\n');
    const link = path.join(dir(), 'linked.csv');
    fs.rmSync(link, { force: true });
    fs.symlinkSync(csv, link);
    fs.writeFileSync(path.join(dir(), 'inside.csv'), 'q\nfrom inside\n');
    const rel = path.relative(dir(), csv);
    const before = profileSrv.requests.length;
    for (const [name, ds] of [['dots', rel], ['absolute', csv], ['symlink', 'linked.csv']] as const) {
      const file = path.join(dir(), `sec-ds-${name}.prompt.yml`);
      fs.writeFileSync(file, `name: sec-ds-${name}\nmodel: sec-model\nprovider: sec\ndataset: ${JSON.stringify(ds)}\nmessages:\n  - role: user\n    content: "Echo {{q}}"\n`);
      assert.equal(await run(file), undefined, `${name}: the run was not refused`);
    }
    assert.equal(profileSrv.requests.length, before, 'a refused dataset still sent requests');
    const ok = path.join(dir(), 'sec-ds-inside.prompt.yml');
    fs.writeFileSync(ok, 'name: sec-ds-inside\nmodel: sec-model\nprovider: sec\ndataset: inside.csv\nmessages:\n  - role: user\n    content: "Echo {{q}}"\n');
    assert.equal((await run(ok))?.succeeded, 1);
    assert.match(userText(profileSrv.requests.at(-1)!), /from inside/);
  });

  test('keys never appear in the database, exports, logs, settings, caches or webview messages', async function () {
    this.timeout(60_000);
    process.env[FILE_KEY_ENV] = FILE_KEY;
    await api.runs.approvals.approve(new URL(fileSrv.baseUrl).origin, FILE_KEY_ENV);
    const runs = [
      [prompty('sec-echo-error', 'ECHO-ERROR', ''), 'failed'],
      [prompty('sec-echo-ok', 'ECHO-OK', ''), 'ok'],
      [prompty('sec-echo-env-error', 'ECHO-ERROR', `  connection:\n    kind: key\n    endpoint: ${fileSrv.baseUrl}\n    apiKey: \${env:${FILE_KEY_ENV}}\n`), 'failed'],
      [prompty('sec-echo-env-ok', 'ECHO-OK', `  connection:\n    kind: key\n    endpoint: ${fileSrv.baseUrl}\n    apiKey: \${env:${FILE_KEY_ENV}}\n`), 'ok'],
    ] as const;
    for (const [file, expect] of runs) {
      const s = await run(file);
      assert.ok(s, `${path.basename(file)} did not run`);
      assert.equal(expect === 'ok' ? s.succeeded : s.failed, 1, path.basename(file));
    }
    // The servers really echoed the keys, so a leak would show.
    assert.ok(profileSrv.requests.some((r) => r.headers.authorization === `Bearer ${STORED_KEY}` && userText(r).includes('ECHO-')));
    assert.ok(fileSrv.requests.some((r) => r.headers.authorization === `Bearer ${FILE_KEY}` && userText(r).includes('ECHO-')));

    const places: Array<[string, string]> = [];
    const exportFile = path.join(os.tmpdir(), `pl-sec-export-${Date.now()}.jsonl`);
    await vscode.commands.executeCommand('promptLab.exportExecutions', vscode.Uri.file(exportFile));
    const exported = fs.readFileSync(exportFile, 'utf8');
    assert.match(exported, /sec-echo-ok/, 'the export holds the echo runs');
    places.push(['export', exported]);
    const page = await api.store.history({ limit: 50 });
    places.push(['history query', JSON.stringify(page)]);
    for (const r of page.rows.filter((x) => x.promptId.startsWith('sec-echo'))) places.push([`execution ${r.promptId}`, JSON.stringify(await api.store.getExecution(r.id))]);
    assert.equal(page.rows.filter((x) => x.promptId.startsWith('sec-echo')).length, 4);
    const tmpRoot = path.dirname(api.dataDir);
    for (const f of [...filesUnder(api.dataDir), ...filesUnder(path.join(api.dataDir, '..', 'response-cache'))]) places.push([f, fs.readFileSync(f, 'latin1')]);
    // code-server's user data: settings and every log file (the Prompt Lab output channel, the extension host log).
    await new Promise((r) => setTimeout(r, 1500)); // log channels flush asynchronously
    const logs = filesUnder(path.join(tmpRoot, 'ud')).filter((f) => /\.(log|json)$/.test(f));
    assert.ok(logs.some((f) => /Prompt Lab/.test(f)), `no Prompt Lab log among ${logs.length} files under ${tmpRoot}/ud`);
    const promptLabLog = logs.filter((f) => /Prompt Lab/.test(f)).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    assert.match(promptLabLog, /sec-echo-env-ok/, 'the Prompt Lab log holds the runs');
    for (const f of logs) places.push([f, fs.readFileSync(f, 'utf8')]);
    places.push(['results panel messages', JSON.stringify(api.resultsPanel()?.sent ?? [])]);
    places.push(['history panel messages', JSON.stringify(api.historyPanel()?.sent ?? [])]);
    places.push(['settings', JSON.stringify(vscode.workspace.getConfiguration('promptLab'))]);
    for (const [where, text] of places) {
      for (const key of [STORED_KEY, FILE_KEY]) assert.ok(!text.includes(key), `the key ${key.slice(0, 8)}… appears in ${where}`);
    }
    fs.rmSync(exportFile, { force: true });
  });

  test('hostile responses stay text in the results panel and the history detail', async function () {
    if (!domFile) this.skip();
    this.timeout(60_000);
    const file = prompty('sec-xss', 'XSS-CORPUS', '');
    const summary = await run(file);
    assert.equal(summary?.succeeded, 1);
    const frame = await waitFor('the XSS response in the results panel', 20_000,
      () => readDom()?.frames.find((f) => (f.resultsRows ?? []).some((row) => row.some((td) => td.includes(XSS_CORPUS[0]!)))), () => lastDom.slice(0, 1500));
    const cell = frame.resultsRows!.flat().find((td) => td.includes(XSS_CORPUS[0]!))!;
    for (const p of XSS_CORPUS.slice(0, 3)) assert.ok(cell.includes(p), `results panel does not show ${p} as text: ${cell.slice(0, 300)}`);
    let dom = readDom()!;
    assert.deepEqual(dom.frames.filter((f) => f.injected).map((f) => f.url), [], 'a payload ran in a webview frame');
    assert.notEqual(dom.injectedAnywhere, true, 'a payload ran in some frame');

    const id = (await api.store.history({ limit: 1, promptId: 'sec-xss' })).rows[0]!.id;
    await vscode.commands.executeCommand('promptLab.showHistory');
    const panel = await waitFor('the history panel', 10_000, () => api.historyPanel());
    panel.focusExecution(id);
    const detail = await waitFor('the XSS response in the history detail', 20_000,
      () => readDom()?.frames.find((f) => f.detailText.includes(XSS_CORPUS[0]!)), () => lastDom.slice(0, 1500));
    for (const p of XSS_CORPUS) assert.ok(detail.detailText.includes(p), `history detail does not show ${JSON.stringify(p)} as text`);
    await new Promise((r) => setTimeout(r, 1000)); // give any handler (onload, onerror) time to fire
    dom = readDom()!;
    assert.deepEqual(dom.frames.filter((f) => f.injected).map((f) => f.url), [], 'a payload ran in a webview frame');
    assert.notEqual(dom.injectedAnywhere, true, 'a payload ran in some frame');
  });
});
