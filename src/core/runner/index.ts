// Public surface of the runner: the contract types, tracking, and the run machinery.
export * from './types';
export * from './track';
export * from './clock';
export * from './backoff';
export * from './circuitBreaker';
export * from './limiter';
export * from './runSupport';
export { runPrompt, DEFAULT_TIMEOUT_MS } from './runPrompt';
export type { RunPromptOptions } from './runPrompt';
