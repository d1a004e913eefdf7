/**
 * `npm run plan -- --stack <name>`: what `pulumi preview` would create for a stack, computed
 * offline under Pulumi's mock runtime from `Pulumi.yaml` and `Pulumi.<stack>.yaml`.
 *
 * Then the policy gate: the planned resources go to the policy pack (policy/) over the analyzer
 * protocol, as with `pulumi preview --policy-pack policy`.
 *
 * With `--diff <base>`: what the plan changes against a base (a git ref, or a plan saved with
 * `--json`), resource by resource, instead of the whole plan (plan/diff.ts).
 *
 * Exit codes: 0 the plan succeeded with no mandatory violation; 1 the program failed (invalid
 * config, a program error), a mandatory policy was violated, or the pack could not run; 2 bad
 * usage, missing/malformed project or stack files, or an output file (--json, --sarif,
 * --markdown) that cannot be written.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { stackPolicyConfigPath } from "../policy/config";
import { PolicyPackError } from "./analyzer";
import { headCommit, planBase, prepareBase, PreparedBase } from "./base";
import { diffPlans, PlanDiff, renderDiff, renderDiffMarkdown, savePlan } from "./diff";
import { renderVerdict, runGate, toSarif, Verdict } from "./gate";
import { progressLine } from "./progress";
import { findPlaceholders, PlaceholderFinding, stackConfigAsWritten } from "../lib/placeholders";
import { isBlueprint, withFixes } from "./policy-fixes";
import { nextStep, renderPlan } from "./render";
import { PlanOptions, runPlan, STACK_TYPE } from "./run";
import { PlanInputError } from "../lib/stack-files";

const USAGE = `usage: npm run plan -- --stack <name> [options]

  -s, --stack <name>          the stack to plan: Pulumi.<name>.yaml must exist
      --cwd <dir>             the folder holding Pulumi.yaml (default: the current folder)
      --policy-pack <dir>     the CrossGuard pack to check the plan with (default: <cwd>/policy)
      --policy-config <file>  policy config: policy or group (rbac, tls, encryption, stack) or
                              "all" -> advisory | mandatory | disabled (or an object with
                              enforcementLevel and the policy's properties)
                              (default: <cwd>/policy/config/<stack>.json when it exists)
      --no-policy             plan only, without the policy gate
      --diff <base>           show what the plan changes against <base> instead of the whole
                              plan: a git ref (the same stack planned at that commit, from a
                              temporary copy of it; the working tree is left alone) or a plan
                              saved with --json
      --markdown <file>       with --diff: write the diff as Markdown (a pull-request comment)
      --stack-traces          full stack traces for exceptions the program throws (slower:
                              the SDK then formats a trace for every internal promise)
      --json <file>           write the plan (secrets as digests), the verdict and, with --diff,
                              the diff as JSON; a later --diff can use it as its base
      --sarif <file>          write the violations as SARIF 2.1.0 (GitHub code scanning)
  -h, --help                  show this help`;

/** Where the CLI prints: the console, or a test's capture. */
export interface CliIo {
    readonly log: (text: string) => void;
    readonly error: (text: string) => void;
}

/**
 * The CLI: parses `argv` (the arguments after `npm run plan --`), prints through `io`, and
 * resolves to the exit code. `load` replaces how the program's main file is loaded (tests run
 * only main afresh in a process that keeps the SDKs loaded, see PlanOptions.load).
 */
