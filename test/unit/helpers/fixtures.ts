import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ExecutionInput } from '../../../src/core/store';

export function tempDir(prefix = 'pl-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A realistic execution (~3.5 KB of text) with a deterministic id. */
export function sampleExecution(i: number, over: Partial<ExecutionInput> = {}): ExecutionInput {
  return {
    id: `exec-${i}`,
    promptId: `prompt-${i % 3}`,
    provider: 'openai',
    model: i % 2 ? 'gpt-4o-mini' : 'llama3',
    success: i % 5 !== 0,
    promptText: `Task ${i}: summarise the following customer message in three bullet points. ` + 'The delivery arrived late and the box was damaged. '.repeat(30),
    responseText: `Summary ${i}: ` + '- The customer reports a late, damaged delivery and asks for a refund. '.repeat(25),
    latencyMs: 100 + i,
    tokensIn: 700, tokensOut: 400,
    tags: ['task-summary', i % 2 ? 'model-gpt-4o-mini' : 'model-llama3'],
    createdAt: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
    ...over,
  };
}
