/**
 * What the engine analyzes beyond the program's own registrations (plan/expand.ts): the objects
 * of a `kubernetes:yaml/v2:ConfigGroup`, which the Kubernetes provider registers as typed
 * resources in a real preview, and a Helm Release as the provider's Check returns it. Then the
 * pack, over the analyzer protocol, reports a violation inside a ConfigGroup against the object.
 */
import { secretValue, UNKNOWN_STRING } from "../../plan/analyzer";
import {
    checkedRelease,
    CONFIG_GROUP_TYPE,
    expandConfigGroup,
    expandConfigGroups,
    typeToken,
} from "../../plan/expand";
import {
    redactSecrets,
    renderVerdict,
    runGate,
    secretValues,
    toAnalyzed,
    toSarif,
} from "../../plan/gate";
import type { RecordedResource } from "../../plan/mocks";
import { one, planStack, PROJECT_DIR } from "../harness";
import { PACK_DIR, usePack } from "./harness";

const STACK = "urn:pulumi:test::fixture::pulumi:pulumi:Stack::fixture-test";
const PROVIDER =
    "urn:pulumi:test::fixture::pulumi:pulumi:Stack$pulumi:providers:kubernetes::site-k8s";
const CRB = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";
const POLICY = "kubernetes-rolebinding-no-cluster-admin";

/** A registration as the mocks record it. */
function recorded(
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    extra: Partial<RecordedResource> = {},
): RecordedResource {
    return {
        urn: `urn:pulumi:test::fixture::pulumi:pulumi:Stack$${type}::${name}`,
        type,
        name,
        custom: !type.startsWith("kubernetes:yaml/"),
        parent: STACK,
        inputs,
        secretPaths: [],
        dependencies: [],
        propertyDependencies: {},
        ignoreChanges: [],
        aliases: [],
        replaceOnChanges: [],
        replaceWith: [],
        ...extra,
    };
}

const provider = (inputs: Record<string, unknown> = {}) =>
    recorded(
        "pulumi:providers:kubernetes",
        "site-k8s",
        { enableServerSideApply: "true", ...inputs },
        {
            urn: PROVIDER,
        },
    );
const group = (inputs: Record<string, unknown>, extra: Partial<RecordedResource> = {}) =>
    recorded(CONFIG_GROUP_TYPE, "site-bootstrap", inputs, { provider: PROVIDER, ...extra });
const expand = (g: RecordedResource, p = provider()) =>
    expandConfigGroup(g, p, { projectDir: PROJECT_DIR });

const MANIFEST = `apiVersion: v1
kind: Namespace
metadata:
  name: installer
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: agent
  namespace: installer
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: agent-admin
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
subjects:
- { kind: ServiceAccount, name: agent, namespace: installer }
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data: { mode: install }
---
`;

