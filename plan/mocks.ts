/**
 * The mock engine shared by the offline plan and the tests: Pulumi's own mock runtime
 * (`pulumi.runtime.setMocks`) with a monitor that records every registration (type, name,
 * inputs, parent, provider, dependencies, property dependencies), and an invoke table that
 * throws on any function it does not know, so a new invoke cannot slip into the program
 * unnoticed.
 */
import * as pulumi from "@pulumi/pulumi";
import { Worker } from "worker_threads";
import { jsonOrValue } from "./json";

/** One resource as the program registered it. */
export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** True for resources a provider manages; false for components and the stack. */
    readonly custom: boolean;
    /** URN of the parent, or undefined for the stack itself. */
    readonly parent?: string;
    /** URN of the explicit provider, or undefined when the default provider would be used. */
    readonly provider?: string;
    /** Inputs with secrets unwrapped (see `secretPaths`). */
    readonly inputs: Record<string, unknown>;
    /** Paths of inputs that were sent as secrets, e.g. `kubeconfig` or `values.global.key`. */
    readonly secretPaths: string[];
    /** URNs this resource depends on (explicit `dependsOn` and input dependencies). */
    readonly dependencies: string[];
    /**
     * For each input, the URNs of the resources it was computed from, as the SDK sends them
     * (an empty list for an input computed from none) and the engine hands them to an
     * analyzer, e.g. `{ resourceArn: [<alb urn>], webAclArn: [<web acl urn>] }`.
     */
    readonly propertyDependencies: Record<string, string[]>;
    /** Properties whose changes `pulumi up` ignores (the `ignoreChanges` option). */
    readonly ignoreChanges: string[];
    /**
     * The `aliases` option as the SDK sends it: a URN, or a spec whose empty fields mean "the
     * resource's own" (the engine completes them, and adds the aliases of the parents).
     */
    readonly aliases: AliasSpec[];
    /**
     * Properties whose change replaces the resource: the `replaceOnChanges` option, which the
     * SDK fills from the provider schema where a property is marked so (azure-native), `*` for
     * any change.
     */
    readonly replaceOnChanges: string[];
    /** The `deleteBeforeReplace` option; absent when the program leaves it to the provider. */
    readonly deleteBeforeReplace?: boolean;
    /** The `deletedWith` option: the URN of the resource whose deletion deletes this one. */
    readonly deletedWith?: string;
    /** The `retainOnDelete` option: a delete only forgets the resource. */
    readonly retainOnDelete?: boolean;
    /**
     * The `replacementTrigger` option: the engine replaces the resource when this value differs
     * from the last deployment's. Absent when not set.
     */
    readonly replacementTrigger?: unknown;
    /** The `replaceWith` option: URNs whose replacement replaces this resource too. */
    readonly replaceWith: string[];
    /** Component outputs passed to `registerOutputs`, with secrets unwrapped. */
    outputs?: Record<string, unknown>;
    /** Paths of component outputs that are secret. */
    outputSecretPaths?: string[];
}

/** One alias of a registration: an old URN, or the parts of one (see `RecordedResource.aliases`). */
export interface AliasSpec {
    readonly urn?: string;
    readonly name?: string;
    readonly type?: string;
    readonly stack?: string;
    readonly project?: string;
    /** The old parent's URN; absent with `noParent` (the old resource was at the root). */
    readonly parentUrn?: string;
    readonly noParent?: boolean;
}

export interface RecordedInvoke {
    readonly token: string;
    readonly inputs: Record<string, unknown>;
    /** URN of the explicit provider, or undefined when the default provider would be used. */
    readonly provider?: string;
}

/** What an invoke answer may read besides its inputs. */
export interface InvokeContext {
    /** Inputs of the provider the invoke runs through (e.g. its `region`), when explicit. */
    readonly providerInputs: Record<string, unknown>;
}

/** Answers to provider functions (invokes), by token. Add one here for every new invoke. */
export type InvokeAnswers = Readonly<
    Record<
        string,
        (inputs: Record<string, unknown>, context: InvokeContext) => Record<string, unknown>
    >
>;

/** The fixed identity every mock answer uses, so plans and tests are deterministic. */
export const MOCK_IDENTITY = {
    awsAccountId: "123456789012",
    azureTenantId: "00000000-0000-0000-0000-000000000000",
    azureSubscriptionId: "00000000-0000-0000-0000-000000000001",
} as const;

