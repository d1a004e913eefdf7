/**
 * Pulumi Deployments for one stack of the main project: where its code comes from, when it
 * deploys, how it installs, and the short-lived cloud credentials it gets.
 */
import * as pulumi from "@pulumi/pulumi";
import * as service from "@pulumi/pulumiservice";
import { throwIfInvalid } from "../components/validation";
import type { Cloud, OidcConfig } from "./config";

export interface StackDeploymentArgs {
    /** Pulumi Cloud organization. */
    readonly organization: string;
    /** The main project's name. */
    readonly project: string;
    /** The stack's name. */
    readonly stack: string;
    /** GitHub repository, owner/name. */
    readonly repository: string;
    /** The main project's folder, relative to the repository root. @default "." */
    readonly projectDir?: string;
    /** The branch the stack deploys from. */
    readonly branch: string;
    /** Every stack of the project: a change to another stack's file does not deploy this one. */
    readonly allStacks: readonly string[];
    /** `pulumi up` on every push to `branch` that touches the program. @default true */
    readonly deployCommits?: boolean;
    /**
     * `pulumi preview` by Pulumi Deployments on pull requests into `branch`. Such a preview runs
     * the pull request's code with the stack's OIDC identities, which are write identities: see
     * PREVIEW_PULL_REQUESTS_DEFAULT. @default false
     */
    readonly previewPullRequests?: boolean;
    /** The clouds the stack enables: each needs its OIDC block. */
    readonly clouds: readonly Cloud[];
    /** OIDC settings per cloud. */
    readonly oidc: OidcConfig;
    /** Plain, non-secret environment variables. @default {} */
    readonly environment?: Readonly<Record<string, string>>;
    /** Executor image. @default Pulumi's default image */
    readonly executorImage?: string;
    /** Drift detection schedule (cron) and whether it remediates. @default none */
    readonly driftDetection?: { readonly schedule: string; readonly autoRemediate: boolean };
    /**
     * The customer-managed runner pool that runs the stack's deployments (and its drift runs),
     * for Kubernetes API servers that Pulumi-hosted runners cannot reach.
     * @default unset: the organization's default pool, else the Pulumi-hosted pool
     */
    readonly agentPoolId?: string;
}

/**
 * What never needs a deployment: the GitOps tree (Config Sync and Flux pull it from git
 * themselves), docs, tests, the offline plan, the policy pack (published by this program), this
 * program, and CI workflows.
 */
export const NOT_DEPLOYED = [
    "gitops/**",
    "**/*.md",
    "tests/**",
    "plan/**",
    "tools/**",
    "policy/**",
    "deployments/**",
    ".github/**",
    ".ci/**",
] as const;

/**
 * Path filters (Pulumi Deployments semantics: a push deploys when a changed file matches an
 * include and no exclude; `!` marks an exclude): everything in the project except what never
 * needs a deployment and the other stacks' files. So a change to `app/` rebuilds and rolls out
 * the image on every stack, a change to `gitops/` alone deploys nothing, and a change to
 * Pulumi.prod.yaml deploys prod only.
 */
export function pathFilters(
    projectDir: string,
    stack: string,
    allStacks: readonly string[],
): string[] {
    const at = (p: string) => (projectDir === "." ? p : `${projectDir}/${p}`);
    return [
        at("**"),
        ...NOT_DEPLOYED.map((p) => `!${at(p)}`),
        ...allStacks.filter((s) => s !== stack).map((s) => `!${at(`Pulumi.${s}.yaml`)}`),
    ];
}

/**
 * Whether Pulumi Deployments previews pull requests, unless a stack says otherwise: no. A
 * deployment's OIDC token always carries `scope:write`, its subject differs only in
 * `operation:preview` ("scope: The scope of the OIDC token. Always `write`", pulumi/docs
 * content/docs/deployments/deployments/oidc/_index.md), and DeploymentSettings takes one OIDC
 * configuration for every operation (`operationContext.oidc`, @pulumi/pulumiservice 1.3.0
 * types/input.d.ts: no per-operation or preview-only credentials). So a Deployments preview of
 * a pull request runs the pull request's code with the identity that deploys the stack. Pull
 * requests are previewed in GitHub Actions instead, with read-only identities
 * (.github/workflows/pull-request.yml, docs/permissions.md#pull-request-previews).
 */
export const PREVIEW_PULL_REQUESTS_DEFAULT = false;

/** Commands run before every deployment; dependency installation is ours, not the default. */
export const PRE_RUN_COMMANDS = [
    // Exactly what package-lock.json pins (the default step would run `npm install`).
    "npm ci --no-audit --no-fund",
    // The GitOps render must match the release Pulumi applies, or the clouds would disagree.
    "npm run gitops -- --check",
] as const;

