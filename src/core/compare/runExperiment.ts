import type { DatasetRow, ModelParameters, PromptFile } from '../prompt/types';
import type { Provider } from '../providers/types';
import type { ProfileChoice, ProviderGuards } from '../runner/promptRun';
import { casesFromRows, promptIdOf, runPromptFile } from '../runner/promptRun';
import type { Tracker } from '../runner/track';
import type { RunCase, RunEvent, RunSummary } from '../runner/types';
import type { Design } from './design';
import { planUnits } from './design';

/**
 * One arm of a comparison: a `variants:` entry of the file and/or a model, or another prompt
 * file, or parameter overrides (a sweep). Stored as JSON with the experiment, so `file` and
 * `promptHash` also let "Promote variant" check the file did not change since.
 */
export interface VariantArm {
  name: string;
  promptVariant: string | null;
  model: string;
  /** The prompt file this arm renders (absolute path); absent in experiments stored before. */
  file?: string;
  /** sha256 of that file's text when the experiment started. */
  promptHash?: string;
  /** Model parameters set on top of the file's (parameter sweep). */
  parameters?: ModelParameters;
}

export interface ExperimentCases {
  /** Test case ids in dataset order (the plan's case indices point into this list). */
  caseIds: string[];
  /** Rendered case per arm by test case id. */
  byArm: Map<string, Map<string, RunCase>>;
  skipped: string[];
}

async function* replay(rows: readonly DatasetRow[]): AsyncGenerator<DatasetRow> { yield* rows; }

/**
 * Renders every row under every arm. A row that cannot render under some arm is left out
 * for all arms (a paired comparison needs it under each), and reported. An arm with a `file`
 * renders that file's prompt (from `prompts`, by path) with the same rows (the dataset of the
 * first file); an arm with `parameters` sends them on top of the file's.
 */
export async function renderArms(prompt: PromptFile, rows: readonly DatasetRow[], arms: readonly VariantArm[], prompts?: ReadonlyMap<string, PromptFile>): Promise<ExperimentCases> {
  const byArm = new Map<string, Map<string, RunCase>>();
  const skipped = new Set<string>();
  for (const arm of arms) {
    const m = new Map<string, RunCase>();
    const own = arm.file ? prompts?.get(arm.file) ?? prompt : prompt;
    // Another file's cases are recorded under that file (its prompt id, version and path).
    const source = own !== prompt ? { promptId: promptIdOf(own), promptVersion: own.contentHash, promptPath: own.path } : undefined;
    for await (const c of casesFromRows({ prompt: own, rows: replay(rows), variant: arm.promptVariant, model: arm.model, onSkippedRow: (row, reason) => skipped.add(`row ${row} (${arm.name}): ${reason}`) })) {
      const withParams = arm.parameters ? { ...c, parameters: { ...c.parameters, ...arm.parameters } } : c;
      m.set(c.testCaseId ?? 'defaults', source ? { ...withParams, source } : withParams);
    }
    byArm.set(arm.name, m);
  }
  const first = byArm.get(arms[0]!.name)!;
  const caseIds = [...first.keys()].filter((k) => arms.every((a) => byArm.get(a.name)!.has(k)));
  return { caseIds, byArm, skipped: [...skipped] };
}

/** The run's cases in plan order: one unit per (case, arm, repeat), caseId `<arm>:<test case>#<repeat>`. */
export function plannedCases(cases: ExperimentCases, arms: readonly VariantArm[], design: Design, repeat: number, seed: number): RunCase[] {
  return planUnits(design, cases.caseIds.length, arms.map((a) => a.name), repeat, seed).map((u) => {
    const testCaseId = cases.caseIds[u.caseIndex]!;
    const c = cases.byArm.get(u.variant)!.get(testCaseId)!;
    return { ...c, caseId: `${u.variant}:${testCaseId}#${u.repeat}`, label: `${u.variant} ${c.label}${repeat > 1 ? ` #${u.repeat}` : ''}`, testCaseId, variant: u.variant, repeat: 1 };
  });
}

export interface RunExperimentOptions {
  prompt: PromptFile;
  cases: RunCase[];
  choice: ProfileChoice;
  provider: Provider;
  tracker: Tracker;
  guards: ProviderGuards;
  experimentId: string;
  timeoutMs?: number;
  tags?: string[];
  signal?: AbortSignal;
  onEvent: (e: RunEvent) => void;
}

/**
 * Runs the planned cases as one run (so the interleaved order is the submission order),
 * tagged with the experiment. No response cache: repeats must be real samples.
 */
export function runExperiment(o: RunExperimentOptions): Promise<RunSummary> {
  return runPromptFile({
    prompt: o.prompt, cases: o.cases, choice: o.choice, provider: o.provider, tracker: o.tracker, guards: o.guards, cache: null, cacheMode: 'off',
    experimentId: o.experimentId, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}), ...(o.tags ? { tags: o.tags } : {}), ...(o.signal ? { signal: o.signal } : {}),
    onEvent: o.onEvent,
  });
}
