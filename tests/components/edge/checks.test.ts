/**
 * One home for the edge sites' defaults and rules (components/edge/checks.ts): the stack config
 * (config/edge.ts) and EdgeCluster read the same constants and pure rules, so what a user gets
 * from the config is what the component does on its own, and a value changes in one place. Each
 * test reads both sides and pins the values users rely on.
 */
import {
    agentChartVersionProblem,
    ARC_AGENT_CLI_MINIMUM,
    ARC_AGENT_LATEST_KNOWN,
    ARC_AGENT_MIN_SUPPORTED,
    ARC_INFRASTRUCTURES,
    AZURE_RBAC_UNSUPPORTED_DISTRIBUTIONS,
    EDGE_SITE_DEFAULTS,
    kubeconfigProblem,
} from "../../../components/edge/checks";
import type * as EdgeClusterModule from "../../../components/edge/EdgeCluster";
import type { EdgeClusterArgs } from "../../../components/edge/EdgeCluster";
import { EdgeSchema } from "../../../config/edge";
import type { PlanResult } from "../../../plan/run";
import { one, planComponents, workerModule } from "../../harness";
import { documentedDefaults } from "../../tsdoc";
import { ARC, KUBECONFIG } from "./fixtures";

// The component's checks as the plans load them (EdgeCluster imports the SDKs).
const { validateEdgeClusterArgs } = workerModule<typeof EdgeClusterModule>(
    "components/edge/EdgeCluster",
);

/** The config's problems with one site, as `<field> <message>` (empty when it is valid). */
function siteProblems(site: Record<string, unknown>): string[] {
    const result = EdgeSchema.safeParse({
        sites: [{ name: "store-1", region: "eu-west", kubeconfig: KUBECONFIG, ...site }],
    });
    return result.success
        ? []
        : result.error.issues.map((i) => `${i.path.slice(2).join(".")} ${i.message}`);
}

/** EdgeCluster's problems with the same site. */
function componentProblems(name: string, args: Partial<EdgeClusterArgs>): string[] {
    return validateEdgeClusterArgs(name, { kubeconfig: KUBECONFIG, arc: ARC, ...args });
}

describe("an edge site's defaults: one constant each, the same in the config and EdgeCluster", () => {
    it("pins the values: a generic distribution on generic infrastructure", () => {
        expect(EDGE_SITE_DEFAULTS).toEqual({ distribution: "generic", infrastructure: "generic" });
    });

    it("documents each default as the constant it is (`@default` in the config and the args)", () => {
        const config = documentedDefaults("config/edge.ts");
        const cluster = documentedDefaults("components/edge/EdgeCluster.ts");
        for (const key of ["distribution", "infrastructure"] as const) {
            const value = JSON.stringify(EDGE_SITE_DEFAULTS[key]);
            expect([
                config.get(`EdgeSiteSchema.${key}`),
                cluster.get(`EdgeClusterArgs.${key}`),
            ]).toEqual([value, value]);
        }
        // Azure RBAC: on, except where it cannot work; the config names each such distribution.
        const names = [...AZURE_RBAC_UNSUPPORTED_DISTRIBUTIONS];
        expect(config.get("EdgeSiteSchema.azureRbac")).toContain(
            `true, false on ${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`,
        );
        expect(cluster.get("EdgeClusterArgs.azureRbac")).toBe(
            "true, except for the distributions in AZURE_RBAC_UNSUPPORTED_DISTRIBUTIONS",
        );
    });

    describe("what EdgeCluster registers with the arguments left out, against what the config gives", () => {
        let plan: PlanResult;
        beforeAll(async () => {
            plan = await planComponents((req) => {
                const { EdgeCluster } = req<typeof import("../../../components/edge/EdgeCluster")>(
                    "components/edge/EdgeCluster",
                );
                const azure = req<typeof import("@pulumi/azure-native")>("@pulumi/azure-native");
                const tls = req<typeof import("@pulumi/tls")>("@pulumi/tls");
                // Only what the component requires.
                new EdgeCluster(
                    "store-1",
                    { kubeconfig: KUBECONFIG, arc: ARC },
                    { providers: [new azure.Provider("azure"), new tls.Provider("tls")] },
                );
            });
            expect(plan.errors).toEqual([]);
        }, 120_000);

        it("connects a generic cluster on generic infrastructure, with Azure RBAC", () => {
            const [site] = EdgeSchema.parse({
                sites: [{ name: "store-1", region: "eu-west", kubeconfig: KUBECONFIG }],
            }).sites;
            const cluster = one(plan, "azure-native:kubernetes:ConnectedCluster", "store-1").inputs;
            expect({
                distribution: cluster.distribution,
                infrastructure: cluster.infrastructure,
            }).toEqual({ distribution: site.distribution, infrastructure: site.infrastructure });
            // The config leaves azureRbac to the component: on for a generic cluster.
            expect(site.azureRbac).toBeUndefined();
            expect(cluster.aadProfile).toEqual({ enableAzureRBAC: true, tenantID: ARC.tenantId });
        });
    });
});

