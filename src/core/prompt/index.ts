/* Public surface of prompt files: parse, validate, render, load test cases. */
export { formatDiagnostic, isPromptFile, parsePromptFile } from './parsePromptFile';
export { parsePromptYml } from './parsePromptYml';
export { parsePrompty } from './parsePrompty';
export type { PromptyParseOptions } from './parsePrompty';
export type { ReadFile } from './promptyInputs';
export { findVariant, renderMessages, renderText, variantModel, variantParameters } from './render';
export { scanTemplate, templateVariables } from './templateScan';
export type { TemplateRef, TemplateScan } from './templateScan';
export { analyzeVariables } from './variables';
export { datasetFormat, loadTestCases, readDataset } from './datasets';
export type { DatasetFormat, DatasetOptions } from './datasets';
export { QUALITY_DIMENSIONS } from './commonKeys';
export type { EvaluatorSpecWithLlm, LlmEvaluatorSpec } from './evaluatorKeys';
export { contentHash } from './promptIdentity';
export type * from './types';
