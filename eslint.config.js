import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // e2e/fixtures are users' apps (CommonJS Node, Python), not this project's code.
  { ignores: ['node_modules/', 'dist/', '.run/', 'coverage/', 'e2e/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The dashboard's front end runs in the browser, as it is (no build step).
  {
    files: ['src/dashboard/public/**/*.js'],
    languageOptions: {
      globals: {
        window: 'readonly', document: 'readonly', location: 'readonly', fetch: 'readonly', EventSource: 'readonly',
        URL: 'readonly', URLSearchParams: 'readonly', Node: 'readonly', queueMicrotask: 'readonly',
      },
    },
  },
);
