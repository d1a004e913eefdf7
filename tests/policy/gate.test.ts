/**
 * The policy gate of `npm run plan`, end to end as CI runs it: the CLI's main (in this process,
 * tests/harness.ts planCli; tests/plan/cli.test.ts runs the command itself) plans a stack, sends it
 * to the pack, a child process, over the analyzer protocol, prints the verdict, writes SARIF,
 * and exits non-zero on a mandatory violation or when the gate cannot run.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as sarif from "sarif";
import AjvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import { toSarif, Verdict } from "../../plan/gate";
import { POLICIES_BY_GROUP } from "../../policy/policies";
import type { PlanResult } from "../../plan/run";
import { planCli, PROJECT_DIR } from "../harness";

const FIXTURE = path.join(PROJECT_DIR, "tests", "fixtures", "insecure");
const PACK = path.join(PROJECT_DIR, "policy");

const plan = planCli;
/** The gate on the insecure fixture program, with this project's pack. */
const planFixture = (...args: string[]) =>
    plan("--cwd", FIXTURE, "--stack", "test", "--policy-pack", PACK, ...args);
const tmp = (name: string) => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gate-")), name);

/**
 * The official SARIF 2.1.0 JSON schema (OASIS errata rtm.5, as shipped by Microsoft's SARIF SDK
 * in @microsoft/jest-sarif), compiled with ajv's draft-04 support. `unicodeRegExp: false`: the
 * schema's language-tag pattern is not a valid Unicode-mode regular expression.
 */