const keyPairs = new Map<number, Promise<Record<string, string>>>();
/**
 * A real RSA key pair for a `tls.PrivateKey`, in the formats the TLS provider reports:
 * `privateKeyPem` PKCS#1, `privateKeyPemPkcs8`, `publicKeyPem` SPKI. One pair per key size,
 * shared by every key of that size (a real deploy generates each one, once, and keeps it in the
 * state): a plan may hold a thousand edge clusters' keys.
 *
 * Derived from a fixed seed, so that planning the same commit twice gives the same inputs
 * (the Arc agents' public key is an input of every connected cluster; a fresh random key would
 * show every cluster as changed in `--diff`). Generated in a worker thread, so that it overlaps
 * the loading of the program (a 4096-bit pair takes about half a second).
 */
export function mockKeyPair(bits: number): Promise<Record<string, string>> {
    let pair = keyPairs.get(bits);
    if (!pair) {
        pair = new Promise((resolve, reject) => {
            const worker = new Worker(
                // tsx (esbuild, keepNames) wraps inner functions in `__name`: define it.
                `const __name = (f) => f;\n(${deterministicRsaKeyPair.toString()})(require("worker_threads").workerData)`,
                {
                    eval: true,
                    workerData: { bits, seed: `multicloud offline plan, rsa ${bits}` },
                },
            );
            worker.once("message", (pems: Record<string, string>) => resolve(pems));
            worker.once("error", reject);
        });
        keyPairs.set(bits, pair);
    }
    return pair;
}

/**
 * An RSA key pair of `bits` bits derived from `seed` alone: primes found from SHA-256 counter
 * output (top two bits set, so the modulus has exactly `bits` bits) with OpenSSL's primality
 * test, then imported as a JWK and exported in PEM. Runs in a worker: self-contained, it
 * requires what it uses and posts the PEMs to its parent.
 */
export function deterministicRsaKeyPair(data: {
    bits: number;
    seed: string;
}): Record<string, string> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const crypto = require("crypto") as typeof import("crypto");
    const e = BigInt(65537);
    const random = (label: string) => {
        let counter = 0;
        return (bytes: number) => {
            const chunks: Buffer[] = [];
            for (let have = 0; have < bytes; have += 32)
                chunks.push(
                    crypto
                        .createHash("sha256")
                        .update(`${data.seed}/${label}/${counter++}`)
                        .digest(),
                );
            return Buffer.concat(chunks).subarray(0, bytes);
        };
    };
    const small: number[] = [];
    for (let i = 3; small.length < 2000; i += 2)
        if (small.every((p) => p * p > i || i % p)) small.push(i);
    const prime = (bits: number, next: (bytes: number) => Buffer): bigint => {
        const b = next(bits / 8);
        b[0] |= 0xc0;
        b[b.length - 1] |= 1;
        const start = BigInt(`0x${b.toString("hex")}`);
        const rest = small.map((s) => Number(start % BigInt(s)));
        for (let delta = 0; ; delta += 2) {
            if (rest.some((r, i) => (r + delta) % small[i] === 0)) continue;
            const c = start + BigInt(delta);
            if ((c - BigInt(1)) % e !== BigInt(0) && crypto.checkPrimeSync(c)) return c;
        }
    };
    const inverse = (a: bigint, m: bigint): bigint => {
        let [r0, r1, s0, s1] = [a % m, m, BigInt(1), BigInt(0)];
        while (r1 !== BigInt(0)) {
            const q = r0 / r1;
            [r0, r1] = [r1, r0 - q * r1];
            [s0, s1] = [s1, s0 - q * s1];
        }
        return ((s0 % m) + m) % m;
    };
    const b64 = (x: bigint) => {
        const hex = x.toString(16);
        return Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex").toString("base64url");
    };
    const p = prime(data.bits / 2, random("p"));
    const q = prime(data.bits / 2, random("q"));
    const d = inverse(e, (p - BigInt(1)) * (q - BigInt(1)));
    const key = crypto.createPrivateKey({
        format: "jwk",
        key: {
            kty: "RSA",
            n: b64(p * q),
            e: b64(e),
            d: b64(d),
            p: b64(p),
            q: b64(q),
            dp: b64(d % (p - BigInt(1))),
            dq: b64(d % (q - BigInt(1))),
            qi: b64(inverse(q, p)),
        },
    });
    const pems = {
        privateKeyPem: key.export({ type: "pkcs1", format: "pem" }).toString(),
        privateKeyPemPkcs8: key.export({ type: "pkcs8", format: "pem" }).toString(),
        publicKeyPem: crypto
            .createPublicKey(key)
            .export({ type: "spki", format: "pem" })
            .toString(),
    };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parentPort } = require("worker_threads") as typeof import("worker_threads");
    parentPort?.postMessage(pems);
    return pems;
}

