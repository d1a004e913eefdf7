/**
 * One home for the Google Cloud defaults and rules (components/gcp/checks.ts): the stack config
 * (config/gcp.ts) and the components read the same constants and pure rules, so what a user
 * gets from the config is what a component does on its own, and a value changes in one place.
 * Each test reads both sides: the parsed config and the component (its validation, or what it
 * registers under the recording mocks), and pins the values users rely on.
 */
import { describeIssue } from "../../../config-issues";
import { GcpSchema } from "../../../config/gcp";
import type * as CloudNatModule from "../../../components/gcp/CloudNat";
import type * as ConfigSyncModule from "../../../components/gcp/ConfigSync";
import type * as ConfigSyncMemberModule from "../../../components/gcp/ConfigSyncMember";
import type * as GkeClusterModule from "../../../components/gcp/GkeCluster";
import type * as HubMembershipModule from "../../../components/gcp/HubMembership";
import {
    DEFAULT_BASELINE_POLICY_DIR,
    DEFAULT_DELETION_PROTECTION,
    DEFAULT_MACHINE_TYPE,
    DEFAULT_NETWORK,
    DEFAULT_NETWORK_POLICY_ENFORCEMENT,
    DEFAULT_POLICY_DIR,
    DEFAULT_PREVENT_DRIFT,
    DEFAULT_RELEASE_CHANNEL,
    DEFAULT_SECRET_TYPE,
    DEFAULT_SOURCE_FORMAT,
    DEFAULT_SYNC_BRANCH,
    GCP_LOCATION,
    GCP_REGION,
    machineTypeArchitecture,
    MAX_NODES_PER_ZONE,
    MIN_NODES_PER_ZONE,
    regionOf,
} from "../../../components/gcp/checks";
import type { RecordedResource } from "../../../plan/mocks";
import type { PlanResult } from "../../../plan/run";
import { one, planComponents, workerModule } from "../../harness";
import { documentedDefaults, documentedValue } from "../../tsdoc";
import { PROJECT, RANGE, REPO } from "./fixtures";

// The components' checks as the plans load them (the components import @pulumi/gcp).
const { validateCloudNatArgs } = workerModule<typeof CloudNatModule>("components/gcp/CloudNat");
const { validateConfigSyncArgs } = workerModule<typeof ConfigSyncModule>(
    "components/gcp/ConfigSync",
);
const { validateConfigSyncMemberArgs } = workerModule<typeof ConfigSyncMemberModule>(
    "components/gcp/ConfigSyncMember",
);
const { validateGkeClusterArgs } = workerModule<typeof GkeClusterModule>(
    "components/gcp/GkeCluster",
);
const { validateHubMembershipArgs } = workerModule<typeof HubMembershipModule>(
    "components/gcp/HubMembership",
);

/** The `gcp` section, enabled, with `patch` over one cluster and a Config Sync repository. */
function gcpSection(
    cluster: Record<string, unknown> = {},
    patch: Record<string, unknown> = {},
): Record<string, unknown> {
    return {
        enabled: true,
        project: PROJECT,
        region: "europe-west1",
        clusters: [
            { name: "c1", location: "europe-west1", masterIpv4CidrBlock: RANGE, ...cluster },
        ],
        ...patch,
        configSync: { syncRepo: REPO, ...((patch.configSync as object) ?? {}) },
    };
}

/** The messages the config parser prints for a `gcp` section (empty when it is valid). */
function configProblems(section: Record<string, unknown>): string[] {
    const result = GcpSchema.safeParse(section, { reportInput: true });
    return result.success
        ? []
        : result.error.issues.flatMap((i) =>
              describeIssue({ ...i, path: ["gcp", ...i.path] }, "multicloud", GcpSchema),
          );
}