describe("a ConfigGroup's objects, as the provider registers them", () => {
    it("registers each object under its type token, named <group>:<namespace>/<name>, under the group and its provider", () => {
        const g = group({ yaml: MANIFEST });
        const { children, notes } = expand(g);
        expect(notes).toEqual([]);
        expect(children.map((c) => [c.type, c.name])).toEqual([
            ["kubernetes:core/v1:Namespace", "site-bootstrap:installer"],
            ["kubernetes:core/v1:ServiceAccount", "site-bootstrap:installer/agent"],
            [CRB, "site-bootstrap:agent-admin"],
            // No namespace: a namespaced kind gets the provider's default namespace.
            ["kubernetes:core/v1:ConfigMap", "site-bootstrap:default/settings"],
        ]);
        for (const c of children) {
            expect(c.parent).toBe(g.urn);
            expect(c.provider).toBe(PROVIDER);
            expect(c.custom).toBe(true);
            expect(c.urn).toBe(
                `urn:pulumi:test::fixture::kubernetes:yaml/v2:ConfigGroup$${c.type}::${c.name}`,
            );
        }
        // The object's fields are the inputs.
        expect(children[2].inputs).toEqual({
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: "agent-admin" },
            roleRef: {
                apiGroup: "rbac.authorization.k8s.io",
                kind: "ClusterRole",
                name: "cluster-admin",
            },
            subjects: [{ kind: "ServiceAccount", name: "agent", namespace: "installer" }],
        });
        expect(children[3].inputs.metadata).toEqual({ name: "settings", namespace: "default" });
        // What lives in a namespace of the group waits for it.
        expect(children[1].dependencies).toEqual([children[0].urn]);
    });

    it("takes the core group as core/v1, lists as their items, objs after yaml, and the resourcePrefix and skipAwait inputs", () => {
        const { children } = expand(
            group({
                yaml: "apiVersion: v1\nkind: List\nitems:\n- { apiVersion: core/v1, kind: Service, metadata: { name: web, namespace: app } }\n",
                objs: [
                    {
                        apiVersion: "v1",
                        kind: "Pod",
                        metadata: { name: "probe", namespace: "app" },
                    },
                ],
                resourcePrefix: "",
                skipAwait: true,
            }),
        );
        expect(children.map((c) => [c.type, c.name])).toEqual([
            ["kubernetes:core/v1:Service", "app/web"],
            ["kubernetes:core/v1:Pod", "app/probe"],
        ]);
        expect(children[0].inputs.apiVersion).toBe("v1");
        expect(children[0].inputs.metadata).toMatchObject({
            annotations: { "pulumi.com/skipAwait": "true" },
        });
        expect(typeToken("v1", "ComponentStatus")).toBe("kubernetes:v1:ComponentStatus");
        // The provider's namespace, else its kubeconfig's context namespace.
        const kubeconfig =
            "apiVersion: v1\nkind: Config\ncurrent-context: a\ncontexts: [{ name: a, context: { cluster: a, user: a, namespace: edge } }]\n";
        expect(
            expand(
                group({ objs: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }] }),
                provider({ kubeconfig }),
            ).children[0].name,
        ).toBe("site-bootstrap:edge/c");
    });

    it("types a custom resource from its apiVersion and kind, scoped by its CRD, and says when the scope is not known offline", () => {
        const crd = {
            apiVersion: "apiextensions.k8s.io/v1",
            kind: "CustomResourceDefinition",
            metadata: { name: "widgets.example.com" },
            spec: {
                group: "example.com",
                scope: "Namespaced",
                names: { kind: "Widget", plural: "widgets" },
            },
        };
        const widget = {
            apiVersion: "example.com/v1",
            kind: "Widget",
            metadata: { name: "w1" },
            spec: { size: 3 },
        };
        const gadget = { apiVersion: "other.io/v1", kind: "Gadget", metadata: { name: "g1" } };
        const { children, notes } = expand(group({ objs: [widget, gadget, crd] }));
        expect(children.map((c) => [c.type, c.name])).toEqual([
            [
                "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
                "site-bootstrap:widgets.example.com",
            ],
            ["kubernetes:example.com/v1:Widget", "site-bootstrap:default/w1"],
            ["kubernetes:other.io/v1:Gadget", "site-bootstrap:g1"],
        ]);
        expect(children[1].dependencies).toEqual([children[0].urn]);
        expect(notes).toEqual([
            expect.stringContaining(
                "whether other.io/v1/Gadget objects are namespaced is not known offline",
            ),
        ]);
    });

    it("registers nothing while the yaml is not known, as the provider does, and says so", () => {
        const g = group({ yaml: { __pulumiUnknown: true } });
        const { children, notes } = expand(g);
        expect(children).toEqual([]);
        expect(notes).toEqual([expect.stringContaining("Preview is incomplete")]);
        // The group itself still goes to AnalyzeStack, its unknown as the engine's sentinel.
        expect(toAnalyzed(g, new Map()).properties).toEqual({ yaml: UNKNOWN_STRING });
    });

    it("reports what it cannot read: a missing file, a URL, a malformed document, an object without a name", () => {
        const { children, notes } = expand(
            group({
                files: ["no/such/manifest.yaml", "https://example.com/m.yaml"],
                yaml: "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n",
            }),
        );
        expect(children).toEqual([]);
        expect(notes).toEqual([
            expect.stringContaining("its file no/such/manifest.yaml cannot be read (ENOENT)"),
            expect.stringContaining("is fetched over the network by a real preview"),
            expect.stringContaining("has no metadata.name"),
        ]);
    });

    it("keeps a Secret's data and a secret the program put in objs secret, for the pack and for the gate's masking", () => {
        const g = group(
            {
                yaml: "apiVersion: v1\nkind: Secret\nmetadata: { name: pull, namespace: installer }\nstringData: { token: registry-token-1234 }\n",
                objs: [
                    {
                        apiVersion: "v1",
                        kind: "ConfigMap",
                        metadata: { name: "agent", namespace: "installer" },
                        data: { key: "onboarding-key-5678", mode: "install" },
                    },
                ],
            },
            { secretPaths: ["objs[0].data.key"] },
        );
        const { children } = expand(g);
        expect(children.map((c) => c.secretPaths)).toEqual([["stringData"], ["data.key"]]);
        const analyzed = children.map((c) => toAnalyzed(c, new Map()));
        expect(analyzed[0].properties.stringData).toEqual(
            secretValue({ token: "registry-token-1234" }),
        );
        expect((analyzed[1].properties.data as Record<string, unknown>).key).toEqual(
            secretValue("onboarding-key-5678"),
        );
        const secrets = secretValues({ resources: [provider(), g] });
        expect(secrets).toEqual(
            expect.arrayContaining(["registry-token-1234", "onboarding-key-5678"]),
        );
        expect(redactSecrets("the token registry-token-1234 leaked", secrets)).toBe(
            "the token [secret] leaked",
        );
        // Mode is not secret.
        expect(secrets).not.toContain("install");
    });

    it("inserts the objects right after their group in the plan's order", () => {
        const g = group({ yaml: MANIFEST });
        const after = recorded("gcp:container/attachedCluster:AttachedCluster", "site", {});
        const { resources, expanded } = expandConfigGroups([provider(), g, after], {
            projectDir: PROJECT_DIR,
        });
        expect(expanded).toBe(4);
        expect(resources.map((r) => r.type)).toEqual([
            "pulumi:providers:kubernetes",
            CONFIG_GROUP_TYPE,
            "kubernetes:core/v1:Namespace",
            "kubernetes:core/v1:ServiceAccount",
            CRB,
            "kubernetes:core/v1:ConfigMap",
            "gcp:container/attachedCluster:AttachedCluster",
        ]);
    });
});

