import { isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node as YamlNode, Pair, YAMLMap } from 'yaml';

/*
 * "Promote variant": which text of a .prompt.yml changes so that the chosen variant's
 * overrides become the file's top level. Only the ranges concerned are replaced (the
 * top-level `messages` value, the `modelParameters` entries the variant sets, the `model`
 * value, our `provider` key); every other byte, comments and formatting included, stays.
 * The variant's own entry under `variants:` is kept, so the promoted text can be compared
 * again; the control's former messages are gone from the file (Undo in the editor restores
 * them, as the edit is applied in one step).
 *
 * Offsets are UTF-16 string offsets into the text given; the extension turns them into
 * editor positions. Edits never overlap and are returned in ascending order.
 */

export interface TextChange { start: number; end: number; newText: string }

export type PromoteResult =
  | { ok: true; changes: TextChange[]; /** What changes, for the confirmation and the log. */ summary: string[] }
  | { ok: false; reason: string };

const INDENT = '  ';

function rangeOf(node: YamlNode | null | undefined): [number, number] | null {
  const r = (node as { range?: [number, number, number] | null } | null | undefined)?.range;
  return r ? [r[0], r[1]] : null;
}

/** [start, end) of a node's value, without the trailing whitespace yaml counts into block collections. */
function valueRange(text: string, node: YamlNode): [number, number] {
  const r = rangeOf(node)!;
  let end = r[1];
  while (end > r[0] && /\s/.test(text.charAt(end - 1))) end--;
  return [r[0], end];
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** `block`'s lines after the first moved from column `from` to column `to` (blank lines left alone). */
function reindent(block: string, from: number, to: number): string {
  if (from === to) return block;
  const lines = block.split('\n');
  return lines.map((l, i) => {
    if (i === 0 || l.trim() === '') return l;
    const lead = l.length - l.trimStart().length;
    return to > from ? ' '.repeat(to - from) + l : l.slice(Math.min(lead, from - to));
  }).join('\n');
}

function pairOf(map: YAMLMap, key: string): Pair<YamlNode, YamlNode> | undefined {
  return map.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key) as Pair<YamlNode, YamlNode> | undefined;
}

/** The variant's node under `variants:` (a list of {name, …} or a map of name → {…}). */
function findVariantNode(root: YAMLMap, name: string): YAMLMap | undefined {
  const variants = pairOf(root, 'variants')?.value;
  if (isSeq(variants)) {
    for (const item of variants.items) if (isMap(item) && isScalar(pairOf(item, 'name')?.value) && (pairOf(item, 'name')!.value as { value: unknown }).value === name) return item;
  } else if (isMap(variants)) {
    const v = pairOf(variants, name)?.value;
    if (isMap(v)) return v;
  }
  return undefined;
}

/**
 * The value of `key: value` (or the whole block of a collection) as text that can stand at
 * column `toColumn` of a line that starts with the key. Block collections start on the next
 * line; scalars and flow collections stay on the key's line.
 */
function movedValue(text: string, value: YamlNode, toColumn: number): { inline: boolean; text: string } {
  const [s, e] = valueRange(text, value);
  const block = (isSeq(value) || isMap(value)) && !(value as { flow?: boolean }).flow;
  const src = text.slice(s, e);
  if (!block) return { inline: true, text: reindent(src, columnOf(text, s), toColumn) };
  return { inline: false, text: reindent(src, columnOf(text, s), toColumn) };
}

/**
 * Replaces the value of the top-level `key` with `value` taken from elsewhere in the file.
 * A block value of the target is replaced from its first item; a block value put in place of
 * an inline one starts on a new line, indented one step deeper than the key.
 */
function replaceValue(text: string, pair: Pair<YamlNode, YamlNode>, value: YamlNode): TextChange {
  const keyRange = rangeOf(pair.key)!;
  const keyCol = columnOf(text, keyRange[0]);
  const target = pair.value;
  const targetBlock = target && (isSeq(target) || isMap(target)) && !(target as { flow?: boolean }).flow;
  if (target && targetBlock) {
    const [s, e] = valueRange(text, target);
    const moved = movedValue(text, value, columnOf(text, s));
    // Block over block: same place. Inline over block: back on the key's line.
    if (!moved.inline) return { start: s, end: e, newText: moved.text };
    const afterKey = text.indexOf(':', keyRange[1]) + 1;
    return { start: afterKey, end: e, newText: ' ' + moved.text };
  }
  const afterKey = text.indexOf(':', keyRange[1]) + 1;
  const end = target ? valueRange(text, target)[1] : afterKey;
  const childCol = keyCol + INDENT.length;
  const moved = movedValue(text, value, childCol);
  return { start: afterKey, end, newText: moved.inline ? ' ' + moved.text : '\n' + ' '.repeat(childCol) + moved.text };
}

function scalarText(text: string, node: YamlNode): string {
  const [s, e] = valueRange(text, node);
  return text.slice(s, e);
}

