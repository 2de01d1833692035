/** JSON columns: parse defensively so one corrupt row is reported, not a crash of the whole query. */
export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}
