/**
 * The app on Kubernetes: the objects `workloadObjects` builds (hardening, probes, spread,
 * autoscaling, disruption budget, traffic, RBAC, TLS), the same objects applied by Pulumi to
 * the GKE clusters of a stack through each cluster's provider, and gitops/workload/ in sync
 * with the function.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- these tests read deep into untyped provider inputs and Kubernetes objects */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import type * as WorkloadModule from "../../../components/app/Workload";
import type { KubeObject } from "../../../components/app/Workload";
import { APP_UID } from "../../../components/app/runtimeUser";
import type * as GitopsModule from "../../../tools/gitops";
import type { PlanResult } from "../../../plan/run";
import { ofType, one, planStack, PROJECT_DIR, waitsFor, workerModule } from "../../harness";

// The component and tools/gitops (which renders with it) as the plans load them: Workload.ts
// imports @pulumi/kubernetes.
const { validateWorkloadArgs, workloadObjects, workloadSpec } =
    workerModule<typeof WorkloadModule>("components/app/Workload");
const {
    main: gitops,
    renderWorkload,
    projectApp,
    WORKLOAD_FILE,
} = workerModule<typeof GitopsModule>("tools/gitops");

const IMAGE = `registry.example.com/app@sha256:${"a".repeat(64)}`;
const spec = workloadSpec({ image: IMAGE, ingress: { host: "app.example.com" } }, "gitops");
const objects = workloadObjects(spec);

function find(kind: string, name = "app"): KubeObject & Record<string, any> {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!found) throw new Error(`no ${kind} ${name}`);
    return found as KubeObject & Record<string, any>;
}

