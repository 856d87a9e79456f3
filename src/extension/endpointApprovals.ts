import * as vscode from 'vscode';
import { approvalKey, normalizeOrigin } from '../core/providers/endpointPolicy';

export type ApprovalAnswer = 'once' | 'always' | 'cancel';

const STATE_KEY = 'promptLab.endpointApprovals';

/**
 * Per-workspace approvals for prompt files that send a key from `${env:VAR}` to an endpoint
 * they name (not a provider profile's). One approval = one origin + one variable, kept in
 * workspaceState; "Prompt Lab: Reset Endpoint Approvals" forgets them all.
 */
export class EndpointApprovals {
  /** Asks the user; replaceable in tests (a modal cannot be clicked from the extension host). */
  prompter: (origin: string, apiKeyEnv: string, file: string) => Thenable<ApprovalAnswer> = (origin, apiKeyEnv, file) =>
    vscode.window.showWarningMessage(
      `Send the value of \${env:${apiKeyEnv}} to ${origin}?`,
      { modal: true, detail: `${file} asks Prompt Lab to send the API key in environment variable ${apiKeyEnv} to ${origin}, an endpoint named in the file (not one of your provider profiles). Only allow this for a host you trust.` },
      'Allow once', 'Always for this workspace',
    ).then((c) => c === 'Allow once' ? 'once' : c === 'Always for this workspace' ? 'always' : 'cancel');

  constructor(private readonly state: vscode.Memento) {}

  list(): string[] { return this.state.get<string[]>(STATE_KEY) ?? []; }

  isApproved(origin: string, apiKeyEnv: string): boolean { return this.list().includes(approvalKey(origin, apiKeyEnv)); }

  async approve(origin: string, apiKeyEnv: string): Promise<void> {
    const key = approvalKey(origin, apiKeyEnv);
    const all = this.list();
    if (!all.includes(key)) await this.state.update(STATE_KEY, [...all, key]);
  }

  async reset(): Promise<number> {
    const n = this.list().length;
    await this.state.update(STATE_KEY, undefined);
    return n;
  }

  /** True when the key may go: already approved, or the user allows it now. */
  async check(origin: string, apiKeyEnv: string, file: string): Promise<boolean> {
    const o = normalizeOrigin(origin);
    if (!o) return false;
    if (this.isApproved(o, apiKeyEnv)) return true;
    const answer = await this.prompter(o, apiKeyEnv, file);
    if (answer === 'always') await this.approve(o, apiKeyEnv);
    return answer !== 'cancel';
  }
}
