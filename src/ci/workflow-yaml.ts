/** A workflow object as the YAML text berth writes (pure): a header that says how to regenerate it, `# vX.Y.Z` beside each pinned action. */
import { Document, isPair, isScalar, visit } from 'yaml';
import { pinnedVersion } from './pinned-actions.js';

export function workflowYaml(workflow: Record<string, unknown>, header: readonly string[]): string {
  const doc = new Document(workflow, { aliasDuplicateObjects: false });
  visit(doc, {
    Pair(_key, pair) {
      if (isPair(pair) && isScalar(pair.key) && pair.key.value === 'uses' && isScalar(pair.value) && typeof pair.value.value === 'string') {
        const version = pinnedVersion(pair.value.value);
        if (version) pair.value.comment = ` ${version}`;
      }
    },
  });
  doc.commentBefore = header.map((line) => ` ${line}`).join('\n');
  return doc.toString({ lineWidth: 0, blockQuote: 'literal' });
}
