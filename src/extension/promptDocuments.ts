import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isPromptFile, parsePromptFile } from '../core/prompt';
import type { ParseResult, PromptDiagnostic } from '../core/prompt/types';

/**
 * Parses prompt files as the user types (one parse per document version, shared by the
 * diagnostics and the CodeLens) and publishes every problem to the Problems panel at its
 * YAML position. In Restricted Mode ${env:…} is not resolved.
 */
export class PromptDocuments implements vscode.Disposable {
  private readonly cache = new Map<string, { version: number; result: ParseResult }>();
  readonly diagnostics = vscode.languages.createDiagnosticCollection('promptLab');
  private readonly disposables: vscode.Disposable[] = [this.diagnostics];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private timers = new Map<string, NodeJS.Timeout>();

  constructor() {
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidOpenTextDocument((d) => this.refresh(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => { this.cache.delete(d.uri.toString()); this.diagnostics.delete(d.uri); }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => { this.cache.clear(); vscode.workspace.textDocuments.forEach((d) => this.refresh(d)); }),
    );
    vscode.workspace.textDocuments.forEach((d) => this.refresh(d));
  }

  static isPrompt(doc: vscode.TextDocument): boolean {
    return doc.uri.scheme !== 'output' && isPromptFile(doc.fileName);
  }

  /** Parse result of the document's current text (cached per version). */
  parse(doc: vscode.TextDocument): ParseResult {
    const key = doc.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === doc.version) return hit.result;
    const dir = path.dirname(doc.fileName);
    const result = parsePromptFile(doc.fileName, doc.getText(), {
      ...(vscode.workspace.isTrusted ? { env: process.env } : {}),
      readFile: (p: string) => readInsideWorkspace(path.resolve(dir, p)),
    });
    this.cache.set(key, { version: doc.version, result });
    return result;
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!PromptDocuments.isPrompt(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => { this.timers.delete(key); this.refresh(doc); }, 200));
  }

  private refresh(doc: vscode.TextDocument): void {
    if (!PromptDocuments.isPrompt(doc)) return;
    const result = this.parse(doc);
    this.diagnostics.set(doc.uri, result.diagnostics.map(toVscodeDiagnostic));
    this.changed.fire();
  }

  dispose(): void {
    this.timers.forEach((t) => clearTimeout(t));
    this.disposables.forEach((d) => d.dispose());
  }
}

export function toVscodeDiagnostic(d: PromptDiagnostic): vscode.Diagnostic {
  const range = new vscode.Range(Math.max(0, d.line - 1), Math.max(0, d.col - 1), Math.max(0, d.endLine - 1), Math.max(0, d.endCol - 1));
  const severity = d.severity === 'error' ? vscode.DiagnosticSeverity.Error : d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const out = new vscode.Diagnostic(range, d.message, severity);
  out.source = 'Prompt Lab';
  out.code = d.code;
  return out;
}

/** Files referenced by a prompt file resolve only inside a workspace folder (no ../ or symlink escape). */
export function readInsideWorkspace(file: string): string {
  const real = fs.realpathSync(file);
  const inside = (vscode.workspace.workspaceFolders ?? []).some((f) => {
    const root = fs.realpathSync(f.uri.fsPath);
    const rel = path.relative(root, real);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  });
  if (!inside) throw new Error(`${file} is outside the workspace folder; Prompt Lab only reads files inside it`);
  return fs.readFileSync(real, 'utf8');
}
