import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatDiagnostic, loadTestCases, parsePromptFile, readDataset } from '../core/prompt';
import { ResponseCache, createProvider } from '../core/providers';
import { decideEndpoint, hostAllowed, withKeyRedaction } from '../core/providers/endpointPolicy';
import type { JudgeModel } from '../core/quality/llmJudge';
import type { ProviderKind, ProviderProfile } from '../core/providers/types';
import { ProviderGuards, casesFromRows, chooseProfile, runPromptFile } from '../core/runner/promptRun';
import { Tracker } from '../core/runner/track';
import type { RunSummary } from '../core/runner/types';
import type { PromptLabStore } from '../core/store/localStore';
import type { CaseView } from '../shared/resultsProtocol';
import { applyRunEvent, newRunView } from '../shared/runView';

export class CliUsageError extends Error {}

export interface RunFlags {
  file: string; dataset?: string; provider?: string; model?: string; baseUrl?: string; concurrency?: number; repeat?: number;
  noCache: boolean; tags: string[]; json: boolean; variant?: string; timeoutSeconds?: number;
  judgeProvider?: string; judgeModel?: string; judgeRepeats?: number;
  /** Hosts a prompt file may send its `${env:…}` key to (its own connection endpoint). */
  allowEndpoints?: string[];
}

/** Keys come from the environment only (never flags, so they stay out of shell history). */
const KEY_ENV: Partial<Record<ProviderKind, string>> = {
  openai: 'OPENAI_API_KEY', azure: 'AZURE_OPENAI_API_KEY', github: 'GITHUB_TOKEN', anthropic: 'ANTHROPIC_API_KEY', openrouter: 'OPENROUTER_API_KEY',
};

export function apiKeyFor(profile: ProviderProfile, env: NodeJS.ProcessEnv): string | undefined {
  const specific = env[`PROMPTLAB_API_KEY_${profile.id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`];
  const byKind = KEY_ENV[profile.kind];
  return specific || (byKind ? env[byKind] : undefined) || env.PROMPTLAB_API_KEY || undefined;
}

/** A profile for --base-url (with --provider as its id/kind), or none. */
export function adHocProfiles(flags: { provider?: string; baseUrl?: string }): ProviderProfile[] {
  const adHoc: ProviderProfile[] = [];
  if (flags.baseUrl) adHoc.push({ id: flags.provider ?? 'custom', kind: (flags.provider && ['openai', 'azure', 'github', 'ollama', 'lmstudio', 'vllm', 'llamacpp', 'openrouter', 'anthropic'].includes(flags.provider) ? flags.provider : 'openai-compatible') as ProviderKind, baseUrl: flags.baseUrl });
  return adHoc;
}

/** The CLI's tracker: pseudonymous user id, one session per process. */
export function cliTracker(store: PromptLabStore): Tracker {
  return new Tracker(store, { userId: os.userInfo().username ? `cli-${Buffer.from(os.userInfo().username).toString('hex').slice(0, 8)}` : 'cli', sessionId: `cli-${process.pid}-${Date.now().toString(36)}`, environment: process.env.PROMPTLAB_ENV ?? 'development' });
}

function fmtCase(c: CaseView): string {
  const evals = c.evaluators.map((e) => `${e.status === 'pass' ? '✓' : e.status === 'fail' ? '✗' : '–'}${e.name}`).join(' ');
  const cost = c.costUsd === null ? 'n/a' : `$${c.costUsd.toFixed(5)}`;
  const text = (c.status === 'done' ? c.text : c.detail).replace(/\s+/g, ' ');
  const q = c.quality ? (c.quality.overall === null ? 'n/a' : c.quality.overall.toFixed(2)) : '-';
  const failing = c.evaluators.filter((e) => e.status === 'fail').map((e) => `\n    ✗ ${e.name}: ${e.reason}`).join('');
  return `${c.label.padEnd(24).slice(0, 24)}  ${c.status.padEnd(9)}  ${c.latencyMs === null ? '     -' : String(Math.round(c.latencyMs)).padStart(6)}ms  ${`${c.tokensIn ?? '-'}/${c.tokensOut ?? '-'}${c.tokensEstimated ? '~' : ''}`.padStart(10)}  ${cost.padStart(9)}  ${q.padStart(7)}  ${evals}\n    ${text.slice(0, 110)}${failing}`;
}

