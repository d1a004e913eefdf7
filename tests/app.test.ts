/**
 * The sample app: its Dockerfile checked on the parse tree, and a smoke test that starts it
 * with gunicorn and asks /healthz and /readyz (Python, Flask and gunicorn from Debian's
 * packages, which .ci/run installs).
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { dockerfileProblems } from "./dockerfile-rules";

const APP = path.resolve(__dirname, "..", "app");
const read = (file: string) => fs.readFileSync(file, "utf8");

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
            "FROM python:3.11.11-alpine3.21\nUSER 1001\nHEALTHCHECK CMD true\n",
            "the Dockerfile has fewer than two stages: build in one stage and run in another",
        ],
        [
            "a latest tag",
            "FROM python:latest AS b\nFROM python:3.11.11-alpine3.21\nUSER 1001\nHEALTHCHECK CMD true\n",
            "line 1: FROM python:latest is not pinned: use a version tag (and a digest), never latest",
        ],
        [
            "an untagged image through an ARG",
            "ARG IMAGE=python\nFROM ${IMAGE} AS b\nFROM ${IMAGE}:3.11\nUSER 1001\nHEALTHCHECK CMD true\n",
            "line 2: FROM python is not pinned: use a version tag (and a digest), never latest",
        ],
        [
            "a root final stage",
            "FROM python:3.11 AS b\nFROM python:3.11\nHEALTHCHECK CMD true\n",
            "the final stage runs as root: add USER with a non-root UID such as 1001 before CMD",
        ],
        [
            "build tools in the final stage",
            "FROM python:3.11 AS b\nFROM python:3.11\nRUN apk add --no-cache libpq gcc && echo ok\nUSER 1001\nHEALTHCHECK CMD true\n",
            "line 3: the final stage installs build tools (gcc): install them in the builder stage only",
        ],
        [
            "HEALTHCHECK NONE",
            "FROM python:3.11 AS b\nFROM python:3.11\nUSER 1001\nHEALTHCHECK NONE\n",
            "the final stage has no HEALTHCHECK: add one that calls /healthz",
        ],
    ])("names %s", (_what, dockerfile, message) => {
        expect(dockerfileProblems(dockerfile)).toEqual([message]);
    });

    it("builds dependencies in the builder and keeps the build context to what the app needs", () => {
        const dockerfile = read(path.join(APP, "Dockerfile"));
        expect(dockerfile).toContain(
            "RUN pip install --no-cache-dir --requirement /tmp/requirements.txt",
        );
        expect(
            read(path.join(APP, ".dockerignore"))
                .split("\n")
                .filter((l) => l && !l.startsWith("#")),
        ).toEqual(["*", "!run.py", "!requirements.txt"]);
        for (const requirement of read(path.join(APP, "requirements.txt"))
            .split("\n")
            .filter((l) => l && !l.startsWith("#"))) {
            expect(requirement).toMatch(/^[A-Za-z0-9_.-]+==\d+(\.\d+)+$/);
        }
    });
});

/** A free TCP port on the loopback interface. */
function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
        server.on("error", reject);
    });
}

async function get(url: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(url);
    return { status: response.status, body: await response.json() };
}

describe("the app under gunicorn", () => {
    const gunicorn = "/usr/bin/gunicorn";
    let server: ChildProcess | undefined;
    let base = "";

    beforeAll(async () => {
        if (
            !fs.existsSync(gunicorn) ||
            spawnSync("/usr/bin/python3", ["-c", "import flask"]).status !== 0
        ) {
            throw new Error(
                "the smoke test needs Debian's gunicorn and python3-flask: `apt-get install -y gunicorn python3-flask` (.ci/run does)",
            );
        }
        const port = await freePort();
        base = `http://127.0.0.1:${port}`;
        const env = { ...process.env };
        delete env.DATABASE_URL;
        server = spawn(
            gunicorn,
            ["--bind", `127.0.0.1:${port}`, "--workers", "1", "--chdir", APP, "run:app"],
            {
                env,
                stdio: "ignore",
            },
        );
        // Wait (bounded) for the server to answer.
        for (let attempt = 0; attempt < 100; attempt++) {
            try {
                await get(`${base}/healthz`);
                return;
            } catch {
                await new Promise((r) => setTimeout(r, 100));
            }
        }
        throw new Error("gunicorn did not answer on /healthz within 10 s");
    });

    afterAll(() => {
        server?.kill("SIGTERM");
    });

    it("answers 200 on /healthz", async () => {
        expect(await get(`${base}/healthz`)).toEqual({ status: 200, body: { status: "ok" } });
    });

    it("reports not ready on /readyz without a database URL, saying why", async () => {
        expect(await get(`${base}/readyz`)).toEqual({
            status: 503,
            body: { ready: false, reason: "DATABASE_URL is not set" },
        });
    });
});
