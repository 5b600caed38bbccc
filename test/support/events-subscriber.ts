// A real graphql-ws client (webSocketImpl from ws) that collects `contactEvents` results.
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export interface CollectedSubscription<T = Record<string, unknown>> {
  results: T[];
  errors: unknown[];
  completed: boolean;
  dispose(): void;
}

export function wsClient(url: string, token: string, options: { lazy?: boolean; retryAttempts?: number } = {}): Client {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: options.lazy ?? true,
    retryAttempts: options.retryAttempts ?? 0,
  });
}

export function collect<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): CollectedSubscription<T> {
  const sub: CollectedSubscription<T> = { results: [], errors: [], completed: false, dispose: () => undefined };
  sub.dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        if (value.errors) sub.errors.push(...value.errors);
        if (value.data) sub.results.push(value.data as T);
      },
      error: (error) => void sub.errors.push(error),
      complete: () => void (sub.completed = true),
    },
  );
  return sub;
}
