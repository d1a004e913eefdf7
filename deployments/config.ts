/**
 * The config of the deployment settings program, and its validation against the main project.
 *
 * `parseDeploymentConfig` is pure apart from reading the main project's files. It takes the
 * raw config map Pulumi hands the program, plus the main project's folder. It returns the typed
 * config with every default settled, or throws one `ConfigError` listing every problem at once.
 * The problems it looks for:
 * - keys with bad values;
 * - a stack listed here with no stack file;
 * - a stack file not listed here;
 * - an OIDC block missing a field, or missing for a cloud the stack enables;
 * - a protected stack that deploys from the branch of an unprotected one;
 * - a protected stack that Pulumi Deployments would preview pull requests of (with its write
 *   identity);
 * - plain-text variables that look like secrets;
 * - the old single `previewTeam` key, a per-stack preview team name that Pulumi Cloud's OIDC
 *   policies would not match literally, a GitHub subject prefix of another repository, and a
 *   per-stack subject too long for Google Cloud.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { GUID } from "../components/formats";
import { boolean, ConfigError, describeIssue, namespaceValues, pathText } from "../config-issues";
import { readPolicyConfig, stackPolicyConfigPath } from "../policy/config";
import { listStacks, loadProject, loadStackSettings, PlanInputError } from "../lib/stack-files";
import { defaultGithubSubjectPrefix, previewSubject, previewTeamName } from "./permissions";
import { PREVIEW_PULL_REQUESTS_DEFAULT } from "./StackDeployment";

export { ConfigError };

/** The clouds the main program can enable, and the OIDC block each needs. */
export const CLOUDS = ["aws", "gcp", "azure"] as const;
export type Cloud = (typeof CLOUDS)[number];

/** A GUID (Entra ID tenant, client and subscription ids), as the main project checks it. */
const uuid = z.string().regex(GUID, {
    message: "must be a GUID such as 00000000-0000-0000-0000-000000000000",
});
/** "1h", "30m", "1h30m", "3600s": the format Pulumi Deployments takes for OIDC durations. */
const duration = z.string().regex(/^(?=\d)(\d+h)?(\d+m)?(\d+s)?$/, {
    message: 'must be a duration such as "1h", "45m" or "1h30m"',
});
const wifId = z.string().regex(/^[a-z0-9-]{4,32}$/, {
    message: "must be a workload identity pool or provider id: 4-32 lowercase letters, digits or -",
});

const AwsOidcSchema = z.strictObject({
    /** The role Deployments assumes with its OIDC token. */
    roleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, {
        message:
            "must be an IAM role ARN such as arn:aws:iam::123456789012:role/pulumi-deployments",
    }),
    /** Session name; Pulumi fills ${stack.name}, ${deployment.version} and the like. */
    sessionName: z
        .string()
        // STS takes [\w+=,.@-] only; Pulumi substitutes exactly these six placeholders and
        // passes anything else through (pulumi/docs, deployments/oidc/aws.md, "Session name").
        .regex(
            /^([\w+=,.@-]|\$\{(organization\.name|project\.name|stack\.name|operation|deployment\.version|deployment\.id)\})+$/,
            {
                message:
                    "must be letters, digits, +=,.@_- and Pulumi's placeholders ${organization.name}, ${project.name}, ${stack.name}, ${operation}, ${deployment.version}, ${deployment.id}",
            },
        )
        .default("pulumi-${stack.name}-${deployment.version}"),
    duration: duration.default("1h"),
});

const GcpOidcSchema = z.strictObject({
    /** The project NUMBER (not its id) that holds the workload identity pool. */
    projectNumber: z
        .preprocess((v) => (typeof v === "number" ? String(v) : v), z.string())
        .pipe(
            z.string().regex(/^\d{6,20}$/, {
                message:
                    "must be the project number (digits, `gcloud projects describe <id> --format='value(projectNumber)'`), not the project id",
            }),
        ),
    workloadPoolId: wifId,
    providerId: wifId,
    serviceAccount: z
        .string()
        .regex(
            /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/,
            {
                message:
                    "must be a service account email such as deployer@my-project.iam.gserviceaccount.com",
            },
        ),
    region: z.string().optional(),
    tokenLifetime: duration.default("1h"),
});

