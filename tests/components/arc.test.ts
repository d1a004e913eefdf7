/**
 * The Azure side: Arc-connected clusters, their agents, extensions and Flux configuration, and
 * the fleet-wide governance, as the committed prod stack registers them under the mocks (which
 * generate a real RSA key pair for every tls.PrivateKey).
 */
import { createPublicKey, KeyObject } from "crypto";
import type { RecordedResource } from "../../plan/mocks";
import type { PlanResult } from "../../plan/run";
import {
    agentPublicKeyCertificate,
    kubeconfigProblem,
    validateArcConnectedClusterArgs,
} from "../../components/azure/ArcConnectedCluster";
import { byUrn, created, ofType, one, planStack } from "../harness";

const T = {
    cc: "azure-native:kubernetes:ConnectedCluster",
    release: "kubernetes:helm.sh/v3:Release",
    ext: "azure-native:kubernetesconfiguration:Extension",
    flux: "azure-native:kubernetesconfiguration:FluxConfiguration",
    policy: "azure-native:authorization:PolicyAssignment",
    role: "azure-native:authorization:RoleAssignment",
    workspace: "azure-native:operationalinsights:Workspace",
    key: "tls:index/privateKey:PrivateKey",
};
const SUB = "11111111-1111-1111-1111-111111111111";
const RG = `/subscriptions/${SUB}/resourceGroups/multicloud-prod-fleet`;
const CLUSTERS = [
    { name: "store-0042", distribution: "k3s", infrastructure: "generic" },
    { name: "factory-eu-1", distribution: "rancher_rke", infrastructure: "vsphere" },
];

/** Whether `path` of `r`'s inputs was sent as a secret (itself or as part of a secret parent). */
const isSecretAt = (r: RecordedResource, path: string) =>
    r.secretPaths.some((p) => path === p || path.startsWith(`${p}.`));

const values = (release: RecordedResource) =>
    release.inputs.values as {
        global: Record<string, unknown>;
        systemDefaultValues: Record<string, unknown>;
    };

