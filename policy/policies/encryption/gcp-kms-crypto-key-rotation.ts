import type { ResourceValidationPolicy } from "@pulumi/policy";
import { read, UNKNOWN } from "../types";

const CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey";

/** The only purpose Cloud KMS rotates automatically (the provider's default). */
const ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT";
/** Cloud EKM keys: their material lives in an external key manager. */
const EXTERNAL_PROTECTION_LEVELS = ["EXTERNAL", "EXTERNAL_VPC"];
const DAY_SECONDS = 86_400;
/** CIS Google Cloud Platform Foundation Benchmark 1.10: rotate within 90 days. */
const DEFAULT_MAX_ROTATION_DAYS = 90;
/** The longest rotation period Cloud KMS accepts: 876,000 hours (100 years). */
const MAX_ACCEPTED_DAYS = 36_500;
/** A protobuf Duration as the API and the provider take it: seconds, up to 9 fractional digits. */
const DURATION = /^(\d+)(?:\.(\d{1,9}))?s$/;

/** Config of gcp-kms-crypto-key-rotation. */
export interface GcpKmsCryptoKeyRotationConfig {
    /** The longest rotation period accepted, in days. @default 90 */
    readonly maxRotationPeriodDays?: number;
}

/**
 * Whether Cloud KMS can rotate the key automatically, or might once unknowns are known. Only
 * ENCRYPT_DECRYPT keys rotate automatically (the API refuses a rotationPeriod on any other
 * purpose); an import-only key can only get imported versions, so Cloud KMS cannot generate the
 * version a rotation creates; and the material of Cloud EKM keys is managed outside Cloud KMS.
 */
function canRotate(props: unknown): boolean {
    const purpose = read(props, "purpose");
    if (purpose === UNKNOWN || (purpose !== undefined && purpose !== ENCRYPT_DECRYPT)) return false;
    const importOnly = read(props, "importOnly");
    if (importOnly === UNKNOWN || importOnly === true || importOnly === "true") return false;
    const protection = read(props, "versionTemplate.protectionLevel");
    return protection !== UNKNOWN && !EXTERNAL_PROTECTION_LEVELS.includes(String(protection));
}

export const gcpKmsCryptoKeyRotation: ResourceValidationPolicy = {
    name: "gcp-kms-crypto-key-rotation",
    description:
        'Cloud KMS keys (gcp.kms.CryptoKey) with purpose ENCRYPT_DECRYPT, the default, must set rotationPeriod to a duration in seconds of at least one day and at most maxRotationPeriodDays (90 days, "7776000s", by default, as CIS Google Cloud Platform Foundation Benchmark 1.10 asks), so Cloud KMS creates a new primary key version at least that often. Keys Cloud KMS cannot rotate automatically are skipped: any other purpose (such as ASYMMETRIC_SIGN, ASYMMETRIC_DECRYPT or MAC), import-only keys (importOnly) and Cloud EKM keys (versionTemplate.protectionLevel EXTERNAL or EXTERNAL_VPC).',
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            maxRotationPeriodDays: {
                type: "integer",
                minimum: 1,
                maximum: MAX_ACCEPTED_DAYS,
                default: DEFAULT_MAX_ROTATION_DAYS,
                description: "The longest rotation period accepted, in days.",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        if (args.type !== CRYPTO_KEY) return;
        if (!canRotate(args.props)) return;
        const maxDays =
            args.getConfig<GcpKmsCryptoKeyRotationConfig>().maxRotationPeriodDays ??
            DEFAULT_MAX_ROTATION_DAYS;
        const max = `"${maxDays * DAY_SECONDS}s" (${maxDays} days)`;
        const period = read(args.props, "rotationPeriod");
        if (period === UNKNOWN) return;
        if (period === undefined || period === null || period === "") {
            reportViolation(
                `Cloud KMS key '${args.name}' has no rotationPeriod, so its key material is never rotated: set rotationPeriod, in seconds followed by "s", to at most ${max}.`,
            );
            return;
        }
        const match = typeof period === "string" ? DURATION.exec(period) : null;
        // Whole seconds and the fraction apart: a double cannot tell 7776000.000000001 from 7776000.
        const whole = match ? Number(match[1]) : NaN;
        const fraction = /[1-9]/.test(match?.[2] ?? "");
        if (!(whole >= DAY_SECONDS)) {
            reportViolation(
                `Cloud KMS key '${args.name}' sets a rotationPeriod that is not a number of seconds of at least one day followed by "s", which Cloud KMS rejects: set rotationPeriod to between "86400s" (one day) and ${max}.`,
            );
            return;
        }
        const maxSeconds = maxDays * DAY_SECONDS;
        if (whole > maxSeconds || (whole === maxSeconds && fraction)) {
            reportViolation(
                `Cloud KMS key '${args.name}' sets a rotationPeriod longer than ${maxDays} days, so each key version encrypts new data for longer than the fleet allows: set rotationPeriod to at most ${max}.`,
            );
        }
    },
};
