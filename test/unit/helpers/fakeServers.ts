import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/*
 * Real HTTP servers on 127.0.0.1 that speak the OpenAI chat-completions and Anthropic
 * Messages wire formats, so provider and runner tests run the real client code over a real
 * socket. Each incoming POST takes the next Scenario of the script (or asks the script
 * function); GETs of a model list are answered from `options.models` without using one.
 * Every request is recorded (method, path, lower-cased headers, parsed body) with a
 * `closed` promise, so tests can check that an abort really closed the connection.
 */

export interface FakeUsage { input: number; output: number }

/** A complete non-streaming answer (also what a non-streaming server sends to `stream: true`). */
export interface JsonScenario { kind: 'json'; text: string; usage?: FakeUsage | null; finishReason?: string; model?: string; status?: number; headers?: Record<string, string> }

/**
 * An SSE answer. `ending` says how it stops after the first `afterDeltas` deltas (default:
 * all of them): 'complete' (finish reason, usage, [DONE] / message_stop), 'eof' (clean end
 * of body without any end marker), 'destroy' (socket destroyed: a cut connection), 'hang'
 * (nothing more is sent, connection left open), 'malformed' (a broken JSON event, then
 * end), 'error' (an error event inside the 200 stream, then end).
 *
 * Usage (default {input: 10, output: 20}; null = never sent): the OpenAI server sends it,
 * like OpenAI, only when the request asked with stream_options.include_usage, unless
 * `usageAlways`. `chunkSize` re-splits the whole byte stream into pieces of that many
 * bytes (1 splits every multibyte character); otherwise one write per event. `delayMs`
 * waits between writes. `keepAliveComments` puts a `: keep-alive` comment before each delta.
 */
export interface StreamScenario {
  kind: 'stream';
  deltas: string[];
  usage?: FakeUsage | null;
  usageAlways?: boolean;
  finishReason?: string;
  model?: string;
  ending?: 'complete' | 'eof' | 'destroy' | 'hang' | 'malformed' | 'error';
  afterDeltas?: number;
  error?: { type?: string; code?: string; message: string };
  chunkSize?: number;
  delayMs?: number;
  lineEnding?: '\n' | '\r\n';
  keepAliveComments?: boolean;
  headers?: Record<string, string>;
}

/** An HTTP error in the dialect's envelope; `body` (string or object) replaces the envelope. */
export interface ErrorScenario { kind: 'error'; status: number; message?: string; type?: string; code?: string; body?: unknown; headers?: Record<string, string> }

/** Never answers (for timeouts); the connection stays open until the client gives up. */
export interface HangScenario { kind: 'hang' }

/** Anything else: exact status, headers and byte chunks. */
export interface RawScenario { kind: 'raw'; status?: number; headers?: Record<string, string>; chunks: Array<string | Uint8Array>; delayMs?: number; ending?: 'end' | 'destroy' | 'hang' }

export type Scenario = JsonScenario | StreamScenario | ErrorScenario | HangScenario | RawScenario;

export interface RecordedRequest {
  method: string;
  /** Path with query string, e.g. '/openai/deployments/d/chat/completions?api-version=…'. */
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, the raw string when not JSON, null when empty. */
  body: unknown;
  /** True when the client closed the connection before the response was complete. */
  clientAborted: boolean;
  /** Resolves once the response finished or the connection closed. */
  closed: Promise<void>;
}

export type Script = Scenario[] | ((request: RecordedRequest, index: number) => Scenario);

export interface FakeServerOptions { models?: string[] }

