import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

/** A file multer has streamed into the staging folder. */
export interface StagedFile {
  stagedName: string;
  originalName: string;
  size: number;
}

const NAME_PATTERN = /^[a-f0-9]{32}(\.[a-z0-9]{2,5})?$/;

/**
 * Where recordings live: uploads stream into a staging folder under a generated name and move into the
 * recordings folder only after their database row commits. Original file names are never used as paths.
 */
export class RecordingStorage {
  readonly stagingDir: string;

  constructor(readonly recordingsDir: string) {
    this.stagingDir = path.join(recordingsDir, '.staging');
  }

  ensureDirs(): void {
    fs.mkdirSync(this.stagingDir, { recursive: true });
  }

  static newName(): string {
    return crypto.randomBytes(16).toString('hex');
  }

  static isGeneratedName(name: string): boolean {
    return NAME_PATTERN.test(name);
  }

  stagedPath(name: string): string {
    return path.join(this.stagingDir, path.basename(name));
  }

  recordingPath(file: string): string {
    return path.join(this.recordingsDir, path.basename(file));
  }

  /** The staged upload becomes `<name>.<ext>` in the recordings folder. */
  async promote(stagedName: string, finalFile: string): Promise<void> {
    await fsp.rename(this.stagedPath(stagedName), this.recordingPath(finalFile));
  }

  async removeStaged(name: string): Promise<void> {
    await fsp.rm(this.stagedPath(name), { force: true });
  }

  async removeRecording(file: string): Promise<void> {
    await fsp.rm(this.recordingPath(file), { force: true });
  }

  async exists(file: string): Promise<boolean> {
    return fsp.access(this.recordingPath(file)).then(
      () => true,
      () => false,
    );
  }

  /** Synchronous check for the start-up reconciler, which checks every stored recording in a row. */
  existsSync(file: string): boolean {
    return fs.existsSync(this.recordingPath(file));
  }

  /** The recordings folder's files one at a time (a folder of a million recordings is never held in memory). */
  async *iterateRecordings(): AsyncGenerator<string> {
    const dir = await fsp.opendir(this.recordingsDir);
    for await (const entry of dir) {
      if (entry.isFile() && RecordingStorage.isGeneratedName(entry.name)) yield entry.name;
    }
  }

  async listStaged(): Promise<Array<{ name: string; mtimeMs: number }>> {
    const entries = await fsp.readdir(this.stagingDir, { withFileTypes: true });
    const files = [];
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const stat = await fsp.stat(path.join(this.stagingDir, entry.name)).catch(() => null);
      if (stat) files.push({ name: entry.name, mtimeMs: stat.mtimeMs });
    }
    return files;
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}