describe("a Helm Release, as the provider's Check returns it", () => {
    const release = (values: unknown, extra: Partial<RecordedResource> = {}) =>
        recorded(
            "kubernetes:helm.sh/v3:Release",
            "site-agents",
            {
                chart: "oci://example/agents",
                compat: "true",
                name: "agents",
                timeout: 900,
                version: "1.0.0",
                values,
            },
            { provider: PROVIDER, secretPaths: ["values"], ...extra },
        );

    it("sends the values as given, secret, with every Release field, the default namespace, and without compat", () => {
        const r = release({ global: { key: "pem-of-the-key" }, guard: { enabled: true } });
        const analyzed = toAnalyzed(r, new Map([[PROVIDER, provider()]]));
        expect(analyzed.properties).toMatchObject({
            chart: "oci://example/agents",
            name: "agents",
            namespace: "default",
            timeout: 900,
            atomic: false,
            createNamespace: false,
            values: secretValue({ global: { key: "pem-of-the-key" }, guard: { enabled: true } }),
        });
        expect(analyzed.properties.compat).toBeUndefined();
        // AnalyzeStack: what the preview's Create reports.
        expect(analyzed.stackProperties).toMatchObject({
            values: analyzed.properties.values,
            status: UNKNOWN_STRING,
            resourceNames: UNKNOWN_STRING,
        });
    });

    it("keeps a value not known yet as the engine's sentinel, and leaves out values wholly unknown", () => {
        const partly = toAnalyzed(
            release({ global: { resourceName: { __pulumiUnknown: true } } }, { secretPaths: [] }),
            new Map(),
        );
        expect(partly.properties.values).toEqual({ global: { resourceName: UNKNOWN_STRING } });
        const whole = checkedRelease(
            release({ __pulumiUnknown: true }, { secretPaths: [] }),
            undefined,
            {
                projectDir: PROJECT_DIR,
            },
        );
        expect(whole.inputs).not.toHaveProperty("values");
        // Without a timeout, the provider's 300 s.
        expect(
            checkedRelease(
                recorded("kubernetes:helm.sh/v3:Release", "r", { chart: "c" }),
                undefined,
                {
                    projectDir: PROJECT_DIR,
                },
            ).inputs.timeout,
        ).toBe(300);
    });
});

