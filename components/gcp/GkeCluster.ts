import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { cidrHostBitsProblem } from "../cidr";
import { CIDR } from "../formats";
import { throwIfInvalid } from "../validation";
import {
    CLUSTER_NAME,
    CLUSTER_NAME_RULE,
    DEFAULT_DELETION_PROTECTION,
    DEFAULT_MACHINE_TYPE,
    DEFAULT_NETWORK,
    DEFAULT_NETWORK_POLICY_ENFORCEMENT,
    DEFAULT_RELEASE_CHANNEL,
    DOMAIN,
    GCP_LOCATION,
    KMS_KEY,
    MACHINE_TYPE,
    machineTypeArchitecture,
    MASTER_IPV4_CIDR_BLOCK,
    MASTER_IPV4_CIDR_BLOCK_RULE,
    MAX_NODES_PER_ZONE,
    MIN_NODES_PER_ZONE,
    NETWORK_POLICY_ENFORCEMENTS,
    NetworkPolicyEnforcement,
    nodesPerZoneProblems,
    regionOf,
    RELEASE_CHANNELS,
    ReleaseChannel,
} from "./checks";

export {
    ARM_MACHINE_SERIES,
    DEFAULT_MACHINE_TYPE,
    DEFAULT_NETWORK_POLICY_ENFORCEMENT,
    GCP_LOCATION,
    KMS_KEY,
    machineTypeArchitecture,
    NETWORK_POLICY_ENFORCEMENTS,
    regionOf,
} from "./checks";
export type { NetworkPolicyEnforcement } from "./checks";

/**
 * The cluster inputs that turn NetworkPolicy enforcement on. Dataplane V2 is
 * `datapathProvider: ADVANCED_DATAPATH` with no network policy block (GKE: "network policy
 * enforcement is built into GKE Dataplane V2",
 * https://cloud.google.com/kubernetes-engine/docs/how-to/dataplane-v2); Calico is the add-on
 * (`addonsConfig.networkPolicyConfig.disabled: false`) and `networkPolicy.enabled` together,
 * as the provider documents ("This must be enabled in order to enable network policy for the
 * nodes").
 */
export function networkPolicyInputs(enforcement: NetworkPolicyEnforcement): {
    datapathProvider?: string;
    networkPolicy?: { enabled: boolean; provider: string };
    addonsConfig?: { networkPolicyConfig: { disabled: boolean } };
} {
    return enforcement === "dataplane-v2"
        ? { datapathProvider: "ADVANCED_DATAPATH" }
        : {
              networkPolicy: { enabled: true, provider: "CALICO" },
              addonsConfig: { networkPolicyConfig: { disabled: false } },
          };
}

/** The GKE service agent, which encrypts Secrets with the KMS key (Google's service agents list). */
export function gkeServiceAgent(projectNumber: string): string {
    return `service-${projectNumber}@container-engine-robot.iam.gserviceaccount.com`;
}

export interface GkeClusterArgs {
    /** Project of the cluster. */
    readonly project: string;
    /** A region for a regional (highly available) control plane, or a zone for a zonal one. */
    readonly location: string;
    /** Release channel. @default "REGULAR" */
    readonly releaseChannel?: ReleaseChannel;
    /** VPC network of the nodes. @default "default" */
    readonly network?: string;
    /** Subnetwork of the nodes. @default the network's subnetwork in the region */
    readonly subnetwork?: string;
    /**
     * Private range of the control plane: an RFC 1918 /28 of its own in the cluster's network.
     * Required, with no default: it is ForceNew, so a default that moved (or the same default
     * given to a second cluster) would replace a cluster or collide with another's range.
     * @default none: required
     */
    readonly masterIpv4CidrBlock: string;
    /** Ranges allowed to reach the control plane's public endpoint. @default [] (Google Cloud ranges only) */
    readonly masterAuthorizedNetworks?: readonly {
        readonly cidrBlock: string;
        readonly displayName: string;
    }[];
    /**
     * Cloud KMS key (`projects/.../cryptoKeys/...`) for application-layer Secrets encryption; it
     * must be in the cluster's region. @default a key ring and key created here, rotated every 90 days
     */
    readonly databaseEncryptionKey?: pulumi.Input<string>;
    /** Domain of the `gke-security-groups@<domain>` Google Group for RBAC. @default none (Google Groups for RBAC off) */
    readonly rbacGroupDomain?: string;
    /** Machine type of the node pool; Arm series (t2a, c4a, ...) make `arm64` nodes. @default "e2-standard-4" */
    readonly machineType?: string;
    /**
     * How NetworkPolicies are enforced: `dataplane-v2` (set at creation only: changing an
     * existing cluster to it replaces the cluster) or `calico` (the add-on, in place).
     * @default "dataplane-v2"
     */
    readonly networkPolicyEnforcement?: NetworkPolicyEnforcement;
    /** Autoscaling bounds per zone of the node pool. @default 1 */
    readonly minNodesPerZone?: number;
    /** @default 3 */
    readonly maxNodesPerZone?: number;
    /** @default 100 */
    readonly diskSizeGb?: number;
    /** Refuse `pulumi destroy` of the cluster. @default true */
    readonly deletionProtection?: boolean;
    /** Labels of the cluster and its nodes. @default {} */
    readonly labels?: Readonly<Record<string, string>>;
}