describe("Google Cloud defaults: one constant each, the same in the config and the components", () => {
    // What users rely on: changing one of these changes every stack that leaves it out.
    it("pins the values", () => {
        expect(DEFAULT_RELEASE_CHANNEL).toBe("REGULAR");
        expect(DEFAULT_MACHINE_TYPE).toBe("e2-standard-4");
        expect(MIN_NODES_PER_ZONE).toEqual({ default: 1, min: 0 });
        expect(MAX_NODES_PER_ZONE).toEqual({ default: 3, min: 1 });
        expect(DEFAULT_DELETION_PROTECTION).toBe(true);
        expect(DEFAULT_NETWORK).toBe("default");
        expect(DEFAULT_NETWORK_POLICY_ENFORCEMENT).toBe("dataplane-v2");
        expect(DEFAULT_SYNC_BRANCH).toBe("main");
        expect(DEFAULT_POLICY_DIR).toBe("gitops");
        expect(DEFAULT_BASELINE_POLICY_DIR).toBe("gitops/cluster");
        expect(DEFAULT_SECRET_TYPE).toBe("none");
        expect(DEFAULT_SOURCE_FORMAT).toBe("unstructured");
        expect(DEFAULT_PREVENT_DRIFT).toBe(true);
    });

    it("documents each default as the constant it is (`@default` in the config and the args)", () => {
        const config = documentedDefaults("config/gcp.ts");
        const cluster = documentedDefaults("components/gcp/GkeCluster.ts");
        const nat = documentedDefaults("components/gcp/CloudNat.ts");
        const sync = documentedDefaults("components/gcp/ConfigSync.ts");
        const member = documentedDefaults("components/gcp/ConfigSyncMember.ts");
        const cases: [string | undefined, unknown][] = [
            [config.get("GkeClusterSchema.releaseChannel"), DEFAULT_RELEASE_CHANNEL],
            [cluster.get("GkeClusterArgs.releaseChannel"), DEFAULT_RELEASE_CHANNEL],
            [config.get("GkeClusterSchema.machineType"), DEFAULT_MACHINE_TYPE],
            [cluster.get("GkeClusterArgs.machineType"), DEFAULT_MACHINE_TYPE],
            [config.get("GkeClusterSchema.minNodesPerZone"), MIN_NODES_PER_ZONE.default],
            [cluster.get("GkeClusterArgs.minNodesPerZone"), MIN_NODES_PER_ZONE.default],
            [config.get("GkeClusterSchema.maxNodesPerZone"), MAX_NODES_PER_ZONE.default],
            [cluster.get("GkeClusterArgs.maxNodesPerZone"), MAX_NODES_PER_ZONE.default],
            [config.get("GkeClusterSchema.deletionProtection"), DEFAULT_DELETION_PROTECTION],
            [cluster.get("GkeClusterArgs.deletionProtection"), DEFAULT_DELETION_PROTECTION],
            [config.get("GkeClusterSchema.network"), DEFAULT_NETWORK],
            [cluster.get("GkeClusterArgs.network"), DEFAULT_NETWORK],
            [nat.get("CloudNatArgs.network"), DEFAULT_NETWORK],
            [
                config.get("GkeClusterSchema.networkPolicyEnforcement"),
                DEFAULT_NETWORK_POLICY_ENFORCEMENT,
            ],
            [
                cluster.get("GkeClusterArgs.networkPolicyEnforcement"),
                DEFAULT_NETWORK_POLICY_ENFORCEMENT,
            ],
            [config.get("ConfigSyncSchema.syncBranch"), DEFAULT_SYNC_BRANCH],
            [sync.get("ConfigSyncGit.syncBranch"), DEFAULT_SYNC_BRANCH],
            [config.get("ConfigSyncSchema.policyDir"), DEFAULT_POLICY_DIR],
            [sync.get("ConfigSyncGit.policyDir"), DEFAULT_POLICY_DIR],
            [config.get("ConfigSyncSchema.baselinePolicyDir"), DEFAULT_BASELINE_POLICY_DIR],
            [config.get("ConfigSyncSchema.secretType"), DEFAULT_SECRET_TYPE],
            [sync.get("ConfigSyncGit.secretType"), DEFAULT_SECRET_TYPE],
            [config.get("ConfigSyncSchema.sourceFormat"), DEFAULT_SOURCE_FORMAT],
            [sync.get("ConfigSyncArgs.sourceFormat"), DEFAULT_SOURCE_FORMAT],
            [member.get("ConfigSyncMemberArgs.sourceFormat"), DEFAULT_SOURCE_FORMAT],
            [sync.get("ConfigSyncArgs.preventDrift"), DEFAULT_PREVENT_DRIFT],
            [member.get("ConfigSyncMemberArgs.preventDrift"), DEFAULT_PREVENT_DRIFT],
        ];
        expect(cases.map(([text]) => documentedValue(text))).toEqual(
            cases.map(([, value]) => value),
        );
        // The control-plane range has none, on both sides.
        expect(config.get("GkeClusterSchema.masterIpv4CidrBlock")).toBe("none: required");
        expect(cluster.get("GkeClusterArgs.masterIpv4CidrBlock")).toBe("none: required");
    });

    describe("what a component does with an argument left out, against what the config gives", () => {
        const config = GcpSchema.parse(gcpSection());
        let plan: PlanResult;
        let sync: {
            git: Record<string, unknown>;
            sourceFormat: string;
            preventDrift: boolean;
        };
        beforeAll(async () => {
            plan = await planComponents((req) => {
                const gcp = req<typeof import("@pulumi/gcp")>("@pulumi/gcp");
                const { CloudNat } =
                    req<typeof import("../../../components/gcp/CloudNat")>(
                        "components/gcp/CloudNat",
                    );
                const { ConfigSync } = req<typeof import("../../../components/gcp/ConfigSync")>(
                    "components/gcp/ConfigSync",
                );
                const { ConfigSyncMember } = req<
                    typeof import("../../../components/gcp/ConfigSyncMember")
                >("components/gcp/ConfigSyncMember");
                const { GkeCluster } = req<typeof import("../../../components/gcp/GkeCluster")>(
                    "components/gcp/GkeCluster",
                );
                const opts = { providers: [new gcp.Provider("gcp", { project: PROJECT })] };
                // Only what each component requires.
                new GkeCluster(
                    "c1",
                    { project: PROJECT, location: "europe-west1", masterIpv4CidrBlock: RANGE },
                    opts,
                );
                new CloudNat("nat", { project: PROJECT, region: "europe-west1" }, opts);
                const fleet = new ConfigSync(
                    "config-sync",
                    { project: PROJECT, git: { syncRepo: REPO } },
                    opts,
                );
                sync = {
                    git: { ...fleet.git },
                    sourceFormat: fleet.sourceFormat,
                    preventDrift: fleet.preventDrift,
                };
                new ConfigSyncMember(
                    "config-sync-m1",
                    {
                        project: PROJECT,
                        feature: fleet.featureName,
                        membership: "m1",
                        git: fleet.git,
                    },
                    opts,
                );
            });
            expect(plan.errors).toEqual([]);
        });

        it("GkeCluster: release channel, machine type, node bounds, deletion protection, network", () => {
            const c = config.clusters[0];
            const cluster = one(plan, "gcp:container/cluster:Cluster", "c1").inputs;
            const pool = one(plan, "gcp:container/nodePool:NodePool", "c1-nodes").inputs as {
                autoscaling: unknown;
                nodeConfig: { machineType: string };
            };
            expect(cluster.releaseChannel).toEqual({ channel: c.releaseChannel });
            expect(cluster.deletionProtection).toBe(c.deletionProtection);
            expect(pool.nodeConfig.machineType).toBe(c.machineType);
            expect(pool.autoscaling).toEqual({
                minNodeCount: c.minNodesPerZone,
                maxNodeCount: c.maxNodesPerZone,
            });
            // The config leaves the network out; its overlap rule and the cluster take the same.
            expect(c.network).toBeUndefined();
            expect(cluster.network).toBe(DEFAULT_NETWORK);
            // Dataplane V2, the default enforcement.
            expect(c.networkPolicyEnforcement).toBeUndefined();
            expect(cluster.datapathProvider).toBe("ADVANCED_DATAPATH");
        });

        it("CloudNat: the same default network as the clusters it serves", () => {
            expect(one(plan, "gcp:compute/router:Router", "nat-router").inputs.network).toBe(
                DEFAULT_NETWORK,
            );
        });

        // The drift this fixes: ConfigSync alone gave every member gitops/cluster (the baseline,
        // no app), while the config gives the whole tree, which attached clusters and edge sites
        // sync to get the app.
        it("ConfigSync and ConfigSyncMember: branch, folder, secret type, format, drift prevention", () => {
            const cs = config.configSync;
            expect(sync).toEqual({
                git: {
                    syncRepo: REPO,
                    syncBranch: cs.syncBranch,
                    policyDir: cs.policyDir,
                    secretType: cs.secretType,
                    gcpServiceAccountEmail: undefined,
                },
                sourceFormat: cs.sourceFormat,
                preventDrift: DEFAULT_PREVENT_DRIFT,
            });
            const member = one(
                plan,
                "gcp:gkehub/featureMembership:FeatureMembership",
                "config-sync-m1",
            ) as RecordedResource & {
                inputs: { configmanagement: { configSync: Record<string, unknown> } };
            };
            expect(member.inputs.configmanagement.configSync).toMatchObject({
                sourceFormat: cs.sourceFormat,
                preventDrift: DEFAULT_PREVENT_DRIFT,
                git: { syncBranch: cs.syncBranch, policyDir: cs.policyDir, secretType: "none" },
            });
        });
    });
});

