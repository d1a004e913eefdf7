/**
 * The Google Cloud side: GKE clusters, their fleet memberships, attached outside clusters and
 * Config Sync, as the committed stacks register them under the recording mocks.
 */
import type { PlanResult } from "../../../plan/run";
import { validateConfigSyncArgs } from "../../../components/gcp/ConfigSync";
import { regionOf, validateGkeClusterArgs } from "../../../components/gcp/GkeCluster";
import { validateHubMembershipArgs } from "../../../components/gcp/HubMembership";
import { byUrn, created, ofType, one, planStack, waitsFor } from "../../harness";

const T = {
    cluster: "gcp:container/cluster:Cluster",
    pool: "gcp:container/nodePool:NodePool",
    membership: "gcp:gkehub/membership:Membership",
    feature: "gcp:gkehub/feature:Feature",
    featureMembership: "gcp:gkehub/featureMembership:FeatureMembership",
    key: "gcp:kms/cryptoKey:CryptoKey",
    keyRing: "gcp:kms/keyRing:KeyRing",
    keyIam: "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
    sa: "gcp:serviceaccount/account:Account",
    iam: "gcp:projects/iAMMember:IAMMember",
    attached: "gcp:container/attachedCluster:AttachedCluster",
    serviceIdentity: "gcp:projects/serviceIdentity:ServiceIdentity",
};
const PROJECT = "multicloud-prod-000000";

type ClusterOutput = { name: string; clusterId: string; endpoint: string };