/** Every problem with `args`, each naming the argument; empty when valid. */
export function validateGkeClusterArgs(name: string, args: GkeClusterArgs): string[] {
    const problems: string[] = [];
    if (!CLUSTER_NAME.test(name)) {
        problems.push(
            `name '${name}' must be ${CLUSTER_NAME_RULE} (it prefixes the cluster and service account names)`,
        );
    }
    if (!GCP_LOCATION.test(args.location)) {
        problems.push(
            `location '${args.location}' is neither a region (europe-west1) nor a zone (europe-west1-b)`,
        );
    }
    if (
        args.releaseChannel !== undefined &&
        !(RELEASE_CHANNELS as readonly string[]).includes(args.releaseChannel)
    ) {
        problems.push(
            `releaseChannel '${args.releaseChannel}' must be one of ${RELEASE_CHANNELS.join(", ")}`,
        );
    }
    const master = args.masterIpv4CidrBlock as string | undefined;
    if (master === undefined) {
        problems.push(
            "masterIpv4CidrBlock is required: the control plane's private /28, its own in the cluster's network (for a running cluster, the range it has)",
        );
    } else if (!MASTER_IPV4_CIDR_BLOCK.test(master)) {
        problems.push(`masterIpv4CidrBlock '${master}' ${MASTER_IPV4_CIDR_BLOCK_RULE}`);
    } else {
        const hostBits = cidrHostBitsProblem(master);
        if (hostBits) problems.push(`masterIpv4CidrBlock ${hostBits}`);
    }
    for (const n of args.masterAuthorizedNetworks ?? []) {
        if (!CIDR.test(n.cidrBlock)) {
            problems.push(`masterAuthorizedNetworks: '${n.cidrBlock}' is not an IPv4 CIDR block`);
        } else {
            const hostBits = cidrHostBitsProblem(n.cidrBlock);
            if (hostBits) problems.push(`masterAuthorizedNetworks: ${hostBits}`);
        }
    }
    const key = args.databaseEncryptionKey;
    if (typeof key === "string" && !KMS_KEY.test(key)) {
        problems.push(
            `databaseEncryptionKey '${key}' must be a Cloud KMS key id: projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>`,
        );
    }
    if (args.machineType !== undefined && !MACHINE_TYPE.test(args.machineType)) {
        problems.push(
            `machineType '${args.machineType}' must be a machine type such as ${DEFAULT_MACHINE_TYPE}`,
        );
    }
    if (args.rbacGroupDomain !== undefined && !DOMAIN.test(args.rbacGroupDomain)) {
        problems.push(
            `rbacGroupDomain '${args.rbacGroupDomain}' is not a domain such as example.com`,
        );
    }
    if (
        args.networkPolicyEnforcement !== undefined &&
        !(NETWORK_POLICY_ENFORCEMENTS as readonly string[]).includes(args.networkPolicyEnforcement)
    ) {
        problems.push(
            `networkPolicyEnforcement '${args.networkPolicyEnforcement}' must be ${NETWORK_POLICY_ENFORCEMENTS.join(" or ")}`,
        );
    }
    const min = args.minNodesPerZone ?? MIN_NODES_PER_ZONE.default;
    const max = args.maxNodesPerZone ?? MAX_NODES_PER_ZONE.default;
    if (!Number.isInteger(min) || min < MIN_NODES_PER_ZONE.min)
        problems.push(
            `minNodesPerZone (${min}) must be a whole number >= ${MIN_NODES_PER_ZONE.min}`,
        );
    if (!Number.isInteger(max) || max < MAX_NODES_PER_ZONE.min)
        problems.push(
            `maxNodesPerZone (${max}) must be a whole number >= ${MAX_NODES_PER_ZONE.min}`,
        );
    else
        for (const p of nodesPerZoneProblems({ minNodesPerZone: min, maxNodesPerZone: max }))
            problems.push(`${p.path} ${p.message}`);
    return problems;
}

/**
 * A production GKE cluster: private nodes, shielded nodes, Workload Identity, Secrets encrypted
 * with Cloud KMS, legacy ABAC off, Google Groups for RBAC, and a separately managed,
 * autoscaled node pool run by a least-privilege service account.
 */
