import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { waitFor } from './waitFor';

/*
 * The webview DOM as test/run-in-code-server.mjs writes it (every 500 ms) to
 * $PROMPTLAB_WEBVIEW_DOM_FILE, and the one-at-a-time browser action channel beside it.
 * Each suite describes its own frame shape (F); without the harness (test-electron) domFile
 * is undefined and reads return undefined.
 */
export interface DomAction { id: string; ok: boolean; error?: string }
export interface DomSnapshot<F> { frames: F[]; injectedAnywhere?: boolean; clickedRow?: boolean; lastAction?: DomAction | null }

export function domBridge<F>(name: string, isPanel: (f: F) => boolean) {
  const domFile = process.env.PROMPTLAB_WEBVIEW_DOM_FILE;
  let last = '(no file yet)';
  let actions = 0;
  const readDom = (): DomSnapshot<F> | undefined => {
    if (!domFile) return undefined;
    try { last = fs.readFileSync(domFile, 'utf8'); return JSON.parse(last) as DomSnapshot<F>; } catch { return undefined; }
  };
  const act = async (selector: string, action: 'click' | 'select' | 'press' | 'screenshot', value?: string): Promise<void> => {
    const id = `${name}-${++actions}`;
    fs.writeFileSync(`${domFile}.action.json`, JSON.stringify({ id, selector, action, value }));
    const done = await waitFor(`action ${action} ${selector}`, 15_000, () => { const a = readDom()?.lastAction; return a?.id === id ? a : undefined; }, () => last.slice(-300));
    assert.ok(done.ok, `action ${action} ${selector} failed: ${done.error}`);
  };
  return {
    domFile,
    readDom,
    /** The raw text last read (for failure messages). */
    lastText: () => last,
    /** The first frame of this suite's panel that satisfies `pred`. */
    frame: (pred: (f: F) => boolean): F | undefined => readDom()?.frames.find((f) => isPanel(f) && pred(f)),
    /** Asks the runner for one browser action (click, select, key press) and waits until it has run. */
    act,
    /** With SHOT_DIR set (a look at the panel), a screenshot of the workbench named `name`; otherwise nothing. */
    screenshot: async (selector: string, name: string): Promise<void> => {
      if (process.env.SHOT_DIR && domFile) await act(selector, 'screenshot', name);
    },
  };
}
