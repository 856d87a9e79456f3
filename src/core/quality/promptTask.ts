/*
 * What the prompt asks, separated from what merely surrounds it. System messages are persona
 * and house rules ("You are a concise assistant…"), not the task; quoted strings and pasted
 * documents are data to work on, not requests. Relevance compares the response with the task;
 * requirement extraction reads only the instruction part, so a pasted article's "A, B and C"
 * is not mistaken for things the response must mention.
 */
import type { ChatMessage } from '../prompt/types';

export function messagesOf(prompt: ChatMessage[] | string): ChatMessage[] {
  return typeof prompt === 'string' ? [{ role: 'user', content: prompt }] : prompt;
}

export function systemText(prompt: ChatMessage[] | string): string {
  return messagesOf(prompt).filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
}

/** User content (all user turns; the last one is the request, earlier ones its context). */
export function userText(prompt: ChatMessage[] | string): string {
  const users = messagesOf(prompt).filter((m) => m.role === 'user').map((m) => m.content);
  return users.length > 0 ? users.join('\n\n') : systemText(prompt);
}

export function lastUserText(prompt: ChatMessage[] | string): string {
  const users = messagesOf(prompt).filter((m) => m.role === 'user');
  return users.length > 0 ? (users[users.length - 1]?.content ?? '') : systemText(prompt);
}

// Sentences that frame any request and say nothing about this one.
const BOILERPLATE = [
  /^(?:you are|you're|act as|acting as|as an? (?:ai|assistant|expert|helpful))\b/i,
  /^(?:please )?(?:be|always be|stay) (?:concise|brief|polite|helpful|friendly|professional|accurate)\b/i,
  /^(?:always|never) (?:respond|answer|reply|use|mention|reveal|be)\b/i,
  /^(?:think|let'?s think|reason) step[- ]by[- ]step\b/i,
  /^(?:thank you|thanks)\b[^?]*$/i,
  /^(?:respond|answer|reply) (?:only )?in (?:english|json|markdown|plain text)\.?$/i,
];

/** The task for relevance: user content without framing sentences. */
export function taskText(prompt: ChatMessage[] | string): string {
  const parts = userText(prompt)
    .split(/(?<=[.!?])\s+|\n+/)
    .filter((s) => !BOILERPLATE.some((re) => re.test(s.trim())));
  return parts.join(' ');
}

const FENCE = /```[\s\S]*?(?:```|$)/g;
// Quoted spans: the opening quote must not follow a letter (so "What's … don't" is not a span).
const QUOTED = /(?<![\p{L}\p{N}])(?:'[^'\n]{2,}?'|"[^"\n]{2,}?"|“[^”\n]+”|‘[^’\n]+’|«[^»\n]+»)(?![\p{L}\p{N}])/gu;

export const REQUEST_VERBS: ReadonlySet<string> = new Set(
  (
    'add analyse analyze answer build calculate check choose classify compare compose compute convert create define describe design ' +
    'determine draft edit estimate evaluate explain express extract find fix format generate give identify include indicate invent ' +
    'keep list mention name note offer outline paraphrase plan prepare present produce propose provide rank rate recommend refactor ' +
    'respond return review rewrite say share show sketch solve sort specify state suggest summarise summarize tell translate use write'
  ).split(' '),
);

/**
 * The instruction part of the last user message: code, quoted strings and pasted material
 * removed. Material is what follows "…:" + line break, or every paragraph after the first when
 * the first one is itself a request.
 */
export function instructionText(prompt: ChatMessage[] | string): string {
  let text = lastUserText(prompt).replace(FENCE, ' ');
  const colonBreak = text.search(/:[ \t]*\n/);
  if (colonBreak >= 0) text = text.slice(0, colonBreak + 1);
  else {
    const paragraphs = text.split(/\n[ \t]*\n/);
    const first = paragraphs[0] ?? '';
    if (paragraphs.length > 1 && (first.includes('?') || startsWithRequest(first))) text = first;
  }
  // "Summarize this paragraph: Remote work increases…" — pasted material on the same line.
  text = text.replace(/^([^\n:]*?):[ \t]+([^\n?]{60,})$/gm, (whole, head: string) => (startsWithRequest(head) ? `${head}:` : whole));
  return text.replace(QUOTED, ' ').replace(/[ \t]+/g, ' ').trim();
}

export function startsWithRequest(sentence: string): boolean {
  const words = sentence.toLowerCase().match(/[a-z]+/g) ?? [];
  let i = 0;
  while (i < words.length && ['please', 'then', 'also', 'now', 'and', 'finally', 'kindly', 'next'].includes(words[i] ?? '')) i++;
  return REQUEST_VERBS.has(words[i] ?? '');
}

/** Numbered lines of the last user message that are requests ("1. Define an API."), anywhere in it. */
export function numberedAsks(prompt: ChatMessage[] | string): string[] {
  const asks: string[] = [];
  for (const line of lastUserText(prompt).replace(FENCE, ' ').split('\n')) {
    const m = /^\s*\d+[.)]\s+(.+)$/.exec(line);
    const body = m?.[1]?.trim();
    if (body && (startsWithRequest(body) || body.endsWith('?') || /^(?:what|why|how|when|where|which|who)\b/i.test(body))) asks.push(body);
  }
  return asks;
}
