/**
 * ConfigSyncMember: Config Sync on one fleet member (GKE, attached or edge), one
 * FeatureMembership each. Its membership-name parsing and argument checks, a fleet of every kind
 * of member planned directly under the recording mocks, and what each committed GKE cluster
 * syncs.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as ConfigSyncMemberModule from "../../../components/gcp/ConfigSyncMember";
import type { RecordedResource } from "../../../plan/mocks";
import type { PlanResult } from "../../../plan/run";
import { ofType, one, planComponents, planStack, workerModule } from "../../harness";
import { gcpOpts, pulumiOf, REPO, T } from "./fixtures";

/** The component's module as the plans load it: its parsing and checks, called directly. */
const { CONFIG_SYNC_OVERRIDE_TYPE, parseMembership, validateConfigSyncMemberArgs } = workerModule<
    typeof ConfigSyncMemberModule
>("components/gcp/ConfigSyncMember");

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
function planFleet(): Promise<PlanResult> {
    return planComponents((req) => {
        const p = pulumiOf(req);
        const { ConfigSync } = req<typeof import("../../../components/gcp/ConfigSync")>(
            "components/gcp/ConfigSync",
        );
        const { ConfigSyncMember } = req<typeof import("../../../components/gcp/ConfigSyncMember")>(
            "components/gcp/ConfigSyncMember",
        );
        const { HubMembership } = req<typeof import("../../../components/gcp/HubMembership")>(
            "components/gcp/HubMembership",
        );
        const project = "multicloud-dev-000000";
        const opts = gcpOpts(req, project);
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
    });
}

describe("Config Sync on every kind of fleet member", () => {
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await planFleet();
        expect(plan.errors).toEqual([]);
    });

    // Rule: one FeatureMembership per membership, each naming the membership's short name and
    // location; an attached cluster's membership is global and named as the cluster (gkemulticloud
    // v1 Fleet.membership: projects/<number>/locations/global/membership/<cluster-id>).
    it("gives every member its own FeatureMembership with Config Sync enabled explicitly", () => {
        const members = ofType(plan, T.featureMembership)
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
        const attached = one(plan, T.attached, "onprem-1");
        const onprem = one(plan, T.featureMembership, "config-sync-onprem-1");
        expect(onprem.dependencies).toContain(attached.urn);
        const gke = one(plan, T.membership, "gke-1");
        expect(one(plan, T.featureMembership, "config-sync-gke-1").dependencies).toContain(gke.urn);
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
        const member = one(plan, "multicloud:gcp:ConfigSyncMember", "config-sync-gke-1");
        expect(member.aliases.map((a) => a.type ?? a.urn)).toEqual([CONFIG_SYNC_OVERRIDE_TYPE]);
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

describe("what the committed GKE clusters sync", () => {
    it("prod: only the baseline on each GKE cluster (Pulumi applies the app), and its own branch where asked", async () => {
        const plan = await planStack("prod");
        expect(plan.errors).toEqual([]);
        const overrides = ofType(plan, T.featureMembership);
        expect(
            overrides.map((o) => {
                const git = inputsOf(o).configmanagement.configSync.git;
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

    it("dev: one member, its one GKE cluster, narrowed to the baseline", async () => {
        const plan = await planStack("dev");
        expect(plan.errors).toEqual([]);
        // Its one override narrows Config Sync to the baseline: Pulumi applies the app.
        expect(ofType(plan, T.featureMembership).map((o) => o.name)).toEqual([
            "config-sync-dev-gke",
        ]);
    });
});
