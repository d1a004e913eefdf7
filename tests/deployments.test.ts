/**
 * The deployment settings program (deployments/), planned under the recording mocks like the
 * main program: every stack of the main project gets Pulumi Deployments settings with its git
 * source, push-to-deploy path filters, `npm ci`, and complete OIDC blocks for each cloud it
 * enables; protected stacks get the policy pack through a preventative policy group; nothing
 * secret is stored; and bad config is refused before any resource, every problem at once.
 */
import * as fs from "fs";
import * as path from "path";
import { YAMLMap, parse as parseYaml, parseDocument } from "yaml";
import type { RecordedResource } from "../plan/mocks";
import type { PlanResult } from "../plan/run";
import { expandPolicyConfig, readPolicyConfig } from "../policy/config";
import {
    NOT_DEPLOYED,
    pathFilters,
    validateStackDeploymentArgs,
} from "../deployments/StackDeployment";
import {
    committedDeploymentConfig,
    expectedPermissionsDoc,
    PERMISSIONS_DOC,
} from "../deployments/permissions-doc";
import {
    defaultPreviewTeamPrefix,
    privateApiServers,
    pullRequestPreviewProblems,
} from "../deployments/config";
import {
    AWS_SERVICE_OF,
    AZURE_ASSIGNABLE_ROLES,
    AZURE_DEPLOYER_ROLES,
    CLOUD_OF_PACKAGE,
    DEPLOYER_GRANTS,
    GCP_GRANTABLE_PROJECT_ROLES,
    GITHUB_OIDC_AUDIENCE,
    PREVIEW_CALLS,
    PREVIEW_ENVIRONMENT_PREFIX,
    awsDeployerPolicy,
    awsPreviewPolicy,
    awsPreviewTrustPolicy,
    azureRoleAssignmentCondition,
    gcpGrantCondition,
    gcpPreviewRolePermissions,
    gcpPreviewProviderCondition,
    grantsFor,
    previewNeeds,
    previewSubject,
    previewTeamName,
} from "../deployments/permissions";
import { loadProject } from "../lib/stack-files";
import { created, ofType, one, planStack, PROJECT_DIR } from "./harness";

const DEPLOY_DIR = path.join(PROJECT_DIR, "deployments");
const NS = "multicloud-deployments";
const T = {
    settings: "pulumiservice:index:DeploymentSettings",
    stack: "pulumiservice:index:Stack",
    pack: "pulumiservice:index:PolicyPack",
    group: "pulumiservice:index:PolicyGroup",
    issuer: "pulumiservice:index:OidcIssuer",
    drift: "pulumiservice:index:DriftSchedule",
    team: "pulumiservice:index:Team",
    teamStack: "pulumiservice:index:TeamStackPermission",
};

/** The main project's stacks, from the stack files that exist. */
const MAIN_STACKS = fs
    .readdirSync(PROJECT_DIR)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();

const planSettings = (overrides: Record<string, unknown> = {}) =>
    planStack("settings", overrides, { projectDir: DEPLOY_DIR });

/** The main stack file's config section of a cloud, as written. */
function stackSection(stack: string, cloud: string): Record<string, unknown> {
    const doc = parseDocument(
        fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8"),
    );
    const config = doc.get("config") as YAMLMap;
    const section = config.get(`multicloud:${cloud}`) as YAMLMap | undefined;
    return (section?.toJSON() as Record<string, unknown>) ?? {};
}

/** Every string inside `value`, with its path. */
function strings(value: unknown, at = ""): [string, string][] {
    if (typeof value === "string") return [[at, value]];
    if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
    if (value && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => strings(v, at ? `${at}.${k}` : k));
    }
    return [];
}

/** Inputs that would store a credential in Pulumi Cloud: by field name or by the look of the value. */
function plaintextSecrets(resources: readonly RecordedResource[]): string[] {
    const field = /(token|password|secret|privatekey|accesskey|credentials?)$/i;
    const value =
        /-----BEGIN|^(AKIA|ASIA)[A-Z0-9]{16}$|^gh[pousr]_[A-Za-z0-9]{20,}|^pul-[0-9a-f]{40}$/;
    return resources.flatMap((r) =>
        strings(r.inputs)
            .filter(
                ([p, v]) =>
                    field.test(p.split(".").pop() ?? "") || value.test(v) || /gitAuth/.test(p),
            )
            .map(([p]) => `${r.type} ${r.name}: ${p}`),
    );
}

/** Pulumi Deployments' documented path-filter evaluation, with Node's glob matcher. */
function deploys(paths: readonly string[], changed: readonly string[]): boolean {
    const includes = paths.filter((p) => !p.startsWith("!"));
    const excludes = paths.filter((p) => p.startsWith("!")).map((p) => p.slice(1));
    return changed.some(
        (file) =>
            (includes.length === 0 || includes.some((g) => path.matchesGlob(file, g))) &&
            !excludes.some((g) => path.matchesGlob(file, g)),
    );
}

/** An allow policy of the GitHub OIDC issuer, as the program registers it. */
interface PulumiPolicy {
    decision: string;
    tokenType: string;
    teamName: string;
    rules: Record<string, string>;
}

/**
 * Pulumi Cloud's claim matching: "`*` — match zero or more characters, `?` — match zero or one
 * character, `.` — match exactly one character" (pulumi/docs
 * administration/guides/oidc-issuers/_index.md).
 */
function claimMatches(pattern: string, value: string): boolean {
    const re = pattern
        .split("")
        .map((c) =>
            c === "*"
                ? ".*"
                : c === "?"
                  ? ".?"
                  : c === "."
                    ? "."
                    : c.replace(/[\\^$+()[\]{}|/]/g, "\\$&"),
        )
        .join("");
    return new RegExp(`^${re}$`).test(value);
}

/** The teams whose tokens the issuer's allow policies hand to a token with `claims`. */
function allowedTeams(policies: readonly PulumiPolicy[], claims: Record<string, string>): string[] {
    return policies
        .filter(
            (p) =>
                p.decision === "allow" &&
                Object.entries(p.rules).every(
                    ([claim, pattern]) =>
                        claims[claim] !== undefined && claimMatches(pattern, claims[claim]),
                ),
        )
        .map((p) => p.teamName);
}

