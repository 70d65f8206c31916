/**
 * A user-facing command-line error: printed as `error: <message>` without a stack trace, exit code 1
 * (2 for bad usage, as commander does for unknown options).
 */
export class CliError extends Error {
  override name = 'CliError';
  /** The process exit code. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}