describe("Google Cloud rules: the config and the components agree", () => {
    /** Whether the config refuses a cluster field, and whether GkeCluster refuses the argument. */
    const verdicts = (field: string, value: unknown) => {
        const config = configProblems(gcpSection({ [field]: value })).some((p) =>
            p.startsWith(`multicloud:gcp.clusters[0].${field}`),
        );
        const args = {
            project: PROJECT,
            location: "europe-west1",
            masterIpv4CidrBlock: RANGE,
            [field]: value,
        };
        const name = field === "name" ? String(value) : "c1";
        const component = validateGkeClusterArgs(name, args as never).some((p) =>
            p.startsWith(field === "name" ? "name" : field),
        );
        return { config, component };
    };

    // GKE takes an RFC 1918 /28 with no host bits (validation.IsCIDRNetwork(28, 28) in
    // terraform-provider-google resource_container_cluster.go).
    it("control-plane ranges: a private /28 network address", () => {
        const cases: [string, boolean][] = [
            ["172.16.0.0/28", true],
            ["172.31.255.240/28", true],
            ["10.1.2.16/28", true],
            ["192.168.0.32/28", true],
            ["172.32.0.0/28", false],
            ["8.8.8.0/28", false],
            ["172.16.0.0/27", false],
            ["172.16.300.0/28", false],
            ["172.16.0.8/28", false],
        ];
        for (const [range, ok] of cases) {
            expect([range, verdicts("masterIpv4CidrBlock", range)]).toEqual([
                range,
                { config: !ok, component: !ok },
            ]);
        }
        expect(
            validateGkeClusterArgs("c1", {
                project: PROJECT,
                location: "europe-west1",
                masterIpv4CidrBlock: "172.16.0.8/28",
            }),
        ).toEqual([
            "masterIpv4CidrBlock '172.16.0.8/28' has host bits set: write its network address 172.16.0.0/28 (the clouds refuse or rewrite such a block)",
        ]);
    });

    // Decided: no default range anywhere. It is ForceNew, so a default (or one that moved)
    // replaces a cluster, and the same default for two clusters in a network collides.
    it("requires a control-plane range in the component as the config does", () => {
        expect(
            validateGkeClusterArgs("c1", { project: PROJECT, location: "europe-west1" } as never),
        ).toEqual([
            "masterIpv4CidrBlock is required: the control plane's private /28, its own in the cluster's network (for a running cluster, the range it has)",
        ]);
        expect(configProblems(gcpSection({ masterIpv4CidrBlock: undefined }))[0]).toMatch(
            /^multicloud:gcp\.clusters\[0\]\.masterIpv4CidrBlock is required \('c1' sets none\)/,
        );
    });

    it("cluster names: a DNS label of 1-20 characters", () => {
        for (const [name, ok] of [
            ["c1", true],
            ["prod-eu", true],
            ["a".repeat(20), true],
            ["a".repeat(21), false],
            ["prod-", false],
            ["1prod", false],
            ["Prod", false],
        ] as const) {
            expect([name, verdicts("name", name)]).toEqual([name, { config: !ok, component: !ok }]);
        }
        expect(
            validateGkeClusterArgs("prod-", {
                project: PROJECT,
                location: "europe-west1",
                masterIpv4CidrBlock: RANGE,
            }),
        ).toEqual([
            "name 'prod-' must be 1-20 lowercase letters, digits or hyphens, starting with a letter and ending with a letter or digit (it prefixes the cluster and service account names)",
        ]);
    });

    it("release channel, machine type, Google Groups domain", () => {
        expect(verdicts("releaseChannel", "FAST")).toEqual({ config: true, component: true });
        expect(verdicts("releaseChannel", "STABLE")).toEqual({ config: false, component: false });
        expect(verdicts("machineType", "E2")).toEqual({ config: true, component: true });
        expect(verdicts("machineType", "c4a-standard-8")).toEqual({
            config: false,
            component: false,
        });
        const domain = (d: string) => ({
            config: configProblems(gcpSection({}, { rbacGroupDomain: d })).length > 0,
            component:
                validateGkeClusterArgs("c1", {
                    project: PROJECT,
                    location: "europe-west1",
                    masterIpv4CidrBlock: RANGE,
                    rbacGroupDomain: d,
                }).length > 0,
        });
        expect(domain("example.com")).toEqual({ config: false, component: false });
        expect(domain("example")).toEqual({ config: true, component: true });
    });

    it("node bounds: each in its range, the maximum at least the minimum", () => {
        expect(verdicts("minNodesPerZone", -1)).toEqual({ config: true, component: true });
        expect(verdicts("minNodesPerZone", 0)).toEqual({ config: false, component: false });
        expect(verdicts("maxNodesPerZone", 0)).toEqual({ config: true, component: true });
        const order = { minNodesPerZone: 3, maxNodesPerZone: 2 };
        expect(configProblems(gcpSection(order))).toEqual([
            "multicloud:gcp.clusters[0].maxNodesPerZone (2) must be >= minNodesPerZone (3): fix it with `pulumi config set --path 'gcp.clusters[0].maxNodesPerZone' <value>`",
        ]);
        expect(
            validateGkeClusterArgs("c1", {
                project: PROJECT,
                location: "europe-west1",
                masterIpv4CidrBlock: RANGE,
                ...order,
            }),
        ).toEqual(["maxNodesPerZone (2) must be >= minNodesPerZone (3)"]);
    });

    it("regions: CloudNat, attached clusters and the config take the same", () => {
        for (const [region, ok] of [
            ["europe-west1", true],
            ["northamerica-northeast1", true],
            ["europe-west1-b", false],
            ["europe", false],
        ] as const) {
            const attached = {
                name: "onprem-1",
                location: region,
                distribution: "generic",
                oidcIssuerUrl: "https://k8s.example.com",
                platformVersion: "1.31.0-gke.1",
                kubeconfig: "k",
            };
            const config = configProblems(gcpSection({}, { attachedClusters: [attached] })).some(
                (p) => p.startsWith("multicloud:gcp.attachedClusters[0].location"),
            );
            const hub =
                validateHubMembershipArgs("onprem-1", {
                    ...attached,
                    kind: "attached",
                    project: PROJECT,
                    distribution: "generic",
                }).length > 0;
            const nat = validateCloudNatArgs({ project: PROJECT, region }).length > 0;
            expect([region, { config, hub, nat }]).toEqual([
                region,
                { config: !ok, hub: !ok, nat: !ok },
            ]);
        }
    });

    describe("Config Sync's git source", () => {
        const fleet = (git: Record<string, unknown>) =>
            validateConfigSyncArgs({ project: PROJECT, git: { syncRepo: REPO, ...git } as never });
        const config = (configSync: Record<string, unknown>) =>
            configProblems(gcpSection({}, { configSync }));

        it("ssh authentication needs an ssh URL", () => {
            expect(config({ secretType: "ssh" })).toEqual([
                "multicloud:gcp.configSync.secretType 'ssh' needs an ssh syncRepo URL, but syncRepo is https: fix it with `pulumi config set --path gcp.configSync.secretType <value>`",
            ]);
            expect(fleet({ secretType: "ssh" })).toEqual([
                "git.secretType 'ssh' needs an ssh syncRepo URL, but syncRepo is https",
            ]);
        });

        // The config let this through before; the component refused it at `pulumi up`.
        it("a Google service account authentication names the account", () => {
            expect(config({ secretType: "gcpserviceaccount" })).toEqual([
                "multicloud:gcp.configSync.gcpServiceAccountEmail is required when secretType is 'gcpserviceaccount': fix it with `pulumi config set --path gcp.configSync.gcpServiceAccountEmail <value>`",
            ]);
            expect(fleet({ secretType: "gcpserviceaccount" })).toEqual([
                "git.gcpServiceAccountEmail is required when secretType is 'gcpserviceaccount'",
            ]);
            const email = "sync@p.iam.gserviceaccount.com";
            expect(
                config({ secretType: "gcpserviceaccount", gcpServiceAccountEmail: email }),
            ).toEqual([]);
        });

        // The config let these through before; the components refused them at `pulumi up`.
        it("folders stay inside the repository, branches are not blank", () => {
            expect(config({ policyDir: "/etc" })).toEqual([
                "multicloud:gcp.configSync.policyDir ('/etc') must be a folder inside the repository (relative, no '..')",
            ]);
            expect(configProblems(gcpSection({ configSyncPolicyDir: "../other" }))).toEqual([
                "multicloud:gcp.clusters[0].configSyncPolicyDir ('../other') must be a folder inside the repository (relative, no '..')",
            ]);
            expect(fleet({ policyDir: "/etc" })).toEqual([
                "git.policyDir '/etc' must be a folder inside the repository (relative, no '..')",
            ]);
            expect(config({ syncBranch: " " })).toEqual([
                expect.stringMatching(
                    /^multicloud:gcp\.configSync\.syncBranch must name a branch: it is blank, got " "/,
                ),
            ]);
            expect(fleet({ syncBranch: " " })).toEqual([
                "git.syncBranch is empty: give a branch, or leave it out for 'main'",
            ]);
            expect(
                validateConfigSyncMemberArgs({
                    project: PROJECT,
                    feature: "configmanagement",
                    membership: "m1",
                    git: {
                        syncRepo: REPO,
                        syncBranch: "main",
                        policyDir: "gitops",
                        secretType: "none",
                    },
                    sourceFormat: "flat" as never,
                }),
            ).toEqual(["sourceFormat 'flat' must be one of unstructured, hierarchy"]);
            expect(config({ sourceFormat: "flat" })[0]).toMatch(
                /^multicloud:gcp\.configSync\.sourceFormat must be one of "unstructured", "hierarchy"/,
            );
        });
    });
});

