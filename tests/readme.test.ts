/**
 * The README's and docs/delivery.md's commands match the code: every npm script the README runs
 * exists, docs/delivery.md's repository variables are the ones the workflow reads, its required status checks are the
 * workflow's job names, the deployment settings stack it creates has its stack file, the
 * permissions-doc commands it runs exist, it creates every stack's preview environment (with
 * reviewers for protected stacks), and its trust model names every identity the workflows and
 * deployments/ define.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { committedDeploymentConfig } from "../deployments/permissions-doc";
import {
    previewEnvironment,
    previewIdentities,
    previewSubject,
    previewTeamName,
} from "../deployments/permissions";
import { PROJECT_DIR } from "./harness";

const README = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
/** The Delivery page, moved out of the README (tests/docs.test.ts checks every page's links). */
const delivery = fs.readFileSync(path.join(PROJECT_DIR, "docs", "delivery.md"), "utf8");
const workflow = fs.readFileSync(
    path.join(PROJECT_DIR, ".github", "workflows", "pull-request.yml"),
    "utf8",
);

describe("CONTRIBUTING.md", () => {
    const text = fs.readFileSync(path.join(PROJECT_DIR, "CONTRIBUTING.md"), "utf8");

    it("runs only npm scripts that exist, and names only files and folders that exist", () => {
        const scripts = Object.keys(
            (
                JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")) as {
                    scripts: Record<string, string>;
                }
            ).scripts,
        );
        const used = [...text.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]);
        expect(used.length).toBeGreaterThan(3);
        expect(used.filter((s) => !scripts.includes(s))).toEqual([]);
        // Paths in backquotes without placeholders: `tests/harness.ts`, `.ci/run`, `LICENSE` ...
        const paths = [
            ...text.matchAll(
                /`((?:\.?[\w-]+\/)*[\w.-]+\.(?:ts|md|json)|\.ci\/run|LICENSE|[\w-]+\/)`/g,
            ),
        ]
            .map((m) => m[1])
            // Not a file: an extension such as `.d.ts`.
            .filter((p) => !p.includes("<") && (!p.startsWith(".") || p === ".ci/run"))
            // Written by a command (`npm run bench`), not committed.
            .filter((p) => p !== "bench-results.json");
        expect(paths.length).toBeGreaterThan(5);
        expect(paths.filter((p) => !fs.existsSync(path.join(PROJECT_DIR, p)))).toEqual([]);
    });

    it("ships the Apache-2.0 license the packages declare", () => {
        const license = fs.readFileSync(path.join(PROJECT_DIR, "LICENSE"), "utf8");
        expect(license).toContain(
            "Apache License\n                           Version 2.0, January 2004",
        );
        for (const pkg of ["package.json", "policy/package.json", "deployments/package.json"]) {
            const declared = (
                JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, pkg), "utf8")) as {
                    license?: string;
                }
            ).license;
            expect([pkg, declared]).toEqual([pkg, "Apache-2.0"]);
        }
    });
});

