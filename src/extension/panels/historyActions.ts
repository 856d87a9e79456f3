import * as path from 'node:path';
import * as vscode from 'vscode';
import { contentHash, parsePromptFile } from '../../core/prompt';
import { promptIdOf } from '../../core/runner/promptRun';
import type { ExecutionDetail } from '../../core/store';
import type { ActionResult } from '../../shared/historyProtocol';
import { Commands } from '../constants';

/*
 * What the history detail's buttons do in the host: copy the (already sanitized) record,
 * open the prompt file the execution came from, and run that file again. The prompt file is
 * identified by its prompt id; whether it is still the version that ran is told by comparing
 * its content hash with the execution's prompt_version (the runner stores the file's sha256
 * there) or prompt_hash, never assumed.
 */

const PROMPT_GLOB = '**/*.{prompty,prompt.yml,prompt.yaml}';

export interface PromptFileMatch {
  uri: vscode.Uri;
  /** true: same content as at run time; false: the file changed since; null: the execution recorded no hash. */
  sameVersion: boolean | null;
}

/** The hash the execution recorded for its file, when it recorded one. */
function recordedHash(d: ExecutionDetail): string | null {
  const h = d.promptHash ?? d.promptVersion;
  return h && /^[0-9a-f]{64}$/i.test(h) ? h.toLowerCase() : null;
}

async function readText(uri: vscode.Uri): Promise<string | null> {
  try { return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)); } catch { return null; }
}

/** Prompt id of a file's text (its `name`, else the file name), or null when it does not parse. */
function promptIdOfText(file: string, text: string): string | null {
  try {
    // No `sample: file:` reads and no ${env:…}: only the name matters here.
    const { prompt } = parsePromptFile(file, text, { readFile: () => { throw new Error('not read'); } });
    return prompt ? promptIdOf(prompt) : null;
  } catch { return null; }
}

/**
 * The workspace file of this execution's prompt: the path recorded at run time when it is
 * still in the workspace and still has that prompt id, else any workspace prompt file with
 * that id (one with the recorded hash first).
 */
export async function findPromptFile(d: ExecutionDetail): Promise<PromptFileMatch | null> {
  const want = recordedHash(d);
  const candidates: Array<{ uri: vscode.Uri; text: string }> = [];
  const recorded = typeof d.metadata.promptPath === 'string' ? vscode.Uri.file(d.metadata.promptPath) : null;
  if (recorded && vscode.workspace.getWorkspaceFolder(recorded)) {
    const text = await readText(recorded);
    if (text !== null && promptIdOfText(recorded.fsPath, text) === d.promptId) candidates.push({ uri: recorded, text });
  }
  if (!candidates.length || (want && contentHash(candidates[0]!.text) !== want)) {
    for (const uri of await vscode.workspace.findFiles(PROMPT_GLOB, '**/node_modules/**', 2000)) {
      if (recorded && uri.fsPath === recorded.fsPath) continue;
      const text = await readText(uri);
      if (text !== null && promptIdOfText(uri.fsPath, text) === d.promptId) candidates.push({ uri, text });
    }
  }
  if (!candidates.length) return null;
  const exact = want ? candidates.find((c) => contentHash(c.text) === want) : undefined;
  const chosen = exact ?? candidates[0]!;
  return { uri: chosen.uri, sameVersion: want ? exact !== undefined : null };
}

function versionNote(m: PromptFileMatch): string {
  if (m.sameVersion === true) return 'it is the version this execution ran.';
  if (m.sameVersion === false) return 'the file changed since this execution (its content hash differs from the one recorded).';
  return 'the execution recorded no content hash, so whether the file changed cannot be told.';
}

const notFound = (d: ExecutionDetail) => `No prompt file with the id "${d.promptId}" was found in this workspace${d.promptId === 'selection' ? ' (the execution ran an editor selection, not a file)' : ''}.`;

export async function copyAsJson(d: ExecutionDetail): Promise<ActionResult> {
  // The stored record was sanitized before it was written; nothing secret is left to strip.
  const json = JSON.stringify(d, null, 2);
  await vscode.env.clipboard.writeText(json);
  return { ok: true, message: `Copied execution ${d.id} as JSON (${json.length.toLocaleString()} characters).` };
}

export async function openPromptFile(d: ExecutionDetail): Promise<ActionResult> {
  const m = await findPromptFile(d);
  if (!m) return { ok: false, message: notFound(d) };
  await vscode.window.showTextDocument(m.uri, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  return { ok: true, message: `Opened ${vscode.workspace.asRelativePath(m.uri)}: ${versionNote(m)}` };
}

export async function rerun(d: ExecutionDetail): Promise<ActionResult> {
  if (!vscode.workspace.isTrusted) return { ok: false, message: 'Not re-run: this workspace is in Restricted Mode, where Prompt Lab sends nothing to any provider.' };
  const m = await findPromptFile(d);
  if (!m) return { ok: false, message: `${notFound(d)} Nothing was run.` };
  const name = path.basename(m.uri.fsPath);
  // The same test case (row-N) under the same variant; an execution without one ran the inputs' defaults.
  const opts = { ...(d.testCaseId !== null ? { testCaseId: d.testCaseId } : { firstCaseOnly: true }), ...(d.variant ? { variant: d.variant } : {}) };
  void vscode.commands.executeCommand(Commands.runPrompt, m.uri, opts);
  const what = d.testCaseId !== null ? `test case ${d.testCaseId}` : 'its inputs\u2019 defaults';
  return { ok: true, message: `Running ${name} again (${what}${d.variant ? `, variant ${d.variant}` : ''}); results appear in the Results panel.${m.sameVersion === false ? ' Note: the file changed since this execution, so the current version runs.' : ''}` };
}