describe("Arc in the prod stack", () => {
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await planStack("prod");
        expect(plan.errors).toEqual([]);
    });

    it.each(CLUSTERS)(
        "onboards $name with one key pair, in the Azure CLI's formats",
        ({ name }) => {
            const cc = one(plan, T.cc, name);
            const release = one(plan, T.release, `${name}-arc-agents`);
            const certificate = String(cc.inputs.agentPublicKeyCertificate);
            const privatePem = String(values(release).global.onboardingPrivateKey);

            // The certificate: base64 DER of the PKCS#1 RSAPublicKey, neither a PEM nor SPKI.
            expect(certificate).not.toContain("BEGIN");
            const der = Buffer.from(certificate, "base64");
            const fromPkcs1 = createPublicKey({ key: der, format: "der", type: "pkcs1" });
            expect(() => createPublicKey({ key: der, format: "der", type: "spki" })).toThrow();
            expect(fromPkcs1.asymmetricKeyDetails?.modulusLength).toBe(4096);

            // The onboarding key: the PKCS#1 PEM of the private half of the same pair.
            expect(privatePem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
            const derived: KeyObject = createPublicKey(privatePem);
            expect(derived.export({ type: "pkcs1", format: "der" }).toString("base64")).toBe(
                certificate,
            );
            expect(one(plan, T.key, `${name}-agent-key`).inputs).toMatchObject({
                algorithm: "RSA",
                rsaBits: 4096,
            });
        },
    );

    it.each(CLUSTERS)(
        "creates $name as a connected cluster with a system identity, distribution and infrastructure",
        (c) => {
            expect(one(plan, T.cc, c.name).inputs).toMatchObject({
                clusterName: c.name,
                resourceGroupName: "multicloud-prod-fleet",
                location: "westeurope",
                identity: { type: "SystemAssigned" },
                distribution: c.distribution,
                infrastructure: c.infrastructure,
            });
        },
    );

    it.each(CLUSTERS)("installs the agents into $name with the values the Azure CLI sets", (c) => {
        const release = one(plan, T.release, `${c.name}-arc-agents`);
        expect(release.inputs).toMatchObject({
            name: "azure-arc",
            namespace: "azure-arc-release",
            chart: "oci://mcr.microsoft.com/azurearck8s/batch1/stable/v2/azure-arc-k8sagents",
            version: "1.14.0",
        });
        expect(values(release)).toEqual({
            global: {
                subscriptionId: SUB,
                tenantId: "22222222-2222-2222-2222-222222222222",
                resourceGroupName: "multicloud-prod-fleet",
                resourceName: c.name,
                location: "westeurope",
                kubernetesDistro: c.distribution,
                kubernetesInfra: c.infrastructure,
                azureEnvironment: "AZUREPUBLICCLOUD",
                onboardingPrivateKey: expect.stringContaining("RSA PRIVATE KEY"),
            },
            systemDefaultValues: {
                spnOnboarding: false,
                // Pinned chart: the agents must not upgrade themselves behind Pulumi's back.
                azureArcAgents: { autoUpdate: false },
                "clusterconnect-agent": { enabled: true },
            },
        });
        // Through a provider built from the cluster's own kubeconfig, after the connected cluster.
        const provider = byUrn(plan, release.provider)!;
        expect(provider.type).toBe("pulumi:providers:kubernetes");
        expect(String(provider.inputs.kubeconfig)).toContain(
            "offline-plan placeholder for secret multicloud:azure.arc.clusters",
        );
        expect(release.dependencies).toContain(one(plan, T.cc, c.name).urn);
    });

    it("keeps the onboarding key and the kubeconfigs secret, and out of every output", () => {
        for (const { name } of CLUSTERS) {
            const release = one(plan, T.release, `${name}-arc-agents`);
            expect(isSecretAt(release, "values.global.onboardingPrivateKey")).toBe(true);
            expect(isSecretAt(byUrn(plan, release.provider)!, "kubeconfig")).toBe(true);
            // The connected cluster itself carries only the public half.
            expect(JSON.stringify(one(plan, T.cc, name).inputs)).not.toContain("PRIVATE KEY");
        }
        const everyOutput = JSON.stringify(plan.resources.map((r) => r.outputs ?? {}));
        expect(everyOutput).not.toMatch(/PRIVATE KEY|offline-plan placeholder|mock primary key/);
        expect(JSON.stringify(plan.outputs)).not.toMatch(/PRIVATE KEY|kubeconfig/);
    });

    it.each(CLUSTERS)(
        "adds Flux, Azure Policy and Container Insights to $name after the agents, then Flux GitOps",
        ({ name }) => {
            const release = one(plan, T.release, `${name}-arc-agents`);
            const ext = (n: string) => one(plan, T.ext, `${name}-${n}`);
            const expected = {
                flux: "microsoft.flux",
                azurepolicy: "Microsoft.PolicyInsights",
                "azuremonitor-containers": "Microsoft.AzureMonitor.Containers",
            };
            for (const [extensionName, extensionType] of Object.entries(expected)) {
                expect(ext(extensionName).inputs).toMatchObject({
                    resourceGroupName: "multicloud-prod-fleet",
                    clusterRp: "Microsoft.Kubernetes",
                    clusterResourceName: "connectedClusters",
                    clusterName: name,
                    extensionName,
                    extensionType,
                });
                expect(ext(extensionName).dependencies).toContain(release.urn);
            }
            const workspaceId = (plan.outputs.azure as { workspaceId: string }).workspaceId;
            expect(ext("azuremonitor-containers").inputs.configurationSettings).toEqual({
                logAnalyticsWorkspaceResourceID: workspaceId,
                "amalogs.useAADAuth": "true",
            });
            // Managed-identity ingestion: the cluster is associated with the fleet's rule.
            const association = one(
                plan,
                "azure-native:monitor:DataCollectionRuleAssociation",
                `${name}-container-insights`,
            );
            expect(association.inputs).toMatchObject({
                resourceUri: `${RG}/providers/Microsoft.Kubernetes/connectedClusters/${name}`,
                associationName: "ContainerInsightsExtension",
                dataCollectionRuleId: expect.stringContaining(
                    "/providers/Microsoft.Insights/dataCollectionRules/arc-governance-container-insights",
                ),
            });
            const flux = one(plan, T.flux, `${name}-gitops`);
            expect(flux.inputs).toMatchObject({
                clusterRp: "Microsoft.Kubernetes",
                clusterResourceName: "connectedClusters",
                clusterName: name,
                scope: "cluster",
                namespace: "flux-system",
                sourceKind: "GitRepository",
                gitRepository: {
                    url: "https://github.com/example-org/multicloud-fleet.git",
                    repositoryRef: { branch: "main" },
                },
                kustomizations: { cluster: { path: "./gitops", prune: true } },
            });
            expect(flux.dependencies).toContain(ext("flux").urn);
        },
    );

    it("assigns the pod security baseline and the Flux policy to the fleet's resource group", () => {
        const [podSecurity, flux] = [
            "arc-governance-pod-security-baseline",
            "arc-governance-flux-gitops",
        ].map((n) => one(plan, T.policy, n));
        expect(podSecurity.inputs).toMatchObject({
            scope: RG,
            policyDefinitionId:
                "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d",
            parameters: { effect: { value: "deny" } },
        });
        expect(flux.inputs).toMatchObject({
            scope: RG,
            policyDefinitionId:
                "/providers/Microsoft.Authorization/policyDefinitions/83ea2fd1-9eaf-2f6d-f672-cd7b2ac798f6",
            identity: { type: "SystemAssigned" },
            parameters: {
                repositoryUrl: { value: "https://github.com/example-org/multicloud-fleet.git" },
                repositoryRefBranch: { value: "main" },
                kustomizationPath: { value: "./gitops" },
                configurationScope: { value: "cluster" },
                repositorySyncInterval: { value: 300 },
            },
            // The clusters this program connects have their own configuration: one owner each.
            notScopes: CLUSTERS.map(
                (c) => `${RG}/providers/Microsoft.Kubernetes/connectedClusters/${c.name}`,
            ),
        });
        const rule = one(
            plan,
            "azure-native:monitor:DataCollectionRule",
            "arc-governance-container-insights",
        );
        expect(rule.inputs).toMatchObject({
            dataSources: {
                extensions: [
                    {
                        extensionName: "ContainerInsights",
                        streams: ["Microsoft-ContainerInsights-Group-Default"],
                    },
                ],
            },
            dataFlows: [
                {
                    streams: ["Microsoft-ContainerInsights-Group-Default"],
                    destinations: ["ciworkspace"],
                },
            ],
        });
        const remediation = one(plan, T.role, "arc-governance-flux-remediation");
        expect(remediation.inputs).toMatchObject({ scope: RG, principalType: "ServicePrincipal" });
        expect(remediation.dependencies).toContain(flux.urn);
    });

    it("grants the configured groups Arc admin and viewer roles on the group, and nobody anything at subscription scope", () => {
        const roles = ofType(plan, T.role).map((r) => r.inputs);
        expect(roles).toContainEqual(
            expect.objectContaining({
                scope: RG,
                principalType: "Group",
                principalId: "33333333-3333-3333-3333-333333333333",
                roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/8393591c-06b9-48a2-a542-1bd6b377f6a2`,
            }),
        );
        expect(roles).toContainEqual(
            expect.objectContaining({
                principalId: "44444444-4444-4444-4444-444444444444",
                roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/63f0a09d-1495-4db4-a681-037d84835eb4`,
            }),
        );
        // Both groups may list cluster user credentials, which cluster connect needs.
        const users = roles.filter((r) =>
            String(r.roleDefinitionId).endsWith("/00493d72-78f6-4148-b6c5-d3ce8e4799dd"),
        );
        expect(users.map((r) => r.principalId).sort()).toEqual([
            "33333333-3333-3333-3333-333333333333",
            "44444444-4444-4444-4444-444444444444",
        ]);
        for (const r of roles) expect(r.scope).toBe(RG);
        expect(one(plan, T.workspace, "arc-governance-logs").inputs).toMatchObject({
            retentionInDays: 90,
        });
    });

    it("exports the connected cluster ids and the workspace id", () => {
        expect(plan.outputs.azure).toMatchObject({
            connectedClusterIds: CLUSTERS.map(
                (c) => `${RG}/providers/Microsoft.Kubernetes/connectedClusters/${c.name}`,
            ),
            workspaceId: expect.stringMatching(
                new RegExp(`^${RG}/providers/Microsoft.OperationalInsights/workspaces/`),
            ),
        });
    });
});