const sarifSchema = (() => {
    const ajv = new AjvDraft04({ strict: false, allErrors: true, unicodeRegExp: false });
    addFormats(ajv);
    return ajv.compile(require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"));
})();

function schemaErrors(log: unknown): string[] {
    return sarifSchema(log)
        ? []
        : (sarifSchema.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** Valid against the SARIF 2.1.0 schema, plus what GitHub code scanning needs of the file. */
function expectValidSarif(log: sarif.Log, stackFile: string) {
    expect(schemaErrors(log)).toEqual([]);
    expect(log.version).toBe("2.1.0");
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe("multicloud-fleet");
    const ids = (run.tool.driver.rules ?? []).map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const result of run.results ?? []) {
        expect(ids).toContain(result.ruleId);
        expect(result.message.text).toBeTruthy();
        expect(["error", "warning"]).toContain(result.level);
        const location = result.locations![0].physicalLocation!;
        expect(location.artifactLocation!.uri).toBe(stackFile);
        expect(location.region!.startLine).toBeGreaterThanOrEqual(1);
    }
}

describe("the SARIF schema check", () => {
    it("rejects what code scanning would reject", () => {
        const log: sarif.Log = {
            version: "2.1.0",
            runs: [{ tool: { driver: { name: "x" } }, results: [{ message: { text: "m" } }] }],
        };
        expect(schemaErrors(log)).toEqual([]);
        const badLevel = structuredClone(log) as unknown as { runs: { results: object[] }[] };
        badLevel.runs[0].results[0] = { message: { text: "m" }, level: "critical" };
        expect(schemaErrors(badLevel)).toContain(
            "/runs/0/results/0/level must be equal to one of the allowed values",
        );
        expect(schemaErrors({ ...log, version: "2.0.0" })).toContain(
            "/version must be equal to one of the allowed values",
        );
    });
});

describe("SARIF locations", () => {
    it("points at the entry that names the resource, else its cloud's config section", () => {
        const lines = fs
            .readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8")
            .split("\n");
        const lineOf = (re: RegExp) => lines.findIndex((l) => re.test(l)) + 1;
        const diagnostic = (type: string | undefined, name: string | undefined) => ({
            policyName: "p",
            policyPackName: "multicloud-fleet",
            policyPackVersion: "0.1.0",
            description: "d",
            message: "m",
            enforcementLevel: "advisory" as const,
            urn: type ? `urn:pulumi:dev::multicloud::${type}::${name}` : "",
            type,
            name,
        });
        const verdict = {
            pack: { name: "multicloud-fleet", version: "0.1.0" },
            policies: [],
            diagnostics: [
                diagnostic("gcp:container/cluster:Cluster", "dev-gke"),
                diagnostic("aws:lb/listener:Listener", "app-https"),
                diagnostic("azure-native:containerregistry:Registry", "app"),
                diagnostic(undefined, undefined),
            ],
            mandatory: 0,
            advisory: 4,
            resources: 4,
            config: null,
        } as unknown as Verdict;
        const plan = {
            project: { name: "multicloud", dir: PROJECT_DIR },
            settings: { stack: "dev", file: "Pulumi.dev.yaml" },
        } as unknown as PlanResult;
        const starts = toSarif(verdict, plan).runs[0].results!.map(
            (r) => r.locations![0].physicalLocation!.region!.startLine,
        );
        expect(starts).toEqual([
            lineOf(/^\s*- name: dev-gke\b/),
            lineOf(/^ {2}multicloud:aws:/),
            lineOf(/^ {2}multicloud:azure:/),
            1,
        ]);
        expect(starts.slice(0, 3).every((n) => (n ?? 0) > 1)).toBe(true);
    });
});

describe("the policy gate on the committed stacks", () => {
    it.each(["dev", "prod"])(
        "passes %s with no mandatory violation, and writes SARIF",
        async (stack) => {
            const file = tmp("out.sarif");
            const r = await plan("--stack", stack, "--sarif", file);
            expect(r.stderr).toBe("");
            expect(r.code).toBe(0);
            expect(r.stdout).toMatch(
                /Policies: multicloud-fleet@0\.1\.0, \d+ policies, \d+ resources checked: 0 mandatory/,
            );
            // A stack's own policy config is used when it exists (prod: every policy mandatory
            // but the dashboard's service-account key).
            const config = path.join("policy", "config", `${stack}.json`);
            if (fs.existsSync(path.join(PROJECT_DIR, config))) {
                expect(r.stdout).toContain(`(config: ${config})`);
            } else {
                expect(r.stdout).not.toContain("(config:");
            }
            const log = JSON.parse(fs.readFileSync(file, "utf8")) as sarif.Log;
            expectValidSarif(log, `Pulumi.${stack}.yaml`);
            expect((log.runs[0].results ?? []).filter((x) => x.level === "error")).toEqual([]);
        },
        120_000,
    );
});

describe("the policy gate on a program that breaks every group", () => {
    /** Every policy mandatory by default: tests/fixtures/insecure breaks each one. */
    const expected = Object.values(POLICIES_BY_GROUP)
        .flat()
        .filter((p) => p.enforcementLevel === "mandatory")
        .map((p) => p.name);

    it("rejects it with every expected mandatory violation, each with its resource, and SARIF results", async () => {
        const file = tmp("insecure.sarif");
        const json = tmp("insecure.json");
        const r = await planFixture("--sarif", file, "--json", json);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(
            /plan: \d+ mandatory policy violations?: `pulumi preview --policy-pack policy` would fail the same way/,
        );
        const mandatory = r.stdout.slice(
            r.stdout.indexOf("  mandatory:"),
            r.stdout.indexOf("  advisory:") > 0 ? r.stdout.indexOf("  advisory:") : undefined,
        );
        for (const policy of expected) expect(mandatory).toContain(`    ${policy}  `);
        expect(mandatory).toContain("aws-lb-listener-tls13  aws:lb/listener:Listener https");
        const log = JSON.parse(fs.readFileSync(file, "utf8")) as sarif.Log;
        expectValidSarif(log, "tests/fixtures/insecure/Pulumi.test.yaml");
        const errors = new Set(
            (log.runs[0].results ?? []).filter((x) => x.level === "error").map((x) => x.ruleId),
        );
        for (const policy of expected) expect(errors).toContain(policy);
        const verdict = JSON.parse(fs.readFileSync(json, "utf8")) as {
            verdict: { mandatory: number };
        };
        expect(verdict.verdict.mandatory).toBeGreaterThanOrEqual(expected.length);
    }, 120_000);

    it("lets a team relax a whole group, or one policy, through policy config", async () => {
        const config = tmp("policy-config.json");
        fs.writeFileSync(config, JSON.stringify({ tls: "disabled", "aws-sns-kms": "advisory" }));
        const r = await planFixture("--policy-config", config);
        expect(r.code).toBe(1);
        expect(r.stdout).not.toContain("aws-lb-listener-tls13");
        expect(r.stdout).not.toContain("kubernetes-ingress-tls");
        const advisory = r.stdout.slice(r.stdout.indexOf("  advisory:"));
        expect(advisory).toContain("    aws-sns-kms  aws:sns/topic:Topic alerts");
    }, 120_000);
});

describe("the policy gate never passes silently", () => {
    it("refuses a policy config naming an unknown policy or level", async () => {
        const config = tmp("bad-config.json");
        fs.writeFileSync(config, JSON.stringify({ "aws-lb-tls": "mandatory", tls: "strict" }));
        const r = await plan("--stack", "dev", "--policy-config", config);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`plan: policy gate: policy config ${config} has 2 problems:`);
        expect(r.stderr).toContain(
            `'tls': enforcement level "strict" is not one of advisory, mandatory, disabled`,
        );
        expect(r.stderr).toContain(
            "'aws-lb-tls' is neither a policy of the pack nor a group (groups: rbac, tls, encryption, stack;",
        );
    }, 120_000);

    it("fails when the pack fails to start", async () => {
        const r = await plan(
            "--stack",
            "dev",
            "--policy-pack",
            path.join(PROJECT_DIR, "tests", "fixtures", "broken-pack"),
        );
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("plan: policy gate: the policy pack in");
        expect(r.stderr).toContain("failed to start");
        expect(r.stderr).toContain("broken on purpose");
    }, 120_000);

    it("fails when there is no pack where it looks", async () => {
        const r = await plan("--stack", "dev", "--policy-pack", os.tmpdir());
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(
            `no policy pack in ${os.tmpdir()} (no PulumiPolicy.yaml): pass --policy-pack <dir>, or --no-policy`,
        );
    }, 60_000);
});
