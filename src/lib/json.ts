/** Stored JSON read back: the value, or null when there is no text or it no longer parses. */
export function storedJson<T>(text: string | null): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}
