/**
 * Reads MANIFESTS_DIR (the only file I/O of manifests): every *.yaml / *.yml below it, recursively,
 * in a stable order, then hands the texts to the pure loader.
 */
import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Catalog } from './schema.ts';
import type { ManifestError } from './manifest-error.ts';
import { loadManifestTexts } from './load-texts.ts';
import type { ManifestFile } from './load-texts.ts';

export { formatManifestError } from './manifest-error.ts';
export type { ManifestError } from './manifest-error.ts';

const MANIFEST_FILE = /\.ya?ml$/i;

export function loadManifests(dir: string): { catalog: Catalog; errors: ManifestError[]; files: string[] } {
  const errors: ManifestError[] = [];
  const paths = listManifestFiles(dir, errors);
  const texts: ManifestFile[] = [];
  for (const path of paths) {
    try {
      texts.push({ path, text: readFileSync(path, 'utf8') });
    } catch (e) {
      errors.push({
        file: path,
        line: 1,
        col: 1,
        path: '',
        message: `cannot read the file: ${(e as Error).message}`,
      });
    }
  }
  const loaded = loadManifestTexts(texts);
  return { catalog: loaded.catalog, errors: [...errors, ...loaded.errors], files: texts.map((t) => t.path) };
}

/** Sorted, so errors and duplicate-id "first wins" do not depend on the file system's order. */
function listManifestFiles(dir: string, errors: ManifestError[]): string[] {
  const out: string[] = [];
  const visited = new Set<string>();
  const walk = (d: string): void => {
    let real: string;
    try {
      real = realpathSync(d);
    } catch (e) {
      errors.push({
        file: d,
        line: 1,
        col: 1,
        path: '',
        message: `manifests folder not found or not readable: ${(e as Error).message}`,
      });
      return;
    }
    if (visited.has(real)) return; // a symlink loop
    visited.add(real);
    let entries: string[];
    try {
      entries = readdirSync(d).sort();
    } catch (e) {
      errors.push({
        file: d,
        line: 1,
        col: 1,
        path: '',
        message: `cannot list the folder: ${(e as Error).message}`,
      });
      return;
    }
    for (const name of entries) {
      if (name.startsWith('.')) continue; // .git, editor swap folders
      const full = join(d, name);
      let isDir = false;
      try {
        isDir = statSync(full).isDirectory();
      } catch {
        continue; // a dangling symlink is not a manifest
      }
      if (isDir) walk(full);
      else if (MANIFEST_FILE.test(name)) out.push(full);
    }
  };
  walk(dir);
  return out;
}
