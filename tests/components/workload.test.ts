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
import {
    KubeObject,
    validateWorkloadArgs,
    workloadObjects,
    workloadSpec,
} from "../../components/app/Workload";
import { parseAppConfig } from "../../config";
import { renderWorkload, projectApp, WORKLOAD_FILE } from "../../plan/gitops";
import type { PlanResult } from "../../plan/run";
import { ofType, one, planStack, PROJECT_DIR, waitsFor } from "../harness";

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

    it("runs the app as UID 1001, non-root, read-only, without capabilities, under RuntimeDefault", () => {
        const pod = find("Deployment").spec.template.spec;
        expect(pod.securityContext).toMatchObject({
            runAsNonRoot: true,
            runAsUser: 1001,
            seccompProfile: { type: "RuntimeDefault" },
        });
        const [container] = pod.containers;
        expect(container.image).toBe(IMAGE);
        expect(container.securityContext).toEqual({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            runAsUser: 1001,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        });
        // The only writable path is an in-memory /tmp (gunicorn's worker heartbeats).
        expect(container.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
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
        // DATABASE_URL from the Secret, optional: without it the app runs and is not ready.
        expect(container.env).toEqual([
            {
                name: "DATABASE_URL",
                valueFrom: { secretKeyRef: { name: "app-database", key: "url", optional: true } },
            },
        ]);
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

    it("keeps a disruption budget of one pod", () => {
        expect(find("PodDisruptionBudget").spec).toEqual({
            maxUnavailable: 1,
            selector: { matchLabels: { "app.kubernetes.io/name": "app" } },
        });
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

    it("denies all traffic, then lets in TCP 5001 only", () => {
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
            { ports: [{ protocol: "TCP", port: 5001 }] },
        ]);
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

    it("rejects reversed replica bounds in stack config too, naming the key", () => {
        expect(() =>
            parseAppConfig(
                {
                    image: IMAGE,
                    minReplicas: 4,
                    maxReplicas: 3,
                    ingress: { host: "a.example.com" },
                },
                "multicloud",
            ),
        ).toThrow(
            "multicloud:app.minReplicas (4) is greater than app.maxReplicas (3): the bounds are reversed; swap them or raise app.maxReplicas",
        );
    });
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

    it("`npm run gitops -- --check` fails when the release changes and the file is not re-rendered", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gitops-check-"));
        const yaml = fs
            .readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")
            .replace("maxReplicas: 10", "maxReplicas: 12");
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yaml);
        fs.mkdirSync(path.join(dir, "gitops", "workload"), { recursive: true });
        fs.copyFileSync(path.join(PROJECT_DIR, WORKLOAD_FILE), path.join(dir, WORKLOAD_FILE));
        const tsx = path.join(PROJECT_DIR, "node_modules", ".bin", "tsx");
        const script = path.join(PROJECT_DIR, "plan", "gitops.ts");
        const check = spawnSync(tsx, [script, "--check", "--cwd", dir], { encoding: "utf8" });
        expect(check.status).toBe(1);
        expect(check.stderr).toContain(
            "gitops/workload/app.yaml is not what components/app/Workload.ts renders from Pulumi.yaml: run `npm run gitops`",
        );
        // Rendering brings it back in sync.
        expect(spawnSync(tsx, [script, "--cwd", dir], { encoding: "utf8" }).status).toBe(0);
        expect(spawnSync(tsx, [script, "--check", "--cwd", dir], { encoding: "utf8" }).status).toBe(
            0,
        );
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
            workloadSpec({ ...projectApp(PROJECT_DIR), image: gcpRef }, "pulumi"),
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

    it("refuses a GKE cluster folder that holds the rendered app, which Pulumi applies itself", async () => {
        const plan = await planStack("dev", {
            "gcp.clusters[0].configSyncPolicyDir": "gitops",
            "gcp.configSync.baselinePolicyDir": "./gitops/",
        });
        expect(plan.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
        const message = plan.errors.join("\n");
        expect(message).toContain(
            "multicloud:gcp.configSync.baselinePolicyDir ('./gitops/') contains gitops/workload, but Pulumi applies the app to the GKE clusters of this stack itself: point it at the baseline (gitops/cluster) or another folder without the app",
        );
        expect(message).toContain(
            "multicloud:gcp.clusters[0].configSyncPolicyDir ('gitops') contains gitops/workload",
        );
    }, 60_000);

    it("has the GKE clusters sync only the baseline, while the fleet syncs the whole tree", () => {
        const feature = ofType(dev, "gcp:gkehub/feature:Feature")[0];
        expect(
            (feature.inputs as any).fleetDefaultMemberConfig.configmanagement.configSync.git
                .policyDir,
        ).toBe("gitops");
        const override = ofType(dev, "gcp:gkehub/featureMembership:FeatureMembership");
        expect(override).toHaveLength(1);
        expect((override[0].inputs as any).configmanagement.configSync.git.policyDir).toBe(
            "gitops/cluster",
        );
        // The app is applied only once Config Sync is narrowed to the baseline: every object
        // goes through the cluster's provider, which waits for the narrowing.
        const narrowed = one(dev, "multicloud:gcp:ConfigSyncOverride", "config-sync-dev-gke");
        expect(
            waitsFor(dev, one(dev, "pulumi:providers:kubernetes", "dev-gke-k8s"), narrowed),
        ).toBe(true);
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
            // With a database, `pulumi up` waits for the rollout to be ready.
            expect((deployment.inputs.metadata as any).annotations).toBeUndefined();
        }
        expect(ofType(dev, "kubernetes:core/v1:Secret")).toEqual([]);
        const committed = fs.readFileSync(path.join(PROJECT_DIR, WORKLOAD_FILE), "utf8");
        expect(committed).not.toMatch(/kind: Secret/);
    });
});
