/**
 * Lays out and draws a diagram as SVG with Graphviz compiled to WebAssembly (@viz-js/viz): no native binary,
 * no network, no file. The SVG carries a title and a description for screen readers.
 */
import type { instance } from '@viz-js/viz';
import type { Diagram } from './diagram.js';
import { diagramFacts } from './diagram.js';
import { diagramTitle, diagramToDot, FONT } from './dot.js';

type Viz = Awaited<ReturnType<typeof instance>>;
let viz: Promise<Viz> | undefined;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The diagram as a standalone SVG document. */
export async function renderDiagramSvg(diagram: Diagram): Promise<string> {
  viz ??= import('@viz-js/viz').then((module) => module.instance());
  const svg = (await viz).renderString(diagramToDot(diagram), { format: 'svg' }).replaceAll(`font-family="${FONT}"`, `font-family="${FONT}, Verdana, sans-serif"`);
  const facts = diagramFacts(diagram);
  const description = [...facts.nodes, ...facts.edges].join('; ');
  // Graphviz's own <title> is the graph's name; the accessible name is the diagram's title.
  return svg.replace(/<svg\b([^>]*)>/, (_whole, attributes: string) =>
    `<svg${attributes} role="img" aria-labelledby="diagram-title diagram-desc"><title id="diagram-title">${escapeXml(`Architecture: ${diagramTitle(diagram)}`)}</title><desc id="diagram-desc">${escapeXml(description)}</desc>`);
}

/** The SVG without the XML declaration and doctype, for embedding in an HTML page. */
export function inlineSvg(svg: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, '').replace(/^<!DOCTYPE[^>]*>\s*/, '').replace(/<!--[\s\S]*?-->\s*/g, '');
}