const AzureOidcSchema = z.strictObject({
    clientId: uuid,
    tenantId: uuid,
    subscriptionId: uuid,
});

const OidcSchema = z.strictObject({
    aws: AwsOidcSchema.optional(),
    gcp: GcpOidcSchema.optional(),
    azure: AzureOidcSchema.optional(),
});

/** Names of variables that hold credentials: those belong in a Pulumi ESC environment. */
const SECRET_NAME =
    /TOKEN|SECRET|PASSWORD|PASSWD|PRIVATE|CREDENTIAL|ACCESS_KEY|API_KEY|KUBECONFIG/i;
/** Values that are credentials whatever their name (AWS keys, PEM blocks, GitHub/Pulumi tokens). */
const SECRET_VALUE =
    /^(AKIA|ASIA)[A-Z0-9]{16}$|-----BEGIN|^gh[pousr]_[A-Za-z0-9]{20,}|^pul-[0-9a-f]{40}$/;

const StackSchema = z.strictObject({
    /** The git branch this stack deploys from. */
    branch: z.string().regex(/^(?!refs\/)[\w./-]+$/, {
        message: "must be a branch name such as main or production (without refs/heads/)",
    }),
    /** Deploy on every push to `branch` that touches the program. @default true */
    deployCommits: boolean().default(true),
    /**
     * Pulumi Deployments previews pull requests into `branch`, running their code with this
     * stack's OIDC (write) identities; refused on protected stacks, whose pull requests are
     * previewed in GitHub Actions with read-only identities (PREVIEW_PULL_REQUESTS_DEFAULT).
     * @default false
     */
    previewPullRequests: boolean().default(PREVIEW_PULL_REQUESTS_DEFAULT),
    /**
     * Protected: deploys only from its own branch (which no unprotected stack deploys from;
     * protect it in GitHub), and every update must pass the policy pack, enforced by a
     * preventative Pulumi Cloud policy group. @default false
     */
    protected: boolean().default(false),
    /** Deployment executor image; Pulumi's default image when unset. @default unset */
    executorImage: z
        .string()
        .regex(/^[\w./:@-]+$/)
        .optional(),
    /** Plain, non-secret environment variables for the deployment. @default {} */
    environment: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/), z.string()).default({}),
    /** Drift detection on a cron schedule. @default unset (none) */
    driftDetection: z
        .strictObject({
            schedule: z.string().regex(/^(\S+\s+){4}\S+$/, {
                message: 'must be a five-field cron expression such as "0 6 * * *"',
            }),
            autoRemediate: boolean().default(false),
        })
        .optional(),
    /**
     * The customer-managed runner pool (Pulumi Cloud: Settings, Workflow runner pools) that runs
     * this stack's deployments, for stacks whose Kubernetes API servers Pulumi-hosted runners
     * cannot reach (see docs/permissions.md#runners). @default unset: the organization's default
     * pool if it has one, else the Pulumi-hosted pool
     */
    agentPoolId: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, {
            message:
                "must be the pool's id (letters, digits, - and _, as in the pool's URL in Pulumi Cloud), not its name",
        })
        .refine((id) => !/^pul-/.test(id), {
            message:
                "looks like the pool's access token (pul-...), a secret the runners hold: give the pool's id instead, and rotate the token",
        })
        .optional(),
    /**
     * The stack's Kubernetes API servers (GKE control planes behind master authorized networks,
     * attached clusters, edge sites) are reachable from Pulumi-hosted runners, so no
     * `agentPoolId` is needed. @default false
     */
    hostedRunnersReachClusters: boolean().default(false),
    /** Short-lived cloud credentials: one block per cloud the stack enables. */
    oidc: OidcSchema,
});

