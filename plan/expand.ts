/**
 * What the engine analyzes that the program does not register itself, for the policy gate.
 *
 * - **`kubernetes:yaml/v2:ConfigGroup` and `ConfigFile`** are components the Kubernetes provider
 *   constructs (remote components): in a real preview the provider parses their `yaml`, `objs`
 *   and `files` and registers one typed resource per object, which the engine analyzes like any
 *   other resource. Under the mock runtime only the component is recorded, with its inputs;
 *   `expandConfigGroups` registers the children as the provider would
 *   (pulumi-kubernetes provider/pkg/provider/yaml/v2/configgroup.go and yaml.go): type
 *   `kubernetes:<group>/<version>:<Kind>` (the core group as `core/v1`), name
 *   `<resourcePrefix>:<namespace>/<name>` (`<resourcePrefix>:<name>` without a namespace; the
 *   prefix defaults to the component's name), the object's fields as inputs, the component as
 *   parent, its provider. A component whose inputs are not known yet (computed from resources
 *   not created yet) has no children in a real preview either: the provider warns that the
 *   preview is incomplete, and so does the gate.
 * - **`kubernetes:helm.sh/v3:Release`**: the engine analyzes the inputs the provider's Check
 *   returns, not the program's (provider/pkg/provider/helm_release.go `Check`), and in
 *   AnalyzeStack the preview outputs of Create. `checkedRelease` and `previewReleaseOutputs`
 *   give them. The objects a Release renders are never registered: the engine does not see them,
 *   and neither does the gate.
 */
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import type { RecordedResource } from "./mocks";

export const CONFIG_GROUP_TYPE = "kubernetes:yaml/v2:ConfigGroup";
export const CONFIG_FILE_TYPE = "kubernetes:yaml/v2:ConfigFile";
export const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

/** How the mocks record a value not known during preview (the SDK's `unknown`, unwrapped). */
export function isUnknown(value: unknown): boolean {
    return (
        typeof value === "object" &&
        value !== null &&
        (value as Record<string, unknown>).__pulumiUnknown === true
    );
}

