import { describe, expect, it } from 'vitest';
import { appFolder, isDeployable } from './app-folder.js';
import { projectFromRecord } from './project-files.js';

const folder = (files: Record<string, string>) => appFolder(projectFromRecord(files));

describe('appFolder', () => {
  it('finds a Dockerfile, a compose file or app code', () => {
    expect(folder({ Dockerfile: 'FROM alpine\n' })).toEqual({ dockerfile: 'Dockerfile' });
    expect(folder({ 'docker-compose.yml': 'services: {}\n' })).toEqual({ composeFile: 'docker-compose.yml' });
    expect(folder({ 'go.mod': 'module x\n', 'main.go': '' })).toEqual({ appCode: 'go.mod' });
    expect(folder({ 'src/index.ts': '' })).toEqual({ appCode: 'src/index.ts' });
  });

  it('is not deployable with only documents, tests or nothing at all', () => {
    const folders: Array<Record<string, string>> = [{}, { 'README.md': '# hi' }, { 'notes.txt': '', 'tests/test_x.py': '' }, { 'docs/Dockerfile.md': '' }];
    for (const files of folders) {
      expect(isDeployable(folder(files))).toBe(false);
    }
    expect(isDeployable(folder({ 'app.rb': '' }))).toBe(true);
  });
});
