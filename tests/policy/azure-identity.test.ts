/** Azure identity policies (issue 19), each with a compliant fixture and one failing variant per rule. */
import { AnalyzedResource, UNKNOWN_STRING } from "../../plan/analyzer";
import { toAnalyzed } from "../../plan/gate";
import type { RecordedResource } from "../../plan/mocks";
import { one, planStack } from "../harness";
import { messages, resource, stackMessages, usePack } from "./harness";

const pack = usePack();

describe("azure-container-registry-no-admin-user", () => {
    const POLICY = "azure-container-registry-no-admin-user";
    /** As AppImage registers it. */
    const registry = (
        props: Record<string, unknown>,
        type = "azure-native:containerregistry:Registry",
    ) =>
        resource(type, "app", {
            registryName: "multicloudprodapp",
            resourceGroupName: "fleet",
            sku: { name: "Standard" },
            adminUserEnabled: false,
            anonymousPullEnabled: false,
            ...props,
        });
    const adminUser =
        "Container registry 'app' sets adminUserEnabled to true, which turns on the registry's admin user: one shared username with two passwords that can push and pull every repository, whose use Microsoft Entra ID cannot scope or tie to a person: set adminUserEnabled to false (or remove it; false is the default) and grant each identity the AcrPull or AcrPush role on the registry instead (a repository-scoped token for clients outside Entra ID).";
    const anonymousPull =
        "Container registry 'app' sets anonymousPullEnabled to true, so anyone who can reach the registry can pull every image in it without credentials: set anonymousPullEnabled to false (or remove it; false is the default) and grant the identities that pull the AcrPull role on the registry (a repository-scoped token for clients outside Entra ID).";

    it("passes both switches off, unset (the SDK sends false), or computed from other resources", async () => {
        expect(await messages(pack(), POLICY, registry({}))).toEqual([]);
        expect(
            await messages(
                pack(),
                POLICY,
                registry({ adminUserEnabled: undefined, anonymousPullEnabled: undefined }),
            ),
        ).toEqual([]);
        expect(
            await messages(
                pack(),
                POLICY,
                registry({
                    adminUserEnabled: UNKNOWN_STRING,
                    anonymousPullEnabled: UNKNOWN_STRING,
                }),
            ),
        ).toEqual([]);
    });

    it("flags adminUserEnabled true", async () => {
        expect(await messages(pack(), POLICY, registry({ adminUserEnabled: true }))).toEqual([
            adminUser,
        ]);
    });

    it("flags anonymousPullEnabled true, and both at once on a versioned token", async () => {
        expect(await messages(pack(), POLICY, registry({ anonymousPullEnabled: true }))).toEqual([
            anonymousPull,
        ]);
        expect(
            await messages(
                pack(),
                POLICY,
                registry(
                    { adminUserEnabled: true, anonymousPullEnabled: true },
                    "azure-native:containerregistry/v20230701:Registry",
                ),
            ),
        ).toEqual([adminUser, anonymousPull]);
    });
});

