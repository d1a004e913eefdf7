/**
 * The released image's pull secret on every cluster GitOps feeds: edge sites and attached
 * clusters pull a private image with no cloud identity, so Pulumi writes the credential into each
 * through the cluster's own provider, and the GitOps-rendered Deployment names it.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import {
    dockerConfigJson,
    validateRegistryPullSecretArgs,
} from "../../components/app/RegistryPullSecret";
import type { PlanResult } from "../../plan/run";
import { one, ofType, planStack, PROJECT_DIR, providerInputs } from "../harness";

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
        const source = fs.readFileSync(
            path.join(PROJECT_DIR, "components", "app", "RegistryPullSecret.ts"),
            "utf8",
        );
        expect(source).toContain("retainOnDelete: true");
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
