import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerfileFacts, imageHasNoShell } from './dockerfile-facts.js';

function file(body: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'berth-dockerfile-')), 'Dockerfile');
  writeFileSync(path, body);
  return path;
}

describe('dockerfileFacts', () => {
  it('reads the image the built stage starts from', () => {
    expect(dockerfileFacts(file('ARG GO=1.23\nFROM golang:${GO} AS build\nFROM scratch\n'))).toEqual({ dockerfile: true, rootImage: 'scratch' });
    expect(dockerfileFacts(file('FROM node:20 AS base\nFROM base AS web\nFROM nginx:1.27\n'), 'web')).toEqual({ dockerfile: true, rootImage: 'node:20' });
  });

  it('says why a file is not a Dockerfile, never what it holds', () => {
    const facts = dockerfileFacts(file('API_KEY=canary-1\n'));
    expect(facts).toEqual({ dockerfile: false, reason: 'it has no FROM instruction' });
    expect(dockerfileFacts(file(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00])))).toEqual({ dockerfile: false, reason: 'it is a binary file' });
  });
});

describe('imageHasNoShell', () => {
  it.each(['scratch', 'gcr.io/distroless/static-debian12', 'gcr.io/distroless/python3-debian12:nonroot', 'cgr.dev/chainguard/static:latest', 'mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled'])('%s has none', (image) => expect(imageHasNoShell(image)).toBe(true));
  it.each(['python:3.12-slim', 'alpine', 'gcr.io/distroless/base-debian12:debug', 'cgr.dev/chainguard/python:latest-dev', 'node:20'])('%s has one', (image) => expect(imageHasNoShell(image)).toBe(false));
});
