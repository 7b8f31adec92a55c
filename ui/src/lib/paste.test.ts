import { expect, test } from "vitest";

import { bareToken, isEditable, looksLikeToken, recognisePaste } from "./paste";

const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln";
const JWE = "eyJhbGciOiJSU0EtT0FFUCJ9.a2V5.aXY.Y2lwaGVy.dGFn";

test("a JWT, a JWE, Bearer and Authorization values are tokens", () => {
  expect(recognisePaste(` ${JWT}\n`)).toEqual({ kind: "token", text: JWT });
  expect(recognisePaste(JWE)).toEqual({ kind: "token", text: JWE });
  expect(recognisePaste(`Bearer ${JWT}`)).toEqual({ kind: "token", text: `Bearer ${JWT}` });
  expect(recognisePaste(`Authorization: Bearer ${JWT}\r\n`)?.kind).toBe("token");
  expect(recognisePaste(`"${JWT}"`)?.kind).toBe("token");
  expect(bareToken(`authorization:bearer   '${JWT}'`)).toBe(JWT);
  // An unsecured JWT has an empty signature.
  expect(looksLikeToken("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.")).toBe(true);
});

test("ordinary text, dotted names and plain URLs are left alone", () => {
  for (const text of ["", "hello", "a.b.c", "example.com", "https://example.com/docs?q=1", "Bearer", `${JWT}.extra`, "eyJ.a b.c"]) {
    expect(recognisePaste(text), text).toBeNull();
  }
});

test("a redirect URL carrying code, id_token or access_token is explained parameter by parameter", () => {
  const pasted = recognisePaste(`http://127.0.0.1:8400/callback?code=abc&state=xyz&iss=https%3A%2F%2Fidp.example#id_token=${JWT}`);
  expect(pasted?.kind).toBe("redirect");
  if (pasted?.kind !== "redirect") return;
  expect(pasted.params.map((p) => [p.name, p.where, p.token])).toEqual([
    ["code", "query", false],
    ["state", "query", false],
    ["iss", "query", false],
    ["id_token", "fragment", true],
  ]);
  expect(pasted.params[2]?.value).toBe("https://idp.example");
  expect(pasted.params[2]?.spec).toBe("RFC 9207 §2");
  expect(pasted.params[0]?.meaning).toMatch(/authorization code/);

  const native = recognisePaste("com.example.app:/oauth2redirect#access_token=opaque&token_type=Bearer&x_custom=1");
  expect(native?.kind).toBe("redirect");
  if (native?.kind === "redirect") expect(native.params.find((p) => p.name === "x_custom")?.meaning).toBeNull();
});

test("only fields that take text keep their paste", () => {
  const text = document.createElement("input");
  const box = document.createElement("input");
  box.type = "checkbox";
  expect(isEditable(text)).toBe(true);
  expect(isEditable(document.createElement("textarea"))).toBe(true);
  expect(isEditable(box)).toBe(false);
  expect(isEditable(document.createElement("button"))).toBe(false);
  expect(isEditable(document.body)).toBe(false);
  expect(isEditable(null)).toBe(false);
});
