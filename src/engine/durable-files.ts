/** Writes that survive a crash: the data fsynced before a rename, the rename fsynced by its directory. */
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';

/** The bytes at path, or nothing there: written to a temporary name, fsynced, renamed (sync the directory after). */
export async function writeDurably(path: string, data: Uint8Array | string): Promise<void> {
  const temp = `${path}.tmp`;
  const f = await open(temp, 'w');
  try {
    await f.writeFile(data);
    await f.sync();
  } catch (e) {
    // a full disk stays full with half a file on it
    await f.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw e;
  }
  await f.close();
  await rename(temp, path);
}

/** A written file's data down to the disk. */
export async function syncFile(path: string): Promise<void> {
  const f = await open(path, 'r+');
  try {
    await f.sync();
  } finally {
    await f.close();
  }
}

/** A rename or a new file is durable once its directory is synced. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The calls that make writes durable, as one object: a test puts a disk fault in one (ENOSPC, EIO). */
export interface DurableFiles {
  writeDurably(path: string, data: Uint8Array | string): Promise<void>;
  syncFile(path: string): Promise<void>;
  syncDirectory(dir: string): void;
  rename(from: string, to: string): Promise<void>;
}

export const DISK: DurableFiles = { writeDurably, syncFile, syncDirectory, rename };