describe("locations and machine types", () => {
    it("tells a region from a zone, and the region a zone is in", () => {
        expect(regionOf("europe-west1-b")).toBe("europe-west1");
        expect(regionOf("europe-west1")).toBe("europe-west1");
        expect(regionOf("northamerica-northeast1-a")).toBe("northamerica-northeast1");
        for (const [location, region, zone] of [
            ["europe-west1", true, false],
            ["northamerica-northeast1", true, false],
            ["europe-west1-b", false, true],
            ["europe-west", false, false],
        ] as const) {
            expect([location, GCP_REGION.test(location), GCP_LOCATION.test(location)]).toEqual([
                location,
                region,
                region || zone,
            ]);
        }
    });

    // Rule: GKE runs Arm nodes on the T2A and C4A series
    // (https://cloud.google.com/kubernetes-engine/docs/how-to/autopilot-arm-workloads) and taints
    // them kubernetes.io/arch=arm64:NoSchedule
    // (https://cloud.google.com/kubernetes-engine/docs/how-to/prepare-arm-workloads-for-deployment).
    it("maps machine types to the platform the image must include", () => {
        expect(machineTypeArchitecture("e2-standard-4")).toBe("amd64");
        expect(machineTypeArchitecture("n2d-standard-8")).toBe("amd64");
        expect(machineTypeArchitecture("c4-standard-4")).toBe("amd64");
        expect(machineTypeArchitecture("t2a-standard-4")).toBe("arm64");
        expect(machineTypeArchitecture("c4a-highmem-8")).toBe("arm64");
        expect(machineTypeArchitecture("n4a-standard-2")).toBe("arm64");
    });
});
