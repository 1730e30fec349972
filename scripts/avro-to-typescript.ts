// Avro schema (schemas/*.avsc) → TypeScript: the record types and the schema
// itself as a constant, so a topic's contract has one source, the .avsc file.
// `npm run contracts:generate` writes src/contracts/generated/; a unit test
// renders every schema again and fails when a generated file is stale.

type AvroSchema = string | AvroSchema[] | { type: string | AvroSchema; name?: string; fields?: AvroField[]; symbols?: string[]; items?: AvroSchema; values?: AvroSchema; logicalType?: string; doc?: string };
interface AvroField {
  name: string;
  type: AvroSchema;
  doc?: string;
  default?: unknown;
}

const PRIMITIVES: Record<string, string> = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  bytes: 'Buffer',
  string: 'string',
};

const constName = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** The TypeScript module for one Avro schema. `source` names the .avsc file in the header comment. */
export function avroToTypeScript(schemaText: string, source: string): string {
  const schema = JSON.parse(schemaText) as AvroSchema;
  const declarations: string[] = [];
  const seen = new Set<string>();

  const typeOf = (s: AvroSchema): string => {
    if (typeof s === 'string') {
      const primitive = PRIMITIVES[s];
      if (primitive) return primitive;
      return seen.has(s) ? declaredName(s) : s;
    }
    if (Array.isArray(s)) return s.map(typeOf).join(' | ');
    if (typeof s.type !== 'string') return typeOf(s.type);
    switch (s.type) {
      case 'record':
        return declareRecord(s);
      case 'enum':
        return declareEnum(s);
      case 'array':
        return `${wrap(typeOf(s.items!))}[]`;
      case 'map':
        return `Record<string, ${typeOf(s.values!)}>`;
      default:
        return typeOf(s.type);
    }
  };
  const wrap = (t: string) => (t.includes('|') ? `(${t})` : t);
  const declaredName = (name: string) => (declarations.some((d) => d.includes(`interface ${name}Record `)) ? `${name}Record` : name);

  function declareRecord(s: Exclude<AvroSchema, string | AvroSchema[]>): string {
    const name = `${s.name!}Record`;
    seen.add(s.name!);
    const fields = (s.fields ?? []).map((f) => `${f.doc ? `  /** ${f.doc} */\n` : ''}  readonly ${f.name}: ${typeOf(f.type)};`);
    declarations.push(`${s.doc ? `/** ${s.doc} */\n` : ''}export interface ${name} {\n${fields.join('\n')}\n}`);
    return name;
  }

  function declareEnum(s: Exclude<AvroSchema, string | AvroSchema[]>): string {
    const name = s.name!;
    seen.add(name);
    const symbols = `${constName(name)}_SYMBOLS`;
    declarations.push(`export const ${symbols} = [${(s.symbols ?? []).map((x) => `'${x}'`).join(', ')}] as const;\nexport type ${name} = (typeof ${symbols})[number];`);
    return name;
  }

  const root = typeOf(schema);
  const rootName = typeof schema === 'object' && !Array.isArray(schema) ? schema.name! : root;
  return [
    `// Generated from ${source} by \`npm run contracts:generate\`: do not edit by hand.`,
    `// A unit test (test/unit/contracts/generated.test.ts) fails when this file and the schema differ.`,
    '',
    `/** The Avro schema, as registered with the schema registry (JSON.stringify it to register). */`,
    `export const ${constName(rootName)}_SCHEMA: object = ${JSON.stringify(schema, null, 2)};`,
    '',
    ...declarations.flatMap((d) => [d, '']),
  ].join('\n');
}
