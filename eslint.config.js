// Lint rules that catch bugs, not style (formatting is left alone): ESLint's recommended set
// (unreachable code, duplicate keys, self-comparison, ...), typescript-eslint's type-aware checks
// for promises nobody awaits or promises passed where a value is expected, and facematch's own rule
// against viewing a Buffer's pooled ArrayBuffer without its offset and length.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const TYPED_ARRAY = '/^(Uint8|Uint8Clamped|Int8|Uint16|Int16|Uint32|Int32|Float32|Float64|BigInt64|BigUint64)Array$|^DataView$/';

export default tseslint.config(
  { ignores: ['dist/**', 'docs/site/**', 'node_modules/**', 'coverage/**', '.cache/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js', 'vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Promises: a forgotten await loses errors and ordering.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      // Values that do not say what they are: "[object Object]" in a message, for-in over arrays.
      '@typescript-eslint/no-base-to-string': 'error',
      '@typescript-eslint/no-for-in-array': 'error',
      '@typescript-eslint/no-implied-eval': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-constant-binary-expression': 'error',
      'no-self-compare': 'error',
      // A variable a closure reads before its one assignment cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      'no-template-curly-in-string': 'error',
      // Not 'no-promise-executor-return': `new Promise((r) => emitter.once('x', r))` and
      // `new Promise((r) => setTimeout(r, ms))` return a value nobody reads; the rule only flags style.
      // tsc already fails on an undefined name, in the scripts too (checkJs), with the right globals.
      'no-undef': 'off',
      // Style rules of the recommended sets that find no bugs.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Bytes are bytes: a small Buffer shares an 8 KB pooled ArrayBuffer.
      'no-restricted-syntax': [
        'error',
        {
          selector: `NewExpression[callee.name=${TYPED_ARRAY}][arguments.length=1] > MemberExpression.arguments[property.name='buffer']`,
          message: 'A view of x.buffer without x.byteOffset and x.byteLength covers the whole (possibly pooled) ArrayBuffer: pass both.',
        },
        {
          selector: "CallExpression[callee.object.name='Buffer'][callee.property.name='from'][arguments.length=1] > MemberExpression.arguments[property.name='buffer']",
          message: 'Buffer.from(x.buffer) copies the whole (possibly pooled) ArrayBuffer: pass x.byteOffset and x.byteLength.',
        },
      ],
    },
  },
  {
    // Files other branches are changing now; their findings (6 on this branch: String() of a
    // non-string in src/image/load.ts, a rethrown error without its cause in src/image/png-check.ts,
    // four Buffer.from(x.buffer) in test/embed-facenet.test.ts) are shown as warnings until those
    // branches land. Then delete this block: every rule is an error everywhere.
    files: ['src/image/load.ts', 'src/image/png-check.ts', 'test/embed-facenet.test.ts'],
    rules: {
      '@typescript-eslint/no-base-to-string': 'warn',
      'preserve-caught-error': 'warn',
      'no-restricted-syntax': 'warn',
    },
  },
  {
    // Plain JavaScript (the scripts, this file): no type annotations to check against.
    files: ['**/*.mjs', '**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
