import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { GIT_URL } from "../formats";
import { throwIfInvalid } from "../validation";

export const SECRET_TYPES = [
    "none",
    "ssh",
    "cookiefile",
    "token",
    "gcenode",
    "gcpserviceaccount",
    "githubapp",
] as const;

export interface ConfigSyncGit {
    /** Repository URL, https or ssh. */
    readonly syncRepo: string;
    /** @default "main" */
    readonly syncBranch?: string;
    /** Folder of the repository to sync. @default "gitops/cluster" */
    readonly policyDir?: string;
    /** How Config Sync authenticates to the repository. @default "none" (a public repository) */
    readonly secretType?: (typeof SECRET_TYPES)[number];
    /** Google service account for `gcpserviceaccount` (Cloud Source Repositories, Secure Source Manager). */
    readonly gcpServiceAccountEmail?: string;
}

export interface ConfigSyncArgs {
    /** Fleet host project. */
    readonly project: string;
    readonly git: ConfigSyncGit;
    /** `unstructured` (plain manifests) or `hierarchy`. @default "unstructured" */
    readonly sourceFormat?: "unstructured" | "hierarchy";
    /** Revert changes made to synced objects outside git. @default true */
    readonly preventDrift?: boolean;
}

/** A sync folder must stay inside the repository. */
export function policyDirProblems(dir: string | undefined): string[] {
    return dir !== undefined && (dir.startsWith("/") || dir.split("/").includes(".."))
        ? [`policyDir '${dir}' must be a folder inside the repository (relative, no '..')`]
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
    const secretType = git.secretType ?? "none";
    if (!(SECRET_TYPES as readonly string[]).includes(secretType)) {
        problems.push(`git.secretType '${secretType}' must be one of ${SECRET_TYPES.join(", ")}`);
    }
    if (secretType === "ssh" && git.syncRepo.startsWith("https://")) {
        problems.push("git.secretType 'ssh' needs an ssh URL, but git.syncRepo is https");
    }
    if (secretType === "gcpserviceaccount" && !git.gcpServiceAccountEmail) {
        problems.push(
            "git.gcpServiceAccountEmail is required when git.secretType is 'gcpserviceaccount'",
        );
    }
    problems.push(...policyDirProblems(git.policyDir));
    return problems;
}

/**
 * Config Sync for the whole fleet: the `configmanagement` fleet feature with a fleet-level
 * default member configuration, so every cluster registered after it syncs the same git source
 * without a resource of its own. Register memberships after this component (fleet defaults
 * apply to clusters registered later); a cluster that needs another branch or folder gets a
 * `ConfigSyncOverride`.
 */
export class ConfigSync extends pulumi.ComponentResource {
    public readonly featureId: pulumi.Output<string>;
    /** The feature's name, for `ConfigSyncOverride`. */
    public readonly featureName: pulumi.Output<string>;
    /** The git source every member syncs, with defaults settled, for `ConfigSyncOverride`. */
    public readonly git: {
        readonly syncRepo: string;
        readonly syncBranch: string;
        readonly policyDir: string;
        readonly secretType: string;
        readonly gcpServiceAccountEmail?: string;
    };
    /** Per-membership feature state, as the fleet reports it. */
    public readonly featureState: pulumi.Output<unknown>;

    constructor(name: string, args: ConfigSyncArgs, opts?: pulumi.ComponentResourceOptions) {
        throwIfInvalid("ConfigSync", name, validateConfigSyncArgs(args));
        super("multicloud:gcp:ConfigSync", name, {}, opts);

        const sourceFormat = args.sourceFormat ?? "unstructured";
        const preventDrift = args.preventDrift ?? true;
        const git = {
            syncRepo: args.git.syncRepo,
            syncBranch: args.git.syncBranch ?? "main",
            policyDir: args.git.policyDir ?? "gitops/cluster",
            secretType: args.git.secretType ?? "none",
            gcpServiceAccountEmail: args.git.gcpServiceAccountEmail,
        };

        const feature = new gcp.gkehub.Feature(
            name,
            {
                project: args.project,
                name: "configmanagement",
                location: "global",
                fleetDefaultMemberConfig: {
                    configmanagement: {
                        management: "MANAGEMENT_AUTOMATIC",
                        // Set explicitly: left unset, Config Sync is installed but does not sync.
                        configSync: { enabled: true, sourceFormat, preventDrift, git },
                    },
                },
            },
            { parent: this },
        );
        this.featureId = feature.id;
        this.featureName = feature.name;
        this.git = git;
        this.featureState = feature.resourceStates;
        this.registerOutputs({ featureId: this.featureId, featureState: this.featureState });
    }
}
