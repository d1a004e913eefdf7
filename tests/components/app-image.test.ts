/**
 * The app image: one build pushed to every enabled cloud's registry (ECR, Artifact Registry,
 * ACR), each registry hardened and created by the program, credentials from each cloud's SDK,
 * refs by digest flowing to the fleet; and the errors for bad arguments.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- these tests read deep into untyped provider inputs and Kubernetes objects */
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { ACR_TOKEN_USER, exchangeAcrRefreshToken } from "../../components/app/acrLogin";
import { contentTag, validateAppImageArgs } from "../../components/app/AppImage";
import type { PlanResult } from "../../plan/run";
import { created, ofType, one, planStack } from "../harness";

const DIGEST_REF = /@sha256:[0-9a-f]{64}$/;

describe("AppImage in the committed stacks", () => {
    let dev: PlanResult;
    let prod: PlanResult;
    beforeAll(async () => {
        dev = await planStack("dev");
        prod = await planStack("prod");
    }, 120_000);

    it("builds once, for linux/amd64, the runtime stage, never during preview", () => {
        expect(dev.errors).toEqual([]);
        const images = ofType(dev, "docker-build:index:Image");
        expect(images).toHaveLength(1);
        const image = images[0].inputs as Record<string, any>;
        expect(image).toMatchObject({
            platforms: ["linux/amd64"],
            target: "runtime",
            push: true,
            buildOnPreview: false,
            context: { location: "app" },
            dockerfile: { location: "app/Dockerfile" },
            buildArgs: { PYTHON_IMAGE: "python:3.11.11-alpine3.21" },
        });
    });

    it("pushes the one build to ECR, Artifact Registry and ACR under a content tag", () => {
        const image = one(dev, "docker-build:index:Image", "app").inputs as Record<string, any>;
        const tag = (dev.outputs.app as any).built.tag as string;
        expect(tag).toMatch(/^src-[0-9a-f]{12}$/);
        expect(image.tags).toEqual([
            `123456789012.dkr.ecr.us-east-1.amazonaws.com/multicloud-app:${tag}`,
            expect.stringMatching(
                new RegExp(`^multiclouddevapp[0-9a-f]{8}\\.azurecr\\.io/multicloud-app:${tag}$`),
            ),
            `europe-west1-docker.pkg.dev/multicloud-dev-000000/multicloud-app/app:${tag}`,
        ]);
        expect(image.tags.join(" ")).not.toContain(":latest");
    });

    it("logs in to each registry with a short-lived credential from the cloud's SDK, as a secret", () => {
        const image = one(dev, "docker-build:index:Image", "app");
        const registries = image.inputs.registries as { address: string; username: string }[];
        expect(registries.map((r) => [r.address, r.username])).toEqual([
            ["123456789012.dkr.ecr.us-east-1.amazonaws.com", "AWS"],
            [expect.stringMatching(/\.azurecr\.io$/), ACR_TOKEN_USER],
            ["europe-west1-docker.pkg.dev", "oauth2accesstoken"],
        ]);
        // The passwords are secret, so the SDK sends the whole list as one secret value.
        expect(image.secretPaths).toContain("registries");
        const tokens = dev.invokes.map((i) => i.token);
        expect(tokens).toEqual(
            expect.arrayContaining([
                "aws:ecr/getAuthorizationToken:getAuthorizationToken",
                "gcp:organizations/getClientConfig:getClientConfig",
                "azure-native:authorization:getClientToken",
            ]),
        );
        // The ECR token is asked for the registry of the repository the program created.
        const ecrLogin = dev.invokes.find(
            (i) => i.token === "aws:ecr/getAuthorizationToken:getAuthorizationToken",
        )!;
        expect(ecrLogin.inputs.registryId).toBe("123456789012");
    });

    it("keeps the build cache in ECR under the one mutable tag", () => {
        const image = one(dev, "docker-build:index:Image", "app").inputs as Record<string, any>;
        const cache = "123456789012.dkr.ecr.us-east-1.amazonaws.com/multicloud-app:buildcache";
        expect(image.cacheFrom).toEqual([{ registry: { ref: cache } }]);
        expect(image.cacheTo).toEqual([
            { registry: { ref: cache, mode: "max", imageManifest: true, ociMediaTypes: true } },
        ]);
    });

    it("creates ECR with scan on push, immutable tags (cache excepted) and KMS encryption", () => {
        const repo = one(dev, "aws:ecr/repository:Repository", "app").inputs;
        expect(repo).toMatchObject({
            name: "multicloud-app",
            imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
            imageTagMutabilityExclusionFilters: [{ filter: "buildcache", filterType: "WILDCARD" }],
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [{ encryptionType: "KMS" }],
        });
        expect(one(dev, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "app-lifecycle")).toBeDefined();
    });

    it("creates Artifact Registry in Docker format with immutable tags, and CMEK when the stack asks", () => {
        const devRepo = one(dev, "gcp:artifactregistry/repository:Repository", "app").inputs;
        expect(devRepo).toMatchObject({
            format: "DOCKER",
            repositoryId: "multicloud-app",
            location: "europe-west1",
            dockerConfig: { immutableTags: true },
        });
        expect(devRepo.kmsKeyName).toBeUndefined();
        const prodRepo = one(prod, "gcp:artifactregistry/repository:Repository", "app");
        const key =
            "projects/multicloud-prod-000000/locations/europe-west1/keyRings/registry/cryptoKeys/images";
        expect(prodRepo.inputs.kmsKeyName).toBe(key);
        // The service agent is created (a new project may not have it yet), then granted the key.
        const agent = one(
            prod,
            "gcp:projects/serviceIdentity:ServiceIdentity",
            "app-registry-agent",
        );
        expect(agent.inputs).toMatchObject({
            project: "multicloud-prod-000000",
            service: "artifactregistry.googleapis.com",
        });
        const grant = one(prod, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "app-cmek");
        expect(grant.inputs).toMatchObject({
            cryptoKeyId: key,
            role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
            member: expect.stringMatching(
                /^serviceAccount:service-\d+@gcp-sa-artifactregistry\.iam\.gserviceaccount\.com$/,
            ),
        });
        expect(grant.dependencies).toContain(agent.urn);
        // The key is granted before the repository uses it.
        expect(prodRepo.dependencies).toContain(grant.urn);
    });

    it("creates ACR with the admin user and anonymous pull off", () => {
        const acr = one(dev, "azure-native:containerregistry:Registry", "app").inputs;
        expect(acr).toMatchObject({
            adminUserEnabled: false,
            anonymousPullEnabled: false,
            sku: { name: "Standard" },
            resourceGroupName: "multicloud-dev",
        });
        expect(String(acr.registryName)).toMatch(/^[a-z0-9]{5,50}$/);
    });

    it("hands the fleet the image by digest: the ASG pulls the ECR ref, GKE the Artifact Registry ref", () => {
        const refs = (dev.outputs.app as any).built.refs as Record<string, string>;
        const digest = (dev.outputs.app as any).built.digest as string;
        for (const ref of Object.values(refs)) {
            expect(ref).toMatch(DIGEST_REF);
            expect(ref.endsWith(`@${digest}`)).toBe(true);
        }
        const template = one(dev, "aws:ec2/launchTemplate:LaunchTemplate", "app-lt").inputs;
        const userData = Buffer.from(String(template.userData), "base64").toString();
        expect(userData).toContain(`docker pull ${refs.aws}`);
        const deployment = one(dev, "kubernetes:apps/v1:Deployment", "dev-gke-app-deployment-app");
        expect((deployment.inputs as any).spec.template.spec.containers[0].image).toBe(refs.gcp);
    });
});

