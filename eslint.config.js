import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The layers in DESIGN.md are enforced here, not only described: shared/ stays
// free of Node and the DOM, and main-process services stay free of Electron.
const nodeBuiltins = ['node:*', 'fs', 'path', 'crypto', 'http', 'https', 'net', 'tls', 'os', 'child_process', 'stream', 'events', 'url', 'buffer', 'util'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}', 'gateway/static/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: nodeBuiltins, message: 'renderer/ runs in a browser context.' },
          { group: ['**/shared/node/*', '**/main/*', '**/gateway/*'], message: 'renderer/ reaches main and the gateway only through DesktopApi and HTTP.' },
        ],
      }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/node/**', 'shared/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: nodeBuiltins, message: 'shared/ is pure: Node-only code belongs in shared/node/.' }],
      }],
    },
  },
  {
    files: ['main/services/**/*.ts', 'main/desktop-api/**/*.ts', 'main/desktop-api-impl.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'main/services and the DesktopApi implementation run in plain Node: take what you need from Electron as a parameter.' }],
      }],
    },
  },
);
