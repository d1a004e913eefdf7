/**
 * GkeCluster: a production GKE cluster (private and shielded nodes, Workload Identity, Secrets
 * encrypted with Cloud KMS, NetworkPolicies enforced) and its node pool. Its argument checks,
 * the component planned directly under the recording mocks, and the clusters of the committed
 * stacks (their values, and what composition/gcp.ts gives them).
 */
import type { RecordedResource } from "../../../plan/mocks";
import type { PlanResult } from "../../../plan/run";
import { ofType, one, planComponents, planStack, workerModule } from "../../harness";
import {
    ClusterOutput,
    gcpOpts,
    plannedStack,
    PROJECT,
    RANGE,
    settle,
    STACK_CLUSTERS,
    T,
} from "./fixtures";

type GkeClusterModule = typeof import("../../../components/gcp/GkeCluster");

/** The component's module as the plans load it: its checks and inputs, called directly. */
const { gkeServiceAgent, networkPolicyInputs, validateGkeClusterArgs } =
    workerModule<GkeClusterModule>("components/gcp/GkeCluster");
const AGENT = /^serviceAccount:service-\d+@container-engine-robot\.iam\.gserviceaccount\.com$/;
const NODE_ROLES = [
    "roles/artifactregistry.reader",
    "roles/autoscaling.metricsWriter",
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
];

describe("GkeCluster's arguments", () => {
    it("names an unknown location and node bounds out of order", () => {
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
    });

    // Rule: the Secrets key is a Cloud KMS key's full name, projects/.../cryptoKeys/<key> (GKE
    // API Cluster.DatabaseEncryption.keyName, linked from the SDK's types/input.d.ts
    // ClusterDatabaseEncryption), and master authorized networks are CIDR blocks.
    it("names a key that is not a KMS key id, and authorized networks that are not network addresses", () => {
        expect(
            validateGkeClusterArgs("c", {
                project: "p",
                location: "europe-west1",
                masterIpv4CidrBlock: RANGE,
                databaseEncryptionKey: "projects/p/keyRings/r",
                masterAuthorizedNetworks: [
                    { cidrBlock: "office", displayName: "office" },
                    { cidrBlock: "203.0.113.7/24", displayName: "vpn" },
                ],
            }),
        ).toEqual([
            "masterAuthorizedNetworks: 'office' is not an IPv4 CIDR block",
            expect.stringMatching(
                /^masterAuthorizedNetworks: '203\.0\.113\.7\/24' has host bits set/,
            ),
            "databaseEncryptionKey 'projects/p/keyRings/r' must be a Cloud KMS key id: projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>",
        ]);
    });

    // Rule: NetworkPolicies need Dataplane V2 (datapathProvider ADVANCED_DATAPATH, enforcement
    // built in, network-policy add-on off: https://cloud.google.com/kubernetes-engine/docs/how-to/dataplane-v2)
    // or the Calico add-on with networkPolicy.enabled (provider docs, addons_config.network_policy_config).
    it("turns NetworkPolicy enforcement on one way or the other, never both", () => {
        expect(networkPolicyInputs("dataplane-v2")).toEqual({
            datapathProvider: "ADVANCED_DATAPATH",
        });
        expect(networkPolicyInputs("calico")).toEqual({
            networkPolicy: { enabled: true, provider: "CALICO" },
            addonsConfig: { networkPolicyConfig: { disabled: false } },
        });
        expect(
            validateGkeClusterArgs("c", {
                project: "p",
                location: "europe-west1",
                masterIpv4CidrBlock: "172.16.0.0/28",
                networkPolicyEnforcement: "cilium" as never,
            }),
        ).toEqual(["networkPolicyEnforcement 'cilium' must be dataplane-v2 or calico"]);
    });

    it("names the GKE service agent by its documented address", () => {
        expect(gkeServiceAgent("123")).toBe(
            "service-123@container-engine-robot.iam.gserviceaccount.com",
        );
    });
});