/** The key size the program's keys use (the Arc agents' onboarding key), generated up front. */
const PREFETCHED_KEY_BITS = 4096;

/** A deterministic fake id of `length` hex digits derived from `seed`. */
function fakeHex(seed: string, length: number): string {
    let h = 2166136261;
    let out = "";
    while (out.length < length) {
        for (const c of seed + out.length) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
        out += h.toString(16).padStart(8, "0");
    }
    return out.slice(0, length);
}

/** A deterministic GUID derived from `seed`. */
function fakeUuid(seed: string): string {
    const h = fakeHex(seed, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const regionOf = (ctx: InvokeContext) => String(ctx.providerInputs.region ?? "us-east-1");

/** Invokes the program makes today. An unknown token fails the plan with a message naming it. */
export const INVOKES: InvokeAnswers = {
    // The caller is in the first account the provider allows, as it must be for a real deploy.
    "aws:index/getCallerIdentity:getCallerIdentity": (_inputs, ctx) => {
        const allowed = jsonOrValue(ctx.providerInputs.allowedAccountIds);
        const accountId =
            Array.isArray(allowed) && allowed.length
                ? String(allowed[0])
                : MOCK_IDENTITY.awsAccountId;
        return {
            accountId,
            arn: `arn:aws:iam::${accountId}:user/offline-plan`,
            userId: "AIDAOFFLINEPLAN",
            id: accountId,
        };
    },
    "gcp:organizations/getProject:getProject": (inputs) => ({
        id: `projects/${inputs.projectId}`,
        projectId: inputs.projectId,
        name: inputs.projectId,
        number: String(parseInt(fakeHex(String(inputs.projectId), 10), 16)).slice(0, 12),
    }),
    // The bootstrap manifest of an attached cluster (gkemulticloud
    // generateAttachedClusterInstallManifest), in its shape: a namespace, the bootstrap agent's
    // service account bound to cluster-admin (it installs the fleet agents cluster-wide) and the
    // agent's Deployment. Google publishes no copy of the text: the object names and the image
    // are this mock's, not Google's; check a real one with `gcloud container attached clusters
    // generate-install-manifest`. The policy gate checks these objects as a real preview does
    // (the provider registers a ConfigGroup's objects as typed resources).
    "gcp:container/getAttachedInstallManifest:getAttachedInstallManifest": (inputs) => ({
        id: `${inputs.location}/${inputs.clusterId}`,
        clusterId: inputs.clusterId,
        location: inputs.location,
        platformVersion: inputs.platformVersion,
        project: inputs.project,
        manifest: [
            `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: gke-install-${inputs.clusterId}\n`,
            `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: gke-install\n  namespace: gke-install-${inputs.clusterId}\n`,
            `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: gke-install-${inputs.clusterId}\n` +
                `roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\n` +
                `subjects:\n- kind: ServiceAccount\n  name: gke-install\n  namespace: gke-install-${inputs.clusterId}\n`,
            `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: gke-install\n  namespace: gke-install-${inputs.clusterId}\n` +
                `spec:\n  replicas: 1\n  selector:\n    matchLabels: { app: gke-install }\n  template:\n` +
                `    metadata:\n      labels: { app: gke-install }\n    spec:\n      serviceAccountName: gke-install\n` +
                `      containers:\n      - name: installer\n        image: gcr.io/gke-multi-cloud-release/offline-plan-installer:${inputs.platformVersion}\n` +
                `        args: ["--project=${inputs.project}", "--location=${inputs.location}", "--cluster=${inputs.clusterId}"]\n`,
        ].join("---\n"),
    }),
    "azure-native:authorization:getClientConfig": (_inputs, ctx) => ({
        clientId: "00000000-0000-0000-0000-00000000c11e",
        objectId: "00000000-0000-0000-0000-0000000000b1",
        subscriptionId: String(
            ctx.providerInputs.subscriptionId ?? MOCK_IDENTITY.azureSubscriptionId,
        ),
        tenantId: String(ctx.providerInputs.tenantId ?? MOCK_IDENTITY.azureTenantId),
    }),
    // Registry logins: short-lived tokens, never real ones.
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": (inputs, ctx) => {
        const registry = String(inputs.registryId ?? MOCK_IDENTITY.awsAccountId);
        return {
            id: registry,
            registryId: registry,
            userName: "AWS",
            password: "offline-plan-ecr-token",
            authorizationToken: Buffer.from("AWS:offline-plan-ecr-token").toString("base64"),
            expiresAt: "2099-01-01T00:00:00Z",
            proxyEndpoint: `https://${registry}.dkr.ecr.${regionOf(ctx)}.amazonaws.com`,
        };
    },
    "gcp:organizations/getClientConfig:getClientConfig": (_inputs, ctx) => ({
        id: "offline-plan",
        accessToken: "offline-plan-google-access-token",
        project: String(ctx.providerInputs.project ?? "mock-project"),
        region: String(ctx.providerInputs.region ?? "us-central1"),
        zone: "",
    }),
    "azure-native:authorization:getClientToken": () => ({
        token: "offline-plan-arm-token",
    }),
    // The Region's Elastic Load Balancing account (ALB access log delivery): a fake account id,
    // never a real one. The provider answers only the Regions it has an account for, which are
    // the only ones AccessLogBucket asks about.
    "aws:elb/getServiceAccount:getServiceAccount": (inputs, ctx) => {
        const region = String(inputs.region ?? regionOf(ctx));
        if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) {
            throw new Error(`unsupported AWS Region: ${region}`);
        }
        const account = String(parseInt(fakeHex(`elb-${region}`, 10), 16))
            .padStart(12, "0")
            .slice(0, 12);
        return { id: account, arn: `arn:aws:iam::${account}:root`, region };
    },
    "aws:index/getPartition:getPartition": () => ({
        partition: "aws",
        dnsSuffix: "amazonaws.com",
        id: "aws",
    }),
    "aws:index/getAvailabilityZones:getAvailabilityZones": (_inputs, ctx) => {
        const region = regionOf(ctx);
        const names = ["a", "b", "c"].map((z) => `${region}${z}`);
        return {
            id: region,
            names,
            zoneIds: names.map((_, i) => `use1-az${i + 1}`),
            groupNames: [region],
        };
    },
    // Public parameters only: the AMI ids AWS publishes under /aws/service/.
    "aws:ssm/getParameter:getParameter": (inputs, ctx) => {
        const name = String(inputs.name);
        if (!name.startsWith("/aws/service/")) {
            throw new Error(
                `the mock engine answers public SSM parameters (/aws/service/...) only, not '${name}'`,
            );
        }
        const ami = `ami-${fakeHex(name, 17)}`;
        return {
            id: name,
            name,
            type: "String",
            value: ami,
            insecureValue: ami,
            version: 1,
            arn: `arn:aws:ssm:${regionOf(ctx)}::parameter${name}`,
        };
    },
};