describe("deployment settings for every stack of the main project", () => {
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await planSettings();
        expect(plan.errors).toEqual([]);
    });

    it("plans one DeploymentSettings per stack file, each with its git source and GitHub block", () => {
        expect(MAIN_STACKS).toEqual(["dev", "prod"]);
        expect(
            ofType(plan, T.settings)
                .map((r) => r.inputs.stack)
                .sort(),
        ).toEqual(MAIN_STACKS);
        for (const stack of MAIN_STACKS) {
            const s = one(plan, T.settings, `deploy-${stack}`);
            expect(s.inputs).toMatchObject({
                organization: "acme",
                project: "multicloud",
                stack,
                sourceContext: {
                    git: { branch: stack === "prod" ? "production" : "main", repoDir: "." },
                },
                github: {
                    repository: "acme/multicloud-fleet",
                    deployCommits: true,
                    // Pull requests are previewed in GitHub Actions, read-only, not here.
                    previewPullRequests: false,
                    paths: pathFilters(".", stack, MAIN_STACKS),
                },
            });
            // The `vcs` block silently stops push-triggered deployments (pulumiservice#754).
            expect(s.inputs.vcs).toBeUndefined();
            // Its Pulumi Cloud stack exists first.
            expect(s.dependencies).toContain(one(plan, T.stack, `stack-${stack}`).urn);
        }
    });

    it("installs with npm ci, exactly as the lock file pins, instead of the default install", () => {
        for (const stack of MAIN_STACKS) {
            const context = one(plan, T.settings, `deploy-${stack}`).inputs.operationContext as {
                preRunCommands: string[];
                options: Record<string, unknown>;
                environmentVariables: Record<string, string>;
            };
            expect(context.preRunCommands[0]).toBe("npm ci --no-audit --no-fund");
            expect(context.preRunCommands).toContain("npm run gitops -- --check");
            expect(context.options).toMatchObject({ skipInstallDependencies: true });
            // PULUMI_RUN_PROGRAM: refresh and destroy fetch a fresh Grafana token.
            expect(context.environmentVariables).toEqual({
                PULUMI_NODEJS_TRANSPILE_ONLY: "true",
                PULUMI_RUN_PROGRAM: "true",
            });
        }
    });

    it("gives each stack complete OIDC blocks for the clouds its stack file enables", () => {
        for (const stack of MAIN_STACKS) {
            const oidc = (
                one(plan, T.settings, `deploy-${stack}`).inputs.operationContext as {
                    oidc: Record<string, Record<string, unknown>>;
                }
            ).oidc;
            const enabled = ["aws", "gcp", "azure"].filter(
                (c) => stackSection(stack, c).enabled === true,
            );
            expect(Object.keys(oidc).sort()).toEqual([...enabled].sort());
            const required = {
                aws: ["roleARN", "sessionName", "duration"],
                gcp: [
                    "projectId",
                    "workloadPoolId",
                    "providerId",
                    "serviceAccount",
                    "tokenLifetime",
                ],
                azure: ["clientId", "tenantId", "subscriptionId"],
            } as const;
            for (const cloud of enabled as (keyof typeof required)[]) {
                for (const field of required[cloud]) {
                    expect([stack, cloud, field, typeof oidc[cloud][field]]).toEqual([
                        stack,
                        cloud,
                        field,
                        "string",
                    ]);
                    expect(String(oidc[cloud][field])).not.toBe("");
                }
            }
            // Azure credentials target the subscription the stack deploys into.
            expect(oidc.azure.subscriptionId).toBe(stackSection(stack, "azure").subscriptionId);
            expect(oidc.aws.roleARN).toMatch(/^arn:aws:iam::\d{12}:role\//);
            expect(oidc.gcp.serviceAccount).toMatch(/\.iam\.gserviceaccount\.com$/);
        }
    });

    it("stores no plaintext secret anywhere: no token, key or password in any input", () => {
        expect(plaintextSecrets(created(plan))).toEqual([]);
        for (const r of created(plan)) expect([r.name, r.secretPaths]).toEqual([r.name, []]);
        // The provider authenticates as whoever runs the program: no token in its inputs.
        expect(
            one(plan, "pulumi:providers:pulumiservice", "pulumi-cloud").inputs.accessToken,
        ).toBeUndefined();
        // The scan is not vacuous: it catches each kind of credential.
        const fake = (inputs: Record<string, unknown>) =>
            ({ type: "t", name: "n", inputs }) as unknown as RecordedResource;
        expect(
            plaintextSecrets([
                fake({ sourceContext: { git: { gitAuth: { basicAuth: { username: "u" } } } } }),
                fake({ accessToken: "x" }),
                fake({ operationContext: { environmentVariables: { X: "AKIAABCDEFGHIJKLMNOP" } } }),
                fake({ note: "-----BEGIN OPENSSH PRIVATE KEY-----" }),
            ]),
        ).toHaveLength(4);
    });

    it("deploys prod only from its own branch, with the policy pack required by a preventative policy group", () => {
        const branches = Object.fromEntries(
            ofType(plan, T.settings).map((s) => [
                s.inputs.stack,
                (s.inputs.sourceContext as { git: { branch: string } }).git.branch,
            ]),
        );
        expect(branches.prod).not.toBe(branches.dev);
        const pkg = JSON.parse(
            fs.readFileSync(path.join(PROJECT_DIR, "policy", "package.json"), "utf8"),
        ) as {
            version: string;
        };
        expect(one(plan, T.pack, "policy-pack").inputs).toEqual({
            organization: "acme",
            name: "multicloud-fleet",
            versionTag: pkg.version,
            sourcePath: path.join("..", "policy"),
        });
        const group = one(plan, T.group, "protected-stacks");
        expect(group.inputs).toMatchObject({
            organizationName: "acme",
            name: "multicloud-protected",
            entityType: "stacks",
            mode: "preventative",
            stacks: [{ name: "prod", routingProject: "multicloud" }],
        });
        const packs = group.inputs.policyPacks as {
            name: string;
            versionTag: string;
            config: unknown;
        }[];
        expect(packs).toEqual([
            {
                name: "multicloud-fleet",
                versionTag: pkg.version,
                config: readPolicyConfig(path.join(PROJECT_DIR, "policy", "config", "prod.json")),
            },
        ]);
        // Every policy by name (the form policy groups take: no group names), mandatory but the
        // dashboard's service-account key, which prod's config keeps advisory (policy/README.md).
        const levels = Object.entries(
            packs[0].config as Record<string, { enforcementLevel: string }>,
        );
        expect(levels.filter(([, c]) => c.enforcementLevel !== "mandatory")).toEqual([
            ["gcp-service-account-key", { enforcementLevel: "advisory" }],
        ]);
        expect(levels.length).toBeGreaterThan(30);
        expect(group.dependencies).toContain(one(plan, T.stack, "stack-prod").urn);
        // Drift detection on prod, after its settings exist.
        const drift = one(plan, T.drift, "deploy-prod-drift");
        expect(drift.inputs).toMatchObject({
            stack: "prod",
            scheduleCron: "0 6 * * *",
            autoRemediate: false,
        });
        expect(drift.dependencies).toContain(one(plan, T.settings, "deploy-prod").urn);
    });

    /**
     * Team tokens, never organization ones: the OidcIssuer policy's `teamName` is "required when
     * tokenType is team" and `authorizedPermissions` is for organization tokens only
     * (pulumi/pulumi-pulumiservice v1.3.0 provider/pkg/cloud/spec.json); the auth action asks
     * for it with `scope: team:<name>` (pulumi/auth-actions v2.1.0 action.yml; pulumi/docs
     * administration/guides/oidc-issuers/github.md, "Team tokens"). A job that names an
     * environment gets the subject `repo:ORG-NAME/REPO-NAME:environment:ENVIRONMENT-NAME`
     * (GitHub's OpenID Connect reference, "Filtering for a specific environment").
     */
    it("hands each stack's team token to that stack's preview environment only, and nothing else to anyone", () => {
        const issuer = one(plan, T.issuer, "github-actions");
        expect(issuer.inputs).toMatchObject({
            url: "https://token.actions.githubusercontent.com",
            maxExpirationSeconds: 3600,
        });
        expect(issuer.inputs.policies).toEqual([
            {
                decision: "allow",
                tokenType: "team",
                teamName: "multicloud-pr-preview-dev",
                rules: {
                    aud: "urn:pulumi:org:acme",
                    sub: "repo:acme/multicloud-fleet:environment:pr-preview-dev",
                },
            },
            {
                decision: "allow",
                tokenType: "team",
                teamName: "multicloud-pr-preview-prod",
                rules: {
                    aud: "urn:pulumi:org:acme",
                    sub: "repo:acme/multicloud-fleet:environment:pr-preview-prod",
                },
            },
        ]);
        // Each stack's job matches its own stack's policy and no other (Pulumi's wildcard
        // matching, `.` included), and the old subject of environment-less jobs matches none.
        const policies = issuer.inputs.policies as PulumiPolicy[];
        for (const stack of MAIN_STACKS) {
            const claims = {
                aud: "urn:pulumi:org:acme",
                sub: `repo:acme/multicloud-fleet:environment:pr-preview-${stack}`,
            };
            expect(allowedTeams(policies, claims)).toEqual([`multicloud-pr-preview-${stack}`]);
        }
        for (const sub of [
            "repo:acme/multicloud-fleet:pull_request",
            "repo:acme/multicloud-fleet:ref:refs/heads/main",
            "repo:acme/multicloud-fleet:environment:production",
            "repo:acme/multicloud-fleet-fork:environment:pr-preview-prod",
        ]) {
            expect([sub, allowedTeams(policies, { aud: "urn:pulumi:org:acme", sub })]).toEqual([
                sub,
                [],
            ]);
        }
        // Nothing organization-wide, nothing admin, anywhere in the program.
        const text = JSON.stringify(created(plan).map((r) => r.inputs));
        expect(text).not.toMatch(/"tokenType":"(organization|personal|runner)"/);
        expect(text).not.toContain('"admin"');
        expect(ofType(plan, "pulumiservice:index:OrgAccessToken")).toEqual([]);
        expect(ofType(plan, "pulumiservice:index:TeamAccessToken")).toEqual([]);
        // The teams and their grants exist before the issuer hands out their tokens.
        for (const r of [...ofType(plan, T.team), ...ofType(plan, T.teamStack)]) {
            expect(issuer.dependencies).toContain(r.urn);
        }
        expect(plan.outputs.pullRequestPreviews).toEqual({
            dev: {
                environment: "pr-preview-dev",
                team: "multicloud-pr-preview-dev",
                subject: "repo:acme/multicloud-fleet:environment:pr-preview-dev",
            },
            prod: {
                environment: "pr-preview-prod",
                team: "multicloud-pr-preview-prod",
                subject: "repo:acme/multicloud-fleet:environment:pr-preview-prod",
            },
        });
    });

    /**
     * Read (101, "Grants read permissions to stack", @pulumi/pulumiservice 1.3.0
     * TeamStackPermissionScope) is all a preview needs: Pulumi's stack permissions give Read
     * "Preview stack changes" and "Decrypt secret configuration", and only Write "Update stack"
     * (pulumi/docs content/docs/administration/access-identity/stack-permissions.md; "Stack
     * Read: ... Allows for running previews", .../rbac/permission-sets.md). One team per stack:
     * a token that previews dev reads nothing of prod.
     */
    it("creates one preview team per stack, without members, with read on its own stack and nothing more", () => {
        expect(ofType(plan, T.team).map((t) => t.name)).toEqual(
            MAIN_STACKS.map((s) => `pr-preview-${s}`),
        );
        const grants = ofType(plan, T.teamStack);
        expect(grants.map((g) => [g.inputs.team, g.inputs.stack])).toEqual(
            MAIN_STACKS.map((s) => [`multicloud-pr-preview-${s}`, s]),
        );
        for (const stack of MAIN_STACKS) {
            const team = one(plan, T.team, `pr-preview-${stack}`);
            expect(team.inputs).toEqual({
                organizationName: "acme",
                teamType: "pulumi",
                name: `multicloud-pr-preview-${stack}`,
                displayName: `multicloud-pr-preview-${stack}`,
                description: `Pull-request previews of multicloud/${stack} from GitHub Actions (acme/multicloud-fleet, environment pr-preview-${stack}): read on ${stack} only. No members: only the OIDC issuer hands out its token.`,
                members: [],
            });
            const grant = one(plan, T.teamStack, `pr-preview-${stack}-read`);
            expect(grant.inputs).toEqual({
                organization: "acme",
                project: "multicloud",
                stack,
                team: `multicloud-pr-preview-${stack}`,
                permission: 101,
            });
            // After its stack and its team exist.
            expect(grant.dependencies).toContain(one(plan, T.stack, `stack-${stack}`).urn);
            expect(grant.dependencies).toContain(team.urn);
        }
    });

    /**
     * The workflow spells the team and the environment as patterns over `matrix.stack`; for
     * every stack they must be the team deployments/ creates and the environment whose subject
     * its policy trusts.
     */
    it("asks, in the pull-request workflow, for exactly each stack's team token, from each stack's environment", () => {
        const text = fs.readFileSync(
            path.join(PROJECT_DIR, ".github", "workflows", "pull-request.yml"),
            "utf8",
        );
        const job = (
            parseYaml(text) as {
                jobs: Record<
                    string,
                    {
                        environment?: unknown;
                        strategy?: { matrix?: { stack?: string[] } };
                        steps: { uses?: string; with?: Record<string, string> }[];
                    }
                >;
            }
        ).jobs.preview;
        const config = committedDeploymentConfig();
        expect(config.previewTeamPrefix).toBe(defaultPreviewTeamPrefix("multicloud"));
        const auth = job.steps.find((s) => s.uses?.startsWith("pulumi/auth-actions@"))!;
        expect(auth.with).toMatchObject({
            "requested-token-type": "urn:pulumi:token-type:access_token:team",
            scope: `team:${config.previewTeamPrefix}-\${{ matrix.stack }}`,
        });
        expect(job.environment).toBe(`${PREVIEW_ENVIRONMENT_PREFIX}\${{ matrix.stack }}`);
        const policies = one(plan, T.issuer, "github-actions").inputs.policies as PulumiPolicy[];
        const teams = ofType(plan, T.team).map((t) => t.inputs.name);
        for (const stack of job.strategy!.matrix!.stack!) {
            const team = auth
                .with!.scope.replace("${{ matrix.stack }}", stack)
                .slice("team:".length);
            const environment = String(job.environment).replace("${{ matrix.stack }}", stack);
            expect(team).toBe(previewTeamName(config.previewTeamPrefix, stack));
            expect(teams).toContain(team);
            // The subject GitHub gives that job is the one its team's policy trusts.
            const sub = `${config.githubSubjectPrefix}:environment:${environment}`;
            expect(sub).toBe(previewSubject(config.githubSubjectPrefix, stack));
            expect(allowedTeams(policies, { aud: "urn:pulumi:org:acme", sub })).toEqual([team]);
        }
    });

    it("keeps the main stacks in Pulumi Cloud when they leave this program", () => {
        for (const stack of MAIN_STACKS) {
            expect(one(plan, T.stack, `stack-${stack}`).inputs).toEqual({
                organizationName: "acme",
                projectName: "multicloud",
                stackName: stack,
            });
        }
    });
});

