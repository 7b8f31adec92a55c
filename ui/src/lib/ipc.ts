// The only module that talks to the Rust side. Every command gets a typed wrapper here, and every
// rejection comes out as an `IpcError` so views can branch on `code`, never on message text.
import { invoke } from "@tauri-apps/api/core";

import type { DecodedToken } from "./bindings/DecodedToken";
import type { ErrorLocation } from "./bindings/ErrorLocation";
import type { IpcError } from "./bindings/IpcError";

export type { IpcError };

/** Decodes a pasted token without verifying it; Rust strips quotes, `Bearer ` and whitespace. */
export async function decodeToken(token: string): Promise<DecodedToken> {
  return call<DecodedToken>("decode_token", { token });
}

async function call<T>(command: string, args: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    // Rejecting with a non-Error is the IPC contract: the payload is an `IpcError`.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw toIpcError(e);
  }
}

/** Turns whatever a command rejected with into an `IpcError`. */
export function toIpcError(e: unknown): IpcError {
  if (isRecord(e) && typeof e.code === "string" && typeof e.message === "string") {
    return { code: e.code, message: e.message, details: toLocation(e.details) };
  }
  return { code: "ipc.unexpected", message: describe(e), details: null };
}

export function isIpcError(e: unknown): e is IpcError {
  return isRecord(e) && typeof e.code === "string" && typeof e.message === "string";
}

function toLocation(d: unknown): ErrorLocation | null {
  if (!isRecord(d)) return null;
  return {
    segment: typeof d.segment === "string" ? (d.segment as ErrorLocation["segment"]) : null,
    position: typeof d.position === "number" ? d.position : null,
    offset: typeof d.offset === "number" ? d.offset : null,
  };
}

function describe(e: unknown): string {
  // String() of a plain object says only "[object Object]"; its JSON says what came back.
  if (isRecord(e) && !(e instanceof Error)) {
    try {
      return JSON.stringify(e);
    } catch {
      // Cyclic or otherwise unserialisable: fall through.
    }
  }
  return String(e);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}
