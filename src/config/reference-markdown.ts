/** docs/berth-yml.md, rendered from the section docs in reference.ts (npm run docs writes it; a test keeps it current). */
import { READING_RULES, SECTION_DOCS } from './reference.js';

const MINIMAL = ['# yaml-language-server: $schema=.berth/schema.json', 'app: news-api', 'service:', '  port: 8000', '  health: { path: /health }'].join('\n');

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderReferenceMarkdown(): string {
  const out: string[] = [
    '# berth.yml reference',
    '',
    '<!-- Generated from src/config/reference.ts by `npm run docs`. Do not edit by hand. -->',
    '',
    'One `berth.yml` describes the app for every environment: `local` (the local Docker engine, the default) and any AWS environment you name under `environments`. `berth init` writes a commented one for your app, from its Dockerfile and code or by converting its compose file (each built service, the migration, PostgreSQL and Redis, environment and secret names; it lists what it did not carry over); `berth validate` checks it and prints what an environment resolves to.',
    '',
    'The smallest valid file:',
    '',
    '```yaml',
    MINIMAL,
    '```',
    '',
    'The first line lets editors with the YAML language server (VS Code\'s YAML extension, Neovim, JetBrains with the plugin) complete and check keys. `berth init` writes the schema of the installed berth to `.berth/schema.json` beside berth.yml (editors resolve the path relative to the file, so it works on every machine and offline); `berth schema > .berth/schema.json` refreshes it after upgrading berth, or on a clone that does not commit `.berth/`.',
    '',
    '## Sections',
    '',
    ...SECTION_DOCS.map((section) => `- [\`${section.key}\`](#${section.key.toLowerCase().replace(/[^a-z0-9_-]/g, '')}): ${section.summary.split('. ')[0]!.replace(/\.$/, '')}.`),
    '',
  ];
  for (const section of SECTION_DOCS) {
    out.push(`## ${section.key}`, '', section.summary, '', `**Default:** ${section.default}`, '', '```yaml', section.example, '```', '');
    if (section.fields?.length) {
      out.push('| Key | Meaning | Default |', '|---|---|---|');
      for (const field of section.fields) out.push(`| \`${field.key}\` | ${cell(field.doc)} | ${field.default === undefined ? '' : `\`${cell(field.default)}\``} |`);
      out.push('');
    }
  }
  out.push('## How berth reads berth.yml', '', ...READING_RULES.map((rule) => `- ${rule}`), '');
  return `${out.join('\n').trimEnd()}\n`;
}
