import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { GIT_URL } from "../formats";
import { throwIfInvalid } from "../validation";
import {
    configSyncGitProblems,
    DEFAULT_POLICY_DIR,
    DEFAULT_PREVENT_DRIFT,
    DEFAULT_SECRET_TYPE,
    DEFAULT_SOURCE_FORMAT,
    DEFAULT_SYNC_BRANCH,
    repositoryFolderProblem,
    SECRET_TYPES,
    SecretType,
    SOURCE_FORMATS,
    SourceFormat,
    SYNC_BRANCH,
} from "./checks";

export {
    DEFAULT_POLICY_DIR,
    DEFAULT_PREVENT_DRIFT,
    DEFAULT_SECRET_TYPE,
    DEFAULT_SOURCE_FORMAT,
    DEFAULT_SYNC_BRANCH,
    SECRET_TYPES,
    SOURCE_FORMATS,
} from "./checks";
export type { SecretType, SourceFormat } from "./checks";

export interface ConfigSyncGit {
    /** Repository URL, https or ssh. */
    readonly syncRepo: string;
    /** @default "main" */
    readonly syncBranch?: string;
    /**
     * Folder of the repository every member syncs unless it names its own: the baseline and the
     * workload. @default "gitops"
     */
    readonly policyDir?: string;
    /** How Config Sync authenticates to the repository. @default "none" (a public repository) */
    readonly secretType?: SecretType;
    /** Google service account for `gcpserviceaccount` (Cloud Source Repositories, Secure Source Manager). */
    readonly gcpServiceAccountEmail?: string;
}

export interface ConfigSyncArgs {
    /** Fleet host project. */
    readonly project: string;
    readonly git: ConfigSyncGit;
    /** `unstructured` (plain manifests) or `hierarchy`. @default "unstructured" */
    readonly sourceFormat?: SourceFormat;
    /** Revert changes made to synced objects outside git. @default true */
    readonly preventDrift?: boolean;
}

/** A sync folder must stay inside the repository. */
export function policyDirProblems(dir: string | undefined): string[] {
    const problem = dir === undefined ? undefined : repositoryFolderProblem(dir);
    return problem ? [`policyDir '${dir}' ${problem}`] : [];
}

/** A branch, when given, must name one; `leftOut` says what leaving it out gives. */
export function syncBranchProblems(branch: string | undefined, leftOut: string): string[] {
    return branch !== undefined && !SYNC_BRANCH.test(branch)
        ? [`syncBranch is empty: give a branch, or leave it out for ${leftOut}`]
        : [];
}

/** The source format, when given, must be one Config Sync knows. */
export function sourceFormatProblems(format: string | undefined): string[] {
    return format !== undefined && !(SOURCE_FORMATS as readonly string[]).includes(format)
        ? [`sourceFormat '${format}' must be one of ${SOURCE_FORMATS.join(", ")}`]
        : [];
}

/** Every problem with `args`, each naming the argument; empty when valid. */
export function validateConfigSyncArgs(args: ConfigSyncArgs): string[] {
    const problems: string[] = [];
    const git = args.git;
    if (!git.syncRepo) {
        problems.push(
            "git.syncRepo is empty: give the repository Config Sync applies to every cluster",
        );
    } else if (!GIT_URL.test(git.syncRepo)) {
        problems.push(
            `git.syncRepo '${git.syncRepo}' must be an https or ssh git URL (plain http and other schemes are refused)`,
        );
    }
    const secretType = git.secretType ?? DEFAULT_SECRET_TYPE;
    if (!(SECRET_TYPES as readonly string[]).includes(secretType)) {
        problems.push(`git.secretType '${secretType}' must be one of ${SECRET_TYPES.join(", ")}`);
    }
    for (const p of configSyncGitProblems(git)) problems.push(`git.${p.path} ${p.message}`);
    const branchLeftOut = `'${DEFAULT_SYNC_BRANCH}'`;
    problems.push(...syncBranchProblems(git.syncBranch, branchLeftOut).map((p) => `git.${p}`));
    problems.push(...policyDirProblems(git.policyDir).map((p) => `git.${p}`));
    problems.push(...sourceFormatProblems(args.sourceFormat));
    return problems;
}

/** The git source with every default settled: what each `ConfigSyncMember` starts from. */
export interface ConfigSyncSource {
    readonly syncRepo: string;
    readonly syncBranch: string;
    readonly policyDir: string;
    readonly secretType: SecretType;
    readonly gcpServiceAccountEmail?: string;
}

/**
 * Config Sync for the whole fleet: the `configmanagement` fleet feature, and the git source
 * every member syncs. The feature carries no fleet-level default member configuration: each
 * member (GKE, attached or edge) gets its own `ConfigSyncMember`, created after its membership.
 *
 * Why no fleet default: Google applies it only to GKE clusters on Google Cloud registered after
 * it is set, so attached clusters and edge sites would get nothing
 * (https://cloud.google.com/kubernetes-engine/config-sync/docs/how-to/install-fleet); and a GKE
 * membership that inherited it already has a spec, so a `gkehub.FeatureMembership` for it fails
 * on create with "Resource already exists - apply blocked by lifecycle params" (the provider
 * creates feature memberships with the DCL's BlockAcquire lifecycle:
 * hashicorp/terraform-provider-google google/tpgdclresource/dcl.go `CreateDirective`; issue
 * #21049). Removing the default from an existing feature is an in-place update (a PATCH with
 * `updateMask=fleetDefaultMemberConfig`, google/services/gkehub2/resource_gke_hub_feature.go)
 * that does not change existing membership configurations (`gcloud container fleet
 * config-management disable --fleet-default-member-config`).
 */
export class ConfigSync extends pulumi.ComponentResource {
    public readonly featureId: pulumi.Output<string>;
    /** The feature's name, for `ConfigSyncMember`. */
    public readonly featureName: pulumi.Output<string>;
    /** The git source every member syncs, with defaults settled, for `ConfigSyncMember`. */
    public readonly git: ConfigSyncSource;
    /** `unstructured` or `hierarchy`, for `ConfigSyncMember`. */
    public readonly sourceFormat: SourceFormat;
    /** Whether Config Sync reverts changes made outside git, for `ConfigSyncMember`. */
    public readonly preventDrift: boolean;
    /** Per-membership feature state, as the fleet reports it. */
    public readonly featureState: pulumi.Output<unknown>;

    constructor(name: string, args: ConfigSyncArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("ConfigSync", name, validateConfigSyncArgs(args));
        super("multicloud:gcp:ConfigSync", name, {}, opts);

        this.sourceFormat = args.sourceFormat ?? DEFAULT_SOURCE_FORMAT;
        this.preventDrift = args.preventDrift ?? DEFAULT_PREVENT_DRIFT;
        this.git = {
            syncRepo: args.git.syncRepo,
            syncBranch: args.git.syncBranch ?? DEFAULT_SYNC_BRANCH,
            policyDir: args.git.policyDir ?? DEFAULT_POLICY_DIR,
            secretType: args.git.secretType ?? DEFAULT_SECRET_TYPE,
            gcpServiceAccountEmail: args.git.gcpServiceAccountEmail,
        };

        // The feature alone: every member's configuration is its own FeatureMembership.
        const feature = new gcp.gkehub.Feature(
            name,
            { project: args.project, name: "configmanagement", location: "global" },
            { parent: this },
        );
        this.featureId = feature.id;
        this.featureName = feature.name;
        this.featureState = feature.resourceStates;
        this.registerOutputs({ featureId: this.featureId, featureState: this.featureState });
    }
}
