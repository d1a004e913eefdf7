/**
 * The documentation stays true to the code: README.md, CONTRIBUTING.md and every page of docs/
 * link only to files and headings that exist (GitHub's anchors), every `README.md#x` or
 * `docs/x.md#y` named in code, comments and stack files resolves, every `npm run` script they
 * run exists, every repository path they quote exists, the counts they quote are the code's,
 * the architecture diagram names every component, and the sample config error in docs/plan.md
 * is what the plan prints today.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REQUIRED_GCP_SERVICES } from "../config/gcp";
import { findPlaceholders, stackConfigAsWritten } from "../lib/placeholders";
import { listStacks, loadProject, loadStackSettings } from "../lib/stack-files";
import { PROJECT_DIR, runPlanCli } from "./harness";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");

/** The hand-written and generated pages a reader follows from the README. */
const DOCS = [
    "README.md",
    "CONTRIBUTING.md",
    ...fs
        .readdirSync(path.join(PROJECT_DIR, "docs"))
        .filter((f) => f.endsWith(".md"))
        .sort()
        .map((f) => `docs/${f}`),
];

/** The text outside fenced code blocks (a link or heading inside one is not one). */
function prose(text: string): string {
    return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
}

/**
 * GitHub's anchor for a heading: lowercase, punctuation (backquotes, colons, parentheses,
 * dots ...) dropped, each space a hyphen; a repeated anchor gets -1, -2 ...
 */
export function githubSlug(heading: string): string {
    return heading
        .trim()
        .toLowerCase()
        .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
        .replace(/<[^>]+>/g, "")
        .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, "")
        .replace(/\s/g, "-");
}

/** Every anchor of a markdown file. */
function anchors(file: string): Set<string> {
    const seen = new Map<string, number>();
    const result = new Set<string>();
    for (const m of prose(read(file)).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
        const base = githubSlug(m[1]);
        const n = seen.get(base) ?? 0;
        seen.set(base, n + 1);
        result.add(n === 0 ? base : `${base}-${n}`);
    }
    return result;
}

/** Whether `target` (a repository path, perhaps with `#anchor`) names a file and heading that exist. */
function resolves(target: string): string | undefined {
    const [file, anchor] = target.split("#");
    if (!fs.existsSync(path.join(PROJECT_DIR, file))) return `no file ${file}`;
    if (anchor === undefined) return undefined;
    if (!file.endsWith(".md")) return `an anchor on ${file}, which is not markdown`;
    return anchors(file).has(anchor) ? undefined : `no heading #${anchor} in ${file}`;
}

