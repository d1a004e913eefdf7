/**
 * Config Sync on every kind of fleet member (GKE, attached, edge), one FeatureMembership each,
 * and the Google Cloud rules behind the model; plus the pure helpers the stack wiring uses
 * (NAT names, machine architectures). Components are planned directly under the recording
 * mocks, so these tests do not depend on how index.ts wires them.
 */
import * as pulumi from "@pulumi/pulumi";
import {
    MAX_NAT_NAME,
    natName,
    networkName,
    validateCloudNatArgs,
} from "../../../components/gcp/CloudNat";
import {
    CONFIG_SYNC_OVERRIDE_TYPE,
    parseMembership,
    validateConfigSyncMemberArgs,
} from "../../../components/gcp/ConfigSyncMember";
import {
    gkeServiceAgent,
    machineTypeArchitecture,
    networkPolicyInputs,
    validateGkeClusterArgs,
} from "../../../components/gcp/GkeCluster";
import type { RecordedResource } from "../../../plan/mocks";
import type { PlanResult } from "../../../plan/run";
import { ofType, one, planStack } from "../../harness";

const FEATURE_MEMBERSHIP = "gcp:gkehub/featureMembership:FeatureMembership";
const REPO = "https://github.com/example-org/multicloud-fleet.git";

type Git = { syncRepo: string; syncBranch: string; policyDir: string; secretType: string };
type FeatureMembershipInputs = {
    membership: string;
    membershipLocation: string;
    location: string;
    feature: string;
    configmanagement: { configSync: { enabled: boolean; git: Git } };
};
const inputsOf = (r: RecordedResource) => r.inputs as unknown as FeatureMembershipInputs;

/** Plans a fleet of one GKE cluster, one attached cluster and one edge site's membership. */
async function planFleet(): Promise<{ plan: PlanResult; aliases: Map<string, string[]> }> {
    const aliases = new Map<string, string[]>();
    const plan = await planStack(
        "dev",
        {},
        {
            load: () => {
                const gcp = require("@pulumi/gcp") as typeof import("@pulumi/gcp");
                const p = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
                const { ConfigSync } =
                    require("../../../components/gcp/ConfigSync") as typeof import("../../../components/gcp/ConfigSync");
                const { ConfigSyncMember } =
                    require("../../../components/gcp/ConfigSyncMember") as typeof import("../../../components/gcp/ConfigSyncMember");
                const { HubMembership } =
                    require("../../../components/gcp/HubMembership") as typeof import("../../../components/gcp/HubMembership");
                // Record the aliases each registration carries (the shared recorder does not).
                const monitor = p.runtime.getMonitor() as unknown as {
                    registerResource(req: AliasRequest, cb: unknown): unknown;
                };
                const register = monitor.registerResource.bind(monitor);
                monitor.registerResource = (req, cb) => {
                    aliases.set(`${req.getType()}::${req.getName()}`, aliasTypes(req));
                    return register(req, cb);
                };

                const provider = new gcp.Provider("gcp", { project: "multicloud-dev-000000" });
                const opts = { providers: [provider] };
                const project = "multicloud-dev-000000";
                const sync = new ConfigSync(
                    "config-sync",
                    { project, git: { syncRepo: REPO, policyDir: "gitops" } },
                    opts,
                );
                const gke = new HubMembership(
                    "gke-1",
                    {
                        kind: "gke",
                        project,
                        clusterId: `projects/${project}/locations/europe-west1/clusters/gke-1`,
                    },
                    { ...opts, dependsOn: [sync] },
                );
                const attached = new HubMembership(
                    "onprem-1",
                    {
                        kind: "attached",
                        project,
                        location: "us-west1",
                        distribution: "generic",
                        oidcIssuerUrl: "https://k8s.onprem.example.com",
                        platformVersion: "1.31.0-gke.1",
                        kubeconfig: p.secret("apiVersion: v1"),
                        projectNumber: "123456789012",
                    },
                    { ...opts, dependsOn: [sync] },
                );
                const member = (name: string, membership: pulumi.Input<string>, dir?: string) =>
                    new ConfigSyncMember(
                        name,
                        {
                            project,
                            feature: sync.featureName,
                            membership,
                            git: sync.git,
                            sourceFormat: sync.sourceFormat,
                            preventDrift: sync.preventDrift,
                            policyDir: dir,
                        },
                        opts,
                    );
                // GKE clusters sync the baseline (Pulumi applies the app on them) ...
                member("config-sync-gke-1", gke.membershipName, "gitops/cluster");
                // ... attached clusters and edge sites the whole folder, by full name.
                member("config-sync-onprem-1", attached.membershipId);
                member(
                    "config-sync-store-001",
                    "projects/123456789012/locations/global/membership/store-001",
                );
            },
        },
    );
    return { plan, aliases };
}

