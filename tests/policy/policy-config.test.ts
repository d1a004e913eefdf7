/**
 * The pack's config: group names expanded to the per-policy keys that `pulumi preview
 * --policy-pack-config` and Pulumi Cloud policy groups take, with the most specific key
 * winning, every problem reported at once, and `npm run policy-config` writing the result.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    expandPolicyConfig,
    POLICY_NAMES,
    readPolicyConfig,
    stackPolicyConfigPath,
} from "../../policy/config";
import { POLICIES_BY_GROUP } from "../../policy/policies";
import { PROJECT_DIR } from "../harness";

function cli(...args: string[]) {
    const r = spawnSync(
        path.join(PROJECT_DIR, "node_modules", ".bin", "tsx"),
        [path.join(PROJECT_DIR, "tools", "policy-config.ts"), ...args],
        { cwd: PROJECT_DIR, encoding: "utf8" },
    );
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tls = POLICIES_BY_GROUP.tls.map((p) => p.name);

describe("expandPolicyConfig", () => {
    it("expands a group to its policies and lets a single policy override it", () => {
        const out = expandPolicyConfig(
            { "aws-lb-listener-tls13": "advisory", tls: "mandatory", all: "disabled" },
            "test.json",
        );
        expect(Object.keys(out).sort()).toEqual([...POLICY_NAMES].sort());
        expect(out["aws-lb-listener-tls13"]).toEqual({ enforcementLevel: "advisory" });
        for (const name of tls.filter((n) => n !== "aws-lb-listener-tls13")) {
            expect(out[name]).toEqual({ enforcementLevel: "mandatory" });
        }
        expect(out["aws-sns-kms"]).toEqual({ enforcementLevel: "disabled" });
    });

    it("keeps a group's properties when a policy of the group changes only its level", () => {
        const out = expandPolicyConfig(
            {
                encryption: { enforcementLevel: "mandatory", requireCmek: true },
                "gcp-artifact-registry-cmek": "advisory",
            },
            "test.json",
        );
        expect(out["gcp-artifact-registry-cmek"]).toEqual({
            enforcementLevel: "advisory",
            requireCmek: true,
        });
        expect(out["azure-container-registry-cmek"]).toEqual({
            enforcementLevel: "mandatory",
            requireCmek: true,
        });
        expect(out["aws-lb-listener-tls13"]).toBeUndefined();
    });

    it("reports every unknown key, level and value at once", () => {
        expect(() =>
            expandPolicyConfig(
                {
                    "aws-lb-tls": "mandatory",
                    tls: "strict",
                    rbac: 3,
                    stack: { enforcementLevel: "on" },
                },
                "bad.json",
            ),
        ).toThrow(
            [
                "policy config bad.json has 4 problems:",
                `  - 'tls': enforcement level "strict" is not one of advisory, mandatory, disabled`,
                `  - 'rbac': expected a level (advisory, mandatory, disabled) or an object with enforcementLevel, got 3`,
                `  - 'stack': enforcement level "on" is not one of advisory, mandatory, disabled`,
                `  - 'aws-lb-tls' is neither a policy of the pack nor a group (groups: rbac, tls, encryption, stack; policies: ${POLICY_NAMES.join(", ")})`,
            ].join("\n"),
        );
        expect(() => expandPolicyConfig(["tls"], "list.json")).toThrow(
            "policy config list.json must be a JSON object of policy names to levels",
        );
    });

    it("accepts every committed stack config, and each belongs to a stack of the project", () => {
        const dir = path.join(PROJECT_DIR, "policy", "config");
        const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json"));
        expect(files.length).toBeGreaterThan(0);
        for (const file of files) {
            const stack = file.replace(/\.json$/, "");
            expect(fs.existsSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`))).toBe(true);
            expect(stackPolicyConfigPath(PROJECT_DIR, stack)).toBe(path.join(dir, file));
            expect(Object.keys(readPolicyConfig(path.join(dir, file))).length).toBeGreaterThan(0);
        }
    });
});

describe("npm run policy-config", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-"));

    it("writes prod's config with every policy of the pack as its own key", () => {
        const out = path.join(tmp, "prod.json");
        const r = cli("--stack", "prod", "--out", out);
        expect(r.code).toBe(0);
        expect(r.stderr).toBe(
            `policy-config: wrote ${out} (${POLICY_NAMES.length} policies configured)\n`,
        );
        const written = JSON.parse(fs.readFileSync(out, "utf8")) as Record<string, unknown>;
        // Every policy mandatory, but the service-account key the dashboard needs (advisory:
        // Azure Managed Grafana's Cloud Monitoring data source has no keyless sign-in); both
        // image registries under customer-managed keys.
        const cmek = ["gcp-artifact-registry-cmek", "azure-container-registry-cmek"];
        expect(written).toEqual(
            Object.fromEntries(
                POLICY_NAMES.map((n) => [
                    n,
                    {
                        enforcementLevel:
                            n === "gcp-service-account-key" ? "advisory" : "mandatory",
                        ...(cmek.includes(n) ? { requireCmek: true } : {}),
                    },
                ]),
            ),
        );
    });

    it("prints {} for a stack without a config: the pack's own defaults", () => {
        const r = cli("--stack", "dev");
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout)).toEqual({});
    });

    it("refuses a stack without a stack file, and a config with unknown keys", () => {
        const missing = cli("--stack", "staging");
        expect(missing.code).toBe(2);
        expect(missing.stderr).toContain(
            `no stack file ${path.join(PROJECT_DIR, "Pulumi.staging.yaml")}: --stack must name a stack of the project`,
        );
        const bad = path.join(tmp, "bad.json");
        fs.writeFileSync(bad, JSON.stringify({ "tls-everything": "mandatory" }));
        const r = cli("--stack", "dev", "--in", bad);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`policy-config: policy config ${bad} has 1 problem:`);
        expect(r.stdout).toBe("");
    });
});
