/**
 * components/azure/checks.ts: ArcGovernance's defaults and rules, written once and read by the
 * stack config (config/azure.ts, tests/config/azure.test.ts) and the component's validation and
 * constructor (ArcGovernance.test.ts). The values are written out here, so that a change to one
 * is a deliberate one; each side's tests read the constants, so the two cannot drift apart.
 */
import * as fs from "fs";
import * as path from "path";
import {
    DEFAULT_POD_SECURITY_EFFECT,
    FLUX_GIT_DEFAULTS,
    FLUX_GIT_URL,
    FLUX_GIT_URL_RULE,
    LOG_RETENTION_DAYS,
    POD_SECURITY_EFFECTS,
} from "../../../components/azure/checks";
import { GIT_URL } from "../../../components/formats";
import { PROJECT_DIR } from "../../harness";

describe("ArcGovernance's defaults", () => {
    it("keeps 30 days of logs, the least the workspace's PerGB2018 tier takes, and at most 730", () => {
        // "Configure data retention"
        // (https://learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure).
        expect(LOG_RETENTION_DAYS).toEqual({ default: 30, min: 30, max: 730 });
    });

    it("audits before it denies: the baseline's effects are the initiative's audit and deny", () => {
        expect(POD_SECURITY_EFFECTS).toEqual(["audit", "deny"]);
        expect(DEFAULT_POD_SECURITY_EFFECT).toBe("audit");
    });

    it("syncs the whole gitops/ tree of the main branch", () => {
        expect(FLUX_GIT_DEFAULTS).toEqual({ branch: "main", path: "./gitops" });
    });

    it("Flux syncs the baseline and the rendered app: Arc clusters get the app from GitOps alone", () => {
        // gitops/cluster is the baseline, gitops/workload the app (gitops/README.md). Pulumi
        // applies the app to the GKE clusters it creates only, so what Flux syncs on an Arc
        // cluster must hold both (Flux applies every manifest under the path, recursively).
        const synced = path.resolve(PROJECT_DIR, FLUX_GIT_DEFAULTS.path);
        for (const file of ["cluster/namespaces.yaml", "workload/app.yaml"]) {
            expect(fs.existsSync(path.join(synced, file))).toBe(true);
        }
    });
});

describe("the Flux repository URL", () => {
    it("is a public https URL: the Flux policy passes no credentials, so no ssh", () => {
        expect(FLUX_GIT_URL_RULE).toBe(
            "must be an https URL: the Flux policy that deploys to every Arc cluster takes public https repositories",
        );
        expect(FLUX_GIT_URL.test("https://github.com/example-org/fleet.git")).toBe(true);
        // Git URLs Config Sync takes (GIT_URL) but Flux on Arc does not.
        for (const url of [
            "git@github.com:example-org/fleet.git",
            "ssh://git@github.com/example-org/fleet.git",
        ]) {
            expect(GIT_URL.test(url)).toBe(true);
            expect(FLUX_GIT_URL.test(url)).toBe(false);
        }
        expect(FLUX_GIT_URL.test("http://git.example.com/fleet.git")).toBe(false);
    });
});