describe("path filters", () => {
    const filters = Object.fromEntries(
        MAIN_STACKS.map((s) => [s, pathFilters(".", s, MAIN_STACKS)]),
    );
    const deployed = (...changed: string[]) =>
        MAIN_STACKS.filter((s) => deploys(filters[s], changed));

    it("deploys every stack for a change to the program or the app, none for GitOps or docs alone", () => {
        expect(deployed("components/aws/AsgFleet.ts")).toEqual(MAIN_STACKS);
        expect(deployed("app/app.py")).toEqual(MAIN_STACKS); // a new image, rolled out everywhere
        expect(deployed("Pulumi.yaml")).toEqual(MAIN_STACKS);
        expect(deployed("package-lock.json")).toEqual(MAIN_STACKS);
        expect(deployed("gitops/cluster/namespaces.yaml")).toEqual([]); // Config Sync and Flux pull it
        expect(deployed("gitops/workload/app.yaml", "README.md", "app/README.md")).toEqual([]);
        expect(
            deployed("tests/plan/run.test.ts", "policy/policies/tls/aws-lb-listener-tls13.ts"),
        ).toEqual([]);
        // The commands beside the program (bench, policy config, the GitOps render) deploy
        // nothing; what the program imports (composition/, lib/, config/) deploys every stack.
        expect(deployed("tools/bench.ts", "plan/cli.ts")).toEqual([]);
        expect(deployed("composition/gcp.ts")).toEqual(MAIN_STACKS);
        expect(deployed("config/aws.ts")).toEqual(MAIN_STACKS);
        expect(deployed("deployments/index.ts", ".github/workflows/pull-request.yml")).toEqual([]);
    });

    it("deploys only the stack whose file changed", () => {
        expect(deployed("Pulumi.prod.yaml")).toEqual(["prod"]);
        expect(deployed("Pulumi.dev.yaml")).toEqual(["dev"]);
        expect(deployed("Pulumi.dev.yaml", "gitops/cluster/x.yaml")).toEqual(["dev"]);
    });

    it("are rooted at the project folder", () => {
        const nested = pathFilters("infra", "dev", ["dev", "prod"]);
        expect(nested[0]).toBe("infra/**");
        expect(nested).toContain("!infra/Pulumi.prod.yaml");
        expect(nested).toHaveLength(2 + NOT_DEPLOYED.length);
        expect(deploys(nested, ["infra/app/app.py"])).toBe(true);
        expect(deploys(nested, ["app/app.py"])).toBe(false);
    });
});

