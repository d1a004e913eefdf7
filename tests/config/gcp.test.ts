/**
 * The `gcp` section of the stack config (config/gcp.ts, and the secret check in config/index.ts):
 * the errors a user gets for it, from the parser directly, not from whole plans. The rules it
 * shares with the Google Cloud components are checked against them in
 * tests/components/gcp/checks.test.ts.
 */
import { masterRange, parseStackConfig } from "../../config";
import { APP, NS, problemsOf, raw } from "./harness";

const REPO = "https://github.com/example-org/multicloud-fleet.git";

/** An enabled `gcp` section like the dev stack's, with `patch` over it. */
const gcp = (patch: Record<string, unknown> = {}) => ({
    enabled: true,
    project: "multicloud-dev-000000",
    region: "europe-west1",
    clusters: [
        { name: "dev-gke", location: "europe-west1-b", masterIpv4CidrBlock: "172.16.0.0/28" },
    ],
    configSync: { enabled: true, syncRepo: REPO },
    ...patch,
});

/** An app image an attached cluster pulls through GitOps without a pull secret: a public one. */
const PUBLIC_APP = { ...APP, image: `ghcr.io/example-org/app@sha256:${"0".repeat(64)}` };

const ONPREM = {
    name: "onprem-1",
    location: "us-west1",
    distribution: "generic",
    oidcIssuerUrl: "https://k8s.onprem.example.com",
    platformVersion: "1.31.0-gke.1",
    kubeconfig: "apiVersion: v1",
};

describe("gcp: clusters and Config Sync", () => {
    it("accepts the dev stack's section", () => {
        expect(parseStackConfig(raw({ gcp: gcp() }), NS, "dev").gcp.clusters).toHaveLength(1);
    });

    it("names an unknown location, a non-https/ssh git URL and an empty repository", () => {
        const problems = problemsOf(
            raw({
                gcp: gcp({
                    clusters: [
                        {
                            name: "dev-gke",
                            location: "europe-west",
                            masterIpv4CidrBlock: "172.16.0.0/28",
                        },
                    ],
                    configSync: { syncRepo: "http://git.example.com/fleet.git" },
                }),
            }),
        );
        expect(problems).toEqual([
            "multicloud:gcp.clusters[0].location must be a Google Cloud region (europe-west1) for a regional cluster or a zone (europe-west1-b) for a zonal one, got \"europe-west\": fix it with `pulumi config set --path 'gcp.clusters[0].location' <value>`",
            'multicloud:gcp.configSync.syncRepo must be an https or ssh git URL (https://host/org/repo.git or git@host:org/repo.git); plain http is refused, got "http://git.example.com/fleet.git": fix it with `pulumi config set --path gcp.configSync.syncRepo <value>`',
        ]);
        expect(problemsOf(raw({ gcp: gcp({ configSync: {} }) }))).toEqual([
            "multicloud:gcp.configSync.syncRepo is required when gcp.configSync.enabled is true: set it with `pulumi config set --path gcp.configSync.syncRepo https://...`, or set gcp.configSync.enabled to false",
        ]);
        // Without Config Sync, no repository is needed.
        expect(
            parseStackConfig(raw({ gcp: gcp({ configSync: { enabled: false } }) }), NS).gcp
                .configSync.enabled,
        ).toBe(false);
    });

    // GKE: the control plane's range "must not overlap with any other ranges in use within the
    // cluster's network" (container API, PrivateClusterConfig.masterIpv4CidrBlock).
    it("refuses two clusters with one control-plane range in the same network, not in two networks", () => {
        const clusters = (network?: string) => [
            { name: "prod-eu", location: "europe-west1", masterIpv4CidrBlock: "172.16.0.0/28" },
            {
                name: "prod-us",
                location: "us-central1",
                masterIpv4CidrBlock: "172.16.0.0/28",
                network,
            },
        ];
        expect(problemsOf(raw({ gcp: gcp({ clusters: clusters() }) }))).toEqual([
            "multicloud:gcp.clusters[1].masterIpv4CidrBlock (172.16.0.0/28) overlaps 172.16.0.0/28, the control-plane range of cluster 'prod-eu' in network 'default': give each cluster its own /28",
        ]);
        expect(
            parseStackConfig(raw({ gcp: gcp({ clusters: clusters("other") }) }), NS).gcp.clusters,
        ).toHaveLength(2);
    });

    it("requires every cluster's control-plane range: a default could move, and replace it", () => {
        // masterIpv4CidrBlock is ForceNew (terraform-provider-google
        // container/resource_container_cluster.go, private_cluster_config.master_ipv4_cidr_block):
        // a default that followed the list, or applied once a range is removed from the file,
        // would replace the cluster.
        const one = { name: "a", location: "europe-west1", masterIpv4CidrBlock: "172.16.0.0/28" };
        const parsed = parseStackConfig(raw({ gcp: gcp({ clusters: [one] }) }), NS, "dev");
        expect(masterRange(parsed.gcp.clusters[0])).toBe("172.16.0.0/28");
        const unranged = { name: "new", location: "us-central1" };
        expect(problemsOf(raw({ gcp: gcp({ clusters: [unranged, one] }) }))).toEqual([
            "multicloud:gcp.clusters[0].masterIpv4CidrBlock is required ('new' sets none): the control plane's private /28, its own in the cluster's network. For a running cluster, set the range it has, since a new one replaces the cluster: `gcloud container clusters describe new --location us-central1 --format='value(privateClusterConfig.masterIpv4CidrBlock)'` (earlier versions of this program gave the cluster at position i 172.16.0.<16 x i>/28); a new cluster takes any free private /28, such as 172.16.0.0/28",
        ]);
    });

    it("refuses a fleet member name used twice, by a GKE and an attached cluster alike", () => {
        const problems = problemsOf(
            raw({
                gcp: gcp({ attachedClusters: [{ ...ONPREM, name: "dev-gke" }] }),
            }),
            [`${NS}:gcp`],
        );
        // Named where the repeat is: the attached cluster's entry.
        expect(problems).toEqual([
            "multicloud:gcp.attachedClusters[0].name 'dev-gke' is used twice: every fleet member needs its own name; rename one of them",
        ]);
    });

    // "Up to ten admin users can be provided" (@pulumi/gcp types/input.d.ts,
    // AttachedClusterAuthorization.adminUsers): an eleventh would fail only at the API.
    it("refuses more than ten admin users of an attached cluster, as HubMembership does", () => {
        const adminUsers = Array.from({ length: 11 }, (_, i) => `admin${i}@example.com`);
        const problems = problemsOf(
            raw({ gcp: gcp({ attachedClusters: [{ ...ONPREM, adminUsers }] }) }),
            [`${NS}:gcp`],
        );
        expect(problems).toEqual([
            "multicloud:gcp.attachedClusters[0].adminUsers lists 11 users, more than the 10 an attached cluster grants cluster-admin: keep ten, and bind the others to a role in gitops/cluster (Config Sync applies it)",
        ]);
        const ten = raw({
            app: PUBLIC_APP,
            gcp: gcp({ attachedClusters: [{ ...ONPREM, adminUsers: adminUsers.slice(1) }] }),
        });
        expect(
            parseStackConfig(ten, NS, "dev", [`${NS}:gcp`]).gcp.attachedClusters[0].adminUsers,
        ).toHaveLength(10);
    });

    it("takes a Google Cloud region, not a zone, where a region belongs", () => {
        expect(problemsOf(raw({ gcp: gcp({ region: "europe-west1-b" }) }))).toEqual([
            "multicloud:gcp.region must be a Google Cloud region such as europe-west1 or us-central1 (not a zone), " +
                'got "europe-west1-b": fix it with `pulumi config set --path gcp.region <value>`',
        ]);
    });

    it("takes a Google Cloud project id: 6-30 lowercase letters, digits or hyphens", () => {
        expect(problemsOf(raw({ gcp: gcp({ project: "My_Project" }) }))).toEqual([
            'multicloud:gcp.project must be a Google Cloud project id: 6-30 lowercase letters, digits or hyphens, starting with a letter, got "My_Project": fix it with `pulumi config set --path gcp.project <value>`',
        ]);
    });
});

