import { expect, test } from "vitest";

import type { DiscoveryFinding } from "../../bindings/DiscoveryFinding";
import { collapseFindings } from "./findings";

const loopback = (field: string): DiscoveryFinding => ({
  severity: "info",
  code: "loopback-http",
  field,
  message: `"${field}" uses plain http on a loopback host`,
});

test("findings with the same code and severity collapse into the first one's row, listing the other fields", () => {
  const warning: DiscoveryFinding = { severity: "warning", code: "implicit-grant", field: "response_types_supported", message: "implicit" };
  const rows = collapseFindings([loopback("issuer"), warning, loopback("token_endpoint"), loopback("jwks_uri")]);
  expect(rows).toEqual([
    { finding: loopback("issuer"), more: ["token_endpoint", "jwks_uri"] },
    { finding: warning, more: [] },
  ]);
});

test("a different severity, or a finding about no field, keeps a row of its own", () => {
  const noField: DiscoveryFinding = { severity: "info", code: "loopback-http", field: null, message: "general" };
  const asWarning: DiscoveryFinding = { ...loopback("userinfo_endpoint"), severity: "warning" };
  const rows = collapseFindings([loopback("issuer"), noField, asWarning]);
  expect(rows.map((r) => [r.finding.severity, r.finding.field, r.more])).toEqual([
    ["info", "issuer", []],
    ["info", null, []],
    ["warning", "userinfo_endpoint", []],
  ]);
});