describe("bad deployment config", () => {
    const problemsOf = async (overrides: Record<string, unknown>) => {
        const plan = await planSettings(overrides);
        // Refused before any resource: nothing partial.
        expect(created(plan)).toEqual([]);
        expect(plan.errors).toHaveLength(1);
        return plan.errors[0];
    };

    it("refuses a stack without a stack file, and a stack file without settings, at once", async () => {
        const error = await problemsOf({
            "stacks.staging": { branch: "staging", oidc: {} },
            "stacks.prod": undefined,
        });
        expect(error).toContain("Invalid stack config (2 problems); nothing was created:");
        expect(error).toContain(
            `${NS}:stacks.staging names a stack without a stack file (Pulumi.staging.yaml does not exist; stacks: dev, prod): create the stack file, or remove it with \`pulumi config rm --path stacks.staging\``,
        );
        expect(error).toContain(
            `${NS}:stacks has no entry for stack 'prod' (Pulumi.prod.yaml exists), so it would get no deployment settings: add \`stacks.prod\` (deployCommits: false keeps it manual)`,
        );
    });

    it("names each missing OIDC field, and each missing block of an enabled cloud", async () => {
        const error = await problemsOf({
            "stacks.prod.oidc.gcp.serviceAccount": undefined,
            "stacks.prod.oidc.aws.roleArn": "pulumi-deployments",
            "stacks.dev.oidc.azure": undefined,
        });
        expect(error).toContain(
            `${NS}:stacks.prod.oidc.gcp.serviceAccount is required: fix it with \`pulumi config set --path stacks.prod.oidc.gcp.serviceAccount <value>\``,
        );
        expect(error).toContain(
            `${NS}:stacks.prod.oidc.aws.roleArn must be an IAM role ARN such as arn:aws:iam::123456789012:role/pulumi-deployments, got "pulumi-deployments"`,
        );
        // The schema passed for dev; the block is missing for a cloud its stack file enables.
        const again = await problemsOf({ "stacks.dev.oidc.azure": undefined });
        expect(again).toContain(
            `${NS}:stacks.dev.oidc.azure is required: Pulumi.dev.yaml enables azure, and Deployments would have no azure credentials`,
        );
    });

    it("refuses a protected stack on an unprotected stack's branch, and credentials in plain variables", async () => {
        const error = await problemsOf({
            "stacks.prod.branch": "main",
            "stacks.dev.environment": {
                GITHUB_TOKEN: "x",
                NOTE: "AKIAABCDEFGHIJKLMNOP",
                REGION: "eu",
            },
        });
        expect(error).toContain("(3 problems)");
        expect(error).toContain(
            `${NS}:stacks.prod.branch 'main' is also the branch of unprotected stack 'dev': a protected stack deploys only from its own protected branch`,
        );
        expect(error).toContain(
            `${NS}:stacks.dev.environment.GITHUB_TOKEN looks like a credential`,
        );
        expect(error).toContain(`${NS}:stacks.dev.environment.NOTE looks like a credential`);
    });

    // AWS RoleSessionName allows [\w+=,.@-] only; Pulumi substitutes six placeholders and
    // passes any other text through (pulumi/docs content/docs/deployments/deployments/oidc/aws.md).
    it("refuses an AWS session name with a placeholder Pulumi does not substitute", async () => {
        const error = await problemsOf({
            "stacks.dev.oidc.aws.sessionName": "multicloud-${stack}-${deployment.version}",
        });
        expect(error).toContain(
            `${NS}:stacks.dev.oidc.aws.sessionName must be letters, digits, +=,.@_- and Pulumi's placeholders`,
        );
        const fine = await planSettings({
            "stacks.dev.oidc.aws.sessionName": "${organization.name}-${operation}-${deployment.id}",
        });
        expect(fine.errors).toEqual([]);
    });

    it("refuses Deployments' pull-request previews of a protected stack, naming the key and the fix", async () => {
        const error = await problemsOf({ "stacks.prod.previewPullRequests": true });
        expect(error).toContain(
            `${NS}:stacks.prod.previewPullRequests is true on a protected stack: Pulumi Deployments would run each pull request's code in a preview with the stack's write identities (a deployment's OIDC token always carries scope:write, and a stack has one OIDC configuration for every operation); remove it with \`pulumi config rm --path stacks.prod.previewPullRequests\`: pull requests preview prod in GitHub Actions with read-only identities (.github/workflows/pull-request.yml, docs/permissions.md#pull-request-previews)`,
        );
    });

    it("lets an unprotected stack opt in to Deployments' pull-request previews", async () => {
        const plan = await planSettings({ "stacks.dev.previewPullRequests": true });
        expect(plan.errors).toEqual([]);
        expect(
            (one(plan, T.settings, "deploy-dev").inputs.github as Record<string, unknown>)
                .previewPullRequests,
        ).toBe(true);
        expect(
            (one(plan, T.settings, "deploy-prod").inputs.github as Record<string, unknown>)
                .previewPullRequests,
        ).toBe(false);
    });

    it("names the preview teams <project>-pr-preview-<stack> unless told, and refuses a malformed prefix", async () => {
        expect(defaultPreviewTeamPrefix("multicloud")).toBe("multicloud-pr-preview");
        const unset = await planSettings({ previewTeamPrefix: undefined });
        expect(unset.errors).toEqual([]);
        expect(one(unset, T.team, "pr-preview-prod").inputs.name).toBe(
            "multicloud-pr-preview-prod",
        );
        const other = await planSettings({ previewTeamPrefix: "ci-previews" });
        expect(other.errors).toEqual([]);
        expect(
            (one(other, T.issuer, "github-actions").inputs.policies as PulumiPolicy[]).map(
                (p) => p.teamName,
            ),
        ).toEqual(["ci-previews-dev", "ci-previews-prod"]);
        expect(one(other, T.teamStack, "pr-preview-prod-read").inputs.team).toBe(
            "ci-previews-prod",
        );
        const error = await problemsOf({ previewTeamPrefix: "team:admins" });
        expect(error).toContain(
            `${NS}:previewTeamPrefix must be a team name prefix: letters, digits, '_' and '-' (no '.', a wildcard in Pulumi Cloud's OIDC policies), at most 80 characters, got "team:admins"`,
        );
        // A dot would match any character in the issuer's team scope.
        expect(await problemsOf({ previewTeamPrefix: "ci.previews" })).toContain(
            `${NS}:previewTeamPrefix must be a team name prefix`,
        );
    });

    it("refuses the old single previewTeam key, naming the per-stack replacement", async () => {
        const error = await problemsOf({ previewTeam: "multicloud-pr-preview" });
        expect(error).toContain("(1 problem)");
        expect(error).toContain(
            `${NS}:previewTeam named one team with read on every stack; each stack now has its own team, <previewTeamPrefix>-<stack>, with read on that stack only: replace it with \`pulumi config rm previewTeam && pulumi config set previewTeamPrefix <prefix>\` (default <project>-pr-preview), and ask for \`scope: team:<prefix>-\${{ matrix.stack }}\` in .github/workflows/pull-request.yml; before that \`pulumi up\`, create and protect the GitHub environments pr-preview-<stack> (required reviewers on protected stacks: a job naming a missing environment creates it unprotected) and re-create the AWS, Google and Azure preview trusts on their subjects (docs/delivery.md#from-an-empty-pulumi-organization-to-push-to-deploy, step 3)`,
        );
    });

    /**
     * GitHub's OIDC reference ("Immutable subject claims") gives
     * `repo:OWNER@OWNER-ID/REPO@REPO-ID:...`; its changelog of 2026-04-23 shows
     * `repo:octocat-123456/my-repo-456789:...`. Both, and the name-only form, are accepted; the
     * prefix must name this repository, and reaches every policy and trust.
     */
    it("takes the GitHub subject prefix of a repository with immutable subjects, and refuses another repository's", async () => {
        const immutable = "repo:acme@123456/multicloud-fleet@456789";
        const plan = await planSettings({ githubSubjectPrefix: immutable });
        expect(plan.errors).toEqual([]);
        expect(
            (one(plan, T.issuer, "github-actions").inputs.policies as PulumiPolicy[]).map(
                (p) => p.rules.sub,
            ),
        ).toEqual([
            `${immutable}:environment:pr-preview-dev`,
            `${immutable}:environment:pr-preview-prod`,
        ]);
        const unset = await planSettings({ githubSubjectPrefix: undefined });
        expect(unset.errors).toEqual([]);
        expect(
            (one(unset, T.issuer, "github-actions").inputs.policies as PulumiPolicy[])[0].rules.sub,
        ).toBe("repo:acme/multicloud-fleet:environment:pr-preview-dev");
        expect(
            pullRequestPreviewProblems(
                NS,
                "acme/multicloud-fleet",
                "repo:acme-123456/multicloud-fleet-456789",
                "p",
                ["dev"],
            ),
        ).toEqual([]);
        expect(
            await problemsOf({ githubSubjectPrefix: "repo:other@1/multicloud-fleet@2" }),
        ).toContain(
            `${NS}:githubSubjectPrefix 'repo:other@1/multicloud-fleet@2' is not a subject of repository 'acme/multicloud-fleet' (it names the owner and the repository, each perhaps with its numeric id): read this repository's with \`gh api repos/acme/multicloud-fleet/actions/oidc/customization/sub\``,
        );
        // A whole subject, a wildcard or a trailing colon is not a prefix.
        for (const bad of [
            "repo:acme/multicloud-fleet:environment:pr-preview-prod",
            "repo:acme/*",
            "repo:acme/multicloud-fleet:",
            "acme/multicloud-fleet",
        ]) {
            expect(await problemsOf({ githubSubjectPrefix: bad })).toContain(
                `${NS}:githubSubjectPrefix must be the start of GitHub's OIDC subject, before ':environment:'`,
            );
        }
    });

    it("refuses per-stack preview names that Pulumi Cloud would read as wildcards or Google Cloud cannot keep", async () => {
        expect(
            pullRequestPreviewProblems(NS, "acme/x", undefined, "multicloud-pr-preview", [
                "dev",
                "eu.prod",
            ]),
        ).toEqual([
            `${NS}:stacks.eu.prod: its pull-request preview team 'multicloud-pr-preview-eu.prod' (<previewTeamPrefix>-<stack>) must be letters, digits, '_' and '-', at most 100 characters ('.' is a wildcard in Pulumi Cloud's OIDC policies): set a shorter prefix with \`pulumi config set previewTeamPrefix <prefix>\`, or rename the stack`,
        ]);
        // repo:acme/<92 x>:environment:pr-preview-dev is 129 bytes.
        const long = `acme/${"x".repeat(92)}`;
        const error = await problemsOf({ repository: long, githubSubjectPrefix: undefined });
        expect(error).toContain(
            `${NS}:stacks.dev: its pull-request preview subject 'repo:${long}:environment:pr-preview-dev' is longer than the 127 bytes Google Cloud keeps of a subject (google.subject), so no workload identity binding could name it: use a shorter stack name`,
        );
        expect(error).toContain("(2 problems)");
        // Not checked when pull requests get no Pulumi token.
        const off = await planSettings({ repository: long, githubActionsOidc: false });
        expect(off.errors).toEqual([]);
    });

    it("creates no team and no issuer without GitHub Actions OIDC", async () => {
        const plan = await planSettings({ githubActionsOidc: false });
        expect(plan.errors).toEqual([]);
        expect(ofType(plan, T.team)).toEqual([]);
        expect(ofType(plan, T.teamStack)).toEqual([]);
        expect(ofType(plan, T.issuer)).toEqual([]);
    });

    // The main project's GUID rule (components/formats.ts GUID), any case, as Entra ID prints it.
    it("checks Entra ID ids with the main project's GUID rule", async () => {
        const error = await problemsOf({ "stacks.dev.oidc.azure.tenantId": "not-a-guid" });
        expect(error).toContain(
            `${NS}:stacks.dev.oidc.azure.tenantId must be a GUID such as 00000000-0000-0000-0000-000000000000`,
        );
        const upper = await planSettings({
            "stacks.dev.oidc.azure.tenantId": "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE",
        });
        expect(upper.errors).toEqual([]);
    });

    it("refuses unknown keys with their known neighbours", async () => {
        const error = await problemsOf({ "stacks.dev.deployComits": true });
        expect(error).toContain(
            `${NS}:stacks.dev.deployComits is not a known setting (known here: branch, deployCommits, previewPullRequests, protected, executorImage, environment, driftDetection, agentPoolId, hostedRunnersReachClusters, oidc)`,
        );
    });
});

