/**
 * Writes the "Pull-request previews" section of docs/permissions.md from the data of
 * deployments/permissions.ts and the committed deployments/Pulumi.settings.yaml, and prints
 * the policy documents the commands of docs/delivery.md take:
 *
 *   npx tsx deployments/permissions-doc.ts                      rewrite the section
 *   npx tsx deployments/permissions-doc.ts --check              exit 1 when it is out of date
 *   npx tsx deployments/permissions-doc.ts aws-preview-policy   the preview role's policy (JSON)
 *   npx tsx deployments/permissions-doc.ts aws-preview-trust <account id> <stack>
 *                                            a stack's preview role trust policy (JSON)
 *   npx tsx deployments/permissions-doc.ts preview-subject <stack>
 *                                            the GitHub OIDC subject its preview identities trust
 *   npx tsx deployments/permissions-doc.ts gcp-preview-condition <stack>
 *                                            its Google workload identity provider's condition
 *   npx tsx deployments/permissions-doc.ts aws-deployer-policy  the deployer's policy (JSON)
 *
 * tests/deployments.test.ts runs the same rendering and fails when the doc differs.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { loadProject, loadStackSettings } from "../lib/stack-files";
import { DeploymentConfig, parseDeploymentConfig } from "./config";
import {
    awsDeployerPolicy,
    awsPreviewPolicy,
    awsPreviewTrustPolicy,
    gcpPreviewProviderCondition,
    gcpPreviewRolePermissions,
    GITHUB_OIDC_AUDIENCE,
    GITHUB_OIDC_ISSUER,
    PREVIEW_CALLS,
    previewEnvironment,
    previewIdentities,
    previewSubject,
    previewTeamName,
    type PermissionCloud,
} from "./permissions";

const DEPLOY_DIR = __dirname;
const REPO_ROOT = path.resolve(DEPLOY_DIR, "..");
export const PERMISSIONS_DOC = path.join(REPO_ROOT, "docs", "permissions.md");
const HEADING = "## Pull-request previews";

/** The committed deployment config (deployments/Pulumi.settings.yaml), validated. */
export function committedDeploymentConfig(): DeploymentConfig {
    const project = loadProject(DEPLOY_DIR);
    const raw = loadStackSettings(project, "settings").config;
    return parseDeploymentConfig(raw, project.name, REPO_ROOT);
}

const code = (s: string) => `\`${s}\``;
const cell = (s: string) => s.replace(/\|/g, "\\|");

function callsTable(cloud: PermissionCloud, what: string): string {
    const rows = Object.entries(PREVIEW_CALLS)
        .filter(([, c]) => c.cloud === cloud)
        .map(
            ([token, c]) =>
                `| ${code(token)} | ${c.needs.length ? c.needs.map(code).join(", ") : "none"} | ${cell(
                    c.onlyWith ? `only with ${c.onlyWith}: ${c.why}` : c.why,
                )} |`,
        );
    return [`| Call | ${what} | Why |`, "| --- | --- | --- |", ...rows].join("\n");
}

