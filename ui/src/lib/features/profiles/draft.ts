// The profile form's fields as text, and the conversions between them and the core's `Profile`.
// Rust validates every field again (and says which one is wrong in the error's `input`); the
// checks here only catch text that cannot become a `Profile` at all.
import type { ClientAuthMethod } from "../../bindings/ClientAuthMethod";
import type { PkceMethod } from "../../bindings/PkceMethod";
import type { Profile } from "../../bindings/Profile";
import type { RedirectHost } from "../../bindings/RedirectHost";

export type Draft = {
  name: string;
  issuer: string;
  clientId: string;
  clientAuth: ClientAuthMethod;
  /** Space-separated, as in the `scope` parameter (RFC 6749 §3.3). */
  scopes: string;
  /** One `name=value` per line. */
  extraParams: string;
  redirectHost: RedirectHost;
  /** False: the system picks a port per flow (RFC 8252 §7.3). */
  fixedPort: boolean;
  port: string;
  redirectPath: string;
  pkce: PkceMethod;
};

/** A field the form could not turn into a profile; `field` is named as Rust names it. */
export type DraftProblem = { field: string; message: string };

/** A new profile's defaults, the core's: public client, `openid`, 127.0.0.1, ephemeral port, S256. */
export function emptyDraft(): Draft {
  return {
    name: "",
    issuer: "",
    clientId: "",
    clientAuth: "none",
    scopes: "openid",
    extraParams: "",
    redirectHost: "127.0.0.1",
    fixedPort: false,
    port: "",
    redirectPath: "/callback",
    pkce: "S256",
  };
}

export function draftOf(profile: Profile): Draft {
  return {
    name: profile.name,
    issuer: profile.issuer ?? "",
    clientId: profile.client_id,
    clientAuth: profile.client_auth,
    scopes: profile.scopes.join(" "),
    extraParams: Object.entries(profile.extra_authorization_params)
      .map(([name, value]) => `${name}=${value}`)
      .join("\n"),
    redirectHost: profile.redirect.host,
    fixedPort: profile.redirect.port !== null,
    port: profile.redirect.port === null ? "" : String(profile.redirect.port),
    redirectPath: profile.redirect.path,
    pkce: profile.pkce,
  };
}

/**
 * The profile the form describes. `base` is the profile being edited: what the form does not
 * show (explicit endpoints) is kept from it.
 */
export function profileOf(draft: Draft, base: Profile | null): Profile | DraftProblem {
  const params: Record<string, string> = {};
  for (const [i, line] of draft.extraParams.split("\n").entries()) {
    if (line.trim() === "") continue;
    const eq = line.indexOf("=");
    if (eq <= 0) {
      return { field: "extra_authorization_params", message: `Line ${i + 1}: write name=value.` };
    }
    params[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  let port: number | null = null;
  if (draft.fixedPort) {
    port = Number(draft.port.trim());
    if (!/^\d+$/.test(draft.port.trim()) || port < 1 || port > 65535) {
      return { field: "redirect.port", message: "A fixed port is a number from 1 to 65535." };
    }
  }
  const issuer = draft.issuer.trim();
  return {
    name: draft.name.trim(),
    issuer: issuer === "" ? null : issuer,
    endpoints: base?.endpoints ?? {
      authorization: null,
      token: null,
      userinfo: null,
      revocation: null,
      introspection: null,
      device: null,
      jwks: null,
    },
    client_id: draft.clientId.trim(),
    client_auth: draft.clientAuth,
    scopes: draft.scopes.split(/\s+/).filter((s) => s !== ""),
    extra_authorization_params: params,
    redirect: { host: draft.redirectHost, port, path: draft.redirectPath.trim() },
    pkce: draft.pkce,
  };
}

export function isProblem(value: Profile | DraftProblem): value is DraftProblem {
  return "field" in value && "message" in value;
}

/** The redirect URI the profile's flows will use ("<port>" when the system picks it). */
export function redirectPreview(draft: Draft): string {
  const port = draft.fixedPort ? draft.port.trim() || "?" : "<port>";
  return `http://${draft.redirectHost}:${port}${draft.redirectPath.trim()}`;
}

/** A free name for a copy of `name`: `<name>-copy`, `<name>-copy-2`, … (at most 64 characters). */
export function copyName(name: string, taken: readonly string[]): string {
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? "-copy" : `-copy-${n}`;
    const candidate = name.slice(0, 64 - suffix.length) + suffix;
    if (!taken.includes(candidate)) return candidate;
  }
}
