/**
 * `npm run plan -- --diff <base>` end to end, in a throwaway git repository holding a copy of
 * this project's working tree (its own commits, this checkout's node_modules): against a git ref
 * (the real command, a child process), against a plan saved with --json, for a stack that is new
 * at the base, and the errors (the CLI's main in this process, tests/harness.ts planCli). The
 * diff's logic is tested in tests/plan/diff.test.ts and on real day-2 changes in tests/plan/day2.test.ts.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PLAN_FORMAT } from "../../plan/diff";
import { planCli, PROJECT_DIR, runPlanCli } from "../harness";

function git(cwd: string, ...args: string[]): string {
    const r = spawnSync(
        "git",
        ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args],
        { cwd, encoding: "utf8" },
    );
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
}

/** A git repository holding the working tree's files (tracked and new, not ignored). */
function copyProject(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "multicloud-diff-cli-"));
    const files = git(PROJECT_DIR, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
        .split("\0")
        .filter((f) => f && fs.existsSync(path.join(PROJECT_DIR, f)));
    for (const f of files) {
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.copyFileSync(path.join(PROJECT_DIR, f), path.join(dir, f));
    }
    git(dir, "init", "-q", "-b", "main");
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "base");
    fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

describe("npm run plan -- --diff", () => {
    let repo: string;
    let status: string;
    beforeAll(() => {
        repo = copyProject();
        status = git(repo, "status", "--porcelain"); // the node_modules link only
    });

    it("against a git ref: an empty diff for an unchanged stack, saved as JSON and Markdown", () => {
        const [json, md] = [
            path.join(repo, "..", "dev-plan.json"),
            path.join(repo, "..", "dev.md"),
        ];
        const r = runPlanCli(
            "--cwd",
            repo,
            "--stack",
            "dev",
            "--no-policy",
            "--diff",
            "HEAD",
            "--json",
            json,
            "--markdown",
            md,
        );
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        const head = git(repo, "rev-parse", "--short=7", "HEAD").trim();
        expect(r.stdout).toContain(`Changes to stack multicloud/dev against HEAD (${head})`);
        expect(r.stdout).toContain("No resource changes.");
        expect(r.stdout).toMatch(/Resources: \d+ unchanged/);
        const saved = JSON.parse(fs.readFileSync(json, "utf8"));
        expect(saved.format).toBe(PLAN_FORMAT);
        expect(saved.diff.summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0 });
        // The saved plan holds no secret value: each is a digest.
        expect(fs.readFileSync(json, "utf8")).not.toContain("offline-plan placeholder");
        expect(fs.readFileSync(md, "utf8")).toContain("### Offline plan of `dev`:");
        // The working tree, the index and the worktree list are as they were.
        expect(git(repo, "status", "--porcelain")).toBe(status);
        expect(git(repo, "worktree", "list").trim().split("\n")).toHaveLength(1);
    });

    it("against a saved plan: an instance type changed since, rolled out in place", async () => {
        const json = path.join(repo, "..", "dev-plan.json"); // written by the test above
        const stackFile = path.join(repo, "Pulumi.dev.yaml");
        const original = fs.readFileSync(stackFile, "utf8");
        fs.writeFileSync(
            stackFile,
            original.replace("instanceType: t3.small", "instanceType: t3.medium"),
        );
        try {
            const r = await planCli("--cwd", repo, "--stack", "dev", "--no-policy", "--diff", json);
            expect(r.code).toBe(0);
            expect(r.stdout).toContain(`against the plan saved in ${json}`);
            expect(r.stdout).toContain(" ~ aws:ec2/launchTemplate:LaunchTemplate app-lt  update");
            expect(r.stdout).toContain('instanceType: "t3.small" -> "t3.medium"');
            // The group follows the template's new version (an instance refresh).
            expect(r.stdout).toContain(" ~ aws:autoscaling/group:Group app-asg  update");
            expect(r.stdout).toMatch(/Resources: ~ 2 to update, \d+ unchanged/);
        } finally {
            fs.writeFileSync(stackFile, original);
        }
    });

    it("a stack new since the base: every resource to create, and why", async () => {
        fs.copyFileSync(path.join(repo, "Pulumi.dev.yaml"), path.join(repo, "Pulumi.staging.yaml"));
        try {
            const r = await planCli(
                "--cwd",
                repo,
                "--stack",
                "staging",
                "--no-policy",
                "--diff",
                "main",
            );
            expect(r.code).toBe(0);
            expect(r.stdout).toContain(
                "Note: stack 'staging' has no settings file at main: every resource is new.",
            );
            expect(r.stdout).toMatch(/Resources: \+ \d+ to create, 0 unchanged/);
        } finally {
            fs.rmSync(path.join(repo, "Pulumi.staging.yaml"));
        }
    });

    it("a base that does not plan: exit code 2, with the base's errors", async () => {
        const stackFile = path.join(repo, "Pulumi.dev.yaml");
        const original = fs.readFileSync(stackFile, "utf8");
        fs.writeFileSync(stackFile, original.replace("maxSize: 3", "maxSize: 0"));
        git(repo, "commit", "-q", "-am", "broken");
        fs.writeFileSync(stackFile, original);
        git(repo, "commit", "-q", "-am", "fixed");
        const r = await planCli("--cwd", repo, "--stack", "dev", "--no-policy", "--diff", "HEAD~1");
        expect(r.code).toBe(2);
        expect(r.stderr).toContain("--diff: stack 'dev' does not plan at HEAD~1");
        expect(r.stderr).toContain("multicloud:aws.fleet.maxSize (0) must be >= 1");
    });

    it("refuses a base that is neither a file nor a commit, and --markdown without --diff", async () => {
        const r = await planCli("--cwd", repo, "--stack", "dev", "--diff", "no-such-ref");
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(
            "--diff no-such-ref: neither a file nor a commit of this repository",
        );
        expect(r.stdout).toBe(""); // before anything is planned
        const m = await planCli("--stack", "dev", "--markdown", "x.md");
        expect(m.code).toBe(2);
        expect(m.stderr).toContain("--markdown writes a diff: give --diff <base> too");
    });
});