describe("azure-aks-azure-rbac", () => {
    const POLICY = "azure-aks-azure-rbac";
    const compliant = {
        resourceGroupName: "fleet",
        dnsPrefix: "fleet",
        enableRBAC: true,
        disableLocalAccounts: true,
        aadProfile: { managed: true, enableAzureRBAC: true, tenantID: "tenant" },
    };
    const cluster = (props: Record<string, unknown>) =>
        resource("azure-native:containerservice:ManagedCluster", "fleet", {
            ...compliant,
            ...props,
        });
    const azureRbac = (properties: string, verb = "is") =>
        `AKS cluster 'fleet' does not use Azure RBAC for Kubernetes authorization (${properties} ${verb} not true), so access inside the cluster is granted outside Azure role assignments, where Microsoft Entra ID and the Azure activity log do not govern it: set aadProfile to { managed: true, enableAzureRBAC: true } and grant access with Azure role assignments on the cluster or a namespace (Azure Kubernetes Service RBAC Reader, Writer, Admin or Cluster Admin).`;
    const localAccounts =
        "AKS cluster 'fleet' does not set disableLocalAccounts to true, so its static cluster-admin credential (az aks get-credentials --admin) stays available: it bypasses Microsoft Entra ID and Azure RBAC, is not tied to a person, and stays valid until the cluster certificates are rotated: set disableLocalAccounts to true (local accounts are enabled by default).";

    it("passes managed Entra ID with Azure RBAC and no local accounts, enableRBAC true or unset", async () => {
        expect(await messages(pack(), POLICY, cluster({}))).toEqual([]);
        expect(await messages(pack(), POLICY, cluster({ enableRBAC: undefined }))).toEqual([]);
        expect(
            await messages(
                pack(),
                POLICY,
                resource(
                    "azure-native:containerservice/v20250901:ManagedCluster",
                    "fleet",
                    compliant,
                ),
            ),
        ).toEqual([]);
    });

    it("passes settings computed from other resources (unknown during preview)", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                cluster({ enableRBAC: UNKNOWN_STRING, disableLocalAccounts: UNKNOWN_STRING }),
            ),
        ).toEqual([]);
        expect(await messages(pack(), POLICY, cluster({ aadProfile: UNKNOWN_STRING }))).toEqual([]);
        expect(
            await messages(
                pack(),
                POLICY,
                cluster({ aadProfile: { managed: true, enableAzureRBAC: UNKNOWN_STRING } }),
            ),
        ).toEqual([]);
    });

    it("flags enableRBAC false", async () => {
        expect(await messages(pack(), POLICY, cluster({ enableRBAC: false }))).toEqual([
            "AKS cluster 'fleet' sets enableRBAC to false, so every authenticated user and service account can do anything in the cluster, and Microsoft Entra integration cannot be added: set enableRBAC to true (or remove it); Kubernetes RBAC cannot be turned on for an existing cluster, so the cluster must be recreated.",
        ]);
    });

    it("flags local accounts, left to the default or enabled", async () => {
        expect(
            await messages(pack(), POLICY, cluster({ disableLocalAccounts: undefined })),
        ).toEqual([localAccounts]);
        expect(await messages(pack(), POLICY, cluster({ disableLocalAccounts: false }))).toEqual([
            localAccounts,
        ]);
    });

    it("flags a cluster without Azure RBAC: no aadProfile, managed Entra ID only, or Azure RBAC without managed Entra ID", async () => {
        expect(await messages(pack(), POLICY, cluster({ aadProfile: undefined }))).toEqual([
            azureRbac("aadProfile.managed and aadProfile.enableAzureRBAC", "are"),
        ]);
        expect(await messages(pack(), POLICY, cluster({ aadProfile: { managed: true } }))).toEqual([
            azureRbac("aadProfile.enableAzureRBAC"),
        ]);
        expect(
            await messages(
                pack(),
                POLICY,
                cluster({ aadProfile: { managed: false, enableAzureRBAC: true } }),
            ),
        ).toEqual([azureRbac("aadProfile.managed")]);
    });

    it("flags every rule of a cluster left to the API's defaults at once", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                resource("azure-native:containerservice:ManagedCluster", "fleet", {
                    resourceGroupName: "fleet",
                    dnsPrefix: "fleet",
                    enableRBAC: false,
                }),
            ),
        ).toEqual([
            "AKS cluster 'fleet' sets enableRBAC to false, so every authenticated user and service account can do anything in the cluster, and Microsoft Entra integration cannot be added: set enableRBAC to true (or remove it); Kubernetes RBAC cannot be turned on for an existing cluster, so the cluster must be recreated.",
            localAccounts,
            azureRbac("aadProfile.managed and aadProfile.enableAzureRBAC", "are"),
        ]);
    });
});

