/**
 * `npm run bench`: how the offline plan and its policy gate scale with the size of the fleet.
 *
 * It plans the committed dev and prod stacks, prod against itself as `npm run plan -- --stack
 * prod --diff HEAD` does (the plan, the commit's plan, the diff, then the gate), and synthetic stacks of 0, 10, 100 and 1000 edge
 * clusters (the dev stack plus generated edge sites from `syntheticEdgeOverrides`: generated
 * config, secrets as placeholders, never a committed kubeconfig). For each it runs what
 * `npm run plan -- --stack <name>` runs, the plan then the policy gate over the analyzer
 * protocol, and reports:
 *
 * - wall time, from spawning the process to its exit: what a user waits for, including Node
 *   and tsx startup and loading the cloud SDKs; and within it the plan and the gate (pack
 *   startup and configuration, then Analyze per resource and AnalyzeStack);
 * - peak memory: the peak resident set of the process that plans and talks to the gate, and
 *   that of the policy pack process (`VmHWM`), which runs beside it;
 * - work time: the plan plus the gate's checking (Analyze, AnalyzeStack), the time the size of
 *   the fleet drives. Process startup and the pack's startup cost the same at every size and
 *   are left out of it (they stay in wall time and in their own columns);
 * - resources registered (the stack resource left out) and, for edge-N, per cluster figures
 *   relative to edge-0: resources, milliseconds of work and MB of peak memory each cluster adds;
 * - the gate's throughput: Analyze calls (one per custom resource) per second of checking.
 *
 * Each run of a case is a fresh child process: peak RSS is a high-water mark that a process
 * cannot reset, and one heap holding several plans (module caches, recorded resources, a grown
 * V8 heap) would charge one case for another. A fresh process also pays the startup a user
 * pays. The runs go one after another (two processes running at once would share the two
 * cores), after one unmeasured warm-up run that fills tsx's compile cache and the OS file
 * cache, so the first case measured does not pay for them alone.
 *
 * Process startup alone varies by most of a second between identical runs on a small machine,
 * more than a small fleet adds: each case runs `--repeat` times (3 by default) and the report
 * gives the median of each figure (the JSON keeps every run). The runs go round the cases, one
 * run of each and then the next round, so a change in the machine's load while the bench runs
 * is shared by every case rather than landing on one. A case that fails is not run again.
 *
 * It prints a table and a list of targets met or missed, and writes the figures as JSON.
 * Timings never fail it: the exit code is 0 when every case planned and passed through the
 * gate without errors, 1 when one failed, 2 on bad usage.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { PLAN_NODE_FLAGS } from "../plan/node-flags";

const USAGE = `usage: npm run bench -- [options]

      --sizes <n,n,...>   edge cluster counts of the synthetic stacks (default: 0,10,100,1000);
                          must include 0 when it lists another size: per-cluster figures are
                          relative to edge-0
      --no-committed      skip the committed stacks (dev, prod)
      --repeat <n>        runs of each case, each in a fresh process; the report gives the
                          median of each figure (default: 3)
      --json <file>       where to write the results (default: bench-results.json)
      --profile <dir>     write a V8 CPU profile of each run's planning process to <dir>
                          (node --cpu-prof; open it in Chrome DevTools); timings then include
                          the profiler's overhead
  -h, --help              show this help`;

const PROJECT_DIR = path.resolve(__dirname, "..");
const DEFAULT_SIZES = [0, 10, 100, 1000];
const DEFAULT_JSON = "bench-results.json";
const DEFAULT_REPEAT = 3;
/** A case that takes longer than this is killed and reported as failed. */
const CASE_TIMEOUT_MS = 10 * 60_000;

/** Targets on a 2-core machine; reported as PASS or MISS, never as an exit code. */
const TARGETS = {
    devWallS: 5,
    edgeClusters: 1000,
    edgeWallS: 15,
    /** 1.5 GB, in the MB (MiB) that peak RSS is reported in. */
    edgePeakMb: 1536,
    flatFrom: 100,
    flatWithin: 0.2,
    /** The diff of prod against itself, in wall time, relative to a plan of prod. */
    prodDiffRatio: 1.5,
} as const;

