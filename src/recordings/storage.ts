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
  /** The staging folders of every app process (`.staging/<instance>`). */
  readonly stagingRoot: string;
  /** This process's own staging folder: nothing else writes there, so at start-up all of it is leftovers. */
  readonly stagingDir: string;

  constructor(
    readonly recordingsDir: string,
    readonly instance = 'main',
  ) {
    this.stagingRoot = path.join(recordingsDir, '.staging');
    this.stagingDir = path.join(this.stagingRoot, instance);
  }

  ensureDirs(): void {
    fs.mkdirSync(this.stagingDir, { recursive: true });
    fs.mkdirSync(this.peaksDir, { recursive: true });
  }

  /** Waveform peaks, one file per recording named after it, in their own folder beside the recordings. */
  get peaksDir(): string {
    return path.join(this.recordingsDir, 'peaks');
  }

  /** The peaks file of a recording (`<name>.peaks` for `<name>.<ext>`). */
  peaksPath(recordingFile: string): string {
    return path.join(this.peaksDir, `${peaksStem(recordingFile)}.peaks`);
  }

  /**
   * Where an analysis writes peaks before its results commit: `<name>.<instance>.<unique>.tmp`, so two runs
   * never collide and the start-up clean-up knows which leftovers are this process's own.
   */
  peaksTempPath(recordingFile: string): string {
    return path.join(this.peaksDir, `${peaksStem(recordingFile)}.${this.instance}.${RecordingStorage.newName()}.tmp`);
  }

  /** The peaks folder's file names one at a time (for the start-up clean-up; never held whole in memory). */
  async *iteratePeaksFolder(): AsyncGenerator<string> {
    const dir = await fsp.opendir(this.peaksDir);
    for await (const entry of dir) if (entry.isFile()) yield entry.name;
  }

  /** When a file in the peaks folder was last written (ms), or null when it is gone. */
  async peaksFolderMtime(name: string): Promise<number | null> {
    const stat = await fsp.stat(path.join(this.peaksDir, path.basename(name))).catch(() => null);
    return stat ? stat.mtimeMs : null;
  }

  async removeFromPeaksFolder(name: string): Promise<void> {
    await fsp.rm(path.join(this.peaksDir, path.basename(name)), { force: true });
  }

  /** The analysis committed: its peaks become the recording's peaks file. */
  async promotePeaks(tempPath: string, recordingFile: string): Promise<void> {
    await fsp.rename(tempPath, this.peaksPath(recordingFile));
  }

  async removePeaks(recordingFile: string): Promise<void> {
    await fsp.rm(this.peaksPath(recordingFile), { force: true });
  }

  /** Whether recordings live in object storage (S3RecordingStorage) rather than in recordingsDir. */
  get remote(): boolean {
    return false;
  }

  /**
   * Writes a checked upload where a crash cannot lose it before its row commits. On disk the staged file already
   * is that; object storage uploads it under a staging key (s3-storage.ts).
   */
  async stageRecording(_stagedName: string, _finalFile: string): Promise<void> {}

  /** Takes back what stageRecording wrote for a row that did not commit (on disk: nothing beyond staging). */
  async unstageRecording(_finalFile: string): Promise<void> {}

  /** Runs `use` with a local path of the recording (object storage: a temporary copy, removed afterwards). */
  async withLocalRecording<T>(file: string, use: (localPath: string) => Promise<T>): Promise<T> {
    if (!(await this.exists(file))) throw new Error('The recording file is not in storage.');
    return use(this.recordingPath(file));
  }

  /** Resolves when recordings can be written and read (for /readyz); rejects with the reason otherwise. */
  async ready(): Promise<void> {
    await fsp.access(this.recordingsDir, fs.constants.R_OK | fs.constants.W_OK);
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

  /** Removes a recording and the waveform peaks drawn from it. */
  async removeRecording(file: string): Promise<void> {
    await fsp.rm(this.recordingPath(file), { force: true });
    await this.removePeaks(file);
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

  /** Whether this process's staging folder holds `name` (an upload on its way in). */
  stagedExistsSync(name: string): boolean {
    return fs.existsSync(this.stagedPath(name));
  }

  /** The recordings folder's files one at a time (a folder of a million recordings is never held in memory). */
  async *iterateRecordings(): AsyncGenerator<string> {
    const dir = await fsp.opendir(this.recordingsDir);
    for await (const entry of dir) {
      if (entry.isFile() && RecordingStorage.isGeneratedName(entry.name)) yield entry.name;
    }
  }

  /** The files in this process's staging folder. */
  async listStaged(): Promise<Array<{ name: string; mtimeMs: number }>> {
    return listFiles(this.stagingDir);
  }

  /** Whether any process's staging folder holds `name` (an upload on its way in, here or in another process). */
  stagedAnywhereSync(name: string): boolean {
    if (this.stagedExistsSync(name)) return true;
    const folders = fs.readdirSync(this.stagingRoot, { withFileTypes: true }).filter((e) => e.isDirectory());
    return folders.some((e) => fs.existsSync(path.join(this.stagingRoot, e.name, path.basename(name))));
  }

  /** The names of the other app processes' staging folders (`.staging/<instance>`). */
  async otherStagingFolders(): Promise<string[]> {
    const entries = await fsp.readdir(this.stagingRoot, { withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isDirectory() && e.name !== this.instance).map((e) => e.name);
  }

  /**
   * Takes over a dead process's staging folder: its files move into this process's folder (a rename each, so two
   * processes adopting at once each get a file or nothing), then the folder goes. Returns the names moved.
   */
  async adoptStaging(instance: string): Promise<Array<{ name: string; mtimeMs: number }>> {
    const folder = path.join(this.stagingRoot, path.basename(instance));
    if (folder === this.stagingDir || path.basename(instance) !== instance) return [];
    const moved = [];
    for (const file of await listFiles(folder)) {
      const ok = await fsp.rename(path.join(folder, file.name), this.stagedPath(file.name)).then(
        () => true,
        () => false,
      );
      if (ok) moved.push(file);
    }
    await fsp.rm(folder, { recursive: true, force: true });
    return moved;
  }

  /**
   * Files in staging that no live process owns: the folders of `except` are left out (this process's own is
   * always), and files directly under `.staging/` from versions before staging was per process are included.
   * Paths are relative to the staging root.
   */
  async listOthersStaged(except: ReadonlySet<string> = new Set()): Promise<Array<{ name: string; mtimeMs: number }>> {
    const entries = await fsp.readdir(this.stagingRoot, { withFileTypes: true });
    const files = await listFiles(this.stagingRoot);
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name === this.instance || except.has(entry.name)) continue;
      const inner = await listFiles(path.join(this.stagingRoot, entry.name));
      files.push(...inner.map((f) => ({ ...f, name: path.join(entry.name, f.name) })));
    }
    return files;
  }

  async removeOthersStaged(name: string): Promise<void> {
    await fsp.rm(path.join(this.stagingRoot, name), { force: true });
  }
}

function peaksStem(recordingFile: string): string {
  return path.basename(recordingFile).split('.')[0] ?? 'recording';
}

async function listFiles(dir: string): Promise<Array<{ name: string; mtimeMs: number }>> {
  const entries = await fsp.readdir(dir, { withFileTypes: true }).catch(() => []);
  const files = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const stat = await fsp.stat(path.join(dir, entry.name)).catch(() => null);
    if (stat) files.push({ name: entry.name, mtimeMs: stat.mtimeMs });
  }
  return files;
}

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}
