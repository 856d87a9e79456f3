/*
 * Rendering a prompt file's messages for one test case (and optionally one variant).
 *
 * - Values are the input defaults overlaid with the given variables; variables a template
 *   needs (unguarded), that are not given and have no default are listed in `missing`.
 *   They render as empty text (throwOnUndefined is off) so a preview still shows the rest.
 * - Template errors (syntax, runtime) go to `errors`; the message renders as "" then.
 * - Prompty semantics: leading blank lines and trailing whitespace of a message are cut;
 *   an input of kind `thread` given as a list of {role, content} is spliced in as messages
 *   where the template prints it; a template that prints role markers itself
 *   (`{{ item.role }}:` in a loop over chat history) is split into messages after rendering.
 * - Variants replace the messages; parameters and model are merged by the helpers below
 *   and applied by the runner.
 */
import { roleMarker } from './promptySections';
import { compileTemplate, templateErrorMessage } from './templateEngine';
import { scanTemplate, templateVariables } from './templateScan';
import type { ChatMessage, MessageTemplate, ModelParameters, ModelSpec, PromptFile, RenderResult, Role, VariantSpec } from './types';

export function findVariant(prompt: PromptFile, name: string): VariantSpec | undefined {
  return prompt.variants.find((v) => v.name === name);
}

function requireVariant(prompt: PromptFile, name: string): VariantSpec {
  const v = findVariant(prompt, name);
  if (!v) throw new Error(`Unknown variant '${name}' in ${prompt.path} (variants: ${prompt.variants.map((x) => x.name).join(', ') || 'none'})`);
  return v;
}

/** The prompt's parameters with the variant's on top (variant keys win). */
export function variantParameters(prompt: PromptFile, variant?: string): ModelParameters {
  const v = variant ? requireVariant(prompt, variant) : undefined;
  return { ...prompt.model.parameters, ...(v?.parameters ?? {}) };
}

/** The prompt's model with the variant's id/provider on top, parameters merged. */
export function variantModel(prompt: PromptFile, variant?: string): ModelSpec {
  const v = variant ? requireVariant(prompt, variant) : undefined;
  const override = Object.fromEntries(Object.entries(v?.model ?? {}).filter(([, x]) => x !== undefined)) as Partial<ModelSpec>;
  return { ...prompt.model, ...override, parameters: variantParameters(prompt, variant) };
}

export function renderMessages(prompt: PromptFile, variables: Record<string, unknown>, variant?: string): RenderResult {
  const errors: string[] = [];
  let templates: MessageTemplate[] = prompt.messages;
  if (variant) {
    const v = findVariant(prompt, variant);
    if (!v) return { messages: [], missing: [], errors: [`Unknown variant '${variant}'`] };
    templates = v.messages ?? prompt.messages;
  }
  const values: Record<string, unknown> = {};
  for (const input of prompt.inputs) if (input.default !== undefined) values[input.name] = input.default;
  Object.assign(values, variables);

  const { required } = templateVariables(templates.map((t) => t.template));
  const missing = required.filter((name) => values[name] === undefined);

  // Thread inputs render as a marker, replaced by the thread's messages after rendering.
  const threads = new Map<string, ChatMessage[]>();
  for (const input of prompt.inputs) {
    if (input.type !== 'thread' || !Array.isArray(values[input.name])) continue;
    const marker = `\u0000thread:${input.name}\u0000`;
    threads.set(marker, toThread(values[input.name], input.name, errors));
    values[input.name] = marker;
  }

  const messages: ChatMessage[] = [];
  for (const t of templates) {
    let text: string;
    try {
      text = compileTemplate(t.template).render(values);
    } catch (e) {
      errors.push(`${prompt.path}:${t.range.line}: ${t.role} message: ${templateErrorMessage(e)}`);
      text = '';
    }
    const dynamic = prompt.format === 'prompty' && scanTemplate(t.template).dynamicRoles;
    const parts = dynamic ? splitRoles(text, t.role) : [{ role: t.role, content: text }];
    for (const part of parts) messages.push(...spliceThreads(part, threads, prompt.format === 'prompty'));
  }
  return { messages, missing, errors };
}

/** Renders a single text (evaluator expectations, labels) with the same engine. */
export function renderText(template: string, values: Record<string, unknown>): string {
  return compileTemplate(template).render(values);
}

function toThread(value: unknown, name: string, errors: string[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const item of value as unknown[]) {
    const m = item as { role?: unknown; content?: unknown } | null;
    const role = typeof m?.role === 'string' ? m.role.toLowerCase() : '';
    if ((role === 'system' || role === 'user' || role === 'assistant') && m?.content !== undefined) {
      out.push({ role, content: typeof m.content === 'string' ? m.content : JSON.stringify(m.content) });
    } else {
      errors.push(`Thread input '${name}' has an item that is not {role: system|user|assistant, content}`);
    }
  }
  return out;
}

/** Prompty's chat parser applied to rendered text: marker lines start new messages. */
function splitRoles(text: string, role: Role): ChatMessage[] {
  const out: ChatMessage[] = [];
  let current: { role: Role; lines: string[] } = { role, lines: [] };
  for (const line of text.split('\n')) {
    const marker = roleMarker(line);
    if (!marker) {
      current.lines.push(line);
      continue;
    }
    out.push({ role: current.role, content: current.lines.join('\n') });
    current = { role: marker, lines: [] };
  }
  out.push({ role: current.role, content: current.lines.join('\n') });
  return out.filter((m, i) => i === 0 || m.content.trim() !== '');
}

function spliceThreads(message: ChatMessage, threads: Map<string, ChatMessage[]>, trim: boolean): ChatMessage[] {
  const tidy = (s: string): string => (trim ? s.replace(/^(?:[ \t]*\r?\n)+/, '').trimEnd() : s);
  const pieces: Array<{ message: ChatMessage; text: boolean }> = [];
  let rest = message.content;
  for (;;) {
    let next: { at: number; marker: string } | null = null;
    for (const marker of threads.keys()) {
      const at = rest.indexOf(marker);
      if (at >= 0 && (!next || at < next.at)) next = { at, marker };
    }
    if (!next) break;
    pieces.push({ message: { role: message.role, content: tidy(rest.slice(0, next.at)) }, text: true });
    for (const m of threads.get(next.marker) ?? []) pieces.push({ message: m, text: false });
    rest = rest.slice(next.at + next.marker.length);
  }
  pieces.push({ message: { role: message.role, content: tidy(rest) }, text: true });
  // Text around a thread is often just blank lines: those pieces are not messages.
  const only = pieces.length === 1 ? pieces[0] : undefined;
  if (only) return [only.message];
  return pieces.filter((p) => !p.text || p.message.content.trim() !== '').map((p) => p.message);
}
