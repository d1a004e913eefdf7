import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isSet, read, UNKNOWN } from "../types";

const KMS_KEY = "aws:kms/key:Key";

/** The only key spec AWS KMS rotates automatically (the provider's default). */
const SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT";
/** The only key usage of a SYMMETRIC_DEFAULT key (the provider's default). */
const ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT";
/** The rotation periods EnableKeyRotation accepts, in days. */
const MIN_ROTATION_DAYS = 90;
const MAX_ROTATION_DAYS = 2560;

/**
 * Whether AWS KMS can rotate the key automatically, or might once unknowns are known. AWS only
 * rotates symmetric encryption keys whose material it generates: not asymmetric or HMAC keys
 * (customerMasterKeySpec, keyUsage), nor keys in a CloudHSM or external key store
 * (customKeyStoreId, xksKeyId). Keys with imported material are aws.kms.ExternalKey resources.
 */
function canRotate(props: unknown): boolean {
    const spec = read(props, "customerMasterKeySpec");
    if (spec === UNKNOWN || (spec !== undefined && spec !== SYMMETRIC_DEFAULT)) return false;
    const usage = read(props, "keyUsage");
    if (usage === UNKNOWN || (usage !== undefined && usage !== ENCRYPT_DECRYPT)) return false;
    return !isSet(read(props, "customKeyStoreId")) && !isSet(read(props, "xksKeyId"));
}

/** A rotation period AWS would refuse (a value not known yet is not). */
function invalidRotationPeriod(value: unknown): boolean {
    if (value === undefined || value === null || value === UNKNOWN) return false;
    const days = typeof value === "string" ? Number(value) : value;
    return (
        typeof days !== "number" ||
        !Number.isInteger(days) ||
        days < MIN_ROTATION_DAYS ||
        days > MAX_ROTATION_DAYS
    );
}

export const awsKmsKeyRotation: ResourceValidationPolicy = {
    name: "aws-kms-key-rotation",
    description:
        "AWS KMS keys (aws.kms.Key) must set enableKeyRotation to true, so AWS KMS rotates their key material every 365 days or every rotationPeriodInDays, which may be any whole number of days from 90 to 2560. Keys AWS cannot rotate automatically are skipped: asymmetric and HMAC keys (customerMasterKeySpec other than SYMMETRIC_DEFAULT, or keyUsage other than ENCRYPT_DECRYPT) and keys in a custom key store (customKeyStoreId); keys with imported key material are aws.kms.ExternalKey resources, which this policy does not check.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== KMS_KEY) return;
        if (!canRotate(args.props)) return;
        const enabled = read(args.props, "enableKeyRotation");
        if (enabled === UNKNOWN) return;
        if (enabled !== true && enabled !== "true") {
            const state =
                enabled === undefined || enabled === null
                    ? "does not set enableKeyRotation"
                    : "sets enableKeyRotation to false";
            reportViolation(
                `KMS key '${args.name}' ${state}, so its key material is never rotated: set enableKeyRotation to true (AWS KMS then rotates it every 365 days, or every rotationPeriodInDays from 90 to 2560).`,
            );
            return;
        }
        if (invalidRotationPeriod(read(args.props, "rotationPeriodInDays"))) {
            reportViolation(
                `KMS key '${args.name}' sets rotationPeriodInDays outside the whole numbers of days from 90 to 2560 that AWS KMS accepts, so its rotation cannot be enabled: set rotationPeriodInDays to a whole number from 90 to 2560, or remove it to rotate every 365 days.`,
            );
        }
    },
};
