/** Colour for terminals: only on a TTY, never with NO_COLOR or TERM=dumb. */
import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

export function useColour(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

export function paint(style: Style, text: string, stream: NodeJS.WriteStream = process.stdout): string {
  return useColour(stream) ? styleText(style, text) : text;
}
