/**
 * `npm run bench` end to end, as a user runs it: a real child process through tsx, with its
 * exit code, the table it prints and the JSON it writes. Timings are never asserted: they
 * depend on the machine.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../harness";

function bench(...args: string[]): { code: number | null; stdout: string; stderr: string } {
    const r = spawnSync(
        process.execPath,
        ["--import", "tsx", path.join(PROJECT_DIR, "tools", "bench.ts"), ...args],
        {
            cwd: PROJECT_DIR,
            encoding: "utf8",
            env: { ...process.env, FORCE_COLOR: "0" },
            timeout: 120_000,
        },
    );
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Gate {
    startupMs: number;
    checkMs: number;
    analyzeCalls: number;
    resourcesChecked: number;
    packPeakRssMb: number | null;
}

interface Figures {
    ok: boolean;
    wallMs: number;
    planMs: number;
    workMs: number;
    resources: number;
    peakRssMb: number;
    gate: Gate;
}

interface BenchJson {
    repeat: number;
    cases: (Figures & {
        name: string;
        gate: Gate & { resourcesPerSecond: number };
        perCluster: { resources: number; ms: number; mb: number } | null;
        runs: Figures[];
    })[];
    targets: { target: string; status: string; measured: string }[];
}

describe("npm run bench", () => {
    const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "multicloud-bench-")), "b.json");
    let run: ReturnType<typeof bench>;
    let results: BenchJson;

    beforeAll(() => {
        run = bench("--sizes", "0,10", "--no-committed", "--repeat", "1", "--json", json);
        results = JSON.parse(fs.readFileSync(json, "utf8")) as BenchJson;
    }, 120_000);

    it("plans edge-0 and edge-10 in children and exits 0, progress only on a terminal", () => {
        expect(run.stderr).not.toContain("running");
        expect(run.code).toBe(0);
        expect(results.cases.map((c) => c.name)).toEqual(["edge-0", "edge-10"]);
        for (const c of results.cases) {
            expect(c.ok).toBe(true);
            expect(c.resources).toBeGreaterThan(0);
            expect(c.gate.resourcesPerSecond).toBeGreaterThan(0);
            // AnalyzeStack gets every resource; Analyze only custom resources.
            expect(c.gate.resourcesChecked).toBe(c.resources);
            expect(c.gate.analyzeCalls).toBeLessThanOrEqual(c.resources);
        }
    });

    it("keeps each run's raw figures; with one run, the medians are that run's", () => {
        expect(results.repeat).toBe(1);
        for (const c of results.cases) {
            expect(c.runs).toHaveLength(1);
            const [only] = c.runs;
            expect(only.ok).toBe(true);
            expect(c.workMs).toBe(c.planMs + c.gate.checkMs);
            expect(only.workMs).toBe(only.planMs + only.gate.checkMs);
            for (const key of ["wallMs", "planMs", "workMs", "resources", "peakRssMb"] as const) {
                expect(c[key]).toBe(only[key]);
            }
            for (const key of ["startupMs", "checkMs", "analyzeCalls", "packPeakRssMb"] as const) {
                expect(c.gate[key]).toBe(only.gate[key]);
            }
        }
        expect(run.stdout).toContain("Figures are of one run of each case (--repeat 1)");
    });

    it("reports the resources each edge cluster adds over edge-0, the same in the table", () => {
        const [zero, ten] = results.cases;
        expect(zero.perCluster).toBeNull();
        const perCluster = (ten.resources - zero.resources) / 10;
        expect(Number.isInteger(perCluster)).toBe(true);
        expect(ten.perCluster!.resources).toBe(perCluster);
        const row = /^edge-10\s+(\d+)\s+(\S+)\s/m.exec(run.stdout);
        expect(row).not.toBeNull();
        expect(Number(row![1])).toBe(ten.resources);
        expect(row![2]).toBe(String(perCluster));
        // Time per cluster is of work (plan + gate checking), not of wall time.
        expect(ten.perCluster!.ms).toBeCloseTo((ten.workMs - zero.workMs) / 10, 2);
    });

    it("prints the table's columns, the targets and where the JSON went", () => {
        for (const header of [
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
        ]) {
            expect(run.stdout).toContain(header);
        }
        expect(run.stdout).toContain("Targets");
        expect(run.stdout).toContain(`Results written to ${json}`);
        expect(results.targets.length).toBeGreaterThanOrEqual(5);
        for (const t of results.targets) expect(["PASS", "MISS", "n/a"]).toContain(t.status);
        // Without dev and edge-1000, those targets are not measured: never a guess.
        expect(results.targets.find((t) => t.target.startsWith("dev stack"))).toMatchObject({
            status: "n/a",
            measured: "dev not run",
        });
    });

    it.each([
        [["--sizes", "10"], "--sizes must include 0"],
        [["--sizes", "0,-5"], "--sizes takes a comma-separated list of non-negative integers"],
        [["--sizes", "0,ten"], "--sizes takes a comma-separated list of non-negative integers"],
        [["--repeat", "0"], "--repeat takes a positive integer (such as 3), not '0'"],
        [["--bogus"], "Unknown option '--bogus'"],
    ])("refuses %j with exit 2 and the usage", (args, message) => {
        const r = bench(...args);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`bench: ${message}`);
        expect(r.stderr).toContain("usage: npm run bench");
        expect(r.stdout).toBe("");
    });
});