interface AliasRequest {
    getType(): string;
    getName(): string;
    getAliasesList?(): { getSpec?(): { getType(): string } | undefined; getUrn?(): string }[];
    getAliasurnsList?(): string[];
}
/** The types an alias names, from alias specs (or URNs on an older SDK). */
function aliasTypes(req: AliasRequest): string[] {
    const specs = (req.getAliasesList?.() ?? []).map(
        (a) => a.getSpec?.()?.getType() ?? a.getUrn?.() ?? "",
    );
    return [...specs, ...(req.getAliasurnsList?.() ?? [])].filter((t) => t !== "");
}

describe("Config Sync on every kind of fleet member", () => {
    let plan: PlanResult;
    let aliases: Map<string, string[]>;
    beforeAll(async () => {
        ({ plan, aliases } = await planFleet());
        expect(plan.errors).toEqual([]);
    }, 120_000);

    // Rule: a fleet default reaches only GKE clusters on Google Cloud registered after it is set
    // (https://cloud.google.com/kubernetes-engine/config-sync/docs/how-to/install-fleet), and a
    // GKE membership that inherited it makes its FeatureMembership create fail, since the
    // provider creates with BlockAcquire ("Resource already exists - apply blocked by lifecycle
    // params": hashicorp/terraform-provider-google google/tpgdclresource/dcl.go CreateDirective,
    // issue #21049). So the feature carries no default.
    it("creates the configmanagement feature without a fleet-level default member config", () => {
        const feature = one(plan, "gcp:gkehub/feature:Feature", "config-sync");
        expect(feature.inputs).toMatchObject({ name: "configmanagement", location: "global" });
        expect(feature.inputs.fleetDefaultMemberConfig).toBeUndefined();
    });

    // Rule: one FeatureMembership per membership, each naming the membership's short name and
    // location; an attached cluster's membership is global and named as the cluster (gkemulticloud
    // v1 Fleet.membership: projects/<number>/locations/global/membership/<cluster-id>).
    it("gives every member its own FeatureMembership with Config Sync enabled explicitly", () => {
        const members = ofType(plan, FEATURE_MEMBERSHIP)
            .map(inputsOf)
            .sort((a, b) => a.membership.localeCompare(b.membership));
        expect(
            members.map((m) => [
                m.membership,
                m.membershipLocation,
                m.location,
                m.configmanagement.configSync.git.policyDir,
            ]),
        ).toEqual([
            ["gke-1", "global", "global", "gitops/cluster"],
            ["onprem-1", "global", "global", "gitops"],
            ["store-001", "global", "global", "gitops"],
        ]);
        for (const m of members) {
            expect(m.feature).toBe("configmanagement");
            expect(m.configmanagement.configSync.enabled).toBe(true);
            // Automatic management is GKE-on-Google-Cloud only and no longer accepted for the
            // ConfigManagement feature (terraform-provider-google PR #22870 and #24204): unset.
            expect(m.configmanagement).not.toHaveProperty("management");
            expect(m.configmanagement.configSync.git).toMatchObject({
                syncRepo: REPO,
                syncBranch: "main",
                secretType: "none",
            });
        }
    });

    it("creates each member's FeatureMembership after its membership exists", () => {
        const attached = one(plan, "gcp:container/attachedCluster:AttachedCluster", "onprem-1");
        const onprem = one(plan, FEATURE_MEMBERSHIP, "config-sync-onprem-1");
        expect(onprem.dependencies).toContain(attached.urn);
        const gke = one(plan, "gcp:gkehub/membership:Membership", "gke-1");
        expect(one(plan, FEATURE_MEMBERSHIP, "config-sync-gke-1").dependencies).toContain(gke.urn);
    });

    // Rule (Pulumi): renaming a component's type changes its URN and its children's, which
    // replaces them; an alias to the old type keeps the feature memberships created as
    // ConfigSyncOverride `config-sync-<cluster>` in place.
    it("aliases the former ConfigSyncOverride type so existing URNs stay", () => {
        expect(
            ofType(plan, "multicloud:gcp:ConfigSyncMember")
                .map((m) => m.name)
                .sort(),
        ).toEqual(["config-sync-gke-1", "config-sync-onprem-1", "config-sync-store-001"]);
        // The component carries the alias; the engine derives its children's from it.
        expect(aliases.get("multicloud:gcp:ConfigSyncMember::config-sync-gke-1")).toEqual([
            CONFIG_SYNC_OVERRIDE_TYPE,
        ]);
    });
});

