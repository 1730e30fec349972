// Long synchronous loops (a batch of thousands of records) give the event loop
// back now and then, so the other stages of the same process — delivery's
// HTTP requests and their answers above all — are not held up behind them.
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Records handled between two yields: a few milliseconds of work. */
export const YIELD_EVERY = 256;