describe("the pack on a ConfigGroup's objects", () => {
    const pack = usePack();

    it("reports a ClusterRoleBinding to cluster-admin inside a ConfigGroup against the expanded object", async () => {
        const g = group({ yaml: MANIFEST });
        const { children } = expand(g);
        const crb = children.find((c) => c.type === CRB)!;
        const diagnostics = await pack().analyze(
            toAnalyzed(crb, new Map([[PROVIDER, provider()]])),
        );
        const found = diagnostics.filter((d) => d.policyName === POLICY);
        expect(found).toHaveLength(1);
        expect(found[0].urn).toBe(crb.urn);
        expect(found[0].message).toContain(
            "ClusterRoleBinding 'site-bootstrap:agent-admin' binds cluster-admin to ServiceAccount 'agent'",
        );
        // The group itself, a component, is not analyzed on its own.
        expect(
            (await pack().analyze(toAnalyzed(g, new Map()))).filter((d) => d.policyName === POLICY),
        ).toEqual([]);
    });

    it("the gate reports the attached cluster's bootstrap binding, named, in the printed verdict and the SARIF", async () => {
        const plan = await planStack("dev", {
            "gcp.attachedClusters": [
                {
                    name: "onprem-1",
                    location: "us-west1",
                    distribution: "generic",
                    oidcIssuerUrl: "https://k8s.onprem.example.com",
                    platformVersion: "1.31.0-gke.1",
                    kubeconfig: { secure: "v1:ciphertext-of-the-kubeconfig" },
                },
            ],
        });
        expect(plan.errors).toEqual([]);
        const bootstrap = one(plan, CONFIG_GROUP_TYPE, "onprem-1-attach-bootstrap");
        const verdict = await runGate(plan, { packDir: PACK_DIR });
        expect(verdict.expanded).toBe(4);
        expect(verdict.resources).toBe(plan.resources.length - 1);
        const found = verdict.diagnostics.filter((d) => d.policyName === POLICY);
        expect(found).toEqual([
            expect.objectContaining({
                type: CRB,
                name: "onprem-1-attach-bootstrap:gke-install-onprem-1",
                urn: `urn:pulumi:dev::multicloud::kubernetes:yaml/v2:ConfigGroup$${CRB}::onprem-1-attach-bootstrap:gke-install-onprem-1`,
                enforcementLevel: "mandatory",
            }),
        ]);
        expect(bootstrap.urn).toContain("ConfigGroup::onprem-1-attach-bootstrap");
        expect(renderVerdict(verdict, plan)).toContain(
            `${POLICY}  ${CRB} onprem-1-attach-bootstrap:gke-install-onprem-1`,
        );
        const sarif = toSarif(verdict, plan);
        const result = sarif.runs[0].results!.find((r) => r.ruleId === POLICY)!;
        expect(result.locations![0].logicalLocations![0].fullyQualifiedName).toBe(found[0].urn);
    }, 120_000);
});
