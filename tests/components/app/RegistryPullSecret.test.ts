/**
 * The released image's pull secret on every cluster GitOps feeds: edge sites and attached
 * clusters pull a private image with no cloud identity, so Pulumi writes the credential into each
 * through the cluster's own provider, and the GitOps-rendered Deployment names it.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type * as RegistryPullSecretModule from "../../../components/app/RegistryPullSecret";
import type { PlanResult } from "../../../plan/run";
import {
    created,
    one,
    ofType,
    planComponents,
    planStack,
    PROJECT_DIR,
    providerInputs,
    workerModule,
} from "../../harness";

/** The component's module as the plans load it: its secret's content and checks, called directly. */
const { dockerConfigJson, validateRegistryPullSecretArgs } = workerModule<
    typeof RegistryPullSecretModule
>("components/app/RegistryPullSecret");

const T = {
    pull: "multicloud:app:RegistryPullSecret",
    secret: "kubernetes:core/v1:Secret",
    namespace: "kubernetes:core/v1:Namespace",
    edge: "multicloud:edge:EdgeCluster",
};
const SITES = ["store-0042", "factory-eu-1"];

describe("the prod stack's edge sites", () => {
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await planStack("prod");
        expect(plan.errors).toEqual([]);
    }, 120_000);

    it("gets a dockerconfigjson Secret for the released image's registry, through a provider of the site's kubeconfig", () => {
        for (const site of SITES) {
            const secret = one(plan, T.secret, `${site}-pull`);
            // Its own provider, from the site's secret kubeconfig, adopting an object GitOps may
            // have created first: since @pulumi/kubernetes 4.29 a create of an existing object
            // fails with AlreadyExists unless upsertExistingObjects is set
            // (pulumi/pulumi-kubernetes#2926, release notes of v4.29.0).
            const provider = one(plan, "pulumi:providers:kubernetes", `${site}-pull-k8s`);
            const site_ = one(plan, "pulumi:providers:kubernetes", `${site}-k8s`);
            expect(secret.provider?.startsWith(provider.urn)).toBe(true);
            // The SDK sends a provider's scalar inputs as strings.
            expect(providerInputs(provider)).toMatchObject({
                enableServerSideApply: "true",
                upsertExistingObjects: "true",
            });
            expect(providerInputs(provider).kubeconfig).toBe(providerInputs(site_).kubeconfig);
            expect(provider.secretPaths).toContain("kubeconfig");
            expect(secret.inputs).toMatchObject({
                type: "kubernetes.io/dockerconfigjson",
                metadata: { name: "app-registry", namespace: "app" },
            });
            // The kubelet reads auths.<registry host> (kubernetes.io/docs/concepts/containers/
            // images/#config-json): the host of app.image, with user, password and auth.
            const config = JSON.parse(
                (secret.inputs.stringData as Record<string, string>)[".dockerconfigjson"],
            );
            expect(Object.keys(config.auths)).toEqual(["multicloudfleet.azurecr.io"]);
            expect(config.auths["multicloudfleet.azurecr.io"].username).toBe("app-pull");
            // The password is a secret all the way to the provider.
            expect(secret.secretPaths).toContain("stringData");
            // After the site (connected cluster and agents) exists.
            expect(secret.dependencies.length).toBeGreaterThan(0);
        }
    });

    it("creates the app namespace by name alone and never deletes it", () => {
        for (const site of SITES) {
            const ns = one(plan, T.namespace, `${site}-pull-ns`);
            // Only the name: GitOps owns the labels (Pod Security), so the two never conflict
            // under server-side apply.
            expect(ns.inputs).toEqual({
                apiVersion: "v1",
                kind: "Namespace",
                metadata: { name: "app" },
            });
        }
        // Never deleted by Pulumi: the app lives in it (a delete only forgets it).
        for (const site of SITES) {
            expect(one(plan, T.namespace, `${site}-pull-ns`).retainOnDelete).toBe(true);
        }
    });

    it("is what the rendered GitOps Deployment pulls with", () => {
        const rendered = fs.readFileSync(
            path.join(PROJECT_DIR, "gitops/workload/app.yaml"),
            "utf8",
        );
        expect(rendered).toMatch(/imagePullSecrets:\n\s+- name: app-registry/);
        expect(ofType(plan, T.pull)).toHaveLength(SITES.length);
        // A pod pulls only with a Secret of its own namespace: the secret's default namespace
        // (DEFAULT_APP_NAMESPACE) is the rendered Deployment's.
        const deployment = YAML.parseAllDocuments(rendered)
            .map((d) => d.toJS() as { kind: string; metadata: { namespace?: string } })
            .find((o) => o.kind === "Deployment");
        for (const site of SITES) {
            expect(one(plan, T.secret, `${site}-pull`).inputs).toMatchObject({
                metadata: { namespace: deployment?.metadata.namespace },
            });
        }
    });

    it("puts the password in no plain output", () => {
        expect(JSON.stringify(plan.outputs)).not.toContain("offline-plan placeholder for secret");
    });
});

