import { UnrecoverableError } from './unrecoverable-error.js';

/** The environment holds invalid settings; names every bad variable. */
export class SettingsError extends UnrecoverableError {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
