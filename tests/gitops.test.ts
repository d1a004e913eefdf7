/**
 * Checks the GitOps content that Config Sync (GKE) and Flux (Azure Arc) apply to every cluster:
 * every `*.yaml`/`*.yml` under `gitops/` is parsed, and every document is checked against the
 * table of known kinds and the fleet's rules (scoping, RBAC least privilege, default-deny
 * networking, restricted Pod Security, quotas).
 *
 * Each check is a function from parsed documents to a list of problems, so the same checks run
 * on the repository (expecting no problems) and on inline bad manifests (expecting each one).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

const REPO_DIR = path.resolve(__dirname, "..");
const GITOPS_DIR = path.resolve(__dirname, "..", "gitops");

/** One YAML document of a manifest file. */
interface Manifest {
    /** The file, relative to the repository root. */
    file: string;
    /** 1-based position of the document in its file. */
    index: number;
    value: unknown;
}

type Obj = Record<string, unknown>;
type FieldType = "object" | "array" | "string";

interface KindRule {
    namespaced: boolean;
    /** `label`: DNS-1123 label (max 63); `subdomain`: DNS-1123 subdomain (max 253). */
    name: "label" | "subdomain";
    /** Dotted paths that must be present, with their type. */
    required: Record<string, FieldType>;
}

/** Every kind allowed in gitops/, keyed by `apiVersion/kind`. Anything else fails the test. */
const KINDS: Record<string, KindRule> = {
    "v1/Namespace": { namespaced: false, name: "label", required: {} },
    "rbac.authorization.k8s.io/v1/ClusterRole": {
        namespaced: false,
        name: "subdomain",
        required: { rules: "array" },
    },
    "rbac.authorization.k8s.io/v1/Role": {
        namespaced: true,
        name: "subdomain",
        required: { rules: "array" },
    },
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding": {
        namespaced: false,
        name: "subdomain",
        required: { roleRef: "object", subjects: "array" },
    },
    "rbac.authorization.k8s.io/v1/RoleBinding": {
        namespaced: true,
        name: "subdomain",
        required: { roleRef: "object", subjects: "array" },
    },
    "networking.k8s.io/v1/NetworkPolicy": {
        namespaced: true,
        name: "subdomain",
        required: { "spec.podSelector": "object" },
    },
    "v1/ResourceQuota": {
        namespaced: true,
        name: "subdomain",
        required: { "spec.hard": "object" },
    },
    "v1/LimitRange": { namespaced: true, name: "subdomain", required: { "spec.limits": "array" } },
    // The app (gitops/workload/, rendered by `npm run gitops`).
    "v1/ServiceAccount": { namespaced: true, name: "subdomain", required: {} },
    "v1/Service": { namespaced: true, name: "label", required: { "spec.ports": "array" } },
    "apps/v1/Deployment": {
        namespaced: true,
        name: "subdomain",
        required: { "spec.selector": "object", "spec.template.spec.containers": "array" },
    },
    "autoscaling/v2/HorizontalPodAutoscaler": {
        namespaced: true,
        name: "subdomain",
        required: { "spec.scaleTargetRef": "object", "spec.metrics": "array" },
    },
    "policy/v1/PodDisruptionBudget": {
        namespaced: true,
        name: "subdomain",
        required: { "spec.selector": "object" },
    },
    "networking.k8s.io/v1/Ingress": {
        namespaced: true,
        name: "subdomain",
        required: { "spec.rules": "array", "spec.tls": "array" },
    },
};

/** Namespaces every cluster has, which gitops/ may use without declaring them. */
const SYSTEM_NAMESPACES = new Set(["default", "kube-system", "kube-public", "kube-node-lease"]);

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const RBAC_GROUP = "rbac.authorization.k8s.io";
const WRITE_VERBS = new Set(["create", "update", "patch", "delete", "deletecollection"]);
const ESCALATION_VERBS = new Set(["bind", "escalate", "impersonate"]);
const FORBIDDEN_ROLES = new Set(["cluster-admin", "admin", "edit"]);
const EVERYONE_GROUPS = new Set([
    "system:authenticated",
    "system:unauthenticated",
    "system:anonymous",
]);

// ---------------------------------------------------------------------------------------------
// Helpers

