import os from "node:os";
import path from "node:path";

/**
 * Where finished exports and their metadata are kept until downloaded (24 hours): one directory on
 * the console's machine, shared by its processes, so any console process can serve a download.
 * `exports/` in the stack's data directory (so two stacks on one machine never share it), else
 * under the system's temporary directory.
 */
export const EXPORT_DIR = process.env.FILLMORE_DATA_DIR
  ? path.resolve(process.env.FILLMORE_DATA_DIR, "exports")
  : path.join(os.tmpdir(), "fillmore-exports");

/** Export ids are random UUIDs: nothing else may name a file in EXPORT_DIR. */
export const EXPORT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * `meta-<id>.json`: never the name of an export's own file, which is always `<id>.<format>` (`<id>.json`
 * is a JSON export's, `<id>.meta.json` a CAT metadata file's).
 */
export const META_PREFIX = "meta-";
// turbopackIgnore: a runtime data directory, not source; without it the build traced the whole project into its output.
export const metaPath = (id: string) => path.join(/*turbopackIgnore: true*/ EXPORT_DIR, `${META_PREFIX}${id}.json`);
export const filePath = (id: string, ext: string) => path.join(/*turbopackIgnore: true*/ EXPORT_DIR, `${id}.${ext}`);

/** How long a finished export stays downloadable. */
export const KEEP_MS = 24 * 60 * 60 * 1000;