describe("azure-role-definition-no-wildcard-actions", () => {
    const POLICY = "azure-role-definition-no-wildcard-actions";
    const definition = (...permissions: Record<string, unknown>[]) =>
        resource("azure-native:authorization:RoleDefinition", "ops", {
            scope: "/subscriptions/00000000-0000-0000-0000-000000000000",
            roleName: "Fleet operator",
            assignableScopes: ["/subscriptions/00000000-0000-0000-0000-000000000000"],
            permissions,
        });
    const fix = `: list the exact operations the role needs (for example "Microsoft.Compute/virtualMachines/start/action"), or a wildcard within one provider's resource type (for example "Microsoft.Storage/storageAccounts/*"); only read-only "*/read" may span every provider, and only in actions.`;
    const everyProvider = "every resource provider, including those added later";
    const granting =
        "Microsoft.Authorization/roleAssignments/write or roleDefinitions/write: the holder can grant itself any role";

    it("passes exact operations, */read, wildcards within one provider and reads of Microsoft.Authorization", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                definition({
                    actions: [
                        "*/read",
                        "Microsoft.*/read",
                        "Microsoft.Authorization/*/read",
                        "Microsoft.Storage/storageAccounts/*",
                        "Microsoft.Compute/virtualMachines/start/action",
                        "Microsoft.Support/*",
                    ],
                    notActions: [],
                    dataActions: [
                        "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
                        "Microsoft.KeyVault/vaults/secrets/*",
                    ],
                }),
            ),
        ).toEqual([]);
    });

    it("passes permissions computed from other resources (unknown during preview)", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                resource("azure-native:authorization:RoleDefinition", "ops", {
                    scope: "/subscriptions/00000000-0000-0000-0000-000000000000",
                    permissions: UNKNOWN_STRING,
                }),
            ),
        ).toEqual([]);
        expect(
            await messages(
                pack(),
                POLICY,
                definition({ actions: UNKNOWN_STRING, dataActions: [UNKNOWN_STRING] }),
            ),
        ).toEqual([]);
    });

    it('flags "*" in actions, whatever notActions remove', async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                definition({ actions: ["*"], notActions: ["Microsoft.Authorization/*/Write"] }),
            ),
        ).toEqual([
            `Role definition 'ops' grants "*" in permissions[0].actions (${everyProvider})${fix}`,
        ]);
    });

    it("flags writes, deletes and actions across every provider", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                definition(
                    { actions: ["*/read", "*/write"] },
                    { actions: ["Microsoft.*/delete", "*/action"] },
                ),
            ),
        ).toEqual([
            `Role definition 'ops' grants "*/write" in permissions[0].actions (${everyProvider}), "Microsoft.*/delete" in permissions[1].actions (${everyProvider}), "*/action" in permissions[1].actions (${everyProvider})${fix}`,
        ]);
    });

    it("flags wildcards that cover creating role assignments or definitions", async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                definition({
                    actions: [
                        "Microsoft.Authorization/*",
                        "microsoft.authorization/roleAssignments/*",
                        "Microsoft.Authorization/*/write",
                    ],
                }),
            ),
        ).toEqual([
            `Role definition 'ops' grants "Microsoft.Authorization/*" in permissions[0].actions (${granting}), "microsoft.authorization/roleAssignments/*" in permissions[0].actions (${granting}), "Microsoft.Authorization/*/write" in permissions[0].actions (${granting})${fix}`,
        ]);
    });

    it('flags dataActions across every provider, "*/read" included, on a versioned token', async () => {
        expect(
            await messages(
                pack(),
                POLICY,
                resource("azure-native:authorization/v20220401:RoleDefinition", "ops", {
                    scope: "/subscriptions/00000000-0000-0000-0000-000000000000",
                    permissions: [{ actions: ["*/read"], dataActions: ["*", "*/read"] }],
                }),
            ),
        ).toEqual([
            `Role definition 'ops' grants "*" in permissions[0].dataActions (the data of every resource provider, including those added later), "*/read" in permissions[0].dataActions (the data of every resource provider, including those added later)${fix}`,
        ]);
    });
});

