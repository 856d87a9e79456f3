import type { HistoryFilter } from '../store/executionDb';
import type { ExportOptions } from '../store/jsonlExport';

export type ExportFormat = 'csv' | 'json' | 'jsonl' | 'md' | 'html';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'json', 'jsonl', 'md', 'html'];

export function isExportFormat(v: unknown): v is ExportFormat {
  return typeof v === 'string' && (EXPORT_FORMATS as readonly string[]).includes(v);
}

/** What to export and how; plain data, so it crosses to the store worker as is. */
export interface ExportRequest {
  format: ExportFormat;
  /** The executions: a history filter (a prompt, run, experiment or time window)… */
  filter?: HistoryFilter;
  /** …or an explicit selection of ids (wins over `filter`). */
  ids?: string[];
  /** CSV only: columns (dotted paths, `modelConfig.*`-style wildcards); default DEFAULT_CSV_COLUMNS. */
  columns?: string[];
  /** CSV only: UTF-8 byte order mark, so Excel reads the file as UTF-8. */
  bom?: boolean;
  /** Reports only: heading; default "Prompt Lab executions". */
  title?: string;
}

/** exportTo's argument: the request plus this-process-only progress and cancellation. */
export type ExportToOptions = ExportRequest & ExportOptions;