describe("StackDeployment arguments", () => {
    it("are checked before any resource", () => {
        expect(
            validateStackDeploymentArgs({
                organization: "acme",
                project: "multicloud",
                stack: "dev",
                repository: "acme/x",
                branch: "refs/heads/main",
                allStacks: ["prod"],
                clouds: ["aws", "gcp"],
                oidc: {},
            }),
        ).toEqual([
            "oidc.aws is required: the stack enables aws, and the deployment would have no aws credentials",
            "oidc.gcp is required: the stack enables gcp, and the deployment would have no gcp credentials",
            "allStacks must include the stack itself ('dev')",
            "branch 'refs/heads/main' must be a branch name such as main (without refs/heads/)",
        ]);
    });

    it("expand an empty policy config to nothing (the pack's own defaults)", () => {
        expect(expandPolicyConfig({}, "none")).toEqual({});
    });
});

/**
 * Runner pools. Pulumi-hosted runners reach only public endpoints, from unpublished addresses
 * (https://www.pulumi.com/docs/pulumi-cloud/deployments/customer-managed-agents/: customer-managed
 * agents exist "to manage infrastructure, even within your fully private VPCs"), and a stack
 * without a pool runs on the organization's default pool, else the hosted one
 * (https://www.pulumi.com/docs/deployments/concepts/settings/runner-pools/). The property is
 * `agentPoolId` on DeploymentSettings (@pulumi/pulumiservice 1.3.0, deploymentSettings.d.ts;
 * sent as `agentPoolID`, pulumi/pulumi-pulumiservice provider/pkg/resources/deployment_settings.go).
 */
