import type { ChatMessage } from '../prompt/types';
import type { ProviderProfile, Usage } from './types';

/*
 * Token estimates for when a server does not report usage (many local servers, cut
 * streams), and cost from the profile's prices.
 *
 * Encoding: o200k_base, the tokenizer of GPT-4o, GPT-4.1, GPT-5 and the o-series, i.e. of
 * most models people run through the OpenAI-compatible path today. For Claude, Llama and
 * others it is an estimate either way (their tokenizers differ by roughly ±15%), which is
 * why anything computed here is flagged `estimated: true`.
 *
 * The tokenizer (~2 MB of BPE ranks) is imported lazily, on the first estimate: a run whose
 * servers all report usage never pays for loading it. Hence the async API.
 */

type Counter = (text: string) => number;
let counter: Promise<Counter> | null = null;

function loadCounter(): Promise<Counter> {
  counter ??= import('gpt-tokenizer/encoding/o200k_base').then((m) => {
    // Text like "<|endoftext|>" in a prompt is plain text to us, not a special token
    // (the default would throw on it).
    const options = { disallowedSpecial: new Set<string>() };
    return (text: string) => (text === '' ? 0 : m.countTokens(text, options));
  });
  return counter;
}

/**
 * OpenAI's chat accounting for the 4o family: 3 tokens of framing per message plus 3 that
 * prime the reply. Close enough for other chat models, whose framing is of the same size.
 */
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMING = 3;

/** Estimated tokens of a text, or of a chat (contents + roles + framing). */
export async function estimateTokens(input: string | readonly ChatMessage[]): Promise<number> {
  const count = await loadCounter();
  if (typeof input === 'string') return count(input);
  if (input.length === 0) return 0;
  let total = REPLY_PRIMING;
  for (const m of input) total += TOKENS_PER_MESSAGE + count(m.role) + count(m.content);
  return total;
}

/** Counts a server reported; either may be missing. */
export interface ReportedUsage { input?: number | null; output?: number | null }

/**
 * The server's counts where it gave them, estimates for the rest. `estimated` is true as
 * soon as one number is an estimate, so reports can tell measured from guessed.
 */
export async function usageOrEstimate(reported: ReportedUsage | null | undefined, messages: readonly ChatMessage[], text: string): Promise<Usage> {
  const input = validCount(reported?.input);
  const output = validCount(reported?.output);
  if (input !== null && output !== null) return { input, output, estimated: false };
  return {
    input: input ?? (await estimateTokens(messages)),
    output: output ?? (await estimateTokens(text)),
    estimated: true,
  };
}

function validCount(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

/**
 * USD for one call, or null when the profile has no prices or a count is unknown. Never a
 * guessed price: a missing cost is shown as missing, not as zero.
 */
export function costUsd(usage: Pick<Usage, 'input' | 'output'>, profile: Pick<ProviderProfile, 'priceInPer1M' | 'priceOutPer1M'>): number | null {
  const { priceInPer1M: pin, priceOutPer1M: pout } = profile;
  if (typeof pin !== 'number' || typeof pout !== 'number' || !Number.isFinite(pin) || !Number.isFinite(pout)) return null;
  if (usage.input === null || usage.output === null) return null;
  return (usage.input * pin + usage.output * pout) / 1_000_000;
}