describe.each([
    ["dev", ["dev-gke"]],
    ["prod", ["prod-eu", "prod-us"]],
])("the %s stack's GKE fleet", (stack, names) => {
    const project = `multicloud-${stack}-000000`;
    let plan: PlanResult;
    let clusters: ClusterOutput[];
    beforeAll(async () => {
        plan = await planStack(stack);
        expect(plan.errors).toEqual([]);
        clusters = (plan.outputs.gcp as { clusters: ClusterOutput[] }).clusters;
    });

    it("links each membership to its cluster, with the cluster's issuer for fleet Workload Identity", () => {
        expect(clusters.map((c) => c.name)).toEqual(names);
        for (const c of clusters) {
            expect(c.clusterId).toMatch(
                new RegExp(
                    `^projects/${project}/locations/[a-z0-9-]+/clusters/${c.name}-[0-9a-f]+$`,
                ),
            );
            const membership = one(plan, T.membership, c.name);
            expect(membership.inputs).toMatchObject({
                project,
                membershipId: c.name,
                location: "global",
                endpoint: {
                    gkeCluster: { resourceLink: `//container.googleapis.com/${c.clusterId}` },
                },
                authority: { issuer: `https://container.googleapis.com/v1/${c.clusterId}` },
            });
            expect(membership.dependencies).toContain(one(plan, T.cluster, c.name).urn);
        }
    });

    // Rule: no fleet-level default member config. It reaches only GKE clusters on Google Cloud
    // (https://cloud.google.com/kubernetes-engine/config-sync/docs/how-to/install-fleet), and a
    // GKE membership that inherited it makes its own FeatureMembership fail on create ("Resource
    // already exists - apply blocked by lifecycle params": hashicorp/terraform-provider-google
    // google/tpgdclresource/dcl.go CreateDirective, issue #21049). Each cluster has its own.
    it("turns Config Sync on per member: the feature carries no fleet default, each cluster a FeatureMembership", () => {
        const feature = one(plan, T.feature, "config-sync");
        expect(feature.inputs).toMatchObject({
            project,
            name: "configmanagement",
            location: "global",
        });
        expect(feature.inputs.fleetDefaultMemberConfig).toBeUndefined();
        const members = ofType(plan, T.featureMembership);
        expect(members.map((m) => m.inputs.membership)).toEqual(names);
        for (const m of members) {
            expect(m.inputs).toMatchObject({
                project,
                feature: "configmanagement",
                location: "global",
                membershipLocation: "global",
                configmanagement: {
                    configSync: {
                        enabled: true,
                        sourceFormat: "unstructured",
                        preventDrift: true,
                        git: {
                            syncRepo: "https://github.com/example-org/multicloud-fleet.git",
                            secretType: "none",
                        },
                    },
                },
            });
        }
    });

    it("encrypts Secrets with a rotating Cloud KMS key the GKE agent may use, and enables Workload Identity", () => {
        for (const c of clusters) {
            const cluster = one(plan, T.cluster, c.name);
            expect(cluster.inputs.workloadIdentityConfig).toEqual({
                workloadPool: `${project}.svc.id.goog`,
            });
            expect(one(plan, T.key, `${c.name}-secrets`).inputs.rotationPeriod).toBe("7776000s");
            expect(cluster.inputs.databaseEncryption).toEqual({
                state: "ENCRYPTED",
                keyName: expect.stringMatching(
                    new RegExp(
                        `/keyRings/${c.name}-keyring-[0-9a-f]+/cryptoKeys/${c.name}-secrets-[0-9a-f]+$`,
                    ),
                ),
            });
            expect(cluster.dependencies).toContain(
                one(plan, T.keyIam, `${c.name}-secrets-gke`).urn,
            );
            expect(one(plan, T.pool, `${c.name}-nodes`).inputs.nodeConfig).toMatchObject({
                workloadMetadataConfig: { mode: "GKE_METADATA" },
            });
        }
    });

    // Rule: IAM refuses a member that does not exist, and the GKE service agent may not exist
    // seconds after the Container API is enabled; ServiceIdentity creates it
    // (generateServiceIdentity), and the grant waits for it. Its address is the documented one,
    // since the API may return no email (terraform-provider-google-beta
    // google-beta/services/resourcemanager/resource_project_service_identity.go).
    it("creates the GKE service agent before granting it the Secrets key", () => {
        for (const c of clusters) {
            const agent = one(plan, T.serviceIdentity, `${c.name}-gke-agent`);
            expect(agent.inputs).toMatchObject({ project, service: "container.googleapis.com" });
            const grant = one(plan, T.keyIam, `${c.name}-secrets-gke`);
            expect(grant.dependencies).toContain(agent.urn);
            expect(grant.inputs.member).toMatch(
                /^serviceAccount:service-\d+@container-engine-robot\.iam\.gserviceaccount\.com$/,
            );
        }
    });

    // Rule: GKE Standard enforces NetworkPolicies only with Dataplane V2 or the network-policy
    // add-on; Dataplane V2 has enforcement built in and excludes the add-on
    // (https://cloud.google.com/kubernetes-engine/docs/how-to/dataplane-v2), and can be chosen at
    // creation only (datapath_provider ForceNew: hashicorp/terraform-provider-google
    // google/services/container/resource_container_cluster.go).
    it("enforces NetworkPolicies with Dataplane V2, without the network-policy add-on", () => {
        for (const c of clusters) {
            const cluster = one(plan, T.cluster, c.name);
            expect(cluster.inputs.datapathProvider).toBe("ADVANCED_DATAPATH");
            expect(cluster.inputs.networkPolicy).toBeUndefined();
            expect(cluster.inputs.addonsConfig).toBeUndefined();
        }
    });

    // Rule: once the default pool is removed, GKE reports the first node pool's config as the
    // cluster's nodeConfig ("For responses, this field will be populated with the node
    // configuration of the first node pool", GKE API Cluster.nodeConfig); resource_labels there
    // (Optional, not Computed: google/services/container/node_config.go) would differ from the
    // inputs and the provider would update the deleted default-pool on every run. And a pool
    // created without an initial count starts empty (InitialNodeCount 0:
    // resource_container_node_pool.go); the count is ForceNew, so it is set for creation only.
    it("keeps the bootstrap nodeConfig out of diffs and starts each pool with nodes", () => {
        for (const c of clusters) {
            const cluster = one(plan, T.cluster, c.name);
            expect(cluster.inputs).toMatchObject({
                removeDefaultNodePool: true,
                initialNodeCount: 1,
                nodeConfig: { serviceAccount: expect.stringMatching(/-nodes@/) },
            });
            expect(cluster.ignoreChanges).toEqual(["nodeConfig"]);
            const pool = one(plan, T.pool, `${c.name}-nodes`);
            expect(pool.inputs.initialNodeCount).toBe(
                (pool.inputs.autoscaling as { minNodeCount: number }).minNodeCount || 1,
            );
            expect(pool.ignoreChanges).toEqual(["initialNodeCount"]);
        }
    });
});