describe("runner pools for API servers the hosted runners cannot reach", () => {
    const problemsOf = async (overrides: Record<string, unknown>) => {
        const plan = await planSettings(overrides);
        expect(created(plan)).toEqual([]);
        expect(plan.errors).toHaveLength(1);
        return plan.errors[0];
    };

    it("sends each stack's pool id as agentPoolId", async () => {
        const plan = await planSettings();
        expect(plan.errors).toEqual([]);
        expect(one(plan, T.settings, "deploy-dev").inputs.agentPoolId).toBe(
            "00000000-0000-0000-0000-00000000d001",
        );
        expect(one(plan, T.settings, "deploy-prod").inputs.agentPoolId).toBe(
            "00000000-0000-0000-0000-00000000f001",
        );
        expect(
            (plan.outputs.stacks as Record<string, { runnerPool: string }>).prod.runnerPool,
        ).toBe("00000000-0000-0000-0000-00000000f001");
    });

    it("finds the private API servers in the main stack files", () => {
        // google_container_cluster (hashicorp/terraform-provider-google): "Omit the nested
        // cidr_blocks attribute to disallow external access"; the program always sets the block.
        const project = loadProject(PROJECT_DIR);
        expect(privateApiServers(project, "dev")).toEqual([
            "GKE cluster 'dev-gke' admits only 203.0.113.0/24 (masterAuthorizedNetworks)",
        ]);
        expect(privateApiServers(project, "prod")).toEqual([
            "GKE cluster 'prod-eu' admits only 198.51.100.0/24 (masterAuthorizedNetworks)",
            "GKE cluster 'prod-us' admits only 198.51.100.0/24 (masterAuthorizedNetworks)",
            "edge sites store-0042, factory-eu-1",
        ]);
    });

    it("refuses a stack with private API servers and no pool, naming them and both fixes", async () => {
        const error = await problemsOf({ "stacks.prod.agentPoolId": undefined });
        expect(error).toContain(
            `${NS}:stacks.prod.agentPoolId is required: Pulumi.prod.yaml has Kubernetes API servers that Pulumi-hosted runners cannot reach (GKE cluster 'prod-eu' admits only 198.51.100.0/24 (masterAuthorizedNetworks); GKE cluster 'prod-us' admits only 198.51.100.0/24 (masterAuthorizedNetworks); edge sites store-0042, factory-eu-1)`,
        );
        expect(error).toContain("`pulumi config set --path stacks.prod.agentPoolId <pool id>`");
        expect(error).toContain(
            "`pulumi config set --path stacks.prod.hostedRunnersReachClusters true`",
        );
    });

    it("runs on the default pool when the operator states the hosted runners reach the clusters", async () => {
        const plan = await planSettings({
            "stacks.dev.agentPoolId": undefined,
            "stacks.dev.hostedRunnersReachClusters": true,
        });
        expect(plan.errors).toEqual([]);
        expect(one(plan, T.settings, "deploy-dev").inputs.agentPoolId).toBeUndefined();
    });

    it("refuses a pool token (a secret) or a name in place of the pool's id", async () => {
        const error = await problemsOf({
            "stacks.dev.agentPoolId": "pul-0123456789abcdef0123456789abcdef01234567",
            "stacks.prod.agentPoolId": "edge pool",
        });
        expect(error).toContain(
            `${NS}:stacks.dev.agentPoolId looks like the pool's access token (pul-...), a secret the runners hold: give the pool's id instead, and rotate the token`,
        );
        expect(error).toContain(
            `${NS}:stacks.prod.agentPoolId must be the pool's id (letters, digits, - and _, as in the pool's URL in Pulumi Cloud), not its name`,
        );
        const base = {
            organization: "acme",
            project: "multicloud",
            stack: "dev",
            repository: "acme/x",
            branch: "main",
            allStacks: ["dev"],
            clouds: [],
            oidc: {},
        } as const;
        expect(validateStackDeploymentArgs({ ...base, agentPoolId: "pul-abc" })).toEqual([
            "agentPoolId looks like a runner pool's access token (pul-...), a secret: give the pool's id",
        ]);
        expect(validateStackDeploymentArgs({ ...base, agentPoolId: "a pool" })).toEqual([
            "agentPoolId 'a pool' must be a runner pool's id: letters, digits, - and _",
        ]);
        expect(validateStackDeploymentArgs({ ...base, agentPoolId: "3f1c-pool_1" })).toEqual([]);
    });
});

/**
 * The deploying identity's permissions (deployments/permissions.ts, docs/permissions.md), checked
 * against what both committed stacks really plan: every cloud resource type and invoke, every
 * Azure role the program assigns and every Google project role it grants.
 */