describe("workloadObjects", () => {
    it("puts the namespace first, with the restricted Pod Security Standard", () => {
        expect(objects[0].kind).toBe("Namespace");
        expect(objects[0].metadata.labels).toMatchObject({
            "pod-security.kubernetes.io/enforce": "restricted",
        });
        expect(objects.slice(1).every((o) => o.metadata.namespace === "app")).toBe(true);
    });

    it("runs the app as the image's UID (10001), non-root, read-only, without capabilities, under RuntimeDefault", () => {
        const pod = find("Deployment").spec.template.spec;
        expect(APP_UID).toBe(10001);
        expect(pod.securityContext).toEqual({
            runAsNonRoot: true,
            runAsUser: APP_UID,
            runAsGroup: APP_UID,
            fsGroup: APP_UID,
            seccompProfile: { type: "RuntimeDefault" },
        });
        const [container] = pod.containers;
        expect(container.image).toBe(IMAGE);
        expect(container.securityContext).toEqual({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            runAsUser: APP_UID,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        });
        // The only writable path is an in-memory /tmp (gunicorn's worker heartbeats); the
        // database Secret is mounted read-only.
        expect(container.volumeMounts).toEqual([
            { name: "tmp", mountPath: "/tmp" },
            { name: "database", mountPath: "/var/run/secrets/app-database", readOnly: true },
        ]);
        expect(pod.volumes.map((v: { name: string }) => v.name)).toEqual(["tmp", "database"]);
        expect(pod.volumes[0]).toEqual({
            name: "tmp",
            emptyDir: { medium: "Memory", sizeLimit: "64Mi" },
        });
    });

    // checkov CKV_K8S_35: a secret in an environment variable is inherited by every child process
    // and readable in /proc/<pid>/environ, and a new value needs a restart.
    it("gives the app the database URL as a file from the Secret, never as an environment variable", () => {
        const pod = find("Deployment").spec.template.spec;
        const [container] = pod.containers;
        expect(container.env).toEqual([
            { name: "DATABASE_URL_FILE", value: "/var/run/secrets/app-database/url" },
        ]);
        expect(JSON.stringify(pod)).not.toContain("secretKeyRef");
        expect(pod.volumes.find((v: { name: string }) => v.name === "database")).toEqual({
            name: "database",
            secret: {
                secretName: "app-database",
                items: [{ key: "url", path: "url" }],
                // Optional, as the environment variable was: without the Secret the pod runs
                // and is not ready.
                optional: true,
                // root and the pod's fsGroup (the app's group) may read it, nobody may write.
                defaultMode: 0o440,
            },
        });
        expect(pod.securityContext.fsGroup).toBe(APP_UID);
        // The directory, never subPath: the kubelet updates a Secret volume in place (a new
        // password applies at the next /readyz), except where it is mounted with subPath.
        expect(container.volumeMounts.every((m: object) => !("subPath" in m))).toBe(true);
        // Another Secret name reaches the volume.
        const other = workloadObjects(
            workloadSpec(
                { image: IMAGE, ingress: spec.ingress, databaseSecretName: "orders-db" },
                "pulumi",
            ),
        ).find((o) => o.kind === "Deployment") as any;
        expect(
            other.spec.template.spec.volumes.find((v: { name: string }) => v.name === "database")
                .secret.secretName,
        ).toBe("orders-db");
    });

    it("gives the pod no service account token", () => {
        expect(find("ServiceAccount").automountServiceAccountToken).toBe(false);
        expect(find("Deployment").spec.template.spec.automountServiceAccountToken).toBe(false);
        expect(find("Deployment").spec.template.spec.serviceAccountName).toBe("app");
    });

    it("sets requests and limits, and probes /healthz and /readyz on port 5001", () => {
        const [container] = find("Deployment").spec.template.spec.containers;
        expect(container.resources).toEqual({
            requests: { cpu: "100m", memory: "128Mi" },
            limits: { cpu: "500m", memory: "256Mi" },
        });
        expect(container.ports).toEqual([{ name: "http", containerPort: 5001, protocol: "TCP" }]);
        expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
        expect(container.startupProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
        expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    });

    it("spreads pods across zones and nodes", () => {
        const spread = find("Deployment").spec.template.spec.topologySpreadConstraints;
        expect(spread.map((c: { topologyKey: string }) => c.topologyKey)).toEqual([
            "topology.kubernetes.io/zone",
            "kubernetes.io/hostname",
        ]);
        expect(spread[0]).toMatchObject({
            maxSkew: 1,
            labelSelector: { matchLabels: { "app.kubernetes.io/name": "app" } },
        });
    });

    it("leaves the replica count to the autoscaler: 2 to 10 at 65 % CPU", () => {
        expect(find("Deployment").spec.replicas).toBeUndefined();
        const hpa = find("HorizontalPodAutoscaler").spec;
        expect(hpa.scaleTargetRef).toEqual({
            apiVersion: "apps/v1",
            kind: "Deployment",
            name: "app",
        });
        expect([hpa.minReplicas, hpa.maxReplicas]).toEqual([2, 10]);
        expect(hpa.metrics[0].resource).toEqual({
            name: "cpu",
            target: { type: "Utilization", averageUtilization: 65 },
        });
    });

    it("takes replicas, target and resources from its arguments", () => {
        const custom = workloadObjects(
            workloadSpec(
                {
                    image: IMAGE,
                    minReplicas: 3,
                    maxReplicas: 30,
                    targetCpuUtilization: 70,
                    limits: { cpu: "1", memory: "1Gi" },
                    ingress: { host: "shop.example.org", clusterIssuer: "letsencrypt" },
                },
                "pulumi",
            ),
        );
        const hpa = custom.find((o) => o.kind === "HorizontalPodAutoscaler") as any;
        expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([3, 30]);
        expect(hpa.spec.metrics[0].resource.target.averageUtilization).toBe(70);
        const ingress = custom.find((o) => o.kind === "Ingress") as any;
        expect(ingress.spec.tls).toEqual([{ hosts: ["shop.example.org"], secretName: "app-tls" }]);
        expect(ingress.metadata.annotations["cert-manager.io/cluster-issuer"]).toBe("letsencrypt");
        expect(
            custom.every((o) => o.metadata.labels?.["app.kubernetes.io/managed-by"] === "pulumi"),
        ).toBe(true);
    });

    // Rule: with the default unhealthyPodEvictionPolicy (IfHealthyBudget), running pods that are
    // not ready count against the budget, so a Deployment whose pods are all unready (no
    // database yet, a crash loop) blocks every eviction: node drains and upgrades hang.
    // AlwaysAllow lets unready pods go. Field: @pulumi/kubernetes types/input.d.ts
    // policy.v1.PodDisruptionBudgetSpec.unhealthyPodEvictionPolicy ("IfHealthyBudget" |
    // "AlwaysAllow"); alpha 1.26, beta (on by default) 1.27, GA 1.31 (kubernetes/enhancements
    // keps/sig-apps/3017-pod-healthy-policy-for-pdb/kep.yaml).
    // maxUnavailable, never minAvailable: with minReplicas 1, minAvailable 1 forbids every eviction.
    it("keeps a disruption budget of one pod that never blocks a drain", () => {
        expect(find("PodDisruptionBudget").spec).toEqual({
            maxUnavailable: 1,
            selector: { matchLabels: { "app.kubernetes.io/name": "app" } },
            unhealthyPodEvictionPolicy: "AlwaysAllow",
        });
        const single = workloadObjects(
            workloadSpec(
                { image: IMAGE, minReplicas: 1, ingress: { host: "app.example.com" } },
                "gitops",
            ),
        ).find((o) => o.kind === "PodDisruptionBudget") as any;
        expect(single.spec.minAvailable).toBeUndefined();
        expect(single.spec.maxUnavailable).toBe(1);
    });

    // Rule: apps/v1 Deployment spec.selector is immutable ("field is immutable" on update) and
    // must match the template's labels (kubernetes/kubernetes pkg/apis/apps/validation/
    // validation.go ValidateDeploymentSpec / ValidateDeploymentUpdate). The selector therefore
    // holds only the app's name, never a label that differs between appliers (managed-by) or
    // comes from arguments, so a cluster moving from Pulumi to GitOps keeps its Deployment.
    it("selects the pods by a fixed label the template carries, whoever applies them", () => {
        const byPulumi = workloadObjects(
            workloadSpec(
                {
                    image: IMAGE,
                    namespace: "shop",
                    minReplicas: 3,
                    ingress: { host: "shop.example.org", className: "traefik" },
                },
                "pulumi",
            ),
        );
        const selectors = [objects, byPulumi].map((all) => {
            const deployment = all.find((o) => o.kind === "Deployment") as any;
            const { selector, template } = deployment.spec;
            for (const [key, value] of Object.entries(selector.matchLabels)) {
                expect(template.metadata.labels[key]).toBe(value);
            }
            const service = all.find((o) => o.kind === "Service") as any;
            const pdb = all.find((o) => o.kind === "PodDisruptionBudget") as any;
            const hpa = all.find((o) => o.kind === "HorizontalPodAutoscaler") as any;
            expect(service.spec.selector).toEqual(selector.matchLabels);
            expect(pdb.spec.selector).toEqual(selector);
            expect(hpa.spec.scaleTargetRef.name).toBe(deployment.metadata.name);
            return selector;
        });
        expect(selectors[0]).toEqual({ matchLabels: { "app.kubernetes.io/name": "app" } });
        expect(selectors[1]).toEqual(selectors[0]);
        // roleRef is immutable too: the binding always points at the same Role.
        const binding = byPulumi.find((o) => o.kind === "RoleBinding") as any;
        expect(binding.roleRef).toEqual(find("RoleBinding", "app-deployers").roleRef);
    });

    it("serves the app over TLS only, through its ingress", () => {
        const ingress = find("Ingress");
        expect(ingress.spec.tls).toEqual([{ hosts: ["app.example.com"], secretName: "app-tls" }]);
        expect(ingress.metadata.annotations).toMatchObject({
            "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
        });
        expect(ingress.spec.rules[0].http.paths[0].backend).toEqual({
            service: { name: "app", port: { name: "http" } },
        });
        expect(find("Service").spec.type).toBe("ClusterIP");
    });

    // Rule: ingress-nginx refuses an Ingress whose annotations are riskier than
    // `annotations-risk-level` (default "High" since controller 1.12; Critical refused), and
    // ignores `*-snippet` annotations unless `allow-snippet-annotations` is true (false by
    // default since 1.9): kubernetes/ingress-nginx internal/ingress/controller/config/config.go.
    // Risk of each annotation used here: internal/ingress/annotations/rewrite/main.go
    // (ssl-redirect Low, force-ssl-redirect Medium) and ratelimit/main.go (limit-rpm and
    // limit-burst-multiplier Low, validated as integers). The HTTP-01 challenge path stays on
    // plain HTTP despite force-ssl-redirect (`no-tls-redirect-locations` defaults to
    // /.well-known/acme-challenge, same config.go).
    it("uses only ingress-nginx annotations the default controller accepts, with valid values", () => {
        const RISK: Record<string, "Low" | "Medium"> = {
            "nginx.ingress.kubernetes.io/ssl-redirect": "Low",
            "nginx.ingress.kubernetes.io/force-ssl-redirect": "Medium",
            "nginx.ingress.kubernetes.io/limit-rpm": "Low",
            "nginx.ingress.kubernetes.io/limit-burst-multiplier": "Low",
        };
        const withIssuer = workloadObjects(
            workloadSpec(
                { image: IMAGE, ingress: { host: "app.example.com", clusterIssuer: "le" } },
                "gitops",
            ),
        ).find((o) => o.kind === "Ingress")!;
        const annotations = withIssuer.metadata.annotations as Record<string, string>;
        const nginx = Object.keys(annotations).filter((k) =>
            k.startsWith("nginx.ingress.kubernetes.io/"),
        );
        expect(nginx.sort()).toEqual(Object.keys(RISK).sort());
        expect(nginx.filter((k) => k.endsWith("-snippet"))).toEqual([]);
        for (const key of ["ssl-redirect", "force-ssl-redirect"]) {
            expect(annotations[`nginx.ingress.kubernetes.io/${key}`]).toMatch(/^(true|false)$/);
        }
        for (const key of ["limit-rpm", "limit-burst-multiplier"]) {
            expect(annotations[`nginx.ingress.kubernetes.io/${key}`]).toMatch(/^[1-9]\d*$/);
        }
        // The only other annotation is cert-manager's issuer.
        expect(Object.keys(annotations).filter((k) => !nginx.includes(k))).toEqual([
            "cert-manager.io/cluster-issuer",
        ]);
    });

    it("limits each client on the ingress as the AWS web ACL does: n / 5 a minute, a 5-minute burst", () => {
        expect(find("Ingress").metadata.annotations).toMatchObject({
            "nginx.ingress.kubernetes.io/limit-rpm": "400",
            "nginx.ingress.kubernetes.io/limit-burst-multiplier": "5",
        });
        const strict = workloadObjects(
            workloadSpec(
                {
                    image: IMAGE,
                    ingress: { host: "app.example.com" },
                    rateLimit: { requestsPer5Minutes: 12 },
                },
                "gitops",
            ),
        ).find((o) => o.kind === "Ingress")!;
        // Rounded up: a limit of 12 per 5 minutes is 3 a minute, never 2.
        expect(strict.metadata.annotations!["nginx.ingress.kubernetes.io/limit-rpm"]).toBe("3");
        expect(
            validateWorkloadArgs({
                image: IMAGE,
                ingress: { host: "app.example.com" },
                rateLimit: { requestsPer5Minutes: 0.5 },
            }),
        ).toEqual([
            "rateLimit.requestsPer5Minutes must be a whole number of requests of at least 1, got 0.5",
        ]);
    });

    it("lets the app out to HTTPS and its database port only", () => {
        expect(find("NetworkPolicy", "allow-https-and-database-egress").spec.egress).toEqual([
            { ports: [{ protocol: "TCP", port: 443 }] },
            { ports: [{ protocol: "TCP", port: 5432 }] },
        ]);
        const custom = workloadObjects(
            workloadSpec(
                {
                    image: IMAGE,
                    databasePort: 6432,
                    imagePullSecrets: ["ecr-pull"],
                    ingress: { host: "app.example.com" },
                },
                "gitops",
            ),
        ) as any[];
        const egress = custom.find((o) => o.metadata.name === "allow-https-and-database-egress");
        expect(egress.spec.egress[1]).toEqual({ ports: [{ protocol: "TCP", port: 6432 }] });
        const pod = custom.find((o) => o.kind === "Deployment").spec.template.spec;
        expect(pod.imagePullSecrets).toEqual([{ name: "ecr-pull" }]);
        expect(find("Deployment").spec.template.spec.imagePullSecrets).toBeUndefined();
    });

    // Rule: a NetworkPolicy ingress rule without `from` matches all sources (every pod of every
    // namespace; kubernetes.io/docs/concepts/services-networking/network-policies). The app is
    // reached only through the ingress controller, which proxies to the pods' own address and
    // port, so only the controller's namespace is admitted, selected by the
    // `kubernetes.io/metadata.name` label the API server sets on every namespace (KEP-2161:
    // beta 1.21, GA 1.22; kubernetes/enhancements keps/sig-api-machinery/
    // 2161-apiserver-default-labels/kep.yaml). Namespace and pod selector in one peer: both match.
    it("denies all traffic, then lets in TCP 5001 from the ingress controller's namespace only", () => {
        expect(find("NetworkPolicy", "default-deny").spec).toEqual({
            podSelector: {},
            policyTypes: ["Ingress", "Egress"],
        });
        const ingressPolicies = objects.filter(
            (o) => o.kind === "NetworkPolicy" && (o as any).spec.policyTypes.includes("Ingress"),
        );
        expect(ingressPolicies.map((o) => o.metadata.name)).toEqual([
            "default-deny",
            "allow-app-ingress",
        ]);
        expect(find("NetworkPolicy", "allow-app-ingress").spec.ingress).toEqual([
            {
                from: [
                    {
                        namespaceSelector: {
                            matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" },
                        },
                    },
                ],
                ports: [{ protocol: "TCP", port: 5001 }],
            },
        ]);
        const custom = workloadObjects(
            workloadSpec(
                {
                    image: IMAGE,
                    ingress: {
                        host: "app.example.com",
                        className: "traefik",
                        controllerNamespace: "kube-system",
                        controllerPodLabels: { "app.kubernetes.io/name": "traefik" },
                    },
                },
                "gitops",
            ),
        ).find((o) => o.metadata.name === "allow-app-ingress") as any;
        expect(custom.spec.ingress[0].from).toEqual([
            {
                namespaceSelector: {
                    matchLabels: { "kubernetes.io/metadata.name": "kube-system" },
                },
                podSelector: { matchLabels: { "app.kubernetes.io/name": "traefik" } },
            },
        ]);
    });

    // Rule: cert-manager answers an HTTP-01 challenge from a pod it creates in the Ingress's
    // namespace (generateName cm-acme-http-solver-), labelled acme.cert-manager.io/http01-solver
    // "true" and listening on 8089 (cert-manager/cert-manager pkg/issuer/acme/http/pod.go
    // buildDefaultPod, pkg/apis/acme/v1/types.go SolverIdentificationLabelKey,
    // pkg/issuer/acme/http/http.go acmeSolverListenPort), reached by the ingress controller
    // through a solver Ingress of the same class. cert-manager creates no NetworkPolicy, so
    // under default-deny the challenge fails unless the namespace admits it. The solver only
    // answers: no egress policy selects it, so default-deny keeps it without egress.
    it("admits cert-manager's HTTP-01 solver from the ingress controller on 8089, only with an issuer", () => {
        const withIssuer = workloadObjects(
            workloadSpec(
                {
                    image: IMAGE,
                    ingress: {
                        host: "app.example.com",
                        clusterIssuer: "letsencrypt",
                        controllerNamespace: "ingress",
                    },
                },
                "gitops",
            ),
        ) as any[];
        const solver = withIssuer.find((o) => o.metadata.name === "allow-acme-http01-solver");
        expect(solver.spec).toEqual({
            podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [
                        {
                            namespaceSelector: {
                                matchLabels: { "kubernetes.io/metadata.name": "ingress" },
                            },
                        },
                    ],
                    ports: [{ protocol: "TCP", port: 8089 }],
                },
            ],
        });
        // No egress for the solver: the only egress policies select every pod for DNS, and
        // the app's pods (not the solver's) for HTTPS and the database.
        const egress = withIssuer.filter(
            (o) => o.kind === "NetworkPolicy" && o.spec.policyTypes.includes("Egress"),
        );
        for (const policy of egress.filter((p) => p.metadata.name !== "default-deny")) {
            const labels = policy.spec.podSelector.matchLabels ?? {};
            expect(labels["acme.cert-manager.io/http01-solver"]).toBeUndefined();
        }
        // Without an issuer there is no solver, and no opening for one.
        expect(objects.some((o) => o.metadata.name === "allow-acme-http01-solver")).toBe(false);
    });

    it("grants deployers explicit verbs and resources: no wildcards, no Secrets, no RBAC", () => {
        const rules = find("Role", "app-deployer").rules as {
            apiGroups: string[];
            resources: string[];
            verbs: string[];
        }[];
        const every = rules.flatMap((r) => [...r.apiGroups, ...r.resources, ...r.verbs]);
        expect(every.filter((v) => v.includes("*"))).toEqual([]);
        expect(rules.flatMap((r) => r.resources)).not.toContain("secrets");
        expect(rules.flatMap((r) => r.apiGroups)).not.toContain("rbac.authorization.k8s.io");
        expect(find("RoleBinding", "app-deployers")).toMatchObject({
            roleRef: { kind: "Role", name: "app-deployer" },
            subjects: [{ kind: "Group", name: "app-deployers" }],
        });
    });
});