export interface FakeServer {
  /** Origin, e.g. http://127.0.0.1:41234 (no path). */
  url: string;
  /** `url` + '/v1': the base URL OpenAI-style clients expect. */
  baseUrl: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const DEFAULT_USAGE: FakeUsage = { input: 10, output: 20 };

interface Dialect {
  json(s: JsonScenario, model: string): unknown;
  error(s: ErrorScenario): unknown;
  models(ids: string[], path: string): unknown;
  /** Events as [eventName | null, dataText] pairs. */
  preamble(s: StreamScenario, model: string, wantUsage: boolean): Array<[string | null, string]>;
  delta(text: string, model: string, wantUsage: boolean): [string | null, string];
  finish(s: StreamScenario, model: string, wantUsage: boolean): Array<[string | null, string]>;
  streamError(e: NonNullable<StreamScenario['error']>): [string | null, string];
  malformed(): [string | null, string];
  wantsUsage(body: unknown): boolean;
}

const openAIDialect: Dialect = {
  json: (s, model) => ({
    id: 'chatcmpl-fake', object: 'chat.completion', created: 1, model,
    choices: [{ index: 0, message: { role: 'assistant', content: s.text }, finish_reason: s.finishReason ?? 'stop' }],
    ...(s.usage === null ? {} : { usage: usageOpenAI(s.usage ?? DEFAULT_USAGE) }),
  }),
  error: (s) => ({ error: { message: s.message ?? `HTTP ${s.status}`, type: s.type ?? 'invalid_request_error', code: s.code ?? null, param: null } }),
  models: (ids, path) => (path.includes('/catalog/') ? ids.map((id) => ({ id, name: id })) : { object: 'list', data: ids.map((id) => ({ id, object: 'model', owned_by: 'fake' })) }),
  preamble: (_s, model, wantUsage) => [[null, JSON.stringify(chunk(model, { role: 'assistant', content: '' }, null, wantUsage))]],
  delta: (text, model, wantUsage) => [null, JSON.stringify(chunk(model, { content: text }, null, wantUsage))],
  finish: (s, model, wantUsage) => {
    const out: Array<[string | null, string]> = [[null, JSON.stringify(chunk(model, {}, s.finishReason ?? 'stop', wantUsage))]];
    if (s.usage !== null && (wantUsage || s.usageAlways)) out.push([null, JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1, model, choices: [], usage: usageOpenAI(s.usage ?? DEFAULT_USAGE) })]);
    out.push([null, '[DONE]']);
    return out;
  },
  streamError: (e) => [null, JSON.stringify({ error: { message: e.message, type: e.type ?? 'server_error', code: e.code ?? null } })],
  malformed: () => [null, '{"choices":[{"delta":{"content":"oops'],
  wantsUsage: (body) => (body as { stream_options?: { include_usage?: boolean } } | null)?.stream_options?.include_usage === true,
};

function chunk(model: string, delta: object, finishReason: string | null, wantUsage: boolean): object {
  return { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finishReason }], ...(wantUsage ? { usage: null } : {}) };
}

function usageOpenAI(u: FakeUsage): object {
  return { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output };
}

const anthropicDialect: Dialect = {
  json: (s, model) => ({
    id: 'msg_fake', type: 'message', role: 'assistant', model, content: [{ type: 'text', text: s.text }], stop_reason: s.finishReason ?? 'end_turn', stop_sequence: null,
    ...(s.usage === null ? {} : { usage: { input_tokens: (s.usage ?? DEFAULT_USAGE).input, output_tokens: (s.usage ?? DEFAULT_USAGE).output } }),
  }),
  error: (s) => ({ type: 'error', error: { type: s.type ?? 'invalid_request_error', message: s.message ?? `HTTP ${s.status}` } }),
  models: (ids) => ({ data: ids.map((id) => ({ id, type: 'model', display_name: id })), has_more: false, first_id: ids[0] ?? null, last_id: ids.at(-1) ?? null }),
  preamble: (s, model) => [
    ['message_start', JSON.stringify({ type: 'message_start', message: { id: 'msg_fake', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, ...(s.usage === null ? {} : { usage: { input_tokens: (s.usage ?? DEFAULT_USAGE).input, output_tokens: 1 } }) } })],
    ['content_block_start', JSON.stringify({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })],
    ['ping', JSON.stringify({ type: 'ping' })],
  ],
  delta: (text) => ['content_block_delta', JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })],
  finish: (s) => [
    ['content_block_stop', JSON.stringify({ type: 'content_block_stop', index: 0 })],
    ['message_delta', JSON.stringify({ type: 'message_delta', delta: { stop_reason: s.finishReason ?? 'end_turn', stop_sequence: null }, ...(s.usage === null ? {} : { usage: { output_tokens: (s.usage ?? DEFAULT_USAGE).output } }) })],
    ['message_stop', JSON.stringify({ type: 'message_stop' })],
  ],
  streamError: (e) => ['error', JSON.stringify({ type: 'error', error: { type: e.type ?? 'overloaded_error', message: e.message } })],
  malformed: () => ['content_block_delta', '{"type":"content_block_delta","delta":{"type":"text_del'],
  wantsUsage: () => true,
};

export function startOpenAIServer(script: Script, options: FakeServerOptions = {}): Promise<FakeServer> {
  return startServer(openAIDialect, script, options);
}

