// One row per problem, not per field: discovery findings with the same code and severity collapse
// into the first one's row, the other fields listed under it. The CLI's readable output does the
// same (src/bin/tokenscope/discover.rs); the report itself keeps one finding per field.
import type { DiscoveryFinding } from "../../bindings/DiscoveryFinding";

/** A finding as shown: the first of its kind, and the fields of the others like it. */
export type FindingRow = { finding: DiscoveryFinding; more: string[] };

export function collapseFindings(findings: readonly DiscoveryFinding[]): FindingRow[] {
  const rows: FindingRow[] = [];
  for (const finding of findings) {
    const row = rows.find((r) => r.finding.code === finding.code && r.finding.severity === finding.severity);
    // A finding about no field has nothing to list under another row: it keeps a row of its own.
    if (row && finding.field !== null) row.more.push(finding.field);
    else rows.push({ finding, more: [] });
  }
  return rows;
}
