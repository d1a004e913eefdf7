/** The rbac policies of the pack, one file each. */
import type { FleetPolicy } from "../types";

export const rbacPolicies: FleetPolicy[] = [];