describe("gcp.attachedClusters", () => {
    it("names every field an attached cluster lacks to be attached", () => {
        const problems = problemsOf(
            raw({
                gcp: gcp({
                    attachedClusters: [
                        ONPREM,
                        { name: "eks-1", location: "us-west1", distribution: "eks" },
                    ],
                }),
            }),
        );
        // The secret check waits for a section that parses: the missing fields come first; the
        // kubeconfig's fix sets it as the secret it must be.
        expect(problems).toEqual(
            ["oidcIssuerUrl", "platformVersion", "kubeconfig"].map(
                (field) =>
                    `multicloud:gcp.attachedClusters[1].${field} is required: fix it with \`pulumi config set${field === "kubeconfig" ? " --secret" : ""} --path 'gcp.attachedClusters[1].${field}' <value>\``,
            ),
        );
    });

    it("refuses a plain-text kubeconfig, and takes it as a secret", () => {
        const config = raw({ app: PUBLIC_APP, gcp: gcp({ attachedClusters: [ONPREM] }) });
        expect(problemsOf(config)).toEqual([
            "multicloud:gcp.attachedClusters[0].kubeconfig must be a secret: set it with `pulumi config set --secret --path 'gcp.attachedClusters[0].kubeconfig' \"$(cat kubeconfig-onprem-1)\"`",
        ]);
        const parsed = parseStackConfig(config, NS, "dev", [`${NS}:gcp`]);
        expect(parsed.gcp.attachedClusters).toEqual([{ ...ONPREM, adminUsers: [] }]);
    });
});