describe("validateWorkloadArgs", () => {
    it("accepts the defaults", () => {
        expect(
            validateWorkloadArgs({ image: IMAGE, ingress: { host: "app.example.com" } }),
        ).toEqual([]);
    });

    it("names every bad argument: reversed bounds, a tag instead of a digest, a bad host", () => {
        expect(
            validateWorkloadArgs({
                image: "registry.example.com/app:latest",
                minReplicas: 5,
                maxReplicas: 2,
                ingress: { host: "localhost" },
            }),
        ).toEqual([
            "image 'registry.example.com/app:latest' must be pinned by digest: <registry>/<repository>@sha256:<64 hex digits>, never a tag such as latest",
            "minReplicas (5) is greater than maxReplicas (2): the bounds are reversed; swap them or raise maxReplicas",
            "ingress.host 'localhost' must be a fully qualified DNS name such as app.example.com",
        ]);
    });

    // Rule: GKE's ingress controller serves an Ingress only through the kubernetes.io/ingress.class
    // annotation (gce, gce-internal, gce-regional-external) and skips any Ingress that sets
    // spec.ingressClassName (kubernetes/ingress-gce pkg/utils/utils.go IsGCEIngress,
    // pkg/annotations/ingress.go); its load balancer would also reach the pods from Google's
    // ranges (35.191.0.0/16, 130.211.0.0/22 or a proxy-only subnet;
    // cloud.google.com/load-balancing/docs/firewall-rules), not from a controller namespace.
    it("refuses GKE's own ingress classes, which ingressClassName cannot select", () => {
        for (const className of ["gce", "gce-internal", "gce-regional-external"]) {
            expect(
                validateWorkloadArgs({
                    image: IMAGE,
                    ingress: { host: "app.example.com", className },
                }),
            ).toEqual([
                `ingress.className '${className}' is GKE's own ingress controller, which ignores an Ingress that sets spec.ingressClassName (kubernetes/ingress-gce IsGCEIngress) and reaches the pods from Google's load-balancer ranges: run an ingress controller in the cluster (e.g. ingress-nginx, class nginx) and name its class`,
            ]);
        }
    });

    // Rule: NetworkPolicy validation refuses a namespace selector value or pod label that is not
    // a valid label (kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/util/validation
    // IsQualifiedName / IsValidLabelValue).
    it("names a bad controller namespace or pod label", () => {
        expect(
            validateWorkloadArgs({
                image: IMAGE,
                ingress: {
                    host: "app.example.com",
                    controllerNamespace: "Ingress_NGINX",
                    controllerPodLabels: {
                        "app.kubernetes.io/name": "ingress-nginx",
                        "bad key!": "x",
                        tier: "-edge",
                    },
                },
            }),
        ).toEqual([
            "ingress.controllerNamespace 'Ingress_NGINX' must be a namespace name (a DNS label), e.g. ingress-nginx",
            "ingress.controllerPodLabels: 'bad key!: x' is not a valid label (key [prefix/]name, value up to 63 of A-Z a-z 0-9 - _ .): the API server refuses the NetworkPolicy",
            "ingress.controllerPodLabels: 'tier: -edge' is not a valid label (key [prefix/]name, value up to 63 of A-Z a-z 0-9 - _ .): the API server refuses the NetworkPolicy",
        ]);
    });

    // Rules: a container request above its limit makes the API server refuse the Deployment
    // (kubernetes/kubernetes pkg/apis/core/validation/validation.go
    // ValidateResourceRequirements: "must be less than or equal to cpu limit"); a limit above
    // the namespace LimitRange's max, or pods beyond the ResourceQuota, are refused at pod
    // creation (plugin/pkg/admission/limitranger, plugin/pkg/admission/resourcequota:
    // "exceeded quota"), so the Deployment applies but never runs, or stops scaling. A rollout
    // at maxReplicas runs one surge pod more (maxSurge 1), and cert-manager's solver (defaults
    // 10m/64Mi requests, 100m/64Mi limits: cert-manager
    // internal/apis/config/controller/v1alpha1/defaults.go) runs in the same namespace.
    it("refuses resources the API server would refuse: request over limit, limit over the LimitRange, scale over the quota", () => {
        expect(
            validateWorkloadArgs({
                image: IMAGE,
                requests: { cpu: "1", memory: "128Mi" },
                limits: { cpu: "500m", memory: "8Gi" },
                ingress: { host: "app.example.com" },
            }),
        ).toEqual([
            "requests.cpu (1) is more than limits.cpu (500m): the API server refuses the Deployment (a request must be less than or equal to its limit); lower the request or raise the limit",
            "maxReplicas (10) with requests.cpu 1 does not fit the namespace quota: a rollout at full scale runs 11 app pods, 11000m of requests.cpu where the quota allows 4; the API server refuses the pods beyond it (exceeded quota): lower maxReplicas or requests.cpu",
            "limits.memory (8Gi) is more than the namespace's LimitRange allows a container (4Gi): the API server refuses every pod; lower it",
            "maxReplicas (10) with limits.memory 8Gi does not fit the namespace quota: a rollout at full scale runs 11 app pods, 90112Mi of limits.memory where the quota allows 16Gi; the API server refuses the pods beyond it (exceeded quota): lower maxReplicas or limits.memory",
        ]);
        // 15 replicas of 500m fit 8 cores (16 × 500m = 8000m) without the solver, not with it.
        const at15 = { image: IMAGE, maxReplicas: 15, ingress: { host: "app.example.com" } };
        expect(validateWorkloadArgs(at15)).toEqual([]);
        expect(
            validateWorkloadArgs({
                ...at15,
                ingress: { ...at15.ingress, clusterIssuer: "letsencrypt" },
            }),
        ).toEqual([
            "maxReplicas (15) with limits.cpu 500m does not fit the namespace quota: a rollout at full scale runs 16 app pods and cert-manager's HTTP-01 solver, 8100m of limits.cpu where the quota allows 8; the API server refuses the pods beyond it (exceeded quota): lower maxReplicas or limits.cpu",
        ]);
        expect(
            validateWorkloadArgs({
                image: IMAGE,
                maxReplicas: 50,
                requests: { cpu: "10m", memory: "16Mi" },
                limits: { cpu: "50m", memory: "32Mi" },
                ingress: { host: "app.example.com" },
            }),
        ).toEqual([
            "maxReplicas (50) does not fit the namespace quota: a rollout at full scale runs 51 app pods, more than the 50 pods it allows; lower maxReplicas",
        ]);
    });
    // The config's message for the same reversed bounds: tests/config/app.test.ts.
});

