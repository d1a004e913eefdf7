/**
 * Checks the GitHub Actions workflows in `.github/workflows/` and `.github/dependabot.yml`:
 * every workflow is valid against the SchemaStore workflow schema (through
 * `@action-validator/core`), the stack matrices cover every `Pulumi.<stack>.yaml`, the policy
 * gate uploads its SARIF per stack, tokens hold no write permission beyond SARIF uploads, OIDC
 * and the diff comment (from a job that checks out nothing), nothing deploys (Pulumi Deployments deploys on push), no stored secret is read, and
 * every action is pinned to a version tag or a commit; beyond that, every remote action is pinned
 * to a full commit SHA with its release in a comment (`@<sha> # v7.0.1`, the form Dependabot
 * updates), and Dependabot covers npm, the actions, pip and docker in their directories.
 *
 * Each check is a function from a parsed workflow to a list of problems naming the file and the
 * job, so the same checks run on the repository (expecting none) and on inline broken workflows
 * (expecting each problem): no check can pass vacuously.
 */
import { validateWorkflow, type ValidationError } from "@action-validator/core";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { PREVIEW_ENVIRONMENT_PREFIX } from "../deployments/permissions";

const REPO_DIR = path.resolve(__dirname, "..");
const WORKFLOW_DIR = path.join(REPO_DIR, ".github", "workflows");
const DEPENDABOT_FILE = path.join(REPO_DIR, ".github", "dependabot.yml");

const PR_WORKFLOW = ".github/workflows/pull-request.yml";
const CODEQL_WORKFLOW = ".github/workflows/codeql.yml";
const GATE_JOB = "policy-gate";
const PREVIEW_JOB = "preview";

type Obj = Record<string, unknown>;

interface Step {
    id?: string;
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Obj;
    env?: Obj;
    "continue-on-error"?: unknown;
}

interface Job {
    name?: string;
    uses?: string;
    if?: string;
    needs?: string | string[];
    permissions?: unknown;
    strategy?: { "fail-fast"?: unknown; matrix?: unknown };
    env?: Obj;
    environment?: unknown;
    steps?: Step[];
}

/** One workflow file: its path relative to the repository, its text and its parsed value. */
interface Workflow {
    file: string;
    text: string;
    on: unknown;
    permissions: unknown;
    jobs: Record<string, Job>;
}

// ---------------------------------------------------------------------------------------------
// Helpers