/** Where a new top-level key goes: before `messages:` (or at the end), as its own line. */
function insertTopLevel(text: string, root: YAMLMap, lines: string): TextChange {
  const before = pairOf(root, 'messages') ?? pairOf(root, 'testData') ?? pairOf(root, 'variants');
  if (before) {
    const at = lineStart(text, rangeOf(before.key)![0]);
    return { start: at, end: at, newText: lines + '\n' };
  }
  const end = text.length;
  return { start: end, end, newText: (text.endsWith('\n') || !text ? '' : '\n') + lines + '\n' };
}

function parseRoot(text: string): { root: YAMLMap } | { error: string } {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) return { error: `the file has YAML errors (${doc.errors[0]!.message.split('\n')[0]})` };
  if (!isMap(doc.contents)) return { error: 'the file is not a YAML map' };
  return { root: doc.contents };
}

/** Puts the variant's messages, modelParameters, model and provider at the top level of `text`. */
export function promoteVariant(text: string, variant: string): PromoteResult {
  const parsed = parseRoot(text);
  if ('error' in parsed) return { ok: false, reason: parsed.error };
  const { root } = parsed;
  const v = findVariantNode(root, variant);
  if (!v) return { ok: false, reason: `the file has no variant "${variant}" under variants:` };
  const changes: TextChange[] = [];
  const summary: string[] = [];

  const vm = pairOf(v, 'messages')?.value;
  if (vm) {
    const top = pairOf(root, 'messages');
    if (!top) return { ok: false, reason: 'the file has no top-level messages: to replace' };
    changes.push(replaceValue(text, top, vm));
    summary.push('messages replaced by the variant\'s');
  }

  const vp = pairOf(v, 'modelParameters')?.value;
  if (vp && isMap(vp) && vp.items.length) {
    const top = pairOf(root, 'modelParameters');
    if (top && isMap(top.value) && !(top.value as { flow?: boolean }).flow) {
      const topMap = top.value;
      const childCol = columnOf(text, rangeOf(topMap)![0]);
      const added: string[] = [];
      for (const p of vp.items) {
        if (!isScalar(p.key) || !p.value) continue;
        const key = String(p.key.value);
        const existing = pairOf(topMap, key);
        if (existing) {
          changes.push(replaceValue(text, existing, p.value as YamlNode));
          summary.push(`modelParameters.${key} set to ${scalarText(text, p.value as YamlNode)}`);
        } else {
          const moved = movedValue(text, p.value as YamlNode, childCol + INDENT.length);
          added.push(' '.repeat(childCol) + `${key}:` + (moved.inline ? ' ' + moved.text : '\n' + ' '.repeat(childCol + INDENT.length) + moved.text));
          summary.push(`modelParameters.${key} added (${scalarText(text, p.value as YamlNode)})`);
        }
      }
      if (added.length) {
        const end = valueRange(text, topMap)[1];
        changes.push({ start: end, end, newText: '\n' + added.join('\n') });
      }
    } else if (top) {
      // Flow map or scalar: the variant's entries over the file's, written as one flow map.
      const merged = new Map<string, string>();
      if (isMap(top.value)) for (const p of top.value.items) if (isScalar(p.key) && p.value) merged.set(String(p.key.value), scalarText(text, p.value as YamlNode));
      for (const p of vp.items) if (isScalar(p.key) && p.value) merged.set(String(p.key.value), scalarText(text, p.value as YamlNode).replace(/\s*\n\s*/g, ' '));
      const afterKey = text.indexOf(':', rangeOf(top.key)![1]) + 1;
      const end = top.value ? valueRange(text, top.value)[1] : afterKey;
      changes.push({ start: afterKey, end, newText: ` {${[...merged].map(([k, x]) => `${k}: ${x}`).join(', ')}}` });
      summary.push(`modelParameters: ${[...vp.items].map((p) => String((p.key as { value: unknown }).value)).join(', ')} set from the variant`);
    } else {
      changes.push(insertTopLevel(text, root, 'modelParameters:\n' + INDENT + movedValue(text, vp, INDENT.length).text));
      summary.push('modelParameters added from the variant');
    }
  }

  const vModel = pairOf(v, 'model')?.value;
  const vProvider = pairOf(v, 'provider')?.value;
  let modelId: YamlNode | undefined, providerNode: YamlNode | undefined = vProvider ?? undefined;
  if (vModel && isScalar(vModel)) modelId = vModel;
  else if (vModel && isMap(vModel)) {
    modelId = pairOf(vModel, 'id')?.value ?? undefined;
    providerNode ??= pairOf(vModel, 'provider')?.value ?? undefined;
  }
  if (modelId) {
    const top = pairOf(root, 'model');
    if (top) changes.push(replaceValue(text, top, modelId));
    else changes.push(insertTopLevel(text, root, `model: ${scalarText(text, modelId)}`));
    summary.push(`model set to ${scalarText(text, modelId)}`);
  }
  if (providerNode) {
    const top = pairOf(root, 'provider');
    if (top) changes.push(replaceValue(text, top, providerNode));
    else changes.push(insertTopLevel(text, root, `provider: ${scalarText(text, providerNode)}`));
    summary.push(`provider set to ${scalarText(text, providerNode)}`);
  }
  if (!changes.length) return { ok: false, reason: `variant "${variant}" overrides nothing (no messages, modelParameters, model or provider)` };
  return { ok: true, changes: normalize(changes), summary };
}

