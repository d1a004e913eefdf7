/** Google Cloud IAM policies: no basic roles on projects, folders or organizations; no keys. */
import type { FleetPolicy } from "../types";
import { gcpIamNoPrimitiveRoles } from "./gcp-iam-no-primitive-roles";
import { gcpServiceAccountKey } from "./gcp-service-account-key";

export const gcpIamPolicies: FleetPolicy[] = [gcpIamNoPrimitiveRoles, gcpServiceAccountKey];