function isObj(value: unknown): value is Obj {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function get(value: unknown, dotted: string): unknown {
    let current = value;
    for (const key of dotted.split(".")) {
        if (!isObj(current)) return undefined;
        current = current[key];
    }
    return current;
}

function str(value: unknown, dotted: string): string | undefined {
    const found = get(value, dotted);
    return typeof found === "string" ? found : undefined;
}

function strings(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function typeOf(value: unknown): FieldType | "missing" | "other" {
    if (value === undefined || value === null) return "missing";
    if (Array.isArray(value)) return "array";
    if (isObj(value)) return "object";
    return typeof value === "string" ? "string" : "other";
}

function kindKey(m: Manifest): string {
    return `${str(m.value, "apiVersion")}/${str(m.value, "kind")}`;
}

function kindOf(m: Manifest): string | undefined {
    return str(m.value, "kind");
}

function namespaceOf(m: Manifest): string | undefined {
    return str(m.value, "metadata.namespace");
}

function nameOf(m: Manifest): string | undefined {
    return str(m.value, "metadata.name");
}

/** Names a document in messages: `gitops/cluster/rbac.yaml#2 (Role app/app-deployer)`. */
function where(m: Manifest): string {
    const kind = kindOf(m) ?? "<no kind>";
    const ns = namespaceOf(m);
    const name = nameOf(m) ?? "<no name>";
    return `${m.file}#${m.index} (${kind} ${ns ? `${ns}/` : ""}${name})`;
}

/** Namespaces declared by Namespace documents. */
function declaredNamespaces(docs: Manifest[]): string[] {
    return docs
        .filter((m) => kindKey(m) === "v1/Namespace")
        .map(nameOf)
        .filter((n): n is string => n !== undefined);
}

// ---------------------------------------------------------------------------------------------
// Loading

/** Parses one file's text into its documents; YAML errors and warnings are problems. */
function parseManifests(file: string, text: string): { docs: Manifest[]; problems: string[] } {
    const docs: Manifest[] = [];
    const problems: string[] = [];
    YAML.parseAllDocuments(text).forEach((doc, i) => {
        const index = i + 1;
        const issues = [...doc.errors, ...doc.warnings];
        for (const issue of issues) problems.push(`${file}#${index}: YAML: ${issue.message}`);
        if (issues.length > 0) return;
        if (doc.contents === null) {
            problems.push(`${file}#${index}: empty document (remove the stray "---")`);
            return;
        }
        docs.push({ file, index, value: doc.toJS() as unknown });
    });
    return { docs, problems };
}

/** Every `*.yaml`/`*.yml` file under `dir`, recursively, sorted. */
function manifestFiles(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
        .map((e) => path.join(e.parentPath, e.name))
        .sort();
}

function loadGitops(): { files: string[]; docs: Manifest[]; problems: string[] } {
    const files = manifestFiles(GITOPS_DIR);
    const docs: Manifest[] = [];
    const problems: string[] = [];
    for (const file of files) {
        const parsed = parseManifests(
            path.relative(REPO_DIR, file).split(path.sep).join("/"),
            fs.readFileSync(file, "utf8"),
        );
        docs.push(...parsed.docs);
        problems.push(...parsed.problems);
    }
    return { files, docs, problems };
}

// ---------------------------------------------------------------------------------------------
// Checks: each takes parsed documents and returns the problems found (none means it passes).

/** apiVersion, kind and name are present and valid; the kind is known and has its fields. */
function checkShape(docs: Manifest[]): string[] {
    const problems: string[] = [];
    for (const m of docs) {
        const at = where(m);
        if (!isObj(m.value)) {
            problems.push(`${at}: document is not a mapping`);
            continue;
        }
        const apiVersion = m.value.apiVersion;
        const kind = m.value.kind;
        if (typeof apiVersion !== "string" || apiVersion === "") {
            problems.push(`${at}: apiVersion is missing or not a string`);
        }
        if (typeof kind !== "string" || kind === "") {
            problems.push(`${at}: kind is missing or not a string`);
        }
        if (!isObj(m.value.metadata)) {
            problems.push(`${at}: metadata is missing or not a mapping`);
        }
        const name = nameOf(m);
        if (name === undefined) problems.push(`${at}: metadata.name is missing or not a string`);
        if (typeof apiVersion !== "string" || typeof kind !== "string") continue;

        const rule = KINDS[`${apiVersion}/${kind}`];
        if (!rule) {
            problems.push(
                `${at}: unknown kind "${apiVersion}/${kind}": add it to the KINDS table in ` +
                    `tests/gitops.test.ts (scope, name rule, required fields) so it is checked`,
            );
            continue;
        }
        if (name !== undefined) {
            const [pattern, max, rules] =
                rule.name === "label"
                    ? [DNS1123_LABEL, 63, "a DNS-1123 label"]
                    : [DNS1123_SUBDOMAIN, 253, "a DNS-1123 subdomain"];
            if (!pattern.test(name) || name.length > max) {
                problems.push(
                    `${at}: metadata.name "${name}" is not ${rules} ` +
                        `(lowercase letters, digits, "-", at most ${max} characters)`,
                );
            }
        }
        for (const [field, type] of Object.entries(rule.required)) {
            const found = typeOf(get(m.value, field));
            if (found !== type) {
                problems.push(`${at}: ${field} must be ${type === "string" ? "a" : "an"} ${type}`);
            }
        }
    }
    return problems;
}

/** Namespaced kinds name a declared (or system) namespace; cluster-scoped kinds name none. */
function checkScope(docs: Manifest[]): string[] {
    const problems: string[] = [];
    const declared = new Set(declaredNamespaces(docs));
    for (const m of docs) {
        const rule = KINDS[kindKey(m)];
        if (!rule) continue; // reported by checkShape
        const ns = get(m.value, "metadata.namespace");
        if (!rule.namespaced) {
            if (ns !== undefined) {
                problems.push(`${where(m)}: cluster-scoped kind must not set metadata.namespace`);
            }
        } else if (typeof ns !== "string" || ns === "") {
            problems.push(`${where(m)}: namespaced kind must set metadata.namespace`);
        } else if (!declared.has(ns) && !SYSTEM_NAMESPACES.has(ns)) {
            problems.push(
                `${where(m)}: namespace "${ns}" is not declared by a Namespace in gitops/ ` +
                    `(declared: ${[...declared].join(", ") || "none"})`,
            );
        }
    }
    return problems;
}

/** No two documents describe the same object (API group, kind, namespace, name). */
function checkUnique(docs: Manifest[]): string[] {
    const problems: string[] = [];
    const seen = new Map<string, Manifest>();
    for (const m of docs) {
        const apiVersion = str(m.value, "apiVersion");
        const kind = kindOf(m);
        const name = nameOf(m);
        if (!apiVersion || !kind || !name) continue; // reported by checkShape
        // apps/v1 and apps/v1beta1 name the same object: compare the API group, not the version.
        const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
        const key = `${group}/${kind}/${namespaceOf(m) ?? ""}/${name}`;
        const first = seen.get(key);
        if (first) {
            problems.push(`${where(m)}: duplicates ${first.file}#${first.index}`);
        } else {
            seen.set(key, m);
        }
    }
    return problems;
}

/** Least-privilege RBAC: no wildcards, no Secrets writes, no escalation, no broad bindings. */
function checkRbac(docs: Manifest[]): string[] {
    const problems: string[] = [];
    const rbac = docs.filter((m) => str(m.value, "apiVersion")?.startsWith(`${RBAC_GROUP}/`));
    const clusterRoles = new Set(rbac.filter((m) => kindOf(m) === "ClusterRole").map(nameOf));
    const roles = new Set(
        rbac.filter((m) => kindOf(m) === "Role").map((m) => `${namespaceOf(m)}/${nameOf(m)}`),
    );

    for (const m of rbac) {
        const at = where(m);
        const kind = kindOf(m);
        if (kind === "Role" || kind === "ClusterRole") {
            const rules = get(m.value, "rules");
            if (!Array.isArray(rules)) continue; // reported by checkShape
            if (get(m.value, "aggregationRule") !== undefined) {
                problems.push(`${at}: aggregationRule grants whatever other roles grant`);
            }
            rules.forEach((rule: unknown, i) => {
                const r = `${at}: rules[${i}]`;
                if (!isObj(rule)) {
                    problems.push(`${r} is not a mapping`);
                    return;
                }
                const verbs = strings(rule.verbs);
                if (verbs.length === 0) problems.push(`${r} has no verbs`);
                for (const field of ["verbs", "apiGroups", "resources", "nonResourceURLs"]) {
                    for (const value of strings(rule[field])) {
                        if (value.includes("*")) {
                            problems.push(`${r}: wildcard "${value}" in ${field}`);
                        }
                    }
                }
                for (const verb of verbs.filter((v) => ESCALATION_VERBS.has(v))) {
                    problems.push(`${r}: privilege-escalation verb "${verb}"`);
                }
                const resources = strings(rule.resources);
                const writes = verbs.filter((v) => WRITE_VERBS.has(v) || v === "*");
                if (resources.some((s) => s === "secrets" || s.startsWith("secrets/"))) {
                    if (writes.length > 0) {
                        problems.push(`${r}: write verbs on secrets (${writes.join(", ")})`);
                    }
                }
            });
        }

        if (kind === "RoleBinding" || kind === "ClusterRoleBinding") {
            const roleRef = get(m.value, "roleRef");
            if (!isObj(roleRef)) continue; // reported by checkShape
            const refKind = roleRef.kind;
            const refName = roleRef.name;
            if (roleRef.apiGroup !== RBAC_GROUP) {
                problems.push(`${at}: roleRef.apiGroup must be "${RBAC_GROUP}"`);
            }
            if (typeof refName !== "string") {
                problems.push(`${at}: roleRef.name is missing`);
            } else if (FORBIDDEN_ROLES.has(refName)) {
                problems.push(`${at}: binds the built-in "${refName}" role: define a narrower one`);
            }
            if (refKind === "ClusterRole") {
                if (typeof refName === "string" && !clusterRoles.has(refName)) {
                    problems.push(
                        `${at}: roleRef ClusterRole "${refName}" is not defined in gitops/`,
                    );
                }
            } else if (refKind === "Role" && kind === "RoleBinding") {
                if (!roles.has(`${namespaceOf(m)}/${refName}`)) {
                    problems.push(
                        `${at}: roleRef Role "${refName}" is not defined in gitops/ ` +
                            `in namespace "${namespaceOf(m)}"`,
                    );
                }
            } else {
                problems.push(`${at}: roleRef.kind "${String(refKind)}" is not valid for ${kind}`);
            }

            const subjects = get(m.value, "subjects");
            if (!Array.isArray(subjects)) continue; // reported by checkShape
            if (subjects.length === 0) problems.push(`${at}: subjects is empty`);
            subjects.forEach((subject: unknown, i) => {
                const s = `${at}: subjects[${i}]`;
                if (!isObj(subject) || typeof subject.name !== "string") {
                    problems.push(`${s} must be a mapping with a name`);
                    return;
                }
                if (subject.kind === "User" || subject.kind === "Group") {
                    if (subject.apiGroup !== RBAC_GROUP) {
                        problems.push(`${s}: apiGroup must be "${RBAC_GROUP}"`);
                    }
                    if (EVERYONE_GROUPS.has(subject.name)) {
                        problems.push(`${s}: binds "${subject.name}", which is everyone`);
                    }
                } else if (subject.kind === "ServiceAccount") {
                    if (typeof subject.namespace !== "string") {
                        problems.push(`${s}: ServiceAccount subject needs a namespace`);
                    }
                } else {
                    problems.push(`${s}: kind must be User, Group or ServiceAccount`);
                }
            });
        }
    }
    return problems;
}

/** Each declared namespace has a `default-deny` policy: all pods, Ingress and Egress, no rules. */
function checkDefaultDeny(docs: Manifest[]): string[] {
    const problems: string[] = [];
    const policies = docs.filter((m) => kindKey(m) === "networking.k8s.io/v1/NetworkPolicy");
    for (const ns of declaredNamespaces(docs)) {
        const deny = policies.find((m) => namespaceOf(m) === ns && nameOf(m) === "default-deny");
        if (!deny) {
            problems.push(`namespace "${ns}": no NetworkPolicy "default-deny" in gitops/`);
            continue;
        }
        const at = where(deny);
        const selector = get(deny.value, "spec.podSelector");
        if (!isObj(selector) || Object.keys(selector).length > 0) {
            problems.push(`${at}: spec.podSelector must be {} (every pod of the namespace)`);
        }
        const types = strings(get(deny.value, "spec.policyTypes"));
        for (const type of ["Ingress", "Egress"]) {
            if (!types.includes(type)) problems.push(`${at}: spec.policyTypes lacks ${type}`);
        }
        for (const direction of ["ingress", "egress"]) {
            const rules = get(deny.value, `spec.${direction}`);
            if (rules !== undefined && !(Array.isArray(rules) && rules.length === 0)) {
                problems.push(`${at}: spec.${direction} must have no rules: it denies all`);
            }
        }
    }
    return problems;
}

/**
 * No NetworkPolicy lets traffic in from everywhere: every ingress rule names its sources
 * (`from`). A rule without `from` admits every pod of every namespace and, on most network
 * plugins, every address outside the cluster (kubernetes.io/docs/concepts/services-networking/
 * network-policies: "If this field is empty or missing, this rule matches all sources"), which
 * undoes default-deny for that port.
 */
function checkIngressSources(docs: Manifest[]): string[] {
    const problems: string[] = [];
    for (const m of docs.filter((d) => kindKey(d) === "networking.k8s.io/v1/NetworkPolicy")) {
        const rules = get(m.value, "spec.ingress");
        if (!Array.isArray(rules)) continue;
        rules.forEach((rule: unknown, i) => {
            const from = get(rule, "from");
            if (!Array.isArray(from) || from.length === 0) {
                problems.push(
                    `${where(m)}: spec.ingress[${i}] has no "from": it admits every source; name the namespaces, pods or address blocks allowed in`,
                );
            } else if (from.some((peer) => isObj(peer) && Object.keys(peer).length === 0)) {
                problems.push(
                    `${where(m)}: spec.ingress[${i}].from has an empty peer ({}), which matches every source`,
                );
            }
        });
    }
    return problems;
}

/**
 * Workload objects the API server would refuse, or that block operations:
 * - a Deployment whose `spec.selector` does not match its template's labels (apps/v1 validation:
 *   "`selector` does not match template `labels`"; kubernetes/kubernetes
 *   pkg/apis/apps/validation/validation.go);
 * - a PodDisruptionBudget with `minAvailable` (with one replica it forbids every eviction) or
 *   without `unhealthyPodEvictionPolicy: AlwaysAllow` (unready pods then block every drain;
 *   KEP-3017, GA in Kubernetes 1.31).
 */
function checkWorkloads(docs: Manifest[]): string[] {
    const problems: string[] = [];
    for (const m of docs.filter((d) => kindKey(d) === "apps/v1/Deployment")) {
        const selector = get(m.value, "spec.selector.matchLabels");
        const labels = get(m.value, "spec.template.metadata.labels");
        if (!isObj(selector) || Object.keys(selector).length === 0) {
            problems.push(`${where(m)}: spec.selector.matchLabels must name the pods`);
            continue;
        }
        for (const [key, value] of Object.entries(selector)) {
            if (!isObj(labels) || labels[key] !== value) {
                problems.push(
                    `${where(m)}: spec.selector.matchLabels ${key}=${String(value)} is not a label of the pod template: the API server refuses the Deployment`,
                );
            }
        }
    }
    for (const m of docs.filter((d) => kindKey(d) === "policy/v1/PodDisruptionBudget")) {
        if (get(m.value, "spec.minAvailable") !== undefined) {
            problems.push(
                `${where(m)}: spec.minAvailable forbids every eviction when only that many pods run: use spec.maxUnavailable`,
            );
        }
        if (str(m.value, "spec.unhealthyPodEvictionPolicy") !== "AlwaysAllow") {
            problems.push(
                `${where(m)}: spec.unhealthyPodEvictionPolicy must be AlwaysAllow, or pods that are not ready block every node drain`,
            );
        }
    }
    return problems;
}

/** Volume sources the restricted Pod Security Standard allows (no hostPath, no in-tree drivers). */
const RESTRICTED_VOLUMES = new Set([
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
]);

/**
 * Pod templates that the restricted Pod Security Standard refuses, which the namespace label
 * enforces at admission (kubernetes.io/docs/concepts/security/pod-security-standards, the
 * baseline and restricted controls that a Deployment's template can break): host namespaces,
 * privileged containers, host ports, volume sources outside the allowed list, privilege
 * escalation, root (runAsNonRoot, runAsUser 0), seccomp other than RuntimeDefault or Localhost,
 * capabilities not dropped to nothing (NET_BIND_SERVICE alone may be added). Plus the fleet's
 * own rules: a read-only root filesystem, Secret volumes mounted read-only, and no Secret in an
 * environment variable (secretKeyRef, envFrom secretRef), where every child process inherits it
 * and /proc/<pid>/environ shows it (checkov CKV_K8S_35).
 */
function checkPodSecurity(docs: Manifest[]): string[] {
    const problems: string[] = [];
    for (const m of docs.filter((d) => kindKey(d) === "apps/v1/Deployment")) {
        const pod = get(m.value, "spec.template.spec");
        const at = `${where(m)}: spec.template.spec`;
        for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
            if (get(pod, field) === true) problems.push(`${at}.${field} must not be true`);
        }
        const podContext = get(pod, "securityContext");
        const volumes = get(pod, "volumes");
        const secretVolumes = new Set<string>();
        (Array.isArray(volumes) ? volumes : []).forEach((volume: unknown, i) => {
            const sources = isObj(volume) ? Object.keys(volume).filter((k) => k !== "name") : [];
            const refused = sources.filter((source) => !RESTRICTED_VOLUMES.has(source));
            if (refused.length > 0) {
                problems.push(`${at}.volumes[${i}]: ${refused.join(", ")} is not allowed`);
            }
            if (sources.includes("secret")) secretVolumes.add(String(get(volume, "name")));
        });
        const containers = ["initContainers", "containers"].flatMap((list) => {
            const found = get(pod, list);
            return (Array.isArray(found) ? found : []).map((c: unknown, i) => ({
                c,
                at: `${at}.${list}[${i}] (${str(c, "name") ?? "<no name>"})`,
            }));
        });
        const podOrContainer = (c: unknown, field: string) =>
            get(c, `securityContext.${field}`) ?? get(podContext, field);
        for (const { c, at: cat } of containers) {
            const context = get(c, "securityContext");
            if (get(context, "privileged") === true) problems.push(`${cat}: privileged`);
            if (get(context, "allowPrivilegeEscalation") !== false) {
                problems.push(`${cat}: securityContext.allowPrivilegeEscalation must be false`);
            }
            if (podOrContainer(c, "runAsNonRoot") !== true) {
                problems.push(`${cat}: runAsNonRoot must be true (pod or container)`);
            }
            if (podOrContainer(c, "runAsUser") === 0) problems.push(`${cat}: runAsUser is 0`);
            const seccomp = podOrContainer(c, "seccompProfile");
            if (!["RuntimeDefault", "Localhost"].includes(str(seccomp, "type") ?? "")) {
                problems.push(`${cat}: seccompProfile.type must be RuntimeDefault or Localhost`);
            }
            if (!strings(get(context, "capabilities.drop")).includes("ALL")) {
                problems.push(`${cat}: securityContext.capabilities.drop must include ALL`);
            }
            const added = strings(get(context, "capabilities.add"));
            if (added.some((cap) => cap !== "NET_BIND_SERVICE")) {
                problems.push(`${cat}: capabilities.add may hold NET_BIND_SERVICE only`);
            }
            const ports = get(c, "ports");
            if (Array.isArray(ports) && ports.some((p: unknown) => get(p, "hostPort"))) {
                problems.push(`${cat}: hostPort is not allowed`);
            }
            if (get(context, "readOnlyRootFilesystem") !== true) {
                problems.push(`${cat}: securityContext.readOnlyRootFilesystem must be true`);
            }
            const mounts = get(c, "volumeMounts");
            for (const mount of Array.isArray(mounts) ? mounts : []) {
                const name = String(get(mount, "name"));
                if (secretVolumes.has(name) && get(mount, "readOnly") !== true) {
                    problems.push(`${cat}: the Secret volume ${name} must be mounted readOnly`);
                }
            }
            const env = get(c, "env");
            for (const variable of Array.isArray(env) ? env : []) {
                if (get(variable, "valueFrom.secretKeyRef") !== undefined) {
                    problems.push(
                        `${cat}: env ${String(get(variable, "name"))} comes from a Secret: mount the Secret as a file and pass its path instead`,
                    );
                }
            }
            const envFrom = get(c, "envFrom");
            if (Array.isArray(envFrom) && envFrom.some((e: unknown) => get(e, "secretRef"))) {
                problems.push(
                    `${cat}: envFrom takes a Secret: mount the Secret as a file and pass its path instead`,
                );
            }
        }
    }
    return problems;
}

/** Every Namespace enforces the restricted Pod Security Standard and is owned by GitOps. */
function checkNamespaceLabels(docs: Manifest[]): string[] {
    const problems: string[] = [];
    for (const m of docs.filter((d) => kindKey(d) === "v1/Namespace")) {
        const labels = get(m.value, "metadata.labels");
        const label = (key: string) => (isObj(labels) ? labels[key] : undefined);
        if (label("pod-security.kubernetes.io/enforce") !== "restricted") {
            problems.push(
                `${where(m)}: label pod-security.kubernetes.io/enforce must be "restricted"`,
            );
        }
        for (const mode of ["warn", "audit"]) {
            const value = label(`pod-security.kubernetes.io/${mode}`);
            if (value !== undefined && value !== "restricted") {
                problems.push(
                    `${where(m)}: label pod-security.kubernetes.io/${mode} must be "restricted"`,
                );
            }
        }
        if (label("app.kubernetes.io/managed-by") !== "gitops") {
            problems.push(`${where(m)}: label app.kubernetes.io/managed-by must be "gitops"`);
        }
    }
    return problems;
}

/** Every declared namespace has a ResourceQuota and a LimitRange. */
function checkQuotas(docs: Manifest[]): string[] {
    const problems: string[] = [];
    for (const ns of declaredNamespaces(docs)) {
        for (const kind of ["ResourceQuota", "LimitRange"]) {
            if (!docs.some((m) => kindKey(m) === `v1/${kind}` && namespaceOf(m) === ns)) {
                problems.push(`namespace "${ns}": no ${kind} in gitops/`);
            }
        }
    }
    return problems;
}

// ---------------------------------------------------------------------------------------------
// The repository's gitops/ content

describe("gitops/", () => {
    const { files, docs, problems: parseProblems } = loadGitops();

    it("holds the baseline under gitops/cluster and the rendered app under gitops/workload", () => {
        const relative = files.map((f) => path.relative(GITOPS_DIR, f).split(path.sep).join("/"));
        expect(relative).toEqual(
            expect.arrayContaining([
                "cluster/namespaces.yaml",
                "cluster/rbac.yaml",
                "cluster/network-policies.yaml",
                "cluster/resource-quotas.yaml",
                "workload/app.yaml",
            ]),
        );
        expect(docs.length).toBeGreaterThan(0);
    });

    it("parses every YAML file without errors or warnings", () => {
        expect(parseProblems).toEqual([]);
    });

    it("starts every YAML file with a # comment header saying what it is for", () => {
        const missing = files
            .filter((f) => !fs.readFileSync(f, "utf8").startsWith("#"))
            .map((f) => `${path.relative(REPO_DIR, f)}: no "#" comment header`);
        expect(missing).toEqual([]);
    });

    it("gives every document a known apiVersion/kind, a valid name and its required fields", () => {
        expect(checkShape(docs)).toEqual([]);
    });

    it("puts namespaced kinds in declared namespaces and cluster-scoped kinds in none", () => {
        expect(checkScope(docs)).toEqual([]);
    });

    it("declares every object once", () => {
        expect(checkUnique(docs)).toEqual([]);
    });

    it("keeps RBAC least-privilege: no wildcards, no Secrets writes, no built-in admin roles", () => {
        expect(checkRbac(docs)).toEqual([]);
    });

    it("gives every namespace a default-deny NetworkPolicy for Ingress and Egress", () => {
        expect(checkDefaultDeny(docs)).toEqual([]);
    });

    it("names the sources of every NetworkPolicy ingress rule", () => {
        expect(checkIngressSources(docs)).toEqual([]);
    });

    it("keeps Deployment selectors on their template and disruption budgets drainable", () => {
        expect(checkWorkloads(docs)).toEqual([]);
    });

    it("enforces the restricted Pod Security Standard on every namespace", () => {
        expect(checkNamespaceLabels(docs)).toEqual([]);
    });

    it("gives every pod what restricted Pod Security admits, read-only, with Secrets as files", () => {
        expect(checkPodSecurity(docs)).toEqual([]);
    });

    it("gives every namespace a ResourceQuota and a LimitRange", () => {
        expect(checkQuotas(docs)).toEqual([]);
    });

    it("declares the fleet baseline and the app", () => {
        const ids = docs.map((m) => `${kindOf(m)} ${namespaceOf(m) ?? "-"}/${nameOf(m)}`);
        expect(ids).toEqual(
            expect.arrayContaining([
                "Namespace -/app",
                "Namespace -/platform-observability",
                "ClusterRole -/fleet-viewer",
                "ClusterRoleBinding -/fleet-viewers",
                "Role app/app-deployer",
                "RoleBinding app/app-deployers",
                "NetworkPolicy app/default-deny",
                "NetworkPolicy app/allow-app-ingress",
                "NetworkPolicy app/allow-dns-egress",
                "NetworkPolicy app/allow-https-and-database-egress",
                "NetworkPolicy app/allow-acme-http01-solver",
                "NetworkPolicy platform-observability/default-deny",
                "ServiceAccount app/app",
                "Deployment app/app",
                "Service app/app",
                "HorizontalPodAutoscaler app/app",
                "PodDisruptionBudget app/app",
                "Ingress app/app",
            ]),
        );
    });

    it("keeps fleet-viewer read-only and away from Secrets", () => {
        const viewer = docs.find(
            (m) => kindOf(m) === "ClusterRole" && nameOf(m) === "fleet-viewer",
        );
        const rules = get(viewer?.value, "rules");
        expect(Array.isArray(rules)).toBe(true);
        const granted = (rules as unknown[]).map((rule) => ({
            verbs: strings(get(rule, "verbs")),
            resources: strings(get(rule, "resources")),
        }));
        expect(
            granted.flatMap((g) => g.verbs).filter((v) => !["get", "list", "watch"].includes(v)),
        ).toEqual([]);
        expect(granted.flatMap((g) => g.resources)).not.toContain("secrets");
    });

    // Only the ingress controller's namespace reaches the app, on TCP 5001, and cert-manager's
    // HTTP-01 solver pods (label acme.cert-manager.io/http01-solver=true, port 8089:
    // cert-manager pkg/issuer/acme/http/pod.go), selected by the kubernetes.io/metadata.name
    // label every namespace carries since Kubernetes 1.22 (KEP-2161).
    it("lets in only the ingress controller: to the app on TCP 5001, to the HTTP-01 solver on 8089", () => {
        const fromController = [
            {
                namespaceSelector: {
                    matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" },
                },
            },
        ];
        const policy = docs.find(
            (m) => namespaceOf(m) === "app" && nameOf(m) === "allow-app-ingress",
        );
        expect(get(policy?.value, "spec.podSelector")).toEqual({
            matchLabels: { "app.kubernetes.io/name": "app" },
        });
        expect(get(policy?.value, "spec.ingress")).toEqual([
            { from: fromController, ports: [{ protocol: "TCP", port: 5001 }] },
        ]);
        const solver = docs.find(
            (m) => namespaceOf(m) === "app" && nameOf(m) === "allow-acme-http01-solver",
        );
        expect(get(solver?.value, "spec")).toEqual({
            podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
            policyTypes: ["Ingress"],
            ingress: [{ from: fromController, ports: [{ protocol: "TCP", port: 8089 }] }],
        });
    });
});

// ---------------------------------------------------------------------------------------------
// Self-check: the same checks reject bad input, so a passing run above means something.

describe("gitops checks reject bad manifests", () => {
    /** Parses inline YAML as if it were a file in gitops/, failing on YAML errors. */
    function inline(text: string): Manifest[] {
        const { docs, problems } = parseManifests("inline.yaml", text);
        expect(problems).toEqual([]);
        return docs;
    }

    const NAMESPACE = `
apiVersion: v1
kind: Namespace
metadata:
  name: app
  labels:
    app.kubernetes.io/managed-by: gitops
    pod-security.kubernetes.io/enforce: restricted
`;
    const DEFAULT_DENY = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny, namespace: app }
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`;

    it("reports YAML syntax errors and duplicate keys with the file and document", () => {
        const { problems } = parseManifests(
            "broken.yaml",
            "kind: Namespace\n---\nkind: Namespace\nkind: Role\n---\nmetadata: [unclosed\n",
        );
        expect(problems).toContainEqual(expect.stringMatching(/^broken\.yaml#2: YAML: /));
        expect(problems).toContainEqual(expect.stringMatching(/^broken\.yaml#3: YAML: /));
    });

    it("reports a Role with a wildcard verb", () => {
        const docs = inline(`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: too-broad, namespace: app }
rules:
  - apiGroups: [""]
    resources: [pods]
    verbs: ["*"]
`);
        expect(checkRbac(docs)).toEqual([
            'inline.yaml#1 (Role app/too-broad): rules[0]: wildcard "*" in verbs',
        ]);
    });

    it("reports wildcard resources and API groups, Secrets writes and escalation verbs", () => {
        const docs = inline(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: sloppy }
rules:
  - apiGroups: ["*"]
    resources: ["pods/*"]
    verbs: [get]
  - apiGroups: [""]
    resources: [secrets]
    verbs: [get, patch]
  - apiGroups: [rbac.authorization.k8s.io]
    resources: [clusterroles]
    verbs: [bind, escalate]
`);
        const at = "inline.yaml#1 (ClusterRole sloppy)";
        expect(checkRbac(docs)).toEqual([
            `${at}: rules[0]: wildcard "*" in apiGroups`,
            `${at}: rules[0]: wildcard "pods/*" in resources`,
            `${at}: rules[1]: write verbs on secrets (patch)`,
            `${at}: rules[2]: privilege-escalation verb "bind"`,
            `${at}: rules[2]: privilege-escalation verb "escalate"`,
        ]);
    });

    it("reports a document without kind", () => {
        const docs = inline(`
apiVersion: v1
metadata: { name: no-kind }
`);
        expect(checkShape(docs)).toEqual([
            "inline.yaml#1 (<no kind> no-kind): kind is missing or not a string",
        ]);
    });

    it("reports a RoleBinding to cluster-admin, to an undefined role and to everyone", () => {
        const docs = inline(`
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: root, namespace: app }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
subjects:
  - { apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated" }
`);
        const at = "inline.yaml#1 (RoleBinding app/root)";
        expect(checkRbac(docs)).toEqual([
            `${at}: binds the built-in "cluster-admin" role: define a narrower one`,
            `${at}: roleRef ClusterRole "cluster-admin" is not defined in gitops/`,
            `${at}: subjects[0]: binds "system:authenticated", which is everyone`,
        ]);
    });

    it("reports an unknown kind, asking for it to be added to the table", () => {
        const docs = inline(`
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: web, namespace: app }
`);
        expect(checkShape(docs)).toEqual([
            expect.stringMatching(
                /^inline\.yaml#1 \(StatefulSet app\/web\): unknown kind "apps\/v1\/StatefulSet": add it to the KINDS table/,
            ),
        ]);
    });

    it("reports invalid names and missing required fields", () => {
        const docs = inline(`
apiVersion: v1
kind: Namespace
metadata: { name: Bad_Name }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: no-selector, namespace: app }
spec: {}
---
apiVersion: v1
kind: Namespace
metadata: { name: ${"a".repeat(64)} }
`);
        const problems = checkShape(docs);
        expect(problems).toHaveLength(3);
        expect(problems[0]).toMatch(/#1 .*"Bad_Name" is not a DNS-1123 label/);
        expect(problems[1]).toMatch(/#2 .*spec\.podSelector must be an object/);
        expect(problems[2]).toMatch(/#3 .*is not a DNS-1123 label .*at most 63/);
    });

    it("reports undeclared namespaces, missing namespaces and namespaced cluster kinds", () => {
        const docs = inline(`
${NAMESPACE}
---
apiVersion: v1
kind: ResourceQuota
metadata: { name: q, namespace: elsewhere }
spec: { hard: { pods: "1" } }
---
apiVersion: v1
kind: LimitRange
metadata: { name: l }
spec: { limits: [] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: c, namespace: app }
rules: []
---
apiVersion: v1
kind: LimitRange
metadata: { name: system, namespace: kube-system }
spec: { limits: [] }
`);
        expect(checkScope(docs)).toEqual([
            'inline.yaml#2 (ResourceQuota elsewhere/q): namespace "elsewhere" is not declared by a Namespace in gitops/ (declared: app)',
            "inline.yaml#3 (LimitRange l): namespaced kind must set metadata.namespace",
            "inline.yaml#4 (ClusterRole app/c): cluster-scoped kind must not set metadata.namespace",
        ]);
    });

    it("reports duplicate objects", () => {
        const docs = inline(`${DEFAULT_DENY}\n---\n${DEFAULT_DENY}`);
        expect(checkUnique(docs)).toEqual([
            "inline.yaml#2 (NetworkPolicy app/default-deny): duplicates inline.yaml#1",
        ]);
    });

    it("reports a namespace without default-deny, or with a default-deny that allows", () => {
        expect(checkDefaultDeny(inline(NAMESPACE))).toEqual([
            'namespace "app": no NetworkPolicy "default-deny" in gitops/',
        ]);
        const docs = inline(`
${NAMESPACE}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny, namespace: app }
spec:
  podSelector: { matchLabels: { tier: web } }
  policyTypes: [Ingress]
  ingress: [{}]
`);
        const at = "inline.yaml#2 (NetworkPolicy app/default-deny)";
        expect(checkDefaultDeny(docs)).toEqual([
            `${at}: spec.podSelector must be {} (every pod of the namespace)`,
            `${at}: spec.policyTypes lacks Egress`,
            `${at}: spec.ingress must have no rules: it denies all`,
        ]);
    });

    it("reports an ingress rule without sources, or with an empty peer", () => {
        const docs = inline(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: open, namespace: app }
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
    - ports: [{ protocol: TCP, port: 5001 }]
    - from: [{}]
    - from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ingress-nginx } } }]
`);
        const at = "inline.yaml#1 (NetworkPolicy app/open)";
        expect(checkIngressSources(docs)).toEqual([
            `${at}: spec.ingress[0] has no "from": it admits every source; name the namespaces, pods or address blocks allowed in`,
            `${at}: spec.ingress[1].from has an empty peer ({}), which matches every source`,
        ]);
    });

    it("reports a Deployment selector off its template, and an undrainable disruption budget", () => {
        const docs = inline(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: app }
spec:
  selector: { matchLabels: { app.kubernetes.io/name: web, tier: front } }
  template:
    metadata: { labels: { app.kubernetes.io/name: web } }
    spec: { containers: [{ name: web, image: web }] }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web, namespace: app }
spec:
  minAvailable: 1
  selector: { matchLabels: { app.kubernetes.io/name: web } }
`);
        expect(checkWorkloads(docs)).toEqual([
            "inline.yaml#1 (Deployment app/web): spec.selector.matchLabels tier=front is not a label of the pod template: the API server refuses the Deployment",
            "inline.yaml#2 (PodDisruptionBudget app/web): spec.minAvailable forbids every eviction when only that many pods run: use spec.maxUnavailable",
            "inline.yaml#2 (PodDisruptionBudget app/web): spec.unhealthyPodEvictionPolicy must be AlwaysAllow, or pods that are not ready block every node drain",
        ]);
    });

    it("reports a namespace that does not enforce restricted Pod Security", () => {
        const docs = inline(`
apiVersion: v1
kind: Namespace
metadata:
  name: loose
  labels:
    app.kubernetes.io/managed-by: gitops
    pod-security.kubernetes.io/enforce: baseline
`);
        expect(checkNamespaceLabels(docs)).toEqual([
            'inline.yaml#1 (Namespace loose): label pod-security.kubernetes.io/enforce must be "restricted"',
        ]);
    });

    it("reports a pod that restricted Pod Security refuses, or that holds a Secret in its environment", () => {
        const docs = inline(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: loose, namespace: app }
spec:
  selector: { matchLabels: { app: loose } }
  template:
    metadata: { labels: { app: loose } }
    spec:
      hostNetwork: true
      securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
      volumes:
        - { name: host, hostPath: { path: /var/run } }
        - { name: db, secret: { secretName: app-database } }
      containers:
        - name: app
          image: app
          ports: [{ containerPort: 5001, hostPort: 5001 }]
          env:
            - name: DATABASE_URL
              valueFrom: { secretKeyRef: { name: app-database, key: url } }
          envFrom: [{ secretRef: { name: app-database } }]
          volumeMounts: [{ name: db, mountPath: /db }]
          securityContext:
            runAsUser: 0
            capabilities: { add: [SYS_ADMIN] }
            seccompProfile: { type: Unconfined }
`);
        const c = "inline.yaml#1 (Deployment app/loose): spec.template.spec.containers[0] (app)";
        expect(checkPodSecurity(docs)).toEqual([
            "inline.yaml#1 (Deployment app/loose): spec.template.spec.hostNetwork must not be true",
            "inline.yaml#1 (Deployment app/loose): spec.template.spec.volumes[0]: hostPath is not allowed",
            `${c}: securityContext.allowPrivilegeEscalation must be false`,
            `${c}: runAsUser is 0`,
            `${c}: seccompProfile.type must be RuntimeDefault or Localhost`,
            `${c}: securityContext.capabilities.drop must include ALL`,
            `${c}: capabilities.add may hold NET_BIND_SERVICE only`,
            `${c}: hostPort is not allowed`,
            `${c}: securityContext.readOnlyRootFilesystem must be true`,
            `${c}: the Secret volume db must be mounted readOnly`,
            `${c}: env DATABASE_URL comes from a Secret: mount the Secret as a file and pass its path instead`,
            `${c}: envFrom takes a Secret: mount the Secret as a file and pass its path instead`,
        ]);
    });

    it("reports a namespace without a quota or limits", () => {
        expect(checkQuotas(inline(NAMESPACE))).toEqual([
            'namespace "app": no ResourceQuota in gitops/',
            'namespace "app": no LimitRange in gitops/',
        ]);
    });

    it("passes a minimal good namespace with its guardrails", () => {
        const docs = inline(`
${NAMESPACE}
---
${DEFAULT_DENY}
---
apiVersion: v1
kind: ResourceQuota
metadata: { name: q, namespace: app }
spec: { hard: { pods: "1" } }
---
apiVersion: v1
kind: LimitRange
metadata: { name: l, namespace: app }
spec: { limits: [] }
`);
        const all = [
            checkShape,
            checkScope,
            checkUnique,
            checkRbac,
            checkDefaultDeny,
            checkNamespaceLabels,
            checkQuotas,
            checkIngressSources,
            checkWorkloads,
        ].flatMap((check) => check(docs));
        expect(all).toEqual([]);
    });
});