/** The section, as markdown (before prettier). */
export function renderPullRequestPreviews(config: DeploymentConfig): string {
    const { repository, organization, previewTeamPrefix, githubSubjectPrefix, project } = config;
    const stacks = Object.keys(config.stacks);
    const sub = previewSubject(githubSubjectPrefix, "<stack>");
    const optedIn = stacks.filter((s) => config.stacks[s].previewPullRequests);
    const protectedStacks = stacks.filter((s) => config.stacks[s].protected);
    const identities = previewIdentities(repository, previewTeamPrefix, githubSubjectPrefix);
    const gcpPermissions = gcpPreviewRolePermissions();
    const lines: string[] = [
        HEADING,
        "",
        "<!-- Written by `npx tsx deployments/permissions-doc.ts` from deployments/permissions.ts and deployments/Pulumi.settings.yaml; tests/deployments.test.ts fails when it is out of date. -->",
        "",
        `Pull requests are previewed by the ${code("preview")} job of ${code(".github/workflows/pull-request.yml")}, once per stack, each in the stack's GitHub environment ${code(previewEnvironment("<stack>"))}, with identities that read and nothing more: none of them can change a stack, a cloud resource or an access grant. Each stack's identities trust GitHub's OIDC tokens (issuer ${code(GITHUB_OIDC_ISSUER)}) of that stack's environment only, subject ${code(sub)}, so one stack's preview job cannot assume another stack's identities. The job runs for pull requests from the repository's own branches; those from forks get no token.`,
        "",
        "| Stack | GitHub environment | Pulumi Cloud team | Subject its identities trust | Before the job starts |",
        "| --- | --- | --- | --- | --- |",
        ...stacks.map(
            (s) =>
                `| ${code(s)} | ${code(previewEnvironment(s))} | ${code(previewTeamName(previewTeamPrefix, s))} | ${code(previewSubject(githubSubjectPrefix, s))} | ${config.stacks[s].protected ? "a required reviewer of the environment approves it (protected stack)" : "nothing: the environment admits pull-request runs only"} |`,
        ),
        "",
        "| Identity | Who gets it | Trusted subject | May | May not |",
        "| --- | --- | --- | --- | --- |",
        ...identities.map(
            (i) =>
                `| ${cell(i.identity)} | the ${code("preview")} job of ${code("<stack>")}, for a pull request from a branch of ${code(repository)} | ${cell(i.trusted)} | ${cell(i.may)} | ${cell(i.mayNot)} |`,
        ),
        "",
        `**What Read means, and what guards it.** Pulumi's stack Read includes "Decrypt secret configuration": a preview decrypts its stack's secret config to run the program (the attached clusters' and edge sites' kubeconfigs, ${code("databaseUrl")}, the registry pull credential), and the pull request's code runs with that access. Anyone who can push a branch can therefore read the secrets of every stack whose environment lets the job start. ${protectedStacks.length ? `The environments of protected stacks (${protectedStacks.map((s) => code(previewEnvironment(s))).join(", ")}) require a reviewer's approval before the job, and so any token, exists: **approving a preview of ${protectedStacks.map(code).join(", ")} runs the pull request's code with read access to its secret config, so read the change before approving it**.` : "No committed stack is protected."} The environments' protection rules live in GitHub, not here: docs/delivery.md#from-an-empty-pulumi-organization-to-push-to-deploy creates them.`,
        "",
        `**The subject.** Every trust above names ${code(githubSubjectPrefix + ":environment:…")}: ${code("githubSubjectPrefix")} in ${code("deployments/Pulumi.settings.yaml")}, by default ${code("repo:<repository>")}. A job that names an environment gets the subject ${code("repo:ORG-NAME/REPO-NAME:environment:ENVIRONMENT-NAME")} whatever the event ([OpenID Connect reference](https://docs.github.com/en/actions/reference/security/oidc#filtering-for-a-specific-environment)). Repositories that use GitHub's immutable subject claims (created, renamed or transferred after GitHub's rollout date, or opted in) carry the owner's and the repository's numeric ids in it; docs/delivery.md#from-an-empty-pulumi-organization-to-push-to-deploy says how to read the repository's own prefix and set it. A repository that customizes its subject template (${code("use_default: false")}) gets another format altogether, which these trusts do not match.`,
        "",
        "The preview runs without `--refresh` (the workflow test checks it), so no resource is read from the clouds: the identities need only what the providers' configuration and the program's invokes call. `tests/deployments.test.ts` plans both stacks and fails when one of them calls a token that the tables below do not list.",
        "",
        "### Pulumi Cloud",
        "",
        `${code("deployments/")} creates one team per stack of ${code(project)}, ${code(previewTeamName(previewTeamPrefix, "<stack>"))} (${code("previewTeamPrefix")}, without members), and grants it ${code("read")} on that stack alone: ${stacks.map((s) => `${code(previewTeamName(previewTeamPrefix, s))} on ${code(s)}`).join(", ")}. Its GitHub OIDC issuer has one policy per stack, which hands out that stack's team token, for one hour at most, to that stack's subject with audience ${code(`urn:pulumi:org:${organization}`)}; no organization token goes to anyone. A team token carries the team's stack permissions; Pulumi's stack permissions give Read "Preview stack changes", "Decrypt secret configuration", "Read stack resources", "View update history" and "Export stack checkpoint", and keep updates, destroys, imports and deletes for Write and Admin ([Stack permissions](https://www.pulumi.com/docs/administration/access-identity/stack-permissions/)). Teams and team tokens need the Enterprise or Business Critical edition. The issuer's rules read ${code("*")}, ${code("?")} and ${code(".")} as wildcards ([OIDC issuers](https://www.pulumi.com/docs/administration/guides/oidc-issuers/)): team names here hold none, and a dot in the repository's name would match any one character unless the subject carries the repository's id.`,
        "",
        "```yaml",
        "preview:",
        `  environment: ${previewEnvironment("${{ matrix.stack }}")}`,
        "  steps:",
        "    - uses: pulumi/auth-actions@<sha> # v2.1.0",
        "      with:",
        "        organization: ${{ vars.PULUMI_ORG }}",
        "        requested-token-type: urn:pulumi:token-type:access_token:team",
        `        scope: team:${previewTeamPrefix}-\${{ matrix.stack }}`,
        "```",
        "",
        `**Pulumi Deployments does not preview pull requests** of protected stacks (${protectedStacks.map(code).join(", ") || "none"}): ${code("deployments/")} refuses ${code("previewPullRequests: true")} on them. A deployment's OIDC token always carries ${code("scope:write")}, its subject differs only in ${code("operation:preview")}, and a stack has one OIDC configuration for every operation ([OIDC token claims](https://www.pulumi.com/docs/deployments/deployments/oidc/)), so such a preview would run the pull request's code with the deployer identities. An unprotected stack may opt in (${code("previewPullRequests: true")}), knowing that its pull requests then run with that stack's deployer identities; ${optedIn.length ? `opted in: ${optedIn.map(code).join(", ")}` : "none of the committed stacks does"}.`,
        "",
        "### AWS",
        "",
        `One role per stack account, ${code("github-preview-<stack>")}, with the customer-managed policy ${code("multicloud-preview")}: exactly the actions below, not AWS's ${code("ReadOnlyAccess")} (which reads S3 objects, every SSM parameter and far more) nor ${code("ViewOnlyAccess")}.`,
        "",
        callsTable("aws", "IAM actions"),
        "",
        "```json",
        JSON.stringify(awsPreviewPolicy(), null, 2),
        "```",
        "",
        `Its trust policy, for ${code(stacks[0])} here (audience ${code(GITHUB_OIDC_AUDIENCE.aws)}, the default of ${code("aws-actions/configure-aws-credentials")}; ${code("npx tsx deployments/permissions-doc.ts aws-preview-trust <account id> <stack>")} prints a stack's):`,
        "",
        "```json",
        JSON.stringify(
            awsPreviewTrustPolicy("123456789012", previewSubject(githubSubjectPrefix, stacks[0])),
            null,
            2,
        ),
        "```",
        "",
        "### Google Cloud",
        "",
        `One service account per stack project, ${code("preview@<project>")}, with the custom role ${code("multicloudPreview")}: ${gcpPermissions.map(code).join(", ")}. Not ${code("roles/viewer")}, which reads every resource of the project, nor ${code("roles/browser")} (folders, organization, the project's allow policy). A stack with attached clusters also needs ${code("gkemulticloud.attachedClusters.generateInstallManifest")}, which no committed stack calls.`,
        "",
        callsTable("gcp", "IAM permissions"),
        "",
        `Each stack project's workload identity provider admits that stack's preview environment only, with ${code("google.subject=assertion.sub")} and the condition (${code("npx tsx deployments/permissions-doc.ts gcp-preview-condition <stack>")}; ${code(stacks[0])} here):`,
        "",
        "```text",
        gcpPreviewProviderCondition(repository, stacks[0]),
        "```",
        "",
        `and only that stack's subject may act as the service account (${code("roles/iam.workloadIdentityUser")} for ${code(`principal://iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/github/subject/${sub}`)}). The audience is the provider's default, its full name.`,
        "",
        "### Azure",
        "",
        `One Entra ID application per stack, ${code("github-preview-<stack>")}, with one federated credential (issuer ${code(GITHUB_OIDC_ISSUER)}, audience ${code(GITHUB_OIDC_AUDIENCE.azure)}, subject ${code(sub)}) and **no role assignment**: the preview makes no ARM call that a role would authorize.`,
        "",
        callsTable("azure", "Azure RBAC actions"),
        "",
        "Should a program change add an ARM read (an invoke such as a `list*` or `get*` function), the test above fails until a row covers it; `Reader` on the stack's resource group is then the narrowest built-in role, and it reads no Key Vault secret, storage key or data.",
        "",
        "### Kubernetes API servers",
        "",
        `The Google preview account holds no ${code("container.*")} permission, so GKE authorizes none of its Kubernetes requests. GitHub-hosted runners are outside the committed stacks' ${code("masterAuthorizedNetworks")} ranges (an office range, the platform VPN) and the edge sites' networks (see [Runners](#runners)), so the job reaches none of those API servers either, whatever the decrypted kubeconfigs allow.`,
    ];
    return lines.join("\n") + "\n";
}

