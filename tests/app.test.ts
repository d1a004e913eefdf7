/**
 * The sample app's Dockerfile, checked on the parse tree. The app itself is tested by pytest in
 * a virtualenv made from its locks (app/tests, `npm run test:app`, run by .ci/run).
 */
import { Copy, DockerfileParser, Instruction } from "dockerfile-ast";
import * as fs from "fs";
import * as path from "path";
import { APP_UID } from "../components/app/runtimeUser";
import { dockerfileProblems } from "./dockerfile-rules";

const APP = path.resolve(__dirname, "..", "app");
const read = (file: string) => fs.readFileSync(file, "utf8");
/** A digest, so that fixtures break only the rule they are about. */
const D = `@sha256:${"0".repeat(64)}`;

describe("app/Dockerfile", () => {
    it("passes every rule", () => {
        expect(dockerfileProblems(read(path.join(APP, "Dockerfile")))).toEqual([]);
    });

    it("rejects the blueprint's original Dockerfile, first for installing into /root/.local", () => {
        const problems = dockerfileProblems(
            read(path.join(__dirname, "fixtures", "blueprint.Dockerfile")),
        );
        expect(problems).toContain(
            "line 9: copies /root/.local from a builder into the image that runs as 1001, which cannot read /root: " +
                "install into a virtualenv or prefix outside /root (e.g. /opt/venv)",
        );
        expect(problems).toContain(
            "the final stage has no HEALTHCHECK: add one that calls /healthz",
        );
    });

    it.each<[string, string, string]>([
        [
            "one stage",
            `FROM python:3.11.11-alpine3.21${D}\nUSER 1001\nHEALTHCHECK CMD true\n`,
            "the Dockerfile has fewer than two stages: build in one stage and run in another",
        ],
        [
            "a latest tag",
            `FROM python:latest AS b\nFROM python:3.11.11-alpine3.21${D}\nUSER 1001\nHEALTHCHECK CMD true\n`,
            `line 1: FROM python:latest is not pinned: use a version tag (and a digest), never latest`,
        ],
        [
            "an untagged image through an ARG",
            `ARG IMAGE=python\nFROM \${IMAGE} AS b\nFROM python:3.11${D}\nUSER 1001\nHEALTHCHECK CMD true\n`,
            `line 2: FROM python is not pinned: use a version tag (and a digest), never latest`,
        ],
        [
            "a root final stage",
            `FROM python:3.11${D} AS b\nFROM python:3.11${D}\nHEALTHCHECK CMD true\n`,
            "the final stage runs as root: add USER with a non-root UID such as 10001 before CMD",
        ],
        [
            "build tools in the final stage",
            `FROM python:3.11${D} AS b\nFROM python:3.11${D}\nRUN apk add --no-cache libpq gcc && echo ok\nUSER 1001\nHEALTHCHECK CMD true\n`,
            "line 3: the final stage installs build tools (gcc): install them in the builder stage only",
        ],
        [
            "HEALTHCHECK NONE",
            `FROM python:3.11${D} AS b\nFROM python:3.11${D}\nUSER 1001\nHEALTHCHECK NONE\n`,
            "the final stage has no HEALTHCHECK: add one that calls /healthz",
        ],
        [
            "a base image pinned by tag only",
            `FROM python:3.11.16-alpine3.24 AS b\nFROM python:3.11${D}\nUSER 1001\nHEALTHCHECK CMD true\n`,
            "line 1: FROM python:3.11.16-alpine3.24 is not pinned by digest: append @sha256:<digest of its image index> (docker buildx imagetools inspect python:3.11.16-alpine3.24)",
        ],
        [
            "a frontend pinned by tag only",
            `# syntax=docker/dockerfile:1.27.1\nFROM python:3.11${D} AS b\nFROM python:3.11${D}\nUSER 1001\nHEALTHCHECK CMD true\n`,
            "line 1: # syntax=docker/dockerfile:1.27.1 is not pinned by digest: append @sha256:<digest> (docker buildx imagetools inspect docker/dockerfile:1.27.1)",
        ],
    ])("names %s", (_what, dockerfile, message) => {
        expect(dockerfileProblems(dockerfile)).toEqual([message]);
    });

    it("pins the frontend and the base image by digest, and builds both stages on that base", () => {
        const dockerfile = read(path.join(APP, "Dockerfile"));
        const lines = dockerfile.split("\n");
        expect(lines[0]).toMatch(/^# syntax=docker\/dockerfile:[\d.]+@sha256:[0-9a-f]{64}$/);
        // The one literal base, where Dependabot (which does not expand ARGs in FROM) reads it.
        expect(lines.filter((l) => /^FROM /.test(l))).toEqual([
            expect.stringMatching(/^FROM python:[\w.-]+@sha256:[0-9a-f]{64} AS python-base$/),
            "FROM ${PYTHON_IMAGE} AS builder",
            "FROM ${PYTHON_IMAGE} AS runtime",
        ]);
        expect(lines).toContain("ARG PYTHON_IMAGE=python-base");
        // gunicorn 27 opens a control socket under $HOME unless told not to; UID 10001 has none.
        expect(lines.filter((l) => l.startsWith("CMD ["))).toEqual([
            expect.stringContaining('"--no-control-socket"'),
        ]);
    });

    // Rule: a multi-platform build runs every stage once per target platform unless the stage is
    // pinned with FROM --platform; a fixed platform, or a $BUILDPLATFORM stage whose compiled
    // output reaches the image, gives some variants the wrong architecture's binaries (Docker,
    // "Multi-platform builds", docs.docker.com/build/building/multi-platform/#cross-compilation).
    it.each<[string, string, string]>([
        [
            "a stage pinned to linux/amd64",
            `FROM --platform=linux/amd64 python:3.11${D} AS b\nFROM python:3.11${D}\nUSER 1001\nHEALTHCHECK CMD true\n`,
            `line 1: FROM --platform=linux/amd64 pins the stage to one architecture: drop the flag, so that each platform of the build gets its own`,
        ],
        [
            "a build-platform builder copied into the image",
            `FROM --platform=$BUILDPLATFORM python:3.11${D} AS b\nRUN pip install psycopg2\nFROM python:3.11${D}\nCOPY --from=b /opt/venv /opt/venv\nUSER 1001\nHEALTHCHECK CMD true\n`,
            "line 1: stage 'b' runs on the build machine (--platform=$BUILDPLATFORM) and its output is copied into the image: drop the flag, or cross-compile for $TARGETARCH",
        ],
        [
            "a download for one architecture",
            `FROM python:3.11${D} AS b\nRUN curl -fsSL https://example.com/tool-linux-amd64.tar.gz | tar xz\nFROM python:3.11${D}\nUSER 1001\nHEALTHCHECK CMD true\n`,
            "line 2: downloads a file built for amd64 only: use ${TARGETARCH} (with ARG TARGETARCH in the stage) in the URL",
        ],
    ])("names %s, which breaks the multi-platform image", (_what, dockerfile, message) => {
        expect(dockerfileProblems(dockerfile)).toEqual([message]);
    });

    it("accepts downloads by ${TARGETARCH} and a build-platform stage that only fetches sources", () => {
        expect(
            dockerfileProblems(
                `FROM --platform=$BUILDPLATFORM alpine:3.21${D} AS src\nRUN echo fetch\n` +
                    `FROM python:3.11${D} AS b\nARG TARGETARCH\nRUN curl -fsSL https://example.com/tool-linux-\${TARGETARCH}.tar.gz | tar xz\n` +
                    `FROM python:3.11${D}\nCOPY --from=b /opt/venv /opt/venv\nUSER 1001\nHEALTHCHECK CMD true\n`,
            ),
        ).toEqual([]);
    });

    // The UID is defined once, in components/app/runtimeUser.ts, for the pod (Workload.ts) and the
    // AWS fleet's TLS key (AsgFleet.ts): the image must create and run as that very user.
    it("creates and runs as APP_UID: addgroup -g, adduser -u and USER of the runtime stage", () => {
        const runtime = runtimeStage(read(path.join(APP, "Dockerfile")));
        const commands = runtime
            .filter((i) => i.getKeyword() === "RUN")
            .flatMap((run) => splitCommands(run.getArguments().map((a) => a.getValue())));
        const option = (command: string[], flag: string) => command[command.indexOf(flag) + 1];
        const groups = commands.filter((c) => c[0] === "addgroup");
        const users = commands.filter((c) => c[0] === "adduser");
        expect(groups.map((c) => [option(c, "-g"), c[c.length - 1]])).toEqual([
            [String(APP_UID), "app"],
        ]);
        expect(users.map((c) => [option(c, "-u"), option(c, "-G"), c[c.length - 1]])).toEqual([
            [String(APP_UID), "app", "app"],
        ]);
        const user = runtime.filter((i) => i.getKeyword() === "USER");
        expect(user.map((i) => i.getArgumentsContent())).toEqual([`${APP_UID}:${APP_UID}`]);
        // Above the host accounts' range (checkov CKV_K8S_40 asks for 10000 or more).
        expect(APP_UID).toBeGreaterThanOrEqual(10000);
    });

    it("copies the app's code owned by root and read-only, so the app cannot rewrite it", () => {
        const copies = runtimeStage(read(path.join(APP, "Dockerfile"))).filter(
            (i): i is Copy => i instanceof Copy,
        );
        const flags = (copy: Copy) =>
            copy.getFlags().map((f) => `--${f.getName()}=${f.getValue()}`);
        // No COPY in the image hands files to the app's user.
        expect(copies.flatMap(flags).filter((f) => f.startsWith("--chown"))).toEqual([]);
        const code = copies.filter((c) => c.getArgumentsContent()?.startsWith("run.py "));
        expect(code.map((c) => [flags(c), c.getArgumentsContent()])).toEqual([
            [["--chmod=0444"], "run.py /app/run.py"],
        ]);
    });

    it("builds dependencies in the builder and keeps the build context to what the app needs", () => {
        // What the locks hold and how they are installed: app-lock.test.ts.
        const dockerfile = read(path.join(APP, "Dockerfile"));
        expect(dockerfile).toContain("COPY requirements-build.txt requirements.txt /tmp/\n");
        expect(
            read(path.join(APP, ".dockerignore"))
                .split("\n")
                .filter((l) => l && !l.startsWith("#")),
        ).toEqual(["*", "!run.py", "!requirements.txt", "!requirements-build.txt"]);
    });
});

/** The instructions of the Dockerfile's stage named runtime, after its FROM. */
function runtimeStage(text: string): Instruction[] {
    const instructions = DockerfileParser.parse(text).getInstructions();
    const from = instructions.findIndex(
        (i) => i.getKeyword() === "FROM" && /\sAS\s+runtime$/i.test(i.getArgumentsContent() ?? ""),
    );
    if (from < 0) throw new Error("app/Dockerfile has no stage named runtime");
    const next = instructions.findIndex((i, at) => at > from && i.getKeyword() === "FROM");
    return instructions.slice(from + 1, next < 0 ? undefined : next);
}

/** A RUN's words split into its commands at `&&` and `;`. */
function splitCommands(words: string[]): string[][] {
    const commands: string[][] = [[]];
    for (const word of words) {
        if (word === "&&" || word === ";") commands.push([]);
        else commands[commands.length - 1].push(word);
    }
    return commands.filter((c) => c.length > 0);
}