describe("README and docs/delivery.md", () => {
    it("runs only npm scripts that exist", () => {
        const scripts = Object.keys(
            (
                JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")) as {
                    scripts: Record<string, string>;
                }
            ).scripts,
        );
        const used = [...README.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]);
        expect(used.length).toBeGreaterThan(3);
        expect(used.filter((s) => !scripts.includes(s))).toEqual([]);
    });

    it("sets exactly the repository variables the pull-request workflow reads", () => {
        const set = new Set([...delivery.matchAll(/gh variable set (\w+)/g)].map((m) => m[1]));
        const read = new Set([
            ...[...workflow.matchAll(/vars\.(\w+)/g)].map((m) => m[1]),
            ...[...workflow.matchAll(/vars\[format\('(\w+)_\{0\}', matrix\.stack\)\]/g)].map(
                (m) => `${m[1]}_DEV`,
            ),
        ]);
        expect([...set].sort()).toEqual([...read].sort());
    });

    it("requires status checks that are the workflow's job names", () => {
        const jobs = (parse(workflow) as { jobs: Record<string, { name: string }> }).jobs;
        const names = Object.values(jobs).map((j) => j.name.replace("${{ matrix.stack }}", "prod"));
        const contexts = /"contexts": \[([^\]]+)\]/.exec(delivery)?.[1];
        const required = [...(contexts ?? "").matchAll(/"([^"]+)"/g)].map((m) => m[1]);
        expect(required.length).toBeGreaterThan(0);
        for (const check of required) expect(names).toContain(check);
    });

    it("creates the deployment settings stack whose file is committed", () => {
        const stack = /pulumi stack init acme\/(\w+)/.exec(delivery)?.[1];
        expect(stack).toBeDefined();
        expect(fs.existsSync(path.join(PROJECT_DIR, "deployments", `Pulumi.${stack}.yaml`))).toBe(
            true,
        );
        expect(delivery).toContain("multicloud-protected");
        expect(
            fs.readFileSync(path.join(PROJECT_DIR, "deployments", "index.ts"), "utf8"),
        ).toContain("name: `${project}-protected`");
    });

    it("runs only permissions-doc commands that exist", () => {
        const source = fs.readFileSync(
            path.join(PROJECT_DIR, "deployments", "permissions-doc.ts"),
            "utf8",
        );
        const used = new Set(
            [
                ...`${README}\n${delivery}`.matchAll(
                    /npx tsx deployments\/permissions-doc\.ts ([\w-]+)/g,
                ),
            ].map((m) => m[1]),
        );
        expect([...used].sort()).toEqual(
            expect.arrayContaining(["aws-deployer-policy", "aws-preview-trust", "preview-subject"]),
        );
        for (const command of used) {
            expect([command, source.includes(`command === "${command}"`)]).toEqual([command, true]);
        }
    });

    it("creates every stack's preview environment, with required reviewers for protected stacks", () => {
        const config = committedDeploymentConfig();
        for (const [stack, settings] of Object.entries(config.stacks)) {
            const environment = previewEnvironment(stack);
            expect(delivery).toContain(`environments/${environment} `);
            // Pull-request refs only, on every environment.
            expect(delivery).toMatch(
                new RegExp(
                    `for env in [^;]*\\b${environment}\\b[^;]*; do\\n.*deployment-branch-policies -f name='refs/pull/\\*/merge' -f type=branch`,
                ),
            );
            const put = new RegExp(
                `environments/${environment} --input - <<'?JSON'?\\n([\\s\\S]*?)\\n\\s*JSON`,
            ).exec(delivery)?.[1];
            expect([stack, put]).toEqual([
                stack,
                expect.stringContaining('"custom_branch_policies": true'),
            ]);
            if (settings.protected) {
                expect([stack, put]).toEqual([stack, expect.stringContaining('"reviewers": [')]);
                expect(put).toContain('"prevent_self_review": true');
            }
        }
    });

    it("names every identity of the workflows and deployments/ in its trust model", () => {
        const start = delivery.indexOf("## Trust model");
        expect(start).toBeGreaterThan(0);
        const section = delivery.slice(start, delivery.indexOf("\n## ", start + 1));
        const rows = section.split("\n").filter((l) => l.startsWith("| "));
        expect(rows[0]).toMatch(
            /^\| Identity\s+\| Who or what gets it\s+\| Trusted subject\s+\| May\s+\| May not\s+\|$/,
        );
        const table = rows.join("\n");
        // Every job of every workflow.
        const workflowDir = path.join(PROJECT_DIR, ".github", "workflows");
        for (const file of fs.readdirSync(workflowDir).filter((f) => /\.ya?ml$/.test(f))) {
            const jobs = Object.keys(
                (
                    parse(fs.readFileSync(path.join(workflowDir, file), "utf8")) as {
                        jobs: Record<string, unknown>;
                    }
                ).jobs,
            );
            for (const job of jobs)
                expect([file, job, table.includes(`\`${job}\``)]).toEqual([file, job, true]);
        }
        // The per-stack preview identities, by the names deployments/ and the docs give them.
        const config = committedDeploymentConfig();
        expect(table).toContain(`\`${previewTeamName(config.previewTeamPrefix, "<stack>")}\``);
        expect(table).toContain(`\`${previewEnvironment("<stack>")}\``);
        expect(table).toContain(`\`${previewSubject(config.githubSubjectPrefix, "<stack>")}\``);
        for (const identity of previewIdentities(
            config.repository,
            config.previewTeamPrefix,
            config.githubSubjectPrefix,
        )) {
            const name = /`([^`]+)`/.exec(identity.identity)![1];
            expect([identity.key, table.includes(`\`${name}\``)]).toEqual([identity.key, true]);
        }
        // The deployers, the admin who runs deployments/, and Dependabot when it is configured.
        expect(table).toMatch(/\| Deployer identities /);
        expect(table).toMatch(/\| Organization admin /);
        if (fs.existsSync(path.join(PROJECT_DIR, ".github", "dependabot.yml"))) {
            expect(table).toMatch(/\| Dependabot /);
        }
        // The residual risk is stated, with the control.
        expect(section).toContain("the approval is the control");
    });
});
