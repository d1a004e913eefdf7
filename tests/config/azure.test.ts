/**
 * The `azure` section of the stack config (config/azure.ts), parsed directly: the defaults a
 * stack gets, and the problems it reports, each with its key and fix. Its defaults and rules are
 * ArcGovernance's, written once (components/azure/checks.ts, podSecurity.ts): the component's
 * side of each is tested in tests/components/azure/ArcGovernance.test.ts against the same
 * constants, so the two cannot drift apart.
 */
import { parseStackConfig, StackConfig } from "../../config";
import {
    DEFAULT_POD_SECURITY_EFFECT,
    FLUX_GIT_DEFAULTS,
    FLUX_GIT_URL_RULE,
    LOG_RETENTION_DAYS,
    POD_SECURITY_EFFECTS,
} from "../../components/azure/checks";
import { DEFAULT_POD_SECURITY_EXCLUDED_NAMESPACES } from "../../components/azure/podSecurity";
import { AZURE_ON, GITOPS, NS, problemsOf, raw } from "./harness";

const withAzure = (patch: Record<string, unknown>) => raw({ azure: { ...AZURE_ON, ...patch } });
const azureOf = (config: StackConfig) => {
    if (!config.azure.enabled) throw new Error("azure is off");
    return config.azure;
};
const parse = (patch: Record<string, unknown> = {}) =>
    azureOf(parseStackConfig(withAzure(patch), NS, "dev"));
/** The fix every problem of a plain value names. */
/** The fix a message gives; a key with a list position is quoted for the shell (zsh). */
const fix = (key: string) =>
    `fix it with \`pulumi config set --path ${key.includes("[") ? `'${key}'` : key} <value>\``;

describe("the azure section's defaults: ArcGovernance's", () => {
    it("is off unless enabled", () => {
        expect(parseStackConfig(raw(), NS, "dev").azure.enabled).toBe(false);
    });

    it("a stack that sets nothing gets what the component defaults to", () => {
        const az = parse();
        expect(az.logRetentionDays).toBe(LOG_RETENTION_DAYS.default);
        expect(az.podSecurityEffect).toBe(DEFAULT_POD_SECURITY_EFFECT);
        expect(az.podSecurity.excludedNamespaces).toEqual(DEFAULT_POD_SECURITY_EXCLUDED_NAMESPACES);
        expect(az.gitops).toEqual({
            url: GITOPS.url,
            branch: FLUX_GIT_DEFAULTS.branch,
            path: FLUX_GIT_DEFAULTS.path,
        });
        // Nobody is granted anything by default.
        expect([az.adminGroupObjectIds, az.viewerGroupObjectIds]).toEqual([[], []]);
    });
});

