/**
 * The harness plans many stacks in one jest worker's Node `require` (tests/harness.ts), running
 * only the program's main file afresh each time. That is sound only if nothing the program
 * imports keeps state from one plan to the next: a plan that follows another must equal the
 * plan of a fresh process.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { savePlan } from "../plan/diff";
import { one, planComponents, planStack, runPlanCli } from "./harness";

describe("plans in one worker", () => {
    it("match a fresh process's plan when they follow a different plan", async () => {
        // A different fleet first: no edge sites, no dashboard, nothing built.
        const other = await planStack("prod", {
            "edge.sites": [],
            "dashboard.enabled": false,
            "appImage.build": false,
        });
        expect(other.errors).toEqual([]);
        // The committed prod stack again (an override equal to the committed value skips the
        // per-run cache), in the same registry.
        const again = await planStack("prod", { environment: "prod" });
        expect(again.errors).toEqual([]);

        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "harness-"));
        try {
            const file = path.join(dir, "prod.json");
            const cli = runPlanCli("--stack", "prod", "--no-policy", "--json", file);
            expect(cli.stderr).toBe("");
            expect(cli.code).toBe(0);
            const fresh = JSON.parse(fs.readFileSync(file, "utf8")) as ReturnType<typeof savePlan>;
            const saved = JSON.parse(JSON.stringify(savePlan(again, fresh.commit))) as typeof fresh;
            expect(saved.resources.length).toBeGreaterThan(200);
            // Registration order depends on timing (a cached mock key pair answers sooner): compare
            // by URN.
            const byUrn = (rs: typeof fresh.resources) =>
                [...rs].sort((a, b) => a.urn.localeCompare(b.urn));
            expect(byUrn(saved.resources)).toEqual(byUrn(fresh.resources));
            expect(saved.outputs).toEqual(fresh.outputs);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }, 120_000);
});

describe("planComponents", () => {
    it("sends a list written in the test file as a list, though the plan runs in another realm", async () => {
        const plan = await planComponents((req) => {
            const aws = req<typeof import("@pulumi/aws")>("@pulumi/aws");
            const provider = new aws.Provider("aws", { region: "eu-west-1" });
            new aws.ec2.SecurityGroup(
                "sg",
                {
                    ingress: [
                        { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/8"] },
                    ],
                },
                { provider },
            );
        });
        expect(plan.errors).toEqual([]);
        const sg = one(plan, "aws:ec2/securityGroup:SecurityGroup", "sg");
        expect(sg.inputs.ingress).toEqual([
            expect.objectContaining({ fromPort: 443, cidrBlocks: ["10.0.0.0/8"] }),
        ]);
        expect(Array.isArray(sg.inputs.ingress)).toBe(true);
    });
});