// The wire markers of the Pulumi RPC layer for secret values (see @pulumi/pulumi runtime/rpc).
const SIG_KEY = pulumi.runtime.specialSigKey;
const SECRET_SIG = pulumi.runtime.specialSecretSig;

/**
 * `value` with each value at one of `paths` (as `unwrapSecrets` writes them: `a.b[0].c`, matched
 * while walking, since keys may hold dots) replaced by `replace(it)`. The one reader of secret
 * paths: the printer masks, saved plans keep digests, the gate collects the values to redact.
 */
export function mapAtPaths(
    value: unknown,
    paths: readonly string[],
    replace: (found: unknown) => unknown,
    at = "",
): unknown {
    if (paths.length === 0) return value;
    if (at && paths.includes(at)) return replace(value);
    if (Array.isArray(value))
        return value.map((v, i) => mapAtPaths(v, paths, replace, `${at}[${i}]`));
    if (value && typeof value === "object") {
        return Object.fromEntries(
            Object.entries(value).map(([k, v]) => [
                k,
                mapAtPaths(v, paths, replace, at ? `${at}.${k}` : k),
            ]),
        );
    }
    return value;
}

/** Unwraps secret markers in deserialized RPC values, collecting the paths that were secret. */
export function unwrapSecrets(value: unknown, at: string, secretPaths: string[]): unknown {
    if (Array.isArray(value))
        return value.map((v, i) => unwrapSecrets(v, `${at}[${i}]`, secretPaths));
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SIG_KEY] === SECRET_SIG) {
            secretPaths.push(at);
            return unwrapSecrets(obj.value, at, []);
        }
        return Object.fromEntries(
            Object.entries(obj).map(([k, v]) => [
                k,
                unwrapSecrets(v, at ? `${at}.${k}` : k, secretPaths),
            ]),
        );
    }
    return value;
}

