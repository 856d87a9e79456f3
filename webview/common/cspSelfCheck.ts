/*
 * Self-check for the webview CSP, shared by every panel: each refused script, style or
 * eval is counted on #app[data-csp-violations] and the last one named in data-csp-last, so
 * the integration tests (through the DOM bridge) fail on any violation. Import it first.
 */
let count = 0;
document.addEventListener('securitypolicyviolation', (e) => {
  count++;
  const app = document.getElementById('app');
  app?.setAttribute('data-csp-violations', String(count));
  app?.setAttribute('data-csp-last', `${e.violatedDirective}: ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber}) ${e.sample}`.slice(0, 500));
});

/** Violations seen so far in this webview. */
export function cspViolationCount(): number { return count; }
