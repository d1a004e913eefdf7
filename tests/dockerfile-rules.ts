/**
 * Static rules for the app's Dockerfile, on the parse tree of `dockerfile-ast` (not regexes over
 * the text): several stages, a non-root final stage that can read what it runs, every base
 * image and the `# syntax` frontend pinned by digest, no build tools in the final stage, and a
 * HEALTHCHECK; and, for the multi-platform image, nothing tied to one architecture: no stage
 * pinned to a fixed platform, no build-platform stage whose binaries reach the image, no download
 * named for one architecture.
 */
import { Copy, DockerfileParser, From, Instruction } from "dockerfile-ast";

/** Packages that compile things: they belong in a builder stage, never in the image that runs. */
export const BUILD_TOOLS = [
    "gcc",
    "g++",
    "make",
    "cmake",
    "musl-dev",
    "libffi-dev",
    "postgresql-dev",
    "libpq-dev",
    "build-base",
    "build-essential",
    "python3-dev",
    "linux-headers",
];

interface Stage {
    readonly name: string;
    readonly from: Instruction;
    readonly instructions: Instruction[];
}

const line = (i: Instruction) => i.getRange().start.line + 1;

/** Splits the Dockerfile into stages, each beginning at its FROM. */
function stagesOf(text: string): { stages: Stage[]; args: Map<string, string> } {
    const dockerfile = DockerfileParser.parse(text);
    const args = new Map<string, string>();
    for (const arg of dockerfile.getInitialARGs()) {
        const property = arg.getProperty();
        if (property?.getValue()) args.set(property.getName(), property.getValue()!);
    }
    const stages: Stage[] = [];
    for (const instruction of dockerfile.getInstructions()) {
        if (instruction.getKeyword() === "FROM") {
            // Flags (--platform) are not the image, nor part of `AS name`.
            const parts = (instruction.getArgumentsContent() ?? "")
                .split(/\s+/)
                .filter((p) => !p.startsWith("--"));
            const as = parts.findIndex((p) => p.toUpperCase() === "AS");
            stages.push({
                name: as >= 0 ? parts[as + 1] : `#${stages.length}`,
                from: instruction,
                instructions: [],
            });
        } else if (stages.length > 0) {
            stages[stages.length - 1].instructions.push(instruction);
        }
    }
    return { stages, args };
}

/** `${NAME}` / `$NAME` replaced by the default of the ARG declared before the first FROM. */
function resolve(text: string, args: Map<string, string>): string {
    return text.replace(
        /\$\{(\w+)\}|\$(\w+)/g,
        (_m, a: string, b: string) => args.get(a ?? b) ?? `$${a ?? b}`,
    );
}

/** Packages installed by `apk add`, `apt-get install` or `yum`/`dnf install` in a RUN. */
function installedPackages(run: Instruction): string[] {
    const text = run.getArgumentsContent() ?? "";
    const packages: string[] = [];
    for (const command of text.split(/&&|;|\|\|/)) {
        const m =
            /\b(?:apk\s+add|apt-get\s+install|apt\s+install|yum\s+install|dnf\s+install)\b(.*)/.exec(
                command,
            );
        if (m)
            packages.push(
                ...m[1].split(/\s+/).filter((w) => w && !w.startsWith("-") && w !== "\\"),
            );
    }
    return packages;
}