describe("gitops/workload", () => {
    it("is exactly what the function renders from the release in Pulumi.yaml", () => {
        const committed = fs.readFileSync(path.join(PROJECT_DIR, WORKLOAD_FILE), "utf8");
        expect(committed).toBe(renderWorkload(PROJECT_DIR));
        const docs = YAML.parseAllDocuments(committed).map((d) => d.toJS() as KubeObject);
        expect(docs).toEqual(
            workloadObjects(workloadSpec(projectApp(PROJECT_DIR), "gitops")) as unknown[],
        );
    });

    it("runs the released image by digest", () => {
        const committed = fs.readFileSync(path.join(PROJECT_DIR, WORKLOAD_FILE), "utf8");
        expect(committed).toContain(`image: ${projectApp(PROJECT_DIR).image}`);
        expect(committed).not.toMatch(/:latest\b/);
    });

    it("refuses to render a release the cluster would refuse", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-invalid-"));
        const yaml = fs
            .readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")
            .replace(
                "requests: { cpu: 100m, memory: 128Mi }",
                "requests: { cpu: 900m, memory: 128Mi }",
            );
        expect(yaml).toContain("cpu: 900m");
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yaml);
        // Well-formed config, but the API server refuses a request above its limit (500m).
        expect(() => renderWorkload(dir)).toThrow(
            `${path.join(dir, "Pulumi.yaml")}: the app release cannot be rendered into gitops/workload/app.yaml:\n  - `,
        );
    });

    it("`npm run gitops -- --check` fails when the release changes and the file is not re-rendered", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-check-"));
        const yaml = fs
            .readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")
            .replace("maxReplicas: 10", "maxReplicas: 12");
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yaml);
        fs.mkdirSync(path.join(dir, "gitops", "workload"), { recursive: true });
        fs.copyFileSync(path.join(PROJECT_DIR, WORKLOAD_FILE), path.join(dir, WORKLOAD_FILE));
        // The command itself, as Deployments and CI run it.
        const tsx = path.join(PROJECT_DIR, "node_modules", ".bin", "tsx");
        const script = path.join(PROJECT_DIR, "tools", "gitops.ts");
        const check = spawnSync(tsx, [script, "--check", "--cwd", dir], { encoding: "utf8" });
        expect(check.status).toBe(1);
        expect(check.stderr).toContain(
            "gitops/workload/app.yaml is not what components/app/Workload.ts renders from Pulumi.yaml: run `npm run gitops`",
        );
        // Rendering brings it back in sync (the same main, in this process).
        const printed: string[] = [];
        const io = { out: (t: string) => printed.push(t), err: (t: string) => printed.push(t) };
        expect(gitops(["--cwd", dir], io)).toBe(0);
        expect(printed).toEqual(["wrote gitops/workload/app.yaml\n"]);
        expect(gitops(["--check", "--cwd", dir], io)).toBe(0);
        expect(fs.readFileSync(path.join(dir, WORKLOAD_FILE), "utf8")).toContain("maxReplicas: 12");
    });
});

