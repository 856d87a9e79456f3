import type { CompletionResult, ProviderError } from '../providers/types';
import type { RunContext, RunUnit } from './runCase';

/**
 * One provider call bounded by the run's signal and the per-request timeout. Races the call
 * against our own abort so a provider that ignores its signal cannot hang the run; when we
 * aborted, our reason (timeout / cancelled) replaces whatever the provider made of it.
 */
/** Reason for ending the timer: a plain constant, so no DOMException (and its stack) per call. */
const ATTEMPT_OVER = Symbol('attempt over');

export async function callProvider(rc: RunContext, unit: RunUnit): Promise<CompletionResult> {
  const attemptCtl = new AbortController();
  let why: 'timeout' | 'cancelled' | null = null;
  const onRunAbort = () => { why ??= 'cancelled'; attemptCtl.abort(rc.signal.reason); };
  rc.signal.addEventListener('abort', onRunAbort, { once: true });
  const timerCtl = new AbortController();
  rc.clock.sleep(rc.timeoutMs, timerCtl.signal).then(() => { why ??= 'timeout'; attemptCtl.abort(new Error('timeout')); }, () => { /* cancelled timer */ });
  const t0 = rc.clock.now();
  let live = true;
  const onToken = (delta: string) => { if (live && delta) rc.emit({ type: 'token', caseId: unit.caseId, delta }); };
  const abandoned = new Promise<CompletionResult>((resolve) => {
    const settle = () => resolve({ ok: false, error: { kind: 'cancelled', message: 'aborted' }, latencyMs: rc.clock.now() - t0 });
    if (attemptCtl.signal.aborted) settle(); else attemptCtl.signal.addEventListener('abort', settle, { once: true });
  });
  if (rc.signal.aborted) onRunAbort();
  const c = unit.case;
  const call = Promise.resolve()
    .then(() => rc.provider.complete({ model: c.model, messages: c.messages, parameters: c.parameters, stream: true }, { signal: attemptCtl.signal, onToken, timeoutMs: rc.timeoutMs }))
    .catch((thrown: unknown): CompletionResult => ({ ok: false, error: errorFromThrow(thrown), latencyMs: rc.clock.now() - t0 }));
  try {
    const r = await Promise.race([call, abandoned]);
    if (r.ok || why === null) return r;
    const error: ProviderError = why === 'timeout'
      ? { kind: 'timeout', message: `no response within ${rc.timeoutMs} ms` }
      : { kind: 'cancelled', message: 'run cancelled' };
    return { ok: false, error, latencyMs: r.latencyMs, ...(r.partialText ? { partialText: r.partialText } : {}) };
  } finally {
    live = false;
    timerCtl.abort(ATTEMPT_OVER);
    rc.signal.removeEventListener('abort', onRunAbort);
  }
}

/**
 * Providers promise not to throw; one that does anyway most likely let a fetch failure
 * escape (TypeError: fetch failed), so it is treated as a network error — transient, retried.
 */
function errorFromThrow(thrown: unknown): ProviderError {
  const message = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  return { kind: 'network', message: `provider threw ${message}` };
}
