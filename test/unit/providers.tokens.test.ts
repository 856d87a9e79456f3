import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costUsd, estimateTokens, usageOrEstimate } from '../../src/core/providers/tokens';

describe('token estimates and cost', () => {
  it('counts text with o200k_base and chats with per-message framing', async () => {
    assert.equal(await estimateTokens(''), 0);
    assert.equal(await estimateTokens('hello world'), 2);
    assert.equal(await estimateTokens('<|endoftext|> is plain text here') > 0, true);
    const chat = await estimateTokens([{ role: 'user', content: 'hello world' }]);
    assert.equal(chat, 3 + 3 + 1 + 2); // priming + framing + role + content
    assert.equal(await estimateTokens([]), 0);
  });

  it('keeps reported counts and flags estimates', async () => {
    const messages = [{ role: 'user' as const, content: 'What is two plus two?' }];
    assert.deepEqual(await usageOrEstimate({ input: 12, output: 0 }, messages, 'ignored'), { input: 12, output: 0, estimated: false });
    const partly = await usageOrEstimate({ input: 12, output: null }, messages, 'Four.');
    assert.deepEqual(partly, { input: 12, output: 2, estimated: true });
    const none = await usageOrEstimate(null, messages, 'Four.');
    assert.equal(none.estimated, true);
    assert.equal(none.input, await estimateTokens(messages));
  });

  it('cost is null without prices or counts, never a guess', () => {
    assert.equal(costUsd({ input: 1000, output: 500 }, {}), null);
    assert.equal(costUsd({ input: 1000, output: 500 }, { priceInPer1M: 2.5 }), null);
    assert.equal(costUsd({ input: null, output: 500 }, { priceInPer1M: 2.5, priceOutPer1M: 10 }), null);
    assert.equal(costUsd({ input: 1_000_000, output: 500_000 }, { priceInPer1M: 2.5, priceOutPer1M: 10 }), 7.5);
    assert.equal(costUsd({ input: 10, output: 10 }, { priceInPer1M: 0, priceOutPer1M: 0 }), 0);
  });
});