describe("AppImage with fewer registries, or none", () => {
    it("pushes only where the stack says", async () => {
        const plan = await planStack("dev", { "appImage.registries": ["aws"] });
        expect(plan.errors).toEqual([]);
        expect(ofType(plan, "aws:ecr/repository:Repository")).toHaveLength(1);
        expect(ofType(plan, "gcp:artifactregistry/repository:Repository")).toEqual([]);
        expect(ofType(plan, "azure-native:containerregistry:Registry")).toEqual([]);
        // GKE then runs the released image.
        const deployment = one(plan, "kubernetes:apps/v1:Deployment", "dev-gke-app-deployment-app");
        expect((deployment.inputs as any).spec.template.spec.containers[0].image).toMatch(
            /multicloud-app@sha256:0{64}$/,
        );
    }, 60_000);

    it("builds nothing when appImage.build is false: the released image runs everywhere", async () => {
        const plan = await planStack("dev", { "appImage.build": false });
        expect(plan.errors).toEqual([]);
        expect(ofType(plan, "docker-build:index:Image")).toEqual([]);
        expect(ofType(plan, "pulumi:providers:docker-build")).toEqual([]);
        expect((plan.outputs.app as any).built).toBeNull();
        const template = one(plan, "aws:ec2/launchTemplate:LaunchTemplate", "app-lt").inputs;
        expect(Buffer.from(String(template.userData), "base64").toString()).toContain(
            `@sha256:${"0".repeat(64)}`,
        );
    }, 60_000);
});

