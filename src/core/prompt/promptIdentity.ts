/*
 * What identifies a prompt file: its content hash (the prompt_version of every execution)
 * and a fallback name when the file does not name itself.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';

export function contentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** `summarise.prompt.yml` → `summarise`, `support.prompty` → `support`. */
export function nameFromPath(file: string): string {
  return path.basename(file).replace(/\.(prompt\.ya?ml|prompty)$/i, '');
}
