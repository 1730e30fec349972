// Durations as operators write them in settings: "10s", "5m", "2h", "250ms".
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses one duration; throws an Error naming the text when it is not one. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!match) throw new Error(`"${text.trim()}" is not a duration like 10s, 5m or 2h`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** Parses a comma-separated list of durations ("10s,1m,5m"). */
export function parseDurationList(text: string): number[] {
  return text.split(',').map(parseDuration);
}