export function startAnthropicServer(script: Script, options: FakeServerOptions = {}): Promise<FakeServer> {
  return startServer(anthropicDialect, script, options);
}

async function startServer(dialect: Dialect, script: Script, options: FakeServerOptions): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  let posts = 0;
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8');
      let body: unknown = text === '' ? null : text;
      try {
        if (text !== '') body = JSON.parse(text);
      } catch {
        // keep the raw string
      }
      let markClosed = () => undefined as void;
      const rec: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, clientAborted: false, closed: new Promise<void>((r) => (markClosed = r)) };
      res.on('close', () => {
        rec.clientAborted = !res.writableFinished;
        markClosed();
      });
      res.on('error', () => undefined);
      requests.push(rec);
      if (req.method === 'GET' && /\/models(\?|$)/.test(rec.path)) return sendJson(res, 200, dialect.models(options.models ?? [], rec.path));
      const index = posts++;
      const scenario = typeof script === 'function' ? script(rec, index) : script[index];
      if (!scenario) return sendJson(res, 500, { error: { message: `fake server: no scenario for request #${index}` } });
      void play(dialect, scenario, rec, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseUrl: `${url}/v1`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers });
  res.end(text);
}

async function play(dialect: Dialect, s: Scenario, rec: RecordedRequest, res: http.ServerResponse): Promise<void> {
  const model = (rec.body as { model?: string } | null)?.model ?? 'fake-model';
  switch (s.kind) {
    case 'hang':
      return;
    case 'json':
      return sendJson(res, s.status ?? 200, dialect.json(s, s.model ?? model), s.headers);
    case 'error':
      return sendJson(res, s.status, s.body !== undefined ? s.body : dialect.error(s), s.headers);
    case 'raw': {
      res.writeHead(s.status ?? 200, s.headers ?? {});
      res.flushHeaders();
      await writePieces(res, s.chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : Buffer.from(c))), s.delayMs ?? 0);
      return finishWith(res, s.ending ?? 'end');
    }
    case 'stream': {
      const m = s.model ?? model;
      const wantUsage = dialect.wantsUsage(rec.body);
      const le = s.lineEnding ?? '\n';
      const count = s.ending === undefined || s.ending === 'complete' ? s.deltas.length : Math.min(s.afterDeltas ?? s.deltas.length, s.deltas.length);
      const events: string[] = dialect.preamble(s, m, wantUsage).map((e) => sse(e, le));
      for (const d of s.deltas.slice(0, count)) {
        if (s.keepAliveComments) events.push(`: keep-alive${le}${le}`);
        events.push(sse(dialect.delta(d, m, wantUsage), le));
      }
      const ending = s.ending ?? 'complete';
      if (ending === 'complete') events.push(...dialect.finish(s, m, wantUsage).map((e) => sse(e, le)));
      if (ending === 'malformed') events.push(sse(dialect.malformed(), le));
      if (ending === 'error') events.push(sse(dialect.streamError(s.error ?? { message: 'fake stream error' }), le));
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...(s.headers ?? {}) });
      res.flushHeaders();
      let pieces: Buffer[] = events.map((e) => Buffer.from(e, 'utf8'));
      if (s.chunkSize && s.chunkSize > 0) pieces = split(Buffer.concat(pieces), s.chunkSize);
      await writePieces(res, pieces, s.delayMs ?? 0);
      return finishWith(res, ending === 'destroy' ? 'destroy' : ending === 'hang' ? 'hang' : 'end');
    }
  }
}

function sse([event, data]: [string | null, string], le: string): string {
  return `${event ? `event: ${event}${le}` : ''}${data.split('\n').map((l) => `data: ${l}`).join(le)}${le}${le}`;
}

function split(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

async function writePieces(res: http.ServerResponse, pieces: Buffer[], delayMs: number): Promise<void> {
  for (const p of pieces) {
    if (res.destroyed || res.writableEnded) return;
    res.write(p);
    // A pause lets each piece leave as its own TCP segment (best effort; tests of exact
    // chunk boundaries feed the SSE parser directly).
    if (delayMs > 0) await delay(delayMs);
  }
}

async function finishWith(res: http.ServerResponse, ending: 'end' | 'destroy' | 'hang'): Promise<void> {
  if (res.destroyed) return;
  if (ending === 'end') res.end();
  else if (ending === 'destroy') {
    // Let what was written reach the client first, then cut without the final chunk.
    await delay(30);
    res.socket?.destroy();
  }
}
