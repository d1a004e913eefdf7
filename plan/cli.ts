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
import { runPlan } from "./run";
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
            console.error(
                `plan: the program failed for stack '${args.stack}'; \`pulumi preview\` would fail the same way:\n\n` +
                    plan.errors.join("\n\n"),
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

main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (e: unknown) => {
        console.error(e);
        process.exitCode = 1;
    },
);
