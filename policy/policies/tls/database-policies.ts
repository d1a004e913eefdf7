/** TLS to the app's database. */
import type { FleetPolicy } from "../types";
import { kubernetesSecretDatabaseTls } from "./kubernetes-secret-database-tls";

export const databasePolicies: FleetPolicy[] = [kubernetesSecretDatabaseTls];
