/** Key rotation policies: customer-managed keys that can rotate automatically must. */
import type { FleetPolicy } from "../types";
import { awsKmsKeyRotation } from "./aws-kms-key-rotation";
import { gcpKmsCryptoKeyRotation } from "./gcp-kms-crypto-key-rotation";

export const keyRotationPolicies: FleetPolicy[] = [awsKmsKeyRotation, gcpKmsCryptoKeyRotation];