function deserialize(struct: unknown): { value: Record<string, unknown>; secretPaths: string[] } {
    const secretPaths: string[] = [];
    const raw = struct ? pulumi.runtime.deserializeProperties(struct as never) : {};
    return { value: unwrapSecrets(raw, "", secretPaths) as Record<string, unknown>, secretPaths };
}

/** Strips the `::<id>` suffix of a provider reference, leaving the provider's URN. */
function providerUrn(ref: string): string | undefined {
    if (!ref) return undefined;
    const at = ref.lastIndexOf("::");
    return at > 0 ? ref.slice(0, at) : ref;
}

/** The id and outputs a resource reports back: its inputs plus plausible computed values. */
function mockState(
    args: pulumi.runtime.MockResourceArgs,
    providerInputs: Record<string, unknown>,
): pulumi.runtime.MockResourceResult {
    const [pkg, mod, kind] = args.type.split(":");
    const inputs = args.inputs as Record<string, unknown>;
    const suffix = fakeHex(args.type + args.name, 7);
    const id = `${args.name}-id`;
    const state: Record<string, unknown> = { ...inputs };
    let resourceId = id;
    if (pkg === "aws" || pkg === "gcp") {
        // Autonaming, as Pulumi does it: the logical name (or the prefix) plus a random suffix.
        state.name ??= inputs.namePrefix
            ? `${inputs.namePrefix}${suffix}`
            : `${args.name}-${suffix}`;
    }
    if (pkg === "aws") {
        const region = String(providerInputs.region ?? "us-east-1");
        // The first account the provider allows, as getCallerIdentity answers.
        const allowed = jsonOrValue(providerInputs.allowedAccountIds);
        const account =
            Array.isArray(allowed) && allowed.length
                ? String(allowed[0])
                : MOCK_IDENTITY.awsAccountId;
        const service = (mod ?? "").split("/")[0];
        const arnOf = (resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;
        switch (`${mod}:${kind}`) {
            case "lb/loadBalancer:LoadBalancer": {
                state.arnSuffix = `app/${state.name}/${fakeHex(args.name, 16)}`;
                state.arn = `arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/${state.arnSuffix}`;
                state.dnsName = `${state.name}-${fakeHex(args.name, 10)}.${region}.elb.amazonaws.com`;
                break;
            }
            case "lb/targetGroup:TargetGroup":
                state.arnSuffix = `targetgroup/${state.name}/${fakeHex(args.name, 16)}`;
                state.arn = `arn:aws:elasticloadbalancing:${region}:${account}:${state.arnSuffix}`;
                break;
            case "ec2/launchTemplate:LaunchTemplate":
                state.latestVersion = 1;
                state.defaultVersion = 1;
                break;
            case "kms/key:Key":
                state.keyId = `${fakeHex(args.name, 8)}-0000-4000-8000-${fakeHex(args.name, 12)}`;
                state.arn = arnOf(`key/${state.keyId}`);
                break;
            case "sns/topic:Topic":
                state.arn = `arn:aws:sns:${region}:${account}:${state.name}`;
                break;
            case "wafv2/webAcl:WebAcl":
                state.arn = arnOf(`regional/webacl/${state.name}/${fakeHex(args.name, 36)}`);
                break;
            case "iam/accessKey:AccessKey":
                resourceId = `AKIA${fakeHex(args.name, 16).toUpperCase()}`;
                state.secret = `mock-secret-of-${args.name}`;
                break;
            case "ecr/repository:Repository":
                state.registryId = account;
                state.repositoryUrl = `${account}.dkr.ecr.${region}.amazonaws.com/${state.name}`;
                state.arn = arnOf(`repository/${state.name}`);
                break;
        }
        state.arn ??= arnOf(`${kind.toLowerCase()}/${state.name}`);
    }
    if (pkg === "gcp") {
        const project = String(inputs.project ?? providerInputs.project ?? "mock-project");
        switch (`${mod}:${kind}`) {
            case "container/cluster:Cluster":
                resourceId = `projects/${project}/locations/${inputs.location}/clusters/${state.name}`;
                state.endpoint = `203.0.113.${(parseInt(fakeHex(args.name, 2), 16) % 250) + 1}`;
                state.masterAuth = {
                    clusterCaCertificate: Buffer.from(`mock CA of ${args.name}`).toString("base64"),
                };
                break;
            case "gkehub/membership:Membership":
                resourceId = `projects/${project}/locations/${inputs.location ?? "global"}/memberships/${inputs.membershipId}`;
                break;
            case "gkehub/feature:Feature":
                resourceId = `projects/${project}/locations/${inputs.location}/features/${inputs.name}`;
                state.resourceStates = [{ hasResources: false, state: "ACTIVE" }];
                break;
            case "serviceaccount/account:Account":
                state.email = `${inputs.accountId}@${project}.iam.gserviceaccount.com`;
                state.member = `serviceAccount:${state.email}`;
                break;
            case "serviceaccount/key:Key":
                // A key file as Google returns it: base64 JSON.
                state.privateKey = Buffer.from(
                    JSON.stringify({
                        type: "service_account",
                        private_key: `-----BEGIN PRIVATE KEY-----\nmock key of ${args.name}\n-----END PRIVATE KEY-----\n`,
                        client_email: `mock@${project}.iam.gserviceaccount.com`,
                        token_uri: "https://oauth2.googleapis.com/token",
                    }),
                ).toString("base64");
                break;
            case "kms/keyRing:KeyRing":
                resourceId = `projects/${project}/locations/${inputs.location}/keyRings/${state.name}`;
                break;
            case "kms/cryptoKey:CryptoKey":
                resourceId = `${inputs.keyRing}/cryptoKeys/${state.name}`;
                break;
            case "projects/serviceIdentity:ServiceIdentity": {
                const number = String(parseInt(fakeHex(project, 10), 16)).slice(0, 12);
                const agent = String(inputs.service).split(".")[0];
                state.email = `service-${number}@gcp-sa-${agent}.iam.gserviceaccount.com`;
                state.member = `serviceAccount:${state.email}`;
                break;
            }
            case "artifactregistry/repository:Repository":
                resourceId = `projects/${project}/locations/${inputs.location}/repositories/${inputs.repositoryId}`;
                break;
            case "container/attachedCluster:AttachedCluster":
                state.fleet = {
                    ...(inputs.fleet as Record<string, unknown>),
                    membership: `${(inputs.fleet as { project: string }).project}/locations/global/memberships/${inputs.name}`,
                };
                break;
        }
    }
    if (pkg === "azure-native") {
        const subscription = String(
            providerInputs.subscriptionId ?? MOCK_IDENTITY.azureSubscriptionId,
        );
        const group = `/subscriptions/${subscription}/resourceGroups/${inputs.resourceGroupName}`;
        switch (`${mod}:${kind}`) {
            case "resources:ResourceGroup":
                state.name = inputs.resourceGroupName ?? `${args.name}${suffix}`;
                resourceId = `/subscriptions/${subscription}/resourceGroups/${state.name}`;
                break;
            case "kubernetes:ConnectedCluster":
                state.name = inputs.clusterName;
                resourceId = `${group}/providers/Microsoft.Kubernetes/connectedClusters/${inputs.clusterName}`;
                state.identity = {
                    type: "SystemAssigned",
                    principalId: fakeUuid(resourceId),
                    tenantId: MOCK_IDENTITY.azureTenantId,
                };
                break;
            case "operationalinsights:Workspace":
                state.name = inputs.workspaceName ?? `${args.name}${suffix}`;
                resourceId = `${group}/providers/Microsoft.OperationalInsights/workspaces/${state.name}`;
                state.customerId = fakeUuid(resourceId);
                break;
            case "kubernetesconfiguration:Extension":
            case "kubernetesconfiguration:FluxConfiguration": {
                const child = kind === "Extension" ? "extensions" : "fluxConfigurations";
                const childName = inputs.extensionName ?? inputs.fluxConfigurationName;
                resourceId = `${group}/providers/Microsoft.Kubernetes/connectedClusters/${inputs.clusterName}/providers/Microsoft.KubernetesConfiguration/${child}/${childName}`;
                break;
            }
            case "authorization:PolicyAssignment":
                state.name = inputs.policyAssignmentName ?? `${args.name}${suffix}`;
                resourceId = `${inputs.scope}/providers/Microsoft.Authorization/policyAssignments/${state.name}`;
                if (inputs.identity)
                    state.identity = { type: "SystemAssigned", principalId: fakeUuid(resourceId) };
                break;
            case "monitor:DataCollectionRule":
                state.name = inputs.dataCollectionRuleName ?? `${args.name}${suffix}`;
                resourceId = `${group}/providers/Microsoft.Insights/dataCollectionRules/${state.name}`;
                break;
            case "containerregistry:Registry":
                state.name = inputs.registryName ?? `${args.name}${suffix}`;
                resourceId = `${group}/providers/Microsoft.ContainerRegistry/registries/${state.name}`;
                state.loginServer = `${String(state.name).toLowerCase()}.azurecr.io`;
                break;
            case "dashboard:Grafana":
                state.name = inputs.workspaceName ?? `${args.name}${suffix}`;
                resourceId = `${group}/providers/Microsoft.Dashboard/grafana/${state.name}`;
                state.identity = { type: "SystemAssigned", principalId: fakeUuid(resourceId) };
                state.properties = {
                    ...(inputs.properties as Record<string, unknown>),
                    endpoint: `https://${state.name}-${fakeHex(args.name, 8)}.${inputs.location}.grafana.azure.com`,
                };
                break;
            case "authorization:RoleAssignment":
                state.name =
                    inputs.roleAssignmentName ??
                    fakeUuid(`${inputs.scope}${inputs.roleDefinitionId}${inputs.principalId}`);
                resourceId = `${inputs.scope}/providers/Microsoft.Authorization/roleAssignments/${state.name}`;
                break;
        }
        state.name ??= args.name;
        state.azureApiVersion ??= "mock";
    }
    if (args.type === "grafana:oss/dashboard:Dashboard") {
        const uid = (JSON.parse(String(inputs.configJson ?? "{}")) as { uid?: string }).uid;
        state.uid = uid;
        state.url = `${String(providerInputs.url ?? "https://grafana.invalid")}/d/${uid}`;
    }
    if (args.type === "docker-build:index:Image") {
        // What a push reports: one manifest digest, whatever the number of registries.
        state.digest = `sha256:${fakeHex(args.name + JSON.stringify(inputs.tags ?? []), 64)}`;
        state.ref = `${(inputs.tags as string[] | undefined)?.[0] ?? args.name}@${state.digest}`;
    }
    return { id: resourceId, state };
}

/**
 * `pulumi.runtime.Mocks` that records what the program does. Create one, pass it to
 * `install()`, run the program, then read `resources` and `invokes`.
 */
export class RecordingMocks implements pulumi.runtime.Mocks {
    /** Every registered resource, in registration order. */
    readonly resources: RecordedResource[] = [];
    readonly invokes: RecordedInvoke[] = [];
    /** Invokes that had no answer: each fails the plan, even if the program swallowed the error. */
    readonly failedInvokes: Error[] = [];
    private readonly byUrn = new Map<string, RecordedResource>();
    /** Called on every failure the mocks raise, so a runner can stop waiting for the program. */
    onFailure?: (error: Error) => void;
    /** Called after each registration is recorded, with the number recorded so far. */
    onRecord?: (recorded: number) => void;

    constructor(private readonly answers: InvokeAnswers = INVOKES) {}

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        this.invokes.push({
            token: args.token,
            inputs: args.inputs,
            provider: providerUrn(args.provider ?? ""),
        });
        const answer = this.answers[args.token];
        if (!answer) {
            const error = new Error(
                `the mock engine has no answer for invoke '${args.token}': add one to INVOKES in plan/mocks.ts ` +
                    `so that plans and tests stay deterministic`,
            );
            // The SDK reports a failed invoke with the gRPC error's `details`: give it ours.
            Object.assign(error, { details: error.message });
            this.failedInvokes.push(error);
            this.onFailure?.(error);
            throw error;
        }
        const provider = args.provider
            ? this.byUrn.get(providerUrn(args.provider) ?? "")
            : undefined;
        return answer(args.inputs, { providerInputs: provider?.inputs ?? {} });
    }

    newResource(
        args: pulumi.runtime.MockResourceArgs,
    ): pulumi.runtime.MockResourceResult | Promise<pulumi.runtime.MockResourceResult> {
        const provider = args.provider
            ? this.byUrn.get(providerUrn(args.provider) ?? "")
            : undefined;
        const result = mockState(args, provider?.inputs ?? {});
        if (args.type !== "tls:index/privateKey:PrivateKey") return result;
        return mockKeyPair(Number(args.inputs.rsaBits ?? 2048)).then((pair) => ({
            ...result,
            state: { ...result.state, ...pair },
        }));
    }

    /** Registers these mocks with Pulumi's mock runtime and starts recording. */
    async install(project: string, stack: string, preview: boolean): Promise<void> {
        // A failure shows again where a key is registered.
        mockKeyPair(PREFETCHED_KEY_BITS).catch(() => undefined);
        await pulumi.runtime.setMocks(this, project, stack, preview);
        const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
        const registerResource = monitor.registerResource.bind(monitor);
        const registerResourceOutputs = monitor.registerResourceOutputs.bind(monitor);
        monitor.registerResource = (req, callback) =>
            registerResource(req, (err, resp) => {
                if (!err && resp) this.record(req, resp.getUrn());
                callback(err, resp);
            });
        monitor.registerResourceOutputs = (req, callback) => {
            const found = this.byUrn.get(req.getUrn());
            if (found) {
                const { value, secretPaths } = deserialize(req.getOutputs());
                found.outputs = value;
                found.outputSecretPaths = secretPaths;
            }
            registerResourceOutputs(req, callback);
        };
    }

    private record(req: RegisterRequest, urn: string): void {
        const { value, secretPaths } = deserialize(req.getObject());
        const resource: RecordedResource = {
            urn,
            type: req.getType(),
            name: req.getName(),
            custom: req.getCustom(),
            parent: req.getParent() || undefined,
            provider: providerUrn(req.getProvider()),
            inputs: value,
            secretPaths,
            dependencies: req.getDependenciesList(),
            propertyDependencies: propertyDependenciesOf(req),
            ignoreChanges: req.getIgnorechangesList(),
            aliases: aliasesOf(req),
            replaceOnChanges: req.getReplaceonchangesList(),
            ...(req.getDeletebeforereplacedefined()
                ? { deleteBeforeReplace: req.getDeletebeforereplace() }
                : {}),
            ...(req.getDeletedwith() ? { deletedWith: req.getDeletedwith() } : {}),
            ...(req.getRetainondelete() ? { retainOnDelete: true } : {}),
            ...(req.hasReplacementTrigger()
                ? { replacementTrigger: req.getReplacementTrigger()?.toJavaScript() }
                : {}),
            replaceWith: req.getReplaceWithList(),
        };
        this.resources.push(resource);
        this.byUrn.set(urn, resource);
        this.onRecord?.(this.resources.length);
    }
}

