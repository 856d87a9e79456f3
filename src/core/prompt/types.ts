/*
 * Contracts of prompt files, shared by parsers, renderer, runner, extension and CLI.
 * Positions are 1-based (line, col), as editors and `file:line:col` messages show them.
 */

export type Role = 'system' | 'user' | 'assistant';

export interface ChatMessage { role: Role; content: string }

export interface SourceRange { line: number; col: number; endLine: number; endCol: number }

export interface PromptDiagnostic extends SourceRange {
  severity: 'error' | 'warning' | 'info';
  /** Stable code, e.g. 'unknown-key', 'wrong-type', 'undeclared-variable', 'unused-variable', 'missing-input', 'dataset-unreadable', 'yaml-syntax', 'template-syntax'. */
  code: string;
  message: string;
}

/** Model parameters as sent to providers (OpenAI names; providers map them). */
export interface ModelParameters {
  temperature?: number;
  max_tokens?: number;
  top_p?: number;
  stop?: string[];
  seed?: number;
  response_format?: unknown;
  [other: string]: unknown;
}

export interface ModelSpec {
  /** Model id as written, e.g. 'openai/gpt-4o-mini' (GitHub Models) or a deployment name. */
  id: string | null;
  /** Provider profile id from our `provider:` key or inferred ('azure', 'openai', 'anthropic', …); null = default. */
  provider: string | null;
  api: 'chat' | 'completion';
  /** Prompty connection details when present (endpoint after ${env:} substitution). */
  connection: { type?: string; endpoint?: string; deployment?: string; apiVersion?: string; apiKeyEnv?: string } | null;
  parameters: ModelParameters;
}

export interface MessageTemplate { role: Role; template: string; range: SourceRange }

export interface StringEvaluator { startsWith?: string; endsWith?: string; contains?: string; equals?: string }

export interface EvaluatorSpec {
  name: string;
  /** 'string' checks run locally; 'uses' names a built-in (e.g. github/similarity) that may not be runnable yet. */
  string?: StringEvaluator;
  uses?: string;
  range: SourceRange;
}

export interface VariantSpec {
  name: string;
  messages?: MessageTemplate[];
  model?: Partial<ModelSpec>;
  parameters?: ModelParameters;
}

export interface InputSpec { name: string; type?: string; required: boolean; default?: unknown; description?: string }

export interface PromptFile {
  format: 'prompt.yml' | 'prompty';
  path: string;
  name: string;
  description: string | null;
  model: ModelSpec;
  messages: MessageTemplate[];
  inputs: InputSpec[];
  /** Variables referenced by the templates (in order of first use). */
  variables: string[];
  /** Inline test cases (GitHub `testData`, or Prompty `sample` as one case). */
  testData: Array<Record<string, unknown>>;
  /** Dataset file named by the prompt file (relative paths resolved against the file's folder). */
  dataset: string | null;
  evaluators: EvaluatorSpec[];
  variants: VariantSpec[];
  tags: string[];
  metadata: Record<string, unknown>;
  /** Quality dimension weights (our `quality:` key). */
  quality: Record<string, number> | null;
  /** Our `assert:` key: checks like promptfoo's (contains, regex, is-json, max-latency-ms …), validated. */
  assertions: unknown[];
  /** sha256 of the file text: the prompt_version of every execution. */
  contentHash: string;
}

export interface ParseResult { prompt: PromptFile | null; diagnostics: PromptDiagnostic[] }

export interface ParseOptions {
  /** Environment for ${env:VAR} / ${env:VAR:default}. Omit to leave references unresolved (Restricted Mode). */
  env?: Record<string, string | undefined>;
}

export interface RenderResult { messages: ChatMessage[]; missing: string[]; errors: string[] }

/** One row of a dataset: its 1-based row number in the source, and values or why it was skipped. */
export type DatasetRow = { row: number; values: Record<string, unknown> } | { row: number; error: string };
