/**
 * Headless Chromium for browser tests: Debian's /usr/bin/chromium (installed by .ci/run) driven by
 * playwright-core, with the flags this machine's closed network needs (no background networking,
 * no component updates, no QUIC: otherwise Chromium keeps dialling Google's hosts and is refused).
 */
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** Text as a person reads it: Monaco renders spaces as U+00A0. Runs in the page. */
export const visibleText = (): string => document.body.innerText.replace(/\u00a0/g, " ");
