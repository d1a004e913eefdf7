/**
 * What the Google Cloud component tests share: the resource types they read, a project, the
 * fleet's repository, and the explicit provider every component planned directly needs (the
 * stacks disable default providers). Everything a plan registers comes from the worker's
 * `require` (`req`), never from this file's imports.
 */
import type * as gcpSdk from "@pulumi/gcp";
import type * as pulumiSdk from "@pulumi/pulumi";
import type { PlanResult } from "../../../plan/run";
import { planStack, type WorkerRequire } from "../../harness";

export const PROJECT = "multicloud-dev-000000";
export const REPO = "https://github.com/example-org/multicloud-fleet.git";
export const RANGE = "172.16.0.0/28";

/** The Google Cloud resource types the tests read. */
export const T = {
    cluster: "gcp:container/cluster:Cluster",
    pool: "gcp:container/nodePool:NodePool",
    membership: "gcp:gkehub/membership:Membership",
    feature: "gcp:gkehub/feature:Feature",
    featureMembership: "gcp:gkehub/featureMembership:FeatureMembership",
    key: "gcp:kms/cryptoKey:CryptoKey",
    keyRing: "gcp:kms/keyRing:KeyRing",
    keyIam: "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
    sa: "gcp:serviceaccount/account:Account",
    saKey: "gcp:serviceaccount/key:Key",
    iam: "gcp:projects/iAMMember:IAMMember",
    attached: "gcp:container/attachedCluster:AttachedCluster",
    serviceIdentity: "gcp:projects/serviceIdentity:ServiceIdentity",
    service: "gcp:projects/service:Service",
    router: "gcp:compute/router:Router",
    routerNat: "gcp:compute/routerNat:RouterNat",
} as const;

/** The worker's `@pulumi/pulumi`, the one the plan's mocks see. */
export const pulumiOf = (req: WorkerRequire) => req<typeof pulumiSdk>("@pulumi/pulumi");

/** Resource options with an explicit Google Cloud provider for `project`, from the worker. */
export function gcpOpts(req: WorkerRequire, project = PROJECT): { providers: gcpSdk.Provider[] } {
    const gcp = req<typeof gcpSdk>("@pulumi/gcp");
    return { providers: [new gcp.Provider("gcp", { project })] };
}

/** The value of `output` once the plan resolves it, and whether it is a secret. */
export async function settle<T>(
    req: WorkerRequire,
    output: pulumiSdk.Output<T>,
): Promise<{ value: T; secret: boolean }> {
    const pulumi = pulumiOf(req);
    const value = await new Promise<T>((resolve) => output.apply((v) => resolve(v)));
    return { value, secret: await pulumi.isSecret(output) };
}

/** A GKE cluster as a stack exports it (index.ts, `gcp.clusters`). */
export type ClusterOutput = { name: string; clusterId: string; endpoint: string };

/** The committed stacks and the GKE clusters each lists, for `describe.each`. */
export const STACK_CLUSTERS: [stack: string, clusters: string[]][] = [
    ["dev", ["dev-gke"]],
    ["prod", ["prod-eu", "prod-us"]],
];

/** The committed stack's plan (planned once per run) and the GKE clusters it exports. */
export async function plannedStack(
    stack: string,
): Promise<{ plan: PlanResult; clusters: ClusterOutput[] }> {
    const plan = await planStack(stack);
    expect(plan.errors).toEqual([]);
    return { plan, clusters: (plan.outputs.gcp as { clusters: ClusterOutput[] }).clusters };
}
