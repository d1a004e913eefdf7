/** The TLS policies of the pack, one file each. */
import type { FleetPolicy } from "../types";
import { awsLbListenerHttpsRedirect } from "./aws-lb-listener-https-redirect";
import { awsLbListenerTls13 } from "./aws-lb-listener-tls13";
import { azureMinTls12 } from "./azure-min-tls-12";
import { databasePolicies } from "./database-policies";
import { gcpSslPolicyModern } from "./gcp-ssl-policy-modern";
import { gitopsSourceHttps } from "./gitops-source-https";
import { kubernetesIngressTls } from "./kubernetes-ingress-tls";
import { transitPolicies } from "./transit-policies";

export const tlsPolicies: FleetPolicy[] = [
    awsLbListenerTls13,
    awsLbListenerHttpsRedirect,
    gcpSslPolicyModern,
    azureMinTls12,
    kubernetesIngressTls,
    gitopsSourceHttps,
    ...transitPolicies,
    ...databasePolicies,
];