/** One stack to plan: a committed one, or dev plus `edgeClusters` generated edge sites. */
interface BenchCase {
    readonly name: string;
    readonly stack: string;
    readonly edgeClusters?: number;
    /** Plan as `--diff <ref>` does: the stack, then the stack at the commit, then the diff. */
    readonly diffBase?: string;
}

/** What a child process prints: one JSON line. */
interface ChildReport {
    readonly planMs: number;
    /** Registrations, the stack resource left out (also when the plan failed part way). */
    readonly resources: number;
    /** Errors of the plan (as `npm run plan` reports them), or of the gate. */
    readonly errors: number;
    readonly firstError: string | null;
    /** Null when the plan failed (then the gate does not run) or the gate failed. */
    readonly gate: {
        readonly startupMs: number;
        readonly checkMs: number;
        readonly analyzeCalls: number;
        /** Resources in AnalyzeStack: every resource. */
        readonly resourcesChecked: number;
        readonly mandatory: number;
        readonly advisory: number;
        readonly packPeakRssMb: number | null;
    } | null;
    readonly peakRssMb: number;
    /** With `diffBase`: the diff's summary line, as `npm run plan -- --diff` prints it. */
    readonly diff?: string;
}

/** One run of a case: the raw figures of one child process. */
interface RunResult {
    readonly ok: boolean;
    /** Spawn to exit. */
    readonly wallMs: number;
    readonly planMs: number | null;
    /** planMs + gate.checkMs; null when the gate did not run. */
    readonly workMs: number | null;
    readonly resources: number | null;
    readonly errors: number;
    readonly firstError: string | null;
    readonly peakRssMb: number | null;
    readonly gate: ChildReport["gate"];
    readonly diff: string | null;
}

/**
 * A case over its runs: each figure is the median of the runs that have it; `ok` when every run
 * planned and passed through the gate without errors, `errors` of every run (a case that fails
 * is not run again), `workMs` the median of each run's planMs + gate.checkMs.
 */
interface CaseResult extends Omit<RunResult, "gate"> {
    readonly name: string;
    readonly stack: string;
    readonly edgeClusters: number | null;
    readonly gate:
        | (NonNullable<ChildReport["gate"]> & {
              /** Analyze calls per second of checking. */
              readonly resourcesPerSecond: number;
          })
        | null;
    /**
     * What each cluster adds, relative to edge-0, on medians; edge-N with N > 0 only. `ms` is
     * work time (plan + gate checking), not wall time; `mb` is peak RSS of the planning process.
     */
    readonly perCluster: {
        readonly resources: number;
        readonly ms: number;
        readonly mb: number;
    } | null;
    readonly runs: readonly RunResult[];
}

type Status = "PASS" | "MISS" | "n/a";

interface Target {
    readonly target: string;
    readonly status: Status;
    /** The figure measured, or why there is none. */
    readonly measured: string;
}

// ---------------------------------------------------------------------------------------------
// The child: plans one case and prints one JSON line.

