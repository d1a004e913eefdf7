import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { throwIfInvalid } from "../validation";
import { policyDirProblems } from "./ConfigSync";

export interface ConfigSyncOverrideArgs {
    readonly project: string;
    /** The fleet's `configmanagement` feature name (`ConfigSync.featureName`). */
    readonly feature: pulumi.Input<string>;
    /** Membership name of the cluster. */
    readonly membership: pulumi.Input<string>;
    /** @default "global" */
    readonly membershipLocation?: pulumi.Input<string>;
    /** The fleet default's git source, which this override changes in part. */
    readonly git: {
        readonly syncRepo: string;
        readonly syncBranch: string;
        readonly policyDir: string;
        readonly secretType: string;
        readonly gcpServiceAccountEmail?: string;
    };
    /** @default "unstructured" */
    readonly sourceFormat?: string;
    /** @default true */
    readonly preventDrift?: boolean;
    /** Branch for this cluster. @default the fleet default */
    readonly syncBranch?: string;
    /** Folder for this cluster. @default the fleet default */
    readonly policyDir?: string;
}

/** Every problem with `args`, each naming the argument; empty when valid. */
export function validateConfigSyncOverrideArgs(args: ConfigSyncOverrideArgs): string[] {
    const problems: string[] = [];
    if (args.syncBranch === undefined && args.policyDir === undefined) {
        problems.push(
            "give syncBranch or policyDir: an override that changes nothing is the fleet default",
        );
    }
    problems.push(...policyDirProblems(args.policyDir));
    return problems;
}

/**
 * Config Sync for one cluster that needs another branch or folder than the fleet default: a
 * `gkehub.FeatureMembership` for its membership, with `configSync.enabled` set explicitly.
 */
export class ConfigSyncOverride extends pulumi.ComponentResource {
    constructor(
        name: string,
        args: ConfigSyncOverrideArgs,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        throwIfInvalid("ConfigSyncOverride", name, validateConfigSyncOverrideArgs(args));
        super("multicloud:gcp:ConfigSyncOverride", name, {}, opts);

        new gcp.gkehub.FeatureMembership(
            name,
            {
                project: args.project,
                feature: args.feature,
                location: "global",
                membership: args.membership,
                membershipLocation: args.membershipLocation ?? "global",
                configmanagement: {
                    management: "MANAGEMENT_AUTOMATIC",
                    configSync: {
                        enabled: true,
                        sourceFormat: args.sourceFormat ?? "unstructured",
                        preventDrift: args.preventDrift ?? true,
                        git: {
                            ...args.git,
                            syncBranch: args.syncBranch ?? args.git.syncBranch,
                            policyDir: args.policyDir ?? args.git.policyDir,
                        },
                    },
                },
            },
            { parent: this },
        );
        this.registerOutputs({});
    }
}
