import { expect, test } from "vitest";

import { carriesFiles, looksLikeKeyText, readDroppedFile, secretFromFile } from "./dropText";

const file = (text: string | Uint8Array<ArrayBuffer>, name = "key.pem"): File => new File([text], name);

test("a dropped text file gives its text", async () => {
  expect(await readDroppedFile([file("-----BEGIN PUBLIC KEY-----\n")])).toEqual({ text: "-----BEGIN PUBLIC KEY-----\n", name: "key.pem" });
});

test("a file too large, not text, or several at once is refused with a reason", async () => {
  expect(await readDroppedFile([file("x".repeat(11))], 10)).toEqual({ error: "key.pem is 11 bytes; a token or key file is at most 10 bytes." });
  expect(await readDroppedFile([file(new Uint8Array([0xff, 0xfe, 0x00]), "key.der")])).toEqual({
    error: "key.der is not text: drop a token, a PEM file or a JWK / JWK Set.",
  });
  expect(await readDroppedFile([file("a"), file("b")])).toEqual({ error: "Drop one file at a time." });
  expect(await readDroppedFile([])).toEqual({ error: "Nothing to load: drop a file." });
});

test("PEM and JSON are key text; a secret file loses its last line end", () => {
  expect(looksLikeKeyText("\n-----BEGIN PRIVATE KEY-----")).toBe(true);
  expect(looksLikeKeyText(' {"keys": []}')).toBe(true);
  expect(looksLikeKeyText("my-secret")).toBe(false);
  expect(secretFromFile("my-secret\r\n")).toBe("my-secret");
  expect(secretFromFile("my-secret\n\n")).toBe("my-secret\n");
});

test("only drags that carry files are taken", () => {
  expect(carriesFiles(null)).toBe(false);
  expect(carriesFiles({ types: ["text/plain"] } as unknown as DataTransfer)).toBe(false);
  expect(carriesFiles({ types: ["Files"] } as unknown as DataTransfer)).toBe(true);
});