describe("the prod stack's GKE fleet in detail", () => {
    let plan: PlanResult;
    let clusters: ClusterOutput[];
    beforeAll(async () => {
        plan = await planStack("prod");
        expect(plan.errors).toEqual([]);
        clusters = (plan.outputs.gcp as { clusters: ClusterOutput[] }).clusters;
    });

    it("creates the Config Sync feature before any membership, and each cluster's Config Sync after its membership", () => {
        const configSync = one(plan, "multicloud:gcp:ConfigSync", "config-sync");
        for (const member of ofType(plan, "multicloud:gcp:HubMembership")) {
            expect(waitsFor(plan, member, configSync)).toBe(true);
        }
        const override = one(plan, "multicloud:gcp:ConfigSyncMember", "config-sync-prod-us");
        expect(waitsFor(plan, override, one(plan, "multicloud:gcp:HubMembership", "prod-us"))).toBe(
            true,
        );
    });

    it("gives private nodes egress through one Cloud NAT per region, and each control plane its own range", () => {
        const nats = ofType(plan, "multicloud:gcp:CloudNat");
        expect(nats.map((n) => n.name)).toEqual([
            "nat-default-europe-west1",
            "nat-default-us-central1",
        ]);
        expect(
            one(plan, "gcp:compute/routerNat:RouterNat", "nat-default-europe-west1-nat").inputs,
        ).toMatchObject({
            natIpAllocateOption: "AUTO_ONLY",
            sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
        });
        for (const c of ofType(plan, "multicloud:gcp:GkeCluster")) {
            for (const nat of nats) expect(waitsFor(plan, c, nat)).toBe(true);
        }
        const ranges = ["prod-eu", "prod-us"].map(
            (n) =>
                (
                    one(plan, T.cluster, n).inputs.privateClusterConfig as {
                        masterIpv4CidrBlock: string;
                    }
                ).masterIpv4CidrBlock,
        );
        expect(ranges).toEqual(["172.16.0.0/28", "172.16.0.16/28"]);
    });

    it("syncs only the baseline on each GKE cluster (Pulumi applies the app), and its own branch where asked", () => {
        const overrides = ofType(plan, T.featureMembership);
        expect(
            overrides.map((o) => {
                const git = (
                    o.inputs as {
                        configmanagement: { configSync: { git: Record<string, string> } };
                    }
                ).configmanagement.configSync.git;
                return [o.inputs.membership, git.syncBranch, git.policyDir];
            }),
        ).toEqual([
            ["prod-eu", "main", "gitops/cluster"],
            ["prod-us", "prod-us", "gitops/cluster"],
        ]);
        expect(overrides[1].inputs).toMatchObject({
            feature: "configmanagement",
            membershipLocation: "global",
            configmanagement: {
                configSync: {
                    enabled: true,
                    git: { syncRepo: "https://github.com/example-org/multicloud-fleet.git" },
                },
            },
        });
    });

    it("keeps each Secrets key in its cluster's region, granted to the GKE service agent", () => {
        for (const c of clusters) {
            const cluster = one(plan, T.cluster, c.name);
            expect(one(plan, T.keyRing, `${c.name}-keyring`).inputs.location).toBe(
                cluster.inputs.location,
            );
            expect(one(plan, T.key, `${c.name}-secrets`).inputs.purpose).toBe("ENCRYPT_DECRYPT");
            expect(one(plan, T.keyIam, `${c.name}-secrets-gke`).inputs).toMatchObject({
                role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
                member: expect.stringMatching(
                    /^serviceAccount:service-\d+@container-engine-robot\.iam\.gserviceaccount\.com$/,
                ),
            });
        }
    });

    it("runs private, shielded nodes with Workload Identity, no legacy ABAC, and Google Groups for RBAC", () => {
        const cluster = one(plan, T.cluster, "prod-eu");
        expect(cluster.inputs).toMatchObject({
            location: "europe-west1",
            releaseChannel: { channel: "STABLE" },
            workloadIdentityConfig: { workloadPool: `${PROJECT}.svc.id.goog` },
            enableShieldedNodes: true,
            enableLegacyAbac: false,
            privateClusterConfig: {
                enablePrivateNodes: true,
                enablePrivateEndpoint: false,
                masterIpv4CidrBlock: "172.16.0.0/28",
            },
            masterAuthorizedNetworksConfig: {
                cidrBlocks: [{ cidrBlock: "198.51.100.0/24", displayName: "platform-vpn" }],
            },
            authenticatorGroupsConfig: { securityGroup: "gke-security-groups@example.com" },
            removeDefaultNodePool: true,
            deletionProtection: true,
        });
    });

    it("manages the node pool separately, autoscaled, under a least-privilege service account", () => {
        const sa = one(plan, T.sa, "prod-eu-nodes");
        const email = `prod-eu-nodes@${PROJECT}.iam.gserviceaccount.com`;
        expect(sa.inputs.accountId).toBe("prod-eu-nodes");
        const pool = one(plan, T.pool, "prod-eu-nodes");
        expect(pool.inputs).toMatchObject({
            autoscaling: { minNodeCount: 1, maxNodeCount: 5 },
            management: { autoRepair: true, autoUpgrade: true },
            nodeConfig: {
                serviceAccount: email,
                machineType: "e2-standard-4",
                shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
                workloadMetadataConfig: { mode: "GKE_METADATA" },
            },
        });
        const roles = ofType(plan, T.iam)
            .filter((m) => m.inputs.member === `serviceAccount:${email}`)
            .map((m) => m.inputs.role);
        expect(roles.sort()).toEqual([
            "roles/artifactregistry.reader",
            "roles/autoscaling.metricsWriter",
            "roles/logging.logWriter",
            "roles/monitoring.metricWriter",
            "roles/monitoring.viewer",
            "roles/stackdriver.resourceMetadata.writer",
        ]);
    });

    it("keeps each cluster's kubeconfig a secret", () => {
        for (const component of ofType(plan, "multicloud:gcp:GkeCluster")) {
            expect(component.outputSecretPaths).toContain("kubeconfig");
            expect(String(component.outputs?.kubeconfig)).toContain(
                "command: gke-gcloud-auth-plugin",
            );
        }
    });

    it("waits for the Google APIs before creating anything", () => {
        const services = ofType(plan, "gcp:projects/service:Service").map((s) => s.urn);
        for (const component of created(plan).filter((r) =>
            /^multicloud:gcp:(GkeCluster|HubMembership|ConfigSync)$/.test(r.type),
        )) {
            expect(component.dependencies).toEqual(expect.arrayContaining(services));
        }
    });

    it("exports clusters, memberships and the fleet feature state", () => {
        expect(plan.outputs.gcp).toMatchObject({
            membershipIds: [
                `projects/${PROJECT}/locations/global/memberships/prod-eu`,
                `projects/${PROJECT}/locations/global/memberships/prod-us`,
            ],
            configSyncFeatureState: [{ state: "ACTIVE", hasResources: false }],
        });
    });
});