describe("GkeCluster", () => {
    const KEY = `projects/${PROJECT}/locations/europe-west1/keyRings/shared/cryptoKeys/secrets`;
    let plan: PlanResult;
    let kubeconfig: { value: string; secret: boolean };
    beforeAll(async () => {
        plan = await planComponents(async (req) => {
            const { GkeCluster } = req<GkeClusterModule>("components/gcp/GkeCluster");
            const opts = gcpOpts(req);
            // Only what the component requires: every default.
            const c1 = new GkeCluster(
                "c1",
                { project: PROJECT, location: "europe-west1", masterIpv4CidrBlock: RANGE },
                opts,
            );
            // A zonal cluster that may scale to zero, with Google Groups and Calico.
            new GkeCluster(
                "z1",
                {
                    project: PROJECT,
                    location: "europe-west1-b",
                    masterIpv4CidrBlock: "172.16.0.16/28",
                    minNodesPerZone: 0,
                    maxNodesPerZone: 2,
                    rbacGroupDomain: "example.com",
                    networkPolicyEnforcement: "calico",
                    machineType: "c4a-standard-4",
                },
                opts,
            );
            // A key of the stack's own.
            new GkeCluster(
                "k1",
                {
                    project: PROJECT,
                    location: "europe-west1",
                    masterIpv4CidrBlock: "172.16.0.32/28",
                    databaseEncryptionKey: KEY,
                },
                opts,
            );
            kubeconfig = await settle(req, c1.kubeconfig);
        });
        expect(plan.errors).toEqual([]);
    });

    const childrenOf = (name: string): RecordedResource[] => {
        const component = one(plan, "multicloud:gcp:GkeCluster", name);
        return plan.resources.filter((r) => r.parent === component.urn);
    };

    it("runs private, shielded nodes with Workload Identity, no legacy ABAC, and protection from deletion", () => {
        expect(one(plan, T.cluster, "c1").inputs).toMatchObject({
            project: PROJECT,
            location: "europe-west1",
            network: "default",
            networkingMode: "VPC_NATIVE",
            releaseChannel: { channel: "REGULAR" },
            workloadIdentityConfig: { workloadPool: `${PROJECT}.svc.id.goog` },
            enableShieldedNodes: true,
            enableLegacyAbac: false,
            privateClusterConfig: {
                enablePrivateNodes: true,
                enablePrivateEndpoint: false,
                masterIpv4CidrBlock: RANGE,
            },
            // No authorized networks: Google Cloud ranges only.
            masterAuthorizedNetworksConfig: { cidrBlocks: [] },
            deletionProtection: true,
        });
    });

    it("turns Google Groups for RBAC on only for a domain", () => {
        expect(one(plan, T.cluster, "c1").inputs.authenticatorGroupsConfig).toBeUndefined();
        expect(one(plan, T.cluster, "z1").inputs.authenticatorGroupsConfig).toEqual({
            securityGroup: "gke-security-groups@example.com",
        });
    });

    // Rule: GKE Standard enforces NetworkPolicies only with Dataplane V2 or the network-policy
    // add-on; Dataplane V2 has enforcement built in and excludes the add-on
    // (https://cloud.google.com/kubernetes-engine/docs/how-to/dataplane-v2), and can be chosen at
    // creation only (datapath_provider ForceNew: hashicorp/terraform-provider-google
    // google/services/container/resource_container_cluster.go).
    it("enforces NetworkPolicies with Dataplane V2 by default, or with Calico when asked", () => {
        const c1 = one(plan, T.cluster, "c1").inputs;
        expect(c1.datapathProvider).toBe("ADVANCED_DATAPATH");
        expect(c1.networkPolicy).toBeUndefined();
        expect(c1.addonsConfig).toBeUndefined();
        const z1 = one(plan, T.cluster, "z1").inputs;
        expect(z1.datapathProvider).toBeUndefined();
        expect(z1).toMatchObject(networkPolicyInputs("calico"));
    });

    it("encrypts Secrets with a rotating Cloud KMS key in the cluster's region, zonal or not", () => {
        for (const [name, region] of [
            ["c1", "europe-west1"],
            ["z1", "europe-west1"],
        ]) {
            const ring = one(plan, T.keyRing, `${name}-keyring`);
            expect(ring.inputs).toEqual({ project: PROJECT, location: region });
            const key = one(plan, T.key, `${name}-secrets`);
            expect(key.inputs).toMatchObject({
                purpose: "ENCRYPT_DECRYPT",
                // 90 days.
                rotationPeriod: "7776000s",
            });
            expect(key.propertyDependencies.keyRing).toEqual([ring.urn]);
            const cluster = one(plan, T.cluster, name);
            expect(cluster.inputs.databaseEncryption).toEqual({
                state: "ENCRYPTED",
                keyName: expect.stringMatching(
                    new RegExp(
                        `^projects/${PROJECT}/locations/${region}/keyRings/${name}-keyring-[0-9a-f]+/cryptoKeys/${name}-secrets-[0-9a-f]+$`,
                    ),
                ),
            });
            expect(cluster.dependencies).toContain(one(plan, T.keyIam, `${name}-secrets-gke`).urn);
        }
    });

    // Rule: IAM refuses a member that does not exist, and the GKE service agent may not exist
    // seconds after the Container API is enabled; ServiceIdentity creates it
    // (generateServiceIdentity), and the grant waits for it. Its address is the documented one,
    // since the API may return no email (terraform-provider-google-beta
    // google-beta/services/resourcemanager/resource_project_service_identity.go).
    it("creates the GKE service agent before granting it the Secrets key", () => {
        const agent = one(plan, T.serviceIdentity, "c1-gke-agent");
        expect(agent.inputs).toMatchObject({
            project: PROJECT,
            service: "container.googleapis.com",
        });
        const grant = one(plan, T.keyIam, "c1-secrets-gke");
        expect(grant.dependencies).toContain(agent.urn);
        expect(grant.inputs).toMatchObject({
            role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
            member: expect.stringMatching(AGENT),
        });
        expect(grant.propertyDependencies.cryptoKeyId).toEqual([
            one(plan, T.key, "c1-secrets").urn,
        ]);
    });

    it("uses a key it is given, and then creates no key, agent or grant of its own", () => {
        expect(one(plan, T.cluster, "k1").inputs.databaseEncryption).toEqual({
            state: "ENCRYPTED",
            keyName: KEY,
        });
        expect(
            childrenOf("k1")
                .map((r) => r.type)
                .filter((t) =>
                    [T.keyRing, T.key, T.serviceIdentity, T.keyIam].includes(t as never),
                ),
        ).toEqual([]);
        expect(one(plan, "multicloud:gcp:GkeCluster", "k1").outputs?.databaseEncryptionKey).toBe(
            KEY,
        );
    });

    // Rule: once the default pool is removed, GKE reports the first node pool's config as the
    // cluster's nodeConfig ("For responses, this field will be populated with the node
    // configuration of the first node pool", GKE API Cluster.nodeConfig); resource_labels there
    // (Optional, not Computed: google/services/container/node_config.go) would differ from the
    // inputs and the provider would update the deleted default-pool on every run. And a pool
    // created without an initial count starts empty (InitialNodeCount 0:
    // resource_container_node_pool.go); the count is ForceNew, so it is set for creation only.
    it("keeps the bootstrap nodeConfig out of diffs and starts each pool with nodes", () => {
        for (const [name, min, initial] of [
            ["c1", 1, 1],
            ["z1", 0, 1],
        ] as const) {
            const cluster = one(plan, T.cluster, name);
            expect(cluster.inputs).toMatchObject({
                removeDefaultNodePool: true,
                initialNodeCount: 1,
                nodeConfig: { serviceAccount: `${name}-nodes@${PROJECT}.iam.gserviceaccount.com` },
            });
            expect(cluster.ignoreChanges).toEqual(["nodeConfig"]);
            const pool = one(plan, T.pool, `${name}-nodes`);
            expect(pool.inputs.autoscaling).toMatchObject({ minNodeCount: min });
            expect(pool.inputs.initialNodeCount).toBe(initial);
            expect(pool.ignoreChanges).toEqual(["initialNodeCount"]);
        }
    });

    it("manages the node pool separately, autoscaled, under a least-privilege service account", () => {
        const email = `c1-nodes@${PROJECT}.iam.gserviceaccount.com`;
        expect(one(plan, T.sa, "c1-nodes").inputs.accountId).toBe("c1-nodes");
        const pool = one(plan, T.pool, "c1-nodes");
        expect(pool.inputs).toMatchObject({
            autoscaling: { minNodeCount: 1, maxNodeCount: 3 },
            management: { autoRepair: true, autoUpgrade: true },
            nodeConfig: {
                serviceAccount: email,
                machineType: "e2-standard-4",
                shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
                workloadMetadataConfig: { mode: "GKE_METADATA" },
            },
        });
        expect(pool.propertyDependencies.cluster).toEqual([one(plan, T.cluster, "c1").urn]);
        const roles = ofType(plan, T.iam)
            .filter((m) => m.inputs.member === `serviceAccount:${email}`)
            .map((m) => m.inputs.role);
        expect(roles.sort()).toEqual(NODE_ROLES);
    });

    // Rule: GKE runs Arm nodes on the T2A and C4A series and taints them
    // kubernetes.io/arch=arm64:NoSchedule
    // (https://cloud.google.com/kubernetes-engine/docs/how-to/prepare-arm-workloads-for-deployment):
    // the app image must include the platform.
    it("tells which CPU architecture its nodes run", () => {
        const arch = (name: string) =>
            one(plan, "multicloud:gcp:GkeCluster", name).outputs?.nodeArchitecture;
        expect([arch("c1"), arch("z1")]).toEqual(["amd64", "arm64"]);
    });

    it("keeps its kubeconfig a secret, signing in with gke-gcloud-auth-plugin", () => {
        expect(kubeconfig.secret).toBe(true);
        expect(kubeconfig.value).toContain("command: gke-gcloud-auth-plugin");
        expect(kubeconfig.value).toMatch(/server: https:\/\/203\.0\.113\.\d+\n/);
        const component = one(plan, "multicloud:gcp:GkeCluster", "c1");
        expect(component.outputSecretPaths).toContain("kubeconfig");
    });

    it("registers nothing when its arguments are invalid", async () => {
        const refused = await planComponents((req) => {
            const { GkeCluster } = req<GkeClusterModule>("components/gcp/GkeCluster");
            new GkeCluster(
                "Bad",
                { project: PROJECT, location: "europe-west1", masterIpv4CidrBlock: RANGE },
                gcpOpts(req),
            );
        });
        expect(ofType(refused, "multicloud:gcp:GkeCluster")).toEqual([]);
        expect(ofType(refused, T.sa)).toEqual([]);
        expect(refused.errors[0]).toContain(
            "GkeCluster 'Bad' has invalid arguments:\n  - name 'Bad'",
        );
    });
});

