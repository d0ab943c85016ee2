import { describe, expect, it } from 'vitest';
import { readDependencies } from './dependencies.js';
import { projectFromRecord } from './project-files.js';

const names = (files: Record<string, string>) => readDependencies(projectFromRecord(files)).map((dep) => `${dep.ecosystem}:${dep.name}@${dep.file}`);

describe('readDependencies', () => {
  it('reads requirements files: extras, markers, comments, options and normalised names', () => {
    const text = [
      '# web',
      'Flask==3.0.3',
      'uvicorn[standard]>=0.29 ; python_version >= "3.9"',
      'psycopg2_binary==2.9.9  # driver',
      '-r base.txt',
      '--index-url https://example.com/simple',
      'git+https://github.com/org/pkg.git#egg=Some.Package',
      '',
    ].join('\n');
    expect(names({ 'requirements.txt': text, 'requirements/prod.txt': 'gunicorn\n' })).toEqual([
      'python:flask@requirements.txt',
      'python:uvicorn@requirements.txt',
      'python:psycopg2-binary@requirements.txt',
      'python:some-package@requirements.txt',
      'python:gunicorn@requirements/prod.txt',
    ]);
  });

  it('reads pyproject.toml: PEP 621 dependencies, optional dependencies, dependency groups and Poetry tables', () => {
    const pep621 = '[project]\nname = "x"\ndependencies = [\n  "fastapi>=0.111",  # web\n  \'asyncpg\',\n]\n[project.optional-dependencies]\nredis = ["redis>=5"]\n[dependency-groups]\ndev = ["pytest"]\n';
    expect(names({ 'pyproject.toml': pep621 })).toEqual([
      'python:fastapi@pyproject.toml', 'python:asyncpg@pyproject.toml', 'python:redis@pyproject.toml', 'python:pytest@pyproject.toml',
    ]);
    const poetry = '[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\npython = "^3.12"\nDjango = "^5.0"\npsycopg = { version = "^3.1", extras = ["binary"] }\n[tool.poetry.group.dev.dependencies]\npytest = "*"\n';
    expect(readDependencies(projectFromRecord({ 'pyproject.toml': poetry }))).toEqual([
      { name: 'django', ecosystem: 'python', file: 'pyproject.toml', version: '^5.0' },
      { name: 'psycopg', ecosystem: 'python', file: 'pyproject.toml', version: '^3.1' },
      { name: 'pytest', ecosystem: 'python', file: 'pyproject.toml' },
    ]);
  });

  it('reads Pipfile packages and dev-packages, package.json dependencies and Gemfile gems', () => {
    expect(names({ Pipfile: '[packages]\nstreamlit = "*"\n[dev-packages]\nblack = "*"\n[requires]\npython_version = "3.12"\n' })).toEqual([
      'python:streamlit@Pipfile', 'python:black@Pipfile',
    ]);
    expect(names({ 'package.json': JSON.stringify({ dependencies: { next: '14.2.3' }, devDependencies: { prisma: '^5' } }) })).toEqual([
      'node:next@package.json', 'node:prisma@package.json',
    ]);
    expect(readDependencies(projectFromRecord({ Gemfile: 'source "https://rubygems.org"\ngem "rails", "~> 7.1.3"\n  gem \'pg\'\n# gem "mysql2"\n' }))).toEqual([
      { name: 'rails', ecosystem: 'ruby', file: 'Gemfile', version: '~> 7.1.3' },
      { name: 'pg', ecosystem: 'ruby', file: 'Gemfile' },
    ]);
  });

  it('ignores dependency files in subfolders and broken package.json', () => {
    expect(names({ 'frontend/package.json': '{"dependencies":{"next":"14"}}', 'package.json': '{ not json' })).toEqual([]);
  });
});
