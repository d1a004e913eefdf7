/**
 * The base of `npm run plan -- --diff <base>`: a plan saved with `--json`, or the same stack
 * planned at a git commit. The commit's files are exported with `git archive` into a temporary
 * folder (the working tree, the index and the repository's worktree list stay as they are),
 * given this checkout's `node_modules`, and planned by this checkout's planner in the same
 * process as the working tree.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PLAN_FORMAT, readSavedPlan, SavedPlan, savePlan } from "./diff";
import { PlanOptions, runPlan } from "./run";
import { loadProject, PlanInputError } from "../lib/stack-files";

export interface PreparedBase {
    /** How the diff names the base: `main (1a2b3c4)`, `the plan saved in plan.json`. */
    readonly label: string;
    /** The base plan, when it needs no planning: a saved plan, or none (a new stack). */
    readonly plan?: SavedPlan;
    /** The project folder of the base commit, to plan, when it needs planning. */
    readonly projectDir?: string;
    /** Something the reader should know (the stack is new at this commit). */
    readonly note?: string;
    /** Removes the temporary copy of the commit. */
    readonly cleanup: () => void;
}

function git(cwd: string, args: string[]): { ok: boolean; out: string; err: string } {
    const r = spawnSync("git", args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    return { ok: r.status === 0, out: (r.stdout ?? "").trim(), err: (r.stderr ?? "").trim() };
}

/** The commit checked out in `dir`, when it is a git checkout. */
export function headCommit(dir: string): string | undefined {
    const r = git(dir, ["rev-parse", "HEAD"]);
    return r.ok ? r.out : undefined;
}

/**
 * Gets the base ready: reads a saved plan, or exports the commit's files to a temporary folder
 * for the caller to plan (in the same process as the head: the cloud SDKs, most of a plan's
 * time, load once). Throws `PlanInputError` (exit code 2) when `spec` is neither.
 */
export function prepareBase(spec: string, projectDir: string, stack: string): PreparedBase {
    const nothing = () => undefined;
    if (fs.existsSync(spec) && fs.statSync(spec).isFile()) {
        const plan = readSavedPlan(spec);
        if (plan.stack !== stack) {
            throw new PlanInputError(
                `--diff ${spec} is a plan of stack '${plan.stack}', not '${stack}': compare a stack with itself`,
            );
        }
        const commit = plan.commit ? ` (commit ${plan.commit.slice(0, 7)})` : "";
        return { plan, label: `the plan saved in ${spec}${commit}`, cleanup: nothing };
    }
    const top = git(projectDir, ["rev-parse", "--show-toplevel"]);
    if (!top.ok) {
        throw new PlanInputError(
            `--diff ${spec}: no such file, and ${projectDir} is not in a git checkout; give a plan saved with --json or a git ref`,
        );
    }
    const commit = git(projectDir, ["rev-parse", "--verify", "--quiet", `${spec}^{commit}`]);
    if (!commit.ok) {
        throw new PlanInputError(
            `--diff ${spec}: neither a file nor a commit of this repository (in a shallow clone, fetch the base first: \`git fetch --depth=1 origin <branch>\`)`,
        );
    }
    const label = `${spec} (${commit.out.slice(0, 7)})`;
    const prefix = git(projectDir, ["rev-parse", "--show-prefix"]).out;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "multicloud-plan-base-"));
    const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
    try {
        const tar = path.join(tmp, "base.tar");
        const archived = git(top.out, ["archive", "--format=tar", "-o", tar, commit.out]);
        if (!archived.ok) {
            throw new PlanInputError(`--diff ${spec}: git archive failed: ${archived.err}`);
        }
        const tree = path.join(tmp, "tree");
        fs.mkdirSync(tree);
        const untar = spawnSync("tar", ["-xf", tar, "-C", tree], { encoding: "utf8" });
        if (untar.status !== 0) {
            throw new PlanInputError(
                `--diff ${spec}: could not unpack the commit: ${untar.stderr}`,
            );
        }
        const baseProject = path.join(tree, prefix);
        let project;
        try {
            project = loadProject(baseProject);
        } catch (e) {
            throw new PlanInputError(`--diff ${spec}: at that commit, ${(e as Error).message}`);
        }
        const hasStack = ["yaml", "yml"].some((ext) =>
            fs.existsSync(path.join(project.stackConfigDir, `Pulumi.${stack}.${ext}`)),
        );
        if (!hasStack) {
            cleanup();
            return {
                plan: {
                    format: PLAN_FORMAT,
                    project: project.name,
                    stack,
                    resources: [],
                    outputs: {},
                },
                label,
                note: `stack '${stack}' has no settings file at ${spec}: every resource is new`,
                cleanup: nothing,
            };
        }
        // The commit is planned with this checkout's packages: the SDKs its program loads are
        // the ones installed here (a base whose package-lock.json differs is planned with them).
        fs.symlinkSync(
            path.join(projectDir, "node_modules"),
            path.join(baseProject, "node_modules"),
            "dir",
        );
        return { label, projectDir: baseProject, cleanup };
    } catch (e) {
        cleanup();
        throw e;
    }
}

/**
 * Plans the base commit's copy in this process, after the head: the SDKs are loaded already,
 * and only the base's own files load afresh (a second plan costs a fraction of the first).
 * A base that does not plan leaves nothing to compare with: bad input, exit code 2.
 */
export async function planBase(
    base: PreparedBase,
    stack: string,
    onProgress?: (registered: number) => void,
    load?: PlanOptions["load"],
): Promise<SavedPlan> {
    if (base.plan) return base.plan;
    const plan = await runPlan({ projectDir: base.projectDir!, stack, onProgress, load });
    if (plan.errors.length > 0) {
        throw new PlanInputError(
            `--diff: stack '${stack}' does not plan at ${base.label}, so there is nothing to compare with:\n\n` +
                plan.errors.join("\n\n"),
        );
    }
    return savePlan(plan);
}
