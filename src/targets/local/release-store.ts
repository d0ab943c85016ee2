/** The numbered releases of one local environment, kept in releases.json in its state folder. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Release } from '../operations.js';
import { writePrivateFile } from './private-files.js';

interface ReleasesFile {
  releases: Release[];
  /** The release serving now, if any. */
  current?: number;
}

export class ReleaseStore {
  private readonly path: string;

  constructor(readonly dir: string) {
    this.path = join(dir, 'releases.json');
  }

  read(): ReleasesFile {
    if (!existsSync(this.path)) return { releases: [] };
    return JSON.parse(readFileSync(this.path, 'utf8')) as ReleasesFile;
  }

  /** Rewrites the file (destroy clears `current`). */
  replace(content: ReleasesFile): void {
    this.write(content);
  }

  private write(content: ReleasesFile): void {
    writePrivateFile(this.path, `${JSON.stringify(content, null, 2)}\n`);
  }

  nextNumber(): number {
    return Math.max(0, ...this.read().releases.map((release) => release.number)) + 1;
  }

  /**
   * Takes the next number and records it at once as `deploying`, before anything is built: a number is given out
   * once, even when the deploy is killed (the next command marks it interrupted, settleInterrupted).
   */
  allocate(image: string, createdBy: string, rollbackOf?: number): number {
    const number = this.nextNumber();
    this.record({ number, image, digest: '', createdAt: new Date().toISOString(), createdBy, status: 'deploying', ...(rollbackOf !== undefined ? { rollbackOf } : {}) });
    return number;
  }

  /** Marks releases still `deploying` as interrupted: called while no deploy can run (the lock is free or held by us). */
  settleInterrupted(): void {
    const content = this.read();
    const stale = content.releases.filter((release) => release.status === 'deploying');
    if (stale.length === 0) return;
    for (const release of stale) {
      release.status = 'interrupted';
      release.reason ??= 'the deploy stopped before it finished (killed or interrupted)';
    }
    this.write(content);
  }

  current(): Release | undefined {
    const content = this.read();
    return content.releases.find((release) => release.number === content.current);
  }

  get(number: number): Release | undefined {
    return this.read().releases.find((release) => release.number === number);
  }

  /** Records a new release; when it is deployed it becomes current and the previous one is superseded. */
  record(release: Release): void {
    const content = this.read();
    content.releases = content.releases.filter((existing) => existing.number !== release.number);
    if (release.status === 'deployed') {
      for (const existing of content.releases) if (existing.status === 'deployed') existing.status = 'superseded';
      content.current = release.number;
    }
    content.releases.push(release);
    content.releases.sort((a, b) => b.number - a.number);
    this.write(content);
  }

  /** Newest first. */
  list(): Release[] {
    return this.read().releases;
  }
}
