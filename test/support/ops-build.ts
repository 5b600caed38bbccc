// Test helper of the OPS area: compiles src/ with the project's build config into a private
// directory under dist/ (so concurrent builds by others never race with ours) for tests that spawn
// the real CLI / server. Node resolves packages from the repository's node_modules.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface PrivateBuild {
  /** Directory containing `src/…js`. */
  outDir: string;
  file(relative: string): string;
  cleanup(): Promise<void>;
}

export async function buildPrivately(tag: string): Promise<PrivateBuild> {
  const outDir = path.join(ROOT, "dist", `.${tag}-${process.pid}-${Date.now()}`);
  const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
  // Type errors elsewhere in the tree must not stop the emit; the files we need are checked below.
  await promisify(execFile)(process.execPath, [tsc, "-p", path.join(ROOT, "tsconfig.build.json"), "--outDir", outDir], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: { stdout?: string }) => {
    if (!existsSync(path.join(outDir, "src"))) throw new Error(`tsc emitted nothing: ${String(error.stdout ?? error).slice(0, 2000)}`);
  });
  return {
    outDir,
    file: (relative) => path.join(outDir, relative),
    cleanup: () => rm(outDir, { recursive: true, force: true }),
  };
}

export const REPO_ROOT = ROOT;
