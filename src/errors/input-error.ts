import { PermanentError } from './permanent-error.js';

/** A command-line option or argument that cannot be used; the message names it. */
export class InputError extends PermanentError {}