export const DeploymentConfigSchema = z.strictObject({
    /** The Pulumi Cloud organization that owns the stacks. */
    organization: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, {
        message: "must be a Pulumi organization name",
    }),
    /** The GitHub repository, owner/name, reached through the Pulumi GitHub app. */
    repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, {
        message: "must be owner/name, such as acme/multicloud-fleet",
    }),
    /** The main project's folder, relative to the repository root. @default "." */
    projectDir: z
        .string()
        .regex(/^(\.|[\w.-]+(\/[\w.-]+)*)$/, {
            message: 'must be a relative folder without .. such as "." or "infra"',
        })
        .refine((d) => d === "." || !d.split("/").includes(".."), {
            message: 'must stay inside the repository (no "..")',
        })
        .default("."),
    /** Create the main project's stacks in Pulumi Cloud (false: they exist already). @default true */
    createStacks: boolean().default(true),
    /** Let pull-request workflows in `repository` exchange GitHub OIDC tokens for Pulumi tokens. @default true */
    githubActionsOidc: boolean().default(true),
    /**
     * The prefix of the Pulumi Cloud teams whose tokens pull-request previews get: one team per
     * stack, `<prefix>-<stack>` (previewTeamName), with `read` on that stack and nothing else.
     * The workflow asks for `scope: team:<prefix>-${{ matrix.stack }}`
     * (.github/workflows/pull-request.yml; tests check they agree). @default "<project>-pr-preview"
     */
    previewTeamPrefix: z
        .string()
        // Pulumi publishes no rule for team names; the name goes into the token scope
        // (`team:<name>`) and the API path (/api/orgs/<org>/teams/<name>). No '.': Pulumi Cloud's
        // OIDC policies read `*`, `?` and `.` in team scopes as wildcards ("Claim values and team
        // scopes support wildcards", pulumi/docs administration/guides/oidc-issuers/_index.md).
        .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/, {
            message:
                "must be a team name prefix: letters, digits, '_' and '-' (no '.', a wildcard in Pulumi Cloud's OIDC policies), at most 80 characters",
        })
        .optional(),
    /**
     * What GitHub's OIDC subject (`sub`) of this repository's jobs starts with, before
     * `:environment:<name>`. Repositories created (or renamed, or transferred) after GitHub's
     * immutable subject claims rollout put the owner's and the repository's numeric ids in it
     * (docs/delivery.md#from-an-empty-pulumi-organization-to-push-to-deploy says how to read
     * yours). The Pulumi Cloud issuer policies and every preview identity's trust
     * (deployments/permissions.ts) are written from it.
     * @default "repo:<repository>"
     */
    githubSubjectPrefix: z
        .string()
        .regex(/^repo:[A-Za-z0-9-]+(@\d+)?\/[A-Za-z0-9_.-]+(@\d+)?$/, {
            message:
                "must be the start of GitHub's OIDC subject, before ':environment:', such as repo:acme/multicloud-fleet or repo:acme@123456/multicloud-fleet@456789 (`gh api repos/<owner>/<repo>/actions/oidc/customization/sub`, or the sub of a token of the repository: docs/delivery.md#from-an-empty-pulumi-organization-to-push-to-deploy)",
        })
        .optional(),
    stacks: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/), StackSchema),
});

export type StackDeploymentConfig = z.infer<typeof StackSchema>;
export type OidcConfig = z.infer<typeof OidcSchema>;

export interface DeploymentConfig extends Omit<
    z.infer<typeof DeploymentConfigSchema>,
    "stacks" | "previewTeamPrefix" | "githubSubjectPrefix"
