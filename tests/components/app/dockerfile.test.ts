/**
 * The Dockerfile reader the config uses before anything is built (components/app/dockerfile.ts):
 * the stages a build target may name, which build arguments choose a base image, and which of
 * their values are not pinned by digest.
 *
 * Rules: a tag can be moved to other content, a digest cannot (OCI distribution-spec: a manifest
 * pulled by digest is verified against it); BuildKit expands `FROM ${ARG}` with the build
 * argument's value, and looks the result up among the stage names, stored in lowercase
 * (moby/buildkit frontend/dockerfile/dockerfile2llb/convert.go, addState and
 * `strings.ToLower(name)`), before it pulls an image of that name.
 */
import * as fs from "fs";
import * as path from "path";
import {
    baseImageArgProblems,
    dockerfileStages,
    fromArgNames,
    targetProblem,
} from "../../../components/app/dockerfile";
import { PROJECT_DIR } from "../../harness";

const DIGEST = `@sha256:${"ab".repeat(32)}`;
const APP_DOCKERFILE = fs.readFileSync(path.join(PROJECT_DIR, "app", "Dockerfile"), "utf8");

describe("fromArgNames", () => {
    it("names PYTHON_IMAGE as app/Dockerfile's one base image argument", () => {
        expect(fromArgNames(APP_DOCKERFILE)).toEqual(["PYTHON_IMAGE"]);
    });

    it("reads ${NAME}, ${NAME:-default} and $NAME in FROM lines only, past flags", () => {
        const text = [
            "ARG BASE=alpine:3.21",
            "FROM --platform=$BUILDPLATFORM ${BUILDER:-golang:1.22} AS build",
            "RUN echo $NOT_AN_IMAGE",
            "FROM $BASE",
            "FROM ${BASE}-slim AS other",
            "COPY --from=build /out /out",
        ].join("\n");
        // --platform's $BUILDPLATFORM chooses a platform, not an image.
        expect(fromArgNames(text)).toEqual(["BUILDER", "BASE"]);
    });

    it("follows continuation lines and skips comments", () => {
        const text = ["# FROM ${COMMENTED}", "FROM \\", "  ${CONTINUED} AS a"].join("\n");
        expect(fromArgNames(text)).toEqual(["CONTINUED"]);
        expect(dockerfileStages(text)).toEqual([{ index: 0, name: "a" }]);
    });
});

describe("baseImageArgProblems", () => {
    it("accepts app/Dockerfile's own defaults: no argument, a digest, or its stage name", () => {
        expect(baseImageArgProblems(APP_DOCKERFILE, {})).toEqual([]);
        expect(
            baseImageArgProblems(APP_DOCKERFILE, {
                PYTHON_IMAGE: `python:3.11.16-alpine3.24${DIGEST}`,
            }),
        ).toEqual([]);
        expect(baseImageArgProblems(APP_DOCKERFILE, { PYTHON_IMAGE: "python-base" })).toEqual([]);
    });

    it("refuses a tag, naming the argument, the key and how to find the digest", () => {
        expect(
            baseImageArgProblems(
                APP_DOCKERFILE,
                { PYTHON_IMAGE: "python:3.11-alpine" },
                "buildArgs",
            ),
        ).toEqual([
            "buildArgs.PYTHON_IMAGE 'python:3.11-alpine' chooses a base image of the Dockerfile and is not pinned by digest: " +
                "append @sha256:<digest of its image index> (`docker buildx imagetools inspect python:3.11-alpine`), " +
                "or remove it to build on the Dockerfile's pinned default",
        ]);
    });

    it("refuses a stage name BuildKit would not find (stages are matched in lowercase)", () => {
        const text = "FROM alpine:3.21" + DIGEST + " AS Base\nFROM ${IMG}\n";
        expect(baseImageArgProblems(text, { IMG: "base" })).toEqual([]);
        expect(baseImageArgProblems(text, { IMG: "Base" })).toHaveLength(1);
        // A short digest, or an uppercase one, is no digest.
        expect(baseImageArgProblems(text, { IMG: `alpine@sha256:${"ab".repeat(8)}` })).toHaveLength(
            1,
        );
        expect(
            baseImageArgProblems(text, { IMG: `alpine@sha256:${"AB".repeat(32)}` }),
        ).toHaveLength(1);
    });

    it("leaves build arguments that no FROM line uses, and values that are not text", () => {
        expect(
            baseImageArgProblems(APP_DOCKERFILE, { GREETING: "hello", PYTHON_IMAGE: undefined }),
        ).toEqual([]);
    });
});

// Rule: BuildKit looks stages up by strings.ToLower(name) and the target by
// strings.ToLower(opt.Target), failing with "target stage %s could not be found"
// (moby/buildkit frontend/dockerfile/dockerfile2llb/convert.go). config/ uses this parser
// (no devDependencies at run time) to make a wrong appImage.target a config error.
describe("dockerfileStages and targetProblem", () => {
    it("reads app/Dockerfile's stages, and accepts its runtime target in any case", () => {
        const text = APP_DOCKERFILE;
        expect(dockerfileStages(text)).toEqual([
            { index: 0, name: "python-base" },
            { index: 1, name: "builder" },
            { index: 2, name: "runtime" },
        ]);
        expect(targetProblem(text, "runtime")).toBeUndefined();
        expect(targetProblem(text, "RUNTIME")).toBeUndefined();
        expect(targetProblem(text, "builder")).toBeUndefined();
    });

    it("names a target the Dockerfile lacks, and the stages it has", () => {
        const text = APP_DOCKERFILE;
        expect(targetProblem(text, "prod")).toBe(
            "appImage.target 'prod' names no stage of the Dockerfile (it has 'python-base', 'builder', 'runtime'): set appImage.target to one of them",
        );
        expect(targetProblem("FROM scratch\n", "runtime")).toBe(
            "appImage.target 'runtime' names no stage: the Dockerfile has no named stage (FROM ... AS <name>); name the stage to build, or change appImage.target",
        );
    });

    it("follows flags, continuation lines, comments and the escape directive", () => {
        const text = [
            "# escape=`",
            "# a comment: FROM fake AS nope",
            "FROM --platform=$BUILDPLATFORM `",
            "  golang:1.22 as Build",
            "from alpine:3.21 AS final",
            "RUN echo \\",
        ].join("\n");
        expect(dockerfileStages(text)).toEqual([
            { index: 0, name: "Build" },
            { index: 1, name: "final" },
        ]);
        expect(targetProblem(text, "build")).toBeUndefined();
        expect(targetProblem(text, "nope")).toContain("names no stage of the Dockerfile");
    });
});