export class StackDeployment extends pulumi.ComponentResource {
    public readonly settings: service.DeploymentSettings;
    public readonly paths: string[];

    constructor(name: string, args: StackDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multicloud:pulumiservice:StackDeployment", name, {}, opts);
        const projectDir = args.projectDir ?? ".";
        const deployCommits = args.deployCommits ?? true;
        const previewPullRequests = args.previewPullRequests ?? PREVIEW_PULL_REQUESTS_DEFAULT;
        const environment = args.environment ?? {};
        throwIfInvalid("StackDeployment", name, validateStackDeploymentArgs(args));

        this.paths = pathFilters(projectDir, args.stack, args.allStacks);
        const { aws, gcp, azure } = args.oidc;
        this.settings = new service.DeploymentSettings(
            `${name}`,
            {
                organization: args.organization,
                project: args.project,
                stack: args.stack,
                sourceContext: {
                    git: { branch: args.branch, repoDir: projectDir },
                },
                // The `github` block, not `vcs`: with `vcs`, push-triggered deployments silently
                // stop (pulumi/pulumi-pulumiservice#754).
                github: {
                    repository: args.repository,
                    deployCommits,
                    previewPullRequests,
                    pullRequestTemplate: false,
                    paths: this.paths,
                },
                operationContext: {
                    preRunCommands: [...PRE_RUN_COMMANDS],
                    environmentVariables: {
                        // CI type-checks every commit; the deployment only transpiles.
                        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
                        // refresh, drift detection and destroy run the program, so the Grafana
                        // provider gets a fresh Entra ID token instead of the expired one in state
                        // (pulumi.com/docs/iac/operations/stack-management/run-program/).
                        PULUMI_RUN_PROGRAM: "true",
                        ...environment,
                    },
                    options: { skipInstallDependencies: true, skipIntermediateDeployments: true },
                    oidc: {
                        aws:
                            args.clouds.includes("aws") && aws
                                ? {
                                      roleARN: aws.roleArn,
                                      sessionName: aws.sessionName,
                                      duration: aws.duration,
                                  }
                                : undefined,
                        gcp:
                            args.clouds.includes("gcp") && gcp
                                ? {
                                      projectId: gcp.projectNumber,
                                      workloadPoolId: gcp.workloadPoolId,
                                      providerId: gcp.providerId,
                                      serviceAccount: gcp.serviceAccount,
                                      region: gcp.region,
                                      tokenLifetime: gcp.tokenLifetime,
                                  }
                                : undefined,
                        azure:
                            args.clouds.includes("azure") && azure
                                ? {
                                      clientId: azure.clientId,
                                      tenantId: azure.tenantId,
                                      subscriptionId: azure.subscriptionId,
                                  }
                                : undefined,
                    },
                },
                // Unset: the organization's default runner pool, else the Pulumi-hosted one.
                agentPoolId: args.agentPoolId,
                executorContext: args.executorImage
                    ? { executorImage: args.executorImage }
                    : undefined,
                cacheOptions: { enable: true },
            },
            // What the component waits for (its stack in Pulumi Cloud), its settings wait for.
            { parent: this, dependsOn: opts?.dependsOn },
        );
        if (args.driftDetection) {
            new service.DriftSchedule(
                `${name}-drift`,
                {
                    organization: args.organization,
                    project: args.project,
                    stack: args.stack,
                    scheduleCron: args.driftDetection.schedule,
                    autoRemediate: args.driftDetection.autoRemediate,
                },
                // Drift runs use the deployment settings: they must exist first.
                { parent: this, dependsOn: [this.settings] },
            );
        }
        this.registerOutputs({ settings: this.settings, paths: this.paths });
    }
}

/** Every problem with the args, before any resource is created. */
export function validateStackDeploymentArgs(args: StackDeploymentArgs): string[] {
    const problems: string[] = [];
    for (const cloud of args.clouds) {
        if (!args.oidc[cloud]) {
            problems.push(
                `oidc.${cloud} is required: the stack enables ${cloud}, and the deployment would have no ${cloud} credentials`,
            );
        }
    }
    if (!args.allStacks.includes(args.stack)) {
        problems.push(`allStacks must include the stack itself ('${args.stack}')`);
    }
    if (!/^[\w./-]+$/.test(args.branch) || args.branch.startsWith("refs/")) {
        problems.push(
            `branch '${args.branch}' must be a branch name such as main (without refs/heads/)`,
        );
    }
    if (args.agentPoolId !== undefined) {
        if (/^pul-/.test(args.agentPoolId)) {
            problems.push(
                "agentPoolId looks like a runner pool's access token (pul-...), a secret: give the pool's id",
            );
        } else if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(args.agentPoolId)) {
            problems.push(
                `agentPoolId '${args.agentPoolId}' must be a runner pool's id: letters, digits, - and _`,
            );
        }
    }
    return problems;
}