/** `promptlab run`: exit 0 when every case succeeded and no evaluator failed, 1 otherwise, 2 on usage/config errors. */
export async function runCommand(flags: RunFlags, store: PromptLabStore, dbDir: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const file = path.resolve(flags.file);
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) { throw new CliUsageError(`cannot read ${flags.file}: ${(e as Error).message}`); }
  const parsed = parsePromptFile(file, text, { env: process.env, readFile: (p) => fs.readFileSync(path.resolve(path.dirname(file), p), 'utf8') });
  for (const d of parsed.diagnostics) if (d.severity !== 'info') err.write(formatDiagnostic(flags.file, d) + '\n');
  const prompt = parsed.prompt;
  if (!prompt || parsed.diagnostics.some((d) => d.severity === 'error')) throw new CliUsageError(`${flags.file} has errors (listed above)`);
  if (flags.variant && !prompt.variants.some((v) => v.name === flags.variant)) throw new CliUsageError(`unknown variant "${flags.variant}" (variants: ${prompt.variants.map((v) => v.name).join(', ') || 'none'})`);

  const adHoc = adHocProfiles(flags);
  const choice = chooseProfile(prompt, adHoc, { ...(flags.provider || flags.baseUrl ? { providerId: flags.provider ?? 'custom' } : {}), ...(flags.model ? { model: flags.model } : {}), variant: flags.variant ?? null });
  if ('error' in choice) throw new CliUsageError(choice.error);
  const chosen = flags.baseUrl ? { ...choice.profile, baseUrl: flags.baseUrl } : choice.profile;
  // Keys go only to their own endpoint (src/core/providers/endpointPolicy.ts): the profile's
  // key only to its base URL; a file endpoint elsewhere only with the file's ${env:} key and --allow-endpoint.
  const decision = decideEndpoint(chosen, prompt.model.connection, { explicit: Boolean(flags.provider || flags.baseUrl) });
  if (decision.kind === 'refuse') throw new CliUsageError(`${flags.file}: ${decision.reason}`);
  let key: string | undefined;
  if (decision.kind === 'file-endpoint') {
    if (!hostAllowed(decision.origin, flags.allowEndpoints ?? [])) {
      throw new CliUsageError(`${flags.file} would send the key in $${decision.apiKeyEnv} to ${decision.origin}, an endpoint named in the file, not a provider profile's; refused. Pass --allow-endpoint ${new URL(decision.origin).host} if you trust it`);
    }
    key = process.env[decision.apiKeyEnv];
    if (!key) throw new CliUsageError(`${flags.file} sends its key from $${decision.apiKeyEnv} to ${decision.origin}, but ${decision.apiKeyEnv} is not set`);
  } else {
    if (decision.warning) err.write(`warning: ${flags.file}: ${decision.warning}\n`);
    key = apiKeyFor(decision.profile, process.env);
  }
  const profile = decision.profile;
  let provider;
  try { provider = withKeyRedaction(createProvider(profile, key), key); } catch (e) { throw new CliUsageError((e as Error).message); }

  let judge: JudgeModel | null = null;
  if (flags.judgeProvider || flags.judgeModel) {
    // The judge runs on the run's own profile unless --judge-provider names another.
    const jc = flags.judgeProvider
      ? chooseProfile(null, adHoc, { providerId: flags.judgeProvider, ...(flags.judgeModel ? { model: flags.judgeModel } : {}) })
      : flags.judgeModel ? { profile, model: flags.judgeModel } : { error: '--judge-provider needs --judge-model' };
    if ('error' in jc) throw new CliUsageError(`judge: ${jc.error}`);
    try { judge = { provider: jc.profile.id === profile.id ? provider : withKeyRedaction(createProvider(jc.profile, apiKeyFor(jc.profile, process.env)), apiKeyFor(jc.profile, process.env)), model: jc.model, profile: jc.profile }; } catch (e) { throw new CliUsageError(`judge: ${(e as Error).message}`); }
  }
  const rows = flags.dataset ? readDataset(path.resolve(flags.dataset)) : loadTestCases(prompt);
  const skipped: string[] = [];
  const cases = casesFromRows({ prompt, rows, variant: flags.variant ?? null, model: choice.model, repeat: flags.repeat ?? 1, onSkippedRow: (row, reason) => { skipped.push(`row ${row}: ${reason}`); err.write(`${flags.dataset ?? flags.file}: row ${row} skipped: ${reason}\n`); } });
  const guards = new ProviderGuards({ concurrency: flags.concurrency ?? 4, failureThreshold: 5, recoveryTimeoutMs: 60_000 });
  const tracker = cliTracker(store);
  const view = newRunView('', prompt.name, profile.id, choice.model, Date.now());
  const index = new Map<string, CaseView>();
  const ac = new AbortController();
  const onSigint = () => { err.write('\ncancelling…\n'); ac.abort(); };
  process.once('SIGINT', onSigint);
  let summary: RunSummary;
  try {
    summary = await runPromptFile({
      prompt, cases, choice: { profile, model: choice.model }, provider, tracker, guards, cache: flags.noCache ? null : new ResponseCache({ dir: path.join(dbDir, 'cache') }),
      cacheMode: flags.noCache ? 'off' : 'temperature0', judge, judgeRepeats: flags.judgeRepeats ?? 1, ...(flags.timeoutSeconds ? { timeoutMs: flags.timeoutSeconds * 1000 } : {}), tags: flags.tags, signal: ac.signal,
      onEvent: (e) => {
        const c = applyRunEvent(view, e, index);
        if (!flags.json && c && (e.type === 'done' || e.type === 'failed')) err.write(`${c.status === 'done' ? 'done ' : c.status.padEnd(5)} ${c.label}\n`);
        if (!flags.json && e.type === 'retrying') err.write(`retry ${e.caseId}: ${e.reason}, in ${Math.ceil(e.delayMs / 1000)} s\n`);
        if (!flags.json && e.type === 'breaker') err.write(`circuit ${e.state} for ${e.providerId}: ${e.reason}\n`);
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (flags.json) {
    out.write(JSON.stringify({ summary, provider: profile.id, model: choice.model, skipped, cases: view.cases.map(({ caseId, label, status, detail, text, latencyMs, ttftMs, tokensIn, tokensOut, tokensEstimated, costUsd, cached, evaluators, quality, executionId }) => ({ caseId, label, status, detail, text, latencyMs, ttftMs, tokensIn, tokensOut, tokensEstimated, costUsd, cached, evaluators, quality, executionId })) }) + '\n');
  } else {
    out.write(`${prompt.name} · ${profile.id} · ${choice.model}\n${'case'.padEnd(24)}  ${'status'.padEnd(9)}  latency  ${'tokens'.padStart(10)}  ${'cost'.padStart(9)}  ${'quality'.padStart(7)}  evaluators\n`);
    for (const c of view.cases) out.write(fmtCase(c) + '\n');
    out.write(`\n${summary.total} case(s): ${summary.succeeded} ok, ${summary.failed} failed, ${summary.cancelled} cancelled, ${summary.cached} from cache · evaluators ${summary.evaluatorsPassed} passed, ${summary.evaluatorsFailed} failed, ${summary.evaluatorsNotEvaluated} not evaluated · cost ${summary.costUsd === null ? 'n/a (no prices for this profile)' : '$' + summary.costUsd.toFixed(5)} · ${(summary.durationMs / 1000).toFixed(1)} s\n`);
  }
  return summary.failed > 0 || summary.cancelled > 0 || summary.evaluatorsFailed > 0 ? 1 : 0;
}