describe("the documentation's links", () => {
    it.each(DOCS)("%s links only to files and headings that exist", (doc) => {
        const broken: string[] = [];
        const links = [...prose(read(doc)).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
        for (const link of links.filter((l) => !/^[a-z]+:/.test(l))) {
            const target = link.startsWith("#")
                ? `${doc}${link}`
                : path.posix.normalize(path.posix.join(path.posix.dirname(doc), link));
            const problem = resolves(target);
            if (problem) broken.push(`${link}: ${problem}`);
        }
        expect(broken).toEqual([]);
    });

    it("links every docs/ page from the README", () => {
        const readme = read("README.md");
        for (const page of DOCS.filter((d) => d.startsWith("docs/"))) {
            expect([page, readme.includes(`](${page})`)]).toEqual([page, true]);
        }
    });

    it("resolves every README.md#x and docs/x.md#y that code, comments and stack files name", () => {
        const files = execFileSync("git", ["ls-files"], { cwd: PROJECT_DIR, encoding: "utf8" })
            .split("\n")
            .filter((f) => /\.(ts|js|mjs|ya?ml|json|md|sh|py)$|^\.ci\/[\w-]+$/.test(f))
            .filter((f) => f !== "tests/docs.test.ts" && fs.existsSync(path.join(PROJECT_DIR, f)));
        const broken: string[] = [];
        let found = 0;
        for (const file of files) {
            let text = read(file);
            // Markdown links are checked above, relative to their page; URLs are not ours.
            if (file.endsWith(".md")) text = text.replace(/\]\([^)\s]+\)/g, "]");
            text = text.replace(/https?:\/\/[^\s)'"`>]+/g, "");
            for (const m of text.matchAll(/(?<![\w./-])((?:docs\/)?[\w.-]+\.md)#([\w-]+)/g)) {
                found++;
                const problem = resolves(`${m[1]}#${m[2]}`);
                if (problem) broken.push(`${file}: ${m[0]}: ${problem}`);
            }
        }
        expect(found).toBeGreaterThan(5);
        expect(broken).toEqual([]);
    });
});

describe("the documentation's commands, paths and counts", () => {
    const scripts = Object.keys(
        (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts,
    );

    it.each(DOCS)("%s runs only npm scripts that exist", (doc) => {
        const used = [...read(doc).matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]);
        expect(used.filter((s) => !scripts.includes(s))).toEqual([]);
    });

    it.each(DOCS)("%s names only repository files and folders that exist", (doc) => {
        // Paths in backquotes without placeholders or globs: `components/aws/AsgFleet.ts`,
        // `gitops/`, `.ci/run`, `deployments/Pulumi.settings.yaml`. A YAML name without a folder
        // may be a file on a node (`guard-authn-webhook.yaml`), so it counts only as Pulumi's.
        const paths = [
            ...read(doc).matchAll(
                /`((?:\.?[\w-]+\/)*[\w.-]+\.(?:ts|md|json|py|sh)|(?:\.?[\w-]+\/)+[\w.-]+\.(?:ya?ml|txt|in)|Pulumi(?:\.\w+)?\.yaml|\.ci\/[\w-]+|LICENSE|[\w-]+\/)`/g,
            ),
        ]
            .map((m) => m[1])
            .filter((p) => !p.startsWith(".") || /^\.(ci|github)\//.test(p))
            // Names of things that are not in the repository: files the commands write, and
            // the S3 prefix of the load balancer's access logs.
            .filter(
                (p) =>
                    !/^(bench-results\.json|prod-policy\.json|out\.(json|sarif)|d\.md|alb\/)$/.test(
                        p,
                    ),
            )
            .filter((p) => !p.startsWith("/") && !p.startsWith("tmp/"));
        const missing = paths.filter((p) => !fs.existsSync(path.join(PROJECT_DIR, p)));
        expect(missing).toEqual([]);
    });

    /** The ComponentResource classes of components/, by file. */
    const components = fs
        .readdirSync(path.join(PROJECT_DIR, "components"), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .flatMap((d) =>
            fs
                .readdirSync(path.join(PROJECT_DIR, "components", d.name))
                .filter((f) => f.endsWith(".ts"))
                .flatMap((f) => [
                    ...read(`components/${d.name}/${f}`).matchAll(
                        /export class (\w+) extends pulumi\.ComponentResource/g,
                    ),
                ])
                .map((m) => m[1]),
        );

    it("quotes the number of components the code has", () => {
        expect(components.length).toBeGreaterThan(10);
        const counts = DOCS.flatMap((doc) =>
            [...read(doc).matchAll(/\b(\d+) components\b/g)].map((m) => [doc, Number(m[1])]),
        );
        expect(counts.length).toBeGreaterThan(0);
        for (const [doc, n] of counts) expect([doc, n]).toEqual([doc, components.length]);
    });

    it("names every component in the architecture diagram and its table", () => {
        const page = read("docs/architecture.md");
        const diagram = /```mermaid\n([\s\S]*?)```/.exec(page)?.[1] ?? "";
        const table = prose(page);
        expect(components.filter((c) => !new RegExp(`\\b${c}\\b`).test(diagram))).toEqual([]);
        expect(components.filter((c) => !table.includes(`\`${c}\``))).toEqual([]);
    });
});

describe("the sample config error in docs/plan.md", () => {
    /**
     * The sample's stack: Pulumi.dev.yaml with `region` misspelt `regoin` and `maxSize: 0` under
     * multicloud:aws, in a copy of the project made of links to this one. The plan's child
     * process prints what a newcomer sees; the page must show exactly that (regenerate the block
     * from this test's failure when the messages change).
     */
    it("is what `npm run plan -- --stack dev` prints for it", () => {
        const project = fs.mkdtempSync(path.join(os.tmpdir(), "docs-sample-"));
        try {
            for (const entry of fs.readdirSync(PROJECT_DIR)) {
                if (entry === "Pulumi.dev.yaml" || entry === ".git") continue;
                fs.symlinkSync(path.join(PROJECT_DIR, entry), path.join(project, entry));
            }
            const dev = read("Pulumi.dev.yaml");
            const broken = dev
                .replace(/^( {4})region: /m, "$1regoin: ")
                .replace(/^( {6})maxSize: \d+$/m, "$1maxSize: 0");
            expect(broken).not.toBe(dev);
            expect(broken).toContain("    regoin: ");
            fs.writeFileSync(path.join(project, "Pulumi.dev.yaml"), broken);

            const result = runPlanCli("--cwd", project, "--stack", "dev", "--no-policy");
            const documented = /Invalid config stops[\s\S]*?```text\n([\s\S]*?)\n```/.exec(
                read("docs/plan.md"),
            )?.[1];
            expect(result.code).toBe(1);
            expect(documented).toBe(result.stderr.trimEnd());
        } finally {
            fs.rmSync(project, { recursive: true, force: true });
        }
    }, 60_000);
});

describe("the README's checklist of placeholders", () => {
    /**
     * Values the template names that are not someone else's ids but names a user creates to
     * match (a ClusterIssuer, a buildx builder): listed in the checklist, not flagged by the
     * plan (a real stack may keep them).
     */
    const NAMES_YOU_CREATE = ["app.ingress.clusterIssuer", "appImage.builder"];

    /** The key column of README.md's checklist table, namespace dropped. */
    function checklistKeys(): string[] {
        const section = /### Checklist: every placeholder[\s\S]*?(?=\n## )/.exec(read("README.md"));
        expect(section).not.toBeNull();
        return [...section![0].matchAll(/^\| `multicloud:([^`]+)`/gm)].map((m) => m[1]);
    }

    /** Every key whose value in a committed stack is a catalogued placeholder (lib/placeholders.ts). */
    function committedPlaceholderKeys(): Set<string> {
        const project = loadProject(PROJECT_DIR);
        const keys = new Set<string>();
        for (const stack of listStacks(project)) {
            const { config } = stackConfigAsWritten(loadStackSettings(project, stack));
            for (const found of findPlaceholders(config, project.name)) keys.add(found.schemaKey);
        }
        return keys;
    }

    it("has a row for every placeholder the plan warns about in the committed stacks", () => {
        const rows = checklistKeys();
        const found = committedPlaceholderKeys();
        // The catalogue finds the known ones (a sanity floor: the checks below compare sets).
        expect(found).toContain("aws.loadBalancer.certificateArn");
        expect(found).toContain("edge.sites[].kubeconfig");
        expect([...found].filter((k) => !rows.includes(k))).toEqual([]);
    });

    it("lists only keys that hold a placeholder today, or a name a user creates, once each", () => {
        const rows = checklistKeys();
        const found = committedPlaceholderKeys();
        expect(rows.filter((k) => !found.has(k) && !NAMES_YOU_CREATE.includes(k))).toEqual([]);
        expect(rows.filter((k, i) => rows.indexOf(k) !== i)).toEqual([]);
        // A name a user creates is still in a committed stack file, under that key.
        const project = loadProject(PROJECT_DIR);
        const written = listStacks(project).map(
            (s) => stackConfigAsWritten(loadStackSettings(project, s)).config,
        );
        for (const key of NAMES_YOU_CREATE) {
            const [section, ...rest] = key.split(".");
            const present = written.some((config) => {
                let value: unknown = config[`${project.name}:${section}`];
                for (const part of rest)
                    value = (value as Record<string, unknown> | undefined)?.[part];
                return typeof value === "string";
            });
            expect([key, present]).toEqual([key, true]);
        }
    });
});

describe("the stack files' comments", () => {
    it("list the APIs the program enables itself as config/gcp.ts does, and no stack repeats one", () => {
        // Pulumi.dev.yaml's comment names them; an extra service the program already enables
        // would read as needed (prod listed monitoring, which the program enables itself).
        const comment = /APIs to enable besides the ones the program needs \(([^)]*)\)/.exec(
            read("Pulumi.dev.yaml").replace(/\n\s*#\s*/g, " "),
        );
        expect(comment).not.toBeNull();
        const named = comment![1]
            .split(":")[0]
            .split(",")
            .map((s) => `${s.trim()}.googleapis.com`);
        expect([...named].sort()).toEqual([...REQUIRED_GCP_SERVICES].sort());
        const project = loadProject(PROJECT_DIR);
        for (const stack of listStacks(project)) {
            const { config } = stackConfigAsWritten(loadStackSettings(project, stack));
            const gcp = config[`${project.name}:gcp`] as { extraServices?: string[] } | undefined;
            const repeated = (gcp?.extraServices ?? []).filter((s) =>
                (REQUIRED_GCP_SERVICES as readonly string[]).includes(s),
            );
            expect([stack, repeated]).toEqual([stack, []]);
        }
    });
});

describe("the README's first screen", () => {
    it("holds the quick start: its heading and the two commands, the test command the one CI runs", () => {
        // A first screen: a terminal's or a browser's 50 lines, without scrolling.
        const lines = read("README.md").split("\n");
        const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
        expect(at(/^## Quick start$/)).toBeGreaterThan(0);
        expect(at(/^## Quick start$/)).toBeLessThan(25);
        const plan = at(/^npm ci && npm run plan -- --stack dev\b/);
        const test = at(/^npm test\b/);
        expect(plan).toBeGreaterThan(at(/^## Quick start$/));
        expect(test).toBeGreaterThan(plan);
        expect(test).toBeLessThan(50);
        // The test command is the one CI runs (.ci/run), so the quick start proves what CI does.
        expect(read(".ci/run")).toMatch(/^\s*npm test\b/m);
        // The committed dev stack exists for the command to plan.
        expect(listStacks(loadProject(PROJECT_DIR))).toContain("dev");
    });
});
