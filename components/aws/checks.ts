/**
 * Pure checks shared by the AWS components' argument validation and the stack config schema,
 * so that a rule (and its message) is written once.
 */
import { CIDR, EMAIL, IMAGE_BY_DIGEST } from "../formats";

/** Formats of AWS identifiers and values the AWS components accept. */
export const AWS_FORMATS = {
    /** An ACM certificate ARN. */
    certificateArn: /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/,
    /** A KMS key ARN (not an alias: EBS and SNS need the key itself for grants). */
    kmsKeyArn: /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-)?[0-9a-f-]{32,36}$/,
    vpcId: /^vpc-[0-9a-f]{8,17}$/,
    subnetId: /^subnet-[0-9a-f]{8,17}$/,
    /** An IPv4 CIDR block such as 10.0.0.0/16. */
    cidr: CIDR,
    /** A container image pinned by digest: `registry/repo@sha256:<64 hex>`. */
    imageByDigest: IMAGE_BY_DIGEST,
    /** An ALB security policy that offers TLS 1.3. */
    // TLS 1.3 offered and nothing below 1.2 accepted: the TLS13-1-0/-1-1 policies still take 1.0/1.1.
    tls13SslPolicy: /^ELBSecurityPolicy-TLS13-1-[23]-/,
    email: EMAIL,
} as const;

/** The default HTTPS policy: TLS 1.3 and 1.2. `ELBSecurityPolicy-TLS13-1-3-2021-06` is 1.3 only. */
export const DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** A problem with one argument: `path` names it relative to the object checked. */
export interface Problem {
    readonly path: string;
    readonly message: string;
}

export interface FleetSizing {
    readonly minSize: number;
    readonly maxSize: number;
    readonly desiredCapacity: number;
    readonly targetCpuUtilization: number;
}

/** Sizing rules of an Auto Scaling fleet: bounds in order, desired within them, a real target. */
export function fleetSizingProblems(f: FleetSizing): Problem[] {
    const problems: Problem[] = [];
    if (f.maxSize < f.minSize) {
        problems.push({
            path: "maxSize",
            message: `(${f.maxSize}) must be >= minSize (${f.minSize}): raise maxSize or lower minSize`,
        });
    } else if (f.desiredCapacity < f.minSize || f.desiredCapacity > f.maxSize) {
        problems.push({
            path: "desiredCapacity",
            message: `(${f.desiredCapacity}) must be within [minSize, maxSize] = [${f.minSize}, ${f.maxSize}]`,
        });
    }
    if (!(f.targetCpuUtilization > 0 && f.targetCpuUtilization <= 100)) {
        problems.push({
            path: "targetCpuUtilization",
            message: `(${f.targetCpuUtilization}) must be a percentage in (0, 100], e.g. 65`,
        });
    }
    return problems;
}
