// Reports are written atomically and privately: each is produced in a fresh owner-only temp folder inside the output
// folder (same file system, so rename is atomic), made 0600, synced, then renamed over the old file. A reader, an
// upload step or a crash never sees half a report, and a finding list (an inventory of who can do what) is never
// world-readable, not even for the moment it is being written.
import { chmod, mkdir, mkdtemp, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function writeAtomic<T>(finalPath: string, produce: (tmpFile: string) => Promise<T>): Promise<T> {
  const dir = dirname(finalPath);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmpDir = await mkdtemp(join(dir, '.nhi-recon-tmp-')); // mkdtemp creates it 0700
  const tmpFile = join(tmpDir, basename(finalPath));
  try {
    const out = await produce(tmpFile);
    await chmod(tmpFile, 0o600);
    const fh = await open(tmpFile, 'r');
    try { await fh.sync(); } finally { await fh.close(); }
    await rename(tmpFile, finalPath);
    return out;
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

/** Buffered text output to a new owner-only file; writes go out in ~256 KiB blocks and the file is synced on close. */
export class TextSink {
  private parts: string[] = [];
  private size = 0;
  private constructor(private readonly fh: FileHandle) {}

  static async create(file: string): Promise<TextSink> {
    return new TextSink(await open(file, 'wx', 0o600));
  }

  async write(text: string): Promise<void> {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 256 * 1024) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.parts.length) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    await this.fh.write(text);
  }

  async close(): Promise<void> {
    try {
      await this.flush();
      await this.fh.sync();
    } finally {
      await this.fh.close();
    }
  }
}

/** Run fn with a sink on file, closing it whatever happens. */
export async function withSink<T>(file: string, fn: (sink: TextSink) => Promise<T>): Promise<T> {
  const sink = await TextSink.create(file);
  try {
    return await fn(sink);
  } finally {
    await sink.close();
  }
}
