/**
 * Pulumi Deployments settings, as code, for every stack of the main project (the folder above):
 * the git source, push-to-deploy with path filters, `npm ci` before every run, OIDC for each
 * cloud the stack enables (no long-lived cloud secret stored anywhere), drift detection, the
 * policy pack published to Pulumi Cloud and required on protected stacks through a
 * preventative policy group, and the GitHub OIDC trust that lets pull-request workflows preview
 * without a stored Pulumi token, each stack with a team token that reads that stack and nothing
 * more.
 *
 * Run by an organization admin: `cd deployments && pulumi up` (see docs/delivery.md#the-deployment-settings-program).
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as service from "@pulumi/pulumiservice";
import { parseDeploymentConfig } from "./config";
import {
    GITHUB_OIDC_ISSUER,
    previewEnvironment,
    previewSubject,
    previewTeamName,
} from "./permissions";
import { StackDeployment } from "./StackDeployment";

const ns = pulumi.getProject();
// Validated before any resource: every problem at once, nothing partial left behind.
const config = parseDeploymentConfig(pulumi.runtime.allConfig(), ns, path.resolve(__dirname, ".."));
const { organization, project } = config;
const stackNames = Object.keys(config.stacks);

// The Pulumi Cloud provider authenticates as whoever runs this program (`pulumi login`, or
// PULUMI_ACCESS_TOKEN): no token is stored in config.
const provider = new service.Provider("pulumi-cloud", {});

// The main project's stacks. Kept in Pulumi Cloud when removed from here: deleting a stack
// record is never a side effect of editing deployment settings.
const stackResources = new Map(
    config.createStacks
        ? stackNames.map((stack) => [
              stack,
              new service.Stack(
                  `stack-${stack}`,
                  { organizationName: organization, projectName: project, stackName: stack },
                  { provider, retainOnDelete: true },
              ),
          ])
        : [],
);

const deployments = Object.fromEntries(
    Object.entries(config.stacks).map(([stack, s]) => {
        const created = stackResources.get(stack);
        const deployment = new StackDeployment(
            `deploy-${stack}`,
            {
                organization,
                project,
                stack,
                repository: config.repository,
                projectDir: config.projectDir,
                branch: s.branch,
                allStacks: stackNames,
                deployCommits: s.deployCommits,
                previewPullRequests: s.previewPullRequests,
                clouds: s.clouds,
                oidc: s.oidc,
                environment: s.environment,
                executorImage: s.executorImage,
                driftDetection: s.driftDetection,
                agentPoolId: s.agentPoolId,
            },
            { providers: [provider], dependsOn: created ? [created] : [] },
        );
        return [stack, deployment];
    }),
);

// Protected stacks: the pack is published to the organization and a preventative policy group
// runs it on every update of those stacks, whoever or whatever runs it (Deployments, a laptop):
// Deployments runs `pulumi up` itself and takes no --policy-pack flag.
const protectedStacks = stackNames.filter((s) => config.stacks[s].protected);
let policyGroup: service.PolicyGroup | undefined;
if (protectedStacks.length > 0) {
    const pack = new service.PolicyPack(
        "policy-pack",
        {
            organization,
            name: config.policyPack.name,
            versionTag: config.policyPack.version,
            // Relative to this program's folder, so the input is the same on every machine.
            sourcePath: path.relative(process.cwd(), config.policyPack.dir),
        },
        { provider },
    );
    policyGroup = new service.PolicyGroup(
        "protected-stacks",
        {
            organizationName: organization,
            name: `${project}-protected`,
            entityType: "stacks",
            mode: "preventative",
            stacks: protectedStacks.map((name) => ({ name, routingProject: project })),
            policyPacks: [
                {
                    name: pack.name,
                    versionTag: pack.versionTag,
                    config: config.protectedPolicyConfig,
                },
            ],
        },
        {
            provider,
            dependsOn: protectedStacks.flatMap((s) => stackResources.get(s) ?? []),
        },
    );
}

// Pull-request workflows of the repository exchange their GitHub OIDC token for a short-lived
// Pulumi token (pulumi/auth-actions), so no Pulumi token is stored in GitHub. The token is a
// team token, never an organization one: "Team tokens inherit the stack permissions assigned to
// the team" (pulumiservice TeamToken docs). One team per stack, each holding `read` on its own
// stack and nothing else, and each handed out only to the preview job of that stack, which runs
// in the GitHub environment pr-preview-<stack> (a protected stack's waits for its reviewers
// before the job, and so the token, exists). Pulumi's stack permissions table gives Read
// "Preview stack changes", "Decrypt secret configuration" and "Read stack resources", and keeps
// "Update stack", "Destroy stack" and "Import stack checkpoint" for Write (pulumi/docs
// content/docs/administration/access-identity/stack-permissions.md): Read is what a preview
// needs, and it includes the stack's secrets. Teams and team tokens need the Enterprise or
// Business Critical edition (.../rbac/teams.md; OIDC token types by edition, pulumi/docs#16149).
const previewTeams: service.Team[] = [];
const previewTeamGrants: service.TeamStackPermission[] = [];
if (config.githubActionsOidc) {
    for (const stack of stackNames) {
        const teamName = previewTeamName(config.previewTeamPrefix, stack);
        const team = new service.Team(
            `pr-preview-${stack}`,
            {
                organizationName: organization,
                teamType: "pulumi",
                name: teamName,
                displayName: teamName,
                description: `Pull-request previews of ${project}/${stack} from GitHub Actions (${config.repository}, environment ${previewEnvironment(stack)}): read on ${stack} only. No members: only the OIDC issuer hands out its token.`,
                members: [],
            },
            { provider },
        );
        const created = stackResources.get(stack);
        previewTeams.push(team);
        previewTeamGrants.push(
            new service.TeamStackPermission(
                `pr-preview-${stack}-read`,
                {
                    organization,
                    project,
                    stack,
                    team: teamName,
                    // 101 ("Grants read permissions to stack", @pulumi/pulumiservice 1.3.0
                    // types/enums TeamStackPermissionScope): preview needs no more.
                    permission: service.TeamStackPermissionScope.Read,
                },
                { provider, dependsOn: created ? [team, created] : [team] },
            ),
        );
    }
}
const githubIssuer = config.githubActionsOidc
    ? new service.OidcIssuer(
          "github-actions",
          {
              organization,
              name: `github-${config.repository.replace("/", "-")}`,
              url: GITHUB_OIDC_ISSUER,
              // One hour covers a preview; nothing longer is ever handed out.
              maxExpirationSeconds: 3600,
              // One policy per stack: the token of that stack's team, to the job of that stack's
              // environment only. "teamName: required when tokenType is team";
              // authorizedPermissions are for organization tokens only
              // (pulumi/pulumi-pulumiservice v1.3.0, provider/pkg/cloud/spec.json, the auth
              // policy update operation). Claim values and team scopes are matched with
              // wildcards, `*`, `?` and `.` (any one character; pulumi/docs
              // administration/guides/oidc-issuers/_index.md): config refuses them in team
              // names, and only a dot in the repository's name can reach a subject.
              policies: stackNames.map((stack) => ({
                  decision: "allow",
                  tokenType: "team",
                  teamName: previewTeamName(config.previewTeamPrefix, stack),
                  rules: {
                      aud: `urn:pulumi:org:${organization}`,
                      sub: previewSubject(config.githubSubjectPrefix, stack),
                  },
              })),
          },
          // The teams and their grants exist before any token of them is handed out.
          { provider, dependsOn: [...previewTeams, ...previewTeamGrants] },
      )
    : undefined;

export const stacks = Object.fromEntries(
    Object.entries(deployments).map(([stack, d]) => [
        stack,
        {
            branch: config.stacks[stack].branch,
            deployCommits: config.stacks[stack].deployCommits,
            protected: config.stacks[stack].protected,
            clouds: config.stacks[stack].clouds,
            // "default": the organization's default runner pool, else Pulumi-hosted runners.
            runnerPool: config.stacks[stack].agentPoolId ?? "default",
            paths: d.paths,
        },
    ]),
);
export const policyGroupName = policyGroup?.name;
export const githubOidcIssuer = githubIssuer?.name;
/** Per stack: the GitHub environment its preview runs in, the team it gets, the subject trusted. */
export const pullRequestPreviews = config.githubActionsOidc
    ? Object.fromEntries(
          stackNames.map((stack) => [
              stack,
              {
                  environment: previewEnvironment(stack),
                  team: previewTeamName(config.previewTeamPrefix, stack),
                  subject: previewSubject(config.githubSubjectPrefix, stack),
              },
          ]),
      )
    : undefined;
