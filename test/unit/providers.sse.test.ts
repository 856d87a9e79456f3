import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readSseEvents, SseLineParser, SSE_DONE, type SseEvent } from '../../src/core/providers/sse';

/** A body that delivers exactly these byte chunks, so chunk boundaries are under test control. */
function bodyOf(chunks: Array<string | Uint8Array>): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(typeof c === 'string' ? enc.encode(c) : c);
      controller.close();
    },
  });
}

async function collect(chunks: Array<string | Uint8Array>): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const ev of readSseEvents(bodyOf(chunks))) out.push(ev);
  return out;
}

/** Every way of cutting `bytes` into two or three pieces. */
function splits(bytes: Uint8Array): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  for (let i = 1; i < bytes.length; i++) {
    out.push([bytes.subarray(0, i), bytes.subarray(i)]);
    for (let j = i + 1; j < bytes.length; j += 3) out.push([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]);
  }
  return out;
}

describe('SSE parser', () => {
  it('parses LF events with event names, comments and multi-line data', async () => {
    const events = await collect([': hello comment\n', 'event: ping\ndata: {"a":1}\n\n', 'data: line one\ndata: line two\n\n', 'id: 7\ndata:no-space\n\n']);
    assert.deepEqual(events, [
      { event: 'ping', data: '{"a":1}', id: null },
      { event: 'message', data: 'line one\nline two', id: null },
      { event: 'message', data: 'no-space', id: '7' },
    ]);
  });

  it('treats CRLF and lone CR like LF, even with a CRLF split across chunks', async () => {
    const crlf = await collect(['data: a\r', '\n\r\n', 'event: x\r\ndata: b\r\n\r\n']);
    assert.deepEqual(crlf.map((e) => [e.event, e.data]), [['message', 'a'], ['x', 'b']]);
    const cr = await collect(['data: a\r\rdata: b\r\r']);
    assert.deepEqual(cr.map((e) => e.data), ['a', 'b']);
  });

  it('gives the same events however the bytes are split, including inside multibyte UTF-8 characters', async () => {
    const text = 'event: delta\r\ndata: {"t":"héllo 世界 🙂"}\r\n\r\n: c\n\ndata: ü\ndata: 🙂🙂\n\n';
    const bytes = new TextEncoder().encode(text);
    const expected = await collect([bytes]);
    assert.deepEqual(expected.map((e) => e.data), ['{"t":"héllo 世界 🙂"}', 'ü\n🙂🙂']);
    for (const pieces of splits(bytes)) assert.deepEqual(await collect(pieces), expected);
    // one byte at a time
    assert.deepEqual(await collect([...bytes].map((b) => Uint8Array.of(b))), expected);
  });

  it('stops at [DONE] without reading the rest (servers may keep the connection open)', async () => {
    let pulls = 0;
    const enc = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        if (pulls === 1) controller.enqueue(enc.encode('data: {"x":1}\n\ndata: [DONE]\n\n'));
        // never closes afterwards: a reader that kept going would hang here
      },
    });
    const events: string[] = [];
    for await (const ev of readSseEvents(body)) events.push(ev.data);
    assert.deepEqual(events, ['{"x":1}', SSE_DONE]);
  });

  it('dispatches a final event whose last line is complete, but drops one cut mid-line', async () => {
    assert.deepEqual((await collect(['data: {"a":1}\n\ndata: [DONE]\n'])).map((e) => e.data), ['{"a":1}', '[DONE]']);
    assert.deepEqual((await collect(['data: {"a":1}\n\ndata: {"cho'])).map((e) => e.data), ['{"a":1}']);
  });

  it('ignores retry/unknown fields, empty data-less events and a leading BOM', () => {
    const p = new SseLineParser();
    const out = p.push('\uFEFFretry: 1000\nfoo: bar\n\nevent: lonely\n\ndata\n\n', true);
    assert.deepEqual(out, [{ event: 'message', data: '', id: null }]);
  });
});
