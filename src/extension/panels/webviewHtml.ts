import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/**
 * Strict page for a webview: nothing loads but our own built script (by nonce) and CSS.
 * Model output and prompt text are put in the DOM as text by the script, never as HTML.
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, name: string, title: string): string {
  const nonce = randomBytes(18).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${name}.js`));
  const css = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css'));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${css}">
<title>${title}</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="muted">Loading…</p></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export interface PanelWiring<In> {
  extensionUri: vscode.Uri;
  /** Webview bundle name (dist/webview/<name>.js) and the log component tag. */
  name: string;
  title: string;
  /** Every message from the webview is validated with this; a bad one is logged and dropped. */
  schema: { safeParse(raw: unknown): { success: true; data: In } | { success: false; error: { issues: Array<{ message: string }> } } };
  log: { warn(component: string, message: string): void };
  onMessage: (m: In) => unknown;
  onDispose: () => void;
}

/**
 * What every panel does to a new or revived webview panel: options, icon, strict HTML, and
 * validated messages in. Returns the listeners to dispose with the panel.
 */
export function wirePanel<In>(panel: vscode.WebviewPanel, w: PanelWiring<In>): vscode.Disposable[] {
  panel.webview.options = webviewOptions(w.extensionUri);
  panel.iconPath = vscode.Uri.joinPath(w.extensionUri, 'media', 'icon.svg');
  panel.webview.html = webviewHtml(panel.webview, w.extensionUri, w.name, w.title);
  return [
    panel.webview.onDidReceiveMessage((raw: unknown) => {
      const parsed = w.schema.safeParse(raw);
      if (!parsed.success) {
        w.log.warn(w.name, `ignored a malformed message from the webview: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
        return;
      }
      void w.onMessage(parsed.data);
    }),
    panel.onDidDispose(w.onDispose),
  ];
}

/** A new panel with the house options (the column differs per panel). */
export function createPanel(viewType: string, title: string, extensionUri: vscode.Uri, column: vscode.ViewColumn | { viewColumn: vscode.ViewColumn; preserveFocus?: boolean } = vscode.ViewColumn.Active): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(viewType, title, column, webviewOptions(extensionUri));
}

/**
 * Posts to a panel's webview, or does nothing once the panel is gone: a debounce timer or a
 * store answer can outlive the panel, and postMessage on a disposed webview throws. Returns
 * `sent` as well: the last `keep` messages, which the integration tests read.
 */
export function webviewPoster<M>(panel: vscode.WebviewPanel, keep = 200): { post(m: M): Thenable<boolean>; sent: M[] } {
  const sent: M[] = [];
  return {
    sent,
    post(m: M): Thenable<boolean> {
      sent.push(m);
      if (sent.length > keep) sent.shift();
      try { return Promise.resolve(panel.webview.postMessage(m)).catch(() => false); } catch { return Promise.resolve(false); }
    },
  };
}
