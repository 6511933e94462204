import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ObjectStorageConfig } from '../config';
import { isNotFound, loadAwsSdk, s3Client, storageError, type AwsSdk } from './s3-client';
import { RecordingStorage } from './storage';

/** An object read from the bucket, whole or one byte range of it. */
export interface StoredObject {
  body: Readable;
  contentLength: number;
  /** `bytes a-b/total` when a range was asked for and answered. */
  contentRange: string | null;
  lastModified: Date | null;
  etag: string | null;
}

/** A key under one of the bucket's folders (`staging/`, `recordings/`, `peaks/`), by its last part. */
export interface ListedObject {
  name: string;
  lastModifiedMs: number;
}

/**
 * Recordings and waveform peaks in an S3-compatible bucket (RECORDINGS_URL=s3://bucket/prefix). Uploads still
 * arrive in the local staging folder (checked there: type, length, checksum); then the object goes to
 * `<prefix>staging/<file>`, the row commits, and the object is copied to `<prefix>recordings/<file>` and its
 * staging copy deleted. A crash in between leaves a staging object that the reconciler promotes (its row
 * committed) or removes once S3_STAGING_MAX_AGE_MIN old (no row). Peaks: `<prefix>peaks/<name>.peaks`.
 */
export class S3RecordingStorage extends RecordingStorage {
  private connecting: Promise<{ sdk: AwsSdk; client: S3Client }> | undefined;

  constructor(
    recordingsDir: string,
    readonly settings: ObjectStorageConfig,
    instance = 'main',
    private readonly givenClient?: S3Client,
  ) {
    super(recordingsDir, instance);
  }

  /** The SDK (loaded by the first request, never at module load) and the client, made once. */
  private sdk(): Promise<{ sdk: AwsSdk; client: S3Client }> {
    this.connecting ??= loadAwsSdk().then(async (sdk) => ({
      sdk,
      client: this.givenClient ?? (await s3Client(this.settings)),
    }));
    return this.connecting;
  }

  /** The S3 client (for a second storage on the same connection, in tests). */
  async client(): Promise<S3Client> {
    return (await this.sdk()).client;
  }

  override get remote(): boolean {
    return true;
  }

  key(folder: 'staging' | 'recordings' | 'peaks', name: string): string {
    return `${this.settings.prefix}${folder}/${path.basename(name)}`;
  }

  peaksKey(recordingFile: string): string {
    return this.key('peaks', path.basename(this.peaksPath(recordingFile)));
  }

  override async stageRecording(stagedName: string, finalFile: string): Promise<void> {
    await this.putFile(this.stagedPath(stagedName), this.key('staging', finalFile));
  }

  override async unstageRecording(finalFile: string): Promise<void> {
    await this.deleteKey(this.key('staging', finalFile)).catch(() => undefined);
  }

  /** The row committed: the staging object becomes the recording (copied, then its staging copy deleted). */
  override async promote(stagedName: string, finalFile: string): Promise<void> {
    await this.promoteStaged(finalFile);
    await fsp.rm(this.stagedPath(stagedName), { force: true });
  }

  /** Copies `staging/<file>` to `recordings/<file>` unless that is there already, then deletes the staging copy. */
  async promoteStaged(finalFile: string): Promise<void> {
    const from = this.key('staging', finalFile);
    const { sdk, client } = await this.sdk();
    try {
      await client.send(
        new sdk.s3.CopyObjectCommand({
          Bucket: this.settings.bucket,
          CopySource: `${this.settings.bucket}/${encodeURIComponent(from).replace(/%2F/g, '/')}`,
          Key: this.key('recordings', finalFile),
          ...(this.settings.checksum ? { ChecksumAlgorithm: 'SHA256' as const } : {}),
        }),
      );
    } catch (err) {
      // Promoted already (by the reconciler, or by the request that staged it): nothing to copy.
      if (!(isNotFound(err) && (await this.exists(finalFile)))) throw storageError(err);
    }
    await this.deleteKey(from);
  }

  override async exists(file: string): Promise<boolean> {
    return (await this.head(this.key('recordings', file))) !== null;
  }

  override async removeRecording(file: string): Promise<void> {
    await this.deleteKey(this.key('recordings', file));
    await this.removePeaks(file);
  }

  override async removePeaks(recordingFile: string): Promise<void> {
    await this.deleteKey(this.peaksKey(recordingFile));
  }

  /** The analysis committed: its peaks go up to the bucket and the local temporary file goes. */
  override async promotePeaks(tempPath: string, recordingFile: string): Promise<void> {
    await this.putFile(tempPath, this.peaksKey(recordingFile));
    await fsp.rm(tempPath, { force: true });
  }

