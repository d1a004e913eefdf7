/**
 * Which CPU architectures the app image must cover, and the check that the image covers every
 * architecture the stack runs. Pure (no Pulumi, no file access), so the stack config can call it while
 * it validates the stack config, before anything is registered.
 *
 * One multi-platform image (an OCI image index) serves every node: the container runtime picks
 * the manifest of its own architecture from the index, so the fleet keeps pulling one ref by
 * digest. An image without the node's architecture fails at start (`exec format error`) or is
 * never scheduled (GKE taints Arm nodes `kubernetes.io/arch=arm64:NoSchedule`).
 */
import { machineTypeArchitecture } from "../gcp/checks";

/** The platforms the image can be built for. */
export const IMAGE_PLATFORMS = ["linux/amd64", "linux/arm64"] as const;
export type ImagePlatform = (typeof IMAGE_PLATFORMS)[number];

/** The platforms built when the stack names none. */
export const DEFAULT_IMAGE_PLATFORMS: readonly ImagePlatform[] = ["linux/amd64"];

/** The EC2 architecture names of an Auto Scaling fleet (`x86_64` | `arm64`). */
export type Ec2Architecture = "x86_64" | "arm64";

/** The image platform an EC2 architecture runs. */
export function platformOfEc2Architecture(architecture: Ec2Architecture): ImagePlatform {
    return architecture === "arm64" ? "linux/arm64" : "linux/amd64";
}

/**
 * The image platform a GKE node of this machine type runs (`c4a-standard-4` -> linux/arm64). The
 * Arm series are listed once, in GkeCluster's `ARM_MACHINE_SERIES`.
 */
export function platformOfGceMachineType(machineType: string): ImagePlatform {
    return machineTypeArchitecture(machineType) === "arm64" ? "linux/arm64" : "linux/amd64";
}

/** Where the image runs, and on which platform. */
export interface ImageConsumer {
    /** The config key that decides the architecture, e.g. `aws.fleet.architecture`. */
    readonly key: string;
    /** The value found there, quoted in the message (e.g. `arm64`, `c4a-standard-4`). */
    readonly value: string;
    readonly platform: ImagePlatform;
}

/** What the stack runs, in the shape config/ already has. */
export interface StackArchitectures {
    /** The AWS fleet, when AWS is enabled and runs the built image. */
    readonly awsFleetArchitecture?: Ec2Architecture;
    /** Each GKE cluster that runs the built image. */
    readonly gkeClusters?: readonly { readonly name: string; readonly machineType: string }[];
    /**
     * Edge sites whose architecture is known (a site can run both, e.g. mixed k3s nodes); sites
     * with none listed are not checked.
     */
    readonly edgeSites?: readonly {
        readonly name: string;
        readonly platforms: readonly ImagePlatform[];
    }[];
}

/** Lists every consumer of the image with the platform it needs. */
export function imageConsumers(stack: StackArchitectures): ImageConsumer[] {
    const consumers: ImageConsumer[] = [];
    if (stack.awsFleetArchitecture !== undefined) {
        consumers.push({
            key: "aws.fleet.architecture",
            value: stack.awsFleetArchitecture,
            platform: platformOfEc2Architecture(stack.awsFleetArchitecture),
        });
    }
    for (const cluster of stack.gkeClusters ?? []) {
        consumers.push({
            key: `gcp.clusters[${cluster.name}].machineType`,
            value: cluster.machineType,
            platform: platformOfGceMachineType(cluster.machineType),
        });
    }
    for (const site of stack.edgeSites ?? []) {
        for (const platform of site.platforms) {
            consumers.push({ key: `edge.sites[${site.name}]`, value: platform, platform });
        }
    }
    return consumers;
}

/**
 * The problems of `platforms` (the value of `key`, e.g. `appImage.platforms`): unknown or repeated
 * entries, an empty list, and every architecture the stack runs that the image would lack, each
 * naming the config key and the fix. Empty when the image covers the stack.
 */
export function imagePlatformProblems(
    platforms: readonly string[],
    stack: StackArchitectures,
    key = "appImage.platforms",
): string[] {
    const problems = platformListProblems(platforms, key);
    const missing = new Map<ImagePlatform, ImageConsumer[]>();
    for (const consumer of imageConsumers(stack)) {
        if (!platforms.includes(consumer.platform)) {
            missing.set(consumer.platform, [...(missing.get(consumer.platform) ?? []), consumer]);
        }
    }
    for (const [platform, consumers] of missing) {
        const where = consumers.map((c) => `${c.key} is ${c.value}`).join(", ");
        problems.push(
            `${key} lacks ${platform}, which the stack runs (${where}): add ${platform} to ${key}, or change those nodes' architecture`,
        );
    }
    return problems;
}

/** The problems of a platform list itself (`key` names it): empty, unknown or repeated entries. */
export function platformListProblems(platforms: readonly string[], key: string): string[] {
    const problems: string[] = [];
    if (platforms.length === 0) {
        problems.push(`${key} is empty: list at least one of ${IMAGE_PLATFORMS.join(", ")}`);
    }
    platforms.forEach((p, i) => {
        if (!(IMAGE_PLATFORMS as readonly string[]).includes(p)) {
            problems.push(
                `${key}[${i}] '${p}' is not a platform the image can be built for: use one of ${IMAGE_PLATFORMS.join(", ")}`,
            );
        } else if (platforms.indexOf(p) !== i) {
            problems.push(`${key}[${i}] repeats '${p}': list each platform once`);
        }
    });
    return problems;
}
