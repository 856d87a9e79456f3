// Public surface of the sanitizer; the detectors are exported too so the safety scorer reuses them.
export { DETECTORS, MARKERS, luhnValid } from './detectors';
export type { Detector, DetectorCategory } from './detectors';
export { Sanitizer, SanitizePatternError, SENSITIVE_KEY_KIND, isSensitiveKey } from './sanitizer';
export type { ExtraPattern, PatternProblem, SanitizeResult, SanitizeValueResult, SanitizerOptions } from './sanitizer';