describe("the dev stack's GKE fleet", () => {
    it("runs one zonal cluster, its key ring in the zone's region, without Google Groups for RBAC", async () => {
        const plan = await planStack("dev");
        expect(plan.errors).toEqual([]);
        const cluster = one(plan, T.cluster, "dev-gke");
        expect(cluster.inputs.location).toBe("europe-west1-b");
        expect(cluster.inputs.authenticatorGroupsConfig).toBeUndefined();
        expect(cluster.inputs.deletionProtection).toBe(false);
        expect(one(plan, T.keyRing, "dev-gke-keyring").inputs.location).toBe("europe-west1");
        // Its one override narrows Config Sync to the baseline: Pulumi applies the app.
        expect(ofType(plan, T.featureMembership).map((o) => o.name)).toEqual([
            "config-sync-dev-gke",
        ]);
    });
});

describe("clusters outside Google Cloud", () => {
    const onprem = {
        name: "onprem-1",
        location: "us-west1",
        distribution: "generic",
        oidcIssuerUrl: "https://k8s.onprem.example.com",
        platformVersion: "1.31.0-gke.1",
        kubeconfig: { secure: "v1:ciphertext-of-the-kubeconfig" },
    };

    it("attaches them to the fleet after installing the bootstrap manifest, with the kubeconfig kept secret", async () => {
        const jwks = '{"keys":[{"kty":"RSA","kid":"k1"}]}';
        const plan = await planStack("dev", { "gcp.attachedClusters": [{ ...onprem, jwks }] });
        expect(plan.errors).toEqual([]);
        const attached = one(plan, T.attached, "onprem-1");
        // The API takes the JWKS as bytes: base64 of the document kubectl prints.
        expect((attached.inputs.oidcConfig as { jwks: string }).jwks).toBe(
            Buffer.from(jwks).toString("base64"),
        );
        expect(attached.inputs).toMatchObject({
            name: "onprem-1",
            location: "us-west1",
            distribution: "generic",
            platformVersion: "1.31.0-gke.1",
            oidcConfig: { issuerUrl: "https://k8s.onprem.example.com" },
            fleet: { project: expect.stringMatching(/^projects\/\d+$/) },
        });
        const bootstrap = one(plan, "kubernetes:yaml/v2:ConfigGroup", "onprem-1-attach-bootstrap");
        expect(attached.dependencies).toContain(bootstrap.urn);
        const provider = byUrn(plan, bootstrap.provider)!;
        expect(provider.type).toBe("pulumi:providers:kubernetes");
        expect(provider.secretPaths).toContain("kubeconfig");
        expect(plan.outputs.gcp).toMatchObject({
            membershipIds: expect.arrayContaining([
                expect.stringMatching(/^projects\/\d+\/locations\/global\/memberships\/onprem-1$/),
            ]),
        });
    });

    it("refuses a kubeconfig that is not a Pulumi secret, and one missing what attaching needs", async () => {
        const plan = await planStack("dev", {
            "gcp.attachedClusters": [
                { ...onprem, kubeconfig: "apiVersion: v1" },
                { name: "eks-1", location: "us-west1", distribution: "eks" },
            ],
        });
        expect(created(plan)).toEqual([]);
        const message = plan.errors[0];
        expect(message).toContain("multicloud:gcp.attachedClusters[1].oidcIssuerUrl is required");
        expect(message).toContain("multicloud:gcp.attachedClusters[1].platformVersion is required");
        expect(message).toContain("multicloud:gcp.attachedClusters[1].kubeconfig is required");
    });

    it("refuses a plain-text kubeconfig", async () => {
        const plan = await planStack("dev", {
            "gcp.attachedClusters": [{ ...onprem, kubeconfig: "apiVersion: v1" }],
        });
        expect(plan.errors[0]).toContain(
            "multicloud:gcp.attachedClusters[0].kubeconfig must be a secret: set it with `pulumi config set --secret --path 'gcp.attachedClusters[0].kubeconfig'",
        );
    });
});