describe("RegistryPullSecret's own checks", () => {
    it("writes the kubelet's config.json", () => {
        expect(JSON.parse(dockerConfigJson("r.azurecr.io", "tok", "pw"))).toEqual({
            auths: {
                "r.azurecr.io": {
                    username: "tok",
                    password: "pw",
                    auth: Buffer.from("tok:pw").toString("base64"),
                },
            },
        });
    });
    it("names every bad argument", () => {
        expect(
            validateRegistryPullSecretArgs({
                kubeconfig: "apiVersion: v1",
                server: "https://r.azurecr.io/app",
                username: " ",
                password: "x",
                namespace: "App",
            }),
        ).toEqual([
            "server 'https://r.azurecr.io/app' must be a registry host such as fleet.azurecr.io, without a scheme or path",
            "username is empty: give the token's name",
            "namespace 'App' must be a DNS label (lowercase letters, digits and -, up to 63)",
        ]);
    });
});

describe("RegistryPullSecret planned alone", () => {
    let plan: PlanResult;
    beforeAll(async () => {
        plan = await planComponents((req) => {
            const pulumi = req<typeof import("@pulumi/pulumi")>("@pulumi/pulumi");
            const { RegistryPullSecret } = req<
                typeof import("../../../components/app/RegistryPullSecret")
            >("components/app/RegistryPullSecret");
            // Two clusters, the second with its own namespace and Secret name.
            for (const [name, extra] of [
                ["site-a", {}],
                ["site-b", { namespace: "shop", secretName: "shop-pull" }],
            ] as const) {
                new RegistryPullSecret(name, {
                    kubeconfig: pulumi.secret(`kubeconfig of ${name}`),
                    server: "fleet.azurecr.io",
                    username: "app-pull",
                    password: pulumi.secret("token-password"),
                    ...extra,
                });
            }
        });
    }, 120_000);

    it("names every child after the component, so two clusters never collide", () => {
        expect(plan.errors).toEqual([]);
        for (const site of ["site-a", "site-b"]) {
            const component = one(plan, T.pull, site);
            for (const [type, name] of [
                ["pulumi:providers:kubernetes", `${site}-k8s`],
                [T.namespace, `${site}-ns`],
                [T.secret, site],
            ]) {
                expect(one(plan, type, name).parent).toBe(component.urn);
            }
        }
    });

    it("writes the Secret into the namespace it is given, under the name it is given", () => {
        expect(one(plan, T.secret, "site-a").inputs.metadata).toEqual({
            name: "app-registry",
            namespace: "app",
        });
        expect(one(plan, T.secret, "site-b").inputs.metadata).toEqual({
            name: "shop-pull",
            namespace: "shop",
        });
        expect(one(plan, T.namespace, "site-b-ns").inputs.metadata).toEqual({ name: "shop" });
        // After its namespace, through the component's own provider.
        const secret = one(plan, T.secret, "site-b");
        expect(secret.dependencies).toContain(one(plan, T.namespace, "site-b-ns").urn);
        expect(
            secret.provider?.startsWith(one(plan, "pulumi:providers:kubernetes", "site-b-k8s").urn),
        ).toBe(true);
    });

    it("keeps the password and the kubeconfig secret", () => {
        const secret = one(plan, T.secret, "site-a");
        expect(secret.secretPaths).toContain("stringData");
        const config = JSON.parse(
            (secret.inputs.stringData as Record<string, string>)[".dockerconfigjson"],
        );
        expect(config.auths["fleet.azurecr.io"]).toEqual({
            username: "app-pull",
            password: "token-password",
            auth: Buffer.from("app-pull:token-password").toString("base64"),
        });
        expect(one(plan, "pulumi:providers:kubernetes", "site-a-k8s").secretPaths).toContain(
            "kubeconfig",
        );
    });

    it("refuses bad arguments before registering anything", async () => {
        const bad = await planComponents((req) => {
            const { RegistryPullSecret } = req<
                typeof import("../../../components/app/RegistryPullSecret")
            >("components/app/RegistryPullSecret");
            new RegistryPullSecret("site-c", {
                kubeconfig: "k",
                server: "https://fleet.azurecr.io",
                username: "u",
                password: "p",
            });
        });
        expect(created(bad)).toEqual([]);
        expect(bad.errors.join("\n")).toContain(
            "RegistryPullSecret 'site-c' has invalid arguments:\n  - server 'https://fleet.azurecr.io' must be a registry host such as fleet.azurecr.io, without a scheme or path",
        );
    }, 60_000);
});
