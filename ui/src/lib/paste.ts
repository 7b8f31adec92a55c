// "Paste anywhere": what a paste outside a text field can be. Only recognition happens here (is it
// a token, or a redirect URL carrying one?); decoding is Rust's, and nothing pasted is stored.

/** A token (JWS, unsecured JWT or JWE), bare or as `Bearer …` / `Authorization: …`. */
export type PastedToken = { kind: "token"; text: string };
/** An authorization response: a redirect URL whose query or fragment carries the answer. */
export type PastedRedirect = { kind: "redirect"; url: string; params: RedirectParam[] };
export type Pasted = PastedToken | PastedRedirect;

/** One parameter of a redirect URL, explained. */
export type RedirectParam = {
  name: string;
  value: string;
  /** Where it came: the query (response_mode=query) or the fragment (implicit, hybrid). */
  where: "query" | "fragment";
  meaning: string | null;
  spec: string | null;
  /** The value looks like a compact JWT or JWE, so it can be decoded. */
  token: boolean;
};

/** Pastes larger than this are not looked at: Inspect's own bound is Rust's (8 MiB). */
export const MAX_PASTE_CHARS = 1024 * 1024;

/** The parameters that make a URL an authorization response worth explaining. */
const RESPONSE_PARAMS = ["code", "id_token", "access_token"];

const MEANINGS: Record<string, [string, string]> = {
  code: ["The authorization code, exchanged once at the token endpoint (with the PKCE verifier)", "RFC 6749 §4.1.2"],
  state: ["The client's opaque value, echoed back: it must equal the one sent (CSRF protection)", "RFC 6749 §4.1.2"],
  iss: ["The issuer that answered; must be the one the request went to (mix-up defence)", "RFC 9207 §2"],
  id_token: ["The ID token: who logged in, signed by the provider (implicit or hybrid response)", "OIDC Core §3.2.2.5"],
  access_token: ["An access token in the URL (implicit grant): RFC 9700 says not to use this flow", "RFC 6749 §4.2.2, RFC 9700 §2.1.2"],
  token_type: ["How to present the access token, usually Bearer", "RFC 6749 §7.1"],
  expires_in: ["Lifetime of the access token in seconds", "RFC 6749 §4.2.2"],
  scope: ["The scopes granted, when they differ from those asked for", "RFC 6749 §3.3"],
  session_state: ["The provider's session, for OIDC Session Management's check_session iframe", "OIDC Session Management §2"],
  error: ["The provider refused: an error code instead of a code", "RFC 6749 §4.1.2.1"],
  error_description: ["Human-readable text about the error", "RFC 6749 §4.1.2.1"],
  error_uri: ["A page about the error", "RFC 6749 §4.1.2.1"],
};

/** Undoes the wrapping people paste a token in (as Rust's `normalize_token` does). */
export function bareToken(text: string): string {
  const unquote = (s: string): string => {
    const t = s.trim();
    for (const q of ['"', "'", "`"]) {
      if (t.length >= 2 && t.startsWith(q) && t.endsWith(q)) return t.slice(1, -1).trim();
    }
    return t;
  };
  let s = unquote(text);
  const header = /^authorization\s*:(.*)$/is.exec(s);
  if (header) s = unquote(header[1] ?? "");
  const bearer = /^bearer(\s+|$)(.*)$/is.exec(s);
  if (bearer) s = bearer[2] ?? "";
  return unquote(s);
}

const SEGMENT = "[A-Za-z0-9_-]*";
// A JOSE header is a JSON object, so its base64url starts with "ey" (`{"`, `{ `, `{\n`…).
const JWS = new RegExp(`^ey${SEGMENT}\\.${SEGMENT}\\.${SEGMENT}$`);
const JWE = new RegExp(`^ey${SEGMENT}\\.${SEGMENT}\\.${SEGMENT}\\.${SEGMENT}\\.${SEGMENT}$`);

/** True when `text` (after `Bearer`, quotes…) is a compact JWS, unsecured JWT or JWE. */
export function looksLikeToken(text: string): boolean {
  const bare = bareToken(text);
  return JWS.test(bare) || JWE.test(bare);
}

/**
 * The parameters of a URL's query and fragment, explained; null when it is not a URL. Any scheme:
 * native apps' redirect URIs may be private-use schemes (RFC 8252 §7.1).
 */
export function redirectParams(text: string): RedirectParam[] | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  const params: RedirectParam[] = [];
  const add = (search: string, where: RedirectParam["where"]): void => {
    for (const [name, value] of new URLSearchParams(search)) {
      const [meaning, spec] = MEANINGS[name] ?? [null, null];
      params.push({ name, value, where, meaning, spec, token: looksLikeToken(value) });
    }
  };
  add(url.search, "query");
  add(url.hash.replace(/^#/, ""), "fragment");
  return params;
}

/** What a paste outside a text field holds, or null when it is nothing Tokenscope opens. */
export function recognisePaste(text: string): Pasted | null {
  if (text.length > MAX_PASTE_CHARS) return null;
  const trimmed = text.trim();
  if (trimmed === "") return null;
  if (looksLikeToken(trimmed)) return { kind: "token", text: trimmed };
  const params = redirectParams(trimmed);
  if (params?.some((p) => RESPONSE_PARAMS.includes(p.name))) {
    return { kind: "redirect", url: trimmed, params };
  }
  return null;
}

/** Whether an element takes typed text, where a paste belongs to the element. */
export function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !["checkbox", "radio", "button", "submit", "reset", "file", "range", "color"].includes(target.type);
  }
  return false;
}
