// Reports are written atomically and privately: each is produced in a fresh owner-only temp folder inside the output
// folder (same file system, so rename is atomic), made 0600, synced, then renamed over the old file. A reader, an
// upload step or a crash never sees half a report, and a finding list (an inventory of who can do what) is never
// world-readable, not even for the moment it is being written.
import { chmod, mkdir, mkdtemp, open, readFile, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export async function writeAtomic<T>(finalPath: string, produce: (tmpFile: string) => Promise<T>): Promise<T> {
  const dir = dirname(finalPath);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmpDir = await mkdtemp(join(dir, `${TMP_PREFIX}${process.pid}-`)); // mkdtemp creates it 0700; the pid keeps a live writer's folder from cleanup
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

// A report set (every format of one run) is replaced as one unit. The files are staged, whole and synced, in a private
// folder; then a marker naming that folder is renamed into place, the files are renamed over the old ones, the set's
// manifest goes last, and the marker is removed. A kill between the marker and its removal is finished by the next
// writer (the staged files are complete before the marker exists), so the folder holds one run's whole set, and
// while the marker is present a consumer knows the set is being replaced.
export const TMP_PREFIX = '.nhi-recon-tmp-';
export const SWAP_MARKER = '.nhi-recon-swap.json';
export const MANIFEST = 'manifest.json';

interface SwapMarker { stage: string; files: string[]; remove: string[] }

const SAFE_NAME = /^[\w][\w.-]*$/;

export interface SetFile<T> { name: string; produce: (tmpFile: string) => Promise<T> }

/**
 * Write the files of one report set into dir as one unit. `others` are names of report files that belong to no set
 * but this one if present (formats not written this time): they are removed, so the folder never mixes two runs.
 * `manifest` gets each file's name, size and sha256 and returns the manifest's JSON.
 */
export async function writeSetAtomic<T>(
  dir: string, files: SetFile<T>[], others: string[], manifest: (written: { name: string; bytes: number; sha256: string }[]) => unknown,
): Promise<T[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await recoverReportDir(dir);
  const stage = await mkdtemp(join(dir, `${TMP_PREFIX}${process.pid}-`)); // mkdtemp creates it 0700
  try {
    const outs: T[] = [];
    const written: { name: string; bytes: number; sha256: string }[] = [];
    for (const f of files) {
      const tmp = join(stage, f.name);
      outs.push(await f.produce(tmp));
      await chmod(tmp, 0o600);
      written.push({ name: f.name, ...(await syncAndHash(tmp)) });
    }
    const names = files.map((f) => f.name);
    await writeSynced(join(stage, MANIFEST), JSON.stringify(manifest(written), null, 2) + '\n');
    await syncDir(stage);
    const marker: SwapMarker = { stage: basename(stage), files: [...names, MANIFEST], remove: others.filter((n) => !names.includes(n)) };
    await writeSynced(join(stage, SWAP_MARKER), JSON.stringify(marker));
    await rename(join(stage, SWAP_MARKER), join(dir, SWAP_MARKER));
    await syncDir(dir);
    await finishSwap(dir, marker);
    return outs;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

/**
 * Make a report folder whole again after a kill: finish a swap its marker records, and remove the staging folders
 * of writers that are gone (a live writer's, named by its pid, is left alone).
 */
export async function recoverReportDir(dir: string): Promise<void> {
  let text: string | undefined;
  try { text = await readFile(join(dir, SWAP_MARKER), 'utf8'); } catch { /* no swap in flight */ }
  if (text !== undefined) {
    let marker: SwapMarker | undefined;
    try { marker = JSON.parse(text) as SwapMarker; } catch { /* renamed into place whole, so never torn; ignore garbage */ }
    const ok = marker && typeof marker.stage === 'string' && /^\.nhi-recon-tmp-[\w-]+$/.test(marker.stage)
      && Array.isArray(marker.files) && Array.isArray(marker.remove) && [...marker.files, ...marker.remove].every((n) => typeof n === 'string' && SAFE_NAME.test(n));
    if (ok) await finishSwap(dir, marker!);
    else await rm(join(dir, SWAP_MARKER), { force: true });
  }
  let entries: string[] = [];
  try { entries = await readdir(dir); } catch { return; }
  for (const e of entries) {
    if (!e.startsWith(TMP_PREFIX)) continue;
    const pid = /^\.nhi-recon-tmp-(\d+)-/.exec(e)?.[1];
    if (pid && Number(pid) !== process.pid && alive(Number(pid))) continue;
    if (pid && Number(pid) === process.pid) continue; // this process's own writer, in flight
    await rm(join(dir, e), { recursive: true, force: true });
  }
}

async function finishSwap(dir: string, m: SwapMarker): Promise<void> {
  const stage = join(dir, m.stage);
  for (const n of m.remove) await rm(join(dir, n), { force: true }); // a symlink is removed, never followed
  for (const n of m.files) {
    try { await rename(join(stage, n), join(dir, n)); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; /* moved before the kill */ }
  }
  await syncDir(dir);
  await rm(join(dir, SWAP_MARKER), { force: true });
  await rm(stage, { recursive: true, force: true });
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

async function syncAndHash(file: string): Promise<{ bytes: number; sha256: string }> {
  const fh = await open(file, 'r');
  try {
    await fh.sync();
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of fh.createReadStream({ autoClose: false })) { hash.update(chunk as Buffer); bytes += (chunk as Buffer).length; }
    return { bytes, sha256: hash.digest('hex') };
  } finally { await fh.close(); }
}

async function writeSynced(file: string, text: string): Promise<void> {
  const fh = await open(file, 'wx', 0o600);
  try { await fh.write(text); await fh.sync(); } finally { await fh.close(); }
}

async function syncDir(dir: string): Promise<void> {
  try { const fh = await open(dir, 'r'); try { await fh.sync(); } finally { await fh.close(); } } catch { /* not every file system syncs folders */ }
}