export class GkeCluster extends pulumi.ComponentResource {
    /** `projects/<p>/locations/<l>/clusters/<name>`: what fleet memberships link to. */
    public readonly clusterId: pulumi.Output<string>;
    public readonly clusterName: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    public readonly location: pulumi.Output<string>;
    /** The KMS key that encrypts Secrets in etcd. */
    public readonly databaseEncryptionKey: pulumi.Output<string>;
    public readonly nodeServiceAccount: pulumi.Output<string>;
    /** CPU architecture of the node pool's machines: the app image must include it. */
    public readonly nodeArchitecture: "amd64" | "arm64";
    /** A kubeconfig using `gke-gcloud-auth-plugin`, as a secret. */
    public readonly kubeconfig: pulumi.Output<string>;

    constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("GkeCluster", name, validateGkeClusterArgs(name, args));
        super("multicloud:gcp:GkeCluster", name, {}, opts);

        const releaseChannel = args.releaseChannel ?? DEFAULT_RELEASE_CHANNEL;
        const labels = { ...args.labels };
        const parent = { parent: this };
        const region = regionOf(args.location);
        const machineType = args.machineType ?? DEFAULT_MACHINE_TYPE;
        const minNodesPerZone = args.minNodesPerZone ?? MIN_NODES_PER_ZONE.default;
        const maxNodesPerZone = args.maxNodesPerZone ?? MAX_NODES_PER_ZONE.default;
        const deletionProtection = args.deletionProtection ?? DEFAULT_DELETION_PROTECTION;
        const networkPolicyEnforcement =
            args.networkPolicyEnforcement ?? DEFAULT_NETWORK_POLICY_ENFORCEMENT;

        // --- Least-privilege node identity ------------------------------------------------------
        const nodeSa = new gcp.serviceaccount.Account(
            `${name}-nodes`,
            {
                project: args.project,
                accountId: `${name}-nodes`,
                displayName: `${name}: GKE nodes (least privilege)`,
            },
            parent,
        );
        for (const role of [
            "roles/logging.logWriter",
            "roles/monitoring.metricWriter",
            "roles/monitoring.viewer",
            "roles/stackdriver.resourceMetadata.writer",
            "roles/autoscaling.metricsWriter",
            "roles/artifactregistry.reader",
        ]) {
            new gcp.projects.IAMMember(
                `${name}-nodes-${role.split("/")[1].replace(/\./g, "-")}`,
                {
                    project: args.project,
                    role,
                    member: pulumi.interpolate`serviceAccount:${nodeSa.email}`,
                },
                parent,
            );
        }

        // --- Application-layer Secrets encryption --------------------------------------------
        let keyGrant: pulumi.Resource | undefined;
        let key: pulumi.Output<string>;
        if (args.databaseEncryptionKey !== undefined) {
            key = pulumi.output(args.databaseEncryptionKey);
        } else {
            const ring = new gcp.kms.KeyRing(
                `${name}-keyring`,
                { project: args.project, location: region },
                parent,
            );
            const cryptoKey = new gcp.kms.CryptoKey(
                `${name}-secrets`,
                { keyRing: ring.id, purpose: "ENCRYPT_DECRYPT", rotationPeriod: "7776000s" },
                parent,
            );
            const project = gcp.organizations.getProjectOutput({ projectId: args.project }, parent);
            // The GKE service agent encrypts and decrypts Secrets with the key. Right after the
            // Container API is enabled it may not exist yet, and IAM refuses a member that does
            // not exist: create it first, as AppImage does for Artifact Registry's agent. The
            // grant names the agent's documented address rather than the identity's `email`,
            // which generateServiceIdentity may leave empty (terraform-provider-google-beta
            // google-beta/services/resourcemanager/resource_project_service_identity.go).
            const agent = new gcp.projects.ServiceIdentity(
                `${name}-gke-agent`,
                { project: args.project, service: "container.googleapis.com" },
                parent,
            );
            keyGrant = new gcp.kms.CryptoKeyIAMMember(
                `${name}-secrets-gke`,
                {
                    cryptoKeyId: cryptoKey.id,
                    role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
                    member: pulumi.interpolate`serviceAccount:${project.number.apply(gkeServiceAgent)}`,
                },
                { parent: this, dependsOn: [agent] },
            );
            key = cryptoKey.id;
        }

