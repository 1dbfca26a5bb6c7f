// @ts-check
import js from '@eslint/js';
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import vitest from '@vitest/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const confined = (allowed) =>
  [
    { name: 'fastify', home: 'feed' },
    { name: '@fastify/*', home: 'feed' },
    { name: 'ical-generator', home: 'feed' },
    { name: 'prom-client', home: 'feed' },
    { name: 'drizzle-orm', home: 'db' },
    { name: 'drizzle-orm/*', home: 'db' },
    { name: 'better-sqlite3', home: 'db' },
    { name: 'undici', home: 'scraper' },
    { name: 'croner', home: 'scraper' },
    { name: 'ical.js', home: 'scraper' },
    { name: 'discord.js', home: 'bot' },
  ]
    .filter((lib) => lib.home !== allowed)
    .map((lib) => lib.name);

const boundary = (folder, forbidden) => ({
  files: [`src/${folder}/**/*.ts`],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: [
          ...(forbidden.length > 0
            ? [
                {
                  group: forbidden.map((name) => `**/${name}/**`),
                  message: `${folder} must not depend on ${forbidden.join(', ')}; receive what you need through its deps (app.ts wires).`,
                },
              ]
            : []),
          ...(folder === 'core' || folder === 'db'
            ? []
            : [
                {
                  group: ['**/db/**'],
                  allowTypeImports: true,
                  message: `${folder} may import db types only; instances come from app.ts.`,
                },
              ]),
          { group: confined(folder), message: 'this library is confined to another module.' },
        ],
      },
    ],
  },
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'drizzle/',
      'coverage/',
      'data/',
      'test/fixtures/',
      'src/web/public/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  comments.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-definitions': ['error', 'type'],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@eslint-community/eslint-comments/require-description': 'error',
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'read config from parseConfig() in main.ts',
        },
      ],
    },
  },
  boundary('core', ['db', 'scraper', 'feed', 'bot']),
  boundary('db', ['scraper', 'feed', 'bot']),
  boundary('scraper', ['feed', 'bot']),
  boundary('feed', ['scraper', 'bot']),
  boundary('bot', ['scraper', 'feed']),
  {
    files: ['src/main.ts', 'src/cli/**/*.ts', 'drizzle.config.ts', 'bench/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-restricted-properties': 'off', 'no-console': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    plugins: { vitest },
    rules: {
      ...vitest.configs.recommended.rules,
      '@typescript-eslint/no-non-null-assertion': 'off',
      'vitest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expect*', 'assert*'] }],
    },
  },
  { files: ['eslint.config.js', 'scripts/*.cjs'], ...tseslint.configs.disableTypeChecked },
  prettier,
);
