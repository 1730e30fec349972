/** An error's message, first line only, trimmed: what a log line, a CLI message or a page shows of it. */
export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}
