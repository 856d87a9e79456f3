import * as vscode from 'vscode';
import { z } from 'zod';
import { Sanitizer } from '../core/sanitize';
import { SettingsSection } from './constants';

/** Settings parsed once by zod and re-read on change; a bad value falls back with a warning. */
export const settingsSchema = z.object({
  databasePath: z.string().default(''),
  environment: z.string().min(1).default('development'),
  extraPatterns: z.array(z.object({ name: z.string().min(1), pattern: z.string().min(1), flags: z.string().optional(), replacement: z.string().optional() })).default([]),
  ftsWindow: z.number().int().min(0).default(100_000),
});
export type Settings = z.infer<typeof settingsSchema>;

export function readSettings(warn: (message: string) => void): Settings {
  const c = vscode.workspace.getConfiguration(SettingsSection);
  const raw = {
    databasePath: c.get('databasePath'),
    environment: c.get('environment'),
    extraPatterns: c.get('sanitize.extraPatterns'),
    ftsWindow: c.get('store.ftsWindow'),
  };
  const parsed = settingsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) warn(`Setting promptLab.${issue.path.join('.')} is invalid (${issue.message}); using the default.`);
  const fallback = settingsSchema.parse({});
  for (const key of Object.keys(fallback) as Array<keyof Settings>) {
    const one = settingsSchema.shape[key].safeParse(raw[key]);
    if (one.success) (fallback as Record<string, unknown>)[key] = one.data;
  }
  return fallback;
}

/** The sanitizer for the current settings; invalid user patterns are reported and left out. */
export function buildSanitizer(settings: Settings, warn: (message: string) => void): Sanitizer {
  const problems = Sanitizer.validatePatterns(settings.extraPatterns);
  for (const p of problems) warn(`promptLab.sanitize.extraPatterns: pattern "${p.name}" is ignored: ${p.message}`);
  const bad = new Set(problems.map((p) => p.name));
  return new Sanitizer({ extraPatterns: settings.extraPatterns.filter((p) => !bad.has(p.name)) });
}