describe("an edge site's rules: the config refuses what EdgeCluster refuses, in the same words", () => {
    it("the site's name: a connected cluster name and a fleet membership id", () => {
        const refused = ["Store_1", "1store", "store-", "s".repeat(64), ""];
        const accepted = ["s", "store-1", "factory-eu-1", "s".repeat(63)];
        const rule =
            "must be a lowercase DNS label of up to 63 characters (a connected cluster name and a fleet membership id)";
        expect(refused.map((name) => siteProblems({ name }))).toEqual(
            refused.map(() => [`name ${rule}`]),
        );
        expect(refused.map((name) => componentProblems(name, {}))).toEqual(
            refused.map((name) => [`name '${name}' ${rule}`]),
        );
        expect(accepted.map((name) => siteProblems({ name }))).toEqual(accepted.map(() => []));
        expect(accepted.map((name) => componentProblems(name, {}))).toEqual(accepted.map(() => []));
    });

    // The drift this fixes: the config refused any whitespace in an entry, EdgeCluster only an
    // entry that was blank or held a comma, so `break glass` passed the component alone. The
    // agents get the list as one comma-separated value, and no user principal name or object id
    // holds a space.
    it("an entry of the Azure RBAC skip list: one user, group or OID", () => {
        const rule = "must be one user, group or OID (no commas, no spaces, not empty)";
        const refused = ["a,b", " ", "", "break glass", " ops@corp.example"];
        const accepted = [
            "breakglass@corp.example",
            "oidc:ops",
            "00000000-0000-0000-0000-000000000001",
        ];
        expect(refused.map((entry) => siteProblems({ azureRbacSkipList: [entry] }))).toEqual(
            refused.map(() => [`azureRbacSkipList.0 ${rule}`]),
        );
        expect(
            refused.map((entry) => componentProblems("store-1", { azureRbacSkipList: [entry] })),
        ).toEqual(refused.map((entry) => [`azureRbacSkipList entry '${entry}' ${rule}`]));
        expect(accepted.map((entry) => siteProblems({ azureRbacSkipList: [entry] }))).toEqual(
            accepted.map(() => []),
        );
        expect(
            accepted.map((entry) => componentProblems("store-1", { azureRbacSkipList: [entry] })),
        ).toEqual(accepted.map(() => []));
    });
});

// The Azure CLI's rules for what `az connectedk8s connect` sends and installs.
describe("Infrastructure and agent versions", () => {
    it("never sends `auto`: the CLI resolves it from the nodes before it calls ARM", () => {
        // custom.py create_connectedk8s: `if infrastructure == 'auto': kubernetes_infra =
        // get_kubernetes_infra(node_api_response)` (from spec.providerID); _utils.py
        // validate_infrastructure_type skips Infrastructure_Enum_Values[0], "auto".
        expect(ARC_INFRASTRUCTURES).not.toContain("auto");
        expect([...ARC_INFRASTRUCTURES].sort()).toEqual(
            [
                "generic",
                "azure",
                "aws",
                "gcp",
                "azure_stack_hci",
                "azure_stack_hub",
                "azure_stack_edge",
                "vsphere",
                "windows_server",
            ].sort(),
        );
    });

    it("accepts only stable agents inside Microsoft's N-2 support window", () => {
        // "Azure Arc-enabled Kubernetes agents have a support window of N-2, where N is the latest
        // minor release of agents": https://learn.microsoft.com/azure/azure-arc/kubernetes/agent-upgrade#version-support-policy
        // (1.30.1, September 2025: https://learn.microsoft.com/azure/azure-arc/kubernetes/release-notes).
        expect(ARC_AGENT_LATEST_KNOWN).toBe("1.30.1");
        expect(agentChartVersionProblem(ARC_AGENT_LATEST_KNOWN)).toBeUndefined();
        expect(agentChartVersionProblem(ARC_AGENT_MIN_SUPPORTED)).toBeUndefined();
        expect(agentChartVersionProblem("1.29.3")).toBeUndefined();
        expect(agentChartVersionProblem("1.27.0")).toBe(
            "1.27.0 is outside Azure's support window for the Arc agents (the last 3 minor releases: 1.28.x to 1.30.1); pin 1.30.1",
        );
        // The stacks' old pin, and the oldest the CLI itself still installs (_utils.py pull_helm_chart).
        expect(agentChartVersionProblem("1.14.0")).toMatch(/^1\.14\.0 is outside/);
        expect(agentChartVersionProblem(ARC_AGENT_CLI_MINIMUM)).toBeDefined();
        expect(agentChartVersionProblem("2.0.0")).toMatch(/outside/);
        // Pre-release trains are not the stable train the chart path points at.
        expect(agentChartVersionProblem("1.30.1-preview")).toBe(
            "'1.30.1-preview' is not a stable agents release (X.Y.Z, such as 1.30.1)",
        );
        // The window moves with the newest release.
        expect(agentChartVersionProblem("1.28.0", "1.31.0")).toMatch(/1\.29\.x to 1\.31\.0/);
    });
});

describe("kubeconfigProblem", () => {
    it("names a kubeconfig that is not YAML, has no current context, or names one it lacks", () => {
        expect(kubeconfigProblem("clusters: [")).toMatch(/^is not YAML/);
        expect(kubeconfigProblem("- a\n- b\n")).toBe(
            "has no current-context: set one with `kubectl config use-context`",
        );
        expect(kubeconfigProblem("42")).toBe("is not a kubeconfig (a YAML mapping)");
        expect(kubeconfigProblem("apiVersion: v1\nkind: Config\n")).toBe(
            "has no current-context: set one with `kubectl config use-context`",
        );
        expect(kubeconfigProblem("current-context: a\ncontexts: [{ name: b }]\n")).toBe(
            "names current-context 'a', which is not among its contexts",
        );
        expect(kubeconfigProblem(KUBECONFIG)).toBeUndefined();
    });
});
