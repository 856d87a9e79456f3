import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/*
 * Mocha runner loaded by VS Code's extension host (extensionTestsPath). esbuild compiles each
 * test/integration/*.ts to out/test/integration/*.js, so the suites are the *.test.js files
 * next to this one. Mocha's own "N passing" summary is not what CI greps for, so we print
 * one `N passed, N failed` line; the code-server runner relays it from the browser console.
 */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 30_000 });
  // Restricted-Mode runs (PROMPTLAB_UNTRUSTED=1) take only the *.untrusted tests; normal runs the rest.
  const untrusted = process.env.PROMPTLAB_UNTRUSTED === '1';
  // PROMPTLAB_TEST_FILES=dashboard,health runs only the suites whose file names start with those words (for development).
  const only = (process.env.PROMPTLAB_TEST_FILES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js') && f.endsWith('.untrusted.test.js') === untrusted)
    .filter((f) => !only.length || only.some((o) => f.startsWith(o))).sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        console.log(`${runner.stats?.passes ?? 0} passed, ${runner.stats?.failures ?? failures} failed`);
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed.`));
        else resolve();
      });
    } catch (e) {
      // A suite that throws while loading never reaches the callback: count the load as one failure.
      console.error(e);
      console.log('0 passed, 1 failed');
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}