export async function main(
    argv: string[],
    io: CliIo = console,
    load?: PlanOptions["load"],
): Promise<number> {
    let args;
    try {
        args = parseArgs({
            args: argv,
            options: {
                stack: { type: "string", short: "s" },
                cwd: { type: "string" },
                "policy-pack": { type: "string" },
                "policy-config": { type: "string" },
                "no-policy": { type: "boolean" },
                "stack-traces": { type: "boolean" },
                json: { type: "string" },
                sarif: { type: "string" },
                diff: { type: "string" },
                markdown: { type: "string" },
                help: { type: "boolean", short: "h" },
            },
            strict: true,
            allowPositionals: false,
        }).values;
    } catch (e) {
        io.error(`plan: ${(e as Error).message}\n\n${USAGE}`);
        return 2;
    }
    if (args.help) {
        io.log(USAGE);
        return 0;
    }
    if (!args.stack) {
        io.error(`plan: --stack is required\n\n${USAGE}`);
        return 2;
    }
    if (args.markdown && !args.diff) {
        io.error(`plan: --markdown writes a diff: give --diff <base> too\n\n${USAGE}`);
        return 2;
    }
    if (args.sarif && args["no-policy"]) {
        io.error(`plan: --sarif needs the policy gate: drop --no-policy\n\n${USAGE}`);
        return 2;
    }
    // The output files are checked before anything is planned: a typo in a path should not
    // cost a whole plan (a write that still fails afterwards is reported the same way).
    const outputs: Output[] = (["json", "sarif", "markdown"] as const).flatMap((flag) => {
        const file = args[flag];
        return file === undefined ? [] : [{ flag: `--${flag}`, file }];
    });
    for (const output of outputs) {
        const problem = unwritable(output.file);
        if (problem) {
            io.error(`plan: ${cannotWrite(output, problem)}`);
            return 2;
        }
    }
    const projectDir = path.resolve(args.cwd ?? process.cwd());
    let base: PreparedBase | undefined;
    try {
        // A base that cannot be had is bad usage, reported before anything is planned.
        if (args.diff) base = prepareBase(args.diff, projectDir, args.stack);
        const progress = progressLine("registered", "resources");
        const plan = await runPlan({
            projectDir,
            stack: args.stack,
            stackTraces: args["stack-traces"],
            onProgress: progress.update,
            load,
        }).finally(progress.done);
        if (plan.errors.length > 0) {
            const registered = plan.resources.filter((r) => r.type !== STACK_TYPE).length;
            io.error(
                `plan: the program failed for stack '${args.stack}'; \`pulumi preview\` would fail the same way:\n\n` +
                    plan.errors.join("\n\n") +
                    `\n\n(${registered} resource${registered === 1 ? "" : "s"} registered before the failure)`,
            );
            return 1;
        }
        let diff: PlanDiff | undefined;
        const saved = savePlan(plan, headCommit(projectDir));
        // The template values still in the stack: warnings, never a failure.
        const written = stackConfigAsWritten(plan.settings);
        const placeholders = findPlaceholders(written.config, plan.project.name);
        if (base) {
            const progressBase = progressLine("registered", "resources of the base");
            const basePlan =
                base.plan ??
                (await planBase(base, args.stack, progressBase.update, load).finally(
                    progressBase.done,
                ));
            diff = diffPlans(basePlan, saved);
            if (base.note) io.log(`Note: ${base.note}.`);
            io.log(renderDiff(diff, base.label));
            if (args.markdown) {
                const note = base.note ? `> ${base.note}.\n\n` : "";
                writeText(
                    { flag: "--markdown", file: args.markdown },
                    `${note}${renderDiffMarkdown(diff, base.label)}\n`,
                );
            }
        }
        let verdict: Verdict | undefined;
        if (!args["no-policy"]) {
            const packDir = args["policy-pack"]
                ? path.resolve(args["policy-pack"])
                : path.join(projectDir, "policy");
            const stackConfig = stackPolicyConfigPath(projectDir, args.stack);
            const configFile =
                args["policy-config"] ?? (fs.existsSync(stackConfig) ? stackConfig : undefined);
            const checking = progressLine("checked", "resources");
            try {
                verdict = await runGate(plan, {
                    packDir,
                    configFile,
                    onProgress: checking.update,
                }).finally(checking.done);
            } catch (e) {
                // The plan itself succeeded: print it before the gate's error.
                if (!diff) {
                    io.log(
                        renderPlan(plan, {
                            placeholders,
                            files: written.files,
                            policies: "not checked: the policy gate could not run (below)",
                        }),
                    );
                }
                throw e;
            }
        }
        if (diff) {
            // The diff's output stays as it was: a review of the change, not a first run.
            if (verdict) io.log(`\n${renderVerdict(verdict, plan)}`);
        } else {
            // The summary needs the verdict: the plan is printed once the gate has run.
            io.log(renderPlan(plan, { verdict, placeholders, files: written.files }));
            // The fixes name this blueprint's config keys: other programs get the pack's text.
            if (verdict && isBlueprint(projectDir)) {
                const fixes = {
                    project: plan.project.name,
                    stack: args.stack,
                    config: written.config,
                    files: written.files,
                };
                io.log(`\n${renderVerdict(withFixes(verdict, fixes), plan)}`);
            } else if (verdict) {
                io.log(`\n${renderVerdict(verdict, plan)}`);
            }
            io.log(`\n${nextStep(args.stack, verdict, placeholders)}`);
        }
        if (args.json) {
            // Secrets: digests in the saved plan; none in the verdict's messages (runGate).
            writeFile(
                { flag: "--json", file: args.json },
                {
                    ...saved,
                    verdict: verdict ?? null,
                    placeholders: placeholders.map(savedPlaceholder),
                    ...(diff ? { diff } : {}),
                },
            );
        }
        // verdict is always set with --sarif: --no-policy with it is refused above.
        if (args.sarif && verdict)
            writeFile({ flag: "--sarif", file: args.sarif }, toSarif(verdict, plan));
        if (diff && diff.errors.length > 0) {
            io.error(
                `plan: the change conflicts with the base's resources (see Errors above): \`pulumi preview\` would fail the same way`,
            );
            return 1;
        }
        if (verdict && verdict.mandatory > 0) {
            io.error(
                `plan: ${verdict.mandatory} mandatory policy violation${verdict.mandatory === 1 ? "" : "s"}: \`pulumi preview --policy-pack policy\` would fail the same way`,
            );
            return 1;
        }
        return 0;
    } catch (e) {
        if (e instanceof OutputError) {
            io.error(`plan: ${e.message}`);
            return 2;
        }
        if (e instanceof PlanInputError) {
            io.error(`plan: ${e.message}`);
            return 2;
        }
        if (e instanceof PolicyPackError) {
            io.error(`plan: policy gate: ${e.message}`);
            return 1;
        }
        throw e;
    } finally {
        base?.cleanup();
    }
}

