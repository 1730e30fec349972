// The error taxonomy (one class per file) and the one classifier.
export { ReativaError } from './reativa-error.js';
export { RetryableError } from './retryable-error.js';
export { PermanentError } from './permanent-error.js';
export { UnrecoverableError } from './unrecoverable-error.js';
export { TimeoutError } from './timeout-error.js';
export { SettingsError } from './settings-error.js';
export { InputError } from './input-error.js';
export { GroupBusyError } from './group-busy-error.js';
export { StackError } from './stack-error.js';
export { UnmappableError } from './unmappable-error.js';
export { RequestRefusedError } from './request-refused-error.js';
export { AttemptDeadlineError } from './attempt-deadline-error.js';
export { classifyError, isRetryable, type ErrorClass } from './classify.js';
