// HTML built from template literals, escaped by default. Every value placed
// in a template is escaped unless it is itself Html (a fragment built the same
// way), so text from the ERP, a partner's answer or a dead letter can never
// become markup on the admin page. Pure.

/** Markup that is already safe: built by `html`, or a constant of this codebase passed to `trusted`. */
export class Html {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as it may stand in an element or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** What a template accepts: text (escaped), numbers, Html, lists of them; null, undefined and false render nothing. */
export type Fragment = Html | string | number | bigint | boolean | null | undefined | readonly Fragment[];

function render(value: Fragment): string {
  if (value instanceof Html) return value.text;
  if (value === null || value === undefined || value === false || value === true) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** A tagged template: the literal parts are markup, every interpolated value is escaped (unless Html). */
export function html(strings: TemplateStringsArray, ...values: readonly Fragment[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** A constant of this codebase (a stylesheet, a fixed snippet) taken as markup; never for data. */
export const trusted = (text: string): Html => new Html(text);

/** An attribute that is present or absent (`checked`, `selected`, `aria-current="page"`). */
export const attr = (name: string, on: boolean, value?: string): Html => (on ? html` ${trusted(name)}${value === undefined ? '' : html`="${value}"`}` : new Html(''));
