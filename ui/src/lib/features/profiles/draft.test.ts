import { expect, test } from "vitest";

import type { Profile } from "../../bindings/Profile";
import { copyName, draftOf, emptyDraft, isProblem, profileOf, redirectPreview } from "./draft";

const ENDPOINTS = { authorization: null, token: null, userinfo: null, revocation: null, introspection: null, device: null, jwks: null };

function sample(): Profile {
  return {
    name: "okta-dev",
    issuer: "https://dev.okta.example/oauth2/default",
    endpoints: { ...ENDPOINTS, token: "https://dev.okta.example/token" },
    client_id: "0oa1",
    client_auth: "client_secret_basic",
    scopes: ["openid", "offline_access"],
    extra_authorization_params: { prompt: "consent", audience: "api://default" },
    redirect: { host: "localhost", port: 8765, path: "/cb" },
    pkce: "S256",
  };
}

test("a profile round-trips through the form, keeping what the form does not show", () => {
  const profile = sample();
  const draft = draftOf(profile);
  expect(draft.scopes).toBe("openid offline_access");
  expect(draft.extraParams).toBe("prompt=consent\naudience=api://default");
  expect(draft.fixedPort).toBe(true);
  expect(profileOf(draft, profile)).toEqual(profile);
  expect(redirectPreview(draft)).toBe("http://localhost:8765/cb");
});

test("a new profile gets the core's defaults and text is trimmed and split", () => {
  const draft = { ...emptyDraft(), name: " dev ", issuer: " https://id.example ", clientId: "c", scopes: " openid  email\nprofile " };
  const profile = profileOf(draft, null);
  expect(profile).toEqual({
    name: "dev",
    issuer: "https://id.example",
    endpoints: ENDPOINTS,
    client_id: "c",
    client_auth: "none",
    scopes: ["openid", "email", "profile"],
    extra_authorization_params: {},
    redirect: { host: "127.0.0.1", port: null, path: "/callback" },
    pkce: "S256",
  });
  expect(redirectPreview(draft)).toBe("http://127.0.0.1:<port>/callback");
  expect(profileOf({ ...draft, issuer: "" }, null)).toMatchObject({ issuer: null });
});

test("text that cannot become a profile names its field as Rust does", () => {
  const bad = profileOf({ ...emptyDraft(), extraParams: "prompt=consent\nnonsense" }, null);
  expect(isProblem(bad) && bad).toEqual({ field: "extra_authorization_params", message: "Line 2: write name=value." });
  for (const port of ["", "0", "65536", "80a"]) {
    const problem = profileOf({ ...emptyDraft(), fixedPort: true, port }, null);
    expect(isProblem(problem) && problem.field).toBe("redirect.port");
  }
});

test("a copy gets the first free -copy name within 64 characters", () => {
  expect(copyName("dev", ["dev"])).toBe("dev-copy");
  expect(copyName("dev", ["dev", "dev-copy", "dev-copy-2"])).toBe("dev-copy-3");
  const long = "x".repeat(64);
  expect(copyName(long, [long])).toHaveLength(64);
});