describe.each(STACK_CLUSTERS)("the %s stack's GKE clusters", (stack) => {
    const project = `multicloud-${stack}-000000`;
    let plan: PlanResult;
    let clusters: ClusterOutput[];
    beforeAll(async () => ({ plan, clusters } = await plannedStack(stack)));

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

    it("enforces NetworkPolicies with Dataplane V2, without the network-policy add-on", () => {
        for (const c of clusters) {
            const cluster = one(plan, T.cluster, c.name);
            expect(cluster.inputs.datapathProvider).toBe("ADVANCED_DATAPATH");
            expect(cluster.inputs.networkPolicy).toBeUndefined();
            expect(cluster.inputs.addonsConfig).toBeUndefined();
        }
    });
});

describe("the prod stack's GKE clusters in detail", () => {
    const PROD = "multicloud-prod-000000";
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await planStack("prod");
        expect(plan.errors).toEqual([]);
    });

    it("gives each control plane its own range", () => {
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

    it("runs private, shielded nodes with Workload Identity, no legacy ABAC, and Google Groups for RBAC", () => {
        const cluster = one(plan, T.cluster, "prod-eu");
        expect(cluster.inputs).toMatchObject({
            location: "europe-west1",
            releaseChannel: { channel: "STABLE" },
            workloadIdentityConfig: { workloadPool: `${PROD}.svc.id.goog` },
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

    it("autoscales the node pool between the stack's bounds, on the stack's machine type, under the cluster's own account", () => {
        const email = `prod-eu-nodes@${PROD}.iam.gserviceaccount.com`;
        expect(one(plan, T.sa, "prod-eu-nodes").inputs.accountId).toBe("prod-eu-nodes");
        expect(one(plan, T.pool, "prod-eu-nodes").inputs).toMatchObject({
            autoscaling: { minNodeCount: 1, maxNodeCount: 5 },
            nodeConfig: { serviceAccount: email, machineType: "e2-standard-4" },
        });
        const roles = ofType(plan, T.iam)
            .filter((m) => m.inputs.member === `serviceAccount:${email}`)
            .map((m) => m.inputs.role);
        expect(roles.sort()).toEqual(NODE_ROLES);
    });

    it("keeps each Secrets key in its cluster's region, and each cluster's kubeconfig a secret", () => {
        for (const name of ["prod-eu", "prod-us"]) {
            expect(one(plan, T.keyRing, `${name}-keyring`).inputs.location).toBe(
                one(plan, T.cluster, name).inputs.location,
            );
        }
        for (const component of ofType(plan, "multicloud:gcp:GkeCluster")) {
            expect(component.outputSecretPaths).toContain("kubeconfig");
        }
    });
});

describe("the dev stack's GKE cluster", () => {
    it("runs one zonal cluster, its key ring in the zone's region, without Google Groups for RBAC", async () => {
        const plan = await planStack("dev");
        expect(plan.errors).toEqual([]);
        const cluster = one(plan, T.cluster, "dev-gke");
        expect(cluster.inputs.location).toBe("europe-west1-b");
        expect(cluster.inputs.authenticatorGroupsConfig).toBeUndefined();
        expect(cluster.inputs.deletionProtection).toBe(false);
        expect(one(plan, T.keyRing, "dev-gke-keyring").inputs.location).toBe("europe-west1");
    });
});
