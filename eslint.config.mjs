// Layering is enforced here, not by hope: core, shared and webview code must stay editor-free
// (core also runs in the CLI and the store worker; webview runs in a browser).
import tseslint from 'typescript-eslint';

const noVscode = {
  paths: [{ name: 'vscode', message: 'src/core, src/shared and webview/ must not import vscode; put editor glue in src/extension.' }],
  patterns: [
    { group: ['**/extension/**', '**/extension'], message: 'core/shared/webview must not import from src/extension.' },
    { group: ['**/cli/**'], message: 'core/shared/webview must not import from src/cli.' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'media/**', '.bench-data/**', '.test-data/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-exports': ['error', { restrictDefaultExports: { direct: true, named: true, defaultFrom: true, namedFrom: true, namespaceFrom: true } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
  { files: ['src/core/**/*.ts', 'src/shared/**/*.ts', 'webview/**/*.ts'], rules: { 'no-restricted-imports': ['error', noVscode] } },
  { files: ['src/shared/**/*.ts'], rules: { 'no-restricted-imports': ['error', { ...noVscode, patterns: [...noVscode.patterns, { group: ['**/core/**'], message: 'src/shared imports nothing but zod (types from core are fine).', allowTypeImports: true }] }] } },
  { files: ['webview/**/*.ts'], rules: { 'no-restricted-imports': ['error', { ...noVscode, patterns: [...noVscode.patterns, { group: ['**/core/**'], message: 'webview code runs in a browser: import src/shared only (types from core are fine).', allowTypeImports: true }, { group: ['node:*', 'fs', 'path', 'child_process'], message: 'webview code runs in a browser.' }] }] } },
);