/** Sets the top-level `model:` (a model-only arm: the same prompt on another model). */
export function setTopLevelModel(text: string, model: string): PromoteResult {
  const parsed = parseRoot(text);
  if ('error' in parsed) return { ok: false, reason: parsed.error };
  const quoted = /^[\w./:@-]+$/.test(model) ? model : JSON.stringify(model);
  const top = pairOf(parsed.root, 'model');
  if (top && top.value && !isScalar(top.value)) {
    // `model: {id: …}` or a Prompty-style block: set its id.
    const id = isMap(top.value) ? pairOf(top.value, 'id') : undefined;
    if (!id?.value) return { ok: false, reason: 'the top-level model: is not a model id and has no id: to set' };
    const [s, e] = valueRange(text, id.value);
    return { ok: true, changes: [{ start: s, end: e, newText: quoted }], summary: [`model id set to ${quoted}`] };
  }
  if (top) {
    const afterKey = text.indexOf(':', rangeOf(top.key)![1]) + 1;
    const end = top.value ? valueRange(text, top.value)[1] : afterKey;
    return { ok: true, changes: [{ start: afterKey, end, newText: ` ${quoted}` }], summary: [`model set to ${quoted}`] };
  }
  return { ok: true, changes: [insertTopLevel(text, parsed.root, `model: ${quoted}`)], summary: [`model: ${quoted} added`] };
}

function normalize(changes: TextChange[]): TextChange[] {
  const sorted = [...changes].sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.start < sorted[i - 1]!.end) throw new Error('overlapping edits (a bug in promote)');
  return sorted;
}

/** `text` with `changes` applied (what the editor will show; used by tests and the CLI). */
export function applyChanges(text: string, changes: readonly TextChange[]): string {
  let out = '', at = 0;
  for (const c of changes) { out += text.slice(at, c.start) + c.newText; at = c.end; }
  return out + text.slice(at);
}

/** Sets top-level model parameters (a parameter-sweep arm), keeping the rest of the block. */
export function setTopLevelParameters(text: string, parameters: Record<string, unknown>): PromoteResult {
  const parsed = parseRoot(text);
  if ('error' in parsed) return { ok: false, reason: parsed.error };
  const entries = Object.entries(parameters);
  if (!entries.length) return { ok: false, reason: 'no parameters to set' };
  const literal = (x: unknown) => (typeof x === 'string' && !/^[\w.-]+$/.test(x) ? JSON.stringify(x) : typeof x === 'object' ? JSON.stringify(x) : String(x));
  const top = pairOf(parsed.root, 'modelParameters');
  const summary = entries.map(([k, x]) => `modelParameters.${k} set to ${literal(x)}`);
  if (!top) return { ok: true, changes: [insertTopLevel(text, parsed.root, 'modelParameters:\n' + entries.map(([k, x]) => `${INDENT}${k}: ${literal(x)}`).join('\n'))], summary };
  if (!isMap(top.value) || (top.value as { flow?: boolean }).flow) {
    const merged = new Map<string, string>();
    if (isMap(top.value)) for (const p of top.value.items) if (isScalar(p.key) && p.value) merged.set(String(p.key.value), scalarText(text, p.value as YamlNode));
    for (const [k, x] of entries) merged.set(k, literal(x));
    const afterKey = text.indexOf(':', rangeOf(top.key)![1]) + 1;
    const end = top.value ? valueRange(text, top.value)[1] : afterKey;
    return { ok: true, changes: [{ start: afterKey, end, newText: ` {${[...merged].map(([k, x]) => `${k}: ${x}`).join(', ')}}` }], summary };
  }
  const map = top.value;
  const childCol = columnOf(text, rangeOf(map)![0]);
  const changes: TextChange[] = [];
  const added: string[] = [];
  for (const [k, x] of entries) {
    const existing = pairOf(map, k);
    if (existing?.value) { const [s, e] = valueRange(text, existing.value); changes.push({ start: s, end: e, newText: literal(x) }); }
    else added.push(`${' '.repeat(childCol)}${k}: ${literal(x)}`);
  }
  if (added.length) { const end = valueRange(text, map)[1]; changes.push({ start: end, end, newText: '\n' + added.join('\n') }); }
  return { ok: true, changes: normalize(changes), summary };
}
