import type { FormatWriter } from '../store/jsonlExport';
import type { ExecutionStore } from '../store/executionStore';
import { jsonlFormatWriter, writeStreamingExport } from '../store/jsonlExport';
import { csvWriter } from './csvWriter';
import { htmlReportWriter } from './htmlReport';
import { jsonWriter } from './jsonWriter';
import { markdownReportWriter } from './markdownReport';
import type { ExportFormat, ExportRequest, ExportToOptions } from './types';

export * from './types';
export * from './csvWriter';
export * from './jsonWriter';
export * from './aggregate';
export * from './markdownReport';
export * from './htmlReport';

/** File extension per format (for default file names and save-dialog filters). */
export const EXPORT_EXTENSIONS: Readonly<Record<ExportFormat, string>> = { csv: 'csv', json: 'json', jsonl: 'jsonl', md: 'md', html: 'html' };

/** The streaming writer for a request (a fresh one per export: writers keep state). */
export function createFormatWriter(req: ExportRequest): FormatWriter {
  switch (req.format) {
    case 'csv': return csvWriter({ columns: req.columns, bom: req.bom });
    case 'json': return jsonWriter();
    case 'jsonl': return jsonlFormatWriter;
    case 'md': return markdownReportWriter({ title: req.title });
    case 'html': return htmlReportWriter({ title: req.title });
    default: throw new Error(`unknown export format ${String(req.format)}`);
  }
}

/** The store engine's side of PromptLabStore.exportTo: the request's writer, streamed to a temp file and renamed. */
export function exportExecutions(engine: ExecutionStore, file: string, opts: ExportToOptions): Promise<{ rows: number }> {
  const source = opts.ids ? { ids: opts.ids } : { filter: opts.filter };
  return writeStreamingExport(engine, file, createFormatWriter(opts), source, { signal: opts.signal, onProgress: opts.onProgress });
}
