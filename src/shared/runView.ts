import type { RunEvent } from '../core/runner/types';
import type { CaseView, RunView } from './resultsProtocol';

/**
 * Folds run events into what the results panel (and the CLI table) shows. Pure, so the
 * panel, the CLI and the tests agree on what a status means.
 */
export function newRunView(runId: string, title: string, provider: string, model: string, startedAt: number): RunView {
  return { runId, title, provider, model, state: 'running', startedAt, durationMs: null, breaker: null, cases: [] };
}

function blankCase(caseId: string, label: string): CaseView {
  return { caseId, label, status: 'queued', detail: '', text: '', latencyMs: null, ttftMs: null, tokensIn: null, tokensOut: null,
    tokensEstimated: false, costUsd: null, cached: false, evaluators: [], quality: null, executionId: null };
}

/** Applies one event; returns the case it changed (or null for run-level events). */
export function applyRunEvent(view: RunView, e: RunEvent, index: Map<string, CaseView>): CaseView | null {
  const get = (id: string) => {
    let c = index.get(id);
    if (!c) { c = blankCase(id, id); index.set(id, c); view.cases.push(c); }
    return c;
  };
  switch (e.type) {
    case 'queued': { const c = get(e.caseId); c.label = e.label; return c; }
    case 'started': { const c = get(e.caseId); c.status = 'running'; c.detail = e.attempt > 1 ? `attempt ${e.attempt}` : ''; c.text = ''; return c; }
    case 'token': { const c = get(e.caseId); c.text += e.delta; return null; }
    case 'retrying': { const c = get(e.caseId); c.status = 'retrying'; c.detail = `retrying in ${Math.ceil(e.delayMs / 1000)} s (${e.reason})`; return c; }
    case 'done': {
      const c = get(e.caseId);
      Object.assign(c, { status: 'done', detail: e.cached ? 'from cache' : '', text: e.text, latencyMs: e.latencyMs, ttftMs: e.ttftMs,
        tokensIn: e.usage.input, tokensOut: e.usage.output, tokensEstimated: e.usage.estimated, costUsd: e.costUsd, cached: e.cached,
        evaluators: e.evaluators.map((v) => ({ name: v.name, status: v.status, reason: v.reason })), executionId: e.executionId,
        quality: e.quality ? { overall: e.quality.overall, dimensions: Object.entries(e.quality.dimensions).map(([name, d]) => ({ name, score: d.score, reason: d.reason })) } : null });
      return c;
    }
    case 'failed': {
      const c = get(e.caseId);
      c.status = e.error.kind === 'cancelled' ? 'cancelled' : 'failed';
      c.detail = `${e.error.kind}: ${e.error.message}`;
      c.executionId = e.executionId;
      c.evaluators = e.evaluators.map((v) => ({ name: v.name, status: v.status, reason: v.reason }));
      return c;
    }
    case 'breaker':
      view.breaker = e.state === 'closed' ? null : `circuit ${e.state.replace('_', '-')} for ${e.providerId}: ${e.reason}`;
      return null;
    case 'finished':
      view.state = e.summary.cancelled > 0 || view.cases.some((c) => c.status === 'cancelled') ? 'cancelled' : 'finished';
      view.durationMs = e.summary.durationMs;
      for (const c of view.cases) if (c.status === 'queued' || c.status === 'running' || c.status === 'retrying') c.status = 'cancelled';
      return null;
  }
}

export interface RunTotals { cases: number; done: number; failed: number; cancelled: number; running: number; tokensIn: number; tokensOut: number; costUsd: number | null; evaluatorsPassed: number; evaluatorsFailed: number; notEvaluated: number }

export function runTotals(view: RunView): RunTotals {
  const t: RunTotals = { cases: view.cases.length, done: 0, failed: 0, cancelled: 0, running: 0, tokensIn: 0, tokensOut: 0, costUsd: 0, evaluatorsPassed: 0, evaluatorsFailed: 0, notEvaluated: 0 };
  for (const c of view.cases) {
    if (c.status === 'done') t.done++; else if (c.status === 'failed') t.failed++; else if (c.status === 'cancelled') t.cancelled++; else t.running++;
    t.tokensIn += c.tokensIn ?? 0;
    t.tokensOut += c.tokensOut ?? 0;
    if (c.status === 'done') t.costUsd = c.costUsd === null || t.costUsd === null ? null : t.costUsd + c.costUsd;
    for (const v of c.evaluators) { if (v.status === 'pass') t.evaluatorsPassed++; else if (v.status === 'fail') t.evaluatorsFailed++; else t.notEvaluated++; }
  }
  if (t.done === 0) t.costUsd = null;
  return t;
}
