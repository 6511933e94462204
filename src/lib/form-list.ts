/** A form field that may come once, many times or not at all (checkboxes, multi-selects), as a list of strings. */
export function formList(value: unknown): string[] {
  return (Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value]).map(String);
}
