/**
 * The default credential backend: one JSON file (`credentials.json`) in the data directory, holding
 * only encrypted envelopes keyed by location id. Writes are atomic (a 0600 temp file, fsync, then
 * rename over the old file) and serialised within the process; the file is read once and kept in
 * memory. One process per data directory: several instances need the Redis backend.
 */
import { mkdir, open, readFile, rename, unlink, chmod } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { CredentialBackend, CredentialEnvelope } from "./credential.types.js";

export const CREDENTIALS_FILE_NAME = "credentials.json";

interface FileShape {
  version: 1;
  records: Record<string, CredentialEnvelope>;
}

export interface FileCredentialBackendOptions {
  /** Directory holding the file (created 0700 if missing). */
  dataDir: string;
  fileName?: string;
}

export function createFileCredentialBackend(options: FileCredentialBackendOptions): CredentialBackend & { readonly filePath: string } {
  const dir = path.resolve(options.dataDir);
  const filePath = path.join(dir, options.fileName ?? CREDENTIALS_FILE_NAME);
  let loaded: Promise<Map<string, CredentialEnvelope>> | undefined;
  let writeChain: Promise<void> = Promise.resolve();

  const load = () =>
    (loaded ??= (async () => {
      let text: string;
      try {
        text = await readFile(filePath, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Map();
        throw error;
      }
      let parsed: FileShape;
      try {
        parsed = JSON.parse(text) as FileShape;
      } catch {
        throw new Error(`credential file ${filePath}: expected JSON {version:1,records:{…}}, received unparsable text`);
      }
      if (parsed?.version !== 1 || typeof parsed.records !== "object" || parsed.records === null) {
        throw new Error(`credential file ${filePath}: expected {version:1,records:{…}}, received another shape`);
      }
      return new Map(Object.entries(parsed.records));
    })());

  const persist = (records: Map<string, CredentialEnvelope>) => {
    const snapshot: FileShape = { version: 1, records: Object.fromEntries(records) };
    const run = writeChain.then(async () => {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const tmp = `${filePath}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
      const handle = await open(tmp, "wx", 0o600);
      try {
        await handle.writeFile(JSON.stringify(snapshot, null, 2) + "\n", "utf8");
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await chmod(tmp, 0o600); // in case a umask widened it
        await rename(tmp, filePath);
      } catch (error) {
        await unlink(tmp).catch(() => undefined);
        throw error;
      }
    });
    writeChain = run.catch(() => undefined);
    return run;
  };

  return {
    kind: "file",
    filePath,
    async get(locationId) {
      return (await load()).get(locationId);
    },
    async set(locationId, envelope) {
      const records = await load();
      records.set(locationId, envelope);
      await persist(records);
    },
    async replaceIf(locationId, expectedIv, envelope) {
      const records = await load();
      if (records.get(locationId)?.iv !== expectedIv) return false;
      records.set(locationId, envelope);
      await persist(records);
      return true;
    },
    async delete(locationId) {
      const records = await load();
      if (records.delete(locationId)) await persist(records);
    },
    async entries() {
      return new Map(await load());
    },
    async close() {
      await writeChain;
    },
  };
}

/** An in-memory backend (tests, or OAuth without a persistent store). */
export function createMemoryCredentialBackend(): CredentialBackend {
  const records = new Map<string, CredentialEnvelope>();
  return {
    kind: "memory",
    async get(locationId) {
      return records.get(locationId);
    },
    async set(locationId, envelope) {
      records.set(locationId, envelope);
    },
    async replaceIf(locationId, expectedIv, envelope) {
      if (records.get(locationId)?.iv !== expectedIv) return false;
      records.set(locationId, envelope);
      return true;
    },
    async delete(locationId) {
      records.delete(locationId);
    },
    async entries() {
      return new Map(records);
    },
    async close() {},
  };
}