describe("the deploying identity's permissions", () => {
    const DOC = fs.readFileSync(path.join(PROJECT_DIR, "docs", "permissions.md"), "utf8");
    const plans: Record<string, PlanResult> = {};
    beforeAll(async () => {
        for (const stack of MAIN_STACKS) {
            plans[stack] = await planStack(stack);
            expect([stack, plans[stack].errors]).toEqual([stack, []]);
        }
    }, 240_000);

    /** The cloud tokens (resource types and invokes) a plan calls, by cloud. */
    const tokensOf = (plan: PlanResult) =>
        [
            ...new Set([
                ...plan.resources.filter((r) => r.custom).map((r) => r.type),
                ...plan.invokes.map((i) => i.token),
            ]),
        ].filter((t) => !t.startsWith("pulumi:providers:") && t.split(":")[0] in CLOUD_OF_PACKAGE);

    /** Rows of the doc's grant tables (those whose header starts with Key): key -> [dev, prod]. */
    const docRows = () => {
        const rows = new Map<string, Record<string, boolean>>();
        const header = DOC.split("\n").find((l) => /^\|\s*Key\s*\|/.test(l))!;
        const columns = header.split("|").map((c) => c.trim());
        let inGrantTable = false;
        for (const line of DOC.split("\n")) {
            if (!line.startsWith("|")) inGrantTable = false;
            else if (/^\|\s*Key\s*\|/.test(line)) inGrantTable = true;
            if (!inGrantTable) continue;
            const cells = line.split("|").map((c) => c.trim());
            const key = /^`([^`]+)`$/.exec(cells[1] ?? "")?.[1];
            if (!key) continue;
            rows.set(
                key,
                Object.fromEntries(
                    MAIN_STACKS.map((s) => [s, cells[columns.indexOf(s)] === "yes"]),
                ),
            );
        }
        return rows;
    };

    it("covers every resource type and invoke each stack calls on AWS, Google Cloud and Azure", () => {
        for (const stack of MAIN_STACKS) {
            const uncovered = tokensOf(plans[stack]).filter(
                (t) =>
                    !DEPLOYER_GRANTS.some(
                        (g) =>
                            g.cloud === CLOUD_OF_PACKAGE[t.split(":")[0]] && g.covers.includes(t),
                    ),
            );
            expect([stack, uncovered]).toEqual([stack, []]);
        }
    });

    it("matches the per-stack tables of docs/permissions.md, row by row", () => {
        const rows = docRows();
        expect([...rows.keys()].sort()).toEqual(DEPLOYER_GRANTS.map((g) => g.key).sort());
        for (const stack of MAIN_STACKS) {
            const needed = grantsFor(tokensOf(plans[stack])).map((g) => g.key);
            const documented = [...rows].filter(([, s]) => s[stack]).map(([k]) => k);
            expect([stack, documented.sort()]).toEqual([stack, [...needed].sort()]);
        }
    });

    it("lets the AWS policy call every IAM service the program's AWS calls need, and pass roles only to EC2", () => {
        const policy = awsDeployerPolicy();
        const allowed = (service: string) =>
            policy.Statement.some((s) =>
                s.Action.some((a) => a === `${service}:*` || a.startsWith(`${service}:`)),
            );
        for (const stack of MAIN_STACKS) {
            for (const token of tokensOf(plans[stack]).filter((t) => t.startsWith("aws:"))) {
                expect([token, token in AWS_SERVICE_OF]).toEqual([token, true]);
                for (const service of AWS_SERVICE_OF[token]) {
                    expect([token, service, allowed(service)]).toEqual([token, service, true]);
                }
            }
        }
        // Never the whole account: no `*` and no `iam:*`.
        const actions = policy.Statement.flatMap((s) => s.Action);
        expect(actions).not.toContain("*");
        expect(actions).not.toContain("iam:*");
        // iam:PassRole only to EC2 (the launch template's instance profile) and of the fleet's
        // own Auto Scaling service-linked role, and service-linked roles only for Auto Scaling
        // and ELB.
        const pass = policy.Statement.filter((s) => s.Action.includes("iam:PassRole"));
        expect(pass).toHaveLength(2);
        expect(pass[0].Condition).toEqual({
            StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" },
        });
        expect(pass[1].Resource).toBe(
            "arn:aws:iam::*:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_*",
        );
        // The group gets exactly such a role (its ARN matches the statement).
        const group = plans.prod.resources.find((r) => r.type === "aws:autoscaling/group:Group")!;
        const fleetRole = plans.prod.resources.find(
            (r) => r.type === "aws:iam/serviceLinkedRole:ServiceLinkedRole",
        )!;
        expect(fleetRole.inputs).toMatchObject({ awsServiceName: "autoscaling.amazonaws.com" });
        expect(group.inputs.serviceLinkedRoleArn).toBeDefined();
        const slr = policy.Statement.find((s) => s.Action.includes("iam:CreateServiceLinkedRole"))!;
        expect(slr.Condition).toEqual({
            StringEquals: {
                "iam:AWSServiceName": [
                    "autoscaling.amazonaws.com",
                    "elasticloadbalancing.amazonaws.com",
                ],
            },
        });
        // The dashboard's IAM user is created under /grafana/, the only users the policy allows.
        const users = plans.prod.resources.filter((r) => r.type === "aws:iam/user:User");
        expect(users.map((u) => u.inputs.path)).toEqual(["/grafana/"]);
        // The doc shows exactly this policy (its JSON block, however prettier wraps it).
        const block = /```json\n([\s\S]*?)\n```/.exec(DOC)?.[1];
        expect(JSON.parse(block ?? "null")).toEqual(policy);
    });

    /**
     * KMS: exactly what the provider's aws_kms_key calls (hashicorp/terraform-provider-aws
     * internal/service/kms/key.go and its tags), plus the grants ECR makes on the deployer's
     * behalf when it creates a KMS-encrypted repository (ECR User Guide, "Encryption at rest" and
     * "Create a custom policy for repository creation templates"), CreateGrant only for AWS
     * services (kms:GrantIsForAWSResource, AWS KMS Developer Guide). Never the key's use.
     */
    it("gives the deployer the KMS key's lifecycle and service grants, never kms:* nor the key's use", () => {
        const policy = awsDeployerPolicy();
        const kms = policy.Statement.filter((st) => st.Action.some((a) => a.startsWith("kms:")));
        const actions = kms.flatMap((st) => st.Action).sort();
        expect(actions).toEqual([
            "kms:CreateGrant",
            "kms:CreateKey",
            "kms:DescribeKey",
            "kms:DisableKey",
            "kms:DisableKeyRotation",
            "kms:EnableKey",
            "kms:EnableKeyRotation",
            "kms:GetKeyPolicy",
            "kms:GetKeyRotationStatus",
            "kms:ListResourceTags",
            "kms:PutKeyPolicy",
            "kms:RetireGrant",
            "kms:ScheduleKeyDeletion",
            "kms:TagResource",
            "kms:UntagResource",
            "kms:UpdateKeyDescription",
        ]);
        for (const use of ["kms:*", "kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*"]) {
            expect(actions).not.toContain(use);
        }
        expect(actions.filter((a) => a.startsWith("kms:GenerateDataKey"))).toEqual([]);
        // CreateKey takes no resource; everything else only keys, CreateGrant only for services.
        for (const st of kms) {
            expect([st.Sid, st.Resource]).toEqual([
                st.Sid,
                st.Action.includes("kms:CreateKey") ? "*" : "arn:aws:kms:*:*:key/*",
            ]);
        }
        expect(kms.find((st) => st.Action.includes("kms:CreateGrant"))!.Condition).toEqual({
            Bool: { "kms:GrantIsForAWSResource": "true" },
        });
        // The program creates keys and nothing else of KMS (no alias, grant or replica).
        for (const stack of MAIN_STACKS) {
            expect(tokensOf(plans[stack]).filter((t) => t.startsWith("aws:kms/"))).toEqual([
                "aws:kms/key:Key",
            ]);
        }
    });

    /**
     * Contributor's NotActions include Microsoft.Authorization/*\/Write and *\/Delete
     * (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged#contributor),
     * and Role Based Access Control Administrator writes role assignments only
     * (.../privileged#role-based-access-control-administrator): policy definitions and
     * assignments need Resource Policy Contributor.
     */
    it("gives Azure's Microsoft.Authorization writes to the roles that have them, not to Contributor", () => {
        const byKey = Object.fromEntries(DEPLOYER_GRANTS.map((g) => [g.key, g]));
        const authorization = [
            "azure-native:authorization:PolicyDefinition",
            "azure-native:authorization:PolicyAssignment",
            "azure-native:authorization:RoleAssignment",
        ];
        for (const t of authorization) expect(byKey.Contributor.covers).not.toContain(t);
        expect(byKey["Resource Policy Contributor"].covers).toEqual(authorization.slice(0, 2));
        expect(byKey["Role Based Access Control Administrator"].covers).toEqual([authorization[2]]);
        // Every stack needs them: ArcGovernance registers a definition and assignments.
        for (const stack of MAIN_STACKS) {
            expect(
                ofType(plans[stack], "azure-native:authorization:PolicyDefinition").length,
            ).toBeGreaterThan(0);
        }
        expect(AZURE_DEPLOYER_ROLES.rbacAdministrator).toBe("f58310d9-a9f6-439a-9e8d-f62e7b41a168");
    });

    /**
     * The condition on Role Based Access Control Administrator ("Constrain roles",
     * https://learn.microsoft.com/azure/role-based-access-control/delegate-role-assignments-examples):
     * writes are checked on @Request, deletes on @Resource, by role definition GUID.
     */
    it("constrains the Azure role-assignment grant to exactly the roles the program assigns", () => {
        const guid = (id: unknown) => String(id).split("/").pop()!.toLowerCase();
        const assigned = new Set(
            MAIN_STACKS.flatMap((s) =>
                ofType(plans[s], "azure-native:authorization:RoleAssignment").map((r) =>
                    guid(r.inputs.roleDefinitionId),
                ),
            ),
        );
        const allowed = Object.values(AZURE_ASSIGNABLE_ROLES);
        expect([...assigned].filter((g) => !allowed.includes(g as never))).toEqual([]);
        const condition = azureRoleAssignmentCondition(allowed);
        for (const id of allowed) expect(condition.split(id).length - 1).toBe(2);
        expect(condition).toContain(
            "(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {",
        );
        expect(condition).toContain(
            "(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {",
        );
        // Balanced parentheses, and never a role that could raise the deployer itself
        // (Owner, User Access Administrator, Role Based Access Control Administrator).
        let depth = 0;
        for (const c of condition) {
            depth += c === "(" ? 1 : c === ")" ? -1 : 0;
            expect(depth).toBeGreaterThanOrEqual(0);
        }
        expect(depth).toBe(0);
        for (const raise of [
            "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
            "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
            AZURE_DEPLOYER_ROLES.rbacAdministrator,
        ]) {
            expect(condition).not.toContain(raise);
        }
        expect(DOC).toContain(condition);
    });

    /**
     * Project IAM Admin limited by `iam.googleapis.com/modifiedGrantsByRole`
     * (https://cloud.google.com/iam/docs/setting-limits-on-granting-roles).
     */
    it("limits the Google project roles the deployer may grant to those the program grants", () => {
        const granted = new Set(
            MAIN_STACKS.flatMap((s) =>
                ofType(plans[s], "gcp:projects/iAMMember:IAMMember").map((r) =>
                    String(r.inputs.role),
                ),
            ),
        );
        expect([...granted].sort()).toEqual([...GCP_GRANTABLE_PROJECT_ROLES].sort());
        const condition = gcpGrantCondition(GCP_GRANTABLE_PROJECT_ROLES);
        expect(condition).toBe(
            `api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', []).hasOnly([${[
                ...GCP_GRANTABLE_PROJECT_ROLES,
            ]
                .sort()
                .map((r) => `'${r}'`)
                .join(", ")}])`,
        );
        expect(DOC).toContain(condition);
        // Longer lists are split into lists of ten joined by ||.
        const many = Array.from({ length: 12 }, (_, i) => `roles/r${String(i).padStart(2, "0")}`);
        expect(gcpGrantCondition(many).split(" || ")).toHaveLength(2);
    });
    /** The cloud packages' provider types a plan configures. */
    const providersOf = (plan: PlanResult) =>
        [
            ...new Set(
                plan.resources
                    .map((r) => r.type)
                    .filter(
                        (t) =>
                            t.startsWith("pulumi:providers:") &&
                            t.slice("pulumi:providers:".length) in CLOUD_OF_PACKAGE,
                    ),
            ),
        ].sort();

    /**
     * The pull-request preview identities (docs/permissions.md#pull-request-previews): what
     * `pulumi preview` calls with each cloud's credentials, with no refresh, is the providers'
     * configuration and the invokes the plan records (the plan is a preview: plan/run.ts runs
     * the program with dryRun true). Each must be in PREVIEW_CALLS, whose needs the identities
     * grant, and nothing beyond them.
     */
    it("lists every provider and invoke a preview of each stack calls, and the preview identities allow exactly their needs", () => {
        for (const stack of MAIN_STACKS) {
            const calls = [
                ...providersOf(plans[stack]),
                ...new Set(
                    plans[stack].invokes
                        .map((i) => i.token)
                        .filter((t) => t.split(":")[0] in CLOUD_OF_PACKAGE),
                ),
            ];
            expect([stack, calls.filter((t) => !(t in PREVIEW_CALLS))]).toEqual([stack, []]);
            for (const t of calls) {
                const cloud = CLOUD_OF_PACKAGE[t.replace(/^pulumi:providers:/, "").split(":")[0]];
                expect([t, PREVIEW_CALLS[t].cloud]).toEqual([t, cloud]);
            }
            // AWS: the policy allows every action the stack's calls need.
            const awsActions = awsPreviewPolicy().Statement.flatMap((st) => st.Action);
            for (const need of previewNeeds("aws", calls)) {
                expect([stack, need, awsActions.includes(need)]).toEqual([stack, need, true]);
            }
            // Google Cloud: the custom role holds every permission the stack's calls need.
            for (const need of previewNeeds("gcp", calls)) {
                expect([stack, need, gcpPreviewRolePermissions().includes(need)]).toEqual([
                    stack,
                    need,
                    true,
                ]);
            }
            // Azure: nothing, hence no role assignment.
            expect([stack, previewNeeds("azure", calls)]).toEqual([stack, []]);
            // The committed stacks call nothing that needs a permission the role leaves out.
            expect([stack, calls.filter((c) => PREVIEW_CALLS[c].onlyWith)]).toEqual([stack, []]);
        }
    });

    it("gives the AWS preview role exactly the actions the calls need, all of them reads", () => {
        const policy = awsPreviewPolicy();
        const actions = policy.Statement.flatMap((st) => st.Action).sort();
        expect(actions).toEqual(previewNeeds("aws", Object.keys(PREVIEW_CALLS)));
        for (const action of actions) expect(action).toMatch(/^[a-z0-9]+:(Get|Describe|List)[A-Z]/);
        // Never iam:PassRole, never a wildcard, no condition needed.
        expect(actions.join(" ")).not.toMatch(/\*|iam:/);
        // AWS's public parameters only (the deployer's statement has the same resource).
        expect(
            policy.Statement.find((st) => st.Action.includes("ssm:GetParameter"))!.Resource,
        ).toBe("arn:aws:ssm:*::parameter/aws/service/*");
        // Trusted by one stack's preview environment only, with GitHub's default audience.
        const trust = awsPreviewTrustPolicy(
            "123456789012",
            previewSubject("repo:acme/multicloud-fleet", "dev"),
        );
        expect(trust.Statement).toEqual([
            {
                Effect: "Allow",
                Action: "sts:AssumeRoleWithWebIdentity",
                Principal: {
                    Federated:
                        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
                },
                Condition: {
                    StringEquals: {
                        "token.actions.githubusercontent.com:aud": GITHUB_OIDC_AUDIENCE.aws,
                        "token.actions.githubusercontent.com:sub":
                            "repo:acme/multicloud-fleet:environment:pr-preview-dev",
                    },
                },
            },
        ]);
        // The doc shows both (its preview section's JSON blocks).
        const section = DOC.slice(DOC.indexOf("## Pull-request previews"));
        const blocks = [...section.matchAll(/```json\n([\s\S]*?)\n```/g)].map(
            (m) => JSON.parse(m[1]) as unknown,
        );
        expect(blocks).toEqual([policy, trust]);
    });

    /**
     * AWS compares the subject with StringEquals (exact), Azure's federated credential matches
     * it exactly ("the subject identifier exactly matches", pulumi/docs deployments oidc/azure.md
     * on Entra ID), and Google's binding names one subject behind a condition on the
     * environment: no stack's preview job can take another stack's identities.
     */
    it("keeps each stack's cloud preview identities to that stack's environment", () => {
        const prefix = "repo:acme/multicloud-fleet";
        for (const stack of MAIN_STACKS) {
            const trust = awsPreviewTrustPolicy("123456789012", previewSubject(prefix, stack));
            const sub =
                trust.Statement[0].Condition.StringEquals[
                    "token.actions.githubusercontent.com:sub"
                ];
            const condition = gcpPreviewProviderCondition("acme/multicloud-fleet", stack);
            expect(condition).toBe(
                `assertion.repository == 'acme/multicloud-fleet' && assertion.environment == 'pr-preview-${stack}'`,
            );
            for (const other of MAIN_STACKS.filter((s) => s !== stack)) {
                expect(sub).not.toBe(previewSubject(prefix, other));
                expect(condition).not.toContain(`'pr-preview-${other}'`);
            }
        }
        // The doc's GCP condition and AWS trust are the first stack's, from the committed config.
        const section = DOC.slice(DOC.indexOf("## Pull-request previews"));
        expect(section).toContain(gcpPreviewProviderCondition("acme/multicloud-fleet", "dev"));
        const row = section
            .split("\n")
            .find((l) => l.startsWith("| `prod`"))
            ?.split("|")
            .map((c) => c.trim());
        expect(row?.slice(1, 5)).toEqual([
            "`prod`",
            "`pr-preview-prod`",
            "`multicloud-pr-preview-prod`",
            "`repo:acme/multicloud-fleet:environment:pr-preview-prod`",
        ]);
    });

    it("gives the Google preview role the reads the committed stacks call, none of them a write", () => {
        expect(gcpPreviewRolePermissions()).toEqual([
            "compute.regions.list",
            "resourcemanager.projects.get",
        ]);
        for (const p of Object.values(PREVIEW_CALLS).flatMap((c) =>
            c.cloud === "gcp" ? c.needs : [],
        )) {
            expect(p).toMatch(/\.(get|list|generateInstallManifest)$/);
        }
    });

    it("is written to docs/permissions.md from the data (npx tsx deployments/permissions-doc.ts)", () => {
        const current = fs.readFileSync(PERMISSIONS_DOC, "utf8");
        expect(expectedPermissionsDoc(current)).toBe(current);
    });
});