        // --- The cluster --------------------------------------------------------------------------
        const cluster = new gcp.container.Cluster(
            name,
            {
                project: args.project,
                location: args.location,
                network: args.network ?? DEFAULT_NETWORK,
                subnetwork: args.subnetwork,
                networkingMode: "VPC_NATIVE",
                ipAllocationPolicy: {},
                releaseChannel: { channel: releaseChannel },
                workloadIdentityConfig: { workloadPool: `${args.project}.svc.id.goog` },
                enableShieldedNodes: true,
                enableLegacyAbac: false,
                privateClusterConfig: {
                    enablePrivateNodes: true,
                    enablePrivateEndpoint: false,
                    masterIpv4CidrBlock: args.masterIpv4CidrBlock,
                },
                masterAuthorizedNetworksConfig: {
                    cidrBlocks: (args.masterAuthorizedNetworks ?? []).map((n) => ({ ...n })),
                },
                databaseEncryption: { state: "ENCRYPTED", keyName: key },
                // NetworkPolicies (default-deny and every allowance) are enforced.
                ...networkPolicyInputs(networkPolicyEnforcement),
                authenticatorGroupsConfig: args.rbacGroupDomain
                    ? { securityGroup: `gke-security-groups@${args.rbacGroupDomain}` }
                    : undefined,
                // The node pool below is managed on its own; the default pool only bootstraps,
                // under the least-privilege account (the Compute Engine default account may be
                // disabled: hashicorp/terraform-provider-google issues #4435, #17511).
                removeDefaultNodePool: true,
                initialNodeCount: 1,
                nodeConfig: {
                    serviceAccount: nodeSa.email,
                    oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
                },
                deletionProtection,
                resourceLabels: labels,
            },
            {
                parent: this,
                dependsOn: keyGrant ? [keyGrant] : [],
                // Once the default pool is gone, GKE reports the first remaining pool's config as
                // the cluster's `nodeConfig`; its resource labels would then differ from these
                // inputs, and the provider would try to update the deleted `default-pool` on every
                // run (or replace the cluster for a ForceNew field): node_config describes the
                // bootstrap pool only (provider docs: google_container_cluster `node_config`).
                ignoreChanges: ["nodeConfig"],
            },
        );

        new gcp.container.NodePool(
            `${name}-nodes`,
            {
                project: args.project,
                cluster: cluster.id,
                location: args.location,
                // Nodes from the start: without an initial count the provider creates the pool
                // empty (InitialNodeCount 0, resource_container_node_pool.go), and the autoscaler
                // adds nodes only once pods are pending. ForceNew, so it counts at creation only.
                initialNodeCount: Math.max(1, minNodesPerZone),
                autoscaling: { minNodeCount: minNodesPerZone, maxNodeCount: maxNodesPerZone },
                management: { autoRepair: true, autoUpgrade: true },
                upgradeSettings: { maxSurge: 1, maxUnavailable: 0 },
                nodeConfig: {
                    machineType,
                    diskType: "pd-balanced",
                    diskSizeGb: args.diskSizeGb ?? 100,
                    serviceAccount: nodeSa.email,
                    oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
                    shieldedInstanceConfig: {
                        enableSecureBoot: true,
                        enableIntegrityMonitoring: true,
                    },
                    workloadMetadataConfig: { mode: "GKE_METADATA" },
                    resourceLabels: labels,
                },
            },
            // The initial count is for creation; later the autoscaler owns the size. Ignoring it
            // also keeps pools created before it was set from being replaced.
            { parent: this, ignoreChanges: ["initialNodeCount"] },
        );

        this.clusterId = cluster.id;
        this.clusterName = cluster.name;
        this.endpoint = cluster.endpoint;
        this.location = cluster.location;
        this.databaseEncryptionKey = key;
        this.nodeServiceAccount = nodeSa.email;
        this.nodeArchitecture = machineTypeArchitecture(machineType);
        this.kubeconfig = pulumi.secret(
            pulumi
                .all([cluster.name, cluster.endpoint, cluster.masterAuth])
                .apply(([clusterName, endpoint, auth]) =>
                    [
                        "apiVersion: v1",
                        "kind: Config",
                        `current-context: ${clusterName}`,
                        "clusters:",
                        `  - name: ${clusterName}`,
                        "    cluster:",
                        `      server: https://${endpoint}`,
                        `      certificate-authority-data: ${auth.clusterCaCertificate}`,
                        "contexts:",
                        `  - name: ${clusterName}`,
                        "    context:",
                        `      cluster: ${clusterName}`,
                        `      user: ${clusterName}`,
                        "users:",
                        `  - name: ${clusterName}`,
                        "    user:",
                        "      exec:",
                        "        apiVersion: client.authentication.k8s.io/v1beta1",
                        "        command: gke-gcloud-auth-plugin",
                        "        provideClusterInfo: true",
                        "        installHint: Install gke-gcloud-auth-plugin (gcloud components install gke-gcloud-auth-plugin).",
                        "",
                    ].join("\n"),
                ),
        );
        this.registerOutputs({
            clusterId: this.clusterId,
            clusterName: this.clusterName,
            endpoint: this.endpoint,
            location: this.location,
            databaseEncryptionKey: this.databaseEncryptionKey,
            nodeServiceAccount: this.nodeServiceAccount,
            nodeArchitecture: this.nodeArchitecture,
            kubeconfig: this.kubeconfig,
        });
    }
}
