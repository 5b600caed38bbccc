// Polls a condition until it holds (no fixed sleeps as synchronisation); fails with `what` after timeoutMs.
// 30 s by default: a delivery takes milliseconds, but the 2 shared cores also run other suites and
// benchmarks; the wait only ends early on success, so a generous bound costs nothing when green.
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 30_000, intervalMs = 20, what = "condition" }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`waitFor: expected ${what} within ${timeoutMs} ms, it did not happen`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