describe("membership names", () => {
    it("reads the short name and location from any form Google returns", () => {
        expect(parseMembership("prod-eu")).toEqual({ membership: "prod-eu", location: "global" });
        expect(parseMembership("projects/p/locations/global/memberships/prod-eu")).toEqual({
            membership: "prod-eu",
            location: "global",
        });
        expect(parseMembership("projects/42/locations/us-west1/memberships/edge-7")).toEqual({
            membership: "edge-7",
            location: "us-west1",
        });
        // The attached clusters API documents the singular `membership/`.
        expect(parseMembership("projects/42/locations/global/membership/store-001")).toEqual({
            membership: "store-001",
            location: "global",
        });
    });

    it("validates a member's branch and folder", () => {
        expect(
            validateConfigSyncMemberArgs({
                project: "p",
                feature: "configmanagement",
                membership: "m",
                git: {
                    syncRepo: REPO,
                    syncBranch: "main",
                    policyDir: "gitops",
                    secretType: "none",
                },
                syncBranch: " ",
                policyDir: "/etc",
            }),
        ).toEqual([
            "syncBranch is empty: give a branch, or leave it out for the fleet's",
            "policyDir '/etc' must be a folder inside the repository (relative, no '..')",
        ]);
    });
});

describe("Cloud NAT names", () => {
    // Rule: router and NAT names are RFC 1035 labels of at most 63 characters
    // (google_compute_router.name ValidateGCEName, google_compute_router_nat.name
    // ValidateRFC1035Name(2, 63): hashicorp/terraform-provider-google google/services/compute),
    // and Pulumi names them `<component>-router-<7 hex>` and `<component>-nat-<7 hex>`.
    const physical = (name: string) => [`${name}-router-abcdef0`, `${name}-nat-abcdef0`];
    const RFC1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

    it("keeps the names stacks already use for networks given by name", () => {
        expect(natName("default", "europe-west1")).toBe("nat-default-europe-west1");
        expect(natName("default", "us-central1")).toBe("nat-default-us-central1");
    });

    it("accepts partial URLs and self-links, and stays within 63 characters", () => {
        const long = "a-very-long-network-name-that-uses-most-of-the-63-characters-ok";
        const cases = [
            ["projects/host-project/global/networks/shared", "europe-west1"],
            [
                "https://www.googleapis.com/compute/v1/projects/host-project/global/networks/shared",
                "europe-west1",
            ],
            [long, "northamerica-northeast1"],
            [`projects/p/global/networks/${long}`, "southamerica-east1"],
        ];
        const names = cases.map(([network, region]) => natName(network, region));
        for (const name of names) {
            expect(name.length).toBeLessThanOrEqual(MAX_NAT_NAME);
            for (const p of physical(name)) {
                expect(p.length).toBeLessThanOrEqual(63);
                expect(p).toMatch(RFC1035);
            }
            expect(validateCloudNatArgs({ project: "p", region: "europe-west1" }, name)).toEqual(
                [],
            );
        }
        expect(names[0]).toMatch(/^nat-shared-europe-west1-[0-9a-f]{6}$/);
        // Stable: the same network and region always give the same name ...
        expect(natName(cases[1][0], cases[1][1])).toBe(names[1]);
        // ... and two references never share one.
        expect(new Set(names).size).toBe(names.length);
        expect(networkName(cases[1][0])).toBe("shared");
    });

    it("refuses a component name the router or NAT name could not hold", () => {
        expect(
            validateCloudNatArgs(
                { project: "p", region: "europe-west1" },
                "nat-projects/p/global/networks/n-europe-west1",
            ),
        ).toEqual([
            `name 'nat-projects/p/global/networks/n-europe-west1' must be a lowercase RFC 1035 name of at most ${MAX_NAT_NAME} characters (it prefixes the router and NAT names, 63 at most): use natName(network, region)`,
        ]);
    });
});

describe("node architectures", () => {
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

describe("GKE cluster rules", () => {
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
