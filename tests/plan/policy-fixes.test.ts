/**
 * Each policy's fix as the config key a user of this blueprint sets (plan/policy-fixes.ts): one
 * entry per policy of the pack, keys that exist in the stack config's schema, and the line the
 * plan prints under a violation.
 */
import { stackConfigAsWritten } from "../../lib/placeholders";
import { loadProject, loadStackSettings } from "../../lib/stack-files";
import { SECRET_CONFIG } from "../../config";
import type { Verdict } from "../../plan/gate";
import { fixLine, FixContext, isBlueprint, POLICY_FIXES, withFixes } from "../../plan/policy-fixes";
import { POLICIES_BY_GROUP } from "../../policy/policies";
import { configSections } from "../../tools/config-doc";
import * as path from "path";
import { PROJECT_DIR } from "../harness";

const project = loadProject(PROJECT_DIR);

function context(stack: string): FixContext {
    const { config, files } = stackConfigAsWritten(loadStackSettings(project, stack));
    return { project: project.name, stack, config, files };
}

describe("the fixes table", () => {
    const policies = Object.values(POLICIES_BY_GROUP)
        .flat()
        .map((p) => p.name);

    it("has an entry for every policy of the pack, and none for a policy it does not have", () => {
        expect(policies.length).toBeGreaterThan(30);
        expect(policies.filter((p) => !(p in POLICY_FIXES))).toEqual([]);
        expect(Object.keys(POLICY_FIXES).filter((p) => !policies.includes(p))).toEqual([]);
    });

    it("names only keys of the stack config schema (docs/config.md), secrets with --secret", () => {
        const schemaKeys = new Set(configSections().flatMap((s) => s.rows.map((r) => r.key)));
        const secretKeys = new Set(SECRET_CONFIG.flatMap((s) => s.keys));
        const settings = Object.values(POLICY_FIXES).flatMap((f) => ("set" in f ? f.set : []));
        expect(settings.length).toBeGreaterThan(10);
        expect(settings.map((s) => s.key).filter((k) => !schemaKeys.has(k))).toEqual([]);
        for (const s of settings) expect(s.secret ?? false).toBe(secretKeys.has(s.key));
    });

    it("says why, in a sentence, where no config key fixes a violation", () => {
        for (const [policy, fix] of Object.entries(POLICY_FIXES)) {
            if ("none" in fix) expect([policy, fix.none.length > 30]).toEqual([policy, true]);
            else expect([policy, fix.set.length > 0]).toEqual([policy, true]);
        }
    });
});

