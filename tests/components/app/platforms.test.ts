/**
 * Which architectures the app image must cover (components/app/platforms.ts): every node that
 * runs it, the AWS fleet, each GKE node pool and the edge sites whose architecture is known, must
 * find a manifest of its own platform in the one image index, or the container fails to start.
 */
import {
    DEFAULT_IMAGE_PLATFORMS,
    IMAGE_PLATFORMS,
    imageConsumers,
    imagePlatformProblems,
    platformListProblems,
    platformOfEc2Architecture,
    platformOfGceMachineType,
} from "../../../components/app/platforms";

describe("imagePlatformProblems", () => {
    // Rule: a node runs only an image with a manifest for its architecture (Docker, "Multi-platform
    // builds": "you can't run a linux/amd64 container on an arm64 host (without using
    // emulation)", docs.docker.com/build/building/multi-platform/). EC2 m7g (Graviton) is arm64
    // (the AMI parameter of AsgFleet by architecture); GKE's Arm series are C4A and T2A
    // (cloud.google.com/kubernetes-engine/docs/how-to/prepare-arm-workloads-for-deployment).
    it("names prod's gap: an arm64 fleet and an image for linux/amd64 only", () => {
        expect(
            imagePlatformProblems(["linux/amd64"], {
                awsFleetArchitecture: "arm64",
                gkeClusters: [{ name: "prod-eu", machineType: "e2-standard-4" }],
            }),
        ).toEqual([
            "appImage.platforms lacks linux/arm64, which the stack runs (aws.fleet.architecture is arm64): add linux/arm64 to appImage.platforms, or change those nodes' architecture",
        ]);
        expect(
            imagePlatformProblems(["linux/amd64", "linux/arm64"], {
                awsFleetArchitecture: "arm64",
                gkeClusters: [{ name: "prod-eu", machineType: "e2-standard-4" }],
            }),
        ).toEqual([]);
    });

    it("reads GKE machine types and known edge architectures", () => {
        expect(platformOfGceMachineType("c4a-standard-8")).toBe("linux/arm64");
        expect(platformOfGceMachineType("t2a-standard-4")).toBe("linux/arm64");
        expect(platformOfGceMachineType("e2-standard-4")).toBe("linux/amd64");
        expect(
            imagePlatformProblems(["linux/arm64"], {
                awsFleetArchitecture: "x86_64",
                gkeClusters: [{ name: "eu", machineType: "n2-standard-4" }],
                edgeSites: [{ name: "store-1", platforms: ["linux/arm64"] }],
            }),
        ).toEqual([
            "appImage.platforms lacks linux/amd64, which the stack runs (aws.fleet.architecture is x86_64, gcp.clusters[eu].machineType is n2-standard-4): add linux/amd64 to appImage.platforms, or change those nodes' architecture",
        ]);
    });

    it("names an empty, unknown or repeated platform", () => {
        expect(imagePlatformProblems([], {})).toEqual([
            "appImage.platforms is empty: list at least one of linux/amd64, linux/arm64",
        ]);
        expect(imagePlatformProblems(["linux/s390x", "linux/amd64", "linux/amd64"], {})).toEqual([
            "appImage.platforms[0] 'linux/s390x' is not a platform the image can be built for: use one of linux/amd64, linux/arm64",
            "appImage.platforms[2] repeats 'linux/amd64': list each platform once",
        ]);
        expect([...IMAGE_PLATFORMS]).toEqual(["linux/amd64", "linux/arm64"]);
        expect(DEFAULT_IMAGE_PLATFORMS).toEqual(["linux/amd64"]);
    });
});

describe("imageConsumers", () => {
    // EC2 names its architectures x86_64 and arm64 (the Auto Scaling fleet's
    // aws.fleet.architecture); OCI platforms name them linux/amd64 and linux/arm64.
    it("maps each consumer to its platform under the config key that decides it", () => {
        expect(platformOfEc2Architecture("x86_64")).toBe("linux/amd64");
        expect(platformOfEc2Architecture("arm64")).toBe("linux/arm64");
        expect(
            imageConsumers({
                awsFleetArchitecture: "arm64",
                gkeClusters: [{ name: "eu", machineType: "c4a-standard-4" }],
                edgeSites: [{ name: "store-1", platforms: ["linux/amd64", "linux/arm64"] }],
            }),
        ).toEqual([
            { key: "aws.fleet.architecture", value: "arm64", platform: "linux/arm64" },
            {
                key: "gcp.clusters[eu].machineType",
                value: "c4a-standard-4",
                platform: "linux/arm64",
            },
            { key: "edge.sites[store-1]", value: "linux/amd64", platform: "linux/amd64" },
            { key: "edge.sites[store-1]", value: "linux/arm64", platform: "linux/arm64" },
        ]);
        // Nothing known to run it: nothing to cover.
        expect(imageConsumers({})).toEqual([]);
    });

    it("names the list by the key it is given, as config and AppImage each call it", () => {
        expect(platformListProblems(["linux/arm64", "linux/arm64"], "platforms")).toEqual([
            "platforms[1] repeats 'linux/arm64': list each platform once",
        ]);
        expect(
            imagePlatformProblems(["linux/amd64"], { awsFleetArchitecture: "arm64" }, "k"),
        ).toEqual([
            "k lacks linux/arm64, which the stack runs (aws.fleet.architecture is arm64): add linux/arm64 to k, or change those nodes' architecture",
        ]);
    });
});