/**
 * A placeholder as `--json` saves it: the key, the value as printed (never a secret's), the
 * catalogue entry (lib/placeholders.ts) and where to get the real value.
 */
function savedPlaceholder(p: PlaceholderFinding) {
    return {
        key: p.key,
        path: p.path,
        value: p.value,
        secret: p.secret,
        id: p.entry.id,
        where: p.where,
    };
}

/** A file the plan writes, and the flag that named it. */
interface Output {
    readonly flag: string;
    readonly file: string;
}

/** An output file that could not be written: one line, exit code 2. */
class OutputError extends Error {}

/** The one line that reports an output file the plan cannot write, before or after planning. */
function cannotWrite(output: Output, why: string): string {
    return `${output.flag} ${output.file}: cannot write: ${why}`;
}

/**
 * Why `file` cannot be written, or undefined when it looks writable: an existing file must be
 * writable and not a folder; a new one needs a writable folder that exists. Relative paths are
 * from the current folder, as the write resolves them.
 */
function unwritable(file: string): string | undefined {
    const target = path.resolve(file);
    try {
        if (fs.existsSync(target)) {
            if (fs.statSync(target).isDirectory())
                return "EISDIR: illegal operation on a directory";
            fs.accessSync(target, fs.constants.W_OK);
            return undefined;
        }
        const dir = path.dirname(target);
        if (!fs.statSync(dir).isDirectory()) return "ENOTDIR: not a directory";
        fs.accessSync(dir, fs.constants.W_OK);
        return undefined;
    } catch (e) {
        return reason(e);
    }
}

/** A file-system error's code and description, without the syscall and path Node appends. */
function reason(e: unknown): string {
    if (!(e instanceof Error)) return String(e);
    const { syscall } = e as NodeJS.ErrnoException;
    const at = syscall === undefined ? -1 : e.message.indexOf(`, ${syscall}`);
    return at < 0 ? e.message : e.message.slice(0, at);
}

function writeText(output: Output, text: string): void {
    try {
        fs.writeFileSync(output.file, text);
    } catch (e) {
        throw new OutputError(cannotWrite(output, reason(e)));
    }
}

function writeFile(output: Output, value: unknown): void {
    let text: string;
    try {
        text = JSON.stringify(value, null, 2);
    } catch (e) {
        throw new PolicyPackError(
            `the plan cannot be serialized to ${output.file}: ${(e as Error).message}`,
        );
    }
    writeText(output, `${text}\n`);
}

// Run as a command (`npm run plan`), not when a test imports main.
if (require.main === module) {
    // Rejections that surface after the plan returned (consequences of a failure already
    // reported, or a late program error) must still fail the run, never crash it with a raw
    // stack trace.
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
}
