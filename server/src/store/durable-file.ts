import { open, rename } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Replace a file atomically and durably: write a temp file, fsync it, rename over the old
 * one, fsync the directory. A crash leaves either the old or the new content, never half.
 * (steno, lowdb's writer, renames but never fsyncs.)
 */
export async function writeFileDurable(path: string, data: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const dir = await open(dirname(path), "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