describe("the azure section's problems, each with its key and fix", () => {
    it("requires the subscription's location and the Flux repository once Azure is on", () => {
        expect(
            problemsOf(raw({ azure: { enabled: true, subscriptionId: AZURE_ON.subscriptionId } })),
        ).toEqual(
            ["location", "gitops.url"].map(
                (key) =>
                    `${NS}:azure.${key} is required when azure.enabled is true: set it with \`pulumi config set --path azure.${key} <value>\`, or set azure.enabled to false`,
            ),
        );
    });

    it("requires the subscription id once Azure is on", () => {
        expect(problemsOf(raw({ azure: { ...AZURE_ON, subscriptionId: undefined } }))).toEqual([
            "multicloud:azure.subscriptionId is required when azure.enabled is true: set it with " +
                "`pulumi config set --path azure.subscriptionId <value>`, or set azure.enabled to false",
        ]);
    });

    it("refuses a subscription id that is not a GUID", () => {
        expect(problemsOf(withAzure({ subscriptionId: "my-sub" }))).toEqual([
            "multicloud:azure.subscriptionId must be the Azure subscription id as a GUID " +
                '(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), got "my-sub": fix it with `pulumi config set --path azure.subscriptionId <value>`',
        ]);
    });

    it("refuses a group listed twice (Azure: RoleAssignmentExists for the same role, principal and scope)", () => {
        // A role assignment is unique per (scope, role, principal): a second PUT with another
        // name fails with RoleAssignmentExists (learn.microsoft.com/azure/role-based-access-control/troubleshooting).
        const group = "22222222-2222-2222-2222-222222222222";
        expect(
            problemsOf(withAzure({ adminGroupObjectIds: [group, group.toUpperCase()] })),
        ).toEqual([
            `multicloud:azure.adminGroupObjectIds[1] '${group.toUpperCase()}' is listed twice: each group may appear once; remove the repeat`,
        ]);
    });

    it("takes the retention days ArcGovernance takes, and names the bounds otherwise", () => {
        const { min, max } = LOG_RETENTION_DAYS;
        for (const days of [min, max])
            expect(parse({ logRetentionDays: days }).logRetentionDays).toBe(days);
        expect(problemsOf(withAzure({ logRetentionDays: min - 1 }))).toEqual([
            `${NS}:azure.logRetentionDays (${min - 1}) must be >= ${min}: ${fix("azure.logRetentionDays")}`,
        ]);
        expect(problemsOf(withAzure({ logRetentionDays: max + 1 }))).toEqual([
            `${NS}:azure.logRetentionDays (${max + 1}) must be <= ${max}: ${fix("azure.logRetentionDays")}`,
        ]);
    });

    it("takes the pod security effects the component takes", () => {
        for (const effect of POD_SECURITY_EFFECTS) {
            expect(parse({ podSecurityEffect: effect }).podSecurityEffect).toBe(effect);
        }
        expect(problemsOf(withAzure({ podSecurityEffect: "warn" }))).toEqual([
            `${NS}:azure.podSecurityEffect must be one of "audit", "deny", got "warn": ${fix("azure.podSecurityEffect")}`,
        ]);
    });

    it("refuses an ssh git URL with the component's reason, and plain http as no git URL at all", () => {
        const ssh = "git@github.com:example-org/fleet.git";
        expect(problemsOf(withAzure({ gitops: { url: ssh } }))).toEqual([
            `${NS}:azure.gitops.url ${FLUX_GIT_URL_RULE}`,
        ]);
        expect(
            problemsOf(withAzure({ gitops: { url: "http://git.example.com/fleet.git" } })),
        ).toEqual([
            `${NS}:azure.gitops.url must be an https or ssh git URL (https://host/org/repo.git or git@host:org/repo.git); plain http is refused, got "http://git.example.com/fleet.git": ${fix("azure.gitops.url")}`,
        ]);
    });

    it("takes the excluded namespaces as Kubernetes names, each once", () => {
        const excluded = ["kube-system", "ingress-nginx"];
        expect(parse({ podSecurity: { excludedNamespaces: excluded } }).podSecurity).toEqual({
            excludedNamespaces: excluded,
        });
        expect(
            problemsOf(
                withAzure({
                    podSecurity: { excludedNamespaces: ["kube-system", "Ingress", "kube-system"] },
                }),
            ),
        ).toEqual([
            `${NS}:azure.podSecurity.excludedNamespaces[1] must be a Kubernetes namespace name, got "Ingress": ${fix("azure.podSecurity.excludedNamespaces[1]")}`,
            `${NS}:azure.podSecurity.excludedNamespaces[2] 'kube-system' is listed twice: each namespace may appear once; remove the repeat`,
        ]);
    });

    it("names the Azure location, resource group and tenant formats", () => {
        expect(
            problemsOf(
                withAzure({
                    location: "West Europe",
                    resourceGroupName: "fleet.",
                    tenantId: "contoso",
                }),
            ),
        ).toEqual([
            `${NS}:azure.tenantId must be the Entra ID tenant id as a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), got "contoso": ${fix("azure.tenantId")}`,
            `${NS}:azure.location must be an Azure location name such as westeurope or eastus2 (lowercase, no spaces), got "West Europe": ${fix("azure.location")}`,
            `${NS}:azure.resourceGroupName must be 1-90 letters, digits, underscores, hyphens, periods or parentheses, not ending in a period, got "fleet.": ${fix("azure.resourceGroupName")}`,
        ]);
    });

    it("points clusters listed under the old azure.arc.clusters to edge.sites", () => {
        expect(problemsOf(withAzure({ arc: { clusters: [{ name: "store-1" }] } }))).toEqual([
            `${NS}:azure.arc.clusters has moved: clusters outside Azure are edge sites now; list them under edge.sites (name, region, kubeconfig, distribution, labels) and remove azure.arc.clusters`,
        ]);
    });
});
