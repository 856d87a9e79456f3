import type { FormatWriter } from '../store/jsonlExport';
import { recordToJsonl } from '../store/jsonlExport';

/** A JSON array of executions (same fields and order as JSONL), written row by row; `[]` when empty. */
export function jsonWriter(): FormatWriter {
  let first = true;
  return {
    begin: () => '[',
    row(r) {
      const text = (first ? '\n' : ',\n') + recordToJsonl(r);
      first = false;
      return text;
    },
    end: () => (first ? ']\n' : '\n]\n'),
  };
}
