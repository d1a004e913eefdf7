/**
 * ConfigSync: the fleet's `configmanagement` feature and the git source every member syncs. Its
 * argument checks, the component planned directly, and Config Sync in the committed stacks.
 */
import type { PlanResult } from "../../../plan/run";
import {
    created,
    ofType,
    one,
    planComponents,
    planStack,
    waitsFor,
    workerModule,
} from "../../harness";
import { gcpOpts, PROJECT, REPO, T } from "./fixtures";

type ConfigSyncModule = typeof import("../../../components/gcp/ConfigSync");

/** The component's module as the plans load it: its checks, called directly. */
const { validateConfigSyncArgs } = workerModule<ConfigSyncModule>("components/gcp/ConfigSync");

describe("ConfigSync's arguments", () => {
    it("names an empty repository, ssh auth over https, and a folder outside the repository", () => {
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
    });

    // Config Sync authenticates to git in one of the ways SECRET_TYPES lists
    // (components/gcp/checks.ts; Config Sync's methods:
    // https://cloud.google.com/kubernetes-engine/config-sync/docs/how-to/grant-access-git); the
    // SDK types git.secretType as any string, so an unknown one would fail only in the cluster.
    it("refuses plain http and an authentication Config Sync does not know", () => {
        expect(
            validateConfigSyncArgs({
                project: "p",
                git: {
                    syncRepo: "http://git.example.com/fleet.git",
                    secretType: "password" as never,
                },
            }),
        ).toEqual([
            "git.syncRepo 'http://git.example.com/fleet.git' must be an https or ssh git URL (plain http and other schemes are refused)",
            "git.secretType 'password' must be one of none, ssh, cookiefile, token, gcenode, gcpserviceaccount, githubapp",
        ]);
    });
});

describe("ConfigSync", () => {
    let plan: PlanResult;
    let featureName: string | undefined;
    beforeAll(async () => {
        plan = await planComponents(async (req) => {
            const { ConfigSync } = req<ConfigSyncModule>("components/gcp/ConfigSync");
            const sync = new ConfigSync(
                "config-sync",
                { project: PROJECT, git: { syncRepo: REPO } },
                gcpOpts(req),
            );
            featureName = await new Promise((resolve) => sync.featureName.apply(resolve));
        });
        expect(plan.errors).toEqual([]);
    });

    // Rule: a fleet default reaches only GKE clusters on Google Cloud registered after it is set
    // (https://cloud.google.com/kubernetes-engine/config-sync/docs/how-to/install-fleet), and a
    // GKE membership that inherited it makes its FeatureMembership create fail, since the
    // provider creates with BlockAcquire ("Resource already exists - apply blocked by lifecycle
    // params": hashicorp/terraform-provider-google google/tpgdclresource/dcl.go CreateDirective,
    // issue #21049). So the feature carries no default.
    it("creates the configmanagement feature without a fleet-level default member config", () => {
        const feature = one(plan, T.feature, "config-sync");
        expect(feature.inputs).toMatchObject({ name: "configmanagement", location: "global" });
        expect(feature.inputs.fleetDefaultMemberConfig).toBeUndefined();
        // The feature alone: every member gets its own ConfigSyncMember.
        expect(created(plan).filter((r) => r.custom && !r.type.startsWith("pulumi:"))).toEqual([
            feature,
        ]);
        expect(featureName).toBe("configmanagement");
    });

    it("registers nothing when its arguments are invalid", async () => {
        const refused = await planComponents((req) => {
            const { ConfigSync } = req<ConfigSyncModule>("components/gcp/ConfigSync");
            new ConfigSync("bad", { project: PROJECT, git: { syncRepo: "" } }, gcpOpts(req));
        });
        expect(ofType(refused, T.feature)).toEqual([]);
        expect(refused.errors[0]).toContain(
            "ConfigSync 'bad' has invalid arguments:\n  - git.syncRepo is empty",
        );
    });
});

describe.each([
    ["dev", ["dev-gke"]],
    ["prod", ["prod-eu", "prod-us"]],
])("the %s stack's Config Sync", (stack, names) => {
    const project = `multicloud-${stack}-000000`;
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await planStack(stack);
        expect(plan.errors).toEqual([]);
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
});

describe("the prod stack's Config Sync in detail", () => {
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await planStack("prod");
        expect(plan.errors).toEqual([]);
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

    it("exports the fleet feature state", () => {
        expect(plan.outputs.gcp).toMatchObject({
            configSyncFeatureState: [{ state: "ACTIVE", hasResources: false }],
        });
    });
});
