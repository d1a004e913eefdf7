import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { throwIfInvalid } from "../validation";
import {
    ConfigSyncSource,
    policyDirProblems,
    sourceFormatProblems,
    syncBranchProblems,
} from "./ConfigSync";
import { DEFAULT_PREVENT_DRIFT, DEFAULT_SOURCE_FORMAT, SourceFormat } from "./checks";

/**
 * The component type this one had before it configured every member (it only narrowed GKE
 * clusters then): an alias, so that the FeatureMemberships already created keep their URNs.
 */
export const CONFIG_SYNC_OVERRIDE_TYPE = "multicloud:gcp:ConfigSyncOverride";

/** A fleet membership's full resource name, as Hub and the attached clusters API return it. */
const MEMBERSHIP_NAME = /^projects\/[^/]+\/locations\/([^/]+)\/memberships?\/([^/]+)$/;

/**
 * The short membership name and its location, from either a short name (`prod-eu`, taken as
 * global) or a full name: `projects/<p>/locations/<l>/memberships/<m>` (Hub), or the
 * `projects/<number>/locations/global/membership/<cluster>` that `container.AttachedCluster`'s
 * `fleet.membership` is documented to return (gkemulticloud v1 `Fleet.membership`).
 */
export function parseMembership(membership: string): { membership: string; location: string } {
    const full = MEMBERSHIP_NAME.exec(membership);
    return full ? { location: full[1], membership: full[2] } : { membership, location: "global" };
}

export interface ConfigSyncMemberArgs {
    /** Fleet host project. */
    readonly project: string;
    /** The fleet's `configmanagement` feature name (`ConfigSync.featureName`). */
    readonly feature: pulumi.Input<string>;
    /**
     * The member's membership: its short name (`HubMembership.membershipName`) or its full
     * resource name (`HubMembership.membershipId`, `EdgeCluster.membershipId`).
     */
    readonly membership: pulumi.Input<string>;
    /** @default the location in `membership` when it is a full name, else "global" */
    readonly membershipLocation?: pulumi.Input<string>;
    /** The fleet's git source (`ConfigSync.git`), which `syncBranch` and `policyDir` may narrow. */
    readonly git: ConfigSyncSource;
    /** `unstructured` (plain manifests) or `hierarchy` (`ConfigSync.sourceFormat`). @default "unstructured" */
    readonly sourceFormat?: SourceFormat;
    /** Revert changes made to synced objects outside git (`ConfigSync.preventDrift`). @default true */
    readonly preventDrift?: boolean;
    /** Branch for this member. @default `git.syncBranch` */
    readonly syncBranch?: string;
    /** Folder for this member. @default `git.policyDir` */
    readonly policyDir?: string;
}

/** Every problem with `args`, each naming the argument; empty when valid. */
export function validateConfigSyncMemberArgs(args: ConfigSyncMemberArgs): string[] {
    const problems: string[] = [];
    problems.push(...syncBranchProblems(args.syncBranch, "the fleet's"));
    problems.push(...policyDirProblems(args.policyDir));
    problems.push(...sourceFormatProblems(args.sourceFormat));
    return problems;
}

/**
 * Config Sync on one fleet member (a GKE cluster, an attached cluster or an edge site): a
 * `gkehub.FeatureMembership` of the `configmanagement` feature with Config Sync enabled
 * explicitly, syncing the fleet's repository (or this member's branch and folder). One per
 * membership, created after it: the one model that works for every kind of member and for a
 * member added later, since fleet defaults reach only GKE clusters (see `ConfigSync`).
 */
export class ConfigSyncMember extends pulumi.ComponentResource {
    /** The membership's short name, as the feature membership names it. */
    public readonly membership: pulumi.Output<string>;
    public readonly membershipLocation: pulumi.Output<string>;
    /** The branch and folder this member syncs. */
    public readonly syncBranch: string;
    public readonly policyDir: string;

    constructor(name: string, args: ConfigSyncMemberArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("ConfigSyncMember", name, validateConfigSyncMemberArgs(args));
        super(
            "multicloud:gcp:ConfigSyncMember",
            name,
            {},
            {
                ...opts,
                aliases: [...(opts?.aliases ?? []), { type: CONFIG_SYNC_OVERRIDE_TYPE }],
            },
        );

        const parsed = pulumi.output(args.membership).apply(parseMembership);
        this.membership = parsed.membership;
        this.membershipLocation =
            args.membershipLocation === undefined
                ? parsed.location
                : pulumi.output(args.membershipLocation);
        this.syncBranch = args.syncBranch ?? args.git.syncBranch;
        this.policyDir = args.policyDir ?? args.git.policyDir;

        // Named as the component, as it always was: existing feature memberships keep their URNs.
        new gcp.gkehub.FeatureMembership(
            name,
            {
                project: args.project,
                feature: args.feature,
                location: "global",
                membership: this.membership,
                membershipLocation: this.membershipLocation,
                configmanagement: {
                    // No `management: MANAGEMENT_AUTOMATIC`: automatic upgrades are for GKE on
                    // Google Cloud only, and the provider's maintainers dropped it from their
                    // tests as "no longer supported on the gkehub api server for the
                    // ConfigManagement feature" (terraform-provider-google PR #22870, #24204).
                    // Config Sync's version follows the fleet's default (manual) upgrades.
                    configSync: {
                        // Set explicitly: left unset, Config Sync is installed but does not sync.
                        enabled: true,
                        sourceFormat: args.sourceFormat ?? DEFAULT_SOURCE_FORMAT,
                        preventDrift: args.preventDrift ?? DEFAULT_PREVENT_DRIFT,
                        git: {
                            ...args.git,
                            syncBranch: this.syncBranch,
                            policyDir: this.policyDir,
                        },
                    },
                },
            },
            { parent: this },
        );
        this.registerOutputs({
            membership: this.membership,
            membershipLocation: this.membershipLocation,
        });
    }
}
