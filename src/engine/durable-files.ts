/** Writes that survive a crash: the data fsynced before a rename, the rename fsynced by its directory. */
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';

/** The bytes at path, or nothing there: written to a temporary name, fsynced, renamed (sync the directory after). */
export async function writeDurably(path: string, data: Uint8Array | string): Promise<void> {
  const temp = `${path}.tmp`;
  const f = await open(temp, 'w');
  try {
    await f.writeFile(data);
    await f.sync();
  } finally {
    await f.close();
  }
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