describe("Arc variants and bad input", () => {
    const edge = { name: "edge-1", kubeconfig: { secure: "v1:x" } };

    it("passes proxy values when config gives a proxy", async () => {
        const plan = await planStack("dev", {
            "azure.arc.clusters": [edge],
            "azure.arc.proxy": { httpsProxy: "http://proxy.corp:3128", noProxy: "10.0.0.0/8,.svc" },
        });
        expect(plan.errors).toEqual([]);
        expect(values(one(plan, T.release, "edge-1-arc-agents")).global).toMatchObject({
            isProxyEnabled: true,
            httpsProxy: "http://proxy.corp:3128",
            noProxy: "10.0.0.0/8,.svc",
        });
    });

    it("names a kubeconfig that is not YAML or has no current context, an unknown distribution and an empty chart version", async () => {
        const plan = await planStack("dev", {
            "azure.arc.agentChartVersion": "",
            "azure.arc.clusters": [
                { name: "a", kubeconfig: { secure: "v1:x" }, distribution: "nomad" },
            ],
        });
        expect(created(plan)).toEqual([]);
        expect(plan.errors[0]).toContain(
            'multicloud:azure.arc.clusters[0].distribution must be one of "aks", ',
        );
        expect(plan.errors[0]).toContain(
            "multicloud:azure.arc.agentChartVersion is required when arc.clusters are listed",
        );
        expect(kubeconfigProblem("clusters: [")).toMatch(/^is not YAML/);
        expect(kubeconfigProblem("apiVersion: v1\nkind: Config\ncontexts: []\n")).toBe(
            "has no current-context: set one with `kubectl config use-context`",
        );
        expect(kubeconfigProblem("current-context: a\ncontexts: [{ name: b }]\n")).toBe(
            "names current-context 'a', which is not among its contexts",
        );
    });

    it("refuses a kubeconfig given in plain text, or one without a current context", async () => {
        const plan = await planStack("dev", {
            "azure.arc.clusters": [{ name: "plain", kubeconfig: "apiVersion: v1\nkind: Config\n" }],
        });
        expect(plan.errors[0]).toContain(
            "multicloud:azure.arc.clusters[0].kubeconfig has no current-context: set one with `kubectl config use-context`",
        );
    });

    it("refuses an http git URL for Flux", async () => {
        const plan = await planStack("dev", {
            "azure.gitops.url": "http://git.example.com/fleet.git",
        });
        expect(plan.errors[0]).toContain(
            "multicloud:azure.gitops.url must be an https or ssh git URL",
        );
        expect(
            validateArcConnectedClusterArgs("x", {
                resourceGroupName: "rg",
                location: "westeurope",
                subscriptionId: "s",
                tenantId: "t",
                kubeconfig: "not: [yaml",
                agentChartVersion: " ",
                containerInsights: { workspaceId: "w", dataCollectionRuleId: "r" },
                git: { url: "ftp://x" },
            }),
        ).toEqual([
            expect.stringMatching(/^kubeconfig is not YAML/),
            "agentChartVersion is empty: pin the azure-arc-k8sagents chart version the agents run",
            "git.url 'ftp://x' must be an https or ssh git URL (plain http is refused)",
        ]);
    });

    it("converts an SPKI PEM public key to the base64 PKCS#1 DER the Azure CLI sends", () => {
        const spki =
            "-----BEGIN PUBLIC KEY-----\nMFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAMtsO1Rxj4MCnY4E4ot0Wp5Kdg+tDkd+\nHhiNqj1+hIfGvYRCzx9W6Zv1zYjfkkl2YUOK3+XQMbdy4hrW0jS5+y8CAwEAAQ==\n-----END PUBLIC KEY-----\n";
        const pkcs1 = agentPublicKeyCertificate(spki);
        expect(pkcs1.startsWith("MEgCQQ")).toBe(true); // SEQUENCE { INTEGER n (512 bits), INTEGER e }
        expect(
            createPublicKey({
                key: Buffer.from(pkcs1, "base64"),
                format: "der",
                type: "pkcs1",
            }).export({ type: "spki", format: "pem" }),
        ).toBe(spki);
    });
});