describe("Workload applied by Pulumi to the GKE clusters of a stack", () => {
    let dev: PlanResult;
    let prod: PlanResult;
    beforeAll(async () => {
        dev = await planStack("dev");
        prod = await planStack("prod");
    }, 120_000);

    it("applies the same objects as gitops/, managed-by pulumi, running the image built into Artifact Registry", () => {
        expect(dev.errors).toEqual([]);
        const workload = one(dev, "multicloud:app:Workload", "dev-gke-app");
        const children = dev.resources.filter((r) => r.parent === workload.urn);
        const gcpRef = (dev.outputs.app as { built: { refs: { gcp: string } } }).built.refs.gcp;
        expect(gcpRef).toMatch(
            /^europe-west1-docker\.pkg\.dev\/multicloud-dev-000000\/multicloud-app\/app@sha256:[0-9a-f]{64}$/,
        );
        const expected = workloadObjects(
            // dev builds for linux/amd64 alone: its pods require amd64 nodes.
            workloadSpec(
                { ...projectApp(PROJECT_DIR), image: gcpRef, architectures: ["amd64"] },
                "pulumi",
            ),
        );
        // Registration order follows when inputs resolve; the set is what counts.
        expect(
            children.map((c) => `${c.inputs.kind} ${(c.inputs.metadata as any).name}`).sort(),
        ).toEqual(expected.map((o) => `${o.kind} ${o.metadata.name}`).sort());
        for (const object of expected) {
            const child = children.find(
                (c) =>
                    c.inputs.kind === object.kind &&
                    (c.inputs.metadata as any).name === object.metadata.name,
            )!;
            // Pulumi does not wait for readiness without a database (Deployment, Service), nor
            // for an ingress controller's address (Ingress); nothing else differs.
            const skip = ["Deployment", "Service", "Ingress"].includes(object.kind);
            expect(child.inputs).toEqual({
                ...object,
                metadata: {
                    ...object.metadata,
                    ...(skip
                        ? {
                              annotations: {
                                  ...object.metadata.annotations,
                                  "pulumi.com/skipAwait": "true",
                              },
                          }
                        : {}),
                },
            });
        }
    });

    it("goes through the cluster's own provider, built from its secret kubeconfig", () => {
        const provider = one(dev, "pulumi:providers:kubernetes", "dev-gke-k8s");
        expect(provider.secretPaths).toContain("kubeconfig");
        expect(String(provider.inputs.kubeconfig)).toContain("gke-gcloud-auth-plugin");
        const workload = one(dev, "multicloud:app:Workload", "dev-gke-app");
        const children = dev.resources.filter((r) => r.parent === workload.urn);
        expect(children.every((c) => c.provider?.startsWith(provider.urn))).toBe(true);
        const cluster = one(dev, "multicloud:gcp:GkeCluster", "dev-gke");
        // Every object goes through the provider, and the provider waits for the whole cluster
        // (node pool included): the engine creates a resource only once its provider is ready.
        expect(waitsFor(dev, provider, cluster)).toBe(true);
    });

    it("creates the namespace before everything in it", () => {
        const workload = one(dev, "multicloud:app:Workload", "dev-gke-app");
        const children = dev.resources.filter((r) => r.parent === workload.urn);
        const namespace = children.find((c) => c.inputs.kind === "Namespace")!;
        for (const c of children.filter((x) => x !== namespace)) {
            expect(c.dependencies).toContain(namespace.urn);
        }
    });

    // A Config Sync folder that holds gitops/workload is refused by the config before any plan:
    // tests/config/app.test.ts.
    // Config Sync must never hold the objects Pulumi applies (two appliers of one object revert
    // each other): each GKE cluster the app is applied to syncs only gitops/cluster, and its
    // objects are applied only once that narrower sync is in place. Whatever the fleet's
    // Config Sync model (fleet default or one FeatureMembership per member), this holds for
    // the membership each cluster's Kubernetes provider waits for.
    it("has each GKE cluster the app is applied to sync only the baseline, before the app", () => {
        for (const plan of [dev, prod]) {
            const workloads = ofType(plan, "multicloud:app:Workload");
            expect(workloads.length).toBeGreaterThan(0);
            for (const workload of workloads) {
                const child = plan.resources.find((r) => r.parent === workload.urn)!;
                const provider = plan.resources.find(
                    (r) =>
                        r.type === "pulumi:providers:kubernetes" &&
                        child.provider?.startsWith(r.urn),
                )!;
                const memberships = ofType(
                    plan,
                    "gcp:gkehub/featureMembership:FeatureMembership",
                ).filter((m) => provider.dependencies.includes(m.urn));
                expect(memberships).toHaveLength(1);
                expect(
                    (memberships[0].inputs as any).configmanagement.configSync.git.policyDir,
                ).toBe("gitops/cluster");
            }
        }
        // Flux on every Arc-connected site (the fleet's policy) takes the baseline and the workload.
        const flux = one(
            prod,
            "azure-native:authorization:PolicyAssignment",
            "arc-governance-flux-gitops",
        );
        expect(flux.inputs.parameters).toMatchObject({ kustomizationPath: { value: "./gitops" } });
    });

    it("stores the database URL as a secret in each prod cluster, and never in gitops/", () => {
        for (const cluster of ["prod-eu", "prod-us"]) {
            const secret = one(
                prod,
                "kubernetes:core/v1:Secret",
                `${cluster}-app-secret-app-database`,
            );
            expect(secret.secretPaths.some((p) => p.startsWith("stringData"))).toBe(true);
            expect(JSON.stringify(secret.inputs.stringData)).toContain("url");
            const deployment = one(
                prod,
                "kubernetes:apps/v1:Deployment",
                `${cluster}-app-deployment-app`,
            );
            expect(deployment.dependencies).toContain(secret.urn);
            // The pod reads that Secret as a file, never through its environment.
            const pod = (deployment.inputs.spec as any).template.spec;
            expect(pod.volumes).toContainEqual({
                name: "database",
                secret: expect.objectContaining({
                    secretName: (secret.inputs.metadata as any).name,
                    items: [{ key: "url", path: "url" }],
                }),
            });
            expect(pod.containers[0].env).toEqual([
                { name: "DATABASE_URL_FILE", value: "/var/run/secrets/app-database/url" },
            ]);
            // With a database, `pulumi up` waits for the rollout to be ready.
            expect((deployment.inputs.metadata as any).annotations).toBeUndefined();
        }
        expect(ofType(dev, "kubernetes:core/v1:Secret")).toEqual([]);
        const committed = fs.readFileSync(path.join(PROJECT_DIR, WORKLOAD_FILE), "utf8");
        expect(committed).not.toMatch(/kind: Secret/);
    });
});

