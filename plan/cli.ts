/**
 * `npm run plan -- --stack <name>`: what `pulumi preview` would create for a stack, computed
 * offline under Pulumi's mock runtime from `Pulumi.yaml` and `Pulumi.<stack>.yaml`.
 *
 * Exit codes: 0 the plan succeeded; 1 the program failed (invalid config, a program error);
 * 2 bad usage or missing/malformed project or stack files.
 */
import * as path from "path";
import { parseArgs } from "util";
import { renderPlan } from "./render";
import { runPlan, STACK_TYPE } from "./run";
import { PlanInputError } from "./stack-files";

const USAGE = `usage: npm run plan -- --stack <name> [--cwd <project folder>]

  -s, --stack <name>  the stack to plan: Pulumi.<name>.yaml must exist
      --cwd <dir>     the folder holding Pulumi.yaml (default: the current folder)
  -h, --help          show this help`;

async function main(argv: string[]): Promise<number> {
    let args;
    try {
        args = parseArgs({
            args: argv,
            options: {
                stack: { type: "string", short: "s" },
                cwd: { type: "string" },
                help: { type: "boolean", short: "h" },
            },
            strict: true,
            allowPositionals: false,
        }).values;
    } catch (e) {
        console.error(`plan: ${(e as Error).message}\n\n${USAGE}`);
        return 2;
    }
    if (args.help) {
        console.log(USAGE);
        return 0;
    }
    if (!args.stack) {
        console.error(`plan: --stack is required\n\n${USAGE}`);
        return 2;
    }
    const projectDir = path.resolve(args.cwd ?? process.cwd());
    try {
        const plan = await runPlan({ projectDir, stack: args.stack });
        if (plan.errors.length > 0) {
            const registered = plan.resources.filter((r) => r.type !== STACK_TYPE).length;
            console.error(
                `plan: the program failed for stack '${args.stack}'; \`pulumi preview\` would fail the same way:\n\n` +
                    plan.errors.join("\n\n") +
                    `\n\n(${registered} resource${registered === 1 ? "" : "s"} registered before the failure)`,
            );
            return 1;
        }
        console.log(renderPlan(plan));
        return 0;
    } catch (e) {
        if (e instanceof PlanInputError) {
            console.error(`plan: ${e.message}`);
            return 2;
        }
        throw e;
    }
}

// Rejections that surface after the plan returned (consequences of a failure already reported,
// or a late program error) must still fail the run, never crash it with a raw stack trace.
let reported = false;
process.on("unhandledRejection", (reason) => {
    if (process.exitCode) return; // the failure is already reported
    if (!reported) console.error(`plan: the program failed after planning: ${String(reason)}`);
    reported = true;
    process.exitCode = 1;
});

main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (e: unknown) => {
        console.error(e);
        process.exitCode = 1;
    },
);
