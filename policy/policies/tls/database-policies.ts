/** TLS to the app's database. */
import type { FleetPolicy } from "../types";

export const databasePolicies: FleetPolicy[] = [];
