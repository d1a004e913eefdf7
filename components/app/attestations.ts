/**
 * The SBOM and provenance attestations of the app image, without SDK imports (config/ uses
 * them), so that the defaults and rules are written once for the config schema, the component's
 * validation and its constructor.
 *
 * How they reach BuildKit: `@pulumi/docker-build` has no attestation argument and turns buildx's
 * default provenance off (pulumi/pulumi-docker-build provider/internal/client.go, `Attests:
 * {"provenance": nil}`; cli.go, "TODO: --attest"). BuildKit also reads attestation requests from
 * build arguments named `BUILDKIT_ATTEST_<TYPE>` (moby/buildkit frontend/attestations/parse.go,
 * `build-arg:BUILDKIT_ATTEST_` beside `attest:`, since v0.11), both in the solver that runs the
 * SBOM generator and writes the provenance (control/control.go, `attestations.Parse(
 * req.FrontendAttrs)`) and in the Dockerfile frontend (frontend/dockerui/config.go). So the
 * component passes them as build arguments.
 */

/**
 * The SBOM generator BuildKit runs on the image: the Syft scanner, pinned by the digest of its
 * image index (the default, `docker/buildkit-syft-scanner:stable-1`, is a moving tag). Its
 * output is an SPDX document per platform.
 */
export const SBOM_GENERATOR =
    "docker/buildkit-syft-scanner:1.12.0@sha256:ae4f3b554449e7e25548e7d8ccc029d17357348e30c6e3df01b92bc93654d6a9";

/**
 * Provenance detail. `max` records the build's full request, including every build argument's
 * value, the Dockerfile and its source map; `min` drops build arguments and labels
 * (moby/buildkit solver/llbsolver/provenance.go, scrubMinRequest); `off` records none.
 */
export const PROVENANCE_MODES = ["max", "min", "off"] as const;
export type ProvenanceMode = (typeof PROVENANCE_MODES)[number];

/** @default for `sbom`: an SBOM with every image. */
export const DEFAULT_SBOM = true;
/** @default for `provenance`: the build's full record (no build argument of the app is secret). */
export const DEFAULT_PROVENANCE: ProvenanceMode = "max";

/** The build-argument prefix BuildKit reads attestation requests from. */
export const ATTEST_ARG_PREFIX = "BUILDKIT_ATTEST_";

/** The build arguments that ask BuildKit for the attestations. */
export function attestationBuildArgs(
    sbom: boolean,
    provenance: ProvenanceMode,
): Record<string, string> {
    const args: Record<string, string> = {};
    if (sbom) args[`${ATTEST_ARG_PREFIX}SBOM`] = `generator=${SBOM_GENERATOR}`;
    if (provenance !== "off") args[`${ATTEST_ARG_PREFIX}PROVENANCE`] = `mode=${provenance}`;
    return args;
}

/**
 * What is wrong with the attestation settings, given the build arguments: the attestations are
 * chosen with `sbom` and `provenance`, never with `BUILDKIT_ATTEST_*` arguments of one's own;
 * and provenance `max` would write the value of a secret build argument into an attestation
 * anyone who can pull the image can read ("Build argument values can appear in provenance",
 * docs.docker.com/build/ci/github-actions/attestations/). `key` prefixes the setting names.
 */
export function attestationProblems(
    provenance: ProvenanceMode,
    buildArgNames: readonly string[],
    secretBuildArgNames: readonly string[],
    key = "",
): string[] {
    const problems: string[] = [];
    for (const name of buildArgNames.filter((n) => n.toUpperCase().startsWith(ATTEST_ARG_PREFIX))) {
        problems.push(
            `${key}buildArgs.${name} asks BuildKit for an attestation directly: remove it, and set ${key}sbom or ${key}provenance instead`,
        );
    }
    if (provenance === "max" && secretBuildArgNames.length > 0) {
        problems.push(
            `${key}provenance 'max' would record the value of the secret build argument${secretBuildArgNames.length > 1 ? "s" : ""} ` +
                `${secretBuildArgNames.join(", ")} in the image's provenance, readable by anyone who can pull it: ` +
                `pass secrets as build secrets, or set ${key}provenance to min`,
        );
    }
    return problems;
}
