/**
 * An edge site's Arc onboarding against what the real Azure CLI and Azure do, rule by rule:
 * `pulumi up` alone must leave a site as `az connectedk8s connect --disable-auto-upgrade` and
 * `az connectedk8s enable-features --features azure-rbac` would, because the mock runtime echoes
 * inputs back and cannot tell. Each test names the rule and where it is written.
 */
import type { PlanResult } from "../../../plan/run";
import type * as EdgeClusterModule from "../../../components/edge/EdgeCluster";
import { roleAssignmentName } from "../../../components/azure/roleAssignmentName";
import { GUID } from "../../../components/formats";
import { byUrn, one, ofType, planComponents, workerModule } from "../../harness";
import { ARC, KUBECONFIG, T } from "./fixtures";

/** The component's module as the plans load it: its agent values and checks, called directly. */
const {
    arcAgentValues,
    AZURE_RBAC_UNSUPPORTED_DISTRIBUTIONS,
    CHECK_ACCESS_READER_ROLE_ID,
    validateEdgeClusterArgs,
} = workerModule<typeof EdgeClusterModule>("components/edge/EdgeCluster");

const BASE = {
    subscriptionId: "sub",
    tenantId: "tenant",
    resourceGroupName: "rg",
    resourceName: "store-1",
    location: "westeurope",
    distribution: "k3s",
    infrastructure: "generic",
    onboardingPrivateKey: "-----BEGIN RSA PRIVATE KEY-----\n...",
    azureRbac: true,
    azureRbacSkipList: [] as string[],
};

describe("The agents' Helm values, as the Azure CLI sets them", () => {
    it("sets every value of `helm_install_release` and the guard of `enable_features --features azure-rbac`", () => {
        // helm_install_release, src/connectedk8s/azext_connectedk8s/_utils.py (Azure/azure-cli-extensions):
        // --set global.subscriptionId/kubernetesDistro/kubernetesInfra/resourceGroupName/
        // resourceName/location/tenantId/onboardingPrivateKey, systemDefaultValues.spnOnboarding=false,
        // global.azureEnvironment, systemDefaultValues.clusterconnect-agent.enabled=true, and with
        // --disable-auto-upgrade systemDefaultValues.azureArcAgents.autoUpdate=false.
        // enable_features, custom.py: guard.enabled=true, guard.authnMode=arc ("PoP token based
        // auth and Arc RBAC 1P apps"), guard.skipAuthzCheck=<--skip-azure-rbac-list>.
        expect(arcAgentValues(BASE)).toEqual({
            global: {
                subscriptionId: "sub",
                tenantId: "tenant",
                resourceGroupName: "rg",
                resourceName: "store-1",
                location: "westeurope",
                kubernetesDistro: "k3s",
                kubernetesInfra: "generic",
                azureEnvironment: "AZUREPUBLICCLOUD",
                onboardingPrivateKey: "-----BEGIN RSA PRIVATE KEY-----\n...",
            },
            systemDefaultValues: {
                spnOnboarding: false,
                azureArcAgents: { autoUpdate: false },
                "clusterconnect-agent": { enabled: true },
                guard: { enabled: true, authnMode: "arc", skipAuthzCheck: "" },
            },
        });
    });

    it("passes the skip list as one comma-separated value, and no guard without Azure RBAC", () => {
        // The CLI escapes the commas (`\,`) only because it passes the list through `--set`;
        // in a values map the chart receives the plain list.
        const skipping = arcAgentValues({
            ...BASE,
            azureRbacSkipList: ["breakglass@corp.example", "oidc:ops"],
        });
        expect(skipping.systemDefaultValues).toMatchObject({
            guard: { skipAuthzCheck: "breakglass@corp.example,oidc:ops" },
        });
        const off = arcAgentValues({ ...BASE, azureRbac: false });
        expect(off.systemDefaultValues).not.toHaveProperty("guard");
    });

    it("enables the proxy only for proxy URLs, and a custom CA on its own", () => {
        // helm_install_release: `if https_proxy or http_proxy or no_proxy: global.isProxyEnabled=True`;
        // `if proxy_cert: --set-file global.proxyCert, global.isCustomCert=True` (independently).
        const caOnly = arcAgentValues({ ...BASE, proxy: { certificate: "-----BEGIN CERT" } });
        expect(caOnly.global).toMatchObject({ proxyCert: "-----BEGIN CERT", isCustomCert: true });
        expect(caOnly.global).not.toHaveProperty("isProxyEnabled");
        const proxied = arcAgentValues({
            ...BASE,
            proxy: { httpsProxy: "http://proxy:3128", noProxy: "10.0.0.0/8" },
        });
        expect(proxied.global).toMatchObject({
            httpsProxy: "http://proxy:3128",
            noProxy: "10.0.0.0/8",
            isProxyEnabled: true,
        });
        expect(proxied.global).not.toHaveProperty("httpProxy");
        expect(proxied.global).not.toHaveProperty("isCustomCert");
    });
});

// The infrastructures and agent versions the CLI accepts: checks.test.ts.

