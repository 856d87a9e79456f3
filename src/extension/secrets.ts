import type * as vscode from 'vscode';
import type { ProviderProfile } from '../core/providers/types';

/**
 * API keys live in SecretStorage only, one per provider profile, and go only to that
 * profile's own endpoint. Never in settings, logs, the database or webview state.
 */
export class ApiKeys {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  private key(profileId: string): string { return `promptLab.apiKey.${profileId}`; }

  get(profile: ProviderProfile): Thenable<string | undefined> {
    return this.secrets.get(this.key(profile.id));
  }

  async set(profileId: string, value: string): Promise<void> {
    await this.secrets.store(this.key(profileId), value);
  }

  async delete(profileId: string): Promise<void> {
    await this.secrets.delete(this.key(profileId));
  }
}

/** Kinds that need a key to work at all (local servers don't). */
export function needsKey(profile: ProviderProfile): boolean {
  return ['openai', 'azure', 'github', 'anthropic', 'openrouter'].includes(profile.kind);
}
