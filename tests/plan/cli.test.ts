/**
 * `npm run plan` end to end, as a newcomer runs it: its exit code and what it prints. The first
 * test runs the real child process through tsx (and so does the failing invoke's); the others run the same main in this process
 * (planCli), which skips loading the SDKs again for each run.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findPlaceholders, stackConfigAsWritten } from "../../lib/placeholders";
import { loadProject, loadStackSettings } from "../../lib/stack-files";
import { planCli, PROJECT_DIR, runPlanCli } from "../harness";

const plan = planCli;

/** A copy of this project's Pulumi.yaml in a temp folder, running the real index.ts, with `stackFiles`. */
function projectWith(stackFiles: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "multicloud-cli-"));
    const projectYaml = fs
        .readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")
        .replace(/^main: index\.ts$/m, `main: ${path.join(PROJECT_DIR, "index.ts")}`);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), projectYaml);
    for (const [name, text] of Object.entries(stackFiles))
        fs.writeFileSync(path.join(dir, name), text);
    return dir;
}

describe("npm run plan", () => {
    it("prints the dev plan: the summary, the placeholders, the tree, counts, outputs, policies and what next", () => {
        const r = runPlanCli("--stack", "dev");
        expect(r.stderr).toBe("");
        // Placeholders are warnings: the plan still succeeds.
        expect(r.code).toBe(0);
        const lines = r.stdout.trimEnd().split("\n");
        expect(lines[0]).toBe(
            "Plan for stack multicloud/dev (Pulumi.dev.yaml), run under Pulumi's mock runtime: nothing was deployed.",
        );
        // The summary first, as a newcomer reads it.
        expect(lines.slice(1, 7)).toEqual([
            "",
            "Summary:",
            "  Clouds:        AWS (us-east-1), Google Cloud (multicloud-dev-000000, europe-west1), Azure (westeurope); 0 edge sites",
            expect.stringMatching(
                /^ {2}Resources: {5}\d+ to create: aws \d+, gcp \d+, .*kubernetes \d+.*, and \d+ components$/,
            ),
            expect.stringMatching(
                /^ {2}Policies: {6}the gate passes: 0 mandatory, \d+ advisory violations? \(\d+ policies\)/,
            ),
            "  Placeholders:  9 template values to replace before `pulumi up` (below)",
        ]);
        // One warning per placeholder, then what leaving them means.
        const project = loadProject(PROJECT_DIR);
        const expected = findPlaceholders(
            stackConfigAsWritten(loadStackSettings(project, "dev")).config,
            project.name,
        );
        expect(expected).toHaveLength(9);
        const warnings = lines.filter((l) => l.startsWith("  warning: "));
        expect(warnings.map((w) => w.slice("  warning: ".length).split(" ")[0])).toEqual(
            expected.map((p) => p.key),
        );
        expect(warnings).toContain(
            "  warning: multicloud:gcp.project = multicloud-dev-000000; replace with your Google Cloud project id: `gcloud projects list`",
        );
        expect(r.stdout).toContain(
            "`pulumi up` would fail, or deploy into someone else's ids, until they are replaced.",
        );
        // Then the details as before: the tree...
        expect(r.stdout).toMatch(/^pulumi:pulumi:Stack\s+multicloud-dev$/m);
        expect(r.stdout).toMatch(/^├─ multicloud:gcp:ProjectServices\s+gcp-services$/m);
        expect(r.stdout).toMatch(
            /^│  ├─ gcp:projects\/service:Service\s+gcp-services-container {2}\(provider: gcp\)$/m,
        );
        expect(r.stdout).toMatch(
            /^[├└]─ azure-native:resources:ResourceGroup\s+fleet {2}\(provider: azure\)$/m,
        );
        // ...whose rows the counts match: every row but the stack itself...
        const tree = r.stdout.slice(r.stdout.indexOf("\nType ") + 1).split("\n\n")[0];
        const rows = tree.split("\n").slice(2); // after the header and the stack
        expect(r.stdout).toContain(`Resources: ${rows.length} to create`);
        expect(lines[4]).toContain(`  Resources:     ${rows.length} to create: `);
        expect(r.stdout).toMatch(/^ {2}gcp: \d+$/m);
        expect(r.stdout).toMatch(/^ {6}11 {2}gcp:projects\/service:Service$/m);
        // ...the outputs as YAML...
        expect(r.stdout).toMatch(
            /^Outputs:\n {2}app:\n {4}built:\n {6}digest: sha256:[0-9a-f]{64}$/m,
        );
        expect(r.stdout).toMatch(/^ {2}environment: dev$/m);
        expect(r.stdout).toMatch(/^ {2}enabledClouds:\n {4}- aws\n {4}- gcp\n {4}- azure$/m);
        // ...the policies, each violation with the config key that fixes it in this stack...
        expect(r.stdout).toContain(
            "    gcp-gke-rbac-groups  gcp:container/cluster:Cluster dev-gke\n" +
                "      GKE cluster 'dev-gke' does not set authenticatorGroupsConfig.securityGroup",
        );
        expect(r.stdout).toMatch(
            /\(GkeCluster's rbacGroupDomain\)[^\n]*\n {6}In this stack: `pulumi config set --path gcp\.rbacGroupDomain <your domain>`\.$/m,
        );
        // ...and what to do next, last.
        expect(lines[lines.length - 1]).toBe(
            "Next: `pulumi stack init dev` on your backend, then replace the 9 placeholder values listed at the top, " +
                "each as its warning says (README.md#deploy-for-real), and `pulumi preview`.",
        );
    });

    it("saves the placeholders with --json, never a secret's value, and keeps the plan's fields", async () => {
        const file = path.join(os.tmpdir(), `multicloud-cli-${process.pid}-placeholders.json`);
        try {
            const r = await plan("--stack", "prod", "--no-policy", "--json", file);
            expect(r.code).toBe(0);
            expect(r.stdout).toContain("  Policies:      not checked (--no-policy)");
            const saved = JSON.parse(fs.readFileSync(file, "utf8")) as {
                format: unknown;
                resources: unknown[];
                verdict: unknown;
                placeholders: Record<string, unknown>[];
            };
            expect(saved.format).toBeDefined();
            expect(saved.resources.length).toBeGreaterThan(200);
            expect(saved.verdict).toBeNull();
            expect(saved.placeholders).toContainEqual({
                key: "multicloud:edge.sites[store-0042].kubeconfig",
                path: "edge.sites[0].kubeconfig",
                value: "[secret]",
                secret: true,
                id: "secret-kubeconfig",
                where: "the cluster's kubeconfig, as a secret of your stack: `pulumi config set --secret --path 'edge.sites[0].kubeconfig' \"$(cat kubeconfig)\"`",
            });
            expect(saved.placeholders.map((p) => p.key)).toContain("multicloud:azure.tenantId");
            expect(JSON.stringify(saved.placeholders)).not.toContain("placeholder-ciphertext");
        } finally {
            fs.rmSync(file, { force: true });
        }
    });

    it("refuses an unknown stack, listing the stacks that exist", async () => {
        const r = await plan("--stack", "staging");
        expect(r.code).toBe(2);
        expect(r.stderr).toContain("plan: unknown stack 'staging'");
        expect(r.stderr).toContain("Stacks that exist: dev, prod.");
    });

    it("stops a broken Pulumi.dev.yaml before any resource, naming each key and its fix", async () => {
        const dev = fs
            .readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8")
            .replace("      maxSize: 3", "      maxSize: 0")
            .replace("    region: us-east-1", "    regoin: us-east-1");
        const r = await plan("--stack", "dev", "--cwd", projectWith({ "Pulumi.dev.yaml": dev }));
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr).toContain(
            "Invalid stack config for stack 'dev' (3 problems); nothing was created:",
        );
        expect(r.stderr).toContain(
            "multicloud:aws.regoin is not a known setting (known here: enabled, region, allowedAccountIds, fleet, network, loadBalancer, alerts, waf): " +
                "did you mean `region`? Rename it in the stack file, or remove it with `pulumi config rm --path aws.regoin`",
        );
        expect(r.stderr).toContain("multicloud:aws.region is required when aws.enabled is true");
        expect(r.stderr).toContain("multicloud:aws.fleet.maxSize (0) must be >= 1");
        expect(r.stderr).toContain("(0 resources registered before the failure)");
    });

    // A child process: the failed invoke's rejections end the run as in the Pulumi language
    // host, which jest would report as failures of its own.
    it("fails on an invoke the mock engine does not know, naming it", () => {
        const r = runPlanCli(
            "--stack",
            "dev",
            "--cwd",
            path.join(__dirname, "..", "fixtures", "unknown-invoke"),
        );
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(
            "the mock engine has no answer for invoke 'aws:ec2/getVpc:getVpc': " +
                "add one to INVOKES in plan/mocks.ts",
        );
    });

    it("rejects unknown flags and a missing --stack with the usage", async () => {
        const bogus = await plan("--stack", "dev", "--bogus");
        expect(bogus.code).toBe(2);
        expect(bogus.stderr).toMatch(/Unknown option '--bogus'[\s\S]*usage: npm run plan/);
        const r = await plan();
        expect(r.code).toBe(2);
        expect(r.stderr).toContain("plan: --stack is required");
    });

    it("refuses --sarif with --no-policy before planning, with the usage", async () => {
        const file = path.join(os.tmpdir(), `multicloud-cli-${process.pid}.sarif`);
        const r = await plan("--stack", "dev", "--no-policy", "--sarif", file);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr).toMatch(
            /^plan: --sarif needs the policy gate: drop --no-policy\n\nusage: npm run plan/,
        );
        expect(fs.existsSync(file)).toBe(false);
    });

    describe("an output file that cannot be written: one line naming the flag, the path and why", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "multicloud-cli-out-"));
        const missing = path.join(dir, "missing", "x");
        const notADir = path.join(dir, "file");
        fs.writeFileSync(notADir, "");
        afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

        it.each([
            ["--json", `${missing}.json`, "ENOENT: no such file or directory"],
            ["--sarif", `${missing}.sarif`, "ENOENT: no such file or directory"],
            ["--json", dir, "EISDIR: illegal operation on a directory"],
            ["--sarif", path.join(notADir, "x.sarif"), "ENOTDIR: not a directory"],
        ])("%s %s: %s, before planning", async (flag, file, why) => {
            const r = await plan("--stack", "dev", flag, file);
            expect(r.code).toBe(2);
            expect(r.stdout).toBe("");
            expect(r.stderr).toBe(`plan: ${flag} ${file}: cannot write: ${why}\n`);
        });

        it("--markdown to a missing folder, before the base is prepared or anything planned", async () => {
            const file = `${missing}.md`;
            const r = await plan("--stack", "dev", "--diff", "HEAD", "--markdown", file);
            expect(r.code).toBe(2);
            expect(r.stdout).toBe("");
            expect(r.stderr).toBe(
                `plan: --markdown ${file}: cannot write: ENOENT: no such file or directory\n`,
            );
        });

        // Root may write anywhere: the check for a read-only folder only runs for other users.
        (process.getuid?.() === 0 ? it.skip : it)("--json into a read-only folder", async () => {
            const readOnly = path.join(dir, "read-only");
            fs.mkdirSync(readOnly, { mode: 0o555 });
            const file = path.join(readOnly, "x.json");
            const r = await plan("--stack", "dev", "--json", file);
            expect(r.code).toBe(2);
            expect(r.stdout).toBe("");
            expect(r.stderr).toBe(
                `plan: --json ${file}: cannot write: EACCES: permission denied\n`,
            );
        });

        // /dev/full takes the open and fails the write: the same line, after the plan printed.
        (fs.existsSync("/dev/full") ? it : it.skip)(
            "a write that fails after planning (/dev/full)",
            async () => {
                const r = await plan("--stack", "dev", "--no-policy", "--json", "/dev/full");
                expect(r.code).toBe(2);
                expect(r.stdout).toContain("Plan for stack multicloud/dev");
                expect(r.stderr).toBe(
                    "plan: --json /dev/full: cannot write: ENOSPC: no space left on device\n",
                );
            },
        );
    });
});
