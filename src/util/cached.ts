// A value that is costly to read (a round trip to Kafka or a database) and
// asked for often (every scrape, every probe): read at most once per `ttlMs`,
// and callers that ask while a read is under way share it. A failed read is
// not kept: the next caller reads again.
export class Cached<T> {
  private value: { readonly at: number; readonly result: T } | undefined;
  private reading: Promise<T> | undefined;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<T> {
    if (this.value && this.now() - this.value.at < this.ttlMs) return Promise.resolve(this.value.result);
    return (this.reading ??= this.read().then(
      (result) => {
        this.value = { at: this.now(), result };
        this.reading = undefined;
        return result;
      },
      (error: unknown) => {
        this.reading = undefined;
        throw error;
      },
    ));
  }
}
