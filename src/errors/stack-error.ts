import { UnrecoverableError } from './unrecoverable-error.js';

/** The embedded stack cannot start: a missing prerequisite, a taken port, a service that exited. */
export class StackError extends UnrecoverableError {}