/** `doc` with its "Pull-request previews" section replaced by `section`. */
export function replaceSection(doc: string, section: string): string {
    const start = doc.indexOf(`\n${HEADING}\n`);
    if (start < 0) throw new Error(`docs/permissions.md has no '${HEADING}' section`);
    const next = doc.indexOf("\n## ", start + HEADING.length + 2);
    const end = next < 0 ? doc.length : next;
    return `${doc.slice(0, start + 1)}${section}${next < 0 ? "" : "\n"}${doc.slice(end + 1)}`;
}

/**
 * docs/permissions.md as it should be: the section rendered and the whole file through the
 * repository's prettier, as `npm run format` leaves it. Prettier runs in a child process: its
 * API loads its plugins with dynamic imports, which jest's module registry refuses.
 */
export function expectedPermissionsDoc(current: string): string {
    const next = replaceSection(current, renderPullRequestPreviews(committedDeploymentConfig()));
    return execFileSync(
        process.execPath,
        [require.resolve("prettier/bin/prettier.cjs"), "--stdin-filepath", PERMISSIONS_DOC],
        { input: next, encoding: "utf8", cwd: REPO_ROOT },
    );
}

/** The committed config's stack named `arg`, or undefined after printing why not. */
function committedStack(config: DeploymentConfig, arg: string | undefined, usage: string) {
    const stacks = Object.keys(config.stacks);
    if (arg === undefined || !stacks.includes(arg)) {
        console.error(`usage: ${usage} (stacks: ${stacks.join(", ")})`);
        return undefined;
    }
    return arg;
}