describe("azure-arc-connected-cluster-azure-rbac", () => {
    const POLICY = "azure-arc-connected-cluster-azure-rbac";
    const CLUSTER = "azure-native:kubernetes:ConnectedCluster";
    const RELEASE = "kubernetes:helm.sh/v3:Release";
    const CHART = "oci://mcr.microsoft.com/azurearck8s/batch1/stable/v2/azure-arc-k8sagents";
    /** As EdgeCluster registers a k3s site with azureRbac on. */
    const cluster = (props: Record<string, unknown> = {}, name = "store-0042") =>
        resource(CLUSTER, name, {
            resourceGroupName: "fleet",
            clusterName: name,
            distribution: "k3s",
            infrastructure: "generic",
            identity: { type: "SystemAssigned" },
            aadProfile: { enableAzureRBAC: true, tenantID: "tenant" },
            ...props,
        });
    const guard = { enabled: true, authnMode: "arc", skipAuthzCheck: "" };
    /** The agents' release, its values as arcAgentValues builds them. */
    const agents = (
        values: Record<string, unknown> | string,
        extra: Partial<AnalyzedResource> = {},
        name = "store-0042-arc-agents",
    ) =>
        resource(
            RELEASE,
            name,
            {
                name: "azure-arc",
                namespace: "azure-arc-release",
                chart: CHART,
                version: "1.30.1",
                values,
            },
            extra,
        );
    const values = (resourceName: string, systemDefaultValues: Record<string, unknown>) => ({
        global: { resourceName, kubernetesDistro: "k3s" },
        systemDefaultValues: {
            spnOnboarding: false,
            "clusterconnect-agent": { enabled: true },
            ...systemDefaultValues,
        },
    });
    const fix = `set systemDefaultValues.guard to { enabled: true, authnMode: "arc" } in the agents' values, as \`az connectedk8s enable-features --features azure-rbac\` does, and aadProfile.enableAzureRBAC to true on the connected cluster (EdgeCluster's azureRbac, on by default, sets both), then point the cluster's API server at the guard's webhooks; if the cluster runs AKS, EKS, GKE or OpenShift, set distribution accordingly (Azure RBAC cannot work there through Arc).`;
    const noGuard = (release = "'store-0042-arc-agents'") =>
        `Arc connected cluster 'store-0042' does not authorize with Azure RBAC: the Arc agents' Helm release ${release} the stack installs on it does not enable the guard (values.systemDefaultValues.guard.enabled is not true), and Azure role assignments (such as the fleet's Arc admin and viewer roles) do not govern access inside the cluster: ${fix}`;
    const noDeclaration = `Arc connected cluster 'store-0042' does not set aadProfile.enableAzureRBAC to true, and the stack does not install its Arc agents (no Release of the azure-arc-k8sagents chart for it), so nothing shows that the cluster authorizes with Azure RBAC, and Azure role assignments may not govern access inside it: ${fix}`;

    it("passes EdgeCluster's site: aadProfile.enableAzureRBAC and the agents' guard", async () => {
        expect(
            await stackMessages(pack(), POLICY, [
                cluster(),
                agents(values("store-0042", { guard })),
            ]),
        ).toEqual([]);
    });

    it("passes the guard alone (enable-features sets no ARM property), or the ARM property when the agents are installed outside the stack", async () => {
        expect(
            await stackMessages(pack(), POLICY, [
                cluster({ aadProfile: undefined }),
                agents(values("store-0042", { guard: { enabled: "true" } })),
            ]),
        ).toEqual([]);
        expect(await stackMessages(pack(), POLICY, [cluster()])).toEqual([]);
    });

    it("passes the distributions where Azure RBAC cannot work through Arc", async () => {
        for (const distribution of ["eks", "gke", "openshift", "AKS"]) {
            expect(
                await stackMessages(pack(), POLICY, [
                    cluster({ distribution, aadProfile: undefined }),
                    agents(values("store-0042", {})),
                ]),
            ).toEqual([]);
        }
    });

    it("passes values not known yet, the release tied to the cluster by its property dependencies", async () => {
        const site = cluster({ aadProfile: undefined });
        expect(
            await stackMessages(pack(), POLICY, [
                site,
                agents(UNKNOWN_STRING, { propertyDependencies: { values: [site.urn] } }),
            ]),
        ).toEqual([]);
        expect(
            await stackMessages(pack(), POLICY, [
                cluster({ distribution: UNKNOWN_STRING, aadProfile: undefined }),
            ]),
        ).toEqual([]);
    });

    it("flags agents installed without the guard, whatever the cluster declares", async () => {
        expect(
            await stackMessages(pack(), POLICY, [
                cluster({ aadProfile: undefined }),
                agents(values("store-0042", {})),
            ]),
        ).toEqual([noGuard()]);
        expect(
            await stackMessages(pack(), POLICY, [
                cluster(),
                agents(values("store-0042", { guard: { enabled: false } })),
            ]),
        ).toEqual([
            `Arc connected cluster 'store-0042' sets aadProfile.enableAzureRBAC to true, but the Arc agents' Helm release 'store-0042-arc-agents' the stack installs on it does not enable the guard (values.systemDefaultValues.guard.enabled is not true), so Azure RBAC is declared and not enforced, and Azure role assignments (such as the fleet's Arc admin and viewer roles) do not govern access inside the cluster: ${fix}`,
        ]);
    });

    it("flags a cluster whose agents are not in the stack and that does not declare Azure RBAC", async () => {
        expect(
            await stackMessages(pack(), POLICY, [
                cluster({ aadProfile: { enableAzureRBAC: false } }),
            ]),
        ).toEqual([noDeclaration]);
        expect(await stackMessages(pack(), POLICY, [cluster({ aadProfile: undefined })])).toEqual([
            noDeclaration,
        ]);
    });

    it("does not count another cluster's agents, nor a release that only depends on the cluster", async () => {
        const site = cluster({ aadProfile: undefined });
        expect(
            await stackMessages(pack(), POLICY, [
                site,
                agents(values("factory-eu-1", { guard }), {}, "factory-eu-1-arc-agents"),
            ]),
        ).toEqual([noDeclaration]);
        expect(
            await stackMessages(pack(), POLICY, [
                site,
                agents(UNKNOWN_STRING, { dependencies: [site.urn] }),
            ]),
        ).toEqual([noDeclaration]);
    });

    it("names the cluster's URN", async () => {
        const site = cluster({ aadProfile: undefined });
        const found = (await pack().analyzeStack([site])).filter((d) => d.policyName === POLICY);
        expect(found.map((d) => d.urn)).toEqual([site.urn]);
    });
});

