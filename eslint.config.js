// Lint: typescript-eslint's recommended rules, plus the naming rule: camelCase names (PascalCase
// for types and classes, UPPER_CASE or PascalCase for constants, upper-case letters for the
// kernels' math sizes such as N, T, B, H), and snake_case only for the names that are PyTorch's
// or a file format's verbatim (the allow-list below): state_dict keys of parameters and buffers,
// optimizer and scheduler state keys, pickle module names, and the C symbols of the wasm module.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Names used verbatim from PyTorch or a file format (see the comment above). */
const VERBATIM = [
  // parameters and buffers (state_dict keys): weight_ih_l0, bias_hh_l1_reverse, weight_hr_l0, ...
  '(weight|bias)_(ih|hh|hr)(_l\\d+(_reverse)?)?',
  'running_mean', 'running_var', 'num_batches_tracked',
  // attention (state_dict keys): MultiheadAttention's parameters and out_proj, TransformerEncoderLayer's self_attn
  '(in|q|k|v)_proj_weight', 'in_proj_bias', 'out_proj', 'bias_[kv]', 'self_attn',
  // optimizer state and param-group keys (torch.optim state_dict)
  'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq', 'momentum_buffer', 'square_avg', 'grad_avg', 'param_groups',
  'weight_decay', 'lr_decay', 'initial_accumulator_value', 'initial_lr',
  'func_evals', 'n_iter', 'old_dirs', 'old_stps', 'H_diag', 'prev_flat_grad', 'prev_loss', // LBFGS
  // lr-scheduler state keys
  'last_epoch', '_last_lr', 'start_lr', 'end_lr', 'start_momentum', 'end_momentum', 'end_step',
  // loss options as PyTorch's state_dict buffers name them
  'pos_weight',
  // file formats: safetensors header, pickle modules, the bench's ONNX manifest (bench/export_onnx.py)
  'data_offsets', 'copy_reg', '__builtin__', 'script_sha256',
  // the wasm module's C exports
  'tl_\\w+', '__\\w+',
];
const verbatim = { regex: `^(${VERBATIM.join('|')})$`, match: true };

const members = ['objectLiteralProperty', 'typeProperty', 'classProperty', 'objectLiteralMethod', 'classMethod', 'typeMethod', 'accessor', 'parameterProperty'];
const naming = [
  { selector: 'default', format: ['camelCase'], leadingUnderscore: 'allow', trailingUnderscore: 'allow' },
  { selector: 'import', format: null },
  { selector: 'variable', format: ['camelCase', 'UPPER_CASE', 'PascalCase'], leadingUnderscore: 'allow' },
  { selector: 'variable', filter: verbatim, format: null },
  // the kernels' math sizes (N, T, B, H, TMax) are upper case, as in the papers and PyTorch's kernels
  { selector: 'parameter', format: ['camelCase', 'PascalCase', 'UPPER_CASE'], leadingUnderscore: 'allow' },
  { selector: 'typeLike', format: ['PascalCase'] },
  { selector: members, format: ['camelCase', 'PascalCase', 'UPPER_CASE'], leadingUnderscore: 'allow', trailingUnderscore: 'allow' },
  { selector: members.filter((m) => m !== 'parameterProperty'), filter: verbatim, format: null },
  { selector: ['objectLiteralProperty', 'objectLiteralMethod', 'typeProperty'], modifiers: ['requiresQuotes'], format: null },
];

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
  { files: ['**/*.ts'], rules: { '@typescript-eslint/naming-convention': ['error', ...naming] } },
  {
    // Tests also hand the API what a user might: PyTorch's snake_case keyword names (to check the
    // "did you mean" errors) and integer-like member names (to check registration order).
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/naming-convention': ['error', { selector: members, format: null }, ...naming] },
  },
);