describe("fixLine", () => {
    it("phrases a stack-wide key as the command that sets it", () => {
        expect(
            fixLine(
                "gcp-gke-rbac-groups",
                { type: "gcp:container/cluster:Cluster", name: "dev-gke" },
                context("dev"),
            ),
        ).toBe("In this stack: `pulumi config set --path gcp.rbacGroupDomain <your domain>`.");
        expect(
            fixLine(
                "aws-alb-access-logs",
                { type: "aws:lb/loadBalancer:LoadBalancer", name: "app-alb" },
                context("dev"),
            ),
        ).toBe(
            "In this stack: `pulumi config set --path aws.loadBalancer.accessLogs.enabled true`.",
        );
    });

    it("names the list item the resource comes from, by its position and name", () => {
        expect(
            fixLine(
                "azure-arc-connected-cluster-azure-rbac",
                { type: "azure-native:kubernetes:ConnectedCluster", name: "factory-eu-1" },
                context("prod"),
            ),
        ).toBe(
            "In this stack: `pulumi config set --path 'edge.sites[1].azureRbac' true`, " +
                "not on aks, eks, gke or openshift, where Arc's Azure RBAC is unsupported (edge.sites[1] is factory-eu-1).",
        );
        // A site's resources are named from the site: the longest matching name wins.
        expect(
            fixLine(
                "azure-arc-connected-cluster-azure-rbac",
                { type: "kubernetes:helm.sh/v3:Release", name: "store-0042-arc-agents" },
                context("prod"),
            ),
        ).toContain("`pulumi config set --path 'edge.sites[0].azureRbac' true`");
        // No such item: the path says which one to look for.
        expect(
            fixLine(
                "azure-arc-connected-cluster-azure-rbac",
                { type: "azure-native:kubernetes:ConnectedCluster", name: "elsewhere" },
                context("prod"),
            ),
        ).toContain("'edge.sites[<the item of elsewhere>].azureRbac'");
    });

    it("sends keys Pulumi.yaml holds back to Pulumi.yaml, and sets secrets with --secret", () => {
        expect(
            fixLine(
                "kubernetes-ingress-rate-limit",
                { type: "kubernetes:networking.k8s.io/v1:Ingress", name: "app" },
                context("dev"),
            ),
        ).toBe(
            "In this stack: set app.ingress.className to nginx in Pulumi.yaml " +
                "(multicloud:app; `pulumi config set` would replace the whole object for this stack), " +
                "or another class ingress-nginx serves: the app's Ingress carries ingress-nginx's limit-rpm annotation " +
                "(from app.rateLimit.requestsPer5Minutes, never 0), which other controllers ignore.",
        );
        expect(fixLine("kubernetes-secret-database-tls", { name: "app-db" }, context("prod"))).toBe(
            "In this stack: `pulumi config set --secret databaseUrl 'postgresql://<user>:<password>@<host>:5432/<db>?sslmode=verify-full'`.",
        );
    });

    it("picks the key of the resource's cloud when the fix depends on it", () => {
        const gcp = fixLine(
            "gitops-source-https",
            { type: "gcp:gkehub/feature:Feature", name: "x" },
            context("dev"),
        );
        expect(gcp).toContain("gcp.configSync.syncRepo");
        expect(gcp).not.toContain("azure.gitops.url");
        const azure = fixLine(
            "gitops-source-https",
            { type: "azure-native:authorization:PolicyAssignment", name: "x" },
            context("dev"),
        );
        expect(azure).toContain("azure.gitops.url");
        expect(azure).not.toContain("gcp.configSync.syncRepo");
    });

    it("says so when no config key fixes it, naming the stack's policy config", () => {
        expect(fixLine("kubernetes-rolebinding-no-cluster-admin", {}, context("prod"))).toMatch(
            /^In this stack: no config key: .*policy\/config\/prod\.json/,
        );
        // The program always encrypts GKE Secrets and lists the app's host in its Ingress's
        // spec.tls: no value of the stack turns either off, so no key is offered as the fix.
        for (const policy of ["gcp-gke-secrets-encryption", "kubernetes-ingress-tls"]) {
            expect(fixLine(policy, { name: "x" }, context("prod"))).toMatch(
                /^In this stack: no config key: the program always sets this \(components\//,
            );
        }
        expect(fixLine("not-a-policy", {}, context("dev"))).toBeUndefined();
    });
});

describe("withFixes", () => {
    it("adds the fix under each message, leaving the verdict it was given alone", () => {
        const diagnostic = {
            policyName: "aws-alb-web-acl",
            policyPackName: "multicloud-fleet",
            policyPackVersion: "0.1.0",
            description: "d",
            message: "d\nno web ACL",
            enforcementLevel: "advisory" as const,
            urn: "urn",
            type: "aws:lb/loadBalancer:LoadBalancer",
            name: "app-alb",
        };
        const verdict = {
            diagnostics: [diagnostic],
            mandatory: 0,
            advisory: 1,
        } as unknown as Verdict;
        const fixed = withFixes(verdict, context("dev"));
        expect(fixed.diagnostics[0].message).toBe(
            "d\nno web ACL\nIn this stack: `pulumi config set --path aws.waf.enabled true`.",
        );
        expect(verdict.diagnostics[0].message).toBe("d\nno web ACL");
    });
});

describe("which projects get the fix lines", () => {
    it("is this blueprint, whatever its project is named, and not another program", () => {
        // The keys are the blueprint's own: a clone that renames the project keeps them (under
        // its own namespace); the policy gate's fixture program (another program) has none.
        expect(isBlueprint(PROJECT_DIR)).toBe(true);
        expect(isBlueprint(path.join(PROJECT_DIR, "tests", "fixtures", "insecure"))).toBe(false);
    });
});