describe("the Azure identity policies on the offline plan of the prod stack", () => {
    const POLICIES = [
        "azure-container-registry-no-admin-user",
        "azure-aks-azure-rbac",
        "azure-arc-connected-cluster-azure-rbac",
        "azure-role-definition-no-wildcard-actions",
        "azure-role-assignment-no-subscription-owner",
    ];
    const RELEASE = "kubernetes:helm.sh/v3:Release";

    it("finds no violation in the program's registry, role assignments and edge sites, and sees the guard of a site's agents", async () => {
        const plan = await planStack("prod");
        expect(plan.errors).toEqual([]);
        const providers = new Map<string, RecordedResource>();
        const analyze = (resources: RecordedResource[]) =>
            resources.map((r) => toAnalyzed(r, providers));
        const azure = plan.resources.filter(
            (r) => r.type.startsWith("azure-native:") || r.type === RELEASE,
        );
        // The registry, the role assignments and both sites (k3s and rancher_rke) are there.
        expect(azure.map((r) => r.type)).toEqual(
            expect.arrayContaining([
                "azure-native:containerregistry:Registry",
                "azure-native:authorization:RoleAssignment",
                "azure-native:kubernetes:ConnectedCluster",
                RELEASE,
            ]),
        );
        const ours = (d: { policyName: string }) => POLICIES.includes(d.policyName);
        for (const r of analyze(azure)) {
            expect((await pack().analyze(r)).filter(ours)).toEqual([]);
        }
        expect((await pack().analyzeStack(analyze(plan.resources))).filter(ours)).toEqual([]);

        // Without the guard in store-0042's agents, the policy finds the release through the
        // program's own wiring and reports the cluster.
        const site = one(plan, "azure-native:kubernetes:ConnectedCluster", "store-0042");
        const unguarded = plan.resources.map((r) => {
            if (r.type !== RELEASE || r.name !== "store-0042-arc-agents") return r;
            const inputs = structuredClone(r.inputs) as {
                values: { systemDefaultValues: Record<string, unknown> };
            };
            delete inputs.values.systemDefaultValues.guard;
            return { ...r, inputs };
        });
        const found = (await pack().analyzeStack(analyze(unguarded))).filter(
            (d) => d.policyName === "azure-arc-connected-cluster-azure-rbac",
        );
        expect(found.map((d) => d.urn)).toEqual([site.urn]);
    }, 120_000);
});
