/**
 * The README's commands match the code: every npm script it runs exists, the Delivery section's
 * repository variables are the ones the workflow reads, its required status checks are the
 * workflow's job names, and the deployment settings stack it creates has its stack file.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT_DIR } from "./harness";

const README = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
const delivery = README.slice(README.indexOf("## Delivery"), README.indexOf("## Config reference"));
const workflow = fs.readFileSync(
    path.join(PROJECT_DIR, ".github", "workflows", "pull-request.yml"),
    "utf8",
);

describe("README", () => {
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
});