> {
    readonly stacks: Readonly<Record<string, StackDeploymentConfig & StackFacts>>;
    /** The prefix of the per-stack preview teams, its default settled (defaultPreviewTeamPrefix). */
    readonly previewTeamPrefix: string;
    /** The start of the repository's GitHub OIDC subjects, its default settled (`repo:<repository>`). */
    readonly githubSubjectPrefix: string;
    /** The main project's name (from its Pulumi.yaml). */
    readonly project: string;
    /** The policy pack: its name and version (policy/package.json), and its folder. */
    readonly policyPack: { readonly name: string; readonly version: string; readonly dir: string };
    /** The pack config for protected stacks, per policy (policy/config/<stack>.json). */
    readonly protectedPolicyConfig: Readonly<Record<string, unknown>>;
}

/** The preview teams' prefix when `previewTeamPrefix` is unset. */
export function defaultPreviewTeamPrefix(project: string): string {
    return `${project}-pr-preview`;
}

/** A team name Pulumi Cloud's OIDC policies match literally: no wildcard character ('.', '*', '?'). */
const TEAM_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/** google.subject "Cannot exceed 127 bytes" (IAM API, WorkloadIdentityPoolProvider.attributeMapping). */
const GOOGLE_SUBJECT_MAX_BYTES = 127;

/**
 * Whether `segment` of an OIDC subject (`acme`, `acme@123456`, `acme-123456`) names `name`:
 * GitHub's immutable subjects append the numeric id to the name (with '@' in GitHub's OIDC
 * reference, with '-' in the 2026-04-23 changelog's example).
 */
function segmentNames(segment: string, name: string): boolean {
    const s = segment.toLowerCase();
    const n = name.toLowerCase();
    return s === n || (s.startsWith(n) && /^[@-]\d+$/.test(s.slice(n.length)));
}

/** What the main project's files say about a stack. */
export interface StackFacts {
    /** The clouds its stack file enables. */
    readonly clouds: readonly Cloud[];
}

/**
 * Validates the raw config (`pulumi.runtime.allConfig()`) of project `ns` against the main
 * project in `repoRoot`/`projectDir` and returns the typed config.
 */
