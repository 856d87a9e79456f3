import * as vscode from 'vscode';
import { Commands } from './constants';
import { PromptDocuments } from './promptDocuments';

/** "▶ Run" and "▶ Run all test cases (N)" above a prompt file's first line. */
export class PromptCodeLens implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly docs: PromptDocuments) {
    this.onDidChangeCodeLenses = docs.onDidChange;
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!PromptDocuments.isPrompt(doc)) return [];
    const { prompt } = this.docs.parse(doc);
    if (!prompt) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    const lenses = [new vscode.CodeLens(top, { title: '▶ Run', command: Commands.runPrompt, arguments: [doc.uri, { firstCaseOnly: true }], tooltip: 'Run the first test case (or the sample inputs)' })];
    const n = prompt.testData.length;
    if (n > 1 || prompt.dataset) {
      lenses.push(new vscode.CodeLens(top, { title: prompt.dataset ? `▶ Run dataset (${prompt.dataset})` : `▶ Run all test cases (${n})`, command: Commands.runPrompt, arguments: [doc.uri], tooltip: 'Run every test case' }));
    }
    // A comparison is between variants of the file (the base prompt is not an arm), as in `promptlab compare`.
    if (prompt.variants.length >= 2) {
      lenses.push(new vscode.CodeLens(top, { title: '⇄ Compare variants', command: Commands.compareVariants, arguments: [doc.uri], tooltip: `Compare ${prompt.variants.map((v) => v.name).join(', ')} with a designed experiment` }));
    }
    return lenses;
  }
}
