/** The encryption policies of the pack, one file each. */
import type { FleetPolicy } from "../types";
import { awsEcrKms } from "./aws-ecr-kms";
import { awsLaunchTemplateEbsEncrypted } from "./aws-launch-template-ebs-encrypted";
import { awsSnsKms } from "./aws-sns-kms";
import { azureContainerRegistryCmek } from "./azure-container-registry-cmek";
import { gcpArtifactRegistryCmek } from "./gcp-artifact-registry-cmek";
import { gcpGkeSecretsEncryption } from "./gcp-gke-secrets-encryption";
import { keyRotationPolicies } from "./key-rotation-policies";

export const encryptionPolicies: FleetPolicy[] = [
    awsLaunchTemplateEbsEncrypted,
    awsEcrKms,
    awsSnsKms,
    gcpGkeSecretsEncryption,
    gcpArtifactRegistryCmek,
    azureContainerRegistryCmek,
    ...keyRotationPolicies,
];
