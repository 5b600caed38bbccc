/**
 * Attack: slow headers and slow bodies (Node's defaults hold them for ~80 s and 300 s). The
 * gateway sets the http.Server's timeouts from HTTP_HEADERS_TIMEOUT_MS and HTTP_REQUEST_TIMEOUT_MS:
 * a client that never finishes its headers, or its body, gets 408 and the connection closed.
 * (Asserted on the answer and the close, not on how long it took.)
 */
import net from "node:net";
import { describe, expect, it } from "vitest";
import { useStack } from "../../support/harness.js";

/** Writes `text` and never more; resolves with what the server sent once it closed the connection. */
function stall(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(text));
    let received = "";
    socket.on("data", (chunk) => (received += chunk.toString("latin1")));
    socket.on("close", () => resolve(received));
    socket.on("error", reject);
  });
}

describe("HTTP server timeouts", () => {
  const stack = useStack({ env: { HTTP_HEADERS_TIMEOUT_MS: "1000", HTTP_REQUEST_TIMEOUT_MS: "2000" } });

  it("answers 408 and closes a connection whose headers never end", async () => {
    const answer = await stall(stack().gateway.url, "POST /graphql HTTP/1.1\r\nHost: gateway\r\nX-Slow: ");
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("answers 408 and closes a connection whose body never ends", async () => {
    const answer = await stall(
      stack().gateway.url,
      'POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });
});
