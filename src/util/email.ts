// E-mail syntax, as the ERP's "Lista de E-mails" and partners' client data use it.

/** What Reativa accepts as an e-mail address. */
export const EMAIL = /^[^\s@;,]+@[^\s@;,]+\.[^\s@;,]+$/;

export const isEmail = (value: string): boolean => EMAIL.test(value);

/** The addresses of a ";"-separated list (e.g. "a@x.com;b@y.com"), trimmed, empty entries dropped. */
export function parseEmailList(value: string | null): string[] {
  return (value ?? '').split(';').map((e) => e.trim()).filter((e) => e.length > 0);
}
