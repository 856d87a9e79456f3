// Public surface of the statistics core: pure TypeScript, no editor or Node dependencies.
//
// Conventions, shared by every function:
// - "difference" is b − a: the variant minus the control, and CIs are in that direction;
// - test statistics follow SciPy's argument order (a, b) and defaults: t and z are for a − b,
//   Mann-Whitney's U is the statistic of a;
// - what cannot be computed is { available: false, reason } (Stat<T>), never NaN.
export * from './stat';
export * from './specialFunctions';
export * from './distributions';
export * from './noncentralT';
export * from './descriptive';
export * from './tTests';
export * from './rankTests';
export * from './proportions';
export * from './pairedProportions';
export * from './power';
export * from './multipleComparisons';
export * from './bootstrap';
export * from './format';
export * from './compareTypes';
export { compareMetrics } from './compareMetrics';
export { abSummary, verdictOf } from './recommendation';
export type { ComparisonEvidence, WordingContext } from './recommendation';
