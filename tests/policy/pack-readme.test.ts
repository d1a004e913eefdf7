/**
 * policy/README.md's table lists every policy of the pack once, with its group, its default
 * enforcement level and the blueprint rule it serves; the pack's description is the same
 * sentence in index.ts, PulumiPolicy.yaml and package.json; the root README and the pages of docs/
 * that count the policies give their number.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PACK_DESCRIPTION, POLICIES_BY_GROUP } from "../../policy/policies";
import { PROJECT_DIR } from "../harness";

const POLICY_DIR = path.join(PROJECT_DIR, "policy");
const read = (file: string) => fs.readFileSync(file, "utf8");

/** The blueprint's rules, as the table names them. */
const BLUEPRINT_RULES = [
    "Strict RBAC",
    "TLS in transit",
    "AES-256 at rest",
    "Rate limits",
    "Fleet operations",
];

/** Rows of the README's policy table: id -> [group, level, rule]. */
function tableRows(): Map<string, string[]> {
    const rows = new Map<string, string[]>();
    for (const line of read(path.join(POLICY_DIR, "README.md")).split("\n")) {
        const cells = line.split("|").map((c) => c.trim());
        const id = /^`([a-z0-9-]+)`$/.exec(cells[1] ?? "")?.[1];
        if (!id || cells.length < 6) continue;
        expect([id, rows.has(id)]).toEqual([id, false]);
        rows.set(id, cells.slice(2, 5));
    }
    return rows;
}

describe("the pack's documentation", () => {
    const policies = Object.entries(POLICIES_BY_GROUP).flatMap(([group, list]) =>
        list.map((p) => ({ id: p.name, group, level: p.enforcementLevel ?? "advisory" })),
    );

    it("lists every policy once with its group, default level and blueprint rule", () => {
        const rows = tableRows();
        expect([...rows.keys()].sort()).toEqual(policies.map((p) => p.id).sort());
        for (const p of policies) {
            const [group, level, rule] = rows.get(p.id)!;
            expect([p.id, group, level]).toEqual([p.id, p.group, p.level]);
            expect([p.id, BLUEPRINT_RULES.some((r) => rule.startsWith(r))]).toEqual([p.id, true]);
        }
    });

    it("describes the pack in the same words in index.ts, PulumiPolicy.yaml and package.json", () => {
        const yaml = parse(read(path.join(POLICY_DIR, "PulumiPolicy.yaml"))) as {
            description: string;
        };
        const pkg = JSON.parse(read(path.join(POLICY_DIR, "package.json"))) as {
            description: string;
        };
        expect(yaml.description).toBe(PACK_DESCRIPTION);
        expect(pkg.description).toBe(PACK_DESCRIPTION);
    });

    it("gives the README and docs/ the number of policies", () => {
        const docs = [
            "README.md",
            "CONTRIBUTING.md",
            ...fs.readdirSync(path.join(PROJECT_DIR, "docs")).map((f) => path.join("docs", f)),
        ].filter((f) => f.endsWith(".md"));
        const counts = docs.flatMap((doc) =>
            [
                ...read(path.join(PROJECT_DIR, doc)).matchAll(
                    /(\d+) (?:(?:CrossGuard |mandatory |advisory )?(?:rules|policies))\b/g,
                ),
            ].map((m) => [doc, Number(m[1])]),
        );
        expect(counts.length).toBeGreaterThan(0);
        for (const [doc, n] of counts) expect([doc, n]).toEqual([doc, policies.length]);
    });
});