  /** Recordings under `recordings/`, one page of the listing at a time. */
  override async *iterateRecordings(): AsyncGenerator<string> {
    for await (const object of this.list('recordings')) {
      if (RecordingStorage.isGeneratedName(object.name)) yield object.name;
    }
  }

  /** Analysis and speech-to-text read a local file: a temporary copy in this process's staging folder. */
  override async withLocalRecording<T>(file: string, use: (localPath: string) => Promise<T>): Promise<T> {
    const copy = this.stagedPath(`${RecordingStorage.newName()}${path.extname(file)}`);
    try {
      const object = await this.get(this.key('recordings', file));
      if (!object) throw new Error('The recording file is not in storage.');
      await pipeline(object.body, fs.createWriteStream(copy, { flags: 'wx' }));
      return await use(copy);
    } finally {
      await fsp.rm(copy, { force: true });
    }
  }

  override async ready(): Promise<void> {
    try {
      const { sdk, client } = await this.sdk();
      await client.send(new sdk.s3.HeadBucketCommand({ Bucket: this.settings.bucket }), {
        abortSignal: AbortSignal.timeout(3_000),
      });
    } catch (err) {
      throw storageError(err);
    }
  }

  /** Reads an object, or one `bytes=…` range of it; null when there is no such object. */
  async get(key: string, range?: string): Promise<StoredObject | null> {
    const { sdk, client } = await this.sdk();
    try {
      const out = await client.send(
        new sdk.s3.GetObjectCommand({ Bucket: this.settings.bucket, Key: key, Range: range }),
      );
      return {
        body: out.Body as Readable,
        contentLength: out.ContentLength ?? 0,
        contentRange: range ? (out.ContentRange ?? null) : null,
        lastModified: out.LastModified ?? null,
        etag: out.ETag ?? null,
      };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw storageError(err, 'The recording storage cannot be reached. Try again in a minute.');
    }
  }

  async head(key: string): Promise<{ size: number; lastModified: Date | null } | null> {
    const { sdk, client } = await this.sdk();
    try {
      const out = await client.send(new sdk.s3.HeadObjectCommand({ Bucket: this.settings.bucket, Key: key }));
      return { size: out.ContentLength ?? 0, lastModified: out.LastModified ?? null };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw storageError(err, 'The recording storage cannot be reached. Try again in a minute.');
    }
  }

  async deleteKey(key: string): Promise<void> {
    const { sdk, client } = await this.sdk();
    try {
      await client.send(new sdk.s3.DeleteObjectCommand({ Bucket: this.settings.bucket, Key: key }));
    } catch (err) {
      if (!isNotFound(err)) throw storageError(err);
    }
  }

  /**
   * The objects under one folder of the prefix in key order (UTF-8 byte order, as S3 lists them), a page at a
   * time (`pageSize` keys, 1,000 by default and at most): only one page is ever held in memory.
   */
  async *list(folder: 'staging' | 'recordings' | 'peaks', pageSize?: number): AsyncGenerator<ListedObject> {
    const prefix = `${this.settings.prefix}${folder}/`;
    const { sdk, client } = await this.sdk();
    // The next page starts after the last key seen (StartAfter: the same pages as a continuation token).
    let startAfter: string | undefined;
    for (;;) {
      const page = await client
        .send(
          new sdk.s3.ListObjectsV2Command({
            Bucket: this.settings.bucket,
            Prefix: prefix,
            ...(startAfter ? { StartAfter: startAfter } : {}),
            ...(pageSize ? { MaxKeys: pageSize } : {}),
          }),
        )
        .catch((err: unknown) => Promise.reject(storageError(err)));
      const contents = page.Contents ?? [];
      for (const object of contents) {
        const name = (object.Key ?? '').slice(prefix.length);
        if (name && !name.includes('/')) yield { name, lastModifiedMs: object.LastModified?.getTime() ?? 0 };
      }
      startAfter = contents.at(-1)?.Key;
      if (!page.IsTruncated || !startAfter) return;
    }
  }

  /**
   * Streams a local file to `key`: one PUT up to S3_PART_SIZE_MB, a multipart upload above (parts abort on
   * failure). With S3_CHECKSUM=sha256 each request carries x-amz-checksum-sha256 for the server to verify.
   */
  private async putFile(localPath: string, key: string): Promise<void> {
    const { sdk, client } = await this.sdk();
    const upload = new sdk.storage.Upload({
      client,
      partSize: this.settings.partSizeBytes,
      queueSize: 2,
      leavePartsOnError: false,
      params: {
        Bucket: this.settings.bucket,
        Key: key,
        Body: fs.createReadStream(localPath),
        ...(this.settings.checksum ? { ChecksumAlgorithm: 'SHA256' as const } : {}),
      },
    });
    try {
      await upload.done();
    } catch (err) {
      throw storageError(err);
    }
  }
}
