// Lint: typescript-eslint's recommended rules. snake_case is allowed only where PyTorch's
// parameter and state_dict names are used verbatim (STYLE.md section 5).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'docs/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // the browser demo page runs in a browser, not Node
    files: ['examples/web/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        ['document', 'window', 'fetch', 'performance', 'setTimeout', 'URLSearchParams', 'location', 'console', 'requestAnimationFrame'].map(
          (g) => [g, 'readonly'],
        ),
      ),
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
);