/** The request's property dependencies (input -> the URNs it was computed from), as a record. */
function propertyDependenciesOf(req: RegisterRequest): Record<string, string[]> {
    const found: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps, key) => (found[key] = deps.getUrnsList()));
    return found;
}

/** The request's aliases: specs (the mock monitor supports them) or, from older SDKs, URNs. */
function aliasesOf(req: RegisterRequest): AliasSpec[] {
    const specs: AliasSpec[] = req.getAliasesList().map((a) => {
        const spec = a.getSpec();
        if (!spec) return { urn: a.getUrn() };
        const or = (v: string) => v || undefined;
        return {
            name: or(spec.getName()),
            type: or(spec.getType()),
            stack: or(spec.getStack()),
            project: or(spec.getProject()),
            parentUrn: or(spec.getParenturn()),
            noParent: spec.getNoparent() || undefined,
        };
    });
    return [...specs, ...req.getAliasurnsList().map((urn) => ({ urn }))];
}

// The slice of the generated gRPC request types the recorder reads.
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getCustom(): boolean;
    getParent(): string;
    getProvider(): string;
    getObject(): unknown;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): {
        forEach(callback: (deps: { getUrnsList(): string[] }, key: string) => void): void;
    };
    getIgnorechangesList(): string[];
    getAliasesList(): {
        getUrn(): string;
        getSpec():
            | {
                  getName(): string;
                  getType(): string;
                  getStack(): string;
                  getProject(): string;
                  getParenturn(): string;
                  getNoparent(): boolean;
              }
            | undefined;
    }[];
    getAliasurnsList(): string[];
    getReplaceonchangesList(): string[];
    getDeletebeforereplace(): boolean;
    getDeletebeforereplacedefined(): boolean;
    getDeletedwith(): string;
    getRetainondelete(): boolean | undefined;
    hasReplacementTrigger(): boolean;
    getReplacementTrigger(): { toJavaScript(): unknown } | undefined;
    getReplaceWithList(): string[];
}
interface RegisterOutputsRequest {
    getUrn(): string;
    getOutputs(): unknown;
}
type Callback = (err: unknown, resp?: { getUrn(): string }) => void;
interface MonitorLike {
    registerResource(req: RegisterRequest, callback: Callback): unknown;
    registerResourceOutputs(
        req: RegisterOutputsRequest,
        callback: (err: unknown, resp?: unknown) => void,
    ): unknown;
}
