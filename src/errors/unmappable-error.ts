import { PermanentError } from './permanent-error.js';

/** An ERP change the mapper cannot turn into events (a row without its key, an unknown table). */
export class UnmappableError extends PermanentError {}
