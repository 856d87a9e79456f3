/*
 * Cross-checks between what templates read and what the file declares (Prompty inputs and
 * sample, GitHub testData rows):
 * - 'undeclared-variable' (warning; info when the read is guarded): read by a template,
 *   declared nowhere. Only checked when the file declares something at all; a file without
 *   inputs/sample/testData gets its variables at run time, and all would be "undeclared".
 * - 'unused-variable': a declared input no template reads (warning; info for keys that only
 *   come from a Prompty sample). Skipped when a template extends/includes another file,
 *   whose reads we cannot see.
 * - 'missing-input' (error): a test row lacks a variable the templates need unguarded and
 *   that has no default; that case would render with a hole.
 * - 'template-syntax' (error) and 'unsupported-template' (warning) from the template parser.
 */
import type { TemplateSite } from './commonKeys';
import { diagnostic } from './sourceRange';
import { scanTemplate, templateVariables } from './templateScan';
import type { PromptDiagnostic, SourceRange } from './types';

export interface DeclaredInput { name: string; default?: unknown; range: SourceRange; fromSample: boolean }
export interface TestRow { values: Record<string, unknown>; range: SourceRange; label: string }

export interface VariableAnalysis {
  /** Every variable the templates read, in order of first use. */
  variables: string[];
  /** Those read at least once without a guard (`default`, `if x`, `is defined`). */
  required: string[];
  diagnostics: PromptDiagnostic[];
}

export function analyzeVariables(sites: readonly TemplateSite[], inputs: readonly DeclaredInput[], rows: readonly TestRow[]): VariableAnalysis {
  const diagnostics: PromptDiagnostic[] = [];
  let includesOtherFiles = false;
  for (const site of sites) {
    const scan = scanTemplate(site.message.template);
    if (scan.error) {
      diagnostics.push(diagnostic('error', 'template-syntax', `Template error: ${scan.error.message}`, site.locate(scan.error.line, scan.error.col, 1)));
    }
    for (const u of scan.unsupported) {
      includesOtherFiles = true;
      diagnostics.push(diagnostic('warning', 'unsupported-template', `{% ${u.tag} %} is not supported: templates never load other files, so this part renders as an error`, site.locate(u.line, u.col, u.tag.length)));
    }
  }
  const { all, required } = templateVariables(sites.map((s) => s.message.template));

  const declared = new Set<string>(inputs.map((i) => i.name));
  for (const row of rows) for (const k of Object.keys(row.values)) declared.add(k);
  if (declared.size > 0) {
    for (const site of sites) {
      const reported = new Set<string>();
      for (const ref of scanTemplate(site.message.template).refs) {
        if (declared.has(ref.name) || reported.has(ref.name)) continue;
        reported.add(ref.name);
        // A guarded read (`{% if x %}`, `x | default`) expects absence: a hint, not a warning.
        const severity = ref.guarded ? 'info' : 'warning';
        diagnostics.push(diagnostic(severity, 'undeclared-variable', `'${ref.name}' is used here but not declared in inputs, sample or testData`, site.locate(ref.line, ref.col, ref.name.length)));
      }
    }
  }

  if (!includesOtherFiles) {
    for (const input of inputs) {
      if (all.includes(input.name)) continue;
      const severity = input.fromSample ? 'info' : 'warning';
      diagnostics.push(diagnostic(severity, 'unused-variable', `Input '${input.name}' is declared but no template uses it`, input.range));
    }
  }

  const defaults = new Set(inputs.filter((i) => i.default !== undefined).map((i) => i.name));
  for (const row of rows) {
    const missing = required.filter((name) => !(name in row.values) && !defaults.has(name));
    if (missing.length === 0) continue;
    const names = missing.map((n) => `'${n}'`).join(', ');
    diagnostics.push(diagnostic('error', 'missing-input', `${row.label} has no value for ${names}, which the template needs (no default)`, row.range));
  }
  return { variables: all, required, diagnostics };
}