function isObj(value: unknown): value is Obj {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses a workflow's text; anything that is not a mapping with `jobs` fails the test. */
function workflow(file: string, text: string): Workflow {
    const value: unknown = parse(text);
    if (!isObj(value) || !isObj(value.jobs)) throw new Error(`${file}: not a workflow`);
    return {
        file,
        text,
        on: value.on,
        permissions: value.permissions,
        jobs: value.jobs as Record<string, Job>,
    };
}

function steps(job: Job): Step[] {
    return Array.isArray(job.steps) ? job.steps : [];
}

/** Names a step in messages: its name, else what it uses or runs. */
function stepName(step: Step, index: number): string {
    return `step ${index + 1} (${step.name ?? step.uses ?? step.run?.split("\n")[0] ?? "?"})`;
}

/** The action a `uses:` names, without its ref: `github/codeql-action/upload-sarif`. */
function action(uses: string | undefined): string | undefined {
    return uses?.split("@")[0];
}

/** The events that trigger a workflow, whatever form `on:` takes. */
function triggers(wf: Workflow): string[] {
    if (typeof wf.on === "string") return [wf.on];
    if (Array.isArray(wf.on)) return wf.on.filter((e): e is string => typeof e === "string");
    if (isObj(wf.on)) return Object.keys(wf.on);
    return [];
}

/** The stacks of the project: one per `Pulumi.<stack>.yaml` at the repository root. */
function stackFiles(dir: string): string[] {
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** Flattens the validator's nested errors into one line each: `path: title (detail)`. */
function flatten(errors: ValidationError[], prefix = ""): string[] {
    return errors.flatMap((e) => {
        const at =
            "path" in e ? e.path : "location" in e && e.location ? `line ${e.location.line}` : "";
        const line = `${prefix}${at}: ${e.title}${e.detail ? ` (${e.detail})` : ""}`;
        const nested =
            "states" in e && e.states
                ? e.states.flatMap((s) => flatten(s.errors, `${prefix}  `))
                : [];
        return [line, ...nested];
    });
}

// ---------------------------------------------------------------------------------------------
// Checks: each returns the problems found, naming the file and the job.

/** The workflow against the SchemaStore GitHub workflow schema. */
function schemaProblems(file: string, text: string): string[] {
    const { errors } = validateWorkflow(text);
    return errors.length === 0
        ? []
        : [`${file}: not a valid workflow:\n${flatten(errors).join("\n")}`];
}

/** The job's `matrix.stack` is exactly the project's stacks, with nothing added by `include`. */
function matrixProblems(wf: Workflow, jobName: string, stacks: string[]): string[] {
    const job = wf.jobs[jobName];
    const where = `${wf.file}: job '${jobName}'`;
    if (!job) return [`${where}: missing`];
    const matrix = job.strategy?.matrix;
    if (!isObj(matrix) || !Array.isArray(matrix.stack)) {
        return [`${where}: no strategy.matrix.stack list`];
    }
    const problems: string[] = [];
    const listed = matrix.stack.map(String);
    const missing = stacks.filter((s) => !listed.includes(s));
    const extra = listed.filter((s) => !stacks.includes(s));
    if (missing.length > 0) {
        problems.push(
            `${where}: matrix.stack misses ${missing.join(", ")} (Pulumi.<stack>.yaml exists)`,
        );
    }
    if (extra.length > 0) {
        problems.push(`${where}: matrix.stack lists ${extra.join(", ")}, which has no stack file`);
    }
    if (new Set(listed).size !== listed.length) {
        problems.push(`${where}: matrix.stack lists a stack twice`);
    }
    if ("include" in matrix || "exclude" in matrix) {
        problems.push(`${where}: matrix include/exclude would change the stack set`);
    }
    if (job.strategy?.["fail-fast"] !== false) {
        problems.push(`${where}: set strategy.fail-fast: false, so one stack cannot hide another`);
    }
    return problems;
}

/**
 * The gate job plans each stack with `--sarif <file>`, and uploads that exact file with a
 * per-stack category, even when the gate step failed (but only when the file exists), while the
 * gate step still fails the job.
 */
function gateProblems(wf: Workflow, jobName: string): string[] {
    const job = wf.jobs[jobName];
    const where = `${wf.file}: job '${jobName}'`;
    if (!job) return [`${where}: missing`];
    const all = steps(job);
    const gateIndex = all.findIndex((s) =>
        /npm run plan -- --stack \$\{\{ matrix\.stack \}\}(\s|$)/.test(s.run ?? ""),
    );
    if (gateIndex < 0)
        return [`${where}: no step runs 'npm run plan -- --stack \${{ matrix.stack }}'`];
    const gate = all[gateIndex];
    const problems: string[] = [];
    const sarif = /--sarif\s+("[^"]+"|'[^']+'|(?:\$\{\{[^}]*\}\}|[^\s"'])+)/
        .exec(gate.run ?? "")?.[1]
        ?.replace(/^["']|["']$/g, "");
    if (!sarif) return [`${where}: the plan step writes no --sarif file`];
    if (!sarif.includes("${{ matrix.stack }}")) {
        problems.push(`${where}: the SARIF file '${sarif}' is not per stack`);
    }
    if (gate["continue-on-error"] !== undefined && gate["continue-on-error"] !== false) {
        problems.push(
            `${where}: the plan step has continue-on-error: a violation must fail the job`,
        );
    }
    const uploads = all
        .map((s, i) => ({ s, i }))
        .filter(({ s }) => action(s.uses) === "github/codeql-action/upload-sarif");
    const upload = uploads.find(({ s }) => s.with?.sarif_file === sarif);
    if (!upload) {
        problems.push(`${where}: no upload-sarif step uploads '${sarif}'`);
        return problems;
    }
    const up = upload.s;
    if (upload.i < gateIndex) problems.push(`${where}: the SARIF is uploaded before it is written`);
    const category = typeof up.with?.category === "string" ? up.with.category : "";
    if (!category.includes("${{ matrix.stack }}")) {
        problems.push(`${where}: the upload's category '${category}' is not per stack`);
    }
    const condition = up.if ?? "";
    if (!/\balways\(\)/.test(condition)) {
        problems.push(`${where}: the upload must run when the gate failed: add always() to its if`);
    }
    if (!/\bhashFiles\(/.test(condition)) {
        problems.push(`${where}: the upload must be skipped when no SARIF was written (hashFiles)`);
    }
    if (up["continue-on-error"] === true) {
        problems.push(`${where}: the upload has continue-on-error: a failed upload must show`);
    }
    return problems;
}

/** Scopes that may be written, and the uses that justify each. */
const SARIF_ACTIONS = new Set([
    "github/codeql-action/upload-sarif",
    "github/codeql-action/analyze",
]);
const OIDC_ACTIONS = new Set([
    "pulumi/auth-actions",
    "aws-actions/configure-aws-credentials",
    "google-github-actions/auth",
    "azure/login",
]);

/**
 * A job that has nothing of the repository on its runner: no checkout. Only such a job may write
 * to the pull request (the comment with the offline diffs): a job that runs the pull request's
 * code must not hold a token that writes anything.
 */
function checksOutNothing(job: Job): boolean {
    return !steps(job).some((s) => action(s.uses) === "actions/checkout");
}

function uploadsSarif(job: Job): boolean {
    return steps(job).some((s) => SARIF_ACTIONS.has(action(s.uses) ?? ""));
}

function usesOidc(job: Job): boolean {
    const envs = [job.env, ...steps(job).map((s) => s.env)];
    return (
        steps(job).some((s) => OIDC_ACTIONS.has(action(s.uses) ?? "")) ||
        envs.some((e) => isObj(e) && String(e.ARM_USE_OIDC) === "true")
    );
}

/**
 * No write permission anywhere except `security-events: write` on jobs that upload SARIF and
 * `id-token: write` on jobs that use OIDC; the top level grants no write; no job falls back on
 * the repository's default token permissions.
 */
function permissionProblems(wf: Workflow): string[] {
    const problems: string[] = [];
    const top = wf.permissions;
    if (top === "write-all") {
        problems.push(`${wf.file}: top-level permissions: write-all`);
    } else if (isObj(top)) {
        for (const [scope, level] of Object.entries(top)) {
            if (level === "write") {
                problems.push(`${wf.file}: top-level permissions grant ${scope}: write`);
            }
        }
    } else if (top !== undefined && top !== "read-all") {
        problems.push(`${wf.file}: top-level permissions '${String(top)}' are not understood`);
    }
    for (const [name, job] of Object.entries(wf.jobs)) {
        const where = `${wf.file}: job '${name}'`;
        const perms = job.permissions;
        if (perms === undefined) {
            if (top === undefined) {
                problems.push(`${where}: no permissions here nor at the top level (default token)`);
            }
            continue;
        }
        if (perms === "write-all") {
            problems.push(`${where}: permissions: write-all`);
            continue;
        }
        if (perms === "read-all") continue;
        if (!isObj(perms)) {
            problems.push(`${where}: permissions '${String(perms)}' are not understood`);
            continue;
        }
        for (const [scope, level] of Object.entries(perms)) {
            if (level !== "write") continue;
            if (scope === "security-events" && uploadsSarif(job)) continue;
            if (scope === "id-token" && usesOidc(job)) continue;
            if (scope === "pull-requests" && checksOutNothing(job)) continue;
            problems.push(
                `${where}: ${scope}: write is not allowed` +
                    (scope === "security-events"
                        ? " (the job uploads no SARIF)"
                        : scope === "id-token"
                          ? " (the job uses no OIDC)"
                          : scope === "pull-requests"
                            ? " (the job checks out the repository)"
                            : ""),
            );
        }
    }
    return problems;
}

/** `pulumi` CLI commands that change a stack or its state. */
const PULUMI_WRITE =
    /\bpulumi\s+(up|update|destroy|refresh|import|cancel|state\b|stack\s+(rm|init|import)|config\s+(set|rm))\b/;

/** Steps that change a stack: `pulumi up`/`destroy`/..., or pulumi/actions other than preview. */
function deployProblems(wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [name, job] of Object.entries(wf.jobs)) {
        steps(job).forEach((step, i) => {
            const where = `${wf.file}: job '${name}' ${stepName(step, i)}`;
            const run = step.run ?? "";
            const match = PULUMI_WRITE.exec(run);
            if (match) problems.push(`${where}: runs 'pulumi ${match[1]}'`);
            if (action(step.uses) === "pulumi/actions") {
                const command = step.with?.command;
                if (command !== "preview") {
                    problems.push(`${where}: pulumi/actions with command '${String(command)}'`);
                }
                for (const input of ["upsert", "remove"]) {
                    const value = step.with?.[input];
                    if (value !== undefined && String(value) !== "false") {
                        problems.push(`${where}: pulumi/actions with ${input}: ${String(value)}`);
                    }
                }
            }
        });
    }
    return problems;
}

/**
 * Pulumi Cloud tokens from pulumi/auth-actions are team tokens of a named team
 * (`requested-token-type: urn:pulumi:token-type:access_token:team`, `scope: team:<name>`:
 * pulumi/auth-actions v2.1.0 action.yml; pulumi/docs administration/guides/oidc-issuers/github.md,
 * "Team tokens"), never organization tokens, which act for the whole organization, nor personal
 * ones. deployments/ gives the team read on the stacks and nothing else.
 */
function pulumiTokenProblems(wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [name, job] of Object.entries(wf.jobs)) {
        steps(job).forEach((step, i) => {
            if (action(step.uses) !== "pulumi/auth-actions") return;
            const where = `${wf.file}: job '${name}' ${stepName(step, i)}`;
            const type = String(step.with?.["requested-token-type"] ?? "");
            const scope = String(step.with?.scope ?? "");
            if (type !== "urn:pulumi:token-type:access_token:team") {
                problems.push(
                    `${where}: requests '${type || "no token type"}', not a team token (urn:pulumi:token-type:access_token:team)`,
                );
            }
            if (!/^team:[A-Za-z0-9][A-Za-z0-9_-]*(\$\{\{ matrix\.stack \}\})?$/.test(scope)) {
                problems.push(`${where}: scope '${scope}' names no team (team:<name>)`);
            }
        });
    }
    return problems;
}

/**
 * The preview job of each stack runs in that stack's own GitHub environment and with that
 * stack's own Pulumi team, and reads nothing from the clouds but what the program's invokes ask
 * (docs/permissions.md#pull-request-previews):
 * - `environment: pr-preview-${{ matrix.stack }}` (deployments/permissions.ts
 *   PREVIEW_ENVIRONMENT_PREFIX). This reverses the earlier rule of no environment at all: that
 *   rule kept the subject `repo:<repo>:pull_request`, one subject for every stack, so any pull
 *   request's job could take prod's identities and read prod's secret config. With an
 *   environment the subject is `repo:<repo>:environment:<name>` ("Filtering for a specific
 *   environment", GitHub's OpenID Connect reference), one per stack, and the environment's
 *   required reviewers hold a protected stack's job before it starts;
 * - a Pulumi team per stack (`scope: team:<prefix>-${{ matrix.stack }}`): one team for all
 *   stacks would read them all;
 * - no refresh (pulumi/actions `refresh`, or `--refresh` in its options): a refresh reads every
 *   resource, which the preview identities may not.
 */
function previewReadOnlyProblems(wf: Workflow, jobName: string): string[] {
    const job = wf.jobs[jobName];
    const where = `${wf.file}: job '${jobName}'`;
    if (!job) return [`${where}: missing`];
    const problems: string[] = [];
    const expected = `${PREVIEW_ENVIRONMENT_PREFIX}\${{ matrix.stack }}`;
    const environment = isObj(job.environment) ? job.environment.name : job.environment;
    if (environment !== expected) {
        problems.push(
            `${where}: runs in ${environment === undefined ? "no environment" : `environment '${String(environment)}'`}, not '${expected}': each stack's identities trust its own environment's subject only, and a protected stack's environment holds the job for a reviewer`,
        );
    }
    steps(job).forEach((step, i) => {
        if (action(step.uses) === "pulumi/auth-actions") {
            const scope = String(step.with?.scope ?? "");
            if (!scope.endsWith("-${{ matrix.stack }}")) {
                problems.push(
                    `${where} ${stepName(step, i)}: scope '${scope}' is not a team per stack (team:<prefix>-\${{ matrix.stack }}): one team for every stack reads them all`,
                );
            }
        }
        if (action(step.uses) !== "pulumi/actions") return;
        const refresh = step.with?.refresh;
        const options = String(step.with?.options ?? "");
        if ((refresh !== undefined && String(refresh) !== "false") || /--refresh\b/.test(options)) {
            problems.push(
                `${where} ${stepName(step, i)}: refreshes, which reads every resource with the preview identities`,
            );
        }
    });
    return problems;
}

/**
 * A workflow triggered on push touches no stack at all: no pulumi/actions, no Pulumi CLI, no
 * cloud or Pulumi Cloud identity. Pulumi Deployments deploys on push, never Actions.
 */
function pushProblems(wf: Workflow): string[] {
    if (!triggers(wf).includes("push")) return [];
    const problems: string[] = [];
    for (const [name, job] of Object.entries(wf.jobs)) {
        if (job.uses) {
            problems.push(`${wf.file}: job '${name}': calls a reusable workflow on push`);
        }
        steps(job).forEach((step, i) => {
            const where = `${wf.file}: job '${name}' ${stepName(step, i)}`;
            const used = action(step.uses) ?? "";
            if (used === "pulumi/actions" || OIDC_ACTIONS.has(used)) {
                problems.push(`${where}: uses ${used} in a workflow triggered on push`);
            }
            if (/\bpulumi\s+\w/.test(step.run ?? "")) {
                problems.push(`${where}: runs the Pulumi CLI in a workflow triggered on push`);
            }
        });
        if (isObj(job.permissions) && job.permissions["id-token"] === "write") {
            problems.push(`${wf.file}: job '${name}': id-token: write in a workflow run on push`);
        }
    }
    return problems;
}

/** No stored secret: identities come from OIDC, identifiers from repository variables. */
function secretProblems(file: string, text: string): string[] {
    return text
        .split("\n")
        .map((line, i) => ({ line, n: i + 1 }))
        .filter(({ line }) => /\bsecrets\s*(\.|\[)|\bsecrets\s*:\s*inherit\b/.test(line))
        .map(({ line, n }) => `${file}:${n}: reads a secret: ${line.trim()}`);
}

const VERSION_TAG = /^v\d+(\.\d+){0,2}$/;
const COMMIT_SHA = /^[0-9a-f]{40}$/;

/** Every `uses:` is local, or pinned to a version tag or a full commit SHA (never a branch). */
function pinProblems(wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [name, job] of Object.entries(wf.jobs)) {
        const uses = [
            ...(job.uses ? [{ where: `job '${name}'`, uses: job.uses }] : []),
            ...steps(job)
                .map((s, i) => ({ where: `job '${name}' ${stepName(s, i)}`, uses: s.uses }))
                .filter((u): u is { where: string; uses: string } => u.uses !== undefined),
        ];
        for (const u of uses) {
            if (u.uses.startsWith("./")) continue;
            if (u.uses.startsWith("docker://")) {
                if (!/@sha256:[0-9a-f]{64}$/.test(u.uses)) {
                    problems.push(`${wf.file}: ${u.where}: ${u.uses} is not pinned to a digest`);
                }
                continue;
            }
            const at = u.uses.lastIndexOf("@");
            const ref = at < 0 ? "" : u.uses.slice(at + 1);
            if (!VERSION_TAG.test(ref) && !COMMIT_SHA.test(ref)) {
                problems.push(
                    `${wf.file}: ${u.where}: '${u.uses}' is not pinned to a version tag or a commit SHA`,
                );
            }
        }
    }
    return problems;
}

/**
 * `uses: owner/repo[/path]@<40-hex SHA> # vX.Y.Z` on one line, the form whose comment Dependabot
 * rewrites with the SHA (it rewrites a trailing comment that ends with the version of a tag on the
 * old SHA). Local actions are exempt and `docker://` is left to the digest check. Read from the
 * text, since the parsed YAML drops comments; every `uses:` the parser sees must be on such a
 * line, so nothing escapes (flow style, a value on the next line). Within the workflows given,
 * one SHA has one version and one version of an action has one SHA.
 */
const USES_LINE = /^\s*(?:-\s+)?uses:\s*(["']?)([^\s"'#]+)\1(?:\s+#\s*(.*?))?\s*$/;
const SHA_PIN = /^([^@\s]+)@([0-9a-f]{40})$/;
const RELEASE_COMMENT = /^v\d+\.\d+\.\d+$/;

function shaPinProblems(files: { file: string; text: string }[]): string[] {
    const problems: string[] = [];
    const versionOf = new Map<string, { version: string; at: string }>();
    const shaOf = new Map<string, { sha: string; at: string }>();
    for (const { file, text } of files) {
        const lines = text.split("\n");
        const scanned = new Set<string>();
        lines.forEach((line, i) => {
            const match = USES_LINE.exec(line);
            if (!match) return;
            const [, , uses, comment] = match;
            scanned.add(uses);
            if (uses.startsWith("./") || uses.startsWith("docker://")) return;
            const at = `${file}:${i + 1}`;
            const pin = SHA_PIN.exec(uses);
            if (!pin) {
                problems.push(`${at}: '${uses}' is not pinned to a full commit SHA`);
                return;
            }
            if (comment === undefined || !RELEASE_COMMENT.test(comment)) {
                problems.push(
                    `${at}: '${uses}' needs its release as the comment, e.g. '# v1.2.3'` +
                        (comment === undefined ? "" : ` (not '# ${comment}')`),
                );
                return;
            }
            const repo = pin[1].split("/").slice(0, 2).join("/");
            const sha = pin[2];
            const known = versionOf.get(sha);
            if (known && known.version !== comment) {
                problems.push(
                    `${at}: ${sha} is ${comment} here but ${known.version} at ${known.at}`,
                );
            } else if (!known) {
                versionOf.set(sha, { version: comment, at });
            }
            const release = `${repo} ${comment}`;
            const same = shaOf.get(release);
            if (same && same.sha !== sha) {
                problems.push(`${at}: ${release} is ${sha} here but ${same.sha} at ${same.at}`);
            } else if (!same) {
                shaOf.set(release, { sha, at });
            }
        });
        const parsed = Object.values(workflow(file, text).jobs).flatMap((job) => [
            ...(typeof job.uses === "string" ? [job.uses] : []),
            ...steps(job)
                .map((step) => step.uses)
                .filter((u): u is string => typeof u === "string"),
        ]);
        for (const uses of parsed) {
            if (!scanned.has(uses)) {
                problems.push(
                    `${file}: 'uses: ${uses}' is not written as 'uses: <ref> # <release>'`,
                );
            }
        }
    }
    return problems;
}

const ECOSYSTEMS = new Set([
    "bundler",
    "cargo",
    "composer",
    "devcontainers",
    "docker",
    "docker-compose",
    "dotnet-sdk",
    "elm",
    "github-actions",
    "gitsubmodule",
    "gomod",
    "gradle",
    "helm",
    "maven",
    "mix",
    "npm",
    "nuget",
    "pip",
    "pub",
    "swift",
    "terraform",
    "uv",
]);
const INTERVALS = new Set(["daily", "weekly", "monthly", "quarterly", "semiannually", "yearly"]);
const UPDATE_KEYS = new Set([
    "package-ecosystem",
    "cooldown",
    "directory",
    "directories",
    "schedule",
    "groups",
    "allow",
    "ignore",
    "open-pull-requests-limit",
    "commit-message",
    "labels",
    "assignees",
    "reviewers",
    "milestone",
    "rebase-strategy",
    "target-branch",
    "versioning-strategy",
    "registries",
    "vendor",
    "insecure-external-code-execution",
    "pull-request-branch-name",
    "cooldown",
]);
const GROUP_KEYS = new Set([
    "applies-to",
    "dependency-type",
    "patterns",
    "exclude-patterns",
    "update-types",
]);

/** The structure of a dependabot.yml (version 2), with its keys checked against the known set. */
function dependabotProblems(file: string, value: unknown): string[] {
    if (!isObj(value)) return [`${file}: not a mapping`];
    const problems: string[] = [];
    if (value.version !== 2) problems.push(`${file}: version must be 2`);
    if (!Array.isArray(value.updates) || value.updates.length === 0) {
        return [...problems, `${file}: no updates`];
    }
    (value.updates as unknown[]).forEach((u, i) => {
        const where = `${file}: updates[${i}]`;
        if (!isObj(u)) {
            problems.push(`${where}: not a mapping`);
            return;
        }
        for (const key of Object.keys(u)) {
            if (!UPDATE_KEYS.has(key)) problems.push(`${where}: unknown key '${key}'`);
        }
        const ecosystem = u["package-ecosystem"];
        if (typeof ecosystem !== "string" || !ECOSYSTEMS.has(ecosystem)) {
            problems.push(`${where}: package-ecosystem '${String(ecosystem)}' is not known`);
        }
        if (typeof u.directory !== "string" || !u.directory.startsWith("/")) {
            problems.push(`${where}: directory must be a path from the repository root`);
        }
        const interval = isObj(u.schedule) ? u.schedule.interval : undefined;
        if (typeof interval !== "string" || !INTERVALS.has(interval)) {
            problems.push(`${where}: schedule.interval '${String(interval)}' is not known`);
        }
        if (u.groups !== undefined) {
            if (!isObj(u.groups)) {
                problems.push(`${where}: groups must be a mapping`);
            } else {
                for (const [name, group] of Object.entries(u.groups)) {
                    if (!isObj(group)) {
                        problems.push(`${where}: group '${name}' is not a mapping`);
                        continue;
                    }
                    for (const key of Object.keys(group)) {
                        if (!GROUP_KEYS.has(key)) {
                            problems.push(`${where}: group '${name}': unknown key '${key}'`);
                        }
                    }
                    if (!("patterns" in group) && !("dependency-type" in group)) {
                        problems.push(`${where}: group '${name}' selects nothing`);
                    }
                    if (
                        "patterns" in group &&
                        (!Array.isArray(group.patterns) ||
                            !group.patterns.every((p) => typeof p === "string"))
                    ) {
                        problems.push(`${where}: group '${name}': patterns must be strings`);
                    }
                }
            }
        }
    });
    return problems;
}

/** The updates this repository needs: each ecosystem in the directory that holds its files. */
const REQUIRED_UPDATES = [
    { ecosystem: "npm", directory: "/", files: ["package.json", "package-lock.json"] },
    { ecosystem: "github-actions", directory: "/", files: [".github/workflows"] },
    { ecosystem: "pip", directory: "/app", files: ["app/requirements.txt"] },
    { ecosystem: "docker", directory: "/app", files: ["app/Dockerfile"] },
    {
        ecosystem: "gomod",
        directory: "/.ci/tools",
        files: [".ci/tools/go.mod", ".ci/tools/go.sum"],
    },
];

/**
 * Each required ecosystem has an update for its directory, weekly; and each of those directories
 * holds the files the ecosystem reads (so a moved manifest shows here, not as a silent no-op).
 */
function coverageProblems(file: string, value: unknown, repoDir: string): string[] {
    const updates = isObj(value) && Array.isArray(value.updates) ? value.updates : [];
    const problems: string[] = [];
    for (const { ecosystem, directory, files } of REQUIRED_UPDATES) {
        const update = updates.find(
            (u): u is Obj =>
                isObj(u) &&
                u["package-ecosystem"] === ecosystem &&
                (u.directory === directory ||
                    (Array.isArray(u.directories) && u.directories.includes(directory))),
        );
        if (!update) {
            problems.push(`${file}: no ${ecosystem} update for ${directory}`);
            continue;
        }
        const interval = isObj(update.schedule) ? update.schedule.interval : undefined;
        if (interval !== "weekly") {
            problems.push(
                `${file}: ${ecosystem} ${directory} runs ${String(interval)}, not weekly`,
            );
        }
        // A release waits before Dependabot proposes it, so that a compromised one is likely
        // pulled first; security updates ignore the cooldown (GitHub's Dependabot options
        // reference, `cooldown`: 1-90 days, version updates only).
        const days = isObj(update.cooldown) ? update.cooldown["default-days"] : undefined;
        if (typeof days !== "number" || !Number.isInteger(days) || days < 1 || days > 90) {
            problems.push(
                `${file}: ${ecosystem} ${directory} has no cooldown: add cooldown.default-days (1-90, e.g. 7)`,
            );
        }
        for (const f of files) {
            if (!fs.existsSync(path.join(repoDir, f))) {
                problems.push(`${file}: ${ecosystem} ${directory}: ${f} does not exist`);
            }
        }
    }
    return problems;
}

// ---------------------------------------------------------------------------------------------
// The repository

const workflowFiles = fs
    .readdirSync(WORKFLOW_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => `.github/workflows/${f}`);
const texts = new Map(
    workflowFiles.map((f) => [f, fs.readFileSync(path.join(REPO_DIR, f), "utf8")] as const),
);
const workflows = workflowFiles.map((f) => workflow(f, texts.get(f)!));
const byFile = new Map(workflows.map((w) => [w.file, w]));
const stacks = stackFiles(REPO_DIR);

function wf(file: string): Workflow {
    const found = byFile.get(file);
    if (!found) throw new Error(`${file} is missing`);
    return found;
}

describe(".github/workflows", () => {
    it("holds the pull-request and CodeQL workflows", () => {
        expect(workflowFiles).toEqual(expect.arrayContaining([PR_WORKFLOW, CODEQL_WORKFLOW]));
    });

    it("validates every workflow against the GitHub workflow schema", () => {
        expect(workflowFiles.flatMap((f) => schemaProblems(f, texts.get(f)!))).toEqual([]);
    });

    it("finds the project's stacks from the Pulumi.<stack>.yaml files", () => {
        expect(stacks).toEqual(expect.arrayContaining(["dev", "prod"]));
    });

    it("gates and previews exactly the stacks that have a Pulumi.<stack>.yaml", () => {
        expect([
            ...matrixProblems(wf(PR_WORKFLOW), GATE_JOB, stacks),
            ...matrixProblems(wf(PR_WORKFLOW), PREVIEW_JOB, stacks),
        ]).toEqual([]);
    });

    it("plans each stack with --sarif and uploads that file under a per-stack category", () => {
        expect(gateProblems(wf(PR_WORKFLOW), GATE_JOB)).toEqual([]);
    });

    it("diffs each stack against the pull request's base, and posts it from a job without code", () => {
        const pr = wf(PR_WORKFLOW);
        const gate = steps(pr.jobs[GATE_JOB]);
        // The base commit must be in the clone: a full fetch.
        expect(gate.find((s) => action(s.uses) === "actions/checkout")?.with).toMatchObject({
            "fetch-depth": 0,
        });
        const diff = gate.findIndex((s) =>
            (s.run ?? "").includes(
                'npm run plan -- --stack ${{ matrix.stack }} --no-policy --diff "$BASE_SHA" --markdown offline-diff-${{ matrix.stack }}.md',
            ),
        );
        expect(diff).toBeGreaterThan(0);
        expect(gate[diff].env).toEqual({ BASE_SHA: "${{ github.event.pull_request.base.sha }}" });
        // Informational: a base that does not plan must not fail the gate.
        expect(gate[diff]["continue-on-error"]).toBe(true);
        const upload = gate.findIndex((s) => action(s.uses) === "actions/upload-artifact");
        expect(upload).toBeGreaterThan(diff);
        expect(gate[upload].with).toMatchObject({
            name: "offline-diff-${{ matrix.stack }}",
            path: "offline-diff-${{ matrix.stack }}.md",
        });
        const comment = pr.jobs["plan-comment"];
        expect(comment.needs).toEqual([GATE_JOB]);
        expect(comment.permissions).toEqual({ "pull-requests": "write" });
        expect(checksOutNothing(comment)).toBe(true);
        // Forks' tokens cannot write: skipped for them, and run even when the gate failed.
        expect(comment.if).toContain(
            "github.event.pull_request.head.repo.full_name == github.repository",
        );
        expect(comment.if).toContain("always()");
        expect(
            steps(comment)
                .map((s) => action(s.uses))
                .filter(Boolean),
        ).toEqual(["actions/download-artifact"]);
    });

    it("grants no write permission beyond SARIF uploads, OIDC and the diff comment, at any level", () => {
        expect(workflows.flatMap(permissionProblems)).toEqual([]);
    });

    it("never deploys: no pulumi up/destroy/refresh, pulumi/actions only previews", () => {
        expect(workflows.flatMap(deployProblems)).toEqual([]);
    });

    it("touches no stack and holds no cloud identity in workflows triggered on push", () => {
        expect(workflows.flatMap(pushProblems)).toEqual([]);
    });

    it("reads no stored secret (OIDC and repository variables only)", () => {
        expect(workflowFiles.flatMap((f) => secretProblems(f, texts.get(f)!))).toEqual([]);
    });

    it("asks Pulumi Cloud for a team token only, never an organization one", () => {
        expect(workflows.flatMap(pulumiTokenProblems)).toEqual([]);
        // Not vacuous: the preview job does ask for one.
        expect(
            steps(wf(PR_WORKFLOW).jobs[PREVIEW_JOB]).filter(
                (s) => action(s.uses) === "pulumi/auth-actions",
            ),
        ).toHaveLength(1);
    });

    it("previews each stack in its own environment with its own team, and no refresh", () => {
        expect(previewReadOnlyProblems(wf(PR_WORKFLOW), PREVIEW_JOB)).toEqual([]);
    });

    it("pins every action to a version tag or a commit SHA", () => {
        expect(workflows.flatMap(pinProblems)).toEqual([]);
    });

    it("pins every remote action to a commit SHA with its release in a comment", () => {
        const files = workflowFiles.map((file) => ({ file, text: texts.get(file)! }));
        const pinned = files.flatMap(({ text }) =>
            text.split("\n").filter((l) => USES_LINE.exec(l)?.[2].includes("@")),
        );
        expect(pinned.length).toBeGreaterThan(10);
        expect(shaPinProblems(files)).toEqual([]);
    });

    it("fails the repository's workflows once a pin goes back to a tag", () => {
        const file = PR_WORKFLOW;
        const text = texts
            .get(file)!
            .replace(/actions\/checkout@[0-9a-f]{40} # v[\d.]+/, "actions/checkout@v7");
        expect(text).not.toBe(texts.get(file));
        expect(shaPinProblems([{ file, text }])).toEqual([
            expect.stringMatching(/: 'actions\/checkout@v7' is not pinned to a full commit SHA$/),
        ]);
    });

    it("runs the pull-request workflow on pull requests, cancelling superseded runs", () => {
        const pr = wf(PR_WORKFLOW);
        expect(triggers(pr)).toContain("pull_request");
        expect(triggers(pr)).not.toContain("push");
        expect(pr.permissions).toEqual({});
        const concurrency = parse(pr.text) as { concurrency?: Obj };
        expect(concurrency.concurrency).toEqual({
            group: expect.stringContaining("github.event.pull_request.number") as unknown,
            "cancel-in-progress": true,
        });
    });

    /**
     * .ci/app-tests runs the app's tests on `$PYTHON` (default python3.11, the image's Python;
     * ubuntu-24.04 ships 3.12) and installs missing Debian packages only as root: the job sets
     * up Python 3.11 with actions/setup-python (its `python-path` output, action.yml v7.0.0),
     * installs the rest with sudo, and hands the interpreter to .ci/run.
     */
    it("runs .ci/run in checks on Python 3.11, after installing the app tests' packages with sudo", () => {
        const all = steps(wf(PR_WORKFLOW).jobs.checks);
        const python = all.findIndex((s) => action(s.uses) === "actions/setup-python");
        expect(python).toBeGreaterThanOrEqual(0);
        expect(all[python]).toMatchObject({ id: "python", with: { "python-version": "3.11" } });
        const apt = all.findIndex(
            (s) =>
                s.run ===
                "sudo apt-get update && sudo apt-get install -y --no-install-recommends gcc libpq-dev postgresql openssl",
        );
        const ci = all.findIndex((s) => s.run === "bash .ci/run");
        expect(apt).toBeGreaterThan(python);
        expect(ci).toBeGreaterThan(apt);
        expect(all[ci].env).toEqual({ PYTHON: "${{ steps.python.outputs.python-path }}" });
        // .ci/app-tests reads PYTHON (read, not edited here).
        expect(fs.readFileSync(path.join(REPO_DIR, ".ci", "app-tests"), "utf8")).toContain(
            "PYTHON=${PYTHON:-python3.11}",
        );
    });

    it("sets up Node.js 20 with the npm cache in every job that installs packages", () => {
        const problems: string[] = [];
        for (const w of workflows) {
            for (const [name, job] of Object.entries(w.jobs)) {
                const all = steps(job);
                if (!all.some((s) => /\bnpm ci\b|bash \.ci\/run/.test(s.run ?? ""))) continue;
                const setup = all.find((s) => action(s.uses) === "actions/setup-node");
                if (
                    String(setup?.with?.["node-version"]) !== "20" ||
                    setup?.with?.cache !== "npm"
                ) {
                    problems.push(`${w.file}: job '${name}': no setup-node 20 with cache: npm`);
                }
            }
        }
        expect(problems).toEqual([]);
    });

    it("previews each stack with OIDC identities, the policy pack and its generated config", () => {
        const job = wf(PR_WORKFLOW).jobs[PREVIEW_JOB];
        expect(job.needs).toEqual(["checks", GATE_JOB]);
        expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
        // Pull requests from forks get no OIDC token: the job must not run for them. Nor for
        // other events: the preview environments admit pull-request refs only.
        // Dependabot's pull requests run as if from a fork, without an OIDC token (GitHub's
        // GITHUB_TOKEN reference): skipped rather than failed, or held for prod's reviewers.
        expect(job.if).toBe(
            "github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name == github.repository && github.actor != 'dependabot[bot]'",
        );
        const all = steps(job);
        const find = (name: string): Step | undefined => all.find((s) => action(s.uses) === name);
        expect(find("aws-actions/configure-aws-credentials")?.with).toEqual({
            "role-to-assume": "${{ vars[format('AWS_ROLE_ARN_{0}', matrix.stack)] }}",
            "aws-region": "${{ vars[format('AWS_REGION_{0}', matrix.stack)] }}",
        });
        expect(find("google-github-actions/auth")?.with).toEqual({
            workload_identity_provider:
                "${{ vars[format('GCP_WORKLOAD_IDENTITY_PROVIDER_{0}', matrix.stack)] }}",
            service_account: "${{ vars[format('GCP_SERVICE_ACCOUNT_{0}', matrix.stack)] }}",
        });
        // The stack's team token (deployments/: read on that stack; the pattern is checked
        // against deployments/Pulumi.settings.yaml in tests/deployments.test.ts), in the
        // stack's environment.
        expect(job.environment).toBe("pr-preview-${{ matrix.stack }}");
        expect(find("pulumi/auth-actions")?.with).toEqual({
            organization: "${{ vars.PULUMI_ORG }}",
            "requested-token-type": "urn:pulumi:token-type:access_token:team",
            scope: "team:multicloud-pr-preview-${{ matrix.stack }}",
            // No longer than the issuer grants (deployments/index.ts, maxExpirationSeconds).
            "token-expiration": 3600,
        });
        const config = "${{ runner.temp }}/policy-config-${{ matrix.stack }}.json";
        const generate = all.findIndex((s) =>
            (s.run ?? "").startsWith(
                'npm run policy-config -- --stack ${{ matrix.stack }} --out "$RUNNER_TEMP/policy-config-${{ matrix.stack }}.json"',
            ),
        );
        const preview = all.findIndex((s) => action(s.uses) === "pulumi/actions");
        expect(generate).toBeGreaterThanOrEqual(0);
        expect(preview).toBeGreaterThan(generate);
        // Every identity is in place before the preview runs.
        for (const name of OIDC_ACTIONS) {
            if (name === "azure/login") continue;
            expect(all.findIndex((s) => action(s.uses) === name)).toBeLessThan(preview);
        }
        expect(all[preview].with).toEqual({
            command: "preview",
            "stack-name": "${{ vars.PULUMI_ORG }}/${{ matrix.stack }}",
            policyPacks: "policy",
            policyPackConfigs: config,
            "comment-on-pr": false,
        });
        expect(all[preview].env).toEqual({
            ARM_USE_OIDC: "true",
            ARM_CLIENT_ID: "${{ vars[format('AZURE_CLIENT_ID_{0}', matrix.stack)] }}",
            ARM_TENANT_ID: "${{ vars[format('AZURE_TENANT_ID_{0}', matrix.stack)] }}",
            ARM_SUBSCRIPTION_ID: "${{ vars[format('AZURE_SUBSCRIPTION_ID_{0}', matrix.stack)] }}",
        });
    });

    it("scans JavaScript/TypeScript and Python with CodeQL on PRs, pushes to main and weekly", () => {
        const codeql = wf(CODEQL_WORKFLOW);
        expect(triggers(codeql).sort()).toEqual(["pull_request", "push", "schedule"]);
        expect(codeql.on).toMatchObject({ push: { branches: ["main"] } });
        const job = codeql.jobs.analyze;
        expect(job.permissions).toEqual({
            actions: "read",
            contents: "read",
            "security-events": "write",
        });
        expect(job.strategy?.matrix).toEqual({ language: ["javascript-typescript", "python"] });
        const init = steps(job).find((s) => action(s.uses) === "github/codeql-action/init");
        expect(init?.with).toMatchObject({
            languages: "${{ matrix.language }}",
            queries: "security-extended",
        });
        const analyze = steps(job).find((s) => action(s.uses) === "github/codeql-action/analyze");
        expect(analyze?.with?.category).toBe("/language:${{ matrix.language }}");
    });
});

describe(".github/dependabot.yml", () => {
    const value: unknown = parse(fs.readFileSync(DEPENDABOT_FILE, "utf8"));

    it("is a well-formed version 2 configuration", () => {
        expect(dependabotProblems(".github/dependabot.yml", value)).toEqual([]);
    });

    it("updates npm and the actions at /, pip and docker at /app, weekly", () => {
        expect(coverageProblems(".github/dependabot.yml", value, REPO_DIR)).toEqual([]);
    });

    it("updates npm and the GitHub Actions at the root, and pip, weekly and grouped", () => {
        const updates = (value as { updates: Obj[] }).updates;
        for (const ecosystem of ["npm", "github-actions", "pip"]) {
            const update = updates.find((u) => u["package-ecosystem"] === ecosystem);
            expect(update).toMatchObject({
                directory: ecosystem === "pip" ? "/app" : "/",
                schedule: { interval: "weekly" },
            });
            expect(Object.keys((update?.groups as Obj | undefined) ?? {}).length).toBeGreaterThan(
                0,
            );
        }
    });
});

// ---------------------------------------------------------------------------------------------
// Negative controls: every check reports a broken workflow.

/** A minimal good pull-request workflow, edited by each negative test. */
const GOOD = `
on: pull_request
permissions: {}
jobs:
  policy-gate:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      security-events: write
    strategy:
      fail-fast: false
      matrix:
        stack: [dev, prod]
    steps:
      - uses: actions/checkout@v7
      - run: npm run plan -- --stack \${{ matrix.stack }} --sarif gate-\${{ matrix.stack }}.sarif
      - if: always() && hashFiles('gate-*.sarif') != ''
        uses: github/codeql-action/upload-sarif@v4
        with:
          sarif_file: gate-\${{ matrix.stack }}.sarif
          category: gate-\${{ matrix.stack }}
  preview:
    runs-on: ubuntu-24.04
    environment: pr-preview-\${{ matrix.stack }}
    permissions:
      contents: read
      id-token: write
    strategy:
      fail-fast: false
      matrix:
        stack: [dev, prod]
    steps:
      - uses: pulumi/auth-actions@0123456789abcdef0123456789abcdef01234567
        with:
          organization: acme
          requested-token-type: urn:pulumi:token-type:access_token:team
          scope: team:pr-preview-\${{ matrix.stack }}
      - uses: pulumi/actions@v7.1.0
        with:
          command: preview
          stack-name: acme/\${{ matrix.stack }}
`;

function good(): Workflow {
    return workflow("good.yml", GOOD);
}

/** The good workflow with `edit` applied to its parsed value. */
function edited(edit: (w: Workflow) => void): Workflow {
    const w = good();
    edit(w);
    return w;
}

describe("workflow checks reject broken workflows", () => {
    it("passes the good workflow", () => {
        const w = good();
        expect([
            ...schemaProblems(w.file, w.text),
            ...matrixProblems(w, GATE_JOB, ["dev", "prod"]),
            ...matrixProblems(w, PREVIEW_JOB, ["dev", "prod"]),
            ...gateProblems(w, GATE_JOB),
            ...permissionProblems(w),
            ...deployProblems(w),
            ...pushProblems(w),
            ...secretProblems(w.file, w.text),
            ...pinProblems(w),
            ...pulumiTokenProblems(w),
            ...previewReadOnlyProblems(w, PREVIEW_JOB),
        ]).toEqual([]);
    });

    it("has a schema validator that rejects invalid workflows", () => {
        const broken = `on: pull_request
jobs:
  a:
    runs-on: ubuntu-24.04
    permissions:
      contents: sometimes
    steps:
      - naem: typo
        run: echo
`;
        const problems = schemaProblems("broken.yml", broken);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/^broken\.yml: not a valid workflow:/);
        expect(problems[0]).toContain("/jobs/a/permissions/contents");
        expect(problems[0]).toContain("Additional property 'naem' is not allowed");
        expect(schemaProblems("no-jobs.yml", "on: push\n")).toHaveLength(1);
        expect(schemaProblems("bad-event.yml", "on: pul_request\njobs: {}\n")).toHaveLength(1);
    });

    it("reports a stack file the matrix misses, a stack without a file and include", () => {
        const w = good();
        expect(matrixProblems(w, GATE_JOB, ["dev", "prod", "staging"])).toEqual([
            "good.yml: job 'policy-gate': matrix.stack misses staging (Pulumi.<stack>.yaml exists)",
        ]);
        expect(matrixProblems(w, PREVIEW_JOB, ["dev"])).toEqual([
            "good.yml: job 'preview': matrix.stack lists prod, which has no stack file",
        ]);
        const included = edited((x) => {
            x.jobs[GATE_JOB].strategy = {
                "fail-fast": true,
                matrix: { stack: ["dev", "prod"], include: [{ stack: "qa" }] },
            };
        });
        expect(matrixProblems(included, GATE_JOB, ["dev", "prod"])).toEqual([
            "good.yml: job 'policy-gate': matrix include/exclude would change the stack set",
            "good.yml: job 'policy-gate': set strategy.fail-fast: false, so one stack cannot hide another",
        ]);
        expect(matrixProblems(good(), "gone", ["dev"])).toEqual(["good.yml: job 'gone': missing"]);
    });

    it("reads the stacks from the Pulumi.<stack>.yaml files", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
        try {
            for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.qa.yml", "README.md"]) {
                fs.writeFileSync(path.join(dir, f), "");
            }
            expect(stackFiles(dir)).toEqual(["dev", "qa"]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("reports a gate without --sarif, a wrong upload, a shared category or a lost failure", () => {
        const noSarif = edited((x) => {
            steps(x.jobs[GATE_JOB])[1].run = "npm run plan -- --stack ${{ matrix.stack }}";
        });
        expect(gateProblems(noSarif, GATE_JOB)).toEqual([
            "good.yml: job 'policy-gate': the plan step writes no --sarif file",
        ]);
        const noPlan = edited((x) => {
            steps(x.jobs[GATE_JOB])[1].run = "npm run plan -- --stack dev --sarif gate.sarif";
        });
        expect(gateProblems(noPlan, GATE_JOB)).toEqual([
            "good.yml: job 'policy-gate': no step runs 'npm run plan -- --stack ${{ matrix.stack }}'",
        ]);
        const otherFile = edited((x) => {
            steps(x.jobs[GATE_JOB])[2].with!.sarif_file = "other.sarif";
        });
        expect(gateProblems(otherFile, GATE_JOB)).toEqual([
            "good.yml: job 'policy-gate': no upload-sarif step uploads 'gate-${{ matrix.stack }}.sarif'",
        ]);
        const loose = edited((x) => {
            const [, gate, upload] = steps(x.jobs[GATE_JOB]);
            gate["continue-on-error"] = true;
            upload.with!.category = "policy-gate";
            upload.if = "success()";
        });
        expect(gateProblems(loose, GATE_JOB)).toEqual([
            "good.yml: job 'policy-gate': the plan step has continue-on-error: a violation must fail the job",
            "good.yml: job 'policy-gate': the upload's category 'policy-gate' is not per stack",
            "good.yml: job 'policy-gate': the upload must run when the gate failed: add always() to its if",
            "good.yml: job 'policy-gate': the upload must be skipped when no SARIF was written (hashFiles)",
        ]);
        const early = edited((x) => {
            const all = steps(x.jobs[GATE_JOB]);
            x.jobs[GATE_JOB].steps = [all[0], all[2], all[1]];
        });
        expect(gateProblems(early, GATE_JOB)).toEqual([
            "good.yml: job 'policy-gate': the SARIF is uploaded before it is written",
        ]);
    });

    it("reports write permissions beyond SARIF uploads and OIDC, and default tokens", () => {
        const broad = edited((x) => {
            x.permissions = { contents: "write" };
            x.jobs[GATE_JOB].permissions = { contents: "read", "pull-requests": "write" };
            x.jobs[PREVIEW_JOB].permissions = "write-all";
        });
        expect(permissionProblems(broad)).toEqual([
            "good.yml: top-level permissions grant contents: write",
            "good.yml: job 'policy-gate': pull-requests: write is not allowed (the job checks out the repository)",
            "good.yml: job 'preview': permissions: write-all",
        ]);
        const misplaced = edited((x) => {
            x.jobs[GATE_JOB].permissions = { "id-token": "write" };
            x.jobs[PREVIEW_JOB].permissions = { "security-events": "write" };
        });
        expect(permissionProblems(misplaced)).toEqual([
            "good.yml: job 'policy-gate': id-token: write is not allowed (the job uses no OIDC)",
            "good.yml: job 'preview': security-events: write is not allowed (the job uploads no SARIF)",
        ]);
        const defaults = edited((x) => {
            x.permissions = undefined;
            delete x.jobs[GATE_JOB].permissions;
        });
        expect(permissionProblems(defaults)).toEqual([
            "good.yml: job 'policy-gate': no permissions here nor at the top level (default token)",
        ]);
        const allWrite = edited((x) => {
            x.permissions = "write-all";
        });
        expect(permissionProblems(allWrite)).toEqual([
            "good.yml: top-level permissions: write-all",
        ]);
    });

    it("reports pulumi up, destroy, refresh and pulumi/actions other than preview", () => {
        const deploying = edited((x) => {
            const [, up] = steps(x.jobs[PREVIEW_JOB]);
            up.with = { command: "up", "stack-name": "acme/dev", upsert: true };
            x.jobs[GATE_JOB].steps!.push(
                { run: "pulumi up --yes --stack dev" },
                { run: "npx pulumi destroy -s dev" },
                { run: "pulumi refresh --yes" },
                { run: "pulumi preview --refresh" },
            );
        });
        expect(deployProblems(deploying)).toEqual([
            "good.yml: job 'policy-gate' step 4 (pulumi up --yes --stack dev): runs 'pulumi up'",
            "good.yml: job 'policy-gate' step 5 (npx pulumi destroy -s dev): runs 'pulumi destroy'",
            "good.yml: job 'policy-gate' step 6 (pulumi refresh --yes): runs 'pulumi refresh'",
            "good.yml: job 'preview' step 2 (pulumi/actions@v7.1.0): pulumi/actions with command 'up'",
            "good.yml: job 'preview' step 2 (pulumi/actions@v7.1.0): pulumi/actions with upsert: true",
        ]);
    });

    it("reports a workflow on push that previews, deploys or holds an identity", () => {
        const onPush = edited((x) => {
            x.on = { push: { branches: ["main"] }, pull_request: null };
        });
        expect(pushProblems(onPush)).toEqual([
            "good.yml: job 'preview' step 1 (pulumi/auth-actions@0123456789abcdef0123456789abcdef01234567): uses pulumi/auth-actions in a workflow triggered on push",
            "good.yml: job 'preview' step 2 (pulumi/actions@v7.1.0): uses pulumi/actions in a workflow triggered on push",
            "good.yml: job 'preview': id-token: write in a workflow run on push",
        ]);
        const listed = edited((x) => {
            x.on = ["push"];
        });
        const single = edited((x) => {
            x.on = "push";
        });
        expect(pushProblems(listed)).toHaveLength(3);
        expect(pushProblems(single)).toHaveLength(3);
    });

    it("reports an organization or personal Pulumi token, and a token of no team", () => {
        expect(pulumiTokenProblems(good())).toEqual([]);
        const bare = edited((x) => {
            steps(x.jobs[PREVIEW_JOB])[0].with = { organization: "acme" };
        });
        expect(pulumiTokenProblems(bare)).toEqual([
            "good.yml: job 'preview' step 1 (pulumi/auth-actions@0123456789abcdef0123456789abcdef01234567): requests 'no token type', not a team token (urn:pulumi:token-type:access_token:team)",
            "good.yml: job 'preview' step 1 (pulumi/auth-actions@0123456789abcdef0123456789abcdef01234567): scope '' names no team (team:<name>)",
        ]);
        const org = edited((x) => {
            steps(x.jobs[PREVIEW_JOB])[0].with = {
                organization: "acme",
                "requested-token-type": "urn:pulumi:token-type:access_token:organization",
                scope: "admin",
            };
        });
        expect(pulumiTokenProblems(org)).toEqual([
            "good.yml: job 'preview' step 1 (pulumi/auth-actions@0123456789abcdef0123456789abcdef01234567): requests 'urn:pulumi:token-type:access_token:organization', not a team token (urn:pulumi:token-type:access_token:team)",
            "good.yml: job 'preview' step 1 (pulumi/auth-actions@0123456789abcdef0123456789abcdef01234567): scope 'admin' names no team (team:<name>)",
        ]);
    });

    it("reports a preview job outside its stack's environment, with one team for all stacks, or refreshing", () => {
        const loose = edited((x) => {
            delete x.jobs[PREVIEW_JOB].environment;
            steps(x.jobs[PREVIEW_JOB])[0].with!.scope = "team:pr-preview";
            steps(x.jobs[PREVIEW_JOB])[1].with!.refresh = true;
        });
        const shared = edited((x) => {
            x.jobs[PREVIEW_JOB].environment = "preview";
            steps(x.jobs[PREVIEW_JOB])[1].with!.options = "--diff --refresh";
        });
        expect([
            ...previewReadOnlyProblems(loose, PREVIEW_JOB),
            ...previewReadOnlyProblems(shared, PREVIEW_JOB),
        ]).toEqual([
            "good.yml: job 'preview': runs in no environment, not 'pr-preview-${{ matrix.stack }}': each stack's identities trust its own environment's subject only, and a protected stack's environment holds the job for a reviewer",
            "good.yml: job 'preview' step 1 (pulumi/auth-actions@0123456789abcdef0123456789abcdef01234567): scope 'team:pr-preview' is not a team per stack (team:<prefix>-${{ matrix.stack }}): one team for every stack reads them all",
            "good.yml: job 'preview' step 2 (pulumi/actions@v7.1.0): refreshes, which reads every resource with the preview identities",
            "good.yml: job 'preview': runs in environment 'preview', not 'pr-preview-${{ matrix.stack }}': each stack's identities trust its own environment's subject only, and a protected stack's environment holds the job for a reviewer",
            "good.yml: job 'preview' step 2 (pulumi/actions@v7.1.0): refreshes, which reads every resource with the preview identities",
        ]);
        // The long form of `environment` counts by its name.
        const named = edited((x) => {
            x.jobs[PREVIEW_JOB].environment = { name: "pr-preview-${{ matrix.stack }}" };
        });
        expect(previewReadOnlyProblems(named, PREVIEW_JOB)).toEqual([]);
        expect(previewReadOnlyProblems(good(), "gone")).toEqual(["good.yml: job 'gone': missing"]);
    });

    it("reports secrets read by expression or inherited", () => {
        const text = [
            "env:",
            "  TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}",
            "  OTHER: ${{ secrets['AWS_KEY'] }}",
            "  FINE: ${{ github.token }}",
            "jobs:",
            "  call:",
            "    secrets: inherit",
        ].join("\n");
        expect(secretProblems("s.yml", text)).toEqual([
            "s.yml:2: reads a secret: TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}",
            "s.yml:3: reads a secret: OTHER: ${{ secrets['AWS_KEY'] }}",
            "s.yml:7: reads a secret: secrets: inherit",
        ]);
    });

    it("reports actions on branches, unpinned refs and reusable workflows on branches", () => {
        const unpinned = edited((x) => {
            const all = steps(x.jobs[GATE_JOB]);
            all[0].uses = "actions/checkout@main";
            all[2].uses = "github/codeql-action/upload-sarif";
            x.jobs[PREVIEW_JOB].steps!.push(
                { uses: "./.github/actions/local" },
                { uses: "docker://alpine:3" },
                { uses: "pulumi/actions@0123abc" },
            );
            x.jobs.reuse = { uses: "acme/workflows/.github/workflows/x.yml@master" };
        });
        expect(pinProblems(unpinned)).toEqual([
            "good.yml: job 'policy-gate' step 1 (actions/checkout@main): 'actions/checkout@main' is not pinned to a version tag or a commit SHA",
            "good.yml: job 'policy-gate' step 3 (github/codeql-action/upload-sarif): 'github/codeql-action/upload-sarif' is not pinned to a version tag or a commit SHA",
            "good.yml: job 'preview' step 4 (docker://alpine:3): docker://alpine:3 is not pinned to a digest",
            "good.yml: job 'preview' step 5 (pulumi/actions@0123abc): 'pulumi/actions@0123abc' is not pinned to a version tag or a commit SHA",
            "good.yml: job 'reuse': 'acme/workflows/.github/workflows/x.yml@master' is not pinned to a version tag or a commit SHA",
        ]);
    });

    it("reports actions on tags, SHAs without their release comment, and disagreeing pins", () => {
        const sha = "0123456789abcdef0123456789abcdef01234567";
        const other = "89abcdef0123456789abcdef0123456789abcdef";
        const text = [
            "on: pull_request",
            "jobs:",
            "  a:",
            "    runs-on: ubuntu-24.04",
            "    steps:",
            `      - uses: actions/checkout@${sha} # v7.0.1`,
            "      - uses: actions/setup-node@v7",
            `      - uses: actions/upload-artifact@${sha}`,
            `      - uses: "actions/cache@${other}" # latest`,
            "      - uses: pulumi/actions@0123abc # v7.0.0",
            "      - uses: ./.github/actions/local",
            `      - if: always()`,
            `        uses: github/codeql-action/upload-sarif@${sha} # v4.36.2`,
            `      - { uses: pulumi/auth-actions@${other} }`,
            "  b:",
            `    uses: acme/workflows/.github/workflows/x.yml@${other} # v1.0.0`,
            "  c:",
            `    uses: acme/workflows/.github/workflows/y.yml@${sha} # v1.0.0`,
        ].join("\n");
        expect(shaPinProblems([{ file: "p.yml", text }])).toEqual([
            "p.yml:7: 'actions/setup-node@v7' is not pinned to a full commit SHA",
            `p.yml:8: 'actions/upload-artifact@${sha}' needs its release as the comment, e.g. '# v1.2.3'`,
            `p.yml:9: 'actions/cache@${other}' needs its release as the comment, e.g. '# v1.2.3' (not '# latest')`,
            "p.yml:10: 'pulumi/actions@0123abc' is not pinned to a full commit SHA",
            `p.yml:13: ${sha} is v4.36.2 here but v7.0.1 at p.yml:6`,
            `p.yml:18: ${sha} is v1.0.0 here but v7.0.1 at p.yml:6`,
            `p.yml:18: acme/workflows v1.0.0 is ${sha} here but ${other} at p.yml:16`,
            `p.yml: 'uses: pulumi/auth-actions@${other}' is not written as 'uses: <ref> # <release>'`,
        ]);
        // The minimal good workflow pins by tag or bare SHA: its four remote actions fail.
        expect(shaPinProblems([{ file: "good.yml", text: GOOD }])).toHaveLength(4);
    });

    it("reports a dependabot.yml that misses an ecosystem, its directory or its files", () => {
        const update = (ecosystem: string, directory: string, interval = "weekly"): Obj => ({
            "package-ecosystem": ecosystem,
            directory,
            schedule: { interval },
            cooldown: { "default-days": 7 },
        });
        const value = {
            version: 2,
            updates: [
                { ...update("npm", "/"), cooldown: undefined },
                update("github-actions", "/", "daily"),
                update("pip", "/"),
                update("docker", "/"),
            ],
        };
        expect(coverageProblems("d.yml", value, REPO_DIR)).toEqual([
            "d.yml: npm / has no cooldown: add cooldown.default-days (1-90, e.g. 7)",
            "d.yml: github-actions / runs daily, not weekly",
            "d.yml: no pip update for /app",
            "d.yml: no docker update for /app",
            "d.yml: no gomod update for /.ci/tools",
        ]);
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), "dependabot-"));
        try {
            const all = {
                updates: [
                    update("npm", "/"),
                    update("github-actions", "/"),
                    { ...update("pip", "/app"), directory: undefined, directories: ["/app"] },
                    update("docker", "/app"),
                    update("gomod", "/.ci/tools"),
                ],
            };
            expect(coverageProblems("d.yml", all, empty)).toEqual([
                "d.yml: npm /: package.json does not exist",
                "d.yml: npm /: package-lock.json does not exist",
                "d.yml: github-actions /: .github/workflows does not exist",
                "d.yml: pip /app: app/requirements.txt does not exist",
                "d.yml: docker /app: app/Dockerfile does not exist",
                "d.yml: gomod /.ci/tools: .ci/tools/go.mod does not exist",
                "d.yml: gomod /.ci/tools: .ci/tools/go.sum does not exist",
            ]);
        } finally {
            fs.rmSync(empty, { recursive: true, force: true });
        }
    });

    it("reports a malformed dependabot.yml", () => {
        expect(dependabotProblems("d.yml", "nope")).toEqual(["d.yml: not a mapping"]);
        expect(dependabotProblems("d.yml", { version: 1, updates: [] })).toEqual([
            "d.yml: version must be 2",
            "d.yml: no updates",
        ]);
        const broken = {
            version: 2,
            updates: [
                {
                    "package-ecosystem": "npn",
                    directory: "policy",
                    schedule: { interval: "fortnightly" },
                    grups: {},
                    groups: { all: { pattern: ["*"] }, odd: { patterns: [1] } },
                },
            ],
        };
        expect(dependabotProblems("d.yml", broken)).toEqual([
            "d.yml: updates[0]: unknown key 'grups'",
            "d.yml: updates[0]: package-ecosystem 'npn' is not known",
            "d.yml: updates[0]: directory must be a path from the repository root",
            "d.yml: updates[0]: schedule.interval 'fortnightly' is not known",
            "d.yml: updates[0]: group 'all': unknown key 'pattern'",
            "d.yml: updates[0]: group 'all' selects nothing",
            "d.yml: updates[0]: group 'odd': patterns must be strings",
        ]);
    });
});
