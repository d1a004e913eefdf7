/**
 * An edge site (components/edge/EdgeCluster.ts): sites outside every cloud, each with a fixed
 * footprint (key, connected cluster, agents, and with anthos the attached cluster), and the
 * fleet-wide Azure governance that reaches all of them. The committed prod stack lists two
 * sites; synthetic fleets come from tools/synthetic.ts; one site planned alone shows each
 * argument's effect. The Azure CLI's rules: EdgeCluster.cli-parity.test.ts; the sharding:
 * shards.test.ts; the config's refusals: tests/config/edge.test.ts.
 */
import { createPublicKey, KeyObject } from "crypto";
import type { RecordedResource } from "../../../plan/mocks";
import type { PlanResult } from "../../../plan/run";
import { syntheticEdgeOverrides, syntheticSites } from "../../../tools/synthetic";
import type * as EdgeClusterModule from "../../../components/edge/EdgeCluster";
import {
    byUrn,
    created,
    ofType,
    one,
    planComponents,
    planStack,
    workerModule,
} from "../../harness";
import { ARC, KUBECONFIG, T } from "./fixtures";

/** The component's module as the plans load it: its conversions and checks, called directly. */
const { agentPublicKeyCertificate, attachedDistribution, validateEdgeClusterArgs } = workerModule<
    typeof EdgeClusterModule
>("components/edge/EdgeCluster");

const SUB = "11111111-1111-1111-1111-111111111111";
const RG = `/subscriptions/${SUB}/resourceGroups/multicloud-prod-fleet`;
const CLUSTERS = [
    {
        name: "store-0042",
        distribution: "k3s",
        infrastructure: "generic",
        region: "eu-west",
        tier: "store",
    },
    {
        name: "factory-eu-1",
        distribution: "rancher_rke",
        infrastructure: "vsphere",
        region: "eu-central",
        tier: "factory",
    },
];

/** Whether `path` of `r`'s inputs was sent as a secret (itself or as part of a secret parent). */
const isSecretAt = (r: RecordedResource, path: string) =>
    r.secretPaths.some((p) => path === p || path.startsWith(`${p}.`));

const values = (release: RecordedResource) =>
    release.inputs.values as {
        global: Record<string, unknown>;
        systemDefaultValues: Record<string, unknown>;
    };

/** The resources registered under a site's EdgeCluster (itself included), by type. */
function footprint(plan: PlanResult, site: string): Record<string, number> {
    const root = one(plan, T.edge, site);
    const counts: Record<string, number> = { [T.edge]: 1 };
    for (const r of plan.resources.filter((r) => r.parent === root.urn)) {
        counts[r.type] = (counts[r.type] ?? 0) + 1;
    }
    return counts;
}

/** A site's Config Sync member (`config-sync-<site>`) and its FeatureMembership. */
const syncMember = (plan: PlanResult, site: string) =>
    plan.resources.filter((r) => r.name === `config-sync-${site}`);

/** Everything that is not part of a site: what the fleet shares. */
const fleetWide = (plan: PlanResult) => {
    const sites = new Set(ofType(plan, T.edge).map((r) => r.urn));
    const members = new Set(
        ofType(plan, T.edge).flatMap((site) => syncMember(plan, site.name).map((r) => r.urn)),
    );
    return created(plan)
        .filter((r) => !sites.has(r.urn) && !sites.has(r.parent ?? "") && !members.has(r.urn))
        .map((r) => r.urn)
        .sort();
};