/** Whether `value` is, or holds, a value not known during preview. */
export function containsUnknown(value: unknown): boolean {
    if (isUnknown(value)) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (typeof value === "object" && value !== null)
        return Object.values(value).some(containsUnknown);
    return false;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes kinds, as the provider knows them.

/**
 * Core (`v1`) kinds the SDK has a type for (sdk/go/kubernetes/yaml/v2/kinds.go
 * `RegisterResource`): `kubernetes:core/v1:<Kind>`. Any other `v1` kind falls to the generic
 * branch, `kubernetes:v1:<Kind>`, as does every kind of a group the SDK does not know (custom
 * resources): `kubernetes:<apiVersion>:<Kind>`.
 */
const CORE_V1_KINDS = new Set([
    "Binding",
    "ConfigMap",
    "Endpoints",
    "Event",
    "LimitRange",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Pod",
    "PodTemplate",
    "ReplicationController",
    "ResourceQuota",
    "Secret",
    "Service",
    "ServiceAccount",
]);

/** The type token the provider registers an object of `apiVersion` and `kind` under. */
export function typeToken(apiVersion: string, kind: string): string {
    if (!apiVersion.includes("/")) {
        return CORE_V1_KINDS.has(kind) && apiVersion === "v1"
            ? `kubernetes:core/v1:${kind}`
            : `kubernetes:${apiVersion}:${kind}`;
    }
    return `kubernetes:${apiVersion}:${kind}`;
}

/** Built-in group versions (provider/pkg/kinds/kinds.go `KnownGroupVersions`). */
const KNOWN_GROUP_VERSIONS = new Set([
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
    "apiextensions.k8s.io/v1beta1",
    "apiregistration.k8s.io/v1",
    "apiregistration.k8s.io/v1beta1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "auditregistration.k8s.io/v1alpha1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "batch/v2alpha1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1alpha1",
    "certificates.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "coordination.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "core/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1alpha1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "meta/v1",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1alpha1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1alpha1",
    "rbac.authorization.k8s.io/v1beta1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1alpha1",
    "resource.k8s.io/v1alpha2",
    "resource.k8s.io/v1alpha3",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1beta2",
    "scheduling.k8s.io/v1",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1alpha2",
    "scheduling.k8s.io/v1beta1",
    "settings.k8s.io/v1alpha1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storage.k8s.io/v1beta1",
    "storagemigration.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "v1",
]);

/** Namespaced built-in kinds (provider/pkg/kinds/kinds.go `Namespaced`). */
const NAMESPACED_KINDS = new Set([
    "Binding",
    "ConfigMap",
    "ControllerRevision",
    "CronJob",
    "CSIStorageCapacity",
    "DaemonSet",
    "Deployment",
    "Endpoints",
    "EndpointSlice",
    "Event",
    "HorizontalPodAutoscaler",
    "Ingress",
    "Job",
    "Lease",
    "LimitRange",
    "NetworkPolicy",
    "PersistentVolumeClaim",
    "Pod",
    "PodDisruptionBudget",
    "PodTemplate",
    "ReplicaSet",
    "ReplicationController",
    "ResourceQuota",
    "Role",
    "RoleBinding",
    "Secret",
    "Service",
    "ServiceAccount",
    "StatefulSet",
]);
/** Cluster-scoped built-in kinds (the same switch). */
const CLUSTER_KINDS = new Set([
    "APIService",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "CSIDriver",
    "CSINode",
    "CustomResourceDefinition",
    "FlowSchema",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PodSecurityPolicy",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "RuntimeClass",
    "StorageClass",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
]);

type K8sObject = Record<string, unknown> & {
    apiVersion?: unknown;
    kind?: unknown;
    metadata?: Record<string, unknown>;
};

const groupOf = (apiVersion: string) =>
    apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "";

/**
 * Whether objects of this kind live in a namespace: the built-in table, else a
 * CustomResourceDefinition among the objects (`spec.scope`), else not known offline (a real
 * preview asks the cluster's discovery API).
 */
function namespaced(obj: K8sObject, all: readonly K8sObject[]): boolean | undefined {
    const apiVersion = String(obj.apiVersion);
    const kind = String(obj.kind).replace(/Patch$/, "");
    if (KNOWN_GROUP_VERSIONS.has(apiVersion)) {
        const base = kind.replace(/List$/, "");
        if (NAMESPACED_KINDS.has(base)) return true;
        if (CLUSTER_KINDS.has(base)) return false;
    }
    const crd = all.find(
        (o) =>
            o.kind === "CustomResourceDefinition" &&
            String(o.apiVersion).startsWith("apiextensions.k8s.io/") &&
            read(o, "spec.group") === groupOf(apiVersion) &&
            read(o, "spec.names.kind") === kind,
    );
    if (crd) return read(crd, "spec.scope") === "Namespaced";
    return undefined;
}

function read(value: unknown, dotted: string): unknown {
    let node = value;
    for (const step of dotted.split(".")) {
        if (typeof node !== "object" || node === null) return undefined;
        node = (node as Record<string, unknown>)[step];
    }
    return node;
}

// ---------------------------------------------------------------------------------------------
// ConfigGroup and ConfigFile (v2).

export interface Expansion {
    /** The plan's resources, each ConfigGroup or ConfigFile followed by the objects it registers. */
    readonly resources: RecordedResource[];
    /** The typed children added. */
    readonly expanded: number;
    /** What the gate could not see, or what a real preview would report about the groups. */
    readonly notes: string[];
}

export interface ExpandOptions {
    /** Where the provider resolves relative `files` (the program's folder, its working directory). */
    readonly projectDir: string;
}

/**
 * The plan's resources with the typed children each `kubernetes:yaml/v2:ConfigGroup` and
 * `ConfigFile` registers in a real preview, right after the component.
 */
export function expandConfigGroups(
    resources: readonly RecordedResource[],
    options: ExpandOptions,
): Expansion {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const out: RecordedResource[] = [];
    const notes: string[] = [];
    let expanded = 0;
    for (const r of resources) {
        out.push(r);
        if (r.type !== CONFIG_GROUP_TYPE && r.type !== CONFIG_FILE_TYPE) continue;
        const provider = r.provider ? byUrn.get(r.provider) : undefined;
        const result = expandConfigGroup(r, provider, options);
        out.push(...result.children);
        notes.push(...result.notes);
        expanded += result.children.length;
    }
    return { resources: out, expanded, notes };
}

/** The typed resources one ConfigGroup or ConfigFile (v2) registers, as the provider does. */
export function expandConfigGroup(
    group: RecordedResource,
    provider: RecordedResource | undefined,
    options: ExpandOptions,
): { children: RecordedResource[]; notes: string[] } {
    const what = `${group.type} ${group.name}`;
    const inputs = group.inputs;
    const notes: string[] = [];
    const keys =
        group.type === CONFIG_FILE_TYPE
            ? ["file", "resourcePrefix", "skipAwait"]
            : ["files", "yaml", "objs", "resourcePrefix", "skipAwait"];
    if (keys.some((k) => containsUnknown(inputs[k]))) {
        // configgroup.go: the objects are registered in an apply of the inputs, which does not
        // run while any is unknown; the provider warns and registers no child.
        return {
            children: [],
            notes: [
                `${what}: its inputs are not known during preview (computed from resources not created yet), so in a real preview the provider registers none of its objects ("Required input properties have unknown values. Preview is incomplete."); they are analyzed once known, and neither the engine nor the gate checks them now.`,
            ],
        };
    }
    // configgroup.go: without a resourcePrefix input, the component's name; "" means none.
    const prefix = typeof inputs.resourcePrefix === "string" ? inputs.resourcePrefix : group.name;
    const skipAwait = inputs.skipAwait === true;

    // Where each object came from, so that secret inputs stay secret in the children.
    const objects: { obj: K8sObject; secretPaths: string[]; from: string }[] = [];
    const files =
        group.type === CONFIG_FILE_TYPE
            ? typeof inputs.file === "string"
                ? [inputs.file]
                : []
            : Array.isArray(inputs.files)
              ? inputs.files.filter((f): f is string => typeof f === "string")
              : typeof inputs.files === "string"
                ? [inputs.files]
                : [];
    const secretInputs = group.secretPaths;
    const secretSource = (key: string) =>
        secretInputs.some((p) => p === key || p.startsWith(`${key}[`) || p.startsWith(`${key}.`));
    for (const file of files) {
        const text = readManifest(file, options.projectDir, group.type === CONFIG_FILE_TYPE);
        if (typeof text !== "string") {
            notes.push(`${what}: ${text.why}`);
            continue;
        }
        const docs = decode(text, `file ${file}`);
        if (!Array.isArray(docs)) {
            notes.push(`${what}: ${docs.why}`);
            continue;
        }
        for (const obj of docs)
            objects.push({ obj, secretPaths: secretSource("files") ? ["*"] : [], from: file });
    }
    if (typeof inputs.yaml === "string") {
        const docs = decode(inputs.yaml, "its yaml");
        if (!Array.isArray(docs)) notes.push(`${what}: ${docs.why}`);
        else
            for (const obj of docs)
                objects.push({ obj, secretPaths: secretSource("yaml") ? ["*"] : [], from: "yaml" });
    }
    if (Array.isArray(inputs.objs)) {
        inputs.objs.forEach((obj, i) => {
            if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return;
            // A secret the program put inside an object stays secret at the same place.
            const at = `objs[${i}]`;
            const paths = secretInputs
                .filter((p) => p === at || p.startsWith(`${at}.`) || p.startsWith(`${at}[`))
                .map((p) => (p === at ? "*" : p.slice(at.length).replace(/^\./, "")));
            objects.push({ obj: structuredClone(obj) as K8sObject, secretPaths: paths, from: at });
        });
    }

    // yaml.go Normalize: lists become their items; every object needs a kind, an apiVersion and
    // a name; namespaced kinds without a namespace get the provider's default namespace.
    const flat: typeof objects = [];
    const queue = [...objects];
    while (queue.length) {
        const next = queue.shift()!;
        const items = (next.obj as Record<string, unknown>).items;
        if (Array.isArray(items)) {
            queue.unshift(
                ...items
                    .filter((o): o is K8sObject => typeof o === "object" && o !== null)
                    .map((obj) => ({ obj, secretPaths: next.secretPaths, from: next.from })),
            );
            continue;
        }
        flat.push(next);
    }
    const defaultNamespace = providerNamespace(provider);
    const unresolved = new Set<string>();
    const valid: typeof flat = [];
    for (const entry of flat) {
        const { obj } = entry;
        const name = read(obj, "metadata.name");
        if (typeof obj.kind !== "string" || !obj.kind || typeof obj.apiVersion !== "string") {
            notes.push(
                `${what}: an object of ${entry.from} has no kind or apiVersion; a real preview fails ("Kubernetes resources require a kind and apiVersion").`,
            );
            continue;
        }
        if (typeof name !== "string" || !name) {
            notes.push(
                `${what}: a ${obj.kind} of ${entry.from} has no metadata.name; a real preview fails ("Kubernetes resources require a .metadata.name").`,
            );
            continue;
        }
        if (obj.apiVersion.startsWith("core/")) obj.apiVersion = obj.apiVersion.slice(5);
        const ns = read(obj, "metadata.namespace");
        if (typeof ns !== "string" || ns === "") {
            const scoped = namespaced(
                obj,
                flat.map((f) => f.obj),
            );
            if (scoped === true) obj.metadata = { ...obj.metadata, namespace: defaultNamespace };
            if (scoped === undefined) unresolved.add(`${obj.apiVersion}/${obj.kind}`);
        }
        valid.push(entry);
    }
    if (unresolved.size) {
        notes.push(
            `${what}: whether ${[...unresolved].join(", ")} objects are namespaced is not known offline (no CustomResourceDefinition among the objects); a real preview asks the cluster, and may name them <namespace>/<name> in the default namespace.`,
        );
    }

    // yaml.go Register: CRDs and namespaces before what they hold (the cli-utils dependency
    // sort), each object depending on those it needs.
    const rank = (o: K8sObject) =>
        o.kind === "CustomResourceDefinition" ? 0 : o.kind === "Namespace" ? 1 : 2;
    const ordered = valid
        .map((entry, i) => ({ ...entry, i }))
        .sort((a, b) => rank(a.obj) - rank(b.obj) || a.i - b.i);
    const urnOf = childUrn(group);
    const registered = new Map<K8sObject, string>();
    const children: RecordedResource[] = [];
    const serverSideApply = !/^false$/i.test(String(provider?.inputs.enableServerSideApply ?? ""));
    for (const { obj, secretPaths } of ordered) {
        const meta = obj.metadata as Record<string, unknown>;
        const ns = typeof meta.namespace === "string" && meta.namespace ? meta.namespace : "";
        const base = ns ? `${ns}/${String(meta.name)}` : String(meta.name);
        const name = prefix ? `${prefix}:${base}` : base;
        const type = typeToken(String(obj.apiVersion), String(obj.kind));
        const inputs = structuredClone(obj) as Record<string, unknown>;
        const inputMeta = inputs.metadata as Record<string, unknown>;
        if (skipAwait) {
            inputMeta.annotations = {
                ...((inputMeta.annotations as object | null) ?? {}),
                "pulumi.com/skipAwait": "true",
            };
        }
        // The provider's Check: with client-side apply, the managed-by label.
        if (!serverSideApply) {
            inputMeta.labels = {
                ...((inputMeta.labels as object | null) ?? {}),
                "app.kubernetes.io/managed-by": "pulumi",
            };
        }
        const secrets = new Set<string>();
        for (const p of secretPaths) {
            if (p === "*") Object.keys(inputs).forEach((k) => secrets.add(k));
            else secrets.add(p);
        }
        // yaml.go register: a Secret's data and stringData are always secret.
        if (obj.apiVersion === "v1" && obj.kind === "Secret") {
            for (const key of ["data", "stringData"]) if (key in inputs) secrets.add(key);
        }
        const dependsOn = ordered
            .filter(({ obj: other }) => other !== obj && registered.has(other))
            .filter(
                ({ obj: other }) =>
                    (other.kind === "Namespace" && read(other, "metadata.name") === ns && ns) ||
                    (other.kind === "CustomResourceDefinition" &&
                        read(other, "spec.group") === groupOf(String(obj.apiVersion)) &&
                        read(other, "spec.names.kind") === obj.kind),
            )
            .map(({ obj: other }) => registered.get(other)!);
        const urn = urnOf(type, name);
        registered.set(obj, urn);
        children.push({
            urn,
            type,
            name,
            custom: true,
            parent: group.urn,
            provider: group.provider,
            inputs,
            secretPaths: [...secrets].filter((p) => !p.includes("*")),
            dependencies: dependsOn,
            propertyDependencies: Object.fromEntries(Object.keys(inputs).map((k) => [k, []])),
            ignoreChanges: [],
            aliases: [],
            replaceOnChanges: [],
            replaceWith: [],
        });
    }
    return { children, notes };
}

/**
 * A child's URN as the plan writes URNs: the mock runtime qualifies a type by its parent's own
 * type (`<parent type>$<type>`); the engine by the parent's whole chain.
 */
function childUrn(parent: RecordedResource): (type: string, name: string) => string {
    const [stackProject, qualified] = [
        parent.urn.split("::").slice(0, 2).join("::"),
        parent.urn.split("::")[2],
    ];
    const parentType = qualified.split("$").pop();
    return (type, name) => `${stackProject}::${parentType}$${type}::${name}`;
}

/**
 * The provider's default namespace: its `namespace` input, else the namespace of the
 * kubeconfig's current context, else `default` (client-go).
 */
export function providerNamespace(provider: RecordedResource | undefined): string {
    const configured = provider?.inputs.namespace;
    if (typeof configured === "string" && configured) return configured;
    const kubeconfig = provider?.inputs.kubeconfig;
    if (typeof kubeconfig === "string") {
        try {
            const doc = parseAllDocuments(kubeconfig)[0]?.toJS() as
                | {
                      "current-context"?: string;
                      contexts?: { name?: string; context?: { namespace?: string } }[];
                  }
                | undefined;
            const current = doc?.contexts?.find((c) => c.name === doc["current-context"]);
            if (typeof current?.context?.namespace === "string" && current.context.namespace)
                return current.context.namespace;
        } catch {
            // Not YAML (a path, or a placeholder): client-go's default.
        }
    }
    return "default";
}

/** A manifest file as the provider reads it, relative to the program's folder. */
function readManifest(
    file: string,
    projectDir: string,
    configFile: boolean,
): string | { why: string } {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) {
        return {
            why: `its file ${file} is fetched over the network by a real preview; the offline gate does not fetch it, and does not check its objects.`,
        };
    }
    if (!configFile && /(?:^|[^\\])[*?[]/.test(file)) {
        return {
            why: `its files pattern ${file} is expanded by a real preview; the offline gate does not expand globs, and does not check those objects.`,
        };
    }
    const full = path.resolve(projectDir, file);
    try {
        return fs.readFileSync(full, "utf8");
    } catch (e) {
        return {
            why: `its file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); a real preview fails reading it.`,
        };
    }
}

/** The objects of a multi-document YAML (or JSON) text; empty documents skipped. */
function decode(text: string, what: string): K8sObject[] | { why: string } {
    const docs = parseAllDocuments(text);
    const out: K8sObject[] = [];
    for (const doc of docs) {
        if (doc.errors.length) {
            return {
                why: `${what} is not valid YAML (${doc.errors[0].message.split("\n")[0]}); a real preview fails decoding it.`,
            };
        }
        const value = doc.toJS() as unknown;
        if (value === null || value === undefined) continue;
        if (typeof value !== "object" || Array.isArray(value)) {
            return {
                why: `${what} holds a document that is not an object; a real preview fails decoding it.`,
            };
        }
        if (Object.keys(value).length === 0) continue;
        out.push(value as K8sObject);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// helm.sh/v3 Release.

/**
 * The Release fields the provider's Check returns (helm_release.go `Release`), every one present
 * (the Go mapper keeps zero values; only nil maps and pointers are left out): inputs the struct
 * does not name (`compat`, `valueYamlFiles`, `resourceNames`) are dropped.
 */
const RELEASE_FIELDS: Readonly<Record<string, unknown>> = {
    allowNullValues: false,
    atomic: false,
    chart: "",
    cleanupOnFail: false,
    createNamespace: false,
    dependencyUpdate: false,
    description: "",
    devel: false,
    disableCRDHooks: false,
    disableOpenapiValidation: false,
    disableWebhooks: false,
    forceUpdate: false,
    keyring: "",
    lint: false,
    maxHistory: undefined,
    name: "",
    namespace: "",
    postrender: "",
    recreatePods: false,
    renderSubchartNotes: false,
    replace: false,
    repositoryOpts: undefined,
    resetValues: false,
    reuseValues: false,
    values: undefined,
    skipCrds: false,
    timeout: 0,
    verify: false,
    version: "",
    skipAwait: false,
    waitForJobs: false,
};
const REPOSITORY_FIELDS = ["repo", "caFile", "certFile", "keyFile", "password", "username"];

/** Helm's MergeMaps: `b` over `a`, maps merged deeply. */
function mergeMaps(
    a: Record<string, unknown>,
    b: Record<string, unknown>,
): Record<string, unknown> {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) {
        const prev = out[k];
        out[k] = isPlainObject(v) && isPlainObject(prev) ? mergeMaps(prev, v) : structuredClone(v);
    }
    return out;
}
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v) && !isUnknown(v);

export interface CheckedRelease {
    /** What the engine sends to Analyze: Check's inputs. */
    readonly inputs: Record<string, unknown>;
    /** Paths of `inputs` that are secret (the program's secret paths, as annotateSecrets keeps them). */
    readonly secretPaths: string[];
    readonly notes: string[];
}

/**
 * A Release's inputs after the provider's Check (helm_release.go `Check`, `decodeRelease`,
 * `setDefaults`): values from `valueYamlFiles` merged under `values`; `namespace` defaulted to
 * the provider's; `timeout` 300 unless set or `skipAwait`; every field of the Release struct;
 * values not known yet stay unknown where they were (annotateComputed), a `values` wholly
 * unknown is left out (decodeRelease strips it); secrets stay where the program put them
 * (annotateSecrets).
 */
export function checkedRelease(
    release: RecordedResource,
    provider: RecordedResource | undefined,
    options: ExpandOptions,
): CheckedRelease {
    const inputs = release.inputs;
    const notes: string[] = [];
    const out: Record<string, unknown> = {};
    for (const [key, zero] of Object.entries(RELEASE_FIELDS)) {
        const v = inputs[key];
        out[key] = v === undefined || v === null ? zero : structuredClone(v);
    }
    if (isPlainObject(out.repositoryOpts)) {
        const opts = out.repositoryOpts;
        for (const k of REPOSITORY_FIELDS) opts[k] ??= "";
    }
    // Values from files first, `values` over them.
    let fromFiles: Record<string, unknown> = {};
    const files = Array.isArray(inputs.valueYamlFiles) ? inputs.valueYamlFiles : [];
    for (const asset of files) {
        const text = assetText(asset, options.projectDir);
        if (typeof text !== "string") {
            notes.push(`${release.type} ${release.name}: ${text.why}`);
            continue;
        }
        const doc = parseAllDocuments(text)[0]?.toJS() as unknown;
        if (isPlainObject(doc)) fromFiles = mergeMaps(fromFiles, doc);
    }
    if (isUnknown(inputs.values)) {
        out.values = Object.keys(fromFiles).length ? fromFiles : undefined;
    } else if (isPlainObject(inputs.values) || Object.keys(fromFiles).length) {
        out.values = mergeMaps(fromFiles, isPlainObject(inputs.values) ? inputs.values : {});
    }
    if (out.namespace === "") out.namespace = providerNamespace(provider);
    if (out.skipAwait !== true && inputs.timeout === undefined) out.timeout = 300;
    if (out.verify === true && out.keyring === "") out.keyring = "$HOME/.gnupg/pubring.gpg";
    for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
    // annotateSecrets marks the innermost value of the output whose input holds a secret,
    // going down objects only: a secret inside an array makes the whole array secret.
    const secretPaths = release.secretPaths
        .map((p) => p.replace(/\[\d+\].*$/, ""))
        .filter((p) => hasPath(out, p));
    return { inputs: out, secretPaths: [...new Set(secretPaths)], notes };
}

/**
 * What a preview's Create of the Release reports, which AnalyzeStack receives (helm_release.go
 * `checkpointRelease`): the checked inputs, `__inputs` (the same, as one secret), and
 * `resourceNames` and `status` not known until the release is installed.
 */
export function previewReleaseOutputs(checked: CheckedRelease): {
    outputs: Record<string, unknown>;
    secretPaths: string[];
} {
    return {
        outputs: {
            ...structuredClone(checked.inputs),
            __inputs: structuredClone(checked.inputs),
            resourceNames: { __pulumiUnknown: true },
            status: { __pulumiUnknown: true },
        },
        secretPaths: [...checked.secretPaths, "__inputs"],
    };
}

function hasPath(root: unknown, dotted: string): boolean {
    let node = root;
    for (const step of dotted.split(".")) {
        if (typeof node !== "object" || node === null || !(step in node)) return false;
        node = (node as Record<string, unknown>)[step];
    }
    return true;
}

/** The text of a `valueYamlFiles` asset as the mocks record it: a string or a file asset. */
function assetText(asset: unknown, projectDir: string): string | { why: string } {
    const a = (asset ?? {}) as Record<string, unknown>;
    if (typeof a.text === "string") return a.text;
    if (typeof a.path === "string") {
        try {
            return fs.readFileSync(path.resolve(projectDir, a.path), "utf8");
        } catch (e) {
            return {
                why: `its values file ${a.path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); a real preview fails reading it.`,
            };
        }
    }
    return {
        why: "a valueYamlFiles entry is neither a string nor a file asset the gate can read; its values are not merged.",
    };
}
