/**
 * The app image's SBOM and provenance attestations (components/app/attestations.ts): the build
 * arguments that ask BuildKit for them, and the rules the config and AppImage both apply.
 *
 * Rules: `@pulumi/docker-build` has no attestation argument and turns buildx's default
 * provenance off (pulumi/pulumi-docker-build provider/internal/client.go), and BuildKit reads
 * attestation requests from `build-arg:BUILDKIT_ATTEST_<TYPE>` as from `attest:<type>`
 * (moby/buildkit frontend/attestations/parse.go); provenance mode=max keeps every build-arg value
 * in the attestation, mode=min drops build args and labels (moby/buildkit
 * solver/llbsolver/provenance.go, scrubMinRequest).
 */
import {
    attestationBuildArgs,
    attestationProblems,
    DEFAULT_PROVENANCE,
    DEFAULT_SBOM,
    PROVENANCE_MODES,
    SBOM_GENERATOR,
} from "../../../components/app/attestations";

describe("attestationBuildArgs", () => {
    it("asks for an SBOM by the Syft scanner pinned by digest, never its moving tag", () => {
        expect(SBOM_GENERATOR).toMatch(
            /^docker\/buildkit-syft-scanner:[\d.]+@sha256:[0-9a-f]{64}$/,
        );
        expect(attestationBuildArgs(true, "off")).toEqual({
            BUILDKIT_ATTEST_SBOM: `generator=${SBOM_GENERATOR}`,
        });
    });

    it("asks for provenance in the mode given, and for nothing when both are off", () => {
        expect(attestationBuildArgs(true, "min")).toEqual({
            BUILDKIT_ATTEST_SBOM: `generator=${SBOM_GENERATOR}`,
            BUILDKIT_ATTEST_PROVENANCE: "mode=min",
        });
        expect(attestationBuildArgs(false, "max")).toEqual({
            BUILDKIT_ATTEST_PROVENANCE: "mode=max",
        });
        expect(attestationBuildArgs(false, "off")).toEqual({});
    });

    it("defaults to an SBOM and max provenance, from the three modes BuildKit knows", () => {
        expect([DEFAULT_SBOM, DEFAULT_PROVENANCE]).toEqual([true, "max"]);
        expect([...PROVENANCE_MODES]).toEqual(["max", "min", "off"]);
    });
});

describe("attestationProblems", () => {
    it("refuses max provenance with secret build arguments, naming each", () => {
        expect(attestationProblems("max", ["A", "B", "C"], ["A", "C"])).toEqual([
            "provenance 'max' would record the value of the secret build arguments A, C in the image's provenance, readable by anyone who can pull it: pass secrets as build secrets, or set provenance to min",
        ]);
        expect(attestationProblems("min", ["A"], ["A"])).toEqual([]);
        expect(attestationProblems("off", ["A"], ["A"])).toEqual([]);
        expect(attestationProblems("max", ["A"], [])).toEqual([]);
    });

    // Attestations are chosen with sbom and provenance only: a BUILDKIT_ATTEST_ argument of one's
    // own, in any case, could swap the pinned scanner for another (generator=evil/scanner).
    it("refuses attestation requests of one's own, whatever their case, under the given key", () => {
        expect(
            attestationProblems("min", ["buildkit_attest_sbom", "PYTHON_IMAGE"], [], "app."),
        ).toEqual([
            "app.buildArgs.buildkit_attest_sbom asks BuildKit for an attestation directly: remove it, and set app.sbom or app.provenance instead",
        ]);
    });
});