async function child(spec: BenchCase & { readonly projectDir: string }): Promise<void> {
    const { runPlan, STACK_TYPE } = await import("../plan/run");
    const { runGate } = await import("../plan/gate");
    // Loaded up front, as `npm run plan` loads them, so that the diff case times the diff.
    const { prepareBase, planBase } = await import("../plan/base");
    const { diffPlans, savePlan, summaryLine } = await import("../plan/diff");
    const { stackPolicyConfigPath } = await import("../policy/config");
    const overrides =
        spec.edgeClusters === undefined
            ? undefined
            : (await import("./synthetic")).syntheticEdgeOverrides(spec.edgeClusters);

    const started = Date.now();
    let planMs: number | undefined;
    let resources = 0;
    const errors: string[] = [];
    let gate: ChildReport["gate"] = null;
    let diff: string | undefined;
    try {
        const plan = await runPlan({ projectDir: spec.projectDir, stack: spec.stack, overrides });
        resources = plan.resources.filter((r) => r.type !== STACK_TYPE).length;
        errors.push(...plan.errors);
        if (spec.diffBase && plan.errors.length === 0) {
            const base = prepareBase(spec.diffBase, spec.projectDir, spec.stack);
            try {
                diff = summaryLine(
                    diffPlans(await planBase(base, spec.stack), savePlan(plan)).summary,
                );
            } finally {
                base.cleanup();
            }
        }
        planMs = Date.now() - started;
        // As `npm run plan`: a failed plan goes to no gate.
        if (plan.errors.length === 0) {
            const configFile = stackPolicyConfigPath(spec.projectDir, spec.stack);
            const verdict = await runGate(plan, {
                packDir: path.join(spec.projectDir, "policy"),
                configFile: fs.existsSync(configFile) ? configFile : undefined,
            });
            gate = {
                startupMs: verdict.timing.startupMs,
                checkMs: verdict.timing.checkMs,
                analyzeCalls: verdict.timing.analyzeCalls,
                resourcesChecked: verdict.resources,
                mandatory: verdict.mandatory,
                advisory: verdict.advisory,
                packPeakRssMb: round(verdict.timing.packPeakRssMb, 1) ?? null,
            };
        }
    } catch (e) {
        // Missing or malformed stack files (PlanInputError), a pack that cannot run.
        errors.push(e instanceof Error ? e.message : String(e));
    }
    const report: ChildReport = {
        planMs: planMs ?? Date.now() - started,
        resources,
        errors: errors.length,
        firstError: errors[0] ?? null,
        gate,
        peakRssMb: round(process.resourceUsage().maxRSS / 1024, 1)!,
        ...(diff === undefined ? {} : { diff }),
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
}

// ---------------------------------------------------------------------------------------------
// The parent: runs each case in a child and reports.

/**
 * Runs one case in a fresh process; wall time is spawn to exit. With `profile`, the process
 * writes a CPU profile to `profile.dir`, named `profile.name`.
 */
function runCase(
    c: BenchCase,
    profile: { readonly dir: string; readonly name: string } | undefined,
): Promise<RunResult> {
    const nodeArgs = profile
        ? ["--cpu-prof", "--cpu-prof-dir", profile.dir, "--cpu-prof-name", profile.name]
        : [];
    const args = [
        ...PLAN_NODE_FLAGS,
        ...nodeArgs,
        "--import",
        "tsx",
        __filename,
        "--child",
        JSON.stringify({ ...c, projectDir: PROJECT_DIR }),
    ];
    return new Promise((resolve) => {
        const started = process.hrtime.bigint();
        const proc = spawn(process.execPath, args, {
            cwd: PROJECT_DIR,
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        proc.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
        proc.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
        let timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            proc.kill("SIGKILL");
        }, CASE_TIMEOUT_MS);
        let spawnError: Error | undefined;
        proc.once("error", (e) => (spawnError = e));
        let exited: bigint | undefined;
        proc.once("exit", () => (exited = process.hrtime.bigint()));
        // Output is complete once the pipes close, just after the exit.
        proc.once("close", (code, signal) => {
            clearTimeout(timer);
            const wallMs = Number((exited ?? process.hrtime.bigint()) - started) / 1e6;
            const report = lastJsonLine(stdout);
            let failure: string | null = null;
            if (spawnError) failure = `could not start: ${spawnError.message}`;
            else if (timedOut) failure = `killed after ${CASE_TIMEOUT_MS / 1000} s`;
            else if (code !== 0 || !report) {
                failure =
                    `its process exited with ${signal ?? `code ${code}`}` +
                    (report ? "" : " without a report") +
                    (stderr.trim() ? `:\n${tail(stderr.trim(), 2000)}` : "");
            }
            resolve(toRun(Math.round(wallMs), report, failure));
        });
    });
}

function toRun(wallMs: number, report: ChildReport | undefined, failure: string | null): RunResult {
    const gate = report?.gate ?? null;
    const errors = (report?.errors ?? 0) + (failure === null ? 0 : 1);
    return {
        ok: errors === 0 && gate !== null,
        wallMs,
        planMs: report?.planMs ?? null,
        workMs: report && gate ? report.planMs + gate.checkMs : null,
        resources: report?.resources ?? null,
        errors,
        firstError: report?.firstError ?? failure,
        peakRssMb: report?.peakRssMb ?? null,
        gate,
        diff: report?.diff ?? null,
    };
}

/** A case's figures over its runs (one at least): the median of each. */
function toCase(c: BenchCase, runs: readonly RunResult[]): CaseResult {
    const of = (pick: (r: RunResult) => number | null | undefined) => median(runs.map(pick));
    const gates = runs.flatMap((r) => (r.gate ? [r.gate] : []));
    const ofGate = (pick: (g: NonNullable<ChildReport["gate"]>) => number | null) =>
        median(gates.map(pick));
    const failed = runs.find((r) => !r.ok);
    let gate: CaseResult["gate"] = null;
    if (gates.length > 0) {
        const checkMs = ofGate((g) => g.checkMs)!;
        const analyzeCalls = ofGate((g) => g.analyzeCalls)!;
        gate = {
            startupMs: ofGate((g) => g.startupMs)!,
            checkMs,
            analyzeCalls,
            resourcesChecked: ofGate((g) => g.resourcesChecked)!,
            mandatory: ofGate((g) => g.mandatory)!,
            advisory: ofGate((g) => g.advisory)!,
            packPeakRssMb: round(ofGate((g) => g.packPeakRssMb) ?? undefined, 2) ?? null,
            resourcesPerSecond: Math.round(analyzeCalls / (Math.max(checkMs, 1) / 1000)),
        };
    }
    return {
        name: c.name,
        stack: c.stack,
        edgeClusters: c.edgeClusters ?? null,
        ok: failed === undefined,
        wallMs: of((r) => r.wallMs)!,
        planMs: of((r) => r.planMs),
        workMs: of((r) => r.workMs),
        resources: of((r) => r.resources),
        errors: runs.reduce((sum, r) => sum + r.errors, 0),
        firstError: failed?.firstError ?? null,
        peakRssMb: round(of((r) => r.peakRssMb) ?? undefined, 2) ?? null,
        gate,
        diff: runs.find((r) => r.diff !== null)?.diff ?? null,
        perCluster: null,
        runs,
    };
}

/** The median of the figures present; null when there is none. */
function median(values: readonly (number | null | undefined)[]): number | null {
    const present = values.filter((v): v is number => typeof v === "number");
    if (present.length === 0) return null;
    const sorted = [...present].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Adds the per-cluster figures of edge-N (N > 0), relative to edge-0, on medians: time from
 * work (plan + gate checking), which leaves out the startup every process pays whatever its
 * size; memory from the planning process's peak RSS.
 */
function withPerCluster(results: readonly CaseResult[]): CaseResult[] {
    const base = results.find((r) => r.edgeClusters === 0 && r.ok);
    return results.map((r) => {
        const n = r.edgeClusters;
        if (!base || !r.ok || n === null || n === 0) return r;
        return {
            ...r,
            perCluster: {
                resources: (r.resources! - base.resources!) / n,
                ms: round((r.workMs! - base.workMs!) / n, 2)!,
                mb: round((r.peakRssMb! - base.peakRssMb!) / n, 3)!,
            },
        };
    });
}

function targets(results: readonly CaseResult[]): Target[] {
    /** The case's result, or why there is none to measure. */
    const measured = (name: string): CaseResult | string => {
        const r = results.find((x) => x.name === name);
        if (!r) return `${name} not run`;
        return r.ok ? r : `${name} failed`;
    };
    const list: Target[] = [];

    const devTarget = `dev stack planned and policy-checked in < ${TARGETS.devWallS} s`;
    const dev = measured("dev");
    list.push(
        typeof dev === "string"
            ? { target: devTarget, status: "n/a", measured: dev }
            : {
                  target: devTarget,
                  status: dev.wallMs < TARGETS.devWallS * 1000 ? "PASS" : "MISS",
                  measured: `${seconds(dev.wallMs)} s`,
              },
    );

    const diffTarget = `diff of prod against itself in < ${TARGETS.prodDiffRatio}x a plan of prod (wall)`;
    const [prod, prodDiff] = [measured("prod"), measured("prod-diff")];
    if (typeof prod === "string" || typeof prodDiff === "string") {
        const why = [prod, prodDiff].filter((m) => typeof m === "string").join(", ");
        list.push({ target: diffTarget, status: "n/a", measured: why });
    } else {
        const ratio = prodDiff.wallMs / prod.wallMs;
        list.push({
            target: diffTarget,
            status: ratio <= TARGETS.prodDiffRatio ? "PASS" : "MISS",
            measured: `${ratio.toFixed(2)}x (${seconds(prodDiff.wallMs)} s / ${seconds(prod.wallMs)} s; diff: ${prodDiff.diff})`,
        });
    }

    const n = TARGETS.edgeClusters;
    const timeTarget = `${n} edge clusters planned and policy-checked in < ${TARGETS.edgeWallS} s`;
    const memoryTarget = `${n} edge clusters in < 1.5 GB (${TARGETS.edgePeakMb} MB) peak, plan + pack`;
    const big = measured(`edge-${n}`);
    if (typeof big === "string") {
        list.push(
            { target: timeTarget, status: "n/a", measured: big },
            { target: memoryTarget, status: "n/a", measured: big },
        );
    } else {
        const plan = big.peakRssMb!;
        const pack = big.gate?.packPeakRssMb ?? null;
        const total = plan + (pack ?? 0);
        list.push(
            {
                target: timeTarget,
                status: big.wallMs < TARGETS.edgeWallS * 1000 ? "PASS" : "MISS",
                measured: `${seconds(big.wallMs)} s`,
            },
            {
                target: memoryTarget,
                status: total < TARGETS.edgePeakMb ? "PASS" : "MISS",
                measured:
                    pack === null
                        ? `${Math.round(total)} MB (plan process only: no /proc to read the pack's peak)`
                        : `${Math.round(total)} MB (${Math.round(plan)} + ${Math.round(pack)})`,
            },
        );
    }

    // From 100 clusters to the largest size run (1000 by default).
    const largest = Math.max(...results.map((r) => r.edgeClusters ?? 0));
    const upTo = largest > TARGETS.flatFrom ? largest : n;
    const from = measured(`edge-${TARGETS.flatFrom}`);
    const to = measured(`edge-${upTo}`);
    for (const [what, unit, pick] of [
        ["time", "ms", (p: NonNullable<CaseResult["perCluster"]>) => p.ms],
        ["memory", "MB", (p: NonNullable<CaseResult["perCluster"]>) => p.mb],
    ] as const) {
        const target = `per-cluster ${what} flat from ${TARGETS.flatFrom} to ${upTo} clusters (within ${TARGETS.flatWithin * 100} %)`;
        if (typeof from === "string" || typeof to === "string") {
            const why = [from, to].filter((m) => typeof m === "string").join(", ");
            list.push({ target, status: "n/a", measured: why });
            continue;
        }
        if (!from.perCluster || !to.perCluster) {
            list.push({ target, status: "n/a", measured: "edge-0 failed" });
            continue;
        }
        const [before, after] = [pick(from.perCluster), pick(to.perCluster)];
        const figures = `${before.toFixed(2)} -> ${after.toFixed(2)} ${unit}/cluster`;
        if (before <= 0) {
            list.push({
                target,
                status: "n/a",
                measured: `${figures}: nothing per cluster at ${TARGETS.flatFrom} to compare with`,
            });
            continue;
        }
        const apart = Math.abs(after - before) / before;
        const direction =
            after === before
                ? "the same"
                : `${Math.round(apart * 100)} % ${after < before ? "lower" : "higher"}`;
        list.push({
            target,
            status: apart <= TARGETS.flatWithin ? "PASS" : "MISS",
            measured: `${figures} (${direction} at ${upTo})`,
        });
    }
    return list;
}

const COLUMNS = [
    "case",
    "resources",
    "res/cluster",
    "wall s",
    "plan s",
    "gate s",
    "work s",
    "peak MB",
    "pack MB",
    "ms/cluster",
    "MB/cluster",
    "gate res/s",
] as const;

/** The results as a fixed-width table: the case name left-aligned, figures right-aligned. */
function renderTable(results: readonly CaseResult[]): string {
    const rows = results.map((r) => [
        r.ok ? r.name : `${r.name} *`,
        format(r.resources, 0),
        format(r.perCluster?.resources, Number.isInteger(r.perCluster?.resources) ? 0 : 2),
        seconds(r.wallMs),
        r.planMs === null ? "-" : seconds(r.planMs),
        r.gate ? seconds(r.gate.startupMs + r.gate.checkMs) : "-",
        r.workMs === null ? "-" : seconds(r.workMs),
        format(r.peakRssMb, 0),
        format(r.gate?.packPeakRssMb, 0),
        format(r.perCluster?.ms, 1),
        format(r.perCluster?.mb, 2),
        format(r.gate?.resourcesPerSecond, 0),
    ]);
    const widths = COLUMNS.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    const line = (cells: readonly string[]) =>
        cells
            .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
            .join("  ")
            .trimEnd();
    return [line(COLUMNS), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

function footer(repeat: number): string {
    const runs =
        repeat === 1
            ? "Figures are of one run of each case (--repeat 1), in a fresh process."
            : `Figures are the medians of ${repeat} runs of each case, each in a fresh process (every run is in the JSON).`;
    return `${runs}
wall s: spawn to exit of the case's process (Node and tsx startup, SDK loading, plan, gate).
plan s / gate s: the plan, then the gate (pack startup, Analyze per resource, AnalyzeStack).
prod-diff: \`npm run plan -- --stack prod --diff HEAD\`: plan s also holds the plan of prod at
HEAD (exported with git archive) and the diff, whose summary is in the targets (empty when the
working tree's prod is HEAD's).
work s: the plan plus the gate's checking, without the pack's startup: the work the fleet's
size drives. Process and pack startup cost the same at any size and are not counted in it.
peak MB: peak RSS of the process that plans and talks to the gate; pack MB: peak RSS of the
policy pack process. Both run at once, so the memory target counts their sum.
res/cluster, ms/cluster, MB/cluster: what each edge cluster adds over edge-0 (resources,
work s, peak MB); the time targets on wall s are unchanged.
gate res/s: Analyze calls (one per custom resource) per second of checking; AnalyzeStack then
gets every resource.`;
}

function renderTargets(list: readonly Target[]): string {
    const width = Math.max(...list.map((t) => t.target.length));
    return [
        "Targets (a 2-core machine; reported, never an exit code):",
        ...list.map((t) => `  ${t.status.padEnd(4)}  ${t.target.padEnd(width)}  ${t.measured}`),
    ].join("\n");
}

interface BenchOptions {
    readonly sizes: readonly number[];
    readonly committed: boolean;
    readonly repeat: number;
    readonly json: string;
    readonly profile?: string;
}

/** Parses the flags; a string is a usage error to print. */
function parseOptions(argv: string[]): BenchOptions | "help" | string {
    let values;
    try {
        values = parseArgs({
            args: argv,
            options: {
                sizes: { type: "string" },
                "no-committed": { type: "boolean" },
                repeat: { type: "string" },
                json: { type: "string" },
                profile: { type: "string" },
                help: { type: "boolean", short: "h" },
            },
            strict: true,
            allowPositionals: false,
        }).values;
    } catch (e) {
        return (e as Error).message;
    }
    if (values.help) return "help";
    let sizes = DEFAULT_SIZES;
    if (values.sizes !== undefined) {
        const parts = values.sizes.split(",").map((s) => s.trim());
        const bad = parts.filter((s) => !/^\d+$/.test(s));
        if (bad.length > 0 || parts.length === 0) {
            return `--sizes takes a comma-separated list of non-negative integers (such as 0,10,100), not '${values.sizes}'`;
        }
        sizes = [...new Set(parts.map(Number))].sort((a, b) => a - b);
        if (!sizes.includes(0)) {
            return `--sizes must include 0 when it lists another size: per-cluster figures are relative to edge-0 (try --sizes 0,${sizes.join(",")})`;
        }
    }
    let repeat = DEFAULT_REPEAT;
    if (values.repeat !== undefined) {
        const text = values.repeat.trim();
        repeat = Number(text);
        if (!/^\d+$/.test(text) || !Number.isSafeInteger(repeat) || repeat < 1) {
            return `--repeat takes a positive integer (such as 3), not '${values.repeat}'`;
        }
    }
    for (const [flag, value] of [
        ["--json", values.json],
        ["--profile", values.profile],
    ] as const) {
        if (value !== undefined && value.trim() === "") return `${flag} needs a path`;
    }
    return {
        sizes,
        committed: !values["no-committed"],
        repeat,
        json: path.resolve(values.json ?? DEFAULT_JSON),
        profile: values.profile === undefined ? undefined : path.resolve(values.profile),
    };
}

async function main(argv: string[]): Promise<number> {
    const options = parseOptions(argv);
    if (options === "help") {
        console.log(USAGE);
        return 0;
    }
    if (typeof options === "string") {
        console.error(`bench: ${options}\n\n${USAGE}`);
        return 2;
    }
    if (options.profile) fs.mkdirSync(options.profile, { recursive: true });
    const cases: BenchCase[] = [
        ...(options.committed
            ? [
                  { name: "dev", stack: "dev" },
                  { name: "prod", stack: "prod" },
                  { name: "prod-diff", stack: "prod", diffBase: "HEAD" },
              ]
            : []),
        ...options.sizes.map((n) => ({ name: `edge-${n}`, stack: "dev", edgeClusters: n })),
    ];
    const say = (text: string) => {
        if (process.stderr.isTTY) process.stderr.write(`${text}\n`);
    };

    say(`warming up (${cases[0].name}, not measured)…`);
    await runCase(cases[0], undefined);
    // Round after round of one run of each case; a case that failed is not run again.
    const runs = cases.map((): RunResult[] => []);
    const total = cases.length * options.repeat;
    let step = 0;
    for (let run = 1; run <= options.repeat; run++) {
        for (const [i, c] of cases.entries()) {
            step++;
            if (runs[i].some((r) => !r.ok)) continue;
            say(`running ${c.name}, run ${run}/${options.repeat} (${step}/${total})…`);
            const profile =
                options.profile === undefined
                    ? undefined
                    : {
                          dir: options.profile,
                          name:
                              options.repeat === 1
                                  ? `${c.name}.cpuprofile`
                                  : `${c.name}-${run}.cpuprofile`,
                      };
            runs[i].push(await runCase(c, profile));
        }
    }
    const results = withPerCluster(cases.map((c, i) => toCase(c, runs[i])));
    const list = targets(results);

    const failed = results.filter((r) => !r.ok);
    console.log(renderTable(results));
    if (failed.length > 0) console.log("* failed: see the errors below");
    const violating = results.filter((r) => r.gate && r.gate.mandatory > 0);
    if (violating.length > 0) {
        const counts = violating.map((r) => `${r.name} ${r.gate!.mandatory}`).join(", ");
        console.log(`mandatory policy violations (not a bench failure): ${counts}`);
    }
    console.log(`\n${footer(options.repeat)}\n\n${renderTargets(list)}`);
    if (options.profile) {
        const name = options.repeat === 1 ? "<case>.cpuprofile" : "<case>-<run>.cpuprofile";
        console.log(
            `\nCPU profiles: ${displayPath(options.profile)}/${name} (timings include the profiler)`,
        );
    }

    fs.writeFileSync(
        options.json,
        `${JSON.stringify(
            {
                machine: {
                    cpus: os.cpus().length,
                    memoryMb: Math.round(os.totalmem() / 1024 ** 2),
                    node: process.version,
                    platform: `${process.platform}-${process.arch}`,
                },
                date: new Date().toISOString(),
                sizes: options.sizes,
                repeat: options.repeat,
                profiled: options.profile !== undefined,
                cases: results,
                targets: list,
            },
            null,
            2,
        )}\n`,
    );
    console.log(`\nResults written to ${displayPath(options.json)}`);

    for (const r of failed) {
        console.error(`\nbench: ${r.name} failed (${r.errors} error${r.errors === 1 ? "" : "s"}):`);
        console.error(r.firstError ?? "(no message)");
    }
    return failed.length > 0 ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------

function lastJsonLine(stdout: string): ChildReport | undefined {
    const line = stdout
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l.startsWith("{"))
        .pop();
    if (!line) return undefined;
    try {
        return JSON.parse(line) as ChildReport;
    } catch {
        return undefined;
    }
}

function round(n: number | undefined, digits: number): number | undefined {
    return n === undefined ? undefined : Number(n.toFixed(digits));
}

function format(n: number | null | undefined, digits: number): string {
    return n === null || n === undefined ? "-" : n.toFixed(digits);
}

function seconds(ms: number): string {
    return (ms / 1000).toFixed(2);
}

function tail(text: string, chars: number): string {
    return text.length <= chars ? text : `…${text.slice(-chars)}`;
}

function displayPath(file: string): string {
    const relative = path.relative(process.cwd(), file);
    return relative && !relative.startsWith("..") ? relative : file;
}

if (process.argv[2] === "--child") {
    // Rejections after the report (a late program error) must still fail the case.
    process.on("unhandledRejection", (reason) => {
        console.error(`bench: unhandled rejection: ${String(reason)}`);
        process.exitCode = 1;
    });
    child(JSON.parse(process.argv[3]) as BenchCase & { projectDir: string }).catch((e: unknown) => {
        console.error(e);
        process.exitCode = 1;
    });
} else {
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
