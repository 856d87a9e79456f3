/*
 * Server-sent events over a fetch body, following the WHATWG event-stream rules closely
 * enough for every LLM server we talk to: LF, CRLF and lone-CR line ends, multi-line
 * `data:`, `:` comments, `event:` names, and bytes split anywhere (a CRLF split across two
 * reads, or a UTF-8 character split across two reads, which TextDecoder's stream mode
 * stitches back together).
 */

export interface SseEvent {
  /** `event:` field; 'message' when absent, as the spec says. */
  event: string;
  /** All `data:` lines of the event joined with '\n'. */
  data: string;
  /** Last `id:` seen (sticky across events, as in EventSource), or null. */
  id: string | null;
}

/** OpenAI-style end-of-stream sentinel (`data: [DONE]`). */
export const SSE_DONE = '[DONE]';

/**
 * Yields events as they complete. After a `[DONE]` event it stops reading and cancels the
 * body: some servers keep the connection open after the sentinel, and waiting for them to
 * close it would hang the request.
 *
 * At end of input an event that is still open is dispatched only if its last line was
 * complete. The spec drops it either way, but several servers end with `data: [DONE]\n`
 * and no blank line; a line cut mid-way, on the other hand, is a truncated stream and the
 * caller should see that the stream ended early rather than half a JSON object.
 */
export async function* readSseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder('utf-8');
  const parser = new SseLineParser();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      const chunk = done ? decoder.decode() : decoder.decode(value, { stream: true });
      for (const ev of parser.push(chunk, done)) {
        yield ev;
        if (ev.data === SSE_DONE) return;
      }
      if (done) return;
    }
  } finally {
    // On early exit (sentinel, consumer break, or an error) release the connection. After
    // the sentinel the body usually ends a few bytes later: draining it in the background
    // lets the HTTP client keep the connection alive for the next request (a cancel would
    // close the socket and cost a new connection per call); a server that keeps the stream
    // open past the sentinel is cancelled after a short grace period.
    void drainThenCancel(reader);
  }
}

const DRAIN_GRACE_MS = 1000;

async function drainThenCancel(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gaveUp = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), DRAIN_GRACE_MS); });
  try {
    for (let bytes = 0; bytes < 65536;) {
      const r = await Promise.race([reader.read(), gaveUp]);
      if (r === 'timeout') break;
      if (r.done) return;
      bytes += r.value?.length ?? 0;
    }
    await reader.cancel();
  } catch {
    // The stream errored or was already cancelled: nothing left to release.
  } finally {
    clearTimeout(timer);
  }
}

/** Incremental line splitter + field interpreter; exported for direct unit tests. */
export class SseLineParser {
  private buffer = '';
  private data: string[] = [];
  private eventName = '';
  private lastId: string | null = null;
  private started = false;
  /** True when the open event's last line ended with a terminator. */
  private openLineComplete = true;

  /** Feeds decoded text; `end` marks the end of input. Returns the events it completed. */
  push(text: string, end = false): SseEvent[] {
    if (!this.started && text.length > 0) {
      // TextDecoder already drops a BOM; this covers text fed in directly.
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.buffer += text;
    const out: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const cr = this.buffer.indexOf('\r', start);
      const lf = this.buffer.indexOf('\n', start);
      if (cr < 0 && lf < 0) break;
      let lineEnd: number;
      let next: number;
      if (cr >= 0 && (lf < 0 || cr < lf)) {
        // A CR as the last character may be the first half of a CRLF still in flight.
        if (cr === this.buffer.length - 1 && !end) break;
        lineEnd = cr;
        next = this.buffer[cr + 1] === '\n' ? cr + 2 : cr + 1;
      } else {
        lineEnd = lf;
        next = lf + 1;
      }
      this.line(this.buffer.slice(start, lineEnd), out);
      start = next;
    }
    this.buffer = this.buffer.slice(start);
    if (end) {
      if (this.buffer.length > 0) {
        // A final line without terminator: the stream was cut inside it.
        this.openLineComplete = false;
        this.buffer = '';
      }
      if (this.data.length > 0 && this.openLineComplete) this.dispatch(out);
      this.data = [];
      this.eventName = '';
    }
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === '') {
      this.dispatch(out);
      return;
    }
    this.openLineComplete = true;
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.eventName = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      default:
        // `retry:` and unknown fields are ignored: reconnection is the runner's business.
        break;
    }
  }

  private dispatch(out: SseEvent[]): void {
    if (this.data.length > 0) out.push({ event: this.eventName || 'message', data: this.data.join('\n'), id: this.lastId });
    this.data = [];
    this.eventName = '';
  }
}