describe("Azure RBAC where it cannot work", () => {
    const arc = {
        resourceGroupName: "rg",
        location: "westeurope",
        subscriptionId: "s",
        tenantId: "t",
        agentChartVersion: "1.30.1",
    };
    it("refuses it on AKS, EKS, GKE and OpenShift, and a skip list entry that would split", () => {
        // "Azure RBAC is not available for Red Hat OpenShift or managed Kubernetes offerings where
        // user access to the API server is restricted (EKS, GKE)"; AKS has it natively, without
        // Arc: https://learn.microsoft.com/azure/azure-arc/kubernetes/azure-rbac (Prerequisites).
        expect([...AZURE_RBAC_UNSUPPORTED_DISTRIBUTIONS]).toEqual([
            "aks",
            "eks",
            "gke",
            "openshift",
        ]);
        expect(
            validateEdgeClusterArgs("site-1", {
                kubeconfig: "current-context: a\ncontexts: [{ name: a }]\n",
                distribution: "eks",
                azureRbac: true,
                azureRbacSkipList: ["a,b", " "],
                arc,
            }),
        ).toEqual([
            "azureRbac is true, but Azure RBAC cannot work on eks (its API server cannot be pointed at the guard's webhooks): set azureRbac to false",
            "azureRbacSkipList entry 'a,b' must be one user, group or OID (no commas, no spaces, not empty)",
            "azureRbacSkipList entry ' ' must be one user, group or OID (no commas, no spaces, not empty)",
        ]);
        expect(
            validateEdgeClusterArgs("site-1", {
                kubeconfig: "current-context: a\ncontexts: [{ name: a }]\n",
                distribution: "gke",
                arc,
            }),
        ).toEqual([]);
    });
});

describe("A site as Azure sees it (one k3s and one EKS site, planned alone)", () => {
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await planComponents((req) => {
            const pulumi = req<typeof import("@pulumi/pulumi")>("@pulumi/pulumi");
            const azure = req<typeof import("@pulumi/azure-native")>("@pulumi/azure-native");
            const tls = req<typeof import("@pulumi/tls")>("@pulumi/tls");
            const { EdgeCluster } = req<typeof import("../../../components/edge/EdgeCluster")>(
                "components/edge/EdgeCluster",
            );
            const providers = [new azure.Provider("azure"), new tls.Provider("tls")];
            for (const [name, distribution] of [
                ["store-1", "k3s"],
                ["cloud-eks", "eks"],
            ] as const) {
                new EdgeCluster(
                    name,
                    {
                        kubeconfig: pulumi.secret(KUBECONFIG),
                        distribution,
                        arc: ARC,
                    },
                    { providers },
                );
            }
        });
        expect(plan.errors).toEqual([]);
    }, 120_000);

    it("grants the cluster's own identity the checkAccess role on the cluster, under a stable name", () => {
        // "assign the Connected Cluster Managed Identity CheckAccess Reader role to the cluster
        // MSI ... --scope <cluster ARM ID>": https://learn.microsoft.com/azure/azure-arc/kubernetes/azure-rbac
        // (role id 65a14201-8f6c-4c28-bec4-12619c5a9aaa, built-in-roles).
        const cc = one(plan, T.cc, "store-1");
        const grant = one(plan, T.role, "store-1-guard-checkaccess");
        expect(grant.parent).toBe(one(plan, T.edge, "store-1").urn);
        const inputs = grant.inputs as Record<string, string>;
        expect(inputs.scope).toMatch(
            /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Kubernetes\/connectedClusters\/store-1$/,
        );
        expect(inputs.roleDefinitionId).toMatch(
            new RegExp(
                `^/subscriptions/[^/]+/providers/Microsoft.Authorization/roleDefinitions/${CHECK_ACCESS_READER_ROLE_ID}$`,
            ),
        );
        expect(inputs.principalId).toMatch(GUID);
        expect(inputs.principalType).toBe("ServicePrincipal");
        expect(inputs.roleAssignmentName).toBe(
            roleAssignmentName(inputs.scope, CHECK_ACCESS_READER_ROLE_ID, inputs.principalId),
        );
        expect(grant.dependencies).toContain(cc.urn);
        // The ARM resource says what the agents do.
        expect(cc.inputs.aadProfile).toEqual({
            enableAzureRBAC: true,
            tenantID: expect.stringMatching(GUID),
        });
    });

    it("installs the agents after the connected cluster and the guard's role, waiting with a bound", () => {
        // create_connectedk8s (custom.py): create_cc_resource, then helm_install_release with
        // `--wait --timeout`. Pulumi's Release Delete waits with the same timeout unless
        // skipAwait (pulumi/pulumi-kubernetes provider/pkg/provider/helm_release.go, Delete:
        // `if release.Atomic || !release.SkipAwait { uninstall.Wait = true; uninstall.Timeout = ... }`),
        // so an uninstall stuck on finalizers fails after 15 minutes instead of hanging.
        const release = one(plan, T.release, "store-1-arc-agents");
        expect(release.dependencies).toEqual(
            expect.arrayContaining([
                one(plan, T.cc, "store-1").urn,
                one(plan, T.role, "store-1-guard-checkaccess").urn,
            ]),
        );
        expect(release.inputs).toMatchObject({ timeout: 900 });
        expect(release.inputs.skipAwait ?? false).toBe(false);
        expect(release.inputs.atomic ?? false).toBe(false);
    });

    it("leaves Azure RBAC off on EKS: no guard, no role, no aadProfile", () => {
        const release = one(plan, T.release, "cloud-eks-arc-agents");
        expect(
            (release.inputs.values as { systemDefaultValues: Record<string, unknown> })
                .systemDefaultValues,
        ).not.toHaveProperty("guard");
        expect(one(plan, T.cc, "cloud-eks").inputs).not.toHaveProperty("aadProfile");
        const site = one(plan, T.edge, "cloud-eks");
        expect(ofType(plan, T.role).filter((r) => r.parent === site.urn)).toEqual([]);
        expect(byUrn(plan, release.provider)?.type).toBe("pulumi:providers:kubernetes");
    });
});