async function main(argv: string[]): Promise<number> {
    const [command, arg, arg2] = argv;
    if (command === "aws-preview-policy") {
        console.log(JSON.stringify(awsPreviewPolicy(), null, 2));
        return 0;
    }
    if (command === "aws-deployer-policy") {
        console.log(JSON.stringify(awsDeployerPolicy(), null, 2));
        return 0;
    }
    if (command === "aws-preview-trust") {
        const config = committedDeploymentConfig();
        const usage = "aws-preview-trust <12-digit account id> <stack>";
        if (!/^\d{12}$/.test(arg ?? "")) {
            console.error(`usage: ${usage}`);
            return 2;
        }
        const stack = committedStack(config, arg2, usage);
        if (stack === undefined) return 2;
        const subject = previewSubject(config.githubSubjectPrefix, stack);
        console.log(JSON.stringify(awsPreviewTrustPolicy(arg, subject), null, 2));
        return 0;
    }
    if (command === "preview-subject" || command === "gcp-preview-condition") {
        const config = committedDeploymentConfig();
        const stack = committedStack(config, arg, `${command} <stack>`);
        if (stack === undefined) return 2;
        console.log(
            command === "preview-subject"
                ? previewSubject(config.githubSubjectPrefix, stack)
                : gcpPreviewProviderCondition(config.repository, stack),
        );
        return 0;
    }
    const current = fs.readFileSync(PERMISSIONS_DOC, "utf8");
    const expected = expectedPermissionsDoc(current);
    if (command === "--check") {
        if (expected === current) return 0;
        console.error("docs/permissions.md is out of date: npx tsx deployments/permissions-doc.ts");
        return 1;
    }
    if (command !== undefined) {
        console.error(`unknown command '${command}'`);
        return 2;
    }
    fs.writeFileSync(PERMISSIONS_DOC, expected);
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e: unknown) => {
            console.error(e instanceof Error ? e.message : e);
            process.exit(1);
        },
    );
}
