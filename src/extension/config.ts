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
  providers: z.array(z.object({
    id: z.string().regex(/^[\w.-]+$/, 'letters, digits, ".", "_" and "-" only'),
    kind: z.enum(['openai', 'azure', 'github', 'ollama', 'lmstudio', 'vllm', 'llamacpp', 'openrouter', 'openai-compatible', 'anthropic']),
    baseUrl: z.string().url().optional(),
    defaultModel: z.string().optional(),
    apiVersion: z.string().optional(),
    priceInPer1M: z.number().nonnegative().optional(),
    priceOutPer1M: z.number().nonnegative().optional(),
  })).default([]),
  defaultProvider: z.string().default(''),
  defaultModel: z.string().default(''),
  concurrency: z.number().int().min(1).max(64).default(4),
  requestTimeoutSeconds: z.number().min(1).max(3600).default(120),
  cache: z.enum(['temperature0', 'always', 'off']).default('temperature0'),
  maxAttempts: z.number().int().min(1).max(10).default(4),
  breakerFailureThreshold: z.number().int().min(1).default(5),
  breakerRecoverySeconds: z.number().min(1).default(60),
  judgeProvider: z.string().default(''),
  judgeModel: z.string().default(''),
  judgeRepeats: z.number().int().min(1).max(10).default(1),
  healthIntervalSeconds: z.number().min(0).max(86_400).default(60),
  healthWindowMinutes: z.number().min(1).max(10_080).default(60),
  healthMinSamples: z.number().int().min(1).default(20),
  healthErrorRateThreshold: z.number().min(0).max(1).default(0.05),
  healthP95LatencyMsThreshold: z.number().positive().default(5000),
  healthQualityThreshold: z.number().min(0).max(1).default(0.7),
  healthDbSizeWarnMB: z.number().positive().default(300),
});
export type Settings = z.infer<typeof settingsSchema>;

/** Settings whose key in package.json differs from the schema field (for the warning text). */
const SETTING_KEYS: Partial<Record<keyof Settings, string>> = {
  extraPatterns: 'sanitize.extraPatterns', ftsWindow: 'store.ftsWindow', maxAttempts: 'retry.maxAttempts',
  breakerFailureThreshold: 'circuitBreaker.failureThreshold', breakerRecoverySeconds: 'circuitBreaker.recoveryTimeoutSeconds',
  judgeProvider: 'judge.provider', judgeModel: 'judge.model', judgeRepeats: 'judge.repeats',
  healthIntervalSeconds: 'health.intervalSeconds', healthWindowMinutes: 'health.windowMinutes', healthMinSamples: 'health.minSamples',
  healthErrorRateThreshold: 'health.errorRateThreshold', healthP95LatencyMsThreshold: 'health.p95LatencyMsThreshold',
  healthQualityThreshold: 'health.qualityThreshold', healthDbSizeWarnMB: 'health.dbSizeWarnMB',
};

export function readSettings(warn: (message: string) => void): Settings {
  const c = vscode.workspace.getConfiguration(SettingsSection);
  const raw = {
    databasePath: c.get('databasePath'),
    environment: c.get('environment'),
    extraPatterns: c.get('sanitize.extraPatterns'),
    ftsWindow: c.get('store.ftsWindow'),
    providers: c.get('providers'),
    defaultProvider: c.get('defaultProvider'),
    defaultModel: c.get('defaultModel'),
    concurrency: c.get('concurrency'),
    requestTimeoutSeconds: c.get('requestTimeoutSeconds'),
    cache: c.get('cache'),
    maxAttempts: c.get('retry.maxAttempts'),
    breakerFailureThreshold: c.get('circuitBreaker.failureThreshold'),
    breakerRecoverySeconds: c.get('circuitBreaker.recoveryTimeoutSeconds'),
    judgeProvider: c.get('judge.provider'),
    judgeModel: c.get('judge.model'),
    judgeRepeats: c.get('judge.repeats'),
    healthIntervalSeconds: c.get('health.intervalSeconds'),
    healthWindowMinutes: c.get('health.windowMinutes'),
    healthMinSamples: c.get('health.minSamples'),
    healthErrorRateThreshold: c.get('health.errorRateThreshold'),
    healthP95LatencyMsThreshold: c.get('health.p95LatencyMsThreshold'),
    healthQualityThreshold: c.get('health.qualityThreshold'),
    healthDbSizeWarnMB: c.get('health.dbSizeWarnMB'),
  };
  const parsed = settingsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const [key, ...rest] = issue.path.map(String);
    warn(`Setting promptLab.${[SETTING_KEYS[key as keyof Settings] ?? key, ...rest].join('.')} is invalid (${issue.message}); using the default.`);
  }
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
