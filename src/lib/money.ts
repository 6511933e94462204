/** An amount of integer cents as the contact center's currency shows it, e.g. "$1,234.50". */
export function formatCents(cents: number, currency: string): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);
}
