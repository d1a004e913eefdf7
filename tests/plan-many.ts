/**
 * Plans several variants of the committed stacks in one process and writes each as a saved plan
 * (plan/diff.ts), for the day-2 tests: the cloud SDKs load once, and each further plan costs a
 * fraction of the first (jest would load them afresh for every plan).
 *
 * usage: tsx tests/plan-many.ts <cases.json> <out.json>
 *   cases.json: { "<case>": { "stack": "prod", "overrides": { "<path>": <value> } }, ... }
 *   out.json:   { "<case>": <saved plan> | { "errors": [...] } }
 */
import * as fs from "fs";
import * as path from "path";
import { savePlan } from "../plan/diff";
import { runPlan } from "../plan/run";

interface Case {
    readonly stack: string;
    readonly overrides?: Record<string, unknown>;
}

async function main(casesFile: string, outFile: string): Promise<void> {
    const cases = JSON.parse(fs.readFileSync(casesFile, "utf8")) as Record<string, Case>;
    const out: Record<string, unknown> = {};
    for (const [name, c] of Object.entries(cases)) {
        const plan = await runPlan({
            projectDir: path.resolve(__dirname, ".."),
            stack: c.stack,
            overrides: c.overrides ?? {},
        });
        out[name] = plan.errors.length ? { errors: plan.errors } : savePlan(plan);
    }
    fs.writeFileSync(outFile, JSON.stringify(out));
}

main(process.argv[2], process.argv[3]).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
});
