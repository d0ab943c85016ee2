// Writes docs/berth-yml.md from the section docs in src/config/reference.ts (built to dist/ by `npm run docs`).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderReferenceMarkdown } from '../dist/config/reference-markdown.js';

const target = fileURLToPath(new URL('../docs/berth-yml.md', import.meta.url));
writeFileSync(target, renderReferenceMarkdown());
console.log('wrote docs/berth-yml.md');