describe("bad Google Cloud config", () => {
    it("names an unknown location, a non-https/ssh git URL and an empty repository", async () => {
        const plan = await planStack("dev", {
            "gcp.clusters[0].location": "europe-west",
            "gcp.configSync.syncRepo": "http://git.example.com/fleet.git",
        });
        expect(created(plan)).toEqual([]);
        expect(plan.errors[0]).toContain(
            'multicloud:gcp.clusters[0].location must be a Google Cloud region (europe-west1) for a regional cluster or a zone (europe-west1-b) for a zonal one, got "europe-west"',
        );
        expect(plan.errors[0]).toContain(
            "multicloud:gcp.configSync.syncRepo must be an https or ssh git URL (https://host/org/repo.git or git@host:org/repo.git); plain http is refused",
        );
        const empty = await planStack("dev", { "gcp.configSync.syncRepo": undefined });
        expect(empty.errors[0]).toContain(
            "multicloud:gcp.configSync.syncRepo is required when gcp.configSync.enabled is true",
        );
    });

    it("refuses two clusters with one control-plane range in the same network", async () => {
        const plan = await planStack("prod", {
            "gcp.clusters[1].masterIpv4CidrBlock": "172.16.0.0/28",
        });
        expect(plan.errors[0]).toContain(
            "multicloud:gcp.clusters[1].masterIpv4CidrBlock (172.16.0.0/28) overlaps 172.16.0.0/28, the control-plane range of cluster 'prod-eu' in network 'default': give each cluster its own /28",
        );
    });

    it("validates component arguments directly", () => {
        expect(
            validateGkeClusterArgs("c", {
                project: "p",
                location: "mars-1",
                masterIpv4CidrBlock: "172.16.0.0/28",
                minNodesPerZone: 3,
                maxNodesPerZone: 2,
            }),
        ).toEqual([
            "location 'mars-1' is neither a region (europe-west1) nor a zone (europe-west1-b)",
            "maxNodesPerZone (2) must be >= minNodesPerZone (3)",
        ]);
        expect(validateConfigSyncArgs({ project: "p", git: { syncRepo: "" } })).toEqual([
            "git.syncRepo is empty: give the repository Config Sync applies to every cluster",
        ]);
        expect(
            validateConfigSyncArgs({
                project: "p",
                git: { syncRepo: "https://h/r.git", secretType: "ssh" },
            }),
        ).toEqual(["git.secretType 'ssh' needs an ssh syncRepo URL, but syncRepo is https"]);
        expect(
            validateConfigSyncArgs({
                project: "p",
                git: { syncRepo: "git@github.com:org/repo.git", policyDir: "../x" },
            }),
        ).toEqual([
            "git.policyDir '../x' must be a folder inside the repository (relative, no '..')",
        ]);
        expect(
            validateHubMembershipArgs("x", {
                kind: "attached",
                project: "p",
                location: "us-west1-a",
                distribution: "eks",
                oidcIssuerUrl: "http://issuer",
                platformVersion: "1.31",
                kubeconfig: "k",
            }),
        ).toEqual([
            "location 'us-west1-a' must be a Google Cloud region such as us-west1",
            "oidcIssuerUrl 'http://issuer' must be the cluster's https OIDC issuer URL",
            "platformVersion '1.31' must be an attached clusters version such as 1.31.0-gke.1",
        ]);
        expect(regionOf("europe-west1-b")).toBe("europe-west1");
        expect(regionOf("europe-west1")).toBe("europe-west1");
    });
});
