// One metrics registry per process (prom-client), served at /metrics. Stages
// are not made to count twice: the counters they keep anyway (MapperStats,
// RoutingStats, DeliveryStats) are read when Prometheus scrapes, through
// collect() callbacks, so the hot paths do no extra work. What needs I/O
// (consumer lag, parked keys) is read at scrape time too, with a deadline and
// a short cache. Delivery outcomes per webhook come from DeliveryTally
// (delivery-tally.ts), which writes its own exposition.
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

export type Labels = Readonly<Record<string, string>>;

/** One value of a metric, with its labels. */
export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

/** Where a metric's samples come from, read at each scrape. */
export type SampleSource = () => readonly Sample[] | Promise<readonly Sample[]>;

interface Family {
  readonly sources: SampleSource[];
}

export class ProcessMetrics {
  readonly registry = new Registry();
  private readonly families = new Map<string, Family>();
  private readonly texts: (() => string)[] = [];

  constructor() {
    // CPU, memory, event-loop lag, GC, handles: prom-client's standard process_* and nodejs_* series.
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * A counter whose value a stage already keeps (a total since the process
   * started). Several sources may feed one name (dead letters of each stage).
   */
  counter(name: string, help: string, labelNames: readonly string[], source: SampleSource): void {
    this.family(name, () => {
      const sources: SampleSource[] = [];
      new Counter({
        name,
        help,
        labelNames: [...labelNames],
        registers: [this.registry],
        async collect() {
          const samples = await readAll(sources);
          this.reset();
          for (const s of samples) this.inc({ ...s.labels }, s.value);
        },
      });
      return { sources };
    }).sources.push(source);
  }

  /** A gauge read at scrape time; several sources may feed one name. */
  gauge(name: string, help: string, labelNames: readonly string[], source: SampleSource): void {
    this.family(name, () => {
      const sources: SampleSource[] = [];
      new Gauge({
        name,
        help,
        labelNames: [...labelNames],
        registers: [this.registry],
        async collect() {
          const samples = await readAll(sources);
          this.reset();
          for (const s of samples) this.set({ ...s.labels }, s.value);
        },
      });
      return { sources };
    }).sources.push(source);
  }

  /** Metric families written out whole (already in the text format), after the registry's. */
  text(render: () => string): void {
    this.texts.push(render);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition, as /metrics serves it. */
  async exposition(): Promise<string> {
    const text = await this.registry.metrics();
    return [text, ...this.texts.map((render) => render())].join('\n');
  }

  private family(name: string, create: () => Family): Family {
    let family = this.families.get(name);
    if (!family) this.families.set(name, (family = create()));
    return family;
  }
}

/** Every source's samples; one that fails (its I/O away) gives none, so the rest of the scrape still answers. */
async function readAll(sources: readonly SampleSource[]): Promise<Sample[]> {
  const read = await Promise.all(sources.map(async (source) => (await Promise.resolve().then(source).catch(() => [])) as readonly Sample[]));
  return read.flat();
}

/** A single unlabelled value. */
export const one = (value: number): Sample[] => [{ labels: {}, value }];