describe("AppImage bad input", () => {
    it("refuses a registry of a cloud that is switched off, before any resource", async () => {
        const plan = await planStack("dev", {
            "gcp.enabled": false,
            "appImage.registries": ["aws", "gcp"],
        });
        expect(created(plan)).toEqual([]);
        expect(plan.errors.join("\n")).toContain(
            "multicloud:appImage.registries[1] names the gcp registry, but gcp.enabled is not true: remove gcp from appImage.registries, or enable gcp",
        );
    }, 60_000);

    it("refuses a build context without a Dockerfile, before any resource", async () => {
        const plan = await planStack("dev", { "appImage.context": "gitops" });
        expect(created(plan)).toEqual([]);
        expect(plan.errors.join("\n")).toContain(
            "multicloud:appImage.context 'gitops' has no Dockerfile: add it, set appImage.dockerfile to its path relative to the context, or set appImage.build to false",
        );
    }, 60_000);

    it("names every bad component argument", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "context-"));
        expect(
            validateAppImageArgs(
                {
                    context: dir,
                    registries: { gcp: { project: "p", location: "us" } },
                    repository: "App",
                },
                ["aws"],
                "app",
            ),
        ).toEqual([
            `context '${dir}' has no Dockerfile: add it, or set dockerfile to its path relative to the context`,
            "registries.gcp is set but no gcp provider was passed (the cloud is switched off): pass one in opts.providers, or remove registries.gcp",
            "no docker-build provider was passed: pass one in opts.providers",
            "repository 'App' must be lowercase letters, digits, '.', '_' or '-' (up to 63), starting and ending with a letter or digit",
        ]);
        expect(
            validateAppImageArgs({ context: dir, registries: {} }, ["docker-build"], "app"),
        ).toContain("registries is empty: name at least one of aws, gcp, azure");
    });
});

describe("contentTag", () => {
    it("is stable for the same sources and changes with any file", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tag-"));
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM scratch\n");
        fs.mkdirSync(path.join(dir, "src"));
        fs.writeFileSync(path.join(dir, "src", "a.py"), "print(1)\n");
        const first = contentTag(dir);
        expect(contentTag(dir)).toBe(first);
        fs.writeFileSync(path.join(dir, "src", "a.py"), "print(2)\n");
        expect(contentTag(dir)).not.toBe(first);
        expect(contentTag(dir, { target: "other" })).not.toBe(contentTag(dir));
    });
});

describe("exchangeAcrRefreshToken", () => {
    async function withRegistry(
        handler: http.RequestListener,
        run: (baseUrl: string) => Promise<void>,
    ) {
        const server = http.createServer(handler);
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        try {
            await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
        } finally {
            server.close();
        }
    }

    it("posts the ARM token as `az acr login` does and returns the refresh token", async () => {
        let seen: URLSearchParams | undefined;
        await withRegistry(
            (req, res) => {
                let body = "";
                req.on("data", (c) => (body += c));
                req.on("end", () => {
                    expect(req.method).toBe("POST");
                    expect(req.url).toBe("/oauth2/exchange");
                    seen = new URLSearchParams(body);
                    res.setHeader("content-type", "application/json");
                    res.end(JSON.stringify({ refresh_token: "acr-refresh" }));
                });
            },
            async (baseUrl) => {
                await expect(
                    exchangeAcrRefreshToken({
                        loginServer: "contoso.azurecr.io",
                        armToken: "arm-token",
                        tenantId: "tenant-1",
                        baseUrl,
                    }),
                ).resolves.toBe("acr-refresh");
            },
        );
        expect(Object.fromEntries(seen!)).toEqual({
            grant_type: "access_token",
            service: "contoso.azurecr.io",
            tenant: "tenant-1",
            access_token: "arm-token",
        });
    });

    it("says what to grant when the registry refuses, without echoing the token", async () => {
        await withRegistry(
            (_req, res) => {
                res.statusCode = 401;
                res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
            },
            async (baseUrl) => {
                const failure = exchangeAcrRefreshToken({
                    loginServer: "contoso.azurecr.io",
                    armToken: "very-secret-arm-token",
                    tenantId: "t",
                    baseUrl,
                });
                await expect(failure).rejects.toThrow(
                    'the registry contoso.azurecr.io refused the token exchange (HTTP 401: {"errors":[{"code":"UNAUTHORIZED"}]}); grant the identity running Pulumi the AcrPush role on the registry',
                );
                await expect(failure).rejects.not.toThrow(/very-secret-arm-token/);
            },
        );
    });
});