describe("Edge sites in the prod stack", () => {
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

    it.each(CLUSTERS)("tags $name with the fleet's tags, its labels and its region", (c) => {
        expect(one(plan, T.cc, c.name).inputs.tags).toMatchObject({
            environment: "prod",
            "managed-by": "pulumi",
            tier: c.tier,
            "edge-region": c.region,
        });
    });

    it.each(CLUSTERS)("installs the agents into $name with the values the Azure CLI sets", (c) => {
        const release = one(plan, T.release, `${c.name}-arc-agents`);
        expect(release.inputs).toMatchObject({
            name: "azure-arc",
            namespace: "azure-arc-release",
            chart: "oci://mcr.microsoft.com/azurearck8s/batch1/stable/v2/azure-arc-k8sagents",
            version: "1.30.1",
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
                // Azure RBAC, as `az connectedk8s enable-features --features azure-rbac` sets it
                // (custom.py enable_features); tested in detail in EdgeCluster.cli-parity.test.ts.
                guard: { enabled: true, authnMode: "arc", skipAuthzCheck: "" },
            },
        });
        // Through a provider built from the cluster's own kubeconfig, after the connected cluster.
        const provider = byUrn(plan, release.provider)!;
        expect(provider.type).toBe("pulumi:providers:kubernetes");
        expect(String(provider.inputs.kubeconfig)).toContain(
            "offline-plan placeholder for secret multicloud:edge.sites",
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
        "registers only what is $name's own: no extension, Flux configuration or association per site",
        ({ name }) => {
            expect(footprint(plan, name)).toEqual({
                [T.edge]: 1,
                [T.provider]: 1,
                [T.key]: 1,
                [T.cc]: 1,
                [T.release]: 1,
                // The guard's checkAccess role for the cluster's own identity (Azure RBAC).
                [T.role]: 1,
            });
            expect(ofType(plan, T.ext)).toEqual([]);
            expect(ofType(plan, T.flux)).toEqual([]);
            expect(ofType(plan, T.association)).toEqual([]);
        },
    );

    it("connects the sites after the fleet's policy assignments exist, so that they act on each", () => {
        const governance = one(plan, "multicloud:azure:ArcGovernance", "arc-governance");
        const assignments = ofType(plan, T.policy).filter((p) => p.parent === governance.urn);
        expect(assignments.length).toBeGreaterThanOrEqual(4);
        for (const { name } of CLUSTERS) {
            const site = one(plan, T.edge, name);
            for (const a of assignments) expect(site.dependencies).toContain(a.urn);
        }
        // The Azure Policy extension among them (which definitions deliver Flux and Container
        // Insights is ArcGovernance's business, tested with it).
        const definitions = assignments.map((a) => String(a.inputs.policyDefinitionId));
        expect(definitions).toContain(
            "/providers/Microsoft.Authorization/policyDefinitions/0adc5395-9169-4b9b-8687-af838d69410a",
        );
        for (const a of assignments) expect(a.inputs.scope).toBe(RG);
        // No cluster is carved out of the Flux policy any more: it reaches every site.
        for (const a of assignments) expect(a.inputs.notScopes ?? []).toEqual([]);
    });

    it("grants the configured groups Arc admin and viewer roles on the group, and nobody anything at subscription scope", () => {
        const all = ofType(plan, T.role);
        // The fleet's Arc roles; the dashboard's own are tested with it.
        const roles = all.filter((r) => r.name.startsWith("arc-governance")).map((r) => r.inputs);
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
        // Nothing is granted beyond the fleet's resource group, but the registry identity's
        // grant on the Key Vault of its customer-managed key (appImage.azureEncryption), scoped
        // to that vault alone.
        for (const r of all.filter((a) => a.name !== "app-acr-cmek")) {
            expect(String(r.inputs.scope).startsWith(RG)).toBe(true);
        }
        const keyGrant = all.find((a) => a.name === "app-acr-cmek");
        expect(keyGrant?.inputs.scope).toMatch(/\/providers\/Microsoft\.KeyVault\/vaults\/[^/]+$/);
        expect(one(plan, T.workspace, "arc-governance-logs").inputs).toMatchObject({
            retentionInDays: 90,
        });
    });

    it("exports the sites it manages and the workspace id, never a kubeconfig", () => {
        expect(plan.outputs.edge).toEqual({
            shard: null,
            sitesInFleet: 2,
            sites: CLUSTERS.map((c) => c.name),
            gitops: "flux",
            attachedToGkeFleet: false,
        });
        expect(plan.outputs.azure).toMatchObject({
            workspaceId: expect.stringMatching(
                new RegExp(`^${RG}/providers/Microsoft.OperationalInsights/workspaces/`),
            ),
        });
    });
});

describe("Edge footprint at scale", () => {
    const plans: Record<number, PlanResult> = {};
    beforeAll(async () => {
        for (const n of [0, 3, 12]) {
            plans[n] = await planStack("dev", syntheticEdgeOverrides(n));
            expect(plans[n].errors).toEqual([]);
        }
    });

    it("adds exactly ten registrations per site in Arc, the GKE fleet and Config Sync, whatever the fleet's size", () => {
        const perSite = {
            [T.role]: 1,
            [T.edge]: 1,
            [T.provider]: 1,
            [T.key]: 1,
            [T.cc]: 1,
            [T.release]: 1,
            [T.bootstrap]: 1,
            [T.attached]: 1,
        };
        for (const n of [3, 12]) {
            // Eight in the site's component, and its own Config Sync FeatureMembership (with its
            // component): Google applies no fleet default to attached clusters.
            expect(created(plans[n]).length - created(plans[0]).length).toBe(10 * n);
            for (const site of syntheticSites(n)) {
                expect(footprint(plans[n], String(site.name))).toEqual(perSite);
                expect(syncMember(plans[n], String(site.name)).map((r) => r.type)).toEqual([
                    "multicloud:gcp:ConfigSyncMember",
                    "gcp:gkehub/featureMembership:FeatureMembership",
                ]);
            }
        }
    });

    it("shares everything else: the fleet-wide resources are the same for 3 sites and for 12", () => {
        expect(fleetWide(plans[12])).toEqual(fleetWide(plans[3]));
        // One project lookup for the fleet, not one per attached site.
        const lookups = (n: number) =>
            plans[n].invokes.filter((i) => i.token === "gcp:organizations/getProject:getProject")
                .length;
        expect(lookups(12)).toBe(lookups(3));
    });

    it("ties each site's fleet membership to its own cluster, after Google's bootstrap manifest", () => {
        for (const site of syntheticSites(3)) {
            const name = String(site.name);
            const attached = one(plans[3], T.attached, name);
            const bootstrap = one(plans[3], T.bootstrap, `${name}-attach-bootstrap`);
            const provider = one(plans[3], T.provider, `${name}-k8s`);
            expect(attached.inputs).toMatchObject({
                name,
                location: "us-west1",
                platformVersion: "1.31.0-gke.1",
                distribution: "generic",
                oidcConfig: { issuerUrl: site.oidcIssuerUrl },
                fleet: { project: expect.stringMatching(/^projects\/\d+$/) },
            });
            expect(attached.dependencies).toContain(bootstrap.urn);
            // The manifest and the Arc agents go through the same provider: the site's kubeconfig.
            expect(bootstrap.provider).toBe(provider.urn);
            expect(one(plans[3], T.release, `${name}-arc-agents`).provider).toBe(provider.urn);
            expect(isSecretAt(provider, "kubeconfig")).toBe(true);
        }
    });

    it("lets Config Sync deliver gitops/ to attached sites, and leaves Flux out then", () => {
        const definitions = ofType(plans[3], T.policy).map((p) =>
            String(p.inputs.policyDefinitionId),
        );
        expect(definitions.some((d) => d.endsWith("83ea2fd1-9eaf-2f6d-f672-cd7b2ac798f6"))).toBe(
            false,
        );
        expect(plans[3].outputs.edge).toMatchObject({
            gitops: "configsync",
            attachedToGkeFleet: true,
            sitesInFleet: 3,
        });
    });

    it("registers six per site in Arc only, and hands each site's agents the stack's proxy", async () => {
        const proxy = { httpsProxy: "http://proxy.corp:3128", noProxy: "10.0.0.0/8,.svc" };
        const arcOnly = await planStack("dev", {
            "edge.sites": syntheticSites(4).map(({ oidcIssuerUrl: _issuer, ...s }) => s),
            "azure.arc.proxy": proxy,
        });
        expect(arcOnly.errors).toEqual([]);
        // Against the dev stack as committed: Arc only, Flux delivering gitops/.
        const none = await planStack("dev");
        expect(created(arcOnly).length - created(none).length).toBe(6 * 4);
        // azure.arc.proxy reaches every site's agents (the values themselves: cli-parity).
        for (const site of syntheticSites(4)) {
            expect(
                values(one(arcOnly, T.release, `${String(site.name)}-arc-agents`)).global,
            ).toMatchObject({ isProxyEnabled: true, ...proxy });
        }
    });
});

describe("EdgeCluster's own checks", () => {
    it("validates EdgeCluster's own arguments", () => {
        expect(
            validateEdgeClusterArgs("Store_1", {
                kubeconfig: "not: [yaml",
                arc: {
                    resourceGroupName: "rg",
                    location: "westeurope",
                    subscriptionId: "s",
                    tenantId: "t",
                    agentChartVersion: " ",
                },
                anthos: {
                    project: "p",
                    projectNumber: "1",
                    location: "us-west1",
                    platformVersion: "1.31",
                    oidcIssuerUrl: "http://issuer",
                },
            }),
        ).toEqual([
            "name 'Store_1' must be a lowercase DNS label of up to 63 characters (a connected cluster name and a fleet membership id)",
            expect.stringMatching(/^kubeconfig is not YAML/),
            "arc.agentChartVersion is empty: pin the azure-arc-k8sagents chart version the agents run",
            "anthos.oidcIssuerUrl 'http://issuer' must be the cluster's https OIDC issuer URL",
            "anthos.platformVersion '1.31' must be an attached clusters version such as 1.31.0-gke.1",
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

    // GKE attached clusters take distribution "aks", "eks" or "generic" (@pulumi/gcp
    // container/attachedCluster.d.ts AttachedClusterArgs.distribution: "Supported values:
    // eks, aks, generic"); any other Arc distribution attaches as generic.
    it("attaches EKS and AKS by name and every other distribution as generic", () => {
        expect(
            (["eks", "aks", "k3s", "aks_edge_k3s", "gke", "generic"] as const).map(
                attachedDistribution,
            ),
        ).toEqual(["eks", "aks", "generic", "generic", "generic", "generic"]);
    });
});

describe("one EdgeCluster planned alone", () => {
    it("installs the chart it is given, with the site's tags on the connected cluster", async () => {
        const plan = await planComponents((req) => {
            const pulumi = req<typeof import("@pulumi/pulumi")>("@pulumi/pulumi");
            const azure = req<typeof import("@pulumi/azure-native")>("@pulumi/azure-native");
            const tls = req<typeof import("@pulumi/tls")>("@pulumi/tls");
            const { EdgeCluster } = req<typeof import("../../../components/edge/EdgeCluster")>(
                "components/edge/EdgeCluster",
            );
            new EdgeCluster(
                "kiosk-7",
                {
                    kubeconfig: pulumi.secret(KUBECONFIG),
                    distribution: "k3s",
                    infrastructure: "vsphere",
                    arc: { ...ARC, agentChart: "oci://mirror.example.com/azure-arc-k8sagents" },
                    tags: { tier: "kiosk" },
                },
                { providers: [new azure.Provider("azure"), new tls.Provider("tls")] },
            );
        });
        expect(plan.errors).toEqual([]);
        const release = one(plan, T.release, "kiosk-7-arc-agents");
        expect(release.inputs).toMatchObject({
            chart: "oci://mirror.example.com/azure-arc-k8sagents",
            version: "1.30.1",
        });
        expect(one(plan, T.cc, "kiosk-7").inputs).toMatchObject({
            clusterName: "kiosk-7",
            resourceGroupName: "edge",
            distribution: "k3s",
            infrastructure: "vsphere",
            // The pinned chart: the agents never upgrade themselves behind Pulumi's back.
            arcAgentProfile: { agentAutoUpgrade: "Disabled" },
            tags: { tier: "kiosk" },
        });
        // Every child is the component's, named after it.
        const component = one(plan, T.edge, "kiosk-7");
        const children = plan.resources.filter((r) => r.parent === component.urn);
        expect(children.map((r) => r.name).sort()).toEqual(
            [
                "kiosk-7",
                "kiosk-7-agent-key",
                "kiosk-7-arc-agents",
                "kiosk-7-guard-checkaccess",
                "kiosk-7-k8s",
            ].sort(),
        );
    }, 120_000);

    it("refuses bad arguments before registering anything", async () => {
        const plan = await planComponents((req) => {
            const azure = req<typeof import("@pulumi/azure-native")>("@pulumi/azure-native");
            const tls = req<typeof import("@pulumi/tls")>("@pulumi/tls");
            const { EdgeCluster } = req<typeof import("../../../components/edge/EdgeCluster")>(
                "components/edge/EdgeCluster",
            );
            new EdgeCluster(
                "Kiosk_7",
                { kubeconfig: KUBECONFIG, arc: ARC },
                { providers: [new azure.Provider("azure"), new tls.Provider("tls")] },
            );
        });
        // Only the test's own providers: the component registered nothing.
        expect(created(plan).filter((r) => !r.type.startsWith("pulumi:providers:"))).toEqual([]);
        expect(plan.errors.join("\n")).toContain(
            "EdgeCluster 'Kiosk_7' has invalid arguments:\n  - name 'Kiosk_7' must be a lowercase DNS label",
        );
    }, 60_000);
});
