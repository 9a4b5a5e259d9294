import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ZipFile } from 'yazl';

/** A fixed timestamp and mode, so the same inputs always give byte-identical zips (and the same hash). */
const FIXED_MTIME = new Date('2000-01-01T00:00:00Z');
const FILE_MODE = 0o100644;

/**
 * Writes a deterministic zip of `files` (name in archive → path on disk), entries in sorted order.
 */
const writeDeterministicZip = async (zipPath: string, files: Record<string, string>): Promise<void> => {
  const zip = new ZipFile();
  for (const name of Object.keys(files).sort()) {
    const content = await readFile(files[name] as string);
    zip.addBuffer(content, name, { mtime: FIXED_MTIME, mode: FILE_MODE, compress: true });
  }
  zip.end();
  await new Promise<void>((resolve, reject) => {
    const output = createWriteStream(zipPath);
    zip.outputStream.pipe(output).on('close', resolve).on('error', reject);
  });
};

export { writeDeterministicZip };