/** Every rule the Dockerfile breaks, as `line N: what is wrong and how to fix it`. */
export function dockerfileProblems(text: string): string[] {
    const { stages, args } = stagesOf(text);
    const problems: string[] = [];
    if (stages.length < 2) {
        problems.push(
            "the Dockerfile has fewer than two stages: build in one stage and run in another",
        );
        if (stages.length === 0) return problems;
    }
    // Parser directives are the `# key=value` lines before anything else.
    const directives: RegExpExecArray[] = [];
    for (const l of text.split(/\r?\n/)) {
        const m = /^#\s*(\w+)\s*=\s*(\S+)\s*$/.exec(l);
        if (!m) break;
        directives.push(m);
    }
    const syntax = directives.find((m) => m[1].toLowerCase() === "syntax");
    if (syntax && !/@sha256:[0-9a-f]{64}$/.test(syntax[2])) {
        // The frontend is an image BuildKit pulls and runs: the same rule as a base image.
        problems.push(
            `line 1: # syntax=${syntax[2]} is not pinned by digest: append @sha256:<digest> (docker buildx imagetools inspect ${syntax[2]})`,
        );
    }
    const names = new Set(stages.map((s) => s.name));
    for (const stage of stages) {
        const image = resolve(
            (stage.from.getArgumentsContent() ?? "")
                .split(/\s+/)
                .filter((p) => !p.startsWith("--"))[0],
            args,
        );
        if (names.has(image)) continue; // FROM another stage
        const [, tag] = /^[^@]*?(?::([\w.-]+))?(@sha256:[0-9a-f]{64})?$/.exec(image) ?? [];
        if (image.includes("$")) {
            problems.push(
                `line ${line(stage.from)}: FROM ${image} uses an ARG without a default: give it a pinned default`,
            );
        } else if (!image.includes("@sha256:") && (tag === undefined || tag === "latest")) {
            problems.push(
                `line ${line(stage.from)}: FROM ${image} is not pinned: use a version tag (and a digest), never latest`,
            );
        } else if (!/@sha256:[0-9a-f]{64}$/.test(image)) {
            // A tag can be moved to other content; a digest names exactly one image index.
            problems.push(
                `line ${line(stage.from)}: FROM ${image} is not pinned by digest: append @sha256:<digest of its image index> (docker buildx imagetools inspect ${image})`,
            );
        }
    }

    problems.push(...architectureProblems(stages));

    const final = stages[stages.length - 1];
    const users = final.instructions.filter((i) => i.getKeyword() === "USER");
    const user = users.length
        ? (users[users.length - 1].getArgumentsContent() ?? "").split(":")[0]
        : "root";
    if (["root", "0"].includes(user)) {
        problems.push(
            `the final stage runs as root: add USER with a non-root UID such as 10001 before CMD`,
        );
    }
    for (const run of final.instructions.filter((i) => i.getKeyword() === "RUN")) {
        const tools = installedPackages(run).filter((p) =>
            BUILD_TOOLS.includes(p.replace(/[=<>].*$/, "")),
        );
        if (tools.length) {
            problems.push(
                `line ${line(run)}: the final stage installs build tools (${tools.join(", ")}): install them in the builder stage only`,
            );
        }
    }
    if (!["root", "0"].includes(user)) {
        for (const copy of final.instructions.filter((i): i is Copy => i instanceof Copy)) {
            // Flags (--from, --chown) are not among the arguments in the parse tree.
            const parts = copy.getArguments().map((a) => a.getValue());
            const fromStage = copy.getFromFlag() !== null;
            if (
                fromStage &&
                parts
                    .slice(0, -1)
                    .some((source) => source === "/root" || source.startsWith("/root/"))
            ) {
                problems.push(
                    `line ${line(copy)}: copies ${parts.slice(0, -1).join(" ")} from a builder into the image that runs as ${user}, ` +
                        `which cannot read /root: install into a virtualenv or prefix outside /root (e.g. /opt/venv)`,
                );
            }
        }
    }
    const healthchecks = final.instructions.filter((i) => i.getKeyword() === "HEALTHCHECK");
    if (
        healthchecks.length === 0 ||
        /^NONE$/i.test(healthchecks[healthchecks.length - 1].getArgumentsContent() ?? "")
    ) {
        problems.push("the final stage has no HEALTHCHECK: add one that calls /healthz");
    }
    return problems;
}

/** Architecture names that tie a download to one platform. */
const ARCH_WORDS = /(?<![\w$])(amd64|x86_64|x86-64|aarch64|arm64)(?!\w)/i;

/**
 * What would break the image on one of its platforms. A build for several platforms runs every
 * stage once per target platform (`FROM` follows `--platform` of the build), except stages
 * pinned with `FROM --platform=`: a fixed platform gives every variant that platform's files,
 * and `$BUILDPLATFORM` runs on the build machine, so its compiled output is for the build
 * machine's architecture (Docker, "Multi-platform builds", cross-compilation:
 * docs.docker.com/build/building/multi-platform/#cross-compilation).
 */
function architectureProblems(stages: Stage[]): string[] {
    const problems: string[] = [];
    const final = stages[stages.length - 1];
    const copiedIntoFinal = new Set(
        final.instructions
            .filter((i): i is Copy => i instanceof Copy)
            .map((c) => c.getFromFlag()?.getValue())
            .filter((v): v is string => !!v),
    );
    for (const stage of stages) {
        const platform =
            stage.from instanceof From ? stage.from.getPlatformFlag()?.getValue() : undefined;
        if (platform) {
            if (!platform.includes("$")) {
                problems.push(
                    `line ${line(stage.from)}: FROM --platform=${platform} pins the stage to one architecture: drop the flag, so that each platform of the build gets its own`,
                );
            } else if (
                /BUILDPLATFORM/.test(platform) &&
                copiedIntoFinal.has(stage.name) &&
                stage.instructions.some((i) => i.getKeyword() === "RUN")
            ) {
                problems.push(
                    `line ${line(stage.from)}: stage '${stage.name}' runs on the build machine (--platform=${platform}) and its output is copied into the image: drop the flag, or cross-compile for $TARGETARCH`,
                );
            }
        }
        for (const i of stage.instructions) {
            if (!["RUN", "ADD"].includes(i.getKeyword())) continue;
            const text = i.getArgumentsContent() ?? "";
            const urls = text.match(/\bhttps?:\/\/\S+/g) ?? [];
            const arch = urls.map((u) => ARCH_WORDS.exec(u)?.[1]).find((a) => a !== undefined);
            if (arch) {
                problems.push(
                    `line ${line(i)}: downloads a file built for ${arch} only: use \${TARGETARCH} (with ARG TARGETARCH in the stage) in the URL`,
                );
            }
        }
    }
    return problems;
}
