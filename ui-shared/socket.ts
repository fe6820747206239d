/**
 * The Socket.IO connection of a page, as a Preact hook.
 *
 * ```tsx
 * const { state, connected } = useHallSocket([{ view: "hall" }], {
 *   handlers: { "kiosk:input": (e) => … },        // non-store events (and store ones too)
 *   onConnect: (recovered) => { if (!recovered) refetch(); },
 * });
 * ```
 * - subscribes again on every connect (a restarted hub has forgotten the rooms);
 * - folds `hall:snapshot` + deltas with {@link hallReducer}: a fresh snapshot redraws all;
 *   the snapshot names the catalogue's version, and the page's copy of that version is used
 *   (ui-shared/catalogue-cache.ts): the catalogue is loaded only when it changed, and deltas
 *   wait while it loads;
 * - reconnects by itself (socket.io default); `connected` drives the "reconnecting" banner.
 */
import { io } from "socket.io-client";
import type { Socket } from "socket.io-client";
import { useEffect, useReducer, useRef, useState } from "preact/hooks";
import type {
  Catalogue,
  ClientToServerEvents,
  HallSnapshot,
  LiveStats,
  ServerToClientEvents,
  Subscription,
} from "../server/src/contract/index.ts";
import { loadCatalogue, rememberCatalogue } from "./catalogue-cache.ts";
import { noteHubTime } from "./hub-clock.ts";
import { hallReducer, STORE_EVENTS } from "./store.ts";
import type { HallAction, HallState } from "./store.ts";

export type HubSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Options of {@link useHallSocket}. */
export interface HallSocketOptions {
  /** Bearer token for the handshake (`auth.token`), for staff pages. */
  token?: string | null;
  /** A paired device's token for the handshake (`auth.deviceToken`): kiosks need it for their own room. */
  deviceToken?: string | null;
  /** The hub cut the connection (e.g. this device's pairing was revoked). */
  onServerDisconnect?: () => void;
  /** Page handlers; called after the store is updated. Latest closure is used. */
  handlers?: Partial<ServerToClientEvents>;
  /** After each connect; `recovered` = the hub replayed missed events (no snapshot). */
  onConnect?: (recovered: boolean) => void;
  /** A subscribe ack said no (e.g. unknown counter). */
  onSubscribeError?: (code: string) => void;
  /** Hub origin; default same origin. */
  url?: string;
}

/** What the hook returns. */
export interface HallSocket {
  state: HallState;
  /** False before the first connect and while reconnecting. */
  connected: boolean;
  /** The socket, once created (for acks/commands). */
  socket: HubSocket | null;
}

/** Connects once per (subscriptions, token) and keeps the hall state up to date. */
export function useHallSocket(subs: readonly Subscription[], opts: HallSocketOptions = {}): HallSocket {
  const [state, dispatch] = useReducer<HallState, HallAction>(hallReducer, null);
  const [connected, setConnected] = useState(false);
  const [socket, setSocket] = useState<HubSocket | null>(null);
  const optsRef = useRef(opts);
  optsRef.current = opts;
  const key = JSON.stringify(subs);

  useEffect(() => {
    const token = optsRef.current.token;
    const deviceToken = optsRef.current.deviceToken;
    const s: HubSocket = io(optsRef.current.url ?? "", {
      path: "/socket.io",
      auth: { ...(token ? { token } : {}), ...(deviceToken ? { deviceToken } : {}) },
      // A hub restart should be noticed and recovered from within a few seconds.
      reconnectionDelayMax: 2000,
    });
    const subscribe = () => {
      for (const sub of JSON.parse(key) as Subscription[]) {
        s.emit("subscribe", sub, (r) => {
          if (!r.ok) optsRef.current.onSubscribeError?.(r.error);
        });
      }
    };
    s.on("connect", () => {
      setConnected(true);
      subscribe();
      optsRef.current.onConnect?.(s.recovered);
    });
    s.on("disconnect", (reason) => {
      setConnected(false);
      if (reason === "io server disconnect") optsRef.current.onServerDisconnect?.();
    });
    s.on("connect_error", () => setConnected(false));
    // Deltas that arrive while a snapshot's catalogue loads wait behind it (null: none loading).
    let waiting: HallAction[] | null = null;
    let turn = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const onSnapshot = (snap: HallSnapshot) => {
      const mine = ++turn;
      waiting ??= [];
      const attempt = () => {
        loadCatalogue(snap.catalogueVersion, optsRef.current.url ?? "").then(
          (catalogue: Catalogue) => {
            if (mine !== turn) return;
            const later = waiting ?? [];
            waiting = null;
            dispatch({ type: "hall:snapshot", payload: { ...snap, catalogue } });
            for (const a of later) dispatch(a);
          },
          // The hub is restarting or the network blinked: try again shortly.
          () => {
            if (mine === turn) retry = setTimeout(attempt, 1000);
          },
        );
      };
      attempt();
    };
    for (const name of STORE_EVENTS) {
      // Each listener is typed per event; the loop loses the pairing, so widen once here.
      (s as unknown as { on(n: string, fn: (p: unknown) => void): void }).on(name, (payload: unknown) => {
        if (name === "hall:snapshot") {
          // The snapshot's figures are of "now" on the hub: the page learns the hub's clock.
          noteHubTime((payload as HallSnapshot).stats.at);
          return onSnapshot(payload as HallSnapshot);
        }
        if (name === "stats:live") noteHubTime((payload as LiveStats).at);
        if (name === "catalogue:updated") rememberCatalogue(payload as Catalogue);
        const action = { type: name, payload } as HallAction;
        if (waiting) waiting.push(action);
        else dispatch(action);
      });
    }
    s.onAny((name: string, ...args: unknown[]) => {
      const h = optsRef.current.handlers?.[name as keyof ServerToClientEvents] as ((...a: unknown[]) => void) | undefined;
      h?.(...args);
    });
    setSocket(s);
    return () => {
      turn++;
      clearTimeout(retry);
      s.disconnect();
      setSocket(null);
    };
  }, [key, opts.token, opts.deviceToken]);

  return { state, connected, socket };
}
