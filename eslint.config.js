// @ts-check
const fs = require('node:fs');
const path = require('node:path');
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const globals = require('globals');
const importX = require('eslint-plugin-import-x');

// The rooms of the house (docs/ARCHITECTURE.md). A feature is a folder of src/ whose index.ts is its only
// public door; the kernel rooms (db, lib, types) are shared toolboxes any file may reach into.
const KERNEL = ['db', 'lib', 'types'];

// Kysely's query builder entry points: a call to one of these is a query, and queries live in *.queries.ts.
const QUERY_METHODS = 'selectFrom|selectNoFrom|insertInto|replaceInto|updateTable|deleteFrom|mergeInto';
const QUERY_OUTSIDE_QUERIES = [
  {
    selector: `CallExpression > MemberExpression.callee > Identifier.property[name=/^(${QUERY_METHODS})$/]`,
    message: 'Queries live in *.queries.ts (or src/db/): move this query there and call it.',
  },
  {
    selector: "TaggedTemplateExpression[tag.name='sql']",
    message: 'Raw SQL lives in *.queries.ts (or src/db/): move it there and call it.',
  },
  {
    selector: "CallExpression > MemberExpression.callee > Identifier.property[name='transaction']",
    message: 'Open a unit of work with inTransaction() from src/db/transaction.ts, not db.transaction().',
  },
];

const FEATURES = fs
  .readdirSync(path.join(__dirname, 'src'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !KERNEL.includes(entry.name))
  .map((entry) => entry.name);
const KERNEL_FILES = KERNEL.map((room) => `src/${room}/**`);
const kernelAlternation = KERNEL.join('|');
// A feature file (src/<feature>/x.ts) reaching into another room's files rather than its door.
const FEATURE_DOORS = {
  regex: `^\\.\\./(?!(${kernelAlternation})/)[^/]+/(?!index$).+`,
  message: 'Another feature is entered through its door only: import "../<feature>" (its index.ts).',
};
// The composition root (src/app.ts, server.ts, ...) goes through the doors too.
const ROOT_DOORS = {
  regex: `^\\./(?!(${kernelAlternation})/)[^/]+/(?!index$).+`,
  message: 'A feature is entered through its door only: import "./<feature>" (its index.ts).',
};
// The kernel (db, lib, types) knows no feature and no root file.
const KERNEL_WALLS = {
  regex: `^(\\.\\./)+(${FEATURES.join('|')})(/|$)|^(\\.\\./)+[a-z-]+$`,
  message: 'The kernel (src/db, src/lib, src/types) is shared by every feature and imports none of them.',
};
const KYSELY_VALUE_IMPORT = {
  name: 'kysely',
  allowTypeImports: true,
  message: 'Kysely is used in *.queries.ts and src/db/ only; other files may import its types.',
};
function restrictedImports(pattern, withoutKysely) {
  return {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      { paths: withoutKysely ? [KYSELY_VALUE_IMPORT] : [], patterns: [pattern] },
    ],
  };
}

module.exports = tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'data/', 'bench/results/', 'test-results/', 'static/build/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      'no-console': 'off',
    },
  },
  // Type-aware habits for the application code.
  {
    files: ['src/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-non-null-assertion': 'error',
      'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },
  // Rooms with doors: a feature reaches another only through its index.ts, and never in a cycle.
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [
        require('eslint-import-resolver-typescript').createTypeScriptImportResolver({
          project: path.join(__dirname, 'tsconfig.json'),
        }),
      ],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  { files: ['src/*/**/*.ts'], ignores: KERNEL_FILES, rules: restrictedImports(FEATURE_DOORS, true) },
  { files: ['src/*/**/*.queries.ts'], ignores: KERNEL_FILES, rules: restrictedImports(FEATURE_DOORS, false) },
  { files: ['src/*.ts'], rules: restrictedImports(ROOT_DOORS, true) },
  { files: KERNEL_FILES, ignores: ['src/db/**'], rules: restrictedImports(KERNEL_WALLS, true) },
  { files: ['src/db/**'], rules: restrictedImports(KERNEL_WALLS, false) },
  // Kysely only in *.queries.ts, src/db/ and migrations.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.queries.ts', 'src/db/**'],
    rules: { 'no-restricted-syntax': ['error', ...QUERY_OUTSIDE_QUERIES] },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
  {
    files: ['migrations/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: globals.node,
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['static/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: globals.browser,
    },
  },
);
