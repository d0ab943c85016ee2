/** `text` as regular-expression source that matches exactly that text (every special character escaped). */
export function regexpLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