describe("architectures", () => {
    const deploymentOf = (architectures?: ("amd64" | "arm64")[]) =>
        workloadObjects(
            workloadSpec(
                { image: IMAGE, ingress: { host: "app.example.com" }, architectures },
                "pulumi",
            ),
        ).find((o) => o.kind === "Deployment") as KubeObject & Record<string, any>;

    it("places pods only on nodes of the image's architectures, and tolerates GKE's arm64 taint", () => {
        // GKE taints every Arm node kubernetes.io/arch=arm64:NoSchedule; a pod without the
        // toleration stays Pending on an Arm-only cluster (cloud.google.com/kubernetes-engine/
        // docs/how-to/prepare-arm-workloads-for-deployment).
        const pod = deploymentOf(["amd64", "arm64"]).spec.template.spec;
        expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual({
            nodeSelectorTerms: [
                {
                    matchExpressions: [
                        { key: "kubernetes.io/arch", operator: "In", values: ["amd64", "arm64"] },
                    ],
                },
            ],
        });
        expect(pod.tolerations).toEqual([
            { key: "kubernetes.io/arch", operator: "Equal", value: "arm64", effect: "NoSchedule" },
        ]);
        // An amd64-only image never lands on an Arm node, and does not tolerate its taint.
        const amd = deploymentOf(["amd64"]).spec.template.spec;
        expect(
            amd.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution
                .nodeSelectorTerms[0].matchExpressions[0].values,
        ).toEqual(["amd64"]);
        expect(amd.tolerations).toBeUndefined();
        // Unknown (the rendered GitOps release): no constraint.
        expect(deploymentOf().spec.template.spec.affinity).toBeUndefined();
    });
});