export function parseDeploymentConfig(
    raw: Readonly<Record<string, string>>,
    ns: string,
    repoRoot: string,
): DeploymentConfig {
    const problems: string[] = [];
    const values = namespaceValues(raw, ns, problems);
    if ("previewTeam" in values) {
        // Renamed: one team that read every stack is now one team per stack.
        problems.push(
            `${ns}:previewTeam named one team with read on every stack; each stack now has its own team, <previewTeamPrefix>-<stack>, with read on that stack only: replace it with \`pulumi config rm previewTeam && pulumi config set previewTeamPrefix <prefix>\` (default <project>-pr-preview), and ask for \`scope: team:<prefix>-\${{ matrix.stack }}\` in .github/workflows/pull-request.yml; before that \`pulumi up\`, create and protect the GitHub environments pr-preview-<stack> (required reviewers on protected stacks: a job naming a missing environment creates it unprotected) and re-create the AWS, Google and Azure preview trusts on their subjects (docs/delivery.md#from-an-empty-pulumi-organization-to-push-to-deploy, step 3)`,
        );
        delete values.previewTeam;
    }
    const parsed = DeploymentConfigSchema.safeParse(values, { reportInput: true });
    if (!parsed.success) {
        problems.push(
            ...parsed.error.issues.flatMap((i) => describeIssue(i, ns, DeploymentConfigSchema)),
        );
        throw new ConfigError(problems);
    }
    const data = parsed.data;
    const projectDir = path.resolve(repoRoot, data.projectDir);
    let project;
    try {
        project = loadProject(projectDir);
    } catch (e) {
        if (!(e instanceof PlanInputError)) throw e;
        throw new ConfigError([
            ...problems,
            `${ns}:projectDir '${data.projectDir}' holds no Pulumi project (${e.message}): set it to the folder of the main Pulumi.yaml, relative to the repository root`,
        ]);
    }
    const existing = listStacks(project);
    const stacks: Record<string, StackDeploymentConfig & StackFacts> = {};
    for (const [stack, settings] of Object.entries(data.stacks)) {
        const key = `${ns}:${pathText(["stacks", stack])}`;
        if (!existing.includes(stack)) {
            problems.push(
                `${key} names a stack without a stack file (${path.join(data.projectDir, `Pulumi.${stack}.yaml`)} does not exist; stacks: ${existing.join(", ") || "none"}): create the stack file, or remove it with \`pulumi config rm --path stacks.${stack}\``,
            );
            continue;
        }
        const clouds = enabledClouds(project, stack);
        const unreachable = privateApiServers(project, stack);
        if (
            unreachable.length > 0 &&
            settings.agentPoolId === undefined &&
            !settings.hostedRunnersReachClusters
        ) {
            problems.push(
                `${key}.agentPoolId is required: Pulumi.${stack}.yaml has Kubernetes API servers that Pulumi-hosted runners cannot reach (${unreachable.join("; ")}), and the deployment talks to each of them; run it on a customer-managed runner pool inside those networks with \`pulumi config set --path stacks.${stack}.agentPoolId <pool id>\`, or, if they do admit the hosted runners, \`pulumi config set --path stacks.${stack}.hostedRunnersReachClusters true\` (docs/permissions.md#runners)`,
            );
        }
        for (const cloud of clouds) {
            if (settings.oidc[cloud] === undefined) {
                problems.push(
                    `${key}.oidc.${cloud} is required: Pulumi.${stack}.yaml enables ${cloud}, and Deployments would have no ${cloud} credentials; set it with \`pulumi config set --path stacks.${stack}.oidc.${cloud}.<field> <value>\` (see docs/delivery.md#from-an-empty-pulumi-organization-to-push-to-deploy)`,
                );
            }
        }
        if (settings.protected && settings.previewPullRequests) {
            problems.push(
                `${key}.previewPullRequests is true on a protected stack: Pulumi Deployments would run each pull request's code in a preview with the stack's write identities (a deployment's OIDC token always carries scope:write, and a stack has one OIDC configuration for every operation); remove it with \`pulumi config rm --path stacks.${stack}.previewPullRequests\`: pull requests preview ${stack} in GitHub Actions with read-only identities (.github/workflows/pull-request.yml, docs/permissions.md#pull-request-previews)`,
            );
        }
        for (const [name, value] of Object.entries(settings.environment)) {
            if (SECRET_NAME.test(name) || SECRET_VALUE.test(value)) {
                problems.push(
                    `${key}.environment.${name} looks like a credential, and deployment environment variables are stored in plain text: remove it with \`pulumi config rm --path stacks.${stack}.environment.${name}\` and give the deployment a Pulumi ESC environment or OIDC instead`,
                );
            }
        }
        stacks[stack] = { ...settings, clouds };
    }
    for (const stack of existing.filter((s) => !(s in data.stacks))) {
        problems.push(
            `${ns}:stacks has no entry for stack '${stack}' (Pulumi.${stack}.yaml exists), so it would get no deployment settings: add \`stacks.${stack}\` (deployCommits: false keeps it manual)`,
        );
    }
    // A push to an unprotected stack's branch must never deploy a protected one.
    const unprotectedBranches = new Map(
        Object.entries(data.stacks)
            .filter(([, s]) => !s.protected)
            .map(([name, s]) => [s.branch, name]),
    );
    for (const [stack, s] of Object.entries(data.stacks).filter(([, s]) => s.protected)) {
        const other = unprotectedBranches.get(s.branch);
        if (other !== undefined) {
            problems.push(
                `${ns}:stacks.${stack}.branch '${s.branch}' is also the branch of unprotected stack '${other}': a protected stack deploys only from its own protected branch; set it with \`pulumi config set --path stacks.${stack}.branch production\``,
            );
        }
    }
    const protectedStacks = Object.keys(data.stacks).filter(
        (s) => data.stacks[s].protected && existing.includes(s),
    );
    const policyDir = path.join(projectDir, "policy");
    const packageFile = path.join(policyDir, "package.json");
    let policyPack = { name: "", version: "", dir: policyDir };
    let protectedPolicyConfig: Record<string, unknown> = {};
    if (protectedStacks.length > 0) {
        if (
            !fs.existsSync(path.join(policyDir, "PulumiPolicy.yaml")) ||
            !fs.existsSync(packageFile)
        ) {
            problems.push(
                `${ns}:stacks: protected stacks (${protectedStacks.join(", ")}) need the policy pack, and ${policyDir} has no PulumiPolicy.yaml and package.json`,
            );
        } else {
            const pkg = JSON.parse(fs.readFileSync(packageFile, "utf8")) as { version?: string };
            policyPack = { name: packName(policyDir), version: pkg.version ?? "", dir: policyDir };
            // One policy group applies one config: protected stacks must agree on it.
            const configs = protectedStacks.map((s) => {
                const file = stackPolicyConfigPath(projectDir, s);
                return fs.existsSync(file) ? readPolicyConfig(file) : {};
            });
            const differ = configs.findIndex(
                (c) => JSON.stringify(c) !== JSON.stringify(configs[0]),
            );
            if (differ >= 0) {
                problems.push(
                    `${ns}:stacks: protected stacks ${protectedStacks[0]} and ${protectedStacks[differ]} have different policy configs (policy/config/<stack>.json), and one policy group applies one config: make them the same`,
                );
            }
            protectedPolicyConfig = configs[0];
        }
    }
    // Pull-request previews: one team and one subject per stack, each usable as written.
    const previewTeamPrefix = data.previewTeamPrefix ?? defaultPreviewTeamPrefix(project.name);
    const githubSubjectPrefix =
        data.githubSubjectPrefix ?? defaultGithubSubjectPrefix(data.repository);
    if (data.githubActionsOidc) {
        problems.push(
            ...pullRequestPreviewProblems(
                ns,
                data.repository,
                data.githubSubjectPrefix,
                previewTeamPrefix,
                Object.keys(stacks),
            ),
        );
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return {
        ...data,
        stacks,
        project: project.name,
        previewTeamPrefix,
        githubSubjectPrefix,
        policyPack,
        protectedPolicyConfig,
    };
}

/**
 * What would make the per-stack pull-request preview names unusable, given the repository, the
 * configured subject prefix (undefined: the default, `repo:<repository>`), the settled team
 * prefix and the stacks:
 * - a subject prefix that does not name the repository's owner and name (each may carry its
 *   numeric id): most likely another repository's, copied;
 * - a team, `<prefix>-<stack>`, that Pulumi Cloud's OIDC policies would not match literally
 *   ('.', '*' and '?' are wildcards there) or longer than 100 characters;
 * - a subject longer than Google Cloud keeps (google.subject: 127 bytes).
 */
export function pullRequestPreviewProblems(
    ns: string,
    repository: string,
    githubSubjectPrefix: string | undefined,
    previewTeamPrefix: string,
    stacks: readonly string[],
): string[] {
    const problems: string[] = [];
    const prefix = githubSubjectPrefix ?? defaultGithubSubjectPrefix(repository);
    const [owner, repo] = repository.split("/");
    const [subjectOwner = "", subjectRepo = ""] = prefix.slice("repo:".length).split("/");
    if (!(segmentNames(subjectOwner, owner) && segmentNames(subjectRepo, repo))) {
        problems.push(
            `${ns}:githubSubjectPrefix '${prefix}' is not a subject of repository '${repository}' (it names the owner and the repository, each perhaps with its numeric id): read this repository's with \`gh api repos/${repository}/actions/oidc/customization/sub\` or from a token's sub (docs/delivery.md#from-an-empty-pulumi-organization-to-push-to-deploy), and set it with \`pulumi config set githubSubjectPrefix <prefix>\``,
        );
    }
    for (const stack of stacks) {
        const team = previewTeamName(previewTeamPrefix, stack);
        if (!TEAM_NAME.test(team)) {
            problems.push(
                `${ns}:stacks.${stack}: its pull-request preview team '${team}' (<previewTeamPrefix>-<stack>) must be letters, digits, '_' and '-', at most 100 characters ('.' is a wildcard in Pulumi Cloud's OIDC policies): set a shorter prefix with \`pulumi config set previewTeamPrefix <prefix>\`, or rename the stack`,
            );
        }
        const subject = previewSubject(prefix, stack);
        if (Buffer.byteLength(subject) > GOOGLE_SUBJECT_MAX_BYTES) {
            problems.push(
                `${ns}:stacks.${stack}: its pull-request preview subject '${subject}' is longer than the ${GOOGLE_SUBJECT_MAX_BYTES} bytes Google Cloud keeps of a subject (google.subject), so no workload identity binding could name it: use a shorter stack name`,
            );
        }
    }
    return problems;
}

/** The clouds a stack enables, read the way the main program reads its config. */
function enabledClouds(project: ReturnType<typeof loadProject>, stack: string): Cloud[] {
    const config = loadStackSettings(project, stack).config;
    return CLOUDS.filter((cloud) => {
        const text = config[`${project.name}:${cloud}`];
        if (text === undefined) return false;
        try {
            const enabled = (JSON.parse(text) as { enabled?: unknown }).enabled;
            return enabled === true || enabled === "true";
        } catch {
            return false;
        }
    });
}

/**
 * The Kubernetes API servers of a stack that Pulumi-hosted runners cannot reach, as the stack
 * file describes them, each with the reason:
 * - every GKE cluster: the program always sets `masterAuthorizedNetworksConfig`, and with it the
 *   public endpoint admits only the listed ranges (none when the list is empty: "Omit the nested
 *   cidr_blocks attribute to disallow external access", hashicorp/terraform-provider-google,
 *   google_container_cluster), unless a range is 0.0.0.0/0; the runners' addresses are not
 *   published, so they are in no narrower range;
 * - every attached cluster and every edge site: the program applies manifests or a Helm release
 *   through its kubeconfig, and these API servers sit on private networks.
 * Sites and clusters defined outside the stack file (a Pulumi ESC environment) are not seen.
 */
export function privateApiServers(
    project: ReturnType<typeof loadProject>,
    stack: string,
): string[] {
    const config = loadStackSettings(project, stack).config;
    const section = (name: string): Record<string, unknown> => {
        const text = config[`${project.name}:${name}`];
        if (text === undefined) return {};
        try {
            const value = JSON.parse(text) as unknown;
            return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
        } catch {
            return {};
        }
    };
    const list = (value: unknown): Record<string, unknown>[] =>
        Array.isArray(value)
            ? value.filter((v): v is Record<string, unknown> => !!v && typeof v === "object")
            : [];
    const isOn = (v: unknown) => v === true || v === "true";
    const reasons: string[] = [];
    const gcp = section("gcp");
    if (isOn(gcp.enabled)) {
        for (const cluster of list(gcp.clusters)) {
            const cidrs = list(cluster.masterAuthorizedNetworks).map((n) => String(n.cidrBlock));
            if (!cidrs.includes("0.0.0.0/0")) {
                reasons.push(
                    `GKE cluster '${String(cluster.name)}' admits only ${cidrs.length > 0 ? cidrs.join(", ") : "no external range"} (masterAuthorizedNetworks)`,
                );
            }
        }
        const attached = list(gcp.attachedClusters).map((c) => String(c.name));
        if (attached.length > 0) reasons.push(`attached clusters ${attached.join(", ")}`);
    }
    const sites = list(section("edge").sites).map((s) => String(s.name));
    if (sites.length > 0) reasons.push(`edge sites ${sites.join(", ")}`);
    return reasons;
}

/** The pack's name, as its index.ts declares it (`new PolicyPack("<name>", ...)`). */
function packName(policyDir: string): string {
    const source = fs.readFileSync(path.join(policyDir, "index.ts"), "utf8");
    return /new PolicyPack\(\s*"([^"]+)"/.exec(source)?.[1] ?? path.basename(policyDir);
}
