import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { CIDR } from "../formats";
import { throwIfInvalid } from "../validation";

/** A Google Cloud region (`europe-west1`) or zone (`europe-west1-b`). */
export const GCP_LOCATION = /^[a-z]+-[a-z]+\d+(-[a-z])?$/;
/** A Cloud KMS key id. */
export const KMS_KEY = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/;

/** The region a location is in: a region is its own, a zone's is its prefix. */
export function regionOf(location: string): string {
    return location.replace(/-[a-z]$/, "");
}

export interface GkeClusterArgs {
    /** Project of the cluster. */
    readonly project: string;
    /** A region for a regional (highly available) control plane, or a zone for a zonal one. */
    readonly location: string;
    /** Release channel. @default "REGULAR" */
    readonly releaseChannel?: "RAPID" | "REGULAR" | "STABLE";
    /** VPC network of the nodes. @default "default" */
    readonly network?: string;
    /** Subnetwork of the nodes. @default the network's subnetwork in the region */
    readonly subnetwork?: string;
    /** Private range of the control plane (a /28). @default "172.16.0.0/28" */
    readonly masterIpv4CidrBlock?: string;
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
    /** @default "e2-standard-4" */
    readonly machineType?: string;
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
    if (!/^[a-z][a-z0-9-]{0,19}$/.test(name)) {
        problems.push(
            `name '${name}' must be 1-20 lowercase letters, digits or hyphens (it prefixes the cluster and service account names)`,
        );
    }
    if (!GCP_LOCATION.test(args.location)) {
        problems.push(
            `location '${args.location}' is neither a region (europe-west1) nor a zone (europe-west1-b)`,
        );
    }
    if (
        args.releaseChannel !== undefined &&
        !["RAPID", "REGULAR", "STABLE"].includes(args.releaseChannel)
    ) {
        problems.push(`releaseChannel '${args.releaseChannel}' must be RAPID, REGULAR or STABLE`);
    }
    const master = args.masterIpv4CidrBlock ?? "172.16.0.0/28";
    if (!CIDR.test(master) || !master.endsWith("/28")) {
        problems.push(
            `masterIpv4CidrBlock '${master}' must be a /28 IPv4 range such as 172.16.0.0/28`,
        );
    }
    for (const n of args.masterAuthorizedNetworks ?? []) {
        if (!CIDR.test(n.cidrBlock)) {
            problems.push(`masterAuthorizedNetworks: '${n.cidrBlock}' is not an IPv4 CIDR block`);
        }
    }
    const key = args.databaseEncryptionKey;
    if (typeof key === "string" && !KMS_KEY.test(key)) {
        problems.push(
            `databaseEncryptionKey '${key}' must be a Cloud KMS key id: projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>`,
        );
    }
    if (
        args.rbacGroupDomain !== undefined &&
        !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(args.rbacGroupDomain)
    ) {
        problems.push(
            `rbacGroupDomain '${args.rbacGroupDomain}' is not a domain such as example.com`,
        );
    }
    const min = args.minNodesPerZone ?? 1;
    const max = args.maxNodesPerZone ?? 3;
    if (!Number.isInteger(min) || min < 0)
        problems.push(`minNodesPerZone (${min}) must be a whole number >= 0`);
    if (!Number.isInteger(max) || max < 1)
        problems.push(`maxNodesPerZone (${max}) must be a whole number >= 1`);
    else if (max < min)
        problems.push(`maxNodesPerZone (${max}) must be >= minNodesPerZone (${min})`);
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
    /** A kubeconfig using `gke-gcloud-auth-plugin`, as a secret. */
    public readonly kubeconfig: pulumi.Output<string>;

    constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("GkeCluster", name, validateGkeClusterArgs(name, args));
        super("multicloud:gcp:GkeCluster", name, {}, opts);

        const releaseChannel = args.releaseChannel ?? "REGULAR";
        const labels = { ...args.labels };
        const parent = { parent: this };
        const region = regionOf(args.location);

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
            // The GKE service agent encrypts and decrypts Secrets with the key.
            keyGrant = new gcp.kms.CryptoKeyIAMMember(
                `${name}-secrets-gke`,
                {
                    cryptoKeyId: cryptoKey.id,
                    role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
                    member: pulumi.interpolate`serviceAccount:service-${project.number}@container-engine-robot.iam.gserviceaccount.com`,
                },
                parent,
            );
            key = cryptoKey.id;
        }

        // --- The cluster --------------------------------------------------------------------------
        const cluster = new gcp.container.Cluster(
            name,
            {
                project: args.project,
                location: args.location,
                network: args.network ?? "default",
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
                    masterIpv4CidrBlock: args.masterIpv4CidrBlock ?? "172.16.0.0/28",
                },
                masterAuthorizedNetworksConfig: {
                    cidrBlocks: (args.masterAuthorizedNetworks ?? []).map((n) => ({ ...n })),
                },
                databaseEncryption: { state: "ENCRYPTED", keyName: key },
                authenticatorGroupsConfig: args.rbacGroupDomain
                    ? { securityGroup: `gke-security-groups@${args.rbacGroupDomain}` }
                    : undefined,
                // The node pool below is managed on its own; the default pool only bootstraps.
                removeDefaultNodePool: true,
                initialNodeCount: 1,
                nodeConfig: {
                    serviceAccount: nodeSa.email,
                    oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
                },
                deletionProtection: args.deletionProtection ?? true,
                resourceLabels: labels,
            },
            { parent: this, dependsOn: keyGrant ? [keyGrant] : [] },
        );

        new gcp.container.NodePool(
            `${name}-nodes`,
            {
                project: args.project,
                cluster: cluster.id,
                location: args.location,
                autoscaling: {
                    minNodeCount: args.minNodesPerZone ?? 1,
                    maxNodeCount: args.maxNodesPerZone ?? 3,
                },
                management: { autoRepair: true, autoUpgrade: true },
                upgradeSettings: { maxSurge: 1, maxUnavailable: 0 },
                nodeConfig: {
                    machineType: args.machineType ?? "e2-standard-4",
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
            parent,
        );

        this.clusterId = cluster.id;
        this.clusterName = cluster.name;
        this.endpoint = cluster.endpoint;
        this.location = cluster.location;
        this.databaseEncryptionKey = key;
        this.nodeServiceAccount = nodeSa.email;
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
            kubeconfig: this.kubeconfig,
        });
    }
}
